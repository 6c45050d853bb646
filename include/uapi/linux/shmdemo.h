/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * shmdemo - System V style shared memory segments on /dev/shmdemo.
 *
 * A segment is created or found by key (SHMDEMO_IOC_GET), an open file of
 * /dev/shmdemo is bound to one segment (SHMDEMO_IOC_BIND), and mmap() of
 * that file maps the segment's pages, starting at the mmap offset within the
 * segment.  Every other request names the segment by id.
 *
 * Every argument struct starts with a __u32 @size that the caller sets to
 * sizeof() of the struct it was compiled with.  The module accepts older
 * (smaller) and newer (larger) structs: fields it doesn't know must be zero
 * (else -E2BIG), fields the caller doesn't know are treated as zero.  A
 * @size below the request's *_SIZE_VER0 is -EINVAL, one above the page
 * size -E2BIG.  Unknown flags and non-zero reserved fields are rejected
 * with -EINVAL.  The size bits of the request numbers below are ignored
 * (@size is what counts), so a binary built against an older struct keeps
 * working; type, number and direction must match (else -ENOTTY).
 *
 * Every request may also fail with EFAULT (the struct, or an array it
 * points to, can't be read or written) and ENOMEM (a kernel allocation
 * failed).  Requests that name a segment by id fail with EINVAL when there
 * is no such segment or it is gone (removed and unmapped).
 */
#ifndef _UAPI_LINUX_SHMDEMO_H
#define _UAPI_LINUX_SHMDEMO_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SHMDEMO_DEVICE		"/dev/shmdemo"
#define SHMDEMO_IOC_MAGIC	0xB6

/* Key that never matches: every SHMDEMO_IOC_GET with it creates a segment. */
#define SHMDEMO_KEY_PRIVATE	0

/* shmdemo_get.flags */
#define SHMDEMO_GET_CREATE	(1U << 0)	/* like IPC_CREAT */
#define SHMDEMO_GET_EXCL	(1U << 1)	/* like IPC_EXCL, with CREATE */
#define SHMDEMO_GET_FILE	(1U << 2)	/* with CREATE: backed by the file @fd */
#define SHMDEMO_GET_FLAGS	(SHMDEMO_GET_CREATE | SHMDEMO_GET_EXCL | SHMDEMO_GET_FILE)

/**
 * struct shmdemo_get - find or create a segment (like shmget())
 * @size:	sizeof(struct shmdemo_get)
 * @key:	key, or SHMDEMO_KEY_PRIVATE for a new private segment
 * @bytes:	segment size in bytes; 0 is allowed only to find an existing key
 * @flags:	SHMDEMO_GET_*
 * @mode:	permission bits (0777) of a new segment; for an existing one,
 *		the access asked for, checked like shmget() checks shmflg
 * @id:		out: the segment id
 * @fd:		with SHMDEMO_GET_FILE: an open regular file the new segment
 *		is backed by; else must be zero (@__reserved)
 *
 * Errors: ENOENT (no key and no CREATE), EEXIST (CREATE|EXCL on an existing
 * key), EINVAL (unknown flags, @mode outside 0777, @fd set without FILE,
 * FILE without CREATE on a key other than SHMDEMO_KEY_PRIVATE; bytes 0 or
 * over max_seg_bytes for a new segment, or larger than an existing one),
 * EACCES (mode asks for access the segment denies),
 * ENOSPC (max_segments reached, max_total_pages would be exceeded, or -
 * unless the caller has CAP_IPC_LOCK - the pages resident in the caller's
 * segments plus the new segment's size exceed max_user_pages), EFAULT (the
 * struct can't be written back: then nothing was created).
 *
 * A file-backed segment (SHMDEMO_GET_FILE, with CREATE) mirrors bytes
 * 0..@bytes-1 of the file: a page not in the segment's page cache is read
 * from the file on first access (a major fault; the part of the last page
 * past @bytes is zero), written pages go back to the file on sync
 * (SHMDEMO_IOC_SYNC, fsync() of a bound file, msync(MS_SYNC)), by the
 * kernel's writeback, and when the segment is freed; clean pages may be
 * evicted and are read again (reclaim, drop_caches, posix_fadvise()
 * POSIX_FADV_DONTNEED of a bound file, which is the segment's; a
 * memory-only segment ignores fadvise).  @bytes 0 means the file's size; more than
 * the file's size is EINVAL: a segment never grows its file.  The file
 * must be open for reading (EBADF otherwise; EINVAL if it is not a
 * regular file, is opened O_APPEND, or is itself a segment's); opened
 * read-only, the segment
 * is read-only for everyone (shared writable mappings fail with EACCES).
 * Its pages are charged to the memory cgroup like any file's, not to
 * max_user_pages.  A key that exists is found as usual, FILE ignored.
 */
