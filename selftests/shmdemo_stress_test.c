// SPDX-License-Identifier: GPL-2.0
/*
 * Seeded, time-bounded stress: N processes x M threads ("workers", default
 * 3 x 2) do random operations on a few keys for a few seconds, and every
 * access is checked exactly against what its owner knows - then everything
 * is verified, removed, and (as root, under tools/vm/run) the module is
 * unloaded to show that every page came back.
 *
 *   SHMDEMO_STRESS_PROCS, SHMDEMO_STRESS_THREADS, SHMDEMO_STRESS_SECONDS
 *   (default 8, at most 150: the harness timeout), SHMDEMO_SEED (default
 *   from the clock; always printed).  The seed fixes each worker's choices;
 *   the interleaving is the scheduler's, so a seed replays the same mix of
 *   operations, not the same race.
 *
 * Operations: create (GET with CREATE, with and without EXCL, and its
 * EEXIST/EINVAL answers on a live key), lookup by key, bind (read-write or
 * read-only, O_RDONLY opens), mmap (shared or private, at any offset, past
 * the end of the segment), write and read pages, fork (the child touches
 * pages, maps once more and exits), mprotect, partial munmap, mremap (grow
 * past the end, shrink, move), RESIZE grow and shrink (to whole and half
 * pages), msync, STAT, RMID (unmapped, or mapped and then read), close,
 * and exit of a whole process with everything mapped and open (it is
 * started again).
 *
 * Ownership.  Worker w owns two slots: slot s is key STRESS_KEY_BASE |
 * (pid & 0xff) << 8 | s and the segment that has it now.  Only the owner
 * creates, resizes and removes a slot's segment and writes its pages - the
 * owner itself, or a fork child while the owner waits for it.  Everyone
 * else (other threads, other processes, their children) finds it by key,
 * binds, maps and reads, never writes.
 *
 * The owner publishes each slot in MAP_SHARED memory: segment id, a
 * generation (ids could repeat after 65536 creations), size, the last
 * removed segment, and per page the stamps last written.  Two seqcounts
 * make other workers' checks exact: the slot's, odd while the owner
 * creates, resizes or removes (the ioctl runs inside the odd window), and
 * each page's, odd while the owner writes that page's stamps.  A reader
 * samples both before and after each access.  Unchanged and even: nothing
 * moved during the access, so the size is known (SIGBUS exactly past the
 * page holding the last byte, none below) and so is the content, byte for
 * byte.  Changed: the access raced the owner, and only what holds at every
 * instant is checked - a stamp names this segment and this page (bytewise
 * it is the expected identity or zero: a stamp being written, or a tail
 * being zeroed by a shrink), bytes nobody writes are zero, and the signal is
 * SIGBUS or none.  SIGSEGV from a protection is always exact: protections
 * are the accessor's own.  A removed segment is frozen (its owner doesn't
 * touch it again), so a mapping of the last removed one is checked exactly
 * too, until the slot's next creation reuses the page records.  The owner's
 * own accesses are always exact.
 *
 * Stamps: 32 bytes at the start ("head") and end ("tail") of a page:
 * magic, segment id, generation, page index, writer, sequence number.  The
 * tail is written only when the whole page is inside the segment; every
 * other byte of every page stays zero.  A shrink makes the owner expect
 * zero from the cut pages (until written again after a regrow) and from
 * the tail of a new partial last page (the kernel zeroes it).  Writes the
 * owner makes where a fault is due (past the size, read-only pages) store
 * a zero byte in the body, so even a wrong success changes nothing.  Every
 * access runs under sigsetjmp(); the handler checks nothing, the caller
 * checks the signal, its si_code and that si_addr is in the page.
 *
 * Whoever sees a failure (worker, fork child) records it in the shared
 * memory; the test prints them.  A worker stuck in the kernel is killed
 * HANG_SECONDS past the deadline and reported.
 *
 * The end, with every worker gone: the test maps each live segment afresh
 * and compares every byte with what its owner last wrote (SIGBUS past it,
 * nattch 0, resident pages exactly its size once read), removes them all,
 * checks that every id it ever created is gone (STAT, LIST, /proc/shmdemo)
 * and that SHMDEMO_IOC_INFO's page counts are back where they were (the
 * summary's "pages leaked": pages still charged to us).  Then, as root
 * with SHMDEMO_MODULE set (tools/vm/run) and no other user of the module
 * at the start, rmmod must succeed, the reloaded module must show nothing,
 * and memory must be back as stated below.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <time.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

#define STRESS_KEY_BASE	0x57e50000	/* 0x57e5xxxx: no other test's keys */
#define MAX_PROCS	16
#define MAX_THREADS	8
#define MAX_WORKERS	(MAX_PROCS * MAX_THREADS)
#define OWN_SLOTS	2		/* slots per worker */
#define MAX_SLOTS	(MAX_WORKERS * OWN_SLOTS)	/* <= 256: one key byte */
#define SEG_PAGES	48		/* largest segment */
#define MAP_PAGES	64		/* longest mapping: past any segment end */
#define READ_VIEWS	4		/* segments a worker reads at once */
#define VIEW_MAPS	3		/* mappings per view */
#define NR_VIEWS	(OWN_SLOTS + READ_VIEWS)
#define MAX_FAILS	16		/* kept in order; and the first of each kind */
#define MAX_IDS		65536
#define MAX_SECONDS	150
#define EXIT_RESPAWN	42		/* a worker process's planned exit */
#define HANG_SECONDS	60		/* past the deadline: a worker hangs */

/*
 * After rmmod, against the start of the test, with the per-cpu vmstat
 * deltas folded first (vm.stat_refresh; unfolded, Unevictable was seen a
 * page or two high with no unevictable page left): Unevictable - every
 * segment page sits on the unevictable LRU - back to its start, exactly,
 * and so is the number of pages /proc/kpageflags flags unevictable (the
 * "pages leaked" printed after rmmod).  Free memory (MemFree plus the
 * per-cpu free lists) moves with the guest's page cache and page tables:
 * 4 MiB of slack, as in shmdemo_module_test.c (seen: up to 1.5 MiB in
 * the full suite, under 0.8 MiB alone).  SUnreclaim
 * keeps the slabs the first run fills in a fresh guest, per CPU: 512 KiB
 * per online CPU (seen, one vCPU: 0.13-0.25 MiB for 3 x 2 in 8 s, up to
 * 0.45 MiB for 4 x 3 in 120 s; two vCPUs: 0.56 MiB).  /proc/slabinfo
 * around such runs shows no cache growing with the segments created: a
 * per-object leak is kmemleak's to find.
 */
#define FREE_SLACK_KB		4096
#define SLAB_SLACK_KB		512

#define STAMP_HEAD	0x48545453	/* "STTH" */
#define STAMP_TAIL	0x54545453	/* "STTT" */
#define STAMP_WORDS	4
#define CHILD_WRITER	0x10000		/* writer id of a worker's fork child */

#define LOAD(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define ADD(x, v)	__atomic_fetch_add(&(x), (v), __ATOMIC_RELAXED)

enum op {
	OP_CREATE, OP_LOOKUP, OP_BIND, OP_MMAP, OP_WRITE, OP_READ, OP_FORK,
	OP_MPROTECT, OP_MUNMAP, OP_MREMAP, OP_GROW, OP_SHRINK, OP_MSYNC,
	OP_STAT, OP_RMID, OP_CLOSE, OP_EXIT, NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"create", "lookup", "bind", "mmap", "write", "read", "fork",
	"mprotect", "munmap", "mremap", "grow", "shrink", "msync",
	"stat", "rmid", "close", "exit",
};

enum fail_kind {
	F_FOREIGN_STAMP,	/* a stamp naming another segment or page */
	F_WRONG_CONTENT,	/* not what the owner last wrote there */
	F_NONZERO,		/* a byte nobody writes is not zero */
	F_REGROWN_NONZERO,	/* a page cut by a shrink, regrown, not zero */
	F_SIGBUS_INSIDE,	/* SIGBUS inside the segment's size */
	F_NO_SIGBUS_PAST,	/* no SIGBUS past it */
	F_WRONG_SIGNAL,		/* other signal, si_code or si_addr */
	F_CALL,			/* a call returned what it must not */
	F_CHILD,		/* a worker process or fork child died or hung */
	NR_FAIL_KINDS
};

static const char *const fail_names[NR_FAIL_KINDS] = {
	"stamp in the wrong page", "stale content", "non-zero byte",
	"non-zero byte in a regrown page", "SIGBUS inside the size",
	"no SIGBUS past the size", "wrong signal", "call", "child",
};

struct failure {
	int kind;
	int worker;		/* -1: the test's own final checks */
	int slot;
	int id;
	long page;
	long long want;
	long long got;
	const char *what;	/* a literal: same address after fork */
	int op;
	unsigned long long opno;
};

/* The owner's record of one page: the stamps it last wrote. */
struct page_exp {
	_Atomic uint32_t seq;	/* odd while the owner writes the stamps */
	uint32_t cut;		/* cut by a shrink, not written since */
	uint32_t head_writer;
	uint32_t tail_writer;
	uint64_t head_seq;	/* 0: the head must be zero */
	uint64_t tail_seq;	/* 0: the tail must be zero */
};

