/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmdemo trace: the report of the events that tools/common/tracefs.h
 * collected and parsed.
 */
#ifndef SHMDEMO_TOOL_TRACE_H
#define SHMDEMO_TOOL_TRACE_H

#include "tool.h"
#include "tracefs.h"

/* trace_report.c: the table and the summary */
void sdt_trace_report(FILE *f, const struct sdt_trace_ev *evs, size_t n);

#endif /* SHMDEMO_TOOL_TRACE_H */
