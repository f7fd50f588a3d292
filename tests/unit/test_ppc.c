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
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "../../ext/synth.h"

static int passed, failed;

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ------------------------------------------------------------ world */

#define KV		0xc000000000000000ULL	/* PAGE_OFFSET */
#define PAGE_PTE	0x4000000000000000ULL
#define PRESENT		0x8000000000000000ULL
/* present, read (0x4), write (0x2), accessed, dirty: a user rw pte */
#define PTE_RW		(PRESENT | PAGE_PTE | 0x186ULL)
#define H_THP_HUGE	0x2000ULL	/* hash-64k.h H_PAGE_THP_HUGE */

/* what differs between the two MMUs' tables (radix-64k.h, hash-64k.h) */
struct geo {
	const char *name;
	int hash;
	uint64_t bits[4];		/* pgd, pud, pmd, pte index bits */
	uint64_t val[3];		/* __pgd/__pud/__pmd_val_bits */
	uint64_t frag_nr[2], frag_shift[2];	/* pte, pmd fragments */
	uint64_t va_pte, va_thp, thp_size;	/* the pte table's and the THP's VA */
	uint64_t vma1_size;		/* VMA1 [va_pte, +size): the rest is a gap */
	int pte_outside;		/* a pte index in that gap */
	uint64_t dep_off;		/* deposited fragment: PTE_PAGE + this */
};

/* radix: RADIX_P?D_VAL_BITS = top bit | the next level's index size;
 * hash: the top bit only; hash pte fragments hold the ptes and their
 * hidx (4 KiB), pmd fragments the pmds and the deposit slots (16 KiB) */
static const struct geo radix = {
	"radix", 0, { 13, 9, 9, 5 }, { PRESENT | 9, PRESENT | 9, PRESENT | 5 },
	{ 256, 16 }, { 8, 12 }, 0x10000000, 0x10200000, 0x200000, 0x100000,
	31, 0x100,
};
static const struct geo hash = {
	"hash", 1, { 8, 10, 10, 8 }, { PRESENT, PRESENT, PRESENT },
	{ 16, 4 }, { 12, 14 }, 0x10000000, 0x11000000, 0x1000000, 0x800000,
	255, 0x1000,
};
static const struct geo *G;

#define PGD_VAL		(G->val[0])
#define PUD_VAL		(G->val[1])
#define PMD_VAL		(G->val[2])
#define VA_PTE		(G->va_pte)
#define VA_THP		(G->va_thp)
#define THP_FRAME	(2 * G->thp_size)
#define DEP		(PTE_PAGE + G->dep_off)
#define PMD_IDX(va)	((int)(((va) >> (16 + G->bits[3])) & ((1u << G->bits[2]) - 1)))
#define I_PTE		PMD_IDX(VA_PTE)
#define I_THP		PMD_IDX(VA_THP)
/* the hash deposit slot of pmd entry i */
#define SLOT(i)		(U_PMD + (8ULL << G->bits[2]) + 8ULL * (unsigned)(i))

enum {
	INIT_TASK = 0x10000, TASK_A = 0x11000, MM_A = 0x20000,
	INIT_MM = 0x30000, VMA1 = 0x30400, VMA2 = 0x30500, MT_LEAF = 0x31000,
	VARS = 0x40000,			/* the kernel's MMU variables */
	VMEMMAP_PA = 0x100000,		/* struct pages, 64 bytes each */
	K_PGD = 0x200000, U_PGD = 0x210000, U_PUD = 0x220000,
	PMD_PAGE = 0x230000, U_PMD = PMD_PAGE,		/* fragment 0 */
	PTE_PAGE = 0x240000, U_PTE = PTE_PAGE,		/* fragment 0 */
	WORLD_SIZE = 0x1000000,
};

static const char *const var_names[] = {
	"__pgd_index_size", "__pud_index_size", "__pmd_index_size",
	"__pte_index_size", "__pgd_val_bits", "__pud_val_bits",
	"__pmd_val_bits", "__pte_frag_nr", "__pmd_frag_nr",
	"__pte_frag_size_shift", "__pmd_frag_size_shift", NULL,
};

static struct synth_sym syms[16];

static const struct synth_layout layout[] = {
	{ "task_struct", "tasks", 0x10 }, { "task_struct", "mm", 0x20 },
	{ "task_struct", "pid", 0x28 }, { "task_struct", "tgid", 0x2c },
	{ "task_struct", "comm", 0x30 },
	{ "mm_struct", "pgd", 0x08 }, { "mm_struct", "mm_mt", 0x40 },
	{ "mm_struct", "context.pte_frag", 0x100 },
	{ "mm_struct", "context.pmd_frag", 0x108 },
	{ "maple_tree", "ma_root", 0x08 },
	{ "maple_node", "mr64.pivot", 0x08 }, { "maple_node", "mr64.slot", 0x80 },
	{ "maple_node", "ma64.pivot", 0x08 }, { "maple_node", "ma64.slot", 0x50 },
	{ "vm_area_struct", "vm_start", 0x00 },
	{ "vm_area_struct", "vm_end", 0x08 },
	{ "vm_area_struct", "vm_flags", 0x20 },
	{ "page", NULL, 64 }, { "page", "pmd_huge_pte", 16 },
	{ "page", "pt_frag_refcount", 40 },
	{ NULL, NULL, 0 },
};

