// SPDX-License-Identifier: GPL-2.0
/*
 * Every limit hit on purpose.  A "hog" process running as user 1000 drives
 * one limit to its end and checks the errno the ABI documents for it:
 *
 *	max_endpoints		ENOSPC (persistent endpoints count, fds or not)
 *	max_queued_bytes	ENOBUFS
 *	max_buffer_bytes	EDQUOT
 *	queue_depth		EAGAIN, or ETIMEDOUT after a bounded wait
 *	max_msg_size		EMSGSIZE (buffer messages are bounded by the buffer)
 *	RLIMIT_NOFILE		EMFILE, with nothing half made left behind
 *	memory.max (cgroup v2)	ENOMEM, memory.current never above memory.max
 *
 * While the hog holds everything it got, a bystander running as user 1001
 * (and root, the test itself) must keep working: endpoints, messages,
 * async calls, buffers.  Then the hog frees one unit and must get it back.
 * Every module parameter a test changes is restored by the fixture.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fastipc.h"
#include "fastipc_test.h"
#include "kselftest_harness.h"

#define HOG_UID		1000
#define BYSTANDER_UID	1001
#define MS		1000000ULL
#define SEC		1000000000ULL
#define KIB		1024UL
#define MIB		(1024 * KIB)

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define CGROUP		CGROUP_ROOT "/fastipc-exhaust"
#define CGROUP_MAX	(16 * MIB)

static const char *const limits[] = {
	"max_msg_size", "queue_depth", "max_endpoints", "max_queued_bytes", "max_buffer_bytes",
};
#define NR_LIMITS	(sizeof(limits) / sizeof(limits[0]))

static char block[256 * KIB];

static int become_uid(uid_t uid)
{
	const struct identity id = { "user", uid, uid, 0 };

	return become(&id);
}

/* Run @fn(@arg) as @uid in a child; its result (0..99), or 100+ on death. */
static int run_as(uid_t uid, int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 200;
	if (!pid)
		_exit(become_uid(uid) ? 99 : fn(arg));
	if (waitpid(pid, &status, 0) != pid)
		return 201;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

/*
 * A hog: a child as HOG_UID that runs @fill, reports its result, holds
 * what it got until told to go on, then runs @after and exits with its
 * result.  Both run in the child, so they may share its static state.
 */
struct hog {
	pid_t pid;
	int go, ready;
};

static int hog_start(struct hog *h, int (*fill)(void *), int (*after)(void *), void *arg)
{
	int go[2], ready[2], ret = -1;
	char c;

	if (pipe(go) || pipe(ready))
		return -1;
	h->pid = fork();
	if (h->pid < 0)
		return -1;
	if (!h->pid) {
		close(go[1]);
		close(ready[0]);
		umask(0);	/* its endpoints' modes as given */
		ret = become_uid(HOG_UID) ? 99 : fill(arg);
		if (write(ready[1], &ret, sizeof(ret)) != sizeof(ret) || ret)
			_exit(ret);
		if (read(go[0], &c, 1) != 1)
			_exit(98);
		_exit(after ? after(arg) : 0);
	}
	close(go[0]);
	close(ready[1]);
	h->go = go[1];
	h->ready = ready[0];
	if (read(h->ready, &ret, sizeof(ret)) != sizeof(ret))
		ret = -1;
	return ret;
}

static int hog_finish(struct hog *h)
{
	int status;

	if (write(h->go, "g", 1) != 1)
		return -1;
	close(h->go);
	close(h->ready);
	if (waitpid(h->pid, &status, 0) != h->pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

/* Receive within a second; the payload length or -errno. */
static ssize_t recv_one(int ep, void *buf, size_t len, struct fastipc_msg_info *info)
{
	struct fastipc_timeout t = fastipc_timeout_rel(SEC);

	return fastipc_recv(ep, 0, buf, len, info, &t);
}

/*
 * What every user must still be able to do: endpoints, one-way messages,
 * an async call, a buffer mapped on both sides carrying a message.
 * Returns 0, or which step failed.
 */
static int works(void *unused)
{
	struct fastipc_recv r = { .timeout = fastipc_timeout_rel(SEC) };
	struct fastipc_msg_info info;
	int ctx, ep, conn, step = 1;
	char small[16];
	uint64_t cookie;
	void *map;

	ctx = fastipc_open();
	if (ctx < 0)
		return step;
	step++;
	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	conn = ep < 0 ? ep : fastipc_connect_endpoint(ep);
	if (conn < 0)
		return step;
	step++;
	if (fastipc_send(conn, 1, block, 4096, NULL) ||
	    recv_one(ep, block, sizeof(block), &info) != 4096)
		return step;
	step++;
	if (fastipc_call_async(conn, 2, "q", 1, &cookie) ||
	    recv_one(ep, small, sizeof(small), &info) != 1 ||
	    fastipc_reply(ep, info.token, 3, "a", 1) ||
	    fastipc_collect(conn, &cookie, small, sizeof(small), NULL, NULL) != 1)
		return step;
	step++;
	if (fastipc_buffer_create(conn, 64 * KIB))
		return step;
	step++;
	map = mmap(NULL, 64 * KIB, PROT_READ | PROT_WRITE, MAP_SHARED, conn, 0);
	if (map == MAP_FAILED)
		return step;
	step++;
	memset(map, 7, 64 * KIB);
	if (fastipc_send_buffer(conn, 4, 0, 64 * KIB, NULL) ||
	    fastipc_recv_raw(ep, &r) || !(r.msg.flags & FASTIPC_MSG_BUFFER) ||
	    r.msg.len != 64 * KIB)
		return step;
	munmap(map, 64 * KIB);
	close(conn);
	close(ep);
	close(ctx);
	return 0;
}

FIXTURE(exhaust) {
	unsigned long saved[NR_LIMITS];
	int ctx;
	long refs;
	bool mounted_cgroup;
};

FIXTURE_SETUP(exhaust)
{
	unsigned int i;

	if (geteuid())
		SKIP(return, "needs root: limits, other users, cgroups");
	for (i = 0; i < NR_LIMITS; i++) {
		self->saved[i] = param_read(limits[i]);
		ASSERT_NE(0, self->saved[i]);
	}
	self->refs = param_read("../refcnt");
	self->ctx = fastipc_open();
	ASSERT_LE(0, self->ctx);
	memset(block, 'b', sizeof(block));
}

FIXTURE_TEARDOWN(exhaust)
{
	unsigned int i;

	if (geteuid())
		return;
	for (i = 0; i < NR_LIMITS; i++)
		param_write(limits[i], self->saved[i]);
	fastipc_unlink(self->ctx, "exh.p0");
	fastipc_unlink(self->ctx, "exh.p1");
	close(self->ctx);
	rmdir(CGROUP);
	if (self->mounted_cgroup)
		umount(CGROUP_ROOT);
}

/* Nothing the hog had keeps a reference on the module once it is gone. */
static long refs_settle(long expected)
{
	long refs = -1;
	int i;

	for (i = 0; i < 50; i++) {
		refs = param_read("../refcnt");
		if (refs == expected)
			break;
		usleep(20000);
	}
	return refs;
}

/* --- max_endpoints ---------------------------------------------------------- */

static int hog_eps[8];

static int fill_endpoints(void *arg)
{
	int ctx = fastipc_open(), i;

	for (i = 0; i < 4; i++) {
		hog_eps[i] = fastipc_endpoint_create(ctx, NULL, 0600);
		if (hog_eps[i] < 0)
			return 10 + i;
	}
	if (fastipc_endpoint_create(ctx, NULL, 0600) != -ENOSPC)
		return 20;
	if (fastipc_endpoint_create(ctx, "exh.named", 0600) != -ENOSPC)
		return 21;
	if (fastipc_endpoint_create_persistent(ctx, "exh.persistent", 0600) != -ENOSPC)
		return 22;
	return 0;
}

static int after_endpoints(void *arg)
{
	close(hog_eps[0]);
	return fastipc_endpoint_create(fastipc_open(), NULL, 0600) < 0 ? 30 : 0;
}

TEST_F(exhaust, max_endpoints_gives_enospc)
{
	struct fastipc_endpoint_stat st;
	struct hog hog;

	ASSERT_EQ(0, param_write("max_endpoints", 4));
	ASSERT_EQ(0, hog_start(&hog, fill_endpoints, after_endpoints, NULL));
	EXPECT_EQ(-ENOENT, fastipc_stat(self->ctx, "exh.named", &st));
	EXPECT_EQ(0, run_as(BYSTANDER_UID, works, NULL));
	EXPECT_EQ(0, works(NULL));
	EXPECT_EQ(0, hog_finish(&hog));
	EXPECT_EQ(self->refs + 1, refs_settle(self->refs + 1));
}

/* Persistent endpoints stay charged to their owner after its process ends. */
static int make_persistent(void *arg)
{
	int ctx = fastipc_open(), a, b;

	a = fastipc_endpoint_create_persistent(ctx, "exh.p0", 0600);
	b = fastipc_endpoint_create_persistent(ctx, "exh.p1", 0600);
	return a < 0 || b < 0 ? 10 : 0;
}

static int expect_enospc(void *arg)
{
	return fastipc_endpoint_create(fastipc_open(), NULL, 0600) == -ENOSPC ? 0 : 10;
}

static int expect_room(void *arg)
{
	return fastipc_endpoint_create(fastipc_open(), NULL, 0600) >= 0 ? 0 : 10;
}

TEST_F(exhaust, persistent_endpoints_stay_charged)
{
	ASSERT_EQ(0, param_write("max_endpoints", 2));
	ASSERT_EQ(0, run_as(HOG_UID, make_persistent, NULL));
	EXPECT_EQ(0, run_as(HOG_UID, expect_enospc, NULL));
	EXPECT_EQ(0, run_as(BYSTANDER_UID, works, NULL));
	/* Root (CAP_SYS_ADMIN) removes them: the owner's quota comes back. */
	EXPECT_EQ(0, fastipc_unlink(self->ctx, "exh.p0"));
	EXPECT_EQ(0, run_as(HOG_UID, expect_room, NULL));
	EXPECT_EQ(0, fastipc_unlink(self->ctx, "exh.p1"));
	EXPECT_EQ(self->refs + 1, refs_settle(self->refs + 1));
}

/* --- max_queued_bytes ------------------------------------------------------- */

static int hog_ep, hog_conn, hog_conn2;

static int fill_queued(void *arg)
{
	struct fastipc_call call = {
		.len = 1, .data = (uintptr_t)block,
		.reply_timeout = fastipc_timeout_rel(SEC),
	};
	uint64_t cookie;
	int ctx = fastipc_open();

	hog_ep = fastipc_endpoint_create(ctx, "exh.queue", 0666);
	hog_conn = hog_ep < 0 ? hog_ep : fastipc_connect_endpoint(hog_ep);
	if (hog_conn < 0)
		return 10;
	if (fastipc_send(hog_conn, 1, block, 32 * KIB, NULL) ||
	    fastipc_send(hog_conn, 1, block, 32 * KIB, NULL))
		return 11;
	if (fastipc_send(hog_conn, 1, block, 1, NULL) != -ENOBUFS)
		return 12;
	if (fastipc_call_async(hog_conn, 1, block, 1, &cookie) != -ENOBUFS)
		return 13;
	if (fastipc_call_raw(hog_conn, &call) != -ENOBUFS)
		return 14;
	return 0;
}

static int after_queued(void *arg)
{
	struct fastipc_msg_info info;

	if (recv_one(hog_ep, block, sizeof(block), &info) != 32 * KIB)
		return 20;
	return fastipc_send(hog_conn, 1, block, 1, NULL) ? 21 : 0;
}

/*
 * Another user is refused on the hog's full endpoint, since its owner pays
 * for what waits there, but not elsewhere (works()).
 */
static int send_to_hog(void *arg)
{
	int ctx = fastipc_open(), conn = fastipc_connect(ctx, "exh.queue");

	if (conn < 0)
		return 10;
	return fastipc_send(conn, 2, block, 32 * KIB, NULL) != -ENOBUFS ? 11 : 0;
}

TEST_F(exhaust, max_queued_bytes_gives_enobufs)
{
	struct hog hog;

	ASSERT_EQ(0, param_write("max_queued_bytes", 64 * KIB));
	ASSERT_EQ(0, hog_start(&hog, fill_queued, after_queued, NULL));
	EXPECT_EQ(0, run_as(BYSTANDER_UID, send_to_hog, NULL));
	EXPECT_EQ(0, run_as(BYSTANDER_UID, works, NULL));
	EXPECT_EQ(0, works(NULL));
	EXPECT_EQ(0, hog_finish(&hog));
	EXPECT_EQ(self->refs + 1, refs_settle(self->refs + 1));
}

/* --- max_buffer_bytes ------------------------------------------------------- */

static int fill_buffers(void *arg)
{
	long page = sysconf(_SC_PAGESIZE);
	int ctx = fastipc_open();

	hog_ep = fastipc_endpoint_create(ctx, NULL, 0600);
	hog_conn = hog_ep < 0 ? hog_ep : fastipc_connect_endpoint(hog_ep);
	hog_conn2 = hog_ep < 0 ? hog_ep : fastipc_connect_endpoint(hog_ep);
	if (hog_conn < 0 || hog_conn2 < 0)
		return 10;
	if (fastipc_buffer_create(hog_conn, 64 * KIB))
		return 11;
	if (fastipc_buffer_create(hog_conn2, page) != -EDQUOT)
		return 12;
	/* Larger than the limit itself: not a quota matter, a bad size. */
	if (fastipc_buffer_create(hog_conn2, 64 * KIB + page) != -EINVAL)
		return 13;
	return 0;
}

/*
 * A closed connection's buffer lives until its endpoint has taken the
 * hangup that says so; then the quota is free again.
 */
static int after_buffers(void *arg)
{
	struct fastipc_recv r = { .timeout = fastipc_timeout_rel(SEC) };

	close(hog_conn);
	/* Raw: the library's receive consumes hangups itself. */
	if (fastipc_recv_raw(hog_ep, &r) || !(r.msg.flags & FASTIPC_MSG_HANGUP))
		return 20;
	return fastipc_buffer_create(hog_conn2, 64 * KIB) ? 21 : 0;
}

TEST_F(exhaust, max_buffer_bytes_gives_edquot)
{
	struct hog hog;

	ASSERT_EQ(0, param_write("max_buffer_bytes", 64 * KIB));
	ASSERT_EQ(0, hog_start(&hog, fill_buffers, after_buffers, NULL));
	EXPECT_EQ(0, run_as(BYSTANDER_UID, works, NULL));
	EXPECT_EQ(0, works(NULL));
	EXPECT_EQ(0, hog_finish(&hog));
	EXPECT_EQ(self->refs + 1, refs_settle(self->refs + 1));
}

/* --- queue_depth ------------------------------------------------------------ */

static int fill_queue(void *arg)
{
	struct fastipc_timeout none = fastipc_timeout_none(), t = fastipc_timeout_rel(50 * MS);
	struct fastipc_call async = {
		.flags = FASTIPC_CALL_ASYNC, .len = 16, .data = (uintptr_t)block,
		.send_timeout = none,
	};
	struct pollfd pfd;
	uint64_t start;
	int ctx = fastipc_open(), i;

	hog_ep = fastipc_endpoint_create(ctx, NULL, 0600);
	hog_conn = hog_ep < 0 ? hog_ep : fastipc_connect_endpoint(hog_ep);
	if (hog_conn < 0)
		return 10;
	for (i = 0; i < 4; i++)
		if (fastipc_send(hog_conn, 1, block, 16, &none))
			return 11;
	if (fastipc_send(hog_conn, 1, block, 16, &none) != -EAGAIN)
		return 12;
	start = now_ns();
	if (fastipc_send(hog_conn, 1, block, 16, &t) != -ETIMEDOUT)
		return 13;
	if (now_ns() - start < 50 * MS)
		return 14;
	if (fastipc_call_raw(hog_conn, &async) != -EAGAIN)
		return 15;
	pfd = (struct pollfd){ .fd = hog_conn, .events = POLLOUT };
	if (poll(&pfd, 1, 0) != 0)
		return 16;
	return 0;
}

static int after_queue(void *arg)
{
	struct fastipc_timeout none = fastipc_timeout_none();
	struct fastipc_msg_info info;

	if (recv_one(hog_ep, block, sizeof(block), &info) != 16)
		return 20;
	return fastipc_send(hog_conn, 1, block, 16, &none) ? 21 : 0;
}

TEST_F(exhaust, queue_depth_gives_eagain_or_etimedout)
{
	struct hog hog;

	ASSERT_EQ(0, param_write("queue_depth", 4));
	ASSERT_EQ(0, hog_start(&hog, fill_queue, after_queue, NULL));
	EXPECT_EQ(0, run_as(BYSTANDER_UID, works, NULL));
	EXPECT_EQ(0, works(NULL));
	EXPECT_EQ(0, hog_finish(&hog));
	EXPECT_EQ(self->refs + 1, refs_settle(self->refs + 1));
}

/* --- max_msg_size ------------------------------------------------------------ */

static int fill_msg_size(void *arg)
{
	struct fastipc_call call = {
		.len = 4097, .data = (uintptr_t)block,
		.reply_data = (uintptr_t)block, .reply_capacity = 16,
		.reply_timeout = fastipc_timeout_rel(SEC),
	};
	struct fastipc_msg_info info;
	int ctx = fastipc_open();
	uint64_t cookie;
	char small[16];

	hog_ep = fastipc_endpoint_create(ctx, NULL, 0600);
	hog_conn = hog_ep < 0 ? hog_ep : fastipc_connect_endpoint(hog_ep);
	if (hog_conn < 0)
		return 10;
	if (fastipc_send(hog_conn, 1, block, 4097, NULL) != -EMSGSIZE)
		return 11;
	if (fastipc_call_raw(hog_conn, &call) != -EMSGSIZE)
		return 12;
	if (fastipc_call_async(hog_conn, 1, block, 4097, &cookie) != -EMSGSIZE)
		return 13;
	if (fastipc_send(hog_conn, 1, block, 4096, NULL) ||
	    recv_one(hog_ep, block, sizeof(block), &info) != 4096)
		return 14;
	if (fastipc_call_async(hog_conn, 1, "q", 1, &cookie) ||
	    recv_one(hog_ep, small, sizeof(small), &info) != 1)
		return 15;
	if (fastipc_reply(hog_ep, info.token, 2, block, 4097) != -EMSGSIZE)
		return 16;
	/* The token survived the refusal. */
	if (fastipc_reply(hog_ep, info.token, 2, block, 4096) ||
	    fastipc_collect(hog_conn, &cookie, block, sizeof(block), NULL, NULL) != 4096)
		return 17;
	return 0;
}

TEST_F(exhaust, max_msg_size_gives_emsgsize)
{
	struct hog hog;

	ASSERT_EQ(0, param_write("max_msg_size", 4096));
	ASSERT_EQ(0, hog_start(&hog, fill_msg_size, NULL, NULL));
	/* works() sends 4 KiB copied and 64 KiB through a buffer: both fine. */
	EXPECT_EQ(0, run_as(BYSTANDER_UID, works, NULL));
	EXPECT_EQ(0, works(NULL));
	EXPECT_EQ(0, hog_finish(&hog));
	EXPECT_EQ(self->refs + 1, refs_settle(self->refs + 1));
}

/* --- RLIMIT_NOFILE ----------------------------------------------------------- */

static int last_dup;

static int fill_fds(void *arg)
{
	struct rlimit rl = { 16, 16 };
	struct fastipc_endpoint_stat st;
	int ctx, fd, n = 0;

	ctx = fastipc_open();
	hog_ep = fastipc_endpoint_create(ctx, "exh.fds", 0666);
	if (hog_ep < 0)
		return 10;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return 11;
	while ((fd = dup(ctx)) >= 0) {
		last_dup = fd;
		n++;
	}
	if (errno != EMFILE || !n)
		return 12;
	if (fastipc_endpoint_create(ctx, NULL, 0600) != -EMFILE)
		return 13;
	if (fastipc_endpoint_create(ctx, "exh.fds2", 0600) != -EMFILE)
		return 14;
	if (fastipc_endpoint_create_persistent(ctx, "exh.fds3", 0600) != -EMFILE)
		return 15;
	if (fastipc_connect(ctx, "exh.fds") != -EMFILE)
		return 16;
	if (fastipc_connect_endpoint(hog_ep) != -EMFILE)
		return 17;
	if (fastipc_open_endpoint(ctx, "exh.fds") != -EMFILE)
		return 18;
	if (fastipc_open() != -EMFILE)
		return 19;
	/* Nothing half made: no name, no connection, no extra receiver. */
	if (fastipc_stat(ctx, "exh.fds2", &st) != -ENOENT ||
	    fastipc_stat(ctx, "exh.fds3", &st) != -ENOENT)
		return 20;
	if (fastipc_stat(hog_ep, NULL, &st) || st.connections || st.receivers != 1)
		return 21;
	return 0;
}

static int after_fds(void *arg)
{
	int conn;

	close(last_dup);
	conn = fastipc_connect_endpoint(hog_ep);
	if (conn < 0)
		return 30;
	return fastipc_send(conn, 1, "x", 1, NULL) ? 31 : 0;
}

TEST_F(exhaust, rlimit_nofile_gives_emfile)
{
	struct hog hog;

	ASSERT_EQ(0, hog_start(&hog, fill_fds, after_fds, NULL));
	EXPECT_EQ(0, run_as(BYSTANDER_UID, works, NULL));
	EXPECT_EQ(0, works(NULL));
	EXPECT_EQ(0, hog_finish(&hog));
	EXPECT_EQ(self->refs + 1, refs_settle(self->refs + 1));
}

/* --- memory cgroup -------------------------------------------------------------- */

static int file_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static long long file_value(const char *path, const char *key)
{
	char line[256];
	long long v = -1;
	size_t len = key ? strlen(key) : 0;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (!key) {
			v = strcmp(line, "max\n") ? atoll(line) : -2;
			break;
		}
		if (!strncmp(line, key, len) && line[len] == ' ')
			v = atoll(line + len + 1);
	}
	if (f)
		fclose(f);
	return v;
}

/* What the child in the cgroup reports, in memory shared with the test. */
struct cg_report {
	int phase;
	int buffers, buffer_err;
	int messages, message_err;
};

#define CG_BUFFER	MIB
#define CG_MESSAGE	(256 * KIB)
#define CG_MAX_CONNS	64

static void __attribute__((noinline)) prefault_stack(void)
{
	volatile char stack[128 * KIB];

	memset((char *)stack, 0, sizeof(stack));
}

/*
 * In the cgroup, as close to the limit as it goes: buffers first, then
 * (those freed) queued messages.  It may not fault in new memory once the
 * limit is hit (a user page fault would retry for ever), so everything it
 * touches later is touched before it joins; it reports in shared memory.
 */
static void cg_child(struct cg_report *rep, int go)
{
	int conns[CG_MAX_CONNS], ctx, ep, conn, i, n;
	char pid[32], c;

	prefault_stack();
	snprintf(pid, sizeof(pid), "%d", getpid());
	rep->phase = 0;
	/* Unkillable by the cgroup's OOM killer: allocations fail instead. */
	if (file_write("/proc/self/oom_score_adj", "-1000") ||
	    file_write(CGROUP "/cgroup.procs", pid))
		_exit(10);

	ctx = fastipc_open();
	ep = ctx < 0 ? ctx : fastipc_endpoint_create(ctx, NULL, 0600);
	if (ep < 0)
		_exit(11);
	for (n = 0; n < CG_MAX_CONNS; n++) {
		conns[n] = fastipc_connect_endpoint(ep);
		if (conns[n] < 0) {
			rep->buffer_err = -conns[n];
			break;
		}
		rep->buffer_err = -fastipc_buffer_create(conns[n], CG_BUFFER);
		if (rep->buffer_err) {
			n++;
			break;
		}
		rep->buffers++;
	}
	rep->phase = 1;
	if (read(go, &c, 1) != 1)
		_exit(12);

	for (i = 0; i < n; i++)
		close(conns[i]);
	close(ep);
	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	conn = ep < 0 ? ep : fastipc_connect_endpoint(ep);
	if (conn < 0)
		_exit(13);
	for (;;) {
		rep->message_err = -fastipc_send(conn, 1, block, CG_MESSAGE, NULL);
		if (rep->message_err)
			break;
		rep->messages++;
	}
	rep->phase = 2;
	if (read(go, &c, 1) != 1)
		_exit(14);
	_exit(0);
}

/* A process outside the cgroup: a 1 MiB buffer and a message through it. */
static int outside_works(void *arg)
{
	struct fastipc_recv r = { .timeout = fastipc_timeout_rel(SEC) };
	int ctx = fastipc_open(), ep, conn;

	ep = ctx < 0 ? ctx : fastipc_endpoint_create(ctx, NULL, 0600);
	conn = ep < 0 ? ep : fastipc_connect_endpoint(ep);
	if (conn < 0)
		return 10;
	if (fastipc_buffer_create(conn, CG_BUFFER))
		return 11;
	if (fastipc_send_buffer(conn, 1, 0, CG_BUFFER, NULL) || fastipc_recv_raw(ep, &r))
		return 12;
	if (fastipc_send(conn, 2, block, CG_MESSAGE, NULL) ||
	    recv_one(ep, block, sizeof(block), &r.msg) != CG_MESSAGE)
		return 13;
	close(conn);
	close(ep);
	close(ctx);
	return works(NULL);
}

/*
 * The console must not show the kernel's OOM reports (they carry a stack
 * dump the VM's splat scan would take for a bug): lower the console level
 * meanwhile, then look through what the kernel logged ourselves and pass on
 * anything that is a real splat.
 */
struct quiet {
	char printk[64];
	int kmsg;
};

static void quiet_begin(struct quiet *q)
{
	FILE *f = fopen("/proc/sys/kernel/printk", "r");

	q->printk[0] = '\0';
	if (f && fgets(q->printk, sizeof(q->printk), f))
		file_write("/proc/sys/kernel/printk", "4");
	if (f)
		fclose(f);
	q->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (q->kmsg >= 0)
		lseek(q->kmsg, 0, SEEK_END);
}

/* Returns how many splats the kernel logged meanwhile (each echoed at KERN_ERR). */
static int quiet_end(struct __test_metadata *_metadata, struct quiet *q)
{
	static const char *const splats[] = {
		"BUG:", "WARNING:", "KASAN", "UBSAN", "Oops", "general protection",
		"circular locking", "lock held", "unreferenced object", "INFO: task",
	};
	char rec[1024], out[1100];
	int found = 0, oom = 0, kmsg;
	unsigned int i;
	ssize_t len;

	if (q->printk[0])
		file_write("/proc/sys/kernel/printk", q->printk);
	if (q->kmsg < 0)
		return 0;
	kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	while ((len = read(q->kmsg, rec, sizeof(rec) - 1)) > 0 || (len < 0 && errno == EPIPE)) {
		if (len < 0)
			continue;	/* overwritten records: read on */
		rec[len] = '\0';
		oom += !!strstr(rec, "invoked oom-killer");
		for (i = 0; i < sizeof(splats) / sizeof(splats[0]); i++) {
			if (!strstr(rec, splats[i]))
				continue;
			found++;
			TH_LOG("kernel: %s", strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
			snprintf(out, sizeof(out), "<3>exhaust_test: during the cgroup test: %s",
				 strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
			if (kmsg >= 0)
				write(kmsg, out, strlen(out));
			break;
		}
	}
	TH_LOG("the kernel's OOM handling ran %d times (reports kept off the console)", oom);
	if (kmsg >= 0)
		close(kmsg);
	close(q->kmsg);
	return found;
}

static bool cgroup_ready(struct __test_metadata *_metadata, bool *mounted)
{
	char controllers[256] = "";
	FILE *f;

	if (access(CGROUP_ROOT "/cgroup.controllers", F_OK)) {
		if (mount("none", CGROUP_ROOT, "cgroup2", 0, NULL))
			return false;
		*mounted = true;
	}
	f = fopen(CGROUP_ROOT "/cgroup.controllers", "r");
	if (f) {
		if (!fgets(controllers, sizeof(controllers), f))
			controllers[0] = '\0';
		fclose(f);
	}
	if (!strstr(controllers, "memory"))
		return false;
	if (file_write(CGROUP_ROOT "/cgroup.subtree_control", "+memory"))
		return false;
	rmdir(CGROUP);
	return !mkdir(CGROUP, 0755);
}

TEST_F_TIMEOUT(exhaust, memory_cgroup_limit_gives_enomem, 600)
{
	char max[32];
	struct cg_report *rep;
	long long current, events_max, peak;
	struct quiet q;
	int go[2], status = 0, splats;
	bool reaped = false;
	pid_t pid;

	if (!cgroup_ready(_metadata, &self->mounted_cgroup))
		SKIP(return, "no cgroup v2 with the memory controller");
	snprintf(max, sizeof(max), "%lu", CGROUP_MAX);
	ASSERT_EQ(0, file_write(CGROUP "/memory.max", max));
	file_write(CGROUP "/memory.swap.max", "0");
	/* The module's own limits out of the way: the cgroup must stop it. */
	ASSERT_EQ(0, param_write("max_buffer_bytes", 1UL << 30));
	ASSERT_EQ(0, param_write("max_queued_bytes", 1UL << 30));
	ASSERT_EQ(0, param_write("queue_depth", 65536));

	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rep);
	memset(rep, 0, sizeof(*rep));
	ASSERT_EQ(0, pipe(go));
	quiet_begin(&q);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(go[1]);
		cg_child(rep, go[0]);
	}
	close(go[0]);

	/* Buffers until memory.max. */
	while (rep->phase == 0 && !reaped) {
		reaped = waitpid(pid, &status, WNOHANG) == pid;
		usleep(10000);
	}
	current = file_value(CGROUP "/memory.current", NULL);
	events_max = file_value(CGROUP "/memory.events", "max");
	EXPECT_EQ(1, rep->phase) TH_LOG("the child died: status %#x", status);
	EXPECT_EQ(ENOMEM, rep->buffer_err) TH_LOG("buffers stopped by %s", strerror(rep->buffer_err));
	EXPECT_LE(4, rep->buffers);
	EXPECT_GE((long long)CGROUP_MAX, current);
	EXPECT_LT(0, events_max);
	TH_LOG("%d buffers of 1 MiB, then %s; memory.current %lld of %lu, %lld max events",
	       rep->buffers, strerror(rep->buffer_err), current, CGROUP_MAX, events_max);
	EXPECT_EQ(0, outside_works(NULL));
	EXPECT_EQ(0, run_as(BYSTANDER_UID, outside_works, NULL));

	/* Queued messages until memory.max. */
	ASSERT_EQ(1, write(go[1], "g", 1));
	while (rep->phase == 1 && !reaped) {
		reaped = waitpid(pid, &status, WNOHANG) == pid;
		usleep(10000);
	}
	current = file_value(CGROUP "/memory.current", NULL);
	EXPECT_EQ(2, rep->phase) TH_LOG("the child died: status %#x", status);
	EXPECT_EQ(ENOMEM, rep->message_err)
		TH_LOG("messages stopped by %s", strerror(rep->message_err));
	EXPECT_LE(4, rep->messages);
	EXPECT_GE((long long)CGROUP_MAX, current);
	TH_LOG("%d messages of 256 KiB queued, then %s; memory.current %lld",
	       rep->messages, strerror(rep->message_err), current);
	EXPECT_EQ(0, outside_works(NULL));

	if (!reaped) {
		ASSERT_EQ(1, write(go[1], "g", 1));
		waitpid(pid, &status, 0);
	}
	close(go[1]);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	peak = file_value(CGROUP "/memory.peak", NULL);
	if (peak >= 0)
		EXPECT_GE((long long)CGROUP_MAX, peak);
	EXPECT_EQ(0, file_value(CGROUP "/memory.events", "oom_kill"));
	splats = quiet_end(_metadata, &q);
	EXPECT_EQ(0, splats);
	munmap(rep, sizeof(*rep));
	EXPECT_EQ(self->refs + 1, refs_settle(self->refs + 1));
}

TEST_HARNESS_MAIN
