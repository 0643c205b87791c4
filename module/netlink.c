// SPDX-License-Identifier: GPL-2.0
/*
 * The "fastipc" generic netlink family (uapi/linux/fastipc_netlink.h,
 * described by uapi/fastipc.yaml): the other door in from user space,
 * beside the device.  GET_ENDPOINT lists the endpoints of the requester's
 * IPC namespace, as ipcs(1) lists System V objects, or describes one by
 * name; the "events" group reports endpoints created and destroyed and
 * connections closed.
 *
 * Requests are answered as the device would answer the requester: for its
 * IPC namespace, under the visibility rule of listings
 * (fastipc_perm_may_list()), with ids in its user namespace.  A dump goes on
 * over as many recvmsg() calls as it needs, which need not come from the
 * task that asked (a socket can be passed on), so .start fixes who asks: it
 * takes the IPC namespace and the credentials, and every part of the dump
 * runs with those.
 *
 * Events go to the initial network namespace only, and only CAP_SYS_ADMIN
 * there may bind to their group: they name endpoints of every IPC namespace.
 * (genetlink checks a group's capability in the listener's network
 * namespace, where a container's root has CAP_SYS_ADMIN, so sending to all
 * namespaces would hand one container the names of the others.)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/err.h>
#include <linux/notifier.h>
#include <linux/string.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>

#include "../uapi/linux/fastipc_netlink.h"
#include "compat.h"
#include "fastipc.h"

enum fastipc_nl_groups {
	FASTIPC_NLGRP_EVENTS,
};

static const struct genl_multicast_group fastipc_nl_mcgrps[] = {
	[FASTIPC_NLGRP_EVENTS] = {
		.name = FASTIPC_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_SYS_ADMIN,
	},
};

static const struct nla_policy fastipc_nl_get_endpoint_policy[FASTIPC_A_NAME + 1] = {
	[FASTIPC_A_NAME] = { .type = NLA_NUL_STRING, .len = FASTIPC_NAME_MAX - 1 },
};

static struct genl_family fastipc_nl_family;

/**
 * struct fastipc_nl_dump - a GET_ENDPOINT dump's state, in cb->ctx
 * @cursor: the id of the last endpoint sent; the registry is in id order.
 * @ipc_ns: the requester's IPC namespace, referenced.
 * @cred: the requester's credentials, referenced.
 */
struct fastipc_nl_dump {
	u64 cursor;
	struct vfsmount *ipc_ns;
	const struct cred *cred;
};

static struct fastipc_nl_dump *fastipc_nl_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct fastipc_nl_dump) > sizeof(cb->ctx));
	return (struct fastipc_nl_dump *)cb->ctx;
}

/* Room for the attributes fastipc_nl_fill_endpoint() puts. */
static size_t fastipc_nl_endpoint_size(void)
{
	return nla_total_size_64bit(sizeof(u64)) * 6 +	/* id, counters */
	       nla_total_size(FASTIPC_NAME_MAX) +
	       nla_total_size(sizeof(u32)) * 9;		/* ids, mode, ... */
}

/**
 * fastipc_nl_fill_endpoint - one GET_ENDPOINT reply message
 * @skb: where to put it.
 * @portid: the requester's port.
 * @seq: the request's sequence number.
 * @flags: netlink message flags (NLM_F_MULTI in a dump).
 * @ep: the endpoint.
 * @name: its name ("" for anonymous), which the caller has read safely.
 *
 * The ids are as the current task's credentials see them.
 *
 * Return: 0, or -EMSGSIZE if @skb has no room (it is left as it was).
 */
