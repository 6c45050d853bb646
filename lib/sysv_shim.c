// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libshmdemo-sysv.so - System V shared memory on /dev/shmdemo, for programs
 * that don't know about it:
 *
 *	LD_PRELOAD=/path/to/libshmdemo-sysv.so ./program
 *
 * shmget(), shmat(), shmdt() and shmctl() are replaced; a program sees the
 * same return values, errno values and shmid_ds fields as with native
 * System V shm (the module applies the Linux rules: see kmod/shmdemo_seg.c),
 * but its segments live on the device, with the device's page cache and
 * fault path.  Nothing else is exported.  The shim never prints and is
 * thread-safe; errno is left alone by calls that succeed.
 *
 * Routing, read once when the library is loaded:
 *
 *   default			every call goes to the device.
 *   SHMDEMO_SYSV=0		the shim is off: every call goes to the real
 *				libc function (dlsym(RTLD_NEXT)).
 *   SHMDEMO_SYSV_KEYS=LO-HI	only shmget() of a key in [LO, HI] goes to the
 *				device (LO and HI as strtol() base 0 reads
 *				them: hex, octal or decimal; a key is compared
 *				as its 32-bit unsigned value, so "-5--1" is
 *				fine).  IPC_PRIVATE and every other key go
 *				native.  An id then counts as a device id only
 *				if this process (or the parent it was forked
 *				from) got it from the shim's shmget(): shmat()
 *				and the id-based shmctl() commands (IPC_STAT,
 *				IPC_SET, IPC_RMID, SHM_LOCK, SHM_UNLOCK) go to
 *				the device for those ids and native for the
 *				rest; IPC_INFO, SHM_INFO, SHM_STAT and
 *				SHM_STAT_ANY describe the native table.  A
 *				malformed value (not two numbers, or LO > HI)
 *				routes nothing to the device.
 *
 * If /dev/shmdemo does not exist (module not loaded: open() gives ENOENT),
 * that call goes native instead, so a program still works without the
 * module; any other open() error (EACCES...) is the call's error.
 *
 * Calls:
 *
 *   shmget	SHMDEMO_IOC_GET (IPC_CREAT, IPC_EXCL and the 0777 bits).  A
 *		segment about to be created first gets newseg()'s checks, in
 *		its order, against the limits below: size 0 or over shmmax
 *		(EINVAL), total pages over shmall (ENOSPC), SHM_HUGETLB, then
 *		segments at shmmni (ENOSPC); an existing key answers for
 *		itself, as natively (EEXIST under IPC_EXCL, else its own size
 *		and permission checks).  SHM_HUGETLB is allowed with
 *		CAP_IPC_LOCK (capget()) or membership of the group in
 *		/proc/sys/vm/hugetlb_shm_group, else EPERM, as Linux 5.16+
 *		decides it (RLIMIT_MEMLOCK no longer counts); a page size
 *		other than none or SHM_HUGE_2MB is EINVAL.
 *   shmat	Linux's do_shmat() checks (shmid < 0, SHMLBA alignment and
 *		SHM_RND, SHM_REMAP with address 0), then a private open of the
 *		device and one SHMDEMO_IOC_ATTACH, which does the rest as
 *		do_shmat() does: the caller's permission (read, write unless
 *		SHM_RDONLY, execute for SHM_EXEC: EACCES), no such or a gone
 *		segment (EINVAL), an occupied range without SHM_REMAP
 *		(EINVAL), MAP_SHARED of the whole segment rounded up to pages.
 *		The open file is closed at once: the mapping keeps the
 *		segment, counts in nattch, and is inherited by fork() like a
 *		native attach.
 *   shmdt	Addresses returned by the shim's shmat() (in this process or
 *		inherited through fork()) are munmap()ed.  Any other address is
 *		EINVAL, except in SHMDEMO_SYSV_KEYS mode or after a call went
 *		native because the device was absent: then the real shmdt()
 *		decides.
 *   shmctl	IPC_STAT, SHM_STAT, SHM_STAT_ANY (SHMDEMO_IOC_STAT_ANY: no
 *		read permission needed), IPC_SET (uid, gid and the 0777 mode
 *		bits), IPC_RMID, SHM_LOCK and SHM_UNLOCK (SHMDEMO_IOC_LOCK and
 *		_UNLOCK: the module applies shmctl_do_lock()'s rules and
 *		RLIMIT_MEMLOCK, and SHM_LOCKED shows in shm_perm.mode as
 *		natively), IPC_INFO (struct shminfo: the limits below, shmmin
 *		= 1, shmseg = shmmni) and SHM_INFO (struct shm_info: used_ids,
 *		shm_tot, shm_rss from the device, the rest 0).  An "index" for
 *		SHM_STAT/SHM_STAT_ANY is a position in the device's id-ordered
 *		segment list (SHMDEMO_IOC_LIST), and IPC_INFO/SHM_INFO return
 *		the highest position (number of segments - 1, or 0), so an
 *		ipcs-style loop from 0 to that value visits every segment; an
 *		argument that is not a position but a listed id is taken as
 *		that id.  IPC_64 in cmd is handled as this architecture's
 *		kernel does (an unknown command on x86_64).  A NULL buf gives
 *		EFAULT where Linux gives it (IPC_SET before the id is checked,
 *		the others after).
 *
 * Limits: shmget() and IPC_INFO use, for each of shmmax, shmall and shmmni,
 * the stricter of the native sysctl (/proc/sys/kernel/shm*, the caller's
 * IPC namespace; ignored if unreadable) and the device's limit
 * (max_seg_bytes, max_total_pages, max_segments), counted against the
 * device's segments: a program gets no more than either would give it.
 *
 * Where it still differs from native System V, and why:
 *
 *   - Separate worlds.  Device and native ids are separate number spaces
 *     (in SHMDEMO_SYSV_KEYS mode an id that both handed out to this
 *     process is taken as the device's); native shmmni/shmall count native
 *     segments only, and the shim counts device segments only.
 *   - No IPC namespaces.  Device segments are not scoped to IPC namespaces:
 *     the module can't hold or follow an ipc_namespace (put_ipc_ns() is not
 *     exported, and there is no notifier for a namespace's exit), so keys
 *     and ids are global to everyone who can open /dev/shmdemo.  What
 *     isolation remains is the device node's mode and each segment's
 *     permissions.
 *   - Per-user limit.  The pages resident in the segments one uid created
 *     are limited to max_user_pages unless the creator has CAP_IPC_LOCK:
 *     a shmget() that can't fit is ENOSPC, and a fault past the limit
 *     raises SIGBUS (as a full tmpfs does).  Linux has no such limit
 *     (device pages are unevictable, so one is needed).
 *   - SHM_HUGETLB means 2 MiB folios, which the device gives every whole,
 *     aligned 2 MiB of a shared attachment anyway (no hugetlb pool: Linux
 *     gives ENOMEM without one); a creation's size is rounded up to 2 MiB
 *     so that the last bytes get one too, and IPC_STAT shows that size
 *     (Linux rounds the mapping, not shm_segsz).  SHM_HUGE_1GB and every
 *     other page size is EINVAL even where the machine has such pages.  SHM_NORESERVE is
 *     ignored (device pages are allocated on first touch anyway).
 *   - SHM_LOCK.  Device pages are never swapped, locked or not (shm_swp is
 *     0): locking sets SHM_LOCKED and charges RLIMIT_MEMLOCK in the
 *     module's own count, so a user may lock that much on each side.
 *   - mprotect(PROT_EXEC) of an attach is refused without execute
 *     permission, where Linux allows it (the module clears VM_MAYEXEC: an
 *     attach must not gain what shmat() would have refused).
 *   - remap_file_pages() on a removed segment whose last mapping it
 *     replaces gives EIDRM where Linux gives EINVAL (the module maps the
 *     segment anew, and it is gone by then).
 *   - shmdt() doesn't follow a shim attach that the program moved with
 *     mremap() or replaced with its own mmap(); a non-NULL invalid shmctl()
 *     buf faults in the program instead of giving EFAULT.
 *   - The capability the shim checks itself (CAP_IPC_LOCK for
 *     SHM_HUGETLB) comes from capget(), in the caller's own user
 *     namespace; Linux asks the initial one, or the one owning the IPC
 *     namespace.
 *
 * Not covered: statically linked programs, 32-bit programs built with
 * _TIME_BITS=64 (they call __shmctl64), the raw ipc()/shm* system calls,
 * and ipcs(1), which reads /proc/sysvipc/shm (the device's listing is
 * /proc/shmdemo).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/shmdemo.h>

#include "device_ioctl.h"

#define SHIM_API	__attribute__((visibility("default")))

/*
 * <linux/ipc.h>'s IPC_64 in a shmctl() cmd: kernels that parse an IPC
 * version (CONFIG_ARCH_WANT_IPC_PARSE_VERSION: i386, 32-bit arm, mips,
 * powerpc...) strip it; the 64-bit ports below don't, so there it makes an
 * unknown command (EINVAL), as it does here.
 */
#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv) || defined(__loongarch__)
#define SHIM_IPC_64	0
#else
#define SHIM_IPC_64	0x0100
#endif

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

/*
 * SHM_HUGETLB's page size, log2 in shmflg bits 26-31 (<linux/shm.h>, which
 * can't be included with <sys/shm.h>); 0 is the default huge page size.
 */
#ifndef SHM_HUGE_SHIFT
#define SHM_HUGE_SHIFT		26
#endif
#ifndef SHM_HUGE_MASK
#define SHM_HUGE_MASK		0x3f
#endif
#define SHIM_HUGE_2MB_LOG	21
#define SHIM_HUGE_2MB		((size_t)1 << SHIM_HUGE_2MB_LOG)

typedef int (*shmget_fn)(key_t, size_t, int);
typedef void *(*shmat_fn)(int, const void *, int);
typedef int (*shmdt_fn)(const void *);
typedef int (*shmctl_fn)(int, int, struct shmid_ds *);

enum shim_route {
	ROUTE_ALL,	/* default: everything to the device */
	ROUTE_KEYS,	/* SHMDEMO_SYSV_KEYS: keys in [lo, hi] */
	ROUTE_NONE,	/* SHMDEMO_SYSV=0 or a malformed key range */
};

static struct {
	enum shim_route route;
	uint32_t lo, hi;
	shmget_fn shmget;
	shmat_fn shmat;
	shmdt_fn shmdt;
	shmctl_fn shmctl;
} cfg;

static pthread_once_t cfg_once = PTHREAD_ONCE_INIT;

/* Set once a call went native because the device was absent (ROUTE_ALL). */
static bool went_native;

/*
 * The shim's attachments (address -> length) and, in ROUTE_KEYS mode, the
 * device ids this process got from shmget().  One lock for both; held
 * across fork() so the child's copy is consistent.
 */
struct shim_attach {
	uintptr_t addr;
	size_t len;
};

static pthread_mutex_t shim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shim_attach *attaches;
static size_t nr_attaches, cap_attaches;
static int *dev_ids;
static size_t nr_dev_ids, cap_dev_ids;

static void shim_atfork_prepare(void)
{
	pthread_mutex_lock(&shim_lock);
}

static void shim_atfork_release(void)
{
	pthread_mutex_unlock(&shim_lock);
}

static bool parse_key(const char *s, char **end, uint32_t *out)
{
	long v;

	errno = 0;
	v = strtol(s, end, 0);
	if (*end == s || errno || v < INT32_MIN || v > (long)UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* "LO-HI" -> [lo, hi]; false if malformed. */
static bool parse_range(const char *s, uint32_t *lo, uint32_t *hi)
{
	char *end;

	if (!parse_key(s, &end, lo) || *end != '-')
		return false;
	s = end + 1;
	if (!parse_key(s, &end, hi) || *end != '\0')
		return false;
	return *lo <= *hi;
}

static void shim_init_once(void)
{
	int saved = errno;
	const char *on = getenv("SHMDEMO_SYSV");
	const char *keys = getenv("SHMDEMO_SYSV_KEYS");

	cfg.shmget = (shmget_fn)dlsym(RTLD_NEXT, "shmget");
	cfg.shmat = (shmat_fn)dlsym(RTLD_NEXT, "shmat");
	cfg.shmdt = (shmdt_fn)dlsym(RTLD_NEXT, "shmdt");
	cfg.shmctl = (shmctl_fn)dlsym(RTLD_NEXT, "shmctl");

	cfg.route = ROUTE_ALL;
	if (on && !strcmp(on, "0"))
		cfg.route = ROUTE_NONE;
	else if (keys && *keys)
		cfg.route = parse_range(keys, &cfg.lo, &cfg.hi) ? ROUTE_KEYS : ROUTE_NONE;

	pthread_atfork(shim_atfork_prepare, shim_atfork_release, shim_atfork_release);
	errno = saved;
}

static void shim_init(void)
{
	pthread_once(&cfg_once, shim_init_once);
}

/* Read the environment at load time, before the program starts threads. */
__attribute__((constructor)) static void shim_ctor(void)
{
	shim_init();
}

/* ------------------------------------------------------------------ */

static int fail(int err)
{
	errno = err;
	return -1;
}

/* A device layer result (0 or -errno) as this file's 0 or -1 with errno. */
static int dev_errno(int ret)
{
	return ret ? fail(-ret) : 0;
}

static void *fail_ptr(int err)
{
	errno = err;
	return (void *)-1;
}

static void close_keep_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

/* The real libc functions (ENOSYS if libc somehow has none). */
static int real_shmget(key_t key, size_t size, int shmflg)
{
	return cfg.shmget ? cfg.shmget(key, size, shmflg) : fail(ENOSYS);
}

static void *real_shmat(int shmid, const void *addr, int shmflg)
{
	return cfg.shmat ? cfg.shmat(shmid, addr, shmflg) : fail_ptr(ENOSYS);
}

static int real_shmdt(const void *addr)
{
	return cfg.shmdt ? cfg.shmdt(addr) : fail(ENOSYS);
}

static int real_shmctl(int shmid, int cmd, struct shmid_ds *buf)
{
	return cfg.shmctl ? cfg.shmctl(shmid, cmd, buf) : fail(ENOSYS);
}

/*
 * Open the device.  Returns the fd; -1 with errno on failure, and *absent
 * set (errno restored to @saved) when there is no device: go native.
 */
static int dev_open(int flags, bool *absent, int saved)
{
	int fd = shmdemo_dev_open(flags);

	*absent = false;
	if (fd == -ENOENT) {
		*absent = true;
		__atomic_store_n(&went_native, true, __ATOMIC_RELAXED);
		errno = saved;
		return -1;
	}
	return fd < 0 ? fail(-fd) : fd;
}

/* IPC_STAT, or with @any SHM_STAT_ANY (no read permission needed). */
static int dev_stat(int fd, int id, bool any, struct shmdemo_stat *st)
{
	return dev_errno(shmdemo_dev_stat(fd, id, any, st));
}

static bool key_routed(key_t key)
{
	uint32_t k = (uint32_t)key;

	switch (cfg.route) {
	case ROUTE_ALL:
		return true;
	case ROUTE_KEYS:
		return key != IPC_PRIVATE && k >= cfg.lo && k <= cfg.hi;
	default:
		return false;
	}
}

/* Context: shim_lock held. */
static bool dev_id_known_locked(int id)
{
	size_t i;

	for (i = 0; i < nr_dev_ids; i++)
		if (dev_ids[i] == id)
			return true;
	return false;
}

static bool id_routed(int id)
{
	bool known;

	switch (cfg.route) {
	case ROUTE_ALL:
		return true;
	case ROUTE_KEYS:
		pthread_mutex_lock(&shim_lock);
		known = dev_id_known_locked(id);
		pthread_mutex_unlock(&shim_lock);
		return known;
	default:
		return false;
	}
}

/* Remember a device id (ROUTE_KEYS); false if out of memory. */
static bool dev_id_add(int id)
{
	bool ok = true;

	pthread_mutex_lock(&shim_lock);
	if (!dev_id_known_locked(id)) {
		if (nr_dev_ids == cap_dev_ids) {
			size_t cap = cap_dev_ids ? 2 * cap_dev_ids : 16;
			int *n = realloc(dev_ids, cap * sizeof(*n));

			if (n) {
				dev_ids = n;
				cap_dev_ids = cap;
			}
		}
		if (nr_dev_ids < cap_dev_ids)
			dev_ids[nr_dev_ids++] = id;
		else
			ok = false;
	}
	pthread_mutex_unlock(&shim_lock);
	return ok;
}

/* ------------------------------------------------------------------ */

/*
 * The native limits: the caller's IPC namespace's sysctls.  An unsigned
 * number from a /proc/sys file, errno untouched; false if it can't be read
 * (no /proc, no SysV IPC): then the device's limit alone applies.
 */
static bool read_sysctl(const char *path, unsigned long long *val)
{
	int saved = errno, fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[32], *end;
	bool ok = false;
	ssize_t n;

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			errno = 0;
			*val = strtoull(buf, &end, 10);
			ok = end != buf && !errno;
		}
	}
	errno = saved;
	return ok;
}

/*
 * What shmget() and IPC_INFO apply: for each limit, the stricter of the
 * native sysctl and the device's own, so a program never gets more than
 * either would give it.
 */
struct shim_limits {
	uint64_t shmmax;	/* bytes in one segment */
	uint64_t shmall;	/* pages in all segments */
	uint64_t shmmni;	/* segments */
};

static void shim_limits(const struct shmdemo_info *info, struct shim_limits *lim)
{
	unsigned long long v;

	lim->shmmax = info->max_seg_bytes;
	lim->shmall = info->max_total_pages;
	lim->shmmni = info->max_segments;
	if (read_sysctl("/proc/sys/kernel/shmmax", &v) && v < lim->shmmax)
		lim->shmmax = v;
	if (read_sysctl("/proc/sys/kernel/shmall", &v) && v < lim->shmall)
		lim->shmall = v;
	if (read_sysctl("/proc/sys/kernel/shmmni", &v) && v < lim->shmmni)
		lim->shmmni = v;
}

static int dev_info(int fd, struct shmdemo_info *info)
{
	return dev_errno(shmdemo_dev_info(fd, info));
}

static bool in_group(gid_t gid)
{
	gid_t *groups;
	bool found = false;
	int n, i;

	if (getegid() == gid)
		return true;
	n = getgroups(0, NULL);
	if (n <= 0)
		return false;
	groups = malloc(n * sizeof(*groups));
	if (!groups)
		return false;
	n = getgroups(n, groups);
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			found = true;
	free(groups);
	return found;
}

static bool has_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int saved = errno;
	bool ret;

	memset(data, 0, sizeof(data));
	ret = !syscall(SYS_capget, &hdr, data) &&
	      (data[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap));
	errno = saved;
	return ret;
}

