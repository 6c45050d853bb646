// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmdemo, every backend through the same calls: open, attach, detach,
 * sync, stat, remove, list, fault accounting, errors for bad input, fork and
 * threads.  One FIXTURE_VARIANT per backend; the native ones run anywhere
 * (host tests), the device one SKIPs without /dev/shmdemo.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libshmdemo.h"

#define SEG_PAGES	4

FIXTURE(lib) {
	struct shmd_seg *seg;
	char path[128];
	long pg;
	bool skip;
};

FIXTURE_VARIANT(lib) {
	enum shmd_backend backend;
};

FIXTURE_VARIANT_ADD(lib, device) { .backend = SHMD_BACKEND_DEVICE };
FIXTURE_VARIANT_ADD(lib, sysv) { .backend = SHMD_BACKEND_SYSV };
FIXTURE_VARIANT_ADD(lib, file) { .backend = SHMD_BACKEND_FILE };
FIXTURE_VARIANT_ADD(lib, posix) { .backend = SHMD_BACKEND_POSIX };
FIXTURE_VARIANT_ADD(lib, anon) { .backend = SHMD_BACKEND_ANON };

static int counter;

/* Options naming a fresh object of @backend; @path receives its name. */
static struct shmd_open_opts fresh_opts(enum shmd_backend backend, char *path,
					size_t pathlen, uint64_t size)
{
	struct shmd_open_opts o = {
		.sz = sizeof(o), .backend = backend, .size = size,
		.flags = SHMD_CREATE | SHMD_EXCL, .mode = 0600,
	};

	path[0] = '\0';
	if (backend == SHMD_BACKEND_FILE)
		snprintf(path, pathlen, "/tmp/shmd-lib-test-%d-%d", getpid(), counter++);
	else if (backend == SHMD_BACKEND_POSIX)
		snprintf(path, pathlen, "/shmd-lib-test-%d-%d", getpid(), counter++);
	if (path[0])
		o.path = path;
	if (backend == SHMD_BACKEND_ANON)
		o.flags = 0, o.mode = 0;
	return o;
}

FIXTURE_SETUP(lib)
{
	struct shmd_open_opts o;
	int ret;

	self->pg = sysconf(_SC_PAGESIZE);
	self->seg = NULL;
	self->skip = variant->backend == SHMD_BACKEND_DEVICE &&
		     access(SHMDEMO_DEVICE, F_OK);
	if (self->skip)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	o = fresh_opts(variant->backend, self->path, sizeof(self->path),
		       SEG_PAGES * self->pg);
	ret = shmd_seg_open(&o, &self->seg);
	ASSERT_EQ(0, ret) TH_LOG("open %s: %s", shmd_backend_name(variant->backend),
				 strerror(-ret));
}

FIXTURE_TEARDOWN(lib)
{
	if (!self->seg)
		return;
	if (variant->backend != SHMD_BACKEND_ANON)
		shmd_remove(self->seg);	/* may be gone already: ignore */
	shmd_seg_close(self->seg);
}

#define NEED_SEG() do { if (self->skip) SKIP(return, "backend unavailable"); } while (0)

static int child_signal(volatile char *p, bool write)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (write)
			*p = 1;
		else
			(void)*p;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

TEST_F(lib, attach_write_detach_and_reattach_sees_the_data)
{
	char *p, *q;

	NEED_SEG();
	ASSERT_EQ(0, shmd_attach(self->seg, NULL, 0, (void **)&p));
	strcpy(p, "hello");
	strcpy(p + (SEG_PAGES - 1) * self->pg, "last page");
	ASSERT_EQ(0, shmd_detach(p));
	EXPECT_EQ(-EINVAL, shmd_detach(p));		/* already detached */

	if (variant->backend == SHMD_BACKEND_ANON) {
		/* Its one mapping is gone with it: there is nothing to reattach. */
		EXPECT_EQ(-EBUSY, shmd_attach(self->seg, NULL, 0, (void **)&q));
		return;
	}
	ASSERT_EQ(0, shmd_attach(self->seg, NULL, 0, (void **)&q));
	EXPECT_STREQ("hello", q);
	EXPECT_STREQ("last page", q + (SEG_PAGES - 1) * self->pg);
	EXPECT_EQ(0, shmd_detach(q));
}

