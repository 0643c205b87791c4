// SPDX-License-Identifier: GPL-2.0
/*
 * Page-mapped connection buffers: creation and its limits, mmap rules,
 * descriptors checked by the kernel, data read and answered in place,
 * lifetimes across close, fork and death, many buffers at once, and the
 * library's automatic use of the buffer for large calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fastipc.h"
#include "fastipc_test.h"
#include "kselftest_harness.h"

#define MIB (1 << 20)

static long page_size;

FIXTURE(buf) {
	int ctx, ep, conn;
	void *mine;
	size_t size;
};

FIXTURE_SETUP(buf)
{
	page_size = sysconf(_SC_PAGESIZE);
	self->ctx = fastipc_open();
	ASSERT_LE(0, self->ctx);
	self->ep = fastipc_endpoint_create(self->ctx, NULL, 0600);
	ASSERT_LE(0, self->ep);
	self->conn = fastipc_connect_endpoint(self->ep);
	ASSERT_LE(0, self->conn);
	self->size = 2 * MIB;
	ASSERT_EQ(0, fastipc_buffer_create(self->conn, self->size));
	ASSERT_EQ(0, fastipc_buffer_map(self->conn, 0, self->size, &self->mine));
}

FIXTURE_TEARDOWN(buf)
{
	if (self->mine)
		fastipc_buffer_unmap(self->conn, self->mine, self->size);
	close(self->conn);
	close(self->ep);
	close(self->ctx);
}

TEST_F(buf, create_rules)
{
	struct fastipc_info info;
	int other = fastipc_connect_endpoint(self->ep);

	ASSERT_LE(0, other);
	ASSERT_EQ(0, fastipc_get_info(self->ctx, &info));
	EXPECT_TRUE(info.features & FASTIPC_FEATURE_BUFFERS);
	EXPECT_EQ(-EEXIST, fastipc_buffer_create(self->conn, page_size));
	EXPECT_EQ(-EINVAL, fastipc_buffer_create(other, 0));
	EXPECT_EQ(-EINVAL, fastipc_buffer_create(other, page_size + 1));
	EXPECT_EQ(-EINVAL, fastipc_buffer_create(other, info.max_buffer_bytes + page_size));
	/* Not on an endpoint or a context. */
	EXPECT_EQ(-ENOTTY, fastipc_buffer_create(self->ep, page_size));
	EXPECT_EQ(-ENOTTY, fastipc_buffer_create(self->ctx, page_size));
	close(other);
}

TEST_F(buf, quota_on_buffer_bytes)
{
	struct fastipc_info info;
	int other = fastipc_connect_endpoint(self->ep);

	ASSERT_LE(0, other);
	ASSERT_EQ(0, fastipc_get_info(self->ctx, &info));
	/* This user holds 2 MiB already; allow 2 MiB + one page. */
	ASSERT_EQ(0, param_write("max_buffer_bytes", self->size + page_size));
	EXPECT_EQ(-EDQUOT, fastipc_buffer_create(other, 2 * page_size));
	EXPECT_EQ(0, fastipc_buffer_create(other, page_size));
	close(other);
	ASSERT_EQ(0, param_write("max_buffer_bytes", info.max_buffer_bytes));
}

/* A mapping on the endpoint's side counts whole against whoever makes it. */
TEST_F(buf, endpoint_mapping_counts_against_its_maker)
{
	struct fastipc_info info;
	uint64_t id = fdinfo(self->conn, "connection_id");
	void *theirs;

	ASSERT_EQ(0, fastipc_get_info(self->ctx, &info));
	/* Room for one more copy of the buffer, less a page. */
	ASSERT_EQ(0, param_write("max_buffer_bytes", 2 * self->size - page_size));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->size, PROT_READ, MAP_SHARED, self->ep,
				   id * page_size));
	EXPECT_EQ(EDQUOT, errno);
	ASSERT_EQ(0, param_write("max_buffer_bytes", 2 * self->size));
	ASSERT_EQ(0, fastipc_buffer_map(self->ep, id, self->size, &theirs));
	/* Both charges are held: not one page more. */
	EXPECT_EQ(-EDQUOT, fastipc_buffer_create(fastipc_connect_endpoint(self->ep), page_size));
	EXPECT_EQ(0, fastipc_buffer_unmap(self->ep, theirs, self->size));
	ASSERT_EQ(0, param_write("max_buffer_bytes", info.max_buffer_bytes));
}

