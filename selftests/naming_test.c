// SPDX-License-Identifier: GPL-2.0
/*
 * Access control and naming: the owner/group/other permission matrix,
 * CAP_IPC_OWNER, who may change owner and mode, the umask, IPC namespace
 * isolation, waiting for a name, more receivers by name, persistent
 * endpoints and unlink.  Runs as root and drops to other users in children.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fastipc.h"
#include "fastipc_test.h"
#include "kselftest_harness.h"

#define MS 1000000ULL

static const struct identity owner = { "owner", OWNER_UID, GROUP_GID, 0 };
static const struct identity group = { "group", 1001, GROUP_GID, 0 };
static const struct identity supplementary = { "supp. group", 1002, 1002, GROUP_GID };
static const struct identity other = { "other", 1003, 1003, 0 };

static int try_connect(const void *name)
{
	int ctx = fastipc_open(), fd;

	if (ctx < 0)
		return ctx;
	fd = fastipc_connect(ctx, name);
	close(ctx);
	return fd < 0 ? fd : 0;
}

static int try_open(const void *name)
{
	int ctx = fastipc_open(), fd;

	if (ctx < 0)
		return ctx;
	fd = fastipc_open_endpoint(ctx, name);
	close(ctx);
	return fd < 0 ? fd : 0;
}

FIXTURE(named) {
	int ctx, ep;
};

FIXTURE_SETUP(named)
{
	if (geteuid())
		SKIP(return, "needs root");
	self->ctx = fastipc_open();
	ASSERT_LE(0, self->ctx);
	self->ep = fastipc_endpoint_create(self->ctx, "perm.test", 0600);
	ASSERT_LE(0, self->ep);
	ASSERT_EQ(0, fastipc_chown(self->ep, NULL, OWNER_UID, GROUP_GID));
}

FIXTURE_TEARDOWN(named)
{
	if (geteuid())
		return;
	close(self->ep);
	close(self->ctx);
}

TEST_F(named, permission_matrix)
{
	static const struct identity *const who[] = { &owner, &group, &supplementary, &other };
	static const int shift[] = { 6, 3, 3, 0 };	/* their class's bits */
	static const char *const perm_name[] = { "read (receive)", "write (connect)" };
	int w, p, allowed, mode, got;
	char row[160];

	TH_LOG("%-12s %-16s %-8s %-6s %s", "who", "permission", "granted", "mode", "result");
	for (w = 0; w < 4; w++) {
		for (p = 0; p < 2; p++) {
			int bit = p ? 2 : 4;

			for (allowed = 0; allowed < 2; allowed++) {
				/*
				 * The class's bit as the case wants, every other
				 * class's the opposite: only the right class may
				 * decide.
				 */
				mode = allowed ? bit << shift[w] : (bit << 6 | bit << 3 | bit) &
								   ~(bit << shift[w]);
				ASSERT_EQ(0, fastipc_chmod(self->ep, NULL, mode));
				got = as(who[w], p ? try_connect : try_open, "perm.test");
				snprintf(row, sizeof(row), "%-12s %-16s %-8s %04o   %s",
					 who[w]->what, perm_name[p], allowed ? "yes" : "no",
					 mode, got == 0 ? "allowed" : strerror(-got));
				TH_LOG("%s", row);
				EXPECT_EQ(allowed ? 0 : -EACCES, got);
			}
		}
	}
}

static int drop_ipc_owner_and_connect(const void *name)
{
	struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &header, data))
		return -errno;
	data[CAP_IPC_OWNER / 32].effective &= ~(1u << (CAP_IPC_OWNER % 32));
	if (syscall(SYS_capset, &header, data))
		return -errno;
	return try_connect(name);
}

TEST_F(named, cap_ipc_owner_overrides)
{
	ASSERT_EQ(0, fastipc_chmod(self->ep, NULL, 0));
	/* Root is neither owner nor in the group: only the capability lets it in. */
	EXPECT_EQ(0, as(NULL, try_connect, "perm.test"));
	EXPECT_EQ(0, as(NULL, try_open, "perm.test"));
	EXPECT_EQ(-EACCES, as(NULL, drop_ipc_owner_and_connect, "perm.test"));
	EXPECT_EQ(-EACCES, as(&owner, try_connect, "perm.test"));
}

