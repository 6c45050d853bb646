/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmdemo trace: tracefs access, parsing the shmdemo:* events out of the
 * `trace` file, and the report.
 */
#ifndef SHMDEMO_TOOL_TRACE_H
#define SHMDEMO_TOOL_TRACE_H

#include "tool.h"

/* One shmdemo:* event as the `trace` file prints it (kmod/shmdemo_trace.h). */
struct sdt_trace_ev {
	int pid;
	char comm[17];
	char event[24];		/* without the "shmdemo_" prefix: fault, map_pages, ... */
	int id;			/* -1 if the event has none */
	long long pgoff;	/* -1 if the event has none */
	char access[8];		/* read, write, cow, or "-" */
	char page[8];		/* new, cached, or "-" */
	char result[40];	/* VM_FAULT_* names, "0" for none, "-" if not a fault */
	long long latency_ns;	/* -1 if the event has none */
	char note[96];		/* the other fields, key=value */
};

/* trace_parse.c: 0 and @ev filled for a shmdemo:* line, -1 for any other line */
int sdt_trace_parse_line(const char *line, struct sdt_trace_ev *ev);
/* "# entries-in-buffer/entries-written: B/W": events lost, or 0. */
unsigned long long sdt_trace_lost(const char *line);

/* trace_report.c: the table and the summary */
void sdt_trace_report(FILE *f, const struct sdt_trace_ev *evs, size_t n);

/**
 * struct sdt_tracefs - where the events are collected
 * @root:	the tracefs mount (/sys/kernel/tracing or .../debug/tracing)
 * @dir:	@root/instances/NAME (our own buffer), or @root if instances
 *		are unavailable
 * @instance:	@dir is an instance that sdt_tracefs_close() removes
 * @pid_filter:	set_event_pid and options/event-fork were set (at the top
 *		level, sdt_tracefs_close() resets them)
 */
struct sdt_tracefs {
	char root[128];
	char dir[256];
	bool instance;
	bool pid_filter;
};

/* tracefs.c */
/* Find (or, as root, mount) tracefs and make a private instance; -errno. */
int sdt_tracefs_open(struct sdt_tracefs *t);
void sdt_tracefs_close(struct sdt_tracefs *t);
/* Write @val to @dir/@file (truncating: an empty @val clears); -errno. */
int sdt_tracefs_write(const struct sdt_tracefs *t, const char *file, const char *val);
/* Read @dir/@file whole, NUL-terminated, malloc()ed; -errno. */
int sdt_tracefs_read(const struct sdt_tracefs *t, const char *file, char **bufp);

#endif /* SHMDEMO_TOOL_TRACE_H */
