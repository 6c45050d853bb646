// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The native System V backend: shmget / shmat / shmdt / shmctl, unchanged.
 * It is the reference the device is compared with.
 */
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "internal.h"

static int shmd_sysv_fill_size(struct shmd_seg *seg, uint64_t fallback)
{
	struct shmid_ds ds;

	shmd_seg_size_set(seg, shmctl(seg->id, IPC_STAT, &ds) ? fallback : ds.shm_segsz);
	return 0;
}

static int shmd_sysv_open(struct shmd_seg *seg, const struct shmd_open_opts *o)
{
	int flg = (int)(o->mode & 0777) | (o->flags & SHMD_CREATE ? IPC_CREAT : 0) |
		  (o->flags & SHMD_EXCL ? IPC_EXCL : 0);
	int id;

	if (o->mode & ~0777U)
		return -EINVAL;
	id = shmget(o->key, (size_t)o->size, flg);
	if (id < 0)
		return -errno;
	seg->id = id;
	return shmd_sysv_fill_size(seg, o->size);
}

static int shmd_sysv_open_id(struct shmd_seg *seg, int id)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds) && errno != EACCES)
		return -errno;
	seg->id = id;
	return shmd_sysv_fill_size(seg, 0);
}

static int shmd_sysv_attach(struct shmd_seg *seg, void *addr, unsigned int flags,
			    struct shmd_attachment *a)
{
	struct shmid_ds ds;
	void *p;

	/* shmat() has no private (copy-on-write) mode. */
	if (flags & SHMD_PRIVATE)
		return -EINVAL;
	p = shmat(seg->id, addr, (flags & SHMD_RDONLY ? SHM_RDONLY : 0) |
				 (flags & SHMD_RND ? SHM_RND : 0));
	if (p == (void *)-1)
		return -errno;
	if (!shmctl(seg->id, IPC_STAT, &ds))
		shmd_seg_size_set(seg, ds.shm_segsz);
	a->addr = p;
	a->len = shmd_page_round(shmd_seg_size_get(seg));
	return 0;
}

static int shmd_sysv_detach(const struct shmd_attachment *a)
{
	return SHMD_ERR(shmdt(a->addr));
}

/*
 * SysV memory has no msync(): the pages are the shm file's page cache and
 * never go to disk.  What a caller can mean by "sync" is ordering, so this
 * is a full barrier, and it wrote nothing.
 */
static int shmd_sysv_sync(const struct shmd_attachment *a, unsigned int flags,
			  struct shmd_sync_info *info)
{
	(void)a;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (info && !(flags & SHMD_SYNC_ASYNC))
		info->valid = SHMD_SYNC_COUNTED;
	return 0;
}

static int shmd_sysv_stat(struct shmd_seg *seg, struct shmd_stat *st)
{
	struct shmid_ds ds;

	if (shmctl(seg->id, IPC_STAT, &ds))
		return -errno;
	st->valid = SHMD_STAT_SIZE | SHMD_STAT_MODE | SHMD_STAT_OWNER |
		    SHMD_STAT_CREATOR | SHMD_STAT_NATTCH | SHMD_STAT_ATIME |
		    SHMD_STAT_CTIME | SHMD_STAT_KEY;
	st->id = seg->id;
	st->key = ds.shm_perm.__key;
	st->size = ds.shm_segsz;
	st->mode = ds.shm_perm.mode & 0777;
	st->uid = ds.shm_perm.uid;
	st->gid = ds.shm_perm.gid;
	st->cuid = ds.shm_perm.cuid;
	st->cgid = ds.shm_perm.cgid;
	st->cpid = ds.shm_cpid;
	st->lpid = ds.shm_lpid;
	st->nattch = ds.shm_nattch;
	st->removed = !!(ds.shm_perm.mode & SHM_DEST);
	st->atime = ds.shm_atime;
	st->dtime = ds.shm_dtime;
	st->ctime = ds.shm_ctime;
	return 0;
}

static int shmd_sysv_remove(struct shmd_seg *seg)
{
	return SHMD_ERR(shmctl(seg->id, IPC_RMID, NULL));
}

static int shmd_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/*
 * Like ipcs: walk the indexes up to the highest in use with SHM_STAT_ANY
 * (no read permission needed), then sort the ids.
 */
static int shmd_sysv_list(int *ids, size_t cap)
{
	struct shm_info info;
	struct shmid_ds ds;
	int max, idx, id, n = 0;
	int *all;

	max = shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&info);
	if (max < 0)
		return -errno;
	all = calloc((size_t)max + 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (idx = 0; idx <= max; idx++) {
		id = shmctl(idx, SHM_STAT_ANY, &ds);
		if (id >= 0)
			all[n++] = id;
		else if (errno != EINVAL)	/* EINVAL: unused index */
			break;
	}
	if (idx <= max) {
		free(all);
		return -errno;
	}
	qsort(all, (size_t)n, sizeof(*all), shmd_cmp_int);
	/* The count query (ids NULL, cap 0) copies nothing: memcpy(NULL) is UB. */
	if (cap)
		memcpy(ids, all, ((size_t)n < cap ? (size_t)n : cap) * sizeof(*ids));
	free(all);
	return n;
}

const struct shmd_ops shmd_sysv_ops = {
	.open		= shmd_sysv_open,
	.open_id	= shmd_sysv_open_id,
	.attach		= shmd_sysv_attach,
	.detach		= shmd_sysv_detach,
	.sync		= shmd_sysv_sync,
	.stat		= shmd_sysv_stat,
	.remove		= shmd_sysv_remove,
	.list		= shmd_sysv_list,
};