TEST_F(lib, two_attachments_share_the_same_bytes)
{
	char *a, *b;

	NEED_SEG();
	if (variant->backend == SHMD_BACKEND_ANON)
		SKIP(return, "anon: one mapping, shared through fork() only");
	ASSERT_EQ(0, shmd_attach(self->seg, NULL, 0, (void **)&a));
	ASSERT_EQ(0, shmd_attach(self->seg, NULL, 0, (void **)&b));
	EXPECT_NE(a, b);
	a[100] = 'x';
	EXPECT_EQ('x', b[100]);
	EXPECT_EQ(0, shmd_detach(a));
	EXPECT_EQ(0, shmd_detach(b));
}

TEST_F(lib, sync_succeeds_and_reaches_the_file)
{
	char *p, buf[16] = { 0 };

	NEED_SEG();
	ASSERT_EQ(0, shmd_attach(self->seg, NULL, 0, (void **)&p));
	strcpy(p, "synced");
	EXPECT_EQ(0, shmd_sync(p, 0));
	EXPECT_EQ(0, shmd_sync(p, SHMD_SYNC_ASYNC));
	EXPECT_EQ(-EINVAL, shmd_sync(p, 0x80));
	EXPECT_EQ(-EINVAL, shmd_sync(p + 1, 0));	/* not an attach address */
	if (variant->backend == SHMD_BACKEND_FILE || variant->backend == SHMD_BACKEND_POSIX) {
		ASSERT_EQ(6, pread(shmd_seg_id(self->seg), buf, 6, 0));
		EXPECT_STREQ("synced", buf);
	}
	EXPECT_EQ(0, shmd_detach(p));
}

/*
 * shmd_sync_counted() says what it wrote where the backend knows: SYSV
 * and a memory-only DEVICE segment never write (0, counted); msync() of
 * the others does not say (not counted), nor does an ASYNC sync.
 */
TEST_F(lib, sync_counted_says_what_it_knows)
{
	struct shmd_sync_info info = { .sz = sizeof(info), .valid = 7, .pages = 9 };
	struct { struct shmd_sync_info i; char more[8]; } big = { .i.sz = sizeof(big) };
	bool knows = variant->backend == SHMD_BACKEND_SYSV ||
		     variant->backend == SHMD_BACKEND_DEVICE;
	char *p;

	NEED_SEG();
	ASSERT_EQ(0, shmd_attach(self->seg, NULL, 0, (void **)&p));
	strcpy(p, "counted");
	info.sz = sizeof(info);
	ASSERT_EQ(0, shmd_sync_counted(p, 0, &info));
	EXPECT_EQ(sizeof(info), info.sz);
	EXPECT_EQ(knows ? SHMD_SYNC_COUNTED : 0, info.valid);
	EXPECT_EQ(0, info.pages);
	EXPECT_EQ(0, info.bytes);
	ASSERT_EQ(0, shmd_sync_counted(p, SHMD_SYNC_ASYNC, &info));
	EXPECT_EQ(0, info.valid);
	/* Its size rules are shmd_stat()'s: a larger struct's tail must be zero. */
	EXPECT_EQ(0, shmd_sync_counted(p, 0, &big.i));
	big.more[3] = 1;
	EXPECT_EQ(-E2BIG, shmd_sync_counted(p, 0, &big.i));
	info.sz = 4;
	EXPECT_EQ(-EINVAL, shmd_sync_counted(p, 0, &info));
	EXPECT_EQ(-EINVAL, shmd_sync_counted(p + 1, 0, NULL));
	EXPECT_EQ(0, shmd_detach(p));
}

