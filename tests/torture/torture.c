/*
 * torture: the corruption campaign of make torture (tests/torture/run.sh).
 *
 *   torture scan  VMLINUX WORK RUNS SEED [TIMEOUT]
 *   torture crash VMLINUX WORK RUNS SEED TIMEOUT CMD
 *
 * VMLINUX "-": no vmlinux, the dump's own kallsyms and BTF, as thpscan
 * VMCORE reads them (kd_attach_dump; the layout memo off, so that every
 * variant decodes them), and the corruptions are also aimed at them.
 *   torture restore WORK
 *
 * WORK is a private, writable copy of a real vmcore, ELF or kdump, of
 * any architecture the engine reads (never a file under samples/out).  The driver opens the vmlinux once (its DWARF index
 * is what a thpscan run spends most of its time on), scans the pristine
 * copy once in-process to learn its targets (--tables inventory: table
 * pages, their struct pages, deposited tables and the segment tables
 * they hang on; the task list links, mm->pgd and the maple tree roots),
 * then for each variant:
 *   1. writes 1-6 corruptions into WORK, the original bytes first into
 *      WORK.journal (a run that dies is undone by the next one); in a
 *      kdump file the memory corruptions cannot be written in place
 *      (pages are compressed): they are laid over the pages the scan
 *      reads after decompression (the backend's read_phys, wrapped in
 *      the child), and the file itself gets the header and block
 *      corruptions;
 *   2. scan: forks a child that opens WORK the way thpscan does
 *      (kd_open, kd_attach, tc_init, tc_run, both formatters) under an
 *      alarm of TIMEOUT seconds;  crash: runs CMD (sh -c, $TORTURE_VMCORE
 *      = WORK) and wants exit 0 within TIMEOUT;
 *   3. restores the original bytes.
 * Outcome of a scan child: exit 1 findings, 0 clean, 2 a clear error
 * (its reason), a signal a crash, SIGALRM a hang.  The last line is
 *   torture: runs N findings N clean N errors N crashes N hangs N maxrss_kb N secs N
 * and every crash or hang is printed with its seed and writes, enough to
 * make it again.
 *
 * Corruptions (each an 8-byte write in the byte order of what it hits --
 * entries in the arch's entry order, other words in the dump's -- or a
 * zeroed range):
 *   bit flip, |0x400 (invalid), |0x020 (the segment-invalidation bug),
 *   list poison 0x100 / 0x122, a pointer to another table (or to the
 *   entry's own table: a cycle), a random value, a zeroed table or
 *   struct page; aimed at table entries, struct page words, deposit list
 *   heads, task list links, mm->pgd and maple tree roots; and, one in
 *   eight, 1-8 random bytes or a bit flip in the file itself: its first
 *   64 KiB (ELF headers and notes, VMCOREINFO; the diskdump headers and
 *   bitmaps) or anywhere (page data, compressed blocks, descriptors).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tc.h"
#include "debuginfo.h"
#include "backend_kdump.h"

#define MAX_TARGETS	200000
#define MAX_WRITES	64
#define AS_LIMIT	(6ULL << 30)	/* child address space: runaway allocation fails */

enum tkind { T_ENTRY, T_PAGE, T_LIST, T_PTR };

struct target {
	uint64_t pa;		/* table origin, struct page, or the word */
	uint32_t len;		/* bytes of the table / struct page, 8 for a word */
	enum tkind kind;
};

struct seg { uint64_t pa, off, size; };

static struct target *tg;
static size_t ntg;
static uint64_t *tables;	/* every table origin, for "pointer to another table" */
static size_t ntables;
static struct seg segs[64];
static size_t nsegs;
static int work_fd = -1;
static const char *work_path;
static uint64_t ident_base, file_size;
/* the byte order of table entries and of other words in the dump */
static int be_entries, be_words;
/* kdump files: memory corruptions are an overlay on the pages read, the
 * pristine values come from pd, a dump opened once */
static int kdump_mode;
static struct kd_dump pd;

