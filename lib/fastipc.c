// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fastipc.h"

#define FASTIPC_EXPORT __attribute__((visibility("default")))

static const struct fastipc_timeout fastipc_forever = { .mode = FASTIPC_WAIT_INFINITE };

/* ioctl(2) with the library's return convention. */
static int fastipc_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static uint64_t fastipc_ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/*
 * The buffers this process has mapped through the library: a connection's
 * own (conn_id 0), and on endpoint fds, those of the connections that sent
 * through theirs.  A record is found by fd number, so it can outlive its fd
 * (closed without fastipc_buffer_unmap()) and meet a new one of the same
 * number: the newest record for an fd comes first, a new buffer or a
 * kernel's ENXIO drops the older ones, and no record is ever trusted to
 * unmap memory that it does not know is still its own.
 */
struct fastipc_mapping {
	struct fastipc_mapping *next;
	int fd;
	uint64_t conn_id;
	void *addr;
	size_t size;
	unsigned int refs;	/* the list's and each user's; under the list lock */
	bool gone;		/* unmapped or forgotten; under @use */
	pthread_mutex_t use;	/* held while its pages are used: one message at a time */
};

static struct fastipc_mapping *fastipc_mappings;
static pthread_mutex_t fastipc_mappings_lock = PTHREAD_MUTEX_INITIALIZER;

static void fastipc_mapping_put(struct fastipc_mapping *m)
{
	bool last;

	pthread_mutex_lock(&fastipc_mappings_lock);
	last = !--m->refs;
	pthread_mutex_unlock(&fastipc_mappings_lock);
	if (last) {
		pthread_mutex_destroy(&m->use);
		free(m);
	}
}

/*
 * The mapping of (@fd, @conn_id), referenced and locked for use, or NULL:
 * it cannot be unmapped until fastipc_mapping_done().
 */
static struct fastipc_mapping *fastipc_mapping_use(int fd, uint64_t conn_id)
{
	struct fastipc_mapping *m;

	pthread_mutex_lock(&fastipc_mappings_lock);
	for (m = fastipc_mappings; m; m = m->next)
		if (m->fd == fd && m->conn_id == conn_id)
			break;
	if (m)
		m->refs++;
	pthread_mutex_unlock(&fastipc_mappings_lock);
	if (!m)
		return NULL;
	pthread_mutex_lock(&m->use);
	if (m->gone) {
		pthread_mutex_unlock(&m->use);
		fastipc_mapping_put(m);
		return NULL;
	}
	return m;
}

static void fastipc_mapping_done(struct fastipc_mapping *m)
{
	if (m) {
		pthread_mutex_unlock(&m->use);
		fastipc_mapping_put(m);
	}
}

/*
 * Take off the list the records of @fd that are @addr's or, for a NULL
 * @addr, @conn_id's; wait for their users, then mark them gone.  Returns
 * how many there were.
 */
static int fastipc_mappings_drop(int fd, uint64_t conn_id, const void *addr)
{
	struct fastipc_mapping **link, *m, *dropped = NULL;
	int n = 0;

	pthread_mutex_lock(&fastipc_mappings_lock);
	for (link = &fastipc_mappings; (m = *link);) {
		if (m->fd == fd && (addr ? m->addr == addr : m->conn_id == conn_id)) {
			*link = m->next;
			m->next = dropped;	/* the list's reference goes with it */
			dropped = m;
		} else {
			link = &m->next;
		}
	}
	pthread_mutex_unlock(&fastipc_mappings_lock);
	for (; (m = dropped); n++) {
		dropped = m->next;
		pthread_mutex_lock(&m->use);
		m->gone = true;
		pthread_mutex_unlock(&m->use);
		fastipc_mapping_put(m);
	}
	return n;
}

