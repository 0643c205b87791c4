// SPDX-License-Identifier: GPL-2.0
/*
 * fastipc_bench: fastipc and its peers, measured by one harness, in one
 * boot, interleaved (DESIGN.md §9).
 *
 * Every mechanism runs between two processes (forked per run, pinned with
 * sched_setaffinity), timed with CLOCK_MONOTONIC, one timestamp per round
 * trip.  The list of rows is run in several passes; inside a pass each row
 * runs every mechanism back to back, in an order that alternates from pass to
 * pass, so fastipc and a peer are always measured seconds apart.  Each pass
 * keeps its own medians; a ratio is taken within each pass and the median of
 * those per-pass ratios is reported.
 *
 * Rows (--rows):
 *   floors  clock read, null system call (getppid), context switch
 *           (sched_yield ping-pong of two processes on one CPU), a non-blocking
 *           8 B send + receive (per call) on fastipc and on a pipe, memcpy and
 *           process_vm_writev bandwidth, 64 B .. 1 MiB
 *   rt      round trip, request and reply of 8 B, 64 B, 4 KiB; median, p99
 *           and CPU time (user + system, both processes) per round trip;
 *           same CPU, cross CPU, unpinned
 *   call    request of 64 B .. 1 MiB, reply of 8 B, same CPU: latency and
 *           request bandwidth; fastipc copy vs zero copy
 *   stream  one-way streaming, 64 B .. 1 MiB messages, cross CPU
 *           (same CPU with --icount)
 *   mc      16 client processes -> one server process with one thread per
 *           CPU, unpinned: calls/s, median and p99
 *   pairs   N independent client/server pairs, pair i on CPU i, vs one pair
 *
 * --icount keeps the rows whose processes share one CPU (for qemu -icount,
 * where only those are meaningful); there, guest time counts instructions.
 *
 * Output: a table on stdout; DIR/results.tsv (metric mechanism size placement
 * value unit, median over passes), DIR/passes.tsv (the same per pass),
 * DIR/ratios.tsv (name value).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MAX_PASSES	16
#define MAX_SAMPLES	(1u << 21)
#define MAX_PROCS	(2 * BENCH_MAX_CLIENTS + 4)
#define RUN_SAMPLES	200000
#define KIB		1024
#define MIB		(1024 * 1024)

/* ------------------------------------------------------------ options --- */

enum {
	ROW_FLOORS = 1 << 0,
	ROW_RT = 1 << 1,
	ROW_CALL = 1 << 2,
	ROW_STREAM = 1 << 3,
	ROW_MC = 1 << 4,
	ROW_PAIRS = 1 << 5,
	ROW_ALL = (1 << 6) - 1,
};

static struct {
	unsigned int rows;
	int passes;
	double budget_ms;	/* measured time per run */
	double max_seconds;	/* start no pass that would end later */
	int icount;
	int clients;
	int threads;
	int npairs;
	const char *out;
	const char *mechs;	/* comma-separated filter, or NULL */
	int quiet;
	int tune;	/* raise the queues' system limits (a throw-away guest) */
} opt = {
	.rows = ROW_ALL,
	.passes = 0,	/* 5, or 2 with --icount (deterministic there) */
	.budget_ms = 0,	/* 100, or 50 with --icount */
	.max_seconds = 420,
	.clients = 16,
	.out = "bench-out",
};

int bench_ncpus = 1;

/* ----------------------------------------------------- shared memory --- */

struct proc_result {
	int err;
	char msg[200];
	uint64_t n;		/* measured iterations (or messages, or calls) */
	uint64_t warm;		/* warm-up iterations */
	uint64_t off;		/* where this process's samples start */
	uint64_t nsamples;
	double loop_cpu_ns;	/* its own CPU time over warm-up + measure */
	double life_cpu_ns;	/* its whole life's, from wait4() */
	double cpu_start_ns;	/* a server's CPU time when its loop began */
	double wall_ns;		/* measured wall time */
	double bytes;		/* streaming: bytes in the window */
	uint64_t aux;
};

struct shared {
	struct proc_result res[MAX_PROCS];
	_Atomic uint64_t counter;	/* context-switch partner */
	_Atomic int finished;		/* a main child is done: peers may go */
	uint64_t t0, t1;		/* the measurement window of windowed runs */
	uint32_t samples[];
};

static struct shared *sh;
static struct proc_result *my_res;	/* in a child: its result slot */
static char orch_err[200];		/* in the orchestrator: the last error */

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static uint64_t now_u64(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

static double cpu_self_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
}

static double ru_ns(const struct rusage *ru)
{
	return (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e9 +
	       (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1e3;
}

int bench_err(const char *fmt, ...)
{
	char *dst = my_res ? my_res->msg : orch_err;
	size_t cap = my_res ? sizeof(my_res->msg) : sizeof(orch_err);
	va_list ap;

	/* Keep the first error: it is the cause. */
	if (my_res && my_res->err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(dst, cap, fmt, ap);
	va_end(ap);
	if (my_res)
		my_res->err = 1;
	return -1;
}

int bench_read_full(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return bench_err("read: %s", n ? strerror(errno) : "end of file");
		p += n;
		len -= n;
	}
	return 0;
}

int bench_write_full(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return bench_err("write: %s", strerror(errno));
		p += n;
		len -= n;
	}
	return 0;
}

void *bench_shm(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0, len);
	return p;
}

uint64_t bench_touch(const void *buf, size_t len)
{
	const volatile uint64_t *p = buf;
	uint64_t sum = 0;

	for (size_t i = 0; i < len / 8; i++)
		sum += p[i];
	return sum;
}

/* ------------------------------------------------------------- notes --- */

static char *notes[256];
static int nnotes;

