// SPDX-License-Identifier: GPL-2.0
/*
 * The workloads make profile counts instructions of: N round trips of 64 B
 * between two processes on CPU 0, or N non-blocking 8 B send + receive pairs
 * in one process.  Only what runs between mark_start() and mark_stop() is
 * counted (by the insn_count plugin, which knows their addresses).
 *
 *	profile_rt fastipc|pipe|futex|fastipc-nb|pipe-nb [N]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fastipc.h"

#define MSG 64
#define WARMUP 2000

__attribute__((noinline)) void mark_start(void)
{
	__asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void mark_stop(void)
{
	__asm__ volatile("" ::: "memory");
}

static void die(const char *what, int err)
{
	fprintf(stderr, "profile_rt: %s: %s\n", what, strerror(err));
	exit(1);
}

static void pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity", errno);
}

static char req[MSG], rep[MSG];

/* Run @round @n times, warmed up, between the markers. */
static void measure(void (*round)(void), long n)
{
	for (long i = 0; i < WARMUP; i++)
		round();
	mark_start();
	for (long i = 0; i < n; i++)
		round();
	mark_stop();
}

static int conn, ep;

static void fastipc_round(void)
{
	if (fastipc_call(conn, 1, req, MSG, rep, MSG, NULL, NULL) != MSG)
		die("fastipc_call", EPROTO);
}

static void fastipc_nb_round(void)
{
	struct fastipc_timeout none = fastipc_timeout_none();

	if (fastipc_send(conn, 1, req, 8, &none))
		die("fastipc_send", EPROTO);
	none = fastipc_timeout_none();
	if (fastipc_recv(ep, 0, rep, MSG, NULL, &none) != 8)
		die("fastipc_recv", EPROTO);
}

static pid_t fastipc_start(int serve)
{
	int ctx = fastipc_open();
	pid_t pid = 0;

	if (ctx < 0)
		die("fastipc_open", -ctx);
	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	if (ep < 0)
		die("fastipc_endpoint_create", -ep);
	if (serve) {
		pid = fork();
		if (pid == 0) {
			struct fastipc_reply_recv rr = { 0 };

			rr.recv.data = (uintptr_t)req;
			rr.recv.capacity = MSG;
			for (;;) {
				if (fastipc_reply_recv(ep, &rr) < 0)
					_exit(0);
				rr.reply.token = rr.recv.msg.token;
				rr.reply.len = MSG;
				rr.reply.data = (uintptr_t)req;
			}
		}
	}
	conn = fastipc_connect_endpoint(ep);
	if (conn < 0)
		die("fastipc_connect_endpoint", -conn);
	return pid;
}

static int to_server[2], to_client[2];

static void pipe_round(void)
{
	if (write(to_server[1], req, MSG) != MSG || read(to_client[0], rep, MSG) != MSG)
		die("pipe", errno);
}

static void pipe_nb_round(void)
{
	if (write(to_server[1], req, 8) != 8 || read(to_server[0], rep, MSG) != 8)
		die("pipe", errno);
}

static pid_t pipe_start(int serve)
{
	pid_t pid = 0;

	if (pipe(to_server) || pipe(to_client))
		die("pipe", errno);
	if (serve) {
		pid = fork();
		if (pid == 0) {
			char buf[MSG];

			for (;;)
				if (read(to_server[0], buf, MSG) != MSG ||
				    write(to_client[1], buf, MSG) != MSG)
					_exit(0);
		}
	}
	return pid;
}

/*
 * A futex word per direction in shared memory, the message copied beside,
 * as fastipc_bench's futex peer does: a waiter sets WAITER before it sleeps,
 * so a sender makes the FUTEX_WAKE call only when someone sleeps.
 */
#define WAITER 0x80000000u

struct futex_shm {
	_Atomic unsigned int req, rep;
	char data[MSG];
};

static struct futex_shm *shm;
static unsigned int seq;

static void futex_signal(_Atomic unsigned int *word, unsigned int value)
{
	if (atomic_exchange(word, value) & WAITER)
		syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void futex_await(_Atomic unsigned int *word, unsigned int value)
{
	unsigned int v;

	while (((v = atomic_load(word)) & ~WAITER) != value) {
		if (!(v & WAITER) && !atomic_compare_exchange_strong(word, &v, v | WAITER))
			continue;
		syscall(SYS_futex, word, FUTEX_WAIT, v | WAITER, NULL, NULL, 0);
	}
}

static void futex_round(void)
{
	seq = (seq + 1) & ~WAITER;
	memcpy(shm->data, req, MSG);
	futex_signal(&shm->req, seq);
	futex_await(&shm->rep, seq);
	memcpy(rep, shm->data, MSG);
}

static pid_t futex_start(void)
{
	pid_t pid;

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		die("mmap", errno);
	pid = fork();
	if (pid == 0) {
		char buf[MSG];

		for (;;) {
			seq = (seq + 1) & ~WAITER;
			futex_await(&shm->req, seq);
			memcpy(buf, shm->data, MSG);
			memcpy(shm->data, buf, MSG);
			futex_signal(&shm->rep, seq);
		}
	}
	return pid;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "fastipc";
	long n = argc > 2 ? atol(argv[2]) : 1000;
	pid_t server = 0;

	pin_cpu0();
	if (!strcmp(mode, "fastipc")) {
		server = fastipc_start(1);
		measure(fastipc_round, n);
	} else if (!strcmp(mode, "fastipc-nb")) {
		fastipc_start(0);
		measure(fastipc_nb_round, n);
	} else if (!strcmp(mode, "pipe")) {
		server = pipe_start(1);
		measure(pipe_round, n);
	} else if (!strcmp(mode, "pipe-nb")) {
		pipe_start(0);
		measure(pipe_nb_round, n);
	} else if (!strcmp(mode, "futex")) {
		server = futex_start();
		measure(futex_round, n);
	} else {
		fprintf(stderr, "profile_rt: unknown mode '%s'\n", mode);
		return 2;
	}
	if (server > 0) {
		kill(server, SIGKILL);
		waitpid(server, NULL, 0);
	}
	return 0;
}
