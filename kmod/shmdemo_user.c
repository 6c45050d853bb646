// SPDX-License-Identifier: GPL-2.0
/*
 * Per-user accounts: the pages one uid may keep resident (max_user_pages)
 * and the sizes it has locked (SHMDEMO_IOC_LOCK against RLIMIT_MEMLOCK).
 *
 * Why a limit of our own.  /dev/shmdemo is open to everyone (dev_mode
 * 0666, like /dev/shm), its pages are unevictable and segments outlive
 * their creators, so without it any user could pin max_total_pages (half
 * of RAM) for as long as the module stays loaded.  tmpfs answers with a
 * size limit and SIGBUS, SysV with shmall; here each segment charges the
 * pages resident in its page cache to its *creator's* effective uid, from
 * the allocation of a page to its removal, whoever faults it in and even
 * after the creator exits.  The memory cgroup of the faulting task is
 * charged as well (filemap_add_folio()).
 *
 * Exactness.  Pages enter a memory-only segment's page cache only through
 * shmdemo_add_zeroed_folio() (the fault path and SHMDEMO_IOC_POPULATE),
 * which charges a folio's pages before allocating it and gives the charge
 * back when it does not add it; they leave only through the
 * segment's own truncations (resize, free), which uncharge what they
 * removed.  drop_caches never sees these inodes (shmdemo_fs_new_inode())
 * and reclaim skips their unevictable mappings.  seg->charged keeps the
 * segment's share, so whatever happens (a page taken by memory-failure),
 * freeing the segment returns exactly what it was charged.
 *
 * Creators with CAP_IPC_LOCK (root) are counted but not limited: they may
 * mlock() memory anyway; max_total_pages still bounds them.
 *
 * Locking: shmdemo_users_lock (spinlock) protects the hash and ->locked;
 * ->pages and seg->charged are atomics.
 */
#include <linux/capability.h>
#include <linux/hashtable.h>
#include <linux/resource.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "shmdemo.h"

static DEFINE_SPINLOCK(shmdemo_users_lock);
static DEFINE_HASHTABLE(shmdemo_users, 6);

/* Context: shmdemo_users_lock held. */
static struct shmdemo_user *shmdemo_user_lookup(kuid_t uid)
{
	struct shmdemo_user *user;

	lockdep_assert_held(&shmdemo_users_lock);
	hash_for_each_possible(shmdemo_users, user, node, __kuid_val(uid))
		if (uid_eq(user->uid, uid))
			return user;
	return NULL;
}

/**
 * shmdemo_user_get - the account of @uid, created on first use
 * @uid: the uid
 *
 * Context: process context, may sleep; takes shmdemo_users_lock.
 * Return: a referenced account (drop with shmdemo_user_put()) or NULL when
 * out of memory.
 */
struct shmdemo_user *shmdemo_user_get(kuid_t uid)
{
	struct shmdemo_user *user, *new;

	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	spin_lock(&shmdemo_users_lock);
	user = shmdemo_user_lookup(uid);
	if (user) {
		refcount_inc(&user->refs);
	} else if (new) {
		user = new;
		new = NULL;
		user->uid = uid;
		refcount_set(&user->refs, 1);
		atomic_long_set(&user->pages, 0);
		hash_add(shmdemo_users, &user->node, __kuid_val(uid));
	}
	spin_unlock(&shmdemo_users_lock);
	kfree(new);
	return user;
}

/**
 * shmdemo_user_put - drop a reference; the last one frees the account
 * @user: account; nothing is charged to it when the last reference goes
 *
 * Context: any context that may take a spinlock; takes shmdemo_users_lock.
 */
void shmdemo_user_put(struct shmdemo_user *user)
{
	bool last;

	/* Under the lock, as lookups take references under it: rare, cheap. */
	spin_lock(&shmdemo_users_lock);
	last = refcount_dec_and_test(&user->refs);
	if (last)
		hash_del(&user->node);
	spin_unlock(&shmdemo_users_lock);
	if (!last)
		return;
	WARN_ON_ONCE(atomic_long_read(&user->pages) || user->locked);
	kfree(user);
}

