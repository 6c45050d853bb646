// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/shmdemo: one line per segment, like /proc/sysvipc/shm, plus the
 * fault path counters.
 *
 * Why /proc and not debugfs: the listing is for everyone who can run
 * `ipcs`, i.e. unprivileged users, on production kernels; debugfs is
 * root-only, often not mounted, and explicitly not a stable interface.  Like
 * /proc/sysvipc/shm it lists every segment; stat (SHMDEMO_IOC_STAT) is
 * where read permission is enforced.
 */
#include <linux/fs.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "shmdemo.h"

/*
 * Uids and gids as the opener of the file sees them (seq_user_ns(): the
 * credentials it was opened with, even if passed to another process), pids
 * in the pid namespace of this /proc mount, as /proc/sysvipc/shm shows
 * them.  A gone segment (removed, unmapped, still held by a bound file)
 * is listed as "gone": it can't be reached by id but still holds memory.
 */
static int shmdemo_proc_show_seg(struct shmdemo_seg *seg, void *arg)
{
	struct seq_file *m = arg;
	struct shmdemo_stat st = { };
	struct shmdemo_counters *c = &st.counters;
	const char *state = "-";

	shmdemo_seg_fill_stat(seg, &st, seq_user_ns(m),
			      proc_pid_ns(file_inode(m->file)->i_sb));
	if (st.flags & SHMDEMO_SEG_DEST)
		state = st.nattch ? "dest" : "gone";
	seq_printf(m, "%10d %10d %5o %12llu %5d %5d %6llu %5u %5u %5u %5u %10lld %10lld %10lld %4s",
		   st.key, st.id, st.mode, st.bytes, st.cpid, st.lpid, st.nattch,
		   st.uid, st.gid, st.cuid, st.cgid, st.atime, st.dtime, st.ctime,
		   state);
	seq_printf(m, " %8llu %8llu %8llu %8llu %8llu %8llu %8llu %8llu\n",
		   c->pages_resident, c->pages_dirty, c->pages_alloc,
		   c->read_faults, c->write_faults, c->cow_faults, c->mkwrite,
		   c->around_pages);
	return 0;
}

static int shmdemo_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%10s %10s %5s %12s %5s %5s %6s %5s %5s %5s %5s %10s %10s %10s %4s",
		   "key", "shmid", "perms", "size", "cpid", "lpid", "nattch",
		   "uid", "gid", "cuid", "cgid", "atime", "dtime", "ctime", "stat");
	seq_printf(m, " %8s %8s %8s %8s %8s %8s %8s %8s\n",
		   "resident", "dirty", "alloc", "rfault", "wfault", "cowfault",
		   "mkwrite", "around");
	return shmdemo_seg_for_each(shmdemo_proc_show_seg, m);
}

int shmdemo_proc_init(void)
{
	return proc_create_single("shmdemo", 0444, NULL, shmdemo_proc_show) ? 0 : -ENOMEM;
}

void shmdemo_proc_exit(void)
{
	remove_proc_entry("shmdemo", NULL);
}
