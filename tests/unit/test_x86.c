/*
 * Unit tests of the x86_64 decoder and checks on a synthetic dump, once
 * with 4-level and once with 5-level tables: a task list, one user mm
 * with a maple tree of VMAs, pgd [-> p4d] -> pud -> pmd -> pte, an
 * anonymous THP with its deposited table, page_type bits on the table
 * pages, the kernel half of the user pgd.  Each rule is planted once;
 * the legal non-present forms (PROT_NONE with the L1TF inversion, a
 * pmdp_invalidate()d THP, swap entries) must give no finding.
 */
#include <stdio.h>
#include <string.h>
#include "world_x86.h"
#include "check.h"

static void test_clean(void)
{
	struct synth s;
	struct tc_ctx c;
	const struct tc_mm_stats *m;
	uint64_t pa = 0;
	int l;

	build_x86_world(&s);
	check(run_x86_world(&s, &c) == 0, "clean: run fails: %s", c.err);
	check(c.findings.n == 0, "l5=%d clean: %zu findings (first %s: %s)", x86_l5,
	      c.findings.n, first_sig(&c), c.findings.n ? c.findings.v[0].detail : "");
	check(!strcmp(c.scheme, x86_l5 ? "x86_64-5level" : "x86_64-4level"),
	      "scheme %s", c.scheme);
	check(c.nlevels == (x86_l5 ? 5 : 4), "levels %d", c.nlevels);
	/* two pgds, the kernel's table below its slot, the user chain */
	check(c.stats.tables[0] == 2 && c.stats.tables[c.nlevels - 1] == 1 &&
	      c.stats.tables[c.nlevels - 2] == 1,
	      "tables pgd %llu pmd %llu pte %llu", (unsigned long long)c.stats.tables[0],
	      (unsigned long long)c.stats.tables[c.nlevels - 2],
	      (unsigned long long)c.stats.tables[c.nlevels - 1]);
	check(c.stats.present_ptes == 1 && c.stats.thp_pmds == 1 &&
	      c.stats.deposited == 1, "present %llu thp %llu deposited %llu",
	      (unsigned long long)c.stats.present_ptes,
	      (unsigned long long)c.stats.thp_pmds,
	      (unsigned long long)c.stats.deposited);
	m = tc_mm_of(&c, KV + MM_A);
	check(m && m->vmas == 2 && m->npids == 1 && m->pids[0] == 42, "mm A: vmas/pid");
	check(tc_translate(&c, KV + MM_A, VA_PTE + 0x123, &pa) == 0 &&
	      pa == PTE_FRAME + 0x123, "translate pte: %#llx", (unsigned long long)pa);
	check(tc_translate(&c, KV + MM_A, VA_THP + 0x12345, &pa) == 0 &&
	      pa == THP_FRAME + 0x12345, "translate THP: %#llx", (unsigned long long)pa);
	for (l = 0; l < c.nlevels; l++) {
		struct tc_entry e;

		c.arch->decode(&c, NULL, l, 0, c.levels[l].none, &e);
		check(e.kind == TC_NONE, "%s: none decodes as kind %d", c.levels[l].name, e.kind);
	}
	tc_free(&c);
	synth_free(&s);
}

struct plant {
	const char *sig;
	uint64_t pa, value;
	int bits32;
	uint64_t table;		/* expected finding */
	int index;
};

static void test_plant(const struct plant *p)
{
	struct synth s;
	struct tc_ctx c;

	build_x86_world(&s);
	if (p->bits32)
		synth_put32(&s, p->pa, (uint32_t)p->value);
	else
		synth_put64(&s, p->pa, p->value);
	check(run_x86_world(&s, &c) == 0, "%s: run fails: %s", p->sig, c.err);
	check(find_at(&c, p->sig, p->table, p->index) != NULL,
	      "l5=%d %s: no finding at %#llx[%d] (%zu findings, first %s: %s)", x86_l5,
	      p->sig, (unsigned long long)p->table, p->index, c.findings.n, first_sig(&c),
	      c.findings.n ? c.findings.v[0].detail : "");
	tc_free(&c);
	synth_free(&s);
}

