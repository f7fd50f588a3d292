/*
 * State shared by the x86_64 files: pgtable_x86.c (geometry, decoder,
 * top tables) and deposit_x86.c (the kernel half of user pgds, PTI; the
 * generic PG_table and THP deposit checks of deposit.c).  Entry formats
 * and invariants: docs/arch/x86_64-entries.md.
 */
#ifndef THPCHECK_X86_H
#define THPCHECK_X86_H

#include "tc.h"

/* arch/x86/include/asm/pgtable_types.h (v6.1, v6.12) */
#define X86_P		0x001ULL
#define X86_RW		0x002ULL
#define X86_US		0x004ULL
#define X86_A		0x020ULL
#define X86_D		0x040ULL
#define X86_PSE		0x080ULL
#define X86_G		0x100ULL	/* _PAGE_PROTNONE when P is clear */
#define X86_SPECIAL	0x200ULL
#define X86_NX		0x8000000000000000ULL
#define X86_ADDR_BITS	0x000ffffffffff000ULL	/* 12..51: __PHYSICAL_MASK_SHIFT 52 */

/* levels counted from the bottom: the same for 4- and 5-level tables */
enum { H_PTE, H_PMD, H_PUD, H_P4D, H_PGD5 };

struct x86_priv {
	struct tc_level levels[5];
	int l5;			/* pgtable_l5_enabled */
	unsigned phys_bits;	/* boot_cpu_data.x86_phys_bits */
	uint64_t addr_mask;	/* X86_ADDR_BITS & physical_mask */
	uint64_t rsvd;		/* address bits at and above MAXPHYADDR */
	uint64_t enc;		/* sme_me_mask: the C-bit, never a PFN bit */
	uint64_t page_offset;	/* page_offset_base: __va(0) */
	unsigned kernel_first;	/* KERNEL_PGD_BOUNDARY */
	unsigned ldt_slot;	/* LDT_PGD_ENTRY: user pgds differ there */
	/* init_mm's pgd entries PTRS/2.., read once for every user pgd's
	 * comparison; kupper_read 1 read, -1 unreadable */
	uint64_t kupper[256];
	int kupper_read;
	/* PTI (X86_FEATURE_PTI in boot_cpu_data): every pgd has a user copy
	 * in the page above it; nx: __supported_pte_mask has NX; kuser:
	 * entries PTRS/2.. of init_mm's user copy, read like kupper */
	int pti, nx;
	uint64_t kuser[256];
	int kuser_read;
	long mm_pgd;
	struct tc_ptpages pages;	/* PG_table, THP deposits (deposit.c) */
	unsigned swp_pfn_bits;	/* SWP_PFN_BITS: MAX_PHYSMEM_BITS - 12 */
};

static inline int x86_height(const struct tc_ctx *c, int level)
{
	return c->nlevels - 1 - level;
}

/* a directory's frame, un-inverting a non-present entry (L1TF,
 * arch/x86/include/asm/pgtable-invert.h: pfn_pte/pmd/pud store ~pfn) */
static inline uint64_t x86_frame(const struct x86_priv *p, uint64_t v,
				 uint64_t align_mask)
{
	uint64_t a = (v & X86_P) ? v : ~v;

	return a & p->addr_mask & ~align_mask;
}

void x86_check_mm(struct tc_ctx *c, struct tc_mm_stats *m);
int x86_deposit_init(struct tc_ctx *c, struct x86_priv *p);

extern const struct tc_arch tc_arch_x86_64;

/* its signature rows (ext/pgtable_x86.c) */
extern const struct tc_sig tc_sig_X86_PTE_ILLEGAL, tc_sig_X86_PMD_ILLEGAL,
	tc_sig_X86_PUD_ILLEGAL, tc_sig_X86_P4D_ILLEGAL, tc_sig_X86_PGD_ILLEGAL,
	tc_sig_X86_PGD_KERNEL_HALF, tc_sig_X86_TABLE_NOT_PGTABLE,
	tc_sig_X86_PTI_USER_COPY;

#endif
