/*
 * x86_64 checks after each user mm's walk:
 *   - the kernel half of its pgd is init_mm's (arch/x86/mm/pgtable.c
 *     pgd_ctor -> clone_pgd_range; vmalloc's pgd entries are allocated at
 *     boot, preallocate_vmalloc_pages; hot-added memory is synced into
 *     every pgd on pgd_list, sync_global_pgds);
 *   - with PTI, the user copy of its pgd agrees with the kernel's copy
 *     and with init_mm's user copy (see "PTI" below);
 *   - its pmd and pte tables are page tables by their struct page
 *     (pgtable_pmd_page_ctor / pagetable_pmd_ctor, pgtable_pte_page_ctor /
 *     pagetable_pte_ctor; v6.1 an inverted PG_table bit, v6.9+ a page type);
 *   - the generic THP deposit list (mm/pgtable-generic.c): pmd_huge_pte of
 *     the pmd table's struct page (split pmd locks, pmd_huge_pte(mm, pmd))
 *     heads a ring of pte-table pages threaded through page->lru, one per
 *     anonymous or huge-zero THP pmd of the table (and per anonymous THP
 *     migration entry, which keeps its deposit), each an empty table.
 */
#include <stdlib.h>
#include <string.h>
#include "x86.h"

#define PTRS		512
#define MAX_RING	(PTRS + 1)
/* include/linux/page-flags.h v6.1: page_type holds inverted type bits */
#define PAGE_TYPE_BASE_61	0xf0000000u
#define PG_TABLE_61		0x00000200u
#define PAGE_MAPPING_ANON	0x1ULL
#define DEPOSIT_SKIPPED "the deposit checks of their pmd tables"

int x86_deposit_init(struct tc_ctx *c, struct x86_priv *p)
{
	p->pg_type = c->off.page_type;
	if (p->pg_type < 0)
		p->pg_type = tc_off(c, "ptdesc", "__page_type");
	p->pg_lru = tc_off(c, "page", "lru");
	p->pg_mapping = tc_off(c, "page", "mapping");
	/* struct page first, ptdesc (v6.5+, the same offset) where page
	 * lacks it: a failed type look-up is slow in crash */
	p->pg_huge_pte = tc_off(c, "page", "pmd_huge_pte");
	if (p->pg_huge_pte < 0)
		p->pg_huge_pte = tc_off(c, "ptdesc", "pmd_huge_pte");
	/* v6.12 page_type: one type in the top byte (4ffca5a96678) */
	if (c->be->enum_value(c->be->priv, "PGTY_table", &p->pgty_table) < 0)
		p->pgty_table = -1;
	else
		p->pgty_table &= 0xff;
	/* mm/huge_memory.c: ~0 until the huge zero page is made */
	if (tc_rd_var64(c, "huge_zero_pfn", &p->huge_zero_pfn) < 0)
		p->huge_zero_pfn = ~0ULL;
	/* include/linux/swapops.h SWP_PFN_BITS = MAX_PHYSMEM_BITS - PAGE_SHIFT
	 * (asm/sparsemem.h: 46, 5-level 52) */
	p->swp_pfn_bits = (p->l5 ? 52 : 46) - 12;
	if (!c->vmemmap || p->pg_type < 0)
		fprintf(c->opts.verbose ? c->opts.out : stderr, "thpcheck: x86_64: no vmemmap "
			"or struct page layout: the PG_table and THP deposit checks are skipped\n");
	else if (p->pg_huge_pte < 0 || p->pg_lru < 0 || p->pg_mapping < 0)
		fprintf(c->opts.verbose ? c->opts.out : stderr, "thpcheck: x86_64: debuginfo "
			"lacks pmd_huge_pte, page.lru or page.mapping: the THP deposit checks "
			"are skipped\n");
	return 0;
}

/* ------------------------------------------------------------ kernel half */

