// SPDX-License-Identifier: GPL-2.0
/*
 * Endpoints, connections and messages: send / receive, call / reply, async
 * calls, selective receive, poll and SIGIO, fd inheritance and passing, and
 * what happens when a server or a client dies mid-call.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fastipc.h"
#include "fastipc_test.h"
#include "kselftest_harness.h"

#define SEC 1000000000ULL
#define MS 1000000ULL

FIXTURE(pair) {
	int ctx, ep, conn;
};

FIXTURE_SETUP(pair)
{
	ASSERT_EQ(0, pair_open(&self->ctx, &self->ep, &self->conn));
}

FIXTURE_TEARDOWN(pair)
{
	pair_close(self->ctx, self->ep, self->conn);
}

TEST_F(pair, send_then_receive_with_header)
{
	struct fastipc_msg_info info;
	char buf[64];

	ASSERT_EQ(0, fastipc_send(self->conn, 42, "hello", 5, NULL));
	ASSERT_EQ(5, fastipc_recv(self->ep, 0, buf, sizeof(buf), &info, NULL));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(42, info.type);
	EXPECT_EQ(0, info.token);
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(5, info.len);
	EXPECT_EQ(getpid(), info.pid);
	EXPECT_EQ(syscall(SYS_gettid), info.tid);
	EXPECT_EQ(geteuid(), info.uid);
	EXPECT_EQ(getegid(), info.gid);
	EXPECT_EQ(fdinfo(self->conn, "connection_id"), (long long)info.conn_id);
	EXPECT_LT(0, info.conn_id);
}

TEST_F(pair, empty_message)
{
	struct fastipc_msg_info info;

	ASSERT_EQ(0, fastipc_send(self->conn, 0, NULL, 0, NULL));
	ASSERT_EQ(0, fastipc_recv(self->ep, 0, NULL, 0, &info, NULL));
	EXPECT_EQ(0, info.len);
}

TEST_F(pair, messages_keep_their_order)
{
	struct fastipc_timeout none = fastipc_timeout_none();
	int i, value;

	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, fastipc_send(self->conn, 1, &i, sizeof(i), NULL));
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(sizeof(value), fastipc_recv(self->ep, 0, &value, sizeof(value),
						      NULL, NULL));
		EXPECT_EQ(i, value);
	}
	EXPECT_EQ(-EAGAIN, fastipc_recv(self->ep, 0, &value, sizeof(value), NULL, &none));
}

TEST_F(pair, connection_ids_differ)
{
	struct fastipc_msg_info a, b;
	int other = fastipc_connect_endpoint(self->ep);

	ASSERT_LE(0, other);
	ASSERT_EQ(0, fastipc_send(self->conn, 1, NULL, 0, NULL));
	ASSERT_EQ(0, fastipc_send(other, 1, NULL, 0, NULL));
	ASSERT_EQ(0, fastipc_recv(self->ep, 0, NULL, 0, &a, NULL));
	ASSERT_EQ(0, fastipc_recv(self->ep, 0, NULL, 0, &b, NULL));
	EXPECT_NE(a.conn_id, b.conn_id);
	EXPECT_EQ(2, fdinfo(self->ep, "connections"));
	close(other);
	EXPECT_EQ(1, fdinfo(self->ep, "connections"));
}

/* System V msgrcv() rules: 0 first, > 0 exact, < 0 lowest <= |t|, except. */
TEST_F(pair, selective_receive)
{
	static const int64_t types[] = { 5, 3, 7, 3, 1 };
	struct fastipc_recv req = { .timeout.mode = FASTIPC_WAIT_NONE };
	struct fastipc_msg_info info;
	unsigned int i;
	int tag;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, fastipc_send(self->conn, types[i], &i, sizeof(i), NULL));

	/* Exactly 3: the first of the two. */
	ASSERT_EQ(4, fastipc_recv(self->ep, 3, &tag, sizeof(tag), &info, NULL));
	EXPECT_EQ(3, info.type);
	EXPECT_EQ(1, tag);
	/* Lowest type <= 4: type 1, though a 3 is queued before it. */
	ASSERT_EQ(4, fastipc_recv(self->ep, -4, &tag, sizeof(tag), &info, NULL));
	EXPECT_EQ(1, info.type);
	EXPECT_EQ(4, tag);
	/* Anything but 5: the first that is not, type 7, then the other 3. */
	req.flags = FASTIPC_RECV_EXCEPT;
	req.type = 5;
	req.data = (uintptr_t)&tag;
	req.capacity = sizeof(tag);
	ASSERT_EQ(0, fastipc_recv_raw(self->ep, &req));
	EXPECT_EQ(7, req.msg.type);
	EXPECT_EQ(2, tag);
	ASSERT_EQ(0, fastipc_recv_raw(self->ep, &req));
	EXPECT_EQ(3, req.msg.type);
	EXPECT_EQ(3, tag);
	/* No type 9, and none <= 2 left. */
	EXPECT_EQ(-EAGAIN, fastipc_recv_raw(self->ep, &(struct fastipc_recv){
			.type = 9, .timeout.mode = FASTIPC_WAIT_NONE }));
	EXPECT_EQ(-EAGAIN, fastipc_recv_raw(self->ep, &(struct fastipc_recv){
			.type = -2, .timeout.mode = FASTIPC_WAIT_NONE }));
	/* The first: the 5 left over. */
	ASSERT_EQ(4, fastipc_recv(self->ep, 0, &tag, sizeof(tag), &info, NULL));
	EXPECT_EQ(5, info.type);
}

