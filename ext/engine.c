/*
 * thpcheck walker core: every mm of the task list plus the kernel's
 * tables, every table, every entry.  Architecture knowledge lives behind
 * struct tc_arch; this file never names an architecture.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "tc.h"

#define TC_MAX_TASKS_DEFAULT (1u << 20)
#define TC_MAX_FINDINGS_DEFAULT 100000

/* one load and at most one byte swap: the walker loads every entry */
static uint64_t load_order(const void *p, int big_endian)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return big_endian ? __builtin_bswap64(v) : v;
#else
	return big_endian ? v : __builtin_bswap64(v);
#endif
}

uint64_t tc_load64(const struct tc_ctx *c, const void *p)
{
	return load_order(p, c->be->big_endian);
}

uint64_t tc_load_entry(const struct tc_ctx *c, const void *p)
{
	return load_order(p, c->arch->entries_big_endian || c->be->big_endian);
}

static uint32_t load32(const struct tc_ctx *c, const void *p)
{
	const unsigned char *b = p;
	uint32_t v = 0;
	int i;

	if (c->be->big_endian)
		for (i = 0; i < 4; i++)
			v = v << 8 | b[i];
	else
		for (i = 3; i >= 0; i--)
			v = v << 8 | b[i];
	return v;
}

#define BLOCK 4096ULL

/* a backend read; one that met a page left out of the dump is counted,
 * for tc_not_in_dump() */
static int counted_read(struct tc_ctx *c,
			int (*rd)(void *, uint64_t, void *, size_t),
			uint64_t addr, void *buf, size_t len)
{
	int r = rd(c->be->priv, addr, buf, len);

	if (r == TC_EXCLUDED)
		c->stats.excluded_reads++;
	return r;
}

int tc_read_pa_direct(struct tc_ctx *c, uint64_t pa, void *buf, size_t len)
{
	return counted_read(c, c->be->read_phys, pa, buf, len);
}

static int cached_read(struct tc_ctx *c, int phys, uint64_t addr, void *buf,
		       size_t len)
{
	uint64_t block = addr & ~(BLOCK - 1), tag = block | (phys ? 3 : 1);
	size_t slot = (size_t)((block / BLOCK) % TC_CACHE_BLOCKS);
	int (*rd)(void *, uint64_t, void *, size_t) =
		phys ? c->be->read_phys : c->be->read_kvirt;
	unsigned char *d;

	if (addr - block + len > BLOCK)
		return counted_read(c, rd, addr, buf, len);
	if (!c->cache.data) {
		c->cache.data = malloc(TC_CACHE_BLOCKS * BLOCK);
		if (!c->cache.data)
			return counted_read(c, rd, addr, buf, len);
	}
	d = c->cache.data + slot * BLOCK;
	if (c->cache.tag[slot] != tag) {
		c->cache.tag[slot] = 0;
		/* a block that is not wholly readable: read just the bytes */
		if (rd(c->be->priv, block, d, BLOCK) < 0)
			return counted_read(c, rd, addr, buf, len);
		c->cache.tag[slot] = tag;
	}
	memcpy(buf, d + (addr - block), len);
	return 0;
}

int tc_read_kv(struct tc_ctx *c, uint64_t va, void *buf, size_t len)
{
	return cached_read(c, 0, va, buf, len);
}

int tc_read_pa(struct tc_ctx *c, uint64_t pa, void *buf, size_t len)
{
	return cached_read(c, 1, pa, buf, len);
}

int tc_rd64(struct tc_ctx *c, uint64_t kva, uint64_t *v)
{
	unsigned char b[8];

	if (tc_read_kv(c, kva, b, 8) < 0)
		return -1;
	*v = tc_load64(c, b);
	return 0;
}

int tc_rd32(struct tc_ctx *c, uint64_t kva, uint32_t *v)
{
	unsigned char b[4];

	if (tc_read_kv(c, kva, b, 4) < 0)
		return -1;
	*v = load32(c, b);
	return 0;
}

const char *const tc_nid_names[TC_NID_N] = {
	"tables", "struct_pages", "kernel",
};
static const char *const nid_what[TC_NID_N] = {
	"page tables", "struct pages", "kernel structures",
};

int tc_not_in_dump(struct tc_ctx *c, uint64_t before, enum tc_nid_kind kind,
		   uint64_t addr, const char *skipped)
{
	const char **why = c->nid_skipped[kind];
	size_t i;

	if (c->stats.excluded_reads == before)
		return 0;
	if (!c->stats.not_in_dump[kind]++)
		c->nid_first[kind] = addr;
	for (i = 0; i < 4 && why[i] && strcmp(why[i], skipped); i++)
		;
	if (i < 4 && !why[i])
		why[i] = skipped;
	return 1;
}

/*
 * One NOT_IN_DUMP warning per kind of left-out page: a filtered dump is
 * not damaged, it holds less; what could not be checked is said once.
 */
static void report_not_in_dump(struct tc_ctx *c)
{
	int lvl = c->be->dump_level ? c->be->dump_level(c->be->priv) : -1;
	char how[48] = "its filter";
	int k;

	if (lvl >= 0)
		snprintf(how, sizeof(how), "makedumpfile -d %d", lvl);
	for (k = 0; k < TC_NID_N; k++) {
		const char *const *why = c->nid_skipped[k];

		if (c->stats.not_in_dump[k])
			tc_report(c, NULL, TC_SIG(NOT_IN_DUMP),
				  tc_at_none(c->stats.not_in_dump[k]),
				  "%llu %s left out of the dump (%s), the first at %#llx; skipped: %s%s%s%s%s%s%s",
				  (unsigned long long)c->stats.not_in_dump[k],
				  nid_what[k], how,
				  (unsigned long long)c->nid_first[k], why[0],
				  why[1] ? "; " : "", why[1] ? why[1] : "",
				  why[2] ? "; " : "", why[2] ? why[2] : "",
				  why[3] ? "; " : "", why[3] ? why[3] : "");
	}
}

long tc_off(struct tc_ctx *c, const char *type, const char *member)
{
	return c->be->member_offset(c->be->priv, type, member);
}

/* ------------------------------------------------------------ findings */

static struct tc_mm_stats *mm_stats_of(struct tc_ctx *c, uint64_t mm);

struct tc_mm_stats *tc_mm_of(struct tc_ctx *c, uint64_t mm)
{
	return mm_stats_of(c, mm);
}

void tc_report(struct tc_ctx *c, struct tc_mm_stats *m,
	       const struct tc_sig *sig, struct tc_place at,
	       const char *fmt, ...)
{
	struct tc_findings *F = &c->findings;
	struct tc_finding *f;
	va_list ap;

	if (m)
		m->findings++;
	if (F->n >= c->opts.max_findings) {
		F->dropped++;
		return;
	}
	if (tc_grow((void **)&F->v, &F->cap, F->n, sizeof(*F->v)) < 0) {
		F->dropped++;
		return;
	}
	f = &F->v[F->n++];
	memset(f, 0, sizeof(*f));
	f->sig = sig;
	f->count = 1;
	f->mm = m ? m->mm : 0;
	f->pid = (m && m->npids) ? m->pids[0] : -1;
	if (m)
		memcpy(f->comm, m->comm, sizeof(f->comm));
	f->va = at.va;
	f->level = at.level >= 0 ? c->levels[at.level].name : NULL;
	f->table_pa = at.table_pa;
	f->index = at.index;
	f->entry_pa = (at.table_pa != TC_NO_ADDR && at.index >= 0) ?
		at.table_pa + 8 * (uint64_t)at.index : TC_NO_ADDR;
	f->value = at.value;
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
}

