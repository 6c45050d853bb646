// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting while a mapping is held: for a number of seconds, or until
 * stdin reaches end of file (a background job on a terminal: forever), and
 * in both cases no longer than until SIGINT or SIGTERM.  The signals are
 * blocked except inside ppoll(), so one arriving at any moment ends the
 * wait without a race.
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

static volatile sig_atomic_t sdt_hold_sig;

static void sdt_hold_handler(int sig)
{
	sdt_hold_sig = sig;
}

static double sdt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A background job reading its terminal would be stopped (SIGTTIN): then
 * stdin is not watched and only the signals end an open-ended wait.
 */
bool sdt_hold_watches_stdin(void)
{
	return !isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) == getpgrp();
}

/* Returns the signal that ended the wait, or 0. */
int sdt_hold(double seconds)
{
	struct sigaction sa = { .sa_handler = sdt_hold_handler };
	sigset_t block, old;
	double end = seconds >= 0 ? sdt_now() + seconds : 0;
	bool use_stdin = seconds < 0 && sdt_hold_watches_stdin();
	char buf[256];

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!sdt_hold_sig) {
		struct pollfd pfd = { .fd = use_stdin ? 0 : -1, .events = POLLIN };
		struct timespec ts, *tsp = NULL;
		int n;

		if (seconds >= 0) {
			double left = end - sdt_now();

			if (left <= 0)
				break;
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - floor(left)) * 1e9);
			tsp = &ts;
		}
		n = ppoll(&pfd, 1, tsp, &old);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && use_stdin) {
			if (pfd.revents & POLLNVAL)
				break;	/* stdin closed already */
			if (read(0, buf, sizeof(buf)) <= 0)
				break;	/* end of file (or an error: stop waiting too) */
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return sdt_hold_sig;
}
