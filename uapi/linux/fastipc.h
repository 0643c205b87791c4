/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * fastipc: message-passing IPC through /dev/fastipc.
 *
 * Opening /dev/fastipc gives a context.  Every operation is an ioctl on a
 * context, endpoint or connection file descriptor, taking one struct.
 *
 * ABI rules, for every struct below:
 *
 * - Fixed-width types only, natural alignment, explicit padding; pointers
 *   travel as __u64.  The layout is the same for 32- and 64-bit callers.
 * - The struct's size travels in the ioctl number (_IOC_SIZE).  A caller built
 *   against an older header passes a shorter struct and the kernel zero-fills
 *   what it lacks; a caller built against a newer header passes a longer one,
 *   accepted only if every byte the kernel does not know is zero (E2BIG
 *   otherwise).  Fields are only ever appended.
 * - Every flags field has a _ALL mask; unknown bits give EINVAL.  Reserved and
 *   padding fields must be zero (EINVAL).  An unknown ioctl gives ENOTTY.
 * - Errors are checked in one fixed order, documented per ioctl: the ioctl
 *   number (ENOTTY), the struct size (EINVAL), copying it in (EFAULT, E2BIG),
 *   then its fields in declaration order.
 */
#ifndef _UAPI_LINUX_FASTIPC_H
#define _UAPI_LINUX_FASTIPC_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define FASTIPC_DEVICE_PATH	"/dev/fastipc"

/* Bumped on an incompatible change; features are announced in the mask. */
#define FASTIPC_ABI_VERSION	1

/* Endpoints, connections, send / call / receive / reply, async calls. */
#define FASTIPC_FEATURE_MESSAGES	_BITULL(0)
/* Permissions, OPEN_ENDPOINT, STAT, SET, UNLINK, persistent endpoints,
 * waiting for a name, the "fastipc" generic netlink family.
 */
#define FASTIPC_FEATURE_NAMING		_BITULL(1)
/* Page-mapped connection buffers: BUFFER_CREATE, mmap, *_BUFFER flags. */
#define FASTIPC_FEATURE_BUFFERS		_BITULL(2)
#define FASTIPC_FEATURES_ALL		(FASTIPC_FEATURE_MESSAGES | FASTIPC_FEATURE_NAMING | \
					 FASTIPC_FEATURE_BUFFERS)

/* An endpoint name's longest length, its terminating NUL included. */
#define FASTIPC_NAME_MAX	64

/**
 * struct fastipc_info - what the module offers (FASTIPC_IOC_GET_INFO)
 * @flags: in: must be 0 (no flag is defined yet).
 * @abi_version: out: %FASTIPC_ABI_VERSION of the running module.
 * @features: out: the optional features the module implements.
 * @max_msg_size: out: the largest message payload, in bytes.
 * @queue_depth: out: how many messages an endpoint queues before senders
 *	block.
 * @max_endpoints: out: endpoints one user may own at once.
 * @__reserved: must be 0.
 * @max_queued_bytes: out: payload bytes the endpoints of one user may hold
 *	queued at once.
 * @max_buffer_bytes: out: buffer bytes one user may hold at once.
 * @spin_ns: out: the longest a CALL or RECV polls for its answer before
 *	it sleeps (the spin_ns module parameter; 0: never).
 * @__reserved2: must be 0.
 *
 * The limits are module parameters, writable at run time by root; this
 * reports their values at the time of the call.
 */
struct fastipc_info {
	__u32 flags;
	__u32 abi_version;
	__u64 features;
	__u32 max_msg_size;
	__u32 queue_depth;
	__u32 max_endpoints;
	__u32 __reserved;
	__u64 max_queued_bytes;
	__u64 max_buffer_bytes;
	__u32 spin_ns;
	__u32 __reserved2;
};

#define FASTIPC_INFO_FLAGS_ALL	0U
#define FASTIPC_INFO_SIZE_VER0	48

