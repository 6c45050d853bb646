/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmdemo internals: segments, the files bound to them, and the pieces of
 * the module that share them.
 *
 * Lifetime of a segment.  A segment is referenced by the segment table
 * (until SHMDEMO_IOC_RMID) and by every file bound to it.  Mappings hold
 * their file (vma->vm_file), so "no file and not in the table any more"
 * means "no mapping" too.  The last reference is dropped with
 * refcount_dec_and_mutex_lock() on shmdemo_ids_lock, so a segment found in
 * the idr under that lock always has a reference that can be taken.
 *
 * Reachable by id.  As in ipc/shm.c, a segment stays reachable by id (STAT,
 * BIND, RESIZE...) until it is removed *and* no VMA maps it; from then on
 * it is "gone" (shmdemo_seg_gone()): every request by id says EINVAL and a
 * bound file can no longer mmap it (EIDRM), though bound files keep its
 * memory until they are closed.  Gone is final: only a new mmap() could
 * raise nattch again, and that is refused.
 *
 * Every segment pins the module's internal mount, hence the module
 * (shmdemo_fs.c), until it is freed.
 */
#ifndef _SHMDEMO_H
#define _SHMDEMO_H

#include <linux/fs.h>
#include <linux/list.h>
#include <linux/idr.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <uapi/linux/shmdemo.h>

struct pid_namespace;
struct user_namespace;

/* Like SysV: id = index + seq * SHMDEMO_SEQ_MULTIPLIER. */
#define SHMDEMO_SEQ_MULTIPLIER	32768
#define SHMDEMO_MAX_SEGMENTS	32768

/**
 * struct shmdemo_user - what one uid holds, for the per-user limits
 * @node:	in the user hash, under shmdemo_users_lock
 * @refs:	one per segment created or locked by the uid, one per lookup
 * @uid:	the uid
 * @pages:	pages resident in the segments this uid created: charged by
 *		the fault path before a page is added, released by
 *		truncation (see shmdemo_user.c)
 * @locked:	pages of the segments this uid SHMDEMO_IOC_LOCKed; under
 *		shmdemo_users_lock
 */
struct shmdemo_user {
	struct hlist_node node;
	refcount_t refs;
	kuid_t uid;
	atomic_long_t pages;
	unsigned long locked;
};

struct shmdemo_seg_counters {
	atomic64_t read_faults;
	atomic64_t write_faults;
	atomic64_t cow_faults;
	atomic64_t mkwrite;
	atomic64_t around_pages;
	atomic64_t pages_alloc;
	atomic64_t pmd_alloc;
	atomic64_t pmd_fallback;
};

/**
 * struct shmdemo_backing - the file behind a file-backed segment
 * @file:	the backing file, read by faults and written by writeback;
 *		a reference of our own
 * @id:		the segment's id, for tracepoints
 * @rdonly:	@file was opened read-only: no shared writable mapping
 * @major_faults, @bytes_read, @pages_written, @bytes_written,
 * @write_errors: the counters of struct shmdemo_file_counters
 *
 * Owned by the segment's inode (struct shmdemo_inode) and freed when the
 * inode is evicted, not with the segment: writeback works on the inode and
 * may still run after the segment is gone, until evict() has waited for it.
 */
struct shmdemo_backing {
	struct file *file;
	int id;
	bool rdonly;
	atomic64_t major_faults;
	atomic64_t bytes_read;
	atomic64_t pages_written;
	atomic64_t bytes_written;
	atomic64_t write_errors;
};

/**
 * struct shmdemo_seg - one segment
 * @refs:	table reference (until removed) + one per bound file
 * @id:		id, fixed at creation
 * @inode:	inode on the shmdemo pseudo fs; its i_mapping is the
 *		segment's page cache and its i_size the segment's size
 * @backing:	file-backed segments: the file (owned by the inode, see
 *		struct shmdemo_backing), else NULL; fixed
 * @npages:	size in pages as charged to max_total_pages;
 *		under shmdemo_ids_lock
 * @key_node:	in the key hash while the key is not private;
 *		under shmdemo_ids_lock
 * @user:	the creator's account, charged the resident pages; fixed
 * @limited:	max_user_pages applies (the creator lacked CAP_IPC_LOCK); fixed
 * @charged:	pages of this segment charged to @user (shmdemo_user.c)
 * @fault_around_bytes: SHMDEMO_SET_FAULT_AROUND's (0: the kernel's);
 *		WRITE_ONCE() by SET, READ_ONCE() by ->map_pages()
 * @lock:	protects every field below it
 * @key:	key, SHMDEMO_KEY_PRIVATE once removed
 * @mode:	permission bits
 * @flags:	SHMDEMO_SEG_*
 * @uid:	owner
 * @gid:	owner group
 * @cuid:	creator
 * @cgid:	creator group
 * @cpid:	creator
 * @lpid:	last attach/detach
 * @nattch:	number of VMAs mapping the segment
 * @atime:	last attach
 * @dtime:	last detach
 * @ctime:	creation or last change
 * @locker:	who locked it (SHMDEMO_SEG_LOCKED), charged @locked_pages;
 *		changed under shmdemo_ids_lock as well
 * @locked_pages: the size charged to @locker
 * @c:		fault path counters, atomics, no lock
 */
