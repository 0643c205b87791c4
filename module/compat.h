/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows kernel versions: every difference between the
 * kernels fastipc supports (6.1 and later) is bridged here, so the other
 * files read as if written for the newest kernel.
 */
#ifndef _FASTIPC_COMPAT_H
#define _FASTIPC_COMPAT_H

#include <linux/version.h>

#endif /* _FASTIPC_COMPAT_H */
