// SPDX-License-Identifier: GPL-2.0
/*
 * Raw Binder peer: a minimal client and context-manager server on the
 * binder_linux ioctls (no libbinder), written the way libbinder talks to the
 * driver:
 *
 *   client, one ioctl per call: BC_FREE_BUFFER (the previous reply) +
 *	BC_TRANSACTION to handle 0, then read until BR_REPLY (the driver defers
 *	BR_TRANSACTION_COMPLETE of a two-way call until the reply is there);
 *   server: BC_FREE_BUFFER (the request) + BC_REPLY, read; the driver answers
 *	BR_TRANSACTION_COMPLETE at once, so a second read waits for the next
 *	BR_TRANSACTION.  Two ioctls per turn: that is the driver's protocol.
 *
 * Data travels once, from the sender's memory into the receiver's read-only
 * mapping of /dev/binder, where the receiver reads it in place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/android/binder.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define BINDER_DEV	"/dev/binder"
#define BINDER_MAP_SIZE	(4u << 20)	/* the driver's largest */

struct binder_thr {
	int fd;
	binder_uintptr_t free_buf;	/* last received buffer, to give back */
	const unsigned char *data;	/* what the last read delivered */
	size_t len;
	uint32_t rbuf[256];
	unsigned char wbuf[128];
	size_t wlen;
};

static const char *binder_available(void)
{
	if (access(BINDER_DEV, R_OK | W_OK))
		return "no " BINDER_DEV " (binder_linux not loaded)";
	return NULL;
}

static int binder_open(struct bench_chan *ch)
{
	struct binder_version ver = { 0 };
	__u32 zero = 0;

	ch->b_fd = open(BINDER_DEV, O_RDWR | O_CLOEXEC);
	if (ch->b_fd < 0)
		return bench_err("open " BINDER_DEV ": %s", strerror(errno));
	if (ioctl(ch->b_fd, BINDER_VERSION, &ver) ||
	    ver.protocol_version != BINDER_CURRENT_PROTOCOL_VERSION)
		return bench_err("binder protocol version %d", ver.protocol_version);
	ch->b_map = mmap(NULL, BINDER_MAP_SIZE, PROT_READ, MAP_PRIVATE, ch->b_fd, 0);
	if (ch->b_map == MAP_FAILED)
		return bench_err("mmap " BINDER_DEV ": %s", strerror(errno));
	if (ioctl(ch->b_fd, BINDER_SET_MAX_THREADS, &zero))
		return bench_err("BINDER_SET_MAX_THREADS: %s", strerror(errno));
	return 0;
}

static void put32(struct binder_thr *t, uint32_t v)
{
	memcpy(t->wbuf + t->wlen, &v, sizeof(v));
	t->wlen += sizeof(v);
}

static void put_free(struct binder_thr *t)
{
	if (!t->free_buf)
		return;
	put32(t, BC_FREE_BUFFER);
	memcpy(t->wbuf + t->wlen, &t->free_buf, sizeof(t->free_buf));
	t->wlen += sizeof(t->free_buf);
	t->free_buf = 0;
}

static void put_txn(struct binder_thr *t, uint32_t cmd, const void *data, size_t len)
{
	struct binder_transaction_data tr = {
		.target.handle = 0,	/* the context manager */
		.code = 1,
		.data_size = len,
		.data.ptr.buffer = (binder_uintptr_t)(uintptr_t)data,
	};

	put32(t, cmd);
	memcpy(t->wbuf + t->wlen, &tr, sizeof(tr));
	t->wlen += sizeof(tr);
}

/*
 * Write what is queued in t->wbuf, then read until @want (BR_REPLY or
 * BR_TRANSACTION) arrives; its payload is left in t->data / t->len.
 */
static int binder_talk(struct binder_thr *t, uint32_t want)
{
	struct binder_write_read bwr;
	size_t woff = 0;

	for (;;) {
		bwr = (struct binder_write_read) {
			.write_size = t->wlen - woff,
			.write_buffer = (binder_uintptr_t)(uintptr_t)(t->wbuf + woff),
			.read_size = sizeof(t->rbuf),
			.read_buffer = (binder_uintptr_t)(uintptr_t)t->rbuf,
		};
		if (ioctl(t->fd, BINDER_WRITE_READ, &bwr) < 0) {
			if (errno != EINTR)
				return bench_err("BINDER_WRITE_READ: %s", strerror(errno));
		}
		woff += bwr.write_consumed;
		if (woff >= t->wlen) {
			woff = 0;
			t->wlen = 0;
		}

		const unsigned char *p = (const unsigned char *)t->rbuf;
		const unsigned char *end = p + bwr.read_consumed;
		int got = 0;

		while (p + sizeof(uint32_t) <= end) {
			uint32_t cmd;
			struct binder_transaction_data tr;

			memcpy(&cmd, p, sizeof(cmd));
			p += sizeof(cmd);
			switch (cmd) {
			case BR_NOOP:
			case BR_TRANSACTION_COMPLETE:
			case BR_SPAWN_LOOPER:
				break;
			case BR_TRANSACTION:
			case BR_REPLY:
				memcpy(&tr, p, sizeof(tr));
				p += sizeof(tr);
				if (cmd != want)
					return bench_err("binder: unexpected %s",
							 cmd == BR_REPLY ? "BR_REPLY" : "BR_TRANSACTION");
				if (tr.flags & TF_STATUS_CODE)
					return bench_err("binder: transaction failed (status)");
				t->free_buf = tr.data.ptr.buffer;
				t->data = (const unsigned char *)(uintptr_t)tr.data.ptr.buffer;
				t->len = tr.data_size;
				got = 1;
				break;
			case BR_DEAD_REPLY:
				return bench_err("binder: BR_DEAD_REPLY");
			case BR_FAILED_REPLY:
				return bench_err("binder: BR_FAILED_REPLY");
			case BR_ERROR:
				return bench_err("binder: BR_ERROR");
			default:
				return bench_err("binder: unexpected return 0x%x", cmd);
			}
		}
		if (got && !t->wlen)
			return 0;
	}
}

