// SPDX-License-Identifier: GPL-2.0
/*
 * The shmdemo pseudo filesystem: it exists only to own one inode per
 * segment, so that each segment has a real struct address_space - its own
 * page cache - the way DRM and dma-buf own theirs.  It is never mounted in
 * userspace (SB_NOUSER); the module keeps one internal mount.
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

static struct vfsmount *shmdemo_mnt;

static int shmdemo_seg_file_release(struct inode *inode, struct file *file)
{
	shmdemo_seg_put(file->private_data);
	return 0;
}

/*
 * Operations of the internal per-binding file (see shmdemo_fs_seg_file()).
 * Userspace never holds it in an fd; it reaches it only through mappings.
 */
static const struct file_operations shmdemo_seg_fops = {
	.owner		= THIS_MODULE,
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

/*
 * No .owner: the module's own kern_mount() would pin the module forever and
 * rmmod could never run.  The mount lives exactly as long as the module.
 */
static struct file_system_type shmdemo_fs_type = {
	.name			= "shmdemo",
	.init_fs_context	= shmdemo_fs_init_fs_context,
	.kill_sb		= kill_anon_super,
};

/**
 * shmdemo_fs_new_inode - an inode whose mapping will hold a segment's pages
 * @size: segment size in bytes, becomes i_size
 *
 * The mapping is unevictable (like ramfs or SHM_LOCK): a memory-only segment
 * has no backing store, so reclaim must not even try its pages.
 *
 * Context: process context, may sleep.
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

int shmdemo_fs_init(void)
{
	shmdemo_mnt = kern_mount(&shmdemo_fs_type);
	return PTR_ERR_OR_ZERO(shmdemo_mnt);
}

void shmdemo_fs_exit(void)
{
	kern_unmount(shmdemo_mnt);
}
