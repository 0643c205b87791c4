// SPDX-License-Identifier: GPL-2.0
/*
 * The classic peers: pipe, UNIX stream and seqpacket sockets, System V and
 * POSIX message queues, futex and eventfd over shared memory, and
 * shared-memory spinning.  Each is written the way a careful user would:
 * one channel per direction, whole messages, buffers sized for the largest
 * message, no extra copies and no extra system calls.
 *
 * Shared-memory peers (futex, eventfd, spin): the sender copies its message
 * into the shared slot (one copy, as a kernel copy path makes one), the
 * receiver reads it in place.  A 31-bit sequence number per direction says
 * a new message is there; futex waiters set bit 31 so a sender makes the
 * FUTEX_WAKE system call only when someone sleeps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <mqueue.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

#define PIPE_STREAM_SIZE	(1 << 20)	/* anchors §7.2: pipes resized to 1 MiB */
#define SOCK_BUF_SIZE		(4 << 20)	/* and socket buffers to 4 MiB */

/* ---------------------------------------------------------------- pipe --- */

/* fd[0], fd[1]: client -> server; fd[2], fd[3]: server -> client. */
static int pipe_size_for(const struct bench_chan *ch)
{
	size_t want = ch->stream ? PIPE_STREAM_SIZE : 65536;

	while (want < ch->max_len)
		want <<= 1;
	return (int)want;
}

static int pipe_setup(struct bench_chan *ch)
{
	int size = pipe_size_for(ch);

	if (pipe2(ch->fd, O_CLOEXEC) || pipe2(ch->fd + 2, O_CLOEXEC))
		return bench_err("pipe2: %s", strerror(errno));
	if (size != 65536 && (fcntl(ch->fd[1], F_SETPIPE_SZ, size) < 0 ||
			      fcntl(ch->fd[3], F_SETPIPE_SZ, size) < 0))
		return bench_err("F_SETPIPE_SZ %d: %s", size, strerror(errno));
	return 0;
}

static void close_fds(struct bench_chan *ch)
{
	for (int i = 0; i < 4; i++)
		if (ch->fd[i] > 0)
			close(ch->fd[i]);
}

static int pipe_call(struct bench_chan *ch)
{
	if (bench_write_full(ch->fd[1], ch->sbuf, ch->req_len))
		return -1;
	return bench_read_full(ch->fd[2], ch->rbuf, ch->rep_len);
}

static int pipe_serve(struct bench_chan *ch)
{
	if (bench_read_full(ch->fd[0], ch->rbuf, ch->req_len))
		return -1;
	return bench_write_full(ch->fd[3], ch->sbuf, ch->rep_len);
}

static int pipe_send(struct bench_chan *ch)
{
	return bench_write_full(ch->fd[1], ch->sbuf, ch->req_len);
}

static int pipe_recv(struct bench_chan *ch)
{
	return bench_read_full(ch->fd[0], ch->rbuf, ch->req_len);
}

/*
 * Many clients: one request pipe shared by all (requests are at most
 * PIPE_BUF bytes, so each write and each read is one whole request, and
 * pipe readers wait exclusively: one wakes per request), one reply pipe per
 * client.  The request's first word names the client.
 */
static int pipe_mc_setup(struct bench_chan *ch)
{
	if (ch->req_len > 4096 || ch->req_len < sizeof(uint32_t))
		return bench_err("pipe requests must be 4..PIPE_BUF bytes");
	if (pipe2(ch->fd, O_CLOEXEC))
		return bench_err("pipe2: %s", strerror(errno));
	for (int i = 0; i < ch->nclients; i++)
		if (pipe2(ch->cfd + 2 * i, O_CLOEXEC))
			return bench_err("pipe2: %s", strerror(errno));
	return 0;
}

static void pipe_mc_teardown(struct bench_chan *ch)
{
	close(ch->fd[0]);
	close(ch->fd[1]);
	for (int i = 0; i < 2 * ch->nclients; i++)
		close(ch->cfd[i]);
}

