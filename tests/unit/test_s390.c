/*
 * Unit tests of the engine and the s390x decoder on a synthetic dump:
 * a task list, one user mm with a maple tree of VMAs, a region-3 table,
 * a segment table, a pte table, a THP and a hugetlb leaf.  Each test
 * builds the clean world, plants one value and checks the finding.
 */
#include <stdlib.h>
#include <string.h>
#include "world_s390.h"
#include "check.h"

static int run(struct synth *s, struct tc_ctx *c)
{
	return run_world(s, c);
}

static const struct tc_finding *find(const struct tc_ctx *c, const char *sig,
				     uint64_t table_pa, int index,
				     uint64_t value)
{
	size_t i;

	for (i = 0; i < c->findings.n; i++) {
		const struct tc_finding *f = &c->findings.v[i];

		if (!strcmp(f->sig->id, sig) && f->table_pa == table_pa &&
		    f->index == index && f->value == value)
			return f;
	}
	return NULL;
}

/* ------------------------------------------------------------ tests */

static void test_clean(void)
{
	struct synth s;
	struct tc_ctx c;
	const struct tc_mm_stats *m = NULL;
	size_t i;

	build_world(&s);
	check(run(&s, &c) == 0, "clean: run fails: %s", c.err);
	check(c.findings.n == 0, "clean: %zu findings (first %s: %s)",
	      c.findings.n, c.findings.n ? c.findings.v[0].sig->id : "",
	      c.findings.n ? c.findings.v[0].detail : "");
	for (i = 0; i < c.nmms; i++)
		if (c.mms[i].mm == MM_A)
			m = &c.mms[i];
	check(m != NULL, "clean: mm A not found");
	if (m) {
		check(m->present_ptes == 2, "present %llu", (unsigned long long)m->present_ptes);
		check(m->swap_ptes == 1, "swap %llu", (unsigned long long)m->swap_ptes);
		check(m->thp_pmds == 1, "thp %llu", (unsigned long long)m->thp_pmds);
		check(m->hugetlb_pmds == 1, "hugetlb %llu", (unsigned long long)m->hugetlb_pmds);
		check(m->vmas == 3, "vmas %llu", (unsigned long long)m->vmas);
		check(m->npids == 1 && m->pids[0] == 42, "pid");
		check(!strcmp(m->comm, "work"), "comm %s", m->comm);
	}
	check(c.stats.mms == 2, "mms %llu", (unsigned long long)c.stats.mms);
	check(c.stats.tables[2] == 2 && c.stats.tables[3] == 1 &&
	      c.stats.tables[4] == 1, "table counts");
	check(!strcmp(c.scheme, "s390-wholepage"), "scheme %s", c.scheme);
	/* the walker skips the decoder for L->none: both must agree */
	for (i = 0; i < (size_t)c.nlevels; i++) {
		struct tc_entry e;

		c.arch->decode(&c, NULL, (int)i, 0, c.levels[i].none, &e);
		check(e.kind == TC_NONE, "%s: none value %#llx decodes as kind %d",
		      c.levels[i].name, (unsigned long long)c.levels[i].none, e.kind);
	}
	tc_free(&c);
	synth_free(&s);
}

struct plant {
	const char *sig;
	uint64_t pa;
	uint64_t value;
	uint64_t table;
	int index;
	uint64_t link_pa, link;	/* optional second write (a new table) */
};

static void test_plant(const struct plant *p)
{
	struct synth s;
	struct tc_ctx c;
	const struct tc_finding *f;

	build_world(&s);
	if (p->link_pa)
		synth_put64(&s, p->link_pa, p->link);
	synth_put64(&s, p->pa, p->value);
	check(run(&s, &c) == 0, "%s: run fails", p->sig);
	f = find(&c, p->sig, p->table, p->index, p->value);
	check(f != NULL, "%s: no finding at %#llx[%d] = %#llx (%zu findings, first %s)",
	      p->sig, (unsigned long long)p->table, p->index,
	      (unsigned long long)p->value, c.findings.n,
	      c.findings.n ? c.findings.v[0].sig->id : "-");
	if (f)
		check(f->entry_pa == p->pa && f->pid == 42, "%s: place", p->sig);
	tc_free(&c);
	synth_free(&s);
}

