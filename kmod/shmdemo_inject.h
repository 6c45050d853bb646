/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deliberate bugs, to prove the debug kernel's detectors fire on this
 * module (make check-debug).  They exist only in a module built with
 * SHMDEMO_INJECT_BUGS=y (tools/build-kmod ... SHMDEMO_INJECT_BUGS=y),
 * behind the inject_bug parameter, which defaults to 0 (none).  A normal
 * build has neither the parameter nor any of the code: shmdemo_inject()
 * is constant false there.
 */
#ifndef _SHMDEMO_INJECT_H
#define _SHMDEMO_INJECT_H

#include <linux/compiler.h>
#include <linux/types.h>

enum shmdemo_bug {
	SHMDEMO_BUG_NONE,
	SHMDEMO_BUG_USE_AFTER_FREE,	/* KASAN: a segment read after kfree() */
	SHMDEMO_BUG_LOCK_ORDER,		/* lockdep: ids_lock -> invalidate_lock */
	SHMDEMO_BUG_LEAK,		/* kmemleak: an allocation per GET, dropped */
};

#ifdef SHMDEMO_INJECT_BUGS
extern int shmdemo_inject_bug;

static inline bool shmdemo_inject(enum shmdemo_bug bug)
{
	return READ_ONCE(shmdemo_inject_bug) == bug;
}
#else
static inline bool shmdemo_inject(enum shmdemo_bug bug)
{
	return false;
}
#endif

#endif /* _SHMDEMO_INJECT_H */
