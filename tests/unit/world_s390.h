/*
 * A small synthetic s390x dump for unit tests and fuzzers: a task list,
 * one user mm with a maple tree of VMAs, a region-3 table, a segment
 * table, a pte table, a THP and a hugetlb leaf; build_frag_world() adds
 * v6.1 struct pages, an empty pgtable_list and a THP deposit ring.
 */
#ifndef THPCHECK_WORLD_H
#define THPCHECK_WORLD_H

#include "../support/synth.h"

enum {
	INIT_TASK = 0x10000, TASK_A = 0x11000, MM_A = 0x20000,
	INIT_MM = 0x30000, VMA1 = 0x30400, VMA2 = 0x30500, VMA3 = 0x30600,
	MT_LEAF = 0x31000,
	K_R3 = 0x100000, U_R3 = 0x200000, U_SEG = 0x204000, U_PT = 0x208000,
	U_PT2 = 0x209000,
	VMEMMAP_VAR = 0x34000, VMEMMAP = 0x800000, DEP = U_PT + 0x800,
	SIGNAL_A = 0x12000, DETACHED = 0x30700, SIDE_LEAF = 0x32000,
	STACK_A = 0x40000,
	WORLD_SIZE = 16 << 20,
};

#define PTE_NONE	0x400ULL
#define PTE_RW		0x3dULL		/* present young dirty read write */
#define PTE_RO		0x215ULL	/* present young read protect */
#define SEG_THP		0x3403ULL	/* large dirty young read write */
#define VM_RW		(TC_VM_READ | TC_VM_WRITE)

extern const struct synth_sym world_syms[];
void fill(struct synth *s, uint64_t pa, unsigned n, uint64_t v);
uint64_t spage(uint64_t pa);
void build_world(struct synth *s);
void build_frag_world(struct synth *s);
/* the world's layout and extra rows after it (two merges may be alive) */
void add_layout(struct synth *s, const struct synth_layout *extra);
/* inflight.c's layout, TASK_A's stack and thread list, mm_users 1 */
void add_inflight(struct synth *s);
/* tc_init + tc_run with output to /dev/null */
int run_world(struct synth *s, struct tc_ctx *c);

#endif
