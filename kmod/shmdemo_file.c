// SPDX-License-Identifier: GPL-2.0
/*
 * File-backed segments: the other half of a page cache's life.
 *
 * A memory-only segment's pages are born zeroed and die with the segment.
 * A file-backed segment mirrors bytes 0..i_size-1 of a regular file the
 * creator passed (SHMDEMO_GET_FILE):
 *
 *  - read: a fault on a page that is not in the segment's page cache adds
 *    a locked, not-uptodate folio and reads the file into it
 *    (shmdemo_file_read_folio()); that is the I/O of a major fault.  A read
 *    that fails leaves the folio not uptodate in the cache, and the next
 *    fault on it reads again, as filemap_fault() does.
 *  - dirty: ->page_mkwrite marks the folio dirty through filemap_dirty_folio():
 *    the dirty tag, the inode on its bdi's dirty list, dirty accounting.
 *  - write back: ->writepages (the flusher, sync(2), fsync and
 *    SHMDEMO_IOC_SYNC) writes each dirty folio's bytes below i_size to the
 *    file.  The writeback iterator has cleared the folio's dirty bit with
 *    folio_clear_dirty_for_io(), which also write-protects every PTE of it,
 *    so a write during or after the writeback faults again (->page_mkwrite)
 *    and dirties the folio for the next one.  A failed write is recorded
 *    in the mapping (mapping_set_error(): errseq, reported once to each
 *    file that syncs) and the folio is dirtied again: its data is kept.
 *    A folio written back at least once since it was read in carries
 *    PG_checked (owner_priv_1, the file system's own bit: our folios are
 *    not swap-backed), reported as SHMDEMO_PAGE_WRITTEN by PAGES; it goes
 *    when the folio leaves the page cache.
 *  - evict: the mapping is evictable (unlike a memory-only one), the inode
 *    is on its superblock's list (drop_caches sees it), and clean folios
 *    may be dropped by reclaim; the next access reads them again.
 *
 * What cleans dirty pages: on every kernel the flusher threads of the
 * segment superblock's own bdi (shmdemo_fs.c) call ->writepages, as for
 * any file system, and so do sync(2), fsync() and msync(MS_SYNC) of a
 * mapping, SHMDEMO_IOC_SYNC, the release of a binding and the freeing of
 * the segment.  Reclaim never writes them: there is no ->writepage (6.1
 * only calls that, and it is gone in 7.x).
 *
 * The segment's cache is not the file's page cache: the two are kept
 * coherent only at these points (a read fills ours from the file's, a
 * writeback copies ours into the file's).  A read(2) of the file sees a
 * mapping's writes once they are written back, not before; a write(2) to
 * the file reaches the segment only for pages it has not cached yet.
 */
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/writeback.h>

#include "shmdemo.h"
#include "shmdemo_trace.h"

/**
 * shmdemo_backing_new - take the file a new segment will be backed by
 * @fd: the creator's descriptor
 * @bytes: in: the size asked for (0: the file's size); out: the size
 *
 * Context: process context, may sleep.
 * Return: the backing (freed by shmdemo_backing_free() or with the inode),
 * ERR_PTR(-EBADF) for a bad or not readable descriptor, ERR_PTR(-EINVAL)
 * for a file that is not a regular file, is a segment's own, is opened for
 * appending (our writes go to fixed offsets), or is smaller than @bytes.
 */
struct shmdemo_backing *shmdemo_backing_new(int fd, u64 *bytes)
{
	struct shmdemo_backing *backing;
	struct file *file = fget(fd);
	loff_t size;
	int ret;

	if (!file)
		return ERR_PTR(-EBADF);
	ret = -EBADF;
	if (!(file->f_mode & FMODE_READ))
		goto out_fput;
	ret = -EINVAL;
	if (!S_ISREG(file_inode(file)->i_mode) || shmdemo_fs_is_ours(file) ||
	    !(file->f_mode & FMODE_CAN_READ) || (file->f_flags & O_APPEND))
		goto out_fput;
	size = i_size_read(file_inode(file));
	if (*bytes > size)
		goto out_fput;
	ret = -ENOMEM;
	backing = kzalloc(sizeof(*backing), GFP_KERNEL_ACCOUNT);
	if (!backing)
		goto out_fput;
	backing->file = file;
	backing->rdonly = !(file->f_mode & FMODE_WRITE) || !(file->f_mode & FMODE_CAN_WRITE);
	if (!*bytes)
		*bytes = size;
	return backing;

out_fput:
	fput(file);
	return ERR_PTR(ret);
}

