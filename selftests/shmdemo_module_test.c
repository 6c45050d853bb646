// SPDX-License-Identifier: GPL-2.0
/*
 * Module life cycle: an open fd, a mapping or a live segment pins the
 * module (rmmod fails with EWOULDBLOCK, "in use", never a use-after-free);
 * once every segment is removed, unloading frees every page they held, and
 * rmmod racing the teardown of the last mapping waits for it.  Each test reloads the module
 * from $SHMDEMO_MODULE (set by tools/vm/run), so it needs root and that
 * variable; the kselftest list runs it last.
 */
#include <sys/syscall.h>
#include <time.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

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
		EXPECT_EQ(0, shmdemo_reload());
}

TEST_F(module, open_fd_and_mapping_pin_the_module)
{
	long pg = shmdemo_page_size();
	char *p;
	int id;

	SHMDEMO_NEED_DEVICE(self->fd);
	EXPECT_EQ(-EWOULDBLOCK, shmdemo_unload());

	id = shmdemo_new_bound(self->fd, pg);
	ASSERT_LE(0, id);
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(self->fd);
	self->fd = -1;
	/* Only the mapping is left (the segment is removed), and it is enough. */
	self->fd = shmdemo_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, shmdemo_rmid(self->fd, id));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(-EWOULDBLOCK, shmdemo_unload());
	p[0] = 'x';
	EXPECT_EQ('x', p[0]);

	munmap(p, pg);
	ASSERT_EQ(0, shmdemo_unload());
	self->unloaded = true;
	EXPECT_NE(0, access(SHMDEMO_DEVICE, F_OK));
}

/* Remove every segment, as `shmdemo rm --all` does; the number removed or -errno. */
static int remove_all(int fd)
{
	struct shmdemo_list l = { .size = sizeof(l) };
	int ids[256], n, i, removed = 0, ret;

	l.ids_ptr = (uintptr_t)ids;
	l.count = 256;
	ret = shmdemo_ioctl(fd, SHMDEMO_IOC_LIST, &l);
	if (ret)
		return ret;
	n = l.count < 256 ? l.count : 256;
	for (i = 0; i < n; i++) {
		ret = shmdemo_rmid(fd, ids[i]);
		if (ret && ret != -EINVAL)	/* EINVAL: gone meanwhile */
			return ret;
		removed += !ret;
	}
	return removed;
}

/*
 * Segments outlive their processes and pin the module (their pages are
 * the module's page cache): rmmod says "in use" until root removes them
 * all, and then it frees every page they held.
 */
