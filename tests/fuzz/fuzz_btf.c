/*
 * libFuzzer target: struct layouts from BTF (tools/layout_btf.c: libbpf's
 * parser, then thpscan's index and look-ups) on damaged BTF, as a dump
 * with corrupt kernel memory between __start_BTF and __stop_BTF would
 * hold it.  The input is the BTF; every kind of question the engine asks
 * is asked (dotted paths, anonymous members, enumerators).  Seeds:
 * tests/fuzz/make-debuginfo-seeds.py.
 */
#include <stdint.h>
#include <stdlib.h>
#include "layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const q[][2] = {
		{ "mm_struct", "pgd" }, { "mm_struct", "context" },
		{ "mm_struct", "context.asce" }, { "mm_struct", "a.b.c.d.e.f.g.h.i" },
		{ "pgtable_t", "pgd" }, { "page", "flags" }, { "task_struct", "mm" },
		{ "", "" }, { "mm_struct", "" }, { "mm_struct", "." },
	};
	static const char *const e[] = { "PGTY_table", "PG_active", "HUGETLB_PAGE_DTOR" };
	struct layout_src *s;
	char err[200];
	size_t i;
	long v;

	s = layout_btf_open(data, size, err, sizeof(err));
	if (!s)
		return 0;
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		s->member_offset(s->priv, q[i][0], q[i][1]);
		s->member_size(s->priv, q[i][0], q[i][1]);
		s->type_size(s->priv, q[i][0]);
	}
	for (i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		s->enum_value(s->priv, e[i], &v);
	layout_close(s);
	return 0;
}
