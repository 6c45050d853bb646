/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The segment access shared by write-people and read-people: the command
 * line "ID|--key K [N]", attach, size check, detach (the record: people.h).
 */
#ifndef SHMDEMO_TOOL_PEOPLE_SEGMENT_H
#define SHMDEMO_TOOL_PEOPLE_SEGMENT_H

#include "people.h"	/* tools/common: the record */
#include "tool.h"


#define SDT_PEOPLE_DEFAULT	10
#define SDT_PEOPLE_MAX		PEOPLE_MAX

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

#endif /* SHMDEMO_TOOL_PEOPLE_SEGMENT_H */
