// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures, one at a time, everywhere.  For each operation, fail
 * the calling thread's 1st allocation, then its 2nd, and so on
 * (/proc/thread-self/fail-nth, with failslab and fail_page_alloc counting
 * every slab and page allocation of that thread), until the operation runs
 * through without meeting the failure.  Each injected failure must
 *
 *  - give an errno the operation documents for a lack of memory (ENOMEM;
 *    EMFILE too for those that make fds; nothing at all for those whose
 *    documented errors name no allocation), and nothing else;
 *  - leave nothing behind: no name, connection, receiver, queued message,
 *    pending async call, open file or module reference (checked after every
 *    iteration), no per-user charge (checked after each sweep, with the
 *    limits lowered to measure what is left), and no memory (the guest's
 *    kmemleak scan at the end of the debug run fails it on any leak);
 *  - keep promises made for errors (a failed REPLY's token stays good);
 *  - leave the module fully usable: after every iteration a new context,
 *    endpoint and connection carry a one-way message, an async call and a
 *    synchronous call to a server thread.
 *
 * Only the thread under test has fail-nth set; the server and the callers
 * that wait for replies are other threads.  A failure the operation absorbs
 * (a dropped netlink event, a large call that falls back from pinned pages
 * to copying, kmemleak's own bookkeeping) is not an error: the sweep goes on
 * until fail-nth reports that nothing was injected at all.
 *
 * Needs root and a kernel with fault injection (the debug kernel); SKIPs on
 * others.  Each operation is a variant of the one test; its log line says
 * how many allocation points it has and how many of those failed it (the
 * rest it absorbed), the summary the total.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fastipc.h"
#include "fastipc_test.h"
#include "kselftest_harness.h"

#define MS		1000000ULL
#define WAIT_NS		(10000 * MS)	/* a wait that must not run out */
#define MAX_NTH		4000		/* a sweep longer than this is a bug */

#define SMALL		16		/* inline in the message */
#define MID		4096		/* a separate slab allocation */
#define LARGE		65536		/* page allocator (kmalloc_large) */
#define BIG		(1 << 20)	/* the one-copy path for calls */
#define BUF_SIZE	65536		/* connection buffers */

#define NAME_EP		"failnth.endpoint"
#define NAME_PERSIST	"failnth.persistent"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define DEBUGFS		"/sys/kernel/debug/"

/* Payloads, prefaulted so that no page fault happens between arm and disarm. */
static char in_buf[BIG], out_buf[BIG], srv_buf[BIG];

/* Totals over all the variants: each runs in its own process. */
static struct totals {
	atomic_int ops;
	atomic_long points;
} *totals;

static void __attribute__((constructor)) totals_init(void)
{
	totals = mmap(NULL, sizeof(*totals), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (totals == MAP_FAILED)
		abort();
}

static int ioc(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static __u64 uptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

static void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* --- fault injection ------------------------------------------------------ */

/* The knobs a sweep sets, and what it restores. */
static struct knob {
	const char *path;
	const char *value;
	bool required;
	char saved[32];
	bool set;
} knobs[] = {
	{ DEBUGFS "failslab/ignore-gfp-wait", "N", true },
	{ DEBUGFS "failslab/verbose", "0", true },
	{ DEBUGFS "fail_page_alloc/ignore-gfp-wait", "N" },
	/* User pages (page faults) stay out: only kernel allocations count. */
	{ DEBUGFS "fail_page_alloc/ignore-gfp-highmem", "Y" },
	{ DEBUGFS "fail_page_alloc/min-order", "0" },
	{ DEBUGFS "fail_page_alloc/verbose", "0" },
};

static int file_read(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0)
		return -errno;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0)
		return -errno;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int file_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int knobs_set(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		struct knob *k = &knobs[i];

		if (file_read(k->path, k->saved, sizeof(k->saved)) ||
		    file_write(k->path, k->value)) {
			if (k->required)
				return -1;
			continue;
		}
		k->set = true;
	}
	return 0;
}

static void knobs_restore(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		if (knobs[i].set)
			file_write(knobs[i].path, knobs[i].saved);
		knobs[i].set = false;
	}
}

/*
 * Arm and disarm: plain system calls on the thread's own fail-nth file, so
 * nothing but the operation runs in between.
 */
static void fail_arm(int nth, unsigned int n)
{
	char text[16];
	int len = snprintf(text, sizeof(text), "%u", n);

	if (write(nth, text, len) != len)
		abort();
}

/* Disarm; true if the armed failure was injected. */
static bool fail_disarm(int nth)
{
	char text[16] = "";
	ssize_t len = pread(nth, text, sizeof(text) - 1, 0);

	if (len <= 0 || write(nth, "0", 1) != 1)
		abort();
	return strtoul(text, NULL, 10) == 0;
}

/* --- the sweep's world ---------------------------------------------------- */

struct client {
	pthread_t thread;
	bool running;
	int conn;
	struct fastipc_call call;
	int ret;
};

/* What per-user charges leave free, measured with the limits lowered. */
struct headroom {
	int endpoints;		/* of 64 */
	long queued;		/* bytes of 64 KiB */
	long buffer_pages;	/* of 16 */
};

struct sweep {
	int ctx;
	int nth;
	int srv_ep;
	pthread_t srv;
	bool srv_running;
	atomic_int stop;
	long refcnt;		/* module references with only the above open */
	struct headroom before;
	unsigned long saved_endpoints, saved_queued, saved_buffer;

	/* One iteration's objects and prepared arguments. */
	int ep, ep2, conn, fd;
	void *map, *map2;
	uint64_t conn_id, token;
	struct client client;
	union {
		struct fastipc_info info;
		struct fastipc_endpoint_create create;
		struct fastipc_connect connect;
		struct fastipc_endpoint_stat stat;
		struct fastipc_endpoint_set set;
		struct fastipc_unlink unlink;
		struct fastipc_send send;
		struct fastipc_call call;
		struct fastipc_collect collect;
		struct fastipc_recv recv;
		struct fastipc_reply reply;
		struct fastipc_reply_recv rr;
		struct fastipc_buffer_create buffer;
	} arg;
	bool partial;		/* the call succeeded, a part of it failed */
	char why[256];
};

/* Say what went wrong; returns -1. */
static int __attribute__((format(printf, 2, 3))) why(struct sweep *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	return -1;
}

#define WHY(s, fmt, ...) why(s, "%s: " fmt, __func__, ##__VA_ARGS__)
#define CHECK(s, cond, fmt, ...) do { \
	if (!(cond)) \
		return WHY(s, "%s: " fmt, #cond, ##__VA_ARGS__); \
} while (0)

static void pattern(char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (char)(seed + i * 7 + (i >> 12));
}

static struct fastipc_timeout rel(uint64_t ns)
{
	return fastipc_timeout_rel(ns);
}

static long module_refcnt(void)
{
	char text[32];

	if (file_read("/sys/module/fastipc/refcnt", text, sizeof(text)))
		return -1;
	return strtol(text, NULL, 10);
}

/* Echo every call: in place for one through a buffer, copied otherwise. */
static void *server_main(void *arg)
{
	struct sweep *s = arg;
	struct fastipc_recv r;
	struct fastipc_reply rep;

	while (!atomic_load(&s->stop)) {
		r = (struct fastipc_recv){
			.capacity = sizeof(srv_buf),
			.data = uptr(srv_buf),
			.timeout = rel(20 * MS),
		};
		if (ioc(s->srv_ep, FASTIPC_IOC_RECV, &r) || !(r.msg.flags & FASTIPC_MSG_CALL))
			continue;
		rep = (struct fastipc_reply){ .type = r.msg.type, .token = r.msg.token,
					      .len = r.msg.len };
		if (r.msg.flags & FASTIPC_MSG_BUFFER) {
			rep.flags = FASTIPC_REPLY_BUFFER;
			rep.data = r.msg.offset;
		} else {
			rep.data = uptr(srv_buf);
		}
		ioc(s->srv_ep, FASTIPC_IOC_REPLY, &rep);	/* ECANCELED if it gave up */
	}
	return NULL;
}

/*
 * Stop the server and drop what it left queued (hangups of connections that
 * had buffers, which hold those buffers until taken).
 */
static void server_stop(struct sweep *s)
{
	struct fastipc_recv r = {
		.capacity = sizeof(srv_buf), .data = uptr(srv_buf),
		.timeout = fastipc_timeout_none(),
	};

	if (!s->srv_running)
		return;
	atomic_store(&s->stop, 1);
	pthread_join(s->srv, NULL);
	s->srv_running = false;
	while (!ioc(s->srv_ep, FASTIPC_IOC_RECV, &r))
		;
}

static void *client_main(void *arg)
{
	struct client *c = arg;

	c->ret = ioc(c->conn, FASTIPC_IOC_CALL, &c->call);
	return NULL;
}

/* A caller thread making @call on @conn; it waits up to WAIT_NS. */
static int client_start(struct sweep *s, int conn, const struct fastipc_call *call)
{
	s->client.conn = conn;
	s->client.call = *call;
	s->client.call.send_timeout = rel(WAIT_NS);
	s->client.call.reply_timeout = rel(WAIT_NS);
	s->client.ret = 1;
	if (pthread_create(&s->client.thread, NULL, client_main, &s->client))
		return WHY(s, "pthread_create");
	s->client.running = true;
	return 0;
}

static int client_join(struct sweep *s)
{
	if (!s->client.running)
		return 1;
	pthread_join(s->client.thread, NULL);
	s->client.running = false;
	return s->client.ret;
}

/* Take the next message on @ep within WAIT_NS; its header in @info. */
static int recv_one(int ep, void *buf, size_t capacity, struct fastipc_msg_info *info)
{
	struct fastipc_recv r = {
		.capacity = capacity, .data = uptr(buf), .timeout = rel(WAIT_NS),
	};
	int ret = ioc(ep, FASTIPC_IOC_RECV, &r);

	*info = r.msg;
	return ret;
}

static int stat_name(struct sweep *s, const char *name, struct fastipc_endpoint_stat *st)
{
	return fastipc_stat(s->ctx, name, st);
}

/* Everything an iteration made goes; the module's state is as before. */
static void cleanup(struct sweep *s)
{
	struct fastipc_endpoint_stat st;

	if (s->client.running) {
		/* A caller still waiting: its endpoint closing ends the call. */
		closep(&s->ep);
		closep(&s->ep2);
		client_join(s);
	}
	if (s->map)
		munmap(s->map, BUF_SIZE);
	if (s->map2)
		munmap(s->map2, BUF_SIZE);
	s->map = s->map2 = NULL;
	closep(&s->conn);
	closep(&s->ep);
	closep(&s->ep2);
	closep(&s->fd);
	if (!stat_name(s, NAME_PERSIST, &st))
		fastipc_unlink(s->ctx, NAME_PERSIST);
}

/*
 * Is the module still fully usable?  A new context, endpoint and
 * connection; a one-way message, an async call answered and collected, a
 * synchronous call to the server; then no module reference left over.
 */
static int module_usable(struct sweep *s)
{
	int ctx = fastipc_open(), ep = -1, conn = -1, srv = -1, ret = -1;
	struct fastipc_timeout t = rel(WAIT_NS);
	struct fastipc_msg_info info;
	char buf[64], reply[64];
	uint64_t cookie = 0;
	long refs;

	if (ctx < 0) {
		WHY(s, "open: %s", strerror(-ctx));
		goto out;
	}
	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	conn = ep < 0 ? ep : fastipc_connect_endpoint(ep);
	if (conn < 0) {
		WHY(s, "endpoint or connection: %s", strerror(-conn));
		goto out;
	}
	if (fastipc_send(conn, 1, "ping", 4, &t) ||
	    recv_one(ep, buf, sizeof(buf), &info) || info.len != 4 ||
	    memcmp(buf, "ping", 4)) {
		WHY(s, "one-way message lost");
		goto out;
	}
	if (fastipc_call_async(conn, 2, "ask", 3, &cookie) ||
	    recv_one(ep, buf, sizeof(buf), &info) || !info.token ||
	    fastipc_reply(ep, info.token, 3, "answer", 6) ||
	    fastipc_collect(conn, &cookie, reply, sizeof(reply), NULL, &t) != 6 ||
	    memcmp(reply, "answer", 6)) {
		WHY(s, "async call failed");
		goto out;
	}
	srv = fastipc_connect_endpoint(s->srv_ep);
	if (srv < 0 ||
	    fastipc_call(srv, 4, "echo", 4, reply, sizeof(reply), NULL, &t) != 4 ||
	    memcmp(reply, "echo", 4)) {
		WHY(s, "call to the server failed");
		goto out;
	}
	ret = 0;
out:
	closep(&srv);
	closep(&conn);
	closep(&ep);
	closep(&ctx);
	refs = module_refcnt();
	if (!ret && refs != s->refcnt)
		ret = WHY(s, "module references: %ld, expected %ld", refs, s->refcnt);
	return ret;
}

/* --- per-user charges ----------------------------------------------------- */

static int headroom_endpoints(struct sweep *s)
{
	int fds[64], n, fd;

	if (param_write("max_endpoints", 64))
		return -1;
	for (n = 0; n < 64; n++) {
		fd = fastipc_endpoint_create(s->ctx, NULL, 0600);
		if (fd < 0)
			break;
		fds[n] = fd;
	}
	if (n < 64 && fd != -ENOSPC)
		n = -1;
	for (fd = 0; fd < n; fd++)
		close(fds[fd]);
	param_write("max_endpoints", s->saved_endpoints);
	return n;
}

/* The largest message root may queue with max_queued_bytes at 64 KiB. */
static long headroom_queued(struct sweep *s)
{
	int ep = fastipc_endpoint_create(s->ctx, NULL, 0600);
	int conn = ep < 0 ? ep : fastipc_connect_endpoint(ep);
	struct fastipc_timeout none = fastipc_timeout_none();
	struct fastipc_msg_info info;
	long lo = 0, hi = 65536, mid;

	if (conn < 0 || param_write("max_queued_bytes", 65536)) {
		lo = -1;
		goto out;
	}
	while (lo < hi) {
		mid = (lo + hi + 1) / 2;
		if (fastipc_send(conn, 1, in_buf, mid, &none)) {
			hi = mid - 1;
			continue;
		}
		lo = mid;
		if (recv_one(ep, out_buf, LARGE, &info) != 0) {
			lo = -1;
			break;
		}
	}
out:
	param_write("max_queued_bytes", s->saved_queued);
	if (conn >= 0)
		close(conn);
	if (ep >= 0)
		close(ep);
	return lo;
}

/*
 * The most pages one buffer may have with max_buffer_bytes at 64 KiB.  Each
 * try gets its own endpoint: a closed connection's buffer lives on in its
 * hangup message until the endpoint takes or drops it.
 */
static long headroom_buffer(struct sweep *s)
{
	long page = sysconf(_SC_PAGESIZE), lo = 0, hi = 65536 / page, mid;
	int ep, conn, ret;

	if (param_write("max_buffer_bytes", 65536))
		return -1;
	while (lo < hi) {
		mid = (lo + hi + 1) / 2;
		ep = fastipc_endpoint_create(s->ctx, NULL, 0600);
		conn = ep < 0 ? ep : fastipc_connect_endpoint(ep);
		ret = conn < 0 ? conn : fastipc_buffer_create(conn, mid * page);
		if (conn >= 0)
			close(conn);
		if (ep >= 0)
			close(ep);
		if (ret == -EDQUOT) {
			hi = mid - 1;
		} else if (ret) {
			lo = -1;
			break;
		} else {
			lo = mid;
		}
	}
	param_write("max_buffer_bytes", s->saved_buffer);
	return lo;
}

static void headroom(struct sweep *s, struct headroom *h)
{
	h->endpoints = headroom_endpoints(s);
	h->queued = headroom_queued(s);
	h->buffer_pages = headroom_buffer(s);
}

/* --- the operations --------------------------------------------------------- */

struct op {
	int (*setup)(struct sweep *s);
	/* Exactly one system call, with fail-nth armed; 0/fd or -errno. */
	int (*run)(struct sweep *s);
	/* What @ret must mean, on success and on failure. */
	int (*check)(struct sweep *s, int ret);
	/* The errnos an allocation failure may give; 0-terminated. */
	const int *allowed;
};

static const int no_errno[] = { 0 };
static const int enomem[] = { ENOMEM, 0 };
static const int enomem_emfile[] = { ENOMEM, EMFILE, 0 };

/* setups */

static int setup_none(struct sweep *s)
{
	return 0;
}

static int setup_pair(struct sweep *s)
{
	s->ep = fastipc_endpoint_create(s->ctx, NULL, 0600);
	if (s->ep < 0)
		return WHY(s, "endpoint: %s", strerror(-s->ep));
	s->conn = fastipc_connect_endpoint(s->ep);
	if (s->conn < 0)
		return WHY(s, "connect: %s", strerror(-s->conn));
	return 0;
}

static int setup_named(struct sweep *s)
{
	s->ep = fastipc_endpoint_create(s->ctx, NAME_EP, 0600);
	return s->ep < 0 ? WHY(s, "endpoint: %s", strerror(-s->ep)) : 0;
}

static int setup_server_conn(struct sweep *s)
{
	s->conn = fastipc_connect_endpoint(s->srv_ep);
	return s->conn < 0 ? WHY(s, "connect: %s", strerror(-s->conn)) : 0;
}

static int add_buffer(struct sweep *s, bool map)
{
	int ret = fastipc_buffer_create(s->conn, BUF_SIZE);

	if (ret)
		return WHY(s, "buffer: %s", strerror(-ret));
	s->conn_id = fdinfo(s->conn, "connection_id");
	if (!map)
		return 0;
	s->map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, s->conn, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		return WHY(s, "mmap: %s", strerror(errno));
	}
	pattern(s->map, BUF_SIZE, 5);
	return 0;
}

