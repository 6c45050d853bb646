// SPDX-License-Identifier: GPL-2.0
/*
 * The System V shim (lib/libshmdemo-sysv.so): an unmodified SysV program
 * gives the same output natively and under LD_PRELOAD=shim, with its
 * segment really on /dev/shmdemo; and call by call, shmget / shmat / shmdt /
 * shmctl through the shim give the same results, errno values and shmid_ds
 * fields as the native calls.  To call both in one process the shim is
 * dlopen()ed and its functions taken from that handle; libc's stay what
 * this program calls by name.
 *
 * The shim is $SHMDEMO_SHIM, or ../lib/libshmdemo-sysv.so next to this
 * binary's directory; the helper programs sysv_people_write and
 * sysv_people_read sit next to this binary.
 */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <sys/ipc.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/statvfs.h>

#include "kselftest_harness.h"
#include "shmdemo_util.h"

/* The records the helper programs write and print. */
static const char people_out[] =
	"name: b age 20\nname: c age 21\nname: d age 22\nname: e age 23\n"
	"name: f age 24\nname: g age 25\nname: h age 26\nname: i age 27\n"
	"name: j age 28\nname: k age 29\n";

/* The shim's four functions, from a dlopen() handle. */
struct shim {
	void *handle;
	int (*get)(key_t key, size_t size, int shmflg);
	void *(*at)(int shmid, const void *addr, int shmflg);
	int (*dt)(const void *addr);
	int (*ctl)(int shmid, int cmd, struct shmid_ds *buf);
};

#define NOT_ATTACHED ((void *)-1)

/* SHM_HUGETLB's page size (<linux/shm.h> can't come with <sys/shm.h>). */
#ifndef SHM_HUGE_SHIFT
#define SHM_HUGE_SHIFT	26
#endif
#define HUGE_1MB	(20 << SHM_HUGE_SHIFT)	/* no such huge page on x86_64 */
#define HUGE_2MB	(21 << SHM_HUGE_SHIFT)
#define HUGE_1GB	(30 << SHM_HUGE_SHIFT)

#define NOBODY		65534

#define SYSCTL_SHMMAX	"/proc/sys/kernel/shmmax"
#define SYSCTL_SHMALL	"/proc/sys/kernel/shmall"
#define SYSCTL_SHMMNI	"/proc/sys/kernel/shmmni"
#define SYSCTL_HUGE_GRP	"/proc/sys/vm/hugetlb_shm_group"

/* Directory of this binary, from /proc/self/exe. */
static bool exe_dir(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return false;
	exe[n] = '\0';
	return snprintf(buf, len, "%s", dirname(exe)) < (int)len;
}

static bool shim_path(char *buf, size_t len)
{
	const char *env = getenv("SHMDEMO_SHIM");
	char dir[PATH_MAX];

	if (env && *env)
		return snprintf(buf, len, "%s", env) < (int)len;
	if (!exe_dir(dir, sizeof(dir)))
		return false;
	return snprintf(buf, len, "%s/../lib/libshmdemo-sysv.so", dir) < (int)len;
}

static bool helper_path(const char *name, char *buf, size_t len)
{
	char dir[PATH_MAX];

	if (!exe_dir(dir, sizeof(dir)) || snprintf(buf, len, "%s/%s", dir, name) >= (int)len)
		return false;
	return access(buf, X_OK) == 0;
}

/*
 * dlopen() the shim with @keys as SHMDEMO_SYSV_KEYS (NULL: unset; the shim
 * reads its environment once, when it is loaded).  Returns NULL, or why
 * the tests must skip.
 */
static const char *shim_load(struct shim *s, const char *keys)
{
	static char why[PATH_MAX + 64];
	char path[PATH_MAX] = "";

	memset(s, 0, sizeof(*s));
	if (!shim_path(path, sizeof(path)) || access(path, R_OK)) {
		snprintf(why, sizeof(why), "no shim at '%s' (build it, or set SHMDEMO_SHIM)", path);
		return why;
	}
	unsetenv("SHMDEMO_SYSV");
	if (keys)
		setenv("SHMDEMO_SYSV_KEYS", keys, 1);
	else
		unsetenv("SHMDEMO_SYSV_KEYS");
	s->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!s->handle) {
		snprintf(why, sizeof(why), "dlopen %s: %s", path, dlerror());
		return why;
	}
	s->get = (int (*)(key_t, size_t, int))dlsym(s->handle, "shmget");
	s->at = (void *(*)(int, const void *, int))dlsym(s->handle, "shmat");
	s->dt = (int (*)(const void *))dlsym(s->handle, "shmdt");
	s->ctl = (int (*)(int, int, struct shmid_ds *))dlsym(s->handle, "shmctl");
	if (!s->get || !s->at || !s->dt || !s->ctl) {
		snprintf(why, sizeof(why), "%s does not export shmget/shmat/shmdt/shmctl", path);
		return why;
	}
	return NULL;
}

/* A call's result as a number: the value, or -errno. */
static int res(int ret)
{
	return ret < 0 ? -errno : ret;
}

/* shmat()'s result: 0 for an attach at @want (any address if NULL), or -errno. */
static int res_at(void *p, const void *want)
{
	if (p == NOT_ATTACHED)
		return -errno;
	return !want || p == want ? 0 : -ERANGE;
}

/* The address of a free range of @len bytes (reserved, then released). */
static char *free_range(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, len);
	return p;
}

/* Find the device segment with @key through LIST + STAT; its id or -ENOENT. */
static int dev_find_key(int fd, int key, struct shmdemo_stat *st)
{
	int32_t ids[1024];
	struct shmdemo_list list = {
		.size = sizeof(list), .count = 1024, .ids_ptr = (uintptr_t)ids,
	};
	uint32_t i;

	if (shmdemo_ioctl(fd, SHMDEMO_IOC_LIST, &list))
		return -EIO;
	for (i = 0; i < list.count && i < 1024; i++)
		if (!shmdemo_stat(fd, ids[i], st) && st->key == key)
			return ids[i];
	return -ENOENT;
}

/* Remove whatever has @key, natively and on the device. */
static void remove_key(int fd, int key)
{
	struct shmdemo_stat st;
	int id;

	id = shmget(key, 0, 0);
	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
	id = dev_find_key(fd, key, &st);
	if (id >= 0)
		shmdemo_rmid(fd, id);
}

/*
 * Run PROG ARG1 [ARG2] with LD_PRELOAD=@preload (unset if NULL) and
 * SHMDEMO_SYSV/SHMDEMO_SYSV_KEYS as given (unset if NULL); its stdout goes
 * to @out.  Returns the exit status (128 + signal), -errno on failure; the
 * child's pid in *@pidp.
 */
