// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo create [--key K] [--size BYTES] [--mode MODE] [--excl]: find or
 * create a segment, like shmget(key, size, IPC_CREAT | mode), and print
 * its id.
 */
#include <getopt.h>

#include "tool.h"

static int sdt_create_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "size", required_argument, NULL, 's' },
		{ "mode", required_argument, NULL, 'm' },
		{ "excl", no_argument, NULL, 'x' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct shmd_open_opts o = {
		.sz = sizeof(o), .backend = SHMD_BACKEND_DEVICE, .key = SHMD_KEY_PRIVATE,
		.flags = SHMD_CREATE, .mode = 0644,
	};
	struct sdt_target t = { .by_key = true };
	struct shmd_seg *seg;
	uint64_t pg;
	int ret, opt;

	o.size = 0;	/* one page, or the file's size */
	while ((opt = getopt_long(argc, argv, ":k:s:m:xf:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			if (sdt_parse_key(optarg, &o.key))
				return sdt_usage_err(&sdt_cmd_create, "bad key '%s'", optarg);
			break;
		case 's':
			if (sdt_parse_size(optarg, &o.size) || !o.size)
				return sdt_usage_err(&sdt_cmd_create, "bad size '%s'", optarg);
			break;
		case 'm':
			if (sdt_parse_mode(optarg, &o.mode))
				return sdt_usage_err(&sdt_cmd_create,
						     "bad mode '%s' (octal, at most 0777)", optarg);
			break;
		case 'x':
			o.flags |= SHMD_EXCL;
			break;
		case 'f':
			o.path = optarg;
			break;
		case 'h':
			sdt_usage(&sdt_cmd_create, stdout, true);
			return SDT_EXIT_OK;
		default:
			return sdt_opt_err(&sdt_cmd_create, argv, opt);
		}
	}
	if (optind != argc)
		return sdt_usage_err(&sdt_cmd_create, "unexpected argument '%s'", argv[optind]);
	if (!o.size && !o.path)
		o.size = (uint64_t)sdt_page_size();

	if (!sdt_device_ready("create"))
		return SDT_EXIT_FAIL;
	ret = shmd_seg_open(&o, &seg);
	if (ret) {
		pg = (uint64_t)sdt_page_size();
		t.key = o.key;
		sdt_size_err(ret, "create", &t, o.size, (o.size + pg - 1) / pg);
		return SDT_EXIT_FAIL;
	}
	printf("%d\n", shmd_seg_id(seg));
	shmd_seg_close(seg);
	return SDT_EXIT_OK;
}

const struct sdt_cmd sdt_cmd_create = {
	.name = "create",
	.args = "[--key K] [--size BYTES] [--mode MODE] [--excl] [--file PATH]",
	.summary = "find or create a segment (like shmget with IPC_CREAT) and print its id",
	.help = "  --key K        key: decimal, 0x hex, 0 octal (010 is 8), negative\n"
		"                 (-1 is 0xffffffff), or 'private' (default: private,\n"
		"                 always a new segment)\n"
		"  --size BYTES   size; suffixes k/K (KiB), m/M (MiB), g/G (GiB), p (pages);\n"
		"                 default one page.  An existing key's segment must be at\n"
		"                 least this big\n"
		"  --mode MODE    octal permission bits of a new segment (default 0644)\n"
		"  --excl         fail if the key exists (IPC_EXCL)\n"
		"  --file PATH    back the new segment by this regular file: pages are read\n"
		"                 from it on first access and dirty ones written back\n"
		"                 (sync, msync, removal); --size defaults to the file's\n"
		"                 size and may not exceed it; a file you may only read\n"
		"                 makes a read-only segment\n",
	.main = sdt_create_main,
};