/* one write of the current variant, with the original bytes (file
 * writes) or the bytes laid over memory at pa (overlay, kdump files) */
struct wr {
	uint64_t off, pa;
	uint32_t len;
	int overlay;
	unsigned char *orig, *data;
	char what[96];
};
static struct wr wrs[MAX_WRITES];
static size_t nwrs;

/* ------------------------------------------------------------ random */

static uint64_t rng;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rndn(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* ------------------------------------------------------------ file */

static void die(const char *fmt, const char *a)
{
	fprintf(stderr, "torture: ");
	fprintf(stderr, fmt, a);
	fputc('\n', stderr);
	exit(3);
}

static uint64_t get_n(const unsigned char *p, int n, int big)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[big ? i : n - 1 - i];
	return v;
}

/* PT_LOAD segments of an ELF64 vmcore, or the kdump file mode */
static void load_segments(void)
{
	unsigned char e[64], ph[56];
	uint64_t phoff;
	unsigned phnum, i;
	struct stat st;
	int big;

	if (fstat(work_fd, &st) < 0)
		die("cannot stat %s", work_path);
	file_size = (uint64_t)st.st_size;
	if (pread(work_fd, e, 64, 0) != 64)
		die("%s: too short for a vmcore", work_path);
	if (!memcmp(e, "KDUMP   ", 8)) {
		kdump_mode = 1;
		return;
	}
	/* the s390 dump format (s390-tools zdump/df_s390.h, big-endian): a
	 * header of hdr_size bytes, then mem_size bytes of memory from
	 * mem_start, then the end marker */
	if (get_n(e, 8, 1) == 0xa8190173618f23fdULL) {
		segs[0].off = get_n(e + 0x0c, 4, 1);
		segs[0].pa = get_n(e + 0x20, 8, 1);
		segs[0].size = get_n(e + 0x18, 8, 1);
		if (segs[0].off + segs[0].size > file_size)
			die("%s: s390 dump shorter than its header says", work_path);
		nsegs = 1;
		return;
	}
	if (memcmp(e, "\177ELF\2", 5) || (e[5] != 1 && e[5] != 2))
		die("%s: neither an ELF64 vmcore, a kdump file nor an s390 dump", work_path);
	big = e[5] == 2;
	phoff = get_n(e + 32, 8, big);
	phnum = (unsigned)get_n(e + 56, 2, big);
	for (i = 0; i < phnum && nsegs < 64; i++) {
		if (pread(work_fd, ph, 56, (off_t)(phoff + 56ULL * i)) != 56)
			die("%s: cannot read the program headers", work_path);
		if (get_n(ph, 4, big) == 1 && get_n(ph + 32, 8, big)) {
			segs[nsegs].off = get_n(ph + 8, 8, big);
			segs[nsegs].pa = get_n(ph + 24, 8, big);
			segs[nsegs].size = get_n(ph + 32, 8, big);
			nsegs++;
		}
	}
}

static int pa_to_off(uint64_t pa, uint64_t len, uint64_t *off)
{
	size_t i;

	for (i = 0; i < nsegs; i++)
		if (pa >= segs[i].pa && pa - segs[i].pa + len <= segs[i].size) {
			*off = segs[i].off + pa - segs[i].pa;
			return 0;
		}
	return -1;
}

/* the pristine value of the word at pa, in the byte order big */
static int rd_pa64(uint64_t pa, int big, uint64_t *v)
{
	unsigned char b[8];
	uint64_t off;

	if (kdump_mode) {
		if (kd_read_phys(&pd, pa, b, 8) < 0)
			return -1;
	} else if (pa_to_off(pa, 8, &off) < 0 || pread(work_fd, b, 8, (off_t)off) != 8) {
		return -1;
	}
	*v = get_n(b, 8, big);
	return 0;
}

static char journal[4200];