static int run_prog(const char *prog, const char *arg1, const char *arg2,
		    const char *preload, const char *sysv, const char *keys,
		    char *out, size_t outlen, pid_t *pidp)
{
	size_t got = 0;
	int p[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(p))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		if (preload)
			setenv("LD_PRELOAD", preload, 1);
		else
			unsetenv("LD_PRELOAD");
		if (sysv)
			setenv("SHMDEMO_SYSV", sysv, 1);
		else
			unsetenv("SHMDEMO_SYSV");
		if (keys)
			setenv("SHMDEMO_SYSV_KEYS", keys, 1);
		else
			unsetenv("SHMDEMO_SYSV_KEYS");
		execl(prog, prog, arg1, arg2, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (got + 1 < outlen && (n = read(p[0], out + got, outlen - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(p[0]);
	if (pidp)
		*pidp = pid;
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

FIXTURE(shim) {
	int fd;			/* /dev/shmdemo, for checks and cleanup */
	const char *skip;	/* why the shim can't be tested, or NULL */
	struct shim s;		/* loaded by NEED_SHIM() */
	char shim[PATH_MAX];
	int key;		/* base of this test's keys (key .. key + 15) */
	long pg;
	int native_ids[32], nr_native;
	int dev_ids[32], nr_dev;
	/* sysctls the test changed and their old values, for sysctl_restore() */
	char sysctl_path[4][64], sysctl_old[4][64];
	int nr_sysctl;
};

static int sysctl_restore(FIXTURE_DATA(shim) *self);

FIXTURE_SETUP(shim)
{
	self->pg = shmdemo_page_size();
	self->key = 0x5e000000 | ((getpid() & 0xffff) << 4);
	self->fd = shmdemo_open(O_RDWR);
	if (self->fd == -ENOENT)
		SKIP(return, "no " SHMDEMO_DEVICE ": module not loaded");
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(shim)
{
	int i;

	sysctl_restore(self);
	for (i = 0; i < self->nr_native; i++)
		shmctl(self->native_ids[i], IPC_RMID, NULL);
	for (i = 0; i < self->nr_dev && self->fd >= 0; i++)
		shmdemo_rmid(self->fd, self->dev_ids[i]);
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Start of every test: the device (the 6.1 harness runs the body after a
 * SKIP in the setup), then the shim, loaded with SHMDEMO_SYSV_KEYS=@keys
 * (NULL: unset) in this test's own process.
 */
#define NEED_SHIM(keys) do {						\
	SHMDEMO_NEED_DEVICE(self->fd);					\
	self->skip = shim_load(&self->s, keys);				\
	if (self->skip)							\
		SKIP(return, "%s", self->skip);				\
	ASSERT_TRUE(shim_path(self->shim, sizeof(self->shim)));		\
} while (0)

/* Note ids for the teardown to remove (failed calls are ignored). */
static int native_id(FIXTURE_DATA(shim) *self, int id)
{
	if (id >= 0 && self->nr_native < 32)
		self->native_ids[self->nr_native++] = id;
	return id;
}

static int dev_id(FIXTURE_DATA(shim) *self, int id)
{
	if (id >= 0 && self->nr_dev < 32)
		self->dev_ids[self->nr_dev++] = id;
	return id;
}

/* The same call natively and through the shim: both must give @want. */
#define EXPECT_BOTH(want, native, shimmed) do {				\
	int __n = (native), __s = (shimmed);				\
	EXPECT_EQ(want, __n) TH_LOG("native: %s", #native);		\
	EXPECT_EQ(want, __s) TH_LOG("shim: %s", #shimmed);		\
} while (0)

/*
 * The article's writer and reader, unmodified: natively, then with the
 * shim preloaded.  Same output; under the shim the segment is on the
 * device and native SysV never sees it.
 */
TEST_F(shim, writer_then_reader_identical_natively_and_under_shim)
{
	char writer[PATH_MAX], reader[PATH_MAX], exe[PATH_MAX];
	char out_native[1024], out_shim[1024], out[1024];
	struct shmdemo_stat st;
	pid_t wpid, rpid;
	key_t key;
	int id;

	NEED_SHIM(NULL);
	if (!helper_path("sysv_people_write", writer, sizeof(writer)) ||
	    !helper_path("sysv_people_read", reader, sizeof(reader)))
		SKIP(return, "sysv_people_write/sysv_people_read not next to the test");
	ASSERT_NE(NULL, realpath("/proc/self/exe", exe));
	key = ftok(exe, 0);
	ASSERT_NE(-1, key);
	ASSERT_NE(IPC_PRIVATE, key);
	remove_key(self->fd, key);

	/* Natively. */
	ASSERT_EQ(0, run_prog(writer, exe, NULL, NULL, NULL, NULL, out, sizeof(out), NULL));
	id = native_id(self, shmget(key, 0, 0));
	ASSERT_LE(0, id);
	EXPECT_EQ(-ENOENT, dev_find_key(self->fd, key, &st));
	ASSERT_EQ(0, run_prog(reader, exe, NULL, NULL, NULL, NULL,
			      out_native, sizeof(out_native), NULL));
	ASSERT_EQ(0, run_prog(reader, exe, "rm", NULL, NULL, NULL, out, sizeof(out), NULL));
	EXPECT_STREQ(out_native, out);
	EXPECT_EQ(-ENOENT, res(shmget(key, 0, 0)));

	/* Under the shim: the segment is on the device, not in SysV. */
	ASSERT_EQ(0, run_prog(writer, exe, NULL, self->shim, NULL, NULL,
			      out, sizeof(out), &wpid));
	EXPECT_EQ(-ENOENT, res(shmget(key, 0, 0)));
	id = dev_id(self, dev_find_key(self->fd, key, &st));
	ASSERT_LE(0, id);
	EXPECT_EQ(4096, st.bytes);
	EXPECT_EQ(0666, st.mode);
	EXPECT_EQ(0, st.nattch);
	EXPECT_EQ(wpid, st.cpid);
	EXPECT_EQ(wpid, st.lpid);
	EXPECT_NE(0, st.atime);
	EXPECT_NE(0, st.dtime);
	/* The writes went through the device's fault path. */
	EXPECT_LE(1, st.counters.write_faults);
	EXPECT_EQ(1, st.counters.pages_resident);

	ASSERT_EQ(0, run_prog(reader, exe, NULL, self->shim, NULL, NULL,
			      out_shim, sizeof(out_shim), &rpid));
	ASSERT_EQ(0, shmdemo_stat(self->fd, id, &st));
	EXPECT_EQ(rpid, st.lpid);
	EXPECT_EQ(0, st.nattch);
	EXPECT_EQ(-ENOENT, res(shmget(key, 0, 0)));

	ASSERT_EQ(0, run_prog(reader, exe, "rm", self->shim, NULL, NULL,
			      out, sizeof(out), NULL));
	EXPECT_STREQ(out_shim, out);
	EXPECT_EQ(-ENOENT, dev_find_key(self->fd, key, &st));
	EXPECT_EQ(-EINVAL, shmdemo_stat(self->fd, id, &st));
	EXPECT_EQ(-ENOENT, res(shmget(key, 0, 0)));

	/* Byte for byte the same, and what the writer wrote. */
	EXPECT_EQ(strlen(people_out), strlen(out_native));
	EXPECT_EQ(strlen(out_native), strlen(out_shim));
	EXPECT_STREQ(people_out, out_native);
	EXPECT_STREQ(out_native, out_shim);
}

/* SHMDEMO_SYSV=0 turns the preloaded shim off: the program stays native. */
TEST_F(shim, sysv_0_in_env_keeps_preloaded_program_native)
{
	char writer[PATH_MAX], reader[PATH_MAX], exe[PATH_MAX], out[1024];
	struct shmdemo_stat st;
	key_t key;

	NEED_SHIM(NULL);
	if (!helper_path("sysv_people_write", writer, sizeof(writer)) ||
	    !helper_path("sysv_people_read", reader, sizeof(reader)))
		SKIP(return, "sysv_people_write/sysv_people_read not next to the test");
	ASSERT_NE(NULL, realpath("/proc/self/exe", exe));
	key = ftok(exe, 0);
	ASSERT_NE(-1, key);
	remove_key(self->fd, key);

	ASSERT_EQ(0, run_prog(writer, exe, NULL, self->shim, "0", NULL, out, sizeof(out), NULL));
	EXPECT_LE(0, native_id(self, shmget(key, 0, 0)));
	EXPECT_EQ(-ENOENT, dev_find_key(self->fd, key, &st));
	ASSERT_EQ(0, run_prog(reader, exe, "rm", self->shim, "0", NULL, out, sizeof(out), NULL));
	EXPECT_STREQ(people_out, out);
	EXPECT_EQ(-ENOENT, res(shmget(key, 0, 0)));
}

/* SHMDEMO_SYSV_KEYS=LO-HI: only keys in the range go to the device. */
TEST_F(shim, sysv_keys_in_env_routes_only_keys_in_range)
{
	char writer[PATH_MAX], reader[PATH_MAX], exe[PATH_MAX], out[1024];
	char in[64], below[64];
	struct shmdemo_stat st;
	key_t key;

	NEED_SHIM(NULL);
	if (!helper_path("sysv_people_write", writer, sizeof(writer)) ||
	    !helper_path("sysv_people_read", reader, sizeof(reader)))
		SKIP(return, "sysv_people_write/sysv_people_read not next to the test");
	ASSERT_NE(NULL, realpath("/proc/self/exe", exe));
	key = ftok(exe, 0);
	ASSERT_LT(1, key);
	remove_key(self->fd, key);
	snprintf(in, sizeof(in), "%#x-%d", (unsigned int)key - 1, key);
	snprintf(below, sizeof(below), "0-%d", key - 1);

	/* In the range: on the device. */
	ASSERT_EQ(0, run_prog(writer, exe, NULL, self->shim, NULL, in, out, sizeof(out), NULL));
	EXPECT_EQ(-ENOENT, res(shmget(key, 0, 0)));
	EXPECT_LE(0, dev_id(self, dev_find_key(self->fd, key, &st)));
	ASSERT_EQ(0, run_prog(reader, exe, "rm", self->shim, NULL, in, out, sizeof(out), NULL));
	EXPECT_STREQ(people_out, out);
	EXPECT_EQ(-ENOENT, dev_find_key(self->fd, key, &st));

	/* Outside it: native. */
	ASSERT_EQ(0, run_prog(writer, exe, NULL, self->shim, NULL, below, out, sizeof(out), NULL));
	EXPECT_LE(0, native_id(self, shmget(key, 0, 0)));
	EXPECT_EQ(-ENOENT, dev_find_key(self->fd, key, &st));
	ASSERT_EQ(0, run_prog(reader, exe, "rm", self->shim, NULL, below, out, sizeof(out), NULL));
	EXPECT_STREQ(people_out, out);
	EXPECT_EQ(-ENOENT, res(shmget(key, 0, 0)));
}

static unsigned long read_ulong(const char *path)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtoul(buf, NULL, 0);
}

/* shmget(): ENOENT, EEXIST, EINVAL (too big, 0, bigger than the segment). */
TEST_F(shim, shmget_errors_match_native)
{
	struct shmdemo_info info;
	unsigned long shmmax;
	int k = self->key;

	NEED_SHIM(NULL);
	EXPECT_BOTH(-ENOENT, res(shmget(k, 4096, 0600)), res(self->s.get(k, 4096, 0600)));

	ASSERT_LE(0, native_id(self, shmget(k, 4096, IPC_CREAT | 0600)));
	ASSERT_LE(0, dev_id(self, self->s.get(k, 4096, IPC_CREAT | 0600)));
	EXPECT_BOTH(-EEXIST, res(shmget(k, 4096, IPC_CREAT | IPC_EXCL | 0600)),
		    res(self->s.get(k, 4096, IPC_CREAT | IPC_EXCL | 0600)));
	/* Found, without IPC_EXCL: the same id again. */
	EXPECT_EQ(self->native_ids[0], res(shmget(k, 4096, IPC_CREAT | 0600)));
	EXPECT_EQ(self->dev_ids[0], res(self->s.get(k, 4096, IPC_CREAT | 0600)));
	EXPECT_EQ(self->native_ids[0], res(shmget(k, 0, 0)));
	EXPECT_EQ(self->dev_ids[0], res(self->s.get(k, 0, 0)));
	/* An existing key asked for more than its size. */
	EXPECT_BOTH(-EINVAL, res(shmget(k, 4097, 0600)), res(self->s.get(k, 4097, 0600)));
	EXPECT_BOTH(-EINVAL, res(shmget(k, 8192, IPC_CREAT | 0600)),
		    res(self->s.get(k, 8192, IPC_CREAT | 0600)));

	/* New segments of size 0 or over both shmmax and max_seg_bytes. */
	EXPECT_BOTH(-EINVAL, res(shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600)),
		    res(self->s.get(IPC_PRIVATE, 0, IPC_CREAT | 0600)));
	EXPECT_BOTH(-EINVAL, res(shmget(k + 1, 0, IPC_CREAT | 0600)),
		    res(self->s.get(k + 1, 0, IPC_CREAT | 0600)));
	shmmax = read_ulong("/proc/sys/kernel/shmmax");
	ASSERT_EQ(0, shmdemo_info(self->fd, &info));
	if (shmmax == SIZE_MAX || info.max_seg_bytes == SIZE_MAX)
		SKIP(return, "shmmax or max_seg_bytes is SIZE_MAX: nothing is too big");
	EXPECT_BOTH(-EINVAL, res(shmget(IPC_PRIVATE, SIZE_MAX, IPC_CREAT | 0600)),
		    res(self->s.get(IPC_PRIVATE, SIZE_MAX, IPC_CREAT | 0600)));
	EXPECT_BOTH(-EINVAL, res(shmget(k + 1, SIZE_MAX, IPC_CREAT | 0600)),
		    res(self->s.get(k + 1, SIZE_MAX, IPC_CREAT | 0600)));
	EXPECT_BOTH(-ENOENT, res(shmget(k + 1, 4096, 0)), res(self->s.get(k + 1, 4096, 0)));
}

/*
 * shmat(): bad ids, address alignment and SHM_RND, SHM_REMAP, a range
 * already in use.
 */
TEST_F(shim, shmat_errors_and_addresses_match_native)
{
	int n, d, dead_n, dead_d;
	char *base, *anon;
	long pg = self->pg;

	NEED_SHIM(NULL);
	n = native_id(self, shmget(IPC_PRIVATE, 2 * pg, IPC_CREAT | 0600));
	d = dev_id(self, self->s.get(IPC_PRIVATE, 2 * pg, IPC_CREAT | 0600));
	ASSERT_LE(0, n);
	ASSERT_LE(0, d);

	/* Ids that no longer exist, -1, INT_MAX. */
	dead_n = shmget(IPC_PRIVATE, pg, IPC_CREAT | 0600);
	dead_d = self->s.get(IPC_PRIVATE, pg, IPC_CREAT | 0600);
	ASSERT_LE(0, dead_n);
	ASSERT_LE(0, dead_d);
	ASSERT_EQ(0, shmctl(dead_n, IPC_RMID, NULL));
	ASSERT_EQ(0, self->s.ctl(dead_d, IPC_RMID, NULL));
	EXPECT_BOTH(-EINVAL, res_at(shmat(dead_n, NULL, 0), NULL),
		    res_at(self->s.at(dead_d, NULL, 0), NULL));
	EXPECT_BOTH(-EINVAL, res_at(shmat(-1, NULL, 0), NULL),
		    res_at(self->s.at(-1, NULL, 0), NULL));
	EXPECT_BOTH(-EINVAL, res_at(shmat(INT_MAX, NULL, 0), NULL),
		    res_at(self->s.at(INT_MAX, NULL, 0), NULL));

	/* SHM_REMAP needs an address. */
	EXPECT_BOTH(-EINVAL, res_at(shmat(n, NULL, SHM_REMAP), NULL),
		    res_at(self->s.at(d, NULL, SHM_REMAP), NULL));

	/* Unaligned: EINVAL, or rounded down with SHM_RND. */
	base = free_range(4 * pg);
	ASSERT_NE(NULL, base);
	EXPECT_BOTH(-EINVAL, res_at(shmat(n, base + 100, 0), NULL),
		    res_at(self->s.at(d, base + 100, 0), NULL));
	EXPECT_BOTH(0, res_at(shmat(n, base + 100, SHM_RND), base),
		    res_at(self->s.at(d, base + 2 * pg + 100, SHM_RND), base + 2 * pg));
	EXPECT_BOTH(0, shmdt(base), self->s.dt(base + 2 * pg));
	/* A page-aligned address is taken as is. */
	EXPECT_BOTH(0, res_at(shmat(n, base, 0), base),
		    res_at(self->s.at(d, base + 2 * pg, 0), base + 2 * pg));
	EXPECT_BOTH(0, shmdt(base), self->s.dt(base + 2 * pg));

	/* A range in use: EINVAL, unless SHM_REMAP takes it over. */
	anon = mmap(base, 4 * pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(base, anon);
	EXPECT_BOTH(-EINVAL, res_at(shmat(n, base, 0), NULL),
		    res_at(self->s.at(d, base + 2 * pg, 0), NULL));
	EXPECT_BOTH(-EINVAL, res_at(shmat(n, base + pg, 0), NULL),
		    res_at(self->s.at(d, base + 3 * pg, 0), NULL));
	EXPECT_BOTH(0, res_at(shmat(n, base, SHM_REMAP), base),
		    res_at(self->s.at(d, base + 2 * pg, SHM_REMAP), base + 2 * pg));
	base[0] = 'n';
	base[2 * pg] = 'd';
	EXPECT_BOTH(0, shmdt(base), self->s.dt(base + 2 * pg));
	/* Detached twice: the second is EINVAL. */
	EXPECT_BOTH(-EINVAL, res(shmdt(base)), res(self->s.dt(base + 2 * pg)));
	munmap(base, 4 * pg);
}

/* shmctl(): bad ids, unknown commands, NULL buffers, RMID twice. */
TEST_F(shim, shmctl_errors_match_native)
{
	struct shmid_ds ds;
	int n, d;

	NEED_SHIM(NULL);
	n = native_id(self, shmget(IPC_PRIVATE, self->pg, IPC_CREAT | 0600));
	d = dev_id(self, self->s.get(IPC_PRIVATE, self->pg, IPC_CREAT | 0600));
	ASSERT_LE(0, n);
	ASSERT_LE(0, d);

	EXPECT_BOTH(-EINVAL, res(shmctl(-1, IPC_STAT, &ds)), res(self->s.ctl(-1, IPC_STAT, &ds)));
	EXPECT_BOTH(-EINVAL, res(shmctl(INT_MAX, IPC_STAT, &ds)),
		    res(self->s.ctl(INT_MAX, IPC_STAT, &ds)));
	EXPECT_BOTH(-EINVAL, res(shmctl(n, 12345, &ds)), res(self->s.ctl(d, 12345, &ds)));
	EXPECT_BOTH(-EINVAL, res(shmctl(n, -1, &ds)), res(self->s.ctl(d, -1, &ds)));
	EXPECT_BOTH(-EINVAL, res(shmctl(-1, IPC_INFO, &ds)), res(self->s.ctl(-1, IPC_INFO, &ds)));
	/* NULL buffers: EFAULT, but a bad id is still EINVAL for IPC_STAT. */
	EXPECT_BOTH(-EFAULT, res(shmctl(n, IPC_STAT, NULL)), res(self->s.ctl(d, IPC_STAT, NULL)));
	EXPECT_BOTH(-EINVAL, res(shmctl(INT_MAX, IPC_STAT, NULL)),
		    res(self->s.ctl(INT_MAX, IPC_STAT, NULL)));
	EXPECT_BOTH(-EFAULT, res(shmctl(n, IPC_SET, NULL)), res(self->s.ctl(d, IPC_SET, NULL)));
	EXPECT_BOTH(-EFAULT, res(shmctl(INT_MAX, IPC_SET, NULL)),
		    res(self->s.ctl(INT_MAX, IPC_SET, NULL)));
	EXPECT_BOTH(-EFAULT, res(shmctl(0, IPC_INFO, NULL)), res(self->s.ctl(0, IPC_INFO, NULL)));
	/* IPC_64 in cmd: whatever this architecture's kernel makes of it. */
	EXPECT_EQ(res(shmctl(n, IPC_STAT | 0x0100, &ds)), res(self->s.ctl(d, IPC_STAT | 0x0100, &ds)));
	/* SHM_LOCK, SHM_UNLOCK as root; a bad id. */
	EXPECT_BOTH(0, res(shmctl(n, SHM_LOCK, NULL)), res(self->s.ctl(d, SHM_LOCK, NULL)));
	EXPECT_BOTH(0, res(shmctl(n, SHM_UNLOCK, NULL)), res(self->s.ctl(d, SHM_UNLOCK, NULL)));
	EXPECT_BOTH(-EINVAL, res(shmctl(INT_MAX, SHM_LOCK, NULL)),
		    res(self->s.ctl(INT_MAX, SHM_LOCK, NULL)));

	/* IPC_RMID of an unattached segment: gone, so the second is EINVAL. */
	EXPECT_BOTH(0, res(shmctl(n, IPC_RMID, NULL)), res(self->s.ctl(d, IPC_RMID, NULL)));
	EXPECT_BOTH(-EINVAL, res(shmctl(n, IPC_RMID, NULL)), res(self->s.ctl(d, IPC_RMID, NULL)));
	EXPECT_BOTH(-EINVAL, res(shmctl(n, IPC_STAT, &ds)), res(self->s.ctl(d, IPC_STAT, &ds)));
}

/* shmdt() of an address that is no attach. */
TEST_F(shim, shmdt_of_unknown_address_is_einval)
{
	static char not_shm[8192];
	char *anon;
	int local;

	NEED_SHIM(NULL);
	anon = mmap(NULL, self->pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	EXPECT_BOTH(-EINVAL, res(shmdt(anon)), res(self->s.dt(anon)));
	EXPECT_BOTH(-EINVAL, res(shmdt(&local)), res(self->s.dt(&local)));
	EXPECT_BOTH(-EINVAL, res(shmdt(not_shm)), res(self->s.dt(not_shm)));
	EXPECT_BOTH(-EINVAL, res(shmdt(NULL)), res(self->s.dt(NULL)));
	munmap(anon, self->pg);
}

/* What an unprivileged user gets, one result per slot. */
enum {
	U_GET_RW, U_GET_NONE, U_AT_RW, U_AT_RO, U_STAT, U_RMID, U_SET, U_LOCK,
	U_RO_AT_RO, U_RO_AT_RW, U_X_AT_EXEC,
	U_NR,
};

struct unpriv_arg {
	bool shim;
	struct shim *s;
	int key;	/* mode 0600, root's */
	int ro_id;	/* mode 0604, root's */
	int x_id;	/* mode 0606, root's */
	int out;	/* pipe for the results */
};

static int unpriv_calls(void *varg)
{
	struct unpriv_arg *a = varg;
	int (*get)(key_t, size_t, int) = a->shim ? a->s->get : shmget;
	void *(*at)(int, const void *, int) = a->shim ? a->s->at : shmat;
	int (*ctl)(int, int, struct shmid_ds *) = a->shim ? a->s->ctl : shmctl;
	int r[U_NR], id;
	struct shmid_ds ds;

	memset(&ds, 0, sizeof(ds));
	r[U_GET_RW] = res(get(a->key, 0, 0600));
	r[U_GET_NONE] = id = res(get(a->key, 0, 0));
	r[U_AT_RW] = res_at(at(id, NULL, 0), NULL);
	r[U_AT_RO] = res_at(at(id, NULL, SHM_RDONLY), NULL);
	r[U_STAT] = res(ctl(id, IPC_STAT, &ds));
	r[U_RMID] = res(ctl(id, IPC_RMID, NULL));
	ds.shm_perm.mode = 0666;
	r[U_SET] = res(ctl(id, IPC_SET, &ds));
	r[U_LOCK] = res(ctl(id, SHM_LOCK, NULL));
	r[U_RO_AT_RO] = res_at(at(a->ro_id, NULL, SHM_RDONLY), NULL);
	r[U_RO_AT_RW] = res_at(at(a->ro_id, NULL, 0), NULL);
	r[U_X_AT_EXEC] = res_at(at(a->x_id, NULL, SHM_EXEC), NULL);
	return write(a->out, r, sizeof(r)) == sizeof(r) ? 0 : 1;
}

/* As nobody: EACCES for access the mode denies, EPERM for owner-only commands. */
TEST_F(shim, unprivileged_user_gets_eacces_and_eperm_like_native)
{
	struct unpriv_arg a = { .s = &self->s, .key = self->key };
	int nat[U_NR], shm[U_NR], p[2], i;
	int nat_ro, nat_x, dev_ro, dev_x;

	NEED_SHIM(NULL);
	if (geteuid())
		SKIP(return, "needs root to become nobody");
	ASSERT_LE(0, native_id(self, shmget(self->key, self->pg, IPC_CREAT | 0600)));
	ASSERT_LE(0, dev_id(self, self->s.get(self->key, self->pg, IPC_CREAT | 0600)));
	nat_ro = native_id(self, shmget(IPC_PRIVATE, self->pg, IPC_CREAT | 0604));
	nat_x = native_id(self, shmget(IPC_PRIVATE, self->pg, IPC_CREAT | 0606));
	dev_ro = dev_id(self, self->s.get(IPC_PRIVATE, self->pg, IPC_CREAT | 0604));
	dev_x = dev_id(self, self->s.get(IPC_PRIVATE, self->pg, IPC_CREAT | 0606));
	ASSERT_LE(0, nat_ro);
	ASSERT_LE(0, nat_x);
	ASSERT_LE(0, dev_ro);
	ASSERT_LE(0, dev_x);
	ASSERT_EQ(0, pipe(p));
	a.out = p[1];

	a.ro_id = nat_ro;
	a.x_id = nat_x;
	ASSERT_EQ(0, shmdemo_run_child(unpriv_calls, &a, 65534, 65534));
	ASSERT_EQ(sizeof(nat), read(p[0], nat, sizeof(nat)));
	a.shim = true;
	a.ro_id = dev_ro;
	a.x_id = dev_x;
	ASSERT_EQ(0, shmdemo_run_child(unpriv_calls, &a, 65534, 65534));
	ASSERT_EQ(sizeof(shm), read(p[0], shm, sizeof(shm)));
	close(p[0]);
	close(p[1]);

	EXPECT_EQ(-EACCES, nat[U_GET_RW]);
	EXPECT_LE(0, nat[U_GET_NONE]);
	EXPECT_EQ(-EACCES, nat[U_AT_RW]);
	EXPECT_EQ(-EACCES, nat[U_AT_RO]);
	EXPECT_EQ(-EACCES, nat[U_STAT]);
	EXPECT_EQ(-EPERM, nat[U_RMID]);
	EXPECT_EQ(-EPERM, nat[U_SET]);
	EXPECT_EQ(-EPERM, nat[U_LOCK]);
	EXPECT_EQ(0, nat[U_RO_AT_RO]);
	EXPECT_EQ(-EACCES, nat[U_RO_AT_RW]);
	EXPECT_EQ(-EACCES, nat[U_X_AT_EXEC]);
	for (i = 0; i < U_NR; i++) {
		if (i == U_GET_NONE) {	/* an id: each side's own */
			EXPECT_LE(0, shm[i]);
		} else {
			EXPECT_EQ(nat[i], shm[i]) TH_LOG("result %d", i);
		}
	}
}

/* IPC_STAT of native @n into nds and, through the shim, of device @d into dds. */
#define STAT_BOTH(n, d) do {						\
	memset(&nds, 0, sizeof(nds));					\
	memset(&dds, 0, sizeof(dds));					\
	EXPECT_EQ(0, shmctl(n, IPC_STAT, &nds));			\
	EXPECT_EQ(0, self->s.ctl(d, IPC_STAT, &dds));			\
} while (0)

/* Every shmid_ds field the shim fills, next to the native one. */
TEST_F(shim, ipc_stat_fields_match)
{
	struct shmid_ds nds, dds;
	char *np, *dp;
	int n, d;
	time_t t0;

	NEED_SHIM(NULL);
	t0 = time(NULL);
	n = native_id(self, shmget(self->key, 10000, IPC_CREAT | IPC_EXCL | 0640));
	d = dev_id(self, self->s.get(self->key, 10000, IPC_CREAT | IPC_EXCL | 0640));
	ASSERT_LE(0, n);
	ASSERT_LE(0, d);

	/* Fresh: never attached. */
	STAT_BOTH(n, d);
	EXPECT_EQ(self->key, nds.shm_perm.__key);
	EXPECT_EQ(self->key, dds.shm_perm.__key);
	EXPECT_EQ(0640, nds.shm_perm.mode);
	EXPECT_EQ(0640, dds.shm_perm.mode);
	EXPECT_EQ(10000, nds.shm_segsz);
	EXPECT_EQ(10000, dds.shm_segsz);
	EXPECT_EQ(geteuid(), dds.shm_perm.uid);
	EXPECT_EQ(nds.shm_perm.uid, dds.shm_perm.uid);
	EXPECT_EQ(nds.shm_perm.gid, dds.shm_perm.gid);
	EXPECT_EQ(nds.shm_perm.cuid, dds.shm_perm.cuid);
	EXPECT_EQ(nds.shm_perm.cgid, dds.shm_perm.cgid);
	EXPECT_EQ(getegid(), dds.shm_perm.cgid);
	EXPECT_EQ(getpid(), nds.shm_cpid);
	EXPECT_EQ(getpid(), dds.shm_cpid);
	EXPECT_EQ(0, nds.shm_lpid);
	EXPECT_EQ(0, dds.shm_lpid);
	EXPECT_EQ(0, nds.shm_nattch);
	EXPECT_EQ(0, dds.shm_nattch);
	EXPECT_EQ(0, nds.shm_atime);
	EXPECT_EQ(0, dds.shm_atime);
	EXPECT_EQ(0, nds.shm_dtime);
	EXPECT_EQ(0, dds.shm_dtime);
	EXPECT_LE(t0, nds.shm_ctime);
	EXPECT_LE(t0, dds.shm_ctime);

	/* Attached once. */
	np = shmat(n, NULL, 0);
	dp = self->s.at(d, NULL, 0);
	ASSERT_NE(NOT_ATTACHED, np);
	ASSERT_NE(NOT_ATTACHED, dp);
	np[9999] = 1;
	dp[9999] = 1;
	STAT_BOTH(n, d);
	EXPECT_EQ(1, nds.shm_nattch);
	EXPECT_EQ(1, dds.shm_nattch);
	EXPECT_EQ(getpid(), nds.shm_lpid);
	EXPECT_EQ(getpid(), dds.shm_lpid);
	EXPECT_LE(t0, nds.shm_atime);
	EXPECT_LE(t0, dds.shm_atime);
	EXPECT_EQ(0, nds.shm_dtime);
	EXPECT_EQ(0, dds.shm_dtime);

	/* IPC_SET: mode bits only, the rest of the mode stays. */
	nds.shm_perm.mode = 0600;
	dds.shm_perm.mode = 0600;
	EXPECT_EQ(0, shmctl(n, IPC_SET, &nds));
	EXPECT_EQ(0, self->s.ctl(d, IPC_SET, &dds));
	STAT_BOTH(n, d);
	EXPECT_EQ(0600, nds.shm_perm.mode);
	EXPECT_EQ(0600, dds.shm_perm.mode);

	/* Removed while attached: SHM_DEST, key IPC_PRIVATE, still attached. */
	EXPECT_EQ(0, shmctl(n, IPC_RMID, NULL));
	EXPECT_EQ(0, self->s.ctl(d, IPC_RMID, NULL));
	STAT_BOTH(n, d);
	EXPECT_EQ(SHM_DEST | 0600, nds.shm_perm.mode);
	EXPECT_EQ(SHM_DEST | 0600, dds.shm_perm.mode);
	EXPECT_EQ(IPC_PRIVATE, nds.shm_perm.__key);
	EXPECT_EQ(IPC_PRIVATE, dds.shm_perm.__key);
	EXPECT_EQ(1, nds.shm_nattch);
	EXPECT_EQ(1, dds.shm_nattch);
	EXPECT_EQ(10000, dds.shm_segsz);
	/* The key no longer finds it; RMID again is still allowed. */
	EXPECT_BOTH(-ENOENT, res(shmget(self->key, 0, 0)), res(self->s.get(self->key, 0, 0)));
	EXPECT_BOTH(0, res(shmctl(n, IPC_RMID, NULL)), res(self->s.ctl(d, IPC_RMID, NULL)));

	/* The last detach destroys it. */
	EXPECT_BOTH(0, shmdt(np), self->s.dt(dp));
	EXPECT_BOTH(-EINVAL, res(shmctl(n, IPC_STAT, &nds)), res(self->s.ctl(d, IPC_STAT, &dds)));
}

/* IPC_INFO and SHM_INFO: the device's limits and usage; SHM_STAT walks like ipcs. */
TEST_F(shim, ipc_info_shm_info_and_shm_stat_walk_like_native)
{
	struct shmdemo_info info;
	struct shminfo nsi, dsi;
	struct shm_info nsh, dsh;
	unsigned long shmmax, shmall, shmmni;
	struct shmid_ds ds;
	int n, d, nmax, dmax, i, id, found_n = 0, found_d = 0;

	NEED_SHIM(NULL);
	n = native_id(self, shmget(self->key, 3 * self->pg, IPC_CREAT | 0600));
	d = dev_id(self, self->s.get(self->key, 3 * self->pg, IPC_CREAT | 0600));
	ASSERT_LE(0, n);
	ASSERT_LE(0, d);

	nmax = shmctl(0, IPC_INFO, (struct shmid_ds *)&nsi);
	dmax = self->s.ctl(0, IPC_INFO, (struct shmid_ds *)&dsi);
	ASSERT_LE(0, nmax);
	ASSERT_LE(0, dmax);
	ASSERT_EQ(0, shmdemo_info(self->fd, &info));
	EXPECT_EQ(1, nsi.shmmin);
	EXPECT_EQ(1, dsi.shmmin);
	/* Natively the sysctls; through the shim the stricter of those and the device's. */
	shmmax = read_ulong("/proc/sys/kernel/shmmax");
	shmall = read_ulong("/proc/sys/kernel/shmall");
	shmmni = read_ulong("/proc/sys/kernel/shmmni");
	EXPECT_EQ(shmmax, nsi.shmmax);
	EXPECT_EQ(shmall, nsi.shmall);
	EXPECT_EQ(shmmni, nsi.shmmni);
	EXPECT_EQ(shmmni, nsi.shmseg);
	EXPECT_EQ(shmmax < info.max_seg_bytes ? shmmax : info.max_seg_bytes, dsi.shmmax);
	EXPECT_EQ(shmall < info.max_total_pages ? shmall : info.max_total_pages, dsi.shmall);
	EXPECT_EQ(shmmni < info.max_segments ? shmmni : info.max_segments, dsi.shmmni);
	EXPECT_EQ(dsi.shmmni, dsi.shmseg);
	EXPECT_EQ(info.segments - 1, dmax);

	EXPECT_EQ(nmax, shmctl(0, SHM_INFO, (struct shmid_ds *)&nsh));
	EXPECT_EQ(dmax, self->s.ctl(0, SHM_INFO, (struct shmid_ds *)&dsh));
	EXPECT_LE(1, nsh.used_ids);
	EXPECT_EQ(info.segments, dsh.used_ids);
	EXPECT_EQ(info.total_pages, dsh.shm_tot);
	EXPECT_LE(3, dsh.shm_tot);
	EXPECT_EQ(0, dsh.shm_swp);

	/* ipcs's loop: every index up to the returned one, SHM_STAT gives the id. */
	for (i = 0; i <= nmax; i++) {
		id = shmctl(i, SHM_STAT, &ds);
		if (id == n && ds.shm_perm.__key == self->key && ds.shm_segsz == (size_t)(3 * self->pg))
			found_n++;
	}
	for (i = 0; i <= dmax; i++) {
		id = self->s.ctl(i, SHM_STAT, &ds);
		if (id == d && ds.shm_perm.__key == self->key && ds.shm_segsz == (size_t)(3 * self->pg))
			found_d++;
		id = self->s.ctl(i, SHM_STAT_ANY, &ds);
		if (id == d && ds.shm_perm.__key == self->key)
			found_d++;
	}
	EXPECT_EQ(1, found_n);
	EXPECT_EQ(2, found_d);
	EXPECT_BOTH(-EINVAL, res(shmctl(nmax + 1, SHM_STAT, &ds)),
		    res(self->s.ctl(dmax + 1, SHM_STAT, &ds)));
}

/* SHM_RDONLY: reads work, a write is SIGSEGV, mprotect can't add write. */
TEST_F(shim, rdonly_attach_faults_on_write_like_native)
{
	char *nrw, *drw, *nro, *dro;
	int n, d;

	NEED_SHIM(NULL);
	n = native_id(self, shmget(IPC_PRIVATE, self->pg, IPC_CREAT | 0600));
	d = dev_id(self, self->s.get(IPC_PRIVATE, self->pg, IPC_CREAT | 0600));
	ASSERT_LE(0, n);
	ASSERT_LE(0, d);
	nrw = shmat(n, NULL, 0);
	drw = self->s.at(d, NULL, 0);
	ASSERT_NE(NOT_ATTACHED, nrw);
	ASSERT_NE(NOT_ATTACHED, drw);
	strcpy(nrw, "written");
	strcpy(drw, "written");

	nro = shmat(n, NULL, SHM_RDONLY);
	dro = self->s.at(d, NULL, SHM_RDONLY);
	ASSERT_NE(NOT_ATTACHED, nro);
	ASSERT_NE(NOT_ATTACHED, dro);
	EXPECT_STREQ("written", nro);
	EXPECT_STREQ("written", dro);
	EXPECT_BOTH(0, shmdemo_touch_signal(nro, false), shmdemo_touch_signal(dro, false));
	EXPECT_BOTH(SIGSEGV, shmdemo_touch_signal(nro, true), shmdemo_touch_signal(dro, true));
	EXPECT_BOTH(-EACCES, res(mprotect(nro, self->pg, PROT_READ | PROT_WRITE)),
		    res(mprotect(dro, self->pg, PROT_READ | PROT_WRITE)));
	/* The read-write attach still writes, and the read-only one sees it. */
	EXPECT_BOTH(0, shmdemo_touch_signal(nrw, true), shmdemo_touch_signal(drw, true));
	nrw[0] = 'W';
	drw[0] = 'W';
	EXPECT_EQ('W', nro[0]);
	EXPECT_EQ('W', dro[0]);
	EXPECT_BOTH(0, shmdt(nro), self->s.dt(dro));
	EXPECT_BOTH(0, shmdt(nrw), self->s.dt(drw));
}

/* The "rwxs" permissions /proc/self/maps shows for the mapping at @addr. */
static bool maps_perms(const void *addr, char perms[5])
{
	unsigned long start, end;
	char line[512], p[8];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %4s", &start, &end, p) == 3 &&
		    start == (uintptr_t)addr) {
			memcpy(perms, p, 5);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* SHM_EXEC maps the attach executable, with or without SHM_RDONLY. */
TEST_F(shim, shm_exec_attach_is_executable_like_native)
{
	char nperms[5] = "", dperms[5] = "";
	struct statvfs sv;
	char *np, *dp;
	int n, d;

	NEED_SHIM(NULL);
	if (!statvfs(SHMDEMO_DEVICE, &sv) && (sv.f_flag & ST_NOEXEC))
		SKIP(return, "/dev is mounted noexec: PROT_EXEC mappings of the device fail");
	n = native_id(self, shmget(IPC_PRIVATE, self->pg, IPC_CREAT | 0700));
	d = dev_id(self, self->s.get(IPC_PRIVATE, self->pg, IPC_CREAT | 0700));
	ASSERT_LE(0, n);
	ASSERT_LE(0, d);

	np = shmat(n, NULL, SHM_EXEC);
	dp = self->s.at(d, NULL, SHM_EXEC);
	ASSERT_NE(NOT_ATTACHED, np);
	ASSERT_NE(NOT_ATTACHED, dp);
	ASSERT_TRUE(maps_perms(np, nperms));
	ASSERT_TRUE(maps_perms(dp, dperms));
	EXPECT_STREQ("rwxs", nperms);
	EXPECT_STREQ(nperms, dperms);
	EXPECT_BOTH(0, shmdt(np), self->s.dt(dp));

	np = shmat(n, NULL, SHM_EXEC | SHM_RDONLY);
	dp = self->s.at(d, NULL, SHM_EXEC | SHM_RDONLY);
	ASSERT_NE(NOT_ATTACHED, np);
	ASSERT_NE(NOT_ATTACHED, dp);
	ASSERT_TRUE(maps_perms(np, nperms));
	ASSERT_TRUE(maps_perms(dp, dperms));
	EXPECT_STREQ("r-xs", nperms);
	EXPECT_STREQ(nperms, dperms);
	EXPECT_BOTH(0, shmdt(np), self->s.dt(dp));
}

static int nattch_of(int (*ctl)(int, int, struct shmid_ds *), int id)
{
	struct shmid_ds ds;

	return ctl(id, IPC_STAT, &ds) ? -errno : (int)ds.shm_nattch;
}

/*
 * A child inherits the attach: it writes, the parent sees it; the child's
 * shmdt of the inherited address works and leaves the parent's attach.
 */
TEST_F(shim, fork_inherits_attach_and_child_shmdt_leaves_parent_attached)
{
	int n, d, status, to_child[2], to_parent[2], side;
	char *np, *dp, c;
	pid_t pid;

	NEED_SHIM(NULL);
	n = native_id(self, shmget(IPC_PRIVATE, self->pg, IPC_CREAT | 0600));
	d = dev_id(self, self->s.get(IPC_PRIVATE, self->pg, IPC_CREAT | 0600));
	ASSERT_LE(0, n);
	ASSERT_LE(0, d);
	np = shmat(n, NULL, 0);
	dp = self->s.at(d, NULL, 0);
	ASSERT_NE(NOT_ATTACHED, np);
	ASSERT_NE(NOT_ATTACHED, dp);

	for (side = 0; side < 2; side++) {
		int (*ctl)(int, int, struct shmid_ds *) = side ? self->s.ctl : shmctl;
		int (*dt)(const void *) = side ? self->s.dt : shmdt;
		char *p = side ? dp : np;
		int id = side ? d : n;

		ASSERT_EQ(0, pipe(to_child));
		ASSERT_EQ(0, pipe(to_parent));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			strcpy(p, "from the child");
			if (dt(p))
				_exit(1);
			if (write(to_parent[1], "d", 1) != 1)
				_exit(2);
			/* Detached: the address is no attach any more. */
			if (dt(p) != -1 || errno != EINVAL)
				_exit(3);
			_exit(read(to_child[0], &c, 1) == 1 ? 0 : 4);
		}
		EXPECT_EQ(1, read(to_parent[0], &c, 1));
		EXPECT_EQ(1, nattch_of(ctl, id)) TH_LOG("side %d", side);
		EXPECT_EQ(1, write(to_child[1], "x", 1));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("side %d", side);
		EXPECT_STREQ("from the child", p);
		EXPECT_EQ(1, nattch_of(ctl, id));
		p[0] = 'F';
		EXPECT_EQ('F', p[0]);
		close(to_child[0]);
		close(to_child[1]);
		close(to_parent[0]);
		close(to_parent[1]);
	}

	/* A child that just exits: nattch is 2 while it lives, 1 after. */
	ASSERT_EQ(0, pipe(to_child));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(read(to_child[0], &c, 1) == 1 ? 0 : 1);
	EXPECT_BOTH(2, nattch_of(shmctl, n), nattch_of(self->s.ctl, d));
	EXPECT_EQ(1, write(to_child[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_BOTH(1, nattch_of(shmctl, n), nattch_of(self->s.ctl, d));
	close(to_child[0]);
	close(to_child[1]);

	EXPECT_BOTH(0, shmdt(np), self->s.dt(dp));
	EXPECT_BOTH(0, nattch_of(shmctl, n), nattch_of(self->s.ctl, d));
}

struct thread_arg {
	struct shim *s;
	int id;
	int rounds;
	int failures;
};

static void *attach_loop(void *varg)
{
	struct thread_arg *a = varg;
	int i;

	for (i = 0; i < a->rounds; i++) {
		volatile char *p = a->s->at(a->id, NULL, 0);

		if (p == NOT_ATTACHED) {
			a->failures++;
			continue;
		}
		p[0]++;
		if (a->s->dt((void *)p))
			a->failures++;
	}
	return NULL;
}

/* Threads attaching and detaching at once: the address table stays right. */
TEST_F(shim, concurrent_attach_detach_from_threads)
{
	struct thread_arg a[4];
	pthread_t t[4];
	struct shmdemo_stat st;
	int d, i;

	NEED_SHIM(NULL);
	d = dev_id(self, self->s.get(IPC_PRIVATE, self->pg, IPC_CREAT | 0600));
	ASSERT_LE(0, d);
	for (i = 0; i < 4; i++) {
		a[i] = (struct thread_arg){ .s = &self->s, .id = d, .rounds = 50 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, attach_loop, &a[i]));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_EQ(0, a[i].failures);
	}
	ASSERT_EQ(0, shmdemo_stat(self->fd, d, &st));
	EXPECT_EQ(0, st.nattch);
}

/*
 * SHMDEMO_SYSV_KEYS in one process: keys in the range on the device,
 * IPC_PRIVATE and other keys native, and every later call on an id or an
 * address goes where its segment is.
 */
TEST_F(shim, key_range_routes_ids_and_addresses_to_their_side)
{
	char range[64];
	struct shmid_ds ds;
	struct shmdemo_stat st;
	int in, out, priv, k = self->key;
	char *pin, *pout, *ppriv;

	snprintf(range, sizeof(range), "%#x-%#x", k, k + 7);
	NEED_SHIM(range);
	in = dev_id(self, self->s.get(k, 4096, IPC_CREAT | 0600));
	ASSERT_LE(0, in);
	EXPECT_EQ(in, shmdemo_get(self->fd, k, 0, 0, 0));
	EXPECT_EQ(-ENOENT, res(shmget(k, 0, 0)));

	/* Outside the range, and IPC_PRIVATE: native (ids must differ from in). */
	do {
		out = native_id(self, self->s.get(k + 8, 8192, IPC_CREAT | 0600));
		ASSERT_LE(0, out);
		if (out == in)
			shmctl(out, IPC_RMID, NULL);
	} while (out == in);
	EXPECT_EQ(out, shmget(k + 8, 0, 0));
	EXPECT_EQ(-ENOENT, shmdemo_get(self->fd, k + 8, 0, 0, 0));
	do {
		priv = native_id(self, self->s.get(IPC_PRIVATE, 3 * 4096, IPC_CREAT | 0600));
		ASSERT_LE(0, priv);
		if (priv == in)
			shmctl(priv, IPC_RMID, NULL);
	} while (priv == in);
	EXPECT_EQ(0, shmctl(priv, IPC_STAT, &ds));
	EXPECT_EQ(3 * 4096, ds.shm_segsz);

	/* shmctl and shmat follow the id. */
	EXPECT_EQ(0, self->s.ctl(in, IPC_STAT, &ds));
	EXPECT_EQ(4096, ds.shm_segsz);
	EXPECT_EQ(0, self->s.ctl(out, IPC_STAT, &ds));
	EXPECT_EQ(8192, ds.shm_segsz);
	pin = self->s.at(in, NULL, 0);
	pout = self->s.at(out, NULL, 0);
	ppriv = self->s.at(priv, NULL, 0);
	ASSERT_NE(NOT_ATTACHED, pin);
	ASSERT_NE(NOT_ATTACHED, pout);
	ASSERT_NE(NOT_ATTACHED, ppriv);
	ASSERT_EQ(0, shmdemo_stat(self->fd, in, &st));
	EXPECT_EQ(1, st.nattch);
	EXPECT_EQ(1, nattch_of(shmctl, out));
	EXPECT_EQ(1, nattch_of(shmctl, priv));

	/* shmdt follows the address. */
	EXPECT_EQ(0, self->s.dt(pout));
	EXPECT_EQ(0, self->s.dt(ppriv));
	EXPECT_EQ(0, self->s.dt(pin));
	EXPECT_EQ(0, nattch_of(shmctl, out));
	EXPECT_EQ(0, nattch_of(shmctl, priv));
	ASSERT_EQ(0, shmdemo_stat(self->fd, in, &st));
	EXPECT_EQ(0, st.nattch);
	EXPECT_EQ(-EINVAL, res(self->s.dt(pin)));

	/* IPC_RMID follows the id. */
	EXPECT_EQ(0, self->s.ctl(in, IPC_RMID, NULL));
	EXPECT_EQ(0, self->s.ctl(out, IPC_RMID, NULL));
	EXPECT_EQ(-EINVAL, shmdemo_stat(self->fd, in, &st));
	EXPECT_EQ(-EINVAL, res(shmctl(out, IPC_STAT, &ds)));
	EXPECT_EQ(-EINVAL, res(self->s.ctl(in, IPC_STAT, &ds)));
}

/* ------------------------------------------------------------------ */

/*
 * Set the sysctl at @path to @val, remembering the old value: the test
 * puts it back with sysctl_restore() as soon as its calls are done, and
 * the teardown does again if the test stopped before that.
 */
static int sysctl_set(FIXTURE_DATA(shim) *self, const char *path, unsigned long val)
{
	int fd, len, ret, i = self->nr_sysctl;
	char buf[64];
	ssize_t n;

	if (i == 4)
		return -ENOSPC;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, self->sysctl_old[i], sizeof(self->sysctl_old[i]) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	self->sysctl_old[i][n] = '\0';
	snprintf(self->sysctl_path[i], sizeof(self->sysctl_path[i]), "%s", path);
	self->nr_sysctl++;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%lu\n", val);
	n = write(fd, buf, len);
	ret = n == len ? 0 : -errno;
	close(fd);
	return ret;
}

/* Put back every sysctl sysctl_set() changed, last first: 0 or -errno. */
static int sysctl_restore(FIXTURE_DATA(shim) *self)
{
	int ret = 0, fd, len;

	while (self->nr_sysctl > 0) {
		int i = --self->nr_sysctl;

		fd = open(self->sysctl_path[i], O_WRONLY | O_CLOEXEC);
		len = strlen(self->sysctl_old[i]);
		if (fd < 0 || write(fd, self->sysctl_old[i], len) != len)
			ret = -errno;
		if (fd >= 0)
			close(fd);
	}
	return ret;
}

/* One side of a comparison: libc's functions, or the shim's. */
struct sysv {
	int (*get)(key_t key, size_t size, int shmflg);
	int (*ctl)(int shmid, int cmd, struct shmid_ds *buf);
};

static struct sysv native_side(void)
{
	return (struct sysv){ .get = shmget, .ctl = shmctl };
}

static struct sysv shim_side(const struct shim *s)
{
	return (struct sysv){ .get = s->get, .ctl = s->ctl };
}

#define NO_RESULT INT_MIN
#define MADE	INT_MAX		/* wanted: the id of a new segment */

/*
 * Check one side's results against @want; a MADE slot must hold an id,
 * which is noted for the teardown (so is any id where an error was wanted).
 */
static void check_results(struct __test_metadata *_metadata, FIXTURE_DATA(shim) *self,
			  bool shim, const int *want, const int *got, int n)
{
	const char *side = shim ? "shim" : "native";
	int i;

	for (i = 0; i < n; i++) {
		if (want[i] == MADE || (want[i] < 0 && got[i] >= 0)) {
			if (shim)
				dev_id(self, got[i]);
			else
				native_id(self, got[i]);
		}
		if (want[i] == MADE) {
			EXPECT_LE(0, got[i]) TH_LOG("%s, result %d", side, i);
		} else {
			EXPECT_EQ(want[i], got[i]) TH_LOG("%s, result %d", side, i);
		}
	}
}

/*
 * Run @fn(@arg, r) in a child - with RLIMIT_MEMLOCK at @memlock bytes
 * first if it isn't NULL, then as nobody (65534:65534, no supplementary
 * groups) if @nobody - and copy back the @n results it stores in r
 * (NO_RESULT where it stored none).  Returns 0, -errno, or the child's
 * exit status (128 + signal) when it failed.
 */
static int run_calls(void (*fn)(void *arg, int *r), void *arg, int *r, int n,
		     bool nobody, const rlim_t *memlock)
{
	size_t want = n * sizeof(*r), got = 0;
	int p[2], status, i;
	ssize_t len;
	pid_t pid;

	if (pipe(p))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct rlimit rl = { memlock ? *memlock : 0, memlock ? *memlock : 0 };

		close(p[0]);
		if (memlock && setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(98);
		if (nobody && (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
			       setresuid(NOBODY, NOBODY, NOBODY)))
			_exit(99);
		for (i = 0; i < n; i++)
			r[i] = NO_RESULT;
		fn(arg, r);
		_exit(write(p[1], r, want) == (ssize_t)want ? 0 : 97);
	}
	close(p[1]);
	while (got < want && (len = read(p[0], (char *)r + got, want - got)) > 0)
		got += len;
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	if (WEXITSTATUS(status))
		return WEXITSTATUS(status);
	return got == want ? 0 : -EIO;
}

/*
 * The index at which an ipcs-style walk (0 up to what IPC_INFO returns)
 * of SHM_STAT or SHM_STAT_ANY (@cmd) finds @id; *ds is its status.
 * -ENOENT if no index gives @id.
 */
static int stat_index_of(const struct sysv *f, int cmd, int id, struct shmid_ds *ds)
{
	struct shminfo si;
	int max = f->ctl(0, IPC_INFO, (struct shmid_ds *)&si), i;

	if (max < 0)
		return -errno;
	for (i = 0; i <= max; i++)
		if (f->ctl(i, cmd, ds) == id)
			return i;
	return -ENOENT;
}

/* shm_perm.mode of @id by IPC_STAT, SHM_STAT or SHM_STAT_ANY (@cmd), or -errno. */
static int mode_of(const struct sysv *f, int cmd, int id)
{
	struct shmid_ds ds;
	int ret;

	memset(&ds, 0, sizeof(ds));
	if (cmd == IPC_STAT)
		ret = res(f->ctl(id, IPC_STAT, &ds));
	else
		ret = stat_index_of(f, cmd, id, &ds);
	return ret < 0 ? ret : (int)ds.shm_perm.mode;
}

/* IPC_SET owner and group to nobody, mode 0600. */
static int give_to_nobody(const struct sysv *f, int id)
{
	struct shmid_ds ds;

	if (f->ctl(id, IPC_STAT, &ds))
		return -errno;
	ds.shm_perm.uid = NOBODY;
	ds.shm_perm.gid = NOBODY;
	ds.shm_perm.mode = 0600;
	return res(f->ctl(id, IPC_SET, &ds));
}

/*
 * SHM_LOCK and SHM_UNLOCK as root: SHM_LOCKED shows in shm_perm.mode in
 * all three stat commands exactly while the segment is locked, with
 * SHM_DEST once removed.
 */
TEST_F(shim, shm_lock_shows_shm_locked_in_ipc_stat_shm_stat_and_shm_stat_any)
{
	static const int cmds[] = { IPC_STAT, SHM_STAT, SHM_STAT_ANY };
	struct sysv nat = native_side(), shm;
	char *np, *dp;
	int n, d, i;

	NEED_SHIM(NULL);
	if (geteuid())
		SKIP(return, "needs root (CAP_IPC_LOCK)");
	shm = shim_side(&self->s);
	n = native_id(self, shmget(IPC_PRIVATE, 3 * self->pg, IPC_CREAT | 0600));
	d = dev_id(self, self->s.get(IPC_PRIVATE, 3 * self->pg, IPC_CREAT | 0600));
	ASSERT_LE(0, n);
	ASSERT_LE(0, d);
	for (i = 0; i < 3; i++)
		EXPECT_BOTH(0600, mode_of(&nat, cmds[i], n), mode_of(&shm, cmds[i], d));

	EXPECT_BOTH(0, res(shmctl(n, SHM_LOCK, NULL)), res(self->s.ctl(d, SHM_LOCK, NULL)));
	for (i = 0; i < 3; i++)
		EXPECT_BOTH(SHM_LOCKED | 0600, mode_of(&nat, cmds[i], n),
			    mode_of(&shm, cmds[i], d));
	/* Locking a locked segment changes nothing. */
	EXPECT_BOTH(0, res(shmctl(n, SHM_LOCK, NULL)), res(self->s.ctl(d, SHM_LOCK, NULL)));
	EXPECT_BOTH(SHM_LOCKED | 0600, mode_of(&nat, IPC_STAT, n), mode_of(&shm, IPC_STAT, d));

	EXPECT_BOTH(0, res(shmctl(n, SHM_UNLOCK, NULL)), res(self->s.ctl(d, SHM_UNLOCK, NULL)));
	for (i = 0; i < 3; i++)
		EXPECT_BOTH(0600, mode_of(&nat, cmds[i], n), mode_of(&shm, cmds[i], d));
	EXPECT_BOTH(0, res(shmctl(n, SHM_UNLOCK, NULL)), res(self->s.ctl(d, SHM_UNLOCK, NULL)));
	EXPECT_BOTH(0600, mode_of(&nat, IPC_STAT, n), mode_of(&shm, IPC_STAT, d));

	/* Locked, attached and removed: both flags; still unlockable by id. */
	EXPECT_BOTH(0, res(shmctl(n, SHM_LOCK, NULL)), res(self->s.ctl(d, SHM_LOCK, NULL)));
	np = shmat(n, NULL, 0);
	dp = self->s.at(d, NULL, 0);
	ASSERT_NE(NOT_ATTACHED, np);
	ASSERT_NE(NOT_ATTACHED, dp);
	EXPECT_BOTH(0, res(shmctl(n, IPC_RMID, NULL)), res(self->s.ctl(d, IPC_RMID, NULL)));
	EXPECT_BOTH(SHM_DEST | SHM_LOCKED | 0600, mode_of(&nat, IPC_STAT, n),
		    mode_of(&shm, IPC_STAT, d));
	EXPECT_BOTH(0, res(shmctl(n, SHM_UNLOCK, NULL)), res(self->s.ctl(d, SHM_UNLOCK, NULL)));
	EXPECT_BOTH(SHM_DEST | 0600, mode_of(&nat, IPC_STAT, n), mode_of(&shm, IPC_STAT, d));
	/* The last detach destroys it: gone by id. */
	EXPECT_BOTH(0, shmdt(np), self->s.dt(dp));
	EXPECT_BOTH(-EINVAL, res(shmctl(n, SHM_LOCK, NULL)), res(self->s.ctl(d, SHM_LOCK, NULL)));
	EXPECT_BOTH(-EINVAL, res(shmctl(n, SHM_UNLOCK, NULL)),
		    res(self->s.ctl(d, SHM_UNLOCK, NULL)));
}

/* What nobody gets from SHM_LOCK / SHM_UNLOCK, one result per slot. */
enum {
	K_LOCK_BIG, K_MODE_BIG, K_LOCK, K_MODE_LOCKED, K_RELOCK, K_OTHER_LOCK, K_OTHER_UNLOCK,
	K0_LOCK, K0_MODE_LOCKED, K0_UNLOCK, K0_MODE, K0_LOCK_BIG,
	K_NR,
};

struct lock_arg {
	struct sysv f;
	int small;	/* one page, nobody's */
	int big;	/* four pages, nobody's */
	int other;	/* one page, root's */
};

/* With RLIMIT_MEMLOCK one page, then (K0_*) with none. */
static void lock_calls(void *varg, int *r)
{
	struct lock_arg *a = varg;
	struct rlimit none = { 0, 0 };

	r[K_LOCK_BIG] = res(a->f.ctl(a->big, SHM_LOCK, NULL));
	r[K_MODE_BIG] = mode_of(&a->f, IPC_STAT, a->big);
	r[K_LOCK] = res(a->f.ctl(a->small, SHM_LOCK, NULL));
	r[K_MODE_LOCKED] = mode_of(&a->f, IPC_STAT, a->small);
	r[K_RELOCK] = res(a->f.ctl(a->small, SHM_LOCK, NULL));
	r[K_OTHER_LOCK] = res(a->f.ctl(a->other, SHM_LOCK, NULL));
	r[K_OTHER_UNLOCK] = res(a->f.ctl(a->other, SHM_UNLOCK, NULL));
	if (setrlimit(RLIMIT_MEMLOCK, &none))
		return;
	r[K0_LOCK] = res(a->f.ctl(a->small, SHM_LOCK, NULL));
	r[K0_MODE_LOCKED] = mode_of(&a->f, IPC_STAT, a->small);
	r[K0_UNLOCK] = res(a->f.ctl(a->small, SHM_UNLOCK, NULL));
	r[K0_MODE] = mode_of(&a->f, IPC_STAT, a->small);
	r[K0_LOCK_BIG] = res(a->f.ctl(a->big, SHM_LOCK, NULL));
}

/*
 * SHM_LOCK as nobody, owner of the segment: ENOMEM past RLIMIT_MEMLOCK,
 * EPERM with none at all, EPERM on a segment it doesn't own; SHM_UNLOCK
 * needs no RLIMIT_MEMLOCK.
 */
TEST_F(shim, shm_lock_as_unprivileged_owner_checks_rlimit_memlock_like_native)
{
	static const int want[K_NR] = {
		[K_LOCK_BIG] = -ENOMEM,		[K_MODE_BIG] = 0600,
		[K_LOCK] = 0,			[K_MODE_LOCKED] = SHM_LOCKED | 0600,
		[K_RELOCK] = 0,			[K_OTHER_LOCK] = -EPERM,
		[K_OTHER_UNLOCK] = -EPERM,	[K0_LOCK] = -EPERM,
		[K0_MODE_LOCKED] = SHM_LOCKED | 0600, [K0_UNLOCK] = 0,
		[K0_MODE] = 0600,		[K0_LOCK_BIG] = -EPERM,
	};
	struct lock_arg na = { .f = native_side() }, sa;
	int nat[K_NR], shm[K_NR];
	rlim_t one_page = self->pg;

	NEED_SHIM(NULL);
	if (geteuid())
		SKIP(return, "needs root to become nobody");
	sa = (struct lock_arg){ .f = shim_side(&self->s) };
	na.small = native_id(self, shmget(IPC_PRIVATE, self->pg, IPC_CREAT | 0600));
	na.big = native_id(self, shmget(IPC_PRIVATE, 4 * self->pg, IPC_CREAT | 0600));
	na.other = native_id(self, shmget(IPC_PRIVATE, self->pg, IPC_CREAT | 0600));
	sa.small = dev_id(self, self->s.get(IPC_PRIVATE, self->pg, IPC_CREAT | 0600));
	sa.big = dev_id(self, self->s.get(IPC_PRIVATE, 4 * self->pg, IPC_CREAT | 0600));
	sa.other = dev_id(self, self->s.get(IPC_PRIVATE, self->pg, IPC_CREAT | 0600));
	ASSERT_EQ(6, self->nr_native + self->nr_dev);
	EXPECT_BOTH(0, give_to_nobody(&na.f, na.small), give_to_nobody(&sa.f, sa.small));
	EXPECT_BOTH(0, give_to_nobody(&na.f, na.big), give_to_nobody(&sa.f, sa.big));

	ASSERT_EQ(0, run_calls(lock_calls, &na, nat, K_NR, true, &one_page));
	ASSERT_EQ(0, run_calls(lock_calls, &sa, shm, K_NR, true, &one_page));
	check_results(_metadata, self, false, want, nat, K_NR);
	check_results(_metadata, self, true, want, shm, K_NR);
}

/* What nobody gets from the stat commands on root's 0600 segment. */
enum { A_ANY, A_ANY_MODE, A_ANY_SEGSZ, A_ANY_UID, A_STAT, A_IPC_STAT, A_NR };

struct stat_any_arg {
	struct sysv f;
	int id;
};

static void stat_any_calls(void *varg, int *r)
{
	struct stat_any_arg *a = varg;
	struct shmid_ds ds;
	int idx;

	memset(&ds, 0, sizeof(ds));
	idx = stat_index_of(&a->f, SHM_STAT_ANY, a->id, &ds);
	r[A_ANY] = idx < 0 ? idx : 0;
	r[A_ANY_MODE] = ds.shm_perm.mode;
	r[A_ANY_SEGSZ] = ds.shm_segsz;
	r[A_ANY_UID] = ds.shm_perm.uid;
	/* The same index with SHM_STAT, and IPC_STAT: read permission needed. */
	r[A_STAT] = idx < 0 ? idx : res(a->f.ctl(idx, SHM_STAT, &ds));
	r[A_IPC_STAT] = res(a->f.ctl(a->id, IPC_STAT, &ds));
}

/* SHM_STAT_ANY succeeds without read permission; SHM_STAT is EACCES. */
TEST_F(shim, shm_stat_any_needs_no_read_permission_like_native)
{
	struct stat_any_arg na = { .f = native_side() }, sa;
	int nat[A_NR], shm[A_NR];
	const int want[A_NR] = {
		[A_ANY] = 0, [A_ANY_MODE] = 0600, [A_ANY_SEGSZ] = 2 * self->pg,
		[A_ANY_UID] = 0, [A_STAT] = -EACCES, [A_IPC_STAT] = -EACCES,
	};

	NEED_SHIM(NULL);
	if (geteuid())
		SKIP(return, "needs root to become nobody");
	sa = (struct stat_any_arg){ .f = shim_side(&self->s) };
	na.id = native_id(self, shmget(IPC_PRIVATE, 2 * self->pg, IPC_CREAT | 0600));
	sa.id = dev_id(self, self->s.get(IPC_PRIVATE, 2 * self->pg, IPC_CREAT | 0600));
	ASSERT_LE(0, na.id);
	ASSERT_LE(0, sa.id);

	ASSERT_EQ(0, run_calls(stat_any_calls, &na, nat, A_NR, true, NULL));
	ASSERT_EQ(0, run_calls(stat_any_calls, &sa, shm, A_NR, true, NULL));
	check_results(_metadata, self, false, want, nat, A_NR);
	check_results(_metadata, self, true, want, shm, A_NR);
}

/* What nobody gets from shmget(SHM_HUGETLB). */
enum { H_HUGE, H_HUGE_2MB, H_NORESERVE, H_1MB, H_ZERO, H_FOUND, H_EXCL, H_NR };

struct hugetlb_arg {
	struct sysv f;
	key_t key;	/* root's, one page, 0600 */
	size_t pg;
};

static void hugetlb_calls(void *varg, int *r)
{
	struct hugetlb_arg *a = varg;
	int flg = IPC_CREAT | SHM_HUGETLB | 0600;

	r[H_HUGE] = res(a->f.get(IPC_PRIVATE, a->pg, flg));
	r[H_HUGE_2MB] = res(a->f.get(IPC_PRIVATE, a->pg, flg | HUGE_2MB));
	r[H_NORESERVE] = res(a->f.get(IPC_PRIVATE, a->pg, flg | SHM_NORESERVE));
	/* newseg() checks the size and the page size before the permission. */
	r[H_1MB] = res(a->f.get(IPC_PRIVATE, a->pg, flg | HUGE_1MB));
	r[H_ZERO] = res(a->f.get(IPC_PRIVATE, 0, flg));
	/* An existing key is found: SHM_HUGETLB only matters to a creation. */
	r[H_FOUND] = res(a->f.get(a->key, 0, IPC_CREAT | SHM_HUGETLB));
	r[H_EXCL] = res(a->f.get(a->key, a->pg, flg | IPC_EXCL));
}

/*
 * SHM_HUGETLB without CAP_IPC_LOCK or the hugetlb_shm_group: EPERM,
 * whatever RLIMIT_MEMLOCK allows (Linux 5.16 dropped the mlock path).
 */
TEST_F(shim, shm_hugetlb_as_nobody_is_eperm_like_native)
{
	const rlim_t memlocks[] = { 0, RLIM_INFINITY };
	struct hugetlb_arg na = { .f = native_side(), .key = self->key, .pg = self->pg }, sa;
	int nat[H_NR], shm[H_NR], n, d, j;

	NEED_SHIM(NULL);
	if (geteuid())
		SKIP(return, "needs root to become nobody");
	if (read_ulong(SYSCTL_HUGE_GRP) == NOBODY)
		SKIP(return, "nobody's group is the hugetlb_shm_group");
	sa = na;
	sa.f = shim_side(&self->s);
	n = native_id(self, shmget(self->key, self->pg, IPC_CREAT | 0600));
	d = dev_id(self, self->s.get(self->key, self->pg, IPC_CREAT | 0600));
	ASSERT_LE(0, n);
	ASSERT_LE(0, d);

	for (j = 0; j < 2; j++) {
		int want[H_NR] = {
			[H_HUGE] = -EPERM, [H_HUGE_2MB] = -EPERM, [H_NORESERVE] = -EPERM,
			[H_1MB] = -EINVAL, [H_ZERO] = -EINVAL, [H_FOUND] = n, [H_EXCL] = -EEXIST,
		};

		TH_LOG("RLIMIT_MEMLOCK %s", memlocks[j] ? "unlimited" : "0");
		ASSERT_EQ(0, run_calls(hugetlb_calls, &na, nat, H_NR, true, &memlocks[j]));
		ASSERT_EQ(0, run_calls(hugetlb_calls, &sa, shm, H_NR, true, &memlocks[j]));
		check_results(_metadata, self, false, want, nat, H_NR);
		want[H_FOUND] = d;
		check_results(_metadata, self, true, want, shm, H_NR);
	}
}

enum { G_HUGE, G_SEGSZ, G_NR };

static void hugetlb_group_calls(void *varg, int *r)
{
	struct hugetlb_arg *a = varg;
	struct shmid_ds ds;

	r[G_HUGE] = res(a->f.get(IPC_PRIVATE, a->pg, IPC_CREAT | SHM_HUGETLB | 0600));
	if (r[G_HUGE] >= 0 && !a->f.ctl(r[G_HUGE], IPC_STAT, &ds))
		r[G_SEGSZ] = ds.shm_segsz;
}

/* Members of vm.hugetlb_shm_group may use SHM_HUGETLB without CAP_IPC_LOCK. */
TEST_F(shim, shm_hugetlb_allowed_to_the_hugetlb_shm_group)
{
	struct hugetlb_arg na = { .f = native_side(), .pg = self->pg }, sa;
	rlim_t none = 0;
	int nat[G_NR], shm[G_NR], rn, rs;

	NEED_SHIM(NULL);
	if (geteuid())
		SKIP(return, "needs root to set vm.hugetlb_shm_group and become nobody");
	sa = na;
	sa.f = shim_side(&self->s);
	ASSERT_EQ(0, sysctl_set(self, SYSCTL_HUGE_GRP, NOBODY));
	rn = run_calls(hugetlb_group_calls, &na, nat, G_NR, true, &none);
	rs = run_calls(hugetlb_group_calls, &sa, shm, G_NR, true, &none);
	ASSERT_EQ(0, sysctl_restore(self));
	ASSERT_EQ(0, rn);
	ASSERT_EQ(0, rs);
	native_id(self, nat[G_HUGE]);
	dev_id(self, shm[G_HUGE]);
	/*
	 * Allowed natively too: then a guest without a hugetlb pool says
	 * ENOMEM (hugetlb_reserve_pages()), a machine with one creates it.
	 */
	if (nat[G_HUGE] < 0)
		EXPECT_EQ(-ENOMEM, nat[G_HUGE]);
	EXPECT_LE(0, shm[G_HUGE]);
	EXPECT_EQ(2L << 20, shm[G_SEGSZ]);	/* rounded up to 2 MiB */
}

/*
 * SHM_HUGETLB as root through the shim: a segment rounded up to 2 MiB, in
 * one 2 MiB folio mapped by one PMD (where the kernel has THP at all).
 * Natively root would need a hugetlb pool, which the test guests don't
 * have (ENOMEM there), so root's native result isn't compared.
 */
TEST_F(shim, shm_hugetlb_as_root_gives_a_2mib_folio)
{
	const size_t huge = 2UL << 20;
	struct shmdemo_stat st;
	struct shmid_ds ds;
	long pg = self->pg;
	char *p;
	int d, i;

	NEED_SHIM(NULL);
	if (geteuid())
		SKIP(return, "needs root (CAP_IPC_LOCK)");
	d = dev_id(self, self->s.get(IPC_PRIVATE, 3 * pg, IPC_CREAT | SHM_HUGETLB | 0600));
	ASSERT_LE(0, d);
	ASSERT_EQ(0, self->s.ctl(d, IPC_STAT, &ds));
	EXPECT_EQ(huge, ds.shm_segsz);
	EXPECT_EQ(0600, ds.shm_perm.mode);
	p = self->s.at(d, NULL, 0);
	ASSERT_NE(NOT_ATTACHED, p);
	EXPECT_EQ(0, (uintptr_t)p % huge);
	for (i = 0; i < 3; i++)
		p[i * pg] = 'h';
	ASSERT_EQ(0, shmdemo_stat(self->fd, d, &st));
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK)) {
		EXPECT_EQ(3, st.counters.pages_alloc);	/* no THP: pages */
	} else {
		EXPECT_EQ(1, st.counters.write_faults);
		EXPECT_EQ(huge / pg, st.counters.pages_alloc);
		EXPECT_EQ(1, st.pmd.folios_alloc);
	}
	EXPECT_EQ(0, self->s.dt(p));
	/* A key that exists is found with the size asked for. */
	d = dev_id(self, self->s.get(self->key, 3 * pg, IPC_CREAT | 0600));
	ASSERT_LE(0, d);
	EXPECT_EQ(d, dev_id(self, self->s.get(self->key, 3 * pg, IPC_CREAT | SHM_HUGETLB | 0600)));
	ASSERT_EQ(0, self->s.ctl(d, IPC_STAT, &ds));
	EXPECT_EQ(3 * pg, ds.shm_segsz);

	EXPECT_LE(0, dev_id(self, self->s.get(IPC_PRIVATE, pg,
					     IPC_CREAT | SHM_HUGETLB | HUGE_2MB | 0600)));
	EXPECT_LE(0, dev_id(self, self->s.get(IPC_PRIVATE, pg,
					     IPC_CREAT | SHM_HUGETLB | SHM_NORESERVE | 0600)));
	/* Only 2 MiB: natively 1 GiB pages depend on the CPU. */
	EXPECT_EQ(-EINVAL, res(dev_id(self, self->s.get(IPC_PRIVATE, pg,
						       IPC_CREAT | SHM_HUGETLB | HUGE_1GB | 0600))));
	EXPECT_EQ(-EINVAL, res(dev_id(self, self->s.get(IPC_PRIVATE, pg,
						       IPC_CREAT | SHM_HUGETLB | HUGE_1MB | 0600))));
}

/* What shmget() gives under a lowered limit sysctl, one result per slot. */
enum {
	M_OVER, M_FULL, M_FOUND, M_NEW_KEY, M_INFO, M_INFO_SHMSEG,
	M_MADE,			/* M_MADE + i: the i-th of nr_fit */
	M_NR = M_MADE + 8,
};

struct limit_arg {
	struct sysv f;
	const char *sysctl;	/* which limit: M_INFO reports it */
	key_t key;		/* an existing segment, of @key_bytes */
	size_t key_bytes;
	size_t over;		/* a size the limit refuses */
	size_t fit;		/* a size it allows @nr_fit times (at most 8)... */
	int nr_fit;
	size_t full;		/* ...and then refuses */
};

/*
 * A segment too big, the ones that fit, one more, the existing key with
 * IPC_CREAT (found: the limits apply to new segments only), a new key too
 * big, and the limit as IPC_INFO reports it.
 */
static void limit_calls(void *varg, int *r)
{
	struct limit_arg *a = varg;
	struct shminfo si;
	int i;

	r[M_OVER] = res(a->f.get(IPC_PRIVATE, a->over, IPC_CREAT | 0600));
	for (i = 0; i < a->nr_fit && i < 8; i++)
		r[M_MADE + i] = res(a->f.get(IPC_PRIVATE, a->fit, IPC_CREAT | 0600));
	r[M_FULL] = res(a->f.get(IPC_PRIVATE, a->full, IPC_CREAT | 0600));
	r[M_FOUND] = res(a->f.get(a->key, a->key_bytes, IPC_CREAT | 0600));
	r[M_NEW_KEY] = res(a->f.get(a->key + 1, a->over, IPC_CREAT | 0600));
	memset(&si, 0, sizeof(si));
	if (a->f.ctl(0, IPC_INFO, (struct shmid_ds *)&si) < 0)
		return;
	if (!strcmp(a->sysctl, SYSCTL_SHMMAX))
		r[M_INFO] = si.shmmax;
	else if (!strcmp(a->sysctl, SYSCTL_SHMALL))
		r[M_INFO] = si.shmall;
	else
		r[M_INFO] = si.shmmni;
	r[M_INFO_SHMSEG] = si.shmseg;
}

/*
 * Set @na->sysctl to @val, run limit_calls() natively (@na) and through
 * the shim (@sa), put the sysctl back, and check both sides: @want, with
 * M_FOUND the side's own id of the key and M_INFO_SHMSEG its shmmni.
 */
static void check_limit(struct __test_metadata *_metadata, FIXTURE_DATA(shim) *self,
			unsigned long val, struct limit_arg *na, struct limit_arg *sa,
			int n_key, int d_key, const int *want)
{
	int nat[M_NR], shm[M_NR], w[M_NR], rn, rs, i;
	struct shminfo nsi, dsi;

	ASSERT_LE(0, shmctl(0, IPC_INFO, (struct shmid_ds *)&nsi));
	ASSERT_LE(0, self->s.ctl(0, IPC_INFO, (struct shmid_ds *)&dsi));
	ASSERT_EQ(0, sysctl_set(self, na->sysctl, val));
	rn = run_calls(limit_calls, na, nat, M_NR, false, NULL);
	rs = run_calls(limit_calls, sa, shm, M_NR, false, NULL);
	ASSERT_EQ(0, sysctl_restore(self));
	ASSERT_EQ(0, rn);
	ASSERT_EQ(0, rs);
	for (i = 0; i < M_NR; i++)
		w[i] = i < M_MADE || i - M_MADE < na->nr_fit ? want[i] : NO_RESULT;
	w[M_FOUND] = n_key;
	if (strcmp(na->sysctl, SYSCTL_SHMMNI))
		w[M_INFO_SHMSEG] = nsi.shmseg;
	check_results(_metadata, self, false, w, nat, M_NR);
	for (i = 0; i < M_NR; i++)
		w[i] = i < M_MADE || i - M_MADE < sa->nr_fit ? want[i] : NO_RESULT;
	w[M_FOUND] = d_key;
	if (strcmp(sa->sysctl, SYSCTL_SHMMNI))
		w[M_INFO_SHMSEG] = dsi.shmseg;
	check_results(_metadata, self, true, w, shm, M_NR);
}

/* The same key, @pages long, natively and on the device; false if not made. */
static bool key_both(FIXTURE_DATA(shim) *self, long pages, int *n, int *d)
{
	*n = native_id(self, shmget(self->key, pages * self->pg, IPC_CREAT | 0600));
	*d = dev_id(self, self->s.get(self->key, pages * self->pg, IPC_CREAT | 0600));
	return *n >= 0 && *d >= 0;
}

/*
 * kernel.shmmax lowered under the device's max_seg_bytes: a new segment
 * between the two is EINVAL, natively and through the shim (the stricter
 * limit applies), one at shmmax is made, an existing key bigger than
 * shmmax is still found, and IPC_INFO reports the new shmmax.
 */
TEST_F(shim, shmget_over_lowered_shmmax_is_einval_like_native)
{
	struct limit_arg na = { .f = native_side(), .sysctl = SYSCTL_SHMMAX }, sa;
	struct shmdemo_info info;
	long pg = self->pg;
	int n, d;
	const int want[M_NR] = {
		[M_OVER] = -EINVAL, [M_MADE] = MADE, [M_FULL] = MADE, [M_NEW_KEY] = -EINVAL,
		[M_INFO] = 2 * pg,
	};

	NEED_SHIM(NULL);
	if (geteuid())
		SKIP(return, "needs root to set kernel.shmmax");
	ASSERT_EQ(0, shmdemo_info(self->fd, &info));
	if (info.max_seg_bytes < 4 * (uint64_t)pg)
		SKIP(return, "max_seg_bytes is under 4 pages: nothing lies between");
	ASSERT_TRUE(key_both(self, 3, &n, &d));
	na.key = self->key;
	na.key_bytes = 3 * pg;
	na.over = 4 * pg;
	na.fit = 2 * pg;
	na.nr_fit = 1;
	na.full = 2 * pg;	/* shmmax counts no segments: made too */
	sa = na;
	sa.f = shim_side(&self->s);
	check_limit(_metadata, self, 2 * pg, &na, &sa, n, d, want);
}

/*
 * kernel.shmall lowered to one page above the larger of the native and
 * the device total: on each side a segment of exactly what is left is
 * made, one a page bigger or any after it is ENOSPC, natively and through
 * the shim (which counts the device's pages against the sysctl); an
 * existing key is still found.
 */
TEST_F(shim, shmget_over_lowered_shmall_is_enospc_like_native)
{
	struct limit_arg na = { .f = native_side(), .sysctl = SYSCTL_SHMALL }, sa;
	struct shmdemo_info info;
	struct shm_info nsh, dsh;
	unsigned long shmall;
	long pg = self->pg;
	int n, d;
	int want[M_NR] = {
		[M_OVER] = -ENOSPC, [M_MADE] = MADE, [M_FULL] = -ENOSPC, [M_NEW_KEY] = -ENOSPC,
	};

	NEED_SHIM(NULL);
	if (geteuid())
		SKIP(return, "needs root to set kernel.shmall");
	ASSERT_TRUE(key_both(self, 1, &n, &d));
	ASSERT_LE(0, shmctl(0, SHM_INFO, (struct shmid_ds *)&nsh));
	ASSERT_LE(0, self->s.ctl(0, SHM_INFO, (struct shmid_ds *)&dsh));
	ASSERT_EQ(0, shmdemo_info(self->fd, &info));
	shmall = (nsh.shm_tot > dsh.shm_tot ? nsh.shm_tot : dsh.shm_tot) + 1;
	if (shmall - nsh.shm_tot > 1024 || shmall - dsh.shm_tot > 1024)
		SKIP(return, "native and device totals differ by over 1024 pages");
	if (shmall > info.max_total_pages)
		SKIP(return, "max_total_pages is already that low");
	na.key = self->key;
	na.key_bytes = pg;
	na.nr_fit = 1;
	na.full = 1;
	sa = na;
	sa.f = shim_side(&self->s);
	/* Each side's room: exactly what is left under the new shmall. */
	na.fit = (shmall - nsh.shm_tot) * pg;
	sa.fit = (shmall - dsh.shm_tot) * pg;
	na.over = na.fit + 1;
	sa.over = sa.fit + 1;
	want[M_INFO] = shmall;
	check_limit(_metadata, self, shmall, &na, &sa, n, d, want);
}

/*
 * kernel.shmmni lowered to two above the larger of the native and the
 * device segment count: on each side the segments left are made, one more
 * is ENOSPC, natively and through the shim (which counts the device's
 * segments against the sysctl); an existing key is still found.
 */
TEST_F(shim, shmget_over_lowered_shmmni_is_enospc_like_native)
{
	struct limit_arg na = { .f = native_side(), .sysctl = SYSCTL_SHMMNI }, sa;
	struct shmdemo_info info;
	struct shm_info nsh, dsh;
	unsigned long shmmni;
	long pg = self->pg;
	int n, d, i;
	int want[M_NR] = {
		[M_OVER] = MADE, [M_FULL] = -ENOSPC, [M_NEW_KEY] = -ENOSPC,
	};

	NEED_SHIM(NULL);
	if (geteuid())
		SKIP(return, "needs root to set kernel.shmmni");
	ASSERT_TRUE(key_both(self, 1, &n, &d));
	ASSERT_LE(0, shmctl(0, SHM_INFO, (struct shmid_ds *)&nsh));
	ASSERT_LE(0, self->s.ctl(0, SHM_INFO, (struct shmid_ds *)&dsh));
	ASSERT_EQ(0, shmdemo_info(self->fd, &info));
	shmmni = (nsh.used_ids > dsh.used_ids ? nsh.used_ids : dsh.used_ids) + 2;
	if (shmmni - nsh.used_ids > 9 || shmmni - dsh.used_ids > 9)
		SKIP(return, "native and device segment counts differ by over 7");
	if (shmmni > info.max_segments)
		SKIP(return, "max_segments is already that low");
	na.key = self->key;
	na.key_bytes = pg;
	na.over = pg;		/* shmmni counts no bytes: M_OVER is one of them */
	na.fit = pg;
	na.full = pg;
	sa = na;
	sa.f = shim_side(&self->s);
	na.nr_fit = shmmni - nsh.used_ids - 1;
	sa.nr_fit = shmmni - dsh.used_ids - 1;
	for (i = 0; i < 8; i++)
		want[M_MADE + i] = MADE;
	want[M_INFO] = shmmni;
	want[M_INFO_SHMSEG] = shmmni;
	check_limit(_metadata, self, shmmni, &na, &sa, n, d, want);
}

/*
 * Without the module there is no /dev/shmdemo: every call goes native and
 * the program still works.  Runs only where the device is absent (on the
 * host, or in a guest booted with --no-load).
 */
TEST(without_device_every_call_goes_native)
{
	struct shmid_ds ds;
	struct shim s;
	const char *why;
	char *p;
	int id;

	if (!access(SHMDEMO_DEVICE, F_OK))
		SKIP(return, SHMDEMO_DEVICE " exists: the fallback is for when it doesn't");
	why = shim_load(&s, NULL);
	if (why)
		SKIP(return, "%s", why);
	id = s.get(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));	/* libc sees it */
	EXPECT_EQ(4096, ds.shm_segsz);
	p = s.at(id, NULL, 0);
	ASSERT_NE(NOT_ATTACHED, p);
	strcpy(p, "native");
	ASSERT_EQ(0, s.ctl(id, IPC_STAT, &ds));
	EXPECT_EQ(1, ds.shm_nattch);
	EXPECT_EQ(0, s.dt(p));
	EXPECT_EQ(-EINVAL, res(s.dt(p)));
	EXPECT_EQ(0, s.ctl(id, IPC_RMID, NULL));
	EXPECT_EQ(-EINVAL, res(shmctl(id, IPC_STAT, &ds)));
}

TEST_HARNESS_MAIN
