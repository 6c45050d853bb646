// SPDX-License-Identifier: GPL-2.0
/*
 * The text report: per row, what the article expected, what happened
 * natively and on the device, the evidence and the verdict; at the end one
 * table with a line per row.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "demo.h"

#define DEMO_INDENT	"             "
#define DEMO_WIDTH	100	/* when neither the terminal nor $COLUMNS says */

/* The terminal's width, else $COLUMNS, else DEMO_WIDTH; at least 40. */
static int demo_width(FILE *f)
{
	static int width;
	struct winsize ws;
	const char *cols = getenv("COLUMNS");

	if (width)
		return width;
	width = DEMO_WIDTH;
	if (isatty(fileno(f)) && !ioctl(fileno(f), TIOCGWINSZ, &ws) && ws.ws_col)
		width = ws.ws_col;
	else if (cols && atoi(cols) > 0)
		width = atoi(cols);
	if (width < 40)
		width = 40;
	return width;
}

/*
 * @lead then @text, broken at spaces so that no line passes the width;
 * continuation lines start with @indent.  A word longer than a line stays
 * whole (a path or a number is not cut).
 */
static void demo_wrap(FILE *f, const char *lead, const char *indent, const char *text)
{
	int width = demo_width(f), col = fprintf(f, "%s", lead);
	int start = col;

	while (*text) {
		size_t word = strcspn(text, " "), gap = 0;

		if (col > start && col + 1 + (int)word > width) {
			col = fprintf(f, "\n%s", indent) - 1;
			start = col;
		} else if (col > start) {
			fputc(' ', f);
			col++;
		}
		fwrite(text, 1, word, f);
		col += (int)word;
		text += word;
		while (text[gap] == ' ')
			gap++;
		text += gap;
	}
	fputc('\n', f);
}

static void demo_print_block(FILE *f, const struct demo_result *r, const char *label,
			     enum demo_sec sec, const struct demo_side *s)
{
	size_t i;
	int first = 1;

	if (s && s->state != DEMO_RAN) {
		if (s->state != DEMO_NOT_ASKED) {
			char lead[32];

			snprintf(lead, sizeof(lead), "   %-9s %s: ", label,
				 s->state == DEMO_SKIPPED ? "not run" : "failed");
			demo_wrap(f, lead, DEMO_INDENT "  ", s->why);
		}
		if (s->state != DEMO_FAILED)
			return;
	}
	for (i = 0; i < r->nlines; i++) {
		char lead[16];

		if (r->lines[i].sec != sec)
			continue;
		snprintf(lead, sizeof(lead), "   %-9s ",
			 first && !(s && s->state == DEMO_FAILED) ? label : "");
		demo_wrap(f, lead, DEMO_INDENT "  ", r->lines[i].text);
		first = 0;
	}
}

void demo_print_heading(FILE *f, const struct demo_row *row)
{
	char lead[16];

	snprintf(lead, sizeof(lead), "== %s  ", row->name);
	demo_wrap(f, lead, "        ", row->title);
}

void demo_print_row(FILE *f, const struct demo_result *r)
{
	const struct demo_row *row = r->row;
	char *article;

	/* The two halves of the article's expectation read as one sentence. */
	if (asprintf(&article, "%s%s%s", row->article[0], row->article[1] ? " " : "",
		     row->article[1] ? row->article[1] : "") < 0)
		article = NULL;
	demo_wrap(f, "   article:  ", DEMO_INDENT, article ? article : row->article[0]);
	free(article);
	demo_print_block(f, r, "native:", DEMO_SEC_NATIVE, &r->side[DEMO_NATIVE]);
	demo_print_block(f, r, "device:", DEMO_SEC_DEVICE, &r->side[DEMO_DEVICE]);
	demo_print_block(f, r, "evidence:", DEMO_SEC_EVIDENCE, NULL);
	if (r->verdict == DEMO_V_DIFFERS) {
		char *v;

		if (asprintf(&v, "differs on this kernel, because %s", r->because) < 0)
			v = NULL;
		demo_wrap(f, "   verdict: ", DEMO_INDENT, v ? v : r->because);
		free(v);
	} else
		fprintf(f, "   verdict: %s\n", demo_verdict_name(r->verdict));
	if (r->verdict != DEMO_V_NONE && !r->complete)
		fprintf(f, "   (from the %s side only: the other did not run)\n",
			r->side[DEMO_NATIVE].state == DEMO_RAN ? "native" : "device");
	fprintf(f, "\n");
}

static size_t demo_max(size_t a, size_t b)
{
	return a > b ? a : b;
}

static void demo_dashes(FILE *f, size_t n)
{
	while (n--)
		fputc('-', f);
}

void demo_print_table(FILE *f, struct demo_result *rs, size_t n)
{
	size_t w[4] = { strlen("row"), strlen("article's claim"), strlen("native"),
			strlen("device") };
	size_t i;

	for (i = 0; i < n; i++) {
		w[0] = demo_max(w[0], strlen(rs[i].row->name));
		w[1] = demo_max(w[1], strlen(rs[i].row->claim));
		w[2] = demo_max(w[2], strlen(rs[i].side[DEMO_NATIVE].summary));
		w[3] = demo_max(w[3], strlen(rs[i].side[DEMO_DEVICE].summary));
	}
	fprintf(f, "%-*s | %-*s | %-*s | %-*s | %s\n", (int)w[0], "row", (int)w[1],
		"article's claim", (int)w[2], "native", (int)w[3], "device", "verdict");
	for (i = 0; i < 4; i++) {
		demo_dashes(f, w[i] + (i ? 2 : 1));
		fputc('+', f);
	}
	demo_dashes(f, strlen(" differs (one side)"));
	fputc('\n', f);
	for (i = 0; i < n; i++)
		fprintf(f, "%-*s | %-*s | %-*s | %-*s | %s%s\n", (int)w[0], rs[i].row->name,
			(int)w[1], rs[i].row->claim,
			(int)w[2], rs[i].side[DEMO_NATIVE].summary,
			(int)w[3], rs[i].side[DEMO_DEVICE].summary,
			demo_verdict_name(rs[i].verdict),
			rs[i].verdict != DEMO_V_NONE && !rs[i].complete ? " (one side)" : "");
}
