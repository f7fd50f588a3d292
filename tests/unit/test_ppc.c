/*
 * Unit tests of the engine and the ppc64 (book3s, 64 KiB pages) decoder
 * and fragment rules on a synthetic little-endian dump, once with the
 * radix and once with the hash geometry: a task list, one user mm with a
 * maple tree of VMAs, pgd -> pud -> pmd fragment -> pte fragment, a THP
 * with its deposited pte fragment (radix: on the ring of its pmd page;
 * hash: in the slot array after the pmd table), and the pt_frag_refcount
 * of both fragment pages.  Each rule is planted once; the real-dump
 * counterparts are in tests/real/test_samples.py.
 */
#include <stdio.h>
#include <string.h>
#include "world_ppc.h"
#include "check.h"

/* ------------------------------------------------------------ tests */

static void test_clean(void)
{
	struct synth s;
	struct tc_ctx c;
	const struct tc_mm_stats *m;
	int l;

	build_ppc_world(&s);
	check(run_ppc_world(&s, &c) == 0, "clean: run fails: %s", c.err);
	check(c.findings.n == 0, "%s clean: %zu findings (first %s: %s)",
	      ppc_geo->name, c.findings.n, c.findings.n ? c.findings.v[0].sig->id : "",
	      c.findings.n ? c.findings.v[0].detail : "");
	check(!strcmp(c.scheme, ppc_geo->hash ? "ppc64-hash" : "ppc64-radix"),
	      "scheme %s", c.scheme);
	check(c.stats.tables[0] == 2 && c.stats.tables[1] == 1 &&
	      c.stats.tables[2] == 1 && c.stats.tables[3] == 1,
	      "tables %llu/%llu/%llu/%llu",
	      (unsigned long long)c.stats.tables[0], (unsigned long long)c.stats.tables[1],
	      (unsigned long long)c.stats.tables[2], (unsigned long long)c.stats.tables[3]);
	check(c.stats.present_ptes == 1 && c.stats.thp_pmds == 1 &&
	      c.stats.deposited == 1, "present %llu thp %llu deposited %llu",
	      (unsigned long long)c.stats.present_ptes,
	      (unsigned long long)c.stats.thp_pmds,
	      (unsigned long long)c.stats.deposited);
	m = tc_mm_of(&c, KV + MM_A);
	check(m && m->vmas == 2 && m->npids == 1 && m->pids[0] == 42,
	      "mm A: vmas/pid");
	/* the walker skips the decoder for L->none: both must agree */
	for (l = 0; l < c.nlevels; l++) {
		struct tc_entry e;

		c.arch->decode(&c, NULL, l, 0, c.levels[l].none, &e);
		check(e.kind == TC_NONE, "%s: none decodes as kind %d",
		      c.levels[l].name, e.kind);
	}
	tc_free(&c);
	synth_free(&s);
}

struct plant {
	const char *sig;
	uint64_t pa;		/* where the value goes */
	uint64_t value;
	int be;			/* a page-table entry (__be64) or a native word */
	int bits32;		/* a 32-bit native field */
	uint64_t table;		/* expected finding */
	int index;
};

static void test_plant(const struct plant *p)
{
	struct synth s;
	struct tc_ctx c;

	build_ppc_world(&s);
	if (p->be)
		put_be(&s, p->pa, p->value);
	else if (p->bits32)
		synth_put32(&s, p->pa, (uint32_t)p->value);
	else
		synth_put64(&s, p->pa, p->value);
	check(run_ppc_world(&s, &c) == 0, "%s: run fails: %s", p->sig, c.err);
	check(find_at(&c, p->sig, p->table, p->index) != NULL,
	      "%s %s: no finding at %#llx[%d] (%zu findings, first %s: %s)", ppc_geo->name, p->sig,
	      (unsigned long long)p->table, p->index, c.findings.n,
	      c.findings.n ? c.findings.v[0].sig->id : "-",
	      c.findings.n ? c.findings.v[0].detail : "");
	tc_free(&c);
	synth_free(&s);
}

