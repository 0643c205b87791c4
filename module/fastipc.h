/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the files of the module.  Layers, top to
 * bottom, each calling only those below it:
 *
 *	main.c		init/exit ladder, module parameters
 *	dev.c		the misc device, file operations, ioctls; the only
 *			file that touches __user memory
 *	netlink.c	the generic netlink family (the other door)
 *	naming.c	the registry of endpoints and their names, per IPC
 *			namespace; events
 *	endpoint.c	endpoint and connection objects and their lifetimes
 *	msgqueue.c	messages, queues, the call/reply state machine, waits
 *	buffer.c	page-mapped connection buffers
 *	perm.c, quota.c, limits.c	access checks, per-user accounting,
 *			administrator's bounds
 */
#ifndef _FASTIPC_H
#define _FASTIPC_H

#include <linux/compiler.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/kref.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/wait.h>

#include "../uapi/linux/fastipc.h"

struct seq_file;
struct vfsmount;

/* limits.c: the administrator's bounds, module parameters writable by root. */
enum fastipc_limit_id {
	FASTIPC_LIMIT_MAX_MSG_SIZE,
	FASTIPC_LIMIT_QUEUE_DEPTH,
	FASTIPC_LIMIT_MAX_ENDPOINTS,
	FASTIPC_LIMIT_MAX_QUEUED_BYTES,
	FASTIPC_LIMIT_MAX_BUFFER_BYTES,
	FASTIPC_LIMIT_SPIN_NS,
	FASTIPC_NR_LIMITS,
};

/**
 * struct fastipc_limit - one run-time tunable bound
 * @value: the bound in force; read with READ_ONCE() since root may change it
 *	at any time through sysfs.
 * @min: the smallest value the setter accepts.
 * @max: the largest value the setter accepts.
 */
struct fastipc_limit {
	unsigned long value;
	unsigned long min;
	unsigned long max;
};

extern struct fastipc_limit fastipc_limits[FASTIPC_NR_LIMITS];
extern const struct kernel_param_ops fastipc_limit_param_ops;

static inline unsigned long fastipc_limit(enum fastipc_limit_id id)
{
	return READ_ONCE(fastipc_limits[id].value);
}

/* quota.c: what each user holds, so that no user can exhaust the kernel. */

enum fastipc_charge {
	FASTIPC_CHARGE_ENDPOINTS,	/* endpoints owned, max_endpoints */
	FASTIPC_CHARGE_QUEUED_BYTES,	/* payload bytes queued, max_queued_bytes */
	FASTIPC_CHARGE_BUFFER_BYTES,	/* buffer bytes held, max_buffer_bytes */
	FASTIPC_NR_CHARGES,
};

/**
 * struct fastipc_user - one user's consumption
 * @node: in the table of users, protected by its lock.
 * @ns: the user namespace @uid acts in (referenced).
 * @uid: the user.
 * @refs: held by every object charged to the user, and by the users of
 *	the namespaces it owns (see @parent).
 * @parent: @ns's owner in @ns's parent, charged with all @uid is charged;
 *	NULL in the initial user namespace.
 * @charges: what the user holds, by &enum fastipc_charge.
 */
struct fastipc_user {
	struct hlist_node node;
	struct user_namespace *ns;
	kuid_t uid;
	refcount_t refs;
	struct fastipc_user *parent;
	atomic_long_t charges[FASTIPC_NR_CHARGES];
};

struct cred;
struct fastipc_user *fastipc_user_get(const struct cred *cred);
void fastipc_user_hold(struct fastipc_user *user);
void fastipc_user_put(struct fastipc_user *user);
int fastipc_user_charge(struct fastipc_user *user, enum fastipc_charge what, unsigned long n);
void fastipc_user_uncharge(struct fastipc_user *user, enum fastipc_charge what, unsigned long n);

/* buffer.c: page-mapped connection buffers. */

/**
 * struct fastipc_buffer - a connection's kernel-owned pages
 * @refs: held by the connection and by the file behind each mapping.
 * @creator_refs: held by the connection and its own mappings; @user is
 *	charged for @size until the last is gone.
 * @size: bytes.
 * @nr_pages: entries in @pages.
 * @pages: the pages, allocated at creation, freed with the last reference.
 * @user: the connection's user.
 */
struct fastipc_buffer {
	refcount_t refs;
	refcount_t creator_refs;
	size_t size;
	unsigned long nr_pages;
	struct page **pages;
	struct fastipc_user *user;
};

