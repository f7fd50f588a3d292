/*
 * arm64 page tables (4 KiB granule, 39- or 48-bit VA: 3 or 4 levels) for
 * the thpcheck engine: geometry, the top table of an mm and the entry
 * decoder, with the kernel's own rules of arch/arm64/include/asm/
 * pgtable{,-hwdef,-prot}.h of Debian's 6.1 and 6.12 trees
 * (docs/arch/arm64-entries.md cites the lines).
 *
 * bits[1:0] of a descriptor: 11 a table (levels 0-2) or a page (level 3),
 * 01 a block (levels 1 and 2 only with 4 KiB pages), x0 not valid.  Not
 * valid is still the kernel's when
 *   - it is present to Linux (pte_present): PROT_NONE and NUMA hints,
 *     and pmdp_invalidate() of a split -- v6.1 PTE_PROT_NONE (bit 58) or
 *     PMD_PRESENT_INVALID (bit 59), v6.10+ PTE_PRESENT_INVALID, the nG
 *     bit (ca52d1a5b2f5 "arm64/mm: Remove PTE_PROT_NONE bit");
 *   - it is a swap or migration entry: v6.1 type in 3-7, offset in 8-57;
 *     v6.10+ uffd-wp in 3, type in 6-10, offset in 12-61 (bit 2 is
 *     PG_anon_exclusive in both).
 */
#include <stdlib.h>
#include <string.h>
#include "arm64.h"

static const char *const names4[] = { "pgd", "pud", "pmd", "pte" };
static const char *const names3[] = { "pgd", "pmd", "pte" };
static const char *const hw4[] = { "L0", "L1", "L2", "L3" };
static const char *const hw3[] = { "L1", "L2", "L3" };

/*
 * The kernel's own VMCOREINFO text (kernel/crash_core.c v6.1,
 * kernel/vmcore_info.c v6.12: vmcoreinfo_data, vmcoreinfo_size), read
 * from the dump: the same in crash and thpscan, and it says what no
 * variable does (PAGESIZE, VA_BITS, TCR_EL1_T1SZ, VMEMMAP_START:
 * arch/arm64/kernel/crash_core.c / vmcore_info.c).
 */
struct vmcoreinfo {
	char text[4097];
};

static int read_vmcoreinfo(struct tc_ctx *c, struct vmcoreinfo *vi)
{
	uint64_t data, size;

	if (tc_rd_var64(c, "vmcoreinfo_data", &data) < 0 ||
	    tc_rd_var64(c, "vmcoreinfo_size", &size) < 0 || !data || !size)
		return -1;
	if (size > sizeof(vi->text) - 1)
		size = sizeof(vi->text) - 1;
	if (tc_read_kernel(c, data, vi->text, (size_t)size) < 0)
		return -1;
	vi->text[size] = 0;
	return 0;
}

/* the value of the line "KEY=value"; NULL when absent */
static const char *vmcoreinfo_value(const struct vmcoreinfo *vi, const char *key)
{
	size_t n = strlen(key);
	const char *s = vi->text;

	while (s && *s) {
		if (!strncmp(s, key, n) && s[n] == '=')
			return s + n + 1;
		s = strchr(s, '\n');
		s = s ? s + 1 : NULL;
	}
	return NULL;
}

/* base: 0 for NUMBER() lines (%ld, or 0x%llx), 16 for SYMBOL() (%lx) */
static int vmcoreinfo_num(const struct vmcoreinfo *vi, const char *key, int base,
			  uint64_t *v)
{
	const char *s = vmcoreinfo_value(vi, key);
	char *end;

	if (!s)
		return -1;
	*v = strtoull(s, &end, base);
	return end == s ? -1 : 0;
}

static int vmcoreinfo_number(const struct vmcoreinfo *vi, const char *key, uint64_t *v)
{
	return vmcoreinfo_num(vi, key, 0, v);
}

/* v6.10 changed the non-valid encodings (see the top); the release
 * string is the kernel's version */
static int release_at_least(const char *rel, int major, int minor)
{
	int a, b;

	if (sscanf(rel, "%d.%d", &a, &b) != 2)
		return -1;
	return a > major || (a == major && b >= minor);
}

