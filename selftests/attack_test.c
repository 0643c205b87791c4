// SPDX-License-Identifier: GPL-2.0
/*
 * The threat model of fastipc(7), tried from the attacker's side: a right
 * reached by a process that lacks it, through every path that could lead
 * to it (by name, by fd, after fd passing, after fork, as another uid), and
 * identities that must name the actor, never whoever happened to run the
 * kernel code.  Runs as root and drops to other users in children.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

TEST_HARNESS_MAIN
