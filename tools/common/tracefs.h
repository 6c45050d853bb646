/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one tracefs layer, shared by the shmdemo tool (`shmdemo trace`) and
 * the demo: find or mount tracefs, collect the shmdemo:* events in a
 * private instance (nobody else's buffer or event switches are touched),
 * and parse the lines of its `trace` file.  Nothing here prints.
 */
#ifndef SHMDEMO_TRACEFS_H
#define SHMDEMO_TRACEFS_H

#include <stdbool.h>

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

/* Find (or, as root, mount) tracefs and make a private instance; -errno. */
int sdt_tracefs_open(struct sdt_tracefs *t);
/* Remove the instance, or reset what was set at the top level; -errno. */
int sdt_tracefs_close(struct sdt_tracefs *t);
/* Write @val to @dir/@file (truncating: an empty @val clears); -errno. */
int sdt_tracefs_write(const struct sdt_tracefs *t, const char *file, const char *val);
/* Read @dir/@file whole, NUL-terminated, malloc()ed; -errno. */
int sdt_tracefs_read(const struct sdt_tracefs *t, const char *file, char **bufp);

/* trace_parse.c */
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

#endif /* SHMDEMO_TRACEFS_H */
