// SPDX-License-Identifier: GPL-2.0
/*
 * E3 (M1): page-granular access.  An object of 2 * pagesize - 100 bytes
 * (a file, or a segment) is mapped over 3 pages inside a reserved hole.
 * At offset 0, pages 1 and 2 (which holds the last byte) work, page 3 is
 * SIGBUS; mapped at offset pagesize, the mapping's page 2 is SIGBUS; past
 * the mapping (an unmapped page) SIGSEGV.  Each access runs in a child whose
 * handler reports the signal, si_code and si_addr.  The device side shows
 * the module's read fault count and its trace line for the SIGBUS, and
 * shmd_compare(past-end) cross-checks a file, SysV and the device.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "demo.h"

static const int e3_want_v1[DEMO_E3_V1] = { 0, 0, SIGBUS, SIGSEGV };
static const int e3_want_v2[DEMO_E3_V2] = { 0, SIGBUS, SIGSEGV };

/* The object: a file of @size bytes (one byte written at size - 1), or a segment. */
static int e3_object(int side, long size, char *path, size_t len, int *idp)
{
	int fd;

	*idp = -1;
	if (side == DEMO_DEVICE) {
		*idp = demo_dev_create(SHMDEMO_KEY_PRIVATE, (uint64_t)size, 0600);
		return *idp < 0 ? *idp : demo_dev_open_bound(*idp, -1);
	}
	demo_tmpname(path, len, "e3");
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (pwrite(fd, "", 1, size - 1) != 1) {
		close(fd);
		return -EIO;
	}
	return fd;
}

static const char *e3_code_name(int sig, int code)
{
	if (sig == SIGBUS)
		return code == BUS_ADRERR ? "BUS_ADRERR" : code == BUS_OBJERR ? "BUS_OBJERR" : "?";
	if (sig == SIGSEGV)
		return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "?";
	return "";
}

/* Map 3 pages of @fd at @off into a 4-page hole and run the probes. */
static int e3_probe_all(int fd, long off, long pg, const long *offs, const char *const *what,
			struct demo_probe *out, int n)
{
	char *area, *p;
	int i, ret = 0;

	area = mmap(NULL, 4 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return -errno;
	p = mmap(area, 3 * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, off);
	if (p == MAP_FAILED)
		ret = -errno;
	for (i = 0; !ret && i < n; i++) {
		int past = offs[i] >= 3 * pg;

		/* "past the mapping": the hole's 4th page, unmapped in the probe child */
		ret = demo_probe(p + offs[i], 0, offs[i], what[i], &out[i],
				 past ? area + 3 * pg : NULL, (size_t)pg);
	}
	munmap(area, 4 * pg);
	return ret;
}

static void e3_say(struct demo_result *r, int side, const char *head,
		   const struct demo_probe *pr, int n, long pg)
{
	char buf[512];
	size_t len = 0;
	int i;

	for (i = 0; i < n && len < sizeof(buf); i++) {
		if (pr[i].signal)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"%s%s: %s %s at +%ld (page %ld)", i ? "; " : "",
						pr[i].what, demo_sig_name(pr[i].signal),
						e3_code_name(pr[i].signal, pr[i].code), pr[i].addr_off,
						pr[i].addr_off / pg + 1);
		else
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s: ok",
						i ? "; " : "", pr[i].what);
	}
	demo_say(r, demo_sec_of(side), "%s", head);
	demo_say(r, demo_sec_of(side), "  %s", buf);
}

/* shmd_compare(past-end): touching one page past the object's last page. */
static void e3_compare(struct demo_result *r, int side, long size)
{
	struct demo_e3 *e = &r->e3[side];
	struct shmd_compare_opts o = {
		.sz = sizeof(o), .workload = SHMD_WL_PAST_END, .size = (uint64_t)size,
		.backends = { side == DEMO_DEVICE ? SHMD_BACKEND_DEVICE : SHMD_BACKEND_FILE,
			      side == DEMO_DEVICE ? SHMD_BACKEND_FILE : SHMD_BACKEND_SYSV },
	};
	struct shmd_compare c = { .sz = sizeof(c) };
	int k;

	e->cmp_sig[0] = e->cmp_sig[1] = -1;
	if (shmd_compare(&o, &c))
		return;
	for (k = 0; k < 2; k++) {
		e->cmp_backend[k] = c.run[k].backend;
		e->cmp_sig[k] = c.run[k].error ? -1 : c.run[k].signal;
	}
	e->cmp_same = c.same_outcome;
	demo_say(r, DEMO_SEC_EVIDENCE, "%s: libshmdemo shmd_compare(past-end, %ld bytes): %s %s, "
		 "%s %s%s", demo_side_name(side), size, shmd_backend_name(e->cmp_backend[0]),
		 demo_sig_name(c.run[0].signal), shmd_backend_name(e->cmp_backend[1]),
		 demo_sig_name(c.run[1].signal),
		 side == DEMO_NATIVE ? " (shmat() maps only the segment's pages: no SIGBUS zone)" :
		 c.same_outcome ? " (same outcome: the device behaves like a file)" : "");
	shmd_compare_release(&c);
}

