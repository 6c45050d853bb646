// SPDX-License-Identifier: GPL-2.0
/*
 * mmap() of a segment and the fault path that fills its page cache.
 *
 * A segment's pages live in the address_space of its inode (shmdemo_fs.c).
 * Nothing is mapped at mmap() time: each first access to a page faults,
 * and the handlers below find the page by (mapping, index), allocate and
 * insert it when absent, and hand it to the core mm, which installs the
 * PTE.  Every process mapping the segment therefore ends up on the same
 * physical page - the article's claims C1, C2 and C6, made visible by the
 * counters and the shmdemo:* tracepoints.
 */
#include <linux/file.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "compat.h"
#include "shmdemo.h"
#include "shmdemo_trace.h"

static struct shmdemo_seg *shmdemo_vma_seg(struct vm_area_struct *vma)
{
	return shmdemo_inode_seg(vma->vm_file->f_mapping->host);
}

/*
 * A file-backed segment's folio for vmf->pgoff: added locked and not
 * uptodate, then read from the file.  A read that fails leaves it so in
 * the cache; the next fault on it reads again.
 */
static int shmdemo_add_file_folio(struct vm_fault *vmf, struct shmdemo_seg *seg,
				  struct folio **foliop)
{
	struct address_space *mapping = vmf->vma->vm_file->f_mapping;
	struct folio *folio;
	int err;

	folio = shmdemo_vma_alloc_folio(mapping_gfp_mask(mapping), vmf->vma, vmf->address);
	if (!folio)
		return -ENOMEM;
	err = filemap_add_folio(mapping, folio, vmf->pgoff, GFP_KERNEL);
	if (err) {
		folio_put(folio);
		return err;
	}
	*foliop = folio;
	return 0;
}

/*
 * Find the folio at vmf->pgoff, or allocate one and add it to the page
 * cache: zeroed for a memory-only segment (2 MiB where a PMD can map it,
 * see shmdemo_pmd_suitable(), else a page), read from the file for a
 * file-backed one (*@major: the fault did I/O).  Another task may add the
 * same index between our lookup and our insertion: filemap_add_folio()
 * then fails with -EEXIST and we take theirs, so all mappers share one
 * page.  A memory-only segment's new folio (shmdemo_add_zeroed_folio())
 * is charged to its creator first (max_user_pages); every new folio is
 * charged to the faulting task's memory cgroup by filemap_add_folio() and
 * follows the VMA's memory policy (mbind(), set_mempolicy()), as shmem's
 * are.
 *
 * Context: mapping->invalidate_lock held shared, so neither i_size nor the
 * cached folios can be cut under us.  May sleep (and read the file).
 * Return: 0 with *@foliop locked, uptodate and referenced (*@allocated:
 * the pages this fault added), -ENOSPC (creator over its limit), -ENOMEM,
 * or the file read's error.
 */
static int shmdemo_find_or_add_folio(struct vm_fault *vmf, struct shmdemo_seg *seg,
				     struct folio **foliop, long *allocated, bool *major)
{
	struct address_space *mapping = vmf->vma->vm_file->f_mapping;
	struct folio *folio;
	int err;

	*allocated = 0;
	*major = false;
	for (;;) {
		folio = shmdemo_lock_cached_folio(mapping, vmf->pgoff);
		if (folio && folio_test_uptodate(folio))
			break;
		if (folio)	/* file-backed, an earlier read failed: again */
			goto read;

		if (seg->backing) {
			err = shmdemo_add_file_folio(vmf, seg, &folio);
			if (err == -EEXIST)
				continue;
			if (err)
				return err;
			*allocated = 1;
			goto read;
		}
		*allocated = shmdemo_add_zeroed_folio(mapping, seg, vmf->pgoff, vmf->vma,
						      vmf->address,
						      shmdemo_pmd_suitable(vmf, seg), &folio);
		if (*allocated > 0)
			break;
		err = *allocated;
		*allocated = 0;
		if (err != -EEXIST)
			return err;
	}
	*foliop = folio;
	return 0;

read:
	*major = true;
	err = shmdemo_file_read_folio(seg->backing, folio, i_size_read(mapping->host));
	if (err) {
		folio_unlock(folio);
		folio_put(folio);
		return err;
	}
	*foliop = folio;
	return 0;
}

/*
 * ->fault: the faulting page is not in the page cache (or fault-around is
 * off or skipped it).  Pages up to the one holding the segment's last byte
 * are valid, past it SIGBUS - exactly a file's rule, the article's E3.  A
 * file-backed segment's page that is not cached is read from the file (a
 * major fault, the article's C3).
 */
