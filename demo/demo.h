/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmdemo-demo - the article's experiments (E1-E4) and claims (C1-C6),
 * each run natively and on /dev/shmdemo side by side, with the
 * kernel-side evidence and a verdict computed from what was measured.
 *
 * Two users: the CLI (main.c: demo_main()) and the
 * test (tests/demo_test.c calls demo_run_row() and checks the typed result
 * of each row).  The second half of this header is for the files of demo/.
 */
#ifndef SHMDEMO_DEMO_H
#define SHMDEMO_DEMO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <linux/shmdemo.h>

#include "json.h"
#include "people.h"
#include "libshmdemo.h"

/* cli.c: `shmdemo-demo [--json] [ROW...]`.  Exit status 0/1/2. */
int demo_main(int argc, char **argv);

/* The two halves of each row. */
enum demo_side_id { DEMO_NATIVE, DEMO_DEVICE, DEMO_NSIDES };
#define DEMO_SIDE_NATIVE	(1U << DEMO_NATIVE)
#define DEMO_SIDE_DEVICE	(1U << DEMO_DEVICE)
#define DEMO_SIDES_ALL		(DEMO_SIDE_NATIVE | DEMO_SIDE_DEVICE)

enum demo_state {
	DEMO_NOT_ASKED = 0,	/* not requested */
	DEMO_RAN,		/* measured: see the row's values */
	DEMO_SKIPPED,		/* could not run here (why says why) */
	DEMO_FAILED,		/* started and broke (why says how) */
};

enum demo_verdict {
	DEMO_V_NONE = 0,	/* nothing ran */
	DEMO_V_REPRODUCED,
	DEMO_V_DIFFERS,
};

struct demo_side {
	enum demo_state state;
	enum demo_verdict verdict;	/* of this side alone */
	char why[160];			/* SKIPPED / FAILED: the reason */
	char summary[64];		/* one cell of the final table */
	char because[700];		/* DIFFERS: why, with the numbers */
};

/* --- typed results, one struct per row and side ------------------------ */

#define DEMO_RECORDS	10	/* the article's struct people count */

/*
 * E1: two processes, one file (M1).  Where the 5-record object lives: a
 * memory-only segment (device only), a file in the temporary directory
 * (tmpfs in the VM), a file on a disk file system (demo_disk(): ext4 in
 * the VM).  The device's file cases are segments backed by such a file.
 */
enum demo_e1_where { DEMO_E1_MEMORY, DEMO_E1_TMP, DEMO_E1_DISK, DEMO_E1_NWHERE };

/* When a reader looked at records 6-10 */
enum demo_e1_stage {
	DEMO_E1_MAPPED,		/* the writer still maps it */
	DEMO_E1_UNMAPPED,	/* after the writer's munmap (the article's reader) */
	DEMO_E1_SYNCED,		/* after msync(MS_SYNC) + fsync() */
	DEMO_E1_DROPPED,	/* after posix_fadvise(DONTNEED) of the file / binding */
	DEMO_E1_NSTAGES
};

struct demo_e1_case {
	int ran;		/* measured; else why says why not */
	char why[96];
	char fs[24];		/* the file's file system; "memory" */
	int intact[DEMO_E1_NSTAGES];	/* of records 6-10, read back intact */
	int zero[DEMO_E1_NSTAGES];	/* of records 6-10, all-zero bytes */
	int seen_while_mapped;	/* of records 1-10 */
	int resident;		/* page 0 resident before the article's reader touched it */
	int64_t size_after;	/* st_size / segment bytes at the end */
	int64_t file_bytes;	/* read() of 80 bytes of the file at the end; -1 no file */
	int file_records;	/* records 1-5 byte-exact in the file at the end; -1 no file */
	uint32_t page_flags;	/* device: PAGES entry of page 0 after the munmap */
	uint64_t major_faults;	/* device, file-backed: STAT file.major_faults at the end */
};

struct demo_e1 {
	struct demo_e1_case c[DEMO_E1_NWHERE];	/* native: TMP and DISK */
};