TEST_F(lib, stat_fills_what_the_backend_knows)
{
	struct shmd_stat st = { .sz = sizeof(st) };
	uint32_t want;
	char *p;

	NEED_SEG();
	ASSERT_EQ(0, shmd_attach(self->seg, NULL, 0, (void **)&p));
	ASSERT_EQ(0, shmd_stat(self->seg, &st));
	EXPECT_EQ(variant->backend, st.backend);
	EXPECT_EQ((uint64_t)SEG_PAGES * self->pg, st.size);
	EXPECT_EQ(sizeof(st), st.sz);
	switch (variant->backend) {
	case SHMD_BACKEND_DEVICE:
	case SHMD_BACKEND_SYSV:
		want = SHMD_STAT_SIZE | SHMD_STAT_MODE | SHMD_STAT_OWNER | SHMD_STAT_CREATOR |
		       SHMD_STAT_NATTCH | SHMD_STAT_ATIME | SHMD_STAT_CTIME | SHMD_STAT_KEY;
		if (variant->backend == SHMD_BACKEND_DEVICE)
			want |= SHMD_STAT_COUNTERS;
		EXPECT_EQ(want, st.valid);
		EXPECT_EQ(1, st.nattch);
		EXPECT_EQ(getpid(), st.cpid);
		EXPECT_EQ(getpid(), st.lpid);
		EXPECT_EQ(geteuid(), st.cuid);
		EXPECT_EQ(shmd_seg_id(self->seg), st.id);
		EXPECT_EQ(0, st.removed);
		break;
	case SHMD_BACKEND_FILE:
	case SHMD_BACKEND_POSIX:
		EXPECT_EQ(SHMD_STAT_SIZE | SHMD_STAT_MODE | SHMD_STAT_OWNER | SHMD_STAT_ATIME |
			  SHMD_STAT_CTIME | SHMD_STAT_MTIME, st.valid);
		EXPECT_EQ(0, st.nattch);	/* not in valid: zero */
		break;
	case SHMD_BACKEND_ANON:
		EXPECT_EQ(SHMD_STAT_SIZE, st.valid);
		break;
	}
	if (variant->backend != SHMD_BACKEND_ANON) {
		EXPECT_EQ(0600, st.mode);
		EXPECT_EQ(geteuid(), st.uid);
	}
	EXPECT_EQ(0, shmd_detach(p));
}

TEST_F(lib, readonly_attach_cannot_write)
{
	char *p;

	NEED_SEG();
	if (variant->backend == SHMD_BACKEND_ANON) {
		EXPECT_EQ(-EINVAL, shmd_attach(self->seg, NULL, SHMD_RDONLY, (void **)&p));
		return;
	}
	ASSERT_EQ(0, shmd_attach(self->seg, NULL, SHMD_RDONLY, (void **)&p));
	EXPECT_EQ(0, child_signal(p, false));
	EXPECT_EQ(SIGSEGV, child_signal(p, true));
	EXPECT_EQ(0, shmd_detach(p));
}

TEST_F(lib, private_attach_copies_on_write)
{
	char *shared, *priv;

	NEED_SEG();
	if (variant->backend == SHMD_BACKEND_SYSV || variant->backend == SHMD_BACKEND_ANON) {
		EXPECT_EQ(-EINVAL, shmd_attach(self->seg, NULL, SHMD_PRIVATE, (void **)&priv));
		return;
	}
	ASSERT_EQ(0, shmd_attach(self->seg, NULL, 0, (void **)&shared));
	strcpy(shared, "shared");
	ASSERT_EQ(0, shmd_attach(self->seg, NULL, SHMD_PRIVATE, (void **)&priv));
	EXPECT_STREQ("shared", priv);
	strcpy(priv, "mine");
	EXPECT_STREQ("shared", shared);
	EXPECT_EQ(0, shmd_detach(priv));
	EXPECT_EQ(0, shmd_detach(shared));
}

TEST_F(lib, address_hint_must_be_aligned_unless_rounded)
{
	char *hole, *p;

	NEED_SEG();
	if (variant->backend == SHMD_BACKEND_ANON)
		SKIP(return, "anon: mapped at open, no address choice");
	/* A hole we own, so a fixed attach can't clobber anything. */
	hole = mmap(NULL, (SEG_PAGES + 2) * self->pg, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole, (SEG_PAGES + 2) * self->pg));

	EXPECT_EQ(-EINVAL, shmd_attach(self->seg, hole + self->pg + 12, 0, (void **)&p));
	ASSERT_EQ(0, shmd_attach(self->seg, hole + self->pg + 12, SHMD_RND, (void **)&p));
	EXPECT_EQ(hole + self->pg, p);
	/* Taken: an error, not a hint (shmat() says EINVAL). */
	EXPECT_EQ(-EINVAL, shmd_attach(self->seg, hole + self->pg, 0, (void **)&hole));
	EXPECT_EQ(0, shmd_detach(p));
}

