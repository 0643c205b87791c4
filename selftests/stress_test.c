// SPDX-License-Identifier: GPL-2.0
/*
 * Many senders and many receivers, in many processes and threads, for a
 * bounded time: calls (some with timeouts short enough to be withdrawn),
 * one-way sends and async calls, with some senders killed mid-call.  Every
 * message carries a unique id; receivers count what they get in shared
 * memory, and at the end every accepted message must have been received
 * exactly once, every answered call must have had its own reply, and no
 * message may have been received twice.
 *
 * FASTIPC_STRESS_SECONDS sets the duration (default 3).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fastipc.h"
#include "kselftest_harness.h"

#define RECEIVER_PROCS	2
#define RECEIVER_THREADS 2
#define SENDER_PROCS	4
#define SENDER_THREADS	3
#define VICTIM_PROCS	2	/* senders killed while they call */
#define OPS_PER_THREAD	(1 << 15)
#define NR_SENDERS	((SENDER_PROCS + VICTIM_PROCS) * SENDER_THREADS)
#define TYPE_STOP	999

enum outcome { NOT_SENT, ACCEPTED, ANSWERED, WITHDRAWN };

/* Shared between all processes: what was sent, what was received. */
struct ledger {
	atomic_uchar received[NR_SENDERS * OPS_PER_THREAD];
	unsigned char outcome[NR_SENDERS * OPS_PER_THREAD];
	atomic_int stop;
	atomic_long calls, sends, asyncs, withdrawn, bad_replies;
};

static struct ledger *ledger;

static int stress_seconds(void)
{
	const char *s = getenv("FASTIPC_STRESS_SECONDS");

	return s ? atoi(s) : 3;
}

static void *receiver_thread(void *arg)
{
	int ep = *(int *)arg;
	struct fastipc_reply_recv rr = { 0 };
	uint32_t id, reply;

	rr.recv.data = (uintptr_t)&id;
	rr.recv.capacity = sizeof(id);
	rr.reply.data = (uintptr_t)&reply;
	rr.reply.len = sizeof(reply);
	for (;;) {
		rr.recv.timeout = fastipc_timeout_rel(100 * 1000000ULL);
		if (fastipc_reply_recv(ep, &rr)) {
			rr.reply.token = 0;
			if (atomic_load(&ledger->stop))
				return NULL;
			continue;
		}
		rr.reply.token = 0;
		if (rr.recv.msg.type == TYPE_STOP)
			return NULL;
		if (rr.recv.msg.len != sizeof(id) || id >= NR_SENDERS * OPS_PER_THREAD)
			abort();
		atomic_fetch_add(&ledger->received[id], 1);
		if (rr.recv.msg.flags & FASTIPC_MSG_CALL) {
			reply = ~id;
			rr.reply.token = rr.recv.msg.token;
			/* Now and then be slow, so short timeouts expire. */
			if (id % 61 == 0)
				usleep(2000);
		}
	}
}

static void receiver_process(int ep)
{
	pthread_t threads[RECEIVER_THREADS];
	int i;

	for (i = 0; i < RECEIVER_THREADS; i++)
		pthread_create(&threads[i], NULL, receiver_thread, &ep);
	for (i = 0; i < RECEIVER_THREADS; i++)
		pthread_join(threads[i], NULL);
	_exit(0);
}

struct sender {
	int conn;
	unsigned int index;	/* which slice of the ledger */
	time_t until;
};

static void *sender_thread(void *arg)
{
	struct sender *s = arg;
	uint32_t base = s->index * OPS_PER_THREAD, id, reply;
	unsigned int seed = s->index * 7919 + 1, n;
	struct fastipc_timeout t;
	uint64_t cookie;
	ssize_t ret;

	for (n = 0; n < OPS_PER_THREAD && time(NULL) < s->until; n++) {
		id = base + n;
		switch (rand_r(&seed) % 8) {
		case 0:	/* one-way */
			t = fastipc_timeout_rel(50 * 1000000ULL);
			ret = fastipc_send(s->conn, 1, &id, sizeof(id), &t);
			if (!ret) {
				ledger->outcome[id] = ACCEPTED;
				atomic_fetch_add(&ledger->sends, 1);
			}
			break;
		case 1:	/* async, collected at once */
			if (fastipc_call_async(s->conn, 2, &id, sizeof(id), &cookie))
				break;
			ledger->outcome[id] = ACCEPTED;
			ret = fastipc_collect(s->conn, &cookie, &reply, sizeof(reply), NULL, NULL);
			if (ret == sizeof(reply)) {
				if (reply != ~id)
					atomic_fetch_add(&ledger->bad_replies, 1);
				ledger->outcome[id] = ANSWERED;
				atomic_fetch_add(&ledger->asyncs, 1);
			}
			break;
		case 2:	/* a call with a timeout short enough to expire */
			t = fastipc_timeout_rel(1000000ULL);
			goto call;
		default:
			t = fastipc_timeout_rel(5000 * 1000000ULL);
call:
			ledger->outcome[id] = ACCEPTED;
			ret = fastipc_call(s->conn, 3, &id, sizeof(id), &reply, sizeof(reply),
					   NULL, &t);
			if (ret == sizeof(reply)) {
				if (reply != ~id)
					atomic_fetch_add(&ledger->bad_replies, 1);
				ledger->outcome[id] = ANSWERED;
				atomic_fetch_add(&ledger->calls, 1);
			} else if (ret == -ETIMEDOUT) {
				ledger->outcome[id] = WITHDRAWN;
				atomic_fetch_add(&ledger->withdrawn, 1);
			} else {
				ledger->outcome[id] = NOT_SENT;
			}
			break;
		}
	}
	return NULL;
}

