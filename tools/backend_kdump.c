/*
 * struct tc_backend on libkdumpfile + libdw.  See backend_kdump.h.
 *
 * Physical reads go straight to libkdumpfile.  Kernel virtual addresses
 * are translated by the engine (tc_kva_to_pa): this backend tells it
 * where the kernel's linear maps are (struct tc_kmap), as the dump and
 * the vmlinux say -- libkdumpfile 0.5.1 cannot translate every kernel
 * the samples hold ("No way to translate" when a kernel image moved out
 * of the linear map):
 *   - the kernel image (init_task, init_mm, init_uts_ns):
 *       pa = va - image_vbase + VMCOREINFO's image_phys_key  (the arch's)
 *       pa = va - KERNELOFFSET + KERNELOFFPHYS   (VMCOREINFO has them)
 *       pa = va - IDENTITYBASE                   (image in the linear map)
 *   - the linear map (slab objects: tasks, mms, VMAs, maple nodes):
 *       pa = va - IDENTITYBASE, the arch's linear_base, or the value of
 *       its linear_base_var.
 * What the engine cannot translate is read by libkdumpfile's own
 * translation, the last resort (never on a filtered dump).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gelf.h>
#include <libkdumpfile/kdumpfile.h>
#include "backend_kdump.h"
#include "kallsyms.h"
#include "layout.h"

/* runs of present pages visited to find the last one (truncation check) */
#define MAX_PAGEMAP_RUNS	(1u << 24)

static kdump_ctx_t *ctx_of(const struct kd_dump *d)
{
	return d->ctx;
}

/* ------------------------------------------------------------ memory */

#define PCACHE_PAGES	64

static int range_excluded(const struct kd_dump *d, uint64_t pa, size_t len);
static int range_bad_desc(const struct kd_dump *d, uint64_t pa, size_t len);

static int read_phys_direct(struct kd_dump *d, uint64_t pa, void *buf,
			    size_t len)
{
	size_t n = len;

	if (range_excluded(d, pa, len))
		return TC_EXCLUDED;
	/* past the end of memory: never asked of libkdumpfile, whose 0.5.1
	 * answers "Out-of-bounds PFN" but leaves its page cache damaged after
	 * enough such reads (a later read of a sound page then fails to
	 * decompress, or dies of SIGSEGV in memcpy: make torture, s390x-6.12
	 * kdump, table pointers corrupted to addresses far beyond memory) */
	if (d->mem_end && (pa >= d->mem_end || len > d->mem_end - pa))
		return -1;
	if (range_bad_desc(d, pa, len)) {
		d->bad_desc_reads++;
		return -1;
	}
	if (kdump_read(ctx_of(d), KDUMP_KPHYSADDR, pa, buf, &n) == KDUMP_OK &&
	    n == len)
		return 0;
	kdump_clear_err(ctx_of(d));
	return -1;
}

/*
 * The engine reads structures 4 and 8 bytes at a time (task list, VMAs,
 * maple nodes, struct pages); each kdump_read() costs a lock and a cache
 * look-up, so small reads are served from a direct-mapped cache of whole
 * pages.  Tables (2 KiB and up) go straight to libkdumpfile.
 */
int kd_read_phys(struct kd_dump *d, uint64_t pa, void *buf, size_t len)
{
	uint64_t pfn = pa >> 12, off = pa & 4095;
	struct kd_page *p;

	if (len > 256 || off + len > 4096)
		return read_phys_direct(d, pa, buf, len);
	if (!d->pcache) {
		d->pcache = calloc(PCACHE_PAGES, sizeof(*d->pcache));
		if (!d->pcache)
			return read_phys_direct(d, pa, buf, len);
	}
	p = &d->pcache[pfn % PCACHE_PAGES];
	if (p->pfn1 != pfn + 1) {	/* +1: 0 means empty */
		if (read_phys_direct(d, pfn << 12, p->data, 4096) < 0) {
			p->pfn1 = 0;
			return read_phys_direct(d, pa, buf, len);
		}
		p->pfn1 = pfn + 1;
	}
	memcpy(buf, p->data + off, len);
	return 0;
}

static int be_read_phys(void *priv, uint64_t pa, void *buf, size_t len)
{
	return kd_read_phys(priv, pa, buf, len);
}

/* a kernel VA of the linear maps, before the engine exists (the
 * vmlinux check, utsname) */
static int read_kvirt_linear(struct kd_dump *d, uint64_t va, void *buf, size_t len)
{
	uint64_t pa;

	if (tc_kmap_to_pa(&d->kmap, va, &pa) < 0)
		return -1;
	return kd_read_phys(d, pa, buf, len);
}

/* the engine's last resort: libkdumpfile's own translation, which must
 * not meet excluded pages */
static int be_read_kvirt(void *priv, uint64_t va, void *buf, size_t len)
{
	struct kd_dump *d = priv;
	size_t n = len;

	if (d->dumpable)
		return -1;
	if (kdump_read(ctx_of(d), KDUMP_KVADDR, va, buf, &n) == KDUMP_OK &&
	    n == len)
		return 0;
	kdump_clear_err(ctx_of(d));
	return -1;
}

/* ------------------------------------------------------------ debuginfo */

/*
 * KASLR moves the kernel image by KERNELOFFSET, and only the image: a
 * symbol outside its link-time range is absolute -- x86_64's per-CPU
 * variables are offsets linked at 0 (arch/x86/kernel/vmlinux.lds.S
 * PERCPU_VADDR), __per_cpu_offset[cpu] + &rcu_data whatever the boot.
 */
static int be_symbol(void *priv, const char *name, uint64_t *addr)
{
	struct kd_dump *d = priv;
	uint64_t a, s, e;

	if (kdw_symbol(d->vml, name, &a) < 0)
		return -1;
	kdw_image_range(d->vml, &s, &e);
	*addr = a >= s && a <= e ? a + d->koff : a;	/* _end too */
	return 0;
}

static long be_member_offset(void *priv, const char *type, const char *member)
{
	return kdw_member_offset(((struct kd_dump *)priv)->vml, type, member);
}

static long be_member_size(void *priv, const char *type, const char *member)
{
	return kdw_member_size(((struct kd_dump *)priv)->vml, type, member);
}

static long be_type_size(void *priv, const char *type)
{
	return kdw_type_size(((struct kd_dump *)priv)->vml, type);
}

static int be_enum_value(void *priv, const char *name, long *value)
{
	return kdw_enum_value(((struct kd_dump *)priv)->vml, name, value);
}

static int be_dump_level(void *priv)
{
	const struct kd_dump *d = priv;

	return d->dumpable ? d->dump_level : -1;
}

static const char *be_release(void *priv)
{
	struct kd_dump *d = priv;

	return d->release[0] ? d->release : NULL;
}

/* ------------------------------------------------------------ open */

static int fail(struct kd_dump *d, const char *fmt, const char *arg)
{
	snprintf(d->err, sizeof(d->err), fmt, arg);
	return -1;
}