/* the upper half of a pgd: its entries PTRS/2..PTRS-1 */
static int read_upper_half(struct tc_ctx *c, uint64_t pgd, uint64_t *v)
{
	unsigned char b[4 * PTRS];
	unsigned i;

	if (tc_read_pa_direct(c, pgd + 4 * PTRS, b, sizeof(b)) < 0)
		return -1;
	for (i = 0; i < PTRS / 2; i++)
		v[i] = tc_load64(c, b + 8 * i);
	return 0;
}

/* init_mm's upper half, read the first time a user pgd is compared */
static const uint64_t *kernel_upper_half(struct tc_ctx *c, struct x86_priv *p)
{
	struct tc_top kt = { 0 };

	if (!p->kupper_read)
		p->kupper_read = c->arch->mm_top(c, 0, &kt) == 0 &&
				 read_upper_half(c, kt.table_pa, p->kupper) == 0 ? 1 : -1;
	return p->kupper_read > 0 ? p->kupper : NULL;
}

static void check_kernel_half(struct tc_ctx *c, struct tc_mm_stats *m,
			      struct x86_priv *p, uint64_t upgd)
{
	const uint64_t *k = kernel_upper_half(c, p);
	uint64_t u[PTRS / 2];
	unsigned i;

	if (!k || read_upper_half(c, upgd, u) < 0)
		return;		/* the walks reported an unreadable pgd */
	for (i = PTRS / 2; i < PTRS; i++) {
		uint64_t uv = u[i - PTRS / 2], kv = k[i - PTRS / 2];

		/* below KERNEL_PGD_BOUNDARY init_mm has nothing; the LDT
		 * slot is the mm's own (PTI, modify_ldt: arch/x86/kernel/ldt.c) */
		if (uv == kv || (i == p->ldt_slot && i < p->kernel_first))
			continue;
		tc_report(c, m, TC_SIG(X86_PGD_KERNEL_HALF),
			  tc_at_entry(0, upgd, (int)i, uv, 0 - ((uint64_t)(PTRS - i) << c->levels[0].shift)),
			  "pgd[%u] is %#llx, init_mm's is %#llx", i,
			  (unsigned long long)uv, (unsigned long long)kv);
	}
}

/* ------------------------------------------------------------ PTI */

/*
 * With PTI a pgd is two pages (PGD_ALLOCATION_ORDER 1, d9e9a6418065
 * "x86/mm/pti: Allocate a separate user PGD"): mm->pgd, the kernel's,
 * and the user copy above it (kernel_to_user_pgdp(): the address with
 * bit PAGE_SHIFT set), which CR3 holds in user mode.  The kernel keeps
 * them in step (arch/x86/mm/pti.c __pti_set_user_pgtbl(), every
 * set_pgd/set_p4d of the top level): an entry of the user half
 * (pgdp_maps_userspace) is written to the user copy as given and to the
 * kernel's with NX added when it is present and user, so that a return
 * to user mode on the kernel's CR3 faults.  The kernel half of the user
 * copy is init_mm's user copy (clone_pgd_range() at pgd_alloc copies
 * both), but the LDT slot, which is the mm's own (map_ldt_struct()).
 * The CPU sets A in whichever copy it walks: A is not compared.
 */
#define PTI_USER_COPY	4096ULL		/* PTI_PGTABLE_SWITCH_BIT: PAGE_SHIFT */

static uint64_t pti_kernel_copy(const struct x86_priv *p, uint64_t user)
{
	return p->nx && (user & (X86_P | X86_US)) == (X86_P | X86_US) ? user | X86_NX : user;
}

static const uint64_t *init_user_copy_upper_half(struct tc_ctx *c, struct x86_priv *p)
{
	struct tc_top kt = { 0 };

	if (!p->kuser_read)
		p->kuser_read = c->arch->mm_top(c, 0, &kt) == 0 &&
				read_upper_half(c, kt.table_pa | PTI_USER_COPY, p->kuser) == 0 ? 1 : -1;
	return p->kuser_read > 0 ? p->kuser : NULL;
}