TEST_F(named, fds_made_before_a_change_keep_working)
{
	int conn = fastipc_connect(self->ctx, "perm.test");

	ASSERT_LE(0, conn);
	ASSERT_EQ(0, fastipc_chmod(self->ep, NULL, 0));
	EXPECT_EQ(0, fastipc_send(conn, 1, "still", 5, NULL));
	close(conn);
}

static int chmod_by_name(const void *mode)
{
	int ctx = fastipc_open(), ret;

	ret = fastipc_chmod(ctx, "perm.test", *(const mode_t *)mode);
	close(ctx);
	return ret;
}

static int chown_by_name(const void *uid)
{
	int ctx = fastipc_open(), ret;

	ret = fastipc_chown(ctx, "perm.test", *(const uid_t *)uid, -1);
	close(ctx);
	return ret;
}

static int unlink_by_name(const void *name)
{
	int ctx = fastipc_open(), ret;

	ret = fastipc_unlink(ctx, name);
	close(ctx);
	return ret;
}

static int stat_by_name(const void *name)
{
	struct fastipc_endpoint_stat st;
	int ctx = fastipc_open(), ret;

	ret = fastipc_stat(ctx, name, &st);
	close(ctx);
	return ret ? ret : (int)st.mode;
}

TEST_F(named, who_may_change_owner_and_mode)
{
	static const mode_t mode = 0640;
	static const uid_t to_other = 1003;
	struct fastipc_endpoint_set unmapped = {
		.flags = FASTIPC_SET_UID, .uid = (uint32_t)-1,
	};
	struct fastipc_endpoint_stat st;

	/* Anyone who sees it may stat it. */
	EXPECT_EQ(0600, as(&other, stat_by_name, "perm.test"));
	/* The owner may. */
	EXPECT_EQ(0, as(&owner, chmod_by_name, &mode));
	ASSERT_EQ(0, fastipc_stat(self->ep, NULL, &st));
	EXPECT_EQ(0640, st.mode);
	/* A group member and others may not, nor unlink it. */
	EXPECT_EQ(-EPERM, as(&group, chmod_by_name, &mode));
	EXPECT_EQ(-EPERM, as(&other, chown_by_name, &to_other));
	EXPECT_EQ(-EPERM, as(&other, unlink_by_name, "perm.test"));
	/* The owner may give it away, and then may not change it any more. */
	EXPECT_EQ(0, as(&owner, chown_by_name, &to_other));
	EXPECT_EQ(-EPERM, as(&owner, chmod_by_name, &mode));
	EXPECT_EQ(0, as(&other, chmod_by_name, &mode));
	ASSERT_EQ(0, fastipc_stat(self->ep, NULL, &st));
	EXPECT_EQ(1003, st.uid);
	EXPECT_EQ(GROUP_GID, st.gid);
	EXPECT_EQ(0, st.cuid);	/* root created it, and as creator still may: */
	EXPECT_EQ(0, fastipc_chmod(self->ctx, "perm.test", 0600));
	/* Ids with no mapping and modes beyond 0777 are refused. */
	EXPECT_EQ(-1, ioctl(self->ep, FASTIPC_IOC_SET, &unmapped));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EINVAL, fastipc_chmod(self->ep, NULL, 01777));
}

static int create_as_creator(const void *arg)
{
	int ctx = fastipc_open(), ep;

	ep = fastipc_endpoint_create(ctx, "perm.creator", 0600);
	if (ep < 0)
		return ep;
	/* Hand it over to root, then show the creator may still change it. */
	if (fastipc_chown(ep, NULL, 0, 0))
		return -1000;
	return fastipc_chmod(ep, NULL, 0666);
}

TEST(creator_keeps_the_right_to_change)
{
	EXPECT_EQ(0, as(&owner, create_as_creator, NULL));
}

TEST(umask_applies_at_creation)
{
	struct fastipc_endpoint_stat st;
	int ctx = fastipc_open(), ep;
	mode_t old = umask(027);

	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create(ctx, "umask.test", 0666);
	umask(old);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, fastipc_stat(ctx, "umask.test", &st));
	EXPECT_EQ(0640, st.mode);
	EXPECT_EQ(geteuid(), st.uid);
	EXPECT_EQ(1, st.receivers);
	close(ep);
	close(ctx);
}

