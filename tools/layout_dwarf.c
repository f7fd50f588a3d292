/*
 * Struct layouts from a vmlinux's DWARF (libdw).  See layout.h.
 *
 * Types are found by name through an index that is built lazily, one
 * compile unit at a time, only as far as a look-up needs: a vmlinux has
 * thousands of CUs and the engine asks for a handful of types.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gelf.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include "layout.h"

enum ent_kind { ENT_TYPEDEF = 1, ENT_AGGREGATE, ENT_ENUMERATOR };

struct ent {
	const char *name;	/* points into .debug_str: lives as long as dbg */
	enum ent_kind kind;
	Dwarf_Die die;
	long value;
};

struct kdw {
	char *path;
	int fd;
	Elf *elf;
	Dwarf *dbg;
	int big_endian;
	const char *arch;
	char build_id[2 * 64 + 1];
	uint64_t img_start, img_end;
	/* lazy name index */
	struct ent *tab;
	size_t cap, n;
	/* symbol table by name, built on the first look-up */
	struct sym { const char *name; uint64_t addr; } *syms;
	size_t symcap;
	int syms_built;
	Dwarf_CU *cursor;	/* last CU indexed (NULL: none yet) */
	int indexed_all;
	size_t cus;
	/* answers kept across runs (see "memo" below) */
	struct memo_ent *memo;
	size_t nmemo, capmemo;
	int memo_dirty;
	char *memo_path;
};