static void test_plants(void)
{
	const int ip = I_PTE, it = I_THP, free_ = I_THP + 1, again = I_THP + 2;
	const uint64_t thp = THP_FRAME | PTE_RW | (ppc_geo->hash ? H_THP_HUGE : 0);
	const struct plant common[] = {
		/* not none and no _PAGE_PTE */
		{ "PPC_PTE_ILLEGAL", U_PTE + 8, PRESENT | 0x1000, 1, 0, U_PTE, 1 },
		/* a kernel-only pte in a user mm */
		{ "PPC_PTE_ILLEGAL", U_PTE, 0x500000 | PTE_RW | 0x8, 1, 0, U_PTE, 0 },
		/* value bits that are not __pXd_val_bits */
		{ "PPC_PMD_ILLEGAL", U_PMD + 8ULL * free_, U_PTE | PRESENT | 0x11, 1, 0, U_PMD, free_ },
		{ "PPC_PUD_ILLEGAL", U_PUD + 8, U_PMD | PRESENT | 0x11, 1, 0, U_PUD, 1 },
		{ "PPC_PGD_ILLEGAL", U_PGD + 8, U_PUD | PRESENT | 0x11, 1, 0, U_PGD, 1 },
		/* a next table not aligned to its fragment size */
		{ "PPC_PMD_ILLEGAL", U_PMD + 8ULL * free_, (U_PTE + 0x80) | PMD_VAL, 1, 0, U_PMD, free_ },
		/* a THP frame not aligned to the THP size */
		{ "PPC_PMD_ILLEGAL", U_PMD + 8ULL * it, thp + 0x10000, 1, 0, U_PMD, it },
		/* the pte fragment referenced twice: both entries reported */
		{ "TABLE_MULTI_REF", U_PMD + 8ULL * again, U_PTE | PMD_VAL, 1, 0, U_PMD, again },
		{ "TABLE_MULTI_REF", U_PMD + 8ULL * again, U_PTE | PMD_VAL, 1, 0, U_PMD, ip },
		/* a present pte no VMA covers (the gap after VMA1) */
		{ "PTE_OUTSIDE_VMA", U_PTE + 8ULL * (unsigned)ppc_geo->pte_outside,
		  0x510000 | PTE_RW, 1, 0, U_PTE, ppc_geo->pte_outside },
		/* pt_frag_refcount off by one, on either page */
		{ "PPC_FRAG_REFCOUNT", SPAGE(PTE_PAGE) + 40, 3, 0, 1, PTE_PAGE, -1 },
		{ "PPC_FRAG_REFCOUNT", SPAGE(PMD_PAGE) + 40, 0, 0, 1, PMD_PAGE, -1 },
	};
	const struct plant radix_deposit[] = {
		/* the ring is gone: one THP, no deposit */
		{ "DEPOSIT_COUNT", SPAGE(PMD_PAGE) + 16, 0, 0, 0, PMD_PAGE, -1 },
		/* a pte in the deposited fragment: BUG_ON(!pte_none) at split */
		{ "DEPOSIT_NOT_EMPTY", DEP + 8 * 5, 0x520000 | PTE_RW, 1, 0, DEP, 5 },
		/* the ring points at a live pte fragment */
		{ "DEPOSIT_LIST_CORRUPT", SPAGE(PMD_PAGE) + 16, KV + U_PTE, 0, 0, PMD_PAGE, -1 },
		/* next->prev does not point back: the prev word is named */
		{ "DEPOSIT_LIST_CORRUPT", DEP + 8, KV + DEP + 0x100, 0, 0, DEP, 1 },
	};
	const struct plant hash_deposit[] = {
		/* the THP's slot is empty */
		{ "DEPOSIT_COUNT", SLOT(it), 0, 0, 0, U_PMD, -1 },
		/* a slot byte with bits 0xe0: no HPTE slot byte has them */
		{ "DEPOSIT_NOT_EMPTY", DEP + 8 * 5, 0xe000000000000000ULL, 1, 0, DEP, 5 },
		/* the slot points at a live pte fragment */
		{ "DEPOSIT_LIST_CORRUPT", SLOT(it), KV + U_PTE, 0, 0, SLOT(0), it },
	};
	size_t i;

	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		test_plant(&common[i]);
	if (ppc_geo->hash)
		for (i = 0; i < sizeof(hash_deposit) / sizeof(hash_deposit[0]); i++)
			test_plant(&hash_deposit[i]);
	else
		for (i = 0; i < sizeof(radix_deposit) / sizeof(radix_deposit[0]); i++)
			test_plant(&radix_deposit[i]);
}

