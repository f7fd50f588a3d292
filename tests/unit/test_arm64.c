/*
 * Unit tests of the arm64 decoder and checks on a synthetic dump, once
 * with the v6.1 and once with the v6.10+ encodings: a task list, one user
 * mm with a maple tree of VMAs, pgd -> pud -> pmd -> pte, a contiguous
 * run of 16 ptes, an anonymous THP with its deposited table, a 32 MiB
 * hugetlb page of 16 contiguous pmd blocks, page_type bits on the table
 * pages.  Each rule is planted once; the legal non-valid forms
 * (PROT_NONE, a pmdp_invalidate()d THP, swap entries) and what hardware
 * changes in one entry of a run (AF, DBM's RDONLY) give no finding.
 */
#include <stdio.h>
#include <string.h>
#include "world_arm64.h"
#include "check.h"

static void test_clean(void)
{
	struct synth s;
	struct tc_ctx c;
	const struct tc_mm_stats *m;
	uint64_t pa = 0;
	int l;

	build_arm64_world(&s);
	check(run_arm64_world(&s, &c) == 0, "clean: run fails: %s", c.err);
	check(c.findings.n == 0, "v610=%d clean: %zu findings (first %s: %s)", arm64_v610,
	      c.findings.n, first_sig(&c), c.findings.n ? c.findings.v[0].detail : "");
	check(!strcmp(c.scheme, "arm64-4k-48bit"), "scheme %s", c.scheme);
	check(c.nlevels == 4, "levels %d", c.nlevels);
	/* two pgds and puds (the kernel's linear-map pud is empty), the
	 * user pmd and pte tables */
	check(c.stats.tables[0] == 2 && c.stats.tables[1] == 2 && c.stats.tables[2] == 1 &&
	      c.stats.tables[3] == 1, "tables pgd %llu pud %llu pmd %llu pte %llu",
	      (unsigned long long)c.stats.tables[0], (unsigned long long)c.stats.tables[1],
	      (unsigned long long)c.stats.tables[2], (unsigned long long)c.stats.tables[3]);
	check(c.stats.present_ptes == 16 && c.stats.thp_pmds == 1 &&
	      c.stats.deposited == 1, "present %llu thp %llu deposited %llu",
	      (unsigned long long)c.stats.present_ptes,
	      (unsigned long long)c.stats.thp_pmds,
	      (unsigned long long)c.stats.deposited);
	m = tc_mm_of(&c, KV + MM_A);
	check(m && m->vmas == 3 && m->npids == 1 && m->pids[0] == 42, "mm A: vmas/pid");
	check(tc_translate(&c, KV + MM_A, VA_PTE + 0x3123, &pa) == 0 &&
	      pa == PTE_FRAME + 0x3123, "translate pte: %#llx", (unsigned long long)pa);
	check(tc_translate(&c, KV + MM_A, VA_THP + 0x12345, &pa) == 0 &&
	      pa == THP_FRAME + 0x12345, "translate THP: %#llx", (unsigned long long)pa);
	check(tc_translate(&c, KV + MM_A, VA_HUGE + 0x1234567, &pa) == 0 &&
	      pa == HUGE_FRAME + 0x1234567, "translate 32M hugetlb: %#llx",
	      (unsigned long long)pa);
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

	build_arm64_world(&s);
	if (p->bits32)
		synth_put32(&s, p->pa, (uint32_t)p->value);
	else
		synth_put64(&s, p->pa, p->value);
	check(run_arm64_world(&s, &c) == 0, "%s: run fails: %s", p->sig, c.err);
	check(find_at(&c, p->sig, p->table, p->index) != NULL,
	      "v610=%d %s: no finding at %#llx[%d] (%zu findings, first %s: %s)", arm64_v610,
	      p->sig, (unsigned long long)p->table, p->index, c.findings.n, first_sig(&c),
	      c.findings.n ? c.findings.v[0].detail : "");
	tc_free(&c);
	synth_free(&s);
}

static uint64_t run_pte(int i)
{
	return (PTE_FRAME + 0x1000ULL * (uint64_t)i) | LEAF_RW | CONT;
}