static void journal_write(void)
{
	FILE *f = fopen(journal, "w");
	size_t i, k;

	if (!f)
		die("cannot write %s", journal);
	for (i = 0; i < nwrs; i++) {
		if (wrs[i].overlay)
			continue;	/* nothing of it is in the file */
		fprintf(f, "%" PRIu64 " %u ", wrs[i].off, wrs[i].len);
		for (k = 0; k < wrs[i].len; k++)
			fprintf(f, "%02x", wrs[i].orig[k]);
		fputc('\n', f);
	}
	if (fflush(f) || fclose(f))
		die("cannot write %s", journal);
}

/* undo a journal left by a run that died */
static void journal_replay(void)
{
	FILE *f = fopen(journal, "r");
	uint64_t off;
	unsigned len, k, b;
	unsigned char buf[1 << 16];
	int n = 0;

	if (!f)
		return;
	while (fscanf(f, "%" SCNu64 " %u ", &off, &len) == 2 && len <= sizeof(buf)) {
		for (k = 0; k < len; k++)
			if (fscanf(f, "%2x", &b) == 1)
				buf[k] = (unsigned char)b;
		if (pwrite(work_fd, buf, len, (off_t)off) != (ssize_t)len)
			die("cannot restore %s", work_path);
		n++;
	}
	fclose(f);
	fsync(work_fd);
	unlink(journal);
	fprintf(stderr, "torture: %s: undid %d writes of an interrupted run\n",
		work_path, n);
}

static void restore(void)
{
	size_t i;

	while (nwrs) {		/* last first: writes may overlap */
		i = --nwrs;
		if (!wrs[i].overlay &&
		    pwrite(work_fd, wrs[i].orig, wrs[i].len, (off_t)wrs[i].off) !=
		    (ssize_t)wrs[i].len)
			die("cannot restore %s", work_path);
		free(wrs[i].orig);
		free(wrs[i].data);
		wrs[i].orig = wrs[i].data = NULL;
	}
	unlink(journal);
}

/* len bytes at file offset off, the original bytes journaled first */
static int add_file_write(uint64_t off, const void *data, uint32_t len, const char *what)
{
	struct wr *w;

	if (nwrs >= MAX_WRITES || off + len > file_size)
		return -1;
	w = &wrs[nwrs];
	memset(w, 0, sizeof(*w));
	w->orig = malloc(len);
	if (!w->orig || pread(work_fd, w->orig, len, (off_t)off) != (ssize_t)len) {
		free(w->orig);
		w->orig = NULL;
		return -1;
	}
	w->off = off;
	w->len = len;
	snprintf(w->what, sizeof(w->what), "%s", what);
	nwrs++;
	journal_write();	/* before the bytes change */
	if (pwrite(work_fd, data, len, (off_t)off) != (ssize_t)len)
		die("cannot write %s", work_path);
	return 0;
}

/* len bytes of memory at pa: in the file (ELF) or over it (kdump) */
static int add_write(uint64_t pa, const void *data, uint32_t len, const char *what)
{
	struct wr *w;
	uint64_t off;

	if (!kdump_mode)
		return pa_to_off(pa, len, &off) < 0 ? -1 : add_file_write(off, data, len, what);
	if (nwrs >= MAX_WRITES)
		return -1;
	w = &wrs[nwrs];
	memset(w, 0, sizeof(*w));
	w->data = malloc(len);
	if (!w->data)
		return -1;
	memcpy(w->data, data, len);
	w->pa = pa;
	w->len = len;
	w->overlay = 1;
	snprintf(w->what, sizeof(w->what), "%s", what);
	nwrs++;
	return 0;
}

static int put64(uint64_t pa, uint64_t v, int big, const char *why)
{
	unsigned char b[8];
	char what[96];
	int i;

	for (i = 0; i < 8; i++)
		b[big ? i : 7 - i] = (unsigned char)(v >> (56 - 8 * i));
	snprintf(what, sizeof(what), "pa 0x%" PRIx64 " = 0x%" PRIx64 " (%s)", pa, v, why);
	return add_write(pa, b, 8, what);
}

/* 1-8 random bytes, or one bit flipped, in the file: its first 64 KiB
 * (headers, notes, bitmaps) or anywhere */
