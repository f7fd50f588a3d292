/*
 * thpcheck engine, setup: offsets, vmemmap, hugetlb detection; tc_init, tc_run, tc_free.
 * Architecture knowledge lives behind struct tc_arch; no engine file
 * names an architecture.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"

/* ------------------------------------------------------------ setup */

static int need_off(struct tc_ctx *c, long *dst, const char *type,
		    const char *member)
{
	*dst = tc_off(c, type, member);
	if (*dst < 0) {
		snprintf(c->err, sizeof(c->err),
			 "debuginfo lacks %s.%s", type, member);
		return -1;
	}
	return 0;
}

static int resolve_offsets(struct tc_ctx *c)
{
	if (need_off(c, &c->off.task_tasks, "task_struct", "tasks") ||
	    need_off(c, &c->off.task_mm, "task_struct", "mm") ||
	    need_off(c, &c->off.task_pid, "task_struct", "pid") ||
	    need_off(c, &c->off.task_tgid, "task_struct", "tgid") ||
	    need_off(c, &c->off.task_comm, "task_struct", "comm") ||
	    need_off(c, &c->off.mm_pgd, "mm_struct", "pgd") ||
	    need_off(c, &c->off.vma_start, "vm_area_struct", "vm_start") ||
	    need_off(c, &c->off.vma_end, "vm_area_struct", "vm_end") ||
	    need_off(c, &c->off.vma_flags, "vm_area_struct", "vm_flags"))
		return -1;
	/* v6.1 replaced the VMA list by a maple tree (d4af56c5c7c6) */
	c->off.mm_mt = tc_off(c, "mm_struct", "mm_mt");
	c->off.mm_mmap = c->off.vma_next = -1;
	if (c->off.mm_mt < 0) {
		c->off.mm_mmap = tc_off(c, "mm_struct", "mmap");
		c->off.vma_next = tc_off(c, "vm_area_struct", "vm_next");
	}
	if (c->off.mm_mt >= 0) {
		if (need_off(c, &c->off.mt_root, "maple_tree", "ma_root") ||
		    need_off(c, &c->off.mn_slot64, "maple_node", "mr64.slot") ||
		    need_off(c, &c->off.mn_pivot64, "maple_node", "mr64.pivot") ||
		    need_off(c, &c->off.mn_slota, "maple_node", "ma64.slot") ||
		    need_off(c, &c->off.mn_pivota, "maple_node", "ma64.pivot"))
			return -1;
	} else if (c->off.mm_mmap < 0 || c->off.vma_next < 0) {
		snprintf(c->err, sizeof(c->err),
			 "debuginfo has neither mm_struct.mm_mt nor mm_struct.mmap");
		return -1;
	}
	return 0;
}

/* SPARSEMEM_VMEMMAP: struct page of pfn N at vmemmap + N * sizeof(page);
 * s390 and ppc64 keep the base in a variable named vmemmap. */
static void resolve_hugetlb(struct tc_ctx *c)
{
	c->off.page_type = tc_off(c, "page", "page_type");
	c->off.page_compound_dtor = tc_off(c, "page", "compound_dtor");
	c->off.page_compound_head = tc_off(c, "page", "compound_head");
	/* page types live in the top byte; a debugger that reads the
	 * enumerator as a signed char gives 0xf4 as -12 */
	if (c->be->enum_value(c->be->priv, "PGTY_hugetlb", &c->pgty_hugetlb) < 0)
		c->pgty_hugetlb = -1;
	else
		c->pgty_hugetlb &= 0xff;
	if (c->be->enum_value(c->be->priv, "HUGETLB_PAGE_DTOR", &c->hugetlb_dtor) < 0)
		c->hugetlb_dtor = -1;
	/* v6.1's dtor test needs a head page: PG_head of enum pageflags */
	c->off.page_flags = c->hugetlb_dtor >= 0 ? tc_off(c, "page", "flags") : -1;
	if (c->hugetlb_dtor < 0 || c->be->enum_value(c->be->priv, "PG_head", &c->pg_head) < 0 ||
	    c->pg_head < 0 || c->pg_head > 63)
		c->pg_head = -1;
}

static void resolve_vmemmap(struct tc_ctx *c)
{
	uint64_t sym;

	c->page_size_struct = c->be->type_size(c->be->priv, "page");
	if (c->be->symbol(c->be->priv, "vmemmap", &sym) < 0 ||
	    tc_rd64(c, sym, &c->vmemmap) < 0)
		c->vmemmap = 0;
}

uint64_t tc_page_of(const struct tc_ctx *c, uint64_t pa)
{
	if (!c->vmemmap || c->page_size_struct <= 0)
		return 0;
	return c->vmemmap + (pa >> c->page_shift) * (uint64_t)c->page_size_struct;
}

uint64_t tc_pa_of_page(const struct tc_ctx *c, uint64_t page)
{
	if (!c->vmemmap || c->page_size_struct <= 0 || page < c->vmemmap ||
	    (page - c->vmemmap) % (uint64_t)c->page_size_struct)
		return TC_NO_ADDR;
	return (page - c->vmemmap) / (uint64_t)c->page_size_struct << c->page_shift;
}

