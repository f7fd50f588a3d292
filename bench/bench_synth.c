/*
 * bench_synth N: a synthetic s390x forest of about N page tables through
 * the synthetic backend (tests/support/synth.c), walked by the engine.  Prints one
 * line: tables, walk time, time per table and the peak RSS the walk added
 * per table (the memory image of the "dump" itself is not counted: it is
 * measured before the walk starts).
 *
 * The world: one user mm with a region-3 ASCE; its region-3 table points
 * to ceil(N / 2048) segment tables, each full of pte tables (2 KiB, two
 * to a page as on v6.1), each pte table with one present pte; one VMA
 * covers everything, so every pte is checked against it and there are no
 * findings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "synth.h"
#include "s390.h"

enum {
	INIT_TASK = 0x10000, TASK_A = 0x11000, MM_A = 0x20000,
	INIT_MM = 0x30000, VMA1 = 0x30400, MT_LEAF = 0x31000,
	K_R3 = 0x100000, U_R3 = 0x200000, SEGS = 0x400000,
};

#define SEG_BYTES	(2048 * 8)
#define PT_BYTES	(256 * 8)
#define PTE_NONE	0x400ULL
#define PTE_RW		0x3dULL

static const struct synth_sym syms[] = {
	{ "init_task", INIT_TASK }, { "init_mm", INIT_MM }, { NULL, 0 },
};

/* the layout of tests/unit/test_s390.c, plus pgtable_list */
static const struct synth_layout layout[] = {
	{ "mm_struct", "context.asce", 0x100 },
	{ "mm_struct", "context.asce_limit", 0x108 },
	/* a v6.1 layout: 2 KiB pte fragments, two tables to a page */
	{ "mm_struct", "context.pgtable_list", 0x110 },
	{ NULL, NULL, 0 },
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* big-endian template tables, copied with memcpy (fast for 2 GB) */
static void fill_template(struct synth *s, unsigned char *dst, unsigned n,
			  uint64_t v)
{
	unsigned i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < 8; k++)
			dst[8 * i + k] = (unsigned char)(v >> (s->big_endian ?
						       8 * (7 - k) : 8 * k));
}

static int build(struct synth *s, size_t npt, size_t *nseg)
{
	static const struct synth_vma all = {
		VMA1, 0, 1ULL << 42, TC_VM_READ | TC_VM_WRITE,
	};
	size_t segs = (npt + 2047) / 2048, i, size;
	uint64_t pts = SEGS + (uint64_t)segs * SEG_BYTES;
	unsigned char seg_none[SEG_BYTES], pt_none[PT_BYTES];

	size = pts + npt * PT_BYTES + 4096;
	if (synth_init(s, size, 1, syms, layout) < 0)
		return -1;
	*nseg = segs;
	synth_task(s, INIT_TASK, TASK_A, MM_A, 42, "forest");
	synth_put64(s, INIT_MM + 0x100, K_R3 | 0x7);
	fill_template(s, s->mem + K_R3, 2048, 0x24);
	synth_put64(s, MM_A + 0x100, U_R3 | 0x1c7);
	synth_put64(s, MM_A + 0x108, 1ULL << 42);
	/* an empty pgtable_list (no fragment page has a free half) */
	synth_put64(s, MM_A + 0x110, MM_A + 0x110);
	synth_put64(s, MM_A + 0x118, MM_A + 0x110);
	fill_template(s, s->mem + U_R3, 2048, 0x24);
	fill_template(s, seg_none, 2048, 0x20);
	fill_template(s, pt_none, 256, PTE_NONE);
	for (i = 0; i < segs; i++) {
		synth_put64(s, U_R3 + 8 * i, (SEGS + i * SEG_BYTES) | 0x7);
		memcpy(s->mem + SEGS + i * SEG_BYTES, seg_none, SEG_BYTES);
	}
	for (i = 0; i < npt; i++) {
		uint64_t pt = pts + i * PT_BYTES;

		memcpy(s->mem + pt, pt_none, PT_BYTES);
		synth_put64(s, SEGS + (i / 2048) * SEG_BYTES + 8 * (i % 2048), pt);
		/* one present pte per table; its frame is any page */
		synth_put64(s, pt, 0x100000 | PTE_RW);
	}
	/* one VMA over everything, in a single maple leaf */
	return synth_vmas(s, MM_A, MT_LEAF, &all, 1);
}

int main(int argc, char **argv)
{
	size_t npt = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000, nseg, tables;
	struct synth s;
	struct tc_ctx *c = calloc(1, sizeof(*c));
	struct tc_opts o = { .scope = TC_SCOPE_ALL };
	long rss0, rss1;
	double t0, t1;
	int l;

	if (!c || npt == 0 || npt > 2048 * 2048 || build(&s, npt, &nseg) < 0) {
		fprintf(stderr, "bench_synth: cannot build %zu tables\n", npt);
		return 2;
	}
	o.out = stdout;
	rss0 = peak_rss_kb();
	t0 = now();
	if (tc_init(c, &s.be, &tc_arch_s390x, &o) < 0 || tc_run(c) < 0) {
		fprintf(stderr, "bench_synth: %s\n", c->err);
		return 2;
	}
	t1 = now();
	rss1 = peak_rss_kb();
	for (tables = 0, l = 0; l < c->nlevels; l++)
		tables += c->stats.tables[l];
	printf("tables %zu (pte %llu, segment %zu) walk %.3f s, %.1f ns/table, "
	       "image %.0f MiB, walk added %.1f MiB = %.1f bytes/table, findings %zu\n",
	       tables, (unsigned long long)c->stats.tables[c->nlevels - 1],
	       nseg, t1 - t0, (t1 - t0) * 1e9 / (double)tables,
	       rss0 / 1024.0, (rss1 - rss0) / 1024.0,
	       (rss1 - rss0) * 1024.0 / (double)tables,
	       c->findings.n + c->findings.dropped);
	if (getenv("BENCH_SYNTH_FINDINGS") && c->findings.n)
		printf("first finding: %s %s\n", c->findings.v[0].sig->id,
		       c->findings.v[0].detail);
	tc_free(c);
	synth_free(&s);
	free(c);
	return 0;
}
