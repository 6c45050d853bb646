// SPDX-License-Identifier: GPL-2.0
/*
 * E2 (M2): parent and child.  The parent maps 10 records shared before
 * fork(): natively MAP_SHARED|MAP_ANONYMOUS, on the device a segment.  The
 * parent writes 5 records, the child reads ages 20..24 and sets record 0's
 * age to 100, the parent reads 100.  Pipes replace the article's sleeps.
 * Evidence: the page's PFN in both processes (root), and on the device what
 * the child's first touch cost the module (a read fault served from its
 * page cache: nothing allocated) and the page's mapcount while both map it.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "demo.h"

#define E2_MAP	(DEMO_RECORDS * sizeof(struct people))

struct e2_rep {
	int ages[5];
	uint64_t minflt;
	uint64_t pfn;
};

static int e2_child(struct demo_chan *ch, void *arg)
{
	struct people *base = arg;
	volatile struct people *p = base;
	struct e2_rep rep = { 0 };
	uint64_t m0;
	int i;

	if (demo_chan_wait(ch))		/* the parent has written */
		return 1;
	m0 = demo_minflt();
	for (i = 0; i < 5; i++)
		rep.ages[i] = p[i].age;
	rep.minflt = demo_minflt() - m0;
	rep.pfn = demo_pfn(base);
	p[0].age = 100;
	if (demo_chan_send(ch, &rep, sizeof(rep)) || demo_chan_wait(ch))
		return 1;
	munmap(base, E2_MAP);
	return 0;
}

