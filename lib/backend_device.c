// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The /dev/shmdemo backend.  The handle keeps one unbound descriptor of the
 * device for requests by id; each attach opens, binds and maps its own
 * descriptor and closes it again (the mapping keeps the segment alive, as a
 * shmat() mapping does).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

static int shmd_dev_open_fd(int flags)
{
	int fd = open(SHMDEMO_DEVICE, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int shmd_dev_ioctl(int fd, unsigned long req, void *arg)
{
	return SHMD_ERR(ioctl(fd, req, arg));
}

static int shmd_dev_stat_raw(int fd, int id, struct shmdemo_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->id = id;
	return shmd_dev_ioctl(fd, SHMDEMO_IOC_STAT, st);
}

/* The control descriptor: read-write if allowed, else read-only. */
static int shmd_dev_control(struct shmd_seg *seg)
{
	int fd = shmd_dev_open_fd(O_RDWR);

	if (fd == -EACCES)
		fd = shmd_dev_open_fd(O_RDONLY);
	if (fd < 0)
		return fd;
	seg->fd = fd;
	return 0;
}

static int shmd_dev_open(struct shmd_seg *seg, const struct shmd_open_opts *o)
{
	struct shmdemo_get get = {
		.size = sizeof(get), .key = o->key, .bytes = o->size,
		.flags = (o->flags & SHMD_CREATE ? SHMDEMO_GET_CREATE : 0) |
			 (o->flags & SHMD_EXCL ? SHMDEMO_GET_EXCL : 0),
		.mode = o->mode & 0777,
	};
	struct shmdemo_stat st;
	int ret;

	if (o->mode & ~0777U)
		return -EINVAL;
	ret = shmd_dev_control(seg);
	if (ret)
		return ret;
	ret = shmd_dev_ioctl(seg->fd, SHMDEMO_IOC_GET, &get);
	if (ret) {
		close(seg->fd);
		return ret;
	}
	seg->id = get.id;
	/* Without read permission the size stays what was asked for. */
	shmd_seg_size_set(seg, shmd_dev_stat_raw(seg->fd, seg->id, &st) ? o->size : st.bytes);
	return 0;
}

static int shmd_dev_open_id(struct shmd_seg *seg, int id)
{
	struct shmdemo_stat st;
	int ret;

	ret = shmd_dev_control(seg);
	if (ret)
		return ret;
	ret = shmd_dev_stat_raw(seg->fd, id, &st);
	if (ret && ret != -EACCES) {
		close(seg->fd);
		return ret;
	}
	seg->id = id;
	shmd_seg_size_set(seg, ret ? 0 : st.bytes);
	return 0;
}

static void shmd_dev_close(struct shmd_seg *seg)
{
	close(seg->fd);
}

static int shmd_dev_attach(struct shmd_seg *seg, void *addr, unsigned int flags,
			   struct shmd_attachment *a)
{
	/* A private copy-on-write mapping never writes the segment. */
	bool ro = flags & (SHMD_RDONLY | SHMD_PRIVATE);
	struct shmdemo_bind bind = {
		.size = sizeof(bind), .id = seg->id,
		.flags = ro ? SHMDEMO_BIND_RDONLY : 0,
	};
	struct shmdemo_stat st;
	int fd, ret;

	fd = shmd_dev_open_fd(ro ? O_RDONLY : O_RDWR);
	if (fd < 0)
		return fd;
	ret = shmd_dev_ioctl(fd, SHMDEMO_IOC_BIND, &bind);
	if (ret)
		goto out_close;
	ret = shmd_dev_stat_raw(fd, seg->id, &st);
	if (ret)
		goto out_close;
	shmd_seg_size_set(seg, st.bytes);
	ret = shmd_mmap_fd(fd, st.bytes, addr, flags, a);
out_close:
	close(fd);
	return ret;
}

static int shmd_dev_stat(struct shmd_seg *seg, struct shmd_stat *st)
{
	struct shmdemo_stat k;
	int ret;

	ret = shmd_dev_stat_raw(seg->fd, seg->id, &k);
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
	return 0;
}

static int shmd_dev_remove(struct shmd_seg *seg)
{
	struct shmdemo_id req = { .size = sizeof(req), .id = seg->id };

	return shmd_dev_ioctl(seg->fd, SHMDEMO_IOC_RMID, &req);
}

static int shmd_dev_list(int *ids, size_t cap)
{
	struct shmdemo_list req = { .size = sizeof(req) };
	int fd, ret;
	size_t i;
	int32_t *buf = NULL;

	fd = shmd_dev_open_fd(O_RDONLY);
	if (fd < 0)
		return fd;
	if (cap) {
		buf = calloc(cap, sizeof(*buf));
		if (!buf) {
			close(fd);
			return -ENOMEM;
		}
	}
	req.count = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
	req.ids_ptr = (uintptr_t)buf;
	ret = shmd_dev_ioctl(fd, SHMDEMO_IOC_LIST, &req);
	close(fd);
	for (i = 0; !ret && i < cap && i < req.count; i++)
		ids[i] = buf[i];
	free(buf);
	return ret ? ret : (int)req.count;
}

const struct shmd_ops shmd_device_ops = {
	.open		= shmd_dev_open,
	.open_id	= shmd_dev_open_id,
	.close		= shmd_dev_close,
	.attach		= shmd_dev_attach,
	.detach		= shmd_munmap,
	.sync		= shmd_msync,
	.stat		= shmd_dev_stat,
	.remove		= shmd_dev_remove,
	.list		= shmd_dev_list,
};
