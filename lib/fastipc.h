/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libfastipc: a thin C library over the /dev/fastipc ioctls.
 *
 * Every function returns 0 (or a non-negative value) on success and a
 * negative errno on failure; errno itself is left alone.
 */
#ifndef FASTIPC_LIB_H
#define FASTIPC_LIB_H

#include <linux/fastipc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Open a context on /dev/fastipc (close-on-exec); returns the fd. */
int fastipc_open(void);

/* Fill @info with the module's ABI version, features and limits. */
int fastipc_get_info(int ctx, struct fastipc_info *info);

/* The library's own version, "MAJOR.MINOR.PATCH". */
const char *fastipc_version(void);

#ifdef __cplusplus
}
#endif

#endif /* FASTIPC_LIB_H */
