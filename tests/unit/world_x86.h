/*
 * A small synthetic x86_64 dump (4 KiB pages, 4- or 5-level tables) for
 * the unit tests (tests/unit/test_x86.c) and fuzz_decode_x86: a task
 * list, one user mm with a maple tree of VMAs, pgd [-> p4d] -> pud ->
 * pmd -> pte, an anonymous THP with its deposited pte table on the ring
 * of the pmd table's struct page, v6.1 page_type bits on the table pages
 * and the kernel half of the user pgd copied from init_mm's.
 */
#ifndef THPCHECK_WORLD_X86_H
#define THPCHECK_WORLD_X86_H

#include "../support/synth.h"

/* pgtable_types.h: _PAGE_TABLE, a user rw leaf, PSE, PROT_NONE (= G) */
#define TABLE		0x67ULL
#define KTABLE		0x63ULL
#define LEAF_RW		0x8000000000000067ULL	/* NX | D | A | US | RW | P */
#define PSE		0x80ULL
#define X86_NX_BIT	0x8000000000000000ULL
#define PROTNONE	0x100ULL
#define PMD_ADDR	0x000fffffffe00000ULL	/* bits 21..51 */
#define PTE_ADDR	0x000ffffffffff000ULL	/* bits 12..51 */

enum {
	INIT_TASK = 0x10000, TASK_A = 0x11000, MM_A = 0x20000,
	INIT_MM = 0x30000, VMA1 = 0x30400, VMA2 = 0x30500, MT_LEAF = 0x31000,
	VARS = 0x40000, CPUINFO = 0x40100, ANON_VMA = 0x50000,
	VMEMMAP_PA = 0x100000,		/* struct pages, 64 bytes each */
	K_PGD = 0x200000, K_P4D = 0x201000, K_PUD = 0x202000,
	U_PGD = 0x210000,		/* 8 KiB (PGD_ALLOCATION_ORDER 1) */
	U_P4D = 0x212000, U_PUD = 0x213000, U_PMD = 0x214000,
	U_PTE = 0x215000, DEP = 0x216000,
	THP_FRAME = 0x800000, PTE_FRAME = 0x500000,
	WORLD_SIZE = 16 << 20,
};

#define VA_PTE		0x400000ULL	/* pmd index 2 */
#define VA_THP		0x600000ULL	/* pmd index 3 */
#define I_PTE		2
#define I_THP		3
#define K_SLOT		273		/* pgd_index(page_offset_base) */

extern int x86_l5;		/* the world build_x86_world() makes */
/* the direct map's base of that world: __va(0) */
#define KV		(x86_l5 ? 0xff11000000000000ULL : 0xffff888000000000ULL)
/* struct page of a 4 KiB page, physical and as the kernel points to it */
#define SPAGE(pa)	(VMEMMAP_PA + ((uint64_t)(pa) >> 12) * 64)
#define SPAGE_KV(pa)	(KV + SPAGE(pa))

void build_x86_world(struct synth *s);
int run_x86_world(struct synth *s, struct tc_ctx *c);

#endif
