/*
 * kallsyms from a dump.  See kallsyms.h.
 *
 * The tables, as scripts/kallsyms.c writes them (v6.1 and v6.12 alike):
 *   kallsyms_num_syms    u32
 *   kallsyms_names       per symbol: a length byte (with the top bit set,
 *                        the low 7 bits and the next byte << 7: "big"
 *                        symbols, 73bbb94466fd, v6.1), then that many
 *                        token numbers; the expanded string is the type
 *                        letter and the name
 *   kallsyms_token_index u16[256]: offset of each token in
 *   kallsyms_token_table NUL-terminated strings
 *   kallsyms_offsets     s32 per symbol, kallsyms_relative_base u64:
 *                        kernel/kallsyms.c kallsyms_sym_address()
 *   kallsyms_addresses   or absolute addresses (no BASE_RELATIVE)
 * Every count and length is bounded: a damaged dump gives an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kallsyms.h"

#define MAX_SYMS	(4u << 20)	/* a distribution kernel has ~200,000 */
#define MAX_NAME	512		/* KSYM_NAME_LEN, include/linux/kallsyms.h */
#define MAX_TOKEN_BYTES	65536		/* u16 offsets */
#define WINDOW		4096

struct ksym {
	uint32_t name;		/* offset in arena */
	uint64_t addr;
	int global;
};

struct ksyms {
	char *arena;
	size_t arena_len, arena_cap;
	struct ksym *tab;	/* open addressing by name */
	size_t cap, n;
};

/* sequential reads of one table through a page-sized window */
struct reader {
	ksyms_read_fn read;
	void *priv;
	uint64_t base;		/* VA of the window */
	int valid;
	unsigned char buf[WINDOW];
};

static int rd_bytes(struct reader *r, uint64_t va, void *out, size_t len)
{
	unsigned char *o = out;

	while (len) {
		uint64_t page = va & ~(uint64_t)(WINDOW - 1);
		size_t off = (size_t)(va - page), n = WINDOW - off;

		if (!r->valid || r->base != page) {
			if (r->read(r->priv, page, r->buf, WINDOW) != 0)
				return -1;
			r->base = page;
			r->valid = 1;
		}
		if (n > len)
			n = len;
		memcpy(o, r->buf + off, n);
		o += n;
		va += n;
		len -= n;
	}
	return 0;
}

