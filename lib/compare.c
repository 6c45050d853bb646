// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * shmd_compare(): one workload on two backends, side by side.
 *
 * Each backend gets a fresh segment.  The measured steps run in child
 * processes (so "another process" is real, and the caller's own fault
 * counts are untouched); each child measures its own faults and time and
 * reports them through a pipe.  At the end the caller's process reads the
 * segment's bytes back, and the segment is removed.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* The article's record. */
struct shmd_people {
	char name[4];
	int age;
};

struct shmd_report {
	int error;
	int signal;
	uint64_t nsec;
	struct shmd_faults faults;
};

struct shmd_wl {
	enum shmd_workload workload;
	uint64_t size;
	unsigned int records;
	long pg;
};

/* A measured step; @ctx is step-specific (an inherited address, or NULL). */
typedef void (*shmd_step)(struct shmd_seg *seg, const struct shmd_wl *wl,
			  void *ctx, struct shmd_report *r);

static const char *const shmd_wl_names[] = {
	[SHMD_WL_RECORDS] = "records",
	[SHMD_WL_TOUCH] = "touch",
	[SHMD_WL_SECOND_READER] = "second-reader",
	[SHMD_WL_FORK_WRITE] = "fork-write",
	[SHMD_WL_PAST_END] = "past-end",
};

#define SHMD_NR_WL	(sizeof(shmd_wl_names) / sizeof(shmd_wl_names[0]))

const char *shmd_workload_name(enum shmd_workload workload)
{
	return (unsigned int)workload < SHMD_NR_WL ? shmd_wl_names[workload] : NULL;
}

int shmd_workload_from_name(const char *name)
{
	size_t i;

	for (i = 0; name && i < SHMD_NR_WL; i++)
		if (shmd_wl_names[i] && !strcmp(shmd_wl_names[i], name))
			return (int)i;
	return -EINVAL;
}

static uint64_t shmd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The byte every page-granular workload writes at the start of page @i. */
static char shmd_page_mark(uint64_t i)
{
	return (char)('A' + i % 26);
}

static void shmd_measure_begin(struct shmd_seg *seg, struct shmd_report *r)
{
	r->faults.sz = sizeof(r->faults);
	r->error = shmd_faults_begin(seg, &r->faults);
	r->nsec = shmd_now_ns();
}

static void shmd_measure_end(struct shmd_seg *seg, struct shmd_report *r)
{
	int ret;

	r->nsec = shmd_now_ns() - r->nsec;
	ret = shmd_faults_end(seg, &r->faults);
	if (!r->error)
		r->error = ret;
}

/* Write N records (RECORDS) or one mark per page (the others) at @p. */
static void shmd_write_at(struct shmd_seg *seg, const struct shmd_wl *wl,
			  volatile char *p, struct shmd_report *r)
{
	uint64_t i;

	shmd_measure_begin(seg, r);
	if (wl->workload == SHMD_WL_RECORDS) {
		struct shmd_people *rec = (struct shmd_people *)p;

		for (i = 0; i < wl->records; i++) {
			memset(rec[i].name, 0, sizeof(rec[i].name));
			rec[i].name[0] = (char)('b' + i % 25);
			rec[i].age = 20 + (int)i;
		}
	} else {
		for (i = 0; i * wl->pg < wl->size; i++)
			p[i * wl->pg] = shmd_page_mark(i);
	}
	shmd_measure_end(seg, r);
}

/* Writer: attaches on its own, writes, detaches. */
static void shmd_step_write(struct shmd_seg *seg, const struct shmd_wl *wl,
			    void *ctx, struct shmd_report *r)
{
	volatile char *p;

	(void)ctx;
	r->error = shmd_attach(seg, NULL, 0, (void **)&p);
	if (r->error)
		return;
	shmd_write_at(seg, wl, p, r);
	shmd_detach((void *)p);
}

/* Writer through an attachment inherited across fork() (@ctx). */
static void shmd_step_write_inherited(struct shmd_seg *seg, const struct shmd_wl *wl,
				      void *ctx, struct shmd_report *r)
{
	shmd_write_at(seg, wl, ctx, r);
}

