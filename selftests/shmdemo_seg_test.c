// SPDX-License-Identifier: GPL-2.0
/*
 * The shmdemo segment table, as seen from userspace, checked against the
 * System V rules it copies (shmget(), shmctl(), shmat()):
 *
 *  get:    find-or-create rules, exact errnos, extensible struct checks
 *  limits: max_segments, max_seg_bytes and max_total_pages (root: they are
 *          module parameters, saved and restored around each test)
 *  stat:   every field after create, attach, fork, exit and detach
 *  rmid:   deferred destroy - the key goes at once, the segment lives on
 *          while mapped or bound; segments outlive their creator
 *  perm:   owner/group/other mode bits, owner and creator rights, run as
 *          an unprivileged uid/gid in a child (root)
 *  bind:   one binding per open file, bad ids and flags, mmap unbound
 *  info:   counts, page totals, limits, and the id list
 *
 * Every segment a test creates is removed in the teardown.
 */
#include <limits.h>
#include <time.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

#define NOBODY		65534	/* unprivileged uid and gid for children */
#define MAX_IDS		32

static const char *const param_names[] = {
	"max_segments", "max_seg_bytes", "max_total_pages",
};
#define NR_PARAMS	ARRAY_SIZE(param_names)

/* What every fixture of this file holds. */
struct seg_env {
	int fd;			/* /dev/shmdemo, O_RDWR, never bound */
	long pg;
	int nids;
	int ids[MAX_IDS];	/* removed at teardown */
	bool params_saved;
	long params[NR_PARAMS];	/* restored at teardown */
};

#define SHMDEMO_NEED_ROOT()						\
	do {								\
		if (geteuid() != 0)					\
			SKIP(return, "needs root");			\
	} while (0)

static void env_setup(struct __test_metadata *_metadata, struct seg_env *e)
{
	e->pg = shmdemo_page_size();
	e->nids = 0;
	e->params_saved = false;
	e->fd = shmdemo_open(O_RDWR);
	if (e->fd == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, e->fd) TH_LOG("open " SHMDEMO_DEVICE ": %s", strerror(-e->fd));
}

/* Only EXPECT here: an ASSERT would jump back into the teardown. */
static void env_teardown(struct __test_metadata *_metadata, struct seg_env *e)
{
	unsigned int i;
	int fd, ret;

	/* Braces: EXPECT's TH_LOG handler is a statement of its own. */
	for (i = 0; e->params_saved && i < NR_PARAMS; i++) {
		EXPECT_EQ(0, shmdemo_param_set(param_names[i], e->params[i]))
			TH_LOG("restoring %s", param_names[i]);
	}
	if (e->fd >= 0)
		close(e->fd);
	if (!e->nids)
		return;
	fd = shmdemo_open(O_RDWR);
	if (fd < 0)
		return;
	for (i = 0; i < (unsigned int)e->nids; i++) {
		/* -EINVAL: the test removed it already. */
		ret = shmdemo_rmid(fd, e->ids[i]);
		EXPECT_TRUE(ret == 0 || ret == -EINVAL)
			TH_LOG("teardown RMID of %d: %s", e->ids[i], strerror(-ret));
	}
	close(fd);
}

/* Fixtures differ only in name: it tells which rules a test checks. */
#define SEG_FIXTURE(name)						\
	FIXTURE(name) {							\
		struct seg_env e;					\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		env_setup(_metadata, &self->e);				\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		env_teardown(_metadata, &self->e);			\
	}

SEG_FIXTURE(get)
SEG_FIXTURE(limits)
SEG_FIXTURE(stat)
SEG_FIXTURE(rmid)
SEG_FIXTURE(perm)
SEG_FIXTURE(bind)
SEG_FIXTURE(info)

/* A key no other test (each runs in its own process) uses. */
static int new_key(void)
{
	static int n;

	return 0x5d000000 | ((getpid() & 0xffff) << 8) | (++n & 0xff);
}

static void track(struct __test_metadata *_metadata, struct seg_env *e, int id)
{
	ASSERT_GT(MAX_IDS, e->nids);
	e->ids[e->nids++] = id;
}

/* SHMDEMO_IOC_GET whose result, if it is an id, is removed at teardown. */
static int get_tracked(struct __test_metadata *_metadata, struct seg_env *e,
		       int key, uint64_t bytes, uint32_t flags, uint32_t mode)
{
	int id = shmdemo_get(e->fd, key, bytes, flags, mode);

	if (id >= 0)
		track(_metadata, e, id);
	return id;
}

/* Create a new segment that must not exist yet; returns its id. */
static int create_seg(struct __test_metadata *_metadata, struct seg_env *e,
		      int key, uint64_t bytes, uint32_t mode)
{
	int id = get_tracked(_metadata, e, key, bytes,
			     SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL, mode);

	ASSERT_LE(0, id) TH_LOG("create key %d, %llu bytes: %s", key,
				(unsigned long long)bytes, strerror(-id));
	return id;
}

