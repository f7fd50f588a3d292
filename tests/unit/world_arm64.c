/* The synthetic arm64 world shared by the unit tests and the fuzzers. */
#include <stdio.h>
#include <string.h>
#include "world_arm64.h"
#include "arm64.h"

int arm64_v610;

static struct synth_sym syms[8];

static const struct synth_layout layout[] = {
	{ "page", NULL, 64 }, { "page", "lru", 8 }, { "page", "pmd_huge_pte", 16 },
	{ "page", "mapping", 24 }, { "page", "page_type", 48 },
	{ NULL, NULL, 0 },
};

/* v6.1 page_type of a page table: PG_table (0x200) cleared in ~0 */
#define PGTABLE_61	0xfffffdffu

static void put_vmcoreinfo(struct synth *s)
{
	char text[512];
	int n = snprintf(text, sizeof(text), "OSRELEASE=%s\nPAGESIZE=4096\n"
			 "NUMBER(VA_BITS)=48\nNUMBER(kimage_voffset)=0xffff7fffc7e00000\n"
			 "NUMBER(PHYS_OFFSET)=0x0\nNUMBER(TCR_EL1_T1SZ)=0x10\n"
			 "NUMBER(VMEMMAP_START)=0x%llx\n", s->release,
			 (unsigned long long)(KV + VMEMMAP_PA));

	memcpy(s->mem + VMCI, text, (size_t)n);
	synth_put64(s, VARS + 0x10, KV + VMCI);
	synth_put64(s, VARS + 0x18, (uint64_t)n);
}

void build_arm64_world(struct synth *s)
{
	/* v6.12 page_type: PGTY_table (0xf2) in the top byte */
	const uint32_t pgtable = arm64_v610 ? 0xf2000000u : PGTABLE_61;
	int i = 0;

	syms[i++] = (struct synth_sym){ "init_task", KV + INIT_TASK };
	syms[i++] = (struct synth_sym){ "init_mm", KV + INIT_MM };
	syms[i++] = (struct synth_sym){ "memstart_addr", KV + VARS };
	syms[i++] = (struct synth_sym){ "huge_zero_pfn", KV + VARS + 8 };
	syms[i++] = (struct synth_sym){ "vmcoreinfo_data", KV + VARS + 0x10 };
	syms[i++] = (struct synth_sym){ "vmcoreinfo_size", KV + VARS + 0x18 };
	syms[i] = (struct synth_sym){ NULL, 0 };
	synth_init(s, WORLD_SIZE, 0, syms, layout);
	s->kvirt_base = KV;
	s->release = arm64_v610 ? "6.12.57+deb13-arm64" : "6.1.0-50-arm64";
	synth_put64(s, VARS, 0);
	synth_put64(s, VARS + 8, ~0ULL);
	put_vmcoreinfo(s);
	synth_task(s, INIT_TASK, TASK_A, MM_A, 42, "work");
	/* kernel: one (empty) pmd table under the linear map's pud */
	synth_put64(s, INIT_MM + 0x08, KV + K_PGD);
	synth_put64(s, K_PGD, K_PUD | KTABLE);
	synth_put64(s, MM_A + 0x08, KV + U_PGD);
	synth_put64(s, U_PGD, U_PUD | TABLE);
	synth_put64(s, U_PUD, U_PMD | TABLE);
	synth_put64(s, U_PMD + 8 * I_PTE, U_PTE | TABLE);
	/* 16 ptes of one 64 KiB-aligned run (a contpte fold, or 64 KiB
	 * hugetlb) */
	for (i = 0; i < 16; i++)
		synth_put64(s, U_PTE + 8 * (uint64_t)i,
			    (PTE_FRAME + 0x1000ULL * (uint64_t)i) | LEAF_RW | CONT);
	/* an anonymous THP (page->mapping = anon_vma | PAGE_MAPPING_ANON)
	 * with one deposited table: a ring of one page, self-linked lru */
	synth_put64(s, U_PMD + 8 * I_THP, THP_FRAME | BLOCK_RW);
	synth_put64(s, SPAGE(THP_FRAME) + 24, KV + ANON_VMA + 1);
	synth_put64(s, SPAGE(U_PMD) + 16, SPAGE_KV(DEP));
	synth_put64(s, SPAGE(DEP) + 8, SPAGE_KV(DEP) + 8);
	synth_put64(s, SPAGE(DEP) + 16, SPAGE_KV(DEP) + 8);
	synth_put32(s, SPAGE(U_PMD) + 48, pgtable);
	synth_put32(s, SPAGE(U_PTE) + 48, pgtable);
	synth_put32(s, SPAGE(DEP) + 48, pgtable);
	/* a 32 MiB hugetlb page: 16 contiguous 2 MiB blocks */
	for (i = 0; i < 16; i++)
		synth_put64(s, U_PMD + 8 * (uint64_t)(I_HUGE + i),
			    (HUGE_FRAME + 0x200000ULL * (uint64_t)i) | BLOCK_RW | CONT);
	{
		const struct synth_vma v[] = {
			{ VMA1, VA_PTE, VA_PTE + 0x40000, TC_VM_READ | TC_VM_WRITE },
			{ VMA2, VA_THP, VA_THP + 0x200000, TC_VM_READ | TC_VM_WRITE },
			{ VMA3, VA_HUGE, VA_HUGE + 0x2000000,
			  TC_VM_READ | TC_VM_WRITE | TC_VM_SHARED | TC_VM_HUGETLB },
		};

		synth_vmas(s, MM_A, MT_LEAF, v, 3);
	}
}

int run_arm64_world(struct synth *s, struct tc_ctx *c)
{
	return synth_run(s, &tc_arch_arm64, c);
}
