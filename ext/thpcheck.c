/*
 * thpcheck: crash extension front end.
 *
 *   crash> extend thpcheck.so
 *   crash> thpcheck [-a | -p pid | -m mm | -k | -u] [-s] [-j] [-v] [-t] [-e] [-l] [-x addr]
 *
 * Implements struct tc_backend with crash's own services: readmem() with
 * RETURN_ON_ERROR|QUIET (a bad dump never ends the session),
 * MEMBER_OFFSET/ANON_MEMBER_OFFSET/STRUCT_SIZE for layouts and
 * symbol_value() for addresses.
 */
#include "defs.h"
#include "tc.h"

/* ------------------------------------------------------------ backend */

static int crash_read(uint64_t addr, int type, void *buf, size_t len)
{
	return readmem(addr, type, buf, (long)len, "thpcheck",
		       RETURN_ON_ERROR | QUIET) ? 0 : -1;
}

/*
 * readmem() says that makedumpfile left a page out only in a message
 * (memory.c, PAGE_EXCLUDED_ERRMSG; QUIET silences it); crash's diskdump
 * reader returns PAGE_EXCLUDED for it (diskdump.c, read_diskdump), so a
 * failed read of a kdump file is asked again page by page there.
 */
static int phys_excluded(uint64_t pa, size_t len)
{
	uint64_t p, last = (pa + len - 1) & ~((uint64_t)PAGESIZE() - 1);
	char b[8];

	if (!DISKDUMP_DUMPFILE() || !len)
		return 0;
	for (p = pa & ~((uint64_t)PAGESIZE() - 1); p <= last; p += PAGESIZE())
		if (read_diskdump(-1, b, 1, 0, (physaddr_t)p) == PAGE_EXCLUDED)
			return 1;
	return 0;
}

static int be_read_phys(void *priv, uint64_t pa, void *buf, size_t len)
{
	(void)priv;
	if (crash_read(pa, PHYSADDR, buf, len) == 0)
		return 0;
	return phys_excluded(pa, len) ? TC_EXCLUDED : -1;
}

static int be_read_kvirt(void *priv, uint64_t va, void *buf, size_t len)
{
	physaddr_t pa;

	(void)priv;
	if (crash_read(va, KVADDR, buf, len) == 0)
		return 0;
	/* one page at a time: the pages of a range need not be contiguous */
	if (DISKDUMP_DUMPFILE()) {
		uint64_t v, last = (va + len - 1) & ~((uint64_t)PAGESIZE() - 1);

		for (v = va & ~((uint64_t)PAGESIZE() - 1); v <= last; v += PAGESIZE())
			if (kvtop(NULL, v, &pa, 0) && phys_excluded(pa, 1))
				return TC_EXCLUDED;
	}
	return -1;
}

static int be_kvirt_to_phys(void *priv, uint64_t va, uint64_t *pa)
{
	physaddr_t p;

	(void)priv;
	if (!kvtop(NULL, va, &p, 0))
		return -1;
	*pa = p;
	return 0;
}

static int be_dump_level(void *priv)
{
	(void)priv;
	return DISKDUMP_DUMPFILE() ? get_dump_level() : -1;
}

static int be_symbol(void *priv, const char *name, uint64_t *addr)
{
	(void)priv;
	if (!symbol_exists((char *)name))
		return -1;
	*addr = symbol_value((char *)name);
	return 0;
}

/*
 * Layout look-ups go through gdb, which is slow under emulation; they are
 * asked again on every run of the command, so keep the answers.
 */
#define LAYOUT_CACHE 128
static struct layout_entry {
	char key[96];
	long value;
} layout_cache[LAYOUT_CACHE];
static int layout_n;

static int layout_get(const char *kind, const char *type, const char *member,
		      long *value, char *key, size_t keylen)
{
	int i;

	snprintf(key, keylen, "%s:%s:%s", kind, type, member ? member : "");
	for (i = 0; i < layout_n; i++)
		if (!strcmp(layout_cache[i].key, key)) {
			*value = layout_cache[i].value;
			return 1;
		}
	return 0;
}

static long layout_put(const char *key, long value)
{
	if (layout_n < LAYOUT_CACHE) {
		snprintf(layout_cache[layout_n].key,
			 sizeof(layout_cache[0].key), "%s", key);
		layout_cache[layout_n++].value = value;
	}
	return value;
}

static long be_type_size(void *priv, const char *type);

/*
 * A dotted path ("context.asce", "mr64.slot") one member at a time:
 * MEMBER_OFFSET and MEMBER_TYPE_NAME are answered from gdb's type of the
 * struct, while ANON_MEMBER_OFFSET evaluates an expression in gdb, which
 * takes 0.3-0.5 s per path under qemu-user.  size != 0: the size of the
 * last member instead of the offset.  -1 when a step fails.
 */
