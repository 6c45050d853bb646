// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo stat ID [--json]: every field of struct shmdemo_stat, readable:
 * owners by name, times as dates ("never" for 0), the fault counters, and
 * for a file-backed segment its file and what was read and written back.
 */
#include <getopt.h>
#include <inttypes.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tool.h"

/* What the flags mean, "-" for none; other bits are shown only in the number. */
static const char *sdt_stat_flags(uint32_t flags, char *buf, size_t len)
{
	static const struct { uint32_t bit; const char *what; } names[] = {
		{ SHMDEMO_SEG_DEST, "dest: removed, alive while attached" },
		{ SHMDEMO_SEG_LOCKED, "locked: like SHM_LOCK" },
		{ SHMDEMO_SEG_FILE, "file: backed by a file" },
		{ SHMDEMO_SEG_FILE_RDONLY, "file opened read-only: no shared writes" },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < SDT_ARRAY_SIZE(names); i++)
		if ((flags & names[i].bit) && n < len)
			n += snprintf(buf + n, len - n, "%s%s", n ? "; " : "", names[i].what);
	return *buf ? buf : "-";
}

/* A file-backed segment's file and what went between it and the segment. */
static void sdt_stat_file_text(const struct shmdemo_stat *st)
{
	const struct shmdemo_file_counters *fc = &st->file;

	if (!(st->flags & SHMDEMO_SEG_FILE))
		return;
	printf("file:\n");
	/* new_encode_dev() is glibc's dev_t encoding: major() and minor() read it. */
	printf("  %-16s device %u:%u inode %" PRIu64 "\n", "backing",
	       major((dev_t)fc->backing_dev), minor((dev_t)fc->backing_dev),
	       (uint64_t)fc->backing_ino);
	printf("  %-16s %" PRIu64 " (%" PRIu64 " bytes read)\n", "major_faults",
	       (uint64_t)fc->major_faults, (uint64_t)fc->bytes_read);
	printf("  %-16s %" PRIu64 " (%" PRIu64 " bytes)\n", "pages_written",
	       (uint64_t)fc->pages_written, (uint64_t)fc->bytes_written);
	printf("  %-16s %" PRIu64 "\n", "write_errors", (uint64_t)fc->write_errors);
}

static void sdt_stat_text(const struct shmdemo_stat *st)
{
	const struct shmdemo_counters *c = &st->counters;
	long pg = sdt_page_size();
	char a[64], b[64], f[80];

	printf("%-14s %d\n", "id", st->id);
	printf("%-14s 0x%08x%s\n", "key", (unsigned int)st->key,
	       st->key == SHMDEMO_KEY_PRIVATE ? " (private)" : "");
	printf("%-14s %04o (%s)\n", "mode", st->mode, sdt_fmt_perms(st->mode, a, sizeof(a)));
	printf("%-14s %" PRIu64 " (%" PRIu64 " pages of %ld)\n", "bytes", (uint64_t)st->bytes,
	       ((uint64_t)st->bytes + (uint64_t)pg - 1) / (uint64_t)pg, pg);
	printf("%-14s %u (%s)\n", "uid", st->uid, sdt_fmt_user(st->uid, a, sizeof(a)));
	printf("%-14s %u (%s)\n", "gid", st->gid, sdt_fmt_group(st->gid, a, sizeof(a)));
	printf("%-14s %u (%s)\n", "cuid", st->cuid, sdt_fmt_user(st->cuid, a, sizeof(a)));
	printf("%-14s %u (%s)\n", "cgid", st->cgid, sdt_fmt_group(st->cgid, a, sizeof(a)));
	printf("%-14s %d\n", "cpid", st->cpid);
	printf("%-14s %d\n", "lpid", st->lpid);
	printf("%-14s %" PRIu64 "\n", "nattch", (uint64_t)st->nattch);
	printf("%-14s %s\n", "atime", sdt_fmt_time(st->atime, a, sizeof(a)));
	printf("%-14s %s\n", "dtime", sdt_fmt_time(st->dtime, a, sizeof(a)));
	printf("%-14s %s\n", "ctime", sdt_fmt_time(st->ctime, b, sizeof(b)));
	printf("%-14s 0x%x (%s)\n", "flags", st->flags, sdt_stat_flags(st->flags, f, sizeof(f)));
	printf("counters:\n");
	printf("  %-16s %" PRIu64 "\n", "read_faults", (uint64_t)c->read_faults);
	printf("  %-16s %" PRIu64 "\n", "write_faults", (uint64_t)c->write_faults);
	printf("  %-16s %" PRIu64 "\n", "cow_faults", (uint64_t)c->cow_faults);
	printf("  %-16s %" PRIu64 "\n", "mkwrite", (uint64_t)c->mkwrite);
	printf("  %-16s %" PRIu64 "\n", "around_pages", (uint64_t)c->around_pages);
	printf("  %-16s %" PRIu64 "\n", "pages_alloc", (uint64_t)c->pages_alloc);
	printf("  %-16s %" PRIu64 "\n", "pages_resident", (uint64_t)c->pages_resident);
	printf("  %-16s %" PRIu64 "\n", "pages_dirty", (uint64_t)c->pages_dirty);
	sdt_stat_file_text(st);
}

