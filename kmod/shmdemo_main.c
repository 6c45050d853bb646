// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo - System V style shared memory on a character device, with the
 * module's own page cache and fault path.  See README.md for the tour.
 */
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>

#include "shmdemo.h"
#include "shmdemo_inject.h"

#define CREATE_TRACE_POINTS
#include "shmdemo_trace.h"

static ushort dev_mode = 0666;

/* Shown in octal, as modes are; set with any base ("0660" is octal). */
static int dev_mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%#o\n", *(ushort *)kp->arg);
}

static const struct kernel_param_ops dev_mode_ops = {
	.set	= param_set_ushort,
	.get	= dev_mode_get,
};

module_param_cb(dev_mode, &dev_mode_ops, &dev_mode, 0444);
MODULE_PARM_DESC(dev_mode, "Mode of /dev/shmdemo (default 0666, like /dev/shm); each segment's own mode decides access to it");

/*
 * The limits are clamped when set, so every user of them can trust their
 * range: a size over MAX_LFS_FILESIZE would make i_size negative, and one
 * near U64_MAX would round up to zero pages.
 */
static int shmdemo_param_set_clamped(const char *val, const struct kernel_param *kp,
				     unsigned long max)
{
	unsigned long v;
	int ret = kstrtoul(val, 0, &v);

	if (ret)
		return ret;
	WRITE_ONCE(*(unsigned long *)kp->arg, min(v, max));
	return 0;
}

static int shmdemo_param_set_bytes(const char *val, const struct kernel_param *kp)
{
	return shmdemo_param_set_clamped(val, kp, MAX_LFS_FILESIZE);
}

static int shmdemo_param_set_pages(const char *val, const struct kernel_param *kp)
{
	return shmdemo_param_set_clamped(val, kp, MAX_LFS_FILESIZE >> PAGE_SHIFT);
}

static int shmdemo_param_set_segments(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret = kstrtouint(val, 0, &v);

	if (ret)
		return ret;
	WRITE_ONCE(*(unsigned int *)kp->arg, min_t(unsigned int, v, SHMDEMO_MAX_SEGMENTS));
	return 0;
}

static const struct kernel_param_ops shmdemo_bytes_ops = {
	.set	= shmdemo_param_set_bytes,
	.get	= param_get_ulong,
};

static const struct kernel_param_ops shmdemo_pages_ops = {
	.set	= shmdemo_param_set_pages,
	.get	= param_get_ulong,
};

static const struct kernel_param_ops shmdemo_segments_ops = {
	.set	= shmdemo_param_set_segments,
	.get	= param_get_uint,
};

unsigned int shmdemo_max_segments = 4096;
module_param_cb(max_segments, &shmdemo_segments_ops, &shmdemo_max_segments, 0644);
MODULE_PARM_DESC(max_segments, "Most segments at once, like shmmni (default 4096, at most 32768)");

unsigned long shmdemo_max_seg_bytes = 1UL << 30;
module_param_cb(max_seg_bytes, &shmdemo_bytes_ops, &shmdemo_max_seg_bytes, 0644);
MODULE_PARM_DESC(max_seg_bytes, "Largest segment in bytes, like shmmax (default 1 GiB, at most MAX_LFS_FILESIZE)");

unsigned long shmdemo_max_total_pages;
module_param_cb(max_total_pages, &shmdemo_pages_ops, &shmdemo_max_total_pages, 0644);
MODULE_PARM_DESC(max_total_pages, "Sum of all segment sizes in pages, like shmall (default: half of RAM)");

/* ULONG_MAX until init: "not given at load time". */
unsigned long shmdemo_max_user_pages = ULONG_MAX;
module_param_cb(max_user_pages, &shmdemo_pages_ops, &shmdemo_max_user_pages, 0644);
MODULE_PARM_DESC(max_user_pages, "Most pages resident in the segments one user created, unless the creator has CAP_IPC_LOCK; over it creation and growth fail with ENOSPC and faults raise SIGBUS (default: 1/16 of RAM)");

bool shmdemo_pmd_folios = true;
module_param_named(pmd_folios, shmdemo_pmd_folios, bool, 0644);
MODULE_PARM_DESC(pmd_folios, "Memory-only segments get 2 MiB folios, mapped by one PMD, where a shared mapping covers an aligned 2 MiB of the segment (default Y; N: 4 KiB pages only, for comparisons); applies to later faults");

#ifdef SHMDEMO_INJECT_BUGS
int shmdemo_inject_bug;
module_param_named(inject_bug, shmdemo_inject_bug, int, 0644);
MODULE_PARM_DESC(inject_bug, "TEST BUILDS ONLY: 1 use-after-free, 2 lock-order inversion, 3 leak (see shmdemo_inject.h)");
#endif

static struct miscdevice shmdemo_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "shmdemo",
	.fops	= &shmdemo_dev_fops,
};

static int __init shmdemo_init(void)
{
	int ret;

	if (!shmdemo_max_total_pages)
		shmdemo_max_total_pages = totalram_pages() / 2;
	if (shmdemo_max_user_pages == ULONG_MAX)
		shmdemo_max_user_pages = totalram_pages() / 16;
	shmdemo_misc.mode = dev_mode & 0777;

	ret = shmdemo_proc_init();
	if (ret)
		return ret;
	ret = misc_register(&shmdemo_misc);
	if (ret)
		goto out_proc_exit;
	return 0;

out_proc_exit:
	shmdemo_proc_exit();
	return ret;
}

/*
 * Every segment pins the module through its superblock (shmdemo_fs.c), so
 * by now there is none: no page, no inode, no mount left to free.
 */
static void __exit shmdemo_exit(void)
{
	misc_deregister(&shmdemo_misc);
	shmdemo_proc_exit();
	shmdemo_seg_exit();
}

module_init(shmdemo_init);
module_exit(shmdemo_exit);

MODULE_DESCRIPTION("System V style shared memory device with its own page cache and fault path");
MODULE_AUTHOR("shmdemo developers");
MODULE_LICENSE("GPL");