static long member_path(const char *type, const char *path, int size)
{
	const char *dot = strchr(path, '.');
	char head[64], tname[96], *t;
	long off, rest;

	if (!dot)
		return size ? MEMBER_SIZE((char *)type, (char *)path) :
			      MEMBER_OFFSET((char *)type, (char *)path);
	if ((size_t)(dot - path) >= sizeof(head))
		return -1;
	memcpy(head, path, (size_t)(dot - path));
	head[dot - path] = 0;
	off = MEMBER_OFFSET((char *)type, head);
	t = off < 0 ? NULL : MEMBER_TYPE_NAME((char *)type, head);
	if (!t || !*t)
		return -1;
	snprintf(tname, sizeof(tname), "%s", t);
	rest = member_path(tname, dot + 1, size);
	return rest < 0 ? -1 : size ? rest : off + rest;
}

static long be_member_offset(void *priv, const char *type, const char *member)
{
	char key[96];
	long v;

	if (layout_get("off", type, member, &v, key, sizeof(key)))
		return v;
	/* a failed gdb look-up is slow: ask for the struct once first */
	if (be_type_size(priv, type) < 0)
		return layout_put(key, -1);
	v = member_path(type, member, 0);
	if (v < 0 && strchr(member, '.'))	/* e.g. through an anonymous union */
		v = ANON_MEMBER_OFFSET((char *)type, (char *)member);
	return layout_put(key, v);
}

static long be_member_size(void *priv, const char *type, const char *member)
{
	char key[96];
	long v;

	if (layout_get("msz", type, member, &v, key, sizeof(key)))
		return v;
	if (be_type_size(priv, type) < 0)
		return layout_put(key, -1);
	v = member_path(type, member, 1);
	if (v < 0 && strchr(member, '.'))
		v = ANON_MEMBER_SIZE((char *)type, (char *)member);
	return layout_put(key, v);
}

static long be_type_size(void *priv, const char *type)
{
	char key[96];
	long v;

	(void)priv;
	if (layout_get("sz", type, NULL, &v, key, sizeof(key)))
		return v;
	return layout_put(key, STRUCT_SIZE((char *)type));
}

static int be_enum_value(void *priv, const char *name, long *value)
{
	char key[96];
	long v;

	(void)priv;
	if (!layout_get("enum", name, NULL, &v, key, sizeof(key)))
		v = layout_put(key, enumerator_value((char *)name, value) ?
			       *value : LONG_MIN);
	if (v == LONG_MIN)
		return -1;
	*value = v;
	return 0;
}

static const char *be_release(void *priv)
{
	(void)priv;
	return kt->utsname.release;
}

static const struct tc_backend crash_backend = {
	.priv = NULL,
	/* crash runs as a binary of the dump's byte order (natively or
	 * under qemu-user), so the target order is the host order. */
	.big_endian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__,
	.read_phys = be_read_phys,
	.read_kvirt = be_read_kvirt,
	.symbol = be_symbol,
	.member_offset = be_member_offset,
	.member_size = be_member_size,
	.type_size = be_type_size,
	.enum_value = be_enum_value,
	.release = be_release,
	.dump_level = be_dump_level,
	.kvirt_to_phys = be_kvirt_to_phys,
};

/* crash's machine_type() takes a char * */
static int crash_machine_is(const char *name)
{
	return machine_type((char *)name);
}

static const struct tc_arch *crash_arch(void)
{
	return tc_arch_by_crash_machine(crash_machine_is);
}

/* ------------------------------------------------------------ command */

static ulonglong parse_addr(const char *s)
{
	return htoll((char *)s, FAULT_ON_ERROR, NULL);
}

void cmd_thpcheck(void);
char *help_thpcheck[];

