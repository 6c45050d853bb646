// SPDX-License-Identifier: GPL-2.0
/*
 * Teardown races: what a fault, a removal, a shrink or an exit does while
 * the segment is being torn down under it.
 *
 *  - SIGKILL storms on processes in the middle of faulting a large segment;
 *  - removal while another process faults;
 *  - a shrink racing faults on the pages it cuts;
 *  - exit with mappings, bound fds and fds in flight over a Unix socket
 *    (the socket's queue and its garbage collector drop the last ref).
 *
 * Each race runs for SHMDEMO_RACE_SECONDS (default 3) and ends by checking
 * that everything it made is gone (SHMDEMO_IOC_INFO back where it was);
 * the VM runner fails the run on any kernel report.  rmmod racing the same
 * churn is in shmdemo_module_test.c (it unloads the module).
 */
#include <setjmp.h>
#include <sys/socket.h>
#include <time.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

#define STAMP	0x5a

FIXTURE(teardown) {
	int fd;
	long pg;
	struct shmdemo_info before;
};

FIXTURE_SETUP(teardown)
{
	self->pg = shmdemo_page_size();
	self->fd = shmdemo_open(O_RDWR);
	if (self->fd == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, shmdemo_info(self->fd, &self->before));
}

FIXTURE_TEARDOWN(teardown)
{
	if (self->fd >= 0)
		close(self->fd);
}

static int send_fds(int sock, const int *fds, int n);

/*
 * Give the AF_UNIX garbage collector a reason to run: since 6.10 closing a
 * socket starts it only past thousands of fds in flight, while passing one
 * (and closing it in flight) schedules it whenever a cycle may exist.
 */
static void poke_unix_gc(void)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		return;
	send_fds(sv[1], &sv[0], 1);
	close(sv[0]);
	close(sv[1]);
}

/*
 * Everything the test made is gone: the segments may be freed a little
 * after the last reference goes (deferred fput, socket garbage collection),
 * so poll for up to five seconds.
 */
static bool back_to(int fd, const struct shmdemo_info *before, struct shmdemo_info *now)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (shmdemo_info(fd, now))
			return false;
		if (now->segments == before->segments &&
		    now->total_pages == before->total_pages &&
		    now->resident_pages == before->resident_pages)
			return true;
		poke_unix_gc();
		usleep(10000);
	}
	return false;
}

#define EXPECT_NOTHING_LEFT()						\
	do {								\
		struct shmdemo_info now;				\
									\
		EXPECT_TRUE(back_to(self->fd, &self->before, &now))	\
			TH_LOG("segments %u -> %u, resident %llu -> %llu", \
			       self->before.segments, now.segments,	\
			       (unsigned long long)self->before.resident_pages, \
			       (unsigned long long)now.resident_pages);	\
	} while (0)

/* Map the segment bound to @fd and write STAMP into every page, forever. */
static void fault_forever(int fd, long pg, long pages)
{
	char *p = mmap(NULL, pages * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	long i;

	if (p == MAP_FAILED)
		_exit(1);
	for (;;)
		for (i = 0; i < pages; i++)
			p[i * pg] = STAMP;
}

/*
 * Processes killed at random points of faulting a 64 MiB segment in: each
 * death tears down a mapping mid-fault; the segment must stay consistent
 * (nattch back to 0, every page 0 or the stamp).
 */
TEST_F(teardown, sigkill_storm_mid_fault_on_a_large_segment)
{
	const long pages = 16384;
	const int nworkers = 3;
	pid_t workers[3];
	struct shmdemo_stat st;
	unsigned int seed = getpid();
	int i, kills = 0, id;
	double end;
	char *p;

	SHMDEMO_NEED_DEVICE(self->fd);
	if (geteuid())
		SKIP(return, "64 MiB is over an unprivileged user's limit: needs root");
	id = shmdemo_new_bound(self->fd, pages * self->pg);
	ASSERT_LE(0, id);
	for (i = 0; i < nworkers; i++) {
		workers[i] = fork();
		ASSERT_LE(0, workers[i]);
		if (!workers[i])
			fault_forever(self->fd, self->pg, pages);
	}
	end = shmdemo_now() + shmdemo_race_seconds(3);
	while (shmdemo_now() < end) {
		i = rand_r(&seed) % nworkers;
		usleep(rand_r(&seed) % 20000);
		kill(workers[i], SIGKILL);
		ASSERT_EQ(workers[i], waitpid(workers[i], NULL, 0));
		kills++;
		workers[i] = fork();
		ASSERT_LE(0, workers[i]);
		if (!workers[i])
			fault_forever(self->fd, self->pg, pages);
	}
	for (i = 0; i < nworkers; i++) {
		kill(workers[i], SIGKILL);
		waitpid(workers[i], NULL, 0);
	}
	TH_LOG("%d workers killed mid-fault", kills);
	ASSERT_EQ(0, shmdemo_stat(self->fd, id, &st));
	EXPECT_EQ(0, st.nattch);
	EXPECT_GE(pages, st.counters.pages_resident);
	p = mmap(NULL, pages * self->pg, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < pages; i++)
		if (p[i * self->pg] != 0 && p[i * self->pg] != STAMP)
			break;
	EXPECT_EQ(pages, i) TH_LOG("page %d holds %d", i, p[i * self->pg]);
	munmap(p, pages * self->pg);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, id));
	close(self->fd);
	self->fd = shmdemo_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	EXPECT_NOTHING_LEFT();
}

