// SPDX-License-Identifier: GPL-2.0
/*
 * File-backed segments (SHMDEMO_GET_FILE): the other half of a page
 * cache's life, checked byte for byte against the backing file.
 *
 *  create: which descriptors make a backing file, the size rules
 *  read:   the first access to each page reads it from the file, a major
 *          fault (the module's counter and getrusage() agree); the part of
 *          the last page past the size is zero
 *  write:  only dirty pages are written back (SYNC counts them), never
 *          past the size; a write after a sync is caught by the next;
 *          msync(MS_SYNC), fsync() of the bound fd, the release of a
 *          binding and the removal write back too
 *  evict:  drop_caches and posix_fadvise(DONTNEED) of a bound fd drop
 *          clean pages, which come back as major faults; WILLNEED reads
 *          ahead without a fault
 *  errors: a write-back that fails (a full tmpfs) reaches msync() and
 *          SYNC, and the data is kept for a later retry
 *  coherence: what read(2)/write(2) of the file see (README: the
 *          segment's cache is not the file's)
 *
 *  ext4:   a file on a disk file system ($SHMDEMO_DISK, tools/vm/run
 *          --disk): write(2)/read(2) of the backing file through the
 *          segment's own mapping while another thread syncs (the backing
 *          inode's lock against our writeback; lockdep on the debug
 *          kernel), and our writeback wins in the end, byte for byte
 *
 * Backing files live on a private tmpfs mounted for each test (root), so
 * a test can fill it up.
 */
#include <pthread.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

/* A byte of page @pg at offset @off of the test files: never zero. */
static unsigned char pattern(long pg, long off)
{
	return (unsigned char)(1 + (pg * 31 + off) % 251);
}

FIXTURE(file) {
	int dev;		/* /dev/shmdemo, never bound */
	long pg;
	char dir[64];
	bool mounted;
	int ids[8];
	int nids;
};

