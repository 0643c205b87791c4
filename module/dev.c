// SPDX-License-Identifier: GPL-2.0
/*
 * The door in from user space: the misc device, its file operations and the
 * ioctl dispatcher.  This is the only file that touches __user memory; every
 * other file works on kernel copies of the ioctl structs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "fastipc.h"

/**
 * struct fastipc_ioctl - one entry of an fd type's ioctl table
 * @cmd: the command as this module defines it; its _IOC_SIZE is the size of
 *	the kernel's struct.
 * @size_ver0: the size of the first published version of the struct; shorter
 *	ones are refused.
 * @handler: works on the kernel copy of the struct; what it leaves there is
 *	copied back for commands that read (_IOC_READ).
 */
struct fastipc_ioctl {
	unsigned int cmd;
	unsigned int size_ver0;
	long (*handler)(struct file *file, void *arg);
};

/* Room for the largest ioctl struct of any table. */
union fastipc_ioctl_arg {
	struct fastipc_info info;
};

static long fastipc_ioctl_dispatch(const struct fastipc_ioctl *table,
				   size_t count, struct file *file,
				   unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct fastipc_ioctl *ioctl = NULL;
	union fastipc_ioctl_arg karg;
	size_t ksize, usize;
	long ret;
	size_t i;

	/* Match everything but the size: a struct's size may differ by version. */
	for (i = 0; i < count; i++) {
		if ((table[i].cmd & ~IOCSIZE_MASK) == (cmd & ~IOCSIZE_MASK)) {
			ioctl = &table[i];
			break;
		}
	}
	if (!ioctl)
		return -ENOTTY;

	ksize = _IOC_SIZE(ioctl->cmd);
	usize = _IOC_SIZE(cmd);
	if (usize < ioctl->size_ver0)
		return -EINVAL;

	ret = copy_struct_from_user(&karg, ksize, uarg, usize);
	if (ret)
		return ret;

	ret = ioctl->handler(file, &karg);
	if (ret < 0)
		return ret;

	if ((_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user(uarg, &karg, min(ksize, usize)))
		return -EFAULT;
	return ret;
}

static long fastipc_ioctl_get_info(struct file *file, void *arg)
{
	struct fastipc_info *info = arg;

	if (info->flags & ~FASTIPC_INFO_FLAGS_ALL || info->__reserved)
		return -EINVAL;

	info->abi_version = FASTIPC_ABI_VERSION;
	info->features = FASTIPC_FEATURES_ALL;
	info->max_msg_size = fastipc_limit(FASTIPC_LIMIT_MAX_MSG_SIZE);
	info->queue_depth = fastipc_limit(FASTIPC_LIMIT_QUEUE_DEPTH);
	info->max_endpoints = fastipc_limit(FASTIPC_LIMIT_MAX_ENDPOINTS);
	info->max_queued_bytes = fastipc_limit(FASTIPC_LIMIT_MAX_QUEUED_BYTES);
	info->max_buffer_bytes = fastipc_limit(FASTIPC_LIMIT_MAX_BUFFER_BYTES);
	return 0;
}

static const struct fastipc_ioctl fastipc_context_ioctls[] = {
	{ FASTIPC_IOC_GET_INFO, FASTIPC_INFO_SIZE_VER0, fastipc_ioctl_get_info },
};

static long fastipc_context_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	return fastipc_ioctl_dispatch(fastipc_context_ioctls,
				      ARRAY_SIZE(fastipc_context_ioctls),
				      file, cmd, arg);
}

static const struct file_operations fastipc_context_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = fastipc_context_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice fastipc_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "fastipc",
	.fops = &fastipc_context_fops,
	.mode = 0666,
};

int fastipc_dev_init(void)
{
	BUILD_BUG_ON(sizeof(struct fastipc_info) != FASTIPC_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(union fastipc_ioctl_arg) > _IOC_SIZEMASK);

	return misc_register(&fastipc_miscdev);
}

void fastipc_dev_exit(void)
{
	misc_deregister(&fastipc_miscdev);
}