static void *pipe_mc_server_thread(void *arg)
{
	struct bench_chan *ch = arg;
	unsigned char *req = malloc(ch->req_len), *rep = calloc(1, ch->rep_len);
	uint32_t id;

	for (;;) {
		if (bench_read_full(ch->fd[0], req, ch->req_len))
			break;
		memcpy(&id, req, sizeof(id));
		if (id >= (uint32_t)ch->nclients ||
		    bench_write_full(ch->cfd[2 * id + 1], rep, ch->rep_len))
			break;
	}
	abort();	/* the server must never stop while measured */
}

static int pipe_mc_call(struct bench_chan *ch)
{
	uint32_t id = ch->client_id;

	memcpy(ch->sbuf, &id, sizeof(id));
	if (bench_write_full(ch->fd[1], ch->sbuf, ch->req_len))
		return -1;
	return bench_read_full(ch->cfd[2 * id], ch->rbuf, ch->rep_len);
}

const struct bench_mech mech_pipe = {
	.name = "pipe",
	.caps = CAP_RT | CAP_CALL | CAP_STREAM | CAP_MC | CAP_PAIRS,
	.setup = pipe_setup,
	.teardown = close_fds,
	.serve = pipe_serve,
	.call = pipe_call,
	.send = pipe_send,
	.recv = pipe_recv,
	.mc_setup = pipe_mc_setup,
	.mc_teardown = pipe_mc_teardown,
	.mc_server_thread = pipe_mc_server_thread,
	.mc_call = pipe_mc_call,
};

/* ------------------------------------------------------ UNIX sockets --- */

/* fd[0]: the client's end, fd[1]: the server's. */
static int unix_setup_type(struct bench_chan *ch, int type)
{
	int size = SOCK_BUF_SIZE;

	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, ch->fd))
		return bench_err("socketpair: %s", strerror(errno));
	while ((size_t)size < 2 * ch->max_len + 65536)
		size <<= 1;
	/* Large messages or streaming: deep buffers (root may exceed wmem_max). */
	if (ch->stream || ch->max_len > 32768 || type == SOCK_SEQPACKET) {
		for (int i = 0; i < 2; i++) {
			if (setsockopt(ch->fd[i], SOL_SOCKET, SO_SNDBUFFORCE, &size,
				       sizeof(size)) &&
			    setsockopt(ch->fd[i], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)))
				return bench_err("SO_SNDBUF: %s", strerror(errno));
			if (setsockopt(ch->fd[i], SOL_SOCKET, SO_RCVBUFFORCE, &size,
				       sizeof(size)) &&
			    setsockopt(ch->fd[i], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)))
				return bench_err("SO_RCVBUF: %s", strerror(errno));
		}
	}
	return 0;
}

static int unix_stream_setup(struct bench_chan *ch)
{
	return unix_setup_type(ch, SOCK_STREAM);
}

static int unix_stream_call(struct bench_chan *ch)
{
	if (bench_write_full(ch->fd[0], ch->sbuf, ch->req_len))
		return -1;
	return bench_read_full(ch->fd[0], ch->rbuf, ch->rep_len);
}

static int unix_stream_serve(struct bench_chan *ch)
{
	if (bench_read_full(ch->fd[1], ch->rbuf, ch->req_len))
		return -1;
	return bench_write_full(ch->fd[1], ch->sbuf, ch->rep_len);
}

static int unix_stream_send(struct bench_chan *ch)
{
	return bench_write_full(ch->fd[0], ch->sbuf, ch->req_len);
}

static int unix_stream_recv(struct bench_chan *ch)
{
	return bench_read_full(ch->fd[1], ch->rbuf, ch->req_len);
}

const struct bench_mech mech_unix_stream = {
	.name = "unix-stream",
	.caps = CAP_RT | CAP_CALL | CAP_STREAM,
	.setup = unix_stream_setup,
	.teardown = close_fds,
	.serve = unix_stream_serve,
	.call = unix_stream_call,
	.send = unix_stream_send,
	.recv = unix_stream_recv,
};

static int unix_seqpacket_setup(struct bench_chan *ch)
{
	return unix_setup_type(ch, SOCK_SEQPACKET);
}

