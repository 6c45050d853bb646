// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo map ID [--no-color] [--json] [--svg FILE] [--png FILE] [--width N]:
 * the segment's residency map from SHMDEMO_IOC_PAGES - which pages are in
 * its page cache, which are dirty, how many page tables map each - as text,
 * JSON, SVG or PNG.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "residency.h"

#define SDT_MAP_WIDTH_DEFAULT	64
#define SDT_MAP_WIDTH_MAX	4096

static void sdt_map_json(const struct sdt_map *m, const struct sdt_map_summary *s)
{
	uint64_t i;

	printf("{\"id\": %d, \"page_size\": %ld, \"width\": %u, \"pages\": [", m->id,
	       sdt_page_size(), m->width);
	for (i = 0; i < m->npages; i++) {
		uint32_t v = m->pages[i];

		printf("%s\n  {\"resident\": %s, \"dirty\": %s, \"written\": %s, \"mapcount\": %u}",
		       i ? "," : "", v & SHMDEMO_PAGE_RESIDENT ? "true" : "false",
		       v & SHMDEMO_PAGE_DIRTY ? "true" : "false",
		       v & SHMDEMO_PAGE_WRITTEN ? "true" : "false", SHMDEMO_PAGE_MAPCOUNT(v));
	}
	printf("%s],\n \"summary\": {\"pages\": %" PRIu64 ", \"resident\": %" PRIu64
	       ", \"dirty\": %" PRIu64 ", \"mapped\": %" PRIu64 ", \"shared\": %" PRIu64
	       ", \"written\": %" PRIu64 "}}\n",
	       m->npages ? "\n" : "", s->pages, s->resident, s->dirty, s->mapped, s->shared,
	       s->written);
}

static bool sdt_map_want_color(bool no_color)
{
	const char *nc = getenv("NO_COLOR");

	return !no_color && isatty(STDOUT_FILENO) && !(nc && *nc);
}

/*
 * Key and size for the pictures' titles: SHMDEMO_IOC_STAT, else STAT_ANY
 * (like SHM_STAT_ANY: no read permission needed, and the pages need none);
 * without either the title leaves them out.
 */
static void sdt_map_stat(int fd, struct sdt_map *m)
{
	struct shmdemo_stat st;

	if (shmdemo_dev_stat(fd, m->id, false, &st) && shmdemo_dev_stat(fd, m->id, true, &st))
		return;
	m->have_stat = true;
	m->key = st.key;
	m->bytes = st.bytes;
}


