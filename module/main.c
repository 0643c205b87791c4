// SPDX-License-Identifier: GPL-2.0
/*
 * fastipc: message-passing IPC through /dev/fastipc.
 *
 * This file holds the module's entry points and its parameters only; the
 * device and its ioctls are in dev.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "fastipc.h"

#define FASTIPC_LIMIT_PARAM(name, id, desc)					\
	module_param_cb(name, &fastipc_limit_param_ops, &fastipc_limits[id], 0644); \
	MODULE_PARM_DESC(name, desc)

FASTIPC_LIMIT_PARAM(max_msg_size, FASTIPC_LIMIT_MAX_MSG_SIZE,
		    "largest message payload in bytes (64..64M)");
FASTIPC_LIMIT_PARAM(queue_depth, FASTIPC_LIMIT_QUEUE_DEPTH,
		    "messages an endpoint queues before senders block (1..65536)");
FASTIPC_LIMIT_PARAM(max_endpoints, FASTIPC_LIMIT_MAX_ENDPOINTS,
		    "endpoints one user may own (1..1048576)");
FASTIPC_LIMIT_PARAM(max_queued_bytes, FASTIPC_LIMIT_MAX_QUEUED_BYTES,
		    "payload bytes one user may have queued (64K..1G)");
FASTIPC_LIMIT_PARAM(max_buffer_bytes, FASTIPC_LIMIT_MAX_BUFFER_BYTES,
		    "mapped buffer bytes one user may hold (64K..4G)");

static int __init fastipc_init(void)
{
	int ret;

	ret = fastipc_dev_init();
	if (ret)
		goto err_dev;

	pr_debug("loaded, version " FASTIPC_VERSION ", ABI %d\n", FASTIPC_ABI_VERSION);
	return 0;

err_dev:
	return ret;
}

static void __exit fastipc_exit(void)
{
	fastipc_dev_exit();
	pr_debug("unloaded\n");
}

module_init(fastipc_init);
module_exit(fastipc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("fastipc: fast message-passing IPC with timeouts and zero-copy buffers");
MODULE_VERSION(FASTIPC_VERSION);
