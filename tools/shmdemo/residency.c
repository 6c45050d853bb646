// SPDX-License-Identifier: GPL-2.0
/*
 * Residency map cells: what character a page word becomes, the names of
 * the cell kinds, the counts under the map and the pictures' title.
 */
#include <inttypes.h>
#include <sys/utsname.h>

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
	case SDT_CELL_WRITTEN:
		return 'w';
	default:
		return '.';
	}
}

const char *sdt_cell_name(enum sdt_cell c)
{
	switch (c) {
	case SDT_CELL_DIRTY:
		return "resident, dirty";
	case SDT_CELL_CLEAN:
		return "resident, clean";
	case SDT_CELL_WRITTEN:
		return "resident, written back";
	default:
		return "not resident";
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
		s->written += !!(v & SHMDEMO_PAGE_WRITTEN);
		s->mapped += SHMDEMO_PAGE_MAPCOUNT(v) >= 1;
		s->shared += SHMDEMO_PAGE_MAPCOUNT(v) >= 2;
	}
}

/* Written-back pages only exist in file-backed segments: named only there. */
void sdt_map_print_summary(FILE *f, const struct sdt_map_summary *s)
{
	fprintf(f, "pages %" PRIu64 ", resident %" PRIu64 ", dirty %" PRIu64 ", mapped %" PRIu64,
		s->pages, s->resident, s->dirty, s->mapped);
	if (s->written)
		fprintf(f, ", written back %" PRIu64, s->written);
	fputc('\n', f);
}

void sdt_map_title(const struct sdt_map *m, char *buf, size_t len)
{
	struct utsname u;
	int n;

	/* The map describes this kernel's page cache: say which kernel. */
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");
	n = snprintf(buf, len, "shmdemo segment %d", m->id);
	if (n >= 0 && (size_t)n < len && m->have_stat)
		n += snprintf(buf + n, len - n, ", key 0x%08x, %" PRIu64 " bytes", (unsigned int)m->key,
			      m->bytes);
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, " (%" PRIu64 " pages of %ld), kernel %s", m->npages,
			 sdt_page_size(), u.release);
}