struct echo_server {
	int ep;
	int handled;
	pthread_t thread;
};

/* Replies to each call with its payload reversed, type + 1000. */
static ssize_t echo_handler(void *arg, const struct fastipc_msg_info *info,
			    const void *req, void *reply, size_t capacity,
			    int64_t *reply_type)
{
	struct echo_server *server = arg;
	const char *in = req;
	char *out = reply;
	uint32_t i;

	server->handled++;
	if (info->type == 999)
		return -ECANCELED;	/* the stop message */
	for (i = 0; i < info->len && i < capacity; i++)
		out[i] = in[info->len - 1 - i];
	*reply_type = info->type + 1000;
	return info->len;
}

static void *echo_thread(void *arg)
{
	struct echo_server *server = arg;

	fastipc_serve(server->ep, 1 << 20, echo_handler, server);
	return NULL;
}

static void echo_start(struct echo_server *server, int ep)
{
	server->ep = ep;
	server->handled = 0;
	pthread_create(&server->thread, NULL, echo_thread, server);
}

static void echo_stop(struct echo_server *server, int conn)
{
	fastipc_send(conn, 999, NULL, 0, NULL);
	pthread_join(server->thread, NULL);
}

TEST_F(pair, call_and_reply)
{
	struct echo_server server;
	int64_t reply_type;
	char reply[16];

	echo_start(&server, self->ep);
	ASSERT_EQ(3, fastipc_call(self->conn, 7, "abc", 3, reply, sizeof(reply),
				  &reply_type, NULL));
	EXPECT_EQ(0, memcmp(reply, "cba", 3));
	EXPECT_EQ(1007, reply_type);
	echo_stop(&server, self->conn);
	EXPECT_EQ(2, server.handled);
	EXPECT_EQ(1, fdinfo(self->ep, "replied"));
}

TEST_F(pair, call_with_large_payloads)
{
	size_t len = 1 << 20, i;
	struct echo_server server;
	unsigned char *req, *reply;

	req = malloc(len);
	reply = malloc(len);
	ASSERT_TRUE(req && reply);
	for (i = 0; i < len; i++)
		req[i] = i * 7 + (i >> 11);
	echo_start(&server, self->ep);
	ASSERT_EQ(len, fastipc_call(self->conn, 1, req, len, reply, len, NULL, NULL));
	for (i = 0; i < len; i++)
		if (reply[i] != req[len - 1 - i])
			break;
	EXPECT_EQ(len, i);
	/* A size the spare message must grow for, then a small one again. */
	ASSERT_EQ(100000, fastipc_call(self->conn, 1, req, 100000, reply, len, NULL, NULL));
	ASSERT_EQ(10, fastipc_call(self->conn, 1, req, 10, reply, len, NULL, NULL));
	EXPECT_EQ(req[0], reply[9]);
	echo_stop(&server, self->conn);
	free(req);
	free(reply);
}

/* 200 calls on the connection *@arg; NULL if every reply was right. */
static void *echo_caller(void *arg)
{
	int conn = *(int *)arg, n, value, back;

	for (n = 0; n < 200; n++) {
		value = n;
		if (fastipc_call(conn, 1, &value, sizeof(value), &back,
				 sizeof(back), NULL, NULL) != sizeof(back))
			return (void *)1;
		/* the echo server reverses the bytes */
		if (__builtin_bswap32(back) != (uint32_t)value)
			return (void *)2;
	}
	return NULL;
}

