/*
 * ppc64 book3s fragment and deposit forensics.
 *
 * - pte and pmd tables are fragments of 64 KiB pages
 *   (arch/powerpc/mm/pgtable-frag.c, mm/book3s64/pgtable.c): a page's
 *   pt_frag_refcount counts the fragments handed out and not yet freed,
 *   plus, on the mm's current page (context.pte_frag / pmd_frag cursor),
 *   the ones not handed out yet.  Freed fragments are never reused.
 * - THP deposits: radix threads a ring through the deposited pte
 *   fragments, headed by pmd_huge_pte of the pmd fragments' 64 KiB page
 *   (radix__pgtable_trans_huge_deposit); hash keeps one pointer per pmd
 *   entry in the slot array after the pmd table
 *   (hash__pgtable_trans_huge_deposit, ((pgtable_t *)pmdp)[PTRS_PER_PMD]).
 */
#include <stdlib.h>
#include <string.h>
#include "ppc.h"

#define PPC_PAGE_OFFSET	0xc000000000000000ULL
#define PPC_PAGE_SIZE	0x10000ULL
#define MAX_RING	4097
/* walk_radix_ring(): stopped at a fragment left out of the dump */
#define RING_PARTIAL	(MAX_RING + 1)
#define RING_SKIPPED "the rest of their deposit rings, their THP counts and the " \
	"pt_frag_refcount checks of the mm's pte-fragment pages that count too few"

int ppc_frag_init(struct tc_ctx *c, struct ppc_priv *p)
{
	if (tc_rd_var64(c, "__pte_frag_nr", &p->frag_nr[P_PTE]) < 0 ||
	    tc_rd_var64(c, "__pmd_frag_nr", &p->frag_nr[P_PMD]) < 0 ||
	    tc_rd_var64(c, "__pte_frag_size_shift", &p->frag_shift[P_PTE]) < 0 ||
	    tc_rd_var64(c, "__pmd_frag_size_shift", &p->frag_shift[P_PMD]) < 0)
		p->frag_nr[P_PTE] = p->frag_nr[P_PMD] = 0;	/* not judged */
	p->ctx_pte_frag = tc_off(c, "mm_struct", "context.pte_frag");
	p->ctx_pmd_frag = tc_off(c, "mm_struct", "context.pmd_frag");
	/* struct page first, ptdesc (v6.5+, same offsets) where page
	 * lacks it: a failed type look-up is slow in crash */
	p->pg_frag_refcount = tc_off(c, "page", "pt_frag_refcount");
	if (p->pg_frag_refcount < 0)
		p->pg_frag_refcount = tc_off(c, "ptdesc", "pt_frag_refcount");
	p->pg_huge_pte = tc_off(c, "page", "pmd_huge_pte");
	if (p->pg_huge_pte < 0)
		p->pg_huge_pte = tc_off(c, "ptdesc", "pmd_huge_pte");
	return 0;
}

void ppc_fini(struct tc_ctx *c)
{
	struct ppc_priv *p = c->arch_priv;

	if (p)
		free(p->deps);
	free(p);
	c->arch_priv = NULL;
}

/* ------------------------------------------------------------ deposits */

static int bad_pointer(uint64_t v, uint64_t align)
{
	return v < PPC_PAGE_OFFSET || (v & (align - 1));
}

static void deposit_corrupt(struct tc_ctx *c, struct tc_mm_stats *m,
			uint64_t where, int idx,
			    uint64_t value, uint64_t owner, const char *what)
{
	tc_report(c, m, TC_SIG(DEPOSIT_LIST_CORRUPT),
		  tc_at_entry(P_PTE, where, idx, value, TC_NO_ADDR),
		  "THP deposit of pmd page %#llx: %s", (unsigned long long)owner, what);
}

/* a deposited fragment of the mm checked now, for its page's refcount */
static void note_deposit(struct ppc_priv *p, uint64_t pa)
{
	if (tc_grow((void **)&p->deps, &p->capdeps, p->ndeps, sizeof(*p->deps)) == 0)
		p->deps[p->ndeps++] = pa;
}

/* a deposited pte fragment: not live, readable, and empty past the
 * words the deposit itself uses (T1 / H2 of the fragment rules);
 * 1 when it is, 0 when it is reported corrupt, -1 when it is left out
 * of the dump */
