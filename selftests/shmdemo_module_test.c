// SPDX-License-Identifier: GPL-2.0
/*
 * Module life cycle: a mapping or an open fd pins the module (rmmod fails
 * with EWOULDBLOCK, never a use-after-free), and unloading with segments
 * still alive frees every page they held.  Each test reloads the module
 * from $SHMDEMO_MODULE (set by tools/vm/run), so it needs root and that
 * variable; the kselftest list runs it last.
 */
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

static int unload(void)
{
	return syscall(__NR_delete_module, "shmdemo", O_NONBLOCK) ? -errno : 0;
}

static int reload(void)
{
	const char *path = getenv("SHMDEMO_MODULE");
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(__NR_finit_module, fd, "", 0))
		ret = -errno;
	close(fd);
	return ret;
}

/* A /proc/meminfo field in KiB, or -1. */
static long meminfo_kb(const char *field)
{
	char line[256];
	size_t len = strlen(field);
	long val = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':') {
			val = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return val;
}

/*
 * Free memory in KiB: MemFree plus the pages parked on per-cpu free lists
 * (/proc/zoneinfo "count:" of each pageset).  Those lists can hold tens of
 * MiB of just-freed pages on 6.12 (auto-tuned pcp high), which MemFree
 * alone would call a leak.
 */
static long free_kb(void)
{
	long pcp_pages = 0, n;
	char line[256];
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &n) == 1)
			pcp_pages += n;
	fclose(f);
	return meminfo_kb("MemFree") + pcp_pages * (shmdemo_page_size() / 1024);
}

FIXTURE(module) {
	int fd;
	bool unloaded;	/* by this test: reload it in the teardown */
};

FIXTURE_SETUP(module)
{
	self->fd = -1;
	self->unloaded = false;
	if (geteuid())
		SKIP(return, "unloading a module needs root");
	if (!getenv("SHMDEMO_MODULE"))
		SKIP(return, "SHMDEMO_MODULE (the .ko to reload) not set: run under tools/vm/run");
	self->fd = shmdemo_open(O_RDWR);
	if (self->fd == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(module)
{
	if (self->fd >= 0)
		close(self->fd);
	/* Leave the module loaded, as we found it. */
	if (self->unloaded)
		EXPECT_EQ(0, reload());
}

TEST_F(module, open_fd_and_mapping_pin_the_module)
{
	long pg = shmdemo_page_size();
	char *p;
	int id;

	SHMDEMO_NEED_DEVICE(self->fd);
	EXPECT_EQ(-EWOULDBLOCK, unload());

	id = shmdemo_new_bound(self->fd, pg);
	ASSERT_LE(0, id);
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(self->fd);
	self->fd = -1;
	/* Only the mapping is left, and it is enough. */
	EXPECT_EQ(-EWOULDBLOCK, unload());
	p[0] = 'x';
	EXPECT_EQ('x', p[0]);

	munmap(p, pg);
	ASSERT_EQ(0, unload());
	self->unloaded = true;
	EXPECT_NE(0, access(SHMDEMO_DEVICE, F_OK));
}

TEST_F(module, unload_frees_every_page_of_live_segments)
{
	const long nseg = 4, seg_bytes = 8 << 20;
	long pg = shmdemo_page_size();
	long free0, unevict0, free1, unevict1, free2, unevict2, slab0, slab2;
	long i, off;

	SHMDEMO_NEED_DEVICE(self->fd);
	close(self->fd);
	self->fd = -1;
	free0 = free_kb();
	unevict0 = meminfo_kb("Unevictable");
	slab0 = meminfo_kb("SUnreclaim");
	ASSERT_LT(0, free0);

	for (i = 0; i < nseg; i++) {
		int fd = shmdemo_open(O_RDWR);
		char *p;

		ASSERT_LE(0, fd);
		ASSERT_LE(0, shmdemo_new_bound(fd, seg_bytes));
		p = mmap(NULL, seg_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, p);
		for (off = 0; off < seg_bytes; off += pg)
			p[off] = 1;
		munmap(p, seg_bytes);
		close(fd);	/* the segments outlive every process */
	}
	free1 = free_kb();
	unevict1 = meminfo_kb("Unevictable");
	TH_LOG("free %ld -> %ld kB, Unevictable %ld -> %ld kB", free0, free1,
	       unevict0, unevict1);
	/*
	 * 32 MiB of segment pages, all on the unevictable LRU (no backing
	 * store); free memory is the noisier witness (slab, page tables).
	 */
	EXPECT_GE(unevict1, unevict0 + 31 * 1024);
	EXPECT_LE(free1, free0 - 24 * 1024);

	ASSERT_EQ(0, unload());
	self->unloaded = true;
	free2 = free_kb();
	unevict2 = meminfo_kb("Unevictable");
	slab2 = meminfo_kb("SUnreclaim");
	TH_LOG("after rmmod: free %ld kB, Unevictable %ld kB, SUnreclaim %ld -> %ld kB",
	       free2, unevict2, slab0, slab2);
	/*
	 * 4 MiB of slack of the 32: page tables, LRU batches and page cache
	 * the guest fills meanwhile (seen: up to 1.2 MiB).  Unevictable and
	 * SUnreclaim are the exact witnesses.
	 */
	EXPECT_GE(free2, free0 - 4 * 1024);
	EXPECT_LE(unevict2, unevict0 + 512);
	/* Segments, inodes, files and xarray nodes are gone too (coarse: kmemleak is the fine check). */
	EXPECT_LE(slab2, slab0 + 256);
}

TEST_HARNESS_MAIN