static int check_file(struct kd_dump *d, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return fail(d, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return fail(d, "%s", "is a directory, not a dump");
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return fail(d, "%s", "not a regular file");
	if (S_ISREG(st.st_mode) && st.st_size == 0)
		return fail(d, "%s", "empty file");
	return 0;
}

static void get_string_attr(struct kd_dump *d, const char *key, char *dst,
			    size_t len)
{
	const char *s;

	if (kdump_get_string_attr(ctx_of(d), key, &s) == KDUMP_OK && s)
		snprintf(dst, len, "%s", s);
	else
		dst[0] = 0;
}

static int vmcoreinfo_str(struct kd_dump *d, const char *key, char *dst,
			  size_t len)
{
	char *v = NULL;

	if (kdump_vmcoreinfo_line(ctx_of(d), key, &v) != KDUMP_OK || !v) {
		kdump_clear_err(ctx_of(d));
		return -1;
	}
	snprintf(dst, len, "%s", v);
	free(v);
	return 0;
}

/* a VMCOREINFO number: hexadecimal (SYMBOL, KERNELOFFSET lines) or
 * decimal, signed (NUMBER(x) lines are %ld) */
static int vmcoreinfo_num(struct kd_dump *d, const char *key, int base, uint64_t *val)
{
	char buf[40], *end;

	if (vmcoreinfo_str(d, key, buf, sizeof(buf)) < 0)
		return -1;
	errno = 0;
	*val = base == 16 ? strtoull(buf, &end, 16) : (uint64_t)strtoll(buf, &end, 10);
	return errno || end == buf ? -1 : 0;
}

/* the arch's vmcoreinfo_kmap() asks for numbers this way: a NUMBER(x)
 * line is %ld or 0x%llx (arm64's kimage_voffset), KERNELOFFSET %lx */
static int vmcoreinfo_number(void *priv, const char *key, uint64_t *val)
{
	struct kd_dump *d = priv;
	char buf[40], *end;

	if (vmcoreinfo_str(d, key, buf, sizeof(buf)) < 0)
		return -1;
	errno = 0;
	*val = buf[0] == '-' ? (uint64_t)strtoll(buf, &end, 0) :
	       !strcmp(key, "KERNELOFFSET") ? strtoull(buf, &end, 16) : strtoull(buf, &end, 0);
	return errno || end == buf ? -1 : 0;
}

/*
 * QEMU's kdump files have an empty utsname, so libkdumpfile cannot tell
 * the arch (dump-lab.md 3.3): the first registered arch of the file's
 * byte order is taken.  A dump of an arch not in the registry, or in the
 * other byte order than its registered arch, is refused here.
 */
static int unsupported(struct kd_dump *d, const char *what)
{
	char names[128];

	tc_arch_names(names, sizeof(names));
	snprintf(d->err, sizeof(d->err),
		 "%s dump: unsupported architecture (thpscan reads %s dumps)",
		 what, names);
	return -1;
}

/* whether the dump's VMCOREINFO has a line KEY=...: read from the raw
 * note, which libkdumpfile holds before the arch (and the OS type that
 * its line look-up needs) is known */
static int has_vmcoreinfo_key(void *priv, const char *key)
{
	struct kd_dump *d = priv;
	kdump_attr_t a;
	const char *p;
	size_t n, k = strlen(key), i;
	int found = 0;

	if (kdump_get_attr(ctx_of(d), "linux.vmcoreinfo.raw", &a) != KDUMP_OK ||
	    a.type != KDUMP_BLOB) {
		kdump_clear_err(ctx_of(d));
		return 0;
	}
	n = kdump_blob_size(a.val.blob);
	p = kdump_blob_pin(a.val.blob);
	for (i = 0; p && i + k < n && !found; i++)
		found = (i == 0 || p[i - 1] == '\n') && !memcmp(p + i, key, k) &&
			p[i + k] == '=';
	kdump_blob_unpin(a.val.blob);
	return found;
}

static int set_arch(struct kd_dump *d)
{
	kdump_num_t order = KDUMP_BIG_ENDIAN, psize = 0;
	int big;

	get_string_attr(d, KDUMP_ATTR_ARCH_NAME, d->arch, sizeof(d->arch));
	kdump_clear_err(ctx_of(d));
	if (kdump_get_number_attr(ctx_of(d), KDUMP_ATTR_BYTE_ORDER, &order) != KDUMP_OK)
		kdump_clear_err(ctx_of(d));
	big = order != KDUMP_LITTLE_ENDIAN;
	if (!d->arch[0]) {
		d->tarch = tc_arch_by_byte_order(big, has_vmcoreinfo_key, d);
		if (!d->tarch)
			return unsupported(d, big ? "big-endian" : "little-endian");
		if (kdump_set_string_attr(ctx_of(d), KDUMP_ATTR_ARCH_NAME,
					  d->tarch->kdump_name) != KDUMP_OK)
			return fail(d, "cannot set arch: %s",
				    kdump_get_err(ctx_of(d)));
		snprintf(d->arch, sizeof(d->arch), "%s", d->tarch->kdump_name);
	}
	d->tarch = tc_arch_by_kdump_name(d->arch);
	if (!d->tarch)
		return unsupported(d, d->arch);
	if (!d->tarch->big_endian != !big) {
		char what[48];

		snprintf(what, sizeof(what), "%s-endian %s", big ? "big" : "little",
			 d->arch);
		return unsupported(d, what);
	}
	/* libkdumpfile takes the page size from VMCOREINFO, which QEMU's
	 * dumps of some arches lack; without it every read divides by
	 * zero (SIGFPE in kdump_read) */
	if (d->tarch->dump_page_size &&
	    (kdump_get_number_attr(ctx_of(d), KDUMP_ATTR_PAGE_SIZE, &psize) != KDUMP_OK ||
	     !psize)) {
		kdump_clear_err(ctx_of(d));
		if (kdump_set_number_attr(ctx_of(d), KDUMP_ATTR_PAGE_SIZE,
					  d->tarch->dump_page_size) != KDUMP_OK)
			return fail(d, "cannot set the page size: %s",
				    kdump_get_err(ctx_of(d)));
		d->page_size_guessed = 1;
	}
	return 0;
}

const struct tc_arch *kd_engine_arch(const struct kd_dump *d)
{
	return d->tarch;
}

/*
 * End of physical memory of an ELF dump: the highest end of its PT_LOAD
 * segments.  (libkdumpfile's max_pfn of an ELF file is counted in bytes
 * when the page size was not known at open: QEMU's ppc64 dumps.)
 */
static uint64_t elf_mem_end(struct kd_dump *d)
{
	Elf *elf;
	size_t np = 0, i;
	uint64_t end = 0;

	elf_version(EV_CURRENT);
	elf = elf_begin(d->fd, ELF_C_READ, NULL);
	if (!elf)
		return 0;
	if (elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &np) != 0)
		np = 0;
	for (i = 0; i < np; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    ph.p_paddr + ph.p_memsz > end &&
		    ph.p_paddr + ph.p_memsz > ph.p_paddr)
			end = ph.p_paddr + ph.p_memsz;
	}
	elf_end(elf);
	return end;
}

/*
 * QEMU's ppc64 dumps carry no VMCOREINFO (no build-id, no release), so
 * --debuginfo-dir would have nothing to look the vmlinux up by.  The
 * kernel image is loaded at physical 0 (no KASLR on ppc64) and holds its
 * own .notes section: the GNU build-id note followed by the "Linux"
 * notes (include/linux/elfnote.h, vmlinux.lds.h NOTES).  That pair is
 * looked for in the first MAX_IMAGE_SCAN bytes; kd_attach() then checks
 * the vmlinux against it as against a VMCOREINFO build-id.  Only on
 * demand (--debuginfo-dir): it reads some 17 MiB of the dump (0.3 s of
 * decompression for a kdump file).
 */
#define MAX_IMAGE_SCAN	(256ULL << 20)
#define IMAGE_CHUNK	(1u << 16)

static uint32_t note_word(const unsigned char *p, int be)
{
	return be ? (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3] :
		    (uint32_t)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0];
}

static void scan_image_build_id(struct kd_dump *d, int be);

void kd_image_build_id(struct kd_dump *d)
{
	kdump_num_t order = KDUMP_LITTLE_ENDIAN;

	if (d->build_id[0] || d->image_scanned || !d->tarch ||
	    !d->tarch->image_at_phys0)
		return;
	d->image_scanned = 1;
	if (kdump_get_number_attr(ctx_of(d), KDUMP_ATTR_BYTE_ORDER, &order) != KDUMP_OK)
		kdump_clear_err(ctx_of(d));
	scan_image_build_id(d, order == KDUMP_BIG_ENDIAN);
}

