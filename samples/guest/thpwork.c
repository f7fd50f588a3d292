/*
 * thpwork - guest workload for thpcheck's sample crash dumps (s390x, ppc64le,
 * x86_64, arm64).
 *
 * Builds a fixed, quiescent set of user mappings that exercise the page-table
 * states thpcheck must understand, prints where they are, then sleeps in
 * pause() so that nothing changes until QEMU takes the dump:
 *
 *   thp                 8 THPs, MADV_HUGEPAGE, made before fork(): shared
 *                       copy-on-write by the parent and three children (each
 *                       THP pmd has a deposited pte table in every mm).
 *                       Child "thpwork-cow" writes one word into THP #1, so
 *                       its pmd is split and one base page is COW-copied.
 *   thp_split_mprotect  2 THPs; mprotect(PROT_READ) of 64K at +HPAGE/4 in
 *                       THP #0 splits that pmd (three VMAs, pte table under it).
 *   thp_split_munmap    2 THPs; munmap of 64K at +HPAGE/2 in THP #0 splits
 *                       that pmd.
 *   thp_private         4 THPs made by the parent after fork (not shared).
 *   nohuge              256K, MADV_NOHUGEPAGE, touched (ordinary ptes).
 *   swap                2M, MADV_NOHUGEPAGE, parent only, touched then
 *                       pushed to swap with MADV_PAGEOUT (swap ptes), if the
 *                       guest has swap.
 *   hugetlb_shared      2 hugetlb pages, MAP_SHARED, made before fork and
 *                       read by every child (fork() does not copy shared
 *                       hugetlb entries; the read faults them in).
 *   hugetlb_private     2 hugetlb pages, MAP_PRIVATE, parent after fork.
 *   small               SMALL_N separate mappings of 1..16 base pages, one per
 *                       pmd-sized block (HPAGE: s390x segment, ppc64 pte
 *                       table), 7 blocks apart, spread over >2 GiB on s390x;
 *                       two thirds touched, and every 7th touched one
 *                       unmapped again, so pte tables (2K fragments on s390x
 *                       v6.1, pte fragments on ppc64) are allocated and freed
 *                       in a mix that leaves both full and half-used pages.
 *   hugetlb_1g          x86_64 and arm64 only, if the kernel has a 1 GiB
 *                       hugetlb pool (/sys/kernel/mm/hugepages/hugepages-1048576kB/
 *                       nr_hugepages > 0): one 1 GiB page, MAP_SHARED |
 *                       MAP_HUGE_1GB, made (its first 2 MiB written) before fork and read
 *                       by every child (a PUD leaf in each of the four mms).
 *                       Without the pool: "warn=hugetlb_1g-no-pool".
 *   hugetlb_cont64k     arm64 only (4 KiB pages), if the kernel has a 64 KiB
 *                       pool (hugepages-64kB): 2 pages, MAP_SHARED |
 *                       MAP_HUGE_64KB, written before fork and read by every
 *                       child: each page is a run of 16 ptes with the
 *                       contiguous bit.  Without the pool:
 *                       "warn=hugetlb_cont64k-no-pool".
 *   hugetlb_cont32m     the same with 2 pages of 32 MiB (hugepages-32768kB):
 *                       each a run of 16 contiguous pmds; the first 64K of
 *                       every 2 MiB written.  "warn=hugetlb_cont32m-no-pool".
 *
 * Sizes scale with the kernel: HPAGE = THP (pmd) size from
 * /sys/kernel/mm/transparent_hugepage/hpage_pmd_size (1 MiB s390x, 2 MiB
 * ppc64 radix, 16 MiB ppc64 hash with 64K pages), hugetlb page size from
 * /proc/meminfo Hugepagesize, base page from sysconf.  The big regions are
 * 32 * HPAGE apart, the small maps 7 * HPAGE.  With s390x's 1 MiB and 4K this
 * is exactly the original fixed layout (32 MiB slots, 7 MiB stride, 4K..64K
 * small maps at 64K-step offsets).
 *
 * Every mapping sits at a fixed address (MAP_FIXED_NOREPLACE), so the layout
 * is the same on every kernel of one architecture/MMU.  Memory is filled with
 * a pattern: the top 24 bits are a 3-letter tag of the mapping kind, the low
 * 40 bits the index of the 8-byte word in the mapping.
 *
 * Output (one line per write(2), so processes do not interleave):
 *   THPWORK pid=P role=R comm=C range=KIND start=0x.. end=0x..
 *   THPWORK pid=P role=R small=I start=0x.. end=0x.. touched=T unmapped=U
 *   THPWORK pid=P role=R warn=...
 *   THPWORK pid=P role=R ready
 * When all four processes are ready the parent writes "PID ROLE" lines to
 * READY_FILE (via rename, so it appears complete) and prints "THPWORK all-ready".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MAP_HUGETLB
#define MAP_HUGETLB 0x40000
#endif

#define READY_FILE "/tmp/thpwork.pids"
#define NCHILD 3
#define SMALL_N 320

/*
 * Fixed layout.  s390x: 1 TiB is well inside the 3-level (4 TiB) user space.
 * ppc64 (128 TiB): 2 TiB, because under the hash MMU the kernel moves brk (the
 * heap) above 1 TiB into a 1T segment of its own (arch_randomize_brk), and
 * hugetlb gets the 1 TiB slice at 3 TiB: under hash every 1 TiB slice has one
 * base page size, so 16M hugetlb pages cannot share a slice with 64K pages.
 * Radix uses the same addresses.  SLOT * 8 <= SMALL_BASE - BASE for HPAGE up
 * to 16 MiB.
 */
