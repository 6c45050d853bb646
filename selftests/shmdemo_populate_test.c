// SPDX-License-Identifier: GPL-2.0
/*
 * The fault path's two knobs:
 *
 *  fault-around: SET's fault_around_bytes, per segment - one page (none),
 *          the kernel's (0), up to 2 MiB (a page table): a second reader
 *          of N cached pages takes N / window read faults, exactly; the
 *          value rules (powers of two, VER1 struct)
 *  populate: POPULATE fills a range of the page cache in one pass without
 *          a fault (2 MiB folios where they fit, pages elsewhere), adds
 *          nothing twice, and its errors; ATTACH's POPULATE maps all of it
 *          too, so touching the whole segment takes no fault at all
 */
#include "kselftest_harness.h"
#include "shmdemo_util.h"

#define PMD_BYTES	(2UL << 20)

FIXTURE(knobs) {
	int dev;
	long pg;
	int ids[4];
	int nids;
};

FIXTURE_SETUP(knobs)
{
	self->pg = shmdemo_page_size();
	self->nids = 0;
	self->dev = shmdemo_open(O_RDWR);
	if (self->dev == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(knobs)
{
	int i;

	for (i = 0; i < self->nids; i++)
		shmdemo_rmid(self->dev, self->ids[i]);
	if (self->dev >= 0)
		close(self->dev);
}

/* A new segment and a descriptor bound to it (*@fd). */
static int new_seg(struct __test_metadata *_metadata, FIXTURE_DATA(knobs) *self,
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

static int set_around(int dev, int id, uint32_t bytes)
{
	struct shmdemo_set s = {
		.size = sizeof(s), .id = id, .valid = SHMDEMO_SET_FAULT_AROUND,
		.fault_around_bytes = bytes,
	};

	return shmdemo_ioctl(dev, SHMDEMO_IOC_SET, &s);
}

static int populate(int dev, int id, uint64_t start, uint64_t len, uint64_t *pages)
{
	struct shmdemo_populate p = { .size = sizeof(p), .id = id, .start = start, .len = len };
	int ret = shmdemo_ioctl(dev, SHMDEMO_IOC_POPULATE, &p);

	if (pages)
		*pages = p.pages;
	return ret;
}

static struct shmdemo_stat stat_of(struct __test_metadata *_metadata, int dev, int id)
{
	struct shmdemo_stat st;

	EXPECT_EQ(0, shmdemo_stat(dev, id, &st));
	return st;
}

/* @len of @fd mapped read-only at a 2 MiB-aligned address (windows align). */
static char *map_aligned(int fd, size_t len, int prot)
{
	char *area = mmap(NULL, len + PMD_BYTES, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;

	if (area == MAP_FAILED)
		return MAP_FAILED;
	p = (char *)(((uintptr_t)area + PMD_BYTES - 1) & ~(PMD_BYTES - 1));
	if (mmap(p, len, prot, MAP_SHARED | MAP_FIXED, fd, 0) != p)
		p = MAP_FAILED;
	/* Keep the reservation around it: nothing else lands there. */
	return p;
}

/*
 * 256 cached pages (1 MiB: no 2 MiB folio), read by a new mapping under
 * each setting: read faults = 256 / window, and fault-around maps the rest.
 */
TEST_F(knobs, fault_around_per_segment_sets_the_window)
{
	const long n = 256;
	static const struct { uint32_t bytes; long faults, around; } cases[] = {
		{ 4096, 256, 0 },		/* none: ->fault for every page */
		{ 65536, 16, 256 },
		{ 262144, 4, 256 },
		{ 1 << 20, 1, 256 },
		{ 2 << 20, 1, 256 },		/* the VMA ends first */
	};
	struct shmdemo_stat st, before;
	size_t i;
	long j;
	char *p;
	int fd, id;

	SHMDEMO_NEED_DEVICE(self->dev);
	if (self->pg != 4096)
		SKIP(return, "the windows below are for 4 KiB pages");
	id = new_seg(_metadata, self, n * self->pg, &fd);
	ASSERT_LE(0, id);
	p = mmap(NULL, n * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (j = 0; j < n; j++)
		p[j * self->pg] = (char)j;
	munmap(p, n * self->pg);

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, set_around(self->dev, id, cases[i].bytes));
		st = stat_of(_metadata, self->dev, id);
		EXPECT_EQ(cases[i].bytes, st.fault_around_bytes);
		before = st;
		p = map_aligned(fd, n * self->pg, PROT_READ);
		ASSERT_NE(MAP_FAILED, p);
		for (j = 0; j < n; j++)
			ASSERT_EQ((char)j, p[j * self->pg]);
		st = stat_of(_metadata, self->dev, id);
		EXPECT_EQ(cases[i].faults, st.counters.read_faults - before.counters.read_faults)
			TH_LOG("fault_around_bytes %u", cases[i].bytes);
		EXPECT_EQ(cases[i].around, st.counters.around_pages - before.counters.around_pages)
			TH_LOG("fault_around_bytes %u", cases[i].bytes);
		EXPECT_EQ(n, st.counters.pages_alloc);
		munmap(p, n * self->pg);
	}
	/* 0: the kernel's again. */
	ASSERT_EQ(0, set_around(self->dev, id, 0));
	EXPECT_EQ(0, stat_of(_metadata, self->dev, id).fault_around_bytes);
	close(fd);
}

TEST_F(knobs, fault_around_values_are_powers_of_two_up_to_2mib)
{
	struct shmdemo_set old = {
		.size = SHMDEMO_SET_SIZE_VER0, .valid = SHMDEMO_SET_FAULT_AROUND,
	};
	struct shmdemo_set res = {
		.size = sizeof(res), .valid = SHMDEMO_SET_FAULT_AROUND, .__reserved = 1,
	};
	int fd, id;

	SHMDEMO_NEED_DEVICE(self->dev);
	id = new_seg(_metadata, self, self->pg, &fd);
	ASSERT_LE(0, id);
	EXPECT_EQ(-EINVAL, set_around(self->dev, id, 3000));
	EXPECT_EQ(-EINVAL, set_around(self->dev, id, 3 * self->pg));
	EXPECT_EQ(-EINVAL, set_around(self->dev, id, self->pg / 2));
	EXPECT_EQ(-EINVAL, set_around(self->dev, id, 4 << 20));
	EXPECT_EQ(0, set_around(self->dev, id, 2 << 20));
	EXPECT_EQ(0, set_around(self->dev, id, self->pg));
	EXPECT_EQ(self->pg, stat_of(_metadata, self->dev, id).fault_around_bytes);
	/* The VER0 struct has no such field; the VER1 one's reserved word is 0. */
	old.id = id;
	EXPECT_EQ(-EINVAL, shmdemo_ioctl(self->dev, SHMDEMO_IOC_SET, &old));
	res.id = id;
	EXPECT_EQ(-EINVAL, shmdemo_ioctl(self->dev, SHMDEMO_IOC_SET, &res));
	EXPECT_EQ(self->pg, stat_of(_metadata, self->dev, id).fault_around_bytes);
	close(fd);
}

/* 4 MiB and 3 pages: two 2 MiB folios and three pages, no fault. */
TEST_F(knobs, populate_fills_the_cache_in_one_pass)
{
	size_t len = 2 * PMD_BYTES + 3 * self->pg;
	long pages = len / self->pg;
	struct shmdemo_stat st;
	uint64_t added, flt;
	size_t i;
	char *p;
	int fd, id;

	SHMDEMO_NEED_DEVICE(self->dev);
	id = new_seg(_metadata, self, len, &fd);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, populate(self->dev, id, 0, 0, &added));
	EXPECT_EQ(pages, added);
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(pages, st.counters.pages_resident);
	EXPECT_EQ(pages, st.counters.pages_alloc);
	EXPECT_EQ(0, st.counters.read_faults + st.counters.write_faults);
	if (!access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK))
		EXPECT_EQ(2, st.pmd.folios_resident);
	/* Nothing twice. */
	ASSERT_EQ(0, populate(self->dev, id, 0, 0, &added));
	EXPECT_EQ(0, added);

	/* Writing all of it: a fault per 2 MiB and per tail page, nothing new. */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	flt = shmdemo_minflt();
	for (i = 0; i < len; i += self->pg)
		p[i] = 1;
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(pages, st.counters.pages_alloc);
	if (!access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK)) {
		EXPECT_EQ(5, st.counters.write_faults);
		EXPECT_EQ(5, shmdemo_minflt() - flt);
	}
	munmap(p, len);
	close(fd);
}

