// SPDX-License-Identifier: GPL-2.0
/*
 * C1 (mmap) and C6 (shmat): attaching populates nothing; the first access
 * to each page takes a page fault.  Two steps per side:
 *  1. attach a fresh object and look before touching anything: mincore()
 *     and what the kernel holds for it (the module's pages_resident, the
 *     SysV rss column of /proc/sysvipc/shm);
 *  2. libshmdemo's shmd_compare(touch): a child writes one byte in each of
 *     N pages and counts its minor faults (getrusage) and, on the device,
 *     the module's write faults.
 * Natively C1 maps a file, C6 attaches a SysV segment; the device is the
 * same on both rows (its attach is mmap()).
 */
#include <errno.h>
#include <unistd.h>

#include "demo.h"

#define TOUCH_PAGES	64

static enum shmd_backend touch_native(const struct demo_result *r)
{
	return r->row == &demo_row_c1 ? SHMD_BACKEND_FILE : SHMD_BACKEND_SYSV;
}

static enum shmd_backend touch_backend(const struct demo_result *r, int side)
{
	return side == DEMO_DEVICE ? SHMD_BACKEND_DEVICE : touch_native(r);
}

/* Step 1: a fresh object, attached, not touched. */
static int touch_attach_look(struct demo_result *r, int side)
{
	struct demo_touch *t = &r->touch[side];
	enum shmd_backend b = touch_backend(r, side);
	struct shmd_open_opts o = {
		.sz = sizeof(o), .backend = b, .size = (uint64_t)TOUCH_PAGES * (uint64_t)r->pagesize,
		.flags = SHMD_CREATE | SHMD_EXCL, .mode = 0600,
	};
	struct shmd_stat st = { .sz = sizeof(st) };
	struct shmd_seg *seg;
	char path[256];
	void *p;
	int ret;

	if (b == SHMD_BACKEND_FILE) {
		demo_tmpname(path, sizeof(path), "touch");
		o.path = path;
	}
	ret = shmd_seg_open(&o, &seg);
	if (ret)
		return ret;
	ret = shmd_attach(seg, NULL, 0, &p);
	if (!ret) {
		t->mincore_after_attach = demo_mincore(p, o.size);
		t->rss_after_attach = -1;
		if (b == SHMD_BACKEND_DEVICE && !shmd_stat(seg, &st))
			t->rss_after_attach = (long)st.counters.pages_resident;
		else if (b == SHMD_BACKEND_SYSV)
			t->rss_after_attach = (long)(demo_sysv_rss(shmd_seg_id(seg)) / r->pagesize);
		char kernel[64] = "";

		if (b != SHMD_BACKEND_FILE)
			snprintf(kernel, sizeof(kernel), "; %s %ld", b == SHMD_BACKEND_DEVICE ?
				 "module pages_resident" : "/proc/sysvipc/shm rss pages",
				 t->rss_after_attach);
		demo_say(r, demo_sec_of(side), "%s of %d pages %s: mincore %ld pages resident%s",
			 b == SHMD_BACKEND_FILE ? "new file" : "new segment", TOUCH_PAGES,
			 b == SHMD_BACKEND_FILE ? "mmap()ed" : b == SHMD_BACKEND_SYSV ?
			 "shmat()ed" : "bound and mmap()ed", t->mincore_after_attach, kernel);
		shmd_detach(p);
	}
	shmd_remove(seg);
	shmd_seg_close(seg);
	return ret;
}

static void touch_take(struct demo_result *r, int side, const struct shmd_run *run, int same)
{
	struct demo_touch *t = &r->touch[side];

	t->measured = 1;
	t->same_outcome = same;
	t->pages = TOUCH_PAGES;
	t->minflt = run->faults.minflt;
	t->write_faults = run->faults.counters.write_faults;
	t->mkwrite = run->faults.counters.mkwrite;
	t->pages_alloc = run->faults.counters.pages_alloc;
	t->resident_after = run->faults.counters.pages_resident;
}

/*
 * Step 2, once for the row: shmd_compare() the device with the native
 * backend when both sides run, else the one backend with itself.
 */