static void corrupt_file(void)
{
	uint64_t span = rndn(2) && file_size > 65536 ? 65536 : file_size;
	uint64_t off = rndn(span);
	unsigned char b[8];
	uint32_t len = 1 + (uint32_t)rndn(8), i;
	char what[96];

	if (rndn(2)) {
		if (pread(work_fd, b, 1, (off_t)off) != 1)
			return;
		b[0] ^= (unsigned char)(1u << rndn(8));
		len = 1;
		snprintf(what, sizeof(what), "file +0x%" PRIx64 " bit flip", off);
	} else {
		for (i = 0; i < len; i++)
			b[i] = (unsigned char)rnd();
		snprintf(what, sizeof(what), "file +0x%" PRIx64 " %u random bytes", off, len);
	}
	add_file_write(off, b, len, what);
}

/* the child's view of memory: the backend's pages with the variant's
 * overlay writes laid over them (kdump files) */
static int (*real_read_phys)(void *priv, uint64_t pa, void *buf, size_t len);

static int overlay_read_phys(void *priv, uint64_t pa, void *buf, size_t len)
{
	int r = real_read_phys(priv, pa, buf, len);
	size_t i;

	if (r < 0)
		return r;
	for (i = 0; i < nwrs; i++) {
		const struct wr *w = &wrs[i];
		uint64_t lo = w->pa > pa ? w->pa : pa;
		uint64_t hi = w->pa + w->len < pa + len ? w->pa + w->len : pa + len;

		if (w->overlay && lo < hi)
			memcpy((unsigned char *)buf + (lo - pa), w->data + (lo - w->pa), hi - lo);
	}
	return 0;
}

/* ------------------------------------------------------------ targets */

static void add_target(uint64_t pa, uint32_t len, enum tkind k)
{
	uint64_t off, v;

	if (ntg >= MAX_TARGETS || pa == TC_NO_ADDR)
		return;
	if (kdump_mode ? rd_pa64(pa, 0, &v) < 0 : pa_to_off(pa, len, &off) < 0)
		return;
	tg[ntg].pa = pa;
	tg[ntg].len = len;
	tg[ntg].kind = k;
	ntg++;
}

static int json_hex(const char *line, const char *key, uint64_t *v)
{
	char k[40];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":\"0x", key);
	p = strstr(line, k);
	if (!p)
		return -1;
	*v = strtoull(p + strlen(k), NULL, 16);
	return 0;
}

/* the physical address of a kernel VA of the linear maps (the engine's
 * own rule, tc_kmap_to_pa); TC_NO_ADDR when it is not in them */
static uint64_t kva_to_pa(const struct kd_dump *d, uint64_t va)
{
	uint64_t pa;

	return tc_kmap_to_pa(&d->kmap, va, &pa) < 0 ? TC_NO_ADDR : pa;
}

/* the bytes of a table of this level ("level":"NAME" of the inventory) */
static uint32_t table_bytes(const struct tc_ctx *c, const char *line)
{
	char k[48];
	int i;

	for (i = 0; i < c->nlevels; i++) {
		snprintf(k, sizeof(k), "\"level\":\"%s\"", c->levels[i].name);
		if (strstr(line, k))
			return (uint32_t)c->levels[i].table_bytes;
	}
	return 4096;
}

static void inventory_targets(const struct tc_ctx *c, const char *text)
{
	const char *line = text;

	while (line && *line) {
		uint64_t pa, page, dep;
		const char *nl = strchr(line, '\n');
		char buf[1024];
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
		memcpy(buf, line, n);
		buf[n] = 0;
		line = nl ? nl + 1 : NULL;
		if (buf[0] != '{' || json_hex(buf, "pa", &pa) < 0)
			continue;
		add_target(pa, table_bytes(c, buf), T_ENTRY);
		if (ntables < MAX_TARGETS)
			tables[ntables++] = pa;
		if (json_hex(buf, "page_pa", &page) == 0)
			add_target(page, 64, T_PAGE);
		if (json_hex(buf, "deposited_on", &dep) == 0) {
			/* the deposit list lives in the deposited table's first
			 * two words; the pmd table it hangs on */
			add_target(pa, 8, T_LIST);
			add_target(pa + 8, 8, T_LIST);
			add_target(dep, (uint32_t)c->levels[c->nlevels - 2].table_bytes, T_ENTRY);
		}
	}
}

