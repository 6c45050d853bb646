// SPDX-License-Identifier: GPL-2.0
/*
 * Long-term pins of segment pages: io_uring's registered buffers
 * (IORING_REGISTER_BUFFERS pins with FOLL_WRITE | FOLL_LONGTERM), side by
 * side with a SysV segment.
 *
 *  memory-only: registered where SysV's are, and an IORING_OP_READ_FIXED
 *          into the buffer lands in the segment's own pages (a second
 *          mapping reads it); no write-notify, so GUP lets it pin
 *  file-backed: refused, as for any file a writeback reads (its dirty
 *          pages must be tracked)
 *  read-only: refused on both (the pin writes)
 *  teardown: the pinned pages outlive the munmap and the removal of the
 *          segment; a read into them afterwards is safe (KASAN would say)
 *
 * Before 6.5 io_uring itself refused every file mapping but shmem's and
 * hugetlbfs' (EOPNOTSUPP) - a SysV segment's too, its VMA is not shmem's -
 * whatever GUP would have allowed: the device must match SysV there too.
 */
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <linux/io_uring.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

#define RING_ENTRIES	4

/* The smallest io_uring: one submission at a time, waited for. */
struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *sq_map, *cq_map;
	size_t sq_len, cq_len, sqes_len;
};

static int ring_open(struct ring *r)
{
	struct io_uring_params p = { 0 };
	char *sq, *cq;

	memset(r, 0, sizeof(*r));
	r->fd = syscall(__NR_io_uring_setup, RING_ENTRIES, &p);
	if (r->fd < 0)
		return -errno;
	r->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	r->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	r->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	r->sq_map = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			 r->fd, IORING_OFF_SQ_RING);
	r->cq_map = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			 r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       r->fd, IORING_OFF_SQES);
	if (r->sq_map == MAP_FAILED || r->cq_map == MAP_FAILED || r->sqes == MAP_FAILED)
		return -errno;
	sq = r->sq_map;
	cq = r->cq_map;
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

static void ring_close(struct ring *r)
{
	if (r->sqes && r->sqes != MAP_FAILED)
		munmap(r->sqes, r->sqes_len);
	if (r->cq_map && r->cq_map != MAP_FAILED)
		munmap(r->cq_map, r->cq_len);
	if (r->sq_map && r->sq_map != MAP_FAILED)
		munmap(r->sq_map, r->sq_len);
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
}

/* IORING_REGISTER_BUFFERS of [@p, @p + @len): 0 or -errno. */
static int ring_register(struct ring *r, void *p, size_t len)
{
	struct iovec iov = { .iov_base = p, .iov_len = len };

	return syscall(__NR_io_uring_register, r->fd, IORING_REGISTER_BUFFERS, &iov, 1) ?
	       -errno : 0;
}

static int ring_unregister(struct ring *r)
{
	return syscall(__NR_io_uring_register, r->fd, IORING_UNREGISTER_BUFFERS, NULL, 0) ?
	       -errno : 0;
}

/* READ_FIXED of @len bytes of @fd at 0 into registered buffer 0 at @p: res. */
static int ring_read_fixed(struct ring *r, int fd, void *p, unsigned int len)
{
	unsigned int tail = *r->sq_tail, head;
	struct io_uring_sqe *sqe = &r->sqes[0];
	int res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_READ_FIXED;
	sqe->fd = fd;
	sqe->addr = (uintptr_t)p;
	sqe->len = len;
	sqe->off = 0;
	sqe->buf_index = 0;
	r->sq_array[tail & *r->sq_mask] = 0;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;	/* waited for one: can't happen */
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/* Kernels before 6.5: io_uring takes no file mapping but shmem's and hugetlbfs'. */
static bool io_uring_takes_only_shmem_files(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major < 6 || (major == 6 && minor < 5);
}

FIXTURE(pin) {
	int dev;
	long pg;
	size_t len;		/* 16 pages */
	int id;			/* the test's device segment, or -1 */
	int shmid;		/* the test's SysV segment, or -1 */
	int src;		/* a file of len bytes 'A'..'P', one letter a page */
	struct ring ring;
};

FIXTURE_SETUP(pin)
{
	char path[] = "/tmp/shmdemo-pin-test.XXXXXX";
	char *buf;
	size_t i;
	int ret;

	self->pg = shmdemo_page_size();
	self->len = 16 * self->pg;
	self->id = -1;
	self->shmid = -1;
	self->src = -1;
	self->ring.fd = -1;
	self->dev = shmdemo_open(O_RDWR);
	if (self->dev == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->dev);
	ret = ring_open(&self->ring);
	if (ret == -ENOSYS || ret == -EPERM)
		SKIP(return, "io_uring: %s (not built, or kernel.io_uring_disabled)",
		     strerror(-ret));
	ASSERT_EQ(0, ret) TH_LOG("io_uring_setup: %s", strerror(-ret));

	self->src = mkstemp(path);
	ASSERT_LE(0, self->src);
	unlink(path);
	buf = malloc(self->len);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < self->len; i++)
		buf[i] = 'A' + i / self->pg;
	ASSERT_EQ((ssize_t)self->len, pwrite(self->src, buf, self->len, 0));
	free(buf);
}