static int touch_compare(struct demo_result *r, int side)
{
	int both = (r->sides & DEMO_SIDES_ALL) == DEMO_SIDES_ALL && demo_dev_present();
	struct shmd_compare_opts o = {
		.sz = sizeof(o), .workload = SHMD_WL_TOUCH,
		.size = (uint64_t)TOUCH_PAGES * (uint64_t)r->pagesize,
		.backends = { touch_backend(r, both ? DEMO_DEVICE : side),
			      touch_backend(r, both ? DEMO_NATIVE : side) },
	};
	struct shmd_compare c = { .sz = sizeof(c) };
	int ret, k;

	if (r->touch[side].measured)
		return 0;
	ret = shmd_compare(&o, &c);
	if (ret)
		return ret;
	for (k = 0; k < 2; k++)
		if (c.run[k].error) {
			ret = c.run[k].error;
			goto out;
		}
	if (both) {
		touch_take(r, DEMO_DEVICE, &c.run[0], c.same_outcome);
		touch_take(r, DEMO_NATIVE, &c.run[1], c.same_outcome);
	} else {
		touch_take(r, side, &c.run[0], c.same_outcome);
	}
	if (both)
		demo_say(r, DEMO_SEC_EVIDENCE, "libshmdemo shmd_compare(touch, %d pages; a child "
			 "writes 1 byte per page): %s minflt %llu, %s minflt %llu; %s", TOUCH_PAGES,
			 shmd_backend_name(c.run[0].backend),
			 (unsigned long long)c.run[0].faults.minflt,
			 shmd_backend_name(c.run[1].backend),
			 (unsigned long long)c.run[1].faults.minflt,
			 c.same_outcome ? "same bytes after" : "DIFFERENT outcome");
	else
		demo_say(r, DEMO_SEC_EVIDENCE, "libshmdemo shmd_compare(touch, %d pages; a child "
			 "writes 1 byte per page), twice on %s: minflt %llu and %llu", TOUCH_PAGES,
			 shmd_backend_name(c.run[0].backend),
			 (unsigned long long)c.run[0].faults.minflt,
			 (unsigned long long)c.run[1].faults.minflt);
out:
	shmd_compare_release(&c);
	return ret;
}

static int touch_run(struct demo_result *r, int side)
{
	struct demo_touch *t = &r->touch[side];
	int ret;

	t->pages = TOUCH_PAGES;
	ret = touch_attach_look(r, side);
	if (ret)
		return demo_fail(r, side, ret, "attach a fresh %s", shmd_backend_name(touch_backend(r, side)));
	ret = touch_compare(r, side);
	if (ret)
		return demo_fail(r, side, ret, "shmd_compare(touch)");
	if (side == DEMO_DEVICE)
		demo_say(r, DEMO_SEC_DEVICE, "a child writes 1 byte in each of %d pages: module "
			 "write_faults %llu, mkwrite %llu, pages_alloc %llu, pages_resident now %llu; "
			 "minflt %llu", TOUCH_PAGES, (unsigned long long)t->write_faults,
			 (unsigned long long)t->mkwrite, (unsigned long long)t->pages_alloc,
			 (unsigned long long)t->resident_after, (unsigned long long)t->minflt);
	else
		demo_say(r, DEMO_SEC_NATIVE, "a child writes 1 byte in each of %d pages: minflt %llu "
			 "(getrusage)", TOUCH_PAGES, (unsigned long long)t->minflt);
	demo_summary(r, side, "%ld resident, %llu %s/%d pages", t->mincore_after_attach,
		     (unsigned long long)(side == DEMO_DEVICE ? t->write_faults : t->minflt),
		     side == DEMO_DEVICE ? "wfaults" : "minflt", TOUCH_PAGES);
	return 0;
}

static void touch_judge(struct demo_result *r, int side)
{
	const struct demo_touch *t = &r->touch[side];
	int none = t->mincore_after_attach == 0 && t->rss_after_attach <= 0;
	int faults = side == DEMO_DEVICE ? t->write_faults == (uint64_t)t->pages :
		     t->minflt >= (uint64_t)t->pages;

	demo_judge(r, side, none && faults,
		   "right after attach mincore showed %ld resident pages (kernel count %ld); "
		   "touching %d pages took %llu minor faults, %llu module write faults",
		   t->mincore_after_attach, t->rss_after_attach, t->pages,
		   (unsigned long long)t->minflt, (unsigned long long)t->write_faults);
}

static void touch_json(const struct demo_result *r, int side, struct sdt_json *j)
{
	const struct demo_touch *t = &r->touch[side];

	sdt_json_string(j, "backend", shmd_backend_name(touch_backend(r, side)));
	sdt_json_int(j, "pages", t->pages);
	sdt_json_int(j, "mincore_after_attach", t->mincore_after_attach);
	sdt_json_int(j, "kernel_pages_after_attach", t->rss_after_attach);
	sdt_json_u64(j, "minflt", t->minflt);
	if (side == DEMO_DEVICE) {
		sdt_json_u64(j, "write_faults", t->write_faults);
		sdt_json_u64(j, "mkwrite", t->mkwrite);
		sdt_json_u64(j, "pages_alloc", t->pages_alloc);
		sdt_json_u64(j, "pages_resident_after", t->resident_after);
	}
}

const struct demo_row demo_row_c1 = {
	.name = "C1",
	.title = "mmap() only reserves address space; the first access to each page faults",
	.claim = "mmap populates nothing; 1 fault/page",
	.article = { "mmap() sets up the mapping but no page table entries: the first access to "
		     "each page takes a page fault", NULL },
	.run = touch_run,
	.judge = touch_judge,
	.json = touch_json,
};

const struct demo_row demo_row_c6 = {
	.name = "C6",
	.title = "shmat() doesn't populate page tables either",
	.claim = "shmat populates nothing; 1 fault/page",
	.article = { "shmat() maps the segment without touching its pages: the first access "
		     "faults, as with mmap()", NULL },
	.run = touch_run,
	.judge = touch_judge,
	.json = touch_json,
};
