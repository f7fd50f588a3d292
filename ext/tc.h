/*
 * thpcheck engine: the interface shared by the walker core, the arch
 * files and the front ends (crash extension, thpscan, unit tests).
 *
 * Layering:
 *   front end  -> struct tc_backend (memory + debuginfo, by name)
 *   engine     -> io, report, tasks, walk, tables, setup, translate,
 *                 explain (.c): walks every mm, never names an architecture
 *   pgtable_*.c-> struct tc_arch (geometry as data + entry decoder)
 *   findings.c -> struct tc_finding list, one text and one JSON formatter
 */
#ifndef THPCHECK_TC_H
#define THPCHECK_TC_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

/* the version, from the top entry of debian/changelog (the Makefile
 * passes it; one place for the binaries, the JSON, the package and the
 * man pages) */
#ifndef TC_VERSION
#error "TC_VERSION is not defined: build with the Makefile"
#endif

/* ---------------------------------------------------------------- backend */

/*
 * Everything the engine knows about a dump comes through this table.
 * Offsets and sizes are resolved by name from the dump's debuginfo;
 * a member path may be dotted ("context.asce").  Every function returns
 * 0 / a non-negative value on success and -1 when the thing is missing
 * or unreadable; none of them prints or exits.  The read functions return
 * TC_EXCLUDED instead when the dump's filter left the page out
 * (makedumpfile -d): the memory existed, the dump does not hold it.
 */
#define TC_EXCLUDED (-2)
struct tc_backend {
	void *priv;
	int big_endian;		/* byte order of the target */
	int (*read_phys)(void *priv, uint64_t pa, void *buf, size_t len);
	int (*read_kvirt)(void *priv, uint64_t va, void *buf, size_t len);
	int (*symbol)(void *priv, const char *name, uint64_t *addr);
	long (*member_offset)(void *priv, const char *type, const char *member);
	long (*member_size)(void *priv, const char *type, const char *member);
	long (*type_size)(void *priv, const char *type);
	int (*enum_value)(void *priv, const char *name, long *value);
	/* kernel release string (utsname), or NULL */
	const char *(*release)(void *priv);
	/* makedumpfile's -d level of a filtered dump; -1 when not known */
	int (*dump_level)(void *priv);
	/* a kernel VA the engine cannot translate (tc_kva_to_pa), as the
	 * backend's own translator maps it (crash: kvtop); optional */
	int (*kvirt_to_phys)(void *priv, uint64_t va, uint64_t *pa);
	/* where the kernel's linear maps are, as the dump says (NULL: the
	 * backend reads kernel VAs itself, read_kvirt; crash does).  With
	 * a map the engine translates every kernel VA (tc_kva_to_pa) and
	 * read_kvirt is only the last resort. */
	const struct tc_kmap *kmap;
};

/*
 * The kernel's linear maps: the image (pa = va - image_delta inside
 * [image_start, image_end)) and the direct map (pa = va - linear_base
 * for pa below linear_size).  The thpscan backend fills one from
 * VMCOREINFO and the vmlinux; the engine translates with it first.
 */
struct tc_kmap {
	uint64_t image_start, image_end, image_delta;
	uint64_t linear_base, linear_size;
};
/* pa of va by the map alone; -1 when va is in neither linear map */
int tc_kmap_to_pa(const struct tc_kmap *k, uint64_t va, uint64_t *pa);

/* ---------------------------------------------------------------- findings */

enum tc_severity { TC_SEV_INFO, TC_SEV_WARNING, TC_SEV_ERROR };

/*
 * Signature ids are a contract (docs/signatures.md, tests, JSON).  Each
 * signature is one object, tc_sig_ID, named in code as TC_SIG(ID): a
 * wrong id does not compile.  The rows every architecture shares are in
 * findings.c, an arch's own rows in its files and its struct tc_arch.
 */
struct tc_sig {
	const char *id;
	enum tc_severity severity;
	const char *meaning;
};
#define TC_SIG(id) (&tc_sig_##id)
#define TC_SIG_DEFINE(id, sev, meaning) \
	const struct tc_sig tc_sig_##id = { #id, sev, meaning }
