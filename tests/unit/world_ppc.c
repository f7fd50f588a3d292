/* The synthetic ppc64 world shared by the unit tests and the fuzzers. */
#include <stdio.h>
#include <string.h>
#include "world_ppc.h"
#include "ppc.h"

/* radix: RADIX_P?D_VAL_BITS = top bit | the next level's index size;
 * hash: the top bit only.  Fragment sizes (64 KiB pages): radix-64k.h
 * RADIX_P?D_FRAG_SIZE_SHIFT = index size + 3 (pte 256 B, pmd 4 KiB);
 * hash-64k.h H_PTE_FRAG_SIZE_SHIFT = H_PTE_INDEX_SIZE + 3 + 1 (the ptes
 * and their hidx, 4 KiB) and, with THP, H_PMD_FRAG_SIZE_SHIFT =
 * H_PMD_INDEX_SIZE + 3 + 1 (the pmds and the deposit slots, 16 KiB) */
const struct geo ppc_radix = {
	"radix", 0, { 13, 9, 9, 5 }, { PRESENT | 9, PRESENT | 9, PRESENT | 5 },
	{ 256, 16 }, { 8, 12 }, 0x10000000, 0x10200000, 0x200000, 0x100000,
	31, 0x100,
};
const struct geo ppc_hash = {
	"hash", 1, { 8, 10, 10, 8 }, { PRESENT, PRESENT, PRESENT },
	{ 16, 4 }, { 12, 14 }, 0x10000000, 0x11000000, 0x1000000, 0x800000,
	255, 0x1000,
};
const struct geo *ppc_geo;

static const char *const var_names[] = {
	"__pgd_index_size", "__pud_index_size", "__pmd_index_size",
	"__pte_index_size", "__pgd_val_bits", "__pud_val_bits",
	"__pmd_val_bits", "__pte_frag_nr", "__pmd_frag_nr",
	"__pte_frag_size_shift", "__pmd_frag_size_shift", NULL,
};

static struct synth_sym syms[24];

static const struct synth_layout layout[] = {
	{ "mm_struct", "context.pte_frag", 0x100 },
	{ "mm_struct", "context.pmd_frag", 0x108 },
	{ "page", NULL, 64 }, { "page", "pmd_huge_pte", 16 },
	{ "page", "pt_frag_refcount", 40 },
	{ NULL, NULL, 0 },
};

void put_be(struct synth *s, uint64_t pa, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		s->mem[pa + i] = (unsigned char)(v >> (56 - 8 * i));
}

void build_ppc_world(struct synth *s)
{
	int i;

	for (i = 0; var_names[i]; i++) {
		syms[i].name = var_names[i];
		syms[i].addr = KV + VARS + 8 * (uint64_t)i;
	}
	syms[i++] = (struct synth_sym){ "init_task", KV + INIT_TASK };
	syms[i++] = (struct synth_sym){ "init_mm", KV + INIT_MM };
	syms[i++] = (struct synth_sym){ "vmemmap", KV + VARS + 0x100 };
	/* for inflight.c: per-CPU rcu_data of one CPU, the RCU callback of
	 * page-table batches */
	syms[i++] = (struct synth_sym){ "rcu_data", KV + RCU_DATA };
	syms[i++] = (struct synth_sym){ "__per_cpu_offset", KV + VARS + 0x300 };
	syms[i++] = (struct synth_sym){ "nr_cpu_ids", KV + VARS + 0x308 };
	syms[i++] = (struct synth_sym){ "tlb_remove_table_rcu", KV + 0x7000 };
	syms[i] = (struct synth_sym){ NULL, 0 };
	synth_init(s, WORLD_SIZE, 0, syms, layout);
	s->kvirt_base = KV;
	{
		const uint64_t v[] = {
			ppc_geo->bits[0], ppc_geo->bits[1], ppc_geo->bits[2], ppc_geo->bits[3],
			ppc_geo->val[0], ppc_geo->val[1], ppc_geo->val[2], ppc_geo->frag_nr[0],
			ppc_geo->frag_nr[1], ppc_geo->frag_shift[0], ppc_geo->frag_shift[1],
		};

		for (i = 0; var_names[i]; i++)
			synth_put64(s, VARS + 8 * (uint64_t)i, v[i]);
	}
	synth_put64(s, VARS + 0x100, KV + VMEMMAP_PA);
	synth_put32(s, VARS + 0x308, 1);		/* nr_cpu_ids */
	synth_task(s, INIT_TASK, TASK_A, MM_A, 42, "work");
	/* kernel: an empty pgd; user: pgd -> pud -> pmd -> pte */
	synth_put64(s, INIT_MM + 0x08, KV + K_PGD);
	synth_put64(s, MM_A + 0x08, KV + U_PGD);
	put_be(s, U_PGD, U_PUD | PGD_VAL);
	put_be(s, U_PUD, U_PMD | PUD_VAL);
	put_be(s, U_PMD + 8ULL * I_PTE, U_PTE | PMD_VAL);
	put_be(s, U_PTE, 0x500000 | PTE_RW);
	if (ppc_geo->hash) {
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
	/* VMAs: VMA1 at VA_PTE, a gap, VMA2 = the THP */
	{
		const struct synth_vma v[] = {
			{ VMA1, VA_PTE, VA_PTE + ppc_geo->vma1_size, TC_VM_READ | TC_VM_WRITE },
			{ VMA2, VA_THP, VA_THP + ppc_geo->thp_size, TC_VM_READ | TC_VM_WRITE },
		};

		synth_vmas(s, MM_A, MT_LEAF, v, 2);
	}
}

int run_ppc_world(struct synth *s, struct tc_ctx *c)
{
	return synth_run(s, &tc_arch_ppc64, c);
}