TEST_F(lib, remove_frees_the_name_but_not_the_attachment)
{
	struct shmd_stat st = { .sz = sizeof(st) };
	struct shmd_open_opts o = { .sz = sizeof(o), .backend = variant->backend };
	struct shmd_seg *again;
	char *p;

	NEED_SEG();
	if (variant->backend == SHMD_BACKEND_ANON) {
		EXPECT_EQ(-EOPNOTSUPP, shmd_remove(self->seg));
		return;
	}
	ASSERT_EQ(0, shmd_attach(self->seg, NULL, 0, (void **)&p));
	strcpy(p, "still here");
	ASSERT_EQ(0, shmd_remove(self->seg));
	EXPECT_STREQ("still here", p);

	if (variant->backend == SHMD_BACKEND_DEVICE || variant->backend == SHMD_BACKEND_SYSV) {
		ASSERT_EQ(0, shmd_stat(self->seg, &st));
		EXPECT_EQ(1, st.removed);
		EXPECT_EQ(SHMD_KEY_PRIVATE, st.key);
	} else {
		o.path = self->path;
		EXPECT_EQ(-ENOENT, shmd_seg_open(&o, &again));
	}
	EXPECT_EQ(0, shmd_detach(p));
	if (variant->backend == SHMD_BACKEND_DEVICE || variant->backend == SHMD_BACKEND_SYSV)
		EXPECT_EQ(-EINVAL, shmd_stat(self->seg, &st));
}

TEST_F(lib, list_names_the_segment_on_kernel_backends)
{
	int ids[4096], n, i;
	bool found = false;

	NEED_SEG();
	n = shmd_list(variant->backend, ids, 4096);
	if (variant->backend != SHMD_BACKEND_DEVICE && variant->backend != SHMD_BACKEND_SYSV) {
		EXPECT_EQ(-EOPNOTSUPP, n);
		return;
	}
	ASSERT_LE(1, n);
	for (i = 0; i < n && i < 4096; i++) {
		found |= ids[i] == shmd_seg_id(self->seg);
		if (i)
			EXPECT_LT(ids[i - 1], ids[i]);
	}
	EXPECT_TRUE(found);
	EXPECT_EQ(n, shmd_list(variant->backend, NULL, 0));
	EXPECT_EQ(-EINVAL, shmd_list(variant->backend, NULL, 1));
}

TEST_F(lib, faults_are_counted_around_a_workload)
{
	struct shmd_faults f = { .sz = sizeof(f) };
	long i;
	char *p;

	NEED_SEG();
	ASSERT_EQ(0, shmd_attach(self->seg, NULL, 0, (void **)&p));
	ASSERT_EQ(0, shmd_faults_begin(self->seg, &f));
	for (i = 0; i < SEG_PAGES; i++)
		p[i * self->pg] = 1;
	ASSERT_EQ(0, shmd_faults_end(self->seg, &f));
	/*
	 * Each first touch faults (C1/C6).  Only a file can need I/O, so only
	 * a file may take major faults (C3); memory-only backends take minor
	 * ones.
	 */
	EXPECT_LE(SEG_PAGES, f.minflt + f.majflt);
	if (variant->backend != SHMD_BACKEND_FILE)
		EXPECT_EQ(0, f.majflt);
	EXPECT_EQ(variant->backend == SHMD_BACKEND_DEVICE, f.has_counters);
	if (f.has_counters) {
		EXPECT_EQ(SEG_PAGES, f.counters.write_faults);
		EXPECT_EQ(SEG_PAGES, f.counters.pages_alloc);
		EXPECT_EQ(SEG_PAGES, f.counters.pages_resident);
	}
	EXPECT_EQ(0, shmd_detach(p));
}

TEST_F(lib, fork_child_inherits_and_can_detach_the_attachment)
{
	int status;
	char *p;
	pid_t pid;

	NEED_SEG();
	ASSERT_EQ(0, shmd_attach(self->seg, NULL, 0, (void **)&p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		strcpy(p, "from child");
		_exit(shmd_detach(p) == 0 && shmd_detach(p) == -EINVAL ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_STREQ("from child", p);
	EXPECT_EQ(0, shmd_detach(p));
}

struct churn {
	struct shmd_seg *seg;
	int iterations;
	int errors;
};

static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	char *p;
	int i;

	for (i = 0; i < c->iterations; i++) {
		if (shmd_attach(c->seg, NULL, 0, (void **)&p)) {
			c->errors++;
			continue;
		}
		p[i % 64] = (char)i;
		if (shmd_sync(p, SHMD_SYNC_ASYNC) || shmd_detach(p))
			c->errors++;
	}
	return NULL;
}

TEST_F(lib, concurrent_attach_and_detach_keep_the_table_consistent)
{
	struct churn c[4];
	pthread_t t[4];
	int i;

	NEED_SEG();
	if (variant->backend == SHMD_BACKEND_ANON)
		SKIP(return, "anon: one attachment");
	for (i = 0; i < 4; i++) {
		c[i] = (struct churn){ .seg = self->seg, .iterations = 200 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, churn_thread, &c[i]));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, c[i].errors);
	}
}