static int fastipc_nl_fill_endpoint(struct sk_buff *skb, u32 portid, u32 seq,
				    int flags, struct fastipc_endpoint *ep,
				    const char *name)
{
	struct fastipc_endpoint_stat st;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &fastipc_nl_family, flags,
			  FASTIPC_CMD_GET_ENDPOINT);
	if (!hdr)
		return -EMSGSIZE;

	fastipc_endpoint_stat(ep, &st);
	if (nla_put_u64_64bit(skb, FASTIPC_A_ID, st.id, FASTIPC_A_PAD) ||
	    (name[0] && nla_put_string(skb, FASTIPC_A_NAME, name)) ||
	    nla_put_u32(skb, FASTIPC_A_UID, st.uid) ||
	    nla_put_u32(skb, FASTIPC_A_GID, st.gid) ||
	    nla_put_u32(skb, FASTIPC_A_CUID, st.cuid) ||
	    nla_put_u32(skb, FASTIPC_A_CGID, st.cgid) ||
	    nla_put_u32(skb, FASTIPC_A_MODE, st.mode) ||
	    nla_put_u32(skb, FASTIPC_A_FLAGS, st.flags) ||
	    nla_put_u32(skb, FASTIPC_A_QUEUED, st.queued) ||
	    nla_put_u32(skb, FASTIPC_A_RECEIVERS, st.receivers) ||
	    nla_put_u32(skb, FASTIPC_A_CONNECTIONS, st.connections) ||
	    nla_put_u64_64bit(skb, FASTIPC_A_SENT, st.sent, FASTIPC_A_PAD) ||
	    nla_put_u64_64bit(skb, FASTIPC_A_RECEIVED, st.received, FASTIPC_A_PAD) ||
	    nla_put_u64_64bit(skb, FASTIPC_A_REPLIED, st.replied, FASTIPC_A_PAD) ||
	    nla_put_u64_64bit(skb, FASTIPC_A_REPLIES_DROPPED, st.replies_dropped,
			      FASTIPC_A_PAD) ||
	    nla_put_u64_64bit(skb, FASTIPC_A_WITHDRAWN, st.withdrawn, FASTIPC_A_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/**
 * fastipc_nl_get_endpoint_doit - GET_ENDPOINT by name
 * @skb: the request.
 * @info: its attributes, validated against fastipc_nl_get_endpoint_policy.
 *
 * Return: 0 once the reply is sent; -EINVAL without a valid name, -ENOENT
 * if no endpoint the requester may list has it, -ENOMEM.
 */
static int fastipc_nl_get_endpoint_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct fastipc_endpoint *ep;
	struct vfsmount *ipc_ns;
	struct sk_buff *msg;
	const char *name;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, FASTIPC_A_NAME))
		return -EINVAL;
	name = nla_data(info->attrs[FASTIPC_A_NAME]);
	if (fastipc_name_valid(name)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[FASTIPC_A_NAME],
				    "not a valid endpoint name");
		return -EINVAL;
	}

	ipc_ns = fastipc_ipc_ns_get();
	ep = fastipc_registry_lookup(ipc_ns, name, NULL);
	fastipc_ipc_ns_put(ipc_ns);
	if (IS_ERR(ep))
		return PTR_ERR(ep);

	/* Found by its name, so anyone in the namespace may see it. */
	ret = -ENOMEM;
	msg = genlmsg_new(fastipc_nl_endpoint_size(), GFP_KERNEL);
	if (!msg)
		goto out;
	/* The name asked for: the one the lookup matched. */
	ret = fastipc_nl_fill_endpoint(msg, info->snd_portid, info->snd_seq, 0,
				       ep, name);
	if (ret) {
		nlmsg_free(msg);
		goto out;
	}
	ret = genlmsg_reply(msg, info);
out:
	fastipc_endpoint_put(ep);
	return ret;
}

/**
 * struct fastipc_nl_dump_part - what fastipc_nl_dump_one() fills, and for whom
 * @skb: the part of the dump being filled.
 * @cb: the dump; cb->skb is the request, not @skb.
 */
struct fastipc_nl_dump_part {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

/* fastipc_registry_for_each() callback: under the registry's lock. */
static int fastipc_nl_dump_one(void *arg, struct fastipc_endpoint *ep)
{
	struct fastipc_nl_dump_part *part = arg;

	return fastipc_nl_fill_endpoint(part->skb, NETLINK_CB(part->cb->skb).portid,
					part->cb->nlh->nlmsg_seq, NLM_F_MULTI, ep,
					ep->name);
}

/**
 * fastipc_nl_get_endpoint_start - begin a GET_ENDPOINT dump
 * @cb: the dump; runs in the requesting task.
 *
 * Return: 0.
 */
static int fastipc_nl_get_endpoint_start(struct netlink_callback *cb)
{
	struct fastipc_nl_dump *dump = fastipc_nl_dump_ctx(cb);

	dump->cursor = 0;
	dump->ipc_ns = fastipc_ipc_ns_get();
	dump->cred = get_current_cred();
	return 0;
}

/**
 * fastipc_nl_get_endpoint_dumpit - one part of a GET_ENDPOINT dump
 * @skb: the part to fill.
 * @cb: the dump.
 *
 * Return: @skb's length while more is to come, 0 when done, or a negative
 * errno.
 */
static int fastipc_nl_get_endpoint_dumpit(struct sk_buff *skb,
					  struct netlink_callback *cb)
{
	struct fastipc_nl_dump *dump = fastipc_nl_dump_ctx(cb);
	struct fastipc_nl_dump_part part = { .skb = skb, .cb = cb };
	const struct cred *old;
	int ret;

