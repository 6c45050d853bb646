// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo read-people ID|--key K [N]: the article's reader (E4 testread):
 * attach read-only and print N records as "name: b age 20".
 */
#include "people_segment.h"

static int sdt_read_people_main(int argc, char **argv)
{
	const struct people *p;
	struct shmd_seg *seg;
	unsigned int n, i;
	void *addr;
	int ret;

	ret = sdt_people_setup(&sdt_cmd_read_people, argc, argv, true, &seg, &addr, &n);
	if (ret)
		return ret < 0 ? SDT_EXIT_OK : ret;
	p = addr;
	for (i = 0; i < n; i++)
		printf("name: %.4s age %d\n", p[i].name, p[i].age);
	return sdt_people_done(&sdt_cmd_read_people, seg, addr, SDT_EXIT_OK);
}

const struct sdt_cmd sdt_cmd_read_people = {
	.name = "read-people",
	.args = "ID|--key K [N]",
	.summary = "print the first N records (struct people) of a segment",
	.help = "  ID | --key K   the segment, by id or by key (decimal, 0x hex, 0 octal)\n"
		"  N              how many records (default 10)\n"
		"Attaches read-only; prints one line per record: name: NAME age AGE\n",
	.main = sdt_read_people_main,
};