/* task list links, task->mm, mm->pgd, mm->mm_mt.ma_root */
static void struct_targets(struct kd_dump *d, struct tc_ctx *c)
{
	uint64_t head = c->init_task + (uint64_t)c->off.task_tasks, pos, mm;
	size_t n = 0, i;

	add_target(kva_to_pa(d, head), 8, T_LIST);
	add_target(kva_to_pa(d, head + 8), 8, T_LIST);
	if (tc_rd64(c, head, &pos) < 0)
		return;
	while (pos != head && n++ < 2000) {
		uint64_t task = pos - (uint64_t)c->off.task_tasks, next;

		add_target(kva_to_pa(d, pos), 8, T_LIST);
		add_target(kva_to_pa(d, pos + 8), 8, T_LIST);
		add_target(kva_to_pa(d, task + (uint64_t)c->off.task_mm), 8, T_PTR);
		if (tc_rd64(c, pos, &next) < 0)
			break;
		pos = next;
	}
	for (i = 0; i < c->nmms; i++) {
		mm = c->mms[i].mm;
		add_target(kva_to_pa(d, mm + (uint64_t)c->off.mm_pgd), 8, T_PTR);
		if (c->off.mm_mt >= 0 && c->off.mt_root >= 0)
			add_target(kva_to_pa(d, mm + (uint64_t)c->off.mm_mt +
					     (uint64_t)c->off.mt_root), 8, T_PTR);
	}
}

/* VMLINUX "-": words of the kernel's kallsyms tables (VMCOREINFO's
 * SYMBOL() lines) and BTF (__start_BTF..__stop_BTF), PER_TABLE of each,
 * spread over it; where a table's end is not known, its first 64 KiB */
#define PER_TABLE	256

static void spread_targets(const struct kd_dump *d, uint64_t va, uint64_t len)
{
	uint64_t step = len / PER_TABLE > 8 ? (len / PER_TABLE) & ~7ull : 8, off;

	for (off = 0; off + 8 <= len; off += step)
		add_target(kva_to_pa(d, va + off), 8, T_PTR);
}

static void debuginfo_targets(struct kd_dump *d)
{
	static const char *const tables[] = {
		"kallsyms_names", "kallsyms_num_syms", "kallsyms_token_table",
		"kallsyms_token_index", "kallsyms_offsets", "kallsyms_relative_base",
	};
	uint64_t s, e;
	size_t i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (kd_vmcoreinfo_symbol(d, tables[i], &s) == 0)
			spread_targets(d, s, i == 1 || i == 5 ? 8 : 64 << 10);
	if (kdw_symbol(d->vml, "__start_BTF", &s) == 0 &&
	    kdw_symbol(d->vml, "__stop_BTF", &e) == 0 && e > s)
		spread_targets(d, s + d->koff, e - s);
}

static int attach(struct kd_dump *d, struct kdw *vml)
{
	return vml ? kd_attach(d, vml) : kd_attach_dump(d);
}

/* ------------------------------------------------------------ scan */


/* the child: what thpscan's scan_dump() does; 0 clean, 1 findings,
 * 2 error (reason on fd errfd) */
