// SPDX-License-Identifier: GPL-2.0
/*
 * C3: a page that is not in memory is read back when it is touched - from
 * the file for a file mapping (a major fault), from swap for a SysV
 * segment (its pages are shmem, which reclaim swaps out).
 *
 * The file case: a file of DEMO_C3_PAGES pages is read through a mapping
 * three times, each by a new process: cold, warm, and after
 * POSIX_FADV_DONTNEED dropped the clean pages.  Natively a file on a disk
 * file system (tmpfs keeps file pages: DONTNEED does nothing there), read
 * with MADV_RANDOM so no read-ahead hides a fault: one major fault per
 * page.  On the device, a segment backed by such a file, whose own cache
 * reads a page per fault; DONTNEED of a bound descriptor is the segment's.
 *
 * The pressure case (root, cgroup v2; natively swap too): a process in a
 * memory cgroup with memory.high DEMO_C3_LIMIT goes through a segment of
 * DEMO_C3_BIG, and a second one reads it again.  Natively the first writes a SysV
 * segment, whose pages reclaim pushes to swap (/proc/sysvipc/shm swap),
 * and the second's faults bring them back (pswpin, SwapCached, major
 * faults).  On the device the segment is file-backed: reclaim drops its
 * clean pages and the second pass reads them from the file again.  (A
 * memory-only segment's pages are unevictable: the module has no swap.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <unistd.h>

#include "demo.h"

static unsigned char c3_byte(long page, long off)
{
	return (unsigned char)(1 + (page * 31 + off) % 251);
}

/* What to read: a file by path (native), a segment by id (device). */
struct c3_target {
	int side;
	const char *path;
	int id;
	long pages;
	long pg;
	const char *cgroup;	/* join it first, unless NULL */
	int sysv_write;		/* native pressure: shmat @id and write every page */
};

struct c3_rep {
	int err;
	long majflt;
	int data_ok;
	long long pswpin;	/* vmstat delta around the read */
};

static long c3_majflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

/* Check (or with @write, set) the first and last byte of every page. */
static int c3_walk(volatile unsigned char *p, long pages, long pg, int write)
{
	long i, bad = 0;

	for (i = 0; i < pages; i++) {
		if (write) {
			p[i * pg] = c3_byte(i, 0);
			p[i * pg + pg - 1] = c3_byte(i, pg - 1);
		} else {
			bad += p[i * pg] != c3_byte(i, 0) || p[i * pg + pg - 1] != c3_byte(i, pg - 1);
		}
	}
	return bad == 0;
}

/* A child: map the target, walk every page, report its major faults. */
static int c3_reader(struct demo_chan *ch, void *arg)
{
	const struct c3_target *t = arg;
	struct c3_rep rep = { 0 };
	size_t len = (size_t)(t->pages * t->pg);
	long long in0;
	void *p = MAP_FAILED;
	long m0;
	int fd = -1;

	if (t->cgroup)
		rep.err = demo_cgroup_enter(t->cgroup);
	if (rep.err)
		goto out;
	if (t->sysv_write || (t->side == DEMO_NATIVE && !t->path)) {
		p = shmat(t->id, NULL, 0);
		if (p == (void *)-1) {
			p = MAP_FAILED;
			rep.err = -errno;
			goto out;
		}
	} else {
		fd = t->side == DEMO_NATIVE ? open(t->path, O_RDONLY | O_CLOEXEC) :
					      demo_dev_open_bound(t->id, -1);
		if (fd < 0) {
			rep.err = t->side == DEMO_NATIVE ? -errno : fd;
			goto out;
		}
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			rep.err = -errno;
			goto out;
		}
		/* No read-ahead: each page not in memory is one fault that reads it. */
		madvise(p, len, MADV_RANDOM);
	}
	in0 = demo_proc_value("/proc/vmstat", "pswpin");
	m0 = c3_majflt();
	rep.data_ok = c3_walk(p, t->pages, t->pg, t->sysv_write);
	rep.majflt = c3_majflt() - m0;
	rep.pswpin = demo_proc_value("/proc/vmstat", "pswpin") - in0;
out:
	if (p != MAP_FAILED) {
		if (fd >= 0 || t->side == DEMO_DEVICE)
			munmap(p, len);
		else
			shmdt(p);
	}
	if (fd >= 0)
		close(fd);
	return demo_chan_send(ch, &rep, sizeof(rep)) ? 1 : 0;
}

static int c3_read(struct c3_target *t, struct c3_rep *rep)
{
	int ret = demo_child_run(c3_reader, t, rep, sizeof(*rep));

	return ret ? (ret < 0 ? ret : -ECHILD) : rep->err;
}