/*
 * SHM_HUGETLB: newseg()'s page size check (none given, or 2 MiB: the
 * device's folio size), then hugetlb_file_setup()'s rule:
 * CAP_IPC_LOCK or the group in vm.hugetlb_shm_group, else EPERM.  Since
 * Linux 5.16 a fitting RLIMIT_MEMLOCK no longer allows it (that obsolete
 * path only warns), so it doesn't here either.  Returns 0 or an errno.
 */
static int hugetlb_checks(int shmflg)
{
	unsigned int log = (shmflg >> SHM_HUGE_SHIFT) & SHM_HUGE_MASK;
	unsigned long long group;

	if (log && log != SHIM_HUGE_2MB_LOG)
		return EINVAL;
	if (has_cap(CAP_IPC_LOCK))
		return 0;
	if (read_sysctl("/proc/sys/vm/hugetlb_shm_group", &group) && group <= UINT32_MAX &&
	    in_group((gid_t)group))
		return 0;
	return EPERM;
}

/*
 * newseg()'s checks, in its order, for a segment about to be created,
 * against the stricter limits: size (EINVAL), total pages (ENOSPC),
 * SHM_HUGETLB, then the number of segments (ipc_addid(): ENOSPC).  The
 * device checks its own limits again, and max_user_pages, when it
 * creates.  Returns 0 or an errno.
 */
