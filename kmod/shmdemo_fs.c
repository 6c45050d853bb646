// SPDX-License-Identifier: GPL-2.0
/*
 * The shmdemo pseudo filesystems: they exist only to own one inode per
 * segment, so that each segment has a real struct address_space - its own
 * page cache - the way DRM and dma-buf own theirs.  They are never mounted
 * in userspace (SB_NOUSER).  There are two, because a superblock has one
 * bdi and the two kinds of segment need different ones:
 *
 *  - "shmdemo" (memory-only segments): the pseudo fs's noop bdi, no dirty
 *    accounting, no writeback; inodes off the superblock's list and
 *    mappings unevictable.
 *  - "shmdemo_file" (file-backed segments, shmdemo_file.c): a bdi of its
 *    own (super_setup_bdi()), so dirty pages are accounted and the
 *    flusher threads write them back through ->writepages; inodes on the
 *    superblock's list (drop_caches drops their clean pages) and mappings
 *    evictable.
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
#include <linux/slab.h>

#include "compat.h"
#include "shmdemo.h"

#define SHMDEMO_FS_MAGIC	0x53484d44	/* "SHMD" */
#define SHMDEMO_FILE_FS_MAGIC	0x53484d46	/* "SHMF" */

/* Set while the count > 0; both under simple_pin_fs()'s lock. */
static struct vfsmount *shmdemo_mnt, *shmdemo_file_mnt;
static int shmdemo_mnt_count, shmdemo_file_mnt_count;

/*
 * The last mapping and descriptor of a binding are gone: write back what
 * is dirty, as the last munmap() of a file's mapping leaves it to
 * writeback; here the file may be the segment's last holder.  A failure
 * stays recorded in the mapping for the next sync of another binding.
 */
static int shmdemo_seg_file_release(struct inode *inode, struct file *file)
{
	if (shmdemo_mapping_backing(inode->i_mapping))
		filemap_write_and_wait(inode->i_mapping);
	shmdemo_seg_put(file->private_data);
	return 0;
}

/* msync(MS_SYNC) of a mapping, fsync() of the bound /dev/shmdemo file. */
static int shmdemo_seg_file_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	return shmdemo_file_fsync(file, start, end, datasync);
}

/*
 * The core mm maps this file itself again when remap_file_pages() rebuilds
 * a mapping: the same checks as a first mmap (shm_mmap() re-runs
 * __shm_open() the same way), so a segment that became gone meanwhile
 * (removed, and the remap unmapped its last VMA) fails with EIDRM.
 */
#ifndef SHMDEMO_HAVE_MMAP_PREPARE
static int shmdemo_seg_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	return shmdemo_mmap_seg(file, vma);
}
#endif

/*
 * Operations of the internal per-binding file (see shmdemo_fs_seg_file()).
 * Userspace never holds it in an fd; it reaches it only through mappings.
 */
static const struct file_operations shmdemo_seg_fops = {
	.owner		= THIS_MODULE,
#ifdef SHMDEMO_HAVE_MMAP_PREPARE
	/* ATTACH, remap_file_pages(), and shmdemo_mmap_seg() through compat */
	.mmap_prepare	= shmdemo_mmap_prepare_seg,
#else
	.mmap		= shmdemo_seg_file_mmap,	/* ATTACH, remap_file_pages() */
#endif
	/* SHMDEMO_IOC_ATTACH: 2 MiB-aligned, for PMD mappings (shmdemo_vm.c) */
	.get_unmapped_area = thp_get_unmapped_area,
	.release	= shmdemo_seg_file_release, /* last mapping and fd gone */
	.fsync		= shmdemo_seg_file_fsync,	/* msync(MS_SYNC) */
	.llseek		= noop_llseek,
};

/*
 * Memory-only segments have nothing to write back: a written page is marked
 * dirty (so a residency map can show it) and stays in memory until the
 * segment dies.  File-backed segments: shmdemo_file_aops.
 */
static const struct address_space_operations shmdemo_aops = {
	.dirty_folio	= noop_dirty_folio,	/* set PG_dirty, no accounting */
};

/*
 * evict() has waited for any writeback of the inode: the backing file can
 * go with it.
 */
