/*
 * libFuzzer target: the kallsyms decoder (tools/kallsyms.c) on damaged
 * tables, as a dump with corrupt kernel memory would hold them.
 *
 * Input: a 26-byte header -- byte 0 the byte order (odd: big-endian),
 * byte 1 whether the tables are absolute addresses (odd) or offsets,
 * then six little-endian u32 offsets into the memory that follows:
 * kallsyms_names, _num_syms, _token_table, _token_index, _offsets (or
 * _addresses), _relative_base -- and the memory, read at VA BASE.
 * Every symbol the engine asks for is looked up.  Seeds:
 * tests/fuzz/make-debuginfo-seeds.py.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kallsyms.h"

#define BASE	0x100000ull
#define HEADER	26

struct mem {
	const uint8_t *p;
	size_t n;
};

static int rd(void *priv, uint64_t va, void *buf, size_t len)
{
	const struct mem *m = priv;

	if (va < BASE || va - BASE > m->n || len > m->n - (va - BASE))
		return -1;
	memcpy(buf, m->p + (va - BASE), len);
	return 0;
}

static uint64_t u32_at(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"init_task", "init_mm", "_text", "_stext", "_end", "__start_BTF",
		"__stop_BTF", "vmemmap", "nr_cpu_ids", "__per_cpu_offset", "",
	};
	struct ksyms_where w = { 0 };
	struct mem m;
	struct ksyms *k;
	char err[200];
	uint64_t a;
	size_t i;
	int absolute;

	if (size < HEADER)
		return 0;
	m.p = data + HEADER;
	m.n = size - HEADER;
	w.names = BASE + u32_at(data + 2);
	w.num_syms = BASE + u32_at(data + 6);
	w.token_table = BASE + u32_at(data + 10);
	w.token_index = BASE + u32_at(data + 14);
	if (data[1] & 1) {
		w.addresses = BASE + u32_at(data + 18);
	} else {
		w.offsets = BASE + u32_at(data + 18);
		w.relative_base = BASE + u32_at(data + 22);
	}
	k = ksyms_load(&w, data[0] & 1, rd, &m, err, sizeof(err));
	if (!k)
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ksyms_lookup(k, names[i], &a, &absolute);
	ksyms_free(k);
	return 0;
}