/* One key and its current segment, written by its owner only. */
struct slot {
	_Atomic uint32_t seq;	/* odd while the owner creates, resizes, removes */
	int32_t id;		/* -1: no segment has the key */
	uint32_t gen;
	int32_t dead_id;	/* the last segment removed, frozen since */
	uint32_t dead_gen;
	uint32_t created;
	uint32_t removed;
	uint64_t bytes;
	uint64_t dead_bytes;
	uint64_t wseq;		/* last stamp sequence number */
	struct page_exp pages[SEG_PAGES];
};

struct wstats {
	unsigned long long ops[NR_OPS];
	unsigned long long pages_written;
	unsigned long long pages_exact;		/* every byte compared */
	unsigned long long pages_racy;		/* raced the owner: identity only */
	unsigned long long sigbus_past;		/* SIGBUS where it was due */
	unsigned long long segv_prot;		/* SIGSEGV where it was due */
};

struct shared {
	uint64_t seed;
	double deadline;
	int key_base;
	int nproc;
	int nthr;
	int nslots;
	_Atomic uint32_t gens;
	_Atomic uint32_t nfail;
	_Atomic uint32_t nids;
	_Atomic uint32_t nfail_kind[NR_FAIL_KINDS];
	struct failure fails[MAX_FAILS];
	struct failure first[NR_FAIL_KINDS];
	struct wstats stats[MAX_WORKERS + 1];	/* the last: the test itself */
	struct slot slots[MAX_SLOTS];
	int32_t ids[MAX_IDS];			/* every segment created */
};

struct map {
	char *base;		/* NULL: unused */
	int npages;		/* span, mapped or not */
	long pgoff;		/* segment page at base */
	bool shared;
	bool split;		/* may be several VMAs: mremap may say EFAULT */
	signed char prot[MAP_PAGES];	/* PROT_* per page, -1 unmapped */
};

/* A segment as one worker sees it: a binding and its mappings. */
struct view {
	bool used;
	bool owner;
	bool rdonly;
	int slot;
	int id;
	uint32_t gen;		/* 0: unknown (the lookup raced a change) */
	int fd;			/* bound, or -1 (closed; mappings may remain) */
	struct map maps[VIEW_MAPS];
};

struct worker {
	struct shared *sh;
	struct wstats *st;
	int w;			/* worker index, -1 for the test */
	bool child;		/* a fork child acting for the worker */
	uint64_t rng;
	int op;
	unsigned long long opno;
	int ctl;		/* unbound fd for GET, STAT, RESIZE, RMID */
	uint64_t *buf;		/* one page */
	struct view v[NR_VIEWS];	/* [0, OWN_SLOTS): the owned slots */
};

struct fault {
	void *addr;
	int code;
};

struct access {
	volatile uint64_t *src;
	uint64_t *dst;
	size_t words;
	volatile uint32_t *to;
	const uint32_t *from;
	volatile char *byte;
};

struct expect {
	bool exact;		/* content known: every byte compared */
	bool cut;
	int32_t id;
	uint32_t gen;		/* 0: unknown */
	uint32_t page;
	uint32_t head_writer;
	uint32_t tail_writer;
	uint64_t head_seq;
	uint64_t tail_seq;
};

struct stamp {
	uint32_t magic;
	int32_t id;
	uint32_t gen;
	uint32_t page;
	uint32_t writer;
	uint32_t zero;
	uint64_t seq;
};

_Static_assert(sizeof(struct stamp) == STAMP_WORDS * 8, "stamp is 4 words");

static long pg;
static _Atomic int exit_req;	/* per worker process: its planned exit */

static __thread sigjmp_buf *tl_jb;
static __thread volatile sig_atomic_t tl_armed;
static __thread void *tl_addr;
static __thread int tl_code;

/* splitmix64 */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rndn(uint64_t *s, unsigned int n)
{
	return rnd(s) % n;
}

static uint64_t mix(uint64_t seed, uint64_t a, uint64_t b)
{
	uint64_t s = seed ^ (a * 0x100000001b3ULL) ^ (b << 40);

	return rnd(&s);
}

static long npages_of(uint64_t bytes)
{
	return (bytes + pg - 1) / pg;
}

static int slot_key(struct shared *sh, int slot)
{
	return sh->key_base | slot;
}

/* --- signals -------------------------------------------------------- */

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	(void)uc;
	if (!tl_armed) {
		/* Not one of ours: the access is retried and kills us. */
		sigaction(sig, &dfl, NULL);
		return;
	}
	tl_armed = 0;
	tl_addr = si->si_addr;
	tl_code = si->si_code;
	siglongjmp(*tl_jb, sig);
}

static int catch_faults(void)
{
	struct sigaction sa = {
		.sa_sigaction = on_fault,
		/* NODEFER: siglongjmp() without restoring a mask (no syscall). */
		.sa_flags = SA_SIGINFO | SA_NODEFER,
	};

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) || sigaction(SIGSEGV, &sa, NULL))
		return -errno;
	return 0;
}

static void do_copy(struct access *a)
{
	size_t k;

	for (k = 0; k < a->words; k++)
		a->dst[k] = a->src[k];
}

/* A stamp, its magic last: a reader never sees a magic before the rest. */
static void do_store(struct access *a)
{
	int k;

	for (k = 1; k < STAMP_WORDS * 2; k++)
		a->to[k] = a->from[k];
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	a->to[0] = a->from[0];
}

static void do_poke(struct access *a)
{
	*a->byte = 0;
}

/* Run @fn(@a); 0, or the signal it raised (where: @f). */
static int guarded(void (*fn)(struct access *), struct access *a, struct fault *f)
{
	sigjmp_buf jb;
	int sig;

	tl_jb = &jb;
	sig = sigsetjmp(jb, 0);
	if (sig == 0) {
		tl_armed = 1;
		fn(a);
		tl_armed = 0;
		return 0;
	}
	f->addr = tl_addr;
	f->code = tl_code;
	return sig;
}

/* --- failures and counters ---------------------------------------- */

static void fail(struct worker *wk, int kind, const char *what, int slot, int id,
		 long page, long long want, long long got)
{
	struct shared *sh = wk->sh;
	uint32_t n = atomic_fetch_add(&sh->nfail, 1);
	struct failure f = {
		.kind = kind, .worker = wk->w, .slot = slot, .id = id,
		.page = page, .want = want, .got = got, .what = what,
		.op = wk->op, .opno = wk->opno,
	};

	if (n < MAX_FAILS)
		sh->fails[n] = f;
	if (!atomic_fetch_add(&sh->nfail_kind[kind], 1))
		sh->first[kind] = f;
}

static void count(struct worker *wk, int op)
{
	ADD(wk->st->ops[op], 1);
}

/* --- the slot's and the page's seqcounts ---------------------------- */