static int create_checks(int fd, size_t size, int shmflg)
{
	uint64_t pg = sysconf(_SC_PAGESIZE), pages;
	struct shmdemo_info info;
	struct shim_limits lim;
	int err;

	if (dev_info(fd, &info))
		return errno;
	shim_limits(&info, &lim);
	if (size < 1 || size > lim.shmmax)
		return EINVAL;
	pages = (size + pg - 1) / pg;
	if (pages * pg < size)
		return ENOSPC;
	if (info.total_pages + pages < info.total_pages || info.total_pages + pages > lim.shmall)
		return ENOSPC;
	if (shmflg & SHM_HUGETLB) {
		err = hugetlb_checks(shmflg);
		if (err)
			return err;
	}
	if (info.segments >= lim.shmmni)
		return ENOSPC;
	return 0;
}

/* Is there a segment with @key?  (A GET that asks for nothing.) */
static bool dev_key_exists(int fd, key_t key)
{
	int saved = errno, id;
	bool ret = !shmdemo_dev_get(fd, key, 0, 0, 0, &id);

	errno = saved;
	return ret;
}

/*
 * ipcget_public()'s order: an existing key is EEXIST under IPC_EXCL, else
 * found, with its own size and permission checks; only what is created
 * gets newseg()'s checks (and SHM_HUGETLB is ignored for the rest).  So
 * when a check refuses a creation, a key that exists after all answers
 * for itself.  Returns the id, or -1 with errno.
 */
