// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo write-people ID|--key K [N]: the article's writer (E4
 * testwrite): attach, write N records (names "b", "c", ..., ages 20, 21,
 * ...), detach.  The segment keeps them after the process is gone.
 */
#include "people_segment.h"

static int sdt_write_people_main(int argc, char **argv)
{
	struct people *p;
	struct shmd_seg *seg;
	unsigned int n, i;
	void *addr;
	int ret;

	ret = sdt_people_setup(&sdt_cmd_write_people, argc, argv, false, &seg, &addr, &n);
	if (ret)
		return ret < 0 ? SDT_EXIT_OK : ret;
	p = addr;
	for (i = 0; i < n; i++)
		people_make(&p[i], i);
	return sdt_people_done(&sdt_cmd_write_people, seg, addr, SDT_EXIT_OK);
}

const struct sdt_cmd sdt_cmd_write_people = {
	.name = "write-people",
	.args = "ID|--key K [N]",
	.summary = "write the article's N records (struct people, 8 bytes) into a segment",
	.help = "  ID | --key K   the segment, by id or by key (decimal, 0x hex, 0 octal)\n"
		"  N              how many records (default 10): names \"b\", \"c\", ...,\n"
		"                 ages 20, 21, ...; record i at byte 8*i\n",
	.main = sdt_write_people_main,
};