static char *map_seg(int fd, size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * A new segment of @len bytes under @key, bound to a new fd (*@fdp) and
 * mapped shared read-write (*@pp).  Returns the id.
 */
static int new_mapped(struct __test_metadata *_metadata, struct seg_env *e,
		      int key, size_t len, int *fdp, char **pp)
{
	int id = create_seg(_metadata, e, key, len, 0600);

	*fdp = shmdemo_open(O_RDWR);
	ASSERT_LE(0, *fdp);
	ASSERT_EQ(0, shmdemo_bind(*fdp, id, 0));
	*pp = map_seg(*fdp, len, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, *pp) TH_LOG("mmap: %s", strerror(errno));
	return id;
}

static void save_params(struct __test_metadata *_metadata, struct seg_env *e)
{
	unsigned int i;

	for (i = 0; i < NR_PARAMS; i++) {
		e->params[i] = shmdemo_param_get(param_names[i]);
		ASSERT_LE(0, e->params[i]) TH_LOG("reading %s", param_names[i]);
	}
	e->params_saved = true;
}

/* Sleep until the wall clock's seconds move past @t. */
static void wait_past_second(time_t t)
{
	while (time(NULL) <= t)
		usleep(10000);
}

/* ------------------------------------------------------------------ get */

TEST_F(get, private_key_always_creates_new_segment)
{
	struct seg_env *e = &self->e;
	int a, b, c;

	SHMDEMO_NEED_DEVICE(e->fd);
	a = get_tracked(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, SHMDEMO_GET_CREATE, 0600);
	b = get_tracked(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, SHMDEMO_GET_CREATE, 0600);
	/* Like IPC_PRIVATE: no CREATE needed. */
	c = get_tracked(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0, 0600);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_LE(0, c);
	EXPECT_NE(a, b);
	EXPECT_NE(a, c);
	EXPECT_NE(b, c);
}

TEST_F(get, create_on_new_key_creates_and_same_key_finds_it)
{
	struct seg_env *e = &self->e;
	int key = new_key();
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	id = get_tracked(_metadata, e, key, e->pg, SHMDEMO_GET_CREATE, 0600);
	ASSERT_LE(0, id);
	EXPECT_EQ(id, shmdemo_get(e->fd, key, 0, 0, 0));
	EXPECT_EQ(id, shmdemo_get(e->fd, key, e->pg, 0, 0600));
	/* CREATE without EXCL on an existing key finds it. */
	EXPECT_EQ(id, shmdemo_get(e->fd, key, e->pg, SHMDEMO_GET_CREATE, 0600));
	/* EXCL without CREATE is ignored, as IPC_EXCL is. */
	EXPECT_EQ(id, shmdemo_get(e->fd, key, 0, SHMDEMO_GET_EXCL, 0));
}

TEST_F(get, missing_key_without_create_is_enoent)
{
	struct seg_env *e = &self->e;
	int key = new_key();

	SHMDEMO_NEED_DEVICE(e->fd);
	EXPECT_EQ(-ENOENT, get_tracked(_metadata, e, key, e->pg, 0, 0600));
	EXPECT_EQ(-ENOENT, get_tracked(_metadata, e, key, 0, 0, 0));
	EXPECT_EQ(-ENOENT, get_tracked(_metadata, e, key, e->pg, SHMDEMO_GET_EXCL, 0600));
}

TEST_F(get, create_excl_on_existing_key_is_eexist)
{
	struct seg_env *e = &self->e;
	int key = new_key();
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	/* CREATE|EXCL on a new key creates. */
	id = get_tracked(_metadata, e, key, e->pg, SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL, 0600);
	ASSERT_LE(0, id);
	EXPECT_EQ(-EEXIST, get_tracked(_metadata, e, key, e->pg,
				       SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL, 0600));
	EXPECT_EQ(-EEXIST, get_tracked(_metadata, e, key, 0,
				       SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL, 0));
	EXPECT_EQ(id, shmdemo_get(e->fd, key, 0, 0, 0));
}

TEST_F(get, zero_bytes_on_create_is_einval)
{
	struct seg_env *e = &self->e;
	int key = new_key();

	SHMDEMO_NEED_DEVICE(e->fd);
	EXPECT_EQ(-EINVAL, get_tracked(_metadata, e, key, 0, SHMDEMO_GET_CREATE, 0600));
	EXPECT_EQ(-EINVAL, get_tracked(_metadata, e, SHMDEMO_KEY_PRIVATE, 0,
				       SHMDEMO_GET_CREATE, 0600));
	/* Nothing was created. */
	EXPECT_EQ(-ENOENT, get_tracked(_metadata, e, key, 0, 0, 0));
}

TEST_F(get, bytes_over_max_seg_bytes_is_einval)
{
	struct seg_env *e = &self->e;
	int key = new_key();
	long max;

	SHMDEMO_NEED_DEVICE(e->fd);
	max = shmdemo_param_get("max_seg_bytes");
	ASSERT_LT(0, max);
	EXPECT_EQ(-EINVAL, get_tracked(_metadata, e, key, max + 1, SHMDEMO_GET_CREATE, 0600));
	EXPECT_EQ(-EINVAL, get_tracked(_metadata, e, SHMDEMO_KEY_PRIVATE, max + 1,
				       SHMDEMO_GET_CREATE, 0600));
	EXPECT_EQ(-EINVAL, get_tracked(_metadata, e, key, UINT64_MAX, SHMDEMO_GET_CREATE, 0600));
	EXPECT_EQ(-ENOENT, get_tracked(_metadata, e, key, 0, 0, 0));
}

/* shm_more_checks(): the size asked for must fit in the segment, byte-exact. */
TEST_F(get, existing_key_asked_for_more_bytes_is_einval)
{
	struct seg_env *e = &self->e;
	uint64_t bytes = 3 * e->pg + 100;
	int key = new_key();
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	id = create_seg(_metadata, e, key, bytes, 0600);
	/* Still inside the last page, but past the last byte. */
	EXPECT_EQ(-EINVAL, shmdemo_get(e->fd, key, bytes + 1, 0, 0));
	EXPECT_EQ(-EINVAL, shmdemo_get(e->fd, key, bytes + 1, SHMDEMO_GET_CREATE, 0600));
	EXPECT_EQ(-EINVAL, shmdemo_get(e->fd, key, 4 * e->pg, 0, 0));
	EXPECT_EQ(id, shmdemo_get(e->fd, key, bytes, 0, 0));
	EXPECT_EQ(id, shmdemo_get(e->fd, key, 1, 0, 0));
	EXPECT_EQ(id, shmdemo_get(e->fd, key, 0, 0, 0));
	EXPECT_EQ(id, shmdemo_get(e->fd, key, bytes - 1, SHMDEMO_GET_CREATE, 0600));
}

TEST_F(get, unknown_flag_bit_is_einval)
{
	struct seg_env *e = &self->e;
	int key = new_key();
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	EXPECT_EQ(-EINVAL, get_tracked(_metadata, e, key, e->pg,
				       SHMDEMO_GET_CREATE | (1U << 2), 0600));
	EXPECT_EQ(-EINVAL, get_tracked(_metadata, e, key, e->pg,
				       SHMDEMO_GET_CREATE | (1U << 31), 0600));
	EXPECT_EQ(-ENOENT, get_tracked(_metadata, e, key, 0, 0, 0));
	/* Also when the key exists. */
	id = create_seg(_metadata, e, key, e->pg, 0600);
	EXPECT_EQ(-EINVAL, shmdemo_get(e->fd, key, 0, 1U << 2, 0));
	EXPECT_EQ(id, shmdemo_get(e->fd, key, 0, 0, 0));
}

TEST_F(get, mode_bits_outside_0777_are_einval)
{
	struct seg_env *e = &self->e;
	int key = new_key();

	SHMDEMO_NEED_DEVICE(e->fd);
	EXPECT_EQ(-EINVAL, get_tracked(_metadata, e, key, e->pg, SHMDEMO_GET_CREATE, 01000));
	EXPECT_EQ(-EINVAL, get_tracked(_metadata, e, key, e->pg, SHMDEMO_GET_CREATE, 0100644));
	EXPECT_EQ(-EINVAL, get_tracked(_metadata, e, key, e->pg, SHMDEMO_GET_CREATE, 04600));
	EXPECT_EQ(-ENOENT, get_tracked(_metadata, e, key, 0, 0, 0));
	EXPECT_LE(0, get_tracked(_metadata, e, key, e->pg, SHMDEMO_GET_CREATE, 0777));
}

TEST_F(get, nonzero_reserved_is_einval)
{
	struct seg_env *e = &self->e;
	struct shmdemo_get g = {
		.size = sizeof(g), .key = new_key(), .bytes = e->pg,
		.flags = SHMDEMO_GET_CREATE, .mode = 0600, .__reserved = 1,
	};

	SHMDEMO_NEED_DEVICE(e->fd);
	EXPECT_EQ(-EINVAL, shmdemo_ioctl(e->fd, SHMDEMO_IOC_GET, &g));
	EXPECT_EQ(-ENOENT, get_tracked(_metadata, e, g.key, 0, 0, 0));
	g.__reserved = 0;
	ASSERT_EQ(0, shmdemo_ioctl(e->fd, SHMDEMO_IOC_GET, &g));
	track(_metadata, e, g.id);
	EXPECT_EQ(g.id, shmdemo_get(e->fd, g.key, 0, 0, 0));
}

TEST_F(get, struct_smaller_than_ver0_is_einval)
{
	struct seg_env *e = &self->e;
	struct shmdemo_get g = {
		.key = new_key(), .bytes = e->pg, .flags = SHMDEMO_GET_CREATE, .mode = 0600,
	};
	uint32_t sizes[] = { 0, 8, SHMDEMO_GET_SIZE_VER0 - 4, SHMDEMO_GET_SIZE_VER0 - 1 };
	unsigned int i;

	SHMDEMO_NEED_DEVICE(e->fd);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		g.size = sizes[i];
		EXPECT_EQ(-EINVAL, shmdemo_ioctl(e->fd, SHMDEMO_IOC_GET, &g))
			TH_LOG("size %u", sizes[i]);
	}
	EXPECT_EQ(-ENOENT, get_tracked(_metadata, e, g.key, 0, 0, 0));
}