struct shmdemo_get {
	__u32 size;
	__s32 key;
	__aligned_u64 bytes;
	__u32 flags;
	__u32 mode;
	__s32 id;
	union {
		__s32 fd;
		__u32 __reserved;
	};
};

#define SHMDEMO_GET_SIZE_VER0	32

/* shmdemo_bind.flags */
#define SHMDEMO_BIND_RDONLY	(1U << 0)	/* like SHM_RDONLY */
#define SHMDEMO_BIND_FLAGS	SHMDEMO_BIND_RDONLY

/**
 * struct shmdemo_bind - bind this open file to a segment (like shmat())
 * @size:	sizeof(struct shmdemo_bind)
 * @id:		segment id
 * @flags:	SHMDEMO_BIND_*; a file opened O_RDONLY is always bound read-only
 * @__reserved:	must be zero
 *
 * Read-only bindings need read permission and refuse shared writable
 * mappings (EACCES, and mprotect() cannot add PROT_WRITE later); other
 * bindings need read and write permission.  A file binds once (EBUSY).
 * As with shmat() on Linux, a removed segment can still be bound while it
 * is mapped (nattch > 0); once removed with no mapping left it is gone by
 * id (EINVAL), whatever bound files still hold it.  Errors: EINVAL, EBUSY,
 * EACCES, ENFILE (the system's file limit, for a caller without
 * CAP_SYS_ADMIN: a binding is a file).
 *
 * Permission is checked again at every mmap(), with the caller's
 * credentials, as shmat() checks it at every attach: read always (EACCES),
 * write for a shared writable mapping (EACCES; without it mprotect() can't
 * add PROT_WRITE either), execute for PROT_EXEC (EACCES; without it
 * mprotect() can't add PROT_EXEC).  mmap() of a bound file whose segment is
 * gone fails with EIDRM.
 */
struct shmdemo_bind {
	__u32 size;
	__s32 id;
	__u32 flags;
	__u32 __reserved;
};

#define SHMDEMO_BIND_SIZE_VER0	16

/**
 * struct shmdemo_id - a request that names just a segment
 * @size:	sizeof(struct shmdemo_id)
 * @id:		segment id
 *
 * SHMDEMO_IOC_RMID (like IPC_RMID): the key is free at once; the segment
 * is gone by id once no VMA maps it, and its memory goes with the last
 * mapping and bound file.  Owner, creator or CAP_SYS_ADMIN (else EPERM).
 * Removing a removed, still mapped segment succeeds again.
 */
struct shmdemo_id {
	__u32 size;
	__s32 id;
};

#define SHMDEMO_ID_SIZE_VER0	8

