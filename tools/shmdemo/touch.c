// SPDX-License-Identifier: GPL-2.0
/*
 * Touching pages of a mapping: one access to the first byte of each page.
 * A write is an atomic add of zero - a single read-modify-write
 * instruction, so the first access is a write fault (not a read fault and
 * a later mkwrite) and the contents stay as they were.
 */
#include "tool.h"

uint64_t sdt_touch(void *addr, const bool *set, uint64_t npages, bool write)
{
	volatile unsigned char *p = addr;
	long pg = sdt_page_size();
	unsigned int sum = 0;
	uint64_t i, n = 0;

	for (i = 0; i < npages; i++) {
		volatile unsigned char *b = p + i * (uint64_t)pg;

		if (!set[i])
			continue;
		if (write)
			__atomic_fetch_add(b, 0, __ATOMIC_RELAXED);
		else
			sum += *b;
		n++;
	}
	(void)sum;
	return n;
}
