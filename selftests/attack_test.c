// SPDX-License-Identifier: GPL-2.0
/*
 * The threat model of fastipc(7), tried from the attacker's side: a right
 * reached by a process that lacks it, through every path that could lead
 * to it (by name, by fd, after fd passing, after fork, as another uid), and
 * identities that must name the actor, never whoever happened to run the
 * kernel code.  Runs as root and drops to other users in children.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fastipc.h"
#include "fastipc_test.h"
#include "kselftest_harness.h"

#define OTHER_UID 1003

static const struct identity owner = { "owner", OWNER_UID, GROUP_GID, 0 };
static const struct identity other = { "other", OTHER_UID, OTHER_UID, 0 };

FIXTURE(read_only) {
	int ctx, ep;
};

/* Root's endpoint, which others may read (receive on) but not write (connect). */
FIXTURE_SETUP(read_only)
{
	if (geteuid())
		SKIP(return, "needs root");
	self->ctx = fastipc_open();
	ASSERT_LE(0, self->ctx);
	self->ep = fastipc_endpoint_create(self->ctx, "atk.ro", 0604);
	ASSERT_LE(0, self->ep);
	ASSERT_EQ(0, fastipc_chmod(self->ep, NULL, 0604));
}

FIXTURE_TEARDOWN(read_only)
{
	if (geteuid())
		return;
	close(self->ep);
	close(self->ctx);
}

static int connect_by_name(const void *name)
{
	int ctx = fastipc_open(), fd;

	if (ctx < 0)
		return ctx;
	fd = fastipc_connect(ctx, name);
	close(ctx);
	return fd < 0 ? fd : 0;
}

/* OPEN_ENDPOINT (read), then CONNECT on that fd, then SEND: the review's path. */
static int open_then_connect_and_send(const void *name)
{
	int ctx = fastipc_open(), ep, conn, ret;

	if (ctx < 0)
		return ctx;
	ep = fastipc_open_endpoint(ctx, name);
	if (ep < 0)
		return ep == -EBADF ? -ENOTRECOVERABLE : ep;	/* EBADF means CONNECT only */
	conn = fastipc_connect_endpoint(ep);
	if (conn < 0)
		return conn;
	ret = fastipc_send(conn, 1, "x", 1, NULL);
	return ret ? ret : 0;
}

TEST_F(read_only, read_permission_does_not_grant_connecting)
{
	struct fastipc_timeout none = fastipc_timeout_none();
	struct fastipc_msg_info info;
	char byte;

	EXPECT_EQ(-EACCES, as(&other, connect_by_name, "atk.ro"));
	EXPECT_EQ(-EBADF, as(&other, open_then_connect_and_send, "atk.ro"));
	/* Nothing reached the endpoint. */
	EXPECT_EQ(-EAGAIN, fastipc_recv(self->ep, 0, &byte, 1, &info, &none));
}

TEST_F(read_only, receive_only_fd_stays_so_when_passed_or_inherited)
{
	int sv[2], passed, conn, status;
	pid_t child;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		int ctx, ep;

		if (become(&other))
			_exit(1);
		ctx = fastipc_open();
		ep = fastipc_open_endpoint(ctx, "atk.ro");
		if (ep < 0 || send_fd(sv[1], ep))
			_exit(2);
		/* Inherited by a child of its own: still only receiving. */
		if (!fork())
			_exit(fastipc_connect_endpoint(ep) == -EBADF ? 0 : 3);
		wait(&status);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 4);
	}
	passed = recv_fd(sv[0]);
	ASSERT_LE(0, passed);
	/* Even root, given the fd, gets no more than the fd carries. */
	EXPECT_EQ(-EBADF, fastipc_connect_endpoint(passed));
	/* It does carry receiving: the owner's message reaches it. */
	conn = fastipc_connect_endpoint(self->ep);
	ASSERT_LE(0, conn);
	close(conn);
	waitpid(child, &status, 0);
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(passed);
	close(sv[0]);
	close(sv[1]);
}

TEST_F(read_only, creator_fd_connects)
{
	int conn = fastipc_connect_endpoint(self->ep);

	ASSERT_LE(0, conn);
	EXPECT_EQ(0, fastipc_send(conn, 1, "x", 1, NULL));
	close(conn);
}

/*
 * A connection's hangup names whoever set the connection up, not the task
 * that dropped its last reference: uid 1000 passes its connection (with a
 * buffer) to root, and root's close sends the hangup.
 */
