// SPDX-License-Identifier: GPL-2.0
/*
 * 2 MiB folios of memory-only segments, mapped by one PMD, with no THP
 * knob and no hugetlb pool:
 *
 *  map:      mmap() and SHMDEMO_IOC_ATTACH place a mapping of 2 MiB or
 *            more at a 2 MiB-aligned address; the first touch of each
 *            aligned 2 MiB allocates one 2 MiB folio and maps it with one
 *            PMD (smaps FilePmdMapped, the module's pmd counters): one
 *            fault per 2 MiB, write or read; a second mapping and a fork
 *            child map it with one fault-around each
 *  fallback: a segment's tail, a misaligned or private mapping,
 *            MADV_NOHUGEPAGE, pmd_folios=N, part of the range cached, the
 *            creator's max_user_pages: 4 KiB pages, counted as fallbacks
 *            where a 2 MiB folio would have fitted the mapping
 *  split:    a shrink through a folio splits it and keeps every byte below
 *            the new size; partial munmap and mprotect split the PMD, not
 *            the folio
 *  knobs:    THP "never" (enabled and shmem_enabled) changes nothing
 *
 * Counts, never times.  The test compacts memory first, so that a free
 * 2 MiB block exists (the fault does not compact or reclaim for one).
 */
#include "kselftest_harness.h"
#include "shmdemo_util.h"

#define MIB		(1024UL * 1024)
#define PMD_BYTES	(2 * MIB)
#define PMD_PAGES(pg)	(PMD_BYTES / (pg))
#define THP_DIR		"/sys/kernel/mm/transparent_hugepage/"

/* kB of @field in the smaps entry of the VMA holding @addr; -1 if none. */
static long smaps_kb(const void *addr, const char *field)
{
	unsigned long start, end, a = (uintptr_t)addr;
	size_t flen = strlen(field);
	bool in = false;
	char line[512];
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 && strchr(line, '-') &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = a >= start && a < end;
			continue;
		}
		if (in && !strncmp(line, field, flen) && line[flen] == ':') {
			kb = strtol(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/* The selected word of a THP sysfs file ("always [madvise] never"). */
static bool read_thp_mode(const char *name, char *out, size_t len)
{
	char path[128], buf[128], *l, *r;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), THP_DIR "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (!r)
		return false;
	*r = '\0';
	snprintf(out, len, "%s", l + 1);
	return true;
}

/* The bool parameter reads "Y" or "N". */
static bool pmd_folios_on(void)
{
	char buf[4] = "";
	int fd = open(SHMDEMO_PARAM_DIR "pmd_folios", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, buf, sizeof(buf) - 1) <= 0)
		buf[0] = 0;
	close(fd);
	return buf[0] == 'Y';
}

FIXTURE(pmd) {
	int dev;	/* /dev/shmdemo, never bound */
	long pg;
	int ids[4];
	int nids;
};

FIXTURE_SETUP(pmd)
{
	self->pg = shmdemo_page_size();
	self->nids = 0;
	self->dev = shmdemo_open(O_RDWR);
	if (self->dev == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->dev);
	if (access(THP_DIR "enabled", F_OK))
		SKIP(return, "kernel without transparent huge pages: no PMD mappings of files");
	if (geteuid())
		SKIP(return, "needs root (compacts memory for a free 2 MiB block)");
	ASSERT_TRUE(pmd_folios_on());
	ASSERT_EQ(0, write_file("/proc/sys/vm/compact_memory", "1"));
}

FIXTURE_TEARDOWN(pmd)
{
	int i;

	if (self->dev < 0)
		return;
	shmdemo_param_set("pmd_folios", 1);
	for (i = 0; i < self->nids; i++)
		shmdemo_rmid(self->dev, self->ids[i]);
	close(self->dev);
}

#define NEED_SETUP()							\
	do {								\
		SHMDEMO_NEED_DEVICE(self->dev);				\
		if (access(THP_DIR "enabled", F_OK) || geteuid())	\
			SKIP(return, "see the fixture");		\
	} while (0)

/* A new segment of @bytes and a descriptor bound to it (*@fd). */
static int new_seg(struct __test_metadata *_metadata, FIXTURE_DATA(pmd) *self,
		   uint64_t bytes, int *fd)
{
	int id;

	*fd = shmdemo_open(O_RDWR);
	EXPECT_LE(0, *fd);
	id = *fd < 0 ? -1 : shmdemo_new_bound(*fd, bytes);
	EXPECT_LE(0, id);
	if (id >= 0 && self->nids < (int)ARRAY_SIZE(self->ids))
		self->ids[self->nids++] = id;
	return id;
}

