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
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/shmdemo.h>

#include "libshmdemo.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: shmdemo-compare [--json] [-a BACKEND] [-b BACKEND] [--size BYTES]\n"
		"                       [--records N] [--device-file] WORKLOAD\n");
}

static void help(void)
{
	usage(stdout);
	printf("\n"
	       "Run one workload on two shared-memory backends, each on a fresh segment that\n"
	       "is removed afterwards (shmd_compare(3)), and show the two runs side by side.\n"
	       "\n"
	       "Options:\n"
	       "  -a BACKEND      the first backend, left column (default: device)\n"
	       "  -b BACKEND      the second backend, right column: the time reference\n"
	       "                  (default: sysv); -a and -b may name the same backend\n"
	       "  --size BYTES    bytes of each segment: decimal, 0x hexadecimal or 0 octal\n"
	       "                  (default, and 0: 64 pages)\n"
	       "  --records N     records: how many 8-byte records (default, and 0: 10);\n"
	       "                  the segment must hold them; other workloads ignore it\n"
	       "  --device-file   the device's segment is backed by a new file in $TMPDIR\n"
	       "                  (default /tmp): its pages are read from the file (major\n"
	       "                  faults) and written back; compare it with -b file\n"
	       "  -j, --json      a JSON array, one object per workload, instead of tables\n"
	       "  -h, --help      this help\n"
	       "\n"
	       "BACKEND:\n"
	       "  device         a /dev/shmdemo segment (needs the shmdemo module)\n"
	       "  sysv           System V shm (shmget, shmat)\n"
	       "  file           mmap(MAP_SHARED) of a new file in $TMPDIR (default /tmp)\n"
	       "  anon           mmap(MAP_SHARED|MAP_ANONYMOUS), inherited across fork()\n"
	       "  posix          a shm_open() object\n"
	       "\n"
	       "WORKLOAD (the measured steps run in child processes):\n"
	       "  records        a child writes N records, another child attaches read-only\n"
	       "                 and checks them; measured: the writes and the reads\n"
	       "  touch          a child writes one byte at the start of every page;\n"
	       "                 measured: the writes, each the first touch of its page\n"
	       "  second-reader  a child writes every page, then a second child reads them\n"
	       "                 back; measured: the second child's reads only\n"
	       "  fork-write     a child attaches and forks; its own child writes every page\n"
	       "                 through the inherited attachment, the first checks it sees\n"
	       "                 them; measured: the writes\n"
	       "  past-end       reads the segment's last byte, then touches the first byte\n"
	       "                 past its last page: SIGBUS for device, file and posix (a\n"
	       "                 descriptor mapping may outrun its object), SIGSEGV for sysv\n"
	       "                 and anon (nothing is mapped there)\n"
	       "  all            each of the above, in this order\n"
	       "\n"
	       "Output: per workload, a table with one column per backend: result, bytes\n"
	       "copied out afterwards, minor and major faults of the measured steps, the\n"
	       "module's fault counters (device only, else -), the signal past the end\n"
	       "(past-end only), the time and its ratio to the -b run's, and a verdict: same\n"
	       "outcome (same bytes afterwards, same signal), differs (where), or a run\n"
	       "failed.\n"
	       "\n"
	       "Exit status: 0 every workload had the same outcome on both backends, 1 some\n"
	       "differed, 2 usage error or a run failed (e.g. device without /dev/shmdemo).\n"
	       "See shmdemo-compare(1).\n");
}

/* A whole unsigned number (base 0: decimal, 0x hex, 0 octal) up to @max. */
static int parse_num(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	errno = 0;
	if (!*s || strchr(s, '-'))
		return -EINVAL;
	*v = strtoull(s, &end, 0);
	if (errno || *end || *v > max)
		return -EINVAL;
	return 0;
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

		/* No ratio to a run that failed. */
		if (r[1].error)
			snprintf(buf, sizeof(buf), "%.1fus", (double)r[k].nsec / 1000.0);
		else
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

/* One object of the array: "[" and the first object, or "," and the next. */
static void print_json(enum shmd_workload wl, const struct shmd_compare *c, int first)
{
	int k;

	printf("%s\n  {\"workload\": \"%s\", \"same_bytes\": %s, \"first_diff\": %" PRId64
	       ", \"same_outcome\": %s, \"runs\": [", first ? "[" : ",", shmd_workload_name(wl),
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
	printf("]}");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "size", required_argument, NULL, 's' },
		{ "records", required_argument, NULL, 'r' },
		{ "device-file", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct shmd_compare_opts o = { .sz = sizeof(o) };
	int json = 0, opt, first, last, w, ret, status = 0;
	unsigned long long num;

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
		case 'f':
			o.flags |= SHMD_COMPARE_DEVICE_FILE;
			break;
		case 's':
		case 'r':
			if (parse_num(optarg, opt == 's' ? UINT64_MAX : UINT_MAX, &num)) {
				fprintf(stderr, "shmdemo-compare: bad %s '%s'\n",
					opt == 's' ? "--size" : "--records", optarg);
				return 2;
			}
			if (opt == 's')
				o.size = num;
			else
				o.records = (unsigned int)num;
			break;
		case 'h':
			help();
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
	if ((o.backends[0] == SHMD_BACKEND_DEVICE || o.backends[1] == SHMD_BACKEND_DEVICE) &&
	    access(SHMDEMO_DEVICE, F_OK)) {
		fprintf(stderr,
			"shmdemo-compare: " SHMDEMO_DEVICE " does not exist: the shmdemo module is not "
			"loaded.\n"
			"  Load it (as root): modprobe shmdemo, or insmod build/shmdemo.ko in the source\n"
			"  tree; or run in the project's test VM, from the source tree:\n"
			"    tools/vm/run -- build/tools/compare/shmdemo-compare ...\n"
			"  Or compare two native backends: shmdemo-compare -a file -b sysv all\n");
		return 2;
	}
	for (w = first; w <= last; w++) {
		struct shmd_compare c = { .sz = sizeof(c) };

		o.workload = w;
		ret = shmd_compare(&o, &c);
		if (ret) {
			fprintf(stderr, "shmdemo-compare: %s: %s\n", shmd_workload_name(w),
				strerror(-ret));
			if (json)	/* keep the output valid: the runs so far */
				printf("%s]\n", w == first ? "[" : "\n");
			return 2;
		}
		if (json)
			print_json(w, &c, w == first);
		else
			print_table(w, &c);
		if (c.run[0].error || c.run[1].error)
			status = 2;
		else if (!c.same_outcome && status == 0)
			status = 1;
		shmd_compare_release(&c);
	}
	if (json)
		printf("\n]\n");
	return status;
}