/*
 * How long a blocking operation may wait.  A zeroed struct waits for ever,
 * as blocking I/O does.  On an fd set O_NONBLOCK, waits for room in a queue
 * and for a message never block, whatever the struct says; a CALL still waits
 * for its reply as its reply_timeout says.
 */
enum fastipc_wait_mode {
	FASTIPC_WAIT_INFINITE = 0,	/* until done; @ns must be 0 */
	FASTIPC_WAIT_NONE = 1,		/* never: EAGAIN at once; @ns must be 0 */
	FASTIPC_WAIT_RELATIVE = 2,	/* @ns nanoseconds from the call */
	FASTIPC_WAIT_ABSOLUTE = 3,	/* until CLOCK_MONOTONIC reads @ns */
};

/**
 * struct fastipc_timeout - the bound on one wait
 * @ns: see &enum fastipc_wait_mode.  When a signal ends a relative wait with
 *	EINTR, the kernel rewrites @ns with the time that was left, so the
 *	caller can resume with the same struct.
 * @mode: an &enum fastipc_wait_mode.
 * @__reserved: must be 0.
 *
 * A wait that runs out fails with ETIMEDOUT; one that may not wait fails
 * with EAGAIN; a signal ends it with EINTR (never restarted: a call must not
 * be sent twice).
 */
struct fastipc_timeout {
	__u64 ns;
	__u32 mode;
	__u32 __reserved;
};

/**
 * struct fastipc_endpoint_create - FASTIPC_IOC_CREATE_ENDPOINT
 * @flags: %FASTIPC_ENDPOINT_PERSISTENT: the endpoint, its name and its queued
 *	messages outlive the creator's fds until FASTIPC_IOC_UNLINK (needs a
 *	name).  The module cannot be unloaded while one exists.
 * @mode: permission bits (at most 0777) for those who find the endpoint by
 *	name, as for a file: write permission lets one connect (send, call),
 *	read permission lets one open the endpoint as another receiver.  Owner
 *	bits apply to the owner and the creator, group bits to members of the
 *	owner's or creator's group, other bits to the rest; CAP_IPC_OWNER
 *	overrides.  The creator's umask is applied.  Fds already made keep
 *	working after a change, as open files do.
 * @name: user address of a NUL-terminated name, or 0 for an anonymous
 *	endpoint, reachable only through its fd.  A name has 1 to
 *	FASTIPC_NAME_MAX - 1 characters from [A-Za-z0-9._:@/-] and is unique
 *	within the caller's IPC namespace.
 */
struct fastipc_endpoint_create {
	__u32 flags;
	__u32 mode;
	__u64 name;
};

#define FASTIPC_ENDPOINT_PERSISTENT	_BITUL(0)
#define FASTIPC_ENDPOINT_FLAGS_ALL	FASTIPC_ENDPOINT_PERSISTENT
#define FASTIPC_ENDPOINT_CREATE_SIZE_VER0	16

/**
 * struct fastipc_connect - FASTIPC_IOC_CONNECT and FASTIPC_IOC_OPEN_ENDPOINT
 * @flags: %FASTIPC_CONNECT_WAIT: if no endpoint has the name yet, wait for
 *	one to be created, within @timeout.
 * @__reserved: must be 0.
 * @name: on a context fd, the user address of the endpoint's name; on an
 *	endpoint fd (CONNECT only), 0: the connection goes to that endpoint.
 * @timeout: with %FASTIPC_CONNECT_WAIT, how long to wait for the name.  This
 *	ioctl writes nothing back, so after EINTR a relative timeout starts
 *	over; use %FASTIPC_WAIT_ABSOLUTE to resume against one deadline.
 */
struct fastipc_connect {
	__u32 flags;
	__u32 __reserved;
	__u64 name;
	struct fastipc_timeout timeout;
};

#define FASTIPC_CONNECT_WAIT		_BITUL(0)
#define FASTIPC_CONNECT_FLAGS_ALL	FASTIPC_CONNECT_WAIT
#define FASTIPC_CONNECT_SIZE_VER0	32