/* Context: process context, may sleep; no writeback can run any more. */
void shmdemo_backing_free(struct shmdemo_backing *backing)
{
	if (!backing)
		return;
	fput(backing->file);
	kfree(backing);
}

/**
 * shmdemo_file_read_folio - fill @folio from the backing file
 * @backing: the segment's file
 * @folio: locked, not uptodate, in the segment's page cache
 * @size: the segment's size: bytes from it on are zero
 *
 * A short read (the file shrank under us) leaves zeroes, as a read past
 * EOF does.
 *
 * Context: process context, may sleep; @folio locked (it stays locked).
 * Return: 0 with @folio uptodate, or the read's negative errno.
 */
int shmdemo_file_read_folio(struct shmdemo_backing *backing, struct folio *folio, loff_t size)
{
	u64 start = trace_shmdemo_read_enabled() ? ktime_get_ns() : 0;
	loff_t pos = folio_pos(folio);
	size_t len = pos < size ? min_t(loff_t, folio_size(folio), size - pos) : 0;
	size_t done = 0;
	void *kaddr;
	ssize_t n = 0;

	kaddr = kmap_local_folio(folio, 0);
	while (done < len) {
		n = kernel_read(backing->file, kaddr + done, len - done, &pos);
		if (n <= 0)
			break;
		done += n;
	}
	memset(kaddr + done, 0, folio_size(folio) - done);
	kunmap_local(kaddr);
	trace_shmdemo_read(backing->id, folio->index, done, n < 0 ? (int)n : 0,
			   start ? ktime_get_ns() - start : 0);
	if (n < 0)
		return n;
	flush_dcache_folio(folio);
	folio_mark_uptodate(folio);
	atomic64_add(done, &backing->bytes_read);
	return 0;
}

/* ->read_folio: readahead(2), fadvise(WILLNEED) on a mapping's file. */
static int shmdemo_file_aop_read_folio(struct file *file, struct folio *folio)
{
	struct address_space *mapping = folio->mapping;
	int ret;

	ret = shmdemo_file_read_folio(shmdemo_mapping_backing(mapping), folio,
				      i_size_read(mapping->host));
	folio_unlock(folio);
	return ret;
}

/* What one writeback pass wrote, for SHMDEMO_IOC_SYNC's answer. */
struct shmdemo_wb_count {
	u64 pages;
	u64 bytes;
};

/*
 * Write one dirty folio's bytes below i_size to the file.  The folio is
 * under writeback (not locked) while we copy it: a truncation waits for
 * that, a writer waits for nothing (its PTE was write-protected and its
 * fault dirties the folio again).
 *
 * Context: process context, may sleep; @folio locked and cleared for I/O
 * by the writeback iterator; unlocked on return.
 */
static int shmdemo_write_folio(struct folio *folio, struct shmdemo_wb_count *count)
{
	struct address_space *mapping = folio->mapping;
	struct shmdemo_backing *backing = shmdemo_mapping_backing(mapping);
	u64 start = trace_shmdemo_writeback_enabled() ? ktime_get_ns() : 0;
	loff_t size = i_size_read(mapping->host);
	loff_t pos = folio_pos(folio);
	unsigned int noio;
	size_t len, done = 0;
	ssize_t n = 0;
	void *kaddr;
	int err = 0;

	if (pos >= size) {	/* cut by a truncation since it was dirtied */
		folio_unlock(folio);
		return 0;
	}
	len = min_t(loff_t, folio_size(folio), size - pos);
	folio_start_writeback(folio);
	folio_unlock(folio);

	/*
	 * This thread may be our bdi's flusher: the file's allocations must
	 * not recurse into I/O through reclaim (the loop driver's rule for
	 * its backing file).
	 */
	noio = memalloc_noio_save();
	kaddr = kmap_local_folio(folio, 0);
	while (done < len) {
		n = kernel_write(backing->file, kaddr + done, len - done, &pos);
		if (n <= 0)
			break;
		done += n;
	}
	kunmap_local(kaddr);
	memalloc_noio_restore(noio);
	if (n < 0 || done < len)
		err = n < 0 ? (int)n : -EIO;
	trace_shmdemo_writeback(backing->id, folio->index, done, err,
				start ? ktime_get_ns() - start : 0);
	if (!err)
		folio_set_checked(folio);	/* SHMDEMO_PAGE_WRITTEN */
	folio_end_writeback(folio);

	if (err) {
		atomic64_inc(&backing->write_errors);
		mapping_set_error(mapping, err);
		/* Keep the data: dirty again, for the next writeback to retry. */
		folio_lock(folio);
		if (folio->mapping == mapping)
			folio_mark_dirty(folio);
		folio_unlock(folio);
		return err;
	}
	atomic64_inc(&backing->pages_written);
	atomic64_add(done, &backing->bytes_written);
	count->pages++;
	count->bytes += done;
	return 0;
}

