/*
 * libFuzzer target: the whole engine on the synthetic x86_64 world
 * (tests/unit/world_x86.c), 4- or 5-level, with or without PTI, after
 * the fuzzer's writes.  Input: one byte choosing the world (bit 0:
 * 5-level, bit 1: X86_FEATURE_PTI set), then 12-byte records (4-byte
 * offset, 8-byte value) stored as 8-byte little-endian words anywhere in
 * the low 3 MiB: the task list, maple tree, kernel variables, struct
 * pages, page tables (both pages of the user pgd), the deposit ring.
 * The engine must end, without a sanitizer report, whatever the memory
 * holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "../unit/world_x86.h"

/* boot_cpu_data.x86_capability[7] of the world (world_x86.c layout) */
#define CAP_WORD7	(CPUINFO + 0x20 + 4 * 7)
#define FEATURE_PTI	(1u << 11)

static struct synth pristine[4];

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct synth s[4];
	struct tc_ctx c;
	struct synth *w;
	int g;
	size_t i;

	if (size < 1)
		return 0;
	g = data[0] & 3;
	x86_l5 = g & 1;
	if (!pristine[g].mem) {
		build_x86_world(&pristine[g]);
		if (g & 2)
			synth_put32(&pristine[g], CAP_WORD7, FEATURE_PTI);
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
	if (run_x86_world(w, &c) == 0)
		fuzz_print_all(&c);
	tc_free(&c);
	return 0;
}
