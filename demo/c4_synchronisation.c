// SPDX-License-Identifier: GPL-2.0
/*
 * C4: shared memory needs synchronisation.  Two processes increment one
 * counter in the segment, each C4_RACY times, with a plain load and store
 * (counter = counter + 1), from a start line they cross together: when
 * they run at once, increments are lost.
 * Then each increments a second counter C4_LOCKED times under a
 * process-shared pthread mutex that lives in the segment too: the count
 * is exact.  Natively a SysV segment, on the device a segment of ours;
 * both through libshmdemo, both inherited across fork().  Evidence: the
 * CPUs online (lost updates need two running at once), both counts, the
 * time each phase took.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "demo.h"

#define C4_RACY		10000000L	/* per process, unsynchronised */
#define C4_LOCKED	100000L		/* per process, under the mutex */

/* What the segment holds. */
struct c4_shared {
	pthread_mutex_t mutex;		/* PTHREAD_PROCESS_SHARED */
	int arrived;			/* the start line: atomics */
	volatile long racy;
	long locked;
};

/* Both processes start a phase together (@n: 2 for the first, 4 for the second). */
static void c4_start_line(struct c4_shared *s, int n)
{
	__atomic_add_fetch(&s->arrived, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&s->arrived, __ATOMIC_ACQUIRE) < n)
		;
}

struct c4_arg {
	struct c4_shared *s;
};

static uint64_t c4_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One process: the racy phase at the first "go", the locked one at the second. */
static int c4_child(struct demo_chan *ch, void *varg)
{
	struct c4_shared *s = ((struct c4_arg *)varg)->s;
	char done = 'd';
	long i, v;

	if (demo_chan_wait(ch))
		return 1;
	c4_start_line(s, 2);
	for (i = 0; i < C4_RACY; i++) {
		v = s->racy;		/* load ... */
		s->racy = v + 1;	/* ... store: another process may have stored between */
	}
	if (demo_chan_send(ch, &done, 1) || demo_chan_wait(ch))
		return 1;
	c4_start_line(s, 4);
	for (i = 0; i < C4_LOCKED; i++) {
		if (pthread_mutex_lock(&s->mutex))
			return 2;
		s->locked++;
		pthread_mutex_unlock(&s->mutex);
	}
	return demo_chan_send(ch, &done, 1) ? 1 : 0;
}

/* Both children through one phase: go, then each says it is done. */
static int c4_phase(struct demo_child *c, uint64_t *ns)
{
	uint64_t t0 = c4_now();
	char done;
	int k, ret = 0;

	for (k = 0; k < 2 && !ret; k++)
		ret = demo_child_go(&c[k]);
	for (k = 0; k < 2 && !ret; k++)
		ret = demo_child_recv(&c[k], &done, 1);
	*ns = c4_now() - t0;
	return ret;
}