/**
 * struct fastipc_msg_info - what a receiver learns of a message
 * @type: the type its sender gave it.
 * @token: a call's reply token, single-use, valid on this endpoint only;
 *	0 for a one-way message.
 * @conn_id: the id of the connection it came through, unique while the
 *	module is loaded; the sender cannot choose it.
 * @pid: the sender's process id in the receiver's pid namespace (0 if the
 *	sender is not visible there or has exited).
 * @tid: the sender's thread id, likewise.
 * @uid: the sender's effective uid in the receiver's user namespace.
 * @gid: the sender's effective gid, likewise.
 * @len: the payload's length in bytes.
 * @flags: %FASTIPC_MSG_CALL for a call; %FASTIPC_MSG_BUFFER when the
 *	payload lies in the sending connection's buffer at @offset (map it with
 *	mmap() on the endpoint fd, at file offset @conn_id * page size) instead
 *	of having been copied; %FASTIPC_MSG_HANGUP for the last message of a
 *	connection that had a buffer: it closed, and its buffer may be unmapped
 *	(a hangup is taken by any receiver, whatever the type it asks for).
 * @offset: with %FASTIPC_MSG_BUFFER, where the payload starts in the buffer.
 * @buffer_size: with %FASTIPC_MSG_BUFFER, the size of the buffer (what a
 *	mapping of it must span).
 */
struct fastipc_msg_info {
	__s64 type;
	__u64 token;
	__u64 conn_id;
	__s32 pid;
	__s32 tid;
	__u32 uid;
	__u32 gid;
	__u32 len;
	__u32 flags;
	__u64 offset;
	__u64 buffer_size;
};

#define FASTIPC_MSG_CALL	_BITUL(0)
#define FASTIPC_MSG_BUFFER	_BITUL(1)
#define FASTIPC_MSG_HANGUP	_BITUL(2)

/**
 * struct fastipc_send - FASTIPC_IOC_SEND, a one-way message
 * @flags: %FASTIPC_SEND_BUFFER: the payload is @len bytes at offset @data
 *	of the connection's buffer, and is not copied.
 * @len: payload length, at most the max_msg_size limit (or, in the buffer,
 *	the buffer's size).
 * @type: the message type, >= 0, for selective receive.
 * @data: user address of the payload (or its offset in the buffer).
 * @timeout: how long to wait while the endpoint's queue is full.
 */
struct fastipc_send {
	__u32 flags;
	__u32 len;
	__s64 type;
	__u64 data;
	struct fastipc_timeout timeout;
};

#define FASTIPC_SEND_BUFFER	_BITUL(0)
#define FASTIPC_SEND_FLAGS_ALL	FASTIPC_SEND_BUFFER
#define FASTIPC_SEND_SIZE_VER0	40

/**
 * struct fastipc_call - FASTIPC_IOC_CALL, a request and its reply
 * @flags: %FASTIPC_CALL_ASYNC returns once the request is queued; the reply
 *	is collected later with FASTIPC_IOC_COLLECT.  %FASTIPC_CALL_BUFFER: the
 *	request lies in the connection's buffer, at offset @data.
 *	%FASTIPC_CALL_SPIN: before sleeping, poll for the reply for all of
 *	the spin_ns limit, however long recent replies took (without it, a
 *	caller polls as long as recent replies suggest; see fastipc(7)).
 * @len: request length, at most the max_msg_size limit.
 * @type: request type, >= 0.
 * @data: user address of the request.
 * @reply_data: user address of the reply buffer.
 * @reply_capacity: its size in bytes.
 * @reply_len: out: the reply's full length, also when it did not fit.
 * @reply_type: out: the type the server gave the reply.
 * @cookie: out: for an async call, the value that names it to COLLECT.
 * @send_timeout: how long the request may wait for room in the queue and,
 *	once queued, for a receiver to take it; %FASTIPC_WAIT_NONE only refuses
 *	to wait for room.
 * @reply_timeout: how long to wait for the reply once a receiver took the
 *	request (relative mode counts from that moment); never
 *	%FASTIPC_WAIT_NONE for a synchronous call.
 * @reply_offset: out: with %FASTIPC_MSG_BUFFER in @reply_flags, the reply
 *	lies in the connection's buffer at this offset (nothing was copied to
 *	@reply_data).
 * @reply_flags: out: %FASTIPC_MSG_BUFFER or 0.
 * @__reserved: must be 0.
 *
 * A call that times out or is interrupted is withdrawn: if no receiver took
 * it yet it is gone, else the server's later reply is dropped (and its REPLY
 * fails with ECANCELED).  The caller gets exactly one outcome.
 */
