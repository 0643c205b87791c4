// SPDX-License-Identifier: GPL-2.0
/*
 * Every documented error of every ioctl, one test per row of the error lists
 * in <linux/fastipc.h>: each test makes otherwise valid input fail for exactly
 * one reason and checks the errno, and where the ABI promises it, what the
 * kernel reports with the error and what state it leaves (a message still
 * queued, a token still good, a call withdrawn).
 *
 * The "abi" fixture covers the checks every ioctl shares (fd kind, struct
 * size, copying the struct in); "by_name" the lookups CONNECT and
 * OPEN_ENDPOINT share on a context fd; the "errors" fixture gives each test
 * a context, an anonymous endpoint and a connection to it.  Servers and
 * callers that must run at the same time are threads; waits that are meant
 * to end do so on an event, never on a guess at timing.  Module parameters
 * a test lowers are restored by the fixture's teardown.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fastipc.h"
#include "kselftest_harness.h"

#define MS		1000000ULL
#define SHORT_NS	(50 * MS)	/* a wait that is meant to run out */
#define LONG_NS		(5000 * MS)	/* a wait that must not */
#define SIGNAL_NS	(10000 * MS)	/* a wait a signal is meant to end */

/* The ioctl @cmd with a struct of @size bytes: the number carries the size. */
#define IOC_SIZED(cmd, size) \
	_IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), (size))

/* The lowest flag bit a _FLAGS_ALL mask leaves undefined. */
#define UNKNOWN_FLAG(all)	((__u32)(((all) + 1) & ~(all)))

#define PARAM_DIR	"/sys/module/fastipc/parameters/"

static const char request[] = "request";
static const char message[] = "one-way message";
static const char answer[] = "the answer";
static char big[65536];

/* ioctl(2), returning the result or a negative errno. */
static int ioc(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static __u64 uptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/* An address the kernel can neither read nor write. */
static void *bad_address(void)
{
	static void *page;

	if (!page)
		page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return page;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A field of /proc/self/fdinfo/@fd, or -1. */
static long fdinfo_field(int fd, const char *field)
{
	size_t n = strlen(field);
	char path[64], line[128];
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, n) && line[n] == ':') {
			value = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return value;
}

static void send_init(struct fastipc_send *req, const void *data, __u32 len)
{
	memset(req, 0, sizeof(*req));
	req->len = len;
	req->type = 1;
	req->data = uptr(data);
	req->timeout = fastipc_timeout_none();
}

static void call_init(struct fastipc_call *call, void *reply, __u32 capacity)
{
	memset(call, 0, sizeof(*call));
	call->len = sizeof(request);
	call->type = 1;
	call->data = uptr(request);
	call->reply_data = uptr(reply);
	call->reply_capacity = capacity;
	call->send_timeout = fastipc_timeout_rel(LONG_NS);
	call->reply_timeout = fastipc_timeout_rel(LONG_NS);
}

static void collect_init(struct fastipc_collect *req, __u64 cookie, void *reply,
			 __u32 capacity)
{
	memset(req, 0, sizeof(*req));
	req->cookie = cookie;
	req->reply_data = uptr(reply);
	req->reply_capacity = capacity;
	req->timeout = fastipc_timeout_rel(LONG_NS);
}

static void recv_init(struct fastipc_recv *req, void *buf, __u32 capacity)
{
	memset(req, 0, sizeof(*req));
	req->capacity = capacity;
	req->data = uptr(buf);
	req->timeout = fastipc_timeout_rel(LONG_NS);
}

static void reply_init(struct fastipc_reply *req, __u64 token, const void *data,
		       __u32 len)
{
	memset(req, 0, sizeof(*req));
	req->len = len;
	req->type = 7;
	req->data = uptr(data);
	req->token = token;
}

/* REPLY_RECV answering @token with `answer`, then receiving into @buf. */
static void reply_recv_init(struct fastipc_reply_recv *rr, __u64 token,
			    void *buf, __u32 capacity)
{
	memset(rr, 0, sizeof(*rr));
	reply_init(&rr->reply, token, answer, sizeof(answer));
	recv_init(&rr->recv, buf, capacity);
	rr->reply_error = 12345;	/* out: must be overwritten */
}

static int reply_to(int ep, __u64 token, const void *data, __u32 len)
{
	struct fastipc_reply req;

	reply_init(&req, token, data, len);
	return ioc(ep, FASTIPC_IOC_REPLY, &req);
}

/* --- signals -------------------------------------------------------------- */

/* A handler, so that the signal interrupts; it has nothing to do. */
static void on_signal(int sig)
{
}

/* SIGALRM runs a handler, without SA_RESTART: a wait it ends fails EINTR. */
static int catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGALRM, &sa, NULL);
}

/*
 * Wait until thread @tid sleeps in an ioctl, then 20 ms more: a wait a
 * signal ends after that has lasted longer than the coarsest clock tick, so
 * the time left it reports is less than what was given.  Nothing but the
 * signal ends the waits this is used for.
 */
static void wait_blocked_in_ioctl(pid_t tid)
{
	char path[64], expect[16], line[32];
	unsigned int ms;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	snprintf(expect, sizeof(expect), "%d ", SYS_ioctl);
	for (ms = 0; ms < LONG_NS / MS; ms++) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			break;
		len = read(fd, line, sizeof(line) - 1);
		close(fd);
		if (len > 0) {
			line[len] = '\0';
			if (!strncmp(line, expect, strlen(expect)))
				break;
		}
		usleep(1000);
	}
	usleep(20000);
}

/*
 * Once @target waits in an ioctl, signals it every 10 ms until stopped:
 * whichever signal finds it waiting ends the wait, so the outcome does not
 * depend on timing.
 */
struct interrupter {
	pthread_t thread;
	pthread_t target;
	pid_t target_tid;
	atomic_bool stop;
};

static void *interrupter_main(void *arg)
{
	struct interrupter *in = arg;

	wait_blocked_in_ioctl(in->target_tid);
	while (!atomic_load(&in->stop)) {
		pthread_kill(in->target, SIGALRM);
		usleep(10000);
	}
	return NULL;
}

static int interrupter_start(struct interrupter *in)
{
	int ret = catch_signals();

	if (ret)
		return -errno;
	in->target = pthread_self();
	in->target_tid = gettid();
	atomic_store(&in->stop, false);
	return -pthread_create(&in->thread, NULL, interrupter_main, in);
}

static void interrupter_stop(struct interrupter *in)
{
	atomic_store(&in->stop, true);
	pthread_join(in->thread, NULL);
}

/* --- servers and callers in threads --------------------------------------- */

/* A server thread on *@ep; it reports what it got, the test checks. */
struct server {
	pthread_t thread;
	int *ep;
	__u32 reply_len;	/* server_reply: the reply's length */
	bool interrupt;		/* server_hold: signal @caller meanwhile */
	pthread_t caller;
	pid_t caller_tid;
	atomic_bool caller_done;
	bool held_too_long;
	int recv_ret;
	int reply_ret;
	struct fastipc_msg_info info;
};

static int server_take(struct server *srv)
{
	struct fastipc_recv req;
	char buf[64];

	recv_init(&req, buf, sizeof(buf));
	srv->recv_ret = ioc(*srv->ep, FASTIPC_IOC_RECV, &req);
	srv->info = req.msg;
	return srv->recv_ret;
}

/* Take one call and answer it with reply_len bytes 0, 1, 2... of type 7. */
static void *server_reply(void *arg)
{
	struct server *srv = arg;
	unsigned char reply[256];
	unsigned int i;

	for (i = 0; i < sizeof(reply); i++)
		reply[i] = i;
	if (!server_take(srv))
		srv->reply_ret = reply_to(*srv->ep, srv->info.token, reply,
					  srv->reply_len);
	return NULL;
}

/*
 * Take one call and hold it until its caller has given up (signalling it
 * meanwhile if asked), then answer it.  Should the caller not give up within
 * LONG_NS, the answer ends its call and held_too_long tells.
 */
static void *server_hold(void *arg)
{
	struct server *srv = arg;
	unsigned int ms;

	if (server_take(srv))
		return NULL;
	if (srv->interrupt)
		wait_blocked_in_ioctl(srv->caller_tid);
	for (ms = 0; ms < LONG_NS / MS && !atomic_load(&srv->caller_done); ms++) {
		if (srv->interrupt && ms % 10 == 0)
			pthread_kill(srv->caller, SIGALRM);
		usleep(1000);
	}
	srv->held_too_long = !atomic_load(&srv->caller_done);
	srv->reply_ret = reply_to(*srv->ep, srv->info.token, answer, sizeof(answer));
	return NULL;
}

/* Take one call, then close the endpoint's only fd. */
static void *server_close_after_recv(void *arg)
{
	struct server *srv = arg;

	if (!server_take(srv)) {
		close(*srv->ep);
		*srv->ep = -1;
	}
	return NULL;
}

/* Close the endpoint's only fd as soon as something is queued on it. */
static void *server_close_when_queued(void *arg)
{
	struct server *srv = arg;
	struct pollfd pfd = { .fd = *srv->ep, .events = POLLIN };

	srv->recv_ret = poll(&pfd, 1, LONG_NS / MS) == 1 ? 0 : -ETIMEDOUT;
	if (!srv->recv_ret) {
		close(*srv->ep);
		*srv->ep = -1;
	}
	return NULL;
}

static int server_start(struct server *srv, int *ep, void *(*fn)(void *))
{
	srv->ep = ep;
	srv->caller = pthread_self();
	srv->caller_tid = gettid();
	atomic_store(&srv->caller_done, false);
	return pthread_create(&srv->thread, NULL, fn, srv);
}

static void server_stop(struct server *srv)
{
	atomic_store(&srv->caller_done, true);
	pthread_join(srv->thread, NULL);
}

/* A synchronous call from a thread, while the test serves. */
struct caller {
	pthread_t thread;
	int conn;
	struct fastipc_call call;
	char reply[64];
	int ret;
};

static void *caller_main(void *arg)
{
	struct caller *c = arg;

	c->ret = ioc(c->conn, FASTIPC_IOC_CALL, &c->call);
	return NULL;
}

static int caller_start(struct caller *c, int conn)
{
	c->conn = conn;
	call_init(&c->call, c->reply, sizeof(c->reply));
	return pthread_create(&c->thread, NULL, caller_main, c);
}

/* --- the checks every ioctl shares ----------------------------------------- */

enum fd_kind { FD_CONTEXT, FD_ENDPOINT, FD_CONNECTION, NR_FD_KINDS };
#define ON(kind)	(1u << (kind))

FIXTURE(abi) {
	int fd[NR_FD_KINDS];
	__u8 arg[256];
};

FIXTURE_VARIANT(abi) {
	unsigned long cmd;
	unsigned int size_ver0;
	enum fd_kind fd;	/* the fd the test issues it on */
	unsigned int known_on;	/* the fd kinds that know it */
};

FIXTURE_VARIANT_ADD(abi, get_info) {
	.cmd = FASTIPC_IOC_GET_INFO,
	.size_ver0 = FASTIPC_INFO_SIZE_VER0,
	.fd = FD_CONTEXT,
	.known_on = ON(FD_CONTEXT),
};

FIXTURE_VARIANT_ADD(abi, create_endpoint) {
	.cmd = FASTIPC_IOC_CREATE_ENDPOINT,
	.size_ver0 = FASTIPC_ENDPOINT_CREATE_SIZE_VER0,
	.fd = FD_CONTEXT,
	.known_on = ON(FD_CONTEXT),
};

FIXTURE_VARIANT_ADD(abi, connect_by_name) {
	.cmd = FASTIPC_IOC_CONNECT,
	.size_ver0 = FASTIPC_CONNECT_SIZE_VER0,
	.fd = FD_CONTEXT,
	.known_on = ON(FD_CONTEXT) | ON(FD_ENDPOINT),
};

FIXTURE_VARIANT_ADD(abi, connect_endpoint) {
	.cmd = FASTIPC_IOC_CONNECT,
	.size_ver0 = FASTIPC_CONNECT_SIZE_VER0,
	.fd = FD_ENDPOINT,
	.known_on = ON(FD_CONTEXT) | ON(FD_ENDPOINT),
};

FIXTURE_VARIANT_ADD(abi, open_endpoint) {
	.cmd = FASTIPC_IOC_OPEN_ENDPOINT,
	.size_ver0 = FASTIPC_CONNECT_SIZE_VER0,
	.fd = FD_CONTEXT,
	.known_on = ON(FD_CONTEXT),
};

FIXTURE_VARIANT_ADD(abi, stat_by_name) {
	.cmd = FASTIPC_IOC_STAT,
	.size_ver0 = FASTIPC_STAT_SIZE_VER0,
	.fd = FD_CONTEXT,
	.known_on = ON(FD_CONTEXT) | ON(FD_ENDPOINT),
};

FIXTURE_VARIANT_ADD(abi, stat_endpoint) {
	.cmd = FASTIPC_IOC_STAT,
	.size_ver0 = FASTIPC_STAT_SIZE_VER0,
	.fd = FD_ENDPOINT,
	.known_on = ON(FD_CONTEXT) | ON(FD_ENDPOINT),
};