extern const struct tc_sig tc_sig_TABLE_MULTI_REF, tc_sig_PTE_OUTSIDE_VMA,
	tc_sig_PTE_WRITE_IN_READONLY_VMA, tc_sig_THP_IN_BAD_VMA,
	tc_sig_DEPOSIT_LIST_CORRUPT, tc_sig_DEPOSIT_NOT_EMPTY,
	tc_sig_DEPOSIT_COUNT, tc_sig_LIST_CORRUPT, tc_sig_READ_ERROR,
	tc_sig_NOT_IN_DUMP;
extern const struct tc_sig *const tc_sigs[];
extern const size_t tc_nsigs;

#define TC_NO_ADDR UINT64_MAX

struct tc_finding {
	const struct tc_sig *sig;
	uint64_t count;		/* entries in the run (PTE_OUTSIDE_VMA), else 1 */
	uint64_t mm;		/* mm_struct address, 0 for none */
	int pid;		/* -1 when unknown */
	char comm[17];
	uint64_t va;		/* TC_NO_ADDR when not applicable */
	const char *level;	/* "pte", "pmd", ... or NULL */
	uint64_t table_pa;	/* TC_NO_ADDR when not applicable */
	int index;		/* -1 when not applicable */
	uint64_t entry_pa;
	uint64_t value;
	char detail[400];
};

struct tc_findings {
	struct tc_finding *v;
	size_t n, cap;
	size_t dropped;		/* findings past the cap are counted only */
};

/* ---------------------------------------------------------------- arch */

enum tc_kind {
	TC_NONE,	/* empty entry */
	TC_TABLE,	/* points to a lower-level table */
	TC_LEAF,	/* maps a page or a large frame */
	TC_SWAP,	/* non-present: swap or migration entry */
	TC_ILLEGAL,	/* matches no encoding the kernel writes */
};

#define TC_E_WRITE	0x01	/* leaf is writable in the Linux sense */
#define TC_E_MIGRATION	0x02	/* swap-format entry of a migration type */
#define TC_E_PRESENT	0x04	/* leaf is present (also prot-none) */
#define TC_E_SPECIAL	0x08	/* pte_special(): no struct page, not in Rss */

struct tc_entry {
	enum tc_kind kind;
	unsigned flags;
	uint64_t pa;		/* TABLE: next table; LEAF: frame */
	const struct tc_sig *sig;	/* ILLEGAL: the signature */
	const char *why;	/* ILLEGAL: one-line reason */
};

struct tc_level {
	const char *name;	/* Linux name: "pgd", "p4d", "pud", "pmd", "pte" */
	const char *hw;		/* hardware name, for text output */
	unsigned shift;		/* VA bits below this level's index */
	unsigned entries;
	unsigned table_bytes;	/* bytes read for one table */
	/* the value of an empty entry (pXd_none): the walker counts it
	 * without asking the decoder, which must call it TC_NONE too */
	uint64_t none;
};

struct tc_ctx;
struct tc_mm_stats;
struct tc_inflight;
struct tc_table;

struct tc_top {
	uint64_t table_pa;	/* physical origin of the top table */
	int level;		/* index into c->levels */
	uint64_t va_base;	/* VA of entry 0 (ppc64 kernel: 0xc...) */
	uint64_t va_limit;	/* bytes covered from va_base */
	/* the entries of the top table the mm owns (count 0: all); x86_64:
	 * a user mm's lower half, the kernel's upper half */
	unsigned first, count;
};

/*
 * One architecture: everything the engine, the front ends and the
 * thpscan backend know about it.  The registry tc_arches[] (arch.c) is
 * the only list of architectures; nothing outside an architecture's
 * files names one.
 */
