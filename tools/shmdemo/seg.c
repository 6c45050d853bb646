// SPDX-License-Identifier: GPL-2.0
/*
 * The segment a command line names - "ID" or "--key K" - as a library
 * handle.
 */
#include <errno.h>

#include "tool.h"

const char *sdt_target_name(const struct sdt_target *t, char *buf, size_t len)
{
	if (t->by_key)
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
