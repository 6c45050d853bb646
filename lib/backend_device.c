// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The /dev/shmdemo backend.  The handle keeps one unbound descriptor of the
 * device for requests by id.  A shared attach of a memory-only segment is
 * one SHMDEMO_IOC_ATTACH on it, as shmat() is one call; a private one, or
 * one of a file-backed segment (which keeps its binding for shmd_sync()),
 * opens, binds and maps a descriptor of its own (the mapping keeps the
 * segment alive, as a shmat() mapping does).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "device_ioctl.h"
#include "internal.h"

/* The control descriptor: read-write if allowed, else read-only. */
static int shmd_dev_control(struct shmd_seg *seg)
{
	int fd = shmdemo_dev_open_best();

	if (fd < 0)
		return fd;
	seg->fd = fd;
	return 0;
}

/*
 * A new segment backed by the file at @o->path: opened read-write (else
 * read-only, which makes a read-only segment) just for the request; the
 * segment keeps its own reference to the file.
 */
static int shmd_dev_get_file(int ctl, const struct shmd_open_opts *o, uint32_t flags, int *idp)
{
	int file = open(o->path, O_RDWR | O_CLOEXEC), ret;

	if (file < 0 && (errno == EACCES || errno == EROFS))
		file = open(o->path, O_RDONLY | O_CLOEXEC);
	if (file < 0)
		return -errno;
	ret = shmdemo_dev_get_file(ctl, o->key, o->size, flags, o->mode & 0777, file, idp);
	close(file);
	return ret;
}

static int shmd_dev_open(struct shmd_seg *seg, const struct shmd_open_opts *o)
{
	uint32_t flags = (o->flags & SHMD_CREATE ? SHMDEMO_GET_CREATE : 0) |
			 (o->flags & SHMD_EXCL ? SHMDEMO_GET_EXCL : 0);
	struct shmdemo_stat st;
	int ret;

	if (o->mode & ~0777U)
		return -EINVAL;
	ret = shmd_dev_control(seg);
	if (ret)
		return ret;
	if (o->path)
		ret = shmd_dev_get_file(seg->fd, o, flags, &seg->id);
	else
		ret = shmdemo_dev_get(seg->fd, o->key, o->size, flags, o->mode & 0777, &seg->id);
	if (ret) {
		close(seg->fd);
		return ret;
	}
	/* Without read permission the size stays what was asked for. */
	if (shmdemo_dev_stat(seg->fd, seg->id, false, &st)) {
		shmd_seg_size_set(seg, o->size);
		seg->file_backed = o->path;
	} else {
		shmd_seg_size_set(seg, st.bytes);
		seg->file_backed = st.flags & SHMDEMO_SEG_FILE;
	}
	return 0;
}

static int shmd_dev_open_id(struct shmd_seg *seg, int id)
{
	struct shmdemo_stat st;
	int ret;

	ret = shmd_dev_control(seg);
	if (ret)
		return ret;
	ret = shmdemo_dev_stat(seg->fd, id, false, &st);
	if (ret && ret != -EACCES) {
		close(seg->fd);
		return ret;
	}
	seg->id = id;
	shmd_seg_size_set(seg, ret ? 0 : st.bytes);
	seg->file_backed = !ret && (st.flags & SHMDEMO_SEG_FILE);
	return 0;
}

static void shmd_dev_close(struct shmd_seg *seg)
{
	close(seg->fd);
}

/* One request: the module maps the whole segment shared, as do_shmat(). */
static int shmd_dev_attach_one(struct shmd_seg *seg, void *addr, unsigned int flags,
			       struct shmd_attachment *a)
{
	uint64_t bytes;
	void *hint, *p;
	int ret;

	ret = shmd_attach_hint(addr, flags, &hint);
	if (ret)
		return ret;
	ret = shmdemo_dev_attach(seg->fd, seg->id, (uintptr_t)hint,
				 flags & SHMD_RDONLY ? SHMDEMO_ATTACH_RDONLY : 0, &p, &bytes);
	if (ret)
		return ret;
	shmd_seg_size_set(seg, bytes);
	a->addr = p;
	a->len = shmd_page_round(bytes);
	return 0;
}

static int shmd_dev_attach(struct shmd_seg *seg, void *addr, unsigned int flags,
			   struct shmd_attachment *a)
{
	/* A private copy-on-write mapping never writes the segment. */
	bool ro = flags & (SHMD_RDONLY | SHMD_PRIVATE);
	struct shmdemo_stat st;
	int fd, ret;

	if (!seg->file_backed && !(flags & (SHMD_PRIVATE | SHMD_ATTACH_PAST_END)))
		return shmd_dev_attach_one(seg, addr, flags, a);