static vm_fault_t shmdemo_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct address_space *mapping = vma->vm_file->f_mapping;
	struct shmdemo_seg *seg = shmdemo_inode_seg(mapping->host);
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	bool cow = write && !(vma->vm_flags & VM_SHARED);
	/* Timestamps only for the tracepoint: none on the fault path otherwise. */
	u64 start = trace_shmdemo_fault_enabled() ? ktime_get_ns() : 0;
	bool found = false, major = false;
	long allocated = 0;
	struct folio *folio;
	vm_fault_t ret;
	int err;

	filemap_invalidate_lock_shared(mapping);
	if (vmf->pgoff >= DIV_ROUND_UP(i_size_read(mapping->host), PAGE_SIZE)) {
		ret = VM_FAULT_SIGBUS;
		goto out_unlock;
	}
	err = shmdemo_find_or_add_folio(vmf, seg, &folio, &allocated, &major);
	if (err) {
		/*
		 * -ENOSPC (max_user_pages) is SIGBUS, as for a full tmpfs; so
		 * is a failed read of the file, as filemap_fault() says.
		 */
		ret = vmf_error(err);
		goto out_unlock;
	}
	vmf->page = folio_file_page(folio, vmf->pgoff);
	found = true;
	/* MAJOR: the core counts it (maj_flt, perf's major-faults), and so do we. */
	ret = VM_FAULT_LOCKED | (major ? VM_FAULT_MAJOR : 0);
	if (major)
		atomic64_inc(&seg->backing->major_faults);
out_unlock:
	filemap_invalidate_unlock_shared(mapping);

	if (cow)
		atomic64_inc(&seg->c.cow_faults);
	else if (write)
		atomic64_inc(&seg->c.write_faults);
	else
		atomic64_inc(&seg->c.read_faults);
	if (allocated)
		atomic64_add(allocated, &seg->c.pages_alloc);
	if (trace_shmdemo_fault_enabled())
		trace_shmdemo_fault(seg->id, vmf->pgoff, vmf->address, write, cow,
				    found && !allocated, allocated, ret,
				    start ? ktime_get_ns() - start : 0);
	return ret;
}

/*
 * How many mappings the cached folios of [@start, @end] have: one more for
 * each PTE filemap_map_pages() installs, so the difference around it is
 * what it mapped.  O(window) under RCU - no sum over CPUs, which the mm's
 * RSS counter would need since 6.2.  As filemap_map_pages() looks folios
 * up: a reference first (a folio being freed or reused by a shrink or an
 * eviction fails it), then the slot read again, so the folio we count is
 * still ours at that index.  A large folio is seen once (the xarray walk
 * skips its sibling slots) with all its PTEs and PMDs.  Another task
 * mapping or unmapping one of these pages during the call shows in the
 * difference.
 */
static long shmdemo_window_mapcount(struct address_space *mapping, pgoff_t start, pgoff_t end)
{
	XA_STATE(xas, &mapping->i_pages, start);
	struct folio *folio;
	long n = 0;

	rcu_read_lock();
	xas_for_each(&xas, folio, end) {
		if (xas_retry(&xas, folio) || xa_is_value(folio) || !folio_try_get(folio))
			continue;
		if (folio == xas_reload(&xas))
			n += shmdemo_folio_mapcount(folio);
		folio_put(folio);
	}
	rcu_read_unlock();
	return n;
}

/*
 * The fault-around window of @nr pages around vmf->address, as
 * do_fault_around() computes its own: aligned to @nr, inside the VMA and
 * inside the page table of the faulting address (filemap_map_pages()
 * walks that one table only).
 */
