// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Backends that map a file descriptor - an ordinary file (FILE) or a POSIX
 * shared memory object (POSIX) - and the anonymous shared mapping (ANON).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

typedef int (*shmd_opener)(const char *path, int oflag, mode_t mode);

static int shmd_open_file_path(const char *path, int oflag, mode_t mode)
{
	return open(path, oflag | O_CLOEXEC, mode);
}

static int shmd_open_posix_name(const char *name, int oflag, mode_t mode)
{
	return shm_open(name, oflag, mode);
}

/*
 * Open (or create) @o->path read-write (read-only if that is all we may),
 * give a new object its size, and check an existing one is big enough.
 */
static int shmd_fd_open(struct shmd_seg *seg, const struct shmd_open_opts *o,
			shmd_opener opener)
{
	int oflag = (o->flags & SHMD_CREATE ? O_CREAT : 0) | (o->flags & SHMD_EXCL ? O_EXCL : 0);
	struct stat st;
	int fd, ret;

	if (!o->path || (o->mode & ~07777U))
		return -EINVAL;
	fd = opener(o->path, O_RDWR | oflag, o->mode);
	if (fd < 0 && (errno == EACCES || errno == EROFS))
		fd = opener(o->path, O_RDONLY | oflag, o->mode);
	if (fd < 0)
		return -errno;
	ret = SHMD_ERR(fstat(fd, &st));
	if (ret)
		goto out_close;
	if (st.st_size == 0 && o->size && (o->flags & SHMD_CREATE)) {
		ret = SHMD_ERR(ftruncate(fd, (off_t)o->size));
		if (ret)
			goto out_close;
		st.st_size = (off_t)o->size;
	}
	ret = -EINVAL;
	if ((uint64_t)st.st_size < o->size)
		goto out_close;
	ret = -ENOMEM;
	/* A file is removed by the path it was opened with, not the cwd's. */
	seg->path = opener == shmd_open_file_path ? realpath(o->path, NULL) : strdup(o->path);
	if (!seg->path)
		goto out_close;
	seg->fd = fd;
	shmd_seg_size_set(seg, (uint64_t)st.st_size);
	return 0;

out_close:
	close(fd);
	return ret;
}

static int shmd_file_open(struct shmd_seg *seg, const struct shmd_open_opts *o)
{
	return shmd_fd_open(seg, o, shmd_open_file_path);
}

static int shmd_posix_open(struct shmd_seg *seg, const struct shmd_open_opts *o)
{
	return shmd_fd_open(seg, o, shmd_open_posix_name);
}

static void shmd_fd_close(struct shmd_seg *seg)
{
	close(seg->fd);
}

static int shmd_fd_attach(struct shmd_seg *seg, void *addr, unsigned int flags,
			  struct shmd_attachment *a)
{
	struct stat st;

	if (fstat(seg->fd, &st))
		return -errno;
	shmd_seg_size_set(seg, (uint64_t)st.st_size);
	return shmd_mmap_fd(seg->fd, shmd_seg_size_get(seg), addr, flags, a);
}

static int shmd_fd_stat(struct shmd_seg *seg, struct shmd_stat *st)
{
	struct stat k;

	if (fstat(seg->fd, &k))
		return -errno;
	st->valid = SHMD_STAT_SIZE | SHMD_STAT_MODE | SHMD_STAT_OWNER |
		    SHMD_STAT_ATIME | SHMD_STAT_CTIME | SHMD_STAT_MTIME;
	st->size = (uint64_t)k.st_size;
	st->mode = k.st_mode & 07777;
	st->uid = k.st_uid;
	st->gid = k.st_gid;
	st->atime = k.st_atime;
	st->ctime = k.st_ctime;
	st->mtime = k.st_mtime;
	return 0;
}

static int shmd_file_remove(struct shmd_seg *seg)
{
	return SHMD_ERR(unlink(seg->path));
}

static int shmd_posix_remove(struct shmd_seg *seg)
{
	return SHMD_ERR(shm_unlink(seg->path));
}

const struct shmd_ops shmd_file_ops = {
	.open		= shmd_file_open,
	.close		= shmd_fd_close,
	.attach		= shmd_fd_attach,
	.detach		= shmd_munmap,
	.sync		= shmd_msync,
	.stat		= shmd_fd_stat,
	.remove		= shmd_file_remove,
};

const struct shmd_ops shmd_posix_ops = {
	.open		= shmd_posix_open,
	.close		= shmd_fd_close,
	.attach		= shmd_fd_attach,
	.detach		= shmd_munmap,
	.sync		= shmd_msync,
	.stat		= shmd_fd_stat,
	.remove		= shmd_posix_remove,
};

/*
 * ANON: the memory exists only as a mapping, so it is made at open and
 * handed out by the first attach; children share it through fork().  A
 * handle closed before any attach unmaps it (nothing else can reach it).
 * A PROT_NONE guard page follows it, so running past the end faults
 * (SIGSEGV) instead of landing in a neighbouring mapping; it goes with it.
 */
static size_t shmd_anon_len(uint64_t size)
{
	return shmd_page_round(size) + (size_t)sysconf(_SC_PAGESIZE);
}

static int shmd_anon_open(struct shmd_seg *seg, const struct shmd_open_opts *o)
{
	size_t len = shmd_page_round(o->size);
	void *area, *p;

	if (!len || o->key || o->path)
		return -EINVAL;
	area = mmap(NULL, shmd_anon_len(o->size), PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return -errno;
	p = mmap(area, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED) {
		munmap(area, shmd_anon_len(o->size));
		return -errno;
	}
	seg->anon = p;
	shmd_seg_size_set(seg, o->size);
	return 0;
}

static void shmd_anon_close(struct shmd_seg *seg)
{
	if (!seg->anon_attached)
		munmap(seg->anon, shmd_anon_len(shmd_seg_size_get(seg)));
}

static int shmd_anon_attach(struct shmd_seg *seg, void *addr, unsigned int flags,
			    struct shmd_attachment *a)
{
	/* One mapping, already placed: no address, no other mode. */
	if (addr || flags)
		return -EINVAL;
	/* Atomic: threads sharing the handle race for the one attachment. */
	if (__atomic_exchange_n(&seg->anon_attached, true, __ATOMIC_ACQ_REL))
		return -EBUSY;
	a->addr = seg->anon;
	a->len = shmd_anon_len(shmd_seg_size_get(seg));	/* detach takes the guard too */
	return 0;
}

static int shmd_anon_stat(struct shmd_seg *seg, struct shmd_stat *st)
{
	st->valid = SHMD_STAT_SIZE;
	st->size = shmd_seg_size_get(seg);
	return 0;
}

const struct shmd_ops shmd_anon_ops = {
	.open		= shmd_anon_open,
	.close		= shmd_anon_close,
	.attach		= shmd_anon_attach,
	.detach		= shmd_munmap,
	.sync		= shmd_msync,
	.stat		= shmd_anon_stat,
};
