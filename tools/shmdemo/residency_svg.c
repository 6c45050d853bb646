// SPDX-License-Identifier: GPL-2.0
/*
 * The residency map as SVG, readable without the man page: a title (what
 * was measured and where), the counts, a legend, column ticks and row
 * labels (first page and byte offset of each row), then one cell per page
 * with a <title> a browser shows as a tooltip.
 *
 * Each kind of cell (state x mapping count) is drawn once in <defs> and
 * referenced by <use>, so a page costs one short line: 1024 pages stay
 * near 100 KB.  Only the kinds a page or the legend needs are defined.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "residency.h"

#define SDT_SVG_PITCH	16	/* px from one cell to the next */
#define SDT_SVG_MARGIN	10
#define SDT_SVG_CHAR_PX	7	/* width of a character of the 11 px monospace labels */
#define SDT_SVG_TICK	8	/* a column tick every 8 pages */
#define SDT_SVG_LEGEND	7	/* legend lines */
#define SDT_SVG_MC_MAX	99	/* counts above are drawn as '+' (the tooltip is exact) */

static const char sdt_svg_kind[SDT_CELL_KINDS] = { 'a', 'c', 'd', 'w' };

/* Index of the symbol a page's mapping count uses: 0..99, 100 for '+'. */
static unsigned int sdt_svg_mc(uint32_t v)
{
	uint32_t mc = SHMDEMO_PAGE_MAPCOUNT(v);

	return mc > SDT_SVG_MC_MAX ? SDT_SVG_MC_MAX + 1 : mc;
}

static void sdt_svg_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static int sdt_svg_len(uint64_t v, bool hex)
{
	char buf[24];

	return snprintf(buf, sizeof(buf), hex ? "0x%" PRIx64 : "%" PRIu64, v);
}

/*
 * The base cells: hollow grey, filled blue, filled vermillion with a black
 * corner, filled bluish green with a black bar along the bottom.
 */
static void sdt_svg_base_defs(FILE *f)
{
	fprintf(f, "<g id=\"a\"><rect x=\"1.75\" y=\"1.75\" width=\"12.5\" height=\"12.5\" "
		"fill=\"#%06x\" stroke=\"#%06x\" stroke-width=\"1.5\"/></g>\n", SDT_RGB_BG,
		SDT_RGB_ABSENT);
	fprintf(f, "<g id=\"c\"><rect x=\"1\" y=\"1\" width=\"14\" height=\"14\" "
		"fill=\"#%06x\"/></g>\n", SDT_RGB_CLEAN);
	/* The corner: dirty must not be told from clean by colour alone. */
	fprintf(f, "<g id=\"d\"><rect x=\"1\" y=\"1\" width=\"14\" height=\"14\" "
		"fill=\"#%06x\"/><path d=\"M8 1h7v7z\" fill=\"#%06x\"/></g>\n", SDT_RGB_DIRTY,
		SDT_RGB_MARK);
	/* The bar: written back must not be told from clean by colour alone either. */
	fprintf(f, "<g id=\"w\"><rect x=\"1\" y=\"1\" width=\"14\" height=\"14\" "
		"fill=\"#%06x\"/><rect x=\"1\" y=\"12\" width=\"14\" height=\"3\" "
		"fill=\"#%06x\"/></g>\n", SDT_RGB_WRITTEN, SDT_RGB_MARK);
}

/* Kind @k with mapping count index @mc: "#c" for 0, else the base and the count. */
static void sdt_svg_count_def(FILE *f, int k, unsigned int mc)
{
	char num[4];

	if (mc > SDT_SVG_MC_MAX)
		snprintf(num, sizeof(num), "+");
	else
		snprintf(num, sizeof(num), "%u", mc);
	fprintf(f, "<g id=\"%c%u\"><use xlink:href=\"#%c\"/><text x=\"2.5\" y=\"13\" "
		"font-family=\"sans-serif\" font-weight=\"bold\" font-size=\"%s\" fill=\"#%06x\">"
		"%s</text></g>\n", sdt_svg_kind[k], mc, sdt_svg_kind[k], mc >= 10 ? "8" : "10",
		SDT_RGB_MARK, num);
}