static int seq_send(int fd, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = send(fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len)
		return bench_err("send %zu: %s", len, n < 0 ? strerror(errno) : "short");
	return 0;
}

static int seq_recv(int fd, void *buf, size_t cap, size_t want)
{
	ssize_t n;

	do
		n = recv(fd, buf, cap, 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)want)
		return bench_err("recv: %s", n < 0 ? strerror(errno) : "wrong length");
	return 0;
}

static int unix_seqpacket_call(struct bench_chan *ch)
{
	if (seq_send(ch->fd[0], ch->sbuf, ch->req_len))
		return -1;
	return seq_recv(ch->fd[0], ch->rbuf, ch->max_len, ch->rep_len);
}

static int unix_seqpacket_serve(struct bench_chan *ch)
{
	if (seq_recv(ch->fd[1], ch->rbuf, ch->max_len, ch->req_len))
		return -1;
	return seq_send(ch->fd[1], ch->sbuf, ch->rep_len);
}

static int unix_seqpacket_send(struct bench_chan *ch)
{
	return seq_send(ch->fd[0], ch->sbuf, ch->req_len);
}

static int unix_seqpacket_recv(struct bench_chan *ch)
{
	return seq_recv(ch->fd[1], ch->rbuf, ch->max_len, ch->req_len);
}

const struct bench_mech mech_unix_seqpacket = {
	.name = "unix-seqpacket",
	.caps = CAP_RT | CAP_CALL | CAP_STREAM,
	.setup = unix_seqpacket_setup,
	.teardown = close_fds,
	.serve = unix_seqpacket_serve,
	.call = unix_seqpacket_call,
	.send = unix_seqpacket_send,
	.recv = unix_seqpacket_recv,
};

/* ------------------------------------------------ System V msg queues --- */

/*
 * qid[0]: requests, qid[1]: replies.  The harness raises msgmax/msgmnb (as
 * root) so that messages up to 1 MiB fit.  Messages carry a long mtype before
 * the payload, so this peer allocates its own buffers.
 */
struct sysv_msg {
	long mtype;
	unsigned char data[];
};

static int sysv_setup(struct bench_chan *ch)
{
	ch->qid[0] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ch->qid[1] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (ch->qid[0] < 0 || ch->qid[1] < 0)
		return bench_err("msgget: %s", strerror(errno));
	return 0;
}

static void sysv_teardown(struct bench_chan *ch)
{
	for (int i = 0; i < 2; i++)
		if (ch->qid[i] >= 0)
			msgctl(ch->qid[i], IPC_RMID, NULL);
}

static int sysv_bufs(struct bench_chan *ch)
{
	struct sysv_msg *s = malloc(sizeof(*s) + ch->max_len);
	struct sysv_msg *r = malloc(sizeof(*r) + ch->max_len);

	if (!s || !r)
		return bench_err("out of memory");
	memset(s, 0x5a, sizeof(*s) + ch->max_len);
	memset(r, 0, sizeof(*r) + ch->max_len);
	s->mtype = 1;
	ch->sbuf = (unsigned char *)s;
	ch->rbuf = (unsigned char *)r;
	return 0;
}

static int sysv_snd(int q, struct sysv_msg *m, size_t len)
{
	while (msgsnd(q, m, len, 0)) {
		if (errno != EINTR)
			return bench_err("msgsnd %zu: %s", len, strerror(errno));
	}
	return 0;
}

static int sysv_rcv(int q, struct sysv_msg *m, size_t cap, long type, size_t want)
{
	ssize_t n;

	do
		n = msgrcv(q, m, cap, type, 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)want)
		return bench_err("msgrcv: %s", n < 0 ? strerror(errno) : "wrong length");
	return 0;
}

static int sysv_call(struct bench_chan *ch)
{
	if (sysv_snd(ch->qid[0], (struct sysv_msg *)ch->sbuf, ch->req_len))
		return -1;
	return sysv_rcv(ch->qid[1], (struct sysv_msg *)ch->rbuf, ch->max_len, 0, ch->rep_len);
}

