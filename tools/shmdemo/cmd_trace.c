// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo trace [--all] -- CMD [ARGS...]: run CMD with the shmdemo:*
 * tracepoints enabled and show the faults it caused.
 *
 * Events are collected in a private tracefs instance.  By default only
 * CMD and its descendants are traced (set_event_pid with the event-fork
 * option: the kernel adds children as they fork); CMD waits on a pipe
 * until its pid is in the filter, so nothing it does is missed.  --all
 * keeps every process's events.  Exit status: CMD's (128 + signal if it
 * was killed, 127 if it could not be run).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace.h"

#define SDT_TRACE_BUFFER_KB	"4096"

struct sdt_trace_run {
	struct sdt_tracefs tfs;
	bool all;
	char **argv;
	pid_t pid;
	int go[2];	/* parent -> child: a byte means exec, EOF means give up */
};

static void sdt_trace_child(struct sdt_trace_run *r)
{
	char c;

	close(r->go[1]);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	if (read(r->go[0], &c, 1) != 1)
		_exit(127);
	close(r->go[0]);
	execvp(r->argv[0], r->argv);
	sdt_err(errno, "trace: %s", r->argv[0]);
	_exit(errno == ENOENT ? 127 : 126);
}

/* Instance set up, child forked and waiting: filter, clear, enable, go. */
static int sdt_trace_start(struct sdt_trace_run *r)
{
	char pid[16];
	int ret;

	if (r->tfs.instance)	/* ours: the global buffer's size is not */
		sdt_tracefs_write(&r->tfs, "buffer_size_kb", SDT_TRACE_BUFFER_KB);
	if (!r->all) {
		r->tfs.pid_filter = true;
		ret = sdt_tracefs_write(&r->tfs, "options/event-fork", "1");
		if (ret)
			sdt_err(ret, "trace: options/event-fork (children are not followed)");
		snprintf(pid, sizeof(pid), "%d", (int)r->pid);
		ret = sdt_tracefs_write(&r->tfs, "set_event_pid", pid);
		if (ret) {
			sdt_err(ret, "trace: set_event_pid");
			return ret;
		}
	}
	ret = sdt_tracefs_write(&r->tfs, "trace", "");
	if (ret) {
		sdt_err(ret, "trace: clear %s/trace", r->tfs.dir);
		return ret;
	}
	ret = sdt_tracefs_write(&r->tfs, "events/shmdemo/enable", "1");
	if (ret) {
		sdt_err(ret, "trace: %s/events/shmdemo (module not loaded?)", r->tfs.dir);
		return ret;
	}
	return 0;
}

/* Leave tracefs as we found it; say so when that fails. */
static void sdt_trace_close(struct sdt_trace_run *r)
{
	int ret = sdt_tracefs_close(&r->tfs);

	if (ret)
		sdt_err(ret, "trace: clean up %s", r->tfs.dir);
}

static int sdt_trace_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			sdt_err(errno, "trace: wait");
			return SDT_EXIT_FAIL;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static int sdt_trace_collect(struct sdt_trace_run *r)
{
	struct sdt_trace_ev *evs = NULL;
	size_t n = 0, cap = 0;
	unsigned long long lost = 0;
	char *buf, *line, *save = NULL;
	int ret;

	ret = sdt_tracefs_read(&r->tfs, "trace", &buf);
	if (ret) {
		sdt_err(ret, "trace: read %s/trace", r->tfs.dir);
		return ret;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!lost)
			lost = sdt_trace_lost(line);
		if (n == cap) {
			struct sdt_trace_ev *ne;

			cap = cap ? 2 * cap : 256;
			ne = realloc(evs, cap * sizeof(*ne));
			if (!ne) {
				ret = -ENOMEM;
				sdt_err(ret, "trace");
				goto out_free;
			}
			evs = ne;
		}
		if (sdt_trace_parse_line(line, &evs[n]) == 0)
			n++;
	}
	fflush(stdout);
	sdt_trace_report(stdout, evs, n);
	if (lost)
		printf("warning: %llu events lost (trace buffer full)\n", lost);
out_free:
	free(evs);
	free(buf);
	return ret;
}

static int sdt_trace_run(struct sdt_trace_run *r)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, oint, oquit;
	int ret, status;

	if (geteuid() != 0) {
		sdt_err(EPERM, "trace: needs root (tracefs)");
		return SDT_EXIT_FAIL;
	}
	if (!sdt_device_ready("trace"))
		return SDT_EXIT_FAIL;
	ret = sdt_tracefs_open(&r->tfs);
	if (ret) {
		sdt_err(ret, "trace: tracefs (/sys/kernel/tracing)");
		return SDT_EXIT_FAIL;
	}
	if (pipe2(r->go, O_CLOEXEC)) {
		sdt_err(errno, "trace: pipe");
		sdt_trace_close(r);
		return SDT_EXIT_FAIL;
	}
	fflush(NULL);
	r->pid = fork();
	if (r->pid < 0) {
		sdt_err(errno, "trace: fork");
		sdt_trace_close(r);
		return SDT_EXIT_FAIL;
	}
	if (r->pid == 0)
		sdt_trace_child(r);
	close(r->go[0]);
	/* Like time(1): ^C goes to CMD; we stay to clean up and report. */
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	ret = sdt_trace_start(r);
	if (ret == 0 && write(r->go[1], "g", 1) != 1)
		ret = -errno;
	close(r->go[1]);
	status = sdt_trace_wait(r->pid);
	sdt_tracefs_write(&r->tfs, "events/shmdemo/enable", "0");
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	if (ret == 0)
		ret = sdt_trace_collect(r);
	sdt_trace_close(r);
	if (ret)
		return SDT_EXIT_FAIL;
	return status;
}

static int sdt_trace_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sdt_trace_run r = { .go = { -1, -1 } };
	int opt;

	/* '+': stop at CMD, whose own options are not ours. */
	while ((opt = getopt_long(argc, argv, "+:ah", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			r.all = true;
			break;
		case 'h':
			sdt_usage(&sdt_cmd_trace, stdout, true);
			return SDT_EXIT_OK;
		default:
			return sdt_opt_err(&sdt_cmd_trace, argv, opt);
		}
	}
	if (optind >= argc)
		return sdt_usage_err(&sdt_cmd_trace, "expected a command to run after --");
	r.argv = argv + optind;
	return sdt_trace_run(&r);
}

const struct sdt_cmd sdt_cmd_trace = {
	.name = "trace",
	.args = "[--all] -- CMD [ARGS...]",
	.summary = "run CMD with the shmdemo tracepoints on and show the faults it caused",
	.help = "  --all     every process's events, not only CMD's and its children's\n"
		"Needs root and tracefs (/sys/kernel/tracing, else /sys/kernel/debug/tracing;\n"
		"mounted if absent).  Events go to a private tracefs instance.  Prints one\n"
		"row per event (pid, comm, event, segment, pgoff, read/write/cow, new/cached\n"
		"page, result, latency in ns, other fields), then counts per event type, per\n"
		"segment, and the total and mean fault latency.\n",
	.exit_status = "CMD's (128+N if a signal N killed it, 127 if it could not\n"
		       "run); 1 if tracing could not be set up, 2 usage error",
	.main = sdt_trace_main,
};
