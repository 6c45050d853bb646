// SPDX-License-Identifier: GPL-2.0
/*
 * The segment table: keys, ids, limits, permissions and the System V rules
 * of ipc/shm.c and ipc/util.c, applied to the module's own namespace.
 *
 * Locking:
 *   mapping->invalidate_lock	i_size and the page cache against the fault
 *				path (which takes it shared)
 *   shmdemo_ids_lock (mutex)	the idr, the key hash, nr_segs, total_pages,
 *				seg->npages, seg->key_node, seg->locker, and
 *				the drop of a segment's last reference; held
 *				for lookups and bookkeeping only, never across
 *				a walk of a page cache or a truncation
 *   seg->lock (spinlock)	the SysV fields of one segment (see shmdemo.h)
 * Order: invalidate_lock -> shmdemo_ids_lock -> seg->lock.  The fault path
 * and vm_ops->open/close take neither shmdemo_ids_lock nor a sleeping lock
 * besides the invalidate_lock.
 *
 * Privilege.  Segments belong to no IPC namespace (see README), so, like
 * files, a capability counts over a segment when the caller has it in its
 * own user namespace and the segment's owner is mapped there
 * (privileged_wrt_inode_uidgid()); in the initial namespace that is
 * capable().  Resource limits (CAP_IPC_LOCK) are machine-wide: capable().
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/log2.h>
#include <linux/pagemap.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/user_namespace.h>

#include "compat.h"
#include "shmdemo.h"
#include "shmdemo_inject.h"
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

/*
 * @cap over @seg, see "Privilege" above; @audit false for a probe of what
 * the caller could do later (not a use of the capability).
 * Context: seg->lock held.
 */
static bool __shmdemo_seg_capable(struct shmdemo_seg *seg, int cap, bool audit)
{
	struct user_namespace *ns = current_user_ns();

	lockdep_assert_held(&seg->lock);
	if (!kuid_has_mapping(ns, seg->uid) || !kgid_has_mapping(ns, seg->gid))
		return false;
	return audit ? ns_capable(ns, cap) : ns_capable_noaudit(ns, cap);
}

static bool shmdemo_seg_capable(struct shmdemo_seg *seg, int cap)
{
	return __shmdemo_seg_capable(seg, cap, true);
}

/*
 * The rwx bits (folded to 04, 02, 01) the mode grants the caller on @seg,
 * as ipcperms() picks owner, group or other.  Context: seg->lock held.
 */
static int shmdemo_seg_granted_locked(struct shmdemo_seg *seg)
{
	kuid_t euid = current_euid();
	int granted = seg->mode;

	lockdep_assert_held(&seg->lock);
	if (uid_eq(euid, seg->cuid) || uid_eq(euid, seg->uid))
		granted >>= 6;
	else if (in_group_p(seg->cgid) || in_group_p(seg->gid))
		granted >>= 3;
	return granted & 0007;
}

