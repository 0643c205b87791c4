// SPDX-License-Identifier: GPL-2.0
/*
 * Messages, endpoint queues and the life of a call.
 *
 * Locking.  Each endpoint has one spinlock, ep->lock.  It guards the queue,
 * the table of received calls, the state of every message sent to the
 * endpoint and the async lists of the endpoint's connections.  Wait-queue
 * locks nest inside it (wake-ups and prepare_to_wait() run under it).  No
 * global lock is taken on the message path.  The polling windows
 * (ep->spin_window, conn->spin_window) are hints read and written without a
 * lock, with READ_ONCE()/WRITE_ONCE(): a lost update only costs a wait a
 * window of the wrong length.
 *
 * Payloads are copied with the lock dropped.  A message being copied is in a
 * transient state (RECEIVING, REPLYING) that only its copier leaves; whoever
 * else needs the message meanwhile either hands it over (a caller that gives
 * up marks it withdrawn) or waits for the copy to finish.
 *
 * Ownership.  Whoever holds a message frees it:
 *  - a one-way message belongs to the queue, then to the receiver that takes
 *    it, which makes it the connection's spare if that has none;
 *  - a synchronous call belongs to its caller, which reuses it as the
 *    connection's spare; a caller that withdraws a call a receiver already
 *    took leaves it to the receiver and the reply path, which drop it;
 *  - an async call belongs to its connection's async list until collected
 *    (and then becomes the spare, as a one-way message does); closing the
 *    connection frees or withdraws what is left;
 *  - when the endpoint shuts down, queued one-way messages are freed and
 *    every call still pending completes with EPIPE.
 * Each message holds a reference on its connection, so msg->conn is always
 * valid.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/sched/stat.h>
#include <linux/sched/task.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "fastipc.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* Payload bytes a call's message holds inline, request and reply alike. */
#define FASTIPC_MSG_INLINE	256
/* The largest payload buffer a connection's spare message keeps. */
#define FASTIPC_SPARE_MAX	SZ_64K

static struct fastipc_msg *fastipc_msg_alloc(size_t inline_capacity)
{
	struct fastipc_msg *msg;

	msg = kmalloc(struct_size(msg, inline_data, inline_capacity),
		      GFP_KERNEL_ACCOUNT);
	if (!msg)
		return NULL;
	msg->data = msg->inline_data;
	msg->capacity = inline_capacity;
	msg->inline_capacity = inline_capacity;
	msg->sender = NULL;
	msg->conn = NULL;
	msg->charged = 0;
	msg->pinned_req = NULL;
	msg->pinned_reply = NULL;
	msg->reply_direct = false;
	msg->copy_waiter = false;
	msg->reply_bounded = false;
	msg->is_hangup = false;
	init_waitqueue_head(&msg->done_wait);
	return msg;
}

static int fastipc_msg_reserve(struct fastipc_msg *msg, size_t len)
{
	void *data;

	if (len <= msg->capacity)
		return 0;
	data = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!data)
		return -ENOMEM;
	if (msg->data != msg->inline_data)
		kvfree(msg->data);
	msg->data = data;
	msg->capacity = len;
	return 0;
}

/* Its bytes no longer count against the endpoint: delivered or dropped. */
static void fastipc_msg_uncharge(struct fastipc_msg *msg)
{
	if (msg->charged) {
		fastipc_user_uncharge(msg->conn->ep->owner, FASTIPC_CHARGE_QUEUED_BYTES,
				      msg->charged);
		msg->charged = 0;
	}
}

/* Drop what a message holds for the time it is in flight. */
static void fastipc_msg_unstamp(struct fastipc_msg *msg)
{
	fastipc_msg_uncharge(msg);
	fastipc_pages_release(msg->pinned_req);
	msg->pinned_req = NULL;
	fastipc_pages_release(msg->pinned_reply);
	msg->pinned_reply = NULL;
	if (msg->sender) {
		put_task_struct(msg->sender);
		msg->sender = NULL;
	}
	if (msg->conn) {
		fastipc_connection_put(msg->conn);
		msg->conn = NULL;
	}
}

static void fastipc_msg_free(struct fastipc_msg *msg)
{
	fastipc_msg_unstamp(msg);
	if (msg->data != msg->inline_data)
		kvfree(msg->data);
	kfree(msg);
}

/* What the receiver learns of the sender: whoever sends, as they send. */
static void fastipc_msg_stamp(struct fastipc_msg *msg)
{
	msg->uid = current_euid();
	msg->gid = current_egid();
	msg->sender = get_task_struct(current);
}

/*
 * A connection's last message, stamped now, by the task that gives the
 * connection its buffer: it is sent from ->release, which runs in whoever
 * dropped the last file reference, and that task speaks for nobody.
 */
struct fastipc_msg *fastipc_msg_alloc_hangup(void)
{
	struct fastipc_msg *msg = fastipc_msg_alloc(0);

	if (msg) {
		msg->is_hangup = true;
		fastipc_msg_stamp(msg);
	}
	return msg;
}

void fastipc_msg_free_spare(struct fastipc_msg *msg)
{
	if (msg)
		fastipc_msg_free(msg);
}

static void fastipc_msg_free_list(struct list_head *list)
{
	struct fastipc_msg *msg, *tmp;

	list_for_each_entry_safe(msg, tmp, list, node)
		fastipc_msg_free(msg);
}

/* The connection's spare message, or a new one with @inline_capacity. */
static struct fastipc_msg *fastipc_spare_take(struct fastipc_connection *conn,
					      size_t inline_capacity)
{
	struct fastipc_msg *msg = xchg(&conn->spare, NULL);

	return msg ?: fastipc_msg_alloc(inline_capacity);
}

static void fastipc_spare_return(struct fastipc_connection *conn,
				 struct fastipc_msg *msg)
{
	fastipc_msg_unstamp(msg);
	if (msg->capacity > FASTIPC_SPARE_MAX) {
		kvfree(msg->data);
		msg->data = msg->inline_data;
		msg->capacity = msg->inline_capacity;
	}
	if (cmpxchg(&conn->spare, NULL, msg))
		fastipc_msg_free(msg);
}