size_t tc_fold_entry_findings(struct tc_ctx *c, uint64_t pa, uint64_t bytes)
{
	struct tc_findings *F = &c->findings;
	size_t i, j, k, folded = 0;

	for (i = j = 0; i < F->n; i++) {
		const struct tc_finding *f = &F->v[i];

		if (f->index >= 0 && f->table_pa != TC_NO_ADDR && f->table_pa >= pa &&
		    f->table_pa < pa + bytes) {
			for (k = 0; k < c->nmms; k++)
				if (c->mms[k].mm == f->mm && c->mms[k].findings)
					c->mms[k].findings--;
			folded++;
			continue;
		}
		if (j != i)
			F->v[j] = F->v[i];
		j++;
	}
	F->n = j;
	return folded;
}

int tc_grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	nv = realloc(*v, ncap * size);
	if (!nv)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

/* ------------------------------------------------------------ cycles */

void tc_cycle_init(struct tc_cycle *cy, uint64_t start)
{
	cy->saved = start;
	cy->power = cy->lam = 1;
}

int tc_cycle_step(struct tc_cycle *cy, uint64_t node)
{
	if (node == cy->saved)
		return 1;
	if (cy->lam++ == cy->power) {
		cy->saved = node;
		cy->power *= 2;
		cy->lam = 1;
	}
	return 0;
}

/* ------------------------------------------------------------ mm list */

static struct tc_mm_stats *mm_stats_of(struct tc_ctx *c, uint64_t mm)
{
	size_t i;

	for (i = 0; i < c->nmms; i++)
		if (c->mms[i].mm == mm)
			return &c->mms[i];
	if (tc_grow((void **)&c->mms, &c->capmms, c->nmms, sizeof(*c->mms)) < 0)
		return NULL;
	memset(&c->mms[c->nmms], 0, sizeof(c->mms[0]));
	c->mms[c->nmms].mm = mm;
	return &c->mms[c->nmms++];
}

static void add_pid(struct tc_mm_stats *m, int pid, const char *comm)
{
	if (!m->npids)
		memcpy(m->comm, comm, sizeof(m->comm));
	if (m->npids < (int)(sizeof(m->pids) / sizeof(m->pids[0])))
		m->pids[m->npids++] = pid;
	else
		m->nthreads_more++;
}

/*
 * Collect each distinct mm of the task list (thread-group leaders are
 * enough: threads share their leader's mm).  The walk is bounded by
 * max_tasks and stops at the first unreadable or self-looping link, with
 * a LIST_CORRUPT finding naming that link.
 */
static int collect_mms(struct tc_ctx *c)
{
	uint64_t head = c->init_task + c->off.task_tasks, pos, next;
	struct tc_cycle cy;
	size_t n = 0;

	if (tc_rd64(c, head, &pos) < 0) {
		snprintf(c->err, sizeof(c->err),
			 "cannot read init_task.tasks at 0x%llx",
			 (unsigned long long)head);
		return -1;
	}
	tc_cycle_init(&cy, head);
	while (pos != head) {
		uint64_t task = pos - c->off.task_tasks, mm;
		uint32_t pid;
		char comm[17] = "";
		int cycle = tc_cycle_step(&cy, pos);

		if (cycle || ++n > c->opts.max_tasks ||
		    tc_rd64(c, pos, &next) < 0) {
			tc_report(c, NULL, TC_SIG(LIST_CORRUPT),
				  tc_at_none(pos), "task list: %s at task 0x%llx after %zu tasks",
				  cycle ? "cycle that does not return to init_task" :
				  n > c->opts.max_tasks ? "too long" :
				  "unreadable link", (unsigned long long)task, n);
			break;
		}
		if (tc_rd64(c, task + c->off.task_mm, &mm) == 0 && mm &&
		    tc_rd32(c, task + c->off.task_tgid, &pid) == 0) {
			struct tc_mm_stats *m;

			tc_read_kv(c, task + c->off.task_comm, comm, 16);
			comm[16] = 0;
			m = mm_stats_of(c, mm);
			if (m)
				add_pid(m, (int)pid, comm);
		}
		if (next == pos)
			break;
		pos = next;
	}
	return 0;
}

/* ------------------------------------------------------------ walk */

struct walk {
	struct tc_ctx *c;
	struct tc_mm_stats *m;	/* the mm whose tables these are */
	unsigned top_first, top_end;	/* the top table's entries walked */
	unsigned char *buf[8];	/* one table buffer per level */
	size_t tab[8];		/* index in c->tabs of the table per level */
};

static size_t note_table(struct tc_ctx *c, uint64_t pa, int lvl,
			 uint64_t entry_pa)
{
	struct tc_table *t;

	if (tc_grow((void **)&c->tabs, &c->captabs, c->ntabs, sizeof(*c->tabs)) < 0)
		return SIZE_MAX;
	t = &c->tabs[c->ntabs];
	t->pa = pa;
	t->ref = (uint64_t)(lvl & 7) << 48;
	if (entry_pa == TC_NO_ADDR || entry_pa >> 51)
		t->ref |= TC_REF_TOP;
	else
		t->ref |= entry_pa >> 3;
	return c->ntabs++;
}

static void walk_table(struct walk *w, int lvl, uint64_t pa, uint64_t va0,
		       uint64_t entry_pa);

void tc_print_table(struct tc_ctx *c, const struct tc_mm_stats *m, int lvl,
		    uint64_t pa, uint64_t va0, unsigned used, uint64_t ring)
{
	const struct tc_level *L = &c->levels[lvl];
	FILE *f = c->opts.out;

	if (c->opts.inventory) {
		uint64_t page = tc_page_of(c, pa), page_pa = 0;
		int known = page && (tc_translate(c, 0, page, &page_pa) == 0 ||
				     (c->be->kvirt_to_phys &&
				      c->be->kvirt_to_phys(c->be->priv, page, &page_pa) == 0));

		fprintf(f, "{\"pa\":\"0x%llx\",\"level\":\"%s\",\"mm\":\"0x%llx\","
			"\"pid\":%d,\"va\":\"0x%llx\",\"used\":%u,"
			"\"page\":\"0x%llx\",\"page_pa\":",
			(unsigned long long)pa, L->name,
			(unsigned long long)m->mm, m->npids ? m->pids[0] : -1,
			(unsigned long long)va0, used, (unsigned long long)page);
		if (known)
			fprintf(f, "\"0x%llx\"", (unsigned long long)page_pa);
		else
			fprintf(f, "null");
		if (ring)
			fprintf(f, ",\"deposited_on\":\"0x%llx\"",
				(unsigned long long)ring);
		fprintf(f, "}\n");
	}
	if (c->opts.verbose)
		fprintf(f, "  %-4s %-3s table %#14llx  va %#18llx  %4u/%-4u used%s\n",
			L->name, L->hw, (unsigned long long)pa,
			(unsigned long long)va0, used, L->entries,
			ring ? "  (deposited)" : "");
}