static int check_node(struct tc_ctx *c, struct tc_mm_stats *m,
			uint64_t from, int from_idx,
		      uint64_t node, uint64_t owner, unsigned char *buf,
		      size_t len)
{
	struct ppc_priv *p = c->arch_priv;
	uint64_t pa = node - PPC_PAGE_OFFSET, before;

	if (bad_pointer(node, p->align[P_PTE])) {
		deposit_corrupt(c, m, from, from_idx, node, owner,
				"pointer is not an aligned pte fragment");
		return 0;
	}
	if (tc_referrers(c, pa, NULL, 0)) {
		deposit_corrupt(c, m, from, from_idx, node, owner,
				"deposited fragment is also referenced by a pmd");
		return 0;
	}
	before = c->stats.excluded_reads;
	if (tc_read_pa_direct(c, pa, buf, len) < 0) {
		if (tc_not_in_dump(c, before, TC_NID_TABLE, pa, RING_SKIPPED))
			return -1;
		deposit_corrupt(c, m, from, from_idx, node, owner,
				"deposited fragment is not in the dump");
		return 0;
	}
	c->stats.deposited++;
	if (c->opts.inventory || c->opts.verbose)
		tc_print_table(c, m, P_PTE, pa, 0, 0, owner);
	note_deposit(p, pa);
	return 1;
}

/* radix: entries past the list_head are none (0): withdraw zeroes the
 * two list words, nothing else is written while deposited */
static void radix_content(struct tc_ctx *c, struct tc_mm_stats *m,
			uint64_t pa,
			  const unsigned char *buf, unsigned n)
{
	unsigned i;

	for (i = 2; i < n; i++) {
		uint64_t v = tc_load_entry(c, buf + 8 * i);

		if (v) {
			tc_report(c, m, TC_SIG(DEPOSIT_NOT_EMPTY),
				  tc_at_entry(P_PTE, pa, (int)i, v, TC_NO_ADDR),
				  "deposited pte fragment has a non-none entry");
			return;
		}
	}
}

static unsigned walk_radix_ring(struct tc_ctx *c, struct tc_mm_stats *m,
			uint64_t page_pa,
				uint64_t head)
{
	struct ppc_priv *p = c->arch_priv;
	unsigned n = 0, entries = p->levels[P_PTE].entries;
	unsigned char buf[8 * 256];
	uint64_t node = head, from = page_pa, next, nprev = 0, before;
	int from_idx = -1;

	if (entries > 256)
		return 0;
	do {
		int ok = check_node(c, m, from, from_idx, node, page_pa, buf, 8 * entries);

		if (ok <= 0)
			return ok < 0 ? RING_PARTIAL : MAX_RING;
		if (++n >= MAX_RING) {
			deposit_corrupt(c, m, node - PPC_PAGE_OFFSET, 0, node, page_pa,
					"ring does not close (cycle)");
			return MAX_RING;
		}
		radix_content(c, m, node - PPC_PAGE_OFFSET, buf, entries);
		next = tc_load64(c, buf);	/* list_head: native order */
		before = c->stats.excluded_reads;
		if (!bad_pointer(next, p->align[P_PTE]) &&
		    tc_rd64(c, next + 8, &nprev) < 0 &&
		    tc_not_in_dump(c, before, TC_NID_TABLE, next - PPC_PAGE_OFFSET,
				   RING_SKIPPED))
			return RING_PARTIAL;
		if (bad_pointer(next, p->align[P_PTE])) {
			deposit_corrupt(c, m, node - PPC_PAGE_OFFSET, 0, next, page_pa,
					"next is not a deposited fragment pointer");
			return MAX_RING;
		}
		/* list_del's check: next->prev must point back here */
		if (nprev != node) {
			deposit_corrupt(c, m, next - PPC_PAGE_OFFSET, 1, nprev, page_pa,
					nprev ? "next->prev does not point back (list_del corruption)" :
					"next->prev is 0 (the word withdraw zeroes), not the fragment "
					"before it: list_del corruption");
			/* linked all the same: deposited, not an orphan */
			if (next != node)
				note_deposit(p, next - PPC_PAGE_OFFSET);
			return MAX_RING;
		}
		from = node - PPC_PAGE_OFFSET;
		from_idx = 0;
		node = next;
	} while (node != head);
	return n;
}

static uint64_t page_of(uint64_t pa)
{
	return pa & ~(PPC_PAGE_SIZE - 1);
}

/* a ring or slot array one table off its THP pmds while a huge pmd is
 * zapped, split or collapsed under pmd_lock(): one split ptlock for the
 * fragments of a 64 KiB page (pmd_pgtable_page() is the page's) */
static int pmd_update_in_flight(struct tc_ctx *c, struct tc_mm_stats *m,
			uint64_t page_pa, unsigned n,
				unsigned thp)
{
	return tc_inflight_pmd_update(c, m->mm, page_pa, page_of(page_pa) + PPC_PAGE_OFFSET,
				      PPC_PAGE_SIZE, tc_ptlock_of(c, page_pa), n, thp);
}