static void set_geometry(struct tc_ctx *c, struct arm64_priv *p)
{
	int n = p->va_bits == 39 ? 3 : 4, l;

	for (l = 0; l < n; l++) {
		int h = n - 1 - l;

		p->levels[l].name = n == 4 ? names4[l] : names3[l];
		p->levels[l].hw = n == 4 ? hw4[l] : hw3[l];
		p->levels[l].shift = 12 + 9 * (unsigned)h;
		p->levels[l].entries = A64_PTRS;
		p->levels[l].table_bytes = 8 * A64_PTRS;
		p->levels[l].none = 0;
	}
	c->levels = p->levels;
	c->nlevels = n;
}

/* VA_BITS as the MMU runs it: 64 - TCR_EL1.T1SZ (a 52-bit build on a
 * 48-bit CPU runs 48), else NUMBER(VA_BITS) */
static int read_layout(struct tc_ctx *c, struct arm64_priv *p, struct vmcoreinfo *vi)
{
	uint64_t psize, t1sz, va, vstart;

	if (read_vmcoreinfo(c, vi) < 0) {
		snprintf(c->err, sizeof(c->err), "arm64: the kernel's vmcoreinfo_data is "
			 "not readable: cannot tell the page size and VA bits");
		return -1;
	}
	if (vmcoreinfo_number(vi, "PAGESIZE", &psize) < 0 || psize != 4096) {
		snprintf(c->err, sizeof(c->err), "arm64: PAGESIZE %s: only 4 KiB pages "
			 "are decoded", vmcoreinfo_number(vi, "PAGESIZE", &psize) < 0 ?
			 "not in VMCOREINFO" : "is not 4096");
		return -1;
	}
	if (vmcoreinfo_number(vi, "NUMBER(TCR_EL1_T1SZ)", &t1sz) == 0)
		va = 64 - t1sz;
	else if (vmcoreinfo_number(vi, "NUMBER(VA_BITS)", &va) < 0)
		va = 0;
	if (va != 39 && va != 48) {
		snprintf(c->err, sizeof(c->err), "arm64: VA bits %llu: only 39 and 48 "
			 "(3 and 4 levels of 4 KiB tables) are decoded", (unsigned long long)va);
		return -1;
	}
	p->va_bits = (unsigned)va;
	/* memory.h: PAGE_OFFSET = -(1 << VA_BITS) of the build (52 for
	 * Debian's 6.12 also when it runs 48 bits: memstart_addr is then
	 * lowered so that the linear map starts at -(1 << 48));
	 * __phys_to_virt(x) = (x - PHYS_OFFSET) | PAGE_OFFSET */
	if (vmcoreinfo_number(vi, "NUMBER(VA_BITS)", &va) < 0 || va < p->va_bits || va > 52)
		va = p->va_bits;
	p->page_offset = 0 - (1ULL << va);
	if (tc_rd_var64(c, "memstart_addr", &p->phys_offset) < 0) {
		snprintf(c->err, sizeof(c->err), "arm64: memstart_addr (PHYS_OFFSET) "
			 "is not readable");
		return -1;
	}
	/* memory.h: vmemmap = (struct page *)VMEMMAP_START -
	 * (memstart_addr >> PAGE_SHIFT); v6.12 VMCOREINFO has that value
	 * (kernel/vmcore_info.c VMCOREINFO_SYMBOL_ARRAY(vmemmap)), v6.1
	 * only NUMBER(VMEMMAP_START) */
	if (!c->vmemmap && vmcoreinfo_num(vi, "SYMBOL(vmemmap)", 16, &vstart) == 0)
		c->vmemmap = vstart;
	if (!c->vmemmap && c->page_size_struct > 0 &&
	    vmcoreinfo_number(vi, "NUMBER(VMEMMAP_START)", &vstart) == 0)
		c->vmemmap = vstart - (p->phys_offset >> 12) * (uint64_t)c->page_size_struct;
	return 0;
}

static int arm64_init(struct tc_ctx *c)
{
	struct arm64_priv *p = calloc(1, sizeof(*p));
	struct vmcoreinfo *vi = malloc(sizeof(*vi));
	int r;

	if (!p || !vi) {
		free(p);
		free(vi);
		snprintf(c->err, sizeof(c->err), "arm64: out of memory");
		return -1;
	}
	c->arch_priv = p;
	r = read_layout(c, p, vi);
	free(vi);
	if (r < 0)
		return -1;
	p->v610 = release_at_least(c->release, 6, 10);
	if (p->v610 < 0) {
		snprintf(c->err, sizeof(c->err), "arm64: kernel release \"%s\" has no "
			 "version: its non-valid entry formats differ before and from v6.10",
			 c->release);
		return -1;
	}
	set_geometry(c, p);
	p->mm_pgd = c->off.mm_pgd;
	c->page_shift = 12;
	c->scheme = p->va_bits == 48 ? "arm64-4k-48bit" : "arm64-4k-39bit";
	return arm64_pages_init(c, p);
}