TEST_F(knobs, populate_takes_a_range_and_says_what_is_wrong)
{
	struct shmdemo_populate bad = { .size = sizeof(bad) };
	uint64_t added;
	int fd, id, file, fid;
	char path[] = "/tmp/shmdemo-populate-test.XXXXXX";
	struct shmdemo_get g = {
		.size = sizeof(g), .key = SHMDEMO_KEY_PRIVATE,
		.flags = SHMDEMO_GET_CREATE | SHMDEMO_GET_FILE, .mode = 0600,
	};

	SHMDEMO_NEED_DEVICE(self->dev);
	id = new_seg(_metadata, self, 8 * self->pg, &fd);
	ASSERT_LE(0, id);
	/* Bytes 4097..8192: page 1 only; a length past the end is cut off. */
	ASSERT_EQ(0, populate(self->dev, id, self->pg + 1, self->pg - 1, &added));
	EXPECT_EQ(1, added);
	ASSERT_EQ(0, populate(self->dev, id, 6 * self->pg, 100 * self->pg, &added));
	EXPECT_EQ(2, added);
	EXPECT_EQ(3, stat_of(_metadata, self->dev, id).counters.pages_resident);

	EXPECT_EQ(-EINVAL, populate(self->dev, id, 8 * self->pg, 0, NULL));
	EXPECT_EQ(-EINVAL, populate(self->dev, id + 1, 0, 0, NULL));
	bad.id = id;
	bad.flags = 1;
	EXPECT_EQ(-EINVAL, shmdemo_ioctl(self->dev, SHMDEMO_IOC_POPULATE, &bad));
	bad.flags = 0;
	bad.__reserved = 1;
	EXPECT_EQ(-EINVAL, shmdemo_ioctl(self->dev, SHMDEMO_IOC_POPULATE, &bad));
	bad.__reserved = 0;
	bad.pages = 1;
	EXPECT_EQ(-EINVAL, shmdemo_ioctl(self->dev, SHMDEMO_IOC_POPULATE, &bad));

	/* A file-backed segment reads ahead with POSIX_FADV_WILLNEED instead. */
	file = mkstemp(path);
	ASSERT_LE(0, file);
	unlink(path);
	ASSERT_EQ(0, ftruncate(file, 4 * self->pg));
	g.fd = file;
	ASSERT_EQ(0, shmdemo_ioctl(self->dev, SHMDEMO_IOC_GET, &g));
	fid = g.id;
	EXPECT_EQ(-EOPNOTSUPP, populate(self->dev, fid, 0, 0, NULL));
	shmdemo_rmid(self->dev, fid);
	close(file);
	close(fd);
}