static struct shmdemo_stat stat_of(struct __test_metadata *_metadata, int dev, int id)
{
	struct shmdemo_stat st;

	EXPECT_EQ(0, shmdemo_stat(dev, id, &st));
	return st;
}

/* Write one byte of each page of [p, p + len): a recognisable pattern. */
static void stamp(char *p, size_t len, long pg)
{
	size_t i;

	for (i = 0; i < len; i += pg)
		p[i] = (char)(1 + (i / pg) % 251);
}

/* Pages [first, first + n) of the mapping @p that hold their stamp. */
static size_t stamped(const char *p, size_t first, size_t n, long pg)
{
	size_t i, ok = 0;

	for (i = first; i < first + n; i++)
		ok += p[i * pg] == (char)(1 + i % 251);
	return ok;
}

#define stamped_pages(p, len, pg)	stamped(p, 0, (len) / (pg), pg)

TEST_F(pmd, first_write_maps_each_aligned_2mib_with_one_fault)
{
	struct shmdemo_stat st;
	size_t len = 2 * PMD_BYTES;
	uint64_t flt;
	char *p;
	int fd, id;

	NEED_SETUP();
	id = new_seg(_metadata, self, len, &fd);
	ASSERT_LE(0, id);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, (uintptr_t)p % PMD_BYTES) TH_LOG("mmap at %p: not 2 MiB-aligned", p);

	flt = shmdemo_minflt();
	stamp(p, PMD_BYTES, self->pg);		/* 512 writes, one fault */
	EXPECT_EQ(1, shmdemo_minflt() - flt);
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(1, st.counters.write_faults);
	EXPECT_EQ(0, st.counters.read_faults);
	EXPECT_EQ(PMD_PAGES(self->pg), st.counters.pages_alloc);
	EXPECT_EQ(PMD_PAGES(self->pg), st.counters.pages_resident);
	EXPECT_EQ(PMD_PAGES(self->pg), st.counters.pages_dirty);
	EXPECT_EQ(1, st.pmd.folios_alloc);
	EXPECT_EQ(1, st.pmd.folios_resident);
	EXPECT_EQ(0, st.pmd.fallbacks);
	EXPECT_EQ(2048, smaps_kb(p, "FilePmdMapped"));

	/* A read fault on the second 2 MiB: zeroes, one PMD too. */
	flt = shmdemo_minflt();
	EXPECT_EQ(0, p[PMD_BYTES]);
	EXPECT_EQ(0, p[len - 1]);
	EXPECT_EQ(1, shmdemo_minflt() - flt);
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(1, st.counters.read_faults);
	EXPECT_EQ(2, st.pmd.folios_alloc);
	EXPECT_EQ(2 * PMD_PAGES(self->pg), st.counters.pages_resident);
	EXPECT_EQ(PMD_PAGES(self->pg), st.counters.pages_dirty);	/* read: clean */
	EXPECT_EQ(4096, smaps_kb(p, "FilePmdMapped"));
	EXPECT_EQ(PMD_PAGES(self->pg), stamped_pages(p, PMD_BYTES, self->pg));
	munmap(p, len);
	close(fd);
}

/*
 * A second mapping and a fork child: one fault-around maps 2 MiB.  They
 * map the first 4 MiB of 6: on 6.12, fault-around maps neither a PMD nor
 * PTEs of the last folio before the end of the file (its new i_size check;
 * the fault path then maps it, in the same one fault), which a test of
 * fault-around must stay clear of.
 */