FIXTURE_VARIANT_ADD(abi, set_by_name) {
	.cmd = FASTIPC_IOC_SET,
	.size_ver0 = FASTIPC_SET_SIZE_VER0,
	.fd = FD_CONTEXT,
	.known_on = ON(FD_CONTEXT) | ON(FD_ENDPOINT),
};

FIXTURE_VARIANT_ADD(abi, set_endpoint) {
	.cmd = FASTIPC_IOC_SET,
	.size_ver0 = FASTIPC_SET_SIZE_VER0,
	.fd = FD_ENDPOINT,
	.known_on = ON(FD_CONTEXT) | ON(FD_ENDPOINT),
};

FIXTURE_VARIANT_ADD(abi, unlink) {
	.cmd = FASTIPC_IOC_UNLINK,
	.size_ver0 = FASTIPC_UNLINK_SIZE_VER0,
	.fd = FD_CONTEXT,
	.known_on = ON(FD_CONTEXT),
};

FIXTURE_VARIANT_ADD(abi, buffer_create) {
	.cmd = FASTIPC_IOC_BUFFER_CREATE,
	.size_ver0 = FASTIPC_BUFFER_CREATE_SIZE_VER0,
	.fd = FD_CONNECTION,
	.known_on = ON(FD_CONNECTION),
};

FIXTURE_VARIANT_ADD(abi, send) {
	.cmd = FASTIPC_IOC_SEND,
	.size_ver0 = FASTIPC_SEND_SIZE_VER0,
	.fd = FD_CONNECTION,
	.known_on = ON(FD_CONNECTION),
};

FIXTURE_VARIANT_ADD(abi, call) {
	.cmd = FASTIPC_IOC_CALL,
	.size_ver0 = FASTIPC_CALL_SIZE_VER0,
	.fd = FD_CONNECTION,
	.known_on = ON(FD_CONNECTION),
};

FIXTURE_VARIANT_ADD(abi, collect) {
	.cmd = FASTIPC_IOC_COLLECT,
	.size_ver0 = FASTIPC_COLLECT_SIZE_VER0,
	.fd = FD_CONNECTION,
	.known_on = ON(FD_CONNECTION),
};

FIXTURE_VARIANT_ADD(abi, recv) {
	.cmd = FASTIPC_IOC_RECV,
	.size_ver0 = FASTIPC_RECV_SIZE_VER0,
	.fd = FD_ENDPOINT,
	.known_on = ON(FD_ENDPOINT),
};

FIXTURE_VARIANT_ADD(abi, reply) {
	.cmd = FASTIPC_IOC_REPLY,
	.size_ver0 = FASTIPC_REPLY_SIZE_VER0,
	.fd = FD_ENDPOINT,
	.known_on = ON(FD_ENDPOINT),
};

FIXTURE_VARIANT_ADD(abi, reply_recv) {
	.cmd = FASTIPC_IOC_REPLY_RECV,
	.size_ver0 = FASTIPC_REPLY_RECV_SIZE_VER0,
	.fd = FD_ENDPOINT,
	.known_on = ON(FD_ENDPOINT),
};

FIXTURE_SETUP(abi)
{
	self->fd[FD_ENDPOINT] = -1;
	self->fd[FD_CONNECTION] = -1;
	self->fd[FD_CONTEXT] = fastipc_open();
	ASSERT_LE(0, self->fd[FD_CONTEXT]);
	self->fd[FD_ENDPOINT] = fastipc_endpoint_create(self->fd[FD_CONTEXT], NULL, 0600);
	ASSERT_LE(0, self->fd[FD_ENDPOINT]);
	self->fd[FD_CONNECTION] = fastipc_connect_endpoint(self->fd[FD_ENDPOINT]);
	ASSERT_LE(0, self->fd[FD_CONNECTION]);
	memset(self->arg, 0, sizeof(self->arg));
	/* The table is kept in step with the header; structs only grow. */
	ASSERT_LE(variant->size_ver0, _IOC_SIZE(variant->cmd));
}

FIXTURE_TEARDOWN(abi)
{
	int i;

	for (i = NR_FD_KINDS - 1; i >= 0; i--)
		if (self->fd[i] >= 0)
			close(self->fd[i]);
}

/* ENOTTY: the ioctl on a kind of fd that does not know it. */
TEST_F(abi, wrong_fd_enotty)
{
	int kind, tried = 0;

	for (kind = 0; kind < NR_FD_KINDS; kind++) {
		if (variant->known_on & ON(kind))
			continue;
		EXPECT_EQ(-ENOTTY, ioc(self->fd[kind], variant->cmd, self->arg))
			TH_LOG("fd kind %d", kind);
		tried++;
	}
	EXPECT_LT(0, tried);
}

/* EINVAL: a struct shorter than its _SIZE_VER0. */
TEST_F(abi, too_short_struct_einval)
{
	int fd = self->fd[variant->fd];

	EXPECT_EQ(-EINVAL, ioc(fd, IOC_SIZED(variant->cmd, variant->size_ver0 - 8),
			       self->arg));
	EXPECT_EQ(-EINVAL, ioc(fd, IOC_SIZED(variant->cmd, variant->size_ver0 - 1),
			       self->arg));
	EXPECT_EQ(-EINVAL, ioc(fd, IOC_SIZED(variant->cmd, 0), self->arg));
}

/* EFAULT: the struct cannot be copied in. */
TEST_F(abi, unreadable_struct_efault)
{
	int fd = self->fd[variant->fd];

	EXPECT_EQ(-EFAULT, ioc(fd, variant->cmd, NULL));
	EXPECT_EQ(-EFAULT, ioc(fd, variant->cmd, bad_address()));
}

/* E2BIG: a longer struct with a non-zero byte past the known fields. */
TEST_F(abi, nonzero_tail_e2big)
{
	int fd = self->fd[variant->fd];

	self->arg[_IOC_SIZE(variant->cmd) + 7] = 1;
	EXPECT_EQ(-E2BIG, ioc(fd, IOC_SIZED(variant->cmd, _IOC_SIZE(variant->cmd) + 8),
			      self->arg));
}

/* --- the errors of each ioctl ----------------------------------------------- */

struct saved_param {
	const char *name;
	char value[32];
};

FIXTURE(errors) {
	int ctx;
	int ep;
	int conn;
	char name[FASTIPC_NAME_MAX];
	int nr_saved;
	struct saved_param saved[4];
};

static int param_read(const char *name, char *buf, size_t size)
{
	char path[128];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len <= 0)
		return -EIO;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int param_write(const char *name, const char *value)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Set a module parameter for this test; the teardown restores it. */
static void set_param(struct __test_metadata *_metadata,
		      FIXTURE_DATA(errors) *self, const char *name,
		      unsigned long value)
{
	struct saved_param *saved = NULL;
	char text[32];
	int i;

	for (i = 0; i < self->nr_saved; i++)
		if (!strcmp(self->saved[i].name, name))
			saved = &self->saved[i];
	if (!saved) {
		ASSERT_GT(ARRAY_SIZE(self->saved), self->nr_saved);
		saved = &self->saved[self->nr_saved];
		ASSERT_EQ(0, param_read(name, saved->value, sizeof(saved->value)));
		saved->name = name;
		self->nr_saved++;
	}
	snprintf(text, sizeof(text), "%lu", value);
	ASSERT_EQ(0, param_write(name, text)) TH_LOG("%s=%s", name, text);
}

FIXTURE_SETUP(errors)
{
	self->ep = -1;
	self->conn = -1;
	self->nr_saved = 0;
	self->ctx = fastipc_open();
	ASSERT_LE(0, self->ctx) TH_LOG("open %s: %s", FASTIPC_DEVICE_PATH,
				       strerror(-self->ctx));
	self->ep = fastipc_endpoint_create(self->ctx, NULL, 0600);
	ASSERT_LE(0, self->ep);
	self->conn = fastipc_connect_endpoint(self->ep);
	ASSERT_LE(0, self->conn);
	snprintf(self->name, sizeof(self->name), "errors_test.%d", getpid());
}

FIXTURE_TEARDOWN(errors)
{
	int i;

	if (self->conn >= 0)
		close(self->conn);
	if (self->ep >= 0)
		close(self->ep);
	close(self->ctx);
	for (i = self->nr_saved; i > 0; i--) {
		const struct saved_param *saved = &self->saved[i - 1];

		EXPECT_EQ(0, param_write(saved->name, saved->value))
			TH_LOG("restoring %s=%s", saved->name, saved->value);
	}
}

/* Queue `message` on the fixture's endpoint. */
static void queue_message(struct __test_metadata *_metadata,
			  FIXTURE_DATA(errors) *self)
{
	struct fastipc_send req;

	send_init(&req, message, sizeof(message));
	ASSERT_EQ(0, ioc(self->conn, FASTIPC_IOC_SEND, &req));
}

/* Lower the queue depth to 1 and fill the queue with `message`. */
static void fill_queue(struct __test_metadata *_metadata,
		       FIXTURE_DATA(errors) *self)
{
	set_param(_metadata, self, "queue_depth", 1);
	queue_message(_metadata, self);
}

