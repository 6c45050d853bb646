// SPDX-License-Identifier: GPL-2.0
/*
 * C2: a shared mapping's fault finds the page by (address_space, index) in
 * the page cache, and every mapper ends up on the same physical page.
 * Process A attaches a segment and writes every page; process B attaches it
 * afterwards and reads every page.  Evidence: the PFNs of each page in A
 * and B (root), and on the device what B's faults cost the module: no page
 * allocated, fault-around mapping the cached pages (counters, trace).
 * Natively the same with a SysV segment.
 */
#include <errno.h>
#include <string.h>

#include "demo.h"

struct c2_rep {
	int err;
	int data_ok;
	struct shmd_faults f;
	uint64_t pfn[DEMO_C2_PAGES];
};

struct c2_ctx {
	struct shmd_seg *seg;
	long pg;
	int writer;
};

static char c2_mark(int i)
{
	return (char)('A' + i % 26);
}

/* A (writer) or B (reader): attach, touch every page, report, wait, detach. */
static int c2_proc(struct demo_chan *ch, void *arg)
{
	struct c2_ctx *x = arg;
	struct c2_rep rep = { .data_ok = 1, .f = { .sz = sizeof(rep.f) } };
	volatile char *p;
	char *base = NULL;
	int i;

	rep.err = shmd_attach(x->seg, NULL, x->writer ? 0 : SHMD_RDONLY, (void **)&base);
	p = base;
	if (!rep.err)
		rep.err = shmd_faults_begin(x->seg, &rep.f);
	for (i = 0; !rep.err && i < DEMO_C2_PAGES; i++) {
		if (x->writer)
			p[i * x->pg] = c2_mark(i);
		else
			rep.data_ok &= p[i * x->pg] == c2_mark(i);
	}
	if (!rep.err)
		rep.err = shmd_faults_end(x->seg, &rep.f);
	for (i = 0; !rep.err && i < DEMO_C2_PAGES; i++)
		rep.pfn[i] = demo_pfn(base + i * x->pg);
	if (demo_chan_send(ch, &rep, sizeof(rep)) || rep.err || demo_chan_wait(ch))
		return 1;
	return shmd_detach(base) ? 1 : 0;
}

static int c2_measure(struct demo_result *r, int side, struct shmd_seg *seg)
{
	struct demo_c2 *e = &r->c2[side];
	struct c2_ctx xa = { .seg = seg, .pg = r->pagesize, .writer = 1 }, xb = xa;
	struct demo_child a, b = { .pid = 0 };
	struct c2_rep ra, rb;
	char lines[1][200];
	int ret, tr = 0, i;
	long pgflags;

	xb.writer = 0;
	ret = demo_child_start(&a, c2_proc, &xa);
	if (ret)
		return ret;
	ret = demo_child_recv(&a, &ra, sizeof(ra));
	if (!ret)
		ret = ra.err;
	if (!ret) {
		tr = side == DEMO_DEVICE ? demo_trace_start() : 0;
		ret = demo_child_start(&b, c2_proc, &xb);
	}
	if (!ret)
		ret = demo_child_recv(&b, &rb, sizeof(rb));
	if (!ret)
		ret = rb.err;
	e->trace_lines = -1;
	if (tr)		/* stop tracing whatever happened */
		e->trace_lines = demo_trace_stop(shmd_seg_id(seg), "shmdemo_map_pages:", lines, 1);
	if (!ret && side == DEMO_DEVICE) {	/* both map it now */
		pgflags = demo_dev_page(shmd_seg_id(seg), 0);
		e->mapcount0 = pgflags < 0 ? 0 : SHMDEMO_PAGE_MAPCOUNT((uint32_t)pgflags);
	}
	if (demo_child_go(&a) == 0 && b.pid)
		demo_child_go(&b);
	if (demo_child_wait(&a) && !ret)
		ret = -ECHILD;
	if (b.pid && demo_child_wait(&b) && !ret)
		ret = -ECHILD;
	if (ret)
		return ret;

	e->pages = DEMO_C2_PAGES;
	e->data_ok = rb.data_ok;
	e->b_minflt = rb.f.minflt;
	e->b = rb.f.counters;
	e->pfn_a0 = ra.pfn[0];
	e->pfn_b0 = rb.pfn[0];
	e->pfn_known = ra.pfn[0] && rb.pfn[0];
	for (i = 0; i < DEMO_C2_PAGES; i++)
		e->pfn_same += ra.pfn[i] && ra.pfn[i] == rb.pfn[i];
	if (e->trace_lines > 0)
		demo_say(r, DEMO_SEC_EVIDENCE, "device: %d map_pages trace lines for B, the first: %s",
			 e->trace_lines, lines[0]);
	return 0;
}

