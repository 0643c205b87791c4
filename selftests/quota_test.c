// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user quotas: a user that exhausts its endpoints, or the queued bytes
 * its endpoints hold, is refused with the documented errno, and other users
 * are not affected.
 * Needs root, to change the limits and to act as other users.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fastipc.h"
#include "fastipc_test.h"
#include "kselftest_harness.h"

#define OTHER_UID 1000

FIXTURE(quota) {
	struct fastipc_info saved;
	int ctx;
};

FIXTURE_SETUP(quota)
{
	if (geteuid())
		SKIP(return, "needs root");
	self->ctx = fastipc_open();
	ASSERT_LE(0, self->ctx);
	ASSERT_EQ(0, fastipc_get_info(self->ctx, &self->saved));
}

FIXTURE_TEARDOWN(quota)
{
	if (geteuid())
		return;
	param_write("max_endpoints", self->saved.max_endpoints);
	param_write("max_queued_bytes", self->saved.max_queued_bytes);
	close(self->ctx);
}

/* Run @fn as OTHER_UID in a child; its exit status is @fn's result. */
static int as_other_user(int (*fn)(int arg), int arg)
{
	int status;
	pid_t child = fork();

	if (!child) {
		if (setresgid(OTHER_UID, OTHER_UID, OTHER_UID) ||
		    setresuid(OTHER_UID, OTHER_UID, OTHER_UID))
			_exit(100);
		_exit(fn(arg));
	}
	waitpid(child, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 101;
}

/* Create endpoints until refused; exit 0 if the third gets ENOSPC. */
static int fill_endpoints(int ctx)
{
	int a = fastipc_endpoint_create(ctx, NULL, 0600);
	int b = fastipc_endpoint_create(ctx, NULL, 0600);
	int c = fastipc_endpoint_create(ctx, NULL, 0600);

	if (a < 0 || b < 0)
		return 1;
	if (c != -ENOSPC)
		return 2;
	close(a);
	/* One closed, one free again. */
	c = fastipc_endpoint_create(ctx, NULL, 0600);
	return c < 0 ? 3 : 0;
}

TEST_F(quota, endpoint_quota_is_per_user)
{
	int mine[2], i;

	ASSERT_EQ(0, param_write("max_endpoints", 2));
	EXPECT_EQ(0, as_other_user(fill_endpoints, self->ctx));
	/* The other user's endpoints are gone with its process; root's own: */
	for (i = 0; i < 2; i++) {
		mine[i] = fastipc_endpoint_create(self->ctx, NULL, 0600);
		ASSERT_LE(0, mine[i]);
	}
	EXPECT_EQ(-ENOSPC, fastipc_endpoint_create(self->ctx, NULL, 0600));
	close(mine[0]);
	close(mine[1]);
}

/*
 * The other user connects to @ep (an inherited endpoint fd), fills the
 * queued-bytes quota of its owner, and is refused there, but not on an
 * endpoint of its own; exit 0 if so.
 */
static int fill_queued_bytes(int ep)
{
	static char block[65536];
	int conn = fastipc_connect_endpoint(ep), ctx = fastipc_open(), own, own_conn;

	if (conn < 0 || ctx < 0)
		return 1;
	if (fastipc_send(conn, 1, block, sizeof(block), NULL))
		return 2;
	if (fastipc_send(conn, 1, block, 1, NULL) != -ENOBUFS)
		return 3;
	own = fastipc_endpoint_create(ctx, NULL, 0600);
	own_conn = own < 0 ? own : fastipc_connect_endpoint(own);
	if (own_conn < 0)
		return 4;
	return fastipc_send(own_conn, 1, block, sizeof(block), NULL) ? 5 : 0;
}

/* Bytes queued count against the receiving endpoint's owner. */
TEST_F(quota, queued_bytes_quota_is_the_receivers)
{
	static char block[65536];
	struct fastipc_msg_info info;
	int ep, conn;

	ASSERT_EQ(0, param_write("max_queued_bytes", 65536));
	ep = fastipc_endpoint_create(self->ctx, NULL, 0600);
	ASSERT_LE(0, ep);
	conn = fastipc_connect_endpoint(ep);
	ASSERT_LE(0, conn);

	EXPECT_EQ(0, as_other_user(fill_queued_bytes, ep));
	/* The other user's 64 KiB wait in root's queue: root's quota is full. */
	EXPECT_EQ(-ENOBUFS, fastipc_send(conn, 2, block, 1, NULL));
	/* Receiving gives the bytes back. */
	ASSERT_EQ(sizeof(block), fastipc_recv(ep, 1, block, sizeof(block), &info, NULL));
	EXPECT_EQ(OTHER_UID, info.uid);
	ASSERT_EQ(0, fastipc_send(conn, 2, block, sizeof(block), NULL));
	EXPECT_EQ(-ENOBUFS, fastipc_send(conn, 2, block, 1, NULL));
	ASSERT_EQ(sizeof(block), fastipc_recv(ep, 2, block, sizeof(block), &info, NULL));
	EXPECT_EQ(0, info.uid);
	close(conn);
	close(ep);
}

TEST_HARNESS_MAIN
