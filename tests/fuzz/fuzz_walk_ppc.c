/*
 * libFuzzer target: the whole engine on the synthetic ppc64 world
 * (tests/unit/world_ppc.c), radix or hash, after the fuzzer's writes.
 * Input: one byte choosing the geometry (bit 0: hash), then 12-byte
 * records (4-byte offset, 8-byte value) stored as 8-byte little-endian
 * words anywhere in the low 3 MiB: page tables, deposits, task list,
 * maple tree, struct pages, the kernel's MMU variables.  The engine must
 * end, without a sanitizer report, whatever the memory holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "../unit/world_ppc.h"

static struct synth pristine[2];

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct synth s[2];
	const struct geo *const geos[2] = { &ppc_radix, &ppc_hash };
	struct tc_ctx c;
	struct synth *w;
	int g;
	size_t i;

	if (size < 1)
		return 0;
	g = data[0] & 1;
	ppc_geo = geos[g];
	if (!pristine[g].mem) {
		build_ppc_world(&pristine[g]);
		s[g] = pristine[g];
		s[g].mem = malloc(pristine[g].size);
		s[g].be.priv = &s[g];
	}
	w = &s[g];
	memcpy(w->mem, pristine[g].mem, pristine[g].size);
	for (i = 1; i + FUZZ_RECORD <= size; i += FUZZ_RECORD) {
		uint32_t off;
		uint64_t v;

		fuzz_record(data + i, &off, &v);
		synth_put64(w, (off % (3u << 20)) & ~7u, v);
	}
	if (run_ppc_world(w, &c) == 0)
		fuzz_print_all(&c);
	tc_free(&c);
	return 0;
}
