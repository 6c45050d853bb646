// SPDX-License-Identifier: GPL-2.0
/*
 * Raw /dev/shmdemo requests, for what the demos do that the library does
 * not: map a bound descriptor at any length and offset (E1, E3), read one
 * page's residency (SHMDEMO_IOC_PAGES), and find keys unused in both the
 * SysV and the module's namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/shm.h>
#include <unistd.h>

#include "demo.h"
#include "tool.h"

int demo_dev_present(void)
{
	return access(SHMDEMO_DEVICE, F_OK) == 0;
}

/* The demos bind and map what they create: a read-write descriptor. */
static int demo_dev_ctl(void)
{
	int fd = open(SHMDEMO_DEVICE, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* One request on a descriptor of its own (the tool's opener: rw, else ro). */
static int demo_dev_ioctl(unsigned long req, void *arg)
{
	int fd = sdt_dev_open(), ret;

	if (fd < 0)
		return fd;
	ret = ioctl(fd, req, arg) ? -errno : 0;
	close(fd);
	return ret;
}

int demo_dev_create(int key, uint64_t bytes, uint32_t mode)
{
	struct shmdemo_get g = {
		.size = sizeof(g), .key = key, .bytes = bytes,
		.flags = SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL, .mode = mode,
	};
	int ret = demo_dev_ioctl(SHMDEMO_IOC_GET, &g);

	return ret ? ret : g.id;
}

int demo_dev_open_bound(int id, int key)
{
	struct shmdemo_get g = { .size = sizeof(g), .key = key, .mode = 0600 };
	struct shmdemo_bind b = { .size = sizeof(b) };
	int fd = demo_dev_ctl();

	if (fd < 0)
		return fd;
	if (id < 0) {
		if (ioctl(fd, SHMDEMO_IOC_GET, &g))
			goto err;
		id = g.id;
	}
	b.id = id;
	if (ioctl(fd, SHMDEMO_IOC_BIND, &b))
		goto err;
	return fd;
err:
	id = -errno;
	close(fd);
	return id;
}

int demo_dev_stat(int id, struct shmdemo_stat *st)
{
	int fd = sdt_dev_open(), ret;

	if (fd < 0)
		return fd;
	ret = sdt_dev_stat(fd, id, st);
	close(fd);
	return ret;
}

int demo_dev_rmid(int id)
{
	struct shmdemo_id r = { .size = sizeof(r), .id = id };

	return demo_dev_ioctl(SHMDEMO_IOC_RMID, &r);
}

long demo_dev_page(int id, uint64_t index)
{
	uint32_t entry = 0;
	struct shmdemo_pages req = {
		.size = sizeof(req), .id = id, .start = index, .count = 1,
		.pages_ptr = (uintptr_t)&entry,
	};
	int ret = demo_dev_ioctl(SHMDEMO_IOC_PAGES, &req);

	if (ret)
		return ret;
	return req.count ? (long)entry : -ERANGE;
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
	int i;

	for (i = 0; i < 4096; i++) {
		int key = (int)(0x5d000000U | ((unsigned int)(getpid() + i) & 0xffff) << 8 |
				((unsigned int)tag & 0xff));
		struct shmdemo_get g = { .size = sizeof(g), .key = key, .mode = 0 };

		if (shmget(key, 0, 0) >= 0 || errno != ENOENT)
			continue;
		if (demo_dev_present() && demo_dev_ioctl(SHMDEMO_IOC_GET, &g) != -ENOENT)
			continue;
		return key;
	}
	return SHMDEMO_KEY_PRIVATE;
}
