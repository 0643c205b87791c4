// SPDX-License-Identifier: GPL-2.0
/*
 * The door in from user space: the misc device, the file operations of the
 * three kinds of fd (context, endpoint, connection) and the ioctl
 * dispatcher.  This is the only file that touches __user memory; every other
 * file works on kernel copies of the ioctl structs and on iov_iters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "fastipc.h"

/* Room for the struct of any ioctl. */
union fastipc_ioctl_arg {
	struct fastipc_info info;
	struct fastipc_endpoint_create create;
	struct fastipc_connect connect;
	struct fastipc_endpoint_stat stat;
	struct fastipc_endpoint_set set;
	struct fastipc_unlink unlink;
	struct fastipc_buffer_create buffer;
	struct fastipc_send send;
	struct fastipc_call call;
	struct fastipc_collect collect;
	struct fastipc_recv recv;
	struct fastipc_reply reply;
	struct fastipc_reply_recv reply_recv;
};

/* Errors that come with output: time left, a needed size, a cookie. */
static bool fastipc_ioctl_reports(long ret)
{
	return ret >= 0 || ret == -EINTR || ret == -EMSGSIZE || ret == -EPIPE;
}

/*
 * Run one ioctl on the kernel copy @karg of its struct, @ksize bytes in this
 * module's version.  A caller's older, shorter struct (at least @size_ver0
 * bytes) is zero-extended; a newer one must have a zero tail.  For a command
 * that reads (_IOC_READ), what @handler leaves in @karg is copied back when
 * it succeeds or fails with an error that reports something
 * (fastipc_ioctl_reports()), or whatever the outcome with @always_reports
 * (REPLY_RECV's reply_error matters whether or not the receive worked).
 *
 * Inlined into each fd type's switch: a caller of this very version, the
 * common case, has its struct copied at a size known when compiling, which
 * needs no run-time object check, and @handler called directly.
 */
static __always_inline long fastipc_ioctl_run(struct file *file, unsigned int cmd,
					      unsigned long arg, void *karg,
					      size_t ksize, size_t size_ver0,
					      long (*handler)(struct file *file, void *arg),
					      bool always_reports)
{
	void __user *uarg = (void __user *)arg;
	bool reads = _IOC_DIR(cmd) & _IOC_READ;
	size_t usize = _IOC_SIZE(cmd);
	long ret;

	/*
	 * A struct that cannot be written back fails now, before the
	 * operation, so that a message is never taken or sent for a caller
	 * who is then told EFAULT.
	 */
	if (usize == ksize) {
		if (copy_from_user(karg, uarg, ksize) ||
		    (reads && copy_to_user(uarg, karg, ksize)))
			return -EFAULT;
	} else {
		if (usize < size_ver0)
			return -EINVAL;
		ret = copy_struct_from_user(karg, ksize, uarg, usize);
		if (ret)
			return ret;
		if (reads && copy_to_user(uarg, karg, min(ksize, usize)))
			return -EFAULT;
	}

	ret = handler(file, karg);

	if (!reads || !(always_reports || fastipc_ioctl_reports(ret)))
		return ret;
	if (usize == ksize ? copy_to_user(uarg, karg, ksize) :
			     copy_to_user(uarg, karg, min(ksize, usize)))
		return -EFAULT;
	return ret;
}

/* A command matches whatever its struct's size: that differs by version. */
#define FASTIPC_IOC_ANY_SIZE(cmd)	((cmd) & ~IOCSIZE_MASK)

/*
 * A user address from a __u64 field.  Where a pointer has 32 bits, one with
 * more is refused, never truncated into some other address.
 */
static int fastipc_user_addr(u64 uaddr, void __user **ptr)
{
	if (uaddr != (unsigned long)uaddr)
		return -EFAULT;
	*ptr = u64_to_user_ptr(uaddr);
	return 0;
}

/* @len bytes at user address @uaddr, to copy in (ITER_SOURCE) or out. */
static int fastipc_iter_from_user(struct iov_iter *iter, unsigned int direction,
				  u64 uaddr, size_t len)
{
	void __user *ptr;
	int ret;

	ret = fastipc_user_addr(uaddr, &ptr);
	if (!ret)
		iov_iter_ubuf(iter, direction, ptr, len);
	return ret;
}

/* Copy in and check an endpoint name given by its user address. */
static int fastipc_name_from_user(char *name, u64 uname)
{
	void __user *ptr;
	long len;

	len = fastipc_user_addr(uname, &ptr);
	if (!len)
		len = strncpy_from_user(name, ptr, FASTIPC_NAME_MAX);
	if (len < 0)
		return len;
	if (len == FASTIPC_NAME_MAX)
		return -ENAMETOOLONG;
	return fastipc_name_valid(name);
}