static void shmdemo_fs_evict_inode(struct inode *inode)
{
	/* Frees every page of the segment, mapped or not: nothing maps it now. */
	truncate_inode_pages_final(&inode->i_data);
	shmdemo_backing_free(shmdemo_mapping_backing(&inode->i_data));
	clear_inode(inode);
}

static const struct super_operations shmdemo_fs_sops = {
	.statfs		= simple_statfs,
	.evict_inode	= shmdemo_fs_evict_inode,
};

/* File-backed segments' inodes carry their file (struct shmdemo_inode). */
static struct inode *shmdemo_file_fs_alloc_inode(struct super_block *sb)
{
	struct shmdemo_inode *si = kmalloc(sizeof(*si), GFP_KERNEL_ACCOUNT);

	if (!si)
		return NULL;
	inode_init_once(&si->vfs_inode);
	si->backing = NULL;
	return &si->vfs_inode;
}

static void shmdemo_file_fs_free_inode(struct inode *inode)
{
	kfree(container_of(inode, struct shmdemo_inode, vfs_inode));
}

static const struct super_operations shmdemo_file_fs_sops = {
	.alloc_inode	= shmdemo_file_fs_alloc_inode,
	.free_inode	= shmdemo_file_fs_free_inode,
	.statfs		= simple_statfs,
	.evict_inode	= shmdemo_fs_evict_inode,
};

static int shmdemo_fs_init_fs_context(struct fs_context *fc)
{
	struct pseudo_fs_context *ctx = init_pseudo(fc, SHMDEMO_FS_MAGIC);

	if (!ctx)
		return -ENOMEM;
	ctx->ops = &shmdemo_fs_sops;
	/*
	 * Newer kernels' init_pseudo() makes every file of the fs
	 * non-executable; a segment's mappings follow its mode instead, as
	 * SHM_EXEC does on SysV's tmpfs files.  Nothing is ever exec'd
	 * from here: the fs is never mounted in the namespace.
	 */
	fc->s_iflags &= ~SB_I_NOEXEC;
	return 0;
}

/* .owner: the superblock pins the module (see the top of this file). */
static struct file_system_type shmdemo_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "shmdemo",
	.init_fs_context	= shmdemo_fs_init_fs_context,
	.kill_sb		= kill_anon_super,
};

/* pseudo_fs_fill_super(), plus a bdi of our own for writeback. */
static int shmdemo_file_fs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct inode *root;
	int ret;

	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_magic = SHMDEMO_FILE_FS_MAGIC;
	sb->s_op = &shmdemo_file_fs_sops;
	sb->s_time_gran = 1;
	ret = super_setup_bdi(sb);
	if (ret)
		return ret;
	root = new_inode(sb);
	if (!root)
		return -ENOMEM;
	root->i_ino = 1;
	root->i_mode = S_IFDIR | 0500;
	shmdemo_inode_init_times(root);
	sb->s_root = d_make_root(root);
	return sb->s_root ? 0 : -ENOMEM;
}

static int shmdemo_file_fs_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, shmdemo_file_fs_fill_super);
}

static const struct fs_context_operations shmdemo_file_fs_context_ops = {
	.get_tree	= shmdemo_file_fs_get_tree,
};

/* init_pseudo()'s settings: kernel-internal, one superblock per mount. */
static int shmdemo_file_fs_init_fs_context(struct fs_context *fc)
{
	fc->ops = &shmdemo_file_fs_context_ops;
	fc->sb_flags |= SB_NOUSER;
	fc->global = true;
	return 0;
}

static struct file_system_type shmdemo_file_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "shmdemo_file",
	.init_fs_context	= shmdemo_file_fs_init_fs_context,
	.kill_sb		= kill_anon_super,
};

/* Is @file on one of our file systems (a segment's own file)? */
bool shmdemo_fs_is_ours(struct file *file)
{
	struct file_system_type *type = file_inode(file)->i_sb->s_type;

	return type == &shmdemo_fs_type || type == &shmdemo_file_fs_type;
}

/**
 * shmdemo_fs_pin - keep an internal mount (and so the module) alive
 * @file_backed: the mount of file-backed segments, else of memory-only ones
 *
 * One pin per segment, taken before its inode is allocated.
 *
 * Context: process context, may sleep (the first pin mounts); the caller
 * holds a module reference (an open /dev/shmdemo).
 * Return: 0 or a negative errno.
 */
