/*
 * Where thpscan learns the kernel's struct layouts: one interface, three
 * sources behind it, chosen in this order by what the user has
 *   DWARF  the vmlinux's .debug_info (libdw)                layout_dwarf.c
 *   BTF    the vmlinux's .BTF, or the dump's own copy of it   layout_btf.c
 *          (__start_BTF..__stop_BTF, CONFIG_DEBUG_INFO_BTF)
 *   memo   the answers an earlier scan of the same build-id    debuginfo.c
 *          wrote down ($THPSCAN_LAYOUT_CACHE)
 * The engine asks each the same questions: a member's offset and size by
 * a dotted path ("context.asce"), members of anonymous structs and unions
 * found as if they were direct members (as gdb does), a struct's size,
 * an enumerator's value.  A bitfield member's offset is the byte holding
 * its first bit, its size the size of its declared type.  Every function
 * returns -1 when the thing is not there; none prints.
 */
#ifndef THPSCAN_LAYOUT_H
#define THPSCAN_LAYOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

struct layout_src {
	const char *name;		/* "dwarf", "btf" */
	void *priv;
	long (*member_offset)(void *priv, const char *type, const char *member);
	long (*member_size)(void *priv, const char *type, const char *member);
	long (*type_size)(void *priv, const char *type);
	int (*enum_value)(void *priv, const char *name, long *value);
	void (*close)(void *priv);
};

/* the name hash of the look-up tables (djb2) */
static inline size_t layout_hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* bounds against malformed type data, shared by both parsers */
#define LAYOUT_MAX_TYPE_CHAIN	32	/* typedef -> const -> ... -> struct */
#define LAYOUT_MAX_ANON_DEPTH	8	/* anonymous struct in union in ... */
#define LAYOUT_MAX_PATH_PARTS	8	/* "a.b.c" */

/* DWARF of an open ELF file (libelf's Elf *, kept open by the caller);
 * NULL when the file has none, with the reason in err */
struct layout_src *layout_dwarf_open(void *elf, char *err, size_t errlen);

/* BTF from raw bytes, either byte order (copied: the caller may free
 * data); NULL with the reason in err when they do not parse */
struct layout_src *layout_btf_open(const void *data, size_t size, char *err,
				   size_t errlen);

static inline void layout_close(struct layout_src *s)
{
	if (s) {
		s->close(s->priv);
		free(s);
	}
}

#endif