static int is_last_level(const struct tc_ctx *c, int lvl)
{
	return lvl == c->nlevels - 1;
}

/*
 * Is the frame of a large leaf a hugetlb folio?  1 or 0 from its struct
 * page, -1 when the dump cannot tell (no struct page, no layout): the VMA
 * decides then.  The page says it even when the VMA is already gone
 * (munmap in flight), where the VMA flags cannot.
 *   v6.1:  folio_test_hugetlb(): page[1].compound_dtor == HUGETLB_PAGE_DTOR
 *   v6.9+: a page type, page_type >> 24 == PGTY_hugetlb
 *          (d99e3140a4d3 "mm: turn folio_test_hugetlb into a PageType")
 */
static int frame_is_hugetlb(struct tc_ctx *c, uint64_t pa)
{
	uint64_t page = tc_page_of(c, pa);
	uint32_t w;
	unsigned char dtor;

	if (!page)
		return -1;
	if (c->pgty_hugetlb >= 0 && c->off.page_type >= 0) {
		if (tc_rd32(c, page + c->off.page_type, &w) < 0)
			return -1;
		return (w >> 24) == (uint32_t)c->pgty_hugetlb;
	}
	if (c->hugetlb_dtor >= 0 && c->off.page_compound_dtor >= 0) {
		if (tc_read_kv(c, page + c->page_size_struct + c->off.page_compound_dtor,
			       &dtor, 1) < 0)
			return -1;
		return dtor == c->hugetlb_dtor;
	}
	return -1;
}

/* A large leaf above the pte level: THP or hugetlb, told apart by the
 * struct page, else by the VMA. */
static int check_large_leaf(struct tc_ctx *c, struct tc_mm_stats *m, int lvl,
			    uint64_t va, uint64_t size, uint64_t pa, int idx,
			    uint64_t v, const struct tc_entry *e)
{
	const struct tc_vma *vma;
	int thp = 0, hugetlb;

	if (m->kernel || !c->vmas_known)
		return 0;
	vma = tc_find_vma(c, va);
	hugetlb = frame_is_hugetlb(c, e->pa);
	if (hugetlb < 0)
		hugetlb = vma && (vma->flags & TC_VM_HUGETLB);
	if (hugetlb) {
		if (lvl == c->nlevels - 2)
			m->hugetlb_pmds++;
		else
			m->huge_puds++;
	} else if (lvl == c->nlevels - 2) {
		m->thp_pmds++;
		thp = 1;
		/* vma_adjust_trans_huge() splits a huge pmd that a VMA
		 * boundary would cut, so a THP always lies inside one VMA
		 * (mm/huge_memory.c, v4.5+). */
		if (!vma || vma->start > va || vma->end < va + size) {
			if (!tc_inflight_mapping(c, m, va, size, vma))
				tc_report(c, m, TC_SIG(THP_IN_BAD_VMA),
					  tc_at_entry(lvl, pa, idx, v, va),
					  vma ? "THP %#llx-%#llx crosses VMA %#llx-%#llx" :
					  "THP %#llx-%#llx lies outside every VMA",
					  (unsigned long long)va,
					  (unsigned long long)(va + size),
					  (unsigned long long)(vma ? vma->start : 0),
					  (unsigned long long)(vma ? vma->end : 0));
		} else if (vma->flags & (TC_VM_PFNMAP | TC_VM_IO))
			tc_report(c, m, TC_SIG(THP_IN_BAD_VMA),
				  tc_at_entry(lvl, pa, idx, v, va),
				  "THP in a VM_PFNMAP/VM_IO VMA (flags %#llx)",
				  (unsigned long long)vma->flags);
	} else {
		m->huge_puds++;
	}
	if (vma && (e->flags & TC_E_WRITE) && !(vma->flags & TC_VM_WRITE) &&
	    !tc_inflight_mapping(c, m, va, size, vma))
		tc_report(c, m, TC_SIG(PTE_WRITE_IN_READONLY_VMA),
			  tc_at_entry(lvl, pa, idx, v, va),
			  "writable large entry in VMA %#llx-%#llx without VM_WRITE (flags %#llx)",
			  (unsigned long long)vma->start,
			  (unsigned long long)vma->end,
			  (unsigned long long)vma->flags);
	return thp;
}

/*
 * One munmap in flight leaves up to a table of present ptes outside every
 * VMA: consecutive ones of one table are one finding with a count.
 */
static int extend_outside_run(struct tc_ctx *c, const struct tc_mm_stats *m,
			      uint64_t va, uint64_t pa)
{
	struct tc_finding *f;
	uint64_t page = 1ULL << c->page_shift;

	if (!c->findings.n)
		return 0;
	f = &c->findings.v[c->findings.n - 1];
	if (f->sig != TC_SIG(PTE_OUTSIDE_VMA) || f->table_pa != pa ||
	    f->mm != m->mm || f->va + f->count * page != va)
		return 0;
	f->count++;
	snprintf(f->detail, sizeof(f->detail),
		 "%llu present ptes at %#llx-%#llx, which no VMA covers",
		 (unsigned long long)f->count, (unsigned long long)f->va,
		 (unsigned long long)(va + page));
	return 1;
}

static void check_pte_leaf(struct tc_ctx *c, struct tc_mm_stats *m, int lvl,
			   uint64_t va, uint64_t pa, int idx, uint64_t v,
			   const struct tc_entry *e)
{
	const struct tc_vma *vma;
	uint64_t page = 1ULL << c->page_shift;

	m->present_ptes++;
	if (e->flags & TC_E_SPECIAL)
		m->special_ptes++;
	if (m->kernel || !c->vmas_known)
		return;
	vma = tc_find_vma(c, va);
	if (!vma) {
		if (tc_inflight_mapping(c, m, va, page, NULL) || extend_outside_run(c, m, va, pa))
			return;
		tc_report(c, m, TC_SIG(PTE_OUTSIDE_VMA),
			  tc_at_entry(lvl, pa, idx, v, va),
			  "present pte at %#llx, which no VMA covers",
			  (unsigned long long)va);
		return;
	}
	if ((e->flags & TC_E_WRITE) && !(vma->flags & TC_VM_WRITE) &&
	    !tc_inflight_mapping(c, m, va, page, vma))
		tc_report(c, m, TC_SIG(PTE_WRITE_IN_READONLY_VMA),
			  tc_at_entry(lvl, pa, idx, v, va),
			  "writable pte in VMA %#llx-%#llx without VM_WRITE (flags %#llx)",
			  (unsigned long long)vma->start,
			  (unsigned long long)vma->end,
			  (unsigned long long)vma->flags);
}