/* Without read permission: EACCES, nothing added. */
static int stranger_populates(void *arg)
{
	int dev = shmdemo_open(O_RDWR), id = *(int *)arg;

	return dev >= 0 && populate(dev, id, 0, 0, NULL) == -EACCES ? 0 : 1;
}

TEST_F(knobs, populate_needs_read_permission)
{
	int fd, id;

	SHMDEMO_NEED_DEVICE(self->dev);
	if (geteuid())
		SKIP(return, "needs root to become nobody");
	id = new_seg(_metadata, self, 4 * self->pg, &fd);
	ASSERT_LE(0, id);
	EXPECT_EQ(0, shmdemo_run_child(stranger_populates, &id, 65534, 65534));
	EXPECT_EQ(0, stat_of(_metadata, self->dev, id).counters.pages_resident);
	close(fd);
}

/* ATTACH with POPULATE: the whole segment mapped, touching it takes no fault. */
TEST_F(knobs, attach_populate_maps_it_all)
{
	struct shmdemo_attach a = { .size = sizeof(a), .flags = SHMDEMO_ATTACH_POPULATE };
	size_t len = 2 * PMD_BYTES + 64 * self->pg, i;
	struct shmdemo_stat st, before;
	uint64_t flt;
	char *p;
	int fd, id;

	SHMDEMO_NEED_DEVICE(self->dev);
	id = new_seg(_metadata, self, len, &fd);
	ASSERT_LE(0, id);
	a.id = id;
	ASSERT_EQ(0, shmdemo_ioctl(self->dev, SHMDEMO_IOC_ATTACH, &a));
	p = (char *)(uintptr_t)a.addr;
	before = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(len / self->pg, before.counters.pages_resident);
	flt = shmdemo_minflt();
	for (i = 0; i < len; i += self->pg)
		EXPECT_EQ(0, p[i]);
	for (i = 0; i < len; i += self->pg)
		p[i] = 1;
	EXPECT_EQ(0, shmdemo_minflt() - flt);
	st = stat_of(_metadata, self->dev, id);
	EXPECT_EQ(before.counters.read_faults, st.counters.read_faults);
	EXPECT_EQ(before.counters.write_faults, st.counters.write_faults);
	munmap(p, len);
	close(fd);
}

TEST_HARNESS_MAIN