struct vm_area_struct;
struct fastipc_buffer *fastipc_buffer_create(struct fastipc_user *user, size_t size);
void fastipc_buffer_put(struct fastipc_buffer *buf);
int fastipc_buffer_check(const struct fastipc_buffer *buf, u64 offset, u64 len);
int fastipc_buffer_mmap(struct fastipc_buffer *buf, struct vm_area_struct *vma,
			bool mapper_pays);

/* Calls of this many bytes or more move in one copy, through pinned pages. */
#define FASTIPC_DIRECT_MIN	SZ_16K

/**
 * struct fastipc_pages - a caller's user buffer, pinned for a call
 * @offset: where the bytes start in the first page.
 * @len: how many bytes.
 * @writable: pinned for writing (a reply buffer).
 * @mm: the address space whose pinned_vm counts them (referenced), or NULL
 *	before fastipc_pages_charge().
 * @nr_pages: entries in @pages.
 * @pages: the pinned pages.
 */
struct fastipc_pages {
	size_t offset;
	size_t len;
	bool writable;
	struct mm_struct *mm;
	unsigned long nr_pages;
	struct page *pages[];
};

struct fastipc_pages *fastipc_pages_alloc(unsigned long nr_pages);
bool fastipc_pages_charge(struct fastipc_pages *pages, unsigned long nr_pages);
void fastipc_pages_release(struct fastipc_pages *pages);
size_t fastipc_pages_to_iter(const struct fastipc_pages *pages, struct iov_iter *iter);
void fastipc_pages_copy_pages(struct fastipc_pages *dst, const struct fastipc_pages *src,
			      size_t len);
void fastipc_quota_exit(void);

/* msgqueue.c: messages, queues and waits. */

/**
 * struct fastipc_deadline - when a wait ends, converted from the uapi form
 * @mode: a &enum fastipc_wait_mode; RELATIVE has been made ABSOLUTE.
 * @expires: for ABSOLUTE, the CLOCK_MONOTONIC time the wait ends.
 * @relative: it was given RELATIVE, as @ns from the call; the time left is
 *	reported back on EINTR, and a call's reply phase counts from the
 *	moment a receiver took the call.
 * @ns: the relative timeout as given.
 */
struct fastipc_deadline {
	enum fastipc_wait_mode mode;
	ktime_t expires;
	bool relative;
	u64 ns;
};

enum fastipc_msg_state {
	FASTIPC_MSG_QUEUED,	/* on the endpoint's queue */
	FASTIPC_MSG_RECEIVING,	/* a receiver is copying it out */
	FASTIPC_MSG_RECEIVED,	/* a call, in the endpoint's table of calls */
	FASTIPC_MSG_REPLYING,	/* a replier is copying the reply in */
	FASTIPC_MSG_DONE,	/* replied, or failed with @error */
};

/**
 * struct fastipc_payload - a message's bytes, as the caller gives them
 * @iter: copied from here, unless @in_buffer or @pinned.
 * @pinned: the caller's pages, pinned: the receiver copies from them
 *	directly (owned by the message from then on).
 * @in_buffer: the bytes are @len at @offset in the connection's buffer.
 * @offset: see @in_buffer.
 * @len: see @in_buffer.
 */
struct fastipc_payload {
	struct iov_iter *iter;
	struct fastipc_pages *pinned;
	bool in_buffer;
	u64 offset;
	u64 len;
};

/**
 * struct fastipc_msg - one message, and for a call its reply
 * @node: in the endpoint's queue while QUEUED; in the connection's list of
 *	finished async calls once DONE.
 * @call_node: in the endpoint's table of calls while RECEIVED.
 * @async_node: in the connection's list of async calls, from send to collect.
 * @conn: the connection it was sent through; a withdrawn call no longer
 *	looks at it (the connection may be gone).
 * @sender: the sending thread, for its ids as the receiver sees them.
 * @uid: the sender's effective uid.
 * @gid: the sender's effective gid.
 * @type: the request's type, then the reply's.
 * @token: a call's reply token, once received.
 * @cookie: an async call's name for COLLECT.
 * @conn_id: @conn's id, kept for after the connection is gone.
 * @len: bytes at @data: the request, then the reply.
 * @capacity: room at @data.
 * @data: the payload: @inline_data or a kvmalloc()ed buffer.
 * @charged: payload bytes charged to the owner of @conn's endpoint, until
 *	the message is delivered or dropped: the receivers decide when that
 *	is, so their side pays, and a sender is never held to its quota by a
 *	receiver that does not read.
 * @taken: when a receiver took the call, for a relative reply timeout.
 * @reply_bounded: the caller bounds the reply phase: the receiver that
 *	takes the call sets @taken and wakes the caller, which until then
 *	sleeps to the send deadline only.
 * @state: an &enum fastipc_msg_state; protected by the endpoint's lock.
 * @error: why a DONE call failed, or 0.
 * @is_call: a call, not a one-way message.
 * @is_async: an async call.
 * @is_hangup: the last word of a closed connection that had a buffer.
 * @in_buffer: the payload (request, then reply) is @len bytes at @offset
 *	in @conn's buffer rather than at @data.
 * @offset: see @in_buffer.
 * @pinned_req: a synchronous call's request, in its caller's pinned pages.
 * @pinned_reply: a synchronous caller's reply buffer, pinned.
 * @reply_direct: the reply was copied straight into @pinned_reply.
 * @copy_waiter: its caller sleeps without a deadline while a copy out of or
 *	into its pages is under way, and must be woken when that ends without
 *	an answer, to take up its timeout again.
 * @withdrawn: its caller has gone: a reply is dropped.
 * @done_wait: a synchronous caller sleeps here for the reply.
 * @inline_capacity: room at @inline_data.
 * @inline_data: small payloads live here, saving an allocation.
 */
