// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of live endpoints, their names, and the events listeners
 * (the netlink family) hear about them.
 *
 * Every endpoint is in the registry from creation until it stops receiving
 * (its last endpoint fd closes, or, for a persistent endpoint, it is
 * unlinked with no fd left), and the registry holds a reference on it.  A
 * name is unique within an IPC namespace.  Lookups happen once per
 * connection, listings on request: one mutex guards it all.
 *
 * A persistent endpoint dies with its IPC namespace, as System V queues and
 * POSIX message queues do: a reaper looks, once a second while any
 * persistent endpoint exists, for those whose namespace is gone, and
 * unlinks them (nobody else can reach them any more).
 */
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "fastipc.h"

static LIST_HEAD(fastipc_registry);		/* by id, oldest first */
static DEFINE_HASHTABLE(fastipc_names, 8);
static DEFINE_MUTEX(fastipc_registry_lock);	/* protects both, and: */
static u64 fastipc_last_id;			/* endpoint ids */
static unsigned long fastipc_names_seq;		/* bumped when a name appears */
static unsigned int fastipc_nr_persistent;	/* endpoints held by the registry */
static DECLARE_WAIT_QUEUE_HEAD(fastipc_names_wait);
static BLOCKING_NOTIFIER_HEAD(fastipc_events);

static void fastipc_reap(struct work_struct *work);
static DECLARE_DELAYED_WORK(fastipc_reaper, fastipc_reap);

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

	lockdep_assert_held(&fastipc_registry_lock);
	hash_for_each_possible(fastipc_names, ep, name_node,
			       fastipc_name_hash(ns, name))
		if (ep->ipc_ns == ns && !strcmp(ep->name, name))
			return ep;
	return NULL;
}

static void fastipc_event(enum fastipc_event_type type,
			  struct fastipc_endpoint *ep, u64 conn_id)
{
	struct fastipc_event event = { .ep = ep, .conn_id = conn_id };

	blocking_notifier_call_chain(&fastipc_events, type, &event);
}

/*
 * Enter a new endpoint, under @name if not empty.  A persistent endpoint
 * counts as receiving, and keeps the module loaded, until it is unlinked.
 */
int fastipc_registry_add(struct fastipc_endpoint *ep, const char *name,
			 bool persistent)
{
	mutex_lock(&fastipc_registry_lock);
	if (name[0] && fastipc_name_find_locked(ep->ipc_ns, name)) {
		mutex_unlock(&fastipc_registry_lock);
		return -EEXIST;
	}
	ep->id = ++fastipc_last_id;
	if (name[0]) {
		strscpy(ep->name, name, sizeof(ep->name));
		hash_add(fastipc_names, &ep->name_node,
			 fastipc_name_hash(ep->ipc_ns, name));
		fastipc_names_seq++;
	}
	list_add_tail(&ep->registry_node, &fastipc_registry);
	kref_get(&ep->refs);
	if (persistent) {
		ep->persistent = true;
		fastipc_endpoint_file_opened(ep);
		__module_get(THIS_MODULE);
		if (!fastipc_nr_persistent++)
			schedule_delayed_work(&fastipc_reaper, HZ);
	}
	mutex_unlock(&fastipc_registry_lock);

	pr_debug("endpoint %llu created\n", ep->id);
	if (name[0])
		wake_up_all(&fastipc_names_wait);
	fastipc_event(FASTIPC_EVENT_CREATED, ep, 0);
	return 0;
}

/* The endpoint stopped receiving: it leaves the registry and its name. */
void fastipc_registry_remove(struct fastipc_endpoint *ep)
{
	mutex_lock(&fastipc_registry_lock);
	if (list_empty(&ep->registry_node)) {
		mutex_unlock(&fastipc_registry_lock);
		return;
	}
	list_del_init(&ep->registry_node);
	if (!hlist_unhashed(&ep->name_node))
		hash_del(&ep->name_node);
	mutex_unlock(&fastipc_registry_lock);

	fastipc_event(FASTIPC_EVENT_DESTROYED, ep, 0);
	fastipc_endpoint_put(ep);
}

/*
 * The live endpoint called @name, referenced.  If there is none and @wait
 * allows, wait for one to appear.
 */
struct fastipc_endpoint *fastipc_registry_lookup(struct vfsmount *ipc_ns,
						 const char *name,
						 const struct fastipc_deadline *wait)
{
	struct fastipc_endpoint *ep;
	unsigned long seq;
	DEFINE_WAIT(entry);
	int ret;

	for (;;) {
		mutex_lock(&fastipc_registry_lock);
		ep = fastipc_name_find_locked(ipc_ns, name);
		if (ep && !fastipc_endpoint_get_live(ep))
			ep = NULL;
		seq = fastipc_names_seq;
		mutex_unlock(&fastipc_registry_lock);
		if (ep)
			return ep;
		if (!wait)
			return ERR_PTR(-ENOENT);

		prepare_to_wait(&fastipc_names_wait, &entry, TASK_INTERRUPTIBLE);
		ret = 0;
		if (READ_ONCE(fastipc_names_seq) == seq)
			ret = fastipc_deadline_sleep(wait, TASK_INTERRUPTIBLE);
		finish_wait(&fastipc_names_wait, &entry);
		if (ret)
			return ERR_PTR(ret);
	}
}