TEST_F(module, live_segments_pin_the_module_until_removed)
{
	const long nseg = 4, seg_bytes = 8 << 20;
	long pg = shmdemo_page_size();
	long free0, unevict0, free1, unevict1, free2, unevict2, slab0, slab2;
	long i, off;
	int fd;

	SHMDEMO_NEED_DEVICE(self->fd);
	close(self->fd);
	self->fd = -1;
	free0 = shmdemo_free_kb();
	unevict0 = shmdemo_meminfo_kb("Unevictable");
	slab0 = shmdemo_meminfo_kb("SUnreclaim");
	ASSERT_LT(0, free0);

	for (i = 0; i < nseg; i++) {
		char *p;

		fd = shmdemo_open(O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_LE(0, shmdemo_new_bound(fd, seg_bytes));
		p = mmap(NULL, seg_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, p);
		for (off = 0; off < seg_bytes; off += pg)
			p[off] = 1;
		munmap(p, seg_bytes);
		close(fd);	/* the segments outlive every process */
	}
	EXPECT_EQ(-EWOULDBLOCK, shmdemo_unload());
	free1 = shmdemo_free_kb();
	unevict1 = shmdemo_meminfo_kb("Unevictable");
	TH_LOG("free %ld -> %ld kB, Unevictable %ld -> %ld kB", free0, free1,
	       unevict0, unevict1);
	/*
	 * 32 MiB of segment pages, all on the unevictable LRU (no backing
	 * store); free memory is the noisier witness (slab, page tables).
	 */
	EXPECT_GE(unevict1, unevict0 + 31 * 1024);
	EXPECT_LE(free1, free0 - 24 * 1024);

	fd = shmdemo_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(nseg, remove_all(fd));
	EXPECT_EQ(-EWOULDBLOCK, shmdemo_unload());	/* the fd is open */
	close(fd);
	ASSERT_EQ(0, shmdemo_unload());
	self->unloaded = true;
	free2 = shmdemo_free_kb();
	unevict2 = shmdemo_meminfo_kb("Unevictable");
	slab2 = shmdemo_meminfo_kb("SUnreclaim");
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

/*
 * A child that calls delete_module("shmdemo", O_NONBLOCK) until it succeeds
 * or *@stop is set.  Exit status: 0 unloaded, 1 stopped while still loaded,
 * 2 an errno other than EWOULDBLOCK ("in use").
 */
static pid_t start_unloader(volatile int *stop)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	for (;;) {
		int ret = shmdemo_unload();

		if (!ret)
			_exit(0);
		if (ret != -EWOULDBLOCK)
			_exit(2);
		if (*stop)
			_exit(1);
	}
}

/* A removed, populated segment of @bytes whose only reference is a mapping. */
static char *mapped_removed_segment(size_t bytes)
{
	long pg = shmdemo_page_size();
	int fd = shmdemo_open(O_RDWR);
	char *p = MAP_FAILED;
	size_t off;
	int id;

	if (fd < 0)
		return MAP_FAILED;
	id = shmdemo_new_bound(fd, bytes);
	if (id >= 0)
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		for (off = 0; off < bytes; off += pg)
			p[off] = 1;
		if (shmdemo_rmid(fd, id)) {
			munmap(p, bytes);
			p = MAP_FAILED;
		}
	}
	close(fd);
	return p;
}

/*
 * The unload race the adversarial review found: the last munmap of a
 * removed 256 MiB segment frees its pages (evict -> truncate, through the
 * module's address_space operations) while a child loops delete_module().
 * rmmod must either fail with "in use" or succeed after every page is
 * freed; the VM runner fails the run on any oops.
 */
/*
 * Each round touches 256 MiB: seconds under KASAN in TCG, more on a loaded
 * host, so two rounds can pass the harness's default 30 s.  The watchdog is
 * for hangs, not a speed target.
 */
#define RACE_TEST_TIMEOUT	180

TEST_F_TIMEOUT(module, rmmod_racing_the_last_munmap_waits_for_the_pages, RACE_TEST_TIMEOUT)
{
	const size_t bytes = 256 << 20;
	volatile int *stop;
	long unevict0;
	double end;
	int rounds = 0, unloaded = 0;

	SHMDEMO_NEED_DEVICE(self->fd);
	close(self->fd);
	self->fd = -1;
	stop = mmap(NULL, sizeof(*stop), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, stop);
	unevict0 = shmdemo_meminfo_kb("Unevictable");
	end = shmdemo_now() + shmdemo_race_seconds(6);
	do {
		char *p = mapped_removed_segment(bytes);
		int status;
		pid_t pid;

		ASSERT_NE(MAP_FAILED, p);
		*stop = 0;
		pid = start_unloader(stop);
		ASSERT_LE(0, pid);
		ASSERT_EQ(0, munmap(p, bytes));
		*stop = 1;
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_NE(2, WEXITSTATUS(status));
		if (WEXITSTATUS(status) == 0) {
			/* Unloaded: only after the segment's pages were freed. */
			unloaded++;
			self->unloaded = true;
			EXPECT_LE(shmdemo_meminfo_kb("Unevictable"), unevict0 + 512);
			ASSERT_EQ(0, shmdemo_reload());
			self->unloaded = false;
		}
		rounds++;
	} while (shmdemo_now() < end || rounds < 2);
	TH_LOG("%d rounds, the module was unloaded in %d", rounds, unloaded);
	munmap((void *)stop, sizeof(*stop));
}