struct fastipc_msg {
	struct list_head node;
	struct hlist_node call_node;
	struct list_head async_node;
	struct fastipc_connection *conn;
	struct task_struct *sender;
	kuid_t uid;
	kgid_t gid;
	s64 type;
	u64 token;
	u64 cookie;
	u64 conn_id;
	size_t len;
	size_t capacity;
	void *data;
	size_t charged;
	ktime_t taken;
	enum fastipc_msg_state state;
	int error;
	bool is_call;
	bool is_async;
	bool is_hangup;
	bool in_buffer;
	u64 offset;
	struct fastipc_pages *pinned_req;
	struct fastipc_pages *pinned_reply;
	bool reply_direct;
	bool copy_waiter;
	bool reply_bounded;
	bool withdrawn;
	wait_queue_head_t done_wait;
	size_t inline_capacity;
	u8 inline_data[];
};

/**
 * struct fastipc_filter - which message a receiver wants
 * @type: System V msgrcv() semantics: 0 any, > 0 exactly, < 0 lowest <= -type.
 * @except: with @type > 0, any type but @type.
 */
struct fastipc_filter {
	s64 type;
	bool except;
};

/**
 * struct fastipc_delivery - a received message, as RECV reports it
 * @info: the header, ids translated for the receiver.
 */
struct fastipc_delivery {
	struct fastipc_msg_info info;
};

/**
 * struct fastipc_outcome - what a call or a collect gives back
 * @type: the reply's type.
 * @len: the reply's full length.
 * @cookie: the async call collected.
 * @in_buffer: the reply is @len bytes at @offset in the connection's buffer.
 * @offset: see @in_buffer.
 */
struct fastipc_outcome {
	s64 type;
	size_t len;
	u64 cookie;
	bool in_buffer;
	u64 offset;
	ktime_t reply_expires;
};

/**
 * struct fastipc_endpoint - where messages are received
 * @lock: protects the fields marked so, the state of every message sent to
 *	this endpoint, and the async lists of its connections.
 * @queue: QUEUED messages, oldest first; under @lock.
 * @nr_queued: entries on @queue; under @lock.
 * @calls: RECEIVED calls by token; under @lock.
 * @next_token: the last token given; under @lock.
 * @dead: its last endpoint fd is closed; under @lock.
 * @recv_wait: receivers waiting for a message.
 * @send_wait: senders waiting for room in @queue.
 * @poll_wait: poll and epoll on the endpoint and its connections.
 * @fasync: SIGIO subscribers of the endpoint fds; see fasync_helper().
 * @refs: held by each endpoint fd, each connection, and the name table.
 * @nr_files: open endpoint fds (not counting dup()s); under @lock.
 * @nr_connections: connections open to it; under @lock.
 * @connections: those connections; under @lock.
 * @id: unique while the module is loaded.
 * @owner: the user charged for the endpoint.
 * @uid: owner, for permission checks; under @lock (SET changes it).
 * @gid: owner's group; under @lock.
 * @mode: permission bits; under @lock.
 * @cuid: creator.
 * @cgid: creator's group.
 * @user_ns: the creator's user namespace, where capabilities are checked.
 * @persistent: the registry holds it receiving until it is unlinked; written
 *	under the registry's lock, read with READ_ONCE() by STAT.
 * @ipc_ns: the IPC namespace its name lives in (see fastipc_ipc_ns_get()).
 * @name: the name it was created with, empty if anonymous; never changes
 *	(after UNLINK it is no longer in the name table, see @name_node).
 * @name_node: in the name table, while named; under the registry's lock.
 * @registry_node: in the registry of live endpoints; under its lock.
 * @stats: counters, updated under @lock.
 */
