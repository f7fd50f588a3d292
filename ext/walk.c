/*
 * thpcheck engine, the walk of one mm's tables, its leaf and VMA checks.
 * Architecture knowledge lives behind struct tc_arch; no engine file
 * names an architecture.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"

/* ------------------------------------------------------------ walk */

struct walk {
	struct tc_ctx *c;
	struct tc_mm_stats *m;	/* the mm whose tables these are */
	unsigned top_first, top_end;	/* the top table's entries walked */
	unsigned char *buf[8];	/* one table buffer per level */
	size_t tab[8];		/* index in c->tabs of the table per level */
};

static size_t note_table(struct tc_ctx *c, uint64_t pa, int lvl,
			 uint64_t entry_pa)
{
	struct tc_table *t;

	if (tc_grow((void **)&c->tabs, &c->captabs, c->ntabs, sizeof(*c->tabs)) < 0)
		return SIZE_MAX;
	t = &c->tabs[c->ntabs];
	t->pa = pa;
	t->ref = (uint64_t)(lvl & 7) << 48;
	if (entry_pa == TC_NO_ADDR || entry_pa >> 51)
		t->ref |= TC_REF_TOP;
	else
		t->ref |= entry_pa >> 3;
	return c->ntabs++;
}

static void walk_table(struct walk *w, int lvl, uint64_t pa, uint64_t va0,
		       uint64_t entry_pa);

void tc_print_table(struct tc_ctx *c, const struct tc_mm_stats *m, int lvl,
		    uint64_t pa, uint64_t va0, unsigned used, uint64_t ring)
{
	const struct tc_level *L = &c->levels[lvl];
	FILE *f = c->opts.out;

	if (c->opts.inventory) {
		uint64_t page = tc_page_of(c, pa), page_pa = 0;
		int known = page && tc_kva_to_pa(c, page, &page_pa) == 0;

		fprintf(f, "{\"pa\":\"0x%llx\",\"level\":\"%s\",\"mm\":\"0x%llx\","
			"\"pid\":%d,\"va\":\"0x%llx\",\"used\":%u,"
			"\"page\":\"0x%llx\",\"page_pa\":",
			(unsigned long long)pa, L->name,
			(unsigned long long)m->mm, m->npids ? m->pids[0] : -1,
			(unsigned long long)va0, used, (unsigned long long)page);
		if (known)
			fprintf(f, "\"0x%llx\"", (unsigned long long)page_pa);
		else
			fprintf(f, "null");
		if (ring)
			fprintf(f, ",\"deposited_on\":\"0x%llx\"",
				(unsigned long long)ring);
		fprintf(f, "}\n");
	}
	if (c->opts.verbose)
		fprintf(f, "  %-4s %-3s table %#14llx  va %#18llx  %4u/%-4u used%s\n",
			L->name, L->hw, (unsigned long long)pa,
			(unsigned long long)va0, used, L->entries,
			ring ? "  (deposited)" : "");
}

static int is_last_level(const struct tc_ctx *c, int lvl)
{
	return lvl == c->nlevels - 1;
}

/*
 * Is the frame of a large leaf a hugetlb folio?  1 or 0 from its struct
 * page, -1 when the dump cannot tell (no struct page, no layout): the VMA
 * decides then.  The page says it even when the VMA is already gone
 * (munmap in flight), where the VMA flags cannot.
 *   v6.1:  folio_test_hugetlb(): page[1].compound_dtor == HUGETLB_PAGE_DTOR
 *   v6.9+: a page type, page_type >> 24 == PGTY_hugetlb
 *          (d99e3140a4d3 "mm: turn folio_test_hugetlb into a PageType")
 */
