// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo rm ID... | rm --key K... | rm --all: remove segments, like
 * ipcrm -m / -M / --all.  The key is free at once; the memory lives until
 * the last detach.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "tool.h"

/* @listed: the id came from the list, so -EINVAL means it went meanwhile. */
static int sdt_rm_one(const struct sdt_target *t, bool listed)
{
	struct shmd_seg *seg;
	int ret;

	ret = sdt_target_open(t, &seg);
	if (!ret) {
		ret = shmd_remove(seg);
		shmd_seg_close(seg);
	}
	if (ret == -EINVAL && listed)
		return SDT_EXIT_OK;
	if (ret) {
		sdt_seg_err(ret, "rm", t);
		return SDT_EXIT_FAIL;
	}
	return SDT_EXIT_OK;
}

/*
 * Every segment the list shows: those the caller may not remove are
 * reported one by one, after trying them all.
 */
static int sdt_rm_all(void)
{
	int *ids, n, i, ret, status = SDT_EXIT_OK;

	ret = sdt_list_ids(&ids, &n);
	if (ret) {
		sdt_err(ret, "rm: list");
		return SDT_EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		struct sdt_target t = { .id = ids[i] };

		if (sdt_rm_one(&t, true) != SDT_EXIT_OK)
			status = SDT_EXIT_FAIL;
	}
	free(ids);
	return status;
}

static int sdt_rm_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sdt_target *t;
	int n = 0, i, opt, status = SDT_EXIT_OK;
	bool all = false;

	t = calloc((size_t)argc, sizeof(*t));
	if (!t) {
		sdt_err(ENOMEM, "rm");
		return SDT_EXIT_FAIL;
	}
	while ((opt = getopt_long(argc, argv, ":k:ah", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			t[n].by_key = true;
			if (sdt_parse_key(optarg, &t[n++].key)) {
				free(t);
				return sdt_usage_err(&sdt_cmd_rm, "bad key '%s'", optarg);
			}
			break;
		case 'a':
			all = true;
			break;
		case 'h':
			free(t);
			sdt_usage(&sdt_cmd_rm, stdout, true);
			return SDT_EXIT_OK;
		default:
			free(t);
			return sdt_opt_err(&sdt_cmd_rm, argv, opt);
		}
	}
	for (i = optind; i < argc; i++) {
		if (sdt_parse_id(argv[i], &t[n++].id)) {
			free(t);
			return sdt_usage_err(&sdt_cmd_rm, "bad segment id '%s'", argv[i]);
		}
	}
	if (all && n) {
		free(t);
		return sdt_usage_err(&sdt_cmd_rm, "--all takes no segment id or --key");
	}
	if (!all && !n) {
		free(t);
		return sdt_usage_err(&sdt_cmd_rm, "expected a segment id, --key or --all");
	}
	if (!sdt_device_ready("rm")) {
		free(t);
		return SDT_EXIT_FAIL;
	}
	if (all) {
		free(t);
		return sdt_rm_all();
	}
	for (i = 0; i < n; i++)
		if (sdt_rm_one(&t[i], false) != SDT_EXIT_OK)
			status = SDT_EXIT_FAIL;
	free(t);
	return status;
}

const struct sdt_cmd sdt_cmd_rm = {
	.name = "rm",
	.args = "ID... | --key K... | --all",
	.summary = "remove segments (like ipcrm); memory lives while still attached",
	.help = "  ID        a segment id (several may be given)\n"
		"  --key K   the segment with key K (decimal, 0x hex, 0 octal; may repeat)\n"
		"  --all     every segment (like ipcrm --all): each one you may not remove\n"
		"            is reported, and the status is 1 after trying them all\n"
		"Needs to be the owner, the creator or CAP_SYS_ADMIN.  Prints nothing\n"
		"on success.\n",
	.main = sdt_rm_main,
};
