// SPDX-License-Identifier: GPL-2.0
/*
 * SHMDEMO_IOC_ATTACH / SHMDEMO_IOC_DETACH: shmat() and shmdt() in one
 * request each, checked against what shmat()/shmdt() do:
 *
 *  attach: the whole segment, shared, at the kernel's address or the
 *          caller's (RND rounds, REMAP replaces, an overlap is EINVAL),
 *          nattch counted, read-only and execute rules, permissions of the
 *          caller (an unprivileged one too), a removed segment still
 *          attachable while mapped, a struct that can't be written back
 *          leaves nothing mapped
 *  detach: by address, what munmap()/mprotect() left of the attachment,
 *          never a neighbour; EINVAL for anything else
 *  files:  a memory-only segment's attaches share the internal file it
 *          keeps per mode: attaching takes no module reference of its own,
 *          and the kept files go with the segment's removal, also when
 *          attaches race the removal
 *  gone:   mappings in other processes racing the last detach of a
 *          removed segment are counted or refused, never half of either
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

static int attach(int fd, int id, uint64_t addr, uint32_t flags, struct shmdemo_attach *a)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->id = id;
	a->addr = addr;
	a->flags = flags;
	return shmdemo_ioctl(fd, SHMDEMO_IOC_ATTACH, a);
}

static int detach(int fd, void *addr, uint64_t *bytes)
{
	struct shmdemo_detach d = { .size = sizeof(d), .addr = (uintptr_t)addr };
	int ret = shmdemo_ioctl(fd, SHMDEMO_IOC_DETACH, &d);

	if (bytes)
		*bytes = d.bytes;
	return ret;
}

static uint64_t nattch(int fd, int id)
{
	struct shmdemo_stat st;

	return shmdemo_stat(fd, id, &st) ? ~0ULL : st.nattch;
}

/* Is @p mapped?  (mincore() of an unmapped page is ENOMEM.) */
static bool mapped(void *p)
{
	unsigned char v;

	return mincore(p, 1, &v) == 0;
}

FIXTURE(attach) {
	int dev;		/* /dev/shmdemo, never bound */
	long pg;
	int id;			/* a segment of 3 pages + 100 bytes, mode 0640 */
};

FIXTURE_SETUP(attach)
{
	self->pg = shmdemo_page_size();
	self->id = -1;
	self->dev = shmdemo_open(O_RDWR);
	if (self->dev == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->dev);
	self->id = shmdemo_get(self->dev, SHMDEMO_KEY_PRIVATE, 3 * self->pg + 100,
			       SHMDEMO_GET_CREATE, 0640);
	ASSERT_LE(0, self->id);
}

FIXTURE_TEARDOWN(attach)
{
	if (self->id >= 0)
		shmdemo_rmid(self->dev, self->id);
	if (self->dev >= 0)
		close(self->dev);
}

/* One request maps all of it shared; one request unmaps it. */
TEST_F(attach, maps_the_whole_segment_and_detach_unmaps_it)
{
	struct shmdemo_attach a, b;
	uint64_t bytes = 0;
	char *p, *q;

	SHMDEMO_NEED_DEVICE(self->dev);
	ASSERT_EQ(0, attach(self->dev, self->id, 0, 0, &a));
	EXPECT_EQ(3 * self->pg + 100, a.bytes);		/* its size; 4 pages mapped */
	EXPECT_EQ(0, a.addr % self->pg);
	EXPECT_EQ(1, nattch(self->dev, self->id));
	p = (char *)(uintptr_t)a.addr;
	p[0] = 'a';
	p[3 * self->pg + 99] = 'z';
	/* A second attachment is the same memory. */
	ASSERT_EQ(0, attach(self->dev, self->id, 0, SHMDEMO_ATTACH_RDONLY, &b));
	q = (char *)(uintptr_t)b.addr;
	EXPECT_NE(p, q);
	EXPECT_EQ('a', q[0]);
	EXPECT_EQ('z', q[3 * self->pg + 99]);
	EXPECT_EQ(2, nattch(self->dev, self->id));
	/* Past the size but in its last page: no signal, as for a file. */
	EXPECT_EQ(0, shmdemo_touch_signal(p + 4 * self->pg - 1, false));

	EXPECT_EQ(0, detach(self->dev, p, &bytes));
	EXPECT_EQ(4 * self->pg, bytes);
	EXPECT_FALSE(mapped(p));
	EXPECT_FALSE(mapped(p + 3 * self->pg));
	EXPECT_EQ(1, nattch(self->dev, self->id));
	EXPECT_EQ(0, detach(self->dev, q, NULL));
	EXPECT_EQ(0, nattch(self->dev, self->id));
	EXPECT_EQ(-EINVAL, detach(self->dev, q, NULL));	/* twice: nothing there */
}

