/* The synthetic world shared by the unit tests and the fuzzers. */
#include <stdio.h>
#include <string.h>
#include "world_s390.h"
#include "s390.h"

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

void build_world(struct synth *s)
{
	static const struct synth_vma vmas[] = {
		{ VMA1, 0x100000, 0x300000, VM_RW },
		{ VMA2, 0x300000, 0x400000, VM_RW | TC_VM_HUGETLB },
		{ VMA3, 0x800000, 0x900000, TC_VM_READ },
	};

	synth_init(s, WORLD_SIZE, 1, world_syms, layout);
	synth_task(s, INIT_TASK, TASK_A, MM_A, 42, "work");
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
	synth_vmas(s, MM_A, MT_LEAF, vmas, 3);
}

int run_world(struct synth *s, struct tc_ctx *c)
{
	return synth_run(s, &tc_arch_s390x, c);
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


/*
 * The layout and task state inflight.c reads (kernel stack, thread list,
 * mm_users, mmap_lock, vm_mm), added to a world built before: TASK_A
 * gets the empty 16 KiB stack STACK_A and a thread list of itself,
 * mm_users is 1 and mmap_lock free.
 */
static const struct synth_layout inflight_extra[] = {
	{ "task_struct", "stack", 0x40 }, { "task_struct", "signal", 0x48 },
	{ "task_struct", "thread_node", 0x50 },
	{ "signal_struct", "thread_head", 0x10 },
	{ "mm_struct", "mm_users", 0x60 }, { "mm_struct", "mmap_lock.count", 0x68 },
	{ "mm_struct", "mmap_lock.owner", 0x70 }, { "vm_area_struct", "vm_mm", 0x10 },
	{ "thread_union", NULL, 0x4000 },
	{ NULL, NULL, 0 },
};

void add_layout(struct synth *s, const struct synth_layout *extra)
{
	static struct synth_layout merged[2][96];
	static int which;
	struct synth_layout *m = merged[which ^= 1];
	size_t n = 0, i;

	for (i = 0; s->layout && s->layout[i].type && n < 95; i++)
		m[n++] = s->layout[i];
	for (i = 0; extra[i].type && n < 95; i++)
		m[n++] = extra[i];
	m[n].type = NULL;
	s->layout = m;
}

void add_inflight(struct synth *s)
{
	add_layout(s, inflight_extra);
	synth_put64(s, TASK_A + 0x40, STACK_A);
	synth_put64(s, TASK_A + 0x48, SIGNAL_A);
	synth_put64(s, SIGNAL_A + 0x10, TASK_A + 0x50);
	synth_put64(s, SIGNAL_A + 0x18, TASK_A + 0x50);
	synth_put64(s, TASK_A + 0x50, SIGNAL_A + 0x10);
	synth_put64(s, TASK_A + 0x58, SIGNAL_A + 0x10);
	synth_put32(s, MM_A + 0x60, 1);
}