static int c2_run(struct demo_result *r, int side)
{
	struct demo_c2 *e = &r->c2[side];
	struct shmd_open_opts o = {
		.sz = sizeof(o), .backend = side == DEMO_NATIVE ? SHMD_BACKEND_SYSV :
			SHMD_BACKEND_DEVICE,
		.key = SHMD_KEY_PRIVATE, .size = (uint64_t)DEMO_C2_PAGES * (uint64_t)r->pagesize,
		.flags = SHMD_CREATE, .mode = 0600,
	};
	enum demo_sec sec = demo_sec_of(side);
	struct shmd_seg *seg;
	int ret;

	ret = shmd_seg_open(&o, &seg);
	if (ret)
		return demo_fail(r, side, ret, "create a %s segment", shmd_backend_name(o.backend));
	ret = c2_measure(r, side, seg);
	shmd_remove(seg);
	shmd_seg_close(seg);
	if (ret)
		return demo_fail(r, side, ret, "C2 %s", demo_side_name(side));

	demo_say(r, sec, "%s segment of %d pages: process A attaches and writes every page, then "
		 "process B attaches and reads them: %s", shmd_backend_name(o.backend), e->pages,
		 e->data_ok ? "B reads A's bytes" : "B does NOT read A's bytes");
	if (side == DEMO_DEVICE)
		demo_say(r, sec, "B's %d page reads: module read_faults %llu, fault-around pages %llu, "
			 "pages_alloc +%llu; minflt %llu; page 0 mapcount %u while both map it",
			 e->pages, (unsigned long long)e->b.read_faults,
			 (unsigned long long)e->b.around_pages, (unsigned long long)e->b.pages_alloc,
			 (unsigned long long)e->b_minflt, e->mapcount0);
	else
		demo_say(r, sec, "B's %d page reads: minflt %llu (getrusage)%s", e->pages,
			 (unsigned long long)e->b_minflt, e->b_minflt < (uint64_t)e->pages ?
			 ": fewer faults than pages, fault-around mapped cached neighbours" :
			 ": one fault per page, no fault-around on this attachment");
	if (e->pfn_known)
		demo_say(r, DEMO_SEC_EVIDENCE, "%s: PFNs (/proc/self/pagemap): %d of %d pages on the "
			 "same physical page in A and B (page 0: A 0x%llx, B 0x%llx)",
			 demo_side_name(side), e->pfn_same, e->pages,
			 (unsigned long long)e->pfn_a0, (unsigned long long)e->pfn_b0);
	else
		demo_say(r, DEMO_SEC_EVIDENCE, "%s: PFNs hidden (reading them needs root)",
			 demo_side_name(side));
	if (e->pfn_known)
		demo_summary(r, side, "%d/%d same PFN%s", e->pfn_same, e->pages,
			     side == DEMO_DEVICE ? e->b.pages_alloc ? ", B allocated" :
			     ", B alloc +0" : "");
	else
		demo_summary(r, side, "data shared%s", side == DEMO_DEVICE ? e->b.pages_alloc ?
			     ", B allocated" : ", B alloc +0" : "");
	return 0;
}

static void c2_judge(struct demo_result *r, int side)
{
	const struct demo_c2 *e = &r->c2[side];
	int same = !e->pfn_known || e->pfn_same == e->pages;
	int cached = side == DEMO_NATIVE || e->b.pages_alloc == 0;

	demo_judge(r, side, e->data_ok && same && cached,
		   "B %s A's bytes; %d of %d pages had the same PFN in A and B; B's reads "
		   "allocated %llu pages", e->data_ok ? "read" : "did not read", e->pfn_same,
		   e->pages, (unsigned long long)e->b.pages_alloc);
}

static void c2_json(const struct demo_result *r, int side, struct sdt_json *j)
{
	const struct demo_c2 *e = &r->c2[side];

	sdt_json_int(j, "pages", e->pages);
	sdt_json_int(j, "data_ok", e->data_ok);
	sdt_json_int(j, "pfn_known", e->pfn_known);
	sdt_json_int(j, "pfn_same_pages", e->pfn_same);
	sdt_json_u64(j, "pfn_a_page0", e->pfn_a0);
	sdt_json_u64(j, "pfn_b_page0", e->pfn_b0);
	sdt_json_u64(j, "b_minflt", e->b_minflt);
	if (side == DEMO_DEVICE) {
		demo_json_counters(j, "b_counters", &e->b);
		sdt_json_int(j, "mapcount_page0", e->mapcount0);
		sdt_json_int(j, "trace_map_pages_lines", e->trace_lines);
	}
}

const struct demo_row demo_row_c2 = {
	.name = "C2",
	.title = "one page cache page, one physical page, for every mapper",
	.claim = "fault finds page by (mapping, index)",
	.article = { "a shared mapping's fault looks the page up by (address_space, offset), "
		     "allocates and inserts it if absent;",
		     "every process mapping the object ends up on the same physical page" },
	.run = c2_run,
	.judge = c2_judge,
	.json = c2_json,
};