static void sdt_svg_defs(FILE *f, const struct sdt_map *m)
{
	bool need[SDT_CELL_KINDS][SDT_SVG_MC_MAX + 2] = { { false } };
	unsigned int mc;
	uint64_t i;
	int k;

	for (i = 0; i < m->npages; i++)
		need[sdt_cell_of(m->pages[i])][sdt_svg_mc(m->pages[i])] = true;
	/* the legend's examples */
	for (mc = 1; mc <= 3; mc++)
		need[SDT_CELL_CLEAN][mc] = true;
	fputs("<defs>\n", f);
	sdt_svg_base_defs(f);
	for (k = 0; k < SDT_CELL_KINDS; k++) {
		fprintf(f, "<use id=\"%c0\" xlink:href=\"#%c\"/>\n", sdt_svg_kind[k],
			sdt_svg_kind[k]);
		for (mc = 1; mc <= SDT_SVG_MC_MAX + 1; mc++)
			if (need[k][mc])
				sdt_svg_count_def(f, k, mc);
	}
	fputs("</defs>\n", f);
}

/* Legend lines from @y: a sample cell, then what it means. */
static void sdt_svg_legend(FILE *f, int y)
{
	static const struct {
		const char *cells, *text;
	} lines[SDT_SVG_LEGEND] = {
		{ "a0", "not resident (hollow): not in the segment's page cache" },
		{ "c0", "resident, clean (blue): in the page cache, not written" },
		{ "d0", "resident, dirty (vermillion, black corner): written through a mapping" },
		{ "w0", "resident, written back (green, black bar): clean again, in the file" },
		{ "c1 c2 c3", "mapped: the number of page tables mapping the page (+: over 99)" },
		{ NULL, "rows: first page of the row and its byte offset; +N above: page N of the row" },
		{ NULL, "hover a cell for its page, offset, state and mappings" },
	};
	int i;

	fputs("<g id=\"legend\" font-family=\"sans-serif\" font-size=\"12\">\n", f);
	for (i = 0; i < SDT_SVG_LEGEND; i++, y += SDT_SVG_PITCH + 2) {
		int x = SDT_SVG_MARGIN;
		const char *c = lines[i].cells;

		while (c && *c) {
			int n = (int)strcspn(c, " ");

			fprintf(f, "<use xlink:href=\"#%.*s\" x=\"%d\" y=\"%d\"/>", n, c, x, y);
			x += SDT_SVG_PITCH + 2;
			c += n + (c[n] == ' ');
		}
		x = SDT_SVG_MARGIN + 3 * (SDT_SVG_PITCH + 2);
		fprintf(f, "<text class=\"legend\" x=\"%d\" y=\"%d\">%s</text>\n", x, y + 12,
			lines[i].text);
	}
	fputs("</g>\n", f);
}

/* The page's tooltip: "page N, offset 0x..., resident, dirty, mapped ×K". */
static void sdt_svg_cell(FILE *f, uint64_t i, uint32_t v, unsigned int x)
{
	enum sdt_cell c = sdt_cell_of(v);
	uint32_t mc = SHMDEMO_PAGE_MAPCOUNT(v);

	fprintf(f, "<use xlink:href=\"#%c%u\" x=\"%u\"><title>page %" PRIu64 ", offset 0x%"
		PRIx64 ", %s", sdt_svg_kind[c], sdt_svg_mc(v), x, i, i * (uint64_t)sdt_page_size(),
		sdt_cell_name(c));
	if (mc)
		fprintf(f, ", mapped \xc3\x97%" PRIu32, mc);	/* U+00D7 in UTF-8 */
	else if (c != SDT_CELL_ABSENT)
		fputs(", not mapped", f);
	fputs("</title></use>\n", f);
}

