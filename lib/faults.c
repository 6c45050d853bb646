// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fault accounting around a workload: the process's minor/major faults
 * (getrusage) and, for the device, the module's own per-segment counters.
 */
#include <sys/resource.h>

#include "internal.h"

static int shmd_faults_now(struct shmd_seg *seg, struct shmd_faults *f)
{
	struct shmd_stat st = { .sz = sizeof(st) };
	struct rusage ru;
	int ret;

	if (getrusage(RUSAGE_SELF, &ru))
		return -errno;
	f->minflt = (uint64_t)ru.ru_minflt;
	f->majflt = (uint64_t)ru.ru_majflt;
	f->has_counters = 0;
	memset(&f->counters, 0, sizeof(f->counters));
	if (seg && seg->backend == SHMD_BACKEND_DEVICE) {
		ret = shmd_stat(seg, &st);
		if (ret)
			return ret;
		f->counters = st.counters;
		f->has_counters = 1;
	}
	return 0;
}

/* An output struct: the caller's must hold all of ours. */
static int shmd_faults_check(const struct shmd_faults *f)
{
	if (!f || f->sz < sizeof(*f))
		return -EINVAL;
	return shmd_check_opts(f, f->sz, sizeof(*f));
}

int shmd_faults_begin(struct shmd_seg *seg, struct shmd_faults *f)
{
	int ret = shmd_faults_check(f);

	return ret ? ret : shmd_faults_now(seg, f);
}

#define SHMD_DELTA(field) (now.field - f->field)

int shmd_faults_end(struct shmd_seg *seg, struct shmd_faults *f)
{
	struct shmd_faults now = { .sz = sizeof(now) };
	int ret = shmd_faults_check(f);

	if (ret)
		return ret;
	ret = shmd_faults_now(seg, &now);
	if (ret)
		return ret;
	f->minflt = SHMD_DELTA(minflt);
	f->majflt = SHMD_DELTA(majflt);
	f->counters.read_faults = SHMD_DELTA(counters.read_faults);
	f->counters.write_faults = SHMD_DELTA(counters.write_faults);
	f->counters.cow_faults = SHMD_DELTA(counters.cow_faults);
	f->counters.mkwrite = SHMD_DELTA(counters.mkwrite);
	f->counters.around_pages = SHMD_DELTA(counters.around_pages);
	f->counters.pages_alloc = SHMD_DELTA(counters.pages_alloc);
	/* Gauges, not events: report the level now. */
	f->counters.pages_resident = now.counters.pages_resident;
	f->counters.pages_dirty = now.counters.pages_dirty;
	f->has_counters = now.has_counters;
	return 0;
}
