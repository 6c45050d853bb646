// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Segment handles: open, close, stat, remove, list - dispatched to the
 * backend's operations.
 */
#include <stdlib.h>

#include "internal.h"

static const struct shmd_ops *shmd_ops_of(enum shmd_backend backend)
{
	switch (backend) {
	case SHMD_BACKEND_DEVICE:
		return &shmd_device_ops;
	case SHMD_BACKEND_SYSV:
		return &shmd_sysv_ops;
	case SHMD_BACKEND_FILE:
		return &shmd_file_ops;
	case SHMD_BACKEND_ANON:
		return &shmd_anon_ops;
	case SHMD_BACKEND_POSIX:
		return &shmd_posix_ops;
	}
	return NULL;
}

static const char *const shmd_names[] = {
	[SHMD_BACKEND_DEVICE] = "device",
	[SHMD_BACKEND_SYSV] = "sysv",
	[SHMD_BACKEND_FILE] = "file",
	[SHMD_BACKEND_ANON] = "anon",
	[SHMD_BACKEND_POSIX] = "posix",
};

const char *shmd_backend_name(enum shmd_backend backend)
{
	if ((unsigned int)backend >= sizeof(shmd_names) / sizeof(shmd_names[0]))
		return NULL;
	return shmd_names[backend];
}

int shmd_backend_from_name(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(shmd_names) / sizeof(shmd_names[0]); i++)
		if (shmd_names[i] && !strcmp(shmd_names[i], name))
			return (int)i;
	return -EINVAL;
}

int shmd_check_opts(const void *opts, size_t usize, size_t ksize)
{
	const unsigned char *p = opts;
	size_t i;

	if (!opts || usize < sizeof(size_t))
		return -EINVAL;
	if (usize > 4096)	/* no struct of ours will ever be that big */
		return -E2BIG;
	for (i = ksize; i < usize; i++)
		if (p[i])
			return -E2BIG;
	return 0;
}

static int shmd_seg_alloc(enum shmd_backend backend, struct shmd_seg **segp)
{
	const struct shmd_ops *ops = shmd_ops_of(backend);
	struct shmd_seg *seg;

	if (!ops || !segp)
		return -EINVAL;
	seg = calloc(1, sizeof(*seg));
	if (!seg)
		return -ENOMEM;
	seg->ops = ops;
	seg->backend = backend;
	seg->id = -1;
	seg->fd = -1;
	*segp = seg;
	return 0;
}

int shmd_seg_open(const struct shmd_open_opts *opts, struct shmd_seg **segp)
{
	struct shmd_open_opts o = { 0 };
	struct shmd_seg *seg;
	int ret;

	ret = shmd_check_opts(opts, opts ? opts->sz : 0, sizeof(o));
	if (ret)
		return ret;
	memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	if (o.flags & ~(SHMD_CREATE | SHMD_EXCL))
		return -EINVAL;
	ret = shmd_seg_alloc(o.backend, &seg);
	if (ret)
		return ret;
	ret = seg->ops->open(seg, &o);
	if (ret) {
		free(seg);
		return ret;
	}
	*segp = seg;
	return 0;
}

int shmd_seg_open_id(enum shmd_backend backend, int id, struct shmd_seg **segp)
{
	struct shmd_seg *seg;
	int ret;

	ret = shmd_seg_alloc(backend, &seg);
	if (ret)
		return ret;
	ret = seg->ops->open_id ? seg->ops->open_id(seg, id) : -EOPNOTSUPP;
	if (ret) {
		free(seg);
		return ret;
	}
	*segp = seg;
	return 0;
}

void shmd_seg_close(struct shmd_seg *seg)
{
	if (!seg)
		return;
	if (seg->ops->close)
		seg->ops->close(seg);
	free(seg->path);
	free(seg);
}

enum shmd_backend shmd_seg_backend(const struct shmd_seg *seg)
{
	return seg->backend;
}

int shmd_seg_id(const struct shmd_seg *seg)
{
	switch (seg->backend) {
	case SHMD_BACKEND_DEVICE:
	case SHMD_BACKEND_SYSV:
		return seg->id;
	case SHMD_BACKEND_FILE:
	case SHMD_BACKEND_POSIX:
		return seg->fd;
	default:
		return -1;
	}
}

uint64_t shmd_seg_size(const struct shmd_seg *seg)
{
	return shmd_seg_size_get(seg);
}

int shmd_stat(struct shmd_seg *seg, struct shmd_stat *st)
{
	struct shmd_stat k = { 0 };
	size_t usize;
	int ret;

	if (!seg)
		return -EINVAL;
	ret = shmd_check_opts(st, st ? st->sz : 0, sizeof(k));
	if (ret)
		return ret;
	usize = st->sz;
	k.sz = sizeof(k);
	k.backend = seg->backend;
	ret = seg->ops->stat(seg, &k);
	if (ret)
		return ret;
	if (k.valid & SHMD_STAT_SIZE)
		shmd_seg_size_set(seg, k.size);
	k.sz = usize;
	memcpy(st, &k, usize < sizeof(k) ? usize : sizeof(k));
	return 0;
}

int shmd_remove(struct shmd_seg *seg)
{
	if (!seg)
		return -EINVAL;
	return seg->ops->remove ? seg->ops->remove(seg) : -EOPNOTSUPP;
}

int shmd_list(enum shmd_backend backend, int *ids, size_t cap)
{
	const struct shmd_ops *ops = shmd_ops_of(backend);

	if (!ops)
		return -EINVAL;
	if (cap && !ids)
		return -EINVAL;
	return ops->list ? ops->list(ids, cap) : -EOPNOTSUPP;
}
