// SPDX-License-Identifier: GPL-2.0
/*
 * The shmdemo pseudo filesystem: it exists only to own one inode per
 * segment, so that each segment has a real struct address_space - its own
 * page cache - the way DRM and dma-buf own theirs.  It is never mounted in
 * userspace (SB_NOUSER).
 *
 * Module lifetime.  The VFS calls into this module until the last inode of
 * the superblock is evicted: __fput() of a segment's file drops the file's
 * module reference (fops_put()) *before* dput() evicts the inode, which
 * runs shmdemo_fs_evict_inode(), truncates through shmdemo_aops and frees
 * the inode through shmdemo_fs_sops.  So the module is pinned by the
 * superblock itself (.owner below: the superblock holds a reference on its
 * file_system_type's module from sget_fc() to deactivate_locked_super()),
 * and the superblock lives exactly as long as some segment does: every
 * segment pins the internal mount with simple_pin_fs() at creation and
 * releases it when it is freed, and every segment file holds the mount too
 * (f_path.mnt) until the very end of __fput().  Hence rmmod either finds
 * no segment, no superblock and no module code in use, or fails with
 * "in use"; it can never unload under a running evict.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/file.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/pseudo_fs.h>

#include "shmdemo.h"

#define SHMDEMO_FS_MAGIC	0x53484d44	/* "SHMD" */

/* Set while shmdemo_mnt_count > 0; both under simple_pin_fs()'s lock. */
static struct vfsmount *shmdemo_mnt;
static int shmdemo_mnt_count;

static int shmdemo_seg_file_release(struct inode *inode, struct file *file)
{
	shmdemo_seg_put(file->private_data);
	return 0;
}

/*
 * The core mm maps this file itself again when remap_file_pages() rebuilds
 * a mapping: the same checks as a first mmap (shm_mmap() re-runs
 * __shm_open() the same way), so a segment that became gone meanwhile
 * (removed, and the remap unmapped its last VMA) fails with EIDRM.
 */
static int shmdemo_seg_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	return shmdemo_mmap_seg(file, vma);
}

/*
 * Operations of the internal per-binding file (see shmdemo_fs_seg_file()).
 * Userspace never holds it in an fd; it reaches it only through mappings.
 */
static const struct file_operations shmdemo_seg_fops = {
	.owner		= THIS_MODULE,
	.mmap		= shmdemo_seg_file_mmap,	/* remap_file_pages() */
	.release	= shmdemo_seg_file_release, /* last mapping and fd gone */
	.fsync		= noop_fsync,	/* msync(MS_SYNC): memory only, nothing to write */
	.llseek		= noop_llseek,
};

/*
 * Memory-only segments have nothing to write back: a written page is marked
 * dirty (so a residency map can show it) and stays in memory until the
 * segment dies.  File-backed segments will bring real writeback here.
 */
static const struct address_space_operations shmdemo_aops = {
	.dirty_folio	= noop_dirty_folio,	/* set PG_dirty, no accounting */
};

static void shmdemo_fs_evict_inode(struct inode *inode)
{
	/* Frees every page of the segment, mapped or not: nothing maps it now. */
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
}

static const struct super_operations shmdemo_fs_sops = {
	.statfs		= simple_statfs,
	.evict_inode	= shmdemo_fs_evict_inode,
};

static int shmdemo_fs_init_fs_context(struct fs_context *fc)
{
	struct pseudo_fs_context *ctx = init_pseudo(fc, SHMDEMO_FS_MAGIC);

	if (!ctx)
		return -ENOMEM;
	ctx->ops = &shmdemo_fs_sops;
	return 0;
}

/* .owner: the superblock pins the module (see the top of this file). */
static struct file_system_type shmdemo_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "shmdemo",
	.init_fs_context	= shmdemo_fs_init_fs_context,
	.kill_sb		= kill_anon_super,
};

/**
 * shmdemo_fs_pin - keep the internal mount (and so the module) alive
 *
 * One pin per segment, taken before its inode is allocated.
 *
 * Context: process context, may sleep (the first pin mounts); the caller
 * holds a module reference (an open /dev/shmdemo).
 * Return: 0 or a negative errno.
 */
int shmdemo_fs_pin(void)
{
	return simple_pin_fs(&shmdemo_fs_type, &shmdemo_mnt, &shmdemo_mnt_count);
}

/**
 * shmdemo_fs_unpin - drop a pin taken by shmdemo_fs_pin()
 *
 * The last one releases the mount; the superblock, and with it the module
 * reference, goes once no segment file holds the mount either.
 *
 * Context: process context, may sleep.
 */
void shmdemo_fs_unpin(void)
{
	simple_release_fs(&shmdemo_mnt, &shmdemo_mnt_count);
}

/**
 * shmdemo_fs_new_inode - an inode whose mapping will hold a segment's pages
 * @size: segment size in bytes, becomes i_size
 *
 * The mapping is unevictable (like ramfs or SHM_LOCK): a memory-only segment
 * has no backing store, so reclaim must not even try its pages.
 *
 * alloc_anon_inode() leaves the inode off the superblock's inode list, so
 * drop_caches (which walks that list) never drops a segment's clean pages:
 * resident pages leave the page cache only through the segment's own
 * truncations, which the per-user accounting relies on.
 *
 * Context: process context, may sleep; the caller holds a pin.
 * Return: the inode, or an ERR_PTR().
 */
struct inode *shmdemo_fs_new_inode(loff_t size)
{
	struct inode *inode = alloc_anon_inode(shmdemo_mnt->mnt_sb);

	if (IS_ERR(inode))
		return inode;
	inode->i_mode = S_IFREG | 0600;
	inode->i_size = size;
	inode->i_mapping->a_ops = &shmdemo_aops;
	mapping_set_gfp_mask(inode->i_mapping, GFP_HIGHUSER);
	mapping_set_unevictable(inode->i_mapping);
	return inode;
}

/**
 * shmdemo_fs_seg_file - the internal file a binding maps through
 * @seg: segment; the file takes over one reference the caller holds
 * @rdonly: open it read-only
 *
 * mmap() of /dev/shmdemo swaps the VMA's file for this one (vma_set_file()),
 * so vma->vm_file->f_mapping is the segment's page cache and
 * /proc/PID/maps names the segment ("/shmdemo:ID").
 *
 * Context: process context, may sleep.
 * Return: the file, or an ERR_PTR() (then the reference is still the
 * caller's).
 */
struct file *shmdemo_fs_seg_file(struct shmdemo_seg *seg, bool rdonly)
{
	char name[32];
	struct file *file;

	snprintf(name, sizeof(name), "shmdemo:%d", seg->id);
	ihold(seg->inode);
	/* alloc_file_pseudo() doesn't pin fops->owner, __fput() unpins it. */
	__module_get(THIS_MODULE);
	file = alloc_file_pseudo(seg->inode, shmdemo_mnt, name,
				 rdonly ? O_RDONLY : O_RDWR, &shmdemo_seg_fops);
	if (IS_ERR(file)) {
		module_put(THIS_MODULE);
		iput(seg->inode);
		return file;
	}
	file->private_data = seg;
	return file;
}

