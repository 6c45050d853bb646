/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmdemo(1) internals shared by the subcommands: exit codes, the command
 * table entry, argument parsing, error reporting, raw device requests and
 * formatting helpers.  Every global name starts with sdt_ (shmdemo tool) so
 * that files compiled into the same binary by others cannot collide.
 */
#ifndef SHMDEMO_TOOL_H
#define SHMDEMO_TOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <linux/shmdemo.h>

#include "device_ioctl.h"
#include "json.h"
#include "libshmdemo.h"

/* Exit codes (documented in shmdemo.1 and `shmdemo help`). */
#define SDT_EXIT_OK	0	/* done */
#define SDT_EXIT_FAIL	1	/* the operation failed */
#define SDT_EXIT_USAGE	2	/* bad command line */

/**
 * struct sdt_cmd - one subcommand
 * @name:	what the user types
 * @args:	synopsis after the name
 * @summary:	one line for `shmdemo help`
 * @help:	option descriptions for `shmdemo CMD --help` (may be NULL)
 * @exit_status: the exit status line of `--help` when it is not the
 *		usual 0 ok, 1 failed, 2 usage (may be NULL)
 * @main:	runs it; argv[0] is @name; returns an SDT_EXIT_* code
 */
struct sdt_cmd {
	const char *name;
	const char *args;
	const char *summary;
	const char *help;
	const char *exit_status;
	int (*main)(int argc, char **argv);
};

extern const struct sdt_cmd sdt_cmd_ls, sdt_cmd_stat, sdt_cmd_create, sdt_cmd_rm,
	sdt_cmd_resize, sdt_cmd_lock, sdt_cmd_unlock, sdt_cmd_attach, sdt_cmd_write_people,
	sdt_cmd_read_people, sdt_cmd_map, sdt_cmd_trace, sdt_cmd_demo;

/* messages.c: messages on stderr, in the form "shmdemo: WHAT: REASON" */
/* Print "shmdemo: <what>: <strerror(errnum)>"; errnum may be negative. */
void sdt_err(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "shmdemo: <message>" without a reason. */
void sdt_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "shmdemo: CMD: <message>" and CMD's usage; returns SDT_EXIT_USAGE. */
int sdt_usage_err(const struct sdt_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* getopt_long() returned '?' or ':' (optstring starts with ':'): say why. */
int sdt_opt_err(const struct sdt_cmd *cmd, char **argv, int opt);
/* CMD's usage (and option help when @full) to @f. */
void sdt_usage(const struct sdt_cmd *cmd, FILE *f, bool full);

/* explain.c: what an error means here */
/*
 * False, after saying that the module is not loaded and how to load it or
 * run in the VM, when /dev/shmdemo does not exist.  Every command that
 * needs the device calls it once its command line is checked.
 */
bool sdt_device_ready(const char *cmd);
/* sdt_device_ready(), then open it (rw, else ro): the fd, or -1 after saying why. */
int sdt_dev_open(const char *cmd);
struct sdt_target;
/* "shmdemo: CMD: segment 5: no such segment (Invalid argument)" and the like. */
void sdt_seg_err(int err, const char *cmd, const struct sdt_target *t);
/*
 * A create or resize of @t to @bytes (adding @pages) failed with @err: name
 * the module limit it ran into (max_seg_bytes, max_segments,
 * max_total_pages, max_user_pages), else as sdt_seg_err().
 */
void sdt_size_err(int err, const char *cmd, const struct sdt_target *t, uint64_t bytes,
		  uint64_t pages);

/* parse.c: command-line values; each returns 0 or -EINVAL (pages: -ERANGE past @npages) */
int sdt_parse_id(const char *s, int *id);
int sdt_parse_key(const char *s, int *key);	/* decimal, 0x hex, 0 octal */
int sdt_parse_size(const char *s, uint64_t *bytes);	/* k K m M g G p suffixes */
int sdt_parse_mode(const char *s, unsigned int *mode);	/* octal, 0..0777 */
int sdt_parse_uint(const char *s, unsigned long max, unsigned long *v);
/* A page set "all", "N", "A-B" or a comma list of those, against @npages. */
int sdt_parse_pages(const char *s, uint64_t npages, bool *set);
long sdt_page_size(void);

/* proc_shmdemo.c: segment @id's line of /proc/shmdemo as a status; -ENOENT if absent */
int sdt_proc_find(int id, struct shmdemo_stat *st);

/* target.c: the segment a command line names, by ID or by --key K; every segment */
struct sdt_target {
	bool by_key;
	int key;
	int id;
};

/* "segment ID" or "key 0xKEY", for messages. */
const char *sdt_target_name(const struct sdt_target *t, char *buf, size_t len);
/* A library handle on it; -errno (-EINVAL: no such id, -ENOENT: no such key). */
int sdt_target_open(const struct sdt_target *t, struct shmd_seg **segp);
/*
 * The ids of every segment reachable by id, ascending (shmd_list()), in a
 * malloc()ed array (NULL when there are none); 0 or -errno.
 */
int sdt_list_ids(int **idsp, int *np);

/*
 * hold.c: wait @seconds (< 0: until stdin reaches end of file); SIGINT and
 * SIGTERM end the wait early.  Returns the signal that did, or 0.
 */
int sdt_hold(double seconds);
/* False for a background job on a terminal: sdt_hold(-1) waits for a signal. */
bool sdt_hold_watches_stdin(void);

/* touch.c: access the pages of @addr whose @set entry is true; returns how many */
uint64_t sdt_touch(void *addr, const bool *set, uint64_t npages, bool write);

/* fmt.c: human-readable fields */
/* "2024-05-01 12:00:00 +0000" (local time) or "never" for 0. */
const char *sdt_fmt_time(int64_t t, char *buf, size_t len);
/* "rw-r-----" for the 9 low bits. */
const char *sdt_fmt_perms(unsigned int mode, char *buf, size_t len);
const char *sdt_fmt_user(uid_t uid, char *buf, size_t len);
const char *sdt_fmt_group(gid_t gid, char *buf, size_t len);

#define SDT_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* SHMDEMO_TOOL_H */
