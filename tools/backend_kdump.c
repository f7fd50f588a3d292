/*
 * struct tc_backend on libkdumpfile + libdw.  See backend_kdump.h.
 *
 * Physical reads go straight to libkdumpfile.  Kernel virtual reads are
 * translated here: libkdumpfile 0.5.1 has no s390x translation for v6.10+
 * kernels (the kernel image moved out of the identity map: "No way to
 * translate"), and the engine only needs two kinds of kernel addresses,
 * both linear:
 *   - the kernel image (init_task, init_mm, init_uts_ns):
 *       pa = va - KERNELOFFSET + KERNELOFFPHYS   (v6.10+)
 *       pa = va - IDENTITYBASE (= va)            (older: image in the
 *                                                 identity map)
 *   - the identity map (slab objects: tasks, mms, VMAs, maple nodes):
 *       pa = va - IDENTITYBASE                   (0 before v6.10)
 * (arch/s390/include/asm/page.h: __pa(), __kernel_pa(); the three values
 * are in VMCOREINFO, which libkdumpfile finds through the s390 lowcore
 * once addrxlat.ostype=linux is set.)  Anything else (the vmemmap array
 * of struct pages, vmalloc) is translated by the engine's own walk of
 * the kernel tables (tc_translate() of init_mm), and failing that by
 * libkdumpfile.
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

#define SUPPORTED_ARCH	"s390x"
/* runs of present pages visited to find the last one (truncation check) */
#define MAX_PAGEMAP_RUNS	(1u << 24)

static kdump_ctx_t *ctx_of(const struct kd_dump *d)
{
	return d->ctx;
}

/* ------------------------------------------------------------ memory */

#define PCACHE_PAGES	64

static int read_phys_direct(struct kd_dump *d, uint64_t pa, void *buf,
			    size_t len)
{
	size_t n = len;

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

static int kvirt_to_phys(const struct kd_dump *d, uint64_t va, uint64_t *pa)
{
	if (va >= d->img_start && va < d->img_end) {
		*pa = d->have_koff_phys ? va - d->koff + d->koff_phys :
		      va - d->ident_base;
		return 0;
	}
	if (va >= d->ident_base && va - d->ident_base < d->mem_end) {
		*pa = va - d->ident_base;
		return 0;
	}
	return -1;
}

static int be_read_phys(void *priv, uint64_t pa, void *buf, size_t len)
{
	return kd_read_phys(priv, pa, buf, len);
}

#define PAGE_SHIFT_4K	12
#define TLB_SIZE	(sizeof(((struct kd_dump *)0)->tlb) / \
			 sizeof(((struct kd_dump *)0)->tlb[0]))

/* One page through the engine's kernel-table walk, remembered in a small
 * direct-mapped cache (struct pages are read many times per page). */
static int walk_translate(struct kd_dump *d, uint64_t va, uint64_t *pa)
{
	uint64_t vpage = va >> PAGE_SHIFT_4K, ppa;
	size_t slot = vpage % TLB_SIZE;
	int rc;

	if (d->tlb[slot].vpage == vpage + 1) {	/* +1: 0 means empty */
		*pa = d->tlb[slot].ppage << PAGE_SHIFT_4K |
		      (va & ((1u << PAGE_SHIFT_4K) - 1));
		return 0;
	}
	/* the walk reads init_mm (kernel image), never this path again;
	 * the flag keeps a broken layout from recursing */
	if (!d->engine || !d->engine->arch || !d->engine->arch_priv || d->in_walk)
		return -1;
	d->in_walk = 1;
	rc = tc_translate(d->engine, 0, va, &ppa);
	d->in_walk = 0;
	if (rc < 0)
		return -1;
	d->tlb[slot].vpage = vpage + 1;
	d->tlb[slot].ppage = ppa >> PAGE_SHIFT_4K;
	*pa = ppa;
	return 0;
}

