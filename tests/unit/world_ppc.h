/*
 * A small synthetic ppc64 (book3s, 64 KiB pages) dump for the unit tests
 * (tests/unit/test_ppc.c) and fuzz_walk_ppc, in radix or hash geometry:
 * a task list, one user mm with a maple tree of VMAs, pgd -> pud -> pmd
 * fragment -> pte fragment, a THP with its deposited pte fragment
 * (radix: on the ring of its pmd page; hash: in the slot array after the
 * pmd table) and the pt_frag_refcount of both fragment pages.
 */
#ifndef THPCHECK_WORLD_PPC_H
#define THPCHECK_WORLD_PPC_H

#include "../support/synth.h"

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

extern const struct geo ppc_radix, ppc_hash;
/* the geometry build_ppc_world() and the macros below use */
extern const struct geo *ppc_geo;

#define PGD_VAL		(ppc_geo->val[0])
#define PUD_VAL		(ppc_geo->val[1])
#define PMD_VAL		(ppc_geo->val[2])
#define VA_PTE		(ppc_geo->va_pte)
#define VA_THP		(ppc_geo->va_thp)
#define THP_FRAME	(2 * ppc_geo->thp_size)
#define DEP		(PTE_PAGE + ppc_geo->dep_off)
#define PMD_IDX(va)	((int)(((va) >> (16 + ppc_geo->bits[3])) & ((1u << ppc_geo->bits[2]) - 1)))
#define I_PTE		PMD_IDX(VA_PTE)
#define I_THP		PMD_IDX(VA_THP)
/* the hash deposit slot of pmd entry i */
#define SLOT(i)		(U_PMD + (8ULL << ppc_geo->bits[2]) + 8ULL * (unsigned)(i))

enum {
	INIT_TASK = 0x10000, TASK_A = 0x11000, MM_A = 0x20000,
	INIT_MM = 0x30000, VMA1 = 0x30400, VMA2 = 0x30500, MT_LEAF = 0x31000,
	VARS = 0x40000,			/* the kernel's MMU variables */
	VMEMMAP_PA = 0x100000,		/* struct pages, 64 bytes each */
	K_PGD = 0x200000, U_PGD = 0x210000, U_PUD = 0x220000,
	PMD_PAGE = 0x230000, U_PMD = PMD_PAGE,		/* fragment 0 */
	PTE_PAGE = 0x240000, U_PTE = PTE_PAGE,		/* fragment 0 */
	SIGNAL_A = 0x12000, RCU_DATA = 0x50000, BATCH = 0x51000, STACK_A = 0x60000,
	WORLD_SIZE = 0x400000,
};

/* struct page of a 64 KiB page (a constant expression for the tables) */
#define SPAGE(pa)	(VMEMMAP_PA + ((uint64_t)(pa) >> 16) * 64)

/* page-table entries are __be64 whatever the CPU's order */
void put_be(struct synth *s, uint64_t pa, uint64_t v);
void build_ppc_world(struct synth *s);
/* tc_init + tc_run with output to /dev/null */
int run_ppc_world(struct synth *s, struct tc_ctx *c);

#endif