	fd = shmdemo_dev_open(ro ? O_RDONLY : O_RDWR);
	if (fd < 0)
		return fd;
	ret = shmdemo_dev_bind(fd, seg->id, ro ? SHMDEMO_BIND_RDONLY : 0);
	if (ret)
		goto out_close;
	ret = shmdemo_dev_stat(fd, seg->id, false, &st);
	if (ret)
		goto out_close;
	shmd_seg_size_set(seg, st.bytes);
	ret = shmd_mmap_fd(fd, st.bytes, addr, flags, a);
	/* A file-backed segment's binding stays for shmd_sync(): see shmd_dev_sync(). */
	if (!ret && (st.flags & SHMDEMO_SEG_FILE) && !(flags & SHMD_PRIVATE)) {
		a->fd = fd;
		return 0;
	}
out_close:
	close(fd);
	return ret;
}

static int shmd_dev_detach(const struct shmd_attachment *a)
{
	int ret = shmd_munmap(a);

	/* Unmapped: its binding goes (the module writes back what is dirty). */
	if (!ret && a->fd >= 0)
		close(a->fd);
	return ret;
}

/*
 * A file-backed segment: SHMDEMO_IOC_SYNC on the binding the mapping was
 * made from - the same open file as the mapping's, so the write errors it
 * reports are the ones msync() would (one errseq cursor) - and it says
 * what this call wrote.  ASYNC, and the rest, are msync().
 */
static int shmd_dev_sync(const struct shmd_attachment *a, unsigned int flags,
			 struct shmd_sync_info *info)
{
	int ret;

	if (a->fd < 0 || (flags & SHMD_SYNC_ASYNC)) {
		ret = shmd_msync(a, flags, info);
		/* Memory-only: nothing is ever written back. */
		if (!ret && a->fd < 0 && !(flags & SHMD_SYNC_ASYNC))
			info->valid = SHMD_SYNC_COUNTED;
		return ret;
	}
	ret = shmdemo_dev_sync(a->fd, 0, 0, &info->pages, &info->bytes);
	info->valid = SHMD_SYNC_COUNTED;
	return ret;
}

static int shmd_dev_stat(struct shmd_seg *seg, struct shmd_stat *st)
{
	struct shmdemo_stat k;
	int ret;

	ret = shmdemo_dev_stat(seg->fd, seg->id, false, &k);
	if (ret)
		return ret;
	st->valid = SHMD_STAT_SIZE | SHMD_STAT_MODE | SHMD_STAT_OWNER |
		    SHMD_STAT_CREATOR | SHMD_STAT_NATTCH | SHMD_STAT_ATIME |
		    SHMD_STAT_CTIME | SHMD_STAT_KEY | SHMD_STAT_COUNTERS;
	st->id = k.id;
	st->key = k.key;
	st->size = k.bytes;
	st->mode = k.mode;
	st->uid = k.uid;
	st->gid = k.gid;
	st->cuid = k.cuid;
	st->cgid = k.cgid;
	st->cpid = k.cpid;
	st->lpid = k.lpid;
	st->nattch = k.nattch;
	st->removed = !!(k.flags & SHMDEMO_SEG_DEST);
	st->atime = k.atime;
	st->dtime = k.dtime;
	st->ctime = k.ctime;
	st->counters = k.counters;
	if (k.flags & SHMDEMO_SEG_FILE) {
		st->valid |= SHMD_STAT_FILE;
		st->file = k.file;
	}
	return 0;
}

static int shmd_dev_remove(struct shmd_seg *seg)
{
	return shmdemo_dev_rmid(seg->fd, seg->id);
}

static int shmd_dev_list(int *ids, size_t cap)
{
	uint32_t count = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
	int32_t *buf = NULL;
	int fd, ret;
	size_t i;

	fd = shmdemo_dev_open(O_RDONLY);
	if (fd < 0)
		return fd;
	if (cap) {
		buf = calloc(cap, sizeof(*buf));
		if (!buf) {
			close(fd);
			return -ENOMEM;
		}
	}
	ret = shmdemo_dev_list(fd, buf, &count);
	close(fd);
	for (i = 0; !ret && i < cap && i < count; i++)
		ids[i] = buf[i];
	free(buf);
	return ret ? ret : (int)count;
}

const struct shmd_ops shmd_device_ops = {
	.open		= shmd_dev_open,
	.open_id	= shmd_dev_open_id,
	.close		= shmd_dev_close,
	.attach		= shmd_dev_attach,
	.detach		= shmd_dev_detach,
	.sync		= shmd_dev_sync,
	.stat		= shmd_dev_stat,
	.remove		= shmd_dev_remove,
	.list		= shmd_dev_list,
};
