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
/* Mappings of @folio: its PTEs and its PMDs, each counted once. */
static inline int shmdemo_folio_mapcount(struct folio *folio)
{
	return folio_mapcount(folio);
}
#else
/*
 * folio_mapcount() is not exported before 6.3.  There each page of a file
 * THP counts its PTEs and the PMDs of its folio: the sum over the pages
 * counts a PMD once per page, folio_mapcount() once.
 */
static inline int shmdemo_folio_mapcount(struct folio *folio)
{
	long i, n = 0, nr = folio_nr_pages(folio);

	if (!folio_test_large(folio))
		return page_mapcount(&folio->page);
	for (i = 0; i < nr; i++)
		n += page_mapcount(folio_page(folio, i));
	return n - (long)folio_entire_mapcount(folio) * (nr - 1);
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

/* An order-0 folio for @vma at @addr (NULL: the task's policy), not yet valid. */
static inline struct folio *shmdemo_vma_alloc_folio(gfp_t gfp, struct vm_area_struct *vma,
						    unsigned long addr)
{
	if (!vma)
		return folio_alloc(gfp, 0);
#ifdef SHMDEMO_HAVE_VMA_ALLOC_FOLIO_HUGEPAGE
	return vma_alloc_folio(gfp, 0, vma, addr, false);
#else
	return vma_alloc_folio(gfp, 0, vma, addr);
#endif
}

/*
 * PMD-sized folios: HPAGE_PMD_ORDER exists only with THP configured, and
 * the hardware may lack PMD mappings (6.12's do_set_pmd() then refuses
 * them anyway).  0 means never.
 */
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
#define SHMDEMO_PMD_ORDER	HPAGE_PMD_ORDER
#define shmdemo_have_pmd_mappings()	has_transparent_hugepage()
#else
#define SHMDEMO_PMD_ORDER	0
#define shmdemo_have_pmd_mappings()	false
#endif

/* A PMD-order folio for @vma at the 2 MiB-aligned @haddr (not zeroed). */
static inline struct folio *shmdemo_vma_alloc_pmd_folio(gfp_t gfp, struct vm_area_struct *vma,
							unsigned long haddr)
{
	if (!SHMDEMO_PMD_ORDER)
		return NULL;
	if (!vma)	/* no fault: the task's policy */
		return folio_alloc(gfp, SHMDEMO_PMD_ORDER);
#ifdef SHMDEMO_HAVE_VMA_ALLOC_FOLIO_HUGEPAGE
	return vma_alloc_folio(gfp, SHMDEMO_PMD_ORDER, vma, haddr, true);
#else
	return vma_alloc_folio(gfp, SHMDEMO_PMD_ORDER, vma, haddr);
#endif
}

/*
 * Has the mm or the VMA opted out of THP (prctl(PR_SET_THP_DISABLE),
 * MADV_NOHUGEPAGE)?  6.12's do_set_pmd() checks the same itself.  Newer
 * kernels (7.3 has it) split the mm's flag in two (disabled completely, or
 * except where advised) and made mm->flags a bitmap: there the kernel's
 * own vma_thp_disabled() decides.
 */
static inline bool shmdemo_vma_thp_disabled(struct vm_area_struct *vma)
{
#ifdef SHMDEMO_HAVE_MMF_DISABLE_THP_COMPLETELY
	return vma_thp_disabled(vma, vma->vm_flags, false);
#else
	return (vma->vm_flags & VM_NOHUGEPAGE) ||
	       test_bit(MMF_DISABLE_THP, &vma->vm_mm->flags);
#endif
}

/* Remove a locked folio from its page cache (memory-failure's helper). */
static inline void shmdemo_remove_cached_folio(struct address_space *mapping,
					       struct folio *folio)
{
#ifdef SHMDEMO_HAVE_GENERIC_ERROR_REMOVE_FOLIO
	generic_error_remove_folio(mapping, folio);
#else
	generic_error_remove_page(mapping, &folio->page);
#endif
}

#endif /* _SHMDEMO_COMPAT_H */
