/*
 * s390x page tables for the thpcheck engine.
 *
 * Every constant below is from arch/s390/include/asm/pgtable.h of the
 * kernel named next to it ([6.1] = Debian 6.1.0-50, v6.1.176; [6.12] =
 * Debian 6.12.117); where the two differ both are given.
 */
#include <stdlib.h>
#include <string.h>
#include "s390.h"

/* geometry: _CRST_ENTRIES 2048 (16 KiB tables), _PAGE_ENTRIES 256 (2 KiB) */
/* empty: _REGION{1,2,3}_ENTRY_EMPTY (TYPE_Rn | INVALID 0x20),
 * _SEGMENT_ENTRY_EMPTY 0x20, _PAGE_INVALID 0x400 */
static const struct tc_level s390_levels[] = {
	{ "pgd", "R1", 53, 2048, 16384, 0x2c },	/* _REGION1_SHIFT */
	{ "p4d", "R2", 42, 2048, 16384, 0x28 },	/* _REGION2_SHIFT */
	{ "pud", "R3", 31, 2048, 16384, 0x24 },	/* _REGION3_SHIFT */
	{ "pmd", "ST", 20, 2048, 16384, 0x20 },	/* _SEGMENT_SHIFT */
	{ "pte", "PT", 12, 256, 2048, 0x400 },	/* _PAGE_SHIFT */
};

/* ASCE and region entries */
#define ASCE_ORIGIN		(~0xfffULL)
#define ASCE_REAL_SPACE		0x20ULL
#define ASCE_TYPE_MASK		0x0cULL
#define REGION_ENTRY_ORIGIN	(~0xfffULL)
#define REGION_ENTRY_INVALID	0x20ULL
#define REGION_ENTRY_TYPE_MASK	0x0cULL
#define REGION_ENTRY_LENGTH	0x03ULL
#define REGION_ENTRY_BITS	0xfffffffffffff22fULL	/* pud_bad() & co. */
#define REGION3_ENTRY_LARGE	0x400ULL
#define REGION3_ORIGIN_LARGE	(~0x7fffffffULL)
/* [6.12] _REGION3_ENTRY_HARDWARE_BITS_LARGE | SW bits (dirty, young,
 * soft dirty, read, write): anything else in a 2 GiB leaf is illegal. */
#define REGION3_LARGE_ALLOWED	(0xffffffff8001073cULL | 0x7003ULL)

/* segment entries */
#define SEG_ORIGIN		(~0x7ffULL)
#define SEG_ORIGIN_LARGE	(~0xfffffULL)
#define SEG_PROTECT		0x200ULL
#define SEG_INVALID		0x20ULL
#define SEG_TYPE_MASK		0x0cULL
#define SEG_EMPTY		0x20ULL		/* _SEGMENT_ENTRY_EMPTY */
#define SEG_LARGE		0x400ULL
#define SEG_DIRTY		0x2000ULL
#define SEG_YOUNG		0x1000ULL
#define SEG_WRITE		0x0002ULL
#define SEG_READ		0x0001ULL
#define SEG_BITS		0xfffffffffffffe33ULL	/* [6.1] pmd_bad() */
/* [6.12] _SEGMENT_ENTRY_HARDWARE_BITS_LARGE 0xfffffffffff1073c plus the
 * SW bits soft dirty/dirty/young/write/read (0x7003); TT must be 0. */
#define SEG_LARGE_ALLOWED	(0xfffffffffff10730ULL | 0x7003ULL)

/* page table entries */
#define PAGE_PRESENT		0x001ULL
#define PAGE_YOUNG		0x004ULL
#define PAGE_DIRTY		0x008ULL
#define PAGE_READ		0x010ULL
#define PAGE_WRITE		0x020ULL
#define PAGE_SPECIAL		0x040ULL
#define PAGE_PROTECT		0x200ULL
#define PAGE_INVALID		0x400ULL
#define PAGE_LARGE		0x800ULL
#define PAGE_FRAME		(~0xfffULL)
/* mk_swap_pte(): _PAGE_INVALID | _PAGE_PROTECT, type << 2, offset << 12;
 * 0x800 is _PAGE_SWP_EXCLUSIVE, 0x002 soft dirty; bits 0x180 unused. */
