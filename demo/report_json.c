// SPDX-License-Identifier: GPL-2.0
/*
 * --json: one JSON object per row, on one line: the verdict, each side's
 * state, verdict and measured values (the row's json hook), and the text
 * lines of the report.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "demo.h"

void demo_json_counters(struct sdt_json *j, const char *key, const struct shmdemo_counters *c)
{
	sdt_json_begin(j, key);
	sdt_json_u64(j, "read_faults", c->read_faults);
	sdt_json_u64(j, "write_faults", c->write_faults);
	sdt_json_u64(j, "cow_faults", c->cow_faults);
	sdt_json_u64(j, "mkwrite", c->mkwrite);
	sdt_json_u64(j, "around_pages", c->around_pages);
	sdt_json_u64(j, "pages_alloc", c->pages_alloc);
	sdt_json_u64(j, "pages_resident", c->pages_resident);
	sdt_json_u64(j, "pages_dirty", c->pages_dirty);
	sdt_json_end(j);
}

void demo_json_probe(struct sdt_json *j, const char *key, const struct demo_probe *p, size_t n)
{
	size_t i;

	sdt_json_array_begin(j, key);
	for (i = 0; i < n; i++) {
		sdt_json_begin(j, NULL);
		sdt_json_string(j, "access", p[i].what);
		sdt_json_int(j, "offset", p[i].offset);
		sdt_json_string(j, "signal", p[i].signal ? demo_sig_name(p[i].signal) : NULL);
		sdt_json_int(j, "si_code", p[i].code);
		sdt_json_int(j, "si_addr_offset", p[i].addr_off);
		sdt_json_int(j, "minflt", p[i].minflt);
		sdt_json_end(j);
	}
	sdt_json_array_end(j);
}

static const char *demo_state_name(enum demo_state s)
{
	switch (s) {
	case DEMO_RAN:
		return "ran";
	case DEMO_SKIPPED:
		return "skipped";
	case DEMO_FAILED:
		return "failed";
	default:
		return "not asked";
	}
}

static void demo_j_lines(struct sdt_json *j, const char *key, const struct demo_result *r,
			 enum demo_sec sec)
{
	size_t i;

	sdt_json_array_begin(j, key);
	for (i = 0; i < r->nlines; i++)
		if (r->lines[i].sec == sec)
			sdt_json_string(j, NULL, r->lines[i].text);
	sdt_json_array_end(j);
}

void demo_print_json(FILE *f, const struct demo_result *r)
{
	struct sdt_json j = { .f = f, .first = true };
	int side;

	sdt_json_begin(&j, NULL);
	sdt_json_string(&j, "row", r->row->name);
	sdt_json_string(&j, "title", r->row->title);
	sdt_json_string(&j, "claim", r->row->claim);
	sdt_json_string(&j, "verdict", demo_verdict_name(r->verdict));
	sdt_json_string(&j, "because", r->verdict == DEMO_V_DIFFERS ? r->because : NULL);
	sdt_json_bool(&j, "complete", r->complete);
	sdt_json_int(&j, "pagesize", r->pagesize);
	for (side = 0; side < DEMO_NSIDES; side++) {
		const struct demo_side *s = &r->side[side];

		sdt_json_begin(&j, demo_side_name(side));
		sdt_json_string(&j, "state", demo_state_name(s->state));
		if (s->state != DEMO_RAN) {
			sdt_json_string(&j, "why", s->why);
		} else {
			sdt_json_string(&j, "verdict", demo_verdict_name(s->verdict));
			sdt_json_string(&j, "because", s->verdict == DEMO_V_DIFFERS ? s->because : NULL);
			sdt_json_string(&j, "summary", s->summary);
			r->row->json(r, side, &j);
		}
		sdt_json_end(&j);
	}
	sdt_json_begin(&j, "text");
	demo_j_lines(&j, "native", r, DEMO_SEC_NATIVE);
	demo_j_lines(&j, "device", r, DEMO_SEC_DEVICE);
	demo_j_lines(&j, "evidence", r, DEMO_SEC_EVIDENCE);
	sdt_json_end(&j);
	sdt_json_end(&j);
	fputc('\n', f);
}
