/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The article's record, `struct people { char name[4]; int age; }` (8
 * bytes), and the segment access shared by write-people and read-people.
 */
#ifndef SHMDEMO_TOOL_PEOPLE_H
#define SHMDEMO_TOOL_PEOPLE_H

#include "tool.h"

struct sdt_people {
	char name[4];
	int age;
};

_Static_assert(sizeof(struct sdt_people) == 8, "the article's record is 8 bytes");

#define SDT_PEOPLE_DEFAULT	10
#define SDT_PEOPLE_MAX		(25 * 100)	/* names "b".."z", then "b1".."z99" */

/* Record @i as the article writes it: name "b" + i, age 20 + i. */
void sdt_people_make(unsigned int i, struct sdt_people *p);

/*
 * Parse "ID|--key K [N]" for @cmd into @t and @n; on success attach the
 * segment (read-only if @rdonly) and check it holds @n records.  Returns
 * SDT_EXIT_OK with *@segp and *@addrp set, -1 if --help was printed (exit
 * with SDT_EXIT_OK), or the exit code to return.
 */
int sdt_people_setup(const struct sdt_cmd *cmd, int argc, char **argv, bool rdonly,
		     struct shmd_seg **segp, void **addrp, unsigned int *n);
/* Detach and close; returns @status, or SDT_EXIT_FAIL if detaching failed. */
int sdt_people_done(const struct sdt_cmd *cmd, struct shmd_seg *seg, void *addr, int status);

#endif /* SHMDEMO_TOOL_PEOPLE_H */