/**
 * struct shmdemo_counters - what the fault path did for one segment
 * @read_faults:	read faults that reached the module: resolved by
 *			fault-around (->map_pages) or handled by ->fault,
 *			including those ->fault refused with SIGBUS
 * @write_faults:	->fault calls for a write to a shared mapping (SIGBUS
 *			ones included)
 * @cow_faults:		->fault calls for a write to a private mapping (the
 *			core mm then copies the page)
 * @mkwrite:		->page_mkwrite calls: the first write to a page mapped
 *			read-only, file-backed segments only (a memory-only
 *			segment's shared mappings are writable from the first
 *			fault, as shmem's: always 0)
 * @around_pages:	pages mapped by fault-around, the faulting one included
 * @pages_alloc:	pages allocated and added to the page cache, ever
 * @pages_resident:	pages in the segment's page cache now
 * @pages_dirty:	resident pages known written (PG_dirty): by a write
 *			fault, write(2)-like paths, or through a PTE since
 *			zapped (munmap, exit).  File-backed: until written
 *			back.  Memory-only: a page a read fault mapped and the
 *			CPU then wrote counts once that mapping is gone; a
 *			2 MiB folio counts whole
 */
struct shmdemo_counters {
	__aligned_u64 read_faults;
	__aligned_u64 write_faults;
	__aligned_u64 cow_faults;
	__aligned_u64 mkwrite;
	__aligned_u64 around_pages;
	__aligned_u64 pages_alloc;
	__aligned_u64 pages_resident;
	__aligned_u64 pages_dirty;
};

/* shmdemo_stat.flags */
#define SHMDEMO_SEG_DEST	(1U << 0)	/* removed, alive while attached */
#define SHMDEMO_SEG_LOCKED	(1U << 1)	/* SHMDEMO_IOC_LOCK, like SHM_LOCKED */
#define SHMDEMO_SEG_FILE	(1U << 2)	/* backed by a file (SHMDEMO_GET_FILE) */
#define SHMDEMO_SEG_FILE_RDONLY	(1U << 3)	/* ...opened read-only: no shared writes */

/**
 * struct shmdemo_file_counters - what a file-backed segment did with its file
 * @major_faults:	faults that read their page from the file
 * @bytes_read:		bytes read from the file (by those faults, and by
 *			readahead of the segment's file, e.g. fadvise())
 * @pages_written:	dirty pages written back to the file
 * @bytes_written:	bytes written back (never past the segment's size)
 * @write_errors:	writebacks that failed (the error went to the next sync)
 * @backing_dev:	the file's device (st_dev, new_encode_dev() form)
 * @backing_ino:	the file's inode number (st_ino)
 *
 * All zero for a memory-only segment.
 */
struct shmdemo_file_counters {
	__aligned_u64 major_faults;
	__aligned_u64 bytes_read;
	__aligned_u64 pages_written;
	__aligned_u64 bytes_written;
	__aligned_u64 write_errors;
	__aligned_u64 backing_dev;
	__aligned_u64 backing_ino;
};

/**
 * struct shmdemo_pmd_counters - a memory-only segment's 2 MiB folios
 * @folios_alloc:	PMD-sized (2 MiB) folios allocated, ever (each one is
 *			also HPAGE_PMD_NR pages of @pages_alloc)
 * @folios_resident:	PMD-sized folios in the page cache now (a shrink that
 *			cuts one splits it into pages)
 * @fallbacks:		faults (and SHMDEMO_IOC_POPULATE steps) where a 2 MiB
 *			folio fitted but a page was allocated: part of the
 *			range cached already, the creator's max_user_pages,
 *			or no free 2 MiB block
 *
 * A fault allocates a 2 MiB folio where one PMD can map it: a shared
 * mapping that covers the aligned 2 MiB at a 2 MiB-aligned offset, inside
 * the segment, and the pmd_folios module parameter set.  Whether the core
 * mm then mapped it with a PMD shows in /proc/PID/smaps (FilePmdMapped).
 */
struct shmdemo_pmd_counters {
	__aligned_u64 folios_alloc;
	__aligned_u64 folios_resident;
	__aligned_u64 fallbacks;
};