/* Like ipcperms(): 0 if the caller may access @seg with @flag's rwx bits. */
static int shmdemo_seg_perms_locked(struct shmdemo_seg *seg, umode_t flag)
{
	int requested = ((flag >> 6) | (flag >> 3) | flag) & 0007;

	if ((requested & ~shmdemo_seg_granted_locked(seg)) &&
	    !shmdemo_seg_capable(seg, CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

/**
 * shmdemo_seg_perms - check access like shmat() does
 * @seg: segment, referenced by the caller
 * @want: any of S_IRUGO, S_IWUGO, S_IXUGO
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
 * Context: the caller keeps @seg alive; takes seg->lock.
 */
static int shmdemo_seg_owner_check(struct shmdemo_seg *seg)
{
	kuid_t euid = current_euid();
	bool ok;

	spin_lock(&seg->lock);
	ok = uid_eq(euid, seg->cuid) || uid_eq(euid, seg->uid) ||
	     shmdemo_seg_capable(seg, CAP_SYS_ADMIN);
	spin_unlock(&seg->lock);
	return ok ? 0 : -EPERM;
}

/* Removed and unmapped: unreachable by id.  Context: seg->lock held. */
static bool shmdemo_seg_gone_locked(struct shmdemo_seg *seg)
{
	lockdep_assert_held(&seg->lock);
	return (seg->flags & SHMDEMO_SEG_DEST) && !seg->nattch;
}

/* Context: shmdemo_ids_lock held; takes seg->lock. */
static struct shmdemo_seg *shmdemo_seg_lookup(int id)
{
	struct shmdemo_seg *seg;
	bool gone;

	lockdep_assert_held(&shmdemo_ids_lock);
	if (id < 0)
		return NULL;
	seg = idr_find(&shmdemo_idr, id % SHMDEMO_SEQ_MULTIPLIER);
	if (!seg || seg->id != id)
		return NULL;
	spin_lock(&seg->lock);
	gone = shmdemo_seg_gone_locked(seg);
	spin_unlock(&seg->lock);
	return gone ? NULL : seg;
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

/* Out of line, so the compiler can't see the injected use-after-free. */
static noinline int shmdemo_inject_read_id(const struct shmdemo_seg *seg)
{
	return READ_ONCE(seg->id);
}

/*
 * Free an unlinked segment and its pages.  Nothing maps it (every VMA holds
 * a bound file, and the last one is being released), so the page cache is
 * truncated here, its charge given back, and the inode dropped; the inode
 * itself may live on in the dentry of the file being released until
 * __fput() finishes, which the mount pin covers (shmdemo_fs.c).
 * Context: may sleep, no locks.
 */
static void shmdemo_seg_free(struct shmdemo_seg *seg)
{
	struct address_space *mapping = seg->inode->i_mapping;
	bool file_backed = seg->backing;
	int err;

	trace_shmdemo_destroy(seg->id, mapping->nrpages);
	/* Each kept attach file holds a reference: none can be left. */
	WARN_ON_ONCE(seg->attach_files[0] || seg->attach_files[1]);
	/* The last chance for a file-backed segment's dirty pages. */
	if (file_backed) {
		err = filemap_write_and_wait(mapping);
		if (err)
			pr_warn_ratelimited("shmdemo: segment %d freed with pages its file did not take: %d\n",
					    seg->id, err);
	}
	truncate_inode_pages(mapping, 0);
	shmdemo_user_uncharge(seg, atomic_long_read(&seg->charged));
	if (seg->locker) {
		shmdemo_user_unlock(seg->locker, seg->locked_pages);
		shmdemo_user_put(seg->locker);
	}
	shmdemo_user_put(seg->user);
	iput(seg->inode);	/* the backing file goes with the inode */
	shmdemo_fs_unpin(file_backed);
	put_pid(seg->cpid);
	put_pid(seg->lpid);
	kfree(seg);
	if (shmdemo_inject(SHMDEMO_BUG_USE_AFTER_FREE))
		pr_info("shmdemo: injected use-after-free of segment %d\n",
			shmdemo_inject_read_id(seg));
}

/*
 * A new segment, not yet in the table; a file-backed one takes its file
 * (req->fd) and, when req->bytes is 0, its size.
 * Context: process context, may sleep.
 */
static struct shmdemo_seg *shmdemo_seg_alloc(struct shmdemo_get *req)
{
	bool file_backed = req->flags & SHMDEMO_GET_FILE;
	struct shmdemo_backing *backing = NULL;
	struct shmdemo_seg *seg;
	int ret;

	if (file_backed) {
		backing = shmdemo_backing_new(req->fd, &req->bytes);
		if (IS_ERR(backing))
			return ERR_CAST(backing);
	}
	ret = -ENOMEM;
	seg = kzalloc(sizeof(*seg), GFP_KERNEL_ACCOUNT);
	if (!seg)
		goto out_free_backing;
	seg->user = shmdemo_user_get(current_euid());
	if (!seg->user)
		goto out_free_seg;
	ret = shmdemo_fs_pin(file_backed);
	if (ret)
		goto out_put_user;
	/* From here on the inode owns @backing. */
	seg->inode = shmdemo_fs_new_inode(req->bytes, backing);
	ret = PTR_ERR_OR_ZERO(seg->inode);
	backing = NULL;
	if (ret)
		goto out_unpin;
	seg->inode->i_private = seg;
	seg->backing = shmdemo_mapping_backing(seg->inode->i_mapping);
	/* A file's pages are evictable page cache: memcg-limited only. */
	seg->limited = !file_backed && !capable(CAP_IPC_LOCK);
	refcount_set(&seg->refs, 1);	/* the table's */
	spin_lock_init(&seg->lock);
	seg->key = req->key;
	seg->mode = req->mode & 0777;
	seg->uid = current_euid();
	seg->cuid = seg->uid;
	seg->gid = current_egid();
	seg->cgid = seg->gid;
	seg->cpid = get_pid(task_tgid(current));
	seg->ctime = ktime_get_real_seconds();
	return seg;

out_unpin:
	shmdemo_fs_unpin(file_backed);
out_put_user:
	shmdemo_user_put(seg->user);
out_free_seg:
	kfree(seg);
out_free_backing:
	shmdemo_backing_free(backing);
	return ERR_PTR(ret);
}

/* Undo shmdemo_seg_alloc().  Context: may sleep. */
static void shmdemo_seg_unalloc(struct shmdemo_seg *seg)
{
	bool file_backed = seg->backing;

	put_pid(seg->cpid);
	iput(seg->inode);
	shmdemo_fs_unpin(file_backed);
	shmdemo_user_put(seg->user);
	kfree(seg);
}

/*
 * Like newseg(): check the size and the limits, then enter @seg in the
 * table.  Context: shmdemo_ids_lock held.
 */
static int shmdemo_seg_insert(struct shmdemo_seg *seg, const struct shmdemo_get *req)
{
	unsigned long npages = shmdemo_bytes_to_pages(req->bytes);
	unsigned int max_segs = READ_ONCE(shmdemo_max_segments);
	int idx;

	lockdep_assert_held(&shmdemo_ids_lock);
	/* Size rules of newseg(): SHMMIN is 1, SHMMAX is max_seg_bytes. */
	if (req->bytes < 1 || req->bytes > READ_ONCE(shmdemo_max_seg_bytes))
		return -EINVAL;
	if (shmdemo_total_pages + npages < shmdemo_total_pages ||
	    shmdemo_total_pages + npages > READ_ONCE(shmdemo_max_total_pages))
		return -ENOSPC;
	if (!seg->backing && !shmdemo_user_fits(seg, npages))
		return -ENOSPC;
	if (shmdemo_nr_segs >= max_segs)
		return -ENOSPC;

	idx = idr_alloc(&shmdemo_idr, seg, 0, max_segs, GFP_KERNEL);
	if (idx < 0)
		return idx == -ENOSPC ? -ENOSPC : -ENOMEM;
	shmdemo_seq = (shmdemo_seq + 1) % 65536;
	seg->id = shmdemo_seq * SHMDEMO_SEQ_MULTIPLIER + idx;
	if (seg->backing)
		seg->backing->id = seg->id;
	seg->npages = npages;
	if (seg->key != SHMDEMO_KEY_PRIVATE)
		hash_add(shmdemo_keys, &seg->key_node, seg->key);
	shmdemo_nr_segs++;
	shmdemo_total_pages += npages;
	trace_shmdemo_create(seg->id, seg->key, req->bytes);
	return seg->id;
}

/*
 * Like newseg(): a segment of req->bytes, entered in the table.
 * Context: shmdemo_ids_lock held; may sleep.
 */
static int shmdemo_seg_new(const struct shmdemo_get *req)
{
	struct shmdemo_get r = *req;	/* a file-backed segment may set r.bytes */
	struct shmdemo_seg *seg;
	int ret;

	lockdep_assert_held(&shmdemo_ids_lock);
	seg = shmdemo_seg_alloc(&r);
	if (IS_ERR(seg))
		return PTR_ERR(seg);
	ret = shmdemo_seg_insert(seg, &r);
	if (ret < 0)
		shmdemo_seg_unalloc(seg);
	return ret;
}

/**
 * shmdemo_seg_get - find or create a segment, with ipcget()'s rules
 * @req: the request, flags and reserved fields already validated
 * @created: out: true if the segment was created by this call
 *
 * Context: process context; takes shmdemo_ids_lock.
 * Return: segment id, or a negative errno.
 */
int shmdemo_seg_get(const struct shmdemo_get *req, bool *created)
{
	struct shmdemo_seg *seg;
	int ret;

	*created = false;
	if (shmdemo_inject(SHMDEMO_BUG_LEAK)) {
		void *leak = kmalloc(64, GFP_KERNEL);

		pr_info("shmdemo: injected leak of %p\n", leak);
	}
	mutex_lock(&shmdemo_ids_lock);
	seg = req->key == SHMDEMO_KEY_PRIVATE ? NULL : shmdemo_seg_lookup_key(req->key);
	if (!seg) {
		ret = -ENOENT;
		if (req->key == SHMDEMO_KEY_PRIVATE || (req->flags & SHMDEMO_GET_CREATE))
			ret = shmdemo_seg_new(req);
		*created = ret >= 0;
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
 * Return: the segment (drop with shmdemo_seg_put()) or ERR_PTR(-EINVAL)
 * when there is none or it is gone.
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

/*
 * Like do_shm_rmid(): the key goes, the table's reference goes; unmapped,
 * the segment is gone by id at once.  The files ATTACH kept go to
 * @files[2], for the caller to fput() after dropping the lock (each holds
 * a segment reference, so this is never the last one while they are
 * kept).  Returns true when that was the last reference: the segment is
 * unlinked and the caller frees it after dropping the lock.
 * Context: shmdemo_ids_lock held.
 */
static bool shmdemo_seg_remove_locked(struct shmdemo_seg *seg, struct file **files)
{
	lockdep_assert_held(&shmdemo_ids_lock);
	hash_del(&seg->key_node);
	spin_lock(&seg->lock);
	seg->key = SHMDEMO_KEY_PRIVATE;
	seg->flags |= SHMDEMO_SEG_DEST;
	files[0] = seg->attach_files[0];
	files[1] = seg->attach_files[1];
	seg->attach_files[0] = NULL;
	seg->attach_files[1] = NULL;
	trace_shmdemo_remove(seg->id, seg->nattch);
	spin_unlock(&seg->lock);
	if (!refcount_dec_and_test(&seg->refs))
		return false;
	shmdemo_seg_unlink(seg);
	return true;
}

/* After shmdemo_seg_remove_locked(), with no lock held: may free the segment. */
static void shmdemo_seg_put_attach_files(struct file **files)
{
	if (files[0])
		fput(files[0]);
	if (files[1])
		fput(files[1]);
}

/**
 * shmdemo_seg_undo_get - remove a segment GET created when its id could
 * not be returned
 * @id: the id shmdemo_seg_get() returned
 *
 * Others may have found it by key or id meanwhile: then it is removed
 * under them, as if its creator had removed it at once.
 *
 * Context: process context, may sleep; takes shmdemo_ids_lock.
 */
void shmdemo_seg_undo_get(int id)
{
	struct file *files[2] = {};
	struct shmdemo_seg *seg;
	bool last = false;

	mutex_lock(&shmdemo_ids_lock);
	seg = shmdemo_seg_lookup(id);
	if (seg && !(seg->flags & SHMDEMO_SEG_DEST))
		last = shmdemo_seg_remove_locked(seg, files);
	mutex_unlock(&shmdemo_ids_lock);
	if (last)
		shmdemo_seg_free(seg);
	shmdemo_seg_put_attach_files(files);
}

/*
 * Call @fn(folio, index, @arg) on each folio of @seg's page cache in
 * [@start, @end], holding a reference on it (folio_try_get() + reload, as
 * filemap's lookups do), so its flags and mapcount are those of a live
 * page-cache folio.  Drops RCU and reschedules every few hundred folios:
 * a segment may hold a million pages.
 * Context: process context, no locks held.
 */
static void shmdemo_seg_walk(struct shmdemo_seg *seg, pgoff_t start, pgoff_t end,
			     void (*fn)(struct folio *folio, void *arg), void *arg)
{
	XA_STATE(xas, &seg->inode->i_mapping->i_pages, start);
	unsigned int batch = 0;
	struct folio *folio;

	rcu_read_lock();
	xas_for_each(&xas, folio, end) {
		if (xas_retry(&xas, folio) || xa_is_value(folio))
			continue;
		if (!folio_try_get(folio)) {
			xas_reset(&xas);
			continue;
		}
		if (unlikely(folio != xas_reload(&xas))) {
			folio_put(folio);
			xas_reset(&xas);
			continue;
		}
		fn(folio, arg);
		folio_put(folio);
		if (++batch % 256 == 0) {
			xas_pause(&xas);
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
}

struct shmdemo_census {
	unsigned long resident;
	unsigned long dirty;
	unsigned long pmd_folios;
};

/*
 * Resident and dirty pages counted in one walk, so that a segment growing
 * or shrinking meanwhile can't show more dirty pages than resident ones.
 */
static void shmdemo_count_pages(struct folio *folio, void *arg)
{
	struct shmdemo_census *c = arg;

	c->resident += folio_nr_pages(folio);
	if (folio_test_dirty(folio))
		c->dirty += folio_nr_pages(folio);
	if (folio_test_pmd_mappable(folio))
		c->pmd_folios++;
}

static s32 shmdemo_pid_nr(struct pid *pid, struct pid_namespace *ns)
{
	return pid ? pid_nr_ns(pid, ns) : 0;
}

/**
 * shmdemo_seg_fill_stat - fill every field of @st except @st->size
 * @seg: segment, referenced by the caller
 * @st: zeroed by the caller (no kernel bytes reach userspace)
 * @user_ns: the namespace uids and gids are shown in
 * @pid_ns: the namespace pids are shown in
 *
 * Context: process context, may sleep, no locks held (walks the page
 * cache for the dirty count); takes seg->lock.
 */
void shmdemo_seg_fill_stat(struct shmdemo_seg *seg, struct shmdemo_stat *st,
			   struct user_namespace *user_ns,
			   struct pid_namespace *pid_ns)
{
	struct shmdemo_counters *c = &st->counters;
	struct shmdemo_census census = { };

	st->id = seg->id;
	st->bytes = i_size_read(seg->inode);
	spin_lock(&seg->lock);
	st->key = seg->key;
	st->mode = seg->mode;
	st->uid = from_kuid_munged(user_ns, seg->uid);
	st->gid = from_kgid_munged(user_ns, seg->gid);
	st->cuid = from_kuid_munged(user_ns, seg->cuid);
	st->cgid = from_kgid_munged(user_ns, seg->cgid);
	st->cpid = shmdemo_pid_nr(seg->cpid, pid_ns);
	st->lpid = shmdemo_pid_nr(seg->lpid, pid_ns);
	st->nattch = seg->nattch;
	st->atime = seg->atime;
	st->dtime = seg->dtime;
	st->ctime = seg->ctime;
	st->flags = seg->flags;
	spin_unlock(&seg->lock);

	if (seg->backing) {
		struct shmdemo_backing *b = seg->backing;
		struct inode *backing_inode = file_inode(b->file);

		st->flags |= SHMDEMO_SEG_FILE | (b->rdonly ? SHMDEMO_SEG_FILE_RDONLY : 0);
		st->file.major_faults = atomic64_read(&b->major_faults);
		st->file.bytes_read = atomic64_read(&b->bytes_read);
		st->file.pages_written = atomic64_read(&b->pages_written);
		st->file.bytes_written = atomic64_read(&b->bytes_written);
		st->file.write_errors = atomic64_read(&b->write_errors);
		st->file.backing_dev = new_encode_dev(backing_inode->i_sb->s_dev);
		st->file.backing_ino = backing_inode->i_ino;
	}
	c->read_faults = atomic64_read(&seg->c.read_faults);
	c->write_faults = atomic64_read(&seg->c.write_faults);
	c->cow_faults = atomic64_read(&seg->c.cow_faults);
	c->mkwrite = atomic64_read(&seg->c.mkwrite);
	c->around_pages = atomic64_read(&seg->c.around_pages);
	c->pages_alloc = atomic64_read(&seg->c.pages_alloc);
	shmdemo_seg_walk(seg, 0, ULONG_MAX, shmdemo_count_pages, &census);
	c->pages_resident = census.resident;
	c->pages_dirty = census.dirty;
	st->pmd.folios_alloc = atomic64_read(&seg->c.pmd_alloc);
	st->pmd.folios_resident = census.pmd_folios;
	st->pmd.fallbacks = atomic64_read(&seg->c.pmd_fallback);
	st->fault_around_bytes = READ_ONCE(seg->fault_around_bytes);
}

/**
 * shmdemo_seg_stat - IPC_STAT (read permission needed) or SHM_STAT_ANY
 * @id: segment id
 * @any: SHM_STAT_ANY: no permission check
 * @st: zeroed by the caller, filled on success
 *
 * Context: process context; takes shmdemo_ids_lock for the lookup only.
 * Return: 0, -EINVAL (no such id) or -EACCES.
 */
int shmdemo_seg_stat(int id, bool any, struct shmdemo_stat *st)
{
	struct shmdemo_seg *seg = shmdemo_seg_find(id);
	int ret;

	if (IS_ERR(seg))
		return PTR_ERR(seg);
	ret = any ? 0 : shmdemo_seg_perms(seg, 0444);
	if (!ret)
		shmdemo_seg_fill_stat(seg, st, current_user_ns(),
				      task_active_pid_ns(current));
	shmdemo_seg_put(seg);
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
	if ((req->valid & SHMDEMO_SET_FAULT_AROUND) && req->fault_around_bytes &&
	    (!is_power_of_2(req->fault_around_bytes) || req->fault_around_bytes < PAGE_SIZE ||
	     req->fault_around_bytes > PTRS_PER_PTE * PAGE_SIZE))
		goto out_unlock;
	ret = 0;
	/* Read without a lock by ->map_pages(): any value is a valid one. */
	if (req->valid & SHMDEMO_SET_FAULT_AROUND)
		WRITE_ONCE(seg->fault_around_bytes, req->fault_around_bytes);
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
 * shmdemo_seg_rmid - IPC_RMID: the key stops resolving now; unmapped, the
 * id does too; the memory goes with the last mapping and bound file
 * @id: segment id
 *
 * As on Linux, removing an already removed segment that is still mapped
 * succeeds again; once it is gone its id gives -EINVAL.
 *
 * Context: process context, may sleep; takes shmdemo_ids_lock.
 * Return: 0, -EINVAL or -EPERM.
 */
int shmdemo_seg_rmid(int id)
{
	struct file *files[2] = {};
	struct shmdemo_seg *seg;
	bool last = false;
	int ret;

	mutex_lock(&shmdemo_ids_lock);
	seg = shmdemo_seg_lookup(id);
	ret = seg ? shmdemo_seg_owner_check(seg) : -EINVAL;
	if (!ret && !(seg->flags & SHMDEMO_SEG_DEST))
		last = shmdemo_seg_remove_locked(seg, files);
	mutex_unlock(&shmdemo_ids_lock);
	if (last)
		shmdemo_seg_free(seg);
	shmdemo_seg_put_attach_files(files);
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
 * too), frees the pages and zeroes the tail of the new last page.  The
 * invalidate_lock also serialises resizes, so the size charged to the
 * limits and i_size change together; shmdemo_ids_lock is held only for
 * the limits, never across the truncation.  A 2 MiB folio the new size
 * cuts is replaced by pages before (shmdemo_pmd_cut()).
 *
 * Context: process context, may sleep; takes the mapping's
 * invalidate_lock, then shmdemo_ids_lock.
 * Return: 0, -EINVAL (no such id, bad size), -EPERM, -EOPNOTSUPP
 * (file-backed), -ENOSPC or -ENOMEM (no pages to cut a 2 MiB folio into).
 */
int shmdemo_seg_resize(int id, u64 bytes)
{
	unsigned long npages = shmdemo_bytes_to_pages(bytes);
	struct address_space *mapping;
	struct shmdemo_seg *seg;
	unsigned long before;
	loff_t old;
	int ret;

	seg = shmdemo_seg_find(id);
	if (IS_ERR(seg))
		return PTR_ERR(seg);
	ret = shmdemo_seg_owner_check(seg);
	if (ret)
		goto out_put;
	/* A file-backed segment is its file's first bytes: fixed. */
	ret = -EOPNOTSUPP;
	if (seg->backing)
		goto out_put;
	ret = -EINVAL;
	if (bytes < 1 || bytes > READ_ONCE(shmdemo_max_seg_bytes))
		goto out_put;

	mapping = seg->inode->i_mapping;
	filemap_invalidate_lock(mapping);
	/* No fault can add a page meanwhile: the difference is exact. */
	before = mapping->nrpages;
	if (bytes < i_size_read(seg->inode)) {
		/* A 2 MiB folio may not reach past the end: pages first. */
		ret = shmdemo_pmd_cut(mapping, bytes);
		if (ret)
			goto out_unlock_mapping;
	}
	mutex_lock(&shmdemo_ids_lock);
	ret = -ENOSPC;
	if (npages > seg->npages &&
	    (shmdemo_total_pages - seg->npages + npages > READ_ONCE(shmdemo_max_total_pages) ||
	     !shmdemo_user_fits(seg, npages - seg->npages))) {
		mutex_unlock(&shmdemo_ids_lock);
		goto out_unlock_mapping;
	}
	ret = 0;
	shmdemo_total_pages = shmdemo_total_pages - seg->npages + npages;
	seg->npages = npages;
	mutex_unlock(&shmdemo_ids_lock);

	old = i_size_read(seg->inode);
	i_size_write(seg->inode, bytes);
	if (bytes < old)
		truncate_pagecache(seg->inode, bytes);
	shmdemo_user_uncharge(seg, before - mapping->nrpages);
	spin_lock(&seg->lock);
	seg->ctime = ktime_get_real_seconds();
	spin_unlock(&seg->lock);
	trace_shmdemo_resize(seg->id, old, bytes);
out_unlock_mapping:
	filemap_invalidate_unlock(mapping);
out_put:
	shmdemo_seg_put(seg);
	return ret;
}

/*
 * SHM_LOCK's and SHM_UNLOCK's permission rule (shmctl_do_lock()).
 * Context: seg->lock held.
 */
static int shmdemo_seg_lock_perm(struct shmdemo_seg *seg, bool lock)
{
	kuid_t euid = current_euid();

	lockdep_assert_held(&seg->lock);
	if (shmdemo_seg_capable(seg, CAP_IPC_LOCK))
		return 0;
	if (!uid_eq(euid, seg->uid) && !uid_eq(euid, seg->cuid))
		return -EPERM;
	if (lock && !rlimit(RLIMIT_MEMLOCK))
		return -EPERM;
	return 0;
}

/**
 * shmdemo_seg_lock - SHM_LOCK (@lock) or SHM_UNLOCK
 * @id: segment id
 * @lock: lock, else unlock
 *
 * The size at the time of locking is charged to the locker's real uid
 * (user_shm_lock() charges current_ucounts()) and given back by unlock or
 * when the segment is freed.  Memory-only pages are unevictable whether
 * locked or not; the flag is what a locked segment shows.
 *
 * Context: process context, may sleep; takes shmdemo_ids_lock.
 * Return: 0, -EINVAL (no such id), -EPERM or -ENOMEM (RLIMIT_MEMLOCK).
 */
int shmdemo_seg_lock(int id, bool lock)
{
	struct shmdemo_user *user = NULL, *old = NULL;
	unsigned long old_pages = 0;
	struct shmdemo_seg *seg;
	int ret;

	if (lock) {
		user = shmdemo_user_get(current_uid());
		if (!user)
			return -ENOMEM;
	}
	mutex_lock(&shmdemo_ids_lock);
	seg = shmdemo_seg_lookup(id);
	ret = -EINVAL;
	if (!seg)
		goto out_unlock;
	spin_lock(&seg->lock);
	ret = shmdemo_seg_lock_perm(seg, lock);
	spin_unlock(&seg->lock);
	/*
	 * Locking would make a file's pages unevictable (shmem's SHM_LOCK);
	 * not done for file-backed segments yet.
	 */
	if (!ret && seg->backing)
		ret = -EOPNOTSUPP;
	/* Locking a locked segment, or unlocking an unlocked one: nothing. */
	if (ret || !seg->locker == !lock)
		goto out_unlock;
	if (lock) {
		ret = shmdemo_user_lock(user, seg->npages);
		if (ret)
			goto out_unlock;
	}
	old = seg->locker;
	old_pages = seg->locked_pages;
	spin_lock(&seg->lock);
	seg->locker = user;
	seg->locked_pages = lock ? seg->npages : 0;
	if (lock)
		seg->flags |= SHMDEMO_SEG_LOCKED;
	else
		seg->flags &= ~SHMDEMO_SEG_LOCKED;
	spin_unlock(&seg->lock);
	user = NULL;	/* the segment's now */
out_unlock:
	mutex_unlock(&shmdemo_ids_lock);
	if (old) {
		shmdemo_user_unlock(old, old_pages);
		shmdemo_user_put(old);
	}
	if (user)
		shmdemo_user_put(user);
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

	info->max_segments = READ_ONCE(shmdemo_max_segments);
	info->max_seg_bytes = READ_ONCE(shmdemo_max_seg_bytes);
	info->max_total_pages = READ_ONCE(shmdemo_max_total_pages);
	info->max_user_pages = READ_ONCE(shmdemo_max_user_pages);
	info->user_pages = shmdemo_user_pages(current_euid());
	mutex_lock(&shmdemo_ids_lock);
	info->segments = shmdemo_nr_segs;
	info->total_pages = shmdemo_total_pages;
	idr_for_each_entry(&shmdemo_idr, seg, idx) {
		info->resident_pages += READ_ONCE(seg->inode->i_mapping->nrpages);
		/* The wrong order: resize takes invalidate_lock first. */
		if (shmdemo_inject(SHMDEMO_BUG_LOCK_ORDER)) {
			filemap_invalidate_lock_shared(seg->inode->i_mapping);
			filemap_invalidate_unlock_shared(seg->inode->i_mapping);
		}
	}
	mutex_unlock(&shmdemo_ids_lock);
}

struct shmdemo_flags_arg {
	pgoff_t start;
	u32 n;
	u32 *out;
};

static void shmdemo_page_flags(struct folio *folio, void *arg)
{
	struct shmdemo_flags_arg *a = arg;
	pgoff_t idx, end = folio->index + folio_nr_pages(folio);
	u32 v = SHMDEMO_PAGE_RESIDENT;

	if (folio_test_dirty(folio))
		v |= SHMDEMO_PAGE_DIRTY;
	/* Set by a file-backed segment's writeback (shmdemo_file.c). */
	if (folio_test_checked(folio))
		v |= SHMDEMO_PAGE_WRITTEN;
	if (folio_test_pmd_mappable(folio))
		v |= SHMDEMO_PAGE_PMD;
	v |= min(shmdemo_folio_mapcount(folio), 0xffff) << SHMDEMO_PAGE_MAPCOUNT_SHIFT;
	for (idx = max(folio->index, a->start); idx < end && idx < a->start + a->n; idx++)
		a->out[idx - a->start] = v;
}

/**
 * shmdemo_seg_pages - per-page residency, for residency maps
 * @id: segment id
 * @start: first page index
 * @out: zeroed array of *@count entries
 * @count: in: capacity; out: entries filled (the segment may end first)
 *
 * Context: process context; takes shmdemo_ids_lock for the lookup only.
 * Return: 0, -EINVAL (no such id) or -EACCES (no read permission).
 */
int shmdemo_seg_pages(int id, u64 start, u32 *out, u32 *count)
{
	struct shmdemo_flags_arg arg = { .start = start, .out = out };
	struct shmdemo_seg *seg = shmdemo_seg_find(id);
	u64 npages;
	int ret;

	if (IS_ERR(seg))
		return PTR_ERR(seg);
	ret = shmdemo_seg_perms(seg, 0444);
	if (ret)
		goto out_put;
	npages = shmdemo_bytes_to_pages(i_size_read(seg->inode));
	*count = start >= npages ? 0 : min_t(u64, *count, npages - start);
	arg.n = *count;
	if (arg.n)
		shmdemo_seg_walk(seg, start, start + arg.n - 1, shmdemo_page_flags, &arg);
out_put:
	shmdemo_seg_put(seg);
	return ret;
}

static int shmdemo_cmp_id(const void *a, const void *b)
{
	s32 x = *(const s32 *)a, y = *(const s32 *)b;

	return x < y ? -1 : x > y;
}

/**
 * shmdemo_seg_list - ids of all segments reachable by id, in id order
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
		if (shmdemo_seg_lookup(seg->id))
			ids[n++] = seg->id;
	mutex_unlock(&shmdemo_ids_lock);
	sort(ids, n, sizeof(*ids), shmdemo_cmp_id, NULL);
	*idsp = ids;
	*count = n;
	return 0;
}

/**
 * shmdemo_seg_for_each - call @fn on every segment alive, gone ones too,
 * in index order
 * @fn: callback; a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * Context: process context; @fn runs with a reference on the segment and
 * no lock held, so it may sleep.
 * Return: what the last @fn returned, or 0.
 */
int shmdemo_seg_for_each(int (*fn)(struct shmdemo_seg *seg, void *arg), void *arg)
{
	struct shmdemo_seg *seg;
	int idx = 0, ret = 0;

	for (;; idx++) {
		mutex_lock(&shmdemo_ids_lock);
		seg = idr_get_next(&shmdemo_idr, &idx);
		if (seg)
			refcount_inc(&seg->refs);
		mutex_unlock(&shmdemo_ids_lock);
		if (!seg)
			break;
		ret = fn(seg, arg);
		shmdemo_seg_put(seg);
		if (ret)
			break;
		cond_resched();
	}
	return ret;
}

/* Like shm_open(): nattch, atime and lpid.  Context: seg->lock held. */
static void shmdemo_seg_attach_locked(struct shmdemo_seg *seg, struct pid **old)
{
	lockdep_assert_held(&seg->lock);
	seg->nattch++;
	seg->atime = ktime_get_real_seconds();
	*old = seg->lpid;
	seg->lpid = get_pid(task_tgid(current));
	trace_shmdemo_attach(seg->id, seg->nattch);
}

/**
 * shmdemo_seg_attach_file - the file SHMDEMO_IOC_ATTACH maps @seg through
 * @seg: segment, referenced by the caller
 * @rdonly: the read-only file, else the read-write one
 *
 * Every ATTACH of a memory-only segment in one mode maps one internal
 * file, kept by the segment until it is removed: an attach then allocates
 * no file or dentry and a detach frees none (do_shmat() clones its
 * segment's file for the same reason; alloc_file_clone() is not exported).
 * The first attach makes it and hands it to shmdemo_seg_keep_attach_file().
 * A removed segment (still attachable while mapped, as on Linux) and a
 * file-backed one get a file per attach: a file-backed mapping's file
 * carries its own write-error cursor for msync().
 *
 * Context: takes seg->lock.
 * Return: the file with a reference for the caller, or NULL (make one).
 */
struct file *shmdemo_seg_attach_file(struct shmdemo_seg *seg, bool rdonly)
{
	struct file *file;

	spin_lock(&seg->lock);
	file = seg->attach_files[rdonly];
	if (file)
		get_file(file);
	spin_unlock(&seg->lock);
	return file;
}

/**
 * shmdemo_seg_keep_attach_file - keep an attach's new file for the next ones
 * @seg: segment
 * @rdonly: its mode
 * @file: a new internal file of @seg in that mode; the caller keeps its
 *	own reference
 *
 * Kept only while @seg is memory-only, not removed and has none for the
 * mode yet (another attach may have kept one meanwhile): the segment then
 * holds a reference to @file, which shmdemo_seg_remove_locked() gives up.
 *
 * Context: takes seg->lock.
 */
void shmdemo_seg_keep_attach_file(struct shmdemo_seg *seg, bool rdonly, struct file *file)
{
	if (seg->backing)
		return;
	spin_lock(&seg->lock);
	if (!(seg->flags & SHMDEMO_SEG_DEST) && !seg->attach_files[rdonly])
		seg->attach_files[rdonly] = get_file(file);
	spin_unlock(&seg->lock);
}

/**
 * shmdemo_seg_attach_mmap - a new mapping of @seg, with shmat()'s checks
 * @seg: segment, referenced through the binding
 * @vm_flags: in: the VMA's flags; out: VM_MAYWRITE and VM_MAYEXEC cleared
 *	when the caller may not write or execute the segment
 * @attach: count the mapping in nattch now (->mmap); false for
 *	->mmap_prepare, whose mapping is counted by ->mapped once it exists
 *	(shmdemo_seg_attach_live())
 *
 * Permission is the caller's now, as shmat() checks it at every attach:
 * read is needed; write for a shared writable mapping; execute for
 * VM_EXEC.  Without write or execute permission, mprotect() can't add them
 * later.  The check and nattch++ are one step under seg->lock, so a
 * segment that is gone stays gone.
 *
 * Context: mmap_lock held for writing; takes seg->lock.
 * Return: 0, -EACCES, or -EIDRM when the segment is gone.
 */
int shmdemo_seg_attach_mmap(struct shmdemo_seg *seg, vm_flags_t *vm_flags, bool attach)
{
	bool shared = *vm_flags & VM_MAYSHARE;
	umode_t want = 0444;
	struct pid *old = NULL;
	bool owner_cap;
	int granted, ret;

	if (shared && (*vm_flags & VM_WRITE))
		want |= 0222;
	if (*vm_flags & VM_EXEC)
		want |= 0111;
	spin_lock(&seg->lock);
	ret = shmdemo_seg_gone_locked(seg) ? -EIDRM : shmdemo_seg_perms_locked(seg, want);
	if (!ret) {
		/* What mprotect() may add later: probed, so not audited. */
		granted = shmdemo_seg_granted_locked(seg);
		owner_cap = granted != 0007 &&
			    __shmdemo_seg_capable(seg, CAP_IPC_OWNER, false);
		if (shared && !(granted & 02) && !owner_cap)
			*vm_flags &= ~VM_MAYWRITE;
		if (!(granted & 01) && !owner_cap)
			*vm_flags &= ~VM_MAYEXEC;
		if (attach)
			shmdemo_seg_attach_locked(seg, &old);
	}
	spin_unlock(&seg->lock);
	put_pid(old);
	return ret;
}

/**
 * shmdemo_seg_attach_live - count a new VMA of @seg unless @seg is gone
 * @seg: segment, referenced through the VMA's file
 *
 * ->mapped's half of shmdemo_seg_attach_mmap(): permission was checked by
 * ->mmap_prepare under this mmap_lock, but the segment can have become gone
 * since (removed, and its last VMA in another mm unmapped).
 *
 * Context: mmap_lock held for writing; takes seg->lock.
 * Return: 0, or -EIDRM (nothing counted).
 */
int shmdemo_seg_attach_live(struct shmdemo_seg *seg)
{
	struct pid *old = NULL;
	int ret = -EIDRM;

	spin_lock(&seg->lock);
	if (!shmdemo_seg_gone_locked(seg)) {
		shmdemo_seg_attach_locked(seg, &old);
		ret = 0;
	}
	spin_unlock(&seg->lock);
	put_pid(old);
	return ret;
}

/**
 * shmdemo_seg_attach - a VMA of @seg is copied (fork, split, mremap)
 * @seg: segment, referenced through the VMA's file
 *
 * Context: mmap_lock (or the VMA lock) held for writing; takes seg->lock.
 */
void shmdemo_seg_attach(struct shmdemo_seg *seg)
{
	struct pid *old;

	spin_lock(&seg->lock);
	shmdemo_seg_attach_locked(seg, &old);
	spin_unlock(&seg->lock);
	put_pid(old);
}

/**
 * shmdemo_seg_detach - a VMA mapping @seg goes away
 * @seg: segment, referenced through the VMA's file
 *
 * Like shm_close(); the last detach of a removed segment makes it gone by
 * id (shm_close() destroys it there); its memory goes with its last file.
 * Context: mmap_lock held, or the mm is being torn down; takes seg->lock.
 */
void shmdemo_seg_detach(struct shmdemo_seg *seg)
{
	struct pid *old;

	spin_lock(&seg->lock);
	/* Each detach pairs with a counted attach (see shmdemo_vm_open()). */
	if (WARN_ON_ONCE(!seg->nattch)) {
		spin_unlock(&seg->lock);
		return;
	}
	seg->nattch--;
	seg->dtime = ktime_get_real_seconds();
	old = seg->lpid;
	seg->lpid = get_pid(task_tgid(current));
	trace_shmdemo_detach(seg->id, seg->nattch);
	spin_unlock(&seg->lock);
	put_pid(old);
}

/*
 * Module unload: every segment pins the module (shmdemo_fs.c), so none is
 * left by the time the module can be unloaded.
 */
void shmdemo_seg_exit(void)
{
	WARN_ON(!idr_is_empty(&shmdemo_idr));
	idr_destroy(&shmdemo_idr);
}
