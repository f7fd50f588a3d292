/*
 * State shared by the arm64 files: pgtable_arm64.c (geometry, decoder,
 * top tables) and cont_arm64.c (contiguous runs, PG_table and THP
 * deposits).  Entry formats and invariants: docs/arch/arm64-entries.md.
 */
#ifndef THPCHECK_ARM64_H
#define THPCHECK_ARM64_H

#include "tc.h"

/* arch/arm64/include/asm/pgtable-hwdef.h (v6.1, v6.12), 4 KiB granule */
#define A64_VALID	0x001ULL	/* PTE_VALID */
#define A64_TABLE	0x002ULL	/* PTE_TABLE_BIT: table (L0-L2), page (L3) */
#define A64_USER	0x040ULL	/* PTE_USER: AP[1], EL0 access */
#define A64_RDONLY	0x080ULL	/* PTE_RDONLY: AP[2] */
#define A64_SH		0x300ULL	/* PTE_SHARED: inner shareable */
#define A64_AF		0x400ULL	/* PTE_AF */
#define A64_NG		0x800ULL	/* PTE_NG; v6.10+ PTE_PRESENT_INVALID when !VALID */
#define A64_DBM		(1ULL << 51)	/* PTE_DBM = PTE_WRITE (pgtable-prot.h) */
#define A64_CONT	(1ULL << 52)	/* PTE_CONT / PMD_SECT_CONT */
#define A64_PXN		(1ULL << 53)
#define A64_UXN		(1ULL << 54)
/* software bits, arch/arm64/include/asm/pgtable-prot.h */
#define A64_DIRTY	(1ULL << 55)	/* PTE_DIRTY */
#define A64_SPECIAL	(1ULL << 56)	/* PTE_SPECIAL */
#define A64_DEVMAP	(1ULL << 57)	/* PTE_DEVMAP */
#define A64_PROT_NONE_61 (1ULL << 58)	/* v6.1 PTE_PROT_NONE (only when !VALID) */
#define A64_PMD_INVALID_61 (1ULL << 59)	/* v6.1 PMD_PRESENT_INVALID (!VALID) */
/* table descriptors: PXNTable, UXNTable (pmd/pud_populate), APTable, NSTable */
#define A64_TBL_PXN	(1ULL << 59)
#define A64_TBL_UXN	(1ULL << 60)
#define A64_ADDR	0x0000fffffffff000ULL	/* PTE_ADDR_LOW, 48-bit PA */
/* bits 49:48: OA[49:48] only in the LPA2 descriptor format (TCR_EL1.DS, set
 * with the 52-bit T1SZ: arch/arm64/mm/proc.S of v6.12), which the setup
 * refuses; RES0 in the 48-bit format (docs/arch/arm64-entries.md, HI) */
#define A64_RES0_4K	0x0003000000000000ULL

#define A64_PTRS	512
#define A64_CONT_N	16		/* CONT_PTES, CONT_PMDS with 4 KiB pages */

/* levels counted from the bottom */
enum { A64_PTE, A64_PMD, A64_PUD, A64_PGD };

struct arm64_priv {
	struct tc_level levels[4];
	unsigned va_bits;	/* vabits_actual: 39 or 48 */
	int v610;		/* v6.10+: PTE_PRESENT_INVALID, swap offset at 12 */
	uint64_t page_offset;	/* PAGE_OFFSET: -(1 << VA_BITS) */
	uint64_t phys_offset;	/* memstart_addr */
	long mm_pgd;
	struct tc_ptpages pages;	/* PG_table, THP deposits (deposit.c) */
};

static inline int arm64_height(const struct tc_ctx *c, int level)
{
	return c->nlevels - 1 - level;
}

/* the frame of a leaf or table, low bits of a block taken off */
static inline uint64_t arm64_frame(uint64_t v, int h)
{
	return v & A64_ADDR & ~((1ULL << (12 + 9 * h)) - 1);
}

/* a non-valid entry the kernel still counts present (pte_present,
 * pmd_present): PROT_NONE, NUMA hints, pmdp_invalidate() */
int arm64_present_invalid(const struct arm64_priv *p, int h, uint64_t v);
/* the pfn of a swap-format entry (migration entries keep the pfn there) */
uint64_t arm64_swap_offset(const struct arm64_priv *p, uint64_t v);

void arm64_check_mm(struct tc_ctx *c, struct tc_mm_stats *m);
int arm64_pages_init(struct tc_ctx *c, struct arm64_priv *p);

extern const struct tc_arch tc_arch_arm64;

/* its signature rows (ext/pgtable_arm64.c, ext/cont_arm64.c) */
extern const struct tc_sig tc_sig_ARM64_PTE_ILLEGAL, tc_sig_ARM64_PMD_ILLEGAL,
	tc_sig_ARM64_PUD_ILLEGAL, tc_sig_ARM64_PGD_ILLEGAL,
	tc_sig_ARM64_CONT_RUN_BROKEN, tc_sig_ARM64_TABLE_NOT_PGTABLE;

#endif
