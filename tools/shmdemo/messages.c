// SPDX-License-Identifier: GPL-2.0
/*
 * Messages on stderr: "shmdemo: <what>: <strerror>" for failures, and the
 * usage text of a command for command-line errors.
 */
#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "tool.h"

void sdt_err(int errnum, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("shmdemo: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(errnum < 0 ? -errnum : errnum));
}

void sdt_msg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("shmdemo: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void sdt_usage(const struct sdt_cmd *cmd, FILE *f, bool full)
{
	fprintf(f, "usage: shmdemo %s%s%s\n", cmd->name, *cmd->args ? " " : "", cmd->args);
	if (!full)
		return;
	fprintf(f, "%s\n", cmd->summary);
	if (cmd->help)
		fprintf(f, "\n%s", cmd->help);
	fprintf(f, "\nexit status: %s\n",
		cmd->exit_status ? cmd->exit_status : "0 ok, 1 the operation failed, 2 usage error");
}

int sdt_usage_err(const struct sdt_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "shmdemo: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	sdt_usage(cmd, stderr, false);
	fprintf(stderr, "(shmdemo %s --help for more)\n", cmd->name);
	return SDT_EXIT_USAGE;
}

/*
 * getopt reads "-1" as option '1': when the unknown option is a digit, the
 * word was a negative number given as a value (id, size, page, count).
 */
static int sdt_negative_err(const struct sdt_cmd *cmd, char **argv)
{
	const char *word = NULL;
	int i;

	for (i = 1; argv[i] && !word; i++)
		if (argv[i][0] == '-' && argv[i][1] == optopt)
			word = argv[i];
	return sdt_usage_err(cmd, "'%s': negative numbers are not accepted here (segment ids, "
			     "sizes, page numbers and counts are 0 or more)", word ? word : "-");
}

int sdt_opt_err(const struct sdt_cmd *cmd, char **argv, int opt)
{
	const char *arg = optind > 0 ? argv[optind - 1] : NULL;
	int len;

	if (opt == '?' && optopt >= '0' && optopt <= '9')
		return sdt_negative_err(cmd, argv);
	/* A long option names itself (up to any "=value"); a short one by optopt. */
	if (arg && arg[0] == '-' && arg[1] == '-') {
		len = (int)strcspn(arg, "=");
		if (opt == ':')
			return sdt_usage_err(cmd, "option '%.*s' needs an argument", len, arg);
		return sdt_usage_err(cmd, "unknown option '%.*s'", len, arg);
	}
	if (opt == ':')
		return sdt_usage_err(cmd, "option '-%c' needs an argument", optopt);
	return sdt_usage_err(cmd, "unknown option '-%c'", optopt);
}