#if defined(__powerpc64__)
#define BASE        0x20000000000UL
#define HUGETLB_BASE 0x30000000000UL
#else
#define BASE        0x10000000000UL
#define HUGETLB_BASE (BASE + 6 * SLOT)
#endif
#if defined(__x86_64__) || defined(__aarch64__)
/* 1 GiB-aligned, between the big regions (< BASE + 8 * SLOT) and SMALL_BASE */
#define HUGE1G_BASE (BASE + 0x80000000UL)
#define HUGE1G_SIZE 0x40000000UL
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30 << MAP_HUGE_SHIFT)
#endif
#endif
#if defined(__aarch64__)
/*
 * arm64 with 4 KiB pages has hugetlb sizes no table level has a leaf for:
 * 64 KiB is a run of 16 ptes and 32 MiB a run of 16 pmds, each entry with
 * the contiguous bit (CONFIG_ARM64_CONT_PTE_SHIFT / _CONT_PMD_SHIFT 4 in
 * Debian's 6.1 and 6.12).  Their two slots follow the big regions' eight
 * (BASE + 10 * SLOT is 640 MiB: below HUGE1G_BASE).
 */
#define CONT64K_BASE (BASE + 8 * SLOT)
#define CONT32M_BASE (BASE + 9 * SLOT)
#define CONT64K_SIZE 0x10000UL
#define CONT32M_SIZE 0x2000000UL
#ifndef MAP_HUGE_64KB
#define MAP_HUGE_64KB (16 << MAP_HUGE_SHIFT)
#endif
#ifndef MAP_HUGE_32MB
#define MAP_HUGE_32MB (25 << MAP_HUGE_SHIFT)
#endif
#endif
#define SLOT        (32 * hpage)       /* between the big regions: 32 MiB on s390x */
#define SMALL_BASE  (BASE + 0x100000000UL)
#define SMALL_STRIDE (7 * hpage)       /* 7 MiB on s390x: each small map in its own pmd block */

static unsigned long hpage;     /* THP (pmd) size: 1 MiB on s390x */
static unsigned long hugetlb_sz;/* default hugetlb page size */
static unsigned long pagesz;
static const char *role = "parent";
static char comm[16] = "thpwork";

static void out(const char *fmt, ...)
{
	char buf[512];
	int n = snprintf(buf, sizeof buf, "THPWORK pid=%d role=%s ", (int)getpid(), role);
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	if (write(1, buf, n) < 0) {
		/* nothing sensible to do */
	}
}

static void die(const char *what)
{
	int e = errno;
	FILE *f = fopen("/proc/self/maps", "r");
	char line[256];

	/* what is in the way (EEXIST of MAP_FIXED_NOREPLACE, ...) */
	if (f) {
		while (fgets(line, sizeof line, f)) {
			line[strcspn(line, "\n")] = 0;
			out("maps=%s", line);
		}
		fclose(f);
	}
	out("fatal=%s errno=%d(%s)", what, e, strerror(e));
	exit(1);
}

struct range {
	const char *kind;
	unsigned long start, end;
	int shared;     /* present in the children too */
};
static struct range ranges[32];
static int nranges;

static void add_range(const char *kind, unsigned long start, unsigned long end, int shared)
{
	ranges[nranges++] = (struct range){ kind, start, end, shared };
}

