/*
 * The kernel's debuginfo for thpscan: symbols and struct layouts.
 *   with a vmlinux   symbols from its ELF symbol table (libelf), layouts
 *                    from its DWARF, else its .BTF (layout.h)
 *   without          what the dump holds of itself, assembled by the
 *                    backend (kdw_open_parts): the kallsyms VMCOREINFO finds
 *                    for symbols, the kernel's BTF for layouts
 * and in front of either, the memo of an earlier scan's answers for the
 * same build-id, which is also the last source of layouts.
 * Every function returns -1 (or NULL) on failure and never prints.
 */
#ifndef THPSCAN_DEBUGINFO_H
#define THPSCAN_DEBUGINFO_H

#include <stddef.h>
#include <stdint.h>

struct kdw;
struct layout_src;

/* Open a vmlinux read-only.  On failure returns NULL and writes the
 * reason to err. */
struct kdw *kdw_open(const char *path, char *err, size_t errlen);
void kdw_close(struct kdw *w);

/* A kernel's debuginfo from parts that are not a vmlinux.  Addresses are
 * link-time ones (runtime minus KERNELOFFSET), as a vmlinux gives them.
 * Both sources are asked only for what the memo does not know: with an
 * empty memo the layouts are loaded at once (NULL: the open fails with
 * the loader's reason in err). */
struct kdw_parts {
	const char *what;		/* names it in messages and -v */
	const char *arch;		/* the registry's kdump_name */
	int big_endian;
	const char *build_id;		/* "" when not known: no memo */
	/* kallsyms; -1 when it is not there (or there are none) */
	int (*symbol)(void *priv, const char *name, uint64_t *addr);
	/* whether a symbol symbol() does not know does not exist */
	int (*symbols_complete)(void *priv);
	/* the BTF, or NULL with the reason in why */
	struct layout_src *(*load_layouts)(void *priv, char *why, size_t len);
	void *priv;			/* of both; lives as long as the kdw */
};
struct kdw *kdw_open_parts(const struct kdw_parts *p, char *err, size_t errlen);
/* the image range, once the parts' symbols have told it */
void kdw_set_image_range(struct kdw *w, uint64_t start, uint64_t end);

/* where this scan's answers came from: "dwarf" or "btf" when at least one
 * question reached them, "memo" when the memo answered all; "elf" or
 * "kallsyms", else "memo" */
const char *kdw_layout_source(const struct kdw *w);
const char *kdw_symbol_source(const struct kdw *w);
/* Only the GNU build-id of an ELF file (cheap: no DWARF); 0 on success. */
int kdw_peek_build_id(const char *path, char *hex, size_t len);

const char *kdw_path(const struct kdw *w);
/* "s390x", "x86_64", ... from e_machine and class; NULL if unknown */
const char *kdw_arch(const struct kdw *w);
int kdw_big_endian(const struct kdw *w);
/* GNU build-id as lowercase hex ("" when the file has none) */
const char *kdw_build_id(const struct kdw *w);
/* lowest and highest+1 link-time address of the loadable segments */
void kdw_image_range(const struct kdw *w, uint64_t *start, uint64_t *end);

/* link-time address of a symbol (no relocation applied) */
int kdw_symbol(struct kdw *w, const char *name, uint64_t *addr);
/* bytes of the file image at a link-time address (e.g. linux_banner) */
int kdw_read_image(struct kdw *w, uint64_t addr, void *buf, size_t len);

/* Layout look-ups: member may be a dotted path ("context.asce"); members
 * of anonymous structs and unions are found as if they were direct
 * members (the way gdb resolves them). */
long kdw_member_offset(struct kdw *w, const char *type, const char *member);
long kdw_member_size(struct kdw *w, const char *type, const char *member);
long kdw_type_size(struct kdw *w, const char *type);
int kdw_enum_value(struct kdw *w, const char *name, long *value);

/* Ask the engine's layout questions once, so that forked children
 * inherit the DWARF and symbol indexes instead of building their own. */
void kdw_prewarm(struct kdw *w);

/* Symbol and layout answers are remembered per build-id across runs
 * ($THPSCAN_LAYOUT_CACHE, else $XDG_CACHE_HOME/thpscan or
 * ~/.cache/thpscan; "off" disables it): a vmlinux whose answers are all
 * known is never indexed.  kdw_open() reads the file; this writes it
 * when there are new answers (atomically; 0, or -1 when it cannot). */
int kdw_save_memo(struct kdw *w);

#endif