TEST(ipc_namespaces_are_isolated)
{
	int ctx = fastipc_open(), ep, ready[2], done[2], conn, child_ctx, child_ep;
	struct fastipc_msg_info info;
	char result = 0;
	pid_t child;

	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create(ctx, "ns.parent", 0600);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		/* A context opened before the unshare stays in the old namespace. */
		int old_ctx = fastipc_open();

		if (unshare(CLONE_NEWIPC))
			result = 1;
		child_ctx = fastipc_open();
		/* Nothing of the parent's namespace is visible from the new one... */
		if (!result && fastipc_connect(child_ctx, "ns.parent") != -ENOENT)
			result = 2;
		/* ...so the same name is free here... */
		child_ep = fastipc_endpoint_create(child_ctx, "ns.parent", 0600);
		if (!result && child_ep < 0)
			result = 3;
		if (!result && fastipc_endpoint_create(child_ctx, "ns.child", 0600) < 0)
			result = 4;
		/* ...while the old context reaches the parent's endpoint. */
		conn = fastipc_connect(old_ctx, "ns.parent");
		if (!result && (conn < 0 || fastipc_send(conn, 7, NULL, 0, NULL)))
			result = 5;
		if (write(ready[1], &result, 1) != 1 || read(done[0], &result, 1) != 1)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &result, 1));
	EXPECT_EQ(0, result);
	/* While the child's endpoints live, its names do not show here. */
	EXPECT_EQ(-ENOENT, fastipc_connect(ctx, "ns.child"));
	ASSERT_EQ(0, fastipc_recv(ep, 0, NULL, 0, &info, &(struct fastipc_timeout){
			.mode = FASTIPC_WAIT_NONE }));
	EXPECT_EQ(7, info.type);
	EXPECT_EQ(child, info.pid);
	ASSERT_EQ(1, write(done[1], &result, 1));
	waitpid(child, NULL, 0);
	close(ep);
	close(ctx);
}

static void *create_late(void *arg)
{
	int ctx = *(int *)arg;

	usleep(100000);
	return (void *)(long)fastipc_endpoint_create(ctx, "wait.test", 0600);
}

TEST(wait_for_a_name)
{
	struct fastipc_timeout t = fastipc_timeout_rel(50 * MS);
	int ctx = fastipc_open(), conn;
	pthread_t thread;
	void *ep;

	ASSERT_LE(0, ctx);
	EXPECT_EQ(-ENOENT, fastipc_connect(ctx, "wait.test"));
	EXPECT_EQ(-ETIMEDOUT, fastipc_connect_wait(ctx, "wait.test", &t));
	t = fastipc_timeout_none();
	EXPECT_EQ(-EAGAIN, fastipc_connect_wait(ctx, "wait.test", &t));

	ASSERT_EQ(0, pthread_create(&thread, NULL, create_late, &ctx));
	t = fastipc_timeout_rel(10000 * MS);
	conn = fastipc_connect_wait(ctx, "wait.test", &t);
	pthread_join(thread, &ep);
	ASSERT_LE(0, conn);
	ASSERT_LE(0, (long)ep);
	EXPECT_EQ(0, fastipc_send(conn, 1, "w", 1, NULL));
	close(conn);
	close((long)ep);
	close(ctx);
}

TEST(more_receivers_by_name)
{
	int ctx = fastipc_open(), ep, second, conn;
	struct fastipc_endpoint_stat st;
	char buf[4];

	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create(ctx, "receivers.test", 0600);
	ASSERT_LE(0, ep);
	second = fastipc_open_endpoint(ctx, "receivers.test");
	ASSERT_LE(0, second);
	conn = fastipc_connect(ctx, "receivers.test");
	ASSERT_LE(0, conn);
	ASSERT_EQ(0, fastipc_stat(second, NULL, &st));
	EXPECT_EQ(2, st.receivers);
	EXPECT_EQ(1, st.connections);
	/* The first receiver leaves; the endpoint lives on in the second. */
	close(ep);
	ASSERT_EQ(0, fastipc_send(conn, 1, "r", 1, NULL));
	EXPECT_EQ(1, fastipc_recv(second, 0, buf, sizeof(buf), NULL, NULL));
	close(second);
	EXPECT_EQ(-EPIPE, fastipc_send(conn, 1, "r", 1, NULL));
	EXPECT_EQ(-ENOENT, fastipc_connect(ctx, "receivers.test"));
	close(conn);
	close(ctx);
}

