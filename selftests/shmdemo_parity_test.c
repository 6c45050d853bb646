// SPDX-License-Identifier: GPL-2.0
/*
 * System V parity, side by side with native shm (ipc/shm.c is the
 * reference), and the hardening found by reading the module:
 *
 *  - a removed segment with no mapping left is gone by id, whatever bound
 *    files still hold it (shm_close() destroys it);
 *  - execute permission, and permission re-checked at every mmap with the
 *    mapper's credentials (shmat() checks at every attach);
 *  - a GET that fails creates nothing;
 *  - SHM_LOCK / SHM_UNLOCK and SHM_STAT_ANY;
 *  - remap_file_pages() on a device mapping;
 *  - the INFO request number, clamped limits, /proc/shmdemo in the
 *    opener's namespaces, capabilities in the caller's user namespace;
 *  - page-cache walks and resizes racing each other.
 *
 * Unprivileged cases run as uid/gid 65534 in a child; they need root to
 * get there and SKIP without it.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <time.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

#define NOBODY		65534
/* Ids 100000..165535 as uids 0..65535 of the user namespace test. */
#define NS_BASE		100000

FIXTURE(parity) {
	int fd;		/* /dev/shmdemo, O_RDWR, never bound */
	long pg;
};

FIXTURE_SETUP(parity)
{
	self->pg = shmdemo_page_size();
	self->fd = shmdemo_open(O_RDWR);
	if (self->fd == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(parity)
{
	if (self->fd >= 0)
		close(self->fd);
}

#define NEED_ROOT()							\
	do {								\
		if (geteuid() != 0)					\
			SKIP(return, "needs root (to run a child as uid 65534)"); \
	} while (0)

/* mmap() of a bound fd: 0 or errno (the mapping is undone). */
static int map_errno(int fd, size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

/* shmat(): 0 or errno (detached again). */
static int shmat_errno(int id, int flags)
{
	void *p = shmat(id, NULL, flags);

	if (p == (void *)-1)
		return errno;
	shmdt(p);
	return 0;
}

/*
 * IPC_RMID with nattch 0 destroys a native segment at once; on the device
 * a bound file may still hold the memory, but the id is gone just the same.
 */
TEST_F(parity, removed_unmapped_segment_is_gone_by_id_like_sysv)
{
	struct shmdemo_stat st;
	struct shmid_ds ds;
	int id, sid, fd2;
	char *p, *q;

	SHMDEMO_NEED_DEVICE(self->fd);
	sid = shmget(IPC_PRIVATE, self->pg, IPC_CREAT | 0600);
	ASSERT_LE(0, sid);
	q = shmat(sid, NULL, 0);
	ASSERT_NE((void *)-1, q);
	ASSERT_EQ(0, shmctl(sid, IPC_RMID, NULL));
	ASSERT_EQ(0, shmctl(sid, IPC_STAT, &ds));	/* attached: still there */
	ASSERT_EQ(0, shmdt(q));
	EXPECT_EQ(-1, shmctl(sid, IPC_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(EINVAL, shmat_errno(sid, 0));

	id = shmdemo_new_bound(self->fd, self->pg);
	ASSERT_LE(0, id);
	p = mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, shmdemo_rmid(self->fd, id));
	ASSERT_EQ(0, shmdemo_stat(self->fd, id, &st));	/* mapped: still there */
	ASSERT_EQ(0, munmap(p, self->pg));
	EXPECT_EQ(-EINVAL, shmdemo_stat(self->fd, id, &st));
	fd2 = shmdemo_open(O_RDWR);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EINVAL, shmdemo_bind(fd2, id, 0));
	close(fd2);
	/* The file bound before the removal can't bring it back either. */
	EXPECT_EQ(EIDRM, map_errno(self->fd, self->pg, PROT_READ));
}

struct perm_arg {
	int fd;			/* a bound device fd, or -1 */
	int id;			/* device id, or native id */
	long pg;
	int mode;
	int prot;
	int err;		/* out (shared page) */
};

/* As nobody: a private segment of @a->mode, mapped with @a->prot; errno. */
static int dev_own_mmap(void *arg)
{
	struct perm_arg *a = arg;
	int fd = shmdemo_open(O_RDWR), id;

	if (fd < 0)
		return 90;
	id = shmdemo_get(fd, SHMDEMO_KEY_PRIVATE, a->pg, SHMDEMO_GET_CREATE, a->mode);
	if (id < 0 || shmdemo_bind(fd, id, SHMDEMO_BIND_RDONLY))
		return 91;
	a->err = map_errno(fd, a->pg, a->prot);
	shmdemo_rmid(fd, id);
	close(fd);
	return 0;
}

static int sysv_own_shmat(void *arg)
{
	struct perm_arg *a = arg;
	int id = shmget(IPC_PRIVATE, a->pg, IPC_CREAT | a->mode);

	if (id < 0)
		return 90;
	a->err = shmat_errno(id, a->prot & PROT_EXEC ? SHM_EXEC | SHM_RDONLY : SHM_RDONLY);
	shmctl(id, IPC_RMID, NULL);
	return 0;
}

static struct perm_arg *shared_arg(void)
{
	struct perm_arg *a = mmap(NULL, sizeof(*a), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return a == MAP_FAILED ? NULL : a;
}

/* SHM_EXEC needs the x bit; so does PROT_EXEC on the device. */
TEST_F(parity, exec_needs_execute_permission_like_shm_exec)
{
	static const int modes[] = { 0400, 0500 };
	struct perm_arg *a = shared_arg();
	unsigned int i;

	SHMDEMO_NEED_DEVICE(self->fd);
	NEED_ROOT();
	ASSERT_NE(NULL, a);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		int native, dev;

		*a = (struct perm_arg){ .pg = self->pg, .mode = modes[i],
					.prot = PROT_READ | PROT_EXEC };
		ASSERT_EQ(0, shmdemo_run_child(sysv_own_shmat, a, NOBODY, NOBODY));
		native = a->err;
		ASSERT_EQ(0, shmdemo_run_child(dev_own_mmap, a, NOBODY, NOBODY));
		dev = a->err;
		TH_LOG("mode %o: shmat(SHM_EXEC) %s, mmap(PROT_EXEC) %s", modes[i],
		       strerror(native), strerror(dev));
		EXPECT_EQ(modes[i] & 0100 ? 0 : EACCES, native);
		EXPECT_EQ(native, dev);
	}
	munmap(a, sizeof(*a));
}

/* Without the x bit, mprotect() can't add PROT_EXEC later (VM_MAYEXEC). */
static int dev_mprotect_exec(void *arg)
{
	struct perm_arg *a = arg;
	int fd = shmdemo_open(O_RDWR), id;
	void *p;

	if (fd < 0)
		return 90;
	id = shmdemo_get(fd, SHMDEMO_KEY_PRIVATE, a->pg, SHMDEMO_GET_CREATE, a->mode);
	if (id < 0 || shmdemo_bind(fd, id, 0))
		return 91;
	p = mmap(NULL, a->pg, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 92;
	a->err = mprotect(p, a->pg, PROT_READ | PROT_EXEC) ? errno : 0;
	munmap(p, a->pg);
	shmdemo_rmid(fd, id);
	close(fd);
	return 0;
}

TEST_F(parity, mprotect_cannot_add_exec_without_execute_permission)
{
	struct perm_arg *a = shared_arg();

	SHMDEMO_NEED_DEVICE(self->fd);
	NEED_ROOT();
	ASSERT_NE(NULL, a);
	*a = (struct perm_arg){ .pg = self->pg, .mode = 0600 };
	ASSERT_EQ(0, shmdemo_run_child(dev_mprotect_exec, a, NOBODY, NOBODY));
	EXPECT_EQ(EACCES, a->err);
	*a = (struct perm_arg){ .pg = self->pg, .mode = 0700 };
	ASSERT_EQ(0, shmdemo_run_child(dev_mprotect_exec, a, NOBODY, NOBODY));
	EXPECT_EQ(0, a->err);
	munmap(a, sizeof(*a));
}

/*
 * The owner binds read-write, then takes away its own write permission:
 * the next shared writable mmap is refused, as the next shmat() is, and a
 * read-only one can't become writable.
 */
static int dev_chmod_then_mmap(void *arg)
{
	struct perm_arg *a = arg;
	int fd = shmdemo_open(O_RDWR), id, ret = 0;
	void *p;

	if (fd < 0)
		return 90;
	id = shmdemo_get(fd, SHMDEMO_KEY_PRIVATE, a->pg, SHMDEMO_GET_CREATE, 0600);
	if (id < 0 || shmdemo_bind(fd, id, 0))
		return 91;
	if (shmdemo_set(fd, id, SHMDEMO_SET_MODE, 0, 0, 0400))
		return 92;
	a->err = map_errno(fd, a->pg, PROT_READ | PROT_WRITE);
	p = mmap(NULL, a->pg, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		ret = 93;
	else if (!mprotect(p, a->pg, PROT_READ | PROT_WRITE) || errno != EACCES)
		ret = 94;
	if (p != MAP_FAILED)
		munmap(p, a->pg);
	shmdemo_rmid(fd, id);
	close(fd);
	return ret;
}

static int sysv_chmod_then_shmat(void *arg)
{
	struct perm_arg *a = arg;
	struct shmid_ds ds;
	int id = shmget(IPC_PRIVATE, a->pg, IPC_CREAT | 0600);
	void *p = shmat(id, NULL, 0);

	if (id < 0 || p == (void *)-1)
		return 90;
	if (shmctl(id, IPC_STAT, &ds))
		return 91;
	ds.shm_perm.mode = 0400;
	if (shmctl(id, IPC_SET, &ds))
		return 92;
	a->err = shmat_errno(id, 0);
	shmdt(p);
	shmctl(id, IPC_RMID, NULL);
	return 0;
}

TEST_F(parity, mmap_rechecks_permission_after_a_mode_change_like_shmat)
{
	struct perm_arg *a = shared_arg();
	int native;

	SHMDEMO_NEED_DEVICE(self->fd);
	NEED_ROOT();
	ASSERT_NE(NULL, a);
	*a = (struct perm_arg){ .pg = self->pg };
	ASSERT_EQ(0, shmdemo_run_child(sysv_chmod_then_shmat, a, NOBODY, NOBODY));
	native = a->err;
	EXPECT_EQ(EACCES, native);
	ASSERT_EQ(0, shmdemo_run_child(dev_chmod_then_mmap, a, NOBODY, NOBODY));
	EXPECT_EQ(native, a->err);
	munmap(a, sizeof(*a));
}

/* A read-write binding passed to a user who may not write: the mapper counts. */
static int dev_map_inherited(void *arg)
{
	struct perm_arg *a = arg;

	a->err = map_errno(a->fd, a->pg, PROT_READ | PROT_WRITE);
	return 0;
}

static int sysv_attach_by_id(void *arg)
{
	struct perm_arg *a = arg;

	a->err = shmat_errno(a->id, 0);
	return 0;
}

TEST_F(parity, an_inherited_binding_maps_with_the_mappers_permission)
{
	struct perm_arg *a = shared_arg();
	int id, sid;

	SHMDEMO_NEED_DEVICE(self->fd);
	NEED_ROOT();
	ASSERT_NE(NULL, a);
	sid = shmget(IPC_PRIVATE, self->pg, IPC_CREAT | 0644);
	ASSERT_LE(0, sid);
	*a = (struct perm_arg){ .pg = self->pg, .id = sid };
	ASSERT_EQ(0, shmdemo_run_child(sysv_attach_by_id, a, NOBODY, NOBODY));
	EXPECT_EQ(EACCES, a->err);
	shmctl(sid, IPC_RMID, NULL);

	id = shmdemo_get(self->fd, SHMDEMO_KEY_PRIVATE, self->pg, SHMDEMO_GET_CREATE, 0644);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, shmdemo_bind(self->fd, id, 0));	/* root: read-write */
	*a = (struct perm_arg){ .pg = self->pg, .fd = self->fd };
	ASSERT_EQ(0, shmdemo_run_child(dev_map_inherited, a, NOBODY, NOBODY));
	EXPECT_EQ(EACCES, a->err);
	EXPECT_EQ(0, map_errno(self->fd, self->pg, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, shmdemo_rmid(self->fd, id));
	munmap(a, sizeof(*a));
}

/* GET into a struct it can't write back: EFAULT, and no segment was made. */
TEST_F(parity, a_get_that_fails_creates_nothing)
{
	struct shmdemo_info before, after;
	struct shmdemo_get *g;
	int key = 0x5d000000 | (getpid() & 0xffff);

	SHMDEMO_NEED_DEVICE(self->fd);
	g = mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, g);
	ASSERT_EQ(0, shmdemo_info(self->fd, &before));

	*g = (struct shmdemo_get){ .size = sizeof(*g), .key = SHMDEMO_KEY_PRIVATE,
				   .bytes = self->pg, .flags = SHMDEMO_GET_CREATE, .mode = 0600 };
	ASSERT_EQ(0, mprotect(g, self->pg, PROT_READ));
	EXPECT_EQ(-EFAULT, shmdemo_ioctl(self->fd, SHMDEMO_IOC_GET, g));
	ASSERT_EQ(0, mprotect(g, self->pg, PROT_READ | PROT_WRITE));
	g->key = key;
	ASSERT_EQ(0, mprotect(g, self->pg, PROT_READ));
	EXPECT_EQ(-EFAULT, shmdemo_ioctl(self->fd, SHMDEMO_IOC_GET, g));

	ASSERT_EQ(0, shmdemo_info(self->fd, &after));
	EXPECT_EQ(before.segments, after.segments);
	EXPECT_EQ(before.total_pages, after.total_pages);
	EXPECT_EQ(-ENOENT, shmdemo_get(self->fd, key, 0, 0, 0));
	munmap(g, self->pg);
}

static int dev_lock(int fd, int id, bool lock)
{
	struct shmdemo_id r = { .size = sizeof(r), .id = id };

	return shmdemo_ioctl(fd, lock ? SHMDEMO_IOC_LOCK : SHMDEMO_IOC_UNLOCK, &r);
}

TEST_F(parity, lock_sets_the_locked_flag_and_unlock_clears_it)
{
	struct shmdemo_stat st;
	int id;

	SHMDEMO_NEED_DEVICE(self->fd);
	NEED_ROOT();
	id = shmdemo_get(self->fd, SHMDEMO_KEY_PRIVATE, 4 * self->pg, SHMDEMO_GET_CREATE, 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, dev_lock(self->fd, id, true));
	ASSERT_EQ(0, shmdemo_stat(self->fd, id, &st));
	EXPECT_EQ(SHMDEMO_SEG_LOCKED, st.flags);
	EXPECT_EQ(0, dev_lock(self->fd, id, true));	/* again: nothing */
	ASSERT_EQ(0, dev_lock(self->fd, id, false));
	ASSERT_EQ(0, shmdemo_stat(self->fd, id, &st));
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(0, dev_lock(self->fd, id, false));	/* again: nothing */
	EXPECT_EQ(-EINVAL, dev_lock(self->fd, -1, true));
	/* Freed while locked: the charge goes with it (kmemleak/WARN would say). */
	ASSERT_EQ(0, dev_lock(self->fd, id, true));
	EXPECT_EQ(0, shmdemo_rmid(self->fd, id));
}

struct lock_arg {
	long pg;
	rlim_t memlock;		/* RLIMIT_MEMLOCK in bytes for the child */
	int sysv_other, other_id;	/* root's segments: native, device */
	int native, dev, native_other, dev_other;	/* out: errno */
};

static int lock_as_nobody(void *arg)
{
	struct lock_arg *a = arg;
	struct rlimit rl = { a->memlock, a->memlock };
	int fd, id, sid;

	/* Lowering a limit needs no privilege. */
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return 90;
	sid = shmget(IPC_PRIVATE, 2 * a->pg, IPC_CREAT | 0600);
	if (sid < 0)
		return 91;
	a->native = shmctl(sid, SHM_LOCK, NULL) ? errno : 0;
	shmctl(sid, IPC_RMID, NULL);
	fd = shmdemo_open(O_RDWR);
	if (fd < 0)
		return 92;
	id = shmdemo_get(fd, SHMDEMO_KEY_PRIVATE, 2 * a->pg, SHMDEMO_GET_CREATE, 0600);
	if (id < 0)
		return 93;
	a->dev = -dev_lock(fd, id, true);
	shmdemo_rmid(fd, id);
	a->dev_other = -dev_lock(fd, a->other_id, true);
	a->native_other = shmctl(a->sysv_other, SHM_LOCK, NULL) ? errno : 0;
	close(fd);
	return 0;
}

/* shmctl_do_lock()'s rules for an unprivileged owner, and a stranger. */
TEST_F(parity, lock_rules_for_unprivileged_callers_like_sysv)
{
	static const struct { rlim_t pages; int err; } cases[] = {
		{ 0, EPERM },		/* no RLIMIT_MEMLOCK at all */
		{ 1, ENOMEM },		/* the 2-page segment doesn't fit */
		{ 64, 0 },
	};
	struct lock_arg *a;
	unsigned int i;
	int other, sother;

	SHMDEMO_NEED_DEVICE(self->fd);
	NEED_ROOT();
	a = mmap(NULL, sizeof(*a), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	other = shmdemo_get(self->fd, SHMDEMO_KEY_PRIVATE, self->pg, SHMDEMO_GET_CREATE, 0666);
	ASSERT_LE(0, other);
	sother = shmget(IPC_PRIVATE, self->pg, IPC_CREAT | 0666);
	ASSERT_LE(0, sother);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		*a = (struct lock_arg){ .pg = self->pg, .memlock = cases[i].pages * self->pg,
					.sysv_other = sother, .other_id = other };
		ASSERT_EQ(0, shmdemo_run_child(lock_as_nobody, a, NOBODY, NOBODY));
		TH_LOG("RLIMIT_MEMLOCK %lu pages: SHM_LOCK %s, device %s",
		       (unsigned long)cases[i].pages, strerror(a->native), strerror(a->dev));
		EXPECT_EQ(cases[i].err, a->native);
		EXPECT_EQ(a->native, a->dev);
		/* Neither owner nor creator: EPERM whatever the limit. */
		EXPECT_EQ(EPERM, a->native_other);
		EXPECT_EQ(a->native_other, a->dev_other);
	}
	EXPECT_EQ(0, shmdemo_rmid(self->fd, other));
	shmctl(sother, IPC_RMID, NULL);
	munmap(a, sizeof(*a));
}

struct stat_any_arg {
	int id;
	int stat, stat_any;	/* out: 0 or errno */
	uint32_t mode;		/* out: from STAT_ANY */
};

static int stat_as_nobody(void *arg)
{
	struct stat_any_arg *a = arg;
	int fd = shmdemo_open(O_RDONLY);
	struct shmdemo_stat st;

	if (fd < 0)
		return 90;
	a->stat = -shmdemo_stat(fd, a->id, &st);
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.id = a->id;
	a->stat_any = -shmdemo_ioctl(fd, SHMDEMO_IOC_STAT_ANY, &st);
	a->mode = st.mode;
	close(fd);
	return 0;
}

/* SHM_STAT_ANY: the same struct without the read-permission check. */
TEST_F(parity, stat_any_needs_no_read_permission)
{
	struct stat_any_arg *a;
	int id;

	SHMDEMO_NEED_DEVICE(self->fd);
	NEED_ROOT();
	a = mmap(NULL, sizeof(*a), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	id = shmdemo_get(self->fd, SHMDEMO_KEY_PRIVATE, self->pg, SHMDEMO_GET_CREATE, 0600);
	ASSERT_LE(0, id);
	a->id = id;
	ASSERT_EQ(0, shmdemo_run_child(stat_as_nobody, a, NOBODY, NOBODY));
	EXPECT_EQ(EACCES, a->stat);
	EXPECT_EQ(0, a->stat_any);
	EXPECT_EQ(0600, a->mode);
	a->id = -1;
	ASSERT_EQ(0, shmdemo_run_child(stat_as_nobody, a, NOBODY, NOBODY));
	EXPECT_EQ(EINVAL, a->stat_any);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, id));
	munmap(a, sizeof(*a));
}

/* Stamp page i of @p with i + 1 and check that remap moved page @src to 0. */
static int remap_and_read(char *p, long pg, int pages, int src)
{
	int i;

	for (i = 0; i < pages; i++)
		p[i * pg] = (char)(i + 1);
	if (remap_file_pages(p, pg, 0, src, 0))
		return -errno;
	return p[0];
}

/* remap_file_pages() maps the segment file again: it works as on SysV. */
TEST_F(parity, remap_file_pages_works_like_sysv)
{
	int id, sid;
	char *p, *q;

	SHMDEMO_NEED_DEVICE(self->fd);
	sid = shmget(IPC_PRIVATE, 4 * self->pg, IPC_CREAT | 0600);
	ASSERT_LE(0, sid);
	q = shmat(sid, NULL, 0);
	ASSERT_NE((void *)-1, q);
	EXPECT_EQ(3, remap_and_read(q, self->pg, 4, 2));
	shmdt(q);
	shmctl(sid, IPC_RMID, NULL);

	id = shmdemo_new_bound(self->fd, 4 * self->pg);
	ASSERT_LE(0, id);
	p = mmap(NULL, 4 * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(3, remap_and_read(p, self->pg, 4, 2));
	EXPECT_EQ(3, p[2 * self->pg]);	/* the original page 2 is still there */
	munmap(p, 4 * self->pg);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, id));
}

/*
 * remap_file_pages() of the only mapping of a removed segment unmaps it
 * first: natively shm_close() destroys it and shm_mmap() fails; on the
 * device it is gone and the segment file's mmap fails with EIDRM.
 */
TEST_F(parity, remap_file_pages_of_a_gone_segment_fails)
{
	int id, sid;
	char *p, *q;

	SHMDEMO_NEED_DEVICE(self->fd);
	sid = shmget(IPC_PRIVATE, self->pg, IPC_CREAT | 0600);
	ASSERT_LE(0, sid);
	q = shmat(sid, NULL, 0);
	ASSERT_NE((void *)-1, q);
	ASSERT_EQ(0, shmctl(sid, IPC_RMID, NULL));
	EXPECT_EQ(-1, remap_file_pages(q, self->pg, 0, 0, 0));
	TH_LOG("native: %s", strerror(errno));
	EXPECT_TRUE(errno == EINVAL || errno == EIDRM);
	shmdt(q);

	id = shmdemo_new_bound(self->fd, self->pg);
	ASSERT_LE(0, id);
	p = mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, shmdemo_rmid(self->fd, id));
	EXPECT_EQ(-1, remap_file_pages(p, self->pg, 0, 0, 0));
	EXPECT_EQ(EIDRM, errno);
	munmap(p, self->pg);
}

/* INFO was _IOR before its struct grew; both numbers answer, sizes decide. */
TEST_F(parity, info_answers_its_old_and_new_request_numbers)
{
	struct shmdemo_info info = { .size = SHMDEMO_INFO_SIZE_VER0 };
	struct shmdemo_info big;

	SHMDEMO_NEED_DEVICE(self->fd);
	memset(&big, 0xa5, sizeof(big));
	EXPECT_EQ(0, shmdemo_ioctl(self->fd, _IOR(SHMDEMO_IOC_MAGIC, 0x07,
						  struct shmdemo_info), &info));
	EXPECT_LT(0, info.max_segments);
	EXPECT_EQ(0, info.max_user_pages);	/* not copied to a VER0 caller */
	ASSERT_EQ(0, shmdemo_info(self->fd, &big));
	EXPECT_EQ(SHMDEMO_INFO_SIZE_VER1, big.size);
	EXPECT_LT(0, big.max_user_pages);
	EXPECT_EQ(_IOC_READ | _IOC_WRITE, _IOC_DIR(SHMDEMO_IOC_INFO));
}

/* Limits are clamped when written: no size can wrap or make i_size negative. */
TEST_F(parity, size_limits_are_clamped_when_set)
{
	const long long max_lfs = 0x7fffffffffffffffLL;
	long saved_bytes, saved_pages, saved_segs;

	SHMDEMO_NEED_DEVICE(self->fd);
	NEED_ROOT();
	saved_bytes = shmdemo_param_get("max_seg_bytes");
	saved_pages = shmdemo_param_get("max_total_pages");
	saved_segs = shmdemo_param_get("max_segments");
	ASSERT_LT(0, saved_bytes);
	ASSERT_EQ(0, shmdemo_param_set("max_seg_bytes", ~0UL));
	EXPECT_EQ(max_lfs, shmdemo_param_get("max_seg_bytes"));
	ASSERT_EQ(0, shmdemo_param_set("max_total_pages", ~0UL));
	EXPECT_EQ(max_lfs / self->pg, shmdemo_param_get("max_total_pages"));
	ASSERT_EQ(0, shmdemo_param_set("max_segments", 1000000));
	EXPECT_EQ(32768, shmdemo_param_get("max_segments"));
	/* Sizes that used to round to 0 pages or a negative i_size. */
	EXPECT_EQ(-EINVAL, shmdemo_get(self->fd, SHMDEMO_KEY_PRIVATE, ~0ULL,
				       SHMDEMO_GET_CREATE, 0600));
	EXPECT_EQ(-EINVAL, shmdemo_get(self->fd, SHMDEMO_KEY_PRIVATE, 1ULL << 63,
				       SHMDEMO_GET_CREATE, 0600));
	EXPECT_EQ(0, shmdemo_param_set("max_seg_bytes", saved_bytes));
	EXPECT_EQ(0, shmdemo_param_set("max_total_pages", saved_pages));
	EXPECT_EQ(0, shmdemo_param_set("max_segments", saved_segs));
}

/* The line of @id in /proc/shmdemo read from @fd: uid and cpid, or -1. */
static int proc_uid_cpid(int fd, int id, unsigned int *uid, int *cpid)
{
	static char buf[1 << 16];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *line;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		int key, sid, lpid;
		unsigned int mode;
		unsigned long long bytes, nattch;

		if (sscanf(line, "%d %d %o %llu %d %d %llu %u", &key, &sid, &mode,
			   &bytes, cpid, &lpid, &nattch, uid) == 8 && sid == id)
			return 0;
	}
	return -1;
}

