/* The synthetic x86_64 world shared by the unit tests and the fuzzers. */
#include <stdio.h>
#include <string.h>
#include "world_x86.h"
#include "x86.h"

int x86_l5;

static struct synth_sym syms[12];

static const struct synth_layout layout[] = {
	{ "page", NULL, 64 }, { "page", "lru", 8 }, { "page", "pmd_huge_pte", 16 },
	{ "page", "mapping", 24 }, { "page", "page_type", 48 },
	{ "cpuinfo_x86", "x86_phys_bits", 0x10 },
	{ "cpuinfo_x86", "x86_capability", 0x20 },
	{ NULL, NULL, 0 },
};

/* v6.1 page_type of a page table: PG_table (0x200) cleared in ~0 */
#define PGTABLE_61	0xfffffdffu

void build_x86_world(struct synth *s)
{
	const uint64_t top = x86_l5 ? U_P4D : U_PUD, ktop = x86_l5 ? K_P4D : K_PUD;
	int i = 0;

	syms[i++] = (struct synth_sym){ "init_task", KV + INIT_TASK };
	syms[i++] = (struct synth_sym){ "init_mm", KV + INIT_MM };
	syms[i++] = (struct synth_sym){ "page_offset_base", KV + VARS };
	syms[i++] = (struct synth_sym){ "__pgtable_l5_enabled", KV + VARS + 8 };
	syms[i++] = (struct synth_sym){ "vmemmap_base", KV + VARS + 0x10 };
	syms[i++] = (struct synth_sym){ "huge_zero_pfn", KV + VARS + 0x18 };
	syms[i++] = (struct synth_sym){ "boot_cpu_data", KV + CPUINFO };
	syms[i] = (struct synth_sym){ NULL, 0 };
	synth_init(s, WORLD_SIZE, 0, syms, layout);
	s->kvirt_base = KV;
	synth_put64(s, VARS, KV);
	synth_put32(s, VARS + 8, (uint32_t)x86_l5);
	synth_put64(s, VARS + 0x10, KV + VMEMMAP_PA);
	synth_put64(s, VARS + 0x18, ~0ULL);
	s->mem[CPUINFO + 0x10] = 40;		/* QEMU TCG: 40 physical bits */
	synth_task(s, INIT_TASK, TASK_A, MM_A, 42, "work");
	/* kernel: one (empty) table under the direct map's pgd slot; the
	 * user pgd's kernel half is a copy of init_mm's */
	synth_put64(s, INIT_MM + 0x08, KV + K_PGD);
	synth_put64(s, K_PGD + 8 * K_SLOT, ktop | TABLE);
	synth_put64(s, U_PGD + 8 * K_SLOT, ktop | TABLE);
	if (x86_l5)
		synth_put64(s, K_P4D, K_PUD | KTABLE);
	synth_put64(s, MM_A + 0x08, KV + U_PGD);
	synth_put64(s, U_PGD, top | TABLE);
	if (x86_l5)
		synth_put64(s, U_P4D, U_PUD | TABLE);
	synth_put64(s, U_PUD, U_PMD | TABLE);
	synth_put64(s, U_PMD + 8 * I_PTE, U_PTE | TABLE);
	synth_put64(s, U_PTE, PTE_FRAME | LEAF_RW);
	/* an anonymous THP (page->mapping = anon_vma | PAGE_MAPPING_ANON)
	 * with one deposited table: a ring of one page, self-linked lru */
	synth_put64(s, U_PMD + 8 * I_THP, THP_FRAME | PSE | LEAF_RW);
	synth_put64(s, SPAGE(THP_FRAME) + 24, KV + ANON_VMA + 1);
	synth_put64(s, SPAGE(U_PMD) + 16, SPAGE_KV(DEP));
	synth_put64(s, SPAGE(DEP) + 8, SPAGE_KV(DEP) + 8);
	synth_put64(s, SPAGE(DEP) + 16, SPAGE_KV(DEP) + 8);
	synth_put32(s, SPAGE(U_PMD) + 48, PGTABLE_61);
	synth_put32(s, SPAGE(U_PTE) + 48, PGTABLE_61);
	synth_put32(s, SPAGE(DEP) + 48, PGTABLE_61);
	{
		const struct synth_vma v[] = {
			{ VMA1, VA_PTE, VA_PTE + 0x10000, TC_VM_READ | TC_VM_WRITE },
			{ VMA2, VA_THP, VA_THP + 0x200000, TC_VM_READ | TC_VM_WRITE },
		};

		synth_vmas(s, MM_A, MT_LEAF, v, 2);
	}
}

int run_x86_world(struct synth *s, struct tc_ctx *c)
{
	return synth_run(s, &tc_arch_x86_64, c);
}
