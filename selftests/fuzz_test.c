// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded-time fuzzer for /dev/fastipc.  Several processes (some of them
 * other users), each with several threads, drive random but mostly
 * well-formed sequences of every ioctl on random fds from a per-process
 * pool: contexts, endpoints and connections, fds closed under them, dup()ed,
 * passed between processes with SCM_RIGHTS, and fds of other kinds (pipe,
 * eventfd, memfd, epoll, /dev/null).  Struct sizes shorter and longer than
 * the kernel knows, unknown ioctls, random flags, types, lengths, tokens and
 * timeouts; pointers that are NULL, unmapped, misaligned, kernel addresses,
 * read-only, straddling a guard page, or inside fastipc's own buffer
 * mappings.  Buffers are created, mapped on both sides, touched, unmapped
 * in part and in whole, mprotect()ed, mremap()ed, madvise()d; processes
 * fork in the middle of all this, and signal each other (SIGUSR1, no-op
 * handler, no SA_RESTART), so every wait also ends with EINTR.  Meanwhile
 * the main process changes the module's limits now and then.
 *
 * No wait can last: timeouts are short, and the rare infinite one is ended
 * by a per-thread timer.  A watchdog kills a worker whose thread makes no
 * progress for STUCK_SECONDS (printing where its threads are in the kernel)
 * and fails the run.  The run also fails if a
 * worker dies of a signal (it touches only mappings it knows are whole), if
 * an ioctl on a fastipc fd returns an errno its documentation does not
 * list, if a buffer mapping can be split, grown or made executable, if the
 * module's reference count does not come back once everything is closed,
 * or if the module is not fully usable afterwards.  Kernel splats are the
 * VM's to catch (the console scan of scripts/vm.sh).
 *
 * FASTIPC_FUZZ_SECONDS	how long (default 20)
 * FASTIPC_FUZZ_SEED	the seed (default: from the clock); printed first
 * FASTIPC_FUZZ_PROCS	worker processes (default 4)
 * FASTIPC_FUZZ_THREADS	threads per worker (default 3)
 * FASTIPC_FUZZ_STEPS	stop each thread after this many steps (default: none)
 * FASTIPC_FUZZ_VERBOSE	1: log every step; 2: the ioctl structs too
 *
 * Every step draws its choices from a generator seeded by (seed, worker,
 * thread, step), so with one process and one thread the same seed replays
 * the same sequence of operations; the digest printed at the end tells.
 *
 * After the fuzzer, the "found" tests: what it found, made deterministic.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fastipc.h"
#include "fastipc_test.h"
#include "kselftest_harness.h"

#define MS		1000000ULL
#define SEC		1000000000ULL
#define STUCK_SECONDS	30
#define MAX_PROCS	16
#define MAX_THREADS	8
#define NFD		48	/* fd slots per process */
#define NMAP		16	/* mapping slots per process */
#define NRING		16	/* tokens, cookies, connection ids remembered */
#define NNAMES		12	/* endpoint names, shared by every worker */
#define CHILD_STEPS	40	/* a forked child's life */
#define MAX_CHILDREN	2	/* alive at once per worker */

#define ARENA		(2 << 20)	/* per thread: structs, names, payloads */
#define ARENA_STRUCT	0		/* the ioctl structs go here */
#define ARENA_NAMES	(64 << 10)	/* name strings */
#define ARENA_DATA	(128 << 10)	/* payloads */
#define GUARD		(64 << 10)	/* PROT_NONE after each arena */
#define RO_SIZE		(256 << 10)	/* a read-only region per process */
#define NONE_SIZE	(64 << 10)	/* a PROT_NONE region per process */

#define NR_KNOWN	0x0e	/* fastipc ioctls are 0x00..0x0d */
#define IDX_UNKNOWN	NR_KNOWN	/* fastipc magic, unknown number */
#define IDX_FOREIGN	(NR_KNOWN + 1)	/* another driver's or the VFS's */
#define NR_IDX		(NR_KNOWN + 2)
#define NR_ERRNO	134

enum kind { K_NONE, K_CTX, K_EP, K_CONN, K_OTHER, K_STALE, NR_KINDS };
#define KB(k)		(1u << (k))
#define K_FASTIPC	(KB(K_CTX) | KB(K_EP) | KB(K_CONN))

enum action {
	A_IOCTL, A_CHAOS, A_OPEN, A_CLOSE, A_DUP, A_FCNTL, A_PASS, A_MMAP, A_MUNMAP,
	A_MPROTECT, A_MREMAP, A_MADVISE, A_TOUCH, A_POLL, A_RW, A_SIGNAL, A_FORK,
	A_YIELD, NR_ACTIONS
};

static const char *const action_names[NR_ACTIONS] = {
	"ioctl", "ioctl-chaos", "open", "close", "dup", "fcntl", "scm_rights", "mmap",
	"munmap", "mprotect", "mremap", "madvise", "touch", "poll", "read/write",
	"signal", "fork", "yield",
};

/* --- what every process shares with the main one --------------------------- */

struct heartbeat {
	_Atomic uint64_t ns;	/* when the current step began; 0: not running */
	uint64_t step;
	char what[64];
};

struct shared {
	_Atomic uint64_t ioc[NR_IDX][NR_ERRNO];	/* [ioctl][errno], 0 = success */
	_Atomic uint64_t mmap_errno[NR_ERRNO];
	_Atomic uint64_t act[NR_ACTIONS];
	_Atomic uint64_t steps;
	_Atomic uint64_t digest;
	pid_t pids[MAX_PROCS];
	struct heartbeat hb[MAX_PROCS][MAX_THREADS];
	_Atomic int nproblems;
	char problems[16][200];
	_Atomic int fault_signo;
	char fault[200];
};

static struct shared *sh;

/* Settings, the same in every process. */
static uint64_t seed;
static int nprocs, nthreads;
static uint64_t max_steps, deadline;
static int verbose;
static int bus[2];	/* SOCK_DGRAM pair every process passes fds through */

struct ioc_desc {
	const char *name;
	unsigned long cmd;
	unsigned int kinds;	/* which fds it belongs on */
	const int *errnos;	/* what it may give there, besides the common ones */
};

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void problem(const char *fmt, ...)
{
	int i = atomic_fetch_add(&sh->nproblems, 1);
	va_list ap;

	if (i >= 16)
		return;
	va_start(ap, fmt);
	vsnprintf(sh->problems[i], sizeof(sh->problems[i]), fmt, ap);
	va_end(ap);
}

/* --- randomness ------------------------------------------------------------ */

struct rng {
	uint64_t s;
};

static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t r64(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix(r->s);
}

static uint32_t rnd(struct rng *r, uint32_t n)
{
	return n ? r64(r) % n : 0;
}

static bool chance(struct rng *r, unsigned int percent)
{
	return rnd(r, 100) < percent;
}

/* --- per process ------------------------------------------------------------ */

struct fd_slot {
	int fd;
	enum kind kind;
	bool owned;		/* ours to close; else a stale number, never closed */
	unsigned int gen;	/* bumped when the slot's fd changes */
};

struct map_slot {
	char *addr;
	size_t len;
	int prot;
	bool used;
	bool dontfork;
};

static struct proc {
	int w;			/* worker index */
	int child;		/* 0, or which forked child of the worker this is */
	pthread_mutex_t fd_lock, map_lock, ring_lock;
	struct fd_slot fds[NFD];
	struct map_slot maps[NMAP];
	uint64_t tokens[NRING], cookies[NRING], conn_ids[NRING], buf_sizes[NRING];
	unsigned int ntokens, ncookies, nconn_ids, nbuf_sizes;
	uint64_t buf_conn[NRING], buf_size[NRING];	/* buffers seen: (conn_id, size) */
	unsigned int nbufs;
	pid_t tids[MAX_THREADS];
	pthread_mutex_t kids_lock;
	pid_t kids[MAX_CHILDREN];	/* forked children alive */
	char *ro, *none;
	long page;
} P;

struct thr {
	int t;
	char *arena;
	timer_t timer;
	bool have_timer;
	bool need_timer;
	uint64_t step;
	struct heartbeat *hb;
	struct rng r;
	int last_nr;
	/* A persistent endpoint's name, where no other thread writes. */
	char pname[16];
};

static void ring_put(uint64_t *ring, unsigned int *n, uint64_t v)
{
	pthread_mutex_lock(&P.ring_lock);
	ring[(*n)++ % NRING] = v;
	pthread_mutex_unlock(&P.ring_lock);
}

static uint64_t ring_get(struct rng *r, uint64_t *ring, unsigned int *n)
{
	uint64_t v = 0;

	pthread_mutex_lock(&P.ring_lock);
	if (*n)
		v = ring[rnd(r, *n < NRING ? *n : NRING)];
	pthread_mutex_unlock(&P.ring_lock);
	return v;
}

static void buf_put(uint64_t conn_id, uint64_t size)
{
	pthread_mutex_lock(&P.ring_lock);
	P.buf_conn[P.nbufs % NRING] = conn_id;
	P.buf_size[P.nbufs++ % NRING] = size;
	pthread_mutex_unlock(&P.ring_lock);
}

/* A buffer seen: @conn_id's if known, else any; false if none. */
static bool buf_get(struct rng *r, uint64_t *conn_id, uint64_t *size)
{
	unsigned int n, i, k = 0;
	bool found = false;

	pthread_mutex_lock(&P.ring_lock);
	n = P.nbufs < NRING ? P.nbufs : NRING;
	if (n) {
		k = rnd(r, n);
		for (i = 0; i < n && *conn_id; i++)
			if (P.buf_conn[i] == *conn_id)
				k = i;
		*conn_id = P.buf_conn[k];
		*size = P.buf_size[k];
		found = true;
	}
	pthread_mutex_unlock(&P.ring_lock);
	return found;
}

/* --- the fd pool -------------------------------------------------------------- */

struct pick {
	int fd;
	enum kind kind;
	int slot;
	unsigned int gen;
};

/* A slot of one of @kinds (any slot if there is none), or fd -1. */
static struct pick pick_fd(struct rng *r, unsigned int kinds)
{
	struct pick p = { .fd = -1, .kind = K_NONE, .slot = -1 };
	int idx[NFD], n = 0, i;

