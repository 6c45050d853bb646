// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Attach, detach, sync - and the table that maps an attach address back to
 * what mapped it.
 *
 * The table is a small array under a mutex.  pthread_atfork() handlers take
 * the mutex around fork(), so the child never inherits it locked and gets a
 * consistent copy of the table - which is right, because the child inherits
 * the mappings too.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static pthread_mutex_t shmd_table_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t shmd_table_once = PTHREAD_ONCE_INIT;
static struct shmd_attachment *shmd_table;
static size_t shmd_table_len, shmd_table_cap;

static void shmd_table_prefork(void)
{
	pthread_mutex_lock(&shmd_table_lock);
}

static void shmd_table_postfork(void)
{
	pthread_mutex_unlock(&shmd_table_lock);
}

static void shmd_table_init(void)
{
	pthread_atfork(shmd_table_prefork, shmd_table_postfork, shmd_table_postfork);
}

static void shmd_table_lock_init(void)
{
	pthread_once(&shmd_table_once, shmd_table_init);
	pthread_mutex_lock(&shmd_table_lock);
}

/* Context: shmd_table_lock held. */
static ssize_t shmd_table_index(void *addr)
{
	size_t i;

	for (i = 0; i < shmd_table_len; i++)
		if (shmd_table[i].addr == addr)
			return (ssize_t)i;
	return -1;
}

int shmd_table_add(const struct shmd_attachment *a)
{
	int ret = 0;

	shmd_table_lock_init();
	if (shmd_table_len == shmd_table_cap) {
		size_t cap = shmd_table_cap ? 2 * shmd_table_cap : 16;
		struct shmd_attachment *t = realloc(shmd_table, cap * sizeof(*t));

		if (!t) {
			ret = -ENOMEM;
			goto out_unlock;
		}
		shmd_table = t;
		shmd_table_cap = cap;
	}
	shmd_table[shmd_table_len++] = *a;
out_unlock:
	pthread_mutex_unlock(&shmd_table_lock);
	return ret;
}

int shmd_table_take(void *addr, struct shmd_attachment *a)
{
	ssize_t i;

	shmd_table_lock_init();
	i = shmd_table_index(addr);
	if (i >= 0) {
		*a = shmd_table[i];
		shmd_table[i] = shmd_table[--shmd_table_len];
	}
	pthread_mutex_unlock(&shmd_table_lock);
	return i >= 0 ? 0 : -EINVAL;
}

int shmd_table_find(void *addr, struct shmd_attachment *a)
{
	ssize_t i;

	shmd_table_lock_init();
	i = shmd_table_index(addr);
	if (i >= 0)
		*a = shmd_table[i];
	pthread_mutex_unlock(&shmd_table_lock);
	return i >= 0 ? 0 : -EINVAL;
}

int shmd_attach(struct shmd_seg *seg, void *addr, unsigned int flags, void **addrp)
{
	struct shmd_attachment a = SHMD_ATTACHMENT_INIT;
	int ret;

	if (!seg || !addrp || (flags & ~(SHMD_RDONLY | SHMD_PRIVATE | SHMD_RND)))
		return -EINVAL;
	ret = seg->ops->attach(seg, addr, flags, &a);
	if (ret)
		return ret;
	a.ops = seg->ops;
	ret = shmd_table_add(&a);
	if (ret) {
		/* ANON's mapping is the segment itself: give it back, keep it. */
		if (seg->backend == SHMD_BACKEND_ANON)
			__atomic_store_n(&seg->anon_attached, false, __ATOMIC_RELEASE);
		else
			seg->ops->detach(&a);
		return ret;
	}
	*addrp = a.addr;
	return 0;
}

int shmd_detach(void *addr)
{
	struct shmd_attachment a;
	int ret;

	ret = shmd_table_take(addr, &a);
	if (ret)
		return ret;
	ret = a.ops->detach(&a);
	if (ret)	/* still mapped: keep it detachable */
		shmd_table_add(&a);
	return ret;
}

int shmd_sync_counted(void *addr, unsigned int flags, struct shmd_sync_info *info)
{
	struct shmd_sync_info k = { .sz = sizeof(k) };
	struct shmd_attachment a;
	size_t usize = 0;
	int ret;

	if (flags & ~SHMD_SYNC_ASYNC)
		return -EINVAL;
	if (info) {
		ret = shmd_check_opts(info, info->sz, sizeof(k));
		if (ret)
			return ret;
		usize = info->sz;
	}
	ret = shmd_table_find(addr, &a);
	if (ret)
		return ret;
	ret = a.ops->sync(&a, flags, &k);
	if (info) {
		k.sz = usize;
		memcpy(info, &k, usize < sizeof(k) ? usize : sizeof(k));
	}
	return ret;
}

int shmd_sync(void *addr, unsigned int flags)
{
	return shmd_sync_counted(addr, flags, NULL);
}