/* open(2) of the device */

static int run_open(struct sweep *s)
{
	int fd = open(FASTIPC_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int check_open(struct sweep *s, int ret)
{
	struct fastipc_info info;

	if (ret < 0)
		return 0;
	s->fd = ret;
	CHECK(s, fastipc_get_info(s->fd, &info) == 0, "");
	return 0;
}

/* GET_INFO */

static int setup_info(struct sweep *s)
{
	s->arg.info = (struct fastipc_info){ 0 };
	return 0;
}

static int run_info(struct sweep *s)
{
	return ioc(s->ctx, FASTIPC_IOC_GET_INFO, &s->arg.info);
}

static int check_info(struct sweep *s, int ret)
{
	CHECK(s, s->arg.info.abi_version == FASTIPC_ABI_VERSION, "");
	return 0;
}

/* CREATE_ENDPOINT */

static int setup_create_anon(struct sweep *s)
{
	s->arg.create = (struct fastipc_endpoint_create){ .mode = 0600 };
	return 0;
}

static int setup_create_named(struct sweep *s)
{
	s->arg.create = (struct fastipc_endpoint_create){ .mode = 0600, .name = uptr(NAME_EP) };
	return 0;
}

static int setup_create_persistent(struct sweep *s)
{
	s->arg.create = (struct fastipc_endpoint_create){
		.flags = FASTIPC_ENDPOINT_PERSISTENT, .mode = 0600, .name = uptr(NAME_PERSIST),
	};
	return 0;
}

static int run_create(struct sweep *s)
{
	return ioc(s->ctx, FASTIPC_IOC_CREATE_ENDPOINT, &s->arg.create);
}

/* One message through a new connection to @ep arrives on @receiver. */
static int endpoint_works(struct sweep *s, int ep, int receiver)
{
	struct fastipc_msg_info info;
	char buf[16];
	int conn = fastipc_connect_endpoint(ep), ret;

	CHECK(s, conn >= 0, "connect: %s", strerror(-conn));
	ret = fastipc_send(conn, 7, "hi", 2, NULL);
	close(conn);
	CHECK(s, ret == 0, "send: %s", strerror(-ret));
	ret = recv_one(receiver, buf, sizeof(buf), &info);
	CHECK(s, ret == 0 && info.type == 7, "recv: %s", strerror(-ret));
	return 0;
}

static int check_create_anon(struct sweep *s, int ret)
{
	if (ret < 0)
		return 0;
	s->ep = ret;
	return endpoint_works(s, s->ep, s->ep);
}

static int check_create_named(struct sweep *s, int ret)
{
	struct fastipc_endpoint_stat st;
	int err = stat_name(s, NAME_EP, &st);

	if (ret < 0) {
		CHECK(s, err == -ENOENT, "the name outlived a failed create: %d", err);
		return 0;
	}
	s->ep = ret;
	CHECK(s, err == 0 && st.receivers == 1, "stat: %d", err);
	return endpoint_works(s, s->ep, s->ep);
}

static int check_create_persistent(struct sweep *s, int ret)
{
	struct fastipc_endpoint_stat st;
	int err;

	if (ret < 0) {
		err = stat_name(s, NAME_PERSIST, &st);
		CHECK(s, err == -ENOENT, "a failed create left the endpoint: %d", err);
		return 0;
	}
	close(ret);
	err = stat_name(s, NAME_PERSIST, &st);
	CHECK(s, err == 0 && (st.flags & FASTIPC_ENDPOINT_PERSISTENT), "stat: %d", err);
	err = fastipc_unlink(s->ctx, NAME_PERSIST);
	CHECK(s, err == 0, "unlink: %d", err);
	return 0;
}

/* CONNECT and OPEN_ENDPOINT */

static int setup_connect_name(struct sweep *s)
{
	s->arg.connect = (struct fastipc_connect){ .name = uptr(NAME_EP) };
	return setup_named(s);
}

static int setup_connect_ep(struct sweep *s)
{
	s->arg.connect = (struct fastipc_connect){ 0 };
	return setup_named(s);
}

static int run_connect_name(struct sweep *s)
{
	return ioc(s->ctx, FASTIPC_IOC_CONNECT, &s->arg.connect);
}

static int run_connect_ep(struct sweep *s)
{
	return ioc(s->ep, FASTIPC_IOC_CONNECT, &s->arg.connect);
}

static int run_open_endpoint(struct sweep *s)
{
	return ioc(s->ctx, FASTIPC_IOC_OPEN_ENDPOINT, &s->arg.connect);
}

static int check_connect(struct sweep *s, int ret)
{
	struct fastipc_endpoint_stat st;
	struct fastipc_msg_info info;
	char buf[16];
	int err;

	err = fastipc_stat(s->ep, NULL, &st);
	CHECK(s, err == 0, "stat: %d", err);
	CHECK(s, st.connections == (ret < 0 ? 0 : 1), "%u connections", st.connections);
	if (ret < 0)
		return 0;
	s->conn = ret;
	err = fastipc_send(s->conn, 3, "x", 1, NULL);
	CHECK(s, err == 0, "send: %d", err);
	err = recv_one(s->ep, buf, sizeof(buf), &info);
	CHECK(s, err == 0 && info.type == 3, "recv: %d", err);
	return 0;
}

static int check_open_endpoint(struct sweep *s, int ret)
{
	struct fastipc_endpoint_stat st;
	int err;

	err = fastipc_stat(s->ep, NULL, &st);
	CHECK(s, err == 0, "stat: %d", err);
	CHECK(s, st.receivers == (ret < 0 ? 1 : 2), "%u receivers", st.receivers);
	if (ret < 0)
		return 0;
	s->ep2 = ret;
	return endpoint_works(s, s->ep, s->ep2);
}

/* STAT, SET, UNLINK */

static int setup_stat_name(struct sweep *s)
{
	s->arg.stat = (struct fastipc_endpoint_stat){ .name = uptr(NAME_EP) };
	return setup_named(s);
}

static int setup_stat_ep(struct sweep *s)
{
	s->arg.stat = (struct fastipc_endpoint_stat){ 0 };
	return setup_named(s);
}

static int run_stat_name(struct sweep *s)
{
	return ioc(s->ctx, FASTIPC_IOC_STAT, &s->arg.stat);
}

static int run_stat_ep(struct sweep *s)
{
	return ioc(s->ep, FASTIPC_IOC_STAT, &s->arg.stat);
}

static int check_stat(struct sweep *s, int ret)
{
	CHECK(s, s->arg.stat.receivers == 1 && s->arg.stat.mode == 0600, "");
	return 0;
}

static int setup_set(struct sweep *s)
{
	s->arg.set = (struct fastipc_endpoint_set){
		.name = uptr(NAME_EP), .flags = FASTIPC_SET_MODE, .mode = 0640,
	};
	return setup_named(s);
}

static int run_set(struct sweep *s)
{
	return ioc(s->ctx, FASTIPC_IOC_SET, &s->arg.set);
}

static int check_set(struct sweep *s, int ret)
{
	struct fastipc_endpoint_stat st;

	CHECK(s, fastipc_stat(s->ep, NULL, &st) == 0 && st.mode == 0640, "");
	return 0;
}

static int setup_unlink(struct sweep *s)
{
	s->arg.unlink = (struct fastipc_unlink){ .name = uptr(NAME_EP) };
	return setup_named(s);
}

static int setup_unlink_persistent(struct sweep *s)
{
	int fd = fastipc_endpoint_create_persistent(s->ctx, NAME_PERSIST, 0600);

	if (fd < 0)
		return WHY(s, "create: %s", strerror(-fd));
	close(fd);
	s->arg.unlink = (struct fastipc_unlink){ .name = uptr(NAME_PERSIST) };
	return 0;
}

static int run_unlink(struct sweep *s)
{
	return ioc(s->ctx, FASTIPC_IOC_UNLINK, &s->arg.unlink);
}

static int check_unlink(struct sweep *s, int ret)
{
	struct fastipc_endpoint_stat st;

	CHECK(s, stat_name(s, NAME_EP, &st) == -ENOENT, "the name is still there");
	/* Unlinked, it goes on serving its fds. */
	return endpoint_works(s, s->ep, s->ep);
}

static int check_unlink_persistent(struct sweep *s, int ret)
{
	struct fastipc_endpoint_stat st;

	CHECK(s, stat_name(s, NAME_PERSIST, &st) == -ENOENT, "the name is still there");
	return 0;
}

/* SEND */

static int prepare_send(struct sweep *s, size_t len)
{
	pattern(in_buf, len, len);
	s->arg.send = (struct fastipc_send){
		.len = len, .type = 5, .data = uptr(in_buf), .timeout = rel(WAIT_NS),
	};
	return setup_pair(s);
}

static int setup_send_small(struct sweep *s)
{
	return prepare_send(s, SMALL);
}

static int setup_send_mid(struct sweep *s)
{
	return prepare_send(s, MID);
}

static int setup_send_big(struct sweep *s)
{
	return prepare_send(s, BIG);
}

static int run_send(struct sweep *s)
{
	return ioc(s->conn, FASTIPC_IOC_SEND, &s->arg.send);
}

/* A failed send leaves nothing queued; a good one arrives intact. */
static int check_send(struct sweep *s, int ret)
{
	struct fastipc_timeout none = fastipc_timeout_none();
	struct fastipc_endpoint_stat st;
	struct fastipc_msg_info info;
	ssize_t len;

	if (ret < 0) {
		CHECK(s, fastipc_stat(s->ep, NULL, &st) == 0 && !st.queued && !st.sent,
		      "%u queued after a failed send", st.queued);
		len = fastipc_recv(s->ep, 0, out_buf, BIG, NULL, &none);
		CHECK(s, len == -EAGAIN, "recv: %zd", len);
		return 0;
	}
	len = fastipc_recv(s->ep, 0, out_buf, BIG, &info, &none);
	CHECK(s, len == s->arg.send.len, "recv: %zd", len);
	CHECK(s, info.type == 5 && !memcmp(in_buf, out_buf, len), "payload");
	return 0;
}

/* CALL, synchronous and async, and COLLECT */

static int prepare_call(struct sweep *s, size_t len, __u32 flags)
{
	pattern(in_buf, len, len + 1);
	memset(out_buf, 0, len);
	s->arg.call = (struct fastipc_call){
		.flags = flags, .len = len, .type = 9, .data = uptr(in_buf),
		.reply_data = uptr(out_buf), .reply_capacity = len,
		.send_timeout = rel(WAIT_NS), .reply_timeout = rel(WAIT_NS),
	};
	return setup_server_conn(s);
}

static int setup_call_small(struct sweep *s)
{
	return prepare_call(s, SMALL, 0);
}

static int setup_call_mid(struct sweep *s)
{
	return prepare_call(s, MID, 0);
}

static int setup_call_big(struct sweep *s)
{
	return prepare_call(s, BIG, 0);
}

static int setup_call_async(struct sweep *s)
{
	return prepare_call(s, SMALL, FASTIPC_CALL_ASYNC);
}

static int setup_call_async_large(struct sweep *s)
{
	return prepare_call(s, LARGE, FASTIPC_CALL_ASYNC);
}

static int run_call(struct sweep *s)
{
	return ioc(s->conn, FASTIPC_IOC_CALL, &s->arg.call);
}

static int check_call(struct sweep *s, int ret)
{
	size_t len = s->arg.call.len;

	if (ret < 0)
		return 0;
	CHECK(s, s->arg.call.reply_len == len && s->arg.call.reply_type == 9, "");
	CHECK(s, !memcmp(in_buf, out_buf, len), "the reply differs");
	return 0;
}

/* No async call is left pending by a failure; a good one can be collected. */
static int check_call_async(struct sweep *s, int ret)
{
	struct fastipc_timeout t = fastipc_timeout_none();
	uint64_t cookie = 0;
	ssize_t len;

	if (ret < 0) {
		len = fastipc_collect(s->conn, &cookie, out_buf, BIG, NULL, &t);
		CHECK(s, len == -ENOENT, "collect after a failed async call: %zd", len);
		return 0;
	}
	cookie = s->arg.call.cookie;
	t = rel(WAIT_NS);
	len = fastipc_collect(s->conn, &cookie, out_buf, BIG, NULL, &t);
	CHECK(s, len == s->arg.call.len, "collect: %zd", len);
	CHECK(s, !memcmp(in_buf, out_buf, len), "the reply differs");
	return 0;
}

static int setup_collect(struct sweep *s)
{
	struct fastipc_timeout t = rel(WAIT_NS);
	uint64_t cookie;
	int ret;

	pattern(in_buf, MID, 3);
	ret = setup_server_conn(s);
	if (ret)
		return ret;
	ret = fastipc_call_async(s->conn, 4, in_buf, MID, &cookie);
	if (ret)
		return WHY(s, "async call: %s", strerror(-ret));
	/* Wait for the reply without taking it: a collect with no room. */
	ret = fastipc_collect(s->conn, &cookie, NULL, 0, NULL, &t);
	if (ret != -EMSGSIZE)
		return WHY(s, "no reply: %d", ret);
	s->arg.collect = (struct fastipc_collect){
		.cookie = cookie, .reply_data = uptr(out_buf), .reply_capacity = MID,
		.timeout = fastipc_timeout_none(),
	};
	return 0;
}

static int run_collect(struct sweep *s)
{
	return ioc(s->conn, FASTIPC_IOC_COLLECT, &s->arg.collect);
}

static int check_collect(struct sweep *s, int ret)
{
	CHECK(s, s->arg.collect.reply_len == MID && !memcmp(in_buf, out_buf, MID), "");
	return 0;
}

/* RECV */

static int prepare_recv(struct sweep *s, size_t len)
{
	int ret = setup_pair(s);

	if (ret)
		return ret;
	pattern(in_buf, len, 11);
	ret = fastipc_send(s->conn, 6, in_buf, len, NULL);
	if (ret)
		return WHY(s, "send: %s", strerror(-ret));
	s->arg.recv = (struct fastipc_recv){
		.capacity = len, .data = uptr(out_buf), .timeout = fastipc_timeout_none(),
	};
	return 0;
}

static int setup_recv_small(struct sweep *s)
{
	return prepare_recv(s, SMALL);
}

static int setup_recv_big(struct sweep *s)
{
	return prepare_recv(s, BIG);
}

static int run_recv(struct sweep *s)
{
	return ioc(s->ep, FASTIPC_IOC_RECV, &s->arg.recv);
}

static int check_recv(struct sweep *s, int ret)
{
	size_t len = s->arg.recv.capacity;

	CHECK(s, s->arg.recv.msg.len == len && !memcmp(in_buf, out_buf, len), "");
	return 0;
}

/* REPLY and REPLY_RECV: a caller waits in another thread (or async). */

static int take_call(struct sweep *s, size_t req_len)
{
	struct fastipc_msg_info info;
	int ret = recv_one(s->ep, srv_buf, req_len, &info);

	if (ret || !info.token)
		return WHY(s, "recv of the call: %d", ret);
	s->token = info.token;
	return 0;
}

/* A waiting caller whose reply of @len will be copied, or pinned if large. */
static int prepare_reply(struct sweep *s, size_t len, bool async)
{
	struct fastipc_call call = {
		.len = SMALL, .type = 1, .data = uptr(in_buf),
		.reply_data = uptr(out_buf), .reply_capacity = len,
	};
	uint64_t cookie;
	int ret = setup_pair(s);

	if (ret)
		return ret;
	memset(out_buf, 0, len);
	if (async) {
		ret = fastipc_call_async(s->conn, 1, in_buf, SMALL, &cookie);
		if (ret)
			return WHY(s, "async call: %s", strerror(-ret));
	} else if (client_start(s, s->conn, &call)) {
		return -1;
	}
	ret = take_call(s, SMALL);
	if (ret)
		return ret;
	pattern(srv_buf, len, len + 2);
	s->arg.reply = (struct fastipc_reply){
		.len = len, .type = 8, .data = uptr(srv_buf), .token = s->token,
	};
	return 0;
}

static int setup_reply_small(struct sweep *s)
{
	return prepare_reply(s, SMALL, false);
}

static int setup_reply_mid(struct sweep *s)
{
	return prepare_reply(s, MID, false);
}

static int setup_reply_big(struct sweep *s)
{
	return prepare_reply(s, BIG, false);
}

static int setup_reply_async_large(struct sweep *s)
{
	return prepare_reply(s, LARGE, true);
}

static int run_reply(struct sweep *s)
{
	return ioc(s->ep, FASTIPC_IOC_REPLY, &s->arg.reply);
}

/* The caller gets the reply: at once, or after a retry with the same token. */
static int caller_gets_reply(struct sweep *s, int ret, const struct fastipc_reply *rep)
{
	struct fastipc_timeout t = rel(WAIT_NS);
	struct fastipc_reply again = *rep;
	uint64_t cookie = 0;
	ssize_t len;

	if (ret < 0) {
		ret = ioc(s->ep, FASTIPC_IOC_REPLY, &again);
		CHECK(s, ret == 0, "the token did not survive a failed reply: %d", ret);
	}
	if (s->client.running) {
		ret = client_join(s);
		CHECK(s, ret == 0, "call: %d", ret);
		if (s->client.call.reply_flags & FASTIPC_MSG_BUFFER) {
			CHECK(s, s->client.call.reply_offset == rep->data &&
			      s->client.call.reply_len == rep->len, "buffer reply");
			return 0;
		}
		len = s->client.call.reply_len;
	} else {
		len = fastipc_collect(s->conn, &cookie, out_buf, rep->len, NULL, &t);
	}
	CHECK(s, len == rep->len, "reply length %zd", len);
	CHECK(s, !memcmp(srv_buf, out_buf, len), "the reply differs");
	return 0;
}

static int check_reply(struct sweep *s, int ret)
{
	return caller_gets_reply(s, ret, &s->arg.reply);
}

static int setup_reply_recv(struct sweep *s)
{
	int ret = prepare_reply(s, MID, false);

	if (ret)
		return ret;
	ret = fastipc_send(s->conn, 12, "next", 4, NULL);
	if (ret)
		return WHY(s, "send: %s", strerror(-ret));
	s->arg.rr = (struct fastipc_reply_recv){
		.reply = s->arg.reply,
		.recv = { .capacity = 64, .data = uptr(in_buf + BIG / 2),
			  .timeout = fastipc_timeout_none() },
	};
	return 0;
}

static int run_reply_recv(struct sweep *s)
{
	return ioc(s->ep, FASTIPC_IOC_REPLY_RECV, &s->arg.rr);
}

/* The receive happens whatever the reply did; the reply's error is its own. */
static int check_reply_recv(struct sweep *s, int ret)
{
	int err = s->arg.rr.reply_error;

	CHECK(s, ret == 0, "the receive failed: %d", ret);
	CHECK(s, s->arg.rr.recv.msg.type == 12 && s->arg.rr.recv.msg.len == 4, "");
	CHECK(s, err == 0 || err == -ENOMEM, "reply_error %d", err);
	s->partial = err != 0;
	return caller_gets_reply(s, err, &s->arg.rr.reply);
}

/* BUFFER_CREATE, mmap, and messages through the buffer */

static int setup_buffer_create(struct sweep *s)
{
	s->arg.buffer = (struct fastipc_buffer_create){ .size = BUF_SIZE };
	return setup_pair(s);
}

static int run_buffer_create(struct sweep *s)
{
	return ioc(s->conn, FASTIPC_IOC_BUFFER_CREATE, &s->arg.buffer);
}

static int check_buffer_create(struct sweep *s, int ret)
{
	if (ret < 0) {
		/* Nothing half made: the connection may still get its buffer. */
		ret = fastipc_buffer_create(s->conn, BUF_SIZE);
		CHECK(s, ret == 0, "buffer after a failed one: %d", ret);
	}
	s->map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, s->conn, 0);
	if (s->map == MAP_FAILED)
		s->map = NULL;
	CHECK(s, s->map, "mmap: %s", strerror(errno));
	pattern(s->map, BUF_SIZE, 1);
	return 0;
}

static int setup_mmap_conn(struct sweep *s)
{
	int ret = setup_pair(s);

	return ret ? ret : add_buffer(s, false);
}

static int setup_mmap_ep(struct sweep *s)
{
	int ret = setup_pair(s);

	return ret ? ret : add_buffer(s, true);
}

static int mmap_errno(void *addr)
{
	return addr == MAP_FAILED ? -errno : 0;
}

static int run_mmap_conn(struct sweep *s)
{
	void *addr = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, s->conn, 0);

	s->map = addr == MAP_FAILED ? NULL : addr;
	return mmap_errno(addr);
}

