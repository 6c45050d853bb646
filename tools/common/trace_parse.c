// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing the `trace` file: lines like
 *
 *   shmdemo-1234    [001] .....  12.345678: shmdemo_fault: id=3 pgoff=0
 *       addr=0x7f0000000000 write page=new result=LOCKED latency_ns=5120
 *
 * (one line), in the formats of kmod/shmdemo_trace.h.  The task name may
 * contain blanks and dashes, so the pid is the "-DIGITS" that is followed
 * by blanks and the "[CPU]" (or the "(TGID)" of the record-tgid option).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracefs.h"

#define SDT_EV_PREFIX	"shmdemo_"

static int sdt_trace_task(const char *line, const char *end, struct sdt_trace_ev *ev)
{
	const char *p, *start = line;

	while (start < end && isspace((unsigned char)*start))
		start++;
	for (p = start; p < end; p++) {
		const char *d = p + 1, *q;

		if (*p != '-' || !isdigit((unsigned char)*d))
			continue;
		while (isdigit((unsigned char)*d))
			d++;
		q = d;
		while (*q == ' ')
			q++;
		if (q == d || (*q != '[' && *q != '('))
			continue;
		ev->pid = atoi(p + 1);
		snprintf(ev->comm, sizeof(ev->comm), "%.*s", (int)(p - start), start);
		return 0;
	}
	return -1;
}

static void sdt_note_add(struct sdt_trace_ev *ev, const char *tok, size_t len)
{
	size_t used = strlen(ev->note);

	snprintf(ev->note + used, sizeof(ev->note) - used, "%s%.*s", used ? " " : "",
		 (int)len, tok);
}

/* One blank-separated token of the event's fields. */
static void sdt_trace_field(struct sdt_trace_ev *ev, const char *tok, size_t len)
{
	const char *eq = memchr(tok, '=', len);
	size_t klen = eq ? (size_t)(eq - tok) : len;
	const char *val = eq ? eq + 1 : NULL;
	int vlen = eq ? (int)(len - klen - 1) : 0;

#define SDT_KEY(k)	(klen == sizeof(k) - 1 && !memcmp(tok, k, klen))
	if (!eq) {	/* the fault's bare words: read, write, cow */
		if (len == 3 && !memcmp(tok, "cow", 3))
			snprintf(ev->access, sizeof(ev->access), "cow");
		else if (strcmp(ev->access, "cow"))
			snprintf(ev->access, sizeof(ev->access), "%.*s", (int)len, tok);
	} else if (SDT_KEY("id")) {
		ev->id = atoi(val);
	} else if (SDT_KEY("pgoff")) {
		ev->pgoff = atoll(val);
	} else if (SDT_KEY("page")) {
		snprintf(ev->page, sizeof(ev->page), "%.*s", vlen, val);
	} else if (SDT_KEY("result")) {
		snprintf(ev->result, sizeof(ev->result), "%.*s", vlen ? vlen : 1,
			 vlen ? val : "0");
	} else if (SDT_KEY("latency_ns")) {
		ev->latency_ns = atoll(val);
	} else {
		sdt_note_add(ev, tok, len);
	}
#undef SDT_KEY
}

int sdt_trace_parse_line(const char *line, struct sdt_trace_ev *ev)
{
	const char *ev_start, *p, *name_end;

	if (*line == '#')
		return -1;
	ev_start = strstr(line, ": " SDT_EV_PREFIX);
	if (!ev_start)
		return -1;
	memset(ev, 0, sizeof(*ev));
	ev->id = -1;
	ev->pgoff = -1;
	ev->latency_ns = -1;
	snprintf(ev->access, sizeof(ev->access), "-");
	snprintf(ev->page, sizeof(ev->page), "-");
	snprintf(ev->result, sizeof(ev->result), "-");
	if (sdt_trace_task(line, ev_start, ev))
		return -1;
	p = ev_start + 2 + strlen(SDT_EV_PREFIX);
	name_end = strchr(p, ':');
	if (!name_end)
		return -1;
	snprintf(ev->event, sizeof(ev->event), "%.*s", (int)(name_end - p), p);
	/* map_pages is fault-around: always for a read fault; mkwrite: a write. */
	if (!strcmp(ev->event, "map_pages"))
		snprintf(ev->access, sizeof(ev->access), "read");
	else if (!strcmp(ev->event, "mkwrite"))
		snprintf(ev->access, sizeof(ev->access), "write");
	p = name_end + 1;
	for (;;) {
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n')
			break;
		len = strcspn(p, " \t\n");
		sdt_trace_field(ev, p, len);
		p += len;
	}
	return 0;
}

unsigned long long sdt_trace_lost(const char *line)
{
	unsigned long long inbuf, written;

	if (sscanf(line, "# entries-in-buffer/entries-written: %llu/%llu", &inbuf, &written) != 2)
		return 0;
	return written > inbuf ? written - inbuf : 0;
}