/* Bad input: the errors callers get, exactly. */
TEST(bad_options_are_rejected)
{
	struct shmd_open_opts o = { .sz = sizeof(o), .backend = SHMD_BACKEND_SYSV };
	unsigned char big[sizeof(o) + 8] = { 0 };
	struct shmd_stat st = { .sz = 4 };
	struct shmd_seg *seg;

	EXPECT_EQ(-EINVAL, shmd_seg_open(NULL, &seg));
	o.sz = 4;
	EXPECT_EQ(-EINVAL, shmd_seg_open(&o, &seg));
	o.sz = sizeof(o);
	o.flags = 0x100;
	EXPECT_EQ(-EINVAL, shmd_seg_open(&o, &seg));
	o.flags = 0;
	o.backend = 99;
	EXPECT_EQ(-EINVAL, shmd_seg_open(&o, &seg));

	/* A newer caller's larger struct: fine if the extra bytes are zero. */
	o.backend = SHMD_BACKEND_SYSV;
	o.key = 0x5d5d0000 | (getpid() & 0xffff);
	memcpy(big, &o, sizeof(o));
	((struct shmd_open_opts *)big)->sz = sizeof(big);
	big[sizeof(o) + 3] = 1;
	EXPECT_EQ(-E2BIG, shmd_seg_open((struct shmd_open_opts *)big, &seg));
	big[sizeof(o) + 3] = 0;
	EXPECT_EQ(-ENOENT, shmd_seg_open((struct shmd_open_opts *)big, &seg));

	EXPECT_EQ(-EINVAL, shmd_stat(NULL, &st));
	EXPECT_EQ(-EINVAL, shmd_detach(NULL));
	EXPECT_EQ(-EINVAL, shmd_detach(&o));
	EXPECT_EQ(-EINVAL, shmd_sync(&o, 0));
	EXPECT_EQ(-EINVAL, shmd_list(99, NULL, 0));
	EXPECT_EQ(-EINVAL, shmd_backend_from_name("nope"));
	EXPECT_EQ(SHMD_BACKEND_POSIX, shmd_backend_from_name("posix"));
	EXPECT_STREQ("device", shmd_backend_name(SHMD_BACKEND_DEVICE));
	EXPECT_EQ(NULL, shmd_backend_name(99));
}

TEST_F(lib, missing_name_and_excl_give_native_errors)
{
	struct shmd_seg *seg, *dup;
	struct shmd_open_opts o;
	char path[128];

	NEED_SEG();
	if (variant->backend == SHMD_BACKEND_ANON) {
		o = fresh_opts(variant->backend, path, sizeof(path), 0);
		EXPECT_EQ(-EINVAL, shmd_seg_open(&o, &seg));	/* no size */
		return;
	}
	/* A missing name without CREATE */
	o = fresh_opts(variant->backend, path, sizeof(path), self->pg);
	o.flags = 0;
	if (variant->backend == SHMD_BACKEND_DEVICE || variant->backend == SHMD_BACKEND_SYSV)
		o.key = 0x5d5e0000 | (getpid() & 0xffff);
	EXPECT_EQ(-ENOENT, shmd_seg_open(&o, &seg));

	/* CREATE|EXCL on something that exists */
	o.flags = SHMD_CREATE | SHMD_EXCL;
	ASSERT_EQ(0, shmd_seg_open(&o, &seg));
	EXPECT_EQ(-EEXIST, shmd_seg_open(&o, &dup));
	/* ...and an existing one asked for more than it has */
	o.flags = 0;
	o.size = 2 * self->pg;
	EXPECT_EQ(-EINVAL, shmd_seg_open(&o, &seg));
	o.size = self->pg;
	{
		struct shmd_seg *mine;

		/* Reopen without EXCL to remove it through a handle. */
		o.flags = 0;
		ASSERT_EQ(0, shmd_seg_open(&o, &mine));
		EXPECT_EQ(0, shmd_remove(mine));
		shmd_seg_close(mine);
	}
	shmd_seg_close(seg);
}

