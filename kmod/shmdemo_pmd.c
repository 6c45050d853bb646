// SPDX-License-Identifier: GPL-2.0
/*
 * 2 MiB folios of memory-only segments: when a fault or a populate adds
 * one (else a page: shmdemo_add_zeroed_folio(), their common path), and
 * how a shrink cuts one.
 *
 * The core mm maps a PMD-order page-cache folio with one PMD by itself:
 * finish_fault() after our ->fault, and filemap_map_pages() in our
 * ->map_pages, call do_set_pmd() when the PMD is empty and the VMA's
 * alignment allows it.  So all it takes is to add such folios where that
 * mapping is possible (shmdemo_pmd_suitable()) - no ->huge_fault, no THP
 * sysfs knob, no hugetlb pool.
 *
 * A folio must never reach past the segment's end: do_set_pmd() would map
 * all of it, past the page holding the last byte, where a fault must raise
 * SIGBUS.  A fault adds one only inside the segment, and a shrink through
 * one replaces it with pages first (shmdemo_pmd_cut()).  The kernel's own
 * split is not for us: it is not exported, on a clean folio that it can't
 * split truncate_inode_partial_folio() drops the whole folio (bytes below
 * the new size too, the only copy), and on 6.1 splitting a dirty folio of
 * a mapping without writeback dereferences its NULL bdi_writeback.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>

#include "compat.h"
#include "shmdemo.h"

/**
 * shmdemo_pmd_possible - may the segment have a 2 MiB folio at @hindex?
 * @seg: the segment
 * @hindex: a 2 MiB-aligned index
 *
 * Memory-only (a file-backed segment reads and writes back page by page),
 * pmd_folios on, PMD mappings possible on this machine, and the whole
 * folio inside the segment.  What a mapping adds to it is
 * shmdemo_pmd_suitable()'s.
 *
 * Context: invalidate_lock held shared (i_size is stable).
 */
bool shmdemo_pmd_possible(struct shmdemo_seg *seg, pgoff_t hindex)
{
	if (!SHMDEMO_PMD_ORDER || seg->backing || !READ_ONCE(shmdemo_pmd_folios) ||
	    !shmdemo_have_pmd_mappings())
		return false;
	return hindex + HPAGE_PMD_NR <= DIV_ROUND_UP(i_size_read(seg->inode), PAGE_SIZE);
}

/**
 * shmdemo_pmd_suitable - may the fault at @vmf add a PMD-sized folio?
 * @vmf: the fault, on a segment's VMA
 * @seg: its segment
 *
 * Only where one PMD can map it: shmdemo_pmd_possible(), and a shared VMA
 * (a private one copies pages anyway) that covers the whole aligned 2 MiB
 * and maps it at a 2 MiB-aligned offset, unless the task or the VMA opted
 * out of THP.
 *
 * Context: the fault path (invalidate_lock held shared: i_size is stable).
 */
bool shmdemo_pmd_suitable(struct vm_fault *vmf, struct shmdemo_seg *seg)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;

	if (!(vma->vm_flags & VM_MAYSHARE) || shmdemo_vma_thp_disabled(vma))
		return false;
	if (haddr < vma->vm_start || haddr + HPAGE_PMD_SIZE > vma->vm_end ||
	    !IS_ALIGNED((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff, HPAGE_PMD_NR))
		return false;
	return shmdemo_pmd_possible(seg, round_down(vmf->pgoff, HPAGE_PMD_NR));
}

/**
 * shmdemo_pmd_add_folio - add a zeroed PMD-sized folio to a segment's cache
 * @mapping: the memory-only segment's page cache
 * @seg: the segment
 * @hindex: a 2 MiB-aligned index, the folio inside the segment
 * @vma: the faulting VMA, whose memory policy applies, or NULL (the task's)
 * @haddr: the 2 MiB-aligned address in @vma
 * @foliop: out: the folio
 *
 * For shmdemo_add_zeroed_folio().  Cheap refusals first: any page
 * of the range already cached (a 4 KiB fault got there first, or a shrink
 * cut a folio there) or the creator's limit; then an allocation that
 * neither compacts nor reclaims directly (kswapd and kcompactd are woken),
 * as THP's defrag=defer does.  Any failure means: fall back to a page.
 *
 * Context: invalidate_lock held shared.
 * Return: 0 with *@foliop locked, uptodate and referenced, or -errno.
 */
static int shmdemo_pmd_add_folio(struct address_space *mapping, struct shmdemo_seg *seg,
				 pgoff_t hindex, struct vm_area_struct *vma, unsigned long haddr,
				 struct folio **foliop)
{
	loff_t start = (loff_t)hindex << PAGE_SHIFT;
	gfp_t gfp = (mapping_gfp_mask(mapping) & ~__GFP_RECLAIM) | __GFP_KSWAPD_RECLAIM |
		    __GFP_NORETRY | __GFP_NOWARN | __GFP_ZERO;
	struct folio *folio;
	int err;

	if (filemap_range_has_page(mapping, start, start + HPAGE_PMD_SIZE - 1))
		return -EEXIST;
	err = shmdemo_user_charge(seg, HPAGE_PMD_NR);
	if (err)
		return err;
	folio = shmdemo_vma_alloc_pmd_folio(gfp, vma, haddr);
	if (!folio) {
		shmdemo_user_uncharge(seg, HPAGE_PMD_NR);
		return -ENOMEM;
	}
	__folio_mark_uptodate(folio);	/* zeroed: valid content */
	err = filemap_add_folio(mapping, folio, hindex, GFP_KERNEL);
	if (err) {
		folio_put(folio);
		shmdemo_user_uncharge(seg, HPAGE_PMD_NR);
		return err;
	}
	*foliop = folio;
	return 0;
}