static int dev_get(int fd, key_t key, size_t size, int shmflg)
{
	uint32_t flags = 0;
	int err = 0, id, ret;

	if (shmflg & IPC_CREAT)
		flags |= SHMDEMO_GET_CREATE;
	if (shmflg & IPC_EXCL)
		flags |= SHMDEMO_GET_EXCL;
	if (key == IPC_PRIVATE || (shmflg & IPC_CREAT)) {
		err = create_checks(fd, size, shmflg);
		if (err && (key == IPC_PRIVATE || !dev_key_exists(fd, key)))
			return fail(err);
		if (err && (shmflg & IPC_EXCL))
			return fail(EEXIST);
		if (err)
			flags = 0;	/* find it, as natively */
	}
	/*
	 * SHM_HUGETLB means 2 MiB folios: a creation is rounded up to 2 MiB,
	 * as hugetlb_file_setup() rounds the file, so that every page of it
	 * is in one (the device gives them to every whole, aligned 2 MiB).
	 * A key that exists is found with the size asked for, as natively.
	 */
	if ((shmflg & SHM_HUGETLB) && (flags & SHMDEMO_GET_CREATE) && size <= SIZE_MAX - SHIM_HUGE_2MB &&
	    (key == IPC_PRIVATE || !dev_key_exists(fd, key)))
		size = (size + SHIM_HUGE_2MB - 1) & ~(SHIM_HUGE_2MB - 1);
	ret = shmdemo_dev_get(fd, key, size, flags, shmflg & 0777, &id);
	/* Removed since dev_key_exists(): the creation stays refused. */
	if (ret)
		return fail(err && ret == -ENOENT ? err : -ret);
	return id;
}