TEST_F(pair, calls_in_sequence_from_many_threads)
{
	struct echo_server server;
	pthread_t threads[4];
	int i;

	echo_start(&server, self->ep);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, echo_caller, &self->conn));
	for (i = 0; i < 4; i++) {
		void *result;

		pthread_join(threads[i], &result);
		EXPECT_EQ(NULL, result);
	}
	echo_stop(&server, self->conn);
	EXPECT_EQ(801, server.handled);
}

TEST_F(pair, async_calls_collected_by_cookie_and_in_order)
{
	struct pollfd pfd = { .fd = self->conn, .events = POLLIN };
	uint64_t cookies[3], cookie;
	struct fastipc_msg_info info;
	int64_t reply_type;
	uint64_t tokens[3];
	char buf[8];
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, fastipc_call_async(self->conn, 10 + i, "xy", 2, &cookies[i]));
	EXPECT_NE(cookies[0], cookies[1]);
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(2, fastipc_recv(self->ep, 0, buf, sizeof(buf), &info, NULL));
		EXPECT_EQ(FASTIPC_MSG_CALL, info.flags);
		tokens[i] = info.token;
	}
	/* Answer the last first. */
	ASSERT_EQ(0, fastipc_reply(self->ep, tokens[2], 22, "c", 1));
	ASSERT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_EQ(POLLIN, pfd.revents & POLLIN);
	ASSERT_EQ(0, fastipc_reply(self->ep, tokens[0], 20, "a", 1));
	ASSERT_EQ(0, fastipc_reply(self->ep, tokens[1], 21, "b", 1));

	/* By cookie. */
	cookie = cookies[1];
	ASSERT_EQ(1, fastipc_collect(self->conn, &cookie, buf, sizeof(buf), &reply_type, NULL));
	EXPECT_EQ('b', buf[0]);
	EXPECT_EQ(21, reply_type);
	/* Any: in the order they finished. */
	cookie = 0;
	ASSERT_EQ(1, fastipc_collect(self->conn, &cookie, buf, sizeof(buf), &reply_type, NULL));
	EXPECT_EQ(cookies[2], cookie);
	EXPECT_EQ('c', buf[0]);
	cookie = 0;
	ASSERT_EQ(1, fastipc_collect(self->conn, &cookie, buf, sizeof(buf), &reply_type, NULL));
	EXPECT_EQ(cookies[0], cookie);
	/* Collected means gone. */
	EXPECT_EQ(-ENOENT, fastipc_collect(self->conn, &cookies[0], buf, sizeof(buf),
					   NULL, NULL));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
}

TEST_F(pair, closing_a_connection_withdraws_its_async_calls)
{
	struct fastipc_msg_info info;
	uint64_t cookie;
	char buf[8];

	ASSERT_EQ(0, fastipc_call_async(self->conn, 1, "q", 1, &cookie));
	ASSERT_EQ(0, fastipc_call_async(self->conn, 2, "r", 1, &cookie));
	ASSERT_EQ(1, fastipc_recv(self->ep, 1, buf, sizeof(buf), &info, NULL));
	close(self->conn);
	/* The queued one is gone; the received one's reply is dropped. */
	EXPECT_EQ(0, fdinfo(self->ep, "queued"));
	EXPECT_EQ(-ECANCELED, fastipc_reply(self->ep, info.token, 0, "x", 1));
	EXPECT_EQ(1, fdinfo(self->ep, "replies_dropped"));
	self->conn = fastipc_connect_endpoint(self->ep);
}

TEST_F(pair, poll_endpoint_and_connection)
{
	struct pollfd pfd[2] = {
		{ .fd = self->ep, .events = POLLIN },
		{ .fd = self->conn, .events = POLLOUT | POLLIN },
	};

	ASSERT_EQ(1, poll(pfd, 2, 0));
	EXPECT_EQ(0, pfd[0].revents);
	EXPECT_EQ(POLLOUT, pfd[1].revents);
	ASSERT_EQ(0, fastipc_send(self->conn, 1, "z", 1, NULL));
	ASSERT_EQ(2, poll(pfd, 2, 0));
	EXPECT_EQ(POLLIN, pfd[0].revents);
	close(self->ep);
	self->ep = -1;
	ASSERT_EQ(1, poll(&pfd[1], 1, 0));
	EXPECT_EQ(POLLHUP, pfd[1].revents & POLLHUP);
	EXPECT_EQ(0, pfd[1].revents & POLLOUT);
	EXPECT_EQ(-EPIPE, fastipc_send(self->conn, 1, "z", 1, NULL));
}

