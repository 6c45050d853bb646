// SPDX-License-Identifier: GPL-2.0
/*
 * Residency map cells: what character a page word becomes, and the counts
 * under the map.
 */
#include <inttypes.h>

#include "residency.h"

char sdt_map_char(uint32_t v)
{
	uint32_t mc = SHMDEMO_PAGE_MAPCOUNT(v);

	if (mc >= 10)
		return '+';
	if (mc >= 2)
		return (char)('0' + mc);
	switch (sdt_cell_of(v)) {
	case SDT_CELL_DIRTY:
		return 'D';
	case SDT_CELL_CLEAN:
		return 'o';
	default:
		return '.';
	}
}

void sdt_map_summarize(const struct sdt_map *m, struct sdt_map_summary *s)
{
	uint64_t i;

	*s = (struct sdt_map_summary){ .pages = m->npages };
	for (i = 0; i < m->npages; i++) {
		uint32_t v = m->pages[i];

		s->resident += !!(v & SHMDEMO_PAGE_RESIDENT);
		s->dirty += !!(v & SHMDEMO_PAGE_DIRTY);
		s->mapped += SHMDEMO_PAGE_MAPCOUNT(v) >= 1;
		s->shared += SHMDEMO_PAGE_MAPCOUNT(v) >= 2;
	}
}

void sdt_map_print_summary(FILE *f, const struct sdt_map_summary *s)
{
	fprintf(f, "pages %" PRIu64 ", resident %" PRIu64 ", dirty %" PRIu64 ", mapped %" PRIu64
		"\n", s->pages, s->resident, s->dirty, s->mapped);
}
