// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo-bench: the device against native SysV, memfd and anonymous shared
 * memory, and against a memset of resident memory, in one run (one boot),
 * so that every figure is a ratio of numbers measured side by side.  Run
 * in the VM by tools/bench/run (make bench); see BENCHMARKS.md.
 *
 *   shmdemo-bench [--sizes MIB,...] [--reps N] [--label TEXT]
 *                 [--json FILE] [--markdown FILE] [--svg FILE] [--quick]
 *
 * First touch runs at every --sizes (64, 256 and 1024 MiB by default; past
 * 256 MiB only the backends that can use 2 MiB pages, and memset), the
 * other cases at the first size.
 *
 * Backends: sysv (shmget/shmat), sysv-huge (the same with shmem_enabled
 * set to always: native 2 MiB pages), memfd, anon (MAP_SHARED|MAP_ANONYMOUS),
 * dev-4k (the device with pmd_folios=N), dev (the device as it comes:
 * 2 MiB folios where they fit) and memset (resident memory zeroed and
 * written by two memsets: the limit of a first touch, zero once and write
 * once, without a fault).  Cases: first touch (memset of a new
 * mapping), read then write (a byte per page each), second reader (a new
 * process attaching a written segment), fork child (reading the parent's
 * mapping), attach + detach, populate (everything resident and mapped in
 * one call), and an IPC round trip (spin and futex on shared memory
 * against a pipe pair, a socketpair and a SysV message queue).  Each
 * figure is the median of --reps runs (5; 2 at most, their mean, for
 * first touch past the first size), each on a fresh segment, with its
 * minimum and maximum; faults are the run's ru_minflt.  The backends take
 * turns within each run (a run of each, then the next run of each), so
 * that a slow spell of a shared host falls on all of them, and the guest's
 * memory is written once before anything is measured
 * (warm_guest_memory()).  Needs root (the module parameter, shmem_enabled).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/shmdemo.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define MIB		(1024UL * 1024)
#define MAX_REPS	15
#define MAX_SIZES	8
#define PMD_PARAM	"/sys/module/shmdemo/parameters/pmd_folios"
#define SHMEM_ENABLED	"/sys/kernel/mm/transparent_hugepage/shmem_enabled"

enum backend { B_SYSV, B_SYSV_HUGE, B_MEMFD, B_ANON, B_DEV4K, B_DEV, B_MEMSET, NB };
static const char *const bnames[NB] = {
	"sysv", "sysv-huge", "memfd", "anon", "dev-4k", "dev", "memset",
};

enum bcase { C_TOUCH, C_RW, C_READER, C_FORK, C_ATTACH, C_POPULATE, NC };
static const char *const cnames[NC] = {
	"first-touch", "read-then-write", "second-reader", "fork-child",
	"attach-detach", "populate",
};

struct sample {
	bool ran;
	double ns[MAX_REPS];	/* per run (attach-detach: per pair) */
	double faults[MAX_REPS];
	int n;
};

