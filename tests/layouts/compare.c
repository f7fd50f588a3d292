/*
 * Every question the engine asked, answered by every source thpscan has
 * for one kernel: the vmlinux's DWARF and symbol table, the vmlinux's
 * .BTF, and the dump's own BTF and kallsyms (kd_attach_dump).
 *
 *   debuginfo-compare VMLINUX VMCORE QUESTIONS
 *
 * QUESTIONS is a layout memo a scan with the DWARF wrote
 * ($THPSCAN_LAYOUT_CACHE/BUILD-ID.layout): its keys are the questions.
 * Prints one line per answer that differs and "N questions, N differ";
 * exit 0 when none differ, 1 when some do, 2 when a source is missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <gelf.h>
#include "backend_kdump.h"
#include "debuginfo.h"
#include "layout.h"

struct answer { int ok; long long v; };

/* one question of the memo's key syntax (debuginfo.c memo_key) */
static struct answer ask_kdw(struct kdw *w, const char *kind, const char *a,
			     const char *b)
{
	struct answer r = { 0, 0 };
	long v = -1;
	uint64_t addr;

	if (!strcmp(kind, "off"))
		v = kdw_member_offset(w, a, b);
	else if (!strcmp(kind, "msz"))
		v = kdw_member_size(w, a, b);
	else if (!strcmp(kind, "sz"))
		v = kdw_type_size(w, a);
	else if (!strcmp(kind, "enum")) {
		r.ok = kdw_enum_value(w, a, &v) == 0;
		r.v = r.ok ? v : 0;
		return r;
	} else if (!strcmp(kind, "sym")) {
		r.ok = kdw_symbol(w, a, &addr) == 0;
		r.v = r.ok ? (long long)addr : 0;
		return r;
	}
	r.ok = v >= 0;
	r.v = r.ok ? v : 0;
	return r;
}

static struct answer ask_src(struct layout_src *s, const char *kind,
			     const char *a, const char *b, int *asked)
{
	struct answer r = { 0, 0 };
	long v = -1;

	*asked = 1;
	if (!strcmp(kind, "off"))
		v = s->member_offset(s->priv, a, b);
	else if (!strcmp(kind, "msz"))
		v = s->member_size(s->priv, a, b);
	else if (!strcmp(kind, "sz"))
		v = s->type_size(s->priv, a);
	else if (!strcmp(kind, "enum")) {
		r.ok = s->enum_value(s->priv, a, &v) == 0;
		r.v = r.ok ? v : 0;
		return r;
	} else {
		*asked = 0;	/* symbols: not a layout question */
		return r;
	}
	r.ok = v >= 0;
	r.v = r.ok ? v : 0;
	return r;
}

static struct layout_src *vmlinux_btf(const char *path)
{
	int fd = open(path, O_RDONLY);
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstr;
	struct layout_src *s = NULL;
	char err[200];

	elf_version(EV_CURRENT);
	if (fd < 0 || !(elf = elf_begin(fd, ELF_C_READ_MMAP, NULL)) ||
	    elf_getshdrstrndx(elf, &shstr) != 0)
		return NULL;
	while (!s && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;
		Elf_Data *d;

		if (gelf_getshdr(scn, &sh) && (n = elf_strptr(elf, shstr, sh.sh_name)) &&
		    !strcmp(n, ".BTF") && (d = elf_rawdata(scn, NULL)))
			s = layout_btf_open(d->d_buf, d->d_size, err, sizeof(err));
	}
	elf_end(elf);
	close(fd);
	return s;
}

static void show(const char *who, struct answer x)
{
	if (x.ok)
		printf(" %s=%#llx", who, x.v);
	else
		printf(" %s=-", who);
}

int main(int argc, char **argv)
{
	char err[512], line[300];
	struct kdw *dw;
	struct kd_dump d;
	struct layout_src *vbtf;
	FILE *q;
	int n = 0, bad = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: %s VMLINUX VMCORE QUESTIONS\n", argv[0]);
		return 2;
	}
	setenv("THPSCAN_LAYOUT_CACHE", "off", 1);	/* every answer asked */
	if (!(dw = kdw_open(argv[1], err, sizeof(err)))) {
		fprintf(stderr, "%s: %s\n", argv[1], err);
		return 2;
	}
	if (kd_open(&d, argv[2]) < 0 || kd_attach_dump(&d) < 0) {
		fprintf(stderr, "%s: %s\n", argv[2], d.err);
		return 2;
	}
	vbtf = vmlinux_btf(argv[1]);
	q = fopen(argv[3], "r");
	if (!q || !fgets(line, sizeof(line), q)) {
		fprintf(stderr, "%s: no questions\n", argv[3]);
		return 2;
	}
	while (fgets(line, sizeof(line), q)) {
		char key[160], *kind, *a, *b;
		struct answer want, dump, v = { 0, 0 };
		int asked = 0;

		if (sscanf(line, "%159s", key) != 1)
			continue;
		kind = key;
		if (!(a = strchr(kind, ':')) || !(b = strchr(a + 1, ':')))
			continue;
		*a++ = 0;
		*b++ = 0;
		n++;
		want = ask_kdw(dw, kind, a, b);
		dump = ask_kdw(d.vml, kind, a, b);
		if (vbtf)
			v = ask_src(vbtf, kind, a, b, &asked);
		if (dump.ok != want.ok || dump.v != want.v ||
		    (asked && (v.ok != want.ok || v.v != want.v))) {
			bad++;
			printf("differs: %s %s%s%s:", kind, a, *b ? "." : "", b);
			show("dwarf", want);
			show("dump", dump);
			if (asked)
				show("vmlinux-btf", v);
			printf("\n");
		}
	}
	printf("sources that answered: %s/%s (vmlinux), %s (vmlinux .BTF), %s/%s (dump)\n",
	       kdw_layout_source(dw), kdw_symbol_source(dw), vbtf ? "btf" : "none",
	       kdw_layout_source(d.vml), kdw_symbol_source(d.vml));
	printf("%d questions, %d differ\n", n, bad);
	fclose(q);
	layout_close(vbtf);
	kd_close(&d);
	kdw_close(dw);
	return bad ? 1 : 0;
}