struct ns_arg {
	int procfd, id;
	unsigned int uid;	/* out */
	int cpid;		/* out */
};

static int read_proc_in_new_ns(void *arg)
{
	struct ns_arg *a = arg;
	int status;
	pid_t pid;

	if (unshare(CLONE_NEWUSER | CLONE_NEWPID))
		return 90;
	pid = fork();	/* the first process of the new pid namespace */
	if (pid < 0)
		return 91;
	if (pid == 0)
		_exit(proc_uid_cpid(a->procfd, a->id, &a->uid, &a->cpid) ? 92 : 0);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 93;
	return WEXITSTATUS(status);
}

/*
 * /proc/shmdemo opened here and read from a new user and pid namespace
 * shows what its opener would see (seq_user_ns(), the /proc mount's pid
 * namespace), as /proc/sysvipc/shm does: root's uid 0, the real cpid.
 */
TEST_F(parity, proc_shows_ids_in_the_openers_namespaces)
{
	struct ns_arg *a;
	int id;

	SHMDEMO_NEED_DEVICE(self->fd);
	a = mmap(NULL, sizeof(*a), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	id = shmdemo_get(self->fd, SHMDEMO_KEY_PRIVATE, self->pg, SHMDEMO_GET_CREATE, 0600);
	ASSERT_LE(0, id);
	a->procfd = open("/proc/shmdemo", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, a->procfd);
	a->id = id;
	a->uid = 12345;
	a->cpid = -1;
	ASSERT_EQ(0, shmdemo_run_child(read_proc_in_new_ns, a, -1, -1));
	EXPECT_EQ(geteuid(), a->uid);
	EXPECT_EQ(getpid(), a->cpid);
	close(a->procfd);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, id));
	munmap(a, sizeof(*a));
}