/* The next message queued is `message`, and nothing is queued behind it. */
static void expect_only_message(struct __test_metadata *_metadata,
				FIXTURE_DATA(errors) *self)
{
	struct fastipc_recv req;
	char buf[64];

	recv_init(&req, buf, sizeof(buf));
	req.timeout = fastipc_timeout_none();
	ASSERT_EQ(0, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	EXPECT_EQ(sizeof(message), req.msg.len);
	EXPECT_EQ(0, memcmp(buf, message, sizeof(message)));
	EXPECT_EQ(-EAGAIN, ioc(self->ep, FASTIPC_IOC_RECV, &req));
}

/* An async call of `request`, taken by the endpoint: its reply is owed. */
static void pending_call(struct __test_metadata *_metadata,
			 FIXTURE_DATA(errors) *self, __u64 *cookie, __u64 *token)
{
	struct fastipc_call call;
	struct fastipc_recv req;
	char buf[64];

	call_init(&call, NULL, 0);
	call.flags = FASTIPC_CALL_ASYNC;
	ASSERT_EQ(0, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	ASSERT_NE(0, call.cookie);
	recv_init(&req, buf, sizeof(buf));
	ASSERT_EQ(0, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	ASSERT_EQ(FASTIPC_MSG_CALL, req.msg.flags);
	ASSERT_NE(0, req.msg.token);
	*cookie = call.cookie;
	*token = req.msg.token;
}

/* An async call answered with `answer`, waiting to be collected. */
static void finished_call(struct __test_metadata *_metadata,
			  FIXTURE_DATA(errors) *self, __u64 *cookie)
{
	__u64 token;

	pending_call(_metadata, self, cookie, &token);
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
}

/* The async call @cookie was answered with `answer`. */
static void expect_answer(struct __test_metadata *_metadata,
			  FIXTURE_DATA(errors) *self, __u64 cookie)
{
	struct fastipc_collect req;
	char buf[64];

	collect_init(&req, cookie, buf, sizeof(buf));
	ASSERT_EQ(0, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	EXPECT_EQ(cookie, req.cookie);
	EXPECT_EQ(sizeof(answer), req.reply_len);
	EXPECT_EQ(7, req.reply_type);
	EXPECT_EQ(0, memcmp(buf, answer, sizeof(answer)));
}

/* Use up the fd table: the next fd fails EMFILE.  Returns the last fd. */
static int fill_fd_table(struct __test_metadata *_metadata, int fd)
{
	struct rlimit rl;
	int last = -1, dup_fd;

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	rl.rlim_cur = 64;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	while ((dup_fd = dup(fd)) >= 0)
		last = dup_fd;
	ASSERT_EQ(EMFILE, errno);
	ASSERT_LE(0, last);
	return last;
}

/* GET_INFO */

TEST_F(errors, get_info_unknown_flag_einval)
{
	struct fastipc_info info = { .flags = UNKNOWN_FLAG(FASTIPC_INFO_FLAGS_ALL) };

	EXPECT_EQ(-EINVAL, ioc(self->ctx, FASTIPC_IOC_GET_INFO, &info));
}

TEST_F(errors, get_info_reserved_einval)
{
	struct fastipc_info info = { .__reserved = 1 };

	EXPECT_EQ(-EINVAL, ioc(self->ctx, FASTIPC_IOC_GET_INFO, &info));
}

/* CREATE_ENDPOINT */

static int create(int ctx, __u32 flags, __u32 mode, const char *name)
{
	struct fastipc_endpoint_create req = {
		.flags = flags,
		.mode = mode,
		.name = uptr(name),
	};

	return ioc(ctx, FASTIPC_IOC_CREATE_ENDPOINT, &req);
}

TEST_F(errors, create_unknown_flag_einval)
{
	__u32 flag = UNKNOWN_FLAG(FASTIPC_ENDPOINT_FLAGS_ALL);

	EXPECT_EQ(-EINVAL, create(self->ctx, flag, 0600, self->name));
	EXPECT_EQ(-EINVAL, create(self->ctx, 1u << 31, 0600, NULL));
}

TEST_F(errors, create_mode_above_0777_einval)
{
	EXPECT_EQ(-EINVAL, create(self->ctx, 0, 01000, self->name));
	EXPECT_EQ(-EINVAL, create(self->ctx, 0, 04777, self->name));
	EXPECT_EQ(-EINVAL, create(self->ctx, 0, 0x10000, NULL));
}

TEST_F(errors, create_persistent_without_name_einval)
{
	EXPECT_EQ(-EINVAL, create(self->ctx, FASTIPC_ENDPOINT_PERSISTENT, 0600, NULL));
}

TEST_F(errors, create_unreadable_name_efault)
{
	EXPECT_EQ(-EFAULT, create(self->ctx, 0, 0600, bad_address()));
}

TEST_F(errors, create_name_too_long_enametoolong)
{
	char name[FASTIPC_NAME_MAX + 1];
	int fd;

	memset(name, 'n', FASTIPC_NAME_MAX);
	name[FASTIPC_NAME_MAX] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, create(self->ctx, 0, 0600, name));
	/* One character less fits. */
	name[FASTIPC_NAME_MAX - 1] = '\0';
	fd = create(self->ctx, 0, 0600, name);
	EXPECT_LE(0, fd);
	close(fd);
}

TEST_F(errors, create_empty_name_einval)
{
	EXPECT_EQ(-EINVAL, create(self->ctx, 0, 0600, ""));
}

TEST_F(errors, create_bad_character_einval)
{
	static const char * const names[] = {
		"with space", "star*", "back\\slash", "new\nline", "tab\t",
		"percent%", "comma,", "del\x7f",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		EXPECT_EQ(-EINVAL, create(self->ctx, 0, 0600, names[i]))
			TH_LOG("name #%u", i);
}

/* Bytes above 0x7f are outside the set too, Latin-1 letters included. */
TEST_F(errors, create_non_ascii_character_einval)
{
	static const char * const names[] = {
		"caf\xe9",		/* Latin-1 e acute */
		"caf\xc3\xa9",		/* UTF-8 e acute */
		"\xc0\xc1\xc2",		/* Latin-1 capitals */
	};
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		fd = create(self->ctx, 0, 0600, names[i]);
		EXPECT_EQ(-EINVAL, fd) TH_LOG("name #%u", i);
		if (fd >= 0)
			close(fd);
	}
}

TEST_F(errors, create_over_max_endpoints_enospc)
{
	int fds[4], n = 0, fd = 0;

	/* The fixture's endpoint is this user's only one. */
	set_param(_metadata, self, "max_endpoints", 2);
	while (n < 3) {
		fd = create(self->ctx, 0, 0600, NULL);
		if (fd < 0)
			break;
		fds[n++] = fd;
	}
	EXPECT_EQ(-ENOSPC, fd);
	EXPECT_EQ(1, n);
	/* A named one is refused as well, and its name stays free. */
	EXPECT_EQ(-ENOSPC, create(self->ctx, 0, 0600, self->name));
	EXPECT_EQ(-ENOENT, fastipc_connect(self->ctx, self->name));
	/* Closing one makes room. */
	if (n) {
		close(fds[--n]);
		fd = create(self->ctx, 0, 0600, NULL);
		EXPECT_LE(0, fd);
		if (fd >= 0)
			fds[n++] = fd;
	}
	while (n)
		close(fds[--n]);
}

TEST_F(errors, create_duplicate_name_eexist)
{
	int fd;

	fd = create(self->ctx, 0, 0600, self->name);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, create(self->ctx, 0, 0600, self->name));
	close(fd);
	/* Free again once its endpoint is closed. */
	fd = create(self->ctx, 0, 0600, self->name);
	EXPECT_LE(0, fd);
	close(fd);
}

TEST_F(errors, create_no_free_fd_emfile)
{
	int last, fd;

	last = fill_fd_table(_metadata, self->ctx);
	EXPECT_EQ(-EMFILE, create(self->ctx, 0, 0600, self->name));
	/* Nothing was left behind: the name is free. */
	close(last);
	fd = create(self->ctx, 0, 0600, self->name);
	EXPECT_LE(0, fd);
	close(fd);
}

/* CONNECT on an endpoint fd */

static int connect_to(int fd, __u32 flags, __u32 reserved, const char *name)
{
	struct fastipc_connect req = {
		.flags = flags,
		.__reserved = reserved,
		.name = uptr(name),
	};

	return ioc(fd, FASTIPC_IOC_CONNECT, &req);
}

/* A named endpoint besides the fixture's anonymous one. */
static int named_endpoint(struct __test_metadata *_metadata,
			  FIXTURE_DATA(errors) *self)
{
	int fd = create(self->ctx, 0, 0600, self->name);

	EXPECT_LE(0, fd);
	return fd;
}

TEST_F(errors, connect_endpoint_unknown_flag_einval)
{
	__u32 flag = UNKNOWN_FLAG(FASTIPC_CONNECT_FLAGS_ALL);

	EXPECT_EQ(-EINVAL, connect_to(self->ep, flag, 0, NULL));
}

TEST_F(errors, connect_endpoint_reserved_einval)
{
	EXPECT_EQ(-EINVAL, connect_to(self->ep, 0, 1, NULL));
}

TEST_F(errors, connect_endpoint_bad_timeout_einval)
{
	struct fastipc_connect req = { 0 };

	req.timeout.mode = FASTIPC_WAIT_ABSOLUTE + 1;
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_CONNECT, &req));
	req.timeout.mode = FASTIPC_WAIT_INFINITE;
	req.timeout.__reserved = 1;
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_CONNECT, &req));
}

TEST_F(errors, connect_name_on_endpoint_fd_einval)
{
	int ep = named_endpoint(_metadata, self);

	EXPECT_EQ(-EINVAL, connect_to(ep, 0, 0, self->name));
	close(ep);
}

TEST_F(errors, connect_wait_on_endpoint_fd_einval)
{
	EXPECT_EQ(-EINVAL, connect_to(self->ep, FASTIPC_CONNECT_WAIT, 0, NULL));
}

TEST_F(errors, connect_endpoint_no_free_fd_emfile)
{
	int last;

	last = fill_fd_table(_metadata, self->ctx);
	EXPECT_EQ(-EMFILE, connect_to(self->ep, 0, 0, NULL));
	close(last);
	last = connect_to(self->ep, 0, 0, NULL);
	EXPECT_LE(0, last);
	close(last);
}

/* STAT */

static void stat_init(struct fastipc_endpoint_stat *st, const char *name)
{
	memset(st, 0, sizeof(*st));
	st->name = uptr(name);
}

static int stat_of(int fd, struct fastipc_endpoint_stat *st)
{
	return ioc(fd, FASTIPC_IOC_STAT, st);
}

TEST_F(errors, stat_unknown_flag_einval)
{
	struct fastipc_endpoint_stat st;
	int ep = named_endpoint(_metadata, self);

	stat_init(&st, self->name);
	st.flags = 1;
	EXPECT_EQ(-EINVAL, stat_of(self->ctx, &st));
	stat_init(&st, NULL);
	st.flags = 1u << 31;
	EXPECT_EQ(-EINVAL, stat_of(ep, &st));
	close(ep);
}

TEST_F(errors, stat_reserved_einval)
{
	struct fastipc_endpoint_stat st;
	int ep = named_endpoint(_metadata, self);

	stat_init(&st, self->name);
	st.__reserved = 1;
	EXPECT_EQ(-EINVAL, stat_of(self->ctx, &st));
	stat_init(&st, NULL);
	st.__reserved = 1;
	EXPECT_EQ(-EINVAL, stat_of(ep, &st));
	close(ep);
}

TEST_F(errors, stat_name_on_endpoint_fd_einval)
{
	struct fastipc_endpoint_stat st;
	int ep = named_endpoint(_metadata, self);

	stat_init(&st, self->name);
	EXPECT_EQ(-EINVAL, stat_of(ep, &st));
	stat_init(&st, NULL);
	EXPECT_EQ(0, stat_of(ep, &st));
	close(ep);
}

TEST_F(errors, stat_no_name_on_context_einval)
{
	struct fastipc_endpoint_stat st;

	stat_init(&st, NULL);
	EXPECT_EQ(-EINVAL, stat_of(self->ctx, &st));
}

TEST_F(errors, stat_unreadable_name_efault)
{
	struct fastipc_endpoint_stat st;

	stat_init(&st, bad_address());
	EXPECT_EQ(-EFAULT, stat_of(self->ctx, &st));
}

TEST_F(errors, stat_name_too_long_enametoolong)
{
	struct fastipc_endpoint_stat st;
	char name[FASTIPC_NAME_MAX + 1];

	memset(name, 'n', FASTIPC_NAME_MAX);
	name[FASTIPC_NAME_MAX] = '\0';
	stat_init(&st, name);
	EXPECT_EQ(-ENAMETOOLONG, stat_of(self->ctx, &st));
}

TEST_F(errors, stat_bad_name_einval)
{
	struct fastipc_endpoint_stat st;

	stat_init(&st, "");
	EXPECT_EQ(-EINVAL, stat_of(self->ctx, &st));
	stat_init(&st, "with space");
	EXPECT_EQ(-EINVAL, stat_of(self->ctx, &st));
}

TEST_F(errors, stat_unknown_name_enoent)
{
	struct fastipc_endpoint_stat st;
	int ep = named_endpoint(_metadata, self);

	stat_init(&st, self->name);
	EXPECT_EQ(0, stat_of(self->ctx, &st));
	close(ep);
	stat_init(&st, self->name);
	EXPECT_EQ(-ENOENT, stat_of(self->ctx, &st));
}

/* SET */

static void set_init(struct fastipc_endpoint_set *set, const char *name,
		     __u32 flags, __u32 mode)
{
	memset(set, 0, sizeof(*set));
	set->name = uptr(name);
	set->flags = flags;
	set->mode = mode;
}

/* The mode STAT reports for the endpoint behind @ep. */
static int mode_of(int ep)
{
	struct fastipc_endpoint_stat st;

	stat_init(&st, NULL);
	return stat_of(ep, &st) ?: (int)st.mode;
}

TEST_F(errors, set_unknown_flag_einval)
{
	struct fastipc_endpoint_set set;
	int ep = named_endpoint(_metadata, self);

	set_init(&set, self->name, FASTIPC_SET_MODE, 0666);
	set.flags |= UNKNOWN_FLAG(FASTIPC_SET_FLAGS_ALL);
	EXPECT_EQ(-EINVAL, ioc(self->ctx, FASTIPC_IOC_SET, &set));
	EXPECT_EQ(0600, mode_of(ep));
	close(ep);
}

TEST_F(errors, set_mode_above_0777_einval)
{
	struct fastipc_endpoint_set set;
	int ep = named_endpoint(_metadata, self);

	set_init(&set, self->name, FASTIPC_SET_MODE, 01666);
	EXPECT_EQ(-EINVAL, ioc(self->ctx, FASTIPC_IOC_SET, &set));
	set_init(&set, NULL, FASTIPC_SET_MODE, 04600);
	EXPECT_EQ(-EINVAL, ioc(ep, FASTIPC_IOC_SET, &set));
	EXPECT_EQ(0600, mode_of(ep));
	close(ep);
}

TEST_F(errors, set_name_on_endpoint_fd_einval)
{
	struct fastipc_endpoint_set set;
	int ep = named_endpoint(_metadata, self);

	set_init(&set, self->name, FASTIPC_SET_MODE, 0666);
	EXPECT_EQ(-EINVAL, ioc(ep, FASTIPC_IOC_SET, &set));
	EXPECT_EQ(0600, mode_of(ep));
	close(ep);
}

TEST_F(errors, set_no_name_on_context_einval)
{
	struct fastipc_endpoint_set set;

	set_init(&set, NULL, FASTIPC_SET_MODE, 0666);
	EXPECT_EQ(-EINVAL, ioc(self->ctx, FASTIPC_IOC_SET, &set));
}

TEST_F(errors, set_unreadable_name_efault)
{
	struct fastipc_endpoint_set set;

	set_init(&set, bad_address(), FASTIPC_SET_MODE, 0666);
	EXPECT_EQ(-EFAULT, ioc(self->ctx, FASTIPC_IOC_SET, &set));
}

TEST_F(errors, set_name_too_long_enametoolong)
{
	struct fastipc_endpoint_set set;
	char name[FASTIPC_NAME_MAX + 1];

	memset(name, 'n', FASTIPC_NAME_MAX);
	name[FASTIPC_NAME_MAX] = '\0';
	set_init(&set, name, FASTIPC_SET_MODE, 0666);
	EXPECT_EQ(-ENAMETOOLONG, ioc(self->ctx, FASTIPC_IOC_SET, &set));
}

TEST_F(errors, set_bad_name_einval)
{
	struct fastipc_endpoint_set set;

	set_init(&set, "", FASTIPC_SET_MODE, 0666);
	EXPECT_EQ(-EINVAL, ioc(self->ctx, FASTIPC_IOC_SET, &set));
	set_init(&set, "with space", FASTIPC_SET_MODE, 0666);
	EXPECT_EQ(-EINVAL, ioc(self->ctx, FASTIPC_IOC_SET, &set));
}

TEST_F(errors, set_unknown_name_enoent)
{
	struct fastipc_endpoint_set set;

	set_init(&set, self->name, FASTIPC_SET_MODE, 0666);
	EXPECT_EQ(-ENOENT, ioc(self->ctx, FASTIPC_IOC_SET, &set));
}