TEST_F(pair, epoll_wakes_on_message)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	pid_t child;

	ASSERT_LE(0, epfd);
	ASSERT_EQ(0, epoll_ctl(epfd, EPOLL_CTL_ADD, self->ep, &ev));
	EXPECT_EQ(0, epoll_wait(epfd, &out, 1, 0));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		usleep(20000);
		_exit(fastipc_send(self->conn, 1, "e", 1, NULL) ? 1 : 0);
	}
	ASSERT_EQ(1, epoll_wait(epfd, &out, 1, 5000));
	EXPECT_EQ(EPOLLIN, out.events);
	waitpid(child, NULL, 0);
	close(epfd);
}

static volatile sig_atomic_t sigio_count;

static void on_sigio(int sig)
{
	sigio_count++;
}

TEST_F(pair, sigio_on_message)
{
	signal(SIGIO, on_sigio);
	ASSERT_EQ(0, fcntl(self->ep, F_SETOWN, getpid()));
	ASSERT_EQ(0, fcntl(self->ep, F_SETFL, fcntl(self->ep, F_GETFL) | O_ASYNC));
	sigio_count = 0;
	ASSERT_EQ(0, fastipc_send(self->conn, 1, "s", 1, NULL));
	EXPECT_LE(1, sigio_count);
	signal(SIGIO, SIG_DFL);
}

