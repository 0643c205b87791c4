/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fastipc_bench: one harness for fastipc and its peers.
 *
 * Every mechanism is a struct bench_mech: a set of hooks the harness calls in
 * a fixed order, so every peer is timed, pinned and counted by the same code.
 *
 *   orchestrator: setup(ch)                      before fork: fds, queues, shm
 *   server child: server_init(ch), then serve(ch) for ever (killed at the end)
 *   client child: client_init(ch), then call(ch) per round trip
 *   orchestrator: teardown(ch)                   after both children are gone
 *
 * A round trip sends ch->req_len bytes and gets ch->rep_len bytes back.
 * Streaming uses the same channel one way: send(ch) in the client, recv(ch)
 * in the server.  Multi-client runs (many clients, one server process with
 * several threads) use mc_setup/mc_server_thread/mc_client_init/mc_call.
 */
#ifndef FASTIPC_BENCH_H
#define FASTIPC_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BENCH_MAX_CLIENTS	64
#define BENCH_MAX_THREADS	16

/* What a mechanism can take part in. */
#define CAP_RT		(1u << 0)	/* ping-pong round trips */
#define CAP_CALL	(1u << 1)	/* request of N bytes, short reply */
#define CAP_STREAM	(1u << 2)	/* one-way streaming */
#define CAP_MC		(1u << 3)	/* many clients, one multi-threaded server */
#define CAP_PAIRS	(1u << 4)	/* N independent pairs */
#define CAP_NO_SAME	(1u << 5)	/* meaningless with both on one CPU */
#define CAP_TOUCH	(1u << 6)	/* the server reads every request byte */

struct bench_chan {
	const struct bench_mech *mech;
	size_t req_len;		/* request (or streamed message) bytes */
	size_t rep_len;		/* reply bytes */
	size_t max_len;		/* the largest message this channel carries */
	int touch;		/* server reads every byte of a request */
	int nclients;		/* multi-client: clients */
	int nthreads;		/* multi-client: server threads */
	int client_id;		/* multi-client: which client this is */
	int stream;		/* set up for streaming (deeper queues) */
	uint32_t seq;		/* shared-memory peers: the last sequence number */

	/* Private buffers, allocated in each child. */
	unsigned char *sbuf;
	unsigned char *rbuf;

	/* Mechanism state, set up before fork. */
	int fd[4];
	int cfd[2 * BENCH_MAX_CLIENTS];	/* multi-client: per-client fds */
	int qid[2];
	char name[2][48];
	void *shm;
	size_t shm_len;

	/* fastipc */
	int fi_ctx, fi_ep, fi_conn;
	void *fi_map;		/* the connection buffer, as this side maps it */
	size_t fi_map_len;
	uint64_t fi_token;

	/* binder */
	int b_fd;
	void *b_map;
	uint64_t b_free;	/* a received buffer to give back */
	int b_have_reply;
};

struct bench_mech {
	const char *name;
	unsigned int caps;
	size_t max_len;				/* 0: no limit up to 1 MiB */
	const char *(*available)(void);		/* NULL if usable, else why not */
	int (*setup)(struct bench_chan *ch);
	void (*teardown)(struct bench_chan *ch);
	int (*server_init)(struct bench_chan *ch);
	int (*serve)(struct bench_chan *ch);	/* one request, one reply */
	int (*client_init)(struct bench_chan *ch);
	int (*call)(struct bench_chan *ch);	/* one round trip */
	int (*send)(struct bench_chan *ch);	/* streaming: one message */
	int (*recv)(struct bench_chan *ch);	/* streaming: one message */
	/* multi-client */
	int (*mc_setup)(struct bench_chan *ch);
	void (*mc_teardown)(struct bench_chan *ch);
	int (*mc_server_init)(struct bench_chan *ch);	/* in the server process */
	void *(*mc_server_thread)(void *ch);		/* never returns */
	int (*mc_client_init)(struct bench_chan *ch);
	int (*mc_call)(struct bench_chan *ch);
};

/* The peers; each file defines its own. */
extern const struct bench_mech mech_fastipc, mech_fastipc_zc, mech_fastipc_zc_touch;
extern const struct bench_mech mech_fastipc_spin;
extern const struct bench_mech mech_pipe, mech_unix_stream, mech_unix_seqpacket;
extern const struct bench_mech mech_sysv, mech_posix_mq, mech_futex, mech_eventfd;
extern const struct bench_mech mech_spin, mech_binder;

/* Helpers shared by the peers (fastipc_bench.c). */
int bench_read_full(int fd, void *buf, size_t len);
int bench_write_full(int fd, const void *buf, size_t len);
void *bench_shm(size_t len);
int bench_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bench_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t bench_touch(const void *buf, size_t len);
extern int bench_ncpus;
int bench_fastipc_nb_pair(struct bench_chan *ch);	/* a floor: send + recv, 8 B */

#endif