static int fastipc_deadline_from_user(const struct fastipc_timeout *timeout,
				      bool nonblock, struct fastipc_deadline *dl)
{
	if (timeout->__reserved)
		return -EINVAL;
	dl->relative = false;
	dl->ns = timeout->ns;
	switch (timeout->mode) {
	case FASTIPC_WAIT_INFINITE:
	case FASTIPC_WAIT_NONE:
		if (timeout->ns)
			return -EINVAL;
		dl->mode = timeout->mode;
		break;
	case FASTIPC_WAIT_RELATIVE:
		dl->mode = FASTIPC_WAIT_ABSOLUTE;
		dl->relative = true;
		dl->expires = ktime_add_safe(ktime_get(),
					     ns_to_ktime(min_t(u64, timeout->ns, KTIME_MAX)));
		break;
	case FASTIPC_WAIT_ABSOLUTE:
		dl->mode = FASTIPC_WAIT_ABSOLUTE;
		dl->expires = ns_to_ktime(min_t(u64, timeout->ns, KTIME_MAX));
		break;
	default:
		return -EINVAL;
	}
	if (nonblock)
		dl->mode = FASTIPC_WAIT_NONE;
	return 0;
}

static bool fastipc_file_nonblock(struct file *file)
{
	return file->f_flags & O_NONBLOCK;
}

/*
 * A message's bytes: @len at user address @data, or with @in_buffer, @len
 * at offset @data of the connection's buffer (checked by the caller's
 * callee, which knows which buffer).
 */
static int fastipc_payload_from_user(struct fastipc_payload *payload,
				     struct iov_iter *iter, bool in_buffer,
				     u64 data, u32 len)
{
	payload->pinned = NULL;
	payload->in_buffer = in_buffer;
	payload->offset = data;
	payload->len = len;
	payload->iter = iter;
	return in_buffer ? 0 : fastipc_iter_from_user(iter, ITER_SOURCE, data, len);
}

/*
 * An fd of @fops for @priv, reserved but not yet installed: the caller
 * publishes the object, then installs the fd (nothing may fail after), or
 * puts both back.  An endpoint fd's @fops also say which rights it carries
 * (see fastipc_receiver_fops).
 */
static int fastipc_fd_reserve(const char *name, const struct file_operations *fops,
			      void *priv, struct file **file)
{
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	*file = anon_inode_getfile(name, fops, priv, O_RDWR);
	if (IS_ERR(*file)) {
		put_unused_fd(fd);
		return PTR_ERR(*file);
	}
	return fd;
}

static int fastipc_fd_install(const char *name, const struct file_operations *fops,
			      void *priv)
{
	struct file *file;
	int fd;

	fd = fastipc_fd_reserve(name, fops, priv, &file);
	if (fd >= 0)
		fd_install(fd, file);
	return fd;
}

/*
 * Pin a synchronous call's large buffer for the one-copy path, counted
 * against the caller's RLIMIT_MEMLOCK.  NULL when the buffer is small or
 * cannot be pinned (or the limit is reached): the copy path then serves the
 * call, and reports any fault itself.
 */
static struct fastipc_pages *fastipc_pin_user(u64 uaddr, size_t len, bool writable)
{
	unsigned long nr = DIV_ROUND_UP(offset_in_page(uaddr) + len, PAGE_SIZE);
	struct fastipc_pages *pages;
	int pinned;

	if (len < FASTIPC_DIRECT_MIN || uaddr + len < uaddr)
		return NULL;
	pages = fastipc_pages_alloc(nr);
	if (!pages)
		return NULL;
	pages->offset = offset_in_page(uaddr);
	pages->len = len;
	if (!fastipc_pages_charge(pages, nr)) {
		fastipc_pages_release(pages);
		return NULL;
	}
	pages->writable = writable;
	pinned = pin_user_pages_fast(uaddr & PAGE_MASK, nr, writable ? FOLL_WRITE : 0,
				     pages->pages);
	if (pinned > 0)
		pages->nr_pages = pinned;
	if (pinned != nr) {
		fastipc_pages_release(pages);
		return NULL;
	}
	return pages;
}

static const struct file_operations fastipc_endpoint_fops;
static const struct file_operations fastipc_receiver_fops;
static const struct file_operations fastipc_connection_fops;

static bool fastipc_is_endpoint_file(struct file *file)
{
	return file->f_op == &fastipc_endpoint_fops || file->f_op == &fastipc_receiver_fops;
}

/* --- context fd ---------------------------------------------------------- */