static void seq_write_begin(_Atomic uint32_t *seq)
{
	atomic_store_explicit(seq, atomic_load_explicit(seq, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	/* Odd before anything the change does, the ioctl included. */
	atomic_thread_fence(memory_order_seq_cst);
}

static void seq_write_end(_Atomic uint32_t *seq)
{
	atomic_store_explicit(seq, atomic_load_explicit(seq, memory_order_relaxed) + 1,
			      memory_order_release);
}

static uint32_t seq_read_begin(_Atomic uint32_t *seq)
{
	return atomic_load_explicit(seq, memory_order_acquire);
}

/* True if nothing was written since seq_read_begin() returned @s. */
static bool seq_read_held(_Atomic uint32_t *seq, uint32_t s)
{
	atomic_thread_fence(memory_order_acquire);
	return !(s & 1) && atomic_load_explicit(seq, memory_order_relaxed) == s;
}

/* --- stamps and page checks --------------------------------------- */

static void make_stamp(struct stamp *s, uint32_t magic, const struct expect *e,
		       uint32_t writer, uint64_t seq)
{
	*s = (struct stamp){
		.magic = magic, .id = e->id, .gen = e->gen, .page = e->page,
		.writer = writer, .seq = seq,
	};
}

/*
 * A stamp that may be half written or half zeroed: each byte of its
 * identity (magic, id, generation, page, the zero word) is the expected
 * byte or zero.  The generation is skipped when unknown.
 */
static bool identity_ok(const struct stamp *got, uint32_t magic, const struct expect *e)
{
	struct stamp want;
	const unsigned char *g = (const void *)got, *w = (const void *)&want;
	size_t k;

	make_stamp(&want, magic, e, 0, 0);
	for (k = 0; k < offsetof(struct stamp, writer) + 8; k++) {
		if (k >= offsetof(struct stamp, writer) && k < offsetof(struct stamp, zero))
			continue;
		if (!e->gen && k >= offsetof(struct stamp, gen) &&
		    k < offsetof(struct stamp, page))
			continue;
		if (g[k] && g[k] != w[k])
			return false;
	}
	return true;
}

static bool is_zero(const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len--)
		if (*c++)
			return false;
	return true;
}

/* Compare the copied page with @e; record the first difference. */
static bool check_page(struct worker *wk, int slot, const uint64_t *buf,
		       const struct expect *e)
{
	size_t words = pg / 8, k;
	int h;

	for (k = STAMP_WORDS; k < words - STAMP_WORDS; k++)
		if (buf[k]) {
			fail(wk, e->cut ? F_REGROWN_NONZERO : F_NONZERO,
			     "a byte between the stamps (never written)", slot, e->id,
			     e->page, 0, (long long)buf[k]);
			return false;
		}
	for (h = 0; h < 2; h++) {
		const struct stamp *got = (const void *)(h ? buf + words - STAMP_WORDS : buf);
		uint32_t magic = h ? STAMP_TAIL : STAMP_HEAD;
		uint64_t seq = h ? e->tail_seq : e->head_seq;
		struct stamp want;

		if (!identity_ok(got, magic, e)) {
			fail(wk, F_FOREIGN_STAMP, h ? "tail stamp names (id << 32 | page)" :
						       "head stamp names (id << 32 | page)",
			     slot, e->id, e->page,
			     (long long)e->id << 32 | e->page,
			     (long long)got->id << 32 | got->page);
			return false;
		}
		if (!e->exact)
			continue;
		if (!seq) {
			if (!is_zero(got, sizeof(*got))) {
				fail(wk, e->cut ? F_REGROWN_NONZERO : F_WRONG_CONTENT,
				     h ? "tail stamp where zero is due (not written, or cut)" :
					 "head stamp where zero is due (not written, or cut)",
				     slot, e->id, e->page, 0, (long long)got->seq);
				return false;
			}
			continue;
		}
		make_stamp(&want, magic, e, h ? e->tail_writer : e->head_writer, seq);
		if (memcmp(got, &want, sizeof(want))) {
			fail(wk, F_WRONG_CONTENT,
			     h ? "tail stamp sequence number (its writer's last)" :
				 "head stamp sequence number (its writer's last)",
			     slot, e->id, e->page, (long long)seq, (long long)got->seq);
			return false;
		}
	}
	return true;
}

static void expect_from(struct expect *e, struct page_exp *pe)
{
	e->cut = LOAD(pe->cut);
	e->head_writer = LOAD(pe->head_writer);
	e->tail_writer = LOAD(pe->tail_writer);
	e->head_seq = LOAD(pe->head_seq);
	e->tail_seq = LOAD(pe->tail_seq);
}

/*
 * The signal @sig (at @f) against the one due, @want (-1: SIGBUS or none,
 * the access raced a resize).  True if the access read the page.
 */
static bool check_signal(struct worker *wk, int slot, int id, long page, char *addr,
			 int sig, int want, const struct fault *f)
{
	if (want >= 0 && sig != want) {
		int kind = F_WRONG_SIGNAL;

		if (sig == SIGBUS && want == 0)
			kind = F_SIGBUS_INSIDE;
		else if (sig == 0 && want == SIGBUS)
			kind = F_NO_SIGBUS_PAST;
		fail(wk, kind, "signal (want, got)", slot, id, page, want, sig);
		return false;
	}
	if (want < 0 && sig && sig != SIGBUS) {
		fail(wk, F_WRONG_SIGNAL, "signal racing a resize (SIGBUS or none, got)",
		     slot, id, page, SIGBUS, sig);
		return false;
	}
	if (!sig)
		return true;
	if ((char *)f->addr < addr || (char *)f->addr >= addr + pg)
		fail(wk, F_WRONG_SIGNAL, "si_addr off the page accessed (offset in the page)",
		     slot, id, page, 0, (long long)((char *)f->addr - addr));
	else if (f->code != (sig == SIGBUS ? BUS_ADRERR : SEGV_ACCERR))
		fail(wk, F_WRONG_SIGNAL, "si_code", slot, id, page,
		     sig == SIGBUS ? BUS_ADRERR : SEGV_ACCERR, f->code);
	if (sig == SIGBUS)
		ADD(wk->st->sigbus_past, want == SIGBUS);
	else
		ADD(wk->st->segv_prot, 1);
	return false;
}

/*
 * Read page @j of mapping @m and check it.  The owner knows everything;
 * others sample the slot's and the page's seqcounts around the access.
 */
static void read_check(struct worker *wk, struct view *v, struct map *m, int j)
{
	struct slot *sl = &wk->sh->slots[v->slot];
	long i = m->pgoff + j;
	char *addr = m->base + (long)j * pg;
	struct page_exp *pe = i < SEG_PAGES ? &sl->pages[i] : NULL;
	struct expect e = { .id = v->id, .gen = v->gen, .page = i };
	struct access a = { .src = (void *)addr, .dst = wk->buf, .words = pg / 8 };
	uint32_t s = 0, ps = 0;
	bool known = true, held = true;
	int32_t cur_id = -1;
	uint64_t bytes = 0;
	struct fault f;
	int sig, want;

	if (v->owner) {
		bytes = sl->bytes;
		if (pe)
			expect_from(&e, pe);
	} else {
		s = seq_read_begin(&sl->seq);
		cur_id = LOAD(sl->id);
		known = false;
		if (!(s & 1) && v->gen) {
			if (cur_id == v->id && LOAD(sl->gen) == v->gen) {
				bytes = LOAD(sl->bytes);
				known = true;
			} else if (LOAD(sl->dead_id) == v->id && LOAD(sl->dead_gen) == v->gen) {
				bytes = LOAD(sl->dead_bytes);
				known = true;
			}
		}
		if (pe) {
			ps = seq_read_begin(&pe->seq);
			expect_from(&e, pe);
		}
	}
	sig = guarded(do_copy, &a, &f);
	if (!v->owner) {
		held = (!pe || seq_read_held(&pe->seq, ps)) && seq_read_held(&sl->seq, s);
		known = known && held;
	}
	/*
	 * Content: the owner's pages, a current segment's when nothing moved,
	 * or the last removed one's until the slot's next creation.
	 */
	e.exact = known && (v->owner || cur_id == v->id || cur_id < 0);

	if (m->prot[j] == PROT_NONE)
		want = SIGSEGV;
	else if (!known)
		want = -1;
	else
		want = i < npages_of(bytes) ? 0 : SIGBUS;
	if (!check_signal(wk, v->slot, v->id, i, addr, sig, want, &f))
		return;
	if (check_page(wk, v->slot, wk->buf, &e)) {
		if (e.exact)
			ADD(wk->st->pages_exact, 1);
		else
			ADD(wk->st->pages_racy, 1);
	}
}

/*
 * The owner writes page @j of its mapping @m: stamps where the page is
 * inside the segment and writable, else a zero byte that must fault.
 */
static void write_check(struct worker *wk, struct view *v, struct map *m, int j)
{
	struct slot *sl = &wk->sh->slots[v->slot];
	long i = m->pgoff + j;
	char *addr = m->base + (long)j * pg;
	int prot = m->prot[j];
	uint64_t bytes = sl->bytes;
	struct expect e = { .id = v->id, .gen = v->gen, .page = i };
	uint32_t writer = wk->w | (wk->child ? CHILD_WRITER : 0);
	struct stamp head, tail;
	struct access a = { 0 };
	struct page_exp *pe;
	bool whole = (uint64_t)(i + 1) * pg <= bytes;
	struct fault f;
	int sig;

	if (!(prot & PROT_WRITE) || i >= npages_of(bytes)) {
		a.byte = addr + pg / 2 + 64;
		sig = guarded(do_poke, &a, &f);
		check_signal(wk, v->slot, v->id, i, addr, sig,
			     prot & PROT_WRITE ? SIGBUS : SIGSEGV, &f);
		return;
	}
	pe = &sl->pages[i];
	seq_write_begin(&pe->seq);
	sl->wseq++;
	make_stamp(&head, STAMP_HEAD, &e, writer, sl->wseq);
	make_stamp(&tail, STAMP_TAIL, &e, writer, sl->wseq);
	a.to = (void *)addr;
	a.from = (const void *)&head;
	sig = guarded(do_store, &a, &f);
	if (!sig && whole) {
		a.to = (void *)(addr + pg - sizeof(tail));
		a.from = (const void *)&tail;
		sig = guarded(do_store, &a, &f);
	}
	if (!sig) {
		STORE(pe->head_writer, writer);
		STORE(pe->head_seq, sl->wseq);
		if (whole) {
			STORE(pe->tail_writer, writer);
			STORE(pe->tail_seq, sl->wseq);
		}
		STORE(pe->cut, 0);
	}
	seq_write_end(&pe->seq);
	if (check_signal(wk, v->slot, v->id, i, addr, sig, 0, &f)) {
		ADD(wk->st->pages_written, 1);
		read_check(wk, v, m, j);
	}
}

/* --- views and mappings --------------------------------------------- */

static bool view_has_map(const struct view *v)
{
	int k;

	for (k = 0; k < VIEW_MAPS; k++)
		if (v->maps[k].base)
			return true;
	return false;
}

static struct map *view_free_map(struct view *v)
{
	int k;

	for (k = 0; k < VIEW_MAPS; k++)
		if (!v->maps[k].base)
			return &v->maps[k];
	return NULL;
}

enum { WANT_OWN = 1, WANT_READER = 2, WANT_FD = 4, WANT_MAP = 8, WANT_ROOM = 16 };

static struct view *pick_view(struct worker *wk, int want)
{
	struct view *cand[NR_VIEWS];
	int k, n = 0;

	for (k = 0; k < NR_VIEWS; k++) {
		struct view *v = &wk->v[k];

		if (!v->used)
			continue;
		if ((want & WANT_OWN) && !(want & WANT_READER) && !v->owner)
			continue;
		if ((want & WANT_READER) && !(want & WANT_OWN) && v->owner)
			continue;
		if ((want & WANT_FD) && v->fd < 0)
			continue;
		if ((want & WANT_MAP) && !view_has_map(v))
			continue;
		if ((want & WANT_ROOM) && !view_free_map(v))
			continue;
		cand[n++] = v;
	}
	return n ? cand[rndn(&wk->rng, n)] : NULL;
}

static struct map *pick_map(struct worker *wk, struct view *v)
{
	struct map *cand[VIEW_MAPS];
	int k, n = 0;

	for (k = 0; k < VIEW_MAPS; k++)
		if (v->maps[k].base)
			cand[n++] = &v->maps[k];
	return n ? cand[rndn(&wk->rng, n)] : NULL;
}

/* The next run of mapped pages in [*a, end): false when there is none. */
static bool next_run(const struct map *m, int *a, int end, int *b)
{
	while (*a < end && m->prot[*a] < 0)
		(*a)++;
	if (*a >= end)
		return false;
	*b = *a;
	while (*b < end && m->prot[*b] >= 0)
		(*b)++;
	return true;
}

/* Drop the unmapped pages at both ends; a hole left inside splits it. */
static void map_trim(struct map *m)
{
	int first = 0, last = m->npages - 1, k;

	while (first < m->npages && m->prot[first] < 0)
		first++;
	if (first == m->npages) {
		memset(m, 0, sizeof(*m));
		return;
	}
	while (m->prot[last] < 0)
		last--;
	memmove(m->prot, m->prot + first, last - first + 1);
	m->base += (long)first * pg;
	m->pgoff += first;
	m->npages = last - first + 1;
	for (k = 0; k < m->npages; k++)
		if (m->prot[k] < 0)
			m->split = true;
}

/* munmap() the mapped pages of [a, b). */
static void map_unmap(struct worker *wk, struct view *v, struct map *m, int a, int b)
{
	int e;

	while (next_run(m, &a, b, &e)) {
		if (munmap(m->base + (long)a * pg, (long)(e - a) * pg))
			fail(wk, F_CALL, "munmap of own pages (errno)", v->slot, v->id,
			     m->pgoff + a, 0, errno);
		memset(m->prot + a, -1, e - a);
		a = e;
	}
	map_trim(m);
}

static void view_drop(struct worker *wk, struct view *v)
{
	int k;

	for (k = 0; k < VIEW_MAPS; k++)
		if (v->maps[k].base)
			map_unmap(wk, v, &v->maps[k], 0, v->maps[k].npages);
	if (v->fd >= 0)
		close(v->fd);
	memset(v, 0, sizeof(*v));
	v->fd = -1;
}

static bool view_idle(struct view *v)
{
	return v->fd < 0 && !view_has_map(v);
}

/* --- operations ------------------------------------------------------- */

static uint64_t rand_bytes(struct worker *wk)
{
	uint64_t n = 1 + rndn(&wk->rng, SEG_PAGES);

	return rndn(&wk->rng, 3) ? n * pg : n * pg - pg / 2;
}

static void record_id(struct shared *sh, int id)
{
	uint32_t n = atomic_fetch_add(&sh->nids, 1);

	if (n < MAX_IDS)
		sh->ids[n] = id;
}

static int own_index(struct worker *wk)
{
	return rndn(&wk->rng, OWN_SLOTS);
}

static int own_slot(struct worker *wk, int k)
{
	return wk->w * OWN_SLOTS + k;
}

/* Bind the owner's view of slot @k's live segment: GET finds its id. */
static bool own_bind(struct worker *wk, int k)
{
	struct slot *sl = &wk->sh->slots[own_slot(wk, k)];
	struct view *v = &wk->v[k];
	int fd, id, ret;

	if (!v->used) {
		*v = (struct view){ .used = true, .owner = true, .slot = own_slot(wk, k),
				    .id = sl->id, .gen = sl->gen, .fd = -1 };
	}
	if (v->fd >= 0) {
		ret = shmdemo_bind(v->fd, v->id, 0);
		if (ret != -EBUSY)
			fail(wk, F_CALL, "BIND of a bound fd (want -EBUSY)", v->slot, v->id, -1,
			     -EBUSY, ret);
		count(wk, OP_BIND);
		return true;
	}
	fd = shmdemo_open(O_RDWR);
	if (fd < 0) {
		fail(wk, F_CALL, "open", v->slot, v->id, -1, 0, fd);
		return true;
	}
	id = shmdemo_get(fd, slot_key(wk->sh, v->slot), 0, 0, 0600);
	if (id != v->id)
		fail(wk, F_CALL, "GET by the owner's key (want its id)", v->slot, v->id, -1,
		     v->id, id);
	ret = shmdemo_bind(fd, v->id, 0);
	if (ret) {
		fail(wk, F_CALL, "BIND of a live segment", v->slot, v->id, -1, 0, ret);
		close(fd);
		return true;
	}
	v->fd = fd;
	count(wk, OP_BIND);
	return true;
}

static bool op_create(struct worker *wk)
{
	struct shared *sh = wk->sh;
	int k = own_index(wk), s = own_slot(wk, k);
	struct slot *sl = &sh->slots[s];
	int key = slot_key(sh, s);
	uint64_t bytes;
	int id, n;

	if (wk->child)
		return false;
	if (sl->id >= 0) {
		/* A live key: GET's answers are exact, the owner knows the size. */
		switch (rndn(&wk->rng, 3)) {
		case 0:
			id = shmdemo_get(wk->ctl, key, pg,
					 SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL, 0600);
			if (id != -EEXIST)
				fail(wk, F_CALL, "GET CREATE|EXCL of a live key", s, sl->id, -1,
				     -EEXIST, id);
			break;
		case 1:
			id = shmdemo_get(wk->ctl, key, 1 + rndn(&wk->rng, sl->bytes),
					 SHMDEMO_GET_CREATE, 0600);
			if (id != sl->id)
				fail(wk, F_CALL, "GET CREATE of a live key, no bigger", s,
				     sl->id, -1, sl->id, id);
			break;
		default:
			id = shmdemo_get(wk->ctl, key, sl->bytes + 1, SHMDEMO_GET_CREATE, 0600);
			if (id != -EINVAL)
				fail(wk, F_CALL, "GET CREATE of a live key, bigger", s, sl->id, -1,
				     -EINVAL, id);
			break;
		}
		count(wk, OP_LOOKUP);
		return true;
	}
	bytes = rand_bytes(wk);
	seq_write_begin(&sl->seq);
	id = shmdemo_get(wk->ctl, key, bytes,
			 SHMDEMO_GET_CREATE | (rndn(&wk->rng, 2) ? SHMDEMO_GET_EXCL : 0), 0600);
	if (id >= 0) {
		STORE(sl->id, id);
		STORE(sl->gen, atomic_fetch_add(&sh->gens, 1) + 1);
		STORE(sl->bytes, bytes);
		sl->created++;
		for (n = 0; n < SEG_PAGES; n++) {
			struct page_exp *pe = &sl->pages[n];

			STORE(pe->cut, 0);
			STORE(pe->head_seq, 0);
			STORE(pe->tail_seq, 0);
		}
	}
	seq_write_end(&sl->seq);
	if (id < 0) {
		fail(wk, F_CALL, "GET CREATE of a free key only its owner creates",
		     s, -1, -1, 0, id);
		return true;
	}
	record_id(sh, id);
	count(wk, OP_CREATE);
	if (rndn(&wk->rng, 2))
		own_bind(wk, k);
	return true;
}

/* A reader's view of another worker's slot: GET by key, then BIND. */
static bool op_lookup(struct worker *wk)
{
	struct shared *sh = wk->sh;
	struct view *v = NULL;
	struct slot *sl;
	int k, s, fd, id, ret, cur;
	bool rdonly;
	uint32_t seq, gen;

	if (wk->child || sh->nslots <= OWN_SLOTS)
		return false;
	for (k = OWN_SLOTS; k < NR_VIEWS && !v; k++)
		if (!wk->v[k].used)
			v = &wk->v[k];
	if (!v) {
		v = &wk->v[OWN_SLOTS + rndn(&wk->rng, READ_VIEWS)];
		view_drop(wk, v);
	}
	do
		s = rndn(&wk->rng, sh->nslots);
	while (s / OWN_SLOTS == wk->w);
	sl = &sh->slots[s];
	rdonly = rndn(&wk->rng, 3) == 0;
	fd = shmdemo_open(rdonly && rndn(&wk->rng, 2) ? O_RDONLY : O_RDWR);
	if (fd < 0) {
		fail(wk, F_CALL, "open", s, -1, -1, 0, fd);
		return true;
	}
	count(wk, OP_LOOKUP);
	seq = seq_read_begin(&sl->seq);
	cur = LOAD(sl->id);
	gen = LOAD(sl->gen);
	id = shmdemo_get(fd, slot_key(sh, s), 0, 0, rdonly ? 0400 : 0600);
	if (seq_read_held(&sl->seq, seq)) {
		if (id != (cur < 0 ? -ENOENT : cur))
			fail(wk, F_CALL, "GET by key while its owner changed nothing", s, cur, -1,
			     cur < 0 ? -ENOENT : cur, id);
	} else {
		gen = 0;
		if (id < 0 && id != -ENOENT)
			fail(wk, F_CALL, "GET by key racing its owner (want id or -ENOENT)", s, cur,
			     -1, -ENOENT, id);
	}
	if (id < 0) {
		close(fd);
		return true;
	}
	if (id != cur)
		gen = 0;
	seq = seq_read_begin(&sl->seq);
	cur = LOAD(sl->id);
	ret = shmdemo_bind(fd, id, rdonly ? SHMDEMO_BIND_RDONLY : 0);
	if (seq_read_held(&sl->seq, seq) && cur == id) {
		if (ret)
			fail(wk, F_CALL, "BIND of a live segment", s, id, -1, 0, ret);
	} else if (ret && ret != -EINVAL) {
		fail(wk, F_CALL, "BIND racing its removal (want 0 or -EINVAL)", s, id, -1,
		     -EINVAL, ret);
	}
	if (ret) {
		close(fd);
		return true;
	}
	count(wk, OP_BIND);
	*v = (struct view){ .used = true, .slot = s, .id = id, .gen = gen, .fd = fd,
			    .rdonly = rdonly };
	return true;
}

static bool op_bind(struct worker *wk)
{
	int k = own_index(wk);

	if (!wk->child && wk->sh->slots[own_slot(wk, k)].id >= 0 && rndn(&wk->rng, 2))
		return own_bind(wk, k);
	return op_lookup(wk);
}

static bool op_mmap(struct worker *wk)
{
	struct view *v = pick_view(wk, WANT_OWN | WANT_READER | WANT_FD | WANT_ROOM);
	struct slot *sl;
	struct map *m;
	long pgoff;
	int n, prot, flags, cur = -1;
	uint32_t seq = 1;
	char *p;

	if (!v)
		return false;
	sl = &wk->sh->slots[v->slot];
	m = view_free_map(v);
	/* Mostly over the segment, often past its end. */
	pgoff = rndn(&wk->rng, 4) ? rndn(&wk->rng, 8) : rndn(&wk->rng, SEG_PAGES);
	n = 1 + rndn(&wk->rng, rndn(&wk->rng, 2) ? SEG_PAGES : MAP_PAGES);
	prot = v->owner ? PROT_READ | PROT_WRITE : PROT_READ;
	flags = v->owner || rndn(&wk->rng, 4) ? MAP_SHARED : MAP_PRIVATE;
	if (!v->owner) {
		seq = seq_read_begin(&sl->seq);
		cur = LOAD(sl->id);
	}
	p = mmap(NULL, (long)n * pg, prot, flags, v->fd, pgoff * pg);
	count(wk, OP_MMAP);
	if (p == MAP_FAILED) {
		int err = errno;

		/* Removed and mapped by nobody: gone, EIDRM. */
		if (v->owner || err != EIDRM ||
		    (seq_read_held(&sl->seq, seq) && cur == v->id && LOAD(sl->gen) == v->gen))
			fail(wk, F_CALL, "mmap of a bound fd (errno)", v->slot, v->id,
			     pgoff, 0, err);
		return true;
	}
	*m = (struct map){ .base = p, .npages = n, .pgoff = pgoff,
			   .shared = flags == MAP_SHARED };
	memset(m->prot, prot, n);
	return true;
}

/* Set up what a write needs: a segment, a binding, a mapping. */
static bool own_prepare(struct worker *wk)
{
	int k = own_index(wk);

	if (wk->sh->slots[own_slot(wk, k)].id < 0)
		return op_create(wk);
	if (!wk->v[k].used || wk->v[k].fd < 0)
		return own_bind(wk, k);
	return op_mmap(wk);
}

static bool op_write(struct worker *wk)
{
	struct view *v = pick_view(wk, WANT_OWN | WANT_MAP);
	struct map *m;
	int j, len, k;

	if (!v)
		return !wk->child && own_prepare(wk);
	m = pick_map(wk, v);
	j = rndn(&wk->rng, m->npages);
	len = 1 + rndn(&wk->rng, 8);
	count(wk, OP_WRITE);
	for (k = j; k < j + len && k < m->npages; k++) {
		if (m->prot[k] < 0)
			continue;
		if (rndn(&wk->rng, 4))
			write_check(wk, v, m, k);
		else
			read_check(wk, v, m, k);
	}
	return true;
}

static bool op_read(struct worker *wk)
{
	struct view *v = pick_view(wk, WANT_OWN | WANT_READER | WANT_MAP);
	struct map *m;
	int j, len, k;

	if (!v)
		return false;
	m = pick_map(wk, v);
	j = rndn(&wk->rng, m->npages);
	len = 1 + rndn(&wk->rng, 16);
	count(wk, OP_READ);
	for (k = j; k < j + len && k < m->npages; k++)
		if (m->prot[k] >= 0)
			read_check(wk, v, m, k);
	return true;
}

static void random_range(struct worker *wk, const struct map *m, int *a, int *b)
{
	*a = rndn(&wk->rng, m->npages);
	*b = *a + 1 + rndn(&wk->rng, m->npages - *a);
	if (!rndn(&wk->rng, 4)) {	/* often the whole mapping */
		*a = 0;
		*b = m->npages;
	}
}

static bool op_mprotect(struct worker *wk)
{
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE };
	struct view *v = pick_view(wk, WANT_OWN | WANT_READER | WANT_MAP);
	struct map *m;
	int a, b, e, prot, want, ret;

	if (!v)
		return false;
	m = pick_map(wk, v);
	random_range(wk, m, &a, &b);
	prot = prots[rndn(&wk->rng, 3)];
	/* A read-only binding's shared mapping can't become writable. */
	want = v->rdonly && m->shared && (prot & PROT_WRITE) ? EACCES : 0;
	if (a || b != m->npages)
		m->split = true;
	count(wk, OP_MPROTECT);
	while (next_run(m, &a, b, &e)) {
		ret = mprotect(m->base + (long)a * pg, (long)(e - a) * pg, prot) ? errno : 0;
		if (ret != want)
			fail(wk, F_CALL, "mprotect (errno)", v->slot, v->id,
			     m->pgoff + a, want, ret);
		if (!ret)
			memset(m->prot + a, prot, e - a);
		a = e;
	}
	return true;
}