/* The same race from the other side: a mapping dies with its process. */
TEST_F_TIMEOUT(module, rmmod_racing_a_killed_mapper_waits_for_the_pages, RACE_TEST_TIMEOUT)
{
	const size_t bytes = 64 << 20;
	volatile int *stop;
	double end;
	int rounds = 0;

	SHMDEMO_NEED_DEVICE(self->fd);
	close(self->fd);
	self->fd = -1;
	stop = mmap(NULL, sizeof(*stop), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, stop);
	end = shmdemo_now() + shmdemo_race_seconds(6);
	do {
		int ready[2], status;
		pid_t worker, pid;
		char c;

		ASSERT_EQ(0, pipe(ready));
		worker = fork();
		ASSERT_LE(0, worker);
		if (worker == 0) {
			close(ready[0]);
			if (mapped_removed_segment(bytes) == MAP_FAILED)
				_exit(1);
			if (write(ready[1], "r", 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		close(ready[1]);
		ASSERT_EQ(1, read(ready[0], &c, 1));
		close(ready[0]);
		*stop = 0;
		pid = start_unloader(stop);
		ASSERT_LE(0, pid);
		kill(worker, SIGKILL);
		ASSERT_EQ(worker, waitpid(worker, &status, 0));
		/* The worker's exit_mmap() has run: the next unload may succeed. */
		usleep(20000);
		*stop = 1;
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_NE(2, WEXITSTATUS(status));
		if (WEXITSTATUS(status) == 0) {
			self->unloaded = true;
			ASSERT_EQ(0, shmdemo_reload());
			self->unloaded = false;
		}
		rounds++;
	} while (shmdemo_now() < end || rounds < 2);
	TH_LOG("%d rounds", rounds);
	munmap((void *)stop, sizeof(*stop));
}

/*
 * Worker: create, bind, map, touch, remove, unmap, close, over and over,
 * while the module may vanish between two opens.  Only open() may fail
 * (the device is gone, or going: ENOENT, ENODEV, ENXIO); once a
 * descriptor is open the module stays, so every later step must succeed.
 * Exit status: 0, or the step that failed.
 */
static int churn(double end, long pg)
{
	while (shmdemo_now() < end) {
		int fd = open(SHMDEMO_DEVICE, O_RDWR | O_CLOEXEC), id;
		char *p;

		if (fd < 0) {
			if (errno != ENOENT && errno != ENODEV && errno != ENXIO)
				return 10;
			usleep(1000);
			continue;
		}
		id = shmdemo_new_bound(fd, 8 * pg);
		if (id < 0)
			return 11;
		p = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return 12;
		memset(p, 1, 8 * pg);
		if (shmdemo_rmid(fd, id))
			return 13;
		if (munmap(p, 8 * pg))
			return 14;
		close(fd);
	}
	return 0;
}

/*
 * rmmod looping while segments are created, mapped, removed and unmapped:
 * it succeeds only in the gaps where nothing is left (then the module is
 * loaded again at once), and the workers never see anything but a missing
 * device.
 */
TEST_F_TIMEOUT(module, rmmod_loops_while_segments_churn, RACE_TEST_TIMEOUT)
{
	const int nworkers = 2;
	double end = shmdemo_now() + shmdemo_race_seconds(6);
	pid_t workers[2];
	int i, status, unloads = 0, busy = 0;

	SHMDEMO_NEED_DEVICE(self->fd);
	close(self->fd);
	self->fd = -1;
	for (i = 0; i < nworkers; i++) {
		workers[i] = fork();
		ASSERT_LE(0, workers[i]);
		if (!workers[i])
			_exit(churn(end, shmdemo_page_size()));
	}
	while (shmdemo_now() < end) {
		int ret = shmdemo_unload();

		if (ret == -EWOULDBLOCK) {
			busy++;
			continue;
		}
		ASSERT_EQ(0, ret);
		unloads++;
		self->unloaded = true;
		ASSERT_EQ(0, shmdemo_reload());
		self->unloaded = false;
	}
	for (i = 0; i < nworkers; i++) {
		ASSERT_EQ(workers[i], waitpid(workers[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	TH_LOG("rmmod: %d unloads, %d times in use", unloads, busy);
}

TEST_HARNESS_MAIN