struct fastipc_call {
	__u32 flags;
	__u32 len;
	__s64 type;
	__u64 data;
	__u64 reply_data;
	__u32 reply_capacity;
	__u32 reply_len;
	__s64 reply_type;
	__u64 cookie;
	struct fastipc_timeout send_timeout;
	struct fastipc_timeout reply_timeout;
	__u64 reply_offset;
	__u32 reply_flags;
	__u32 __reserved;
};

#define FASTIPC_CALL_ASYNC	_BITUL(0)
#define FASTIPC_CALL_BUFFER	_BITUL(1)
#define FASTIPC_CALL_SPIN	_BITUL(2)
#define FASTIPC_CALL_FLAGS_ALL	(FASTIPC_CALL_ASYNC | FASTIPC_CALL_BUFFER | FASTIPC_CALL_SPIN)
#define FASTIPC_CALL_SIZE_VER0	104

/**
 * struct fastipc_collect - FASTIPC_IOC_COLLECT, an async call's outcome
 * @flags: must be 0 (no flag is defined yet).
 * @reply_capacity: size of the reply buffer.
 * @cookie: in: the call to collect, or 0 for whichever finished first;
 *	out: the call collected.
 * @reply_data: user address of the reply buffer.
 * @reply_len: out: the reply's full length.
 * @__reserved: must be 0.
 * @reply_type: out: the reply's type.
 * @timeout: how long to wait for a reply.
 * @reply_offset: out: as for FASTIPC_IOC_CALL.
 * @reply_flags: out: as for FASTIPC_IOC_CALL.
 * @__reserved2: must be 0.
 */
struct fastipc_collect {
	__u32 flags;
	__u32 reply_capacity;
	__u64 cookie;
	__u64 reply_data;
	__u32 reply_len;
	__u32 __reserved;
	__s64 reply_type;
	struct fastipc_timeout timeout;
	__u64 reply_offset;
	__u32 reply_flags;
	__u32 __reserved2;
};

#define FASTIPC_COLLECT_FLAGS_ALL	0U
#define FASTIPC_COLLECT_SIZE_VER0	72

/**
 * struct fastipc_recv - FASTIPC_IOC_RECV
 * @flags: %FASTIPC_RECV_EXCEPT takes the first message whose type is not
 *	@type (which must then be > 0).  %FASTIPC_RECV_SPIN: before sleeping,
 *	poll for a message for all of the spin_ns limit, however long recent
 *	waits were (without it, as long as they suggest; see fastipc(7)).
 * @capacity: size of the buffer at @data.
 * @type: which message, as System V msgrcv() chooses: 0 the first; > 0 the
 *	first of exactly this type; < 0 the first of the lowest type <= -@type.
 * @data: user address of the buffer for the payload.
 * @timeout: how long to wait for a message.
 * @msg: out: the message's header.  On EMSGSIZE, @msg.len tells the size
 *	needed and the message stays queued.
 */
struct fastipc_recv {
	__u32 flags;
	__u32 capacity;
	__s64 type;
	__u64 data;
	struct fastipc_timeout timeout;
	struct fastipc_msg_info msg;
};

#define FASTIPC_RECV_EXCEPT	_BITUL(0)
#define FASTIPC_RECV_SPIN	_BITUL(1)
#define FASTIPC_RECV_FLAGS_ALL	(FASTIPC_RECV_EXCEPT | FASTIPC_RECV_SPIN)
#define FASTIPC_RECV_SIZE_VER0	104