static int scan_once(struct kdw *vml, int errfd, struct tc_opts *o)
{
	struct kd_dump d;
	struct tc_ctx *c = calloc(1, sizeof(*c));
	FILE *null = fopen("/dev/null", "w");
	int rc = 2;

	if (!c || !null)
		return 2;
	o->out = null;
	if (kd_open(&d, work_path) < 0 || attach(&d, vml) < 0) {
		dprintf(errfd, "%s", d.err);
		goto out;
	}
	if (kdump_mode) {
		real_read_phys = d.be.read_phys;
		d.be.read_phys = overlay_read_phys;
	}
	if (tc_init(c, &d.be, kd_engine_arch(&d), o) < 0 || tc_run(c) < 0) {
		dprintf(errfd, "cannot scan: %s", c->err);
	} else {
		tc_print_json(c, null);
		tc_print_text(c, null);
		rc = c->findings.n + c->findings.dropped ? 1 : 0;
	}
	tc_free(c);
out:
	kd_close(&d);
	return rc;
}

/* in-process pristine scan: targets */
static void learn(struct kdw *vml)
{
	struct kd_dump *d = &pd;
	struct tc_ctx c;
	struct tc_opts o = { .scope = TC_SCOPE_ALL, .inventory = 1 };
	char *text = NULL;
	size_t len = 0;

	o.out = open_memstream(&text, &len);
	if (!o.out || kd_open(d, work_path) < 0 || attach(d, vml) < 0)
		die("cannot open the pristine copy: %s", d->err);
	if (!vml)
		debuginfo_targets(d);
	ident_base = d->kmap.linear_base;
	if (tc_init(&c, &d->be, kd_engine_arch(d), &o) < 0 || tc_run(&c) < 0)
		die("cannot scan the pristine copy: %s", c.err);
	be_words = c.arch->big_endian;
	be_entries = c.arch->entries_big_endian || c.arch->big_endian;
	fclose(o.out);
	if (c.findings.n)
		fprintf(stderr, "torture: note: the pristine copy has %zu findings\n",
			c.findings.n);
	inventory_targets(&c, text);
	struct_targets(d, &c);
	free(text);
	tc_free(&c);
	/* kdump files: pd stays open, the pristine values of corrupt_one() */
	if (!kdump_mode)
		kd_close(d);
}

/* ------------------------------------------------------------ variants */

static uint64_t other_table(void)
{
	return ntables ? tables[rndn(ntables)] : 0;
}

static int tables_only;	/* crash mode: crash itself must start */

static void corrupt_one(void)
{
	const struct target *t = &tg[rndn(ntg)];
	uint64_t pa = t->pa, v = 0, x;
	int m = (int)rndn(9), tries, big;
	static unsigned char zero[65536];

	if (!tables_only && !rndn(8)) {
		corrupt_file();
		return;
	}

	/* crash reads the task list and mms at start-up: a session on a
	 * dump whose task list is broken tests crash, not thpcheck */
	for (tries = 0; tables_only && t->kind != T_ENTRY && t->kind != T_PAGE &&
	     tries < 100; tries++)
		t = &tg[rndn(ntg)];
	big = t->kind == T_ENTRY ? be_entries : be_words;
	if (t->len > 8) {
		if (m == 8 && t->len <= sizeof(zero)) {	/* zero the whole table / struct page */
			char what[96];

			snprintf(what, sizeof(what), "pa 0x%" PRIx64 " +%u zeroed",
				 t->pa, t->len);
			add_write(t->pa, zero, t->len, what);
			return;
		}
		/* an entry or word of it; mostly a non-empty one */
		for (tries = 0; tries < 8; tries++) {
			pa = t->pa + 8 * rndn(t->len / 8);
			if (rd_pa64(pa, big, &v) == 0 && v && (v & 0x20) == 0)
				break;
		}
	}
	if (rd_pa64(pa, big, &v) < 0)
		return;
	switch (m) {
	case 0: put64(pa, v ^ (1ULL << rndn(64)), big, "bit flip"); break;
	case 1: put64(pa, v | 0x400, big, "|0x400"); break;
	case 2: put64(pa, v | 0x020, big, "|0x020"); break;
	case 3: put64(pa, rndn(2) ? 0x100 : 0x122, big, "list poison"); break;
	case 4:		/* pointer to another table */
		x = other_table();
		if (t->kind == T_ENTRY || t->kind == T_PAGE)
			put64(pa, x | (v & 0xfff), big, "other table");
		else
			put64(pa, x + ident_base + (rndn(2) ? 0 : 8), big, "other table (kva)");
		break;
	case 5:		/* the entry's own table, or the word itself: a cycle */
		if (t->kind == T_ENTRY)
			put64(pa, (t->pa & ~0x7ffULL) | (v & 0xfff), big, "own table");
		else
			put64(pa, pa + ident_base, big, "self pointer");
		break;
	case 6: put64(pa, rnd(), big, "random"); break;
	case 7: put64(pa, 0, big, "zero"); break;
	default: put64(pa, v ^ (1ULL << rndn(12)), big, "low bit flip"); break;
	}
}