	/* Visibility and id translation look at current's credentials. */
	old = override_creds(dump->cred);
	ret = fastipc_registry_for_each(dump->ipc_ns, &dump->cursor,
					fastipc_nl_dump_one, &part);
	revert_creds(old);
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;	/* full: the cursor resumes after it */
	return ret;
}

/**
 * fastipc_nl_get_endpoint_done - end a GET_ENDPOINT dump
 * @cb: the dump; .start succeeded for it.
 *
 * Return: 0.
 */
static int fastipc_nl_get_endpoint_done(struct netlink_callback *cb)
{
	struct fastipc_nl_dump *dump = fastipc_nl_dump_ctx(cb);

	put_cred(dump->cred);
	fastipc_ipc_ns_put(dump->ipc_ns);
	return 0;
}

static const struct genl_ops fastipc_nl_ops[] = {
	{
		.cmd = FASTIPC_CMD_GET_ENDPOINT,
		.doit = fastipc_nl_get_endpoint_doit,
		.start = fastipc_nl_get_endpoint_start,
		.dumpit = fastipc_nl_get_endpoint_dumpit,
		.done = fastipc_nl_get_endpoint_done,
		.policy = fastipc_nl_get_endpoint_policy,
		.maxattr = FASTIPC_A_NAME,
	},
};

/*
 * .resv_start_op is left 0, as new families should: every command gets
 * strict validation, reserved header bytes included.  The family exists in
 * every network namespace (.netnsok): the IPC namespace, not the network
 * one, scopes what a request sees.
 */
static struct genl_family fastipc_nl_family __ro_after_init = {
	.name = FASTIPC_GENL_NAME,
	.version = FASTIPC_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = fastipc_nl_ops,
	.n_ops = ARRAY_SIZE(fastipc_nl_ops),
	.mcgrps = fastipc_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(fastipc_nl_mcgrps),
};

/* Room for the attributes of an event. */
static size_t fastipc_nl_event_size(void)
{
	return nla_total_size_64bit(sizeof(u64)) * 2 +	/* id, conn_id */
	       nla_total_size(FASTIPC_NAME_MAX) +
	       nla_total_size(sizeof(u32)) * 3;		/* uid, gid, mode */
}

/**
 * fastipc_nl_event - the registry's notifier: multicast one event
 * @nb: fastipc_nl_events.
 * @action: an &enum fastipc_event_type.
 * @data: the &struct fastipc_event.
 *
 * Runs in the task that created or closed something, which may sleep.  The
 * event is dropped if no one listens, or if memory is short.
 *
 * Return: NOTIFY_OK if sent, else NOTIFY_DONE.
 */
static int fastipc_nl_event(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	static const u8 cmds[] = {
		[FASTIPC_EVENT_CREATED] = FASTIPC_CMD_ENDPOINT_CREATED,
		[FASTIPC_EVENT_DESTROYED] = FASTIPC_CMD_ENDPOINT_DESTROYED,
		[FASTIPC_EVENT_PEER_GONE] = FASTIPC_CMD_PEER_GONE,
	};
	const struct fastipc_event *event = data;
	struct fastipc_endpoint *ep = event->ep;
	char name[FASTIPC_NAME_MAX];
	struct sk_buff *skb;
	umode_t mode;
	kuid_t uid;
	kgid_t gid;
	void *hdr;

	if (action >= ARRAY_SIZE(cmds) ||
	    !genl_has_listeners(&fastipc_nl_family, &init_net, FASTIPC_NLGRP_EVENTS))
		return NOTIFY_DONE;

	spin_lock(&ep->lock);
	uid = ep->uid;
	gid = ep->gid;
	mode = ep->mode;
	spin_unlock(&ep->lock);
	/*
	 * Not under the registry's lock, which naming.c keeps to itself: an
	 * unlink may clear ep->name meanwhile, but writes only its first byte,
	 * so this reads the name or nothing.
	 */
	strscpy(name, ep->name, sizeof(name));

	skb = genlmsg_new(fastipc_nl_event_size(), GFP_KERNEL);
	if (!skb)
		return NOTIFY_DONE;
	hdr = genlmsg_put(skb, 0, 0, &fastipc_nl_family, 0, cmds[action]);
	if (!hdr)
		goto err_msg;
	/* Listeners live in init_net, whose user namespace is init_user_ns. */
	if (nla_put_u64_64bit(skb, FASTIPC_A_ID, ep->id, FASTIPC_A_PAD) ||
	    (name[0] && nla_put_string(skb, FASTIPC_A_NAME, name)) ||
	    nla_put_u32(skb, FASTIPC_A_UID, from_kuid(&init_user_ns, uid)) ||
	    nla_put_u32(skb, FASTIPC_A_GID, from_kgid(&init_user_ns, gid)) ||
	    nla_put_u32(skb, FASTIPC_A_MODE, mode) ||
	    (action == FASTIPC_EVENT_PEER_GONE &&
	     nla_put_u64_64bit(skb, FASTIPC_A_CONN_ID, event->conn_id, FASTIPC_A_PAD)))
		goto err_msg;
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&fastipc_nl_family, skb, 0, FASTIPC_NLGRP_EVENTS, GFP_KERNEL);
	return NOTIFY_OK;

err_msg:
	nlmsg_free(skb);
	return NOTIFY_DONE;
}

static struct notifier_block fastipc_nl_events = {
	.notifier_call = fastipc_nl_event,
};

/**
 * fastipc_netlink_init - register the family, then start sending events
 * Return: 0 or a negative errno.
 */
int __init fastipc_netlink_init(void)
{
	int ret;

	ret = genl_register_family(&fastipc_nl_family);
	if (ret)
		return ret;
	ret = fastipc_events_register(&fastipc_nl_events);
	if (ret)
		goto err_events;
	return 0;

err_events:
	genl_unregister_family(&fastipc_nl_family);
	return ret;
}

/*
 * Stop the events first: unregistering the notifier waits for a call in
 * progress, which may still be using the family.
 */
void fastipc_netlink_exit(void)
{
	fastipc_events_unregister(&fastipc_nl_events);
	genl_unregister_family(&fastipc_nl_family);
}