struct tc_arch {
	const char *name;		/* user-facing: "s390x", "ppc64le" */
	const char *crash_machine;	/* crash's machine_type() name */
	const char *kdump_name;		/* libkdumpfile's arch name */
	unsigned elf_machine;		/* the vmlinux's ELF e_machine */
	int big_endian;			/* byte order of the kernel's data */
	/* facts a dump reader needs when the dump does not say them
	 * (QEMU's dumps: no VMCOREINFO): the page size (0: the dump's),
	 * the linear map's __va(0) (0: the dump's IDENTITYBASE or none) */
	unsigned dump_page_size;
	uint64_t linear_base;
	/* a dump reader's hook: the VMCOREINFO this arch's kernels leave in
	 * memory for readers to follow (s390: the lowcore) is safe to hand
	 * to a parser -- note_ok(a note area, its byte order) says so for
	 * the note found there; 1 also when there is none (NULL: not
	 * followed) */
	int (*memory_vmcoreinfo_ok)(int (*read_phys)(void *priv, uint64_t pa,
						     void *buf, size_t len),
				    void *priv,
				    int (*note_ok)(const unsigned char *p, size_t n,
						   int big_endian));
	/* the kernel image holds its build-id note at a low physical
	 * address (no KASLR, loaded at 0): scanned for when the dump
	 * names no build-id */
	int image_at_phys0;
	/* a dump reader's hook: kernel addresses mapped outside the kernel
	 * tables, as the kernel lists them (ppc64 hash: vmemmap), read with
	 * the backend's symbols, layouts and physical reads (linear-map
	 * pointers: __va(0) is linear_base); add() takes each block of
	 * *block_bytes; 0, or -1 when the list is not readable (NULL: none) */
	int (*listed_kva_blocks)(const struct tc_backend *be, uint64_t linear_base,
				 void (*add)(void *ctx, uint64_t virt, uint64_t phys),
				 void *ctx, uint64_t *block_bytes);
	/* the kernel image is mapped at its own base: VA image_vbase is the
	 * physical address VMCOREINFO's image_phys_key says (x86_64:
	 * __START_KERNEL_map and NUMBER(phys_base)); 0: image addresses
	 * translate like the linear map (or by KERNELOFFPHYS) */
	uint64_t image_vbase;
	const char *image_phys_key;
	/* a kernel variable that holds the linear map's __va(0) when the
	 * dump does not name it (x86_64: page_offset_base, KASLR moves it) */
	const char *linear_base_var;
	/* a dump reader's hook: the kernel's linear maps from VMCOREINFO
	 * numbers when the fields above cannot say them (arm64:
	 * kimage_voffset, PHYS_OFFSET, VA_BITS); number(priv, key, &v) is
	 * the value of VMCOREINFO's line key, 0 or -1.  Sets k's
	 * image_delta and linear_base: 0, or -1 (k untouched) when the dump
	 * lacks them (NULL: none) */
	int (*vmcoreinfo_kmap)(int (*number)(void *priv, const char *key, uint64_t *v),
			       void *priv, struct tc_kmap *k);
	/* an mmu_table_batch holds the tables' struct pages, not their
	 * addresses (x86_64: ___pte_free_tlb() hands paravirt_tlb_remove_table()
	 * the pte page, ___pmd_free_tlb() virt_to_page(pmd)) */
	int rcu_batch_holds_pages;
	/* a VMCOREINFO key only this arch's kernels write: tells the arch
	 * of a dump that names none (QEMU's kdump files: empty utsname) */
	const char *vmcoreinfo_mark;
	/* this architecture's signature rows (docs/signatures.md) */
	const struct tc_sig *const *sigs;
	size_t nsigs;
	int nlevels;			/* levels[0] is the top-most */
	const struct tc_level *levels;
	/* entries are big-endian in memory whatever the target's order
	 * (ppc64: pte_t is __be64); otherwise the target's order */
	int entries_big_endian;
	int (*init)(struct tc_ctx *c);	/* detect scheme, resolve offsets */
	/* top table of an mm (mm == 0: the kernel's tables) */
	int (*mm_top)(struct tc_ctx *c, uint64_t mm, struct tc_top *top);
	/* checks after each mm's walk and after all mms (may be NULL):
	 * fragment state, deposits, forensics */
	void (*check_mm)(struct tc_ctx *c, struct tc_mm_stats *m);
	void (*check_all)(struct tc_ctx *c);
	/* a table the kernel maps from several entries on purpose (x86_64
	 * espfix): t is one of its referrers (may be NULL) */
	int (*shared_by_design)(const struct tc_ctx *c, const struct tc_table *t);
	/* -x: what the arch knows about a table page (may be NULL) */
	void (*explain_page)(struct tc_ctx *c, uint64_t page_pa, FILE *f);
	/* free arch_priv and its parts (NULL: the engine frees arch_priv) */
	void (*fini)(struct tc_ctx *c);
	/* classify one entry (already in CPU byte order) mapping va of the
	 * tables of m (NULL: a translation, no per-mm rule applies) */
	void (*decode)(struct tc_ctx *c, const struct tc_mm_stats *m,
		       int level, uint64_t va, uint64_t v, struct tc_entry *e);
};