static void test_plants(void)
{
	static const struct plant plants[] = {
		{ "S390_PTE_ORED_SEG_INVALID", U_PT + 8 * 255, 0x420, U_PT, 255, 0, 0 },
		{ "S390_PTE_ILLEGAL", U_PT + 8 * 7, 0x0, U_PT, 7, 0, 0 },
		{ "S390_PTE_ILLEGAL", U_PT + 8 * 8, 0x602000 | 0x801 | 0x3c, U_PT, 8, 0, 0 },
		{ "S390_SEG_EMPTY_LARGE", U_SEG + 8 * 9, 0x420, U_SEG, 9, 0, 0 },
		{ "S390_SEG_ILLEGAL", U_SEG + 8 * 10, U_PT2 | 0x4, U_SEG, 10, 0, 0 },
		{ "S390_REGION_ILLEGAL", U_R3 + 8 * 5, U_SEG | 0x4, U_R3, 5, 0, 0 },
		{ "TABLE_MULTI_REF", U_SEG + 8 * 1000, U_PT, U_SEG, 1000, 0, 0 },
		{ "PTE_OUTSIDE_VMA", U_PT2 + 8 * 3, 0x603000 | PTE_RW, U_PT2, 3,
		  U_SEG + 8 * 5, U_PT2 },		/* va 5M: no VMA */
		{ "THP_IN_BAD_VMA", U_SEG + 8 * 4, 0x700000 | SEG_THP, U_SEG, 4, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(plants) / sizeof(plants[0]); i++)
		test_plant(&plants[i]);
}

/* a writable pte in the read-only VMA at 8M needs its own pte table */
static void test_write_in_ro(void)
{
	struct synth s;
	struct tc_ctx c;
	uint64_t v = 0x604000 | PTE_RW;

	build_world(&s);
	synth_put64(&s, U_SEG + 8 * 8, U_PT2);
	synth_put64(&s, U_PT2 + 8 * 4, v);
	check(run(&s, &c) == 0, "ro: run");
	check(find(&c, "PTE_WRITE_IN_READONLY_VMA", U_PT2, 4, v) != NULL,
	      "PTE_WRITE_IN_READONLY_VMA not found");
	check(c.findings.n == 1, "ro: %zu findings", c.findings.n);
	tc_free(&c);
	synth_free(&s);
}

static void test_task_cycle(void)
{
	struct synth s;
	struct tc_ctx c;

	build_world(&s);
	/* task A's next points back to itself through a third node */
	synth_put64(&s, TASK_A + 0x10, 0x12010);
	synth_put64(&s, 0x12010, TASK_A + 0x10);
	check(run(&s, &c) == 0, "cycle: run");
	check(c.findings.n >= 1 && !strcmp(c.findings.v[0].sig->id, "LIST_CORRUPT"),
	      "task cycle not reported");
	tc_free(&c);
	synth_free(&s);
}

static void test_unreadable_table(void)
{
	struct synth s;
	struct tc_ctx c;

	build_world(&s);
	synth_put64(&s, U_SEG + 8 * 20, 0x7fff000ULL);	/* beyond 64 MiB */
	check(run(&s, &c) == 0, "unreadable: run");
	check(c.findings.n == 1 && !strcmp(c.findings.v[0].sig->id, "READ_ERROR") &&
	      c.findings.v[0].table_pa == 0x7fff000ULL, "READ_ERROR not reported");
	tc_free(&c);
	synth_free(&s);
}

/* a table the dump's filter left out: one NOT_IN_DUMP warning with the
 * level, no READ_ERROR, and the rest of the walk as before */
static void test_not_in_dump(void)
{
	struct synth s;
	struct tc_ctx c;
	const struct tc_finding *f;

	build_world(&s);
	s.excluded_lo = U_SEG;
	s.excluded_hi = U_SEG + 4096;
	s.dump_level = 31;
	check(run(&s, &c) == 0, "not in dump: run");
	f = c.findings.n == 1 ? &c.findings.v[0] : NULL;
	check(f && !strcmp(f->sig->id, "NOT_IN_DUMP") && f->count >= 1 &&
	      strstr(f->detail, "makedumpfile -d 31") &&
	      c.stats.not_in_dump[TC_NID_TABLE] == f->count &&
	      c.stats.read_errors == 0, "NOT_IN_DUMP: one warning, no READ_ERROR");
	tc_free(&c);
	synth_free(&s);
}

/* a maple node whose child slot points back to itself ends, with a finding */
static void test_maple_cycle(void)
{
	struct synth s;
	struct tc_ctx c;
	const uint64_t node = 0x32000, enode = node | (2 << 3) | 4;

	build_world(&s);
	synth_put64(&s, MM_A + 0x40 + 0x08, enode | 2);	/* range_64 root */
	synth_put64(&s, node + 0x08, UINT64_MAX);
	synth_put64(&s, node + 0x80, enode);
	check(run(&s, &c) == 0, "maple cycle: run");
	check(c.findings.n >= 1 && !strcmp(c.findings.v[0].sig->id, "LIST_CORRUPT"),
	      "maple cycle: no LIST_CORRUPT");
	tc_free(&c);
	synth_free(&s);
}

/* ---------------------------------------------------- 2 KiB fragments */

static void test_frag(const char *name, uint64_t pa, uint64_t value,
		      int is32, const char *sig, uint64_t table, int index,
		      uint64_t expect)
{
	struct synth s;
	struct tc_ctx c;

	build_frag_world(&s);
	if (pa) {
		if (is32)
			synth_put32(&s, pa, (uint32_t)value);
		else
			synth_put64(&s, pa, value);
	}
	check(run(&s, &c) == 0, "%s: run", name);
	if (!sig) {
		check(c.findings.n == 0, "%s: %zu findings (first %s: %s)", name,
		      c.findings.n, c.findings.n ? c.findings.v[0].sig->id : "",
		      c.findings.n ? c.findings.v[0].detail : "");
		check(c.stats.deposited == 1, "%s: deposited %llu", name,
		      (unsigned long long)c.stats.deposited);
		check(!strcmp(c.scheme, "s390-frag2k"), "%s: scheme %s", name, c.scheme);
	} else {
		check(find(&c, sig, table, index, expect) != NULL,
		      "%s: no %s at %#llx[%d] = %#llx (%zu findings, first %s)",
		      name, sig, (unsigned long long)table, index,
		      (unsigned long long)expect, c.findings.n,
		      c.findings.n ? c.findings.v[0].sig->id : "-");
	}
	tc_free(&c);
	synth_free(&s);
}

/* a referenced pte-table page freed and taken again (init_on_alloc: all
 * zeros, page_type no table): one S390_FRAG_NOT_PGTABLE for the page, the
 * zero words folded into it instead of 256 S390_PTE_ILLEGAL */
static void test_reused_table(void)
{
	struct synth s;
	struct tc_ctx c;
	const struct tc_finding *f;
	unsigned i;

	build_frag_world(&s);
	synth_put32(&s, spage(U_PT) + 48, 0xffffffff);
	for (i = 0; i < 256; i++)
		synth_put64(&s, U_PT + 8ULL * i, 0);
	check(run(&s, &c) == 0, "reused table: run");
	f = find(&c, "S390_FRAG_NOT_PGTABLE", U_PT, -1, 0xffffffff);
	check(f && c.findings.n == 1 && strstr(f->detail, "256 findings on its words folded in"), "reused table: %zu findings (first %s: %s)",
	      c.findings.n, c.findings.n ? c.findings.v[0].sig->id : "",
	      c.findings.n ? c.findings.v[0].detail : "");
	tc_free(&c);
	synth_free(&s);
}

static void test_frags(void)
{
	test_reused_table();
	test_frag("frag clean", 0, 0, 0, NULL, 0, 0, 0);
	test_frag("AA/PP", spage(U_PT) + 52, 0x13000001, 1,
		  "S390_FRAG_AA_PP", U_PT, -1, 0x13000001);
	test_frag("free referenced", spage(U_PT) + 52, 0x02000001, 1,
		  "S390_FRAG_FREE_REFERENCED", U_PT, -1, 0x02000001);
	test_frag("pending deposited", spage(U_PT) + 52, 0x21000001, 1,
		  "S390_FRAG_FREE_REFERENCED", DEP, -1, 0x21000001);
	test_frag("not listed", spage(U_PT) + 52, 0x01000001, 1,
		  "S390_FRAG_LIST", U_PT, -1, 0x01000001);
	test_frag("not a table", spage(U_PT) + 48, 0xffffffff, 1,
		  "S390_FRAG_NOT_PGTABLE", U_PT, -1, 0xffffffff);
	test_frag("list 0x400", MM_A + 0x110, 0x400, 0,
		  "LIST_CORRUPT", MM_A + 0x110, 0, 0x400);
	test_frag("ring 0x400", DEP, 0x400, 0,
		  "DEPOSIT_LIST_CORRUPT", DEP, 0, 0x400);
	test_frag("deposit not empty", DEP + 8 * 7, 0x60303d, 0,
		  "DEPOSIT_NOT_EMPTY", DEP, 7, 0x60303d);
	test_frag("ring empty", spage(U_SEG) + 16, 0, 0,
		  "DEPOSIT_COUNT", U_SEG, -1, 0);
	test_frag("deposited and live", U_SEG + 8 * 5, DEP, 0,
		  "DEPOSIT_LIST_CORRUPT", U_SEG, -1, DEP);
}

/* a 0x420 in the first word of the page below a segment table is where
 * IDTE lands for sto = table - 8 (2016 THP split bug) */
static void test_idte_forensics(void)
{
	struct synth s;
	struct tc_ctx c;
	const uint64_t seg2 = 0x20c000, below = seg2 - 4096;

	build_world(&s);
	synth_put64(&s, U_R3 + 8, seg2 | 0x7);		/* va 2G */
	fill(&s, seg2, 2048, 0x20);
	fill(&s, below, 256, PTE_NONE);
	synth_put64(&s, seg2, below);
	synth_put64(&s, below, 0x420);
	check(run(&s, &c) == 0, "idte: run");
	check(c.findings.n == 1 && strstr(c.findings.v[0].detail,
					  "exactly where IDTE lands") != NULL,
	      "idte: detail %s", c.findings.n ? c.findings.v[0].detail : "-");
	tc_free(&c);
	synth_free(&s);
}

/* v6.2+ boot/vmem.c leaves an all-ones pte at __memcpy_real_area */
static void test_memcpy_real_placeholder(void)
{
	static const struct synth_sym syms2[] = {
		{ "init_task", INIT_TASK }, { "init_mm", INIT_MM },
		{ "__memcpy_real_area", 0x33000 }, { NULL, 0 },
	};
	struct synth s;
	struct tc_ctx c;
	const uint64_t kseg = 0x104000, kpt = 0x108000;

	build_world(&s);
	s.syms = syms2;  /* world_syms plus __memcpy_real_area */
	synth_put64(&s, 0x33000, 0x1ff000);		/* the window's VA */
	synth_put64(&s, K_R3, kseg | 0x7);
	fill(&s, kseg, 2048, 0x20);
	synth_put64(&s, kseg + 8 * 1, kpt);
	fill(&s, kpt, 256, PTE_NONE);
	synth_put64(&s, kpt + 8 * 255, UINT64_MAX);	/* va 0x1ff000 */
	synth_put64(&s, kpt + 8 * 254, UINT64_MAX);	/* va 0x1fe000 */
	check(run(&s, &c) == 0, "placeholder: run");
	check(c.findings.n == 1 && c.findings.v[0].index == 254,
	      "placeholder: %zu findings, want only index 254", c.findings.n);
	tc_free(&c);
	synth_free(&s);
}

static void test_translate(void)
{
	struct synth s;
	struct tc_ctx c;
	uint64_t pa = 0;

	build_world(&s);
	check(run(&s, &c) == 0, "translate: run");
	check(tc_translate(&c, MM_A, 0x100123, &pa) == 0 && pa == 0x600123,
	      "pte translate %#llx", (unsigned long long)pa);
	check(tc_translate(&c, MM_A, 0x2abcde, &pa) == 0 && pa == 0x4abcde,
	      "THP translate %#llx", (unsigned long long)pa);
	check(tc_translate(&c, MM_A, 0x101000, &pa) < 0, "swap is not mapped");
	check(tc_translate(&c, MM_A, 0x900000, &pa) < 0, "hole is not mapped");
	tc_free(&c);
	synth_free(&s);
}

static void test_json(void)
{
	struct synth s;
	struct tc_ctx c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	build_world(&s);
	synth_put64(&s, U_PT + 8 * 255, 0x420);
	run(&s, &c);
	f = open_memstream(&buf, &len);
	tc_print_json(&c, f);
	fclose(f);
	check(strstr(buf, "\"sig\":\"S390_PTE_ORED_SEG_INVALID\"") != NULL,
	      "json sig");
	check(strstr(buf, "\"table_pa\":\"0x208000\",\"index\":255") != NULL,
	      "json place: %s", buf);
	check(strstr(buf, "\"scheme\":\"s390-wholepage\"") != NULL, "json scheme");
	free(buf);
	tc_free(&c);
	synth_free(&s);
}

/* ------------------------------------------------ in-flight states */

enum if_setup { IF_DIRECT, IF_SIDE_TREE, IF_STACK_FRAME, IF_OTHER_MM };

/* a present pte at 5M, where no VMA is; the VMA [5M,6M) munmap took out */
static void munmap_world(struct synth *s, enum if_setup how, uint64_t lock)
{
	build_world(s);
	add_inflight(s);
	synth_put64(s, U_SEG + 8 * 5, U_PT2);
	fill(s, U_PT2, 256, PTE_NONE);
	synth_put64(s, U_PT2 + 8 * 3, 0x603000 | PTE_RW);
	synth_put64(s, DETACHED, 0x500000);
	synth_put64(s, DETACHED + 8, 0x600000);
	synth_put64(s, DETACHED + 0x10, how == IF_OTHER_MM ? INIT_MM : MM_A);
	synth_put64(s, DETACHED + 0x20, VM_RW);
	synth_put64(s, MM_A + 0x68, lock);
	switch (how) {
	case IF_SIDE_TREE:	/* mt_detach on the stack, its root node below */
		synth_put64(s, SIDE_LEAF, (STACK_A + 0x100) | 1);
		synth_put64(s, SIDE_LEAF + 0x08, 0x5fffff);
		synth_put64(s, SIDE_LEAF + 0x80, DETACHED);
		synth_put64(s, STACK_A + 0x108, SIDE_LEAF | 0x0a);
		break;
	case IF_STACK_FRAME:	/* start, end, mm in a frame: not a VMA */
		synth_put64(s, STACK_A + 0x300, 0x500000);
		synth_put64(s, STACK_A + 0x308, 0x600000);
		synth_put64(s, STACK_A + 0x310, MM_A);
		synth_put64(s, STACK_A + 0x208, STACK_A + 0x300);
		break;
	default:
		synth_put64(s, STACK_A + 0x200, DETACHED);
	}
}

static void expect_inflight(struct synth *s, const char *name, const char *sig,
			    uint64_t table, int index, uint64_t value, int kind)
{
	struct tc_ctx c;

	check(run(s, &c) == 0, "%s: run", name);
	if (kind >= 0)
		check(!find(&c, sig, table, index, value) && c.stats.in_flight[kind] == 1,
		      "%s: %s not exempted as %s (%llu, %zu findings)", name, sig,
		      tc_inflight_names[kind], (unsigned long long)c.stats.in_flight[kind],
		      c.findings.n);
	else
		check(find(&c, sig, table, index, value) != NULL,
		      "%s: %s exempted without evidence", name, sig);
	tc_free(&c);
	synth_free(s);
}

static void test_inflight(void)
{
	const uint64_t pte = 0x603000 | PTE_RW;
	struct synth s;

	munmap_world(&s, IF_DIRECT, 1);
	expect_inflight(&s, "munmap, VMA on the stack", "PTE_OUTSIDE_VMA", U_PT2, 3, pte, TC_IF_MUNMAP);
	munmap_world(&s, IF_SIDE_TREE, 0x100);
	expect_inflight(&s, "munmap, side tree, read lock", "PTE_OUTSIDE_VMA", U_PT2, 3, pte, TC_IF_MUNMAP);
	munmap_world(&s, IF_DIRECT, 0);
	expect_inflight(&s, "munmap, mmap_lock free", "PTE_OUTSIDE_VMA", U_PT2, 3, pte, -1);
	munmap_world(&s, IF_OTHER_MM, 1);
	expect_inflight(&s, "munmap, VMA of another mm", "PTE_OUTSIDE_VMA", U_PT2, 3, pte, -1);
	munmap_world(&s, IF_STACK_FRAME, 1);
	expect_inflight(&s, "munmap, stack frame shaped like a VMA", "PTE_OUTSIDE_VMA", U_PT2, 3, pte, -1);
	munmap_world(&s, IF_DIRECT, 0);
	synth_put32(&s, MM_A + 0x60, 0);
	expect_inflight(&s, "mm_users 0", "PTE_OUTSIDE_VMA", U_PT2, 3, pte, TC_IF_MM_EXIT);

	/* the same munmap at pmd level: a THP at 5M outside every VMA
	 * (once a NULL dereference: the in-flight VMA is not the tree's) */
	munmap_world(&s, IF_DIRECT, 1);
	synth_put64(&s, U_SEG + 8 * 5, 0x500000 | SEG_THP);
	expect_inflight(&s, "munmap of a THP", "THP_IN_BAD_VMA", U_SEG, 5, 0x500000 | SEG_THP,
			TC_IF_MUNMAP);
	munmap_world(&s, IF_DIRECT, 0);
	synth_put64(&s, U_SEG + 8 * 5, 0x500000 | SEG_THP);
	expect_inflight(&s, "THP outside every VMA, no munmap", "THP_IN_BAD_VMA", U_SEG, 5,
			0x500000 | SEG_THP, -1);

	/* mprotect: a writable pte in the read-only VMA at 8M */
	for (int k = 0; k < 3; k++) {
		static const char *const names[] = {
			"mprotect, write lock held by the task", "mprotect, read lock",
			"mprotect, VMA not on the owner's stack" };
		const uint64_t v = 0x604000 | PTE_RW;

		build_world(&s);
		add_inflight(&s);
		synth_put64(&s, U_SEG + 8 * 8, U_PT2);
		synth_put64(&s, U_PT2 + 8 * 4, v);
		synth_put64(&s, MM_A + 0x68, k == 1 ? 0x100 : 1);
		synth_put64(&s, MM_A + 0x70, TASK_A);
		if (k != 2)
			synth_put64(&s, STACK_A + 0x400, VMA3);
		expect_inflight(&s, names[k], "PTE_WRITE_IN_READONLY_VMA", U_PT2, 4, v,
				k == 0 ? TC_IF_VMA_WRITE : -1);
	}

	/* a pte table on its way in: allocated half, referenced by nothing */
	for (int k = 0; k < 2; k++) {
		build_frag_world(&s);
		add_inflight(&s);
		synth_put64(&s, U_SEG + 8 * 2, 0x20);		/* no THP: */
		synth_put64(&s, spage(U_SEG) + 16, 0);		/* no deposit */
		if (k)
			synth_put64(&s, STACK_A + 0x800, DEP);
		expect_inflight(&s, k ? "table on a kernel stack" : "orphan table",
				"S390_FRAG_ORPHAN", DEP, -1, 0x03000001,
				k ? TC_IF_TABLE_ALLOC : -1);
	}
}

/* zap_huge_pmd() between pmdp_huge_get_and_clear_full() and the withdraw:
 * the THP pmd at 2M is empty, its table still on the ring; exempt only
 * with the pmd lock (page.ptl of the segment table) held and an entry of
 * the table on a kernel stack */
static void test_pmd_update(void)
{
	static const struct synth_layout ptl[] = {
		{ "page", "ptl", 40 }, { NULL, NULL, 0 },
	};
	static const char *const names[] = {
		"THP zap in flight: pmd lock held, pmd on a stack",
		"THP zap: pmd lock free", "THP zap: no pmd on any stack" };
	struct synth s;

	for (int k = 0; k < 3; k++) {
		build_frag_world(&s);
		add_inflight(&s);
		add_layout(&s, ptl);
		synth_put64(&s, U_SEG + 8 * 2, 0x20);		/* cleared */
		if (k != 1)
			synth_put32(&s, spage(U_SEG) + 40, 1);	/* CPU 0 + 1 holds it */
		if (k != 2)
			synth_put64(&s, STACK_A + 0x300, U_SEG + 8 * 2);
		expect_inflight(&s, names[k], "DEPOSIT_COUNT", U_SEG, -1, 1,
				k == 0 ? TC_IF_PMD_UPDATE : -1);
	}
}

/* the hugetlb leaf at 3M in a VMA without VM_HUGETLB (gone, or its flags
 * not yet there): the struct page decides, not the VMA */
static void test_hugetlb_by_page(void)
{
	static const struct synth_layout pgty[] = {
		{ "enum", "PGTY_hugetlb", 0xf4 }, { NULL, NULL, 0 },
	};
	struct synth s;
	struct tc_ctx c;
	int k;

	for (k = 0; k < 2; k++) {
		build_frag_world(&s);
		synth_put64(&s, VMA2 + 0x20, VM_RW);
		if (k) {
			add_layout(&s, pgty);
			synth_put32(&s, spage(0x500000) + 48, 0xf4000000);
		}
		check(run(&s, &c) == 0, "hugetlb by page: run");
		if (k)
			check(c.findings.n == 0 && c.stats.hugetlb_pmds == 1 && c.stats.thp_pmds == 1,
			      "hugetlb by page: PGTY_hugetlb leaf counted as hugetlb (%zu findings, "
			      "%llu hugetlb)", c.findings.n, (unsigned long long)c.stats.hugetlb_pmds);
		else
			check(find(&c, "DEPOSIT_COUNT", U_SEG, -1, 1) != NULL,
			      "hugetlb by page: without the page type the leaf is a THP without deposit");
		tc_free(&c);
		synth_free(&s);
	}
}

int main(void)
{
	test_clean();
	test_plants();
	test_write_in_ro();
	test_task_cycle();
	test_unreadable_table();
	test_not_in_dump();
	test_maple_cycle();
	test_frags();
	test_idte_forensics();
	test_memcpy_real_placeholder();
	test_translate();
	test_json();
	test_inflight();
	test_pmd_update();
	test_hugetlb_by_page();
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