/* A newer caller's struct: unknown trailing bytes must be zero. */
TEST_F(get, larger_struct_needs_zero_trailing_bytes)
{
	struct seg_env *e = &self->e;
	struct {
		struct shmdemo_get g;
		uint8_t tail[8];
	} big;
	int key = new_key();
	int i;

	SHMDEMO_NEED_DEVICE(e->fd);
	ASSERT_EQ(SHMDEMO_GET_SIZE_VER0 + 8, sizeof(big));
	for (i = 0; i < 8; i += 7) {
		memset(&big, 0, sizeof(big));
		big.g.size = sizeof(big);
		big.g.key = key;
		big.g.bytes = e->pg;
		big.g.flags = SHMDEMO_GET_CREATE;
		big.g.mode = 0600;
		big.tail[i] = 0x80;
		EXPECT_EQ(-E2BIG, shmdemo_ioctl(e->fd, SHMDEMO_IOC_GET, &big))
			TH_LOG("non-zero tail byte %d", i);
	}
	EXPECT_EQ(-ENOENT, get_tracked(_metadata, e, key, 0, 0, 0));

	memset(big.tail, 0, sizeof(big.tail));
	big.g.id = -1;
	ASSERT_EQ(0, shmdemo_ioctl(e->fd, SHMDEMO_IOC_GET, &big));
	track(_metadata, e, big.g.id);
	EXPECT_LE(0, big.g.id);
	EXPECT_EQ(big.g.id, shmdemo_get(e->fd, key, 0, 0, 0));
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, big.tail[i]);
}

TEST_F(get, unknown_ioctl_is_enotty)
{
	struct seg_env *e = &self->e;
	struct shmdemo_get g = {
		.size = sizeof(g), .key = new_key(), .bytes = e->pg,
		.flags = SHMDEMO_GET_CREATE, .mode = 0600,
	};

	SHMDEMO_NEED_DEVICE(e->fd);
	EXPECT_EQ(-ENOTTY, shmdemo_ioctl(e->fd, _IOWR(SHMDEMO_IOC_MAGIC, 0x00,
						      struct shmdemo_get), &g));
	/* One past the last request (SHMDEMO_IOC_POPULATE is 0x10). */
	EXPECT_EQ(-ENOTTY, shmdemo_ioctl(e->fd, _IOWR(SHMDEMO_IOC_MAGIC, 0x11,
						      struct shmdemo_get), &g));
	EXPECT_EQ(-ENOTTY, shmdemo_ioctl(e->fd, _IOWR(SHMDEMO_IOC_MAGIC, 0x7f,
						      struct shmdemo_get), &g));
	/* Right number, another driver's magic. */
	EXPECT_EQ(-ENOTTY, shmdemo_ioctl(e->fd, _IOWR(SHMDEMO_IOC_MAGIC + 1, 0x01,
						      struct shmdemo_get), &g));
	EXPECT_EQ(-ENOENT, get_tracked(_metadata, e, g.key, 0, 0, 0));
}

/* --------------------------------------------------------------- limits */

TEST_F(limits, max_segments_reached_is_enospc)
{
	struct seg_env *e = &self->e;
	int k1 = new_key(), k2 = new_key(), k3 = new_key();
	struct shmdemo_info info;
	int pad[8];
	int i, id1;

	SHMDEMO_NEED_DEVICE(e->fd);
	SHMDEMO_NEED_ROOT();
	save_params(_metadata, e);
	/*
	 * Leave one segment in a high slot, with free slots below the limit:
	 * the limit counts segments, whatever slots are free.
	 */
	for (i = 0; i < 8; i++)
		pad[i] = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, 1, 0600);
	for (i = 0; i < 7; i++)
		ASSERT_EQ(0, shmdemo_rmid(e->fd, pad[i]));
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	ASSERT_EQ(0, shmdemo_param_set("max_segments", info.segments + 2));
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	EXPECT_EQ(info.segments + 2, info.max_segments);

	id1 = create_seg(_metadata, e, k1, e->pg, 0600);
	create_seg(_metadata, e, k2, e->pg, 0600);
	EXPECT_EQ(-ENOSPC, get_tracked(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg,
				       SHMDEMO_GET_CREATE, 0600));
	EXPECT_EQ(-ENOSPC, get_tracked(_metadata, e, k3, e->pg, SHMDEMO_GET_CREATE, 0600));
	EXPECT_EQ(-ENOENT, get_tracked(_metadata, e, k3, 0, 0, 0));
	/* Finding an existing key is not creating. */
	EXPECT_EQ(id1, shmdemo_get(e->fd, k1, 0, SHMDEMO_GET_CREATE, 0600));

	/* An unattached segment's RMID frees its slot at once. */
	ASSERT_EQ(0, shmdemo_rmid(e->fd, id1));
	EXPECT_LE(0, get_tracked(_metadata, e, k3, e->pg, SHMDEMO_GET_CREATE, 0600));
}

TEST_F(limits, max_total_pages_exceeded_is_enospc)
{
	struct seg_env *e = &self->e;
	struct shmdemo_info info;
	uint64_t t;

	SHMDEMO_NEED_DEVICE(e->fd);
	SHMDEMO_NEED_ROOT();
	save_params(_metadata, e);
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	t = info.total_pages;
	ASSERT_EQ(0, shmdemo_param_set("max_total_pages", t + 3));

	/* 3 pages and one byte are 4 pages. */
	EXPECT_EQ(-ENOSPC, get_tracked(_metadata, e, SHMDEMO_KEY_PRIVATE, 4 * e->pg,
				       SHMDEMO_GET_CREATE, 0600));
	EXPECT_EQ(-ENOSPC, get_tracked(_metadata, e, SHMDEMO_KEY_PRIVATE, 3 * e->pg + 1,
				       SHMDEMO_GET_CREATE, 0600));
	create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, 3 * e->pg, 0600);
	EXPECT_EQ(-ENOSPC, get_tracked(_metadata, e, SHMDEMO_KEY_PRIVATE, 1,
				       SHMDEMO_GET_CREATE, 0600));
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	EXPECT_EQ(t + 3, info.total_pages);
	EXPECT_EQ(t + 3, info.max_total_pages);
}

TEST_F(limits, resize_growing_past_max_total_pages_is_enospc)
{
	struct seg_env *e = &self->e;
	struct shmdemo_info info;
	struct shmdemo_stat st;
	uint64_t t;
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	SHMDEMO_NEED_ROOT();
	save_params(_metadata, e);
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	t = info.total_pages;
	ASSERT_EQ(0, shmdemo_param_set("max_total_pages", t + 3));

	id = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, 1, 0600);
	EXPECT_EQ(0, shmdemo_resize(e->fd, id, 3 * e->pg));
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	EXPECT_EQ(t + 3, info.total_pages);
	EXPECT_EQ(-ENOSPC, shmdemo_resize(e->fd, id, 3 * e->pg + 1));
	EXPECT_EQ(-ENOSPC, shmdemo_resize(e->fd, id, 8 * e->pg));
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(3 * e->pg, st.bytes);
	/* Shrinking gives the pages back. */
	EXPECT_EQ(0, shmdemo_resize(e->fd, id, 100));
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	EXPECT_EQ(t + 1, info.total_pages);
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(100, st.bytes);
}

/* Like shmmax: checked when a segment is created or resized, not found. */
TEST_F(limits, max_seg_bytes_applies_to_create_and_resize_not_to_lookup)
{
	struct seg_env *e = &self->e;
	int big = new_key(), key = new_key();
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	SHMDEMO_NEED_ROOT();
	save_params(_metadata, e);
	id = create_seg(_metadata, e, big, 4 * e->pg, 0600);
	ASSERT_EQ(0, shmdemo_param_set("max_seg_bytes", 2 * e->pg));

	EXPECT_EQ(-EINVAL, get_tracked(_metadata, e, key, 2 * e->pg + 1,
				       SHMDEMO_GET_CREATE, 0600));
	EXPECT_LE(0, get_tracked(_metadata, e, key, 2 * e->pg, SHMDEMO_GET_CREATE, 0600));
	EXPECT_EQ(id, shmdemo_get(e->fd, big, 4 * e->pg, 0, 0));
	EXPECT_EQ(-EINVAL, shmdemo_resize(e->fd, id, 4 * e->pg + 1));
	EXPECT_EQ(0, shmdemo_resize(e->fd, id, 2 * e->pg));
}