/*
 * A user mm's pgd is TTBR0's: VAs 0 .. 2^VA_BITS, no kernel entries in
 * it (unlike x86_64).  init_mm's is swapper_pg_dir, TTBR1's: the top
 * 2^VA_BITS of the address space, from PAGE_OFFSET.
 */
static int arm64_mm_top(struct tc_ctx *c, uint64_t mm, struct tc_top *top)
{
	const struct arm64_priv *p = c->arch_priv;
	uint64_t pgd;

	if (tc_rd64(c, (mm ? mm : c->init_mm) + p->mm_pgd, &pgd) < 0 ||
	    tc_kva_to_pa(c, pgd, &top->table_pa) < 0) {
		snprintf(c->err, sizeof(c->err), "mm->pgd unreadable or not a kernel address");
		return -1;
	}
	top->level = 0;
	top->va_base = mm ? 0 : 0 - (1ULL << p->va_bits);
	top->va_limit = 1ULL << p->va_bits;
	top->first = 0;
	top->count = 0;
	return 0;
}

static const struct tc_sig *sig_of(int h)
{
	static const struct tc_sig *const s[] = {
		TC_SIG(ARM64_PTE_ILLEGAL), TC_SIG(ARM64_PMD_ILLEGAL),
		TC_SIG(ARM64_PUD_ILLEGAL), TC_SIG(ARM64_PGD_ILLEGAL),
	};

	return s[h];
}

int arm64_present_invalid(const struct arm64_priv *p, int h, uint64_t v)
{
	if (v & A64_VALID)
		return 0;
	if (p->v610)
		return (v & A64_NG) != 0;
	return (v & A64_PROT_NONE_61) || (h == A64_PMD && (v & A64_PMD_INVALID_61));
}

uint64_t arm64_swap_offset(const struct arm64_priv *p, uint64_t v)
{
	return p->v610 ? v >> 12 & ((1ULL << 50) - 1) : v >> 8 & ((1ULL << 50) - 1);
}

static void leaf(struct tc_entry *e, uint64_t pa, uint64_t v)
{
	e->kind = TC_LEAF;
	e->pa = pa;
	/* pte_write() is PTE_WRITE (= DBM); special: no struct page */
	e->flags = TC_E_PRESENT | ((v & A64_DBM) ? TC_E_WRITE : 0) |
		   ((v & A64_SPECIAL) ? TC_E_SPECIAL : 0);
}

/* a valid leaf of a user mm (protection_map, pgtable-prot.h): every
 * user page is nG, never executable at EL1 (PTE_PXN), inner shareable
 * (PTE_SHARED, 48-bit descriptors), of a memory type Linux defines
 * (MT_NORMAL .. MT_DEVICE_nGnRE, 0-4), hardware-writable only when
 * pte_write() (DBM: pte_mkwrite sets PTE_WRITE, the hardware or
 * pte_mkdirty clears RDONLY); one EL0 can neither read (PTE_USER) nor
 * execute (UXN) is PROT_NONE, never valid */
static const char *user_leaf_fault(const struct arm64_priv *p, uint64_t v)
{
	if (!(v & A64_NG))
		return "valid user leaf without nG: every user pgprot has PTE_NG";
	if (!(v & A64_PXN))
		return "valid user leaf without PXN: the kernel could execute a user page";
	if (!(v & A64_USER) && (v & A64_UXN))
		return "valid user leaf EL0 can neither read nor execute (PROT_NONE is never valid)";
	if (!(v & A64_RDONLY) && !(v & A64_DBM))
		return "valid user leaf writable by the hardware (RDONLY clear) but not pte_write()";
	if ((v & A64_SH) != A64_SH)
		return "valid user leaf that is not inner shareable: PTE_SHARED is in every user pgprot";
	if ((v >> 2 & 7) > 4)
		return "valid user leaf of memory-type index 5-7: MAIR_EL1 slots Linux never uses";
	if (v & 0x20)
		return "valid user leaf with NS (bit 5) set: no pgprot of Linux has it";
	if (!p->v610 && (v & A64_PROT_NONE_61))
		return "valid user leaf with PTE_PROT_NONE (v6.1 bit 58: only when not valid)";
	return NULL;
}