static int frame_is_hugetlb(struct tc_ctx *c, uint64_t pa)
{
	uint64_t page = tc_page_of(c, pa), head;
	uint32_t w;
	unsigned char dtor;

	if (!page)
		return -1;
	/* a leaf inside a larger folio (arm64's 32 MiB CONT-PMD hugetlb:
	 * 16 pmds, 15 of them on tail pages) asks its head:
	 * compound_head() is page->compound_head - 1 when bit 0 is set
	 * (include/linux/page-flags.h) */
	if (c->off.page_compound_head >= 0) {
		if (tc_rd64(c, page + (uint64_t)c->off.page_compound_head, &head) < 0)
			return -1;
		if (head & 1)
			page = head - 1;
	}
	if (c->pgty_hugetlb >= 0 && c->off.page_type >= 0) {
		if (tc_rd32(c, page + c->off.page_type, &w) < 0)
			return -1;
		return (w >> 24) == (uint32_t)c->pgty_hugetlb;
	}
	if (c->hugetlb_dtor >= 0 && c->off.page_compound_dtor >= 0) {
		/* page[1] of a page that heads no folio is another page,
		 * whose byte there means nothing: PG_head first */
		uint64_t flags;

		if (c->pg_head >= 0 && c->off.page_flags >= 0) {
			if (tc_rd64(c, page + (uint64_t)c->off.page_flags, &flags) < 0)
				return -1;
			if (!(flags >> c->pg_head & 1))
				return 0;
		}
		if (tc_read_kv(c, page + c->page_size_struct + c->off.page_compound_dtor,
			       &dtor, 1) < 0)
			return -1;
		return dtor == c->hugetlb_dtor;
	}
	return -1;
}

/* A large leaf above the pte level: THP or hugetlb, told apart by the
 * struct page, else by the VMA. */
static int check_large_leaf(struct tc_ctx *c, struct tc_mm_stats *m, int lvl,
			    uint64_t va, uint64_t size, uint64_t pa, int idx,
			    uint64_t v, const struct tc_entry *e)
{
	const struct tc_vma *vma;
	int thp = 0, hugetlb;

	if (m->kernel || !c->vmas_known)
		return 0;
	vma = tc_find_vma(c, va);
	hugetlb = frame_is_hugetlb(c, e->pa);
	if (hugetlb < 0)
		hugetlb = vma && (vma->flags & TC_VM_HUGETLB);
	if (hugetlb) {
		if (lvl == c->nlevels - 2)
			m->hugetlb_pmds++;
		else
			m->huge_puds++;
	} else if (lvl == c->nlevels - 2) {
		m->thp_pmds++;
		thp = 1;
		/* vma_adjust_trans_huge() splits a huge pmd that a VMA
		 * boundary would cut, so a THP always lies inside one VMA
		 * (mm/huge_memory.c, v4.5+). */
		if (!vma || vma->start > va || vma->end < va + size) {
			if (!tc_inflight_mapping(c, m, va, size, vma))
				tc_report(c, m, TC_SIG(THP_IN_BAD_VMA),
					  tc_at_entry(lvl, pa, idx, v, va),
					  vma ? "THP %#llx-%#llx crosses VMA %#llx-%#llx" :
					  "THP %#llx-%#llx lies outside every VMA",
					  (unsigned long long)va,
					  (unsigned long long)(va + size),
					  (unsigned long long)(vma ? vma->start : 0),
					  (unsigned long long)(vma ? vma->end : 0));
		} else if (vma->flags & (TC_VM_PFNMAP | TC_VM_IO))
			tc_report(c, m, TC_SIG(THP_IN_BAD_VMA),
				  tc_at_entry(lvl, pa, idx, v, va),
				  "THP in a VM_PFNMAP/VM_IO VMA (flags %#llx)",
				  (unsigned long long)vma->flags);
	} else {
		m->huge_puds++;
	}
	if (vma && (e->flags & TC_E_WRITE) && !(vma->flags & TC_VM_WRITE) &&
	    !tc_inflight_mapping(c, m, va, size, vma))
		tc_report(c, m, TC_SIG(PTE_WRITE_IN_READONLY_VMA),
			  tc_at_entry(lvl, pa, idx, v, va),
			  "writable large entry in VMA %#llx-%#llx without VM_WRITE (flags %#llx)",
			  (unsigned long long)vma->start,
			  (unsigned long long)vma->end,
			  (unsigned long long)vma->flags);
	return thp;
}

/*
 * One munmap in flight leaves up to a table of present ptes outside every
 * VMA: consecutive ones of one table are one finding with a count.
 */
static int extend_outside_run(struct tc_ctx *c, const struct tc_mm_stats *m,
			      uint64_t va, uint64_t pa)
{
	struct tc_finding *f;
	uint64_t page = 1ULL << c->page_shift;

	if (!c->findings.n)
		return 0;
	f = &c->findings.v[c->findings.n - 1];
	if (f->sig != TC_SIG(PTE_OUTSIDE_VMA) || f->table_pa != pa ||
	    f->mm != m->mm || f->va + f->count * page != va)
		return 0;
	f->count++;
	snprintf(f->detail, sizeof(f->detail),
		 "%llu present ptes at %#llx-%#llx, which no VMA covers",
		 (unsigned long long)f->count, (unsigned long long)f->va,
		 (unsigned long long)(va + page));
	return 1;
}