/* arch.c: the registry, NULL-terminated, in the order byte-order
 * guessing prefers them */
extern const struct tc_arch *const tc_arches[];
const struct tc_arch *tc_arch_by_kdump_name(const char *name);
const struct tc_arch *tc_arch_by_elf_machine(unsigned machine);
const struct tc_arch *tc_arch_by_crash_machine(int (*is)(const char *machine));
/* the arch of a dump that names none (QEMU's kdump files have an empty
 * utsname): of that byte order, the first whose vmcoreinfo_mark
 * has(key) says the dump holds, else the first without a mark */
const struct tc_arch *tc_arch_by_byte_order(int big_endian,
					    int (*has)(void *priv, const char *key),
					    void *priv);
/* "s390x and ppc64le": the registered names, for messages */
void tc_arch_names(char *buf, size_t len);

/* ---------------------------------------------------------------- engine */

struct tc_vma {
	uint64_t start, end, flags, addr;
};

struct tc_mm_stats {
	uint64_t mm;
	int pids[8];
	int npids;
	int nthreads_more;	/* pids beyond the stored ones */
	char comm[17];
	int kernel;		/* init_mm */
	uint64_t tables[8];	/* per level */
	uint64_t present_ptes, special_ptes, swap_ptes, none_ptes;
	uint64_t thp_pmds, hugetlb_pmds, huge_puds;
	uint64_t hugetlb_ptes;	/* present ptes of hugetlb VMAs (not Rss) */
	uint64_t vmas;
	uint64_t findings;
	uint64_t top_va;	/* first VA of the top table */
	/* this mm's slice of c->tabs, sorted by table address */
	size_t tab_first, tab_n;
};

/* legal in-flight states (inflight.c), counted instead of reported */
enum tc_inflight_kind { TC_IF_MUNMAP, TC_IF_VMA_WRITE, TC_IF_MM_EXIT,
			TC_IF_TABLE_ALLOC, TC_IF_TABLE_FREE, TC_IF_PMD_UPDATE,
			TC_IF_N };
extern const char *const tc_inflight_names[TC_IF_N];

/* pages the dump's filter left out (makedumpfile -d) that a check needed,
 * by what they hold; reported once per kind (NOT_IN_DUMP), never as
 * READ_ERROR */
enum tc_nid_kind { TC_NID_TABLE, TC_NID_PAGE, TC_NID_KERNEL, TC_NID_N };
extern const char *const tc_nid_names[TC_NID_N];

struct tc_stats {
	uint64_t mms;
	uint64_t not_in_dump[TC_NID_N];
	uint64_t excluded_reads;	/* backend reads that met TC_EXCLUDED */
	uint64_t in_flight[TC_IF_N];
	uint64_t tables[8];
	uint64_t entries;
	uint64_t present_ptes, swap_ptes;
	uint64_t thp_pmds, hugetlb_pmds, huge_puds, hugetlb_ptes;
	uint64_t deposited;
	uint64_t read_errors;
};

/* What to walk and what to print while walking. */
enum tc_scope { TC_SCOPE_ALL, TC_SCOPE_PID, TC_SCOPE_MM, TC_SCOPE_KERNEL,
		TC_SCOPE_USER };

struct tc_opts {
	enum tc_scope scope;
	int pid;
	uint64_t mm;
	int verbose;		/* -v: every table visited */
	int inventory;		/* -t: JSON line per table */
	int leaves;		/* -e: JSON line per user leaf (va -> pa) */
	FILE *out;
	size_t max_findings;
	size_t max_tasks;
};

/*
 * One walked table, 16 bytes: the engine keeps one per page-table page
 * of the dump and nothing else per table (make bench: forest).  The
 * referring entry is kept as its physical address; the mm, the VA and
 * the parent table follow from it (tc_tab_mm, tc_tab_va, tc_tab_parent).
 *   ref bits  0-47  entry_pa >> 3 (entries below 2^51)
 *            48-50  level
 *            51-62  THP leaves in the table (pmd level), saturating
 *               63  top-level table: no referring entry
 */