/**
 * shmdemo_user_pages - pages resident in the segments @uid created
 * @uid: the uid
 *
 * Context: takes shmdemo_users_lock.
 * Return: the count (0 for a uid that holds nothing).
 */
unsigned long shmdemo_user_pages(kuid_t uid)
{
	struct shmdemo_user *user;
	unsigned long pages = 0;

	spin_lock(&shmdemo_users_lock);
	user = shmdemo_user_lookup(uid);
	if (user)
		pages = atomic_long_read(&user->pages);
	spin_unlock(&shmdemo_users_lock);
	return pages;
}

/**
 * shmdemo_user_fits - may @seg's creator hold @more pages besides its own?
 * @seg: segment (its @user and @limited are set)
 * @more: pages a creation or a growing resize could add
 *
 * The check of creation and resize: a segment whose size can't fit in
 * what its creator has left is refused up front (ENOSPC), as shmget()
 * refuses what shmall can't hold.  Faults are checked one page at a time.
 *
 * Context: any.
 */
bool shmdemo_user_fits(struct shmdemo_seg *seg, unsigned long more)
{
	unsigned long limit = READ_ONCE(shmdemo_max_user_pages);
	unsigned long pages = atomic_long_read(&seg->user->pages);

	return !seg->limited || (more <= limit && pages <= limit - more);
}

/**
 * shmdemo_user_charge - charge @nr pages about to be added to @seg
 * @seg: segment
 * @nr: pages of the folio the fault is about to allocate (1 or 512)
 *
 * Context: the fault path, with the mapping's invalidate_lock held shared.
 * Return: 0, or -ENOSPC when they would take the creator past
 * max_user_pages (a 2 MiB folio then falls back to a page; a page's fault
 * raises SIGBUS, as a full tmpfs does).
 */
int shmdemo_user_charge(struct shmdemo_seg *seg, unsigned long nr)
{
	long limit = min_t(unsigned long, READ_ONCE(shmdemo_max_user_pages), LONG_MAX);

	if (atomic_long_add_return(nr, &seg->user->pages) > limit && seg->limited) {
		atomic_long_sub(nr, &seg->user->pages);
		return -ENOSPC;
	}
	atomic_long_add(nr, &seg->charged);
	return 0;
}

/**
 * shmdemo_user_uncharge - give back the charge of @nr pages of @seg
 * @seg: segment
 * @nr: pages that were charged and are not (or will not be) resident
 *
 * Context: any.
 */
void shmdemo_user_uncharge(struct shmdemo_seg *seg, unsigned long nr)
{
	atomic_long_sub(nr, &seg->charged);
	atomic_long_sub(nr, &seg->user->pages);
}

/**
 * shmdemo_user_lock - charge @pages locked by the caller to @user
 * @user: the caller's real uid's account, as user_shm_lock() charges it
 * @pages: the segment's size in pages
 *
 * Context: process context; takes shmdemo_users_lock.
 * Return: 0, or -ENOMEM when it would exceed the caller's RLIMIT_MEMLOCK
 * and the caller lacks CAP_IPC_LOCK (user_shm_lock()'s rule).
 */
int shmdemo_user_lock(struct shmdemo_user *user, unsigned long pages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK);
	bool unlimited = limit == RLIM_INFINITY;
	int ret = 0;

	limit >>= PAGE_SHIFT;
	spin_lock(&shmdemo_users_lock);
	/* capable() only when over, and under the lock, as user_shm_lock() does. */
	if (!unlimited && (pages > limit || user->locked > limit - pages) &&
	    !capable(CAP_IPC_LOCK))
		ret = -ENOMEM;
	else
		user->locked += pages;
	spin_unlock(&shmdemo_users_lock);
	return ret;
}

/**
 * shmdemo_user_unlock - give back what shmdemo_user_lock() charged
 * @user: the account charged
 * @pages: the pages charged
 *
 * Context: takes shmdemo_users_lock.
 */
void shmdemo_user_unlock(struct shmdemo_user *user, unsigned long pages)
{
	spin_lock(&shmdemo_users_lock);
	user->locked -= pages;
	spin_unlock(&shmdemo_users_lock);
}
