/*
 * State shared by the ppc64 files: pgtable_ppc.c (geometry, decoder) and
 * frag_ppc.c (pte/pmd fragments and pt_frag_refcount, THP deposits).
 */
#ifndef THPCHECK_PPC_H
#define THPCHECK_PPC_H

#include "tc.h"

enum { P_PGD, P_PUD, P_PMD, P_PTE };

/* one 64 KiB page of pte or pmd fragments, built when it is judged */
struct ppc_frag_page {
	uint64_t pa;
	uint64_t mm;
	int level;		/* P_PTE or P_PMD */
	unsigned used;		/* fragments referenced or deposited */
	unsigned thp;		/* radix: THP leaves in its pmd fragments */
};

struct ppc_priv {
	struct tc_level levels[4];
	int radix;
	uint64_t val_bits[3];	/* __pgd/__pud/__pmd_val_bits */
	uint64_t align[4];	/* table (fragment) alignment per level */
	long mm_pgd;
	/* fragments (arch/powerpc/mm/pgtable-frag.c) */
	uint64_t frag_nr[4], frag_shift[4];	/* at P_PTE and P_PMD */
	long ctx_pte_frag, ctx_pmd_frag, pg_frag_refcount, pg_huge_pte;
	/* physical addresses of the deposited pte fragments of one mm */
	uint64_t *deps;
	size_t ndeps, capdeps;
	/* a deposit ring or slot array of the mm not read whole (left out
	 * of the dump, or corrupt): its deposited fragments are not all in
	 * deps */
	int deps_partial;
};

int ppc_frag_init(struct tc_ctx *c, struct ppc_priv *p);
void ppc_check_all(struct tc_ctx *c);
void ppc_fini(struct tc_ctx *c);

extern const struct tc_arch tc_arch_ppc64;

/* dump_ppc.c: vmemmap blocks as the kernel lists them (vmemmap_list) */
int ppc_listed_kva_blocks(const struct tc_backend *be, uint64_t linear_base,
			  void (*add)(void *ctx, uint64_t virt, uint64_t phys),
			  void *ctx, uint64_t *block_bytes);

/* its signature rows (ext/pgtable_ppc.c) */
extern const struct tc_sig tc_sig_PPC_PTE_ILLEGAL, tc_sig_PPC_PMD_ILLEGAL,
	tc_sig_PPC_PUD_ILLEGAL, tc_sig_PPC_PGD_ILLEGAL, tc_sig_PPC_FRAG_REFCOUNT;

#endif
