// SPDX-License-Identifier: GPL-2.0
/*
 * E4 (M3): System V write, then read.  A writer process does ftok(path, 0),
 * creates a 4096-byte segment by key, writes 10 records, detaches and exits;
 * a reader process, started after that, finds the key and reads them.  The
 * segment outlives both (kernel persistence: nattch 0, still listed), its
 * pages live in the kernel's shm filesystem (no disk file), the limits
 * bound it.  The device side does the same through /dev/shmdemo by key,
 * both through libshmdemo (SysV is shmget/shmat unchanged there).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "demo.h"

#define E4_BYTES	4096

struct e4_ctx {
	enum shmd_backend backend;
	char path[256];		/* the ftok() file */
};

struct e4_rep {
	int err;
	int key;
	int id;
	int records;		/* written, or read back intact */
	char backing[64];	/* /proc/self/maps name of the attachment */
};

static int e4_open(const struct e4_ctx *x, int create, struct e4_rep *rep, struct shmd_seg **seg)
{
	struct shmd_open_opts o = {
		.sz = sizeof(o), .backend = x->backend, .size = create ? E4_BYTES : 0,
		.flags = create ? SHMD_CREATE | SHMD_EXCL : 0, .mode = create ? 0666 : 0,
	};
	key_t key = ftok(x->path, 0);

	if (key == (key_t)-1)
		return -errno;
	if (key == IPC_PRIVATE)		/* never for a real file, but be sure */
		return -EADDRNOTAVAIL;
	rep->key = o.key = key;
	return shmd_seg_open(&o, seg);
}

/* testwrite: create, attach, write 10 records, detach, exit. */
static int e4_writer(struct demo_chan *ch, void *arg)
{
	struct e4_rep rep = { .id = -1 };
	struct shmd_seg *seg = NULL;
	struct people *p;
	int i;

	rep.err = e4_open(arg, 1, &rep, &seg);
	if (!rep.err) {
		rep.id = shmd_seg_id(seg);
		rep.err = shmd_attach(seg, NULL, 0, (void **)&p);
	}
	if (!rep.err) {
		for (i = 0; i < DEMO_RECORDS; i++)
			people_make(&p[i], i);
		rep.records = DEMO_RECORDS;
		rep.err = shmd_detach(p);
	}
	shmd_seg_close(seg);
	return demo_chan_send(ch, &rep, sizeof(rep)) ? 1 : 0;
}

/* testread: find the key, attach read-only, print the records. */
static int e4_reader(struct demo_chan *ch, void *arg)
{
	struct e4_rep rep = { .id = -1 };
	struct shmd_seg *seg = NULL;
	struct people *p;
	int i;

	rep.err = e4_open(arg, 0, &rep, &seg);
	if (!rep.err) {
		rep.id = shmd_seg_id(seg);
		rep.err = shmd_attach(seg, NULL, SHMD_RDONLY, (void **)&p);
	}
	if (!rep.err) {
		for (i = 0; i < DEMO_RECORDS; i++)
			rep.records += people_ok(&p[i], i);
		demo_maps_name(p, rep.backing, sizeof(rep.backing));
		rep.err = shmd_detach(p);
	}
	shmd_seg_close(seg);
	return demo_chan_send(ch, &rep, sizeof(rep)) ? 1 : 0;
}

static int e4_step(demo_child_fn fn, struct e4_ctx *x, struct e4_rep *rep, pid_t *pid)
{
	struct demo_child c;
	int ret = demo_child_start(&c, fn, x);

	if (ret)
		return ret;
	*pid = c.pid;
	ret = demo_child_recv(&c, rep, sizeof(*rep));
	if (demo_child_wait(&c) && !ret)
		ret = -ECHILD;
	return ret ? ret : rep->err;
}

/* Status after the processes exited: 1 exists (nattch, cpid, lpid filled), 0 gone. */
static int e4_state(struct demo_e4 *e, enum shmd_backend b, uint64_t *nattch)
{
	struct shmd_stat st = { .sz = sizeof(st) };
	struct shmd_seg *seg;

	if (shmd_seg_open_id(b, e->id, &seg))
		return 0;
	if (shmd_stat(seg, &st)) {
		shmd_seg_close(seg);
		return 0;
	}
	*nattch = st.nattch;
	e->cpid = st.cpid;
	e->lpid = st.lpid;
	shmd_seg_close(seg);
	return 1;
}

