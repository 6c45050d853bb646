// SPDX-License-Identifier: GPL-2.0
/*
 * The module's tracepoints (shmdemo:*) as evidence: enable them around a
 * step, then keep the lines of one segment.  Needs root and a mounted
 * tracefs with the module loaded; otherwise the demos say so and go on.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"

static const char *const demo_tracefs_dirs[] = {
	"/sys/kernel/tracing/", "/sys/kernel/debug/tracing/",
};

static const char *demo_tracefs;

static int demo_trace_write(const char *file, const char *s)
{
	char path[256];
	ssize_t len = (ssize_t)strlen(s);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s%s", demo_tracefs, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, s, (size_t)len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

int demo_trace_start(void)
{
	char path[256];
	size_t i;

	demo_tracefs = NULL;
	if (geteuid())
		return 0;
	for (i = 0; i < sizeof(demo_tracefs_dirs) / sizeof(demo_tracefs_dirs[0]); i++) {
		snprintf(path, sizeof(path), "%sevents/shmdemo/enable", demo_tracefs_dirs[i]);
		if (!access(path, W_OK)) {
			demo_tracefs = demo_tracefs_dirs[i];
			break;
		}
	}
	if (!demo_tracefs)
		return 0;
	if (demo_trace_write("trace", "") || demo_trace_write("events/shmdemo/enable", "1")) {
		demo_tracefs = NULL;
		return 0;
	}
	return 1;
}

/*
 * Keep the part of a trace line from the event name on, prefixed with the
 * task: "  reader-123  [001] ..... 5.1: shmdemo_fault: id=..." becomes
 * "reader-123 shmdemo_fault: id=...".
 */
static void demo_trace_trim(const char *line, char *out, size_t len)
{
	const char *ev = strstr(line, "shmdemo_");
	const char *task = line + strspn(line, " ");
	size_t tlen = strcspn(task, " ");

	snprintf(out, len, "%.*s %s", (int)tlen, task, ev);
	out[strcspn(out, "\n")] = '\0';
}

int demo_trace_stop(int id, const char *must, char (*lines)[200], int max)
{
	char path[256], idstr[32], line[512];
	int n = 0;
	FILE *f;

	if (!demo_tracefs)
		return -1;
	demo_trace_write("events/shmdemo/enable", "0");
	snprintf(path, sizeof(path), "%strace", demo_tracefs);
	snprintf(idstr, sizeof(idstr), " id=%d ", id);
	f = fopen(path, "re");
	demo_tracefs = NULL;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || !strstr(line, "shmdemo_") || !strstr(line, idstr))
			continue;
		if (must && !strstr(line, must))
			continue;
		if (n < max)
			demo_trace_trim(line, lines[n], sizeof(lines[n]));
		n++;
	}
	fclose(f);
	return n;
}
