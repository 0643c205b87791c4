// SPDX-License-Identifier: GPL-2.0
/*
 * Page-mapped connection buffers: kernel-owned pages that a connection and
 * its endpoint both map, so a message can carry an (offset, length) in them
 * instead of its bytes.
 *
 * A buffer is referenced by its connection and by every mapping of it: each
 * mmap() makes the vma point to a file of the buffer's own, which holds a
 * reference on it, instead of the connection's or endpoint's fd.  So no
 * mapping outlives its pages, and a mapping keeps neither the connection nor
 * the endpoint open: closing their fds works as it would without mappings.
 * Mappings are shared only, span the whole buffer, cannot grow, be split or
 * be made executable.
 *
 * The pages count against the max_buffer_bytes of the connection's user
 * for as long as the connection or one of its own mappings holds them, and
 * against its memory cgroup.  A mapping made through the endpoint fd holds
 * them too, but the endpoint side decides how long, so it is charged to the
 * user who made it: a receiver cannot keep a client's buffer, or its quota,
 * after the client has let go.
 */
#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "compat.h"
#include "fastipc.h"

struct fastipc_buffer *fastipc_buffer_create(struct fastipc_user *user, size_t size)
{
	struct fastipc_buffer *buf;
	unsigned long i;
	int ret;

	if (!size || !PAGE_ALIGNED(size) || size > fastipc_limit(FASTIPC_LIMIT_MAX_BUFFER_BYTES))
		return ERR_PTR(-EINVAL);
	ret = fastipc_user_charge(user, FASTIPC_CHARGE_BUFFER_BYTES, size);
	if (ret)
		return ERR_PTR(ret);

	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		goto err_buf;
	buf->nr_pages = size >> PAGE_SHIFT;
	buf->pages = kvcalloc(buf->nr_pages, sizeof(*buf->pages), GFP_KERNEL_ACCOUNT);
	if (!buf->pages)
		goto err_pages;
	for (i = 0; i < buf->nr_pages; i++) {
		buf->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!buf->pages[i])
			goto err_page;
	}
	buf->size = size;
	fastipc_user_hold(user);
	buf->user = user;
	refcount_set(&buf->refs, 1);
	refcount_set(&buf->creator_refs, 1);
	return buf;

err_page:
	while (i--)
		__free_page(buf->pages[i]);
	kvfree(buf->pages);
err_pages:
	kfree(buf);
err_buf:
	fastipc_user_uncharge(user, FASTIPC_CHARGE_BUFFER_BYTES, size);
	return ERR_PTR(-ENOMEM);
}

static void fastipc_buffer_unref_pages(struct fastipc_buffer *buf)
{
	unsigned long i;

	if (!refcount_dec_and_test(&buf->refs))
		return;
	for (i = 0; i < buf->nr_pages; i++)
		__free_page(buf->pages[i]);
	kvfree(buf->pages);
	kfree(buf);
}

/* Drop a reference of the connection's side: its own, or its mapping's. */
void fastipc_buffer_put(struct fastipc_buffer *buf)
{
	if (!buf)
		return;
	if (refcount_dec_and_test(&buf->creator_refs)) {
		fastipc_user_uncharge(buf->user, FASTIPC_CHARGE_BUFFER_BYTES, buf->size);
		fastipc_user_put(buf->user);
	}
	fastipc_buffer_unref_pages(buf);
}

/* Is [offset, offset + len) inside the buffer? */
int fastipc_buffer_check(const struct fastipc_buffer *buf, u64 offset, u64 len)
{
	if (!buf)
		return -ENXIO;
	if (len > buf->size || offset > buf->size - len)
		return -EINVAL;
	return 0;
}