TEST_F(errors, set_unmapped_id_einval)
{
	struct fastipc_endpoint_set set;
	int ep = named_endpoint(_metadata, self);

	set_init(&set, self->name, FASTIPC_SET_UID | FASTIPC_SET_MODE, 0666);
	set.uid = (__u32)-1;
	EXPECT_EQ(-EINVAL, ioc(self->ctx, FASTIPC_IOC_SET, &set));
	set_init(&set, NULL, FASTIPC_SET_GID | FASTIPC_SET_MODE, 0666);
	set.gid = (__u32)-1;
	EXPECT_EQ(-EINVAL, ioc(ep, FASTIPC_IOC_SET, &set));
	EXPECT_EQ(0600, mode_of(ep));
	close(ep);
}

/* Run @fn(@arg) in a child that is nobody, with no capability; its result. */
static int as_nobody(int (*fn)(void *arg), void *arg)
{
	int status, ret;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(255);
		ret = fn(arg);
		_exit(ret < 0 ? -ret : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

struct nobody_op {
	int fd;
	unsigned long cmd;
	void *arg;
};

static int nobody_ioctl(void *arg)
{
	struct nobody_op *op = arg;

	return ioc(op->fd, op->cmd, op->arg);
}

TEST_F(errors, set_not_owner_eperm)
{
	struct fastipc_endpoint_set set;
	struct nobody_op op = { .cmd = FASTIPC_IOC_SET, .arg = &set };
	int ep = named_endpoint(_metadata, self);

	set_init(&set, self->name, FASTIPC_SET_MODE, 0666);
	op.fd = self->ctx;
	EXPECT_EQ(-EPERM, as_nobody(nobody_ioctl, &op));
	set_init(&set, NULL, FASTIPC_SET_MODE, 0666);
	op.fd = ep;
	EXPECT_EQ(-EPERM, as_nobody(nobody_ioctl, &op));
	EXPECT_EQ(0600, mode_of(ep));
	close(ep);
}

/* UNLINK */

static int unlink_name(int ctx, __u32 flags, __u32 reserved, const void *name)
{
	struct fastipc_unlink req = {
		.name = uptr(name),
		.flags = flags,
		.__reserved = reserved,
	};

	return ioc(ctx, FASTIPC_IOC_UNLINK, &req);
}

/* The name still leads to the endpoint. */
static void expect_named(struct __test_metadata *_metadata,
			 FIXTURE_DATA(errors) *self)
{
	struct fastipc_endpoint_stat st;

	stat_init(&st, self->name);
	EXPECT_EQ(0, stat_of(self->ctx, &st));
}

TEST_F(errors, unlink_unknown_flag_einval)
{
	int ep = named_endpoint(_metadata, self);

	EXPECT_EQ(-EINVAL, unlink_name(self->ctx, UNKNOWN_FLAG(FASTIPC_UNLINK_FLAGS_ALL),
				       0, self->name));
	EXPECT_EQ(-EINVAL, unlink_name(self->ctx, 1u << 31, 0, self->name));
	expect_named(_metadata, self);
	close(ep);
}

TEST_F(errors, unlink_reserved_einval)
{
	int ep = named_endpoint(_metadata, self);

	EXPECT_EQ(-EINVAL, unlink_name(self->ctx, 0, 1, self->name));
	expect_named(_metadata, self);
	close(ep);
}

TEST_F(errors, unlink_unreadable_name_efault)
{
	EXPECT_EQ(-EFAULT, unlink_name(self->ctx, 0, 0, bad_address()));
	EXPECT_EQ(-EFAULT, unlink_name(self->ctx, 0, 0, NULL));
}

TEST_F(errors, unlink_name_too_long_enametoolong)
{
	char name[FASTIPC_NAME_MAX + 1];

	memset(name, 'n', FASTIPC_NAME_MAX);
	name[FASTIPC_NAME_MAX] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, unlink_name(self->ctx, 0, 0, name));
}

TEST_F(errors, unlink_bad_name_einval)
{
	EXPECT_EQ(-EINVAL, unlink_name(self->ctx, 0, 0, ""));
	EXPECT_EQ(-EINVAL, unlink_name(self->ctx, 0, 0, "with space"));
}

TEST_F(errors, unlink_unknown_name_enoent)
{
	int ep = named_endpoint(_metadata, self);

	EXPECT_EQ(-ENOENT, unlink_name(self->ctx, 0, 0, "errors_test.nobody"));
	EXPECT_EQ(0, unlink_name(self->ctx, 0, 0, self->name));
	/* Gone at once, though its endpoint still serves its fd. */
	EXPECT_EQ(-ENOENT, unlink_name(self->ctx, 0, 0, self->name));
	EXPECT_EQ(0600, mode_of(ep));
	close(ep);
}

TEST_F(errors, unlink_not_owner_eperm)
{
	struct fastipc_unlink req = { 0 };
	struct nobody_op op = { .fd = self->ctx, .cmd = FASTIPC_IOC_UNLINK, .arg = &req };
	int ep = named_endpoint(_metadata, self);

	req.name = uptr(self->name);
	EXPECT_EQ(-EPERM, as_nobody(nobody_ioctl, &op));
	expect_named(_metadata, self);
	close(ep);
}

/* BUFFER_CREATE: its struct's rules (it has no error list of its own) */

TEST_F(errors, buffer_create_unknown_flag_einval)
{
	struct fastipc_buffer_create req = { .size = 4 * getpagesize() };

	req.flags = UNKNOWN_FLAG(FASTIPC_BUFFER_FLAGS_ALL);
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_BUFFER_CREATE, &req));
	req.flags = 0;
	EXPECT_EQ(0, ioc(self->conn, FASTIPC_IOC_BUFFER_CREATE, &req));
}

TEST_F(errors, buffer_create_reserved_einval)
{
	struct fastipc_buffer_create req = { .size = 4 * getpagesize() };

	req.__reserved = 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_BUFFER_CREATE, &req));
	req.__reserved = 0;
	EXPECT_EQ(0, ioc(self->conn, FASTIPC_IOC_BUFFER_CREATE, &req));
}

/*
 * CONNECT and OPEN_ENDPOINT on a context fd: both find an endpoint by name
 * with the same checks; CONNECT needs write permission, OPEN_ENDPOINT read.
 */
FIXTURE(by_name) {
	int ctx;
	int ep;
	char name[FASTIPC_NAME_MAX];
};

FIXTURE_VARIANT(by_name) {
	unsigned long cmd;
	__u32 deny_mode;	/* others may not do it */
	__u32 allow_mode;	/* others may do just it */
};

FIXTURE_VARIANT_ADD(by_name, connect) {
	.cmd = FASTIPC_IOC_CONNECT,
	.deny_mode = 0604,
	.allow_mode = 0602,
};

FIXTURE_VARIANT_ADD(by_name, open_endpoint) {
	.cmd = FASTIPC_IOC_OPEN_ENDPOINT,
	.deny_mode = 0602,
	.allow_mode = 0604,
};

FIXTURE_SETUP(by_name)
{
	self->ep = -1;
	self->ctx = fastipc_open();
	ASSERT_LE(0, self->ctx);
	snprintf(self->name, sizeof(self->name), "errors_test.%d", getpid());
	self->ep = create(self->ctx, 0, 0600, self->name);
	ASSERT_LE(0, self->ep);
}

FIXTURE_TEARDOWN(by_name)
{
	if (self->ep >= 0)
		close(self->ep);
	close(self->ctx);
}

static void by_name_init(struct fastipc_connect *req, const void *name)
{
	memset(req, 0, sizeof(*req));
	req->name = uptr(name);
}

/* The ioctl with @req on the context; an fd it makes is closed. */
static int by_name(FIXTURE_DATA(by_name) *self,
		   const FIXTURE_VARIANT(by_name) *variant,
		   struct fastipc_connect *req)
{
	int ret = ioc(self->ctx, variant->cmd, req);

	if (ret >= 0)
		close(ret);
	return ret;
}

TEST_F(by_name, unknown_flag_einval)
{
	struct fastipc_connect req;

	by_name_init(&req, self->name);
	req.flags = UNKNOWN_FLAG(FASTIPC_CONNECT_FLAGS_ALL);
	EXPECT_EQ(-EINVAL, by_name(self, variant, &req));
	req.flags = 1u << 31;
	EXPECT_EQ(-EINVAL, by_name(self, variant, &req));
	req.flags = 0;
	EXPECT_LE(0, by_name(self, variant, &req));
}

TEST_F(by_name, reserved_einval)
{
	struct fastipc_connect req;

	by_name_init(&req, self->name);
	req.__reserved = 1;
	EXPECT_EQ(-EINVAL, by_name(self, variant, &req));
}

TEST_F(by_name, timeout_unknown_mode_einval)
{
	struct fastipc_connect req;

	by_name_init(&req, self->name);
	req.flags = FASTIPC_CONNECT_WAIT;
	req.timeout.mode = FASTIPC_WAIT_ABSOLUTE + 1;
	EXPECT_EQ(-EINVAL, by_name(self, variant, &req));
	req.flags = 0;
	EXPECT_EQ(-EINVAL, by_name(self, variant, &req));
}

TEST_F(by_name, timeout_none_with_ns_einval)
{
	struct fastipc_connect req;

	by_name_init(&req, self->name);
	req.flags = FASTIPC_CONNECT_WAIT;
	req.timeout.mode = FASTIPC_WAIT_NONE;
	req.timeout.ns = 1;
	EXPECT_EQ(-EINVAL, by_name(self, variant, &req));
}

TEST_F(by_name, timeout_reserved_einval)
{
	struct fastipc_connect req;

	by_name_init(&req, self->name);
	req.flags = FASTIPC_CONNECT_WAIT;
	req.timeout.__reserved = 1;
	EXPECT_EQ(-EINVAL, by_name(self, variant, &req));
}

TEST_F(by_name, no_name_einval)
{
	struct fastipc_connect req;

	by_name_init(&req, NULL);
	EXPECT_EQ(-EINVAL, by_name(self, variant, &req));
	req.flags = FASTIPC_CONNECT_WAIT;
	EXPECT_EQ(-EINVAL, by_name(self, variant, &req));
}

TEST_F(by_name, unreadable_name_efault)
{
	struct fastipc_connect req;

	by_name_init(&req, bad_address());
	EXPECT_EQ(-EFAULT, by_name(self, variant, &req));
}

TEST_F(by_name, name_too_long_enametoolong)
{
	struct fastipc_connect req;
	char name[FASTIPC_NAME_MAX + 1];

	memset(name, 'n', FASTIPC_NAME_MAX);
	name[FASTIPC_NAME_MAX] = '\0';
	by_name_init(&req, name);
	EXPECT_EQ(-ENAMETOOLONG, by_name(self, variant, &req));
}

TEST_F(by_name, empty_name_einval)
{
	struct fastipc_connect req;

	by_name_init(&req, "");
	EXPECT_EQ(-EINVAL, by_name(self, variant, &req));
}

TEST_F(by_name, bad_character_einval)
{
	struct fastipc_connect req;

	by_name_init(&req, "with space");
	EXPECT_EQ(-EINVAL, by_name(self, variant, &req));
	by_name_init(&req, "caf\xe9");
	EXPECT_EQ(-EINVAL, by_name(self, variant, &req));
}

TEST_F(by_name, unknown_name_enoent)
{
	struct fastipc_connect req;

	by_name_init(&req, "errors_test.nobody");
	EXPECT_EQ(-ENOENT, by_name(self, variant, &req));
}

TEST_F(by_name, closed_endpoint_name_enoent)
{
	struct fastipc_connect req;
	int conn;

	conn = fastipc_connect_endpoint(self->ep);
	ASSERT_LE(0, conn);
	close(self->ep);
	self->ep = -1;
	/* Its connection keeps it alive, but not its name. */
	by_name_init(&req, self->name);
	EXPECT_EQ(-ENOENT, by_name(self, variant, &req));
	close(conn);
}

TEST_F(by_name, other_ipc_namespace_enoent)
{
	struct fastipc_connect req;
	int ctx, other;

	if (unshare(CLONE_NEWIPC))
		SKIP(return, "unshare(CLONE_NEWIPC): %s", strerror(errno));
	ctx = fastipc_open();
	ASSERT_LE(0, ctx);
	by_name_init(&req, self->name);
	EXPECT_EQ(-ENOENT, ioc(ctx, variant->cmd, &req));
	/* The name is free there, and the old context still finds it here. */
	other = create(ctx, 0, 0600, self->name);
	EXPECT_LE(0, other);
	close(other);
	EXPECT_LE(0, by_name(self, variant, &req));
	close(ctx);
}

TEST_F(by_name, wait_none_eagain)
{
	struct fastipc_connect req;

	by_name_init(&req, "errors_test.nobody");
	req.flags = FASTIPC_CONNECT_WAIT;
	req.timeout = fastipc_timeout_none();
	EXPECT_EQ(-EAGAIN, by_name(self, variant, &req));
}

TEST_F(by_name, wait_etimedout)
{
	struct fastipc_connect req;
	__u64 start;

	by_name_init(&req, "errors_test.nobody");
	req.flags = FASTIPC_CONNECT_WAIT;
	req.timeout = fastipc_timeout_rel(SHORT_NS);
	start = now_ns();
	EXPECT_EQ(-ETIMEDOUT, by_name(self, variant, &req));
	EXPECT_LE(SHORT_NS, now_ns() - start);
}

