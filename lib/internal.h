/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libshmdemo internals: the segment handle, the per-backend operations and
 * the attach table.
 */
#ifndef LIBSHMDEMO_INTERNAL_H
#define LIBSHMDEMO_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "libshmdemo.h"

/* Calls that set errno: turn failure into -errno at this one boundary. */
#define SHMD_ERR(expr)	((expr) < 0 ? -errno : 0)

struct shmd_ops;

/*
 * Internal attach flag (never accepted from callers): map one page past the
 * segment, as a file mapping may, to show what touching it does.  Backends
 * that map a descriptor (DEVICE, FILE, POSIX) honour it.
 */
#define SHMD_ATTACH_PAST_END	(1U << 31)

/*
 * A handle may be shared by threads: everything is fixed at open except
 * @size, refreshed by attach and stat, hence read and written atomically.
 */
struct shmd_seg {
	const struct shmd_ops *ops;
	enum shmd_backend backend;
	int id;			/* DEVICE, SYSV: kernel id */
	int fd;			/* FILE, POSIX: the object; DEVICE: control fd */
	uint64_t size;		/* shmd_seg_size_get/set() */
	char *path;		/* FILE path, POSIX name */
	void *anon;		/* ANON: the one mapping */
	bool anon_attached;
	bool file_backed;	/* DEVICE: backed by a file (STAT at open said so) */
};

/**
 * struct shmd_attachment - one shmd_attach() that shmd_detach() can undo
 * @addr:	start
 * @len:	length (whole pages)
 * @ops:	backend that mapped it (SYSV detaches with shmdt())
 * @fd:		DEVICE, file-backed: the binding the mapping was made from,
 *		kept open until detach so a sync can ask the module what it
 *		wrote (SHMDEMO_IOC_SYNC); -1 for everything else
 */
struct shmd_attachment {
	void *addr;
	size_t len;
	const struct shmd_ops *ops;
	int fd;
};

#define SHMD_ATTACHMENT_INIT	{ .fd = -1 }

struct shmd_ops {
	int (*open)(struct shmd_seg *seg, const struct shmd_open_opts *o);
	int (*open_id)(struct shmd_seg *seg, int id);
	void (*close)(struct shmd_seg *seg);
	/* Map the segment; on success fill *a (addr, len). */
	int (*attach)(struct shmd_seg *seg, void *addr, unsigned int flags,
		      struct shmd_attachment *a);
	int (*detach)(const struct shmd_attachment *a);
	/* Sync, and say in *@info (zeroed) what was written: valid, pages, bytes. */
	int (*sync)(const struct shmd_attachment *a, unsigned int flags,
		    struct shmd_sync_info *info);
	int (*stat)(struct shmd_seg *seg, struct shmd_stat *st);
	int (*remove)(struct shmd_seg *seg);
	int (*list)(int *ids, size_t cap);
};

extern const struct shmd_ops shmd_device_ops;
extern const struct shmd_ops shmd_sysv_ops;
extern const struct shmd_ops shmd_file_ops;
extern const struct shmd_ops shmd_posix_ops;
extern const struct shmd_ops shmd_anon_ops;

static inline uint64_t shmd_seg_size_get(const struct shmd_seg *seg)
{
	return __atomic_load_n(&seg->size, __ATOMIC_RELAXED);
}

static inline void shmd_seg_size_set(struct shmd_seg *seg, uint64_t size)
{
	__atomic_store_n(&seg->size, size, __ATOMIC_RELAXED);
}

/* attach.c: the attach table */
int shmd_table_add(const struct shmd_attachment *a);
/* Remove the entry for @addr into *@a; -EINVAL if none. */
int shmd_table_take(void *addr, struct shmd_attachment *a);
int shmd_table_find(void *addr, struct shmd_attachment *a);

/* map.c: mmap-based helpers shared by DEVICE, FILE, POSIX, ANON */
size_t shmd_page_round(uint64_t bytes);
/* Resolve an attach address hint like shmat(): -EINVAL if unaligned without RND. */
int shmd_attach_hint(void *addr, unsigned int flags, void **hintp);
int shmd_mmap_fd(int fd, uint64_t size, void *addr, unsigned int flags,
		 struct shmd_attachment *a);
int shmd_munmap(const struct shmd_attachment *a);
int shmd_msync(const struct shmd_attachment *a, unsigned int flags,
	       struct shmd_sync_info *info);
/* Check an options struct: size known, unknown trailing bytes zero. */
int shmd_check_opts(const void *opts, size_t usize, size_t ksize);

#endif /* LIBSHMDEMO_INTERNAL_H */