static void visit_entry(struct walk *w, int lvl, uint64_t table_pa, int idx,
			uint64_t v, uint64_t va, const struct tc_entry *e)
{
	struct tc_ctx *c = w->c;
	const struct tc_level *L = &c->levels[lvl];

	switch (e->kind) {
	case TC_NONE:
		break;
	case TC_TABLE:
		if (is_last_level(c, lvl)) {
			tc_report(c, w->m, TC_SIG(READ_ERROR),
				  tc_at_entry(lvl, table_pa, idx, v, va),
				  "decoder returned a table at the last level");
			break;
		}
		walk_table(w, lvl + 1, e->pa, va, table_pa + 8ULL * (unsigned)idx);
		break;
	case TC_LEAF:
		if (c->opts.leaves && !w->m->kernel)
			fprintf(c->opts.out, "{\"pid\":%d,\"va\":\"0x%llx\","
				"\"pa\":\"0x%llx\",\"size\":%llu}\n",
				w->m->npids ? w->m->pids[0] : -1,
				(unsigned long long)va, (unsigned long long)e->pa,
				1ULL << L->shift);
		if (is_last_level(c, lvl))
			check_pte_leaf(c, w->m, lvl, va, table_pa, idx, v, e);
		else if (check_large_leaf(c, w->m, lvl, va, 1ULL << L->shift,
					  table_pa, idx, v, e) &&
			 w->tab[lvl] != SIZE_MAX &&
			 tc_tab_thp(&c->tabs[w->tab[lvl]]) < TC_REF_THP_MAX)
			c->tabs[w->tab[lvl]].ref += TC_REF_THP1;
		break;
	case TC_SWAP:
		if (is_last_level(c, lvl))
			w->m->swap_ptes++;
		break;
	case TC_ILLEGAL:
		tc_report(c, w->m, e->sig,
			  tc_at_entry(lvl, table_pa, idx, v, va), "%s", e->why);
		break;
	}
}

static unsigned count_used(struct tc_ctx *c, const struct tc_mm_stats *m,
			   int lvl, const unsigned char *buf,
			   uint64_t va0)
{
	const struct tc_level *L = &c->levels[lvl];
	unsigned i, used = 0;

	for (i = 0; i < L->entries; i++) {
		struct tc_entry e;

		c->arch->decode(c, m, lvl, va0 + ((uint64_t)i << L->shift),
				tc_load_entry(c, buf + 8 * i), &e);
		used += e.kind != TC_NONE;
	}
	return used;
}

static void walk_table(struct walk *w, int lvl, uint64_t pa, uint64_t va0,
		       uint64_t entry_pa)
{
	struct tc_ctx *c = w->c;
	const struct tc_level *L = &c->levels[lvl];
	unsigned char *buf = w->buf[lvl];
	uint64_t before = c->stats.excluded_reads;
	unsigned i, i0 = 0, i1 = L->entries;

	if (entry_pa == TC_NO_ADDR) {
		i0 = w->top_first;
		i1 = w->top_end;
	}
	if (tc_read_pa_direct(c, pa, buf, L->table_bytes) < 0) {
		if (tc_not_in_dump(c, before, TC_NID_TABLE, pa,
				   "the entries of those tables and the tables below them"))
			return;
		c->stats.read_errors++;
		tc_report(c, w->m, TC_SIG(READ_ERROR), tc_at_table(lvl, pa, 0, va0),
			  "%s table at %#llx is not in the dump",
			  L->name, (unsigned long long)pa);
		return;
	}
	w->m->tables[lvl]++;
	c->stats.entries += i1 - i0;
	w->tab[lvl] = note_table(c, pa, lvl, entry_pa);
	/* listed before its children, so -v reads top-down */
	if (c->opts.inventory || c->opts.verbose)
		tc_print_table(c, w->m, lvl, pa, va0,
			       count_used(c, w->m, lvl, buf, va0), 0);
	for (i = i0; i < i1; i++) {
		uint64_t v = tc_load_entry(c, buf + 8 * i);
		uint64_t va = va0 + ((uint64_t)i << L->shift);
		struct tc_entry e;

		if (v == L->none) {
			if (is_last_level(c, lvl))
				w->m->none_ptes++;
			continue;
		}
		c->arch->decode(c, w->m, lvl, va, v, &e);
		if (e.kind == TC_NONE) {
			if (is_last_level(c, lvl))
				w->m->none_ptes++;
			continue;
		}
		/* children use the deeper buffers; buf stays valid */
		visit_entry(w, lvl, pa, (int)i, v, va, &e);
	}
}

static void sort_tables(struct tc_table *v, size_t n);
static void note_seen(struct tc_ctx *c, const struct tc_mm_stats *m);

static void walk_mm(struct tc_ctx *c, struct tc_mm_stats *m)
{
	struct walk w;
	struct tc_top top = { 0 };
	uint64_t before;
	int i;

	c->vmas_known = 0;
	c->nvmas = 0;
	if (!m->kernel && tc_load_vmas(c, m) == 0)
		c->vmas_known = 1;
	m->vmas = c->nvmas;
	before = c->stats.excluded_reads;
	if (c->arch->mm_top(c, m->kernel ? 0 : m->mm, &top) < 0) {
		if (!tc_not_in_dump(c, before, TC_NID_KERNEL, m->mm,
				    "the page tables of their mms"))
			tc_report(c, m, TC_SIG(READ_ERROR), tc_at_none(0),
				  "cannot find the top page table of mm %#llx: %s",
				  (unsigned long long)m->mm, c->err);
		return;
	}
	memset(&w, 0, sizeof(w));
	w.c = c;
	w.m = m;
	w.top_first = top.count ? top.first : 0;
	w.top_end = top.count ? top.first + top.count : c->levels[top.level].entries;
	for (i = 0; i < c->nlevels; i++) {
		w.buf[i] = malloc(c->levels[i].table_bytes);
		if (!w.buf[i])
			goto out;
	}
	m->tab_first = c->ntabs;
	m->top_va = top.va_base;
	walk_table(&w, top.level, top.table_pa, top.va_base, TC_NO_ADDR);
	m->tab_n = c->ntabs - m->tab_first;
	sort_tables(c->tabs + m->tab_first, m->tab_n);
	note_seen(c, m);
	if (c->arch->check_mm)
		c->arch->check_mm(c, m);
	tc_inflight_mm_done(c);
out:
	for (i = 0; i < c->nlevels; i++)
		free(w.buf[i]);
}

/* ------------------------------------------------------------ table index */

/* sparse bitmap: 16 MiB regions, each a bitmap at the granule */
#define BITSET_REGION_SHIFT 24

static size_t bitset_slot(const struct tc_bitset *b, uint64_t key)
{
	size_t mask = b->cap - 1;
	size_t i = (size_t)(key * 0x9e3779b97f4a7c15ULL) & mask;

	while (b->keys[i] && b->keys[i] != key)
		i = (i + 1) & mask;
	return i;
}

