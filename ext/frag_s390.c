/*
 * s390x fragment and deposit forensics.
 *
 * - 2 KiB pte-table fragments (v5.17..v6.7, arch/s390/mm/pgalloc.c):
 *   the fragment byte m = page->_refcount >> 24 holds A0/A1 (0x01/0x02,
 *   half at page offset 0/0x800 allocated) and P0/P1 (0x10/0x20, pending
 *   release); pages with exactly one allocated half sit on
 *   mm->context.pgtable_list (page->lru).
 * - THP deposits (arch/s390/mm/pgtable.c pgtable_trans_huge_deposit):
 *   a ring of pte tables whose first two words are a list_head, headed
 *   by pmd_huge_pte in the first struct page of the segment table.
 * - the 2016 IDTE wrong-address pattern behind S390_PTE_ORED_SEG_INVALID.
 */
#include <stdlib.h>
#include <string.h>
#include "s390.h"

#define FRAG_A(h)	(0x01u << (h))	/* half h allocated */
#define FRAG_P(h)	(0x10u << (h))	/* half h pending release */
#define FRAG_VALID	0x33u		/* bits the kernel ever sets in m */
#define MAX_RING	2049		/* one deposit per segment entry */
#define MAX_LIST	(1u << 20)

/* include/linux/poison.h: POISON_POINTER_DELTA is 0 on s390 */
#define LIST_POISON1	0x100ULL
#define LIST_POISON2	0x122ULL

/* page-flags.h [6.1]: PAGE_TYPE_BASE 0xf0000000, PG_table 0x00000200,
 * inverted: a page table has page_type == 0xfffffdff */
#define PAGE_TYPE_BASE_61	0xf0000000u
#define PG_TABLE_61		0x00000200u

/* ------------------------------------------------------------ setup */

static long first_member(struct tc_ctx *c, const char *t1, const char *m1,
			 const char *t2, const char *m2)
{
	long v = tc_off(c, t1, m1);

	return v >= 0 ? v : tc_off(c, t2, m2);
}

int s390_frag_init(struct tc_ctx *c, struct s390_priv *p)
{
	uint64_t sym;
	long off;

	/* v6.12: __va(x) = x + vm_layout.identity_base; v6.1: PAGE_OFFSET 0 */
	/* the symbol first: a type look-up that fails is slow in crash */
	if (c->be->symbol(c->be->priv, "vm_layout", &sym) == 0 &&
	    (off = tc_off(c, "vm_layout", "identity_base")) >= 0)
		tc_rd64(c, sym + off, &p->identity_base);
	/* struct ptdesc (v6.5+) overlays struct page at the same offsets
	 * (TABLE_MATCH in include/linux/mm_types.h), so struct page is
	 * asked first and ptdesc only for what page lacks */
	p->pg_flags = first_member(c, "page", "flags", "ptdesc", "__page_flags");
	p->pg_lru = first_member(c, "page", "lru", "ptdesc", "pt_list");
	p->pg_refcount = first_member(c, "page", "_refcount", "ptdesc",
				      "__page_refcount");
	if (p->pg_refcount < 0)
		p->pg_refcount = tc_off(c, "ptdesc", "_refcount");
	p->pg_type = first_member(c, "page", "page_type", "ptdesc",
				  "__page_type");
	p->pg_huge_pte = first_member(c, "page", "pmd_huge_pte", "ptdesc",
				      "pmd_huge_pte");
	/* without split pmd ptlocks the ring head is per mm */
	p->mm_huge_pte = tc_off(c, "mm_struct", "pmd_huge_pte");
	p->mm_pgtable_list = tc_off(c, "mm_struct", "context.pgtable_list");
	if (c->be->enum_value(c->be->priv, "PG_active", &p->pg_active) < 0)
		p->pg_active = -1;
	/* v6.12 page_type: one type in the top byte (4ffca5a96678) */
	if (c->be->enum_value(c->be->priv, "PGTY_table", &p->pgty_table) < 0)
		p->pgty_table = -1;
	else
		p->pgty_table &= 0xff;	/* the top byte of page_type (0xf2) */
	return 0;
}

void s390_fini(struct tc_ctx *c)
{
	struct s390_priv *p = c->arch_priv;

	if (p) {
		free(p->deps);
		free(p->listed);
		free(p->list_partial);
	}
	free(p);
	c->arch_priv = NULL;
}

static uint64_t kva_to_pa(const struct s390_priv *p, uint64_t kva)
{
	return kva - p->identity_base;
}