#define SWP_FIXED_MASK		0x781ULL
#define SWP_FIXED		0x600ULL

static const char *const scheme_names[] = {
	[S390_FRAG2K] = "s390-frag2k",
	[S390_FRAG2K_PGACTIVE] = "s390-frag2k-pgactive",
	[S390_WHOLEPAGE] = "s390-wholepage",
};

/* By struct members and symbols, never by the version string. */
static enum s390_scheme detect_scheme(struct tc_ctx *c)
{
	uint64_t sym;

	/* d08d4e7cd6bf (v6.8) dropped mm->context.pgtable_list together
	 * with the 2 KiB fragments; 8211dad62798 (v6.6) added
	 * pte_free_defer() and the PG_active marking of fragment pages. */
	if (tc_off(c, "mm_struct", "context.pgtable_list") < 0)
		return S390_WHOLEPAGE;
	if (c->be->symbol(c->be->priv, "pte_free_defer", &sym) == 0)
		return S390_FRAG2K_PGACTIVE;
	return S390_FRAG2K;
}

static int s390_init(struct tc_ctx *c)
{
	struct s390_priv *p = calloc(1, sizeof(*p));
	uint64_t sym;

	if (!p) {
		snprintf(c->err, sizeof(c->err), "%s: out of memory for the arch state",
			 c->arch->name);
		return -1;
	}
	c->arch_priv = p;
	p->ctx_asce = tc_off(c, "mm_struct", "context.asce");
	p->ctx_asce_limit = tc_off(c, "mm_struct", "context.asce_limit");
	if (p->ctx_asce < 0 || p->ctx_asce_limit < 0) {
		snprintf(c->err, sizeof(c->err),
			 "debuginfo lacks mm_struct.context.asce (not an s390x kernel?)");
		return -1;
	}
	p->scheme = detect_scheme(c);
	c->scheme = scheme_names[p->scheme];
	/* v6.2+: arch/s390/boot/vmem.c maps __memcpy_real_area with
	 * POPULATE_NONE, whose _pa() is -1: the pte holds all ones (plus
	 * PAGE_KERNEL bits) until memcpy_real() first maps a page there. */
	if (c->be->symbol(c->be->priv, "__memcpy_real_area", &sym) == 0)
		tc_rd64(c, sym, &p->memcpy_real_area);
	return s390_frag_init(c, p);
}

/*
 * The top table comes from the ASCE, as the hardware sees it: its type
 * bits give the number of levels (dynamic folding, asm/mmu_context.h
 * init_new_context() and crst_table_upgrade()).  The kernel's ASCE is
 * init_mm.context.asce (set in paging_init()).
 */
static int s390_mm_top(struct tc_ctx *c, uint64_t mm, struct tc_top *top)
{
	struct s390_priv *p = c->arch_priv;
	uint64_t asce;

	if (tc_rd64(c, (mm ? mm : c->init_mm) + p->ctx_asce, &asce) < 0) {
		snprintf(c->err, sizeof(c->err), "mm.context.asce unreadable");
		return -1;
	}
	if (asce & ASCE_REAL_SPACE) {
		snprintf(c->err, sizeof(c->err),
			 "ASCE %#llx is a real-space designation",
			 (unsigned long long)asce);
		return -1;
	}
	top->table_pa = asce & ASCE_ORIGIN;
	top->level = L_SEG - (int)((asce & ASCE_TYPE_MASK) >> 2);
	top->va_limit = 1ULL << (s390_levels[top->level].shift + 11);
	if (top->level == L_R1)
		top->va_limit = UINT64_MAX;
	return 0;
}