#ifdef SHMDEMO_HAVE_WRITEBACK_ITER
static int shmdemo_writeback(struct address_space *mapping, struct writeback_control *wbc,
			     struct shmdemo_wb_count *count)
{
	struct folio *folio = NULL;
	int err = 0;

	while ((folio = writeback_iter(mapping, wbc, folio, &err)))
		err = shmdemo_write_folio(folio, count);
	return err;
}
#else
/* Before writeback_iter() (6.10), write_cache_pages() with a page callback. */
static int shmdemo_writeback_page(struct page *page, struct writeback_control *wbc, void *data)
{
	return shmdemo_write_folio(page_folio(page), data);
}

static int shmdemo_writeback(struct address_space *mapping, struct writeback_control *wbc,
			     struct shmdemo_wb_count *count)
{
	return write_cache_pages(mapping, wbc, shmdemo_writeback_page, count);
}
#endif

static int shmdemo_file_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	struct shmdemo_wb_count count = { };

	return shmdemo_writeback(mapping, wbc, &count);
}

/*
 * No ->writepage: reclaim doesn't write our pages (6.1 would call it from
 * kswapd; 7.x has none), the flusher does through ->writepages.
 */
const struct address_space_operations shmdemo_file_aops = {
	.dirty_folio	= filemap_dirty_folio,	/* tag, account, inode dirty */
	.writepages	= shmdemo_file_writepages,
	.read_folio	= shmdemo_file_aop_read_folio,
};

/**
 * shmdemo_file_sync - SHMDEMO_IOC_SYNC: write a range's dirty pages back
 * @seg_file: the binding (its errseq cursor is the caller's)
 * @start: first byte
 * @end: last byte (inclusive)
 * @pages: out: dirty pages this call wrote
 * @bytes: out: bytes this call wrote
 *
 * Our own pass over the range (so the answer counts what *this* call
 * wrote), then a wait for writeback others started, then the file's own
 * fsync so the bytes are durable.
 *
 * Context: process context, may sleep.
 * Return: 0, or the first error: a write error since @seg_file last
 * synced, or the file's fsync's.
 */
int shmdemo_file_sync(struct file *seg_file, loff_t start, loff_t end, u64 *pages, u64 *bytes)
{
	struct address_space *mapping = seg_file->f_mapping;
	struct shmdemo_backing *backing = shmdemo_mapping_backing(mapping);
	struct writeback_control wbc = {
		.sync_mode	= WB_SYNC_ALL,
		.nr_to_write	= LONG_MAX,
		.range_start	= start,
		.range_end	= end,
	};
	struct shmdemo_wb_count count = { };
	int err, wb_err;

	*pages = 0;
	*bytes = 0;
	if (!backing)
		return 0;
	shmdemo_writeback(mapping, &wbc, &count);
	filemap_fdatawait_range_keep_errors(mapping, start, end);
	*pages = count.pages;
	*bytes = count.bytes;
	wb_err = file_check_and_advance_wb_err(seg_file);
	err = vfs_fsync_range(backing->file, start, end, 0);
	return wb_err ? wb_err : err;
}

/**
 * shmdemo_file_fsync - ->fsync of a binding: msync(MS_SYNC), fsync()
 * @seg_file: the binding
 * @start: first byte
 * @end: last byte (inclusive)
 * @datasync: fdatasync()
 *
 * Context: process context, may sleep.
 * Return: 0 or the first error (errseq, then the file's own fsync).
 */
int shmdemo_file_fsync(struct file *seg_file, loff_t start, loff_t end, int datasync)
{
	struct shmdemo_backing *backing = shmdemo_mapping_backing(seg_file->f_mapping);
	int err;

	if (!backing)
		return 0;	/* memory only: nothing to write */
	err = file_write_and_wait_range(seg_file, start, end);
	if (err)
		return err;
	return vfs_fsync_range(backing->file, start, end, datasync);
}
