// SPDX-License-Identifier: GPL-2.0
/*
 * fastipc through libfastipc, as an application would use it:
 *
 *   fastipc           copy path: fastipc_call() in the client, the server
 *                     loops on fastipc_reply_recv() (one ioctl per turn);
 *                     one-way: fastipc_send() / fastipc_recv().
 *   fastipc-zc        zero copy: the client's request lies in its
 *                     connection buffer (written there once, in place),
 *                     fastipc_call_buffer(); the server maps that buffer on
 *                     the first message and answers in place
 *                     (FASTIPC_REPLY_BUFFER) without touching the payload.
 *   fastipc-zc-touch  the same, but the server reads every byte of each
 *                     request (what a receiver that uses the data pays).
 *   fastipc-spin      the copy path with bounded spinning on both sides
 *                     (FASTIPC_CALL_SPIN, FASTIPC_RECV_SPIN): what a caller
 *                     and a server on different CPUs pay when neither sleeps.
 *
 * The endpoint is anonymous and created before fork; the client connects
 * straight from the inherited endpoint fd.  A client's reply capacity is the
 * reply it expects (the module pins a call's reply buffer of 16 KiB or more
 * for its direct path, whatever the reply's actual size).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "fastipc.h"

static int features_known;
static uint64_t features;

static uint64_t fastipc_features(void)
{
	struct fastipc_info info;
	int ctx;

	if (features_known)
		return features;
	features_known = 1;
	ctx = fastipc_open();
	if (ctx < 0)
		return 0;
	if (!fastipc_get_info(ctx, &info))
		features = info.features | FASTIPC_FEATURE_MESSAGES;
	close(ctx);
	return features;
}

static const char *fastipc_available(void)
{
	if (access(FASTIPC_DEVICE_PATH, R_OK | W_OK))
		return "no " FASTIPC_DEVICE_PATH;
	if (!fastipc_features())
		return "FASTIPC_IOC_GET_INFO failed";
	return NULL;
}

static const char *fastipc_zc_available(void)
{
	const char *why = fastipc_available();

	if (why)
		return why;
	if (!(fastipc_features() & FASTIPC_FEATURE_BUFFERS))
		return "the module lacks FASTIPC_FEATURE_BUFFERS";
	return NULL;
}

static int fastipc_setup(struct bench_chan *ch)
{
	ch->fi_ctx = fastipc_open();
	if (ch->fi_ctx < 0)
		return bench_err("fastipc_open: %s", strerror(-ch->fi_ctx));
	ch->fi_ep = fastipc_endpoint_create(ch->fi_ctx, NULL, 0600);
	if (ch->fi_ep < 0)
		return bench_err("fastipc_endpoint_create: %s", strerror(-ch->fi_ep));
	return 0;
}

static void fastipc_teardown(struct bench_chan *ch)
{
	if (ch->fi_ep > 0)
		close(ch->fi_ep);
	if (ch->fi_ctx > 0)
		close(ch->fi_ctx);
}

static size_t zc_size(const struct bench_chan *ch)
{
	size_t page = sysconf(_SC_PAGESIZE);
	size_t len = ch->max_len > ch->rep_len ? ch->max_len : ch->rep_len;

	return (len + page - 1) / page * page;
}

/* ------------------------------------------------------------ client --- */

static int fastipc_client_init(struct bench_chan *ch)
{
	ch->fi_conn = fastipc_connect_endpoint(ch->fi_ep);
	if (ch->fi_conn < 0)
		return bench_err("fastipc_connect_endpoint: %s", strerror(-ch->fi_conn));
	return 0;
}

static int fastipc_call_copy(struct bench_chan *ch)
{
	ssize_t n = fastipc_call(ch->fi_conn, 1, ch->sbuf, ch->req_len, ch->rbuf,
				 ch->rep_len, NULL, NULL);

	if (n != (ssize_t)ch->rep_len)
		return bench_err("fastipc_call: %s", n < 0 ? strerror(-n) : "wrong length");
	return 0;
}

static int fastipc_zc_client_init(struct bench_chan *ch)
{
	int ret;

	if (fastipc_client_init(ch))
		return -1;
	ch->fi_map_len = zc_size(ch);
	ret = fastipc_buffer_create(ch->fi_conn, ch->fi_map_len);
	if (ret < 0)
		return bench_err("fastipc_buffer_create(%zu): %s", ch->fi_map_len,
				 strerror(-ret));
	ret = fastipc_buffer_map(ch->fi_conn, 0, ch->fi_map_len, &ch->fi_map);
	if (ret < 0)
		return bench_err("fastipc_buffer_map: %s", strerror(-ret));
	/* The request is built in place, once. */
	memset(ch->fi_map, 0x5a, ch->fi_map_len);
	return 0;
}

