/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * fastipc: the "fastipc" generic netlink family, which lists the endpoints of
 * /dev/fastipc (as ipcs(1) does for System V IPC) and reports their events.
 *
 * The family is described in YNL form by uapi/fastipc.yaml;
 * scripts/check-netlink-spec.py checks that this header matches it.
 *
 * Messages carry no family-specific header, only attributes.  u64 attributes
 * are aligned with %FASTIPC_A_PAD.  Endpoint flags are the
 * FASTIPC_ENDPOINT_* bits of <linux/fastipc.h>.
 *
 * The family is present in every network namespace; requests are answered
 * for the requester's IPC namespace and credentials.  The events group is
 * served in the initial network namespace only, and binding to it needs
 * CAP_SYS_ADMIN there: events name the endpoints of every IPC namespace.
 */
#ifndef _UAPI_LINUX_FASTIPC_NETLINK_H
#define _UAPI_LINUX_FASTIPC_NETLINK_H

#define FASTIPC_GENL_NAME	"fastipc"
#define FASTIPC_GENL_VERSION	1

/**
 * enum fastipc_attr - the attributes of the fastipc family
 * @FASTIPC_A_UNSPEC: unused.
 * @FASTIPC_A_ID: u64: the endpoint's id, unique while the module is loaded.
 * @FASTIPC_A_NAME: string: the endpoint's name, at most FASTIPC_NAME_MAX - 1
 *	characters; the request attribute of a GET_ENDPOINT do, absent from
 *	replies and events for an anonymous endpoint.
 * @FASTIPC_A_UID: u32: the owner.  In replies, in the requester's user
 *	namespace (65534 if unmapped); in events, in the initial user namespace.
 * @FASTIPC_A_GID: u32: the owner's group, likewise.
 * @FASTIPC_A_CUID: u32: the creator, in the requester's user namespace.
 * @FASTIPC_A_CGID: u32: the creator's group, likewise.
 * @FASTIPC_A_MODE: u32: the permission bits, at most 0777.
 * @FASTIPC_A_FLAGS: u32: %FASTIPC_ENDPOINT_PERSISTENT if it is.
 * @FASTIPC_A_QUEUED: u32: messages waiting to be received.
 * @FASTIPC_A_RECEIVERS: u32: open endpoint fds (not counting dup()s).
 * @FASTIPC_A_CONNECTIONS: u32: open connections.
 * @FASTIPC_A_SENT: u64: messages queued to the endpoint so far.
 * @FASTIPC_A_RECEIVED: u64: messages taken from it.
 * @FASTIPC_A_REPLIED: u64: calls answered.
 * @FASTIPC_A_REPLIES_DROPPED: u64: replies to calls whose caller had given
 *	up.
 * @FASTIPC_A_WITHDRAWN: u64: calls their caller gave up on (timeout,
 *	signal, close, death).
 * @FASTIPC_A_CONN_ID: u64: in %FASTIPC_CMD_PEER_GONE, the connection that
 *	closed (the connection_id of its fd's fdinfo).
 * @FASTIPC_A_PAD: padding for the u64 attributes.
 * @__FASTIPC_A_MAX: one past the last attribute.
 * @FASTIPC_A_MAX: the last attribute.
 */
enum fastipc_attr {
	FASTIPC_A_UNSPEC,
	FASTIPC_A_ID,
	FASTIPC_A_NAME,
	FASTIPC_A_UID,
	FASTIPC_A_GID,
	FASTIPC_A_CUID,
	FASTIPC_A_CGID,
	FASTIPC_A_MODE,
	FASTIPC_A_FLAGS,
	FASTIPC_A_QUEUED,
	FASTIPC_A_RECEIVERS,
	FASTIPC_A_CONNECTIONS,
	FASTIPC_A_SENT,
	FASTIPC_A_RECEIVED,
	FASTIPC_A_REPLIED,
	FASTIPC_A_REPLIES_DROPPED,
	FASTIPC_A_WITHDRAWN,
	FASTIPC_A_CONN_ID,
	FASTIPC_A_PAD,

	__FASTIPC_A_MAX,
	FASTIPC_A_MAX = __FASTIPC_A_MAX - 1
};

/**
 * enum fastipc_cmd - the commands of the fastipc family
 * @FASTIPC_CMD_UNSPEC: unused.
 * @FASTIPC_CMD_GET_ENDPOINT: describe endpoints of the requester's IPC
 *	namespace, every attribute but %FASTIPC_A_CONN_ID.  The dump lists
 *	those the requester may list: the named ones, and the anonymous ones
 *	it owns or created (all of them with CAP_IPC_OWNER over their
 *	creator's user namespace).  The do request describes the endpoint
 *	called %FASTIPC_A_NAME.  Errors: EINVAL if the name is missing or not
 *	a valid name, ENOENT if no endpoint has it.
 * @FASTIPC_CMD_ENDPOINT_CREATED: event: an endpoint was created.  Carries
 *	%FASTIPC_A_ID, %FASTIPC_A_NAME (if named), %FASTIPC_A_UID,
 *	%FASTIPC_A_GID and %FASTIPC_A_MODE.
 * @FASTIPC_CMD_ENDPOINT_DESTROYED: event: an endpoint stopped receiving (its
 *	last fd was closed, or it was persistent and was unlinked with no fd
 *	left).  Carries the attributes of %FASTIPC_CMD_ENDPOINT_CREATED.
 * @FASTIPC_CMD_PEER_GONE: event: a connection to the endpoint was closed.
 *	Carries the attributes of %FASTIPC_CMD_ENDPOINT_CREATED and
 *	%FASTIPC_A_CONN_ID.
 * @__FASTIPC_CMD_MAX: one past the last command.
 * @FASTIPC_CMD_MAX: the last command.
 */
enum fastipc_cmd {
	FASTIPC_CMD_UNSPEC,
	FASTIPC_CMD_GET_ENDPOINT,
	FASTIPC_CMD_ENDPOINT_CREATED,
	FASTIPC_CMD_ENDPOINT_DESTROYED,
	FASTIPC_CMD_PEER_GONE,

	__FASTIPC_CMD_MAX,
	FASTIPC_CMD_MAX = __FASTIPC_CMD_MAX - 1
};

/* The multicast group of the ENDPOINT_CREATED, _DESTROYED and PEER_GONE events. */
#define FASTIPC_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_FASTIPC_NETLINK_H */