/* A new file of @pages pages of the pattern, written and synced. */
static int c3_make_file(const char *path, long pages, long pg)
{
	unsigned char *buf = malloc((size_t)pg);
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600), ret = 0;
	long i, off;

	if (fd < 0 || !buf) {
		ret = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (i = 0; i < pages && !ret; i++) {
		for (off = 0; off < pg; off++)
			buf[off] = c3_byte(i, off);
		if (pwrite(fd, buf, (size_t)pg, i * pg) != pg)
			ret = -EIO;
	}
	if (!ret && fsync(fd))
		ret = -errno;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* POSIX_FADV_DONTNEED of the file, or of a descriptor bound to the segment. */
static int c3_drop(const struct c3_target *t)
{
	int fd = t->side == DEMO_NATIVE ? open(t->path, O_RDONLY | O_CLOEXEC) :
					  demo_dev_open_bound(t->id, -1);
	int err;

	if (fd < 0)
		return t->side == DEMO_NATIVE ? -errno : fd;
	err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	return -err;
}

/* Resident pages of the file (mincore of a mapping that touches nothing). */
static long c3_resident(const char *path, long len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long n = -ENOENT;
	void *p;

	if (fd < 0)
		return -errno;
	p = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		n = demo_mincore(p, (size_t)len);
		munmap(p, (size_t)len);
	}
	close(fd);
	return n;
}

/* A file path on the disk, else in the temporary directory. */
static void c3_path(char *buf, size_t len, const char *tag)
{
	if (demo_disk_name(buf, len, tag))
		demo_tmpname(buf, len, tag);
}

static int c3_stat(int id, struct shmdemo_stat *st)
{
	return demo_dev_stat(id, st);
}

static int c3_file_case(struct demo_result *r, int side)
{
	struct demo_c3 *e = &r->c3[side];
	struct c3_target t = { .side = side, .id = -1, .pages = DEMO_C3_PAGES, .pg = r->pagesize };
	struct shmdemo_stat st0, st1;
	struct c3_rep rep;
	char path[256];
	int ret, k, fd, traced = 0;

	e->pages = DEMO_C3_PAGES;
	e->trace_lines = -1;
	c3_path(path, sizeof(path), "c3");
	t.path = path;
	ret = c3_make_file(path, t.pages, t.pg);
	if (ret)
		goto out;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		demo_fs_name(fd, e->fs, sizeof(e->fs));
		if (side == DEMO_DEVICE) {
			t.id = demo_dev_create_file(SHMDEMO_KEY_PRIVATE, fd, 0, 0600);
			ret = t.id < 0 ? t.id : 0;
		}
		close(fd);
	}
	if (ret)
		goto out;
	if (side == DEMO_NATIVE) {
		/* Written and synced: make it cold, if this file system can. */
		ret = c3_drop(&t);
		if (!ret && c3_resident(path, t.pages * t.pg) != 0) {
			snprintf(e->file_why, sizeof(e->file_why), "%s keeps the file's pages in "
				 "memory (DONTNEED does nothing): give a disk file system (--disk)",
				 e->fs);
			goto out;
		}
	}
	e->data_ok = 1;
	for (k = 0; k < DEMO_C3_NREADS && !ret; k++) {
		if (k == DEMO_C3_DROPPED)
			ret = c3_drop(&t);
		if (!ret && side == DEMO_DEVICE)
			ret = c3_stat(t.id, &st0);
		if (!ret && side == DEMO_DEVICE && k == DEMO_C3_DROPPED)
			traced = demo_trace_start();
		if (!ret)
			ret = c3_read(&t, &rep);
		if (traced)
			e->trace_lines = demo_trace_stop(t.id, "shmdemo_read:", e->trace, 2);
		if (ret)
			break;
		e->majflt[k] = rep.majflt;
		e->data_ok &= rep.data_ok;
		if (side == DEMO_DEVICE && !c3_stat(t.id, &st1)) {
			e->dev_major[k] = st1.file.major_faults - st0.file.major_faults;
			e->dev_bytes_read[k] = st1.file.bytes_read - st0.file.bytes_read;
		}
	}
	if (!ret)
		e->file_ran = 1;
out:
	if (t.id >= 0)
		demo_dev_rmid(t.id);
	unlink(path);
	return ret;
}