TEST_F(pair, fds_are_close_on_exec)
{
	EXPECT_EQ(FD_CLOEXEC, fcntl(self->ep, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(FD_CLOEXEC, fcntl(self->conn, F_GETFD) & FD_CLOEXEC);
}

TEST_F(pair, fork_child_inherits_both_ends)
{
	struct fastipc_msg_info info;
	int status, value;
	pid_t child;

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		value = 77;
		_exit(fastipc_send(self->conn, 1, &value, sizeof(value), NULL) ? 1 : 0);
	}
	ASSERT_EQ(sizeof(value), fastipc_recv(self->ep, 0, &value, sizeof(value), &info, NULL));
	EXPECT_EQ(77, value);
	EXPECT_EQ(child, info.pid);
	waitpid(child, &status, 0);
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(connection_passed_with_scm_rights)
{
	int ctx = fastipc_open(), ep, sv[2], status;
	struct fastipc_msg_info info;
	char buf[8];
	pid_t child;

	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		/* The child has no fastipc fd until one arrives. */
		int conn;

		close(ep);
		close(ctx);
		conn = recv_fd(sv[1]);
		_exit(conn < 0 || fastipc_send(conn, 3, "passed", 6, NULL) ? 1 : 0);
	}
	{
		int conn = fastipc_connect_endpoint(ep);

		ASSERT_LE(0, conn);
		ASSERT_EQ(0, send_fd(sv[0], conn));
		close(conn);
	}
	ASSERT_EQ(6, fastipc_recv(ep, 0, buf, sizeof(buf), &info, NULL));
	EXPECT_EQ(0, memcmp(buf, "passed", 6));
	EXPECT_EQ(child, info.pid);
	waitpid(child, &status, 0);
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(sv[0]);
	close(sv[1]);
	close(ep);
	close(ctx);
}

TEST(named_endpoint_connect_and_name_release)
{
	int ctx = fastipc_open(), ep, conn, again;
	char buf[4];

	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create(ctx, "test.named-endpoint", 0600);
	ASSERT_LE(0, ep);
	EXPECT_EQ(-EEXIST, fastipc_endpoint_create(ctx, "test.named-endpoint", 0600));
	conn = fastipc_connect(ctx, "test.named-endpoint");
	ASSERT_LE(0, conn);
	ASSERT_EQ(0, fastipc_send(conn, 1, "n", 1, NULL));
	ASSERT_EQ(1, fastipc_recv(ep, 0, buf, sizeof(buf), NULL, NULL));
	close(ep);
	/* The name went with the endpoint's last fd; it can be taken again. */
	EXPECT_EQ(-ENOENT, fastipc_connect(ctx, "test.named-endpoint"));
	EXPECT_EQ(-EPIPE, fastipc_send(conn, 1, "n", 1, NULL));
	again = fastipc_endpoint_create(ctx, "test.named-endpoint", 0600);
	EXPECT_LE(0, again);
	close(again);
	close(conn);
	close(ctx);
}

struct kill_order {
	pid_t pid;
	int fd;
};

/* SIGKILL the process once a byte arrives on the pipe. */
static void *kill_when_told(void *arg)
{
	struct kill_order *order = arg;
	char c;

	if (read(order->fd, &c, 1) == 1)
		kill(order->pid, SIGKILL);
	return NULL;
}

TEST(server_killed_mid_call)
{
	int ctx = fastipc_open(), ep, conn, pipefd[2];
	char buf[8];
	pid_t server;

	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	ASSERT_LE(0, ep);
	conn = fastipc_connect_endpoint(ep);
	ASSERT_LE(0, conn);
	ASSERT_EQ(0, pipe(pipefd));
	server = fork();
	ASSERT_LE(0, server);
	if (!server) {
		/* Take the call, then hang until killed. */
		fastipc_recv(ep, 0, buf, sizeof(buf), NULL, NULL);
		if (write(pipefd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ep);	/* the server holds the only endpoint fd now */
	{
		struct kill_order order = { server, pipefd[0] };
		pthread_t killer;

		pthread_create(&killer, NULL, kill_when_told, &order);
		EXPECT_EQ(-EPIPE, fastipc_call(conn, 1, "k", 1, buf, sizeof(buf), NULL, NULL));
		pthread_join(killer, NULL);
	}
	waitpid(server, NULL, 0);
	EXPECT_EQ(-EPIPE, fastipc_call(conn, 1, "k", 1, buf, sizeof(buf), NULL, NULL));
	close(conn);
	close(ctx);
}

TEST(client_killed_mid_call)
{
	int ctx = fastipc_open(), ep, conn;
	struct fastipc_msg_info info;
	char buf[8];
	pid_t client;

	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	ASSERT_LE(0, ep);
	conn = fastipc_connect_endpoint(ep);
	ASSERT_LE(0, conn);
	client = fork();
	ASSERT_LE(0, client);
	if (!client) {
		fastipc_call(conn, 1, "c", 1, buf, sizeof(buf), NULL, NULL);
		_exit(0);
	}
	close(conn);
	ASSERT_EQ(1, fastipc_recv(ep, 0, buf, sizeof(buf), &info, NULL));
	kill(client, SIGKILL);
	waitpid(client, NULL, 0);
	EXPECT_EQ(-ECANCELED, fastipc_reply(ep, info.token, 0, "late", 4));
	EXPECT_EQ(1, fdinfo(ep, "replies_dropped"));
	EXPECT_EQ(1, fdinfo(ep, "withdrawn"));
	EXPECT_EQ(-ENOENT, fastipc_reply(ep, info.token, 0, "late", 4));
	close(ep);
	close(ctx);
}

struct blocked_recv {
	int ep;
	int ret;
};

static void *recv_blocked(void *arg)
{
	struct blocked_recv *r = arg;
	struct fastipc_timeout t = fastipc_timeout_rel(300 * MS);

	r->ret = fastipc_recv(r->ep, 0, NULL, 0, NULL, &t);
	return NULL;
}

TEST(close_races_blocked_receive)
{
	struct blocked_recv r;
	int ctx = fastipc_open(), conn;
	pthread_t thread;

	ASSERT_LE(0, ctx);
	r.ep = fastipc_endpoint_create(ctx, NULL, 0600);
	ASSERT_LE(0, r.ep);
	conn = fastipc_connect_endpoint(r.ep);
	ASSERT_LE(0, conn);
	ASSERT_EQ(0, pthread_create(&thread, NULL, recv_blocked, &r));
	usleep(50000);
	close(r.ep);	/* the blocked receive keeps the file until it returns */
	pthread_join(thread, NULL);
	EXPECT_EQ(-ETIMEDOUT, r.ret);
	/* Once it returned, the endpoint is gone. */
	EXPECT_EQ(-EPIPE, fastipc_send(conn, 1, NULL, 0, NULL));
	close(conn);
	close(ctx);
}

TEST_F(pair, full_queue_blocks_sender_until_room)
{
	struct fastipc_info info;
	struct fastipc_timeout none = fastipc_timeout_none();
	unsigned int i;
	pid_t child;
	int status;

	ASSERT_EQ(0, fastipc_get_info(self->ctx, &info));
	for (i = 0; i < info.queue_depth; i++)
		ASSERT_EQ(0, fastipc_send(self->conn, 1, &i, sizeof(i), &none));
	EXPECT_EQ(-EAGAIN, fastipc_send(self->conn, 1, &i, sizeof(i), &none));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		/* Blocks until the parent takes one. */
		_exit(fastipc_send(self->conn, 2, &i, sizeof(i), NULL) ? 1 : 0);
	}
	usleep(50000);
	EXPECT_EQ(0, waitpid(child, &status, WNOHANG));
	ASSERT_EQ(sizeof(i), fastipc_recv(self->ep, 0, &i, sizeof(i), NULL, NULL));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	for (i = 0; i < info.queue_depth; i++)
		ASSERT_EQ(sizeof(status), fastipc_recv(self->ep, 0, &status, sizeof(status),
						       NULL, &none));
	EXPECT_EQ(-EAGAIN, fastipc_recv(self->ep, 0, &status, sizeof(status), NULL, &none));
}

TEST_F(pair, timeouts_relative_and_absolute)
{
	struct fastipc_timeout t;
	uint64_t start, took;

	start = now_ns();
	t = fastipc_timeout_rel(50 * MS);
	EXPECT_EQ(-ETIMEDOUT, fastipc_recv(self->ep, 0, NULL, 0, NULL, &t));
	took = now_ns() - start;
	EXPECT_LE(50 * MS, took);
	EXPECT_GT(30 * SEC, took);

	start = now_ns();
	t = fastipc_timeout_abs(start + 50 * MS);
	EXPECT_EQ(-ETIMEDOUT, fastipc_recv(self->ep, 0, NULL, 0, NULL, &t));
	EXPECT_LE(start + 50 * MS, now_ns());

	/* A deadline in the past is not an error: it has simply passed. */
	t = fastipc_timeout_abs(1);
	EXPECT_EQ(-ETIMEDOUT, fastipc_recv(self->ep, 0, NULL, 0, NULL, &t));

	/* A call nobody answers is withdrawn at its deadline. */
	start = now_ns();
	t = fastipc_timeout_rel(50 * MS);
	EXPECT_EQ(-ETIMEDOUT, fastipc_call(self->conn, 1, "t", 1, NULL, 0, NULL, &t));
	EXPECT_LE(50 * MS, now_ns() - start);
	EXPECT_EQ(0, fdinfo(self->ep, "queued"));
	EXPECT_EQ(1, fdinfo(self->ep, "withdrawn"));
}

struct late_receiver {
	int ep;
	struct fastipc_msg_info info;
	char buf[16];
};

/* Take a message after 200 ms, and do not answer it. */
static void *receive_late(void *arg)
{
	struct late_receiver *r = arg;

	usleep(200000);
	fastipc_recv(r->ep, 0, r->buf, sizeof(r->buf), &r->info, NULL);
	return NULL;
}

TEST_F(pair, call_reply_phase_bounded_separately)
{
	struct fastipc_call call = {
		.len = 1,
		.data = (uintptr_t)"p",
		.reply_timeout = fastipc_timeout_rel(50 * MS),
	};
	struct late_receiver r = { .ep = self->ep };
	uint64_t start = now_ns();
	pthread_t server;

	/* The send phase waits as long as it takes; the reply phase 50 ms. */
	pthread_create(&server, NULL, receive_late, &r);
	EXPECT_EQ(-ETIMEDOUT, fastipc_call_raw(self->conn, &call));
	EXPECT_LE(250 * MS, now_ns() - start);
	pthread_join(server, NULL);
	EXPECT_EQ(-ECANCELED, fastipc_reply(self->ep, r.info.token, 0, "l", 1));
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * SEC + ts.tv_nsec;
}

TEST_F(pair, queued_call_sleeps_whatever_its_reply_bound)
{
	/*
	 * An absolute reply bound that passes while the call is queued, then
	 * a relative one of 1 us: until a receiver takes the call only the
	 * send deadline (here none) counts, so the caller sleeps through the
	 * 200 ms its call waits in the queue instead of polling the clock;
	 * once taken, the reply phase has run out.
	 */
	for (int i = 0; i < 2; i++) {
		struct fastipc_call call = {
			.len = 1,
			.data = (uintptr_t)"q",
			.reply_timeout = i ? fastipc_timeout_rel(1000) :
					     fastipc_timeout_abs(now_ns() + 10 * MS),
		};
		struct late_receiver r = { .ep = self->ep };
		uint64_t cpu = thread_cpu_ns();
		pthread_t server;

		pthread_create(&server, NULL, receive_late, &r);
		EXPECT_EQ(-ETIMEDOUT, fastipc_call_raw(self->conn, &call));
		cpu = thread_cpu_ns() - cpu;
		pthread_join(server, NULL);
		EXPECT_GT(50 * MS, cpu) TH_LOG("bound %d: %llu ns of CPU while queued",
					      i, (unsigned long long)cpu);
		EXPECT_EQ(-ECANCELED, fastipc_reply(self->ep, r.info.token, 0, "l", 1));
	}
}

static void on_alarm(int sig)
{
}

TEST_F(pair, signal_interrupts_wait_and_reports_time_left)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct fastipc_timeout t = fastipc_timeout_rel(10 * SEC);
	struct itimerval it = { .it_value.tv_usec = 50000 };

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	EXPECT_EQ(-EINTR, fastipc_recv(self->ep, 0, NULL, 0, NULL, &t));
	EXPECT_GT(10 * SEC, t.ns);
	EXPECT_LT(5 * SEC, t.ns);

	/* A call interrupted while queued is withdrawn. */
	t = fastipc_timeout_rel(10 * SEC);
	setitimer(ITIMER_REAL, &it, NULL);
	EXPECT_EQ(-EINTR, fastipc_call(self->conn, 1, "i", 1, NULL, 0, NULL, &t));
	EXPECT_LT(5 * SEC, t.ns);
	EXPECT_EQ(0, fdinfo(self->ep, "queued"));
	signal(SIGALRM, SIG_DFL);
}

/* Interrupt the calling thread after @ms, with a handler, no SA_RESTART. */
static void interrupt_after_ms(int ms)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value.tv_usec = ms * 1000 };

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

