/* The synthetic world shared by the unit tests and the fuzzers. */
#include <stdio.h>
#include <string.h>
#include "world.h"

const struct synth_sym world_syms[] = {
	{ "init_task", INIT_TASK }, { "init_mm", INIT_MM }, { NULL, 0 },
};

static const struct synth_layout layout[] = {
	{ "mm_struct", "context.asce", 0x100 },
	{ "mm_struct", "context.asce_limit", 0x108 },
	{ NULL, NULL, 0 },
};

void fill(struct synth *s, uint64_t pa, unsigned n, uint64_t v)
{
	unsigned i;

	for (i = 0; i < n; i++)
		synth_put64(s, pa + 8 * i, v);
}

static void put_vma(struct synth *s, uint64_t a, uint64_t start,
		    uint64_t end, uint64_t flags)
{
	synth_put64(s, a, start);
	synth_put64(s, a + 8, end);
	synth_put64(s, a + 0x20, flags);
}

void build_world(struct synth *s)
{
	synth_init(s, WORLD_SIZE, 1, world_syms, layout);
	/* task list: init_task <-> task A */
	synth_put64(s, INIT_TASK + 0x10, TASK_A + 0x10);
	synth_put64(s, TASK_A + 0x10, INIT_TASK + 0x10);
	synth_put64(s, TASK_A + 0x20, MM_A);
	synth_put32(s, TASK_A + 0x28, 42);
	synth_put32(s, TASK_A + 0x2c, 42);
	memcpy(s->mem + TASK_A + 0x30, "work", 5);
	/* kernel: an empty region-3 table */
	synth_put64(s, INIT_MM + 0x100, K_R3 | 0x7);
	fill(s, K_R3, 2048, 0x24);
	/* user: ASCE R3 type with user bits (mmu_context.h) */
	synth_put64(s, MM_A + 0x100, U_R3 | 0x1c7);
	synth_put64(s, MM_A + 0x108, 1ULL << 42);
	fill(s, U_R3, 2048, 0x24);
	synth_put64(s, U_R3, U_SEG | 0x7);
	fill(s, U_SEG, 2048, 0x20);
	synth_put64(s, U_SEG + 8 * 1, U_PT);			/* va 1M */
	synth_put64(s, U_SEG + 8 * 2, 0x400000 | SEG_THP);	/* va 2M */
	synth_put64(s, U_SEG + 8 * 3, 0x500000 | SEG_THP);	/* va 3M hugetlb */
	fill(s, U_PT, 256, PTE_NONE);
	fill(s, U_PT2, 256, PTE_NONE);
	synth_put64(s, U_PT + 0, 0x600000 | PTE_RW);
	synth_put64(s, U_PT + 8, 0x5600);			/* swap type 0 */
	synth_put64(s, U_PT + 16, 0x601000 | PTE_RO);
	/* VMAs in one maple leaf: [1M,3M) rw, [3M,4M) hugetlb, [8M,9M) ro */
	put_vma(s, VMA1, 0x100000, 0x300000, VM_RW);
	put_vma(s, VMA2, 0x300000, 0x400000, VM_RW | TC_VM_HUGETLB);
	put_vma(s, VMA3, 0x800000, 0x900000, TC_VM_READ);
	synth_put64(s, MM_A + 0x40 + 0x08, MT_LEAF | (1 << 3) | 4 | 2);
	synth_put64(s, MT_LEAF + 0x08 + 0, 0x0fffff);
	synth_put64(s, MT_LEAF + 0x08 + 8, 0x2fffff);
	synth_put64(s, MT_LEAF + 0x08 + 16, 0x3fffff);
	synth_put64(s, MT_LEAF + 0x08 + 24, 0x7fffff);
	synth_put64(s, MT_LEAF + 0x08 + 32, 0x8fffff);
	synth_put64(s, MT_LEAF + 0x08 + 40, UINT64_MAX);
	synth_put64(s, MT_LEAF + 0x80 + 8, VMA1);
	synth_put64(s, MT_LEAF + 0x80 + 16, VMA2);
	synth_put64(s, MT_LEAF + 0x80 + 32, VMA3);
}

int run_world(struct synth *s, struct tc_ctx *c)
{
	struct tc_opts o = { .scope = TC_SCOPE_ALL };
	FILE *devnull = fopen("/dev/null", "w");
	int rc;

	o.out = devnull;
	rc = tc_init(c, &s->be, &tc_arch_s390x, &o);
	if (rc == 0)
		rc = tc_run(c);
	fclose(devnull);
	c->opts.out = NULL;
	return rc;
}

static const struct synth_sym frag_syms[] = {
	{ "init_task", INIT_TASK }, { "init_mm", INIT_MM },
	{ "vmemmap", VMEMMAP_VAR }, { NULL, 0 },
};

static const struct synth_layout frag_layout_extra[] = {
	{ "mm_struct", "context.pgtable_list", 0x110 },
	{ "page", NULL, 64 }, { "page", "flags", 0 }, { "page", "lru", 8 },
	{ "page", "pmd_huge_pte", 16 }, { "page", "page_type", 48 },
	{ "page", "_refcount", 52 },
	{ NULL, NULL, 0 },
};

static struct synth_layout frag_layout[64];

uint64_t spage(uint64_t pa)
{
	return VMEMMAP + (pa >> 12) * 64;
}

/*
 * v6.1 world: the pte page at U_PT has half 0 referenced by a segment
 * entry and half 1 deposited for the THP at 2M (A0|A1 = 0x03, not on the
 * list, which is empty); the segment table's struct page heads the ring.
 */
void build_frag_world(struct synth *s)
{
	size_t n = 0, i;

	for (i = 0; layout[i].type; i++)
		frag_layout[n++] = layout[i];
	for (i = 0; frag_layout_extra[i].type; i++)
		frag_layout[n++] = frag_layout_extra[i];
	frag_layout[n].type = NULL;
	build_world(s);
	s->syms = frag_syms;
	s->layout = frag_layout;
	synth_put64(s, VMEMMAP_VAR, VMEMMAP);
	synth_put64(s, MM_A + 0x110, MM_A + 0x110);	/* empty list */
	synth_put64(s, MM_A + 0x118, MM_A + 0x110);
	synth_put32(s, spage(U_PT) + 48, 0xfffffdff);	/* PG_table, v6.1 */
	synth_put32(s, spage(U_PT) + 52, 0x03000001);
	synth_put64(s, spage(U_PT) + 8, 0x100);		/* LIST_POISON1/2 */
	synth_put64(s, spage(U_PT) + 16, 0x122);
	fill(s, DEP, 256, PTE_NONE);
	synth_put64(s, DEP, DEP);			/* a ring of one */
	synth_put64(s, DEP + 8, DEP);
	synth_put64(s, spage(U_SEG) + 16, DEP);
}