static bool op_munmap(struct worker *wk)
{
	struct view *v = pick_view(wk, WANT_OWN | WANT_READER | WANT_MAP);
	struct map *m;
	int a, b;

	if (!v)
		return false;
	m = pick_map(wk, v);
	random_range(wk, m, &a, &b);
	count(wk, OP_MUNMAP);
	map_unmap(wk, v, m, a, b);
	return true;
}

static bool op_mremap(struct worker *wk)
{
	struct view *v = pick_view(wk, WANT_OWN | WANT_READER | WANT_MAP);
	struct map *m;
	int k, n, prot;
	char *p;

	if (!v)
		return false;
	m = pick_map(wk, v);
	prot = m->prot[0];
	for (k = 0; k < m->npages; k++)
		if (m->prot[k] != prot)
			return false;	/* holes or mixed protections */
	do
		n = 1 + rndn(&wk->rng, MAP_PAGES);
	while (n == m->npages);
	count(wk, OP_MREMAP);
	p = mremap(m->base, (long)m->npages * pg, (long)n * pg, MREMAP_MAYMOVE);
	if (p == MAP_FAILED) {
		/* EFAULT: the range spans VMAs an mprotect() split. */
		if (errno != EFAULT || !m->split)
			fail(wk, F_CALL, "mremap (errno)", v->slot, v->id, m->pgoff, 0, errno);
		return true;
	}
	if (n > m->npages)
		memset(m->prot + m->npages, prot, n - m->npages);
	m->base = p;
	m->npages = n;
	return true;
}