void bench_note(const char *fmt, ...)
{
	char buf[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (int i = 0; i < nnotes; i++)
		if (!strcmp(notes[i], buf))
			return;
	if (nnotes < (int)(sizeof(notes) / sizeof(notes[0])))
		notes[nnotes++] = strdup(buf);
}

static void progress(const char *fmt, ...)
{
	va_list ap;

	if (opt.quiet)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "progress: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ----------------------------------------------------------- results --- */

struct cell {
	char metric[24];
	char mech[24];
	long size;		/* -1: none */
	char place[12];
	char unit[8];
	double v[MAX_PASSES];	/* NAN: not measured in that pass */
};

static struct cell *cells;
static int ncells, cells_cap;
static int pass;		/* the pass being run */
static int passes_done;

static struct cell *cell_find(const char *metric, const char *mech, long size,
			      const char *place)
{
	for (int i = 0; i < ncells; i++) {
		struct cell *c = &cells[i];

		if (c->size == size && !strcmp(c->metric, metric) &&
		    !strcmp(c->mech, mech) && !strcmp(c->place, place))
			return c;
	}
	return NULL;
}

static void record(const char *metric, const char *mech, long size, const char *place,
		   const char *unit, double v)
{
	struct cell *c = cell_find(metric, mech, size, place);

	if (!c) {
		if (ncells == cells_cap) {
			cells_cap = cells_cap ? 2 * cells_cap : 256;
			cells = realloc(cells, cells_cap * sizeof(*cells));
			if (!cells)
				abort();
		}
		c = &cells[ncells++];
		memset(c, 0, sizeof(*c));
		snprintf(c->metric, sizeof(c->metric), "%s", metric);
		snprintf(c->mech, sizeof(c->mech), "%s", mech);
		snprintf(c->place, sizeof(c->place), "%s", place);
		snprintf(c->unit, sizeof(c->unit), "%s", unit);
		c->size = size;
		for (int i = 0; i < MAX_PASSES; i++)
			c->v[i] = NAN;
	}
	c->v[pass] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of the non-NaN values (the lower one of an even count). */
static double median_of(const double *v, int n, double *lo, double *hi)
{
	double tmp[MAX_PASSES];
	int k = 0;

	for (int i = 0; i < n; i++)
		if (!isnan(v[i]))
			tmp[k++] = v[i];
	if (lo)
		*lo = NAN;
	if (hi)
		*hi = NAN;
	if (!k)
		return NAN;
	qsort(tmp, k, sizeof(tmp[0]), cmp_double);
	if (lo)
		*lo = tmp[0];
	if (hi)
		*hi = tmp[k - 1];
	return k % 2 ? tmp[k / 2] : (tmp[k / 2 - 1] + tmp[k / 2]) / 2;
}

static double cell_median(const char *metric, const char *mech, long size, const char *place)
{
	struct cell *c = cell_find(metric, mech, size, place);

	return c ? median_of(c->v, passes_done, NULL, NULL) : NAN;
}

/* ------------------------------------------------ process management --- */

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (cpu < 0) {
		for (int i = 0; i < bench_ncpus; i++)
			CPU_SET(i, &set);
	} else {
		CPU_SET(cpu % bench_ncpus, &set);
	}
	if (sched_setaffinity(0, sizeof(set), &set))
		bench_err("sched_setaffinity: %s", strerror(errno));
}

static void reset_results(int n)
{
	memset(sh->res, 0, n * sizeof(sh->res[0]));
	atomic_store(&sh->finished, 0);
}

static void child_start(int slot, int cpu)
{
	my_res = &sh->res[slot];
	signal(SIGALRM, SIG_DFL);
	pin(cpu);
}

static _Noreturn void child_exit(void)
{
	_exit(my_res && my_res->err ? 1 : 0);
}

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/*
 * Wait until every "main" child has exited (they end a run); then kill the
 * "aux" children (servers that loop for ever) and collect their CPU time in
 * their slots' life_cpu_ns.  A failure of any child, or the timeout, ends the run.
 * Returns 0, or -1 with the reason in orch_err.
 */
struct kid {
	pid_t pid;
	int slot;
	int main;
	int done;
};

static int wait_kids(struct kid *kids, int nkids, double timeout_s)
{
	int left = 0, ret = 0;

	for (int i = 0; i < nkids; i++)
		left += kids[i].main;
	alarmed = 0;
	alarm((unsigned int)ceil(timeout_s));
	while (left > 0) {
		struct rusage ru;
		int status, i;
		pid_t pid = wait4(-1, &status, 0, &ru);

		if (pid < 0) {
			if (errno == EINTR && !alarmed)
				continue;
			snprintf(orch_err, sizeof(orch_err), "timed out after %.0f s",
				 timeout_s);
			ret = -1;
			break;
		}
		for (i = 0; i < nkids && kids[i].pid != pid; i++)
			;
		if (i == nkids)
			continue;
		kids[i].done = 1;
		sh->res[kids[i].slot].life_cpu_ns = ru_ns(&ru);
		if (!WIFEXITED(status) || WEXITSTATUS(status) || !kids[i].main) {
			const struct proc_result *r = &sh->res[kids[i].slot];

			if (r->err)
				snprintf(orch_err, sizeof(orch_err), "%s", r->msg);
			else if (WIFSIGNALED(status))
				snprintf(orch_err, sizeof(orch_err), "a %s died of signal %d",
					 kids[i].main ? "client" : "server", WTERMSIG(status));
			else
				snprintf(orch_err, sizeof(orch_err), "a %s exited early",
					 kids[i].main ? "client" : "server");
			ret = -1;
			break;
		}
		left--;
	}
	alarm(0);
	for (int i = 0; i < nkids; i++)
		if (!kids[i].done)
			kill(kids[i].pid, SIGKILL);
	for (int i = 0; i < nkids; i++) {
		struct rusage ru;

		if (kids[i].done)
			continue;
		if (wait4(kids[i].pid, NULL, 0, &ru) == kids[i].pid)
			sh->res[kids[i].slot].life_cpu_ns = ru_ns(&ru);
	}
	return ret;
}

static pid_t spawn(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	return pid;
}

static int alloc_bufs(struct bench_chan *ch)
{
	size_t len = ch->max_len > ch->rep_len ? ch->max_len : ch->rep_len;

	if (ch->sbuf)
		return 0;	/* the mechanism brings its own */
	ch->sbuf = malloc(len + 64);
	ch->rbuf = malloc(len + 64);
	if (!ch->sbuf || !ch->rbuf)
		return bench_err("out of memory");
	memset(ch->sbuf, 0x5a, len + 64);
	memset(ch->rbuf, 0, len + 64);
	return 0;
}

static void chan_init(struct bench_chan *ch, const struct bench_mech *m, size_t req,
		      size_t rep)
{
	memset(ch, 0, sizeof(*ch));
	ch->mech = m;
	ch->req_len = req;
	ch->rep_len = rep;
	ch->max_len = req > rep ? req : rep;
	ch->qid[0] = ch->qid[1] = -1;
	ch->b_fd = -1;
	ch->touch = !!(m->caps & CAP_TOUCH);
}

/* ---------------------------------------------------------- placements --- */

struct place {
	const char *name;
	int client_cpu, server_cpu;
};

static const struct place places[] = {
	{ "same", 0, 0 },
	{ "cross", 0, 1 },
	{ "unpinned", -1, -1 },
};

/* ------------------------------------------------- round trips (rt) --- */

struct rt_stats {
	double p50, p99, mean, cpu;
	uint64_t n;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void sample_stats(uint32_t *s, uint64_t n, double *p50, double *p99)
{
	qsort(s, n, sizeof(*s), cmp_u32);
	*p50 = s[n / 2];
	*p99 = s[n * 99 / 100];
}

/*
 * A looping child (a server, a streaming sender, a context-switch partner)
 * whose operation failed: if a main child already finished, the failure is
 * only its peer going away (EOF, EPIPE) -- wait to be killed.
 */
static _Noreturn void aux_failed(void)
{
	if (atomic_load(&sh->finished))
		for (;;)
			pause();
	child_exit();
	for (;;)
		pause();
}

static void main_finished(void)
{
	atomic_store(&sh->finished, 1);
}

static _Noreturn void rt_server(struct bench_chan *ch, int slot, int cpu, int ready)
{
	const struct bench_mech *m = ch->mech;

	child_start(slot, cpu);
	if (my_res->err || alloc_bufs(ch) || (m->server_init && m->server_init(ch)))
		child_exit();
	my_res->cpu_start_ns = cpu_self_ns();
	if (bench_write_full(ready, "r", 1))
		child_exit();
	for (;;)
		if (m->serve(ch))
			aux_failed();
}

/*
 * Warm up for about a fifth of the budget (at least a few iterations); the
 * cost of one iteration then gives the count that fills the budget.
 */
static uint64_t warm_up(int (*op)(struct bench_chan *), struct bench_chan *ch,
			uint64_t *warm, double budget_ns, uint64_t max)
{
	double t0 = now_ns(), t;
	uint64_t i = 0, n;

	do {
		if (op(ch))
			return 0;
		i++;
		t = now_ns() - t0;
	} while (i < 3 || (t < budget_ns / 5 && i < max));
	*warm = i;
	n = (uint64_t)(budget_ns / (t / i));
	if (n < 10)
		n = 10;
	return n > max ? max : n;
}

static _Noreturn void rt_client(struct bench_chan *ch, int cpu, int ready)
{
	const struct bench_mech *m = ch->mech;
	uint32_t *s = sh->samples;
	double cpu0, t0, t1, start;
	uint64_t n;
	char c;

	child_start(0, cpu);
	if (my_res->err || alloc_bufs(ch) || (m->client_init && m->client_init(ch)) ||
	    bench_read_full(ready, &c, 1))
		child_exit();
	cpu0 = cpu_self_ns();
	n = warm_up(m->call, ch, &my_res->warm, opt.budget_ms * 1e6, RUN_SAMPLES);
	if (!n)
		child_exit();
	start = t0 = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		if (m->call(ch))
			child_exit();
		t1 = now_ns();
		s[i] = (uint32_t)(t1 - t0);
		t0 = t1;
	}
	my_res->wall_ns = t0 - start;
	my_res->loop_cpu_ns = cpu_self_ns() - cpu0;
	my_res->n = n;
	main_finished();
	child_exit();
}

static double run_timeout(void)
{
	return 60 + opt.budget_ms * 1e-3 * 30;
}

static int setup_failed(const struct bench_mech *m, struct bench_chan *ch)
{
	if (!orch_err[0])
		snprintf(orch_err, sizeof(orch_err), "setup failed");
	if (m->teardown)
		m->teardown(ch);
	return -1;
}

/* One round-trip run: 0 with @st filled, or -1 with the reason in orch_err. */
static int run_rt(const struct bench_mech *m, size_t req, size_t rep, const struct place *pl,
		  struct rt_stats *st)
{
	struct proc_result *c = &sh->res[0], *s = &sh->res[1];
	struct bench_chan ch;
	struct kid kids[2];
	int ready[2], ret;

	orch_err[0] = 0;
	chan_init(&ch, m, req, rep);
	if (m->setup && m->setup(&ch))
		return setup_failed(m, &ch);
	if (pipe2(ready, O_CLOEXEC)) {
		bench_err("pipe2: %s", strerror(errno));
		return setup_failed(m, &ch);
	}
	reset_results(2);
	kids[1] = (struct kid){ .pid = spawn(), .slot = 1 };
	if (!kids[1].pid)
		rt_server(&ch, 1, pl->server_cpu, ready[1]);
	kids[0] = (struct kid){ .pid = spawn(), .slot = 0, .main = 1 };
	if (!kids[0].pid)
		rt_client(&ch, pl->client_cpu, ready[0]);
	close(ready[0]);
	close(ready[1]);
	ret = wait_kids(kids, 2, run_timeout());
	if (m->teardown)
		m->teardown(&ch);
	if (ret)
		return -1;
	if (!c->n) {
		snprintf(orch_err, sizeof(orch_err), "no samples");
		return -1;
	}
	st->n = c->n;
	sample_stats(sh->samples, c->n, &st->p50, &st->p99);
	st->mean = c->wall_ns / c->n;
	st->cpu = (c->loop_cpu_ns + s->life_cpu_ns - s->cpu_start_ns) /
		  (double)(c->n + c->warm);
	return 0;
}

/* ---------------------------------------------------------- streaming --- */

static _Noreturn void stream_receiver(struct bench_chan *ch, int cpu, int ready)
{
	const struct bench_mech *m = ch->mech;
	int every = ch->req_len >= 65536 ? 1 : ch->req_len >= 4096 ? 4 : 32;
	double budget = opt.budget_ms * 1e6, warm = budget / 4, t, t0;
	uint64_t msgs = 0;

	child_start(0, cpu);
	if (my_res->err || alloc_bufs(ch) || (m->server_init && m->server_init(ch)) ||
	    bench_write_full(ready, "r", 1))
		child_exit();
	if (m->recv(ch))
		child_exit();
	t0 = now_ns();
	do {
		for (int i = 0; i < every; i++)
			if (m->recv(ch))
				child_exit();
		t = now_ns();
		my_res->warm += every;
	} while (t - t0 < warm);
	t0 = t;
	do {
		for (int i = 0; i < every; i++)
			if (m->recv(ch))
				child_exit();
		msgs += every;
		t = now_ns();
	} while (t - t0 < budget);
	my_res->wall_ns = t - t0;
	my_res->n = msgs;
	my_res->bytes = (double)msgs * ch->req_len;
	main_finished();
	child_exit();
}

static _Noreturn void stream_sender(struct bench_chan *ch, int cpu, int ready)
{
	const struct bench_mech *m = ch->mech;
	char c;

	child_start(1, cpu);
	if (my_res->err || alloc_bufs(ch) || (m->client_init && m->client_init(ch)) ||
	    bench_read_full(ready, &c, 1))
		child_exit();
	for (;;)
		if (m->send(ch))
			aux_failed();
}

/* One-way streaming: bytes per second at the receiver, in MB/s. */
static int run_stream(const struct bench_mech *m, size_t size, const struct place *pl,
		      double *mbps)
{
	struct bench_chan ch;
	struct kid kids[2];
	int ready[2], ret;

	orch_err[0] = 0;
	chan_init(&ch, m, size, 0);
	ch.stream = 1;
	if (m->setup && m->setup(&ch))
		return setup_failed(m, &ch);
	if (pipe2(ready, O_CLOEXEC)) {
		bench_err("pipe2: %s", strerror(errno));
		return setup_failed(m, &ch);
	}
	reset_results(2);
	kids[0] = (struct kid){ .pid = spawn(), .slot = 0, .main = 1 };
	if (!kids[0].pid)
		stream_receiver(&ch, pl->server_cpu, ready[1]);
	kids[1] = (struct kid){ .pid = spawn(), .slot = 1 };
	if (!kids[1].pid)
		stream_sender(&ch, pl->client_cpu, ready[0]);
	close(ready[0]);
	close(ready[1]);
	ret = wait_kids(kids, 2, run_timeout());
	if (m->teardown)
		m->teardown(&ch);
	if (ret)
		return -1;
	*mbps = sh->res[0].bytes / sh->res[0].wall_ns * 1e3;
	return 0;
}

/* --------------------------------------- windowed runs: mc and pairs --- */

/*
 * Clients of a windowed run call for as long as the orchestrator's window
 * [t0, t1] lasts (plus its warm-up before t0); calls that end inside the
 * window count, and their latencies are kept (up to @cap per client).
 */
static _Noreturn void win_client(struct bench_chan *ch, int slot, int cpu, int cready, int go,
				 int (*init)(struct bench_chan *),
				 int (*op)(struct bench_chan *), uint64_t cap)
{
	uint32_t *s = sh->samples + (uint64_t)slot * cap;
	uint64_t t, prev, t0, t1, count = 0;
	double cpu0;
	char c;

	child_start(slot, cpu);
	if (my_res->err || alloc_bufs(ch) || (init && init(ch)) ||
	    bench_write_full(cready, "c", 1) || bench_read_full(go, &c, 1))
		child_exit();
	t0 = sh->t0;
	t1 = sh->t1;
	cpu0 = cpu_self_ns();
	prev = now_u64();
	for (;;) {
		if (op(ch))
			child_exit();
		t = now_u64();
		if (t >= t0 && t <= t1) {
			if (count < cap)
				s[count] = (uint32_t)(t - prev);
			count++;
		}
		if (t > t1)
			break;
		prev = t;
	}
	my_res->n = count;
	my_res->nsamples = count < cap ? count : cap;
	my_res->loop_cpu_ns = cpu_self_ns() - cpu0;
	main_finished();
	child_exit();
}

static _Noreturn void mc_server(struct bench_chan *ch, int slot, int ready)
{
	const struct bench_mech *m = ch->mech;
	pthread_t th;

	child_start(slot, -1);
	if (my_res->err || (m->mc_server_init && m->mc_server_init(ch)))
		child_exit();
	for (int i = 0; i < ch->nthreads; i++)
		if (pthread_create(&th, NULL, m->mc_server_thread, ch)) {
			bench_err("pthread_create: %s", strerror(errno));
			child_exit();
		}
	if (bench_write_full(ready, "r", 1))
		child_exit();
	for (;;)
		pause();
}

/* Read @n bytes that children write when ready, within the run's timeout. */
static int await_bytes(int fd, int n)
{
	char buf[MAX_PROCS];
	int ret;

	alarmed = 0;
	alarm((unsigned int)run_timeout());
	ret = bench_read_full(fd, buf, n);
	alarm(0);
	if (ret)
		snprintf(orch_err, sizeof(orch_err), "a child failed to start");
	return ret;
}

static void open_window(double warm_ns, double len_ns)
{
	sh->t0 = now_u64() + (uint64_t)warm_ns;
	sh->t1 = sh->t0 + (uint64_t)len_ns;
}

struct win_stats {
	double rate, p50, p99;
};

/* Gather the clients' samples at the start of the array, then the stats. */
static void win_collect(int nclients, uint64_t cap, struct win_stats *st)
{
	uint64_t calls = 0, k = 0;

	for (int i = 0; i < nclients; i++) {
		const struct proc_result *r = &sh->res[i];

		calls += r->n;
		memmove(sh->samples + k, sh->samples + (uint64_t)i * cap,
			r->nsamples * sizeof(uint32_t));
		k += r->nsamples;
	}
	st->rate = calls / ((sh->t1 - sh->t0) * 1e-9);
	st->p50 = st->p99 = NAN;
	if (k)
		sample_stats(sh->samples, k, &st->p50, &st->p99);
}

static int run_mc(const struct bench_mech *m, struct win_stats *st)
{
	int n = opt.clients, ready[2], cready[2], go[2], ret = -1;
	uint64_t cap = MAX_SAMPLES / n;
	struct kid kids[MAX_PROCS];
	struct bench_chan ch;
	char gobuf[MAX_PROCS];

	orch_err[0] = 0;
	chan_init(&ch, m, 64, 64);
	ch.nclients = n;
	ch.nthreads = opt.threads;
	if (m->mc_setup && m->mc_setup(&ch)) {
		if (m->mc_teardown)
			m->mc_teardown(&ch);
		return -1;
	}
	if (pipe2(ready, O_CLOEXEC) || pipe2(cready, O_CLOEXEC) || pipe2(go, O_CLOEXEC)) {
		bench_err("pipe2: %s", strerror(errno));
		goto out;
	}
	reset_results(n + 1);
	kids[n] = (struct kid){ .pid = spawn(), .slot = n };
	if (!kids[n].pid)
		mc_server(&ch, n, ready[1]);
	for (int i = 0; i < n; i++) {
		kids[i] = (struct kid){ .pid = spawn(), .slot = i, .main = 1 };
		if (!kids[i].pid) {
			ch.client_id = i;
			win_client(&ch, i, -1, cready[1], go[0], m->mc_client_init, m->mc_call,
				   cap);
		}
	}
	close(ready[1]);
	close(cready[1]);
	close(go[0]);
	if (await_bytes(ready[0], 1) || await_bytes(cready[0], n)) {
		for (int i = 0; i <= n; i++)
			kill(kids[i].pid, SIGKILL);
		wait_kids(kids, n + 1, 5);
		goto out_pipes;
	}
	open_window(opt.budget_ms * 1e6, 3 * opt.budget_ms * 1e6);
	memset(gobuf, 'g', n);
	bench_write_full(go[1], gobuf, n);
	ret = wait_kids(kids, n + 1, run_timeout());
	if (!ret)
		win_collect(n, cap, st);
out_pipes:
	close(ready[0]);
	close(cready[0]);
	close(go[1]);
out:
	if (m->mc_teardown)
		m->mc_teardown(&ch);
	return ret;
}

/* N independent pairs, pair i (client and server) on CPU i. */
static int run_pairs(const struct bench_mech *m, int npairs, double *rate)
{
	struct bench_chan ch[BENCH_MAX_CLIENTS];
	struct kid kids[2 * BENCH_MAX_CLIENTS];
	int ready[2], cready[2], go[2], ret = -1, nset = 0;
	uint64_t cap = MAX_SAMPLES / npairs;
	char gobuf[BENCH_MAX_CLIENTS];
	struct win_stats st;

	orch_err[0] = 0;
	for (; nset < npairs; nset++) {
		chan_init(&ch[nset], m, 64, 64);
		if (m->setup && m->setup(&ch[nset])) {
			nset++;
			goto out;
		}
	}
	if (pipe2(ready, O_CLOEXEC) || pipe2(cready, O_CLOEXEC) || pipe2(go, O_CLOEXEC)) {
		bench_err("pipe2: %s", strerror(errno));
		goto out;
	}
	reset_results(2 * npairs);
	for (int i = 0; i < npairs; i++) {
		kids[npairs + i] = (struct kid){ .pid = spawn(), .slot = npairs + i };
		if (!kids[npairs + i].pid)
			rt_server(&ch[i], npairs + i, i, ready[1]);
		kids[i] = (struct kid){ .pid = spawn(), .slot = i, .main = 1 };
		if (!kids[i].pid)
			win_client(&ch[i], i, i, cready[1], go[0], m->client_init, m->call, cap);
	}
	close(ready[1]);
	close(cready[1]);
	close(go[0]);
	if (await_bytes(ready[0], npairs) || await_bytes(cready[0], npairs)) {
		for (int i = 0; i < 2 * npairs; i++)
			kill(kids[i].pid, SIGKILL);
		wait_kids(kids, 2 * npairs, 5);
		goto out_pipes;
	}
	open_window(opt.budget_ms * 1e6, 3 * opt.budget_ms * 1e6);
	memset(gobuf, 'g', npairs);
	bench_write_full(go[1], gobuf, npairs);
	ret = wait_kids(kids, 2 * npairs, run_timeout());
	if (!ret) {
		win_collect(npairs, cap, &st);
		*rate = st.rate;
	}
out_pipes:
	close(ready[0]);
	close(cready[0]);
	close(go[1]);
out:
	for (int i = 0; i < nset; i++)
		if (m->teardown)
			m->teardown(&ch[i]);
	return ret;
}

/* ------------------------------------------------------------- floors --- */

static int op_clock(struct bench_chan *ch)
{
	struct timespec t;

	(void)ch;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return 0;
}

static int op_syscall(struct bench_chan *ch)
{
	(void)ch;
	syscall(SYS_getppid);
	return 0;
}

static int op_yield(struct bench_chan *ch)
{
	(void)ch;
	sched_yield();
	return 0;
}

static int op_memcpy(struct bench_chan *ch)
{
	memcpy(ch->rbuf, ch->sbuf, ch->req_len);
	__asm__ volatile("" : : "r"(ch->rbuf) : "memory");
	return 0;
}

static int op_pvwritev(struct bench_chan *ch)
{
	struct iovec local = { ch->sbuf, ch->req_len };
	struct iovec remote = { (void *)(uintptr_t)sh->res[1].aux, ch->req_len };
	ssize_t n = process_vm_writev(ch->fi_token, &local, 1, &remote, 1, 0);

	if (n != (ssize_t)ch->req_len)
		return bench_err("process_vm_writev: %s", n < 0 ? strerror(errno) : "short");
	return 0;
}

/* A main child that times @op: ns per operation in wall_ns / n. */
static _Noreturn void floor_main(struct bench_chan *ch, int cpu, int ready,
				 int (*op)(struct bench_chan *))
{
	double t0, cpu0;
	uint64_t n, c0;
	char c;

	child_start(0, cpu);
	if (my_res->err || alloc_bufs(ch) || (ready >= 0 && bench_read_full(ready, &c, 1)))
		child_exit();
	n = warm_up(op, ch, &my_res->warm, opt.budget_ms * 1e6, UINT64_MAX / 2);
	if (!n)
		child_exit();
	c0 = atomic_load(&sh->counter);
	cpu0 = cpu_self_ns();
	t0 = now_ns();
	for (uint64_t i = 0; i < n; i++)
		if (op(ch))
			child_exit();
	my_res->wall_ns = now_ns() - t0;
	my_res->loop_cpu_ns = cpu_self_ns() - cpu0;
	my_res->n = n;
	my_res->bytes = (double)(atomic_load(&sh->counter) - c0);
	main_finished();
	child_exit();
}

/* The context-switch partner: yields for ever, counting its turns. */
static _Noreturn void yield_partner(int cpu, int ready)
{
	child_start(1, cpu);
	if (bench_write_full(ready, "r", 1))
		child_exit();
	for (;;) {
		sched_yield();
		atomic_fetch_add(&sh->counter, 1);
	}
}

/* The process_vm_writev target: a buffer, its address in aux, then sleep. */
static _Noreturn void pv_target(size_t size, int ready)
{
	unsigned char *buf;

	child_start(1, -1);
	buf = malloc(size);
	if (!buf)
		child_exit();
	memset(buf, 0, size);
	my_res->aux = (uintptr_t)buf;
	if (bench_write_full(ready, "r", 1))
		child_exit();
	for (;;)
		pause();
}

/* The same for a pipe: an 8 B write and its read, in one process. */
static int op_pipe_nb(struct bench_chan *ch)
{
	static int fds[2] = { -1, -1 };

	if (fds[0] < 0 && pipe2(fds, O_CLOEXEC | O_NONBLOCK))
		return bench_err("pipe2: %s", strerror(errno));
	if (write(fds[1], ch->sbuf, 8) != 8 || read(fds[0], ch->rbuf, 8) != 8)
		return bench_err("pipe write/read: %s", strerror(errno));
	return 0;
}

enum floor_kind { F_CLOCK, F_SYSCALL, F_YIELD, F_MEMCPY, F_PVWRITEV, F_FASTIPC_NB, F_PIPE_NB };

/* ns per operation; for F_YIELD, per context switch. */
static int run_floor(enum floor_kind kind, size_t size, double *ns)
{
	static int (*const ops[])(struct bench_chan *) = {
		op_clock, op_syscall, op_yield, op_memcpy, op_pvwritev, bench_fastipc_nb_pair,
		op_pipe_nb,
	};
	struct bench_chan ch;
	struct kid kids[2];
	int nkids = 1, ready[2] = { -1, -1 }, ret;

	orch_err[0] = 0;
	chan_init(&ch, &mech_pipe, size ? size : 8, 0);
	reset_results(2);
	atomic_store(&sh->counter, 0);
	if ((kind == F_YIELD || kind == F_PVWRITEV) && pipe2(ready, O_CLOEXEC))
		return bench_err("pipe2: %s", strerror(errno));
	if (kind == F_YIELD) {
		kids[1] = (struct kid){ .pid = spawn(), .slot = 1 };
		if (!kids[1].pid)
			yield_partner(0, ready[1]);
		nkids = 2;
	} else if (kind == F_PVWRITEV) {
		kids[1] = (struct kid){ .pid = spawn(), .slot = 1 };
		if (!kids[1].pid)
			pv_target(size, ready[1]);
		ch.fi_token = kids[1].pid;
		nkids = 2;
	}
	kids[0] = (struct kid){ .pid = spawn(), .slot = 0, .main = 1 };
	if (!kids[0].pid)
		floor_main(&ch, 0, ready[0], ops[kind]);
	if (ready[0] >= 0) {
		close(ready[0]);
		close(ready[1]);
	}
	ret = wait_kids(kids, nkids, run_timeout());
	if (ret)
		return -1;
	*ns = sh->res[0].wall_ns / sh->res[0].n;
	if (kind == F_FASTIPC_NB || kind == F_PIPE_NB)
		*ns /= 2;	/* per system call */
	if (kind == F_YIELD) {
		/* Each of our yields should hand over to the partner and back. */
		double turns = sh->res[0].bytes / sh->res[0].n;

		*ns /= 2;
		if (turns < 0.9 || turns > 1.1)
			bench_note("context switch: the partner ran %.2f times per yield "
				   "(expected 1): the figure is not one switch", turns);
	}
	return 0;
}

/* --------------------------------------------------------------- rows --- */

static const struct bench_mech *const all_mechs[] = {
	&mech_fastipc, &mech_fastipc_zc, &mech_fastipc_zc_touch, &mech_fastipc_spin, &mech_pipe,
	&mech_unix_stream, &mech_unix_seqpacket, &mech_sysv, &mech_posix_mq,
	&mech_futex, &mech_eventfd, &mech_binder, &mech_spin,
};
#define NMECHS	(int)(sizeof(all_mechs) / sizeof(all_mechs[0]))

static const size_t rt_sizes[] = { 8, 64, 4096 };
static const size_t big_sizes[] = {
	64, 256, KIB, 4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, MIB,
};
#define NRT	(int)(sizeof(rt_sizes) / sizeof(rt_sizes[0]))
#define NBIG	(int)(sizeof(big_sizes) / sizeof(big_sizes[0]))

static int selected(const struct bench_mech *m)
{
	const char *p = opt.mechs;
	size_t len = strlen(m->name);

	if (!p)
		return 1;
	while (*p) {
		if (!strncmp(p, m->name, len) && (p[len] == ',' || !p[len]))
			return 1;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	return 0;
}

static int usable(const struct bench_mech *m, unsigned int cap)
{
	static int checked[NMECHS], ok[NMECHS];
	int i;

	if (!(m->caps & cap) || !selected(m))
		return 0;
	for (i = 0; all_mechs[i] != m; i++)
		;
	if (!checked[i]) {
		const char *why = m->available ? m->available() : NULL;

		checked[i] = 1;
		ok[i] = !why;
		if (why)
			bench_note("%s: skipped: %s", m->name, why);
	}
	return ok[i];
}

/* The mechanisms of a row, in this pass's order (reversed every other pass). */
static int row_mechs(unsigned int cap, const struct bench_mech **out)
{
	int n = 0;

	for (int i = 0; i < NMECHS; i++) {
		const struct bench_mech *m = all_mechs[pass % 2 ? NMECHS - 1 - i : i];

		if (usable(m, cap))
			out[n++] = m;
	}
	return n;
}

static const char *size_name(size_t size)
{
	static char buf[4][24];
	static int k;
	char *b = buf[k++ % 4];

	if (size >= MIB && size % MIB == 0)
		snprintf(b, 24, "%zuM", size / MIB);
	else if (size >= KIB && size % KIB == 0)
		snprintf(b, 24, "%zuk", size / KIB);
	else
		snprintf(b, 24, "%zu", size);
	return b;
}

static void failed(const char *what, const struct bench_mech *m, size_t size,
		   const char *place)
{
	bench_note("%s %s %s %s: %s", what, m ? m->name : "", size ? size_name(size) : "",
		   place, orch_err);
}

static void row_floors(void)
{
	double ns;

	progress("pass %d: floors", pass + 1);
	if (!run_floor(F_CLOCK, 0, &ns))
		record("floor_ns", "clock", -1, "same", "ns", ns);
	else
		failed("floor", NULL, 0, "clock");
	if (!run_floor(F_SYSCALL, 0, &ns))
		record("floor_ns", "null-syscall", -1, "same", "ns", ns);
	else
		failed("floor", NULL, 0, "null-syscall");
	if (!run_floor(F_YIELD, 0, &ns))
		record("floor_ns", "ctxsw", -1, "same", "ns", ns);
	else
		failed("floor", NULL, 0, "ctxsw");
	if (!run_floor(F_PIPE_NB, 0, &ns))
		record("floor_ns", "pipe-nb", -1, "same", "ns", ns);
	else
		failed("floor", NULL, 0, "pipe-nb");
	if (usable(&mech_fastipc, CAP_RT)) {
		if (!run_floor(F_FASTIPC_NB, 0, &ns))
			record("floor_ns", "fastipc-nb", -1, "same", "ns", ns);
		else
			failed("floor", NULL, 0, "fastipc-nb");
	}
	for (int i = 0; i < NBIG; i++) {
		size_t size = big_sizes[i];

		if (!run_floor(F_MEMCPY, size, &ns))
			record("copy_bw", "memcpy", size, "same", "MB/s", size / ns * 1e3);
		else
			failed("floor memcpy", NULL, size, "");
		if (!run_floor(F_PVWRITEV, size, &ns))
			record("copy_bw", "pvwritev", size, "same", "MB/s", size / ns * 1e3);
		else
			failed("floor pvwritev", NULL, size, "");
	}
}

static void row_rt(const struct place *pl, size_t size)
{
	const struct bench_mech *ms[NMECHS];
	int n = row_mechs(CAP_RT, ms);
	struct rt_stats st;

	progress("pass %d: rt %s %s", pass + 1, size_name(size), pl->name);
	for (int i = 0; i < n; i++) {
		if ((ms[i]->caps & CAP_NO_SAME) && !strcmp(pl->name, "same"))
			continue;
		if (run_rt(ms[i], size, size, pl, &st)) {
			failed("rt", ms[i], size, pl->name);
			continue;
		}
		record("rt_p50", ms[i]->name, size, pl->name, "ns", st.p50);
		record("rt_p99", ms[i]->name, size, pl->name, "ns", st.p99);
		record("rt_cpu", ms[i]->name, size, pl->name, "ns", st.cpu);
	}
}

#define CALL_REPLY	8

static void row_call(size_t size)
{
	const struct bench_mech *ms[NMECHS];
	int n = row_mechs(CAP_CALL, ms);
	struct rt_stats st;

	progress("pass %d: call %s", pass + 1, size_name(size));
	for (int i = 0; i < n; i++) {
		if (ms[i]->max_len && size > ms[i]->max_len)
			continue;
		if (run_rt(ms[i], size, CALL_REPLY, &places[0], &st)) {
			failed("call", ms[i], size, "same");
			continue;
		}
		record("call_p50", ms[i]->name, size, "same", "ns", st.p50);
		record("call_p99", ms[i]->name, size, "same", "ns", st.p99);
		record("call_bw", ms[i]->name, size, "same", "MB/s", size / st.p50 * 1e3);
	}
}

static const struct place *stream_place(void)
{
	return opt.icount ? &places[0] : &places[1];
}

static void row_stream(size_t size)
{
	const struct bench_mech *ms[NMECHS];
	int n = row_mechs(CAP_STREAM, ms);
	const struct place *pl = stream_place();
	double mbps;

	progress("pass %d: stream %s", pass + 1, size_name(size));
	for (int i = 0; i < n; i++) {
		if (run_stream(ms[i], size, pl, &mbps)) {
			failed("stream", ms[i], size, pl->name);
			continue;
		}
		record("stream_bw", ms[i]->name, size, pl->name, "MB/s", mbps);
	}
}

static void row_mc(void)
{
	const struct bench_mech *ms[NMECHS];
	int n = row_mechs(CAP_MC, ms);
	struct win_stats st;

	progress("pass %d: %d clients -> 1 endpoint, %d threads", pass + 1, opt.clients,
		 opt.threads);
	for (int i = 0; i < n; i++) {
		if (run_mc(ms[i], &st)) {
			failed("mc", ms[i], 64, "unpinned");
			continue;
		}
		record("mc_rate", ms[i]->name, 64, "unpinned", "1/s", st.rate);
		record("mc_p50", ms[i]->name, 64, "unpinned", "ns", st.p50);
		record("mc_p99", ms[i]->name, 64, "unpinned", "ns", st.p99);
	}
}

static char pairs_place[16];

static void row_pairs(void)
{
	const struct bench_mech *ms[NMECHS];
	int n = row_mechs(CAP_PAIRS, ms);
	double rate;

	progress("pass %d: %d pairs", pass + 1, opt.npairs);
	for (int i = 0; i < n; i++) {
		if (run_pairs(ms[i], 1, &rate))
			failed("pairs", ms[i], 64, "1pair");
		else
			record("pairs_rate", ms[i]->name, 64, "1pair", "1/s", rate);
		if (run_pairs(ms[i], opt.npairs, &rate))
			failed("pairs", ms[i], 64, pairs_place);
		else
			record("pairs_rate", ms[i]->name, 64, pairs_place, "1/s", rate);
	}
}

static void run_pass(void)
{
	if (opt.rows & ROW_FLOORS)
		row_floors();
	if (opt.rows & ROW_RT)
		for (int p = 0; p < (opt.icount ? 1 : 3); p++)
			for (int s = 0; s < NRT; s++)
				row_rt(&places[p], rt_sizes[s]);
	if (opt.rows & ROW_CALL)
		for (int s = 0; s < NBIG; s++)
			row_call(big_sizes[s]);
	if (opt.rows & ROW_STREAM)
		for (int s = 0; s < NBIG; s++)
			row_stream(big_sizes[s]);
	if ((opt.rows & ROW_MC) && !opt.icount)
		row_mc();
	if ((opt.rows & ROW_PAIRS) && !opt.icount && bench_ncpus > 1)
		row_pairs();
}

/* ------------------------------------------------------------- ratios --- */

struct key {
	const char *metric, *mech;
	long size;
	const char *place;
};

enum ratio_kind { R_DIV, R_CROSSOVER };

struct ratio {
	char name[48];
	enum ratio_kind kind;
	struct key a, b;
	double factor;		/* a / (factor * b) */
	const char *id;		/* the anchors' target, if any */
	double target, stretch;
	int higher;		/* higher is better */
	double v[MAX_PASSES];
	double value, lo, hi, best;
};

static struct ratio ratios[400];
static int nratios;

static int metric_higher(const char *metric)
{
	return strstr(metric, "_bw") || strstr(metric, "_rate");
}

/* A cell's value in pass @p, or over its best pass (@p < 0). */
static double get(const struct key *k, int p)
{
	struct cell *c = cell_find(k->metric, k->mech, k->size, k->place);
	double best = NAN;

	if (!c)
		return NAN;
	if (p >= 0)
		return c->v[p];
	for (int i = 0; i < passes_done; i++) {
		if (isnan(c->v[i]))
			continue;
		if (isnan(best) || (metric_higher(k->metric) ? c->v[i] > best : c->v[i] < best))
			best = c->v[i];
	}
	return best;
}

static struct ratio *ratio_add(const char *name, enum ratio_kind kind, struct key a,
			       struct key b, double factor)
{
	struct ratio *r;

	if (nratios == (int)(sizeof(ratios) / sizeof(ratios[0])))
		return &ratios[nratios - 1];
	r = &ratios[nratios++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->kind = kind;
	r->a = a;
	r->b = b;
	r->factor = factor;
	r->higher = metric_higher(a.metric);
	return r;
}

static void ratio_target(struct ratio *r, const char *id, double target, double stretch)
{
	r->id = id;
	r->target = target;
	r->stretch = stretch;
}

static double crossover(int p)
{
	for (int i = 0; i < NBIG; i++) {
		struct key zc = { "call_p50", "fastipc-zc", (long)big_sizes[i], "same" };
		struct key cp = { "call_p50", "fastipc", (long)big_sizes[i], "same" };
		double z = get(&zc, p), c = get(&cp, p);

		if (isnan(z) || isnan(c))
			return NAN;
		if (z < c)
			return (double)big_sizes[i];
	}
	return INFINITY;
}

static double ratio_eval(const struct ratio *r, int p)
{
	if (r->kind == R_CROSSOVER)
		return crossover(p);
	return get(&r->a, p) / (r->factor * get(&r->b, p));
}

static int ratio_known(const struct ratio *r)
{
	return !isnan(r->value);
}

static const char *const rt_peers[] = {
	"fastipc-zc", "pipe", "unix-stream", "unix-seqpacket", "sysv-msg", "posix-mq",
	"futex", "eventfd", "binder", "spin",
};

static const char *rt_size_tag(size_t size)
{
	return size == 8 ? "rt8" : size == 64 ? "rt64" : "rt4k";
}

static void define_ratios(void)
{
	struct ratio *r;
	char name[48];

#define KEY(m, mech, size, place) ((struct key){ m, mech, size, place })
#define NAME(...) (snprintf(name, sizeof(name), __VA_ARGS__), name)

	/* Round trips: fastipc over each peer, every size and placement. */
	for (int p = 0; p < 3; p++) {
		const char *pl = places[p].name;

		for (int s = 0; s < NRT; s++) {
			long sz = rt_sizes[s];

			for (size_t i = 0; i < sizeof(rt_peers) / sizeof(rt_peers[0]); i++) {
				/* Against spinning, fastipc spins too. */
				const char *ours = strcmp(rt_peers[i], "spin") ? "fastipc" :
						   "fastipc-spin";

				r = ratio_add(NAME("%s.%s.%s", rt_size_tag(sz), pl, rt_peers[i]),
					      R_DIV, KEY("rt_p50", ours, sz, pl),
					      KEY("rt_p50", rt_peers[i], sz, pl), 1);
				if (sz != 64)
					continue;
				if (!strcmp(pl, "same") && !strcmp(rt_peers[i], "pipe"))
					ratio_target(r, "L1", 0.90, 0.75);
				if (!strcmp(pl, "same") && !strcmp(rt_peers[i], "futex"))
					ratio_target(r, "L2", 0.95, 0.80);
				if (!strcmp(pl, "unpinned") && !strcmp(rt_peers[i], "pipe"))
					ratio_target(r, "L3", 0.75, 0.50);
				if (!strcmp(pl, "cross") && !strcmp(rt_peers[i], "futex"))
					ratio_target(r, "L5", 1.00, 0.85);
				if (!strcmp(rt_peers[i], "binder"))
					ratio_target(r, "L6", 0.80, 0.60);
				if (!strcmp(pl, "cross") && !strcmp(rt_peers[i], "spin"))
					ratio_target(r, "L9", 5.0, 3.0);
			}
		}
	}
	r = ratio_add("rt64.unpinned_over_same", R_DIV, KEY("rt_p50", "fastipc", 64, "unpinned"),
		      KEY("rt_p50", "fastipc", 64, "same"), 1);
	ratio_target(r, "L4", 1.25, 1.10);
	for (int p = 0; p < 3; p++) {
		const char *pl = places[p].name;

		r = ratio_add(NAME("tail64.%s.fastipc", pl), R_DIV,
			      KEY("rt_p99", "fastipc", 64, pl), KEY("rt_p50", "fastipc", 64, pl), 1);
		if (!strcmp(pl, "same"))
			ratio_target(r, "L10", 2.0, 1.5);
		if (!strcmp(pl, "unpinned"))
			ratio_target(r, "L10", 3.0, 2.0);
		ratio_add(NAME("tail64.%s.pipe", pl), R_DIV, KEY("rt_p99", "pipe", 64, pl),
			  KEY("rt_p50", "pipe", 64, pl), 1);
		r = ratio_add(NAME("cpu64.%s.pipe", pl), R_DIV, KEY("rt_cpu", "fastipc", 64, pl),
			      KEY("rt_cpu", "pipe", 64, pl), 1);
		ratio_target(r, "L11", 0.85, 0.70);
		ratio_add(NAME("cpu64.%s.futex", pl), R_DIV, KEY("rt_cpu", "fastipc", 64, pl),
			  KEY("rt_cpu", "futex", 64, pl), 1);
		ratio_add(NAME("cpu64.%s.binder", pl), R_DIV, KEY("rt_cpu", "fastipc", 64, pl),
			  KEY("rt_cpu", "binder", 64, pl), 1);
	}
	/* In units of the floors. */
	ratio_add("syscalls.rt64.same.fastipc", R_DIV, KEY("rt_p50", "fastipc", 64, "same"),
		  KEY("floor_ns", "null-syscall", -1, "same"), 1);
	ratio_add("syscalls.rt64.same.pipe", R_DIV, KEY("rt_p50", "pipe", 64, "same"),
		  KEY("floor_ns", "null-syscall", -1, "same"), 1);
	ratio_add("syscalls.ctxsw", R_DIV, KEY("floor_ns", "ctxsw", -1, "same"),
		  KEY("floor_ns", "null-syscall", -1, "same"), 1);
	r = ratio_add("nb8.syscall", R_DIV, KEY("floor_ns", "fastipc-nb", -1, "same"),
		      KEY("floor_ns", "null-syscall", -1, "same"), 1);
	ratio_target(r, "L8", 2.0, 1.5);
	ratio_add("nb8.pipe", R_DIV, KEY("floor_ns", "fastipc-nb", -1, "same"),
		  KEY("floor_ns", "pipe-nb", -1, "same"), 1);
	ratio_add("floor.rt64.same.pipe", R_DIV, KEY("rt_p50", "pipe", 64, "same"),
		  KEY("floor_ns", "ctxsw", -1, "same"), 2);
	ratio_add("floor.rt64.same.fastipc", R_DIV, KEY("rt_p50", "fastipc", 64, "same"),
		  KEY("floor_ns", "ctxsw", -1, "same"), 2);

	/* Calls by size: copy and zero copy. */
	for (size_t i = 0; i < sizeof(rt_peers) / sizeof(rt_peers[0]); i++) {
		if (!strcmp(rt_peers[i], "spin") || !strcmp(rt_peers[i], "fastipc-zc"))
			continue;
		ratio_add(NAME("call64.%s", rt_peers[i]), R_DIV, KEY("call_p50", "fastipc", 64, "same"),
			  KEY("call_p50", rt_peers[i], 64, "same"), 1);
		ratio_add(NAME("call1m.%s", rt_peers[i]), R_DIV, KEY("call_p50", "fastipc", MIB, "same"),
			  KEY("call_p50", rt_peers[i], MIB, "same"), 1);
	}
	r = ratio_add("zc.rt1m_over_rt64", R_DIV, KEY("call_p50", "fastipc-zc", MIB, "same"),
		      KEY("call_p50", "fastipc-zc", 64, "same"), 1);
	ratio_target(r, "T5", 1.2, 1.05);
	ratio_add("zc.touch.rt1m_over_rt64", R_DIV, KEY("call_p50", "fastipc-zc-touch", MIB, "same"),
		  KEY("call_p50", "fastipc-zc-touch", 64, "same"), 1);
	ratio_add("zc.call1m_over_copy", R_DIV, KEY("call_p50", "fastipc-zc", MIB, "same"),
		  KEY("call_p50", "fastipc", MIB, "same"), 1);
	r = ratio_add("zc.crossover_bytes", R_CROSSOVER, KEY("call_p50", "fastipc-zc", 0, "same"),
		      KEY("call_p50", "fastipc", 0, "same"), 1);
	ratio_target(r, "T6", 16384, 4096);
	r = ratio_add("bw1m.zc_touch.memcpy", R_DIV, KEY("call_bw", "fastipc-zc-touch", MIB, "same"),
		      KEY("copy_bw", "memcpy", MIB, "same"), 1);
	ratio_target(r, "T7", 0.8, 1.0);
	ratio_add("bw1m.call.pvwritev", R_DIV, KEY("call_bw", "fastipc", MIB, "same"),
		  KEY("copy_bw", "pvwritev", MIB, "same"), 1);

	/* Streaming bandwidth. */
	{
		const char *pl = stream_place()->name;
		static const char *const speers[] = {
			"pipe", "unix-stream", "unix-seqpacket", "sysv-msg", "posix-mq",
		};
		static const long bsz[] = { 64 * KIB, 256 * KIB, MIB };
		static const char *const btag[] = { "bw64k", "bw256k", "bw1m" };

		for (int j = 0; j < 3; j++) {
			r = ratio_add(NAME("%s.copy.pvwritev", btag[j]), R_DIV,
				      KEY("stream_bw", "fastipc", bsz[j], pl),
				      KEY("copy_bw", "pvwritev", bsz[j], "same"), 1);
			if (j == 0)
				ratio_target(r, "T2", 0.6, 0.8);
			else
				ratio_target(r, "T2", 0.8, 0.95);
			for (size_t i = 0; i < sizeof(speers) / sizeof(speers[0]); i++) {
				r = ratio_add(NAME("%s.copy.%s", btag[j], speers[i]), R_DIV,
					      KEY("stream_bw", "fastipc", bsz[j], pl),
					      KEY("stream_bw", speers[i], bsz[j], pl), 1);
				if (!strcmp(speers[i], "pipe"))
					ratio_target(r, "T3", 5.0, 10.0);
			}
		}
		r = ratio_add("bw1m.copy.memcpy", R_DIV, KEY("stream_bw", "fastipc", MIB, pl),
			      KEY("copy_bw", "memcpy", MIB, "same"), 1);
		ratio_target(r, "T4", 0.4, 0.6);
		for (size_t i = 0; i < sizeof(speers) / sizeof(speers[0]); i++) {
			r = ratio_add(NAME("stream64.%s", speers[i]), R_DIV,
				      KEY("stream_bw", "fastipc", 64, pl),
				      KEY("stream_bw", speers[i], 64, pl), 1);
			if (!strcmp(speers[i], "pipe"))
				ratio_target(r, "T1", 1.0, 1.5);
		}
	}

	/* Many clients, pairs. */
	{
		static const char *const mpeers[] = { "pipe", "sysv-msg", "binder" };

		for (size_t i = 0; i < sizeof(mpeers) / sizeof(mpeers[0]); i++) {
			r = ratio_add(NAME("mc.%s", mpeers[i]), R_DIV,
				      KEY("mc_rate", "fastipc", 64, "unpinned"),
				      KEY("mc_rate", mpeers[i], 64, "unpinned"), 1);
			if (!strcmp(mpeers[i], "pipe"))
				ratio_target(r, "S3", 1.0, 1.3);
		}
	}
	r = ratio_add("mc.p99_over_p50", R_DIV, KEY("mc_p99", "fastipc", 64, "unpinned"),
		      KEY("mc_p50", "fastipc", 64, "unpinned"), 1);
	ratio_target(r, "S4", 3.0, 2.0);
	r = ratio_add("scale.pairs", R_DIV, KEY("pairs_rate", "fastipc", 64, pairs_place),
		      KEY("pairs_rate", "fastipc", 64, "1pair"), opt.npairs);
	ratio_target(r, "S1", 0.8, 0.9);
	ratio_add("scale.pairs.pipe", R_DIV, KEY("pairs_rate", "pipe", 64, pairs_place),
		  KEY("pairs_rate", "pipe", 64, "1pair"), opt.npairs);
	r = ratio_add("pairs.pipe", R_DIV, KEY("pairs_rate", "fastipc", 64, pairs_place),
		      KEY("pairs_rate", "pipe", 64, pairs_place), 1);
	ratio_target(r, "S2", 1.2, 1.5);
#undef KEY
#undef NAME
}

static void compute_ratios(void)
{
	for (int i = 0; i < nratios; i++) {
		struct ratio *r = &ratios[i];

		for (int p = 0; p < passes_done; p++)
			r->v[p] = ratio_eval(r, p);
		r->value = median_of(r->v, passes_done, &r->lo, &r->hi);
		r->best = ratio_eval(r, -1);
	}
}

static const char *verdict(const struct ratio *r)
{
	if (!r->id || !ratio_known(r))
		return "";
	if (r->higher ? r->value >= r->stretch : r->value <= r->stretch)
		return "stretch";
	if (r->higher ? r->value >= r->target : r->value <= r->target)
		return "pass";
	return "MISS";
}

/* ------------------------------------------------------------- output --- */

static void fmt_num(char *buf, size_t cap, double v)
{
	if (isnan(v))
		snprintf(buf, cap, "nan");
	else if (isinf(v))
		snprintf(buf, cap, "inf");
	else if (fabs(v) >= 1000)
		snprintf(buf, cap, "%.0f", v);
	else
		snprintf(buf, cap, "%.4g", v);
}

static const char *us(double ns)
{
	static char buf[8][16];
	static int k;
	char *b = buf[k++ % 8];

	if (isnan(ns))
		return "-";
	snprintf(b, 16, ns >= 1e6 ? "%.0f" : ns >= 1e4 ? "%.1f" : "%.2f", ns / 1e3);
	return b;
}

static const char *num(double v)
{
	static char buf[8][16];
	static int k;
	char *b = buf[k++ % 8];

	if (isnan(v))
		return "-";
	snprintf(b, 16, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
	return b;
}

static int have_rows(const char *metric, const char *mech)
{
	for (int i = 0; i < ncells; i++)
		if (!strcmp(cells[i].metric, metric) && (!mech || !strcmp(cells[i].mech, mech)))
			return 1;
	return 0;
}

static void print_ratios(FILE *f, int with_target)
{
	fprintf(f, "\n  %-28s %9s %21s %9s   %s\n",
		with_target ? "with a target (anchors §7)" : "other ratios", "value", "[passes]",
		"best", with_target ? "id  target: pass / stretch" : "");
	for (int i = 0; i < nratios; i++) {
		const struct ratio *r = &ratios[i];
		char v[16], lo[16], hi[16], b[16], range[40], tgt[64] = "";

		if (!ratio_known(r) || !!r->id != with_target)
			continue;
		fmt_num(v, sizeof(v), r->value);
		fmt_num(lo, sizeof(lo), r->lo);
		fmt_num(hi, sizeof(hi), r->hi);
		fmt_num(b, sizeof(b), r->best);
		snprintf(range, sizeof(range), "[%s..%s]", lo, hi);
		if (r->id)
			snprintf(tgt, sizeof(tgt), "%-3s %s %g / %g  %s", r->id, r->higher ? ">=" : "<=",
				 r->target, r->stretch, verdict(r));
		fprintf(f, "  %-28s %9s %21s %9s   %s\n", r->name, v, range, b, tgt);
	}
}

static void print_tables(FILE *f)
{
	const char *spl = stream_place()->name;

	fprintf(f, "\nValues: the median over %d pass(es) of each pass's median; "
		"times in microseconds.\n", passes_done);
	fprintf(f, "Every round-trip sample includes one clock_gettime() (see floors); "
		"CPU per RT is (client + server CPU) / round trips, a mean.\n");
	if (opt.icount)
		fprintf(f, "icount: guest time counts instructions (1 ns each): path lengths, "
			"not memory speed.\n");

	if (have_rows("floor_ns", NULL)) {
		fprintf(f, "\n== Floors (one CPU)\n");
		fprintf(f, "  clock_gettime %s us   null syscall (getppid) %s us   "
			"context switch (sched_yield ping-pong, per switch) %s us\n",
			us(cell_median("floor_ns", "clock", -1, "same")),
			us(cell_median("floor_ns", "null-syscall", -1, "same")),
			us(cell_median("floor_ns", "ctxsw", -1, "same")));
		fprintf(f, "  non-blocking 8 B send + receive in one process, per system call: "
			"fastipc %s us, pipe %s us\n",
			us(cell_median("floor_ns", "fastipc-nb", -1, "same")),
			us(cell_median("floor_ns", "pipe-nb", -1, "same")));
		fprintf(f, "  %-18s", "copy MB/s");
		for (int s = 0; s < NBIG; s++)
			fprintf(f, "%9s", size_name(big_sizes[s]));
		fprintf(f, "\n");
		for (int k = 0; k < 2; k++) {
			const char *mech = k ? "pvwritev" : "memcpy";

			fprintf(f, "  %-18s", k ? "process_vm_writev" : "memcpy");
			for (int s = 0; s < NBIG; s++)
				fprintf(f, "%9s", num(cell_median("copy_bw", mech, big_sizes[s], "same")));
			fprintf(f, "\n");
		}
	}

	for (int p = 0; p < 3; p++) {
		const char *pl = places[p].name;

		int any = 0;

		for (int i = 0; i < ncells; i++)
			any |= !strcmp(cells[i].metric, "rt_p50") && !strcmp(cells[i].place, pl);
		if (!any)
			continue;
		fprintf(f, "\n== Round trip, %s%s: request and reply of N bytes; median, p99 (us); "
			"CPU per RT at 64 B\n", pl,
			p == 0 ? " CPU" : p == 1 ? " CPUs (client 0, server 1)" : "");
		fprintf(f, "  %-17s", "mechanism");
		for (int s = 0; s < NRT; s++)
			fprintf(f, "  %6s p50   p99", size_name(rt_sizes[s]));
		fprintf(f, "   cpu64\n");
		for (int i = 0; i < NMECHS; i++) {
			const char *m = all_mechs[i]->name;

			if (!cell_find("rt_p50", m, 64, pl) && !cell_find("rt_p50", m, 8, pl))
				continue;
			fprintf(f, "  %-17s", m);
			for (int s = 0; s < NRT; s++)
				fprintf(f, "  %10s %5s", us(cell_median("rt_p50", m, rt_sizes[s], pl)),
					us(cell_median("rt_p99", m, rt_sizes[s], pl)));
			fprintf(f, "  %6s\n", us(cell_median("rt_cpu", m, 64, pl)));
		}
	}

	if (have_rows("call_p50", NULL)) {
		fprintf(f, "\n== Call, same CPU: request of N bytes, reply of %d B; median (us)\n",
			CALL_REPLY);
		fprintf(f, "  %-17s", "mechanism");
		for (int s = 0; s < NBIG; s++)
			fprintf(f, "%9s", size_name(big_sizes[s]));
		fprintf(f, "\n");
		for (int i = 0; i < NMECHS; i++) {
			const char *m = all_mechs[i]->name;

			if (!have_rows("call_p50", m))
				continue;
			fprintf(f, "  %-17s", m);
			for (int s = 0; s < NBIG; s++)
				fprintf(f, "%9s", us(cell_median("call_p50", m, big_sizes[s], "same")));
			fprintf(f, "\n");
		}
	}

	if (have_rows("stream_bw", NULL)) {
		fprintf(f, "\n== One-way streaming, %s CPU%s: MB/s at the receiver\n", spl,
			opt.icount ? "" : "s (sender 0, receiver 1)");
		fprintf(f, "  %-17s", "mechanism");
		for (int s = 0; s < NBIG; s++)
			fprintf(f, "%9s", size_name(big_sizes[s]));
		fprintf(f, "\n");
		for (int i = 0; i < NMECHS; i++) {
			const char *m = all_mechs[i]->name;

			if (!have_rows("stream_bw", m))
				continue;
			fprintf(f, "  %-17s", m);
			for (int s = 0; s < NBIG; s++)
				fprintf(f, "%9s", num(cell_median("stream_bw", m, big_sizes[s], spl)));
			fprintf(f, "\n");
		}
	}

	if (have_rows("mc_rate", NULL)) {
		fprintf(f, "\n== %d client processes -> one server process with %d threads, "
			"unpinned, 64 B\n", opt.clients, opt.threads);
		fprintf(f, "  %-17s %10s %9s %9s\n", "mechanism", "calls/s", "p50 us", "p99 us");
		for (int i = 0; i < NMECHS; i++) {
			const char *m = all_mechs[i]->name;

			if (!have_rows("mc_rate", m))
				continue;
			fprintf(f, "  %-17s %10s %9s %9s\n", m,
				num(cell_median("mc_rate", m, 64, "unpinned")),
				us(cell_median("mc_p50", m, 64, "unpinned")),
				us(cell_median("mc_p99", m, 64, "unpinned")));
		}
	}

	if (have_rows("pairs_rate", NULL)) {
		fprintf(f, "\n== Independent pairs, pair i on CPU i, 64 B round trips\n");
		fprintf(f, "  %-17s %12s %12s %8s\n", "mechanism", "1 pair RT/s", pairs_place,
			"scale");
		for (int i = 0; i < NMECHS; i++) {
			const char *m = all_mechs[i]->name;
			double one, many;

			if (!have_rows("pairs_rate", m))
				continue;
			one = cell_median("pairs_rate", m, 64, "1pair");
			many = cell_median("pairs_rate", m, 64, pairs_place);
			fprintf(f, "  %-17s %12s %12s %8s\n", m, num(one), num(many),
				num(many / (opt.npairs * one)));
		}
	}

	fprintf(f, "\n== Ratios: fastipc / peer (latency: < 1 is faster; bandwidth, rate: "
		"> 1 is faster)\n");
	fprintf(f, "   value = median over passes of the ratio within each pass "
		"[its min..max]; best = each side's best pass\n");
	print_ratios(f, 1);
	print_ratios(f, 0);
	if (nnotes) {
		fprintf(f, "\n== Notes\n");
		for (int i = 0; i < nnotes; i++)
			fprintf(f, "  - %s\n", notes[i]);
	}
}

static FILE *open_out(const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", opt.out, name);
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "fastipc_bench: %s: %s\n", path, strerror(errno));
	return f;
}

static void write_files(void)
{
	FILE *f;
	char v[32];

	mkdir(opt.out, 0755);
	f = open_out("results.tsv");
	if (f) {
		fprintf(f, "metric\tmechanism\tsize\tplacement\tvalue\tunit\n");
		for (int i = 0; i < ncells; i++) {
			const struct cell *c = &cells[i];

			fmt_num(v, sizeof(v), median_of(c->v, passes_done, NULL, NULL));
			if (c->size < 0)
				fprintf(f, "%s\t%s\t-\t%s\t%s\t%s\n", c->metric, c->mech, c->place, v,
					c->unit);
			else
				fprintf(f, "%s\t%s\t%ld\t%s\t%s\t%s\n", c->metric, c->mech, c->size,
					c->place, v, c->unit);
		}
		fclose(f);
	}
	f = open_out("passes.tsv");
	if (f) {
		fprintf(f, "metric\tmechanism\tsize\tplacement\tpass\tvalue\tunit\n");
		for (int i = 0; i < ncells; i++) {
			const struct cell *c = &cells[i];

			for (int p = 0; p < passes_done; p++) {
				char size[24] = "-";

				if (c->size >= 0)
					snprintf(size, sizeof(size), "%ld", c->size);
				fmt_num(v, sizeof(v), c->v[p]);
				fprintf(f, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", c->metric, c->mech, size,
					c->place, p + 1, v, c->unit);
			}
		}
		fclose(f);
	}
	f = open_out("ratios.tsv");
	if (f) {
		for (int i = 0; i < nratios; i++) {
			const struct ratio *r = &ratios[i];

			if (!ratio_known(r) && !r->id && strcmp(r->name, "scale.pairs"))
				continue;
			fmt_num(v, sizeof(v), r->value);
			fprintf(f, "%s\t%s\n", r->name, v);
		}
		fclose(f);
	}
}

/* -------------------------------------------------------- environment --- */

static void read_line(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, cap, f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	if (!buf[0])
		snprintf(buf, cap, "?");
}

static void write_sysctl(const char *path, long value)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fprintf(f, "%ld\n", value);
		fclose(f);
	}
}

/*
 * --tune-limits (in the test guest, as root): let the queues carry what the
 * other peers carry: System V messages up to 1 MiB in 4 MiB queues, POSIX
 * queues of 64 messages up to 1 MiB without the per-user byte limit.  These
 * are system-wide settings: never the default, never on a machine in use.
 */
static void tune_limits(void)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };

	if (!opt.tune)
		return;
	write_sysctl("/proc/sys/kernel/msgmax", 2 * MIB);
	write_sysctl("/proc/sys/kernel/msgmnb", 4 * MIB);
	write_sysctl("/proc/sys/fs/mqueue/msgsize_max", 2 * MIB);
	write_sysctl("/proc/sys/fs/mqueue/msg_max", 64);
	if (setrlimit(RLIMIT_MSGQUEUE, &unlimited))
		bench_note("RLIMIT_MSGQUEUE: %s", strerror(errno));
}