static void make_variant(uint64_t seed, int run)
{
	int n, i;

	rng = seed * 1000003ULL + (uint64_t)run;
	n = 1 + (int)rndn(6);
	for (i = 0; i < n; i++)
		corrupt_one();
}

static void print_variant(FILE *f, const char *what, uint64_t seed, int run)
{
	size_t i;

	fprintf(f, "torture: %s: %s seed %" PRIu64 " run %d:", what, work_path, seed, run);
	for (i = 0; i < nwrs; i++)
		fprintf(f, "%s %s", i ? ";" : "", wrs[i].what);
	fputc('\n', f);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ main */

#define NREASONS 64
static struct { char why[120]; unsigned n; } reasons[NREASONS];

static void count_reason(const char *why)
{
	char k[120];
	int i;

	/* the reason without its numbers */
	for (i = 0; *why && i < (int)sizeof(k) - 1; why++)
		if (!(*why >= '0' && *why <= '9') && !(*why >= 'a' && *why <= 'f' &&
		      i && (k[i - 1] == 'x' || (k[i - 1] >= '0' && k[i - 1] <= '9'))))
			k[i++] = *why;
	k[i] = 0;
	for (i = 0; i < NREASONS && reasons[i].why[0]; i++)
		if (!strcmp(reasons[i].why, k))
			break;
	if (i < NREASONS) {
		snprintf(reasons[i].why, sizeof(reasons[i].why), "%s", k);
		reasons[i].n++;
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	struct kdw *vml;
	char why[300];
	uint64_t seed;
	int runs, timeout, r;
	unsigned long findings = 0, clean = 0, errors = 0, crashes = 0, hangs = 0;
	long maxrss = 0;
	double t0;

	if (!strcmp(mode, "restore") && argc == 3) {
		work_path = argv[2];
		snprintf(journal, sizeof(journal), "%s.journal", work_path);
		work_fd = open(work_path, O_RDWR);
		if (work_fd < 0)
			die("cannot open %s", work_path);
		journal_replay();
		return 0;
	}
	if (!((!strcmp(mode, "scan") && (argc == 6 || argc == 7)) ||
	      (!strcmp(mode, "crash") && argc == 8))) {
		fprintf(stderr,
			"usage: torture scan VMLINUX WORK RUNS SEED [TIMEOUT]\n"
			"       torture crash VMLINUX WORK RUNS SEED TIMEOUT CMD\n"
			"       torture restore WORK\n");
		return 3;
	}
	work_path = argv[3];
	tables_only = !strcmp(mode, "crash");
	runs = atoi(argv[4]);
	seed = strtoull(argv[5], NULL, 0);
	timeout = argc > 6 ? atoi(argv[6]) : 10;
	if (strstr(work_path, "samples/out/"))
		die("%s: refusing to write a file under samples/out", work_path);
	snprintf(journal, sizeof(journal), "%s.journal", work_path);
	work_fd = open(work_path, O_RDWR);
	if (work_fd < 0)
		die("cannot open %s", work_path);
	journal_replay();
	load_segments();
	tg = calloc(MAX_TARGETS, sizeof(*tg));
	tables = calloc(MAX_TARGETS, sizeof(*tables));
	if (!tg || !tables)
		die("%s", "out of memory");
	if (!strcmp(argv[2], "-")) {
		vml = NULL;
		setenv("THPSCAN_LAYOUT_CACHE", "off", 1);
	} else {
		vml = kdw_open(argv[2], why, sizeof(why));
		if (!vml)
			die("vmlinux: %s", why);
		kdw_prewarm(vml);
	}
	learn(vml);
	if (!ntg)
		die("%s: no targets", work_path);
	fprintf(stderr, "torture: %s: %zu targets (%zu tables), %d variants, seed %" PRIu64 "\n",
		work_path, ntg, ntables, runs, seed);
	signal(SIGPIPE, SIG_IGN);
	t0 = now();
	/* TORTURE_ONLY=N: variant N of the seed alone (a reported crash again) */
	r = getenv("TORTURE_ONLY") ? atoi(getenv("TORTURE_ONLY")) : 0;
	if (getenv("TORTURE_ONLY"))
		runs = r + 1;
	for (; r < runs; r++) {
		int pfd[2], status;
		struct rusage ru;
		pid_t pid;
		char err[301] = "";
		ssize_t n;

		make_variant(seed, r);
		if (pipe(pfd) < 0)
			die("%s", "pipe");
		fflush(stdout);
		fflush(stderr);
		pid = fork();
		if (pid < 0)
			die("%s", "fork");
		if (pid == 0) {
			struct rlimit rl = { AS_LIMIT, AS_LIMIT };
			struct tc_opts o = { .scope = TC_SCOPE_ALL };

			close(pfd[0]);
			alarm((unsigned)timeout);
			if (!strcmp(mode, "crash")) {
				setenv("TORTURE_VMCORE", work_path, 1);
				dup2(pfd[1], 1);
				execl("/bin/sh", "sh", "-c", argv[7], (char *)NULL);
				_exit(127);
			}
			setrlimit(RLIMIT_AS, &rl);
			_exit(scan_once(vml, pfd[1], &o));
		}
		close(pfd[1]);
		n = read(pfd[0], err, sizeof(err) - 1);
		err[n > 0 ? n : 0] = 0;
		{	/* drain: crash sessions print a lot */
			char sink[4096];

			while (read(pfd[0], sink, sizeof(sink)) > 0)
				;
		}
		close(pfd[0]);
		if (wait4(pid, &status, 0, &ru) < 0)
			die("%s", "wait");
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
			hangs++;
			print_variant(stdout, "HANG", seed, r);
		} else if (WIFSIGNALED(status)) {
			crashes++;
			fprintf(stdout, "torture: signal %d\n", WTERMSIG(status));
			print_variant(stdout, "CRASH", seed, r);
		} else if (!strcmp(mode, "crash")) {
			printf("torture: variant %d: %s", r, err);
			print_variant(stdout, "writes", seed, r);
			if (WEXITSTATUS(status) == 0) {
				findings++;	/* the session survived */
			} else {
				crashes++;
				print_variant(stdout, "CRASH SESSION FAILED", seed, r);
				printf("torture: %s\n", err);
			}
		} else if (WEXITSTATUS(status) == 1) {
			findings++;
		} else if (WEXITSTATUS(status) == 0) {
			clean++;
		} else if (WEXITSTATUS(status) == 2 && err[0]) {
			errors++;
			count_reason(err);
		} else {
			crashes++;
			printf("torture: exit %d without a reason\n", WEXITSTATUS(status));
			print_variant(stdout, "CRASH", seed, r);
		}
		restore();
		if (getenv("TORTURE_PROGRESS") && (r + 1) % 500 == 0)
			fprintf(stderr, "torture: %s: %d/%d\n", work_path, r + 1, runs);
	}
	for (r = 0; r < NREASONS && reasons[r].why[0]; r++)
		printf("torture: error %5u x %s\n", reasons[r].n, reasons[r].why);
	printf("torture: runs %d findings %lu clean %lu errors %lu crashes %lu hangs %lu maxrss_kb %ld secs %.0f\n",
	       runs, findings, clean, errors, crashes, hangs, maxrss, now() - t0);
	kdw_close(vml);
	close(work_fd);
	return crashes + hangs ? 1 : 0;
}
