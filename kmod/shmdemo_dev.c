// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/shmdemo: open, bind an open file to a segment, mmap the binding.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "shmdemo.h"

static int shmdemo_dev_open(struct inode *inode, struct file *file)
{
	struct shmdemo_file *sf = kzalloc(sizeof(*sf), GFP_KERNEL_ACCOUNT);

	if (!sf)
		return -ENOMEM;
	mutex_init(&sf->lock);
	file->private_data = sf;
	return 0;
}

static int shmdemo_dev_release(struct inode *inode, struct file *file)
{
	struct shmdemo_file *sf = file->private_data;

	/* Mappings hold seg_file themselves: the segment outlives this fd. */
	if (sf->seg_file)
		fput(sf->seg_file);
	mutex_destroy(&sf->lock);
	kfree(sf);
	return 0;
}

/**
 * shmdemo_open_seg_file - an internal file of segment @id, for a binding
 * or an attachment, with shmat()'s permission rule
 * @id: segment id
 * @rdonly: read-only (read permission), else read and write permission
 * @attach: for SHMDEMO_IOC_ATTACH: the file the segment keeps for its
 *	attaches in that mode (shmdemo_seg_attach_file()), made and kept by
 *	the first; else (a binding) a new file
 *
 * Context: process context; takes shmdemo_ids_lock.
 * Return: the file (its reference is the caller's), or ERR_PTR(-EINVAL)
 * (no such id, or gone), -EACCES, -ENFILE or -ENOMEM.
 */
struct file *shmdemo_open_seg_file(int id, bool rdonly, bool attach)
{
	struct shmdemo_seg *seg = shmdemo_seg_find(id);
	struct file *seg_file;
	int ret;

	if (IS_ERR(seg))
		return ERR_CAST(seg);
	ret = shmdemo_seg_perms(seg, rdonly ? 0444 : 0666);
	if (ret) {
		shmdemo_seg_put(seg);
		return ERR_PTR(ret);
	}
	seg_file = attach ? shmdemo_seg_attach_file(seg, rdonly) : NULL;
	if (seg_file) {
		/* Never the last reference: the kept file holds one. */
		shmdemo_seg_put(seg);
		return seg_file;
	}
	/* Takes over our reference to @seg on success. */
	seg_file = shmdemo_fs_seg_file(seg, rdonly);
	if (IS_ERR(seg_file)) {
		shmdemo_seg_put(seg);
		return seg_file;
	}
	if (attach)
		shmdemo_seg_keep_attach_file(seg, rdonly, seg_file);
	return seg_file;
}

/**
 * shmdemo_bind - bind @file to a segment, with shmat()'s permission rule
 * @file: an open /dev/shmdemo
 * @req: request, flags validated
 *
 * Context: process context; takes sf->lock, then shmdemo_ids_lock.
 * Return: 0, -EBUSY (already bound), -EINVAL (no such id, or gone), -EACCES,
 * -ENFILE (the system file limit: a binding is a file) or -ENOMEM.
 */
int shmdemo_bind(struct file *file, const struct shmdemo_bind *req)
{
	struct shmdemo_file *sf = file->private_data;
	bool rdonly = (req->flags & SHMDEMO_BIND_RDONLY) ||
		      !(file->f_mode & FMODE_WRITE);
	struct file *seg_file;
	int ret = -EBUSY;

	mutex_lock(&sf->lock);
	if (sf->seg_file)
		goto out_unlock;
	seg_file = shmdemo_open_seg_file(req->id, rdonly, false);
	ret = PTR_ERR_OR_ZERO(seg_file);
	if (ret)
		goto out_unlock;
	/* Publish the binding; pairs with smp_load_acquire() in shmdemo_dev_mmap(). */
	smp_store_release(&sf->seg_file, seg_file);
out_unlock:
	mutex_unlock(&sf->lock);
	return ret;
}

static int shmdemo_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct shmdemo_file *sf = file->private_data;
	/* Pairs with smp_store_release() in shmdemo_bind(): a bound file is complete. */
	struct file *seg_file = smp_load_acquire(&sf->seg_file);

	/* Not bound: there is nothing to map yet. */
	if (!seg_file)
		return -ENXIO;
	return shmdemo_mmap_seg(seg_file, vma);
}

/* fsync() of a bound /dev/shmdemo: the segment's, like msync(MS_SYNC). */
static int shmdemo_dev_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct shmdemo_file *sf = file->private_data;
	/* Pairs with smp_store_release() in shmdemo_bind(). */
	struct file *seg_file = smp_load_acquire(&sf->seg_file);

	if (!seg_file)
		return -EINVAL;	/* nothing to sync, as for a pipe */
	return vfs_fsync_range(seg_file, start, end, datasync);
}

/*
 * posix_fadvise() of a bound /dev/shmdemo: the segment's page cache's, as
 * for a file.  A file-backed segment's DONTNEED drops its clean, unmapped
 * pages (they come back from the file as major faults) and WILLNEED reads
 * ahead; a memory-only segment's pages are the only copy, and its noop bdi
 * makes every advice a no-op there, as on tmpfs.
 */
static int shmdemo_dev_fadvise(struct file *file, loff_t offset, loff_t len, int advice)
{
	struct shmdemo_file *sf = file->private_data;
	/* Pairs with smp_store_release() in shmdemo_bind(). */
	struct file *seg_file = smp_load_acquire(&sf->seg_file);

	if (!seg_file)
		return -EINVAL;	/* no page cache to advise on yet */
	return vfs_fadvise(seg_file, offset, len, advice);
}

const struct file_operations shmdemo_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= shmdemo_dev_open,
	.release	= shmdemo_dev_release,
	.mmap		= shmdemo_dev_mmap,
	/*
	 * Addresses congruent to the offset modulo 2 MiB when the length
	 * allows, so that a memory-only segment's 2 MiB folios can be mapped
	 * by one PMD, as shmem's are; any other length or hint: the default.
	 */
	.get_unmapped_area = thp_get_unmapped_area,
	.fsync		= shmdemo_dev_fsync,
	.fadvise	= shmdemo_dev_fadvise,
	.unlocked_ioctl	= shmdemo_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};
