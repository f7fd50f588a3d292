/*
 * thpcheck engine, findings: tc_report, folding, the mm a finding is charged to.
 * Architecture knowledge lives behind struct tc_arch; no engine file
 * names an architecture.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"

/* ------------------------------------------------------------ findings */


struct tc_mm_stats *tc_mm_of(struct tc_ctx *c, uint64_t mm)
{
	return eng_mm_stats_of(c, mm);
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
