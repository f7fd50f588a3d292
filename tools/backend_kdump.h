/*
 * thpscan's engine backend: memory from libkdumpfile (every dump format
 * it reads), symbols and layouts from the vmlinux DWARF (debuginfo.h).
 *
 * Opening is split in two so that --debuginfo-dir can pick the vmlinux
 * from what the dump says about itself (build-id, release):
 *   kd_open()   the dump alone: format, arch, VMCOREINFO, truncation;
 *   kd_attach() a vmlinux: match check, address translation, release.
 * Errors are returned as a one-line reason in d->err; nothing prints.
 */
#ifndef THPSCAN_BACKEND_KDUMP_H
#define THPSCAN_BACKEND_KDUMP_H

#include <stdint.h>
#include "tc.h"
#include "debuginfo.h"

struct kd_dump {
	const char *path;
	void *ctx;			/* kdump_ctx_t */
	int ctx_unfreeable;		/* a failed diskdump open: see kd_close() */
	int fd;
	struct kdw *vml;
	struct kdw *own_vml;		/* kd_attach_dump(): the dump's own */
	struct ksyms *ksyms;		/* its kallsyms, decoded on first need */
	int ksyms_tried;
	char ksyms_why[200];		/* why there are none */
	char arch[16];			/* canonical libkdumpfile arch name */
	const struct tc_arch *tarch;	/* its entry in the registry */
	char format[32];		/* libkdumpfile file.format */
	/* from VMCOREINFO (empty / unset when the dump has none) */
	char build_id[129];
	char osrelease[65];
	int have_vmcoreinfo;
	int have_koff, have_koff_phys, have_ident;
	uint64_t koff;			/* KERNELOFFSET: runtime - link address */
	uint64_t koff_phys;		/* KERNELOFFPHYS: image physical offset */
	uint64_t ident_base;		/* IDENTITYBASE: VA of physical 0 */
	int have_image_phys;
	uint64_t image_phys;		/* tarch->image_phys_key: the image's pa */
	uint64_t mem_end;		/* max_pfn * page size (ELF: end of PT_LOAD) */
	int page_size_guessed;		/* set by thpscan (ppc64 without VMCOREINFO) */
	int image_scanned;		/* kd_image_build_id() ran */
	/* kernel image, runtime VAs */
	uint64_t img_start, img_end;
	char release[65];		/* init_uts_ns.name.release */
	struct tc_kmap kmap;		/* the linear maps, for the engine */
	/* small reads (struct members) are served from whole pages */
	struct kd_page { uint64_t pfn1; unsigned char data[4096]; } *pcache;
	/* kdump files: the pages makedumpfile wrote (bit set), per dump page */
	unsigned char *dumpable;
	uint64_t dumpable_pfns, dump_page;
	/* pfns whose page descriptor is damaged (NULL: none), and how many
	 * reads were refused for them */
	unsigned char *bad_desc;
	uint64_t bad_desc_reads;
	int dump_level;			/* makedumpfile -d; -1: unfiltered or unknown */
	struct tc_backend be;
	char err[320];
};

/* Open a dump read-only and learn what it says about itself. */
int kd_open(struct kd_dump *d, const char *path);
/* Use this vmlinux for the dump; fails if it does not match. */
int kd_attach(struct kd_dump *d, struct kdw *vml);
/* No vmlinux: symbols from the kallsyms VMCOREINFO finds, layouts
 * from the kernel's BTF in the dump, else the memo of its build-id. */
int kd_attach_dump(struct kd_dump *d);
void kd_close(struct kd_dump *d);
/* VMCOREINFO's SYMBOL(name) line (a runtime VA, or the value of a
 * pointer: VMCOREINFO_SYMBOL_ARRAY); 0, or -1 when there is none */
int kd_vmcoreinfo_symbol(struct kd_dump *d, const char *name, uint64_t *va);
/* ppc64 dump without VMCOREINFO: take build_id from the kernel image's
 * .notes in memory (no-op otherwise) */
void kd_image_build_id(struct kd_dump *d);
/* the engine's arch for this dump (from the registry, tc_arches[]) */
const struct tc_arch *kd_engine_arch(const struct kd_dump *d);
/* Read every byte of every page table page once (the benchmark floor);
 * here so that the benchmark reads memory the same way the scan does. */
int kd_read_phys(struct kd_dump *d, uint64_t pa, void *buf, size_t len);

#endif
