/*
 * victim - the process a bug-lab module works on (samples/bugs/): maps the
 * regions the scenarios use at fixed addresses, touches none of them, writes
 * its pid to /tmp/victim.pid and waits.  The module makes the kernel fault
 * them in (handle_mm_fault) in the order its scenario needs.
 *
 *   0x18000000000  FILLER_LEN   MADV_NOHUGEPAGE: faults that use up half-free
 *                               pte-table pages (s390 v6.1 pgtable_list)
 *   0x10000000000 + i * 2 GiB   candidate i (i < NCAND), each in a region-third
 *                               entry of its own (s390: a segment table of its
 *                               own): 1 MiB MADV_NOHUGEPAGE, then 1 MiB
 *                               MADV_HUGEPAGE (one THP)
 *   0x1c000000000  UNMAP_LEN    MADV_NOHUGEPAGE, touched by the process itself;
 *                               unmapped on SIGUSR1 (legal-pending: the tables
 *                               go to an mmu_gather batch and RCU)
 * SIGUSR1: munmap the last region, then write /tmp/victim.unmapped.
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
#define MIB		0x100000UL
#define FILLER		0x18000000000UL
#define FILLER_LEN	(64 * MIB)
#define CAND		0x10000000000UL
#define CAND_STEP	0x80000000UL
#define NCAND		4
#define UNMAP		0x1c000000000UL
#define UNMAP_LEN	(64 * MIB)

static volatile sig_atomic_t unmap_asked;

static void on_usr1(int sig)
{
	(void)sig;
	unmap_asked = 1;
}

static void map(unsigned long addr, unsigned long len, int advice)
{
	void *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != (void *)addr || madvise(p, len, advice)) {
		fprintf(stderr, "victim: mmap/madvise %#lx: failed\n", addr);
		exit(1);
	}
}

static void write_file(const char *path, long v)
{
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%ld\n", v) < 0 || fclose(f)) {
		fprintf(stderr, "victim: cannot write %s\n", path);
		exit(1);
	}
}

int main(void)
{
	unsigned long a;
	int i;

	signal(SIGUSR1, on_usr1);
	map(FILLER, FILLER_LEN, MADV_NOHUGEPAGE);
	for (i = 0; i < NCAND; i++) {
		map(CAND + i * CAND_STEP, MIB, MADV_NOHUGEPAGE);
		map(CAND + i * CAND_STEP + MIB, MIB, MADV_HUGEPAGE);
	}
	map(UNMAP, UNMAP_LEN, MADV_NOHUGEPAGE);
	/* one page per MiB: a pte table under each */
	for (a = UNMAP; a < UNMAP + UNMAP_LEN; a += MIB)
		*(volatile long *)a = (long)a;
	write_file("/tmp/victim.pid.tmp", getpid());
	rename("/tmp/victim.pid.tmp", "/tmp/victim.pid");
	for (;;) {
		pause();
		if (unmap_asked == 1) {
			unmap_asked = 2;
			if (munmap((void *)UNMAP, UNMAP_LEN))
				exit(1);
			write_file("/tmp/victim.unmapped", getpid());
		}
	}
}
