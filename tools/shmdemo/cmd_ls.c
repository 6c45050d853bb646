// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo ls [--json]: the segments, like `ipcs -m`, plus the module's
 * residency and fault counters.  Ids come from SHMDEMO_IOC_LIST, fields
 * from SHMDEMO_IOC_STAT; a segment the caller may not stat is shown from
 * /proc/shmdemo (world-readable, like /proc/sysvipc/shm), and if that is
 * unavailable too, with '?' for what is unknown.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>

#include "tool.h"

enum sdt_ls_src { SDT_LS_NONE, SDT_LS_STAT, SDT_LS_PROC };

static const char *const sdt_ls_src_name[] = {
	[SDT_LS_NONE] = "none", [SDT_LS_STAT] = "stat", [SDT_LS_PROC] = "proc",
};

struct sdt_ls_row {
	int id;
	enum sdt_ls_src src;
	struct shmdemo_stat st;
};

/*
 * The status column: "dest" (removed, still mapped) or "gone" (removed,
 * unmapped, still held by a bound file: only /proc/shmdemo shows those),
 * "locked", both joined by a comma, or "-".  /proc/shmdemo has no lock
 * state: its rows show only dest or gone.
 */
static const char *sdt_ls_status(const struct sdt_ls_row *r, char *buf, size_t len)
{
	const struct shmdemo_stat *st = &r->st;
	const char *dest = NULL;
	bool locked = r->src == SDT_LS_STAT && (st->flags & SHMDEMO_SEG_LOCKED);

	if (st->flags & SHMDEMO_SEG_DEST)
		dest = st->nattch ? "dest" : "gone";
	if (!dest && !locked)
		return "-";
	snprintf(buf, len, "%s%s%s", dest ? dest : "", dest && locked ? "," : "",
		 locked ? "locked" : "");
	return buf;
}

static void sdt_ls_text(const struct sdt_ls_row *rows, int n)
{
	char owner[64], status[16];
	int i;

	printf("%-10s %-10s %-10s %-6s %-12s %-6s %-6s %-8s %-8s %-8s %s\n",
	       "key", "shmid", "owner", "perms", "bytes", "nattch", "status",
	       "resident", "dirty", "rfaults", "wfaults");
	for (i = 0; i < n; i++) {
		const struct shmdemo_stat *st = &rows[i].st;
		const struct shmdemo_counters *c = &st->counters;

		if (rows[i].src == SDT_LS_NONE) {
			printf("%-10s %-10d %-10s %-6s %-12s %-6s %-6s %-8s %-8s %-8s %s\n",
			       "?", rows[i].id, "?", "?", "?", "?", "?", "?", "?", "?", "?");
			continue;
		}
		printf("0x%08x %-10d %-10s %-6o %-12" PRIu64 " %-6" PRIu64 " %-6s %-8" PRIu64
		       " %-8" PRIu64 " %-8" PRIu64 " %" PRIu64 "\n",
		       (unsigned int)st->key, st->id, sdt_fmt_user(st->uid, owner, sizeof(owner)),
		       st->mode, (uint64_t)st->bytes, (uint64_t)st->nattch,
		       sdt_ls_status(&rows[i], status, sizeof(status)),
		       (uint64_t)c->pages_resident, (uint64_t)c->pages_dirty,
		       (uint64_t)c->read_faults, (uint64_t)c->write_faults);
	}
}

static void sdt_ls_json_row(const struct sdt_ls_row *r)
{
	const struct shmdemo_stat *st = &r->st;
	const struct shmdemo_counters *c = &st->counters;
	char buf[64];

	printf("{\"id\": %d, \"source\": \"%s\"", r->id, sdt_ls_src_name[r->src]);
	if (r->src == SDT_LS_NONE) {
		printf(", \"key\": null, \"owner\": null, \"uid\": null, \"gid\": null"
		       ", \"perms\": null, \"bytes\": null, \"nattch\": null, \"dest\": null"
		       ", \"resident\": null, \"dirty\": null, \"read_faults\": null"
		       ", \"write_faults\": null, \"cow_faults\": null}");
		return;
	}
	printf(", \"key\": %d, \"key_hex\": \"0x%08x\", \"owner\": ", st->key,
	       (unsigned int)st->key);
	sdt_json_str(stdout, sdt_fmt_user(st->uid, buf, sizeof(buf)));
	printf(", \"uid\": %u, \"gid\": %u, \"perms\": \"%03o\", \"bytes\": %" PRIu64
	       ", \"nattch\": %" PRIu64 ", \"dest\": %s, \"locked\": %s, \"resident\": %" PRIu64
	       ", \"dirty\": %" PRIu64 ", \"read_faults\": %" PRIu64
	       ", \"write_faults\": %" PRIu64 ", \"cow_faults\": %" PRIu64 "}",
	       st->uid, st->gid, st->mode, (uint64_t)st->bytes, (uint64_t)st->nattch,
	       st->flags & SHMDEMO_SEG_DEST ? "true" : "false",
	       r->src != SDT_LS_STAT ? "null" : st->flags & SHMDEMO_SEG_LOCKED ? "true" : "false",
	       (uint64_t)c->pages_resident, (uint64_t)c->pages_dirty,
	       (uint64_t)c->read_faults, (uint64_t)c->write_faults, (uint64_t)c->cow_faults);
}

