// SPDX-License-Identifier: GPL-2.0
/*
 * The segment table: keys, ids, limits, permissions and the System V rules
 * of ipc/shm.c and ipc/util.c, applied to the module's own namespace.
 *
 * Locking:
 *   shmdemo_ids_lock (mutex)	the idr, the key hash, nr_segs, total_pages,
 *				seg->npages, seg->key_node, and the drop of a
 *				segment's last reference
 *   seg->lock (spinlock)	the SysV fields of one segment (see shmdemo.h)
 *   mapping->invalidate_lock	i_size changes against the fault path
 * Order: shmdemo_ids_lock -> invalidate_lock, shmdemo_ids_lock -> seg->lock.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "shmdemo.h"
#include "shmdemo_trace.h"

static DEFINE_MUTEX(shmdemo_ids_lock);
static DEFINE_IDR(shmdemo_idr);
static DEFINE_HASHTABLE(shmdemo_keys, 8);
static unsigned int shmdemo_nr_segs;
static unsigned long shmdemo_total_pages;
static unsigned int shmdemo_seq;

static unsigned long shmdemo_bytes_to_pages(u64 bytes)
{
	return DIV_ROUND_UP_ULL(bytes, PAGE_SIZE);
}

/* Like ipcperms(): 0 if the caller may access @seg with @flag's rwx bits. */
static int shmdemo_seg_perms_locked(struct shmdemo_seg *seg, umode_t flag)
{
	kuid_t euid = current_euid();
	int requested = (flag >> 6) | (flag >> 3) | flag;
	int granted = seg->mode;

	lockdep_assert_held(&seg->lock);
	if (uid_eq(euid, seg->cuid) || uid_eq(euid, seg->uid))
		granted >>= 6;
	else if (in_group_p(seg->cgid) || in_group_p(seg->gid))
		granted >>= 3;
	if ((requested & ~granted & 0007) && !capable(CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

/**
 * shmdemo_seg_perms - check access like shmat() does
 * @seg: segment, referenced by the caller
 * @want: S_IRUGO, or S_IRUGO | S_IWUGO
 *
 * Context: process context; takes seg->lock.
 * Return: 0 or -EACCES.
 */
int shmdemo_seg_perms(struct shmdemo_seg *seg, umode_t want)
{
	int ret;

	spin_lock(&seg->lock);
	ret = shmdemo_seg_perms_locked(seg, want);
	spin_unlock(&seg->lock);
	return ret;
}

/*
 * Like ipcctl_obtain_check(): owner, creator or CAP_SYS_ADMIN.
 * Context: shmdemo_ids_lock held (keeps @seg alive); takes seg->lock.
 */
static int shmdemo_seg_owner_check(struct shmdemo_seg *seg)
{
	kuid_t euid = current_euid();
	bool ok;

	spin_lock(&seg->lock);
	ok = uid_eq(euid, seg->cuid) || uid_eq(euid, seg->uid);
	spin_unlock(&seg->lock);
	return ok || capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/* Context: shmdemo_ids_lock held. */
static struct shmdemo_seg *shmdemo_seg_lookup(int id)
{
	struct shmdemo_seg *seg;

	lockdep_assert_held(&shmdemo_ids_lock);
	if (id < 0)
		return NULL;
	seg = idr_find(&shmdemo_idr, id % SHMDEMO_SEQ_MULTIPLIER);
	return seg && seg->id == id ? seg : NULL;
}

/* Context: shmdemo_ids_lock held. */
static struct shmdemo_seg *shmdemo_seg_lookup_key(int key)
{
	struct shmdemo_seg *seg;

	lockdep_assert_held(&shmdemo_ids_lock);
	hash_for_each_possible(shmdemo_keys, seg, key_node, key)
		if (seg->key == key)
			return seg;
	return NULL;
}

/*
 * Take @seg out of the table once its last reference is gone.
 * Context: shmdemo_ids_lock held, seg->refs == 0.
 */
static void shmdemo_seg_unlink(struct shmdemo_seg *seg)
{
	lockdep_assert_held(&shmdemo_ids_lock);
	hash_del(&seg->key_node);	/* no-op if private or removed */
	idr_remove(&shmdemo_idr, seg->id % SHMDEMO_SEQ_MULTIPLIER);
	shmdemo_nr_segs--;
	shmdemo_total_pages -= seg->npages;
}

/* Free an unlinked segment and its pages.  Context: may sleep, no locks. */
static void shmdemo_seg_free(struct shmdemo_seg *seg)
{
	trace_shmdemo_destroy(seg->id, seg->inode->i_mapping->nrpages);
	iput(seg->inode);	/* evict truncates the page cache */
	put_pid(seg->cpid);
	put_pid(seg->lpid);
	kfree(seg);
}

/* Context: shmdemo_ids_lock held; may sleep. */
static int shmdemo_seg_new(const struct shmdemo_get *req)
{
	unsigned long npages = shmdemo_bytes_to_pages(req->bytes);
	unsigned int max_segs = min_t(unsigned int, READ_ONCE(shmdemo_max_segments),
				      SHMDEMO_MAX_SEGMENTS);
	struct shmdemo_seg *seg;
	int idx, ret;

	lockdep_assert_held(&shmdemo_ids_lock);
	/* Size rules of newseg(): SHMMIN is 1, SHMMAX is max_seg_bytes. */
	if (req->bytes < 1 || req->bytes > READ_ONCE(shmdemo_max_seg_bytes))
		return -EINVAL;
	if (shmdemo_total_pages + npages < shmdemo_total_pages ||
	    shmdemo_total_pages + npages > READ_ONCE(shmdemo_max_total_pages))
		return -ENOSPC;
	if (shmdemo_nr_segs >= max_segs)
		return -ENOSPC;

	seg = kzalloc(sizeof(*seg), GFP_KERNEL_ACCOUNT);
	if (!seg)
		return -ENOMEM;
	seg->inode = shmdemo_fs_new_inode(req->bytes);
	if (IS_ERR(seg->inode)) {
		ret = PTR_ERR(seg->inode);
		goto out_free_seg;
	}
	seg->inode->i_private = seg;

	idx = idr_alloc(&shmdemo_idr, seg, 0, max_segs, GFP_KERNEL);
	if (idx < 0) {
		ret = idx == -ENOSPC ? -ENOSPC : -ENOMEM;
		goto out_put_inode;
	}
	shmdemo_seq = (shmdemo_seq + 1) % 65536;
	seg->id = shmdemo_seq * SHMDEMO_SEQ_MULTIPLIER + idx;

	refcount_set(&seg->refs, 1);	/* the table's */
	seg->npages = npages;
	spin_lock_init(&seg->lock);
	seg->key = req->key;
	seg->mode = req->mode & 0777;
	seg->uid = current_euid();
	seg->cuid = seg->uid;
	seg->gid = current_egid();
	seg->cgid = seg->gid;
	seg->cpid = get_pid(task_tgid(current));
	seg->ctime = ktime_get_real_seconds();

	if (seg->key != SHMDEMO_KEY_PRIVATE)
		hash_add(shmdemo_keys, &seg->key_node, seg->key);
	shmdemo_nr_segs++;
	shmdemo_total_pages += npages;
	trace_shmdemo_create(seg->id, seg->key, req->bytes);
	return seg->id;

out_put_inode:
	iput(seg->inode);
out_free_seg:
	kfree(seg);
	return ret;
}

/**
 * shmdemo_seg_get - find or create a segment, with ipcget()'s rules
 * @req: the request, flags and reserved fields already validated
 *
 * Context: process context; takes shmdemo_ids_lock.
 * Return: segment id, or a negative errno.
 */
int shmdemo_seg_get(const struct shmdemo_get *req)
{
	struct shmdemo_seg *seg;
	int ret;

	mutex_lock(&shmdemo_ids_lock);
	if (req->key == SHMDEMO_KEY_PRIVATE) {
		ret = shmdemo_seg_new(req);
		goto out_unlock;
	}
	seg = shmdemo_seg_lookup_key(req->key);
	if (!seg) {
		ret = req->flags & SHMDEMO_GET_CREATE ? shmdemo_seg_new(req) : -ENOENT;
		goto out_unlock;
	}
	if ((req->flags & SHMDEMO_GET_CREATE) && (req->flags & SHMDEMO_GET_EXCL)) {
		ret = -EEXIST;
		goto out_unlock;
	}
	/* shm_more_checks(): asking for more than the segment has. */
	if (i_size_read(seg->inode) < req->bytes) {
		ret = -EINVAL;
		goto out_unlock;
	}
	ret = shmdemo_seg_perms(seg, req->mode & 0777) ?: seg->id;
out_unlock:
	mutex_unlock(&shmdemo_ids_lock);
	return ret;
}

/**
 * shmdemo_seg_find - look a segment up by id and take a reference
 * @id: segment id
 *
 * Context: process context; takes shmdemo_ids_lock.
 * Return: the segment (drop with shmdemo_seg_put()) or ERR_PTR(-EINVAL).
 */
struct shmdemo_seg *shmdemo_seg_find(int id)
{
	struct shmdemo_seg *seg;

	mutex_lock(&shmdemo_ids_lock);
	seg = shmdemo_seg_lookup(id);
	if (seg)
		refcount_inc(&seg->refs);
	mutex_unlock(&shmdemo_ids_lock);
	return seg ?: ERR_PTR(-EINVAL);
}

/**
 * shmdemo_seg_put - drop a reference; the last one frees the segment
 * @seg: segment
 *
 * Context: process context, may sleep; takes shmdemo_ids_lock for the last.
 */
void shmdemo_seg_put(struct shmdemo_seg *seg)
{
	if (!refcount_dec_and_mutex_lock(&seg->refs, &shmdemo_ids_lock))
		return;
	shmdemo_seg_unlink(seg);
	mutex_unlock(&shmdemo_ids_lock);
	shmdemo_seg_free(seg);
}

/* Number of dirty pages in the segment's page cache.  Context: any, RCU. */
static unsigned long shmdemo_seg_dirty_pages(struct shmdemo_seg *seg)
{
	XA_STATE(xas, &seg->inode->i_mapping->i_pages, 0);
	unsigned long nr = 0;
	struct folio *folio;

	rcu_read_lock();
	xas_for_each(&xas, folio, ULONG_MAX) {
		if (xas_retry(&xas, folio) || xa_is_value(folio))
			continue;
		if (folio_test_dirty(folio))
			nr += folio_nr_pages(folio);
	}
	rcu_read_unlock();
	return nr;
}

static s32 shmdemo_pid_nr(struct pid *pid)
{
	return pid ? pid_vnr(pid) : 0;
}

/**
 * shmdemo_seg_fill_stat - fill every field of @st except @st->size
 * @seg: segment, referenced or under shmdemo_ids_lock
 * @st: zeroed by the caller (no kernel bytes reach userspace)
 *
 * Context: process context; takes seg->lock.
 */
void shmdemo_seg_fill_stat(struct shmdemo_seg *seg, struct shmdemo_stat *st)
{
	struct user_namespace *ns = current_user_ns();
	struct shmdemo_counters *c = &st->counters;

	st->id = seg->id;
	st->bytes = i_size_read(seg->inode);
	spin_lock(&seg->lock);
	st->key = seg->key;
	st->mode = seg->mode;
	st->uid = from_kuid_munged(ns, seg->uid);
	st->gid = from_kgid_munged(ns, seg->gid);
	st->cuid = from_kuid_munged(ns, seg->cuid);
	st->cgid = from_kgid_munged(ns, seg->cgid);
	st->cpid = shmdemo_pid_nr(seg->cpid);
	st->lpid = shmdemo_pid_nr(seg->lpid);
	st->nattch = seg->nattch;
	st->atime = seg->atime;
	st->dtime = seg->dtime;
	st->ctime = seg->ctime;
	st->flags = seg->flags;
	spin_unlock(&seg->lock);

	c->read_faults = atomic64_read(&seg->c.read_faults);
	c->write_faults = atomic64_read(&seg->c.write_faults);
	c->cow_faults = atomic64_read(&seg->c.cow_faults);
	c->mkwrite = atomic64_read(&seg->c.mkwrite);
	c->around_pages = atomic64_read(&seg->c.around_pages);
	c->pages_alloc = atomic64_read(&seg->c.pages_alloc);
	c->pages_resident = READ_ONCE(seg->inode->i_mapping->nrpages);
	c->pages_dirty = shmdemo_seg_dirty_pages(seg);
}

/**
 * shmdemo_seg_stat - IPC_STAT: needs read permission
 * @id: segment id
 * @st: zeroed by the caller, filled on success
 *
 * Context: process context; takes shmdemo_ids_lock.
 * Return: 0, -EINVAL (no such id) or -EACCES.
 */
int shmdemo_seg_stat(int id, struct shmdemo_stat *st)
{
	struct shmdemo_seg *seg;
	int ret;

	mutex_lock(&shmdemo_ids_lock);
	seg = shmdemo_seg_lookup(id);
	ret = seg ? shmdemo_seg_perms(seg, 0444) : -EINVAL;
	if (!ret)
		shmdemo_seg_fill_stat(seg, st);
	mutex_unlock(&shmdemo_ids_lock);
	return ret;
}

/**
 * shmdemo_seg_set - IPC_SET: owner, group and the 0777 mode bits
 * @req: request, validated
 *
 * Context: process context; takes shmdemo_ids_lock.
 * Return: 0, -EINVAL (no such id, or an id not mapped in the caller's user
 * namespace) or -EPERM.
 */
int shmdemo_seg_set(const struct shmdemo_set *req)
{
	struct user_namespace *ns = current_user_ns();
	kuid_t uid = make_kuid(ns, req->uid);
	kgid_t gid = make_kgid(ns, req->gid);
	struct shmdemo_seg *seg;
	int ret;

	mutex_lock(&shmdemo_ids_lock);
	seg = shmdemo_seg_lookup(req->id);
	ret = seg ? shmdemo_seg_owner_check(seg) : -EINVAL;
	if (ret)
		goto out_unlock;
	/* After the owner check, as ipc_update_perm() does: a stranger gets EPERM. */
	ret = -EINVAL;
	if ((req->valid & SHMDEMO_SET_UID) && !uid_valid(uid))
		goto out_unlock;
	if ((req->valid & SHMDEMO_SET_GID) && !gid_valid(gid))
		goto out_unlock;
	ret = 0;
	spin_lock(&seg->lock);
	if (req->valid & SHMDEMO_SET_UID)
		seg->uid = uid;
	if (req->valid & SHMDEMO_SET_GID)
		seg->gid = gid;
	if (req->valid & SHMDEMO_SET_MODE)
		seg->mode = req->mode & 0777;
	seg->ctime = ktime_get_real_seconds();
	spin_unlock(&seg->lock);
out_unlock:
	mutex_unlock(&shmdemo_ids_lock);
	return ret;
}

/**
 * shmdemo_seg_rmid - IPC_RMID: the key stops resolving now, the segment
 * dies with its last mapping and bound file
 * @id: segment id
 *
 * As on Linux, removing an already removed segment that is still alive
 * succeeds again; once it is gone its id gives -EINVAL.
 *
 * Context: process context, may sleep; takes shmdemo_ids_lock.
 * Return: 0, -EINVAL or -EPERM.
 */
int shmdemo_seg_rmid(int id)
{
	struct shmdemo_seg *seg;
	bool last = false;
	int ret;

	mutex_lock(&shmdemo_ids_lock);
	seg = shmdemo_seg_lookup(id);
	ret = seg ? shmdemo_seg_owner_check(seg) : -EINVAL;
	if (ret || (seg->flags & SHMDEMO_SEG_DEST))
		goto out_unlock;

	hash_del(&seg->key_node);
	spin_lock(&seg->lock);
	seg->key = SHMDEMO_KEY_PRIVATE;
	seg->flags |= SHMDEMO_SEG_DEST;
	trace_shmdemo_remove(seg->id, seg->nattch);
	spin_unlock(&seg->lock);
	/* Drop the table's reference: the segment lives on its files only. */
	last = refcount_dec_and_test(&seg->refs);
	if (last)
		shmdemo_seg_unlink(seg);
out_unlock:
	mutex_unlock(&shmdemo_ids_lock);
	if (last)
		shmdemo_seg_free(seg);
	return ret;
}

/**
 * shmdemo_seg_resize - change the size, like ftruncate() on the segment
 * @id: segment id
 * @bytes: new size
 *
 * Shrinking goes through truncate_pagecache() under the mapping's
 * invalidate_lock, which the fault path takes shared: a fault either sees
 * the old size and finishes before the cut, or sees the new size and raises
 * SIGBUS.  truncate_pagecache() unmaps the cut range (COWed private copies
 * too), frees the pages and zeroes the tail of the new last page.
 *
 * Context: process context, may sleep; takes shmdemo_ids_lock, then the
 * mapping's invalidate_lock.
 * Return: 0, -EINVAL (no such id, bad size), -EPERM or -ENOSPC.
 */
int shmdemo_seg_resize(int id, u64 bytes)
{
	unsigned long npages = shmdemo_bytes_to_pages(bytes);
	struct address_space *mapping;
	struct shmdemo_seg *seg;
	loff_t old;
	int ret;

	mutex_lock(&shmdemo_ids_lock);
	seg = shmdemo_seg_lookup(id);
	ret = seg ? shmdemo_seg_owner_check(seg) : -EINVAL;
	if (ret)
		goto out_unlock;
	ret = -EINVAL;
	if (bytes < 1 || bytes > READ_ONCE(shmdemo_max_seg_bytes))
		goto out_unlock;
	ret = -ENOSPC;
	if (npages > seg->npages &&
	    shmdemo_total_pages - seg->npages + npages > READ_ONCE(shmdemo_max_total_pages))
		goto out_unlock;
	ret = 0;
	shmdemo_total_pages = shmdemo_total_pages - seg->npages + npages;
	seg->npages = npages;

	mapping = seg->inode->i_mapping;
	filemap_invalidate_lock(mapping);
	old = i_size_read(seg->inode);
	i_size_write(seg->inode, bytes);
	if (bytes < old)
		truncate_pagecache(seg->inode, bytes);
	filemap_invalidate_unlock(mapping);

	spin_lock(&seg->lock);
	seg->ctime = ktime_get_real_seconds();
	spin_unlock(&seg->lock);
	trace_shmdemo_resize(seg->id, old, bytes);
out_unlock:
	mutex_unlock(&shmdemo_ids_lock);
	return ret;
}

/**
 * shmdemo_seg_info - IPC_INFO and SHM_INFO in one
 * @info: zeroed by the caller
 *
 * Context: process context; takes shmdemo_ids_lock.
 */
void shmdemo_seg_info(struct shmdemo_info *info)
{
	struct shmdemo_seg *seg;
	int idx;

	info->max_segments = min_t(unsigned int, READ_ONCE(shmdemo_max_segments),
				   SHMDEMO_MAX_SEGMENTS);
	info->max_seg_bytes = READ_ONCE(shmdemo_max_seg_bytes);
	info->max_total_pages = READ_ONCE(shmdemo_max_total_pages);
	mutex_lock(&shmdemo_ids_lock);
	info->segments = shmdemo_nr_segs;
	info->total_pages = shmdemo_total_pages;
	idr_for_each_entry(&shmdemo_idr, seg, idx)
		info->resident_pages += READ_ONCE(seg->inode->i_mapping->nrpages);
	mutex_unlock(&shmdemo_ids_lock);
}

/* Fill @out[0..n) for pages [start, start + n); see struct shmdemo_pages. */
static void shmdemo_seg_page_flags(struct shmdemo_seg *seg, pgoff_t start,
				   u32 n, u32 *out)
{
	XA_STATE(xas, &seg->inode->i_mapping->i_pages, start);
	struct folio *folio;
	pgoff_t idx;
	u32 v;

	rcu_read_lock();
	xas_for_each(&xas, folio, start + n - 1) {
		if (xas_retry(&xas, folio) || xa_is_value(folio))
			continue;
		v = SHMDEMO_PAGE_RESIDENT;
		if (folio_test_dirty(folio))
			v |= SHMDEMO_PAGE_DIRTY;
		v |= min(shmdemo_folio_mapcount(folio), 0xffff) << SHMDEMO_PAGE_MAPCOUNT_SHIFT;
		for (idx = max(folio->index, start);
		     idx < folio->index + folio_nr_pages(folio) && idx < start + n; idx++)
			out[idx - start] = v;
	}
	rcu_read_unlock();
}

/**
 * shmdemo_seg_pages - per-page residency, for residency maps
 * @id: segment id
 * @start: first page index
 * @out: zeroed array of *@count entries
 * @count: in: capacity; out: entries filled (the segment may end first)
 *
 * Context: process context; takes shmdemo_ids_lock, then RCU.
 * Return: 0, -EINVAL (no such id) or -EACCES (no read permission).
 */
int shmdemo_seg_pages(int id, u64 start, u32 *out, u32 *count)
{
	struct shmdemo_seg *seg;
	u64 npages;
	int ret;

	mutex_lock(&shmdemo_ids_lock);
	seg = shmdemo_seg_lookup(id);
	ret = seg ? shmdemo_seg_perms(seg, 0444) : -EINVAL;
	if (ret)
		goto out_unlock;
	npages = shmdemo_bytes_to_pages(i_size_read(seg->inode));
	*count = start >= npages ? 0 : min_t(u64, *count, npages - start);
	if (*count)
		shmdemo_seg_page_flags(seg, start, *count, out);
out_unlock:
	mutex_unlock(&shmdemo_ids_lock);
	return ret;
}

static int shmdemo_cmp_id(const void *a, const void *b)
{
	s32 x = *(const s32 *)a, y = *(const s32 *)b;

	return x < y ? -1 : x > y;
}

/**
 * shmdemo_seg_list - ids of all segments, in id order
 * @idsp: out, a kvmalloc()ed array the caller kvfree()s
 * @count: out, number of ids in it
 *
 * Ids are not in slot order (a reused slot gets a higher sequence), so
 * they are sorted.
 *
 * Context: process context; takes shmdemo_ids_lock.
 * Return: 0 or -ENOMEM.
 */
int shmdemo_seg_list(s32 **idsp, u32 *count)
{
	struct shmdemo_seg *seg;
	u32 n = 0;
	s32 *ids;
	int idx;

	mutex_lock(&shmdemo_ids_lock);
	ids = kvcalloc(max(shmdemo_nr_segs, 1U), sizeof(*ids), GFP_KERNEL);
	if (!ids) {
		mutex_unlock(&shmdemo_ids_lock);
		return -ENOMEM;
	}
	idr_for_each_entry(&shmdemo_idr, seg, idx)
		ids[n++] = seg->id;
	mutex_unlock(&shmdemo_ids_lock);
	sort(ids, n, sizeof(*ids), shmdemo_cmp_id, NULL);
	*idsp = ids;
	*count = n;
	return 0;
}

/**
 * shmdemo_seg_for_each - call @fn on every segment, in index order
 * @fn: callback; a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * Context: process context; @fn runs under shmdemo_ids_lock.
 * Return: what the last @fn returned, or 0.
 */
int shmdemo_seg_for_each(int (*fn)(struct shmdemo_seg *seg, void *arg), void *arg)
{
	struct shmdemo_seg *seg;
	int idx, ret = 0;

	mutex_lock(&shmdemo_ids_lock);
	idr_for_each_entry(&shmdemo_idr, seg, idx) {
		ret = fn(seg, arg);
		if (ret)
			break;
	}
	mutex_unlock(&shmdemo_ids_lock);
	return ret;
}

/**
 * shmdemo_seg_attach - a new VMA maps @seg (mmap, fork, split, mremap)
 * @seg: segment, referenced through the VMA's file
 *
 * Like shm_open(): nattch, atime and lpid.
 * Context: mmap_lock held; takes seg->lock.
 */
void shmdemo_seg_attach(struct shmdemo_seg *seg)
{
	struct pid *old;

	spin_lock(&seg->lock);
	seg->nattch++;
	seg->atime = ktime_get_real_seconds();
	old = seg->lpid;
	seg->lpid = get_pid(task_tgid(current));
	trace_shmdemo_attach(seg->id, seg->nattch);
	spin_unlock(&seg->lock);
	put_pid(old);
}

/**
 * shmdemo_seg_detach - a VMA mapping @seg goes away
 * @seg: segment, referenced through the VMA's file
 *
 * Like shm_close(); the segment itself dies later, with its last file.
 * Context: mmap_lock held (or the mm is being torn down); takes seg->lock.
 */
void shmdemo_seg_detach(struct shmdemo_seg *seg)
{
	struct pid *old;

	spin_lock(&seg->lock);
	seg->nattch--;
	seg->dtime = ktime_get_real_seconds();
	old = seg->lpid;
	seg->lpid = get_pid(task_tgid(current));
	trace_shmdemo_detach(seg->id, seg->nattch);
	spin_unlock(&seg->lock);
	put_pid(old);
}

/*
 * Module unload: nothing can be bound (every bound file pins the module),
 * so each segment left holds only the table's reference.
 */
void shmdemo_seg_exit(void)
{
	struct shmdemo_seg *seg;
	int idx;

	mutex_lock(&shmdemo_ids_lock);
	idr_for_each_entry(&shmdemo_idr, seg, idx) {
		WARN_ON(!refcount_dec_and_test(&seg->refs));
		shmdemo_seg_unlink(seg);
		shmdemo_seg_free(seg);
	}
	mutex_unlock(&shmdemo_ids_lock);
	idr_destroy(&shmdemo_idr);
}
