// SPDX-License-Identifier: GPL-2.0
/*
 * The segment a command line names - "ID" or "--key K" - as a library
 * handle, and the ids of every segment (ls, rm --all).
 */
#include <errno.h>
#include <stdlib.h>

#include "tool.h"

const char *sdt_target_name(const struct sdt_target *t, char *buf, size_t len)
{
	if (t->by_key && t->key == SHMDEMO_KEY_PRIVATE)
		snprintf(buf, len, "new private segment");
	else if (t->by_key)
		snprintf(buf, len, "key 0x%08x", (unsigned int)t->key);
	else
		snprintf(buf, len, "segment %d", t->id);
	return buf;
}

/*
 * By id: -EINVAL means there is no such segment (as shmctl() says).  By
 * key: an existing segment only (no CREATE, size 0, no access asked for);
 * the private key never names one.
 */
int sdt_target_open(const struct sdt_target *t, struct shmd_seg **segp)
{
	struct shmd_open_opts o = {
		.sz = sizeof(o), .backend = SHMD_BACKEND_DEVICE, .key = t->key,
	};

	if (!t->by_key)
		return shmd_seg_open_id(SHMD_BACKEND_DEVICE, t->id, segp);
	if (t->key == SHMDEMO_KEY_PRIVATE)
		return -ENOENT;
	return shmd_seg_open(&o, segp);
}

/* The list may grow between two calls: ask again with room for what it said. */
int sdt_list_ids(int **idsp, int *np)
{
	int *ids = NULL, n, cap = 0;

	for (;;) {
		n = shmd_list(SHMD_BACKEND_DEVICE, ids, (size_t)cap);
		if (n < 0) {
			free(ids);
			return n;
		}
		if (n <= cap)
			break;
		cap = n + 16;
		free(ids);
		ids = calloc((size_t)cap, sizeof(*ids));
		if (!ids)
			return -ENOMEM;
	}
	*idsp = ids;
	*np = n;
	return 0;
}
