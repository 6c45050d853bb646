// SPDX-License-Identifier: GPL-2.0
/*
 * The residency map as a PNG: one 8x8-pixel square per page, rows of
 * @width pages; dirty red, clean green, not resident grey, a darker shade
 * for pages mapped by two or more page tables; the square's last column
 * and row are left in the background colour as a grid.
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
	SDT_PX_CLEAN_SHARED,
	SDT_PX_DIRTY_SHARED,
	SDT_PX_COLORS
};

static const uint8_t sdt_map_palette[SDT_PX_COLORS * 3] = {
	0xff, 0xff, 0xff,	/* background */
	0xb4, 0xb4, 0xb4,	/* not resident: grey */
	0x2c, 0xa0, 0x2c,	/* clean: green */
	0xd6, 0x27, 0x28,	/* dirty: red */
	0x14, 0x5a, 0x14,	/* clean, shared */
	0x80, 0x10, 0x10,	/* dirty, shared */
};

static uint8_t sdt_px_of(uint32_t v)
{
	bool shared = SHMDEMO_PAGE_MAPCOUNT(v) >= 2;

	switch (sdt_cell_of(v)) {
	case SDT_CELL_DIRTY:
		return shared ? SDT_PX_DIRTY_SHARED : SDT_PX_DIRTY;
	case SDT_CELL_CLEAN:
		return shared ? SDT_PX_CLEAN_SHARED : SDT_PX_CLEAN;
	default:
		return SDT_PX_ABSENT;
	}
}

int sdt_map_png(const char *path, const struct sdt_map *m, uint32_t *wp, uint32_t *hp)
{
	uint64_t cols = m->npages < m->width ? m->npages : m->width;
	uint64_t rows = cols ? (m->npages + cols - 1) / cols : 0;
	uint64_t w = cols * SDT_MAP_CELL_PX, h = rows * SDT_MAP_CELL_PX, i;
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
	for (i = 0; i < m->npages; i++) {
		uint64_t x0 = i % cols * SDT_MAP_CELL_PX, y0 = i / cols * SDT_MAP_CELL_PX, y;

		for (y = 0; y < SDT_MAP_CELL_PX - 1; y++)
			memset(px + (y0 + y) * w + x0, sdt_px_of(m->pages[i]), SDT_MAP_CELL_PX - 1);
	}
	f = fopen(path, "we");
	if (!f) {
		ret = -errno;
		free(px);
		return ret;
	}
	ret = sdt_png_write(f, (uint32_t)w, (uint32_t)h, sdt_map_palette, SDT_PX_COLORS, px);
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