TEST_F(pair, signal_interrupts_send_on_full_queue)
{
	struct fastipc_timeout none = fastipc_timeout_none();
	struct fastipc_timeout t = fastipc_timeout_rel(10 * SEC);
	struct fastipc_info info;
	unsigned int i;

	ASSERT_EQ(0, fastipc_get_info(self->ctx, &info));
	for (i = 0; i < info.queue_depth; i++)
		ASSERT_EQ(0, fastipc_send(self->conn, 1, &i, sizeof(i), &none));
	interrupt_after_ms(50);
	EXPECT_EQ(-EINTR, fastipc_send(self->conn, 1, &i, sizeof(i), &t));
	EXPECT_LT(5 * SEC, t.ns);
	EXPECT_GT(10 * SEC, t.ns);
	EXPECT_EQ(info.queue_depth, fdinfo(self->ep, "queued"));
	signal(SIGALRM, SIG_DFL);
}

TEST_F(pair, signal_in_reply_phase_withdraws_the_call)
{
	struct fastipc_msg_info info;
	struct fastipc_timeout t = fastipc_timeout_rel(10 * SEC);
	pid_t child;
	char buf[4];
	int status;

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		/* Take the call, wait for the caller to give up, then answer. */
		if (fastipc_recv(self->ep, 0, buf, sizeof(buf), &info, NULL) != 1)
			_exit(1);
		usleep(300000);
		_exit(fastipc_reply(self->ep, info.token, 0, "x", 1) == -ECANCELED ? 0 : 2);
	}
	interrupt_after_ms(100);
	EXPECT_EQ(-EINTR, fastipc_call(self->conn, 1, "r", 1, buf, sizeof(buf), NULL, &t));
	EXPECT_LT(5 * SEC, t.ns);
	waitpid(child, &status, 0);
	EXPECT_EQ(0, WEXITSTATUS(status));
	signal(SIGALRM, SIG_DFL);
}