static long fastipc_ioctl_get_info(struct file *file, void *arg)
{
	struct fastipc_info *info = arg;

	if (info->flags & ~FASTIPC_INFO_FLAGS_ALL || info->__reserved || info->__reserved2)
		return -EINVAL;

	info->abi_version = FASTIPC_ABI_VERSION;
	info->features = FASTIPC_FEATURES_ALL;
	info->max_msg_size = fastipc_limit(FASTIPC_LIMIT_MAX_MSG_SIZE);
	info->queue_depth = fastipc_limit(FASTIPC_LIMIT_QUEUE_DEPTH);
	info->max_endpoints = fastipc_limit(FASTIPC_LIMIT_MAX_ENDPOINTS);
	info->max_queued_bytes = fastipc_limit(FASTIPC_LIMIT_MAX_QUEUED_BYTES);
	info->max_buffer_bytes = fastipc_limit(FASTIPC_LIMIT_MAX_BUFFER_BYTES);
	info->spin_ns = fastipc_limit(FASTIPC_LIMIT_SPIN_NS);
	return 0;
}

static long fastipc_ioctl_create_endpoint(struct file *file, void *arg)
{
	struct fastipc_endpoint_create *req = arg;
	bool persistent = req->flags & FASTIPC_ENDPOINT_PERSISTENT;
	char name[FASTIPC_NAME_MAX] = "";
	struct fastipc_endpoint *ep;
	struct file *epfile;
	int ret, fd;

	if (req->flags & ~FASTIPC_ENDPOINT_FLAGS_ALL || req->mode & ~0777 ||
	    (persistent && !req->name))
		return -EINVAL;
	if (req->name) {
		ret = fastipc_name_from_user(name, req->name);
		if (ret)
			return ret;
	}

	ep = fastipc_endpoint_create(current_cred(), file->private_data,
				     req->mode & ~current_umask());
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	fastipc_endpoint_file_opened(ep);
	fd = fastipc_fd_reserve("[fastipc-endpoint]", &fastipc_endpoint_fops, ep, &epfile);
	if (fd < 0)
		goto undo_file_opened;
	/* Published last: nobody hears of an endpoint whose fd could not be made. */
	ret = fastipc_registry_add(ep, name, persistent);
	if (ret) {
		/* The file's release undoes the rest. */
		put_unused_fd(fd);
		fput(epfile);
		return ret;
	}
	fd_install(fd, epfile);
	return fd;

undo_file_opened:
	fastipc_endpoint_file_closed(ep);
	fastipc_endpoint_put(ep);
	return fd;
}

/* A connection to @ep, which the caller holds a reference on. */
static int fastipc_connection_open(struct fastipc_endpoint *ep)
{
	struct fastipc_connection *conn;
	int fd;

	conn = fastipc_connection_create(ep, current_cred());
	if (IS_ERR(conn))
		return PTR_ERR(conn);
	fd = fastipc_fd_install("[fastipc-connection]", &fastipc_connection_fops,
				conn);
	if (fd < 0)
		fastipc_connection_file_closed(conn);
	return fd;
}

/*
 * The endpoint a context ioctl names (referenced), after its common checks;
 * with @may, the caller must have that permission on it.
 */
static struct fastipc_endpoint *fastipc_endpoint_by_name(struct file *file,
							 const struct fastipc_connect *req,
							 int may)
{
	struct fastipc_deadline wait, *waitp = NULL;
	char name[FASTIPC_NAME_MAX];
	struct fastipc_endpoint *ep;
	int ret;

	if (req->flags & ~FASTIPC_CONNECT_FLAGS_ALL || req->__reserved)
		return ERR_PTR(-EINVAL);
	ret = fastipc_deadline_from_user(&req->timeout, false, &wait);
	if (ret)
		return ERR_PTR(ret);
	if (req->flags & FASTIPC_CONNECT_WAIT)
		waitp = &wait;
	if (!req->name)
		return ERR_PTR(-EINVAL);
	ret = fastipc_name_from_user(name, req->name);
	if (ret)
		return ERR_PTR(ret);

	ep = fastipc_registry_lookup(file->private_data, name, waitp);
	if (IS_ERR(ep))
		return ep;
	ret = fastipc_perm_check(ep, may);
	if (ret) {
		fastipc_endpoint_put(ep);
		return ERR_PTR(ret);
	}
	return ep;
}

static long fastipc_ioctl_connect_by_name(struct file *file, void *arg)
{
	struct fastipc_endpoint *ep;
	int ret;

	ep = fastipc_endpoint_by_name(file, arg, FASTIPC_MAY_WRITE);
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	ret = fastipc_connection_open(ep);
	fastipc_endpoint_put(ep);
	return ret;
}

static long fastipc_ioctl_open_endpoint(struct file *file, void *arg)
{
	struct fastipc_endpoint *ep;
	int fd;

	ep = fastipc_endpoint_by_name(file, arg, FASTIPC_MAY_READ);
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	/*
	 * The lookup's reference becomes the new fd's.  Read permission grants
	 * receiving, not connecting: the fd carries only that right, wherever
	 * it is passed.
	 */
	if (!fastipc_endpoint_file_reopened(ep)) {
		fastipc_endpoint_put(ep);
		return -ENOENT;
	}
	fd = fastipc_fd_install("[fastipc-endpoint]", &fastipc_receiver_fops, ep);
	if (fd < 0) {
		if (fastipc_endpoint_file_closed(ep))
			fastipc_registry_remove(ep);
		fastipc_endpoint_put(ep);
	}
	return fd;
}

