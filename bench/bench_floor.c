/*
 * bench_floor VMLINUX VMCORE [REPS]: the floor benchmark.
 *
 *   floor = read every page-table page of the dump once through
 *           libkdumpfile (the tables the scan walks, each table's bytes,
 *           in walk order), on a freshly opened dump;
 *   scan  = thpscan's full validation of the same dump: attach the
 *           vmlinux, tc_init(), tc_run() (task list, VMAs, every table,
 *           every entry, struct pages, deposits), on a freshly opened dump.
 * Both exclude opening the file (reported apart) and the DWARF index,
 * built once before the first repetition, as thpscan's parent does.
 * The best of REPS (default 5) is taken for each; the ratio is scan/floor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tc.h"
#include "debuginfo.h"
#include "backend_kdump.h"

struct tab { uint64_t pa; unsigned bytes; };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static FILE *devnull;

/* one full scan; the walked tables are copied out when tabs != NULL */
static int scan(struct kdw *w, const char *path, double *t_open, double *t_scan,
		struct tab **tabs, size_t *ntabs)
{
	struct kd_dump d;
	struct tc_ctx *c = calloc(1, sizeof(*c));
	struct tc_opts o = { .scope = TC_SCOPE_ALL, .out = devnull };
	double t0 = now(), t1, t2;
	int rc = -1;
	size_t i;

	if (!c)
		return -1;
	if (kd_open(&d, path) < 0) {
		fprintf(stderr, "bench_floor: %s: %s\n", path, d.err);
		goto out;
	}
	t1 = now();
	kd_set_engine(&d, c);
	if (kd_attach(&d, w) < 0 || tc_init(c, &d.be, &tc_arch_s390x, &o) < 0 ||
	    tc_run(c) < 0) {
		fprintf(stderr, "bench_floor: %s: %s%s\n", path, d.err, c->err);
		goto out;
	}
	t2 = now();
	*t_open = t1 - t0;
	*t_scan = t2 - t1;
	if (tabs) {
		*tabs = calloc(c->ntabs, sizeof(**tabs));
		if (!*tabs)
			goto out;
		for (i = 0; i < c->ntabs; i++) {
			(*tabs)[i].pa = c->tabs[i].pa;
			(*tabs)[i].bytes = c->levels[tc_tab_level(&c->tabs[i])].table_bytes;
		}
		*ntabs = c->ntabs;
	}
	rc = 0;
out:
	kd_set_engine(&d, NULL);
	tc_free(c);
	free(c);
	kd_close(&d);
	return rc;
}

static int floor_read(const char *path, const struct tab *tabs, size_t n,
		      double *t_read, uint64_t *bytes)
{
	static unsigned char buf[1 << 16];
	struct kd_dump d;
	double t0;
	size_t i;

	if (kd_open(&d, path) < 0)
		return -1;
	*bytes = 0;
	t0 = now();
	for (i = 0; i < n; i++) {
		if (tabs[i].bytes > sizeof(buf) ||
		    kd_read_phys(&d, tabs[i].pa, buf, tabs[i].bytes) < 0)
			continue;
		*bytes += tabs[i].bytes;
	}
	*t_read = now() - t0;
	kd_close(&d);
	return 0;
}

int main(int argc, char **argv)
{
	char err[300];
	struct kdw *w;
	struct tab *tabs = NULL;
	size_t ntabs = 0;
	double best_floor = 1e9, best_scan = 1e9, best_open = 1e9, to, ts, tr;
	uint64_t bytes = 0;
	int reps, r;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_floor VMLINUX VMCORE [REPS]\n");
		return 2;
	}
	reps = argc > 3 ? atoi(argv[3]) : 5;
	devnull = fopen("/dev/null", "w");
	w = kdw_open(argv[1], err, sizeof(err));
	if (!w || !devnull) {
		fprintf(stderr, "bench_floor: %s: %s\n", argv[1], err);
		return 2;
	}
	/* warm-up: builds the DWARF index, fills the OS page cache */
	if (scan(w, argv[2], &to, &ts, &tabs, &ntabs) < 0)
		return 2;
	for (r = 0; r < reps; r++) {
		if (floor_read(argv[2], tabs, ntabs, &tr, &bytes) < 0 ||
		    scan(w, argv[2], &to, &ts, NULL, NULL) < 0)
			return 2;
		if (tr < best_floor)
			best_floor = tr;
		if (ts < best_scan)
			best_scan = ts;
		if (to < best_open)
			best_open = to;
	}
	printf("%s: %zu tables (%.1f MiB): floor %.2f ms, scan %.2f ms, "
	       "scan/floor %.2fx (open %.2f ms, best of %d)\n",
	       argv[2], ntabs, bytes / 1048576.0, best_floor * 1e3,
	       best_scan * 1e3, best_scan / best_floor, best_open * 1e3, reps);
	free(tabs);
	kdw_close(w);
	return 0;
}
