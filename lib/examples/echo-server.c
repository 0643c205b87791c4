// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * An echo service on the endpoint "demo.echo".  Messages by type:
 *   1  call: reply with the text in capitals
 *   2  one-way note: print it
 *   3  call: reply after 300 ms (too late for a client that waits 100 ms)
 *   4  call: take every queued note of type 10..100, lowest type first
 *      (a selective receive), and reply with how many there were
 *   9  one-way: stop
 * The main loop takes only types up to 9, so notes wait for a type 4 call.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fastipc.h"

#define SERVICE "demo.echo"

static const char *who(const struct fastipc_msg_info *info)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "pid %d (uid %u, connection %llu)", info->pid,
		 info->uid, (unsigned long long)info->conn_id);
	return buf;
}

/* Selective receive: the queued notes, lowest type first. */
static int sort_notes(int ep)
{
	struct fastipc_timeout none = fastipc_timeout_none();
	struct fastipc_msg_info info;
	char note[256];
	ssize_t len;
	int count = 0;

	while ((len = fastipc_recv(ep, -100, note, sizeof(note) - 1, &info, &none)) >= 0) {
		if (info.type < 10)
			abort();	/* the main loop took every lower type */
		note[len] = '\0';
		printf("server:   note of type %lld: \"%s\"\n", (long long)info.type, note);
		count++;
	}
	return count;
}

int main(void)
{
	struct fastipc_reply_recv rr = { 0 };
	char req[256], reply[256];
	int ctx, ep, ret, count;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ctx = fastipc_open();
	if (ctx < 0) {
		fprintf(stderr, "server: cannot open /dev/fastipc: %s\n", strerror(-ctx));
		return 1;
	}
	ep = fastipc_endpoint_create(ctx, SERVICE, 0666);
	if (ep < 0) {
		fprintf(stderr, "server: cannot create %s: %s\n", SERVICE, strerror(-ep));
		return 1;
	}
	printf("server: serving \"%s\"\n", SERVICE);

	rr.recv.type = -9;
	rr.recv.data = (uintptr_t)req;
	rr.recv.capacity = sizeof(req) - 1;
	rr.reply.data = (uintptr_t)reply;
	for (;;) {
		ret = fastipc_reply_recv(ep, &rr);
		if (rr.reply.token && rr.reply_error == -ECANCELED)
			printf("server: the caller gave up before the reply; it was dropped\n");
		rr.reply.token = 0;
		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			fprintf(stderr, "server: receive failed: %s\n", strerror(-ret));
			return 1;
		}
		req[rr.recv.msg.len] = '\0';
		switch (rr.recv.msg.type) {
		case 1:
			printf("server: call from %s: \"%s\"\n", who(&rr.recv.msg), req);
			for (i = 0; i < rr.recv.msg.len; i++)
				reply[i] = toupper((unsigned char)req[i]);
			rr.reply.len = rr.recv.msg.len;
			break;
		case 2:
			printf("server: note from %s: \"%s\"\n", who(&rr.recv.msg), req);
			continue;
		case 3:
			printf("server: slow call from %s; answering in 300 ms\n",
			       who(&rr.recv.msg));
			usleep(300000);
			rr.reply.len = snprintf(reply, sizeof(reply), "late");
			break;
		case 4:
			printf("server: sorting the notes queued by %s\n", who(&rr.recv.msg));
			count = sort_notes(ep);
			rr.reply.len = snprintf(reply, sizeof(reply), "%d notes", count);
			break;
		case 9:
			printf("server: stopping\n");
			close(ep);
			close(ctx);
			return 0;
		default:
			continue;
		}
		if (rr.recv.msg.flags & FASTIPC_MSG_CALL)
			rr.reply.token = rr.recv.msg.token;
	}
}