/*
 * The endpoint STAT and SET work on: the named one on a context fd
 * (referenced), this one on an endpoint fd.
 */
static struct fastipc_endpoint *fastipc_endpoint_target(struct file *file, u64 uname)
{
	char name[FASTIPC_NAME_MAX];
	struct fastipc_endpoint *ep;
	int ret;

	if (fastipc_is_endpoint_file(file)) {
		if (uname)
			return ERR_PTR(-EINVAL);
		ep = file->private_data;
		kref_get(&ep->refs);
		return ep;
	}
	if (!uname)
		return ERR_PTR(-EINVAL);
	ret = fastipc_name_from_user(name, uname);
	if (ret)
		return ERR_PTR(ret);
	return fastipc_registry_lookup(file->private_data, name, NULL);
}

static long fastipc_ioctl_stat(struct file *file, void *arg)
{
	struct fastipc_endpoint_stat *st = arg;
	struct fastipc_endpoint *ep;
	u64 name = st->name;

	if (st->flags || st->__reserved)
		return -EINVAL;
	ep = fastipc_endpoint_target(file, name);
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	fastipc_endpoint_stat(ep, st);
	st->name = name;
	fastipc_endpoint_put(ep);
	return 0;
}

static long fastipc_ioctl_set(struct file *file, void *arg)
{
	struct fastipc_endpoint_set *set = arg;
	struct fastipc_endpoint *ep;
	int ret;

	if (set->flags & ~FASTIPC_SET_FLAGS_ALL || set->mode & ~0777)
		return -EINVAL;
	ep = fastipc_endpoint_target(file, set->name);
	if (IS_ERR(ep))
		return PTR_ERR(ep);
	ret = fastipc_endpoint_set(ep, set);
	fastipc_endpoint_put(ep);
	return ret;
}

static long fastipc_ioctl_unlink(struct file *file, void *arg)
{
	struct fastipc_unlink *req = arg;
	char name[FASTIPC_NAME_MAX];
	int ret;

	if (req->flags & ~FASTIPC_UNLINK_FLAGS_ALL || req->__reserved)
		return -EINVAL;
	ret = fastipc_name_from_user(name, req->name);
	if (ret)
		return ret;
	return fastipc_registry_unlink(file->private_data, name);
}

/* STAT and SET: on a context fd by name, on an endpoint fd for itself. */
static long fastipc_stat_set_ioctl(struct file *file, unsigned int cmd,
				   unsigned long arg)
{
	union fastipc_ioctl_arg karg;

	switch (FASTIPC_IOC_ANY_SIZE(cmd)) {
	case FASTIPC_IOC_ANY_SIZE(FASTIPC_IOC_STAT):
		return fastipc_ioctl_run(file, cmd, arg, &karg.stat, sizeof(karg.stat),
					 FASTIPC_STAT_SIZE_VER0, fastipc_ioctl_stat, false);
	case FASTIPC_IOC_ANY_SIZE(FASTIPC_IOC_SET):
		return fastipc_ioctl_run(file, cmd, arg, &karg.set, sizeof(karg.set),
					 FASTIPC_SET_SIZE_VER0, fastipc_ioctl_set, false);
	}
	return -ENOTTY;
}

static long fastipc_context_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	union fastipc_ioctl_arg karg;

	switch (FASTIPC_IOC_ANY_SIZE(cmd)) {
	case FASTIPC_IOC_ANY_SIZE(FASTIPC_IOC_GET_INFO):
		return fastipc_ioctl_run(file, cmd, arg, &karg.info, sizeof(karg.info),
					 FASTIPC_INFO_SIZE_VER0, fastipc_ioctl_get_info, false);
	case FASTIPC_IOC_ANY_SIZE(FASTIPC_IOC_CREATE_ENDPOINT):
		return fastipc_ioctl_run(file, cmd, arg, &karg.create, sizeof(karg.create),
					 FASTIPC_ENDPOINT_CREATE_SIZE_VER0,
					 fastipc_ioctl_create_endpoint, false);
	case FASTIPC_IOC_ANY_SIZE(FASTIPC_IOC_CONNECT):
		return fastipc_ioctl_run(file, cmd, arg, &karg.connect, sizeof(karg.connect),
					 FASTIPC_CONNECT_SIZE_VER0,
					 fastipc_ioctl_connect_by_name, false);
	case FASTIPC_IOC_ANY_SIZE(FASTIPC_IOC_OPEN_ENDPOINT):
		return fastipc_ioctl_run(file, cmd, arg, &karg.connect, sizeof(karg.connect),
					 FASTIPC_CONNECT_SIZE_VER0,
					 fastipc_ioctl_open_endpoint, false);
	case FASTIPC_IOC_ANY_SIZE(FASTIPC_IOC_UNLINK):
		return fastipc_ioctl_run(file, cmd, arg, &karg.unlink, sizeof(karg.unlink),
					 FASTIPC_UNLINK_SIZE_VER0, fastipc_ioctl_unlink, false);
	}
	return fastipc_stat_set_ioctl(file, cmd, arg);
}