/**
 * struct shmdemo_stat - segment status (like IPC_STAT), read permission
 * needed (else EACCES); SHMDEMO_IOC_STAT_ANY (like SHM_STAT_ANY) fills it
 * without
 * @size:	sizeof(struct shmdemo_stat)
 * @id:		in: segment id
 * @key:	key (SHMDEMO_KEY_PRIVATE once removed)
 * @mode:	permission bits
 * @bytes:	size in bytes
 * @uid:	owner uid
 * @gid:	owner gid
 * @cuid:	creator uid
 * @cgid:	creator gid
 * @cpid:	creator pid
 * @lpid:	pid of the last attach or detach
 * @nattch:	number of mappings (VMAs) of the segment
 * @atime:	last attach, seconds since the epoch, 0 if never
 * @dtime:	last detach, seconds since the epoch, 0 if never
 * @ctime:	creation or last change (SET, RESIZE)
 * @flags:	SHMDEMO_SEG_*
 * @__pad:	zero
 * @counters:	fault path counters
 * @file:	file-backed segments (VER1)
 * @pmd:	2 MiB folios (VER2)
 * @fault_around_bytes: the segment's fault-around (SHMDEMO_SET_FAULT_AROUND;
 *		0: the kernel's fault_around_bytes) (VER2)
 * @__pad2:	zero
 */
struct shmdemo_stat {
	__u32 size;
	__s32 id;
	__s32 key;
	__u32 mode;
	__aligned_u64 bytes;
	__u32 uid;
	__u32 gid;
	__u32 cuid;
	__u32 cgid;
	__s32 cpid;
	__s32 lpid;
	__aligned_u64 nattch;
	__s64 atime;
	__s64 dtime;
	__s64 ctime;
	__u32 flags;
	__u32 __pad;
	struct shmdemo_counters counters;
	struct shmdemo_file_counters file;
	struct shmdemo_pmd_counters pmd;
	__u32 fault_around_bytes;
	__u32 __pad2;
};

#define SHMDEMO_STAT_SIZE_VER0	152
#define SHMDEMO_STAT_SIZE_VER1	208
#define SHMDEMO_STAT_SIZE_VER2	240

/* shmdemo_set.valid */
#define SHMDEMO_SET_UID		(1U << 0)
#define SHMDEMO_SET_GID		(1U << 1)
#define SHMDEMO_SET_MODE	(1U << 2)
#define SHMDEMO_SET_FAULT_AROUND (1U << 3)	/* VER1 */
#define SHMDEMO_SET_VALID	(SHMDEMO_SET_UID | SHMDEMO_SET_GID | SHMDEMO_SET_MODE | \
				 SHMDEMO_SET_FAULT_AROUND)

/**
 * struct shmdemo_set - change owner and mode (like IPC_SET)
 * @size:	sizeof(struct shmdemo_set)
 * @id:		segment id
 * @valid:	SHMDEMO_SET_*: which of the fields below to apply
 * @uid:	new owner uid
 * @gid:	new owner gid
 * @mode:	new permission bits (only 0777 is used, like IPC_SET)
 * @fault_around_bytes: how much a read fault maps of the cached pages
 *		around it, in this segment's every mapping (VER1): 0 follows
 *		the kernel's fault_around_bytes (debugfs, 64 KiB by default);
 *		else a power of two from the page size (no fault-around) to
 *		2 MiB (one page table), else EINVAL.  The kernel calls no
 *		fault-around at all when its own setting is one page, and
 *		the module none on a fault on a page that is not cached (a
 *		first touch: ->fault adds that one page).
 * @__reserved:	zero (VER1)
 *
 * Allowed to the owner, the creator and CAP_SYS_ADMIN; others get EPERM.
 * A uid or gid not mapped in the caller's user namespace is EINVAL.  Mode
 * bits above 0777 are ignored, as IPC_SET ignores them.
 */
struct shmdemo_set {
	__u32 size;
	__s32 id;
	__u32 valid;
	__u32 uid;
	__u32 gid;
	__u32 mode;
	__u32 fault_around_bytes;
	__u32 __reserved;
};

#define SHMDEMO_SET_SIZE_VER0	24
#define SHMDEMO_SET_SIZE_VER1	32