TEST_F(buf, mmap_rules)
{
	int other = fastipc_connect_endpoint(self->ep);
	void *p;

	ASSERT_LE(0, other);
	/* No buffer yet. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page_size, PROT_READ, MAP_SHARED, other, 0));
	EXPECT_EQ(ENXIO, errno);
	/* The whole buffer, shared, at offset 0, never executable. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page_size, PROT_READ, MAP_SHARED, self->conn, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->size, PROT_READ, MAP_SHARED, self->conn,
				   page_size));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->size, PROT_READ, MAP_PRIVATE, self->conn, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->size, PROT_READ | PROT_EXEC, MAP_SHARED,
				   self->conn, 0));
	EXPECT_EQ(EPERM, errno);
	/* An endpoint maps only buffers of its own connections. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->size, PROT_READ, MAP_SHARED, self->ep,
				   (off_t)999999 * page_size));
	EXPECT_EQ(ENXIO, errno);

	p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED, self->conn, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* No partial unmap or protection change, no exec, no growth. */
	EXPECT_EQ(-1, munmap(p, page_size));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mprotect(p, self->size, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mremap(p, self->size, 2 * self->size, MREMAP_MAYMOVE));
	/* Both mappings show the same pages. */
	((char *)self->mine)[12345] = 'z';
	EXPECT_EQ('z', ((char *)p)[12345]);
	EXPECT_EQ(0, mprotect(p, self->size, PROT_READ));
	EXPECT_EQ(0, munmap(p, self->size));
	close(other);
}

TEST_F(buf, descriptors_are_checked)
{
	struct fastipc_send req = { .flags = FASTIPC_SEND_BUFFER };
	int other = fastipc_connect_endpoint(self->ep);
	uint64_t reply_offset;

	ASSERT_LE(0, other);
	EXPECT_EQ(0, fastipc_send_buffer(self->conn, 1, 0, self->size, NULL));
	EXPECT_EQ(0, fastipc_send_buffer(self->conn, 1, self->size, 0, NULL));
	EXPECT_EQ(-EINVAL, fastipc_send_buffer(self->conn, 1, 1, self->size, NULL));
	EXPECT_EQ(-EINVAL, fastipc_send_buffer(self->conn, 1, self->size + 1, 0, NULL));
	/* offset + len wraps around: still refused. */
	req.data = UINT64_MAX - 1;
	req.len = 4;
	EXPECT_EQ(-1, ioctl(self->conn, FASTIPC_IOC_SEND, &req));
	EXPECT_EQ(EINVAL, errno);
	/* A connection without a buffer has nothing to point into. */
	EXPECT_EQ(-ENXIO, fastipc_send_buffer(other, 1, 0, 1, NULL));
	EXPECT_EQ(-ENXIO, fastipc_call_buffer(other, 1, 0, 1, NULL, 0, &reply_offset, NULL));
	/* Offsets are into the sender's own buffer, never another's. */
	ASSERT_EQ(0, fastipc_buffer_create(other, page_size));
	EXPECT_EQ(-EINVAL, fastipc_send_buffer(other, 1, page_size, 1, NULL));
	close(other);
}

static unsigned char pattern(size_t i)
{
	return i * 31 + (i >> 12);
}

/*
 * In a child: take one call whose request is in the caller's buffer, check
 * it in place, and answer in place with the bytes complemented.  Exit 0 if
 * everything was as it should be.
 */
static int serve_in_place(int ep)
{
	struct fastipc_recv req = { 0 };
	unsigned char *map;
	void *addr;
	size_t i;

	if (fastipc_recv_raw(ep, &req))
		return 1;
	if (!(req.msg.flags & FASTIPC_MSG_BUFFER) || !(req.msg.flags & FASTIPC_MSG_CALL))
		return 2;
	if (fastipc_buffer_map(ep, req.msg.conn_id, req.msg.buffer_size, &addr))
		return 3;
	map = (unsigned char *)addr + req.msg.offset;
	for (i = 0; i < req.msg.len; i++) {
		if (map[i] != pattern(i))
			return 4;
		map[i] = ~map[i];
	}
	if (fastipc_reply_buffer(ep, req.msg.token, 9, req.msg.offset, req.msg.len))
		return 5;
	return 0;
}