/* The shared mapping, made before fork(); 0 or -errno. */
static int e2_map(int side, int *idp, struct people **pp)
{
	void *p;
	int fd;

	*idp = -1;
	if (side == DEMO_NATIVE) {
		p = mmap(NULL, E2_MAP, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	} else {
		int id = demo_dev_create(SHMDEMO_KEY_PRIVATE, E2_MAP, 0600);

		if (id < 0)
			return id;
		*idp = id;	/* the caller removes it if the rest fails */
		fd = demo_dev_open_bound(id, -1);
		if (fd < 0)
			return fd;
		p = mmap(NULL, E2_MAP, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);	/* the mapping keeps the segment */
	}
	if (p == MAP_FAILED)
		return errno ? -errno : -ENOMEM;
	*pp = p;
	return 0;
}

static int e2_run(struct demo_result *r, int side)
{
	struct demo_e2 *e = &r->e2[side];
	enum demo_sec sec = demo_sec_of(side);
	struct shmdemo_stat st0 = { 0 }, st1 = { 0 };
	struct e2_rep rep;
	struct demo_child c;
	struct people *p = NULL;
	int i, id, ret;
	long pg;

	ret = e2_map(side, &id, &p);
	if (ret) {
		if (id >= 0)
			demo_dev_rmid(id);
		return demo_fail(r, side, ret, "map");
	}
	ret = demo_child_start(&c, e2_child, p);
	if (ret)
		goto out;
	for (i = 0; i < 5; i++)		/* the parent writes after fork() */
		people_make(&p[i], i);
	e->pfn_parent = demo_pfn(p);
	if (side == DEMO_DEVICE)
		demo_dev_stat(id, &st0);
	ret = demo_child_go(&c);
	if (!ret)
		ret = demo_child_recv(&c, &rep, sizeof(rep));
	if (!ret && side == DEMO_DEVICE) {
		demo_dev_stat(id, &st1);
		demo_counters_delta(&e->child, &st0.counters, &st1.counters);
		pg = demo_dev_page(id, 0);
		e->mapcount = pg < 0 ? 0 : SHMDEMO_PAGE_MAPCOUNT((uint32_t)pg);
	}
	if (!ret)
		ret = demo_child_go(&c);
	if (demo_child_wait(&c) && !ret)
		ret = -ECHILD;
	if (ret)
		goto out;
	memcpy(e->child_ages, rep.ages, sizeof(rep.ages));
	e->nchild = 5;
	e->child_minflt = rep.minflt;
	e->pfn_child = rep.pfn;
	e->parent_age = p[0].age;	/* after the child exited */

	demo_say(r, sec, side == DEMO_NATIVE ?
		 "mmap(MAP_SHARED|MAP_ANONYMOUS, 80 bytes), fork(); the parent writes 5 records" :
		 "segment id %d of 80 bytes mapped before fork(); the parent writes 5 records", id);
	for (i = 0; i < 5; i++)
		demo_say(r, sec, "  child read: the %d people's age is %d", i, e->child_ages[i]);
	demo_say(r, sec, "  parent read: the first people's age is %d", e->parent_age);
	if (e->pfn_parent && e->pfn_child)
		demo_say(r, DEMO_SEC_EVIDENCE, "%s: /proc/self/pagemap PFN parent 0x%llx, child 0x%llx"
			 " - %s", demo_side_name(side), (unsigned long long)e->pfn_parent,
			 (unsigned long long)e->pfn_child,
			 e->pfn_parent == e->pfn_child ? "one physical page" : "DIFFERENT pages");
	else
		demo_say(r, DEMO_SEC_EVIDENCE, "%s: PFNs hidden (reading them needs root)",
			 demo_side_name(side));
	if (side == DEMO_DEVICE)
		demo_say(r, DEMO_SEC_EVIDENCE, "device: the child's first read: module read_faults "
			 "+%llu, fault-around pages +%llu, pages_alloc +%llu (served from the page "
			 "cache); mapcount %u while both map it; child minflt %llu",
			 (unsigned long long)e->child.read_faults,
			 (unsigned long long)e->child.around_pages,
			 (unsigned long long)e->child.pages_alloc, e->mapcount,
			 (unsigned long long)e->child_minflt);
	demo_summary(r, side, "child %d..%d, parent %d", e->child_ages[0], e->child_ages[4],
		     e->parent_age);
out:
	munmap(p, E2_MAP);
	if (id >= 0)
		demo_dev_rmid(id);
	return ret ? demo_fail(r, side, ret, "E2 %s", demo_side_name(side)) : 0;
}

static void e2_judge(struct demo_result *r, int side)
{
	const struct demo_e2 *e = &r->e2[side];
	int ages = 1, i;
	int pfn_ok = !e->pfn_parent || !e->pfn_child || e->pfn_parent == e->pfn_child;

	for (i = 0; i < 5; i++)
		ages &= e->child_ages[i] == 20 + i;
	demo_judge(r, side, ages && e->parent_age == 100 && pfn_ok,
		   "the child read ages %d,%d,%d,%d,%d and the parent then read %d; PFN parent "
		   "0x%llx child 0x%llx", e->child_ages[0], e->child_ages[1], e->child_ages[2],
		   e->child_ages[3], e->child_ages[4], e->parent_age,
		   (unsigned long long)e->pfn_parent, (unsigned long long)e->pfn_child);
}

static void e2_json(const struct demo_result *r, int side, struct sdt_json *j)
{
	const struct demo_e2 *e = &r->e2[side];

	sdt_json_ints(j, "child_ages", e->child_ages, (size_t)e->nchild);
	sdt_json_int(j, "parent_age", e->parent_age);
	sdt_json_u64(j, "pfn_parent", e->pfn_parent);
	sdt_json_u64(j, "pfn_child", e->pfn_child);
	sdt_json_u64(j, "child_minflt", e->child_minflt);
	if (side == DEMO_DEVICE) {
		sdt_json_int(j, "mapcount", e->mapcount);
		demo_json_counters(j, "child_counters", &e->child);
	}
}

const struct demo_row demo_row_e2 = {
	.name = "E2",
	.title = "parent and child share one mapping made before fork() (M2)",
	.claim = "child sees parent's writes, and back",
	.article = { "the child reads ages 20..24 the parent wrote and sets record 0 to 100; the "
		     "parent reads 100:",
		     "the child shares the same pages, not a copy" },
	.run = e2_run,
	.judge = e2_judge,
	.json = e2_json,
};
