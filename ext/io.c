/*
 * thpcheck engine, reads: byte order, the cached reads, pages the dump left out.
 * Architecture knowledge lives behind struct tc_arch; no engine file
 * names an architecture.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"

/* one load and at most one byte swap: the walker loads every entry */
static uint64_t load_order(const void *p, int big_endian)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return big_endian ? __builtin_bswap64(v) : v;
#else
	return big_endian ? v : __builtin_bswap64(v);
#endif
}

uint64_t tc_load64(const struct tc_ctx *c, const void *p)
{
	return load_order(p, c->be->big_endian);
}

uint64_t tc_load_entry(const struct tc_ctx *c, const void *p)
{
	return load_order(p, c->arch->entries_big_endian || c->be->big_endian);
}

static uint32_t load32(const struct tc_ctx *c, const void *p)
{
	const unsigned char *b = p;
	uint32_t v = 0;
	int i;

	if (c->be->big_endian)
		for (i = 0; i < 4; i++)
			v = v << 8 | b[i];
	else
		for (i = 3; i >= 0; i--)
			v = v << 8 | b[i];
	return v;
}

#define BLOCK 4096ULL

/* a backend read; one that met a page left out of the dump is counted,
 * for tc_not_in_dump() */
static int counted_read(struct tc_ctx *c,
			int (*rd)(void *, uint64_t, void *, size_t),
			uint64_t addr, void *buf, size_t len)
{
	int r = rd(c->be->priv, addr, buf, len);

	if (r == TC_EXCLUDED)
		c->stats.excluded_reads++;
	return r;
}

int tc_read_pa_direct(struct tc_ctx *c, uint64_t pa, void *buf, size_t len)
{
	return counted_read(c, c->be->read_phys, pa, buf, len);
}

static int cached_read(struct tc_ctx *c, int phys, uint64_t addr, void *buf,
		       size_t len)
{
	uint64_t block = addr & ~(BLOCK - 1), tag = block | (phys ? 3 : 1);
	size_t slot = (size_t)((block / BLOCK) % TC_CACHE_BLOCKS);
	int (*rd)(void *, uint64_t, void *, size_t) =
		phys ? c->be->read_phys : c->be->read_kvirt;
	unsigned char *d;

	if (addr - block + len > BLOCK)
		return counted_read(c, rd, addr, buf, len);
	if (!c->cache.data) {
		c->cache.data = malloc(TC_CACHE_BLOCKS * BLOCK);
		if (!c->cache.data)
			return counted_read(c, rd, addr, buf, len);
	}
	d = c->cache.data + slot * BLOCK;
	if (c->cache.tag[slot] != tag) {
		c->cache.tag[slot] = 0;
		/* a block that is not wholly readable: read just the bytes */
		if (rd(c->be->priv, block, d, BLOCK) < 0)
			return counted_read(c, rd, addr, buf, len);
		c->cache.tag[slot] = tag;
	}
	memcpy(buf, d + (addr - block), len);
	return 0;
}

int tc_read_kv_backend(struct tc_ctx *c, uint64_t va, void *buf, size_t len)
{
	return c->be->read_kvirt ? cached_read(c, 0, va, buf, len) : -1;
}

/* a backend that gives the dump's map leaves kernel VAs to the engine */
int tc_read_kv(struct tc_ctx *c, uint64_t va, void *buf, size_t len)
{
	return c->be->kmap ? tc_read_kernel(c, va, buf, len) :
	       tc_read_kv_backend(c, va, buf, len);
}

int tc_read_pa(struct tc_ctx *c, uint64_t pa, void *buf, size_t len)
{
	return cached_read(c, 1, pa, buf, len);
}

int tc_rd64(struct tc_ctx *c, uint64_t kva, uint64_t *v)
{
	unsigned char b[8];

	if (tc_read_kv(c, kva, b, 8) < 0)
		return -1;
	*v = tc_load64(c, b);
	return 0;
}

int tc_rd32(struct tc_ctx *c, uint64_t kva, uint32_t *v)
{
	unsigned char b[4];

	if (tc_read_kv(c, kva, b, 4) < 0)
		return -1;
	*v = load32(c, b);
	return 0;
}

int tc_rd_var64(struct tc_ctx *c, const char *name, uint64_t *v)
{
	uint64_t sym;

	return c->be->symbol(c->be->priv, name, &sym) < 0 ? -1 : tc_rd64(c, sym, v);
}

int tc_rd_var32(struct tc_ctx *c, const char *name, uint32_t *v)
{
	uint64_t sym;

	return c->be->symbol(c->be->priv, name, &sym) < 0 ? -1 : tc_rd32(c, sym, v);
}

const char *const tc_nid_names[TC_NID_N] = {
	"tables", "struct_pages", "kernel",
};
static const char *const nid_what[TC_NID_N] = {
	"page tables", "struct pages", "kernel structures",
};

int tc_not_in_dump(struct tc_ctx *c, uint64_t before, enum tc_nid_kind kind,
		   uint64_t addr, const char *skipped)
{
	const char **why = c->nid_skipped[kind];
	size_t i;

	if (c->stats.excluded_reads == before)
		return 0;
	if (!c->stats.not_in_dump[kind]++)
		c->nid_first[kind] = addr;
	for (i = 0; i < 4 && why[i] && strcmp(why[i], skipped); i++)
		;
	if (i < 4 && !why[i])
		why[i] = skipped;
	return 1;
}

/*
 * One NOT_IN_DUMP warning per kind of left-out page: a filtered dump is
 * not damaged, it holds less; what could not be checked is said once.
 */
void eng_report_not_in_dump(struct tc_ctx *c)
{
	int lvl = c->be->dump_level ? c->be->dump_level(c->be->priv) : -1;
	char how[48] = "its filter";
	int k;

	if (lvl >= 0)
		snprintf(how, sizeof(how), "makedumpfile -d %d", lvl);
	for (k = 0; k < TC_NID_N; k++) {
		const char *const *why = c->nid_skipped[k];

		if (c->stats.not_in_dump[k])
			tc_report(c, NULL, TC_SIG(NOT_IN_DUMP),
				  tc_at_none(c->stats.not_in_dump[k]),
				  "%llu %s left out of the dump (%s), the first at %#llx; skipped: %s%s%s%s%s%s%s",
				  (unsigned long long)c->stats.not_in_dump[k],
				  nid_what[k], how,
				  (unsigned long long)c->nid_first[k], why[0],
				  why[1] ? "; " : "", why[1] ? why[1] : "",
				  why[2] ? "; " : "", why[2] ? why[2] : "",
				  why[3] ? "; " : "", why[3] ? why[3] : "");
	}
}

long tc_off(struct tc_ctx *c, const char *type, const char *member)
{
	return c->be->member_offset(c->be->priv, type, member);
}