struct shmdemo_seg {
	refcount_t refs;
	int id;
	struct inode *inode;
	struct shmdemo_backing *backing;
	unsigned long npages;
	struct hlist_node key_node;
	struct shmdemo_user *user;
	bool limited;
	atomic_long_t charged;
	u32 fault_around_bytes;

	spinlock_t lock;	/* the SysV fields below */
	int key;
	umode_t mode;
	u32 flags;
	kuid_t uid;
	kgid_t gid;
	kuid_t cuid;
	kgid_t cgid;
	struct pid *cpid;
	struct pid *lpid;
	unsigned long nattch;
	time64_t atime;
	time64_t dtime;
	time64_t ctime;
	struct shmdemo_user *locker;
	unsigned long locked_pages;
	/* [rdonly]: ATTACH's files until removal (shmdemo_seg_attach_file()) */
	struct file *attach_files[2];

	struct shmdemo_seg_counters c;
};

/**
 * struct shmdemo_file - private data of an open /dev/shmdemo
 * @lock:	serialises binds
 * @seg_file:	NULL until bound, then the binding: an internal file on the
 *		segment's inode, opened read-only or read-write, holding one
 *		segment reference.  mmap() puts it in vma->vm_file, so every
 *		mapping keeps the segment (and the module) alive and the core
 *		mm sees the segment's own address_space.  Set once, published
 *		with smp_store_release().
 */
struct shmdemo_file {
	struct mutex lock;	/* serialises binds */
	struct file *seg_file;
};

/* Module parameters (shmdemo_main.c), read with READ_ONCE(). */
extern unsigned int shmdemo_max_segments;
extern unsigned long shmdemo_max_seg_bytes;
extern unsigned long shmdemo_max_total_pages;
extern unsigned long shmdemo_max_user_pages;
extern bool shmdemo_pmd_folios;

/* shmdemo_fs.c: the pseudo filesystems that own the segments' inodes */
int shmdemo_fs_pin(bool file_backed);
void shmdemo_fs_unpin(bool file_backed);
struct inode *shmdemo_fs_new_inode(loff_t size, struct shmdemo_backing *backing);
struct file *shmdemo_fs_seg_file(struct shmdemo_seg *seg, bool rdonly);
bool shmdemo_fs_is_ours(struct file *file);

/* shmdemo_file.c: file-backed segments */
extern const struct address_space_operations shmdemo_file_aops;
struct shmdemo_backing *shmdemo_backing_new(int fd, u64 *bytes);
void shmdemo_backing_free(struct shmdemo_backing *backing);
int shmdemo_file_read_folio(struct shmdemo_backing *backing, struct folio *folio,
			    loff_t size);
int shmdemo_file_sync(struct file *seg_file, loff_t start, loff_t end,
		      u64 *pages, u64 *bytes);
int shmdemo_file_fsync(struct file *seg_file, loff_t start, loff_t end, int datasync);

/**
 * struct shmdemo_inode - a file-backed segment's inode
 * @vfs_inode:	the inode (on the "shmdemo_file" superblock)
 * @backing:	its file, set once before the inode is used
 */
struct shmdemo_inode {
	struct inode vfs_inode;
	struct shmdemo_backing *backing;
};

/* The file behind @mapping, or NULL for a memory-only segment. */
static inline struct shmdemo_backing *shmdemo_mapping_backing(struct address_space *mapping)
{
	if (mapping->a_ops != &shmdemo_file_aops)
		return NULL;
	return container_of(mapping->host, struct shmdemo_inode, vfs_inode)->backing;
}