static void check_pti_user_half(struct tc_ctx *c, struct tc_mm_stats *m,
				const struct x86_priv *p, uint64_t kpgd,
				const unsigned char *b)
{
	uint64_t upgd = kpgd | PTI_USER_COPY;
	unsigned i;

	for (i = 0; i < PTRS / 2; i++) {
		uint64_t kv = tc_load64(c, b + 8 * i);
		uint64_t uv = tc_load64(c, b + PTI_USER_COPY + 8 * i);

		if ((kv & ~X86_A) == (pti_kernel_copy(p, uv) & ~X86_A))
			continue;
		tc_report(c, m, TC_SIG(X86_PTI_USER_COPY),
			  tc_at_entry(0, upgd, (int)i, uv, (uint64_t)i << c->levels[0].shift),
			  "PTI user copy pgd[%u] is %#llx, the kernel's is %#llx "
			  "(__pti_set_user_pgtbl writes both)", i,
			  (unsigned long long)uv, (unsigned long long)kv);
	}
}

static void check_pti_kernel_half(struct tc_ctx *c, struct tc_mm_stats *m,
				  struct x86_priv *p, uint64_t kpgd,
				  const unsigned char *b)
{
	const uint64_t *k = init_user_copy_upper_half(c, p);
	uint64_t upgd = kpgd | PTI_USER_COPY;
	unsigned i;

	if (!k)
		return;		/* init_mm's pgd: reported by the kernel's walk */
	for (i = PTRS / 2; i < PTRS; i++) {
		uint64_t uv = tc_load64(c, b + PTI_USER_COPY + 8 * i), kv = k[i - PTRS / 2];

		if (uv == kv || (i == p->ldt_slot && i < p->kernel_first))
			continue;
		tc_report(c, m, TC_SIG(X86_PTI_USER_COPY),
			  tc_at_entry(0, upgd, (int)i, uv, 0 - ((uint64_t)(PTRS - i) << c->levels[0].shift)),
			  "PTI user copy pgd[%u] is %#llx, init_mm's user copy has %#llx", i,
			  (unsigned long long)uv, (unsigned long long)kv);
	}
}

static void check_pti_copy(struct tc_ctx *c, struct tc_mm_stats *m,
			   struct x86_priv *p, uint64_t kpgd)
{
	unsigned char b[2 * 8 * PTRS];
	uint64_t before = c->stats.excluded_reads;

