// SPDX-License-Identifier: GPL-2.0
/*
 * Endpoints and connections: the objects behind their fds, and how long they
 * live.
 *
 * An endpoint lives while anything refers to it (ep->refs): its fds, its
 * connections.  It stops receiving when its last endpoint fd closes
 * (ep->nr_files drops to 0): pending calls fail, connections see POLLHUP.
 * A connection lives while its fd is open or any of its messages is in
 * flight (conn->refs); closing its fd withdraws its async calls.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "fastipc.h"

/* Connection ids: unique while loaded (endpoint ids come from the registry). */
static atomic64_t fastipc_last_conn_id = ATOMIC64_INIT(0);

struct fastipc_endpoint *fastipc_endpoint_create(const struct cred *cred,
						 struct vfsmount *ipc_ns,
						 umode_t mode)
{
	struct fastipc_endpoint *ep;
	struct fastipc_user *owner;
	int ret;

	owner = fastipc_user_get(cred);
	if (!owner)
		return ERR_PTR(-ENOMEM);
	ret = fastipc_user_charge(owner, FASTIPC_CHARGE_ENDPOINTS, 1);
	if (ret)
		goto err_charge;

	ep = kzalloc(sizeof(*ep), GFP_KERNEL_ACCOUNT);
	if (!ep) {
		ret = -ENOMEM;
		goto err_alloc;
	}
	spin_lock_init(&ep->lock);
	INIT_LIST_HEAD(&ep->queue);
	INIT_LIST_HEAD(&ep->connections);
	hash_init(ep->calls);
	init_waitqueue_head(&ep->recv_wait);
	init_waitqueue_head(&ep->send_wait);
	init_waitqueue_head(&ep->poll_wait);
	kref_init(&ep->refs);
	INIT_HLIST_NODE(&ep->name_node);
	INIT_LIST_HEAD(&ep->registry_node);
	ep->owner = owner;
	ep->uid = cred->euid;
	ep->gid = cred->egid;
	ep->cuid = cred->euid;
	ep->cgid = cred->egid;
	ep->mode = mode;
	ep->user_ns = get_user_ns(cred->user_ns);
	ep->ipc_ns = mntget(ipc_ns);
	return ep;

err_alloc:
	fastipc_user_uncharge(owner, FASTIPC_CHARGE_ENDPOINTS, 1);
err_charge:
	fastipc_user_put(owner);
	return ERR_PTR(ret);
}

static void fastipc_endpoint_release(struct kref *refs)
{
	struct fastipc_endpoint *ep = container_of(refs, struct fastipc_endpoint, refs);

	WARN_ON(!list_empty(&ep->queue) || !hash_empty(ep->calls));
	fastipc_ipc_ns_put(ep->ipc_ns);
	put_user_ns(ep->user_ns);
	fastipc_user_uncharge(ep->owner, FASTIPC_CHARGE_ENDPOINTS, 1);
	fastipc_user_put(ep->owner);
	pr_debug("endpoint %llu destroyed\n", ep->id);
	kfree(ep);
}

void fastipc_endpoint_put(struct fastipc_endpoint *ep)
{
	kref_put(&ep->refs, fastipc_endpoint_release);
}

/* A reference, unless the endpoint has stopped receiving. */
bool fastipc_endpoint_get_live(struct fastipc_endpoint *ep)
{
	bool live;

	spin_lock(&ep->lock);
	live = !ep->dead;
	if (live)
		kref_get(&ep->refs);
	spin_unlock(&ep->lock);
	return live;
}

void fastipc_endpoint_file_opened(struct fastipc_endpoint *ep)
{
	spin_lock(&ep->lock);
	ep->nr_files++;
	spin_unlock(&ep->lock);
}

/*
 * One more fd for an endpoint that has one already (OPEN_ENDPOINT).  False
 * once its last fd is gone: it is dying, and a new fd must not revive a
 * queue that was shut down.  The test and the count are one step.
 */
bool fastipc_endpoint_file_reopened(struct fastipc_endpoint *ep)
{
	bool alive;

	spin_lock(&ep->lock);
	alive = ep->nr_files && !ep->dead;
	if (alive)
		ep->nr_files++;
	spin_unlock(&ep->lock);
	return alive;
}

/* Returns true when that was the last endpoint fd: the endpoint is now dead. */
bool fastipc_endpoint_file_closed(struct fastipc_endpoint *ep)
{
	bool last;

	spin_lock(&ep->lock);
	last = !--ep->nr_files;
	spin_unlock(&ep->lock);
	if (last)
		fastipc_queue_shutdown(ep);
	return last;
}