TEST_F(pair, signal_interrupts_collect)
{
	struct fastipc_timeout t = fastipc_timeout_rel(10 * SEC);
	uint64_t cookie;
	char buf[4];

	ASSERT_EQ(0, fastipc_call_async(self->conn, 1, "a", 1, &cookie));
	interrupt_after_ms(50);
	EXPECT_EQ(-EINTR, fastipc_collect(self->conn, &cookie, buf, sizeof(buf), NULL, &t));
	EXPECT_LT(5 * SEC, t.ns);
	/* Still pending: nothing was lost. */
	EXPECT_EQ(1, fdinfo(self->conn, "async_pending"));
	signal(SIGALRM, SIG_DFL);
}

#define TRACING "/sys/kernel/tracing"

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

TEST_F(pair, tracepoints_fire)
{
	static const char * const events[] = {
		"fastipc_send:", "fastipc_recv:", "fastipc_reply:",
		"fastipc_timeout:", "fastipc_cancel:",
	};
	struct fastipc_timeout t = fastipc_timeout_rel(10 * MS);
	struct fastipc_msg_info info;
	static char trace[1 << 16];
	uint64_t cookie;
	unsigned int i;
	ssize_t len;
	char buf[4];
	int fd;

	if (access(TRACING "/events/fastipc/enable", W_OK))
		SKIP(return, "this kernel has no tracefs events");
	ASSERT_EQ(0, write_file(TRACING "/trace", ""));
	ASSERT_EQ(0, write_file(TRACING "/events/fastipc/enable", "1"));

	ASSERT_EQ(0, fastipc_call_async(self->conn, 1, "a", 1, &cookie));
	ASSERT_EQ(1, fastipc_recv(self->ep, 0, buf, sizeof(buf), &info, NULL));
	ASSERT_EQ(0, fastipc_reply(self->ep, info.token, 0, "b", 1));
	EXPECT_EQ(-ETIMEDOUT, fastipc_call(self->conn, 1, "c", 1, buf, sizeof(buf), NULL, &t));

	ASSERT_EQ(0, write_file(TRACING "/events/fastipc/enable", "0"));
	fd = open(TRACING "/trace", O_RDONLY);
	ASSERT_LE(0, fd);
	len = read(fd, trace, sizeof(trace) - 1);
	close(fd);
	ASSERT_LT(0, len);
	trace[len] = '\0';
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		bool found = strstr(trace, events[i]);

		if (!found)
			TH_LOG("event %u missing from the trace", i);
		EXPECT_TRUE(found);
	}
}