static void decode_region(int level, uint64_t v, struct tc_entry *e)
{
	/* _REGION{1,2,3}_ENTRY_EMPTY = TYPE_Rn | INVALID */
	uint64_t tt = (uint64_t)(L_SEG - level) << 2;

	if (v == (tt | REGION_ENTRY_INVALID)) {
		e->kind = TC_NONE;
		return;
	}
	if ((v & REGION_ENTRY_TYPE_MASK) != tt)
		return tc_illegal(e, TC_SIG(S390_REGION_ILLEGAL),
				  "table type (TT) bits do not match the level");
	if (level == L_R3 && (v & REGION3_ENTRY_LARGE)) {
		/* 2 GiB leaf (hugetlb 2G or kernel identity map, EDAT-2) */
		if (!(v & REGION3_ORIGIN_LARGE) && (v & REGION_ENTRY_INVALID))
			return tc_illegal(e, TC_SIG(S390_REGION_ILLEGAL),
					  "empty region-3 entry marked large (0x424 pattern, ac8372f3b4e4)");
		if (v & ~REGION3_LARGE_ALLOWED)
			return tc_illegal(e, TC_SIG(S390_REGION_ILLEGAL),
					  "reserved bits set in a large region-3 entry");
		e->kind = TC_LEAF;
		e->pa = v & REGION3_ORIGIN_LARGE;
		/* set_huge_pte_at() stores the segment r/w positions in
		 * 2 GiB entries too (mm/hugetlbpage.c __pte_to_rste). */
		e->flags = TC_E_PRESENT | ((v & SEG_WRITE) ? TC_E_WRITE : 0);
		return;
	}
	if (v & REGION3_ENTRY_LARGE)
		return tc_illegal(e, TC_SIG(S390_REGION_ILLEGAL),
				  "large bit in a region-1/2 entry");
	if (v & ~REGION_ENTRY_BITS)
		return tc_illegal(e, TC_SIG(S390_REGION_ILLEGAL),
				  "bits outside _REGION_ENTRY_BITS (pud_bad)");
	if (v & REGION_ENTRY_INVALID)
		return tc_illegal(e, TC_SIG(S390_REGION_ILLEGAL),
				  "invalid region entry that is not the EMPTY value");
	/* Linux always uses full-length tables: _REGIONn_ENTRY include
	 * _REGION_ENTRY_LENGTH (TL=3). */
	if ((v & REGION_ENTRY_LENGTH) != REGION_ENTRY_LENGTH)
		return tc_illegal(e, TC_SIG(S390_REGION_ILLEGAL),
				  "table length (TL) is not 3");
	if (!(v & REGION_ENTRY_ORIGIN))
		return tc_illegal(e, TC_SIG(S390_REGION_ILLEGAL),
				  "region entry points to a table at physical 0");
	e->kind = TC_TABLE;
	e->pa = v & REGION_ENTRY_ORIGIN;
}

/*
 * Large segment entries: the encoding table in asm/pgtable.h ("Segment
 * table entry encoding") lists every state the kernel writes.  Two
 * consequences are checked: a HW-writable (R=0) leaf must be dirty,
 * writable and readable, and a HW-valid (I=0) leaf must be young and
 * readable.
 */
static int large_segment_state_ok(uint64_t v)
{
	if (!(v & SEG_PROTECT) &&
	    (v & (SEG_DIRTY | SEG_WRITE | SEG_READ)) !=
	    (SEG_DIRTY | SEG_WRITE | SEG_READ))
		return 0;
	if (!(v & SEG_INVALID) &&
	    (v & (SEG_YOUNG | SEG_READ)) != (SEG_YOUNG | SEG_READ))
		return 0;
	return 1;
}

static void decode_segment(uint64_t v, struct tc_entry *e)
{
	if (v == SEG_EMPTY) {
		e->kind = TC_NONE;
		return;
	}
	if (v & SEG_TYPE_MASK)
		return tc_illegal(e, TC_SIG(S390_SEG_ILLEGAL),
				  "table type (TT) bits set in a segment entry");
	if (v & SEG_LARGE) {
		/* set_huge_pte_at() before ac8372f3b4e4 (v5.8) ORed LARGE
		 * into an empty entry: 0x420, seen as a leaf for pfn 0. */
		if (v == (SEG_EMPTY | SEG_LARGE))
			return tc_illegal(e, TC_SIG(S390_SEG_EMPTY_LARGE),
					  "empty segment entry marked large (0x420): pmd_none() is false, looks like a 1 MiB leaf at 0");
		if (v & ~SEG_LARGE_ALLOWED)
			return tc_illegal(e, TC_SIG(S390_SEG_ILLEGAL),
					  "reserved bits set in a large segment entry");
		if (!large_segment_state_ok(v))
			return tc_illegal(e, TC_SIG(S390_SEG_ILLEGAL),
					  "large segment entry in a protect/invalid state the kernel never writes");
		e->kind = TC_LEAF;
		e->pa = v & SEG_ORIGIN_LARGE;
		e->flags = TC_E_PRESENT | ((v & SEG_WRITE) ? TC_E_WRITE : 0);
		return;
	}
	if (v & ~SEG_BITS)
		return tc_illegal(e, TC_SIG(S390_SEG_ILLEGAL),
				  "bits outside _SEGMENT_ENTRY_BITS (pmd_bad)");
	if (v & SEG_INVALID)
		return tc_illegal(e, TC_SIG(S390_SEG_ILLEGAL),
				  "invalid non-large segment entry that is not the EMPTY value 0x20");
	if (!(v & SEG_ORIGIN))
		return tc_illegal(e, TC_SIG(S390_SEG_ILLEGAL),
				  "segment entry points to a page table at physical 0");
	e->kind = TC_TABLE;
	e->pa = v & SEG_ORIGIN;
}

