// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl decoding: copy extensible structs in and out, reject what we don't
 * understand, hand the request to the segment table.
 *
 * Every struct starts with its __u32 size.  Input goes through
 * copy_struct_from_user(): a larger struct from a newer caller is accepted
 * if the bytes we don't know are zero (else -E2BIG), a smaller one from an
 * older caller is zero-extended.  Output is built in a zeroed struct (no
 * kernel stack bytes reach userspace) and copied back up to the smaller of
 * the two sizes.
 */
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "shmdemo.h"

/*
 * Requests are dispatched on type, number and direction; the size bits of
 * the request number are ignored (the size lives in @size), which keeps
 * binaries built against an older, smaller struct working.
 */
#define SHMDEMO_CMD(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

/*
 * INFO was _IOR until its struct grew (VER1): it reads @size from the
 * caller, so it is _IOWR; binaries built before keep working.
 */
#define SHMDEMO_IOC_INFO_VER0	_IOR(SHMDEMO_IOC_MAGIC, 0x07, struct shmdemo_info)

static int shmdemo_copy_in(void *kbuf, size_t ksize, size_t ver0,
			   void __user *uarg, u32 *usize)
{
	u32 size;

	if (get_user(size, (u32 __user *)uarg))
		return -EFAULT;
	if (size < ver0)
		return -EINVAL;
	/* Like clone3() and openat2(): never read more than a page. */
	if (size > PAGE_SIZE)
		return -E2BIG;
	*usize = size;
	return copy_struct_from_user(kbuf, ksize, uarg, size);
}

static int shmdemo_copy_out(void __user *uarg, void *kbuf, size_t ksize, u32 usize)
{
	*(u32 *)kbuf = usize;
	return copy_to_user(uarg, kbuf, min_t(size_t, ksize, usize)) ? -EFAULT : 0;
}