static int fastipc_call_zc(struct bench_chan *ch)
{
	uint64_t reply_offset;
	ssize_t n = fastipc_call_buffer(ch->fi_conn, 1, 0, ch->req_len, ch->rbuf,
					ch->rep_len, &reply_offset, NULL);

	if (n != (ssize_t)ch->rep_len)
		return bench_err("fastipc_call_buffer: %s",
				 n < 0 ? strerror(-n) : "wrong length");
	if (reply_offset == (uint64_t)-1)
		return bench_err("fastipc_call_buffer: the reply was copied, not in place");
	return 0;
}

static int fastipc_send_copy(struct bench_chan *ch)
{
	struct timespec pause = { 0, 50000 };
	int ret;

	/* ENOBUFS: the user's queued-bytes quota; wait for the reader. */
	while ((ret = fastipc_send(ch->fi_conn, 1, ch->sbuf, ch->req_len, NULL)) == -ENOBUFS)
		nanosleep(&pause, NULL);
	if (ret < 0)
		return bench_err("fastipc_send: %s", strerror(-ret));
	return 0;
}

/* ------------------------------------------------------------ server --- */

static struct fastipc_reply_recv server_rr;

static int fastipc_server_init(struct bench_chan *ch)
{
	memset(&server_rr, 0, sizeof(server_rr));
	server_rr.recv.data = (uintptr_t)ch->rbuf;
	server_rr.recv.capacity = ch->max_len;
	server_rr.reply.data = (uintptr_t)ch->sbuf;
	return 0;
}

static int fastipc_turn(struct bench_chan *ch, struct fastipc_reply_recv *rr)
{
	const struct fastipc_msg_info *msg = &rr->recv.msg;
	int ret = fastipc_reply_recv(ch->fi_ep, rr);

	if (ret < 0)
		return bench_err("fastipc_reply_recv: %s", strerror(-ret));
	if (rr->reply_error)
		return bench_err("fastipc_reply_recv: reply: %s", strerror(-rr->reply_error));
	if (msg->len != ch->req_len)
		return bench_err("fastipc_reply_recv: %u bytes, not %zu", msg->len, ch->req_len);
	rr->reply.token = msg->token;
	rr->reply.len = ch->rep_len;
	return 0;
}

static int fastipc_serve_copy(struct bench_chan *ch)
{
	return fastipc_turn(ch, &server_rr);
}

static int fastipc_spin_server_init(struct bench_chan *ch)
{
	fastipc_server_init(ch);
	server_rr.recv.flags = FASTIPC_RECV_SPIN;
	return 0;
}

static int fastipc_call_spin(struct bench_chan *ch)
{
	struct fastipc_call call = {
		.flags = FASTIPC_CALL_SPIN,
		.len = ch->req_len,
		.type = 1,
		.data = (uintptr_t)ch->sbuf,
		.reply_data = (uintptr_t)ch->rbuf,
		.reply_capacity = ch->rep_len,
	};
	int ret = fastipc_call_raw(ch->fi_conn, &call);

	if (ret < 0 || call.reply_len != ch->rep_len)
		return bench_err("fastipc_call_raw(SPIN): %s",
				 ret < 0 ? strerror(-ret) : "wrong length");
	return 0;
}

static int fastipc_serve_zc(struct bench_chan *ch)
{
	const struct fastipc_msg_info *msg = &server_rr.recv.msg;
	int ret;

	if (fastipc_turn(ch, &server_rr))
		return -1;
	if (!(msg->flags & FASTIPC_MSG_BUFFER))
		return bench_err("fastipc-zc: the request was copied, not in the buffer");
	if (!ch->fi_map) {
		ch->fi_map_len = zc_size(ch);
		ret = fastipc_buffer_map(ch->fi_ep, msg->conn_id, ch->fi_map_len, &ch->fi_map);
		if (ret < 0)
			return bench_err("fastipc_buffer_map(endpoint): %s", strerror(-ret));
	}
	if (ch->touch)
		bench_touch((unsigned char *)ch->fi_map + msg->offset, msg->len);
	/* Answer in place, where the request was. */
	server_rr.reply.flags = FASTIPC_REPLY_BUFFER;
	server_rr.reply.data = msg->offset;
	return 0;
}

