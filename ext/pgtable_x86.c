/*
 * x86_64 page tables (4 KiB pages, 4 or 5 levels) for the thpcheck
 * engine: geometry, the top table of an mm and the entry decoder, with
 * the kernel's own rules of arch/x86/include/asm/pgtable{,_types,_64,
 * -invert}.h of Debian's 6.1 and 6.12 trees (docs/arch/x86_64-entries.md
 * cites the lines).
 *
 * Entries that are not present are still the kernel's:
 *   - PROT_NONE / NUMA-hinting leaves: P clear, _PAGE_PROTNONE (= G) set,
 *     the frame stored inverted (L1TF, 6b28baca9b1f);
 *   - pmd_present() is also true for P and G clear with PSE set: the
 *     pmdp_invalidate() of a split or migration in progress;
 *   - swap and migration entries: P, PSE and G clear, ~offset in bits
 *     9..58, the type in 59..63 (pgtable_64.h __swp_entry).
 */
#include <stdlib.h>
#include <string.h>
#include "x86.h"

#define PTRS		512
#define KNL_NONE_MASK	(X86_A | X86_D)	/* pte_none(): the KNL A/D erratum */
/*
 * The flags of a table entry the kernel writes: _PAGE_TABLE (0x67, every
 * *_populate() of asm/pgalloc.h), _KERNPG_TABLE (0x63: head_64.S, CPA
 * splits, PTI's user copy), espfix's (_KERNPG_TABLE & ~_PAGE_RW) |
 * _PAGE_NX (arch/x86/kernel/espfix_64.c PGTABLE_PROT), NX on the kernel
 * copy of a user top-level entry (arch/x86/mm/pti.c
 * __pti_set_user_pgtbl); A is the CPU's, and MGLRU clears it in pmds
 * (eed9a328aa1a).  Never PWT, PCD, PSE (a leaf there), G, the software
 * bits or protection keys.
 */
#define TABLE_FLAGS	(X86_P | X86_RW | X86_US | X86_A | X86_D | X86_NX)
#define USER_TABLE	(X86_P | X86_RW | X86_US)

static const char *const hw4[] = { "PML4", "PDPT", "PD", "PT" };
static const char *const hw5[] = { "PML5", "PML4", "PDPT", "PD", "PT" };
static const char *const names4[] = { "pgd", "pud", "pmd", "pte" };
static const char *const names5[] = { "pgd", "p4d", "pud", "pmd", "pte" };

/* 5-level paging is a boot-time choice (arch/x86/kernel/head64.c
 * __pgtable_l5_enabled, check_la57_support); pgdir_shift says it too */
static int read_l5(struct tc_ctx *c, int *l5)
{
	uint32_t v;

	if (tc_rd_var32(c, "__pgtable_l5_enabled", &v) == 0) {
		*l5 = v != 0;
		return 0;
	}
	if (tc_rd_var32(c, "pgdir_shift", &v) == 0 && (v == 39 || v == 48)) {
		*l5 = v == 48;
		return 0;
	}
	return -1;
}

static void set_geometry(struct tc_ctx *c, struct x86_priv *p)
{
	int n = p->l5 ? 5 : 4, l;

	for (l = 0; l < n; l++) {
		int h = n - 1 - l;

		p->levels[l].name = p->l5 ? names5[l] : names4[l];
		p->levels[l].hw = p->l5 ? hw5[l] : hw4[l];
		p->levels[l].shift = 12 + 9 * (unsigned)h;
		p->levels[l].entries = PTRS;
		p->levels[l].table_bytes = 8 * PTRS;
		p->levels[l].none = 0;
	}
	c->levels = p->levels;
	c->nlevels = n;
}

/*
 * The physical-address width the CPU checks (bits at and above it are
 * reserved in a present entry) and the mask the kernel builds frames
 * with: boot_cpu_data.x86_phys_bits, physical_mask
 * (CONFIG_DYNAMIC_PHYSICAL_MASK; SME/TDX take their bit out of it),
 * sme_me_mask (the C-bit, set in every table entry when SME is on).
 */