TEST_F(pmd, second_mapping_and_fork_child_map_2mib_per_fault)
{
	size_t len = 3 * PMD_BYTES, part = 2 * PMD_BYTES;
	long pages = part / self->pg;
	struct shmdemo_stat st;
	char *p, *q;
	int fd, id, status;
	pid_t pid;

	NEED_SETUP();
	id = new_seg(_metadata, self, len, &fd);
	ASSERT_LE(0, id);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	stamp(p, len, self->pg);
	st = stat_of(_metadata, self->dev, id);
	ASSERT_EQ(3, st.pmd.folios_alloc);

	q = mmap(NULL, part, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(pages, stamped_pages(q, part, self->pg));
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(2, st.counters.read_faults);
	EXPECT_EQ(pages, st.counters.around_pages);
	EXPECT_EQ(3, st.pmd.folios_alloc);		/* nothing new */
	EXPECT_EQ(4096, smaps_kb(q, "FilePmdMapped"));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* A shared mapping is not copied at fork: the child faults. */
		_exit((long)stamped_pages(p, part, self->pg) == pages &&
		      smaps_kb(p, "FilePmdMapped") == 4096 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(4, st.counters.read_faults);
	EXPECT_EQ(2 * pages, st.counters.around_pages);
	munmap(q, part);
	munmap(p, len);
	close(fd);
}

/* The attach request aligns too, and so one write maps 2 MiB. */
TEST_F(pmd, attach_request_aligns_for_a_pmd)
{
	struct shmdemo_attach a = { .size = sizeof(a) };
	struct shmdemo_stat st;
	int fd, id;
	char *p;

	NEED_SETUP();
	id = new_seg(_metadata, self, PMD_BYTES, &fd);
	ASSERT_LE(0, id);
	a.id = id;
	ASSERT_EQ(0, shmdemo_ioctl(self->dev, SHMDEMO_IOC_ATTACH, &a));
	p = (char *)(uintptr_t)a.addr;
	EXPECT_EQ(0, a.addr % PMD_BYTES);
	p[12345] = 1;
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(1, st.pmd.folios_alloc);
	EXPECT_EQ(1, st.counters.write_faults);
	EXPECT_EQ(2048, smaps_kb(p, "FilePmdMapped"));
	munmap(p, PMD_BYTES);
	close(fd);
}

/*
 * Where a PMD can't map 2 MiB, pages: the segment's tail, a mapping at an
 * address not congruent to its offset, a private mapping, MADV_NOHUGEPAGE
 * and pmd_folios=N.  None of these is a fallback: no 2 MiB folio fitted.
 */
TEST_F(pmd, no_2mib_folio_where_no_pmd_can_map_it)
{
	size_t len = PMD_BYTES + 2 * self->pg;	/* 2 MiB and a tail of 2 pages */
	struct shmdemo_stat st;
	char *p, *area;
	int fd, id;

	NEED_SETUP();
	id = new_seg(_metadata, self, len, &fd);
	ASSERT_LE(0, id);

	/* Misaligned: the segment's 2 MiB at an address 4 KiB past a boundary. */
	area = mmap(NULL, 2 * PMD_BYTES + len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	p = (char *)(((uintptr_t)area + PMD_BYTES) & ~(PMD_BYTES - 1)) + self->pg;
	ASSERT_EQ(p, mmap(p, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0));
	p[0] = 1;
	p[PMD_BYTES - 1] = 2;
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(2, st.counters.pages_alloc);
	EXPECT_EQ(0, st.pmd.folios_alloc);
	EXPECT_EQ(0, st.pmd.fallbacks);
	munmap(area, 2 * PMD_BYTES + len);

	/* Private: the core copies pages on write anyway. */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, (uintptr_t)p % PMD_BYTES);
	EXPECT_EQ(0, p[5 * self->pg]);
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(3, st.counters.pages_alloc);
	EXPECT_EQ(0, st.pmd.folios_alloc);
	munmap(p, len);

	/* Aligned and shared, but the tail: pages past the last whole 2 MiB. */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[PMD_BYTES] = 3;
	p[PMD_BYTES + self->pg] = 4;
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(5, st.counters.pages_alloc);
	EXPECT_EQ(0, st.pmd.folios_alloc);
	EXPECT_EQ(0, st.pmd.fallbacks);

	/* The first 2 MiB has pages already: a fallback, and a page. */
	p[7 * self->pg] = 5;
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(6, st.counters.pages_alloc);
	EXPECT_EQ(0, st.pmd.folios_alloc);
	EXPECT_EQ(1, st.pmd.fallbacks);
	EXPECT_EQ(0, smaps_kb(p, "FilePmdMapped"));
	EXPECT_EQ(1, p[0]);
	EXPECT_EQ(2, p[PMD_BYTES - 1]);
	munmap(p, len);
	close(fd);
}

TEST_F(pmd, nohugepage_and_the_module_parameter_turn_it_off)
{
	size_t len = 2 * PMD_BYTES;
	struct shmdemo_stat st;
	int fd, id;
	char *p;

	NEED_SETUP();
	id = new_seg(_metadata, self, len, &fd);
	ASSERT_LE(0, id);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, PMD_BYTES, MADV_NOHUGEPAGE));
	p[0] = 1;
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(1, st.counters.pages_alloc);
	EXPECT_EQ(0, st.pmd.folios_alloc);

	ASSERT_EQ(0, shmdemo_param_set("pmd_folios", 0));
	p[PMD_BYTES] = 2;
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(2, st.counters.pages_alloc);
	EXPECT_EQ(0, st.pmd.folios_alloc);
	EXPECT_EQ(0, st.pmd.fallbacks);
	EXPECT_EQ(0, smaps_kb(p, "FilePmdMapped"));
	ASSERT_EQ(0, shmdemo_param_set("pmd_folios", 1));
	munmap(p, len);
	close(fd);
}