struct userns_arg {
	int sync[2], go[2];
	int mapped_id, unmapped_id;
	int stat_mapped, rmid_mapped, stat_unmapped, rmid_unmapped;	/* out */
};

/* kuid NS_BASE, then root of a user namespace mapping NS_BASE.. as 0.. */
static int ops_as_userns_root(void *arg)
{
	struct userns_arg *a = arg;
	struct shmdemo_stat st;
	char c = 0;
	int fd;

	if (unshare(CLONE_NEWUSER))
		return 90;
	if (write(a->sync[1], &c, 1) != 1 || read(a->go[0], &c, 1) != 1)
		return 91;
	if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
		return 92;
	fd = shmdemo_open(O_RDWR);
	if (fd < 0)
		return 93;
	a->stat_mapped = -shmdemo_stat(fd, a->mapped_id, &st);
	a->rmid_mapped = -shmdemo_rmid(fd, a->mapped_id);
	a->stat_unmapped = -shmdemo_stat(fd, a->unmapped_id, &st);
	a->rmid_unmapped = -shmdemo_rmid(fd, a->unmapped_id);
	close(fd);
	return 0;
}

/*
 * CAP_IPC_OWNER and CAP_SYS_ADMIN count over a segment when the caller
 * has them in its own user namespace and the segment's owner is mapped
 * there (as for files), not only in the initial namespace.
 */
