// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs: find it (or mount it, as root), and collect events in a private
 * instance (instances/shmdemo-tool.PID) so that tracing by others - and
 * the global buffer - are left alone.  Without instance support the top
 * level is used and cleaned up after.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracefs.h"

#define SDT_TRACEFS_NROOTS	(sizeof(sdt_tracefs_roots) / sizeof(sdt_tracefs_roots[0]))

static const char *const sdt_tracefs_roots[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

static bool sdt_tracefs_is_root(const char *root)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/events", root);
	return access(path, F_OK) == 0;
}

static int sdt_tracefs_find(struct sdt_tracefs *t)
{
	size_t i;

	for (i = 0; i < SDT_TRACEFS_NROOTS; i++) {
		if (sdt_tracefs_is_root(sdt_tracefs_roots[i])) {
			snprintf(t->root, sizeof(t->root), "%s", sdt_tracefs_roots[i]);
			return 0;
		}
	}
	/* Not mounted: mount it where it belongs. */
	if (mount("nodev", sdt_tracefs_roots[0], "tracefs", 0, NULL))
		return -errno;
	snprintf(t->root, sizeof(t->root), "%s", sdt_tracefs_roots[0]);
	return sdt_tracefs_is_root(t->root) ? 0 : -ENOENT;
}

int sdt_tracefs_open(struct sdt_tracefs *t)
{
	int ret;

	memset(t, 0, sizeof(*t));
	ret = sdt_tracefs_find(t);
	if (ret)
		return ret;
	snprintf(t->dir, sizeof(t->dir), "%s/instances/shmdemo-tool.%d", t->root, (int)getpid());
	if (mkdir(t->dir, 0700) == 0) {
		t->instance = true;
		return 0;
	}
	snprintf(t->dir, sizeof(t->dir), "%s", t->root);
	return 0;
}

int sdt_tracefs_close(struct sdt_tracefs *t)
{
	int ret, ret2;

	if (t->instance)
		return rmdir(t->dir) ? -errno : 0;
	if (!t->pid_filter)
		return 0;
	ret = sdt_tracefs_write(t, "set_event_pid", "");
	ret2 = sdt_tracefs_write(t, "options/event-fork", "0");
	return ret ? ret : ret2;
}

int sdt_tracefs_write(const struct sdt_tracefs *t, const char *file, const char *val)
{
	char path[384];
	size_t len = strlen(val);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", t->dir, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (len && write(fd, val, len) != (ssize_t)len)
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int sdt_tracefs_read(const struct sdt_tracefs *t, const char *file, char **bufp)
{
	size_t len = 0, cap = 1 << 16;
	char path[384], *buf, *nbuf;
	ssize_t n;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", t->dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (cap - len < 4096) {
			nbuf = realloc(buf, cap * 2);
			if (!nbuf) {
				ret = -ENOMEM;
				goto out_free;
			}
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out_free;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*bufp = buf;
	return 0;
out_free:
	free(buf);
	close(fd);
	return ret;
}