TEST_F(buf, one_mib_answered_in_place)
{
	unsigned char *mine = self->mine;
	uint64_t reply_offset;
	size_t len = MIB, i;
	int status;
	pid_t server;

	for (i = 0; i < len; i++)
		mine[page_size + i] = pattern(i);
	server = fork();
	ASSERT_LE(0, server);
	if (!server)
		_exit(serve_in_place(self->ep));
	ASSERT_EQ(len, fastipc_call_buffer(self->conn, 1, page_size, len, NULL, 0,
					   &reply_offset, NULL));
	EXPECT_EQ(page_size, reply_offset);
	for (i = 0; i < len; i++)
		if (mine[page_size + i] != (unsigned char)~pattern(i))
			break;
	EXPECT_EQ(len, i);
	waitpid(server, &status, 0);
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Echo with the bytes complemented, through fastipc_serve(). */
static ssize_t complement(void *arg, const struct fastipc_msg_info *info,
			  const void *req, void *reply, size_t capacity,
			  int64_t *reply_type)
{
	const unsigned char *in = req;
	unsigned char *out = reply;
	size_t i;

	if (info->type == 99)
		return -ECANCELED;
	for (i = 0; i < info->len; i++)
		out[i] = ~in[i];
	*reply_type = info->len;
	return info->len;
}

TEST_F(buf, library_uses_the_buffer_for_large_calls)
{
	static const size_t sizes[] = { 64, FASTIPC_ZEROCOPY_THRESHOLD, MIB };
	unsigned char *req = malloc(MIB), *reply = malloc(MIB);
	struct fastipc_endpoint_stat st;
	int64_t reply_type;
	unsigned int s;
	int status;
	size_t i;
	pid_t server;

	ASSERT_TRUE(req && reply);
	server = fork();
	ASSERT_LE(0, server);
	if (!server)
		_exit(fastipc_serve(self->ep, MIB, complement, NULL) == -ECANCELED ? 0 : 1);
	for (s = 0; s < 3; s++) {
		for (i = 0; i < sizes[s]; i++)
			req[i] = pattern(i + s);
		ASSERT_EQ(sizes[s], fastipc_call(self->conn, 1, req, sizes[s], reply, MIB,
						 &reply_type, NULL));
		EXPECT_EQ(sizes[s], reply_type);
		for (i = 0; i < sizes[s]; i++)
			if (reply[i] != (unsigned char)~req[i])
				break;
		EXPECT_EQ(sizes[s], i);
	}
	/* The small call was copied; the large ones left the buffer unread. */
	EXPECT_EQ((unsigned char)~pattern(2), ((unsigned char *)self->mine)[0]);
	ASSERT_EQ(0, fastipc_send(self->conn, 99, NULL, 0, NULL));
	waitpid(server, &status, 0);
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, fastipc_stat(self->ep, NULL, &st));
	EXPECT_EQ(3, st.replied);
	free(req);
	free(reply);
}

TEST_F(buf, mapping_outlives_close_and_hangup_tells_the_endpoint)
{
	struct fastipc_recv req = { .timeout.mode = FASTIPC_WAIT_NONE };
	unsigned char *theirs;
	void *addr;

	ASSERT_EQ(0, fastipc_send_buffer(self->conn, 4, 100, 10, NULL));
	memcpy((char *)self->mine + 100, "in place!!", 10);
	ASSERT_EQ(0, fastipc_recv_raw(self->ep, &req));
	EXPECT_EQ(FASTIPC_MSG_BUFFER, req.msg.flags);
	EXPECT_EQ(100, req.msg.offset);
	EXPECT_EQ(self->size, req.msg.buffer_size);
	ASSERT_EQ(0, fastipc_buffer_map(self->ep, req.msg.conn_id, self->size, &addr));
	theirs = addr;
	EXPECT_EQ(0, memcmp(theirs + 100, "in place!!", 10));

	/* The client goes: its mapping first, then its fd. */
	ASSERT_EQ(0, fastipc_buffer_unmap(self->conn, self->mine, self->size));
	self->mine = NULL;
	close(self->conn);
	self->conn = -1;
	/* The endpoint hears of it, and its mapping still shows the pages. */
	memset(&req, 0, sizeof(req));
	req.timeout.mode = FASTIPC_WAIT_NONE;
	ASSERT_EQ(0, fastipc_recv_raw(self->ep, &req));
	EXPECT_EQ(FASTIPC_MSG_HANGUP, req.msg.flags);
	EXPECT_EQ(0, memcmp(theirs + 100, "in place!!", 10));
	theirs[0] = 1;
	EXPECT_EQ(0, fastipc_buffer_unmap(self->ep, addr, self->size));
}