static void shmdemo_around_window(struct vm_fault *vmf, pgoff_t nr, pgoff_t *start,
				  pgoff_t *end)
{
	pgoff_t pte_off = (vmf->address >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
	pgoff_t vma_off = vmf->pgoff - vmf->vma->vm_pgoff;
	pgoff_t from = max(ALIGN_DOWN(pte_off, nr), pte_off - min(pte_off, vma_off));
	pgoff_t to = min3(from + nr, (pgoff_t)PTRS_PER_PTE,
			  pte_off + vma_pages(vmf->vma) - vma_off) - 1;

	*start = vmf->pgoff + from - pte_off;
	*end = vmf->pgoff + to - pte_off;
}

/*
 * ->map_pages: on a read fault the core first asks us to map the cached,
 * up-to-date neighbours of the faulting page (fault_around_bytes, 64 KiB by
 * default).  filemap_map_pages() is the right tool: it only maps pages that
 * are already in our page cache, stops at i_size, and maps a PMD-sized
 * folio with one PMD when the PMD is empty and the VMA allows it.  A
 * segment's own fault_around_bytes (SHMDEMO_SET_FAULT_AROUND) replaces the
 * kernel's window; one page means none (->fault maps the page).  A fault
 * on a page that is not cached maps nothing around (below).  We count
 * what it mapped from the change in those folios' mapcounts; a PMD it
 * installed maps HPAGE_PMD_NR pages (a mapcount of one).
 *
 * Context: mmap_lock or the VMA lock held for reading: the PMD can change
 * only from empty to mapped under us (our own call, or another thread's
 * fault), which the before/after reads see.
 */
static vm_fault_t shmdemo_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
				    pgoff_t end_pgoff)
{
	struct address_space *mapping = vmf->vma->vm_file->f_mapping;
	struct shmdemo_seg *seg = shmdemo_vma_seg(vmf->vma);
	u32 around = READ_ONCE(seg->fault_around_bytes);
	bool pmd_was_none = pmd_none(READ_ONCE(*vmf->pmd));
	vm_fault_t ret;
	long mapped, before;
	void *entry;

	if (around == PAGE_SIZE)
		return 0;
	if (around)
		shmdemo_around_window(vmf, around >> PAGE_SHIFT, &start_pgoff, &end_pgoff);
	/*
	 * The faulting page is not cached: a first touch, which ->fault
	 * serves.  Its cached neighbours are then most likely this mapping's
	 * own earlier first touches, mapped already, so walking the window
	 * (twice, and filemap_map_pages() once) would map nothing: skip it,
	 * and a first touch costs one lookup more than SysV's (whose VMAs
	 * have no fault-around), not three walks.  Fault-around is for
	 * pages that exist: a second mapping of a written segment.
	 */
	entry = xa_load(&mapping->i_pages, vmf->pgoff);
	if (!entry || xa_is_value(entry)) {
		trace_shmdemo_map_pages(seg->id, start_pgoff, end_pgoff, vmf->pgoff, 0, 0);
		return 0;
	}
	before = shmdemo_window_mapcount(mapping, start_pgoff, end_pgoff);
	ret = filemap_map_pages(vmf, start_pgoff, end_pgoff);
	if (pmd_was_none && pmd_trans_huge(READ_ONCE(*vmf->pmd)))
		mapped = HPAGE_PMD_NR;
	else
		mapped = shmdemo_window_mapcount(mapping, start_pgoff, end_pgoff) - before;
	if (mapped > 0)
		atomic64_add(mapped, &seg->c.around_pages);
	/* NOPAGE: the faulting page itself got mapped, ->fault won't run. */
	if (ret & VM_FAULT_NOPAGE)
		atomic64_inc(&seg->c.read_faults);
	trace_shmdemo_map_pages(seg->id, start_pgoff, end_pgoff, vmf->pgoff,
				mapped, ret);
	return ret;
}

/*
 * ->page_mkwrite, file-backed segments only: the first write to a page
 * mapped read-only (a shared writable mapping starts read-only because
 * this hook exists), and the first write after a writeback made it
 * read-only again.  Mark the folio dirty: that queues it for writeback.
 * Reclaim or an invalidation may have taken the folio out of the cache
 * since its PTE was read (a file-backed segment is never resized): then
 * let the fault be retried, which reads the page in again.
 */
static vm_fault_t shmdemo_page_mkwrite(struct vm_fault *vmf)
{
	struct address_space *mapping = vmf->vma->vm_file->f_mapping;
	struct shmdemo_seg *seg = shmdemo_inode_seg(mapping->host);
	struct folio *folio = page_folio(vmf->page);
	vm_fault_t ret = VM_FAULT_LOCKED;

	folio_lock(folio);
	if (folio->mapping != mapping ||
	    folio_pos(folio) >= i_size_read(mapping->host)) {
		folio_unlock(folio);
		ret = VM_FAULT_NOPAGE;
	} else {
		folio_mark_dirty(folio);
		folio_wait_stable(folio);
	}
	atomic64_inc(&seg->c.mkwrite);
	trace_shmdemo_mkwrite(seg->id, vmf->pgoff, ret);
	return ret;
}

