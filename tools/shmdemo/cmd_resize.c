// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo resize ID BYTES: change a segment's size, like ftruncate():
 * shrinking frees the pages past the end (touching them then raises
 * SIGBUS), growing makes new zero pages reachable.
 */
#include <getopt.h>
#include <unistd.h>

#include "tool.h"

static int sdt_resize_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t bytes;
	int id, fd, ret, opt;

	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			sdt_usage(&sdt_cmd_resize, stdout, true);
			return SDT_EXIT_OK;
		}
		return sdt_opt_err(&sdt_cmd_resize, argv, opt);
	}
	if (optind != argc - 2)
		return sdt_usage_err(&sdt_cmd_resize, "expected a segment id and a size");
	if (sdt_parse_id(argv[optind], &id))
		return sdt_usage_err(&sdt_cmd_resize, "bad segment id '%s'", argv[optind]);
	if (sdt_parse_size(argv[optind + 1], &bytes) || !bytes)
		return sdt_usage_err(&sdt_cmd_resize, "bad size '%s'", argv[optind + 1]);

	fd = sdt_dev_open("resize");
	if (fd < 0)
		return SDT_EXIT_FAIL;
	ret = shmdemo_dev_resize(fd, id, bytes);
	if (ret) {
		struct shmdemo_stat st;
		uint64_t pg = (uint64_t)sdt_page_size(), grow = 0;

		/* What the resize would have added, for an ENOSPC's limit. */
		if (!shmdemo_dev_stat(fd, id, true, &st) && bytes > st.bytes)
			grow = (bytes + pg - 1) / pg - (st.bytes + pg - 1) / pg;
		sdt_size_err(ret, "resize", &(struct sdt_target){ .id = id }, bytes, grow);
	}
	close(fd);
	if (ret)
		return SDT_EXIT_FAIL;
	return SDT_EXIT_OK;
}

const struct sdt_cmd sdt_cmd_resize = {
	.name = "resize",
	.args = "ID BYTES",
	.summary = "change a segment's size (like ftruncate)",
	.help = "  BYTES     new size, 1..max_seg_bytes; suffixes k/K, m/M, g/G, p (pages)\n"
		"Shrinking frees the pages past the new end (touching them raises SIGBUS);\n"
		"growing makes new zero-filled pages reachable.  Owner, creator or\n"
		"CAP_SYS_ADMIN only.\n",
	.main = sdt_resize_main,
};