/*
 * A one-way message or an async call is done with: it becomes its
 * connection's spare if that has none, so that a sender who keeps sending
 * reuses one message instead of allocating one each time.  The connection,
 * which frees its spare when it goes, is held until the message is in
 * place.
 */
static void fastipc_msg_recycle(struct fastipc_msg *msg)
{
	struct fastipc_connection *conn = msg->conn;

	/* A spare keeps a call's small payloads inline. */
	if (msg->is_hangup || msg->inline_capacity < FASTIPC_MSG_INLINE) {
		fastipc_msg_free(msg);
		return;
	}
	fastipc_connection_get(conn);
	fastipc_spare_return(conn, msg);
	fastipc_connection_put(conn);
}

static size_t fastipc_payload_len(const struct fastipc_payload *data)
{
	if (data->in_buffer)
		return data->len;
	return data->pinned ? data->pinned->len : iov_iter_count(data->iter);
}

/*
 * Take in the payload (copy it, or check its place in the buffer) and stamp
 * what the receiver will learn of the sender.
 */
static int fastipc_msg_fill(struct fastipc_msg *msg,
			    struct fastipc_connection *conn, s64 type,
			    const struct fastipc_payload *data)
{
	size_t len = fastipc_payload_len(data);
	int ret;

	fastipc_connection_get(conn);
	msg->conn = conn;
	msg->in_buffer = data->in_buffer;
	msg->offset = data->offset;
	if (data->in_buffer) {
		ret = fastipc_buffer_check(fastipc_connection_buffer(conn), data->offset, len);
		if (ret)
			return ret;
	} else {
		/* From here on the message owns the pages, whatever happens. */
		msg->pinned_req = data->pinned;
		ret = fastipc_user_charge(conn->ep->owner, FASTIPC_CHARGE_QUEUED_BYTES, len);
		if (ret)
			return ret;
		msg->charged = len;
		if (!data->pinned) {
			ret = fastipc_msg_reserve(msg, len);
			if (ret)
				return ret;
			if (!copy_from_iter_full(msg->data, len, data->iter))
				return -EFAULT;
		}
	}

	msg->len = len;
	msg->type = type;
	msg->token = 0;
	msg->cookie = 0;
	msg->conn_id = conn->id;
	msg->error = 0;
	msg->withdrawn = false;
	if (!msg->is_hangup)
		fastipc_msg_stamp(msg);
	return 0;
}

static bool fastipc_filter_matches(const struct fastipc_filter *filter, s64 type)
{
	if (!filter->type)
		return true;
	if (filter->type > 0)
		return (type == filter->type) != filter->except;
	/* type >= 0, so -type cannot overflow: type <= -filter->type. */
	return -type >= filter->type;
}

static struct fastipc_msg *fastipc_queue_find_locked(struct fastipc_endpoint *ep,
						     const struct fastipc_filter *filter)
{
	struct fastipc_msg *msg, *best = NULL;

	lockdep_assert_held(&ep->lock);
	list_for_each_entry(msg, &ep->queue, node) {
		/* A hangup goes to any receiver, so a typed one cannot leave it. */
		if (msg->is_hangup)
			return msg;
		if (!fastipc_filter_matches(filter, msg->type))
			continue;
		if (filter->type >= 0)
			return msg;
		if (!best || msg->type < best->type)
			best = msg;
	}
	return best;
}

static void fastipc_queue_add_locked(struct fastipc_endpoint *ep,
				     struct fastipc_msg *msg, bool at_head)
{
	lockdep_assert_held(&ep->lock);
	msg->state = FASTIPC_MSG_QUEUED;
	if (at_head)
		list_add(&msg->node, &ep->queue);
	else
		list_add_tail(&msg->node, &ep->queue);
	WRITE_ONCE(ep->nr_queued, ep->nr_queued + 1);
}

static void fastipc_queue_del_locked(struct fastipc_endpoint *ep,
				     struct fastipc_msg *msg)
{
	lockdep_assert_held(&ep->lock);
	list_del(&msg->node);
	WRITE_ONCE(ep->nr_queued, ep->nr_queued - 1);
}

static bool fastipc_queue_has_room_locked(struct fastipc_endpoint *ep)
{
	lockdep_assert_held(&ep->lock);
	return ep->nr_queued < fastipc_limit(FASTIPC_LIMIT_QUEUE_DEPTH);
}

static void fastipc_notify_endpoint(struct fastipc_endpoint *ep, __poll_t mask)
{
	if (wq_has_sleeper(&ep->poll_wait))
		wake_up_interruptible_poll(&ep->poll_wait, mask);
	if (mask & EPOLLIN)
		kill_fasync(&ep->fasync, SIGIO, POLL_IN);
}

/*
 * SIGIO for what a connection's poll shows of its endpoint (POLL_OUT: room
 * again in a queue that was full; POLL_HUP: the endpoint is gone), to every
 * connection that asked for it.  Rare: only those two transitions.
 */
static void fastipc_signal_connections(struct fastipc_endpoint *ep, int band)
{
	struct fastipc_connection *conn;

	spin_lock(&ep->lock);
	list_for_each_entry(conn, &ep->connections, ep_node)
		kill_fasync(&conn->fasync, SIGIO, band);
	spin_unlock(&ep->lock);
}

static void fastipc_notify_connection(struct fastipc_connection *conn)
{
	if (wq_has_sleeper(&conn->poll_wait))
		wake_up_interruptible_poll(&conn->poll_wait, EPOLLIN | EPOLLRDNORM);
	kill_fasync(&conn->fasync, SIGIO, POLL_IN);
}

/**
 * struct fastipc_receiver - a receiver waiting on an endpoint
 * @wait: on ep->recv_wait, exclusive, so one message wakes one receiver.
 * @filter: the messages it wants.  A wake-up for a message it would not
 *	take passes it over, so that the wake-up reaches one that would.
 */