	if (kpgd & PTI_USER_COPY) {
		tc_report(c, m, TC_SIG(X86_PTI_USER_COPY), tc_at_table(0, kpgd, 0, 0),
			  "mm->pgd %#llx is the upper page of an order-1 pgd: "
			  "kernel_to_user_pgdp() names the same page",
			  (unsigned long long)kpgd);
		return;
	}
	if (tc_read_pa_direct(c, kpgd, b, sizeof(b)) < 0) {
		if (!tc_not_in_dump(c, before, TC_NID_TABLE, kpgd | PTI_USER_COPY,
				    "the PTI user-copy check of its pgd"))
			tc_report(c, m, TC_SIG(READ_ERROR), tc_at_table(0, kpgd | PTI_USER_COPY, 0, 0),
				  "the PTI user copy of pgd %#llx is not readable: not checked",
				  (unsigned long long)kpgd);
		return;
	}
	check_pti_user_half(c, m, p, kpgd, b);
	check_pti_kernel_half(c, m, p, kpgd, b);
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
static int is_pgtable(struct tc_ctx *c, const struct x86_priv *p, uint64_t pa)
{
	uint64_t t, before = c->stats.excluded_reads;

	if (page_word(c, pa, p->pg_type, &t, 4) < 0) {
		tc_not_in_dump(c, before, TC_NID_PAGE, pa,
			       "the PG_table checks of their tables");
		return -1;
	}
	if (p->pgty_table >= 0)
		return (t >> 24) == (uint64_t)p->pgty_table;
	return ((uint32_t)t & (PAGE_TYPE_BASE_61 | PG_TABLE_61)) == PAGE_TYPE_BASE_61;
}

static void not_pgtable(struct tc_ctx *c, struct tc_mm_stats *m, int level,
			uint64_t pa, uint64_t va, const char *what)
{
	uint64_t t = 0;
	/* a page freed and taken again holds other data: one finding for
	 * the page, not one per word */
	size_t folded = tc_fold_entry_findings(c, pa, 4096);
	char more[96] = "";

	page_word(c, pa, ((const struct x86_priv *)c->arch_priv)->pg_type, &t, 4);
	if (folded)
		snprintf(more, sizeof(more), "; %zu findings on its words folded in: "
			 "they are not entries", folded);
	tc_report(c, m, TC_SIG(X86_TABLE_NOT_PGTABLE), tc_at_table(level, pa, t, va),
		  "%s %s table whose struct page is not a page table (page_type %#llx)%s",
		  what, c->levels[level].name, (unsigned long long)t, more);
}

static void check_pgtables(struct tc_ctx *c, struct tc_mm_stats *m,
			   const struct x86_priv *p)
{
	size_t i;

	for (i = m->tab_first; i < m->tab_first + m->tab_n; i++) {
		const struct tc_table *t = &c->tabs[i];
		int h = x86_height(c, tc_tab_level(t));

		if ((h == H_PTE || h == H_PMD) && is_pgtable(c, p, t->pa) == 0)
			not_pgtable(c, m, tc_tab_level(t), t->pa, tc_tab_va(c, t), "referenced");
	}
}

/* ------------------------------------------------------------ deposits */

/* is the folio at pa anonymous (page->mapping & PAGE_MAPPING_ANON)?
 * -1 when it cannot be read */
static int frame_is_anon(struct tc_ctx *c, const struct x86_priv *p, uint64_t pa)
{
	uint64_t mapping;

	if (page_word(c, pa, p->pg_mapping, &mapping, 8) < 0)
		return -1;
	return (mapping & PAGE_MAPPING_ANON) != 0;
}

/*
 * Does this pmd own a deposited table?  zap_huge_pmd() withdraws for
 * anonymous THPs and the huge zero page only (arch_needs_pgtable_deposit()
 * is false on x86): file, shmem, DAX and pfnmap huge pmds have none,
 * hugetlb pmds are not THPs.  An anonymous THP's migration entry keeps
 * its deposit (set_pmd_migration_entry).
 */
static int wants_deposit(struct tc_ctx *c, const struct x86_priv *p,
			 uint64_t va, uint64_t v)
{
	const struct tc_vma *vma = tc_find_vma(c, va);
	uint64_t pa;

	if (!vma || (vma->flags & (TC_VM_HUGETLB | TC_VM_PFNMAP | TC_VM_MIXEDMAP)))
		return 0;
	if (v & (X86_P | X86_G | X86_PSE)) {		/* pmd_present() */
		if (!(v & X86_PSE) || (v & X86_SPECIAL))
			return 0;
		pa = x86_frame(p, v, (1ULL << 21) - 1);
		if ((pa >> 12) == p->huge_zero_pfn)
			return 1;
	} else {	/* a swap-format pmd: only migration entries exist */
		pa = ((~v << 5 >> 14) & ((1ULL << p->swp_pfn_bits) - 1)) << 12;
	}
	return frame_is_anon(c, p, pa);
}

struct ring {
	struct tc_ctx *c;
	struct tc_mm_stats *m;
	const struct x86_priv *p;
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
	if (tc_read_pa_direct(c, pa, buf, 8 * PTRS) < 0) {
		if (!tc_not_in_dump(c, before, TC_NID_TABLE, pa, DEPOSIT_SKIPPED))
			ring_corrupt(r, from, 0, node, "deposited table is not in the dump");
		r->partial = 1;
		return 0;
	}
	c->stats.deposited++;
	if (c->opts.inventory || c->opts.verbose)
		tc_print_table(c, r->m, c->nlevels - 1, pa, 0, 0, r->pmd_pa);
	if (is_pgtable(c, r->p, pa) == 0)
		not_pgtable(c, r->m, c->nlevels - 1, pa, TC_NO_ADDR, "deposited");
	for (i = 0; i < PTRS; i++) {
		uint64_t v = tc_load64(c, buf + 8 * i);

		if (v) {
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
	uint64_t lru = (uint64_t)r->p->pg_lru, node = head, from = tc_page_of(c, r->pmd_pa);
	uint64_t next, back, before;
	unsigned char *buf = malloc(8 * PTRS);

	if (!buf) {
		r->partial = 1;
		return;
	}
	do {
		if (!check_node(r, from, node, buf))
			break;
		if (++r->n >= MAX_RING) {
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
			   const struct x86_priv *p, const struct tc_table *t)
{
	struct ring r = { c, m, p, t->pa, tc_tab_va(c, t), 0, 0 };
	unsigned char pmds[8 * PTRS];
	uint64_t head, before = c->stats.excluded_reads;
	unsigned i, want = 0;
	int w;

	if (tc_read_pa_direct(c, t->pa, pmds, sizeof(pmds)) < 0)
		return;
	for (i = 0; i < PTRS; i++) {
		uint64_t v = tc_load64(c, pmds + 8 * i);

		if (!(v & ~(X86_A | X86_D)) || ((v & X86_P) && !(v & X86_PSE)))
			continue;		/* none, or a pte table */
		w = wants_deposit(c, p, r.pmd_va + ((uint64_t)i << 21), v);
		if (w < 0) {
			tc_not_in_dump(c, before, TC_NID_PAGE, x86_frame(p, v, 0),
				       DEPOSIT_SKIPPED);
			return;
		}
		want += (unsigned)w;
	}
	if (page_word(c, t->pa, p->pg_huge_pte, &head, 8) < 0) {
		tc_not_in_dump(c, before, TC_NID_PAGE, t->pa, DEPOSIT_SKIPPED);
		return;
	}
	if (head)
		walk_ring(&r, head);
	if (r.partial || r.n == want ||
	    tc_inflight_pmd_update(c, m->mm, t->pa, p->page_offset + t->pa, 8 * PTRS,
				   tc_ptlock_of(c, t->pa), r.n, want))
		return;
	tc_report(c, m, TC_SIG(DEPOSIT_COUNT), tc_at_table(c->nlevels - 2, t->pa, r.n, r.pmd_va),
		  "%u deposited pte tables on the ring, %u anonymous THP pmds in the pmd table",
		  r.n, want);
}

void x86_check_mm(struct tc_ctx *c, struct tc_mm_stats *m)
{
	struct x86_priv *p = c->arch_priv;
	struct tc_top ut = { 0 };
	size_t i;

	if (m->kernel || !m->tab_n)
		return;
	if (c->arch->mm_top(c, m->mm, &ut) == 0) {
		check_kernel_half(c, m, p, ut.table_pa);
		if (p->pti)
			check_pti_copy(c, m, p, ut.table_pa);
	}
	if (!c->vmemmap || p->pg_type < 0)
		return;		/* no struct pages: said once by x86_deposit_init() */
	check_pgtables(c, m, p);
	/* layouts missing: said once; VMA tree unreadable: LIST_CORRUPT */
	if (p->pg_huge_pte < 0 || p->pg_lru < 0 || p->pg_mapping < 0 || !c->vmas_known)
		return;
	for (i = m->tab_first; i < m->tab_first + m->tab_n; i++)
		if (x86_height(c, tc_tab_level(&c->tabs[i])) == H_PMD)
			check_deposits(c, m, p, &c->tabs[i]);
}
