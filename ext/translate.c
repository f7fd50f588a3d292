/*
 * thpcheck engine, translation of one VA the way the walker does, kernel reads through it.
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