struct fastipc_receiver {
	struct wait_queue_entry wait;
	const struct fastipc_filter *filter;
};

static int fastipc_receiver_wake(struct wait_queue_entry *wait,
				 unsigned int mode, int sync, void *key)
{
	struct fastipc_receiver *receiver =
		container_of(wait, struct fastipc_receiver, wait);
	struct fastipc_msg *msg = key;

	if (msg && !msg->is_hangup && !fastipc_filter_matches(receiver->filter, msg->type))
		return 0;
	return default_wake_function(wait, mode, sync, key);
}

/* Wake one receiver that would take @msg (any receiver for NULL). */
static void fastipc_wake_receiver_locked(struct fastipc_endpoint *ep,
					 struct fastipc_msg *msg, bool sync)
{
	lockdep_assert_held(&ep->lock);
	/* Receivers queue themselves under ep->lock: no barrier is needed. */
	if (!waitqueue_active(&ep->recv_wait))
		return;
	if (sync)
		__wake_up_sync_key(&ep->recv_wait, TASK_INTERRUPTIBLE, msg);
	else
		__wake_up(&ep->recv_wait, TASK_INTERRUPTIBLE, 1, msg);
}

/* A message left the queue: one sender waiting for room may go on. */
static void fastipc_wake_sender_locked(struct fastipc_endpoint *ep)
{
	lockdep_assert_held(&ep->lock);
	/* Senders queue themselves under ep->lock: no barrier is needed. */
	if (waitqueue_active(&ep->send_wait))
		wake_up(&ep->send_wait);
}

/*
 * A receiver leaves without the message it was woken for (it timed out, was
 * interrupted, or @msg is too long for it), and may have used up the only
 * wake-up a queued message got: pass it on.  For @msg, to one receiver
 * that would take it; not knowing which message, to every receiver, each
 * of which looks again (a rare path: only leaving receivers take it).
 */
static void fastipc_pass_on_wake_locked(struct fastipc_endpoint *ep,
					struct fastipc_msg *msg)
{
	lockdep_assert_held(&ep->lock);
	/* Receivers queue themselves under ep->lock: no barrier is needed. */
	if (!ep->nr_queued || !waitqueue_active(&ep->recv_wait))
		return;
	if (msg)
		fastipc_wake_receiver_locked(ep, msg, false);
	else
		__wake_up(&ep->recv_wait, TASK_INTERRUPTIBLE, 0, NULL);
}

/*
 * A taken message goes back to the head of the queue (its copy-out
 * faulted): a receiver that would take it is woken, and so is its caller,
 * whose send deadline applies again.  The caller notifies pollers.
 */
static void fastipc_queue_put_back_locked(struct fastipc_endpoint *ep,
					  struct fastipc_msg *msg)
{
	lockdep_assert_held(&ep->lock);
	fastipc_queue_add_locked(ep, msg, true);
	msg->copy_waiter = false;
	/* Its caller waits under ep->lock: no barrier is needed. */
	if (msg->is_call && !msg->is_async && waitqueue_active(&msg->done_wait))
		wake_up(&msg->done_wait);
	fastipc_wake_receiver_locked(ep, msg, false);
}

/*
 * Poll @cond until local_clock() passes @end before a wait sleeps: a peer on
 * another CPU may answer sooner than a sleep and a wake-up take.  Gives up
 * at once when the CPU is wanted, another task could run here (the peer,
 * perhaps) or a signal is pending.
 */
#define fastipc_spin_until(cond, end)					\
({									\
	unsigned int __n = 0;						\
	bool __done;							\
									\
	while (!(__done = (cond)) && !need_resched() &&			\
	       !signal_pending(current) &&					\
	       (++__n & 63 || (single_task_running() && local_clock() < (end)))) \
		cpu_relax();						\
	__done;								\
})

/*
 * Adaptive spin-before-sleep, one window per side of a wait (an endpoint's
 * receivers, a connection's callers): a wait polls for its window before it
 * sleeps.  The window grows, doubling up to the spin_ns limit, after each
 * wait that ended within that limit, and halves after one that did not; so
 * a peer that answers quickly on another CPU is waited for awake, and one
 * that does not costs a few halving waits.  Only a wait that begins with
 * this CPU to itself polls or learns: with the peer runnable here, polling
 * would only keep it from running.
 */
#define FASTIPC_SPIN_START_NS	(10 * NSEC_PER_USEC)

/* When a wait bounded by @dl may have to end at the earliest. */
static ktime_t fastipc_deadline_bound(const struct fastipc_deadline *dl)
{
	return dl->mode == FASTIPC_WAIT_ABSOLUTE ? dl->expires : KTIME_MAX;
}

/*
 * How long a wait that begins now may poll, with @window (all of spin_ns if
 * @forced), and never past @until, so that polling cannot make a timeout
 * late; 0 for not at all.  *@start is when the wait began, or 0 if it may
 * not teach @window anything.
 */
static u64 fastipc_spin_budget(const u32 *window, bool forced, ktime_t until,
			       u64 *start)
{
	u64 budget = fastipc_limit(FASTIPC_LIMIT_SPIN_NS);
	s64 left;

	*start = 0;
	if (!budget || !single_task_running())
		return 0;
	if (!forced)
		budget = min_t(u64, READ_ONCE(*window), budget);
	if (until != KTIME_MAX) {
		left = ktime_to_ns(ktime_sub(until, ktime_get()));
		if (left <= 0)
			return 0;
		budget = min_t(u64, budget, left);
	}
	*start = local_clock();
	return budget;
}

/* A wait that began at @start (see fastipc_spin_budget()) has ended. */
static void fastipc_spin_learn(u32 *window, u64 start)
{
	u64 max = fastipc_limit(FASTIPC_LIMIT_SPIN_NS);
	u64 next = READ_ONCE(*window);

	if (!start)
		return;
	if (local_clock() - start <= max)
		next = min(max(next * 2, FASTIPC_SPIN_START_NS), max);
	else
		next /= 2;
	WRITE_ONCE(*window, next);
}