static int c4_run(struct demo_result *r, int side)
{
	struct demo_c4 *e = &r->c4[side];
	enum demo_sec sec = demo_sec_of(side);
	struct shmd_open_opts o = {
		.sz = sizeof(o), .backend = side == DEMO_NATIVE ? SHMD_BACKEND_SYSV :
								SHMD_BACKEND_DEVICE,
		.key = SHMD_KEY_PRIVATE, .size = (uint64_t)r->pagesize, .flags = SHMD_CREATE,
		.mode = 0600,
	};
	struct demo_child c[2];
	pthread_mutexattr_t ma;
	struct c4_arg arg;
	struct shmd_seg *seg;
	int k, started = 0, ret, wret = 0;

	e->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	e->racy_each = C4_RACY;
	e->locked_each = C4_LOCKED;
	ret = shmd_seg_open(&o, &seg);
	if (ret)
		return demo_fail(r, side, ret, "create the segment");
	ret = shmd_attach(seg, NULL, 0, (void **)&arg.s);
	if (ret) {
		shmd_remove(seg);
		shmd_seg_close(seg);
		return demo_fail(r, side, ret, "attach");
	}
	memset(arg.s, 0, sizeof(*arg.s));
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	ret = -pthread_mutex_init(&arg.s->mutex, &ma);
	pthread_mutexattr_destroy(&ma);

	for (k = 0; k < 2 && !ret; k++, started++)
		ret = demo_child_start(&c[k], c4_child, &arg);
	if (!ret)
		ret = c4_phase(c, &e->racy_ns);
	if (!ret)
		ret = c4_phase(c, &e->locked_ns);
	for (k = 0; k < started; k++)
		if (demo_child_wait(&c[k]) && !wret)
			wret = -ECHILD;
	ret = ret ? ret : wret;
	e->racy_final = arg.s->racy;
	e->locked_final = arg.s->locked;
	pthread_mutex_destroy(&arg.s->mutex);
	shmd_detach(arg.s);
	shmd_remove(seg);
	shmd_seg_close(seg);
	if (ret)
		return demo_fail(r, side, ret, "C4 %s", demo_side_name(side));

	e->lost = 2 * e->racy_each - e->racy_final;
	demo_say(r, sec, "%s segment of one page, inherited by two processes (%ld CPU%s online)",
		 side == DEMO_NATIVE ? "SysV" : "device", e->cpus, e->cpus == 1 ? "" : "s");
	demo_say(r, sec, "  no lock: 2 x %ld increments -> %ld (%ld lost), %.1f ms",
		 e->racy_each, e->racy_final, e->lost, e->racy_ns / 1e6);
	demo_say(r, sec, "  process-shared mutex in the segment: 2 x %ld increments -> %ld, %.1f ms",
		 e->locked_each, e->locked_final, e->locked_ns / 1e6);
	demo_summary(r, side, "%ld lost unlocked, %s locked", e->lost,
		     e->locked_final == 2 * e->locked_each ? "exact" : "WRONG");
	return 0;
}

static void c4_judge(struct demo_result *r, int side)
{
	const struct demo_c4 *e = &r->c4[side];
	bool exact = e->locked_final == 2 * e->locked_each;

	if (e->lost > 0 || !exact) {
		demo_judge(r, side, e->lost > 0 && exact,
			   "without a lock %ld of %ld increments were lost; under the mutex %ld of %ld "
			   "counted", e->lost, 2 * e->racy_each, e->locked_final, 2 * e->locked_each);
		return;
	}
	demo_judge(r, side, false,
		   "no increment was lost without a lock (%ld of %ld counted): with %ld CPU%s "
		   "online the two processes %s; under the mutex the count was exact",
		   e->racy_final, 2 * e->racy_each, e->cpus, e->cpus == 1 ? "" : "s",
		   e->cpus == 1 ? "only took turns (a race needs two CPUs; make demo boots two)" :
				  "did not overlap between load and store this time");
}

static void c4_json(const struct demo_result *r, int side, struct sdt_json *j)
{
	const struct demo_c4 *e = &r->c4[side];

	sdt_json_int(j, "cpus", e->cpus);
	sdt_json_int(j, "racy_each", e->racy_each);
	sdt_json_int(j, "racy_final", e->racy_final);
	sdt_json_int(j, "lost", e->lost);
	sdt_json_int(j, "locked_each", e->locked_each);
	sdt_json_int(j, "locked_final", e->locked_final);
	sdt_json_u64(j, "racy_ns", e->racy_ns);
	sdt_json_u64(j, "locked_ns", e->locked_ns);
}

const struct demo_row demo_row_c4 = {
	.name = "C4",
	.title = "two processes increment one counter in shared memory, without and with a lock",
	.claim = "shm needs synchronisation",
	.article = { "processes sharing memory must synchronise (a mutex or semaphore):",
		     "unsynchronised updates of the same data get lost" },
	.run = c4_run,
	.judge = c4_judge,
	.json = c4_json,
};
