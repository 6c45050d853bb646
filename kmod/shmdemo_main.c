// SPDX-License-Identifier: GPL-2.0
/*
 * shmdemo - System V style shared memory on a character device, with the
 * module's own page cache and fault path.  See README.md for the tour.
 */
#include <linux/init.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>

#include "shmdemo.h"

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

unsigned int shmdemo_max_segments = 4096;
module_param_named(max_segments, shmdemo_max_segments, uint, 0644);
MODULE_PARM_DESC(max_segments, "Most segments at once, like shmmni (default 4096, at most 32768)");

unsigned long shmdemo_max_seg_bytes = 1UL << 30;
module_param_named(max_seg_bytes, shmdemo_max_seg_bytes, ulong, 0644);
MODULE_PARM_DESC(max_seg_bytes, "Largest segment in bytes, like shmmax (default 1 GiB)");

unsigned long shmdemo_max_total_pages;
module_param_named(max_total_pages, shmdemo_max_total_pages, ulong, 0644);
MODULE_PARM_DESC(max_total_pages, "Sum of all segment sizes in pages, like shmall (default: half of RAM)");

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
	shmdemo_misc.mode = dev_mode & 0777;

	ret = shmdemo_fs_init();
	if (ret)
		return ret;
	ret = shmdemo_proc_init();
	if (ret)
		goto out_fs_exit;
	ret = misc_register(&shmdemo_misc);
	if (ret)
		goto out_proc_exit;
	return 0;

out_proc_exit:
	shmdemo_proc_exit();
out_fs_exit:
	shmdemo_fs_exit();
	return ret;
}

static void __exit shmdemo_exit(void)
{
	misc_deregister(&shmdemo_misc);
	shmdemo_proc_exit();
	shmdemo_seg_exit();
	shmdemo_fs_exit();
}

module_init(shmdemo_init);
module_exit(shmdemo_exit);

MODULE_DESCRIPTION("System V style shared memory device with its own page cache and fault path");
MODULE_AUTHOR("shmdemo developers");
MODULE_LICENSE("GPL");
