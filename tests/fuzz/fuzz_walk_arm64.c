/*
 * libFuzzer target: the whole engine on the synthetic arm64 world
 * (tests/unit/world_arm64.c), v6.1 or v6.10+ encodings, after the
 * fuzzer's writes.  Input: one byte choosing the world (bit 0: v6.10+),
 * then 12-byte records (4-byte offset, 8-byte value) stored as 8-byte
 * little-endian words anywhere in the low 3 MiB: the task list, maple
 * tree, kernel variables and VMCOREINFO text, struct pages, page tables
 * (the contiguous runs among them), the deposit ring.  The engine must
 * end, without a sanitizer report, whatever the memory holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "../unit/world_arm64.h"

static struct synth pristine[2];

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct synth s[2];
	struct tc_ctx c;
	struct synth *w;
	int g;
	size_t i;

	if (size < 1)
		return 0;
	g = data[0] & 1;
	arm64_v610 = g;
	if (!pristine[g].mem) {
		build_arm64_world(&pristine[g]);
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
	if (run_arm64_world(w, &c) == 0)
		fuzz_print_all(&c);
	tc_free(&c);
	return 0;
}