/* Serve calls with RECV_SPIN until a type 999 message. */
static void *spinning_server(void *arg)
{
	int ep = *(int *)arg;
	struct fastipc_reply_recv rr = { 0 };
	int value;

	rr.recv.flags = FASTIPC_RECV_SPIN;
	rr.recv.data = (uintptr_t)&value;
	rr.recv.capacity = sizeof(value);
	rr.reply.data = (uintptr_t)&value;
	rr.reply.len = sizeof(value);
	for (;;) {
		if (fastipc_reply_recv(ep, &rr))
			return (void *)1;
		if (rr.recv.msg.type == 999)
			return NULL;
		value++;
		rr.reply.token = rr.recv.msg.token;
	}
}

TEST_F(pair, spinning_call_and_receive)
{
	struct fastipc_call call = { .flags = FASTIPC_CALL_SPIN, .len = sizeof(int) };
	struct fastipc_timeout t = fastipc_timeout_rel(20 * MS);
	struct fastipc_info info;
	int value = 0, back, i;
	pthread_t server;
	void *result;

	ASSERT_EQ(0, fastipc_get_info(self->ctx, &info));
	EXPECT_EQ(param_read("spin_ns"), info.spin_ns);
	ASSERT_EQ(0, pthread_create(&server, NULL, spinning_server, &self->ep));
	call.data = (uintptr_t)&value;
	call.reply_data = (uintptr_t)&back;
	call.reply_capacity = sizeof(back);
	for (i = 0; i < 100; i++) {
		value = i;
		ASSERT_EQ(0, fastipc_call_raw(self->conn, &call));
		EXPECT_EQ(i + 1, back);
	}
	ASSERT_EQ(0, fastipc_send(self->conn, 999, &value, sizeof(value), NULL));
	pthread_join(server, &result);
	EXPECT_EQ(NULL, result);
	/* With nothing to take, a spinning receive still times out. */
	EXPECT_EQ(-ETIMEDOUT, fastipc_recv_raw(self->ep, &(struct fastipc_recv){
			.flags = FASTIPC_RECV_SPIN, .timeout = t }));
}

TEST_F(pair, fdinfo_describes_endpoint)
{
	EXPECT_LT(0, fdinfo(self->ep, "endpoint_id"));
	EXPECT_EQ(fdinfo(self->ep, "endpoint_id"), fdinfo(self->conn, "endpoint_id"));
	EXPECT_EQ(1, fdinfo(self->ep, "receivers"));
	EXPECT_EQ(0, fdinfo(self->ep, "queued"));
	ASSERT_EQ(0, fastipc_send(self->conn, 1, "f", 1, NULL));
	EXPECT_EQ(1, fdinfo(self->ep, "queued"));
	EXPECT_EQ(1, fdinfo(self->ep, "sent"));
	EXPECT_EQ(1, fdinfo(self->conn, "endpoint_alive"));
}

TEST_HARNESS_MAIN