static void test_plants(void)
{
	const uint64_t top = x86_l5 ? U_P4D : U_PUD, thp = THP_FRAME | PSE | LEAF_RW;
	const struct plant v[] = {
		/* a frame bit above the CPU's 40 physical-address bits */
		{ "X86_PTE_ILLEGAL", U_PTE + 8, (PTE_FRAME | LEAF_RW) | (1ULL << 45), 0, U_PTE, 1 },
		/* a user pte without _PAGE_USER, one with _PAGE_GLOBAL */
		{ "X86_PTE_ILLEGAL", U_PTE, PTE_FRAME | 0x63, 0, U_PTE, 0 },
		{ "X86_PTE_ILLEGAL", U_PTE, PTE_FRAME | LEAF_RW | 0x100, 0, U_PTE, 0 },
		/* non-present with bit 4: no swap entry, no PROT_NONE */
		{ "X86_PTE_ILLEGAL", U_PTE + 8, 0x1010, 0, U_PTE, 1 },
		/* a pmd table entry with PCD (pmd_bad) */
		{ "X86_PMD_ILLEGAL", U_PMD + 8 * 5, U_PTE | 0x77, 0, U_PMD, 5 },
		/* a 2 MiB leaf with bits 13..20 set */
		{ "X86_PMD_ILLEGAL", U_PMD + 8 * I_THP, thp | 0x2000, 0, U_PMD, I_THP },
		/* _PAGE_PROTNONE without PSE: neither table nor huge leaf */
		{ "X86_PMD_ILLEGAL", U_PMD + 8 * 5, 0x1100, 0, U_PMD, 5 },
		/* a pud table entry with G (pud_bad) */
		{ "X86_PUD_ILLEGAL", U_PUD + 8, U_PMD | TABLE | 0x100, 0, U_PUD, 1 },
		/* PS in the top level; a non-present top-level entry */
		{ "X86_PGD_ILLEGAL", U_PGD + 8, top | TABLE | PSE, 0, U_PGD, 1 },
		{ "X86_PGD_ILLEGAL", U_PGD + 8, 0x1000, 0, U_PGD, 1 },
		/* the user pgd's kernel half no longer init_mm's */
		{ "X86_PGD_KERNEL_HALF", U_PGD + 8 * 300, K_PUD | TABLE, 0, U_PGD, 300 },
		{ "X86_PGD_KERNEL_HALF", U_PGD + 8 * K_SLOT, 0, 0, U_PGD, K_SLOT },
		/* a pte table whose struct page is no page table (freed) */
		{ "X86_TABLE_NOT_PGTABLE", SPAGE(U_PTE) + 48, 0xffffffff, 1, U_PTE, -1 },
		{ "X86_TABLE_NOT_PGTABLE", SPAGE(DEP) + 48, 0xffffff7f, 1, DEP, -1 },
		/* the pte table referenced twice: both entries reported */
		{ "TABLE_MULTI_REF", U_PMD + 8 * 6, U_PTE | TABLE, 0, U_PMD, 6 },
		{ "TABLE_MULTI_REF", U_PMD + 8 * 6, U_PTE | TABLE, 0, U_PMD, I_PTE },
		/* a present pte past VMA1's end */
		{ "PTE_OUTSIDE_VMA", U_PTE + 8 * 100, 0x520000 | LEAF_RW, 0, U_PTE, 100 },
		/* the deposit ring is gone: one anonymous THP, no deposit */
		{ "DEPOSIT_COUNT", SPAGE(U_PMD) + 16, 0, 0, U_PMD, -1 },
		/* a pte in the deposited table: BUG_ON(!pte_none) at split */
		{ "DEPOSIT_NOT_EMPTY", DEP + 8 * 5, 0x520000 | LEAF_RW, 0, DEP, 5 },
		/* lru.prev of the deposited page does not point back */
		{ "DEPOSIT_LIST_CORRUPT", SPAGE(DEP) + 16, SPAGE_KV(DEP) + 0x48, 0,
		  SPAGE_KV(DEP) + 16, 1 },
		/* the ring's head is no struct page */
		{ "DEPOSIT_LIST_CORRUPT", SPAGE(U_PMD) + 16, KV + U_PTE, 0, SPAGE_KV(U_PMD), 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		test_plant(&v[i]);
}

/* one entry replaced by a legal non-present form: no finding, and the
 * engine counts it where the kernel would */
static void test_legal(const char *what, uint64_t pa, uint64_t value,
		       uint64_t present, uint64_t swap, uint64_t thp)
{
	struct synth s;
	struct tc_ctx c;

	build_x86_world(&s);
	synth_put64(&s, pa, value);
	check(run_x86_world(&s, &c) == 0, "%s: run fails: %s", what, c.err);
	check(c.findings.n == 0, "l5=%d %s: %zu findings (first %s: %s)", x86_l5, what,
	      c.findings.n, first_sig(&c), c.findings.n ? c.findings.v[0].detail : "");
	check(c.stats.present_ptes == present && c.stats.swap_ptes == swap &&
	      c.stats.thp_pmds == thp, "%s: present %llu swap %llu thp %llu", what,
	      (unsigned long long)c.stats.present_ptes, (unsigned long long)c.stats.swap_ptes,
	      (unsigned long long)c.stats.thp_pmds);
	tc_free(&c);
	synth_free(&s);
}

static void test_non_present(void)
{
	/* pte_modify(pte, PAGE_NONE): P and RW/US cleared, G|A set, the
	 * frame inverted (pgtable-invert.h) */
	const uint64_t none_pte = (~(uint64_t)PTE_FRAME & PTE_ADDR) | 0x120 | 0x40;
	/* pmd_modify(): only bits 21..51 inverted; pmd_mkinvalid(): G and P
	 * cleared, PSE kept */
	const uint64_t none_thp = (~(uint64_t)THP_FRAME & PMD_ADDR) | 0x1a0 | 0x40;
	const uint64_t inval_thp = (~(uint64_t)THP_FRAME & PMD_ADDR) | 0xe6;
	/* __swp_entry(type 1, offset 0x1234): ~offset in bits 9..58 */
	const uint64_t swp = (1ULL << 59) | ((~0x1234ULL << 14) >> 5);
	struct synth s;
	struct tc_ctx c;
	uint64_t pa = 0;

	test_legal("PROT_NONE pte", U_PTE, none_pte, 1, 0, 1);
	test_legal("PROT_NONE THP", U_PMD + 8 * I_THP, none_thp, 1, 0, 1);
	test_legal("invalidated THP", U_PMD + 8 * I_THP, inval_thp, 1, 0, 1);
	test_legal("swap pte", U_PTE + 8, swp, 1, 1, 1);
	test_legal("A/D only (pte_none)", U_PTE + 8, 0x60, 1, 0, 1);
	/* the inverted frame is translated back */
	build_x86_world(&s);
	synth_put64(&s, U_PTE, none_pte);
	synth_put64(&s, U_PMD + 8 * I_THP, none_thp);
	check(run_x86_world(&s, &c) == 0, "PROT_NONE: run fails");
	check(tc_translate(&c, KV + MM_A, VA_PTE + 8, &pa) == 0 && pa == PTE_FRAME + 8,
	      "PROT_NONE pte translates to %#llx", (unsigned long long)pa);
	check(tc_translate(&c, KV + MM_A, VA_THP + 8, &pa) == 0 && pa == THP_FRAME + 8,
	      "PROT_NONE THP translates to %#llx", (unsigned long long)pa);
	tc_free(&c);
	synth_free(&s);
}

/* espfix maps one table from many entries on purpose (pgd/p4d slot -2):
 * no TABLE_MULTI_REF there; the same sharing elsewhere in the kernel's
 * tables is one */
static void test_espfix_shared(void)
{
	/* tables of the kernel half: an espfix pud (4-level: under pgd 510;
	 * 5-level: under p4d 510 of pgd 511), a pmd table two of its
	 * entries share */
	const uint64_t top = x86_l5 ? K_P4D + 0x3000 : K_PGD, pud = K_PUD + 0x5000,
		       pmd = K_PUD + 0x6000;
	struct synth s;
	struct tc_ctx c;
	int shared;

	for (shared = 0; shared < 2; shared++) {
		build_x86_world(&s);
		/* every pgd's kernel half is init_mm's */
		if (x86_l5) {
			synth_put64(&s, K_PGD + 8 * 511, top | KTABLE);
			synth_put64(&s, U_PGD + 8 * 511, top | KTABLE);
		}
		synth_put64(&s, top + 8 * 510, pud | KTABLE);
		if (!x86_l5)
			synth_put64(&s, U_PGD + 8 * 510, shared ? pud | KTABLE : 0);
		synth_put64(&s, pud, pmd | KTABLE);
		synth_put64(&s, pud + 8, pmd | KTABLE);
		if (!shared) {	/* the same pair under the direct map's slot */
			synth_put64(&s, top + 8 * 510, 0);
			synth_put64(&s, K_PUD + 8 * 3, pmd | KTABLE);
			synth_put64(&s, K_PUD + 8 * 4, pmd | KTABLE);
		}
		check(run_x86_world(&s, &c) == 0, "espfix: run fails: %s", c.err);
		if (shared)
			check(c.findings.n == 0, "l5=%d espfix tables shared by design: %zu findings "
			      "(first %s)", x86_l5, c.findings.n, first_sig(&c));
		else
			check(find_at(&c, "TABLE_MULTI_REF", K_PUD, 3) != NULL,
			      "l5=%d a table shared outside espfix: no TABLE_MULTI_REF (%zu findings, "
			      "first %s)", x86_l5, c.findings.n, first_sig(&c));
		tc_free(&c);
		synth_free(&s);
	}
}

/* a kernel large page set_memory_np() made not present (P, PSE and G
 * clear, the frame inverted, NX RW A D kept): no finding */
static void test_kernel_np_large(void)
{
	const uint64_t np = (~0x40000000ULL & PTE_ADDR) | X86_NX_BIT | 0x62;
	struct synth s;
	struct tc_ctx c;

	build_x86_world(&s);
	synth_put64(&s, K_PUD + 8 * 1, np);
	check(run_x86_world(&s, &c) == 0, "kernel np pud: run fails: %s", c.err);
	check(c.findings.n == 0, "l5=%d kernel pud made not present by CPA: %zu findings "
	      "(first %s)", x86_l5, c.findings.n, first_sig(&c));
	tc_free(&c);
	synth_free(&s);
}

/*
 * PTI: X86_FEATURE_PTI set, the user pgd's kernel copy with NX on its
 * present user entry, the user copy above it as __pti_set_user_pgtbl()
 * writes it; init_mm's user copy is the page above its pgd (empty in
 * its kernel half here, like the user copy's).
 */
static void make_pti(struct synth *s)
{
	const uint64_t top = x86_l5 ? U_P4D : U_PUD;

	build_x86_world(s);
	synth_put32(s, CPUINFO + 0x20 + 4 * 7, 1u << 11);
	synth_put64(s, U_PGD, top | TABLE | X86_NX_BIT);
	synth_put64(s, U_PGD + 0x1000, top | TABLE);
}

static void test_pti_plant(const char *what, uint64_t pa, uint64_t value, int index)
{
	struct synth s;
	struct tc_ctx c;

	make_pti(&s);
	synth_put64(&s, pa, value);
	check(run_x86_world(&s, &c) == 0, "PTI %s: run fails: %s", what, c.err);
	check(find_at(&c, "X86_PTI_USER_COPY", U_PGD + 0x1000, index) != NULL,
	      "l5=%d PTI %s: no X86_PTI_USER_COPY at the user copy [%d] (%zu findings, "
	      "first %s)", x86_l5, what, index, c.findings.n, first_sig(&c));
	check(c.findings.n == 1, "PTI %s: %zu findings", what, c.findings.n);
	tc_free(&c);
	synth_free(&s);
}

static void test_pti(void)
{
	const uint64_t top = x86_l5 ? U_P4D : U_PUD;
	struct synth s;
	struct tc_ctx c;

	make_pti(&s);
	/* the CPU set A in the user copy only: not a difference */
	synth_put64(&s, U_PGD + 0x1000, top | TABLE | 0x20);
	synth_put64(&s, U_PGD, (top | TABLE | X86_NX_BIT) & ~0x20ULL);
	check(run_x86_world(&s, &c) == 0, "PTI clean: run fails: %s", c.err);
	check(c.findings.n == 0, "l5=%d PTI clean: %zu findings (first %s: %s)", x86_l5,
	      c.findings.n, first_sig(&c), c.findings.n ? c.findings.v[0].detail : "");
	check(!strcmp(c.scheme, x86_l5 ? "x86_64-5level-pti" : "x86_64-4level-pti"),
	      "PTI scheme %s", c.scheme);
	tc_free(&c);
	synth_free(&s);
	/* the user copy lost its entry; the kernel's copy lacks the NX
	 * __pti_set_user_pgtbl() adds; a kernel-half entry init_mm's user
	 * copy does not have */
	test_pti_plant("user copy cleared", U_PGD + 0x1000, 0, 0);
	test_pti_plant("kernel copy without NX", U_PGD, top | TABLE, 0);
	test_pti_plant("user copy kernel half", U_PGD + 0x1000 + 8 * 300, K_PUD | TABLE, 300);
}

int main(void)
{
	for (x86_l5 = 0; x86_l5 < 2; x86_l5++) {
		test_clean();
		test_plants();
		test_non_present();
		test_espfix_shared();
		test_pti();
		test_kernel_np_large();
	}
	printf("unit-x86: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