FIXTURE_TEARDOWN(pin)
{
	ring_close(&self->ring);
	if (self->src >= 0)
		close(self->src);
	if (self->shmid >= 0)
		shmctl(self->shmid, IPC_RMID, NULL);
	if (self->id >= 0)
		shmdemo_rmid(self->dev, self->id);
	if (self->dev >= 0)
		close(self->dev);
}

/* A new memory-only segment of self->len, mapped shared with @prot. */
static char *device_map(struct __test_metadata *_metadata, FIXTURE_DATA(pin) *self, int prot)
{
	int fd = shmdemo_open(O_RDWR);
	char *p;

	EXPECT_LE(0, fd);
	if (fd < 0)
		return MAP_FAILED;
	self->id = shmdemo_new_bound(fd, self->len);
	EXPECT_LE(0, self->id);
	p = mmap(NULL, self->len, prot, MAP_SHARED, fd, 0);
	EXPECT_NE(MAP_FAILED, p);
	close(fd);
	return p;
}

static char *sysv_map(struct __test_metadata *_metadata, FIXTURE_DATA(pin) *self, int shmflg)
{
	char *p;

	self->shmid = shmget(IPC_PRIVATE, self->len, IPC_CREAT | 0600);
	EXPECT_LE(0, self->shmid);
	p = shmat(self->shmid, NULL, shmflg);
	EXPECT_NE((void *)-1, p);
	return p == (void *)-1 ? MAP_FAILED : p;
}

/* Each page of @p holds its letter (what READ_FIXED from src put there). */
static bool pages_hold_letters(const char *p, long pg, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += pg)
		if (p[i] != (char)('A' + i / pg) || p[i + pg - 1] != (char)('A' + i / pg))
			return false;
	return true;
}

TEST_F(pin, memory_only_segment_registers_as_sysv_does_and_reads_land_in_it)
{
	int want = io_uring_takes_only_shmem_files() ? -EOPNOTSUPP : 0;
	struct shmdemo_stat st;
	char *sysv, *dev, *again;
	int fd, ret;

	SHMDEMO_NEED_DEVICE(self->dev);
	sysv = sysv_map(_metadata, self, 0);
	ASSERT_NE(MAP_FAILED, sysv);
	ret = ring_register(&self->ring, sysv, self->len);
	ASSERT_EQ(want, ret) TH_LOG("IORING_REGISTER_BUFFERS of SysV: %s", strerror(-ret));
	if (!ret) {
		EXPECT_EQ((int)self->len, ring_read_fixed(&self->ring, self->src, sysv, self->len));
		EXPECT_TRUE(pages_hold_letters(sysv, self->pg, self->len));
		ASSERT_EQ(0, ring_unregister(&self->ring));
	}
	shmdt(sysv);

	dev = device_map(_metadata, self, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, dev);
	ret = ring_register(&self->ring, dev, self->len);
	ASSERT_EQ(want, ret) TH_LOG("IORING_REGISTER_BUFFERS of the device: %s", strerror(-ret));
	if (ret) {	/* io_uring's own rule before 6.5: SysV's shm is refused too */
		munmap(dev, self->len);
		return;
	}
	/* The pin faulted every page in, for writing: one write fault each. */
	ASSERT_EQ(0, shmdemo_stat(self->dev, self->id, &st));
	EXPECT_EQ(16, st.counters.pages_resident);
	EXPECT_EQ(16, st.counters.write_faults);
	EXPECT_EQ(0, st.counters.read_faults);
	EXPECT_EQ(0, st.counters.mkwrite);

	EXPECT_EQ((int)self->len, ring_read_fixed(&self->ring, self->src, dev, self->len));
	EXPECT_TRUE(pages_hold_letters(dev, self->pg, self->len));
	/* The segment's own pages: a second, independent mapping sees them. */
	fd = shmdemo_open(O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmdemo_bind(fd, self->id, SHMDEMO_BIND_RDONLY));
	again = mmap(NULL, self->len, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, again);
	EXPECT_TRUE(pages_hold_letters(again, self->pg, self->len));
	munmap(again, self->len);
	close(fd);
	EXPECT_EQ(0, ring_unregister(&self->ring));
	munmap(dev, self->len);
}