static void on_alarm(int sig)
{
}

TEST_F(buf, swallowed_hangup_does_not_restart_the_timeout)
{
	struct fastipc_timeout t = fastipc_timeout_rel(10000000000ULL);
	struct itimerval it = { .it_value = { .tv_sec = 1, .tv_usec = 200000 } };
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	char buf[16];
	pid_t child;

	/* A child holds the connection and closes it after 1 s: a hangup. */
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		usleep(1000000);
		_exit(0);
	}
	ASSERT_EQ(0, fastipc_buffer_unmap(self->conn, self->mine, self->size));
	self->mine = NULL;
	close(self->conn);
	self->conn = -1;

	/* fastipc_recv() takes the hangup and waits on, until a signal at 1.2 s. */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	EXPECT_EQ(-EINTR, fastipc_recv(self->ep, 0, buf, sizeof(buf), NULL, &t));
	signal(SIGALRM, SIG_DFL);
	EXPECT_EQ(0, fdinfo(self->ep, "queued"));
	/* What is left counts from the call, not from the hangup: 8.8 s, not 9.8. */
	EXPECT_GT(9300000000ULL, t.ns);
	EXPECT_LT(5000000000ULL, t.ns);
	waitpid(child, NULL, 0);
}

TEST_F(buf, peer_killed_with_buffer_message_in_flight)
{
	struct fastipc_msg_info info;
	char got[16];
	pid_t client;
	int conn, status;

	conn = fastipc_connect_endpoint(self->ep);
	ASSERT_LE(0, conn);
	client = fork();
	ASSERT_LE(0, client);
	if (!client) {
		void *addr;

		if (fastipc_buffer_create(conn, page_size) ||
		    fastipc_buffer_map(conn, 0, page_size, &addr))
			_exit(1);
		memcpy(addr, "last words", 10);
		fastipc_send_buffer(conn, 5, 0, 10, NULL);
		pause();	/* killed here, buffer message queued */
		_exit(2);
	}
	close(conn);
	/* The library maps the dead client's buffer: its pages are still there. */
	ASSERT_EQ(10, fastipc_recv(self->ep, 5, got, sizeof(got), &info, NULL));
	EXPECT_EQ(0, memcmp(got, "last words", 10));
	kill(client, SIGKILL);
	waitpid(client, &status, 0);
	EXPECT_TRUE(WIFSIGNALED(status));
	/* Its hangup is taken (and its mapping dropped) by the library. */
	EXPECT_EQ(-EAGAIN, fastipc_recv(self->ep, 0, got, sizeof(got), &info,
					&(struct fastipc_timeout){ .mode = FASTIPC_WAIT_NONE }));
}

TEST_F(buf, fork_shares_the_mapping)
{
	pid_t child;
	int status;

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		memcpy(self->mine, "from the child", 14);
		_exit(0);
	}
	waitpid(child, &status, 0);
	EXPECT_EQ(0, memcmp(self->mine, "from the child", 14));
}