/* H3: one ring per 64 KiB page of pmd fragments, one node per THP */
static void radix_deposits(struct tc_ctx *c, struct tc_mm_stats *m,
			uint64_t page_pa, unsigned thp)
{
	struct ppc_priv *p = c->arch_priv;
	uint64_t spage = tc_page_of(c, page_pa), head;
	uint64_t before = c->stats.excluded_reads;
	unsigned n = 0;

	if (!spage || p->pg_huge_pte < 0)
		return;
	if (tc_rd64(c, spage + p->pg_huge_pte, &head) < 0) {
		tc_not_in_dump(c, before, TC_NID_PAGE, page_pa, RING_SKIPPED);
		p->deps_partial = 1;
		return;
	}
	if (head)
		n = walk_radix_ring(c, m, page_pa, head);
	p->deps_partial |= n == MAX_RING || n == RING_PARTIAL;
	if (n != MAX_RING && n != RING_PARTIAL && n != thp &&
	    !pmd_update_in_flight(c, m, page_pa, n, thp))
		tc_report(c, m, TC_SIG(DEPOSIT_COUNT),
			  tc_at_table(P_PMD, page_pa, n, TC_NO_ADDR),
			  "%u deposited pte fragments on the ring, %u THP pmds in the page's pmd fragments",
			  n, thp);
}

/* hash: the deposited fragment holds the THP's HPTE slot bytes, each
 * [000 | secondary | hidx(3) | valid] (hash-64k.h): top 3 bits zero */
static void hash_content(struct tc_ctx *c, struct tc_mm_stats *m,
			uint64_t pa, const unsigned char *buf,
			 size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] & 0xe0) {
			tc_report(c, m, TC_SIG(DEPOSIT_NOT_EMPTY),
				  tc_at_entry(P_PTE, pa, (int)(i / 8), tc_load_entry(c, buf + (i & ~7UL)), TC_NO_ADDR),
				  "deposited HPTE slot array has a byte with bits 0xe0 set");
			return;
		}
}

/*
 * H1: a THP pmd (_PAGE_PTE | H_PAGE_THP_HUGE, hash-64k.h) has its
 * deposited fragment in slot[i].  A hugetlb pmd keeps its HPTE hidx in
 * the same word (seen in the ppc64le-6.1-hash sample: value 0x1), so
 * only the slots of THP entries are pointers.
 */
#define H_PAGE_THP_HUGE		0x2000ULL
#define PPC_PAGE_PTE		0x4000000000000000ULL

static void hash_deposits(struct tc_ctx *c, struct tc_mm_stats *m,
			const struct tc_table *t)
{
	struct ppc_priv *p = c->arch_priv;
	unsigned i, n = 0, entries = p->levels[P_PMD].entries;
	uint64_t slots = t->pa + 8ULL * entries;
	unsigned char buf[4096];
	size_t len = (size_t)p->align[P_PTE];

	if (len > sizeof(buf))
		len = sizeof(buf);
	for (i = 0; i < entries; i++) {
		unsigned char b[8];
		uint64_t e, v;

		if (tc_read_pa(c, t->pa + 8ULL * i, b, 8) < 0) {
			p->deps_partial = 1;
			return;
		}
		e = tc_load_entry(c, b);
		if ((e & (PPC_PAGE_PTE | H_PAGE_THP_HUGE)) !=
		    (PPC_PAGE_PTE | H_PAGE_THP_HUGE))
			continue;
		if (tc_read_pa(c, slots + 8ULL * i, b, 8) < 0) {
			p->deps_partial = 1;
			return;
		}
		v = tc_load64(c, b);	/* a pointer: native order */
		if (!v)
			continue;
		n++;
		if (check_node(c, m, slots, (int)i, v, t->pa, buf, len) > 0)
			hash_content(c, m, v - PPC_PAGE_OFFSET, buf, len);
		else
			p->deps_partial = 1;
	}
	if (n != tc_tab_thp(t) && !pmd_update_in_flight(c, m, t->pa, n, tc_tab_thp(t)))
		tc_report(c, m, TC_SIG(DEPOSIT_COUNT),
			  tc_at_table(P_PMD, t->pa, n, tc_tab_va(c, t)),
			  "%u THP pmds with a deposited fragment in the slot array, %u THP pmds in the table",
			  n, tc_tab_thp(t));
}

/* ------------------------------------------------------------ refcount */

/* R1/R2: pt_frag_refcount == fragments in use (+ the cursor page's
 * fragments not handed out yet) */