TEST_F(limits, resize_to_zero_or_past_max_seg_bytes_is_einval)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	long max;
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	max = shmdemo_param_get("max_seg_bytes");
	ASSERT_LT(0, max);
	id = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, 2 * e->pg, 0600);
	EXPECT_EQ(-EINVAL, shmdemo_resize(e->fd, id, 0));
	EXPECT_EQ(-EINVAL, shmdemo_resize(e->fd, id, max + 1));
	EXPECT_EQ(-EINVAL, shmdemo_resize(e->fd, -1, e->pg));
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(2 * e->pg, st.bytes);
}

/* ----------------------------------------------------------------- stat */

TEST_F(stat, new_segment_fields)
{
	struct seg_env *e = &self->e;
	struct shmdemo_counters zero = { 0 };
	struct shmdemo_stat st;
	int key = new_key();
	time_t t0, t1;
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	t0 = time(NULL);
	id = create_seg(_metadata, e, key, 10000, 0640);
	t1 = time(NULL);
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(sizeof(st), st.size);
	EXPECT_EQ(id, st.id);
	EXPECT_EQ(key, st.key);
	EXPECT_EQ(0640, st.mode);
	EXPECT_EQ(10000, st.bytes);	/* not rounded to pages */
	EXPECT_EQ(geteuid(), st.uid);
	EXPECT_EQ(getegid(), st.gid);
	EXPECT_EQ(geteuid(), st.cuid);
	EXPECT_EQ(getegid(), st.cgid);
	EXPECT_EQ(getpid(), st.cpid);
	EXPECT_EQ(0, st.lpid);
	EXPECT_EQ(0, st.nattch);
	EXPECT_EQ(0, st.atime);
	EXPECT_EQ(0, st.dtime);
	EXPECT_LE(t0, st.ctime);
	EXPECT_GE(t1, st.ctime);
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(0, st.__pad);
	EXPECT_EQ(0, memcmp(&zero, &st.counters, sizeof(zero)));
}

TEST_F(stat, mmap_attaches_and_sets_atime_and_lpid)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	time_t t0, t1;
	char *p;
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	id = create_seg(_metadata, e, new_key(), e->pg, 0600);
	ASSERT_EQ(0, shmdemo_bind(e->fd, id, 0));
	/* Binding is not attaching: shmat() is the mmap(). */
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(0, st.nattch);
	EXPECT_EQ(0, st.atime);
	EXPECT_EQ(0, st.lpid);

	t0 = time(NULL);
	p = map_seg(e->fd, e->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	t1 = time(NULL);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(1, st.nattch);
	EXPECT_LE(t0, st.atime);
	EXPECT_GE(t1, st.atime);
	EXPECT_EQ(getpid(), st.lpid);
	EXPECT_EQ(0, st.dtime);
	munmap(p, e->pg);
}

/*
 * fork() duplicates the mapping: one more attach, made by the forking
 * process (dup_mmap() runs ->open in the parent, so lpid is the parent's,
 * as shm_open() leaves it on Linux).  The child's exit detaches in the
 * child: lpid is then the child's.
 */
TEST_F(stat, fork_attaches_and_child_exit_detaches)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	time_t t0, t1;
	int go[2], status;
	pid_t child;
	char *p, c;
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	id = create_seg(_metadata, e, new_key(), e->pg, 0600);
	ASSERT_EQ(0, shmdemo_bind(e->fd, id, 0));
	p = map_seg(e->fd, e->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, pipe(go));

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		close(go[1]);
		/* Wait until the parent closes its end. */
		while (read(go[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(go[0]);
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(2, st.nattch);
	EXPECT_EQ(getpid(), st.lpid);
	EXPECT_EQ(0, st.dtime);

	t0 = time(NULL);
	close(go[1]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	t1 = time(NULL);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(1, st.nattch);
	EXPECT_EQ(child, st.lpid);
	EXPECT_LE(t0, st.dtime);
	EXPECT_GE(t1, st.dtime);
	munmap(p, e->pg);
}

TEST_F(stat, munmap_detaches_and_sets_dtime)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	time_t t0, t1, atime;
	char *p;
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	id = create_seg(_metadata, e, new_key(), e->pg, 0600);
	ASSERT_EQ(0, shmdemo_bind(e->fd, id, 0));
	p = map_seg(e->fd, e->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	atime = st.atime;

	t0 = time(NULL);
	ASSERT_EQ(0, munmap(p, e->pg));
	t1 = time(NULL);
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(0, st.nattch);
	EXPECT_LE(t0, st.dtime);
	EXPECT_GE(t1, st.dtime);
	EXPECT_EQ(atime, st.atime);
	EXPECT_EQ(getpid(), st.lpid);
	EXPECT_EQ(0, st.flags);
}

TEST_F(stat, bad_or_removed_id_is_einval)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	EXPECT_EQ(-EINVAL, shmdemo_stat(e->fd, -1, &st));
	EXPECT_EQ(-EINVAL, shmdemo_stat(e->fd, INT_MIN, &st));
	EXPECT_EQ(-EINVAL, shmdemo_stat(e->fd, INT_MAX, &st));
	id = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0600);
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	ASSERT_EQ(0, shmdemo_rmid(e->fd, id));
	EXPECT_EQ(-EINVAL, shmdemo_stat(e->fd, id, &st));
}

/* ----------------------------------------------------------------- rmid */

TEST_F(rmid, removed_segment_loses_its_key_at_once)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	int key = new_key();
	int fd, id, id2;
	char *p;

	SHMDEMO_NEED_DEVICE(e->fd);
	id = new_mapped(_metadata, e, key, e->pg, &fd, &p);
	ASSERT_EQ(0, shmdemo_rmid(e->fd, id));

	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(SHMDEMO_SEG_DEST, st.flags & SHMDEMO_SEG_DEST);
	EXPECT_EQ(SHMDEMO_KEY_PRIVATE, st.key);
	EXPECT_EQ(1, st.nattch);

	EXPECT_EQ(-ENOENT, get_tracked(_metadata, e, key, 0, 0, 0));
	id2 = get_tracked(_metadata, e, key, e->pg, SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL, 0600);
	ASSERT_LE(0, id2);
	EXPECT_NE(id, id2);
	ASSERT_EQ(0, shmdemo_stat(e->fd, id2, &st));
	EXPECT_EQ(key, st.key);
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(id2, shmdemo_get(e->fd, key, 0, 0, 0));
	munmap(p, e->pg);
	close(fd);
}

TEST_F(rmid, data_written_before_removal_stays_readable)
{
	struct seg_env *e = &self->e;
	size_t len = 3 * e->pg;
	size_t i;
	int fd, id;
	char *p;

	SHMDEMO_NEED_DEVICE(e->fd);
	id = new_mapped(_metadata, e, new_key(), len, &fd, &p);
	for (i = 0; i < len; i++)
		p[i] = (char)(i * 7 + 1);
	ASSERT_EQ(0, shmdemo_rmid(e->fd, id));
	for (i = 0; i < len; i++)
		if (p[i] != (char)(i * 7 + 1))
			break;
	EXPECT_EQ(len, i) TH_LOG("byte %zu changed after RMID", i);
	/* Still writable, too. */
	p[len - 1] = 'w';
	EXPECT_EQ('w', p[len - 1]);
	munmap(p, len);
	close(fd);
}

