/*
 * thpcheck engine, translation of one VA the way the walker does, and
 * the one translation of kernel VAs (tc_kva_to_pa), kernel reads through it.
 * Architecture knowledge lives behind struct tc_arch; no engine file
 * names an architecture.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"

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

int tc_kmap_to_pa(const struct tc_kmap *k, uint64_t va, uint64_t *pa)
{
	if (va >= k->image_start && va < k->image_end) {
		*pa = va - k->image_delta;
		return 0;
	}
	if (va >= k->linear_base && va - k->linear_base < k->linear_size) {
		*pa = va - k->linear_base;
		return 0;
	}
	return -1;
}

#define KVA_PAGE_SHIFT	12	/* the smallest page of every arch */

static void add_block(void *ctx, uint64_t virt, uint64_t phys)
{
	struct tc_kva *k = ctx;

	if (tc_grow((void **)&k->blocks, &k->capblocks, k->nblocks,
		    sizeof(*k->blocks)) < 0)
		return;
	k->blocks[k->nblocks].virt = virt;
	k->blocks[k->nblocks++].phys = phys;
}

static int cmp_block(const void *a, const void *b)
{
	uint64_t x = ((const struct tc_kva_block *)a)->virt;
	uint64_t y = ((const struct tc_kva_block *)b)->virt;

	return x < y ? -1 : x > y;
}

/* the arch's list of kernel addresses mapped outside its tables (ppc64
 * hash: vmemmap in bolted HPTEs), read once: its pointers are linear,
 * so only with the dump's map */
static void load_listed_blocks(struct tc_ctx *c)
{
	struct tc_kva *k = &c->kva;

	k->blocks_loaded = 1;
	if (c->arch->listed_kva_blocks(c->be, c->be->kmap->linear_base, add_block,
				       k, &k->block_bytes) < 0) {
		fprintf(c->opts.verbose ? c->opts.out : stderr, "thpcheck: %s: "
			"the kernel's list of blocks mapped outside its tables is "
			"not readable: those addresses are translated by the walk "
			"alone\n", c->arch->name);
		k->nblocks = 0;
		return;
	}
	if (k->nblocks)
		qsort(k->blocks, k->nblocks, sizeof(*k->blocks), cmp_block);
}

static int listed_block_to_pa(struct tc_ctx *c, uint64_t va, uint64_t *pa)
{
	struct tc_kva *k = &c->kva;
	size_t lo = 0, hi;

	if (!c->arch->listed_kva_blocks || !c->be->kmap)
		return -1;
	if (!k->blocks_loaded)
		load_listed_blocks(c);
	hi = k->nblocks;
	while (lo < hi) {		/* first block with virt > va */
		size_t mid = lo + (hi - lo) / 2;

		if (k->blocks[mid].virt <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || va - k->blocks[lo - 1].virt >= k->block_bytes)
		return -1;
	*pa = k->blocks[lo - 1].phys + (va - k->blocks[lo - 1].virt);
	return 0;
}

/* the walk of init_mm's tables; its own reads (init_mm, the image) never
 * come back here unless a layout is wrong, which the guard stops */
static int kernel_walk_to_pa(struct tc_ctx *c, uint64_t va, uint64_t *pa)
{
	int rc;

	if (!c->arch_priv || c->kva.walking)
		return -1;
	c->kva.walking = 1;
	rc = tc_translate(c, 0, va, pa);
	c->kva.walking = 0;
	return rc;
}

int tc_kva_to_pa(struct tc_ctx *c, uint64_t va, uint64_t *pa)
{
	uint64_t vpage = va >> KVA_PAGE_SHIFT, off = va & ((1u << KVA_PAGE_SHIFT) - 1);
	size_t slot = vpage % TC_KVA_SLOTS;
	uint64_t p;

	if (c->be->kmap && tc_kmap_to_pa(c->be->kmap, va, pa) == 0)
		return 0;
	if (c->kva.tlb[slot].vpage1 == vpage + 1) {
		*pa = c->kva.tlb[slot].ppage << KVA_PAGE_SHIFT | off;
		return 0;
	}
	if (listed_block_to_pa(c, va, &p) < 0 && kernel_walk_to_pa(c, va, &p) < 0 &&
	    !(c->be->kvirt_to_phys && c->be->kvirt_to_phys(c->be->priv, va, &p) == 0))
		return -1;
	c->kva.tlb[slot].vpage1 = vpage + 1;
	c->kva.tlb[slot].ppage = p >> KVA_PAGE_SHIFT;
	*pa = p;
	return 0;
}

void eng_kva_free(struct tc_ctx *c)
{
	free(c->kva.blocks);
	memset(&c->kva, 0, sizeof(c->kva));
}

/* kernel VA -> pa page by page: a range need not be contiguous */
int tc_read_kernel(struct tc_ctx *c, uint64_t va, void *buf, size_t len)
{
	unsigned char *p = buf;
	uint64_t v = va;
	size_t left = len;

	while (left) {
		size_t in_page = (1u << KVA_PAGE_SHIFT) -
				 (v & ((1u << KVA_PAGE_SHIFT) - 1));
		size_t n = left < in_page ? left : in_page;
		uint64_t pa;
		int r;

		if (tc_kva_to_pa(c, v, &pa) < 0)
			return c->be->read_kvirt ? tc_read_kv_backend(c, va, buf, len) : -1;
		if ((r = tc_read_pa(c, pa, p, n)) < 0)
			return r;
		v += n;
		p += n;
		left -= n;
	}
	return 0;
}

int tc_translate(struct tc_ctx *c, uint64_t mm, uint64_t va, uint64_t *pa)
{
	struct tc_lookup_result r;

	if (tc_lookup(c, mm, va, &r) < 0)
		return -1;
	*pa = r.pa;
	return 0;
}