__poll_t fastipc_endpoint_poll_mask(struct fastipc_endpoint *ep)
{
	return READ_ONCE(ep->nr_queued) ? EPOLLIN | EPOLLRDNORM : 0;
}

struct fastipc_connection *fastipc_connection_create(struct fastipc_endpoint *ep,
						     const struct cred *cred)
{
	struct fastipc_connection *conn;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL_ACCOUNT);
	if (!conn)
		return ERR_PTR(-ENOMEM);
	conn->user = fastipc_user_get(cred);
	if (!conn->user) {
		kfree(conn);
		return ERR_PTR(-ENOMEM);
	}
	kref_get(&ep->refs);
	conn->ep = ep;
	conn->id = atomic64_inc_return(&fastipc_last_conn_id);
	INIT_LIST_HEAD(&conn->async);
	INIT_LIST_HEAD(&conn->finished);
	init_waitqueue_head(&conn->poll_wait);
	kref_init(&conn->refs);

	spin_lock(&ep->lock);
	ep->nr_connections++;
	list_add_tail(&conn->ep_node, &ep->connections);
	spin_unlock(&ep->lock);
	pr_debug("connection %llu to endpoint %llu created\n", conn->id, ep->id);
	return conn;
}

void fastipc_connection_get(struct fastipc_connection *conn)
{
	kref_get(&conn->refs);
}

static void fastipc_connection_release(struct kref *refs)
{
	struct fastipc_connection *conn =
		container_of(refs, struct fastipc_connection, refs);

	WARN_ON(!list_empty(&conn->async) || !list_empty(&conn->finished));
	spin_lock(&conn->ep->lock);
	list_del(&conn->ep_node);
	spin_unlock(&conn->ep->lock);
	fastipc_msg_free_spare(conn->spare);
	fastipc_msg_free_spare(conn->hangup);
	fastipc_buffer_put(conn->buffer);
	fastipc_user_put(conn->user);
	pr_debug("connection %llu destroyed\n", conn->id);
	fastipc_endpoint_put(conn->ep);
	kfree(conn);
}

void fastipc_connection_put(struct fastipc_connection *conn)
{
	kref_put(&conn->refs, fastipc_connection_release);
}

void fastipc_connection_file_closed(struct fastipc_connection *conn)
{
	struct fastipc_endpoint *ep = conn->ep;

	fastipc_connection_cancel_all(conn);
	spin_lock(&ep->lock);
	ep->nr_connections--;
	spin_unlock(&ep->lock);
	fastipc_connection_hangup(conn);
	fastipc_connection_put(conn);
}

/* BUFFER_CREATE: one buffer per connection, for its lifetime. */
int fastipc_connection_buffer_create(struct fastipc_connection *conn, size_t size)
{
	struct fastipc_endpoint *ep = conn->ep;
	struct fastipc_buffer *buf;
	struct fastipc_msg *hangup;

	if (fastipc_connection_buffer(conn))
		return -EEXIST;
	hangup = fastipc_msg_alloc_hangup();
	if (!hangup)
		return -ENOMEM;
	buf = fastipc_buffer_create(conn->user, size);
	if (IS_ERR(buf)) {
		fastipc_msg_free_spare(hangup);
		return PTR_ERR(buf);
	}

	spin_lock(&ep->lock);
	if (conn->buffer) {
		spin_unlock(&ep->lock);
		fastipc_buffer_put(buf);
		fastipc_msg_free_spare(hangup);
		return -EEXIST;
	}
	conn->hangup = hangup;
	/* Pairs with fastipc_connection_buffer(): readers see it whole. */
	smp_store_release(&conn->buffer, buf);
	spin_unlock(&ep->lock);
	return 0;
}

/* The connection's buffer, referenced, for its own mmap; NULL if none. */
struct fastipc_buffer *fastipc_connection_buffer_get(struct fastipc_connection *conn)
{
	struct fastipc_buffer *buf = fastipc_connection_buffer(conn);

	if (buf) {
		refcount_inc(&buf->refs);
		refcount_inc(&buf->creator_refs);
	}
	return buf;
}

/*
 * The buffer of @ep's connection @conn_id, for the endpoint's mmap: its
 * pages referenced, its charge left to the connection's side.
 */
struct fastipc_buffer *fastipc_endpoint_buffer_get(struct fastipc_endpoint *ep, u64 conn_id)
{
	struct fastipc_connection *conn;
	struct fastipc_buffer *buf = NULL;

	spin_lock(&ep->lock);
	list_for_each_entry(conn, &ep->connections, ep_node) {
		if (conn->id == conn_id && conn->buffer) {
			buf = conn->buffer;
			refcount_inc(&buf->refs);
			break;
		}
	}
	spin_unlock(&ep->lock);
	return buf;
}