/* As on Linux: IPC_RMID of a removed segment still alive succeeds. */
TEST_F(rmid, repeated_rmid_of_live_removed_segment_succeeds)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	int fd, id;
	char *p;

	SHMDEMO_NEED_DEVICE(e->fd);
	id = new_mapped(_metadata, e, new_key(), e->pg, &fd, &p);
	ASSERT_EQ(0, shmdemo_rmid(e->fd, id));
	EXPECT_EQ(0, shmdemo_rmid(e->fd, id));
	EXPECT_EQ(0, shmdemo_rmid(e->fd, id));
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(SHMDEMO_SEG_DEST, st.flags);
	EXPECT_EQ(1, st.nattch);
	munmap(p, e->pg);
	close(fd);
}

/*
 * The last mapping goes first: like shm_close() destroying the segment, it
 * is gone by id at once (STAT, BIND, RMID: EINVAL; the bound file can't
 * map it again: EIDRM); its memory goes with the bound file.
 */
TEST_F(rmid, removed_segment_dies_with_munmap_then_close)
{
	struct seg_env *e = &self->e;
	struct shmdemo_info before, info;
	struct shmdemo_stat st;
	int fd, fd2, id;
	char *p;

	SHMDEMO_NEED_DEVICE(e->fd);
	ASSERT_EQ(0, shmdemo_info(e->fd, &before));
	id = new_mapped(_metadata, e, new_key(), e->pg, &fd, &p);
	ASSERT_EQ(0, shmdemo_rmid(e->fd, id));

	ASSERT_EQ(0, munmap(p, e->pg));
	EXPECT_EQ(-EINVAL, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(-EINVAL, shmdemo_rmid(e->fd, id));
	fd2 = shmdemo_open(O_RDWR);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EINVAL, shmdemo_bind(fd2, id, 0));
	close(fd2);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, e->pg, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(EIDRM, errno);
	/* The bound file still holds its memory. */
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	EXPECT_EQ(before.segments + 1, info.segments);

	close(fd);
	EXPECT_EQ(-EINVAL, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(-EINVAL, shmdemo_rmid(e->fd, id));
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	EXPECT_EQ(before.segments, info.segments);
	EXPECT_EQ(before.total_pages, info.total_pages);
}

/* The bound file goes first, then the last mapping: that kills it. */
TEST_F(rmid, removed_segment_dies_with_close_then_munmap)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	int fd, id;
	char *p;

	SHMDEMO_NEED_DEVICE(e->fd);
	id = new_mapped(_metadata, e, new_key(), e->pg, &fd, &p);
	p[0] = 'x';
	ASSERT_EQ(0, shmdemo_rmid(e->fd, id));

	close(fd);
	/* The mapping keeps it. */
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(1, st.nattch);
	EXPECT_EQ('x', p[0]);

	ASSERT_EQ(0, munmap(p, e->pg));
	EXPECT_EQ(-EINVAL, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(-EINVAL, shmdemo_rmid(e->fd, id));
}

TEST_F(rmid, unattached_segment_is_destroyed_at_once)
{
	struct seg_env *e = &self->e;
	struct shmdemo_info before, info;
	struct shmdemo_stat st;
	int key = new_key();
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	ASSERT_EQ(0, shmdemo_info(e->fd, &before));
	id = create_seg(_metadata, e, key, 2 * e->pg, 0600);
	ASSERT_EQ(0, shmdemo_rmid(e->fd, id));
	EXPECT_EQ(-EINVAL, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(-EINVAL, shmdemo_rmid(e->fd, id));
	EXPECT_EQ(-EINVAL, shmdemo_bind(e->fd, id, 0));
	EXPECT_EQ(-ENOENT, get_tracked(_metadata, e, key, 0, 0, 0));
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	EXPECT_EQ(before.segments, info.segments);
	EXPECT_EQ(before.total_pages, info.total_pages);
}

struct get_req {
	int key;
	int id;
};

/* In another process: 0 if the key resolves to the expected id. */
static int child_get_key(void *arg)
{
	struct get_req *r = arg;
	int fd = shmdemo_open(O_RDWR);

	if (fd < 0)
		return 200;
	return shmdemo_get(fd, r->key, 0, 0, 0) == r->id ? 0 : 1;
}

/* Kernel persistence: no process attached or bound, no device open. */
TEST_F(rmid, segment_persists_without_any_process_attached)
{
	struct seg_env *e = &self->e;
	struct get_req r = { .key = new_key() };
	struct shmdemo_stat st;
	char *p;

	SHMDEMO_NEED_DEVICE(e->fd);
	r.id = create_seg(_metadata, e, r.key, e->pg, 0600);
	ASSERT_EQ(0, shmdemo_bind(e->fd, r.id, 0));
	p = map_seg(e->fd, e->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	strcpy(p, "persistent");
	ASSERT_EQ(0, munmap(p, e->pg));
	close(e->fd);

	e->fd = shmdemo_open(O_RDWR);
	ASSERT_LE(0, e->fd);
	EXPECT_EQ(r.id, shmdemo_get(e->fd, r.key, 0, 0, 0));
	EXPECT_EQ(0, shmdemo_run_child(child_get_key, &r, -1, -1));
	ASSERT_EQ(0, shmdemo_stat(e->fd, r.id, &st));
	EXPECT_EQ(0, st.nattch);
	EXPECT_EQ(0, st.flags);
	ASSERT_EQ(0, shmdemo_bind(e->fd, r.id, SHMDEMO_BIND_RDONLY));
	p = map_seg(e->fd, e->pg, PROT_READ, MAP_SHARED);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("persistent", p);
	munmap(p, e->pg);
}

/* As shmat() on Linux allows it: bind and map a removed, live segment. */
TEST_F(rmid, bind_to_removed_but_alive_segment_succeeds)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	int fd, fd2, id;
	char *p, *q;

	SHMDEMO_NEED_DEVICE(e->fd);
	id = new_mapped(_metadata, e, new_key(), e->pg, &fd, &p);
	strcpy(p, "removed");
	ASSERT_EQ(0, shmdemo_rmid(e->fd, id));

	fd2 = shmdemo_open(O_RDWR);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, shmdemo_bind(fd2, id, 0));
	q = map_seg(fd2, e->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, q);
	EXPECT_STREQ("removed", q);
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(2, st.nattch);
	EXPECT_EQ(SHMDEMO_SEG_DEST, st.flags);
	munmap(q, e->pg);
	munmap(p, e->pg);
	close(fd2);
	close(fd);
	EXPECT_EQ(-EINVAL, shmdemo_stat(e->fd, id, &st));
}

/* ----------------------------------------------------------------- perm */

enum child_op {
	OP_GET,		/* GET key with mode: 0 if it returns id */
	OP_CREATE,	/* GET key with CREATE|EXCL, bytes, mode */
	OP_BIND,	/* bind an O_RDWR fd with flags */
	OP_BIND_RDONLY_FILE, /* bind an O_RDONLY fd with flags 0 */
	OP_MAP_WRITE,	/* read-only bind, then a shared writable mmap */
	OP_MAP_READ,	/* read-only bind, mmap, first bytes == "root" */
	OP_STAT,
	OP_SET_MODE,	/* SET mode */
	OP_RMID,
	OP_RESIZE,	/* RESIZE to bytes */
};

struct child_req {
	enum child_op op;
	int id;
	int key;
	uint32_t mode;
	uint32_t flags;
	uint64_t bytes;
};

#define CHILD_WRONG	250	/* the request succeeded with a wrong result */
#define CHILD_NO_DEV	240	/* could not open the device */

/* Runs as NOBODY: 0, the errno the request failed with, or CHILD_*. */
static int child_request(void *arg)
{
	struct child_req *r = arg;
	struct shmdemo_stat st;
	int fd, ret;
	char *p;

	fd = shmdemo_open(r->op == OP_BIND_RDONLY_FILE ? O_RDONLY : O_RDWR);
	if (fd < 0)
		return CHILD_NO_DEV;
	switch (r->op) {
	case OP_GET:
		ret = shmdemo_get(fd, r->key, 0, 0, r->mode);
		if (ret >= 0)
			ret = ret == r->id ? 0 : -CHILD_WRONG;
		break;
	case OP_CREATE:
		ret = shmdemo_get(fd, r->key, r->bytes,
				  SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL, r->mode);
		ret = ret < 0 ? ret : 0;
		break;
	case OP_BIND:
		ret = shmdemo_bind(fd, r->id, r->flags);
		break;
	case OP_BIND_RDONLY_FILE:
		ret = shmdemo_bind(fd, r->id, 0);
		break;
	case OP_MAP_WRITE:
	case OP_MAP_READ:
		ret = shmdemo_bind(fd, r->id, SHMDEMO_BIND_RDONLY);
		if (ret)
			break;
		if (r->op == OP_MAP_WRITE) {
			p = map_seg(fd, shmdemo_page_size(), PROT_READ | PROT_WRITE, MAP_SHARED);
			ret = p ? 0 : -errno;
			break;
		}
		p = map_seg(fd, shmdemo_page_size(), PROT_READ, MAP_SHARED);
		if (!p)
			ret = -errno;
		else
			ret = strcmp(p, "root") ? -CHILD_WRONG : 0;
		break;
	case OP_STAT:
		ret = shmdemo_stat(fd, r->id, &st);
		break;
	case OP_SET_MODE:
		ret = shmdemo_set(fd, r->id, SHMDEMO_SET_MODE, 0, 0, r->mode);
		break;
	case OP_RMID:
		ret = shmdemo_rmid(fd, r->id);
		break;
	case OP_RESIZE:
		ret = shmdemo_resize(fd, r->id, r->bytes);
		break;
	default:
		ret = -CHILD_WRONG;
	}
	close(fd);
	return -ret;
}

/* Run one request as NOBODY; returns 0 or the errno (or CHILD_*). */
static int as_nobody(enum child_op op, int id, int key, uint32_t mode, uint32_t flags,
		     uint64_t bytes)
{
	struct child_req r = {
		.op = op, .id = id, .key = key, .mode = mode, .flags = flags, .bytes = bytes,
	};

	return shmdemo_run_child(child_request, &r, NOBODY, NOBODY);
}

TEST_F(perm, other_user_cannot_get_bind_or_stat_mode_0600)
{
	struct seg_env *e = &self->e;
	int key = new_key();
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	SHMDEMO_NEED_ROOT();
	id = create_seg(_metadata, e, key, e->pg, 0600);
	EXPECT_EQ(EACCES, as_nobody(OP_GET, id, key, 0400, 0, 0));
	EXPECT_EQ(EACCES, as_nobody(OP_GET, id, key, 0200, 0, 0));
	/* Like shmget(key, 0, 0): asking for no access finds it. */
	EXPECT_EQ(0, as_nobody(OP_GET, id, key, 0, 0, 0));
	EXPECT_EQ(EACCES, as_nobody(OP_BIND, id, 0, 0, 0, 0));
	EXPECT_EQ(EACCES, as_nobody(OP_BIND, id, 0, 0, SHMDEMO_BIND_RDONLY, 0));
	EXPECT_EQ(EACCES, as_nobody(OP_STAT, id, 0, 0, 0, 0));
}

TEST_F(perm, other_user_cannot_set_rmid_or_resize)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	SHMDEMO_NEED_ROOT();
	/* Even with every mode bit: these need ownership, not access. */
	id = create_seg(_metadata, e, new_key(), e->pg, 0666);
	EXPECT_EQ(EPERM, as_nobody(OP_SET_MODE, id, 0, 0600, 0, 0));
	EXPECT_EQ(EPERM, as_nobody(OP_RMID, id, 0, 0, 0, 0));
	EXPECT_EQ(EPERM, as_nobody(OP_RESIZE, id, 0, 0, 0, 2 * e->pg));
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(0666, st.mode);
	EXPECT_EQ(0, st.flags);
	EXPECT_EQ(e->pg, st.bytes);
	EXPECT_EQ(0, st.uid);
}