static void read_phys_width(struct tc_ctx *c, struct x86_priv *p)
{
	long off = tc_off(c, "cpuinfo_x86", "x86_phys_bits");
	uint64_t sym, mask;
	unsigned char bits = 0;

	if (off >= 0 && c->be->symbol(c->be->priv, "boot_cpu_data", &sym) == 0)
		tc_read_kv(c, sym + (uint64_t)off, &bits, 1);
	p->phys_bits = bits >= 32 && bits <= 52 ? bits : 52;
	if (tc_rd_var64(c, "physical_mask", &mask) < 0 || !mask)
		mask = (1ULL << 52) - 1;
	p->addr_mask = X86_ADDR_BITS & mask;
	if (tc_rd_var64(c, "sme_me_mask", &p->enc) < 0)
		p->enc = 0;
	p->rsvd = X86_ADDR_BITS & ~((1ULL << p->phys_bits) - 1) & ~p->enc;
}

/*
 * Whether the kernel runs with page-table isolation: X86_FEATURE_PTI
 * (cpufeatures.h word 7 bit 11, set by pti_check_boottime_disable())
 * in boot_cpu_data.x86_capability, and whether it ORs NX into the
 * kernel's copy of user entries (__supported_pte_mask & _PAGE_NX).
 */
static void read_pti(struct tc_ctx *c, struct x86_priv *p)
{
	long off = tc_off(c, "cpuinfo_x86", "x86_capability");
	uint64_t sym, mask;
	uint32_t word7;

	p->pti = off >= 0 && c->be->symbol(c->be->priv, "boot_cpu_data", &sym) == 0 &&
		 tc_rd32(c, sym + (uint64_t)off + 4 * 7, &word7) == 0 &&
		 (word7 >> 11 & 1);
	p->nx = tc_rd_var64(c, "__supported_pte_mask", &mask) < 0 || (mask & X86_NX);
}

static int x86_init(struct tc_ctx *c)
{
	struct x86_priv *p = calloc(1, sizeof(*p));

	if (!p) {
		snprintf(c->err, sizeof(c->err), "x86_64: out of memory");
		return -1;
	}
	c->arch_priv = p;
	if (read_l5(c, &p->l5) < 0) {
		snprintf(c->err, sizeof(c->err), "x86_64: neither __pgtable_l5_enabled nor "
			 "pgdir_shift is readable: cannot tell 4- from 5-level tables");
		return -1;
	}
	if (tc_rd_var64(c, "page_offset_base", &p->page_offset) < 0) {
		snprintf(c->err, sizeof(c->err),
			 "x86_64: page_offset_base is not readable (the direct map's base)");
		return -1;
	}
	set_geometry(c, p);
	read_phys_width(c, p);
	read_pti(c, p);
	/* KERNEL_PGD_BOUNDARY = pgd_index(PAGE_OFFSET): user pgds copy
	 * init_mm's entries from there (pgd_ctor, clone_pgd_range); between
	 * the user half and it only the LDT slot (pgtable_64_types.h
	 * LDT_PGD_ENTRY -240, 5-level -112) may differ */
	p->kernel_first = (unsigned)(p->page_offset >> p->levels[0].shift) & (PTRS - 1);
	p->ldt_slot = p->l5 ? PTRS - 112 : PTRS - 240;
	p->mm_pgd = c->off.mm_pgd;
	c->page_shift = 12;
	c->scheme = p->l5 ? (p->pti ? "x86_64-5level-pti" : "x86_64-5level") :
		    (p->pti ? "x86_64-4level-pti" : "x86_64-4level");
	/* SPARSEMEM_VMEMMAP: vmemmap_base, moved by KASLR
	 * (arch/x86/mm/kaslr.c) */
	if (!c->vmemmap && tc_rd_var64(c, "vmemmap_base", &c->vmemmap) < 0)
		c->vmemmap = 0;
	return x86_deposit_init(c, p);
}

/*
 * A user mm owns the lower half of its pgd; the upper half is init_mm's
 * (checked by x86_check_mm, walked once with the kernel).  The kernel's
 * walk covers that upper half only: init_mm's lower half is empty after
 * x86_64_start_kernel() reset the early identity map.
 */