/* E2: parent and child (M2: anonymous shared; the device) */
struct demo_e2 {
	int child_ages[5];	/* what the child read */
	int nchild;		/* how many it read */
	int parent_age;		/* record 0's age as the parent read it afterwards */
	uint64_t pfn_parent;	/* 0: unknown (PFNs need root) */
	uint64_t pfn_child;
	uint32_t mapcount;	/* device: mappings of the page while both map it */
	uint64_t child_minflt;	/* the child's minor faults while reading */
	struct shmdemo_counters child;	/* device: counters delta of the child's reads */
};

/* One access made in a throwaway child. */
struct demo_probe {
	const char *what;	/* "page 1", "page 3", "past the mapping" ... */
	long offset;		/* from the mapping's start */
	int signal;		/* 0, SIGBUS, SIGSEGV */
	int code;		/* si_code */
	long addr_off;		/* si_addr - mapping start, -1 without a signal */
	long minflt;		/* the probe's minor faults (wait4) */
};

#define DEMO_E3_V1	4
#define DEMO_E3_V2	3

/* E3: page-granular access */
struct demo_e3 {
	long size;			/* 2 * pagesize - 100 */
	struct demo_probe v1[DEMO_E3_V1];	/* offset 0: page 1, last byte, page 3, past */
	struct demo_probe v2[DEMO_E3_V2];	/* offset pagesize: page 1, page 2, past */
	struct shmdemo_counters delta;	/* device: counters over the probes */
	int trace_lines;		/* shmdemo_fault lines with result=SIGBUS, -1 no tracefs */
	int cmp_sig[2];			/* shmd_compare(past-end) signals */
	enum shmd_backend cmp_backend[2];
	int cmp_same;			/* shmd_compare: same outcome on both */
};

/* E4: SysV write then read by key (M3); the device by key */
struct demo_e4 {
	int key;
	int id;
	pid_t writer, reader;
	int written;		/* records the writer wrote */
	int records_read;	/* records the reader got back intact */
	int exists_after_writer;
	uint64_t nattch_after_writer;
	int exists_after_reader;	/* kernel persistence: still there, nobody attached */
	uint64_t nattch_after_reader;
	pid_t cpid, lpid;
	uint64_t limit_bytes, limit_segments, limit_pages;	/* shmmax shmmni shmall */
	int too_big;		/* -errno of a create larger than the limit */
	int gone_after_remove;
	char backing[64];	/* /proc/self/maps name of the attachment */
};

/* C1, C6: attach populates nothing; the first access to each page faults */
struct demo_touch {
	int pages;
	long mincore_after_attach;	/* resident pages right after attach */
	long rss_after_attach;		/* pages the kernel holds: module pages_resident, sysv rss; -1 n/a */
	uint64_t minflt;		/* the toucher's minor faults (shmd_compare touch) */
	uint64_t write_faults;		/* device: module write faults */
	uint64_t mkwrite;
	uint64_t pages_alloc;
	uint64_t resident_after;	/* device: pages_resident after the touch */
	int measured;			/* the shmd_compare() run covered this side */
	int same_outcome;		/* ...and both of its runs ended alike */
};

#define DEMO_C2_PAGES	64

/* C2: one page cache page, one physical page, for every mapper */
struct demo_c2 {
	int pages;
	int pfn_known;		/* PFNs readable (root) */
	int pfn_same;		/* pages whose PFN was the same in both processes */
	uint64_t pfn_a0, pfn_b0;	/* page 0 in process A and B */
	int data_ok;		/* B read what A wrote */
	uint64_t b_minflt;	/* B's minor faults reading every page */
	struct shmdemo_counters b;	/* device: counters delta of B's reads */
	uint32_t mapcount0;	/* device: mappings of page 0 while both map it */
	int trace_lines;	/* device: shmdemo_map_pages lines for B, -1 none */
};

