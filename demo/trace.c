// SPDX-License-Identifier: GPL-2.0
/*
 * The module's tracepoints (shmdemo:*) as evidence: enable them around a
 * step, in a private tracefs instance, then keep the lines of one segment.
 * Needs root and tracefs with the module loaded; otherwise the demos say
 * so and go on.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"
#include "tracefs.h"

/*
 * The tool's tracefs layer (tracefs.c): a private instance, so the demo
 * never clears or toggles anyone else's trace buffer or events.
 */
static struct sdt_tracefs demo_tracefs;
static bool demo_tracing;

int demo_trace_start(void)
{
	demo_tracing = false;
	if (geteuid() || sdt_tracefs_open(&demo_tracefs))
		return 0;
	if (sdt_tracefs_write(&demo_tracefs, "events/shmdemo/enable", "1")) {
		sdt_tracefs_close(&demo_tracefs);
		return 0;
	}
	demo_tracing = true;
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
	char idstr[32], *buf, *line, *save = NULL;
	int n = 0;

	if (!demo_tracing)
		return -1;
	demo_tracing = false;
	sdt_tracefs_write(&demo_tracefs, "events/shmdemo/enable", "0");
	if (sdt_tracefs_read(&demo_tracefs, "trace", &buf)) {
		sdt_tracefs_close(&demo_tracefs);
		return -1;
	}
	snprintf(idstr, sizeof(idstr), " id=%d ", id);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || !strstr(line, "shmdemo_") || !strstr(line, idstr))
			continue;
		if (must && !strstr(line, must))
			continue;
		if (n < max)
			demo_trace_trim(line, lines[n], sizeof(lines[n]));
		n++;
	}
	free(buf);
	sdt_tracefs_close(&demo_tracefs);
	return n;
}