static void scan_image_build_id(struct kd_dump *d, int be)
{
	/* the last bytes of the previous chunk, then one chunk: a note
	 * pair (56 bytes) across two pages is seen whole */
	unsigned char *buf = malloc(64 + IMAGE_CHUNK);
	uint64_t pa, end = d->mem_end < MAX_IMAGE_SCAN ? d->mem_end : MAX_IMAGE_SCAN;

	if (!buf)
		return;
	memset(buf, 0, 64);
	for (pa = 0; pa < end; pa += IMAGE_CHUNK) {
		size_t off;

		if (kd_read_phys(d, pa, buf + 64, IMAGE_CHUNK) < 0) {
			memset(buf, 0, 64);
			continue;
		}
		for (off = 0; off + 56 <= 64 + IMAGE_CHUNK; off += 4) {
			const unsigned char *n = buf + off, *next = n + 16 + 20;
			int i;

			/* namesz 4, descsz 20, NT_GNU_BUILD_ID, "GNU", then
			 * a note named "Linux" */
			if (note_word(n, be) != 4 || note_word(n + 4, be) != 20 ||
			    note_word(n + 8, be) != 3 || memcmp(n + 12, "GNU", 4) ||
			    note_word(next, be) != 6 || memcmp(next + 12, "Linux", 6))
				continue;
			for (i = 0; i < 20; i++)
				snprintf(d->build_id + 2 * i, 3, "%02x", n[16 + i]);
			free(buf);
			return;
		}
		memcpy(buf, buf + IMAGE_CHUNK, 64);
	}
	free(buf);
	kdump_clear_err(ctx_of(d));
}

/*
 * Setting addrxlat.ostype=linux makes libkdumpfile 0.5.1 follow what the
 * kernel left in memory to VMCOREINFO (an arch's memory_vmcoreinfo_ok
 * says whether that is safe: libkdumpfile allocates and reads whatever
 * size it finds there, up to 4 GiB of damaged memory).
 */

static uint64_t get_n(const unsigned char *p, int n, int be)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[be ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

/* libkdumpfile 0.5.1's page sizes (kdumpfile-priv.h MIN_PAGE_SIZE,
 * MAX_PAGE_SIZE): a diskdump block size and a VMCOREINFO PAGESIZE outside
 * them, or not a power of two, it cannot take */
#define KD_MIN_PAGE (1u << 12)
#define KD_MAX_PAGE (1u << 18)

/*
 * A "PAGESIZE=" line (the line at p, n bytes left) gives libkdumpfile its
 * page size: an empty or non-numeric value there is a page size of 0, and
 * its first read of an ELF dump divides by it (SIGFPE, fuzz_open,
 * regression input regress-vmcoreinfo-pagesize).  Kept to the powers of
 * two from KD_MIN_PAGE to KD_MAX_PAGE.
 */
static int page_size_line_ok(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t i = 9;

	if (n < 9 || memcmp(p, "PAGESIZE=", 9))
		return 1;
	for (; i < n && p[i] >= '0' && p[i] <= '9' && v <= KD_MAX_PAGE; i++)
		v = v * 10 + (uint64_t)(p[i] - '0');
	return (i == n || p[i] == '\n') && v >= KD_MIN_PAGE && v <= KD_MAX_PAGE && !(v & (v - 1));
}

/*
 * libkdumpfile 0.5.1 files each VMCOREINFO line "KEY=VALUE" under an
 * attribute path split at '.', and a line that starts with '.' (an empty
 * first component) makes it read past its buffer: SIGSEGV inside
 * kdump_open_fd() or while following the lowcore (fuzz_open, regression
 * input corpus/open/regress-vmcoreinfo-dot).  Such a text is refused
 * before libkdumpfile sees it, wherever it comes from: the lowcore, an
 * ELF PT_NOTE, the kdump sub-header.
 */
static int vmcoreinfo_text_ok(const unsigned char *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i && t[i - 1] != '\n')
			continue;
		if (t[i] == '.' || !page_size_line_ok(t + i, n - i))
			return 0;
	}
	return 1;
}

/* the VMCOREINFO notes of an ELF note area */
static int notes_ok(const unsigned char *p, size_t n, int be)
{
	size_t off = 0;

	while (off <= n && n - off >= 12) {	/* off may pass n: padding */
		uint64_t nsz = get_n(p + off, 4, be), dsz = get_n(p + off + 4, 4, be);
		uint64_t dpos = off + 12 + ((nsz + 3) & ~3ULL);

		if (dpos > n || dsz > n - dpos)
			break;		/* libkdumpfile stops there as well */
		if (nsz >= 10 && !memcmp(p + off + 12, "VMCOREINFO", 10) &&
		    !vmcoreinfo_text_ok(p + dpos, (size_t)dsz))
			return 0;
		off = (size_t)(dpos + ((dsz + 3) & ~3ULL));
	}
	return 1;
}

/* a file region (bounded by the file size, already checked) */
static int file_notes_ok(struct kd_dump *d, uint64_t off, uint64_t len, int be,
			 int raw_text)
{
	unsigned char *buf;
	int ok = 1;

	if (!len || len > (64u << 20))
		return 1;
	buf = malloc((size_t)len);
	if (!buf)
		return 1;
	if (pread(d->fd, buf, (size_t)len, (off_t)off) == (ssize_t)len)
		ok = raw_text ? vmcoreinfo_text_ok(buf, (size_t)len) :
				notes_ok(buf, (size_t)len, be);
	free(buf);
	return ok;
}

static int read_phys_raw(void *priv, uint64_t pa, void *buf, size_t len)
{
	return read_phys_direct(priv, pa, buf, len);
}

/* the arch's VMCOREINFO in memory (s390: the lowcore) is safe for
 * libkdumpfile to follow; 1 for an arch that leaves none there */
static int memory_vmcoreinfo_ok(struct kd_dump *d)
{
	uint64_t refused = d->bad_desc_reads;

	if (!d->tarch || !d->tarch->memory_vmcoreinfo_ok)
		return 1;
	/* a page on the way with a damaged descriptor: libkdumpfile would
	 * read it too, with that descriptor */
	return d->tarch->memory_vmcoreinfo_ok(read_phys_raw, d, notes_ok) &&
	       d->bad_desc_reads == refused;
}

static void read_vmcoreinfo(struct kd_dump *d)
{
	char *raw = NULL;
	kdump_num_t maxpfn = 0, psize = 4096;

	/* lets libkdumpfile find VMCOREINFO where the kernel left it in
	 * memory when the dump has no VMCOREINFO note (QEMU dumps) */
	if (memory_vmcoreinfo_ok(d) &&
	    kdump_set_string_attr(ctx_of(d), KDUMP_ATTR_OSTYPE, "linux") != KDUMP_OK)
		kdump_clear_err(ctx_of(d));
	if (kdump_vmcoreinfo_raw(ctx_of(d), &raw) == KDUMP_OK && raw)
		d->have_vmcoreinfo = 1;
	free(raw);
	kdump_clear_err(ctx_of(d));
	vmcoreinfo_str(d, "BUILD-ID", d->build_id, sizeof(d->build_id));
	if (vmcoreinfo_str(d, "OSRELEASE", d->osrelease, sizeof(d->osrelease)) < 0) {
		get_string_attr(d, "linux.uts.release", d->osrelease,
				sizeof(d->osrelease));
		kdump_clear_err(ctx_of(d));
	}
	d->have_koff = vmcoreinfo_num(d, "KERNELOFFSET", 16, &d->koff) == 0;
	d->have_koff_phys = vmcoreinfo_num(d, "KERNELOFFPHYS", 16, &d->koff_phys) == 0;
	d->have_ident = vmcoreinfo_num(d, "IDENTITYBASE", 16, &d->ident_base) == 0;
	d->have_image_phys = d->tarch && d->tarch->image_vbase &&
			     vmcoreinfo_num(d, d->tarch->image_phys_key, 10, &d->image_phys) == 0;
	if (!d->have_koff)
		d->koff = 0;
	if (!d->have_ident)
		d->ident_base = 0;
	if (kdump_get_number_attr(ctx_of(d), "max_pfn", &maxpfn) != KDUMP_OK)
		kdump_clear_err(ctx_of(d));
	if (kdump_get_number_attr(ctx_of(d), KDUMP_ATTR_PAGE_SIZE, &psize) != KDUMP_OK)
		kdump_clear_err(ctx_of(d));
	d->mem_end = (uint64_t)maxpfn * psize;
	if (!strcmp(d->format, "elf")) {
		uint64_t e = elf_mem_end(d);

		if (e && (d->page_size_guessed || e < d->mem_end))
			d->mem_end = e;
	}
	if (d->tarch && d->tarch->linear_base && !d->have_ident)
		d->ident_base = d->tarch->linear_base;	/* __va(): PAGE_OFFSET + pa */
}

