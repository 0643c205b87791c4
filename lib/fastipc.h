/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libfastipc: a thin C library over the /dev/fastipc ioctls.
 *
 * Every function returns 0 (or a non-negative value: an fd, a length) on
 * success and a negative errno on failure; errno's value afterwards is
 * unspecified.  The
 * errors are those of the ioctl underneath, listed in <linux/fastipc.h> and
 * in the man pages.
 *
 * Timeouts: pass NULL to wait for ever, or a struct fastipc_timeout made
 * with fastipc_timeout_none(), fastipc_timeout_rel() or fastipc_timeout_abs().
 * After EINTR a relative timeout holds the time that was left.
 */
#ifndef FASTIPC_LIB_H
#define FASTIPC_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/fastipc.h>

#ifdef __cplusplus
extern "C" {
#endif

static inline struct fastipc_timeout fastipc_timeout_none(void)
{
	struct fastipc_timeout t = { .ns = 0, .mode = FASTIPC_WAIT_NONE };
	return t;
}

static inline struct fastipc_timeout fastipc_timeout_rel(uint64_t ns)
{
	struct fastipc_timeout t = { .ns = ns, .mode = FASTIPC_WAIT_RELATIVE };
	return t;
}

static inline struct fastipc_timeout fastipc_timeout_abs(uint64_t monotonic_ns)
{
	struct fastipc_timeout t = { .ns = monotonic_ns, .mode = FASTIPC_WAIT_ABSOLUTE };
	return t;
}

/* Open a context on /dev/fastipc (close-on-exec); returns the fd. */
int fastipc_open(void);

/* Fill @info with the module's ABI version, features and limits. */
int fastipc_get_info(int ctx, struct fastipc_info *info);

/*
 * Create an endpoint; @name NULL makes it anonymous.  @mode is the
 * permission of others to connect (write) and receive (read), less the umask.
 * Returns the endpoint fd.
 */
int fastipc_endpoint_create(int ctx, const char *name, mode_t mode);

/*
 * A persistent endpoint: it, its name and its queued messages stay until
 * fastipc_unlink(), after its fds are closed.
 */
int fastipc_endpoint_create_persistent(int ctx, const char *name, mode_t mode);

/* Connect to the endpoint called @name; returns the connection fd. */
int fastipc_connect(int ctx, const char *name);

/* As fastipc_connect(), waiting up to @timeout for the name to appear. */
int fastipc_connect_wait(int ctx, const char *name, struct fastipc_timeout *timeout);

/* Open the endpoint called @name as one more receiver (needs read permission). */
int fastipc_open_endpoint(int ctx, const char *name);

/* Describe an endpoint: by @name on a context, or an endpoint fd (@name NULL). */
int fastipc_stat(int fd, const char *name, struct fastipc_endpoint_stat *st);

/* Change owner and group ((uid_t)-1 / (gid_t)-1: unchanged), as chown(2). */
int fastipc_chown(int fd, const char *name, uid_t uid, gid_t gid);

/* Change the permission bits, as chmod(2). */
int fastipc_chmod(int fd, const char *name, mode_t mode);

/* Remove the name @name (a persistent endpoint with no fd left goes too). */
int fastipc_unlink(int ctx, const char *name);

/* Connect straight to the endpoint behind @ep; returns the connection fd. */
int fastipc_connect_endpoint(int ep);

/* Send a one-way message; waits for room in the queue up to @timeout. */
int fastipc_send(int conn, int64_t type, const void *data, size_t len,
		 struct fastipc_timeout *timeout);

/*
 * Call: send @req and wait for the reply, all within @timeout (NULL: for
 * ever).  Returns the reply's length; -EMSGSIZE if it was longer than
 * @reply_capacity (the first @reply_capacity bytes are there).  @reply_type
 * may be NULL.
 */
ssize_t fastipc_call(int conn, int64_t type, const void *req, size_t req_len,
		     void *reply, size_t reply_capacity, int64_t *reply_type,
		     struct fastipc_timeout *timeout);

/* The whole FASTIPC_IOC_CALL, for separate send and reply bounds. */
int fastipc_call_raw(int conn, struct fastipc_call *call);

/* Send a call and return at once; *@cookie names it to fastipc_collect(). */
int fastipc_call_async(int conn, int64_t type, const void *req, size_t len,
		       uint64_t *cookie);

/*
 * Collect an async call's reply: the one named by *@cookie, or the first to
 * finish if *@cookie is 0 (then set to the call collected).  Returns the
 * reply's length.
 */
ssize_t fastipc_collect(int conn, uint64_t *cookie, void *reply,
			size_t reply_capacity, int64_t *reply_type,
			struct fastipc_timeout *timeout);

/*
 * Receive the next message that @type selects (System V msgrcv() rules; see
 * fastipc_recv(3)).  Returns the payload length and fills @info (may be
 * NULL; a call's reply token is in info->token).
 */
ssize_t fastipc_recv(int ep, int64_t type, void *buf, size_t capacity,
		     struct fastipc_msg_info *info, struct fastipc_timeout *timeout);

/* The whole FASTIPC_IOC_RECV, for flags such as FASTIPC_RECV_EXCEPT. */
int fastipc_recv_raw(int ep, struct fastipc_recv *recv);

/* Answer the call that came with @token. */
int fastipc_reply(int ep, uint64_t token, int64_t type, const void *data,
		  size_t len);

/* Reply (if reply.token is set) and receive, in one system call. */
int fastipc_reply_recv(int ep, struct fastipc_reply_recv *rr);

/*
 * A server's handler: @req is the message, @info its header.  For a call,
 * write the reply to @reply (room: @reply_capacity), set *@reply_type, and
 * return its length; return a negative errno to stop the loop.  For a one-way
 * message the reply is ignored.
 */
typedef ssize_t (*fastipc_handler_fn)(void *arg, const struct fastipc_msg_info *info,
				      const void *req, void *reply,
				      size_t reply_capacity, int64_t *reply_type);

/*
 * Serve the endpoint: receive, hand each message to @handler, send its reply
 * with the next receive.  Messages up to @capacity bytes.  Returns the
 * handler's negative value that stopped it (the message it was handling is
 * not answered), or the receive error that did.
 */
int fastipc_serve(int ep, size_t capacity, fastipc_handler_fn handler, void *arg);

/*
 * Page-mapped buffers (zero copy).  A connection gets one buffer, of @size
 * bytes (a multiple of the page size); both sides map it.  Once the
 * connection's side has mapped it with fastipc_buffer_map(), fastipc_call()
 * puts requests of FASTIPC_ZEROCOPY_THRESHOLD bytes or more through it by
 * itself (one at a time per connection), and fastipc_recv() and
 * fastipc_serve() take them from it, mapping the sender's buffer on first
 * use and unmapping it when the connection closes; fastipc_serve() answers
 * such calls through the buffer too.  The kernel then moves an (offset,
 * length), whatever the size.  The *_buffer()
 * functions below use the buffer explicitly, for programs that build their
 * messages in place.
 */
#define FASTIPC_ZEROCOPY_THRESHOLD	16384

int fastipc_buffer_create(int conn, size_t size);

/*
 * Map the buffer: of the connection @fd (@conn_id 0), or, on an endpoint
 * @fd, of its connection @conn_id (from struct fastipc_msg_info).
 */
int fastipc_buffer_map(int fd, uint64_t conn_id, size_t size, void **addr);
int fastipc_buffer_unmap(int fd, void *addr, size_t size);

/* Send the @len bytes at @offset of the connection's buffer. */
int fastipc_send_buffer(int conn, int64_t type, size_t offset, size_t len,
			struct fastipc_timeout *timeout);

/*
 * Call with the request in the buffer.  Returns the reply's length; if the
 * server answered in the buffer, *@reply_offset is where, else it is
 * (uint64_t)-1 and the reply was copied to @reply.
 */
ssize_t fastipc_call_buffer(int conn, int64_t type, size_t offset, size_t len,
			    void *reply, size_t reply_capacity, uint64_t *reply_offset,
			    struct fastipc_timeout *timeout);

/* Answer with the @len bytes at @offset of the caller's connection buffer. */
int fastipc_reply_buffer(int ep, uint64_t token, int64_t type, size_t offset,
			 size_t len);

/* The library's own version, "MAJOR.MINOR.PATCH". */
const char *fastipc_version(void);

#ifdef __cplusplus
}
#endif

#endif /* FASTIPC_LIB_H */
