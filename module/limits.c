// SPDX-License-Identifier: GPL-2.0
/*
 * The administrator's bounds on what one message, one endpoint and one user
 * may consume.  Each is a module parameter whose setter refuses values
 * outside [min, max], so the rest of the module never sees a nonsensical
 * limit (a zero queue depth, a message size larger than _IOC_SIZE allows...).
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/sizes.h>
#include <linux/sysfs.h>
#include <linux/time64.h>

#include "fastipc.h"

/*
 * A charge is an atomic_long: where a long has 32 bits, a bound of 1 GiB
 * leaves room for the largest single charge above it without overflow.
 */
#if BITS_PER_LONG == 64
#define FASTIPC_MAX_BUFFER_BYTES_CEILING	SZ_4G
#else
#define FASTIPC_MAX_BUFFER_BYTES_CEILING	SZ_1G
#endif

struct fastipc_limit fastipc_limits[FASTIPC_NR_LIMITS] = {
	[FASTIPC_LIMIT_MAX_MSG_SIZE] = { SZ_1M, 64, SZ_64M },
	[FASTIPC_LIMIT_QUEUE_DEPTH] = { 64, 1, 65536 },
	[FASTIPC_LIMIT_MAX_ENDPOINTS] = { 1024, 1, 1 << 20 },
	[FASTIPC_LIMIT_MAX_QUEUED_BYTES] = { SZ_64M, SZ_64K, SZ_1G },
	[FASTIPC_LIMIT_MAX_BUFFER_BYTES] = { SZ_256M, SZ_64K, FASTIPC_MAX_BUFFER_BYTES_CEILING },
	[FASTIPC_LIMIT_SPIN_NS] = { 200 * NSEC_PER_USEC, 0, 10 * NSEC_PER_MSEC },
};

static int fastipc_limit_set(const char *val, const struct kernel_param *kp)
{
	struct fastipc_limit *limit = kp->arg;
	unsigned long value;
	int ret;

	ret = kstrtoul(val, 0, &value);
	if (ret)
		return ret;
	if (value < limit->min || value > limit->max)
		return -EINVAL;
	WRITE_ONCE(limit->value, value);
	return 0;
}

static int fastipc_limit_get(char *buffer, const struct kernel_param *kp)
{
	const struct fastipc_limit *limit = kp->arg;

	return sysfs_emit(buffer, "%lu\n", READ_ONCE(limit->value));
}

const struct kernel_param_ops fastipc_limit_param_ops = {
	.set = fastipc_limit_set,
	.get = fastipc_limit_get,
};