TEST_F(buf, many_connections_with_buffers)
{
	enum { N = 32 };
	int conns[N], i;
	void *maps[N];
	char got[32];

	for (i = 0; i < N; i++) {
		conns[i] = fastipc_connect_endpoint(self->ep);
		ASSERT_LE(0, conns[i]);
		ASSERT_EQ(0, fastipc_buffer_create(conns[i], 16 * page_size));
		ASSERT_EQ(0, fastipc_buffer_map(conns[i], 0, 16 * page_size, &maps[i]));
		snprintf((char *)maps[i] + 5 * page_size, 32, "connection %d", i);
		ASSERT_EQ(0, fastipc_send_buffer(conns[i], 1, 5 * page_size, 32, NULL));
	}
	for (i = 0; i < N; i++) {
		char want[32];
		int from;

		ASSERT_EQ(32, fastipc_recv(self->ep, 1, got, sizeof(got), NULL, NULL));
		ASSERT_EQ(1, sscanf(got, "connection %d", &from));
		snprintf(want, sizeof(want), "connection %d", from);
		EXPECT_STREQ(want, got);
	}
	for (i = 0; i < N; i++) {
		fastipc_buffer_unmap(conns[i], maps[i], 16 * page_size);
		close(conns[i]);
	}
	/* Every hangup drains, and with it every mapping the library made. */
	EXPECT_EQ(-EAGAIN, fastipc_recv(self->ep, 0, got, sizeof(got), NULL,
					&(struct fastipc_timeout){ .mode = FASTIPC_WAIT_NONE }));
}

/* In a child: take one call, wait @hold_ms, answer with @reply_len bytes of 'R'. */
static int answer_late(int ep, int hold_ms, size_t reply_len)
{
	struct fastipc_msg_info info;
	char *big = malloc(MIB);
	int ret;

	if (!big || fastipc_recv(ep, 0, big, MIB, &info, NULL) < 0)
		return 1;
	usleep(hold_ms * 1000);
	memset(big, 'R', reply_len);
	ret = fastipc_reply(ep, info.token, 0, big, reply_len);
	return ret == 0 ? 0 : ret == -ECANCELED ? 3 : 2;
}

TEST_F(buf, one_copy_reply_too_long_is_truncated)
{
	char *req = calloc(1, 64 * 1024), *reply = calloc(1, 64 * 1024 + 1);
	int status;
	pid_t server;

	ASSERT_TRUE(req && reply);
	server = fork();
	ASSERT_LE(0, server);
	if (!server)
		_exit(answer_late(self->ep, 0, 64 * 1024 + 1));
	/* Through the raw call: fastipc_call() would use the buffer instead. */
	EXPECT_EQ(-1, ioctl(self->conn, FASTIPC_IOC_CALL, &(struct fastipc_call){
		.len = 64 * 1024, .data = (uintptr_t)req,
		.reply_data = (uintptr_t)reply, .reply_capacity = 64 * 1024 }));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ('R', reply[64 * 1024 - 1]);
	EXPECT_EQ(0, reply[64 * 1024]);
	waitpid(server, &status, 0);
	EXPECT_EQ(0, WEXITSTATUS(status));
	free(req);
	free(reply);
}

TEST_F(buf, one_copy_withdrawn_call_leaves_caller_memory_alone)
{
	struct fastipc_call call = { .reply_timeout = fastipc_timeout_rel(50 * 1000000ULL) };
	char *req = calloc(1, MIB), *reply = calloc(1, MIB);
	int status;
	pid_t server;

	ASSERT_TRUE(req && reply);
	call.len = MIB;
	call.data = (uintptr_t)req;
	call.reply_data = (uintptr_t)reply;
	call.reply_capacity = MIB;
	server = fork();
	ASSERT_LE(0, server);
	if (!server)
		_exit(answer_late(self->ep, 300, MIB));
	EXPECT_EQ(-1, ioctl(self->conn, FASTIPC_IOC_CALL, &call));
	EXPECT_EQ(ETIMEDOUT, errno);
	waitpid(server, &status, 0);
	/* The late reply was refused, and never written into our buffer. */
	EXPECT_EQ(3, WEXITSTATUS(status));
	EXPECT_EQ(0, reply[0]);
	EXPECT_EQ(0, reply[MIB - 1]);
	free(req);
	free(reply);
}

/*
 * A connection closed with its buffer still mapped leaves the library a
 * record under its fd number; a new connection that gets the number must
 * not be sent through the old pages, whether it has no buffer (the kernel
 * would say ENXIO) or a buffer of its own not mapped (the server would read
 * that buffer, not the request).  A child serves with fastipc_serve().
 */