TEST(hangup_names_the_connection_not_the_closer)
{
	struct fastipc_timeout none = fastipc_timeout_none();
	struct fastipc_recv recv = { .timeout = none };
	int ctx, ep, sv[2], passed, status;
	pid_t child;

	if (geteuid())
		SKIP(return, "needs root");
	ctx = fastipc_open();
	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create(ctx, "atk.hangup", 0666);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, fastipc_chmod(ep, NULL, 0666));	/* past the umask */
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		int cctx, conn;

		if (become(&owner))
			_exit(1);
		cctx = fastipc_open();
		conn = fastipc_connect(cctx, "atk.hangup");
		if (conn < 0 || fastipc_buffer_create(conn, 4096) || send_fd(sv[1], conn))
			_exit(2);
		_exit(0);
	}
	waitpid(child, &status, 0);
	ASSERT_EQ(0, WEXITSTATUS(status));
	passed = recv_fd(sv[0]);
	ASSERT_LE(0, passed);
	close(passed);		/* ->release runs here, in root */

	ASSERT_EQ(0, fastipc_recv_raw(ep, &recv));
	EXPECT_TRUE(recv.msg.flags & FASTIPC_MSG_HANGUP);
	EXPECT_EQ(OWNER_UID, recv.msg.uid);
	EXPECT_EQ(GROUP_GID, recv.msg.gid);
	close(sv[0]);
	close(sv[1]);
	close(ep);
	close(ctx);
}

/*
 * OPEN_ENDPOINT racing the creator's last close: an fd it returns is to a
 * live endpoint, still under its name, never to one whose queue was shut
 * down (which a RECV would wait on for ever).  A race: bounded by rounds
 * and time, it asserts the invariant on every round that opened.
 */
struct revive {
	int ctx;
	volatile int round;
	volatile int stop;
};

static void *open_while_closing(void *arg)
{
	struct revive *r = arg;
	struct fastipc_endpoint_stat st;
	char name[32];
	int seen = -1, fd, bad = 0;

	while (!r->stop) {
		int round = r->round;

		if (round == seen)
			continue;
		snprintf(name, sizeof(name), "atk.revive.%d", round);
		fd = fastipc_open_endpoint(r->ctx, name);
		if (fd >= 0) {
			if (fastipc_stat(r->ctx, name, &st))
				bad++;
			close(fd);
		}
		seen = round;
	}
	return (void *)(long)bad;
}

TEST(open_endpoint_never_revives_a_dying_endpoint)
{
	struct revive r = { .ctx = fastipc_open() };
	uint64_t end = now_ns() + 3000000000ULL;
	char name[32];
	pthread_t opener;
	void *bad;
	int i, fd;

	ASSERT_LE(0, r.ctx);
	ASSERT_EQ(0, pthread_create(&opener, NULL, open_while_closing, &r));
	for (i = 0; i < 20000 && now_ns() < end; i++) {
		snprintf(name, sizeof(name), "atk.revive.%d", i);
		fd = fastipc_endpoint_create(r.ctx, name, 0600);
		ASSERT_LE(0, fd);
		r.round = i;
		close(fd);
	}
	r.stop = 1;
	pthread_join(opener, &bad);
	EXPECT_EQ(0, (long)bad) TH_LOG("%ld fds to endpoints no longer named", (long)bad);
	close(r.ctx);
}

/*
 * A region whose first touch waits for a userfaultfd handler that answers
 * only after @delay_ns: a peer that stalls in a page fault.
 */
struct stall {
	int uffd;
	char *area;
	size_t len;
	uint64_t delay_ns;
	pthread_t thread;
};

static void *resolve_late(void *arg)
{
	struct stall *st = arg;
	struct pollfd pfd = { .fd = st->uffd, .events = POLLIN };
	struct uffd_msg msg;

	while (poll(&pfd, 1, 10000) == 1) {
		if (read(st->uffd, &msg, sizeof(msg)) != sizeof(msg))
			break;
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		usleep(st->delay_ns / 1000);
		st->delay_ns = 0;	/* only the first answer is late */
		struct uffdio_zeropage zero = {
			.range = { .start = msg.arg.pagefault.address & ~4095ULL, .len = 4096 },
		};
		ioctl(st->uffd, UFFDIO_ZEROPAGE, &zero);
	}
	return NULL;
}

