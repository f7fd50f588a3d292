/*
 * State shared by the s390x files: pgtable_s390.c (geometry, entry
 * decoder) and frag_s390.c (2 KiB fragments, pgtable_list, THP deposits,
 * forensics).
 */
#ifndef THPCHECK_S390_H
#define THPCHECK_S390_H

#include "tc.h"

enum s390_scheme {
	S390_FRAG2K,		/* v5.17..v6.5: AA/PP bits, pgtable_list */
	S390_FRAG2K_PGACTIVE,	/* v6.6/v6.7: + PG_active (8211dad62798) */
	S390_WHOLEPAGE,		/* v6.8+: 4 KiB pte tables (d08d4e7cd6bf) */
};

enum { L_R1, L_R2, L_R3, L_SEG, L_PTE };

#define S390_PTE_NONE		0x400ULL	/* _PAGE_INVALID */
#define S390_PTE_TABLE_BYTES	2048		/* _PAGE_TABLE_SIZE */

/* what is known about one pte-table page: built when the page is
 * judged (or explained), never kept */
struct s390_frag_page {
	uint64_t pa;		/* 4 KiB page */
	uint64_t mm;
	uint64_t deposit_pmd[2];/* segment table whose ring holds the half */
	uint8_t refd[2];	/* segment entries referencing each half */
	uint8_t on_list;	/* on mm->context.pgtable_list */
	uint8_t read_ok;
	/* the mm's deposit rings / pgtable_list could not be read whole
	 * (pages left out of the dump): orphan / list checks skipped */
	uint8_t rings_partial, list_partial;
	uint64_t flags;
	uint32_t refcount, page_type;
	uint64_t lru_next, lru_prev;
};

/* a deposited pte table, and a page found on a pgtable_list: few (one
 * per THP, one per half-used page), so they are kept for -x */
struct s390_deposit {
	uint64_t pa, seg_pa, mm;
};

struct s390_listed {
	uint64_t page_pa, mm;
};

struct s390_priv {
	long ctx_asce;
	long ctx_asce_limit;
	uint64_t memcpy_real_area;	/* 0 when the kernel has none */
	enum s390_scheme scheme;
	uint64_t identity_base;		/* __va(pa) = pa + identity_base */
	/* struct page / ptdesc members */
	long pg_flags, pg_lru, pg_refcount, pg_type, pg_huge_pte;
	long mm_pgtable_list, mm_huge_pte;
	long pg_active;			/* PG_active bit number */
	long pgty_table;		/* PGTY_table (v6.12), -1 before */
	/* collected per mm (lists) and in check_all (deposits) */
	struct s390_deposit *deps;
	size_t ndeps, capdeps;
	struct s390_listed *listed;
	size_t nlisted, caplisted;
	/* mms whose pgtable_list met a page left out of the dump */
	uint64_t *list_partial;
	size_t npartial, cappartial;
};

int s390_frag_init(struct tc_ctx *c, struct s390_priv *p);
void s390_check_mm(struct tc_ctx *c, struct tc_mm_stats *m);
void s390_check_all(struct tc_ctx *c);
void s390_explain_page(struct tc_ctx *c, uint64_t page_pa, FILE *f);
void s390_fini(struct tc_ctx *c);

extern const struct tc_arch tc_arch_s390x;

/* dump_s390.c: the lowcore's VMCOREINFO is safe to follow */
int s390_memory_vmcoreinfo_ok(int (*rd)(void *, uint64_t, void *, size_t), void *priv,
			      int (*note_ok)(const unsigned char *, size_t, int));

/* its signature rows (ext/pgtable_s390.c) */
extern const struct tc_sig tc_sig_S390_PTE_ILLEGAL,
	tc_sig_S390_PTE_ORED_SEG_INVALID, tc_sig_S390_SEG_EMPTY_LARGE,
	tc_sig_S390_SEG_ILLEGAL, tc_sig_S390_REGION_ILLEGAL,
	tc_sig_S390_FRAG_AA_PP, tc_sig_S390_FRAG_LIST,
	tc_sig_S390_FRAG_FREE_REFERENCED, tc_sig_S390_FRAG_ORPHAN,
	tc_sig_S390_FRAG_NOT_PGTABLE;

#endif