static void sdt_ls_json(const struct sdt_ls_row *rows, int n, int fd)
{
	struct shmdemo_info info;
	int i;

	printf("{\"segments\": [");
	for (i = 0; i < n; i++) {
		printf("%s\n  ", i ? "," : "");
		sdt_ls_json_row(&rows[i]);
	}
	printf("%s]", n ? "\n" : "");
	if (shmdemo_dev_info(fd, &info) == 0)
		printf(",\n \"info\": {\"segments\": %u, \"max_segments\": %u"
		       ", \"max_seg_bytes\": %" PRIu64 ", \"max_total_pages\": %" PRIu64
		       ", \"total_pages\": %" PRIu64 ", \"resident_pages\": %" PRIu64 "}",
		       info.segments, info.max_segments, (uint64_t)info.max_seg_bytes,
		       (uint64_t)info.max_total_pages, (uint64_t)info.total_pages,
		       (uint64_t)info.resident_pages);
	printf("}\n");
}

static int sdt_ls_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sdt_ls_row *rows;
	int *ids = NULL, n, i, k, fd, ret, opt;
	bool json = false;

	while ((opt = getopt_long(argc, argv, ":jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			sdt_usage(&sdt_cmd_ls, stdout, true);
			return SDT_EXIT_OK;
		default:
			return sdt_opt_err(&sdt_cmd_ls, argv, opt);
		}
	}
	if (optind != argc)
		return sdt_usage_err(&sdt_cmd_ls, "unexpected argument '%s'", argv[optind]);

	fd = sdt_dev_open("ls");
	if (fd < 0)
		return SDT_EXIT_FAIL;
	ret = sdt_list_ids(&ids, &n);
	if (ret) {
		sdt_err(ret, "ls: list");
		close(fd);
		return SDT_EXIT_FAIL;
	}
	rows = calloc((size_t)n + 1, sizeof(*rows));
	if (!rows) {
		sdt_err(ENOMEM, "ls");
		free(ids);
		close(fd);
		return SDT_EXIT_FAIL;
	}
	for (i = k = 0; i < n; i++) {
		struct sdt_ls_row *r = &rows[k];

		r->id = ids[i];
		ret = shmdemo_dev_stat(fd, ids[i], false, &r->st);
		if (ret == -EINVAL)
			continue;	/* removed since the list was taken */
		if (!ret)
			r->src = SDT_LS_STAT;
		else if (sdt_proc_find(ids[i], &r->st) == 0)
			r->src = SDT_LS_PROC;
		else
			r->src = SDT_LS_NONE;
		k++;
	}
	if (json)
		sdt_ls_json(rows, k, fd);
	else
		sdt_ls_text(rows, k);
	free(rows);
	free(ids);
	close(fd);
	return SDT_EXIT_OK;
}

const struct sdt_cmd sdt_cmd_ls = {
	.name = "ls",
	.args = "[--json]",
	.summary = "list the segments (like ipcs -m) with residency and fault counters",
	.help = "  --json    one JSON object: {\"segments\": [...], \"info\": {...}}\n"
		"status: dest (removed, still attached), gone (removed and unmapped\n"
		"meanwhile), locked (shmdemo lock), both comma-joined, or -.\n"
		"A segment you may not stat is shown from /proc/shmdemo, which has no\n"
		"lock state (JSON \"locked\": null); fields nobody could tell are shown\n"
		"as '?' (null in JSON).\n",
	.main = sdt_ls_main,
};