static int sdt_map_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-color", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "png", required_argument, NULL, 'p' },
		{ "svg", required_argument, NULL, 's' },
		{ "width", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sdt_map m = { .width = SDT_MAP_WIDTH_DEFAULT };
	struct sdt_map_summary s;
	bool json = false, no_color = false, svg_stdout;
	const char *png = NULL, *svg = NULL;
	uint32_t *pages;
	unsigned long v;
	int fd, ret, opt;

	while ((opt = getopt_long(argc, argv, ":njp:s:w:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			no_color = true;
			break;
		case 'j':
			json = true;
			break;
		case 'p':
			png = optarg;
			break;
		case 's':
			svg = optarg;
			break;
		case 'w':
			if (sdt_parse_uint(optarg, SDT_MAP_WIDTH_MAX, &v) || !v)
				return sdt_usage_err(&sdt_cmd_map, "bad width '%s' (1..%d)", optarg,
						     SDT_MAP_WIDTH_MAX);
			m.width = (unsigned int)v;
			break;
		case 'h':
			sdt_usage(&sdt_cmd_map, stdout, true);
			return SDT_EXIT_OK;
		default:
			return sdt_opt_err(&sdt_cmd_map, argv, opt);
		}
	}
	if (optind != argc - 1)
		return sdt_usage_err(&sdt_cmd_map, "expected one segment id");
	if (sdt_parse_id(argv[optind], &m.id))
		return sdt_usage_err(&sdt_cmd_map, "bad segment id '%s'", argv[optind]);
	/* stdout holds one document */
	svg_stdout = svg && !strcmp(svg, "-");
	if (svg_stdout && json)
		return sdt_usage_err(&sdt_cmd_map, "--svg - and --json both write to stdout");

	fd = sdt_dev_open("map");
	if (fd < 0)
		return SDT_EXIT_FAIL;
	ret = shmdemo_dev_pages_all(fd, m.id, &pages, &m.npages);
	if (!ret && (svg || png))
		sdt_map_stat(fd, &m);
	close(fd);
	if (ret) {
		sdt_seg_err(ret, "map", &(struct sdt_target){ .id = m.id });
		return SDT_EXIT_FAIL;
	}
	m.pages = pages;
	sdt_map_summarize(&m, &s);
	if (svg) {
		uint32_t w, h;

		ret = sdt_map_svg(svg, &m, &s, &w, &h);
		if (ret) {
			sdt_err(ret, "map: %s", strcmp(svg, "-") ? svg : "standard output");
			free(pages);
			return SDT_EXIT_FAIL;
		}
		if (!json && !svg_stdout)
			printf("%s: %" PRIu32 "x%" PRIu32 " px, %u pages per row\n", svg, w, h,
			       m.width);
	}
	if (png) {
		uint32_t w, h;

		ret = sdt_map_png(png, &m, &w, &h);
		if (ret) {
			sdt_err(ret, "map: %s", png);
			free(pages);
			return SDT_EXIT_FAIL;
		}
		if (!json && !svg_stdout)
			printf("%s: %" PRIu32 "x%" PRIu32 " px, %u pages per row\n", png, w, h,
			       m.width);
	}
	if (json) {
		sdt_map_json(&m, &s);
	} else if (png || svg) {
		if (!svg_stdout)
			sdt_map_print_summary(stdout, &s);
	} else {
		sdt_map_text(stdout, &m, sdt_map_want_color(no_color));
		sdt_map_print_summary(stdout, &s);
	}
	free(pages);
	return SDT_EXIT_OK;
}

const struct sdt_cmd sdt_cmd_map = {
	.name = "map",
	.args = "ID [--no-color] [--json] [--svg FILE] [--png FILE] [--width N]",
	.summary = "draw a segment's residency map: resident, dirty, shared pages",
	.help = "One character per page, rows of --width pages (default 64), each row led\n"
		"by its first page's offset (page index):\n"
		"  .  not resident       o  resident, clean       D  resident, dirty\n"
		"  w  resident, written back to its file (file-backed segments)\n"
		"  2..9  mapped by that many page tables, + by 10 or more (the digit keeps\n"
		"        the page's colour)\n"
		"then a legend and `pages N, resident R, dirty D, mapped M` (M: pages\n"
		"mapped by at least one page table; then `, written back W` when W > 0).\n"
		"  --no-color    no ANSI colours (default: colours when stdout is a terminal\n"
		"                and NO_COLOR is unset; dirty red, clean blue, absent dim)\n"
		"  --json        {\"id\": .., \"pages\": [{\"resident\": .., \"dirty\": ..,\n"
		"                \"written\": .., \"mapcount\": ..}, ...], \"summary\": {...}}\n"
		"  --svg FILE    write an SVG picture (FILE - : standard output): a title\n"
		"                (segment id, key, size, kernel), a legend, the first page\n"
		"                and byte offset of each row, one 16 px cell per page with\n"
		"                a tooltip (page, offset, state, mappings)\n"
		"  --png FILE    write a PNG (zlib-compressed): 8x8 px per page\n"
		"                cells in both: hollow grey not resident, sky blue clean,\n"
		"                vermillion with a black corner dirty, bluish green with a\n"
		"                black bar written back (Okabe-Ito colours,\n"
		"                told apart by colour-blind readers too), a black digit\n"
		"                the number of page tables mapping the page\n"
		"  --width N     pages per row, 1..4096\n",
	.main = sdt_map_main,
};