TEST_F(perm, other_user_gets_read_only_access_on_mode_0644)
{
	struct seg_env *e = &self->e;
	int key = new_key();
	int fd, id;
	char *p;

	SHMDEMO_NEED_DEVICE(e->fd);
	SHMDEMO_NEED_ROOT();
	id = new_mapped(_metadata, e, key, e->pg, &fd, &p);
	strcpy(p, "root");
	ASSERT_EQ(0, shmdemo_set(e->fd, id, SHMDEMO_SET_MODE, 0, 0, 0644));

	EXPECT_EQ(0, as_nobody(OP_GET, id, key, 0444, 0, 0));
	EXPECT_EQ(0, as_nobody(OP_GET, id, key, 0400, 0, 0));
	EXPECT_EQ(EACCES, as_nobody(OP_GET, id, key, 0666, 0, 0));
	EXPECT_EQ(EACCES, as_nobody(OP_GET, id, key, 0600, 0, 0));
	EXPECT_EQ(0, as_nobody(OP_STAT, id, 0, 0, 0, 0));
	EXPECT_EQ(0, as_nobody(OP_BIND, id, 0, 0, SHMDEMO_BIND_RDONLY, 0));
	EXPECT_EQ(0, as_nobody(OP_BIND_RDONLY_FILE, id, 0, 0, 0, 0));
	EXPECT_EQ(EACCES, as_nobody(OP_BIND, id, 0, 0, 0, 0));
	EXPECT_EQ(0, as_nobody(OP_MAP_READ, id, 0, 0, 0, 0));
	EXPECT_EQ(EACCES, as_nobody(OP_MAP_WRITE, id, 0, 0, 0, 0));
	munmap(p, e->pg);
	close(fd);
}

/* A group member gets the group bits, even when "other" would allow more. */
TEST_F(perm, group_member_gets_group_bits)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	int key = new_key();
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	SHMDEMO_NEED_ROOT();
	id = create_seg(_metadata, e, key, e->pg, 0640);
	ASSERT_EQ(0, shmdemo_set(e->fd, id, SHMDEMO_SET_GID, 0, NOBODY, 0));
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(NOBODY, st.gid);
	EXPECT_EQ(0, st.cgid);
	EXPECT_EQ(0, st.uid);

	EXPECT_EQ(0, as_nobody(OP_GET, id, key, 0444, 0, 0));
	EXPECT_EQ(0, as_nobody(OP_STAT, id, 0, 0, 0, 0));
	EXPECT_EQ(EACCES, as_nobody(OP_BIND, id, 0, 0, 0, 0));

	ASSERT_EQ(0, shmdemo_set(e->fd, id, SHMDEMO_SET_MODE, 0, 0, 0604));
	EXPECT_EQ(EACCES, as_nobody(OP_STAT, id, 0, 0, 0, 0));
	EXPECT_EQ(EACCES, as_nobody(OP_GET, id, key, 0444, 0, 0));
}

