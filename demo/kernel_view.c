// SPDX-License-Identifier: GPL-2.0
/*
 * What the kernel says about memory and files, read where a user can read
 * it: /proc/self/pagemap (PFNs: root only), mincore(), getrusage(),
 * statfs(), /proc/self/maps, /proc/sysvipc/shm, and number files.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "demo.h"

long demo_pagesize(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* Physical frame of the page at @addr; 0 when absent or hidden (non-root). */
uint64_t demo_pfn(const void *addr)
{
	uint64_t entry = 0;
	off_t off = (off_t)((uintptr_t)addr / (uintptr_t)demo_pagesize() * sizeof(entry));
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

long demo_mincore(const void *addr, size_t len)
{
	size_t pg = (size_t)demo_pagesize(), n = (len + pg - 1) / pg, i;
	unsigned char *vec = calloc(n ? n : 1, 1);
	long resident = 0;

	if (!vec)
		return -ENOMEM;
	if (mincore((void *)((uintptr_t)addr & ~(uintptr_t)(pg - 1)), len, vec)) {
		free(vec);
		return -errno;
	}
	for (i = 0; i < n; i++)
		resident += vec[i] & 1;
	free(vec);
	return resident;
}

uint64_t demo_minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? 0 : (uint64_t)ru.ru_minflt;
}

static const struct {
	unsigned long magic;
	const char *name;
} demo_fs_names[] = {
	{ 0x01021994, "tmpfs" }, { 0xEF53, "ext4" }, { 0x794c7630, "overlayfs" },
	{ 0x9123683E, "btrfs" }, { 0x58465342, "xfs" }, { 0x01021997, "9p" },
	{ 0x6969, "nfs" }, { 0x65735546, "fuse" }, { 0x858458f6, "ramfs" },
};

int demo_fs_name(int fd, char *buf, size_t len)
{
	struct statfs sf;
	size_t i;

	if (fstatfs(fd, &sf))
		return -errno;
	for (i = 0; i < sizeof(demo_fs_names) / sizeof(demo_fs_names[0]); i++)
		if ((unsigned long)sf.f_type == demo_fs_names[i].magic) {
			snprintf(buf, len, "%s", demo_fs_names[i].name);
			return 0;
		}
	snprintf(buf, len, "fs 0x%lx", (unsigned long)sf.f_type);
	return 0;
}

/* The path /proc/self/maps shows for the mapping holding @addr. */
int demo_maps_name(const void *addr, char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/maps", "re");
	uintptr_t a = (uintptr_t)addr;
	char line[512];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		int pos = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &pos) < 2 || !pos)
			continue;
		if (a < lo || a >= hi)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, len, "%s", line[pos] ? line + pos : "[anonymous]");
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

long long demo_read_ll(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return (long long)strtoull(buf, NULL, 0);
}

/* Column @col (from 0; rss 14, swap 15, both bytes) of /proc/sysvipc/shm for @id. */
static long long demo_sysv_col(int id, int col)
{
	FILE *f = fopen("/proc/sysvipc/shm", "re");
	char line[512];
	long long ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long perms;	/* octal */
		long long v[16];
		int n = sscanf(line, "%lld %lld %llo %lld %lld %lld %lld %lld %lld %lld %lld "
				     "%lld %lld %lld %lld %lld",
			       &v[0], &v[1], &perms, &v[3], &v[4], &v[5], &v[6], &v[7], &v[8],
			       &v[9], &v[10], &v[11], &v[12], &v[13], &v[14], &v[15]);

		if (n > col && v[1] == id) {
			ret = v[col];
			break;
		}
	}
	fclose(f);
	return ret;
}

long long demo_sysv_rss(int id)
{
	return demo_sysv_col(id, 14);
}

long long demo_sysv_swap(int id)
{
	return demo_sysv_col(id, 15);
}