/**
 * struct fastipc_reply - FASTIPC_IOC_REPLY
 * @flags: %FASTIPC_REPLY_BUFFER: the reply is @len bytes at offset @data of
 *	the caller's connection buffer (as the endpoint maps it), not copied.
 * @len: reply length, at most the max_msg_size limit (or, in the buffer,
 *	the buffer's size).
 * @type: reply type, >= 0.
 * @data: user address of the reply (or its offset in the buffer).
 * @token: the token RECV gave with the call.
 */
struct fastipc_reply {
	__u32 flags;
	__u32 len;
	__s64 type;
	__u64 data;
	__u64 token;
};

#define FASTIPC_REPLY_BUFFER	_BITUL(0)
#define FASTIPC_REPLY_FLAGS_ALL	FASTIPC_REPLY_BUFFER
#define FASTIPC_REPLY_SIZE_VER0	32

/**
 * struct fastipc_reply_recv - FASTIPC_IOC_REPLY_RECV, a server loop's turn
 * @reply: as for FASTIPC_IOC_REPLY; a zero @reply.token sends no reply.
 * @recv: as for FASTIPC_IOC_RECV.
 * @reply_error: out: 0, or the negative errno REPLY alone would have
 *	returned; the receive happens either way.
 * @__reserved: must be 0.
 */
struct fastipc_reply_recv {
	struct fastipc_reply reply;
	struct fastipc_recv recv;
	__s32 reply_error;
	__u32 __reserved;
};

#define FASTIPC_REPLY_RECV_SIZE_VER0	144

/**
 * struct fastipc_endpoint_stat - FASTIPC_IOC_STAT, what anyone who can see
 *	an endpoint may know of it
 * @name: in: on a context fd, the user address of the name; on an endpoint
 *	fd, 0.
 * @flags: in: must be 0.  out: %FASTIPC_ENDPOINT_PERSISTENT if it is.
 * @mode: permission bits.
 * @uid: owner, in the caller's user namespace (65534 if unmapped).
 * @gid: owner's group.
 * @cuid: creator.
 * @cgid: creator's group.
 * @queued: messages waiting.
 * @receivers: open endpoint fds (not counting dup()s), plus one while a
 *	persistent endpoint is held by its name.
 * @connections: open connections.
 * @__reserved: must be 0.
 * @id: unique while the module is loaded.
 * @sent: messages queued to it so far.
 * @received: messages taken from it.
 * @replied: calls answered.
 * @replies_dropped: replies to calls whose caller had given up.
 * @withdrawn: calls their caller gave up on (timeout, signal, close, death).
 */
struct fastipc_endpoint_stat {
	__u64 name;
	__u32 flags;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 cuid;
	__u32 cgid;
	__u32 queued;
	__u32 receivers;
	__u32 connections;
	__u32 __reserved;
	__u64 id;
	__u64 sent;
	__u64 received;
	__u64 replied;
	__u64 replies_dropped;
	__u64 withdrawn;
};

#define FASTIPC_STAT_SIZE_VER0	96

/**
 * struct fastipc_endpoint_set - FASTIPC_IOC_SET, for the owner, the creator
 *	or CAP_SYS_ADMIN
 * @name: as for STAT.
 * @flags: which fields to change: %FASTIPC_SET_UID, %FASTIPC_SET_GID,
 *	%FASTIPC_SET_MODE.
 * @uid: the new owner, in the caller's user namespace.
 * @gid: the new group.
 * @mode: the new permission bits (at most 0777; no umask).
 */
struct fastipc_endpoint_set {
	__u64 name;
	__u32 flags;
	__u32 uid;
	__u32 gid;
	__u32 mode;
};

#define FASTIPC_SET_UID		_BITUL(0)
#define FASTIPC_SET_GID		_BITUL(1)
#define FASTIPC_SET_MODE	_BITUL(2)
#define FASTIPC_SET_FLAGS_ALL	(FASTIPC_SET_UID | FASTIPC_SET_GID | FASTIPC_SET_MODE)
#define FASTIPC_SET_SIZE_VER0	24