static void *map_at(unsigned long addr, unsigned long len, int extra)
{
	void *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | extra, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if ((unsigned long)p != addr) {     /* pre-4.17 kernel: only a hint */
		munmap(p, len);
		errno = EEXIST;
		return NULL;
	}
	return p;
}

static uint64_t tag3(const char *t)
{
	return ((uint64_t)(unsigned char)t[0] << 56) | ((uint64_t)(unsigned char)t[1] << 48) |
	       ((uint64_t)(unsigned char)t[2] << 40);
}

static void fill(void *p, unsigned long len, const char *tag)
{
	uint64_t *w = p, t = tag3(tag);
	unsigned long i, n = len / 8;

	for (i = 0; i < n; i++)
		w[i] = t | i;
}

static unsigned long read_ulong_file(const char *path, unsigned long dflt)
{
	FILE *f = fopen(path, "r");
	unsigned long v;

	if (!f)
		return dflt;
	if (fscanf(f, "%lu", &v) != 1)
		v = dflt;
	fclose(f);
	return v;
}

static unsigned long meminfo_kb(const char *key, unsigned long dflt)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	size_t kl = strlen(key);
	unsigned long v = dflt;

	if (!f)
		return dflt;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtoul(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Anonymous THP region at a fixed, THP-aligned address, touched. */
static void thp_region(const char *kind, unsigned long addr, unsigned long n, const char *tag, int shared)
{
	unsigned long len = n * hpage;
	void *p = map_at(addr, len, 0);

	if (!p)
		die(kind);
	if (madvise(p, len, MADV_HUGEPAGE))
		out("warn=madvise-hugepage-%s errno=%d", kind, errno);
	fill(p, len, tag);
	add_range(kind, addr, addr + len, shared);
}

static void plain_region(const char *kind, unsigned long addr, unsigned long len, const char *tag, int shared)
{
	void *p = map_at(addr, len, 0);

	if (!p)
		die(kind);
	if (madvise(p, len, MADV_NOHUGEPAGE))
		out("warn=madvise-nohugepage-%s errno=%d", kind, errno);
	fill(p, len, tag);
	add_range(kind, addr, addr + len, shared);
}

static void hugetlb_region(const char *kind, unsigned long addr, unsigned long n, int flags, const char *tag, int shared)
{
	unsigned long len = n * hugetlb_sz;
	void *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE,
		       flags | MAP_ANONYMOUS | MAP_HUGETLB | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED || (unsigned long)p != addr) {
		out("warn=hugetlb-%s-failed errno=%d(%s)", kind, errno, strerror(errno));
		return;
	}
	fill(p, len, tag);
	add_range(kind, addr, addr + len, shared);
}

static struct small {
	unsigned long start, end;
	int touched, unmapped;
} small[SMALL_N];

static void small_maps(void)
{
	static const unsigned long sizes[] = { 1, 2, 4, 8, 16 };   /* in base pages */
	int i;

	for (i = 0; i < SMALL_N; i++) {
		/* vary the offset inside the pmd block so the pte index varies too
		 * (s390x: 64K steps, 4K..64K maps, never clamped) */
		unsigned long len = sizes[i % 5] * pagesz;
		unsigned long off = (unsigned long)(i % 11) * (hpage / 16);
		unsigned long addr;
		void *p;

		if (off + len > hpage)
			off = hpage - len;
		addr = SMALL_BASE + i * SMALL_STRIDE + off;
		p = map_at(addr, len, 0);

		if (!p)
			die("small");
		small[i].start = addr;
		small[i].end = addr + len;
		if (i % 3 != 2) {
			fill(p, len, "SML");
			small[i].touched = 1;
			if (i % 7 == 0) {   /* frees this segment's pte table again */
				munmap(p, len);
				small[i].unmapped = 1;
			}
		}
	}
	add_range("small", small[0].start, small[SMALL_N - 1].end, 1);
}

static void print_ranges(int all)
{
	int i;

	for (i = 0; i < nranges; i++)
		if (all || ranges[i].shared)
			out("comm=%s range=%s start=0x%lx end=0x%lx", comm, ranges[i].kind,
			    ranges[i].start, ranges[i].end);
}

static void print_small(void)
{
	int i;

	for (i = 0; i < SMALL_N; i++)
		out("small=%d start=0x%lx end=0x%lx touched=%d unmapped=%d", i,
		    small[i].start, small[i].end, small[i].touched, small[i].unmapped);
}

