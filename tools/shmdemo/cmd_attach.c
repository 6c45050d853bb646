// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo attach ID [--rdonly] [--private] [--touch PAGES] [--write]
 *                   [--hold SECONDS]
 *
 * Map a segment (like shmat()), touch some of its pages, print the faults
 * that took (the process's minor/major faults and the module's counters,
 * shmd_faults_begin/end), then keep it mapped - until stdin closes, for
 * --hold seconds, or until SIGINT/SIGTERM - so that ls, stat and map can
 * watch it.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

struct sdt_attach_opts {
	int id;
	unsigned int flags;	/* SHMD_RDONLY, SHMD_PRIVATE */
	const char *touch;
	bool write;
	double hold;		/* < 0: until stdin closes */
};

static void sdt_attach_report(const struct shmd_faults *f, uint64_t touched, bool write,
			      const char *spec)
{
	const struct shmdemo_counters *c = &f->counters;

	printf("touched %" PRIu64 " page%s by %s: %s\n", touched, touched == 1 ? "" : "s",
	       write ? "writing" : "reading", spec);
	printf("faults: minor %" PRIu64 ", major %" PRIu64 "\n", f->minflt, f->majflt);
	if (f->has_counters)
		printf("module: read %" PRIu64 ", write %" PRIu64 ", cow %" PRIu64 ", mkwrite %"
		       PRIu64 ", fault-around pages %" PRIu64 ", allocated %" PRIu64
		       "; now resident %" PRIu64 ", dirty %" PRIu64 "\n",
		       (uint64_t)c->read_faults, (uint64_t)c->write_faults,
		       (uint64_t)c->cow_faults, (uint64_t)c->mkwrite, (uint64_t)c->around_pages,
		       (uint64_t)c->pages_alloc, (uint64_t)c->pages_resident,
		       (uint64_t)c->pages_dirty);
}

/*
 * The --touch page set against @npages, or NULL after saying why.  Checked
 * before attaching, and again with the size the attach saw.
 */
static bool *sdt_attach_pages(const struct sdt_attach_opts *o, uint64_t npages)
{
	bool *set = calloc(npages ? npages : 1, sizeof(*set));

	if (!set) {
		sdt_err(ENOMEM, "attach");
		return NULL;
	}
	if (sdt_parse_pages(o->touch, npages, set)) {
		sdt_msg("attach: --touch %s: past the end of segment %d (%" PRIu64 " page%s: 0-%"
			PRIu64 ")", o->touch, o->id, npages, npages == 1 ? "" : "s",
			npages ? npages - 1 : 0);
		free(set);
		return NULL;
	}
	return set;
}

/* Touch @set and report; the mapping stays.  Returns an SDT_EXIT_* code. */
static int sdt_attach_touch(const struct sdt_attach_opts *o, struct shmd_seg *seg,
			    void *addr, const bool *set, uint64_t npages)
{
	struct shmd_faults f = { .sz = sizeof(f) };
	uint64_t touched = 0;
	int ret;

	ret = shmd_faults_begin(seg, &f);
	if (!ret) {
		touched = sdt_touch(addr, set, npages, o->write);
		ret = shmd_faults_end(seg, &f);
	}
	if (ret) {
		sdt_err(ret, "attach: segment %d: fault counters", o->id);
		return SDT_EXIT_FAIL;
	}
	sdt_attach_report(&f, touched, o->write, o->touch);
	return SDT_EXIT_OK;
}

static uint64_t sdt_attach_npages(struct shmd_seg *seg)
{
	uint64_t pg = (uint64_t)sdt_page_size();

	return (shmd_seg_size(seg) + pg - 1) / pg;
}

