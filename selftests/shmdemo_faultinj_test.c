// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures, injected one at a time with fail-nth (the technique
 * syzkaller uses): for n = 1, 2, ... the n-th fault-injection point the
 * calling thread passes (slab and page allocations, failslab and
 * fail_page_alloc) fails; the request must then return its documented
 * error (ENOMEM) or succeed, never leak (segments, pages and the per-user
 * charge are back where they were; kmemleak, scanned by the VM runner on
 * the debug kernel, finds nothing), never oops.  n grows until the request
 * completes without reaching the n-th point.  A page fault whose
 * allocation fails is retried by the core mm (VM_FAULT_OOM, as for shmem)
 * and must still map a zeroed page.
 *
 * Needs a kernel with CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB,
 * CONFIG_FAIL_PAGE_ALLOC and debugfs - the debug kernel of `make
 * check-debug`; elsewhere it SKIPs.  Needs root (debugfs settings).
 */
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

#define MAX_NTH		400	/* more injection points than any request has */
#define DBG		"/sys/kernel/debug/"

/* debugfs settings changed by the fixture, restored by the teardown. */
static const char *const knobs[][2] = {
	{ DBG "failslab/ignore-gfp-wait", "N" },
	{ DBG "failslab/verbose", "0" },
	{ DBG "fail_page_alloc/ignore-gfp-wait", "N" },
	{ DBG "fail_page_alloc/ignore-gfp-highmem", "N" },
	{ DBG "fail_page_alloc/min-order", "0" },
	{ DBG "fail_page_alloc/verbose", "0" },
};
#define NR_KNOBS	ARRAY_SIZE(knobs)

static int read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* This thread's fail-nth: arm it with @n, or read what is left of it. */
static int fail_nth_fd(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", (long)syscall(SYS_gettid));
	return open(path, O_RDWR | O_CLOEXEC);
}

static void fail_nth_set(int fd, int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	if (pwrite(fd, buf, len, 0) != len)
		abort();
}

static int fail_nth_left(int fd)
{
	char buf[16] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		abort();
	return atoi(buf);
}

FIXTURE(faultinj) {
	int fd;
	long pg;
	bool ready;	/* fault injection set up: the 6.1 harness runs the body after a SKIP */
	bool saved;
	char old[NR_KNOBS][16];
	struct shmdemo_info before;
};

FIXTURE_SETUP(faultinj)
{
	unsigned int i;
	int nth;

	self->saved = false;
	self->ready = false;
	self->pg = shmdemo_page_size();
	self->fd = shmdemo_open(O_RDWR);
	if (self->fd == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->fd);
	nth = fail_nth_fd();
	if (nth < 0 || access(DBG "failslab", F_OK) || access(DBG "fail_page_alloc", F_OK))
		SKIP(return, "kernel without fault injection (FAILSLAB, FAIL_PAGE_ALLOC, debugfs): `make check-debug` runs this");
	close(nth);
	if (geteuid())
		SKIP(return, "needs root (debugfs fault-injection settings)");
	for (i = 0; i < NR_KNOBS; i++)
		ASSERT_EQ(0, read_str(knobs[i][0], self->old[i], sizeof(self->old[i])));
	self->saved = true;
	for (i = 0; i < NR_KNOBS; i++)
		ASSERT_EQ(0, shmdemo_write_file(knobs[i][0], knobs[i][1])) TH_LOG("%s", knobs[i][0]);
	ASSERT_EQ(0, shmdemo_info(self->fd, &self->before));
	self->ready = true;
}

#define NEED_FAULT_INJECTION()						\
	do {								\
		if (!self->ready)					\
			SKIP(return, "no device or no fault injection (see above)"); \
	} while (0)

FIXTURE_TEARDOWN(faultinj)
{
	unsigned int i;

	for (i = 0; self->saved && i < NR_KNOBS; i++) {
		EXPECT_EQ(0, shmdemo_write_file(knobs[i][0], self->old[i])) TH_LOG("%s", knobs[i][0]);
	}
	if (self->fd >= 0)
		close(self->fd);
}

/* What one request returned under each n; filled by inject_each(). */
struct nth_result {
	int points;		/* injection points the request passes */
	int ok, enomem, other;
	int other_err;		/* the first unexpected result */
};