static int read_kvirt_walked(struct kd_dump *d, uint64_t va, void *buf,
			     size_t len)
{
	unsigned char *p = buf;

	while (len) {
		uint64_t pa;
		size_t in_page = (1u << PAGE_SHIFT_4K) -
				 (va & ((1u << PAGE_SHIFT_4K) - 1));
		size_t n = len < in_page ? len : in_page;

		if (walk_translate(d, va, &pa) < 0 || kd_read_phys(d, pa, p, n) < 0)
			return -1;
		va += n;
		p += n;
		len -= n;
	}
	return 0;
}

static int be_read_kvirt(void *priv, uint64_t va, void *buf, size_t len)
{
	struct kd_dump *d = priv;
	uint64_t pa;
	size_t n = len;

	if (kvirt_to_phys(d, va, &pa) == 0)
		return kd_read_phys(d, pa, buf, len);
	if (read_kvirt_walked(d, va, buf, len) == 0)
		return 0;
	if (kdump_read(ctx_of(d), KDUMP_KVADDR, va, buf, &n) == KDUMP_OK &&
	    n == len)
		return 0;
	kdump_clear_err(ctx_of(d));
	return -1;
}

void kd_set_engine(struct kd_dump *d, struct tc_ctx *c)
{
	d->engine = c;
	memset(d->tlb, 0, sizeof(d->tlb));
}

/* ------------------------------------------------------------ debuginfo */

