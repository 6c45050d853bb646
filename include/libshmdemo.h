/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libshmdemo - attach / detach / sync over /dev/shmdemo and over the native
 * shared memory mechanisms, with fault accounting to compare them.
 *
 * One set of calls, five backends:
 *
 *   SHMD_BACKEND_DEVICE  /dev/shmdemo segments (key or id)
 *   SHMD_BACKEND_SYSV    System V shm: shmget / shmat / shmdt / shmctl
 *   SHMD_BACKEND_FILE    mmap(MAP_SHARED) of an ordinary file (path)
 *   SHMD_BACKEND_ANON    mmap(MAP_SHARED | MAP_ANONYMOUS), shared with
 *                        children across fork() only
 *   SHMD_BACKEND_POSIX   shm_open() objects (name)
 *
 * Conventions (liburing's): every call returns 0 or a positive value on
 * success and -errno on failure; errno itself is not part of the API.  The
 * library never prints.  It is thread-safe: the table that maps an attach
 * address back to its segment is locked, and fork() leaves the child a
 * consistent copy (its attachments are inherited, as the kernel's are).
 * Option structs start with their size (libbpf's rule): pass
 * sizeof(struct ...); bytes the library doesn't know must be zero.
 */
#ifndef LIBSHMDEMO_H
#define LIBSHMDEMO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/shmdemo.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHMD_VERSION_MAJOR	0
#define SHMD_VERSION_MINOR	1

enum shmd_backend {
	SHMD_BACKEND_DEVICE = 1,
	SHMD_BACKEND_SYSV,
	SHMD_BACKEND_FILE,
	SHMD_BACKEND_ANON,
	SHMD_BACKEND_POSIX,
};

/* Key that never matches an existing segment (DEVICE, SYSV). */
#define SHMD_KEY_PRIVATE	0

/* shmd_open_opts.flags */
#define SHMD_CREATE	(1U << 0)	/* create if absent (IPC_CREAT, O_CREAT) */
#define SHMD_EXCL	(1U << 1)	/* with CREATE: fail with -EEXIST if present */

/**
 * struct shmd_open_opts - what to open or create
 * @sz:		sizeof(struct shmd_open_opts)
 * @backend:	one of enum shmd_backend
 * @key:	DEVICE, SYSV: the key, or SHMD_KEY_PRIVATE for a new segment
 * @path:	FILE: the file's path; POSIX: the object's name ("/name");
 *		DEVICE: a regular file the new segment is backed by (opened
 *		read-write, else read-only; SHMD_CREATE or the private key;
 *		@size 0: the file's size), NULL for a memory-only segment
 * @size:	bytes; a new segment, or a new or empty file or object, gets
 *		this size; an existing one must be at least this big (0:
 *		whatever it is).  ANON: required.
 * @flags:	SHMD_CREATE, SHMD_EXCL
 * @mode:	permission bits of a new segment, file or object
 */
struct shmd_open_opts {
	size_t sz;
	enum shmd_backend backend;
	int key;
	const char *path;
	uint64_t size;
	unsigned int flags;
	unsigned int mode;
};

struct shmd_seg;	/* opaque handle of an open segment */

/*
 * Open (or create) a segment.  The handle is only a name for it: closing
 * the handle neither detaches nor removes anything - except for ANON, whose
 * memory is mapped here (an anonymous mapping has no name to reopen): its
 * one attachment is that mapping, and closing a handle that never attached
 * it unmaps it, since nothing else could ever reach it.  A handle may be
 * used by several threads at once.
 */
int shmd_seg_open(const struct shmd_open_opts *opts, struct shmd_seg **segp);
/*
 * DEVICE, SYSV: a handle on an existing segment by id (-EINVAL if none).
 * A segment the caller may not read still gets a handle (its size is then
 * unknown, 0): attaching is what checks permissions.
 */
int shmd_seg_open_id(enum shmd_backend backend, int id, struct shmd_seg **segp);
void shmd_seg_close(struct shmd_seg *seg);

enum shmd_backend shmd_seg_backend(const struct shmd_seg *seg);
/* The kernel id (DEVICE, SYSV) or the file descriptor (FILE, POSIX); -1 for ANON. */
int shmd_seg_id(const struct shmd_seg *seg);
/*
 * Size in bytes as last seen: at open, and refreshed by shmd_attach() and
 * shmd_stat() (ANON: the size asked for).  0 if it could not be read.
 */
uint64_t shmd_seg_size(const struct shmd_seg *seg);

/* shmd_attach() flags */
#define SHMD_RDONLY	(1U << 0)	/* read-only (SHM_RDONLY, PROT_READ) */
#define SHMD_PRIVATE	(1U << 1)	/* MAP_PRIVATE copy-on-write; not SYSV */
#define SHMD_RND	(1U << 2)	/* round @addr down to SHMLBA (SHM_RND) */

/*
 * Map the whole segment.  @addr: NULL (the kernel chooses) or the exact
 * address, SHMLBA aligned unless SHMD_RND rounds it down; an address that
 * overlaps a mapping fails with -EINVAL, as shmat() does.  The address is
 * stored in *@addrp.  SHMD_PRIVATE needs only read permission (the copies
 * are the caller's).  ANON: @addr NULL, @flags 0, and one attach per
 * handle (-EBUSY after that, detached or not).
 */
int shmd_attach(struct shmd_seg *seg, void *addr, unsigned int flags, void **addrp);
/* Unmap what shmd_attach() mapped at @addr; -EINVAL for any other address. */
int shmd_detach(void *addr);

/* shmd_sync() flags */
#define SHMD_SYNC_ASYNC	(1U << 0)	/* start writeback, don't wait (MS_ASYNC) */

/*
 * Make the attachment at @addr durable / visible:
 *   FILE	msync(): dirty pages are written back to the file
 *   DEVICE	a file-backed segment: its dirty pages are written back to its
 *		file (SHMDEMO_IOC_SYNC on the attachment's binding, which counts
 *		them), and the file is fsync()ed; memory-only: nothing to write
 *   POSIX,	msync() (tmpfs: nothing to write)
 *   ANON
 *   SYSV	no msync exists for shmat() memory: a full memory barrier, so
 *		stores before it are ordered before stores after it
 */
int shmd_sync(void *addr, unsigned int flags);

/* shmd_sync_info.valid */
#define SHMD_SYNC_COUNTED	(1U << 0)	/* pages and bytes are known */

/**
 * struct shmd_sync_info - what one shmd_sync_counted() wrote back
 * @sz:		sizeof(struct shmd_sync_info), set by the caller
 * @valid:	SHMD_SYNC_COUNTED when the backend knows: DEVICE (file-backed:
 *		what this call wrote; memory-only: 0) and SYSV (0: it never
 *		writes) without SHMD_SYNC_ASYNC.  FILE, POSIX, ANON and an
 *		ASYNC sync leave it 0: msync() does not say.
 * @pages:	dirty pages this call wrote back
 * @bytes:	bytes written to the file (never past its size)
 */
struct shmd_sync_info {
	size_t sz;
	uint32_t valid;
	uint64_t pages;
	uint64_t bytes;
};

/*
 * shmd_sync(), and what it wrote in *@info (filled even when the sync
 * fails part-way: what was written before the error).
 */
int shmd_sync_counted(void *addr, unsigned int flags, struct shmd_sync_info *info);

/* shmd_stat.valid: which fields the backend could fill */
#define SHMD_STAT_SIZE		(1U << 0)
#define SHMD_STAT_MODE		(1U << 1)	/* mode */
#define SHMD_STAT_OWNER		(1U << 2)	/* uid, gid */
#define SHMD_STAT_CREATOR	(1U << 3)	/* cuid, cgid, cpid */
#define SHMD_STAT_NATTCH	(1U << 4)	/* nattch, lpid, removed */
#define SHMD_STAT_ATIME		(1U << 5)	/* atime, dtime (SysV: attach/detach) */
#define SHMD_STAT_CTIME		(1U << 6)
#define SHMD_STAT_KEY		(1U << 7)
#define SHMD_STAT_COUNTERS	(1U << 8)	/* counters: DEVICE only */
#define SHMD_STAT_MTIME		(1U << 9)	/* FILE, POSIX */
#define SHMD_STAT_FILE		(1U << 10)	/* file: DEVICE, file-backed segments */

/**
 * struct shmd_stat - one status struct for every backend
 * @sz:		sizeof(struct shmd_stat), set by the caller
 * @valid:	SHMD_STAT_* bits: fields not in it are zero (@backend and
 *		@sz are always set)
 * @backend:	the backend
 * @id:		kernel id (DEVICE, SYSV)
 * @key:	key (DEVICE, SYSV)
 * @size:	bytes
 * @mode:	permission bits
 * @uid:	owner
 * @gid:	owner group
 * @cuid:	creator
 * @cgid:	creator group
 * @cpid:	creator process
 * @lpid:	last attach/detach process
 * @nattch:	current attachments (mappings)
 * @removed:	removed, alive while attached (DEVICE, SYSV)
 * @atime:	last attach (SysV) or access (FILE, POSIX), seconds
 * @dtime:	last detach (SysV)
 * @ctime:	last change
 * @mtime:	last modification (FILE, POSIX)
 * @counters:	the module's fault counters (DEVICE)
 * @file:	a file-backed DEVICE segment: major faults, bytes read from
 *		and pages and bytes written back to its file, write errors,
 *		the file's device and inode (SHMD_STAT_FILE)
 */
struct shmd_stat {
	size_t sz;
	uint32_t valid;
	enum shmd_backend backend;
	int id;
	int key;
	uint64_t size;
	unsigned int mode;
	uid_t uid;
	gid_t gid;
	uid_t cuid;
	gid_t cgid;
	pid_t cpid;
	pid_t lpid;
	uint64_t nattch;
	int removed;
	int64_t atime;
	int64_t dtime;
	int64_t ctime;
	int64_t mtime;
	struct shmdemo_counters counters;
	struct shmdemo_file_counters file;
};

int shmd_stat(struct shmd_seg *seg, struct shmd_stat *st);

/*
 * Remove: DEVICE, SYSV: like IPC_RMID (the key is free at once, memory
 * lives while attached); FILE: unlink(); POSIX: shm_unlink(); ANON:
 * -EOPNOTSUPP (it has no name; it goes with its last mapping).
 */
int shmd_remove(struct shmd_seg *seg);

/*
 * Ids of all segments of a backend (DEVICE, SYSV), ascending.  Stores up
 * to @cap ids and returns how many exist (which may be more than @cap);
 * other backends: -EOPNOTSUPP.
 */
int shmd_list(enum shmd_backend backend, int *ids, size_t cap);

/**
 * struct shmd_faults - page faults between two points of a workload
 * @sz:		sizeof(struct shmd_faults), set by the caller
 * @minflt:	minor faults of the calling process (getrusage)
 * @majflt:	major faults of the calling process
 * @counters:	DEVICE only: what the module counted for the segment, from
 *		every process (valid when @has_counters)
 * @has_counters: 1 if @counters is meaningful
 *
 * shmd_faults_begin() records a snapshot; shmd_faults_end() turns it into
 * the difference since then - except @counters.pages_resident and
 * .pages_dirty, which are levels and report the value at the end.
 * getrusage(RUSAGE_SELF) counts every thread of the process: what other
 * threads fault meanwhile is counted too.  @seg may be NULL (process
 * faults only).  @sz must be at least sizeof(struct shmd_faults).
 */
struct shmd_faults {
	size_t sz;
	uint64_t minflt;
	uint64_t majflt;
	struct shmdemo_counters counters;
	int has_counters;
};

int shmd_faults_begin(struct shmd_seg *seg, struct shmd_faults *f);
int shmd_faults_end(struct shmd_seg *seg, struct shmd_faults *f);

/*
 * Compare: one workload, run on two backends (by default the device and
 * native SysV), each on a fresh segment that is removed afterwards.
 */
enum shmd_workload {
	SHMD_WL_RECORDS = 1,	/* a child writes N 8-byte records, another reads them */
	SHMD_WL_TOUCH,		/* a child writes one byte in every page */
	SHMD_WL_SECOND_READER,	/* a child fills every page, a second one reads them */
	SHMD_WL_FORK_WRITE,	/* the parent attaches and forks, the child writes */
	SHMD_WL_PAST_END,	/* touch the last byte, then the page past the end */
};

/**
 * struct shmd_compare_opts - what to compare
 * @sz:		sizeof(struct shmd_compare_opts)
 * @workload:	one of enum shmd_workload
 * @backends:	the two backends; {0, 0} means {DEVICE, SYSV}
 * @size:	segment bytes (0: 64 pages; RECORDS: room for @records)
 * @records:	RECORDS: how many (0: 10, the article's count)
 * @flags:	SHMD_COMPARE_*
 */
struct shmd_compare_opts {
	size_t sz;
	enum shmd_workload workload;
	enum shmd_backend backends[2];
	uint64_t size;
	unsigned int records;
	unsigned int flags;
};

/*
 * shmd_compare_opts.flags: a DEVICE run's segment is backed by a new file
 * in $TMPDIR (default /tmp), removed after - to set it beside FILE.
 */
#define SHMD_COMPARE_DEVICE_FILE	(1U << 0)

/**
 * struct shmd_run - one backend's run of the workload
 * @backend:	the backend
 * @error:	0, or the -errno that stopped the run
 * @nsec:	wall time of the measured part
 * @faults:	faults of the measured part, taken in the process(es) that
 *		did it (RECORDS: writer + reader; SECOND_READER: the reader)
 * @signal:	PAST_END: the signal touching past the end raised (0: none)
 * @len:	bytes in @bytes
 * @bytes:	the segment's content after the workload (malloc()ed)
 */
struct shmd_run {
	enum shmd_backend backend;
	int error;
	uint64_t nsec;
	struct shmd_faults faults;
	int signal;
	uint64_t len;
	unsigned char *bytes;
};

/**
 * struct shmd_compare - the result, side by side
 * @sz:		sizeof(struct shmd_compare), set by the caller (not less:
 *		the result owns memory)
 * @run:	one run per backend, in the order of @backends
 * @same_bytes:	1 if both segments ended with the same length and bytes
 * @first_diff:	offset of the first differing byte, -1 if none
 * @same_outcome: same bytes, same signal and no error on either side
 */
struct shmd_compare {
	size_t sz;
	struct shmd_run run[2];
	int same_bytes;
	int64_t first_diff;
	int same_outcome;
};

/* Run the comparison; free the result with shmd_compare_release(). */
int shmd_compare(const struct shmd_compare_opts *opts, struct shmd_compare *c);
void shmd_compare_release(struct shmd_compare *c);
/* "records", "touch", "second-reader", "fork-write", "past-end"; NULL if unknown */
const char *shmd_workload_name(enum shmd_workload workload);
int shmd_workload_from_name(const char *name);

/* "device", "sysv", "file", "anon", "posix"; NULL if unknown */
const char *shmd_backend_name(enum shmd_backend backend);
/* The enum for a name above; -EINVAL if unknown. */
int shmd_backend_from_name(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* LIBSHMDEMO_H */
