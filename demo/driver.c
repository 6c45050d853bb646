// SPDX-License-Identifier: GPL-2.0
/*
 * The driver: runs each row's native and
 * device sides, lets the row judge each side from its measurements, and
 * combines: a row is reproduced when every side that ran reproduced the
 * article, else it differs (and says why, with the numbers).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "demo.h"

static const struct demo_row *const demo_rows[] = {
	&demo_row_e1, &demo_row_e2, &demo_row_e3, &demo_row_e4,
	&demo_row_c1, &demo_row_c2, &demo_row_c3, &demo_row_c4, &demo_row_c5, &demo_row_c6,
};

#define DEMO_NROWS	(sizeof(demo_rows) / sizeof(demo_rows[0]))

const struct demo_row *demo_row_at(size_t i)
{
	return i < DEMO_NROWS ? demo_rows[i] : NULL;
}

const char *demo_side_name(int side)
{
	return side == DEMO_NATIVE ? "native" : "device";
}

const char *demo_verdict_name(enum demo_verdict v)
{
	return v == DEMO_V_REPRODUCED ? "reproduced" : v == DEMO_V_DIFFERS ? "differs" : "not run";
}

void demo_say(struct demo_result *r, enum demo_sec sec, const char *fmt, ...)
{
	struct demo_line *l;
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	l = text ? realloc(r->lines, (r->nlines + 1) * sizeof(*l)) : NULL;
	if (!l) {
		free(text);
		return;
	}
	r->lines = l;
	l[r->nlines].sec = sec;
	l[r->nlines].text = text;
	r->nlines++;
}

/* A side broke: record why; returns @err (a -errno) for the caller. */
int demo_fail(struct demo_result *r, int side, int err, const char *fmt, ...)
{
	struct demo_side *s = &r->side[side];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	n = strlen(s->why);
	if (err && n < sizeof(s->why))
		snprintf(s->why + n, sizeof(s->why) - n, ": %s", strerror(-err));
	return err ? err : -EIO;
}

/* A side can't run here: record why; returns DEMO_SKIP for the row's run(). */
int demo_skip(struct demo_result *r, int side, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->side[side].why, sizeof(r->side[side].why), fmt, ap);
	va_end(ap);
	return DEMO_SKIP;
}

/* The side's verdict: reproduced when @ok, else differs because @fmt. */
void demo_judge(struct demo_result *r, int side, int ok, const char *fmt, ...)
{
	struct demo_side *s = &r->side[side];
	va_list ap;

	s->verdict = ok ? DEMO_V_REPRODUCED : DEMO_V_DIFFERS;
	s->because[0] = '\0';
	if (ok || !fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(s->because, sizeof(s->because), fmt, ap);
	va_end(ap);
}

void demo_summary(struct demo_result *r, int side, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->side[side].summary, sizeof(r->side[side].summary), fmt, ap);
	va_end(ap);
}

const struct demo_row *demo_find_row(const char *name)
{
	size_t i;

	for (i = 0; i < DEMO_NROWS; i++)
		if (!strcasecmp(demo_rows[i]->name, name))
			return demo_rows[i];
	return NULL;
}

/* Combine the sides' verdicts into the row's. */
static void demo_combine(struct demo_result *r)
{
	size_t n = 0;
	int side, ran = 0, differs = 0;

	r->because[0] = '\0';
	for (side = 0; side < DEMO_NSIDES; side++) {
		struct demo_side *s = &r->side[side];

		if (s->state != DEMO_RAN)
			continue;
		ran++;
		if (s->verdict != DEMO_V_DIFFERS)
			continue;
		differs++;
		if (n < sizeof(r->because))
			n += (size_t)snprintf(r->because + n, sizeof(r->because) - n, "%s%s: %s",
					      n ? "; " : "", demo_side_name(side), s->because);
	}
	r->verdict = !ran ? DEMO_V_NONE : differs ? DEMO_V_DIFFERS : DEMO_V_REPRODUCED;
}

int demo_run_row(const char *name, unsigned int sides, struct demo_result *r)
{
	const struct demo_row *row = demo_find_row(name);
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int side, ret;

	memset(r, 0, sizeof(*r));
	if (!row)
		return -ENOENT;
	r->row = row;
	r->sides = sides;
	r->pagesize = demo_pagesize();
	r->complete = 1;
	/* A child that dies early must not take us down with SIGPIPE. */
	sigaction(SIGPIPE, &ign, &old);
	for (side = 0; side < DEMO_NSIDES; side++) {
		struct demo_side *s = &r->side[side];

		if (!(sides & (1U << side)))
			continue;
		if (side == DEMO_DEVICE && !demo_dev_present()) {
			s->state = DEMO_SKIPPED;
			snprintf(s->why, sizeof(s->why),
				 "no " SHMDEMO_DEVICE " (module not loaded; run in the VM)");
		} else if ((ret = row->run(r, side)) == DEMO_SKIP) {
			s->state = DEMO_SKIPPED;
		} else if (ret) {
			s->state = DEMO_FAILED;
		} else {
			s->state = DEMO_RAN;
			row->judge(r, side);
		}
		if (s->state != DEMO_RAN) {
			r->complete = 0;
			snprintf(s->summary, sizeof(s->summary), "%s",
				 s->state == DEMO_SKIPPED ? "not run" : "failed");
		}
	}
	sigaction(SIGPIPE, &old, NULL);
	demo_combine(r);
	return r->complete ? 0 : -EAGAIN;
}

void demo_result_release(struct demo_result *r)
{
	size_t i;

	for (i = 0; i < r->nlines; i++)
		free(r->lines[i].text);
	free(r->lines);
	r->lines = NULL;
	r->nlines = 0;
}