/* A context remembers the IPC namespace it was opened in, as a socket does. */
static int fastipc_context_open(struct inode *inode, struct file *file)
{
	file->private_data = fastipc_ipc_ns_get();
	return 0;
}

static int fastipc_context_release(struct inode *inode, struct file *file)
{
	fastipc_ipc_ns_put(file->private_data);
	return 0;
}

static void fastipc_context_show_fdinfo(struct seq_file *m, struct file *file)
{
	seq_printf(m, "abi_version:\t%d\n", FASTIPC_ABI_VERSION);
}

static const struct file_operations fastipc_context_fops = {
	.owner = THIS_MODULE,
	.open = fastipc_context_open,
	.release = fastipc_context_release,
	.unlocked_ioctl = fastipc_context_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.show_fdinfo = fastipc_context_show_fdinfo,
	.llseek = noop_llseek,
};

/* --- endpoint fd --------------------------------------------------------- */

static long fastipc_ioctl_connect_endpoint(struct file *file, void *arg)
{
	struct fastipc_connect *req = arg;

	struct fastipc_deadline unused;

	if (req->flags & ~FASTIPC_CONNECT_FLAGS_ALL || req->__reserved ||
	    fastipc_deadline_from_user(&req->timeout, false, &unused))
		return -EINVAL;
	if (req->name || req->flags & FASTIPC_CONNECT_WAIT)
		return -EINVAL;
	/* Only the creator's fd (and its copies) carries the right to connect. */
	if (file->f_op != &fastipc_endpoint_fops)
		return -EBADF;
	return fastipc_connection_open(file->private_data);
}

static long fastipc_do_recv(struct file *file, struct fastipc_recv *req)
{
	struct fastipc_filter filter = { .type = req->type };
	struct fastipc_delivery delivery = {};
	struct fastipc_deadline dl;
	struct iov_iter data;
	long ret;

	if (req->flags & ~FASTIPC_RECV_FLAGS_ALL)
		return -EINVAL;
	filter.except = req->flags & FASTIPC_RECV_EXCEPT;
	if (filter.except && req->type <= 0)
		return -EINVAL;
	ret = fastipc_deadline_from_user(&req->timeout, fastipc_file_nonblock(file), &dl);
	if (ret)
		return ret;

	ret = fastipc_iter_from_user(&data, ITER_DEST, req->data, req->capacity);
	if (ret)
		return ret;
	ret = fastipc_recv(file->private_data, &filter, &data, &dl,
			   req->flags & FASTIPC_RECV_SPIN, &delivery);
	if (ret == -EINTR)
		fastipc_deadline_remaining(&dl, &req->timeout);
	if (!ret)
		req->msg = delivery.info;
	else if (ret == -EMSGSIZE)
		req->msg.len = delivery.info.len;
	return ret;
}

static long fastipc_ioctl_recv(struct file *file, void *arg)
{
	return fastipc_do_recv(file, arg);
}

static long fastipc_do_reply(struct file *file, const struct fastipc_reply *req)
{
	bool in_buffer = req->flags & FASTIPC_REPLY_BUFFER;
	struct fastipc_payload payload;
	struct iov_iter iter;
	int ret;

	if (req->flags & ~FASTIPC_REPLY_FLAGS_ALL || !req->token || req->type < 0)
		return -EINVAL;
	if (!in_buffer && req->len > fastipc_limit(FASTIPC_LIMIT_MAX_MSG_SIZE))
		return -EMSGSIZE;
	ret = fastipc_payload_from_user(&payload, &iter, in_buffer, req->data, req->len);
	if (ret)
		return ret;
	/*
	 * A large reply is pinned here, before the caller is told its reply
	 * is being written: a page that faults slowly (userfaultfd, FUSE)
	 * stalls this server, never its caller past the caller's timeout.
	 */
	if (!in_buffer)
		payload.pinned = fastipc_pin_user(req->data, req->len, false);
	return fastipc_reply(file->private_data, req->token, req->type, &payload);
}

static long fastipc_ioctl_reply(struct file *file, void *arg)
{
	return fastipc_do_reply(file, arg);
}

