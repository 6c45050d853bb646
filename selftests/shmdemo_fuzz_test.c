// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl fuzzing of /dev/shmdemo: every request and its neighbours (numbers
 * 0x00 and 0x0e..0x11, other magics, every direction), with random struct
 * sizes, random field values, reserved fields and unknown flags set, and
 * bad pointers (NULL, unmapped, kernel, read-only, a struct crossing into
 * an unmapped page; LIST's and PAGES' arrays too), seeded and bounded in
 * time.  A request fails the test when it
 *
 *  - returns an errno its documentation doesn't give it (reqs[] below,
 *    each entry citing the header or the kmod/ source it comes from);
 *  - succeeds on input the module must refuse, or returns other than the
 *    errno the decoding rules fix (predict(): the size rules, the tail,
 *    the pointers, and what the anchors - segments the fuzzer knows all
 *    about - must answer);
 *  - writes a byte it shouldn't: buffers are filled with 0xA5 first, and
 *    after a success padding and reserved fields must be zero and nothing
 *    past min(size, sizeof) (or past the entries returned) may change;
 *  - doesn't return: the fuzzing runs in a child process watched from the
 *    test, and a request that takes HANG_SECS is a failure, not a stuck
 *    suite.
 *
 * Everything it creates is removed (the ids GET returned, then whatever is
 * left in this test's keys or made by its processes: such a leftover is
 * itself a failure), and INFO's segments, total_pages and resident_pages
 * must be back where they started.
 *
 *   SHMDEMO_SEED=N          replay (the seed is always printed); each test
 *                           draws its own stream from it.  Ids depend on
 *                           what the module made before: replay the run
 *                           in a fresh VM; a failure names its request
 *                           number and input bytes
 *   SHMDEMO_FUZZ_SECONDS=S  fuzzing time (default 5, at most MAX_SECONDS)
 *                           of the main test; the run as uid 65534 and the
 *                           races take S/2 each
 *
 * The unprivileged run (uid/gid 65534, like shmdemo_run_child()) needs
 * root to get there and SKIPs without it.
 */
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <time.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

#define NOBODY		65534
#define KEY_BASE	0x46555a00	/* "FUZ": keys no other test uses */
#define KEY_FUZZ	64		/* fuzzed keys: KEY_BASE + 0..63 */
#define KEY_ANCHOR	(KEY_BASE + KEY_FUZZ)	/* the anchors' keys */
#define KEY_END		(KEY_BASE + 128)
#define SEQ_MULT	32768		/* SHMDEMO_SEQ_MULTIPLIER, kmod/shmdemo.h */
#define HANG_SECS	10		/* one request taking longer is a hang */
#define MAX_SECONDS	240		/* so a test fits its TEST_F_TIMEOUT() */
#define POOL_MAX	48		/* segments the fuzzer keeps to aim at */
#define NMAPS		4		/* mappings it keeps (nattch > 0) */
#define NDEAD		8		/* removed ids it remembers */
#define IDS_CAP		8192		/* LIST's array; a guard page follows */
#define FILL_MAX	1024		/* array entries canary-filled per call */
#define MAX_FAILS	12		/* failures kept with their details */
#define MAX_ERRNO	160		/* histogram columns; the last: larger */
#define MAX_TRACKED	4096		/* ids a fuzzing child holds at once */
#define NANCHORS	2
#define ANCHOR_PAGES	8
#define ANCHOR_TOUCHED	6		/* pages 0..5 resident, 0..2 written */
#define CANARY		0xa5
#define CANARY32	0xa5a5a5a5U
#define LOW_PTR		0x1000UL	/* below mmap_min_addr: never mapped */
#define HIGH_PTR	0x0000800000000000UL	/* past the user address space */
#define KERNEL_PTR	0xffffffff81000000UL

/* INFO's number before its struct grew (SHMDEMO_IOC_INFO_VER0 in kmod). */
#define SHMDEMO_IOC_INFO_IOR	_IOR(SHMDEMO_IOC_MAGIC, 0x07, struct shmdemo_info)
/* What the module dispatches on: direction, type and number, not the size. */
#define CMD_KEY(cmd)	((cmd) & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT))

#define MIN(a, b)	((a) < (b) ? (a) : (b))

/* Seed and duration, once for every test of this run. */
static uint64_t fuzz_seed;
static double fuzz_seconds = 5;

static void __attribute__((constructor)) fuzz_params(void)
{
	const char *seed = getenv("SHMDEMO_SEED");
	const char *secs = getenv("SHMDEMO_FUZZ_SECONDS");
	struct timespec ts;
	char *end;
	double d;

	clock_gettime(CLOCK_REALTIME, &ts);
	fuzz_seed = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
		    ((uint64_t)getpid() << 16);
	if (seed && *seed)
		fuzz_seed = strtoull(seed, NULL, 0);
	if (secs && *secs) {
		d = strtod(secs, &end);
		if (end != secs && d > 0)
			fuzz_seconds = d < MAX_SECONDS ? d : MAX_SECONDS;
	}
}

static uint64_t next_rand(uint64_t *state)	/* splitmix64 */
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The stream of one test and thread, replayable from the printed seed. */
static uint64_t stream_seed(const char *test, int slot)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a of the test's name */

	for (; *test; test++)
		h = (h ^ (unsigned char)*test) * 0x100000001b3ULL;
	return h ^ fuzz_seed ^ ((uint64_t)slot << 56);
}

/*
 * The requests, and the errnos each may return.  Every decoded request
 * may return these, whatever it is (the header's preamble, lines 10-14, and
 * kmod/shmdemo_ioctl.c shmdemo_copy_in() / shmdemo_copy_out()):
 *   EFAULT  @size or the struct unreadable (ioctl.c:35-36, and
 *           copy_struct_from_user() at :40), the struct or an array not
 *           writable (:46, LIST :184, PAGES :214);
 *   EINVAL  @size below *_SIZE_VER0 (ioctl.c shmdemo_copy_in());
 *           unknown flags and non-zero reserved fields (header :13-14);
 *           and, for every request naming a segment, "no such id"
 *           (shmdemo_seg_find(): "ERR_PTR(-EINVAL) when there is none or
 *           it is gone"; kmod/shmdemo.h: "every request by id says EINVAL");
 *   E2BIG   @size above PAGE_SIZE, or non-zero bytes past the struct the
 *           module knows (header preamble; ioctl.c shmdemo_copy_in());
 *   ENOMEM  an allocation failed (the generic rule).
 */
/* Room for the largest struct (STAT, 240 bytes) plus the oversize tails. */
#define STRUCT_ROOM	512
#define E(e)		(1ULL << (e))
#define ANY_REQUEST	(E(EFAULT) | E(EINVAL) | E(E2BIG) | E(ENOMEM))

enum {
	R_GET, R_BIND, R_STAT, R_STAT_ANY, R_SET, R_RMID, R_RESIZE, R_INFO,
	R_INFO_IOR, R_LIST, R_PAGES, R_LOCK, R_UNLOCK, R_SYNC, R_ATTACH, R_DETACH,
	R_POPULATE, R_OTHER, NREQ
};

struct req_desc {
	const char *name;
	unsigned long cmd;
	uint32_t ksize;		/* sizeof() */
	uint32_t ver0;		/* *_SIZE_VER0 */
	uint32_t ptr_off;	/* a user pointer field (never scrambled), or 0 */
	bool writes_back;
	uint64_t allowed;
};

static const struct req_desc reqs[NREQ] = {
	/*
	 * header :44-50 "Errors: ENOENT ..., EEXIST ..., EINVAL ..., EACCES
	 * ..., ENOSPC ..., EFAULT"; ioctl.c:59-60 unknown flags, mode bits
	 * past 0777 or __reserved: EINVAL.
	 */
	[R_GET] = { "GET", SHMDEMO_IOC_GET, sizeof(struct shmdemo_get),
		    SHMDEMO_GET_SIZE_VER0, 0, true,
		    ANY_REQUEST | E(ENOENT) | E(EEXIST) | E(EACCES) | E(ENOSPC) | E(EBADF) },
	/*
	 * header :75-80 EACCES, "A file binds once (EBUSY)", gone by id
	 * (EINVAL); shmdemo_dev.c:42 shmdemo_bind() "Return: 0, -EBUSY, -EINVAL,
	 * -EACCES, -ENOMEM"; ioctl.c:91-92 flags, __reserved: EINVAL.
	 */
	[R_BIND] = { "BIND", SHMDEMO_IOC_BIND, sizeof(struct shmdemo_bind),
		     SHMDEMO_BIND_SIZE_VER0, 0, false,
		     ANY_REQUEST | E(EBUSY) | E(EACCES) },
	/*
	 * header :141-142 "read permission needed"; shmdemo_seg.c
	 * shmdemo_seg_stat() "Return: 0, -EINVAL (no such id) or -EACCES".
	 */
	[R_STAT] = { "STAT", SHMDEMO_IOC_STAT, sizeof(struct shmdemo_stat),
		     SHMDEMO_STAT_SIZE_VER0, 0, true, ANY_REQUEST | E(EACCES) },
	/* header :142 "STAT_ANY ... fills it without": no EACCES. */
	[R_STAT_ANY] = { "STAT_ANY", SHMDEMO_IOC_STAT_ANY, sizeof(struct shmdemo_stat),
			 SHMDEMO_STAT_SIZE_VER0, 0, true, ANY_REQUEST },
	/*
	 * header :200 "others get EPERM"; shmdemo_seg_set() "Return: 0,
	 * -EINVAL (no such id, or an id not mapped ...) or -EPERM";
	 * ioctl.c:122-123 unknown @valid bits: EINVAL.
	 */
	[R_SET] = { "SET", SHMDEMO_IOC_SET, sizeof(struct shmdemo_set),
		    SHMDEMO_SET_SIZE_VER0, 0, false, ANY_REQUEST | E(EPERM) },
	/* shmdemo_seg_rmid() "Return: 0, -EINVAL or -EPERM" (the header: none). */
	[R_RMID] = { "RMID", SHMDEMO_IOC_RMID, sizeof(struct shmdemo_id),
		     SHMDEMO_ID_SIZE_VER0, 0, false, ANY_REQUEST | E(EPERM) },
	/* header :222-225 "Errors: EINVAL (...), EPERM, ENOSPC (...)". */
	[R_RESIZE] = { "RESIZE", SHMDEMO_IOC_RESIZE, sizeof(struct shmdemo_resize),
		       SHMDEMO_RESIZE_SIZE_VER0, 0, false,
		       ANY_REQUEST | E(EPERM) | E(ENOSPC) },
	/* No errors of its own: shmdemo_ioctl_info() fails only copying. */
	[R_INFO] = { "INFO", SHMDEMO_IOC_INFO, sizeof(struct shmdemo_info),
		     SHMDEMO_INFO_SIZE_VER0, 0, true, ANY_REQUEST },
	/* ioctl.c:24-28: the old _IOR number answers the same way. */
	[R_INFO_IOR] = { "INFO_IOR", SHMDEMO_IOC_INFO_IOR, sizeof(struct shmdemo_info),
			 SHMDEMO_INFO_SIZE_VER0, 0, true, ANY_REQUEST },
	/* shmdemo_seg_list() "Return: 0 or -ENOMEM"; @ids_ptr: EFAULT (:184). */
	[R_LIST] = { "LIST", SHMDEMO_IOC_LIST, sizeof(struct shmdemo_list),
		     SHMDEMO_LIST_SIZE_VER0, offsetof(struct shmdemo_list, ids_ptr),
		     true, ANY_REQUEST },
	/*
	 * header :294 "read permission needed", :296 "at most
	 * SHMDEMO_PAGES_MAX" (EINVAL, ioctl.c:205-206, ENOMEM :210);
	 * shmdemo_seg_pages() "Return: 0, -EINVAL (no such id) or -EACCES".
	 */
	[R_PAGES] = { "PAGES", SHMDEMO_IOC_PAGES, sizeof(struct shmdemo_pages),
		      SHMDEMO_PAGES_SIZE_VER0, offsetof(struct shmdemo_pages, pages_ptr),
		      true, ANY_REQUEST | E(EACCES) },
	/*
	 * header :323-329 EPERM (not owner or creator, or no RLIMIT_MEMLOCK),
	 * ENOMEM (over RLIMIT_MEMLOCK); shmdemo_seg_lock() "Return: 0, -EINVAL
	 * (no such id), -EPERM or -ENOMEM".
	 */
	[R_LOCK] = { "LOCK", SHMDEMO_IOC_LOCK, sizeof(struct shmdemo_id),
		     SHMDEMO_ID_SIZE_VER0, 0, false, ANY_REQUEST | E(EPERM) },
	[R_UNLOCK] = { "UNLOCK", SHMDEMO_IOC_UNLOCK, sizeof(struct shmdemo_id),
		       SHMDEMO_ID_SIZE_VER0, 0, false, ANY_REQUEST | E(EPERM) },
	/*
	 * header SYNC: "on the /dev/shmdemo file bound to the segment (ENXIO
	 * if unbound)"; flags and outputs non-zero, a range past LLONG_MAX:
	 * EINVAL.  The fuzzer's segments are memory-only: no write errors.
	 */
	[R_SYNC] = { "SYNC", SHMDEMO_IOC_SYNC, sizeof(struct shmdemo_sync),
		     SHMDEMO_SYNC_SIZE_VER0, 0, true, ANY_REQUEST | E(ENXIO) },
	/*
	 * header ATTACH: "Errors: EINVAL (...), EACCES, ENOMEM (no room in
	 * the address space), ENFILE, EFAULT (...)"; EIDRM: shmdemo_mmap_seg()
	 * "Return: 0, -EACCES or -EIDRM" (a segment gone meanwhile).
	 */
	[R_ATTACH] = { "ATTACH", SHMDEMO_IOC_ATTACH, sizeof(struct shmdemo_attach),
		       SHMDEMO_ATTACH_SIZE_VER0, 0, true,
		       ANY_REQUEST | E(EACCES) | E(ENFILE) | E(EIDRM) | E(ENOSPC) | E(EINTR) },
	/* header DETACH: "Errors: EINVAL (...), EINTR (...), EFAULT (...)". */
	[R_DETACH] = { "DETACH", SHMDEMO_IOC_DETACH, sizeof(struct shmdemo_detach),
		       SHMDEMO_DETACH_SIZE_VER0, 0, true, ANY_REQUEST | E(EINTR) },
	/*
	 * header POPULATE: "Errors: EINVAL (...), EACCES, EOPNOTSUPP (a
	 * file-backed segment ...), ENOSPC (...), ENOMEM, EINTR".  The
	 * fuzzer's segments are memory-only: never EOPNOTSUPP.
	 */
	[R_POPULATE] = { "POPULATE", SHMDEMO_IOC_POPULATE, sizeof(struct shmdemo_populate),
			 SHMDEMO_POPULATE_SIZE_VER0, 0, true,
			 ANY_REQUEST | E(EACCES) | E(ENOSPC) | E(EINTR) },
	/* ioctl.c:231-232 "-ENOTTY for an unknown request", :275-276. */
	[R_OTHER] = { "neighbour", 0, 64, 8, 0, false, E(ENOTTY) },
};

