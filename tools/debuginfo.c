/*
 * vmlinux debuginfo for thpscan: libelf for the symbol table, build-id
 * and segments, libdw for struct layouts.  See debuginfo.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gelf.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include "debuginfo.h"
#include "tc.h"

/* bounds against malformed DWARF */
#define MAX_TYPE_CHAIN	32	/* typedef -> const -> ... -> struct */
#define MAX_ANON_DEPTH	8	/* anonymous struct in union in struct ... */
#define MAX_PATH_PARTS	8	/* "a.b.c" */

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

/* ------------------------------------------------------------ index */

static size_t hash_name(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static struct ent *slot_of(struct ent *tab, size_t cap, const char *name)
{
	size_t i = hash_name(name) & (cap - 1), k;

	for (k = 0; k < cap; k++, i = (i + 1) & (cap - 1))
		if (!tab[i].name || !strcmp(tab[i].name, name))
			return &tab[i];
	return NULL;
}

static int grow(struct kdw *w)
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
static void add_ent(struct kdw *w, const char *name, enum ent_kind kind,
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

static void index_enumerators(struct kdw *w, Dwarf_Die *en)
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

static void index_die(struct kdw *w, Dwarf_Die *d)
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
static int index_next_cu(struct kdw *w)
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

static struct ent *lookup(struct kdw *w, const char *name, enum ent_kind kind)
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

	for (i = 0; i < MAX_TYPE_CHAIN; i++) {
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

static long member_location(Dwarf_Die *m)
{
	Dwarf_Attribute a;
	Dwarf_Word off;

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

	if (depth > MAX_ANON_DEPTH || dwarf_child(agg, &ch) != 0)
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

static int aggregate_die(struct kdw *w, const char *type, Dwarf_Die *out)
{
	struct ent *e = lookup(w, type, ENT_AGGREGATE);

	if (!e || e->kind == ENT_ENUMERATOR)
		return -1;
	if (strip_type(&e->die, out) < 0 || !is_aggregate(out))
		return -1;
	return 0;
}

/* Resolve a dotted member path; the member's DIE goes to *mdie. */
static long resolve_path(struct kdw *w, const char *type, const char *path,
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

		if (len == 0 || ++parts > MAX_PATH_PARTS ||
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

static long dw_member_offset(struct kdw *w, const char *type, const char *member)
{
	Dwarf_Die m;

	return resolve_path(w, type, member, &m);
}

static long dw_member_size(struct kdw *w, const char *type, const char *member)
{
	Dwarf_Die m, t;
	Dwarf_Word sz;

	if (resolve_path(w, type, member, &m) < 0 || type_of(&m, &t) < 0 ||
	    dwarf_aggregate_size(&t, &sz) != 0)
		return -1;
	return (long)sz;
}

static long dw_type_size(struct kdw *w, const char *type)
{
	Dwarf_Die d;
	Dwarf_Word sz;

	if (aggregate_die(w, type, &d) < 0 || dwarf_aggregate_size(&d, &sz) != 0)
		return -1;
	return (long)sz;
}

static int dw_enum_value(struct kdw *w, const char *name, long *value)
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

void kdw_index_stats(const struct kdw *w, size_t *indexed, size_t *types)
{
	*indexed = w->cus;
	*types = w->n;
}

/* ------------------------------------------------------------ ELF */

/* the registry's name of the vmlinux's arch (libkdumpfile's, as the
 * dump is named); NULL for an arch thpcheck does not read */
static const char *arch_of(GElf_Ehdr *eh)
{
	const struct tc_arch *a = tc_arch_by_elf_machine(eh->e_machine);

	return a && eh->e_ident[EI_CLASS] == ELFCLASS64 ? a->kdump_name : NULL;
}

static void build_id_hex(Elf *elf, char *hex, size_t len)
{
	const void *id;
	ssize_t n = dwelf_elf_gnu_build_id(elf, &id), i;

	if (len)
		hex[0] = 0;
	for (i = 0; i < n && (size_t)(2 * i + 2) < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", ((const unsigned char *)id)[i]);
}

static void read_build_id(struct kdw *w)
{
	build_id_hex(w->elf, w->build_id, sizeof(w->build_id));
}

int kdw_peek_build_id(const char *path, char *hex, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;
	Elf *elf;

	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF) {
		build_id_hex(elf, hex, len);
		rc = hex[0] ? 0 : -1;
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return rc;
}

/*
 * The kernel image's VA range: its PT_LOAD segments mapped like the text
 * (the same vaddr - paddr).  x86_64's .data..percpu segment is linked at
 * VA 0 (arch/x86/kernel/vmlinux.lds.S PERCPU_VADDR): not image addresses.
 */
static void read_image_range(struct kdw *w)
{
	size_t np, i;
	uint64_t delta = 0;
	int have_delta = 0;

	w->img_start = UINT64_MAX;
	w->img_end = 0;
	if (elf_getphdrnum(w->elf, &np) != 0)
		np = 0;
	for (i = 0; i < np && !have_delta; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(w->elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    (ph.p_flags & PF_X)) {
			delta = ph.p_vaddr - ph.p_paddr;
			have_delta = 1;
		}
	}
	for (i = 0; i < np; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(w->elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    (have_delta && ph.p_vaddr - ph.p_paddr != delta))
			continue;
		if (ph.p_vaddr < w->img_start)
			w->img_start = ph.p_vaddr;
		if (ph.p_vaddr + ph.p_memsz > w->img_end)
			w->img_end = ph.p_vaddr + ph.p_memsz;
	}
	if (w->img_start > w->img_end)
		w->img_start = w->img_end = 0;
}

static void memo_load(struct kdw *w);

struct kdw *kdw_open(const char *path, char *err, size_t errlen)
{
	struct kdw *w;
	GElf_Ehdr eh;
	struct stat st;

	elf_version(EV_CURRENT);
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (w->fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	if (fstat(w->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "is a directory");
		goto fail;
	}
	w->elf = elf_begin(w->fd, ELF_C_READ_MMAP, NULL);
	if (!w->elf || elf_kind(w->elf) != ELF_K_ELF || !gelf_getehdr(w->elf, &eh)) {
		snprintf(err, errlen, "not an ELF file");
		goto fail;
	}
	w->big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
	w->arch = arch_of(&eh);
	read_build_id(w);
	read_image_range(w);
	memo_load(w);
	w->dbg = dwarf_begin_elf(w->elf, DWARF_C_READ, NULL);
	if (!w->dbg) {
		snprintf(err, errlen, "no DWARF debuginfo (%s); a vmlinux with debuginfo is needed",
			 dwarf_errmsg(-1));
		goto fail;
	}
	w->path = strdup(path);
	if (!w->path) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return w;
fail:
	kdw_close(w);
	return NULL;
}

void kdw_close(struct kdw *w)
{
	if (!w)
		return;
	if (w->dbg)
		dwarf_end(w->dbg);
	if (w->elf)
		elf_end(w->elf);
	if (w->fd >= 0)
		close(w->fd);
	free(w->tab);
	free(w->syms);
	free(w->memo);
	free(w->memo_path);
	free(w->path);
	free(w);
}

const char *kdw_path(const struct kdw *w)
{
	return w->path;
}

const char *kdw_arch(const struct kdw *w)
{
	return w->arch;
}

int kdw_big_endian(const struct kdw *w)
{
	return w->big_endian;
}

const char *kdw_build_id(const struct kdw *w)
{
	return w->build_id;
}

void kdw_image_range(const struct kdw *w, uint64_t *start, uint64_t *end)
{
	*start = w->img_start;
	*end = w->img_end;
}

static struct sym *sym_slot(struct sym *tab, size_t cap, const char *name)
{
	size_t i = hash_name(name) & (cap - 1), k;

	for (k = 0; k < cap; k++, i = (i + 1) & (cap - 1))
		if (!tab[i].name || !strcmp(tab[i].name, name))
			return &tab[i];
	return NULL;
}

/* One pass over .symtab into a hash table (first definition wins):
 * the engine asks for a handful of names, each a 150,000-entry scan
 * otherwise. */
static void build_symbols(struct kdw *w)
{
	Elf_Scn *scn = NULL;

	w->syms_built = 1;
	while ((scn = elf_nextscn(w->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t i, n, cap = 1024;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
			continue;
		n = sh.sh_size / sh.sh_entsize;
		while (cap < 2 * n)
			cap *= 2;
		free(w->syms);
		w->syms = calloc(cap, sizeof(*w->syms));
		if (!w->syms)
			return;
		w->symcap = cap;
		for (i = 1; i < n; i++) {
			GElf_Sym sym;
			const char *name;
			struct sym *e;

			if (!gelf_getsym(data, (int)i, &sym) ||
			    sym.st_shndx == SHN_UNDEF)
				continue;
			name = elf_strptr(w->elf, sh.sh_link, sym.st_name);
			if (!name || !*name || !(e = sym_slot(w->syms, cap, name)) ||
			    e->name)
				continue;
			e->name = name;
			e->addr = sym.st_value;
		}
		return;		/* a vmlinux has one .symtab */
	}
}

static int elf_symbol(struct kdw *w, const char *name, uint64_t *addr)
{
	struct sym *e;

	if (!w->syms_built)
		build_symbols(w);
	if (!w->syms || !(e = sym_slot(w->syms, w->symcap, name)) || !e->name)
		return -1;
	*addr = e->addr;
	return 0;
}

int kdw_read_image(struct kdw *w, uint64_t addr, void *buf, size_t len)
{
	size_t np, i, fsize;
	const char *raw = elf_rawfile(w->elf, &fsize);

	if (!raw || elf_getphdrnum(w->elf, &np) != 0)
		return -1;
	for (i = 0; i < np; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(w->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (addr < ph.p_vaddr || addr - ph.p_vaddr > ph.p_filesz ||
		    len > ph.p_filesz - (addr - ph.p_vaddr))
			continue;
		if (ph.p_offset + (addr - ph.p_vaddr) + len > fsize)
			return -1;
		memcpy(buf, raw + ph.p_offset + (addr - ph.p_vaddr), len);
		return 0;
	}
	return -1;
}

/* ------------------------------------------------------------ memo */

/*
 * Answers kept across runs.  The engine asks every dump the same few
 * dozen layout and symbol questions, and one vmlinux (one build-id)
 * always answers them the same way; a warm memo spares the DWARF index,
 * which is most of a scan (0.6-0.9 s and ~140 MiB of mapped debuginfo
 * per s390x vmlinux).  File DIR/BUILD-ID.layout, DIR from
 * $THPSCAN_LAYOUT_CACHE ("off" or empty: no memo), else
 * $XDG_CACHE_HOME/thpscan, else ~/.cache/thpscan.  Text: a header line
 * "thpscan-layout 2 BUILD-ID", then "KEY VALUE" lines (VALUE a number,
 * or "-" for "no such thing").  A file that does not parse is ignored.
 */
/* 2: enumerators of unsigned enums are no longer sign-extended */
#define MEMO_MAGIC	"thpscan-layout 2"
#define MEMO_MAX	4096

struct memo_ent {
	char key[120];
	int ok;
	uint64_t value;
};

static int memo_dir(char *buf, size_t len)
{
	const char *d = getenv("THPSCAN_LAYOUT_CACHE"), *x;

	if (d)
		return !*d || !strcmp(d, "off") ? -1 :
		       (snprintf(buf, len, "%s", d) < (int)len ? 0 : -1);
	if ((x = getenv("XDG_CACHE_HOME")) && *x)
		return snprintf(buf, len, "%s/thpscan", x) < (int)len ? 0 : -1;
	if ((x = getenv("HOME")) && *x)
		return snprintf(buf, len, "%s/.cache/thpscan", x) < (int)len ? 0 : -1;
	return -1;
}

static struct memo_ent *memo_find(struct kdw *w, const char *key)
{
	size_t i;

	for (i = 0; i < w->nmemo; i++)
		if (!strcmp(w->memo[i].key, key))
			return &w->memo[i];
	return NULL;
}

static void memo_put(struct kdw *w, const char *key, int ok, uint64_t value)
{
	struct memo_ent *m;

	if (strlen(key) >= sizeof(m->key) || w->nmemo >= MEMO_MAX)
		return;
	if (w->nmemo == w->capmemo) {
		size_t ncap = w->capmemo ? 2 * w->capmemo : 64;

		m = realloc(w->memo, ncap * sizeof(*m));
		if (!m)
			return;
		w->memo = m;
		w->capmemo = ncap;
	}
	m = &w->memo[w->nmemo++];
	snprintf(m->key, sizeof(m->key), "%s", key);
	m->ok = ok;
	m->value = value;
}

static void memo_load(struct kdw *w)
{
	char dir[2048], line[256], want[200], key[120], val[40];
	FILE *f;
	size_t n;

	if (!w->build_id[0] || memo_dir(dir, sizeof(dir)) < 0)
		return;
	n = strlen(dir) + strlen(w->build_id) + 16;
	w->memo_path = malloc(n);
	if (!w->memo_path)
		return;
	snprintf(w->memo_path, n, "%s/%s.layout", dir, w->build_id);
	f = fopen(w->memo_path, "r");
	if (!f)
		return;
	snprintf(want, sizeof(want), MEMO_MAGIC " %s\n", w->build_id);
	if (!fgets(line, sizeof(line), f) || strcmp(line, want))
		goto out;
	while (fgets(line, sizeof(line), f)) {
		char *end;
		uint64_t v = 0;

		if (sscanf(line, "%119s %39s", key, val) != 2)
			goto bad;
		if (strcmp(val, "-")) {
			errno = 0;
			v = strtoull(val, &end, 0);
			if (errno || *end)
				goto bad;
		}
		memo_put(w, key, strcmp(val, "-") != 0, v);
	}
	goto out;
bad:
	w->nmemo = 0;		/* all or nothing */
out:
	fclose(f);
}

int kdw_save_memo(struct kdw *w)
{
	char tmp[4200], *slash;
	FILE *f;
	size_t i;

	if (!w->memo_dirty || !w->memo_path)
		return 0;
	/* the directory and its parent (~/.cache), as mkdir -p would */
	snprintf(tmp, sizeof(tmp), "%s", w->memo_path);
	slash = strrchr(tmp, '/');
	if (slash) {
		*slash = 0;
		if (mkdir(tmp, 0755) < 0 && errno == ENOENT) {
			char *up = strrchr(tmp, '/');

			if (up) {
				*up = 0;
				mkdir(tmp, 0755);
				*up = '/';
			}
			mkdir(tmp, 0755);
		}
	}
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", w->memo_path, (long)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, MEMO_MAGIC " %s\n", w->build_id);
	for (i = 0; i < w->nmemo; i++)
		if (w->memo[i].ok)
			fprintf(f, "%s %#llx\n", w->memo[i].key,
				(unsigned long long)w->memo[i].value);
		else
			fprintf(f, "%s -\n", w->memo[i].key);
	if (fclose(f) != 0 || rename(tmp, w->memo_path) < 0) {
		unlink(tmp);
		return -1;
	}
	w->memo_dirty = 0;
	return 0;
}

/* the memo's answer for key, else ask(), remembered */
static int memo_key(char *key, size_t len, const char *kind, const char *a,
		    const char *b)
{
	return snprintf(key, len, "%s:%s:%s", kind, a, b ? b : "") < (int)len &&
	       !strpbrk(key, " \t\n") ? 0 : -1;
}

static int memo_get(struct kdw *w, const char *key, uint64_t *value)
{
	const struct memo_ent *m = memo_find(w, key);

	if (!m)
		return 0;
	*value = m->value;
	return m->ok ? 1 : -1;
}

static void memo_add(struct kdw *w, const char *key, int ok, uint64_t value)
{
	memo_put(w, key, ok, value);
	w->memo_dirty = 1;
}

static long memo_long(struct kdw *w, const char *kind, const char *type,
		      const char *member,
		      long (*ask)(struct kdw *, const char *, const char *))
{
	char key[160];
	uint64_t v;
	long r;

	if (memo_key(key, sizeof(key), kind, type, member) < 0)
		return ask(w, type, member);
	switch (memo_get(w, key, &v)) {
	case 1:
		return (long)v;
	case -1:
		return -1;
	}
	r = ask(w, type, member);
	memo_add(w, key, r >= 0, (uint64_t)r);
	return r;
}

static long ask_type_size(struct kdw *w, const char *type, const char *unused)
{
	(void)unused;
	return dw_type_size(w, type);
}

long kdw_member_offset(struct kdw *w, const char *type, const char *member)
{
	return memo_long(w, "off", type, member, dw_member_offset);
}

long kdw_member_size(struct kdw *w, const char *type, const char *member)
{
	return memo_long(w, "msz", type, member, dw_member_size);
}

long kdw_type_size(struct kdw *w, const char *type)
{
	return memo_long(w, "sz", type, NULL, ask_type_size);
}

int kdw_enum_value(struct kdw *w, const char *name, long *value)
{
	char key[160];
	uint64_t v;
	int rc;

	if (memo_key(key, sizeof(key), "enum", name, NULL) < 0)
		return dw_enum_value(w, name, value);
	switch (memo_get(w, key, &v)) {
	case 1:
		*value = (long)v;
		return 0;
	case -1:
		return -1;
	}
	rc = dw_enum_value(w, name, value);
	memo_add(w, key, rc == 0, rc == 0 ? (uint64_t)*value : 0);
	return rc;
}

int kdw_symbol(struct kdw *w, const char *name, uint64_t *addr)
{
	char key[160];
	int rc;

	if (memo_key(key, sizeof(key), "sym", name, NULL) < 0)
		return elf_symbol(w, name, addr);
	switch (memo_get(w, key, addr)) {
	case 1:
		return 0;
	case -1:
		return -1;
	}
	rc = elf_symbol(w, name, addr);
	memo_add(w, key, rc == 0, rc == 0 ? *addr : 0);
	return rc;
}

void kdw_prewarm(struct kdw *w)
{
	static const char *const types[] = {
		"task_struct", "mm_struct", "vm_area_struct", "maple_tree",
		"maple_node", "uts_namespace", "new_utsname", "page",
	};
	uint64_t a;
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		kdw_type_size(w, types[i]);
	kdw_symbol(w, "init_task", &a);	/* builds the symbol index */
}