static void check_refcount(struct tc_ctx *c, struct tc_mm_stats *m,
			const struct ppc_frag_page *fp)
{
	struct ppc_priv *p = c->arch_priv;
	long ctx = fp->level == P_PTE ? p->ctx_pte_frag : p->ctx_pmd_frag;
	uint64_t spage = tc_page_of(c, fp->pa), cursor = 0, expect = fp->used;
	uint64_t before = c->stats.excluded_reads;
	uint32_t ref;

	if (!spage || ctx < 0 || p->pg_frag_refcount < 0 || !p->frag_nr[fp->level])
		return;
	if (tc_rd32(c, spage + p->pg_frag_refcount, &ref) < 0) {
		tc_not_in_dump(c, before, TC_NID_PAGE, fp->pa,
			       "the pt_frag_refcount checks of their fragment pages");
		return;
	}
	tc_rd64(c, fp->mm + ctx, &cursor);
	if (cursor && ((cursor - PPC_PAGE_OFFSET) & ~(PPC_PAGE_SIZE - 1)) == fp->pa)
		expect += p->frag_nr[fp->level] -
			  (((cursor & (PPC_PAGE_SIZE - 1)) >> p->frag_shift[fp->level]));
	/* deposited fragments past a ring that was not read whole are
	 * uncounted: too few is no evidence then (too many still is) */
	if (ref > expect && fp->level == P_PTE && p->deps_partial)
		return;
	/* a count above the live fragments is legal while tasks hold the
	 * others: allocated, not yet in a pmd (pte_fragment_alloc() before
	 * pmd_populate()), or unlinked and waiting in an mmu_gather batch
	 * for pte_fragment_free() (arch/powerpc/mm/book3s64/pgtable.c
	 * pgtable_free_tlb()) */
	if (ref > expect &&
	    tc_inflight_fragments(c, fp->pa, fp->pa + PPC_PAGE_OFFSET, PPC_PAGE_SIZE,
				  1ULL << p->frag_shift[fp->level], fp->mm, ref - (unsigned)expect))
		return;
	if (ref != expect)
		tc_report(c, m, TC_SIG(PPC_FRAG_REFCOUNT),
			  tc_at_table(fp->level, fp->pa, ref, TC_NO_ADDR),
			  "pt_frag_refcount %u, but %u %s fragments are in use%s (%u expected)",
			  ref, fp->used, fp->level == P_PTE ? "pte" : "pmd",
			  expect != fp->used ? " plus the cursor page's unused ones" : "",
			  (unsigned)expect);
}

/* ------------------------------------------------------------ sweep */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* one mm's pmd-fragment pages in address order (its slice of c->tabs
 * is sorted): THP deposits (radix: one ring per page) and refcounts */
static void pmd_pages(struct tc_ctx *c, struct tc_mm_stats *m)
{
	struct ppc_priv *p = c->arch_priv;
	const struct tc_table *t = c->tabs + m->tab_first, *te = t + m->tab_n;
	struct ppc_frag_page fp;

	while (t < te) {
		if (tc_tab_level(t) != P_PMD) {
			t++;
			continue;
		}
		memset(&fp, 0, sizeof(fp));
		fp.pa = page_of(t->pa);
		fp.mm = m->mm;
		fp.level = P_PMD;
		for (; t < te && page_of(t->pa) == fp.pa; t++)
			if (tc_tab_level(t) == P_PMD) {
				fp.used++;
				fp.thp += tc_tab_thp(t);
				if (!p->radix)
					hash_deposits(c, m, t);
			}
		if (p->radix)
			radix_deposits(c, m, fp.pa, fp.thp);
		check_refcount(c, m, &fp);
	}
}

/* one mm's pte-fragment pages: live fragments merged with deposited */
static void pte_pages(struct tc_ctx *c, struct tc_mm_stats *m)
{
	struct ppc_priv *p = c->arch_priv;
	const struct tc_table *t = c->tabs + m->tab_first, *te = t + m->tab_n;
	const uint64_t *d = p->deps, *de = p->deps ? p->deps + p->ndeps : NULL;
	struct ppc_frag_page fp;

	if (p->ndeps > 1)
		qsort(p->deps, p->ndeps, sizeof(*p->deps), cmp_u64);
	for (;;) {
		while (t < te && tc_tab_level(t) != P_PTE)
			t++;
		if (t == te && d == de)
			break;
		memset(&fp, 0, sizeof(fp));
		fp.pa = t < te && (d == de || t->pa < *d) ? page_of(t->pa) : page_of(*d);
		fp.mm = m->mm;
		fp.level = P_PTE;
		for (; t < te && page_of(t->pa) == fp.pa; t++)
			fp.used += tc_tab_level(t) == P_PTE;
		for (; d < de && page_of(*d) == fp.pa; d++)
			fp.used++;
		check_refcount(c, m, &fp);
	}
}

void ppc_check_all(struct tc_ctx *c)
{
	struct ppc_priv *p = c->arch_priv;
	size_t i;

	for (i = 0; i < c->nmms; i++) {
		struct tc_mm_stats *m = &c->mms[i];

		if (!m->tab_n || m->kernel)
			continue;	/* early kernel tables come from memblock */
		m = m;
		p->ndeps = 0;
		p->deps_partial = 0;
		pmd_pages(c, m);
		pte_pages(c, m);
	}
}