/* A mapping shows the whole buffer or nothing: no partial munmap/mprotect. */
static int fastipc_buffer_vm_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static vm_fault_t fastipc_buffer_vm_fault(struct vm_fault *vmf)
{
	struct fastipc_buffer *buf = vmf->vma->vm_private_data;
	unsigned long index = vmf->pgoff - vmf->vma->vm_pgoff;

	if (index >= buf->nr_pages)
		return VM_FAULT_SIGBUS;
	vmf->page = buf->pages[index];
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct fastipc_buffer_vm_ops = {
	.may_split = fastipc_buffer_vm_may_split,
	.fault = fastipc_buffer_vm_fault,
};

/**
 * struct fastipc_buffer_map - what a mapping's file holds
 * @buf: the buffer, referenced.
 * @payer: the user charged for this mapping, which is made through the
 *	endpoint fd; NULL for one of the connection's own.
 */
struct fastipc_buffer_map {
	struct fastipc_buffer *buf;
	struct fastipc_user *payer;
};

static void fastipc_buffer_map_free(struct fastipc_buffer_map *map)
{
	if (map->payer) {
		fastipc_user_uncharge(map->payer, FASTIPC_CHARGE_BUFFER_BYTES, map->buf->size);
		fastipc_user_put(map->payer);
		fastipc_buffer_unref_pages(map->buf);
	} else {
		fastipc_buffer_put(map->buf);
	}
	kfree(map);
}

static int fastipc_buffer_file_release(struct inode *inode, struct file *file)
{
	fastipc_buffer_map_free(file->private_data);
	return 0;
}

/* What a mapping's vma points to: it holds a reference on the buffer. */
static const struct file_operations fastipc_buffer_fops = {
	.owner = THIS_MODULE,
	.release = fastipc_buffer_file_release,
};

/* Charge the mapping to the user making it: the mmap() caller acts. */
static int fastipc_buffer_map_charge(struct fastipc_buffer_map *map)
{
	struct fastipc_user *payer;
	int ret;

	payer = fastipc_user_get(current_cred());
	if (!payer)
		return -ENOMEM;
	ret = fastipc_user_charge(payer, FASTIPC_CHARGE_BUFFER_BYTES, map->buf->size);
	if (ret) {
		fastipc_user_put(payer);
		return ret;
	}
	map->payer = payer;
	return 0;
}

/*
 * Map @buf, or ENXIO for none.  The caller's reference on it, of the
 * connection's side (fastipc_connection_buffer_get()) or, if @mapper_pays,
 * of the endpoint's (fastipc_endpoint_buffer_get()), passes to the
 * mapping's file, or is dropped if the mapping is refused.
 */
int fastipc_buffer_mmap(struct fastipc_buffer *buf, struct vm_area_struct *vma,
			bool mapper_pays)
{
	struct fastipc_buffer_map *map;
	struct file *file;
	int ret = 0;

	if (!buf)
		return -ENXIO;
	if (!(vma->vm_flags & VM_SHARED) || vma->vm_end - vma->vm_start != buf->size)
		ret = -EINVAL;
	else if (vma->vm_flags & VM_EXEC)
		ret = -EPERM;
	map = ret ? NULL : kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map) {
		if (mapper_pays)
			fastipc_buffer_unref_pages(buf);
		else
			fastipc_buffer_put(buf);
		return ret ?: -ENOMEM;
	}
	map->buf = buf;
	ret = mapper_pays ? fastipc_buffer_map_charge(map) : 0;
	if (ret) {
		fastipc_buffer_unref_pages(buf);
		kfree(map);
		return ret;
	}
	file = anon_inode_getfile("[fastipc-buffer]", &fastipc_buffer_fops, map, O_RDWR);
	if (IS_ERR(file)) {
		fastipc_buffer_map_free(map);
		return PTR_ERR(file);
	}
	vma_set_file(vma, file);
	fput(file);
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vm_flags_clear(vma, VM_MAYEXEC);
	vma->vm_ops = &fastipc_buffer_vm_ops;
	vma->vm_private_data = buf;
	return 0;
}

/*
 * Pinned user pages: the one-copy path for large synchronous calls.  The
 * caller's request and reply buffers are pinned for the call's duration, so
 * the receiver copies the request straight out of them and the replier the
 * reply straight in, with no kernel copy in between.
 */
struct fastipc_pages *fastipc_pages_alloc(unsigned long nr_pages)
{
	struct fastipc_pages *pages;

	pages = kvmalloc(struct_size(pages, pages, nr_pages), GFP_KERNEL_ACCOUNT);
	if (pages) {
		pages->nr_pages = 0;
		pages->mm = NULL;
	}
	return pages;
}

/*
 * Count @nr_pages about to be pinned against the caller's RLIMIT_MEMLOCK,
 * in its mm's pinned_vm (VmPin in /proc/PID/status), as RDMA and vfio do;
 * CAP_IPC_LOCK lifts the limit.  False over the limit: the call then takes
 * the copy path.  The count goes when the pages are released, whoever
 * releases them.
 */
bool fastipc_pages_charge(struct fastipc_pages *pages, unsigned long nr_pages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	struct mm_struct *mm = current->mm;

	if (atomic64_add_return(nr_pages, &mm->pinned_vm) > limit &&
	    !capable(CAP_IPC_LOCK)) {
		atomic64_sub(nr_pages, &mm->pinned_vm);
		return false;
	}
	mmgrab(mm);
	pages->mm = mm;
	return true;
}

void fastipc_pages_release(struct fastipc_pages *pages)
{
	if (!pages)
		return;
	if (pages->mm) {
		/* Charged for every page meant to be pinned; see _charge(). */
		atomic64_sub(DIV_ROUND_UP(pages->offset + pages->len, PAGE_SIZE),
			     &pages->mm->pinned_vm);
		mmdrop(pages->mm);
	}
	if (pages->writable)
		unpin_user_pages_dirty_lock(pages->pages, pages->nr_pages, true);
	else
		unpin_user_pages(pages->pages, pages->nr_pages);
	kvfree(pages);
}

/*
 * Copy @len bytes from @src into @dst, both pinned and at least @len long:
 * page to page, so it cannot fault or wait on anyone.
 */
void fastipc_pages_copy_pages(struct fastipc_pages *dst, const struct fastipc_pages *src,
			      size_t len)
{
	size_t done = 0, d, s, chunk;

	while (done < len) {
		d = dst->offset + done;
		s = src->offset + done;
		chunk = min3(len - done, PAGE_SIZE - offset_in_page(d),
			     PAGE_SIZE - offset_in_page(s));
		memcpy_page(dst->pages[d >> PAGE_SHIFT], offset_in_page(d),
			    src->pages[s >> PAGE_SHIFT], offset_in_page(s), chunk);
		done += chunk;
	}
}

/* Copy the pages' bytes to @iter; returns the bytes copied. */
size_t fastipc_pages_to_iter(const struct fastipc_pages *pages, struct iov_iter *iter)
{
	size_t offset = pages->offset, left = pages->len, done = 0, chunk, copied;
	unsigned long i;

	for (i = 0; left && i < pages->nr_pages; i++) {
		chunk = min_t(size_t, left, PAGE_SIZE - offset);
		copied = copy_page_to_iter(pages->pages[i], offset, chunk, iter);
		done += copied;
		if (copied != chunk)
			break;
		left -= chunk;
		offset = 0;
	}
	return done;
}