struct tc_table {
	uint64_t pa;
	uint64_t ref;
};
#define TC_REF_TOP	(1ULL << 63)
#define TC_REF_THP1	(1ULL << 51)
#define TC_REF_THP_MAX	0xfffu

static inline int tc_tab_level(const struct tc_table *t)
{
	return (int)(t->ref >> 48 & 7);
}

static inline unsigned tc_tab_thp(const struct tc_table *t)
{
	return (unsigned)(t->ref >> 51 & TC_REF_THP_MAX);
}

/* the entry that references the table; TC_NO_ADDR for a top table */
static inline uint64_t tc_tab_entry_pa(const struct tc_table *t)
{
	return (t->ref & TC_REF_TOP) ? TC_NO_ADDR :
	       (t->ref & ((1ULL << 48) - 1)) << 3;
}

/* sparse bitmap of physical addresses at a fixed granule: its size
 * follows the dump's memory, not the number of tables */
struct tc_bitset {
	uint64_t *keys;		/* open addressing: region number + 1 */
	unsigned char **chunks;
	size_t cap, n;
	unsigned gshift;	/* log2 of the granule */
};

/* small reads (struct fields, single entries) go through a cache of
 * 4 KiB blocks: each backend call costs a readmem() in crash */
#define TC_CACHE_BLOCKS 256
struct tc_cache {
	uint64_t tag[TC_CACHE_BLOCKS];	/* block | 1 (virtual) or | 3 (physical) */
	unsigned char *data;
};

/* tc_kva_to_pa's state: pages translated (vpage1 0: empty slot), the
 * arch's listed blocks once read (sorted by virt), the walk guard */
#define TC_KVA_SLOTS 256
struct tc_kva {
	struct { uint64_t vpage1, ppage; } tlb[TC_KVA_SLOTS];
	struct tc_kva_block { uint64_t virt, phys; } *blocks;
	size_t nblocks, capblocks;
	uint64_t block_bytes;
	int blocks_loaded, walking;
};

struct tc_ctx {
	const struct tc_backend *be;
	const struct tc_arch *arch;
	void *arch_priv;
	/* table geometry: arch->levels, or what arch->init() read from the
	 * dump when it depends on the running kernel (ppc64 radix/hash) */
	const struct tc_level *levels;
	int nlevels;
	const char *scheme;
	char release[80];
	struct tc_opts opts;
	struct tc_stats stats;
	struct tc_findings findings;
	struct tc_mm_stats *mms;
	size_t nmms, capmms;
	/* every table walked: one slice per mm, each sorted by address */
	struct tc_table *tabs;
	size_t ntabs, captabs;
	/* origins of the walked tables, and those seen more than once */
	struct tc_bitset seen;
	uint64_t *multi;
	size_t nmulti, capmulti;
	/* the VMAs of the mm being walked */
	struct tc_vma *vmas;
	size_t nvmas;
	int vmas_known;
	/* struct offsets the generic code needs (resolved once) */
	struct {
		long task_tasks, task_mm, task_pid, task_tgid, task_comm;
		long task_thread_group;
		long mm_pgd, mm_mt, mm_mmap;
		long mt_root;
		long vma_start, vma_end, vma_flags, vma_next;
		long mn_slot64, mn_pivot64, mn_slota, mn_pivota;
		long page_compound_dtor, page_type;	/* hugetlb folios */
		long page_compound_head, page_flags;
	} off;
	/* a hugetlb folio: v6.1 page[1].compound_dtor == HUGETLB_PAGE_DTOR,
	 * v6.9+ page_type >> 24 == PGTY_hugetlb; -1 when not in debuginfo */
	long hugetlb_dtor, pgty_hugetlb;
	long pg_head;		/* PG_head's bit in page->flags; -1 unknown */
	struct tc_cache cache;
	struct tc_inflight *inflight;	/* inflight.c: evidence, read lazily */
	uint64_t init_task, init_mm;
	uint64_t vmemmap;		/* struct page array (SPARSEMEM_VMEMMAP) */
	struct tc_kva kva;		/* translate.c: tc_kva_to_pa's state */
	/* the first left-out page of each kind, and what was skipped */
	uint64_t nid_first[TC_NID_N];
	const char *nid_skipped[TC_NID_N][4];
	long page_size_struct;		/* sizeof(struct page) */
	unsigned page_shift;		/* PAGE_SHIFT: 12, ppc64 16 */
	char err[256];
};

