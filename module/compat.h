/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that knows kernel differences: every difference between the
 * kernels fastipc supports (6.1 and later) and their configurations is
 * bridged here, so the other files read as if written for the newest kernel.
 */
#ifndef _FASTIPC_COMPAT_H
#define _FASTIPC_COMPAT_H

#include <linux/ipc_namespace.h>
#include <net/genetlink.h>
#include <linux/mount.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/version.h>

/*
 * The events group must refuse unprivileged listeners.  The flag arrived in
 * 6.7 and reached 6.1.y and 6.6.y as a stable backport (Debian 12's 6.1 has
 * it); an older tree would let anyone watch every endpoint come and go.
 */
#ifndef GENL_MCAST_CAP_SYS_ADMIN
#error "fastipc needs GENL_MCAST_CAP_SYS_ADMIN: Linux 6.7, or a 6.1.y/6.6.y with its backport"
#endif

#ifndef CONFIG_POSIX_MQUEUE
/* Names are scoped by IPC namespace through its mqueue mount. */
#error "fastipc needs CONFIG_POSIX_MQUEUE"
#endif

/*
 * A handle on the caller's IPC namespace that names it and stays unique
 * while held.  Modules cannot hold an ipc_namespace reference on upstream
 * kernels (put_ipc_ns() is not exported; Debian exports it for binder only),
 * so hold the namespace's internal mqueue mount instead: it may outlive the
 * namespace (mq_clear_sbinfo() detaches it), and while it is held no newer
 * namespace can get its address.  Compared by address, never dereferenced.
 */
static inline struct vfsmount *fastipc_ipc_ns_get(void)
{
	return mntget(current->nsproxy->ipc_ns->mq_mnt);
}

static inline void fastipc_ipc_ns_put(struct vfsmount *ns)
{
	mntput(ns);
}

/*
 * Whether the namespace behind @ns still exists: its teardown detaches the
 * mqueue superblock from it (mq_clear_sbinfo()), and nothing reattaches it.
 */
static inline bool fastipc_ipc_ns_alive(struct vfsmount *ns)
{
	return READ_ONCE(ns->mnt_sb->s_fs_info);
}

/* vm_flags became read-only behind these helpers in 6.3. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#include <linux/mm_types.h>

static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#endif /* _FASTIPC_COMPAT_H */