TEST_F(parity, capabilities_count_in_the_callers_user_namespace)
{
	struct userns_arg *a;
	char path[64], map[64], c = 0;
	int status;
	pid_t pid;

	SHMDEMO_NEED_DEVICE(self->fd);
	NEED_ROOT();
	a = mmap(NULL, sizeof(*a), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_EQ(0, pipe(a->sync));
	ASSERT_EQ(0, pipe(a->go));
	a->mapped_id = shmdemo_get(self->fd, SHMDEMO_KEY_PRIVATE, self->pg,
				   SHMDEMO_GET_CREATE, 0600);
	ASSERT_LE(0, a->mapped_id);
	/* Owned by uid 1 of the namespace: not the caller, but mapped. */
	ASSERT_EQ(0, shmdemo_set(self->fd, a->mapped_id, SHMDEMO_SET_UID | SHMDEMO_SET_GID,
				 NS_BASE + 1, NS_BASE + 1, 0));
	a->unmapped_id = shmdemo_get(self->fd, SHMDEMO_KEY_PRIVATE, self->pg,
				     SHMDEMO_GET_CREATE, 0600);
	ASSERT_LE(0, a->unmapped_id);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(NS_BASE, NS_BASE, NS_BASE) ||
		    setresuid(NS_BASE, NS_BASE, NS_BASE))
			_exit(99);
		_exit(ops_as_userns_root(a));
	}
	ASSERT_EQ(1, read(a->sync[0], &c, 1));
	snprintf(map, sizeof(map), "0 %d 65536\n", NS_BASE);
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	ASSERT_EQ(0, shmdemo_write_file(path, map));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	ASSERT_EQ(0, shmdemo_write_file(path, map));
	ASSERT_EQ(1, write(a->go[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, a->stat_mapped);		/* CAP_IPC_OWNER in its namespace */
	EXPECT_EQ(0, a->rmid_mapped);		/* CAP_SYS_ADMIN in its namespace */
	EXPECT_EQ(EACCES, a->stat_unmapped);	/* root's: not its to override */
	EXPECT_EQ(EPERM, a->rmid_unmapped);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, a->unmapped_id));
	if (a->rmid_mapped)
		shmdemo_rmid(self->fd, a->mapped_id);
	munmap(a, sizeof(*a));
}

