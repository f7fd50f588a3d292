/*
 * The kernel's debuginfo for thpscan: a vmlinux (libelf for the symbol
 * table, build-id and segments; layouts from its DWARF or .BTF), or what
 * a dump holds of itself (kdw_open_parts: symbols and BTF read by the
 * backend), with the memo of earlier answers in front.  See debuginfo.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gelf.h>
#include <elfutils/libdwelf.h>
#include "debuginfo.h"
#include "layout.h"
#include "tc.h"

struct memo_ent;

struct kdw {
	char *path;		/* the vmlinux, or what the parts came from */
	int fd;
	Elf *elf;		/* NULL: parts of a dump */
	int big_endian;
	const char *arch;
	char build_id[2 * 64 + 1];
	uint64_t img_start, img_end;
	struct layout_src *lay;	/* NULL: the memo alone (or not loaded yet) */
	/* the parts' loader, called at the first question the memo cannot
	 * answer (a warm memo spares reading the dump's BTF) */
	struct layout_src *(*load_layouts)(void *priv, char *why, size_t len);
	void *load_priv;
	int lay_used, sym_used;	/* a question reached the source */
	/* symbols: the vmlinux's .symtab by name, built on the first
	 * look-up, or the parts' look-up */
	struct sym { const char *name; uint64_t addr; } *syms;
	size_t symcap;
	int syms_built;
	int (*sym_lookup)(void *priv, const char *name, uint64_t *addr);
	int (*sym_complete)(void *priv);
	void *sym_priv;
	/* answers kept across runs (see "memo" below) */
	struct memo_ent *memo;
	size_t nmemo, capmemo;
	int memo_dirty;
	char *memo_path;
};

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

/* the raw bytes of the section called name (NULL when there is none) */
static const void *section_bytes(Elf *elf, const char *name, size_t *size)
{
	Elf_Scn *scn = NULL;
	size_t shstr;

	if (elf_getshdrstrndx(elf, &shstr) != 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || !(n = elf_strptr(elf, shstr, sh.sh_name)) ||
		    strcmp(n, name) || sh.sh_type == SHT_NOBITS ||
		    !(data = elf_rawdata(scn, NULL)))
			continue;
		*size = data->d_size;
		return data->d_buf;
	}
	return NULL;
}

/* DWARF if the vmlinux has it, else its .BTF, else the memo of an
 * earlier scan of its build-id (with a reason when none is there) */
static int choose_layouts(struct kdw *w, char *err, size_t errlen)
{
	char why[200], bwhy[200];
	const void *btf;
	size_t size;

	w->lay = layout_dwarf_open(w->elf, why, sizeof(why));
	if (w->lay)
		return 0;
	btf = section_bytes(w->elf, ".BTF", &size);
	if (btf) {
		w->lay = layout_btf_open(btf, size, bwhy, sizeof(bwhy));
		if (w->lay)
			return 0;
	}
	if (w->nmemo)
		return 0;
	snprintf(err, errlen, "%s, %s and no layouts remembered for its build-id; "
		 "a vmlinux with debuginfo is needed", why,
		 btf ? bwhy : "no .BTF");
	return -1;
}

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
	if (choose_layouts(w, err, errlen) < 0)
		goto fail;
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

struct kdw *kdw_open_parts(const struct kdw_parts *p, char *err, size_t errlen)
{
	struct kdw *w = calloc(1, sizeof(*w));

	if (!w || !(w->path = strdup(p->what))) {
		snprintf(err, errlen, "out of memory");
		free(w);
		return NULL;
	}
	w->fd = -1;
	w->arch = p->arch;
	w->big_endian = p->big_endian;
	snprintf(w->build_id, sizeof(w->build_id), "%s", p->build_id);
	w->sym_lookup = p->symbol;
	w->sym_complete = p->symbols_complete;
	w->sym_priv = p->priv;
	memo_load(w);
	if (w->nmemo) {
		w->load_layouts = p->load_layouts;
		w->load_priv = p->priv;
		return w;
	}
	/* nothing remembered: the layouts must be there now */
	w->lay = p->load_layouts(p->priv, err, errlen);
	if (!w->lay) {
		snprintf(err + strlen(err), errlen - strlen(err), "%s%s",
			 w->build_id[0] ? " and no layouts remembered for build-id " : "",
			 w->build_id);
		kdw_close(w);
		return NULL;
	}
	return w;
}

void kdw_set_image_range(struct kdw *w, uint64_t start, uint64_t end)
{
	w->img_start = start;
	w->img_end = end;
}