static bool op_msync(struct worker *wk)
{
	static const int flags[] = {
		MS_ASYNC, MS_SYNC, MS_SYNC | MS_INVALIDATE, MS_ASYNC | MS_INVALIDATE,
	};
	struct view *v = pick_view(wk, WANT_OWN | WANT_READER | WANT_MAP);
	struct map *m;
	int a, b, e;

	if (!v)
		return false;
	m = pick_map(wk, v);
	random_range(wk, m, &a, &b);
	if (!next_run(m, &a, b, &e))
		return false;
	count(wk, OP_MSYNC);
	if (msync(m->base + (long)a * pg, (long)(e - a) * pg, flags[rndn(&wk->rng, 4)]))
		fail(wk, F_CALL, "msync (errno)", v->slot, v->id, m->pgoff + a, 0, errno);
	return true;
}

/* After a shrink: the owner's pages past the size raise SIGBUS at once. */
static void own_check_cut(struct worker *wk, struct view *v, long from, long to)
{
	int k, j;

	for (k = 0; k < VIEW_MAPS; k++) {
		struct map *m = &v->maps[k];

		if (!m->base)
			continue;
		for (j = 0; j < m->npages; j++) {
			long i = m->pgoff + j;

			if (i >= from - 1 && i < to && m->prot[j] >= 0)
				read_check(wk, v, m, j);
		}
	}
}

static bool op_resize(struct worker *wk)
{
	int k = own_index(wk), s = own_slot(wk, k);
	struct slot *sl = &wk->sh->slots[s];
	struct view *v = &wk->v[k];
	uint64_t old = sl->bytes, bytes;
	long n, i;
	int ret;

	if (wk->child || sl->id < 0)
		return false;
	do
		bytes = rand_bytes(wk);
	while (bytes == old);
	n = npages_of(bytes);
	seq_write_begin(&sl->seq);
	ret = shmdemo_resize(wk->ctl, sl->id, bytes);
	if (!ret) {
		STORE(sl->bytes, bytes);
		for (i = n; i < SEG_PAGES && bytes < old; i++) {
			struct page_exp *pe = &sl->pages[i];

			if (i < npages_of(old))
				STORE(pe->cut, 1);
			STORE(pe->head_seq, 0);
			STORE(pe->tail_seq, 0);
		}
		/* The kernel zeroes the tail of a new partial last page. */
		if (bytes < old && bytes % pg)
			STORE(sl->pages[n - 1].tail_seq, 0);
	}
	seq_write_end(&sl->seq);
	count(wk, bytes > old ? OP_GROW : OP_SHRINK);
	if (ret) {
		fail(wk, F_CALL, "RESIZE by the owner", s, sl->id, -1, 0, ret);
		return true;
	}
	if (bytes < old && v->used)
		own_check_cut(wk, v, n, npages_of(old));
	return true;
}

