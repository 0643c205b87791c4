// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fastipc.h"

#define FASTIPC_EXPORT __attribute__((visibility("default")))

/* ioctl(2) with the library's return convention. */
static int fastipc_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

FASTIPC_EXPORT int fastipc_open(void)
{
	int fd = open(FASTIPC_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

FASTIPC_EXPORT int fastipc_get_info(int ctx, struct fastipc_info *info)
{
	memset(info, 0, sizeof(*info));
	return fastipc_ioctl(ctx, FASTIPC_IOC_GET_INFO, info);
}

FASTIPC_EXPORT const char *fastipc_version(void)
{
	return FASTIPC_LIB_VERSION;
}