#define MPOL_BIND_MODE	2	/* MPOL_BIND of <linux/mempolicy.h> */

/* Bind @len at @p to @node and touch every page; the nodes they got, or -errno. */
static int bind_touch_nodes(char *p, size_t len, long pg, int node, int *nodes)
{
	unsigned long mask = 1UL << node;
	void *pages[16];
	size_t i, n = len / pg;

	if (syscall(__NR_mbind, p, len, MPOL_BIND_MODE, &mask, sizeof(mask) * 8, 0))
		return -errno;
	for (i = 0; i < n; i++) {
		p[i * pg] = 1;
		pages[i] = p + i * pg;
	}
	/* move_pages() without target nodes reports where each page is. */
	if (syscall(__NR_move_pages, 0, n, pages, NULL, nodes, 0))
		return -errno;
	return 0;
}

/*
 * mbind() on a mapping decides where its new pages go, as on shmem: the
 * fault path allocates with the VMA's memory policy.  The VM has two
 * nodes (tools/vm/run --numa), the vCPU on node 0.
 */
TEST_F(parity, pages_follow_the_mappings_memory_policy_like_sysv)
{
	const int n = 8;
	int nodes[16], node, i, id, sid;
	char *p, *q;

	SHMDEMO_NEED_DEVICE(self->fd);
	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "one NUMA node: run the VM with --numa 2 (its default)");
	for (node = 1; node >= 0; node--) {
		sid = shmget(IPC_PRIVATE, n * self->pg, IPC_CREAT | 0600);
		ASSERT_LE(0, sid);
		q = shmat(sid, NULL, 0);
		ASSERT_NE((void *)-1, q);
		ASSERT_EQ(0, bind_touch_nodes(q, n * self->pg, self->pg, node, nodes));
		for (i = 0; i < n; i++)
			EXPECT_EQ(node, nodes[i]) TH_LOG("SysV page %d", i);
		shmdt(q);
		shmctl(sid, IPC_RMID, NULL);

		id = shmdemo_get(self->fd, SHMDEMO_KEY_PRIVATE, n * self->pg,
				 SHMDEMO_GET_CREATE, 0600);
		ASSERT_LE(0, id);
		{
			int fd = shmdemo_open(O_RDWR);

			ASSERT_LE(0, fd);
			ASSERT_EQ(0, shmdemo_bind(fd, id, 0));
			p = mmap(NULL, n * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			close(fd);
		}
		ASSERT_NE(MAP_FAILED, p);
		ASSERT_EQ(0, bind_touch_nodes(p, n * self->pg, self->pg, node, nodes));
		for (i = 0; i < n; i++)
			EXPECT_EQ(node, nodes[i]) TH_LOG("device page %d", i);
		munmap(p, n * self->pg);
		EXPECT_EQ(0, shmdemo_rmid(self->fd, id));
	}
}