	pthread_mutex_lock(&P.fd_lock);
	for (i = 0; i < NFD; i++)
		if (P.fds[i].kind != K_NONE && (KB(P.fds[i].kind) & kinds))
			idx[n++] = i;
	if (!n)
		for (i = 0; i < NFD; i++)
			if (P.fds[i].kind != K_NONE)
				idx[n++] = i;
	if (n) {
		i = idx[rnd(r, n)];
		p = (struct pick){ P.fds[i].fd, P.fds[i].kind, i, P.fds[i].gen };
	}
	pthread_mutex_unlock(&P.fd_lock);
	return p;
}

/* Is the slot still what was picked (the same open fd)? */
static bool pick_valid(const struct pick *p)
{
	bool same;

	if (p->slot < 0)
		return false;
	pthread_mutex_lock(&P.fd_lock);
	same = P.fds[p->slot].gen == p->gen && P.fds[p->slot].owned;
	pthread_mutex_unlock(&P.fd_lock);
	return same;
}

static void slot_close_locked(struct fd_slot *s)
{
	if (s->owned)
		close(s->fd);
	s->owned = false;
	s->kind = s->fd >= 0 ? K_STALE : K_NONE;
	s->gen++;
}

/* Take ownership of @fd: a free slot, else a stale one, else close one. */
static void pool_add(struct rng *r, int fd, enum kind kind)
{
	int i, victim = -1;

	if (fd < 0)
		return;
	pthread_mutex_lock(&P.fd_lock);
	for (i = 0; i < NFD && victim < 0; i++)
		if (P.fds[i].kind == K_NONE)
			victim = i;
	for (i = 0; i < NFD && victim < 0; i++)
		if (!P.fds[i].owned)
			victim = i;
	if (victim < 0) {
		victim = rnd(r, NFD);
		slot_close_locked(&P.fds[victim]);
	}
	P.fds[victim] = (struct fd_slot){ fd, kind, true, P.fds[victim].gen + 1 };
	pthread_mutex_unlock(&P.fd_lock);
}

/* What an fd we were given is, by its /proc/self/fd link. */
static enum kind fd_kind(int fd)
{
	char path[64], link[128];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0)
		return K_OTHER;
	link[len] = '\0';
	if (strstr(link, "fastipc-endpoint"))
		return K_EP;
	if (strstr(link, "fastipc-connection"))
		return K_CONN;
	if (!strcmp(link, FASTIPC_DEVICE_PATH))
		return K_CTX;
	return K_OTHER;
}

/* --- arguments ------------------------------------------------------------------ */

static const uint64_t kernel_ptrs[] = {
	0xffff888000000000ULL, 0xffffffff81000000ULL, 0xffffffffffffffffULL,
	0x8000000000000000ULL, 0xffffc90000000000ULL, 0xffffea0000000000ULL,
};

/* A pointer for @len bytes the kernel will read or write. */
static uint64_t rptr(struct thr *th, struct rng *r, size_t len)
{
	char *data = th->arena + ARENA_DATA;
	unsigned int i;

	switch (rnd(r, 100)) {
	case 0 ... 59:
		return (uintptr_t)(data + rnd(r, 4096));
	case 60 ... 64:
		return 0;
	case 65 ... 69:
		return (uintptr_t)(P.none + rnd(r, NONE_SIZE));
	case 70 ... 74:
		return (uintptr_t)(data + 1 + rnd(r, 7));
	case 75 ... 79:
		return kernel_ptrs[rnd(r, sizeof(kernel_ptrs) / sizeof(kernel_ptrs[0]))] -
		       rnd(r, 2) * rnd(r, 1 << 20);
	case 80 ... 84:
		return (uintptr_t)(P.ro + rnd(r, RO_SIZE));
	case 85 ... 89:
		/* One of fastipc's own buffer mappings (maybe gone by then). */
		pthread_mutex_lock(&P.map_lock);
		for (i = rnd(r, NMAP); i < NMAP; i++) {
			if (P.maps[i].used) {
				uint64_t p = (uintptr_t)P.maps[i].addr + rnd(r, P.maps[i].len);

				pthread_mutex_unlock(&P.map_lock);
				return p;
			}
		}
		pthread_mutex_unlock(&P.map_lock);
		return (uintptr_t)data;
	case 90 ... 94:
		/* Straddling the guard page after the arena. */
		return (uintptr_t)(th->arena + ARENA - rnd(r, 64) - (len < 64 ? len : 0));
	default:
		return 0xdead000000000000ULL | (r64(r) & 0xffffffffffffULL);
	}
}

static uint32_t rlen(struct rng *r)
{
	static const uint32_t lens[] = {
		0, 1, 8, 64, 255, 256, 257, 1000, 4096, 4097, 16383, 16384, 16385,
		65536, 262144, 1 << 20, (1 << 20) + 1, 2 << 20, 0xffffffff,
	};

	if (chance(r, 20))
		return rnd(r, 70000);
	return lens[rnd(r, sizeof(lens) / sizeof(lens[0]))];
}

static int64_t rtype(struct rng *r)
{
	switch (rnd(r, 10)) {
	case 0 ... 3:
		return 0;
	case 4 ... 6:
		return 1 + rnd(r, 5);
	case 7:
		return -(int64_t)rnd(r, 6);
	case 8:
		return rnd(r, 2) ? INT64_MIN : INT64_MAX;
	default:
		return (int64_t)r64(r);
	}
}

static uint32_t rflags(struct rng *r, uint32_t all)
{
	return chance(r, 85) ? (uint32_t)r64(r) & all : (uint32_t)r64(r);
}

static uint32_t rmode(struct rng *r)
{
	static const uint32_t modes[] = { 0600, 0666, 0644, 0, 0777, 0622 };

	if (chance(r, 10))
		return rnd(r, 2) ? rnd(r, 01000) : (uint32_t)r64(r);
	return modes[rnd(r, sizeof(modes) / sizeof(modes[0]))];
}

static uint32_t rid(struct rng *r)
{
	static const uint32_t ids[] = { 0, 1000, 1001, 65534, 0xffffffff };

	return chance(r, 10) ? (uint32_t)r64(r) : ids[rnd(r, sizeof(ids) / sizeof(ids[0]))];
}

/* The user address of an endpoint name, mostly one of the shared ones. */
static uint64_t rname(struct thr *th, struct rng *r)
{
	char *s = th->arena + ARENA_NAMES + rnd(r, 1024);

	switch (rnd(r, 100)) {
	case 0 ... 69:
		snprintf(s, 16, "fz.%u", rnd(r, NNAMES));
		return (uintptr_t)s;
	case 70 ... 74:
		return 0;
	case 75 ... 79:
		memset(s, 'a', 80);
		s[FASTIPC_NAME_MAX - 1 + rnd(r, 3)] = '\0';
		return (uintptr_t)s;
	case 80 ... 84:
		strcpy(s, rnd(r, 2) ? "bad name!" : "caf\xc3\xa9");
		return (uintptr_t)s;
	case 85 ... 89:
		s[0] = '\0';
		return (uintptr_t)s;
	case 90 ... 94:
		/* Unterminated, running into the guard page. */
		memcpy(th->arena + ARENA - 3, "fz.", 3);
		return (uintptr_t)(th->arena + ARENA - 3);
	default:
		return rptr(th, r, 16);
	}
}

/* A timeout; one that could wait long arms the thread's timer. */
static void rtimeout(struct thr *th, struct rng *r, struct fastipc_timeout *t)
{
	struct timespec now;

	memset(t, 0, sizeof(*t));
	switch (rnd(r, 100)) {
	case 0 ... 39:
		t->mode = FASTIPC_WAIT_NONE;
		break;
	case 40 ... 74:
		t->mode = FASTIPC_WAIT_RELATIVE;
		t->ns = rnd(r, 3 * MS);
		break;
	case 75 ... 79:
		t->mode = FASTIPC_WAIT_RELATIVE;
		break;
	case 80 ... 84:
		clock_gettime(CLOCK_MONOTONIC, &now);
		t->mode = FASTIPC_WAIT_ABSOLUTE;
		t->ns = now.tv_sec * SEC + now.tv_nsec + rnd(r, 3 * MS) - rnd(r, 2) * MS;
		break;
	case 85 ... 91:
		t->mode = FASTIPC_WAIT_INFINITE;
		th->need_timer = true;
		break;
	case 92 ... 94:
		t->mode = FASTIPC_WAIT_RELATIVE;
		t->ns = rnd(r, 2) ? UINT64_MAX : SEC + r64(r) % (100 * SEC);
		th->need_timer = true;
		break;
	default:
		t->mode = rnd(r, 2) ? 4 + rnd(r, 100) : FASTIPC_WAIT_NONE;
		t->ns = rnd(r, 2) ? r64(r) : 0;
		t->__reserved = rnd(r, 2);
		break;
	}
}

static uint64_t rtoken(struct rng *r)
{
	if (chance(r, 80))
		return ring_get(r, P.tokens, &P.ntokens);
	return rnd(r, 2) ? 0 : (rnd(r, 2) ? 1 + rnd(r, 5) : r64(r));
}

static uint64_t rcookie(struct rng *r)
{
	if (chance(r, 70))
		return ring_get(r, P.cookies, &P.ncookies);
	return rnd(r, 2) ? 0 : r64(r);
}

static uint64_t rbufsize(struct rng *r)
{
	static const unsigned int pages[] = { 1, 2, 4, 8, 16, 64, 256 };

	switch (rnd(r, 20)) {
	case 0:
		return 0;
	case 1:
		return P.page - 1 + rnd(r, 3) * 1;
	case 2:
		return rnd(r, 2) ? 1ULL << 40 : (17ULL << 20);
	default:
		return P.page * pages[rnd(r, sizeof(pages) / sizeof(pages[0]))];
	}
}

/* An offset in a connection buffer, for the *_BUFFER flags. */
static uint64_t roffset(struct rng *r)
{
	uint64_t size = ring_get(r, P.buf_sizes, &P.nbuf_sizes);

	if (chance(r, 80) && size)
		return rnd(r, size);
	return rnd(r, 2) ? r64(r) : P.page * rnd(r, 300);
}

/* --- the ioctls ---------------------------------------------------------------------- */

