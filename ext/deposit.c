/*
 * The kernel's generic page-table pages, for the architectures whose pte
 * and pmd tables are whole pages with a struct page each (x86_64, arm64):
 *   - a user pmd or pte table is a page table by its struct page
 *     (pgtable_pmd_page_ctor / pagetable_pmd_ctor, pgtable_pte_page_ctor /
 *     pagetable_pte_ctor; v6.1 an inverted PG_table bit, v6.9+ a page type);
 *   - the generic THP deposit list (mm/pgtable-generic.c): pmd_huge_pte of
 *     the pmd table's struct page (split pmd locks, pmd_huge_pte(mm, pmd))
 *     heads a ring of pte-table pages threaded through page->lru, one per
 *     anonymous or huge-zero THP pmd of the table (and per anonymous THP
 *     migration entry, which keeps its deposit), each an empty table.
 * The arch says what a pmd is (struct tc_ptpages.huge_pmd) and which
 * signature a page that is no page table gets.
 */
#include <stdlib.h>
#include <string.h>
#include "tc.h"

/* include/linux/page-flags.h v6.1: page_type holds inverted type bits */
#define PAGE_TYPE_BASE_61	0xf0000000u
#define PG_TABLE_61		0x00000200u
#define PAGE_MAPPING_ANON	0x1ULL
#define DEPOSIT_SKIPPED "the deposit checks of their pmd tables"

int tc_ptpages_init(struct tc_ctx *c, struct tc_ptpages *pp)
{
	pp->pg_type = c->off.page_type;
	if (pp->pg_type < 0)
		pp->pg_type = tc_off(c, "ptdesc", "__page_type");
	pp->pg_lru = tc_off(c, "page", "lru");
	pp->pg_mapping = tc_off(c, "page", "mapping");
	/* struct page first, ptdesc (v6.5+, the same offset) where page
	 * lacks it: a failed type look-up is slow in crash */
	pp->pg_huge_pte = tc_off(c, "page", "pmd_huge_pte");
	if (pp->pg_huge_pte < 0)
		pp->pg_huge_pte = tc_off(c, "ptdesc", "pmd_huge_pte");
	/* v6.12 page_type: one type in the top byte (4ffca5a96678) */
	if (c->be->enum_value(c->be->priv, "PGTY_table", &pp->pgty_table) < 0)
		pp->pgty_table = -1;
	else
		pp->pgty_table &= 0xff;
	/* mm/huge_memory.c: ~0 until the huge zero page is made */
	if (tc_rd_var64(c, "huge_zero_pfn", &pp->huge_zero_pfn) < 0)
		pp->huge_zero_pfn = ~0ULL;
	if (!c->vmemmap || pp->pg_type < 0)
		fprintf(c->opts.verbose ? c->opts.out : stderr, "thpcheck: %s: no vmemmap "
			"or struct page layout: the PG_table and THP deposit checks are skipped\n",
			c->arch->name);
	else if (pp->pg_huge_pte < 0 || pp->pg_lru < 0 || pp->pg_mapping < 0)
		fprintf(c->opts.verbose ? c->opts.out : stderr, "thpcheck: %s: debuginfo "
			"lacks pmd_huge_pte, page.lru or page.mapping: the THP deposit checks "
			"are skipped\n", c->arch->name);
	return 0;
}

/* ------------------------------------------------------------ PG_table */

static int page_word(struct tc_ctx *c, uint64_t pa, long off, uint64_t *v, int bytes)
{
	uint64_t page = tc_page_of(c, pa);
	uint32_t w;

	if (!page || off < 0)
		return -1;
	if (bytes == 4) {
		if (tc_rd32(c, page + (uint64_t)off, &w) < 0)
			return -1;
		*v = w;
		return 0;
	}
	return tc_rd64(c, page + (uint64_t)off, v);
}

/* 1 page table, 0 not, -1 unknown (no struct page or layout, or left out) */
static int is_pgtable(struct tc_ctx *c, const struct tc_ptpages *pp, uint64_t pa)
{
	uint64_t t, before = c->stats.excluded_reads;

	if (page_word(c, pa, pp->pg_type, &t, 4) < 0) {
		tc_not_in_dump(c, before, TC_NID_PAGE, pa,
			       "the PG_table checks of their tables");
		return -1;
	}
	if (pp->pgty_table >= 0)
		return (t >> 24) == (uint64_t)pp->pgty_table;
	return ((uint32_t)t & (PAGE_TYPE_BASE_61 | PG_TABLE_61)) == PAGE_TYPE_BASE_61;
}

