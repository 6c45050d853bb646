// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo - look at and drive /dev/shmdemo segments: list, stat, create,
 * remove, resize, lock, attach and touch pages, the article's records, the
 * residency map, and a tracer for the faults a command causes.
 *
 *   shmdemo COMMAND [OPTIONS] [ARGS]     shmdemo help [COMMAND]
 *
 * This file only dispatches; each command lives in its own cmd_*.c.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "tool.h"

static const struct sdt_cmd *const sdt_cmds[] = {
	&sdt_cmd_ls,
	&sdt_cmd_stat,
	&sdt_cmd_create,
	&sdt_cmd_rm,
	&sdt_cmd_resize,
	&sdt_cmd_lock,
	&sdt_cmd_unlock,
	&sdt_cmd_attach,
	&sdt_cmd_write_people,
	&sdt_cmd_read_people,
	&sdt_cmd_map,
	&sdt_cmd_trace,
};

static void sdt_main_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: shmdemo COMMAND [OPTIONS] [ARGS]\n"
		   "       shmdemo help [COMMAND]    shmdemo COMMAND --help\n\n"
		   "System V style shared memory segments on " SHMDEMO_DEVICE ".\n\n"
		   "commands:\n");
	for (i = 0; i < SDT_ARRAY_SIZE(sdt_cmds); i++)
		fprintf(f, "  %-13s %s\n", sdt_cmds[i]->name, sdt_cmds[i]->summary);
	fprintf(f, "\nexit status: 0 ok, 1 the operation failed, 2 usage error\n"
		   "(trace: the traced command's status).  See shmdemo(1).\n");
}

static const struct sdt_cmd *sdt_find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < SDT_ARRAY_SIZE(sdt_cmds); i++)
		if (!strcmp(sdt_cmds[i]->name, name))
			return sdt_cmds[i];
	return NULL;
}

static int sdt_help(int argc, char **argv)
{
	const struct sdt_cmd *cmd;

	if (argc < 2) {
		sdt_main_usage(stdout);
		return SDT_EXIT_OK;
	}
	cmd = sdt_find_cmd(argv[1]);
	if (!cmd || argc > 2) {
		sdt_msg("help: unknown command '%s'", argv[1]);
		sdt_main_usage(stderr);
		return SDT_EXIT_USAGE;
	}
	sdt_usage(cmd, stdout, true);
	return SDT_EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct sdt_cmd *cmd;
	int ret;

	if (argc < 2) {
		sdt_main_usage(stderr);
		return SDT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return sdt_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version")) {
		printf("shmdemo %d.%d (libshmdemo API)\n", SHMD_VERSION_MAJOR, SHMD_VERSION_MINOR);
		return SDT_EXIT_OK;
	}
	cmd = sdt_find_cmd(argv[1]);
	if (!cmd && !strcmp(argv[1], "demo")) {
		sdt_msg("the article's experiments are their own program: shmdemo-demo "
			"(build/demo/shmdemo-demo in the source tree; make demo runs it in the VM)");
		return SDT_EXIT_USAGE;
	}
	if (!cmd) {
		sdt_msg("unknown command '%s'", argv[1]);
		sdt_main_usage(stderr);
		return SDT_EXIT_USAGE;
	}
	optind = 0;	/* GNU getopt: full reinitialisation for the subcommand */
	opterr = 0;	/* the commands print their own option errors */
	ret = cmd->main(argc - 1, argv + 1);
	if (fflush(stdout) == EOF && ret == SDT_EXIT_OK) {
		sdt_err(errno, "stdout");
		ret = SDT_EXIT_FAIL;
	}
	return ret;
}