/* Documented errors (<linux/fastipc.h>), besides ENOTTY/EINVAL/EFAULT/E2BIG. */
static const int e_info[] = { 0 };
static const int e_create[] = { ENAMETOOLONG, ENOSPC, ENOMEM, EEXIST, EMFILE, 0 };
static const int e_connect[] = { ENAMETOOLONG, ENOENT, EAGAIN, ETIMEDOUT, EINTR, EACCES,
				 EBADF, EMFILE, ENOMEM, 0 };
static const int e_stat[] = { ENAMETOOLONG, ENOENT, 0 };
static const int e_set[] = { ENAMETOOLONG, ENOENT, EPERM, 0 };
static const int e_send[] = { EMSGSIZE, ENOMEM, ENOBUFS, EPIPE, EAGAIN, ETIMEDOUT, EINTR,
			      ENXIO, 0 };
static const int e_call[] = { EMSGSIZE, ENOMEM, ENOBUFS, EPIPE, EAGAIN, ETIMEDOUT, EINTR,
			      ENXIO, EBUSY, 0 };
static const int e_collect[] = { ENOENT, EAGAIN, ETIMEDOUT, EINTR, EPIPE, EMSGSIZE, 0 };
static const int e_recv[] = { EAGAIN, ETIMEDOUT, EINTR, EMSGSIZE, 0 };
static const int e_reply[] = { EMSGSIZE, ENOENT, ECANCELED, ENOMEM, ENXIO, 0 };
static const int e_buffer[] = { EEXIST, EDQUOT, ENOMEM, 0 };

static const struct ioc_desc iocs[NR_KNOWN] = {
	[0x00] = { "GET_INFO", FASTIPC_IOC_GET_INFO, KB(K_CTX), e_info },
	[0x01] = { "CREATE_ENDPOINT", FASTIPC_IOC_CREATE_ENDPOINT, KB(K_CTX), e_create },
	[0x02] = { "CONNECT", FASTIPC_IOC_CONNECT, KB(K_CTX) | KB(K_EP), e_connect },
	[0x03] = { "SEND", FASTIPC_IOC_SEND, KB(K_CONN), e_send },
	[0x04] = { "CALL", FASTIPC_IOC_CALL, KB(K_CONN), e_call },
	[0x05] = { "COLLECT", FASTIPC_IOC_COLLECT, KB(K_CONN), e_collect },
	[0x06] = { "RECV", FASTIPC_IOC_RECV, KB(K_EP), e_recv },
	[0x07] = { "REPLY", FASTIPC_IOC_REPLY, KB(K_EP), e_reply },
	[0x08] = { "REPLY_RECV", FASTIPC_IOC_REPLY_RECV, KB(K_EP), e_recv },
	[0x09] = { "OPEN_ENDPOINT", FASTIPC_IOC_OPEN_ENDPOINT, KB(K_CTX), e_connect },
	[0x0a] = { "STAT", FASTIPC_IOC_STAT, KB(K_CTX) | KB(K_EP), e_stat },
	[0x0b] = { "SET", FASTIPC_IOC_SET, KB(K_CTX) | KB(K_EP), e_set },
	[0x0c] = { "UNLINK", FASTIPC_IOC_UNLINK, KB(K_CTX), e_set },
	[0x0d] = { "BUFFER_CREATE", FASTIPC_IOC_BUFFER_CREATE, KB(K_CONN), e_buffer },
};

static bool documented(int nr, int err)
{
	const int *e;

	if (err == ENOTTY || err == EINVAL || err == EFAULT || err == E2BIG)
		return true;
	for (e = iocs[nr].errnos; *e; e++)
		if (*e == err)
			return true;
	return false;
}

/* Fill the struct of ioctl @nr, for an fd of @kind, at @arg. */
static void fill(struct thr *th, struct rng *r, int nr, enum kind kind, void *arg)
{
	bool on_ep = kind == K_EP;

	switch (nr) {
	case 0x00: {
		struct fastipc_info *a = arg;

		a->flags = rflags(r, FASTIPC_INFO_FLAGS_ALL);
		a->__reserved = chance(r, 5);
		break;
	}
	case 0x01: {
		struct fastipc_endpoint_create *a = arg;

		a->flags = chance(r, 10) ? FASTIPC_ENDPOINT_PERSISTENT :
					   rflags(r, chance(r, 90) ? 0 : FASTIPC_ENDPOINT_FLAGS_ALL);
		a->mode = rmode(r);
		a->name = chance(r, 30) ? 0 : rname(th, r);
		/*
		 * A persistent endpoint outlives the run unless unlinked by
		 * name: give it one of the names unlink_names() knows, from a
		 * buffer the other threads' random writes cannot reach.
		 */
		if (a->flags & FASTIPC_ENDPOINT_PERSISTENT && a->name && chance(r, 95)) {
			snprintf(th->pname, sizeof(th->pname), "fz.%u", rnd(r, NNAMES));
			a->name = (uintptr_t)th->pname;
		} else if (a->flags & FASTIPC_ENDPOINT_PERSISTENT) {
			a->name = 0;	/* refused: PERSISTENT needs a name */
		}
		break;
	}
	case 0x02:
	case 0x09: {
		struct fastipc_connect *a = arg;

		a->flags = rflags(r, FASTIPC_CONNECT_FLAGS_ALL);
		if (on_ep && chance(r, 80))
			a->flags = 0;
		a->__reserved = chance(r, 3);
		a->name = on_ep && chance(r, 80) ? 0 : rname(th, r);
		rtimeout(th, r, &a->timeout);
		if (on_ep && chance(r, 80))
			memset(&a->timeout, 0, sizeof(a->timeout));
		break;
	}
	case 0x03: {
		struct fastipc_send *a = arg;

		a->flags = rflags(r, FASTIPC_SEND_FLAGS_ALL);
		a->len = rlen(r);
		a->type = rtype(r);
		a->data = a->flags & FASTIPC_SEND_BUFFER ? roffset(r) : rptr(th, r, a->len);
		rtimeout(th, r, &a->timeout);
		break;
	}
	case 0x04: {
		struct fastipc_call *a = arg;

		a->flags = rflags(r, FASTIPC_CALL_FLAGS_ALL);
		a->len = rlen(r);
		a->type = rtype(r);
		a->data = a->flags & FASTIPC_CALL_BUFFER ? roffset(r) : rptr(th, r, a->len);
		a->reply_capacity = rlen(r);
		a->reply_data = rptr(th, r, a->reply_capacity);
		rtimeout(th, r, &a->send_timeout);
		rtimeout(th, r, &a->reply_timeout);
		/* A call that gets no reply is ended by the thread's timer. */
		if (!(a->flags & FASTIPC_CALL_ASYNC) && a->reply_timeout.mode != FASTIPC_WAIT_NONE)
			th->need_timer = true;
		a->__reserved = chance(r, 3);
		break;
	}
	case 0x05: {
		struct fastipc_collect *a = arg;

		a->flags = rflags(r, FASTIPC_COLLECT_FLAGS_ALL);
		a->reply_capacity = rlen(r);
		a->cookie = rcookie(r);
		a->reply_data = rptr(th, r, a->reply_capacity);
		a->__reserved = chance(r, 3);
		a->__reserved2 = chance(r, 3);
		rtimeout(th, r, &a->timeout);
		break;
	}
	case 0x06: {
		struct fastipc_recv *a = arg;

		a->flags = rflags(r, FASTIPC_RECV_FLAGS_ALL);
		a->capacity = rlen(r);
		a->type = chance(r, 60) ? 0 : rtype(r);
		a->data = rptr(th, r, a->capacity);
		rtimeout(th, r, &a->timeout);
		break;
	}
	case 0x07: {
		struct fastipc_reply *a = arg;

		a->flags = rflags(r, FASTIPC_REPLY_FLAGS_ALL);
		a->len = rlen(r);
		a->type = rtype(r);
		a->data = a->flags & FASTIPC_REPLY_BUFFER ? roffset(r) : rptr(th, r, a->len);
		a->token = rtoken(r);
		break;
	}
	case 0x08: {
		struct fastipc_reply_recv *a = arg;

		fill(th, r, 0x07, kind, &a->reply);
		if (chance(r, 40))
			a->reply.token = 0;
		fill(th, r, 0x06, kind, &a->recv);
		a->__reserved = chance(r, 3);
		break;
	}
	case 0x0a: {
		struct fastipc_endpoint_stat *a = arg;

		a->name = on_ep && chance(r, 80) ? 0 : rname(th, r);
		a->flags = chance(r, 95) ? 0 : (uint32_t)r64(r);
		a->__reserved = chance(r, 3);
		break;
	}
	case 0x0b: {
		struct fastipc_endpoint_set *a = arg;

		a->name = on_ep && chance(r, 80) ? 0 : rname(th, r);
		a->flags = rflags(r, FASTIPC_SET_FLAGS_ALL);
		a->uid = rid(r);
		a->gid = rid(r);
		a->mode = rmode(r);
		break;
	}
	case 0x0c: {
		struct fastipc_unlink *a = arg;

		a->name = rname(th, r);
		a->flags = rflags(r, FASTIPC_UNLINK_FLAGS_ALL);
		a->__reserved = chance(r, 3);
		break;
	}
	case 0x0d: {
		struct fastipc_buffer_create *a = arg;

		a->flags = rflags(r, FASTIPC_BUFFER_FLAGS_ALL);
		a->__reserved = chance(r, 3);
		a->size = rbufsize(r);
		break;
	}
	}
}

static void mmap_track(struct thr *th, struct rng *r, const struct pick *p, uint64_t len,
		       uint64_t off, int prot, int flags);