/*
 * Run @op once per injection point, failing the n-th.  @op returns 0 or
 * -errno; anything but 0 and the errors in @allowed is counted in other.
 */
static void inject_each(int (*op)(void *arg), void *arg, const int *allowed,
			struct nth_result *r)
{
	int fd = fail_nth_fd(), n, ret, i;

	memset(r, 0, sizeof(*r));
	if (fd < 0)
		abort();
	for (n = 1; n <= MAX_NTH; n++) {
		const int *e;
		bool expected = false;

		fail_nth_set(fd, n);
		ret = op(arg);
		i = fail_nth_left(fd);
		fail_nth_set(fd, 0);
		if (ret == 0)
			r->ok++;
		else if (ret == -ENOMEM)
			r->enomem++;
		for (e = allowed; e && *e; e++)
			expected |= ret == -*e;
		if (ret && ret != -ENOMEM && !expected && !r->other++)
			r->other_err = -ret;
		if (i)		/* finished before reaching the n-th point */
			break;
		r->points++;
	}
	close(fd);
}

static void expect_no_leak(struct __test_metadata *_metadata, int fd,
			   const struct shmdemo_info *before)
{
	struct shmdemo_info now;

	ASSERT_EQ(0, shmdemo_info(fd, &now));
	EXPECT_EQ(before->segments, now.segments);
	EXPECT_EQ(before->total_pages, now.total_pages);
	EXPECT_EQ(before->resident_pages, now.resident_pages);
	EXPECT_EQ(before->user_pages, now.user_pages);
}

#define EXPECT_INJECTED(r, name)					\
	do {								\
		TH_LOG("%s: %d injection points, %d ok, %d ENOMEM, %d other", \
		       name, (r).points, (r).ok, (r).enomem, (r).other); \
		EXPECT_LT(0, (r).points);				\
		EXPECT_EQ(0, (r).other) TH_LOG("unexpected %s", strerror((r).other_err)); \
		EXPECT_LT(0, (r).ok);	/* the last run, nothing injected */ \
	} while (0)

static int op_open(void *arg)
{
	int fd = shmdemo_open(O_RDWR);

	(void)arg;
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

TEST_F(faultinj, open_fails_cleanly)
{
	struct nth_result r;

	NEED_FAULT_INJECTION();
	inject_each(op_open, NULL, (const int[]){ ENFILE, 0 }, &r);
	EXPECT_INJECTED(r, "open");
	expect_no_leak(_metadata, self->fd, &self->before);
}

struct get_arg {
	int fd;
	int key;
	long bytes;
};

/* GET (creating), then remove what it made: either way nothing is left. */
static int op_get(void *arg)
{
	struct get_arg *a = arg;
	int id = shmdemo_get(a->fd, a->key, a->bytes, SHMDEMO_GET_CREATE, 0600);

	if (id < 0)
		return id;
	return shmdemo_rmid(a->fd, id) ? -EIO : 0;
}

TEST_F(faultinj, get_private_and_keyed_fail_cleanly)
{
	struct get_arg a = { .fd = self->fd, .bytes = 4 * self->pg };
	struct nth_result r;

	NEED_FAULT_INJECTION();
	a.key = SHMDEMO_KEY_PRIVATE;
	inject_each(op_get, &a, NULL, &r);
	EXPECT_INJECTED(r, "GET private");
	a.key = 0x5fa10000 | (getpid() & 0xffff);
	inject_each(op_get, &a, NULL, &r);
	EXPECT_INJECTED(r, "GET key");
	expect_no_leak(_metadata, self->fd, &self->before);
}

struct seg_arg {
	long pg;
	int id;		/* an existing segment, made before arming fail-nth */
};

static int op_bind_map(void *arg)
{
	struct seg_arg *a = arg;
	int fd = shmdemo_open(O_RDWR), ret;
	char *p;

	if (fd < 0)
		return fd;
	ret = shmdemo_bind(fd, a->id, 0);
	if (!ret) {
		p = mmap(NULL, a->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			ret = -errno;
		/* munmap() itself may be the one to fail (maple tree nodes). */
		while (p != MAP_FAILED && munmap(p, a->pg))
			if (errno != ENOMEM)
				return -EIO;
	}
	close(fd);
	return ret;
}

TEST_F(faultinj, bind_and_mmap_fail_cleanly)
{
	struct seg_arg a = { .pg = self->pg };
	struct nth_result r;
	struct shmdemo_stat st;

	NEED_FAULT_INJECTION();
	a.id = shmdemo_get(self->fd, SHMDEMO_KEY_PRIVATE, self->pg, SHMDEMO_GET_CREATE, 0600);
	ASSERT_LE(0, a.id);
	inject_each(op_bind_map, &a, NULL, &r);
	EXPECT_INJECTED(r, "BIND + mmap");
	ASSERT_EQ(0, shmdemo_stat(self->fd, a.id, &st));
	EXPECT_EQ(0, st.nattch);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, a.id));
	expect_no_leak(_metadata, self->fd, &self->before);
}