static bool op_stat(struct worker *wk)
{
	struct view *v = pick_view(wk, WANT_OWN | WANT_READER);
	struct shmdemo_stat st;
	struct slot *sl;
	uint32_t seq;
	uint64_t bytes;
	int ret, cur;
	bool exact;

	if (!v)
		return false;
	sl = &wk->sh->slots[v->slot];
	seq = seq_read_begin(&sl->seq);
	cur = LOAD(sl->id);
	bytes = LOAD(sl->bytes);
	ret = shmdemo_stat(wk->ctl, v->id, &st);
	exact = v->owner || (seq_read_held(&sl->seq, seq) && cur == v->id &&
			     LOAD(sl->gen) == v->gen);
	count(wk, OP_STAT);
	if (!exact) {
		if (ret && ret != -EINVAL)
			fail(wk, F_CALL, "STAT racing a removal (want 0 or -EINVAL)", v->slot,
			     v->id, -1, -EINVAL, ret);
		return true;
	}
	if (ret) {
		fail(wk, F_CALL, "STAT of a live segment", v->slot, v->id, -1, 0, ret);
		return true;
	}
	if (st.bytes != bytes)
		fail(wk, F_CALL, "STAT bytes (its owner's size)", v->slot, v->id, -1,
		     bytes, st.bytes);
	if (st.key != slot_key(wk->sh, v->slot) || st.flags)
		fail(wk, F_CALL, "STAT key (flags must be 0)", v->slot, v->id, -1,
		     slot_key(wk->sh, v->slot), st.key | (long long)st.flags << 32);
	/* No page past the size stays in (or enters) the page cache. */
	if (st.counters.pages_resident > (uint64_t)npages_of(bytes))
		fail(wk, F_CALL, "STAT resident pages (at most the size)", v->slot, v->id, -1,
		     npages_of(bytes), st.counters.pages_resident);
	return true;
}

static void own_verify_all(struct worker *wk, struct view *v)
{
	int k, j;

	for (k = 0; k < VIEW_MAPS; k++)
		for (j = 0; v->maps[k].base && j < v->maps[k].npages; j++)
			if (v->maps[k].prot[j] >= 0)
				read_check(wk, v, &v->maps[k], j);
}

/*
 * Remove an owned segment: unmapped and closed first, or still mapped -
 * then it stays reachable by id, flagged DEST, with every stamp intact,
 * and the owner's view becomes a reader's of a frozen segment.
 */
static bool op_rmid(struct worker *wk)
{
	int k = own_index(wk), s = own_slot(wk, k);
	struct slot *sl = &wk->sh->slots[s];
	struct view *v = &wk->v[k];
	struct shmdemo_stat st;
	int id = sl->id, ret, r;
	bool mapped;

	if (wk->child || id < 0)
		return false;
	if (v->used && rndn(&wk->rng, 2))
		view_drop(wk, v);
	mapped = v->used && view_has_map(v);
	seq_write_begin(&sl->seq);
	ret = shmdemo_rmid(wk->ctl, id);
	if (!ret) {
		STORE(sl->dead_id, id);
		STORE(sl->dead_gen, sl->gen);
		STORE(sl->dead_bytes, sl->bytes);
		STORE(sl->id, -1);
		sl->removed++;
	}
	seq_write_end(&sl->seq);
	count(wk, OP_RMID);
	if (ret) {
		fail(wk, F_CALL, "RMID by the owner", s, id, -1, 0, ret);
		return true;
	}
	if (!v->used)
		return true;
	if (mapped) {
		ret = shmdemo_stat(wk->ctl, id, &st);
		if (ret || !(st.flags & SHMDEMO_SEG_DEST) || st.key != SHMDEMO_KEY_PRIVATE)
			fail(wk, F_CALL, "STAT of a removed mapped segment (DEST, key 0)", s, id,
			     -1, 0, ret ? ret : (long long)st.flags << 32 | (uint32_t)st.key);
		own_verify_all(wk, v);
	}
	/* Keep it as a reader's view, if there is room. */
	for (r = OWN_SLOTS; r < NR_VIEWS; r++)
		if (!wk->v[r].used) {
			wk->v[r] = *v;
			wk->v[r].owner = false;
			memset(v, 0, sizeof(*v));
			v->fd = -1;
			return true;
		}
	view_drop(wk, v);
	return true;
}

static bool op_close(struct worker *wk)
{
	struct view *v = pick_view(wk, WANT_OWN | WANT_READER | WANT_FD);

	if (!v)
		return false;
	count(wk, OP_CLOSE);
	if (!rndn(&wk->rng, 3)) {
		view_drop(wk, v);
		return true;
	}
	close(v->fd);
	v->fd = -1;
	if (view_idle(v))
		view_drop(wk, v);
	return true;
}

static bool do_op(struct worker *wk, int op);

/* The child touches what its parent had mapped, maps once more, exits. */
static void fork_child(struct worker *wk)
{
	static const int ops[] = { OP_WRITE, OP_READ, OP_READ, OP_MMAP };
	int k, n = 1 + rndn(&wk->rng, 3);

	wk->child = true;
	for (k = 0; k < n; k++)
		do_op(wk, ops[rndn(&wk->rng, 4)]);
	_exit(0);
}

static bool op_fork(struct worker *wk)
{
	uint64_t seed = rnd(&wk->rng);
	int status = 0;
	pid_t pid, ret;

	if (wk->child)
		return false;
	count(wk, OP_FORK);
	pid = fork();
	if (pid < 0) {
		fail(wk, F_CALL, "fork (errno)", -1, -1, -1, 0, errno);
		return true;
	}
	if (pid == 0) {
		wk->rng = seed;
		fork_child(wk);
	}
	do
		ret = waitpid(pid, &status, 0);
	while (ret < 0 && errno == EINTR);
	if (ret != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		fail(wk, F_CHILD, "fork child's wait status", -1, -1, -1, 0, status);
	return true;
}

static bool do_op(struct worker *wk, int op)
{
	wk->op = op;
	switch (op) {
	case OP_CREATE:
		return op_create(wk);
	case OP_LOOKUP:
		return op_lookup(wk);
	case OP_BIND:
		return op_bind(wk);
	case OP_MMAP:
		return op_mmap(wk);
	case OP_WRITE:
		return op_write(wk);
	case OP_READ:
		return op_read(wk);
	case OP_FORK:
		return op_fork(wk);
	case OP_MPROTECT:
		return op_mprotect(wk);
	case OP_MUNMAP:
		return op_munmap(wk);
	case OP_MREMAP:
		return op_mremap(wk);
	case OP_GROW:
	case OP_SHRINK:
		return op_resize(wk);
	case OP_MSYNC:
		return op_msync(wk);
	case OP_STAT:
		return op_stat(wk);
	case OP_RMID:
		return op_rmid(wk);
	case OP_CLOSE:
		return op_close(wk);
	}
	return false;
}

/* Relative weights of the operations a worker picks. */
static const unsigned char op_weight[NR_OPS] = {
	[OP_CREATE] = 5, [OP_LOOKUP] = 8, [OP_BIND] = 4, [OP_MMAP] = 10,
	[OP_WRITE] = 22, [OP_READ] = 22, [OP_FORK] = 1, [OP_MPROTECT] = 5,
	[OP_MUNMAP] = 5, [OP_MREMAP] = 4, [OP_GROW] = 4, [OP_SHRINK] = 4,
	[OP_MSYNC] = 3, [OP_STAT] = 3, [OP_RMID] = 2, [OP_CLOSE] = 4,
};

static int pick_op(struct worker *wk)
{
	unsigned int total = 0, r;
	int op;

	for (op = 0; op < NR_OPS; op++)
		total += op_weight[op];
	r = rndn(&wk->rng, total);
	for (op = 0; r >= op_weight[op]; op++)
		r -= op_weight[op];
	return op;
}

static void *worker_thread(void *arg)
{
	struct worker *wk = arg;
	int tries;

	while (!atomic_load(&exit_req) && shmdemo_now() < wk->sh->deadline) {
		wk->opno++;
		for (tries = 0; tries < 4; tries++)
			if (do_op(wk, pick_op(wk)))
				break;
	}
	/* Everything stays mapped and open: the process exit tears it down. */
	return NULL;
}

/*
 * One worker process: M threads until the deadline, or until its planned
 * exit (then the test starts it again, and its owners find their segments
 * by key).  Returns the exit status.
 */
static int worker_process(struct shared *sh, int proc, int incarnation)
{
	uint64_t r = mix(sh->seed, proc + 1000, incarnation);
	pthread_t th[MAX_THREADS];
	struct worker *wks;
	double left = sh->deadline - shmdemo_now(), exit_at = 0;
	int t, started = 0;

	wks = calloc(sh->nthr, sizeof(*wks));
	if (!wks)
		return 90;
	for (t = 0; t < sh->nthr; t++) {
		struct worker *wk = &wks[t];
		int k;

		wk->sh = sh;
		wk->w = proc * sh->nthr + t;
		wk->st = &sh->stats[wk->w];
		wk->rng = mix(sh->seed, wk->w, incarnation);
		wk->buf = malloc(pg);
		wk->ctl = shmdemo_open(O_RDWR);
		for (k = 0; k < NR_VIEWS; k++)
			wk->v[k].fd = -1;
		if (!wk->buf || wk->ctl < 0)
			return 91;
	}
	/* Process 0's first life always ends early: every run has an exit. */
	if ((rndn(&r, 2) || (!proc && !incarnation)) && left > 1.5)
		exit_at = shmdemo_now() + 0.5 + (left - 1.0) * (rndn(&r, 1000) / 1000.0);
	for (t = 0; t < sh->nthr; t++) {
		if (pthread_create(&th[t], NULL, worker_thread, &wks[t]))
			break;
		started++;
	}
	if (started < sh->nthr)
		atomic_store(&exit_req, 1);
	while (exit_at && !atomic_load(&exit_req) && shmdemo_now() < exit_at)
		usleep(10000);
	if (exit_at)
		atomic_store(&exit_req, 1);
	for (t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	if (started < sh->nthr)
		return 92;
	return exit_at ? EXIT_RESPAWN : 0;
}

/* --- the test's own checks ------------------------------------------ */

/* Fold the per-cpu vmstat deltas into the counters /proc/meminfo shows. */
static void vmstat_fold(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return;
	n = write(fd, "1\n", 2);
	(void)n;
	close(fd);
}

/* Pages flagged unevictable in /proc/kpageflags (root), or -1. */
static long kpageflags_unevictable(void)
{
	const uint64_t unevictable = 1ULL << 18;	/* KPF_UNEVICTABLE */
	uint64_t flags[4096];
	long pages = 0;
	ssize_t n, k;
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, flags, sizeof(flags))) > 0)
		for (k = 0; k < n / 8; k++)
			pages += !!(flags[k] & unevictable);
	close(fd);
	return n < 0 ? -1 : pages;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/* Lines of /proc/shmdemo naming one of our keys or ids; -1 if unreadable. */
