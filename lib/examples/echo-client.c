// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A client of the echo service on "demo.echo" (see echo-server.c).
 * Usage: fastipc-echo-client NAME     talk to the service as NAME
 *        fastipc-echo-client --stop   ask the service to stop
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fastipc.h"

#define SERVICE "demo.echo"
#define MS 1000000ULL

/* The server may still be starting: try for two seconds. */
static int connect_service(int ctx)
{
	int conn, tries;

	for (tries = 0; tries < 200; tries++) {
		conn = fastipc_connect(ctx, SERVICE);
		if (conn != -ENOENT)
			return conn;
		usleep(10000);
	}
	return -ENOENT;
}

static int note(int conn, int64_t type, const char *text)
{
	return fastipc_send(conn, type, text, strlen(text), NULL);
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "client";
	struct fastipc_timeout t;
	char text[128], reply[128];
	int ctx, conn;
	ssize_t len;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ctx = fastipc_open();
	if (ctx < 0) {
		fprintf(stderr, "%s: cannot open /dev/fastipc: %s\n", name, strerror(-ctx));
		return 1;
	}
	conn = connect_service(ctx);
	if (conn < 0) {
		fprintf(stderr, "%s: cannot connect to %s: %s\n", name, SERVICE,
			strerror(-conn));
		return 1;
	}
	if (!strcmp(name, "--stop"))
		return note(conn, 9, "") ? 1 : 0;

	/* A call, bounded by one second. */
	snprintf(text, sizeof(text), "hello from %s", name);
	t = fastipc_timeout_rel(1000 * MS);
	len = fastipc_call(conn, 1, text, strlen(text), reply, sizeof(reply), NULL, &t);
	if (len < 0) {
		fprintf(stderr, "%s: call failed: %s\n", name, strerror(-len));
		return 1;
	}
	printf("%s: called \"%s\", the reply is \"%.*s\"\n", name, text, (int)len, reply);

	/* A one-way message. */
	snprintf(text, sizeof(text), "%s was here", name);
	if (note(conn, 2, text))
		return 1;
	printf("%s: sent a one-way note\n", name);

	/* A call that cannot be answered in time: withdrawn, one outcome. */
	t = fastipc_timeout_rel(100 * MS);
	len = fastipc_call(conn, 3, "slow", 4, reply, sizeof(reply), NULL, &t);
	printf("%s: a slow call with a 100 ms timeout: %s\n", name,
	       len == -ETIMEDOUT ? "timed out, as it should" : strerror(-len));

	/* Notes of types 30, 10, 20: the server takes them lowest first. */
	if (note(conn, 30, "third") || note(conn, 10, "first") || note(conn, 20, "second"))
		return 1;
	len = fastipc_call(conn, 4, NULL, 0, reply, sizeof(reply), NULL, NULL);
	if (len < 0)
		return 1;
	printf("%s: queued notes of types 30, 10, 20; the server sorted \"%.*s\"\n",
	       name, (int)len, reply);
	close(conn);
	close(ctx);
	return 0;
}