/* The limits, and a create one byte over the size limit (-EINVAL expected). */
static void e4_limits(struct demo_e4 *e, int side)
{
	if (side == DEMO_NATIVE) {
		e->limit_bytes = (uint64_t)demo_read_ll("/proc/sys/kernel/shmmax");
		e->limit_segments = (uint64_t)demo_read_ll("/proc/sys/kernel/shmmni");
		e->limit_pages = (uint64_t)demo_read_ll("/proc/sys/kernel/shmall");
		if (e->limit_bytes < SIZE_MAX) {
			int id = shmget(IPC_PRIVATE, (size_t)e->limit_bytes + 1, IPC_CREAT | 0600);

			e->too_big = id < 0 ? -errno : 0;
			if (id >= 0)
				shmctl(id, IPC_RMID, NULL);
		}
	} else {
		e->limit_bytes = (uint64_t)demo_read_ll("/sys/module/shmdemo/parameters/max_seg_bytes");
		e->limit_segments = (uint64_t)demo_read_ll("/sys/module/shmdemo/parameters/max_segments");
		e->limit_pages = (uint64_t)demo_read_ll("/sys/module/shmdemo/parameters/max_total_pages");
		e->too_big = demo_dev_create(SHMDEMO_KEY_PRIVATE, e->limit_bytes + 1, 0600);
		if (e->too_big >= 0) {
			demo_dev_rmid(e->too_big);
			e->too_big = 0;
		}
	}
}