static void test_plants(void)
{
	const uint64_t thp = THP_FRAME | BLOCK_RW;
	/* a swap entry, v6.1: type 1 in 3-7, offset in 8-; v6.10+: 6-10, 12- */
	const uint64_t swp = arm64_v610 ? (1ULL << 6) | (0x1234ULL << 12) :
			     (1ULL << 3) | (0x1234ULL << 8);
	/* not valid but present to Linux, yet not PAGE_NONE (v6.10+: nG with
	 * USER; v6.1: PTE_PROT_NONE on a valid entry) */
	const uint64_t bad_pi = arm64_v610 ? (PTE_FRAME | LEAF_RW) & ~1ULL :
				PTE_FRAME | LEAF_RW | (1ULL << 58);
	const struct plant v[] = {
		{ "ARM64_PTE_ILLEGAL", U_PTE + 8 * 20, bad_pi, 0, U_PTE, 20 },
		/* an output-address bit above 48 bits (RES0) */
		{ "ARM64_PTE_ILLEGAL", U_PTE + 8 * 20, (PTE_FRAME | LEAF_RW) | (1ULL << 48), 0, U_PTE, 20 },
		/* a user page without nG, without PXN, reachable by nobody */
		{ "ARM64_PTE_ILLEGAL", U_PTE + 8 * 20, (PTE_FRAME | LEAF_RW) & ~0x800ULL, 0, U_PTE, 20 },
		{ "ARM64_PTE_ILLEGAL", U_PTE + 8 * 20, (PTE_FRAME | LEAF_RW) & ~(1ULL << 53), 0, U_PTE, 20 },
		{ "ARM64_PTE_ILLEGAL", U_PTE + 8 * 20, (PTE_FRAME | LEAF_RW) & ~0x40ULL, 0, U_PTE, 20 },
		/* hardware-writable without PTE_WRITE; outer shareable;
		 * memory type 6 */
		{ "ARM64_PTE_ILLEGAL", U_PTE + 8 * 20, (PTE_FRAME | LEAF_RW) & ~(1ULL << 51), 0, U_PTE, 20 },
		{ "ARM64_PTE_ILLEGAL", U_PTE + 8 * 20, (PTE_FRAME | LEAF_RW) & ~0x100ULL, 0, U_PTE, 20 },
		{ "ARM64_PTE_ILLEGAL", U_PTE + 8 * 20, PTE_FRAME | LEAF_RW | (6 << 2), 0, U_PTE, 20 },
		/* a level-3 descriptor 01 (reserved) */
		{ "ARM64_PTE_ILLEGAL", U_PTE + 8 * 20, (PTE_FRAME | LEAF_RW) & ~2ULL, 0, U_PTE, 20 },
		/* a swap entry with bits __swp_entry keeps clear */
		{ "ARM64_PTE_ILLEGAL", U_PTE + 8 * 20, swp | (1ULL << 63), 0, U_PTE, 20 },
		/* a pmd table descriptor with UXNTable and APTable in a user mm */
		{ "ARM64_PMD_ILLEGAL", U_PMD + 8 * 5, U_PTE | TABLE | (3ULL << 60), 0, U_PMD, 5 },
		/* a 2 MiB block with bits 12-20 set */
		{ "ARM64_PMD_ILLEGAL", U_PMD + 8 * I_THP, thp | 0x3000, 0, U_PMD, I_THP },
		/* a pud table descriptor with attribute bits */
		{ "ARM64_PUD_ILLEGAL", U_PUD + 8, U_PMD | TABLE | 0x400, 0, U_PUD, 1 },
		/* a block and a non-valid entry at level 0 */
		{ "ARM64_PGD_ILLEGAL", U_PGD + 8, 0x40000000ULL | BLOCK_RW, 0, U_PGD, 1 },
		{ "ARM64_PGD_ILLEGAL", U_PGD + 8, swp, 0, U_PGD, 1 },
		/* the pte run broken: one entry none (the pre-fix
		 * try_to_unmap_one()), one swapped, one without PTE_CONT, one
		 * not the next frame, one of other attributes (UXN cleared),
		 * read-only without DBM */
		{ "ARM64_CONT_RUN_BROKEN", U_PTE + 8 * 5, 0, 0, U_PTE, 5 },
		{ "ARM64_CONT_RUN_BROKEN", U_PTE + 8 * 5, swp, 0, U_PTE, 5 },
		{ "ARM64_CONT_RUN_BROKEN", U_PTE + 8 * 7, run_pte(7) & ~CONT, 0, U_PTE, 7 },
		{ "ARM64_CONT_RUN_BROKEN", U_PTE + 8 * 9, run_pte(10), 0, U_PTE, 9 },
		{ "ARM64_CONT_RUN_BROKEN", U_PTE + 8 * 11, run_pte(11) & ~(1ULL << 54), 0, U_PTE, 11 },
		{ "ARM64_CONT_RUN_BROKEN", U_PTE + 8 * 0, (PTE_FRAME + 0x1000) | LEAF_RW | CONT,
		  0, U_PTE, 0 },
		/* the first entry of the run replaced by a migration entry, as
		 * the pre-5d4af6195c87 try_to_migrate_one() did: the run is led
		 * by entry 1 then */
		{ "ARM64_CONT_RUN_BROKEN", U_PTE, swp, 0, U_PTE, 0 },
		/* the 32 MiB hugetlb run with one block cleared */
		{ "ARM64_CONT_RUN_BROKEN", U_PMD + 8 * (I_HUGE + 15), 0, 0, U_PMD, I_HUGE + 15 },
		/* a pte table whose struct page is no page table (freed) */
		{ "ARM64_TABLE_NOT_PGTABLE", SPAGE(U_PTE) + 48, 0xffffffff, 1, U_PTE, -1 },
		{ "ARM64_TABLE_NOT_PGTABLE", SPAGE(DEP) + 48, 0xffffff7f, 1, DEP, -1 },
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
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		test_plant(&v[i]);
}

/* entries replaced by legal forms: no finding, and the engine counts
 * them where the kernel would */
static void test_legal(const char *what, const uint64_t *pa, const uint64_t *value,
		       int n, uint64_t present, uint64_t swap, uint64_t thp)
{
	struct synth s;
	struct tc_ctx c;
	int i;

	build_arm64_world(&s);
	for (i = 0; i < n; i++)
		synth_put64(&s, pa[i], value[i]);
	check(run_arm64_world(&s, &c) == 0, "%s: run fails: %s", what, c.err);
	check(c.findings.n == 0, "v610=%d %s: %zu findings (first %s: %s)", arm64_v610, what,
	      c.findings.n, first_sig(&c), c.findings.n ? c.findings.v[0].detail : "");
	check(c.stats.present_ptes == present && c.stats.swap_ptes == swap &&
	      c.stats.thp_pmds == thp, "v610=%d %s: present %llu swap %llu thp %llu",
	      arm64_v610, what, (unsigned long long)c.stats.present_ptes,
	      (unsigned long long)c.stats.swap_ptes, (unsigned long long)c.stats.thp_pmds);
	tc_free(&c);
	synth_free(&s);
}

static void test_legal1(const char *what, uint64_t pa, uint64_t value,
			uint64_t present, uint64_t swap, uint64_t thp)
{
	test_legal(what, &pa, &value, 1, present, swap, thp);
}

static void test_non_valid(void)
{
	/* PAGE_NONE: VALID cleared, v6.1 PTE_PROT_NONE, v6.10+
	 * PTE_PRESENT_INVALID (nG, which PAGE_NONE has anyway) */
	const uint64_t marker = arm64_v610 ? 0x800ULL : (1ULL << 58);
	const uint64_t none_pte = ((PTE_FRAME + 0x14000) | LEAF_RW | marker) & ~1ULL & ~0x40ULL;
	/* pmd_mkinvalid(): VALID cleared, v6.1 PMD_PRESENT_INVALID */
	const uint64_t inval_thp = ((THP_FRAME | BLOCK_RW) & ~1ULL) |
				   (arm64_v610 ? 0x800ULL : (1ULL << 59));
	const uint64_t swp = arm64_v610 ? (1ULL << 6) | (0x1234ULL << 12) | 4 :
			     (1ULL << 3) | (0x1234ULL << 8) | 4;
	/* the CPU set AF in one entry, cleared RDONLY (DBM) in another */
	const uint64_t pa2[] = { U_PTE + 8 * 3, U_PTE + 8 * 4 };
	const uint64_t hw[] = { run_pte(3) & ~0x400ULL, run_pte(4) | 0x80 };
	/* a run all swap entries alike (a migrating 64 KiB hugetlb page) */
	uint64_t pas[16], swaps[16];
	int i;

	for (i = 0; i < 16; i++) {
		pas[i] = U_PTE + 8 * (uint64_t)i;
		swaps[i] = swp;
	}
	test_legal1("PROT_NONE pte", U_PTE + 8 * 20, none_pte, 17, 0, 1);
	test_legal1("invalidated THP", U_PMD + 8 * I_THP, inval_thp, 16, 0, 1);
	test_legal1("swap pte", U_PTE + 8 * 20, swp, 16, 1, 1);
	test_legal("AF and DBM differ in a run", pa2, hw, 2, 16, 0, 1);
	test_legal("a run of swap entries", pas, swaps, 16, 0, 16, 1);
}

int main(void)
{
	for (arm64_v610 = 0; arm64_v610 < 2; arm64_v610++) {
		test_clean();
		test_plants();
		test_non_valid();
	}
	printf("unit-arm64: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