/*
 * A truncated file still opens (its headers are intact) and then fails
 * on the pages past the cut.  The last page the file claims to hold is
 * stored last in every format libkdumpfile writes about (ELF segments in
 * address order, diskdump data in pfn order), so reading it tells.
 */
static int check_not_truncated(struct kd_dump *d)
{
	kdump_attr_t a;
	kdump_bmp_t *bmp;
	kdump_addr_t idx = 0, start, end, last = 0;
	kdump_num_t psize = 4096;
	int found = 0;
	unsigned runs;
	unsigned char page[8];
	size_t n;

	a.type = KDUMP_BITMAP;
	if (kdump_get_typed_attr(ctx_of(d), KDUMP_ATTR_FILE_PAGEMAP, &a) != KDUMP_OK ||
	    a.type != KDUMP_BITMAP) {
		kdump_clear_err(ctx_of(d));
		return 0;	/* format without a page map: nothing to check */
	}
	bmp = a.val.bitmap;
	kdump_get_number_attr(ctx_of(d), KDUMP_ATTR_PAGE_SIZE, &psize);
	for (runs = 0; runs < MAX_PAGEMAP_RUNS; runs++) {
		start = idx;
		if (kdump_bmp_find_set(bmp, &start) != KDUMP_OK)
			break;
		end = start;
		found = 1;
		if (kdump_bmp_find_clear(bmp, &end) != KDUMP_OK || end <= start) {
			/* set up to the end of the map: the last pfn of memory */
			last = d->mem_end / psize > start ? d->mem_end / psize - 1 : start;
			break;
		}
		last = end - 1;
		idx = end;
	}
	kdump_clear_err(ctx_of(d));
	if (!found)
		return fail(d, "%s", "truncated or damaged: no memory page is readable");
	n = sizeof(page);	/* libkdumpfile itself, for its reason */
	if (range_bad_desc(d, (uint64_t)last * psize, psize)) {
		snprintf(d->err, sizeof(d->err), "truncated or damaged: the page descriptor of "
			 "its last page (pa 0x%llx) says data past the file's end or larger than "
			 "a page", (unsigned long long)last * psize);
		return -1;
	}
	if (kdump_read(ctx_of(d), KDUMP_KPHYSADDR, (uint64_t)last * psize + psize - sizeof(page),
		       page, &n) != KDUMP_OK || n != sizeof(page)) {
		const char *why = kdump_get_err(ctx_of(d));

		snprintf(d->err, sizeof(d->err),
			 "truncated or damaged: its last page (pa 0x%llx) cannot be read: %s",
			 (unsigned long long)last * psize, why ? why : "a short read");
		kdump_clear_err(ctx_of(d));
		return -1;
	}
	return 0;
}


/*
 * libkdumpfile reads the part of an ELF segment that lies past the end
 * of a truncated file as zeros, so ELF segments are checked against the
 * file size.  This runs before kdump_open_fd() and reads the headers the
 * way libkdumpfile 0.5.1 does (elfdump.c: e_shnum 0 -> section 0's
 * sh_size, e_phnum PN_XNUM -> its sh_info, the file's entry sizes),
 * because while opening it allocates and reads whatever the headers say:
 * the PT_NOTEs by p_filesz, the section-name table by sh_size, an array
 * of e_shnum sections (fuzz_open found allocations of 160 TiB and of
 * 0x1800000000000 bytes; regression inputs corpus/open/regress-elf-*).
 * Everything they describe must lie inside the file.
 */