/* Reader: checks what the writer left; -EBADMSG if it doesn't see it. */
static void shmd_step_read(struct shmd_seg *seg, const struct shmd_wl *wl,
			   void *ctx, struct shmd_report *r)
{
	unsigned int flags = seg->backend == SHMD_BACKEND_ANON ? 0 : SHMD_RDONLY;
	const volatile char *p;
	bool ok = true;
	uint64_t i;

	(void)ctx;
	r->error = shmd_attach(seg, NULL, flags, (void **)&p);
	if (r->error)
		return;
	shmd_measure_begin(seg, r);
	if (wl->workload == SHMD_WL_RECORDS) {
		const struct shmd_people *rec = (const struct shmd_people *)p;

		for (i = 0; i < wl->records; i++)
			ok &= rec[i].name[0] == (char)('b' + i % 25) && rec[i].age == 20 + (int)i;
	} else {
		for (i = 0; i * wl->pg < wl->size; i++)
			ok &= p[i * wl->pg] == shmd_page_mark(i);
	}
	shmd_measure_end(seg, r);
	if (!ok && !r->error)
		r->error = -EBADMSG;
	shmd_detach((void *)p);
}

/* Run @step in a child process and collect its report. */
static int shmd_in_child(struct shmd_seg *seg, const struct shmd_wl *wl,
			 shmd_step step, void *ctx, struct shmd_report *r)
{
	struct shmd_report cr;
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		memset(&cr, 0, sizeof(cr));
		close(fds[0]);
		step(seg, wl, ctx, &cr);
		_exit(write(fds[1], &cr, sizeof(cr)) == sizeof(cr) ? 0 : 1);
	}
	close(fds[1]);
	n = read(fds[0], r, sizeof(*r));
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return n == (ssize_t)sizeof(*r) ? 0 : -ECHILD;
}

/* FORK_WRITE: attach, fork; the child writes (measured); we must see it. */
static void shmd_step_fork_write(struct shmd_seg *seg, const struct shmd_wl *wl,
				 void *ctx, struct shmd_report *r)
{
	volatile char *p;
	bool ok = true;
	uint64_t i;
	int ret;

	(void)ctx;
	r->error = shmd_attach(seg, NULL, 0, (void **)&p);
	if (r->error)
		return;
	ret = shmd_in_child(seg, wl, shmd_step_write_inherited, (void *)p, r);
	if (ret)
		r->error = ret;
	for (i = 0; !r->error && i * wl->pg < wl->size; i++)
		ok &= p[i * wl->pg] == shmd_page_mark(i);
	if (!ok && !r->error)
		r->error = -EBADMSG;
	shmd_detach((void *)p);
}

/* The signal touching @p raises, from a throwaway child. */
static int shmd_touch_signal(volatile char *p)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		(void)*p;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/*
 * PAST_END: the last byte is readable; then the first byte past the last
 * page.  Backends that map a descriptor map one page more, as a file
 * mapping may be longer than the file: that page raises SIGBUS.  shmat()
 * and the anonymous mapping can't map past their end: SIGSEGV.
 */
static void shmd_step_past_end(struct shmd_seg *seg, const struct shmd_wl *wl,
			       void *ctx, struct shmd_report *r)
{
	struct shmd_attachment a = SHMD_ATTACHMENT_INIT;
	bool fd_backed = seg->backend == SHMD_BACKEND_DEVICE ||
			 seg->backend == SHMD_BACKEND_FILE ||
			 seg->backend == SHMD_BACKEND_POSIX;
	size_t room = shmd_page_round(wl->size) + 2 * (size_t)wl->pg;
	volatile char *p;
	void *hole = NULL;
	int sig;

	(void)ctx;
	/*
	 * Attach into a hole we made, so that what follows the attachment is
	 * unmapped, not some neighbouring mapping (ANON brings its own guard).
	 */
	if (seg->backend != SHMD_BACKEND_ANON) {
		hole = mmap(NULL, room, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (hole == MAP_FAILED) {
			r->error = -errno;
			return;
		}
		munmap(hole, room);
	}
	r->error = seg->ops->attach(seg, hole, fd_backed ? SHMD_ATTACH_PAST_END : 0, &a);
	if (r->error)
		return;
	p = a.addr;
	shmd_measure_begin(seg, r);
	if (p[wl->size - 1] != 0)
		r->error = -EBADMSG;
	sig = shmd_touch_signal(p + shmd_page_round(wl->size));
	shmd_measure_end(seg, r);
	if (sig < 0 && !r->error)
		r->error = sig;
	r->signal = sig > 0 ? sig : 0;
	seg->ops->detach(&a);
}

/* A new file of @size zero bytes at @name (in $TMPDIR), for a file-backed device segment. */
static int shmd_backing_file(const char *name, uint64_t size)
{
	int fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600), ret = 0;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size))
		ret = -errno;
	close(fd);
	if (ret)
		unlink(name);
	return ret;
}