static int op_list_pages_lock(void *arg)
{
	struct seg_arg *a = arg;
	int fd = shmdemo_open(O_RDWR), ids[8], ret;
	uint32_t pages[4];
	struct shmdemo_list l = {
		.size = sizeof(l), .count = 8, .ids_ptr = (uintptr_t)ids,
	};
	struct shmdemo_pages pr = {
		.size = sizeof(pr), .id = a->id, .count = 4,
		.pages_ptr = (uintptr_t)pages,
	};
	struct shmdemo_id lk = { .size = sizeof(lk), .id = a->id };

	if (fd < 0)
		return fd;
	ret = shmdemo_ioctl(fd, SHMDEMO_IOC_LIST, &l) ?:
	      shmdemo_ioctl(fd, SHMDEMO_IOC_PAGES, &pr) ?:
	      shmdemo_ioctl(fd, SHMDEMO_IOC_LOCK, &lk) ?:
	      shmdemo_ioctl(fd, SHMDEMO_IOC_UNLOCK, &lk);
	close(fd);
	return ret;
}

TEST_F(faultinj, list_pages_and_lock_fail_cleanly)
{
	struct seg_arg a = { .pg = self->pg };
	struct shmdemo_stat st;
	struct nth_result r;

	NEED_FAULT_INJECTION();
	a.id = shmdemo_get(self->fd, SHMDEMO_KEY_PRIVATE, 4 * self->pg, SHMDEMO_GET_CREATE, 0600);
	ASSERT_LE(0, a.id);
	inject_each(op_list_pages_lock, &a, NULL, &r);
	EXPECT_INJECTED(r, "LIST + PAGES + LOCK + UNLOCK");
	ASSERT_EQ(0, shmdemo_stat(self->fd, a.id, &st));
	EXPECT_EQ(0, st.flags);		/* every LOCK that worked was undone */
	EXPECT_EQ(0, shmdemo_rmid(self->fd, a.id));
	expect_no_leak(_metadata, self->fd, &self->before);
}

struct fault_arg {
	char *p;
	long pg;
	int page;
};

/* One write fault on a fresh page: retried after a failed allocation. */
static int op_fault(void *arg)
{
	struct fault_arg *a = arg;
	volatile char *c = a->p + a->page++ * a->pg;

	if (*c)		/* the first touch: a read fault, then the write */
		return -EIO;
	*c = 1;
	return 0;
}

TEST_F(faultinj, a_fault_whose_allocation_fails_is_retried)
{
	const int n = MAX_NTH + 1;
	struct fault_arg a = { .pg = self->pg };
	struct shmdemo_stat st;
	struct nth_result r;
	int id;

	NEED_FAULT_INJECTION();
	id = shmdemo_new_bound(self->fd, n * self->pg);
	ASSERT_LE(0, id);
	a.p = mmap(NULL, n * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, a.p);
	inject_each(op_fault, &a, NULL, &r);
	TH_LOG("fault: %d injection points, %d pages touched", r.points, a.page);
	EXPECT_LT(0, r.points);
	EXPECT_EQ(a.page, r.ok);	/* every fault completed */
	ASSERT_EQ(0, shmdemo_stat(self->fd, id, &st));
	EXPECT_EQ(a.page, st.counters.pages_resident);
	munmap(a.p, n * self->pg);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, id));
	close(self->fd);
	self->fd = shmdemo_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	expect_no_leak(_metadata, self->fd, &self->before);
}

TEST_HARNESS_MAIN
