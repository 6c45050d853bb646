// SPDX-License-Identifier: GPL-2.0
/*
 * SHMDEMO_IOC_POPULATE: a range of a memory-only segment's page cache
 * filled in one pass, with what the faults of a mapping touching every
 * page would have added - 2 MiB folios where an aligned 2 MiB fits, pages
 * elsewhere - without a mapping and without a fault per page.
 */
#include <linux/pagemap.h>
#include <linux/sched/signal.h>

#include "compat.h"
#include "shmdemo.h"

/*
 * Add what is missing at @index: the 2 MiB folio of the aligned 2 MiB
 * around it when all of that is inside the segment of @npages and empty
 * (as a fault of an aligned mapping would), else a page.
 * Return: the pages added (0: @index was cached meanwhile), or -errno.
 */
static long shmdemo_populate_one(struct shmdemo_seg *seg, struct address_space *mapping,
				 pgoff_t index, pgoff_t npages)
{
	pgoff_t hindex = round_down(index, HPAGE_PMD_NR);
	struct folio *folio;
	int err;

	if (SHMDEMO_PMD_ORDER && hindex + HPAGE_PMD_NR <= npages &&
	    READ_ONCE(shmdemo_pmd_folios) && shmdemo_have_pmd_mappings()) {
		err = shmdemo_pmd_add_folio(mapping, seg, hindex, NULL, 0, &folio);
		if (!err) {
			atomic64_inc(&seg->c.pmd_alloc);
			folio_unlock(folio);
			folio_put(folio);
			return HPAGE_PMD_NR;
		}
		atomic64_inc(&seg->c.pmd_fallback);
	}
	err = shmdemo_user_charge(seg, 1);
	if (err)
		return err;
	folio = shmdemo_vma_alloc_zeroed_folio(mapping_gfp_mask(mapping), NULL, 0);
	if (!folio) {
		shmdemo_user_uncharge(seg, 1);
		return -ENOMEM;
	}
	__folio_mark_uptodate(folio);
	err = filemap_add_folio(mapping, folio, index, GFP_KERNEL);
	if (err) {
		folio_put(folio);
		shmdemo_user_uncharge(seg, 1);
		return err == -EEXIST ? 0 : err;
	}
	folio_unlock(folio);
	folio_put(folio);
	return 1;
}

/**
 * shmdemo_seg_populate - fill [@start, @start + @len) of a segment's cache
 * @id: segment id
 * @start: first byte, rounded down to a page
 * @len: bytes, 0 for the rest of the segment; cut off at its end
 * @pages: out: pages added
 *
 * Under the invalidate_lock held shared, as a fault holds it: a shrink
 * waits, faults run alongside (a page one of them adds first is kept).
 * Charged to the creator page by page as the fault path charges it.
 *
 * Context: process context, may sleep; no locks held.
 * Return: 0, -EINVAL, -EACCES, -EOPNOTSUPP (file-backed), -ENOSPC,
 * -ENOMEM or -EINTR; on an error the pages added so far stay.
 */
int shmdemo_seg_populate(int id, u64 start, u64 len, u64 *pages)
{
	struct address_space *mapping;
	struct shmdemo_seg *seg;
	pgoff_t index, end, npages;
	struct folio *folio;
	long added;
	int ret;

	*pages = 0;
	seg = shmdemo_seg_find(id);
	if (IS_ERR(seg))
		return PTR_ERR(seg);
	ret = shmdemo_seg_perms(seg, 0444);
	if (ret)
		goto out_put;
	ret = -EOPNOTSUPP;
	if (seg->backing)
		goto out_put;

	mapping = seg->inode->i_mapping;
	filemap_invalidate_lock_shared(mapping);
	npages = DIV_ROUND_UP(i_size_read(mapping->host), PAGE_SIZE);
	index = start >> PAGE_SHIFT;
	ret = -EINVAL;
	if (index >= npages)
		goto out_unlock;
	/* start < the segment's end here, so this can't wrap. */
	end = npages;
	if (len && len < ((u64)npages << PAGE_SHIFT) - start)
		end = DIV_ROUND_UP(start + len, PAGE_SIZE);
	ret = 0;
	while (index < end) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		folio = filemap_get_folio(mapping, index);
		if (!IS_ERR_OR_NULL(folio)) {
			index = folio->index + folio_nr_pages(folio);
			folio_put(folio);
			continue;
		}
		added = shmdemo_populate_one(seg, mapping, index, npages);
		if (added < 0) {
			ret = added;
			break;
		}
		*pages += added;
		atomic64_add(added, &seg->c.pages_alloc);
		cond_resched();
	}
out_unlock:
	filemap_invalidate_unlock_shared(mapping);
out_put:
	shmdemo_seg_put(seg);
	return ret;
}