static void check_pte_leaf(struct tc_ctx *c, struct tc_mm_stats *m, int lvl,
			   uint64_t va, uint64_t pa, int idx, uint64_t v,
			   const struct tc_entry *e)
{
	const struct tc_vma *vma = m->kernel || !c->vmas_known ? NULL : tc_find_vma(c, va);
	uint64_t page = 1ULL << c->page_shift;

	/* a hugetlb page mapped by ptes (arm64's 64 KiB CONT-PTE size):
	 * hugetlb, never Rss (mm/hugetlb.c keeps its own counter) */
	if (vma && (vma->flags & TC_VM_HUGETLB))
		m->hugetlb_ptes++;
	else
		m->present_ptes++;
	if (e->flags & TC_E_SPECIAL)
		m->special_ptes++;
	if (m->kernel || !c->vmas_known)
		return;
	if (!vma) {
		if (tc_inflight_mapping(c, m, va, page, NULL) || extend_outside_run(c, m, va, pa))
			return;
		tc_report(c, m, TC_SIG(PTE_OUTSIDE_VMA),
			  tc_at_entry(lvl, pa, idx, v, va),
			  "present pte at %#llx, which no VMA covers",
			  (unsigned long long)va);
		return;
	}
	if ((e->flags & TC_E_WRITE) && !(vma->flags & TC_VM_WRITE) &&
	    !tc_inflight_mapping(c, m, va, page, vma))
		tc_report(c, m, TC_SIG(PTE_WRITE_IN_READONLY_VMA),
			  tc_at_entry(lvl, pa, idx, v, va),
			  "writable pte in VMA %#llx-%#llx without VM_WRITE (flags %#llx)",
			  (unsigned long long)vma->start,
			  (unsigned long long)vma->end,
			  (unsigned long long)vma->flags);
}

static void visit_entry(struct walk *w, int lvl, uint64_t table_pa, int idx,
			uint64_t v, uint64_t va, const struct tc_entry *e)
{
	struct tc_ctx *c = w->c;
	const struct tc_level *L = &c->levels[lvl];

	switch (e->kind) {
	case TC_NONE:
		break;
	case TC_TABLE:
		if (is_last_level(c, lvl)) {
			tc_report(c, w->m, TC_SIG(READ_ERROR),
				  tc_at_entry(lvl, table_pa, idx, v, va),
				  "decoder returned a table at the last level");
			break;
		}
		walk_table(w, lvl + 1, e->pa, va, table_pa + 8ULL * (unsigned)idx);
		break;
	case TC_LEAF:
		if (c->opts.leaves && !w->m->kernel)
			fprintf(c->opts.out, "{\"pid\":%d,\"va\":\"0x%llx\","
				"\"pa\":\"0x%llx\",\"size\":%llu}\n",
				w->m->npids ? w->m->pids[0] : -1,
				(unsigned long long)va, (unsigned long long)e->pa,
				1ULL << L->shift);
		if (is_last_level(c, lvl))
			check_pte_leaf(c, w->m, lvl, va, table_pa, idx, v, e);
		else if (check_large_leaf(c, w->m, lvl, va, 1ULL << L->shift,
					  table_pa, idx, v, e) &&
			 w->tab[lvl] != SIZE_MAX &&
			 tc_tab_thp(&c->tabs[w->tab[lvl]]) < TC_REF_THP_MAX)
			c->tabs[w->tab[lvl]].ref += TC_REF_THP1;
		break;
	case TC_SWAP:
		if (is_last_level(c, lvl))
			w->m->swap_ptes++;
		break;
	case TC_ILLEGAL:
		tc_report(c, w->m, e->sig,
			  tc_at_entry(lvl, table_pa, idx, v, va), "%s", e->why);
		break;
	}
}

static unsigned count_used(struct tc_ctx *c, const struct tc_mm_stats *m,
			   int lvl, const unsigned char *buf,
			   uint64_t va0)
{
	const struct tc_level *L = &c->levels[lvl];
	unsigned i, used = 0;

	for (i = 0; i < L->entries; i++) {
		struct tc_entry e;

		c->arch->decode(c, m, lvl, va0 + ((uint64_t)i << L->shift),
				tc_load_entry(c, buf + 8 * i), &e);
		used += e.kind != TC_NONE;
	}
	return used;
}