SHIM_API int shmget(key_t key, size_t size, int shmflg)
{
	int saved = errno, fd, id;
	bool absent;

	shim_init();
	if (!key_routed(key))
		return real_shmget(key, size, shmflg);
	fd = dev_open(O_RDONLY, &absent, saved);
	if (absent)
		return real_shmget(key, size, shmflg);
	if (fd < 0)
		return -1;
	id = dev_get(fd, key, size, shmflg);
	close_keep_errno(fd);
	if (id < 0)
		return -1;
	if (cfg.route == ROUTE_KEYS && !dev_id_add(id))
		return fail(ENOMEM);
	errno = saved;
	return id;
}

/* ------------------------------------------------------------------ */

/* Record an attachment; replaces entries the new range overlaid (SHM_REMAP). */
static bool attach_add(uintptr_t addr, size_t len)
{
	bool ok = true;
	size_t i = 0;

	pthread_mutex_lock(&shim_lock);
	while (i < nr_attaches) {
		if (attaches[i].addr >= addr && attaches[i].addr - addr < len)
			attaches[i] = attaches[--nr_attaches];
		else
			i++;
	}
	if (nr_attaches == cap_attaches) {
		size_t cap = cap_attaches ? 2 * cap_attaches : 16;
		struct shim_attach *n = realloc(attaches, cap * sizeof(*n));

		if (n) {
			attaches = n;
			cap_attaches = cap;
		}
	}
	if (nr_attaches < cap_attaches)
		attaches[nr_attaches++] = (struct shim_attach){ addr, len };
	else
		ok = false;
	pthread_mutex_unlock(&shim_lock);
	return ok;
}