static void not_pgtable(struct tc_ctx *c, struct tc_mm_stats *m,
			const struct tc_ptpages *pp, int level, uint64_t pa,
			uint64_t va, const char *what)
{
	uint64_t t = 0;
	/* a page freed and taken again holds other data: one finding for
	 * the page, not one per word */
	size_t folded = tc_fold_entry_findings(c, pa, c->levels[level].table_bytes);
	char more[96] = "";

	page_word(c, pa, pp->pg_type, &t, 4);
	if (folded)
		snprintf(more, sizeof(more), "; %zu findings on its words folded in: "
			 "they are not entries", folded);
	tc_report(c, m, pp->not_pgtable, tc_at_table(level, pa, t, va),
		  "%s %s table whose struct page is not a page table (page_type %#llx)%s",
		  what, c->levels[level].name, (unsigned long long)t, more);
}

static void check_pgtables(struct tc_ctx *c, struct tc_mm_stats *m,
			   const struct tc_ptpages *pp)
{
	size_t i;

	for (i = m->tab_first; i < m->tab_first + m->tab_n; i++) {
		const struct tc_table *t = &c->tabs[i];
		int l = tc_tab_level(t);

		if (l >= c->nlevels - 2 && is_pgtable(c, pp, t->pa) == 0)
			not_pgtable(c, m, pp, l, t->pa, tc_tab_va(c, t), "referenced");
	}
}

/* ------------------------------------------------------------ deposits */

/* is the folio at pa anonymous (page->mapping & PAGE_MAPPING_ANON)?
 * -1 when it cannot be read */
static int frame_is_anon(struct tc_ctx *c, const struct tc_ptpages *pp, uint64_t pa)
{
	uint64_t mapping;

	if (page_word(c, pa, pp->pg_mapping, &mapping, 8) < 0)
		return -1;
	return (mapping & PAGE_MAPPING_ANON) != 0;
}

/*
 * Does this pmd own a deposited table?  zap_huge_pmd() withdraws for
 * anonymous THPs and the huge zero page only (arch_needs_pgtable_deposit()
 * is false but on ppc64): file, shmem, DAX and pfnmap huge pmds have none,
 * hugetlb pmds are not THPs.  An anonymous THP's migration entry keeps
 * its deposit (set_pmd_migration_entry).  *pa: the frame asked about.
 */
static int wants_deposit(struct tc_ctx *c, const struct tc_ptpages *pp,
			 uint64_t va, uint64_t v, uint64_t *pa)
{
	const struct tc_vma *vma = tc_find_vma(c, va);
	int k = pp->huge_pmd(c, v, pa);

	if (k == TC_HUGE_PMD_NO || !vma ||
	    (vma->flags & (TC_VM_HUGETLB | TC_VM_PFNMAP | TC_VM_MIXEDMAP)))
		return 0;
	if (k == TC_HUGE_PMD_LEAF && (*pa >> 12) == pp->huge_zero_pfn)
		return 1;
	return frame_is_anon(c, pp, *pa);
}

struct ring {
	struct tc_ctx *c;
	struct tc_mm_stats *m;
	const struct tc_ptpages *pp;
	uint64_t pmd_pa, pmd_va;
	unsigned n;
	int partial;		/* not read whole: no count check */
};

static void ring_corrupt(struct ring *r, uint64_t where, int idx, uint64_t value,
			 const char *what)
{
	r->partial = 1;
	tc_report(r->c, r->m, TC_SIG(DEPOSIT_LIST_CORRUPT), tc_at_kernel(where, idx, value),
		  "THP deposit ring of pmd table %#llx (va %#llx): %s",
		  (unsigned long long)r->pmd_pa, (unsigned long long)r->pmd_va, what);
}

/* one deposited table: a struct page of vmemmap, no entry references it,
 * a page table by its page_type, every entry none (pte_alloc_one() gave it
 * zeroed, khugepaged clears what it deposits) */
static int check_node(struct ring *r, uint64_t from, uint64_t node, unsigned char *buf)
{
	struct tc_ctx *c = r->c;
	const struct tc_level *pte = &c->levels[c->nlevels - 1];
	uint64_t pa = tc_pa_of_page(c, node), before;
	unsigned i;

	if (pa == TC_NO_ADDR) {
		ring_corrupt(r, from, 0, node, "link is not a struct page's lru");
		return 0;
	}
	if (tc_referrers(c, pa, NULL, 0)) {
		ring_corrupt(r, from, 0, node, "deposited table is also referenced by a pmd");
		return 0;
	}
	before = c->stats.excluded_reads;
	if (tc_read_pa_direct(c, pa, buf, pte->table_bytes) < 0) {
		if (!tc_not_in_dump(c, before, TC_NID_TABLE, pa, DEPOSIT_SKIPPED))
			ring_corrupt(r, from, 0, node, "deposited table is not in the dump");
		r->partial = 1;
		return 0;
	}
	c->stats.deposited++;
	if (c->opts.inventory || c->opts.verbose)
		tc_print_table(c, r->m, c->nlevels - 1, pa, 0, 0, r->pmd_pa);
	if (is_pgtable(c, r->pp, pa) == 0)
		not_pgtable(c, r->m, r->pp, c->nlevels - 1, pa, TC_NO_ADDR, "deposited");
	for (i = 0; i < pte->entries; i++) {
		uint64_t v = tc_load_entry(c, buf + 8 * i);

		if (v != pte->none) {
			tc_report(c, r->m, TC_SIG(DEPOSIT_NOT_EMPTY),
				  tc_at_entry(c->nlevels - 1, pa, (int)i, v, TC_NO_ADDR),
				  "deposited pte table (ring of pmd table %#llx, va %#llx) has a "
				  "non-none entry: splitting that THP hits BUG_ON(!pte_none)",
				  (unsigned long long)r->pmd_pa, (unsigned long long)r->pmd_va);
			break;
		}
	}
	return 1;
}

