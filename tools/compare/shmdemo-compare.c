// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo-compare - run one workload on two shared-memory backends (by
 * default /dev/shmdemo and native System V shm) and show the results side
 * by side: bytes, faults, the module's counters, time, and a verdict.
 *
 *   shmdemo-compare [--json] [-a BACKEND] [-b BACKEND] [--size BYTES]
 *                   [--records N] WORKLOAD
 *
 * WORKLOAD: records, touch, second-reader, fork-write, past-end, or all.
 * BACKEND: device, sysv, file, anon, posix.
 * Exit status: 0 every compared workload had the same outcome, 1 some
 * differed (the table says how), 2 usage error or a run failed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libshmdemo.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: shmdemo-compare [--json] [-a BACKEND] [-b BACKEND] [--size BYTES]\n"
		"                       [--records N] WORKLOAD\n"
		"WORKLOAD: records touch second-reader fork-write past-end all\n"
		"BACKEND:  device sysv file anon posix (default: -a device -b sysv)\n");
}

static const char *sig_name(int sig)
{
	return sig == 0 ? "none" : sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" :
	       strsignal(sig);
}

static void print_row_u64(const char *label, const struct shmd_run *r, size_t off,
			  int counters_only)
{
	int k;

	printf("  %-28s", label);
	for (k = 0; k < 2; k++) {
		if ((counters_only && !r[k].faults.has_counters) || r[k].error)
			printf(" %16s", "-");
		else
			printf(" %16" PRIu64, *(const uint64_t *)((const char *)&r[k] + off));
	}
	printf("\n");
}

#define ROW(label, field, counters) \
	print_row_u64(label, c->run, offsetof(struct shmd_run, field), counters)

static void print_table(enum shmd_workload wl, const struct shmd_compare *c)
{
	const struct shmd_run *r = c->run;
	double base = r[1].nsec ? (double)r[1].nsec : 1.0;
	int k;

	printf("%s\n", shmd_workload_name(wl));
	printf("  %-28s %16s %16s\n", "", shmd_backend_name(r[0].backend),
	       shmd_backend_name(r[1].backend));
	printf("  %-28s", "result");
	for (k = 0; k < 2; k++)
		printf(" %16s", r[k].error ? strerror(-r[k].error) : "ok");
	printf("\n");
	ROW("bytes", len, 0);
	ROW("minor faults", faults.minflt, 0);
	ROW("major faults", faults.majflt, 0);
	ROW("module: read faults", faults.counters.read_faults, 1);
	ROW("module: write faults", faults.counters.write_faults, 1);
	ROW("module: COW faults", faults.counters.cow_faults, 1);
	ROW("module: mkwrite", faults.counters.mkwrite, 1);
	ROW("module: fault-around pages", faults.counters.around_pages, 1);
	ROW("module: pages allocated", faults.counters.pages_alloc, 1);
	printf("  %-28s", "signal past the end");
	for (k = 0; k < 2; k++)
		printf(" %16s", wl == SHMD_WL_PAST_END ? sig_name(r[k].signal) : "-");
	printf("\n  %-28s", "time (ratio to the right)");
	for (k = 0; k < 2; k++) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%.1fus %.2fx", (double)r[k].nsec / 1000.0,
			 (double)r[k].nsec / base);
		printf(" %16s", r[k].error ? "-" : buf);
	}
	printf("\n  verdict: ");
	if (r[0].error || r[1].error)
		printf("a run failed\n");
	else if (c->same_outcome)
		printf("same outcome (bytes identical%s)\n",
		       wl == SHMD_WL_PAST_END ? ", same signal" : "");
	else if (!c->same_bytes)
		printf("differs: bytes differ first at offset %" PRId64 "\n", c->first_diff);
	else
		printf("differs: %s vs %s past the end (a descriptor mapping may be longer\n"
		       "           than its object and faults SIGBUS there; shmat() and anonymous\n"
		       "           mappings end with the segment, so the next page is unmapped)\n",
		       sig_name(r[0].signal), sig_name(r[1].signal));
}

static void print_json(enum shmd_workload wl, const struct shmd_compare *c, int last)
{
	int k;

	printf("  {\"workload\": \"%s\", \"same_bytes\": %s, \"first_diff\": %" PRId64
	       ", \"same_outcome\": %s, \"runs\": [", shmd_workload_name(wl),
	       c->same_bytes ? "true" : "false", c->first_diff,
	       c->same_outcome ? "true" : "false");
	for (k = 0; k < 2; k++) {
		const struct shmd_run *r = &c->run[k];
		const struct shmdemo_counters *m = &r->faults.counters;

		printf("%s{\"backend\": \"%s\", \"error\": %d, \"nsec\": %" PRIu64
		       ", \"bytes\": %" PRIu64 ", \"minflt\": %" PRIu64 ", \"majflt\": %" PRIu64
		       ", \"signal\": %d", k ? ", " : "", shmd_backend_name(r->backend),
		       r->error, r->nsec, r->len, r->faults.minflt, r->faults.majflt, r->signal);
		if (r->faults.has_counters)
			printf(", \"module\": {\"read_faults\": %llu, \"write_faults\": %llu"
			       ", \"cow_faults\": %llu, \"mkwrite\": %llu, \"around_pages\": %llu"
			       ", \"pages_alloc\": %llu}",
			       (unsigned long long)m->read_faults, (unsigned long long)m->write_faults,
			       (unsigned long long)m->cow_faults, (unsigned long long)m->mkwrite,
			       (unsigned long long)m->around_pages, (unsigned long long)m->pages_alloc);
		printf("}");
	}
	printf("]}%s\n", last ? "" : ",");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "size", required_argument, NULL, 's' },
		{ "records", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct shmd_compare_opts o = { .sz = sizeof(o) };
	int json = 0, opt, first, last, w, ret, status = 0;

	o.backends[0] = SHMD_BACKEND_DEVICE;
	o.backends[1] = SHMD_BACKEND_SYSV;
	while ((opt = getopt_long(argc, argv, "a:b:jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
		case 'b':
			ret = shmd_backend_from_name(optarg);
			if (ret < 0) {
				fprintf(stderr, "shmdemo-compare: unknown backend '%s'\n", optarg);
				return 2;
			}
			o.backends[opt == 'b'] = ret;
			break;
		case 'j':
			json = 1;
			break;
		case 's':
			o.size = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			o.records = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[optind], "all")) {
		first = SHMD_WL_RECORDS;
		last = SHMD_WL_PAST_END;
	} else {
		first = last = shmd_workload_from_name(argv[optind]);
		if (first < 0) {
			fprintf(stderr, "shmdemo-compare: unknown workload '%s'\n", argv[optind]);
			return 2;
		}
	}
	if (json)
		printf("[\n");
	for (w = first; w <= last; w++) {
		struct shmd_compare c = { .sz = sizeof(c) };

		o.workload = w;
		ret = shmd_compare(&o, &c);
		if (ret) {
			fprintf(stderr, "shmdemo-compare: %s: %s\n", argv[optind], strerror(-ret));
			return 2;
		}
		if (json)
			print_json(w, &c, w == last);
		else
			print_table(w, &c);
		if (c.run[0].error || c.run[1].error)
			status = 2;
		else if (!c.same_outcome && status == 0)
			status = 1;
		shmd_compare_release(&c);
	}
	if (json)
		printf("]\n");
	return status;
}