static int run_mmap_ep(struct sweep *s)
{
	void *addr = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, s->ep,
			  s->conn_id * sysconf(_SC_PAGESIZE));

	s->map2 = addr == MAP_FAILED ? NULL : addr;
	return mmap_errno(addr);
}

static int check_mmap_conn(struct sweep *s, int ret)
{
	if (ret < 0)
		return 0;
	pattern(s->map, BUF_SIZE, 2);
	return 0;
}

/* Both sides see the same pages. */
static int check_mmap_ep(struct sweep *s, int ret)
{
	if (ret < 0)
		return 0;
	pattern(s->map, BUF_SIZE, 3);
	CHECK(s, !memcmp(s->map, s->map2, BUF_SIZE), "the two mappings differ");
	return 0;
}

static int setup_send_buffer(struct sweep *s)
{
	int ret = setup_mmap_ep(s);

	s->arg.send = (struct fastipc_send){
		.flags = FASTIPC_SEND_BUFFER, .len = 8192, .type = 2, .data = 4096,
		.timeout = rel(WAIT_NS),
	};
	return ret;
}

static int check_send_buffer(struct sweep *s, int ret)
{
	struct fastipc_timeout none = fastipc_timeout_none();
	struct fastipc_endpoint_stat st;
	struct fastipc_recv r = { .timeout = none };
	int err;

	if (ret < 0) {
		CHECK(s, fastipc_stat(s->ep, NULL, &st) == 0 && !st.queued, "queued");
		return 0;
	}
	err = ioc(s->ep, FASTIPC_IOC_RECV, &r);
	CHECK(s, err == 0, "recv: %d", err);
	CHECK(s, (r.msg.flags & FASTIPC_MSG_BUFFER) && r.msg.offset == 4096 &&
	      r.msg.len == 8192 && r.msg.buffer_size == BUF_SIZE, "");
	return 0;
}