/* a valid page (level 3) or block (levels 1-2) */
static void valid_leaf(const struct arm64_priv *p, int h, int user, uint64_t v,
		       struct tc_entry *e)
{
	const char *why;

	if (v & A64_RES0_4K)
		return tc_illegal(e, sig_of(h), "output-address bits 48-49 set: RES0 with "
				  "48-bit physical addresses");
	if (h != A64_PTE && (v & A64_ADDR & ((1ULL << (12 + 9 * h)) - 1)))
		return tc_illegal(e, sig_of(h), h == A64_PMD ?
				  "2 MiB block with output-address bits 12-20 set (RES0)" :
				  "1 GiB block with output-address bits 12-29 set (RES0)");
	if (user && (why = user_leaf_fault(p, v)))
		return tc_illegal(e, sig_of(h), why);
	leaf(e, arm64_frame(v, h), v);
}

/*
 * A table descriptor: the kernel writes PMD_TYPE_TABLE with PXNTable in a
 * user mm's and UXNTable in init_mm's (pgalloc.h __pmd_populate /
 * __pud_populate / __p4d_populate, 87143f404f33 "arm64: mm: use XN table
 * mapping attributes for user/kernel mappings"); the boot tables of
 * mmu.c add PXNTable to non-executable ranges, head.S writes none.  Never
 * APTable, NSTable, bits 2-11 or 48-58.
 */
static void table(int h, int user, uint64_t v, struct tc_entry *e)
{
	uint64_t flags = v & ~A64_ADDR & ~3ULL;

	/* init_mm: nG too, on the tables kpti's late rewrite found
	 * (idmap_kpti_install_ng_mappings, arch/arm64/mm/proc.S) */
	if (flags & ~(A64_TBL_PXN | A64_TBL_UXN | (user ? 0 : A64_NG)))
		return tc_illegal(e, sig_of(h), "table descriptor with bits other than the "
				  "address, PXNTable and UXNTable: the kernel never writes them");
	if (user && flags != A64_TBL_PXN)
		return tc_illegal(e, sig_of(h), "user table descriptor that is not "
				  "PMD_TYPE_TABLE | PXNTable (pmd/pud_populate of a user mm)");
	e->kind = TC_TABLE;
	e->pa = v & A64_ADDR;
}

/* a swap-format entry: only the bits __swp_entry() and
 * PTE_SWP_EXCLUSIVE (and v6.10+ PTE_SWP_UFFD_WP) write */
static void swap_entry(const struct arm64_priv *p, int h, uint64_t v, struct tc_entry *e)
{
	/* v6.1: 0-1 and 58-63 clear; v6.10+: 0-1, 4-5, 11 and 62-63 clear */
	uint64_t zero = p->v610 ? 0xc000000000000833ULL : 0xfc00000000000003ULL;

	if (v & zero)
		return tc_illegal(e, sig_of(h), "non-valid entry that is neither present to "
				  "Linux nor a swap entry (bits __swp_entry keeps clear are set)");
	e->kind = TC_SWAP;
}

static void arm64_decode(struct tc_ctx *c, const struct tc_mm_stats *m, int level,
			 uint64_t va, uint64_t v, struct tc_entry *e)
{
	const struct arm64_priv *p = c->arch_priv;
	int h = arm64_height(c, level), user = m && !m->kernel;
	int hwlevel = level + 4 - c->nlevels;	/* a 3-level top is L1 */

	(void)va;
	e->kind = TC_NONE;
	e->flags = 0;
	e->pa = 0;
	if (!v)
		return;
	if (v & A64_VALID) {
		if (h == A64_PTE)
			return (v & A64_TABLE) ? valid_leaf(p, h, user, v, e) :
			       tc_illegal(e, sig_of(h), "level-3 descriptor 01: reserved "
					  "(a page is 11)");
		if (v & A64_TABLE)
			return table(h, user, v, e);
		if (hwlevel == 0)
			return tc_illegal(e, sig_of(h), "block at level 0: not with 4 KiB pages");
		return valid_leaf(p, h, user, v, e);
	}
	if (m && m->kernel)
		return;		/* set_memory_valid(), kfence: pages taken out */
	if (hwlevel == 0)
		return tc_illegal(e, sig_of(h), "non-valid level-0 entry that is not none: "
				  "no swap entries there");
	if (arm64_present_invalid(p, h, v)) {
		/* v6.10+: PROT_NONE is nG with USER clear and UXN set
		 * (PAGE_NONE); any other nG form is pmdp_invalidate()'s */
		if (p->v610 && h != A64_PMD && ((v & A64_USER) || !(v & A64_UXN)))
			return tc_illegal(e, sig_of(h), "present-invalid entry (nG, not valid) "
					  "that is not PROT_NONE: only a pmd is ever invalidated");
		leaf(e, arm64_frame(v, h), v);
		return;
	}
	swap_entry(p, h, v, e);
}

