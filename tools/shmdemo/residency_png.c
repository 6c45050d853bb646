// SPDX-License-Identifier: GPL-2.0
/*
 * The residency map as a PNG: one 8x8-pixel square per page, rows of
 * @width pages, with the SVG's palette and marks so that no state is told
 * by colour alone: not resident a hollow grey square, clean filled sky
 * blue, dirty filled vermillion with a black top-right corner, and the
 * mapping count as a black 3x5-pixel digit (+ for 10 or more).  The last
 * column and row of each square are background, a grid.  A PNG cannot
 * carry a legend a viewer draws, so the title and legend travel as tEXt
 * chunks ("Title", "Description") for viewers and tools that show them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "residency.h"
#include "png.h"

enum {
	SDT_PX_BG,
	SDT_PX_ABSENT,
	SDT_PX_CLEAN,
	SDT_PX_DIRTY,
	SDT_PX_MARK,
	SDT_PX_WRITTEN,
	SDT_PX_COLORS
};

#define SDT_RGB(c)	(uint8_t)((c) >> 16), (uint8_t)((c) >> 8), (uint8_t)(c)

static const uint8_t sdt_map_palette[SDT_PX_COLORS * 3] = {
	SDT_RGB(SDT_RGB_BG), SDT_RGB(SDT_RGB_ABSENT), SDT_RGB(SDT_RGB_CLEAN),
	SDT_RGB(SDT_RGB_DIRTY), SDT_RGB(SDT_RGB_MARK), SDT_RGB(SDT_RGB_WRITTEN),
};

/* 3x5 digits 1..9 and '+' (index 0), one row of 3 bits per entry, left bit first. */
static const uint8_t sdt_digit_font[10][5] = {
	{ 0, 2, 7, 2, 0 },	/* + */
	{ 2, 6, 2, 2, 7 },	/* 1 */
	{ 7, 1, 7, 4, 7 },	/* 2 */
	{ 7, 1, 7, 1, 7 },	/* 3 */
	{ 5, 5, 7, 1, 1 },	/* 4 */
	{ 7, 4, 7, 1, 7 },	/* 5 */
	{ 7, 4, 7, 5, 7 },	/* 6 */
	{ 7, 1, 1, 1, 1 },	/* 7 */
	{ 7, 5, 7, 5, 7 },	/* 8 */
	{ 7, 5, 7, 1, 7 },	/* 9 */
};

/* Page word @v as the square at @px (row stride @w). */
static void sdt_png_cell(uint8_t *px, uint64_t w, uint32_t v)
{
	enum sdt_cell c = sdt_cell_of(v);
	uint32_t mc = SHMDEMO_PAGE_MAPCOUNT(v);
	const int n = SDT_MAP_CELL_PX - 1;
	int x, y;

	for (y = 0; y < n; y++) {
		for (x = 0; x < n; x++) {
			uint8_t p;

			if (c == SDT_CELL_ABSENT)
				p = x && y && x < n - 1 && y < n - 1 ? SDT_PX_BG : SDT_PX_ABSENT;
			else
				p = c == SDT_CELL_DIRTY ? SDT_PX_DIRTY :
				    c == SDT_CELL_WRITTEN ? SDT_PX_WRITTEN : SDT_PX_CLEAN;
			/* the dirty corner: a triangle in the top right */
			if (c == SDT_CELL_DIRTY && x - y >= n - 3)
				p = SDT_PX_MARK;
			/* the written-back bar: the bottom two rows */
			if (c == SDT_CELL_WRITTEN && y >= n - 2)
				p = SDT_PX_MARK;
			px[y * w + x] = p;
		}
	}
	if (!mc)
		return;
	for (y = 0; y < 5; y++)
		for (x = 0; x < 3; x++)
			if (sdt_digit_font[mc >= 10 ? 0 : mc][y] & (4 >> x))
				px[(1 + y) * w + 1 + x] = SDT_PX_MARK;
}

int sdt_map_png(const char *path, const struct sdt_map *m, uint32_t *wp, uint32_t *hp)
{
	uint64_t cols = m->npages < m->width ? m->npages : m->width;
	uint64_t rows = cols ? (m->npages + cols - 1) / cols : 0;
	uint64_t w = cols * SDT_MAP_CELL_PX, h = rows * SDT_MAP_CELL_PX, i;
	char title[256], desc[512];
	struct sdt_png_text text[] = {
		{ "Title", title },
		{ "Description", desc },
		{ "Software", "shmdemo map" },
	};
	uint8_t *px;
	FILE *f;
	int ret;

	if (!m->npages)
		return -EINVAL;
	if (w * h > (1ULL << 31))
		return -EFBIG;
	px = calloc((size_t)(w * h), 1);	/* SDT_PX_BG */
	if (!px)
		return -ENOMEM;
	for (i = 0; i < m->npages; i++)
		sdt_png_cell(px + i / cols * SDT_MAP_CELL_PX * w + i % cols * SDT_MAP_CELL_PX, w,
			     m->pages[i]);
	sdt_map_title(m, title, sizeof(title));
	snprintf(desc, sizeof(desc),
		 "Residency map: one %dx%d px square per page, %u pages per row, row r starting "
		 "at page r*%u. Hollow grey: not resident. Sky blue: resident, clean. Vermillion "
		 "with a black top-right corner: resident, dirty. Black digit: mapped by that "
		 "many page tables (+: 10 or more). Okabe-Ito palette.", SDT_MAP_CELL_PX,
		 SDT_MAP_CELL_PX, (unsigned int)cols, (unsigned int)cols);
	f = fopen(path, "we");
	if (!f) {
		ret = -errno;
		free(px);
		return ret;
	}
	ret = sdt_png_write(f, (uint32_t)w, (uint32_t)h, sdt_map_palette, SDT_PX_COLORS, px, text,
			    SDT_ARRAY_SIZE(text));
	free(px);
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret) {
		unlink(path);
	} else {
		*wp = (uint32_t)w;
		*hp = (uint32_t)h;
	}
	return ret;
}