static int bad_pointer(uint64_t v)
{
	return v == 0 || v == S390_PTE_NONE || v == LIST_POISON1 ||
	       v == LIST_POISON2 || (v & 7);
}

/* ------------------------------------------------------------ pages */

static int half_of(uint64_t pa)
{
	return (int)((pa >> 11) & 1);
}

/* ------------------------------------------------------------ deposits */

struct ring {
	struct tc_ctx *c;
	struct tc_mm_stats *m;		/* the mm whose ring it is */
	const struct tc_table *pmd;	/* segment table owning the ring */
	uint64_t pmd_pa;
	uint64_t pmd_va;		/* valid when have_va */
	int have_va;
	uint64_t align;
	unsigned n;
	int partial;		/* stopped at a table left out of the dump */
};

/* the segment table's VA: derived from the table index, so only when a
 * finding or -v/-t needs it */
static uint64_t ring_va(struct ring *r)
{
	if (!r->have_va) {
		r->pmd_va = r->pmd ? tc_tab_va(r->c, r->pmd) : 0;
		r->have_va = 1;
	}
	return r->pmd_va;
}

/* the deposited table's entries 2..255 must be pte_none (T1): the
 * BUG_ON(!pte_none(*pte)) of __split_huge_pmd_locked() */
static void check_deposit_content(struct ring *r, uint64_t pa,
				  const unsigned char *buf)
{
	struct tc_ctx *c = r->c;
	struct tc_mm_stats *m = r->m;
	int i;

	for (i = 2; i < 256; i++) {
		uint64_t v = tc_load64(c, buf + 8 * i);

		if (v != S390_PTE_NONE) {
			tc_report(c, m, TC_SIG(DEPOSIT_NOT_EMPTY),
				  tc_at_entry(L_PTE, pa, i, v, TC_NO_ADDR),
				  "deposited pte table (ring of segment table %#llx, va %#llx) has a non-none entry: splitting that THP hits BUG_ON(!pte_none)",
				  (unsigned long long)r->pmd_pa,
				  (unsigned long long)ring_va(r));
			return;
		}
	}
}

static void ring_corrupt(struct ring *r, uint64_t table, int index,
			 uint64_t value, const char *what)
{
	tc_report(r->c, r->m, TC_SIG(DEPOSIT_LIST_CORRUPT),
		  tc_at_entry(table == r->pmd_pa ? L_SEG : L_PTE, table, index, value, TC_NO_ADDR),
		  "deposit ring of segment table %#llx (va %#llx): %s",
		  (unsigned long long)r->pmd_pa,
		  (unsigned long long)ring_va(r), what);
}

/* a node must be an aligned table that is not also live (T3) */
static int node_ok(struct ring *r, uint64_t from_pa, int from_idx,
		   uint64_t node)
{
	struct s390_priv *p = r->c->arch_priv;

	if (bad_pointer(node) || (node & (r->align - 1))) {
		ring_corrupt(r, from_pa, from_idx, node,
			     node == S390_PTE_NONE ?
			     "0x400 (an empty pte) where a list pointer belongs: list_del corruption" :
			     "pointer is not an aligned pte table");
		return 0;
	}
	if (tc_referrers(r->c, kva_to_pa(p, node), NULL, 0)) {
		ring_corrupt(r, from_pa, from_idx, node,
			     "deposited table is also referenced by a segment entry");
		return 0;
	}
	return 1;
}

static void note_deposit(struct tc_ctx *c, struct tc_mm_stats *m,
			uint64_t pa, uint64_t seg_pa)
{
	struct s390_priv *p = c->arch_priv;

	if (tc_grow((void **)&p->deps, &p->capdeps, p->ndeps, sizeof(*p->deps)) == 0)
		p->deps[p->ndeps++] = (struct s390_deposit){ pa, seg_pa, m->mm };
}

#define RING_SKIPPED "the rest of their deposit rings, their THP counts and " \
	"the mm's orphan checks"

