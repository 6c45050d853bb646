// SPDX-License-Identifier: GPL-2.0
/*
 * What an unprivileged user, and root of a user namespace of its own, can
 * do to segments whose mode denies them: nothing.  Every request by id is
 * refused with its documented errno, and every way of upgrading a
 * read-only mapping - mprotect(), a writable mmap() of a read-only
 * binding, writes through /proc/PID/mem and process_vm_writev() - fails
 * and leaves the segment's bytes alone.  Needs root to become uid 65534.
 */
#include <sched.h>
#include <sys/uio.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

#define NOBODY		65534
#define MAGIC		0x3c

FIXTURE(security) {
	int fd;
	long pg;
};

FIXTURE_SETUP(security)
{
	self->pg = shmdemo_page_size();
	self->fd = shmdemo_open(O_RDWR);
	if (self->fd == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(security)
{
	if (self->fd >= 0)
		close(self->fd);
}

#define NEED_ROOT()							\
	do {								\
		if (geteuid())						\
			SKIP(return, "needs root (to run a child as uid 65534)"); \
	} while (0)

/* Every request a stranger may try on @id, and what each returned. */
struct stranger {
	int id;
	bool userns;		/* first become root of a new user namespace */
	int stat, bind_ro, bind_rw, set, rmid, resize, lock, pages;	/* -errno */
	int get_key;		/* GET of its key asking for read */
	int key;
};

static int stranger_ops(void *arg)
{
	struct stranger *s = arg;
	struct shmdemo_stat st;
	uint32_t pages[1];
	struct shmdemo_pages pr = {
		.size = sizeof(pr), .id = s->id, .count = 1,
		.pages_ptr = (uintptr_t)pages,
	};
	struct shmdemo_id lk = { .size = sizeof(lk), .id = s->id };
	int fd, fd2;

	if (s->userns && unshare(CLONE_NEWUSER))
		return 90;
	fd = shmdemo_open(O_RDWR);
	fd2 = shmdemo_open(O_RDWR);
	if (fd < 0 || fd2 < 0)
		return 91;
	s->stat = shmdemo_stat(fd, s->id, &st);
	s->bind_ro = shmdemo_bind(fd, s->id, SHMDEMO_BIND_RDONLY);
	s->bind_rw = shmdemo_bind(fd2, s->id, 0);
	s->set = shmdemo_set(fd, s->id, SHMDEMO_SET_MODE, 0, 0, 0666);
	s->resize = shmdemo_resize(fd, s->id, 1);
	s->lock = shmdemo_ioctl(fd, SHMDEMO_IOC_LOCK, &lk);
	s->pages = shmdemo_ioctl(fd, SHMDEMO_IOC_PAGES, &pr);
	s->get_key = shmdemo_get(fd, s->key, 0, 0, 0400);
	s->rmid = shmdemo_rmid(fd, s->id);
	close(fd);
	close(fd2);
	return 0;
}

static void check_stranger(struct __test_metadata *_metadata, int fd, long pg, bool userns)
{
	struct stranger *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct shmdemo_stat st;

	ASSERT_NE(MAP_FAILED, s);
	s->key = 0x5ec00000 | (getpid() & 0xffff);
	s->userns = userns;
	s->id = shmdemo_get(fd, s->key, 2 * pg, SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL, 0600);
	ASSERT_LE(0, s->id);
	ASSERT_EQ(0, shmdemo_run_child(stranger_ops, s, NOBODY, NOBODY));
	EXPECT_EQ(-EACCES, s->stat);
	EXPECT_EQ(-EACCES, s->bind_ro);
	EXPECT_EQ(-EACCES, s->bind_rw);
	EXPECT_EQ(-EPERM, s->set);
	EXPECT_EQ(-EPERM, s->resize);
	EXPECT_EQ(-EPERM, s->lock);
	EXPECT_EQ(-EACCES, s->pages);
	EXPECT_EQ(-EACCES, s->get_key);
	EXPECT_EQ(-EPERM, s->rmid);
	/* And nothing changed. */
	ASSERT_EQ(0, shmdemo_stat(fd, s->id, &st));
	EXPECT_EQ(0600, st.mode);
	EXPECT_EQ(2 * pg, st.bytes);
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(0, shmdemo_rmid(fd, s->id));
	munmap(s, sizeof(*s));
}

TEST_F(security, a_stranger_can_do_nothing_to_a_private_segment)
{
	SHMDEMO_NEED_DEVICE(self->fd);
	NEED_ROOT();
	check_stranger(_metadata, self->fd, self->pg, false);
}

/* Root of its own user namespace is still a stranger to init's root. */
TEST_F(security, root_of_a_new_user_namespace_is_still_a_stranger)
{
	SHMDEMO_NEED_DEVICE(self->fd);
	NEED_ROOT();
	check_stranger(_metadata, self->fd, self->pg, true);
}

struct upgrade {
	long pg;
	int id;
	int mprotect_w, mprotect_x, mmap_w_rdonly_bind, mmap_w_rdonly_open;
	int proc_mem, vm_writev;		/* 0 or errno */
	int private_write;			/* 1 if a private COW write worked */
};

/* Write through /proc/self/mem at @p (FOLL_FORCE): 0 or errno. */
static int proc_mem_write(void *p)
{
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC), ret = 0;
	char c = 'w';

	if (fd < 0)
		return errno;
	if (pwrite(fd, &c, 1, (off_t)(uintptr_t)p) != 1)
		ret = errno;
	close(fd);
	return ret;
}

static int vm_writev_to(void *p)
{
	char c = 'v';
	struct iovec local = { .iov_base = &c, .iov_len = 1 };
	struct iovec remote = { .iov_base = p, .iov_len = 1 };

	return process_vm_writev(getpid(), &local, 1, &remote, 1, 0) == 1 ? 0 : errno;
}

/* As nobody, the owner of a 0400 segment: every upgrade to write fails. */
static int upgrade_ops(void *arg)
{
	struct upgrade *u = arg;
	int fd = shmdemo_open(O_RDWR), rfd = shmdemo_open(O_RDONLY);
	char *p, *q;

	if (fd < 0 || rfd < 0)
		return 90;
	u->id = shmdemo_get(fd, SHMDEMO_KEY_PRIVATE, u->pg, SHMDEMO_GET_CREATE, 0400);
	if (u->id < 0 || shmdemo_bind(fd, u->id, SHMDEMO_BIND_RDONLY) ||
	    shmdemo_bind(rfd, u->id, 0))
		return 91;
	p = mmap(NULL, u->pg, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 92;
	u->mprotect_w = mprotect(p, u->pg, PROT_READ | PROT_WRITE) ? errno : 0;
	u->mprotect_x = mprotect(p, u->pg, PROT_READ | PROT_EXEC) ? errno : 0;
	q = mmap(NULL, u->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	u->mmap_w_rdonly_bind = q == MAP_FAILED ? errno : 0;
	q = mmap(NULL, u->pg, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0);
	u->mmap_w_rdonly_open = q == MAP_FAILED ? errno : 0;
	u->proc_mem = proc_mem_write(p);
	u->vm_writev = vm_writev_to(p);
	/* A private mapping may write, on its own copy only. */
	q = mmap(NULL, u->pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (q != MAP_FAILED) {
		q[0] = 'p';
		u->private_write = q[0] == 'p' && p[0] == 0;
		munmap(q, u->pg);
	}
	if (p[0] != 0)		/* not a byte of the segment changed */
		return 93;
	munmap(p, u->pg);
	shmdemo_rmid(fd, u->id);
	close(fd);
	close(rfd);
	return 0;
}

TEST_F(security, a_read_only_mapping_cannot_be_upgraded)
{
	struct upgrade *u = mmap(NULL, sizeof(*u), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	SHMDEMO_NEED_DEVICE(self->fd);
	NEED_ROOT();
	ASSERT_NE(MAP_FAILED, u);
	u->pg = self->pg;
	ASSERT_EQ(0, shmdemo_run_child(upgrade_ops, u, NOBODY, NOBODY));
	EXPECT_EQ(EACCES, u->mprotect_w);
	EXPECT_EQ(EACCES, u->mprotect_x);
	EXPECT_EQ(EACCES, u->mmap_w_rdonly_bind);
	EXPECT_EQ(EACCES, u->mmap_w_rdonly_open);
	/* FOLL_FORCE may not write a shared mapping that can't be written. */
	EXPECT_NE(0, u->proc_mem);
	EXPECT_EQ(EFAULT, u->vm_writev);
	EXPECT_EQ(1, u->private_write);
	TH_LOG("/proc/self/mem write: %s", strerror(u->proc_mem));
	munmap(u, sizeof(*u));
}

TEST_HARNESS_MAIN