static int x86_mm_top(struct tc_ctx *c, uint64_t mm, struct tc_top *top)
{
	const struct x86_priv *p = c->arch_priv;
	unsigned span = p->levels[0].shift + 9;	/* bits the pgd covers */
	uint64_t pgd;

	if (tc_rd64(c, (mm ? mm : c->init_mm) + p->mm_pgd, &pgd) < 0 ||
	    tc_kva_to_pa(c, pgd, &top->table_pa) < 0) {
		snprintf(c->err, sizeof(c->err), "mm->pgd unreadable or not a kernel address");
		return -1;
	}
	top->level = 0;
	top->va_limit = 1ULL << (mm ? span - 1 : span);
	/* the VA of entry 0: canonical addresses sign-extend bit span-1 */
	top->va_base = mm ? 0 : 0 - (1ULL << span);
	top->first = mm ? 0 : PTRS / 2;
	top->count = PTRS / 2;
	return 0;
}

/*
 * espfix (arch/x86/kernel/espfix_64.c) maps one pte page from every
 * entry of its pmd tables and those from several puds (ESPFIX_PUD_CLONES,
 * ESPFIX_PMD_CLONES, ESPFIX_PTE_CLONES) in the kernel's p4d/pgd slot -2
 * (ESPFIX_PGD_ENTRY, ESPFIX_BASE_ADDR = -2 << P4D_SHIFT in either mode):
 * its tables are referenced many times by design.
 */
#define ESPFIX_BASE	0xffffff0000000000ULL
#define ESPFIX_SIZE	(1ULL << 39)

static int x86_shared_by_design(const struct tc_ctx *c, const struct tc_table *t)
{
	const struct tc_mm_stats *m = tc_tab_mm(c, t);
	uint64_t va = tc_tab_va(c, t);

	return m && m->kernel && va >= ESPFIX_BASE && va - ESPFIX_BASE < ESPFIX_SIZE;
}

static const struct tc_sig *sig_of(int h)
{
	static const struct tc_sig *const s[] = {
		TC_SIG(X86_PTE_ILLEGAL), TC_SIG(X86_PMD_ILLEGAL),
		TC_SIG(X86_PUD_ILLEGAL), TC_SIG(X86_P4D_ILLEGAL),
		TC_SIG(X86_PGD_ILLEGAL),
	};

	return s[h];
}

static void leaf(struct tc_entry *e, uint64_t pa, uint64_t v)
{
	e->kind = TC_LEAF;
	e->pa = pa;
	e->flags = TC_E_PRESENT | ((v & X86_P) && (v & X86_RW) ? TC_E_WRITE : 0) |
		   ((v & X86_SPECIAL) ? TC_E_SPECIAL : 0);
}

/* a present leaf of a user mm: the CPU would refuse a user access
 * without _PAGE_USER, and no user page is global (protection_map,
 * arch/x86/mm/pgprot.c: PAGE_* of user mappings have neither G nor
 * _PAGE_KERNEL bits) */
static const char *user_leaf_fault(uint64_t v)
{
	if (!(v & X86_US))
		return "present leaf without _PAGE_USER in a user mm";
	if (v & X86_G)
		return "present leaf with _PAGE_GLOBAL in a user mm";
	return NULL;
}

/*
 * A present leaf: reserved address bits, the bits below a large frame
 * (13..20 of a 2 MiB, 13..29 of a 1 GiB leaf: bit 12 is PAT), the user
 * rules.  Bit 7 of a 4 KiB pte is PAT, not PSE.
 */
static void present_leaf(const struct x86_priv *p, int h, int user, uint64_t v,
			 struct tc_entry *e)
{
	uint64_t low = h == H_PTE ? 0 : (1ULL << (12 + 9 * h)) - 1;
	const char *why;

	if (v & p->rsvd)
		return tc_illegal(e, sig_of(h), "physical-address bits at or above "
				  "the CPU's MAXPHYADDR are set (reserved)");
	if (h != H_PTE && (v & low & ~0x1fffULL))
		return tc_illegal(e, sig_of(h), h == H_PMD ?
				  "2 MiB leaf with reserved bits 13-20 set" :
				  "1 GiB leaf with reserved bits 13-29 set");
	if (user && (why = user_leaf_fault(v)))
		return tc_illegal(e, sig_of(h), why);
	leaf(e, v & p->addr_mask & ~low, v);
}

/* a table entry: flags from TABLE_FLAGS only; a user mm's own tables
 * are _PAGE_TABLE, NX only on a PTI kernel copy of the top level */