/*
 * An unprivileged creator whose limit was lowered below 2 MiB after the
 * creation (which checks the size): pages, up to the limit, then SIGBUS.
 */
struct limited {
	long pg;
	int ready[2], go[2];	/* child -> parent: mapped; parent -> child: touch */
};

static int limited_child(void *arg)
{
	struct limited *l = arg;
	struct shmdemo_stat st;
	int fd = shmdemo_open(O_RDWR), dev = shmdemo_open(O_RDWR), id, i, ret = 0;
	char *p, c = 0;

	if (fd < 0 || dev < 0)
		return 10;
	id = shmdemo_new_bound(fd, PMD_BYTES);
	if (id < 0)
		return 11;
	p = mmap(NULL, PMD_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || write(l->ready[1], "m", 1) != 1 || read(l->go[0], &c, 1) != 1)
		ret = 12;
	for (i = 0; !ret && i < 10; i++)
		if (shmdemo_touch_signal(p + i * l->pg, true) != 0)
			ret = 13;
	if (!ret && shmdemo_touch_signal(p + 10 * l->pg, true) != SIGBUS)
		ret = 14;
	if (!ret && shmdemo_stat(dev, id, &st))
		ret = 15;
	shmdemo_rmid(dev, id);
	/* 10 pages resident, each fault a fallback first; no 2 MiB folio. */
	if (!ret && (st.counters.pages_resident != 10 || st.pmd.folios_alloc ||
		     st.pmd.fallbacks != 11))
		ret = 16;
	return ret;
}

TEST_F(pmd, a_creator_over_its_limit_gets_pages_then_sigbus)
{
	struct limited l = { .pg = self->pg };
	long old;
	char c;
	pid_t pid;
	int status;

	NEED_SETUP();
	old = shmdemo_param_get("max_user_pages");
	ASSERT_LT(0, old);
	ASSERT_EQ(0, pipe(l.ready));
	ASSERT_EQ(0, pipe(l.go));
	ASSERT_EQ(0, shmdemo_param_set("max_user_pages", 1024));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(99);
		_exit(limited_child(&l));
	}
	EXPECT_EQ(1, read(l.ready[0], &c, 1));
	EXPECT_EQ(0, shmdemo_param_set("max_user_pages", 10));
	EXPECT_EQ(1, write(l.go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status) TH_LOG("child step %d", WEXITSTATUS(status));
	ASSERT_EQ(0, shmdemo_param_set("max_user_pages", old));
}

/*
 * A shrink through a 2 MiB folio splits it: the pages below the new size
 * keep every byte, the ones past it go (and are given back to the
 * creator), and a growth later brings zeroes, in pages.
 */
TEST_F(pmd, shrink_cuts_the_folio_into_pages_and_keeps_what_is_below)
{
	size_t len = 2 * PMD_BYTES, cut = PMD_BYTES + MIB + 100;
	long pages = PMD_PAGES(self->pg);
	struct shmdemo_stat st;
	size_t i;
	char *p;
	int fd, id;

	NEED_SETUP();
	id = new_seg(_metadata, self, len, &fd);
	ASSERT_LE(0, id);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x5a, len);
	st = stat_of(_metadata, self->dev, id);
	ASSERT_EQ(2, st.pmd.folios_resident);

	ASSERT_EQ(0, shmdemo_resize(self->dev, id, cut));
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(1, st.pmd.folios_resident);
	EXPECT_EQ(pages + (MIB + 100 + self->pg - 1) / self->pg, st.counters.pages_resident);
	EXPECT_EQ(2048, smaps_kb(p, "FilePmdMapped"));	/* the first is still one PMD */
	for (i = 0; i < cut; i++)
		if (p[i] != 0x5a)
			break;
	EXPECT_EQ(cut, i);
	EXPECT_EQ(0, p[cut]);			/* the last page's tail is zero */
	EXPECT_EQ(SIGBUS, shmdemo_touch_signal(p + PMD_BYTES + MIB + self->pg, false));

	/* Grown back: the rest of the range is pages now (the range has pages). */
	ASSERT_EQ(0, shmdemo_resize(self->dev, id, len));
	EXPECT_EQ(0, p[len - 1]);
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(1, st.pmd.folios_resident);
	EXPECT_EQ(1, st.pmd.fallbacks);
	EXPECT_EQ(pages + (MIB + 100 + self->pg - 1) / self->pg + 1, st.counters.pages_resident);
	munmap(p, len);
	close(fd);
}

