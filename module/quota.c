// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user accounting.  Each user that creates endpoints or connections gets
 * a struct fastipc_user, shared by all its objects; the charges on it are
 * atomics, so the message path never takes the table's lock.
 */
#include <linux/errno.h>
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>

#include "fastipc.h"

static DEFINE_HASHTABLE(fastipc_users, 6);
static DEFINE_SPINLOCK(fastipc_users_lock);	/* protects fastipc_users */

struct fastipc_user *fastipc_user_get(kuid_t uid)
{
	u32 key = __kuid_val(uid);
	struct fastipc_user *user, *fresh;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	if (!fresh)
		return NULL;

	spin_lock(&fastipc_users_lock);
	hash_for_each_possible(fastipc_users, user, node, key) {
		if (uid_eq(user->uid, uid)) {
			refcount_inc(&user->refs);
			spin_unlock(&fastipc_users_lock);
			kfree(fresh);
			return user;
		}
	}
	fresh->uid = uid;
	refcount_set(&fresh->refs, 1);
	hash_add(fastipc_users, &fresh->node, key);
	spin_unlock(&fastipc_users_lock);
	return fresh;
}

void fastipc_user_hold(struct fastipc_user *user)
{
	refcount_inc(&user->refs);
}

/* Only endpoint and connection teardown gets here, never the message path. */
void fastipc_user_put(struct fastipc_user *user)
{
	spin_lock(&fastipc_users_lock);
	if (!refcount_dec_and_test(&user->refs)) {
		spin_unlock(&fastipc_users_lock);
		return;
	}
	hash_del(&user->node);
	spin_unlock(&fastipc_users_lock);
	WARN_ON_ONCE(atomic_read(&user->endpoints));
	WARN_ON_ONCE(atomic_long_read(&user->queued_bytes));
	WARN_ON_ONCE(atomic_long_read(&user->buffer_bytes));
	kfree(user);
}

int fastipc_user_charge_endpoint(struct fastipc_user *user)
{
	unsigned long max = fastipc_limit(FASTIPC_LIMIT_MAX_ENDPOINTS);

	if (atomic_inc_return(&user->endpoints) > max) {
		atomic_dec(&user->endpoints);
		return -ENOSPC;
	}
	return 0;
}

void fastipc_user_uncharge_endpoint(struct fastipc_user *user)
{
	atomic_dec(&user->endpoints);
}

int fastipc_user_charge_bytes(struct fastipc_user *user, size_t bytes)
{
	unsigned long max = fastipc_limit(FASTIPC_LIMIT_MAX_QUEUED_BYTES);

	if (atomic_long_add_return(bytes, &user->queued_bytes) > max) {
		atomic_long_sub(bytes, &user->queued_bytes);
		return -ENOBUFS;
	}
	return 0;
}

void fastipc_user_uncharge_bytes(struct fastipc_user *user, size_t bytes)
{
	atomic_long_sub(bytes, &user->queued_bytes);
}

int fastipc_user_charge_buffer(struct fastipc_user *user, size_t bytes)
{
	unsigned long max = fastipc_limit(FASTIPC_LIMIT_MAX_BUFFER_BYTES);

	if (atomic_long_add_return(bytes, &user->buffer_bytes) > max) {
		atomic_long_sub(bytes, &user->buffer_bytes);
		return -EDQUOT;
	}
	return 0;
}

void fastipc_user_uncharge_buffer(struct fastipc_user *user, size_t bytes)
{
	atomic_long_sub(bytes, &user->buffer_bytes);
}

void fastipc_quota_exit(void)
{
	/* Every user is put by the objects that held it before unload. */
	WARN_ON(!hash_empty(fastipc_users));
}
