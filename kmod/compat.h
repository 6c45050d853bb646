/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Backport shims: the module is written against the newest kernel API it
 * supports; this header makes older kernels look like it.  Every kernel
 * difference lives here.  The SHMDEMO_HAVE_* flags come from probing the
 * target kernel's headers (kmod/probe.sh, run by Kbuild), never from
 * comparing version numbers.
 */
#ifndef _SHMDEMO_COMPAT_H
#define _SHMDEMO_COMPAT_H

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#ifndef SHMDEMO_HAVE_VM_FLAGS_SET
/* Before 6.3 drivers wrote vma->vm_flags directly. */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/**
 * shmdemo_lock_cached_folio - the locked folio at @index, or NULL if absent
 * @mapping: address space
 * @index: page index
 *
 * filemap_lock_folio() says "absent" with NULL before 6.3 and with
 * ERR_PTR(-ENOENT) since; both mean the same here.
 */
static inline struct folio *shmdemo_lock_cached_folio(struct address_space *mapping,
						      pgoff_t index)
{
	struct folio *folio = filemap_lock_folio(mapping, index);

	return IS_ERR_OR_NULL(folio) ? NULL : folio;
}

/**
 * shmdemo_vma_alloc_zeroed_folio - an order-0 zeroed folio for @vma at @addr
 * @gfp: allocation flags (__GFP_ZERO is added)
 * @vma: the faulting VMA, whose memory policy applies
 * @addr: the faulting address
 *
 * vma_alloc_folio() lost its "hugepage" argument after 6.12.
 */
static inline struct folio *shmdemo_vma_alloc_folio(gfp_t gfp, struct vm_area_struct *vma,
						    unsigned long addr);

static inline struct folio *shmdemo_vma_alloc_zeroed_folio(gfp_t gfp,
							   struct vm_area_struct *vma,
							   unsigned long addr)
{
	return shmdemo_vma_alloc_folio(gfp | __GFP_ZERO, vma, addr);
}

#ifdef SHMDEMO_HAVE_INLINE_FOLIO_MAPCOUNT
/* Mappings of @folio (page table entries, counted once per folio). */
static inline int shmdemo_folio_mapcount(struct folio *folio)
{
	return folio_mapcount(folio);
}
#else
/* folio_mapcount() is not exported before 6.3; order-0 folios are one page. */
static inline int shmdemo_folio_mapcount(struct folio *folio)
{
	return page_mapcount(&folio->page);
}
#endif

/* An inode's atime, mtime and ctime: now (accessors since 6.6/6.7). */
static inline void shmdemo_inode_init_times(struct inode *inode)
{
#ifdef SHMDEMO_HAVE_SIMPLE_INODE_INIT_TS
	simple_inode_init_ts(inode);
#else
	struct timespec64 now = current_time(inode);

	inode->i_atime = now;
	inode->i_mtime = now;
	inode->i_ctime = now;
#endif
}

/* An order-0 folio for @vma at @addr, its content not yet valid. */
static inline struct folio *shmdemo_vma_alloc_folio(gfp_t gfp, struct vm_area_struct *vma,
						    unsigned long addr)
{
#ifdef SHMDEMO_HAVE_VMA_ALLOC_FOLIO_HUGEPAGE
	return vma_alloc_folio(gfp, 0, vma, addr, false);
#else
	return vma_alloc_folio(gfp, 0, vma, addr);
#endif
}

#endif /* _SHMDEMO_COMPAT_H */