static int proc_lines_of_ours(struct shared *sh, const int *ids, int nids)
{
	char line[512];
	int key, id, found = 0;
	FILE *f = fopen("/proc/shmdemo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%d %d", &key, &id) != 2)
			continue;	/* the header */
		if ((key >= sh->key_base && key < sh->key_base + sh->nslots) ||
		    (nids && bsearch(&id, ids, nids, sizeof(*ids), cmp_int)))
			found++;
	}
	fclose(f);
	return found;
}

/*
 * With every worker gone: the live segment of slot @s, mapped afresh by
 * the test, must hold exactly what its owner last wrote, raise SIGBUS past
 * its size, have no mapping left (nattch) and, once read, every page of
 * its size resident and none more.  Returns the bytes compared.
 */
static long verify_final(struct worker *wk, int s)
{
	struct shared *sh = wk->sh;
	struct slot *sl = &sh->slots[s];
	long n = npages_of(sl->bytes), i, verified = 0;
	struct view v = { .used = true, .owner = true, .slot = s, .id = sl->id,
			  .gen = sl->gen };
	struct map m = { .npages = n + 2, .shared = true };
	struct shmdemo_stat st;
	int fd, id, ret;

	id = shmdemo_get(wk->ctl, slot_key(sh, s), 0, 0, 0600);
	if (id != sl->id) {
		fail(wk, F_CALL, "final GET by key (its owner's last id)", s, sl->id, -1,
		     sl->id, id);
		return 0;
	}
	ret = shmdemo_stat(wk->ctl, id, &st);
	if (ret || st.bytes != sl->bytes || st.nattch || st.flags ||
	    st.counters.pages_resident > (uint64_t)n)
		fail(wk, F_CALL, "final STAT: bytes as owned, nattch 0, flags 0, resident <= size (bytes, nattch << 32 | resident)",
		     s, id, -1, (long long)sl->bytes,
		     ret ? ret : (long long)(st.nattch << 32 | st.counters.pages_resident));
	fd = shmdemo_open(O_RDWR);
	if (fd < 0 || shmdemo_bind(fd, id, 0)) {
		fail(wk, F_CALL, "final open and BIND", s, id, -1, 0, fd < 0 ? fd : -errno);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	m.base = mmap(NULL, m.npages * pg, PROT_READ, MAP_SHARED, fd, 0);
	if (m.base == MAP_FAILED) {
		fail(wk, F_CALL, "final mmap (errno)", s, id, -1, 0, errno);
		close(fd);
		return 0;
	}
	memset(m.prot, PROT_READ, m.npages);
	v.maps[0] = m;
	for (i = 0; i < m.npages; i++) {
		unsigned long long before = wk->st->pages_exact;

		read_check(wk, &v, &v.maps[0], i);
		verified += (wk->st->pages_exact - before) * pg;
	}
	ret = shmdemo_stat(wk->ctl, id, &st);
	if (ret || st.counters.pages_resident != (uint64_t)n)
		fail(wk, F_CALL, "final STAT after reading every page: resident = size", s, id,
		     -1, n, ret ? ret : (long long)st.counters.pages_resident);
	munmap(m.base, m.npages * pg);
	close(fd);
	return verified;
}

static void log_failure(struct __test_metadata *_metadata, const struct failure *f)
{
	TH_LOG("FAIL %s: %s: worker %d (%s #%llu) slot %d id %d page %ld: want %lld (%#llx) got %lld (%#llx)",
	       fail_names[f->kind], f->what, f->worker,
	       f->worker < 0 ? "final check" : op_names[f->op], f->opno, f->slot, f->id, f->page,
	       f->want, (unsigned long long)f->want, f->got, (unsigned long long)f->got);
}

static void env_int(const char *name, int *val, int lo, int hi)
{
	const char *s = getenv(name);

	if (s && *s)
		*val = atoi(s);
	if (*val < lo)
		*val = lo;
	if (*val > hi)
		*val = hi;
}

FIXTURE(stress) {
	int fd;
	struct shared *sh;
	pid_t pids[MAX_PROCS];
	bool unloaded;		/* by this test: reload it in the teardown */
};

FIXTURE_SETUP(stress)
{
	int k;

	pg = shmdemo_page_size();
	self->sh = MAP_FAILED;
	self->unloaded = false;
	for (k = 0; k < MAX_PROCS; k++)
		self->pids[k] = 0;
	self->fd = shmdemo_open(O_RDWR);
	if (self->fd == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(stress)
{
	int k;

	/* Only after a failed ASSERT are workers left: stop them. */
	for (k = 0; k < MAX_PROCS; k++)
		if (self->pids[k] > 0) {
			kill(self->pids[k], SIGKILL);
			waitpid(self->pids[k], NULL, 0);
		}
	if (self->fd >= 0)
		close(self->fd);
	if (self->unloaded)
		EXPECT_EQ(0, shmdemo_reload());
	if (self->sh != MAP_FAILED)
		munmap(self->sh, sizeof(*self->sh));
}

/*
 * Run the workers until the deadline, starting again each one that made
 * its planned exit.  Returns the number of planned exits.
 */
static int run_workers(struct __test_metadata *_metadata, struct worker *me,
		       pid_t *pids)
{
	struct shared *sh = me->sh;
	int incarnation[MAX_PROCS] = { 0 }, alive = 0, exits = 0, status, k;
	pid_t pid;

	for (k = 0; k < sh->nproc; k++) {
		pids[k] = fork();
		ASSERT_LE(0, pids[k]);
		if (pids[k] == 0)
			_exit(worker_process(sh, k, 0));
		alive++;
	}
	while (alive) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		ASSERT_LE(0, pid);
		if (pid == 0) {
			if (shmdemo_now() > sh->deadline + HANG_SECONDS) {
				fail(me, F_CHILD, "workers running past the deadline (how many)",
				     -1, -1, -1, 0, alive);
				for (k = 0; k < sh->nproc; k++)
					if (pids[k] > 0)
						kill(pids[k], SIGKILL);
			}
			usleep(20000);
			continue;
		}
		for (k = 0; k < sh->nproc && pids[k] != pid; k++)
			;
		ASSERT_LT(k, sh->nproc);
		pids[k] = 0;
		if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_RESPAWN) {
			exits++;
			ADD(me->st->ops[OP_EXIT], 1);
			if (shmdemo_now() < sh->deadline - 0.2) {
				incarnation[k]++;
				pids[k] = fork();
				ASSERT_LE(0, pids[k]);
				if (pids[k] == 0)
					_exit(worker_process(sh, k, incarnation[k]));
				continue;
			}
		} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fail(me, F_CHILD, "worker process's wait status", -1, -1, -1, 0, status);
		}
		alive--;
	}
	return exits;
}