static int sdt_attach_run(const struct sdt_attach_opts *o)
{
	struct sdt_target t = { .id = o->id };
	struct shmd_seg *seg;
	uint64_t npages;
	bool *set = NULL;
	void *addr;
	int ret, sig, status;

	if (!sdt_device_ready("attach"))
		return SDT_EXIT_FAIL;
	ret = shmd_seg_open_id(SHMD_BACKEND_DEVICE, o->id, &seg);
	if (ret) {
		sdt_seg_err(ret, "attach", &t);
		return SDT_EXIT_FAIL;
	}
	/* The size is known here when we may read the segment: check --touch first. */
	npages = sdt_attach_npages(seg);
	if (o->touch && npages) {
		set = sdt_attach_pages(o, npages);
		if (!set) {
			shmd_seg_close(seg);
			return SDT_EXIT_FAIL;
		}
	}
	ret = shmd_attach(seg, NULL, o->flags, &addr);
	if (ret) {
		sdt_seg_err(ret, "attach", &t);
		free(set);
		shmd_seg_close(seg);
		return SDT_EXIT_FAIL;
	}
	if (o->touch && sdt_attach_npages(seg) != npages) {
		npages = sdt_attach_npages(seg);
		free(set);
		set = sdt_attach_pages(o, npages);
		if (!set) {
			shmd_detach(addr);
			shmd_seg_close(seg);
			return SDT_EXIT_FAIL;
		}
	}
	printf("segment %d: attached %" PRIu64 " page%s at %p (%s, %s), pid %d\n", o->id,
	       npages, npages == 1 ? "" : "s", addr,
	       o->flags & SHMD_RDONLY ? "read-only" : "read-write",
	       o->flags & SHMD_PRIVATE ? "private copy-on-write" : "shared", (int)getpid());
	status = set ? sdt_attach_touch(o, seg, addr, set, npages) : SDT_EXIT_OK;
	free(set);
	if (status == SDT_EXIT_OK && o->hold != 0) {
		if (o->hold < 0 && sdt_hold_watches_stdin())
			printf("holding until stdin closes, SIGINT or SIGTERM\n");
		else if (o->hold < 0)
			printf("holding until SIGINT or SIGTERM\n");
		else
			printf("holding for %g s (or until SIGINT or SIGTERM)\n", o->hold);
		fflush(stdout);
		sig = sdt_hold(o->hold);
		if (sig)
			printf("%s received\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	}
	ret = shmd_detach(addr);
	if (ret) {
		sdt_err(ret, "attach: segment %d: detach", o->id);
		status = SDT_EXIT_FAIL;
	} else {
		printf("detached\n");
	}
	shmd_seg_close(seg);
	return status;
}

static int sdt_attach_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rdonly", no_argument, NULL, 'r' },
		{ "private", no_argument, NULL, 'p' },
		{ "touch", required_argument, NULL, 't' },
		{ "write", no_argument, NULL, 'w' },
		{ "hold", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sdt_attach_opts o = { .hold = -1 };
	char *end;
	int opt;

	while ((opt = getopt_long(argc, argv, ":rpt:wH:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			o.flags |= SHMD_RDONLY;
			break;
		case 'p':
			o.flags |= SHMD_PRIVATE;
			break;
		case 't':
			if (sdt_parse_pages(optarg, 0, NULL))
				return sdt_usage_err(&sdt_cmd_attach,
						     "bad page set '%s' (all, N, A-B, or a list)",
						     optarg);
			o.touch = optarg;
			break;
		case 'w':
			o.write = true;
			break;
		case 'H':
			o.hold = strtod(optarg, &end);
			if (end == optarg || *end || !(o.hold >= 0 && o.hold < 1e9))
				return sdt_usage_err(&sdt_cmd_attach, "bad --hold '%s'", optarg);
			break;
		case 'h':
			sdt_usage(&sdt_cmd_attach, stdout, true);
			return SDT_EXIT_OK;
		default:
			return sdt_opt_err(&sdt_cmd_attach, argv, opt);
		}
	}
	if (optind != argc - 1)
		return sdt_usage_err(&sdt_cmd_attach, "expected one segment id");
	if (sdt_parse_id(argv[optind], &o.id))
		return sdt_usage_err(&sdt_cmd_attach, "bad segment id '%s'", argv[optind]);
	if (o.write && !o.touch)
		return sdt_usage_err(&sdt_cmd_attach, "--write needs --touch");
	if (o.write && (o.flags & SHMD_RDONLY))
		return sdt_usage_err(&sdt_cmd_attach, "--write and --rdonly exclude each other");
	return sdt_attach_run(&o);
}

const struct sdt_cmd sdt_cmd_attach = {
	.name = "attach",
	.args = "ID [--rdonly] [--private] [--touch all|N|A-B[,...]] [--write]\n"
		"                      [--hold SECONDS]",
	.summary = "map a segment, touch pages, show the faults taken, keep it mapped",
	.help = "  --rdonly          read-only mapping (SHM_RDONLY; read permission only)\n"
		"  --private         private copy-on-write mapping (writes stay in this process)\n"
		"  --touch PAGES     access the first byte of these pages: all, N, A-B\n"
		"                    (inclusive), or a comma list; default: none\n"
		"  --write           write instead of read: store a zero byte at the start\n"
		"                    of each touched page (a write fault; overwrites it)\n"
		"  --hold SECONDS    keep the mapping this long (0: detach at once); default:\n"
		"                    until stdin closes.  SIGINT/SIGTERM detach early\n"
		"Prints the process's minor/major faults and the module's counters for the\n"
		"touch (counters count every process's faults on the segment).\n",
	.main = sdt_attach_main,
};