/* ------------------------------------------------------------ client --- */

static struct binder_thr client_thr;

static int binder_client_init(struct bench_chan *ch)
{
	if (binder_open(ch))
		return -1;
	memset(&client_thr, 0, sizeof(client_thr));
	client_thr.fd = ch->b_fd;
	return 0;
}

static int binder_call(struct bench_chan *ch)
{
	struct binder_thr *t = &client_thr;

	put_free(t);
	put_txn(t, BC_TRANSACTION, ch->sbuf, ch->req_len);
	if (binder_talk(t, BR_REPLY))
		return -1;
	if (t->len != ch->rep_len)
		return bench_err("binder: reply of %zu bytes, not %zu", t->len, ch->rep_len);
	return 0;
}

/* ------------------------------------------------------------ server --- */

static int binder_become_manager(struct bench_chan *ch)
{
	struct timespec pause = { 0, 2000000 };

	if (binder_open(ch))
		return -1;
	/* The previous manager's release runs from a workqueue: wait for it. */
	for (int i = 0; ioctl(ch->b_fd, BINDER_SET_CONTEXT_MGR, 0); i++) {
		if (errno != EBUSY || i > 2500)
			return bench_err("BINDER_SET_CONTEXT_MGR: %s", strerror(errno));
		nanosleep(&pause, NULL);
	}
	return 0;
}

static int binder_enter_looper(struct binder_thr *t)
{
	uint32_t cmd = BC_ENTER_LOOPER;
	struct binder_write_read bwr = {
		.write_size = sizeof(cmd),
		.write_buffer = (binder_uintptr_t)(uintptr_t)&cmd,
	};

	if (ioctl(t->fd, BINDER_WRITE_READ, &bwr))
		return bench_err("BC_ENTER_LOOPER: %s", strerror(errno));
	return 0;
}

static struct binder_thr server_thr;
static int server_replying;

static int binder_server_init(struct bench_chan *ch)
{
	if (binder_become_manager(ch))
		return -1;
	memset(&server_thr, 0, sizeof(server_thr));
	server_thr.fd = ch->b_fd;
	server_replying = 0;
	return binder_enter_looper(&server_thr);
}

/* One turn: answer the previous transaction, take the next. */
static int binder_turn(struct binder_thr *t, int replying, const void *rep, size_t rep_len,
		       size_t req_len, int touch)
{
	put_free(t);
	if (replying)
		put_txn(t, BC_REPLY, rep, rep_len);
	if (binder_talk(t, BR_TRANSACTION))
		return -1;
	if (t->len != req_len)
		return bench_err("binder: request of %zu bytes, not %zu", t->len, req_len);
	if (touch)
		bench_touch(t->data, t->len);
	return 0;
}

static int binder_serve(struct bench_chan *ch)
{
	int ret = binder_turn(&server_thr, server_replying, ch->sbuf, ch->rep_len,
			     ch->req_len, ch->touch);

	server_replying = 1;
	return ret;
}

/* ------------------------------------------------------ many clients --- */

static int binder_mc_server_init(struct bench_chan *ch)
{
	return binder_become_manager(ch);
}

static void *binder_mc_server_thread(void *arg)
{
	struct bench_chan *ch = arg;
	struct binder_thr *t = calloc(1, sizeof(*t));
	unsigned char *rep = calloc(1, ch->rep_len + 1);
	int replying = 0;

	t->fd = ch->b_fd;
	if (binder_enter_looper(t))
		abort();
	for (;;) {
		if (binder_turn(t, replying, rep, ch->rep_len, ch->req_len, 0))
			abort();
		replying = 1;
	}
}

const struct bench_mech mech_binder = {
	.name = "binder",
	.caps = CAP_RT | CAP_CALL | CAP_MC,
	.available = binder_available,
	.server_init = binder_server_init,
	.serve = binder_serve,
	.client_init = binder_client_init,
	.call = binder_call,
	.mc_server_init = binder_mc_server_init,
	.mc_server_thread = binder_mc_server_thread,
	.mc_client_init = binder_client_init,
	.mc_call = binder_call,
};