TEST_F_TIMEOUT(stress, random_ops_keep_every_page_exact_and_leave_nothing_behind, 240)
{
	int nproc = 3, nthr = 2, seconds = 8, k, s, exits, nids, left, sole;
	long free0, unevict0, slab0, refcnt0, free2, unevict2, slab2, leaked = 0;
	long kpf0, kpf2;
	double t_start, t_end;
	unsigned long long tot[NR_OPS] = { 0 }, written = 0, exact = 0, racy = 0;
	unsigned long long sigbus = 0, segv = 0, final_bytes = 0;
	unsigned int created = 0, removed = 0, live = 0;
	struct shmdemo_info info0, info1, info2;
	struct shmdemo_list list = { .size = sizeof(list) };
	struct worker me = { .w = -1, .ctl = -1 };
	const char *seed_env = getenv("SHMDEMO_SEED");
	char opsline[512];
	struct shared *sh;
	int *ids, *listed;
	size_t len;

	SHMDEMO_NEED_DEVICE(self->fd);
	env_int("SHMDEMO_STRESS_PROCS", &nproc, 1, MAX_PROCS);
	env_int("SHMDEMO_STRESS_THREADS", &nthr, 1, MAX_THREADS);
	env_int("SHMDEMO_STRESS_SECONDS", &seconds, 1, MAX_SECONDS);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	self->sh = sh;
	memset(sh, 0, sizeof(*sh));	/* every page in before the baseline */
	sh->seed = seed_env && *seed_env ? strtoull(seed_env, NULL, 0) :
		   (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	sh->nproc = nproc;
	sh->nthr = nthr;
	sh->nslots = nproc * nthr * OWN_SLOTS;
	sh->key_base = STRESS_KEY_BASE | (getpid() & 0xff) << 8;
	for (s = 0; s < MAX_SLOTS; s++) {
		sh->slots[s].id = -1;
		sh->slots[s].dead_id = -1;
	}
	TH_LOG("seed %llu (replay: SHMDEMO_SEED=%llu), %d processes x %d threads, %d s, keys %#x-%#x",
	       (unsigned long long)sh->seed, (unsigned long long)sh->seed, nproc, nthr,
	       seconds, sh->key_base, sh->key_base + sh->nslots - 1);

	me.sh = sh;
	me.st = &sh->stats[MAX_WORKERS];
	me.ctl = self->fd;
	me.buf = malloc(pg);
	ASSERT_NE(NULL, me.buf);
	ASSERT_EQ(0, catch_faults());

	/* Keys of a crashed earlier run with our pid byte: theirs, not ours. */
	for (s = 0; s < sh->nslots; s++) {
		int id = shmdemo_get(self->fd, slot_key(sh, s), 0, 0, 0);

		if (id >= 0) {
			TH_LOG("removing stale segment %d with key %#x", id, slot_key(sh, s));
			ASSERT_EQ(0, shmdemo_rmid(self->fd, id));
		}
	}

	ASSERT_EQ(0, shmdemo_info(self->fd, &info0));
	refcnt0 = shmdemo_module_refcnt();
	sole = !geteuid() && getenv("SHMDEMO_MODULE") && !info0.segments && refcnt0 == 1;
	vmstat_fold();
	free0 = shmdemo_free_kb();
	unevict0 = shmdemo_meminfo_kb("Unevictable");
	slab0 = shmdemo_meminfo_kb("SUnreclaim");
	kpf0 = kpageflags_unevictable();

	t_start = shmdemo_now();
	sh->deadline = t_start + seconds;
	exits = run_workers(_metadata, &me, self->pids);
	t_end = shmdemo_now();

	/* Every worker is gone: every live segment is as its owner left it. */
	for (s = 0; s < sh->nslots; s++) {
		created += sh->slots[s].created;
		removed += sh->slots[s].removed;
		if (sh->slots[s].id >= 0) {
			live++;
			final_bytes += verify_final(&me, s);
		}
	}
	for (s = 0; s < sh->nslots; s++)
		if (sh->slots[s].id >= 0)
			EXPECT_EQ(0, shmdemo_rmid(self->fd, sh->slots[s].id));
	for (s = 0; s < sh->nslots; s++)
		EXPECT_EQ(-ENOENT, shmdemo_get(self->fd, slot_key(sh, s), 0, 0, 0));

	/* Every segment this test created is gone: by id, from LIST, from /proc. */
	nids = atomic_load(&sh->nids);
	if (nids > MAX_IDS) {
		TH_LOG("%d segments created, the last %d not tracked", nids, nids - MAX_IDS);
		nids = MAX_IDS;
	}
	EXPECT_EQ(created, (unsigned int)nids);
	ids = malloc((nids + 1) * sizeof(*ids));
	ASSERT_NE(NULL, ids);
	memcpy(ids, sh->ids, nids * sizeof(*ids));
	qsort(ids, nids, sizeof(*ids), cmp_int);
	left = 0;
	for (k = 0; k < nids; k++) {
		struct shmdemo_stat st;

		left += shmdemo_stat(self->fd, ids[k], &st) != -EINVAL;
	}
	EXPECT_EQ(0, left);
	listed = calloc(4096, sizeof(*listed));
	ASSERT_NE(NULL, listed);
	list.count = 4096;
	list.ids_ptr = (uintptr_t)listed;
	ASSERT_EQ(0, shmdemo_ioctl(self->fd, SHMDEMO_IOC_LIST, &list));
	left = 0;
	for (k = 0; k < (int)list.count && k < 4096; k++)
		left += !!bsearch(&listed[k], ids, nids, sizeof(*ids), cmp_int);
	EXPECT_EQ(0, left);
	EXPECT_EQ(0, proc_lines_of_ours(sh, ids, nids));
	free(listed);

	/* The module's own accounting: every page we faulted in is freed. */
	ASSERT_EQ(0, shmdemo_info(self->fd, &info1));
	EXPECT_EQ(info0.segments, info1.segments);
	EXPECT_EQ(info0.resident_pages, info1.resident_pages);
	EXPECT_EQ(info0.user_pages, info1.user_pages);
	leaked = (long)(info1.user_pages - info0.user_pages);

	/* Summary. */
	for (k = 0; k <= MAX_WORKERS; k++) {
		struct wstats *st = &sh->stats[k];
		int op;

		for (op = 0; op < NR_OPS; op++)
			tot[op] += st->ops[op];
		written += st->pages_written;
		exact += st->pages_exact;
		racy += st->pages_racy;
		sigbus += st->sigbus_past;
		segv += st->segv_prot;
	}
	len = 0;
	for (k = 0; k < NR_OPS; k++)
		len += snprintf(opsline + len, sizeof(opsline) - len, " %s %llu",
				op_names[k], tot[k]);
	TH_LOG("ops:%s", opsline);
	TH_LOG("pages: %llu written, %llu checked exactly (%llu bytes verified, %llu of them at the end), %llu raced the owner (identity checked), %llu SIGBUS past the size, %llu SIGSEGV by protection",
	       written, exact, exact * pg, final_bytes, racy, sigbus, segv);
	TH_LOG("segments: %u created, %u removed, %u verified at the end; %d planned process exits; pages leaked %ld",
	       created, removed, live, exits, leaked);
	TH_LOG("run: %.1f s for a %d s deadline", t_end - t_start, seconds);
	for (k = 0; k < (int)atomic_load(&sh->nfail) && k < MAX_FAILS; k++)
		log_failure(_metadata, &sh->fails[k]);
	if (atomic_load(&sh->nfail) > MAX_FAILS) {
		TH_LOG("%u failures; the first of each kind:", atomic_load(&sh->nfail));
		for (k = 0; k < NR_FAIL_KINDS; k++)
			if (atomic_load(&sh->nfail_kind[k])) {
				TH_LOG("%u x %s", atomic_load(&sh->nfail_kind[k]), fail_names[k]);
				log_failure(_metadata, &sh->first[k]);
			}
	}
	EXPECT_EQ(0, atomic_load(&sh->nfail)) {
		TH_LOG("replay with SHMDEMO_SEED=%llu", (unsigned long long)sh->seed);
	}
	EXPECT_EQ(0, leaked);

	if (!sole) {
		TH_LOG("not unloading: %s", geteuid() ? "not root" :
		       !getenv("SHMDEMO_MODULE") ? "SHMDEMO_MODULE not set (run under tools/vm/run)" :
		       "the module had other users at the start");
		free(ids);
		return;
	}
	/* Unload: every page back, nothing of ours after the reload. */
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, shmdemo_module_refcnt());
	ASSERT_EQ(0, shmdemo_unload());
	self->unloaded = true;
	vmstat_fold();
	free2 = shmdemo_free_kb();
	unevict2 = shmdemo_meminfo_kb("Unevictable");
	slab2 = shmdemo_meminfo_kb("SUnreclaim");
	kpf2 = kpageflags_unevictable();
	ASSERT_EQ(0, shmdemo_reload());
	self->unloaded = false;
	TH_LOG("after rmmod: free %ld -> %ld kB, Unevictable %ld -> %ld kB, unevictable pages (kpageflags) %ld -> %ld: pages leaked %ld, SUnreclaim %ld -> %ld kB",
	       free0, free2, unevict0, unevict2, kpf0, kpf2, kpf2 > kpf0 ? kpf2 - kpf0 : 0,
	       slab0, slab2);
	EXPECT_GE(free2, free0 - FREE_SLACK_KB);
	EXPECT_LE(unevict2, unevict0);
	EXPECT_LE(kpf2, kpf0);
	EXPECT_LE(slab2, slab0 + SLAB_SLACK_KB * sysconf(_SC_NPROCESSORS_ONLN));
	self->fd = shmdemo_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, shmdemo_info(self->fd, &info2));
	EXPECT_EQ(0, info2.segments);
	EXPECT_EQ(0, info2.resident_pages);
	EXPECT_EQ(0, info2.user_pages);
	EXPECT_EQ(0, proc_lines_of_ours(sh, ids, 0));
	free(ids);
}

TEST_HARNESS_MAIN