static int setup_call_buffer(struct sweep *s)
{
	int ret = setup_server_conn(s);

	if (!ret)
		ret = add_buffer(s, true);
	s->arg.call = (struct fastipc_call){
		.flags = FASTIPC_CALL_BUFFER, .len = 16384, .type = 3, .data = 8192,
		.reply_data = uptr(out_buf), .reply_capacity = 64,
		.send_timeout = rel(WAIT_NS), .reply_timeout = rel(WAIT_NS),
	};
	return ret;
}

static int check_call_buffer(struct sweep *s, int ret)
{
	if (ret < 0)
		return 0;
	CHECK(s, (s->arg.call.reply_flags & FASTIPC_MSG_BUFFER) &&
	      s->arg.call.reply_offset == 8192 && s->arg.call.reply_len == 16384, "");
	return 0;
}

static int setup_reply_buffer(struct sweep *s)
{
	struct fastipc_call call = {
		.flags = FASTIPC_CALL_BUFFER, .len = 4096, .type = 1, .data = 0,
		.reply_data = uptr(out_buf), .reply_capacity = 64,
	};
	int ret = setup_pair(s);

	if (!ret)
		ret = add_buffer(s, true);
	if (!ret)
		ret = client_start(s, s->conn, &call);
	if (!ret)
		ret = take_call(s, 0);
	s->arg.reply = (struct fastipc_reply){
		.flags = FASTIPC_REPLY_BUFFER, .len = 4096, .type = 8, .data = 8192,
		.token = s->token,
	};
	return ret;
}