static void walk_ring(struct ring *r, uint64_t head)
{
	struct tc_ctx *c = r->c;
	struct tc_mm_stats *m = r->m;
	struct s390_priv *p = c->arch_priv;
	unsigned char buf[S390_PTE_TABLE_BYTES];
	uint64_t node = head, pa, next, nprev, before;
	uint64_t from_pa = r->pmd_pa;
	int from_idx = -1;

	do {
		if (!node_ok(r, from_pa, from_idx, node))
			return;
		pa = kva_to_pa(p, node);
		before = c->stats.excluded_reads;
		if (tc_read_pa_direct(c, pa, buf, sizeof(buf)) < 0) {
			if (tc_not_in_dump(c, before, TC_NID_TABLE, pa, RING_SKIPPED))
				r->partial = 1;
			else
				ring_corrupt(r, from_pa, from_idx, node,
					     "deposited table is not in the dump");
			return;
		}
		if (++r->n > MAX_RING) {
			ring_corrupt(r, pa, 0, node, "ring does not close (cycle)");
			return;
		}
		c->stats.deposited++;
		if (c->opts.inventory || c->opts.verbose)
			tc_print_table(c, m, L_PTE, pa, ring_va(r), 0, r->pmd_pa);
		note_deposit(c, m, pa, r->pmd_pa);
		check_deposit_content(r, pa, buf);
		next = tc_load64(c, buf);
		if (!node_ok(r, pa, 0, next))
			return;
		/* list_del's check: next->prev must point back here */
		before = c->stats.excluded_reads;
		if (tc_rd64(c, next + 8, &nprev) < 0 &&
		    tc_not_in_dump(c, before, TC_NID_TABLE, kva_to_pa(p, next),
				   RING_SKIPPED)) {
			r->partial = 1;
			return;
		}
		if (nprev != node) {
			ring_corrupt(r, kva_to_pa(p, next), 1, nprev, nprev == S390_PTE_NONE ?
				     "next->prev is 0x400 (an empty pte: the word withdraw clears), "
				     "not the table before it: \"list_del corruption. next->prev "
				     "should be ..., but was 0x400\"" :
				     "next->prev does not point back (list_del corruption)");
			/* linked all the same: deposited, not an orphan */
			if (next != node)
				note_deposit(c, m, kva_to_pa(p, next), r->pmd_pa);
			return;
		}
		from_pa = pa;
		from_idx = 0;
		node = next;
	} while (node != head);
}

/*
 * The lock that guards the ring's segment table: the split pmd ptlock of
 * the table's first page (pmd_pgtable_page()), or mm->page_table_lock
 * when the mm has one ring (mm->pmd_huge_pte).
 */
static uint64_t ring_lock(struct tc_ctx *c, struct tc_mm_stats *m,
			const struct tc_table *t)
{
	const struct s390_priv *p = c->arch_priv;
	long off;

	if (p->mm_huge_pte < 0)
		return tc_ptlock_of(c, t->pa);
	off = tc_off(c, "mm_struct", "page_table_lock");
	return off >= 0 ? m->mm + (uint64_t)off : 0;
}

/* T4: deposited tables on a ring == THP pmds of that segment table;
 * returns 1 when the ring could not be read whole */
static int check_ring(struct tc_ctx *c, struct tc_mm_stats *m,
			const struct tc_table *t,
		      uint64_t head, unsigned thp)
{
	struct s390_priv *p = c->arch_priv;
	unsigned corrupt_before = (unsigned)c->findings.n;
	struct ring r = { .c = c, .m = m, .pmd = t, .pmd_pa = t ? t->pa : 0, .n = 0,
			  .align = p->scheme == S390_WHOLEPAGE ? 4096 :
			  S390_PTE_TABLE_BYTES };

	if (head)
		walk_ring(&r, head);
	if ((unsigned)c->findings.n == corrupt_before && !r.partial && r.n != thp &&
	    !(t && tc_inflight_pmd_update(c, m->mm, t->pa, t->pa + p->identity_base,
					   c->levels[L_SEG].table_bytes,
					   ring_lock(c, m, t), r.n, thp)))
		tc_report(c, m, TC_SIG(DEPOSIT_COUNT),
			  tc_at_table(L_SEG, r.pmd_pa, r.n, ring_va(&r)),
			  "%u deposited pte tables on the ring, %u THP pmds in the segment table",
			  r.n, thp);
	return r.partial;
}

