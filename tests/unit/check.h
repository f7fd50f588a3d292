/*
 * The unit tests' check(): counts, and prints what failed.  Header-only
 * (static), for test programs only.
 */
#ifndef THPCHECK_UNIT_CHECK_H
#define THPCHECK_UNIT_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "tc.h"

static int passed, failed;

static void check(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* the first finding of signature sig at table_pa[index] */
static inline const struct tc_finding *find_at(const struct tc_ctx *c, const char *sig,
					       uint64_t table_pa, int index)
{
	size_t i;

	for (i = 0; i < c->findings.n; i++) {
		const struct tc_finding *f = &c->findings.v[i];

		if (!strcmp(f->sig->id, sig) && f->table_pa == table_pa &&
		    f->index == index)
			return f;
	}
	return NULL;
}

/* the signature of the first finding, for messages */
static inline const char *first_sig(const struct tc_ctx *c)
{
	return c->findings.n ? c->findings.v[0].sig->id : "-";
}

#endif
