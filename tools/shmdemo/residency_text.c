// SPDX-License-Identifier: GPL-2.0
/*
 * The residency map as text: one character per page, rows of @width pages,
 * each row led by the offset (page index) of its first page, then a legend.
 * ANSI colours when asked: dirty red, clean blue (not green: red and
 * green are what most colour-blind readers confuse), written back cyan,
 * not resident dim; a mapping-count digit keeps its page's colour.
 */
#include <inttypes.h>

#include "residency.h"

#define SDT_ANSI_RED	"\033[31m"
#define SDT_ANSI_BLUE	"\033[34m"
#define SDT_ANSI_CYAN	"\033[36m"
#define SDT_ANSI_DIM	"\033[2m"
#define SDT_ANSI_RESET	"\033[0m"

static const char *sdt_cell_color(enum sdt_cell c)
{
	switch (c) {
	case SDT_CELL_DIRTY:
		return SDT_ANSI_RED;
	case SDT_CELL_CLEAN:
		return SDT_ANSI_BLUE;
	case SDT_CELL_WRITTEN:
		return SDT_ANSI_CYAN;
	default:
		return SDT_ANSI_DIM;
	}
}

static int sdt_digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static void sdt_map_legend(FILE *f, bool color, bool written)
{
	const char *r = color ? SDT_ANSI_RED : "", *g = color ? SDT_ANSI_BLUE : "";
	const char *d = color ? SDT_ANSI_DIM : "", *z = color ? SDT_ANSI_RESET : "";
	const char *c = color ? SDT_ANSI_CYAN : "";

	fprintf(f, "legend: %s.%s not resident, %so%s resident clean, %sD%s resident dirty, ",
		d, z, g, z, r, z);
	/* Only file-backed segments write pages back: the rest never see a 'w'. */
	if (written)
		fprintf(f, "%sw%s resident, written back to the file, ", c, z);
	fprintf(f, "2-9 mapped by that many, + by 10 or more (%sclean%s/%sdirty%s); "
		"rows start with their first page\n", g, z, r, z);
}

void sdt_map_text(FILE *f, const struct sdt_map *m, bool color)
{
	uint64_t last_row = m->npages ? (m->npages - 1) / m->width * m->width : 0;
	int w = sdt_digits(last_row);
	bool written = false;
	uint64_t i;

	for (i = 0; i < m->npages && !written; i++)
		written = m->pages[i] & SHMDEMO_PAGE_WRITTEN;

	for (i = 0; i < m->npages; i += m->width) {
		const char *cur = NULL;
		uint64_t j;

		fprintf(f, "%*" PRIu64 " ", w, i);
		for (j = i; j < m->npages && j < i + m->width; j++) {
			const char *c = sdt_cell_color(sdt_cell_of(m->pages[j]));

			if (color && c != cur) {
				fputs(SDT_ANSI_RESET, f);
				fputs(c, f);
				cur = c;
			}
			fputc(sdt_map_char(m->pages[j]), f);
		}
		if (color)
			fputs(SDT_ANSI_RESET, f);
		fputc('\n', f);
	}
	sdt_map_legend(f, color, written);
}