static int c3_press_case(struct demo_result *r, int side)
{
	struct demo_c3 *e = &r->c3[side];
	struct c3_target t = { .side = side, .id = -1, .pg = r->pagesize };
	struct shmdemo_stat st0, st1;
	struct c3_rep rep;
	char cg[256], path[256] = "";
	int ret, fd;

	e->seg_bytes = DEMO_C3_BIG;
	e->limit = DEMO_C3_LIMIT;
	e->big_pages = (int)(DEMO_C3_BIG / r->pagesize);
	t.pages = e->big_pages;
	if (side == DEMO_NATIVE && demo_proc_value("/proc/meminfo", "SwapTotal") <= 0) {
		snprintf(e->press_why, sizeof(e->press_why), "no swap (SwapTotal 0: swapon a "
			 "device; make demo gives one)");
		return 0;
	}
	ret = demo_cgroup_make(cg, sizeof(cg), "c3", DEMO_C3_LIMIT);
	if (ret) {
		snprintf(e->press_why, sizeof(e->press_why), "no memory cgroup of its own (%s): "
			 "needs root and cgroup v2", strerror(-ret));
		return 0;
	}
	t.cgroup = cg;
	if (side == DEMO_NATIVE) {
		t.id = shmget(IPC_PRIVATE, (size_t)DEMO_C3_BIG, IPC_CREAT | 0600);
		ret = t.id < 0 ? -errno : 0;
	} else {
		c3_path(path, sizeof(path), "c3big");
		t.path = path;
		ret = c3_make_file(path, t.pages, t.pg);
		fd = ret ? -1 : open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			t.id = demo_dev_create_file(SHMDEMO_KEY_PRIVATE, fd, 0, 0600);
			ret = t.id < 0 ? t.id : 0;
			close(fd);
		}
	}
	if (ret)
		goto out;

	/* First pass: write the SysV segment / read the file-backed one. */
	t.sysv_write = side == DEMO_NATIVE;
	if (side == DEMO_DEVICE)
		ret = c3_stat(t.id, &st0);
	if (!ret)
		ret = c3_read(&t, &rep);
	if (ret)
		goto out;
	e->press_data_ok = rep.data_ok || t.sysv_write;
	if (side == DEMO_NATIVE) {
		e->rss = demo_sysv_rss(t.id);
		e->swap = demo_sysv_swap(t.id);
	} else if (!c3_stat(t.id, &st1)) {
		e->resident = st1.counters.pages_resident;
		e->dev_major_first = st1.file.major_faults - st0.file.major_faults;
		st0 = st1;
	}
	/* Second pass: read it all again. */
	t.sysv_write = 0;
	t.path = side == DEMO_NATIVE ? NULL : path;
	ret = c3_read(&t, &rep);
	if (ret)
		goto out;
	e->majflt_reread = rep.majflt;
	e->press_data_ok &= rep.data_ok;
	if (side == DEMO_NATIVE) {
		e->pswpin = rep.pswpin;
		e->swapcached_kb = demo_proc_value("/proc/meminfo", "SwapCached");
	} else if (!c3_stat(t.id, &st1)) {
		e->dev_major_reread = st1.file.major_faults - st0.file.major_faults;
	}
	e->press_ran = 1;
out:
	if (t.id >= 0) {
		if (side == DEMO_NATIVE)
			shmctl(t.id, IPC_RMID, NULL);
		else
			demo_dev_rmid(t.id);
	}
	if (path[0])
		unlink(path);
	demo_cgroup_remove(cg);
	return ret;
}