static int be_symbol(void *priv, const char *name, uint64_t *addr)
{
	struct kd_dump *d = priv;
	uint64_t a;

	if (kdw_symbol(d->vml, name, &a) < 0)
		return -1;
	*addr = a + d->koff;
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

static int vmcoreinfo_hex(struct kd_dump *d, const char *key, uint64_t *val)
{
	char buf[40], *end;

	if (vmcoreinfo_str(d, key, buf, sizeof(buf)) < 0)
		return -1;
	errno = 0;
	*val = strtoull(buf, &end, 16);
	return errno || end == buf ? -1 : 0;
}

/* QEMU's s390x kdump files have an empty utsname, so libkdumpfile cannot
 * tell the arch (dump-lab.md 3.3); thpscan reads s390x only, so that is
 * what such a dump is taken to be.  A dump that names another arch is
 * refused here. */
static int set_arch(struct kd_dump *d)
{
	get_string_attr(d, KDUMP_ATTR_ARCH_NAME, d->arch, sizeof(d->arch));
	kdump_clear_err(ctx_of(d));
	if (!d->arch[0]) {
		if (kdump_set_string_attr(ctx_of(d), KDUMP_ATTR_ARCH_NAME,
					  SUPPORTED_ARCH) != KDUMP_OK)
			return fail(d, "cannot set arch: %s",
				    kdump_get_err(ctx_of(d)));
		snprintf(d->arch, sizeof(d->arch), "%s", SUPPORTED_ARCH);
	}
	if (strcmp(d->arch, SUPPORTED_ARCH)) {
		snprintf(d->err, sizeof(d->err),
			 "%s dump: unsupported architecture (thpscan reads %s dumps)",
			 d->arch, SUPPORTED_ARCH);
		return -1;
	}
	return 0;
}

static void read_vmcoreinfo(struct kd_dump *d)
{
	char *raw = NULL;
	kdump_num_t maxpfn = 0, psize = 4096;

	/* lets libkdumpfile find VMCOREINFO through the s390 lowcore when
	 * the dump has no VMCOREINFO note (QEMU dumps) */
	if (kdump_set_string_attr(ctx_of(d), KDUMP_ATTR_OSTYPE, "linux") != KDUMP_OK)
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
	d->have_koff = vmcoreinfo_hex(d, "KERNELOFFSET", &d->koff) == 0;
	d->have_koff_phys = vmcoreinfo_hex(d, "KERNELOFFPHYS", &d->koff_phys) == 0;
	d->have_ident = vmcoreinfo_hex(d, "IDENTITYBASE", &d->ident_base) == 0;
	if (!d->have_koff)
		d->koff = 0;
	if (!d->have_ident)
		d->ident_base = 0;
	if (kdump_get_number_attr(ctx_of(d), "max_pfn", &maxpfn) != KDUMP_OK)
		kdump_clear_err(ctx_of(d));
	if (kdump_get_number_attr(ctx_of(d), KDUMP_ATTR_PAGE_SIZE, &psize) != KDUMP_OK)
		kdump_clear_err(ctx_of(d));
	d->mem_end = (uint64_t)maxpfn * psize;
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
	if (kd_read_phys(d, (uint64_t)last * psize + psize - sizeof(page), page,
			 sizeof(page)) < 0) {
		snprintf(d->err, sizeof(d->err),
			 "truncated or damaged: its last page (pa 0x%llx) cannot be read: %s",
			 (unsigned long long)last * psize, kdump_get_err(ctx_of(d)));
		return -1;
	}
	return 0;
}

/*
 * libkdumpfile reads the part of an ELF segment that lies past the end
 * of a truncated file as zeros (mmap), so for ELF dumps the segments are
 * checked against the file size as well.
 */
static int check_elf_segments(struct kd_dump *d)
{
	Elf *elf;
	struct stat st;
	size_t np, i;
	uint64_t need = 0;

	if (strcmp(d->format, "elf") || fstat(d->fd, &st) < 0)
		return 0;
	elf_version(EV_CURRENT);
	elf = elf_begin(d->fd, ELF_C_READ, NULL);
	if (!elf)
		return 0;
	if (elf_getphdrnum(elf, &np) != 0)
		np = 0;
	for (i = 0; i < np; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_filesz &&
		    ph.p_offset + ph.p_filesz > need)
			need = ph.p_offset + ph.p_filesz;
	}
	elf_end(elf);
	if (need > (uint64_t)st.st_size) {
		snprintf(d->err, sizeof(d->err),
			 "truncated: the ELF headers describe %llu bytes, the file has %llu",
			 (unsigned long long)need, (unsigned long long)st.st_size);
		return -1;
	}
	return 0;
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
	if (kdump_open_fd(ctx_of(d), d->fd) != KDUMP_OK)
		return fail(d, "not a dump libkdumpfile can read (%s)",
			    open_error(d));
	get_string_attr(d, KDUMP_ATTR_FILE_FORMAT, d->format, sizeof(d->format));
	if (check_elf_segments(d) < 0 || set_arch(d) < 0)
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
	    be_read_kvirt(d, banner + d->koff, have, sizeof(have)) < 0)
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
	    be_read_kvirt(d, uts + (uint64_t)name + (uint64_t)rel, d->release,
			  sizeof(d->release)) == 0) {
		d->release[sizeof(d->release) - 1] = 0;
		if (d->release[0])
			return;
	}
	if (d->osrelease[0])
		snprintf(d->release, sizeof(d->release), "%s", d->osrelease);
}

int kd_attach(struct kd_dump *d, struct kdw *vml)
{
	uint64_t s, e;

	d->vml = vml;
	kdw_image_range(vml, &s, &e);
	d->img_start = s + d->koff;
	d->img_end = e + d->koff;
	if (check_vmlinux_matches(d, vml) < 0)
		return -1;
	read_release(d);
	d->be.priv = d;
	d->be.big_endian = kdw_big_endian(vml);
	d->be.read_phys = be_read_phys;
	d->be.read_kvirt = be_read_kvirt;
	d->be.symbol = be_symbol;
	d->be.member_offset = be_member_offset;
	d->be.member_size = be_member_size;
	d->be.type_size = be_type_size;
	d->be.enum_value = be_enum_value;
	d->be.release = be_release;
	return 0;
}

void kd_close(struct kd_dump *d)
{
	free(d->pcache);
	d->pcache = NULL;
	if (d->ctx)
		kdump_free(ctx_of(d));
	if (d->fd >= 0)
		close(d->fd);
	d->ctx = NULL;
	d->fd = -1;
}
