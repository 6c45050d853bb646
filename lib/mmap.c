// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mmap() helpers shared by the DEVICE, FILE, POSIX and ANON backends.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include "internal.h"

size_t shmd_page_round(uint64_t bytes)
{
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);

	return (size_t)((bytes + pg - 1) / pg * pg);
}

int shmd_attach_hint(void *addr, unsigned int flags, void **hintp)
{
	uintptr_t a = (uintptr_t)addr, lba = (uintptr_t)SHMLBA;

	if (a % lba) {
		if (!(flags & SHMD_RND))
			return -EINVAL;
		a -= a % lba;
	}
	*hintp = (void *)a;
	return 0;
}

int shmd_mmap_fd(int fd, uint64_t size, void *addr, unsigned int flags,
		 struct shmd_attachment *a)
{
	int prot = PROT_READ | (flags & SHMD_RDONLY ? 0 : PROT_WRITE);
	int mflags = flags & SHMD_PRIVATE ? MAP_PRIVATE : MAP_SHARED;
	size_t len = shmd_page_round(size);
	void *hint, *p;
	int ret;

	if (!len)
		return -EINVAL;
	if (flags & SHMD_ATTACH_PAST_END)
		len += (size_t)sysconf(_SC_PAGESIZE);
	ret = shmd_attach_hint(addr, flags, &hint);
	if (ret)
		return ret;
	/* Like shmat(): an address that is taken is an error, not a hint. */
	if (hint)
		mflags |= MAP_FIXED_NOREPLACE;
	p = mmap(hint, len, prot, mflags, fd, 0);
	if (p == MAP_FAILED)
		return errno == EEXIST ? -EINVAL : -errno;
	if (hint && p != hint) {	/* kernels before 4.17 ignore NOREPLACE */
		munmap(p, len);
		return -EINVAL;
	}
	a->addr = p;
	a->len = len;
	return 0;
}

int shmd_munmap(const struct shmd_attachment *a)
{
	return SHMD_ERR(munmap(a->addr, a->len));
}

/* msync() does not say what it wrote: @info stays not counted. */
int shmd_msync(const struct shmd_attachment *a, unsigned int flags,
	       struct shmd_sync_info *info)
{
	(void)info;
	return SHMD_ERR(msync(a->addr, a->len, flags & SHMD_SYNC_ASYNC ? MS_ASYNC : MS_SYNC));
}
