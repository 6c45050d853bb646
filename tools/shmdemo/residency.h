/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The residency map: one cell per page of a segment, from the page words of
 * SHMDEMO_IOC_PAGES, drawn as text, SVG or PNG.  The pictures share one
 * palette and one set of marks, so that each state differs by shape as
 * well as by colour.
 */
#ifndef SHMDEMO_TOOL_RESIDENCY_H
#define SHMDEMO_TOOL_RESIDENCY_H

#include "tool.h"

enum sdt_cell {
	SDT_CELL_ABSENT,	/* not resident */
	SDT_CELL_CLEAN,		/* resident, not written */
	SDT_CELL_DIRTY,		/* resident, written through a mapping */
	SDT_CELL_WRITTEN,	/* resident, clean, written back to its file (file-backed) */
	SDT_CELL_KINDS
};

/*
 * Okabe & Ito's palette ("Color Universal Design", 2008): sky blue and
 * vermillion stay apart under protan, deutan and tritan vision and differ
 * in lightness too.  Not resident is a neutral grey outline, marks black.
 */
#define SDT_RGB_BG	0xffffffU	/* background, inside of a not-resident cell */
#define SDT_RGB_ABSENT	0x999999U	/* outline of a not-resident cell */
#define SDT_RGB_CLEAN	0x56b4e9U	/* Okabe-Ito sky blue */
#define SDT_RGB_DIRTY	0xd55e00U	/* Okabe-Ito vermillion */
#define SDT_RGB_WRITTEN	0x009e73U	/* Okabe-Ito bluish green */
#define SDT_RGB_MARK	0x000000U	/* dirty corner, mapping count */

struct sdt_map {
	int id;
	const uint32_t *pages;	/* SHMDEMO_PAGE_* words */
	uint64_t npages;
	unsigned int width;	/* pages per row */
	/* from SHMDEMO_IOC_STAT, for the pictures' titles */
	bool have_stat;
	int key;
	uint64_t bytes;
};

struct sdt_map_summary {
	uint64_t pages, resident, dirty, mapped, shared, written;
};

static inline enum sdt_cell sdt_cell_of(uint32_t v)
{
	if (!(v & SHMDEMO_PAGE_RESIDENT))
		return SDT_CELL_ABSENT;
	if (v & SHMDEMO_PAGE_DIRTY)
		return SDT_CELL_DIRTY;	/* dirty again after a writeback: dirty */
	return v & SHMDEMO_PAGE_WRITTEN ? SDT_CELL_WRITTEN : SDT_CELL_CLEAN;
}

/* residency.c */
/* '.', 'o', 'D', 'w'; the mapping count 2..9 as a digit, '+' for 10 or more. */
char sdt_map_char(uint32_t v);
/* "not resident", "resident, clean", "resident, dirty", "resident, written back" */
const char *sdt_cell_name(enum sdt_cell c);
void sdt_map_summarize(const struct sdt_map *m, struct sdt_map_summary *s);
void sdt_map_print_summary(FILE *f, const struct sdt_map_summary *s);
/*
 * "shmdemo segment ID, key 0xKEY, BYTES bytes (N pages of P), kernel REL"
 * (ASCII: PNG text chunks are Latin-1); the key and bytes only with @m->have_stat.
 */
void sdt_map_title(const struct sdt_map *m, char *buf, size_t len);

/* residency_text.c: rows of @m->width cells, each row led by its first page offset */
void sdt_map_text(FILE *f, const struct sdt_map *m, bool color);
/*
 * residency_svg.c: title, legend, row labels (first page, byte offset),
 * one cell per page with a <title> tooltip, to @path ("-": stdout).
 * 0 or -errno; *@w x *@h is the picture's size in pixels.
 */
int sdt_map_svg(const char *path, const struct sdt_map *m, const struct sdt_map_summary *s,
		uint32_t *w, uint32_t *h);
/* residency_png.c: the same cells as 8x8-pixel squares; 0 or -errno */
int sdt_map_png(const char *path, const struct sdt_map *m, uint32_t *w, uint32_t *h);

#define SDT_MAP_CELL_PX	8

#endif /* SHMDEMO_TOOL_RESIDENCY_H */