/* the engine (io.c, report.c, walk.c, tables.c, setup.c, translate.c,
 * explain.c) */
int tc_init(struct tc_ctx *c, const struct tc_backend *be,
	    const struct tc_arch *arch, const struct tc_opts *o);
int tc_run(struct tc_ctx *c);
void tc_free(struct tc_ctx *c);
uint64_t tc_load64(const struct tc_ctx *c, const void *p);
/* one page-table entry as the arch stores it */
uint64_t tc_load_entry(const struct tc_ctx *c, const void *p);
/* small reads through c->cache; larger or block-crossing reads go to
 * the backend directly */
int tc_read_kv(struct tc_ctx *c, uint64_t va, void *buf, size_t len);
int tc_read_pa(struct tc_ctx *c, uint64_t pa, void *buf, size_t len);
/* a physical read straight to the backend (whole tables), counted like
 * the cached ones for tc_not_in_dump() */
int tc_read_pa_direct(struct tc_ctx *c, uint64_t pa, void *buf, size_t len);
int tc_rd64(struct tc_ctx *c, uint64_t kva, uint64_t *v);
int tc_rd32(struct tc_ctx *c, uint64_t kva, uint32_t *v);
/* a kernel variable by its symbol; -1 when missing or unreadable */
int tc_rd_var64(struct tc_ctx *c, const char *name, uint64_t *v);
int tc_rd_var32(struct tc_ctx *c, const char *name, uint32_t *v);
long tc_off(struct tc_ctx *c, const char *type, const char *member);
/*
 * Where a finding is: the entry table_pa[index] of a table of that
 * level, a table as a whole (index -1), a word of a kernel structure
 * (level -1), or nowhere; value is the word found there; va the first
 * VA the entry or table maps, TC_NO_ADDR when not known.  Made by the
 * tc_at_*() functions, never field by field.
 */
struct tc_place {
	uint64_t va;
	int level;
	uint64_t table_pa;
	int index;
	uint64_t value;
};

static inline struct tc_place tc_at_entry(int level, uint64_t table_pa,
					  int index, uint64_t value, uint64_t va)
{
	return (struct tc_place){ va, level, table_pa, index, value };
}

static inline struct tc_place tc_at_table(int level, uint64_t table_pa,
					  uint64_t value, uint64_t va)
{
	return (struct tc_place){ va, level, table_pa, -1, value };
}

static inline struct tc_place tc_at_kernel(uint64_t addr, int index,
					   uint64_t value)
{
	return (struct tc_place){ TC_NO_ADDR, -1, addr, index, value };
}

static inline struct tc_place tc_at_none(uint64_t value)
{
	return (struct tc_place){ TC_NO_ADDR, -1, TC_NO_ADDR, -1, value };
}

/* a decoder's verdict: the entry breaks the arch's rules (sig, why) */
static inline void tc_illegal(struct tc_entry *e, const struct tc_sig *sig,
			      const char *why)
{
	e->kind = TC_ILLEGAL;
	e->sig = sig;
	e->why = why;
}

