/*
 * arm64 checks after each mm's walk:
 *   - contiguous runs: PTE_CONT (level 3) and PMD_SECT_CONT (level 2)
 *     tell the TLB that 16 aligned entries map 16 consecutive frames
 *     with the same attributes, so it may cache them as one; a run whose
 *     entries disagree is a TLB conflict (the architecture's "misprogramming
 *     of the contiguous hint").  Linux writes whole runs: hugetlb of
 *     CONT_PTE_SIZE / CONT_PMD_SIZE (arch/arm64/mm/hugetlbpage.c
 *     set_huge_pte_at, every entry of the run), the kernel's own maps
 *     (mmu.c alloc_init_cont_pte/pmd), v6.9+ contpte folds of large
 *     folios (arch/arm64/mm/contpte.c: only a run of one folio with one
 *     pgprot is folded; any change to one entry unfolds all 16 first).
 *     The hardware sets AF and clears RDONLY under DBM in the entry it
 *     used (huge_ptep_get() and contpte_ptep_get() OR them over the run),
 *     and PTE_DIRTY follows: those may differ.  A run broken otherwise is
 *     what the pre-fix try_to_unmap_one() left, unmapping one pte of a
 *     CONT-PTE hugetlb page with ptep_clear_flush() (docs/signatures.md,
 *     ARM64_CONT_RUN_BROKEN);
 *   - its pte and pmd tables are page tables by their struct page, and
 *     the generic THP deposit list holds what it should (deposit.c).
 */
#include <stdlib.h>
#include <string.h>
#include "arm64.h"

/* bits the hardware (AF, DBM's RDONLY) or the kernel's dirty tracking
 * changes in one entry of a run */
#define RUN_MAY_DIFFER	(A64_AF | A64_DIRTY | A64_RDONLY)

/* a pmd as the generic deposit checks ask (deposit.c) */
static enum tc_huge_pmd arm64_huge_pmd(const struct tc_ctx *c, uint64_t v, uint64_t *pa)
{
	const struct arm64_priv *p = c->arch_priv;

	if (!v || (v & 3) == 3 || (v & A64_SPECIAL))
		return TC_HUGE_PMD_NO;		/* none, a table, pmd_special */
	if ((v & A64_VALID) || arm64_present_invalid(p, A64_PMD, v)) {
		*pa = arm64_frame(v, A64_PMD);
		return TC_HUGE_PMD_LEAF;
	}
	*pa = arm64_swap_offset(p, v) << 12;	/* a migration entry: the pfn */
	return TC_HUGE_PMD_SWAP;
}

int arm64_pages_init(struct tc_ctx *c, struct arm64_priv *p)
{
	p->pages.huge_pmd = arm64_huge_pmd;
	p->pages.not_pgtable = TC_SIG(ARM64_TABLE_NOT_PGTABLE);
	/* __va(0): (0 - PHYS_OFFSET) | PAGE_OFFSET, wrapping */
	p->pages.linear_base = p->page_offset - p->phys_offset;
	return tc_ptpages_init(c, &p->pages);
}

/* ------------------------------------------------------------ contiguous runs */

/* an entry that can be part of a run at height h: a page (L3) or a block
 * (L2), valid or present-invalid (PROT_NONE keeps PTE_CONT: huge_pte_modify) */
static int run_member(const struct arm64_priv *p, int h, uint64_t v)
{
	if (v & A64_VALID)
		return h == A64_PTE ? (v & 3) == 3 : (v & 3) == 1;
	return v && arm64_present_invalid(p, h, v);
}

/* what is wrong with entry v at position i of the run that e0 starts;
 * NULL when it belongs */
static const char *run_fault(const struct arm64_priv *p, int h, uint64_t e0,
			     uint64_t v, unsigned i)
{
	uint64_t size = 1ULL << (12 + 9 * h);
	uint64_t differ = RUN_MAY_DIFFER;

	if (!v)
		return "none";
	if (!run_member(p, h, v))
		return (v & A64_VALID) ? "not a leaf" : "a swap or migration entry";
	if (!(v & A64_CONT))
		return "without the contiguous bit";
	if (arm64_frame(v, h) != arm64_frame(e0, h) + i * size)
		return "not the next frame of the run";
	if (!((v | e0) & A64_DBM))
		differ &= ~A64_RDONLY;	/* no DBM: AP[2] is the kernel's alone */
	if ((v ^ e0) & ~A64_ADDR & ~differ)
		return "of other attributes than the run's first entry";
	return NULL;
}

