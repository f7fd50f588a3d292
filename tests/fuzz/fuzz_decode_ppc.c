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

static void set_geometry(struct ppc_priv *p, int radix)
{
	/* radix-64k.h 13/9/9/5, hash-64k.h 8/10/10/8 index bits; the
	 * __pXd_val_bits and fragment sizes the kernels set at boot */
	static const unsigned rbits[4] = { 13, 9, 9, 5 }, hbits[4] = { 8, 10, 10, 8 };
	const unsigned *bits = radix ? rbits : hbits;
	unsigned shift = 16;
	int l;

	memset(p, 0, sizeof(*p));
	p->radix = radix;
	for (l = 3; l >= 0; l--) {
		p->levels[l].name = "x";
		p->levels[l].shift = shift;
		p->levels[l].entries = 1u << bits[l];
		p->levels[l].table_bytes = 8u << bits[l];
		shift += bits[l];
	}
	for (l = 0; l < 3; l++)
		p->val_bits[l] = 0x8000000000000000ULL | (radix ? bits[l + 1] : 0);
	p->align[P_PTE] = radix ? 256 : 4096;
	p->align[P_PMD] = radix ? 4096 : 16384;
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
		set_geometry(&radix, 1);
		set_geometry(&hash, 0);
		ready = 1;
	}
	c.arch = &tc_arch_ppc64;
	c.cur = &user;
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
		tc_arch_ppc64.decode(&c, level, 0, v, &e);
		check_entry(p, level, &e);
	}
	return 0;
}