/*
 * Sleep until woken, @dl or a signal.  The caller has queued itself and set
 * its task state (@state) with prepare_to_wait*().  Returns 0 when woken, or
 * why the wait must end.
 */
int fastipc_deadline_sleep(const struct fastipc_deadline *dl, unsigned int state)
{
	ktime_t expires = dl->expires;

	if (dl->mode == FASTIPC_WAIT_NONE)
		return -EAGAIN;
	if (signal_pending_state(state, current))
		return -EINTR;
	if (dl->mode == FASTIPC_WAIT_INFINITE)
		schedule();
	else if (!schedule_hrtimeout_range(&expires, current->timer_slack_ns,
					   HRTIMER_MODE_ABS))
		return -ETIMEDOUT;
	return 0;
}

/* fastipc_deadline_sleep() with ep->lock dropped meanwhile. */
static int fastipc_sleep_locked(struct fastipc_endpoint *ep,
				const struct fastipc_deadline *dl,
				unsigned int state)
	__must_hold(&ep->lock)
{
	int ret;

	lockdep_assert_held(&ep->lock);
	spin_unlock(&ep->lock);
	ret = fastipc_deadline_sleep(dl, state);
	spin_lock(&ep->lock);
	return ret;
}

void fastipc_deadline_remaining(const struct fastipc_deadline *dl,
				struct fastipc_timeout *timeout)
{
	s64 left;

	if (!dl->relative)
		return;
	left = ktime_to_ns(ktime_sub(dl->expires, ktime_get()));
	timeout->ns = max_t(s64, left, 0);
}

/*
 * A connection's outstanding async calls (sent, not collected) are bounded
 * by queue_depth: each holds a message, and its reply, in kernel memory
 * until collected, whatever the server and the caller do.
 */
static void fastipc_async_add_locked(struct fastipc_msg *msg, bool at_head)
{
	struct fastipc_connection *conn = msg->conn;

	lockdep_assert_held(&conn->ep->lock);
	if (at_head)
		list_add(&msg->async_node, &conn->async);
	else
		list_add_tail(&msg->async_node, &conn->async);
	conn->nr_async++;
}

static void fastipc_async_del_locked(struct fastipc_msg *msg)
{
	lockdep_assert_held(&msg->conn->ep->lock);
	list_del(&msg->async_node);
	msg->conn->nr_async--;
}

/*
 * Queue @msg, waiting for room until @room.  An async call joins its
 * connection's async list in the same critical section, so a reply can
 * never find it missing.
 */
static int fastipc_enqueue(struct fastipc_endpoint *ep, struct fastipc_msg *msg,
			   const struct fastipc_deadline *room, bool sync,
			   u64 *cookie)
{
	DEFINE_WAIT(wait);
	int ret = 0;

	/*
	 * Conditions are checked before queueing on the wait queue: their
	 * changes and the wake-ups both happen under ep->lock, held here from
	 * the check to the sleep, so none is missed.
	 */
	spin_lock(&ep->lock);
	if (msg->is_async &&
	    msg->conn->nr_async >= fastipc_limit(FASTIPC_LIMIT_QUEUE_DEPTH)) {
		spin_unlock(&ep->lock);
		return -EBUSY;
	}
	for (;;) {
		if (ep->dead) {
			ret = -EPIPE;
			break;
		}
		if (fastipc_queue_has_room_locked(ep)) {
			ret = 0;
			break;
		}
		if (ret)
			break;
		prepare_to_wait_exclusive(&ep->send_wait, &wait, TASK_INTERRUPTIBLE);
		ret = fastipc_sleep_locked(ep, room, TASK_INTERRUPTIBLE);
	}
	finish_wait(&ep->send_wait, &wait);
	if (ret) {
		/* Pass on a wake-up this sender may have used up. */
		if (ret != -EPIPE && fastipc_queue_has_room_locked(ep))
			fastipc_wake_sender_locked(ep);
		spin_unlock(&ep->lock);
		return ret;
	}

	if (msg->is_async) {
		/* Once queued the message may be answered and collected. */
		msg->cookie = ++msg->conn->next_cookie;
		*cookie = msg->cookie;
		fastipc_async_add_locked(msg, false);
	}
	fastipc_queue_add_locked(ep, msg, false);
	ep->stats.sent++;
	trace_fastipc_send(ep->id, msg->conn_id, msg->type, msg->len, msg->is_call);
	fastipc_wake_receiver_locked(ep, msg, sync);
	spin_unlock(&ep->lock);
	fastipc_notify_endpoint(ep, EPOLLIN | EPOLLRDNORM);
	return 0;
}

/*
 * A message the sender does not wait on: one-way, or an async call (which
 * keeps room inline for its reply, and gets a @cookie).
 */
static int fastipc_submit(struct fastipc_connection *conn, s64 type,
			  const struct fastipc_payload *data,
			  const struct fastipc_deadline *room, u64 *cookie)
{
	size_t len = data->in_buffer ? 0 : fastipc_payload_len(data);
	struct fastipc_msg *msg;
	int ret;

	msg = fastipc_spare_take(conn, len <= FASTIPC_MSG_INLINE ? FASTIPC_MSG_INLINE : 0);
	if (!msg)
		return -ENOMEM;
	msg->is_call = !!cookie;
	msg->is_async = !!cookie;
	msg->reply_bounded = false;
	msg->copy_waiter = false;
	ret = fastipc_msg_fill(msg, conn, type, data);
	if (!ret)
		ret = fastipc_enqueue(conn->ep, msg, room, false, cookie);
	if (ret)
		fastipc_msg_free(msg);
	return ret;
}