/*
 * Present ptes: the HW bits follow the SW bits (pte_mkyoung/mkold/
 * mkdirty/mkclean/wrprotect in asm/pgtable.h): HW-valid needs young and
 * read, HW-writable needs write and dirty, _PAGE_LARGE only appears in
 * huge ptes made by __rste_to_pte(), never in a page table.
 */
static const char *present_pte_problem(uint64_t v)
{
	if (v & PAGE_LARGE)
		return "_PAGE_LARGE (0x800) in a page-table entry";
	if (!(v & PAGE_INVALID) &&
	    (v & (PAGE_YOUNG | PAGE_READ)) != (PAGE_YOUNG | PAGE_READ))
		return "HW-valid pte that is not young and readable";
	if (!(v & PAGE_PROTECT) &&
	    (v & (PAGE_WRITE | PAGE_DIRTY)) != (PAGE_WRITE | PAGE_DIRTY))
		return "HW-writable pte that is not write and dirty";
	return NULL;
}

static void decode_pte(uint64_t v, struct tc_entry *e)
{
	const char *why;

	if (v == PAGE_INVALID) {	/* pte_none() */
		e->kind = TC_NONE;
		return;
	}
	if (v & PAGE_PRESENT) {
		why = present_pte_problem(v);
		if (why)
			return tc_illegal(e, TC_SIG(S390_PTE_ILLEGAL), why);
		e->kind = TC_LEAF;
		e->pa = v & PAGE_FRAME;
		e->flags = TC_E_PRESENT | ((v & PAGE_WRITE) ? TC_E_WRITE : 0) |
			   ((v & PAGE_SPECIAL) ? TC_E_SPECIAL : 0);
		return;
	}
	if ((v & SWP_FIXED_MASK) == SWP_FIXED) {
		e->kind = TC_SWAP;
		return;
	}
	/* pte_none() | _SEGMENT_ENTRY_INVALID: the 0x020 a segment
	 * invalidation (IDTE with a wrong table origin, or a segment
	 * store through a pte pointer) leaves in an empty pte. */
	if (v == (PAGE_INVALID | SEG_INVALID))
		return tc_illegal(e, TC_SIG(S390_PTE_ORED_SEG_INVALID),
				  "empty pte with 0x020 ORed in (0x420): not none, not present, not swap");
	tc_illegal(e, TC_SIG(S390_PTE_ILLEGAL),
		   v == 0 ? "zero is not a valid s390 pte (none is 0x400)" :
		   "non-present pte that is neither none nor a swap entry");
}

/* v6.8+ user pte tables are whole pages; init_mm may still hold 2 KiB
 * memblock tables before daa8af80d283, so the kernel is exempt. */
static int is_wholepage_user(const struct tc_ctx *c, const struct tc_mm_stats *m)
{
	const struct s390_priv *p = c->arch_priv;

	return p->scheme == S390_WHOLEPAGE && m && !m->kernel;
}

/* the boot-time placeholder pte of the kernel's memcpy_real window */
static int is_memcpy_real_placeholder(const struct tc_ctx *c,
				      const struct tc_mm_stats *m, uint64_t va,
				      uint64_t v)
{
	const struct s390_priv *p = c->arch_priv;

	return m && m->kernel && p->memcpy_real_area &&
	       va == p->memcpy_real_area && (v & PAGE_FRAME) == PAGE_FRAME;
}