struct walk_arg {
	int id;
	long pg;
	volatile int stop;
	int errors;
	long rounds;
};

static void *stat_and_pages_loop(void *arg)
{
	struct walk_arg *a = arg;
	int fd = shmdemo_open(O_RDONLY);
	uint32_t pages[64];

	if (fd < 0) {
		a->errors++;
		return NULL;
	}
	while (!a->stop) {
		struct shmdemo_pages req = {
			.size = sizeof(req), .id = a->id, .count = 64,
			.pages_ptr = (uintptr_t)pages,
		};
		struct shmdemo_stat st;
		char buf[4096];
		int pfd;

		if (shmdemo_stat(fd, a->id, &st) || st.counters.pages_resident > 64 ||
		    st.counters.pages_dirty > st.counters.pages_resident)
			a->errors++;
		if (shmdemo_ioctl(fd, SHMDEMO_IOC_PAGES, &req) || req.count > 64)
			a->errors++;
		pfd = open("/proc/shmdemo", O_RDONLY | O_CLOEXEC);
		if (pfd < 0 || read(pfd, buf, sizeof(buf)) <= 0)
			a->errors++;
		if (pfd >= 0)
			close(pfd);
		a->rounds++;
	}
	close(fd);
	return NULL;
}

/*
 * STAT, PAGES and /proc walk the page cache (with folio references, off the
 * table lock) while it is grown, written and cut: the counts stay within
 * the segment and the kernel log stays clean (the VM runner checks it).
 */