static int sysv_serve(struct bench_chan *ch)
{
	if (sysv_rcv(ch->qid[0], (struct sysv_msg *)ch->rbuf, ch->max_len, 0, ch->req_len))
		return -1;
	return sysv_snd(ch->qid[1], (struct sysv_msg *)ch->sbuf, ch->rep_len);
}

static int sysv_send(struct bench_chan *ch)
{
	return sysv_snd(ch->qid[0], (struct sysv_msg *)ch->sbuf, ch->req_len);
}

static int sysv_recv(struct bench_chan *ch)
{
	return sysv_rcv(ch->qid[0], (struct sysv_msg *)ch->rbuf, ch->max_len, 0, ch->req_len);
}

/*
 * Many clients, the classic System V server: one request queue read by every
 * server thread, one reply queue where each client takes the replies whose
 * mtype is its id + 1.
 */
static void *sysv_mc_server_thread(void *arg)
{
	struct bench_chan *ch = arg;
	struct sysv_msg *req = malloc(sizeof(*req) + ch->req_len);
	struct sysv_msg *rep = calloc(1, sizeof(*rep) + ch->rep_len);
	uint32_t id;

	for (;;) {
		if (sysv_rcv(ch->qid[0], req, ch->req_len, 0, ch->req_len))
			break;
		memcpy(&id, req->data, sizeof(id));
		rep->mtype = (long)id + 1;
		if (sysv_snd(ch->qid[1], rep, ch->rep_len))
			break;
	}
	abort();
}

static int sysv_mc_call(struct bench_chan *ch)
{
	struct sysv_msg *s = (struct sysv_msg *)ch->sbuf;
	uint32_t id = ch->client_id;

	memcpy(s->data, &id, sizeof(id));
	if (sysv_snd(ch->qid[0], s, ch->req_len))
		return -1;
	return sysv_rcv(ch->qid[1], (struct sysv_msg *)ch->rbuf, ch->max_len,
			(long)id + 1, ch->rep_len);
}

const struct bench_mech mech_sysv = {
	.name = "sysv-msg",
	.caps = CAP_RT | CAP_CALL | CAP_STREAM | CAP_MC,
	.setup = sysv_setup,
	.teardown = sysv_teardown,
	.server_init = sysv_bufs,
	.serve = sysv_serve,
	.client_init = sysv_bufs,
	.call = sysv_call,
	.send = sysv_send,
	.recv = sysv_recv,
	.mc_setup = sysv_setup,
	.mc_teardown = sysv_teardown,
	.mc_client_init = sysv_bufs,
	.mc_call = sysv_mc_call,
	.mc_server_thread = sysv_mc_server_thread,
};

/* -------------------------------------------------- POSIX msg queues --- */

/* fd[0]: requests, fd[1]: replies; unlinked at once, the fds stay. */
static int mq_setup(struct bench_chan *ch)
{
	static int serial;
	struct mq_attr attr = {
		.mq_maxmsg = ch->stream ? 64 : 10,
		.mq_msgsize = ch->max_len,
	};

	for (int i = 0; i < 2; i++) {
		snprintf(ch->name[i], sizeof(ch->name[i]), "/fastipc-bench-%d-%d-%d",
			 getpid(), serial++, i);
		ch->fd[i] = mq_open(ch->name[i], O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
				    0600, &attr);
		if (ch->fd[i] < 0 && errno == EINVAL && attr.mq_maxmsg > 10) {
			attr.mq_maxmsg = 10;	/* the default fs.mqueue.msg_max */
			ch->fd[i] = mq_open(ch->name[i],
					    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
		}
		if (ch->fd[i] < 0)
			return bench_err("mq_open (msgsize %zu): %s", ch->max_len,
					 strerror(errno));
		mq_unlink(ch->name[i]);
	}
	return 0;
}

static void mq_teardown(struct bench_chan *ch)
{
	for (int i = 0; i < 2; i++)
		if (ch->fd[i] > 0)
			close(ch->fd[i]);
}

static int mq_snd(int q, const void *buf, size_t len)
{
	while (mq_send(q, buf, len, 0)) {
		if (errno != EINTR)
			return bench_err("mq_send %zu: %s", len, strerror(errno));
	}
	return 0;
}

static int mq_rcv(int q, void *buf, size_t cap, size_t want)
{
	ssize_t n;

	do
		n = mq_receive(q, buf, cap, NULL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)want)
		return bench_err("mq_receive: %s", n < 0 ? strerror(errno) : "wrong length");
	return 0;
}

