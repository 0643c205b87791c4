// SPDX-License-Identifier: GPL-2.0
/*
 * Access checks on endpoints, as System V IPC makes them (ipcperms()):
 * owner bits for the owner and the creator, group bits for members of the
 * owner's or the creator's group, other bits for the rest; CAP_IPC_OWNER in
 * the creator's user namespace overrides.  Checked when an fd is made, never
 * on the message path.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/errno.h>

#include "fastipc.h"

static bool fastipc_perm_is_owner_locked(const struct fastipc_endpoint *ep)
{
	kuid_t euid = current_euid();

	lockdep_assert_held(&ep->lock);
	return uid_eq(euid, ep->uid) || uid_eq(euid, ep->cuid);
}

/* @may: FASTIPC_MAY_READ (receive) and/or FASTIPC_MAY_WRITE (connect). */
int fastipc_perm_check(struct fastipc_endpoint *ep, int may)
{
	int granted;

	spin_lock(&ep->lock);
	granted = ep->mode;
	if (fastipc_perm_is_owner_locked(ep))
		granted >>= 6;
	else if (in_group_p(ep->gid) || in_group_p(ep->cgid))
		granted >>= 3;
	spin_unlock(&ep->lock);

	if (!(may & ~granted & 07))
		return 0;
	return ns_capable(ep->user_ns, CAP_IPC_OWNER) ? 0 : -EACCES;
}

/* May the caller change the endpoint's owner and mode, or unlink it? */
int fastipc_perm_may_change(struct fastipc_endpoint *ep)
{
	bool owner;

	spin_lock(&ep->lock);
	owner = fastipc_perm_is_owner_locked(ep);
	spin_unlock(&ep->lock);
	return owner || ns_capable(ep->user_ns, CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/* Listings show named endpoints, and anonymous ones to their owners. */
bool fastipc_perm_may_list(struct fastipc_endpoint *ep, bool named)
{
	bool owner;

	if (named)
		return true;
	spin_lock(&ep->lock);
	owner = fastipc_perm_is_owner_locked(ep);
	spin_unlock(&ep->lock);
	return owner || ns_capable(ep->user_ns, CAP_IPC_OWNER);
}