/* returns 1 when a ring of the mm could not be read whole */
static int check_deposits(struct tc_ctx *c, struct tc_mm_stats *m)
{
	struct s390_priv *p = c->arch_priv;
	size_t i;
	uint64_t head;
	int partial = 0;

	if (m->kernel)
		return 0;
	if (p->mm_huge_pte >= 0) {	/* one ring per mm */
		const struct tc_table *whole = NULL;

		for (i = m->tab_first; i < m->tab_first + m->tab_n && !whole; i++)
			if (tc_tab_level(&c->tabs[i]) == L_SEG)
				whole = &c->tabs[i];
		if (tc_rd64(c, m->mm + p->mm_huge_pte, &head) == 0)
			partial = check_ring(c, m, whole, head, (unsigned)m->thp_pmds);
		return partial;
	}
	if (p->pg_huge_pte < 0)
		return 0;
	for (i = m->tab_first; i < m->tab_first + m->tab_n; i++) {
		const struct tc_table *t = &c->tabs[i];
		uint64_t page = tc_page_of(c, t->pa);
		uint64_t before = c->stats.excluded_reads;

		if (tc_tab_level(t) != L_SEG || !page)
			continue;
		if (tc_rd64(c, page + p->pg_huge_pte, &head) < 0) {
			partial |= tc_not_in_dump(c, before, TC_NID_PAGE, t->pa,
						  RING_SKIPPED);
			continue;
		}
		partial |= check_ring(c, m, t, head, tc_tab_thp(t));
	}
	return partial;
}

/* ------------------------------------------------------------ pgtable_list */

static int is_struct_page(const struct tc_ctx *c, uint64_t page)
{
	return c->vmemmap && page >= c->vmemmap &&
	       (page - c->vmemmap) % (uint64_t)c->page_size_struct == 0 &&
	       (page - c->vmemmap) / (uint64_t)c->page_size_struct < (1ULL << 40);
}

static void list_corrupt(struct tc_ctx *c, struct tc_mm_stats *m,
			uint64_t node, int idx,
			 uint64_t value, const char *what)
{
	tc_report(c, m, TC_SIG(LIST_CORRUPT), tc_at_kernel(node, idx, value),
		  "mm->context.pgtable_list: %s (link at kernel address %#llx)",
		  what, (unsigned long long)(node + 8ULL * idx));
}

static void list_partial(struct s390_priv *p, const struct tc_mm_stats *m)
{
	if (tc_grow((void **)&p->list_partial, &p->cappartial, p->npartial,
		    sizeof(*p->list_partial)) == 0)
		p->list_partial[p->npartial++] = m->mm;
}

static int is_list_partial(const struct s390_priv *p, uint64_t mm)
{
	size_t i;

	for (i = 0; i < p->npartial; i++)
		if (p->list_partial[i] == mm)
			return 1;
	return 0;
}

/* Walk the list of half-used fragment pages; bounded and cycle-safe. */
static void walk_pgtable_list(struct tc_ctx *c, struct tc_mm_stats *m)
{
	struct s390_priv *p = c->arch_priv;
	uint64_t head = m->mm + p->mm_pgtable_list, prev = head, pos, back;
	struct tc_cycle cy;
	uint64_t before;
	size_t n = 0;

	if (tc_rd64(c, head, &pos) < 0)
		return list_corrupt(c, m, head, 0, 0, "list head unreadable");
	tc_cycle_init(&cy, head);
	while (pos != head) {
		uint64_t page = pos - p->pg_lru, next;

		if (bad_pointer(pos) || !is_struct_page(c, page))
			return list_corrupt(c, m, prev, 0, pos,
					    pos == S390_PTE_NONE ?
					    "0x400 (an empty pte) where a list pointer belongs" :
					    "next is not a struct page's lru");
		before = c->stats.excluded_reads;
		if (tc_rd64(c, pos + 8, &back) < 0 &&
		    tc_not_in_dump(c, before, TC_NID_PAGE, tc_pa_of_page(c, page),
				   "the rest of their mms' pgtable_list and its membership checks"))
			return list_partial(p, m);
		if (back != prev)
			return list_corrupt(c, m, pos, 1, back,
					    "next->prev does not point back");
		if (tc_cycle_step(&cy, pos) || ++n > MAX_LIST)
			return list_corrupt(c, m, prev, 0, pos,
					    "cycle that does not return to the head");
		if (tc_grow((void **)&p->listed, &p->caplisted, p->nlisted,
			    sizeof(*p->listed)) == 0)
			p->listed[p->nlisted++] =
				(struct s390_listed){ tc_pa_of_page(c, page), m->mm };
		if (tc_rd64(c, pos, &next) < 0)
			return list_corrupt(c, m, pos, 0, 0, "link unreadable");
		prev = pos;
		pos = next;
	}
}

/* ------------------------------------------------------------ per mm */

void s390_check_mm(struct tc_ctx *c, struct tc_mm_stats *m)
{
	struct s390_priv *p = c->arch_priv;

	if (m->kernel)
		return;		/* F8: early kernel tables have no PG_table */
	if (p->scheme != S390_WHOLEPAGE && p->mm_pgtable_list >= 0)
		walk_pgtable_list(c, m);
}