static long fastipc_ioctl_reply_recv(struct file *file, void *arg)
{
	struct fastipc_reply_recv *req = arg;

	if (req->__reserved)
		return -EINVAL;
	req->reply_error = req->reply.token ? fastipc_do_reply(file, &req->reply) : 0;
	return fastipc_do_recv(file, &req->recv);
}

static long fastipc_endpoint_ioctl(struct file *file, unsigned int cmd,
				   unsigned long arg)
{
	union fastipc_ioctl_arg karg;

	switch (FASTIPC_IOC_ANY_SIZE(cmd)) {
	case FASTIPC_IOC_ANY_SIZE(FASTIPC_IOC_RECV):
		return fastipc_ioctl_run(file, cmd, arg, &karg.recv, sizeof(karg.recv),
					 FASTIPC_RECV_SIZE_VER0, fastipc_ioctl_recv, false);
	case FASTIPC_IOC_ANY_SIZE(FASTIPC_IOC_REPLY_RECV):
		return fastipc_ioctl_run(file, cmd, arg, &karg.reply_recv,
					 sizeof(karg.reply_recv), FASTIPC_REPLY_RECV_SIZE_VER0,
					 fastipc_ioctl_reply_recv, true);
	case FASTIPC_IOC_ANY_SIZE(FASTIPC_IOC_REPLY):
		return fastipc_ioctl_run(file, cmd, arg, &karg.reply, sizeof(karg.reply),
					 FASTIPC_REPLY_SIZE_VER0, fastipc_ioctl_reply, false);
	case FASTIPC_IOC_ANY_SIZE(FASTIPC_IOC_CONNECT):
		return fastipc_ioctl_run(file, cmd, arg, &karg.connect, sizeof(karg.connect),
					 FASTIPC_CONNECT_SIZE_VER0,
					 fastipc_ioctl_connect_endpoint, false);
	}
	return fastipc_stat_set_ioctl(file, cmd, arg);
}

static int fastipc_endpoint_file_release(struct inode *inode, struct file *file)
{
	struct fastipc_endpoint *ep = file->private_data;

	if (fastipc_endpoint_file_closed(ep))
		fastipc_registry_remove(ep);
	fastipc_endpoint_put(ep);
	return 0;
}

static __poll_t fastipc_endpoint_poll(struct file *file, poll_table *wait)
{
	struct fastipc_endpoint *ep = file->private_data;

	poll_wait(file, &ep->poll_wait, wait);
	return fastipc_endpoint_poll_mask(ep);
}

static int fastipc_endpoint_fasync(int fd, struct file *file, int on)
{
	struct fastipc_endpoint *ep = file->private_data;

	return fasync_helper(fd, file, on, &ep->fasync);
}

static void fastipc_endpoint_show_fdinfo(struct seq_file *m, struct file *file)
{
	fastipc_endpoint_show(m, file->private_data);
}

/* The buffer of the connection whose id is the page offset. */
static int fastipc_endpoint_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct fastipc_buffer *buf;

	buf = fastipc_endpoint_buffer_get(file->private_data, vma->vm_pgoff);
	return fastipc_buffer_mmap(buf, vma, true);
}

/*
 * Two kinds of endpoint fd, told apart by their file_operations: the
 * creator's carries every right of the endpoint, one opened by name with
 * read permission (OPEN_ENDPOINT) only receiving, replying and mapping.
 */
#define FASTIPC_ENDPOINT_FOPS {					\
	.owner = THIS_MODULE,					\
	.mmap = fastipc_endpoint_mmap,				\
	.release = fastipc_endpoint_file_release,		\
	.unlocked_ioctl = fastipc_endpoint_ioctl,		\
	.compat_ioctl = compat_ptr_ioctl,			\
	.poll = fastipc_endpoint_poll,				\
	.fasync = fastipc_endpoint_fasync,			\
	.show_fdinfo = fastipc_endpoint_show_fdinfo,		\
	.llseek = noop_llseek,					\
}

static const struct file_operations fastipc_endpoint_fops = FASTIPC_ENDPOINT_FOPS;
static const struct file_operations fastipc_receiver_fops = FASTIPC_ENDPOINT_FOPS;

/* --- connection fd ------------------------------------------------------- */

static long fastipc_ioctl_send(struct file *file, void *arg)
{
	struct fastipc_send *req = arg;
	bool in_buffer = req->flags & FASTIPC_SEND_BUFFER;
	struct fastipc_payload payload;
	struct fastipc_deadline room;
	struct iov_iter iter;
	long ret;

	if (req->flags & ~FASTIPC_SEND_FLAGS_ALL || req->type < 0)
		return -EINVAL;
	ret = fastipc_deadline_from_user(&req->timeout, fastipc_file_nonblock(file),
					 &room);
	if (ret)
		return ret;
	if (!in_buffer && req->len > fastipc_limit(FASTIPC_LIMIT_MAX_MSG_SIZE))
		return -EMSGSIZE;

	ret = fastipc_payload_from_user(&payload, &iter, in_buffer, req->data, req->len);
	if (ret)
		return ret;
	ret = fastipc_send(file->private_data, req->type, &payload, &room);
	if (ret == -EINTR)
		fastipc_deadline_remaining(&room, &req->timeout);
	return ret;
}

