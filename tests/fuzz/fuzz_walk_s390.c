/*
 * libFuzzer target: the whole engine on the synthetic v6.1 world
 * (tests/unit/world_s390.c) after the fuzzer's writes.  Input: 12-byte
 * records (4-byte offset, 8-byte value) stored as 8-byte words anywhere
 * in the low 9 MiB: page tables, task list, maple tree, struct pages,
 * pgtable_list, deposit ring.  The engine must end, without a sanitizer
 * report, whatever the memory holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "../unit/world_s390.h"

static struct synth pristine;

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct synth s;
	struct tc_ctx c;
	size_t i;

	if (!pristine.mem) {
		build_frag_world(&pristine);
		s = pristine;
		s.mem = malloc(pristine.size);
		s.be.priv = &s;
	}
	memcpy(s.mem, pristine.mem, pristine.size);
	for (i = 0; i + FUZZ_RECORD <= size; i += FUZZ_RECORD) {
		uint32_t off;
		uint64_t v;

		fuzz_record(data + i, &off, &v);
		synth_put64(&s, (off % (9u << 20)) & ~7u, v);
	}
	if (run_world(&s, &c) == 0)
		fuzz_print_all(&c);
	tc_free(&c);
	return 0;
}