/* What a successful (or reporting) ioctl gave: fds, tokens, cookies, ids. */
static void harvest(struct thr *th, struct rng *r, const struct pick *p, int nr, int ret,
		    void *arg)
{
	long long conn_id;

	switch (nr) {
	case 0x01:
	case 0x09:
		if (ret > 2)
			pool_add(r, ret, K_EP);
		break;
	case 0x02:
		if (ret > 2)
			pool_add(r, ret, K_CONN);
		break;
	case 0x04:
		if (!ret && (((struct fastipc_call *)arg)->flags & FASTIPC_CALL_ASYNC))
			ring_put(P.cookies, &P.ncookies, ((struct fastipc_call *)arg)->cookie);
		break;
	case 0x06:
	case 0x08: {
		struct fastipc_recv *rv = nr == 0x06 ? arg : &((struct fastipc_reply_recv *)arg)->recv;

		if (ret)
			break;
		if (rv->msg.token)
			ring_put(P.tokens, &P.ntokens, rv->msg.token);
		ring_put(P.conn_ids, &P.nconn_ids, rv->msg.conn_id);
		if (rv->msg.buffer_size)
			buf_put(rv->msg.conn_id, rv->msg.buffer_size);
		break;
	}
	case 0x0d:
		if (ret)
			break;
		ring_put(P.buf_sizes, &P.nbuf_sizes, ((struct fastipc_buffer_create *)arg)->size);
		conn_id = fdinfo(p->fd, "connection_id");
		if (conn_id > 0)
			buf_put(conn_id, ((struct fastipc_buffer_create *)arg)->size);
		/* Often map it at once: the rest of the run needs mappings. */
		if (chance(r, 60))
			mmap_track(th, r, p, ((struct fastipc_buffer_create *)arg)->size, 0,
				   PROT_READ | PROT_WRITE, MAP_SHARED);
		break;
	}
}

/*
 * Interrupt the coming ioctl's wait.  The timer repeats: a thread that loses
 * the CPU between arming it and entering the ioctl takes the first signal in
 * user space, and a later one must still end the wait.
 */
static void timer_arm(struct thr *th, struct rng *r)
{
	struct itimerspec its = {
		.it_value.tv_nsec = (2 + rnd(r, 20)) * MS,
		.it_interval.tv_nsec = 20 * MS,
	};

	if (th->have_timer)
		timer_settime(th->timer, 0, &its, NULL);
}

static void timer_disarm(struct thr *th)
{
	struct itimerspec its = { 0 };

	if (th->have_timer)
		timer_settime(th->timer, 0, &its, NULL);
}

static void count(int idx, int err)
{
	atomic_fetch_add(&sh->ioc[idx][err < NR_ERRNO ? err : NR_ERRNO - 1], 1);
}

static void describe(struct thr *th, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void describe(struct thr *th, const char *fmt, ...)
{
	char what[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (th->hb)
		memcpy(th->hb->what, what, sizeof(what));
	if (verbose)
		fprintf(stderr, "# w%d.%d%s #%llu %s\n", P.w, th->t, P.child ? "c" : "",
			(unsigned long long)th->step, what);
}

static const unsigned long foreign_cmds[] = {
	FIONBIO, FIOASYNC, FIOCLEX, FIONCLEX, FIONREAD, TCGETS, FIOQSIZE,
};

static void do_ioctl(struct thr *th, struct rng *r, bool chaos)
{
	static const enum kind kinds[] = { K_CTX, K_EP, K_EP, K_CONN, K_CONN };
	enum kind want = kinds[rnd(r, 5)];
	struct pick p = pick_fd(r, chaos ? ~0u : KB(want));
	char *arg = th->arena + ARENA_STRUCT + rnd(r, 4096) * 8 + (chance(r, 10) ? rnd(r, 8) : 0);
	unsigned int nr, size, ksize, dir, idx;
	unsigned long cmd;
	uint64_t argp = (uintptr_t)arg;
	int ret, err, valid_nrs[NR_KNOWN], n = 0, i;

	/* The ioctl: one that belongs on this kind of fd, mostly. */
	for (i = 0; i < NR_KNOWN; i++)
		if (KB(p.kind) & iocs[i].kinds)
			valid_nrs[n++] = i;
	nr = !chaos && n && chance(r, 90) ? valid_nrs[rnd(r, n)] : rnd(r, NR_KNOWN);
	ksize = _IOC_SIZE(iocs[nr].cmd);
	size = ksize;
	dir = _IOC_DIR(iocs[nr].cmd);
	memset(arg, 0, _IOC_SIZEMASK + 1);
	fill(th, r, nr, p.kind, arg);
	idx = nr;

	switch (rnd(r, chaos ? 6 : 20)) {
	case 0:		/* shorter than the first version, or just short */
		size = rnd(r, ksize);
		break;
	case 1:		/* longer, zeroes after (or not) */
		size = ksize + 1 + rnd(r, 200);
		if (chance(r, 30))
			arg[ksize + rnd(r, size - ksize)] = 1 + rnd(r, 255);
		break;
	case 2:
		size = rnd(r, _IOC_SIZEMASK + 1);
		break;
	case 3:
		dir = rnd(r, 4);
		break;
	case 4:
		nr = NR_KNOWN + rnd(r, 256 - NR_KNOWN);
		idx = IDX_UNKNOWN;
		break;
	case 5:
		idx = IDX_FOREIGN;
		break;
	}
	cmd = _IOC(dir, FASTIPC_IOC_MAGIC, nr, size);
	if (idx == IDX_FOREIGN) {
		/* The VFS's ioctls, on fastipc fds only (never on stdout). */
		if (!(KB(p.kind) & K_FASTIPC))
			return;
		cmd = foreign_cmds[rnd(r, sizeof(foreign_cmds) / sizeof(foreign_cmds[0]))];
		*(int *)arg = rnd(r, 2);
	} else if (chance(r, 8)) {
		/* Whatever lies there is the struct: it may say wait for ever. */
		argp = rptr(th, r, size);
		th->need_timer = true;
	}

	describe(th, "ioctl %s nr %#x size %u fd %d(%d)%s", idx < NR_KNOWN ? iocs[idx].name :
		 idx == IDX_UNKNOWN ? "unknown" : "foreign", nr, size, p.fd, p.kind,
		 th->need_timer ? " timer" : "");
	if (verbose > 1 && argp == (uintptr_t)arg) {
		for (i = 0; i < (int)ksize; i += 8)
			fprintf(stderr, "#   +%3d: %016llx\n", i, *(unsigned long long *)(arg + i));
	}
	if (th->need_timer)
		timer_arm(th, r);
	ret = ioctl(p.fd, cmd, (void *)(uintptr_t)argp);
	err = ret < 0 ? errno : 0;
	if (th->need_timer)
		timer_disarm(th);
	count(idx, err);

	if (idx >= NR_KNOWN)
		return;
	if (argp == (uintptr_t)arg && (!err || err == EMSGSIZE || err == EINTR || err == EPIPE))
		harvest(th, r, &p, nr, ret, arg);
	if (!err && nr == 0x08 && argp == (uintptr_t)arg) {
		int rerr = -((struct fastipc_reply_recv *)arg)->reply_error;

		if (rerr && !documented(0x07, rerr) && pick_valid(&p))
			problem("REPLY_RECV: reply_error %s on a fastipc fd (seed %#llx, w%d step %llu)",
				strerror(rerr), (unsigned long long)seed, P.w,
				(unsigned long long)th->step);
	}
	if (err && (KB(p.kind) & K_FASTIPC) && dir == _IOC_DIR(iocs[nr].cmd) &&
	    !documented(nr, err) && pick_valid(&p))
		problem("%s gave %s, which it does not document (seed %#llx, w%d.%d%s step %llu, fd %d slot %d)",
			iocs[nr].name, strerror(err), (unsigned long long)seed, P.w, th->t,
			P.child ? " child" : "", (unsigned long long)th->step, p.fd, p.slot);
}

/* --- other system calls ------------------------------------------------------------------ */

static void do_open(struct thr *th, struct rng *r)
{
	int fds[2], fd = -1;

	switch (rnd(r, 10)) {
	case 0 ... 5:
		describe(th, "open %s", FASTIPC_DEVICE_PATH);
		pool_add(r, open(FASTIPC_DEVICE_PATH, O_RDWR | (rnd(r, 2) ? O_CLOEXEC : 0)),
			 K_CTX);
		return;
	case 6:
		describe(th, "pipe");
		if (pipe2(fds, O_NONBLOCK | O_CLOEXEC))
			return;
		pool_add(r, fds[0], K_OTHER);
		pool_add(r, fds[1], K_OTHER);
		return;
	case 7:
		describe(th, "eventfd");
		fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		break;
	case 8:
		describe(th, "memfd");
		fd = memfd_create("fuzz", MFD_CLOEXEC);
		break;
	default:
		describe(th, "/dev/null");
		fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NONBLOCK);
		break;
	}
	pool_add(r, fd, K_OTHER);
}

static void do_close(struct thr *th, struct rng *r)
{
	int i = rnd(r, NFD);

	describe(th, "close slot %d", i);
	pthread_mutex_lock(&P.fd_lock);
	if (P.fds[i].owned)
		slot_close_locked(&P.fds[i]);
	pthread_mutex_unlock(&P.fd_lock);
}

static void do_dup(struct thr *th, struct rng *r)
{
	struct pick p = pick_fd(r, K_FASTIPC);
	int fd;

	describe(th, "dup %d", p.fd);
	if (!pick_valid(&p))
		return;
	fd = rnd(r, 2) ? dup(p.fd) : fcntl(p.fd, F_DUPFD_CLOEXEC, 3);
	if (fd >= 0)
		pool_add(r, fd, fd_kind(fd));
}

static void do_fcntl(struct thr *th, struct rng *r)
{
	struct pick p = pick_fd(r, K_FASTIPC);
	int fl;

	describe(th, "fcntl %d", p.fd);
	if (!pick_valid(&p) || !(KB(p.kind) & K_FASTIPC))
		return;
	switch (rnd(r, 4)) {
	case 0:
		fl = fcntl(p.fd, F_GETFL);
		if (fl >= 0)
			fcntl(p.fd, F_SETFL, fl ^ O_NONBLOCK);
		break;
	case 1:
		fl = fcntl(p.fd, F_GETFL);
		if (fl >= 0)
			fcntl(p.fd, F_SETFL, fl ^ O_ASYNC);
		break;
	case 2:
		/* SIGIO to a worker (never to the harness, which would die of it). */
		fcntl(p.fd, F_SETOWN, rnd(r, 2) ? getpid() : sh->pids[rnd(r, nprocs)]);	/* 0: none */
		break;
	default:
		fcntl(p.fd, F_SETSIG, rnd(r, 2) ? SIGUSR1 : 0);
		break;
	}
}

/* Pass an fd through the shared socket pair; another process may take it. */
static void do_pass(struct thr *th, struct rng *r)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	struct pick p;
	int op = rnd(r, 3), fd;

	describe(th, "scm_rights %d", op);
	if (op != 2) {
		p = pick_fd(r, K_FASTIPC);
		if (!pick_valid(&p))
			return;
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &p.fd, sizeof(int));
		sendmsg(bus[0], &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (op == 1)
			return;	/* left in flight, maybe until the socket closes */
	}
	msg.msg_controllen = sizeof(u.buf);
	if (recvmsg(bus[1], &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) < 0)
		return;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
		pool_add(r, fd, fd_kind(fd));
	}
}

