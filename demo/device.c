// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/shmdemo for what the demos do that the library does not: map a
 * bound descriptor at any length and offset (E1, E3), read one page's
 * residency (SHMDEMO_IOC_PAGES), and find keys unused in both the SysV and
 * the module's namespace.  Every request goes through the one device layer
 * (lib/device_ioctl.h); here each runs on a descriptor of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/shm.h>
#include <unistd.h>

#include "demo.h"
#include "device_ioctl.h"

int demo_dev_present(void)
{
	return access(SHMDEMO_DEVICE, F_OK) == 0;
}

int demo_dev_create(int key, uint64_t bytes, uint32_t mode)
{
	int fd = shmdemo_dev_open_best(), id, ret;

	if (fd < 0)
		return fd;
	ret = shmdemo_dev_get(fd, key, bytes, SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL, mode, &id);
	close(fd);
	return ret ? ret : id;
}

int demo_dev_create_file(int key, int file_fd, uint64_t bytes, uint32_t mode)
{
	int fd = shmdemo_dev_open_best(), id, ret;

	if (fd < 0)
		return fd;
	ret = shmdemo_dev_get_file(fd, key, bytes, SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL, mode,
				   file_fd, &id);
	close(fd);
	return ret ? ret : id;
}

/* The demos bind and map what they create: a read-write descriptor. */
int demo_dev_open_bound(int id, int key)
{
	int fd = shmdemo_dev_open(O_RDWR), ret = 0;

	if (fd < 0)
		return fd;
	if (id < 0)
		ret = shmdemo_dev_get(fd, key, 0, 0, 0600, &id);
	if (!ret)
		ret = shmdemo_dev_bind(fd, id, 0);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int demo_dev_stat(int id, struct shmdemo_stat *st)
{
	int fd = shmdemo_dev_open_best(), ret;

	if (fd < 0)
		return fd;
	ret = shmdemo_dev_stat(fd, id, false, st);
	close(fd);
	return ret;
}

int demo_dev_rmid(int id)
{
	int fd = shmdemo_dev_open_best(), ret;

	if (fd < 0)
		return fd;
	ret = shmdemo_dev_rmid(fd, id);
	close(fd);
	return ret;
}

long demo_dev_page(int id, uint64_t index)
{
	int fd = shmdemo_dev_open_best(), ret;
	uint32_t entry = 0, n = 1;

	if (fd < 0)
		return fd;
	ret = shmdemo_dev_pages(fd, id, index, &entry, &n);
	close(fd);
	if (ret)
		return ret;
	return n ? (long)entry : -ERANGE;
}

#define DEMO_DELTA(f)	(d->f = b->f - a->f)

/* @b - @a for the event counters; the gauges (resident, dirty) as in @b. */
void demo_counters_delta(struct shmdemo_counters *d, const struct shmdemo_counters *a,
			 const struct shmdemo_counters *b)
{
	DEMO_DELTA(read_faults);
	DEMO_DELTA(write_faults);
	DEMO_DELTA(cow_faults);
	DEMO_DELTA(mkwrite);
	DEMO_DELTA(around_pages);
	DEMO_DELTA(pages_alloc);
	d->pages_resident = b->pages_resident;
	d->pages_dirty = b->pages_dirty;
}

/* A key in 0x5dXXXXXX that neither shmget() nor the device knows. */
int demo_key(int tag)
{
	int fd = demo_dev_present() ? shmdemo_dev_open_best() : -ENOENT;
	int i, key = SHMDEMO_KEY_PRIVATE;

	for (i = 0; i < 4096; i++) {
		int k = (int)(0x5d000000U | ((unsigned int)(getpid() + i) & 0xffff) << 8 |
			      ((unsigned int)tag & 0xff));
		int id;

		if (shmget(k, 0, 0) >= 0 || errno != ENOENT)
			continue;
		if (fd >= 0 && shmdemo_dev_get(fd, k, 0, 0, 0, &id) != -ENOENT)
			continue;
		key = k;
		break;
	}
	if (fd >= 0)
		close(fd);
	return key;
}
