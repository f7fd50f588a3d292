/*
 * Struct layouts from BTF (libbpf's btf API).  See layout.h.
 *
 * The kernel's BTF (CONFIG_DEBUG_INFO_BTF: pahole turns the vmlinux's
 * DWARF into .BTF, include/asm-generic/vmlinux.lds.h puts it between
 * __start_BTF and __stop_BTF) holds every struct, union, typedef and enum
 * of the kernel once.  One pass over its types builds a name index; the
 * questions are then answered the way layout_dwarf.c answers them: struct
 * and union tags before typedefs of the same name, anonymous members
 * searched as if direct, the first definition of a name kept.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "layout.h"

enum ent_kind { ENT_TYPEDEF = 1, ENT_AGGREGATE, ENT_ENUMERATOR };

struct ent {
	const char *name;	/* in the BTF string section */
	enum ent_kind kind;
	unsigned id;		/* type id (aggregate, typedef) */
	long value;		/* enumerator */
};

struct bt {
	struct btf *btf;
	struct ent *tab;
	size_t cap, n;
};

/* ------------------------------------------------------------ index */

static struct ent *slot_of(struct ent *tab, size_t cap, const char *name)
{
	size_t i = layout_hash(name) & (cap - 1), k;

	for (k = 0; k < cap; k++, i = (i + 1) & (cap - 1))
		if (!tab[i].name || !strcmp(tab[i].name, name))
			return &tab[i];
	return NULL;
}

/* first definition wins, but a struct or union replaces a typedef of
 * its name (the engine asks for struct tags) */
static void add_ent(struct bt *b, const char *name, enum ent_kind kind,
		    unsigned id, long value)
{
	struct ent *e;

	if (!name || !*name || !(e = slot_of(b->tab, b->cap, name)))
		return;
	if (e->name && !(e->kind == ENT_TYPEDEF && kind == ENT_AGGREGATE))
		return;
	if (!e->name)
		b->n++;
	*e = (struct ent){ name, kind, id, value };
}

/*
 * An enumerator's value as DWARF gives it: BTF stores 32-bit values with
 * kflag set for a signed enum (pahole >= 1.24, kernel commit 6089fb325cf7
 * "bpf: Add btf enum64 support"), 64-bit ones in BTF_KIND_ENUM64.
 */
static void index_enum(struct bt *b, const struct btf_type *t)
{
	unsigned i, n = btf_vlen(t);

	for (i = 0; i < n; i++) {
		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t) + i;
			long v = btf_kflag(t) ? (long)e->val : (long)(uint32_t)e->val;

			add_ent(b, btf__name_by_offset(b->btf, e->name_off),
				ENT_ENUMERATOR, 0, v);
		} else {
			const struct btf_enum64 *e = btf_enum64(t) + i;

			add_ent(b, btf__name_by_offset(b->btf, e->name_off),
				ENT_ENUMERATOR, 0, (long)btf_enum64_value(e));
		}
	}
}

static int build_index(struct bt *b)
{
	unsigned n = btf__type_cnt(b->btf), id;

	b->cap = 4096;
	while (b->cap < 2 * (size_t)n)
		b->cap *= 2;
	b->tab = calloc(b->cap, sizeof(*b->tab));
	if (!b->tab)
		return -1;
	/* enumerators outnumber types only in theory; the table is twice
	 * the types, slot_of() gives up rather than loop when full */
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(b->btf, id);

		if (!t)
			continue;
		if (btf_is_composite(t))
			add_ent(b, btf__name_by_offset(b->btf, t->name_off),
				ENT_AGGREGATE, id, 0);
		else if (btf_is_typedef(t))
			add_ent(b, btf__name_by_offset(b->btf, t->name_off),
				ENT_TYPEDEF, id, 0);
		else if (btf_is_any_enum(t))
			index_enum(b, t);
	}
	return 0;
}

/* ------------------------------------------------------------ types */

/* the type behind typedefs and qualifiers (0: none, a broken chain) */
static const struct btf_type *strip_type(const struct bt *b, unsigned id)
{
	int i;

	for (i = 0; i < LAYOUT_MAX_TYPE_CHAIN; i++) {
		const struct btf_type *t = btf__type_by_id(b->btf, id);

		if (!t)
			return NULL;
		if (!btf_is_typedef(t) && !btf_is_mod(t))
			return t;
		id = t->type;
	}
	return NULL;
}