#define DEMO_C3_PAGES	16		/* the file's read-back case */
#define DEMO_C3_BIG	(32LL << 20)	/* the pressure case's segment ... */
#define DEMO_C3_LIMIT	(8LL << 20)	/* ... and its memory cgroup's memory.high */

/* The three reads of C3's file case */
enum demo_c3_read { DEMO_C3_COLD, DEMO_C3_WARM, DEMO_C3_DROPPED, DEMO_C3_NREADS };

/*
 * C3: a page not in memory is read back.  The file case: a file's pages
 * (native: a file; device: a segment backed by one) read cold, warm, and
 * after POSIX_FADV_DONTNEED.  The pressure case: a segment of DEMO_C3_BIG
 * written (native: SysV) or read (device: file-backed) by a process in a
 * memory cgroup of DEMO_C3_LIMIT, then read again.
 */
struct demo_c3 {
	int file_ran;		/* else file_why says why not */
	char file_why[120];
	char fs[24];		/* the file's file system */
	int pages;
	long majflt[DEMO_C3_NREADS];	/* the reader's major faults (getrusage) */
	uint64_t dev_major[DEMO_C3_NREADS];	/* device: STAT file.major_faults over each read */
	uint64_t dev_bytes_read[DEMO_C3_NREADS];	/* device: file.bytes_read over each */
	int data_ok;		/* every read saw the file's bytes */
	int trace_lines;	/* device: shmdemo_read lines of the last read; -1 none */
	char trace[2][200];
	int press_ran;		/* else press_why says why not */
	char press_why[120];
	long long seg_bytes, limit;
	int big_pages;
	long long rss, swap;	/* native: /proc/sysvipc/shm after the first pass (bytes) */
	uint64_t resident;	/* device: pages_resident after the first pass */
	uint64_t dev_major_first;	/* device: major faults of the first pass */
	long majflt_reread;	/* the second pass's major faults (getrusage) */
	long long pswpin;	/* native: /proc/vmstat pswpin over the second pass */
	long long swapcached_kb;	/* native: SwapCached after it */
	uint64_t dev_major_reread;	/* device: module major faults of the second pass */
	int press_data_ok;
};

/* C4: two processes, one counter, without and with a process-shared mutex */
struct demo_c4 {
	long cpus;		/* online: lost updates need two running at once */
	long racy_each;		/* increments per process without a lock */
	long racy_final;	/* the counter after both */
	long lost;		/* 2 * racy_each - racy_final */
	long locked_each;	/* increments per process under the mutex */
	long locked_final;	/* the counter after both: 2 * locked_each */
	uint64_t racy_ns, locked_ns;
};

/* C5: the same bytes through a pipe and through shared memory */
struct demo_xfer {
	uint64_t cold_ns;	/* first round: includes first-touch faults (shm) */
	uint64_t warm_ns;	/* best of the later rounds */
	uint64_t kernel_bytes;	/* data bytes copied by read()/write() (/proc/PID/io) */
	uint64_t sync_bytes;	/* of those, the one-byte notifications */
	int io_source;		/* 1: /proc/self/io rchar+wchar, 0: syscall return values */
	uint64_t nvcsw;		/* voluntary context switches of both processes */
	int data_ok;		/* the consumer got exactly the producer's bytes */
};

struct demo_c5 {
	uint64_t bytes;
	int rounds;
	struct demo_xfer pipe;	/* the reference, measured in the same run */
	int pipe_done;
	struct demo_xfer shm[DEMO_NSIDES];	/* native: SysV; device */
	double ratio_cold[DEMO_NSIDES];	/* shm time / pipe time */
	double ratio_warm[DEMO_NSIDES];
};

/* One printed line: which block it belongs to. */
enum demo_sec { DEMO_SEC_NATIVE, DEMO_SEC_DEVICE, DEMO_SEC_EVIDENCE };

struct demo_line {
	enum demo_sec sec;
	char *text;
};

struct demo_row;