static void sdt_stat_json(const struct shmdemo_stat *st)
{
	const struct shmdemo_counters *c = &st->counters;

	printf("{\"id\": %d, \"key\": %d, \"mode\": %u, \"bytes\": %" PRIu64
	       ", \"uid\": %u, \"gid\": %u, \"cuid\": %u, \"cgid\": %u"
	       ", \"cpid\": %d, \"lpid\": %d, \"nattch\": %" PRIu64
	       ", \"atime\": %" PRId64 ", \"dtime\": %" PRId64 ", \"ctime\": %" PRId64
	       ", \"flags\": %u, \"dest\": %s, \"locked\": %s,\n \"counters\": {\"read_faults\": %" PRIu64
	       ", \"write_faults\": %" PRIu64 ", \"cow_faults\": %" PRIu64
	       ", \"mkwrite\": %" PRIu64 ", \"around_pages\": %" PRIu64
	       ", \"pages_alloc\": %" PRIu64 ", \"pages_resident\": %" PRIu64
	       ", \"pages_dirty\": %" PRIu64 "}",
	       st->id, st->key, st->mode, (uint64_t)st->bytes, st->uid, st->gid,
	       st->cuid, st->cgid, st->cpid, st->lpid, (uint64_t)st->nattch,
	       (int64_t)st->atime, (int64_t)st->dtime, (int64_t)st->ctime, st->flags,
	       st->flags & SHMDEMO_SEG_DEST ? "true" : "false",
	       st->flags & SHMDEMO_SEG_LOCKED ? "true" : "false",
	       (uint64_t)c->read_faults, (uint64_t)c->write_faults, (uint64_t)c->cow_faults,
	       (uint64_t)c->mkwrite, (uint64_t)c->around_pages, (uint64_t)c->pages_alloc,
	       (uint64_t)c->pages_resident, (uint64_t)c->pages_dirty);
	if (st->flags & SHMDEMO_SEG_FILE)
		printf(",\n \"file\": {\"rdonly\": %s, \"backing_dev\": %" PRIu64
		       ", \"backing_ino\": %" PRIu64 ", \"major_faults\": %" PRIu64
		       ", \"bytes_read\": %" PRIu64 ", \"pages_written\": %" PRIu64
		       ", \"bytes_written\": %" PRIu64 ", \"write_errors\": %" PRIu64 "}",
		       st->flags & SHMDEMO_SEG_FILE_RDONLY ? "true" : "false",
		       (uint64_t)st->file.backing_dev, (uint64_t)st->file.backing_ino,
		       (uint64_t)st->file.major_faults, (uint64_t)st->file.bytes_read,
		       (uint64_t)st->file.pages_written, (uint64_t)st->file.bytes_written,
		       (uint64_t)st->file.write_errors);
	printf("}\n");
}

static int sdt_stat_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct shmdemo_stat st;
	bool json = false;
	int id, fd, ret, opt;

	while ((opt = getopt_long(argc, argv, ":jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			sdt_usage(&sdt_cmd_stat, stdout, true);
			return SDT_EXIT_OK;
		default:
			return sdt_opt_err(&sdt_cmd_stat, argv, opt);
		}
	}
	if (optind != argc - 1)
		return sdt_usage_err(&sdt_cmd_stat, "expected one segment id");
	if (sdt_parse_id(argv[optind], &id))
		return sdt_usage_err(&sdt_cmd_stat, "bad segment id '%s'", argv[optind]);

	fd = sdt_dev_open("stat");
	if (fd < 0)
		return SDT_EXIT_FAIL;
	ret = shmdemo_dev_stat(fd, id, false, &st);
	close(fd);
	if (ret) {
		sdt_seg_err(ret, "stat", &(struct sdt_target){ .id = id });
		return SDT_EXIT_FAIL;
	}
	if (json)
		sdt_stat_json(&st);
	else
		sdt_stat_text(&st);
	return SDT_EXIT_OK;
}

const struct sdt_cmd sdt_cmd_stat = {
	.name = "stat",
	.args = "ID [--json]",
	.summary = "show every field of a segment's status and its fault counters",
	.help = "  --json    the fields of struct shmdemo_stat as one JSON object\n"
		"Times are local dates, \"never\" when 0.  flags: dest (removed, alive\n"
		"while attached), locked (shmdemo lock).  Needs read permission.\n",
	.main = sdt_stat_main,
};