/* The request's own rules, as shmat()'s. */
TEST_F(attach, request_rules)
{
	struct shmdemo_attach a;
	char *hole, *p;

	SHMDEMO_NEED_DEVICE(self->dev);
	EXPECT_EQ(-EINVAL, attach(self->dev, self->id, 0, 1U << 5, &a));
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.id = self->id;
	a.__reserved = 1;
	EXPECT_EQ(-EINVAL, shmdemo_ioctl(self->dev, SHMDEMO_IOC_ATTACH, &a));
	a.__reserved = 0;
	a.bytes = 1;
	EXPECT_EQ(-EINVAL, shmdemo_ioctl(self->dev, SHMDEMO_IOC_ATTACH, &a));
	a.bytes = 0;
	a.size = SHMDEMO_ATTACH_SIZE_VER0 - 1;
	EXPECT_EQ(-EINVAL, shmdemo_ioctl(self->dev, SHMDEMO_IOC_ATTACH, &a));
	EXPECT_EQ(-EINVAL, attach(self->dev, 0x7fffffff, 0, 0, &a));	/* no such id */
	EXPECT_EQ(0, nattch(self->dev, self->id));

	/* A hole of 8 pages to aim at. */
	hole = mmap(NULL, 8 * self->pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole + 2 * self->pg, 6 * self->pg));
	/* Unaligned without RND; RND rounds down; an overlap needs REMAP. */
	EXPECT_EQ(-EINVAL, attach(self->dev, self->id, (uintptr_t)hole + 2 * self->pg + 1, 0, &a));
	ASSERT_EQ(0, attach(self->dev, self->id, (uintptr_t)hole + 2 * self->pg + 1,
			    SHMDEMO_ATTACH_RND, &a));
	EXPECT_EQ((uintptr_t)hole + 2 * self->pg, a.addr);
	EXPECT_EQ(0, detach(self->dev, (void *)(uintptr_t)a.addr, NULL));
	EXPECT_EQ(-EINVAL, attach(self->dev, self->id, (uintptr_t)hole, 0, &a));
	EXPECT_TRUE(mapped(hole));			/* the neighbour untouched */
	EXPECT_EQ(-EINVAL, attach(self->dev, self->id, 1, SHMDEMO_ATTACH_RND |
				  SHMDEMO_ATTACH_REMAP, &a));	/* rounds to 0 */
	/* shmat(NULL, SHM_REMAP) is EINVAL: REMAP needs an address. */
	EXPECT_EQ(-EINVAL, attach(self->dev, self->id, 0, SHMDEMO_ATTACH_REMAP, &a));
	EXPECT_EQ(0, nattch(self->dev, self->id));
	ASSERT_EQ(0, attach(self->dev, self->id, (uintptr_t)hole, SHMDEMO_ATTACH_REMAP, &a));
	EXPECT_EQ((uintptr_t)hole, a.addr);
	p = hole;
	p[0] = 'r';				/* was PROT_NONE: replaced */
	EXPECT_EQ(0, detach(self->dev, p, NULL));
	EXPECT_EQ(0, nattch(self->dev, self->id));
}

