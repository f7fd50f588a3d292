/*
 * The kernel's own symbol table, read from a dump: the compressed
 * kallsyms tables that VMCOREINFO names since v6.0 (kernel commit
 * 5fd8fea935a1 "vmcoreinfo: include kallsyms symbols"), decoded with the
 * rules of kernel/kallsyms.c.  Without CONFIG_KALLSYMS_ALL they hold the
 * text symbols only, so the data symbols a scan needs are missing.
 */
#ifndef THPSCAN_KALLSYMS_H
#define THPSCAN_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

/* where the tables are (runtime VAs, VMCOREINFO's SYMBOL() lines); the
 * absolute kallsyms_addresses of kernels built without
 * CONFIG_KALLSYMS_BASE_RELATIVE, or the offsets and their base */
struct ksyms_where {
	uint64_t names, num_syms, token_table, token_index;
	uint64_t offsets, relative_base, addresses;	/* 0: not named */
};

/* reads len bytes of kernel memory at a runtime VA; 0 on success */
typedef int (*ksyms_read_fn)(void *priv, uint64_t va, void *buf, size_t len);

struct ksyms;

/* Decode every symbol; NULL with the reason in err. */
struct ksyms *ksyms_load(const struct ksyms_where *w, int big_endian,
			 ksyms_read_fn read, void *priv, char *err, size_t errlen);
/* runtime address of a symbol (a global one before a local one of the
 * same name), and whether it is absolute: a per-CPU variable's offset
 * under CONFIG_KALLSYMS_ABSOLUTE_PERCPU, which KASLR does not move
 * (absolute may be NULL); 0, or -1 when it is not there */
int ksyms_lookup(const struct ksyms *k, const char *name, uint64_t *addr,
		 int *absolute);
void ksyms_free(struct ksyms *k);

#endif