/* ------------------------------------------------------------ judging */

/* a 32-bit field of a buffer in the target's byte order */
static uint32_t u32_at(const struct tc_ctx *c, const unsigned char *b, long off)
{
	uint64_t w = tc_load64(c, b + (off & ~7L));
	int high = c->be->big_endian ? !(off & 4) : !!(off & 4);

	return (uint32_t)(high ? w >> 32 : w);
}

/* one read of the whole struct page: each read of a vmemmap address
 * costs a translation in crash */
static int read_page(struct tc_ctx *c, struct s390_frag_page *fp)
{
	struct s390_priv *p = c->arch_priv;
	uint64_t page = tc_page_of(c, fp->pa);
	unsigned char b[256];
	long n = c->page_size_struct;

	fp->read_ok = page && n > 0 && n <= (long)sizeof(b) &&
		p->pg_flags + 8 <= n && p->pg_refcount + 4 <= n &&
		p->pg_type + 4 <= n && p->pg_lru + 16 <= n &&
		tc_read_kernel(c, page, b, (size_t)n) == 0;
	if (!fp->read_ok)
		return 0;
	fp->flags = tc_load64(c, b + p->pg_flags);
	fp->refcount = u32_at(c, b, p->pg_refcount);
	fp->page_type = u32_at(c, b, p->pg_type);
	fp->lru_next = tc_load64(c, b + p->pg_lru);
	fp->lru_prev = tc_load64(c, b + p->pg_lru + 8);
	return 1;
}

static int page_is_table(const struct s390_priv *p,
			 const struct s390_frag_page *fp)
{
	if (p->pgty_table >= 0)
		return (fp->page_type >> 24) == (uint32_t)p->pgty_table;
	return (fp->page_type & (PAGE_TYPE_BASE_61 | PG_TABLE_61)) ==
	       PAGE_TYPE_BASE_61;
}

static int page_active(const struct s390_priv *p,
		       const struct s390_frag_page *fp)
{
	return p->pg_active >= 0 && ((fp->flags >> p->pg_active) & 1);
}

static int half_used(const struct s390_frag_page *fp, int h)
{
	return fp->refd[h] || fp->deposit_pmd[h];
}

static void report_page(struct tc_ctx *c, struct tc_mm_stats *m,
			const struct tc_sig *sig,
			const struct s390_frag_page *fp, int h, uint64_t value,
			const char *what)
{
	unsigned bits = fp->refcount >> 24;

	tc_report(c, m, sig,
		  tc_at_table(L_PTE, h < 0 ? fp->pa : fp->pa + 0x800ULL * (unsigned)h, value, TC_NO_ADDR),
		  "%s (page %#llx: fragment bits %#04x = A0 %u A1 %u P0 %u P1 %u; "
		  "referenced %u/%u, deposited %u/%u, %son pgtable_list%s)",
		  what, (unsigned long long)fp->pa, bits, bits & 1, (bits >> 1) & 1,
		  (bits >> 4) & 1, (bits >> 5) & 1, fp->refd[0], fp->refd[1],
		  !!fp->deposit_pmd[0], !!fp->deposit_pmd[1],
		  fp->on_list ? "" : "not ",
		  c->arch_priv && page_active(c->arch_priv, fp) ? ", PG_active" : "");
}

/*
 * An allocated half nothing references is legal while a task holds it on
 * its way in or out: pte_alloc_one() before the THP deposit
 * (mm/huge_memory.c __do_huge_pmd_anonymous_page), pmdp_collapse_flush()
 * before the table is deposited again (mm/khugepaged.c collapse_huge_page).
 * pgtable_t is the table's kernel address (arch/s390/include/asm/pgalloc.h);
 * a half on its way out (an mmu_gather batch, RCU) counts the same.
 */
static int half_in_flight(struct tc_ctx *c, const struct s390_frag_page *fp, int h)
{
	const struct s390_priv *p = c->arch_priv;
	uint64_t pa = fp->pa + 0x800ULL * (unsigned)h;
	uint64_t kva = pa + (p ? p->identity_base : 0);

	return tc_inflight_fragments(c, pa, kva, 0x800, 0x800, fp->mm, 1);
}