__poll_t fastipc_connection_poll_mask(struct fastipc_connection *conn)
{
	struct fastipc_endpoint *ep = conn->ep;
	__poll_t mask = 0;

	if (READ_ONCE(ep->dead))
		mask |= EPOLLHUP;
	else if (READ_ONCE(ep->nr_queued) < fastipc_limit(FASTIPC_LIMIT_QUEUE_DEPTH))
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (!list_empty_careful(&conn->finished))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

void fastipc_endpoint_show(struct seq_file *m, struct fastipc_endpoint *ep)
{
	spin_lock(&ep->lock);
	seq_printf(m, "endpoint_id:\t%llu\n", ep->id);
	seq_printf(m, "name:\t%s\n", ep->name[0] ? ep->name : "(anonymous)");
	seq_printf(m, "mode:\t%04o\n", ep->mode);
	seq_printf(m, "queued:\t%u\n", ep->nr_queued);
	seq_printf(m, "receivers:\t%u\n", ep->nr_files);
	seq_printf(m, "connections:\t%u\n", ep->nr_connections);
	seq_printf(m, "sent:\t%llu\n", ep->stats.sent);
	seq_printf(m, "received:\t%llu\n", ep->stats.received);
	seq_printf(m, "replied:\t%llu\n", ep->stats.replied);
	seq_printf(m, "replies_dropped:\t%llu\n", ep->stats.replies_dropped);
	seq_printf(m, "withdrawn:\t%llu\n", ep->stats.withdrawn);
	spin_unlock(&ep->lock);
}

/* What STAT and the netlink dump report, ids as the caller sees them. */
void fastipc_endpoint_stat(struct fastipc_endpoint *ep, struct fastipc_endpoint_stat *st)
{
	struct user_namespace *ns = current_user_ns();

	spin_lock(&ep->lock);
	st->flags = READ_ONCE(ep->persistent) ? FASTIPC_ENDPOINT_PERSISTENT : 0;
	st->mode = ep->mode;
	st->uid = from_kuid_munged(ns, ep->uid);
	st->gid = from_kgid_munged(ns, ep->gid);
	st->cuid = from_kuid_munged(ns, ep->cuid);
	st->cgid = from_kgid_munged(ns, ep->cgid);
	st->queued = ep->nr_queued;
	st->receivers = ep->nr_files;
	st->connections = ep->nr_connections;
	st->__reserved = 0;
	st->id = ep->id;
	st->sent = ep->stats.sent;
	st->received = ep->stats.received;
	st->replied = ep->stats.replied;
	st->replies_dropped = ep->stats.replies_dropped;
	st->withdrawn = ep->stats.withdrawn;
	spin_unlock(&ep->lock);
}

/* SET: the caller's right to it is checked here, after the arguments. */
int fastipc_endpoint_set(struct fastipc_endpoint *ep, const struct fastipc_endpoint_set *set)
{
	struct user_namespace *ns = current_user_ns();
	kuid_t uid = make_kuid(ns, set->uid);
	kgid_t gid = make_kgid(ns, set->gid);
	int ret;

	if ((set->flags & FASTIPC_SET_UID && !uid_valid(uid)) ||
	    (set->flags & FASTIPC_SET_GID && !gid_valid(gid)))
		return -EINVAL;
	ret = fastipc_perm_may_change(ep);
	if (ret)
		return ret;

	spin_lock(&ep->lock);
	if (set->flags & FASTIPC_SET_UID)
		ep->uid = uid;
	if (set->flags & FASTIPC_SET_GID)
		ep->gid = gid;
	if (set->flags & FASTIPC_SET_MODE)
		ep->mode = set->mode;
	spin_unlock(&ep->lock);
	return 0;
}

void fastipc_connection_show(struct seq_file *m, struct fastipc_connection *conn)
{
	struct fastipc_endpoint *ep = conn->ep;
	unsigned int pending = 0, finished = 0;
	struct fastipc_msg *msg;

	spin_lock(&ep->lock);
	list_for_each_entry(msg, &conn->async, async_node)
		pending++;
	list_for_each_entry(msg, &conn->finished, node)
		finished++;
	seq_printf(m, "connection_id:\t%llu\n", conn->id);
	seq_printf(m, "endpoint_id:\t%llu\n", ep->id);
	seq_printf(m, "endpoint_alive:\t%d\n", !ep->dead);
	seq_printf(m, "async_pending:\t%u\n", pending - finished);
	seq_printf(m, "async_finished:\t%u\n", finished);
	spin_unlock(&ep->lock);
}