/* page-table entries are __be64 whatever the CPU's order */
static void put_be(struct synth *s, uint64_t pa, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		s->mem[pa + i] = (unsigned char)(v >> (56 - 8 * i));
}

/* struct page of a 64 KiB page (a constant expression for the tables) */
#define SPAGE(pa)	(VMEMMAP_PA + ((uint64_t)(pa) >> 16) * 64)

static void build_world(struct synth *s)
{
	int i;

	for (i = 0; var_names[i]; i++) {
		syms[i].name = var_names[i];
		syms[i].addr = KV + VARS + 8 * (uint64_t)i;
	}
	syms[i++] = (struct synth_sym){ "init_task", KV + INIT_TASK };
	syms[i++] = (struct synth_sym){ "init_mm", KV + INIT_MM };
	syms[i++] = (struct synth_sym){ "vmemmap", KV + VARS + 0x100 };
	syms[i] = (struct synth_sym){ NULL, 0 };
	synth_init(s, WORLD_SIZE, 0, syms, layout);
	s->kvirt_base = KV;
	{
		const uint64_t v[] = {
			G->bits[0], G->bits[1], G->bits[2], G->bits[3],
			G->val[0], G->val[1], G->val[2], G->frag_nr[0],
			G->frag_nr[1], G->frag_shift[0], G->frag_shift[1],
		};

		for (i = 0; var_names[i]; i++)
			synth_put64(s, VARS + 8 * (uint64_t)i, v[i]);
	}
	synth_put64(s, VARS + 0x100, KV + VMEMMAP_PA);
	/* task list: init_task <-> task A */
	synth_put64(s, INIT_TASK + 0x10, KV + TASK_A + 0x10);
	synth_put64(s, TASK_A + 0x10, KV + INIT_TASK + 0x10);
	synth_put64(s, TASK_A + 0x20, KV + MM_A);
	synth_put32(s, TASK_A + 0x28, 42);
	synth_put32(s, TASK_A + 0x2c, 42);
	memcpy(s->mem + TASK_A + 0x30, "work", 5);
	/* kernel: an empty pgd; user: pgd -> pud -> pmd -> pte */
	synth_put64(s, INIT_MM + 0x08, KV + K_PGD);
	synth_put64(s, MM_A + 0x08, KV + U_PGD);
	put_be(s, U_PGD, U_PUD | PGD_VAL);
	put_be(s, U_PUD, U_PMD | PUD_VAL);
	put_be(s, U_PMD + 8ULL * I_PTE, U_PTE | PMD_VAL);
	put_be(s, U_PTE, 0x500000 | PTE_RW);
	if (G->hash) {
		/* hash__pgtable_trans_huge_deposit: slot[i] after the table */
		put_be(s, U_PMD + 8ULL * I_THP, THP_FRAME | PTE_RW | H_THP_HUGE);
		synth_put64(s, SLOT(I_THP), KV + DEP);
	} else {
		/* radix: a ring of one fragment, headed by pmd_huge_pte of
		 * the pmd page (radix_pgtable.c) */
		put_be(s, U_PMD + 8ULL * I_THP, THP_FRAME | PTE_RW);
		synth_put64(s, SPAGE(PMD_PAGE) + 16, KV + DEP);
		synth_put64(s, DEP, KV + DEP);
		synth_put64(s, DEP + 8, KV + DEP);
	}
	/* pt_frag_refcount: pmd page 1 fragment, pte page 2 (one live,
	 * one deposited); no cursor pages (context.p?d_frag NULL) */
	synth_put32(s, SPAGE(PMD_PAGE) + 40, 1);
	synth_put32(s, SPAGE(PTE_PAGE) + 40, 2);
	/* VMAs in one maple leaf: VMA1 at VA_PTE, a gap, VMA2 = the THP */
	synth_put64(s, VMA1, VA_PTE);
	synth_put64(s, VMA1 + 8, VA_PTE + G->vma1_size);
	synth_put64(s, VMA1 + 0x20, TC_VM_READ | TC_VM_WRITE);
	synth_put64(s, VMA2, VA_THP);
	synth_put64(s, VMA2 + 8, VA_THP + G->thp_size);
	synth_put64(s, VMA2 + 0x20, TC_VM_READ | TC_VM_WRITE);
	synth_put64(s, MM_A + 0x40 + 0x08, KV + (MT_LEAF | (1 << 3) | 4 | 2));
	synth_put64(s, MT_LEAF + 0x08 + 0, VA_PTE - 1);
	synth_put64(s, MT_LEAF + 0x08 + 8, VA_PTE + G->vma1_size - 1);
	synth_put64(s, MT_LEAF + 0x08 + 16, VA_THP - 1);
	synth_put64(s, MT_LEAF + 0x08 + 24, VA_THP + G->thp_size - 1);
	synth_put64(s, MT_LEAF + 0x08 + 32, UINT64_MAX);
	synth_put64(s, MT_LEAF + 0x80 + 8, KV + VMA1);
	synth_put64(s, MT_LEAF + 0x80 + 24, KV + VMA2);
}