FASTIPC_EXPORT int fastipc_open(void)
{
	int fd = open(FASTIPC_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

FASTIPC_EXPORT int fastipc_get_info(int ctx, struct fastipc_info *info)
{
	memset(info, 0, sizeof(*info));
	return fastipc_ioctl(ctx, FASTIPC_IOC_GET_INFO, info);
}

FASTIPC_EXPORT int fastipc_endpoint_create(int ctx, const char *name, mode_t mode)
{
	struct fastipc_endpoint_create req = {
		.mode = mode,
		.name = fastipc_ptr(name),
	};

	return fastipc_ioctl(ctx, FASTIPC_IOC_CREATE_ENDPOINT, &req);
}

FASTIPC_EXPORT int fastipc_endpoint_create_persistent(int ctx, const char *name, mode_t mode)
{
	struct fastipc_endpoint_create req = {
		.flags = FASTIPC_ENDPOINT_PERSISTENT,
		.mode = mode,
		.name = fastipc_ptr(name),
	};

	return fastipc_ioctl(ctx, FASTIPC_IOC_CREATE_ENDPOINT, &req);
}

FASTIPC_EXPORT int fastipc_connect(int ctx, const char *name)
{
	struct fastipc_connect req = { .name = fastipc_ptr(name) };

	if (!name)
		return -EINVAL;
	return fastipc_ioctl(ctx, FASTIPC_IOC_CONNECT, &req);
}

FASTIPC_EXPORT int fastipc_connect_wait(int ctx, const char *name,
					struct fastipc_timeout *timeout)
{
	struct fastipc_connect req = {
		.flags = FASTIPC_CONNECT_WAIT,
		.name = fastipc_ptr(name),
		.timeout = timeout ? *timeout : fastipc_forever,
	};

	if (!name)
		return -EINVAL;
	return fastipc_ioctl(ctx, FASTIPC_IOC_CONNECT, &req);
}

FASTIPC_EXPORT int fastipc_open_endpoint(int ctx, const char *name)
{
	struct fastipc_connect req = { .name = fastipc_ptr(name) };

	if (!name)
		return -EINVAL;
	return fastipc_ioctl(ctx, FASTIPC_IOC_OPEN_ENDPOINT, &req);
}

FASTIPC_EXPORT int fastipc_stat(int fd, const char *name, struct fastipc_endpoint_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->name = fastipc_ptr(name);
	return fastipc_ioctl(fd, FASTIPC_IOC_STAT, st);
}

static int fastipc_set(int fd, const char *name, struct fastipc_endpoint_set *set)
{
	set->name = fastipc_ptr(name);
	return fastipc_ioctl(fd, FASTIPC_IOC_SET, set);
}

FASTIPC_EXPORT int fastipc_chown(int fd, const char *name, uid_t uid, gid_t gid)
{
	struct fastipc_endpoint_set set = { .uid = uid, .gid = gid };

	if (uid != (uid_t)-1)
		set.flags |= FASTIPC_SET_UID;
	if (gid != (gid_t)-1)
		set.flags |= FASTIPC_SET_GID;
	return fastipc_set(fd, name, &set);
}

FASTIPC_EXPORT int fastipc_chmod(int fd, const char *name, mode_t mode)
{
	struct fastipc_endpoint_set set = { .flags = FASTIPC_SET_MODE, .mode = mode };

	return fastipc_set(fd, name, &set);
}

FASTIPC_EXPORT int fastipc_unlink(int ctx, const char *name)
{
	struct fastipc_unlink req = { .name = fastipc_ptr(name) };

	return fastipc_ioctl(ctx, FASTIPC_IOC_UNLINK, &req);
}

FASTIPC_EXPORT int fastipc_connect_endpoint(int ep)
{
	struct fastipc_connect req = { 0 };

	return fastipc_ioctl(ep, FASTIPC_IOC_CONNECT, &req);
}

FASTIPC_EXPORT int fastipc_send(int conn, int64_t type, const void *data, size_t len,
				struct fastipc_timeout *timeout)
{
	struct fastipc_send req = {
		.len = len,
		.type = type,
		.data = fastipc_ptr(data),
		.timeout = timeout ? *timeout : fastipc_forever,
	};
	int ret;

	if (len > UINT32_MAX)
		return -EMSGSIZE;
	ret = fastipc_ioctl(conn, FASTIPC_IOC_SEND, &req);
	if (timeout)
		*timeout = req.timeout;
	return ret;
}

FASTIPC_EXPORT int fastipc_call_raw(int conn, struct fastipc_call *call)
{
	return fastipc_ioctl(conn, FASTIPC_IOC_CALL, call);
}

static uint64_t fastipc_monotonic_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec;
}

/*
 * The bound for a wait that may take more than one ioctl: a relative
 * timeout (NULL: for ever) becomes an absolute deadline.
 */
static struct fastipc_timeout fastipc_bound(const struct fastipc_timeout *timeout)
{
	struct fastipc_timeout bound = timeout ? *timeout : fastipc_forever;

	if (bound.mode == FASTIPC_WAIT_RELATIVE) {
		bound.mode = FASTIPC_WAIT_ABSOLUTE;
		bound.ns += fastipc_monotonic_ns();
	}
	return bound;
}

/* After EINTR: give a relative @timeout what is left of @bound. */
static void fastipc_bound_remaining(const struct fastipc_timeout *bound,
				    struct fastipc_timeout *timeout)
{
	uint64_t now_ns;

	if (!timeout || timeout->mode != FASTIPC_WAIT_RELATIVE)
		return;
	now_ns = fastipc_monotonic_ns();
	timeout->ns = bound->ns > now_ns ? bound->ns - now_ns : 0;
}

/* One bound for a whole call, shared by the send and the reply phase. */
static void fastipc_call_bound(struct fastipc_call *call,
			       const struct fastipc_timeout *timeout)
{
	call->send_timeout = fastipc_bound(timeout);
	call->reply_timeout = call->send_timeout;
	if (call->send_timeout.mode == FASTIPC_WAIT_NONE)
		call->reply_timeout = fastipc_forever;
}

/*
 * A reply the server left in the buffer: copy it out as if it came copied,
 * from @m if the caller has it in use, else from the connection's mapping.
 */
static int fastipc_reply_from_buffer(int conn, struct fastipc_mapping *m, uint64_t offset,
				     uint32_t len, void *reply, size_t capacity)
{
	size_t copy = len < capacity ? len : capacity;
	struct fastipc_mapping *own = m ? NULL : fastipc_mapping_use(conn, 0);

	if (!m && !own)
		return -ENXIO;
	memcpy(reply, (char *)(m ?: own)->addr + offset, copy);
	fastipc_mapping_done(own);
	return copy < len ? -EMSGSIZE : 0;
}

FASTIPC_EXPORT ssize_t fastipc_call(int conn, int64_t type, const void *req, size_t req_len,
				    void *reply, size_t reply_capacity, int64_t *reply_type,
				    struct fastipc_timeout *timeout)
{
	struct fastipc_call call = {
		.len = req_len,
		.type = type,
		.data = fastipc_ptr(req),
		.reply_data = fastipc_ptr(reply),
		.reply_capacity = reply_capacity > UINT32_MAX ? UINT32_MAX : reply_capacity,
	};
	struct fastipc_mapping *m = NULL;
	int ret;

	if (req_len > UINT32_MAX)
		return -EMSGSIZE;
	if (req_len >= FASTIPC_ZEROCOPY_THRESHOLD)
		m = fastipc_mapping_use(conn, 0);
	if (m && req_len <= m->size) {
		memcpy(m->addr, req, req_len);
		call.flags = FASTIPC_CALL_BUFFER;
		call.data = 0;
	} else {
		fastipc_mapping_done(m);
		m = NULL;
	}
	fastipc_call_bound(&call, timeout);
	ret = fastipc_ioctl(conn, FASTIPC_IOC_CALL, &call);
	if (ret == -ENXIO && m) {
		/* The record outlived its connection: this fd has no buffer. */
		fastipc_mapping_done(m);
		m = NULL;
		fastipc_mappings_drop(conn, 0, NULL);
		call.flags = 0;
		call.data = fastipc_ptr(req);
		ret = fastipc_ioctl(conn, FASTIPC_IOC_CALL, &call);
	}
	if (ret == -EINTR)
		fastipc_bound_remaining(&call.reply_timeout, timeout);
	if (!ret && call.reply_flags & FASTIPC_MSG_BUFFER)
		ret = fastipc_reply_from_buffer(conn, m, call.reply_offset, call.reply_len,
						reply, reply_capacity);
	fastipc_mapping_done(m);
	if (ret < 0)
		return ret;
	if (reply_type)
		*reply_type = call.reply_type;
	return call.reply_len;
}

FASTIPC_EXPORT int fastipc_call_async(int conn, int64_t type, const void *req, size_t len,
				      uint64_t *cookie)
{
	struct fastipc_call call = {
		.flags = FASTIPC_CALL_ASYNC,
		.len = len,
		.type = type,
		.data = fastipc_ptr(req),
	};
	int ret;

	if (len > UINT32_MAX)
		return -EMSGSIZE;
	ret = fastipc_ioctl(conn, FASTIPC_IOC_CALL, &call);
	if (!ret)
		*cookie = call.cookie;
	return ret;
}

FASTIPC_EXPORT ssize_t fastipc_collect(int conn, uint64_t *cookie, void *reply,
				       size_t reply_capacity, int64_t *reply_type,
				       struct fastipc_timeout *timeout)
{
	struct fastipc_collect req = {
		.reply_capacity = reply_capacity > UINT32_MAX ? UINT32_MAX : reply_capacity,
		.cookie = *cookie,
		.reply_data = fastipc_ptr(reply),
		.timeout = timeout ? *timeout : fastipc_forever,
	};
	int ret;

	ret = fastipc_ioctl(conn, FASTIPC_IOC_COLLECT, &req);
	if (timeout)
		*timeout = req.timeout;
	if (ret == 0 || ret == -EPIPE || ret == -EMSGSIZE)
		*cookie = req.cookie;
	if (!ret && req.reply_flags & FASTIPC_MSG_BUFFER)
		ret = fastipc_reply_from_buffer(conn, NULL, req.reply_offset, req.reply_len,
						reply, reply_capacity);
	if (ret < 0)
		return ret;
	if (reply_type)
		*reply_type = req.reply_type;
	return req.reply_len;
}

FASTIPC_EXPORT int fastipc_recv_raw(int ep, struct fastipc_recv *recv)
{
	return fastipc_ioctl(ep, FASTIPC_IOC_RECV, recv);
}

/*
 * A received message's payload in its sender's buffer: map that on first
 * use.  A hangup ends the connection: drop its mapping.  Gives the mapping
 * in use (see fastipc_mapping_done()), or NULL after a hangup.
 */
static int fastipc_sender_buffer(int ep, const struct fastipc_msg_info *info,
				 struct fastipc_mapping **mapping)
{
	struct fastipc_mapping *m = fastipc_mapping_use(ep, info->conn_id);
	void *addr;
	size_t size;
	int ret;

	*mapping = NULL;
	if (info->flags & FASTIPC_MSG_HANGUP) {
		if (!m)
			return 0;
		addr = m->addr;
		size = m->size;
		fastipc_mapping_done(m);
		/* Only the one that takes the record off the list unmaps. */
		if (fastipc_mappings_drop(ep, 0, addr))
			munmap(addr, size);
		return 0;
	}
	if (!m) {
		ret = fastipc_buffer_map(ep, info->conn_id, info->buffer_size, &addr);
		if (ret)
			return ret;
		m = fastipc_mapping_use(ep, info->conn_id);
	}
	*mapping = m;
	return m ? 0 : -ENXIO;
}

FASTIPC_EXPORT ssize_t fastipc_recv(int ep, int64_t type, void *buf, size_t capacity,
				    struct fastipc_msg_info *info,
				    struct fastipc_timeout *timeout)
{
	/* A swallowed hangup must not start a relative timeout over. */
	struct fastipc_recv req = {
		.capacity = capacity > UINT32_MAX ? UINT32_MAX : capacity,
		.type = type,
		.data = fastipc_ptr(buf),
		.timeout = fastipc_bound(timeout),
	};
	struct fastipc_mapping *m;
	int ret;

	for (;;) {
		ret = fastipc_ioctl(ep, FASTIPC_IOC_RECV, &req);
		if (ret || !(req.msg.flags & (FASTIPC_MSG_BUFFER | FASTIPC_MSG_HANGUP)))
			break;
		ret = fastipc_sender_buffer(ep, &req.msg, &m);
		if (ret)
			break;
		if (!m)
			continue;	/* a hangup: nothing for the caller */
		if (req.msg.len > capacity) {
			ret = -EMSGSIZE;	/* unlike a copied one, it is gone */
		} else {
			memcpy(buf, (char *)m->addr + req.msg.offset, req.msg.len);
			req.msg.flags &= ~FASTIPC_MSG_BUFFER;
		}
		fastipc_mapping_done(m);
		break;
	}
	if (ret == -EINTR)
		fastipc_bound_remaining(&req.timeout, timeout);
	if (info)
		*info = req.msg;
	return ret < 0 ? ret : (ssize_t)req.msg.len;
}

FASTIPC_EXPORT int fastipc_reply(int ep, uint64_t token, int64_t type, const void *data,
				 size_t len)
{
	struct fastipc_reply req = {
		.len = len,
		.type = type,
		.data = fastipc_ptr(data),
		.token = token,
	};

	if (len > UINT32_MAX)
		return -EMSGSIZE;
	return fastipc_ioctl(ep, FASTIPC_IOC_REPLY, &req);
}

FASTIPC_EXPORT int fastipc_reply_recv(int ep, struct fastipc_reply_recv *rr)
{
	return fastipc_ioctl(ep, FASTIPC_IOC_REPLY_RECV, rr);
}

FASTIPC_EXPORT int fastipc_serve(int ep, size_t capacity, fastipc_handler_fn handler,
				 void *arg)
{
	struct fastipc_reply_recv rr = { 0 };
	struct fastipc_mapping *m;
	bool in_buffer;
	int64_t reply_type;
	void *req, *reply;
	ssize_t len;
	int ret;

	if (capacity > UINT32_MAX)
		capacity = UINT32_MAX;
	req = malloc(capacity);
	reply = malloc(capacity);
	if (!req || !reply) {
		ret = -ENOMEM;
		goto out;
	}
	rr.recv.data = fastipc_ptr(req);
	rr.recv.capacity = capacity;
	for (;;) {
		ret = fastipc_reply_recv(ep, &rr);
		rr.reply.token = 0;
		if (ret == -EINTR)
			continue;
		if (ret < 0)
			break;
		in_buffer = false;
		if (rr.recv.msg.flags & (FASTIPC_MSG_BUFFER | FASTIPC_MSG_HANGUP)) {
			ret = fastipc_sender_buffer(ep, &rr.recv.msg, &m);
			if (ret)
				break;
			if (m && rr.recv.msg.len <= capacity)
				memcpy(req, (char *)m->addr + rr.recv.msg.offset, rr.recv.msg.len);
			in_buffer = m && rr.recv.msg.len <= capacity;
			fastipc_mapping_done(m);
			if (!in_buffer)
				continue;	/* a hangup, or too big for the handler */
		}
		reply_type = 0;
		len = handler(arg, &rr.recv.msg, req, reply, capacity, &reply_type);
		if (len < 0) {
			ret = len;
			break;
		}
		if (!(rr.recv.msg.flags & FASTIPC_MSG_CALL))
			continue;
		rr.reply.token = rr.recv.msg.token;
		rr.reply.type = reply_type;
		rr.reply.len = len;
		rr.reply.flags = 0;
		rr.reply.data = fastipc_ptr(reply);
		/* A call that came through the buffer is answered through it. */
		m = in_buffer && (size_t)len >= FASTIPC_ZEROCOPY_THRESHOLD ?
		    fastipc_mapping_use(ep, rr.recv.msg.conn_id) : NULL;
		if (m && (size_t)len <= m->size) {
			memcpy(m->addr, reply, len);
			rr.reply.flags = FASTIPC_REPLY_BUFFER;
			rr.reply.data = 0;
		}
		fastipc_mapping_done(m);
	}
out:
	free(req);
	free(reply);
	return ret;
}

FASTIPC_EXPORT int fastipc_buffer_create(int conn, size_t size)
{
	struct fastipc_buffer_create req = { .size = size };
	int ret;

	ret = fastipc_ioctl(conn, FASTIPC_IOC_BUFFER_CREATE, &req);
	/* A record for this fd left by a connection closed unmapped is stale. */
	if (!ret)
		fastipc_mappings_drop(conn, 0, NULL);
	return ret;
}

FASTIPC_EXPORT int fastipc_buffer_map(int fd, uint64_t conn_id, size_t size, void **addr)
{
	struct fastipc_mapping *m;
	void *p;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)conn_id * sysconf(_SC_PAGESIZE));
	if (p == MAP_FAILED) {
		free(m);
		return -errno;
	}
	m->fd = fd;
	m->conn_id = conn_id;
	m->addr = p;
	m->size = size;
	m->refs = 1;
	pthread_mutex_init(&m->use, NULL);
	pthread_mutex_lock(&fastipc_mappings_lock);
	m->next = fastipc_mappings;
	fastipc_mappings = m;
	pthread_mutex_unlock(&fastipc_mappings_lock);
	*addr = p;
	return 0;
}