/* RDONLY maps read-only for good; writing needs a descriptor open for it. */
TEST_F(attach, read_only_stays_read_only)
{
	struct shmdemo_attach a;
	int ro;
	char *p;

	SHMDEMO_NEED_DEVICE(self->dev);
	ro = shmdemo_open(O_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EACCES, attach(ro, self->id, 0, 0, &a));
	ASSERT_EQ(0, attach(ro, self->id, 0, SHMDEMO_ATTACH_RDONLY, &a));
	p = (char *)(uintptr_t)a.addr;
	EXPECT_EQ(0, shmdemo_touch_signal(p, false));
	EXPECT_EQ(SIGSEGV, shmdemo_touch_signal(p, true));
	EXPECT_EQ(-1, mprotect(p, self->pg, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* Detach works on any open device file, bound or not, read-only too. */
	EXPECT_EQ(0, detach(ro, p, NULL));
	close(ro);
}

struct other_arg {
	int id;
	uint32_t flags;
};

/* As another user: 0 attached and detached, 1 EACCES, else a failure. */
static int attach_as_other(void *varg)
{
	struct other_arg *o = varg;
	struct shmdemo_attach a;
	int fd = shmdemo_open(O_RDWR), ret;

	if (fd < 0)
		fd = shmdemo_open(O_RDONLY);
	if (fd < 0)
		return 10;
	ret = attach(fd, o->id, 0, o->flags, &a);
	if (ret == -EACCES)
		return 1;
	if (ret)
		return 11;
	return detach(fd, (void *)(uintptr_t)a.addr, NULL) ? 12 : 0;
}

/* The caller's credentials decide, as shmat()'s do. */
TEST_F(attach, permissions_are_the_callers)
{
	struct other_arg o = { .id = self->id };

	SHMDEMO_NEED_DEVICE(self->dev);
	if (geteuid() != 0)
		SKIP(return, "needs root (to run as another user)");
	/* 0640 owned by root: nobody may not read; a group member may read only. */
	o.flags = SHMDEMO_ATTACH_RDONLY;
	EXPECT_EQ(1, shmdemo_run_child(attach_as_other, &o, 65534, 65534));
	EXPECT_EQ(0, shmdemo_run_child(attach_as_other, &o, 65534, 0));
	o.flags = 0;
	EXPECT_EQ(1, shmdemo_run_child(attach_as_other, &o, 65534, 0));
	/* EXEC needs execute permission, which 0640 grants nobody. */
	o.flags = SHMDEMO_ATTACH_RDONLY | SHMDEMO_ATTACH_EXEC;
	EXPECT_EQ(1, shmdemo_run_child(attach_as_other, &o, 65534, 0));
	EXPECT_EQ(0, nattch(self->dev, self->id));
}

/* The permissions of the mapping at @p in /proc/self/maps ("rwxs"), or "". */
static void maps_perms(void *p, char out[8])
{
	unsigned long lo, hi;
	char line[512], perms[8];
	FILE *f = fopen("/proc/self/maps", "re");

	out[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && lo == (uintptr_t)p) {
			snprintf(out, 8, "%s", perms);
			break;
		}
	if (f)
		fclose(f);
}

/* EXEC maps executable, with execute permission (root has it through 0700). */
TEST_F(attach, exec_maps_executable)
{
	struct shmdemo_attach a;
	char perms[8];
	int id;

	SHMDEMO_NEED_DEVICE(self->dev);
	id = shmdemo_get(self->dev, SHMDEMO_KEY_PRIVATE, self->pg, SHMDEMO_GET_CREATE, 0700);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, attach(self->dev, id, 0, SHMDEMO_ATTACH_EXEC, &a));
	maps_perms((void *)(uintptr_t)a.addr, perms);
	EXPECT_STREQ("rwxs", perms);
	EXPECT_EQ(0, detach(self->dev, (void *)(uintptr_t)a.addr, NULL));
	ASSERT_EQ(0, attach(self->dev, id, 0, SHMDEMO_ATTACH_EXEC | SHMDEMO_ATTACH_RDONLY, &a));
	maps_perms((void *)(uintptr_t)a.addr, perms);
	EXPECT_STREQ("r-xs", perms);
	EXPECT_EQ(0, detach(self->dev, (void *)(uintptr_t)a.addr, NULL));
	ASSERT_EQ(0, attach(self->dev, id, 0, 0, &a));
	maps_perms((void *)(uintptr_t)a.addr, perms);
	EXPECT_STREQ("rw-s", perms);
	EXPECT_EQ(0, detach(self->dev, (void *)(uintptr_t)a.addr, NULL));
	EXPECT_EQ(0, shmdemo_rmid(self->dev, id));
}

/* A removed segment can be attached while it is mapped, and is gone after. */
TEST_F(attach, a_removed_segment_attaches_while_mapped)
{
	struct shmdemo_attach a, b;

	SHMDEMO_NEED_DEVICE(self->dev);
	ASSERT_EQ(0, attach(self->dev, self->id, 0, 0, &a));
	ASSERT_EQ(0, shmdemo_rmid(self->dev, self->id));
	ASSERT_EQ(0, attach(self->dev, self->id, 0, 0, &b));
	*(char *)(uintptr_t)b.addr = 'b';
	EXPECT_EQ('b', *(char *)(uintptr_t)a.addr);
	EXPECT_EQ(0, detach(self->dev, (void *)(uintptr_t)a.addr, NULL));
	EXPECT_EQ(0, detach(self->dev, (void *)(uintptr_t)b.addr, NULL));
	EXPECT_EQ(-EINVAL, attach(self->dev, self->id, 0, 0, &a));	/* gone */
	self->id = -1;
}

/* A struct the kernel can't write the address into: nothing stays mapped. */
TEST_F(attach, unwritable_request_leaves_nothing_mapped)
{
	struct shmdemo_attach *a;

	SHMDEMO_NEED_DEVICE(self->dev);
	a = mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->id = self->id;
	ASSERT_EQ(0, mprotect(a, self->pg, PROT_READ));
	EXPECT_EQ(-EFAULT, shmdemo_ioctl(self->dev, SHMDEMO_IOC_ATTACH, a));
	EXPECT_EQ(0, nattch(self->dev, self->id));
	munmap(a, self->pg);
}

/*
 * Detach by address takes what munmap() and mprotect() left of the
 * attachment, skipping holes, and stops at the first mapping that is not
 * part of it: a neighbour, or another attachment of the same segment.
 */
TEST_F(attach, detach_takes_the_pieces_and_nothing_else)
{
	struct shmdemo_attach a, b;
	uint64_t bytes;
	char *p, *q;
	int bfd;

	SHMDEMO_NEED_DEVICE(self->dev);
	/* Room for two attachments and a neighbour page after them. */
	p = mmap(NULL, 9 * self->pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, attach(self->dev, self->id, (uintptr_t)p, SHMDEMO_ATTACH_REMAP, &a));
	ASSERT_EQ(0, attach(self->dev, self->id, a.addr + 4 * self->pg, SHMDEMO_ATTACH_REMAP, &b));
	q = (char *)(uintptr_t)b.addr;
	EXPECT_EQ(p + 4 * self->pg, q);
	ASSERT_EQ(0, munmap(p + self->pg, self->pg));			/* a hole */
	ASSERT_EQ(0, mprotect(p + 2 * self->pg, self->pg, PROT_READ));	/* a split */
	EXPECT_EQ(-EINVAL, detach(self->dev, p + self->pg, NULL));	/* the hole */
	EXPECT_EQ(-EINVAL, detach(self->dev, p + 2 * self->pg, NULL));	/* not its start */
	EXPECT_EQ(-EINVAL, detach(self->dev, p + 1, NULL));
	ASSERT_EQ(0, detach(self->dev, p, &bytes));
	EXPECT_EQ(4 * self->pg, bytes);
	EXPECT_FALSE(mapped(p + 3 * self->pg));
	EXPECT_TRUE(mapped(q));				/* the next attachment stays */
	EXPECT_EQ(1, nattch(self->dev, self->id));
	EXPECT_EQ(0, detach(self->dev, q, &bytes));
	EXPECT_EQ(4 * self->pg, bytes);
	EXPECT_TRUE(mapped(p + 8 * self->pg));		/* and the neighbour */
	munmap(p + 8 * self->pg, self->pg);

	/* mmap() of a bound descriptor is an attachment too. */
	bfd = shmdemo_open(O_RDWR);
	ASSERT_LE(0, bfd);
	ASSERT_EQ(0, shmdemo_bind(bfd, self->id, 0));
	p = mmap(NULL, 2 * self->pg, PROT_READ, MAP_SHARED, bfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, detach(self->dev, p, &bytes));
	EXPECT_EQ(2 * self->pg, bytes);
	close(bfd);
	/* Not a segment's mapping at all. */
	p = mmap(NULL, self->pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-EINVAL, detach(self->dev, p, NULL));
	EXPECT_TRUE(mapped(p));
	munmap(p, self->pg);
	EXPECT_EQ(0, nattch(self->dev, self->id));
}

/* fork() copies the attachment (nattch 2); the child's detach is its own. */
TEST_F(attach, fork_inherits_and_child_detaches_its_copy)
{
	struct shmdemo_attach a;
	int status;
	pid_t pid;
	char *p;

	SHMDEMO_NEED_DEVICE(self->dev);
	ASSERT_EQ(0, attach(self->dev, self->id, 0, 0, &a));
	p = (char *)(uintptr_t)a.addr;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		p[0] = 'c';
		_exit(nattch(self->dev, self->id) == 2 && !detach(self->dev, p, NULL) &&
		      !mapped(p) ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ('c', p[0]);
	EXPECT_EQ(1, nattch(self->dev, self->id));
	EXPECT_EQ(0, detach(self->dev, p, NULL));
}

/* A new private segment of @pages pages, or -errno. */
static int new_seg(int fd, long pg, int pages)
{
	return shmdemo_get(fd, SHMDEMO_KEY_PRIVATE, pages * pg, SHMDEMO_GET_CREATE, 0600);
}

/*
 * Attach in both modes, many times: the module's reference count grows by
 * the two files the segment keeps, not by one per attach; removing the
 * unmapped segment makes it gone at once, with its pages and those files
 * (the count is back to what it was before the segment existed).
 */
TEST_F(attach, kept_files_go_with_the_segment)
{
	struct shmdemo_info i0, i1;
	struct shmdemo_attach a, rw, ro;
	struct shmdemo_stat st;
	long r0;
	int id, n;

	SHMDEMO_NEED_DEVICE(self->dev);
	r0 = shmdemo_module_refcnt();
	if (r0 < 0)
		SKIP(return, "no /sys/module/shmdemo/refcnt (module built in?)");
	ASSERT_EQ(0, shmdemo_info(self->dev, &i0));
	id = new_seg(self->dev, self->pg, 4);
	ASSERT_LE(0, id);
	EXPECT_EQ(r0, shmdemo_module_refcnt());		/* the mount is pinned already */
	for (n = 0; n < 50; n++) {
		ASSERT_EQ(0, attach(self->dev, id, 0, n & 1 ? SHMDEMO_ATTACH_RDONLY : 0, &a));
		if (!(n & 1))
			memset((void *)(uintptr_t)a.addr, n, 4 * self->pg);
		ASSERT_EQ(0, detach(self->dev, (void *)(uintptr_t)a.addr, NULL));
	}
	EXPECT_EQ(r0 + 2, shmdemo_module_refcnt());	/* one file per mode */
	ASSERT_EQ(0, shmdemo_info(self->dev, &i1));
	EXPECT_EQ(i0.total_pages + 4, i1.total_pages);

	/* Mapped while it is removed: the kept files go, the mapping's stays. */
	ASSERT_EQ(0, attach(self->dev, id, 0, 0, &rw));
	ASSERT_EQ(0, shmdemo_rmid(self->dev, id));
	EXPECT_EQ(r0 + 1, shmdemo_module_refcnt());
	EXPECT_EQ(48, *(char *)(uintptr_t)rw.addr);
	/* A removed segment's attach gets a file of its own, gone with it. */
	ASSERT_EQ(0, attach(self->dev, id, 0, SHMDEMO_ATTACH_RDONLY, &ro));
	EXPECT_EQ(r0 + 2, shmdemo_module_refcnt());
	EXPECT_EQ(48, *(char *)(uintptr_t)(ro.addr + 3 * self->pg));
	EXPECT_EQ(0, detach(self->dev, (void *)(uintptr_t)ro.addr, NULL));
	EXPECT_EQ(r0 + 1, shmdemo_module_refcnt());
	/* The last detach: gone by id, its pages and files with it. */
	EXPECT_EQ(0, detach(self->dev, (void *)(uintptr_t)rw.addr, NULL));
	EXPECT_EQ(-EINVAL, shmdemo_stat(self->dev, id, &st));
	EXPECT_EQ(r0, shmdemo_module_refcnt());
	ASSERT_EQ(0, shmdemo_info(self->dev, &i1));
	EXPECT_EQ(i0.segments, i1.segments);
	EXPECT_EQ(i0.total_pages, i1.total_pages);
}

struct racer {
	int dev, id;
	atomic_int stop;
	atomic_long attached;
};

static void *attach_loop(void *varg)
{
	struct racer *r = varg;
	struct shmdemo_attach a;
	unsigned int n = 0;

	while (!atomic_load(&r->stop)) {
		if (attach(r->dev, r->id, 0, n++ & 1 ? SHMDEMO_ATTACH_RDONLY : 0, &a))
			continue;	/* gone (EINVAL) once removed and unmapped */
		atomic_fetch_add(&r->attached, 1);
		if (detach(r->dev, (void *)(uintptr_t)a.addr, NULL))
			return (void *)1;
	}
	return NULL;
}

/*
 * Attaches on four threads while the segment is removed under them: every
 * attach either maps it or is refused, and when they stop the segment is
 * gone and nothing of it is left - no kept file, no page, no module
 * reference.
 */
TEST_F(attach, attaches_racing_removal_leave_nothing)
{
	struct racer r = { .dev = self->dev };
	struct shmdemo_info i0, i1;
	pthread_t t[4];
	void *ret;
	long r0;
	int k, round;

	SHMDEMO_NEED_DEVICE(self->dev);
	r0 = shmdemo_module_refcnt();
	if (r0 < 0)
		SKIP(return, "no /sys/module/shmdemo/refcnt (module built in?)");
	ASSERT_EQ(0, shmdemo_info(self->dev, &i0));
	for (round = 0; round < 20; round++) {
		r.id = new_seg(self->dev, self->pg, 2);
		ASSERT_LE(0, r.id);
		atomic_store(&r.stop, 0);
		for (k = 0; k < 4; k++)
			ASSERT_EQ(0, pthread_create(&t[k], NULL, attach_loop, &r));
		usleep(1000 * (round % 5));
		EXPECT_EQ(0, shmdemo_rmid(self->dev, r.id));
		usleep(1000);
		atomic_store(&r.stop, 1);
		for (k = 0; k < 4; k++) {
			ASSERT_EQ(0, pthread_join(t[k], &ret));
			EXPECT_EQ(NULL, ret);
		}
		EXPECT_EQ(-EINVAL, attach(self->dev, r.id, 0, 0, &(struct shmdemo_attach){}));
	}
	TH_LOG("%ld attaches in 20 rounds", atomic_load(&r.attached));
	EXPECT_EQ(r0, shmdemo_module_refcnt());
	ASSERT_EQ(0, shmdemo_info(self->dev, &i1));
	EXPECT_EQ(i0.segments, i1.segments);
	EXPECT_EQ(i0.total_pages, i1.total_pages);
}

#define GONE_MAPPERS	2
#define GONE_ROUNDS	100	/* at most; past 10 rounds, while time is left */

/*
 * One mapper process, until the segment is gone: mapper 0 mmap()s its
 * binding, mapper 1 ATTACHes by id, and unmaps at once, so that it holds
 * a mapping for as short a time as it can and the last detach lands in
 * its mmap() often.  Exit status: 0 gone (EIDRM; ATTACH by id: EINVAL once
 * the id is gone too), 1 any other error, 2 never gone in 20 s.
 */
static int map_until_gone(int which, int dev, int bound, int id, long len)
{
	double end = shmdemo_now() + 20;
	struct shmdemo_attach a;
	void *p;

	while (shmdemo_now() < end) {
		if (which == 0) {
			p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bound, 0);
			if (p == MAP_FAILED)
				return errno == EIDRM ? 0 : 1;
			if (munmap(p, len))
				return 1;
			continue;
		}
		if (attach(dev, id, 0, 0, &a))
			return errno == EIDRM || errno == EINVAL ? 0 : 1;
		if (detach(dev, (void *)(uintptr_t)a.addr, NULL))
			return 1;
	}
	return 2;
}

/*
 * Mappers in other processes (their own mm: nothing serialises them with
 * the last detach) race it after the segment is removed.  On 7.x a mapping
 * is checked by ->mmap_prepare and counted by ->mapped, and the segment can
 * become gone between the two: ->mapped refuses, the VMA is unmapped and
 * its ->close must count nothing.  Every mapping is counted or refused:
 * afterwards the segment is gone and nothing of it is left - no page, no
 * segment, no module reference - and no kernel warning (an unbalanced
 * detach WARNs).  Rounds are bounded by time too (SHMDEMO_RACE_SECONDS,
 * default 10 s): a debug kernel forks slowly, and a test the harness kills
 * mid-round leaves its segment behind.
 */
TEST_F_TIMEOUT(attach, mappers_racing_the_last_detach_are_counted_or_refused, 120)
{
	double end = shmdemo_now() + shmdemo_race_seconds(10);
	int fds[GONE_MAPPERS], k, round, status, id;
	struct shmdemo_info i0, i1;
	pid_t pid[GONE_MAPPERS];
	long len = 2 * self->pg, r0;
	struct shmdemo_attach a;

	SHMDEMO_NEED_DEVICE(self->dev);
	r0 = shmdemo_module_refcnt();
	if (r0 < 0)
		SKIP(return, "no /sys/module/shmdemo/refcnt (module built in?)");
	ASSERT_EQ(0, shmdemo_info(self->dev, &i0));
	for (round = 0; round < GONE_ROUNDS && (round < 10 || shmdemo_now() < end); round++) {
		id = new_seg(self->dev, self->pg, 2);
		ASSERT_LE(0, id);
		/* The parent's attach keeps it from going before the race. */
		ASSERT_EQ(0, attach(self->dev, id, 0, 0, &a));
		for (k = 0; k < GONE_MAPPERS; k++) {
			fds[k] = shmdemo_open(O_RDWR);
			ASSERT_LE(0, fds[k]);
			ASSERT_EQ(0, shmdemo_bind(fds[k], id, 0));
		}
		for (k = 0; k < GONE_MAPPERS; k++) {
			pid[k] = fork();
			ASSERT_LE(0, pid[k]);
			/* The child drops its copy of the parent's attach. */
			if (!pid[k])
				_exit(detach(self->dev, (void *)(uintptr_t)a.addr, NULL) ? 1 :
				      map_until_gone(k, self->dev, fds[k], id, len));
		}
		usleep(200 * (round % 8));
		EXPECT_EQ(0, shmdemo_rmid(self->dev, id));
		EXPECT_EQ(0, detach(self->dev, (void *)(uintptr_t)a.addr, NULL));
		for (k = 0; k < GONE_MAPPERS; k++) {
			ASSERT_EQ(pid[k], waitpid(pid[k], &status, 0));
			ASSERT_TRUE(WIFEXITED(status));
			EXPECT_EQ(0, WEXITSTATUS(status));
		}
		/* Gone: by id and through every binding. */
		EXPECT_EQ(-EINVAL, attach(self->dev, id, 0, 0, &a));
		for (k = 0; k < GONE_MAPPERS; k++) {
			EXPECT_EQ(MAP_FAILED, mmap(NULL, len, PROT_READ, MAP_SHARED, fds[k], 0));
			EXPECT_EQ(EIDRM, errno);
			close(fds[k]);
		}
	}
	TH_LOG("%d rounds", round);
	EXPECT_EQ(r0, shmdemo_module_refcnt());
	ASSERT_EQ(0, shmdemo_info(self->dev, &i1));
	EXPECT_EQ(i0.segments, i1.segments);
	EXPECT_EQ(i0.total_pages, i1.total_pages);
}

TEST_HARNESS_MAIN