static struct sample results[NC][MAX_SIZES][NB];
/* First touch runs at every size, the other cases at the first one only. */
static size_t sizes[MAX_SIZES] = { 64 * MIB, 256 * MIB, 1024 * MIB };
static int nsizes = 3;
static int reps = 5;
/* Runs of the larger first-touch sizes (at most --reps): they take seconds each. */
#define LARGE_REPS	2
/* Past this, first touch runs only where 2 MiB pages are possible. */
#define SMALL_PAGES_MAX	(256 * MIB)
static long pg;
static int dev_fd = -1;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static void die(const char *what)
{
	fprintf(stderr, "shmdemo-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* The selected word of a THP sysfs file, or "" (no THP). */
static void read_mode(const char *path, char *out, size_t len)
{
	char buf[128] = "", *l, *r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	out[0] = '\0';
	if (n <= 0)
		return;
	buf[n] = '\0';
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (r) {
		*r = '\0';
		snprintf(out, len, "%s", l + 1);
	}
}

/* A segment of a backend: what attach maps. */
struct seg {
	enum backend b;
	size_t len;
	int id;		/* sysv shmid, device id */
	int fd;		/* memfd */
};

/* Settings a backend needs around its runs; restored by backend_end(). */
static char old_shmem[32];

static bool backend_begin(enum backend b)
{
	if (b == B_DEV4K || b == B_DEV) {
		if (dev_fd < 0)
			return false;
		return !write_str(PMD_PARAM, b == B_DEV ? "Y" : "N");
	}
	if (b == B_SYSV_HUGE) {
		read_mode(SHMEM_ENABLED, old_shmem, sizeof(old_shmem));
		return old_shmem[0] && !write_str(SHMEM_ENABLED, "always");
	}
	return true;
}

static void backend_end(enum backend b)
{
	if (b == B_DEV4K)
		write_str(PMD_PARAM, "Y");
	if (b == B_SYSV_HUGE && old_shmem[0])
		write_str(SHMEM_ENABLED, old_shmem);
}

static void seg_create(struct seg *s, enum backend b, size_t len)
{
	struct shmdemo_get g = {
		.size = sizeof(g), .key = SHMDEMO_KEY_PRIVATE, .bytes = len,
		.flags = SHMDEMO_GET_CREATE, .mode = 0600,
	};

	s->b = b;
	s->len = len;
	s->id = -1;
	s->fd = -1;
	switch (b) {
	case B_SYSV:
	case B_SYSV_HUGE:
		s->id = shmget(IPC_PRIVATE, len, IPC_CREAT | 0600);
		if (s->id < 0)
			die("shmget");
		break;
	case B_MEMFD:
		s->fd = syscall(SYS_memfd_create, "bench", 0);
		if (s->fd < 0 || ftruncate(s->fd, len))
			die("memfd");
		break;
	case B_DEV4K:
	case B_DEV:
		if (ioctl(dev_fd, SHMDEMO_IOC_GET, &g))
			die("SHMDEMO_IOC_GET");
		s->id = g.id;
		break;
	default:
		break;
	}
}

/* Map @s; POPULATE: everything resident and mapped before it returns. */
static char *seg_attach(struct seg *s, bool populate)
{
	struct shmdemo_attach a = {
		.size = sizeof(a), .id = s->id, .flags = populate ? SHMDEMO_ATTACH_POPULATE : 0,
	};
	int flags = MAP_SHARED | (populate ? MAP_POPULATE : 0);
	char *p = MAP_FAILED;

	switch (s->b) {
	case B_SYSV:
	case B_SYSV_HUGE:
		p = shmat(s->id, NULL, 0);
		if (p == (char *)-1)
			die("shmat");
		if (populate && madvise(p, s->len, MADV_POPULATE_WRITE))
			die("MADV_POPULATE_WRITE");
		return p;
	case B_MEMFD:
		p = mmap(NULL, s->len, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
		if (p != MAP_FAILED && populate && madvise(p, s->len, MADV_POPULATE_WRITE))
			die("MADV_POPULATE_WRITE");
		break;
	case B_ANON:
		p = mmap(NULL, s->len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
		break;
	case B_DEV4K:
	case B_DEV:
		if (ioctl(dev_fd, SHMDEMO_IOC_ATTACH, &a))
			die("SHMDEMO_IOC_ATTACH");
		return (char *)(uintptr_t)a.addr;
	case B_MEMSET:		/* resident private memory (MAP_POPULATE): the limit */
		p = mmap(NULL, s->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		break;
	default:
		break;
	}
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static void seg_detach(struct seg *s, char *p)
{
	struct shmdemo_detach d = { .size = sizeof(d), .addr = (uintptr_t)p };

	if (s->b == B_SYSV || s->b == B_SYSV_HUGE)
		shmdt(p);
	else if (s->b == B_DEV4K || s->b == B_DEV)
		ioctl(dev_fd, SHMDEMO_IOC_DETACH, &d);
	else
		munmap(p, s->len);
}

static void seg_destroy(struct seg *s)
{
	struct shmdemo_id r = { .size = sizeof(r), .id = s->id };

	if (s->b == B_SYSV || s->b == B_SYSV_HUGE)
		shmctl(s->id, IPC_RMID, NULL);
	else if (s->b == B_DEV4K || s->b == B_DEV)
		ioctl(dev_fd, SHMDEMO_IOC_RMID, &r);
	if (s->fd >= 0)
		close(s->fd);
}

static volatile char sink;

/*
 * A byte of every page, xored: the caller stores it in sink after its
 * measurement (a child's first store to a data page is a fault of its own).
 */
static char read_pages(const char *p, size_t len)
{
	size_t i;
	char c = 0;

	for (i = 0; i < len; i += pg)
		c ^= ((const volatile char *)p)[i];
	return c;
}

static void write_pages(char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += pg)
		p[i] = 1;
}

/* Time and faults of @fn in a child (a fresh process: its own faults). */
struct child_result {
	double ns;
	long faults;
};

static void record(enum bcase c, int si, enum backend b, double ns, double faults)
{
	struct sample *s = &results[c][si][b];

	if (s->n < MAX_REPS) {
		s->ns[s->n] = ns;
		s->faults[s->n] = faults;
		s->n++;
	}
	s->ran = true;
}

/* The second reader: a new process attaching and reading every page. */
static struct child_result in_child(struct seg *s, char *inherited)
{
	struct child_result r = { 0, 0 };
	int pfd[2];
	pid_t pid;

	if (pipe(pfd))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		char *p = inherited ? inherited : seg_attach(s, false);
		double t0;
		long f0;
		char c;

		/*
		 * The child's own first faults (its stack, the vDSO's data
		 * page) before the count: only the segment's pages are
		 * counted, as the parent's cases count them.
		 */
		now_ns();
		minflt();
		f0 = minflt();
		t0 = now_ns();

		c = read_pages(p, s->len);
		r.ns = now_ns() - t0;
		r.faults = minflt() - f0;
		sink = c;
		if (write(pfd[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &r, sizeof(r)) != sizeof(r))
		die("child");
	close(pfd[0]);
	waitpid(pid, NULL, 0);
	return r;
}

static void run_case(enum bcase c, int si, enum backend b)
{
	size_t len = sizes[si];
	struct child_result cr;
	struct seg s;
	double t0;
	long f0;
	char *p;
	int i, n = 1000;	/* attach + detach pairs per run: 30-70 ms under TCG */

	seg_create(&s, b, len);
	switch (c) {
	case C_TOUCH:
		p = seg_attach(&s, false);
		f0 = minflt();
		t0 = now_ns();
		/*
		 * The limit of a first touch is to zero the memory once and
		 * write it once, with no fault: memset's run does both on
		 * memory already resident (the barrier keeps the zeroing).
		 */
		if (b == B_MEMSET) {
			memset(p, 0, len);
			__asm__ __volatile__("" : : "r"(p) : "memory");
		}
		memset(p, 1, len);
		record(c, si, b, now_ns() - t0, minflt() - f0);
		seg_detach(&s, p);
		break;
	case C_RW:
		p = seg_attach(&s, false);
		f0 = minflt();
		t0 = now_ns();
		sink ^= read_pages(p, len);	/* sink: written before, no fault */
		write_pages(p, len);
		record(c, si, b, now_ns() - t0, minflt() - f0);
		seg_detach(&s, p);
		break;
	case C_READER:
	case C_FORK:
		p = seg_attach(&s, false);
		memset(p, 1, len);
		cr = in_child(&s, c == C_FORK ? p : NULL);
		record(c, si, b, cr.ns, cr.faults);
		seg_detach(&s, p);
		break;
	case C_ATTACH:
		p = seg_attach(&s, false);
		memset(p, 1, len);
		seg_detach(&s, p);
		t0 = now_ns();
		for (i = 0; i < n; i++)
			seg_detach(&s, seg_attach(&s, false));
		record(c, si, b, (now_ns() - t0) / n, 0);
		break;
	case C_POPULATE:
		f0 = minflt();
		t0 = now_ns();
		p = seg_attach(&s, true);
		record(c, si, b, now_ns() - t0, minflt() - f0);
		seg_detach(&s, p);
		break;
	default:
		break;
	}
	seg_destroy(&s);
}

/* Which backends a case compares. */
/*
 * A guest's memory that it has not written since it booted is backed by
 * the host only at its first write, at a host page fault per page: the
 * backend that first gets such pages would pay for them.  Write all the
 * memory there is to spare once, then give it back.
 */
static void warm_guest_memory(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	unsigned long kib = 0;
	char line[128];
	size_t len;
	void *p;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	if (kib <= 512 * 1024)
		return;
	len = (kib - 256 * 1024) * 1024;	/* leave 256 MiB */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "shmdemo-bench: guest memory not warmed: %s\n", strerror(errno));
		return;
	}
	fprintf(stderr, "  warmed %zu MiB of guest memory\n", len / MIB);
	munmap(p, len);
}

static bool case_has(enum bcase c, enum backend b)
{
	switch (c) {
	case C_TOUCH:
		return true;
	case C_RW:
	case C_FORK:
		return b != B_MEMSET;
	case C_READER:		/* anonymous memory has no second attacher */
	case C_ATTACH:
		return b != B_MEMSET && b != B_ANON;
	case C_POPULATE:
		return b != B_MEMSET;
	default:
		return false;
	}
}

/* Past SMALL_PAGES_MAX, first touch runs only where 2 MiB pages are possible. */
static bool case_runs(enum bcase c, int si, enum backend b)
{
	if (!case_has(c, b))
		return false;
	return sizes[si] <= SMALL_PAGES_MAX || b == B_SYSV_HUGE || b == B_DEV || b == B_MEMSET;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n, double *lo, double *hi)
{
	double t[MAX_REPS];

	memcpy(t, v, n * sizeof(*t));
	qsort(t, n, sizeof(*t), cmp_double);
	if (lo)
		*lo = t[0];
	if (hi)
		*hi = t[n - 1];
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* ------------------------------------------------------------------ */
/* The IPC round trip: one byte or one word there and back. */

enum ipc { I_SPIN_DEV, I_SPIN_SYSV, I_FUTEX_DEV, I_FUTEX_SYSV, I_PIPE, I_SOCK, I_MSGQ, NI };
static const char *const inames[NI] = {
	"spin (dev)", "spin (sysv)", "futex (dev)", "futex (sysv)", "pipe pair",
	"socketpair", "SysV msgq",
};
static double ipc_ns[NI][MAX_REPS];
static int ipc_n;

static long futex(atomic_int *w, int op, int val)
{
	return syscall(SYS_futex, w, op, val, NULL, NULL, 0);
}

/* Shared words 0 (ping) and 1 (pong): ROUNDS round trips, returns ns each. */
static double ipc_shared(atomic_int *w, bool spin, int rounds)
{
	double t0;
	pid_t pid;
	int i;

	atomic_store(&w[0], 0);
	atomic_store(&w[1], 0);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		for (i = 1; i <= rounds; i++) {
			while (atomic_load(&w[0]) != i)
				if (!spin)
					futex(&w[0], FUTEX_WAIT, i - 1);
			atomic_store(&w[1], i);
			if (!spin)
				futex(&w[1], FUTEX_WAKE, 1);
		}
		_exit(0);
	}
	t0 = now_ns();
	for (i = 1; i <= rounds; i++) {
		atomic_store(&w[0], i);
		if (!spin)
			futex(&w[0], FUTEX_WAKE, 1);
		while (atomic_load(&w[1]) != i)
			if (!spin)
				futex(&w[1], FUTEX_WAIT, i - 1);
	}
	t0 = (now_ns() - t0) / rounds;
	waitpid(pid, NULL, 0);
	return t0;
}

static double ipc_fds(int a[2], int b[2], int rounds)
{
	double t0;
	char c = 0;
	pid_t pid;
	int i;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		for (i = 0; i < rounds; i++)
			if (read(a[0], &c, 1) != 1 || write(b[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	t0 = now_ns();
	for (i = 0; i < rounds; i++)
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			die("round trip");
	t0 = (now_ns() - t0) / rounds;
	waitpid(pid, NULL, 0);
	return t0;
}

struct msg1 {
	long type;
	char c;
};

static double ipc_msgq(int rounds)
{
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600), i;
	struct msg1 m = { 1, 0 };
	double t0;
	pid_t pid;

	if (q < 0)
		die("msgget");
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < rounds; i++)
			if (msgrcv(q, &m, 1, 1, 0) < 0 || (m.type = 2, msgsnd(q, &m, 1, 0)))
				_exit(1);
		_exit(0);
	}
	t0 = now_ns();
	for (i = 0; i < rounds; i++) {
		m.type = 1;
		if (msgsnd(q, &m, 1, 0) || msgrcv(q, &m, 1, 2, 0) < 0)
			die("msgq");
	}
	t0 = (now_ns() - t0) / rounds;
	waitpid(pid, NULL, 0);
	msgctl(q, IPC_RMID, NULL);
	return t0;
}

static void run_ipc(int rounds)
{
	struct seg dev, sysv;
	atomic_int *wd = NULL, *ws;
	int a[2], b[2];

	seg_create(&sysv, B_SYSV, pg);
	ws = (atomic_int *)seg_attach(&sysv, false);
	if (dev_fd >= 0) {
		seg_create(&dev, B_DEV, pg);
		wd = (atomic_int *)seg_attach(&dev, false);
	}
	if (wd)
		ipc_ns[I_SPIN_DEV][ipc_n] = ipc_shared(wd, true, rounds * 4);
	ipc_ns[I_SPIN_SYSV][ipc_n] = ipc_shared(ws, true, rounds * 4);
	if (wd)
		ipc_ns[I_FUTEX_DEV][ipc_n] = ipc_shared(wd, false, rounds);
	ipc_ns[I_FUTEX_SYSV][ipc_n] = ipc_shared(ws, false, rounds);
	if (pipe(a) || pipe(b))
		die("pipe");
	ipc_ns[I_PIPE][ipc_n] = ipc_fds(a, b, rounds);
	close(a[0]), close(a[1]), close(b[0]), close(b[1]);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, a))
		die("socketpair");
	{
		int x[2] = { a[1], a[0] }, y[2] = { a[0], a[1] };

		ipc_ns[I_SOCK][ipc_n] = ipc_fds(x, y, rounds);
	}
	close(a[0]), close(a[1]);
	ipc_ns[I_MSGQ][ipc_n] = ipc_msgq(rounds);
	if (wd) {
		seg_detach(&dev, (char *)wd);
		seg_destroy(&dev);
	}
	seg_detach(&sysv, (char *)ws);
	seg_destroy(&sysv);
	ipc_n++;
}

/* ------------------------------------------------------------------ */
/* Output: a markdown table, JSON, and an SVG plot. */

static char label[256] = "";

/* Median time (or faults) of a case, size and backend; -1 if it did not run. */
static double med(enum bcase c, int si, enum backend b, bool faults)
{
	struct sample *s = &results[c][si][b];

	if (!s->ran)
		return -1;
	return median(faults ? s->faults : s->ns, s->n, NULL, NULL);
}

/* The best run (least time or faults) of a case at the first size; -1 if none. */
static double best(enum bcase c, enum backend b, bool faults)
{
	struct sample *s = &results[c][0][b];
	double lo;

	if (!s->ran)
		return -1;
	median(faults ? s->faults : s->ns, s->n, &lo, NULL);
	return lo;
}

static void target_row(FILE *f, const char *what, double num, double den, double bnum,
		       double bden, double max);

/* A target that divides backend @b by backend @ref, at the first size. */
static void target_ratio(FILE *f, const char *what, enum bcase c, enum backend b,
			 enum backend ref, bool faults, double max)
{
	target_row(f, what, med(c, 0, b, faults), med(c, 0, ref, faults), best(c, b, faults),
		   best(c, ref, faults), max);
}

/*
 * A target's ratio of medians, and of the best runs (each backend's least
 * time or faults: a shared host only ever adds time, so the best runs are
 * the cost with the least interference).  Met by the medians, by the best
 * runs only (the medians are the host's), or missed.
 */
static void target_row(FILE *f, const char *what, double num, double den, double bnum,
		       double bden, double max)
{
	double r, br;

	if (num < 0 || den <= 0 || bnum < 0 || bden <= 0) {
		fprintf(f, "| %s | - | - | %.2f | not measured |\n", what, max);
		return;
	}
	r = num / den;
	br = bnum / bden;
	fprintf(f, "| %s | %.2f | %.2f | %.2f | %s |\n", what, r, br, max,
		r <= max ? "met" : br <= max ? "met by the best runs" : "**missed**");
}

/* The targets, judged on this boot's medians (first size). */
static void write_targets(FILE *f)
{
	double pmds = sizes[0] / (2.0 * MIB);

	fprintf(f, "| target (%zu MiB) | medians | best runs | at most | |\n"
		"|---|---|---|---|---|\n", sizes[0] / MIB);
	target_ratio(f, "4 KiB first touch: dev-4k / sysv", C_TOUCH, B_DEV4K, B_SYSV, false, 1.0);
	target_ratio(f, "read then write: dev-4k / sysv", C_RW, B_DEV4K, B_SYSV, false, 1.0);
	target_ratio(f, "2 MiB first touch: dev / sysv-huge", C_TOUCH, B_DEV, B_SYSV_HUGE, false,
		     1.0);
	target_ratio(f, "2 MiB first touch: dev / memset", C_TOUCH, B_DEV, B_MEMSET, false, 1.15);
	target_row(f, "2 MiB first touch: dev faults per 2 MiB", med(C_TOUCH, 0, B_DEV, true),
		   pmds, best(C_TOUCH, B_DEV, true), pmds, 1.0);
	target_ratio(f, "second reader: dev-4k faults / sysv faults", C_READER, B_DEV4K, B_SYSV,
		     true, 1.0 / 16);
	target_row(f, "second reader: dev faults per 2 MiB", med(C_READER, 0, B_DEV, true),
		   pmds, best(C_READER, B_DEV, true), pmds, 1.0);
	target_ratio(f, "attach + detach: dev / sysv", C_ATTACH, B_DEV, B_SYSV, false, 1.0);
	fprintf(f, "\n");
}

static void write_markdown(FILE *f)
{
	double lo, hi, m, ref;
	int c, si, b, i;

	fprintf(f, "#### %s\n\n", label);
	write_targets(f);
	fprintf(f, "| case | MiB | backend | median ms | min-max ms | faults | / sysv | / sysv-huge | / memfd | / anon | / memset |\n");
	fprintf(f, "|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (c = 0; c < NC; c++)
		for (si = 0; si < nsizes; si++)
			for (b = 0; b < NB; b++) {
				struct sample *s = &results[c][si][b];

				if (!s->ran)
					continue;
				m = median(s->ns, s->n, &lo, &hi);
				fprintf(f, "| %s | %zu | %s | %.3f | %.3f-%.3f | %.0f |", cnames[c],
					sizes[si] / MIB, bnames[b], m / 1e6, lo / 1e6, hi / 1e6,
					median(s->faults, s->n, NULL, NULL));
				for (i = B_SYSV; i <= B_MEMSET; i++) {
					if (i == B_DEV4K || i == B_DEV)
						continue;
					if (!results[c][si][i].ran) {
						fprintf(f, " - |");
						continue;
					}
					ref = median(results[c][si][i].ns, results[c][si][i].n, NULL, NULL);
					fprintf(f, " %.2f |", m / ref);
				}
				fprintf(f, "\n");
			}
	fprintf(f, "\n| IPC round trip | median us | min-max us | / pipe pair |\n|---|---|---|---|\n");
	for (i = 0; i < NI; i++) {
		if (!ipc_n || (!ipc_ns[i][0] && (i == I_SPIN_DEV || i == I_FUTEX_DEV)))
			continue;
		m = median(ipc_ns[i], ipc_n, &lo, &hi);
		fprintf(f, "| %s | %.2f | %.2f-%.2f | %.3f |\n", inames[i], m / 1e3, lo / 1e3,
			hi / 1e3, m / median(ipc_ns[I_PIPE], ipc_n, NULL, NULL));
	}
	fprintf(f, "\n");
}

static void write_json(FILE *f)
{
	double lo, hi;
	int c, si, b, i;
	bool first = true;

	fprintf(f, "{\"label\": \"%s\", \"page_size\": %ld, \"reps\": %d, \"cases\": [", label, pg, reps);
	for (c = 0; c < NC; c++)
		for (si = 0; si < nsizes; si++)
			for (b = 0; b < NB; b++) {
				struct sample *s = &results[c][si][b];

				if (!s->ran)
					continue;
				fprintf(f, "%s\n  {\"case\": \"%s\", \"mib\": %zu, \"backend\": \"%s\", "
					"\"median_ns\": %.0f, ", first ? "" : ",", cnames[c],
					sizes[si] / MIB, bnames[b], median(s->ns, s->n, &lo, &hi));
				fprintf(f, "\"min_ns\": %.0f, \"max_ns\": %.0f, \"faults\": %.0f}", lo, hi,
					median(s->faults, s->n, NULL, NULL));
				first = false;
			}
	fprintf(f, "\n], \"ipc\": [");
	for (i = 0; i < NI; i++) {
		if (!ipc_n)
			break;
		fprintf(f, "%s\n  {\"what\": \"%s\", \"median_ns\": %.0f}", i ? "," : "", inames[i],
			median(ipc_ns[i], ipc_n, NULL, NULL));
	}
	fprintf(f, "\n]}\n");
}

/* Two panels: ms per GiB and faults per GiB of first touch, against size. */
static void write_svg(FILE *f)
{
	static const char *const colour[NB] = {
		"#0072b2", "#56b4e9", "#009e73", "#e69f00", "#cc79a7", "#d55e00", "#000000",
	};
	const int w = 360, h = 240, ml = 60, mt = 30, gap = 90;
	double maxv[2] = { 0, 0 }, v;
	int panel, si, b;

	for (si = 0; si < nsizes; si++)
		for (b = 0; b < NB; b++) {
			struct sample *s = &results[C_TOUCH][si][b];
			double gib = sizes[si] / (1024.0 * MIB);

			if (!s->ran)
				continue;
			v = median(s->ns, s->n, NULL, NULL) / 1e6 / gib;
			maxv[0] = v > maxv[0] ? v : maxv[0];
			v = median(s->faults, s->n, NULL, NULL) / gib;
			maxv[1] = v > maxv[1] ? v : maxv[1];
		}
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"font-family=\"sans-serif\" font-size=\"11\">\n", 2 * (ml + w) + gap, h + mt + 110);
	fprintf(f, "<title>first touch per GiB: %s</title>\n", label);
	for (panel = 0; panel < 2; panel++) {
		int x0 = ml + panel * (ml + w + gap / 2);

		fprintf(f, "<text x=\"%d\" y=\"18\">%s</text>\n", x0,
			panel ? "faults per GiB (first touch)" : "ms per GiB (first touch)");
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
			"stroke=\"#888\"/>\n", x0, mt, w, h);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>\n", x0 - 4,
			mt + 10, maxv[panel]);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", x0 - 4, mt + h);
		for (si = 0; si < nsizes; si++)
			fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%zu MiB</text>\n",
				x0 + (nsizes > 1 ? si * w / (nsizes - 1) : w / 2), mt + h + 14,
				sizes[si] / MIB);
		for (b = 0; b < NB; b++) {
			bool any = false;

			for (si = 0; si < nsizes; si++) {
				struct sample *s = &results[C_TOUCH][si][b];
				double gib = sizes[si] / (1024.0 * MIB), x, y;

				if (!s->ran || maxv[panel] <= 0)
					continue;
				v = panel ? median(s->faults, s->n, NULL, NULL) / gib :
					    median(s->ns, s->n, NULL, NULL) / 1e6 / gib;
				x = x0 + (nsizes > 1 ? (double)si * w / (nsizes - 1) : w / 2.0);
				y = mt + h - v / maxv[panel] * h;
				fprintf(f, "%s%.1f,%.1f", any ? " " :
					"<polyline fill=\"none\" stroke-width=\"2\" points=\"", x, y);
				any = true;
			}
			if (any)
				fprintf(f, "\" stroke=\"%s\"><title>%s</title></polyline>\n", colour[b],
					bnames[b]);
		}
	}
	for (b = 0; b < NB; b++)
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\">%s</text>\n", ml + b * 110, mt + h + 40, colour[b],
			ml + b * 110 + 16, mt + h + 50, bnames[b]);
	fprintf(f, "</svg>\n");
}

