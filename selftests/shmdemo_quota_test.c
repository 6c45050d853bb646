// SPDX-License-Identifier: GPL-2.0
/*
 * The per-user limit (max_user_pages): the pages resident in the segments
 * one uid created are charged to it from allocation to removal, whoever
 * faults them in and after the creator exits; creation and growth past it
 * fail with ENOSPC, a fault past it raises SIGBUS; CAP_IPC_LOCK creators
 * are not limited.  Unprivileged cases run as uid 65534 with
 * RLIMIT_MEMLOCK 0, the review's attacker.  Needs root (to set the limit
 * and change uid); each test restores the limit.
 */
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

#define NOBODY		65534
#define LIMIT		64	/* max_user_pages for these tests */

FIXTURE(quota) {
	int fd;
	long pg;
	long saved;	/* max_user_pages to restore, or -1 */
};

FIXTURE_SETUP(quota)
{
	self->saved = -1;
	self->pg = shmdemo_page_size();
	self->fd = shmdemo_open(O_RDWR);
	if (self->fd == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->fd);
	if (geteuid())
		SKIP(return, "needs root (sets max_user_pages, runs children as uid 65534)");
	self->saved = shmdemo_param_get("max_user_pages");
	ASSERT_LT(0, self->saved);
	ASSERT_EQ(0, shmdemo_param_set("max_user_pages", LIMIT));
}

FIXTURE_TEARDOWN(quota)
{
	if (self->saved >= 0)
		EXPECT_EQ(0, shmdemo_param_set("max_user_pages", self->saved));
	if (self->fd >= 0)
		close(self->fd);
}

/* What a child reports back through a shared page. */
struct quota_arg {
	long pg;
	int ids[4];
	int err[4];		/* -errno of each step */
	long user_pages;	/* INFO as the child */
	long sigbus_page;	/* first page that raised SIGBUS, or -1 */
};

static struct quota_arg *new_arg(long pg)
{
	struct quota_arg *a = mmap(NULL, sizeof(*a), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (a == MAP_FAILED)
		return NULL;
	memset(a, 0, sizeof(*a));
	a->pg = pg;
	a->sigbus_page = -1;
	return a;
}

static void no_memlock(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_MEMLOCK, &rl);
}

static long user_pages(int fd)
{
	struct shmdemo_info info;

	return shmdemo_info(fd, &info) ? -1 : (long)info.user_pages;
}

/*
 * Touch pages [0, n) of segment @id writing, each in a child so that a
 * SIGBUS is seen, not suffered; return the first page that raised it or -1.
 */
static long touch_pages(int fd, long pg, long n)
{
	char *p = mmap(NULL, n * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	long i, first = -1;

	if (p == MAP_FAILED)
		return -2;
	for (i = 0; i < n && first < 0; i++)
		if (shmdemo_touch_signal(p + i * pg, true) == SIGBUS)
			first = i;
	munmap(p, n * pg);
	return first;
}

/* A new private segment of @pages bound to a new fd; -errno or the fd. */
static int new_bound_fd(long pg, long pages, int *idp)
{
	int fd = shmdemo_open(O_RDWR), id;

	if (fd < 0)
		return fd;
	id = shmdemo_new_bound(fd, pages * pg);
	if (id < 0) {
		close(fd);
		return id;
	}
	*idp = id;
	return fd;
}

/* Creation is refused when its size can't fit what the creator has left. */
static int creation_steps(void *arg)
{
	struct quota_arg *a = arg;
	int fd, ctl = shmdemo_open(O_RDWR);

	no_memlock();
	if (ctl < 0)
		return 90;
	fd = new_bound_fd(a->pg, 32, &a->ids[0]);	/* 32 of 64: fits */
	if (fd < 0)
		return 91;
	if (touch_pages(fd, a->pg, 32) != -1)		/* 32 resident */
		return 92;
	close(fd);
	a->err[0] = shmdemo_get(ctl, SHMDEMO_KEY_PRIVATE, 40 * a->pg,
				SHMDEMO_GET_CREATE, 0600);	/* 32 + 40 > 64 */
	a->err[1] = shmdemo_get(ctl, SHMDEMO_KEY_PRIVATE, 32 * a->pg,
				SHMDEMO_GET_CREATE, 0600);	/* 32 + 32 = 64 */
	if (a->err[1] >= 0)
		a->ids[1] = a->err[1];
	a->user_pages = user_pages(ctl);
	close(ctl);
	return 0;
}

TEST_F(quota, creation_over_the_users_limit_fails_with_enospc)
{
	struct quota_arg *a = new_arg(self->pg);

	SHMDEMO_NEED_DEVICE(self->fd);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, shmdemo_run_child(creation_steps, a, NOBODY, NOBODY));
	EXPECT_EQ(-ENOSPC, a->err[0]);
	EXPECT_LE(0, a->err[1]);
	EXPECT_EQ(32, a->user_pages);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, a->ids[0]));
	if (a->err[1] >= 0)
		EXPECT_EQ(0, shmdemo_rmid(self->fd, a->ids[1]));
	munmap(a, sizeof(*a));
}

/*
 * Two segments that each fit at creation; filling both takes the creator
 * over its limit: the fault of page LIMIT - 40 of the second raises SIGBUS
 * (not VM_FAULT_OOM: the machine has memory, the user has none left).
 */
static int fault_steps(void *arg)
{
	struct quota_arg *a = arg;
	int fa, fb;

	no_memlock();
	fa = new_bound_fd(a->pg, 40, &a->ids[0]);
	fb = new_bound_fd(a->pg, 40, &a->ids[1]);
	if (fa < 0 || fb < 0)
		return 90;
	if (touch_pages(fa, a->pg, 40) != -1)
		return 91;
	a->sigbus_page = touch_pages(fb, a->pg, 40);
	a->user_pages = user_pages(fa);
	close(fa);
	close(fb);
	return 0;
}

