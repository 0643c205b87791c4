/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers the fastipc selftests share: the module's parameters, fdinfo
 * fields, the monotonic clock, running a function as another user, passing
 * an fd over a UNIX socket.
 */
#ifndef FASTIPC_TEST_H
#define FASTIPC_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fastipc.h"

#define FASTIPC_PARAMS "/sys/module/fastipc/parameters/"

/* Write @value to the module parameter @name; 0 or a negative errno. */
static inline int param_write_str(const char *name, const char *value)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), FASTIPC_PARAMS "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static inline int param_write(const char *name, unsigned long value)
{
	char text[32];

	snprintf(text, sizeof(text), "%lu", value);
	return param_write_str(name, text);
}

/* The module parameter @name, or 0 if it cannot be read. */
static inline unsigned long param_read(const char *name)
{
	unsigned long value = 0;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), FASTIPC_PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%lu", &value) != 1)
		value = 0;
	fclose(f);
	return value;
}

/* The value of @key in /proc/self/fdinfo/@fd, or -1. */
static inline long long fdinfo(int fd, const char *key)
{
	char path[64], line[256];
	long long value = -1;
	size_t len = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			value = strtoll(line + len + 1, NULL, 10);
	fclose(f);
	return value;
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A context, an anonymous endpoint and a connection to it; 0 or -errno. */
static inline int pair_open(int *ctx, int *ep, int *conn)
{
	*ctx = fastipc_open();
	if (*ctx < 0)
		return *ctx;
	*ep = fastipc_endpoint_create(*ctx, NULL, 0600);
	if (*ep < 0)
		return *ep;
	*conn = fastipc_connect_endpoint(*ep);
	return *conn < 0 ? *conn : 0;
}

static inline void pair_close(int ctx, int ep, int conn)
{
	close(conn);
	close(ep);
	close(ctx);
}

#define OWNER_UID 1000
#define GROUP_GID 1000

/* Who a test child becomes. */
struct identity {
	const char *what;
	uid_t uid;
	gid_t gid;
	gid_t supplementary;	/* 0: none */
};

static inline int become(const struct identity *id)
{
	gid_t groups[1] = { id->supplementary };

	if (setgroups(id->supplementary ? 1 : 0, groups) ||
	    setresgid(id->gid, id->gid, id->gid) ||
	    setresuid(id->uid, id->uid, id->uid))
		return -errno;
	return 0;
}

/* Run @fn(@arg) in a child as @id; returns its result (a negative errno or 0+). */
static inline int as(const struct identity *id, int (*fn)(const void *arg), const void *arg)
{
	int pipefd[2], result = -ECHILD;
	pid_t child;

	if (pipe(pipefd))
		return -errno;
	child = fork();
	if (!child) {
		result = id ? become(id) : 0;
		if (!result)
			result = fn(arg);
		if (write(pipefd[1], &result, sizeof(result)) != sizeof(result))
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &result, sizeof(result)) != sizeof(result))
		result = -ECHILD;
	close(pipefd[0]);
	waitpid(child, NULL, 0);
	return result;
}

/* Pass @fd over @sock with SCM_RIGHTS; 0 or -1. */
static inline int send_fd(int sock, int fd)
{
	char data = 'f', control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static inline int recv_fd(int sock)
{
	char data, control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	int fd;

	if (recvmsg(sock, &msg, 0) != 1 || !CMSG_FIRSTHDR(&msg))
		return -1;
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	return fd;
}

#endif /* FASTIPC_TEST_H */