TEST_F(perm, set_uid_makes_new_owner_and_keeps_creator)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st0, st;
	time_t t0, t1;
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	SHMDEMO_NEED_ROOT();
	id = create_seg(_metadata, e, new_key(), e->pg, 0600);
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st0));
	EXPECT_EQ(EPERM, as_nobody(OP_SET_MODE, id, 0, 0640, 0, 0));

	wait_past_second(st0.ctime);
	t0 = time(NULL);
	ASSERT_EQ(0, shmdemo_set(e->fd, id, SHMDEMO_SET_UID, NOBODY, 0, 0));
	t1 = time(NULL);
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_LT(st0.ctime, st.ctime);
	EXPECT_LE(t0, st.ctime);
	EXPECT_GE(t1, st.ctime);
	EXPECT_EQ(NOBODY, st.uid);
	EXPECT_EQ(0, st.gid);	/* only UID was valid */
	EXPECT_EQ(0, st.cuid);
	EXPECT_EQ(0, st.cgid);
	EXPECT_EQ(0600, st.mode);

	/* The new owner: owner bits for access, and SET and RMID rights. */
	EXPECT_EQ(0, as_nobody(OP_STAT, id, 0, 0, 0, 0));
	EXPECT_EQ(0, as_nobody(OP_SET_MODE, id, 0, 0640, 0, 0));
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(0640, st.mode);
	EXPECT_EQ(0, as_nobody(OP_RESIZE, id, 0, 0, 0, 2 * e->pg));
	EXPECT_EQ(0, as_nobody(OP_RMID, id, 0, 0, 0, 0));
	EXPECT_EQ(-EINVAL, shmdemo_stat(e->fd, id, &st));
}

/* Like ipcctl_obtain_check(): the creator keeps SET and RMID rights. */
TEST_F(perm, creator_keeps_control_after_giving_ownership_away)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	int key = new_key();
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	SHMDEMO_NEED_ROOT();
	ASSERT_EQ(0, as_nobody(OP_CREATE, 0, key, 0600, 0, e->pg));
	id = get_tracked(_metadata, e, key, 0, 0, 0);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(NOBODY, st.cuid);
	EXPECT_EQ(NOBODY, st.cgid);
	EXPECT_EQ(NOBODY, st.uid);

	ASSERT_EQ(0, shmdemo_set(e->fd, id, SHMDEMO_SET_UID | SHMDEMO_SET_GID,
				 12345, 12345, 0));
	EXPECT_EQ(0, as_nobody(OP_STAT, id, 0, 0, 0, 0));
	EXPECT_EQ(0, as_nobody(OP_SET_MODE, id, 0, 0400, 0, 0));
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(0400, st.mode);
	EXPECT_EQ(12345, st.uid);
	EXPECT_EQ(NOBODY, st.cuid);
	EXPECT_EQ(0, as_nobody(OP_RMID, id, 0, 0, 0, 0));
	EXPECT_EQ(-EINVAL, shmdemo_stat(e->fd, id, &st));
}

/* CAP_IPC_OWNER ignores the mode bits; an owner without it does not. */
TEST_F(perm, mode_bits_bind_the_owner_but_not_root)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	int key = new_key();
	int fd, id;

	SHMDEMO_NEED_DEVICE(e->fd);
	SHMDEMO_NEED_ROOT();
	ASSERT_EQ(0, as_nobody(OP_CREATE, 0, key, 0000, 0, e->pg));
	id = get_tracked(_metadata, e, key, 0, 0, 0);
	ASSERT_LE(0, id);

	EXPECT_EQ(EACCES, as_nobody(OP_STAT, id, 0, 0, 0, 0));
	EXPECT_EQ(EACCES, as_nobody(OP_GET, id, key, 0400, 0, 0));
	EXPECT_EQ(EACCES, as_nobody(OP_BIND, id, 0, 0, SHMDEMO_BIND_RDONLY, 0));

	EXPECT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(id, shmdemo_get(e->fd, key, 0, 0, 0666));
	fd = shmdemo_open(O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, shmdemo_bind(fd, id, 0));
	close(fd);

	/* The owner may still change the mode, then use it. */
	EXPECT_EQ(0, as_nobody(OP_SET_MODE, id, 0, 0400, 0, 0));
	EXPECT_EQ(0, as_nobody(OP_STAT, id, 0, 0, 0, 0));
	EXPECT_EQ(0, as_nobody(OP_BIND, id, 0, 0, SHMDEMO_BIND_RDONLY, 0));
	EXPECT_EQ(EACCES, as_nobody(OP_BIND, id, 0, 0, 0, 0));
}

TEST_F(perm, set_with_unknown_valid_bit_or_bad_uid_is_einval)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	id = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0600);
	EXPECT_EQ(-EINVAL, shmdemo_set(e->fd, id, SHMDEMO_SET_MODE | (1U << 4), 0, 0, 0644));
	EXPECT_EQ(-EINVAL, shmdemo_set(e->fd, id, SHMDEMO_SET_MODE | (1U << 31), 0, 0, 0644));
	EXPECT_EQ(-EINVAL, shmdemo_set(e->fd, id, SHMDEMO_SET_UID, (uint32_t)-1, 0, 0));
	EXPECT_EQ(-EINVAL, shmdemo_set(e->fd, id, SHMDEMO_SET_GID, 0, (uint32_t)-1, 0));
	EXPECT_EQ(-EINVAL, shmdemo_set(e->fd, -1, SHMDEMO_SET_MODE, 0, 0, 0644));
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(0600, st.mode);
	EXPECT_EQ(geteuid(), st.uid);
	EXPECT_EQ(getegid(), st.gid);
}

/* Like IPC_SET: only the 0777 bits of the mode are used. */
TEST_F(perm, set_mode_keeps_only_permission_bits)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	id = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0600);
	ASSERT_EQ(0, shmdemo_set(e->fd, id, SHMDEMO_SET_MODE, 0, 0, 0100644));
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(0644, st.mode);
	ASSERT_EQ(0, shmdemo_set(e->fd, id, SHMDEMO_SET_MODE, 0, 0, 07777));
	ASSERT_EQ(0, shmdemo_stat(e->fd, id, &st));
	EXPECT_EQ(0777, st.mode);
	EXPECT_EQ(0, st.flags);
}

/* ----------------------------------------------------------------- bind */

TEST_F(bind, second_bind_on_same_fd_is_ebusy)
{
	struct seg_env *e = &self->e;
	struct shmdemo_stat st;
	int a, b;
	char *p;

	SHMDEMO_NEED_DEVICE(e->fd);
	a = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0600);
	b = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0600);
	ASSERT_EQ(0, shmdemo_bind(e->fd, a, 0));
	EXPECT_EQ(-EBUSY, shmdemo_bind(e->fd, a, 0));
	EXPECT_EQ(-EBUSY, shmdemo_bind(e->fd, b, 0));
	EXPECT_EQ(-EBUSY, shmdemo_bind(e->fd, a, SHMDEMO_BIND_RDONLY));
	/* The first binding stands. */
	p = map_seg(e->fd, e->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, shmdemo_stat(e->fd, a, &st));
	EXPECT_EQ(1, st.nattch);
	ASSERT_EQ(0, shmdemo_stat(e->fd, b, &st));
	EXPECT_EQ(0, st.nattch);
	munmap(p, e->pg);
}

TEST_F(bind, bad_id_is_einval)
{
	struct seg_env *e = &self->e;
	int gone, id;

	SHMDEMO_NEED_DEVICE(e->fd);
	EXPECT_EQ(-EINVAL, shmdemo_bind(e->fd, -1, 0));
	EXPECT_EQ(-EINVAL, shmdemo_bind(e->fd, INT_MAX, 0));
	gone = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0600);
	ASSERT_EQ(0, shmdemo_rmid(e->fd, gone));
	EXPECT_EQ(-EINVAL, shmdemo_bind(e->fd, gone, 0));
	/* Failed binds leave the file unbound. */
	id = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0600);
	EXPECT_EQ(0, shmdemo_bind(e->fd, id, 0));
}

