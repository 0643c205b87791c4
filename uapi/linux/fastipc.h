/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * fastipc: message-passing IPC through /dev/fastipc.
 *
 * Opening /dev/fastipc gives a context.  Every operation is an ioctl on a
 * context, endpoint or connection file descriptor, taking one struct.
 *
 * ABI rules, for every struct below:
 *
 * - Fixed-width types only, natural alignment, explicit padding; pointers
 *   travel as __u64.  The layout is the same for 32- and 64-bit callers.
 * - The struct's size travels in the ioctl number (_IOC_SIZE).  A caller built
 *   against an older header passes a shorter struct and the kernel zero-fills
 *   what it lacks; a caller built against a newer header passes a longer one,
 *   accepted only if every byte the kernel does not know is zero (E2BIG
 *   otherwise).  Fields are only ever appended.
 * - Every flags field has a _ALL mask; unknown bits give EINVAL.  Reserved and
 *   padding fields must be zero (EINVAL).  An unknown ioctl gives ENOTTY.
 * - Errors are checked in one fixed order, documented per ioctl: the ioctl
 *   number (ENOTTY), the struct size (EINVAL), copying it in (EFAULT, E2BIG),
 *   then its fields in declaration order.
 */
#ifndef _UAPI_LINUX_FASTIPC_H
#define _UAPI_LINUX_FASTIPC_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define FASTIPC_DEVICE_PATH	"/dev/fastipc"

/* Bumped on an incompatible change; features are announced in the mask. */
#define FASTIPC_ABI_VERSION	1

/* No optional feature exists yet; later ones each claim a bit here. */
#define FASTIPC_FEATURES_ALL	0ULL

/**
 * struct fastipc_info - what the module offers (FASTIPC_IOC_GET_INFO)
 * @flags: in: must be 0 (no flag is defined yet).
 * @abi_version: out: %FASTIPC_ABI_VERSION of the running module.
 * @features: out: the optional features the module implements.
 * @max_msg_size: out: the largest message payload, in bytes.
 * @queue_depth: out: how many messages an endpoint queues before senders
 *	block.
 * @max_endpoints: out: endpoints one user may own at once.
 * @__reserved: must be 0.
 * @max_queued_bytes: out: payload bytes one user may have queued at once.
 * @max_buffer_bytes: out: mapped buffer bytes one user may hold at once.
 *
 * The limits are module parameters, writable at run time by root; this
 * reports their values at the time of the call.
 */
struct fastipc_info {
	__u32 flags;
	__u32 abi_version;
	__u64 features;
	__u32 max_msg_size;
	__u32 queue_depth;
	__u32 max_endpoints;
	__u32 __reserved;
	__u64 max_queued_bytes;
	__u64 max_buffer_bytes;
};

#define FASTIPC_INFO_FLAGS_ALL	0U
#define FASTIPC_INFO_SIZE_VER0	48

#define FASTIPC_IOC_MAGIC	0xB9

/*
 * FASTIPC_IOC_GET_INFO - report the ABI version, features and limits.
 * On: a context fd.
 * Errors, in the order they are checked:
 *	ENOTTY	not a context fd
 *	EINVAL	struct shorter than FASTIPC_INFO_SIZE_VER0
 *	EFAULT	the struct cannot be read or written
 *	E2BIG	a longer struct with a non-zero byte past the known fields
 *	EINVAL	@flags has an unknown bit, or @__reserved is not 0
 */
#define FASTIPC_IOC_GET_INFO	_IOWR(FASTIPC_IOC_MAGIC, 0x00, struct fastipc_info)

#endif /* _UAPI_LINUX_FASTIPC_H */