struct fastipc_endpoint {
	spinlock_t lock;	/* see msgqueue.c for what it guards */
	struct list_head queue;
	unsigned int nr_queued;
	u32 spin_window;	/* its receivers', see fastipc_spin_budget() */
	DECLARE_HASHTABLE(calls, 6);
	u64 next_token;
	bool dead;
	wait_queue_head_t recv_wait;
	wait_queue_head_t send_wait;
	wait_queue_head_t poll_wait;
	struct fasync_struct *fasync;
	struct kref refs;
	unsigned int nr_files;
	unsigned int nr_connections;
	struct list_head connections;
	u64 id;
	struct fastipc_user *owner;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	kuid_t cuid;
	kgid_t cgid;
	struct user_namespace *user_ns;
	bool persistent;
	struct vfsmount *ipc_ns;
	char name[FASTIPC_NAME_MAX];
	struct hlist_node name_node;
	struct list_head registry_node;
	struct {
		u64 sent;
		u64 received;
		u64 replied;
		u64 replies_dropped;
		u64 withdrawn;
	} stats;
};

/**
 * struct fastipc_connection - a sender's handle on an endpoint
 * @ep: the endpoint, referenced for the connection's lifetime.
 * @user: the user who made it, charged for its buffer.
 * @id: unique while the module is loaded, stamped on its messages.
 * @async: its async calls not collected yet; under @ep's lock.
 * @nr_async: how many, at most queue_depth; under @ep's lock.
 * @finished: async calls that are DONE, oldest first; under @ep's lock.
 * @next_cookie: the last cookie given; under @ep's lock.
 * @poll_wait: poll and COLLECT waiters for @finished.
 * @fasync: SIGIO subscribers.
 * @spare: a message kept for the next synchronous call, so the call path
 *	need not allocate; taken and returned with xchg()/cmpxchg().
 * @refs: held by its fd and by each of its messages, which may outlive it.
 * @ep_node: in @ep's list of connections, until the last of its messages
 *	is gone (so the endpoint can map its buffer for them); under @ep's lock.
 * @buffer: its page-mapped buffer, or NULL; set once, under @ep's lock.
 * @hangup: for a connection with a buffer, the message that tells the
 *	endpoint it closed, allocated with the buffer so closing cannot fail.
 * @spin_window: how long its callers poll for a reply, see
 *	fastipc_spin_budget().
 */
struct fastipc_connection {
	struct fastipc_endpoint *ep;
	struct fastipc_user *user;
	u64 id;
	struct list_head async;
	unsigned int nr_async;
	struct list_head finished;
	u64 next_cookie;
	wait_queue_head_t poll_wait;
	struct fasync_struct *fasync;
	struct fastipc_msg *spare;
	struct kref refs;
	struct list_head ep_node;
	struct fastipc_buffer *buffer;
	struct fastipc_msg *hangup;
	u32 spin_window;
};

/*
 * A connection's buffer, or NULL: set once, under ep->lock, with release
 * semantics, so a reader without the lock that sees it sees it whole.
 */
static inline struct fastipc_buffer *
fastipc_connection_buffer(const struct fastipc_connection *conn)
{
	/* Pairs with the release in fastipc_connection_buffer_create(). */
	return smp_load_acquire(&conn->buffer);
}

int fastipc_send(struct fastipc_connection *conn, s64 type,
		 const struct fastipc_payload *data,
		 const struct fastipc_deadline *room);
int fastipc_call(struct fastipc_connection *conn, s64 type,
		 const struct fastipc_payload *data, struct iov_iter *reply,
		 struct fastipc_pages *reply_pinned,
		 const struct fastipc_deadline *send,
		 const struct fastipc_deadline *reply_deadline, bool spin,
		 struct fastipc_outcome *outcome);
int fastipc_call_async(struct fastipc_connection *conn, s64 type,
		       const struct fastipc_payload *data,
		       const struct fastipc_deadline *room, u64 *cookie);
int fastipc_collect(struct fastipc_connection *conn, u64 cookie,
		    struct iov_iter *reply, const struct fastipc_deadline *dl,
		    struct fastipc_outcome *outcome);
int fastipc_deadline_sleep(const struct fastipc_deadline *dl, unsigned int state);
int fastipc_recv(struct fastipc_endpoint *ep,
		 const struct fastipc_filter *filter, struct iov_iter *data,
		 const struct fastipc_deadline *dl, bool spin,
		 struct fastipc_delivery *delivery);