uint64_t tc_ptlock_of(struct tc_ctx *c, uint64_t pa)
{
	uint64_t page = tc_page_of(c, pa);
	long off = tc_off(c, "page", "ptl");

	if (off < 0)
		off = tc_off(c, "ptdesc", "ptl");
	return page && off >= 0 ? page + (uint64_t)off : 0;
}

int tc_init(struct tc_ctx *c, const struct tc_backend *be,
	    const struct tc_arch *arch, const struct tc_opts *o)
{
	const char *rel;

	memset(c, 0, sizeof(*c));
	c->be = be;
	c->arch = arch;
	c->opts = *o;
	if (!c->opts.out)
		c->opts.out = stdout;
	if (!c->opts.max_tasks)
		c->opts.max_tasks = TC_MAX_TASKS_DEFAULT;
	if (!c->opts.max_findings)
		c->opts.max_findings = TC_MAX_FINDINGS_DEFAULT;
	rel = be->release ? be->release(be->priv) : NULL;
	snprintf(c->release, sizeof(c->release), "%s", rel ? rel : "unknown");
	if (be->symbol(be->priv, "init_task", &c->init_task) < 0 ||
	    be->symbol(be->priv, "init_mm", &c->init_mm) < 0) {
		snprintf(c->err, sizeof(c->err),
			 "symbols init_task/init_mm not found");
		return -1;
	}
	if (resolve_offsets(c) < 0)
		return -1;
	resolve_vmemmap(c);
	resolve_hugetlb(c);
	c->levels = arch->levels;
	c->nlevels = arch->nlevels;
	c->page_shift = 12;		/* an arch with other pages says so */
	return arch->init(c);
}

static int in_scope(const struct tc_ctx *c, const struct tc_mm_stats *m)
{
	int i;

	switch (c->opts.scope) {
	case TC_SCOPE_ALL:
		return 1;
	case TC_SCOPE_KERNEL:
		return m->kernel;
	case TC_SCOPE_USER:
		return !m->kernel;
	case TC_SCOPE_MM:
		return m->mm == c->opts.mm;
	case TC_SCOPE_PID:
		for (i = 0; i < m->npids; i++)
			if (m->pids[i] == c->opts.pid)
				return 1;
		return 0;
	}
	return 0;
}

int tc_run(struct tc_ctx *c)
{
	size_t i, n;
	struct tc_mm_stats *k;
	int l;

	if (eng_collect_mms(c) < 0)
		return -1;
	/* table origins are aligned to the smallest table at least */
	c->seen.gshift = BITSET_REGION_SHIFT - 3;
	for (l = 0; l < c->nlevels; l++)
		while (c->seen.gshift > 3 &&
		       (1u << c->seen.gshift) > c->levels[l].table_bytes)
			c->seen.gshift--;
	k = eng_mm_stats_of(c, c->init_mm);
	if (!k)
		return -1;
	k->kernel = 1;
	snprintf(k->comm, sizeof(k->comm), "[kernel]");
	n = c->nmms;
	for (i = 0; i < n; i++) {
		if (!in_scope(c, &c->mms[i]))
			continue;
		eng_walk_mm(c, &c->mms[i]);
	}
	eng_check_multi_ref(c);
	if (c->arch->check_all)
		c->arch->check_all(c);
	tc_inflight_mm_done(c);		/* the last -v line of the checks */
	if (c->opts.scope == TC_SCOPE_ALL)	/* referrers known in every mm */
		tc_inflight_rcu_tables(c);
	eng_report_not_in_dump(c);
	for (i = 0; i < c->nmms; i++) {
		struct tc_mm_stats *m = &c->mms[i];

		if (!in_scope(c, m))
			continue;
		c->stats.mms++;
		for (l = 0; l < c->nlevels; l++)
			c->stats.tables[l] += m->tables[l];
		c->stats.present_ptes += m->present_ptes;
		c->stats.swap_ptes += m->swap_ptes;
		c->stats.thp_pmds += m->thp_pmds;
		c->stats.hugetlb_pmds += m->hugetlb_pmds;
		c->stats.huge_puds += m->huge_puds;
		c->stats.hugetlb_ptes += m->hugetlb_ptes;
	}
	return 0;
}

void tc_free(struct tc_ctx *c)
{
	free(c->findings.v);
	free(c->cache.data);
	c->cache.data = NULL;
	free(c->mms);
	free(c->multi);
	eng_bitset_free(&c->seen);
	free(c->tabs);
	free(c->vmas);
	tc_inflight_free(c);
	eng_kva_free(c);
	if (c->arch->fini)
		c->arch->fini(c);
	else
		free(c->arch_priv);
	c->findings.v = NULL;
	c->mms = NULL;
	c->multi = NULL;
	c->tabs = NULL;
	c->vmas = NULL;
	c->arch_priv = NULL;
}