struct demo_result {
	const struct demo_row *row;
	unsigned int sides;		/* DEMO_SIDE_* asked for */
	struct demo_side side[DEMO_NSIDES];
	enum demo_verdict verdict;	/* over the sides that ran */
	int complete;			/* every requested side ran */
	char because[1500];
	struct demo_line *lines;
	size_t nlines;
	long pagesize;
	struct demo_e1 e1[DEMO_NSIDES];
	struct demo_e2 e2[DEMO_NSIDES];
	struct demo_e3 e3[DEMO_NSIDES];
	struct demo_e4 e4[DEMO_NSIDES];
	struct demo_touch touch[DEMO_NSIDES];	/* C1 and C6 */
	struct demo_c2 c2[DEMO_NSIDES];
	struct demo_c3 c3[DEMO_NSIDES];
	struct demo_c4 c4[DEMO_NSIDES];
	struct demo_c5 c5;
};

/*
 * Run one row ("E1" ... "C6") on @sides (DEMO_SIDE_*) into @r.  A device
 * side SKIPs without /dev/shmdemo.  Returns 0 when every requested side
 * ran, -ENOENT for an unknown row, -EAGAIN when a side was skipped or
 * failed.  Free @r with demo_result_release().
 */
int demo_run_row(const char *row, unsigned int sides, struct demo_result *r);
/* The rows in the order they run; NULL past the last. */
const struct demo_row *demo_row_at(size_t i);
const struct demo_row *demo_find_row(const char *name);	/* case-insensitive */
#define DEMO_MAX_ROWS	16
void demo_result_release(struct demo_result *r);
const char *demo_verdict_name(enum demo_verdict v);

/* ======================= for the files of demo/ ======================== */

struct demo_row {
	const char *name;
	const char *title;
	const char *claim;	/* the article's claim, short: the table's column */
	const char *article[2];	/* what the article expected, one or two lines */
	/* Run one side; 0, DEMO_SKIP or -errno, with the side's why set. */
	int (*run)(struct demo_result *r, int side);
	/* Set each side's verdict from its values (sides that ran). */
	void (*judge)(struct demo_result *r, int side);
	void (*json)(const struct demo_result *r, int side, struct sdt_json *j);
};

extern const struct demo_row demo_row_e1, demo_row_e2, demo_row_e3, demo_row_e4,
	demo_row_c1, demo_row_c2, demo_row_c3, demo_row_c4, demo_row_c5, demo_row_c6;