FIXTURE_SETUP(file)
{
	self->pg = shmdemo_page_size();
	self->nids = 0;
	self->mounted = false;
	self->dev = shmdemo_open(O_RDWR);
	if (self->dev == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->dev);
	if (geteuid() != 0)
		SKIP(return, "needs root (a tmpfs of its own)");
	snprintf(self->dir, sizeof(self->dir), "/tmp/shmdemo-file-test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	/* 256 KiB: room for the tests' files, and a size the errors test fills. */
	ASSERT_EQ(0, mount("shmdemo-file-test", self->dir, "tmpfs", 0, "size=256k,mode=0700"));
	self->mounted = true;
}

FIXTURE_TEARDOWN(file)
{
	int i;

	for (i = 0; i < self->nids; i++)
		shmdemo_rmid(self->dev, self->ids[i]);
	if (self->dev >= 0)
		close(self->dev);
	if (self->mounted) {
		/* A segment's release is deferred (task work): retry a moment. */
		for (i = 0; i < 50 && umount(self->dir) && errno == EBUSY; i++)
			usleep(20000);
		rmdir(self->dir);
	}
}

/* A file of @bytes with the pattern (holes when !@fill), open with @flags. */
static int make_file(struct __test_metadata *_metadata, FIXTURE_DATA(file) *self,
		     const char *name, long bytes, bool fill, int flags)
{
	char path[128];
	unsigned char *buf;
	long i;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", self->dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	EXPECT_LE(0, fd);
	if (fd < 0)
		return -1;
	EXPECT_EQ(0, ftruncate(fd, bytes));
	if (fill) {
		buf = malloc(bytes);
		for (i = 0; i < bytes; i++)
			buf[i] = pattern(i / self->pg, i % self->pg);
		EXPECT_EQ(bytes, pwrite(fd, buf, bytes, 0));
		free(buf);
	}
	if (flags != O_RDWR) {
		close(fd);
		fd = open(path, flags | O_CLOEXEC);
		EXPECT_LE(0, fd);
	}
	return fd;
}

/* SHMDEMO_IOC_GET of a private file-backed segment; the id or -errno. */
static int get_file(int dev, int fd, uint64_t bytes, uint32_t flags)
{
	struct shmdemo_get g = {
		.size = sizeof(g), .key = SHMDEMO_KEY_PRIVATE, .bytes = bytes,
		.flags = SHMDEMO_GET_CREATE | SHMDEMO_GET_FILE | flags, .mode = 0600,
		.fd = fd,
	};
	int ret = shmdemo_ioctl(dev, SHMDEMO_IOC_GET, &g);

	return ret ? ret : g.id;
}

static int new_file_seg(struct __test_metadata *_metadata, FIXTURE_DATA(file) *self,
			int fd, uint64_t bytes)
{
	int id = get_file(self->dev, fd, bytes, 0);

	EXPECT_LE(0, id) TH_LOG("GET FILE: %s", strerror(-id));
	if (id >= 0 && self->nids < (int)ARRAY_SIZE(self->ids))
		self->ids[self->nids++] = id;
	return id;
}

/* A new descriptor bound to @id (read-write unless @ro). */
static int bound(int id, bool ro)
{
	int fd = shmdemo_open(ro ? O_RDONLY : O_RDWR);

	if (fd >= 0 && shmdemo_bind(fd, id, ro ? SHMDEMO_BIND_RDONLY : 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int seg_sync(int bfd, uint64_t start, uint64_t len, struct shmdemo_sync *s)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	s->start = start;
	s->len = len;
	return shmdemo_ioctl(bfd, SHMDEMO_IOC_SYNC, s);
}

/* A test's file, its segment, a binding and a mapping of it. */
struct fseg {
	int fd;		/* the backing file */
	int id;
	int bfd;	/* bound to @id */
	char *p;	/* @len bytes mapped MAP_SHARED from @bfd */
	size_t len;
};

/*
 * make_file() + a segment of all of it + a binding (read-only for a
 * PROT_READ mapping) + a shared mapping of @len bytes.  False (the test
 * failed) when a step does not work.
 */
static bool fseg_open(struct __test_metadata *_metadata, FIXTURE_DATA(file) *self,
		      long bytes, bool fill, int prot, size_t len, struct fseg *fs)
{
	fs->fd = make_file(_metadata, self, "f", bytes, fill, O_RDWR);
	fs->id = fs->fd < 0 ? -1 : new_file_seg(_metadata, self, fs->fd, 0);
	fs->bfd = fs->id < 0 ? -1 : bound(fs->id, !(prot & PROT_WRITE));
	fs->len = len;
	fs->p = fs->bfd < 0 ? MAP_FAILED : mmap(NULL, len, prot, MAP_SHARED, fs->bfd, 0);
	EXPECT_NE(MAP_FAILED, fs->p);
	return fs->p != MAP_FAILED;
}

static void fseg_close(struct fseg *fs)
{
	if (fs->p != MAP_FAILED)
		munmap(fs->p, fs->len);
	if (fs->bfd >= 0)
		close(fs->bfd);
	if (fs->fd >= 0)
		close(fs->fd);
}

static long majflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

#define NEED_SETUP()							\
	do {								\
		SHMDEMO_NEED_DEVICE(self->dev);				\
		if (!self->mounted)					\
			SKIP(return, "needs root (a tmpfs of its own)");	\
	} while (0)

TEST_F(file, create_takes_only_readable_regular_files)
{
	int fd, wr, dir, p[2], app, empty, dev2;

	NEED_SETUP();
	fd = make_file(_metadata, self, "f", 4 * self->pg, true, O_RDWR);
	wr = make_file(_metadata, self, "w", 4 * self->pg, true, O_WRONLY);
	app = make_file(_metadata, self, "a", 4 * self->pg, true, O_RDWR | O_APPEND);
	empty = make_file(_metadata, self, "e", 0, false, O_RDWR);
	dir = open(self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	dev2 = shmdemo_open(O_RDWR);

	EXPECT_EQ(-EBADF, get_file(self->dev, -1, 0, 0));
	EXPECT_EQ(-EBADF, get_file(self->dev, 1000000, 0, 0));
	EXPECT_EQ(-EBADF, get_file(self->dev, wr, 0, 0));	/* not readable */
	EXPECT_EQ(-EINVAL, get_file(self->dev, dir, 0, 0));	/* not a regular file */
	EXPECT_EQ(-EINVAL, get_file(self->dev, p[0], 0, 0));
	EXPECT_EQ(-EINVAL, get_file(self->dev, dev2, 0, 0));	/* the device itself */
	EXPECT_EQ(-EINVAL, get_file(self->dev, app, 0, 0));	/* O_APPEND */
	EXPECT_EQ(-EINVAL, get_file(self->dev, empty, 0, 0));	/* size 0 */
	EXPECT_EQ(-EINVAL, get_file(self->dev, fd, 4 * self->pg + 1, 0)); /* grows it */
	/* FILE is for creating: with a key, CREATE is needed; fd needs FILE. */
	{
		struct shmdemo_get g = {
			.size = sizeof(g), .key = 0x5d5d0001, .flags = SHMDEMO_GET_FILE,
			.mode = 0600, .fd = fd,
		};

		EXPECT_EQ(-EINVAL, shmdemo_ioctl(self->dev, SHMDEMO_IOC_GET, &g));
		g.flags = SHMDEMO_GET_CREATE;
		EXPECT_EQ(-EINVAL, shmdemo_ioctl(self->dev, SHMDEMO_IOC_GET, &g));
	}
	close(fd);
	close(wr);
	close(app);
	close(empty);
	close(dir);
	close(p[0]);
	close(p[1]);
	if (dev2 >= 0)
		close(dev2);
}

TEST_F(file, size_is_the_files_or_smaller_and_fixed)
{
	struct shmdemo_stat st;
	struct stat fst;
	int fd, id, id2;

	NEED_SETUP();
	fd = make_file(_metadata, self, "f", 3 * self->pg + 100, true, O_RDWR);
	id = new_file_seg(_metadata, self, fd, 0);
	id2 = new_file_seg(_metadata, self, fd, self->pg);
	ASSERT_LE(0, id);
	ASSERT_LE(0, id2);
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	EXPECT_EQ(3 * self->pg + 100, st.bytes);
	EXPECT_EQ(SHMDEMO_SEG_FILE, st.flags & (SHMDEMO_SEG_FILE | SHMDEMO_SEG_FILE_RDONLY));
	ASSERT_EQ(0, fstat(fd, &fst));
	EXPECT_EQ(fst.st_ino, st.file.backing_ino);
	EXPECT_EQ(0, st.file.major_faults);
	ASSERT_EQ(0, shmdemo_stat(self->dev, id2, &st));
	EXPECT_EQ(self->pg, st.bytes);
	/* Its size is its file's: no resize, and no lock (not yet). */
	EXPECT_EQ(-EOPNOTSUPP, shmdemo_resize(self->dev, id, 8 * self->pg));
	{
		struct shmdemo_id l = { .size = sizeof(l), .id = id };

		EXPECT_EQ(-EOPNOTSUPP, shmdemo_ioctl(self->dev, SHMDEMO_IOC_LOCK, &l));
	}
	close(fd);
}

/* The first access to each page reads it from the file: one major fault each. */
TEST_F(file, first_access_reads_the_file_as_major_faults)
{
	long pages = 9, size = 8 * self->pg + 100, i, j, maj0, bad = 0;
	struct shmdemo_stat st;
	volatile unsigned char *p;
	int fd, id, bfd;

	NEED_SETUP();
	fd = make_file(_metadata, self, "f", size, true, O_RDWR);
	id = new_file_seg(_metadata, self, fd, 0);
	ASSERT_LE(0, id);
	bfd = bound(id, true);
	ASSERT_LE(0, bfd);
	p = mmap(NULL, pages * self->pg, PROT_READ, MAP_SHARED, bfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	maj0 = majflt();
	for (i = 0; i < pages; i++)
		for (j = 0; j < self->pg; j++) {
			long off = i * self->pg + j;
			unsigned char want = off < size ? pattern(i, j) : 0;

			bad += p[off] != want;
		}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(pages, majflt() - maj0);
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	EXPECT_EQ(pages, st.file.major_faults);
	EXPECT_EQ(size, st.file.bytes_read);
	EXPECT_EQ(pages, st.counters.pages_resident);
	EXPECT_EQ(0, st.counters.pages_dirty);

	/* Cached now: another mapping reads without I/O. */
	munmap((void *)p, pages * self->pg);
	p = mmap(NULL, pages * self->pg, PROT_READ, MAP_SHARED, bfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	maj0 = majflt();
	for (i = 0; i < pages; i++)
		bad += p[i * self->pg] != pattern(i, 0);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, majflt() - maj0);
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	EXPECT_EQ(pages, st.file.major_faults);
	munmap((void *)p, pages * self->pg);
	close(bfd);
	close(fd);
}

/* Lines of @text with "@event: id=@id ". */
static int count_events(const char *text, const char *event, int id)
{
	char want[64];
	const char *p;
	int n = 0;

	snprintf(want, sizeof(want), "%s: id=%d ", event, id);
	for (p = strstr(text, want); p; p = strstr(p + 1, want))
		n++;
	return n;
}

/*
 * The tracepoints say what the counters say: one shmdemo_read per major
 * fault, one shmdemo_writeback per page written (a private tracefs
 * instance: nobody else's buffer is touched).
 */
TEST_F(file, trace_events_match_the_counters)
{
	char inst[128], path[192], *buf;
	struct shmdemo_sync s;
	struct shmdemo_stat st;
	struct fseg fs;
	long i;
	int tfd;
	ssize_t n;

	NEED_SETUP();
	snprintf(inst, sizeof(inst), "/sys/kernel/tracing/instances/shmdemo-file-test.%d",
		 (int)getpid());
	if (mkdir(inst, 0700))
		SKIP(return, "no tracefs instances (%s)", strerror(errno));
	snprintf(path, sizeof(path), "%s/events/shmdemo/enable", inst);
	if (shmdemo_write_file(path, "1")) {
		rmdir(inst);
		SKIP(return, "no shmdemo events in tracefs");
	}
	ASSERT_TRUE(fseg_open(_metadata, self, 6 * self->pg, true, PROT_READ | PROT_WRITE,
			      6 * self->pg, &fs));
	for (i = 0; i < 6; i += 2)		/* 3 major faults */
		fs.p[i * self->pg] = 'w';	/* ...and 3 dirty pages */
	ASSERT_EQ(0, seg_sync(fs.bfd, 0, 0, &s));
	EXPECT_EQ(3, s.pages_written);
	shmdemo_write_file(path, "0");

	snprintf(path, sizeof(path), "%s/trace", inst);
	buf = calloc(1, 1 << 20);
	tfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, tfd);
	n = read(tfd, buf, (1 << 20) - 1);
	close(tfd);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, shmdemo_stat(self->dev, fs.id, &st));
	EXPECT_EQ(3, st.file.major_faults);
	EXPECT_EQ((int)st.file.major_faults, count_events(buf, "shmdemo_read", fs.id));
	EXPECT_EQ((int)st.file.pages_written, count_events(buf, "shmdemo_writeback", fs.id));
	EXPECT_NE(NULL, strstr(buf, "result=LOCKED|MAJOR")) TH_LOG("no major fault event");
	free(buf);
	fseg_close(&fs);
	rmdir(inst);
}

/* The article's record, 8 bytes (tools/common/people.h has the demo's). */
struct rec {
	char name[4];
	int age;
};

/*
 * The article's E1 on a file-backed segment: the writer sizes a file to 5
 * records, maps room for 10 and writes 10; a reader mapping it meanwhile
 * sees all 10 (one page); the file never grows; after a sync the file
 * holds exactly the first 5, byte for byte.
 */
TEST_F(file, article_e1_on_a_file_backed_segment)
{
	const size_t five = 5 * sizeof(struct rec), ten = 10 * sizeof(struct rec);
	struct rec want[10], got[10];
	struct shmdemo_sync s;
	struct stat fst;
	struct fseg fs;
	int i, rfd;
	struct rec *reader;

	NEED_SETUP();
	ASSERT_TRUE(fseg_open(_metadata, self, five, false, PROT_READ | PROT_WRITE, ten, &fs));
	memset(want, 0, sizeof(want));
	for (i = 0; i < 10; i++) {
		want[i].name[0] = (char)('b' + i);
		want[i].age = 20 + i;
	}
	memcpy(fs.p, want, ten);		/* records 6-10 lie past the size */

	rfd = bound(fs.id, true);		/* another binding: a second reader */
	ASSERT_LE(0, rfd);
	reader = mmap(NULL, ten, PROT_READ, MAP_SHARED, rfd, 0);
	ASSERT_NE(MAP_FAILED, reader);
	EXPECT_EQ(0, memcmp(reader, want, ten));	/* all 10: the same page */

	ASSERT_EQ(0, seg_sync(fs.bfd, 0, 0, &s));
	EXPECT_EQ(1, s.pages_written);
	EXPECT_EQ(five, s.bytes_written);
	ASSERT_EQ(0, fstat(fs.fd, &fst));
	EXPECT_EQ((off_t)five, fst.st_size);		/* the mapping never grows it */
	memset(got, 0xa5, sizeof(got));
	ASSERT_EQ((ssize_t)five, pread(fs.fd, got, ten, 0));
	EXPECT_EQ(0, memcmp(got, want, five));
	munmap(reader, ten);
	close(rfd);
	fseg_close(&fs);
}

/* Only dirty pages are written back, each once per write. */
TEST_F(file, sync_writes_exactly_the_dirty_pages)
{
	long pages = 16, i;
	unsigned char got[8];
	struct shmdemo_sync s;
	struct shmdemo_stat st;
	struct fseg fs;
	char *p;
	int fd, id, bfd;

	NEED_SETUP();
	ASSERT_TRUE(fseg_open(_metadata, self, pages * self->pg, true, PROT_READ | PROT_WRITE,
			      pages * self->pg, &fs));
	fd = fs.fd, id = fs.id, bfd = fs.bfd, p = fs.p;
	for (i = 0; i < pages; i++)	/* read every page: all clean */
		EXPECT_EQ(pattern(i, 0), (unsigned char)p[i * self->pg]);
	p[1 * self->pg + 5] = 'a';
	p[4 * self->pg] = 'b';
	p[9 * self->pg + 7] = 'c';

	/* Not in the file yet: its page cache is not ours. */
	ASSERT_EQ(1, pread(fd, got, 1, 4 * self->pg));
	EXPECT_EQ(pattern(4, 0), got[0]);

	ASSERT_EQ(0, seg_sync(bfd, 0, 0, &s));
	EXPECT_EQ(3, s.pages_written);
	EXPECT_EQ(3 * self->pg, s.bytes_written);
	ASSERT_EQ(1, pread(fd, got, 1, 4 * self->pg));
	EXPECT_EQ('b', got[0]);
	ASSERT_EQ(1, pread(fd, got, 1, 9 * self->pg + 7));
	EXPECT_EQ('c', got[0]);
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	EXPECT_EQ(0, st.counters.pages_dirty);
	/* Mapped read-only by the reads: each first write was a mkwrite. */
	EXPECT_EQ(0, st.counters.write_faults);
	EXPECT_EQ(3, st.counters.mkwrite);

	/* Nothing dirty: nothing written. */
	ASSERT_EQ(0, seg_sync(bfd, 0, 0, &s));
	EXPECT_EQ(0, s.pages_written);

	/* The page was made read-only again: this write is seen. */
	p[4 * self->pg + 1] = 'd';
	ASSERT_EQ(0, seg_sync(bfd, 0, 0, &s));
	EXPECT_EQ(1, s.pages_written);
	ASSERT_EQ(1, pread(fd, got, 1, 4 * self->pg + 1));
	EXPECT_EQ('d', got[0]);

	/* A range: only its dirty pages. */
	p[2 * self->pg] = 'e';
	p[12 * self->pg] = 'f';
	ASSERT_EQ(0, seg_sync(bfd, 12 * self->pg, self->pg, &s));
	EXPECT_EQ(1, s.pages_written);
	ASSERT_EQ(0, seg_sync(bfd, 0, 0, &s));
	EXPECT_EQ(1, s.pages_written);

	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	EXPECT_EQ(6, st.counters.mkwrite);
	EXPECT_EQ(6, st.file.pages_written);
	EXPECT_EQ(6 * self->pg, st.file.bytes_written);
	EXPECT_EQ(0, st.file.write_errors);
	fseg_close(&fs);
}

static uint32_t page_word(int dev, int id, uint64_t index)
{
	uint32_t v = 0;
	struct shmdemo_pages req = {
		.size = sizeof(req), .id = id, .start = index, .count = 1,
		.pages_ptr = (uintptr_t)&v,
	};

	return shmdemo_ioctl(dev, SHMDEMO_IOC_PAGES, &req) ? 0xffffffff : v;
}

/* PAGES tells written-back pages from the others (the residency map's source). */
TEST_F(file, pages_marks_the_pages_written_back)
{
	const uint32_t mapped = 1 << SHMDEMO_PAGE_MAPCOUNT_SHIFT;
	struct shmdemo_sync s;
	struct fseg fs;

	NEED_SETUP();
	ASSERT_TRUE(fseg_open(_metadata, self, 4 * self->pg, true, PROT_READ | PROT_WRITE,
			      4 * self->pg, &fs));
	EXPECT_EQ((char)pattern(0, 0), fs.p[0]);	/* read: clean */
	fs.p[self->pg] = 'x';				/* written: dirty */
	EXPECT_EQ(SHMDEMO_PAGE_RESIDENT | mapped, page_word(self->dev, fs.id, 0));
	EXPECT_EQ(SHMDEMO_PAGE_RESIDENT | SHMDEMO_PAGE_DIRTY | mapped,
		  page_word(self->dev, fs.id, 1));
	EXPECT_EQ(0, page_word(self->dev, fs.id, 2));	/* never touched */
	ASSERT_EQ(0, seg_sync(fs.bfd, 0, 0, &s));
	EXPECT_EQ(SHMDEMO_PAGE_RESIDENT | mapped, page_word(self->dev, fs.id, 0));
	EXPECT_EQ(SHMDEMO_PAGE_RESIDENT | SHMDEMO_PAGE_WRITTEN | mapped,
		  page_word(self->dev, fs.id, 1));
	fs.p[self->pg + 1] = 'y';			/* dirty again */
	EXPECT_EQ(SHMDEMO_PAGE_RESIDENT | SHMDEMO_PAGE_DIRTY | SHMDEMO_PAGE_WRITTEN | mapped,
		  page_word(self->dev, fs.id, 1));
	fseg_close(&fs);
}

/* Bytes past the size, in the last page, stay out of the file. */
TEST_F(file, the_file_never_grows)
{
	long size = 2 * self->pg + 100;
	struct shmdemo_sync s;
	struct stat fst;
	unsigned char got;
	struct fseg fs;
	char *p;

	NEED_SETUP();
	ASSERT_TRUE(fseg_open(_metadata, self, size, true, PROT_READ | PROT_WRITE,
			      3 * self->pg, &fs));
	p = fs.p;
	EXPECT_EQ(0, p[size]);		/* zero past the size */
	p[99 + 2 * self->pg] = 'x';	/* the last byte */
	p[size] = 'y';			/* past it, same page */
	p[size + 50] = 'z';
	ASSERT_EQ(0, seg_sync(fs.bfd, 0, 0, &s));
	EXPECT_EQ(1, s.pages_written);
	EXPECT_EQ(100, s.bytes_written);
	ASSERT_EQ(0, fstat(fs.fd, &fst));
	EXPECT_EQ(size, fst.st_size);
	ASSERT_EQ(1, pread(fs.fd, &got, 1, size - 1));
	EXPECT_EQ('x', got);
	fseg_close(&fs);
}

/* msync(MS_SYNC), fsync() of the bound fd, the binding's release, removal. */
TEST_F(file, msync_fsync_release_and_removal_write_back)
{
	long pages = 4;
	unsigned char got[4];
	struct shmdemo_stat st;
	struct fseg fs;
	char *p;
	int fd, id, bfd;

	NEED_SETUP();
	ASSERT_TRUE(fseg_open(_metadata, self, pages * self->pg, true, PROT_READ | PROT_WRITE,
			      pages * self->pg, &fs));
	fd = fs.fd, id = fs.id, bfd = fs.bfd, p = fs.p;

	p[0] = 'm';
	ASSERT_EQ(0, msync(p, pages * self->pg, MS_SYNC));
	ASSERT_EQ(1, pread(fd, got, 1, 0));
	EXPECT_EQ('m', got[0]);

	p[self->pg] = 'f';
	ASSERT_EQ(0, fsync(bfd));
	ASSERT_EQ(1, pread(fd, got, 1, self->pg));
	EXPECT_EQ('f', got[0]);

	/* The binding goes (munmap + close): its release writes back. */
	p[2 * self->pg] = 'r';
	munmap(p, pages * self->pg);
	close(bfd);
	usleep(100000);		/* the release runs as task work, at once in practice */
	ASSERT_EQ(1, pread(fd, got, 1, 2 * self->pg));
	EXPECT_EQ('r', got[0]);

	/* Removal of a segment still mapped: the last unmap frees and writes. */
	bfd = bound(id, false);
	ASSERT_LE(0, bfd);
	p = mmap(NULL, pages * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(bfd);
	p[3 * self->pg] = 'x';
	ASSERT_EQ(0, shmdemo_rmid(self->dev, id));
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));	/* alive while mapped */
	EXPECT_EQ(SHMDEMO_SEG_DEST, st.flags & SHMDEMO_SEG_DEST);
	munmap(p, pages * self->pg);
	usleep(100000);
	EXPECT_EQ(-EINVAL, shmdemo_stat(self->dev, id, &st));
	ASSERT_EQ(1, pread(fd, got, 1, 3 * self->pg));
	EXPECT_EQ('x', got[0]);
	self->nids = 0;
	close(fd);
}

/* A file opened read-only: no shared writable mapping, private ones copy. */
TEST_F(file, read_only_file_makes_a_read_only_segment)
{
	struct shmdemo_stat st;
	unsigned char got;
	char *p;
	int fd, id, bfd;

	NEED_SETUP();
	fd = make_file(_metadata, self, "f", 2 * self->pg, true, O_RDONLY);
	id = new_file_seg(_metadata, self, fd, 0);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	EXPECT_EQ(SHMDEMO_SEG_FILE | SHMDEMO_SEG_FILE_RDONLY,
		  st.flags & (SHMDEMO_SEG_FILE | SHMDEMO_SEG_FILE_RDONLY));
	bfd = bound(id, false);
	ASSERT_LE(0, bfd);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0));
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, self->pg, PROT_READ, MAP_SHARED, bfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_NE(0, mprotect(p, self->pg, PROT_READ | PROT_WRITE));
	munmap(p, self->pg);
	p = mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, bfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ((char)pattern(0, 0), p[0]);
	p[0] = 'q';			/* a private copy */
	ASSERT_EQ(0, msync(p, self->pg, MS_SYNC));
	ASSERT_EQ(1, pread(fd, &got, 1, 0));
	EXPECT_EQ(pattern(0, 0), got);
	munmap(p, self->pg);
	close(bfd);
	close(fd);
}