/* shmdemo_user.c: per-user accounts (max_user_pages, SHMDEMO_IOC_LOCK) */
struct shmdemo_user *shmdemo_user_get(kuid_t uid);
void shmdemo_user_put(struct shmdemo_user *user);
unsigned long shmdemo_user_pages(kuid_t uid);
bool shmdemo_user_fits(struct shmdemo_seg *seg, unsigned long more);
int shmdemo_user_charge(struct shmdemo_seg *seg, unsigned long nr);
void shmdemo_user_uncharge(struct shmdemo_seg *seg, unsigned long nr);
int shmdemo_user_lock(struct shmdemo_user *user, unsigned long pages);
void shmdemo_user_unlock(struct shmdemo_user *user, unsigned long pages);

/* shmdemo_seg.c: the segment table */
int shmdemo_seg_get(const struct shmdemo_get *req, bool *created);
void shmdemo_seg_undo_get(int id);
struct shmdemo_seg *shmdemo_seg_find(int id);
void shmdemo_seg_put(struct shmdemo_seg *seg);
int shmdemo_seg_perms(struct shmdemo_seg *seg, umode_t want);
int shmdemo_seg_stat(int id, bool any, struct shmdemo_stat *st);
int shmdemo_seg_set(const struct shmdemo_set *req);
int shmdemo_seg_rmid(int id);
int shmdemo_seg_resize(int id, u64 bytes);
int shmdemo_seg_lock(int id, bool lock);
void shmdemo_seg_info(struct shmdemo_info *info);
int shmdemo_seg_list(s32 **idsp, u32 *count);
int shmdemo_seg_pages(int id, u64 start, u32 *out, u32 *count);
struct file *shmdemo_seg_attach_file(struct shmdemo_seg *seg, bool rdonly);
void shmdemo_seg_keep_attach_file(struct shmdemo_seg *seg, bool rdonly, struct file *file);
int shmdemo_seg_attach_mmap(struct shmdemo_seg *seg, vm_flags_t *vm_flags, bool attach);
int shmdemo_seg_attach_live(struct shmdemo_seg *seg);
void shmdemo_seg_attach(struct shmdemo_seg *seg);
void shmdemo_seg_detach(struct shmdemo_seg *seg);
void shmdemo_seg_fill_stat(struct shmdemo_seg *seg, struct shmdemo_stat *st,
			   struct user_namespace *user_ns,
			   struct pid_namespace *pid_ns);
int shmdemo_seg_for_each(int (*fn)(struct shmdemo_seg *seg, void *arg),
			 void *arg);
void shmdemo_seg_exit(void);

/* shmdemo_vm.c: mmap and the fault path */
int shmdemo_mmap_seg(struct file *seg_file, struct vm_area_struct *vma);
#ifdef SHMDEMO_HAVE_MMAP_PREPARE
int shmdemo_mmap_prepare_seg(struct vm_area_desc *desc);
#endif

/* shmdemo_pmd.c: 2 MiB folios of memory-only segments */
bool shmdemo_pmd_possible(struct shmdemo_seg *seg, pgoff_t hindex);
bool shmdemo_pmd_suitable(struct vm_fault *vmf, struct shmdemo_seg *seg);
long shmdemo_add_zeroed_folio(struct address_space *mapping, struct shmdemo_seg *seg,
			      pgoff_t index, struct vm_area_struct *vma, unsigned long addr,
			      bool pmd, struct folio **foliop);
int shmdemo_pmd_cut(struct address_space *mapping, loff_t size);

/* shmdemo_populate.c: SHMDEMO_IOC_POPULATE */
int shmdemo_seg_populate(int id, u64 start, u64 len, u64 *pages);
int shmdemo_populate_seg(struct shmdemo_seg *seg, u64 start, u64 len, u64 *pages);

/* shmdemo_dev.c */
extern const struct file_operations shmdemo_dev_fops;
struct file *shmdemo_open_seg_file(int id, bool rdonly, bool attach);
int shmdemo_bind(struct file *file, const struct shmdemo_bind *req);

/* shmdemo_attach.c: shmat() and shmdt() in one request each */
long shmdemo_attach(struct file *file, struct shmdemo_attach *req);
long shmdemo_detach(unsigned long addr, u64 *bytes);

/* shmdemo_ioctl.c */
long shmdemo_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* shmdemo_proc.c: /proc/shmdemo */
int shmdemo_proc_init(void);
void shmdemo_proc_exit(void);

static inline struct shmdemo_seg *shmdemo_inode_seg(struct inode *inode)
{
	return inode->i_private;
}

#endif /* _SHMDEMO_H */
