/*
 * libFuzzer target: the ppc64 (book3s, 64 KiB pages) entry decoder, radix
 * and hash geometry.  Input: 9-byte records (selector, 8-byte value as it
 * is in memory, big-endian).  The selector picks the MMU (bit 7) and the
 * level (low bits).  Checks what every decoder result must satisfy: a
 * known kind, a table pointer only above the pte level and aligned to the
 * next level's fragment size, a leaf frame aligned to the level's size,
 * an illegal entry always named by a catalogued signature.
 */
#include <stdlib.h>
#include <string.h>
#include "../../ext/ppc.h"
#include "fuzz.h"
#include "../unit/world_ppc.h"

/* the kernel variables of tests/unit/world_ppc.c's radix and hash
 * geometry, as ppc_init() would derive them */
static void set_geometry(struct ppc_priv *p, const struct geo *g)
{
	unsigned shift = 16;
	int l;

	memset(p, 0, sizeof(*p));
	p->radix = !g->hash;
	for (l = 3; l >= 0; l--) {
		p->levels[l].name = "x";
		p->levels[l].shift = shift;
		p->levels[l].entries = 1u << g->bits[l];
		p->levels[l].table_bytes = 8u << g->bits[l];
		shift += (unsigned)g->bits[l];
	}
	for (l = 0; l < 3; l++)
		p->val_bits[l] = g->val[l];
	p->align[P_PTE] = 1ULL << g->frag_shift[0];
	p->align[P_PMD] = 1ULL << g->frag_shift[1];
	p->align[P_PUD] = p->align[P_PGD] = 256;
}

static void check_entry(const struct ppc_priv *p, int level,
			const struct tc_entry *e)
{
	fuzz_check_kind(e);
	if (e->kind == TC_TABLE &&
	    (level == P_PTE || (e->pa & (p->align[level + 1] - 1))))
		abort();
	if (e->kind == TC_LEAF && (e->pa & ((1ULL << p->levels[level].shift) - 1)))
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct ppc_priv radix, hash;
	static struct tc_mm_stats user;
	static struct tc_ctx c;
	static int ready;
	size_t i;

	if (!ready) {
		set_geometry(&radix, &ppc_radix);
		set_geometry(&hash, &ppc_hash);
		ready = 1;
	}
	c.arch = &tc_arch_ppc64;
	for (i = 0; i + 9 <= size; i += 9) {
		struct ppc_priv *p = data[i] & 0x80 ? &hash : &radix;
		int level = (data[i] & 0x7f) % 4;
		uint64_t v = 0;
		struct tc_entry e;
		int k;

		for (k = 1; k < 9; k++)
			v = v << 8 | data[i + k];
		c.arch_priv = p;
		c.levels = p->levels;
		c.nlevels = 4;
		memset(&e, 0xa5, sizeof(e));
		tc_arch_ppc64.decode(&c, &user, level, 0, v, &e);
		check_entry(p, level, &e);
	}
	return 0;
}
