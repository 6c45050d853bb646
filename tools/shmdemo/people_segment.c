// SPDX-License-Identifier: GPL-2.0
/*
 * The article's records and the segment access shared by write-people and
 * read-people: the command line "ID|--key K [N]", attach, size check,
 * detach.
 */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "people_segment.h"

static int sdt_people_args(const struct sdt_cmd *cmd, int argc, char **argv,
			   struct sdt_target *t, unsigned int *n)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v = SDT_PEOPLE_DEFAULT;
	int opt;

	memset(t, 0, sizeof(*t));
	while ((opt = getopt_long(argc, argv, ":k:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			t->by_key = true;
			if (sdt_parse_key(optarg, &t->key))
				return sdt_usage_err(cmd, "bad key '%s'", optarg);
			break;
		case 'h':
			sdt_usage(cmd, stdout, true);
			return -1;
		default:
			return sdt_opt_err(cmd, argv, opt);
		}
	}
	if (!t->by_key) {
		if (optind >= argc)
			return sdt_usage_err(cmd, "expected a segment id or --key");
		if (sdt_parse_id(argv[optind], &t->id))
			return sdt_usage_err(cmd, "bad segment id '%s'", argv[optind]);
		optind++;
	}
	if (optind < argc && sdt_parse_uint(argv[optind++], SDT_PEOPLE_MAX, &v))
		return sdt_usage_err(cmd, "bad record count '%s' (at most %d)", argv[optind - 1],
				     SDT_PEOPLE_MAX);
	if (optind < argc)
		return sdt_usage_err(cmd, "unexpected argument '%s'", argv[optind]);
	*n = (unsigned int)v;
	return SDT_EXIT_OK;
}

int sdt_people_setup(const struct sdt_cmd *cmd, int argc, char **argv, bool rdonly,
		     struct shmd_seg **segp, void **addrp, unsigned int *n)
{
	struct sdt_target t;
	struct shmd_seg *seg;
	char name[64];
	uint64_t size;
	int ret;

	ret = sdt_people_args(cmd, argc, argv, &t, n);
	if (ret)
		return ret;
	if (!sdt_device_ready(cmd->name))
		return SDT_EXIT_FAIL;
	sdt_target_name(&t, name, sizeof(name));
	ret = sdt_target_open(&t, &seg);
	if (ret) {
		sdt_seg_err(ret, cmd->name, &t);
		return SDT_EXIT_FAIL;
	}
	/* Check before attaching (the size is known when the caller may read it)... */
	size = shmd_seg_size(seg);
	if (size && (uint64_t)*n * sizeof(struct people) > size)
		goto too_small;
	ret = shmd_attach(seg, NULL, rdonly ? SHMD_RDONLY : 0, addrp);
	if (ret) {
		sdt_seg_err(ret, cmd->name, &t);
		shmd_seg_close(seg);
		return SDT_EXIT_FAIL;
	}
	/* ...and again with the size the attach saw (a resize in between). */
	size = shmd_seg_size(seg);
	if ((uint64_t)*n * sizeof(struct people) > size) {
		shmd_detach(*addrp);
		goto too_small;
	}
	*segp = seg;
	return SDT_EXIT_OK;
too_small:
	sdt_msg("%s: %s: %u records need %zu bytes, the segment has %" PRIu64, cmd->name,
		name, *n, *n * sizeof(struct people), size);
	shmd_seg_close(seg);
	return SDT_EXIT_FAIL;
}

int sdt_people_done(const struct sdt_cmd *cmd, struct shmd_seg *seg, void *addr, int status)
{
	int ret = shmd_detach(addr);

	if (ret) {
		sdt_err(ret, "%s: detach", cmd->name);
		status = SDT_EXIT_FAIL;
	}
	shmd_seg_close(seg);
	return status;
}