/* the signature rows of this architecture (docs/signatures.md) */
TC_SIG_DEFINE(ARM64_PTE_ILLEGAL, TC_SEV_ERROR,
	      "arm64 pte that is not none, a page, present-invalid or a swap entry, or a user page no pgprot makes");
TC_SIG_DEFINE(ARM64_PMD_ILLEGAL, TC_SEV_ERROR,
	      "arm64 pmd with a table descriptor the kernel never writes, a misaligned block, or a non-valid form no kernel writes");
TC_SIG_DEFINE(ARM64_PUD_ILLEGAL, TC_SEV_ERROR,
	      "arm64 pud with a table descriptor the kernel never writes, a misaligned block, or a non-valid form no kernel writes");
TC_SIG_DEFINE(ARM64_PGD_ILLEGAL, TC_SEV_ERROR,
	      "arm64 pgd that is neither none nor a table (no blocks at level 0 with 4 KiB pages)");

static const struct tc_sig *const arm64_sigs[] = {
	TC_SIG(ARM64_PTE_ILLEGAL),
	TC_SIG(ARM64_PMD_ILLEGAL),
	TC_SIG(ARM64_PUD_ILLEGAL),
	TC_SIG(ARM64_PGD_ILLEGAL),
	TC_SIG(ARM64_CONT_RUN_BROKEN),
	TC_SIG(ARM64_TABLE_NOT_PGTABLE),
};

/*
 * thpscan's kernel map: arch/arm64/kernel/crash_core.c (v6.1) /
 * vmcore_info.c (v6.12) write NUMBER(kimage_voffset) (image: pa = va -
 * kimage_voffset, memory.h __kimg_to_phys), NUMBER(PHYS_OFFSET) and
 * NUMBER(VA_BITS) (linear: pa = va - PAGE_OFFSET + PHYS_OFFSET).
 */
static int arm64_vmcoreinfo_kmap(int (*number)(void *priv, const char *key, uint64_t *v),
				 void *priv, struct tc_kmap *k)
{
	uint64_t voff, phys, va;

	if (number(priv, "NUMBER(kimage_voffset)", &voff) < 0 ||
	    number(priv, "NUMBER(PHYS_OFFSET)", &phys) < 0 ||
	    number(priv, "NUMBER(VA_BITS)", &va) < 0 || va < 36 || va > 52)
		return -1;
	k->image_delta = voff;
	k->linear_base = (0 - (1ULL << va)) - phys;
	return 0;
}

const struct tc_arch tc_arch_arm64 = {
	.name = "arm64",
	.crash_machine = "ARM64",
	.kdump_name = "aarch64",
	.elf_machine = 183,		/* EM_AARCH64 */
	.big_endian = 0,
	.vmcoreinfo_kmap = arm64_vmcoreinfo_kmap,
	.vmcoreinfo_mark = "NUMBER(kimage_voffset)",
	/* arch/arm64/include/asm/tlb.h __pte_free_tlb()/__pmd_free_tlb():
	 * tlb_remove_table() of the table's struct page
	 * (MMU_GATHER_RCU_TABLE_FREE) */
	.rcu_batch_holds_pages = 1,
	.sigs = arm64_sigs,
	.nsigs = sizeof(arm64_sigs) / sizeof(arm64_sigs[0]),
	.nlevels = 4,
	.levels = NULL,		/* 3 or 4 levels: arm64_init() reads which */
	.init = arm64_init,
	.mm_top = arm64_mm_top,
	.decode = arm64_decode,
	.check_mm = arm64_check_mm,
};
