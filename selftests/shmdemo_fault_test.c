// SPDX-License-Identifier: GPL-2.0
/*
 * The shmdemo fault path, as seen from userspace: mmap() populates nothing
 * and each first access faults (C1, C6); the counters match the accesses;
 * fault-around maps cached neighbours for a second reader; SIGBUS exactly
 * past the page holding the last byte (E3), after a shrink, and not after a
 * grow; MAP_PRIVATE copy-on-write; read-only bindings; the shmdemo:*
 * tracepoints.
 */
#include <sys/mount.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

#define TRACEFS "/sys/kernel/tracing/"

FIXTURE(fault) {
	int fd;
	int id;
	long pg;
};

FIXTURE_SETUP(fault)
{
	self->pg = shmdemo_page_size();
	self->id = -1;
	self->fd = shmdemo_open(O_RDWR);
	if (self->fd == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(fault)
{
	if (self->id >= 0)
		EXPECT_EQ(0, shmdemo_rmid(self->fd, self->id));
	if (self->fd >= 0)
		close(self->fd);
}

/* A new segment of @pages pages (or @bytes if pages is 0), bound to self->fd. */
static int new_seg(struct __test_metadata *_metadata, FIXTURE_DATA(fault) *self,
		   uint64_t bytes)
{
	self->id = shmdemo_new_bound(self->fd, bytes);
	ASSERT_LE(0, self->id) TH_LOG("create: %s", strerror(-self->id));
	return self->id;
}

static char *map_seg(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	return p == MAP_FAILED ? NULL : p;
}

static struct shmdemo_counters counters(struct __test_metadata *_metadata,
					int fd, int id)
{
	struct shmdemo_stat st;

	EXPECT_EQ(0, shmdemo_stat(fd, id, &st));
	return st.counters;
}

/*
 * C1/C6: mmap maps nothing; each first write takes one fault, and a
 * memory-only segment no mkwrite: its mappings don't notify writes.
 */
TEST_F(fault, first_write_to_each_page_faults_once)
{
	const int n = 8;
	struct shmdemo_counters c;
	char *p;
	int i;

	SHMDEMO_NEED_DEVICE(self->fd);
	new_seg(_metadata, self, n * self->pg);
	p = map_seg(self->fd, n * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, p);

	c = counters(_metadata, self->fd, self->id);
	EXPECT_EQ(0, c.pages_resident);
	EXPECT_EQ(0, c.read_faults + c.write_faults + c.mkwrite);

	for (i = 0; i < n; i++)
		p[i * self->pg] = 'a' + i;
	c = counters(_metadata, self->fd, self->id);
	EXPECT_EQ(n, c.write_faults);
	EXPECT_EQ(0, c.mkwrite);
	EXPECT_EQ(0, c.read_faults);
	EXPECT_EQ(0, c.cow_faults);
	EXPECT_EQ(n, c.pages_alloc);
	EXPECT_EQ(n, c.pages_resident);
	EXPECT_EQ(n, c.pages_dirty);

	/* Mapped and writable now: no more faults. */
	for (i = 0; i < n; i++)
		p[i * self->pg + 1] = 'z';
	c = counters(_metadata, self->fd, self->id);
	EXPECT_EQ(n, c.write_faults);
	EXPECT_EQ(0, c.mkwrite);
	munmap(p, n * self->pg);
}

/*
 * A read allocates a zero page (clean) and maps it writable, as shmem
 * does: the write after it takes no fault at all.  The CPU's dirty bit is
 * in the PTE, so the page shows dirty once that PTE is zapped.
 */
TEST_F(fault, read_maps_a_zero_page_writable_and_the_write_takes_no_fault)
{
	const int n = 4;
	struct shmdemo_counters c;
	char *p;
	int i;

	SHMDEMO_NEED_DEVICE(self->fd);
	new_seg(_metadata, self, n * self->pg);
	p = map_seg(self->fd, n * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, p);

	for (i = 0; i < n; i++)
		ASSERT_EQ(0, p[i * self->pg + 7]);
	c = counters(_metadata, self->fd, self->id);
	EXPECT_EQ(n, c.read_faults);
	EXPECT_EQ(0, c.write_faults);
	EXPECT_EQ(n, c.pages_alloc);
	EXPECT_EQ(0, c.pages_dirty);
	EXPECT_EQ(0, c.mkwrite);

	for (i = 0; i < n; i++)
		p[i * self->pg] = 1;
	c = counters(_metadata, self->fd, self->id);
	EXPECT_EQ(n, c.read_faults);
	EXPECT_EQ(0, c.write_faults);
	EXPECT_EQ(0, c.mkwrite);
	EXPECT_EQ(0, c.pages_dirty);	/* written, but only the PTEs know */
	EXPECT_EQ(n, c.pages_alloc);
	munmap(p, n * self->pg);

	c = counters(_metadata, self->fd, self->id);
	EXPECT_EQ(n, c.pages_dirty);	/* zap_pte_range() moved the dirty bits */
	EXPECT_EQ(n, c.pages_resident);
}

static long fault_around_pages(long pg)
{
	long bytes = 65536;	/* the kernel's default */
	FILE *f = fopen("/sys/kernel/debug/fault_around_bytes", "r");

	if (f) {
		if (fscanf(f, "%ld", &bytes) != 1)
			bytes = 65536;
		fclose(f);
	}
	return bytes / pg > 1 ? bytes / pg : 1;
}

struct reader_arg {
	int fd;
	long len;
	long align;
};

/* Map the segment at an @align-aligned address and read every page. */
static int read_all_pages(void *varg)
{
	struct reader_arg *a = varg;
	long pg = shmdemo_page_size();
	char *area, *p;
	long i, sum = 0;

	area = mmap(NULL, a->len + a->align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return 10;
	p = (char *)(((uintptr_t)area + a->align - 1) & ~((uintptr_t)a->align - 1));
	if (mmap(p, a->len, PROT_READ, MAP_SHARED | MAP_FIXED, a->fd, 0) != p)
		return 11;
	for (i = 0; i < a->len; i += pg)
		sum += p[i];
	return sum == 'w' * (a->len / pg) ? 0 : 12;
}

/*
 * C2 + fault-around: once a writer populated the cache, a second process
 * reading N pages takes N / fault_around_pages read faults, all resolved by
 * ->map_pages, and allocates nothing.
 */
TEST_F(fault, second_reader_is_served_by_fault_around)
{
	const long n = 64;
	long fa = fault_around_pages(self->pg);
	struct reader_arg a = { .fd = self->fd, .len = n * self->pg };
	struct shmdemo_counters c;
	char *p;
	long i;

	SHMDEMO_NEED_DEVICE(self->fd);
	a.align = fa * self->pg;
	new_seg(_metadata, self, n * self->pg);
	p = map_seg(self->fd, n * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, p);
	for (i = 0; i < n; i++)
		p[i * self->pg] = 'w';
	munmap(p, n * self->pg);

	ASSERT_EQ(0, shmdemo_run_child(read_all_pages, &a, -1, -1));
	c = counters(_metadata, self->fd, self->id);
	EXPECT_EQ(n, c.write_faults);
	EXPECT_EQ(n / fa, c.read_faults) TH_LOG("fault-around window %ld pages", fa);
	EXPECT_EQ(n, c.around_pages);
	EXPECT_EQ(n, c.pages_alloc);
	EXPECT_EQ(n, c.pages_resident);
}

/*
 * E3: a segment of 2 pages - 100 bytes mapped over 3 pages, with a guard
 * page after the mapping.  Pages 0 and 1 (which holds the last byte) work,
 * past it SIGBUS, past the mapping SIGSEGV.  Mapped at offset one page, only
 * one page of the segment is reachable.
 */
TEST_F(fault, sigbus_exactly_past_the_page_holding_the_last_byte)
{
	long pg = self->pg;
	char *area, *p;

	SHMDEMO_NEED_DEVICE(self->fd);
	new_seg(_metadata, self, 2 * pg - 100);
	area = mmap(NULL, 4 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	p = mmap(area, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, self->fd, 0);
	ASSERT_EQ(area, p);

	EXPECT_EQ(0, shmdemo_touch_signal(p, true));
	EXPECT_EQ(0, shmdemo_touch_signal(p + 2 * pg - 101, true));	/* last byte */
	EXPECT_EQ(0, shmdemo_touch_signal(p + 2 * pg - 1, true));	/* same page */
	EXPECT_EQ(SIGBUS, shmdemo_touch_signal(p + 2 * pg, false));
	EXPECT_EQ(SIGBUS, shmdemo_touch_signal(p + 3 * pg - 1, true));
	EXPECT_EQ(SIGSEGV, shmdemo_touch_signal(p + 3 * pg, false));

	p = mmap(area, 3 * pg, PROT_READ, MAP_SHARED | MAP_FIXED, self->fd, pg);
	ASSERT_EQ(area, p);
	EXPECT_EQ(0, shmdemo_touch_signal(p, false));
	EXPECT_EQ(SIGBUS, shmdemo_touch_signal(p + pg, false));
	munmap(area, 4 * pg);
}

/* Shrink cuts pages (SIGBUS) and zeroes the new tail; grow brings zeroes. */
TEST_F(fault, shrink_raises_sigbus_and_grow_brings_zeroed_pages)
{
	long pg = self->pg;
	struct shmdemo_stat st;
	char *p;
	long i;

	SHMDEMO_NEED_DEVICE(self->fd);
	new_seg(_metadata, self, 4 * pg);
	p = map_seg(self->fd, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, p);
	memset(p, 0x5a, 4 * pg);

	ASSERT_EQ(0, shmdemo_resize(self->fd, self->id, pg + 10));
	ASSERT_EQ(0, shmdemo_stat(self->fd, self->id, &st));
	EXPECT_EQ(pg + 10, st.bytes);
	EXPECT_EQ(2, st.counters.pages_resident);
	EXPECT_EQ(0x5a, p[pg + 9]);
	EXPECT_EQ(0, p[pg + 10]);	/* tail of the new last page zeroed */
	EXPECT_EQ(SIGBUS, shmdemo_touch_signal(p + 2 * pg, false));
	EXPECT_EQ(SIGBUS, shmdemo_touch_signal(p + 3 * pg, true));

	ASSERT_EQ(0, shmdemo_resize(self->fd, self->id, 4 * pg));
	for (i = 2 * pg; i < 4 * pg; i++)
		if (p[i])
			break;
	EXPECT_EQ(4 * pg, i) TH_LOG("byte %ld of a grown page is not zero", i);
	EXPECT_EQ(0, p[pg + 10]);
	EXPECT_EQ(0x5a, p[0]);
	EXPECT_EQ(-EINVAL, shmdemo_resize(self->fd, self->id, 0));
	munmap(p, 4 * pg);
}

/* MAP_PRIVATE: the core mm copies on write, the segment keeps its bytes. */
TEST_F(fault, private_mapping_copies_on_write)
{
	long pg = self->pg;
	struct shmdemo_counters c;
	char *shared, *priv;

	SHMDEMO_NEED_DEVICE(self->fd);
	new_seg(_metadata, self, 2 * pg);
	shared = map_seg(self->fd, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, shared);
	strcpy(shared, "segment");
	strcpy(shared + pg, "segment");

	priv = map_seg(self->fd, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	ASSERT_NE(NULL, priv);
	/* Not mapped yet: a write fault on a private VMA reaches ->fault. */
	strcpy(priv + pg, "private");
	/* Read: the segment's own page, mapped read-only by fault-around... */
	EXPECT_STREQ("segment", priv);
	/* ...then written: do_wp_page() copies it without asking us. */
	strcpy(priv, "private");
	EXPECT_STREQ("segment", shared);
	EXPECT_STREQ("segment", shared + pg);
	EXPECT_STREQ("private", priv);

	c = counters(_metadata, self->fd, self->id);
	EXPECT_EQ(1, c.cow_faults);
	EXPECT_EQ(1, c.read_faults);
	EXPECT_EQ(2, c.write_faults);
	EXPECT_EQ(0, c.mkwrite);
	EXPECT_EQ(2, c.pages_alloc);
	munmap(priv, 2 * pg);
	munmap(shared, 2 * pg);
}

/* Read-only bindings: no shared writable mapping, no upgrade by mprotect. */
TEST_F(fault, readonly_binding_cannot_write_or_upgrade)
{
	long pg = self->pg;
	int modes[2] = { O_RDWR, O_RDONLY };
	char *p, *priv;
	int i, fd;

	SHMDEMO_NEED_DEVICE(self->fd);
	new_seg(_metadata, self, pg);
	for (i = 0; i < 2; i++) {
		fd = shmdemo_open(modes[i]);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, shmdemo_bind(fd, self->id,
					  modes[i] == O_RDWR ? SHMDEMO_BIND_RDONLY : 0));
		errno = 0;
		EXPECT_EQ(NULL, map_seg(fd, pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0));
		EXPECT_EQ(EACCES, errno);
		p = map_seg(fd, pg, PROT_READ, MAP_SHARED, 0);
		ASSERT_NE(NULL, p);
		EXPECT_EQ(-1, mprotect(p, pg, PROT_READ | PROT_WRITE));
		EXPECT_EQ(EACCES, errno);
		EXPECT_EQ(SIGSEGV, shmdemo_touch_signal(p, true));
		EXPECT_EQ(0, shmdemo_touch_signal(p, false));

		/* Like an O_RDONLY file: a private COW mapping never writes back. */
		priv = map_seg(fd, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
		ASSERT_NE(NULL, priv);
		priv[0] = 'x';
		EXPECT_EQ(0, p[0]);
		munmap(priv, pg);
		munmap(p, pg);
		close(fd);
	}
}

/* Count lines of the trace buffer that contain all of @a, @b and @c. */
static int trace_count(const char *a, const char *b, const char *c)
{
	char line[1024];
	int n = 0;
	FILE *f = fopen(TRACEFS "trace", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, a) && strstr(line, b) && (!c || strstr(line, c)))
			n++;
	fclose(f);
	return n;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t len = strlen(s);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/* The tracepoints report each fault with its page offset and kind. */
TEST_F(fault, tracepoints_report_every_fault)
{
	const int n = 5;
	char idstr[32];
	char *p;
	int i;

	SHMDEMO_NEED_DEVICE(self->fd);
	if (geteuid())
		SKIP(return, "tracefs needs root");
	if (access(TRACEFS "events/shmdemo/enable", W_OK))
		SKIP(return, "no " TRACEFS "events/shmdemo (tracefs not mounted?)");

	new_seg(_metadata, self, n * self->pg);
	snprintf(idstr, sizeof(idstr), "id=%d ", self->id);
	ASSERT_EQ(0, write_str(TRACEFS "trace", ""));
	ASSERT_EQ(0, write_str(TRACEFS "events/shmdemo/enable", "1"));

	p = map_seg(self->fd, (n + 1) * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, p);
	for (i = 0; i < n; i++)
		p[i * self->pg] = 1;
	/* One page past the end: refused before any page is looked up. */
	EXPECT_EQ(SIGBUS, shmdemo_touch_signal(p + n * self->pg, false));
	munmap(p, (n + 1) * self->pg);
	ASSERT_EQ(0, write_str(TRACEFS "events/shmdemo/enable", "0"));

	EXPECT_EQ(n, trace_count("shmdemo_fault:", idstr, " write page=new result=LOCKED"));
	EXPECT_EQ(0, trace_count("shmdemo_mkwrite:", idstr, ""));
	EXPECT_EQ(1, trace_count("shmdemo_fault:", idstr, " read page=none result=SIGBUS"));
	/* the mapping, then its copy in the forked toucher */
	EXPECT_EQ(1, trace_count("shmdemo_attach:", idstr, "nattch=1"));
	EXPECT_EQ(1, trace_count("shmdemo_attach:", idstr, "nattch=2"));
	EXPECT_EQ(1, trace_count("shmdemo_detach:", idstr, "nattch=0"));
	for (i = 0; i < n; i++) {
		char pgoff[32];

		snprintf(pgoff, sizeof(pgoff), "pgoff=%d ", i);
		EXPECT_EQ(1, trace_count("shmdemo_fault:", idstr, pgoff));
	}
}

static int seg_pages(int fd, int id, uint64_t start, uint32_t *pages, uint32_t count)
{
	struct shmdemo_pages req = {
		.size = sizeof(req), .id = id, .start = start, .count = count,
		.pages_ptr = (uintptr_t)pages,
	};
	int ret = shmdemo_ioctl(fd, SHMDEMO_IOC_PAGES, &req);

	return ret ? ret : (int)req.count;
}

struct holder {
	int fd;
	int ready[2];
	int release[2];
};

/* Map the segment, read page 0 (fault-around maps the cached ones), wait. */
static int hold_mapping(void *varg)
{
	struct holder *h = varg;
	long pg = shmdemo_page_size();
	char *p = mmap(NULL, 8 * pg, PROT_READ, MAP_SHARED, h->fd, 0);
	char c;

	if (p == MAP_FAILED)
		return 10;
	/*
	 * Each of the three cached pages: fault-around usually maps them all
	 * at the first read, but skips a page someone holds locked at that
	 * moment (compaction, on the debug kernel), which then faults here.
	 */
	c = p[0] + p[2 * pg] + p[5 * pg];
	if (write(h->ready[1], &c, 1) != 1 || read(h->release[0], &c, 1) != 0)
		return 11;
	return 0;
}

/* The residency map's source: resident, dirty and mapcount, page by page. */
TEST_F(fault, pages_ioctl_reports_residency_dirt_and_sharing)
{
	struct holder h = { .fd = self->fd };
	uint32_t pages[16];
	char *p, c;
	pid_t pid;
	int i, status;

	SHMDEMO_NEED_DEVICE(self->fd);
	new_seg(_metadata, self, 8 * self->pg);
	p = map_seg(self->fd, 8 * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, p);
	p[0] = p[2 * self->pg] = 1;		/* written: dirty */
	c = p[5 * self->pg];			/* read: resident, clean */
	(void)c;

	ASSERT_EQ(8, seg_pages(self->fd, self->id, 0, pages, 16));
	for (i = 0; i < 8; i++) {
		uint32_t want = 0;

		if (i == 0 || i == 2)
			want = SHMDEMO_PAGE_RESIDENT | SHMDEMO_PAGE_DIRTY | 1 << SHMDEMO_PAGE_MAPCOUNT_SHIFT;
		else if (i == 5)
			want = SHMDEMO_PAGE_RESIDENT | 1 << SHMDEMO_PAGE_MAPCOUNT_SHIFT;
		EXPECT_EQ(want, pages[i]) TH_LOG("page %d", i);
	}

	/* A second process maps the three cached pages: mapcount 2. */
	ASSERT_EQ(0, pipe(h.ready));
	ASSERT_EQ(0, pipe(h.release));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(h.release[1]);
		_exit(hold_mapping(&h));
	}
	close(h.release[0]);
	ASSERT_EQ(1, read(h.ready[0], &c, 1));
	ASSERT_EQ(3, seg_pages(self->fd, self->id, 0, pages, 3));
	EXPECT_EQ(2, SHMDEMO_PAGE_MAPCOUNT(pages[0]));
	EXPECT_EQ(0, pages[1]);
	EXPECT_EQ(2, SHMDEMO_PAGE_MAPCOUNT(pages[2]));
	ASSERT_EQ(1, seg_pages(self->fd, self->id, 5, pages, 1));
	EXPECT_EQ(2, SHMDEMO_PAGE_MAPCOUNT(pages[0]));
	close(h.release[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(1, seg_pages(self->fd, self->id, 5, pages, 1));
	EXPECT_EQ(1, SHMDEMO_PAGE_MAPCOUNT(pages[0]));

	/* Ranges and bad input */
	EXPECT_EQ(0, seg_pages(self->fd, self->id, 8, pages, 16));
	EXPECT_EQ(2, seg_pages(self->fd, self->id, 6, pages, 16));
	EXPECT_EQ(-EINVAL, seg_pages(self->fd, self->id, 0, pages, SHMDEMO_PAGES_MAX + 1));
	EXPECT_EQ(-EINVAL, seg_pages(self->fd, -1, 0, pages, 16));
	EXPECT_EQ(-EFAULT, seg_pages(self->fd, self->id, 0, (uint32_t *)8, 16));
	munmap(p, 8 * self->pg);
}

/* A cgroup v2 memory.* value: memory.current, or @key's line of memory.stat. */
static long cg_read(const char *cg, const char *file, const char *key)
{
	char path[512], line[256];
	size_t len = key ? strlen(key) : 0;
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			val = strtol(line, NULL, 10);
			break;
		}
		if (!strncmp(line, key, len) && line[len] == ' ') {
			val = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

struct memcg_arg {
	const char *cg;
	int fd;
	long len;
};

/* In the test cgroup: write every page of the segment, then leave. */
static int touch_in_cgroup(void *varg)
{
	struct memcg_arg *a = varg;
	char path[512], pid[32];
	long pg = shmdemo_page_size(), off;
	char *p;
	int fd, len;

	snprintf(path, sizeof(path), "%s/cgroup.procs", a->cg);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	len = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (fd < 0 || write(fd, pid, len) != len)
		return 10;
	close(fd);
	p = mmap(NULL, a->len, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
	if (p == MAP_FAILED)
		return 11;
	for (off = 0; off < a->len; off += pg)
		p[off] = 1;
	return 0;
}

/*
 * Pages are charged to the memory cgroup of the task that faulted them in,
 * as page cache ("file" in memory.stat), and stay charged after it exits.
 */
TEST_F(fault, pages_are_charged_to_the_faulting_tasks_memcg)
{
	const long n = 512;
	char cg[128];
	struct memcg_arg a = { .cg = cg, .fd = self->fd, .len = n * self->pg };
	long file0, file1, cur1;

	SHMDEMO_NEED_DEVICE(self->fd);
	if (geteuid())
		SKIP(return, "creating a cgroup needs root");
	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) &&
	    mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL))
		SKIP(return, "no cgroup v2: %s", strerror(errno));
	if (write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory"))
		SKIP(return, "memory controller not available");
	snprintf(cg, sizeof(cg), "/sys/fs/cgroup/shmdemo-test-%d", getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));

	new_seg(_metadata, self, n * self->pg);
	file0 = cg_read(cg, "memory.stat", "file");
	ASSERT_LE(0, file0);
	EXPECT_EQ(0, shmdemo_run_child(touch_in_cgroup, &a, -1, -1));
	file1 = cg_read(cg, "memory.stat", "file");
	cur1 = cg_read(cg, "memory.current", NULL);
	TH_LOG("memory.stat file %ld -> %ld bytes, memory.current %ld", file0, file1, cur1);
	EXPECT_LE(file0 + n * self->pg, file1);
	EXPECT_LE(n * self->pg, cur1);

	/* Removing the segment (and closing its last fd) uncharges its pages. */
	EXPECT_EQ(0, shmdemo_rmid(self->fd, self->id));
	self->id = -1;
	close(self->fd);
	self->fd = -1;
	EXPECT_GT(n * self->pg, cg_read(cg, "memory.stat", "file"));
	EXPECT_EQ(0, rmdir(cg));
}

/* /proc/shmdemo lists the segment with its resident pages. */
TEST_F(fault, proc_listing_shows_segment_and_counters)
{
	char line[512], want[64];
	bool found = false;
	char *p;
	FILE *f;

	SHMDEMO_NEED_DEVICE(self->fd);
	new_seg(_metadata, self, 3 * self->pg);
	p = map_seg(self->fd, 3 * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(NULL, p);
	p[0] = p[self->pg] = 1;

	f = fopen("/proc/shmdemo", "r");
	ASSERT_NE(NULL, f);
	snprintf(want, sizeof(want), " %d ", self->id);
	while (fgets(line, sizeof(line), f)) {
		int key, id, nattch_ok;
		unsigned int mode;
		unsigned long long size, nattch, res, dirty, alloc, rf, wf;

		if (!strstr(line, want))
			continue;
		nattch_ok = sscanf(line, "%d %d %o %llu %*d %*d %llu %*u %*u %*u %*u %*d %*d %*d %*s %llu %llu %llu %llu %llu",
				   &key, &id, &mode, &size, &nattch, &res, &dirty, &alloc, &rf, &wf);
		ASSERT_EQ(10, nattch_ok) TH_LOG("line: %s", line);
		if (id != self->id)
			continue;
		found = true;
		EXPECT_EQ(0600, mode);
		EXPECT_EQ(3 * self->pg, size);
		EXPECT_EQ(1, nattch);
		EXPECT_EQ(2, res);
		EXPECT_EQ(2, dirty);
		EXPECT_EQ(2, alloc);
		EXPECT_EQ(2, wf);
	}
	fclose(f);
	EXPECT_TRUE(found);
	munmap(p, 3 * self->pg);
}

TEST_HARNESS_MAIN
