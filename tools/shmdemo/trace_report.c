// SPDX-License-Identifier: GPL-2.0
/*
 * The report of `shmdemo trace`: one table row per event, then counts per
 * event type, per segment (faults by kind, fault-around, mkwrite) and the
 * fault latency total and mean.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

struct sdt_seg_sum {
	int id;
	uint64_t read, write, cow, fresh, cached, around_calls, around_pages, mkwrite;
};

struct sdt_ev_count {
	const char *event;
	uint64_t n;
};

static void sdt_trace_table(FILE *f, const struct sdt_trace_ev *evs, size_t n)
{
	size_t i;

	fprintf(f, "%7s %-16s %-10s %8s %8s %-6s %-6s %-8s %10s %s\n", "pid", "comm", "event",
		"seg", "pgoff", "access", "page", "result", "latency_ns", "other");
	for (i = 0; i < n; i++) {
		const struct sdt_trace_ev *e = &evs[i];
		char seg[16] = "-", pgoff[24] = "-", lat[24] = "-";

		if (e->id >= 0)
			snprintf(seg, sizeof(seg), "%d", e->id);
		if (e->pgoff >= 0)
			snprintf(pgoff, sizeof(pgoff), "%lld", e->pgoff);
		if (e->latency_ns >= 0)
			snprintf(lat, sizeof(lat), "%lld", e->latency_ns);
		fprintf(f, "%7d %-16s %-10s %8s %8s %-6s %-6s %-8s %10s%s%s\n", e->pid, e->comm,
			e->event, seg, pgoff, e->access, e->page, e->result, lat,
			*e->note ? " " : "", e->note);
	}
}

static struct sdt_seg_sum *sdt_seg_sum_of(struct sdt_seg_sum *s, size_t *ns, int id)
{
	size_t i;

	for (i = 0; i < *ns; i++)
		if (s[i].id == id)
			return &s[i];
	memset(&s[*ns], 0, sizeof(s[*ns]));
	s[*ns].id = id;
	return &s[(*ns)++];
}

static void sdt_seg_sum_add(struct sdt_seg_sum *s, const struct sdt_trace_ev *e)
{
	const char *m;

	if (!strcmp(e->event, "fault")) {
		if (!strcmp(e->access, "cow"))
			s->cow++;
		else if (!strcmp(e->access, "write"))
			s->write++;
		else
			s->read++;
		if (!strcmp(e->page, "new"))
			s->fresh++;
		else if (!strcmp(e->page, "cached"))
			s->cached++;
	} else if (!strcmp(e->event, "map_pages")) {
		s->around_calls++;
		m = strstr(e->note, "mapped=");
		if (m && atoll(m + 7) > 0)
			s->around_pages += (uint64_t)atoll(m + 7);
	} else if (!strcmp(e->event, "mkwrite")) {
		s->mkwrite++;
	}
}

void sdt_trace_report(FILE *f, const struct sdt_trace_ev *evs, size_t n)
{
	struct sdt_ev_count counts[16];
	struct sdt_seg_sum *segs;
	uint64_t nlat = 0, total = 0;
	size_t i, j, nc = 0, ns = 0;

	sdt_trace_table(f, evs, n);
	segs = calloc(n + 1, sizeof(*segs));
	if (!segs)
		return;
	for (i = 0; i < n; i++) {
		const struct sdt_trace_ev *e = &evs[i];

		for (j = 0; j < nc && strcmp(counts[j].event, e->event); j++)
			;
		if (j == nc && nc < SDT_ARRAY_SIZE(counts))
			counts[nc++] = (struct sdt_ev_count){ .event = e->event };
		if (j < nc)
			counts[j].n++;
		if (e->id >= 0)
			sdt_seg_sum_add(sdt_seg_sum_of(segs, &ns, e->id), e);
		if (!strcmp(e->event, "fault") && e->latency_ns >= 0) {
			nlat++;
			total += (uint64_t)e->latency_ns;
		}
	}
	fprintf(f, "\nsummary: %zu event%s", n, n == 1 ? "" : "s");
	for (j = 0; j < nc; j++)
		fprintf(f, "%s %s %" PRIu64, j ? "," : ":", counts[j].event, counts[j].n);
	fprintf(f, "\n");
	for (i = 0; i < ns; i++) {
		const struct sdt_seg_sum *s = &segs[i];

		fprintf(f, "segment %d: faults %" PRIu64 " (read %" PRIu64 ", write %" PRIu64
			", cow %" PRIu64 "; new %" PRIu64 ", cached %" PRIu64 "), fault-around %"
			PRIu64 " (%" PRIu64 " pages), mkwrite %" PRIu64 "\n",
			s->id, s->read + s->write + s->cow, s->read, s->write, s->cow, s->fresh,
			s->cached, s->around_calls, s->around_pages, s->mkwrite);
	}
	if (nlat)
		fprintf(f, "fault latency: total %" PRIu64 " ns, mean %" PRIu64 " ns over %" PRIu64
			" fault%s\n", total, total / nlat, nlat, nlat == 1 ? "" : "s");
	else
		fprintf(f, "fault latency: no faults\n");
	free(segs);
}
