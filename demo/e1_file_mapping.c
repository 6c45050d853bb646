// SPDX-License-Identifier: GPL-2.0
/*
 * E1 (M1): two processes, one file.  A writer sizes a file to 5 records,
 * maps room for 10 and writes 10; a reader maps it while the writer still
 * does and sees 10; after the writer's munmap a new reader maps again.
 * The article says records 6-10 then read as zeros.  On this kernel the
 * page stays in the page cache, bytes past EOF included, until something
 * writes it back (a disk filesystem zeroes the tail then) or evicts it -
 * we show what happens and why: st_size, read(), mincore(), msync().
 * The device side is the same code on a 40-byte segment found by key.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demo.h"

#define E1_SIZE		(5 * (long)sizeof(struct people))	/* the file: 5 records */
#define E1_MAP		(DEMO_RECORDS * sizeof(struct people))	/* the mapping: 10 */

struct e1_ctx {
	int side;
	char path[256];		/* native: the file */
	int key;		/* device: the segment's key */
	int id;			/* device: its id (from the writer) */
};

/* What a reader sees. */
struct e1_view {
	int err;
	int seen;		/* records 1-10 intact */
	int tail_seen;		/* records 6-10 intact */
	int tail_zero;		/* records 6-10 all zero */
	int resident;		/* page 0 resident before we touched it */
	int64_t size;		/* st_size / segment bytes */
	int64_t read_bytes;	/* native: read() of 80 bytes returned */
	struct people rec[DEMO_RECORDS];
};

