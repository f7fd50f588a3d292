/*
 * ppc64 book3s (64 KiB pages) page tables for the thpcheck engine:
 * radix and hash, told apart from the dump.
 *
 * Constants: arch/powerpc/include/asm/book3s/64/{pgtable,radix,hash,
 * hash-64k,radix-64k}.h of Debian's 6.1.0-50 (v6.1.176); unchanged in
 * 6.12.117.  The table geometry is read from the kernel's own runtime
 * variables (__pte_index_size, ...), which radix__early_init_mmu() and
 * hash__early_init_mmu() set: the same kernel runs either MMU.
 */
#include <stdlib.h>
#include <string.h>
#include "ppc.h"

/* pgtable.h */
#define PPC_PAGE_SHIFT		16		/* CONFIG_PPC_64K_PAGES */
#define PAGE_PRESENT		0x8000000000000000ULL
#define PAGE_PTE		0x4000000000000000ULL	/* leaf, not a pointer */
#define PAGE_INVALID		0x2000000000000000ULL	/* _RPAGE_SW0 */
#define PAGE_PRIVILEGED		0x0000000000000008ULL
#define PAGE_WRITE		0x0000000000000002ULL
#define PAGE_RWX		0x0000000000000007ULL	/* _PAGE_EXEC | _PAGE_WRITE | _PAGE_READ */
#define PAGE_DIRTY		0x0000000000000080ULL
#define PAGE_ACCESSED		0x0000000000000100ULL
#define PAGE_SPECIAL		0x0000000000000400ULL	/* _RPAGE_SW2 */
#define PTE_RPN_MASK		(((1ULL << 53) - 1) & ~0xffffULL) /* _PAGE_PA_MAX 53 */
#define PMD_MASKED_BITS		0xc0000000000000ffULL
/* radix.h: RADIX_PTE_NONE_MASK; hash-64k.h: _PAGE_HPTEFLAGS =
 * H_PAGE_BUSY | H_PAGE_HASHPTE | H_PAGE_COMBO */
#define RADIX_PTE_NONE_MASK	(PAGE_DIRTY | PAGE_ACCESSED)
#define HASH_PTE_NONE_MASK	(0x40ULL | 0x0080000000000000ULL | 0x1000ULL)
/* page.h: the linear map (PAGE_OFFSET) of book3s64 */
#define PPC_PAGE_OFFSET		0xc000000000000000ULL



/*
 * Geometry from the running kernel's variables (asm/book3s/64/pgtable.h:
 * __pte_index_size ... set per MMU at boot): radix 5/9/9/13, hash
 * 8/10/10/8 index bits with 64 KiB pages.
 */
static int read_geometry(struct tc_ctx *c, struct ppc_priv *p)
{
	static const char *const idx[] = { "__pgd_index_size", "__pud_index_size",
					   "__pmd_index_size", "__pte_index_size" };
	static const char *const names[] = { "pgd", "pud", "pmd", "pte" };
	uint64_t bits[4], frag_shift[2];
	unsigned shift = PPC_PAGE_SHIFT;
	int l;

	for (l = 0; l < 4; l++)
		if (tc_rd_var64(c, idx[l], &bits[l]) < 0 || bits[l] < 3 || bits[l] > 16) {
			snprintf(c->err, sizeof(c->err),
				 "cannot read %s (not a book3s64 kernel?)", idx[l]);
			return -1;
		}
	if (tc_rd_var64(c, "__pgd_val_bits", &p->val_bits[0]) < 0 ||
	    tc_rd_var64(c, "__pud_val_bits", &p->val_bits[1]) < 0 ||
	    tc_rd_var64(c, "__pmd_val_bits", &p->val_bits[2]) < 0 ||
	    tc_rd_var64(c, "__pte_frag_size_shift", &frag_shift[0]) < 0 ||
	    tc_rd_var64(c, "__pmd_frag_size_shift", &frag_shift[1]) < 0) {
		snprintf(c->err, sizeof(c->err), "cannot read the ppc64 MMU variables");
		return -1;
	}
	for (l = 3; l >= 0; l--) {
		p->levels[l].name = names[l];
		p->levels[l].hw = p->radix ? "RDX" : "HPT";
		p->levels[l].shift = shift;
		p->levels[l].entries = 1u << bits[l];
		p->levels[l].table_bytes = 8u << bits[l];
		p->levels[l].none = 0;	/* pXd_none(): no bits at all */
		shift += (unsigned)bits[l];
	}
	/* pte and pmd tables are fragments of a 64 KiB page
	 * (pgtable-frag.c); pud and pgd tables come from kmem caches whose
	 * objects are at least 256-byte aligned */
	p->align[P_PTE] = 1ULL << frag_shift[0];
	p->align[P_PMD] = 1ULL << frag_shift[1];
	p->align[P_PUD] = p->align[P_PGD] = 256;
	return 0;
}