int shmdemo_fs_pin(bool file_backed)
{
	if (file_backed)
		return simple_pin_fs(&shmdemo_file_fs_type, &shmdemo_file_mnt,
				     &shmdemo_file_mnt_count);
	return simple_pin_fs(&shmdemo_fs_type, &shmdemo_mnt, &shmdemo_mnt_count);
}

/**
 * shmdemo_fs_unpin - drop a pin taken by shmdemo_fs_pin()
 * @file_backed: as given to shmdemo_fs_pin()
 *
 * The last one releases the mount; the superblock, and with it the module
 * reference, goes once no segment file holds the mount either.
 *
 * Context: process context, may sleep.
 */
void shmdemo_fs_unpin(bool file_backed)
{
	if (file_backed)
		simple_release_fs(&shmdemo_file_mnt, &shmdemo_file_mnt_count);
	else
		simple_release_fs(&shmdemo_mnt, &shmdemo_mnt_count);
}

/* A file-backed segment's inode: on the superblock's list, writeback-able. */
static struct inode *shmdemo_fs_new_file_inode(loff_t size, struct shmdemo_backing *backing)
{
	struct inode *inode = new_inode(shmdemo_file_mnt->mnt_sb);

	if (!inode)
		return ERR_PTR(-ENOMEM);
	inode->i_ino = get_next_ino();
	inode->i_mode = S_IFREG | 0600;
	inode->i_uid = current_fsuid();
	inode->i_gid = current_fsgid();
	inode->i_flags |= S_PRIVATE;	/* no LSM or fsnotify interest */
	shmdemo_inode_init_times(inode);
	inode->i_size = size;
	inode->i_mapping->a_ops = &shmdemo_file_aops;
	container_of(inode, struct shmdemo_inode, vfs_inode)->backing = backing;
	mapping_set_gfp_mask(inode->i_mapping, GFP_HIGHUSER);
	return inode;
}

/**
 * shmdemo_fs_new_inode - an inode whose mapping will hold a segment's pages
 * @size: segment size in bytes, becomes i_size
 * @backing: the file of a file-backed segment (the inode owns it from
 *	now on, even on failure), or NULL for a memory-only one
 *
 * The mapping is unevictable (like ramfs or SHM_LOCK): a memory-only segment
 * has no backing store, so reclaim must not even try its pages.
 *
 * alloc_anon_inode() leaves the inode off the superblock's inode list, so
 * drop_caches (which walks that list) never drops a segment's clean pages:
 * resident pages leave the page cache only through the segment's own
 * truncations, which the per-user accounting relies on.
 *
 * File-backed segments get shmdemo_fs_new_file_inode()'s instead.
 *
 * Context: process context, may sleep; the caller holds a pin of the
 * right mount.
 * Return: the inode, or an ERR_PTR().
 */
struct inode *shmdemo_fs_new_inode(loff_t size, struct shmdemo_backing *backing)
{
	struct inode *inode;

	if (backing) {
		inode = shmdemo_fs_new_file_inode(size, backing);
		if (IS_ERR(inode))
			shmdemo_backing_free(backing);
		return inode;
	}
	inode = alloc_anon_inode(shmdemo_mnt->mnt_sb);
	if (IS_ERR(inode))
		return inode;
	inode->i_mode = S_IFREG | 0600;
	inode->i_size = size;
	inode->i_mapping->a_ops = &shmdemo_aops;
	mapping_set_gfp_mask(inode->i_mapping, GFP_HIGHUSER);
	mapping_set_unevictable(inode->i_mapping);
	/* 2 MiB folios where a PMD can map them (shmdemo_pmd_suitable()). */
	mapping_set_large_folios(inode->i_mapping);
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
	file = alloc_file_pseudo(seg->inode, seg->backing ? shmdemo_file_mnt : shmdemo_mnt, name,
				 rdonly ? O_RDONLY : O_RDWR, &shmdemo_seg_fops);
	if (IS_ERR(file)) {
		module_put(THIS_MODULE);
		iput(seg->inode);
		return file;
	}
	file->private_data = seg;
	return file;
}

