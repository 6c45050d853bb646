// SPDX-License-Identifier: GPL-2.0
/*
 * Processes for the experiments: children that wait for "go" bytes on one
 * pipe and send reports on another (the article's sleep()s were only
 * sequencing), and probes that touch one address in a throwaway child and
 * report the signal and its address from a SIGBUS/SIGSEGV handler.
 * Children always leave with _exit(): our stdio buffers are not theirs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo.h"

static void demo_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int demo_child_start(struct demo_child *c, demo_child_fn fn, void *arg)
{
	int cmd[2], rep[2];

	memset(c, 0, sizeof(*c));
	c->cmd = c->rep = -1;
	if (pipe2(cmd, O_CLOEXEC))
		return -errno;
	if (pipe2(rep, O_CLOEXEC)) {
		close(cmd[0]);
		close(cmd[1]);
		return -errno;
	}
	fflush(NULL);
	c->pid = fork();
	if (c->pid < 0) {
		int err = -errno;

		close(cmd[0]);
		close(cmd[1]);
		close(rep[0]);
		close(rep[1]);
		return err;
	}
	if (c->pid == 0) {
		struct demo_chan ch = { .cmd = cmd[0], .rep = rep[1] };

		close(cmd[1]);
		close(rep[0]);
		_exit(fn(&ch, arg));
	}
	close(cmd[0]);
	close(rep[1]);
	c->cmd = cmd[1];
	c->rep = rep[0];
	return 0;
}

int demo_child_go(struct demo_child *c)
{
	return write(c->cmd, "g", 1) == 1 ? 0 : -EPIPE;
}

static int demo_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int demo_child_recv(struct demo_child *c, void *buf, size_t len)
{
	return demo_read_full(c->rep, buf, len);
}

int demo_child_wait(struct demo_child *c)
{
	int status;

	demo_close(&c->cmd);
	demo_close(&c->rep);
	if (c->pid <= 0)
		return -ECHILD;
	while (wait4(c->pid, &status, 0, &c->ru) < 0)
		if (errno != EINTR)
			return -errno;
	c->pid = 0;
	c->status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	return c->status;
}

int demo_child_run(demo_child_fn fn, void *arg, void *rep, size_t len)
{
	struct demo_child c;
	int ret, st;

	ret = demo_child_start(&c, fn, arg);
	if (ret)
		return ret;
	ret = demo_child_recv(&c, rep, len);
	st = demo_child_wait(&c);
	return ret ? ret : st;
}

int demo_chan_wait(struct demo_chan *ch)
{
	char c;

	return demo_read_full(ch->cmd, &c, 1);
}

int demo_chan_send(struct demo_chan *ch, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(ch->rep, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

const char *demo_sig_name(int sig)
{
	return sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" : sig ? strsignal(sig) : "none";
}

/* What the probe child's handler sends: async-signal-safe, one write(). */
struct demo_sigrep {
	int signo;
	int code;
	uintptr_t addr;
	long minflt;	/* the access's own minor faults */
};

static int demo_probe_fd = -1;
static long demo_probe_minflt0;

static long demo_probe_minflt(void)
{
	struct rusage ru;

	/* getrusage() is a plain system call: fine in the handler too. */
	return getrusage(RUSAGE_SELF, &ru) ? 0 : ru.ru_minflt - demo_probe_minflt0;
}

static void demo_probe_handler(int sig, siginfo_t *si, void *uc)
{
	struct demo_sigrep rep = { .signo = sig, .code = si->si_code,
				   .addr = (uintptr_t)si->si_addr,
				   .minflt = demo_probe_minflt() };

	(void)uc;
	if (write(demo_probe_fd, &rep, sizeof(rep)) != sizeof(rep))
		_exit(126);
	_exit(128 + sig);
}

/*
 * Touch @p in a child.  @unmap (if set) is unmapped first, in the child,
 * so that address is known to be unmapped when it is touched: nothing can
 * land there in a single-threaded child between the munmap and the access.
 */
int demo_probe(volatile char *p, int write_it, long offset, const char *what,
	       struct demo_probe *out, void *unmap, size_t unmap_len)
{
	struct sigaction sa = { .sa_sigaction = demo_probe_handler, .sa_flags = SA_SIGINFO };
	struct demo_sigrep rep = { 0 };
	struct demo_child c = { .cmd = -1 };
	int fds[2], ret, st;

	memset(out, 0, sizeof(*out));
	out->what = what;
	out->offset = offset;
	out->addr_off = -1;
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	c.pid = fork();
	if (c.pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (c.pid == 0) {
		close(fds[0]);
		demo_probe_fd = fds[1];
		sigaction(SIGBUS, &sa, NULL);
		sigaction(SIGSEGV, &sa, NULL);
		if (unmap && munmap(unmap, unmap_len))
			_exit(125);
		demo_probe_minflt0 = 0;
		demo_probe_minflt0 = demo_probe_minflt();
		if (write_it)
			*p = 1;
		else
			(void)*p;
		rep.minflt = demo_probe_minflt();
		_exit(write(fds[1], &rep, sizeof(rep)) == sizeof(rep) ? 0 : 126);
	}
	close(fds[1]);
	c.rep = fds[0];
	ret = demo_child_recv(&c, &rep, sizeof(rep));
	st = demo_child_wait(&c);
	if (ret)
		return ret;
	if (st == 125 || st == 126)
		return -EIO;
	out->signal = rep.signo;
	out->code = rep.code;
	if (rep.signo)
		out->addr_off = (long)(rep.addr - (uintptr_t)(p - offset));
	out->minflt = rep.minflt;
	return 0;
}