TEST_F(buf, fd_reused_after_close_is_not_sent_through_the_old_mapping)
{
	size_t len = 2 * FASTIPC_ZEROCOPY_THRESHOLD, i;
	unsigned char *req = malloc(len), *reply = malloc(len);
	int fd = self->conn, fresh, round, status;
	int64_t reply_type;
	pid_t server;

	ASSERT_NE(NULL, req);
	ASSERT_NE(NULL, reply);
	for (i = 0; i < len; i++)
		req[i] = pattern(i);
	server = fork();
	ASSERT_LE(0, server);
	if (!server)
		_exit(fastipc_serve(self->ep, MIB, complement, NULL) == -ECANCELED ? 0 : 1);
	for (round = 0; round < 2; round++) {
		/* Closed mapped: the record stays, its pages stay mapped. */
		close(fd);
		fresh = fastipc_connect_endpoint(self->ep);
		ASSERT_LE(0, fresh);
		if (fresh != fd) {
			ASSERT_EQ(fd, dup2(fresh, fd));
			close(fresh);
		}
		if (round == 1)
			ASSERT_EQ(0, fastipc_buffer_create(fd, self->size));
		memset(reply, 0, len);
		ASSERT_EQ(len, fastipc_call(fd, 1, req, len, reply, len, &reply_type, NULL))
			TH_LOG("round %d", round);
		for (i = 0; i < len; i++)
			if (reply[i] != (unsigned char)~pattern(i))
				break;
		EXPECT_EQ(len, i) TH_LOG("round %d: the server read other bytes", round);
		/* Leave this one mapped too, for the next round to meet. */
		if (round == 1)
			ASSERT_EQ(0, fastipc_buffer_map(fd, 0, self->size, &self->mine));
	}
	ASSERT_EQ(0, fastipc_send(fd, 99, NULL, 0, NULL));
	waitpid(server, &status, 0);
	EXPECT_EQ(0, WEXITSTATUS(status));
	free(req);
	free(reply);
}

struct pending_buffer_call {
	int conn;
	size_t len;
	unsigned char *req, *reply;
	ssize_t ret;
};

static void *buffer_call(void *arg)
{
	struct pending_buffer_call *c = arg;

	c->ret = fastipc_call(c->conn, 1, c->req, c->len, c->reply, c->len, NULL, NULL);
	return NULL;
}

/*
 * fastipc_buffer_unmap() while the library's own call uses the mapping
 * waits for the call, instead of pulling the pages (and the library's
 * record of them) from under it.
 */
TEST_F(buf, unmap_waits_for_a_call_using_the_mapping)
{
	struct pending_buffer_call c = { .conn = self->conn, .len = FASTIPC_ZEROCOPY_THRESHOLD };
	struct fastipc_recv r = { 0 };
	pthread_t thread;
	void *addr;

	c.req = calloc(1, c.len);
	c.reply = calloc(1, c.len);
	ASSERT_NE(NULL, c.req);
	ASSERT_NE(NULL, c.reply);
	ASSERT_EQ(0, pthread_create(&thread, NULL, buffer_call, &c));
	ASSERT_EQ(0, fastipc_recv_raw(self->ep, &r));
	ASSERT_TRUE(r.msg.flags & FASTIPC_MSG_BUFFER);
	ASSERT_EQ(0, fastipc_buffer_map(self->ep, r.msg.conn_id, self->size, &addr));
	memset(addr, 'R', c.len);
	/* The reply goes after unmap has had every chance to return early. */
	if (!fork()) {
		usleep(300 * 1000);
		_exit(fastipc_reply_buffer(self->ep, r.msg.token, 2, 0, c.len) ? 1 : 0);
	}
	/* Unmapped under the call, its reply would be read from no page: SIGSEGV. */
	EXPECT_EQ(0, fastipc_buffer_unmap(self->conn, self->mine, self->size));
	self->mine = NULL;
	pthread_join(thread, NULL);
	EXPECT_EQ(c.len, c.ret);
	EXPECT_EQ('R', c.reply[c.len - 1]);
	wait(NULL);
	fastipc_buffer_unmap(self->ep, addr, self->size);
	free(c.req);
	free(c.reply);
}

TEST_HARNESS_MAIN
