// SPDX-License-Identifier: GPL-2.0
/*
 * fastipc: message-passing IPC through /dev/fastipc.
 *
 * This file holds the module's entry points and its parameters only; the
 * device and its ioctls are in dev.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include "../uapi/linux/fastipc_netlink.h"
#include "fastipc.h"

module_param_cb(max_msg_size, &fastipc_limit_param_ops,
		&fastipc_limits[FASTIPC_LIMIT_MAX_MSG_SIZE], 0644);
MODULE_PARM_DESC(max_msg_size, "largest message payload in bytes (64..64M)");
module_param_cb(queue_depth, &fastipc_limit_param_ops,
		&fastipc_limits[FASTIPC_LIMIT_QUEUE_DEPTH], 0644);
MODULE_PARM_DESC(queue_depth, "messages an endpoint queues before senders block (1..65536)");
module_param_cb(max_endpoints, &fastipc_limit_param_ops,
		&fastipc_limits[FASTIPC_LIMIT_MAX_ENDPOINTS], 0644);
MODULE_PARM_DESC(max_endpoints, "endpoints one user may own (1..1048576)");
module_param_cb(max_queued_bytes, &fastipc_limit_param_ops,
		&fastipc_limits[FASTIPC_LIMIT_MAX_QUEUED_BYTES], 0644);
MODULE_PARM_DESC(max_queued_bytes, "payload bytes one user may have queued (64K..1G)");
module_param_cb(max_buffer_bytes, &fastipc_limit_param_ops,
		&fastipc_limits[FASTIPC_LIMIT_MAX_BUFFER_BYTES], 0644);
MODULE_PARM_DESC(max_buffer_bytes, "mapped buffer bytes one user may hold (64K..4G)");
module_param_cb(spin_ns, &fastipc_limit_param_ops,
		&fastipc_limits[FASTIPC_LIMIT_SPIN_NS], 0644);
MODULE_PARM_DESC(spin_ns, "longest a CALL or RECV polls before it sleeps, in ns (0..10ms; 0: never)");

/*
 * The device comes last: once /dev/fastipc exists files may be opened, and
 * nothing may fail after that.  Exit undoes it first.
 */
static int __init fastipc_init(void)
{
	int ret;

	ret = fastipc_netlink_init();
	if (ret)
		return ret;
	ret = fastipc_dev_init();
	if (ret)
		goto undo_netlink;

	pr_debug("loaded, version " FASTIPC_VERSION ", ABI %d\n", FASTIPC_ABI_VERSION);
	return 0;

undo_netlink:
	fastipc_netlink_exit();
	return ret;
}

static void __exit fastipc_exit(void)
{
	fastipc_dev_exit();
	fastipc_netlink_exit();
	fastipc_registry_exit();
	fastipc_quota_exit();
	pr_debug("unloaded\n");
}

module_init(fastipc_init);
module_exit(fastipc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("fastipc: fast message-passing IPC with timeouts and zero-copy buffers");
MODULE_VERSION(FASTIPC_VERSION);
MODULE_ALIAS_GENL_FAMILY(FASTIPC_GENL_NAME);