static long fastipc_ioctl_call(struct file *file, void *arg)
{
	struct fastipc_call *req = arg;
	bool in_buffer = req->flags & FASTIPC_CALL_BUFFER;
	struct fastipc_deadline send, reply_dl;
	struct fastipc_outcome outcome = {};
	struct fastipc_payload payload;
	struct iov_iter data, reply;
	long ret;

	if (req->flags & ~FASTIPC_CALL_FLAGS_ALL || req->type < 0 || req->__reserved)
		return -EINVAL;
	ret = fastipc_deadline_from_user(&req->send_timeout,
					 fastipc_file_nonblock(file), &send);
	if (ret)
		return ret;
	ret = fastipc_deadline_from_user(&req->reply_timeout, false, &reply_dl);
	if (ret)
		return ret;
	if (!(req->flags & FASTIPC_CALL_ASYNC) && reply_dl.mode == FASTIPC_WAIT_NONE)
		return -EINVAL;
	if (!in_buffer && req->len > fastipc_limit(FASTIPC_LIMIT_MAX_MSG_SIZE))
		return -EMSGSIZE;

	ret = fastipc_payload_from_user(&payload, &data, in_buffer, req->data, req->len);
	if (ret)
		return ret;
	if (req->flags & FASTIPC_CALL_ASYNC)
		return fastipc_call_async(file->private_data, req->type, &payload,
					  &send, &req->cookie);

	ret = fastipc_iter_from_user(&reply, ITER_DEST, req->reply_data, req->reply_capacity);
	if (ret)
		return ret;
	/* A call through the buffer is answered through it: pin nothing. */
	if (!in_buffer)
		payload.pinned = fastipc_pin_user(req->data, req->len, false);
	ret = fastipc_call(file->private_data, req->type, &payload, &reply,
			   in_buffer ? NULL :
			   /* No reply is longer than max_msg_size: pin no more. */
			   fastipc_pin_user(req->reply_data,
					    min_t(size_t, req->reply_capacity,
						  fastipc_limit(FASTIPC_LIMIT_MAX_MSG_SIZE)),
					    true),
			   &send, &reply_dl, req->flags & FASTIPC_CALL_SPIN, &outcome);
	if (ret == -EINTR) {
		fastipc_deadline_remaining(&send, &req->send_timeout);
		/* Not taken yet: all of a relative reply bound is left. */
		if (outcome.reply_expires) {
			reply_dl.expires = outcome.reply_expires;
			fastipc_deadline_remaining(&reply_dl, &req->reply_timeout);
		}
	}
	req->reply_type = outcome.type;
	req->reply_len = outcome.len;
	req->reply_flags = outcome.in_buffer ? FASTIPC_MSG_BUFFER : 0;
	req->reply_offset = outcome.in_buffer ? outcome.offset : 0;
	return ret;
}

static long fastipc_ioctl_collect(struct file *file, void *arg)
{
	struct fastipc_collect *req = arg;
	struct fastipc_outcome outcome = {};
	struct fastipc_deadline dl;
	struct iov_iter reply;
	long ret;

	if (req->flags & ~FASTIPC_COLLECT_FLAGS_ALL || req->__reserved || req->__reserved2)
		return -EINVAL;
	ret = fastipc_deadline_from_user(&req->timeout, fastipc_file_nonblock(file), &dl);
	if (ret)
		return ret;

	ret = fastipc_iter_from_user(&reply, ITER_DEST, req->reply_data, req->reply_capacity);
	if (ret)
		return ret;
	ret = fastipc_collect(file->private_data, req->cookie, &reply, &dl, &outcome);
	if (ret == -EINTR)
		fastipc_deadline_remaining(&dl, &req->timeout);
	if (outcome.cookie) {
		req->cookie = outcome.cookie;
		req->reply_type = outcome.type;
		req->reply_len = outcome.len;
		req->reply_flags = outcome.in_buffer ? FASTIPC_MSG_BUFFER : 0;
		req->reply_offset = outcome.in_buffer ? outcome.offset : 0;
	}
	return ret;
}

static long fastipc_ioctl_buffer_create(struct file *file, void *arg)
{
	struct fastipc_buffer_create *req = arg;

	if (req->flags & ~FASTIPC_BUFFER_FLAGS_ALL || req->__reserved)
		return -EINVAL;
	if (!req->size || !PAGE_ALIGNED(req->size) ||
	    req->size > fastipc_limit(FASTIPC_LIMIT_MAX_BUFFER_BYTES))
		return -EINVAL;
	return fastipc_connection_buffer_create(file->private_data, req->size);
}