/* Compare: every workload on two native backends (host) gives the same bytes. */
TEST(compare_native_backends_agree)
{
	enum shmd_backend pairs[][2] = {
		{ SHMD_BACKEND_SYSV, SHMD_BACKEND_POSIX },
		{ SHMD_BACKEND_FILE, SHMD_BACKEND_ANON },
	};
	int w, k;

	for (k = 0; k < 2; k++) {
		for (w = SHMD_WL_RECORDS; w <= SHMD_WL_PAST_END; w++) {
			struct shmd_compare_opts o = {
				.sz = sizeof(o), .workload = w, .size = 16 * sysconf(_SC_PAGESIZE),
				.backends = { pairs[k][0], pairs[k][1] },
			};
			struct shmd_compare c = { .sz = sizeof(c) };

			ASSERT_EQ(0, shmd_compare(&o, &c));
			EXPECT_EQ(0, c.run[0].error) TH_LOG("%s", shmd_workload_name(w));
			EXPECT_EQ(0, c.run[1].error) TH_LOG("%s", shmd_workload_name(w));
			EXPECT_EQ(1, c.same_bytes) TH_LOG("%s", shmd_workload_name(w));
			EXPECT_EQ(-1, c.first_diff);
			EXPECT_EQ(16 * sysconf(_SC_PAGESIZE), c.run[0].len);
			if (w == SHMD_WL_TOUCH) {
				EXPECT_LE(16, c.run[0].faults.minflt + c.run[0].faults.majflt);
				EXPECT_LE(16, c.run[1].faults.minflt + c.run[1].faults.majflt);
			}
			if (w == SHMD_WL_PAST_END) {
				/* sysv and anon end with the segment; file and posix don't */
				EXPECT_EQ(k == 0 ? SIGSEGV : SIGBUS, c.run[0].signal);
				EXPECT_EQ(k == 0 ? SIGBUS : SIGSEGV, c.run[1].signal);
				EXPECT_EQ(0, c.same_outcome);
			} else {
				EXPECT_EQ(1, c.same_outcome) TH_LOG("%s", shmd_workload_name(w));
			}
			shmd_compare_release(&c);
		}
	}
}

/*
 * Compare, device against native SysV: same bytes for every workload, and
 * the module's counters tell the fault story (C1, C2, fault-around).
 */
/*
 * A device segment backed by a file (shmd_open_opts.path): its pages come
 * from the file, shmd_sync() writes the dirty ones back, shmd_stat() says
 * how much went each way.
 */
TEST(device_segment_backed_by_a_file)
{
	long pg = sysconf(_SC_PAGESIZE);
	char path[] = "/tmp/shmdemo-lib-file.XXXXXX", buf[8] = { 0 };
	struct shmd_open_opts o = { .sz = sizeof(o), .backend = SHMD_BACKEND_DEVICE,
				    .key = SHMD_KEY_PRIVATE, .flags = SHMD_CREATE, .mode = 0600 };
	struct shmd_stat st = { .sz = sizeof(st) };
	struct shmd_sync_info info = { .sz = sizeof(info) };
	struct shmd_seg *seg;
	char *p;
	int fd;

	if (access(SHMDEMO_DEVICE, F_OK))
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ(5, write(fd, "file!", 5));
	ASSERT_EQ(0, ftruncate(fd, 3 * pg));
	o.path = path;
	ASSERT_EQ(0, shmd_seg_open(&o, &seg));
	EXPECT_EQ(3 * pg, (long)shmd_seg_size(seg));
	ASSERT_EQ(0, shmd_attach(seg, NULL, 0, (void **)&p));
	EXPECT_EQ(0, memcmp(p, "file!", 5));		/* read from the file */
	memcpy(p + pg, "synced", 6);
	ASSERT_EQ(0, shmd_sync_counted(p, 0, &info));
	EXPECT_EQ(SHMD_SYNC_COUNTED, info.valid);	/* exactly the dirty page */
	EXPECT_EQ(1, info.pages);
	EXPECT_EQ(pg, (long)info.bytes);
	ASSERT_EQ(6, pread(fd, buf, 6, pg));
	EXPECT_STREQ("synced", buf);
	ASSERT_EQ(0, shmd_sync_counted(p, 0, &info));	/* nothing dirty since */
	EXPECT_EQ(0, info.pages);
	EXPECT_EQ(0, info.bytes);
	/* A write after the sync is caught by the next. */
	p[2 * pg] = 'e';
	p[0] = 'f';
	ASSERT_EQ(0, shmd_sync_counted(p, 0, &info));
	EXPECT_EQ(2, info.pages);
	EXPECT_EQ(2 * pg, (long)info.bytes);
	ASSERT_EQ(0, shmd_stat(seg, &st));
	EXPECT_TRUE(st.valid & SHMD_STAT_FILE);
	EXPECT_EQ(3, st.file.major_faults);
	EXPECT_EQ(3, st.file.pages_written);		/* shmd_stat() adds them up */
	EXPECT_EQ(3 * pg, (long)st.file.bytes_written);
	EXPECT_EQ(0, shmd_detach(p));
	EXPECT_EQ(0, shmd_remove(seg));
	shmd_seg_close(seg);
	close(fd);
	unlink(path);
}