static bool allowed(int r, int err)
{
	return err > 0 && err < 64 && (reqs[r].allowed & E(err));
}

/* The request the module takes @cmd for, or R_OTHER. */
static int request_of(unsigned long cmd)
{
	int r;

	for (r = 0; r < R_OTHER; r++)
		if (CMD_KEY(cmd) == CMD_KEY(reqs[r].cmd))
			return r;
	return R_OTHER;
}

/* SHMDEMO_IOC_DETACH of the attachment at @addr: 0 or -errno. */
static int detach_at(int fd, uint64_t addr)
{
	struct shmdemo_detach d = { .size = sizeof(d), .addr = addr };

	return shmdemo_ioctl(fd, SHMDEMO_IOC_DETACH, &d);
}

static const char *errname(int e)
{
	static const struct { int e; const char *name; } names[] = {
		{ 0, "ok" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" },
		{ EINTR, "EINTR" }, { EIO, "EIO" }, { ENXIO, "ENXIO" },
		{ E2BIG, "E2BIG" }, { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" },
		{ EINVAL, "EINVAL" }, { ENFILE, "ENFILE" }, { EMFILE, "EMFILE" },
		{ ENOTTY, "ENOTTY" }, { ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" },
		{ ENOSYS, "ENOSYS" }, { EIDRM, "EIDRM" }, { EOVERFLOW, "EOVERFLOW" },
		{ EOPNOTSUPP, "EOPNOTSUPP" },
	};
	static __thread char buf[16];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

/*
 * What a fuzzing child reports, in a shared mapping: a heartbeat per
 * thread for the watchdog, the errno histogram, failures, and the ids it
 * holds - GET gave them, its RMID has not removed them - for the cleanup.
 */
struct call_rec {
	unsigned long iter, cmd;
	uint32_t size;
	int layout;
};

struct results {
	unsigned long beat[2];		/* requests completed, per thread */
	int in_call[2];			/* both: __atomic, read by the watchdog */
	struct call_rec cur[2];		/* the request in flight */
	unsigned long iters;
	unsigned long hist[NREQ][MAX_ERRNO + 1];
	unsigned long nfail;
	char fail[MAX_FAILS][400];
	unsigned long extra[4];		/* per-test counters */
	unsigned long ids;		/* ids GET gave, in all */
	unsigned int ntracked;
	bool overflow;			/* tracked[] could not hold them all */
	int tracked[MAX_TRACKED];
};

static void __attribute__((format(printf, 2, 3)))
record_fail(struct results *res, const char *fmt, ...)
{
	unsigned long n = __atomic_fetch_add(&res->nfail, 1, __ATOMIC_RELAXED);
	va_list ap;

	if (n >= MAX_FAILS)
		return;
	va_start(ap, fmt);
	vsnprintf(res->fail[n], sizeof(res->fail[n]), fmt, ap);
	va_end(ap);
}

/* The ids a fuzzing child holds: a set, changed by its one thread. */
static void track(struct results *res, int id)
{
	unsigned int i;

	for (i = 0; i < res->ntracked; i++)
		if (res->tracked[i] == id)
			return;
	if (res->ntracked < MAX_TRACKED)
		res->tracked[res->ntracked++] = id;
	else
		res->overflow = true;
}

static void untrack(struct results *res, int id)
{
	unsigned int i;

	for (i = 0; i < res->ntracked; i++) {
		if (res->tracked[i] == id) {
			res->tracked[i] = res->tracked[--res->ntracked];
			return;
		}
	}
}

static void count(struct results *res, int r, int err)
{
	__atomic_add_fetch(&res->hist[r][err < MAX_ERRNO ? err : MAX_ERRNO], 1,
			   __ATOMIC_RELAXED);
}

/* Where arguments go: pages the module may read, write, or not touch. */
enum layout { L_GOOD, L_CROSS, L_RO, L_NULL, L_LOW, L_GUARD, L_KERNEL, L_HIGH };

static const char *const layout_names[] = {
	"good", "cross", "ro", "null", "unmapped", "guard", "kernel", "high",
};

struct arena {
	long pg;
	uint8_t *rw;		/* two pages, then a PROT_NONE guard page */
	uint8_t *guard;
	uint8_t *ro, *ro_w;	/* two memfd pages: a read-only and a writable view */
	int32_t *ids;		/* IDS_CAP entries, then a guard page */
	uint32_t *pages;	/* SHMDEMO_PAGES_MAX entries, then a guard page */
	uint8_t *save;		/* the input, as written before the call */
};

static void *map_guarded(size_t len, long pg)
{
	uint8_t *p = mmap(NULL, len + pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p, len, PROT_READ | PROT_WRITE)) {
		munmap(p, len + pg);
		return NULL;
	}
	return p;
}

/* A read-only view of @pages pages, a guard after it, and a writable view. */
static int map_views(size_t len, long pg, uint8_t **ro, uint8_t **rw)
{
	int mfd = memfd_create("shmdemo_fuzz", MFD_CLOEXEC);
	void *r;

	if (mfd < 0)
		return -1;
	r = mmap(NULL, len + pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ftruncate(mfd, len) || r == MAP_FAILED)
		goto out_close;
	*rw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	*ro = mmap(r, len, PROT_READ, MAP_SHARED | MAP_FIXED, mfd, 0);
	close(mfd);
	return *rw == MAP_FAILED || *ro == MAP_FAILED ? -1 : 0;
out_close:
	close(mfd);
	return -1;
}

static int arena_init(struct arena *a, long pg)
{
	a->pg = pg;
	a->rw = map_guarded(2 * pg, pg);
	a->ids = map_guarded(IDS_CAP * sizeof(*a->ids), pg);
	a->pages = map_guarded(SHMDEMO_PAGES_MAX * sizeof(*a->pages), pg);
	a->save = malloc(2 * pg);
	if (!a->rw || !a->ids || !a->pages || !a->save)
		return -1;
	a->guard = a->rw + 2 * pg;
	return map_views(2 * pg, pg, &a->ro, &a->ro_w);
}

/* A segment the fuzzer knows everything about, made by the test. */
struct anchor {
	int id, key;
	uint32_t mode;
	uint64_t bytes;
};

struct anchor_map {
	void *p;
	int fd;
};

/* One prepared request. */
struct call {
	int r;
	unsigned long cmd;
	int fd;
	bool fd_bound, fd_rdonly;
	int layout;
	size_t off;		/* GOOD: offset in rw; CROSS: bytes before the guard */
	uint8_t *w;		/* where the struct's bytes are (NULL: nowhere) */
	unsigned long arg;
	size_t readable, writable;
	uint32_t usize;
	size_t fill;		/* bytes of w written and saved */
	uint8_t s[STRUCT_ROOM] __attribute__((aligned(8)));	/* as generated */
	uint8_t eff[STRUCT_ROOM] __attribute__((aligned(8)));	/* as the module decodes it */
	/* LIST, PAGES: the array */
	int alayout;
	uint32_t *aw;		/* its writable view (GOOD, CROSS) */
	uint32_t aroom;		/* entries that fit there */
	uint32_t afill;		/* entries canary-filled */
};

struct fuzz {
	struct results *res;
	int slot;
	uint64_t rng;
	long pg;
	bool cap;		/* root: CAP_IPC_OWNER, CAP_SYS_ADMIN, CAP_IPC_LOCK */
	bool owns_anchors;	/* the fuzzing uid made the anchors */
	int fd;			/* O_RDWR, never bound */
	int bind_fd;		/* never bound yet */
	bool bind_rdonly;
	int bound_fd;		/* bound, for EBUSY; or -1 */
	void *maps[NMAPS];
	int pool[POOL_MAX], npool;
	int dead[NDEAD], ndead;
	struct anchor anchors[NANCHORS];
	int nanchors;
	double seconds;
	uint32_t max_segments;
	uint64_t max_seg_bytes;
	struct arena a;
	struct call c;
	unsigned long iter;
};

static uint64_t rnd(struct fuzz *f)
{
	return next_rand(&f->rng);
}

static const struct anchor *anchor_by_id(const struct fuzz *f, int id)
{
	int i;

	for (i = 0; i < f->nanchors; i++)
		if (f->anchors[i].id == id)
			return &f->anchors[i];
	return NULL;
}

static const struct anchor *anchor_by_key(const struct fuzz *f, int key)
{
	int i;

	for (i = 0; i < f->nanchors; i++)
		if (f->anchors[i].key == key)
			return &f->anchors[i];
	return NULL;
}

/* Like shmdemo_seg_perms(): may the fuzzing uid have @want's rwx on @an? */
static bool anchor_perm(const struct fuzz *f, const struct anchor *an, uint32_t want)
{
	uint32_t requested = ((want >> 6) | (want >> 3) | want) & 7;
	uint32_t granted = f->owns_anchors ? (an->mode >> 6) & 7 : an->mode & 7;

	return f->cap || !(requested & ~granted);
}

/* An id no segment can have: negative, or a slot past max_segments. */
static int impossible_id(struct fuzz *f)
{
	uint32_t slot;

	if (rnd(f) % 2 || f->max_segments >= SEQ_MULT)
		return (int)(rnd(f) | 0x80000000U);
	slot = f->max_segments + rnd(f) % (SEQ_MULT - f->max_segments);
	return (int)((rnd(f) % 65536) * SEQ_MULT + slot);
}

/*
 * A segment id to aim at.  Requests that change a segment (@destructive)
 * get only the fuzzer's own segments, ids no segment can have, and the
 * anchors when the fuzzing uid may not change them: never another user's
 * segment by chance.
 */
static int pick_id(struct fuzz *f, bool destructive)
{
	bool fair = !f->owns_anchors && !f->cap;
	uint32_t k = rnd(f) % 16;

	if (k < 8 && f->npool)
		return f->pool[rnd(f) % f->npool];
	if (k < 11 && (!destructive || fair))
		return f->anchors[rnd(f) % f->nanchors].id;
	if (k < 13 && f->ndead)
		return f->dead[rnd(f) % f->ndead];
	if (k < 14)
		return rnd(f) % 2 ? -1 : 0;
	if (!destructive)
		return (int)rnd(f);
	return impossible_id(f);
}

static uint64_t pick_bytes(struct fuzz *f)
{
	uint64_t pg = f->pg;

	switch (rnd(f) % 16) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return pg;
	case 3 ... 8:
		return 1 + rnd(f) % (8 * pg);
	case 9 ... 10:
		return 1 + rnd(f) % (64 * pg);
	case 11:
		return f->max_seg_bytes;
	case 12:
		return f->max_seg_bytes + 1;
	case 13:
		return UINT64_MAX;
	case 14:
		return 1ULL << 63;
	default:
		return rnd(f);
	}
}

static uint32_t pick_mode(struct fuzz *f)
{
	static const uint32_t modes[] = { 0600, 0644, 0666, 0400, 0, 0777 };
	uint32_t k = rnd(f) % 8;

	if (k < ARRAY_SIZE(modes))
		return modes[k];
	return k == 6 ? rnd(f) & 0777 : (uint32_t)rnd(f);
}

static uint32_t pick_uid(struct fuzz *f)
{
	switch (rnd(f) % 5) {
	case 0:
		return 0;
	case 1:
		return NOBODY;
	case 2:
		return geteuid();
	case 3:
		return UINT32_MAX;	/* invalid */
	default:
		return (uint32_t)rnd(f);
	}
}

static uint32_t pick_count(struct fuzz *f, uint32_t cap)
{
	switch (rnd(f) % 10) {
	case 0 ... 1:
		return 0;
	case 2 ... 4:
		return 1 + rnd(f) % 16;
	case 5:
		return cap;
	case 6:
		return rnd(f) % cap;
	case 7:
		return cap + 1;
	case 8:
		return UINT32_MAX;
	default:
		return (uint32_t)rnd(f);
	}
}

static int pick_alayout(struct fuzz *f)
{
	uint32_t k = rnd(f) % 20;

	if (k < 14)
		return L_GOOD;
	return L_CROSS + (k - 14);	/* CROSS, RO, NULL, LOW, GUARD, KERNEL */
}

/* LIST's or PAGES' array: its pointer, and what the module may write there. */
static uint64_t place_array(struct fuzz *f, struct call *c, uint32_t *base,
			    uint32_t cap, uint32_t n)
{
	uint32_t j;

	c->aw = NULL;
	c->aroom = c->afill = 0;
	c->alayout = pick_alayout(f);
	switch (c->alayout) {
	case L_GOOD:
		c->aw = base;
		c->aroom = cap;
		c->afill = MIN(MIN(n, FILL_MAX) + 16, cap);
		break;
	case L_CROSS:		/* j entries, then the guard page */
		j = rnd(f) % 9;
		c->aw = base + cap - j;
		c->aroom = c->afill = j;
		break;
	case L_RO:
		return (uintptr_t)f->a.ro;
	case L_NULL:
		return 0;
	case L_LOW:
		return LOW_PTR;
	case L_GUARD:
		return (uintptr_t)(base + cap);
	case L_KERNEL:
		return KERNEL_PTR;
	default:
		return HIGH_PTR;
	}
	memset(c->aw, CANARY, c->afill * sizeof(*c->aw));
	return (uintptr_t)c->aw;
}

static void gen_get(struct fuzz *f, struct call *c)
{
	struct shmdemo_get *g = (void *)c->s;
	uint32_t k = rnd(f) % 8;

	g->flags = SHMDEMO_GET_CREATE;
	if (k < 3) {
		g->key = SHMDEMO_KEY_PRIVATE;
	} else if (k < 6) {
		g->key = KEY_BASE + rnd(f) % KEY_FUZZ;
	} else if (k < 7) {
		g->key = f->anchors[rnd(f) % f->nanchors].key;
	} else {
		/* Any key: only creates, so what it finds is never another's. */
		g->key = (int)rnd(f);
		g->flags = SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL;
	}
	if (k < 7) {
		k = rnd(f) % 16;
		if (k >= 8)
			g->flags = k < 10 ? SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL :
				   k < 13 ? 0 : k < 14 ? SHMDEMO_GET_EXCL :
				   (1U << (2 + rnd(f) % 30)) | (rnd(f) & 3);
	}
	g->bytes = pick_bytes(f);
	g->mode = pick_mode(f);
	g->id = (int)rnd(f);
	g->__reserved = rnd(f) % 10 ? 0 : (uint32_t)rnd(f) | 1;
	/*
	 * FILE takes @fd: never one of ours (a real file would become a
	 * segment the fuzzer then writes into): none, or far past the open ones.
	 */
	if (g->flags & SHMDEMO_GET_FILE)
		g->fd = rnd(f) % 2 ? -1 : (int)(1000000 + rnd(f) % 1000);
}

static void gen_sync(struct fuzz *f, struct call *c)
{
	struct shmdemo_sync *sy = (void *)c->s;

	if (f->bound_fd >= 0 && rnd(f) % 2) {
		c->fd = f->bound_fd;
		c->fd_bound = true;
	}
	sy->flags = rnd(f) % 10 ? 0 : (uint32_t)rnd(f) | 1;
	sy->start = rnd(f) % 4 ? rnd(f) % (1 << 20) : rnd(f);
	sy->len = rnd(f) % 4 ? rnd(f) % (1 << 20) : rnd(f);
	sy->pages_written = rnd(f) % 10 ? 0 : rnd(f) | 1;
	sy->bytes_written = rnd(f) % 10 ? 0 : rnd(f);
}

/*
 * ATTACH: the kernel's address, one of ours (an overlap: EINVAL), or any
 * (NOREPLACE maps only where nothing is); sometimes unaligned.  REMAP with
 * an address would be MAP_FIXED over whatever is there - our own memory -
 * so tame() takes it off again after mutate().
 */
static void gen_attach(struct fuzz *f, struct call *c)
{
	struct shmdemo_attach *a = (void *)c->s;

	a->id = pick_id(f, false);
	a->flags = rnd(f) % 8 ? (uint32_t)(rnd(f) & SHMDEMO_ATTACH_FLAGS) : (uint32_t)rnd(f);
	a->__reserved = rnd(f) % 10 ? 0 : (uint32_t)rnd(f) | 1;
	a->bytes = rnd(f) % 10 ? 0 : rnd(f) | 1;
	switch (rnd(f) % 4) {
	case 0:
	case 1:
		a->addr = 0;
		break;
	case 2:
		a->addr = (uintptr_t)f->a.rw + (rnd(f) % 2 ? 0 : 1 + rnd(f) % (f->pg - 1));
		break;
	default:
		a->addr = rnd(f);
	}
}

/* DETACH: addresses where no attachment starts: ours, 0, unaligned, any. */
static void gen_detach(struct fuzz *f, struct call *c)
{
	struct shmdemo_detach *d = (void *)c->s;

	d->flags = rnd(f) % 10 ? 0 : (uint32_t)rnd(f) | 1;
	d->bytes = rnd(f) % 10 ? 0 : rnd(f) | 1;
	switch (rnd(f) % 3) {
	case 0:
		d->addr = (uintptr_t)f->a.rw + (rnd(f) % 2 ? 0 : 1);
		break;
	case 1:
		d->addr = 0;
		break;
	default:
		d->addr = rnd(f);
	}
}

/* POPULATE: flags, reserved and output words mostly zero; any range. */
static void gen_populate(struct fuzz *f, struct call *c)
{
	struct shmdemo_populate *p = (void *)c->s;

	p->id = pick_id(f, false);
	p->flags = rnd(f) % 10 ? 0 : (uint32_t)rnd(f) | 1;
	p->__reserved = rnd(f) % 10 ? 0 : (uint32_t)rnd(f) | 1;
	p->pages = rnd(f) % 10 ? 0 : rnd(f) | 1;
	p->start = rnd(f) % 4 ? rnd(f) % (64 * (uint64_t)f->pg) : rnd(f);
	p->len = rnd(f) % 3 ? rnd(f) % (64 * (uint64_t)f->pg) : rnd(f);
}

/* Never MAP_FIXED at an address of the fuzzer's choosing (see gen_attach()). */
static void tame(struct fuzz *f, struct call *c)
{
	struct shmdemo_attach *a = (void *)c->s;

	if (c->r == R_ATTACH && (a->flags & SHMDEMO_ATTACH_REMAP) &&
	    (a->addr & ~(uint64_t)(f->pg - 1)))
		a->flags &= ~SHMDEMO_ATTACH_REMAP;
}

static void gen_bind(struct fuzz *f, struct call *c)
{
	struct shmdemo_bind *b = (void *)c->s;

	b->id = pick_id(f, false);
	b->flags = rnd(f) % 10 ? (rnd(f) % 2 ? SHMDEMO_BIND_RDONLY : 0) :
		   (uint32_t)rnd(f) | 2;
	b->__reserved = rnd(f) % 10 ? 0 : (uint32_t)rnd(f) | 1;
	if (f->bound_fd >= 0 && rnd(f) % 8 == 0) {
		c->fd = f->bound_fd;
		c->fd_bound = true;
	} else {
		c->fd = f->bind_fd;
		c->fd_rdonly = f->bind_rdonly;
	}
}

static void gen_stat(struct fuzz *f, struct call *c)
{
	struct shmdemo_stat *st = (void *)c->s;
	size_t i;

	/* Every field but @id is output: garbage in them is no error. */
	if (rnd(f) % 2)
		for (i = 8; i < sizeof(*st); i++)
			c->s[i] = (uint8_t)rnd(f);
	st->id = pick_id(f, false);
}

static void gen_set(struct fuzz *f, struct call *c)
{
	struct shmdemo_set *s = (void *)c->s;

	s->id = pick_id(f, true);
	s->valid = rnd(f) % 8 ? rnd(f) & SHMDEMO_SET_VALID : (uint32_t)rnd(f) | 8;
	s->uid = pick_uid(f);
	s->gid = pick_uid(f);
	s->mode = pick_mode(f);
}

static void gen_id(struct fuzz *f, struct call *c)
{
	((struct shmdemo_id *)c->s)->id = pick_id(f, true);
}

static void gen_resize(struct fuzz *f, struct call *c)
{
	struct shmdemo_resize *rs = (void *)c->s;

	rs->id = pick_id(f, true);
	rs->bytes = pick_bytes(f);
}

static void gen_info(struct fuzz *f, struct call *c)
{
	size_t i;

	if (rnd(f) % 2)
		for (i = 4; i < sizeof(struct shmdemo_info); i++)
			c->s[i] = (uint8_t)rnd(f);
}

static void gen_list(struct fuzz *f, struct call *c)
{
	struct shmdemo_list *l = (void *)c->s;

	l->count = pick_count(f, IDS_CAP);
	l->ids_ptr = place_array(f, c, (uint32_t *)f->a.ids, IDS_CAP, l->count);
}

static void gen_pages(struct fuzz *f, struct call *c)
{
	struct shmdemo_pages *p = (void *)c->s;

	p->id = rnd(f) % 2 ? f->anchors[rnd(f) % f->nanchors].id : pick_id(f, false);
	switch (rnd(f) % 10) {
	case 0 ... 3:
		p->start = 0;
		break;
	case 4 ... 6:
		p->start = rnd(f) % (ANCHOR_PAGES + 2);
		break;
	case 7:
		p->start = UINT64_MAX;
		break;
	case 8:
		p->start = 1ULL << 40;
		break;
	default:
		p->start = rnd(f);
	}
	p->count = pick_count(f, SHMDEMO_PAGES_MAX);
	p->__reserved = rnd(f) % 10 ? 0 : (uint32_t)rnd(f) | 1;
	p->pages_ptr = place_array(f, c, f->a.pages, SHMDEMO_PAGES_MAX, p->count);
}

/* A number next to the real ones that the module must not take for one. */
static unsigned long gen_other_cmd(struct fuzz *f)
{
	static const unsigned int magics[] = { 0xb5, 0xb7, 0xa5, 0x36 };
	static const unsigned int nrs[] = { 0x00, 0x11, 0x12, 0x13, 0x14 };
	unsigned int magic, nr, dir;
	unsigned long cmd;

	do {
		magic = SHMDEMO_IOC_MAGIC;
		dir = rnd(f) % 4;
		switch (rnd(f) % 4) {
		case 0:
			nr = nrs[rnd(f) % ARRAY_SIZE(nrs)];
			break;
		case 1:		/* a real number: the wrong direction */
			nr = 1 + rnd(f) % 0x10;
			break;
		case 2:
			magic = magics[rnd(f) % ARRAY_SIZE(magics)];
			nr = rnd(f) % 0x14;
			break;
		default:
			nr = 0x14 + rnd(f) % 0xec;
		}
		cmd = _IOC(dir, magic, nr, (unsigned int)(rnd(f) & _IOC_SIZEMASK));
	} while (request_of(cmd) != R_OTHER);
	return cmd;
}

static void gen_other(struct fuzz *f, struct call *c)
{
	size_t i;

	c->cmd = gen_other_cmd(f);
	for (i = 4; i < 64; i++)
		c->s[i] = (uint8_t)rnd(f);
}

static void (*const gens[NREQ])(struct fuzz *f, struct call *c) = {
	[R_GET] = gen_get, [R_BIND] = gen_bind, [R_STAT] = gen_stat,
	[R_STAT_ANY] = gen_stat, [R_SET] = gen_set, [R_RMID] = gen_id,
	[R_RESIZE] = gen_resize, [R_INFO] = gen_info, [R_INFO_IOR] = gen_info,
	[R_LIST] = gen_list, [R_PAGES] = gen_pages, [R_LOCK] = gen_id,
	[R_UNLOCK] = gen_id, [R_SYNC] = gen_sync, [R_ATTACH] = gen_attach,
	[R_DETACH] = gen_detach, [R_POPULATE] = gen_populate, [R_OTHER] = gen_other,
};

/* Random bytes over some fields (never a pointer: it would aim at our memory). */
static void mutate(struct fuzz *f, struct call *c)
{
	const struct req_desc *d = &reqs[c->r];
	uint32_t k = rnd(f) % 16, x, words = d->ksize / 4;

	if (k > 1)
		return;
	for (x = 1; x < words; x++) {
		if (d->ptr_off && (x == d->ptr_off / 4 || x == d->ptr_off / 4 + 1))
			continue;
		if (k == 0 || x == 1 + rnd(f) % (words - 1)) {
			uint32_t v = (uint32_t)rnd(f);

			memcpy(c->s + 4 * x, &v, 4);
		}
	}
}

enum { TAIL_ZERO, TAIL_NONZERO };

static uint32_t pick_size(struct fuzz *f, const struct req_desc *d, int *tail)
{
	uint32_t k = rnd(f) % 32;

	*tail = TAIL_ZERO;
	if (k < 1)
		return 0;
	if (k < 3)					/* short */
		return 1 + rnd(f) % (d->ver0 - 1);
	if (k < 20)					/* exactly VER0 .. sizeof */
		return d->ver0 + rnd(f) % 2 * (rnd(f) % (d->ksize - d->ver0 + 1));
	if (k < 23)					/* longer, zero tail */
		return d->ksize + 1 + rnd(f) % 64;
	if (k < 24)
		return f->pg;
	if (k < 27) {					/* longer, non-zero tail */
		*tail = TAIL_NONZERO;
		return rnd(f) % 2 ? d->ksize + 1 + rnd(f) % 64 : (uint64_t)f->pg;
	}
	if (k < 28)
		return f->pg + 1;
	if (k < 29)
		return 1 << 20;
	if (k < 30)
		return UINT32_MAX;
	return (uint32_t)rnd(f);
}

static int pick_layout(struct fuzz *f, const struct req_desc *d, size_t *off)
{
	uint32_t k = rnd(f) % 32;

	*off = 0;
	if (k < 24) {
		if (k < 6)
			*off = 1 + rnd(f) % 15;		/* unaligned */
		return L_GOOD;
	}
	if (k < 26) {
		*off = 4 + rnd(f) % (d->ksize + 12);	/* the size field readable */
		return L_CROSS;
	}
	if (k < 28)
		return L_RO;
	if (k < 31)
		return L_NULL + (k - 28);		/* NULL, LOW, GUARD */
	return rnd(f) % 2 ? L_KERNEL : L_HIGH;
}

/* Write the struct where the layout says, canary bytes after it, and save it. */
static void place(struct fuzz *f, struct call *c, int tail)
{
	const struct req_desc *d = &reqs[c->r];
	struct arena *a = &f->a;
	size_t avail = 0, head, tail_end, end, x;
	uint8_t *w = NULL;

	c->readable = c->writable = 0;
	switch (c->layout) {
	case L_GOOD:
		w = a->rw + c->off;
		avail = c->readable = c->writable = 2 * a->pg - c->off;
		c->arg = (uintptr_t)w;
		break;
	case L_CROSS:
		w = a->guard - c->off;
		avail = c->readable = c->writable = c->off;
		c->arg = (uintptr_t)w;
		break;
	case L_RO:
		w = a->ro_w;
		avail = c->readable = 2 * a->pg;
		c->arg = (uintptr_t)a->ro;
		break;
	case L_NULL:
		c->arg = 0;
		break;
	case L_LOW:
		c->arg = LOW_PTR;
		break;
	case L_GUARD:
		c->arg = (uintptr_t)a->guard;
		break;
	case L_KERNEL:
		c->arg = KERNEL_PTR;
		break;
	default:
		c->arg = HIGH_PTR;
	}
	c->w = w;
	c->fill = 0;
	if (!w)
		return;
	head = MIN(c->usize, d->ksize);
	/* The module never reads past PAGE_SIZE: no tail needed beyond it. */
	tail_end = c->usize > d->ksize ? MIN(c->usize, (uint32_t)a->pg) : head;
	end = MIN(avail, (tail_end > d->ksize ? tail_end : d->ksize) + 64);
	memset(w, CANARY, end);
	memcpy(w, c->s, MIN(head > 4 ? head : 4, end));
	if (tail_end > d->ksize && end > d->ksize) {
		size_t tend = MIN(tail_end, end);

		memset(w + d->ksize, 0, tend - d->ksize);
		if (tail == TAIL_NONZERO) {
			if (rnd(f) % 2)
				w[d->ksize + rnd(f) % (tend - d->ksize)] = 1 + rnd(f) % 255;
			else
				for (x = d->ksize; x < tend; x++)
					w[x] = (uint8_t)rnd(f);
		}
	}
	c->fill = end;
	memcpy(a->save, w, end);
	/* What the module decodes: the bytes it reads, zero-extended. */
	memset(c->eff, 0, sizeof(c->eff));
	memcpy(c->eff, w, MIN(head, end));
}

enum { PRED_ANY, PRED_FAIL, PRED_EXACT };

struct pred {
	int kind, err;
	const char *why;
};

static struct pred exact(int err, const char *why)
{
	return (struct pred){ PRED_EXACT, err, why };
}

static struct pred must_fail(const char *why)
{
	return (struct pred){ PRED_FAIL, 0, why };
}

static const struct pred any_result = { PRED_ANY, 0, "" };

static int32_t eff_id(const struct call *c)
{
	int32_t id;

	memcpy(&id, c->eff + 4, sizeof(id));
	return id;
}

/* After the decoding: what the request itself must answer. */
static struct pred predict_request(const struct fuzz *f, const struct call *c)
{
	uint32_t head = MIN(c->usize, reqs[c->r].ksize);
	bool wb = c->writable >= head;
	const struct anchor *an;

	switch (c->r) {
	case R_GET: {
		const struct shmdemo_get *g = (const void *)c->eff;

		if ((g->flags & ~SHMDEMO_GET_FLAGS) || (g->mode & ~0777U))
			return exact(EINVAL, "unknown flag or mode bit");
		/* header GET: @fd with FILE only, FILE only for a creation */
		if ((g->flags & SHMDEMO_GET_FILE) && !(g->flags & SHMDEMO_GET_CREATE) &&
		    g->key != SHMDEMO_KEY_PRIVATE)
			return exact(EINVAL, "FILE without CREATE");
		if (!(g->flags & SHMDEMO_GET_FILE) && g->__reserved)
			return exact(EINVAL, "__reserved set without FILE");
		if (!wb)
			return exact(EFAULT, "a struct that can't be written back");
		an = g->key == SHMDEMO_KEY_PRIVATE ? NULL : anchor_by_key(f, g->key);
		if (!an)
			return any_result;
		if ((g->flags & SHMDEMO_GET_CREATE) && (g->flags & SHMDEMO_GET_EXCL))
			return exact(EEXIST, "CREATE|EXCL on an anchor's key");
		if (g->bytes > an->bytes)
			return exact(EINVAL, "more bytes than the anchor has");
		return exact(anchor_perm(f, an, g->mode & 0777) ? 0 : EACCES,
			     "an anchor's key, mode checked");
	}
	case R_BIND: {
		const struct shmdemo_bind *b = (const void *)c->eff;
		bool rdonly = (b->flags & SHMDEMO_BIND_RDONLY) || c->fd_rdonly;

		if ((b->flags & ~SHMDEMO_BIND_FLAGS) || b->__reserved)
			return exact(EINVAL, "unknown flag or __reserved set");
		if (c->fd_bound)
			return exact(EBUSY, "a file binds once");
		an = anchor_by_id(f, b->id);
		if (!an)
			return any_result;
		return exact(anchor_perm(f, an, rdonly ? 0444 : 0666) ? 0 : EACCES,
			     "an anchor, permission checked");
	}
	case R_STAT:
	case R_STAT_ANY:
		an = anchor_by_id(f, eff_id(c));
		if (!an)
			return wb ? any_result : must_fail("a struct that can't be written back");
		if (c->r == R_STAT && !anchor_perm(f, an, 0444))
			return exact(EACCES, "an anchor without read permission");
		return exact(wb ? 0 : EFAULT, "an anchor");
	case R_SET: {
		const struct shmdemo_set *s = (const void *)c->eff;

		if (s->valid & ~SHMDEMO_SET_VALID)
			return exact(EINVAL, "unknown valid bit");
		if (s->__reserved)
			return exact(EINVAL, "__reserved set");
		if ((s->valid & SHMDEMO_SET_FAULT_AROUND) && c->usize < SHMDEMO_SET_SIZE_VER1)
			return exact(EINVAL, "FAULT_AROUND in a VER0 struct");
	}
		/* fallthrough */
	case R_RMID:
	case R_RESIZE:
	case R_LOCK:
	case R_UNLOCK:
		an = anchor_by_id(f, eff_id(c));
		if (an && !f->owns_anchors && !f->cap)
			return exact(EPERM, "another user's anchor");
		return any_result;
	case R_INFO:
	case R_INFO_IOR:
		return exact(wb ? 0 : EFAULT, "INFO");
	case R_LIST: {
		const struct shmdemo_list *l = (const void *)c->eff;

		/* The anchors exist: that many ids at least must be stored. */
		if (MIN(l->count, (uint32_t)f->nanchors) > c->aroom)
			return exact(EFAULT, "ids_ptr can't hold the ids");
		if (l->count > c->aroom)
			return wb ? any_result : must_fail("a struct that can't be written back");
		return exact(wb ? 0 : EFAULT, "LIST into room enough");
	}
	case R_PAGES: {
		const struct shmdemo_pages *p = (const void *)c->eff;
		uint64_t np, n;

		if (p->__reserved || p->count > SHMDEMO_PAGES_MAX)
			return exact(EINVAL, "__reserved set or count over SHMDEMO_PAGES_MAX");
		an = anchor_by_id(f, p->id);
		if (!an)
			return wb ? any_result : must_fail("a struct that can't be written back");
		if (!anchor_perm(f, an, 0444))
			return exact(EACCES, "an anchor without read permission");
		np = an->bytes / f->pg;
		n = p->start >= np ? 0 : MIN((uint64_t)p->count, np - p->start);
		if (n > c->aroom)
			return exact(EFAULT, "pages_ptr can't hold the entries");
		return exact(wb ? 0 : EFAULT, "an anchor");
	}
	case R_ATTACH: {
		const struct shmdemo_attach *a = (const void *)c->eff;
		bool rdonly = a->flags & SHMDEMO_ATTACH_RDONLY;

		if ((a->flags & ~SHMDEMO_ATTACH_FLAGS) || a->__reserved || a->bytes)
			return exact(EINVAL, "unknown flag, __reserved or bytes set");
		if ((a->addr & (f->pg - 1)) && !(a->flags & SHMDEMO_ATTACH_RND))
			return exact(EINVAL, "an unaligned address without RND");
		if ((a->flags & SHMDEMO_ATTACH_REMAP) && !(a->addr & ~(uint64_t)(f->pg - 1)))
			return exact(EINVAL, "REMAP without an address");
		an = anchor_by_id(f, a->id);
		/* Our own pages are there: an overlap, unless the anchor is refused first. */
		if (an && a->addr && (a->addr & ~(uint64_t)(f->pg - 1)) == (uintptr_t)f->a.rw)
			return anchor_perm(f, an, rdonly ? 0444 : 0666) ?
			       exact(EINVAL, "an address we map") : must_fail("an anchor refused");
		if (!an || a->addr)
			return wb ? any_result : must_fail("a struct that can't be written back");
		if (!anchor_perm(f, an, (rdonly ? 0444 : 0666) |
				 (a->flags & SHMDEMO_ATTACH_EXEC ? 0111 : 0)))
			return exact(EACCES, "an anchor, permission checked");
		return exact(wb ? 0 : EFAULT, "an anchor at the kernel's address");
	}
	case R_POPULATE: {
		const struct shmdemo_populate *p = (const void *)c->eff;

		if (p->flags || p->__reserved || p->pages)
			return exact(EINVAL, "flags, __reserved or pages set");
		an = anchor_by_id(f, p->id);
		if (!an)
			return wb ? any_result : must_fail("a struct that can't be written back");
		if (!anchor_perm(f, an, 0444))
			return exact(EACCES, "an anchor without read permission");
		if (p->start / f->pg >= (an->bytes + f->pg - 1) / f->pg)
			return exact(EINVAL, "start past the anchor's end");
		return exact(wb ? 0 : EFAULT, "an anchor");
	}
	case R_DETACH: {
		const struct shmdemo_detach *d = (const void *)c->eff;

		if (d->flags || d->bytes)
			return exact(EINVAL, "flags or bytes set");
		return exact(EINVAL, "no attachment starts there");
	}
	}
	return any_result;
}

/* The decoding rules of shmdemo_copy_in() and copy_struct_from_user(). */
static struct pred predict(const struct fuzz *f, const struct call *c)
{
	const struct req_desc *d = &reqs[c->r];
	size_t x, end;

	if (c->r == R_OTHER)
		return exact(ENOTTY, "not a request");
	if (c->readable < 4)
		return exact(EFAULT, "size field unreadable");
	if (c->usize < d->ver0)
		return exact(EINVAL, "size below VER0");
	if (c->usize > (uint32_t)f->pg)
		return exact(E2BIG, "size above PAGE_SIZE");
	if (c->usize > d->ksize) {
		if (c->readable <= d->ksize)
			return exact(EFAULT, "tail unreadable");
		end = MIN(c->readable, (size_t)c->usize);
		for (x = d->ksize; x < end; x++)
			if (c->w[x])
				return exact(E2BIG, "a non-zero byte past the struct");
		if (c->readable < c->usize)
			return exact(EFAULT, "tail crosses into an unmapped page");
	}
	if (c->readable < MIN(c->usize, d->ksize))
		return exact(EFAULT, "struct crosses into an unmapped page");
	return predict_request(f, c);
}

static void __attribute__((format(printf, 3, 4)))
fail_call(struct fuzz *f, const struct call *c, const char *fmt, ...)
{
	char msg[200], hex[2 * 40 + 1] = "";
	size_t i, n = MIN(c->fill, (size_t)40);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", f->a.save[i]);
	record_fail(f->res, "#%lu %s cmd %#lx size %u arg %s%+zd: %s; input %s",
		    f->iter, reqs[c->r].name, c->cmd, c->usize, layout_names[c->layout],
		    c->layout == L_CROSS ? -(ssize_t)c->off : (ssize_t)c->off, msg, hex);
}

static bool unchanged(struct fuzz *f, const struct call *c, size_t from, size_t to,
		      const char *what)
{
	size_t x;

	for (x = from; x < to && x < c->fill; x++) {
		if (c->w[x] != f->a.save[x]) {
			fail_call(f, c, "%s: byte %zu is %#x, was %#x", what, x,
				  c->w[x], f->a.save[x]);
			return false;
		}
	}
	return true;
}

static void check_array_canary(struct fuzz *f, const struct call *c, uint32_t from)
{
	uint32_t i;

	for (i = from; i < c->afill; i++) {
		if (c->aw[i] != CANARY32) {
			fail_call(f, c, "entry %u past those returned was written (%#x)",
				  i, c->aw[i]);
			return;
		}
	}
}

static void check_list(struct fuzz *f, const struct call *c)
{
	const struct shmdemo_list *in = (const void *)c->eff;
	struct shmdemo_list out;
	uint32_t i, stored;
	int a;

	memcpy(&out, c->w, sizeof(out));
	if (out.ids_ptr != in->ids_ptr)
		fail_call(f, c, "ids_ptr came back changed");
	if (out.count < (uint32_t)f->nanchors)
		fail_call(f, c, "count %u, but %d anchors exist", out.count, f->nanchors);
	stored = MIN(in->count, out.count);
	if (!c->aw)
		return;
	for (i = 0; i < stored && i < c->aroom; i++) {
		if ((int32_t)c->aw[i] < 0 || (i && (int32_t)c->aw[i] <= (int32_t)c->aw[i - 1])) {
			fail_call(f, c, "ids not in ascending order at %u: %d", i, c->aw[i]);
			return;
		}
	}
	for (a = 0; stored == out.count && a < f->nanchors; a++) {
		for (i = 0; i < stored && c->aw[i] != (uint32_t)f->anchors[a].id; i++)
			;
		if (i == stored)
			fail_call(f, c, "anchor %d missing from the list", f->anchors[a].id);
	}
	check_array_canary(f, c, stored);
}

static void check_pages(struct fuzz *f, const struct call *c)
{
	const struct shmdemo_pages *in = (const void *)c->eff;
	const struct anchor *an = anchor_by_id(f, in->id);
	struct shmdemo_pages out;
	uint64_t np;
	uint32_t i, v;

	memcpy(&out, c->w, sizeof(out));
	if (out.id != in->id || out.start != in->start || out.pages_ptr != in->pages_ptr ||
	    out.__reserved)
		fail_call(f, c, "id, start, pages_ptr or __reserved came back changed");
	if (out.count > in->count)
		fail_call(f, c, "count %u, more than the %u asked for", out.count, in->count);
	if (an) {
		np = an->bytes / f->pg;
		if (out.count != (in->start >= np ? 0 : MIN((uint64_t)in->count, np - in->start)))
			fail_call(f, c, "count %u for an anchor of %llu pages",
				  out.count, (unsigned long long)np);
	}
	if (!c->aw)
		return;
	for (i = 0; i < out.count && i < c->aroom; i++) {
		v = c->aw[i];
		/*
		 * A memory-only page is resident, dirty or part of a 2 MiB
		 * folio (an anchor POPULATE or ATTACH|POPULATE filled); the
		 * other bits below 16 are not its; not resident, no state.
		 */
		if ((v & 0xffff & ~(SHMDEMO_PAGE_RESIDENT | SHMDEMO_PAGE_DIRTY | SHMDEMO_PAGE_PMD)) ||
		    (v && !(v & SHMDEMO_PAGE_RESIDENT))) {
			fail_call(f, c, "entry %u is %#x", i, v);
			return;
		}
		if (an && in->start + i < ANCHOR_TOUCHED && !(v & SHMDEMO_PAGE_RESIDENT)) {
			fail_call(f, c, "anchor page %llu not resident",
				  (unsigned long long)(in->start + i));
			return;
		}
	}
	check_array_canary(f, c, out.count);
}

/* A success that writes back: only what it may write, and no kernel bytes. */
static void check_output(struct fuzz *f, const struct call *c)
{
	uint32_t head = MIN(c->usize, reqs[c->r].ksize);
	const struct anchor *an;

	unchanged(f, c, head, c->fill, "wrote past min(size, sizeof)");
	unchanged(f, c, 0, 4, "size field changed");
	switch (c->r) {
	case R_GET: {
		int32_t id;

		unchanged(f, c, 4, offsetof(struct shmdemo_get, id), "GET changed an input field");
		unchanged(f, c, offsetof(struct shmdemo_get, __reserved), head,
			  "GET changed __reserved");
		memcpy(&id, c->w + offsetof(struct shmdemo_get, id), sizeof(id));
		if (id < 0)
			fail_call(f, c, "id %d", id);
		break;
	}
	case R_STAT:
	case R_STAT_ANY: {
		struct shmdemo_stat st;
		static const struct shmdemo_file_counters none;

		/* Only what was written back is there (VER0: no @file). */
		memset(&st, 0, sizeof(st));
		memcpy(&st, c->w, head);
		/* The fuzzer's segments are memory-only: no file counters. */
		if (memcmp(&st.file, &none, sizeof(none)))
			fail_call(f, c, "file counters of a memory-only segment");
		if (st.id != eff_id(c) || st.__pad ||
		    (st.flags & ~(SHMDEMO_SEG_DEST | SHMDEMO_SEG_LOCKED)) || (st.mode & ~0777U))
			fail_call(f, c, "id %d, __pad %#x, flags %#x, mode %#o",
				  st.id, st.__pad, st.flags, st.mode);
		f->res->extra[1] += !!(st.flags & SHMDEMO_SEG_DEST);
		an = anchor_by_id(f, st.id);
		if (an && (st.bytes != an->bytes || st.key != an->key || st.mode != an->mode ||
			   (st.flags & SHMDEMO_SEG_DEST) ||
			   st.counters.pages_resident < ANCHOR_TOUCHED))
			fail_call(f, c, "anchor: bytes %llu key %#x mode %#o flags %#x resident %llu",
				  (unsigned long long)st.bytes, st.key, st.mode, st.flags,
				  (unsigned long long)st.counters.pages_resident);
		break;
	}
	case R_INFO:
	case R_INFO_IOR: {
		struct shmdemo_info info;

		memset(&info, 0, sizeof(info));
		memcpy(&info, c->w, head);
		if (info.__pad || info.segments < (uint32_t)f->nanchors || !info.max_segments)
			fail_call(f, c, "__pad %#x, segments %u, max_segments %u",
				  info.__pad, info.segments, info.max_segments);
		break;
	}
	case R_LIST:
		check_list(f, c);
		break;
	case R_PAGES:
		check_pages(f, c);
		break;
	case R_ATTACH: {
		struct shmdemo_attach out;

		memset(&out, 0, sizeof(out));
		memcpy(&out, c->w, head);
		unchanged(f, c, 4, offsetof(struct shmdemo_attach, addr),
			  "ATTACH changed an input field");
		an = anchor_by_id(f, out.id);
		if (!out.addr || out.addr % f->pg || !out.bytes || (an && out.bytes != an->bytes))
			fail_call(f, c, "attached at %#llx, %llu bytes",
				  (unsigned long long)out.addr, (unsigned long long)out.bytes);
		break;
	}
	}
}

static void check(struct fuzz *f, const struct call *c, const struct pred *p, int err)
{
	const struct req_desc *d = &reqs[c->r];

	if (err && !allowed(c->r, err))
		fail_call(f, c, "%s, which %s does not document", errname(err), d->name);
	else if (p->kind == PRED_EXACT && err != p->err && err != ENOMEM)
		fail_call(f, c, "%s, expected %s: %s", errname(err), errname(p->err), p->why);
	else if (p->kind == PRED_FAIL && !err)
		fail_call(f, c, "succeeded, expected a failure: %s", p->why);
	if (!c->w)
		return;
	if (err)
		unchanged(f, c, 0, c->fill, "a failed request changed its struct");
	else if (d->writes_back)
		check_output(f, c);
	else
		unchanged(f, c, 0, c->fill, "a request without output changed its struct");
}

/* Every ioctl of a fuzzing child goes through here: the watchdog sees it. */
static int watched_ioctl(struct results *res, int slot, unsigned long iter, int fd,
			 unsigned long cmd, unsigned long arg, uint32_t size, int layout)
{
	int err;

	res->cur[slot] = (struct call_rec){ iter, cmd, size, layout };
	__atomic_store_n(&res->in_call[slot], 1, __ATOMIC_RELEASE);
	err = ioctl(fd, cmd, arg) < 0 ? errno : 0;
	__atomic_store_n(&res->beat[slot], res->beat[slot] + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&res->in_call[slot], 0, __ATOMIC_RELEASE);
	return err;
}

static int reopen_bind_fd(struct fuzz *f)
{
	static const int modes[] = { O_RDWR, O_RDWR, O_RDONLY, O_WRONLY };
	int mode = modes[rnd(f) % ARRAY_SIZE(modes)];

	f->bind_fd = shmdemo_open(mode);
	f->bind_rdonly = mode == O_RDONLY;
	return f->bind_fd < 0 ? f->bind_fd : 0;
}

/*
 * bind_fd got bound: sometimes map it (a segment with nattch > 0 stays
 * reachable after RMID), keep it for EBUSY, and open a fresh one.
 */
static void rotate_bind_fd(struct fuzz *f)
{
	int slot = rnd(f) % NMAPS;
	volatile char *p;

	if (rnd(f) % 2) {
		if (f->maps[slot])
			munmap(f->maps[slot], f->pg);
		p = mmap(NULL, f->pg, PROT_READ, MAP_SHARED, f->bind_fd, 0);
		f->maps[slot] = p == MAP_FAILED ? NULL : (void *)p;
		if (f->maps[slot]) {
			(void)p[0];	/* page 0 exists: sizes are >= 1 */
			f->res->extra[0]++;
		}
	}
	if (f->bound_fd >= 0)
		close(f->bound_fd);
	f->bound_fd = f->bind_fd;
	if (reopen_bind_fd(f))
		record_fail(f->res, "reopening %s: %s", SHMDEMO_DEVICE, strerror(-f->bind_fd));
}

static void pool_del(struct fuzz *f, int id)
{
	int i;

	for (i = 0; i < f->npool; i++) {
		if (f->pool[i] == id) {
			f->pool[i] = f->pool[--f->npool];
			if (f->ndead < NDEAD)
				f->dead[f->ndead++] = id;
			else
				f->dead[rnd(f) % NDEAD] = id;
			return;
		}
	}
}

static void pool_add(struct fuzz *f, int id)
{
	struct shmdemo_id r = { .size = sizeof(r) };
	int i, err;

	for (i = 0; i < f->npool; i++)
		if (f->pool[i] == id)
			return;
	if (f->npool == POOL_MAX) {	/* make room: remove one */
		r.id = f->pool[rnd(f) % f->npool];
		err = watched_ioctl(f->res, f->slot, f->iter, f->fd, SHMDEMO_IOC_RMID,
				    (uintptr_t)&r, r.size, L_GOOD);
		count(f->res, R_RMID, err);
		if (err && !allowed(R_RMID, err))
			record_fail(f->res, "RMID of pool segment %d: %s", r.id, errname(err));
		pool_del(f, r.id);
		if (!err)
			untrack(f->res, r.id);
	}
	f->pool[f->npool++] = id;
}

static void account(struct fuzz *f, const struct call *c, int err)
{
	const struct shmdemo_get *g = (const void *)c->eff;
	int32_t id;

	count(f->res, c->r, err);
	if (err)
		return;
	switch (c->r) {
	case R_GET:
		if (!c->w)	/* a success with nowhere to write: reported */
			break;
		memcpy(&id, c->w + offsetof(struct shmdemo_get, id), sizeof(id));
		if (anchor_by_id(f, id))
			break;
		f->res->ids++;
		track(f->res, id);
		/* Aim only at segments that are surely ours. */
		if (g->key == SHMDEMO_KEY_PRIVATE || (g->key >= KEY_BASE && g->key < KEY_END) ||
		    (g->flags & SHMDEMO_GET_EXCL))
			pool_add(f, id);
		break;
	case R_RMID:		/* gone once the child's mappings are */
		pool_del(f, eff_id(c));
		untrack(f->res, eff_id(c));
		break;
	case R_BIND:
		if (c->fd == f->bind_fd)
			rotate_bind_fd(f);
		break;
	case R_ATTACH: {	/* mapped where nothing was: ours to unmap */
		struct shmdemo_attach out;

		if (!c->w)
			break;
		memcpy(&out, c->w, sizeof(out));
		f->res->extra[2]++;
		if (detach_at(f->fd, out.addr))
			fail_call(f, c, "DETACH of the attachment at %#llx failed",
				  (unsigned long long)out.addr);
		break;
	}
	}
}

static void fuzz_one(struct fuzz *f)
{
	struct call *c = &f->c;
	const struct req_desc *d;
	struct pred p;
	int tail, err;

	memset(c, 0, sizeof(*c));
	c->r = rnd(f) % (NREQ + 1);
	if (c->r >= NREQ)
		c->r = R_OTHER;			/* neighbours: 2 draws in 15 */
	d = &reqs[c->r];
	c->cmd = d->cmd;
	c->fd = f->fd;
	memset(c->s, CANARY, sizeof(c->s));
	gens[c->r](f, c);
	/* The size in the number is not looked at (ioctl.c:21-22). */
	if (c->r != R_OTHER && rnd(f) % 16 == 0)
		c->cmd = CMD_KEY(c->cmd) |
			 ((rnd(f) & _IOC_SIZEMASK) << _IOC_SIZESHIFT);
	mutate(f, c);
	tame(f, c);
	c->usize = pick_size(f, d, &tail);
	memcpy(c->s, &c->usize, sizeof(c->usize));
	c->layout = pick_layout(f, d, &c->off);
	place(f, c, tail);
	p = predict(f, c);
	err = watched_ioctl(f->res, f->slot, f->iter, c->fd, c->cmd, c->arg,
			    c->usize, c->layout);
	check(f, c, &p, err);
	account(f, c, err);
}

static int fuzz_main(void *arg)
{
	struct fuzz *f = arg;
	struct shmdemo_info info;
	double end;

	if (arena_init(&f->a, f->pg))
		return 90;
	f->fd = shmdemo_open(O_RDWR);
	f->bound_fd = -1;
	if (f->fd < 0 || reopen_bind_fd(f))
		return 91;
	if (shmdemo_info(f->fd, &info))
		return 92;
	f->max_segments = info.max_segments;
	f->max_seg_bytes = info.max_seg_bytes;
	end = shmdemo_now() + f->seconds;
	for (f->iter = 0; (f->iter & 15) || shmdemo_now() < end; f->iter++) {
		fuzz_one(f);
		f->res->iters = f->iter + 1;
	}
	return 0;
}

/* Fork @fn(@arg), as @uid/@gid when uid >= 0 (as shmdemo_run_child() does). */
static pid_t start_child(int (*fn)(void *arg), void *arg, int uid)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	if (uid >= 0 && (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
			 setresuid(uid, uid, uid)))
		_exit(99);
	prctl(PR_SET_PDEATHSIG, SIGKILL);	/* after setresuid(), which clears it */
	_exit(fn(arg));
}

/*
 * Wait for the fuzzing child, at most @limit seconds plus HANG_SECS; a
 * request that doesn't return within HANG_SECS is a hang.  Either way the
 * child is killed and, if it is stuck in the kernel, left behind: the
 * suite goes on.  True if it exited 0.
 */
static bool watch(struct __test_metadata *_metadata, struct results *res, pid_t pid,
		  double limit)
{
	unsigned long beat[2] = { ~0UL, ~0UL };
	double start = shmdemo_now(), since[2] = { start, start }, t;
	bool hung = false;
	int status = 0, i;
	pid_t ret;

	while ((ret = waitpid(pid, &status, WNOHANG)) == 0) {
		usleep(20000);
		t = shmdemo_now();
		for (i = 0; i < 2; i++) {
			int in = __atomic_load_n(&res->in_call[i], __ATOMIC_ACQUIRE);
			unsigned long b = __atomic_load_n(&res->beat[i], __ATOMIC_ACQUIRE);

			/* One call: in_call with the same count of completed ones. */
			if (!in || b != beat[i]) {
				beat[i] = in ? b : ~0UL;
				since[i] = t;
			} else if (t - since[i] > HANG_SECS) {
				struct call_rec cr = res->cur[i];

				TH_LOG("hang: %s (cmd %#lx, size %u, arg %s, request #%lu) did not return in %d s",
				       reqs[request_of(cr.cmd)].name, cr.cmd, cr.size,
				       layout_names[cr.layout], cr.iter, HANG_SECS);
				hung = true;
			}
		}
		if (!hung && t - start > limit + HANG_SECS) {
			TH_LOG("the fuzzing child ran %.0f s, %.0f s over its time", t - start,
			       t - start - limit);
			hung = true;
		}
		if (hung) {
			kill(pid, SIGKILL);
			for (i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; i++)
				usleep(20000);
			return false;
		}
	}
	if (ret != pid) {
		TH_LOG("waitpid: %s", strerror(errno));
		return false;
	}
	if (WIFSIGNALED(status)) {
		TH_LOG("the fuzzing child was killed by signal %d after request #%lu (%s)",
		       WTERMSIG(status), res->cur[0].iter, reqs[request_of(res->cur[0].cmd)].name);
		return false;
	}
	if (WEXITSTATUS(status))
		TH_LOG("the fuzzing child could not start (exit %d)", WEXITSTATUS(status));
	return WEXITSTATUS(status) == 0;
}

static void log_results(struct __test_metadata *_metadata, const struct results *res,
			double secs)
{
	char line[600];
	unsigned long total;
	unsigned int i;
	size_t len;
	int r, e;

	TH_LOG("seed %#llx (replay: SHMDEMO_SEED=%#llx), %lu requests in %.1f s: %.0f/s, GET gave %u ids",
	       (unsigned long long)fuzz_seed, (unsigned long long)fuzz_seed, res->iters,
	       secs, secs > 0 ? res->iters / secs : 0, res->ids);
	for (r = 0; r < NREQ; r++) {
		len = snprintf(line, sizeof(line), "%-9s", reqs[r].name);
		for (total = 0, e = 0; e <= MAX_ERRNO; e++) {
			if (!res->hist[r][e] || len >= sizeof(line))
				continue;
			total += res->hist[r][e];
			len += snprintf(line + len, sizeof(line) - len, " %s:%lu",
					e == MAX_ERRNO ? "larger" : errname(e), res->hist[r][e]);
		}
		if (total)
			TH_LOG("  %s", line);
	}
	for (i = 0; i < res->nfail && i < MAX_FAILS; i++)
		TH_LOG("FAIL %s", res->fail[i]);
	if (res->nfail > MAX_FAILS)
		TH_LOG("... and %lu more failures", res->nfail - MAX_FAILS);
}

static int stat_any(int fd, int id, struct shmdemo_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->id = id;
	return shmdemo_ioctl(fd, SHMDEMO_IOC_STAT_ANY, st);
}

/* Every id LIST gives, in a malloc()ed array. */
static int list_ids(int fd, int32_t **ids, uint32_t *n)
{
	struct shmdemo_list l = { .size = sizeof(l) };
	uint32_t cap;
	int ret = shmdemo_ioctl(fd, SHMDEMO_IOC_LIST, &l);

	while (!ret) {
		cap = l.count + 16;
		*ids = calloc(cap, sizeof(**ids));
		if (!*ids)
			return -ENOMEM;
		l.count = cap;
		l.ids_ptr = (uintptr_t)*ids;
		ret = shmdemo_ioctl(fd, SHMDEMO_IOC_LIST, &l);
		if (!ret && l.count <= cap) {
			*n = l.count;
			return 0;
		}
		free(*ids);
	}
	return ret;
}

/* Leftovers of an earlier run that died: our keys only. */
static void remove_stale_keys(int fd)
{
	struct shmdemo_stat st;
	int32_t *ids;
	uint32_t i, n;

	if (list_ids(fd, &ids, &n))
		return;
	for (i = 0; i < n; i++)
		if (!stat_any(fd, ids[i], &st) && st.key >= KEY_BASE && st.key < KEY_END)
			shmdemo_rmid(fd, ids[i]);
	free(ids);
}

struct owners {
	pid_t pids[4];
	int npids;
	time_t since;
	const struct anchor *anchors;
	int nanchors;
};

/* This test's: its keys, or made by one of its processes since it started. */
static bool ours(const struct owners *o, const struct shmdemo_stat *st)
{
	int i;

	for (i = 0; i < o->nanchors; i++)
		if (st->id == o->anchors[i].id)
			return false;
	if (st->key >= KEY_BASE && st->key < KEY_END)
		return true;
	for (i = 0; i < o->npids; i++)
		if (st->cpid == o->pids[i] && st->ctime >= o->since)
			return true;
	return false;
}

/*
 * Remove the ids the child still holds, then whatever else is ours: that
 * was left behind by a request that failed (GET's EFAULT "then nothing
 * was created"), or by a refcount that never dropped - unless the child
 * died before it could say.  Returns the number of those.
 */
static int remove_ours(struct __test_metadata *_metadata, int fd, const struct results *res,
		       const struct owners *o)
{
	unsigned int i, n = res->ntracked;
	struct shmdemo_stat st;
	int32_t *ids;
	uint32_t nids, j;
	int left = 0;

	for (i = 0; i < n; i++)
		if (!stat_any(fd, res->tracked[i], &st) && ours(o, &st))
			shmdemo_rmid(fd, res->tracked[i]);
	if (list_ids(fd, &ids, &nids)) {
		TH_LOG("LIST failed: can't look for leftovers");
		return -1;
	}
	for (j = 0; j < nids; j++) {
		if (stat_any(fd, ids[j], &st) || !ours(o, &st))
			continue;
		TH_LOG("left behind: segment %d, key %#x, %llu bytes, creator pid %d",
		       st.id, st.key, (unsigned long long)st.bytes, st.cpid);
		shmdemo_rmid(fd, ids[j]);
		left++;
	}
	free(ids);
	return left;
}

/* A segment of ANCHOR_PAGES, mapped by the test, pages 0..5 resident. */
static int make_anchor(int fd, long pg, int key, uint32_t mode, struct anchor *an,
		       struct anchor_map *m)
{
	volatile char *p;
	int i, ret;

	*an = (struct anchor){ .key = key, .mode = mode, .bytes = ANCHOR_PAGES * pg };
	an->id = shmdemo_get(fd, key, an->bytes, SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL, mode);
	if (an->id < 0)
		return an->id;
	m->fd = shmdemo_open(O_RDWR);
	if (m->fd < 0)
		return m->fd;
	ret = shmdemo_bind(m->fd, an->id, 0);
	if (ret)
		return ret;
	m->p = mmap(NULL, an->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (m->p == MAP_FAILED)
		return -errno;
	p = m->p;
	for (i = 0; i < ANCHOR_TOUCHED; i++) {
		if (i < ANCHOR_TOUCHED / 2)
			p[i * pg] = 1;
		else
			(void)p[i * pg];
	}
	return 0;
}

static void drop_anchor(int fd, const struct anchor *an, struct anchor_map *m)
{
	if (m->p && m->p != MAP_FAILED)
		munmap(m->p, an->bytes);
	if (m->fd >= 0)
		close(m->fd);
	if (an->id >= 0)
		shmdemo_rmid(fd, an->id);
}

static struct results *map_results(void)
{
	struct results *res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return res == MAP_FAILED ? NULL : res;
}

FIXTURE(fuzz) {
	int fd;		/* /dev/shmdemo, O_RDWR, never bound */
	long pg;
};

FIXTURE_SETUP(fuzz)
{
	self->pg = shmdemo_page_size();
	self->fd = shmdemo_open(O_RDWR);
	if (self->fd == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(fuzz)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * The numbers around the real ones: 0x00..0x12 and a few more, every
 * direction, four magics, three sizes in the number.  The module takes
 * exactly the 15 requests (and INFO's old _IOR number) whatever the size
 * in the number (ioctl.c:21-22), and says ENOTTY to the rest.  With a NULL
 * argument, what it takes fails with EFAULT.
 */
TEST_F(fuzz, request_numbers_next_to_the_real_ones_are_enotty)
{
	static const unsigned int magics[] = { SHMDEMO_IOC_MAGIC, 0xb5, 0xb7, 0xa5 };
	static const unsigned int extra_nrs[] = { 0x3f, 0x80, 0xff };
	static const unsigned int sizes[] = { 0, 8, _IOC_SIZEMASK };
	unsigned int m, nr, dir, s, taken = 0;
	unsigned long cmd;
	int err, want;

	SHMDEMO_NEED_DEVICE(self->fd);
	for (m = 0; m < ARRAY_SIZE(magics); m++) {
		for (nr = 0; nr < 0x13 + ARRAY_SIZE(extra_nrs); nr++) {
			for (dir = 0; dir < 4; dir++) {
				for (s = 0; s < ARRAY_SIZE(sizes); s++) {
					cmd = _IOC(dir, magics[m],
						   nr < 0x13 ? nr : extra_nrs[nr - 0x13], sizes[s]);
					want = request_of(cmd) == R_OTHER ? ENOTTY : EFAULT;
					taken += want == EFAULT;
					err = ioctl(self->fd, cmd, NULL) < 0 ? errno : 0;
					EXPECT_EQ(want, err)
						TH_LOG("cmd %#lx: %s, expected %s", cmd,
						       errname(err), errname(want));
				}
			}
		}
	}
	EXPECT_EQ(17 * ARRAY_SIZE(sizes), taken);
}

/* What a valid request of each kind needs, and what undoes it. */
struct valid {
	int fd;		/* the fd to call on */
	int fresh_fd;	/* BIND: a new file, closed after */
	int fresh_id;	/* RMID: a new segment, removed after */
	uint64_t attached;	/* DETACH: the anchor's attachment, detached after */
	uint32_t pages[ANCHOR_PAGES];
};

static int make_valid(int fd, long pg, int r, const struct anchor *an, uint8_t *s,
		      struct valid *v)
{
	memset(s, 0, STRUCT_ROOM);
	v->fd = fd;
	v->fresh_fd = v->fresh_id = -1;
	v->attached = 0;
	switch (r) {
	case R_GET:		/* find the anchor by key: nothing made */
		((struct shmdemo_get *)s)->key = an->key;
		break;
	case R_BIND:
		v->fresh_fd = shmdemo_open(O_RDWR);
		if (v->fresh_fd < 0)
			return v->fresh_fd;
		v->fd = v->fresh_fd;
		((struct shmdemo_bind *)s)->id = an->id;
		break;
	case R_SET:
		((struct shmdemo_set *)s)->valid = SHMDEMO_SET_MODE;
		((struct shmdemo_set *)s)->mode = an->mode;
		/* fallthrough */
	case R_STAT:
	case R_STAT_ANY:
	case R_LOCK:
	case R_UNLOCK:
		((struct shmdemo_id *)s)->id = an->id;	/* @id is at 4 in each */
		break;
	case R_RMID:
		v->fresh_id = shmdemo_get(fd, SHMDEMO_KEY_PRIVATE, pg, SHMDEMO_GET_CREATE, 0600);
		if (v->fresh_id < 0)
			return v->fresh_id;
		((struct shmdemo_id *)s)->id = v->fresh_id;
		break;
	case R_RESIZE:		/* to the size it has */
		((struct shmdemo_resize *)s)->id = an->id;
		((struct shmdemo_resize *)s)->bytes = an->bytes;
		break;
	case R_LIST:		/* count 0: just how many */
		break;
	case R_PAGES:
		((struct shmdemo_pages *)s)->id = an->id;
		((struct shmdemo_pages *)s)->count = ANCHOR_PAGES;
		((struct shmdemo_pages *)s)->pages_ptr = (uintptr_t)v->pages;
		break;
	case R_SYNC:		/* the whole of the anchor, on a file bound to it */
		v->fresh_fd = shmdemo_open(O_RDWR);
		if (v->fresh_fd < 0)
			return v->fresh_fd;
		v->fd = v->fresh_fd;
		if (shmdemo_bind(v->fd, an->id, 0))
			return -EIO;
		break;
	case R_ATTACH:		/* the anchor, at the kernel's address */
		((struct shmdemo_attach *)s)->id = an->id;
		break;
	case R_POPULATE:	/* all of the anchor */
		((struct shmdemo_populate *)s)->id = an->id;
		break;
	case R_DETACH: {	/* an attachment of the anchor made for it */
		struct shmdemo_attach a = { .size = sizeof(a), .id = an->id };
		int ret = shmdemo_ioctl(fd, SHMDEMO_IOC_ATTACH, &a);

		if (ret)
			return ret;
		v->attached = a.addr;
		((struct shmdemo_detach *)s)->addr = a.addr;
		break;
	}
	}
	return 0;
}

static void undo_valid(int fd, int r, const struct anchor *an, struct valid *v)
{
	struct shmdemo_id u = { .size = sizeof(u), .id = an->id };

	if (v->fresh_fd >= 0)
		close(v->fresh_fd);
	if (v->fresh_id >= 0)
		shmdemo_rmid(fd, v->fresh_id);	/* EINVAL if the call removed it */
	if (v->attached)
		detach_at(fd, v->attached);	/* EINVAL if the call detached it */
	if (r == R_LOCK)
		shmdemo_ioctl(fd, SHMDEMO_IOC_UNLOCK, &u);
}

/* Bytes [@from, @to) of @p as saved in @save; the first that differs, or -1. */
static long first_change(const uint8_t *p, const uint8_t *save, size_t from, size_t to)
{
	size_t x;

	for (x = from; x < to; x++)
		if (p[x] != save[x])
			return x;
	return -1;
}

/*
 * Every request with @size below VER0, VER0 itself, between VER0 and
 * sizeof (INFO), longer with a zero and a non-zero tail, PAGE_SIZE and
 * over, 1 MiB, UINT32_MAX: EINVAL, 0, 0, 0 / E2BIG, 0 / E2BIG, E2BIG...
 * A success writes back at most min(size, sizeof) bytes, reserved and
 * padding zero, over a buffer of 0xA5.
 */
TEST_F(fuzz, size_field_rules_hold_for_every_request)
{
	struct anchor_map map = { NULL, -1 };
	struct shmdemo_info before, after;
	struct anchor an = { .id = -1 };
	struct valid v;
	uint8_t *buf, *save, s[STRUCT_ROOM] __attribute__((aligned(8)));
	size_t fill;
	int r, i, want, err;
	long ch;

	SHMDEMO_NEED_DEVICE(self->fd);
	buf = map_guarded(2 * self->pg, self->pg);
	save = malloc(2 * self->pg);
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, save);
	remove_stale_keys(self->fd);
	ASSERT_EQ(0, shmdemo_info(self->fd, &before));
	ASSERT_EQ(0, make_anchor(self->fd, self->pg, KEY_ANCHOR, 0600, &an, &map));

	for (r = 0; r < R_OTHER; r++) {
		const struct req_desc *d = &reqs[r];
		const struct { uint32_t size; bool nonzero; } sizes[] = {
			{ 0, false }, { 4, false }, { d->ver0 - 1, false }, { d->ver0, false },
			{ (d->ver0 + d->ksize) / 2, false }, { d->ksize, false },
			{ d->ksize + 8, false }, { d->ksize + 8, true },
			{ self->pg, false }, { self->pg, true }, { self->pg + 1, false },
			{ 1 << 20, false }, { UINT32_MAX, false },
		};

		for (i = 0; i < (int)ARRAY_SIZE(sizes); i++) {
			uint32_t usize = sizes[i].size, head = MIN(usize, d->ksize);
			size_t tail_end = usize > d->ksize ? MIN(usize, (uint32_t)self->pg) : head;

			want = usize < d->ver0 ? EINVAL :
			       usize > self->pg || sizes[i].nonzero ? E2BIG : 0;
			ASSERT_EQ(0, make_valid(self->fd, self->pg, r, &an, s, &v));
			memcpy(s, &usize, sizeof(usize));
			fill = MIN(2 * (size_t)self->pg, (tail_end > d->ksize ? tail_end : d->ksize) + 64);
			memset(buf, CANARY, fill);
			memcpy(buf, s, MIN(head > 4 ? head : 4, fill));
			if (tail_end > d->ksize)
				memset(buf + d->ksize, 0, tail_end - d->ksize);
			if (sizes[i].nonzero)
				buf[tail_end - 1] = 1;
			memcpy(save, buf, fill);

			err = ioctl(v.fd, d->cmd, buf) < 0 ? errno : 0;
			EXPECT_EQ(want, err) TH_LOG("%s, size %u%s: %s", d->name, usize,
						    sizes[i].nonzero ? ", non-zero tail" : "",
						    errname(err));
			if (!err) {
				ch = first_change(buf, save, d->writes_back ? head : 0, fill);
				EXPECT_EQ(-1, ch) TH_LOG("%s, size %u: byte %ld written", d->name,
							 usize, ch);
				EXPECT_EQ(-1, first_change(buf, save, 0, 4));
				if (r == R_STAT || r == R_STAT_ANY)
					EXPECT_EQ(0, ((struct shmdemo_stat *)buf)->__pad);
				if (r == R_INFO || r == R_INFO_IOR)
					EXPECT_EQ(0, ((struct shmdemo_info *)buf)->__pad);
				if (r == R_GET) {
					EXPECT_EQ(an.id, ((struct shmdemo_get *)buf)->id);
					EXPECT_EQ(0, ((struct shmdemo_get *)buf)->__reserved);
				}
				if (r == R_PAGES)
					EXPECT_EQ(ANCHOR_PAGES, ((struct shmdemo_pages *)buf)->count);
				if (r == R_ATTACH)
					EXPECT_EQ(0, detach_at(self->fd,
							       ((struct shmdemo_attach *)buf)->addr));
			} else {
				EXPECT_EQ(-1, first_change(buf, save, 0, fill))
					TH_LOG("%s, size %u: failed, and changed its struct",
					       d->name, usize);
			}
			undo_valid(self->fd, r, &an, &v);
		}
	}
	drop_anchor(self->fd, &an, &map);
	ASSERT_EQ(0, shmdemo_info(self->fd, &after));
	EXPECT_EQ(before.segments, after.segments);
	EXPECT_EQ(before.total_pages, after.total_pages);
	free(save);
}

/*
 * NULL, unmapped, a guard page, a kernel address, past the user address
 * space: EFAULT for every request.  A struct whose size field is readable
 * but which crosses into an unmapped page: EFAULT.  A read-only struct:
 * EFAULT for those that write back (GET then creates nothing), success
 * for the others.  LIST's ids_ptr and PAGES' pages_ptr likewise, unless
 * count is 0.
 */
TEST_F(fuzz, bad_pointers_fail_with_efault_and_create_nothing)
{
	const unsigned long bad[] = { 0, LOW_PTR, 0, KERNEL_PTR, HIGH_PTR };
	struct anchor_map map = { NULL, -1 };
	struct shmdemo_info before, after;
	struct anchor an = { .id = -1 };
	uint8_t s[STRUCT_ROOM] __attribute__((aligned(8)));
	uint8_t *buf, *guard, *ro, *ro_w;
	unsigned long ptrs[ARRAY_SIZE(bad)];
	struct valid v;
	unsigned int i;
	int r, err;

	SHMDEMO_NEED_DEVICE(self->fd);
	buf = map_guarded(self->pg, self->pg);
	ASSERT_NE(NULL, buf);
	guard = buf + self->pg;
	ASSERT_EQ(0, map_views(self->pg, self->pg, &ro, &ro_w));
	memcpy(ptrs, bad, sizeof(bad));
	ptrs[2] = (uintptr_t)guard;
	remove_stale_keys(self->fd);
	ASSERT_EQ(0, shmdemo_info(self->fd, &before));
	ASSERT_EQ(0, make_anchor(self->fd, self->pg, KEY_ANCHOR, 0600, &an, &map));

	for (r = 0; r < R_OTHER; r++) {
		const struct req_desc *d = &reqs[r];

		for (i = 0; i < ARRAY_SIZE(ptrs); i++) {
			ASSERT_EQ(0, make_valid(self->fd, self->pg, r, &an, s, &v));
			err = ioctl(v.fd, d->cmd, ptrs[i]) < 0 ? errno : 0;
			EXPECT_EQ(EFAULT, err) TH_LOG("%s at %#lx: %s", d->name, ptrs[i],
						      errname(err));
			undo_valid(self->fd, r, &an, &v);
		}
		/* Only the size field readable; then all but the last byte. */
		for (i = 0; i < 2; i++) {
			size_t in = i ? d->ksize - 1 : 4;

			ASSERT_EQ(0, make_valid(self->fd, self->pg, r, &an, s, &v));
			((uint32_t *)s)[0] = d->ksize;
			memcpy(guard - in, s, in);
			err = ioctl(v.fd, d->cmd, guard - in) < 0 ? errno : 0;
			EXPECT_EQ(EFAULT, err) TH_LOG("%s, %zu of %u bytes mapped: %s",
						      d->name, in, d->ksize, errname(err));
			undo_valid(self->fd, r, &an, &v);
		}
		ASSERT_EQ(0, make_valid(self->fd, self->pg, r, &an, s, &v));
		((uint32_t *)s)[0] = d->ksize;
		memcpy(ro_w, s, d->ksize);
		err = ioctl(v.fd, d->cmd, ro) < 0 ? errno : 0;
		EXPECT_EQ(d->writes_back ? EFAULT : 0, err)
			TH_LOG("%s in a read-only page: %s", d->name, errname(err));
		undo_valid(self->fd, r, &an, &v);
	}

	/* The arrays: a count to fill and nowhere to put it; count 0 is fine. */
	for (i = 0; i < ARRAY_SIZE(ptrs) + 1; i++) {
		unsigned long p = i < ARRAY_SIZE(ptrs) ? ptrs[i] : (uintptr_t)ro;
		struct shmdemo_list l = { .size = sizeof(l), .count = 8, .ids_ptr = p };
		struct shmdemo_pages pgs = {
			.size = sizeof(pgs), .id = an.id, .count = 8, .pages_ptr = p,
		};

		EXPECT_EQ(-EFAULT, shmdemo_ioctl(self->fd, SHMDEMO_IOC_LIST, &l))
			TH_LOG("LIST into %#lx", p);
		EXPECT_EQ(-EFAULT, shmdemo_ioctl(self->fd, SHMDEMO_IOC_PAGES, &pgs))
			TH_LOG("PAGES into %#lx", p);
		l.count = 0;
		pgs.count = 0;
		EXPECT_EQ(0, shmdemo_ioctl(self->fd, SHMDEMO_IOC_LIST, &l));
		EXPECT_LE(1, l.count);
		EXPECT_EQ(0, shmdemo_ioctl(self->fd, SHMDEMO_IOC_PAGES, &pgs));
		EXPECT_EQ(0, pgs.count);
	}

	/* A GET that can't write its id back makes nothing: private or keyed. */
	for (i = 0; i < 2; i++) {
		struct shmdemo_get g = {
			.size = sizeof(g), .key = i ? KEY_BASE + 1 : SHMDEMO_KEY_PRIVATE,
			.bytes = self->pg, .flags = SHMDEMO_GET_CREATE, .mode = 0600,
		};

		memcpy(ro_w, &g, sizeof(g));
		EXPECT_EQ(-EFAULT, shmdemo_ioctl(self->fd, SHMDEMO_IOC_GET, ro));
		memcpy(guard - 16, &g, 16);
		EXPECT_EQ(-EFAULT, shmdemo_ioctl(self->fd, SHMDEMO_IOC_GET, guard - 16));
	}
	EXPECT_EQ(-ENOENT, shmdemo_get(self->fd, KEY_BASE + 1, 0, 0, 0));
	drop_anchor(self->fd, &an, &map);
	ASSERT_EQ(0, shmdemo_info(self->fd, &after));
	EXPECT_EQ(before.segments, after.segments);
	EXPECT_EQ(before.total_pages, after.total_pages);
}

/*
 * The fuzzer as the current user (@uid < 0) or as @uid, for @seconds,
 * against two anchors of the test's: 0600 and 0644.
 */
static void run_fuzz(struct __test_metadata *_metadata, int fd, long pg, const char *test,
		     int uid, double seconds)
{
	struct anchor_map maps[NANCHORS] = { { NULL, -1 }, { NULL, -1 } };
	struct shmdemo_info before, after;
	struct owners o = { .npids = 1 };
	struct results *res = map_results();
	struct fuzz *f = calloc(1, sizeof(*f));
	double start;
	bool ok;
	int i, left;
	pid_t pid;

	ASSERT_NE(NULL, res);
	ASSERT_NE(NULL, f);
	remove_stale_keys(fd);
	ASSERT_EQ(0, shmdemo_info(fd, &before));
	o.pids[0] = getpid();
	o.since = time(NULL) - 1;
	for (i = 0; i < NANCHORS; i++) {
		f->anchors[i].id = -1;
		ASSERT_EQ(0, make_anchor(fd, pg, KEY_ANCHOR + i, i ? 0644 : 0600,
					 &f->anchors[i], &maps[i]));
	}
	f->nanchors = NANCHORS;
	o.anchors = f->anchors;
	o.nanchors = f->nanchors;
	f->res = res;
	f->rng = stream_seed(test, 0);
	f->pg = pg;
	f->owns_anchors = uid < 0;
	f->cap = uid < 0 && geteuid() == 0;
	f->seconds = seconds;

	start = shmdemo_now();
	pid = start_child(fuzz_main, f, uid);
	ASSERT_LE(0, pid);
	o.pids[o.npids++] = pid;
	ok = watch(_metadata, res, pid, seconds);
	log_results(_metadata, res, shmdemo_now() - start);
	TH_LOG("%lu mappings made; %lu STATs of removed segments still mapped; %lu ATTACHes "
	       "(each detached)", res->extra[0], res->extra[1], res->extra[2]);
	EXPECT_TRUE(ok) TH_LOG("the fuzzing child did not finish cleanly (above)");
	EXPECT_EQ(0, res->nfail);

	left = remove_ours(_metadata, fd, res, &o);
	if (ok && !res->overflow)
		EXPECT_EQ(0, left) TH_LOG("segments left behind by requests that failed");
	for (i = 0; i < NANCHORS; i++)
		drop_anchor(fd, &f->anchors[i], &maps[i]);
	ASSERT_EQ(0, shmdemo_info(fd, &after));
	EXPECT_EQ(before.segments, after.segments);
	EXPECT_EQ(before.total_pages, after.total_pages);
	EXPECT_EQ(before.resident_pages, after.resident_pages);
	munmap(res, sizeof(*res));
	free(f);
}

TEST_F_TIMEOUT(fuzz, random_requests_return_only_documented_errnos, MAX_SECONDS + 60)
{
	SHMDEMO_NEED_DEVICE(self->fd);
	run_fuzz(_metadata, self->fd, self->pg, "random_requests", -1, fuzz_seconds);
}

/* EACCES and EPERM: another user's anchors, and its own segments. */
TEST_F_TIMEOUT(fuzz, random_requests_as_nobody_get_documented_permission_errors,
	       MAX_SECONDS / 2 + 60)
{
	SHMDEMO_NEED_DEVICE(self->fd);
	if (geteuid() != 0)
		SKIP(return, "needs root (to run a child as uid 65534)");
	run_fuzz(_metadata, self->fd, self->pg, "as_nobody", NOBODY, fuzz_seconds / 2);
}

/*
 * Two threads, one fd: two BINDs of one file (exactly one wins, the other
 * gets EBUSY); STAT, STAT_ANY, PAGES, LOCK, UNLOCK, BIND and RMID racing
 * GET, RMID and RESIZE; and GET racing mprotect() of its struct, so the
 * write-back fails after the segment was made (undo: nothing is left).
 * Each phase removes what it made, so any segment of the racing child's
 * left at the end is a leak.
 */
struct race {
	struct results *res;
	int fd;
	long pg;
	bool root;
	double seconds;
	int phase;
	double end;
	pthread_barrier_t bar;
	int stop;		/* set by racer 0 before a barrier */
	int bind_fd, bind_id[2], bind_ret[2];
	int ring[16];		/* ids racer 0 made; __atomic */
	uint8_t *gk, *gw;	/* GET's struct: the kernel's view, a writable one */
};

struct racer {
	struct race *r;
	int slot;
	uint64_t rng;
	unsigned long iter;
};

static const char *mask_names(uint64_t mask, char *buf, size_t len)
{
	size_t n = 0;
	int e;

	buf[0] = '\0';
	for (e = 0; e < 64 && n < len; e++)
		if (mask & E(e))
			n += snprintf(buf + n, len - n, "%s%s", n ? "," : "", errname(e));
	return buf;
}

/* A request of a racer: documented (reqs[]), and one of @expect (as root). */
static int race_ioctl(struct racer *t, int r, int fd, void *arg, uint64_t expect)
{
	struct results *res = t->r->res;
	char names[80];
	int err;

	err = watched_ioctl(res, t->slot, t->iter++, fd, reqs[r].cmd, (uintptr_t)arg,
			    reqs[r].ksize, L_GOOD);
	count(res, r, err);
	__atomic_add_fetch(&res->iters, 1, __ATOMIC_RELAXED);
	if (err && !allowed(r, err))
		record_fail(res, "race phase %d: %s returned %s, which it does not document",
			    t->r->phase, reqs[r].name, errname(err));
	else if (t->r->root && !(expect & E(err)))
		record_fail(res, "race phase %d: %s returned %s, expected %s", t->r->phase,
			    reqs[r].name, errname(err), mask_names(expect, names, sizeof(names)));
	return err;
}

static int race_get(struct racer *t, uint64_t bytes)
{
	struct shmdemo_get g = {
		.size = sizeof(g), .key = SHMDEMO_KEY_PRIVATE, .bytes = bytes,
		.flags = SHMDEMO_GET_CREATE, .mode = 0600,
	};
	int err = race_ioctl(t, R_GET, t->r->fd, &g, E(0) | E(ENOSPC));

	if (err)
		return -err;
	__atomic_add_fetch(&t->r->res->ids, 1, __ATOMIC_RELAXED);
	return g.id;
}

static int race_id(struct racer *t, int r, int id, uint64_t expect)
{
	struct shmdemo_id req = { .size = sizeof(req), .id = id };

	return race_ioctl(t, r, t->r->fd, &req, expect);
}

static void race_binds(struct racer *t)
{
	struct race *r = t->r;
	struct shmdemo_bind b = { .size = sizeof(b) };
	int i;

	for (;;) {
		if (t->slot == 0) {
			r->stop = shmdemo_now() >= r->end;
			if (!r->stop) {
				r->bind_id[0] = race_get(t, r->pg);
				r->bind_id[1] = race_get(t, r->pg);
				r->bind_fd = shmdemo_open(O_RDWR);
			}
		}
		pthread_barrier_wait(&r->bar);
		if (r->stop)
			break;
		b.id = r->bind_id[t->slot];
		r->bind_ret[t->slot] = race_ioctl(t, R_BIND, r->bind_fd, &b,
						  E(0) | E(EBUSY) | E(EINVAL));
		pthread_barrier_wait(&r->bar);
		if (t->slot)
			continue;
		if (r->bind_id[0] >= 0 && r->bind_id[1] >= 0 &&
		    (r->bind_ret[0] == 0) == (r->bind_ret[1] == 0))
			record_fail(r->res, "two BINDs of one file: %s and %s, exactly one must bind",
				    errname(r->bind_ret[0]), errname(r->bind_ret[1]));
		close(r->bind_fd);
		for (i = 0; i < 2; i++)
			if (r->bind_id[i] >= 0)
				race_id(t, R_RMID, r->bind_id[i], E(0));
		r->res->extra[0]++;
	}
}

static int ring_get(struct race *r, unsigned int slot)
{
	return __atomic_load_n(&r->ring[slot], __ATOMIC_RELAXED);
}

static void ring_set(struct race *r, unsigned int slot, int id)
{
	__atomic_store_n(&r->ring[slot], id, __ATOMIC_RELAXED);
}

static void race_stat_rmid(struct racer *t)
{
	struct race *r = t->r;
	const uint64_t gone = E(0) | E(EINVAL);
	uint32_t pages[8];
	int id;

	while (shmdemo_now() < r->end) {
		if (t->slot == 0) {
			/* The ring holds at most 16: what it held goes first. */
			int slot = next_rand(&t->rng) % 16;

			id = ring_get(r, slot);
			if (id >= 0)
				race_id(t, R_RMID, id, gone);
			ring_set(r, slot, race_get(t, (1 + next_rand(&t->rng) % 4) * r->pg));
			if (next_rand(&t->rng) % 2)
				race_id(t, R_RMID, ring_get(r, next_rand(&t->rng) % 16), gone);
			if (next_rand(&t->rng) % 8 == 0) {
				struct shmdemo_resize rs = {
					.size = sizeof(rs), .id = ring_get(r, next_rand(&t->rng) % 16),
					.bytes = (1 + next_rand(&t->rng) % 8) * r->pg,
				};

				race_ioctl(t, R_RESIZE, r->fd, &rs, gone | E(ENOSPC));
			}
			continue;
		}
		id = ring_get(r, next_rand(&t->rng) % 16);
		switch (next_rand(&t->rng) % 8) {
		case 0:
		case 1: {
			int req = next_rand(&t->rng) % 2 ? R_STAT : R_STAT_ANY;
			struct shmdemo_stat st = { .size = sizeof(st), .id = id };

			if (!race_ioctl(t, req, r->fd, &st, gone) && (st.id != id || st.__pad))
				record_fail(r->res, "race: %s of %d gave id %d, __pad %#x",
					    reqs[req].name, id, st.id, st.__pad);
			break;
		}
		case 2: {
			struct shmdemo_pages p = {
				.size = sizeof(p), .id = id, .count = 8,
				.pages_ptr = (uintptr_t)pages,
			};

			if (!race_ioctl(t, R_PAGES, r->fd, &p, gone) && p.count > 8)
				record_fail(r->res, "race: PAGES filled %u of 8", p.count);
			break;
		}
		case 3:
			race_id(t, R_LOCK, id, gone);
			break;
		case 4:
			race_id(t, R_UNLOCK, id, gone);
			break;
		case 5:
			race_id(t, R_RMID, id, gone);
			break;
		case 6: {
			struct shmdemo_bind b = { .size = sizeof(b), .id = id };

			race_ioctl(t, R_BIND, r->fd, &b, gone | E(EBUSY));
			break;
		}
		default: {
			struct shmdemo_info info = { .size = sizeof(info) };

			race_ioctl(t, R_INFO, r->fd, &info, E(0));
		}
		}
	}
}

static void race_get_mprotect(struct racer *t)
{
	struct race *r = t->r;
	struct shmdemo_stat st;
	struct shmdemo_get g;
	int err;

	if (t->slot) {
		while (shmdemo_now() < r->end) {
			mprotect(r->gk, r->pg, PROT_READ);
			mprotect(r->gk, r->pg, PROT_READ | PROT_WRITE);
		}
		return;
	}
	while (shmdemo_now() < r->end) {
		g = (struct shmdemo_get){
			.size = sizeof(g), .key = SHMDEMO_KEY_PRIVATE, .bytes = r->pg,
			.flags = SHMDEMO_GET_CREATE, .mode = 0600, .id = -1,
		};
		memcpy(r->gw, &g, sizeof(g));
		err = race_ioctl(t, R_GET, r->fd, r->gk, E(0) | E(EFAULT) | E(ENOSPC));
		if (err) {
			r->res->extra[2] += err == EFAULT;
			continue;
		}
		memcpy(&g, r->gw, sizeof(g));
		r->res->ids++;
		r->res->extra[1]++;
		st = (struct shmdemo_stat){ .size = sizeof(st), .id = g.id };
		race_ioctl(t, R_STAT_ANY, r->fd, &st, E(0));
		race_id(t, R_RMID, g.id, E(0));
	}
}

static void race_phase(struct racer *t)
{
	static void (*const phases[])(struct racer *t) = {
		race_binds, race_stat_rmid, race_get_mprotect,
	};

	phases[t->r->phase](t);
}

static void *racer_thread(void *arg)
{
	race_phase(arg);
	return NULL;
}

static int race_main(void *arg)
{
	struct race *r = arg;
	struct racer t[2] = {
		{ r, 0, stream_seed("races", 0), 0 }, { r, 1, stream_seed("races", 1), 0 },
	};
	pthread_t th;
	int i;

	r->fd = shmdemo_open(O_RDWR);
	if (r->fd < 0 || map_views(r->pg, r->pg, &r->gk, &r->gw) ||
	    mprotect(r->gk, r->pg, PROT_READ | PROT_WRITE) ||
	    pthread_barrier_init(&r->bar, NULL, 2))
		return 90;
	for (i = 0; i < 16; i++)
		ring_set(r, i, -1);
	for (r->phase = 0; r->phase < 3; r->phase++) {
		r->end = shmdemo_now() + r->seconds / 3;
		if (pthread_create(&th, NULL, racer_thread, &t[1]))
			return 91;
		race_phase(&t[0]);
		pthread_join(th, NULL);
		/* Each phase removes what it made: the ring's last ids too. */
		for (i = 0; i < 16; i++) {
			if (ring_get(r, i) >= 0)
				race_id(&t[0], R_RMID, ring_get(r, i), E(0) | E(EINVAL));
			ring_set(r, i, -1);
		}
	}
	return 0;
}

TEST_F_TIMEOUT(fuzz, two_threads_on_one_fd_race_to_documented_results, MAX_SECONDS / 2 + 60)
{
	struct shmdemo_info before, after;
	struct owners o = { .npids = 1 };
	struct race *r;
	double seconds = fuzz_seconds / 2, start;
	bool ok;
	int left;
	pid_t pid;

	SHMDEMO_NEED_DEVICE(self->fd);
	r = calloc(1, sizeof(*r));
	ASSERT_NE(NULL, r);
	r->res = map_results();
	ASSERT_NE(NULL, r->res);
	r->pg = self->pg;
	r->root = geteuid() == 0;
	ASSERT_EQ(0, shmdemo_info(self->fd, &before));
	o.pids[0] = getpid();
	o.since = time(NULL) - 1;
	r->seconds = seconds;

	start = shmdemo_now();
	pid = start_child(race_main, r, -1);
	ASSERT_LE(0, pid);
	o.pids[o.npids++] = pid;
	ok = watch(_metadata, r->res, pid, seconds);
	log_results(_metadata, r->res, shmdemo_now() - start);
	TH_LOG("%lu BIND races; GET racing mprotect(): %lu made a segment, %lu EFAULT",
	       r->res->extra[0], r->res->extra[1], r->res->extra[2]);
	EXPECT_TRUE(ok) TH_LOG("the racing child did not finish cleanly (above)");
	EXPECT_EQ(0, r->res->nfail);

	left = remove_ours(_metadata, self->fd, r->res, &o);
	if (ok)
		EXPECT_EQ(0, left) TH_LOG("segments left behind by requests that failed");
	ASSERT_EQ(0, shmdemo_info(self->fd, &after));
	EXPECT_EQ(before.segments, after.segments);
	EXPECT_EQ(before.total_pages, after.total_pages);
	EXPECT_EQ(before.resident_pages, after.resident_pages);
	munmap(r->res, sizeof(*r->res));
	free(r);
}

TEST_HARNESS_MAIN