/**
 * struct shmdemo_resize - change a segment's size (like ftruncate())
 * @size:	sizeof(struct shmdemo_resize)
 * @id:		segment id
 * @bytes:	new size, 1..max_seg_bytes
 *
 * Shrinking unmaps and frees the pages past the new size (the next access
 * to them raises SIGBUS) and zeroes the tail of the new last page; growing
 * makes new zero-filled pages reachable.  Same rule as SET: owner, creator
 * or CAP_SYS_ADMIN.  A file-backed segment keeps the size it was created
 * with (at most its file's) and is never resized (EOPNOTSUPP).  Errors:
 * EINVAL (no such id, size 0 or over max_seg_bytes), EPERM, ENOSPC
 * (growing past max_total_pages, or - for a creator without CAP_IPC_LOCK -
 * the pages added plus those resident in the creator's segments exceed
 * max_user_pages).
 *
 * Pages are charged to the segment's creator from allocation to removal:
 * a fault that would take the creator over max_user_pages raises SIGBUS.
 */
struct shmdemo_resize {
	__u32 size;
	__s32 id;
	__aligned_u64 bytes;
};

#define SHMDEMO_RESIZE_SIZE_VER0 16

/**
 * struct shmdemo_info - limits and usage (like IPC_INFO and SHM_INFO)
 * @size:		sizeof(struct shmdemo_info)
 * @segments:		segments alive, removed ones included, and gone ones
 *			whose memory a file still holds (SHMDEMO_IOC_LIST
 *			lists only those reachable by id)
 * @max_segments:	limit on segments (shmmni)
 * @__pad:		zero
 * @max_seg_bytes:	limit on one segment's size (shmmax)
 * @max_total_pages:	limit on the sum of segment sizes in pages (shmall)
 * @total_pages:	sum of segment sizes in pages
 * @resident_pages:	pages in the page caches of all segments
 * @max_user_pages:	limit on the pages resident in the segments one user
 *			created (CAP_IPC_LOCK holders are not limited)
 * @user_pages:		pages resident in the memory-only segments the
 *			caller's effective uid created (a file-backed
 *			segment's pages are charged to the memory cgroup only)
 */
struct shmdemo_info {
	__u32 size;
	__u32 segments;
	__u32 max_segments;
	__u32 __pad;
	__aligned_u64 max_seg_bytes;
	__aligned_u64 max_total_pages;
	__aligned_u64 total_pages;
	__aligned_u64 resident_pages;
	__aligned_u64 max_user_pages;
	__aligned_u64 user_pages;
};

#define SHMDEMO_INFO_SIZE_VER0	48
#define SHMDEMO_INFO_SIZE_VER1	64	/* max_user_pages, user_pages */

/**
 * struct shmdemo_list - ids of all segments reachable by id, in id order
 * @size:	sizeof(struct shmdemo_list)
 * @count:	in: capacity of the array at @ids_ptr; out: number of segments
 *		(may exceed the capacity: then only the first ones were stored);
 *		gone segments are not listed, though INFO's @segments counts
 *		them while a file holds their memory
 * @ids_ptr:	user pointer to a __s32 array
 */
struct shmdemo_list {
	__u32 size;
	__u32 count;
	__aligned_u64 ids_ptr;
};

#define SHMDEMO_LIST_SIZE_VER0	16

/* One __u32 per page in shmdemo_pages' array */
#define SHMDEMO_PAGE_RESIDENT		(1U << 0)	/* in the segment's page cache */
#define SHMDEMO_PAGE_DIRTY		(1U << 1)	/* PG_dirty: see pages_dirty */
/* file-backed: written back to the file since it was read in */
#define SHMDEMO_PAGE_WRITTEN		(1U << 2)
/* part of a PMD-sized (2 MiB) folio; the flags and mapcount are the folio's */
#define SHMDEMO_PAGE_PMD		(1U << 3)
#define SHMDEMO_PAGE_MAPCOUNT_SHIFT	16		/* bits 16-31: its folio's PTEs + PMDs */
#define SHMDEMO_PAGE_MAPCOUNT(v)	((v) >> SHMDEMO_PAGE_MAPCOUNT_SHIFT)
#define SHMDEMO_PAGES_MAX		65536		/* entries per request */

