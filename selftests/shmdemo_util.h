/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the shmdemo selftests: thin ioctl wrappers that fill
 * the size field and return -errno, and process helpers.
 */
#ifndef SHMDEMO_UTIL_H
#define SHMDEMO_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/shmdemo.h>

#define SHMDEMO_PARAM_DIR "/sys/module/shmdemo/parameters/"

/*
 * SKIP from a FIXTURE_SETUP() does not stop the test body in the 6.1
 * harness (newer ones return early): every TEST_F() whose fixture opens the
 * device starts with this.
 */
#define SHMDEMO_NEED_DEVICE(fd)						\
	do {								\
		if ((fd) < 0)						\
			SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded"); \
	} while (0)

static inline long shmdemo_page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* Open the device; -errno if absent (tests SKIP on -ENOENT). */
static inline int shmdemo_open(int flags)
{
	int fd = open(SHMDEMO_DEVICE, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static inline int shmdemo_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

/* Find or create; returns the id or -errno. */
static inline int shmdemo_get(int fd, int key, uint64_t bytes, uint32_t flags,
			      uint32_t mode)
{
	struct shmdemo_get g = {
		.size = sizeof(g), .key = key, .bytes = bytes,
		.flags = flags, .mode = mode,
	};
	int ret = shmdemo_ioctl(fd, SHMDEMO_IOC_GET, &g);

	return ret ? ret : g.id;
}

static inline int shmdemo_bind(int fd, int id, uint32_t flags)
{
	struct shmdemo_bind b = { .size = sizeof(b), .id = id, .flags = flags };

	return shmdemo_ioctl(fd, SHMDEMO_IOC_BIND, &b);
}

static inline int shmdemo_stat(int fd, int id, struct shmdemo_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->id = id;
	return shmdemo_ioctl(fd, SHMDEMO_IOC_STAT, st);
}

static inline int shmdemo_rmid(int fd, int id)
{
	struct shmdemo_id r = { .size = sizeof(r), .id = id };

	return shmdemo_ioctl(fd, SHMDEMO_IOC_RMID, &r);
}

static inline int shmdemo_resize(int fd, int id, uint64_t bytes)
{
	struct shmdemo_resize r = { .size = sizeof(r), .id = id, .bytes = bytes };

	return shmdemo_ioctl(fd, SHMDEMO_IOC_RESIZE, &r);
}

static inline int shmdemo_set(int fd, int id, uint32_t valid, uint32_t uid,
			      uint32_t gid, uint32_t mode)
{
	struct shmdemo_set s = {
		.size = sizeof(s), .id = id, .valid = valid,
		.uid = uid, .gid = gid, .mode = mode,
	};

	return shmdemo_ioctl(fd, SHMDEMO_IOC_SET, &s);
}

static inline int shmdemo_info(int fd, struct shmdemo_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return shmdemo_ioctl(fd, SHMDEMO_IOC_INFO, info);
}

/*
 * A new private segment of @bytes, with @fd (opened O_RDWR) bound to it.
 * Returns the id or -errno.
 */
static inline int shmdemo_new_bound(int fd, uint64_t bytes)
{
	int id = shmdemo_get(fd, SHMDEMO_KEY_PRIVATE, bytes, SHMDEMO_GET_CREATE, 0600);
	int ret;

	if (id < 0)
		return id;
	ret = shmdemo_bind(fd, id, 0);
	return ret ? ret : id;
}

/* Read or write a module parameter; -errno on failure. */
static inline long shmdemo_param_get(const char *name)
{
	char path[256], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SHMDEMO_PARAM_DIR "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return strtol(buf, NULL, 0);
}

static inline int shmdemo_param_set(const char *name, unsigned long val)
{
	char path[256], buf[64];
	int fd, len, ret = 0;

	snprintf(path, sizeof(path), SHMDEMO_PARAM_DIR "%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%lu\n", val);
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Run @fn(@arg) in a child process, optionally as @uid/@gid (when uid >= 0),
 * and return its exit status, or 128 + signal if it was killed.
 */
static inline int shmdemo_run_child(int (*fn)(void *arg), void *arg, int uid, int gid)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (uid >= 0) {
			if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
			    setresuid(uid, uid, uid))
				_exit(99);
		}
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/*
 * Touch one byte at @p (read or write) and report the signal it raised:
 * 0, SIGBUS or SIGSEGV.  Uses a child so a signal never hits the test.
 */
static inline int shmdemo_touch_signal(volatile char *p, bool write)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (write)
			*p = 1;
		else
			(void)*p;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* The calling process's minor faults so far (getrusage()). */
static inline uint64_t shmdemo_minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * The module's reference count (/sys/module/shmdemo/refcnt), or -1 (not
 * loaded).  Every open /dev/shmdemo, every internal file of a segment and
 * the segments' mount hold one.
 */
static inline long shmdemo_module_refcnt(void)
{
	char buf[32];
	ssize_t n;
	int fd = open("/sys/module/shmdemo/refcnt", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* Physical frame of the page at @addr via /proc/self/pagemap; 0 if unknown. */
static inline uint64_t shmdemo_pfn(const void *addr)
{
	uint64_t entry = 0;
	off_t off = (uintptr_t)addr / shmdemo_page_size() * sizeof(entry);
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry), off) != sizeof(entry))
		entry = 0;
	close(fd);
	if (!(entry & (1ULL << 63)))	/* not present */
		return 0;
	return entry & ((1ULL << 55) - 1);
}

/* CLOCK_MONOTONIC in seconds. */
static inline double shmdemo_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Seconds a race test runs: SHMDEMO_RACE_SECONDS, or @dflt (short, for
 * the suite under TCG; longer runs find rarer interleavings).
 */
static inline double shmdemo_race_seconds(double dflt)
{
	const char *s = getenv("SHMDEMO_RACE_SECONDS");

	return s ? strtod(s, NULL) : dflt;
}

/* Write @s to the file at @path (sysctl, debugfs, /proc); 0 or -errno. */
static inline int shmdemo_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -errno;
	close(fd);
	return ret;
}

/* rmmod shmdemo without waiting: 0, or -EWOULDBLOCK while it is in use. */
static inline int shmdemo_unload(void)
{
	return syscall(__NR_delete_module, "shmdemo", O_NONBLOCK) ? -errno : 0;
}

/* Load the module again from $SHMDEMO_MODULE (set by tools/vm/run). */
static inline int shmdemo_reload(void)
{
	const char *path = getenv("SHMDEMO_MODULE");
	int fd, ret = 0;

	if (!path)
		return -ENOENT;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(__NR_finit_module, fd, "", 0))
		ret = -errno;
	close(fd);
	return ret;
}

/* A /proc/meminfo field in KiB, or -1. */
static inline long shmdemo_meminfo_kb(const char *field)
{
	char line[256];
	size_t len = strlen(field);
	long val = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':') {
			val = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return val;
}

/*
 * Free memory in KiB: MemFree plus the pages parked on per-cpu free lists
 * (/proc/zoneinfo "count:" of each pageset).  Those lists can hold tens of
 * MiB of just-freed pages on 6.12 (auto-tuned pcp high), which MemFree
 * alone would call a leak.
 */
static inline long shmdemo_free_kb(void)
{
	long pcp_pages = 0, n;
	char line[256];
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &n) == 1)
			pcp_pages += n;
	fclose(f);
	return shmdemo_meminfo_kb("MemFree") + pcp_pages * (shmdemo_page_size() / 1024);
}

#endif /* SHMDEMO_UTIL_H */