/* Waits for the library's own use of the mapping (a call in flight) to end. */
FASTIPC_EXPORT int fastipc_buffer_unmap(int fd, void *addr, size_t size)
{
	fastipc_mappings_drop(fd, 0, addr);
	return munmap(addr, size) ? -errno : 0;
}

FASTIPC_EXPORT int fastipc_send_buffer(int conn, int64_t type, size_t offset, size_t len,
				       struct fastipc_timeout *timeout)
{
	struct fastipc_send req = {
		.flags = FASTIPC_SEND_BUFFER,
		.len = len,
		.type = type,
		.data = offset,
		.timeout = timeout ? *timeout : fastipc_forever,
	};
	int ret;

	if (len > UINT32_MAX)
		return -EINVAL;
	ret = fastipc_ioctl(conn, FASTIPC_IOC_SEND, &req);
	if (timeout)
		*timeout = req.timeout;
	return ret;
}

FASTIPC_EXPORT ssize_t fastipc_call_buffer(int conn, int64_t type, size_t offset, size_t len,
					   void *reply, size_t reply_capacity,
					   uint64_t *reply_offset,
					   struct fastipc_timeout *timeout)
{
	struct fastipc_call call = {
		.flags = FASTIPC_CALL_BUFFER,
		.len = len,
		.type = type,
		.data = offset,
		.reply_data = fastipc_ptr(reply),
		.reply_capacity = reply_capacity > UINT32_MAX ? UINT32_MAX : reply_capacity,
	};
	int ret;

	if (len > UINT32_MAX)
		return -EINVAL;
	fastipc_call_bound(&call, timeout);
	ret = fastipc_ioctl(conn, FASTIPC_IOC_CALL, &call);
	if (ret == -EINTR)
		fastipc_bound_remaining(&call.reply_timeout, timeout);
	if (ret < 0)
		return ret;
	*reply_offset = call.reply_flags & FASTIPC_MSG_BUFFER ? call.reply_offset : (uint64_t)-1;
	return call.reply_len;
}

FASTIPC_EXPORT int fastipc_reply_buffer(int ep, uint64_t token, int64_t type, size_t offset,
					size_t len)
{
	struct fastipc_reply req = {
		.flags = FASTIPC_REPLY_BUFFER,
		.len = len,
		.type = type,
		.data = offset,
		.token = token,
	};

	if (len > UINT32_MAX)
		return -EINVAL;
	return fastipc_ioctl(ep, FASTIPC_IOC_REPLY, &req);
}

FASTIPC_EXPORT const char *fastipc_version(void)
{
	return FASTIPC_LIB_VERSION;
}
