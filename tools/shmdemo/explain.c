// SPDX-License-Identifier: GPL-2.0
/*
 * What an error means here.  The errno stays what the device returned (the
 * same as SysV's, for the same mistake); the message adds what it means for
 * this command: "no such segment" for an id the device doesn't know, which
 * limit a size or a new segment ran into, and - once, before anything else
 * - that /dev/shmdemo is missing because the module is not loaded.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

#define SDT_PARAMS	"/sys/module/shmdemo/parameters/"

bool sdt_device_ready(const char *cmd)
{
	if (access(SHMDEMO_DEVICE, F_OK) == 0)
		return true;
	if (errno != ENOENT) {
		sdt_err(errno, "%s: %s", cmd, SHMDEMO_DEVICE);
		return false;
	}
	fflush(stdout);
	fprintf(stderr,
		"shmdemo: %s: " SHMDEMO_DEVICE " does not exist: the shmdemo module is not loaded.\n"
		"  Load it (as root) on a machine that can load modules:\n"
		"    modprobe shmdemo              (installed with make modules_install or DKMS)\n"
		"    insmod build/shmdemo.ko       (in the source tree, after make)\n"
		"  or run the command in the project's test VM, from the source tree:\n"
		"    tools/vm/run -- build/tools/shmdemo/shmdemo %s ...\n", cmd, cmd);
	return false;
}

int sdt_dev_open(const char *cmd)
{
	int fd;

	if (!sdt_device_ready(cmd))
		return -1;
	fd = shmdemo_dev_open_best();
	if (fd == -EACCES)
		sdt_msg("%s: " SHMDEMO_DEVICE ": permission denied (its mode is the module's "
			"dev_mode parameter)", cmd);
	else if (fd < 0)
		sdt_err(fd, "%s: %s", cmd, SHMDEMO_DEVICE);
	return fd < 0 ? -1 : fd;
}

/* What @err means for a request that names a segment, or NULL for plain strerror. */
static const char *sdt_seg_meaning(int err, bool by_key)
{
	switch (err) {
	case -EINVAL:
		/* By key, only a find-or-create asks for a size. */
		return by_key ? "the key's segment is smaller than the size asked for" :
				"no such segment";
	case -ENOENT:
		return by_key ? "no segment has this key" : NULL;
	case -EIDRM:
		return "removed (its last mapping keeps it alive; it can't be attached again)";
	case -EACCES:
		return "permission denied by the segment's mode";
	case -EPERM:
		return "only the owner, the creator or CAP_SYS_ADMIN may do this";
	case -EEXIST:
		return "a segment with this key exists (--excl)";
	default:
		return NULL;
	}
}

void sdt_seg_err(int err, const char *cmd, const struct sdt_target *t)
{
	const char *meaning = sdt_seg_meaning(err < 0 ? err : -err, t->by_key);
	char name[64];

	sdt_target_name(t, name, sizeof(name));
	if (meaning)
		sdt_msg("%s: %s: %s (%s)", cmd, name, meaning, strerror(err < 0 ? -err : err));
	else
		sdt_err(err, "%s: %s", cmd, name);
}

/*
 * ENOSPC or EINVAL for a size: name the limit from SHMDEMO_IOC_INFO.
 * @pages: what the request adds (a new segment's pages, or a resize's
 * growth); 0 when unknown.  Returns true when it said something.
 */
static bool sdt_limit_meaning(int err, uint64_t bytes, uint64_t pages, char *buf, size_t len)
{
	struct shmdemo_info info;
	int fd = shmdemo_dev_open_best();

	if (fd < 0)
		return false;
	err = shmdemo_dev_info(fd, &info) ? 0 : err;
	close(fd);
	if (err == -EINVAL && bytes > info.max_seg_bytes) {
		snprintf(buf, len, "%" PRIu64 " bytes is over the module's max_seg_bytes, %"
			 PRIu64 " (" SDT_PARAMS "max_seg_bytes)", bytes, (uint64_t)info.max_seg_bytes);
		return true;
	}
	if (err != -ENOSPC)
		return false;
	if (info.segments >= info.max_segments)
		snprintf(buf, len, "%u segments exist, the module's max_segments (" SDT_PARAMS
			 "max_segments); removed ones count until their last detach", info.segments);
	else if (info.total_pages + pages > info.max_total_pages)
		snprintf(buf, len, "all segments together would pass the module's max_total_pages, %"
			 PRIu64 " pages (%" PRIu64 " in use; " SDT_PARAMS "max_total_pages)",
			 (uint64_t)info.max_total_pages, (uint64_t)info.total_pages);
	else
		snprintf(buf, len, "your segments' resident pages plus %" PRIu64 " would pass the "
			 "per-user max_user_pages, %" PRIu64 " (you have %" PRIu64 "; " SDT_PARAMS
			 "max_user_pages; CAP_IPC_LOCK is exempt)", pages,
			 (uint64_t)info.max_user_pages, (uint64_t)info.user_pages);
	return true;
}

void sdt_size_err(int err, const char *cmd, const struct sdt_target *t, uint64_t bytes,
		  uint64_t pages)
{
	char meaning[320], name[64];

	if (!sdt_limit_meaning(err < 0 ? err : -err, bytes, pages, meaning, sizeof(meaning))) {
		sdt_seg_err(err, cmd, t);
		return;
	}
	sdt_msg("%s: %s: %s (%s)", cmd, sdt_target_name(t, name, sizeof(name)), meaning,
		strerror(err < 0 ? -err : err));
}