static void c3_say(struct demo_result *r, int side)
{
	const struct demo_c3 *e = &r->c3[side];
	enum demo_sec sec = demo_sec_of(side);
	int i;

	if (e->file_ran && side == DEMO_NATIVE)
		demo_say(r, sec, "file of %d pages on %s, mapped with MADV_RANDOM; major faults "
			 "(getrusage) cold %ld, warm %ld, after DONTNEED %ld; data %s", e->pages,
			 e->fs, e->majflt[0], e->majflt[1], e->majflt[2],
			 e->data_ok ? "right" : "WRONG");
	else if (e->file_ran)
		demo_say(r, sec, "segment of %d pages backed by a file on %s; major faults "
			 "(getrusage / STAT) cold %ld/%llu, warm %ld/%llu, after DONTNEED of a "
			 "binding %ld/%llu; bytes read from the file %llu, %llu, %llu; data %s",
			 e->pages, e->fs, e->majflt[0], (unsigned long long)e->dev_major[0],
			 e->majflt[1], (unsigned long long)e->dev_major[1], e->majflt[2],
			 (unsigned long long)e->dev_major[2],
			 (unsigned long long)e->dev_bytes_read[0],
			 (unsigned long long)e->dev_bytes_read[1],
			 (unsigned long long)e->dev_bytes_read[2], e->data_ok ? "right" : "WRONG");
	else
		demo_say(r, sec, "file case: not run: %s", e->file_why);
	if (!e->press_ran)
		demo_say(r, sec, "pressure case: not run: %s", e->press_why);
	else if (side == DEMO_NATIVE)
		demo_say(r, sec, "SysV segment of %lld MiB written by a process in a memory cgroup "
			 "with memory.high %lld MiB: /proc/sysvipc/shm rss %lld KiB, swap %lld KiB; read again: "
			 "%lld pages swapped in (pswpin), %ld major faults, SwapCached %lld kB, "
			 "data %s", e->seg_bytes >> 20, e->limit >> 20, e->rss >> 10, e->swap >> 10,
			 e->pswpin, e->majflt_reread, e->swapcached_kb,
			 e->press_data_ok ? "right" : "WRONG");
	else
		demo_say(r, sec, "file-backed segment of %lld MiB read by a process in a memory "
			 "cgroup with memory.high %lld MiB: %llu major faults, %llu of %d pages still resident; "
			 "read again: %llu major faults (getrusage %ld), data %s", e->seg_bytes >> 20,
			 e->limit >> 20, (unsigned long long)e->dev_major_first,
			 (unsigned long long)e->resident, e->big_pages,
			 (unsigned long long)e->dev_major_reread, e->majflt_reread,
			 e->press_data_ok ? "right" : "WRONG");
	if (side == DEMO_NATIVE && e->press_ran && e->majflt_reread > 0)
		demo_say(r, DEMO_SEC_EVIDENCE, "native: %lld pages came back from swap in %ld major "
			 "faults, %.1f pages each: swap read-ahead (vm.page-cluster %lld) reads a "
			 "cluster per fault into the swap cache, where the next faults find them "
			 "(minor)", e->pswpin, e->majflt_reread, (double)e->pswpin / e->majflt_reread,
			 demo_read_ll("/proc/sys/vm/page-cluster"));
	if (side == DEMO_DEVICE && e->trace_lines >= 0) {
		demo_say(r, DEMO_SEC_EVIDENCE, "device: %d shmdemo_read trace lines for the read "
			 "after DONTNEED, e.g.:", e->trace_lines);
		for (i = 0; i < e->trace_lines && i < 2; i++)
			demo_say(r, DEMO_SEC_EVIDENCE, "  %s", e->trace[i]);
	} else if (side == DEMO_DEVICE) {
		demo_say(r, DEMO_SEC_EVIDENCE, "device: no trace (needs root and tracefs)");
	}
	if (side == DEMO_DEVICE)
		demo_say(r, DEMO_SEC_EVIDENCE, "device: a memory-only segment is never swapped: its "
			 "pages are unevictable (the module has no swap), so C3 on the device is "
			 "a file-backed segment");
}

static int c3_run(struct demo_result *r, int side)
{
	const struct demo_c3 *e;
	int ret;

	ret = c3_file_case(r, side);
	if (ret)
		return demo_fail(r, side, ret, "C3 %s, file case", demo_side_name(side));
	ret = c3_press_case(r, side);
	if (ret)
		return demo_fail(r, side, ret, "C3 %s, pressure case", demo_side_name(side));
	e = &r->c3[side];
	if (!e->file_ran && !e->press_ran)
		return demo_skip(r, side, "neither case can run here: %s; %s", e->file_why,
				 e->press_why);
	c3_say(r, side);
	demo_summary(r, side, "%s%s%s", e->file_ran ? "1 major fault/page" : "",
		     e->file_ran && e->press_ran ? "; " : "",
		     !e->press_ran ? "" : e->swap > 0 ? "swapped back in" : "evicted, re-read");
	return 0;
}

