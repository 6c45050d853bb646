// SPDX-License-Identifier: GPL-2.0
/*
 * Raw requests on /dev/shmdemo for what libshmdemo doesn't wrap: the full
 * status struct (flags included), resize, lock and unlock, limits, and the
 * per-page words that the residency map draws.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tool.h"

int sdt_dev_open(void)
{
	int fd = open(SHMDEMO_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == EACCES)
		fd = open(SHMDEMO_DEVICE, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int sdt_dev_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

int sdt_dev_stat(int fd, int id, struct shmdemo_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->id = id;
	return sdt_dev_ioctl(fd, SHMDEMO_IOC_STAT, st);
}

int sdt_dev_resize(int fd, int id, uint64_t bytes)
{
	struct shmdemo_resize req = { .size = sizeof(req), .id = id, .bytes = bytes };

	return sdt_dev_ioctl(fd, SHMDEMO_IOC_RESIZE, &req);
}

int sdt_dev_lock(int fd, int id, bool lock)
{
	struct shmdemo_id req = { .size = sizeof(req), .id = id };

	return sdt_dev_ioctl(fd, lock ? SHMDEMO_IOC_LOCK : SHMDEMO_IOC_UNLOCK, &req);
}

int sdt_dev_info(int fd, struct shmdemo_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return sdt_dev_ioctl(fd, SHMDEMO_IOC_INFO, info);
}

/*
 * The segment may grow or shrink between requests: ask for chunks until a
 * request comes back short, so the array is the segment as it ended up
 * (each chunk a snapshot of its own).
 */
int sdt_dev_pages(int fd, int id, uint32_t **pagesp, uint64_t *countp)
{
	uint32_t *pages = NULL;
	uint64_t n = 0, cap = 0;
	int ret;

	for (;;) {
		struct shmdemo_pages req = {
			.size = sizeof(req), .id = id, .start = n, .count = SHMDEMO_PAGES_MAX,
		};

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
		req.pages_ptr = (uintptr_t)(pages + n);
		ret = sdt_dev_ioctl(fd, SHMDEMO_IOC_PAGES, &req);
		if (ret)
			goto out_free;
		n += req.count;
		if (req.count < SHMDEMO_PAGES_MAX)
			break;
	}
	*pagesp = pages;
	*countp = n;
	return 0;
out_free:
	free(pages);
	return ret;
}