static int e4_run(struct demo_result *r, int side)
{
	struct demo_e4 *e = &r->e4[side];
	enum demo_sec sec = demo_sec_of(side);
	struct e4_ctx x = {
		.backend = side == DEMO_NATIVE ? SHMD_BACKEND_SYSV : SHMD_BACKEND_DEVICE,
	};
	const char *dir = access("/dev/shm", W_OK) ? NULL : "/dev/shm";
	struct e4_rep w = { .id = -1 }, rd = { .id = -1 };
	struct shmd_seg *seg;
	char line[256];
	int fd, ret;

	e->id = -1;
	if (dir)
		snprintf(x.path, sizeof(x.path), "%s/shmdemo-demo-e4-%s-%d", dir,
			 demo_side_name(side), (int)getpid());
	else
		demo_tmpname(x.path, sizeof(x.path), "e4");
	fd = open(x.path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return demo_fail(r, side, -errno, "create %s for ftok()", x.path);
	close(fd);

	ret = e4_step(e4_writer, &x, &w, &e->writer);
	e->key = w.key;
	e->id = w.id;
	if (ret)
		goto out;
	e->written = w.records;
	e->exists_after_writer = e4_state(e, x.backend, &e->nattch_after_writer);
	ret = e4_step(e4_reader, &x, &rd, &e->reader);
	if (ret)
		goto out;
	e->records_read = rd.records;
	snprintf(e->backing, sizeof(e->backing), "%s", rd.backing);
	e->exists_after_reader = e4_state(e, x.backend, &e->nattch_after_reader);
	e4_limits(e, side);

	demo_say(r, sec, "writer pid %d: ftok(\"%s\", 0) = 0x%x, %s, wrote %d records, "
		 "detached, exited", (int)e->writer, x.path, (unsigned int)e->key,
		 side == DEMO_NATIVE ? "shmget(key, 4096, IPC_CREAT|IPC_EXCL|0666)" :
		 "SHMDEMO_IOC_GET(key, 4096, CREATE|EXCL, 0666)", e->written);
	demo_say(r, sec, "after it exited: id %d %s, nattch %llu, cpid %d", e->id,
		 e->exists_after_writer ? "still exists" : "GONE",
		 (unsigned long long)e->nattch_after_writer, (int)e->cpid);
	demo_say(r, sec, "reader pid %d (started later): found the key, attached, %d of 10 "
		 "records intact, detached, exited", (int)e->reader, e->records_read);
	demo_say(r, sec, "after both exited: %s, nattch %llu, lpid %d (the reader)",
		 e->exists_after_reader ? "still exists (kernel persistence)" : "GONE",
		 (unsigned long long)e->nattch_after_reader, (int)e->lpid);
	if (!demo_proc_line(side == DEMO_NATIVE ? "/proc/sysvipc/shm" : "/proc/shmdemo", 1,
			    e->id, line, sizeof(line)))
		demo_say(r, DEMO_SEC_EVIDENCE, "%s: %s line: %s", demo_side_name(side),
			 side == DEMO_NATIVE ? "/proc/sysvipc/shm (what ipcs reads)" : "/proc/shmdemo",
			 line);
	demo_say(r, DEMO_SEC_EVIDENCE, "%s: the reader's mapping in /proc/self/maps: %s - %s",
		 demo_side_name(side), e->backing,
		 side == DEMO_NATIVE ? "a file of the kernel's internal shm filesystem, no disk file" :
		 "an inode of the module's pseudo filesystem, no disk file");
	demo_say(r, DEMO_SEC_EVIDENCE, "%s: limits %s %llu bytes, %s %llu segments, %s %llu pages; "
		 "a segment of %s + 1 bytes: %s", demo_side_name(side),
		 side == DEMO_NATIVE ? "shmmax" : "max_seg_bytes",
		 (unsigned long long)e->limit_bytes,
		 side == DEMO_NATIVE ? "shmmni" : "max_segments",
		 (unsigned long long)e->limit_segments,
		 side == DEMO_NATIVE ? "shmall" : "max_total_pages",
		 (unsigned long long)e->limit_pages, side == DEMO_NATIVE ? "shmmax" : "max_seg_bytes",
		 e->too_big ? strerror(-e->too_big) : "created (not bounded!)");
	demo_summary(r, side, "%d read; nattch %llu, %s", e->records_read,
		     (unsigned long long)e->nattch_after_reader,
		     e->exists_after_reader ? "persists" : "gone");
out:
	if (e->id >= 0 && !shmd_seg_open_id(x.backend, e->id, &seg)) {
		uint64_t n;

		shmd_remove(seg);
		shmd_seg_close(seg);
		e->gone_after_remove = !e4_state(e, x.backend, &n);
		if (!ret)
			demo_say(r, sec, "removed: %s", e->gone_after_remove ? "gone" : "STILL THERE");
	}
	unlink(x.path);
	return ret ? demo_fail(r, side, ret, "E4 %s", demo_side_name(side)) : 0;
}

static void e4_judge(struct demo_result *r, int side)
{
	const struct demo_e4 *e = &r->e4[side];

	demo_judge(r, side, e->records_read == DEMO_RECORDS && e->exists_after_reader &&
		   e->nattch_after_reader == 0 && e->too_big == -EINVAL && e->gone_after_remove,
		   "the reader got %d of 10 records; after both exited the segment %s (nattch "
		   "%llu); a segment over the size limit: %s; after removal %s", e->records_read,
		   e->exists_after_reader ? "existed" : "was gone",
		   (unsigned long long)e->nattch_after_reader,
		   e->too_big ? strerror(-e->too_big) : "created",
		   e->gone_after_remove ? "gone" : "still there");
}

static void e4_json(const struct demo_result *r, int side, struct sdt_json *j)
{
	const struct demo_e4 *e = &r->e4[side];

	sdt_json_int(j, "key", e->key);
	sdt_json_int(j, "id", e->id);
	sdt_json_int(j, "writer_pid", e->writer);
	sdt_json_int(j, "reader_pid", e->reader);
	sdt_json_int(j, "records_written", e->written);
	sdt_json_int(j, "records_read", e->records_read);
	sdt_json_int(j, "exists_after_writer", e->exists_after_writer);
	sdt_json_u64(j, "nattch_after_writer", e->nattch_after_writer);
	sdt_json_int(j, "exists_after_reader", e->exists_after_reader);
	sdt_json_u64(j, "nattch_after_reader", e->nattch_after_reader);
	sdt_json_int(j, "cpid", e->cpid);
	sdt_json_int(j, "lpid", e->lpid);
	sdt_json_u64(j, "limit_bytes", e->limit_bytes);
	sdt_json_u64(j, "limit_segments", e->limit_segments);
	sdt_json_u64(j, "limit_pages", e->limit_pages);
	sdt_json_int(j, "over_limit_errno", -e->too_big);
	sdt_json_int(j, "gone_after_remove", e->gone_after_remove);
	sdt_json_string(j, "backing", e->backing);
}

const struct demo_row demo_row_e4 = {
	.name = "E4",
	.title = "System V: one process writes and exits, a later one reads by key (M3)",
	.claim = "segment outlives processes; limits",
	.article = { "testread, run after testwrite exited, prints the 10 records: the segment "
		     "persists in the kernel",
		     "until removed, is never written to a disk file, and shmmax/shmmni/shmall "
		     "bound it" },
	.run = e4_run,
	.judge = e4_judge,
	.json = e4_json,
};