static uint64_t get_n(const unsigned char *b, int n, int big)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)b[big ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

static int rd_num(struct reader *r, uint64_t va, int n, int big, uint64_t *v)
{
	unsigned char b[8];

	if (rd_bytes(r, va, b, (size_t)n) < 0)
		return -1;
	*v = get_n(b, n, big);
	return 0;
}

/* ------------------------------------------------------------ table */

static size_t hash_name(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static struct ksym *slot_of(const struct ksyms *k, const char *name)
{
	size_t i = hash_name(name) & (k->cap - 1), j;

	for (j = 0; j < k->cap; j++, i = (i + 1) & (k->cap - 1))
		if (!k->tab[i].name || !strcmp(k->arena + k->tab[i].name, name))
			return &k->tab[i];
	return NULL;
}

static int arena_add(struct ksyms *k, const char *s, size_t len, uint32_t *off)
{
	if (k->arena_len + len + 1 > k->arena_cap) {
		size_t ncap = k->arena_cap ? 2 * k->arena_cap : 1 << 20;
		char *na;

		while (ncap < k->arena_len + len + 1)
			ncap *= 2;
		if (ncap > UINT32_MAX || !(na = realloc(k->arena, ncap)))
			return -1;
		k->arena = na;
		k->arena_cap = ncap;
	}
	*off = (uint32_t)k->arena_len;
	memcpy(k->arena + k->arena_len, s, len);
	k->arena[k->arena_len + len] = 0;
	k->arena_len += len + 1;
	return 0;
}

/* offset 0 of the arena is a NUL, so name 0 marks an empty slot */
static int add_symbol(struct ksyms *k, const char *typed, size_t len, uint64_t addr)
{
	int global = typed[0] >= 'A' && typed[0] <= 'Z';
	struct ksym *e;
	uint32_t off;

	if (len < 2)
		return 0;
	if (arena_add(k, typed + 1, len - 1, &off) < 0)
		return -1;
	e = slot_of(k, k->arena + off);
	if (!e)
		return 0;
	if (e->name) {
		if (!e->global && global)
			*e = (struct ksym){ e->name, addr, 1 };
		k->arena_len = off;	/* the copy is not needed */
		return 0;
	}
	*e = (struct ksym){ off, addr, global };
	k->n++;
	return 0;
}

/* ------------------------------------------------------------ decode */

struct tokens {
	uint16_t index[256];
	unsigned char table[MAX_TOKEN_BYTES + MAX_NAME];
	size_t len;
};

static int load_tokens(const struct ksyms_where *w, int big, struct reader *r,
		       struct tokens *t)
{
	size_t i, max = 0;

	for (i = 0; i < 256; i++) {
		uint64_t v;

		if (rd_num(r, w->token_index + 2 * i, 2, big, &v) < 0)
			return -1;
		t->index[i] = (uint16_t)v;
		if (v > max)
			max = v;
	}
	/* the last token ends within a symbol's length of its start */
	t->len = max + MAX_NAME;
	if (rd_bytes(r, w->token_table, t->table, t->len) < 0) {
		t->len = max + 1;	/* the table may end a page before */
		if (rd_bytes(r, w->token_table, t->table, t->len) < 0)
			return -1;
	}
	return 0;
}

/* append token tok to out; -1 when the name grows too long */
static int expand_token(const struct tokens *t, unsigned tok, char *out,
			size_t *len)
{
	size_t p = t->index[tok];

	for (; p < t->len && t->table[p]; p++) {
		if (*len + 1 >= MAX_NAME)
			return -1;
		out[(*len)++] = (char)t->table[p];
	}
	return p < t->len ? 0 : -1;
}

/* kernel/kallsyms.c kallsyms_sym_address(): with
 * CONFIG_KALLSYMS_ABSOLUTE_PERCPU (x86_64 SMP until v6.15) non-negative
 * offsets are absolute (per-CPU variables) and negative ones count down
 * from relative_base - 1; otherwise every offset is an unsigned distance
 * from relative_base.  The option is not in the dump, but it shows: an
 * image under 2 GiB has no negative offset without it, and every symbol
 * that is not per-CPU has one with it. */
static uint64_t sym_address(int64_t off, uint64_t base, int absolute_percpu)
{
	if (!absolute_percpu)
		return base + (uint32_t)off;
	return off >= 0 ? (uint64_t)off : base - 1 - (uint64_t)off;
}

struct decode {
	const struct ksyms_where *w;
	int big;
	uint64_t base;
	int absolute_percpu;
	struct reader names, addrs;
	struct tokens *tok;
};

static int address_of(struct decode *d, uint32_t i, uint64_t *addr)
{
	uint64_t v;

	if (!d->w->offsets) {
		if (rd_num(&d->addrs, d->w->addresses + 8 * (uint64_t)i, 8, d->big, &v) < 0)
			return -1;
		*addr = v;
		return 0;
	}
	if (rd_num(&d->addrs, d->w->offsets + 4 * (uint64_t)i, 4, d->big, &v) < 0)
		return -1;
	*addr = sym_address((int32_t)(uint32_t)v, d->base, d->absolute_percpu);
	return 0;
}

static int find_absolute_percpu(struct decode *d, uint32_t n)
{
	uint32_t i;

	for (i = 0; d->w->offsets && i < n; i++) {
		uint64_t v;

		if (rd_num(&d->addrs, d->w->offsets + 4 * (uint64_t)i, 4, d->big, &v) < 0)
			return -1;
		if (v & 0x80000000u) {
			d->absolute_percpu = 1;
			break;
		}
	}
	return 0;
}

static int decode_all(struct ksyms *k, struct decode *d, uint32_t n, char *err,
		      size_t errlen)
{
	uint64_t pos = d->w->names;
	uint32_t i;

	for (i = 0; i < n; i++) {
		unsigned char b[2], toks[MAX_NAME];
		char name[MAX_NAME];
		size_t len, j, nl = 0;
		uint64_t addr;

		if (rd_bytes(&d->names, pos, b, 1) < 0)
			goto unreadable;
		len = b[0];
		pos++;
		if (len & 0x80) {
			if (rd_bytes(&d->names, pos, b + 1, 1) < 0)
				goto unreadable;
			len = (len & 0x7f) | ((size_t)b[1] << 7);
			pos++;
		}
		if (len == 0 || len >= MAX_NAME || rd_bytes(&d->names, pos, toks, len) < 0)
			goto broken;
		pos += len;
		for (j = 0; j < len; j++)
			if (expand_token(d->tok, toks[j], name, &nl) < 0)
				goto broken;
		if (address_of(d, i, &addr) < 0)
			goto unreadable;
		if (add_symbol(k, name, nl, addr) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
unreadable:
	snprintf(err, errlen, "kallsyms: symbol %u of %u not in the dump", i, n);
	return -1;
broken:
	snprintf(err, errlen, "kallsyms: symbol %u of %u does not decode", i, n);
	return -1;
}

struct ksyms *ksyms_load(const struct ksyms_where *w, int big_endian,
			 ksyms_read_fn read, void *priv, char *err, size_t errlen)
{
	struct decode d = { .w = w, .big = big_endian };
	struct ksyms *k = calloc(1, sizeof(*k));
	uint64_t n;
	uint32_t zero;

	d.tok = malloc(sizeof(*d.tok));
	d.names = d.addrs = (struct reader){ .read = read, .priv = priv };
	if (!k || !d.tok) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (rd_num(&d.names, w->num_syms, 4, big_endian, &n) < 0 ||
	    (w->offsets && rd_num(&d.names, w->relative_base, 8, big_endian, &d.base) < 0)) {
		snprintf(err, errlen, "kallsyms: kallsyms_num_syms not in the dump");
		goto fail;
	}
	if (n == 0 || n > MAX_SYMS) {
		snprintf(err, errlen, "kallsyms: %llu symbols: not a symbol table",
			 (unsigned long long)n);
		goto fail;
	}
	if (load_tokens(w, big_endian, &d.names, d.tok) < 0) {
		snprintf(err, errlen, "kallsyms: the token table is not in the dump");
		goto fail;
	}
	if (find_absolute_percpu(&d, (uint32_t)n) < 0) {
		snprintf(err, errlen, "kallsyms: kallsyms_offsets not in the dump");
		goto fail;
	}
	k->cap = 1024;
	while (k->cap < 2 * n)
		k->cap *= 2;
	k->tab = calloc(k->cap, sizeof(*k->tab));
	if (!k->tab || arena_add(k, "", 0, &zero) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (decode_all(k, &d, (uint32_t)n, err, errlen) < 0)
		goto fail;
	free(d.tok);
	return k;
fail:
	free(d.tok);
	ksyms_free(k);
	return NULL;
}

int ksyms_lookup(const struct ksyms *k, const char *name, uint64_t *addr)
{
	const struct ksym *e = slot_of(k, name);

	if (!e || !e->name)
		return -1;
	*addr = e->addr;
	return 0;
}

size_t ksyms_count(const struct ksyms *k)
{
	return k->n;
}

void ksyms_free(struct ksyms *k)
{
	if (!k)
		return;
	free(k->arena);
	free(k->tab);
	free(k);
}