static int map_slot_free_locked(void)
{
	int i;

	for (i = 0; i < NMAP; i++)
		if (!P.maps[i].used)
			return i;
	return -1;
}

static void map_drop_locked(int i)
{
	munmap(P.maps[i].addr, P.maps[i].len);
	P.maps[i].used = false;
}

/* A random used mapping slot, with map_lock held; -1 (unlocked) if none. */
static int map_pick_lock(struct rng *r)
{
	int i, start = rnd(r, NMAP);

	pthread_mutex_lock(&P.map_lock);
	for (i = 0; i < NMAP; i++)
		if (P.maps[(start + i) % NMAP].used)
			return (start + i) % NMAP;
	pthread_mutex_unlock(&P.map_lock);
	return -1;
}

/* mmap(); a mapping of a buffer is kept, for touching and as a pointer. */
static void mmap_track(struct thr *th, struct rng *r, const struct pick *p, uint64_t len,
		       uint64_t off, int prot, int flags)
{
	char *addr;
	int i;

	describe(th, "mmap fd %d len %llu off %llu", p->fd, (unsigned long long)len,
		 (unsigned long long)off);
	addr = mmap(NULL, len, prot, flags, p->fd, off);
	atomic_fetch_add(&sh->mmap_errno[addr == MAP_FAILED ? errno % NR_ERRNO : 0], 1);
	if (addr == MAP_FAILED)
		return;
	/* Keep only whole buffer mappings of fds still ours: those we may touch. */
	if (!pick_valid(p) || !(KB(p->kind) & (KB(K_EP) | KB(K_CONN)))) {
		munmap(addr, len);
		return;
	}
	if (prot & PROT_EXEC)
		problem("mmap of a buffer with PROT_EXEC succeeded (seed %#llx)",
			(unsigned long long)seed);
	if (flags & MAP_PRIVATE)
		problem("a private mapping of a buffer succeeded (seed %#llx)",
			(unsigned long long)seed);
	pthread_mutex_lock(&P.map_lock);
	i = map_slot_free_locked();
	if (i < 0) {
		i = rnd(r, NMAP);
		map_drop_locked(i);
	}
	P.maps[i] = (struct map_slot){ addr, len, prot, true, false };
	pthread_mutex_unlock(&P.map_lock);
}

static void do_mmap(struct thr *th, struct rng *r)
{
	struct pick p = pick_fd(r, KB(K_EP) | KB(K_CONN));
	int prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED;
	uint64_t len = 0, off = 0, conn_id = 0;

	/* Mostly a buffer that exists, at its right offset and size. */
	if (p.kind == K_CONN)
		conn_id = fdinfo(p.fd, "connection_id");
	if (chance(r, 80) && buf_get(r, &conn_id, &len)) {
		if (p.kind == K_EP)
			off = conn_id * P.page;
	} else {
		len = ring_get(r, P.buf_sizes, &P.nbuf_sizes);
		if (!len || chance(r, 30))
			len = P.page * (1 + rnd(r, 64));
		if (p.kind == K_EP || chance(r, 10))
			off = chance(r, 80) ? ring_get(r, P.conn_ids, &P.nconn_ids) * P.page :
					      P.page * rnd(r, 1000);
	}
	switch (rnd(r, 20)) {
	case 0:
		prot = PROT_READ;
		break;
	case 1:
		prot |= PROT_EXEC;
		break;
	case 2:
		prot = PROT_NONE;
		break;
	case 3:
		flags = MAP_PRIVATE;
		break;
	case 4:
		flags |= MAP_POPULATE;
		break;
	case 5:
		len += P.page;
		break;
	}
	mmap_track(th, r, &p, len, off, prot, flags);
}

static void do_munmap(struct thr *th, struct rng *r)
{
	int i = map_pick_lock(r);
	struct map_slot *m;
	size_t off;

	describe(th, "munmap");
	if (i < 0)
		return;
	m = &P.maps[i];
	if (m->len > (size_t)P.page && chance(r, 25)) {
		off = P.page * (rnd(r, m->len / P.page - 1) + rnd(r, 2));
		if (!munmap(m->addr + off, P.page)) {
			problem("a buffer mapping was unmapped in part (seed %#llx)",
				(unsigned long long)seed);
			map_drop_locked(i);
		}
	} else {
		map_drop_locked(i);
	}
	pthread_mutex_unlock(&P.map_lock);
}

static void do_mprotect(struct thr *th, struct rng *r)
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE,
				     PROT_WRITE, PROT_READ | PROT_EXEC };
	int i = map_pick_lock(r), prot = prots[rnd(r, 5)];
	struct map_slot *m;

	describe(th, "mprotect %d", prot);
	if (i < 0)
		return;
	m = &P.maps[i];
	if (m->len > (size_t)P.page && chance(r, 25)) {
		/* Unchanged protection needs no split: a no-op that succeeds. */
		if (!mprotect(m->addr, P.page, prot) && prot != m->prot) {
			problem("a buffer mapping was mprotect()ed in part (seed %#llx)",
				(unsigned long long)seed);
			map_drop_locked(i);
		}
	} else if (!mprotect(m->addr, m->len, prot)) {
		if (prot & PROT_EXEC)
			problem("a buffer mapping was made executable (seed %#llx)",
				(unsigned long long)seed);
		m->prot = prot;
	}
	pthread_mutex_unlock(&P.map_lock);
}