int fastipc_send(struct fastipc_connection *conn, s64 type,
		 const struct fastipc_payload *data,
		 const struct fastipc_deadline *room)
{
	return fastipc_submit(conn, type, data, room, NULL);
}

/* A call is answered (@error 0) or failed: hand it to whoever waits for it. */
static void fastipc_call_done_locked(struct fastipc_endpoint *ep,
				     struct fastipc_msg *msg, int error)
{
	lockdep_assert_held(&ep->lock);
	WRITE_ONCE(msg->state, FASTIPC_MSG_DONE);
	msg->error = error;
	if (msg->is_async) {
		list_add_tail(&msg->node, &msg->conn->finished);
		fastipc_notify_connection(msg->conn);
	} else {
		__wake_up_sync(&msg->done_wait, TASK_NORMAL);
	}
}

/*
 * A reply is being copied straight into the caller's pinned pages: the
 * caller may not leave before the copy ends (unless it dies), or it would
 * see its buffer change after it returned.  The copy is page to page from
 * pages the replier pinned first (fastipc_reply()), so it is short and
 * cannot stall: no peer can hold a caller past its timeout.  A receiver
 * reading a pinned request needs no such wait: the caller that leaves
 * meanwhile leaves the request pages pinned (and counted to it) until the
 * receiver's copy ends, and nothing is written to them.
 */
static bool fastipc_call_copying(const struct fastipc_msg *msg)
{
	return msg->state == FASTIPC_MSG_REPLYING && msg->reply_direct;
}

/* A copy out of the caller's pages ended: a caller waiting for that wakes. */
static void fastipc_call_copy_ended_locked(struct fastipc_endpoint *ep,
					   struct fastipc_msg *msg)
{
	lockdep_assert_held(&ep->lock);
	if (msg->copy_waiter) {
		msg->copy_waiter = false;
		wake_up(&msg->done_wait);
	}
}

/* The deadline a waiting caller sleeps to, given where its call stands. */
static void fastipc_call_deadline_locked(struct fastipc_msg *msg,
					 const struct fastipc_deadline *send,
					 const struct fastipc_deadline *reply,
					 struct fastipc_deadline *dl)
{
	*dl = *reply;
	if (msg->state == FASTIPC_MSG_QUEUED) {
		/*
		 * Only the send deadline counts until a receiver takes the
		 * call; one that does wakes a caller with a bounded reply
		 * phase (@reply_bounded), to sleep to the reply deadline.
		 */
		*dl = *send;
		if (dl->mode == FASTIPC_WAIT_NONE)
			dl->mode = FASTIPC_WAIT_INFINITE;
	} else if (fastipc_call_copying(msg)) {
		/* A copy is under way: the caller waits for its end. */
		dl->mode = FASTIPC_WAIT_INFINITE;
		msg->copy_waiter = true;
	} else if (reply->relative) {
		dl->expires = ktime_add_safe(msg->taken, ns_to_ktime(reply->ns));
	}
}

/* Has the phase the call is in run out of time? */
static bool fastipc_call_expired_locked(const struct fastipc_msg *msg,
					const struct fastipc_deadline *send,
					const struct fastipc_deadline *reply)
{
	const struct fastipc_deadline *dl = msg->state == FASTIPC_MSG_QUEUED ?
					    send : reply;
	ktime_t expires = dl->expires;

	if (dl->mode == FASTIPC_WAIT_INFINITE)
		return false;
	if (dl->mode == FASTIPC_WAIT_NONE)
		return msg->state != FASTIPC_MSG_QUEUED;
	if (dl == reply && reply->relative)
		expires = ktime_add_safe(msg->taken, ns_to_ktime(reply->ns));
	return !ktime_before(ktime_get(), expires);
}

/*
 * The caller gives up on @msg.  Returns true if the caller still owns it
 * (it was queued, and is now off the queue), false if it now belongs to the
 * receiver that took it.
 */
static bool fastipc_call_withdraw_locked(struct fastipc_endpoint *ep,
					 struct fastipc_msg *msg)
{
	lockdep_assert_held(&ep->lock);
	ep->stats.withdrawn++;
	trace_fastipc_cancel(ep->id, msg->conn_id, msg->token, msg->state);
	if (msg->state == FASTIPC_MSG_QUEUED) {
		fastipc_queue_del_locked(ep, msg);
		fastipc_wake_sender_locked(ep);
		return true;
	}
	msg->withdrawn = true;
	return false;
}

int fastipc_call(struct fastipc_connection *conn, s64 type,
		 const struct fastipc_payload *data, struct iov_iter *reply,
		 struct fastipc_pages *reply_pinned,
		 const struct fastipc_deadline *send,
		 const struct fastipc_deadline *reply_deadline, bool spin,
		 struct fastipc_outcome *outcome)
{
	struct fastipc_endpoint *ep = conn->ep;
	struct fastipc_pages *unpin = NULL;
	struct fastipc_deadline dl;
	struct fastipc_msg *msg;
	u64 spin_start = 0, budget;
	DEFINE_WAIT(wait);
	unsigned int state;
	size_t copy;
	int ret;

	msg = fastipc_spare_take(conn, FASTIPC_MSG_INLINE);
	if (!msg) {
		fastipc_pages_release(data->pinned);
		fastipc_pages_release(reply_pinned);
		return -ENOMEM;
	}
	msg->is_call = true;
	msg->is_async = false;
	msg->pinned_reply = reply_pinned;
	msg->reply_direct = false;
	msg->copy_waiter = false;
	msg->reply_bounded = reply_deadline->mode == FASTIPC_WAIT_ABSOLUTE;
	ret = fastipc_msg_fill(msg, conn, type, data);
	if (ret)
		goto out;
	ret = fastipc_enqueue(ep, msg, send, true, NULL);
	if (ret)
		goto out;
	/*
	 * A receiver woken on this CPU asked for it: let it run now, while
	 * this caller is still runnable.  A reply that comes before the
	 * caller has queued itself to wait needs no wake-up, which spares the
	 * scheduler a dequeue and an enqueue per round trip.
	 */
	cond_resched();
	if (READ_ONCE(msg->state) != FASTIPC_MSG_DONE) {
		budget = fastipc_spin_budget(&conn->spin_window, spin,
					     min(fastipc_deadline_bound(send),
						 fastipc_deadline_bound(reply_deadline)),
					     &spin_start);
		if (budget)
			fastipc_spin_until(READ_ONCE(msg->state) == FASTIPC_MSG_DONE,
					   spin_start + budget);
	}