static long module_refcount(void)
{
	long count = -1;
	FILE *f = fopen("/sys/module/fastipc/refcnt", "r");

	if (f) {
		if (fscanf(f, "%ld", &count) != 1)
			count = -1;
		fclose(f);
	}
	return count;
}

static int create_persistent_and_leave(const void *arg)
{
	int ctx = fastipc_open(), ep, conn;

	ep = fastipc_endpoint_create_persistent(ctx, "persist.test", 0666);
	if (ep < 0)
		return ep;
	conn = fastipc_connect_endpoint(ep);
	if (conn < 0)
		return conn;
	return fastipc_send(conn, 5, "kept", 4, NULL);
	/* exit closes every fd */
}

TEST(persistent_endpoint_outlives_its_creator)
{
	struct fastipc_endpoint_stat st;
	struct fastipc_msg_info info;
	int ctx, ep, conn;
	long base;
	char buf[8];

	base = module_refcount();
	ASSERT_EQ(0, as(&owner, create_persistent_and_leave, NULL));
	/* Every fd is gone; the endpoint holds the module. */
	EXPECT_EQ(base + 1, module_refcount());

	ctx = fastipc_open();
	ASSERT_LE(0, ctx);
	ASSERT_EQ(0, fastipc_stat(ctx, "persist.test", &st));
	EXPECT_EQ(FASTIPC_ENDPOINT_PERSISTENT, st.flags);
	EXPECT_EQ(1, st.queued);
	EXPECT_EQ(OWNER_UID, st.uid);
	conn = fastipc_connect(ctx, "persist.test");
	ASSERT_LE(0, conn);
	/* Its queued message waited for a receiver. */
	ep = fastipc_open_endpoint(ctx, "persist.test");
	ASSERT_LE(0, ep);
	ASSERT_EQ(4, fastipc_recv(ep, 0, buf, sizeof(buf), &info, NULL));
	EXPECT_EQ(0, memcmp(buf, "kept", 4));
	EXPECT_EQ(OWNER_UID, info.uid);
	close(ep);
	/* Without an fd it still receives... */
	EXPECT_EQ(0, fastipc_send(conn, 1, NULL, 0, NULL));
	/* ...until unlinked, which only its owner, creator or an admin may do. */
	EXPECT_EQ(-EPERM, as(&other, unlink_by_name, "persist.test"));
	EXPECT_EQ(0, fastipc_unlink(ctx, "persist.test"));
	EXPECT_EQ(-ENOENT, fastipc_unlink(ctx, "persist.test"));
	EXPECT_EQ(-ENOENT, fastipc_connect(ctx, "persist.test"));
	EXPECT_EQ(-EPIPE, fastipc_send(conn, 1, NULL, 0, NULL));
	close(conn);
	close(ctx);
	EXPECT_EQ(base, module_refcount());
}

TEST(unlink_keeps_open_endpoint_serving)
{
	int ctx = fastipc_open(), ep, conn, again;
	char buf[4];

	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create(ctx, "unlink.test", 0600);
	ASSERT_LE(0, ep);
	conn = fastipc_connect(ctx, "unlink.test");
	ASSERT_LE(0, conn);
	ASSERT_EQ(0, fastipc_unlink(ctx, "unlink.test"));
	EXPECT_EQ(-ENOENT, fastipc_connect(ctx, "unlink.test"));
	/* The name is free for another endpoint; the first still serves. */
	again = fastipc_endpoint_create(ctx, "unlink.test", 0600);
	EXPECT_LE(0, again);
	ASSERT_EQ(0, fastipc_send(conn, 1, "u", 1, NULL));
	EXPECT_EQ(1, fastipc_recv(ep, 0, buf, sizeof(buf), NULL, NULL));
	close(again);
	close(conn);
	close(ep);
	close(ctx);
}

TEST(persistent_needs_a_name)
{
	struct fastipc_endpoint_create req = { .flags = FASTIPC_ENDPOINT_PERSISTENT };
	int ctx = fastipc_open();

	ASSERT_LE(0, ctx);
	EXPECT_EQ(-1, ioctl(ctx, FASTIPC_IOC_CREATE_ENDPOINT, &req));
	EXPECT_EQ(EINVAL, errno);
	close(ctx);
}

TEST_HARNESS_MAIN