static void s390_decode(struct tc_ctx *c, const struct tc_mm_stats *m, int level,
			uint64_t va, uint64_t v, struct tc_entry *e)
{
	e->kind = TC_NONE;
	e->flags = 0;
	e->pa = 0;
	if (level == L_PTE && is_memcpy_real_placeholder(c, m, va, v))
		return;
	if (level == L_PTE)
		decode_pte(v, e);
	else if (level == L_SEG)
		decode_segment(v, e);
	else
		decode_region(level, v, e);
	if (level == L_SEG && e->kind == TC_TABLE && (e->pa & 0x800) &&
	    is_wholepage_user(c, m))
		tc_illegal(e, TC_SIG(S390_SEG_ILLEGAL),
			   "2 KiB-aligned pte table in the whole-page scheme (d08d4e7cd6bf)");
}

/* the signature rows of this architecture (docs/signatures.md) */
TC_SIG_DEFINE(S390_PTE_ILLEGAL, TC_SEV_ERROR,
	      "pte value matches no encoding the s390 kernel writes");
TC_SIG_DEFINE(S390_PTE_ORED_SEG_INVALID, TC_SEV_ERROR,
	      "empty pte with 0x020 (segment-invalid) ORed in: 0x420");
TC_SIG_DEFINE(S390_SEG_EMPTY_LARGE, TC_SEV_ERROR,
	      "empty segment entry marked large (0x420), looks like a leaf at 0");
TC_SIG_DEFINE(S390_SEG_ILLEGAL, TC_SEV_ERROR,
	      "segment-table entry with an encoding the kernel never writes");
TC_SIG_DEFINE(S390_REGION_ILLEGAL, TC_SEV_ERROR,
	      "region-table entry with wrong type, length or reserved bits");
TC_SIG_DEFINE(S390_FRAG_AA_PP, TC_SEV_ERROR,
	      "impossible AA/PP fragment bits in a pte-table page's _refcount");
TC_SIG_DEFINE(S390_FRAG_LIST, TC_SEV_ERROR,
	      "pgtable_list membership disagrees with the fragment bits");
TC_SIG_DEFINE(S390_FRAG_FREE_REFERENCED, TC_SEV_ERROR,
	      "a referenced or deposited 2 KiB half is free or pending free");
TC_SIG_DEFINE(S390_FRAG_ORPHAN, TC_SEV_WARNING,
	      "an allocated 2 KiB half that nothing references");
TC_SIG_DEFINE(S390_FRAG_NOT_PGTABLE, TC_SEV_ERROR,
	      "a referenced pte-table page whose struct page is not a page table");

static const struct tc_sig *const s390_sigs[] = {
	TC_SIG(S390_PTE_ILLEGAL),
	TC_SIG(S390_PTE_ORED_SEG_INVALID),
	TC_SIG(S390_SEG_EMPTY_LARGE),
	TC_SIG(S390_SEG_ILLEGAL),
	TC_SIG(S390_REGION_ILLEGAL),
	TC_SIG(S390_FRAG_AA_PP),
	TC_SIG(S390_FRAG_LIST),
	TC_SIG(S390_FRAG_FREE_REFERENCED),
	TC_SIG(S390_FRAG_ORPHAN),
	TC_SIG(S390_FRAG_NOT_PGTABLE),
};

const struct tc_arch tc_arch_s390x = {
	.name = "s390x",
	.crash_machine = "S390X",
	.kdump_name = "s390x",
	.elf_machine = 22,		/* EM_S390 */
	.big_endian = 1,
	/* QEMU's s390x dumps carry no VMCOREINFO note: the lowcore points
	 * to it (arch/s390/kernel/os_info.c, LC_VMCORE_INFO) */
	.memory_vmcoreinfo_ok = s390_memory_vmcoreinfo_ok,
	.sigs = s390_sigs,
	.nsigs = sizeof(s390_sigs) / sizeof(s390_sigs[0]),
	.nlevels = 5,
	.levels = s390_levels,
	.init = s390_init,
	.mm_top = s390_mm_top,
	.decode = s390_decode,
	.check_mm = s390_check_mm,
	.check_all = s390_check_all,
	.explain_page = s390_explain_page,
	.fini = s390_fini,
};