TEST_F(parity, page_cache_walks_race_with_resize)
{
	const int max = 64;
	struct walk_arg a = { .pg = self->pg };
	double end = shmdemo_now() + 3;
	pthread_t t;
	int cycles = 0, off;
	char *p;

	SHMDEMO_NEED_DEVICE(self->fd);
	a.id = shmdemo_new_bound(self->fd, max * self->pg);
	ASSERT_LE(0, a.id);
	p = mmap(NULL, max * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, pthread_create(&t, NULL, stat_and_pages_loop, &a));
	while (shmdemo_now() < end) {
		ASSERT_EQ(0, shmdemo_resize(self->fd, a.id, max * self->pg));
		for (off = 0; off < max * self->pg; off += self->pg)
			p[off] = (char)cycles;
		ASSERT_EQ(0, shmdemo_resize(self->fd, a.id, self->pg));
		cycles++;
	}
	a.stop = 1;
	pthread_join(t, NULL);
	TH_LOG("%d resize cycles, %ld walks", cycles, a.rounds);
	EXPECT_EQ(0, a.errors);
	EXPECT_LT(0, a.rounds);
	munmap(p, max * self->pg);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, a.id));
}

struct shrink_arg {
	int fd, id;
	long bytes;
	volatile int in_resize;
	volatile int started;	/* set once: a quick shrink can't be missed */
	int ret;
};