/*
 * A write-back the file system refuses (a full tmpfs) reaches shmd_sync(),
 * is counted by shmd_stat(), and the data goes once there is room.
 */
TEST(device_file_write_error_reaches_shmd_sync)
{
	long pg = sysconf(_SC_PAGESIZE), i, pages = 16;
	char dir[] = "/tmp/shmdemo-lib-full.XXXXXX", path[64], filler[64], *p, *buf;
	struct shmd_open_opts o = { .sz = sizeof(o), .backend = SHMD_BACKEND_DEVICE,
				    .key = SHMD_KEY_PRIVATE, .flags = SHMD_CREATE, .mode = 0600 };
	struct shmd_stat st = { .sz = sizeof(st) };
	struct shmd_sync_info info = { .sz = sizeof(info) };
	struct shmd_seg *seg;
	int fd;

	if (access(SHMDEMO_DEVICE, F_OK))
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	if (geteuid())
		SKIP(return, "needs root (a tmpfs of its own)");
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, mount("shmdemo-lib-full", dir, "tmpfs", 0, "size=128k"));
	snprintf(path, sizeof(path), "%s/sparse", dir);
	snprintf(filler, sizeof(filler), "%s/filler", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, pages * pg));	/* holes: no room taken */
	close(fd);
	fd = open(filler, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	buf = calloc(1, pg);
	while (write(fd, buf, pg) == pg)
		;
	close(fd);
	free(buf);

	o.path = path;
	ASSERT_EQ(0, shmd_seg_open(&o, &seg));
	ASSERT_EQ(0, shmd_attach(seg, NULL, 0, (void **)&p));
	for (i = 0; i < pages; i++)
		p[i * pg] = 'x';
	EXPECT_EQ(-ENOSPC, shmd_sync(p, 0));
	ASSERT_EQ(0, shmd_stat(seg, &st));
	EXPECT_LT(0, (long)st.file.write_errors);
	ASSERT_EQ(0, unlink(filler));
	/* Every page was kept dirty: the retry writes them all. */
	ASSERT_EQ(0, shmd_sync_counted(p, 0, &info));
	EXPECT_EQ(pages, (long)info.pages);
	EXPECT_EQ(pages * pg, (long)info.bytes);
	ASSERT_EQ(0, shmd_stat(seg, &st));
	EXPECT_EQ(pages * pg, (long)st.file.bytes_written);
	EXPECT_EQ(0, shmd_detach(p));
	EXPECT_EQ(0, shmd_remove(seg));
	shmd_seg_close(seg);
	/* The segment lets its file go as deferred work: retry a moment. */
	for (i = 0; i < 50 && umount(dir) && errno == EBUSY; i++)
		usleep(20000);
	EXPECT_EQ(0, rmdir(dir));
}