static void c3_judge(struct demo_result *r, int side)
{
	const struct demo_c3 *e = &r->c3[side];
	int file_ok = 1, press_ok = 1;
	long long dropped;

	if (e->file_ran) {
		file_ok = e->data_ok && e->majflt[DEMO_C3_COLD] == e->pages &&
			  e->majflt[DEMO_C3_WARM] == 0 && e->majflt[DEMO_C3_DROPPED] == e->pages;
		if (side == DEMO_DEVICE)
			file_ok &= e->dev_major[DEMO_C3_COLD] == (uint64_t)e->pages &&
				   e->dev_major[DEMO_C3_DROPPED] == (uint64_t)e->pages &&
				   e->dev_major[DEMO_C3_WARM] == 0 &&
				   (e->trace_lines < 0 || e->trace_lines == e->pages);
	}
	if (e->press_ran && side == DEMO_NATIVE) {
		press_ok = e->press_data_ok && e->swap > 0 && e->pswpin > 0 &&
			   e->majflt_reread > 0;
	} else if (e->press_ran) {
		dropped = e->big_pages - (long long)e->resident;
		press_ok = e->press_data_ok && dropped > 0 &&
			   (long long)e->dev_major_reread >= dropped;
	}
	if (!file_ok)
		demo_judge(r, side, 0, "file case: %d pages read with %ld major faults cold, %ld "
			   "warm, %ld after DONTNEED%s (expected %d, 0, %d)", e->pages,
			   e->majflt[0], e->majflt[1], e->majflt[2],
			   e->data_ok ? "" : ", data WRONG", e->pages, e->pages);
	else if (!press_ok && side == DEMO_NATIVE)
		demo_judge(r, side, 0, "pressure case: %lld KiB swapped out, %lld pages swapped in, "
			   "%ld major faults%s", e->swap >> 10, e->pswpin, e->majflt_reread,
			   e->press_data_ok ? "" : ", data WRONG");
	else if (!press_ok)
		demo_judge(r, side, 0, "pressure case: %llu of %d pages left resident under the "
			   "limit, %llu read again%s", (unsigned long long)e->resident, e->big_pages,
			   (unsigned long long)e->dev_major_reread,
			   e->press_data_ok ? "" : ", data WRONG");
	else
		demo_judge(r, side, 1, NULL);
}

static void c3_json(const struct demo_result *r, int side, struct sdt_json *j)
{
	const struct demo_c3 *e = &r->c3[side];
	long v[DEMO_C3_NREADS];
	int k;

	sdt_json_begin(j, "file");
	if (!e->file_ran) {
		sdt_json_string(j, "not_run", e->file_why);
	} else {
		sdt_json_string(j, "filesystem", e->fs);
		sdt_json_int(j, "pages", e->pages);
		sdt_json_int(j, "majflt_cold", e->majflt[DEMO_C3_COLD]);
		sdt_json_int(j, "majflt_warm", e->majflt[DEMO_C3_WARM]);
		sdt_json_int(j, "majflt_after_dontneed", e->majflt[DEMO_C3_DROPPED]);
		sdt_json_bool(j, "data_ok", e->data_ok);
		if (side == DEMO_DEVICE) {
			for (k = 0; k < DEMO_C3_NREADS; k++)
				v[k] = (long)e->dev_major[k];
			sdt_json_int(j, "module_major_cold", v[0]);
			sdt_json_int(j, "module_major_warm", v[1]);
			sdt_json_int(j, "module_major_after_dontneed", v[2]);
			sdt_json_u64(j, "bytes_read_cold", e->dev_bytes_read[0]);
			sdt_json_u64(j, "bytes_read_after_dontneed", e->dev_bytes_read[2]);
			sdt_json_int(j, "trace_lines", e->trace_lines);
		}
	}
	sdt_json_end(j);
	sdt_json_begin(j, "pressure");
	if (!e->press_ran) {
		sdt_json_string(j, "not_run", e->press_why);
	} else {
		sdt_json_int(j, "segment_bytes", e->seg_bytes);
		sdt_json_int(j, "memory_high", e->limit);
		sdt_json_int(j, "majflt_reread", e->majflt_reread);
		sdt_json_bool(j, "data_ok", e->press_data_ok);
		if (side == DEMO_NATIVE) {
			sdt_json_int(j, "rss", e->rss);
			sdt_json_int(j, "swap", e->swap);
			sdt_json_int(j, "pswpin", e->pswpin);
			sdt_json_int(j, "swapcached_kb", e->swapcached_kb);
		} else {
			sdt_json_u64(j, "module_major_first", e->dev_major_first);
			sdt_json_u64(j, "pages_resident", e->resident);
			sdt_json_u64(j, "module_major_reread", e->dev_major_reread);
		}
	}
	sdt_json_end(j);
}

const struct demo_row demo_row_c3 = {
	.name = "C3",
	.title = "a page not in memory is read back: from the file, or from swap",
	.claim = "missing pages come from disk/swap",
	.article = { "a file mapping's page not in memory is read from the file (a major fault);",
		     "shm pages can be swapped out and come back through the swap cache" },
	.run = c3_run,
	.judge = c3_judge,
	.json = c3_json,
};