static int fastipc_recv_copy(struct bench_chan *ch)
{
	ssize_t n = fastipc_recv(ch->fi_ep, 0, ch->rbuf, ch->max_len, NULL, NULL);

	if (n != (ssize_t)ch->req_len)
		return bench_err("fastipc_recv: %s", n < 0 ? strerror(-n) : "wrong length");
	return 0;
}

/* ----------------------------------------------------------- a floor --- */

/*
 * One non-blocking send of 8 B to an endpoint of our own, and its
 * non-blocking receive: the ioctl fast path with a small copy (anchors L8).
 */
int bench_fastipc_nb_pair(struct bench_chan *ch)
{
	static int ep = -1, conn = -1;
	struct fastipc_timeout none = fastipc_timeout_none();
	unsigned char buf[64];
	ssize_t n;
	int ret;

	if (ep < 0) {
		int ctx = fastipc_open();

		if (ctx < 0)
			return bench_err("fastipc_open: %s", strerror(-ctx));
		ep = fastipc_endpoint_create(ctx, NULL, 0600);
		if (ep < 0)
			return bench_err("fastipc_endpoint_create: %s", strerror(-ep));
		conn = fastipc_connect_endpoint(ep);
		if (conn < 0)
			return bench_err("fastipc_connect_endpoint: %s", strerror(-conn));
	}
	ret = fastipc_send(conn, 1, ch->sbuf, 8, &none);
	if (ret < 0)
		return bench_err("fastipc_send (non-blocking): %s", strerror(-ret));
	none = fastipc_timeout_none();
	n = fastipc_recv(ep, 0, buf, sizeof(buf), NULL, &none);
	if (n != 8)
		return bench_err("fastipc_recv (non-blocking): %s",
				 n < 0 ? strerror(-n) : "wrong length");
	return 0;
}

/* ------------------------------------------------------ many clients --- */

static void *fastipc_mc_server_thread(void *arg)
{
	struct bench_chan *ch = arg;
	struct fastipc_reply_recv *rr = calloc(1, sizeof(*rr));
	unsigned char *req = malloc(ch->req_len), *rep = calloc(1, ch->rep_len + 1);

	rr->recv.data = (uintptr_t)req;
	rr->recv.capacity = ch->req_len;
	rr->reply.data = (uintptr_t)rep;
	for (;;)
		if (fastipc_turn(ch, rr))
			abort();
}

const struct bench_mech mech_fastipc = {
	.name = "fastipc",
	.caps = CAP_RT | CAP_CALL | CAP_STREAM | CAP_MC | CAP_PAIRS,
	.available = fastipc_available,
	.setup = fastipc_setup,
	.teardown = fastipc_teardown,
	.server_init = fastipc_server_init,
	.serve = fastipc_serve_copy,
	.client_init = fastipc_client_init,
	.call = fastipc_call_copy,
	.send = fastipc_send_copy,
	.recv = fastipc_recv_copy,
	.mc_setup = fastipc_setup,
	.mc_teardown = fastipc_teardown,
	.mc_server_thread = fastipc_mc_server_thread,
	.mc_client_init = fastipc_client_init,
	.mc_call = fastipc_call_copy,
};

const struct bench_mech mech_fastipc_spin = {
	.name = "fastipc-spin",
	.caps = CAP_RT,
	.available = fastipc_available,
	.setup = fastipc_setup,
	.teardown = fastipc_teardown,
	.server_init = fastipc_spin_server_init,
	.serve = fastipc_serve_copy,
	.client_init = fastipc_client_init,
	.call = fastipc_call_spin,
};

const struct bench_mech mech_fastipc_zc = {
	.name = "fastipc-zc",
	.caps = CAP_RT | CAP_CALL,
	.available = fastipc_zc_available,
	.setup = fastipc_setup,
	.teardown = fastipc_teardown,
	.server_init = fastipc_server_init,
	.serve = fastipc_serve_zc,
	.client_init = fastipc_zc_client_init,
	.call = fastipc_call_zc,
};

const struct bench_mech mech_fastipc_zc_touch = {
	.name = "fastipc-zc-touch",
	.caps = CAP_CALL | CAP_TOUCH,
	.available = fastipc_zc_available,
	.setup = fastipc_setup,
	.teardown = fastipc_teardown,
	.server_init = fastipc_server_init,
	.serve = fastipc_serve_zc,
	.client_init = fastipc_zc_client_init,
	.call = fastipc_call_zc,
};