static void report_run(struct tc_ctx *c, struct tc_mm_stats *m, const struct tc_table *t,
		       int level, unsigned first, unsigned lead, unsigned bad,
		       const uint64_t *e, const char *what)
{
	uint64_t va = tc_tab_va(c, t), shift = c->levels[level].shift;

	tc_report(c, m, TC_SIG(ARM64_CONT_RUN_BROKEN),
		  tc_at_entry(level, t->pa, (int)bad, e[bad], va + ((uint64_t)bad << shift)),
		  "contiguous %s run %#llx-%#llx (%u x %s): entry %u is %s (entry %u: %#llx)",
		  c->levels[level].name, (unsigned long long)(va + ((uint64_t)first << shift)),
		  (unsigned long long)(va + ((uint64_t)(first + A64_CONT_N) << shift) - 1),
		  A64_CONT_N, level == c->nlevels - 1 ? "4 KiB" : "2 MiB", bad - first, what,
		  lead - first, (unsigned long long)e[lead]);
}

/* every aligned group of 16 in which one present entry has the
 * contiguous bit: all 16 must be the run it announces */
static void check_runs_of(struct tc_ctx *c, struct tc_mm_stats *m,
			  const struct arm64_priv *p, const struct tc_table *t,
			  unsigned char *buf)
{
	int level = tc_tab_level(t), h = arm64_height(c, level);
	uint64_t e[A64_PTRS];
	unsigned g, i;

	if (tc_read_pa_direct(c, t->pa, buf, 8 * A64_PTRS) < 0)
		return;		/* the walk reported it */
	for (i = 0; i < A64_PTRS; i++)
		e[i] = tc_load_entry(c, buf + 8 * i);
	for (g = 0; g < A64_PTRS; g += A64_CONT_N) {
		unsigned lead = A64_PTRS, bad = A64_PTRS;
		const char *why = NULL;
		uint64_t want0;

		for (i = g; i < g + A64_CONT_N && lead == A64_PTRS; i++)
			if (run_member(p, h, e[i]) && (e[i] & A64_CONT))
				lead = i;
		if (lead == A64_PTRS)
			continue;
		/* the run starts at g: entry g is the lead less its place
		 * (the lead is the first present entry with the bit, not
		 * always entry g) */
		want0 = e[lead] - ((uint64_t)(lead - g) << (12 + 9 * h));
		if (arm64_frame(want0, h) & ((A64_CONT_N << (12 + 9 * h)) - 1)) {
			why = "a run whose frames are not aligned to the run's size";
			bad = lead;
		}
		for (i = g; i < g + A64_CONT_N && !why; i++)
			if (i != lead && (why = run_fault(p, h, want0, e[i], i - g)))
				bad = i;
		if (why)
			report_run(c, m, t, level, g, lead, bad, e, why);
	}
}

static void check_runs(struct tc_ctx *c, struct tc_mm_stats *m, const struct arm64_priv *p)
{
	unsigned char *buf = malloc(8 * A64_PTRS);
	size_t i;

	if (!buf)
		return;
	for (i = m->tab_first; i < m->tab_first + m->tab_n; i++) {
		const struct tc_table *t = &c->tabs[i];
		int h = arm64_height(c, tc_tab_level(t));

		if (h == A64_PTE || h == A64_PMD)
			check_runs_of(c, m, p, t, buf);
	}
	free(buf);
}

void arm64_check_mm(struct tc_ctx *c, struct tc_mm_stats *m)
{
	struct arm64_priv *p = c->arch_priv;

	if (!m->tab_n)
		return;
	check_runs(c, m, p);
	tc_ptpages_check_mm(c, m, &p->pages);
}

TC_SIG_DEFINE(ARM64_CONT_RUN_BROKEN, TC_SEV_ERROR,
	      "an arm64 contiguous run (PTE_CONT / PMD_SECT_CONT) whose 16 entries are not one run: one none, swapped, misplaced or of other attributes");
TC_SIG_DEFINE(ARM64_TABLE_NOT_PGTABLE, TC_SEV_ERROR,
	      "a user pte or pmd table (walked or deposited) whose struct page is not a page table");
