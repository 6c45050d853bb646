/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one device layer: each /dev/shmdemo request as a function that fills
 * the request's size field and returns 0 or -errno.  Shared by everything
 * that talks to the device: the library's DEVICE backend, the SysV shim,
 * the shmdemo tool and the demo (each links its own copy of this object;
 * in libshmdemo these names are internal).  Nothing here prints.
 */
#ifndef SHMDEMO_DEVICE_IOCTL_H
#define SHMDEMO_DEVICE_IOCTL_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/shmdemo.h>

/* open(SHMDEMO_DEVICE, @flags | O_CLOEXEC): the fd, or -errno. */
int shmdemo_dev_open(int flags);
/* Read-write, else read-only when read-write is refused (EACCES). */
int shmdemo_dev_open_best(void);

/* SHMDEMO_IOC_GET: @flags are SHMDEMO_GET_*; *@idp is the id on success. */
int shmdemo_dev_get(int fd, int key, uint64_t bytes, uint32_t flags, uint32_t mode,
		    int *idp);
/* SHMDEMO_IOC_GET of a new segment backed by the open file @file_fd. */
int shmdemo_dev_get_file(int fd, int key, uint64_t bytes, uint32_t flags, uint32_t mode,
			 int file_fd, int *idp);
/*
 * SHMDEMO_IOC_ATTACH of segment @id at @addr (0: the kernel's choice) with
 * SHMDEMO_ATTACH_* @flags: where in *@addrp, the segment's size in
 * *@bytesp (the mapping is that rounded up to whole pages).
 */
int shmdemo_dev_attach(int fd, int id, uintptr_t addr, uint32_t flags, void **addrp,
		       uint64_t *bytesp);
/* SHMDEMO_IOC_DETACH of the attachment at @addr; the length in *@bytesp (or NULL). */
int shmdemo_dev_detach(int fd, const void *addr, uint64_t *bytesp);
/* SHMDEMO_IOC_BIND: @flags are SHMDEMO_BIND_*. */
int shmdemo_dev_bind(int fd, int id, uint32_t flags);
/* SHMDEMO_IOC_STAT, or SHMDEMO_IOC_STAT_ANY (no read permission) with @any. */
int shmdemo_dev_stat(int fd, int id, bool any, struct shmdemo_stat *st);
/* SHMDEMO_IOC_SET of @valid (SHMDEMO_SET_*) fields. */
int shmdemo_dev_set(int fd, int id, uint32_t valid, uint32_t uid, uint32_t gid,
		    uint32_t mode);
int shmdemo_dev_rmid(int fd, int id);
int shmdemo_dev_resize(int fd, int id, uint64_t bytes);
/* SHMDEMO_IOC_LOCK with @lock, else SHMDEMO_IOC_UNLOCK. */
int shmdemo_dev_lock(int fd, int id, bool lock);
int shmdemo_dev_info(int fd, struct shmdemo_info *info);
/*
 * SHMDEMO_IOC_SYNC on a bound @fd, bytes @start..@start+@len-1 (@len 0: to
 * the end); what it wrote in *@pages and *@bytes (NULL: not wanted), even
 * when it fails.
 */
int shmdemo_dev_sync(int fd, uint64_t start, uint64_t len, uint64_t *pages, uint64_t *bytes);
/*
 * SHMDEMO_IOC_LIST into @ids (room for *@countp); *@countp becomes the
 * number of segments, which may exceed the room (ask again with more).
 */
int shmdemo_dev_list(int fd, int32_t *ids, uint32_t *countp);
/* One SHMDEMO_IOC_PAGES: up to *@countp words from page @start; *@countp = got. */
int shmdemo_dev_pages(int fd, int id, uint64_t start, uint32_t *pages, uint32_t *countp);
/*
 * Every page word from page 0, in SHMDEMO_PAGES_MAX chunks, into a
 * malloc()ed array the caller frees.  The segment may be resized
 * between chunks: the result is the segment as it ended up.
 */
int shmdemo_dev_pages_all(int fd, int id, uint32_t **pagesp, uint64_t *countp);

#endif /* SHMDEMO_DEVICE_IOCTL_H */
