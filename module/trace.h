/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints on the message path: send, receive, reply, timeout, cancel.
 * Enable with: echo 1 > /sys/kernel/tracing/events/fastipc/enable
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM fastipc

#if !defined(_FASTIPC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _FASTIPC_TRACE_H

#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(fastipc_msg_class,
	TP_PROTO(u64 ep_id, u64 conn_id, s64 type, size_t len, bool is_call),
	TP_ARGS(ep_id, conn_id, type, len, is_call),
	TP_STRUCT__entry(
		__field(u64, ep_id)
		__field(u64, conn_id)
		__field(s64, type)
		__field(size_t, len)
		__field(bool, is_call)
	),
	TP_fast_assign(
		__entry->ep_id = ep_id;
		__entry->conn_id = conn_id;
		__entry->type = type;
		__entry->len = len;
		__entry->is_call = is_call;
	),
	TP_printk("ep=%llu conn=%llu type=%lld len=%zu %s",
		  __entry->ep_id, __entry->conn_id, __entry->type, __entry->len,
		  __entry->is_call ? "call" : "one-way")
);

DEFINE_EVENT(fastipc_msg_class, fastipc_send,
	TP_PROTO(u64 ep_id, u64 conn_id, s64 type, size_t len, bool is_call),
	TP_ARGS(ep_id, conn_id, type, len, is_call)
);

DEFINE_EVENT(fastipc_msg_class, fastipc_recv,
	TP_PROTO(u64 ep_id, u64 conn_id, s64 type, size_t len, bool is_call),
	TP_ARGS(ep_id, conn_id, type, len, is_call)
);

TRACE_EVENT(fastipc_reply,
	TP_PROTO(u64 ep_id, u64 conn_id, u64 token, size_t len, int error),
	TP_ARGS(ep_id, conn_id, token, len, error),
	TP_STRUCT__entry(
		__field(u64, ep_id)
		__field(u64, conn_id)
		__field(u64, token)
		__field(size_t, len)
		__field(int, error)
	),
	TP_fast_assign(
		__entry->ep_id = ep_id;
		__entry->conn_id = conn_id;
		__entry->token = token;
		__entry->len = len;
		__entry->error = error;
	),
	TP_printk("ep=%llu conn=%llu token=%llu len=%zu error=%d",
		  __entry->ep_id, __entry->conn_id, __entry->token,
		  __entry->len, __entry->error)
);

TRACE_EVENT(fastipc_timeout,
	TP_PROTO(u64 ep_id, u64 conn_id, u64 token),
	TP_ARGS(ep_id, conn_id, token),
	TP_STRUCT__entry(
		__field(u64, ep_id)
		__field(u64, conn_id)
		__field(u64, token)
	),
	TP_fast_assign(
		__entry->ep_id = ep_id;
		__entry->conn_id = conn_id;
		__entry->token = token;
	),
	TP_printk("ep=%llu conn=%llu token=%llu",
		  __entry->ep_id, __entry->conn_id, __entry->token)
);

TRACE_EVENT(fastipc_cancel,
	TP_PROTO(u64 ep_id, u64 conn_id, u64 token, int state),
	TP_ARGS(ep_id, conn_id, token, state),
	TP_STRUCT__entry(
		__field(u64, ep_id)
		__field(u64, conn_id)
		__field(u64, token)
		__field(int, state)
	),
	TP_fast_assign(
		__entry->ep_id = ep_id;
		__entry->conn_id = conn_id;
		__entry->token = token;
		__entry->state = state;
	),
	TP_printk("ep=%llu conn=%llu token=%llu state=%s", __entry->ep_id,
		  __entry->conn_id, __entry->token,
		  __print_symbolic(__entry->state,
				   { 0, "queued" }, { 1, "receiving" },
				   { 2, "received" }, { 3, "replying" },
				   { 4, "done" }))
);

#endif /* _FASTIPC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