SHIM_API void *shmat(int shmid, const void *shmaddr, int shmflg)
{
	int saved = errno, fd, ret;
	uint32_t flags = 0;
	uintptr_t addr = (uintptr_t)shmaddr;
	uintptr_t shmlba = SHMLBA;
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t bytes;
	bool absent;
	void *p;

	shim_init();
	if (!id_routed(shmid))
		return real_shmat(shmid, shmaddr, shmflg);

	/* do_shmat()'s checks, in its order; the module makes the rest. */
	if (shmid < 0)
		return fail_ptr(EINVAL);
	if (addr) {
		if (addr & (shmlba - 1)) {
			if (!(shmflg & SHM_RND))
				return fail_ptr(EINVAL);
			addr &= ~(shmlba - 1);
			if (!addr && (shmflg & SHM_REMAP))
				return fail_ptr(EINVAL);
		}
		if (shmflg & SHM_REMAP)
			flags |= SHMDEMO_ATTACH_REMAP;
	} else if (shmflg & SHM_REMAP) {
		return fail_ptr(EINVAL);
	}
	if (shmflg & SHM_RDONLY)
		flags |= SHMDEMO_ATTACH_RDONLY;
	if (shmflg & SHM_EXEC)
		flags |= SHMDEMO_ATTACH_EXEC;

	fd = dev_open((shmflg & SHM_RDONLY) ? O_RDONLY : O_RDWR, &absent, saved);
	if (absent)
		return real_shmat(shmid, shmaddr, shmflg);
	if (fd < 0)
		return (void *)-1;
	/* One request, as shmat() is one call: permission, nattch, the mapping. */
	ret = shmdemo_dev_attach(fd, shmid, addr, flags, &p, &bytes);
	close(fd);
	if (dev_errno(ret))
		return (void *)-1;
	bytes = (bytes + (uint64_t)pg - 1) / (uint64_t)pg * (uint64_t)pg;	/* mapped */
	if (!attach_add((uintptr_t)p, (size_t)bytes)) {
		munmap(p, (size_t)bytes);
		return fail_ptr(ENOMEM);
	}
	errno = saved;
	return p;
}

