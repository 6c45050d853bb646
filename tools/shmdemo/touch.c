// SPDX-License-Identifier: GPL-2.0
/*
 * Touching pages of a mapping: one access to the first byte of each page.
 * A write is a plain store of a zero byte, so the first access is a write
 * fault everywhere.  (A read-modify-write such as an atomic add of zero
 * would keep the byte, and is a write fault on hardware, but an emulator
 * may split it into a load and a store: a read fault, then mkwrite.)
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
			*b = 0;
		else
			sum += *b;
		n++;
	}
	(void)sum;
	return n;
}