TEST_F(quota, a_fault_over_the_users_limit_raises_sigbus)
{
	struct quota_arg *a = new_arg(self->pg);
	struct shmdemo_stat st;

	SHMDEMO_NEED_DEVICE(self->fd);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, shmdemo_run_child(fault_steps, a, NOBODY, NOBODY));
	EXPECT_EQ(LIMIT - 40, a->sigbus_page);
	EXPECT_EQ(LIMIT, a->user_pages);
	ASSERT_EQ(0, shmdemo_stat(self->fd, a->ids[1], &st));
	EXPECT_EQ(LIMIT - 40, st.counters.pages_resident);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, a->ids[0]));
	EXPECT_EQ(0, shmdemo_rmid(self->fd, a->ids[1]));
	munmap(a, sizeof(*a));
}

static int fill_and_exit(void *arg)
{
	struct quota_arg *a = arg;
	int fd;

	no_memlock();
	fd = new_bound_fd(a->pg, 48, &a->ids[0]);
	if (fd < 0)
		return 90;
	if (touch_pages(fd, a->pg, 48) != -1)
		return 91;
	return 0;	/* the segment outlives us, and so does the charge */
}

static int report_user_pages(void *arg)
{
	struct quota_arg *a = arg;
	int fd = shmdemo_open(O_RDONLY);

	if (fd < 0)
		return 90;
	a->user_pages = user_pages(fd);
	/* What is left: 16 pages. */
	a->err[0] = shmdemo_get(fd, SHMDEMO_KEY_PRIVATE, 17 * a->pg, SHMDEMO_GET_CREATE, 0600);
	close(fd);
	return 0;
}

/*
 * The charge stays with the creator after it exits, even for pages another
 * user (root) faults in, and goes with the segment's removal.
 */
TEST_F(quota, the_charge_outlives_the_creator_and_goes_with_removal)
{
	struct quota_arg *a = new_arg(self->pg);
	int fd;

	SHMDEMO_NEED_DEVICE(self->fd);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, shmdemo_run_child(fill_and_exit, a, NOBODY, NOBODY));
	ASSERT_EQ(0, shmdemo_run_child(report_user_pages, a, NOBODY, NOBODY));
	EXPECT_EQ(48, a->user_pages);
	EXPECT_EQ(-ENOSPC, a->err[0]);
	EXPECT_EQ(0, user_pages(self->fd));	/* root was charged nothing */

	ASSERT_EQ(0, shmdemo_rmid(self->fd, a->ids[0]));
	ASSERT_EQ(0, shmdemo_run_child(report_user_pages, a, NOBODY, NOBODY));
	EXPECT_EQ(0, a->user_pages);
	if (a->err[0] >= 0)
		EXPECT_EQ(0, shmdemo_rmid(self->fd, a->err[0]));

	/* Root's faults in nobody's segment are nobody's, within nobody's limit. */
	ASSERT_EQ(0, shmdemo_run_child(creation_steps, a, NOBODY, NOBODY));
	ASSERT_LE(0, a->err[1]);	/* 32 resident in ids[0], ids[1] empty */
	ASSERT_EQ(0, shmdemo_param_set("max_user_pages", 40));
	fd = shmdemo_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, shmdemo_bind(fd, a->ids[1], 0));
	EXPECT_EQ(8, touch_pages(fd, self->pg, 32));
	EXPECT_EQ(0, user_pages(self->fd));
	close(fd);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, a->ids[0]));
	EXPECT_EQ(0, shmdemo_rmid(self->fd, a->ids[1]));
	munmap(a, sizeof(*a));
}

static int resize_steps(void *arg)
{
	struct quota_arg *a = arg;
	int fd;

	no_memlock();
	fd = new_bound_fd(a->pg, 32, &a->ids[0]);
	if (fd < 0)
		return 90;
	if (touch_pages(fd, a->pg, 32) != -1)
		return 91;
	a->err[0] = shmdemo_resize(fd, a->ids[0], 65 * a->pg);	/* 32 + 33 > 64 */
	a->err[1] = shmdemo_resize(fd, a->ids[0], 64 * a->pg);	/* 32 + 32 = 64 */
	a->err[2] = shmdemo_resize(fd, a->ids[0], 8 * a->pg);	/* gives back 24 */
	a->user_pages = user_pages(fd);
	close(fd);
	return 0;
}

/* Growth past the limit is refused; a shrink gives the cut pages back. */
TEST_F(quota, resize_grows_within_the_limit_and_shrinks_give_back)
{
	struct quota_arg *a = new_arg(self->pg);

	SHMDEMO_NEED_DEVICE(self->fd);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, shmdemo_run_child(resize_steps, a, NOBODY, NOBODY));
	EXPECT_EQ(-ENOSPC, a->err[0]);
	EXPECT_EQ(0, a->err[1]);
	EXPECT_EQ(0, a->err[2]);
	EXPECT_EQ(8, a->user_pages);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, a->ids[0]));
	munmap(a, sizeof(*a));
}

/* Root (CAP_IPC_LOCK) is counted but not limited. */
TEST_F(quota, a_cap_ipc_lock_creator_is_not_limited)
{
	int fd, id;

	SHMDEMO_NEED_DEVICE(self->fd);
	fd = new_bound_fd(self->pg, 2 * LIMIT, &id);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, touch_pages(fd, self->pg, 2 * LIMIT));
	EXPECT_EQ(2 * LIMIT, user_pages(fd));
	close(fd);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, id));
	EXPECT_EQ(0, user_pages(self->fd));
}

TEST_HARNESS_MAIN