static int ppc_init(struct tc_ctx *c)
{
	struct ppc_priv *p = calloc(1, sizeof(*p));
	uint64_t pte_bits;

	if (!p) {
		snprintf(c->err, sizeof(c->err), "%s: out of memory for the arch state",
			 c->arch->name);
		return -1;
	}
	c->arch_priv = p;
	/* radix-64k.h RADIX_PTE_INDEX_SIZE 5, hash-64k.h H_PTE_INDEX_SIZE 8 */
	if (tc_rd_var64(c, "__pte_index_size", &pte_bits) < 0) {
		snprintf(c->err, sizeof(c->err),
			 "symbol __pte_index_size not found (not a book3s64 kernel?)");
		return -1;
	}
	p->radix = pte_bits == 5;
	if (read_geometry(c, p) < 0)
		return -1;
	c->levels = p->levels;
	c->nlevels = 4;
	c->page_shift = PPC_PAGE_SHIFT;
	c->scheme = p->radix ? "ppc64-radix" : "ppc64-hash";
	p->mm_pgd = c->off.mm_pgd;
	return ppc_frag_init(c, p);
}

static int ppc_mm_top(struct tc_ctx *c, uint64_t mm, struct tc_top *top)
{
	struct ppc_priv *p = c->arch_priv;
	uint64_t pgd;

	if (tc_rd64(c, (mm ? mm : c->init_mm) + p->mm_pgd, &pgd) < 0 ||
	    pgd < PPC_PAGE_OFFSET) {
		snprintf(c->err, sizeof(c->err), "mm->pgd unreadable or not a linear-map address");
		return -1;
	}
	top->table_pa = pgd - PPC_PAGE_OFFSET;
	top->level = P_PGD;
	/* the kernel's tables map the 0xc... quadrant (radix) / region */
	top->va_base = mm ? 0 : PPC_PAGE_OFFSET;
	top->va_limit = 1ULL << (p->levels[P_PGD].shift +
				 __builtin_ctz(p->levels[P_PGD].entries));
	return 0;
}

static const struct tc_sig *const dir_sig[] = { TC_SIG(PPC_PGD_ILLEGAL),
						TC_SIG(PPC_PUD_ILLEGAL),
						TC_SIG(PPC_PMD_ILLEGAL) };

/* _PAGE_PTE at a directory level: THP or hugetlb (pmd), 1G hugetlb (pud) */
static void decode_dir_leaf(const struct ppc_priv *p, int level, uint64_t v,
			    struct tc_entry *e)
{
	uint64_t size = 1ULL << p->levels[level].shift;

	if (!(v & (PAGE_PRESENT | PAGE_INVALID))) {
		e->kind = TC_SWAP;	/* pmd migration entry (THP_MIGRATION) */
		return;
	}
	if ((v & PTE_RPN_MASK) & (size - 1))
		return tc_illegal(e, dir_sig[level], "huge leaf frame not aligned to its size");
	e->kind = TC_LEAF;
	e->pa = v & PTE_RPN_MASK;
	e->flags = TC_E_PRESENT | ((v & PAGE_WRITE) ? TC_E_WRITE : 0);
}

/* pointer entries are __pa(table) | __pXd_val_bits (pgtable.h
 * pmd_populate/pud_populate/p4d_populate) */
static void decode_dir(const struct ppc_priv *p, int level, uint64_t v,
		       struct tc_entry *e)
{
	if (v == 0) {
		e->kind = TC_NONE;
		return;
	}
	if (v & PAGE_PTE)
		return decode_dir_leaf(p, level, v, e);
	if ((v & PMD_MASKED_BITS) != p->val_bits[level])
		return tc_illegal(e, dir_sig[level],
				  "directory entry bits differ from the kernel's __pXd_val_bits");
	if ((v & ~PMD_MASKED_BITS) & (p->align[level + 1] - 1))
		return tc_illegal(e, dir_sig[level],
				  "next table not aligned to its fragment size");
	e->kind = TC_TABLE;
	e->pa = v & ~PMD_MASKED_BITS;
}