	spin_lock(&ep->lock);
	for (;;) {
		/* A copy in progress may only be abandoned by dying. */
		state = fastipc_call_copying(msg) ? TASK_KILLABLE : TASK_INTERRUPTIBLE;
		prepare_to_wait(&msg->done_wait, &wait, state);
		if (msg->state == FASTIPC_MSG_DONE) {
			ret = 0;
			break;
		}
		if (ret == -ETIMEDOUT &&
		    !fastipc_call_expired_locked(msg, send, reply_deadline))
			ret = 0;	/* an early wake-up, see _call_deadline */
		if (ret && (!fastipc_call_copying(msg) || fatal_signal_pending(current)))
			break;
		fastipc_call_deadline_locked(msg, send, reply_deadline, &dl);
		ret = fastipc_sleep_locked(ep, &dl, state);
	}
	finish_wait(&msg->done_wait, &wait);
	if (ret) {
		if (ret == -ETIMEDOUT)
			trace_fastipc_timeout(ep->id, msg->conn_id, msg->token);
		/* A relative reply bound runs from when the call was taken. */
		outcome->reply_expires = msg->state == FASTIPC_MSG_QUEUED ? 0 :
			ktime_add_safe(msg->taken, ns_to_ktime(reply_deadline->ns));
		if (!fastipc_call_withdraw_locked(ep, msg)) {
			/*
			 * The receiver keeps the call, but not the caller's
			 * reply pages: no reply will reach them.  In REPLYING
			 * the replier may be copying into them (only a dying
			 * caller gets here): it drops them with the call.
			 */
			if (msg->state != FASTIPC_MSG_REPLYING) {
				unpin = msg->pinned_reply;
				msg->pinned_reply = NULL;
			}
			msg = NULL;
		}
		spin_unlock(&ep->lock);
		fastipc_pages_release(unpin);
		goto out;
	}
	fastipc_spin_learn(&conn->spin_window, spin_start);
	spin_unlock(&ep->lock);

	ret = msg->error;
	if (!ret) {
		outcome->type = msg->type;
		outcome->len = msg->len;
		outcome->in_buffer = msg->in_buffer;
		outcome->offset = msg->offset;
		copy = msg->in_buffer || msg->reply_direct ? 0 :
			min(msg->len, iov_iter_count(reply));
		if (copy_to_iter(msg->data, copy, reply) != copy)
			ret = -EFAULT;
		else if (!msg->in_buffer && !msg->reply_direct && copy < msg->len)
			ret = -EMSGSIZE;
	}
out:
	if (msg)
		fastipc_spare_return(conn, msg);
	return ret;
}

int fastipc_call_async(struct fastipc_connection *conn, s64 type,
		       const struct fastipc_payload *data,
		       const struct fastipc_deadline *room, u64 *cookie)
{
	return fastipc_submit(conn, type, data, room, cookie);
}

static struct fastipc_msg *fastipc_async_find_locked(struct fastipc_connection *conn,
						     struct list_head *list,
						     u64 cookie, bool finished)
{
	struct fastipc_msg *msg;

	lockdep_assert_held(&conn->ep->lock);
	if (finished) {
		list_for_each_entry(msg, list, node)
			if (!cookie || msg->cookie == cookie)
				return msg;
	} else {
		list_for_each_entry(msg, list, async_node)
			if (msg->cookie == cookie)
				return msg;
	}
	return NULL;
}

int fastipc_collect(struct fastipc_connection *conn, u64 cookie,
		    struct iov_iter *reply, const struct fastipc_deadline *dl,
		    struct fastipc_outcome *outcome)
{
	struct fastipc_endpoint *ep = conn->ep;
	struct fastipc_msg *msg;
	DEFINE_WAIT(wait);
	int ret = 0;

	spin_lock(&ep->lock);
	for (;;) {
		prepare_to_wait(&conn->poll_wait, &wait, TASK_INTERRUPTIBLE);
		msg = fastipc_async_find_locked(conn, &conn->finished, cookie, true);
		if (msg) {
			ret = 0;
			break;
		}
		/* Looked for again after every wake-up: another thread may have collected it. */
		if (cookie ? !fastipc_async_find_locked(conn, &conn->async, cookie, false) :
			     list_empty(&conn->async)) {
			ret = -ENOENT;
			break;
		}
		if (ret)
			break;
		ret = fastipc_sleep_locked(ep, dl, TASK_INTERRUPTIBLE);
	}
	finish_wait(&conn->poll_wait, &wait);
	if (!msg) {
		spin_unlock(&ep->lock);
		return ret;
	}

	outcome->cookie = msg->cookie;
	outcome->type = msg->type;
	outcome->len = msg->len;
	outcome->in_buffer = msg->in_buffer;
	outcome->offset = msg->offset;
	if (!msg->error && !msg->in_buffer && msg->len > iov_iter_count(reply)) {
		spin_unlock(&ep->lock);
		return -EMSGSIZE;
	}
	list_del(&msg->node);
	fastipc_async_del_locked(msg);
	/*
	 * A collector waiting for this very call must learn it is gone.
	 * Collectors queue themselves under ep->lock: no barrier is needed.
	 */
	if (waitqueue_active(&conn->poll_wait))
		wake_up_interruptible(&conn->poll_wait);
	spin_unlock(&ep->lock);