/* drop_caches drops clean, unmapped pages; they come back from the file. */
TEST_F(file, dropped_clean_pages_come_back_as_major_faults)
{
	long pages = 8, i, bad = 0;
	struct shmdemo_stat st;
	struct fseg fs;
	volatile char *p;
	int id, bfd;

	NEED_SETUP();
	ASSERT_TRUE(fseg_open(_metadata, self, pages * self->pg, true, PROT_READ | PROT_WRITE,
			      pages * self->pg, &fs));
	id = fs.id, bfd = fs.bfd, p = fs.p;
	for (i = 0; i < pages; i++)
		bad += p[i * self->pg] != (char)pattern(i, 0);
	p[3 * self->pg] = 'd';		/* one dirty page stays */
	munmap((void *)p, pages * self->pg);
	ASSERT_EQ(0, shmdemo_write_file("/proc/sys/vm/drop_caches", "1"));
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	EXPECT_EQ(1, st.counters.pages_resident);
	EXPECT_EQ(1, st.counters.pages_dirty);

	p = mmap(NULL, pages * self->pg, PROT_READ, MAP_SHARED, bfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < pages; i++)
		bad += p[i * self->pg] != (i == 3 ? 'd' : (char)pattern(i, 0));
	EXPECT_EQ(0, bad);
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	EXPECT_EQ(2 * pages - 1, st.file.major_faults);
	fs.p = (char *)p;	/* the second mapping, same length */
	fseg_close(&fs);
}