static int stall_open(struct stall *st, size_t len, uint64_t delay_ns)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	st->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (st->uffd < 0)
		return -errno;
	if (ioctl(st->uffd, UFFDIO_API, &api))
		return -errno;
	st->len = len;
	st->delay_ns = delay_ns;
	st->area = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st->area == MAP_FAILED)
		return -errno;
	reg.range.start = (uintptr_t)st->area;
	reg.range.len = len;
	if (ioctl(st->uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	return pthread_create(&st->thread, NULL, resolve_late, st) ? -EAGAIN : 0;
}

static void stall_close(struct stall *st)
{
	close(st->uffd);
	pthread_join(st->thread, NULL);
	munmap(st->area, st->len);
}

/* --- wake-ups: every wait is woken on every path ------------------------ */

#define MS 1000000ULL

/* A receiver on @ep for @type, with @capacity bytes at @data, for @ns (0: none). */
struct receiver {
	pthread_t thread;
	int ep;
	int64_t type;
	uint32_t capacity;
	void *data;
	uint64_t ns;
	int ret;
	struct fastipc_recv recv;
};

static void *receive(void *arg)
{
	struct receiver *r = arg;

	r->recv = (struct fastipc_recv) {
		.type = r->type, .capacity = r->capacity,
		.data = (uintptr_t)r->data,
		.timeout = r->ns ? fastipc_timeout_rel(r->ns) : fastipc_timeout_none(),
	};
	r->ret = fastipc_recv_raw(r->ep, &r->recv);
	return NULL;
}

/* Start @r, then give it time to be waiting before the next one starts. */
static void start_receiver(struct receiver *r)
{
	pthread_create(&r->thread, NULL, receive, r);
	usleep(200 * 1000);
}

/* A bad address: copying out to it faults. */
static void *unmapped(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

FIXTURE(wake) {
	int ctx, ep, conn;
	char big[4096];
};

FIXTURE_SETUP(wake)
{
	ASSERT_EQ(0, pair_open(&self->ctx, &self->ep, &self->conn));
}

FIXTURE_TEARDOWN(wake)
{
	pair_close(self->ctx, self->ep, self->conn);
}

/*
 * A receiver too small for the message passes its wake-up to one that
 * wants the message, past one whose filter does not match.
 */
TEST_F(wake, too_small_receiver_passes_the_wake_up_to_a_matching_one)
{
	char tiny[1], payload[100] = "hello";
	struct receiver small = { .ep = self->ep, .type = 7, .capacity = 1,
				  .data = tiny, .ns = 2000 * MS };
	struct receiver other_type = { .ep = self->ep, .type = 5, .capacity = 4096,
				       .data = self->big, .ns = 6000 * MS };
	struct receiver fits = { .ep = self->ep, .type = 7, .capacity = 4096,
				 .data = self->big, .ns = 6000 * MS };
	uint64_t sent, took;

	start_receiver(&small);
	start_receiver(&other_type);
	start_receiver(&fits);
	sent = now_ns();
	ASSERT_EQ(0, fastipc_send(self->conn, 7, payload, sizeof(payload), NULL));
	pthread_join(small.thread, NULL);
	pthread_join(fits.thread, NULL);
	took = now_ns() - sent;
	EXPECT_EQ(-EMSGSIZE, small.ret);
	EXPECT_EQ(0, fits.ret);
	/*
	 * Woken for it, not finding it only when the other receiver's 6 s
	 * timeout passes the wake-up on: a wake-up takes milliseconds.
	 */
	EXPECT_GT(3000 * MS, took) TH_LOG("the fitting receiver got it after %llu ms",
					  (unsigned long long)(took / MS));
	EXPECT_EQ(sizeof(payload), fits.recv.msg.len);
	pthread_join(other_type.thread, NULL);
	EXPECT_EQ(-ETIMEDOUT, other_type.ret);
}

/* A receiver whose copy-out faults puts the message back and wakes another. */
TEST_F(wake, faulting_receiver_wakes_the_next_one_and_pollers)
{
	struct receiver faulting = { .ep = self->ep, .capacity = 4096, .ns = 2000 * MS };
	struct receiver good = { .ep = self->ep, .capacity = 4096,
				 .data = self->big, .ns = 2000 * MS };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	faulting.data = unmapped();
	ASSERT_NE(NULL, faulting.data);
	ASSERT_LE(0, epfd);
	ASSERT_EQ(0, epoll_ctl(epfd, EPOLL_CTL_ADD, self->ep, &ev));
	start_receiver(&faulting);
	start_receiver(&good);
	ASSERT_EQ(0, fastipc_send(self->conn, 1, "x", 1, NULL));
	pthread_join(faulting.thread, NULL);
	pthread_join(good.thread, NULL);
	EXPECT_EQ(-EFAULT, faulting.ret);
	EXPECT_EQ(0, good.ret) TH_LOG("the second receiver: %s", strerror(-good.ret));

	/* And an edge-triggered poller hears of the message coming back. */
	epoll_wait(epfd, &ev, 1, 0);		/* whatever is left of the above */
	faulting.ns = 0;	/* no waiting: the message is there */
	ASSERT_EQ(0, fastipc_send(self->conn, 1, "y", 1, NULL));
	EXPECT_EQ(1, epoll_wait(epfd, &ev, 1, 0));
	receive(&faulting);
	EXPECT_EQ(-EFAULT, faulting.ret);
	EXPECT_EQ(1, epoll_wait(epfd, &ev, 1, 0)) TH_LOG("no EPOLLIN after the put-back");
	munmap(faulting.data, 4096);
	close(epfd);
}

struct caller {
	int conn;
	int ret;
	int done;
};



/* A 300 ms send bound and a 20 s reply bound, absolute: the receiver wakes it. */
static void *call_with_send_bound(void *arg)
{
	struct caller *c = arg;
	char req[4096 + 100] = "q";
	struct fastipc_call call = {
		.len = sizeof(req), .data = (uintptr_t)req,
		.send_timeout = fastipc_timeout_rel(300 * MS),
		.reply_timeout = fastipc_timeout_abs(now_ns() + 20000 * MS),
	};

	c->ret = fastipc_call_raw(c->conn, &call);
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A call a receiver took and put back is queued again: its send deadline
 * holds again, though taking it had set the caller to wait for its (far)
 * reply deadline.  The receiver's buffer stalls 500 ms in a fault on its
 * first page (so the caller is asleep by then), then faults for good on
 * its second.
 */
TEST_F(wake, call_put_back_keeps_its_send_deadline)
{
	struct receiver faulting = { .ep = self->ep, .capacity = 8192, .ns = 2000 * MS };
	struct caller c = { .conn = self->conn };
	struct stall st;
	pthread_t thread;
	int i, ret;

	ret = stall_open(&st, 8192, 500 * MS);
	if (ret == -ENOSYS)
		SKIP(return, "no userfaultfd in this kernel");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, mprotect(st.area + 4096, 4096, PROT_NONE));
	faulting.data = st.area;
	start_receiver(&faulting);
	pthread_create(&thread, NULL, call_with_send_bound, &c);
	pthread_join(faulting.thread, NULL);
	EXPECT_EQ(-EFAULT, faulting.ret);
	for (i = 0; i < 50 && !__atomic_load_n(&c.done, __ATOMIC_ACQUIRE); i++)
		usleep(100 * 1000);
	EXPECT_TRUE(c.done) TH_LOG("the caller still waits 5 s after its 300 ms send bound");
	if (!c.done) {
		/* Free it: the endpoint's end completes the call. */
		close(self->ep);
		self->ep = fastipc_endpoint_create(self->ctx, NULL, 0600);
	}
	pthread_join(thread, NULL);
	if (c.done)
		EXPECT_EQ(-ETIMEDOUT, c.ret);
	stall_close(&st);
}

struct collector {
	int conn;
	uint64_t cookie;
	ssize_t ret;
	int done;
};

static void *collect(void *arg)
{
	struct collector *c = arg;
	char reply[16];

	c->ret = fastipc_collect(c->conn, &c->cookie, reply, sizeof(reply), NULL, NULL);
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Two threads collect one call: the one that loses learns it is gone. */
TEST_F(wake, collector_of_a_call_another_collected_returns)
{
	struct collector a = { .conn = self->conn }, b = { .conn = self->conn };
	struct fastipc_msg_info info;
	pthread_t ta, tb;
	uint64_t cookie;
	char req[8];
	int i;

	ASSERT_EQ(0, fastipc_call_async(self->conn, 1, "a", 1, &cookie));
	a.cookie = b.cookie = cookie;
	pthread_create(&ta, NULL, collect, &a);
	pthread_create(&tb, NULL, collect, &b);
	usleep(200 * 1000);
	ASSERT_EQ(1, fastipc_recv(self->ep, 0, req, sizeof(req), &info, NULL));
	ASSERT_EQ(0, fastipc_reply(self->ep, info.token, 2, "r", 1));
	for (i = 0; i < 50 && !(a.done && b.done); i++)
		usleep(100 * 1000);
	EXPECT_TRUE(a.done && b.done) TH_LOG("a collector still waits for a collected call");
	if (!(a.done && b.done))
		close(self->ep);	/* ends the waits: the endpoint is gone */
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	EXPECT_EQ(1, a.ret == 1 ? a.ret : b.ret);
	EXPECT_EQ(-ENOENT, a.ret == 1 ? b.ret : a.ret);
	if (!(a.done && b.done))
		self->ep = fastipc_endpoint_create(self->ctx, NULL, 0600);
}

static volatile sig_atomic_t sigio_count;

static void on_sigio(int sig)
{
	sigio_count++;
}

/* Connection fds get SIGIO for POLLOUT (room again) and POLLHUP, as poll shows. */
TEST_F(wake, connection_sigio_for_room_and_hangup)
{
	struct sigaction sa = { .sa_handler = on_sigio };
	struct fastipc_timeout none = fastipc_timeout_none();
	struct fastipc_msg_info info;
	int sent = 0, before;
	char byte;

	ASSERT_EQ(0, sigaction(SIGIO, &sa, NULL));
	ASSERT_EQ(0, fcntl(self->conn, F_SETOWN, getpid()));
	ASSERT_EQ(0, fcntl(self->conn, F_SETFL, fcntl(self->conn, F_GETFL) | O_ASYNC));
	while (fastipc_send(self->conn, 1, "x", 1, &none) == 0)
		sent++;
	ASSERT_LT(0, sent);
	before = sigio_count;
	ASSERT_EQ(1, fastipc_recv(self->ep, 0, &byte, 1, &info, &none));
	EXPECT_LT(before, sigio_count) TH_LOG("no SIGIO when the full queue got room");
	before = sigio_count;
	close(self->ep);
	self->ep = -1;
	EXPECT_LT(before, sigio_count) TH_LOG("no SIGIO when the endpoint went away");
	signal(SIGIO, SIG_DFL);
	self->ep = fastipc_endpoint_create(self->ctx, NULL, 0600);
}

/* --- resources: every one bounded, whatever the peer does --------------- */

/*
 * A server that takes async calls and never answers: the caller's
 * connection holds at most queue_depth of them, then EBUSY; collecting one
 * makes room again.
 */
TEST_F(wake, async_calls_outstanding_are_bounded)
{
	struct fastipc_timeout none = fastipc_timeout_none();
	unsigned long depth = param_read("queue_depth");
	struct fastipc_msg_info info, first;
	uint64_t cookie, first_cookie = 0;
	unsigned long n;
	char req[8];
	int ret;

	for (n = 0; n <= depth; n++) {
		ret = fastipc_call_async(self->conn, 1, "a", 1, &cookie);
		if (ret)
			break;
		if (!first_cookie)
			first_cookie = cookie;
		ASSERT_EQ(1, fastipc_recv(self->ep, 0, req, sizeof(req),
					  n ? &info : &first, &none));
	}
	EXPECT_EQ(-EBUSY, ret);
	EXPECT_EQ(depth, n);
	/* The queue itself is empty: the bound is the connection's. */
	EXPECT_EQ(-EAGAIN, fastipc_recv(self->ep, 0, req, sizeof(req), &info, &none));
	ASSERT_EQ(0, fastipc_reply(self->ep, first.token, 2, "r", 1));
	cookie = first_cookie;
	EXPECT_EQ(1, fastipc_collect(self->conn, &cookie, req, sizeof(req), NULL, NULL));
	EXPECT_EQ(0, fastipc_call_async(self->conn, 1, "b", 1, &cookie));
}

/* The caller's pinned pages as /proc/self/status counts them (VmPin), in KiB. */
static long vm_pin_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

struct pending_call {
	int conn;
	void *reply;
	uint32_t capacity;
	uint64_t reply_ns;	/* 0: for ever */
	uint32_t len;
	void *req;
	int ret;
};

static void *pending_call(void *arg)
{
	struct pending_call *p = arg;
	struct fastipc_call call = {
		.len = p->len, .data = (uintptr_t)p->req,
		.reply_data = (uintptr_t)p->reply, .reply_capacity = p->capacity,
		.send_timeout = { .mode = FASTIPC_WAIT_INFINITE },
		.reply_timeout = p->reply_ns ? fastipc_timeout_rel(p->reply_ns) :
			(struct fastipc_timeout){ .mode = FASTIPC_WAIT_INFINITE },
	};

	p->ret = fastipc_call_raw(p->conn, &call);
	return NULL;
}

/*
 * A call's reply buffer is pinned for no more than a reply can be
 * (max_msg_size), counted in the caller's VmPin, and unpinned when the call
 * is withdrawn, though the server still holds it.
 */
TEST_F(wake, reply_pins_are_bounded_counted_and_gone_with_the_call)
{
	unsigned long max = param_read("max_msg_size");
	size_t capacity = 16 << 20;
	struct pending_call p = { .conn = self->conn, .capacity = capacity,
				  .len = 1, .req = "q" };
	struct fastipc_msg_info info;
	pthread_t thread;
	long pinned;
	char req[8];

	p.reply = mmap(NULL, capacity, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, p.reply);
	ASSERT_EQ(0, vm_pin_kib());
	pthread_create(&thread, NULL, pending_call, &p);
	ASSERT_EQ(1, fastipc_recv(self->ep, 0, req, sizeof(req), &info, NULL));
	pinned = vm_pin_kib();
	EXPECT_LT(0, pinned) TH_LOG("the pinned reply buffer is not counted");
	EXPECT_GE((long)(max / 1024 + 4), pinned) TH_LOG("%ld KiB pinned for replies of at most %lu",
							  pinned, max);
	ASSERT_EQ(0, fastipc_reply(self->ep, info.token, 2, "r", 1));
	pthread_join(thread, NULL);
	EXPECT_EQ(0, p.ret);
	EXPECT_EQ(0, vm_pin_kib());

	/* Withdrawn (timed out) while the server holds it: unpinned at once. */
	p.reply_ns = 200 * MS;
	pthread_create(&thread, NULL, pending_call, &p);
	ASSERT_EQ(1, fastipc_recv(self->ep, 0, req, sizeof(req), &info, NULL));
	pthread_join(thread, NULL);
	EXPECT_EQ(-ETIMEDOUT, p.ret);
	EXPECT_EQ(0, vm_pin_kib()) TH_LOG("a withdrawn call's pages stay pinned");
	EXPECT_EQ(-ECANCELED, fastipc_reply(self->ep, info.token, 2, "r", 1));
	munmap(p.reply, capacity);
}

/* Under RLIMIT_MEMLOCK, a large call pins within the limit and still works. */
static int call_under_memlock(const void *arg)
{
	const struct rlimit lim = { 64 << 10, 64 << 10 };
	int ep = *(const int *)arg, ctx = fastipc_open(), conn;
	size_t len = 256 << 10;
	char *buf = malloc(len);
	struct fastipc_timeout t = fastipc_timeout_rel(5000 * MS);

	if (ctx < 0 || !buf || setrlimit(RLIMIT_MEMLOCK, &lim))
		return -100;
	memset(buf, 'm', len);
	conn = fastipc_connect_endpoint(ep);
	if (conn < 0)
		return conn;
	return fastipc_call(conn, 1, buf, len, buf, len, NULL, &t) == (ssize_t)len ? 0 : -101;
}

struct echo_server {
	int ep;
	pthread_t thread;
	long max_pinned_kib;	/* of the caller, seen while serving */
	pid_t caller;
};

static long proc_vm_pin_kib(pid_t pid)
{
	char path[64], line[128];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void *serve_one(void *arg)
{
	struct echo_server *srv = arg;
	size_t cap = 256 << 10;
	char *buf = malloc(cap);
	struct fastipc_msg_info info;
	ssize_t len;

	len = fastipc_recv(srv->ep, 0, buf, cap, &info, NULL);
	srv->max_pinned_kib = proc_vm_pin_kib(info.pid);
	if (len > 0)
		fastipc_reply(srv->ep, info.token, 2, buf, len);
	free(buf);
	return NULL;
}

TEST_F(wake, pins_stay_within_rlimit_memlock)
{
	struct echo_server srv = { .ep = self->ep };

	pthread_create(&srv.thread, NULL, serve_one, &srv);
	EXPECT_EQ(0, as(&other, call_under_memlock, &self->ep));
	pthread_join(srv.thread, NULL);
	EXPECT_LE(0, srv.max_pinned_kib);
	EXPECT_GE(64, srv.max_pinned_kib) TH_LOG("%ld KiB pinned under a 64 KiB limit",
						 srv.max_pinned_kib);
}

/* --- timeouts: they hold, whatever the peer does ------------------------- */

/*
 * The server replies from a page that faults for 3 s; the caller's 200 ms
 * reply timeout holds (the review's reproducer: a 100 ms timeout returned
 * after 4 s).
 */
TEST_F(wake, caller_timeout_holds_while_the_reply_stalls_in_a_fault)
{
	size_t len = 64 << 10;
	struct pending_call p = { .conn = self->conn, .capacity = len,
				  .reply_ns = 200 * MS, .len = 1, .req = "q" };
	struct fastipc_msg_info info;
	struct stall st;
	pthread_t thread;
	char req[8];
	int ret;

	ret = stall_open(&st, len, 3000 * MS);
	if (ret == -ENOSYS)
		SKIP(return, "no userfaultfd in this kernel");
	ASSERT_EQ(0, ret);
	p.reply = malloc(len);
	ASSERT_NE(NULL, p.reply);
	memset(p.reply, 0, len);
	pthread_create(&thread, NULL, pending_call, &p);
	ASSERT_EQ(1, fastipc_recv(self->ep, 0, req, sizeof(req), &info, NULL));
	ret = fastipc_reply(self->ep, info.token, 2, st.area, len);	/* stalls 3 s */
	pthread_join(thread, NULL);
	/* Not a reply that arrived 3 s late, after the caller's 200 ms. */
	EXPECT_EQ(-ETIMEDOUT, p.ret);
	EXPECT_EQ(-ECANCELED, ret);
	stall_close(&st);
	free(p.reply);
}

/*
 * A persistent endpoint dies with its IPC namespace, as System V queues do:
 * unprivileged, in a user and IPC namespace of its own, a process leaves
 * one with 96 KiB queued and exits; its user's queued-bytes quota (128 KiB
 * here) comes back, and the module can still be unloaded after the suite.
 */
static int persist_in_own_namespace(const void *arg)
{
	static char chunk[48 << 10];
	int ctx, ep, conn;

	if (unshare(CLONE_NEWUSER | CLONE_NEWIPC))
		return -errno;
	ctx = fastipc_open();
	if (ctx < 0)
		return ctx;
	ep = fastipc_endpoint_create_persistent(ctx, "atk.orphan", 0600);
	if (ep < 0)
		return ep;
	conn = fastipc_connect_endpoint(ep);
	if (conn < 0)
		return conn;
	if (fastipc_send(conn, 1, chunk, sizeof(chunk), NULL) ||
	    fastipc_send(conn, 1, chunk, sizeof(chunk), NULL))
		return -EIO;
	return 0;	/* exits: the namespace goes, the endpoint stays persistent */
}

static int queue_64k_within_10s(const void *arg)
{
	static char chunk[64 << 10];
	struct fastipc_timeout none = fastipc_timeout_none();
	int ctx = fastipc_open(), ep, conn, ret = -1, i;

	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	conn = fastipc_connect_endpoint(ep);
	if (ctx < 0 || ep < 0 || conn < 0)
		return -100;
	for (i = 0; i < 50; i++) {
		ret = fastipc_send(conn, 1, chunk, sizeof(chunk), &none);
		if (ret != -ENOBUFS)
			break;
		usleep(200 * 1000);
	}
	return ret;
}

TEST(persistent_endpoint_dies_with_its_ipc_namespace)
{
	unsigned long old = param_read("max_queued_bytes");
	int ret;

	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, param_write("max_queued_bytes", 128 << 10));
	ret = as(&owner, persist_in_own_namespace, NULL);
	if (ret == -EPERM || ret == -EINVAL || ret == -ENOSPC) {
		param_write("max_queued_bytes", old);
		SKIP(return, "no unprivileged user namespaces here: %s", strerror(-ret));
	}
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, as(&owner, queue_64k_within_10s, NULL))
		TH_LOG("the dead namespace's endpoint still holds the user's queued bytes");
	EXPECT_EQ(0, param_write("max_queued_bytes", old));
}

static void on_alarm(int sig)
{
}

struct interrupted_call {
	int conn;
	pthread_t thread;
	int ret;
	struct fastipc_call call;
};

static void *call_until_interrupted(void *arg)
{
	struct interrupted_call *c = arg;

	c->call = (struct fastipc_call) {
		.len = 1, .data = (uintptr_t)"q",
		.send_timeout = { .mode = FASTIPC_WAIT_INFINITE },
		.reply_timeout = fastipc_timeout_rel(3000 * MS),
	};
	c->ret = fastipc_call_raw(c->conn, &c->call);
	return NULL;
}

/*
 * A relative reply bound runs from when a receiver took the call, so what
 * EINTR reports as left of it does too: taken after 1 s, interrupted 0.5 s
 * later, about 2.5 s of 3 s are left (measured from the ioctl, 1.5 s).
 */
TEST_F(wake, eintr_reports_the_reply_bound_left_since_the_call_was_taken)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct interrupted_call c = { .conn = self->conn };
	struct fastipc_msg_info info;
	char req[8];

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	pthread_create(&c.thread, NULL, call_until_interrupted, &c);
	usleep(1000 * 1000);
	ASSERT_EQ(1, fastipc_recv(self->ep, 0, req, sizeof(req), &info, NULL));
	usleep(500 * 1000);
	pthread_kill(c.thread, SIGUSR1);
	pthread_join(c.thread, NULL);
	ASSERT_EQ(-EINTR, c.ret);
	EXPECT_LT(2000 * MS, c.call.reply_timeout.ns)
		TH_LOG("%llu ms left", (unsigned long long)(c.call.reply_timeout.ns / MS));
	EXPECT_GE(2500 * MS, c.call.reply_timeout.ns);
	EXPECT_EQ(-ECANCELED, fastipc_reply(self->ep, info.token, 2, "r", 1));
	signal(SIGUSR1, SIG_DFL);
}

/*
 * Quotas charge whoever decides when the charge ends.  These run in one
 * child that stays root underneath and acts with the effective uid of each
 * party in turn: a charge is taken from the credentials of the call that
 * makes it.
 */
FIXTURE(quota) {
	unsigned long queued, buffers, endpoints;
};

FIXTURE_SETUP(quota)
{
	if (geteuid())
		SKIP(return, "needs root");
	self->queued = param_read("max_queued_bytes");
	self->buffers = param_read("max_buffer_bytes");
	self->endpoints = param_read("max_endpoints");
}

FIXTURE_TEARDOWN(quota)
{
	if (geteuid())
		return;
	EXPECT_EQ(0, param_write("max_queued_bytes", self->queued));
	EXPECT_EQ(0, param_write("max_buffer_bytes", self->buffers));
	EXPECT_EQ(0, param_write("max_endpoints", self->endpoints));
}

/* Through root, which the real and saved uids stay. */
static int acting_as(uid_t uid)
{
	return setresuid(-1, 0, -1) || setresuid(-1, uid, -1) ? -errno : 0;
}

#define QUOTA_CHUNK	(32 << 10)

/*
 * A receiver that never reads: the bytes queued to it count against its
 * owner, so their sender can still send elsewhere; the owner's other
 * endpoints are full until the owner reads, which it can.
 */
static int stalled_receiver(const void *arg)
{
	static char chunk[QUOTA_CHUNK];
	struct fastipc_timeout none = fastipc_timeout_none();
	struct fastipc_msg_info info;
	int ctx = fastipc_open(), stalled, second, own, to_stalled, to_second, to_own;
	int sent = 0, ret;

	if (ctx < 0 || acting_as(OWNER_UID))
		return -100;
	stalled = fastipc_endpoint_create(ctx, NULL, 0600);
	second = fastipc_endpoint_create(ctx, NULL, 0600);
	if (stalled < 0 || second < 0 || acting_as(OTHER_UID))
		return -101;
	to_stalled = fastipc_connect_endpoint(stalled);
	to_second = fastipc_connect_endpoint(second);
	own = fastipc_endpoint_create(ctx, NULL, 0600);
	to_own = own < 0 ? own : fastipc_connect_endpoint(own);
	if (to_stalled < 0 || to_second < 0 || to_own < 0)
		return -102;
	while ((ret = fastipc_send(to_stalled, 1, chunk, sizeof(chunk), &none)) == 0)
		sent++;
	if (ret != -ENOBUFS || sent != 4)
		return -103;
	/* The sender's own quota is untouched. */
	ret = fastipc_send(to_own, 1, chunk, sizeof(chunk), &none);
	if (ret)
		return ret;
	if (fastipc_send(to_second, 1, chunk, 1, &none) != -ENOBUFS)
		return -104;
	if (acting_as(OWNER_UID) ||
	    fastipc_recv(stalled, 0, chunk, sizeof(chunk), &info, NULL) != QUOTA_CHUNK)
		return -105;
	return fastipc_send(to_second, 1, chunk, sizeof(chunk), &none);
}

TEST_F(quota, stalled_receiver_holds_none_of_the_senders_quota)
{
	ASSERT_EQ(0, param_write("max_queued_bytes", 4 * QUOTA_CHUNK));
	EXPECT_EQ(0, as(NULL, stalled_receiver, NULL));
}

/*
 * A receiver that maps a client's buffer pays for the mapping: the client
 * gets its quota back once it has closed its connection and the endpoint
 * took the hangup, mapping or not.
 */
static int mapped_client_buffer(const void *arg)
{
	size_t size = 2 * QUOTA_CHUNK, page = sysconf(_SC_PAGESIZE);
	struct fastipc_recv r = { .timeout = fastipc_timeout_none() };
	struct fastipc_msg_info info;
	int ctx = fastipc_open(), ep, own, own_conn, conn, again;
	char byte;
	void *map;

	if (ctx < 0 || acting_as(OWNER_UID))
		return -100;
	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	own = fastipc_endpoint_create(ctx, NULL, 0600);
	own_conn = own < 0 ? own : fastipc_connect_endpoint(own);
	if (ep < 0 || own_conn < 0 || acting_as(OTHER_UID))
		return -101;
	conn = fastipc_connect_endpoint(ep);
	if (conn < 0 || fastipc_buffer_create(conn, size) ||
	    fastipc_send(conn, 1, "x", 1, NULL))
		return -102;
	if (acting_as(OWNER_UID) || fastipc_recv(ep, 0, &byte, 1, &info, NULL) != 1 ||
	    fastipc_buffer_map(ep, info.conn_id, size, &map))
		return -103;
	/* The mapping counts against the owner, who maps it... */
	if (fastipc_buffer_create(own_conn, page) != -EDQUOT)
		return -104;
	if (acting_as(OTHER_UID))
		return -105;
	close(conn);
	if (acting_as(OWNER_UID) || fastipc_recv_raw(ep, &r) ||
	    !(r.msg.flags & FASTIPC_MSG_HANGUP))
		return -106;
	/* ...and no longer against the client, who has let go. */
	if (acting_as(OTHER_UID))
		return -107;
	again = fastipc_connect_endpoint(ep);
	if (again < 0 || fastipc_buffer_create(again, size))
		return -108;
	if (acting_as(OWNER_UID) || fastipc_buffer_unmap(ep, map, size))
		return -109;
	return fastipc_buffer_create(own_conn, page);
}

TEST_F(quota, receiver_mapping_a_clients_buffer_pays_for_it)
{
	ASSERT_EQ(0, param_write("max_buffer_bytes", 2 * QUOTA_CHUNK));
	EXPECT_EQ(0, as(NULL, mapped_client_buffer, NULL));
}

/*
 * Subordinate uids count against the user whose namespace maps them: uid
 * OWNER_UID makes a user namespace, root maps eight uids into it (as
 * newuidmap would), and two of them together get the owner's one limit.
 */
static int create_until_refused(int ctx)
{
	int made = 0, ep;

	while ((ep = fastipc_endpoint_create(ctx, NULL, 0600)) >= 0)
		made++;
	return ep == -ENOSPC ? made : ep;
}

static int subordinate_uids(const void *arg)
{
	const int *sync = arg;
	int ctx = fastipc_open(), first, second;
	char go;

	if (ctx < 0 || become(&owner) || unshare(CLONE_NEWUSER))
		return -100;
	if (write(sync[1], "u", 1) != 1 || read(sync[0], &go, 1) != 1 || go != 'm')
		return -101;
	if (setresuid(0, 0, 0))
		return -102;
	first = create_until_refused(ctx);
	if (first < 0)
		return first;
	/* Another of the eight, while the first one's endpoints stay open. */
	if (setresuid(1, 1, 0))
		return -103;
	second = create_until_refused(ctx);
	return first * 100 + second;
}

TEST_F(quota, subordinate_uids_share_their_owners_limits)
{
	int to_child[2], to_parent[2], sync[2], result = -1, status;
	char map[64], path[64], ready;
	pid_t child;
	int fd;

	ASSERT_EQ(0, param_write("max_endpoints", 4));
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		sync[0] = to_child[0];
		sync[1] = to_parent[1];
		result = subordinate_uids(sync);
		if (write(to_parent[1], &result, sizeof(result)) != sizeof(result))
			_exit(1);
		_exit(0);
	}
	if (read(to_parent[0], &ready, 1) == 1 && ready == 'u') {
		snprintf(path, sizeof(path), "/proc/%d/uid_map", child);
		snprintf(map, sizeof(map), "0 %d 8\n", 200000);
		fd = open(path, O_WRONLY);
		ASSERT_LE(0, fd);
		ASSERT_EQ((ssize_t)strlen(map), write(fd, map, strlen(map)));
		close(fd);
		ASSERT_EQ(1, write(to_child[1], "m", 1));
		ASSERT_EQ(sizeof(result), read(to_parent[0], &result, sizeof(result)));
	} else {
		ASSERT_EQ(sizeof(result), read(to_parent[0], &result, sizeof(result)));
	}
	waitpid(child, &status, 0);
	if (result == -100)
		SKIP(return, "no unprivileged user namespaces here");
	/* Four for the first subordinate uid, none left for the second. */
	EXPECT_EQ(400, result);
}

TEST_HARNESS_MAIN