/**
 * shmdemo_add_zeroed_folio - add a zeroed folio at @index of a memory-only segment
 * @mapping: the segment's page cache
 * @seg: the segment
 * @index: the page wanted
 * @vma: the faulting VMA, whose memory policy applies, or NULL (the task's)
 * @addr: the faulting address in @vma
 * @pmd: the caller found a 2 MiB folio around @index possible: try one
 *	first, and count a fallback to a page
 * @foliop: out: the folio
 *
 * What a fault and a populate add alike: charged to the creator first
 * (max_user_pages), to the caller's memory cgroup by filemap_add_folio().
 *
 * Context: invalidate_lock held shared.
 * Return: the pages added (1 or HPAGE_PMD_NR) with *@foliop locked,
 * uptodate and referenced; -EEXIST when another task added @index first,
 * -ENOSPC (the creator's limit) or -ENOMEM.
 */
long shmdemo_add_zeroed_folio(struct address_space *mapping, struct shmdemo_seg *seg,
			      pgoff_t index, struct vm_area_struct *vma, unsigned long addr,
			      bool pmd, struct folio **foliop)
{
	struct folio *folio;
	int err;

	if (pmd) {
		if (!shmdemo_pmd_add_folio(mapping, seg, round_down(index, HPAGE_PMD_NR), vma,
					   addr & HPAGE_PMD_MASK, foliop)) {
			atomic64_inc(&seg->c.pmd_alloc);
			return HPAGE_PMD_NR;
		}
		atomic64_inc(&seg->c.pmd_fallback);
	}
	err = shmdemo_user_charge(seg, 1);
	if (err)
		return err;
	folio = shmdemo_vma_alloc_zeroed_folio(mapping_gfp_mask(mapping), vma, addr);
	if (!folio) {
		shmdemo_user_uncharge(seg, 1);
		return -ENOMEM;
	}
	__folio_mark_uptodate(folio);	/* zeroed: valid content */
	err = filemap_add_folio(mapping, folio, index, GFP_KERNEL);
	if (err) {
		folio_put(folio);
		shmdemo_user_uncharge(seg, 1);
		return err;
	}
	*foliop = folio;
	return 1;
}

/**
 * shmdemo_pmd_cut - before a shrink to @size, replace the large folio it cuts
 * @mapping: a memory-only segment's page cache
 * @size: the new size, smaller than i_size (which is still the old one)
 *
 * The folio holding the new last page, if it is large and reaches past it,
 * is replaced by order-0 copies of its pages up to that one: locked (so
 * fault-around, which only trylocks, can't map it again), unmapped from
 * every process (the PTEs' and PMDs' dirty bits go to the folio), copied,
 * removed from the page cache, and the copies added in its place.  Faults
 * wait on the invalidate_lock meanwhile.  A pin of its pages (io_uring's
 * registered buffers) keeps the old folio for the pinner, as truncation
 * does to any pinned page.  The truncation that follows then sees only
 * pages at the new end.  Pages charged to the creator are not changed
 * here: the caller's nrpages difference gives the whole shrink's back.
 *
 * Context: process context; the mapping's invalidate_lock held for
 * writing.  Allocates with GFP_KERNEL.
 * Return: 0, or -ENOMEM with nothing changed.
 */
int shmdemo_pmd_cut(struct address_space *mapping, loff_t size)
{
	pgoff_t last = DIV_ROUND_UP(size, PAGE_SIZE) - 1, i, keep;
	struct folio *folio, **copies;
	int ret = 0;
	bool dirty;

	if (!SHMDEMO_PMD_ORDER || size <= 0)
		return 0;
	folio = shmdemo_lock_cached_folio(mapping, last);
	if (!folio)
		return 0;
	if (!folio_test_large(folio) || folio->index + folio_nr_pages(folio) == last + 1)
		goto out_unlock;

	keep = last + 1 - folio->index;
	copies = kvcalloc(keep, sizeof(*copies), GFP_KERNEL);
	ret = -ENOMEM;
	if (!copies)
		goto out_unlock;
	for (i = 0; i < keep; i++) {
		copies[i] = folio_alloc(mapping_gfp_mask(mapping), 0);
		if (!copies[i])
			goto out_free;
	}
	unmap_mapping_pages(mapping, folio->index, folio_nr_pages(folio), false);
	for (i = 0; i < keep; i++) {
		copy_highpage(&copies[i]->page, folio_page(folio, i));
		__folio_mark_uptodate(copies[i]);
	}
	dirty = folio_test_dirty(folio);
	shmdemo_remove_cached_folio(mapping, folio);
	for (i = 0; i < keep; i++) {
		/*
		 * The slots were just emptied and faults wait for us: only an
		 * xarray node or the memory cgroup's charge could fail, and 2
		 * MiB are freed right after - so this must not fail.
		 */
		if (WARN_ON_ONCE(filemap_add_folio(mapping, copies[i], folio->index + i,
						   GFP_KERNEL | __GFP_NOFAIL)))
			continue;	/* unlocked, put below */
		if (dirty)
			folio_mark_dirty(copies[i]);
		folio_unlock(copies[i]);
		folio_put(copies[i]);
		copies[i] = NULL;
	}
	ret = 0;
out_free:
	for (i = 0; i < keep; i++)
		if (copies[i])
			folio_put(copies[i]);
	kvfree(copies);
out_unlock:
	folio_unlock(folio);
	folio_put(folio);
	return ret;
}
