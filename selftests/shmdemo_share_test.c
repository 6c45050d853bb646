// SPDX-License-Identifier: GPL-2.0
/*
 * Sharing: a parent and child (the article's E2 on the device), and two
 * processes that find the segment by key on their own (M3/E4), see each
 * other's writes and sit on the same physical page (C2, /proc/self/pagemap
 * as root).  nattch follows fork, a VMA split, mremap and exit exactly as
 * native System V shm does: every step is done on a SysV segment too and
 * the two counts compared.
 */
#include <sys/ipc.h>
#include <sys/shm.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

/* The article's record: 8 bytes. */
struct people {
	char name[4];
	int age;
};

FIXTURE(share) {
	int fd;
	int id;
	int key;
	long pg;
};

FIXTURE_SETUP(share)
{
	self->pg = shmdemo_page_size();
	self->id = -1;
	self->key = 0x5d000000 | (getpid() & 0xffffff);
	self->fd = shmdemo_open(O_RDWR);
	if (self->fd == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(share)
{
	if (self->id >= 0)
		shmdemo_rmid(self->fd, self->id);
	if (self->fd >= 0)
		close(self->fd);
}

static void *map_shared(int fd, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* E2 on the device: parent writes 5 records, child reads them and sets age 100. */
TEST_F(share, parent_and_child_share_records)
{
	struct people *rec;
	uint64_t parent_pfn;
	int status, i;
	pid_t pid;

	SHMDEMO_NEED_DEVICE(self->fd);
	self->id = shmdemo_new_bound(self->fd, 10 * sizeof(*rec));
	ASSERT_LE(0, self->id);
	rec = map_shared(self->fd, 10 * sizeof(*rec));
	ASSERT_NE(NULL, rec);
	for (i = 0; i < 5; i++) {
		memcpy(rec[i].name, (char[]){ 'a' + i, 0, 0, 0 }, 4);
		rec[i].age = 20 + i;
	}
	parent_pfn = shmdemo_pfn(rec);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (i = 0; i < 5; i++)
			if (rec[i].age != 20 + i || rec[i].name[0] != 'a' + i)
				_exit(1);
		/* Same physical page in both processes (root can see PFNs). */
		if (parent_pfn && shmdemo_pfn(rec) != parent_pfn)
			_exit(2);
		rec[0].age = 100;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(100, rec[0].age);
	if (!geteuid())
		EXPECT_NE(0, parent_pfn);
	munmap(rec, 10 * sizeof(*rec));
}

struct by_key {
	int key;
	int to_b[2];	/* a -> b: "written" */
	int to_a[2];	/* b -> a: "answered" */
	uint64_t pfn_a;
};

/* Open the device, find the key, bind and map one page: like shmget+shmat. */
static char *attach_by_key(int key, int *fdp)
{
	int fd = shmdemo_open(O_RDWR);
	int id;
	char *p;

	if (fd < 0)
		return NULL;
	id = shmdemo_get(fd, key, 0, 0, 0600);
	if (id < 0 || shmdemo_bind(fd, id, 0))
		return NULL;
	p = map_shared(fd, shmdemo_page_size());
	*fdp = fd;
	return p;
}

/* Process B: reads A's message, answers, reports its PFN through the page. */
static int process_b(void *varg)
{
	struct by_key *k = varg;
	char c, *p;
	int fd;

	if (read(k->to_b[0], &c, 1) != 1)
		return 10;
	p = attach_by_key(k->key, &fd);
	if (!p)
		return 11;
	if (strcmp(p, "hello from a"))
		return 12;
	strcpy(p, "hello from b");
	*(uint64_t *)(p + 64) = shmdemo_pfn(p);
	if (write(k->to_a[1], "x", 1) != 1)
		return 13;
	return 0;
}

/*
 * Two processes that share nothing but the key: each opens the device and
 * finds the segment itself.  Writes go both ways, the physical page is one.
 */
TEST_F(share, processes_attaching_by_key_share_one_page)
{
	struct by_key k = { .key = self->key };
	char c, *p;
	pid_t b;
	int status;

	SHMDEMO_NEED_DEVICE(self->fd);
	self->id = shmdemo_get(self->fd, self->key, self->pg,
			       SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL, 0600);
	ASSERT_LE(0, self->id);
	ASSERT_EQ(0, pipe(k.to_b));
	ASSERT_EQ(0, pipe(k.to_a));

	b = fork();
	ASSERT_LE(0, b);
	if (b == 0)
		_exit(process_b(&k));

	/* Process A is this one, with its own open of the device. */
	{
		int fd;

		p = attach_by_key(self->key, &fd);
		ASSERT_NE(NULL, p);
		strcpy(p, "hello from a");
		k.pfn_a = shmdemo_pfn(p);
		ASSERT_EQ(1, write(k.to_b[1], "x", 1));
		ASSERT_EQ(1, read(k.to_a[0], &c, 1));
		EXPECT_STREQ("hello from b", p);
		if (!geteuid()) {
			EXPECT_NE(0, k.pfn_a);
			EXPECT_EQ(k.pfn_a, *(uint64_t *)(p + 64));
		}
		munmap(p, self->pg);
		close(fd);
	}
	ASSERT_EQ(b, waitpid(b, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Two mappings in one process: one physical page, one page-cache page. */
TEST_F(share, two_mappings_in_one_process_hit_the_same_page)
{
	struct shmdemo_stat st;
	char *a, *b;

	SHMDEMO_NEED_DEVICE(self->fd);
	if (geteuid())
		SKIP(return, "PFNs in /proc/self/pagemap need root");
	self->id = shmdemo_new_bound(self->fd, self->pg);
	ASSERT_LE(0, self->id);
	a = map_shared(self->fd, self->pg);
	b = map_shared(self->fd, self->pg);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	a[0] = 'x';
	EXPECT_EQ('x', b[0]);
	EXPECT_NE(0, shmdemo_pfn(a));
	EXPECT_EQ(shmdemo_pfn(a), shmdemo_pfn(b));
	ASSERT_EQ(0, shmdemo_stat(self->fd, self->id, &st));
	EXPECT_EQ(1, st.counters.pages_alloc);
	EXPECT_EQ(2, st.nattch);
	munmap(a, self->pg);
	munmap(b, self->pg);
}

/* The same segment, natively and on the device, for a side-by-side nattch. */
struct twin {
	int sysv_id;
	char *sysv;
	char *dev;
};

static uint64_t dev_nattch(struct __test_metadata *_metadata, int fd, int id)
{
	struct shmdemo_stat st;

	EXPECT_EQ(0, shmdemo_stat(fd, id, &st));
	return st.nattch;
}

static uint64_t sysv_nattch(struct __test_metadata *_metadata, int id)
{
	struct shmid_ds ds;

	EXPECT_EQ(0, shmctl(id, IPC_STAT, &ds));
	return ds.shm_nattch;
}

#define EXPECT_NATTCH(n) do {						\
	EXPECT_EQ(n, sysv_nattch(_metadata, t.sysv_id));		\
	EXPECT_EQ(n, dev_nattch(_metadata, self->fd, self->id));	\
} while (0)

/* nattch counts VMAs, natively and on the device: fork, split, mremap, exit. */
TEST_F(share, nattch_follows_fork_split_mremap_and_exit_like_sysv)
{
	long pg = self->pg;
	struct twin t;
	int status, sync_pipe[2];
	char c;
	pid_t pid;

	SHMDEMO_NEED_DEVICE(self->fd);
	t.sysv_id = shmget(IPC_PRIVATE, 4 * pg, IPC_CREAT | 0600);
	ASSERT_LE(0, t.sysv_id);
	self->id = shmdemo_new_bound(self->fd, 4 * pg);
	ASSERT_LE(0, self->id);

	t.sysv = shmat(t.sysv_id, NULL, 0);
	ASSERT_NE((void *)-1, t.sysv);
	t.dev = map_shared(self->fd, 4 * pg);
	ASSERT_NE(NULL, t.dev);
	EXPECT_NATTCH(1);

	/* fork: the child's copies count until it exits */
	ASSERT_EQ(0, pipe(sync_pipe));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(sync_pipe[1]);
		_exit(read(sync_pipe[0], &c, 1) == 0 ? 0 : 1);
	}
	close(sync_pipe[0]);
	EXPECT_NATTCH(2);
	close(sync_pipe[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_NATTCH(1);

	/* munmap of a middle page splits the VMA in two */
	ASSERT_EQ(0, munmap(t.sysv + pg, pg));
	ASSERT_EQ(0, munmap(t.dev + pg, pg));
	EXPECT_NATTCH(2);

	/* mremap moves the last two pages into a hole we reserved: still two VMAs */
	{
		char *hole = mmap(NULL, 4 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *sysv_new, *dev_new;

		ASSERT_NE(MAP_FAILED, hole);
		sysv_new = mremap(t.sysv + 2 * pg, 2 * pg, 2 * pg,
				  MREMAP_MAYMOVE | MREMAP_FIXED, hole);
		dev_new = mremap(t.dev + 2 * pg, 2 * pg, 2 * pg,
				 MREMAP_MAYMOVE | MREMAP_FIXED, hole + 2 * pg);
		ASSERT_EQ(hole, sysv_new);
		ASSERT_EQ(hole + 2 * pg, dev_new);
		EXPECT_NATTCH(2);
		dev_new[0] = 'm';
		EXPECT_EQ(0, munmap(hole, 4 * pg));
	}
	EXPECT_NATTCH(1);

	/* shrinking a VMA from the front keeps it one VMA */
	EXPECT_EQ(0, munmap(t.sysv, pg));
	EXPECT_EQ(0, munmap(t.dev, pg));
	EXPECT_NATTCH(0);

	EXPECT_EQ(0, shmctl(t.sysv_id, IPC_RMID, NULL));
}

/* Removal is deferred while mapped; the memory goes with the last mapping. */
TEST_F(share, removed_segment_lives_until_last_mapping_and_fd)
{
	struct shmdemo_info before, after;
	struct shmdemo_stat st;
	int fd2, id;
	char *p;

	SHMDEMO_NEED_DEVICE(self->fd);
	id = shmdemo_new_bound(self->fd, 4 * self->pg);
	ASSERT_LE(0, id);
	p = map_shared(self->fd, 4 * self->pg);
	ASSERT_NE(NULL, p);
	memset(p, 7, 4 * self->pg);
	close(self->fd);	/* the mapping alone keeps it now */
	self->fd = shmdemo_open(O_RDWR);
	ASSERT_LE(0, self->fd);

	ASSERT_EQ(0, shmdemo_info(self->fd, &before));
	ASSERT_EQ(0, shmdemo_rmid(self->fd, id));
	ASSERT_EQ(0, shmdemo_stat(self->fd, id, &st));
	EXPECT_EQ(SHMDEMO_SEG_DEST, st.flags & SHMDEMO_SEG_DEST);
	EXPECT_EQ(1, st.nattch);
	EXPECT_EQ(4, st.counters.pages_resident);
	EXPECT_EQ(7, p[3 * self->pg]);

	/* Linux lets a removed, still-attached segment be attached again. */
	fd2 = shmdemo_open(O_RDWR);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, shmdemo_bind(fd2, id, 0));

	munmap(p, 4 * self->pg);
	/* Unmapped: gone by id, as shm_close() destroys it; fd2 holds the memory. */
	EXPECT_EQ(-EINVAL, shmdemo_stat(self->fd, id, &st));
	ASSERT_EQ(0, shmdemo_info(self->fd, &after));
	EXPECT_EQ(before.segments, after.segments);
	EXPECT_EQ(before.resident_pages, after.resident_pages);
	close(fd2);
	ASSERT_EQ(0, shmdemo_info(self->fd, &after));
	EXPECT_EQ(before.segments - 1, after.segments);
	EXPECT_EQ(before.total_pages - 4, after.total_pages);
	EXPECT_EQ(before.resident_pages - 4, after.resident_pages);
}

TEST_HARNESS_MAIN