/* A file-backed device segment beside mmap of a file: the same outcome. */
TEST(compare_device_file_with_file)
{
	long pg = sysconf(_SC_PAGESIZE);
	int w;

	if (access(SHMDEMO_DEVICE, F_OK))
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	for (w = SHMD_WL_RECORDS; w <= SHMD_WL_PAST_END; w++) {
		struct shmd_compare_opts o = {
			.sz = sizeof(o), .workload = w, .size = 16 * pg,
			.backends = { SHMD_BACKEND_DEVICE, SHMD_BACKEND_FILE },
			.flags = SHMD_COMPARE_DEVICE_FILE,
		};
		struct shmd_compare c = { .sz = sizeof(c) };

		ASSERT_EQ(0, shmd_compare(&o, &c));
		EXPECT_EQ(0, c.run[0].error) TH_LOG("%s", shmd_workload_name(w));
		EXPECT_TRUE(c.same_outcome) TH_LOG("%s", shmd_workload_name(w));
		/* Every page came from the file: at least one major fault. */
		if (w == SHMD_WL_TOUCH)
			EXPECT_EQ(16, c.run[0].faults.majflt);
		shmd_compare_release(&c);
	}
	{
		struct shmd_compare_opts o = { .sz = sizeof(o), .flags = 2 };
		struct shmd_compare c = { .sz = sizeof(c) };

		EXPECT_EQ(-EINVAL, shmd_compare(&o, &c));
	}
}

TEST(compare_device_with_sysv)
{
	long pg = sysconf(_SC_PAGESIZE);
	int w;

	if (access(SHMDEMO_DEVICE, F_OK))
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	for (w = SHMD_WL_RECORDS; w <= SHMD_WL_PAST_END; w++) {
		struct shmd_compare_opts o = { .sz = sizeof(o), .workload = w, .size = 64 * pg };
		struct shmd_compare c = { .sz = sizeof(c) };
		const struct shmdemo_counters *m = &c.run[0].faults.counters;

		ASSERT_EQ(0, shmd_compare(&o, &c));
		EXPECT_EQ(SHMD_BACKEND_DEVICE, c.run[0].backend);
		EXPECT_EQ(SHMD_BACKEND_SYSV, c.run[1].backend);
		EXPECT_EQ(0, c.run[0].error) TH_LOG("%s", shmd_workload_name(w));
		EXPECT_EQ(0, c.run[1].error) TH_LOG("%s", shmd_workload_name(w));
		EXPECT_EQ(1, c.same_bytes) TH_LOG("%s", shmd_workload_name(w));
		EXPECT_EQ(1, c.run[0].faults.has_counters);
		EXPECT_EQ(0, c.run[1].faults.has_counters);
		switch (w) {
		case SHMD_WL_TOUCH:
		case SHMD_WL_FORK_WRITE:
			EXPECT_EQ(64, m->write_faults);
			EXPECT_EQ(0, m->mkwrite);	/* memory-only: no write-notify */
			EXPECT_EQ(64, m->pages_alloc);
			break;
		case SHMD_WL_SECOND_READER:
			/* the reader only: fault-around maps 16 cached pages a fault */
			EXPECT_GE(64 / 16 + 1, m->read_faults);
			EXPECT_EQ(64, m->around_pages);
			EXPECT_EQ(0, m->pages_alloc);
			EXPECT_LT(m->read_faults, c.run[1].faults.minflt);
			break;
		case SHMD_WL_PAST_END:
			EXPECT_EQ(SIGBUS, c.run[0].signal);
			EXPECT_EQ(SIGSEGV, c.run[1].signal);
			break;
		default:
			EXPECT_EQ(1, c.same_outcome);
		}
		shmd_compare_release(&c);
	}
}

TEST(compare_rejects_bad_options)
{
	struct shmd_compare_opts o = { .sz = sizeof(o), .workload = SHMD_WL_TOUCH };
	struct shmd_compare c = { .sz = sizeof(c) - 8 };

	EXPECT_EQ(-EINVAL, shmd_compare(&o, &c));	/* result too small */
	c.sz = sizeof(c);
	o.workload = 99;
	EXPECT_EQ(-EINVAL, shmd_compare(&o, &c));
	o.workload = SHMD_WL_RECORDS;
	o.size = 8;
	o.records = 10;
	EXPECT_EQ(-EINVAL, shmd_compare(&o, &c));	/* no room for the records */
	o.size = 0;
	o.backends[0] = 42;
	EXPECT_EQ(-EINVAL, shmd_compare(&o, &c));
	EXPECT_EQ(SHMD_WL_PAST_END, shmd_workload_from_name("past-end"));
	EXPECT_EQ(-EINVAL, shmd_workload_from_name("nope"));
	EXPECT_STREQ("second-reader", shmd_workload_name(SHMD_WL_SECOND_READER));
}

TEST_HARNESS_MAIN