/* munmap of a page and mprotect of a half split the PMD, not the folio. */
TEST_F(pmd, partial_munmap_and_mprotect_split_the_mapping_only)
{
	struct shmdemo_stat st;
	char *p;
	int fd, id;

	NEED_SETUP();
	id = new_seg(_metadata, self, PMD_BYTES, &fd);
	ASSERT_LE(0, id);
	p = mmap(NULL, PMD_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	stamp(p, PMD_BYTES, self->pg);
	ASSERT_EQ(2048, smaps_kb(p, "FilePmdMapped"));

	ASSERT_EQ(0, munmap(p + 100 * self->pg, self->pg));
	EXPECT_EQ(0, smaps_kb(p, "FilePmdMapped"));
	ASSERT_EQ(0, mprotect(p, 50 * self->pg, PROT_READ));
	EXPECT_EQ(SIGSEGV, shmdemo_touch_signal(p + 3 * self->pg, true));
	EXPECT_EQ(0, shmdemo_touch_signal(p + 60 * self->pg, true));	/* writes 1 */
	EXPECT_EQ(1, p[60 * self->pg]);
	EXPECT_EQ(99, stamped(p, 0, 100, self->pg));
	EXPECT_EQ(PMD_PAGES(self->pg) - 101, stamped(p, 101, PMD_PAGES(self->pg) - 101, self->pg));
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(1, st.pmd.folios_resident);
	EXPECT_EQ(1, st.pmd.folios_alloc);
	EXPECT_EQ(3, st.nattch);	/* [0, 50) ro, [50, 100) rw, [101, 512) */
	munmap(p, PMD_BYTES);
	close(fd);
}

/* PAGES shows the folio: every page of it PMD, dirty with it. */
TEST_F(pmd, pages_reports_the_folio)
{
	uint32_t v[3] = { 0 };
	struct shmdemo_pages req = {
		.size = sizeof(req), .start = PMD_PAGES(self->pg) - 1, .count = 3,
		.pages_ptr = (uintptr_t)v,
	};
	char *p;
	int fd, id;

	NEED_SETUP();
	id = new_seg(_metadata, self, PMD_BYTES + self->pg, &fd);
	ASSERT_LE(0, id);
	p = mmap(NULL, PMD_BYTES + self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	EXPECT_EQ(0, p[PMD_BYTES]);	/* the tail page, read */
	req.id = id;
	ASSERT_EQ(0, shmdemo_ioctl(self->dev, SHMDEMO_IOC_PAGES, &req));
	EXPECT_EQ(2, req.count);
	EXPECT_EQ(SHMDEMO_PAGE_RESIDENT | SHMDEMO_PAGE_DIRTY | SHMDEMO_PAGE_PMD |
		  1 << SHMDEMO_PAGE_MAPCOUNT_SHIFT, v[0]);
	EXPECT_EQ(SHMDEMO_PAGE_RESIDENT | 1 << SHMDEMO_PAGE_MAPCOUNT_SHIFT, v[1]);
	munmap(p, PMD_BYTES + self->pg);
	close(fd);
}

/* THP "never", for files and shmem alike: our folios don't ask. */
TEST_F(pmd, thp_never_changes_nothing)
{
	char enabled[32], shmem[32] = "";
	bool have_shmem;
	struct shmdemo_stat st;
	char *p;
	int fd, id;

	NEED_SETUP();
	ASSERT_TRUE(read_thp_mode("enabled", enabled, sizeof(enabled)));
	have_shmem = read_thp_mode("shmem_enabled", shmem, sizeof(shmem));
	ASSERT_EQ(0, write_file(THP_DIR "enabled", "never"));
	if (have_shmem)
		ASSERT_EQ(0, write_file(THP_DIR "shmem_enabled", "never"));

	id = new_seg(_metadata, self, PMD_BYTES, &fd);
	p = id < 0 ? MAP_FAILED : mmap(NULL, PMD_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_NE(MAP_FAILED, p);
	if (p != MAP_FAILED) {
		p[0] = 1;
		st = stat_of(_metadata, self->dev, id);
		EXPECT_EQ(1, st.pmd.folios_alloc);
		EXPECT_EQ(2048, smaps_kb(p, "FilePmdMapped"));
		munmap(p, PMD_BYTES);
	}
	EXPECT_EQ(0, write_file(THP_DIR "enabled", enabled));
	if (have_shmem)
		EXPECT_EQ(0, write_file(THP_DIR "shmem_enabled", shmem));
	close(fd);
}

TEST_HARNESS_MAIN
