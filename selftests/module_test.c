// SPDX-License-Identifier: GPL-2.0
/*
 * Unloading and reloading the module: refused (EWOULDBLOCK, as
 * delete_module(O_NONBLOCK) reports a module in use) while anything holds
 * it: a context, endpoint or connection fd, a buffer mapping with every fd
 * closed, an fd in flight in a unix socket, an fd in another process, a
 * persistent endpoint with no fd at all.  The module keeps working after a
 * refusal; once the holder is gone, unloading succeeds, and the device
 * works again after each reload.  Needs root and the module's path in
 * $FASTIPC_MODULE.  Each test leaves the module loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fastipc.h"
#include "kselftest_harness.h"

#define RELOAD_CYCLES 5

static int unload(void)
{
	return syscall(SYS_delete_module, "fastipc", O_NONBLOCK) ? -errno : 0;
}

static int load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static const char *module_path(struct __test_metadata *_metadata)
{
	const char *path = getenv("FASTIPC_MODULE");

	if (!path || access(path, R_OK))
		SKIP(return NULL, "FASTIPC_MODULE does not name the module file");
	if (geteuid())
		SKIP(return NULL, "loading modules needs root");
	return path;
}

TEST(unload_refused_while_open)
{
	const char *path = module_path(_metadata);
	int fd;

	if (!path)
		return;
	fd = fastipc_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EWOULDBLOCK, unload());
	close(fd);
}

/* A full round trip on fresh objects: 0, or the step that failed. */
static int works(void)
{
	struct fastipc_msg_info info;
	int ctx = fastipc_open(), ep, conn, step = 1;
	char buf[8];

	if (ctx < 0)
		return step;
	step++;
	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	conn = ep < 0 ? ep : fastipc_connect_endpoint(ep);
	if (conn < 0)
		return step;
	step++;
	if (fastipc_send(conn, 1, "ping", 4, NULL) ||
	    fastipc_recv(ep, 0, buf, sizeof(buf), &info, NULL) != 4 || memcmp(buf, "ping", 4))
		return step;
	close(conn);
	close(ep);
	close(ctx);
	return 0;
}

/*
 * The holder is gone: unloading succeeds (a release deferred to the end of
 * a system call may lag a little), and a reload brings the device back.
 */
static void unload_and_reload(struct __test_metadata *_metadata, const char *path)
{
	int ret, i;

	for (i = 0; i < 50; i++) {
		ret = unload();
		if (ret != -EWOULDBLOCK)
			break;
		usleep(20000);
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, load(path));
	EXPECT_EQ(0, works());
}

TEST(unload_refused_while_only_a_connection_is_open)
{
	const char *path = module_path(_metadata);
	int ctx, ep, conn;

	if (!path)
		return;
	ctx = fastipc_open();
	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	ASSERT_LE(0, ep);
	conn = fastipc_connect_endpoint(ep);
	ASSERT_LE(0, conn);
	close(ep);
	close(ctx);
	EXPECT_EQ(-EWOULDBLOCK, unload());
	/* Refused, and nothing changed: the connection sees its peer gone. */
	EXPECT_EQ(-EPIPE, fastipc_send(conn, 1, "x", 1, NULL));
	EXPECT_EQ(0, works());
	close(conn);
	unload_and_reload(_metadata, path);
}

TEST(unload_refused_while_only_an_endpoint_is_open)
{
	const char *path = module_path(_metadata);
	int ctx, ep;

	if (!path)
		return;
	ctx = fastipc_open();
	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create(ctx, "modtest.endpoint", 0600);
	ASSERT_LE(0, ep);
	close(ctx);
	EXPECT_EQ(-EWOULDBLOCK, unload());
	EXPECT_EQ(0, works());
	close(ep);
	unload_and_reload(_metadata, path);
}