/**
 * struct fastipc_unlink - FASTIPC_IOC_UNLINK, for the owner, the creator or
 *	CAP_SYS_ADMIN
 * @name: the user address of the name to remove.
 * @flags: must be 0.
 * @__reserved: must be 0.
 *
 * The name goes at once; the endpoint goes on serving its fds (as an
 * unlinked file does).  A persistent endpoint with no fd left dies: its
 * queued calls fail with EPIPE.
 */
struct fastipc_unlink {
	__u64 name;
	__u32 flags;
	__u32 __reserved;
};

#define FASTIPC_UNLINK_FLAGS_ALL	0U
#define FASTIPC_UNLINK_SIZE_VER0	16

/**
 * struct fastipc_buffer_create - FASTIPC_IOC_BUFFER_CREATE, a connection's
 *	page-mapped buffer
 * @flags: must be 0.
 * @__reserved: must be 0.
 * @size: bytes, a multiple of the page size, at most the connection owner's
 *	remaining max_buffer_bytes.
 *
 * The connection's side maps it with mmap(MAP_SHARED, offset 0) on the
 * connection fd, the endpoint's side with mmap(MAP_SHARED, offset conn_id *
 * page size) on an endpoint fd; both mappings must span the whole buffer.
 * The pages belong to the kernel and live until the last mapping and the
 * connection are gone; they count against the connection's user until the
 * connection and its own mappings are gone, and each endpoint-side mapping
 * against the user who made it.  A mapping keeps neither the connection's nor the
 * endpoint's fd open.  The endpoint can map the buffer as long as messages
 * from the connection are queued, even after the connection closed.  Both
 * sides may write: a receiver must treat what it reads there as it would
 * any input from its peer, including changes while it reads.
 */
struct fastipc_buffer_create {
	__u32 flags;
	__u32 __reserved;
	__u64 size;
};

#define FASTIPC_BUFFER_FLAGS_ALL	0U
#define FASTIPC_BUFFER_CREATE_SIZE_VER0	16

#define FASTIPC_IOC_MAGIC	0xB9