/* Open the shared object by its name (path or key), as an unrelated process would. */
static int e1_open(const struct e1_ctx *x, int create, int *idp)
{
	int fd, id;

	if (x->side == DEMO_DEVICE) {
		if (!create)
			return demo_dev_open_bound(-1, x->key);
		id = demo_dev_create(x->key, E1_SIZE, 0600);
		*idp = id;
		return id < 0 ? id : demo_dev_open_bound(id, -1);
	}
	if (!create) {
		fd = open(x->path, O_RDWR | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	/* The article's sizing: lseek to 5 records - 1, write one byte. */
	fd = open(x->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (lseek(fd, E1_SIZE - 1, SEEK_SET) != E1_SIZE - 1 || write(fd, "", 1) != 1) {
		close(fd);
		return -EIO;
	}
	return fd;
}

struct e1_wrep {
	int err;
	int id;
};

static int e1_writer(struct demo_chan *ch, void *arg)
{
	struct e1_ctx *x = arg;
	struct e1_wrep rep = { .id = -1 };
	struct people *p;
	int fd, i;

	fd = e1_open(x, 1, &rep.id);
	if (fd < 0) {
		rep.err = fd;
		return demo_chan_send(ch, &rep, sizeof(rep)) ? 1 : 0;
	}
	p = mmap(NULL, E1_MAP, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		rep.err = -errno;
	for (i = 0; !rep.err && i < DEMO_RECORDS; i++)
		people_make(&p[i], i);
	close(fd);
	/* Written; hold the mapping until the reader has looked. */
	if (demo_chan_send(ch, &rep, sizeof(rep)) || rep.err || demo_chan_wait(ch))
		return 1;
	munmap(p, E1_MAP);
	return demo_chan_send(ch, &rep, sizeof(rep)) ? 1 : 0;
}

struct e1_rarg {
	struct e1_ctx *x;
	int sync_first;		/* msync(MS_SYNC) + fsync before reading */
};

static int e1_reader(struct demo_chan *ch, void *arg)
{
	struct e1_rarg *a = arg;
	const struct e1_ctx *x = a->x;
	struct e1_view v = { 0 };
	char buf[E1_MAP];
	struct people *p;
	int fd, i;

	fd = e1_open(x, 0, NULL);
	if (fd < 0) {
		v.err = fd;
		goto out;
	}
	p = mmap(NULL, E1_MAP, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		v.err = -errno;
		goto out;
	}
	v.resident = demo_mincore(p, E1_MAP) == 1;
	if (a->sync_first && (msync(p, E1_MAP, MS_SYNC) || fsync(fd)))
		v.err = -errno;
	for (i = 0; i < DEMO_RECORDS; i++) {
		v.rec[i] = p[i];
		v.seen += people_ok(&p[i], i);
		if (i >= 5) {
			v.tail_seen += people_ok(&p[i], i);
			v.tail_zero += people_zero(&p[i]);
		}
	}
	if (x->side == DEMO_NATIVE) {
		struct stat st;

		v.size = fstat(fd, &st) ? -errno : st.st_size;
		v.read_bytes = pread(fd, buf, sizeof(buf), 0);
	} else {
		struct shmdemo_stat st;

		v.size = demo_dev_stat(x->id, &st) ? -1 : (int64_t)st.bytes;
	}
	munmap(p, E1_MAP);
out:
	if (fd >= 0)
		close(fd);
	return demo_chan_send(ch, &v, sizeof(v)) ? 1 : 0;
}

static int e1_read(struct e1_ctx *x, int sync_first, struct e1_view *v)
{
	struct e1_rarg a = { .x = x, .sync_first = sync_first };
	int ret = demo_child_run(e1_reader, &a, v, sizeof(*v));

	return ret ? (ret < 0 ? ret : -ECHILD) : v->err;
}

static void e1_say_view(struct demo_result *r, int side, const char *when,
			const struct e1_view *v)
{
	demo_say(r, demo_sec_of(side),
		 "%s: %d of 10 records intact; records 6-10: %d intact, %d all-zero "
		 "(record 10: name \"%.4s\" age %d)", when, v->seen, v->tail_seen, v->tail_zero,
		 v->rec[9].name, v->rec[9].age);
}

static int e1_run(struct demo_result *r, int side)
{
	struct demo_e1 *e = &r->e1[side];
	struct e1_ctx x = { .side = side, .id = -1 };
	struct e1_view v1, v2, v3;
	struct e1_wrep w;
	struct demo_child c;
	int ret, fd;

	if (side == DEMO_NATIVE)
		demo_tmpname(x.path, sizeof(x.path), "e1");
	else
		x.key = demo_key(0xe1);
	e->tail_after_sync = -1;
	ret = demo_child_start(&c, e1_writer, &x);
	if (ret)
		return demo_fail(r, side, ret, "fork");
	ret = demo_child_recv(&c, &w, sizeof(w));
	if (!ret)
		ret = w.err;
	x.id = w.id;
	if (!ret)	/* the writer still has it mapped */
		ret = e1_read(&x, 0, &v1);
	if (!ret)
		ret = demo_child_go(&c);
	if (!ret)	/* the writer has unmapped */
		ret = demo_child_recv(&c, &w, sizeof(w));
	if (demo_child_wait(&c) && !ret)
		ret = -ECHILD;
	if (!ret)
		ret = e1_read(&x, 0, &v2);
	if (ret)
		goto out;

	e->seen_while_mapped = v1.seen;
	e->seen_after_unmap = v2.seen;
	e->tail_seen = v2.tail_seen;
	e->tail_zero = v2.tail_zero;
	e->resident = v2.resident;
	e->size_after = v2.size;
	if (side == DEMO_NATIVE) {
		e->read_bytes = v2.read_bytes;
		fd = open(x.path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			demo_fs_name(fd, e->fs, sizeof(e->fs));
			close(fd);
		}
		demo_say(r, DEMO_SEC_NATIVE, "writer: file %s (%s) sized to %ld bytes (lseek + write "
			 "1 byte), mmap 80 bytes, 10 records b..k / 20..29 written", x.path, e->fs,
			 E1_SIZE);
	} else {
		e->page_flags = (uint32_t)demo_dev_page(x.id, 0);
		demo_say(r, DEMO_SEC_DEVICE, "writer: segment key 0x%x id %d of %ld bytes, mmap "
			 "80 bytes, 10 records b..k / 20..29 written", x.key, x.id, E1_SIZE);
	}
	e1_say_view(r, side, "reader, writer still mapped", &v1);
	e1_say_view(r, side, "new reader after the writer's munmap", &v2);
	if (side == DEMO_NATIVE) {
		demo_say(r, DEMO_SEC_NATIVE, "stat: st_size %lld after writing 80 bytes; read() of "
			 "80 bytes returns %lld", (long long)e->size_after, (long long)e->read_bytes);
		/* Writeback is what would zero the tail: force it. */
		ret = e1_read(&x, 1, &v3);
		if (!ret)
			e->tail_after_sync = v3.tail_seen;
		demo_say(r, DEMO_SEC_EVIDENCE, "native: mincore: page 0 of the file %s in the page cache "
			 "before the new reader touched it; bytes 40-79 live there, past EOF",
			 e->resident ? "resident" : "NOT resident");
		if (!ret)
			demo_say(r, DEMO_SEC_EVIDENCE, "native: after msync(MS_SYNC) + fsync() on %s: "
				 "records 6-10 %d intact, %d all-zero (%s)", e->fs, v3.tail_seen,
				 v3.tail_zero, v3.tail_zero == 5 ?
				 "writeback zeroed the page past EOF: the article's zeros" :
				 "no writeback touched the page cache copy");
		ret = 0;
	} else {
		demo_say(r, DEMO_SEC_DEVICE, "STAT: %lld bytes after writing 80 bytes",
			 (long long)e->size_after);
		demo_say(r, DEMO_SEC_EVIDENCE, "device: mincore %s; SHMDEMO_IOC_PAGES page 0: %s%s, "
			 "mapcount %u - the segment's page stays in the module's page cache until "
			 "the segment is removed", e->resident ? "resident" : "NOT resident",
			 e->page_flags & SHMDEMO_PAGE_RESIDENT ? "resident" : "not resident",
			 e->page_flags & SHMDEMO_PAGE_DIRTY ? " dirty" : "",
			 SHMDEMO_PAGE_MAPCOUNT(e->page_flags));
	}
	demo_summary(r, side, "%d, then 6-10 %s; size %lld", e->seen_while_mapped,
		     e->tail_seen == 5 ? "intact" : e->tail_zero == 5 ? "zero" : "mixed",
		     (long long)e->size_after);
out:
	if (side == DEMO_NATIVE)
		unlink(x.path);
	else if (x.id >= 0)
		demo_dev_rmid(x.id);
	return ret ? demo_fail(r, side, ret, "E1 %s", demo_side_name(side)) : 0;
}

static void e1_judge(struct demo_result *r, int side)
{
	const struct demo_e1 *e = &r->e1[side];
	int ok = e->seen_while_mapped == DEMO_RECORDS && e->tail_zero == 5 &&
		 e->size_after == E1_SIZE;

	if (e->seen_while_mapped != DEMO_RECORDS) {
		demo_judge(r, side, ok, "the reader saw %d of 10 records while the writer mapped "
			   "the %s", e->seen_while_mapped, side == DEMO_NATIVE ? "file" : "segment");
	} else if (e->size_after != E1_SIZE) {
		demo_judge(r, side, ok, "the size changed to %lld bytes by writing through the "
			   "mapping", (long long)e->size_after);
	} else if (side == DEMO_NATIVE) {
		demo_judge(r, side, ok, "after munmap records 6-10 still read back (%d of 5 intact, "
			   "not zeros): the page past EOF is still in the page cache (mincore: %s), "
			   "while st_size stays %lld and read() returns %lld bytes - the bytes past EOF "
			   "are not file data; %s (after msync + fsync on %s: %d of 5 intact). Mapping "
			   "can't change the size: reproduced", e->tail_seen,
			   e->resident ? "resident" : "not resident", (long long)e->size_after,
			   (long long)e->read_bytes, e->tail_after_sync == 0 ?
			   "writeback zeroes them: the article's zeros come from writeback, not munmap" :
			   "no writeback zeroed them", e->fs, e->tail_after_sync);
	} else {
		demo_judge(r, side, ok, "after munmap records 6-10 still read back (%d of 5 intact): "
			   "the segment's page stays in the module's page cache (PAGES: %s%s) and "
			   "nothing ever writes it back; STAT bytes stays %lld: reproduced",
			   e->tail_seen,
			   e->page_flags & SHMDEMO_PAGE_RESIDENT ? "resident" : "not resident",
			   e->page_flags & SHMDEMO_PAGE_DIRTY ? ", dirty" : "",
			   (long long)e->size_after);
	}
}

static void e1_json(const struct demo_result *r, int side, struct sdt_json *j)
{
	const struct demo_e1 *e = &r->e1[side];

	sdt_json_int(j, "records_while_mapped", e->seen_while_mapped);
	sdt_json_int(j, "records_after_munmap", e->seen_after_unmap);
	sdt_json_int(j, "records_6_10_intact", e->tail_seen);
	sdt_json_int(j, "records_6_10_zero", e->tail_zero);
	sdt_json_int(j, "page_resident", e->resident);
	sdt_json_int(j, "size_after", e->size_after);
	if (side == DEMO_NATIVE) {
		sdt_json_int(j, "read_bytes", e->read_bytes);
		sdt_json_int(j, "records_6_10_intact_after_msync", e->tail_after_sync);
		sdt_json_string(j, "filesystem", e->fs);
	} else {
		sdt_json_int(j, "page_flags", e->page_flags);
	}
}

const struct demo_row demo_row_e1 = {
	.name = "E1",
	.title = "two processes, one file (M1): what a reader sees after the writer unmaps",
	.claim = "records 6-10 read as 0 after munmap",
	.article = { "a reader sees all 10 records while the writer maps the 5-record file; after "
		     "munmap records 1-5,",
		     "zeros for 6-10; the mapping can't change the file's size" },
	.run = e1_run,
	.judge = e1_judge,
	.json = e1_json,
};
