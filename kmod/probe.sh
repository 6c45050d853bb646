#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmod/probe.sh SRCTREE - probe the target kernel's headers for the APIs
# compat.h papers over and print the matching -D flags for Kbuild.  Probing
# features (not comparing version numbers) keeps distribution backports
# working: a 6.1 kernel that gained vm_flags_set() is treated as having it.
src=${1:?usage: probe.sh SRCTREE}
has() {	# has FILE PATTERN: the header declares it
	grep -Eq "$2" "$src/$1" 2>/dev/null
}
# 6.3: vma->vm_flags became read-only behind vm_flags_set()/vm_flags_clear().
has include/linux/mm.h 'void vm_flags_set\(' &&
	printf ' %s' -DSHMDEMO_HAVE_VM_FLAGS_SET
# 6.3: folio_mapcount() became inline (before it was not exported).
has include/linux/mm.h 'static inline int folio_mapcount\(' &&
	printf ' %s' -DSHMDEMO_HAVE_INLINE_FOLIO_MAPCOUNT
# up to 6.12: vma_alloc_folio(gfp, order, vma, addr, bool hugepage).
has include/linux/gfp.h 'unsigned long addr, bool hugepage\);' &&
	printf ' %s' -DSHMDEMO_HAVE_VMA_ALLOC_FOLIO_HUGEPAGE
# 6.7: inode times behind accessors; simple_inode_init_ts() sets all three.
has include/linux/fs.h 'struct timespec64 simple_inode_init_ts\(' &&
	printf ' %s' -DSHMDEMO_HAVE_SIMPLE_INODE_INIT_TS
# 6.10: writeback_iter() (write_cache_pages() and its callback go later).
has include/linux/writeback.h 'struct folio \*writeback_iter\(' &&
	printf ' %s' -DSHMDEMO_HAVE_WRITEBACK_ITER
# 6.8: generic_error_remove_page() became generic_error_remove_folio().
has include/linux/mm.h 'int generic_error_remove_folio\(' &&
	printf ' %s' -DSHMDEMO_HAVE_GENERIC_ERROR_REMOVE_FOLIO
# 7.x: MMF_DISABLE_THP split in two, mm->flags a bitmap (mm_flags_test()).
has include/linux/mm_types.h 'define MMF_DISABLE_THP_COMPLETELY' &&
	printf ' %s' -DSHMDEMO_HAVE_MMF_DISABLE_THP_COMPLETELY
# 7.x: f_op->mmap_prepare (a VMA descriptor, before any merge) with
# vm_ops->mapped (the new VMA exists) and compat_vma_mmap() for ->mmap.
has include/linux/mm.h 'int \(\*mapped\)\(unsigned long start' &&
	has include/linux/fs.h 'int compat_vma_mmap\(struct file' &&
	printf ' %s' -DSHMDEMO_HAVE_MMAP_PREPARE
echo
