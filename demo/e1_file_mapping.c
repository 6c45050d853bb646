// SPDX-License-Identifier: GPL-2.0
/*
 * E1 (M1): two processes, one file.  A writer sizes a file to 5 records,
 * maps room for 10 and writes 10; a reader maps it while the writer still
 * does and sees 10; after the writer's munmap a new reader maps again.
 * The article says records 6-10 then read as zeros.
 *
 * They don't, on any file system, right after the munmap: the page stays
 * in the page cache, bytes past EOF included.  The zeros are what the
 * file holds, and they show when the page is written back by a file
 * system that zeroes the tail of the EOF page as it does (ext4, after
 * msync + fsync), or read again from the file once the clean page was
 * dropped (posix_fadvise(POSIX_FADV_DONTNEED), which on a bound device
 * descriptor is the segment's).  tmpfs does neither.  So each case runs four
 * readers: while mapped, after munmap, after msync + fsync, after a drop.
 *
 * Natively: a file in the temporary directory (tmpfs in the VM) and one
 * on a disk file system (demo_disk(): ext4 in the VM).  On the device: a
 * memory-only 40-byte segment found by key, and segments backed by the
 * same two kinds of file (they are read from the file on a major fault,
 * with the part past the size zeroed, and written back up to the size).
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

static const char *const e1_stage_name[DEMO_E1_NSTAGES] = {
	"writer mapped", "after munmap", "after msync+fsync", "after DONTNEED",
};

struct e1_ctx {
	int side;
	int where;		/* DEMO_E1_* */
	char path[256];		/* the file, unless memory-only */
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
};