/* one finding of sig at a place, charged to mm m (NULL: to no mm) */
void tc_report(struct tc_ctx *c, struct tc_mm_stats *m,
	       const struct tc_sig *sig, struct tc_place at,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Take out the findings on entries of the tables in pa..pa+bytes (a page
 * found not to hold page tables: its words are not entries); returns how
 * many, for the finding that explains them */
size_t tc_fold_entry_findings(struct tc_ctx *c, uint64_t pa, uint64_t bytes);
/* Whether a read since c->stats.excluded_reads was `before` met a page
 * the dump's filter left out; if so it is counted under kind (addr: the
 * thing that could not be read, skipped: the check that needed it) and
 * the caller reports nothing itself. */
int tc_not_in_dump(struct tc_ctx *c, uint64_t before, enum tc_nid_kind kind,
		   uint64_t addr, const char *skipped);
/*
 * The one translation of a kernel VA: the dump's linear maps (the
 * backend's tc_kmap), then a cache of pages translated before, the
 * blocks the arch lists outside its tables (listed_kva_blocks), the
 * engine's walk of the kernel's tables, and last the backend's own
 * translator.  0, or -1 when none of them maps va.
 */
int tc_kva_to_pa(struct tc_ctx *c, uint64_t va, uint64_t *pa);
/* read kernel virtual memory translated by tc_kva_to_pa, falling back
 * to the backend's read_kvirt: a backend read of vmemmap may cost a
 * translation each time */
int tc_read_kernel(struct tc_ctx *c, uint64_t va, void *buf, size_t len);
/* struct page address of a physical address; 0 when unknown */
uint64_t tc_page_of(const struct tc_ctx *c, uint64_t pa);
/* the physical address a struct page stands for; TC_NO_ADDR when page is
 * not a struct page of vmemmap */
uint64_t tc_pa_of_page(const struct tc_ctx *c, uint64_t page);
/* the split page-table lock of the page holding pa: the spinlock_t in its
 * struct page (pmd_lockptr() -> ptlock_ptr(); v6.1 page.ptl, v6.6+
 * ptdesc.ptl; embedded, ALLOC_SPLIT_PTLOCKS is off without lockdep);
 * 0 when unknown */
uint64_t tc_ptlock_of(struct tc_ctx *c, uint64_t pa);
/* the walked table holding pa, or NULL */
const struct tc_table *tc_table_at(const struct tc_ctx *c, uint64_t pa);
/* number of entries that reference the table at pa (walked tables with
 * that origin); the first max of them are stored in out */
size_t tc_referrers(const struct tc_ctx *c, uint64_t pa,
		    const struct tc_table **out, size_t max);
/* the mm whose walk found t, its first VA, the table holding its entry */
struct tc_mm_stats *tc_tab_mm(const struct tc_ctx *c, const struct tc_table *t);
uint64_t tc_tab_va(const struct tc_ctx *c, const struct tc_table *t);
const struct tc_table *tc_tab_parent(const struct tc_ctx *c,
				     const struct tc_table *t);
int tc_bitset_test(const struct tc_bitset *b, uint64_t pa);
struct tc_mm_stats *tc_mm_of(struct tc_ctx *c, uint64_t mm);
/* -x: everything known about the table entry holding pa */
void tc_explain(struct tc_ctx *c, uint64_t pa, FILE *f);
/* -x in a -p/-m context (addr is then a user VA); -1 with c->err set */
int tc_explain_in(struct tc_ctx *c, const struct tc_opts *ctx, uint64_t addr,
		  FILE *f);
/* walk one VA: the deepest entry reached and, if mapped, the pa */
struct tc_lookup_result {
	uint64_t entry_pa, value, pa;
	int level, mapped;
};
int tc_lookup(struct tc_ctx *c, uint64_t mm, uint64_t va,
	      struct tc_lookup_result *r);
/* -v / -t line for one table (ring: the segment table of a deposit) */
void tc_print_table(struct tc_ctx *c, const struct tc_mm_stats *m, int lvl,
		    uint64_t pa, uint64_t va0, unsigned used, uint64_t ring);
/* translate a user VA of an mm the way the walker does; 0 on success */
int tc_translate(struct tc_ctx *c, uint64_t mm, uint64_t va, uint64_t *pa);

/* room for one more element of size bytes in *v (n in use, *cap
 * allocated); 0, or -1 when out of memory (*v unchanged) */
int tc_grow(void **v, size_t *cap, size_t n, size_t size);

/*
 * Brent's cycle detection for list walks: O(1) memory, finds a cycle
 * that does not pass through the start within a few times its length.
 * Call tc_cycle_step() with each node; it returns 1 on a repeat.
 */
struct tc_cycle {
	uint64_t saved;
	unsigned long power, lam;
};
void tc_cycle_init(struct tc_cycle *cy, uint64_t start);
int tc_cycle_step(struct tc_cycle *cy, uint64_t node);

/* deposit.c: page-table pages with a struct page each, and the generic
 * THP deposit list (mm/pgtable-generic.c), for the arches that use them */
enum tc_huge_pmd { TC_HUGE_PMD_NO, TC_HUGE_PMD_LEAF, TC_HUGE_PMD_SWAP };
struct tc_ptpages {
	/* the arch's: what a pmd entry v is -- a present huge leaf, a
	 * swap-format entry (THP migration), or neither (none, a table, a
	 * special or illegal entry); *pa: the frame of a leaf or entry */
	enum tc_huge_pmd (*huge_pmd)(const struct tc_ctx *c, uint64_t v, uint64_t *pa);
	/* the arch's signature of a user pte or pmd table whose struct page
	 * is not a page table */
	const struct tc_sig *not_pgtable;
	uint64_t linear_base;	/* __va(0): a table's kernel address */
	/* resolved by tc_ptpages_init(): struct page / ptdesc offsets (-1:
	 * not in the debuginfo), v6.9+ PGTY_table (-1: v6.1's inverted
	 * bits), the huge zero page (~0: none) */
	long pg_type, pg_lru, pg_huge_pte, pg_mapping, pgty_table;
	uint64_t huge_zero_pfn;
};
/* resolve pp's offsets (says once on stderr, or -v output, which checks
 * the dump's debuginfo leaves out); 0 */
int tc_ptpages_init(struct tc_ctx *c, struct tc_ptpages *pp);
/* after a user mm's walk: its pte and pmd tables are page tables, its
 * pmd tables' deposit rings hold one empty table per THP that needs one */
void tc_ptpages_check_mm(struct tc_ctx *c, struct tc_mm_stats *m,
			 const struct tc_ptpages *pp);

/* vma.c */
/* the VMAs of m into c->vmas, sorted; -1 when the tree is unreadable */
int tc_load_vmas(struct tc_ctx *c, struct tc_mm_stats *m);
/* the leaf entries of a maple tree from its root node; 0, or -1 when
 * the tree is not readable (*leaves is then untouched) */
int tc_maple_leaves(struct tc_ctx *c, uint64_t root, uint64_t **leaves, size_t *n);

/* inflight.c: 1 when the dump shows the operation in flight that makes
 * this state legal (it is then counted in stats.in_flight, and listed
 * with -v), 0 when it must be reported.  mapping: a leaf at va..va+size of
 * mm m, with vma the tree's VMA there (NULL: none covers it) */
int tc_inflight_mapping(struct tc_ctx *c, const struct tc_mm_stats *m,
			uint64_t va, uint64_t size, const struct tc_vma *vma);
/* a page of table fragments (kernel address kva, bytes long, fragments of
 * gran bytes) whose use count is excess above the fragments referenced:
 * 1 when that many unreferenced fragments of it are held by tasks (on a
 * kernel stack, or in the mmu_gather batch of mm on a stack) */
int tc_inflight_fragments(struct tc_ctx *c, uint64_t page_pa, uint64_t kva, uint64_t bytes,
			  uint64_t gran, uint64_t mm, unsigned excess);
/* a THP deposit ring of ring tables for the thp huge pmds of its table
 * (table_pa, kernel address kva, bytes long): 1 when they differ by one,
 * the pmd lock (a spinlock at kernel address lock; 0: unknown) is held
 * and a kernel stack holds the address of an entry of that table -- a
 * huge pmd being zapped, split or collapsed */
int tc_inflight_pmd_update(struct tc_ctx *c, uint64_t mm, uint64_t table_pa,
			   uint64_t kva, uint64_t bytes, uint64_t lock,
			   unsigned ring, unsigned thp);
void tc_inflight_mm_done(struct tc_ctx *c);
/* after the checks: count every table waiting in an RCU batch that no
 * entry references and no check counted */
void tc_inflight_rcu_tables(struct tc_ctx *c);
void tc_inflight_free(struct tc_ctx *c);
const struct tc_vma *tc_find_vma(const struct tc_ctx *c, uint64_t va);

/* findings.c */
void tc_print_text(struct tc_ctx *c, FILE *f);
void tc_print_json(struct tc_ctx *c, FILE *f);
void tc_print_sigs(FILE *f);
void tc_json_str(FILE *f, const char *s);
void tc_print_summary(struct tc_ctx *c, FILE *f);

/* Linux VMA flags (include/linux/mm.h, unchanged from v2.6 to v6.12):
 * #defines, so they are not in DWARF. */
#define TC_VM_READ	0x00000001ULL
#define TC_VM_WRITE	0x00000002ULL
#define TC_VM_EXEC	0x00000004ULL
#define TC_VM_SHARED	0x00000008ULL
#define TC_VM_PFNMAP	0x00000400ULL
#define TC_VM_IO	0x00004000ULL
#define TC_VM_HUGETLB	0x00400000ULL
#define TC_VM_MIXEDMAP	0x10000000ULL

#endif
