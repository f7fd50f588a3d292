/*
 * Helpers shared by the libFuzzer targets (header-only, static).
 */
#ifndef THPCHECK_FUZZ_H
#define THPCHECK_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "../../ext/tc.h"

/* the walk fuzzers' input record: a 4-byte offset into the synthetic
 * world and the 8-byte value to store there, both big-endian */
#define FUZZ_RECORD 12

static inline void fuzz_record(const unsigned char *p, uint32_t *off, uint64_t *v)
{
	int k;

	*off = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	*v = 0;
	for (k = 4; k < FUZZ_RECORD; k++)
		*v = *v << 8 | p[k];
}

/* both formatters on whatever the run found */
static inline void fuzz_print_all(struct tc_ctx *c)
{
	FILE *f = fopen("/dev/null", "w");

	if (!f)
		return;
	tc_print_json(c, f);
	tc_print_text(c, f);
	fclose(f);
}

/* whether sig is one of the catalogued objects: a shared row or a row
 * of a registered arch */
static inline int fuzz_sig_catalogued(const struct tc_sig *sig)
{
	size_t a, i;

	for (i = 0; i < tc_nsigs; i++)
		if (tc_sigs[i] == sig)
			return 1;
	for (a = 0; tc_arches[a]; a++)
		for (i = 0; i < tc_arches[a]->nsigs; i++)
			if (tc_arches[a]->sigs[i] == sig)
				return 1;
	return 0;
}

/* what every decoder result must satisfy, whatever the arch: a known
 * kind, and an illegal entry named by a catalogued signature */
static inline void fuzz_check_kind(const struct tc_entry *e)
{
	if (e->kind < TC_NONE || e->kind > TC_ILLEGAL)
		abort();
	if (e->kind == TC_ILLEGAL && (!e->sig || !e->why || !fuzz_sig_catalogued(e->sig)))
		abort();
}

#endif
