// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo-demo [--json] [ROW...]: the article's experiments, each run
 * natively and on /dev/shmdemo, printed as a report per row and a final
 * table (or as JSON Lines: one object per row).  Rows are in e*.c and c*.c,
 * the driver in driver.c; main.c only calls demo_main() (the test calls it
 * in-process).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

static void demo_usage(FILE *f, int full)
{
	const struct demo_row *row;
	size_t i;

	fprintf(f, "usage: shmdemo-demo [--json] [--disk DIR] [ROW...]\n");
	if (!full) {
		fprintf(f, "(shmdemo-demo --help lists the rows)\n");
		return;
	}
	fprintf(f, "The experiments and claims of the classic article on Linux shared memory,\n"
		   "each run natively and on " SHMDEMO_DEVICE " side by side, with the kernel's\n"
		   "evidence and a verdict: reproduced, or differs on this kernel, because ...\n"
		   "\n"
		   "  --json      JSON Lines: one object per row, each on one line (no report)\n"
		   "  --disk DIR  a directory on a disk file system such as ext4, for E1's\n"
		   "              writeback case (default: $SHMDEMO_DISK; make demo gives one)\n"
		   "  -h, --help  this help\n"
		   "\n"
		   "ROW (any case; default: all, in this order):\n");
	for (i = 0; (row = demo_row_at(i)); i++)
		fprintf(f, "  %-3s %s\n", row->name, row->title);
	fprintf(f, "PFNs, tracepoints and C3's memory cgroup need root; C3's swap needs a swap\n"
		   "device and E1/C3 a disk file system (--disk): make demo gives both.\n"
		   "\n"
		   "Exit status: 0 every row ran on both sides, 1 a row could not run or failed\n"
		   "(without " SHMDEMO_DEVICE " every device side is skipped), 2 usage error.\n"
		   "Verdicts don't change it.  See shmdemo-demo(1).\n");
}

int demo_main(int argc, char **argv)
{
	const struct demo_row *want[DEMO_MAX_ROWS];
	struct demo_result *rs;
	size_t n = 0, i;
	int json = 0, rc = 0, a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--json")) {
			json = 1;
		} else if (!strcmp(argv[a], "--disk")) {
			if (a + 1 == argc || !argv[a + 1][0]) {
				fprintf(stderr, "shmdemo-demo: --disk needs a directory\n");
				demo_usage(stderr, 0);
				return 2;
			}
			demo_set_disk(argv[++a]);
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			demo_usage(stdout, 1);
			return 0;
		} else if (argv[a][0] == '-' || !demo_find_row(argv[a])) {
			fprintf(stderr, "shmdemo-demo: unknown %s '%s'\n",
				argv[a][0] == '-' ? "option" : "row", argv[a]);
			demo_usage(stderr, 0);
			return 2;
		} else if (n == DEMO_MAX_ROWS) {
			fprintf(stderr, "shmdemo-demo: at most %d rows per run\n", DEMO_MAX_ROWS);
			demo_usage(stderr, 0);
			return 2;
		} else {
			want[n++] = demo_find_row(argv[a]);
		}
	}
	if (!n)
		for (n = 0; demo_row_at(n); n++)
			want[n] = demo_row_at(n);
	rs = calloc(n, sizeof(*rs));
	if (!rs) {
		fprintf(stderr, "shmdemo-demo: out of memory\n");
		return 1;
	}
	/*
	 * Once, up front: each row's device side then says only "not run"
	 * (in JSON each row has its sides' states and reasons).
	 */
	if (!json && !demo_dev_present())
		fprintf(stderr, "shmdemo-demo: " SHMDEMO_DEVICE " does not exist: the shmdemo module "
			"is not loaded, so only the native sides run (exit status 1).\n"
			"  Load it (as root: modprobe shmdemo, or insmod build/shmdemo.ko in the\n"
			"  source tree), or run everything in the test VM: make demo\n");
	for (i = 0; i < n; i++) {
		if (!json) {
			demo_print_heading(stdout, want[i]);
			fflush(stdout);
		}
		if (demo_run_row(want[i]->name, DEMO_SIDES_ALL, &rs[i]))
			rc = 1;
		if (json)
			demo_print_json(stdout, &rs[i]);
		else
			demo_print_row(stdout, &rs[i]);
		fflush(stdout);
	}
	if (!json)
		demo_print_table(stdout, rs, n);
	for (i = 0; i < n; i++)
		demo_result_release(&rs[i]);
	free(rs);
	return rc;
}