static void table(const struct x86_priv *p, int h, int user, uint64_t v,
		  struct tc_entry *e)
{
	uint64_t flags = v & ~X86_ADDR_BITS & ~p->enc;

	if (v & p->rsvd)
		return tc_illegal(e, sig_of(h), "physical-address bits at or above "
				  "the CPU's MAXPHYADDR are set (reserved)");
	if (flags & ~TABLE_FLAGS)
		return tc_illegal(e, sig_of(h), "table entry with PWT, PCD, G, software "
				  "or protection-key bits: the kernel never writes them");
	if (user && ((flags & USER_TABLE) != USER_TABLE || (h < H_P4D && (flags & X86_NX))))
		return tc_illegal(e, sig_of(h), "user table entry that is not _PAGE_TABLE "
				  "(present, writable, user; NX only on a PTI top level)");
	e->kind = TC_TABLE;
	e->pa = v & p->addr_mask;
}

/* swap, migration, hwpoison and marker entries (pgtable_64.h: bits 0, 7
 * and 8 clear; bit 4 is never written, 5/6 only by the KNL erratum) */
static void swap_entry(int h, uint64_t v, struct tc_entry *e)
{
	if (v & 0x10)
		return tc_illegal(e, sig_of(h), "non-present entry with bit 4 set: not "
				  "a swap, migration or PROT_NONE entry");
	e->kind = TC_SWAP;
}

static void decode_pte(const struct x86_priv *p, int user, int kernel, uint64_t v,
		       struct tc_entry *e)
{
	if (v & X86_P)
		return present_leaf(p, H_PTE, user, v, e);
	if (v & X86_G) {	/* PROT_NONE, NUMA hint; kfence in init_mm */
		leaf(e, x86_frame(p, v, 0), v);
		return;
	}
	if (kernel)
		return;		/* set_memory_np(): CPA clears P and G */
	if (v & X86_PSE)
		return tc_illegal(e, TC_SIG(X86_PTE_ILLEGAL), "non-present pte with bit 7 "
				  "set: not a swap entry (__swp_entry keeps it clear)");
	swap_entry(H_PTE, v, e);
}

/* pmd_present() = P | PROTNONE | PSE (pgtable.h): a PSE pmd with P clear
 * is a PROT_NONE huge leaf (G) or one pmdp_invalidate() made (no G) */
static void decode_pmd_pud(const struct x86_priv *p, int h, int user, uint64_t v,
			   struct tc_entry *e)
{
	uint64_t low = (1ULL << (12 + 9 * h)) - 1;

	if (v & X86_P)
		return (v & X86_PSE) ? present_leaf(p, h, user, v, e) : table(p, h, user, v, e);
	if (v & X86_PSE) {
		leaf(e, x86_frame(p, v, low), v);
		return;
	}
	if (v & X86_G)
		return tc_illegal(e, sig_of(h), "non-present entry with _PAGE_PROTNONE "
				  "but no PSE: neither a table nor a huge leaf");
	/* a kernel large page set_memory_np() made not present: CPA keeps it
	 * large and takes PSE with P ("Clear PSE (aka _PAGE_PAT)",
	 * __should_split_large_page() in arch/x86/mm/pat/set_memory.c; G
	 * too, pgprot_clear_protnone_bits), the frame inverted (pfn_pmd).
	 * With PTI, free_kernel_image_pages() does it to the freed parts of
	 * the image (arch/x86/mm/init.c) */
	if (!user)
		return;
	swap_entry(h, v, e);
}

static void decode_top(const struct x86_priv *p, int h, int user, uint64_t v,
		       struct tc_entry *e)
{
	if (!(v & X86_P))
		return tc_illegal(e, sig_of(h), "a pgd/p4d entry is none or a present table");
	if (v & X86_PSE)
		return tc_illegal(e, sig_of(h), "PS is reserved in a PML4/PML5 entry "
				  "(p4d_leaf()/pgd_leaf() are false)");
	table(p, h, user, v, e);
}