static void judge_fragments(struct tc_ctx *c, struct tc_mm_stats *m,
			const struct s390_frag_page *fp)
{
	const struct s390_priv *p = c->arch_priv;
	unsigned bits = fp->refcount >> 24;
	int h, want_list;

	/* A and P of one half exclude each other (pgalloc.c: A->P->0) */
	if ((bits & ~FRAG_VALID) || (bits & 0x11) == 0x11 || (bits & 0x22) == 0x22)
		report_page(c, m, TC_SIG(S390_FRAG_AA_PP), fp, -1, fp->refcount,
			    "impossible fragment bit combination");
	for (h = 0; h < 2; h++) {
		if (half_used(fp, h) && (!(bits & FRAG_A(h)) || (bits & FRAG_P(h))))
			report_page(c, m, TC_SIG(S390_FRAG_FREE_REFERENCED), fp, h, fp->refcount,
				    (bits & FRAG_P(h)) ? "half is pending release but still referenced (use after free)" :
				    "half is not allocated but referenced (use after free)");
		else if ((bits & FRAG_A(h)) && !(bits & FRAG_P(h)) && !half_used(fp, h) &&
			 !fp->rings_partial && !half_in_flight(c, fp, h))
			report_page(c, m, TC_SIG(S390_FRAG_ORPHAN), fp, h, fp->refcount,
				    "allocated half that no segment entry or deposit ring references");
	}
	/* F4: exactly one half allocated <=> listed; v6.6/6.7 keep
	 * PG_active pages off the list (pte_free_defer, 8211dad62798) */
	want_list = ((bits & 3) == 1 || (bits & 3) == 2) && !page_active(p, fp);
	if (fp->on_list != want_list && !fp->list_partial)
		report_page(c, m, TC_SIG(S390_FRAG_LIST), fp, -1, fp->refcount,
			    fp->on_list ? "page is on pgtable_list but its bits say it must not be" :
			    "one half is free but the page is not on pgtable_list");
}

static void judge_page(struct tc_ctx *c, struct tc_mm_stats *m,
			struct s390_frag_page *fp)
{
	const struct s390_priv *p = c->arch_priv;
	uint64_t before;
	int h;

	if (!c->vmemmap)
		return;		/* no struct pages known: nothing to judge */
	before = c->stats.excluded_reads;
	if (!read_page(c, fp)) {
		if (!tc_not_in_dump(c, before, TC_NID_PAGE, fp->pa,
				    "the fragment checks of their pte-table pages"))
			tc_report(c, m, TC_SIG(READ_ERROR),
				  tc_at_table(L_PTE, fp->pa, 0, TC_NO_ADDR),
				  "struct page of pte-table page %#llx is not in the dump",
				  (unsigned long long)fp->pa);
		return;
	}
	for (h = 0; h < 2; h++)
		if (half_used(fp, h) && !page_is_table(p, fp)) {
			/* a page freed and taken again holds other data (zeros on
			 * kernels with init_on_alloc, Debian's default): one
			 * finding for the page, not one per word */
			size_t folded = tc_fold_entry_findings(c, fp->pa, 4096);
			char what[160];

			snprintf(what, sizeof(what), "referenced pte table whose struct page is not a "
				 "page table (page_type)");
			if (folded)
				snprintf(what + strlen(what), sizeof(what) - strlen(what),
					 "; %zu findings on its words folded in: they are not ptes",
					 folded);
			report_page(c, m, TC_SIG(S390_FRAG_NOT_PGTABLE), fp, h, fp->page_type, what);
			break;
		}
	if (p->scheme != S390_WHOLEPAGE)
		judge_fragments(c, m, fp);
}

/* ------------------------------------------------------------ IDTE */

/*
 * __pmdp_idte() passes sto = __pa(pmdp) - pmd_index(addr) * 8 to IDTE.
 * With addr = haddr + 1 MiB (the 2016 split bug) pmd_index is one too
 * large, so sto = S - 8 for a 16 KiB-aligned segment table S: the origin
 * bits (0-51) then name the 4 KiB page below S, and the low bits 0xff8
 * read as designation type 2 (region-second table), table length 0.
 * IDTE thus sets the invalid bit 0x020 in the word at
 * (S - 4096) + 8 * RSX(addr), and RSX is 0 below 4 TiB: the first word
 * of the page just below the segment table.  (Derived from the kernel
 * code and the IDTE operand format; not reproduced on hardware.)
 */
