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
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
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
	self->ctx = fastipc_open();
	ASSERT_LE(0, self->ctx);
	self->ep = fastipc_endpoint_create(self->ctx, NULL, 0600);
	ASSERT_LE(0, self->ep);
	self->conn = fastipc_connect_endpoint(self->ep);
	ASSERT_LE(0, self->conn);
}

FIXTURE_TEARDOWN(wake)
{
	close(self->conn);
	close(self->ep);
	close(self->ctx);
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
	struct fastipc_call call = {
		.len = 1, .data = (uintptr_t)"q",
		.send_timeout = fastipc_timeout_rel(300 * MS),
		.reply_timeout = fastipc_timeout_abs(now_ns() + 20000 * MS),
	};

	c->ret = fastipc_call_raw(c->conn, &call);
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A call a receiver took and put back (its copy-out faulted) is queued
 * again: its send deadline holds again, though taking it had set the caller
 * to wait for its (far) reply deadline.
 */
TEST_F(wake, call_put_back_keeps_its_send_deadline)
{
	struct receiver faulting = { .ep = self->ep, .capacity = 4096, .ns = 2000 * MS };
	struct caller c = { .conn = self->conn };
	pthread_t thread;
	int i;

	faulting.data = unmapped();
	ASSERT_NE(NULL, faulting.data);
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
	munmap(faulting.data, 4096);
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

TEST_HARNESS_MAIN