/*
 * A new segment for one run; @name is set to a file to unlink after it
 * (FILE, and DEVICE with @device_file) or a POSIX name, else empty.
 */
static int shmd_fresh_seg(enum shmd_backend backend, bool device_file, uint64_t size,
			  char *name, size_t namelen, struct shmd_seg **segp)
{
	static int serial;
	struct shmd_open_opts o = {
		.sz = sizeof(o), .backend = backend, .size = size,
		.flags = SHMD_CREATE | SHMD_EXCL, .mode = 0600,
	};
	const char *tmp = getenv("TMPDIR");
	int ret;

	name[0] = '\0';
	device_file = device_file && backend == SHMD_BACKEND_DEVICE;
	if (backend == SHMD_BACKEND_FILE || device_file)
		snprintf(name, namelen, "%s/shmd-compare-%s%d-%d", tmp ? tmp : "/tmp",
			 device_file ? "device-" : "", getpid(),
			 __atomic_fetch_add(&serial, 1, __ATOMIC_RELAXED));
	else if (backend == SHMD_BACKEND_POSIX)
		snprintf(name, namelen, "/shmd-compare-%d-%d", getpid(),
			 __atomic_fetch_add(&serial, 1, __ATOMIC_RELAXED));
	if (name[0])
		o.path = name;
	if (backend == SHMD_BACKEND_ANON)
		o.flags = o.mode = 0;
	if (device_file) {
		ret = shmd_backing_file(name, size);
		if (ret)
			return ret;
		o.flags = SHMD_CREATE;	/* a private key: always new */
		ret = shmd_seg_open(&o, segp);
		if (ret)
			unlink(name);
		return ret;
	}
	return shmd_seg_open(&o, segp);
}

/* Add the faults of @b to @a (RECORDS sums writer and reader). */
static void shmd_faults_add(struct shmd_faults *a, const struct shmd_faults *b)
{
	a->minflt += b->minflt;
	a->majflt += b->majflt;
	a->counters.read_faults += b->counters.read_faults;
	a->counters.write_faults += b->counters.write_faults;
	a->counters.cow_faults += b->counters.cow_faults;
	a->counters.mkwrite += b->counters.mkwrite;
	a->counters.around_pages += b->counters.around_pages;
	a->counters.pages_alloc += b->counters.pages_alloc;
	a->counters.pages_resident = b->counters.pages_resident;
	a->counters.pages_dirty = b->counters.pages_dirty;
	a->has_counters = b->has_counters;
}

/* The measured part of @wl on @seg, into @run. */
static int shmd_run_workload(struct shmd_seg *seg, const struct shmd_wl *wl,
			     struct shmd_run *run)
{
	struct shmd_report w = { 0 }, rd = { 0 };
	int ret;

	switch (wl->workload) {
	case SHMD_WL_RECORDS:
	case SHMD_WL_SECOND_READER:
		ret = shmd_in_child(seg, wl, shmd_step_write, NULL, &w);
		if (!ret && !w.error)
			ret = shmd_in_child(seg, wl, shmd_step_read, NULL, &rd);
		if (ret)
			return ret;
		if (w.error || rd.error)
			return w.error ? w.error : rd.error;
		run->faults = rd.faults;
		run->nsec = rd.nsec;
		if (wl->workload == SHMD_WL_RECORDS) {
			shmd_faults_add(&run->faults, &w.faults);
			run->nsec += w.nsec;
		}
		return 0;
	case SHMD_WL_TOUCH:
		ret = shmd_in_child(seg, wl, shmd_step_write, NULL, &w);
		break;
	case SHMD_WL_FORK_WRITE:
		ret = shmd_in_child(seg, wl, shmd_step_fork_write, NULL, &w);
		break;
	case SHMD_WL_PAST_END:
		ret = shmd_in_child(seg, wl, shmd_step_past_end, NULL, &w);
		break;
	default:
		return -EINVAL;
	}
	if (ret)
		return ret;
	run->faults = w.faults;
	run->nsec = w.nsec;
	run->signal = w.signal;
	return w.error;
}