static void explain_ored(struct tc_ctx *c, struct tc_finding *f)
{
	size_t i, len;

	for (i = 0; i < c->ntabs; i++) {
		const struct tc_table *t = &c->tabs[i];
		struct tc_mm_stats *m;

		if (tc_tab_level(t) != L_SEG || f->entry_pa >= t->pa ||
		    f->entry_pa < t->pa - 4096)
			continue;
		m = tc_tab_mm(c, t);
		len = strlen(f->detail);
		snprintf(f->detail + len, sizeof(f->detail) - len,
			 "; lies %llu bytes below segment table %#llx (mm %#llx pid %d, %u THP pmds)%s",
			 (unsigned long long)(t->pa - f->entry_pa),
			 (unsigned long long)t->pa, (unsigned long long)(m ? m->mm : 0),
			 m && m->npids ? m->pids[0] : -1, tc_tab_thp(t),
			 f->entry_pa == t->pa - 4096 ?
			 ": exactly where IDTE lands when a pmd of that table is invalidated with haddr + 1 MiB (sto = table - 8, 2016 THP split bug)" :
			 "");
		return;
	}
}

/* ------------------------------------------------------------ sweep */

static int cmp_deposit(const void *a, const void *b)
{
	const struct s390_deposit *x = a, *y = b;

	return (x->pa > y->pa) - (x->pa < y->pa);
}

static int cmp_listed(const void *a, const void *b)
{
	const struct s390_listed *x = a, *y = b;

	return (x->page_pa > y->page_pa) - (x->page_pa < y->page_pa);
}

/* one mm's pte-table pages, in address order: its pte tables (the
 * mm's slice of c->tabs is sorted), its deposits and its listed pages
 * (both sorted here) are merged page by page; nothing per page is kept */
struct sweep {
	const struct tc_table *t, *te;
	const struct s390_deposit *d, *de;
	const struct s390_listed *l, *le;
};

static void skip_non_pte(struct sweep *w)
{
	while (w->t < w->te && tc_tab_level(w->t) != L_PTE)
		w->t++;
}

static int next_page(struct sweep *w, uint64_t *page)
{
	uint64_t p = UINT64_MAX;

	skip_non_pte(w);
	if (w->t < w->te)
		p = w->t->pa & ~0xfffULL;
	if (w->d < w->de && (w->d->pa & ~0xfffULL) < p)
		p = w->d->pa & ~0xfffULL;
	if (w->l < w->le && w->l->page_pa < p)
		p = w->l->page_pa;
	*page = p;
	return p != UINT64_MAX;
}

static void fill_page(struct sweep *w, struct s390_frag_page *fp)
{
	for (skip_non_pte(w); w->t < w->te && (w->t->pa & ~0xfffULL) == fp->pa;
	     w->t++, skip_non_pte(w))
		if (fp->refd[half_of(w->t->pa)] < 255)
			fp->refd[half_of(w->t->pa)]++;
	for (; w->d < w->de && (w->d->pa & ~0xfffULL) == fp->pa; w->d++)
		fp->deposit_pmd[half_of(w->d->pa)] = w->d->seg_pa;
	for (; w->l < w->le && w->l->page_pa == fp->pa; w->l++)
		fp->on_list = 1;
}

static void judge_mm_pages(struct tc_ctx *c, struct tc_mm_stats *m,
			   size_t d0, size_t d1, size_t l0, size_t l1,
			   int rings_partial)
{
	struct s390_priv *p = c->arch_priv;
	struct sweep w = {
		c->tabs + m->tab_first, c->tabs + m->tab_first + m->tab_n,
		/* no arithmetic on a NULL vector */
		p->deps ? p->deps + d0 : NULL, p->deps ? p->deps + d1 : NULL,
		p->listed ? p->listed + l0 : NULL, p->listed ? p->listed + l1 : NULL,
	};
	struct s390_frag_page fp;
	uint64_t page;
	int list_partial = is_list_partial(p, m->mm);

	if (d1 - d0 > 1)
		qsort(p->deps + d0, d1 - d0, sizeof(*p->deps), cmp_deposit);
	if (l1 - l0 > 1)
		qsort(p->listed + l0, l1 - l0, sizeof(*p->listed), cmp_listed);
	while (next_page(&w, &page)) {
		memset(&fp, 0, sizeof(fp));
		fp.pa = page;
		fp.mm = m->mm;
		fp.rings_partial = (uint8_t)rings_partial;
		fp.list_partial = (uint8_t)list_partial;
		fill_page(&w, &fp);
		judge_page(c, m, &fp);
	}
}

/* after all walks, so deposits can ask tc_referrers() whether a
 * deposited table is live in any mm (T3) */