/* Mapped on both sides, every fd closed: the mappings alone hold it. */
TEST(unload_refused_while_only_buffer_mappings_are_alive)
{
	const char *path = module_path(_metadata);
	struct fastipc_recv r = { .timeout = { .mode = FASTIPC_WAIT_NONE } };
	size_t size = 65536;
	char *mine, *theirs;
	int ctx, ep, conn;

	if (!path)
		return;
	ctx = fastipc_open();
	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	ASSERT_LE(0, ep);
	conn = fastipc_connect_endpoint(ep);
	ASSERT_LE(0, conn);
	ASSERT_EQ(0, fastipc_buffer_create(conn, size));
	mine = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, conn, 0);
	ASSERT_NE(MAP_FAILED, mine);
	/* The endpoint learns the connection's id from a message through it. */
	ASSERT_EQ(0, fastipc_send_buffer(conn, 1, 0, 16, NULL));
	ASSERT_EQ(0, fastipc_recv_raw(ep, &r));
	theirs = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, ep,
		      r.msg.conn_id * sysconf(_SC_PAGESIZE));
	ASSERT_NE(MAP_FAILED, theirs);
	close(conn);
	close(ep);
	close(ctx);

	EXPECT_EQ(-EWOULDBLOCK, unload());
	/* The pages are still there, still shared. */
	memset(mine, 0x5a, size);
	EXPECT_EQ(0x5a, theirs[size - 1]);
	EXPECT_EQ(0, works());
	ASSERT_EQ(0, munmap(mine, size));
	EXPECT_EQ(-EWOULDBLOCK, unload());
	EXPECT_EQ(0x5a, theirs[0]);
	ASSERT_EQ(0, munmap(theirs, size));
	unload_and_reload(_metadata, path);
}

/* An endpoint fd sent with SCM_RIGHTS and never received. */
TEST(unload_refused_while_an_fd_is_in_flight)
{
	const char *path = module_path(_metadata);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int sv[2], ctx, ep;

	if (!path)
		return;
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv));
	ctx = fastipc_open();
	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	ASSERT_LE(0, ep);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &ep, sizeof(int));
	ASSERT_EQ(1, sendmsg(sv[0], &msg, 0));
	close(ep);
	close(ctx);
	EXPECT_EQ(-EWOULDBLOCK, unload());
	close(sv[0]);
	close(sv[1]);
	unload_and_reload(_metadata, path);
}

/* The last fd is another process's. */
TEST(unload_refused_while_another_process_holds_an_fd)
{
	const char *path = module_path(_metadata);
	int ctx, ep, go[2], status;
	pid_t pid;
	char c;

	if (!path)
		return;
	ASSERT_EQ(0, pipe(go));
	ctx = fastipc_open();
	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	ASSERT_LE(0, ep);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(go[1]);
		close(ctx);
		_exit(read(go[0], &c, 1) == 0 ? 0 : 1);
	}
	close(go[0]);
	close(ep);
	close(ctx);
	EXPECT_EQ(-EWOULDBLOCK, unload());
	close(go[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	unload_and_reload(_metadata, path);
}

/* No fd at all: a persistent endpoint holds the module until unlinked. */
TEST(unload_refused_while_a_persistent_endpoint_exists)
{
	const char *path = module_path(_metadata);
	struct fastipc_msg_info info;
	int ctx, ep, conn;
	char buf[8];

	if (!path)
		return;
	ctx = fastipc_open();
	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create_persistent(ctx, "modtest.persistent", 0600);
	ASSERT_LE(0, ep);
	conn = fastipc_connect_endpoint(ep);
	ASSERT_LE(0, conn);
	ASSERT_EQ(0, fastipc_send(conn, 1, "kept", 4, NULL));
	close(conn);
	close(ep);
	close(ctx);

	EXPECT_EQ(-EWOULDBLOCK, unload());
	/* It kept its name and its message. */
	ctx = fastipc_open();
	ASSERT_LE(0, ctx);
	ep = fastipc_open_endpoint(ctx, "modtest.persistent");
	ASSERT_LE(0, ep);
	EXPECT_EQ(4, fastipc_recv(ep, 0, buf, sizeof(buf), &info, NULL));
	close(ep);
	EXPECT_EQ(-EWOULDBLOCK, unload());
	ASSERT_EQ(0, fastipc_unlink(ctx, "modtest.persistent"));
	close(ctx);
	unload_and_reload(_metadata, path);
}

TEST(reload_cycles)
{
	const char *path = module_path(_metadata);
	struct fastipc_info info;
	struct stat st;
	int i, fd;

	if (!path)
		return;
	for (i = 0; i < RELOAD_CYCLES; i++) {
		ASSERT_EQ(0, unload()) TH_LOG("cycle %d", i);
		EXPECT_EQ(-1, stat(FASTIPC_DEVICE_PATH, &st));
		EXPECT_EQ(ENOENT, errno);
		EXPECT_EQ(-ENOENT, unload());
		ASSERT_EQ(0, load(path)) TH_LOG("cycle %d", i);
		EXPECT_EQ(-EEXIST, load(path));
		fd = fastipc_open();
		ASSERT_LE(0, fd) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, fastipc_get_info(fd, &info));
		EXPECT_EQ(FASTIPC_ABI_VERSION, info.abi_version);
		close(fd);
	}
}

TEST_HARNESS_MAIN