/* Copy the segment's bytes out through a read-only attachment. */
static int shmd_capture(struct shmd_seg *seg, uint64_t size, struct shmd_run *run)
{
	unsigned int flags = seg->backend == SHMD_BACKEND_ANON ? 0 : SHMD_RDONLY;
	void *p;
	int ret;

	ret = shmd_attach(seg, NULL, flags, &p);
	if (ret)
		return ret;
	run->bytes = malloc(size);
	if (run->bytes) {
		memcpy(run->bytes, p, size);
		run->len = size;
	}
	shmd_detach(p);
	return run->bytes ? 0 : -ENOMEM;
}

static void shmd_compare_one(enum shmd_backend backend, bool device_file,
			     const struct shmd_wl *wl, struct shmd_run *run)
{
	struct shmd_seg *seg;
	char name[256];
	int ret;

	run->backend = backend;
	run->faults.sz = sizeof(run->faults);
	ret = shmd_fresh_seg(backend, device_file, wl->size, name, sizeof(name), &seg);
	if (ret) {
		run->error = ret;
		return;
	}
	ret = shmd_run_workload(seg, wl, run);
	if (!ret)
		ret = shmd_capture(seg, wl->size, run);
	run->error = ret;
	if (backend != SHMD_BACKEND_ANON)
		shmd_remove(seg);
	shmd_seg_close(seg);
	/* The device segment's backing file (FILE's own went with shmd_remove()). */
	if (backend == SHMD_BACKEND_DEVICE && name[0])
		unlink(name);
}

int shmd_compare(const struct shmd_compare_opts *opts, struct shmd_compare *c)
{
	struct shmd_compare_opts o = { 0 };
	struct shmd_wl wl;
	size_t usize;
	uint64_t i;
	int ret, k;

	ret = shmd_check_opts(opts, opts ? opts->sz : 0, sizeof(o));
	if (ret)
		return ret;
	/* The result holds allocations: a caller's struct must hold all of it. */
	if (!c || c->sz < sizeof(*c))
		return -EINVAL;
	memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	if (!shmd_workload_name(o.workload) || (o.flags & ~SHMD_COMPARE_DEVICE_FILE))
		return -EINVAL;
	if (!o.backends[0] && !o.backends[1]) {
		o.backends[0] = SHMD_BACKEND_DEVICE;
		o.backends[1] = SHMD_BACKEND_SYSV;
	}
	if (!shmd_backend_name(o.backends[0]) || !shmd_backend_name(o.backends[1]))
		return -EINVAL;

	wl.workload = o.workload;
	wl.pg = sysconf(_SC_PAGESIZE);
	wl.records = o.records ? o.records : 10;
	wl.size = o.size ? o.size : (uint64_t)64 * (uint64_t)wl.pg;
	if (o.workload == SHMD_WL_RECORDS && wl.size < wl.records * sizeof(struct shmd_people))
		return -EINVAL;

	usize = c->sz;
	memset(c, 0, sizeof(*c));
	c->sz = usize;
	for (k = 0; k < 2; k++)
		shmd_compare_one(o.backends[k], o.flags & SHMD_COMPARE_DEVICE_FILE, &wl,
				 &c->run[k]);

	c->first_diff = -1;
	for (i = 0; i < c->run[0].len && i < c->run[1].len; i++)
		if (c->run[0].bytes[i] != c->run[1].bytes[i]) {
			c->first_diff = (int64_t)i;
			break;
		}
	if (c->first_diff < 0 && c->run[0].len != c->run[1].len)
		c->first_diff = (int64_t)i;
	c->same_bytes = c->first_diff < 0 && c->run[0].bytes && c->run[1].bytes;
	c->same_outcome = c->same_bytes && !c->run[0].error && !c->run[1].error &&
			  c->run[0].signal == c->run[1].signal;
	return 0;
}

void shmd_compare_release(struct shmd_compare *c)
{
	int k;

	if (!c)
		return;
	for (k = 0; k < 2; k++) {
		free(c->run[k].bytes);
		c->run[k].bytes = NULL;
		c->run[k].len = 0;
	}
}