static void *shrink(void *arg)
{
	struct shrink_arg *a = arg;

	a->in_resize = 1;
	a->started = 1;
	a->ret = shmdemo_resize(a->fd, a->id, 4096);
	a->in_resize = 0;
	return NULL;
}

/*
 * A shrink of a big populated segment truncates without the table lock:
 * INFO (which takes it) completes while the truncation runs.  Before, every
 * request of every process waited for the whole truncation.
 */
TEST_F(parity, a_shrink_does_not_hold_the_table_lock)
{
	struct shrink_arg a = { .fd = self->fd, .bytes = 256 << 20 };
	struct shmdemo_info info;
	int during = 0;
	pthread_t t;
	long off;
	char *p;

	SHMDEMO_NEED_DEVICE(self->fd);
	NEED_ROOT();	/* 256 MiB: over an unprivileged user's share */
	a.id = shmdemo_new_bound(self->fd, a.bytes);
	ASSERT_LE(0, a.id);
	p = mmap(NULL, a.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* 4 KiB pages: 128 folios of 2 MiB would be truncated in no time. */
	ASSERT_EQ(0, madvise(p, a.bytes, MADV_NOHUGEPAGE));
	for (off = 0; off < a.bytes; off += self->pg)
		p[off] = 1;
	munmap(p, a.bytes);
	ASSERT_EQ(0, pthread_create(&t, NULL, shrink, &a));
	while (!a.started)
		sched_yield();
	while (a.in_resize) {
		ASSERT_EQ(0, shmdemo_info(self->fd, &info));
		during += a.in_resize;
	}
	pthread_join(t, NULL);
	TH_LOG("%d INFO requests completed during the shrink", during);
	EXPECT_EQ(0, a.ret);
	/*
	 * With the table lock held across the truncation, at most the one
	 * INFO that waited for it could finish before the flag drops.
	 */
	EXPECT_LE(2, during);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, a.id));
}

TEST_HARNESS_MAIN