TEST_F(bind, unknown_flag_or_reserved_is_einval)
{
	struct seg_env *e = &self->e;
	struct shmdemo_bind b = { .size = sizeof(b) };
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	id = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0600);
	EXPECT_EQ(-EINVAL, shmdemo_bind(e->fd, id, 1U << 1));
	EXPECT_EQ(-EINVAL, shmdemo_bind(e->fd, id, SHMDEMO_BIND_RDONLY | (1U << 31)));
	b.id = id;
	b.__reserved = 1;
	EXPECT_EQ(-EINVAL, shmdemo_ioctl(e->fd, SHMDEMO_IOC_BIND, &b));
	b.__reserved = 0;
	b.size = SHMDEMO_BIND_SIZE_VER0 - 4;
	EXPECT_EQ(-EINVAL, shmdemo_ioctl(e->fd, SHMDEMO_IOC_BIND, &b));
	EXPECT_EQ(0, shmdemo_bind(e->fd, id, 0));
}

TEST_F(bind, mmap_of_unbound_fd_fails_with_enxio)
{
	struct seg_env *e = &self->e;
	char *p;
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	errno = 0;
	EXPECT_EQ(NULL, map_seg(e->fd, e->pg, PROT_READ | PROT_WRITE, MAP_SHARED));
	EXPECT_EQ(ENXIO, errno);
	errno = 0;
	EXPECT_EQ(NULL, map_seg(e->fd, e->pg, PROT_READ, MAP_PRIVATE));
	EXPECT_EQ(ENXIO, errno);

	id = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0600);
	ASSERT_EQ(0, shmdemo_bind(e->fd, id, 0));
	p = map_seg(e->fd, e->pg, PROT_READ | PROT_WRITE, MAP_SHARED);
	ASSERT_NE(NULL, p);
	munmap(p, e->pg);
}

/* ----------------------------------------------------------------- info */

TEST_F(info, create_and_rmid_update_segments_and_total_pages)
{
	struct seg_env *e = &self->e;
	struct shmdemo_info before, info;
	int id;

	SHMDEMO_NEED_DEVICE(e->fd);
	ASSERT_EQ(0, shmdemo_info(e->fd, &before));
	EXPECT_EQ(sizeof(before), before.size);
	/* ceil((3 pages + 1 byte) / page size) = 4 pages */
	id = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, 3 * e->pg + 1, 0600);
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	EXPECT_EQ(before.segments + 1, info.segments);
	EXPECT_EQ(before.total_pages + 4, info.total_pages);
	EXPECT_EQ(0, info.__pad);

	ASSERT_EQ(0, shmdemo_rmid(e->fd, id));
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	EXPECT_EQ(before.segments, info.segments);
	EXPECT_EQ(before.total_pages, info.total_pages);
}

/* "segments alive, removed ones included" */
TEST_F(info, removed_segment_counts_until_destroyed)
{
	struct seg_env *e = &self->e;
	struct shmdemo_info before, info;
	int fd, id;
	char *p;

	SHMDEMO_NEED_DEVICE(e->fd);
	ASSERT_EQ(0, shmdemo_info(e->fd, &before));
	id = new_mapped(_metadata, e, new_key(), 2 * e->pg, &fd, &p);
	ASSERT_EQ(0, shmdemo_rmid(e->fd, id));
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	EXPECT_EQ(before.segments + 1, info.segments);
	EXPECT_EQ(before.total_pages + 2, info.total_pages);

	munmap(p, 2 * e->pg);
	close(fd);
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	EXPECT_EQ(before.segments, info.segments);
	EXPECT_EQ(before.total_pages, info.total_pages);
}

TEST_F(info, limits_match_module_parameters)
{
	struct seg_env *e = &self->e;
	struct shmdemo_info info;
	long segs, bytes, pages;

	SHMDEMO_NEED_DEVICE(e->fd);
	segs = shmdemo_param_get("max_segments");
	bytes = shmdemo_param_get("max_seg_bytes");
	pages = shmdemo_param_get("max_total_pages");
	ASSERT_LT(0, segs);
	ASSERT_LT(0, bytes);
	ASSERT_LT(0, pages);
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	EXPECT_EQ(segs, info.max_segments);
	EXPECT_EQ(bytes, info.max_seg_bytes);
	EXPECT_EQ(pages, info.max_total_pages);
}

/* LIST into an array of @cap ids (plus a guard entry); returns the count. */
static int list_ids(struct __test_metadata *_metadata, int fd, int32_t *ids, uint32_t cap)
{
	struct shmdemo_list l = {
		.size = sizeof(l), .count = cap, .ids_ptr = (uintptr_t)ids,
	};

	ASSERT_EQ(0, shmdemo_ioctl(fd, SHMDEMO_IOC_LIST, &l));
	return l.count;
}

TEST_F(info, list_returns_every_segment_id)
{
	struct seg_env *e = &self->e;
	struct shmdemo_info info;
	int a, b, n, i, found = 0;
	int32_t *ids;
	uint32_t cap;

	SHMDEMO_NEED_DEVICE(e->fd);
	a = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0600);
	b = create_seg(_metadata, e, new_key(), e->pg, 0600);
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	cap = info.segments + 16;
	ids = calloc(cap, sizeof(*ids));
	ASSERT_NE(NULL, ids);
	n = list_ids(_metadata, e->fd, ids, cap);
	EXPECT_EQ(info.segments, n);
	for (i = 0; i < n && i < (int)cap; i++)
		found |= (ids[i] == a) | (ids[i] == b) << 1;
	EXPECT_EQ(3, found) TH_LOG("ids %d and %d: found mask %d", a, b, found);
	free(ids);
}

TEST_F(info, list_reports_count_beyond_capacity)
{
	struct seg_env *e = &self->e;
	struct shmdemo_info info;
	int32_t ids[2] = { -7, -7 };

	SHMDEMO_NEED_DEVICE(e->fd);
	create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0600);
	create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0600);
	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	ASSERT_LE(2, info.segments);

	EXPECT_EQ(info.segments, list_ids(_metadata, e->fd, NULL, 0));
	EXPECT_EQ(info.segments, list_ids(_metadata, e->fd, ids, 0));
	EXPECT_EQ(-7, ids[0]);
	EXPECT_EQ(info.segments, list_ids(_metadata, e->fd, ids, 1));
	EXPECT_LE(0, ids[0]);
	EXPECT_EQ(-7, ids[1]);	/* nothing past the capacity */
}

/*
 * "ids of all segments, in id order": a slot freed and reused gets a
 * higher sequence number, so its id is the largest even though its slot
 * is the lowest.
 */
TEST_F(info, list_is_in_id_order)
{
	struct seg_env *e = &self->e;
	struct shmdemo_info info;
	int a, b, c, n, i;
	int32_t *ids;
	uint32_t cap;

	SHMDEMO_NEED_DEVICE(e->fd);
	a = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0600);
	b = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0600);
	ASSERT_EQ(0, shmdemo_rmid(e->fd, a));
	c = create_seg(_metadata, e, SHMDEMO_KEY_PRIVATE, e->pg, 0600);

	ASSERT_EQ(0, shmdemo_info(e->fd, &info));
	cap = info.segments + 16;
	ids = calloc(cap, sizeof(*ids));
	ASSERT_NE(NULL, ids);
	n = list_ids(_metadata, e->fd, ids, cap);
	ASSERT_GE((int)cap, n);
	for (i = 1; i < n; i++) {
		EXPECT_LT(ids[i - 1], ids[i])
			TH_LOG("ids[%d] = %d, ids[%d] = %d (removed %d, kept %d, new %d)",
			       i - 1, ids[i - 1], i, ids[i], a, b, c);
	}
	free(ids);
}

TEST_HARNESS_MAIN