/*
 * Take @ep's name away, referenced for fastipc_name_taken() to finish.
 * Returns whether the registry held it receiving (persistent).
 */
static bool fastipc_name_take_locked(struct fastipc_endpoint *ep)
{
	bool was_persistent = ep->persistent;

	lockdep_assert_held(&fastipc_registry_lock);
	hash_del(&ep->name_node);
	WRITE_ONCE(ep->persistent, false);
	if (was_persistent)
		fastipc_nr_persistent--;
	kref_get(&ep->refs);
	return was_persistent;
}

/* The rest, with the lock dropped: a persistent one with no fd left dies. */
static void fastipc_name_taken(struct fastipc_endpoint *ep, bool was_persistent)
{
	if (was_persistent) {
		if (fastipc_endpoint_file_closed(ep))
			fastipc_registry_remove(ep);
		module_put(THIS_MODULE);
	}
	fastipc_endpoint_put(ep);
}

/*
 * Remove @name.  Its endpoint goes on serving its fds; a persistent one with
 * none left stops receiving.
 */
int fastipc_registry_unlink(struct vfsmount *ipc_ns, const char *name)
{
	struct fastipc_endpoint *ep;
	bool was_persistent;
	int ret;

	mutex_lock(&fastipc_registry_lock);
	ep = fastipc_name_find_locked(ipc_ns, name);
	if (!ep) {
		mutex_unlock(&fastipc_registry_lock);
		return -ENOENT;
	}
	ret = fastipc_perm_may_change(ep);
	if (ret) {
		mutex_unlock(&fastipc_registry_lock);
		return ret;
	}
	was_persistent = fastipc_name_take_locked(ep);
	mutex_unlock(&fastipc_registry_lock);
	fastipc_name_taken(ep, was_persistent);
	return 0;
}

/* A persistent endpoint whose IPC namespace is gone, or NULL. */
static struct fastipc_endpoint *fastipc_orphan_find_locked(void)
{
	struct fastipc_endpoint *ep;

	lockdep_assert_held(&fastipc_registry_lock);
	list_for_each_entry(ep, &fastipc_registry, registry_node)
		if (ep->persistent && !fastipc_ipc_ns_alive(ep->ipc_ns))
			return ep;
	return NULL;
}

static void fastipc_reap(struct work_struct *work)
{
	struct fastipc_endpoint *ep;
	bool was_persistent;

	for (;;) {
		mutex_lock(&fastipc_registry_lock);
		ep = fastipc_orphan_find_locked();
		if (!ep)
			break;
		pr_debug("endpoint %llu: its IPC namespace is gone, unlinking it\n", ep->id);
		was_persistent = fastipc_name_take_locked(ep);
		mutex_unlock(&fastipc_registry_lock);
		fastipc_name_taken(ep, was_persistent);
	}
	if (fastipc_nr_persistent)
		schedule_delayed_work(&fastipc_reaper, HZ);
	mutex_unlock(&fastipc_registry_lock);
}

/* At unload no persistent endpoint is left; the reaper may still be running. */
void fastipc_registry_exit(void)
{
	cancel_delayed_work_sync(&fastipc_reaper);
}

/*
 * Call @fn on each endpoint of @ipc_ns the caller may list, in id order,
 * from the one after *@cursor; *@cursor follows the last one @fn accepted.
 * Returns 0 when done, or @fn's non-zero return that stopped it.
 */
int fastipc_registry_for_each(struct vfsmount *ipc_ns, u64 *cursor,
			      int (*fn)(void *arg, struct fastipc_endpoint *ep),
			      void *arg)
{
	struct fastipc_endpoint *ep;
	int ret = 0;

	mutex_lock(&fastipc_registry_lock);
	list_for_each_entry(ep, &fastipc_registry, registry_node) {
		if (ep->ipc_ns != ipc_ns || ep->id <= *cursor ||
		    !fastipc_perm_may_list(ep, !hlist_unhashed(&ep->name_node)))
			continue;
		ret = fn(arg, ep);
		if (ret)
			break;
		*cursor = ep->id;
	}
	mutex_unlock(&fastipc_registry_lock);
	return ret;
}

void fastipc_event_peer_gone(struct fastipc_endpoint *ep, u64 conn_id)
{
	fastipc_event(FASTIPC_EVENT_PEER_GONE, ep, conn_id);
}

int fastipc_events_register(struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&fastipc_events, nb);
}

void fastipc_events_unregister(struct notifier_block *nb)
{
	blocking_notifier_chain_unregister(&fastipc_events, nb);
}