static void print_env(FILE *f)
{
	struct utsname u;
	char cs[64], pre[64], fver[64], msgmax[32], msgmnb[32], cmdline[512], poison[8];
	char user[8];

	uname(&u);
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", cs,
		  sizeof(cs));
	read_line("/sys/kernel/debug/sched/preempt", pre, sizeof(pre));
	read_line("/sys/module/fastipc/version", fver, sizeof(fver));
	read_line("/proc/sys/kernel/msgmax", msgmax, sizeof(msgmax));
	read_line("/proc/sys/kernel/msgmnb", msgmnb, sizeof(msgmnb));
	fprintf(f, "fastipc_bench: kernel %s, %d CPUs, clocksource %s, preempt %s, "
		"fastipc module %s\n", u.release, bench_ncpus, cs, pre, fver);
	fprintf(f, "  %s; %d pass(es), %.0f ms per run; processes on both sides; "
		"sysv msgmax %s msgmnb %s\n", opt.icount ? "icount mode: same-CPU rows only" :
		"all placements", opt.passes, opt.budget_ms, msgmax, msgmnb);
	read_line("/proc/cmdline", cmdline, sizeof(cmdline));
	read_line("/sys/kernel/slab/kmalloc-64/poison", poison, sizeof(poison));
	read_line("/sys/kernel/slab/kmalloc-64/store_user", user, sizeof(user));
	fprintf(f, "  slab debugging (kmalloc-64 poison/store_user): %s/%s; cmdline: %s\n",
		poison, user, cmdline);
}

