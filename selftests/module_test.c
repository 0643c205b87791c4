// SPDX-License-Identifier: GPL-2.0
/*
 * Unloading and reloading the module: refused while a file is open, clean
 * once everything is closed, and the device works again after each reload.
 * Needs root and the module's path in $FASTIPC_MODULE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fastipc.h"
#include "kselftest_harness.h"

#define RELOAD_CYCLES 5

static int unload(void)
{
	return syscall(SYS_delete_module, "fastipc", O_NONBLOCK) ? -errno : 0;
}

static int load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static const char *module_path(struct __test_metadata *_metadata)
{
	const char *path = getenv("FASTIPC_MODULE");

	if (!path || access(path, R_OK))
		SKIP(return NULL, "FASTIPC_MODULE does not name the module file");
	if (geteuid())
		SKIP(return NULL, "loading modules needs root");
	return path;
}

TEST(unload_refused_while_open)
{
	const char *path = module_path(_metadata);
	int fd;

	if (!path)
		return;
	fd = fastipc_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EWOULDBLOCK, unload());
	close(fd);
}

TEST(reload_cycles)
{
	const char *path = module_path(_metadata);
	struct fastipc_info info;
	struct stat st;
	int i, fd;

	if (!path)
		return;
	for (i = 0; i < RELOAD_CYCLES; i++) {
		ASSERT_EQ(0, unload()) TH_LOG("cycle %d", i);
		EXPECT_EQ(-1, stat(FASTIPC_DEVICE_PATH, &st));
		EXPECT_EQ(ENOENT, errno);
		EXPECT_EQ(-ENOENT, unload());
		ASSERT_EQ(0, load(path)) TH_LOG("cycle %d", i);
		EXPECT_EQ(-EEXIST, load(path));
		fd = fastipc_open();
		ASSERT_LE(0, fd) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, fastipc_get_info(fd, &info));
		EXPECT_EQ(FASTIPC_ABI_VERSION, info.abi_version);
		close(fd);
	}
}

TEST_HARNESS_MAIN
