/*
 * thpcheck engine, -x: everything known about one table entry.
 * Architecture knowledge lives behind struct tc_arch; no engine file
 * names an architecture.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"

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