TEST_F(by_name, wait_signal_eintr)
{
	struct fastipc_connect req;
	struct interrupter in;
	int ret;

	by_name_init(&req, "errors_test.nobody");
	req.flags = FASTIPC_CONNECT_WAIT;
	req.timeout = fastipc_timeout_rel(SIGNAL_NS);
	ASSERT_EQ(0, interrupter_start(&in));
	ret = by_name(self, variant, &req);
	interrupter_stop(&in);
	EXPECT_EQ(-EINTR, ret);
	/* It writes nothing back: a relative timeout starts over. */
	EXPECT_EQ(FASTIPC_WAIT_RELATIVE, req.timeout.mode);
	EXPECT_EQ(SIGNAL_NS, req.timeout.ns);
}

TEST_F(by_name, no_permission_eacces)
{
	struct fastipc_endpoint_set set;
	struct fastipc_connect req;
	struct nobody_op op = { .fd = self->ctx, .cmd = variant->cmd, .arg = &req };

	by_name_init(&req, self->name);
	set_init(&set, NULL, FASTIPC_SET_MODE, variant->deny_mode);
	ASSERT_EQ(0, ioc(self->ep, FASTIPC_IOC_SET, &set));
	EXPECT_EQ(-EACCES, as_nobody(nobody_ioctl, &op));
	/* The other permission bit is not the one it needs. */
	set_init(&set, NULL, FASTIPC_SET_MODE, variant->allow_mode);
	ASSERT_EQ(0, ioc(self->ep, FASTIPC_IOC_SET, &set));
	EXPECT_EQ(0, as_nobody(nobody_ioctl, &op));
}

TEST_F(by_name, no_free_fd_emfile)
{
	struct fastipc_connect req;
	int last;

	by_name_init(&req, self->name);
	last = fill_fd_table(_metadata, self->ctx);
	EXPECT_EQ(-EMFILE, ioc(self->ctx, variant->cmd, &req));
	close(last);
	EXPECT_LE(0, by_name(self, variant, &req));
}

/* SEND */

TEST_F(errors, send_unknown_flag_einval)
{
	struct fastipc_send req;

	send_init(&req, message, sizeof(message));
	req.flags = UNKNOWN_FLAG(FASTIPC_SEND_FLAGS_ALL);
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_SEND, &req));
	req.flags = 1u << 31;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_SEND, &req));
}

TEST_F(errors, send_negative_type_einval)
{
	struct fastipc_send req;

	send_init(&req, message, sizeof(message));
	req.type = -1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_SEND, &req));
	req.type = INT64_MIN;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_SEND, &req));
}

TEST_F(errors, send_timeout_unknown_mode_einval)
{
	struct fastipc_send req;

	send_init(&req, message, sizeof(message));
	req.timeout.mode = FASTIPC_WAIT_ABSOLUTE + 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_SEND, &req));
	req.timeout.mode = ~0u;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_SEND, &req));
}

TEST_F(errors, send_timeout_infinite_with_ns_einval)
{
	struct fastipc_send req;

	send_init(&req, message, sizeof(message));
	req.timeout.mode = FASTIPC_WAIT_INFINITE;
	req.timeout.ns = 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_SEND, &req));
}

TEST_F(errors, send_timeout_none_with_ns_einval)
{
	struct fastipc_send req;

	send_init(&req, message, sizeof(message));
	req.timeout.mode = FASTIPC_WAIT_NONE;
	req.timeout.ns = SHORT_NS;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_SEND, &req));
}

TEST_F(errors, send_timeout_reserved_einval)
{
	struct fastipc_send req;

	send_init(&req, message, sizeof(message));
	req.timeout.__reserved = 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_SEND, &req));
}

TEST_F(errors, send_over_max_msg_size_emsgsize)
{
	struct fastipc_send req;

	set_param(_metadata, self, "max_msg_size", 1024);
	send_init(&req, big, 1025);
	EXPECT_EQ(-EMSGSIZE, ioc(self->conn, FASTIPC_IOC_SEND, &req));
	req.len = 1024;
	EXPECT_EQ(0, ioc(self->conn, FASTIPC_IOC_SEND, &req));
}

TEST_F(errors, send_endpoint_closed_epipe)
{
	struct fastipc_send req;

	close(self->ep);
	self->ep = -1;
	send_init(&req, message, sizeof(message));
	EXPECT_EQ(-EPIPE, ioc(self->conn, FASTIPC_IOC_SEND, &req));
	req.timeout = fastipc_timeout_rel(LONG_NS);
	EXPECT_EQ(-EPIPE, ioc(self->conn, FASTIPC_IOC_SEND, &req));
}

TEST_F(errors, send_over_max_queued_bytes_enobufs)
{
	struct fastipc_send req;
	struct fastipc_recv rreq;

	set_param(_metadata, self, "max_queued_bytes", sizeof(big));
	send_init(&req, big, sizeof(big));
	ASSERT_EQ(0, ioc(self->conn, FASTIPC_IOC_SEND, &req));
	EXPECT_EQ(-ENOBUFS, ioc(self->conn, FASTIPC_IOC_SEND, &req));
	req.len = 1;
	EXPECT_EQ(-ENOBUFS, ioc(self->conn, FASTIPC_IOC_SEND, &req));
	/* A message received is no longer charged. */
	recv_init(&rreq, big, sizeof(big));
	ASSERT_EQ(0, ioc(self->ep, FASTIPC_IOC_RECV, &rreq));
	req.len = sizeof(big);
	EXPECT_EQ(0, ioc(self->conn, FASTIPC_IOC_SEND, &req));
}

TEST_F(errors, send_unreadable_data_efault)
{
	struct fastipc_send req;
	struct fastipc_recv rreq;

	send_init(&req, bad_address(), 16);
	EXPECT_EQ(-EFAULT, ioc(self->conn, FASTIPC_IOC_SEND, &req));
	/* Nothing was queued. */
	recv_init(&rreq, big, sizeof(big));
	rreq.timeout = fastipc_timeout_none();
	EXPECT_EQ(-EAGAIN, ioc(self->ep, FASTIPC_IOC_RECV, &rreq));
}

TEST_F(errors, send_queue_full_wait_none_eagain)
{
	struct fastipc_send req;

	fill_queue(_metadata, self);
	send_init(&req, request, sizeof(request));
	EXPECT_EQ(-EAGAIN, ioc(self->conn, FASTIPC_IOC_SEND, &req));
	expect_only_message(_metadata, self);
}

TEST_F(errors, send_queue_full_nonblock_eagain)
{
	struct fastipc_send req;

	fill_queue(_metadata, self);
	ASSERT_EQ(0, fcntl(self->conn, F_SETFL, O_NONBLOCK));
	send_init(&req, request, sizeof(request));
	req.timeout.mode = FASTIPC_WAIT_INFINITE;
	EXPECT_EQ(-EAGAIN, ioc(self->conn, FASTIPC_IOC_SEND, &req));
	req.timeout = fastipc_timeout_rel(LONG_NS);
	EXPECT_EQ(-EAGAIN, ioc(self->conn, FASTIPC_IOC_SEND, &req));
	expect_only_message(_metadata, self);
}

TEST_F(errors, send_queue_full_etimedout)
{
	struct fastipc_send req;
	__u64 start;

	fill_queue(_metadata, self);
	send_init(&req, request, sizeof(request));
	req.timeout = fastipc_timeout_rel(SHORT_NS);
	start = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ioc(self->conn, FASTIPC_IOC_SEND, &req));
	EXPECT_LE(SHORT_NS, now_ns() - start);
	req.timeout = fastipc_timeout_abs(now_ns() + SHORT_NS);
	EXPECT_EQ(-ETIMEDOUT, ioc(self->conn, FASTIPC_IOC_SEND, &req));
	EXPECT_LE(req.timeout.ns, now_ns());
	expect_only_message(_metadata, self);
}

TEST_F(errors, send_queue_full_signal_eintr)
{
	struct interrupter in;
	struct fastipc_send req;
	int ret;

	fill_queue(_metadata, self);
	send_init(&req, request, sizeof(request));
	req.timeout = fastipc_timeout_rel(SIGNAL_NS);
	ASSERT_EQ(0, interrupter_start(&in));
	ret = ioc(self->conn, FASTIPC_IOC_SEND, &req);
	interrupter_stop(&in);
	EXPECT_EQ(-EINTR, ret);
	/* The time left was written back. */
	EXPECT_EQ(FASTIPC_WAIT_RELATIVE, req.timeout.mode);
	EXPECT_LT(0, req.timeout.ns);
	EXPECT_GT(SIGNAL_NS, req.timeout.ns);
	expect_only_message(_metadata, self);
}

/* CALL: the argument and queueing errors, as SEND */

TEST_F(errors, call_unknown_flag_einval)
{
	struct fastipc_call call;
	char reply[64];

	call_init(&call, reply, sizeof(reply));
	call.flags = UNKNOWN_FLAG(FASTIPC_CALL_FLAGS_ALL);
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	call.flags = FASTIPC_CALL_ASYNC | 1u << 31;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_CALL, &call));
}

TEST_F(errors, call_negative_type_einval)
{
	struct fastipc_call call;
	char reply[64];

	call_init(&call, reply, sizeof(reply));
	call.type = -1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	call.flags = FASTIPC_CALL_ASYNC;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_CALL, &call));
}

TEST_F(errors, call_reserved_einval)
{
	struct fastipc_call call;
	char reply[64];

	call_init(&call, reply, sizeof(reply));
	call.__reserved = 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	call.flags = FASTIPC_CALL_ASYNC;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_CALL, &call));
}

TEST_F(errors, call_send_timeout_unknown_mode_einval)
{
	struct fastipc_call call;
	char reply[64];

	call_init(&call, reply, sizeof(reply));
	call.send_timeout.mode = FASTIPC_WAIT_ABSOLUTE + 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_CALL, &call));
}

TEST_F(errors, call_send_timeout_infinite_with_ns_einval)
{
	struct fastipc_call call;
	char reply[64];

	call_init(&call, reply, sizeof(reply));
	call.send_timeout.mode = FASTIPC_WAIT_INFINITE;
	call.send_timeout.ns = 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_CALL, &call));
}

TEST_F(errors, call_send_timeout_reserved_einval)
{
	struct fastipc_call call;
	char reply[64];

	call_init(&call, reply, sizeof(reply));
	call.send_timeout.__reserved = 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_CALL, &call));
}

TEST_F(errors, call_reply_timeout_unknown_mode_einval)
{
	struct fastipc_call call;
	char reply[64];

	call_init(&call, reply, sizeof(reply));
	call.reply_timeout.mode = FASTIPC_WAIT_ABSOLUTE + 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_CALL, &call));
}

TEST_F(errors, call_reply_timeout_none_with_ns_einval)
{
	struct fastipc_call call;
	char reply[64];

	call_init(&call, reply, sizeof(reply));
	call.reply_timeout.mode = FASTIPC_WAIT_NONE;
	call.reply_timeout.ns = 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_CALL, &call));
}

TEST_F(errors, call_reply_timeout_reserved_einval)
{
	struct fastipc_call call;
	char reply[64];

	call_init(&call, reply, sizeof(reply));
	call.reply_timeout.__reserved = 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_CALL, &call));
}

/* A synchronous call must wait for its reply; an async one never does. */
TEST_F(errors, call_sync_reply_timeout_none_einval)
{
	struct fastipc_call call;
	struct fastipc_recv rreq;
	char reply[64];

	call_init(&call, reply, sizeof(reply));
	call.reply_timeout = fastipc_timeout_none();
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	recv_init(&rreq, big, sizeof(big));
	rreq.timeout = fastipc_timeout_none();
	EXPECT_EQ(-EAGAIN, ioc(self->ep, FASTIPC_IOC_RECV, &rreq));
	call.flags = FASTIPC_CALL_ASYNC;
	EXPECT_EQ(0, ioc(self->conn, FASTIPC_IOC_CALL, &call));
}