/* the pte cursor page: its not yet handed out fragments count too */
static void test_cursor(void)
{
	struct synth s;
	struct tc_ctx c;

	build_ppc_world(&s);
	/* next fragment to hand out: the third, so all but two count */
	synth_put64(&s, MM_A + 0x100, KV + PTE_PAGE + (2ULL << ppc_geo->frag_shift[0]));
	synth_put32(&s, SPAGE(PTE_PAGE) + 40, (uint32_t)ppc_geo->frag_nr[0]);
	/* run first: the arguments of check() are evaluated in any order */
	check(run_ppc_world(&s, &c) == 0, "cursor page: run fails: %s", c.err);
	check(c.findings.n == 0,
	      "cursor page: %zu findings (first %s: %s)", c.findings.n,
	      c.findings.n ? c.findings.v[0].sig->id : "-",
	      c.findings.n ? c.findings.v[0].detail : "");
	tc_free(&c);
	synth_free(&s);
}

/* a PROT_NONE user pte is PAGE_NONE: _PAGE_PRIVILEGED without R/W/X
 * (book3s/64/pgtable.h), legal; with R/W/X it is kernel-only */
static void test_prot_none(void)
{
	struct synth s;
	struct tc_ctx c;

	build_ppc_world(&s);
	put_be(&s, U_PTE, 0x500000 | PRESENT | PAGE_PTE | 0x188);
	check(run_ppc_world(&s, &c) == 0, "prot none: run fails: %s", c.err);
	check(c.findings.n == 0, "%s prot none: %zu findings (first %s: %s)", ppc_geo->name,
	      c.findings.n, c.findings.n ? c.findings.v[0].sig->id : "-",
	      c.findings.n ? c.findings.v[0].detail : "");
	tc_free(&c);
	synth_free(&s);
}

/*
 * pt_frag_refcount one above the live fragments: legal while a task holds
 * the other one (allocated and not yet in a pmd: on its kernel stack) or
 * it waits for RCU in an mmu_table_batch; a finding otherwise.
 */
static const struct synth_layout inflight_rows[] = {
	{ "task_struct", "stack", 0x40 }, { "task_struct", "signal", 0x48 },
	{ "task_struct", "thread_node", 0x50 }, { "signal_struct", "thread_head", 0x10 },
	{ "vm_area_struct", "vm_mm", 0x10 }, { "thread_union", NULL, 0x4000 },
	{ "rcu_data", "cblist.head", 0x10 }, { "callback_head", "next", 0 },
	{ "callback_head", "func", 8 }, { "mmu_table_batch", "rcu", 0 },
	{ "mmu_table_batch", "nr", 0x10 }, { "mmu_table_batch", "tables", 0x18 },
	{ NULL, NULL, 0 },
};

/* the ppc world with inflight.c's layout (and page.ptl), TASK_A's stack
 * and thread list */
static void inflight_world(struct synth *s)
{
	static struct synth_layout merged[64];
	size_t n = 0, i;

	build_ppc_world(s);
	for (i = 0; s->layout[i].type; i++)
		merged[n++] = s->layout[i];
	for (i = 0; inflight_rows[i].type; i++)
		merged[n++] = inflight_rows[i];
	merged[n++] = (struct synth_layout){ "page", "ptl", 44 };
	merged[n].type = NULL;
	s->layout = merged;
	synth_put64(s, TASK_A + 0x40, KV + STACK_A);
	synth_put64(s, TASK_A + 0x48, KV + SIGNAL_A);
	synth_put64(s, SIGNAL_A + 0x10, KV + TASK_A + 0x50);
	synth_put64(s, TASK_A + 0x50, KV + SIGNAL_A + 0x10);
}