static long fastipc_connection_ioctl(struct file *file, unsigned int cmd,
				     unsigned long arg)
{
	union fastipc_ioctl_arg karg;

	switch (FASTIPC_IOC_ANY_SIZE(cmd)) {
	case FASTIPC_IOC_ANY_SIZE(FASTIPC_IOC_CALL):
		return fastipc_ioctl_run(file, cmd, arg, &karg.call, sizeof(karg.call),
					 FASTIPC_CALL_SIZE_VER0, fastipc_ioctl_call, false);
	case FASTIPC_IOC_ANY_SIZE(FASTIPC_IOC_SEND):
		return fastipc_ioctl_run(file, cmd, arg, &karg.send, sizeof(karg.send),
					 FASTIPC_SEND_SIZE_VER0, fastipc_ioctl_send, false);
	case FASTIPC_IOC_ANY_SIZE(FASTIPC_IOC_COLLECT):
		return fastipc_ioctl_run(file, cmd, arg, &karg.collect, sizeof(karg.collect),
					 FASTIPC_COLLECT_SIZE_VER0, fastipc_ioctl_collect, false);
	case FASTIPC_IOC_ANY_SIZE(FASTIPC_IOC_BUFFER_CREATE):
		return fastipc_ioctl_run(file, cmd, arg, &karg.buffer, sizeof(karg.buffer),
					 FASTIPC_BUFFER_CREATE_SIZE_VER0,
					 fastipc_ioctl_buffer_create, false);
	}
	return -ENOTTY;
}

static int fastipc_connection_file_release(struct inode *inode, struct file *file)
{
	struct fastipc_connection *conn = file->private_data;

	fastipc_event_peer_gone(conn->ep, conn->id);
	fastipc_connection_file_closed(conn);
	return 0;
}

static __poll_t fastipc_connection_poll(struct file *file, poll_table *wait)
{
	struct fastipc_connection *conn = file->private_data;

	poll_wait(file, &conn->ep->poll_wait, wait);
	poll_wait(file, &conn->poll_wait, wait);
	return fastipc_connection_poll_mask(conn);
}

static int fastipc_connection_fasync(int fd, struct file *file, int on)
{
	struct fastipc_connection *conn = file->private_data;

	return fasync_helper(fd, file, on, &conn->fasync);
}

static void fastipc_connection_show_fdinfo(struct seq_file *m, struct file *file)
{
	fastipc_connection_show(m, file->private_data);
}

/* The connection's own buffer, at offset 0. */
static int fastipc_connection_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff)
		return -EINVAL;
	return fastipc_buffer_mmap(fastipc_connection_buffer_get(file->private_data), vma,
				   false);
}

static const struct file_operations fastipc_connection_fops = {
	.owner = THIS_MODULE,
	.mmap = fastipc_connection_mmap,
	.release = fastipc_connection_file_release,
	.unlocked_ioctl = fastipc_connection_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = fastipc_connection_poll,
	.fasync = fastipc_connection_fasync,
	.show_fdinfo = fastipc_connection_show_fdinfo,
	.llseek = noop_llseek,
};

/* --- the device ---------------------------------------------------------- */

static struct miscdevice fastipc_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "fastipc",
	.fops = &fastipc_context_fops,
	.mode = 0666,
};

int fastipc_dev_init(void)
{
	BUILD_BUG_ON(sizeof(struct fastipc_info) != FASTIPC_INFO_SIZE_VER0 + 8);
	BUILD_BUG_ON(sizeof(struct fastipc_timeout) != 16);
	BUILD_BUG_ON(sizeof(struct fastipc_msg_info) != 64);
	BUILD_BUG_ON(sizeof(struct fastipc_buffer_create) != FASTIPC_BUFFER_CREATE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct fastipc_endpoint_create) !=
		     FASTIPC_ENDPOINT_CREATE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct fastipc_connect) != FASTIPC_CONNECT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct fastipc_send) != FASTIPC_SEND_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct fastipc_call) != FASTIPC_CALL_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct fastipc_collect) != FASTIPC_COLLECT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct fastipc_recv) != FASTIPC_RECV_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct fastipc_reply) != FASTIPC_REPLY_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct fastipc_reply_recv) != FASTIPC_REPLY_RECV_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct fastipc_endpoint_stat) != FASTIPC_STAT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct fastipc_endpoint_set) != FASTIPC_SET_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct fastipc_unlink) != FASTIPC_UNLINK_SIZE_VER0);
	BUILD_BUG_ON(sizeof(union fastipc_ioctl_arg) > _IOC_SIZEMASK);

	return misc_register(&fastipc_miscdev);
}

void fastipc_dev_exit(void)
{
	misc_deregister(&fastipc_miscdev);
}
