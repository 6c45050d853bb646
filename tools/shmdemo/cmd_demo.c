// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo demo ...: the article's experiments, native mechanism and
 * /dev/shmdemo side by side.  The experiments live in demo*.c (built in by
 * the Makefile's wildcard) behind shmdemo_demo_main() in demo.h; until that
 * header exists this command only says so.
 */
#include <string.h>

#include "tool.h"

#if defined(__has_include)
#if __has_include("demo.h")
#include "demo.h"
#define SDT_HAVE_DEMO 1
#endif
#endif

static int sdt_demo_main(int argc, char **argv)
{
#ifdef SDT_HAVE_DEMO
	return shmdemo_demo_main(argc, argv);
#else
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		sdt_usage(&sdt_cmd_demo, stdout, true);
		printf("(not built yet)\n");
		return SDT_EXIT_OK;
	}
	sdt_msg("demo: not built yet");
	return SDT_EXIT_USAGE;
#endif
}

const struct sdt_cmd sdt_cmd_demo = {
	.name = "demo",
	.args = "[ARGS...]",
	.summary = "run the article's experiments (native vs /dev/shmdemo) with verdicts",
	.help = "Arguments go to the demo unchanged (argv[0] is \"demo\"); `shmdemo demo\n"
		"--help` shows its own help once the demo is built.\n",
	.main = sdt_demo_main,
};