static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die(path);
	return f;
}

int main(int argc, char **argv)
{
	const char *json = NULL, *md = NULL, *svg = NULL;
	int i, c, si, b, r, nr, ipc_rounds = 2000;
	double t_start;
	struct utsname u;
	FILE *f;

	pg = sysconf(_SC_PAGESIZE);
	uname(&u);
	snprintf(label, sizeof(label), "%s", u.release);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
			reps = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--sizes") && i + 1 < argc) {
			char *s = argv[++i], *e;

			for (nsizes = 0; *s && nsizes < MAX_SIZES; s = *e ? e + 1 : e) {
				sizes[nsizes++] = strtoul(s, &e, 10) * MIB;
				if (e == s)
					break;
			}
		} else if (!strcmp(argv[i], "--label") && i + 1 < argc) {
			snprintf(label, sizeof(label), "%s (%s)", argv[++i], u.release);
		} else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			json = argv[++i];
		} else if (!strcmp(argv[i], "--markdown") && i + 1 < argc) {
			md = argv[++i];
		} else if (!strcmp(argv[i], "--svg") && i + 1 < argc) {
			svg = argv[++i];
		} else if (!strcmp(argv[i], "--quick")) {
			reps = 1;
			nsizes = 1;
			sizes[0] = 8 * MIB;
			ipc_rounds = 200;
		} else {
			fprintf(stderr, "usage: shmdemo-bench [--sizes MIB,...] [--reps N] "
				"[--label TEXT] [--json F] [--markdown F] [--svg F] [--quick]\n");
			return 2;
		}
	}
	if (reps < 1 || reps > MAX_REPS || nsizes < 1) {
		fprintf(stderr, "shmdemo-bench: --reps 1-%d and at least one size\n", MAX_REPS);
		return 2;
	}
	dev_fd = open(SHMDEMO_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0)
		fprintf(stderr, "shmdemo-bench: no %s (%s): native backends only\n",
			SHMDEMO_DEVICE, strerror(errno));

	t_start = now_ns();
	warm_guest_memory();
	for (c = 0; c < NC; c++) {
		for (si = 0; si < nsizes; si++) {
			if (c != C_TOUCH && si)
				break;
			nr = si && reps > LARGE_REPS ? LARGE_REPS : reps;
			for (r = 0; r < nr; r++) {
				fprintf(stderr, "  %-16s %5zu MiB run %d/%d, ms:", cnames[c],
					sizes[si] / MIB, r + 1, nr);
				for (b = 0; b < NB; b++) {
					if (!case_runs(c, si, b))
						continue;
					if (backend_begin(b)) {
						run_case(c, si, b);
						fprintf(stderr, " %s %.4g", bnames[b],
							results[c][si][b].ns[results[c][si][b].n - 1] / 1e6);
					} else {
						fprintf(stderr, " %s unavailable", bnames[b]);
					}
					backend_end(b);
				}
				fprintf(stderr, " [%.0f s]\n", (now_ns() - t_start) / 1e9);
			}
		}
	}
	for (r = 0; r < reps; r++) {
		fprintf(stderr, "  ipc round trips %d/%d\n", r + 1, reps);
		run_ipc(ipc_rounds);
	}

	if (!md)
		write_markdown(stdout);
	if (md) {
		f = open_out(md);
		write_markdown(f);
		fclose(f);
	}
	if (json) {
		f = open_out(json);
		write_json(f);
		fclose(f);
	}
	if (svg) {
		f = open_out(svg);
		write_svg(f);
		fclose(f);
	}
	return 0;
}