/* Removal while another process faults: its mapping keeps working. */
TEST_F(teardown, remove_while_another_process_faults)
{
	const long pages = 4096;
	int status, id, ready[2];
	pid_t pid;
	char c;

	SHMDEMO_NEED_DEVICE(self->fd);
	id = shmdemo_new_bound(self->fd, pages * self->pg);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *p = mmap(NULL, pages * self->pg, PROT_READ | PROT_WRITE,
			       MAP_SHARED, self->fd, 0);
		long i;
		int pass;

		close(self->fd);	/* only the mapping holds it */
		if (p == MAP_FAILED || write(ready[1], "m", 1) != 1)
			_exit(1);
		for (pass = 1; pass <= 4; pass++)
			for (i = 0; i < pages; i++)
				p[i * self->pg] = (char)pass;
		for (i = 0; i < pages; i++)
			if (p[i * self->pg] != 4)
				_exit(2);
		_exit(0);
	}
	close(self->fd);
	self->fd = shmdemo_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	usleep(2000);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, id));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(ready[0]);
	close(ready[1]);
	EXPECT_NOTHING_LEFT();
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

/*
 * A shrink cutting the pages another process is faulting: each access
 * either sees the page (zero, or the stamp it wrote) or raises SIGBUS, and
 * only in the cut half; after the last shrink no cut page stays resident
 * and a regrown one reads zero.
 */
TEST_F(teardown, shrink_racing_faults_on_the_cut_pages)
{
	const long pages = 256, half = pages / 2;
	struct shmdemo_stat st;
	int status, id, cycles = 0;
	volatile char *p;
	double end;
	pid_t pid;
	long i;

	SHMDEMO_NEED_DEVICE(self->fd);
	id = shmdemo_new_bound(self->fd, pages * self->pg);
	ASSERT_LE(0, id);
	p = mmap(NULL, pages * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	end = shmdemo_now() + shmdemo_race_seconds(3);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		volatile long j = 0, bus = 0, seen = 0;

		signal(SIGBUS, on_sigbus);
		while (shmdemo_now() < end) {
			if (sigsetjmp(bus_jmp, 1)) {
				if (j < half)	/* never cut */
					_exit(3);
				bus++;
				j++;
				continue;
			}
			for (; j < pages; j++) {
				char v = p[j * self->pg];

				if (v != 0 && v != STAMP)
					_exit(4);
				p[j * self->pg] = STAMP;
				seen++;
			}
			j = 0;
		}
		/* The SIGBUS count depends on scheduling: only reported. */
		fprintf(stderr, "# %ld accesses, %ld SIGBUS in the cut half\n", (long)seen, (long)bus);
		_exit(seen ? 0 : 5);
	}
	while (shmdemo_now() < end) {
		ASSERT_EQ(0, shmdemo_resize(self->fd, id, half * self->pg));
		ASSERT_EQ(0, shmdemo_resize(self->fd, id, pages * self->pg));
		cycles++;
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("3: SIGBUS below the cut, 4: bad byte, 5: no access");
	TH_LOG("%d shrink/grow cycles", cycles);
	ASSERT_EQ(0, shmdemo_resize(self->fd, id, half * self->pg));
	ASSERT_EQ(0, shmdemo_stat(self->fd, id, &st));
	EXPECT_GE(half, st.counters.pages_resident);
	ASSERT_EQ(0, shmdemo_resize(self->fd, id, pages * self->pg));
	for (i = half; i < pages; i++)
		if (p[i * self->pg])
			break;
	EXPECT_EQ(pages, i);
	munmap((void *)p, pages * self->pg);
	EXPECT_EQ(0, shmdemo_rmid(self->fd, id));
	close(self->fd);
	self->fd = shmdemo_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	EXPECT_NOTHING_LEFT();
}

static int send_fds(int sock, const int *fds, int n)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))] = { 0 };
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -errno;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return fd;
}

/*
 * A process that exits with its mapping gone, its bound fd in flight in a
 * Unix socket nobody reads: closing the socket drops it.  Then the same in
 * a cycle only the socket garbage collector can break (the socket carrying
 * itself), and a receiver that maps what the dead creator sent.
 */
TEST_F(teardown, exit_with_fds_in_flight_over_a_unix_socket)
{
	int sv[2], status, mode, fd;
	pid_t pid;
	char *p;

	SHMDEMO_NEED_DEVICE(self->fd);
	for (mode = 0; mode < 3; mode++) {
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			int dfd = shmdemo_open(O_RDWR), id, fds[2];

			if (dfd < 0)
				_exit(1);
			id = shmdemo_new_bound(dfd, 16 * self->pg);
			p = mmap(NULL, 16 * self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
			if (id < 0 || p == MAP_FAILED)
				_exit(2);
			memcpy(p, &id, sizeof(id));	/* for the receiver */
			p[sizeof(id)] = STAMP;
			if (mode != 2 && shmdemo_rmid(dfd, id))
				_exit(3);
			fds[0] = dfd;
			fds[1] = sv[0];		/* mode 1: the socket in its own queue */
			if (send_fds(sv[1], fds, mode == 1 ? 2 : 1))
				_exit(4);
			_exit(0);	/* with the mapping: exit unmaps it */
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
		close(sv[1]);
		if (mode == 2) {
			/* The creator is dead; what it sent still maps its segment. */
			fd = recv_fd(sv[0]);
			ASSERT_LE(0, fd);
			p = mmap(NULL, 16 * self->pg, PROT_READ, MAP_SHARED, fd, 0);
			ASSERT_NE(MAP_FAILED, p);
			EXPECT_EQ(STAMP, p[sizeof(int)]);
			memcpy(&status, p, sizeof(status));	/* the id */
			munmap(p, 16 * self->pg);
			EXPECT_EQ(0, shmdemo_rmid(self->fd, status));
			close(fd);
		}
		close(sv[0]);
		EXPECT_NOTHING_LEFT();
	}
}

TEST_HARNESS_MAIN