/* "name value" lines (/proc/vmstat) or "Name: value kB" (/proc/meminfo). */
long long demo_proc_value(const char *path, const char *name)
{
	FILE *f = fopen(path, "re");
	size_t len = strlen(name);
	char line[256];
	long long ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && (line[len] == ' ' || line[len] == ':')) {
			ret = strtoll(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return ret;
}

/*
 * A memory cgroup of its own under cgroup v2 with memory.high @high: 0
 * and its path in @path, or -errno (not root, no cgroup v2, no memory
 * controller).  memory.high, not memory.max: above it the cgroup's
 * tasks reclaim and are throttled, never OOM-killed - a swap-in's
 * read-ahead can overshoot a hard limit faster than reclaim frees.
 */
int demo_cgroup_make(char *path, size_t len, const char *tag, long long high)
{
	static const char root[] = "/sys/fs/cgroup";
	char file[320], val[32];
	int fd, n, ret = 0;

	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK))
		return -ENOENT;
	fd = open("/sys/fs/cgroup/cgroup.subtree_control", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, "+memory", 7) != 7)
		ret = -errno;
	close(fd);
	if (ret)
		return ret;
	snprintf(path, len, "%s/shmdemo-demo-%s-%d", root, tag, (int)getpid());
	if (mkdir(path, 0755))
		return -errno;
	snprintf(file, sizeof(file), "%s/memory.high", path);
	n = snprintf(val, sizeof(val), "%lld", high);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, val, (size_t)n) != n)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (ret)
		rmdir(path);
	return ret;
}

/* Move the calling process into the cgroup @path. */
int demo_cgroup_enter(const char *path)
{
	char file[320], pid[24];
	int fd, n, ret = 0;

	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	n = snprintf(pid, sizeof(pid), "%d", (int)getpid());
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, pid, (size_t)n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

/* Remove it once its processes are gone (their exit is reaped a moment later). */
void demo_cgroup_remove(const char *path)
{
	int i;

	for (i = 0; i < 50 && rmdir(path) && errno == EBUSY; i++)
		usleep(20000);
}

/*
 * The line of @path (a /proc listing) whose column @col (0-based) is @id,
 * with runs of blanks squeezed; -ENOENT if none.
 */
int demo_proc_line(const char *path, int col, long long id, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	char line[512];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (ret && fgets(line, sizeof(line), f)) {
		char copy[512], *tok, *save = NULL;
		size_t n = 0;
		int i = 0;

		memcpy(copy, line, sizeof(copy));
		for (tok = strtok_r(copy, " \t\n", &save); tok && i < col; i++)
			tok = strtok_r(NULL, " \t\n", &save);
		if (!tok || strtoll(tok, NULL, 10) != id || !strchr("-0123456789", tok[0]))
			continue;
		save = NULL;
		for (tok = strtok_r(line, " \t\n", &save); tok && n < len;
		     tok = strtok_r(NULL, " \t\n", &save))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "", tok);
		ret = 0;
	}
	fclose(f);
	return ret;
}

/* A fresh path for @tag under $TMPDIR (or /tmp). */
static const char *demo_disk_dir;

void demo_set_disk(const char *dir)
{
	demo_disk_dir = dir;
}

const char *demo_disk(void)
{
	const char *env = getenv("SHMDEMO_DISK");

	if (demo_disk_dir)
		return demo_disk_dir;
	return env && *env ? env : NULL;
}

static int demo_name_in(char *buf, size_t len, const char *dir, const char *tag)
{
	static int serial;

	snprintf(buf, len, "%s/shmdemo-demo-%s-%d-%d", dir, tag, (int)getpid(), serial++);
	return 0;
}

int demo_tmpname(char *buf, size_t len, const char *tag)
{
	const char *dir = getenv("TMPDIR");

	return demo_name_in(buf, len, dir && *dir ? dir : "/tmp", tag);
}

int demo_disk_name(char *buf, size_t len, const char *tag)
{
	return demo_disk() ? demo_name_in(buf, len, demo_disk(), tag) : -ENOENT;
}
