// SPDX-License-Identifier: GPL-2.0
/*
 * Endpoint names.  A name is unique within an IPC namespace; the table maps
 * (namespace, name) to the endpoint and holds no reference: an endpoint
 * leaves the table when its last endpoint fd closes, before it can be freed.
 * Lookups are rare (once per connection), so one mutex guards the table.
 */
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "fastipc.h"

static DEFINE_HASHTABLE(fastipc_names, 8);
static DEFINE_MUTEX(fastipc_names_lock);	/* protects fastipc_names */

/* @name is NUL-terminated within FASTIPC_NAME_MAX bytes. */
int fastipc_name_valid(const char *name)
{
	const char *c;

	if (!*name)
		return -EINVAL;
	for (c = name; *c; c++)
		if (!isascii(*c) || (!isalnum(*c) && !strchr("._:@/-", *c)))
			return -EINVAL;
	return 0;
}

static u32 fastipc_name_hash(struct vfsmount *ns, const char *name)
{
	return jhash(name, strlen(name), hash_ptr(ns, 32));
}

static struct fastipc_endpoint *fastipc_name_find_locked(struct vfsmount *ns,
							 const char *name)
{
	struct fastipc_endpoint *ep;

	lockdep_assert_held(&fastipc_names_lock);
	hash_for_each_possible(fastipc_names, ep, name_node,
			       fastipc_name_hash(ns, name))
		if (ep->ipc_ns == ns && !strcmp(ep->name, name))
			return ep;
	return NULL;
}

int fastipc_name_publish(struct fastipc_endpoint *ep, const char *name)
{
	int ret = 0;

	mutex_lock(&fastipc_names_lock);
	if (fastipc_name_find_locked(ep->ipc_ns, name)) {
		ret = -EEXIST;
	} else {
		strscpy(ep->name, name, sizeof(ep->name));
		hash_add(fastipc_names, &ep->name_node,
			 fastipc_name_hash(ep->ipc_ns, name));
	}
	mutex_unlock(&fastipc_names_lock);
	return ret;
}

void fastipc_name_unpublish(struct fastipc_endpoint *ep)
{
	mutex_lock(&fastipc_names_lock);
	if (!hlist_unhashed(&ep->name_node))
		hash_del(&ep->name_node);
	mutex_unlock(&fastipc_names_lock);
}

/* The named endpoint, referenced, or NULL if none receives under the name. */
struct fastipc_endpoint *fastipc_name_lookup(struct vfsmount *ns,
					     const char *name)
{
	struct fastipc_endpoint *ep;

	mutex_lock(&fastipc_names_lock);
	ep = fastipc_name_find_locked(ns, name);
	if (ep && !fastipc_endpoint_get_live(ep))
		ep = NULL;
	mutex_unlock(&fastipc_names_lock);
	return ep;
}