/* The article's sizing: lseek to 5 records - 1, write one byte. */
static int e1_make_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	if (lseek(fd, E1_SIZE - 1, SEEK_SET) != E1_SIZE - 1 || write(fd, "", 1) != 1) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/* Open the shared object by its name (path or key), as an unrelated process would. */
static int e1_open(const struct e1_ctx *x, int create, int *idp)
{
	int fd, id;

	if (x->side == DEMO_NATIVE) {
		if (create)
			return e1_make_file(x->path);
		fd = open(x->path, O_RDWR | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	if (!create)
		return demo_dev_open_bound(-1, x->key);
	if (x->where == DEMO_E1_MEMORY) {
		id = demo_dev_create(x->key, E1_SIZE, 0600);
	} else {
		fd = e1_make_file(x->path);
		if (fd < 0)
			return fd;
		id = demo_dev_create_file(x->key, fd, 0, 0600);	/* the file's size */
		close(fd);
	}
	*idp = id;
	return id < 0 ? id : demo_dev_open_bound(id, -1);
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
	struct e1_view v = { 0 };
	struct people *p;
	int fd, i;

	fd = e1_open(a->x, 0, NULL);
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
		v.seen += people_ok(&p[i], i);
		if (i >= 5) {
			v.tail_seen += people_ok(&p[i], i);
			v.tail_zero += people_zero(&p[i]);
		}
	}
	munmap(p, E1_MAP);
out:
	if (fd >= 0)
		close(fd);
	return demo_chan_send(ch, &v, sizeof(v)) ? 1 : 0;
}

/* Drop the clean, unmapped cached pages of the file or the segment. */
static int e1_drop(const struct e1_ctx *x)
{
	int fd = e1_open(x, 0, NULL), err;

	if (fd < 0)
		return fd;
	err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	return -err;
}

/* One reader in a child of its own; records what it saw at @stage. */
static int e1_read(struct e1_ctx *x, struct demo_e1_case *c, int stage, struct e1_view *v)
{
	struct e1_rarg a = { .x = x, .sync_first = stage == DEMO_E1_SYNCED };
	int ret = demo_child_run(e1_reader, &a, v, sizeof(*v));

	ret = ret ? (ret < 0 ? ret : -ECHILD) : v->err;
	if (!ret) {
		c->intact[stage] = v->tail_seen;
		c->zero[stage] = v->tail_zero;
	}
	return ret;
}

/* What the file holds at the end: its size, read() of 80 bytes, records 1-5. */
static void e1_file_state(const struct e1_ctx *x, struct demo_e1_case *c)
{
	struct people rec[DEMO_RECORDS] = { 0 };
	struct stat st;
	ssize_t n;
	int fd, i;

	c->file_bytes = -1;
	c->file_records = -1;
	if (x->where == DEMO_E1_MEMORY)
		return;
	fd = open(x->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (x->side == DEMO_NATIVE)
		c->size_after = fstat(fd, &st) ? -errno : st.st_size;
	n = pread(fd, rec, sizeof(rec), 0);
	c->file_bytes = n;
	c->file_records = 0;
	for (i = 0; i < 5 && n >= (ssize_t)((i + 1) * sizeof(rec[0])); i++)
		c->file_records += people_ok(&rec[i], i);
	close(fd);
}

static void e1_say_case(struct demo_result *r, int side, const struct e1_ctx *x,
			const struct demo_e1_case *c)
{
	enum demo_sec sec = demo_sec_of(side);
	char stages[200];
	size_t n = 0;
	int s;

	if (side == DEMO_NATIVE)
		demo_say(r, sec, "file %s (%s) sized to %ld bytes (lseek + write 1 byte), mmap "
			 "80 bytes, 10 records b..k / 20..29 written", x->path, c->fs, E1_SIZE);
	else if (x->where == DEMO_E1_MEMORY)
		demo_say(r, sec, "memory-only segment key 0x%x id %d of %ld bytes, mmap 80 bytes, "
			 "10 records written", x->key, x->id, E1_SIZE);
	else
		demo_say(r, sec, "segment key 0x%x id %d backed by %s (%s), sized to %ld bytes "
			 "like the article's file, mmap 80 bytes, 10 records written", x->key,
			 x->id, x->path, c->fs, E1_SIZE);
	for (s = 0; s < DEMO_E1_NSTAGES; s++) {
		n += (size_t)snprintf(stages + n, sizeof(stages) - n, "%s%s %d/%d", s ? "; " : "",
				      e1_stage_name[s], c->intact[s], c->zero[s]);
		if (n >= sizeof(stages))
			break;
	}
	demo_say(r, sec, "  records 6-10 intact/zero: %s", stages);
	if (c->file_bytes >= 0)
		demo_say(r, sec, "  at the end: size %lld; the file: read() of 80 bytes returns "
			 "%lld, records 1-5 byte-exact: %d", (long long)c->size_after,
			 (long long)c->file_bytes, c->file_records);
	else
		demo_say(r, sec, "  at the end: STAT %lld bytes", (long long)c->size_after);
	if (side == DEMO_DEVICE)
		demo_say(r, sec, "  PAGES page 0 after the munmap: %s%s%s, mapcount %u%s",
			 c->page_flags & SHMDEMO_PAGE_RESIDENT ? "resident" : "not resident",
			 c->page_flags & SHMDEMO_PAGE_DIRTY ? " dirty" : "",
			 c->page_flags & SHMDEMO_PAGE_WRITTEN ? " written-back" : "",
			 SHMDEMO_PAGE_MAPCOUNT(c->page_flags), x->where == DEMO_E1_MEMORY ? "" :
			 c->major_faults == 1 ? "; 1 major fault (page 0 read from the file)" :
			 "; major faults: page 0 read from the file, again after the drop");
}

static int e1_case(struct demo_result *r, int side, int where)
{
	struct demo_e1_case *c = &r->e1[side].c[where];
	struct e1_ctx x = { .side = side, .where = where, .id = -1 };
	struct e1_view v = { 0 };	/* read below even when e1_read() did not run */
	struct e1_wrep w;
	struct demo_child c1;
	int ret = 0, fd, s;

	for (s = 0; s < DEMO_E1_NSTAGES; s++)
		c->intact[s] = c->zero[s] = -1;
	if (where == DEMO_E1_DISK && demo_disk_name(x.path, sizeof(x.path), "e1")) {
		snprintf(c->why, sizeof(c->why), "no disk file system (--disk DIR or $SHMDEMO_DISK; "
			 "make demo gives ext4)");
		return 0;
	}
	if (where == DEMO_E1_TMP)
		demo_tmpname(x.path, sizeof(x.path), "e1");
	if (side == DEMO_DEVICE)
		x.key = demo_key(0xe1);
	ret = demo_child_start(&c1, e1_writer, &x);
	if (ret)
		return demo_fail(r, side, ret, "fork");
	ret = demo_child_recv(&c1, &w, sizeof(w));
	if (!ret)
		ret = w.err;
	x.id = w.id;
	if (!ret)	/* the writer still has it mapped */
		ret = e1_read(&x, c, DEMO_E1_MAPPED, &v);
	c->seen_while_mapped = v.seen;
	if (!ret)
		ret = demo_child_go(&c1);
	if (!ret)	/* the writer has unmapped */
		ret = demo_child_recv(&c1, &w, sizeof(w));
	if (demo_child_wait(&c1) && !ret)
		ret = -ECHILD;
	if (!ret)
		ret = e1_read(&x, c, DEMO_E1_UNMAPPED, &v);
	c->resident = v.resident;
	if (!ret && side == DEMO_DEVICE)
		c->page_flags = (uint32_t)demo_dev_page(x.id, 0);
	if (!ret)	/* writeback is what would zero the tail: force it */
		ret = e1_read(&x, c, DEMO_E1_SYNCED, &v);
	if (!ret)
		ret = e1_drop(&x);
	if (!ret)
		ret = e1_read(&x, c, DEMO_E1_DROPPED, &v);
	if (ret)
		goto out;

	if (side == DEMO_DEVICE) {
		struct shmdemo_stat st;

		if (!demo_dev_stat(x.id, &st)) {
			c->size_after = (int64_t)st.bytes;
			c->major_faults = st.file.major_faults;
		}
	}
	e1_file_state(&x, c);
	if (where == DEMO_E1_MEMORY) {
		snprintf(c->fs, sizeof(c->fs), "memory");
	} else {
		fd = open(x.path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			demo_fs_name(fd, c->fs, sizeof(c->fs));
			close(fd);
		}
	}
	c->ran = 1;
	e1_say_case(r, side, &x, c);
out:
	if (side == DEMO_DEVICE && x.id >= 0)
		demo_dev_rmid(x.id);
	if (where != DEMO_E1_MEMORY)
		unlink(x.path);
	return ret ? demo_fail(r, side, ret, "E1 %s, %s", demo_side_name(side),
			       where == DEMO_E1_MEMORY ? "memory-only segment" :
			       where == DEMO_E1_TMP ? "file in the temporary directory" :
			       "file on the disk") : 0;
}

/* The first stage at which records 6-10 read as zeros, or -1. */
static int e1_zeros_at(const struct demo_e1_case *c)
{
	int s;

	for (s = 0; s < DEMO_E1_NSTAGES; s++)
		if (c->zero[s] == 5)
			return s;
	return -1;
}

static int e1_run(struct demo_result *r, int side)
{
	const struct demo_e1_case *c;
	int where, ret, z;

	for (where = side == DEMO_NATIVE ? DEMO_E1_TMP : DEMO_E1_MEMORY;
	     where < DEMO_E1_NWHERE; where++) {
		ret = e1_case(r, side, where);
		if (ret)
			return ret;
	}
	for (where = 0; where < DEMO_E1_NWHERE; where++) {
		c = &r->e1[side].c[where];
		if (!c->ran) {
			if (c->why[0])	/* only the disk case can be missing */
				demo_say(r, demo_sec_of(side), "on a disk file system: not run: %s",
					 c->why);
			continue;
		}
		z = e1_zeros_at(c);
		demo_say(r, DEMO_SEC_EVIDENCE, "%s, %s: %s", demo_side_name(side), c->fs,
			 z < 0 ? "records 6-10 read back at every stage: nothing writes the page "
				 "back or drops it" :
			 z == DEMO_E1_SYNCED ?
			 "zeros after msync+fsync: the file system's writeback zeroed the part of "
			 "the EOF page past the size in the page cache itself" :
			 z == DEMO_E1_DROPPED ?
			 "zeros once the clean page was dropped (DONTNEED) and read again from the "
			 "file: bytes past the size are not file data" :
			 "zeros right after munmap");
	}
	c = &r->e1[side].c[side == DEMO_NATIVE ? DEMO_E1_TMP : DEMO_E1_MEMORY];
	demo_summary(r, side, "%d, then 6-10 %s; size %lld", c->seen_while_mapped,
		     c->intact[DEMO_E1_UNMAPPED] == 5 ? "intact" :
		     c->zero[DEMO_E1_UNMAPPED] == 5 ? "zero" : "mixed", (long long)c->size_after);
	return 0;
}

/* "tmpfs never; ext4 after msync+fsync" into @buf. */
static void e1_zeros_list(const struct demo_e1 *e, char *buf, size_t len)
{
	size_t n = 0;
	int where, z;

	buf[0] = '\0';
	for (where = 0; where < DEMO_E1_NWHERE && n < len; where++) {
		const struct demo_e1_case *c = &e->c[where];

		if (!c->ran)
			continue;
		z = e1_zeros_at(c);
		n += (size_t)snprintf(buf + n, len - n, "%s%s%s %s", n ? "; " : "", c->fs,
				      where == DEMO_E1_MEMORY ? "" : " file",
				      z < 0 ? "never" : e1_stage_name[z]);
	}
}

static void e1_judge(struct demo_result *r, int side)
{
	const struct demo_e1 *e = &r->e1[side];
	int where, ok = 1, mapped = 1, size = 1, intact = 1;
	char when[200];

	for (where = 0; where < DEMO_E1_NWHERE; where++) {
		const struct demo_e1_case *c = &e->c[where];

		if (!c->ran)
			continue;
		mapped &= c->seen_while_mapped == DEMO_RECORDS;
		size &= c->size_after == E1_SIZE;
		intact &= c->intact[DEMO_E1_UNMAPPED] == 5;
		ok &= c->seen_while_mapped == DEMO_RECORDS && c->size_after == E1_SIZE &&
		      c->zero[DEMO_E1_UNMAPPED] == 5;
	}
	e1_zeros_list(e, when, sizeof(when));
	if (!mapped)
		demo_judge(r, side, ok, "a reader missed records while the writer mapped the %s",
			   side == DEMO_NATIVE ? "file" : "segment");
	else if (!size)
		demo_judge(r, side, ok, "writing through the mapping changed the size");
	else if (intact && side == DEMO_NATIVE)
		demo_judge(r, side, ok, "after munmap alone records 6-10 still read back on every "
			   "file system: the page stays cached with the bytes past EOF. The zeros "
			   "are what the file holds past EOF: they show when the file system's "
			   "writeback zeroes the EOF page's tail in the cache, or when the page is "
			   "read again from the file after DONTNEED dropped it - here: %s. Records "
			   "1-5 reach the file and the mapping can't change its size (40 bytes): "
			   "those two reproduce", when);
	else if (intact)
		demo_judge(r, side, ok, "after munmap alone records 6-10 still read back in every "
			   "kind of segment: the page stays in the module's cache with the bytes "
			   "past the size. A file-backed segment writes back only its 40 bytes and "
			   "leaves the cached tail alone, so the zeros show when DONTNEED drops the "
			   "clean page and a major fault reads it again from the file - here: %s. "
			   "Records 1-5 reach the file and the size stays 40 bytes: those two "
			   "reproduce", when);
	else
		demo_judge(r, side, ok, "after munmap records 6-10 read back mixed; zeros: %s",
			   when);
}

static void e1_json(const struct demo_result *r, int side, struct sdt_json *j)
{
	static const char *const where_name[DEMO_E1_NWHERE] = { "memory", "tmp", "disk" };
	static const char *const stage_key[DEMO_E1_NSTAGES] = {
		"mapped", "unmapped", "synced", "dropped",
	};
	const struct demo_e1 *e = &r->e1[side];
	int where, s;

	sdt_json_array_begin(j, "cases");
	for (where = 0; where < DEMO_E1_NWHERE; where++) {
		const struct demo_e1_case *c = &e->c[where];

		if (!c->ran && !c->why[0])
			continue;
		sdt_json_begin(j, NULL);
		sdt_json_string(j, "where", where_name[where]);
		if (!c->ran) {
			sdt_json_string(j, "not_run", c->why);
			sdt_json_end(j);
			continue;
		}
		sdt_json_string(j, "filesystem", c->fs);
		sdt_json_int(j, "records_while_mapped", c->seen_while_mapped);
		sdt_json_begin(j, "records_6_10_intact");
		for (s = 0; s < DEMO_E1_NSTAGES; s++)
			sdt_json_int(j, stage_key[s], c->intact[s]);
		sdt_json_end(j);
		sdt_json_begin(j, "records_6_10_zero");
		for (s = 0; s < DEMO_E1_NSTAGES; s++)
			sdt_json_int(j, stage_key[s], c->zero[s]);
		sdt_json_end(j);
		sdt_json_int(j, "page_resident", c->resident);
		sdt_json_int(j, "size_after", c->size_after);
		sdt_json_int(j, "file_read_bytes", c->file_bytes);
		sdt_json_int(j, "file_records_1_5", c->file_records);
		if (side == DEMO_DEVICE) {
			sdt_json_int(j, "page_flags", c->page_flags);
			sdt_json_u64(j, "major_faults", c->major_faults);
		}
		sdt_json_end(j);
	}
	sdt_json_array_end(j);
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