	ret = msg->error;
	if (!ret && !msg->in_buffer &&
	    copy_to_iter(msg->data, msg->len, reply) != msg->len) {
		/* Keep it for another try with a good buffer. */
		spin_lock(&ep->lock);
		list_add(&msg->node, &conn->finished);
		fastipc_async_add_locked(msg, true);
		spin_unlock(&ep->lock);
		return -EFAULT;
	}
	fastipc_msg_recycle(msg);
	return ret;
}

static void fastipc_delivery_fill(struct fastipc_delivery *delivery,
				  const struct fastipc_msg *msg)
{
	struct pid_namespace *pid_ns = task_active_pid_ns(current);
	struct user_namespace *user_ns = current_user_ns();
	struct fastipc_msg_info *info = &delivery->info;

	info->type = msg->type;
	info->token = 0;
	info->conn_id = msg->conn_id;
	info->pid = task_tgid_nr_ns(msg->sender, pid_ns);
	info->tid = task_pid_nr_ns(msg->sender, pid_ns);
	info->uid = from_kuid_munged(user_ns, msg->uid);
	info->gid = from_kgid_munged(user_ns, msg->gid);
	info->len = msg->len;
	info->flags = msg->is_call ? FASTIPC_MSG_CALL : 0;
	if (msg->in_buffer)
		info->flags |= FASTIPC_MSG_BUFFER;
	if (msg->is_hangup)
		info->flags |= FASTIPC_MSG_HANGUP;
	info->offset = msg->in_buffer ? msg->offset : 0;
	info->buffer_size = msg->in_buffer ? fastipc_connection_buffer(msg->conn)->size : 0;
}

int fastipc_recv(struct fastipc_endpoint *ep,
		 const struct fastipc_filter *filter, struct iov_iter *data,
		 const struct fastipc_deadline *dl, bool spin,
		 struct fastipc_delivery *delivery)
{
	struct fastipc_receiver receiver = { .filter = filter };
	struct fastipc_pages *req_pages;
	struct fastipc_msg *msg;
	u64 spin_start = 0, budget;
	bool was_full;
	int ret = 0;

	init_waitqueue_func_entry(&receiver.wait, fastipc_receiver_wake);
	INIT_LIST_HEAD(&receiver.wait.entry);
	receiver.wait.private = current;

	if (dl->mode != FASTIPC_WAIT_NONE && !READ_ONCE(ep->nr_queued)) {
		budget = fastipc_spin_budget(&ep->spin_window, spin,
					     fastipc_deadline_bound(dl), &spin_start);
		if (budget)
			fastipc_spin_until(READ_ONCE(ep->nr_queued), spin_start + budget);
	}
	spin_lock(&ep->lock);
	for (;;) {
		msg = fastipc_queue_find_locked(ep, filter);
		if (msg) {
			ret = 0;
			break;
		}
		if (ret)
			break;
		prepare_to_wait_exclusive(&ep->recv_wait, &receiver.wait,
					  TASK_INTERRUPTIBLE);
		ret = fastipc_sleep_locked(ep, dl, TASK_INTERRUPTIBLE);
	}
	finish_wait(&ep->recv_wait, &receiver.wait);
	if (msg)
		fastipc_spin_learn(&ep->spin_window, spin_start);
	if (!msg || (!msg->in_buffer && msg->len > iov_iter_count(data))) {
		if (msg) {
			delivery->info.len = msg->len;
			ret = -EMSGSIZE;
		}
		fastipc_pass_on_wake_locked(ep, msg);
		spin_unlock(&ep->lock);
		return ret;
	}
	was_full = !fastipc_queue_has_room_locked(ep);
	fastipc_queue_del_locked(ep, msg);
	msg->state = FASTIPC_MSG_RECEIVING;
	if (msg->reply_bounded) {
		msg->taken = ktime_get();
		/* Its caller waits under ep->lock: no barrier is needed. */
		if (waitqueue_active(&msg->done_wait))
			wake_up(&msg->done_wait);
	}
	fastipc_wake_sender_locked(ep);
	spin_unlock(&ep->lock);
	fastipc_notify_endpoint(ep, EPOLLOUT | EPOLLWRNORM);
	if (was_full)
		fastipc_signal_connections(ep, POLL_OUT);

	fastipc_delivery_fill(delivery, msg);
	if (!msg->in_buffer &&
	    (msg->pinned_req ? fastipc_pages_to_iter(msg->pinned_req, data) :
			       copy_to_iter(msg->data, msg->len, data)) != msg->len) {
		spin_lock(&ep->lock);
		if (msg->withdrawn) {
			/* Its caller is gone; nobody will miss it. */
			spin_unlock(&ep->lock);
			fastipc_msg_free(msg);
			return -EFAULT;
		}
		fastipc_queue_put_back_locked(ep, msg);
		spin_unlock(&ep->lock);
		fastipc_notify_endpoint(ep, EPOLLIN | EPOLLRDNORM);
		return -EFAULT;
	}

	fastipc_msg_uncharge(msg);
	spin_lock(&ep->lock);
	ep->stats.received++;
	trace_fastipc_recv(ep->id, msg->conn_id, msg->type, msg->len, msg->is_call);
	if (!msg->is_call) {
		spin_unlock(&ep->lock);
		fastipc_msg_recycle(msg);
		return 0;
	}
	msg->token = ++ep->next_token;
	msg->state = FASTIPC_MSG_RECEIVED;
	hash_add(ep->calls, &msg->call_node, msg->token);
	fastipc_call_copy_ended_locked(ep, msg);
	delivery->info.token = msg->token;
	/* The request is read: its pages are unpinned now, not at the reply. */
	req_pages = msg->pinned_req;
	msg->pinned_req = NULL;
	spin_unlock(&ep->lock);
	fastipc_pages_release(req_pages);
	return 0;
}

static struct fastipc_msg *fastipc_call_find_locked(struct fastipc_endpoint *ep,
						    u64 token)
{
	struct fastipc_msg *msg;

	lockdep_assert_held(&ep->lock);
	hash_for_each_possible(ep->calls, msg, call_node, token)
		if (msg->token == token)
			return msg;
	return NULL;
}

