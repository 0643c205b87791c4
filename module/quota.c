// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user accounting.  Each user that creates endpoints, connections or
 * buffers gets a struct fastipc_user, shared by all its objects; the charges
 * on it are atomics, so the message path never takes the table's lock.
 *
 * A user is a uid within a user namespace, and what it is charged is also
 * charged to the namespace's owner one level up, and so on to the initial
 * namespace, as the kernel's ucounts do: a user who maps a range of
 * subordinate uids into a namespace of its own gets one set of limits for
 * all of them, not one per uid.  Every level is held to the same limits.
 */
#include <linux/errno.h>
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "fastipc.h"

static DEFINE_HASHTABLE(fastipc_users, 6);
static DEFINE_SPINLOCK(fastipc_users_lock);	/* protects fastipc_users */

static const struct {
	enum fastipc_limit_id limit;
	int error;
} fastipc_charge_bounds[FASTIPC_NR_CHARGES] = {
	[FASTIPC_CHARGE_ENDPOINTS] = { FASTIPC_LIMIT_MAX_ENDPOINTS, -ENOSPC },
	[FASTIPC_CHARGE_QUEUED_BYTES] = { FASTIPC_LIMIT_MAX_QUEUED_BYTES, -ENOBUFS },
	[FASTIPC_CHARGE_BUFFER_BYTES] = { FASTIPC_LIMIT_MAX_BUFFER_BYTES, -EDQUOT },
};

static u32 fastipc_user_key(struct user_namespace *ns, kuid_t uid)
{
	return hash_ptr(ns, 32) ^ __kuid_val(uid);
}

static struct fastipc_user *fastipc_user_lookup_locked(struct user_namespace *ns, kuid_t uid)
{
	struct fastipc_user *user;

	lockdep_assert_held(&fastipc_users_lock);
	hash_for_each_possible(fastipc_users, user, node, fastipc_user_key(ns, uid))
		if (user->ns == ns && uid_eq(user->uid, uid))
			return user;
	return NULL;
}

/* Nesting is bounded (32 user namespaces deep), and so is this recursion. */
static struct fastipc_user *fastipc_user_get_in(struct user_namespace *ns, kuid_t uid)
{
	struct fastipc_user *user, *fresh, *parent = NULL;

	spin_lock(&fastipc_users_lock);
	user = fastipc_user_lookup_locked(ns, uid);
	if (user)
		refcount_inc(&user->refs);
	spin_unlock(&fastipc_users_lock);
	if (user)
		return user;

	if (ns != &init_user_ns) {
		parent = fastipc_user_get_in(ns->parent, ns->owner);
		if (!parent)
			return NULL;
	}
	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	if (!fresh) {
		fastipc_user_put(parent);
		return NULL;
	}

	spin_lock(&fastipc_users_lock);
	/* Another task may have added it while the lock was dropped. */
	user = fastipc_user_lookup_locked(ns, uid);
	if (user) {
		refcount_inc(&user->refs);
		spin_unlock(&fastipc_users_lock);
		kfree(fresh);
		fastipc_user_put(parent);
		return user;
	}
	fresh->ns = get_user_ns(ns);
	fresh->uid = uid;
	fresh->parent = parent;
	refcount_set(&fresh->refs, 1);
	hash_add(fastipc_users, &fresh->node, fastipc_user_key(ns, uid));
	spin_unlock(&fastipc_users_lock);
	return fresh;
}

/* The user @cred acts as: its effective uid, in its user namespace. */
struct fastipc_user *fastipc_user_get(const struct cred *cred)
{
	return fastipc_user_get_in(cred->user_ns, cred->euid);
}

void fastipc_user_hold(struct fastipc_user *user)
{
	refcount_inc(&user->refs);
}

/* Only teardown gets here, never the message path. */
void fastipc_user_put(struct fastipc_user *user)
{
	struct fastipc_user *parent;
	int i;

	for (; user; user = parent) {
		spin_lock(&fastipc_users_lock);
		if (!refcount_dec_and_test(&user->refs)) {
			spin_unlock(&fastipc_users_lock);
			return;
		}
		hash_del(&user->node);
		spin_unlock(&fastipc_users_lock);
		for (i = 0; i < FASTIPC_NR_CHARGES; i++)
			WARN_ON_ONCE(atomic_long_read(&user->charges[i]));
		parent = user->parent;
		put_user_ns(user->ns);
		kfree(user);
	}
}

/*
 * Charge @n of @what to @user and every level above it, or to none with
 * the error that names the bound (ENOSPC, ENOBUFS, EDQUOT).
 */
int fastipc_user_charge(struct fastipc_user *user, enum fastipc_charge what, unsigned long n)
{
	unsigned long max = fastipc_limit(fastipc_charge_bounds[what].limit);
	struct fastipc_user *level, *failed;

	if (!n)
		return 0;	/* so a bound lowered at run time fails no empty message */
	for (level = user; level; level = level->parent) {
		if (atomic_long_add_return(n, &level->charges[what]) > max)
			goto undo;
	}
	return 0;

undo:
	failed = level;
	for (level = user; level != failed; level = level->parent)
		atomic_long_sub(n, &level->charges[what]);
	atomic_long_sub(n, &failed->charges[what]);
	return fastipc_charge_bounds[what].error;
}

void fastipc_user_uncharge(struct fastipc_user *user, enum fastipc_charge what, unsigned long n)
{
	for (; user; user = user->parent)
		atomic_long_sub(n, &user->charges[what]);
}

void fastipc_quota_exit(void)
{
	/* Every user is put by the objects that held it before unload. */
	WARN_ON(!hash_empty(fastipc_users));
}