/*
 * posix_fadvise() of a bound descriptor is the segment's: DONTNEED writes
 * back and drops exactly the full pages of its range, WILLNEED reads
 * ahead (bytes read, no fault), a memory-only segment ignores both, and
 * an unbound descriptor has nothing to advise on.
 */
TEST_F(file, fadvise_of_a_binding_drops_and_reads_ahead)
{
	long pages = 8, i, bad = 0;
	struct shmdemo_stat st;
	struct fseg fs;
	volatile char *p;
	unsigned char got;
	int id, bfd, mem;

	NEED_SETUP();
	ASSERT_TRUE(fseg_open(_metadata, self, pages * self->pg, true, PROT_READ | PROT_WRITE,
			      pages * self->pg, &fs));
	id = fs.id, bfd = fs.bfd, p = fs.p;
	EXPECT_EQ(EINVAL, posix_fadvise(self->dev, 0, 0, POSIX_FADV_DONTNEED));

	/* WILLNEED reads pages 0-3 from the file: no fault yet. */
	ASSERT_EQ(0, posix_fadvise(bfd, 0, 4 * self->pg, POSIX_FADV_WILLNEED));
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	EXPECT_EQ(4, st.counters.pages_resident);
	EXPECT_EQ(4 * self->pg, st.file.bytes_read);
	EXPECT_EQ(0, st.file.major_faults);
	for (i = 0; i < pages; i++)
		bad += p[i * self->pg] != (char)pattern(i, 0);
	p[3 * self->pg] = 'd';
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	EXPECT_EQ(4, st.file.major_faults);	/* only the pages not read ahead */

	/* Mapped pages stay; the range's unmapped full pages go: page 1 only. */
	munmap((void *)p, pages * self->pg);
	fs.p = MAP_FAILED;
	ASSERT_EQ(0, posix_fadvise(bfd, self->pg, self->pg, POSIX_FADV_DONTNEED));
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	EXPECT_EQ(pages - 1, st.counters.pages_resident);

	/* All of it: the dirty page is written back first, then dropped too. */
	ASSERT_EQ(0, posix_fadvise(bfd, 0, 0, POSIX_FADV_DONTNEED));
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	EXPECT_EQ(0, st.counters.pages_resident);
	EXPECT_EQ(0, st.counters.pages_dirty);
	EXPECT_EQ(1, st.file.pages_written);
	ASSERT_EQ(1, pread(fs.fd, &got, 1, 3 * self->pg));
	EXPECT_EQ('d', got);

	p = mmap(NULL, pages * self->pg, PROT_READ, MAP_SHARED, bfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < pages; i++)
		bad += p[i * self->pg] != (i == 3 ? 'd' : (char)pattern(i, 0));
	EXPECT_EQ(0, bad);
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	EXPECT_EQ(4 + pages, st.file.major_faults);
	munmap((void *)p, pages * self->pg);

	/* A memory-only segment's pages are the only copy: advice is ignored. */
	mem = shmdemo_open(O_RDWR);
	ASSERT_LE(0, mem);
	id = shmdemo_new_bound(mem, 2 * self->pg);
	ASSERT_LE(0, id);
	self->ids[self->nids++] = id;
	p = mmap(NULL, 2 * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, mem, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 'm';
	p[self->pg] = 'n';
	munmap((void *)p, 2 * self->pg);
	EXPECT_EQ(0, posix_fadvise(mem, 0, 0, POSIX_FADV_DONTNEED));
	EXPECT_EQ(0, posix_fadvise(mem, 0, 0, POSIX_FADV_WILLNEED));
	p = mmap(NULL, 2 * self->pg, PROT_READ, MAP_SHARED, mem, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ('m', p[0]);
	EXPECT_EQ('n', p[self->pg]);
	munmap((void *)p, 2 * self->pg);
	close(mem);
	fseg_close(&fs);
}

struct cg_reader {
	const char *cg;		/* the cgroup to run in */
	int bfd;		/* bound to the segment */
	long len;
	long pg;
	int pass;		/* 1: first read, 2: read again */
};

/* In the limited cgroup: read every page and check it (exit 0 if all right). */
static int read_in_cgroup(void *varg)
{
	struct cg_reader *a = varg;
	char path[256], pid[32];
	volatile unsigned char *p;
	long i;
	int fd, n;

	snprintf(path, sizeof(path), "%s/cgroup.procs", a->cg);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	n = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (fd < 0 || write(fd, pid, n) != n)
		return 10;
	close(fd);
	p = mmap(NULL, a->len, PROT_READ, MAP_SHARED, a->bfd, 0);
	if (p == MAP_FAILED)
		return 11;
	for (i = 0; i < a->len / a->pg; i++)
		if (p[i * a->pg] != pattern(i, 0) || p[i * a->pg + a->pg - 1] != pattern(i, a->pg - 1))
			return 12;
	return 0;
}

/*
 * A memory cgroup limit far below the segment: reading it all evicts clean
 * pages as it goes (they are page cache of a file), and reading it again
 * brings them back from the file, right.
 */
TEST_F(file, a_memcg_limit_evicts_clean_pages_and_they_come_back)
{
	const long pages = 4096;	/* 16 MiB, against a 4 MiB limit */
	struct cg_reader a = { .pg = self->pg };
	struct shmdemo_stat st;
	char cg[128], path[192];
	unsigned long long maj1, res1;
	int fd, id;

	NEED_SETUP();
	ASSERT_EQ(0, mount(NULL, self->dir, NULL, MS_REMOUNT, "size=32m"));
	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) &&
	    mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL))
		SKIP(return, "no cgroup v2: %s", strerror(errno));
	if (shmdemo_write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory"))
		SKIP(return, "memory controller not available");
	snprintf(cg, sizeof(cg), "/sys/fs/cgroup/shmdemo-file-test-%d", getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	ASSERT_EQ(0, shmdemo_write_file(path, "4194304"));

	fd = make_file(_metadata, self, "big", pages * self->pg, true, O_RDWR);
	id = new_file_seg(_metadata, self, fd, 0);
	ASSERT_LE(0, id);
	a.cg = cg;
	a.len = pages * self->pg;
	a.bfd = bound(id, true);
	ASSERT_LE(0, a.bfd);

	a.pass = 1;
	EXPECT_EQ(0, shmdemo_run_child(read_in_cgroup, &a, -1, -1));
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	maj1 = st.file.major_faults;
	res1 = st.counters.pages_resident;
	EXPECT_EQ(pages, maj1);		/* each page read once */
	EXPECT_GT(pages / 2, res1) TH_LOG("%llu of %ld pages resident under 4 MiB", res1, pages);

	a.pass = 2;
	EXPECT_EQ(0, shmdemo_run_child(read_in_cgroup, &a, -1, -1));
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	/* What was evicted came back from the file: at least every page not resident. */
	EXPECT_LE(pages - res1, st.file.major_faults - maj1);
	EXPECT_GE(pages, st.file.major_faults - maj1);

	close(a.bfd);
	close(fd);
	EXPECT_EQ(0, shmdemo_rmid(self->dev, id));
	self->nids = 0;
	usleep(100000);
	EXPECT_EQ(0, rmdir(cg));
}

/*
 * A write-back that fails - the tmpfs is full, the file's holes can't be
 * filled - reaches msync() and SYNC, keeps the data dirty, and succeeds
 * once there is room.
 */
TEST_F(file, write_errors_reach_the_caller_and_the_data_is_kept)
{
	long pages = 32, i;	/* 128 KiB of holes */
	struct shmdemo_sync s;
	struct shmdemo_stat st;
	char path[128], *p, *fill;
	unsigned char got;
	int fd, id, bfd, filler;

	NEED_SETUP();
	fd = make_file(_metadata, self, "sparse", pages * self->pg, false, O_RDWR);
	id = new_file_seg(_metadata, self, fd, 0);
	ASSERT_LE(0, id);
	bfd = bound(id, false);
	ASSERT_LE(0, bfd);
	/* Fill the 256 KiB tmpfs but for a few pages. */
	snprintf(path, sizeof(path), "%s/filler", self->dir);
	filler = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_LE(0, filler);
	fill = calloc(1, self->pg);
	memset(fill, 1, self->pg);
	while (pwrite(filler, fill, self->pg, lseek(filler, 0, SEEK_END)) == self->pg)
		;
	EXPECT_EQ(ENOSPC, errno);
	free(fill);

	p = mmap(NULL, pages * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < pages; i++)
		p[i * self->pg] = (char)('A' + i % 26);
	EXPECT_EQ(-1, msync(p, pages * self->pg, MS_SYNC));
	EXPECT_EQ(ENOSPC, errno);
	/* Kept dirty: SYNC tries again, and fails again. */
	EXPECT_EQ(-ENOSPC, seg_sync(bfd, 0, 0, &s));
	EXPECT_GT(pages, (long)s.pages_written);
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	EXPECT_LT(0, st.file.write_errors);
	EXPECT_LT(0, st.counters.pages_dirty);

	/* Room again: everything reaches the file. */
	close(filler);
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(0, seg_sync(bfd, 0, 0, &s));
	ASSERT_EQ(0, shmdemo_stat(self->dev, id, &st));
	EXPECT_EQ(0, st.counters.pages_dirty);
	EXPECT_EQ(pages * self->pg, st.file.bytes_written);
	for (i = 0; i < pages; i++) {
		ASSERT_EQ(1, pread(fd, &got, 1, i * self->pg));
		EXPECT_EQ('A' + i % 26, got);
	}
	munmap(p, pages * self->pg);
	close(bfd);
	close(fd);
}

/* What a read(2) or write(2) of the file sees, as the README says. */
TEST_F(file, the_files_own_page_cache_meets_ours_at_read_and_writeback)
{
	unsigned char got, b = 'w';
	struct shmdemo_sync s;
	struct fseg fs;
	volatile char *p;
	int fd, bfd;

	NEED_SETUP();
	ASSERT_TRUE(fseg_open(_metadata, self, 4 * self->pg, true, PROT_READ | PROT_WRITE,
			      4 * self->pg, &fs));
	fd = fs.fd, bfd = fs.bfd, p = fs.p;
	EXPECT_EQ((char)pattern(0, 0), p[0]);		/* page 0 cached by us */

	/* write(2) to a page we cache: not seen; to one we don't: seen later. */
	ASSERT_EQ(1, pwrite(fd, &b, 1, 0));
	ASSERT_EQ(1, pwrite(fd, &b, 1, 2 * self->pg));
	EXPECT_EQ((char)pattern(0, 0), p[0]);
	EXPECT_EQ('w', p[2 * self->pg]);

	/* Our write reaches read(2) only after a writeback, and wins. */
	p[0] = 'm';
	ASSERT_EQ(1, pread(fd, &got, 1, 0));
	EXPECT_EQ('w', got);
	ASSERT_EQ(0, seg_sync(bfd, 0, 0, &s));
	ASSERT_EQ(1, pread(fd, &got, 1, 0));
	EXPECT_EQ('m', got);
	fseg_close(&fs);
}

struct syncer {
	int bfd;
	volatile int stop;
	int errors;
	long rounds;
};

static void *sync_loop(void *arg)
{
	struct syncer *sy = arg;
	struct shmdemo_sync s;

	while (!sy->stop) {
		sy->errors += seg_sync(sy->bfd, 0, 0, &s) != 0;
		sy->errors += fsync(sy->bfd) != 0;
		sy->rounds++;
	}
	return NULL;
}

/*
 * On ext4: write(2) into the backing file from the segment's own mapping
 * (ext4 holds the file's i_rwsem while it copies, and our copy source may
 * fault, reading that file) and read(2) from it into the mapping (our
 * write faults under ext4's read), while a second thread writes the
 * segment back into the same file (kernel_write() takes that i_rwsem).
 * Nothing deadlocks or errs; then every page is dirtied once more and one
 * SYNC writes all of them: the file holds exactly our bytes.
 */
TEST_F(file, ext4_backing_copies_through_its_own_mapping_while_syncing)
{
	const long pages = 64, rounds = 20;
	const char *disk = getenv("SHMDEMO_DISK");
	struct syncer sy = { 0 };
	struct shmdemo_sync s;
	unsigned char *p, *buf;
	char path[256];
	long i, r, bad = 0;
	pthread_t t;
	int fd, id;

	NEED_SETUP();
	if (!disk || !*disk)
		SKIP(return, "no disk file system ($SHMDEMO_DISK: tools/vm/run --disk)");
	snprintf(path, sizeof(path), "%s/shmdemo-file-test-%d", disk, getpid());
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	buf = malloc(pages * self->pg);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < pages * self->pg; i++)
		buf[i] = pattern(i / self->pg, i % self->pg);
	ASSERT_EQ(pages * self->pg, pwrite(fd, buf, pages * self->pg, 0));
	ASSERT_EQ(0, fsync(fd));
	id = new_file_seg(_metadata, self, fd, 0);
	ASSERT_LE(0, id);
	sy.bfd = bound(id, false);
	ASSERT_LE(0, sy.bfd);
	p = mmap(NULL, pages * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, sy.bfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, pthread_create(&t, NULL, sync_loop, &sy));
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < pages; i++)
			p[i * self->pg + 7] = (unsigned char)(r + i);
		/* Pages 0-15 of the mapping to the file's pages 32-47 ... */
		EXPECT_EQ(16 * self->pg, pwrite(fd, p, 16 * self->pg, 32 * self->pg));
		/* ... and the file's pages 48-63 into the mapping's 16-31. */
		EXPECT_EQ(16 * self->pg, pread(fd, p + 16 * self->pg, 16 * self->pg,
					       48 * self->pg));
		/* Drop what is clean, so the next round faults from the file again. */
		EXPECT_EQ(0, posix_fadvise(sy.bfd, 0, 0, POSIX_FADV_DONTNEED));
	}
	sy.stop = 1;
	pthread_join(t, NULL);
	EXPECT_EQ(0, sy.errors);
	EXPECT_LT(0, sy.rounds);

	for (i = 0; i < pages * self->pg; i++)
		p[i] = pattern(pages - 1 - i / self->pg, i % self->pg);
	ASSERT_EQ(0, seg_sync(sy.bfd, 0, 0, &s));
	EXPECT_EQ(pages, s.pages_written);
	EXPECT_EQ(pages * self->pg, s.bytes_written);
	ASSERT_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
	ASSERT_EQ(pages * self->pg, pread(fd, buf, pages * self->pg, 0));
	for (i = 0; i < pages * self->pg; i++)
		bad += buf[i] != pattern(pages - 1 - i / self->pg, i % self->pg);
	EXPECT_EQ(0, bad);
	munmap(p, pages * self->pg);
	close(sy.bfd);
	close(fd);
	free(buf);
	unlink(path);
}