void kdw_close(struct kdw *w)
{
	if (!w)
		return;
	layout_close(w->lay);
	if (w->elf)
		elf_end(w->elf);
	if (w->fd >= 0)
		close(w->fd);
	free(w->syms);
	free(w->memo);
	free(w->memo_path);
	free(w->path);
	free(w);
}

const char *kdw_layout_source(const struct kdw *w)
{
	return w->lay && w->lay_used ? w->lay->name : "memo";
}

const char *kdw_symbol_source(const struct kdw *w)
{
	return !w->sym_used ? "memo" : w->elf ? "elf" : "kallsyms";
}

/* the layouts behind the memo, loaded on first need (parts) */
static struct layout_src *layouts(struct kdw *w)
{
	char why[320];

	if (!w->lay && w->load_layouts) {
		w->lay = w->load_layouts(w->load_priv, why, sizeof(why));
		w->load_layouts = NULL;
	}
	return w->lay;
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
	size_t i = layout_hash(name) & (cap - 1), k;

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

	if (!w->elf) {
		if (w->sym_lookup(w->sym_priv, name, addr) < 0)
			return -1;
		w->sym_used = 1;
		return 0;
	}
	w->sym_used = 1;
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
	const char *raw = w->elf ? elf_rawfile(w->elf, &fsize) : NULL;

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

/*
 * "Not there" is remembered only from a complete source: a kernel
 * without CONFIG_KALLSYMS_ALL has no data symbols in kallsyms, and a
 * remembered "no init_task" would fail a later scan of the same build-id
 * with its vmlinux.  Layouts always are: DWARF and the kernel's own BTF
 * (pahole's copy of the same DWARF) both know every struct and enum.
 */
static void memo_add(struct kdw *w, const char *key, int ok, uint64_t value,
		     int complete)
{
	if (!ok && !complete)
		return;
	memo_put(w, key, ok, value);
	w->memo_dirty = 1;
}

/* a vmlinux's symbol table has every symbol; kallsyms does when it has
 * the data symbols too */
static int symbols_complete(const struct kdw *w)
{
	return w->elf || (w->sym_complete && w->sym_complete(w->sym_priv));
}

static long memo_long(struct kdw *w, const char *kind, const char *type,
		      const char *member,
		      long (*ask)(struct layout_src *, const char *, const char *))
{
	char key[160];
	uint64_t v;
	long r;
	int keyed = memo_key(key, sizeof(key), kind, type, member) == 0;

	if (keyed)
		switch (memo_get(w, key, &v)) {
		case 1:
			return (long)v;
		case -1:
			return -1;
		}
	if (!layouts(w))
		return -1;
	w->lay_used = 1;
	r = ask(w->lay, type, member);
	if (keyed)
		memo_add(w, key, r >= 0, (uint64_t)r, 1);
	return r;
}

static long ask_member_offset(struct layout_src *s, const char *type,
			      const char *member)
{
	return s->member_offset(s->priv, type, member);
}

static long ask_member_size(struct layout_src *s, const char *type,
			    const char *member)
{
	return s->member_size(s->priv, type, member);
}

static long ask_type_size(struct layout_src *s, const char *type,
			  const char *unused)
{
	(void)unused;
	return s->type_size(s->priv, type);
}

long kdw_member_offset(struct kdw *w, const char *type, const char *member)
{
	return memo_long(w, "off", type, member, ask_member_offset);
}

long kdw_member_size(struct kdw *w, const char *type, const char *member)
{
	return memo_long(w, "msz", type, member, ask_member_size);
}

long kdw_type_size(struct kdw *w, const char *type)
{
	return memo_long(w, "sz", type, NULL, ask_type_size);
}

static int ask_enum(struct kdw *w, const char *name, long *value)
{
	if (!layouts(w))
		return -1;
	w->lay_used = 1;
	return w->lay->enum_value(w->lay->priv, name, value);
}

int kdw_enum_value(struct kdw *w, const char *name, long *value)
{
	char key[160];
	uint64_t v;
	int rc;

	if (memo_key(key, sizeof(key), "enum", name, NULL) < 0)
		return ask_enum(w, name, value);
	switch (memo_get(w, key, &v)) {
	case 1:
		*value = (long)v;
		return 0;
	case -1:
		return -1;
	}
	rc = ask_enum(w, name, value);
	if (w->lay)
		memo_add(w, key, rc == 0, rc == 0 ? (uint64_t)*value : 0, 1);
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
	memo_add(w, key, rc == 0, rc == 0 ? *addr : 0, symbols_complete(w));
	return rc;
}

/* the types every scan asks for, deepest first (maple_node lives some
 * 1,600 compile units into an s390x vmlinux): asked through the memo,
 * so a warm one spares the DWARF index */
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