static void sender_process(int conn, unsigned int first, time_t until)
{
	struct sender senders[SENDER_THREADS];
	pthread_t threads[SENDER_THREADS];
	int i;

	for (i = 0; i < SENDER_THREADS; i++) {
		senders[i] = (struct sender){ conn, first + i, until };
		pthread_create(&threads[i], NULL, sender_thread, &senders[i]);
	}
	for (i = 0; i < SENDER_THREADS; i++)
		pthread_join(threads[i], NULL);
	_exit(0);
}

FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

/* Long runs set FASTIPC_STRESS_SECONDS; the harness must not cut them. */
TEST_F_TIMEOUT(stress, many_to_many_nothing_lost_nothing_twice, 24 * 3600)
{
	int seconds = stress_seconds(), ctx, ep, conn, i, status;
	pid_t receivers[RECEIVER_PROCS], senders[SENDER_PROCS + VICTIM_PROCS];
	time_t until = time(NULL) + seconds;
	long lost = 0, twice = 0, phantom = 0, accepted = 0, killed = 0;
	unsigned int id;

	ledger = mmap(NULL, sizeof(*ledger), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ledger);
	ctx = fastipc_open();
	ASSERT_LE(0, ctx);
	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	ASSERT_LE(0, ep);
	conn = fastipc_connect_endpoint(ep);
	ASSERT_LE(0, conn);

	for (i = 0; i < RECEIVER_PROCS; i++) {
		receivers[i] = fork();
		ASSERT_LE(0, receivers[i]);
		if (!receivers[i])
			receiver_process(ep);
	}
	for (i = 0; i < SENDER_PROCS + VICTIM_PROCS; i++) {
		senders[i] = fork();
		ASSERT_LE(0, senders[i]);
		if (!senders[i]) {
			close(ep);
			sender_process(conn, i * SENDER_THREADS, until);
		}
	}
	/* Kill the victims at random moments in the first half. */
	for (i = SENDER_PROCS; i < SENDER_PROCS + VICTIM_PROCS; i++) {
		usleep((rand() % (seconds * 500 + 1)) * 1000);
		kill(senders[i], SIGKILL);
	}
	for (i = 0; i < SENDER_PROCS + VICTIM_PROCS; i++) {
		ASSERT_EQ(senders[i], waitpid(senders[i], &status, 0));
		if (WIFSIGNALED(status))
			killed++;
		else
			EXPECT_EQ(0, WEXITSTATUS(status));
	}
	atomic_store(&ledger->stop, 1);
	for (i = 0; i < RECEIVER_PROCS; i++) {
		ASSERT_EQ(receivers[i], waitpid(receivers[i], &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}

	for (id = 0; id < NR_SENDERS * OPS_PER_THREAD; id++) {
		unsigned int got = atomic_load(&ledger->received[id]);
		bool victim = id / OPS_PER_THREAD >= SENDER_PROCS * SENDER_THREADS;

		if (got > 1)
			twice++;
		switch (ledger->outcome[id]) {
		case ACCEPTED:
			/* A victim may have died between the send and the note. */
			if (!victim && !got)
				lost++;
			accepted++;
			break;
		case ANSWERED:
			if (got != 1)
				lost++;
			accepted++;
			break;
		case NOT_SENT:
			/* Refused, so never delivered (a victim's note may lag). */
			if (got && !victim)
				phantom++;
			break;
		}
	}
	TH_LOG("%d s: %ld calls answered, %ld withdrawn, %ld one-way, %ld async, %ld senders killed",
	       seconds, atomic_load(&ledger->calls), atomic_load(&ledger->withdrawn),
	       atomic_load(&ledger->sends), atomic_load(&ledger->asyncs), killed);
	EXPECT_LT(100, accepted);
	EXPECT_EQ(0, lost);
	EXPECT_EQ(0, twice);
	EXPECT_EQ(0, phantom);
	EXPECT_EQ(0, atomic_load(&ledger->bad_replies));
	EXPECT_EQ(VICTIM_PROCS, killed);

	close(conn);
	close(ep);
	close(ctx);
	munmap(ledger, sizeof(*ledger));
}

TEST_HARNESS_MAIN