/* SYNC: only on a bound fd, flags and outputs zero, ranges that fit. */
TEST_F(file, sync_request_rules)
{
	struct shmdemo_sync s;
	int fd, id, bfd, mem;

	NEED_SETUP();
	fd = make_file(_metadata, self, "f", self->pg, true, O_RDWR);
	id = new_file_seg(_metadata, self, fd, 0);
	ASSERT_LE(0, id);
	EXPECT_EQ(-ENXIO, seg_sync(self->dev, 0, 0, &s));
	bfd = bound(id, false);
	ASSERT_LE(0, bfd);
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.flags = 1;
	EXPECT_EQ(-EINVAL, shmdemo_ioctl(bfd, SHMDEMO_IOC_SYNC, &s));
	s.flags = 0;
	s.start = 1ULL << 63;
	EXPECT_EQ(-EINVAL, shmdemo_ioctl(bfd, SHMDEMO_IOC_SYNC, &s));
	s.start = 4096;
	s.len = ~0ULL >> 1;
	EXPECT_EQ(-EINVAL, shmdemo_ioctl(bfd, SHMDEMO_IOC_SYNC, &s));
	EXPECT_EQ(0, seg_sync(bfd, 0, 0, &s));
	EXPECT_EQ(0, s.pages_written);
	/* A memory-only segment: nothing to write, and fsync() is fine. */
	mem = shmdemo_open(O_RDWR);
	ASSERT_LE(0, mem);
	id = shmdemo_new_bound(mem, self->pg);
	ASSERT_LE(0, id);
	self->ids[self->nids++] = id;
	EXPECT_EQ(0, seg_sync(mem, 0, 0, &s));
	EXPECT_EQ(0, s.pages_written);
	EXPECT_EQ(0, fsync(mem));
	EXPECT_EQ(-1, fsync(self->dev));	/* not bound */
	EXPECT_EQ(EINVAL, errno);
	close(mem);
	close(bfd);
	close(fd);
}

TEST_HARNESS_MAIN