static int bitset_grow(struct tc_bitset *b)
{
	struct tc_bitset n = *b;
	size_t i;

	n.cap = b->cap ? b->cap * 2 : 64;
	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.chunks = calloc(n.cap, sizeof(*n.chunks));
	if (!n.keys || !n.chunks) {
		free(n.keys);
		free(n.chunks);
		return -1;
	}
	for (i = 0; i < b->cap; i++)
		if (b->keys[i]) {
			size_t j = bitset_slot(&n, b->keys[i]);

			n.keys[j] = b->keys[i];
			n.chunks[j] = b->chunks[i];
		}
	free(b->keys);
	free(b->chunks);
	*b = n;
	return 0;
}

static unsigned char *bitset_chunk(const struct tc_bitset *b, uint64_t pa)
{
	size_t i;

	if (!b->cap)
		return NULL;
	i = bitset_slot(b, (pa >> BITSET_REGION_SHIFT) + 1);
	return b->keys[i] ? b->chunks[i] : NULL;
}

static size_t bitset_bit(const struct tc_bitset *b, uint64_t pa)
{
	return (size_t)((pa & ((1ULL << BITSET_REGION_SHIFT) - 1)) >> b->gshift);
}

int tc_bitset_test(const struct tc_bitset *b, uint64_t pa)
{
	const unsigned char *ch = bitset_chunk(b, pa);
	size_t bit = ch ? bitset_bit(b, pa) : 0;

	return ch && (ch[bit / 8] >> (bit % 8) & 1);
}

/* set the bit of pa; returns its old value, -1 when out of memory */
static int bitset_test_set(struct tc_bitset *b, uint64_t pa)
{
	uint64_t key = (pa >> BITSET_REGION_SHIFT) + 1;
	unsigned char *ch;
	size_t i, bit;
	int old;

	if (2 * (b->n + 1) > b->cap && bitset_grow(b) < 0)
		return -1;
	i = bitset_slot(b, key);
	if (!b->keys[i]) {
		ch = calloc(1, ((size_t)1 << (BITSET_REGION_SHIFT - b->gshift)) / 8);
		if (!ch)
			return -1;
		b->keys[i] = key;
		b->chunks[i] = ch;
		b->n++;
	}
	ch = b->chunks[i];
	bit = bitset_bit(b, pa);
	old = ch[bit / 8] >> (bit % 8) & 1;
	ch[bit / 8] |= (unsigned char)(1u << (bit % 8));
	return old;
}

static void bitset_free(struct tc_bitset *b)
{
	size_t i;

	for (i = 0; i < b->cap; i++)
		free(b->chunks[i]);
	free(b->keys);
	free(b->chunks);
	b->keys = NULL;
	b->chunks = NULL;
	b->cap = b->n = 0;
}

static int table_less(const struct tc_table *x, const struct tc_table *y)
{
	return x->pa != y->pa ? x->pa < y->pa : x->ref < y->ref;
}

static void sift_down(struct tc_table *v, size_t i, size_t n)
{
	for (;;) {
		size_t k = 2 * i + 1;
		struct tc_table t;

		if (k >= n)
			return;
		if (k + 1 < n && table_less(&v[k], &v[k + 1]))
			k++;
		if (!table_less(&v[i], &v[k]))
			return;
		t = v[i];
		v[i] = v[k];
		v[k] = t;
		i = k;
	}
}

/* in place: qsort() may allocate a copy of the whole slice (glibc's
 * merge sort), which would double the engine's peak memory */
