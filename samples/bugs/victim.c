/*
 * victim - the process a bug-lab module works on (samples/bugs/): maps the
 * regions the scenarios use at fixed addresses, writes its pid to
 * /tmp/victim.pid and waits.  Sizes follow the kernel: HPAGE = THP size
 * (/sys/kernel/mm/transparent_hugepage/hpage_pmd_size), HUGETLB = hugetlb
 * page size (/proc/meminfo), PAGE = base page.
 *
 *   FILLER  0x18000000000  64 MiB  MADV_NOHUGEPAGE, untouched: faults a
 *                                  module makes to use up half-free pte-table
 *                                  pages (s390 v6.1 pgtable_list)
 *   CAND i  0x10000000000 + i * 2 GiB (i < 4), untouched: HPAGE with
 *                                  MADV_NOHUGEPAGE, then HPAGE with
 *                                  MADV_HUGEPAGE (idte-wrong-address)
 *   TOUCH   0x1a000000000  8 HPAGE MADV_NOHUGEPAGE, one page per HPAGE
 *                                  touched: 8 pte tables
 *   HUGE    0x1a040000000  HUGETLB MAP_HUGETLB, untouched (same s390
 *                                  region-third entry as TOUCH)
 *   THP2    0x1b000000000  2 HPAGE MADV_HUGEPAGE, touched: two THPs whose
 *                                  deposited tables share one ring
 *   COLL    0x1d000000000  HPAGE   MADV_NOHUGEPAGE, every page touched
 *   UNMAP   0x1c000000000  64 MiB  MADV_NOHUGEPAGE, one page per MiB touched
 *   CONT64K 0x1e000000000  64 KiB  MAP_HUGETLB of 64 KiB pages, touched: one
 *                                  PTE_CONT run of 16 ptes (arm64 with 4 KiB
 *                                  pages; where no such pool exists, none)
 *
 * On SIGUSR1 the process acts itself, as argv[1] says (bug.sh sends it
 * when the module has a "check" parameter), then writes /tmp/victim.acted:
 *   unmap     munmap(UNMAP) (legal-pending: the tables go to an mmu_gather
 *             batch and RCU), and MADV_DONTNEED on the last HPAGE of TOUCH
 *             (its pte table stays, empty: the module retracts it)
 *   unmap-odd munmap of every odd MiB of UNMAP (frag-release-race: pte-table
 *             pages with one half pending release, the other in use)
 *   collapse  MADV_HUGEPAGE + MADV_COLLAPSE on COLL (v6.1+: the kernel's
 *             collapse deposits the original pte table)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_HUGETLB
#define MAP_HUGETLB 0x40000
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#define MIB		0x100000UL
#define FILLER		0x18000000000UL
#define CAND		0x10000000000UL
#define CAND_STEP	0x80000000UL
#define NCAND		4
#define TOUCH		0x1a000000000UL
#define HUGE		0x1a040000000UL
#define THP2		0x1b000000000UL
#define COLL		0x1d000000000UL
#define UNMAP		0x1c000000000UL
#define UNMAP_LEN	(64 * MIB)
#define CONT64K		0x1e000000000UL
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT	26
#endif
#define MAP_HUGE_64KB	(16 << MAP_HUGE_SHIFT)

static volatile sig_atomic_t asked;
static unsigned long hpage, hugetlb, pagesz;

static void on_usr1(int sig)
{
	(void)sig;
	asked = 1;
}

static void *map(unsigned long addr, unsigned long len, int flags, int advice)
{
	void *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | flags, -1, 0);

	if (p != (void *)addr || (advice >= 0 && madvise(p, len, advice))) {
		fprintf(stderr, "victim: mmap/madvise %#lx: failed\n", addr);
		if (flags & MAP_HUGETLB)
			return NULL;	/* no free hugetlb page: that scenario only */
		exit(1);
	}
	return p;
}

static void touch(unsigned long start, unsigned long len, unsigned long step)
{
	unsigned long a;

	for (a = start; a < start + len; a += step)
		*(volatile unsigned long *)a = a;
}

static unsigned long from_file(const char *path, const char *key, unsigned long dflt)
{
	FILE *f = fopen(path, "r");
	char line[128];
	unsigned long v = dflt;

	if (!f)
		return dflt;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) &&
		    sscanf(line + strlen(key), "%lu", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void write_file(const char *path, long v)
{
	char tmp[64];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%ld\n", v) < 0 || fclose(f) || rename(tmp, path)) {
		fprintf(stderr, "victim: cannot write %s\n", path);
		exit(1);
	}
}

static int act(const char *mode)
{
	unsigned long a;

	if (!strcmp(mode, "unmap"))
		return munmap((void *)UNMAP, UNMAP_LEN) ||
		       madvise((void *)(TOUCH + 7 * hpage), hpage, MADV_DONTNEED);
	if (!strcmp(mode, "unmap-odd")) {
		for (a = UNMAP + MIB; a < UNMAP + UNMAP_LEN; a += 2 * MIB)
			if (munmap((void *)a, MIB))
				return -1;
		return 0;
	}
	if (!strcmp(mode, "collapse"))
		return madvise((void *)COLL, hpage, MADV_HUGEPAGE) ||
		       madvise((void *)COLL, hpage, MADV_COLLAPSE);
	return -1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "unmap";
	int i;

	pagesz = (unsigned long)sysconf(_SC_PAGESIZE);
	hpage = from_file("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "", MIB);
	hugetlb = from_file("/proc/meminfo", "Hugepagesize:", 1024) * 1024;
	signal(SIGUSR1, on_usr1);
	map(FILLER, 64 * MIB, 0, MADV_NOHUGEPAGE);
	for (i = 0; i < NCAND; i++) {
		map(CAND + i * CAND_STEP, hpage, 0, MADV_NOHUGEPAGE);
		map(CAND + i * CAND_STEP + hpage, hpage, 0, MADV_HUGEPAGE);
	}
	map(TOUCH, 8 * hpage, 0, MADV_NOHUGEPAGE);
	touch(TOUCH, 8 * hpage, hpage);
	map(HUGE, hugetlb, MAP_HUGETLB, -1);
	map(THP2, 2 * hpage, 0, MADV_HUGEPAGE);
	touch(THP2, 2 * hpage, pagesz);
	map(COLL, hpage, 0, MADV_NOHUGEPAGE);
	touch(COLL, hpage, pagesz);
	map(UNMAP, UNMAP_LEN, 0, MADV_NOHUGEPAGE);
	touch(UNMAP, UNMAP_LEN, MIB);
	if (!access("/sys/kernel/mm/hugepages/hugepages-64kB", F_OK) &&
	    map(CONT64K, 64 * 1024, MAP_HUGETLB | MAP_HUGE_64KB, -1))
		touch(CONT64K, 64 * 1024, pagesz);
	write_file("/tmp/victim.pid", getpid());
	for (;;) {
		pause();
		if (asked == 1) {
			asked = 2;
			if (act(mode)) {
				fprintf(stderr, "victim: %s failed\n", mode);
				exit(1);
			}
			write_file("/tmp/victim.acted", getpid());
		}
	}
}