/* --- the sweep ------------------------------------------------------------ */

FIXTURE(failnth) {
	struct sweep s;
};

FIXTURE_VARIANT(failnth) {
	const struct op *op;
};

#define OP(name, setup_fn, run_fn, check_fn, errnos) \
	static const struct op op_##name = { setup_fn, run_fn, check_fn, errnos }; \
	FIXTURE_VARIANT_ADD(failnth, name) { .op = &op_##name }

OP(open, setup_none, run_open, check_open, enomem);
OP(get_info, setup_info, run_info, check_info, no_errno);
OP(create_anonymous, setup_create_anon, run_create, check_create_anon, enomem_emfile);
OP(create_named, setup_create_named, run_create, check_create_named, enomem_emfile);
OP(create_persistent, setup_create_persistent, run_create, check_create_persistent,
   enomem_emfile);
OP(connect_by_name, setup_connect_name, run_connect_name, check_connect, enomem_emfile);
OP(connect_endpoint_fd, setup_connect_ep, run_connect_ep, check_connect, enomem_emfile);
OP(open_endpoint, setup_connect_name, run_open_endpoint, check_open_endpoint,
   enomem_emfile);
OP(stat_by_name, setup_stat_name, run_stat_name, check_stat, no_errno);
OP(stat_endpoint_fd, setup_stat_ep, run_stat_ep, check_stat, no_errno);
OP(set_mode, setup_set, run_set, check_set, no_errno);
OP(unlink, setup_unlink, run_unlink, check_unlink, no_errno);
OP(unlink_persistent, setup_unlink_persistent, run_unlink, check_unlink_persistent,
   no_errno);
OP(send_small, setup_send_small, run_send, check_send, enomem);
OP(send_4k, setup_send_mid, run_send, check_send, enomem);
OP(send_1m, setup_send_big, run_send, check_send, enomem);
OP(call_small, setup_call_small, run_call, check_call, enomem);
OP(call_4k, setup_call_mid, run_call, check_call, enomem);
OP(call_1m, setup_call_big, run_call, check_call, enomem);
OP(call_async, setup_call_async, run_call, check_call_async, enomem);
OP(call_async_64k, setup_call_async_large, run_call, check_call_async, enomem);
OP(collect, setup_collect, run_collect, check_collect, no_errno);
OP(recv_small, setup_recv_small, run_recv, check_recv, no_errno);
OP(recv_1m, setup_recv_big, run_recv, check_recv, no_errno);
OP(reply_small, setup_reply_small, run_reply, check_reply, enomem);
OP(reply_4k, setup_reply_mid, run_reply, check_reply, enomem);
OP(reply_1m_pinned, setup_reply_big, run_reply, check_reply, enomem);
OP(reply_64k_async, setup_reply_async_large, run_reply, check_reply, enomem);
/* REPLY_RECV returns RECV's errors; the reply's go to reply_error. */
OP(reply_recv, setup_reply_recv, run_reply_recv, check_reply_recv, no_errno);
OP(buffer_create, setup_buffer_create, run_buffer_create, check_buffer_create, enomem);
OP(mmap_connection, setup_mmap_conn, run_mmap_conn, check_mmap_conn, enomem);
OP(mmap_endpoint, setup_mmap_ep, run_mmap_ep, check_mmap_ep, enomem);
OP(send_buffer, setup_send_buffer, run_send, check_send_buffer, enomem);
OP(call_buffer, setup_call_buffer, run_call, check_call_buffer, enomem);
OP(reply_buffer, setup_reply_buffer, run_reply, check_reply, enomem);

static bool allowed(const int *errnos, int err)
{
	for (; *errnos; errnos++)
		if (*errnos == err)
			return true;
	return false;
}

FIXTURE_SETUP(failnth)
{
	struct sweep *s = &self->s;

	memset(s, 0, sizeof(*s));
	s->ctx = s->nth = s->srv_ep = -1;
	s->ep = s->ep2 = s->conn = s->fd = -1;
	if (access(FAIL_NTH, W_OK))
		SKIP(return, "no " FAIL_NTH ": the kernel has no fault injection");
	if (geteuid())
		SKIP(return, "needs root");
	if (access(DEBUGFS "failslab", F_OK))
		SKIP(return, "no failslab in debugfs");

	/* Touch every page now: no page fault may happen while armed. */
	memset(in_buf, 1, sizeof(in_buf));
	memset(out_buf, 1, sizeof(out_buf));
	memset(srv_buf, 1, sizeof(srv_buf));

	s->ctx = fastipc_open();
	ASSERT_LE(0, s->ctx);
	s->saved_endpoints = param_read("max_endpoints");
	s->saved_queued = param_read("max_queued_bytes");
	s->saved_buffer = param_read("max_buffer_bytes");
	ASSERT_NE(0, s->saved_endpoints);
	ASSERT_NE(0, s->saved_queued);
	ASSERT_NE(0, s->saved_buffer);
	s->srv_ep = fastipc_endpoint_create(s->ctx, NULL, 0600);
	ASSERT_LE(0, s->srv_ep);
	ASSERT_EQ(0, pthread_create(&s->srv, NULL, server_main, s));
	s->srv_running = true;
	s->nth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, s->nth);
	ASSERT_EQ(0, knobs_set()) TH_LOG("cannot configure failslab");
	s->refcnt = module_refcnt();
	ASSERT_LT(0, s->refcnt);
	headroom(s, &s->before);
	ASSERT_LT(0, s->before.endpoints);
	ASSERT_LT(0, s->before.queued);
	ASSERT_LT(0, s->before.buffer_pages);
}