static int mq_call(struct bench_chan *ch)
{
	if (mq_snd(ch->fd[0], ch->sbuf, ch->req_len))
		return -1;
	return mq_rcv(ch->fd[1], ch->rbuf, ch->max_len, ch->rep_len);
}

static int mq_serve(struct bench_chan *ch)
{
	if (mq_rcv(ch->fd[0], ch->rbuf, ch->max_len, ch->req_len))
		return -1;
	return mq_snd(ch->fd[1], ch->sbuf, ch->rep_len);
}

static int mq_stream_send(struct bench_chan *ch)
{
	return mq_snd(ch->fd[0], ch->sbuf, ch->req_len);
}

static int mq_stream_recv(struct bench_chan *ch)
{
	return mq_rcv(ch->fd[0], ch->rbuf, ch->max_len, ch->req_len);
}

const struct bench_mech mech_posix_mq = {
	.name = "posix-mq",
	.caps = CAP_RT | CAP_CALL | CAP_STREAM,
	.setup = mq_setup,
	.teardown = mq_teardown,
	.serve = mq_serve,
	.call = mq_call,
	.send = mq_stream_send,
	.recv = mq_stream_recv,
};

/* ------------------------------------------ shared-memory channels --- */

#define SEQ_WAITER	0x80000000u
#define SEQ_MASK	0x7fffffffu

struct shm_chan {
	_Atomic uint32_t req;		/* client -> server sequence */
	char pad0[60];
	_Atomic uint32_t rep;		/* server -> client sequence */
	char pad1[60];
	unsigned char data[];		/* request slot, then reply slot */
};

static size_t shm_slot(const struct bench_chan *ch)
{
	return (ch->max_len + 63) & ~(size_t)63;
}

static unsigned char *shm_req(const struct bench_chan *ch)
{
	return ((struct shm_chan *)ch->shm)->data;
}

static unsigned char *shm_rep(const struct bench_chan *ch)
{
	return ((struct shm_chan *)ch->shm)->data + shm_slot(ch);
}

static int shm_setup(struct bench_chan *ch)
{
	ch->shm_len = sizeof(struct shm_chan) + 2 * shm_slot(ch);
	ch->shm = bench_shm(ch->shm_len);
	if (!ch->shm)
		return bench_err("mmap: %s", strerror(errno));
	ch->seq = 0;
	return 0;
}

static void shm_teardown(struct bench_chan *ch)
{
	munmap(ch->shm, ch->shm_len);
	close_fds(ch);
}

static uint32_t seq_next(uint32_t s)
{
	return (s + 1) & SEQ_MASK;
}

