// SPDX-License-Identifier: GPL-2.0
/*
 * The device and the ABI rules every ioctl follows, shown on GET_INFO: sizes,
 * flags, reserved fields, bad pointers and the module's parameters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fastipc.h"
#include "fastipc_test.h"
#include "kselftest_harness.h"

/* GET_INFO with a struct of @size bytes: the ioctl number carries the size. */
#define GET_INFO_SIZED(size) \
	_IOC(_IOC_READ | _IOC_WRITE, FASTIPC_IOC_MAGIC, 0x00, (size))

FIXTURE(context) {
	int fd;
};

FIXTURE_SETUP(context)
{
	self->fd = fastipc_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", FASTIPC_DEVICE_PATH,
				      strerror(-self->fd));
}

FIXTURE_TEARDOWN(context)
{
	close(self->fd);
}

TEST(device_node_is_world_usable)
{
	struct stat st;

	ASSERT_EQ(0, stat(FASTIPC_DEVICE_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
}

TEST_F(context, opened_close_on_exec)
{
	EXPECT_EQ(FD_CLOEXEC, fcntl(self->fd, F_GETFD) & FD_CLOEXEC);
}

TEST_F(context, get_info_reports_abi_and_limits)
{
	struct fastipc_info info;

	ASSERT_EQ(0, fastipc_get_info(self->fd, &info));
	EXPECT_EQ(FASTIPC_ABI_VERSION, info.abi_version);
	EXPECT_EQ(0, info.features & ~FASTIPC_FEATURES_ALL);
	EXPECT_EQ(param_read("max_msg_size"), info.max_msg_size);
	EXPECT_EQ(param_read("queue_depth"), info.queue_depth);
	EXPECT_EQ(param_read("max_endpoints"), info.max_endpoints);
	EXPECT_EQ(param_read("max_queued_bytes"), info.max_queued_bytes);
	EXPECT_EQ(param_read("max_buffer_bytes"), info.max_buffer_bytes);
	EXPECT_LT(0, info.max_msg_size);
	EXPECT_LT(0, info.queue_depth);
	EXPECT_EQ(0, info.__reserved);
}

TEST_F(context, limits_are_tunable_within_bounds)
{
	unsigned long depth = param_read("queue_depth");
	struct fastipc_info info;
	char old[32];

	ASSERT_LT(0, depth);
	snprintf(old, sizeof(old), "%lu", depth);
	EXPECT_EQ(-EINVAL, param_write_str("queue_depth", "0"));
	EXPECT_EQ(-EINVAL, param_write_str("queue_depth", "65537"));
	EXPECT_EQ(-EINVAL, param_write_str("queue_depth", "ten"));
	EXPECT_EQ(-EINVAL, param_write_str("max_msg_size", "63"));
	EXPECT_EQ(depth, param_read("queue_depth"));

	ASSERT_EQ(0, param_write_str("queue_depth", "7"));
	ASSERT_EQ(0, fastipc_get_info(self->fd, &info));
	EXPECT_EQ(7, info.queue_depth);
	ASSERT_EQ(0, param_write_str("queue_depth", old));
}

TEST_F(context, unknown_ioctl_is_enotty)
{
	struct fastipc_info info = { 0 };

	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(FASTIPC_IOC_MAGIC, 0x7f,
					    struct fastipc_info), &info));
	EXPECT_EQ(ENOTTY, errno);
	/* The right number in the wrong direction is another command. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(FASTIPC_IOC_MAGIC, 0x00,
					   struct fastipc_info), &info));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR('x', 0x00, struct fastipc_info), &info));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, TCGETS, &info));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(context, bad_pointer_is_efault)
{
	void *ro;

	EXPECT_EQ(-1, ioctl(self->fd, FASTIPC_IOC_GET_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, FASTIPC_IOC_GET_INFO, (void *)-4096L));
	EXPECT_EQ(EFAULT, errno);

	/* Readable but not writable: the answer cannot be copied back. */
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-1, ioctl(self->fd, FASTIPC_IOC_GET_INFO, ro));
	EXPECT_EQ(EFAULT, errno);
	munmap(ro, 4096);
}

TEST_F(context, unknown_flag_is_einval)
{
	struct fastipc_info info = { .flags = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, FASTIPC_IOC_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	info.flags = 1u << 31;
	EXPECT_EQ(-1, ioctl(self->fd, FASTIPC_IOC_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(context, nonzero_reserved_is_einval)
{
	struct fastipc_info info = { .__reserved = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, FASTIPC_IOC_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(context, too_short_struct_is_einval)
{
	struct fastipc_info info = { 0 };

	EXPECT_EQ(-1, ioctl(self->fd, GET_INFO_SIZED(FASTIPC_INFO_SIZE_VER0 - 8),
			    &info));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, GET_INFO_SIZED(0), &info));
	EXPECT_EQ(EINVAL, errno);
}

struct fastipc_info_newer {
	struct fastipc_info info;
	__u64 tail[4];
};

TEST_F(context, newer_struct_with_zero_tail_is_accepted)
{
	struct fastipc_info_newer newer;

	memset(&newer, 0, sizeof(newer));
	ASSERT_EQ(0, ioctl(self->fd, GET_INFO_SIZED(sizeof(newer)), &newer));
	EXPECT_EQ(FASTIPC_ABI_VERSION, newer.info.abi_version);
	/* What the kernel does not know, it leaves alone. */
	EXPECT_EQ(0, newer.tail[0] | newer.tail[1] | newer.tail[2] | newer.tail[3]);
}

TEST_F(context, newer_struct_with_nonzero_tail_is_e2big)
{
	struct fastipc_info_newer newer;

	memset(&newer, 0, sizeof(newer));
	newer.tail[3] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, GET_INFO_SIZED(sizeof(newer)), &newer));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(0, newer.info.abi_version);
}

TEST_F(context, not_seekable_not_readable)
{
	char byte;

	EXPECT_EQ(-1, read(self->fd, &byte, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(self->fd, &byte, 1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
