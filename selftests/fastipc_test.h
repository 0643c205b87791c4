/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers the fastipc selftests share: the module's parameters, fdinfo
 * fields, the monotonic clock.
 */
#ifndef FASTIPC_TEST_H
#define FASTIPC_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

#endif /* FASTIPC_TEST_H */