/* futex: a shared (not private) futex word, since the peers are processes. */
static long sys_futex(_Atomic uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static void futex_signal(_Atomic uint32_t *word, uint32_t seq)
{
	/* The exchange orders the payload before the sequence number. */
	if (atomic_exchange(word, seq) & SEQ_WAITER)
		sys_futex(word, FUTEX_WAKE, 1);
}

static int futex_await(_Atomic uint32_t *word, uint32_t seq)
{
	uint32_t v;

	for (;;) {
		v = atomic_load_explicit(word, memory_order_acquire);
		if ((v & SEQ_MASK) == seq)
			return 0;
		if (!(v & SEQ_WAITER)) {
			if (!atomic_compare_exchange_strong(word, &v, v | SEQ_WAITER))
				continue;
			v |= SEQ_WAITER;
		}
		if (sys_futex(word, FUTEX_WAIT, v) && errno != EAGAIN && errno != EINTR)
			return bench_err("FUTEX_WAIT: %s", strerror(errno));
	}
}

static int futex_call(struct bench_chan *ch)
{
	struct shm_chan *s = ch->shm;

	ch->seq = seq_next(ch->seq);
	memcpy(shm_req(ch), ch->sbuf, ch->req_len);
	futex_signal(&s->req, ch->seq);
	return futex_await(&s->rep, ch->seq);
}

static int futex_serve(struct bench_chan *ch)
{
	struct shm_chan *s = ch->shm;

	ch->seq = seq_next(ch->seq);
	if (futex_await(&s->req, ch->seq))
		return -1;
	memcpy(shm_rep(ch), ch->sbuf, ch->rep_len);
	futex_signal(&s->rep, ch->seq);
	return 0;
}

const struct bench_mech mech_futex = {
	.name = "futex",
	.caps = CAP_RT | CAP_CALL,
	.setup = shm_setup,
	.teardown = shm_teardown,
	.serve = futex_serve,
	.call = futex_call,
};

/* eventfd: one per direction (fd[0] to the server, fd[1] back). */
static int eventfd_setup(struct bench_chan *ch)
{
	if (shm_setup(ch))
		return -1;
	ch->fd[0] = eventfd(0, EFD_CLOEXEC);
	ch->fd[1] = eventfd(0, EFD_CLOEXEC);
	if (ch->fd[0] < 0 || ch->fd[1] < 0)
		return bench_err("eventfd: %s", strerror(errno));
	return 0;
}

static int efd_post(int fd)
{
	uint64_t one = 1;

	return bench_write_full(fd, &one, sizeof(one));
}

static int efd_take(int fd)
{
	uint64_t v;

	return bench_read_full(fd, &v, sizeof(v));
}

static int eventfd_call(struct bench_chan *ch)
{
	memcpy(shm_req(ch), ch->sbuf, ch->req_len);
	if (efd_post(ch->fd[0]))
		return -1;
	return efd_take(ch->fd[1]);
}

static int eventfd_serve(struct bench_chan *ch)
{
	if (efd_take(ch->fd[0]))
		return -1;
	memcpy(shm_rep(ch), ch->sbuf, ch->rep_len);
	return efd_post(ch->fd[1]);
}

const struct bench_mech mech_eventfd = {
	.name = "eventfd",
	.caps = CAP_RT | CAP_CALL,
	.setup = eventfd_setup,
	.teardown = shm_teardown,
	.serve = eventfd_serve,
	.call = eventfd_call,
};

/*
 * spin: poll the sequence number with PAUSE; after a long fruitless spin,
 * yield the CPU (so that an unpinned pair that landed on one CPU still makes
 * progress).  Polling, not blocking: reported apart from the blocking peers.
 */
#define SPIN_YIELD_AFTER	4096

static void spin_await(_Atomic uint32_t *word, uint32_t seq)
{
	unsigned int n = 0;

	while (atomic_load_explicit(word, memory_order_acquire) != seq) {
		__builtin_ia32_pause();
		if (++n % SPIN_YIELD_AFTER == 0)
			sched_yield();
	}
}

static int spin_call(struct bench_chan *ch)
{
	struct shm_chan *s = ch->shm;

	ch->seq = seq_next(ch->seq);
	memcpy(shm_req(ch), ch->sbuf, ch->req_len);
	atomic_store_explicit(&s->req, ch->seq, memory_order_release);
	spin_await(&s->rep, ch->seq);
	return 0;
}

static int spin_serve(struct bench_chan *ch)
{
	struct shm_chan *s = ch->shm;

	ch->seq = seq_next(ch->seq);
	spin_await(&s->req, ch->seq);
	memcpy(shm_rep(ch), ch->sbuf, ch->rep_len);
	atomic_store_explicit(&s->rep, ch->seq, memory_order_release);
	return 0;
}

const struct bench_mech mech_spin = {
	.name = "spin",
	.caps = CAP_RT | CAP_NO_SAME,
	.setup = shm_setup,
	.teardown = shm_teardown,
	.serve = spin_serve,
	.call = spin_call,
};