/**
 * struct shmdemo_pages - the page cache of a segment, page by page
 * @size:	sizeof(struct shmdemo_pages)
 * @id:		segment id; read permission needed
 * @start:	first page index
 * @count:	in: entries at @pages_ptr (at most SHMDEMO_PAGES_MAX);
 *		out: entries filled - fewer when the segment ends first
 * @__reserved:	must be zero
 * @pages_ptr:	user pointer to a __u32 array: SHMDEMO_PAGE_* bits, and the
 *		number of page table entries mapping the page (saturated at
 *		0xffff; for a large folio, those mapping any of its pages)
 *
 * What a residency map draws: resident or not, dirty or clean, and how
 * many mappings share each page.  A snapshot: faults may change it at once.
 * Errors: EACCES (no read permission), EINVAL (@count over
 * SHMDEMO_PAGES_MAX, @__reserved set), EFAULT (@pages_ptr not writable).
 */
struct shmdemo_pages {
	__u32 size;
	__s32 id;
	__aligned_u64 start;
	__u32 count;
	__u32 __reserved;
	__aligned_u64 pages_ptr;
};

#define SHMDEMO_PAGES_SIZE_VER0	32

/**
 * struct shmdemo_sync - write a bound file-backed segment's dirty pages back
 * @size:		sizeof(struct shmdemo_sync)
 * @flags:		zero
 * @start:		first byte of the range
 * @len:		bytes in the range, 0 for "to the end"
 * @pages_written:	out: dirty pages this call wrote
 * @bytes_written:	out: bytes this call wrote (never past the segment's size)
 *
 * On the /dev/shmdemo file bound to the segment (ENXIO if unbound).  Only
 * dirty pages are written; each is made clean and read-only again first,
 * so the next write to it is seen (and written by the next sync).  Then
 * the file itself is synced (its own fsync).  A write error since this
 * file last synced is returned once (EIO, ENOSPC...; errseq semantics, as
 * fsync()).  A memory-only segment has nothing to write: 0 pages.
 * EINVAL: @flags, @pages_written or @bytes_written not zero, or @start or
 * @start + @len past LLONG_MAX.
 */
struct shmdemo_sync {
	__u32 size;
	__u32 flags;
	__aligned_u64 start;
	__aligned_u64 len;
	__aligned_u64 pages_written;
	__aligned_u64 bytes_written;
};

#define SHMDEMO_SYNC_SIZE_VER0	40

/* shmdemo_attach.flags */
#define SHMDEMO_ATTACH_RDONLY	(1U << 0)	/* like SHM_RDONLY */
#define SHMDEMO_ATTACH_RND	(1U << 1)	/* like SHM_RND: round @addr down to SHMLBA */
#define SHMDEMO_ATTACH_REMAP	(1U << 2)	/* like SHM_REMAP: replace what is mapped there */
#define SHMDEMO_ATTACH_EXEC	(1U << 3)	/* like SHM_EXEC */
/* SHMDEMO_IOC_POPULATE all of it first, then map it all (MAP_POPULATE) */
#define SHMDEMO_ATTACH_POPULATE	(1U << 4)
#define SHMDEMO_ATTACH_FLAGS	(SHMDEMO_ATTACH_RDONLY | SHMDEMO_ATTACH_RND | \
				 SHMDEMO_ATTACH_REMAP | SHMDEMO_ATTACH_EXEC | \
				 SHMDEMO_ATTACH_POPULATE)