static int check_elf_segments(struct kd_dump *d)
{
	unsigned char e[64], x[64];
	struct stat st;
	uint64_t size, need = 0, phoff, shoff, phnum, shnum, i, loads = 0;
	unsigned phent, shent;
	int be, c64;
	ssize_t n;

	memset(e, 0, sizeof(e));
	if (fstat(d->fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (n = pread(d->fd, e, sizeof(e), 0)) < SELFMAG ||
	    memcmp(e, ELFMAG, SELFMAG) ||
	    (e[EI_CLASS] != ELFCLASS32 && e[EI_CLASS] != ELFCLASS64) ||
	    (e[EI_DATA] != ELFDATA2LSB && e[EI_DATA] != ELFDATA2MSB))
		return 0;	/* not ELF, or left to libkdumpfile to refuse */
	/* a cut ELF header reads as zeros there: no PT_LOAD, the NULL
	 * dereference below (corpus/open/regress-elf-short-header) */
	if (n < (e[EI_CLASS] == ELFCLASS64 ? 64 : 52)) {
		snprintf(d->err, sizeof(d->err), "%s",
			 "truncated: the file ends inside its ELF header");
		return -1;
	}
	size = (uint64_t)st.st_size;
	be = e[EI_DATA] == ELFDATA2MSB;
	c64 = e[EI_CLASS] == ELFCLASS64;
	phoff = c64 ? get_n(e + 32, 8, be) : get_n(e + 28, 4, be);
	shoff = c64 ? get_n(e + 40, 8, be) : get_n(e + 32, 4, be);
	phent = (unsigned)get_n(e + (c64 ? 54 : 42), 2, be);
	phnum = get_n(e + (c64 ? 56 : 44), 2, be);
	shent = (unsigned)get_n(e + (c64 ? 58 : 46), 2, be);
	shnum = get_n(e + (c64 ? 60 : 48), 2, be);
	if (shoff && (shnum == 0 || phnum == PN_XNUM)) {
		if (pread(d->fd, x, c64 ? 64 : 40, (off_t)shoff) != (c64 ? 64 : 40))
			goto bad;
		if (shnum == 0)
			shnum = c64 ? get_n(x + 32, 8, be) : get_n(x + 20, 4, be);
		if (phnum == PN_XNUM)
			phnum = get_n(x + (c64 ? 44 : 28), 4, be);
	}
	if ((phnum && phent < (c64 ? 56u : 32u)) || (shnum && shent < (c64 ? 64u : 40u)) ||
	    phnum > 65536 || shnum > 65536 || phoff > size || shoff > size ||
	    phnum * phent > size - phoff || shnum * shent > size - shoff)
		goto bad;
	for (i = 0; i < phnum + shnum; i++) {
		int ph = i < phnum;
		uint64_t off, sz, end;

		/* the fields, not the whole entry: e_*entsize may be up to 64 KiB
		 * (it is only checked to be at least the standard size) */
		size_t want = c64 ? (ph ? 56 : 64) : (ph ? 32 : 40);

		if (pread(d->fd, x, want,
			  (off_t)(ph ? phoff + i * phent : shoff + (i - phnum) * shent)) !=
		    (ssize_t)want)
			goto bad;
		if (ph) {
			loads += get_n(x, 4, be) == PT_LOAD;
			off = c64 ? get_n(x + 8, 8, be) : get_n(x + 4, 4, be);
			sz = c64 ? get_n(x + 32, 8, be) : get_n(x + 16, 4, be);
			if (get_n(x, 4, be) == PT_NOTE && off <= size && sz <= size - off &&
			    !file_notes_ok(d, off, sz, be, 0))
				goto bad_vmcoreinfo;
		} else {
			if (get_n(x + 4, 4, be) == SHT_NOBITS || i == phnum)
				continue;	/* no file data; section 0 is special */
			off = c64 ? get_n(x + 24, 8, be) : get_n(x + 16, 4, be);
			sz = c64 ? get_n(x + 32, 8, be) : get_n(x + 20, 4, be);
		}
		end = off + sz < off ? UINT64_MAX : off + sz;
		if (sz && end > need)
			need = end;
	}
	if (need > size) {
		snprintf(d->err, sizeof(d->err),
			 "truncated: the ELF headers describe %llu bytes, the file has %llu",
			 (unsigned long long)need, (unsigned long long)size);
		return -1;
	}
	/* libkdumpfile 0.5.1 dereferences NULL opening an ELF file without
	 * a PT_LOAD (fuzz_open; corpus/open/regress-elf-no-load) */
	if (!loads) {
		snprintf(d->err, sizeof(d->err), "%s",
			 "not a dump: an ELF file without memory (no PT_LOAD segment)");
		return -1;
	}
	return 0;
bad:
	snprintf(d->err, sizeof(d->err),
		 "damaged: the ELF program or section headers do not fit in the file's %llu bytes",
		 (unsigned long long)size);
	return -1;
bad_vmcoreinfo:
	snprintf(d->err, sizeof(d->err), "%s",
		 "damaged: a VMCOREINFO line libkdumpfile cannot read (starting with '.', or "
		 "a PAGESIZE that is no page size)");
	return -1;
}

/*
 * The same for diskdump/kdump files, before kdump_open_fd(): libkdumpfile
 * 0.5.1 trusts the header's sizes while opening: it allocates and reads
 * bitmap_blocks * block_size bytes of page bitmap and the notes or
 * VMCOREINFO of the sub-header, whatever their size (fuzz_open: SIGBUS
 * past the end of the file, then allocations of terabytes).  The header
 * layout (32 or 64 bit, either byte order) is picked as libkdumpfile
 * picks it (diskdump.c: try_header_32, then try_header_64); a header it
 * would refuse is left to it.
 */

/*
 * Which pages a filtered kdump file holds: its second page bitmap (the
 * first says which pfns are memory, the second which of them makedumpfile
 * wrote; makedumpfile.c, write_kdump_bitmap).  Kept here so that a page
 * makedumpfile left out is answered as such without asking libkdumpfile:
 * 0.5.1 corrupts its page cache when asked for excluded pages (diskdump
 * reads of dumped pages then fail with "Excluded page", and after some
 * 10^5 mixed reads kdump_read() dies of SIGSEGV in memcpy).
 */
static int load_dumpable_bitmap(struct kd_dump *d, uint64_t off, uint64_t len,
				uint64_t page)
{
	size_t half = (size_t)(len / 2);

	if (!half)
		return 0;
	d->dumpable = malloc(half);
	if (!d->dumpable) {
		snprintf(d->err, sizeof(d->err), "%s",
			 "out of memory for the kdump page bitmap");
		return -1;
	}
	if (pread(d->fd, d->dumpable, half, (off_t)(off + half)) != (ssize_t)half) {
		snprintf(d->err, sizeof(d->err), "%s",
			 "truncated: the file ends inside its page bitmap");
		return -1;
	}
	d->dumpable_pfns = (uint64_t)half * 8;
	d->dump_page = page;
	return 0;
}

/*
 * The page descriptors follow the bitmaps, one per dumped page in pfn
 * order (makedumpfile.c, write_kdump_pages).  libkdumpfile 0.5.1 reads a
 * compressed page's pd.size bytes, up to its MAX_PAGE_SIZE, into a buffer
 * of one page (diskdump.c, diskdump_read_page): a descriptor saying more
 * overflows the heap (fuzz_open; regression input regress-kdump-desc-size),
 * in our reads and in its own (the s390 lowcore it follows for
 * VMCOREINFO).  So every descriptor of the pfns below max_pfn is checked
 * before libkdumpfile reads a page: its data inside the file and no larger
 * than a page (makedumpfile writes a page raw when it does not compress
 * smaller).  A page whose descriptor is not is unreadable (as a page the
 * file lacks: READ_ERROR where a check needs it), the rest of the dump is
 * read.  24 bytes per dumped page are read once, in 96 KiB chunks.
 */
static int mark_bad_desc(struct kd_dump *d, uint64_t pfn);

static int check_page_descs(struct kd_dump *d, uint64_t desc_off, uint64_t maxpfn,
			    uint64_t size, int be)
{
	enum { CHUNK = 4096 };
	unsigned char *buf;
	uint64_t n = 0, i, pfn, lim = maxpfn < d->dumpable_pfns ? maxpfn : d->dumpable_pfns;
	int r = 0;

	for (pfn = 0; pfn + 8 <= lim; pfn += 8)
		n += (uint64_t)__builtin_popcount(d->dumpable[pfn >> 3]);
	for (; pfn < lim; pfn++)
		n += (d->dumpable[pfn >> 3] >> (pfn & 7)) & 1;
	if (desc_off > size || n > (size - desc_off) / 24) {
		snprintf(d->err, sizeof(d->err),
			 "truncated or damaged: the page bitmap lists %llu dumped pages, the "
			 "file has room for the descriptors of %llu",
			 (unsigned long long)n, desc_off > size ? 0ULL :
			 (unsigned long long)((size - desc_off) / 24));
		return -1;
	}
	buf = malloc(CHUNK * 24);
	pfn = 0;
	if (!buf) {
		snprintf(d->err, sizeof(d->err), "%s", "out of memory for the kdump page descriptors");
		return -1;
	}
	for (i = 0; i < n && !r; i++) {
		const unsigned char *pd = buf + 24 * (i % CHUNK);
		uint64_t off, len;

		if (i % CHUNK == 0) {
			size_t want = (size_t)(24 * (n - i < CHUNK ? n - i : CHUNK));

			if (pread(d->fd, buf, want, (off_t)(desc_off + 24 * i)) != (ssize_t)want) {
				snprintf(d->err, sizeof(d->err), "%s",
					 "cannot read the kdump page descriptors");
				r = -1;
				break;
			}
		}
		while (!((d->dumpable[pfn >> 3] >> (pfn & 7)) & 1))
			pfn++;		/* the pfn of descriptor i */
		off = get_n(pd, 8, be);
		len = get_n(pd + 8, 4, be);
		if ((!len || len > d->dump_page || off > size || len > size - off) &&
		    mark_bad_desc(d, pfn) < 0)
			r = -1;
		pfn++;
	}
	free(buf);
	return r;
}

static int mark_bad_desc(struct kd_dump *d, uint64_t pfn)
{
	if (!d->bad_desc && !(d->bad_desc = calloc((size_t)(d->dumpable_pfns / 8), 1))) {
		snprintf(d->err, sizeof(d->err), "%s",
			 "out of memory for the damaged kdump page descriptors");
		return -1;
	}
	d->bad_desc[pfn >> 3] |= (unsigned char)(1u << (pfn & 7));
	return 0;
}

/* Whether a dump page of [pa, pa + len) (below dumpable_pfns) has its
 * bit in map equal to bit (NULL map: none has). */
static int range_has_bit(const struct kd_dump *d, const unsigned char *map, int bit,
			 uint64_t pa, size_t len)
{
	uint64_t pfn, last;

	if (!map || !len)
		return 0;
	last = (pa + len - 1) / d->dump_page;
	for (pfn = pa / d->dump_page; pfn <= last && pfn < d->dumpable_pfns; pfn++)
		if (((map[pfn >> 3] >> (pfn & 7)) & 1) == bit)
			return 1;
	return 0;
}

/* Whether [pa, pa + len) has a page whose descriptor is damaged. */
static int range_bad_desc(const struct kd_dump *d, uint64_t pa, size_t len)
{
	return range_has_bit(d, d->bad_desc, 1, pa, len);
}

/* Whether [pa, pa + len) has a page makedumpfile left out of the dump. */
static int range_excluded(const struct kd_dump *d, uint64_t pa, size_t len)
{
	return range_has_bit(d, d->dumpable, 0, pa, len);
}

/* whether the file has a diskdump/kdump signature (libkdumpfile's
 * diskdump_probe()) */
static int is_diskdump(struct kd_dump *d)
{
	char sig[8];

	return pread(d->fd, sig, 8, 0) == 8 &&
	       (!memcmp(sig, "DISKDUMP", 8) || !memcmp(sig, "KDUMP   ", 8));
}

static int check_diskdump_header(struct kd_dump *d)
{
	/* disk_dump_header_{32,64}: block_size, sub_hdr_size, bitmap_blocks,
	 * max_mapnr; kdump_sub_header_{32,64}: offset/size of VMCOREINFO
	 * and of the notes, width of the size fields */
	static const struct layout {
		unsigned bs, shs, bb, mn, vi_off, vi_sz, note_off, note_sz, szw, sublen;
	} lay[2] = {
		{ 0x1a0, 0x1a4, 0x1a8, 0x1ac, 20, 28, 32, 40, 4, 80 },
		{ 0x1ac, 0x1b0, 0x1b4, 0x1b8, 32, 40, 48, 56, 8, 104 },
	};
	unsigned char h[0x1c0], sub[104];
	struct stat st;
	uint64_t size, bs = 0, bmp_off, bmp_len, maxpfn, bits;
	const struct layout *L = NULL;
	int be = 0, l, hv;

	ssize_t n;

	if (fstat(d->fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (n = pread(d->fd, h, sizeof(h), 0)) < 8 ||
	    (memcmp(h, "DISKDUMP", 8) && memcmp(h, "KDUMP   ", 8)))
		return 0;
	if (n < (ssize_t)sizeof(h)) {
		snprintf(d->err, sizeof(d->err), "%s",
			 "truncated: the file ends inside its kdump header");
		return -1;
	}
	size = (uint64_t)st.st_size;
	for (l = 0; l < 2 && !L; l++)
		for (be = 0; be < 2; be++) {
			uint64_t b = get_n(h + lay[l].bs, 4, be);
			uint64_t bb = get_n(h + lay[l].bb, 4, be);

			if (b >= KD_MIN_PAGE && b <= KD_MAX_PAGE &&
			    8 * bb * b >= get_n(h + lay[l].mn, 4, be)) {
				L = &lay[l];
				bs = b;
				break;
			}
		}
	/* libkdumpfile would refuse it ("Invalid diskdump header content"),
	 * through the error path that leaves a freed override behind (see
	 * kd_close): refused here with the reason */
	if (!L) {
		snprintf(d->err, sizeof(d->err), "%s",
			 "damaged: the kdump header's block size, bitmap blocks and max_mapnr "
			 "fit no header layout (32 or 64 bit, either byte order)");
		return -1;
	}
	hv = (int32_t)get_n(h + 8, 4, be);
	/* page bitmaps: after the header block and the sub-header blocks;
	 * then the page descriptors */
	bmp_off = (1 + (uint64_t)(uint32_t)get_n(h + L->shs, 4, be)) * bs;
	bmp_len = get_n(h + L->bb, 4, be) * bs;
	if ((int32_t)get_n(h + L->shs, 4, be) < 0 || bmp_off + bmp_len > size)
		goto bad;
	if (hv >= 2 && (bs + L->sublen > size ||
			pread(d->fd, sub, L->sublen, (off_t)bs) != (ssize_t)L->sublen))
		goto bad;
	/* kdump_sub_header.split (v2+): one file of makedumpfile --split,
	 * whose start/end pfns libkdumpfile 0.5.1 trusts (fuzz_open: heap
	 * overflow in kdump_read(), regression input regress-kdump-split) */
	if (hv >= 2 && get_n(sub + L->szw + 4, 4, be)) {
		snprintf(d->err, sizeof(d->err), "%s",
			 "one part of a split dump (makedumpfile --split): thpscan reads a "
			 "whole dump, made again with makedumpfile --reassemble");
		return -1;
	}
	/*
	 * The pfns (max_mapnr_64 replaces max_mapnr from v6).  libkdumpfile
	 * reads the second bitmap when they fit in one (read_bitmap: "partial
	 * dump"), as makedumpfile always writes them; more make it read both
	 * as one, which only the old DISKDUMP format did: a KDUMP file with
	 * more is damaged, and so is any with more than both bitmaps hold
	 * (reported here, not as libkdumpfile's later "Wrong compressed size").
	 */
	maxpfn = hv >= 6 ? get_n(sub + L->sublen - 8, 8, be) : get_n(h + L->mn, 4, be);
	bits = bmp_len * 8 / (memcmp(h, "KDUMP   ", 8) ? 1 : 2);
	if (maxpfn > bits) {
		snprintf(d->err, sizeof(d->err),
			 "damaged: the kdump header says %llu pfns, its page bitmaps hold %llu",
			 (unsigned long long)maxpfn, (unsigned long long)bits);
		return -1;
	}
	if (hv >= 3) {
		int note = hv >= 4;
		uint64_t off, sz;

		off = get_n(sub + (note ? L->note_off : L->vi_off), 8, be);
		sz = get_n(sub + (note ? L->note_sz : L->vi_sz), L->szw, be);
		if (sz && (off > size || sz > size - off))
			goto bad;
		if (!file_notes_ok(d, off, sz, be, !note)) {
			snprintf(d->err, sizeof(d->err), "%s",
				 "damaged: a VMCOREINFO line libkdumpfile cannot read (starting "
				 "with '.', or a PAGESIZE that is no page size)");
			return -1;
		}
		/* kdump_sub_header: phys_base (an unsigned long), dump_level */
		d->dump_level = (int)get_n(sub + L->szw, 4, be);
	}
	if (load_dumpable_bitmap(d, bmp_off, bmp_len, bs) < 0)
		return -1;
	/* a DISKDUMP file read as one bitmap: its descriptors left unchecked */
	if (!d->dumpable || maxpfn > d->dumpable_pfns)
		return 0;
	return check_page_descs(d, bmp_off + bmp_len, maxpfn, size, be);
bad:
	snprintf(d->err, sizeof(d->err),
		 "truncated or damaged: the kdump headers describe more than the file's %llu bytes",
		 (unsigned long long)size);
	return -1;
}

/* libkdumpfile prefixes open errors with the attribute it was setting */
static const char *open_error(struct kd_dump *d)
{
	const char *e = kdump_get_err(ctx_of(d)), *p = strstr(e, ".fd: ");

	return p ? p + 5 : e;
}

int kd_open(struct kd_dump *d, const char *path)
{
	memset(d, 0, sizeof(*d));
	d->dump_level = -1;
	d->fd = -1;
	d->path = path;
	if (check_file(d, path) < 0)
		return -1;
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0)
		return fail(d, "%s", strerror(errno));
	d->ctx = kdump_new();
	if (!d->ctx)
		return fail(d, "%s", "out of memory");
	/*
	 * read(2), never mmap(2): libkdumpfile 0.5.1 maps the file in chunks
	 * of several pages and checks only that the first page of a chunk is
	 * inside the file, so any read whose chunk runs past the end of a
	 * truncated or damaged file (a kdump bitmap longer than the file, an
	 * ELF note or segment past EOF) dies of SIGBUS inside the library
	 * (found by tests/fuzz/fuzz_open, regression input
	 * tests/fuzz/corpus/open/regress-sigbus-bitmap).  Its read(2) path
	 * zero-fills past EOF instead, which the truncation checks below
	 * report.  Must be set before kdump_open_fd(), which copies it.
	 */
	if (kdump_set_number_attr(ctx_of(d), KDUMP_ATTR_FILE_MMAP_POLICY,
				  KDUMP_MMAP_NEVER) != KDUMP_OK)
		return fail(d, "cannot set file.mmap_policy: %s",
			    kdump_get_err(ctx_of(d)));
	if (check_elf_segments(d) < 0 || check_diskdump_header(d) < 0)
		return -1;
	if (kdump_open_fd(ctx_of(d), d->fd) != KDUMP_OK) {
		d->ctx_unfreeable = is_diskdump(d);
		return fail(d, "not a dump libkdumpfile can read (%s)",
			    open_error(d));
	}
	get_string_attr(d, KDUMP_ATTR_FILE_FORMAT, d->format, sizeof(d->format));
	if (set_arch(d) < 0)
		return -1;
	read_vmcoreinfo(d);
	return check_not_truncated(d);
}

/* ------------------------------------------------------------ attach */

static int check_vmlinux_matches(struct kd_dump *d, struct kdw *vml)
{
	const char *vid = kdw_build_id(vml);
	uint64_t banner;
	char want[160], have[160];

	if (!kdw_arch(vml) || strcmp(kdw_arch(vml), d->arch)) {
		snprintf(d->err, sizeof(d->err),
			 "vmlinux %s is for %s, the dump is %s", kdw_path(vml),
			 kdw_arch(vml) ? kdw_arch(vml) : "an unknown arch", d->arch);
		return -1;
	}
	if (d->build_id[0] && vid[0]) {
		if (strcmp(d->build_id, vid)) {
			snprintf(d->err, sizeof(d->err),
				 "vmlinux %s does not match the dump (build-id %.40s, dump's kernel %.40s%s%s)",
				 kdw_path(vml), vid, d->build_id,
				 d->osrelease[0] ? " " : "", d->osrelease);
			return -1;
		}
		return 0;
	}
	/* no build-id to compare: the banner text must be the same in the
	 * file and in memory */
	if (kdw_symbol(vml, "linux_banner", &banner) < 0 ||
	    kdw_read_image(vml, banner, want, sizeof(want)) < 0 ||
	    read_kvirt_linear(d, banner + d->koff, have, sizeof(have)) < 0)
		return 0;	/* cannot tell: let the scan decide */
	want[sizeof(want) - 1] = have[sizeof(have) - 1] = 0;
	if (strcmp(want, have)) {
		snprintf(d->err, sizeof(d->err),
			 "vmlinux %s does not match the dump (linux_banner differs)",
			 kdw_path(vml));
		return -1;
	}
	return 0;
}

/* crash shows utsname.release from memory; so does thpscan */
static void read_release(struct kd_dump *d)
{
	uint64_t uts;
	long name = kdw_member_offset(d->vml, "uts_namespace", "name");
	long rel = kdw_member_offset(d->vml, "new_utsname", "release");

	d->release[0] = 0;
	if (be_symbol(d, "init_uts_ns", &uts) == 0 && name >= 0 && rel >= 0 &&
	    read_kvirt_linear(d, uts + (uint64_t)name + (uint64_t)rel, d->release,
			      sizeof(d->release)) == 0) {
		d->release[sizeof(d->release) - 1] = 0;
		if (d->release[0])
			return;
	}
	if (d->osrelease[0])
		snprintf(d->release, sizeof(d->release), "%s", d->osrelease);
}

/* the kernel's linear maps as the dump and the vmlinux say (see the top
 * of this file): the engine translates kernel VAs with them */
static void set_kernel_map(struct kd_dump *d)
{
	struct tc_kmap *k = &d->kmap;

	k->image_start = d->img_start;
	k->image_end = d->img_end;
	k->image_delta = d->have_image_phys ? d->tarch->image_vbase - d->image_phys :
			 d->have_koff_phys ? d->koff - d->koff_phys : d->ident_base;
	k->linear_base = d->ident_base;
	k->linear_size = d->mem_end;
	if (d->have_vmcoreinfo && d->tarch && d->tarch->vmcoreinfo_kmap &&
	    d->tarch->vmcoreinfo_kmap(vmcoreinfo_number, d, k) == 0)
		d->have_ident = 1;	/* no linear_base_var needed */
	d->be.kmap = k;
}

/* __va(0) from the kernel variable the arch names, when the dump has no
 * IDENTITYBASE (x86_64: page_offset_base, read through the image map) */
static void read_linear_base(struct kd_dump *d)
{
	uint64_t sym;
	unsigned char b[8];

	if (d->have_ident || !d->tarch || !d->tarch->linear_base_var ||
	    be_symbol(d, d->tarch->linear_base_var, &sym) < 0 ||
	    read_kvirt_linear(d, sym, b, 8) < 0)
		return;
	d->ident_base = get_n(b, 8, d->be.big_endian);
	d->have_ident = 1;
	set_kernel_map(d);
}

static void attach_common(struct kd_dump *d, struct kdw *vml)
{
	uint64_t s, e;

	d->vml = vml;
	kdw_image_range(vml, &s, &e);
	d->img_start = s + d->koff;
	d->img_end = e + d->koff;
	set_kernel_map(d);
}

static void attach_backend(struct kd_dump *d)
{
	read_release(d);
	d->be.priv = d;
	d->be.big_endian = kdw_big_endian(d->vml);
	d->be.read_phys = be_read_phys;
	d->be.read_kvirt = be_read_kvirt;
	d->be.symbol = be_symbol;
	d->be.member_offset = be_member_offset;
	d->be.member_size = be_member_size;
	d->be.type_size = be_type_size;
	d->be.enum_value = be_enum_value;
	d->be.release = be_release;
	d->be.dump_level = be_dump_level;
	read_linear_base(d);
}

int kd_attach(struct kd_dump *d, struct kdw *vml)
{
	attach_common(d, vml);
	if (check_vmlinux_matches(d, vml) < 0)
		return -1;
	attach_backend(d);
	return 0;
}

/* ------------------------------------------------------------ no vmlinux */

int kd_vmcoreinfo_symbol(struct kd_dump *d, const char *name, uint64_t *va)
{
	char key[160];

	return snprintf(key, sizeof(key), "SYMBOL(%s)", name) < (int)sizeof(key) ?
	       vmcoreinfo_num(d, key, 16, va) : -1;
}

static int read_kvirt_cb(void *priv, uint64_t va, void *buf, size_t len)
{
	return read_kvirt_linear(priv, va, buf, len);
}

/* the kallsyms tables VMCOREINFO names (v6.0+, CONFIG_KALLSYMS); 0 when
 * it names them all */
static int kallsyms_where(struct kd_dump *d, struct ksyms_where *w)
{
	memset(w, 0, sizeof(*w));
	if (kd_vmcoreinfo_symbol(d, "kallsyms_names", &w->names) < 0 ||
	    kd_vmcoreinfo_symbol(d, "kallsyms_num_syms", &w->num_syms) < 0 ||
	    kd_vmcoreinfo_symbol(d, "kallsyms_token_table", &w->token_table) < 0 ||
	    kd_vmcoreinfo_symbol(d, "kallsyms_token_index", &w->token_index) < 0)
		return -1;
	if (kd_vmcoreinfo_symbol(d, "kallsyms_offsets", &w->offsets) == 0)
		return kd_vmcoreinfo_symbol(d, "kallsyms_relative_base", &w->relative_base);
	return kd_vmcoreinfo_symbol(d, "kallsyms_addresses", &w->addresses);
}

/* decoded on the first symbol the memo does not know */
static const struct ksyms *kallsyms(struct kd_dump *d)
{
	struct ksyms_where w;

	if (d->ksyms || d->ksyms_tried)
		return d->ksyms;
	d->ksyms_tried = 1;
	if (kallsyms_where(d, &w) < 0) {
		snprintf(d->ksyms_why, sizeof(d->ksyms_why),
			 "VMCOREINFO names no kallsyms tables (a kernel before v6.0, or CONFIG_KALLSYMS off)");
		return NULL;
	}
	d->ksyms = ksyms_load(&w, d->tarch->big_endian, read_kvirt_cb, d,
			      d->ksyms_why, sizeof(d->ksyms_why));
	return d->ksyms;
}

/*
 * A symbol from the dump's kallsyms, as a link-time address like a
 * vmlinux's (be_symbol adds KERNELOFFSET back).  VMCOREINFO's SYMBOL()
 * lines only find the tables: VMCOREINFO_SYMBOL_ARRAY() writes the value
 * of a pointer, not its address (SYMBOL(vmemmap) on s390x v6.12 is the
 * struct page array, 0xffffff7220000000, not the variable).
 */
static int dump_symbol(void *priv, const char *name, uint64_t *addr)
{
	struct kd_dump *d = priv;
	uint64_t a;
	int absolute;

	if (!kallsyms(d) || ksyms_lookup(d->ksyms, name, &a, &absolute) < 0)
		return -1;
	*addr = absolute ? a : a - d->koff;
	return 0;
}

/* kallsyms has data symbols (CONFIG_KALLSYMS_ALL) when it has init_task:
 * then what it does not know is not in the kernel */
static int dump_symbols_complete(void *priv)
{
	struct kd_dump *d = priv;
	uint64_t a;

	return kallsyms(d) && ksyms_lookup(d->ksyms, "init_task", &a, NULL) == 0;
}

/* the kernel's BTF, between __start_BTF and __stop_BTF of its image */
#define MAX_BTF_BYTES	(256u << 20)

static struct layout_src *load_btf(void *priv, char *why, size_t len)
{
	struct kd_dump *d = priv;
	uint64_t s, e;
	struct layout_src *l;
	void *buf;

	if (!kallsyms(d)) {
		snprintf(why, len, "no kallsyms to find the dump's BTF (%s)", d->ksyms_why);
		return NULL;
	}
	if (ksyms_lookup(d->ksyms, "__start_BTF", &s, NULL) < 0 ||
	    ksyms_lookup(d->ksyms, "__stop_BTF", &e, NULL) < 0 || e <= s) {
		/* kallsyms without data symbols cannot name the section
		 * either: which of the two is off, init_task says */
		snprintf(why, len, "no BTF found in the dump (no __start_BTF in kallsyms: %s)",
			 ksyms_lookup(d->ksyms, "init_task", &s, NULL) == 0 ?
			 "CONFIG_DEBUG_INFO_BTF off" : "CONFIG_KALLSYMS_ALL off, text symbols only");
		return NULL;
	}
	if (e - s > MAX_BTF_BYTES || !(buf = malloc(e - s))) {
		snprintf(why, len, "the dump's BTF: %llu bytes", (unsigned long long)(e - s));
		return NULL;
	}
	if (read_kvirt_linear(d, s, buf, e - s) < 0) {
		snprintf(why, len, "the dump's BTF (%#llx-%#llx) is not in the dump",
			 (unsigned long long)s, (unsigned long long)e);
		free(buf);
		return NULL;
	}
	l = layout_btf_open(buf, e - s, why, len);
	free(buf);
	return l;
}

/* a first map of the image from VMCOREINFO's _stext (v5.10+), enough to
 * read the kallsyms tables and the BTF, which lie in [_stext, _end):
 * 22-90 MiB on the samples.  512 MiB stays inside x86_64's image window,
 * KERNEL_IMAGE_SIZE = 1 GiB above __START_KERNEL_map
 * (arch/x86/include/asm/page_64_types.h), below the modules; the map is
 * narrowed to [_text, _end) once kallsyms or the memo know them */
#define PROVISIONAL_IMAGE	(512ull << 20)

/* the image is _text (or _stext) .. _end, as kallsyms or the memo say;
 * without them the provisional map stays */
static void set_image_range(struct kd_dump *d)
{
	uint64_t s, e;

	if ((kdw_symbol(d->own_vml, "_text", &s) == 0 ||
	     kdw_symbol(d->own_vml, "_stext", &s) == 0) &&
	    kdw_symbol(d->own_vml, "_end", &e) == 0 && s < e)
		kdw_set_image_range(d->own_vml, s, e);
	else
		kdw_set_image_range(d->own_vml, d->img_start - d->koff,
				    d->img_end - d->koff);
}

/* the engine's first symbol, asked now for a clear error */
static int check_symbols(struct kd_dump *d)
{
	uint64_t a;

	if (kdw_symbol(d->own_vml, "init_task", &a) == 0)
		return 0;
	snprintf(d->err, sizeof(d->err), "%.150s%s%.64s: give the VMLINUX",
		 d->ksyms ? "init_task is not in the dump's kallsyms (CONFIG_KALLSYMS_ALL off)" :
		 d->ksyms_why, d->build_id[0] ? " and not remembered for build-id " : "",
		 d->build_id);
	return -1;
}

int kd_attach_dump(struct kd_dump *d)
{
	struct kdw_parts p = {
		.what = "the dump's own kallsyms and BTF", .arch = d->arch,
		.big_endian = d->tarch->big_endian, .build_id = d->build_id,
		.symbol = dump_symbol, .symbols_complete = dump_symbols_complete,
		.load_layouts = load_btf, .priv = d,
	};
	uint64_t stext;

	if (!d->have_vmcoreinfo)
		return fail(d, "%s", "no VMCOREINFO in the dump to find the kernel's symbols: give the VMLINUX");
	if (kd_vmcoreinfo_symbol(d, "_stext", &stext) == 0) {
		d->img_start = stext;
		d->img_end = stext + PROVISIONAL_IMAGE;
		set_kernel_map(d);
	}
	d->own_vml = kdw_open_parts(&p, d->err, sizeof(d->err));
	if (!d->own_vml) {
		snprintf(d->err + strlen(d->err), sizeof(d->err) - strlen(d->err),
			 ": give the VMLINUX");
		return -1;
	}
	set_image_range(d);
	if (check_symbols(d) < 0)
		return -1;
	attach_common(d, d->own_vml);
	attach_backend(d);
	return 0;
}

void kd_close(struct kd_dump *d)
{
	kdw_close(d->own_vml);
	d->own_vml = NULL;
	ksyms_free(d->ksyms);
	d->ksyms = NULL;
	free(d->dumpable);
	d->dumpable = NULL;
	free(d->bad_desc);
	d->bad_desc = NULL;

	free(d->pcache);
	d->pcache = NULL;
	/* libkdumpfile 0.5.1's diskdump open_common() frees its private data
	 * on an error but leaves the page_size override inside it attached
	 * (diskdump.c, err_cleanup; gone with upstream ae178dd "diskdump:
	 * Remove page_size override"): kdump_free() then reads freed memory
	 * and dies of SIGSEGV (make torture, s390x-6.1 kdump with max_mapnr
	 * flipped).  Such a context is left to the process: a few KB, once
	 * per dump that could not be opened. */
	if (d->ctx && !d->ctx_unfreeable)
		kdump_free(ctx_of(d));
	if (d->fd >= 0)
		close(d->fd);
	d->ctx = NULL;
	d->fd = -1;
}