int fastipc_reply(struct fastipc_endpoint *ep, u64 token, s64 type,
		  const struct fastipc_payload *data)
{
	size_t len = fastipc_payload_len(data);
	struct fastipc_pages *src = data->pinned;
	struct fastipc_msg *msg;
	struct iov_iter kernel;
	struct kvec vec;
	int ret;

	spin_lock(&ep->lock);
	msg = fastipc_call_find_locked(ep, token);
	if (!msg) {
		ret = -ENOENT;
		goto unlock;
	}
	if (data->in_buffer) {
		/* In the caller's connection buffer, which the reply goes back to. */
		ret = fastipc_buffer_check(msg->conn->buffer, data->offset, len);
		if (ret && !msg->withdrawn)
			goto unlock;
	}
	hash_del(&msg->call_node);
	if (msg->withdrawn)
		goto drop;
	/*
	 * Straight into the caller's pinned reply buffer only from pages
	 * pinned here too: that copy cannot stall, so the caller may wait
	 * for its end (see fastipc_call_copying()).
	 */
	msg->reply_direct = src && msg->pinned_reply && len <= msg->pinned_reply->len;
	msg->state = FASTIPC_MSG_REPLYING;
	spin_unlock(&ep->lock);

	ret = 0;
	if (msg->reply_direct) {
		fastipc_pages_copy_pages(msg->pinned_reply, src, len);
	} else if (!data->in_buffer) {
		ret = fastipc_msg_reserve(msg, len);
		if (!ret && src) {
			vec = (struct kvec) { .iov_base = msg->data, .iov_len = len };
			iov_iter_kvec(&kernel, ITER_DEST, &vec, 1, len);
			if (fastipc_pages_to_iter(src, &kernel) != len)
				ret = -EFAULT;
		} else if (!ret && !copy_from_iter_full(msg->data, len, data->iter)) {
			ret = -EFAULT;
		}
	}

	spin_lock(&ep->lock);
	if (msg->withdrawn)
		goto drop;
	if (ret) {
		/* The token stays good for another try. */
		msg->state = FASTIPC_MSG_RECEIVED;
		hash_add(ep->calls, &msg->call_node, msg->token);
		fastipc_call_copy_ended_locked(ep, msg);
		goto unlock;
	}
	msg->len = len;
	msg->type = type;
	msg->in_buffer = data->in_buffer;
	msg->offset = data->offset;
	ep->stats.replied++;
	trace_fastipc_reply(ep->id, msg->conn_id, token, len, 0);
	fastipc_call_done_locked(ep, msg, 0);
unlock:
	spin_unlock(&ep->lock);
	fastipc_pages_release(src);
	return ret;

drop:
	ep->stats.replies_dropped++;
	trace_fastipc_reply(ep->id, msg->conn_id, token, len, -ECANCELED);
	spin_unlock(&ep->lock);
	fastipc_msg_free(msg);
	fastipc_pages_release(src);
	return -ECANCELED;
}

void fastipc_queue_shutdown(struct fastipc_endpoint *ep)
{
	struct fastipc_msg *msg, *tmp;
	struct hlist_node *next;
	LIST_HEAD(lost);
	int bkt;

	spin_lock(&ep->lock);
	WRITE_ONCE(ep->dead, true);
	list_for_each_entry_safe(msg, tmp, &ep->queue, node) {
		fastipc_queue_del_locked(ep, msg);
		if (msg->is_call)
			fastipc_call_done_locked(ep, msg, -EPIPE);
		else
			list_add(&msg->node, &lost);
	}
	hash_for_each_safe(ep->calls, bkt, next, msg, call_node) {
		hash_del(&msg->call_node);
		if (msg->withdrawn)
			list_add(&msg->node, &lost);
		else
			fastipc_call_done_locked(ep, msg, -EPIPE);
	}
	wake_up_all(&ep->send_wait);
	spin_unlock(&ep->lock);
	fastipc_notify_endpoint(ep, EPOLLHUP | EPOLLOUT | EPOLLWRNORM);
	fastipc_signal_connections(ep, POLL_HUP);
	fastipc_msg_free_list(&lost);
}

/*
 * A connection with a buffer closed: tell its endpoint with a last message,
 * so a receiver can unmap the buffer.  It goes past a full queue.
 */
void fastipc_connection_hangup(struct fastipc_connection *conn)
{
	struct fastipc_msg *msg = xchg(&conn->hangup, NULL);
	struct fastipc_endpoint *ep = conn->ep;
	struct fastipc_payload none = { .in_buffer = true };

	if (!msg)
		return;
	msg->is_call = false;
	msg->is_async = false;
	if (fastipc_msg_fill(msg, conn, 0, &none))
		goto drop;
	msg->in_buffer = false;

	spin_lock(&ep->lock);
	if (ep->dead) {
		spin_unlock(&ep->lock);
		goto drop;
	}
	fastipc_queue_add_locked(ep, msg, false);
	fastipc_wake_receiver_locked(ep, msg, false);
	spin_unlock(&ep->lock);
	fastipc_notify_endpoint(ep, EPOLLIN | EPOLLRDNORM);
	return;

drop:
	fastipc_msg_free(msg);
}

void fastipc_connection_cancel_all(struct fastipc_connection *conn)
{
	struct fastipc_endpoint *ep = conn->ep;
	struct fastipc_msg *msg, *tmp;
	LIST_HEAD(gone);

	spin_lock(&ep->lock);
	list_for_each_entry_safe(msg, tmp, &conn->async, async_node) {
		fastipc_async_del_locked(msg);
		if (msg->state == FASTIPC_MSG_DONE)
			list_move(&msg->node, &gone);
		else if (fastipc_call_withdraw_locked(ep, msg))
			list_add(&msg->node, &gone);
	}
	spin_unlock(&ep->lock);
	fastipc_msg_free_list(&gone);
}