FIXTURE_TEARDOWN(failnth)
{
	struct sweep *s = &self->s;

	if (s->nth >= 0)
		write(s->nth, "0", 1);
	cleanup(s);
	knobs_restore();
	server_stop(s);
	param_write("max_endpoints", s->saved_endpoints);
	param_write("max_queued_bytes", s->saved_queued);
	param_write("max_buffer_bytes", s->saved_buffer);
	closep(&s->nth);
	closep(&s->srv_ep);
	closep(&s->ctx);
}

TEST_F_TIMEOUT(failnth, sweep, 900)
{
	const struct op *op = variant->op;
	struct sweep *s = &self->s;
	unsigned int n, failed = 0;
	struct headroom after;
	bool injected;
	int ret;

	for (n = 1; n <= MAX_NTH; n++) {
		s->why[0] = '\0';
		s->partial = false;
		ASSERT_EQ(0, op->setup(s)) TH_LOG("setup: %s", s->why);
		fail_arm(s->nth, n);
		ret = op->run(s);
		injected = fail_disarm(s->nth);
		if (ret < 0) {
			failed++;
			ASSERT_TRUE(injected)
				TH_LOG("failed with %s and no failure injected", strerror(-ret));
			ASSERT_TRUE(allowed(op->allowed, -ret))
				TH_LOG("allocation %u failed: %s, not a documented errno for it",
				       n, strerror(-ret));
		}
		ASSERT_EQ(0, op->check(s, ret))
			TH_LOG("allocation %u failed (ret %d): %s", n, ret, s->why);
		failed += s->partial;
		cleanup(s);
		ASSERT_EQ(0, module_usable(s))
			TH_LOG("after allocation %u failed (ret %d): %s", n, ret, s->why);
		if (!injected)
			break;
	}
	ASSERT_GE(MAX_NTH, n) TH_LOG("still meeting allocations after %d", MAX_NTH);

	server_stop(s);
	headroom(s, &after);
	EXPECT_EQ(s->before.endpoints, after.endpoints) TH_LOG("endpoint charges leaked");
	EXPECT_EQ(s->before.queued, after.queued) TH_LOG("queued-bytes charges leaked");
	EXPECT_EQ(s->before.buffer_pages, after.buffer_pages)
		TH_LOG("buffer charges leaked");

	TH_LOG("%u allocation points failed one by one: %u failed the operation, %u absorbed",
	       n - 1, failed, n - 1 - failed);
	atomic_fetch_add(&totals->ops, 1);
	atomic_fetch_add(&totals->points, n - 1);
}

FIXTURE(summary) {
};

FIXTURE_SETUP(summary)
{
}

FIXTURE_TEARDOWN(summary)
{
}

TEST_F(summary, total)
{
	if (!atomic_load(&totals->ops))
		SKIP(return, "no operation was swept");
	TH_LOG("%d operations swept, %ld allocation points failed in all",
	       atomic_load(&totals->ops), atomic_load(&totals->points));
}

TEST_HARNESS_MAIN