/* driver.c: results */
void demo_say(struct demo_result *r, enum demo_sec sec, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The printed block of @side. */
static inline enum demo_sec demo_sec_of(int side)
{
	return side == DEMO_NATIVE ? DEMO_SEC_NATIVE : DEMO_SEC_DEVICE;
}
int demo_fail(struct demo_result *r, int side, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define DEMO_SKIP	1	/* a run() that can't run here: demo_skip() */
int demo_skip(struct demo_result *r, int side, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void demo_judge(struct demo_result *r, int side, int ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void demo_summary(struct demo_result *r, int side, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *demo_side_name(int side);

/* report_text.c: the text report and the final table */
/* "== E1  title", wrapped like the report */
void demo_print_heading(FILE *f, const struct demo_row *row);
void demo_print_row(FILE *f, const struct demo_result *r);
void demo_print_table(FILE *f, struct demo_result *rs, size_t n);

/* report_json.c: one JSON object per row (JSON Lines) */
void demo_print_json(FILE *f, const struct demo_result *r);
void demo_json_counters(struct sdt_json *j, const char *key, const struct shmdemo_counters *c);
void demo_json_probe(struct sdt_json *j, const char *key, const struct demo_probe *p, size_t n);

/* children.c: children that report through pipes */
struct demo_chan {
	int cmd;	/* child reads "go" bytes */
	int rep;	/* child writes reports */
};

typedef int (*demo_child_fn)(struct demo_chan *ch, void *arg);

struct demo_child {
	pid_t pid;
	int cmd;	/* parent's end: write "go" */
	int rep;	/* parent's end: read reports */
	int status;	/* exit status, or 128 + signal */
	struct rusage ru;
};

int demo_child_start(struct demo_child *c, demo_child_fn fn, void *arg);
int demo_child_go(struct demo_child *c);
int demo_child_recv(struct demo_child *c, void *buf, size_t len);
/* Close our ends, wait; returns the status (0 = exited 0). */
int demo_child_wait(struct demo_child *c);
/* Run @fn in a child that sends one @len-byte report; the child's status. */
int demo_child_run(demo_child_fn fn, void *arg, void *rep, size_t len);
int demo_chan_wait(struct demo_chan *ch);
int demo_chan_send(struct demo_chan *ch, const void *buf, size_t len);

/* Touch @p (read, or write when @write) in a child; the signal it raised. */
int demo_probe(volatile char *p, int write, long offset, const char *what,
	       struct demo_probe *out, void *unmap, size_t unmap_len);
const char *demo_sig_name(int sig);

/* kernel_view.c: what the kernel says about memory */
long demo_pagesize(void);
uint64_t demo_pfn(const void *addr);		/* 0: unknown (not root) or absent */
long demo_mincore(const void *addr, size_t len);	/* resident pages, -errno */
uint64_t demo_minflt(void);
int demo_fs_name(int fd, char *buf, size_t len);
int demo_maps_name(const void *addr, char *buf, size_t len);	/* /proc/self/maps path */
long long demo_read_ll(const char *path);	/* a number in a file, or -errno */
/* /proc/sysvipc/shm rss (bytes) of @id, or -errno */
long long demo_sysv_rss(int id);
long long demo_sysv_swap(int id);	/* its swap column (bytes) */
/* @name's number in /proc/vmstat or /proc/meminfo (kB), or -errno */
long long demo_proc_value(const char *path, const char *name);
/* cgroup v2 memory cgroups (root): see kernel_view.c */
int demo_cgroup_make(char *path, size_t len, const char *tag, long long high);
int demo_cgroup_enter(const char *path);
void demo_cgroup_remove(const char *path);
int demo_tmpname(char *buf, size_t len, const char *tag);
/*
 * A directory on a disk file system for the rows that need one (E1, C3):
 * shmdemo-demo --disk DIR, else $SHMDEMO_DISK (tools/vm/run --disk), else
 * NULL.
 */
const char *demo_disk(void);
void demo_set_disk(const char *dir);
/* A new name in demo_disk(), like demo_tmpname(); -ENOENT without one. */
int demo_disk_name(char *buf, size_t len, const char *tag);

int demo_proc_line(const char *path, int col, long long id, char *buf, size_t len);

/* device.c: the device through lib/device_ioctl.h, for what the library doesn't do */
int demo_dev_present(void);
/* A new segment (@key or SHMDEMO_KEY_PRIVATE) of @bytes; the id or -errno. */
int demo_dev_create(int key, uint64_t bytes, uint32_t mode);
/* The same, backed by the open file @file_fd (@bytes 0: its size). */
int demo_dev_create_file(int key, int file_fd, uint64_t bytes, uint32_t mode);
/* Open the device and bind to @id (find @key when id < 0): a bound fd or -errno. */
int demo_dev_open_bound(int id, int key);
int demo_dev_stat(int id, struct shmdemo_stat *st);
int demo_dev_rmid(int id);
/* PAGES entry of page @index, or -errno. */
long demo_dev_page(int id, uint64_t index);
void demo_counters_delta(struct shmdemo_counters *d, const struct shmdemo_counters *a,
			 const struct shmdemo_counters *b);
int demo_key(int tag);	/* a key nobody uses yet, in both namespaces */

/* trace.c: shmdemo:* tracepoints (tools/common/tracefs.h), root only */
int demo_trace_start(void);	/* 1 on, 0 unavailable */
/* Stop; keep (up to @max) lines of segment @id containing @must. */
int demo_trace_stop(int id, const char *must, char (*lines)[200], int max);

#endif /* SHMDEMO_DEMO_H */