int fastipc_reply(struct fastipc_endpoint *ep, u64 token, s64 type,
		  const struct fastipc_payload *data);
int fastipc_connection_buffer_create(struct fastipc_connection *conn, size_t size);
struct fastipc_buffer *fastipc_endpoint_buffer_get(struct fastipc_endpoint *ep, u64 conn_id);
struct fastipc_buffer *fastipc_connection_buffer_get(struct fastipc_connection *conn);
void fastipc_connection_hangup(struct fastipc_connection *conn);
void fastipc_queue_shutdown(struct fastipc_endpoint *ep);
void fastipc_connection_cancel_all(struct fastipc_connection *conn);
void fastipc_msg_free_spare(struct fastipc_msg *msg);
struct fastipc_msg *fastipc_msg_alloc_hangup(void);
void fastipc_deadline_remaining(const struct fastipc_deadline *dl,
				struct fastipc_timeout *timeout);

/* endpoint.c: the objects behind endpoint and connection fds. */
struct fastipc_endpoint *fastipc_endpoint_create(const struct cred *cred,
						 struct vfsmount *ipc_ns,
						 umode_t mode);
void fastipc_endpoint_put(struct fastipc_endpoint *ep);
bool fastipc_endpoint_get_live(struct fastipc_endpoint *ep);
void fastipc_endpoint_file_opened(struct fastipc_endpoint *ep);
bool fastipc_endpoint_file_reopened(struct fastipc_endpoint *ep);
bool fastipc_endpoint_file_closed(struct fastipc_endpoint *ep);
struct fastipc_connection *fastipc_connection_create(struct fastipc_endpoint *ep,
						     const struct cred *cred);
void fastipc_connection_get(struct fastipc_connection *conn);
void fastipc_connection_put(struct fastipc_connection *conn);
void fastipc_connection_file_closed(struct fastipc_connection *conn);
__poll_t fastipc_endpoint_poll_mask(struct fastipc_endpoint *ep);
__poll_t fastipc_connection_poll_mask(struct fastipc_connection *conn);
void fastipc_endpoint_show(struct seq_file *m, struct fastipc_endpoint *ep);
void fastipc_endpoint_stat(struct fastipc_endpoint *ep, struct fastipc_endpoint_stat *st);
int fastipc_endpoint_set(struct fastipc_endpoint *ep, const struct fastipc_endpoint_set *set);
void fastipc_connection_show(struct seq_file *m, struct fastipc_connection *conn);

/* perm.c: owner/group/mode checks. */
#define FASTIPC_MAY_WRITE	2	/* connect: send and call */
#define FASTIPC_MAY_READ	4	/* open as another receiver */
int fastipc_perm_check(struct fastipc_endpoint *ep, int may);
int fastipc_perm_may_change(struct fastipc_endpoint *ep);
bool fastipc_perm_may_list(struct fastipc_endpoint *ep, bool named);

/* naming.c: the registry of live endpoints, their names, events. */
enum fastipc_event_type {
	FASTIPC_EVENT_CREATED,
	FASTIPC_EVENT_DESTROYED,
	FASTIPC_EVENT_PEER_GONE,
};

/**
 * struct fastipc_event - what the registry tells its listeners
 * @ep: the endpoint; valid for the duration of the notifier call.
 * @conn_id: for PEER_GONE, the connection that closed.
 */
struct fastipc_event {
	struct fastipc_endpoint *ep;
	u64 conn_id;
};

int fastipc_name_valid(const char *name);
int fastipc_registry_add(struct fastipc_endpoint *ep, const char *name, bool persistent);
void fastipc_registry_remove(struct fastipc_endpoint *ep);
struct fastipc_endpoint *fastipc_registry_lookup(struct vfsmount *ipc_ns,
						 const char *name,
						 const struct fastipc_deadline *wait);
int fastipc_registry_unlink(struct vfsmount *ipc_ns, const char *name);
void fastipc_registry_exit(void);
int fastipc_registry_for_each(struct vfsmount *ipc_ns, u64 *cursor,
			      int (*fn)(void *arg, struct fastipc_endpoint *ep),
			      void *arg);
void fastipc_event_peer_gone(struct fastipc_endpoint *ep, u64 conn_id);
int fastipc_events_register(struct notifier_block *nb);
void fastipc_events_unregister(struct notifier_block *nb);

/* netlink.c */
int fastipc_netlink_init(void);
void fastipc_netlink_exit(void);

/* dev.c */
int fastipc_dev_init(void);
void fastipc_dev_exit(void);

#endif /* _FASTIPC_H */