/*
 * vm_private_data is the segment while the VMA is counted in its nattch:
 * set by the mmap hook that counted it (shmdemo_mmap_seg(), or ->mapped),
 * copied with the VMA.  A VMA that ->mapped refused (the segment became
 * gone) was never counted, and the core mm unmaps it at once.
 *
 * Context: mmap_lock (or the VMA lock) held for writing; may not fail.
 */
static void shmdemo_vm_open(struct vm_area_struct *vma)
{
	if (vma->vm_private_data)
		shmdemo_seg_attach(shmdemo_vma_seg(vma));
}

/* Context: mmap_lock held, or the mm is being torn down. */
static void shmdemo_vm_close(struct vm_area_struct *vma)
{
	if (vma->vm_private_data)
		shmdemo_seg_detach(shmdemo_vma_seg(vma));
}

#ifdef SHMDEMO_HAVE_MMAP_PREPARE
/*
 * A new VMA set up by shmdemo_mmap_prepare_seg() is in the mm (not merged
 * into a neighbour, which is counted already): this is the attach.
 *
 * Context: mmap_lock held for writing.
 */
static int shmdemo_vm_mapped(unsigned long start, unsigned long end, pgoff_t pgoff,
			     const struct file *file, void **vm_private_data)
{
	struct shmdemo_seg *seg = shmdemo_inode_seg(file_inode(file));
	int ret = shmdemo_seg_attach_live(seg);

	if (!ret)
		*vm_private_data = seg;
	return ret;
}
#endif

/*
 * A memory-only segment's pages are the only copy and its noop bdi writes
 * nothing back, so nothing needs to know when a page is first written:
 * without ->page_mkwrite, vma_wants_writenotify() is false and a shared
 * writable mapping is writable from its first fault, as shmem's are.  A
 * page takes one fault whatever the first access is, fault-around maps
 * pages writable, and FOLL_LONGTERM write pins (io_uring's registered
 * buffers) are allowed.  PG_dirty is then set by a write fault
 * (fault_dirty_shared_page()) or, for a page written through a PTE that a
 * read fault installed, when that PTE is zapped - what pages_dirty counts.
 */
static const struct vm_operations_struct shmdemo_mem_vm_ops = {
#ifdef SHMDEMO_HAVE_MMAP_PREPARE
	.mapped		= shmdemo_vm_mapped,	/* a new VMA: nattch++ */
#endif
	.open		= shmdemo_vm_open,	/* fork, split, mremap: nattch++ */
	.close		= shmdemo_vm_close,	/* munmap, exit: nattch-- */
	.fault		= shmdemo_fault,	/* find or add the page in our cache */
	.map_pages	= shmdemo_map_pages,	/* read fault: map cached neighbours */
};

/* A file-backed segment: dirty pages are written back, so writes notify. */
static const struct vm_operations_struct shmdemo_file_vm_ops = {
#ifdef SHMDEMO_HAVE_MMAP_PREPARE
	.mapped		= shmdemo_vm_mapped,
#endif
	.open		= shmdemo_vm_open,
	.close		= shmdemo_vm_close,
	.fault		= shmdemo_fault,
	.map_pages	= shmdemo_map_pages,
	.page_mkwrite	= shmdemo_page_mkwrite,	/* first write since clean */
};

/*
 * shmdemo_seg_vma_setup - what a new mapping of a binding is
 * @seg_file: the binding (see struct shmdemo_file)
 * @flags: in: the mapping's flags; out: what mprotect() may not add cleared
 * @attach: count the mapping in nattch now (else ->mapped counts it)
 *
 * All VMA setup is here, in one place, for ->mmap and ->mmap_prepare alike.
 * Offsets and lengths past the end of the segment are allowed, as for
 * files: those pages raise SIGBUS until a resize makes them valid.
 * MAP_PRIVATE is allowed: the core mm copies a page on the first write (a
 * COW fault), the segment never sees the write.
 *
 * Context: mmap_lock held for writing.
 * Return: the VMA's operations, or ERR_PTR(-EACCES) or ERR_PTR(-EIDRM).
 */
