/*
 * thpcheck engine, the index of every walked table, referrers, TABLE_MULTI_REF.
 * Architecture knowledge lives behind struct tc_arch; no engine file
 * names an architecture.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"

/* ------------------------------------------------------------ table index */

/* sparse bitmap: 16 MiB regions, each a bitmap at the granule */

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

void eng_bitset_free(struct tc_bitset *b)
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
void eng_sort_tables(struct tc_table *v, size_t n)
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

int eng_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Record the mm's table origins; an origin seen before (in this mm or
 * an earlier one) is a TABLE_MULTI_REF candidate. */
void eng_note_seen(struct tc_ctx *c, const struct tc_mm_stats *m)
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

void eng_check_multi_ref(struct tc_ctx *c)
{
	const struct tc_table *r[64];
	size_t i, k, n;

	if (c->nmulti > 1)
		qsort(c->multi, c->nmulti, sizeof(c->multi[0]), eng_cmp_u64);
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