/**
 * struct shmdemo_attach - map a segment in one call (like shmat())
 * @size:	sizeof(struct shmdemo_attach)
 * @id:		segment id
 * @flags:	SHMDEMO_ATTACH_*
 * @__reserved:	must be zero
 * @addr:	in: 0 (the kernel chooses) or the address, page aligned unless
 *		RND rounds it down; out: where the segment is mapped
 * @bytes:	out (zero in): the segment's size in bytes; the mapping is
 *		that rounded up to whole pages
 *
 * On any open /dev/shmdemo, bound or not: the segment is mapped shared,
 * whole, from offset 0, as mmap() of a file bound to it would (same
 * permission rules, nattch, fault path), without a binding of the
 * caller's.  Without RDONLY the file must be open for writing and the
 * caller needs read and write permission; with EXEC, execute too.  An
 * address that overlaps a mapping is EINVAL unless REMAP (MAP_FIXED),
 * as for shmat().  Errors: EINVAL (flags, @__reserved or @bytes set, an
 * unaligned @addr without RND, REMAP without an address - @addr 0, or RND
 * rounding it to 0 - as shmat()'s SHM_REMAP, no such id, a segment gone,
 * an overlap), EACCES, EIDRM (the segment became gone while it was being
 * mapped: the last mapping of a removed segment went meanwhile), ENOMEM
 * (no room in the address space), ENFILE, EFAULT (the struct can't be
 * written back: then nothing stays mapped); with POPULATE also
 * SHMDEMO_IOC_POPULATE's EOPNOTSUPP (a file-backed segment), ENOSPC and
 * EINTR, and nothing is mapped.  Undo with SHMDEMO_IOC_DETACH or munmap().
 */
struct shmdemo_attach {
	__u32 size;
	__s32 id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 addr;
	__aligned_u64 bytes;
};

#define SHMDEMO_ATTACH_SIZE_VER0	32

/**
 * struct shmdemo_detach - unmap an attachment by its address (like shmdt())
 * @size:	sizeof(struct shmdemo_detach)
 * @flags:	zero
 * @addr:	the address SHMDEMO_IOC_ATTACH returned (or of any mapping of
 *		a segment at offset 0)
 * @bytes:	out (zero in): the length unmapped
 *
 * Unmaps the mapping of a segment that starts at @addr with offset 0, and
 * the mappings of the same attachment that follow it at the offsets they
 * would have (what is left of it after munmap() or mprotect() split it;
 * holes are skipped), up to the first mapping that is not part of it.
 * Attachments of a memory-only segment share one internal file per mode,
 * so they are told apart by offset: one that follows starts at offset 0
 * again (but a piece of one that mremap() moved to exactly where this
 * one's next piece would be counts as this one's).
 * The caller's own mappings only, like munmap(); on any open /dev/shmdemo.
 * Errors: EINVAL (flags or @bytes set, @addr unaligned, or no attachment
 * starts there), EINTR (a fatal signal while waiting for the mmap lock),
 * EFAULT (the struct can't be written back: it is unmapped anyway).
 */
struct shmdemo_detach {
	__u32 size;
	__u32 flags;
	__aligned_u64 addr;
	__aligned_u64 bytes;
};

#define SHMDEMO_DETACH_SIZE_VER0	24

/**
 * struct shmdemo_populate - fill a range of a segment's page cache at once
 * @size:	sizeof(struct shmdemo_populate)
 * @id:		segment id (read permission needed, as for a read fault)
 * @flags:	zero
 * @__reserved:	zero
 * @start:	first byte (rounded down to a page)
 * @len:	bytes from @start, 0: to the end; past the end is cut off
 * @pages:	out: pages this call added (those already there are kept)
 *
 * What the faults of a mapping that touched every page would allocate,
 * done by the module in one pass and without a mapping: zeroed 2 MiB
 * folios for every whole, aligned, empty 2 MiB inside the segment (unless
 * pmd_folios is off) that the range touches - all of it, also the part
 * past either end of the range, as a fault there would - and pages
 * elsewhere; charged to the creator and to the
 * caller's memory cgroup.  The pages are then mapped by faults as any
 * cached page (fault-around, one PMD for a 2 MiB folio); ATTACH's
 * SHMDEMO_ATTACH_POPULATE maps them all at once too, as MAP_POPULATE.
 *
 * Errors: EINVAL (no such id, flags, @__reserved or @pages set, @start
 * past the end), EACCES, EOPNOTSUPP (a file-backed segment:
 * POSIX_FADV_WILLNEED reads ahead), ENOSPC (the creator's max_user_pages),
 * ENOMEM, EINTR (a fatal signal).  On an error the pages added so far stay
 * and the struct is not written back (@pages keeps its 0).
 */