static const struct vm_operations_struct *
shmdemo_seg_vma_setup(struct file *seg_file, vm_flags_t *flags, bool attach)
{
	struct shmdemo_seg *seg = shmdemo_inode_seg(file_inode(seg_file));
	/* A segment backed by a read-only file is read-only for every binding. */
	bool rdonly = !(seg_file->f_mode & FMODE_WRITE) ||
		      (seg->backing && seg->backing->rdonly);
	int ret;

	if (rdonly && (*flags & VM_MAYSHARE)) {
		/* Read-only binding: no shared writable mapping... */
		if (*flags & VM_WRITE)
			return ERR_PTR(-EACCES);
		/* ...and none later through mprotect(PROT_WRITE). */
		*flags &= ~VM_MAYWRITE;
	}
	/*
	 * The caller's permission now, as shmat() checks it at each attach
	 * (may clear VM_MAYWRITE and VM_MAYEXEC), and a segment that is gone
	 * (removed, unmapped) can't be mapped again.  With @attach this is
	 * the attach itself, like shm_mmap()'s: nattch counts the new VMA.
	 */
	ret = shmdemo_seg_attach_mmap(seg, flags, attach);
	if (ret)
		return ERR_PTR(ret);
	return seg->backing ? &shmdemo_file_vm_ops : &shmdemo_mem_vm_ops;
}

#ifdef SHMDEMO_HAVE_MMAP_PREPARE
/**
 * shmdemo_mmap_prepare_seg - describe a new VMA of a segment file
 * @desc: the VMA to be; desc->file is the segment file (ATTACH's vm_mmap(),
 *	remap_file_pages(), or shmdemo_mmap_seg() through compat_vma_mmap())
 *
 * Runs before the core mm tries to merge the range into a neighbour, so
 * every mapping is checked, merged or not; nothing is counted here (the
 * mapping may still be merged or fail): shmdemo_vm_mapped() counts it.
 *
 * Context: mmap_lock held for writing.
 * Return: 0, -EACCES or -EIDRM.
 */
int shmdemo_mmap_prepare_seg(struct vm_area_desc *desc)
{
	vm_flags_t flags = vma_flags_to_legacy(desc->vma_flags);
	const struct vm_operations_struct *ops;

	ops = shmdemo_seg_vma_setup(desc->file, &flags, false);
	if (IS_ERR(ops))
		return PTR_ERR(ops);
	desc->vma_flags = legacy_to_vma_flags(flags);
	desc->vm_ops = ops;
	return 0;
}

/**
 * shmdemo_mmap_seg - mmap() of a bound /dev/shmdemo: a VMA of its segment
 * @seg_file: the binding
 * @vma: the new VMA, of the /dev/shmdemo file
 *
 * The VMA maps the binding's file, shared by every mapping of the binding.
 * ->mmap_prepare can't hand it over: the core mm (7.3's __mmap_region())
 * keeps a desc->vm_file that differs from the mapped file without a
 * reference of its own and, when the range then merges into a neighbour
 * mapping the same file, drops none - a reference leaked, and with it the
 * segment.  So /dev/shmdemo keeps ->mmap: it swaps the file (nothing can
 * merge with a VMA of the /dev/shmdemo file, none exists) and runs the
 * segment file's ->mmap_prepare and ->mapped on the VMA, as stacked file
 * systems do.  An error: the core mm drops vm_file and frees the VMA
 * without ->close, and nothing was counted.
 *
 * Context: mmap_lock held for writing.
 * Return: 0, -EACCES or -EIDRM.
 */
int shmdemo_mmap_seg(struct file *seg_file, struct vm_area_struct *vma)
{
	vma_set_file(vma, seg_file);
	return compat_vma_mmap(seg_file, vma);
}
#else
/**
 * shmdemo_mmap_seg - set up a VMA on a bound segment
 * @seg_file: the binding (see struct shmdemo_file)
 * @vma: the new VMA; vm_file is the /dev/shmdemo file, or @seg_file itself
 *	when the core mm maps the segment file (SHMDEMO_IOC_ATTACH's
 *	vm_mmap(), remap_file_pages())
 *
 * Context: mmap_lock held for writing.
 * Return: 0, -EACCES or -EIDRM.
 */
int shmdemo_mmap_seg(struct file *seg_file, struct vm_area_struct *vma)
{
	struct shmdemo_seg *seg = shmdemo_inode_seg(file_inode(seg_file));
	const struct vm_operations_struct *ops;
	vm_flags_t flags = vma->vm_flags;

	ops = shmdemo_seg_vma_setup(seg_file, &flags, true);
	if (IS_ERR(ops))
		return PTR_ERR(ops);
	vm_flags_clear(vma, vma->vm_flags & ~flags);
	vma_set_file(vma, seg_file);
	vma->vm_ops = ops;
	vma->vm_private_data = seg;	/* counted: see shmdemo_vm_open() */
	return 0;
}
#endif