TEST_F(errors, call_over_max_msg_size_emsgsize)
{
	struct fastipc_call call;
	char reply[64];

	set_param(_metadata, self, "max_msg_size", 1024);
	call_init(&call, reply, sizeof(reply));
	call.data = uptr(big);
	call.len = 1025;
	EXPECT_EQ(-EMSGSIZE, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	call.flags = FASTIPC_CALL_ASYNC;
	EXPECT_EQ(-EMSGSIZE, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	call.len = 1024;
	EXPECT_EQ(0, ioc(self->conn, FASTIPC_IOC_CALL, &call));
}

TEST_F(errors, call_endpoint_closed_epipe)
{
	struct fastipc_call call;
	char reply[64];

	close(self->ep);
	self->ep = -1;
	call_init(&call, reply, sizeof(reply));
	EXPECT_EQ(-EPIPE, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	call.flags = FASTIPC_CALL_ASYNC;
	EXPECT_EQ(-EPIPE, ioc(self->conn, FASTIPC_IOC_CALL, &call));
}

TEST_F(errors, call_over_max_queued_bytes_enobufs)
{
	struct fastipc_send req;
	struct fastipc_call call;
	char reply[64];

	set_param(_metadata, self, "max_queued_bytes", sizeof(big));
	send_init(&req, big, sizeof(big));
	ASSERT_EQ(0, ioc(self->conn, FASTIPC_IOC_SEND, &req));
	call_init(&call, reply, sizeof(reply));
	EXPECT_EQ(-ENOBUFS, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	call.flags = FASTIPC_CALL_ASYNC;
	EXPECT_EQ(-ENOBUFS, ioc(self->conn, FASTIPC_IOC_CALL, &call));
}

TEST_F(errors, call_unreadable_data_efault)
{
	struct fastipc_call call;
	struct fastipc_recv rreq;
	char reply[64];

	call_init(&call, reply, sizeof(reply));
	call.data = uptr(bad_address());
	EXPECT_EQ(-EFAULT, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	call.flags = FASTIPC_CALL_ASYNC;
	EXPECT_EQ(-EFAULT, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	recv_init(&rreq, big, sizeof(big));
	rreq.timeout = fastipc_timeout_none();
	EXPECT_EQ(-EAGAIN, ioc(self->ep, FASTIPC_IOC_RECV, &rreq));
}

TEST_F(errors, call_queue_full_wait_none_eagain)
{
	struct fastipc_call call;
	char reply[64];

	fill_queue(_metadata, self);
	call_init(&call, reply, sizeof(reply));
	call.send_timeout = fastipc_timeout_none();
	EXPECT_EQ(-EAGAIN, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	call.flags = FASTIPC_CALL_ASYNC;
	EXPECT_EQ(-EAGAIN, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	expect_only_message(_metadata, self);
}

TEST_F(errors, call_queue_full_nonblock_eagain)
{
	struct fastipc_call call;
	char reply[64];

	fill_queue(_metadata, self);
	ASSERT_EQ(0, fcntl(self->conn, F_SETFL, O_NONBLOCK));
	call_init(&call, reply, sizeof(reply));
	EXPECT_EQ(-EAGAIN, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	call.flags = FASTIPC_CALL_ASYNC;
	EXPECT_EQ(-EAGAIN, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	expect_only_message(_metadata, self);
}

TEST_F(errors, call_queue_full_etimedout)
{
	struct fastipc_call call;
	char reply[64];
	__u64 start;

	fill_queue(_metadata, self);
	call_init(&call, reply, sizeof(reply));
	call.send_timeout = fastipc_timeout_rel(SHORT_NS);
	start = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	EXPECT_LE(SHORT_NS, now_ns() - start);
	expect_only_message(_metadata, self);
}

TEST_F(errors, call_queue_full_signal_eintr)
{
	struct interrupter in;
	struct fastipc_call call;
	char reply[64];
	int ret;

	fill_queue(_metadata, self);
	call_init(&call, reply, sizeof(reply));
	call.send_timeout = fastipc_timeout_rel(SIGNAL_NS);
	ASSERT_EQ(0, interrupter_start(&in));
	ret = ioc(self->conn, FASTIPC_IOC_CALL, &call);
	interrupter_stop(&in);
	EXPECT_EQ(-EINTR, ret);
	EXPECT_EQ(FASTIPC_WAIT_RELATIVE, call.send_timeout.mode);
	EXPECT_LT(0, call.send_timeout.ns);
	EXPECT_GT(SIGNAL_NS, call.send_timeout.ns);
	/* The call never made it to the queue. */
	expect_only_message(_metadata, self);
}

/* CALL: the errors while waiting for the reply */

/* Nobody takes the call before its send timeout: it is withdrawn. */
TEST_F(errors, call_not_taken_etimedout)
{
	struct fastipc_call call;
	struct fastipc_recv rreq;
	char reply[64];
	__u64 start;

	call_init(&call, reply, sizeof(reply));
	call.send_timeout = fastipc_timeout_rel(SHORT_NS);
	start = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	EXPECT_LE(SHORT_NS, now_ns() - start);
	recv_init(&rreq, big, sizeof(big));
	rreq.timeout = fastipc_timeout_none();
	EXPECT_EQ(-EAGAIN, ioc(self->ep, FASTIPC_IOC_RECV, &rreq));
}

/* Taken but not answered within the reply timeout. */
TEST_F(errors, call_reply_timeout_etimedout)
{
	struct server srv = { 0 };
	struct fastipc_call call;
	char reply[64];
	__u64 start;
	int ret;

	call_init(&call, reply, sizeof(reply));
	call.reply_timeout = fastipc_timeout_rel(SHORT_NS);
	ASSERT_EQ(0, server_start(&srv, &self->ep, server_hold));
	start = now_ns();
	ret = ioc(self->conn, FASTIPC_IOC_CALL, &call);
	server_stop(&srv);
	EXPECT_EQ(-ETIMEDOUT, ret);
	EXPECT_LE(SHORT_NS, now_ns() - start);
	EXPECT_EQ(0, srv.recv_ret);
	EXPECT_EQ(-ECANCELED, srv.reply_ret);
}

/* A taken call whose caller gets a signal: EINTR, time left written back. */
static int interrupted_call(struct __test_metadata *_metadata,
			    FIXTURE_DATA(errors) *self,
			    struct fastipc_call *call, struct server *srv)
{
	char reply[64];
	int ret;

	EXPECT_EQ(0, catch_signals());
	call_init(call, reply, sizeof(reply));
	call->send_timeout = fastipc_timeout_rel(SIGNAL_NS);
	call->reply_timeout = fastipc_timeout_rel(SIGNAL_NS);
	srv->interrupt = true;
	EXPECT_EQ(0, server_start(srv, &self->ep, server_hold));
	ret = ioc(self->conn, FASTIPC_IOC_CALL, call);
	server_stop(srv);
	EXPECT_EQ(0, srv->recv_ret);
	return ret;
}

TEST_F(errors, call_waiting_signal_eintr)
{
	struct server srv = { 0 };
	struct fastipc_call call;

	EXPECT_EQ(-EINTR, interrupted_call(_metadata, self, &call, &srv));
	EXPECT_EQ(FASTIPC_WAIT_RELATIVE, call.reply_timeout.mode);
	EXPECT_LT(0, call.reply_timeout.ns);
	EXPECT_GT(SIGNAL_NS, call.reply_timeout.ns);
	EXPECT_EQ(FASTIPC_WAIT_RELATIVE, call.send_timeout.mode);
	EXPECT_GT(SIGNAL_NS, call.send_timeout.ns);
	EXPECT_FALSE(srv.held_too_long);
}

TEST_F(errors, call_endpoint_closed_while_queued_epipe)
{
	struct server srv = { 0 };
	struct fastipc_call call;
	char reply[64];
	int ret;

	call_init(&call, reply, sizeof(reply));
	call.send_timeout = fastipc_timeout_rel(SIGNAL_NS);
	call.reply_timeout = fastipc_timeout_rel(SIGNAL_NS);
	ASSERT_EQ(0, server_start(&srv, &self->ep, server_close_when_queued));
	ret = ioc(self->conn, FASTIPC_IOC_CALL, &call);
	server_stop(&srv);
	EXPECT_EQ(0, srv.recv_ret);
	EXPECT_EQ(-EPIPE, ret);
}

TEST_F(errors, call_endpoint_closed_before_reply_epipe)
{
	struct server srv = { 0 };
	struct fastipc_call call;
	char reply[64];
	int ret;

	call_init(&call, reply, sizeof(reply));
	call.send_timeout = fastipc_timeout_rel(SIGNAL_NS);
	call.reply_timeout = fastipc_timeout_rel(SIGNAL_NS);
	ASSERT_EQ(0, server_start(&srv, &self->ep, server_close_after_recv));
	ret = ioc(self->conn, FASTIPC_IOC_CALL, &call);
	server_stop(&srv);
	EXPECT_EQ(0, srv.recv_ret);
	EXPECT_EQ(-EPIPE, ret);
}

TEST_F(errors, call_reply_too_long_emsgsize)
{
	struct server srv = { .reply_len = 100 };
	struct fastipc_call call;
	unsigned char reply[64];
	int ret, i;

	memset(reply, 0xee, sizeof(reply));
	call_init(&call, reply, 10);
	ASSERT_EQ(0, server_start(&srv, &self->ep, server_reply));
	ret = ioc(self->conn, FASTIPC_IOC_CALL, &call);
	server_stop(&srv);
	EXPECT_EQ(0, srv.reply_ret);
	EXPECT_EQ(-EMSGSIZE, ret);
	EXPECT_EQ(100, call.reply_len);
	EXPECT_EQ(7, call.reply_type);
	/* The first reply_capacity bytes are there, and nothing more. */
	for (i = 0; i < 10; i++)
		EXPECT_EQ(i, reply[i]);
	EXPECT_EQ(0xee, reply[10]);
}

TEST_F(errors, call_unwritable_reply_efault)
{
	struct server srv = { .reply_len = 16 };
	struct fastipc_call call;
	int ret;

	call_init(&call, bad_address(), 64);
	ASSERT_EQ(0, server_start(&srv, &self->ep, server_reply));
	ret = ioc(self->conn, FASTIPC_IOC_CALL, &call);
	server_stop(&srv);
	EXPECT_EQ(0, srv.reply_ret);
	EXPECT_EQ(-EFAULT, ret);
}

/* COLLECT */

TEST_F(errors, collect_unknown_flag_einval)
{
	struct fastipc_collect req;
	char buf[64];
	__u64 cookie;

	finished_call(_metadata, self, &cookie);
	collect_init(&req, cookie, buf, sizeof(buf));
	req.flags = UNKNOWN_FLAG(FASTIPC_COLLECT_FLAGS_ALL);
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, collect_reserved_einval)
{
	struct fastipc_collect req;
	char buf[64];
	__u64 cookie;

	finished_call(_metadata, self, &cookie);
	collect_init(&req, cookie, buf, sizeof(buf));
	req.__reserved = 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, collect_reserved2_einval)
{
	struct fastipc_collect req;
	char buf[64];
	__u64 cookie;

	finished_call(_metadata, self, &cookie);
	collect_init(&req, cookie, buf, sizeof(buf));
	req.__reserved2 = 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, collect_timeout_unknown_mode_einval)
{
	struct fastipc_collect req;
	char buf[64];
	__u64 cookie;

	finished_call(_metadata, self, &cookie);
	collect_init(&req, cookie, buf, sizeof(buf));
	req.timeout.mode = FASTIPC_WAIT_ABSOLUTE + 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, collect_timeout_none_with_ns_einval)
{
	struct fastipc_collect req;
	char buf[64];
	__u64 cookie;

	finished_call(_metadata, self, &cookie);
	collect_init(&req, cookie, buf, sizeof(buf));
	req.timeout.mode = FASTIPC_WAIT_NONE;
	req.timeout.ns = 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, collect_timeout_reserved_einval)
{
	struct fastipc_collect req;
	char buf[64];
	__u64 cookie;

	finished_call(_metadata, self, &cookie);
	collect_init(&req, cookie, buf, sizeof(buf));
	req.timeout.__reserved = 1;
	EXPECT_EQ(-EINVAL, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, collect_unknown_cookie_enoent)
{
	struct fastipc_collect req;
	char buf[64];
	__u64 cookie;
	int other;

	finished_call(_metadata, self, &cookie);
	collect_init(&req, cookie + 1000, buf, sizeof(buf));
	EXPECT_EQ(-ENOENT, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	/* Cookies belong to their connection. */
	other = fastipc_connect_endpoint(self->ep);
	ASSERT_LE(0, other);
	req.cookie = cookie;
	EXPECT_EQ(-ENOENT, ioc(other, FASTIPC_IOC_COLLECT, &req));
	close(other);
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, collect_collected_cookie_enoent)
{
	struct fastipc_collect req;
	char buf[64];
	__u64 cookie;

	finished_call(_metadata, self, &cookie);
	expect_answer(_metadata, self, cookie);
	collect_init(&req, cookie, buf, sizeof(buf));
	EXPECT_EQ(-ENOENT, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
}

/* Cookie 0 with no async call pending: nothing could ever be collected. */
TEST_F(errors, collect_nothing_pending_enoent)
{
	struct fastipc_collect req;
	char buf[64];
	__u64 cookie;

	collect_init(&req, 0, buf, sizeof(buf));
	EXPECT_EQ(-ENOENT, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	req.timeout.mode = FASTIPC_WAIT_INFINITE;
	req.timeout.ns = 0;
	EXPECT_EQ(-ENOENT, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	/* Nor once the only one was collected. */
	finished_call(_metadata, self, &cookie);
	expect_answer(_metadata, self, cookie);
	EXPECT_EQ(-ENOENT, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
}

TEST_F(errors, collect_nothing_finished_wait_none_eagain)
{
	struct fastipc_collect req;
	char buf[64];
	__u64 cookie, token;

	pending_call(_metadata, self, &cookie, &token);
	collect_init(&req, cookie, buf, sizeof(buf));
	req.timeout = fastipc_timeout_none();
	EXPECT_EQ(-EAGAIN, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	req.cookie = 0;
	EXPECT_EQ(-EAGAIN, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	/* Still pending. */
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, collect_nothing_finished_nonblock_eagain)
{
	struct fastipc_collect req;
	char buf[64];
	__u64 cookie, token;

	pending_call(_metadata, self, &cookie, &token);
	ASSERT_EQ(0, fcntl(self->conn, F_SETFL, O_NONBLOCK));
	collect_init(&req, cookie, buf, sizeof(buf));
	EXPECT_EQ(-EAGAIN, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	req.timeout.mode = FASTIPC_WAIT_INFINITE;
	req.timeout.ns = 0;
	EXPECT_EQ(-EAGAIN, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, collect_nothing_finished_etimedout)
{
	struct fastipc_collect req;
	char buf[64];
	__u64 cookie, token, start;

	pending_call(_metadata, self, &cookie, &token);
	collect_init(&req, cookie, buf, sizeof(buf));
	req.timeout = fastipc_timeout_rel(SHORT_NS);
	start = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	EXPECT_LE(SHORT_NS, now_ns() - start);
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, collect_signal_eintr)
{
	struct fastipc_collect req;
	struct interrupter in;
	char buf[64];
	__u64 cookie, token;
	int ret;

	pending_call(_metadata, self, &cookie, &token);
	collect_init(&req, 0, buf, sizeof(buf));
	req.timeout = fastipc_timeout_rel(SIGNAL_NS);
	ASSERT_EQ(0, interrupter_start(&in));
	ret = ioc(self->conn, FASTIPC_IOC_COLLECT, &req);
	interrupter_stop(&in);
	EXPECT_EQ(-EINTR, ret);
	EXPECT_EQ(FASTIPC_WAIT_RELATIVE, req.timeout.mode);
	EXPECT_LT(0, req.timeout.ns);
	EXPECT_GT(SIGNAL_NS, req.timeout.ns);
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, collect_endpoint_closed_epipe)
{
	struct fastipc_collect req;
	struct fastipc_call call;
	char buf[64];
	__u64 taken, token;

	/* One call taken by the endpoint, one still queued. */
	pending_call(_metadata, self, &taken, &token);
	call_init(&call, NULL, 0);
	call.flags = FASTIPC_CALL_ASYNC;
	ASSERT_EQ(0, ioc(self->conn, FASTIPC_IOC_CALL, &call));
	close(self->ep);
	self->ep = -1;

	collect_init(&req, call.cookie, buf, sizeof(buf));
	EXPECT_EQ(-EPIPE, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	EXPECT_EQ(call.cookie, req.cookie);
	collect_init(&req, 0, buf, sizeof(buf));
	EXPECT_EQ(-EPIPE, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	EXPECT_EQ(taken, req.cookie);
	/* A failure is collected once. */
	collect_init(&req, taken, buf, sizeof(buf));
	EXPECT_EQ(-ENOENT, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
}

TEST_F(errors, collect_reply_too_long_emsgsize)
{
	struct fastipc_collect req;
	char buf[64];
	__u64 cookie;

	finished_call(_metadata, self, &cookie);
	memset(buf, 0xee, sizeof(buf));
	collect_init(&req, 0, buf, sizeof(answer) - 1);
	EXPECT_EQ(-EMSGSIZE, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	EXPECT_EQ(cookie, req.cookie);
	EXPECT_EQ(sizeof(answer), req.reply_len);
	EXPECT_EQ(7, req.reply_type);
	/* It stays, for a bigger buffer. */
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, collect_unwritable_reply_efault)
{
	struct fastipc_collect req;
	__u64 cookie;

	finished_call(_metadata, self, &cookie);
	collect_init(&req, cookie, bad_address(), 64);
	EXPECT_EQ(-EFAULT, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	collect_init(&req, 0, bad_address(), 64);
	EXPECT_EQ(-EFAULT, ioc(self->conn, FASTIPC_IOC_COLLECT, &req));
	/* It stays, for a good buffer. */
	expect_answer(_metadata, self, cookie);
}

/* RECV */

TEST_F(errors, recv_unknown_flag_einval)
{
	struct fastipc_recv req;
	char buf[64];

	queue_message(_metadata, self);
	recv_init(&req, buf, sizeof(buf));
	req.flags = UNKNOWN_FLAG(FASTIPC_RECV_FLAGS_ALL);
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	expect_only_message(_metadata, self);
}

TEST_F(errors, recv_except_zero_type_einval)
{
	struct fastipc_recv req;
	char buf[64];

	queue_message(_metadata, self);
	recv_init(&req, buf, sizeof(buf));
	req.flags = FASTIPC_RECV_EXCEPT;
	req.type = 0;
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	expect_only_message(_metadata, self);
}

TEST_F(errors, recv_except_negative_type_einval)
{
	struct fastipc_recv req;
	char buf[64];

	queue_message(_metadata, self);
	recv_init(&req, buf, sizeof(buf));
	req.flags = FASTIPC_RECV_EXCEPT;
	req.type = -2;
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	expect_only_message(_metadata, self);
}

TEST_F(errors, recv_timeout_unknown_mode_einval)
{
	struct fastipc_recv req;
	char buf[64];

	queue_message(_metadata, self);
	recv_init(&req, buf, sizeof(buf));
	req.timeout.mode = FASTIPC_WAIT_ABSOLUTE + 1;
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	expect_only_message(_metadata, self);
}

TEST_F(errors, recv_timeout_infinite_with_ns_einval)
{
	struct fastipc_recv req;
	char buf[64];

	queue_message(_metadata, self);
	recv_init(&req, buf, sizeof(buf));
	req.timeout.mode = FASTIPC_WAIT_INFINITE;
	req.timeout.ns = 1;
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	expect_only_message(_metadata, self);
}

TEST_F(errors, recv_timeout_reserved_einval)
{
	struct fastipc_recv req;
	char buf[64];

	queue_message(_metadata, self);
	recv_init(&req, buf, sizeof(buf));
	req.timeout.__reserved = 1;
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	expect_only_message(_metadata, self);
}

TEST_F(errors, recv_empty_wait_none_eagain)
{
	struct fastipc_recv req;
	char buf[64];

	recv_init(&req, buf, sizeof(buf));
	req.timeout = fastipc_timeout_none();
	EXPECT_EQ(-EAGAIN, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	/* Nothing of the selected type is the same as nothing. */
	queue_message(_metadata, self);
	req.type = 2;
	EXPECT_EQ(-EAGAIN, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	expect_only_message(_metadata, self);
}

TEST_F(errors, recv_empty_nonblock_eagain)
{
	struct fastipc_recv req;
	char buf[64];

	ASSERT_EQ(0, fcntl(self->ep, F_SETFL, O_NONBLOCK));
	recv_init(&req, buf, sizeof(buf));
	EXPECT_EQ(-EAGAIN, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	req.timeout.mode = FASTIPC_WAIT_INFINITE;
	req.timeout.ns = 0;
	EXPECT_EQ(-EAGAIN, ioc(self->ep, FASTIPC_IOC_RECV, &req));
}

TEST_F(errors, recv_empty_etimedout)
{
	struct fastipc_recv req;
	char buf[64];
	__u64 start;

	recv_init(&req, buf, sizeof(buf));
	req.timeout = fastipc_timeout_rel(SHORT_NS);
	start = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	EXPECT_LE(SHORT_NS, now_ns() - start);
}

TEST_F(errors, recv_deadline_passed_etimedout)
{
	struct fastipc_recv req;
	char buf[64];

	recv_init(&req, buf, sizeof(buf));
	req.timeout = fastipc_timeout_abs(now_ns() + SHORT_NS);
	EXPECT_EQ(-ETIMEDOUT, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	EXPECT_LE(req.timeout.ns, now_ns());
	req.timeout = fastipc_timeout_abs(1);
	EXPECT_EQ(-ETIMEDOUT, ioc(self->ep, FASTIPC_IOC_RECV, &req));
}

TEST_F(errors, recv_signal_eintr)
{
	struct interrupter in;
	struct fastipc_recv req;
	char buf[64];
	int ret;

	recv_init(&req, buf, sizeof(buf));
	req.timeout = fastipc_timeout_rel(SIGNAL_NS);
	ASSERT_EQ(0, interrupter_start(&in));
	ret = ioc(self->ep, FASTIPC_IOC_RECV, &req);
	interrupter_stop(&in);
	EXPECT_EQ(-EINTR, ret);
	EXPECT_EQ(FASTIPC_WAIT_RELATIVE, req.timeout.mode);
	EXPECT_LT(0, req.timeout.ns);
	EXPECT_GT(SIGNAL_NS, req.timeout.ns);
}

TEST_F(errors, recv_small_buffer_emsgsize)
{
	struct fastipc_recv req;
	char buf[64];

	queue_message(_metadata, self);
	memset(buf, 0xee, sizeof(buf));
	recv_init(&req, buf, sizeof(message) - 1);
	EXPECT_EQ(-EMSGSIZE, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	EXPECT_EQ(sizeof(message), req.msg.len);
	EXPECT_EQ((char)0xee, buf[0]);
	recv_init(&req, buf, 0);
	EXPECT_EQ(-EMSGSIZE, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	EXPECT_EQ(sizeof(message), req.msg.len);
	/* It stays queued, for a bigger buffer. */
	expect_only_message(_metadata, self);
}

TEST_F(errors, recv_unwritable_buffer_efault)
{
	struct fastipc_send sreq;
	struct fastipc_recv req;
	char buf[64];

	queue_message(_metadata, self);
	send_init(&sreq, request, sizeof(request));
	ASSERT_EQ(0, ioc(self->conn, FASTIPC_IOC_SEND, &sreq));
	recv_init(&req, bad_address(), 64);
	EXPECT_EQ(-EFAULT, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	/* It stays queued, still first in line. */
	recv_init(&req, buf, sizeof(buf));
	ASSERT_EQ(0, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	EXPECT_EQ(sizeof(message), req.msg.len);
	EXPECT_EQ(0, memcmp(buf, message, sizeof(message)));
	ASSERT_EQ(0, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	EXPECT_EQ(sizeof(request), req.msg.len);
}

/* REPLY */

TEST_F(errors, reply_unknown_flag_einval)
{
	struct fastipc_reply req;
	__u64 cookie, token;

	pending_call(_metadata, self, &cookie, &token);
	reply_init(&req, token, answer, sizeof(answer));
	req.flags = UNKNOWN_FLAG(FASTIPC_REPLY_FLAGS_ALL);
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_REPLY, &req));
	/* The token is still good. */
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_zero_token_einval)
{
	struct fastipc_reply req;
	__u64 cookie, token;

	pending_call(_metadata, self, &cookie, &token);
	reply_init(&req, 0, answer, sizeof(answer));
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_REPLY, &req));
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_negative_type_einval)
{
	struct fastipc_reply req;
	__u64 cookie, token;

	pending_call(_metadata, self, &cookie, &token);
	reply_init(&req, token, answer, sizeof(answer));
	req.type = -1;
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_REPLY, &req));
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_over_max_msg_size_emsgsize)
{
	struct fastipc_reply req;
	__u64 cookie, token;

	pending_call(_metadata, self, &cookie, &token);
	set_param(_metadata, self, "max_msg_size", 1024);
	reply_init(&req, token, big, 1025);
	EXPECT_EQ(-EMSGSIZE, ioc(self->ep, FASTIPC_IOC_REPLY, &req));
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_unknown_token_enoent)
{
	__u64 cookie, token;

	pending_call(_metadata, self, &cookie, &token);
	EXPECT_EQ(-ENOENT, reply_to(self->ep, token + 1, answer, sizeof(answer)));
	EXPECT_EQ(-ENOENT, reply_to(self->ep, ~0ULL, answer, sizeof(answer)));
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_token_used_twice_enoent)
{
	__u64 cookie, token;

	pending_call(_metadata, self, &cookie, &token);
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	EXPECT_EQ(-ENOENT, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_token_of_other_endpoint_enoent)
{
	__u64 cookie, token;
	int other;

	pending_call(_metadata, self, &cookie, &token);
	other = create(self->ctx, 0, 0600, NULL);
	ASSERT_LE(0, other);
	EXPECT_EQ(-ENOENT, reply_to(other, token, answer, sizeof(answer)));
	close(other);
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

/* Take a call from a thread that times out waiting; answer it afterwards. */
TEST_F(errors, reply_timed_out_call_ecanceled)
{
	struct fastipc_recv req;
	struct caller c;
	char buf[64];

	ASSERT_EQ(0, caller_start(&c, self->conn));
	c.call.reply_timeout = fastipc_timeout_rel(SHORT_NS);
	recv_init(&req, buf, sizeof(buf));
	EXPECT_EQ(0, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	pthread_join(c.thread, NULL);
	ASSERT_EQ(-ETIMEDOUT, c.ret);
	EXPECT_EQ(-ECANCELED, reply_to(self->ep, req.msg.token, answer, sizeof(answer)));
	/* Dropped and counted; the token is gone. */
	EXPECT_EQ(1, fdinfo_field(self->ep, "replies_dropped"));
	EXPECT_EQ(-ENOENT, reply_to(self->ep, req.msg.token, answer, sizeof(answer)));
}

TEST_F(errors, reply_interrupted_call_ecanceled)
{
	struct server srv = { 0 };
	struct fastipc_call call;

	ASSERT_EQ(-EINTR, interrupted_call(_metadata, self, &call, &srv));
	EXPECT_EQ(-ECANCELED, srv.reply_ret);
}

TEST_F(errors, reply_closed_connection_ecanceled)
{
	__u64 cookie, token;

	pending_call(_metadata, self, &cookie, &token);
	close(self->conn);
	self->conn = -1;
	EXPECT_EQ(-ECANCELED, reply_to(self->ep, token, answer, sizeof(answer)));
	EXPECT_EQ(1, fdinfo_field(self->ep, "replies_dropped"));
}

TEST_F(errors, reply_dead_caller_ecanceled)
{
	struct fastipc_recv req;
	char buf[64];
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct fastipc_call call;
		char reply[64];
		int conn = fastipc_connect_endpoint(self->ep);

		call_init(&call, reply, sizeof(reply));
		call.send_timeout = fastipc_timeout_rel(SIGNAL_NS);
		call.reply_timeout = fastipc_timeout_rel(SIGNAL_NS);
		ioc(conn, FASTIPC_IOC_CALL, &call);
		_exit(1);
	}
	recv_init(&req, buf, sizeof(buf));
	EXPECT_EQ(0, ioc(self->ep, FASTIPC_IOC_RECV, &req));
	EXPECT_EQ(pid, req.msg.pid);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(-ECANCELED, reply_to(self->ep, req.msg.token, answer, sizeof(answer)));
}

TEST_F(errors, reply_unreadable_data_efault)
{
	__u64 cookie, token;

	pending_call(_metadata, self, &cookie, &token);
	EXPECT_EQ(-EFAULT, reply_to(self->ep, token, bad_address(), 16));
	/* The token stays valid. */
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

/* REPLY_RECV */

/* A call waiting for its reply, and a one-way message queued behind it. */
static void server_turn(struct __test_metadata *_metadata,
			FIXTURE_DATA(errors) *self, __u64 *cookie, __u64 *token)
{
	pending_call(_metadata, self, cookie, token);
	queue_message(_metadata, self);
}

/* The reply failed with @error, and the receive still took the message. */
static void expect_reply_error(struct __test_metadata *_metadata,
			       FIXTURE_DATA(errors) *self,
			       struct fastipc_reply_recv *rr, int error)
{
	EXPECT_EQ(0, ioc(self->ep, FASTIPC_IOC_REPLY_RECV, rr));
	EXPECT_EQ(error, rr->reply_error);
	EXPECT_EQ(sizeof(message), rr->recv.msg.len);
	EXPECT_EQ(0, rr->recv.msg.flags);
	EXPECT_EQ(0, memcmp((void *)(uintptr_t)rr->recv.data, message,
			    sizeof(message)));
}

TEST_F(errors, reply_recv_reserved_einval)
{
	struct fastipc_reply_recv rr;
	__u64 cookie, token;
	char buf[64];

	server_turn(_metadata, self, &cookie, &token);
	reply_recv_init(&rr, token, buf, sizeof(buf));
	rr.__reserved = 1;
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_REPLY_RECV, &rr));
	/* Neither the reply nor the receive happened. */
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
	expect_only_message(_metadata, self);
}

TEST_F(errors, reply_recv_zero_token_sends_no_reply)
{
	struct fastipc_reply_recv rr;
	__u64 cookie, token;
	char buf[64];

	server_turn(_metadata, self, &cookie, &token);
	reply_recv_init(&rr, 0, buf, sizeof(buf));
	rr.reply.flags = UNKNOWN_FLAG(FASTIPC_REPLY_FLAGS_ALL);	/* not looked at */
	expect_reply_error(_metadata, self, &rr, 0);
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_recv_reply_unknown_flag_einval)
{
	struct fastipc_reply_recv rr;
	__u64 cookie, token;
	char buf[64];

	server_turn(_metadata, self, &cookie, &token);
	reply_recv_init(&rr, token, buf, sizeof(buf));
	rr.reply.flags = UNKNOWN_FLAG(FASTIPC_REPLY_FLAGS_ALL);
	expect_reply_error(_metadata, self, &rr, -EINVAL);
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_recv_reply_negative_type_einval)
{
	struct fastipc_reply_recv rr;
	__u64 cookie, token;
	char buf[64];

	server_turn(_metadata, self, &cookie, &token);
	reply_recv_init(&rr, token, buf, sizeof(buf));
	rr.reply.type = -1;
	expect_reply_error(_metadata, self, &rr, -EINVAL);
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_recv_reply_over_max_msg_size_emsgsize)
{
	struct fastipc_reply_recv rr;
	__u64 cookie, token;
	char buf[64];

	server_turn(_metadata, self, &cookie, &token);
	set_param(_metadata, self, "max_msg_size", 1024);
	reply_recv_init(&rr, token, buf, sizeof(buf));
	rr.reply.data = uptr(big);
	rr.reply.len = 1025;
	expect_reply_error(_metadata, self, &rr, -EMSGSIZE);
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_recv_reply_unknown_token_enoent)
{
	struct fastipc_reply_recv rr;
	__u64 cookie, token;
	char buf[64];

	server_turn(_metadata, self, &cookie, &token);
	reply_recv_init(&rr, token + 1, buf, sizeof(buf));
	expect_reply_error(_metadata, self, &rr, -ENOENT);
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_recv_reply_used_token_enoent)
{
	struct fastipc_reply_recv rr;
	__u64 cookie, token;
	char buf[64];

	server_turn(_metadata, self, &cookie, &token);
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	reply_recv_init(&rr, token, buf, sizeof(buf));
	expect_reply_error(_metadata, self, &rr, -ENOENT);
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_recv_reply_withdrawn_ecanceled)
{
	struct fastipc_reply_recv rr;
	__u64 cookie, token;
	char buf[64];

	server_turn(_metadata, self, &cookie, &token);
	/* The caller closes its connection; its one-way message stays. */
	close(self->conn);
	self->conn = -1;
	reply_recv_init(&rr, token, buf, sizeof(buf));
	expect_reply_error(_metadata, self, &rr, -ECANCELED);
}

TEST_F(errors, reply_recv_reply_unreadable_data_efault)
{
	struct fastipc_reply_recv rr;
	__u64 cookie, token;
	char buf[64];

	server_turn(_metadata, self, &cookie, &token);
	reply_recv_init(&rr, token, buf, sizeof(buf));
	rr.reply.data = uptr(bad_address());
	expect_reply_error(_metadata, self, &rr, -EFAULT);
	/* The token stays valid. */
	ASSERT_EQ(0, reply_to(self->ep, token, answer, sizeof(answer)));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_recv_recv_unknown_flag_einval)
{
	struct fastipc_reply_recv rr;
	char buf[64];

	queue_message(_metadata, self);
	reply_recv_init(&rr, 0, buf, sizeof(buf));
	rr.recv.flags = UNKNOWN_FLAG(FASTIPC_RECV_FLAGS_ALL);
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_REPLY_RECV, &rr));
	expect_only_message(_metadata, self);
}

TEST_F(errors, reply_recv_recv_except_zero_type_einval)
{
	struct fastipc_reply_recv rr;
	char buf[64];

	queue_message(_metadata, self);
	reply_recv_init(&rr, 0, buf, sizeof(buf));
	rr.recv.flags = FASTIPC_RECV_EXCEPT;
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_REPLY_RECV, &rr));
	expect_only_message(_metadata, self);
}

TEST_F(errors, reply_recv_recv_bad_timeout_einval)
{
	struct fastipc_reply_recv rr;
	char buf[64];

	queue_message(_metadata, self);
	reply_recv_init(&rr, 0, buf, sizeof(buf));
	rr.recv.timeout.mode = FASTIPC_WAIT_ABSOLUTE + 1;
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_REPLY_RECV, &rr));
	rr.recv.timeout.mode = FASTIPC_WAIT_NONE;
	rr.recv.timeout.ns = 1;
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_REPLY_RECV, &rr));
	rr.recv.timeout.ns = 0;
	rr.recv.timeout.__reserved = 1;
	EXPECT_EQ(-EINVAL, ioc(self->ep, FASTIPC_IOC_REPLY_RECV, &rr));
	expect_only_message(_metadata, self);
}

/* Nothing to receive: the reply still goes out. */
TEST_F(errors, reply_recv_empty_wait_none_eagain)
{
	struct fastipc_reply_recv rr;
	__u64 cookie, token;
	char buf[64];

	pending_call(_metadata, self, &cookie, &token);
	reply_recv_init(&rr, token, buf, sizeof(buf));
	rr.recv.timeout = fastipc_timeout_none();
	EXPECT_EQ(-EAGAIN, ioc(self->ep, FASTIPC_IOC_REPLY_RECV, &rr));
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_recv_empty_etimedout)
{
	struct fastipc_reply_recv rr;
	__u64 cookie, token, start;
	char buf[64];

	pending_call(_metadata, self, &cookie, &token);
	reply_recv_init(&rr, token, buf, sizeof(buf));
	rr.recv.timeout = fastipc_timeout_rel(SHORT_NS);
	start = now_ns();
	EXPECT_EQ(-ETIMEDOUT, ioc(self->ep, FASTIPC_IOC_REPLY_RECV, &rr));
	EXPECT_LE(SHORT_NS, now_ns() - start);
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_recv_signal_eintr)
{
	struct fastipc_reply_recv rr;
	struct interrupter in;
	__u64 cookie, token;
	char buf[64];
	int ret;

	pending_call(_metadata, self, &cookie, &token);
	reply_recv_init(&rr, token, buf, sizeof(buf));
	rr.recv.timeout = fastipc_timeout_rel(SIGNAL_NS);
	ASSERT_EQ(0, interrupter_start(&in));
	ret = ioc(self->ep, FASTIPC_IOC_REPLY_RECV, &rr);
	interrupter_stop(&in);
	EXPECT_EQ(-EINTR, ret);
	EXPECT_EQ(0, rr.reply_error);
	EXPECT_LT(0, rr.recv.timeout.ns);
	EXPECT_GT(SIGNAL_NS, rr.recv.timeout.ns);
	expect_answer(_metadata, self, cookie);
}

TEST_F(errors, reply_recv_small_buffer_emsgsize)
{
	struct fastipc_reply_recv rr;
	__u64 cookie, token;
	char buf[64];

	server_turn(_metadata, self, &cookie, &token);
	reply_recv_init(&rr, token, buf, sizeof(message) - 1);
	EXPECT_EQ(-EMSGSIZE, ioc(self->ep, FASTIPC_IOC_REPLY_RECV, &rr));
	EXPECT_EQ(0, rr.reply_error);
	EXPECT_EQ(sizeof(message), rr.recv.msg.len);
	expect_answer(_metadata, self, cookie);
	expect_only_message(_metadata, self);
}

TEST_F(errors, reply_recv_unwritable_buffer_efault)
{
	struct fastipc_reply_recv rr;
	__u64 cookie, token;

	server_turn(_metadata, self, &cookie, &token);
	reply_recv_init(&rr, token, bad_address(), 64);
	EXPECT_EQ(-EFAULT, ioc(self->ep, FASTIPC_IOC_REPLY_RECV, &rr));
	expect_answer(_metadata, self, cookie);
	expect_only_message(_metadata, self);
}

TEST_F(errors, reply_recv_reply_error_reported_when_recv_fails)
{
	struct fastipc_reply_recv rr;
	char buf[64];

	reply_recv_init(&rr, 12345, buf, sizeof(buf));
	rr.reply_error = 1;
	rr.recv.timeout = fastipc_timeout_none();
	EXPECT_EQ(-EAGAIN, ioc(self->ep, FASTIPC_IOC_REPLY_RECV, &rr));
	EXPECT_EQ(-ENOENT, rr.reply_error);
}

/* A struct the kernel may read but not write back, in a read-only page. */
static void *readonly_copy(const void *src, size_t len)
{
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (page == MAP_FAILED)
		return NULL;
	memcpy(page, src, len);
	mprotect(page, 4096, PROT_READ);
	return page;
}

TEST_F(errors, recv_unwritable_struct_efault_message_stays)
{
	struct fastipc_recv req = { .timeout.mode = FASTIPC_WAIT_NONE };
	struct fastipc_recv *ro;
	char buf[64];

	ASSERT_EQ(0, fastipc_send(self->conn, 1, message, sizeof(message), NULL));
	req.data = (uintptr_t)buf;
	req.capacity = sizeof(buf);
	ro = readonly_copy(&req, sizeof(req));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, ioc(self->ep, FASTIPC_IOC_RECV, ro));
	/* Refused before it was taken: still there. */
	EXPECT_EQ(sizeof(message), fastipc_recv(self->ep, 0, buf, sizeof(buf), NULL,
						&(struct fastipc_timeout){ .mode = FASTIPC_WAIT_NONE }));
	munmap(ro, 4096);
}

TEST_F(errors, send_unwritable_struct_efault_nothing_sent)
{
	struct fastipc_send req = {
		.len = sizeof(message), .type = 1, .data = (uintptr_t)message,
	};
	struct fastipc_send *ro = readonly_copy(&req, sizeof(req));
	char buf[64];

	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, ioc(self->conn, FASTIPC_IOC_SEND, ro));
	EXPECT_EQ(-EAGAIN, fastipc_recv(self->ep, 0, buf, sizeof(buf), NULL,
					&(struct fastipc_timeout){ .mode = FASTIPC_WAIT_NONE }));
	munmap(ro, 4096);
}

TEST_HARNESS_MAIN