/*
 * Each ioctl below lists its errors in the order they are checked.  Every
 * ioctl first gives ENOTTY on the wrong kind of fd, EINVAL for a struct
 * shorter than its _SIZE_VER0, EFAULT when the struct cannot be read (or,
 * for one the ioctl writes back, written: checked before anything happens)
 * and E2BIG for a longer struct with a non-zero byte past the known fields;
 * then:
 *
 * FASTIPC_IOC_GET_INFO (context fd)
 *	EINVAL	unknown flag, or __reserved not 0
 *
 * FASTIPC_IOC_CREATE_ENDPOINT (context fd) - returns the endpoint fd
 *	EINVAL	unknown flag, mode above 0777, or PERSISTENT without a name
 *	EFAULT	the name cannot be read
 *	ENAMETOOLONG	the name has FASTIPC_NAME_MAX characters or more
 *	EINVAL	the name is empty or has a character outside the set
 *	ENOSPC	the caller's user owns max_endpoints endpoints already
 *	ENOMEM
 *	EEXIST	the name is taken in this IPC namespace
 *	EMFILE	the process has no free fd
 *
 * FASTIPC_IOC_CONNECT (context fd: by name; endpoint fd: to that endpoint)
 *	EINVAL	unknown flag, __reserved not 0, or an invalid timeout
 *	EINVAL	on an endpoint fd, a name or CONNECT_WAIT was given; on a
 *		context fd, no name
 *	EFAULT, ENAMETOOLONG, EINVAL	as for the name of CREATE_ENDPOINT
 *	ENOENT	on a context fd, no endpoint has the name in this namespace
 *		(without CONNECT_WAIT)
 *	EAGAIN, ETIMEDOUT, EINTR	CONNECT_WAIT: the name did not appear
 *	EACCES	no write permission on the endpoint
 *	EBADF	on an endpoint fd opened with OPEN_ENDPOINT (or a copy of one):
 *		it carries receiving only; only the creator's fd connects
 *	EMFILE, ENOMEM
 *
 * FASTIPC_IOC_OPEN_ENDPOINT (context fd) - returns another endpoint fd for
 *	the named endpoint: one more receiver
 *	as CONNECT on a context fd, but EACCES means no read permission
 *
 * FASTIPC_IOC_STAT (context fd: by name; endpoint fd: that endpoint)
 *	EINVAL	unknown flag or __reserved not 0; a name on an endpoint fd,
 *		none on a context fd
 *	EFAULT, ENAMETOOLONG, EINVAL	as for the name of CREATE_ENDPOINT
 *	ENOENT	no endpoint has the name in this namespace
 *
 * FASTIPC_IOC_SET (context fd: by name; endpoint fd: that endpoint)
 *	EINVAL	unknown flag, mode above 0777; a name on an endpoint fd, none
 *		on a context fd
 *	EFAULT, ENAMETOOLONG, EINVAL	as for the name of CREATE_ENDPOINT
 *	ENOENT	no endpoint has the name in this namespace
 *	EINVAL	uid or gid has no mapping in the caller's user namespace
 *	EPERM	the caller is not the owner, the creator or CAP_SYS_ADMIN
 *
 * FASTIPC_IOC_UNLINK (context fd)
 *	EINVAL	unknown flag, or __reserved not 0
 *	EFAULT, ENAMETOOLONG, EINVAL	as for the name of CREATE_ENDPOINT
 *	ENOENT	no endpoint has the name in this namespace
 *	EPERM	the caller is not the owner, the creator or CAP_SYS_ADMIN
 *
 * FASTIPC_IOC_SEND (connection fd)
 *	EINVAL	unknown flag, type < 0, or an invalid timeout
 *	EMSGSIZE	len above the max_msg_size limit
 *	ENOMEM
 *	EFAULT	the payload cannot be read
 *	ENOBUFS	the endpoint's owner has max_queued_bytes queued on its
 *		endpoints
 *	EPIPE	the endpoint's last fd was closed
 *	EAGAIN	the queue is full and the call may not wait
 *	ETIMEDOUT	the queue stayed full until the timeout
 *	EINTR	a signal came while waiting for room
 *
 * FASTIPC_IOC_CALL (connection fd)
 *	as SEND (unknown flag: FASTIPC_CALL_FLAGS_ALL; also EINVAL for a
 *	synchronous call whose reply_timeout is FASTIPC_WAIT_NONE: it must
 *	wait for its reply), and for an async call:
 *	EBUSY	the connection has queue_depth async calls not collected yet
 *	then while waiting:
 *	ETIMEDOUT, EINTR	the call was withdrawn (see above)
 *	EPIPE	the endpoint's last fd was closed before the reply
 *	EMSGSIZE	the reply was longer than reply_capacity: the first
 *		reply_capacity bytes were copied and reply_len is its length
 *	EFAULT	the reply cannot be written
 *
 * FASTIPC_IOC_COLLECT (connection fd)
 *	EINVAL	unknown flag, __reserved not 0, or an invalid timeout
 *	ENOENT	cookie names no async call pending on this connection, or
 *		cookie is 0 and none is pending
 *	EAGAIN, ETIMEDOUT, EINTR	no reply yet (the calls stay pending)
 *	EPIPE	the call failed: the endpoint's last fd was closed
 *	EMSGSIZE	the reply is longer than reply_capacity; it stays,
 *		reply_len tells its length
 *	EFAULT	the reply cannot be written (it stays)
 *
 * FASTIPC_IOC_RECV (endpoint fd)
 *	EINVAL	unknown flag, RECV_EXCEPT with type <= 0, invalid timeout
 *	EAGAIN, ETIMEDOUT, EINTR	no message
 *	EMSGSIZE	the message is longer than capacity; it stays queued
 *		and msg.len tells its length
 *	EFAULT	the buffer cannot be written (the message stays queued)
 *
 * FASTIPC_IOC_REPLY (endpoint fd)
 *	EINVAL	unknown flag, token 0, or type < 0
 *	EMSGSIZE	len above the max_msg_size limit
 *	ENOENT	the token is unknown to this endpoint or already used
 *	ECANCELED	the caller has withdrawn the call (timed out, was
 *		interrupted, closed its connection or died); the reply is
 *		dropped and counted
 *	EFAULT	the reply cannot be read (the token stays valid)
 *	ENOMEM
 *
 * FASTIPC_IOC_REPLY_RECV (endpoint fd)
 *	as REPLY (into reply_error, not the return value), then as RECV;
 *	reply_error is written back whatever the outcome
 *
 * FASTIPC_IOC_BUFFER_CREATE (connection fd)
 *	EINVAL	unknown flag, __reserved not 0, size 0, not a multiple of the
 *		page size, or above max_buffer_bytes
 *	EEXIST	the connection has a buffer already
 *	EDQUOT	the connection owner's user would hold more than
 *		max_buffer_bytes of buffers
 *	ENOMEM
 *
 * SEND_BUFFER, CALL_BUFFER, REPLY_BUFFER, in place of EMSGSIZE/EFAULT
 *	ENXIO	the connection (for a reply: the caller's) has no buffer
 *	EINVAL	[offset, offset + len) is not inside the buffer
 *
 * mmap() (connection fd: its buffer, at offset 0; endpoint fd: the buffer
 * of its connection whose id is the page offset)
 *	EINVAL	a connection fd mapped at a non-zero offset
 *	ENXIO	no such buffer
 *	EINVAL	not MAP_SHARED, or not exactly the buffer's size
 *	EPERM	PROT_EXEC
 *	ENOMEM
 *	EDQUOT	endpoint fd: the mapping user would hold more than
 *		max_buffer_bytes of buffers (each such mapping counts whole)
 *	(and later: EINVAL for a partial munmap or mprotect, EACCES for
 *	mprotect(PROT_EXEC), mremap() cannot grow it)
 */