/* The pin writes: a read-only attachment can't be registered, on either. */
TEST_F(pin, read_only_mappings_are_refused_on_both)
{
	char *sysv, *dev;
	int ret;

	SHMDEMO_NEED_DEVICE(self->dev);
	sysv = sysv_map(_metadata, self, SHM_RDONLY);
	ASSERT_NE(MAP_FAILED, sysv);
	EXPECT_EQ(-EFAULT, ring_register(&self->ring, sysv, self->len));
	shmdt(sysv);

	dev = device_map(_metadata, self, PROT_READ);
	ASSERT_NE(MAP_FAILED, dev);
	ret = ring_register(&self->ring, dev, self->len);
	EXPECT_EQ(-EFAULT, ret) TH_LOG("got %s", strerror(-ret));
	munmap(dev, self->len);
}

/*
 * A file-backed segment tracks dirty pages for write-back (->page_mkwrite):
 * GUP refuses a writable long-term pin of it, as of an ext4 file's mapping.
 */
TEST_F(pin, file_backed_segment_is_refused)
{
	struct shmdemo_get g = {
		.size = sizeof(g), .key = SHMDEMO_KEY_PRIVATE,
		.flags = SHMDEMO_GET_CREATE | SHMDEMO_GET_FILE, .mode = 0600,
		.fd = self->src,
	};
	char *p;
	int fd, ret;

	SHMDEMO_NEED_DEVICE(self->dev);
	ASSERT_EQ(0, shmdemo_ioctl(self->dev, SHMDEMO_IOC_GET, &g));
	self->id = g.id;
	fd = shmdemo_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmdemo_bind(fd, self->id, 0));
	p = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ret = ring_register(&self->ring, p, self->len);
	EXPECT_EQ(io_uring_takes_only_shmem_files() ? -EOPNOTSUPP : -EFAULT, ret)
		TH_LOG("got %s", strerror(-ret));
	munmap(p, self->len);
	close(fd);
}

/*
 * Pinned pages outlive their segment: unmapped and removed, the segment is
 * destroyed (its id gone) while io_uring still holds the pages; a read into
 * them then writes pages no cache holds any more, and unregistering frees
 * them.  On the debug kernel KASAN and kmemleak watch this.
 */
TEST_F(pin, pinned_pages_outlive_the_segment)
{
	struct shmdemo_stat st;
	char *dev;
	int ret, i;

	SHMDEMO_NEED_DEVICE(self->dev);
	if (io_uring_takes_only_shmem_files())
		SKIP(return, "io_uring before 6.5 does not register file mappings but shmem's");
	dev = device_map(_metadata, self, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, dev);
	ret = ring_register(&self->ring, dev, self->len);
	ASSERT_EQ(0, ret) TH_LOG("%s", strerror(-ret));
	munmap(dev, self->len);
	ASSERT_EQ(0, shmdemo_rmid(self->dev, self->id));
	/* The destroy is deferred to task work: give it a moment. */
	for (i = 0; i < 100 && !shmdemo_stat(self->dev, self->id, &st); i++)
		usleep(10000);
	EXPECT_EQ(-EINVAL, shmdemo_stat(self->dev, self->id, &st));
	self->id = -1;

	EXPECT_EQ((int)self->len, ring_read_fixed(&self->ring, self->src, dev, self->len));
	EXPECT_EQ(0, ring_unregister(&self->ring));
}

TEST_HARNESS_MAIN