static void walk_ring(struct ring *r, uint64_t head)
{
	struct tc_ctx *c = r->c;
	const struct tc_level *pte = &c->levels[c->nlevels - 1];
	uint64_t lru = (uint64_t)r->pp->pg_lru, node = head, from = tc_page_of(c, r->pmd_pa);
	uint64_t next, back, before;
	unsigned char *buf = malloc(pte->table_bytes);

	if (!buf) {
		r->partial = 1;
		return;
	}
	do {
		if (!check_node(r, from, node, buf))
			break;
		/* one deposit per pmd of the table, and one more is a cycle */
		if (++r->n > c->levels[c->nlevels - 2].entries) {
			ring_corrupt(r, node + lru, 0, node, "ring does not close (cycle)");
			break;
		}
		before = c->stats.excluded_reads;
		if (tc_rd64(c, node + lru, &next) < 0 || tc_rd64(c, next + 8, &back) < 0) {
			if (!tc_not_in_dump(c, before, TC_NID_PAGE, tc_pa_of_page(c, node),
					    DEPOSIT_SKIPPED))
				ring_corrupt(r, node + lru, 0, 0, "lru.next or its prev unreadable");
			r->partial = 1;
			break;
		}
		/* list_del's check: next->prev must point back here */
		if (back != node + lru) {
			ring_corrupt(r, next + 8, 1, back,
				     "lru.next->prev does not point back (list_del corruption)");
			break;
		}
		from = node + lru;
		node = next - lru;
	} while (node != head);
	free(buf);
}

static void check_deposits(struct tc_ctx *c, struct tc_mm_stats *m,
			   const struct tc_ptpages *pp, const struct tc_table *t)
{
	const struct tc_level *pmd = &c->levels[c->nlevels - 2];
	struct ring r = { c, m, pp, t->pa, tc_tab_va(c, t), 0, 0 };
	unsigned char *pmds = malloc(pmd->table_bytes);
	uint64_t head, pa, before = c->stats.excluded_reads;
	unsigned i, want = 0;
	int w = 0;

	if (!pmds || tc_read_pa_direct(c, t->pa, pmds, pmd->table_bytes) < 0) {
		free(pmds);
		return;		/* the walk read it: out of memory, or reported */
	}
	for (i = 0; i < pmd->entries && w >= 0; i++) {
		w = wants_deposit(c, pp, r.pmd_va + ((uint64_t)i << pmd->shift),
				  tc_load_entry(c, pmds + 8 * i), &pa);
		if (w < 0)
			tc_not_in_dump(c, before, TC_NID_PAGE, pa, DEPOSIT_SKIPPED);
		else
			want += (unsigned)w;
	}
	free(pmds);
	if (w < 0)
		return;
	if (page_word(c, t->pa, pp->pg_huge_pte, &head, 8) < 0) {
		tc_not_in_dump(c, before, TC_NID_PAGE, t->pa, DEPOSIT_SKIPPED);
		return;
	}
	if (head)
		walk_ring(&r, head);
	if (r.partial || r.n == want ||
	    tc_inflight_pmd_update(c, m->mm, t->pa, pp->linear_base + t->pa, pmd->table_bytes,
				   tc_ptlock_of(c, t->pa), r.n, want))
		return;
	tc_report(c, m, TC_SIG(DEPOSIT_COUNT), tc_at_table(c->nlevels - 2, t->pa, r.n, r.pmd_va),
		  "%u deposited pte tables on the ring, %u anonymous THP pmds in the pmd table",
		  r.n, want);
}

void tc_ptpages_check_mm(struct tc_ctx *c, struct tc_mm_stats *m,
			 const struct tc_ptpages *pp)
{
	size_t i;

	if (m->kernel || !c->vmemmap || pp->pg_type < 0)
		return;		/* no struct pages: said once by tc_ptpages_init() */
	check_pgtables(c, m, pp);
	/* layouts missing: said once; VMA tree unreadable: LIST_CORRUPT */
	if (pp->pg_huge_pte < 0 || pp->pg_lru < 0 || pp->pg_mapping < 0 || !c->vmas_known)
		return;
	for (i = m->tab_first; i < m->tab_first + m->tab_n; i++)
		if (tc_tab_level(&c->tabs[i]) == c->nlevels - 2)
			check_deposits(c, m, pp, &c->tabs[i]);
}