static int run(struct synth *s, struct tc_ctx *c)
{
	struct tc_opts o = { .scope = TC_SCOPE_ALL };
	FILE *devnull = fopen("/dev/null", "w");
	int rc;

	o.out = devnull;
	rc = tc_init(c, &s->be, &tc_arch_ppc64, &o);
	if (rc == 0)
		rc = tc_run(c);
	fclose(devnull);
	c->opts.out = NULL;
	return rc;
}

static const struct tc_finding *find(const struct tc_ctx *c, const char *sig,
				     uint64_t table_pa, int index)
{
	size_t i;

	for (i = 0; i < c->findings.n; i++) {
		const struct tc_finding *f = &c->findings.v[i];

		if (!strcmp(f->sig, sig) && f->table_pa == table_pa &&
		    f->index == index)
			return f;
	}
	return NULL;
}

/* ------------------------------------------------------------ tests */

static void test_clean(void)
{
	struct synth s;
	struct tc_ctx c;
	const struct tc_mm_stats *m;
	int l;

	build_world(&s);
	check(run(&s, &c) == 0, "clean: run fails: %s", c.err);
	check(c.findings.n == 0, "%s clean: %zu findings (first %s: %s)",
	      G->name, c.findings.n, c.findings.n ? c.findings.v[0].sig : "",
	      c.findings.n ? c.findings.v[0].detail : "");
	check(!strcmp(c.scheme, G->hash ? "ppc64-hash" : "ppc64-radix"),
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

		c.arch->decode(&c, l, 0, c.levels[l].none, &e);
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

	build_world(&s);
	if (p->be)
		put_be(&s, p->pa, p->value);
	else if (p->bits32)
		synth_put32(&s, p->pa, (uint32_t)p->value);
	else
		synth_put64(&s, p->pa, p->value);
	check(run(&s, &c) == 0, "%s: run fails: %s", p->sig, c.err);
	check(find(&c, p->sig, p->table, p->index) != NULL,
	      "%s %s: no finding at %#llx[%d] (%zu findings, first %s: %s)", G->name, p->sig,
	      (unsigned long long)p->table, p->index, c.findings.n,
	      c.findings.n ? c.findings.v[0].sig : "-",
	      c.findings.n ? c.findings.v[0].detail : "");
	tc_free(&c);
	synth_free(&s);
}

static void test_plants(void)
{
	const int ip = I_PTE, it = I_THP, free_ = I_THP + 1, again = I_THP + 2;
	const uint64_t thp = THP_FRAME | PTE_RW | (G->hash ? H_THP_HUGE : 0);
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
		{ "PTE_OUTSIDE_VMA", U_PTE + 8ULL * (unsigned)G->pte_outside,
		  0x510000 | PTE_RW, 1, 0, U_PTE, G->pte_outside },
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
		/* next->prev does not point back */
		{ "DEPOSIT_LIST_CORRUPT", DEP + 8, KV + DEP + 0x100, 0, 0, DEP, 0 },
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
	if (G->hash)
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

	build_world(&s);
	/* next fragment to hand out: the third, so all but two count */
	synth_put64(&s, MM_A + 0x100, KV + PTE_PAGE + (2ULL << G->frag_shift[0]));
	synth_put32(&s, SPAGE(PTE_PAGE) + 40, (uint32_t)G->frag_nr[0]);
	/* run first: the arguments of check() are evaluated in any order */
	check(run(&s, &c) == 0, "cursor page: run fails: %s", c.err);
	check(c.findings.n == 0,
	      "cursor page: %zu findings (first %s: %s)", c.findings.n,
	      c.findings.n ? c.findings.v[0].sig : "-",
	      c.findings.n ? c.findings.v[0].detail : "");
	tc_free(&c);
	synth_free(&s);
}

/* -x on the live pte fragment names its referrer */
static void test_explain(void)
{
	struct synth s;
	struct tc_ctx c;
	char buf[4096] = "", want[80];
	FILE *f;

	build_world(&s);
	check(run(&s, &c) == 0, "explain: run fails");
	f = fmemopen(buf, sizeof(buf) - 1, "w");
	tc_explain(&c, U_PTE, f);
	fclose(f);
	snprintf(want, sizeof(want), "referenced by pmd table 0x230000[%d]", I_PTE);
	check(strstr(buf, "pte table 0x240000") != NULL &&
	      strstr(buf, want) != NULL && strstr(buf, "va 0x10000000") != NULL,
	      "%s explain: %s", G->name, buf);
	tc_free(&c);
	synth_free(&s);
}

int main(void)
{
	static const struct geo *const geos[] = { &radix, &hash };
	size_t i;

	for (i = 0; i < 2; i++) {
		G = geos[i];
		test_clean();
		test_plants();
		test_cursor();
		test_explain();
	}
	printf("unit-ppc: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