/* Shared hugetlb is not copied at fork(): map it in the child by reading it. */
static void touch_shared_hugetlb(void)
{
	int i;
	unsigned long a;
	uint64_t sum = 0;

	for (i = 0; i < nranges; i++)
		if (!strcmp(ranges[i].kind, "hugetlb_shared"))
			for (a = ranges[i].start; a < ranges[i].end; a += hugetlb_sz)
				sum += *(volatile uint64_t *)a;
#if defined(__x86_64__) || defined(__aarch64__)
	for (i = 0; i < nranges; i++)
		if (!strcmp(ranges[i].kind, "hugetlb_1g"))
			sum += *(volatile uint64_t *)ranges[i].start;
#endif
#if defined(__aarch64__)
	for (i = 0; i < nranges; i++) {
		unsigned long step = 0;

		if (!strcmp(ranges[i].kind, "hugetlb_cont64k"))
			step = CONT64K_SIZE;
		else if (!strcmp(ranges[i].kind, "hugetlb_cont32m"))
			step = CONT32M_SIZE;
		for (a = ranges[i].start; step && a < ranges[i].end; a += step)
			sum += *(volatile uint64_t *)a;
	}
#endif
	if (sum == 1)           /* keep the reads */
		out("sum=1");
}

#if defined(__x86_64__) || defined(__aarch64__)
/* One 1 GiB hugetlb page (PUD leaf), shared, if the kernel has the pool. */
static void hugetlb_1g_region(void)
{
	void *p;

	if (read_ulong_file("/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages", 0) == 0) {
		out("warn=hugetlb_1g-no-pool");
		return;
	}
	p = mmap((void *)HUGE1G_BASE, HUGE1G_SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1GB | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED || (unsigned long)p != HUGE1G_BASE) {
		out("warn=hugetlb-hugetlb_1g-failed errno=%d(%s)", errno, strerror(errno));
		return;
	}
	/* the first write maps the whole page (PUD leaf); its first 2 MiB
	 * are enough to tell it apart, the rest stays zero: holes in the
	 * dump, not 1 GiB of pattern in every sample, busy and bug dump */
	fill(p, 2UL << 20, "HG1");
	add_range("hugetlb_1g", HUGE1G_BASE, HUGE1G_BASE + HUGE1G_SIZE, 1);
}
#endif

#if defined(__aarch64__)
/*
 * N shared hugetlb pages of PGSZ (a contiguous run) from the pool of sysfs
 * directory POOL, if it has pages.  Words are the pattern of the whole
 * mapping (tag | word index), but only CHUNK bytes of every STEP are
 * written: the first 64K of each pmd of a 32 MiB run are enough to tell
 * its 16 entries apart, and the dumps stay small (as for hugetlb_1g).
 */
static void hugetlb_cont_region(const char *kind, const char *pool, unsigned long addr,
				unsigned long pgsz, int huge_flag, unsigned long n,
				unsigned long step, unsigned long chunk, const char *tag)
{
	char path[96];
	unsigned long len = n * pgsz, off, i;
	uint64_t *w, t = tag3(tag);
	void *p;

	snprintf(path, sizeof path, "/sys/kernel/mm/hugepages/%s/nr_hugepages", pool);
	if (read_ulong_file(path, 0) == 0) {
		out("warn=%s-no-pool", kind);
		return;
	}
	p = mmap((void *)addr, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | huge_flag | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED || (unsigned long)p != addr) {
		out("warn=hugetlb-%s-failed errno=%d(%s)", kind, errno, strerror(errno));
		return;
	}
	w = p;
	for (off = 0; off < len; off += step)
		for (i = off / 8; i < (off + chunk) / 8; i++)
			w[i] = t | i;
	add_range(kind, addr, addr + len, 1);
}
#endif

static void set_comm(const char *name)
{
	snprintf(comm, sizeof comm, "%s", name);
	prctl(PR_SET_NAME, comm, 0, 0, 0);
}