static void sort_tables(struct tc_table *v, size_t n)
{
	size_t i;

	for (i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	while (n > 1) {
		struct tc_table t = v[0];

		v[0] = v[--n];
		v[n] = t;
		sift_down(v, 0, n);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Record the mm's table origins; an origin seen before (in this mm or
 * an earlier one) is a TABLE_MULTI_REF candidate. */
static void note_seen(struct tc_ctx *c, const struct tc_mm_stats *m)
{
	size_t i;

	for (i = m->tab_first; i < m->tab_first + m->tab_n; i++) {
		uint64_t pa = c->tabs[i].pa;

		if (bitset_test_set(&c->seen, pa) != 1)
			continue;
		if (tc_grow((void **)&c->multi, &c->capmulti, c->nmulti,
			    sizeof(*c->multi)) < 0)
			return;
		c->multi[c->nmulti++] = pa;
	}
}

/* first record of slice [lo, hi) with pa >= key */
static size_t lower_bound(const struct tc_table *v, size_t lo, size_t hi,
			  uint64_t key)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].pa < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t tc_referrers(const struct tc_ctx *c, uint64_t pa,
		    const struct tc_table **out, size_t max)
{
	size_t i, k, n = 0;

	if (!tc_bitset_test(&c->seen, pa))
		return 0;
	for (i = 0; i < c->nmms; i++) {
		const struct tc_mm_stats *m = &c->mms[i];
		size_t end = m->tab_first + m->tab_n;

		/* a top table is no entry's referent */
		for (k = lower_bound(c->tabs, m->tab_first, end, pa);
		     k < end && c->tabs[k].pa == pa; k++) {
			if (c->tabs[k].ref & TC_REF_TOP)
				continue;
			if (n < max)
				out[n] = &c->tabs[k];
			n++;
		}
	}
	return n;
}

struct tc_mm_stats *tc_tab_mm(const struct tc_ctx *c, const struct tc_table *t)
{
	size_t i, k = (size_t)(t - c->tabs);

	for (i = 0; i < c->nmms; i++)
		if (k >= c->mms[i].tab_first &&
		    k < c->mms[i].tab_first + c->mms[i].tab_n)
			return &c->mms[i];
	return NULL;
}

static uint64_t max_table_bytes(const struct tc_ctx *c)
{
	uint64_t m = 0;
	int l;

	for (l = 0; l < c->nlevels; l++)
		if (c->levels[l].table_bytes > m)
			m = c->levels[l].table_bytes;
	return m;
}

/* the table of level lvl in slice [lo, hi) that holds pa: among the
 * tables that start at most one table size below pa */
static const struct tc_table *holder(const struct tc_ctx *c, size_t lo,
				     size_t hi, uint64_t pa, int lvl)
{
	size_t k = lower_bound(c->tabs, lo, hi, pa + 1);
	uint64_t span = max_table_bytes(c);

	while (k-- > lo) {
		const struct tc_table *t = &c->tabs[k];
		int l = tc_tab_level(t);

		if (pa - t->pa >= span)
			break;
		if ((lvl < 0 || l == lvl) && pa < t->pa + c->levels[l].table_bytes)
			return t;
	}
	return NULL;
}

const struct tc_table *tc_tab_parent(const struct tc_ctx *c,
				     const struct tc_table *t)
{
	const struct tc_mm_stats *m = tc_tab_mm(c, t);
	uint64_t e = tc_tab_entry_pa(t);

	if (!m || e == TC_NO_ADDR || tc_tab_level(t) == 0)
		return NULL;
	return holder(c, m->tab_first, m->tab_first + m->tab_n, e,
		      tc_tab_level(t) - 1);
}

/* each step goes one level up, so this ends */
uint64_t tc_tab_va(const struct tc_ctx *c, const struct tc_table *t)
{
	const struct tc_table *p = tc_tab_parent(c, t);
	const struct tc_mm_stats *m;
	int pl;

	if (!p) {
		m = tc_tab_mm(c, t);
		return m ? m->top_va : 0;
	}
	pl = tc_tab_level(p);
	return tc_tab_va(c, p) +
	       ((tc_tab_entry_pa(t) - p->pa) / 8 << c->levels[pl].shift);
}

const struct tc_table *tc_table_at(const struct tc_ctx *c, uint64_t pa)
{
	size_t i;

	for (i = 0; i < c->nmms; i++) {
		const struct tc_table *t = holder(c, c->mms[i].tab_first,
						  c->mms[i].tab_first + c->mms[i].tab_n,
						  pa, -1);
		if (t)
			return t;
	}
	return NULL;
}

/* ------------------------------------------------------------ multi-ref */

static void report_multi_ref(struct tc_ctx *c, const struct tc_table *r,
			     const struct tc_table *o, size_t n)
{
	const struct tc_table *rp = tc_tab_parent(c, r), *op = tc_tab_parent(c, o);
	uint64_t re = tc_tab_entry_pa(r), oe = tc_tab_entry_pa(o), v = 0;
	const struct tc_mm_stats *om = tc_tab_mm(c, o);
	unsigned char b[8];
	int lvl = tc_tab_level(r);

	if (re != TC_NO_ADDR && tc_read_pa_direct(c, re, b, 8) == 0)
		v = tc_load_entry(c, b);
	tc_report(c, tc_tab_mm(c, r), TC_SIG(TABLE_MULTI_REF),
		  tc_at_entry(lvl > 0 ? lvl - 1 : -1, rp ? rp->pa : re, rp ? (int)((re - rp->pa) / 8) : -1, v, tc_tab_va(c, r)),
		  "%s table %#llx is referenced %zu times; also by %s table %#llx[%d] (va %#llx, mm %#llx)",
		  c->levels[lvl].name, (unsigned long long)r->pa, n,
		  lvl > 0 ? c->levels[lvl - 1].name : "top",
		  (unsigned long long)(op ? op->pa : oe),
		  op ? (int)((oe - op->pa) / 8) : -1,
		  (unsigned long long)tc_tab_va(c, o),
		  (unsigned long long)(om ? om->mm : 0));
}

/* Every entry that shares its table with another entry is reported, so
 * the finding names each referrer (s390 has no pmd-table sharing). */
/* every referrer of a shared table (of the first max stored in r) is
 * one the arch shares on purpose */
static int shared_by_design(const struct tc_ctx *c, const struct tc_table **r,
			    size_t n, size_t max)
{
	size_t k;

	if (!c->arch->shared_by_design)
		return 0;
	for (k = 0; k < n && k < max; k++)
		if (!c->arch->shared_by_design(c, r[k]))
			return 0;
	return 1;
}

static void check_multi_ref(struct tc_ctx *c)
{
	const struct tc_table *r[64];
	size_t i, k, n;

	if (c->nmulti > 1)
		qsort(c->multi, c->nmulti, sizeof(c->multi[0]), cmp_u64);
	for (i = 0; i < c->nmulti; i++) {
		if (i && c->multi[i] == c->multi[i - 1])
			continue;
		n = tc_referrers(c, c->multi[i], r, 64);
		if (shared_by_design(c, r, n, 64))
			continue;
		for (k = 0; k < n && k < 64 && n > 1; k++)
			report_multi_ref(c, r[k], r[k ? 0 : 1], n);
	}
}

/* ------------------------------------------------------------ setup */

static int need_off(struct tc_ctx *c, long *dst, const char *type,
		    const char *member)
{
	*dst = tc_off(c, type, member);
	if (*dst < 0) {
		snprintf(c->err, sizeof(c->err),
			 "debuginfo lacks %s.%s", type, member);
		return -1;
	}
	return 0;
}

static int resolve_offsets(struct tc_ctx *c)
{
	if (need_off(c, &c->off.task_tasks, "task_struct", "tasks") ||
	    need_off(c, &c->off.task_mm, "task_struct", "mm") ||
	    need_off(c, &c->off.task_pid, "task_struct", "pid") ||
	    need_off(c, &c->off.task_tgid, "task_struct", "tgid") ||
	    need_off(c, &c->off.task_comm, "task_struct", "comm") ||
	    need_off(c, &c->off.mm_pgd, "mm_struct", "pgd") ||
	    need_off(c, &c->off.vma_start, "vm_area_struct", "vm_start") ||
	    need_off(c, &c->off.vma_end, "vm_area_struct", "vm_end") ||
	    need_off(c, &c->off.vma_flags, "vm_area_struct", "vm_flags"))
		return -1;
	/* v6.1 replaced the VMA list by a maple tree (d4af56c5c7c6) */
	c->off.mm_mt = tc_off(c, "mm_struct", "mm_mt");
	c->off.mm_mmap = c->off.vma_next = -1;
	if (c->off.mm_mt < 0) {
		c->off.mm_mmap = tc_off(c, "mm_struct", "mmap");
		c->off.vma_next = tc_off(c, "vm_area_struct", "vm_next");
	}
	if (c->off.mm_mt >= 0) {
		if (need_off(c, &c->off.mt_root, "maple_tree", "ma_root") ||
		    need_off(c, &c->off.mn_slot64, "maple_node", "mr64.slot") ||
		    need_off(c, &c->off.mn_pivot64, "maple_node", "mr64.pivot") ||
		    need_off(c, &c->off.mn_slota, "maple_node", "ma64.slot") ||
		    need_off(c, &c->off.mn_pivota, "maple_node", "ma64.pivot"))
			return -1;
	} else if (c->off.mm_mmap < 0 || c->off.vma_next < 0) {
		snprintf(c->err, sizeof(c->err),
			 "debuginfo has neither mm_struct.mm_mt nor mm_struct.mmap");
		return -1;
	}
	return 0;
}

/* SPARSEMEM_VMEMMAP: struct page of pfn N at vmemmap + N * sizeof(page);
 * s390 and ppc64 keep the base in a variable named vmemmap. */
static void resolve_hugetlb(struct tc_ctx *c)
{
	c->off.page_type = tc_off(c, "page", "page_type");
	c->off.page_compound_dtor = tc_off(c, "page", "compound_dtor");
	/* page types live in the top byte; a debugger that reads the
	 * enumerator as a signed char gives 0xf4 as -12 */
	if (c->be->enum_value(c->be->priv, "PGTY_hugetlb", &c->pgty_hugetlb) < 0)
		c->pgty_hugetlb = -1;
	else
		c->pgty_hugetlb &= 0xff;
	if (c->be->enum_value(c->be->priv, "HUGETLB_PAGE_DTOR", &c->hugetlb_dtor) < 0)
		c->hugetlb_dtor = -1;
}

static void resolve_vmemmap(struct tc_ctx *c)
{
	uint64_t sym;

	c->page_size_struct = c->be->type_size(c->be->priv, "page");
	if (c->be->symbol(c->be->priv, "vmemmap", &sym) < 0 ||
	    tc_rd64(c, sym, &c->vmemmap) < 0)
		c->vmemmap = 0;
}

uint64_t tc_page_of(const struct tc_ctx *c, uint64_t pa)
{
	if (!c->vmemmap || c->page_size_struct <= 0)
		return 0;
	return c->vmemmap + (pa >> c->page_shift) * (uint64_t)c->page_size_struct;
}

uint64_t tc_pa_of_page(const struct tc_ctx *c, uint64_t page)
{
	if (!c->vmemmap || c->page_size_struct <= 0 || page < c->vmemmap ||
	    (page - c->vmemmap) % (uint64_t)c->page_size_struct)
		return TC_NO_ADDR;
	return (page - c->vmemmap) / (uint64_t)c->page_size_struct << c->page_shift;
}

uint64_t tc_ptlock_of(struct tc_ctx *c, uint64_t pa)
{
	uint64_t page = tc_page_of(c, pa);
	long off = tc_off(c, "page", "ptl");

	if (off < 0)
		off = tc_off(c, "ptdesc", "ptl");
	return page && off >= 0 ? page + (uint64_t)off : 0;
}

int tc_init(struct tc_ctx *c, const struct tc_backend *be,
	    const struct tc_arch *arch, const struct tc_opts *o)
{
	const char *rel;

	memset(c, 0, sizeof(*c));
	c->be = be;
	c->arch = arch;
	c->opts = *o;
	if (!c->opts.out)
		c->opts.out = stdout;
	if (!c->opts.max_tasks)
		c->opts.max_tasks = TC_MAX_TASKS_DEFAULT;
	if (!c->opts.max_findings)
		c->opts.max_findings = TC_MAX_FINDINGS_DEFAULT;
	rel = be->release ? be->release(be->priv) : NULL;
	snprintf(c->release, sizeof(c->release), "%s", rel ? rel : "unknown");
	if (be->symbol(be->priv, "init_task", &c->init_task) < 0 ||
	    be->symbol(be->priv, "init_mm", &c->init_mm) < 0) {
		snprintf(c->err, sizeof(c->err),
			 "symbols init_task/init_mm not found");
		return -1;
	}
	if (resolve_offsets(c) < 0)
		return -1;
	resolve_vmemmap(c);
	resolve_hugetlb(c);
	c->levels = arch->levels;
	c->nlevels = arch->nlevels;
	c->page_shift = 12;		/* an arch with other pages says so */
	return arch->init(c);
}

static int in_scope(const struct tc_ctx *c, const struct tc_mm_stats *m)
{
	int i;

	switch (c->opts.scope) {
	case TC_SCOPE_ALL:
		return 1;
	case TC_SCOPE_KERNEL:
		return m->kernel;
	case TC_SCOPE_USER:
		return !m->kernel;
	case TC_SCOPE_MM:
		return m->mm == c->opts.mm;
	case TC_SCOPE_PID:
		for (i = 0; i < m->npids; i++)
			if (m->pids[i] == c->opts.pid)
				return 1;
		return 0;
	}
	return 0;
}

int tc_run(struct tc_ctx *c)
{
	size_t i, n;
	struct tc_mm_stats *k;
	int l;

	if (collect_mms(c) < 0)
		return -1;
	/* table origins are aligned to the smallest table at least */
	c->seen.gshift = BITSET_REGION_SHIFT - 3;
	for (l = 0; l < c->nlevels; l++)
		while (c->seen.gshift > 3 &&
		       (1u << c->seen.gshift) > c->levels[l].table_bytes)
			c->seen.gshift--;
	k = mm_stats_of(c, c->init_mm);
	if (!k)
		return -1;
	k->kernel = 1;
	snprintf(k->comm, sizeof(k->comm), "[kernel]");
	n = c->nmms;
	for (i = 0; i < n; i++) {
		if (!in_scope(c, &c->mms[i]))
			continue;
		walk_mm(c, &c->mms[i]);
	}
	check_multi_ref(c);
	if (c->arch->check_all)
		c->arch->check_all(c);
	tc_inflight_mm_done(c);		/* the last -v line of the checks */
	if (c->opts.scope == TC_SCOPE_ALL)	/* referrers known in every mm */
		tc_inflight_rcu_tables(c);
	report_not_in_dump(c);
	for (i = 0; i < c->nmms; i++) {
		struct tc_mm_stats *m = &c->mms[i];

		if (!in_scope(c, m))
			continue;
		c->stats.mms++;
		for (l = 0; l < c->nlevels; l++)
			c->stats.tables[l] += m->tables[l];
		c->stats.present_ptes += m->present_ptes;
		c->stats.swap_ptes += m->swap_ptes;
		c->stats.thp_pmds += m->thp_pmds;
		c->stats.hugetlb_pmds += m->hugetlb_pmds;
		c->stats.huge_puds += m->huge_puds;
	}
	return 0;
}

void tc_free(struct tc_ctx *c)
{
	free(c->findings.v);
	free(c->cache.data);
	c->cache.data = NULL;
	free(c->mms);
	free(c->multi);
	bitset_free(&c->seen);
	free(c->tabs);
	free(c->vmas);
	tc_inflight_free(c);
	if (c->arch->fini)
		c->arch->fini(c);
	else
		free(c->arch_priv);
	c->findings.v = NULL;
	c->mms = NULL;
	c->multi = NULL;
	c->tabs = NULL;
	c->vmas = NULL;
	c->arch_priv = NULL;
}

/* ------------------------------------------------------------ translate */

/*
 * Walk one VA down the tables of mm (0: the kernel's) the way the walker
 * does.  Returns the deepest entry's address, level and value; *pa is
 * set when that entry maps the VA.
 */
int tc_lookup(struct tc_ctx *c, uint64_t mm, uint64_t va,
	      struct tc_lookup_result *r)
{
	struct tc_top top;
	uint64_t table;
	int lvl, rc = -1;

	memset(r, 0, sizeof(*r));
	r->level = -1;
	memset(&top, 0, sizeof(top));
	if (c->arch->mm_top(c, mm, &top) < 0 || va < top.va_base ||
	    va - top.va_base >= top.va_limit)
		goto out;
	table = top.table_pa;
	for (lvl = top.level; lvl < c->nlevels; lvl++) {
		const struct tc_level *L = &c->levels[lvl];
		unsigned idx = (unsigned)((va >> L->shift) & (L->entries - 1));
		unsigned char b[8];
		struct tc_entry e;

		r->entry_pa = table + 8ULL * idx;
		r->level = lvl;
		if (tc_read_pa(c, r->entry_pa, b, 8) < 0)
			goto out;
		r->value = tc_load_entry(c, b);
		memset(&e, 0, sizeof(e));
		/* no mm: no per-mm validation while translating */
		c->arch->decode(c, NULL, lvl, va & ~((1ULL << L->shift) - 1),
				r->value, &e);
		if (e.kind == TC_LEAF) {
			r->pa = e.pa + (va & ((1ULL << L->shift) - 1));
			r->mapped = 1;
			rc = 0;
			goto out;
		}
		if (e.kind != TC_TABLE)
			goto out;
		table = e.pa;
	}
out:
	return rc;
}

int tc_read_kernel(struct tc_ctx *c, uint64_t va, void *buf, size_t len)
{
	struct tc_lookup_result r;

	if (!c->kleaf_size || va < c->kleaf_va ||
	    va + len > c->kleaf_va + c->kleaf_size) {
		c->kleaf_size = 0;
		if (tc_lookup(c, 0, va, &r) == 0) {
			uint64_t size = 1ULL << c->levels[r.level].shift;

			c->kleaf_va = va & ~(size - 1);
			c->kleaf_pa = r.pa - (va - c->kleaf_va);
			c->kleaf_size = size;
		}
	}
	if (c->kleaf_size && va + len <= c->kleaf_va + c->kleaf_size)
		return tc_read_pa(c, c->kleaf_pa + (va - c->kleaf_va), buf, len);
	return tc_read_kv(c, va, buf, len);
}

int tc_translate(struct tc_ctx *c, uint64_t mm, uint64_t va, uint64_t *pa)
{
	struct tc_lookup_result r;

	if (tc_lookup(c, mm, va, &r) < 0)
		return -1;
	*pa = r.pa;
	return 0;
}

/* ------------------------------------------------------------ -x */

static const char *kind_name(enum tc_kind k)
{
	static const char *const n[] = { "none", "table", "leaf", "swap",
					 "illegal" };

	return n[k];
}

static void explain_entry(struct tc_ctx *c, const struct tc_table *t,
			  uint64_t pa, FILE *f)
{
	int lvl = tc_tab_level(t);
	const struct tc_level *L = &c->levels[lvl];
	int idx = (int)((pa - t->pa) / 8), i;
	struct tc_mm_stats *m = tc_tab_mm(c, t);
	uint64_t va = tc_tab_va(c, t);
	size_t k;

	fprintf(f, "  %s table %#llx (%s), entry [%d] at %#llx\n", L->name,
		(unsigned long long)t->pa, L->hw, idx,
		(unsigned long long)(t->pa + 8ULL * (unsigned)idx));
	fprintf(f, "  owner: mm %#llx pid %d (%s), table maps va %#llx-%#llx, entry maps va %#llx\n",
		(unsigned long long)(m ? m->mm : 0), m && m->npids ? m->pids[0] : -1,
		m ? m->comm : "?", (unsigned long long)va,
		(unsigned long long)(va + ((uint64_t)L->entries << L->shift)),
		(unsigned long long)(va + ((uint64_t)idx << L->shift)));
	for (i = idx - 1; i <= idx + 1; i++) {
		unsigned char b[8];
		struct tc_entry e;
		uint64_t v;

		if (i < 0 || i >= (int)L->entries ||
		    tc_read_pa_direct(c, t->pa + 8ULL * (unsigned)i, b, 8) < 0)
			continue;
		v = tc_load_entry(c, b);
		memset(&e, 0, sizeof(e));
		c->arch->decode(c, m, lvl, va + ((uint64_t)i << L->shift), v, &e);
		fprintf(f, "  %s[%d] = 0x%016llx  %s%s%s\n", i == idx ? "=> " : "   ",
			i, (unsigned long long)v, kind_name(e.kind),
			e.kind == TC_ILLEGAL ? ": " : "",
			e.kind == TC_ILLEGAL ? e.sig->id : "");
	}
	for (k = 0; k < c->findings.n; k++)
		if (c->findings.v[k].entry_pa == t->pa + 8ULL * (unsigned)idx)
			fprintf(f, "  finding: %s: %s\n", c->findings.v[k].sig->id,
				c->findings.v[k].detail);
}

static void explain_referrers(struct tc_ctx *c, uint64_t table, FILE *f)
{
	const struct tc_table *r[16];
	size_t n = tc_referrers(c, table, r, 16), i;

	if (!n)
		fprintf(f, "  referenced by no entry (a top-level table, deposited or unreachable)\n");
	for (i = 0; i < n && i < 16; i++) {
		const struct tc_table *p = tc_tab_parent(c, r[i]);
		const struct tc_mm_stats *m = tc_tab_mm(c, r[i]);
		uint64_t e = tc_tab_entry_pa(r[i]), v = 0;
		unsigned char b[8];

		if (tc_read_pa_direct(c, e, b, 8) == 0)
			v = tc_load_entry(c, b);
		fprintf(f, "  referenced by %s table %#llx[%d] = 0x%llx (mm %#llx, va %#llx)\n",
			c->levels[tc_tab_level(r[i]) - 1].name,
			(unsigned long long)(p ? p->pa : e),
			p ? (int)((e - p->pa) / 8) : -1, (unsigned long long)v,
			(unsigned long long)(m ? m->mm : 0),
			(unsigned long long)tc_tab_va(c, r[i]));
	}
	if (n > 16)
		fprintf(f, "  ... and %zu more\n", n - 16);
}

void tc_explain(struct tc_ctx *c, uint64_t pa, FILE *f)
{
	const struct tc_table *t = tc_table_at(c, pa);

	fprintf(f, "physical %#llx:\n", (unsigned long long)pa);
	if (t) {
		explain_entry(c, t, pa & ~7ULL, f);
		explain_referrers(c, t->pa, f);
	} else {
		fprintf(f, "  not inside a page table thpcheck walked\n");
	}
	if (c->arch->explain_page)
		c->arch->explain_page(c, pa & ~0xfffULL, f);
}

/* the mm of a -p/-m context */
static uint64_t context_mm(const struct tc_ctx *c, const struct tc_opts *o)
{
	size_t i;
	int k;

	if (o->scope == TC_SCOPE_MM)
		return o->mm;
	for (i = 0; i < c->nmms; i++)
		for (k = 0; k < c->mms[i].npids; k++)
			if (c->mms[i].pids[k] == o->pid)
				return c->mms[i].mm;
	return 0;
}

int tc_explain_in(struct tc_ctx *c, const struct tc_opts *ctx, uint64_t addr,
		  FILE *f)
{
	struct tc_lookup_result r;
	uint64_t mm;

	if (ctx->scope != TC_SCOPE_PID && ctx->scope != TC_SCOPE_MM) {
		tc_explain(c, addr, f);
		return 0;
	}
	mm = context_mm(c, ctx);
	if (!mm) {
		snprintf(c->err, sizeof(c->err), "no such pid or mm");
		return -1;
	}
	tc_lookup(c, mm, addr, &r);
	if (r.level < 0) {
		snprintf(c->err, sizeof(c->err),
			 "va %#llx: no page table reached", (unsigned long long)addr);
		return -1;
	}
	fprintf(f, "user va %#llx of mm %#llx: %s entry at %#llx = 0x%llx%s\n",
		(unsigned long long)addr, (unsigned long long)mm,
		c->levels[r.level].name, (unsigned long long)r.entry_pa,
		(unsigned long long)r.value, r.mapped ? "" : " (not mapped)");
	if (r.mapped)
		fprintf(f, "  maps physical %#llx\n", (unsigned long long)r.pa);
	tc_explain(c, r.entry_pa, f);
	return 0;
}