struct shmdemo_populate {
	__u32 size;
	__s32 id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 start;
	__aligned_u64 len;
	__aligned_u64 pages;
};

#define SHMDEMO_POPULATE_SIZE_VER0	40

#define SHMDEMO_IOC_GET		_IOWR(SHMDEMO_IOC_MAGIC, 0x01, struct shmdemo_get)
#define SHMDEMO_IOC_BIND	_IOW(SHMDEMO_IOC_MAGIC, 0x02, struct shmdemo_bind)
#define SHMDEMO_IOC_STAT	_IOWR(SHMDEMO_IOC_MAGIC, 0x03, struct shmdemo_stat)
#define SHMDEMO_IOC_SET		_IOW(SHMDEMO_IOC_MAGIC, 0x04, struct shmdemo_set)
#define SHMDEMO_IOC_RMID	_IOW(SHMDEMO_IOC_MAGIC, 0x05, struct shmdemo_id)
#define SHMDEMO_IOC_RESIZE	_IOW(SHMDEMO_IOC_MAGIC, 0x06, struct shmdemo_resize)
/*
 * SHMDEMO_IOC_LOCK / SHMDEMO_IOC_UNLOCK (struct shmdemo_id): like SHM_LOCK
 * and SHM_UNLOCK.  Allowed to CAP_IPC_LOCK, or to the owner or creator -
 * and for LOCK only with a non-zero RLIMIT_MEMLOCK (else EPERM).  LOCK
 * charges the segment's size to the caller's real uid, against the
 * caller's RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK (ENOMEM when over);
 * UNLOCK releases the charge.  Locking a locked segment, or unlocking an
 * unlocked one, does nothing and succeeds.  Memory-only pages are never
 * reclaimed anyway: the flag (SHMDEMO_SEG_LOCKED) is what changes.  A
 * file-backed segment is not lockable (yet): EOPNOTSUPP.
 */
#define SHMDEMO_IOC_INFO	_IOWR(SHMDEMO_IOC_MAGIC, 0x07, struct shmdemo_info)
#define SHMDEMO_IOC_LIST	_IOWR(SHMDEMO_IOC_MAGIC, 0x08, struct shmdemo_list)
#define SHMDEMO_IOC_PAGES	_IOWR(SHMDEMO_IOC_MAGIC, 0x09, struct shmdemo_pages)
#define SHMDEMO_IOC_LOCK	_IOW(SHMDEMO_IOC_MAGIC, 0x0a, struct shmdemo_id)
#define SHMDEMO_IOC_UNLOCK	_IOW(SHMDEMO_IOC_MAGIC, 0x0b, struct shmdemo_id)
#define SHMDEMO_IOC_STAT_ANY	_IOWR(SHMDEMO_IOC_MAGIC, 0x0c, struct shmdemo_stat)
#define SHMDEMO_IOC_SYNC	_IOWR(SHMDEMO_IOC_MAGIC, 0x0d, struct shmdemo_sync)
#define SHMDEMO_IOC_ATTACH	_IOWR(SHMDEMO_IOC_MAGIC, 0x0e, struct shmdemo_attach)
#define SHMDEMO_IOC_DETACH	_IOWR(SHMDEMO_IOC_MAGIC, 0x0f, struct shmdemo_detach)
#define SHMDEMO_IOC_POPULATE	_IOWR(SHMDEMO_IOC_MAGIC, 0x10, struct shmdemo_populate)

#endif /* _UAPI_LINUX_SHMDEMO_H */
