// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line values: segment ids, keys, sizes with suffixes, modes and
 * page sets.  Each parser takes the whole string or fails with -EINVAL.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

long sdt_page_size(void)
{
	static long pg;

	if (!pg)
		pg = sysconf(_SC_PAGESIZE);
	return pg;
}

/* An unsigned number in @base, nothing else (no sign, no blanks). */
static int sdt_parse_ull(const char *s, int base, unsigned long long *v, char **end)
{
	char *e;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &e, base);
	if (errno)
		return -EINVAL;
	if (end)
		*end = e;
	else if (*e)
		return -EINVAL;
	return 0;
}

int sdt_parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	unsigned long long x;

	if (sdt_parse_ull(s, 10, &x, NULL) || x > max)
		return -EINVAL;
	*v = (unsigned long)x;
	return 0;
}

int sdt_parse_id(const char *s, int *id)
{
	unsigned long v;

	if (sdt_parse_uint(s, INT_MAX, &v))
		return -EINVAL;
	*id = (int)v;
	return 0;
}

/* Keys are 32 bits: 0x12345678, 305419896, -1 and 0xffffffff all work. */
int sdt_parse_key(const char *s, int *key)
{
	unsigned long long v;
	bool neg = false;

	if (s && (!strcmp(s, "private") || !strcmp(s, "IPC_PRIVATE"))) {
		*key = SHMDEMO_KEY_PRIVATE;
		return 0;
	}
	if (s && *s == '-') {
		neg = true;
		s++;
	}
	if (sdt_parse_ull(s, 0, &v, NULL))
		return -EINVAL;
	if (neg ? v > 0x80000000ULL : v > 0xffffffffULL)
		return -EINVAL;
	*key = neg ? (int)(-(long long)v) : (int)(uint32_t)v;
	return 0;
}

int sdt_parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long v, mult = 1;
	char *e;

	/* Decimal, or hex with 0x: a leading 0 is not octal here. */
	if (sdt_parse_ull(s, s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10, &v, &e))
		return -EINVAL;
	if (*e) {
		switch (*e) {
		case 'k': case 'K':
			mult = 1ULL << 10;
			break;
		case 'm': case 'M':
			mult = 1ULL << 20;
			break;
		case 'g': case 'G':
			mult = 1ULL << 30;
			break;
		case 'p': case 'P':
			mult = (unsigned long long)sdt_page_size();
			break;
		default:
			return -EINVAL;
		}
		if (e[1])
			return -EINVAL;
	}
	if (v > UINT64_MAX / mult)
		return -EINVAL;
	*bytes = v * mult;
	return 0;
}

int sdt_parse_mode(const char *s, unsigned int *mode)
{
	unsigned long long v;

	if (sdt_parse_ull(s, 8, &v, NULL) || v > 0777)
		return -EINVAL;
	*mode = (unsigned int)v;
	return 0;
}

/*
 * "all", "N", "A-B" (inclusive) or a comma list of them.  With @set NULL
 * only the syntax is checked; otherwise pages must be below @npages
 * (-ERANGE) and @set[page] is set for each.
 */
int sdt_parse_pages(const char *s, uint64_t npages, bool *set)
{
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "all")) {
		if (set)
			memset(set, 1, npages * sizeof(*set));
		return 0;
	}
	for (;;) {
		unsigned long long a, b;
		char *e;

		if (sdt_parse_ull(p, 10, &a, &e))
			return -EINVAL;
		b = a;
		if (*e == '-') {
			if (sdt_parse_ull(e + 1, 10, &b, &e) || b < a)
				return -EINVAL;
		}
		if (*e && *e != ',')
			return -EINVAL;
		if (set) {
			if (b >= npages)
				return -ERANGE;
			for (; a <= b; a++)
				set[a] = true;
		}
		if (!*e)
			return 0;
		p = e + 1;
	}
}
