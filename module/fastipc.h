/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the files of the module.  Layers, top to
 * bottom: main.c; dev.c (the only file that touches __user); limits.c.
 */
#ifndef _FASTIPC_H
#define _FASTIPC_H

#include <linux/compiler.h>
#include <linux/moduleparam.h>

#include "../uapi/linux/fastipc.h"

/* limits.c: the administrator's bounds, module parameters writable by root. */
enum fastipc_limit_id {
	FASTIPC_LIMIT_MAX_MSG_SIZE,
	FASTIPC_LIMIT_QUEUE_DEPTH,
	FASTIPC_LIMIT_MAX_ENDPOINTS,
	FASTIPC_LIMIT_MAX_QUEUED_BYTES,
	FASTIPC_LIMIT_MAX_BUFFER_BYTES,
	FASTIPC_NR_LIMITS,
};

/**
 * struct fastipc_limit - one run-time tunable bound
 * @value: the bound in force; read with READ_ONCE() since root may change it
 *	at any time through sysfs.
 * @min: the smallest value the setter accepts.
 * @max: the largest value the setter accepts.
 */
struct fastipc_limit {
	unsigned long value;
	unsigned long min;
	unsigned long max;
};

extern struct fastipc_limit fastipc_limits[FASTIPC_NR_LIMITS];
extern const struct kernel_param_ops fastipc_limit_param_ops;

static inline unsigned long fastipc_limit(enum fastipc_limit_id id)
{
	return READ_ONCE(fastipc_limits[id].value);
}

/* dev.c */
int fastipc_dev_init(void);
void fastipc_dev_exit(void);

#endif /* _FASTIPC_H */