static void test_fragment_held(void)
{
	static const char *const names[] = { "no holder", "on a kernel stack", "waiting for RCU" };
	const uint64_t frag1 = KV + PTE_PAGE + (1ULL << ppc_geo->frag_shift[0]);
	int k;

	for (k = 0; k < 3; k++) {
		struct synth s;
		struct tc_ctx c;
		int kind = k == 1 ? TC_IF_TABLE_ALLOC : TC_IF_TABLE_FREE;

		inflight_world(&s);
		synth_put32(&s, SPAGE(PTE_PAGE) + 40, 3);	/* 2 + the held one */
		if (k == 1)
			synth_put64(&s, STACK_A + 0x300, frag1);
		if (k == 2) {		/* one callback, its batch holding frag1 | level */
			synth_put64(&s, RCU_DATA + 0x10, KV + BATCH);
			synth_put64(&s, BATCH + 8, KV + 0x7000);
			synth_put32(&s, BATCH + 0x10, 1);
			synth_put64(&s, BATCH + 0x18, frag1 | 3);
		}
		check(run_ppc_world(&s, &c) == 0, "fragment held: run fails: %s", c.err);
		if (k == 0)
			check(find_at(&c, "PPC_FRAG_REFCOUNT", PTE_PAGE, -1) != NULL,
			      "%s fragment %s: PPC_FRAG_REFCOUNT not found", ppc_geo->name, names[k]);
		else
			check(c.findings.n == 0 && c.stats.in_flight[kind] == 1,
			      "%s fragment %s: %zu findings, %llu %s", ppc_geo->name, names[k],
			      c.findings.n, (unsigned long long)c.stats.in_flight[kind],
			      tc_inflight_names[kind]);
		tc_free(&c);
		synth_free(&s);
	}
}

/* __split_huge_pmd_locked() between the withdraw and pmd_populate(): the
 * THP's deposit is gone while the huge pmd stays; exempt (pmd-update)
 * only with the pmd lock (page.ptl of the pmd fragments' page) held and
 * an entry of the table on a kernel stack */
static void test_pmd_update(void)
{
	static const char *const names[] = { "lock held, pmd on a stack", "lock free" };
	const uint64_t slot = SLOT(I_THP);
	int k;

	for (k = 0; k < 2; k++) {
		struct synth s;
		struct tc_ctx c;

		inflight_world(&s);
		synth_put64(&s, ppc_geo->hash ? slot : SPAGE(PMD_PAGE) + 16, 0);
		synth_put64(&s, STACK_A + 0x300, KV + U_PMD + 8ULL * I_THP);
		if (k == 0)
			synth_put32(&s, SPAGE(PMD_PAGE) + 44, 1);
		check(run_ppc_world(&s, &c) == 0, "pmd update: run fails: %s", c.err);
		if (k == 0)
			check(!find_at(&c, "DEPOSIT_COUNT", ppc_geo->hash ? U_PMD : PMD_PAGE, -1) &&
			      c.stats.in_flight[TC_IF_PMD_UPDATE] == 1,
			      "%s split in flight, %s: DEPOSIT_COUNT not exempted", ppc_geo->name, names[k]);
		else
			check(find_at(&c, "DEPOSIT_COUNT", ppc_geo->hash ? U_PMD : PMD_PAGE, -1) != NULL,
			      "%s split, %s: DEPOSIT_COUNT exempted without evidence", ppc_geo->name, names[k]);
		tc_free(&c);
		synth_free(&s);
	}
}

/* -x on the live pte fragment names its referrer */
static void test_explain(void)
{
	struct synth s;
	struct tc_ctx c;
	char buf[4096] = "", want[80];
	FILE *f;

	build_ppc_world(&s);
	check(run_ppc_world(&s, &c) == 0, "explain: run fails");
	f = fmemopen(buf, sizeof(buf) - 1, "w");
	tc_explain(&c, U_PTE, f);
	fclose(f);
	snprintf(want, sizeof(want), "referenced by pmd table 0x230000[%d]", I_PTE);
	check(strstr(buf, "pte table 0x240000") != NULL &&
	      strstr(buf, want) != NULL && strstr(buf, "va 0x10000000") != NULL,
	      "%s explain: %s", ppc_geo->name, buf);
	tc_free(&c);
	synth_free(&s);
}

int main(void)
{
	static const struct geo *const geos[] = { &ppc_radix, &ppc_hash };
	size_t i;

	for (i = 0; i < 2; i++) {
		ppc_geo = geos[i];
		test_clean();
		test_plants();
		test_cursor();
		test_explain();
		test_prot_none();
		test_fragment_held();
		test_pmd_update();
	}
	printf("unit-ppc: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
