/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The article's record, shared by the tool (write-people, read-people) and
 * the demo (E1, E2, E4): struct people { char name[4]; int age; }, 8 bytes.
 * Record i is what the article writes: name "b" + i, age 20 + i; past the
 * article's ten, names go "b".."z" then "b1".."z99".
 */
#ifndef SHMDEMO_PEOPLE_H
#define SHMDEMO_PEOPLE_H

#include <stdbool.h>

struct people {
	char name[4];
	int age;
};

_Static_assert(sizeof(struct people) == 8, "the article's record is 8 bytes");

#define PEOPLE_MAX	(25 * 100)	/* distinct names */

/* Record @i, written field by field (the segment may be watched by others). */
static inline void people_make(volatile struct people *p, unsigned int i)
{
	unsigned int n = i / 25 % 100;

	p->name[0] = (char)('b' + i % 25);
	p->name[1] = (char)(i >= 25 && n >= 10 ? '0' + n / 10 : i >= 25 ? '0' + n : '\0');
	p->name[2] = (char)(i >= 25 && n >= 10 ? '0' + n % 10 : '\0');
	p->name[3] = '\0';
	p->age = 20 + (int)i;
}

/* @p holds record @i exactly. */
static inline bool people_ok(const volatile struct people *p, unsigned int i)
{
	struct people want;

	people_make(&want, i);
	return p->name[0] == want.name[0] && p->name[1] == want.name[1] &&
	       p->name[2] == want.name[2] && p->name[3] == want.name[3] && p->age == want.age;
}

/* Every byte of @p is zero (a record that was never written, or was lost). */
static inline bool people_zero(const volatile struct people *p)
{
	return !p->name[0] && !p->name[1] && !p->name[2] && !p->name[3] && !p->age;
}

#endif /* SHMDEMO_PEOPLE_H */