static void do_mremap(struct thr *th, struct rng *r)
{
	int i = map_pick_lock(r), j;
	struct map_slot *m;
	char *to, *got;

	describe(th, "mremap");
	if (i < 0)
		return;
	m = &P.maps[i];
	switch (rnd(r, 4)) {
	case 0:		/* grow: refused */
		got = mremap(m->addr, m->len, m->len + P.page, MREMAP_MAYMOVE);
		if (got != MAP_FAILED) {
			problem("a buffer mapping grew (seed %#llx)", (unsigned long long)seed);
			munmap(got, m->len + P.page);
			m->used = false;
		}
		break;
	case 1:		/* shrink: a split, refused */
		if (m->len <= (size_t)P.page)
			break;
		got = mremap(m->addr, m->len, m->len - P.page, 0);
		if (got != MAP_FAILED) {
			problem("a buffer mapping shrank (seed %#llx)", (unsigned long long)seed);
			munmap(got, m->len - P.page);
			m->used = false;
		}
		break;
	case 2:		/* move */
		to = mmap(NULL, m->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (to == MAP_FAILED)
			break;
		got = mremap(m->addr, m->len, m->len, MREMAP_MAYMOVE | MREMAP_FIXED, to);
		if (got == MAP_FAILED)
			munmap(to, m->len);
		else
			m->addr = got;
		break;
	default:	/* move, leaving the old range mapped too */
		j = map_slot_free_locked();
		if (j < 0)
			break;
		got = mremap(m->addr, m->len, m->len, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
		if (got != MAP_FAILED)
			P.maps[j] = (struct map_slot){ got, m->len, m->prot, true, false };
		break;
	}
	pthread_mutex_unlock(&P.map_lock);
}

static void do_madvise(struct thr *th, struct rng *r)
{
	static const int advice[] = {
		MADV_DONTNEED, MADV_WILLNEED, MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK,
		MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT, MADV_REMOVE, MADV_FREE,
		MADV_DONTDUMP, MADV_DODUMP, MADV_SEQUENTIAL, MADV_POPULATE_READ,
		MADV_POPULATE_WRITE,
	};
	int i = map_pick_lock(r), a = advice[rnd(r, sizeof(advice) / sizeof(advice[0]))];
	struct map_slot *m;
	size_t len;

	describe(th, "madvise %d", a);
	if (i < 0)
		return;
	m = &P.maps[i];
	len = chance(r, 80) ? m->len : P.page;
	if (!madvise(m->addr, len, a)) {
		/* Changing VM_DONTCOPY on part of it would split it. */
		if (len != m->len && ((a == MADV_DONTFORK && !m->dontfork) ||
				      (a == MADV_DOFORK && m->dontfork)))
			problem("madvise split a buffer mapping (seed %#llx)",
				(unsigned long long)seed);
		if (a == MADV_DONTFORK)
			m->dontfork = true;
		if (a == MADV_DOFORK)
			m->dontfork = false;
	}
	pthread_mutex_unlock(&P.map_lock);
}

/* Read and write a whole mapping we hold: no fault may come of it. */
static void do_touch(struct thr *th, struct rng *r)
{
	int i = map_pick_lock(r), k;
	volatile char *p;
	struct map_slot *m;
	char sum = 0;

	describe(th, "touch");
	if (i < 0)
		return;
	m = &P.maps[i];
	for (k = 0; k < 8; k++) {
		p = (volatile char *)m->addr + rnd(r, m->len);
		if (m->prot & PROT_READ)
			sum += *p;
		if (m->prot & PROT_WRITE)
			*p = sum + k;
	}
	pthread_mutex_unlock(&P.map_lock);
}

static void do_poll(struct thr *th, struct rng *r)
{
	struct pollfd pfd[4];
	struct epoll_event ev;
	int n = 1 + rnd(r, 4), i, ep;

	describe(th, "poll");
	if (rnd(r, 2)) {
		for (i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ pick_fd(r, ~0u).fd, POLLIN | POLLOUT | POLLPRI };
		poll(pfd, n, rnd(r, 3));
		return;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return;
	for (i = 0; i < n; i++) {
		ev.events = EPOLLIN | EPOLLOUT | (rnd(r, 2) ? EPOLLET : 0);
		ev.data.u64 = i;
		epoll_ctl(ep, EPOLL_CTL_ADD, pick_fd(r, K_FASTIPC).fd, &ev);
	}
	epoll_wait(ep, &ev, 1, rnd(r, 3));
	/* Sometimes keep it, watching fds that will close under it. */
	if (rnd(r, 2))
		pool_add(r, ep, K_OTHER);
	else
		close(ep);
}

/* read(2)-like calls have no meaning here: pread cannot block, even on a pipe. */
static void do_rw(struct thr *th, struct rng *r)
{
	struct pick p = pick_fd(r, ~0u);
	char *buf = th->arena + ARENA_DATA;

	describe(th, "pread/pwrite %d", p.fd);
	if (rnd(r, 2))
		pread(p.fd, buf, 64, 0);
	else if (KB(p.kind) & K_FASTIPC)
		pwrite(p.fd, buf, 64, 0);
	else
		lseek(p.fd, 0, SEEK_CUR);
}

static void do_signal(struct thr *th, struct rng *r)
{
	pid_t tid;

	describe(th, "signal");
	if (rnd(r, 2) && !P.child) {
		tid = P.tids[rnd(r, nthreads)];
		if (tid)
			syscall(SYS_tgkill, getpid(), tid, SIGUSR1);
	} else {
		/* Workers only: never 0, the process group with the harness in it. */
		tid = sh->pids[rnd(r, nprocs)];
		if (tid > 0)
			kill(tid, SIGUSR1);
	}
}

static void step(struct thr *th);
static void thread_init(struct thr *th);

/* A child that lives CHILD_STEPS steps on what it inherited, then exits. */
static void do_fork(struct thr *th, struct rng *r)
{
	int i, k = -1;
	pid_t pid;

	describe(th, "fork");
	if (P.child)
		return;
	/*
	 * Every lock held across fork(), so the child's copy of the pools is
	 * what its fd table and address space hold (no close or munmap of
	 * another thread half done).  No other code holds two of them.
	 */
	pthread_mutex_lock(&P.kids_lock);
	pthread_mutex_lock(&P.fd_lock);
	pthread_mutex_lock(&P.map_lock);
	pthread_mutex_lock(&P.ring_lock);
	for (i = 0; i < MAX_CHILDREN && k < 0; i++)
		if (!P.kids[i])
			k = i;
	pid = k < 0 ? -1 : fork();
	if (pid > 0)
		P.kids[k] = pid;
	if (pid) {
		pthread_mutex_unlock(&P.ring_lock);
		pthread_mutex_unlock(&P.map_lock);
		pthread_mutex_unlock(&P.fd_lock);
		pthread_mutex_unlock(&P.kids_lock);
		return;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Only this thread came along; the locks it held are new again. */
	pthread_mutex_init(&P.fd_lock, NULL);
	pthread_mutex_init(&P.map_lock, NULL);
	pthread_mutex_init(&P.ring_lock, NULL);
	pthread_mutex_init(&P.kids_lock, NULL);
	for (i = 0; i < NMAP; i++)
		if (P.maps[i].dontfork)
			P.maps[i].used = false;
	P.child = 1 + th->step;
	th->hb = NULL;
	th->have_timer = false;
	thread_init(th);
	for (th->step = 0; th->step < CHILD_STEPS && now_ns() < deadline; th->step++)
		step(th);
	_exit(0);
}

/* Reap forked children; with @wait_all, all of them, killing laggards. */
static void reap(bool wait_all)
{
	uint64_t until = now_ns() + 5 * SEC;
	bool any, killed = false;
	pid_t pid;
	int i;

	for (;;) {
		any = false;
		pthread_mutex_lock(&P.kids_lock);
		for (i = 0; i < MAX_CHILDREN; i++) {
			if (!P.kids[i])
				continue;
			pid = waitpid(P.kids[i], NULL, WNOHANG);
			if (pid == P.kids[i] || (pid < 0 && errno == ECHILD))
				P.kids[i] = 0;
			else if (wait_all && !killed && now_ns() > until)
				kill(P.kids[i], SIGKILL);
			any |= P.kids[i] != 0;
		}
		if (wait_all && now_ns() > until)
			killed = true;
		pthread_mutex_unlock(&P.kids_lock);
		if (!wait_all || !any)
			return;
		usleep(10000);
	}
}

static void step(struct thr *th)
{
	struct rng r = { mix(seed ^ mix(((uint64_t)P.w << 40) ^ ((uint64_t)th->t << 32) ^
					 ((uint64_t)P.child << 48) ^ th->step)) };
	unsigned int pick = rnd(&r, 1000);
	enum action a;

	th->need_timer = false;
	if (th->hb) {
		atomic_store(&th->hb->ns, now_ns());
		th->hb->step = th->step;
	}
	if (pick < 600)
		a = A_IOCTL;
	else if (pick < 640)
		a = A_CHAOS;
	else if (pick < 675)
		a = A_OPEN;
	else if (pick < 715)
		a = A_CLOSE;
	else if (pick < 735)
		a = A_DUP;
	else if (pick < 755)
		a = A_FCNTL;
	else if (pick < 785)
		a = A_PASS;
	else if (pick < 820)
		a = A_MMAP;
	else if (pick < 840)
		a = A_MUNMAP;
	else if (pick < 855)
		a = A_MPROTECT;
	else if (pick < 865)
		a = A_MREMAP;
	else if (pick < 880)
		a = A_MADVISE;
	else if (pick < 920)
		a = A_TOUCH;
	else if (pick < 945)
		a = A_POLL;
	else if (pick < 955)
		a = A_RW;
	else if (pick < 980)
		a = A_SIGNAL;
	else if (pick < 985)
		a = A_FORK;
	else
		a = A_YIELD;
	/*
	 * The digest covers the workers' choices, not outcomes (nor forked
	 * children, whose birth depends on timing): equal for equal seeds.
	 */
	if (!P.child)
		atomic_fetch_xor(&sh->digest, mix(((uint64_t)P.w << 56) ^ ((uint64_t)th->t << 48) ^
						  (th->step << 8) ^ a ^ (r64(&r) & 0xffff0000)));
	atomic_fetch_add(&sh->act[a], 1);
	atomic_fetch_add(&sh->steps, 1);
	switch (a) {
	case A_IOCTL:
		do_ioctl(th, &r, false);
		break;
	case A_CHAOS:
		do_ioctl(th, &r, true);
		break;
	case A_OPEN:
		do_open(th, &r);
		break;
	case A_CLOSE:
		do_close(th, &r);
		break;
	case A_DUP:
		do_dup(th, &r);
		break;
	case A_FCNTL:
		do_fcntl(th, &r);
		break;
	case A_PASS:
		do_pass(th, &r);
		break;
	case A_MMAP:
		do_mmap(th, &r);
		break;
	case A_MUNMAP:
		do_munmap(th, &r);
		break;
	case A_MPROTECT:
		do_mprotect(th, &r);
		break;
	case A_MREMAP:
		do_mremap(th, &r);
		break;
	case A_MADVISE:
		do_madvise(th, &r);
		break;
	case A_TOUCH:
		do_touch(th, &r);
		break;
	case A_POLL:
		do_poll(th, &r);
		break;
	case A_RW:
		do_rw(th, &r);
		break;
	case A_SIGNAL:
		do_signal(th, &r);
		break;
	case A_FORK:
		do_fork(th, &r);
		break;
	default:
		describe(th, "yield");
		if (!P.child)
			reap(false);
		sched_yield();
		break;
	}
}

/* --- workers ----------------------------------------------------------------------- */

static void on_signal(int sig)
{
}

/* A worker that faults reports where, then dies: a failure of the run. */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	int expected = 0;

	if (atomic_compare_exchange_strong(&sh->fault_signo, &expected, sig))
		snprintf(sh->fault, sizeof(sh->fault), "signal %d at %p in worker %d%s",
			 sig, si->si_addr, P.w, P.child ? " (forked child)" : "");
	_exit(99);
}

static void thread_init(struct thr *th)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1 };

	sev._sigev_un._tid = syscall(SYS_gettid);
	th->have_timer = !timer_create(CLOCK_MONOTONIC, &sev, &th->timer);
}

static void *thread_main(void *arg)
{
	struct thr *th = arg;

	P.tids[th->t] = syscall(SYS_gettid);
	thread_init(th);
	for (th->step = 0; now_ns() < deadline && (!max_steps || th->step < max_steps);
	     th->step++)
		step(th);
	atomic_store(&th->hb->ns, 0);
	return NULL;
}

static void worker(int w)
{
	struct thr threads[MAX_THREADS] = { 0 };
	pthread_t tids[MAX_THREADS];
	struct rng r = { mix(seed ^ w) };
	char name[16];
	int t, ctx, ep;

	P.w = w;
	P.page = sysconf(_SC_PAGESIZE);
	pthread_mutex_init(&P.fd_lock, NULL);
	pthread_mutex_init(&P.map_lock, NULL);
	pthread_mutex_init(&P.ring_lock, NULL);
	pthread_mutex_init(&P.kids_lock, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	umask(0);
	/*
	 * Lowest priority, inherited by its threads and children: a guest's
	 * kernel threads must never starve behind the fuzzer (a preempted RCU
	 * reader in kmemleak's scan stalls RCU on a one-CPU guest).
	 */
	setpriority(PRIO_PROCESS, 0, 19);
	/* Some workers are other users: permissions and quotas come into play. */
	if (w % 3) {
		if (setresgid(1000 + w % 3, 1000 + w % 3, 1000 + w % 3) ||
		    setresuid(1000 + w % 3, 1000 + w % 3, 1000 + w % 3))
			_exit(98);
		/* Still able to read its own /proc/self/fd links. */
		prctl(PR_SET_DUMPABLE, 1);
	}
	P.ro = mmap(NULL, RO_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	P.none = mmap(NULL, NONE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (P.ro == MAP_FAILED || P.none == MAP_FAILED)
		_exit(97);
	memset(P.ro, 'r', RO_SIZE);
	mprotect(P.ro, RO_SIZE, PROT_READ);

	/* A start: a context, an endpoint under a shared name, a connection. */
	ctx = open(FASTIPC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	pool_add(&r, ctx, K_CTX);
	snprintf(name, sizeof(name), "fz.%d", w % NNAMES);
	ep = fastipc_endpoint_create(ctx, name, 0666);
	if (ep < 0)
		ep = fastipc_endpoint_create(ctx, NULL, 0666);
	pool_add(&r, ep, K_EP);
	if (ep >= 0)
		pool_add(&r, fastipc_connect_endpoint(ep), K_CONN);

	for (t = 0; t < nthreads; t++) {
		threads[t].t = t;
		threads[t].hb = &sh->hb[w][t];
		atomic_store(&threads[t].hb->ns, now_ns());
		threads[t].arena = mmap(NULL, ARENA + GUARD, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (threads[t].arena == MAP_FAILED)
			_exit(97);
		mprotect(threads[t].arena + ARENA, GUARD, PROT_NONE);
	}
	for (t = 1; t < nthreads; t++)
		if (pthread_create(&tids[t], NULL, thread_main, &threads[t]))
			_exit(96);
	thread_main(&threads[0]);
	for (t = 1; t < nthreads; t++)
		pthread_join(tids[t], NULL);
	reap(true);
	_exit(0);
}

/* --- the run ------------------------------------------------------------------------ */

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

static const char *const limit_names[] = {
	"max_msg_size", "queue_depth", "max_endpoints", "max_queued_bytes", "max_buffer_bytes",
};

/* Values the main process moves the limits between; the first is the run's. */
static const unsigned long limit_values[5][4] = {
	{ 1 << 20, 64, 4096, 4 << 20 },
	{ 64, 1, 4, 65536 },
	{ 1024, 1, 8, 64 },
	{ 16 << 20, 65536, 1 << 20, 64 << 20 },
	{ 16 << 20, 65536, 1 << 20, 4 << 20 },
};

static void limits_set_defaults(void)
{
	int i;

	for (i = 0; i < 5; i++)
		param_write(limit_names[i], limit_values[i][0]);
}

static void limits_twiddle(struct rng *r)
{
	int i = rnd(r, 5);

	param_write(limit_names[i], limit_values[i][chance(r, 50) ? 0 : rnd(r, 4)]);
}

/* Where the threads of a stuck worker are, in the kernel: for the report. */
static void dump_stacks(pid_t pid)
{
	char path[320], line[256], state[300];
	struct dirent *d;
	FILE *f;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/status", pid, d->d_name);
		state[0] = '\0';
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "State:", 6))
				snprintf(state, sizeof(state), "%s", line + 7);
		if (f)
			fclose(f);
		state[strcspn(state, "\n")] = '\0';
		ksft_print_msg("  task %s: %s\n", d->d_name, state);
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid, d->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			ksft_print_msg("    %s", line);
		if (f)
			fclose(f);
	}
	closedir(dir);
	fflush(stdout);
}

/* Names persistent endpoints may hold: unlink them all (as root). */
static int unlink_names(void)
{
	int ctx = fastipc_open(), i, ret, left = 0;
	struct fastipc_endpoint_stat st;
	char name[FASTIPC_NAME_MAX];

	if (ctx < 0)
		return -1;
	for (i = 0; i <= NNAMES; i++) {
		/* The shared names, and the longest valid one rname() makes. */
		if (i < NNAMES) {
			snprintf(name, sizeof(name), "fz.%d", i);
		} else {
			memset(name, 'a', FASTIPC_NAME_MAX - 1);
			name[FASTIPC_NAME_MAX - 1] = '\0';
		}
		ret = fastipc_unlink(ctx, name);
		if (ret && ret != -ENOENT)
			left++;
		if (!fastipc_stat(ctx, name, &st))
			left++;
	}
	close(ctx);
	return left;
}

static long module_refcnt(void)
{
	return param_read("../refcnt");
}

/* A fresh endpoint and connection: a message, an async call, a reply. */
static int module_usable(void)
{
	struct fastipc_timeout t = fastipc_timeout_rel(10 * SEC);
	int ctx = fastipc_open(), ep = -1, conn = -1, ret = -1;
	struct fastipc_msg_info info;
	uint64_t cookie;
	char buf[16];

	if (ctx < 0)
		return -1;
	ep = fastipc_endpoint_create(ctx, NULL, 0600);
	conn = ep < 0 ? -1 : fastipc_connect_endpoint(ep);
	if (conn >= 0 &&
	    !fastipc_send(conn, 1, "ok", 2, &t) &&
	    fastipc_recv(ep, 0, buf, sizeof(buf), &info, &t) == 2 &&
	    !fastipc_call_async(conn, 2, "q", 1, &cookie) &&
	    fastipc_recv(ep, 0, buf, sizeof(buf), &info, &t) == 1 &&
	    !fastipc_reply(ep, info.token, 3, "a", 1) &&
	    fastipc_collect(conn, &cookie, buf, sizeof(buf), NULL, &t) == 1)
		ret = 0;
	if (conn >= 0)
		close(conn);
	if (ep >= 0)
		close(ep);
	close(ctx);
	return ret;
}

static const char *errname(int e)
{
	const char *name = e ? strerrorname_np(e) : "ok";

	return name ?: "?";
}

static void report(uint64_t ns)
{
	uint64_t total, err_total[NR_ERRNO] = { 0 };
	char line[512];
	int i, e, len;

	ksft_print_msg("fuzz: %llu steps in %.1f s, seed %#llx, %d processes x %d threads, digest %#llx\n",
		       (unsigned long long)atomic_load(&sh->steps), ns / 1e9,
		       (unsigned long long)seed, nprocs, nthreads,
		       (unsigned long long)atomic_load(&sh->digest));
	for (i = 0; i < NR_IDX; i++) {
		total = 0;
		for (e = 0; e < NR_ERRNO; e++) {
			total += sh->ioc[i][e];
			err_total[e] += sh->ioc[i][e];
		}
		len = snprintf(line, sizeof(line), "%-16s %8llu:",
			       i < NR_KNOWN ? iocs[i].name : i == IDX_UNKNOWN ? "(unknown nr)" :
			       "(vfs ioctls)", (unsigned long long)total);
		for (e = 0; e < NR_ERRNO && len < (int)sizeof(line) - 32; e++)
			if (sh->ioc[i][e])
				len += snprintf(line + len, sizeof(line) - len, " %s %llu",
						errname(e),
						(unsigned long long)sh->ioc[i][e]);
		ksft_print_msg("  %s\n", line);
	}
	len = snprintf(line, sizeof(line), "errno histogram:");
	for (e = 0; e < NR_ERRNO && len < (int)sizeof(line) - 32; e++)
		if (err_total[e])
			len += snprintf(line + len, sizeof(line) - len, " %s %llu",
					errname(e),
					(unsigned long long)err_total[e]);
	ksft_print_msg("  %s\n", line);
	len = snprintf(line, sizeof(line), "mmap:");
	for (e = 0; e < NR_ERRNO && len < (int)sizeof(line) - 32; e++)
		if (sh->mmap_errno[e])
			len += snprintf(line + len, sizeof(line) - len, " %s %llu",
					errname(e),
					(unsigned long long)sh->mmap_errno[e]);
	ksft_print_msg("  %s\n", line);
	len = snprintf(line, sizeof(line), "actions:");
	for (i = 0; i < NR_ACTIONS; i++)
		len += snprintf(line + len, sizeof(line) - len, " %s %llu", action_names[i],
				(unsigned long long)sh->act[i]);
	ksft_print_msg("  %s\n", line);
	fflush(stdout);
}

FIXTURE(fuzz) {
	unsigned long saved[5];
	bool saved_ok;
};

FIXTURE_SETUP(fuzz)
{
	int i;

	if (access(FASTIPC_DEVICE_PATH, R_OK | W_OK))
		SKIP(return, "no " FASTIPC_DEVICE_PATH);
	if (geteuid())
		SKIP(return, "needs root (workers run as other users; limits change)");
	for (i = 0; i < 5; i++) {
		self->saved[i] = param_read(limit_names[i]);
		ASSERT_NE(0, self->saved[i]);
	}
	self->saved_ok = true;
}

FIXTURE_TEARDOWN(fuzz)
{
	int i;

	if (!self->saved_ok)
		return;
	for (i = 0; i < 5; i++)
		param_write(limit_names[i], self->saved[i]);
}

/* The harness must not cut a long run short: its own bound is generous. */
TEST_F_TIMEOUT(fuzz, run, 7 * 24 * 3600)
{
	uint64_t seconds = env_u64("FASTIPC_FUZZ_SECONDS", 20), start, now, last_twiddle = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	struct sigaction fault = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };
	pid_t pids[MAX_PROCS];
	bool alive[MAX_PROCS];
	int w, t, status, nalive, stuck = 0, crashed = 0, i;
	long refs_before, refs = -1;
	struct rng twiddle;

	seed = env_u64("FASTIPC_FUZZ_SEED", now_ns() ^ ((uint64_t)getpid() << 32));
	nprocs = env_u64("FASTIPC_FUZZ_PROCS", 4);
	nthreads = env_u64("FASTIPC_FUZZ_THREADS", 3);
	max_steps = env_u64("FASTIPC_FUZZ_STEPS", 0);
	verbose = env_u64("FASTIPC_FUZZ_VERBOSE", 0);
	nprocs = nprocs < 1 ? 1 : nprocs > MAX_PROCS ? MAX_PROCS : nprocs;
	nthreads = nthreads < 1 ? 1 : nthreads > MAX_THREADS ? MAX_THREADS : nthreads;
	ksft_print_msg("fuzz: seed %#llx, %llu s, %d processes x %d threads (replay: FASTIPC_FUZZ_SEED=%#llx FASTIPC_FUZZ_PROCS=1 FASTIPC_FUZZ_THREADS=1)\n",
		       (unsigned long long)seed, (unsigned long long)seconds, nprocs, nthreads,
		       (unsigned long long)seed);
	fflush(stdout);
	twiddle.s = mix(seed ^ 0x7477);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, bus));
	refs_before = module_refcnt();
	limits_set_defaults();

	/* Inherited by the workers, so no signal ever finds one unprepared. */
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGIO, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGSEGV, &fault, NULL);
	sigaction(SIGBUS, &fault, NULL);

	start = now_ns();
	deadline = start + seconds * SEC;
	for (w = 0; w < nprocs; w++) {
		pids[w] = fork();
		ASSERT_LE(0, pids[w]);
		if (!pids[w])
			worker(w);
		sh->pids[w] = pids[w];
		alive[w] = true;
	}
	/* Restore the harness's own dispositions; the workers keep theirs. */
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);

	/* The watchdog, until every worker is gone. */
	for (nalive = nprocs; nalive;) {
		usleep(50000);
		now = now_ns();
		if (now < deadline && now - last_twiddle > 300 * MS) {
			limits_twiddle(&twiddle);
			last_twiddle = now;
		} else if (now >= deadline && last_twiddle) {
			limits_set_defaults();	/* let the last steps run freely */
			last_twiddle = 0;
		}
		for (w = 0; w < nprocs; w++) {
			if (!alive[w])
				continue;
			if (waitpid(pids[w], &status, WNOHANG) == pids[w]) {
				alive[w] = false;
				nalive--;
				if (!WIFEXITED(status) || WEXITSTATUS(status)) {
					crashed++;
					TH_LOG("worker %d ended with status %#x %s", w, status,
					       sh->fault);
				}
				continue;
			}
			for (t = 0; t < nthreads; t++) {
				uint64_t hb = atomic_load(&sh->hb[w][t].ns);

				if (!hb || hb > now || now - hb < STUCK_SECONDS * SEC)
					continue;
				stuck++;
				TH_LOG("worker %d thread %d stuck for %llu s at step %llu in %s: killed",
				       w, t, (unsigned long long)((now - hb) / SEC),
				       (unsigned long long)sh->hb[w][t].step, sh->hb[w][t].what);
				dump_stacks(pids[w]);
				kill(pids[w], SIGKILL);
				atomic_store(&sh->hb[w][t].ns, 0);
				break;
			}
		}
		/* A worker that outlives the run by far is stuck too. */
		if (now > deadline + 4 * STUCK_SECONDS * SEC) {
			for (w = 0; w < nprocs; w++) {
				if (alive[w]) {
					TH_LOG("worker %d does not end", w);
					kill(pids[w], SIGKILL);
					stuck++;
				}
			}
			if (now > deadline + 6 * STUCK_SECONDS * SEC) {
				TH_LOG("%d workers cannot be killed", nalive);
				break;
			}
		}
	}
	report(now_ns() - start);

	/* Everything the workers left in flight goes with the bus. */
	close(bus[0]);
	close(bus[1]);
	limits_set_defaults();
	EXPECT_EQ(0, unlink_names()) TH_LOG("persistent endpoints could not be unlinked");
	for (i = 0; i < 100; i++) {
		refs = module_refcnt();
		if (refs == refs_before)
			break;
		usleep(100000);
	}
	EXPECT_EQ(refs_before, refs) TH_LOG("the module keeps references after the run");
	EXPECT_EQ(0, module_usable()) TH_LOG("the module is not usable after the run");
	EXPECT_EQ(0, crashed);
	EXPECT_EQ(0, stuck);
	for (i = 0; i < atomic_load(&sh->nproblems) && i < 16; i++)
		TH_LOG("%s", sh->problems[i]);
	EXPECT_EQ(0, atomic_load(&sh->nproblems));
	EXPECT_LT(0, atomic_load(&sh->steps));
	munmap(sh, sizeof(*sh));
}