static void sdt_svg_write(FILE *f, const struct sdt_map *m, const struct sdt_map_summary *s,
			  uint32_t *wp, uint32_t *hp)
{
	uint64_t cols = m->npages < m->width ? m->npages : m->width;
	uint64_t rows = cols ? (m->npages + cols - 1) / cols : 0;
	uint64_t last = rows ? (rows - 1) * cols : 0, i, j;
	uint64_t pg = (uint64_t)sdt_page_size();
	int pagew = sdt_svg_len(last, false), offw = sdt_svg_len(last * pg, true);
	int x_page, x_off, x0, y_legend, y_head, y0, w, h, tw;
	char title[256];

	sdt_map_title(m, title, sizeof(title));
	if (pagew < 4)
		pagew = 4;	/* "page" */
	if (offw < 6)
		offw = 6;	/* "offset" */
	x_page = SDT_SVG_MARGIN + pagew * SDT_SVG_CHAR_PX;
	x_off = x_page + SDT_SVG_CHAR_PX + offw * SDT_SVG_CHAR_PX;
	x0 = x_off + SDT_SVG_CHAR_PX;
	y_legend = 46;
	y_head = y_legend + SDT_SVG_LEGEND * (SDT_SVG_PITCH + 2) + 16;
	y0 = y_head + 6;
	w = x0 + (int)cols * SDT_SVG_PITCH + SDT_SVG_MARGIN;
	tw = 2 * SDT_SVG_MARGIN + (int)strlen(title) * 9;	/* 14 px bold sans-serif */
	if (w < tw)
		w = tw;
	if (w < 560)
		w = 560;	/* the legend's longest line */
	h = y0 + (int)rows * SDT_SVG_PITCH + SDT_SVG_MARGIN;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		"xmlns:xlink=\"http://www.w3.org/1999/xlink\" version=\"1.1\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\">\n", w, h, w, h);
	fputs("<title>", f);
	sdt_svg_escaped(f, title);
	fputs("</title>\n", f);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#%06x\"/>\n", SDT_RGB_BG);
	sdt_svg_defs(f, m);

	fprintf(f, "<text id=\"title\" x=\"%d\" y=\"20\" font-family=\"sans-serif\" "
		"font-size=\"14\" font-weight=\"bold\">", SDT_SVG_MARGIN);
	sdt_svg_escaped(f, title);
	fputs("</text>\n", f);
	fprintf(f, "<text id=\"summary\" x=\"%d\" y=\"37\" font-family=\"sans-serif\" "
		"font-size=\"12\">pages %" PRIu64 ", resident %" PRIu64 ", dirty %" PRIu64
		", mapped %" PRIu64 " (by two or more: %" PRIu64 ")</text>\n", SDT_SVG_MARGIN,
		s->pages, s->resident, s->dirty, s->mapped, s->shared);
	sdt_svg_legend(f, y_legend);

	/* the axes: column ticks over the grid, first page and offset left of each row */
	fprintf(f, "<g id=\"axes\" font-family=\"monospace\" font-size=\"11\">\n"
		"<text x=\"%d\" y=\"%d\" text-anchor=\"end\">page</text>"
		"<text x=\"%d\" y=\"%d\" text-anchor=\"end\">offset</text>\n",
		x_page, y_head, x_off, y_head);
	for (j = 0; j < cols; j += SDT_SVG_TICK)
		fprintf(f, "<text x=\"%" PRIu64 "\" y=\"%d\">+%" PRIu64 "</text>\n",
			x0 + j * SDT_SVG_PITCH, y_head, j);
	for (i = 0; i < rows; i++)
		fprintf(f, "<text x=\"%d\" y=\"%" PRIu64 "\" text-anchor=\"end\">%" PRIu64
			"</text><text x=\"%d\" y=\"%" PRIu64 "\" text-anchor=\"end\">0x%" PRIx64
			"</text>\n", x_page, y0 + i * SDT_SVG_PITCH + 12, i * cols, x_off,
			y0 + i * SDT_SVG_PITCH + 12, i * cols * pg);
	fputs("</g>\n", f);

	fputs("<g id=\"pages\">\n", f);
	for (i = 0; i < m->npages; i += cols) {
		fprintf(f, "<g transform=\"translate(%d,%" PRIu64 ")\">\n", x0,
			y0 + i / cols * SDT_SVG_PITCH);
		for (j = i; j < m->npages && j < i + cols; j++)
			sdt_svg_cell(f, j, m->pages[j], (unsigned int)((j - i) * SDT_SVG_PITCH));
		fputs("</g>\n", f);
	}
	fputs("</g>\n</svg>\n", f);
	*wp = (uint32_t)w;
	*hp = (uint32_t)h;
}

int sdt_map_svg(const char *path, const struct sdt_map *m, const struct sdt_map_summary *s,
		uint32_t *wp, uint32_t *hp)
{
	bool to_stdout = !strcmp(path, "-");
	FILE *f;
	int ret = 0;

	if (!m->width)
		return -EINVAL;
	f = to_stdout ? stdout : fopen(path, "we");
	if (!f)
		return -errno;
	sdt_svg_write(f, m, s, wp, hp);
	if (fflush(f))
		ret = -errno;
	else if (ferror(f))
		ret = -EIO;
	if (!to_stdout) {
		if (fclose(f) && !ret)
			ret = -errno;
		if (ret)
			unlink(path);
	}
	return ret;
}