static long shmdemo_ioctl_get(void __user *uarg)
{
	struct shmdemo_get req;
	bool created;
	u32 usize;
	int ret;

	ret = shmdemo_copy_in(&req, sizeof(req), SHMDEMO_GET_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if ((req.flags & ~SHMDEMO_GET_FLAGS) || (req.mode & ~0777))
		return -EINVAL;
	/* @fd only with FILE, and FILE only for a creation. */
	if (req.flags & SHMDEMO_GET_FILE) {
		if (!(req.flags & SHMDEMO_GET_CREATE) && req.key != SHMDEMO_KEY_PRIVATE)
			return -EINVAL;
	} else if (req.__reserved) {
		return -EINVAL;
	}
	/*
	 * shmget() returns the id in a register and can't fail after creating
	 * the segment; here the id is written back.  A struct that can't be
	 * written fails before anything is created, and a copy-out that fails
	 * anyway (the caller unmapped it meanwhile) removes what was created,
	 * so a failed call leaves nothing behind.
	 */
	if (shmdemo_copy_out(uarg, &req, sizeof(req), usize))
		return -EFAULT;
	ret = shmdemo_seg_get(&req, &created);
	if (ret < 0)
		return ret;
	req.id = ret;
	if (shmdemo_copy_out(uarg, &req, sizeof(req), usize)) {
		if (created)
			shmdemo_seg_undo_get(req.id);
		return -EFAULT;
	}
	return 0;
}

static long shmdemo_ioctl_bind(struct file *file, void __user *uarg)
{
	struct shmdemo_bind req;
	u32 usize;
	int ret;

	ret = shmdemo_copy_in(&req, sizeof(req), SHMDEMO_BIND_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if ((req.flags & ~SHMDEMO_BIND_FLAGS) || req.__reserved)
		return -EINVAL;
	return shmdemo_bind(file, &req);
}

static long shmdemo_ioctl_stat(void __user *uarg, bool any)
{
	struct shmdemo_stat st;
	u32 usize;
	int ret, id;

	ret = shmdemo_copy_in(&st, sizeof(st), SHMDEMO_STAT_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	id = st.id;
	memset(&st, 0, sizeof(st));
	ret = shmdemo_seg_stat(id, any, &st);
	if (ret)
		return ret;
	return shmdemo_copy_out(uarg, &st, sizeof(st), usize);
}

static long shmdemo_ioctl_set(void __user *uarg)
{
	struct shmdemo_set req;
	u32 usize;
	int ret;

	ret = shmdemo_copy_in(&req, sizeof(req), SHMDEMO_SET_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if ((req.valid & ~SHMDEMO_SET_VALID) || req.__reserved)
		return -EINVAL;
	/* The VER0 struct has no fault_around_bytes to apply. */
	if ((req.valid & SHMDEMO_SET_FAULT_AROUND) && usize < SHMDEMO_SET_SIZE_VER1)
		return -EINVAL;
	return shmdemo_seg_set(&req);
}

static long shmdemo_ioctl_rmid(void __user *uarg)
{
	struct shmdemo_id req;
	u32 usize;
	int ret;

	ret = shmdemo_copy_in(&req, sizeof(req), SHMDEMO_ID_SIZE_VER0, uarg, &usize);
	return ret ?: shmdemo_seg_rmid(req.id);
}

static long shmdemo_ioctl_lock(void __user *uarg, bool lock)
{
	struct shmdemo_id req;
	u32 usize;
	int ret;

	ret = shmdemo_copy_in(&req, sizeof(req), SHMDEMO_ID_SIZE_VER0, uarg, &usize);
	return ret ?: shmdemo_seg_lock(req.id, lock);
}

static long shmdemo_ioctl_resize(void __user *uarg)
{
	struct shmdemo_resize req;
	u32 usize;
	int ret;

	ret = shmdemo_copy_in(&req, sizeof(req), SHMDEMO_RESIZE_SIZE_VER0, uarg, &usize);
	return ret ?: shmdemo_seg_resize(req.id, req.bytes);
}

static long shmdemo_ioctl_info(void __user *uarg)
{
	struct shmdemo_info info;
	u32 usize;
	int ret;

	ret = shmdemo_copy_in(&info, sizeof(info), SHMDEMO_INFO_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	memset(&info, 0, sizeof(info));
	shmdemo_seg_info(&info);
	return shmdemo_copy_out(uarg, &info, sizeof(info), usize);
}

static long shmdemo_ioctl_list(void __user *uarg)
{
	struct shmdemo_list req;
	u32 usize, count;
	s32 *ids;
	int ret;

	ret = shmdemo_copy_in(&req, sizeof(req), SHMDEMO_LIST_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	ret = shmdemo_seg_list(&ids, &count);
	if (ret)
		return ret;
	ret = -EFAULT;
	if (copy_to_user(u64_to_user_ptr(req.ids_ptr), ids,
			 min(req.count, count) * sizeof(*ids)))
		goto out_free_ids;
	req.count = count;
	ret = shmdemo_copy_out(uarg, &req, sizeof(req), usize);
out_free_ids:
	kvfree(ids);
	return ret;
}

static long shmdemo_ioctl_pages(void __user *uarg)
{
	struct shmdemo_pages req;
	u32 usize, count;
	u32 *pages;
	int ret;

	ret = shmdemo_copy_in(&req, sizeof(req), SHMDEMO_PAGES_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if (req.__reserved || req.count > SHMDEMO_PAGES_MAX)
		return -EINVAL;
	count = req.count;
	pages = kvcalloc(max(count, 1U), sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = shmdemo_seg_pages(req.id, req.start, pages, &count);
	if (ret)
		goto out_free_pages;
	ret = -EFAULT;
	if (copy_to_user(u64_to_user_ptr(req.pages_ptr), pages, count * sizeof(*pages)))
		goto out_free_pages;
	req.count = count;
	ret = shmdemo_copy_out(uarg, &req, sizeof(req), usize);
out_free_pages:
	kvfree(pages);
	return ret;
}

static long shmdemo_ioctl_sync(struct file *file, void __user *uarg)
{
	struct shmdemo_file *sf = file->private_data;
	/* Pairs with smp_store_release() in shmdemo_bind(). */
	struct file *seg_file = smp_load_acquire(&sf->seg_file);
	struct shmdemo_sync req;
	loff_t end;
	u32 usize;
	int ret;

	ret = shmdemo_copy_in(&req, sizeof(req), SHMDEMO_SYNC_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if (req.flags || req.pages_written || req.bytes_written ||
	    req.start > LLONG_MAX || req.len > LLONG_MAX - req.start)
		return -EINVAL;
	if (!seg_file)
		return -ENXIO;
	end = req.len ? req.start + req.len - 1 : LLONG_MAX;
	ret = shmdemo_file_sync(seg_file, req.start, end, &req.pages_written,
				&req.bytes_written);
	/* What was written is told even when a write failed. */
	if (shmdemo_copy_out(uarg, &req, sizeof(req), usize))
		return -EFAULT;
	return ret;
}

static long shmdemo_ioctl_attach(struct file *file, void __user *uarg)
{
	struct shmdemo_attach req;
	u32 usize;
	long ret;

	ret = shmdemo_copy_in(&req, sizeof(req), SHMDEMO_ATTACH_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if ((req.flags & ~SHMDEMO_ATTACH_FLAGS) || req.__reserved || req.bytes)
		return -EINVAL;
	ret = shmdemo_attach(file, &req);
	if (ret)
		return ret;
	/* Like shmat(): an address the caller can't learn is no attachment. */
	if (shmdemo_copy_out(uarg, &req, sizeof(req), usize)) {
		vm_munmap(req.addr, PAGE_ALIGN(req.bytes));
		return -EFAULT;
	}
	return 0;
}

static long shmdemo_ioctl_detach(void __user *uarg)
{
	struct shmdemo_detach req;
	u32 usize;
	long ret;

	ret = shmdemo_copy_in(&req, sizeof(req), SHMDEMO_DETACH_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if (req.flags || req.bytes || req.addr != (unsigned long)req.addr)
		return -EINVAL;
	ret = shmdemo_detach(req.addr, &req.bytes);
	if (ret)
		return ret;
	return shmdemo_copy_out(uarg, &req, sizeof(req), usize);
}

static long shmdemo_ioctl_populate(void __user *uarg)
{
	struct shmdemo_populate req;
	u32 usize;
	long ret;

	ret = shmdemo_copy_in(&req, sizeof(req), SHMDEMO_POPULATE_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if (req.flags || req.__reserved || req.pages)
		return -EINVAL;
	ret = shmdemo_seg_populate(req.id, req.start, req.len, &req.pages);
	if (ret)
		return ret;
	return shmdemo_copy_out(uarg, &req, sizeof(req), usize);
}

/**
 * shmdemo_ioctl - /dev/shmdemo ioctl entry point
 * @file: the open device
 * @cmd: SHMDEMO_IOC_*
 * @arg: user pointer to the request struct
 *
 * Context: process context, may sleep.
 * Return: 0 (GET: 0 too, the id is in the struct) or a negative errno;
 * -ENOTTY for an unknown request.
 */
long shmdemo_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	BUILD_BUG_ON(sizeof(struct shmdemo_get) != SHMDEMO_GET_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct shmdemo_bind) != SHMDEMO_BIND_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct shmdemo_id) != SHMDEMO_ID_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct shmdemo_stat) != SHMDEMO_STAT_SIZE_VER2);
	BUILD_BUG_ON(offsetof(struct shmdemo_stat, pmd) != SHMDEMO_STAT_SIZE_VER1);
	BUILD_BUG_ON(offsetof(struct shmdemo_stat, file) != SHMDEMO_STAT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct shmdemo_sync) != SHMDEMO_SYNC_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct shmdemo_attach) != SHMDEMO_ATTACH_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct shmdemo_detach) != SHMDEMO_DETACH_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct shmdemo_set) != SHMDEMO_SET_SIZE_VER1);
	BUILD_BUG_ON(offsetof(struct shmdemo_set, fault_around_bytes) != SHMDEMO_SET_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct shmdemo_populate) != SHMDEMO_POPULATE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct shmdemo_resize) != SHMDEMO_RESIZE_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct shmdemo_info) != SHMDEMO_INFO_SIZE_VER1);
	BUILD_BUG_ON(offsetofend(struct shmdemo_info, resident_pages) != SHMDEMO_INFO_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct shmdemo_list) != SHMDEMO_LIST_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct shmdemo_pages) != SHMDEMO_PAGES_SIZE_VER0);

	switch (SHMDEMO_CMD(cmd)) {
	case SHMDEMO_CMD(SHMDEMO_IOC_GET):
		return shmdemo_ioctl_get(uarg);
	case SHMDEMO_CMD(SHMDEMO_IOC_BIND):
		return shmdemo_ioctl_bind(file, uarg);
	case SHMDEMO_CMD(SHMDEMO_IOC_STAT):
		return shmdemo_ioctl_stat(uarg, false);
	case SHMDEMO_CMD(SHMDEMO_IOC_STAT_ANY):
		return shmdemo_ioctl_stat(uarg, true);
	case SHMDEMO_CMD(SHMDEMO_IOC_SET):
		return shmdemo_ioctl_set(uarg);
	case SHMDEMO_CMD(SHMDEMO_IOC_RMID):
		return shmdemo_ioctl_rmid(uarg);
	case SHMDEMO_CMD(SHMDEMO_IOC_RESIZE):
		return shmdemo_ioctl_resize(uarg);
	case SHMDEMO_CMD(SHMDEMO_IOC_INFO):
	case SHMDEMO_CMD(SHMDEMO_IOC_INFO_VER0):
		return shmdemo_ioctl_info(uarg);
	case SHMDEMO_CMD(SHMDEMO_IOC_LIST):
		return shmdemo_ioctl_list(uarg);
	case SHMDEMO_CMD(SHMDEMO_IOC_PAGES):
		return shmdemo_ioctl_pages(uarg);
	case SHMDEMO_CMD(SHMDEMO_IOC_LOCK):
		return shmdemo_ioctl_lock(uarg, true);
	case SHMDEMO_CMD(SHMDEMO_IOC_UNLOCK):
		return shmdemo_ioctl_lock(uarg, false);
	case SHMDEMO_CMD(SHMDEMO_IOC_SYNC):
		return shmdemo_ioctl_sync(file, uarg);
	case SHMDEMO_CMD(SHMDEMO_IOC_ATTACH):
		return shmdemo_ioctl_attach(file, uarg);
	case SHMDEMO_CMD(SHMDEMO_IOC_DETACH):
		return shmdemo_ioctl_detach(uarg);
	case SHMDEMO_CMD(SHMDEMO_IOC_POPULATE):
		return shmdemo_ioctl_populate(uarg);
	default:
		return -ENOTTY;
	}
}