/* ------------------------------------------------------------------ */

SHIM_API int shmdt(const void *shmaddr)
{
	uintptr_t addr = (uintptr_t)shmaddr;
	bool found = false;
	size_t i;

	shim_init();
	if (cfg.route == ROUTE_NONE)
		return real_shmdt(shmaddr);

	pthread_mutex_lock(&shim_lock);
	for (i = 0; i < nr_attaches; i++) {
		if (attaches[i].addr == addr) {
			/* Under the lock: nobody maps here before the entry is gone. */
			munmap((void *)addr, attaches[i].len);
			attaches[i] = attaches[--nr_attaches];
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&shim_lock);
	if (found)
		return 0;
	if (cfg.route == ROUTE_KEYS || __atomic_load_n(&went_native, __ATOMIC_RELAXED))
		return real_shmdt(shmaddr);
	return fail(EINVAL);
}

/* ------------------------------------------------------------------ */

static void stat_to_ds(const struct shmdemo_stat *st, struct shmid_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ds->shm_perm.__key = st->key;
	ds->shm_perm.uid = st->uid;
	ds->shm_perm.gid = st->gid;
	ds->shm_perm.cuid = st->cuid;
	ds->shm_perm.cgid = st->cgid;
	ds->shm_perm.mode = (st->mode & 0777) |
			    ((st->flags & SHMDEMO_SEG_DEST) ? SHM_DEST : 0) |
			    ((st->flags & SHMDEMO_SEG_LOCKED) ? SHM_LOCKED : 0);
	ds->shm_segsz = st->bytes;
	ds->shm_atime = st->atime;
	ds->shm_dtime = st->dtime;
	ds->shm_ctime = st->ctime;
	ds->shm_cpid = st->cpid;
	ds->shm_lpid = st->lpid;
	ds->shm_nattch = st->nattch;
}

/* All ids in id order; *ids is malloc()ed.  -1 with errno on failure. */
static int dev_list(int fd, int32_t **ids, uint32_t *count)
{
	uint32_t cap = 64;

	for (;;) {
		int32_t *buf = malloc(cap * sizeof(*buf));
		uint32_t n = cap;
		int ret;

		if (!buf)
			return fail(ENOMEM);
		ret = shmdemo_dev_list(fd, buf, &n);
		if (ret) {
			free(buf);
			return fail(-ret);
		}
		if (n <= cap) {
			*ids = buf;
			*count = n;
			return 0;
		}
		cap = n + 16;
		free(buf);
	}
}

/* The highest "index" (list position) in use, as IPC_INFO/SHM_INFO return it. */
static int max_index(const struct shmdemo_info *info)
{
	if (!info->segments)
		return 0;
	return info->segments - 1 > INT_MAX ? INT_MAX : (int)info->segments - 1;
}

/* The limits shmget() applies: the stricter of sysctl and device. */
static int ctl_ipc_info(int fd, struct shmid_ds *buf)
{
	struct shmdemo_info info;
	struct shim_limits lim;
	struct shminfo si;

	if (dev_info(fd, &info))
		return -1;
	if (!buf)
		return fail(EFAULT);
	shim_limits(&info, &lim);
	memset(&si, 0, sizeof(si));
	si.shmmax = lim.shmmax;
	si.shmmin = 1;
	si.shmmni = lim.shmmni;
	si.shmseg = lim.shmmni;
	si.shmall = lim.shmall;
	memcpy(buf, &si, sizeof(si));
	return max_index(&info);
}

static int ctl_shm_info(int fd, struct shmid_ds *buf)
{
	struct shmdemo_info info;
	struct shm_info si;

	if (dev_info(fd, &info))
		return -1;
	if (!buf)
		return fail(EFAULT);
	memset(&si, 0, sizeof(si));
	si.used_ids = info.segments;
	si.shm_tot = info.total_pages;
	si.shm_rss = info.resident_pages;
	memcpy(buf, &si, sizeof(si));
	return max_index(&info);
}

static int ctl_stat(int fd, int shmid, bool any, struct shmid_ds *buf)
{
	struct shmdemo_stat st;

	if (dev_stat(fd, shmid, any, &st))
		return -1;
	if (!buf)
		return fail(EFAULT);
	stat_to_ds(&st, buf);
	return 0;
}

/* SHM_STAT, SHM_STAT_ANY (@any): @index is a position in the id list (or an id). */
static int ctl_stat_index(int fd, int index, bool any, struct shmid_ds *buf)
{
	uint32_t count, i;
	int32_t *ids;
	int id = -1;

	if (dev_list(fd, &ids, &count))
		return -1;
	if ((uint32_t)index < count) {
		id = ids[index];
	} else {
		for (i = 0; i < count; i++)
			if (ids[i] == index)
				id = index;
	}
	free(ids);
	if (id < 0)
		return fail(EINVAL);
	return ctl_stat(fd, id, any, buf) ? -1 : id;
}

static int ctl_set(int fd, int shmid, const struct shmid_ds *buf)
{
	if (!buf)
		return fail(EFAULT);
	return dev_errno(shmdemo_dev_set(fd, shmid, SHMDEMO_SET_VALID, buf->shm_perm.uid,
					 buf->shm_perm.gid, buf->shm_perm.mode & 0777));
}

static int ctl_rmid(int fd, int shmid)
{
	return dev_errno(shmdemo_dev_rmid(fd, shmid));
}

/* SHM_LOCK, SHM_UNLOCK: the module applies shmctl_do_lock()'s rules. */
static int ctl_lock(int fd, int shmid, int cmd)
{
	return dev_errno(shmdemo_dev_lock(fd, shmid, cmd == SHM_LOCK));
}

static int dev_shmctl(int fd, int shmid, int cmd, struct shmid_ds *buf)
{
	switch (cmd) {
	case IPC_INFO:
		return ctl_ipc_info(fd, buf);
	case SHM_INFO:
		return ctl_shm_info(fd, buf);
	case SHM_STAT:
	case SHM_STAT_ANY:
		return ctl_stat_index(fd, shmid, cmd == SHM_STAT_ANY, buf);
	case IPC_STAT:
		return ctl_stat(fd, shmid, false, buf);
	case IPC_SET:
		return ctl_set(fd, shmid, buf);
	case IPC_RMID:
		return ctl_rmid(fd, shmid);
	case SHM_LOCK:
	case SHM_UNLOCK:
		return ctl_lock(fd, shmid, cmd);
	default:
		return fail(EINVAL);
	}
}

static bool cmd_names_id(int cmd)
{
	switch (cmd) {
	case IPC_STAT:
	case IPC_SET:
	case IPC_RMID:
	case SHM_LOCK:
	case SHM_UNLOCK:
		return true;
	default:
		return false;
	}
}

SHIM_API int shmctl(int shmid, int cmd, struct shmid_ds *buf)
{
	int saved = errno, fd, ret, c;
	bool absent;

	shim_init();
	switch (cfg.route) {
	case ROUTE_ALL:
		break;
	case ROUTE_KEYS:
		if (cmd >= 0 && cmd_names_id(cmd & ~SHIM_IPC_64) && id_routed(shmid))
			break;
		return real_shmctl(shmid, cmd, buf);
	default:
		return real_shmctl(shmid, cmd, buf);
	}

	if (cmd < 0 || shmid < 0)
		return fail(EINVAL);
	c = cmd & ~SHIM_IPC_64;
	fd = dev_open(O_RDONLY, &absent, saved);
	if (absent)
		return real_shmctl(shmid, cmd, buf);
	if (fd < 0)
		return -1;
	ret = dev_shmctl(fd, shmid, c, buf);
	close_keep_errno(fd);
	if (ret >= 0)
		errno = saved;
	return ret;
}
