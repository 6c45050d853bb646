/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backport shims: the rest of the module is written against the newest
 * kernel API it supports (6.12); this header makes older kernels (6.1) look
 * like it.  Every kernel version difference lives here and nowhere else.
 */
#ifndef _SHMDEMO_COMPAT_H
#define _SHMDEMO_COMPAT_H

#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
/* 6.3 made vma->vm_flags read-only behind these accessors. */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}

/* Before 6.3 filemap_lock_folio() said "absent" with NULL, now ERR_PTR(-ENOENT). */
static inline struct folio *shmdemo_filemap_lock_folio(struct address_space *mapping,
						       pgoff_t index)
{
	return filemap_lock_folio(mapping, index) ?: ERR_PTR(-ENOENT);
}
#else
static inline struct folio *shmdemo_filemap_lock_folio(struct address_space *mapping,
						       pgoff_t index)
{
	return filemap_lock_folio(mapping, index);
}
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
/*
 * Page-cache pages mapped into @mm.  6.1 batches the faulting task's own
 * updates in current->rss_stat (SPLIT_RSS_COUNTING), so add them in.
 */
static inline long shmdemo_mm_file_pages(struct mm_struct *mm)
{
	long nr = atomic_long_read(&mm->rss_stat.count[MM_FILEPAGES]);

#ifdef SPLIT_RSS_COUNTING
	if (current->mm == mm)
		nr += current->rss_stat.count[MM_FILEPAGES];
#endif
	return nr;
}
#else
/* 6.2 made the RSS counters per-cpu; summing is exact and cheap on few CPUs. */
static inline long shmdemo_mm_file_pages(struct mm_struct *mm)
{
	return percpu_counter_sum(&mm->rss_stat[MM_FILEPAGES]);
}
#endif

#endif /* _SHMDEMO_COMPAT_H */
