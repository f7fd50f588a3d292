/*
 * libFuzzer target: the arm64 entry decoder and the contiguous-run
 * rules, v6.1 and v6.10+ encodings, for a user mm, the kernel and a
 * translation (no mm; the kernel's non-valid entries are its own).  Input: 9-byte records (selector, 8-byte value
 * little-endian).  The selector picks the encodings (bit 7), the mm
 * (bits 5-6) and the level (low bits).  Checks what every decoder result
 * must satisfy: a known kind, a table pointer only above the pte level
 * and page-aligned inside 48 bits, a leaf frame aligned to the level's
 * size, an illegal entry always named by a catalogued signature, and the
 * kernel's own rules: none only for 0, a valid entry with output-address
 * bits 48-49 never a table or leaf, no table and no block at level 0.
 */
#include <stdlib.h>
#include <string.h>
#include "../../ext/arm64.h"
#include "fuzz.h"

static struct tc_level levels[4];

static void set_geometry(struct arm64_priv *p, int v610)
{
	int l;

	memset(p, 0, sizeof(*p));
	p->v610 = v610;
	p->va_bits = 48;
	for (l = 0; l < 4; l++) {
		levels[l].name = "x";
		levels[l].shift = 12 + 9 * (unsigned)(3 - l);
		levels[l].entries = 512;
		levels[l].table_bytes = 4096;
	}
}

static void check_entry(const struct tc_ctx *c, int level, uint64_t v,
			const struct tc_entry *e)
{
	int h = arm64_height(c, level);

	fuzz_check_kind(e);
	/* no mm or a user mm: pte_none() is !pte_val() at every level */
	if (!v != (e->kind == TC_NONE))
		abort();
	if (e->kind == TC_TABLE && (h == A64_PTE || (e->pa & 0xfff) || (e->pa & ~A64_ADDR)))
		abort();
	if (e->kind == TC_LEAF && (e->pa & ((1ULL << c->levels[level].shift) - 1)))
		abort();
	if ((v & A64_VALID) && (v & A64_RES0_4K) && e->kind == TC_LEAF)
		abort();
	if (level == 0 && e->kind == TC_LEAF)
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct arm64_priv geo[2];
	static struct tc_mm_stats user;
	struct tc_mm_stats *const mms[] = { &user, NULL, NULL, &user };
	static struct tc_ctx c;
	static int ready;
	size_t i;

	if (!ready) {
		set_geometry(&geo[0], 0);
		set_geometry(&geo[1], 1);
		ready = 1;
	}
	c.arch = &tc_arch_arm64;
	c.levels = levels;
	c.nlevels = 4;
	for (i = 0; i + 9 <= size; i += 9) {
		int v610 = data[i] >> 7, level = (data[i] & 0x1f) % 4;
		const struct tc_mm_stats *m = mms[(data[i] >> 5) & 3];
		uint64_t v = 0;
		struct tc_entry e;
		int k;

		for (k = 8; k >= 1; k--)
			v = v << 8 | data[i + k];
		c.arch_priv = &geo[v610];
		memset(&e, 0xa5, sizeof(e));
		tc_arch_arm64.decode(&c, m, level, 0, v, &e);
		check_entry(&c, level, v, &e);
	}
	return 0;
}