static void decode_pte(const struct tc_mm_stats *m, const struct ppc_priv *p,
		       uint64_t v, struct tc_entry *e)
{
	uint64_t none_mask = p->radix ? RADIX_PTE_NONE_MASK : HASH_PTE_NONE_MASK;

	if (!(v & ~none_mask)) {
		e->kind = TC_NONE;
		return;
	}
	if (!(v & PAGE_PTE))
		return tc_illegal(e, TC_SIG(PPC_PTE_ILLEGAL),
				  "pte without _PAGE_PTE that is not none");
	if (!(v & (PAGE_PRESENT | PAGE_INVALID))) {
		e->kind = TC_SWAP;
		return;
	}
	/* _PAGE_PRIVILEGED marks kernel-only pages; in a user pte it is only
	 * PAGE_NONE (PROT_NONE, NUMA hinting): privileged with no R/W/X
	 * (book3s/64/pgtable.h: PAGE_NONE = _PAGE_BASE | _PAGE_PRIVILEGED,
	 * pte_protnone()) */
	if ((v & PAGE_PRIVILEGED) && (v & PAGE_RWX) && m && !m->kernel)
		return tc_illegal(e, TC_SIG(PPC_PTE_ILLEGAL), "kernel-only (_PAGE_PRIVILEGED) pte in a user mm");
	e->kind = TC_LEAF;
	e->pa = v & PTE_RPN_MASK;
	e->flags = TC_E_PRESENT | ((v & PAGE_WRITE) ? TC_E_WRITE : 0) |
		   ((v & PAGE_SPECIAL) ? TC_E_SPECIAL : 0);
}

static void ppc_decode(struct tc_ctx *c, const struct tc_mm_stats *m, int level,
		       uint64_t va, uint64_t v, struct tc_entry *e)
{
	const struct ppc_priv *p = c->arch_priv;

	(void)va;
	e->kind = TC_NONE;
	e->flags = 0;
	e->pa = 0;
	if (level == P_PTE)
		decode_pte(m, p, v, e);
	else
		decode_dir(p, level, v, e);
}

/* the signature rows of this architecture (docs/signatures.md) */
TC_SIG_DEFINE(PPC_PTE_ILLEGAL, TC_SEV_ERROR,
	      "ppc64 pte that is not none, present or swap, or kernel-only in a user mm");
TC_SIG_DEFINE(PPC_PMD_ILLEGAL, TC_SEV_ERROR,
	      "ppc64 pmd with bits other than __pmd_val_bits or a misaligned target");
TC_SIG_DEFINE(PPC_PUD_ILLEGAL, TC_SEV_ERROR,
	      "ppc64 pud with bits other than __pud_val_bits or a misaligned target");
TC_SIG_DEFINE(PPC_PGD_ILLEGAL, TC_SEV_ERROR,
	      "ppc64 pgd with bits other than __pgd_val_bits or a misaligned target");
TC_SIG_DEFINE(PPC_FRAG_REFCOUNT, TC_SEV_ERROR,
	      "pt_frag_refcount differs from the fragments in use on that page");

static const struct tc_sig *const ppc_sigs[] = {
	TC_SIG(PPC_PTE_ILLEGAL),
	TC_SIG(PPC_PMD_ILLEGAL),
	TC_SIG(PPC_PUD_ILLEGAL),
	TC_SIG(PPC_PGD_ILLEGAL),
	TC_SIG(PPC_FRAG_REFCOUNT),
};

const struct tc_arch tc_arch_ppc64 = {
	.name = "ppc64le",
	.crash_machine = "PPC64",
	.kdump_name = "ppc64",
	.elf_machine = 21,		/* EM_PPC64 */
	.big_endian = 0,
	/* QEMU's ppc64 dumps carry no VMCOREINFO: libkdumpfile would take
	 * the page size from it (Debian ppc64el: CONFIG_PPC_64K_PAGES) and
	 * __va() from IDENTITYBASE (book3s64 PAGE_OFFSET, the linear map,
	 * kernel image at physical 0, no KASLR) */
	.dump_page_size = 65536,
	.linear_base = 0xc000000000000000ULL,
	.image_at_phys0 = 1,
	/* hash MMU: vmemmap is bolted HPTEs, not in init_mm's tables
	 * (hash__vmemmap_create_mapping); crash reads vmemmap_list too */
	.listed_kva_blocks = ppc_listed_kva_blocks,
	.sigs = ppc_sigs,
	.nsigs = sizeof(ppc_sigs) / sizeof(ppc_sigs[0]),
	.nlevels = 4,
	.levels = NULL,		/* read from the dump by ppc_init() */
	.entries_big_endian = 1,	/* pte_t is __be64 (pgtable-be-types.h) */
	.init = ppc_init,
	.mm_top = ppc_mm_top,
	.decode = ppc_decode,
	.check_all = ppc_check_all,
	.fini = ppc_fini,
};
