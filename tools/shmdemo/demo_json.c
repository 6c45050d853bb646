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

struct demo_json {
	FILE *f;
	int first;	/* no member written yet in the current object */
};

static void demo_j_esc(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void demo_j_key(struct demo_json *j, const char *key)
{
	if (!j->first)
		fputc(',', j->f);
	j->first = 0;
	demo_j_esc(j->f, key);
	fputc(':', j->f);
}

static void demo_j_begin(struct demo_json *j, const char *key)
{
	if (key)
		demo_j_key(j, key);
	fputc('{', j->f);
	j->first = 1;
}

static void demo_j_end(struct demo_json *j)
{
	fputc('}', j->f);
	j->first = 0;
}

void demo_j_int(struct demo_json *j, const char *key, int64_t v)
{
	demo_j_key(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void demo_j_u64(struct demo_json *j, const char *key, uint64_t v)
{
	demo_j_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void demo_j_dbl(struct demo_json *j, const char *key, double v)
{
	demo_j_key(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		fputs("null", j->f);
}

void demo_j_str(struct demo_json *j, const char *key, const char *s)
{
	demo_j_key(j, key);
	if (s)
		demo_j_esc(j->f, s);
	else
		fputs("null", j->f);
}

void demo_j_ints(struct demo_json *j, const char *key, const int *v, size_t n)
{
	size_t i;

	demo_j_key(j, key);
	fputc('[', j->f);
	for (i = 0; i < n; i++)
		fprintf(j->f, "%s%d", i ? "," : "", v[i]);
	fputc(']', j->f);
}

void demo_j_counters(struct demo_json *j, const char *key, const struct shmdemo_counters *c)
{
	demo_j_begin(j, key);
	demo_j_u64(j, "read_faults", c->read_faults);
	demo_j_u64(j, "write_faults", c->write_faults);
	demo_j_u64(j, "cow_faults", c->cow_faults);
	demo_j_u64(j, "mkwrite", c->mkwrite);
	demo_j_u64(j, "around_pages", c->around_pages);
	demo_j_u64(j, "pages_alloc", c->pages_alloc);
	demo_j_u64(j, "pages_resident", c->pages_resident);
	demo_j_u64(j, "pages_dirty", c->pages_dirty);
	demo_j_end(j);
}

void demo_j_probe(struct demo_json *j, const char *key, const struct demo_probe *p, size_t n)
{
	size_t i;

	demo_j_key(j, key);
	fputc('[', j->f);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', j->f);
		demo_j_begin(j, NULL);
		demo_j_str(j, "access", p[i].what);
		demo_j_int(j, "offset", p[i].offset);
		demo_j_str(j, "signal", p[i].signal ? demo_sig_name(p[i].signal) : NULL);
		demo_j_int(j, "si_code", p[i].code);
		demo_j_int(j, "si_addr_offset", p[i].addr_off);
		demo_j_int(j, "minflt", p[i].minflt);
		demo_j_end(j);
	}
	fputc(']', j->f);
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

static void demo_j_lines(struct demo_json *j, const char *key, const struct demo_result *r,
			 enum demo_sec sec)
{
	size_t i;
	int n = 0;

	demo_j_key(j, key);
	fputc('[', j->f);
	for (i = 0; i < r->nlines; i++)
		if (r->lines[i].sec == sec) {
			if (n++)
				fputc(',', j->f);
			demo_j_esc(j->f, r->lines[i].text);
		}
	fputc(']', j->f);
}

void demo_print_json(FILE *f, const struct demo_result *r)
{
	struct demo_json j = { .f = f, .first = 1 };
	int side;

	demo_j_begin(&j, NULL);
	demo_j_str(&j, "row", r->row->name);
	demo_j_str(&j, "title", r->row->title);
	demo_j_str(&j, "claim", r->row->claim);
	demo_j_str(&j, "verdict", demo_verdict_name(r->verdict));
	demo_j_str(&j, "because", r->verdict == DEMO_V_DIFFERS ? r->because : NULL);
	demo_j_key(&j, "complete");
	fputs(r->complete ? "true" : "false", f);
	demo_j_int(&j, "pagesize", r->pagesize);
	for (side = 0; side < DEMO_NSIDES; side++) {
		const struct demo_side *s = &r->side[side];

		demo_j_begin(&j, demo_side_name(side));
		demo_j_str(&j, "state", demo_state_name(s->state));
		if (s->state != DEMO_RAN) {
			demo_j_str(&j, "why", s->why);
		} else {
			demo_j_str(&j, "verdict", demo_verdict_name(s->verdict));
			demo_j_str(&j, "because", s->verdict == DEMO_V_DIFFERS ? s->because : NULL);
			demo_j_str(&j, "summary", s->summary);
			r->row->json(r, side, &j);
		}
		demo_j_end(&j);
	}
	demo_j_begin(&j, "text");
	demo_j_lines(&j, "native", r, DEMO_SEC_NATIVE);
	demo_j_lines(&j, "device", r, DEMO_SEC_DEVICE);
	demo_j_lines(&j, "evidence", r, DEMO_SEC_EVIDENCE);
	demo_j_end(&j);
	demo_j_end(&j);
	fputc('\n', f);
}