/*
 * What the fuzzer found, made deterministic.  A synchronous caller whose
 * request or reply is being copied waits, unkillable but by SIGKILL, for the
 * copy to end; when the copy then fails (EFAULT), its timeout must still
 * hold.  The copies are made long (64 MiB) so that the caller is sure to be
 * waiting for one when it fails.
 */
#define FOUND_LEN	(64 << 20)

FIXTURE(found) {
	int ctx, ep, conn;
	unsigned long saved_msg_size;
	char *big, *faulty;	/* FOUND_LEN each; faulty's last page is PROT_NONE */
	pthread_t caller;
	bool calling;
	struct fastipc_call call;
	int ret;
};

FIXTURE_SETUP(found)
{
	if (geteuid())
		SKIP(return, "needs root (max_msg_size)");
	self->saved_msg_size = param_read("max_msg_size");
	ASSERT_EQ(0, param_write("max_msg_size", FOUND_LEN));
	self->ctx = fastipc_open();
	ASSERT_LE(0, self->ctx);
	self->ep = fastipc_endpoint_create(self->ctx, NULL, 0600);
	ASSERT_LE(0, self->ep);
	self->conn = fastipc_connect_endpoint(self->ep);
	ASSERT_LE(0, self->conn);
	self->big = mmap(NULL, FOUND_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	self->faulty = mmap(NULL, FOUND_LEN, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->big);
	ASSERT_NE(MAP_FAILED, self->faulty);
	memset(self->big, 1, FOUND_LEN);
	ASSERT_EQ(0, mprotect(self->faulty + FOUND_LEN - 4096, 4096, PROT_NONE));
}

FIXTURE_TEARDOWN(found)
{
	if (geteuid())
		return;
	if (self->calling) {
		close(self->ep);	/* ends a stuck call with EPIPE */
		pthread_join(self->caller, NULL);
	}
	close(self->conn);
	close(self->ep);
	close(self->ctx);
	param_write("max_msg_size", self->saved_msg_size);
}

static void *found_caller(void *arg)
{
	FIXTURE_DATA(found) *self = arg;

	self->ret = fastipc_call_raw(self->conn, &self->call);
	return NULL;
}

static int found_start(FIXTURE_DATA(found) *self, const struct fastipc_call *call)
{
	self->call = *call;
	self->ret = 1;
	if (pthread_create(&self->caller, NULL, found_caller, self))
		return -1;
	self->calling = true;
	return 0;
}

/* The call's outcome within @seconds, or 1 if it is still waiting. */
static int found_outcome(FIXTURE_DATA(found) *self, int seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	if (pthread_timedjoin_np(self->caller, NULL, &ts))
		return 1;
	self->calling = false;
	return self->ret;
}

/*
 * The receiver faults copying a pinned request out: the call goes back on
 * the queue, and its caller's send timeout (2 s) must end it.
 */
TEST_F_TIMEOUT(found, caller_keeps_its_timeout_when_the_receiver_faults, 60)
{
	struct fastipc_call call = {
		.len = FOUND_LEN, .type = 1, .data = (uintptr_t)self->big,
		.send_timeout = fastipc_timeout_rel(2 * SEC),
		/* Tiny: the caller wakes again and again while the copy runs. */
		.reply_timeout = fastipc_timeout_rel(1000),
	};
	struct fastipc_recv r = {
		.capacity = FOUND_LEN, .data = (uintptr_t)self->faulty,
		.timeout = fastipc_timeout_rel(10 * SEC),
	};
	struct fastipc_endpoint_stat st;
	int ret;

	ASSERT_EQ(0, found_start(self, &call));
	do {
		usleep(1000);
		ASSERT_EQ(0, fastipc_stat(self->ep, NULL, &st));
	} while (!st.queued);
	EXPECT_EQ(-EFAULT, fastipc_recv_raw(self->ep, &r));
	ret = found_outcome(self, 10);
	ASSERT_NE(1, ret) TH_LOG("the caller still waits 8 s after its send timeout ran out");
	EXPECT_EQ(-ETIMEDOUT, ret);
}

/*
 * The server faults copying its reply into the caller's pinned reply
 * buffer, while the caller's reply timeout runs out: the caller must get
 * ETIMEDOUT (the token stays good, a later reply is dropped).
 */
TEST_F_TIMEOUT(found, caller_keeps_its_timeout_when_the_reply_faults, 60)
{
	struct fastipc_call call = {
		.len = 3, .type = 1, .data = (uintptr_t)"ask",
		.reply_data = (uintptr_t)self->big, .reply_capacity = FOUND_LEN,
		.send_timeout = fastipc_timeout_rel(10 * SEC),
		.reply_timeout = fastipc_timeout_rel(SEC),
	};
	struct fastipc_reply rep = { .len = FOUND_LEN, .type = 2 };
	struct fastipc_msg_info info;
	uint64_t copy_ns, t0;
	char buf[16];
	int ret;

	/* How long a whole reply takes to copy, to aim into its middle. */
	ASSERT_EQ(0, found_start(self, &call));
	ASSERT_EQ(3, fastipc_recv(self->ep, 0, buf, sizeof(buf), &info, NULL));
	rep.token = info.token;
	rep.data = (uintptr_t)self->faulty + 4096;
	rep.len = FOUND_LEN - 8192;
	t0 = now_ns();
	ASSERT_EQ(0, ioctl(self->ep, FASTIPC_IOC_REPLY, &rep));
	copy_ns = now_ns() - t0;
	ASSERT_EQ(0, found_outcome(self, 10));
	ASSERT_EQ(FOUND_LEN - 8192, self->call.reply_len);
	if (copy_ns < 4 * MS)
		SKIP(return, "a 64 MiB copy takes %llu us here: too short to aim at",
		     (unsigned long long)(copy_ns / 1000));

	/* The reply timeout runs out half way through the (faulting) copy. */
	ASSERT_EQ(0, found_start(self, &call));
	ASSERT_EQ(3, fastipc_recv(self->ep, 0, buf, sizeof(buf), &info, NULL));
	usleep((SEC - copy_ns / 2) / 1000);
	rep = (struct fastipc_reply){ .len = FOUND_LEN, .type = 2, .token = info.token,
				      .data = (uintptr_t)self->faulty };
	/*
	 * EFAULT, or ECANCELED once the caller withdrew the call while the
	 * server was still copying (into kernel memory: a source that cannot
	 * be pinned never goes straight into the caller's pages).
	 */
	ret = ioctl(self->ep, FASTIPC_IOC_REPLY, &rep) ? -errno : 0;
	EXPECT_TRUE(ret == -EFAULT || ret == -ECANCELED) TH_LOG("REPLY: %s", strerror(-ret));
	ret = found_outcome(self, 10);
	ASSERT_NE(1, ret) TH_LOG("the caller still waits 9 s after its reply timeout ran out");
	EXPECT_EQ(-ETIMEDOUT, ret);
}

TEST_HARNESS_MAIN