static void x86_decode(struct tc_ctx *c, const struct tc_mm_stats *m, int level,
		       uint64_t va, uint64_t v, struct tc_entry *e)
{
	const struct x86_priv *p = c->arch_priv;
	int h = x86_height(c, level), user = m && !m->kernel, kernel = m && m->kernel;

	(void)va;
	e->kind = TC_NONE;
	e->flags = 0;
	e->pa = 0;
	if (!(v & ~KNL_NONE_MASK))
		return;
	if (h == H_PTE)
		decode_pte(p, user, kernel, v, e);
	else if (h <= H_PUD)
		decode_pmd_pud(p, h, user, v, e);
	else
		decode_top(p, h == H_P4D && !p->l5 ? H_PGD5 : h, user, v, e);
}

/* the signature rows of this architecture (docs/signatures.md) */
TC_SIG_DEFINE(X86_PTE_ILLEGAL, TC_SEV_ERROR,
	      "x86_64 pte that is not none, present, PROT_NONE or a swap entry, or a user pte the CPU would refuse");
TC_SIG_DEFINE(X86_PMD_ILLEGAL, TC_SEV_ERROR,
	      "x86_64 pmd with flags pmd_bad() rejects, reserved bits, or a non-present form no kernel writes");
TC_SIG_DEFINE(X86_PUD_ILLEGAL, TC_SEV_ERROR,
	      "x86_64 pud with flags pud_bad() rejects, reserved bits, or a non-present form no kernel writes");
TC_SIG_DEFINE(X86_P4D_ILLEGAL, TC_SEV_ERROR,
	      "x86_64 p4d (5-level) that is neither none nor a table p4d_bad() accepts");
TC_SIG_DEFINE(X86_PGD_ILLEGAL, TC_SEV_ERROR,
	      "x86_64 pgd that is neither none nor a table the kernel accepts (PS is reserved there)");
TC_SIG_DEFINE(X86_PGD_KERNEL_HALF, TC_SEV_ERROR,
	      "a user pgd's kernel half differs from init_mm's (pgd_ctor copies it, sync_global_pgds keeps it)");
TC_SIG_DEFINE(X86_TABLE_NOT_PGTABLE, TC_SEV_ERROR,
	      "a user pte or pmd table (walked or deposited) whose struct page is not a page table");
TC_SIG_DEFINE(X86_PTI_USER_COPY, TC_SEV_ERROR,
	      "a pgd's PTI user copy differs from its kernel copy (user half) or from init_mm's user copy (kernel half)");

static const struct tc_sig *const x86_sigs[] = {
	TC_SIG(X86_PTE_ILLEGAL),
	TC_SIG(X86_PMD_ILLEGAL),
	TC_SIG(X86_PUD_ILLEGAL),
	TC_SIG(X86_P4D_ILLEGAL),
	TC_SIG(X86_PGD_ILLEGAL),
	TC_SIG(X86_PGD_KERNEL_HALF),
	TC_SIG(X86_TABLE_NOT_PGTABLE),
	TC_SIG(X86_PTI_USER_COPY),
};

const struct tc_arch tc_arch_x86_64 = {
	.name = "x86_64",
	.crash_machine = "X86_64",
	.kdump_name = "x86_64",
	.elf_machine = 62,		/* EM_X86_64 */
	.big_endian = 0,
	/* arch/x86/include/asm/page_64.h __phys_addr_symbol():
	 * x - __START_KERNEL_map + phys_base (in VMCOREINFO,
	 * arch/x86/kernel/crash_core_64.c); page_64_types.h
	 * __PAGE_OFFSET = page_offset_base (CONFIG_DYNAMIC_MEMORY_LAYOUT) */
	.image_vbase = 0xffffffff80000000ULL,
	.image_phys_key = "NUMBER(phys_base)",
	.linear_base_var = "page_offset_base",
	.vmcoreinfo_mark = "SYMBOL(init_top_pgt)",	/* crash_core_64.c */
	/* arch/x86/mm/pgtable.c ___pte_free_tlb(): a struct page per table
	 * (only KVM/Xen/Hyper-V guests free tables through RCU:
	 * tlb_remove_table is their pv op; native x86 frees at once) */
	.rcu_batch_holds_pages = 1,
	.sigs = x86_sigs,
	.nsigs = sizeof(x86_sigs) / sizeof(x86_sigs[0]),
	.nlevels = 4,
	.levels = NULL,		/* 4 or 5 levels: x86_init() reads which */
	.init = x86_init,
	.mm_top = x86_mm_top,
	.decode = x86_decode,
	.check_mm = x86_check_mm,
	.shared_by_design = x86_shared_by_design,
};