#define FASTIPC_IOC_GET_INFO	_IOWR(FASTIPC_IOC_MAGIC, 0x00, struct fastipc_info)
#define FASTIPC_IOC_CREATE_ENDPOINT	\
	_IOW(FASTIPC_IOC_MAGIC, 0x01, struct fastipc_endpoint_create)
#define FASTIPC_IOC_CONNECT	_IOW(FASTIPC_IOC_MAGIC, 0x02, struct fastipc_connect)
#define FASTIPC_IOC_SEND	_IOWR(FASTIPC_IOC_MAGIC, 0x03, struct fastipc_send)
#define FASTIPC_IOC_CALL	_IOWR(FASTIPC_IOC_MAGIC, 0x04, struct fastipc_call)
#define FASTIPC_IOC_COLLECT	_IOWR(FASTIPC_IOC_MAGIC, 0x05, struct fastipc_collect)
#define FASTIPC_IOC_RECV	_IOWR(FASTIPC_IOC_MAGIC, 0x06, struct fastipc_recv)
#define FASTIPC_IOC_REPLY	_IOWR(FASTIPC_IOC_MAGIC, 0x07, struct fastipc_reply)
#define FASTIPC_IOC_REPLY_RECV	_IOWR(FASTIPC_IOC_MAGIC, 0x08, struct fastipc_reply_recv)
#define FASTIPC_IOC_OPEN_ENDPOINT	_IOW(FASTIPC_IOC_MAGIC, 0x09, struct fastipc_connect)
#define FASTIPC_IOC_STAT	_IOWR(FASTIPC_IOC_MAGIC, 0x0a, struct fastipc_endpoint_stat)
#define FASTIPC_IOC_SET		_IOW(FASTIPC_IOC_MAGIC, 0x0b, struct fastipc_endpoint_set)
#define FASTIPC_IOC_UNLINK	_IOW(FASTIPC_IOC_MAGIC, 0x0c, struct fastipc_unlink)
#define FASTIPC_IOC_BUFFER_CREATE	\
	_IOW(FASTIPC_IOC_MAGIC, 0x0d, struct fastipc_buffer_create)

#endif /* _UAPI_LINUX_FASTIPC_H */