void s390_check_all(struct tc_ctx *c)
{
	struct s390_priv *p = c->arch_priv;
	size_t i, n, d0, l0 = 0, l1;
	int partial;

	for (i = 0; i < c->nmms; i++) {
		struct tc_mm_stats *m = &c->mms[i];

		if (m->kernel)
			continue;
		/* check_mm listed the pages of each walked mm in this order
		 * (also of one whose top table was unreadable: skip those) */
		for (l1 = l0; l1 < p->nlisted && p->listed[l1].mm == m->mm; l1++)
			;
		if (m->tab_n) {
			d0 = p->ndeps;
			partial = check_deposits(c, m);
			judge_mm_pages(c, m, d0, p->ndeps, l0, l1, partial);
		}
		l0 = l1;
	}
	n = c->findings.n;
	for (i = 0; i < n; i++)
		if (c->findings.v[i].sig == TC_SIG(S390_PTE_ORED_SEG_INVALID))
			explain_ored(c, &c->findings.v[i]);
}

/* ------------------------------------------------------------ -x */

/* what the sweep would have built for one page */
static int gather_page(struct tc_ctx *c, uint64_t page_pa,
		       struct s390_frag_page *fp)
{
	struct s390_priv *p = c->arch_priv;
	const struct tc_table *r[16];
	size_t i, n;
	int h, seen = 0;

	memset(fp, 0, sizeof(*fp));
	fp->pa = page_pa;
	for (h = 0; h < 2; h++) {
		n = tc_referrers(c, page_pa + 0x800ULL * (unsigned)h, r, 16);
		for (i = 0; i < n && i < 16; i++) {
			const struct tc_mm_stats *m = tc_tab_mm(c, r[i]);

			if (tc_tab_level(r[i]) != L_PTE || !m || m->kernel)
				continue;
			fp->refd[h] += fp->refd[h] < 255;
			fp->mm = m->mm;
			seen = 1;
		}
	}
	for (i = 0; i < p->ndeps; i++)
		if ((p->deps[i].pa & ~0xfffULL) == page_pa) {
			fp->deposit_pmd[half_of(p->deps[i].pa)] = p->deps[i].seg_pa;
			fp->mm = p->deps[i].mm;
			seen = 1;
		}
	for (i = 0; i < p->nlisted; i++)
		if (p->listed[i].page_pa == page_pa) {
			fp->on_list = 1;
			fp->mm = p->listed[i].mm;
			seen = 1;
		}
	return seen;
}

void s390_explain_page(struct tc_ctx *c, uint64_t page_pa, FILE *f)
{
	struct s390_priv *p = c->arch_priv;
	struct s390_frag_page page, *fp = &page;

	if (!gather_page(c, page_pa, fp)) {
		fprintf(f, "  page %#llx is not a user pte-table page thpcheck saw\n",
			(unsigned long long)page_pa);
		return;
	}
	if (!c->vmemmap || !read_page(c, fp)) {
		fprintf(f, "  struct page of %#llx is not in the dump\n",
			(unsigned long long)page_pa);
		return;
	}
	{
		unsigned m = fp->refcount >> 24;
		int h;

		fprintf(f, "  struct page %#llx: flags %#llx, _refcount %#x, page_type %#x (%s)%s\n",
			(unsigned long long)tc_page_of(c, fp->pa),
			(unsigned long long)fp->flags, fp->refcount, fp->page_type,
			page_is_table(p, fp) ? "page table" : "NOT a page table",
			page_active(p, fp) ? ", PG_active" : "");
		if (p->scheme != S390_WHOLEPAGE)
			fprintf(f, "  fragment bits %#04x: A0 %u A1 %u P0 %u P1 %u, %son mm %#llx pgtable_list (lru %#llx %#llx)\n",
				m, m & 1, (m >> 1) & 1, (m >> 4) & 1, (m >> 5) & 1,
				fp->on_list ? "" : "not ",
				(unsigned long long)fp->mm,
				(unsigned long long)fp->lru_next,
				(unsigned long long)fp->lru_prev);
		for (h = 0; h < 2; h++) {
			fprintf(f, "  half %d (%#llx): %u segment-entry reference(s)",
				h, (unsigned long long)(fp->pa + 0x800ULL * (unsigned)h),
				fp->refd[h]);
			if (fp->deposit_pmd[h])
				fprintf(f, ", deposited on the THP ring of segment table %#llx",
					(unsigned long long)fp->deposit_pmd[h]);
			fputc('\n', f);
		}
	}
}