/* ---------------------------------------------------------------- main --- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fastipc_bench [options]\n"
		"  --rows LIST        floors,rt,call,stream,mc,pairs (default: all)\n"
		"  --mechs LIST       only these mechanisms (e.g. fastipc,pipe)\n"
		"  --passes N         alternating passes over the rows (default 5;\n"
		"                     2 with --icount)\n"
		"  --budget-ms MS     measured time per run (default 100; 50 with --icount)\n"
		"  --max-seconds S    start no pass that would end after S s (default 420)\n"
		"  --icount           same-CPU rows only (for qemu -icount)\n"
		"  --clients N        clients of the many-clients row (default 16)\n"
		"  --threads N        its server threads (default: one per CPU)\n"
		"  --pairs N          independent pairs (default: one per CPU)\n"
		"  --out DIR          where results.tsv, passes.tsv, ratios.tsv go\n"
		"  --quiet            no progress lines on stderr\n"
		"  --tune-limits      raise msgmax, msgmnb, mqueue limits system-wide so\n"
		"                     the queues carry 1 MiB messages (test guests only)\n");
}

static unsigned int parse_rows(const char *s)
{
	static const char *const names[] = { "floors", "rt", "call", "stream", "mc", "pairs" };
	unsigned int rows = 0;
	char *dup = strdup(s), *tok, *save = NULL;

	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i]))
				break;
		if (!strcmp(tok, "all")) {
			rows = ROW_ALL;
			continue;
		}
		if (i == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr, "fastipc_bench: unknown row '%s'\n", tok);
			exit(2);
		}
		rows |= 1u << i;
	}
	free(dup);
	return rows;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rows", required_argument, NULL, 'r' },
		{ "mechs", required_argument, NULL, 'm' },
		{ "passes", required_argument, NULL, 'p' },
		{ "budget-ms", required_argument, NULL, 'b' },
		{ "max-seconds", required_argument, NULL, 'M' },
		{ "icount", no_argument, NULL, 'i' },
		{ "clients", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 't' },
		{ "pairs", required_argument, NULL, 'P' },
		{ "out", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "tune-limits", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct sigaction sa = { .sa_handler = on_alarm };
	double start;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': opt.rows = parse_rows(optarg); break;
		case 'm': opt.mechs = optarg; break;
		case 'p': opt.passes = atoi(optarg); break;
		case 'b': opt.budget_ms = atof(optarg); break;
		case 'M': opt.max_seconds = atof(optarg); break;
		case 'i': opt.icount = 1; break;
		case 'c': opt.clients = atoi(optarg); break;
		case 't': opt.threads = atoi(optarg); break;
		case 'P': opt.npairs = atoi(optarg); break;
		case 'o': opt.out = optarg; break;
		case 'q': opt.quiet = 1; break;
		case 'T': opt.tune = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	bench_ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (bench_ncpus < 1)
		bench_ncpus = 1;
	if (bench_ncpus > BENCH_MAX_CLIENTS)
		bench_ncpus = BENCH_MAX_CLIENTS;
	if (opt.passes < 1)
		opt.passes = opt.icount ? 2 : 5;
	if (opt.passes > MAX_PASSES)
		opt.passes = MAX_PASSES;
	if (!opt.threads)
		opt.threads = bench_ncpus;
	if (opt.threads > BENCH_MAX_THREADS)
		opt.threads = BENCH_MAX_THREADS;
	if (!opt.npairs)
		opt.npairs = bench_ncpus;
	if (opt.npairs > BENCH_MAX_CLIENTS)
		opt.npairs = BENCH_MAX_CLIENTS;
	if (opt.clients < 1 || opt.clients > BENCH_MAX_CLIENTS) {
		fprintf(stderr, "fastipc_bench: --clients must be 1..%d\n", BENCH_MAX_CLIENTS);
		return 2;
	}
	if (opt.budget_ms <= 0)
		opt.budget_ms = opt.icount ? 50 : 100;
	if (opt.budget_ms < 1)
		opt.budget_ms = 1;
	snprintf(pairs_place, sizeof(pairs_place), "%dpairs", opt.npairs);

	sh = bench_shm(sizeof(*sh) + MAX_SAMPLES * sizeof(uint32_t));
	if (!sh) {
		perror("mmap");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: waits end with EINTR */
	tune_limits();
	print_env(stdout);
	fflush(stdout);

	start = now_ns();
	for (pass = 0; pass < opt.passes; pass++) {
		double elapsed = (now_ns() - start) * 1e-9;

		if (pass && elapsed + elapsed / pass > opt.max_seconds) {
			bench_note("stopped after %d of %d passes: the next would end after "
				   "--max-seconds %.0f", pass, opt.passes, opt.max_seconds);
			break;
		}
		run_pass();
		passes_done = pass + 1;
		progress("pass %d done after %.0f s", pass + 1, (now_ns() - start) * 1e-9);
	}
	pass = 0;
	define_ratios();
	compute_ratios();
	print_tables(stdout);
	printf("\nfastipc_bench: %d pass(es) in %.0f s\n", passes_done, (now_ns() - start) * 1e-9);
	write_files();
	return 0;
}