static const struct btf_type *aggregate(const struct bt *b, const char *type)
{
	const struct ent *e = slot_of(b->tab, b->cap, type);
	const struct btf_type *t;

	if (!e || !e->name || e->kind == ENT_ENUMERATOR)
		return NULL;
	t = strip_type(b, e->id);
	return t && btf_is_composite(t) ? t : NULL;
}

/* a member by name, descending into anonymous struct/union members */
static const struct btf_member *find_member(const struct bt *b,
					    const struct btf_type *agg,
					    const char *name, size_t len,
					    long *off, int depth)
{
	const struct btf_member *m = btf_members(agg);
	unsigned i, n = btf_vlen(agg);

	if (depth > LAYOUT_MAX_ANON_DEPTH)
		return NULL;
	for (i = 0; i < n; i++, m++) {
		const char *mn = btf__name_by_offset(b->btf, m->name_off);
		long mo = (long)(btf_member_bit_offset(agg, i) / 8);
		const struct btf_type *t;
		const struct btf_member *sub;
		long suboff;

		if (mn && *mn) {
			if (strlen(mn) == len && !memcmp(mn, name, len)) {
				*off = mo;
				return m;
			}
			continue;
		}
		t = strip_type(b, m->type);
		if (t && btf_is_composite(t) &&
		    (sub = find_member(b, t, name, len, &suboff, depth + 1))) {
			*off = mo + suboff;
			return sub;
		}
	}
	return NULL;
}

static long resolve_path(const struct bt *b, const char *type, const char *path,
			 const struct btf_member **mout)
{
	const struct btf_type *agg = aggregate(b, type);
	long total = 0;
	int parts = 0;

	if (!agg)
		return -1;
	for (;;) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		const struct btf_member *m;
		long off;

		if (len == 0 || ++parts > LAYOUT_MAX_PATH_PARTS ||
		    !(m = find_member(b, agg, path, len, &off, 0)))
			return -1;
		total += off;
		if (!dot) {
			*mout = m;
			return total;
		}
		agg = strip_type(b, m->type);
		if (!agg || !btf_is_composite(agg))
			return -1;
		path = dot + 1;
	}
}

/* ------------------------------------------------------------ source */

static long op_member_offset(void *priv, const char *type, const char *member)
{
	const struct btf_member *m;

	return resolve_path(priv, type, member, &m);
}

static long op_member_size(void *priv, const char *type, const char *member)
{
	const struct bt *b = priv;
	const struct btf_member *m;
	long long sz;

	if (resolve_path(b, type, member, &m) < 0)
		return -1;
	sz = btf__resolve_size(b->btf, m->type);
	return sz < 0 ? -1 : (long)sz;
}

static long op_type_size(void *priv, const char *type)
{
	const struct btf_type *t = aggregate(priv, type);

	return t ? (long)t->size : -1;
}

static int op_enum_value(void *priv, const char *name, long *value)
{
	const struct bt *b = priv;
	const struct ent *e = slot_of(b->tab, b->cap, name);

	if (!e || !e->name || e->kind != ENT_ENUMERATOR)
		return -1;
	*value = e->value;
	return 0;
}

static void op_close(void *priv)
{
	struct bt *b = priv;

	btf__free(b->btf);
	free(b->tab);
	free(b);
}

struct layout_src *layout_btf_open(const void *data, size_t size, char *err,
				   size_t errlen)
{
	struct layout_src *s = calloc(1, sizeof(*s));
	struct bt *b = calloc(1, sizeof(*b));

	if (!s || !b) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (size > UINT32_MAX) {
		snprintf(err, errlen, "BTF of %zu bytes: too big", size);
		goto fail;
	}
	/* libbpf prints its parser's complaints to stderr by default; the
	 * reason is returned here instead, as one line */
	libbpf_set_print(NULL);
	b->btf = btf__new(data, (uint32_t)size);	/* libbpf >= 1.0: NULL + errno */
	if (!b->btf) {
		snprintf(err, errlen, "BTF does not parse (%s)", strerror(errno));
		goto fail;
	}
	if (build_index(b) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	*s = (struct layout_src){
		.name = "btf", .priv = b,
		.member_offset = op_member_offset, .member_size = op_member_size,
		.type_size = op_type_size, .enum_value = op_enum_value,
		.close = op_close,
	};
	return s;
fail:
	if (b) {
		btf__free(b->btf);
		free(b->tab);
	}
	free(b);
	free(s);
	return NULL;
}
