// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /dev/shmdemo requests, one function each (see device_ioctl.h).  errno is
 * read once, right after the call that set it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "device_ioctl.h"

int shmdemo_dev_open(int flags)
{
	int fd = open(SHMDEMO_DEVICE, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int shmdemo_dev_open_best(void)
{
	int fd = shmdemo_dev_open(O_RDWR);

	return fd == -EACCES ? shmdemo_dev_open(O_RDONLY) : fd;
}

static int shmdemo_dev_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

int shmdemo_dev_get(int fd, int key, uint64_t bytes, uint32_t flags, uint32_t mode, int *idp)
{
	struct shmdemo_get req = {
		.size = sizeof(req), .key = key, .bytes = bytes, .flags = flags, .mode = mode,
	};
	int ret = shmdemo_dev_ioctl(fd, SHMDEMO_IOC_GET, &req);

	if (!ret)
		*idp = req.id;
	return ret;
}

int shmdemo_dev_get_file(int fd, int key, uint64_t bytes, uint32_t flags, uint32_t mode,
			 int file_fd, int *idp)
{
	struct shmdemo_get req = {
		.size = sizeof(req), .key = key, .bytes = bytes,
		.flags = flags | SHMDEMO_GET_FILE, .mode = mode, .fd = file_fd,
	};
	int ret = shmdemo_dev_ioctl(fd, SHMDEMO_IOC_GET, &req);

	if (!ret)
		*idp = req.id;
	return ret;
}

int shmdemo_dev_sync(int fd, uint64_t start, uint64_t len, uint64_t *pages, uint64_t *bytes)
{
	struct shmdemo_sync req = { .size = sizeof(req), .start = start, .len = len };
	int ret = shmdemo_dev_ioctl(fd, SHMDEMO_IOC_SYNC, &req);

	if (pages)
		*pages = req.pages_written;
	if (bytes)
		*bytes = req.bytes_written;
	return ret;
}

int shmdemo_dev_attach(int fd, int id, uintptr_t addr, uint32_t flags, void **addrp,
		       uint64_t *bytesp)
{
	struct shmdemo_attach req = {
		.size = sizeof(req), .id = id, .flags = flags, .addr = addr,
	};
	int ret = shmdemo_dev_ioctl(fd, SHMDEMO_IOC_ATTACH, &req);

	if (ret)
		return ret;
	*addrp = (void *)(uintptr_t)req.addr;
	*bytesp = req.bytes;
	return 0;
}

int shmdemo_dev_detach(int fd, const void *addr, uint64_t *bytesp)
{
	struct shmdemo_detach req = { .size = sizeof(req), .addr = (uintptr_t)addr };
	int ret = shmdemo_dev_ioctl(fd, SHMDEMO_IOC_DETACH, &req);

	if (!ret && bytesp)
		*bytesp = req.bytes;
	return ret;
}

int shmdemo_dev_bind(int fd, int id, uint32_t flags)
{
	struct shmdemo_bind req = { .size = sizeof(req), .id = id, .flags = flags };

	return shmdemo_dev_ioctl(fd, SHMDEMO_IOC_BIND, &req);
}

int shmdemo_dev_stat(int fd, int id, bool any, struct shmdemo_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->id = id;
	return shmdemo_dev_ioctl(fd, any ? SHMDEMO_IOC_STAT_ANY : SHMDEMO_IOC_STAT, st);
}

int shmdemo_dev_set(int fd, int id, uint32_t valid, uint32_t uid, uint32_t gid, uint32_t mode)
{
	struct shmdemo_set req = {
		.size = sizeof(req), .id = id, .valid = valid, .uid = uid, .gid = gid,
		.mode = mode,
	};

	return shmdemo_dev_ioctl(fd, SHMDEMO_IOC_SET, &req);
}

static int shmdemo_dev_id_req(int fd, unsigned long cmd, int id)
{
	struct shmdemo_id req = { .size = sizeof(req), .id = id };

	return shmdemo_dev_ioctl(fd, cmd, &req);
}

int shmdemo_dev_rmid(int fd, int id)
{
	return shmdemo_dev_id_req(fd, SHMDEMO_IOC_RMID, id);
}

int shmdemo_dev_lock(int fd, int id, bool lock)
{
	return shmdemo_dev_id_req(fd, lock ? SHMDEMO_IOC_LOCK : SHMDEMO_IOC_UNLOCK, id);
}

int shmdemo_dev_resize(int fd, int id, uint64_t bytes)
{
	struct shmdemo_resize req = { .size = sizeof(req), .id = id, .bytes = bytes };

	return shmdemo_dev_ioctl(fd, SHMDEMO_IOC_RESIZE, &req);
}

int shmdemo_dev_info(int fd, struct shmdemo_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return shmdemo_dev_ioctl(fd, SHMDEMO_IOC_INFO, info);
}

int shmdemo_dev_list(int fd, int32_t *ids, uint32_t *countp)
{
	struct shmdemo_list req = {
		.size = sizeof(req), .count = *countp, .ids_ptr = (uintptr_t)ids,
	};
	int ret = shmdemo_dev_ioctl(fd, SHMDEMO_IOC_LIST, &req);

	if (!ret)
		*countp = req.count;
	return ret;
}

int shmdemo_dev_pages(int fd, int id, uint64_t start, uint32_t *pages, uint32_t *countp)
{
	struct shmdemo_pages req = {
		.size = sizeof(req), .id = id, .start = start, .count = *countp,
		.pages_ptr = (uintptr_t)pages,
	};
	int ret = shmdemo_dev_ioctl(fd, SHMDEMO_IOC_PAGES, &req);

	if (!ret)
		*countp = req.count;
	return ret;
}

/* Ask for chunks until one comes back short. */
int shmdemo_dev_pages_all(int fd, int id, uint32_t **pagesp, uint64_t *countp)
{
	uint32_t *pages = NULL;
	uint64_t n = 0, cap = 0;
	int ret;

	for (;;) {
		uint32_t got = SHMDEMO_PAGES_MAX;

		if (cap - n < SHMDEMO_PAGES_MAX) {
			uint64_t ncap = cap ? 2 * cap : SHMDEMO_PAGES_MAX;
			uint32_t *p = realloc(pages, ncap * sizeof(*p));

			if (!p) {
				ret = -ENOMEM;
				goto out_free;
			}
			pages = p;
			cap = ncap;
		}
		ret = shmdemo_dev_pages(fd, id, n, pages + n, &got);
		if (ret)
			goto out_free;
		n += got;
		if (got < SHMDEMO_PAGES_MAX)
			break;
	}
	*pagesp = pages;
	*countp = n;
	return 0;
out_free:
	free(pages);
	return ret;
}
