/*
 * A small synthetic arm64 dump (4 KiB pages, 48-bit VA: 4 levels) for the
 * unit tests (tests/unit/test_arm64.c) and the arm64 fuzz targets: a task
 * list, one user mm with a maple tree of VMAs, pgd -> pud -> pmd -> pte
 * whose first 16 ptes are one contiguous run, an anonymous THP with its
 * deposited pte table on the ring of the pmd table's struct page, a
 * 32 MiB contiguous hugetlb run of 16 pmd blocks, page_type bits on the
 * table pages, and the kernel's VMCOREINFO text.  arm64_v610 picks the
 * v6.1 or the v6.10+ encodings (release string and page_type).
 */
#ifndef THPCHECK_WORLD_ARM64_H
#define THPCHECK_WORLD_ARM64_H

#include "../support/synth.h"

/* pgtable-hwdef.h / pgtable-prot.h: a user table (PMD_TYPE_TABLE |
 * PXNTable), a kernel one (| UXNTable), a user rw page (PAGE_SHARED,
 * young and dirty: VALID|PAGE, USER, SH, AF, nG, DBM, PXN, UXN) */
#define TABLE		0x0800000000000003ULL
#define KTABLE		0x1000000000000003ULL
#define LEAF_RW		0x0068000000000f43ULL
#define BLOCK_RW	(LEAF_RW & ~2ULL)
#define CONT		(1ULL << 52)
#define PTE_ADDR	0x0000fffffffff000ULL

enum {
	INIT_TASK = 0x10000, TASK_A = 0x11000, MM_A = 0x20000,
	INIT_MM = 0x30000, VMA1 = 0x30400, VMA2 = 0x30500, VMA3 = 0x30600,
	MT_LEAF = 0x31000, VARS = 0x40000, VMCI = 0x41000, ANON_VMA = 0x50000,
	VMEMMAP_PA = 0x100000,		/* struct pages, 64 bytes each */
	K_PGD = 0x200000, K_PUD = 0x201000,
	U_PGD = 0x210000, U_PUD = 0x211000, U_PMD = 0x212000,
	U_PTE = 0x213000, DEP = 0x214000,
	PTE_FRAME = 0x500000, THP_FRAME = 0x800000, HUGE_FRAME = 0x0,
	WORLD_SIZE = 16 << 20,
};

#define VA_PTE		0x400000ULL	/* pmd index 2: ptes 0-15 a run */
#define VA_THP		0x600000ULL	/* pmd index 3 */
#define VA_HUGE		0x2000000ULL	/* pmd 16-31: a 32 MiB cont-pmd run */
#define I_PTE		2
#define I_THP		3
#define I_HUGE		16

/* the linear map of this world: PAGE_OFFSET, memstart_addr 0 */
#define KV		0xffff000000000000ULL
#define SPAGE(pa)	(VMEMMAP_PA + ((uint64_t)(pa) >> 12) * 64)
#define SPAGE_KV(pa)	(KV + SPAGE(pa))

extern int arm64_v610;		/* the world build_arm64_world() makes */
void build_arm64_world(struct synth *s);
int run_arm64_world(struct synth *s, struct tc_ctx *c);

#endif