struct dw {
	Dwarf *dbg;
	/* lazy name index */
	struct ent *tab;
	size_t cap, n;
	Dwarf_CU *cursor;	/* last CU indexed (NULL: none yet) */
	int indexed_all;
	size_t cus;
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

static int grow(struct dw *w)
{
	size_t ncap = w->cap ? w->cap * 2 : 4096, i;
	struct ent *nt = calloc(ncap, sizeof(*nt));

	if (!nt)
		return -1;
	for (i = 0; i < w->cap; i++)
		if (w->tab[i].name)
			*slot_of(nt, ncap, w->tab[i].name) = w->tab[i];
	free(w->tab);
	w->tab = nt;
	w->cap = ncap;
	return 0;
}

/* First definition wins, except that a struct/union definition replaces
 * a typedef of the same name (the engine asks for struct tags). */
static void add_ent(struct dw *w, const char *name, enum ent_kind kind,
		    Dwarf_Die *die, long value)
{
	struct ent *e;

	if ((w->n + 1) * 2 > w->cap && grow(w) < 0)
		return;
	e = slot_of(w->tab, w->cap, name);
	if (!e)
		return;
	if (e->name && !(e->kind == ENT_TYPEDEF && kind == ENT_AGGREGATE))
		return;
	if (!e->name)
		w->n++;
	e->name = name;
	e->kind = kind;
	if (die)
		e->die = *die;
	e->value = value;
}

/* an enumeration with an unsigned underlying type: its DW_FORM_data1
 * values (enum pagetype: PGTY_table 0xf2) must not be sign-extended */
static int enum_is_unsigned(Dwarf_Die *en)
{
	Dwarf_Attribute a;
	Dwarf_Die base;
	Dwarf_Word enc;

	if (!dwarf_attr(en, DW_AT_type, &a) || !dwarf_formref_die(&a, &base) ||
	    dwarf_formudata(dwarf_attr(&base, DW_AT_encoding, &a), &enc) != 0)
		return 0;
	return enc == DW_ATE_unsigned || enc == DW_ATE_unsigned_char;
}

static void index_enumerators(struct dw *w, Dwarf_Die *en)
{
	Dwarf_Die ch;
	Dwarf_Attribute a;
	Dwarf_Sword v;
	Dwarf_Word u;
	int uns = enum_is_unsigned(en);

	if (dwarf_child(en, &ch) != 0)
		return;
	do {
		const char *name = dwarf_diename(&ch);

		if (dwarf_tag(&ch) != DW_TAG_enumerator || !name ||
		    !dwarf_attr(&ch, DW_AT_const_value, &a))
			continue;
		if (uns && dwarf_formudata(&a, &u) == 0)
			add_ent(w, name, ENT_ENUMERATOR, NULL, (long)u);
		else if (!uns && dwarf_formsdata(&a, &v) == 0)
			add_ent(w, name, ENT_ENUMERATOR, NULL, (long)v);
	} while (dwarf_siblingof(&ch, &ch) == 0);
}

static void index_die(struct dw *w, Dwarf_Die *d)
{
	const char *name = dwarf_diename(d);

	switch (dwarf_tag(d)) {
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
		if (name && !dwarf_hasattr(d, DW_AT_declaration))
			add_ent(w, name, ENT_AGGREGATE, d, 0);
		break;
	case DW_TAG_typedef:
		if (name)
			add_ent(w, name, ENT_TYPEDEF, d, 0);
		break;
	case DW_TAG_enumeration_type:
		if (!dwarf_hasattr(d, DW_AT_declaration))
			index_enumerators(w, d);
		break;
	default:
		break;
	}
}

/* Index the top-level DIEs of the next unit; 0 if one was indexed. */
static int index_next_cu(struct dw *w)
{
	Dwarf_CU *next;
	Dwarf_Die cudie, d;
	uint8_t unit_type;
	Dwarf_Half version;

	if (w->indexed_all)
		return -1;
	if (dwarf_get_units(w->dbg, w->cursor, &next, &version, &unit_type,
			    &cudie, NULL) != 0) {
		w->indexed_all = 1;
		return -1;
	}
	w->cursor = next;
	w->cus++;
	if (dwarf_child(&cudie, &d) == 0)
		do
			index_die(w, &d);
		while (dwarf_siblingof(&d, &d) == 0);
	return 0;
}

static struct ent *lookup(struct dw *w, const char *name, enum ent_kind kind)
{
	for (;;) {
		struct ent *e = w->cap ? slot_of(w->tab, w->cap, name) : NULL;

		/* a typedef may still be overridden by a struct further on,
		 * but the engine's names are struct tags, found first */
		if (e && e->name && (kind != ENT_AGGREGATE || e->kind != ENT_ENUMERATOR))
			return e;
		if (index_next_cu(w) < 0)
			return (e && e->name) ? e : NULL;
	}
}

/* ------------------------------------------------------------ types */

/* Follow DW_AT_type through typedefs and qualifiers. */
static int strip_type(Dwarf_Die *in, Dwarf_Die *out)
{
	Dwarf_Die cur = *in;
	int i;

	for (i = 0; i < LAYOUT_MAX_TYPE_CHAIN; i++) {
		switch (dwarf_tag(&cur)) {
		case DW_TAG_typedef:
		case DW_TAG_const_type:
		case DW_TAG_volatile_type:
		case DW_TAG_restrict_type:
		case DW_TAG_atomic_type: {
			Dwarf_Attribute a;

			if (!dwarf_attr_integrate(&cur, DW_AT_type, &a) ||
			    !dwarf_formref_die(&a, &cur))
				return -1;
			break;
		}
		default:
			*out = cur;
			return 0;
		}
	}
	return -1;
}

static int type_of(Dwarf_Die *d, Dwarf_Die *out)
{
	Dwarf_Attribute a;
	Dwarf_Die t;

	if (!dwarf_attr_integrate(d, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
		return -1;
	return strip_type(&t, out);
}

static int is_aggregate(Dwarf_Die *d)
{
	int tag = dwarf_tag(d);

	return tag == DW_TAG_structure_type || tag == DW_TAG_union_type;
}

/* a member's byte offset; a bitfield's is the byte holding its first bit
 * (gcc's DWARF 5 gives bitfields DW_AT_data_bit_offset instead of
 * DW_AT_data_member_location, as BTF gives every member a bit offset) */
static long member_location(Dwarf_Die *m)
{
	Dwarf_Attribute a;
	Dwarf_Word off;

	if (dwarf_attr(m, DW_AT_data_bit_offset, &a))
		return dwarf_formudata(&a, &off) == 0 ? (long)(off / 8) : -1;
	if (!dwarf_attr(m, DW_AT_data_member_location, &a))
		return 0;	/* union members */
	if (dwarf_formudata(&a, &off) != 0)
		return -1;	/* location expressions: not emitted by gcc >= 4 */
	return (long)off;
}

/*
 * Find a member by name in a struct/union, descending into anonymous
 * members (as gdb does for "p &((struct mm_struct *)0)->pgd").
 */
static int find_member(Dwarf_Die *agg, const char *name, size_t len,
		       long *off, Dwarf_Die *out, int depth)
{
	Dwarf_Die ch;

	if (depth > LAYOUT_MAX_ANON_DEPTH || dwarf_child(agg, &ch) != 0)
		return -1;
	do {
		const char *mn;
		long mo;
		Dwarf_Die t;

		if (dwarf_tag(&ch) != DW_TAG_member)
			continue;
		mn = dwarf_diename(&ch);
		mo = member_location(&ch);
		if (mo < 0)
			continue;
		if (mn && strlen(mn) == len && !memcmp(mn, name, len)) {
			*off = mo;
			*out = ch;
			return 0;
		}
		if (!mn && type_of(&ch, &t) == 0 && is_aggregate(&t)) {
			long sub;

			if (find_member(&t, name, len, &sub, out, depth + 1) == 0) {
				*off = mo + sub;
				return 0;
			}
		}
	} while (dwarf_siblingof(&ch, &ch) == 0);
	return -1;
}

static int aggregate_die(struct dw *w, const char *type, Dwarf_Die *out)
{
	struct ent *e = lookup(w, type, ENT_AGGREGATE);

	if (!e || e->kind == ENT_ENUMERATOR)
		return -1;
	if (strip_type(&e->die, out) < 0 || !is_aggregate(out))
		return -1;
	return 0;
}

/* Resolve a dotted member path; the member's DIE goes to *mdie. */
static long resolve_path(struct dw *w, const char *type, const char *path,
			 Dwarf_Die *mdie)
{
	Dwarf_Die agg;
	long total = 0;
	int parts = 0;

	if (aggregate_die(w, type, &agg) < 0)
		return -1;
	for (;;) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		long off;

		if (len == 0 || ++parts > LAYOUT_MAX_PATH_PARTS ||
		    find_member(&agg, path, len, &off, mdie, 0) < 0)
			return -1;
		total += off;
		if (!dot)
			return total;
		if (type_of(mdie, &agg) < 0 || !is_aggregate(&agg))
			return -1;
		path = dot + 1;
	}
}

static long dw_member_offset(struct dw *w, const char *type, const char *member)
{
	Dwarf_Die m;

	return resolve_path(w, type, member, &m);
}

static long dw_member_size(struct dw *w, const char *type, const char *member)
{
	Dwarf_Die m, t;
	Dwarf_Word sz;

	if (resolve_path(w, type, member, &m) < 0 || type_of(&m, &t) < 0 ||
	    dwarf_aggregate_size(&t, &sz) != 0)
		return -1;
	return (long)sz;
}

static long dw_type_size(struct dw *w, const char *type)
{
	Dwarf_Die d;
	Dwarf_Word sz;

	if (aggregate_die(w, type, &d) < 0 || dwarf_aggregate_size(&d, &sz) != 0)
		return -1;
	return (long)sz;
}

static int dw_enum_value(struct dw *w, const char *name, long *value)
{
	struct ent *e = lookup(w, name, ENT_ENUMERATOR);

	/* an enumerator may share its name with a type only in theory;
	 * keep indexing until an enumerator turns up */
	while (e && e->kind != ENT_ENUMERATOR) {
		if (index_next_cu(w) < 0)
			return -1;
		e = slot_of(w->tab, w->cap, name);
	}
	if (!e)
		return -1;
	*value = e->value;
	return 0;
}


/* ------------------------------------------------------------ source */

static long op_member_offset(void *priv, const char *type, const char *member)
{
	return dw_member_offset(priv, type, member);
}

static long op_member_size(void *priv, const char *type, const char *member)
{
	return dw_member_size(priv, type, member);
}

static long op_type_size(void *priv, const char *type)
{
	return dw_type_size(priv, type);
}

static int op_enum_value(void *priv, const char *name, long *value)
{
	return dw_enum_value(priv, name, value);
}

static void op_close(void *priv)
{
	struct dw *w = priv;

	if (w->dbg)
		dwarf_end(w->dbg);
	free(w->tab);
	free(w);
}

struct layout_src *layout_dwarf_open(void *elf, char *err, size_t errlen)
{
	struct layout_src *s = calloc(1, sizeof(*s));
	struct dw *w = calloc(1, sizeof(*w));

	if (!s || !w) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	w->dbg = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!w->dbg) {
		snprintf(err, errlen, "no DWARF debuginfo (%s)", dwarf_errmsg(-1));
		goto fail;
	}
	*s = (struct layout_src){
		.name = "dwarf", .priv = w,
		.member_offset = op_member_offset, .member_size = op_member_size,
		.type_size = op_type_size, .enum_value = op_enum_value,
		.close = op_close,
	};
	return s;
fail:
	free(w);
	free(s);
	return NULL;
}