static void walk_table(struct walk *w, int lvl, uint64_t pa, uint64_t va0,
		       uint64_t entry_pa)
{
	struct tc_ctx *c = w->c;
	const struct tc_level *L = &c->levels[lvl];
	unsigned char *buf = w->buf[lvl];
	uint64_t before = c->stats.excluded_reads;
	unsigned i, i0 = 0, i1 = L->entries;

	if (entry_pa == TC_NO_ADDR) {
		i0 = w->top_first;
		i1 = w->top_end;
	}
	if (tc_read_pa_direct(c, pa, buf, L->table_bytes) < 0) {
		if (tc_not_in_dump(c, before, TC_NID_TABLE, pa,
				   "the entries of those tables and the tables below them"))
			return;
		c->stats.read_errors++;
		tc_report(c, w->m, TC_SIG(READ_ERROR), tc_at_table(lvl, pa, 0, va0),
			  "%s table at %#llx is not in the dump",
			  L->name, (unsigned long long)pa);
		return;
	}
	w->m->tables[lvl]++;
	c->stats.entries += i1 - i0;
	w->tab[lvl] = note_table(c, pa, lvl, entry_pa);
	/* listed before its children, so -v reads top-down */
	if (c->opts.inventory || c->opts.verbose)
		tc_print_table(c, w->m, lvl, pa, va0,
			       count_used(c, w->m, lvl, buf, va0), 0);
	for (i = i0; i < i1; i++) {
		uint64_t v = tc_load_entry(c, buf + 8 * i);
		uint64_t va = va0 + ((uint64_t)i << L->shift);
		struct tc_entry e;

		if (v == L->none) {
			if (is_last_level(c, lvl))
				w->m->none_ptes++;
			continue;
		}
		c->arch->decode(c, w->m, lvl, va, v, &e);
		if (e.kind == TC_NONE) {
			if (is_last_level(c, lvl))
				w->m->none_ptes++;
			continue;
		}
		/* children use the deeper buffers; buf stays valid */
		visit_entry(w, lvl, pa, (int)i, v, va, &e);
	}
}


void eng_walk_mm(struct tc_ctx *c, struct tc_mm_stats *m)
{
	struct walk w;
	struct tc_top top = { 0 };
	uint64_t before;
	int i;

	c->vmas_known = 0;
	c->nvmas = 0;
	if (!m->kernel && tc_load_vmas(c, m) == 0)
		c->vmas_known = 1;
	m->vmas = c->nvmas;
	before = c->stats.excluded_reads;
	if (c->arch->mm_top(c, m->kernel ? 0 : m->mm, &top) < 0) {
		if (!tc_not_in_dump(c, before, TC_NID_KERNEL, m->mm,
				    "the page tables of their mms"))
			tc_report(c, m, TC_SIG(READ_ERROR), tc_at_none(0),
				  "cannot find the top page table of mm %#llx: %s",
				  (unsigned long long)m->mm, c->err);
		return;
	}
	memset(&w, 0, sizeof(w));
	w.c = c;
	w.m = m;
	w.top_first = top.count ? top.first : 0;
	w.top_end = top.count ? top.first + top.count : c->levels[top.level].entries;
	for (i = 0; i < c->nlevels; i++) {
		w.buf[i] = malloc(c->levels[i].table_bytes);
		if (!w.buf[i]) {
			/* the mm's walk is skipped: say so where the findings are */
			tc_report(c, m, TC_SIG(READ_ERROR), tc_at_none(0),
				  "out of memory for the table buffers: the tables of mm %#llx "
				  "were not walked", (unsigned long long)m->mm);
			goto out;
		}
	}
	m->tab_first = c->ntabs;
	m->top_va = top.va_base;
	walk_table(&w, top.level, top.table_pa, top.va_base, TC_NO_ADDR);
	m->tab_n = c->ntabs - m->tab_first;
	eng_sort_tables(c->tabs + m->tab_first, m->tab_n);
	eng_note_seen(c, m);
	if (c->arch->check_mm)
		c->arch->check_mm(c, m);
	tc_inflight_mm_done(c);
out:
	for (i = 0; i < c->nlevels; i++)
		free(w.buf[i]);
}