void cmd_thpcheck(void)
{
	struct tc_opts o = { .scope = TC_SCOPE_ALL };
	int stats_only = 0, json = 0, list = 0, xflag = 0, ch;
	struct tc_opts ctx;
	uint64_t xaddr = 0;
	const struct tc_arch *arch;
	struct tc_ctx *c;

	while ((ch = getopt(argcnt, args, "ap:m:kusjvtlex:")) != EOF) {
		switch (ch) {
		case 'a':
			o.scope = TC_SCOPE_ALL;
			break;
		case 'p':
			o.scope = TC_SCOPE_PID;
			o.pid = (int)dtol(optarg, FAULT_ON_ERROR, NULL);
			break;
		case 'm':
			o.scope = TC_SCOPE_MM;
			o.mm = parse_addr(optarg);
			break;
		case 'k':
			o.scope = TC_SCOPE_KERNEL;
			break;
		case 'u':
			o.scope = TC_SCOPE_USER;
			break;
		case 's':
			stats_only = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 't':
			o.inventory = 1;
			break;
		case 'l':
			list = 1;
			break;
		case 'e':
			o.leaves = 1;
			break;
		case 'x':
			xflag = 1;
			xaddr = parse_addr(optarg);
			break;
		default:
			argerrs++;
			break;
		}
	}
	if (argerrs || args[optind])
		cmd_usage(pc->curcmd, SYNOPSIS);
	if (list) {
		tc_print_sigs(fp);
		return;
	}
	arch = crash_arch();
	if (!arch) {
		error(INFO, "thpcheck: %s dumps are not supported\n",
		      MACHINE_TYPE);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		error(INFO, "thpcheck: out of memory\n");
		return;
	}
	o.out = fp;
	ctx = o;
	if (xflag) {		/* everything is walked so that -x knows it all */
		o.scope = TC_SCOPE_ALL;
		o.out = pc->nullfp;
	}
	if (tc_init(c, &crash_backend, arch, &o) < 0 || tc_run(c) < 0) {
		error(INFO, "thpcheck: %s\n", c->err);
	} else if (xflag) {
		if (tc_explain_in(c, &ctx, xaddr, fp) < 0)
			error(INFO, "thpcheck: %s\n", c->err);
	} else if (json) {
		tc_print_json(c, fp);
	} else if (stats_only) {
		tc_print_summary(c, fp);
	} else if (!o.inventory && !o.leaves) {
		tc_print_text(c, fp);
	}
	tc_free(c);
	free(c);
}

char *help_thpcheck[] = {
"thpcheck",
"validate page tables and THP state of user and kernel address spaces",
"[-a | -p pid | -m mm | -k | -u] [-s] [-j] [-v] [-t] [-e] [-l] [-x addr]",
"  This command walks every page table of the dump, from each mm's top",
"  table down to the ptes, classifies every entry by the rules of the",
"  dump's architecture, checks it against the VMAs of its mm, and reports",
"  each inconsistency as a named signature with its place: mm, pid, virtual",
"  address, level, table physical address, index and value.  Without",
"  options it checks every user mm of the task list and the kernel's",
"  tables (init_mm).",
" ",
"    -a  all user mms and the kernel tables (the default).",
"    -p pid  only the mm of this pid.",
"    -m mm   only this mm_struct (hexadecimal address).",
"    -k  only the kernel tables (init_mm).",
"    -u  only the user mms (what \"foreach vm -p\" covers).",
"    -s  statistics only: the summary line.",
"    -j  one JSON object (tool, version, arch, kernel, scheme, stats, mms,",
"        findings); addresses are \"0x...\" strings.",
"    -v  also list every table visited, and every legal in-flight state",
"        (munmap, vma-write, mm-exit, table-alloc, table-free, pmd-update)",
"        with its evidence; they are counted on the summary line, not",
"        reported.  Pages a filtered dump (makedumpfile -d) left out are",
"        counted too: one NOT_IN_DUMP warning per kind says what was skipped.",
"    -t  inventory: one JSON line per table (pa, level, mm, pid, va, used).",
"    -e  mappings: one JSON line per user leaf (pid, va, pa, size).",
"    -l  list the signatures and their meanings.",
"    -x addr  everything known about the table entry at physical address",
"        addr: level, owner mm/pid/comm and VA range, the entry and its",
"        neighbours, every entry that references the table, findings there,",
"        the struct page (fragment bits, pgtable_list, deposit ring).  With",
"        -p or -m, addr is a user virtual address of that process.",
" ",
"  The last line of the text output is a summary: mms, tables per level,",
"  present and swap ptes, THP and hugetlb pmds, deposited tables, findings.",
" ",
"EXAMPLES",
"  Check everything:",
" ",
"    %s> thpcheck",
"    thpcheck " TC_VERSION ": s390x 6.1.0-50-s390x, scheme s390-frag2k",
"    MM                 PID     COMM              PRESENT     SWAP    THP HUGETLB  VMAS FINDINGS",
"    0x2287c00          1       init                  161        0      0      0    10        0",
"    ...",
"    SUMMARY: 9 mms, tables pgd=0 p4d=0 pud=9 pmd=9 pte=60, ...",
" ",
"  Only the statistics of pid 93, then the signature list:",
" ",
"    %s> thpcheck -s -p 93",
"    %s> thpcheck -l",
NULL
};

static struct command_table_entry command_table[] = {
	{ "thpcheck", cmd_thpcheck, help_thpcheck, 0 },
	{ NULL, NULL, NULL, 0 },
};

void __attribute__((constructor)) thpcheck_init(void)
{
	register_extension(command_table);
}

void __attribute__((destructor)) thpcheck_fini(void)
{
}
