// SPDX-License-Identifier: GPL-2.0
/*
 * SHMDEMO_IOC_ATTACH and SHMDEMO_IOC_DETACH: shmat() and shmdt() in one
 * request each.  An attach is what do_shmat() does: an internal file of
 * the segment (permission checked as for a binding; a memory-only
 * segment's attaches share the one it keeps per mode, as do_shmat()'s
 * clones share its file), vm_mmap() of it - whose ->mmap is
 * shmdemo_mmap_seg(), so nattch, permissions and the fault path are a
 * binding's mmap()'s - and the file's reference dropped (the VMA holds its
 * own).  A detach finds the attachment's VMAs under the mmap lock as
 * shmdt() does, then unmaps them with vm_munmap().
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/shm.h>

#include "shmdemo.h"

/**
 * shmdemo_attach - map a whole segment shared, like do_shmat()
 * @file: the open /dev/shmdemo the request came on
 * @req: flags and @__reserved validated; @addr in, @addr and @bytes (the
 *	segment's size; the mapping is that rounded up to pages) out
 *
 * With SHMDEMO_ATTACH_POPULATE the segment's cache is filled first
 * (shmdemo_populate_seg()) and the mapping made with MAP_POPULATE, which
 * maps it all by read faults: one per 2 MiB folio, one per fault-around
 * window of pages.
 *
 * Context: process context, no locks held; takes the mmap lock (vm_mmap).
 * Return: 0, or -EINVAL, -EACCES, -EIDRM, -ENOMEM, -ENFILE; with
 * POPULATE also populate's -EOPNOTSUPP, -ENOSPC, -EINTR.
 */
long shmdemo_attach(struct file *file, struct shmdemo_attach *req)
{
	bool rdonly = req->flags & SHMDEMO_ATTACH_RDONLY;
	unsigned long addr = req->addr, prot, mflags = MAP_SHARED, ua, len;
	struct file *seg_file;

	if (req->addr != addr || addr >= TASK_SIZE)
		return -EINVAL;
	if (addr & (SHMLBA - 1)) {
		if (!(req->flags & SHMDEMO_ATTACH_RND))
			return -EINVAL;
		addr &= ~(SHMLBA - 1);
	}
	/* shmat(): SHM_REMAP needs an address (also one RND rounded to 0). */
	if (!addr && (req->flags & SHMDEMO_ATTACH_REMAP))
		return -EINVAL;
	/* As for mmap() of a descriptor: writing needs a file open for it. */
	if (!rdonly && !(file->f_mode & FMODE_WRITE))
		return -EACCES;
	seg_file = shmdemo_open_seg_file(req->id, rdonly, true);
	if (IS_ERR(seg_file))
		return PTR_ERR(seg_file);
	req->bytes = i_size_read(file_inode(seg_file));
	if (req->flags & SHMDEMO_ATTACH_POPULATE) {
		/* The segment the file holds: checked and referenced already. */
		struct shmdemo_seg *seg = shmdemo_inode_seg(file_inode(seg_file));
		u64 pages;
		long err = shmdemo_populate_seg(seg, 0, 0, &pages);

		if (err) {
			fput(seg_file);
			req->bytes = 0;
			return err;
		}
		mflags |= MAP_POPULATE;
	}
	len = PAGE_ALIGN(req->bytes);
	prot = PROT_READ | (rdonly ? 0 : PROT_WRITE) |
	       (req->flags & SHMDEMO_ATTACH_EXEC ? PROT_EXEC : 0);
	if (addr)
		mflags |= req->flags & SHMDEMO_ATTACH_REMAP ? MAP_FIXED : MAP_FIXED_NOREPLACE;
	ua = vm_mmap(seg_file, addr, len, prot, mflags, 0);
	/* The VMA holds the file now, if there is one: like do_shmat()'s fput(). */
	fput(seg_file);
	if (IS_ERR_VALUE(ua)) {
		req->bytes = 0;
		return (long)ua == -EEXIST ? -EINVAL : (long)ua;
	}
	req->addr = ua;
	return 0;
}

/* A VMA of attachment @first that starts at @addr: its offset is its distance from @addr. */
static bool shmdemo_vma_of(struct vm_area_struct *vma, struct file *first, unsigned long addr)
{
	return vma->vm_file == first && vma->vm_pgoff == (vma->vm_start - addr) >> PAGE_SHIFT;
}

/**
 * shmdemo_detach - unmap the attachment at @addr, like shmdt()
 * @addr: where a mapping of a segment at offset 0 starts
 * @bytes: out: the length unmapped
 *
 * The attachment is the VMA at @addr and those after it of the same
 * internal file at the offsets they would have (the pieces munmap() or
 * mprotect() left), up to the first VMA that is not one of them - an
 * adjacent attachment of the same segment (the same kept file) starts at
 * offset 0 again, so it is not one of them.  The search holds the mmap
 * lock for reading; vm_munmap() takes it for writing.  Between the two
 * another thread of the process may change the range: then it unmaps what
 * it finds there, as munmap() of the range would - the caller's own
 * mappings only, nothing it could not unmap.
 *
 * Context: process context, no locks held.
 * Return: 0, -EINVAL (no attachment starts at @addr), -EINTR.
 */
long shmdemo_detach(unsigned long addr, u64 *bytes)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct file *first = NULL;
	unsigned long end = 0;
	int ret;

	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vma = find_vma(mm, addr);
	if (vma && vma->vm_start == addr && !vma->vm_pgoff && vma->vm_file &&
	    shmdemo_fs_is_ours(vma->vm_file))
		first = vma->vm_file;
	for (; first && vma; vma = find_vma(mm, vma->vm_end)) {
		if (!shmdemo_vma_of(vma, first, addr))
			break;
		end = vma->vm_end;
	}
	mmap_read_unlock(mm);
	if (!end)
		return -EINVAL;
	ret = vm_munmap(addr, end - addr);
	if (ret)
		return ret;
	*bytes = end - addr;
	return 0;
}