static int e3_run(struct demo_result *r, int side)
{
	struct demo_e3 *e = &r->e3[side];
	long pg = r->pagesize, size = 2 * pg - 100;
	const long offs1[DEMO_E3_V1] = { 0, size - 1, 2 * pg, 3 * pg };
	const long offs2[DEMO_E3_V2] = { 0, pg, 3 * pg };
	static const char *const what1[] = { "page 1", "page 2 (last byte)", "page 3",
					      "past the mapping" };
	static const char *const what2[] = { "page 1", "page 2", "past the mapping" };
	struct shmdemo_stat st0, st1;
	char path[256] = "", lines[2][200], head[160];
	int fd, id, ret, tr, i;

	e->size = size;
	fd = e3_object(side, size, path, sizeof(path), &id);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	tr = side == DEMO_DEVICE ? demo_trace_start() : 0;
	if (side == DEMO_DEVICE)
		demo_dev_stat(id, &st0);
	ret = e3_probe_all(fd, 0, pg, offs1, what1, e->v1, DEMO_E3_V1);
	if (!ret)
		ret = e3_probe_all(fd, pg, pg, offs2, what2, e->v2, DEMO_E3_V2);
	e->trace_lines = -1;
	if (side == DEMO_DEVICE) {
		demo_dev_stat(id, &st1);
		demo_counters_delta(&e->delta, &st0.counters, &st1.counters);
		if (tr)
			e->trace_lines = demo_trace_stop(id, "result=SIGBUS", lines, 2);
	}
	close(fd);
	if (ret)
		goto out;

	snprintf(head, sizeof(head), "%s of %ld bytes (2*%ld-100), 3 pages mapped at offset 0:",
		 side == DEMO_NATIVE ? "file" : "segment", size, pg);
	e3_say(r, side, head, e->v1, DEMO_E3_V1, pg);
	snprintf(head, sizeof(head), "mapped at offset %ld (only one page of it is mapped):", pg);
	e3_say(r, side, head, e->v2, DEMO_E3_V2, pg);
	if (side == DEMO_DEVICE) {
		demo_say(r, DEMO_SEC_EVIDENCE, "device: module counters over the 7 probes: "
			 "read_faults +%llu (the 2 SIGBUS probes included: ->fault refused them), "
			 "pages_alloc +%llu, fault-around pages +%llu",
			 (unsigned long long)e->delta.read_faults,
			 (unsigned long long)e->delta.pages_alloc,
			 (unsigned long long)e->delta.around_pages);
		if (e->trace_lines < 0)
			demo_say(r, DEMO_SEC_EVIDENCE, "device: no trace (needs root and tracefs)");
		for (i = 0; i < e->trace_lines && i < 2; i++)
			demo_say(r, DEMO_SEC_EVIDENCE, "device: trace: %s", lines[i]);
	}
	e3_compare(r, side, size);
	demo_summary(r, side, "%s p3, %s p2@%ld, %s past", demo_sig_name(e->v1[2].signal),
		     demo_sig_name(e->v2[1].signal), pg, demo_sig_name(e->v1[3].signal));
out:
	if (path[0])
		unlink(path);
	if (id >= 0)
		demo_dev_rmid(id);
	return ret ? demo_fail(r, side, ret, "E3 %s", demo_side_name(side)) : 0;
}

static int e3_matches(const struct demo_probe *p, const int *want, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (p[i].signal != want[i] || (want[i] && p[i].addr_off != p[i].offset))
			return 0;
	return 1;
}

static void e3_judge(struct demo_result *r, int side)
{
	const struct demo_e3 *e = &r->e3[side];

	demo_judge(r, side, e3_matches(e->v1, e3_want_v1, DEMO_E3_V1) &&
		   e3_matches(e->v2, e3_want_v2, DEMO_E3_V2),
		   "offset 0: page 1 %s, page 2 %s, page 3 %s, past %s; offset pagesize: page 1 %s, "
		   "page 2 %s, past %s", demo_sig_name(e->v1[0].signal),
		   demo_sig_name(e->v1[1].signal), demo_sig_name(e->v1[2].signal),
		   demo_sig_name(e->v1[3].signal), demo_sig_name(e->v2[0].signal),
		   demo_sig_name(e->v2[1].signal), demo_sig_name(e->v2[2].signal));
}

static void e3_json(const struct demo_result *r, int side, struct sdt_json *j)
{
	const struct demo_e3 *e = &r->e3[side];

	sdt_json_int(j, "size", e->size);
	demo_json_probe(j, "offset_0", e->v1, DEMO_E3_V1);
	demo_json_probe(j, "offset_pagesize", e->v2, DEMO_E3_V2);
	if (side == DEMO_DEVICE) {
		demo_json_counters(j, "counters_delta", &e->delta);
		sdt_json_int(j, "trace_sigbus_lines", e->trace_lines);
	}
	sdt_json_string(j, "compare_a", shmd_backend_name(e->cmp_backend[0]));
	sdt_json_string(j, "compare_a_signal", e->cmp_sig[0] > 0 ? demo_sig_name(e->cmp_sig[0]) : NULL);
	sdt_json_string(j, "compare_b", shmd_backend_name(e->cmp_backend[1]));
	sdt_json_string(j, "compare_b_signal", e->cmp_sig[1] > 0 ? demo_sig_name(e->cmp_sig[1]) : NULL);
}

const struct demo_row demo_row_e3 = {
	.name = "E3",
	.title = "page-granular access to a mapping longer than the file (M1)",
	.claim = "whole pages of the object; then SIGBUS",
	.article = { "file of 2*pagesize-100 bytes mapped over 3 pages: pages 1-2 accessible, page 3 "
		     "SIGBUS; mapped at",
		     "offset pagesize, page 2 SIGBUS; past the mapping SIGSEGV" },
	.run = e3_run,
	.judge = e3_judge,
	.json = e3_json,
};
