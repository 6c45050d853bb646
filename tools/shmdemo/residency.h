/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The residency map: one cell per page of a segment, from the page words of
 * SHMDEMO_IOC_PAGES, drawn as text or as a PNG.
 */
#ifndef SHMDEMO_TOOL_RESIDENCY_H
#define SHMDEMO_TOOL_RESIDENCY_H

#include "tool.h"

enum sdt_cell {
	SDT_CELL_ABSENT,	/* not resident */
	SDT_CELL_CLEAN,		/* resident, not written */
	SDT_CELL_DIRTY,		/* resident, written through a mapping */
};

struct sdt_map {
	int id;
	const uint32_t *pages;	/* SHMDEMO_PAGE_* words */
	uint64_t npages;
	unsigned int width;	/* pages per row */
};

struct sdt_map_summary {
	uint64_t pages, resident, dirty, mapped, shared;
};

static inline enum sdt_cell sdt_cell_of(uint32_t v)
{
	if (!(v & SHMDEMO_PAGE_RESIDENT))
		return SDT_CELL_ABSENT;
	return v & SHMDEMO_PAGE_DIRTY ? SDT_CELL_DIRTY : SDT_CELL_CLEAN;
}

/* '.', 'o', 'D'; the mapping count 2..9 as a digit, '+' for 10 or more. */
char sdt_map_char(uint32_t v);
void sdt_map_summarize(const struct sdt_map *m, struct sdt_map_summary *s);
void sdt_map_print_summary(FILE *f, const struct sdt_map_summary *s);

/* map_text.c: rows of @m->width cells, each row led by its first page offset */
void sdt_map_text(FILE *f, const struct sdt_map *m, bool color);
/* map_png.c: the same cells as 8x8-pixel squares; 0 or -errno */
int sdt_map_png(const char *path, const struct sdt_map *m, uint32_t *w, uint32_t *h);

#define SDT_MAP_CELL_PX	8

#endif /* SHMDEMO_TOOL_RESIDENCY_H */
