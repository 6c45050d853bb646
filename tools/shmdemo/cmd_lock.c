// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo lock ID | unlock ID: SHMDEMO_IOC_LOCK and SHMDEMO_IOC_UNLOCK,
 * like shmctl(SHM_LOCK / SHM_UNLOCK).  Memory-only pages are never reclaimed
 * anyway: what changes is the flag (`ls` and `stat` show "locked") and the
 * size charged to the locker's RLIMIT_MEMLOCK.
 */
#include <getopt.h>
#include <unistd.h>

#include "tool.h"

static int sdt_lock_run(const struct sdt_cmd *cmd, bool lock, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int id, fd, ret, opt;

	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			sdt_usage(cmd, stdout, true);
			return SDT_EXIT_OK;
		}
		return sdt_opt_err(cmd, argv, opt);
	}
	if (optind != argc - 1)
		return sdt_usage_err(cmd, "expected one segment id");
	if (sdt_parse_id(argv[optind], &id))
		return sdt_usage_err(cmd, "bad segment id '%s'", argv[optind]);

	fd = sdt_dev_open(cmd->name);
	if (fd < 0)
		return SDT_EXIT_FAIL;
	ret = shmdemo_dev_lock(fd, id, lock);
	close(fd);
	if (ret) {
		sdt_seg_err(ret, cmd->name, &(struct sdt_target){ .id = id });
		return SDT_EXIT_FAIL;
	}
	return SDT_EXIT_OK;
}

static int sdt_lock_main(int argc, char **argv)
{
	return sdt_lock_run(&sdt_cmd_lock, true, argc, argv);
}

static int sdt_unlock_main(int argc, char **argv)
{
	return sdt_lock_run(&sdt_cmd_unlock, false, argc, argv);
}

const struct sdt_cmd sdt_cmd_lock = {
	.name = "lock",
	.args = "ID",
	.summary = "lock a segment (like shmctl SHM_LOCK); ls and stat show it locked",
	.help = "Charges the segment's size to your RLIMIT_MEMLOCK (Cannot allocate memory\n"
		"when over it) unless you have CAP_IPC_LOCK.  CAP_IPC_LOCK, or the owner\n"
		"or creator with a non-zero RLIMIT_MEMLOCK, only.  Locking a locked\n"
		"segment does nothing.\n",
	.main = sdt_lock_main,
};

const struct sdt_cmd sdt_cmd_unlock = {
	.name = "unlock",
	.args = "ID",
	.summary = "unlock a segment (like shmctl SHM_UNLOCK)",
	.help = "Gives the locked size back to whoever locked it.  CAP_IPC_LOCK, the\n"
		"owner or the creator only.  Unlocking an unlocked segment does nothing.\n",
	.main = sdt_unlock_main,
};