int main(void)
{
	static const char *child_role[NCHILD] = { "child-cow", "child-ro1", "child-ro2" };
	static const char *child_comm[NCHILD] = { "thpwork-cow", "thpwork-ro1", "thpwork-ro2" };
	pid_t pids[NCHILD];
	int pfd[2], i;
	char b;

	pagesz = sysconf(_SC_PAGESIZE);
	hpage = read_ulong_file("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", 1UL << 20);
	hugetlb_sz = meminfo_kb("Hugepagesize", 1024) * 1024;
	set_comm("thpwork");
	out("hpage=0x%lx hugetlb=0x%lx pagesize=0x%lx", hpage, hugetlb_sz, pagesz);
	if (hpage < 0x10000 || (hpage & (hpage - 1)) || 8 * SLOT > SMALL_BASE - BASE ||
	    hugetlb_sz > SLOT / 2 || 16 * pagesz > hpage) {
		errno = EINVAL;
		die("layout-does-not-fit");
	}

	/* made before fork(): shared with the children */
	thp_region("thp", BASE + 0 * SLOT, 8, "THP", 1);

	thp_region("thp_split_mprotect", BASE + 1 * SLOT, 2, "TPM", 1);
	if (mprotect((void *)(BASE + 1 * SLOT + hpage / 4), 0x10000, PROT_READ))
		die("mprotect");
	add_range("thp_split_mprotect_ro", BASE + 1 * SLOT + hpage / 4,
		  BASE + 1 * SLOT + hpage / 4 + 0x10000, 1);

	thp_region("thp_split_munmap", BASE + 2 * SLOT, 2, "TPU", 1);
	if (munmap((void *)(BASE + 2 * SLOT + hpage / 2), 0x10000))
		die("munmap");
	add_range("thp_split_munmap_hole", BASE + 2 * SLOT + hpage / 2,
		  BASE + 2 * SLOT + hpage / 2 + 0x10000, 1);

	plain_region("nohuge", BASE + 4 * SLOT, 0x40000, "NOH", 1);
	hugetlb_region("hugetlb_shared", HUGETLB_BASE, 2, MAP_SHARED, "HGS", 1);
#if defined(__x86_64__) || defined(__aarch64__)
	hugetlb_1g_region();
#endif
#if defined(__aarch64__)
	if (pagesz == 0x1000) {     /* the contiguous sizes of 4 KiB pages */
		hugetlb_cont_region("hugetlb_cont64k", "hugepages-64kB", CONT64K_BASE,
				    CONT64K_SIZE, MAP_HUGE_64KB, 2, CONT64K_SIZE, CONT64K_SIZE, "H64");
		hugetlb_cont_region("hugetlb_cont32m", "hugepages-32768kB", CONT32M_BASE,
				    CONT32M_SIZE, MAP_HUGE_32MB, 2, hpage, 0x10000, "H32");
	}
#endif
	small_maps();

	if (pipe(pfd))
		die("pipe");
	for (i = 0; i < NCHILD; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i] == 0) {
			close(pfd[0]);
			role = child_role[i];
			set_comm(child_comm[i]);
			if (i == 0) {
				/* COW write into THP #1: splits this child's pmd */
				volatile uint64_t *w = (uint64_t *)(BASE + hpage);
				*w = 0xc0c0c0c0c0c0c0c0ULL;
			}
			touch_shared_hugetlb();
			print_ranges(0);
			out("ready");
			if (write(pfd[1], "r", 1) != 1)
				die("pipe-write");
			close(pfd[1]);
			for (;;)
				pause();
		}
	}
	close(pfd[1]);

	/* parent only, after fork() */
	thp_region("thp_private", BASE + 3 * SLOT, 4, "TPV", 0);
	hugetlb_region("hugetlb_private", HUGETLB_BASE + SLOT, 2, MAP_PRIVATE, "HGP", 0);
	plain_region("swap", BASE + 5 * SLOT, 2UL << 20, "SWP", 0);
	/* twice: pages still in a per-cpu LRU batch are skipped the first time */
	for (i = 0; i < 2; i++) {
		if (madvise((void *)(BASE + 5 * SLOT), 2UL << 20, MADV_PAGEOUT))
			out("warn=madvise-pageout errno=%d(%s)", errno, strerror(errno));
		usleep(100000);
	}

	for (i = 0; i < NCHILD; i++)
		if (read(pfd[0], &b, 1) != 1)
			die("pipe-read");
	close(pfd[0]);

	print_ranges(1);
	print_small();
	out("ready");

	{
		FILE *f = fopen(READY_FILE ".tmp", "w");

		if (!f)
			die("ready-file");
		fprintf(f, "%d parent\n", (int)getpid());
		for (i = 0; i < NCHILD; i++)
			fprintf(f, "%d %s\n", (int)pids[i], child_role[i]);
		if (fclose(f) || rename(READY_FILE ".tmp", READY_FILE))
			die("ready-file");
	}
	{
		const char msg[] = "THPWORK all-ready\n";
		if (write(1, msg, sizeof msg - 1) < 0) {
			/* ignore */
		}
	}
	for (;;)
		pause();
}
