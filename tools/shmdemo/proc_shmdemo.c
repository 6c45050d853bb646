// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/shmdemo: the module's listing of every segment, readable by all
 * (like /proc/sysvipc/shm).  `ls` falls back to it for segments the caller
 * may not stat, as ipcs(1) reads /proc/sysvipc/shm.  Its "stat" column is
 * "-", "dest" or "gone"; it has no lock state.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "tool.h"

#define SDT_PROC_SHMDEMO	"/proc/shmdemo"

static int sdt_proc_parse(const char *line, struct shmdemo_stat *st)
{
	struct shmdemo_counters *c = &st->counters;
	unsigned long long bytes, nattch, cnt[8];
	long long at, dt, ct;
	char state[8];
	int n;

	memset(st, 0, sizeof(*st));
	n = sscanf(line, "%d %d %o %llu %d %d %llu %u %u %u %u %lld %lld %lld %7s"
		   " %llu %llu %llu %llu %llu %llu %llu %llu",
		   &st->key, &st->id, &st->mode, &bytes, &st->cpid, &st->lpid, &nattch,
		   &st->uid, &st->gid, &st->cuid, &st->cgid, &at, &dt, &ct, state,
		   &cnt[0], &cnt[1], &cnt[2], &cnt[3], &cnt[4], &cnt[5], &cnt[6], &cnt[7]);
	if (n != 23)
		return -EINVAL;
	st->size = sizeof(*st);
	st->bytes = bytes;
	st->nattch = nattch;
	st->atime = at;
	st->dtime = dt;
	st->ctime = ct;
	/* "gone": removed and unmapped (nattch 0), held by a bound file */
	if (!strcmp(state, "dest") || !strcmp(state, "gone"))
		st->flags = SHMDEMO_SEG_DEST;
	else if (strcmp(state, "-"))
		return -EINVAL;
	/* The module's column order: resident dirty alloc rfault wfault cowfault mkwrite around */
	c->pages_resident = cnt[0];
	c->pages_dirty = cnt[1];
	c->pages_alloc = cnt[2];
	c->read_faults = cnt[3];
	c->write_faults = cnt[4];
	c->cow_faults = cnt[5];
	c->mkwrite = cnt[6];
	c->around_pages = cnt[7];
	return 0;
}

int sdt_proc_find(int id, struct shmdemo_stat *st)
{
	FILE *f = fopen(SDT_PROC_SHMDEMO, "re");
	char line[512];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		struct shmdemo_stat s;

		if (sdt_proc_parse(line, &s) == 0 && s.id == id) {
			*st = s;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}
