/*
 * libFuzzer target: the x86_64 entry decoder, 4- and 5-level geometry,
 * for a user mm, the kernel and a translation (no mm).  Input: 9-byte
 * records (selector, 8-byte value little-endian).  The selector picks the
 * geometry (bit 7), the mm (bits 5-6) and the level (low bits).  Checks
 * what every decoder result must satisfy: a known kind, a table pointer
 * only above the pte level, page-aligned and inside the physical-address
 * mask, a leaf frame aligned to the level's size, an illegal entry
 * always named by a catalogued signature, and the kernel's own rules:
 * none for every value pte_none() calls none, a present entry with
 * address bits above MAXPHYADDR never a table or leaf.
 */
#include <stdlib.h>
#include <string.h>
#include "../../ext/x86.h"
#include "fuzz.h"

static struct tc_level levels[2][5];

static void set_geometry(struct x86_priv *p, int l5)
{
	int n = l5 ? 5 : 4, l;

	memset(p, 0, sizeof(*p));
	p->l5 = l5;
	for (l = 0; l < n; l++) {
		levels[l5][l].name = "x";
		levels[l5][l].shift = 12 + 9 * (unsigned)(n - 1 - l);
		levels[l5][l].entries = 512;
		levels[l5][l].table_bytes = 4096;
	}
	p->phys_bits = 40;	/* QEMU TCG */
	p->addr_mask = X86_ADDR_BITS;
	p->rsvd = X86_ADDR_BITS & ~((1ULL << 40) - 1);
}

static void check_entry(const struct tc_ctx *c, const struct x86_priv *p,
			int level, uint64_t v, const struct tc_entry *e)
{
	int h = x86_height(c, level);

	fuzz_check_kind(e);
	if (!(v & ~(X86_A | X86_D)) && e->kind != TC_NONE)
		abort();
	if (e->kind == TC_TABLE && (h == H_PTE || (e->pa & 0xfff) ||
				    (e->pa & ~p->addr_mask)))
		abort();
	if (e->kind == TC_LEAF && (e->pa & ((1ULL << c->levels[level].shift) - 1)))
		abort();
	if ((v & X86_P) && (v & p->rsvd) && (e->kind == TC_TABLE || e->kind == TC_LEAF))
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct x86_priv geo[2];
	static struct tc_mm_stats user, kernel = { .kernel = 1 };
	struct tc_mm_stats *const mms[] = { &user, &kernel, NULL, &user };
	static struct tc_ctx c;
	static int ready;
	size_t i;

	if (!ready) {
		set_geometry(&geo[0], 0);
		set_geometry(&geo[1], 1);
		ready = 1;
	}
	c.arch = &tc_arch_x86_64;
	for (i = 0; i + 9 <= size; i += 9) {
		int l5 = data[i] >> 7, level = (data[i] & 0x1f) % (l5 ? 5 : 4);
		const struct tc_mm_stats *m = mms[(data[i] >> 5) & 3];
		uint64_t v = 0;
		struct tc_entry e;
		int k;

		for (k = 8; k >= 1; k--)
			v = v << 8 | data[i + k];
		c.arch_priv = &geo[l5];
		c.levels = levels[l5];
		c.nlevels = l5 ? 5 : 4;
		memset(&e, 0xa5, sizeof(e));
		tc_arch_x86_64.decode(&c, m, level, 0, v, &e);
		check_entry(&c, &geo[l5], level, v, &e);
	}
	return 0;
}
