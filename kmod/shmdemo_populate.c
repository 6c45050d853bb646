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
 * around it when all of that is inside the segment and empty (as a fault
 * of an aligned mapping would), else a page; the task's memory policy.
 * Return: the pages added (0: @index was cached meanwhile), or -errno.
 */
static long shmdemo_populate_one(struct shmdemo_seg *seg, struct address_space *mapping,
				 pgoff_t index)
{
	struct folio *folio;
	long added;

	added = shmdemo_add_zeroed_folio(mapping, seg, index, NULL, 0,
					 shmdemo_pmd_possible(seg, round_down(index, HPAGE_PMD_NR)),
					 &folio);
	if (added == -EEXIST)
		return 0;
	if (added < 0)
		return added;
	folio_unlock(folio);
	folio_put(folio);
	return added;
}

/**
 * shmdemo_populate_seg - fill [@start, @start + @len) of @seg's cache
 * @seg: the segment, referenced by the caller, whose permission it checked
 * @start: first byte, rounded down to a page
 * @len: bytes, 0 for the rest of the segment; cut off at its end
 * @pages: out: pages added
 *
 * Under the invalidate_lock held shared, as a fault holds it: a shrink
 * waits, faults run alongside (a page one of them adds first is kept).
 * Charged to the creator page by page as the fault path charges it.
 *
 * Context: process context, may sleep; no locks held.
 * Return: 0, -EINVAL (@start past the end), -EOPNOTSUPP (file-backed),
 * -ENOSPC, -ENOMEM or -EINTR; on an error the pages added so far stay.
 */
int shmdemo_populate_seg(struct shmdemo_seg *seg, u64 start, u64 len, u64 *pages)
{
	struct address_space *mapping = seg->inode->i_mapping;
	pgoff_t index, end, npages;
	struct folio *folio;
	long added;
	int ret;

	*pages = 0;
	if (seg->backing)
		return -EOPNOTSUPP;
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
		/* Also between cached folios: a 1 GiB segment has 262144. */
		cond_resched();
		folio = filemap_get_folio(mapping, index);
		if (!IS_ERR_OR_NULL(folio)) {
			index = folio->index + folio_nr_pages(folio);
			folio_put(folio);
			continue;
		}
		added = shmdemo_populate_one(seg, mapping, index);
		if (added < 0) {
			ret = added;
			break;
		}
		*pages += added;
		atomic64_add(added, &seg->c.pages_alloc);
	}
out_unlock:
	filemap_invalidate_unlock_shared(mapping);
	return ret;
}

/**
 * shmdemo_seg_populate - SHMDEMO_IOC_POPULATE of segment @id
 * @id: segment id (read permission needed, as for a read fault)
 * @start: see shmdemo_populate_seg()
 * @len: see shmdemo_populate_seg()
 * @pages: out: pages added
 *
 * Context: process context, may sleep; no locks held.
 * Return: 0, -EINVAL, -EACCES, or shmdemo_populate_seg()'s errors.
 */
int shmdemo_seg_populate(int id, u64 start, u64 len, u64 *pages)
{
	struct shmdemo_seg *seg = shmdemo_seg_find(id);
	int ret;

	*pages = 0;
	if (IS_ERR(seg))
		return PTR_ERR(seg);
	ret = shmdemo_seg_perms(seg, 0444);
	if (!ret)
		ret = shmdemo_populate_seg(seg, start, len, pages);
	shmdemo_seg_put(seg);
	return ret;
}
