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
#define CHUNK		(64u << 10)	/* bytes read at a time */
#define PAGE		4096u
#define HASH_MUL	0x100000001b3ull	/* FNV's 64-bit prime */

/*
 * Names are not expanded into strings: a name's hash is folded from its
 * tokens' (h = h * HASH_MUL^len(token) + hash(token), the same value as
 * char by char), 32 bits of it kept per symbol.  A look-up compares the
 * hashes and expands only the symbols whose hash matches.  200,000
 * symbols cost ~4 MiB and a few milliseconds (drgn's kallsyms reader
 * makes the same trade).
 */
struct token {
	char text[MAX_NAME];
	uint32_t len;
	uint64_t pow, hash;		/* HASH_MUL^len, the chars' hash */
	uint64_t pow1, hash1;		/* the same without the first char */
};

struct ksyms {
	unsigned char *names;		/* kallsyms_names, as far as decoded */
	size_t names_len;
	uint32_t *at;			/* per symbol: its entry in names */
	uint32_t *tag;			/* per symbol: 32 bits of its hash */
	uint64_t *addr;			/* per symbol: runtime address */
	unsigned char *absolute;	/* per symbol: not relocated (per-CPU) */
	uint32_t n;
	struct token *tok;		/* 256 */
};

/* ------------------------------------------------------------ reading */

struct src {
	ksyms_read_fn read;
	void *priv;
	int big;
};

/* len bytes at va, in chunks; a chunk that does not read is retried a
 * page at a time so that a table ending near a hole still reads.
 * Returns the bytes read (less than len at a hole). */
static size_t read_upto(const struct src *s, uint64_t va, unsigned char *out, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < CHUNK ? len - done : CHUNK;

		if (s->read(s->priv, va + done, out + done, n) == 0) {
			done += n;
			continue;
		}
		for (; n; ) {
			size_t p = PAGE - (size_t)((va + done) & (PAGE - 1));

			if (p > n)
				p = n;
			if (s->read(s->priv, va + done, out + done, p) != 0)
				return done;
			done += p;
			n -= p;
		}
	}
	return done;
}

static uint64_t get_n(const unsigned char *b, int n, int big)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)b[big ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

static int read_num(const struct src *s, uint64_t va, int n, uint64_t *v)
{
	unsigned char b[8];

	if (read_upto(s, va, b, (size_t)n) != (size_t)n)
		return -1;
	*v = get_n(b, n, s->big);
	return 0;
}

/* kallsyms_names grows as decoding needs it, a chunk at a time */
struct names {
	const struct src *s;
	uint64_t va;
	unsigned char *buf;
	size_t len, cap;
	int hole;
};

static int names_need(struct names *nm, size_t upto)
{
	while (nm->len < upto) {
		size_t want = CHUNK, got;

		if (nm->hole)
			return -1;
		if (nm->len + want > nm->cap) {
			size_t ncap = nm->cap ? 2 * nm->cap : 4 * CHUNK;
			unsigned char *nb;

			if (ncap > UINT32_MAX || !(nb = realloc(nm->buf, ncap)))
				return -1;
			nm->buf = nb;
			nm->cap = ncap;
		}
		got = read_upto(nm->s, nm->va + nm->len, nm->buf + nm->len, want);
		nm->len += got;
		nm->hole = got < want;
	}
	return 0;
}

/* ------------------------------------------------------------ tokens */

static uint64_t pow_of(uint32_t n)
{
	uint64_t p = 1;

	while (n--)
		p *= HASH_MUL;
	return p;
}

static uint64_t hash_chars(const char *c, uint32_t n)
{
	uint64_t h = 0;

	while (n--)
		h = h * HASH_MUL + (unsigned char)*c++;
	return h;
}

static uint32_t tag_of(uint64_t h)
{
	return (uint32_t)(h ^ (h >> 32));
}

static int load_tokens(const struct ksyms_where *w, const struct src *s,
		       struct token *tok)
{
	unsigned char *table = malloc(MAX_TOKEN_BYTES + MAX_NAME);
	uint32_t index[256], max = 0;
	size_t have, i;
	int rc = -1;

	if (!table)
		return -1;
	for (i = 0; i < 256; i++) {
		uint64_t v;

		if (read_num(s, w->token_index + 2 * i, 2, &v) < 0)
			goto out;
		index[i] = (uint32_t)v;
		if (index[i] > max)
			max = index[i];
	}
	/* the last token ends within a name's length of its start */
	have = read_upto(s, w->token_table, table, max + MAX_NAME);
	for (i = 0; i < 256; i++) {
		struct token *t = &tok[i];
		size_t p = index[i];

		for (t->len = 0; p < have && table[p]; p++) {
			if (t->len + 1 >= MAX_NAME)
				goto out;
			t->text[t->len++] = (char)table[p];
		}
		if (p >= have)
			goto out;	/* no NUL: not a token table */
		t->pow = pow_of(t->len);
		t->hash = hash_chars(t->text, t->len);
		t->pow1 = t->len ? pow_of(t->len - 1) : 1;
		t->hash1 = t->len ? hash_chars(t->text + 1, t->len - 1) : 0;
	}
	rc = 0;
out:
	free(table);
	return rc;
}

/* ------------------------------------------------------------ decode */

/* entry at: its length and the offset of its first token */
static int entry_len(const unsigned char *e, size_t avail, uint32_t *len,
		     uint32_t *first)
{
	if (avail < 1)
		return -1;
	*len = e[0];
	*first = 1;
	if (*len & 0x80) {
		if (avail < 2)
			return -1;
		*len = (*len & 0x7f) | ((uint32_t)e[1] << 7);
		*first = 2;
	}
	return *len && *len < MAX_NAME ? 0 : -1;
}

/* kernel/kallsyms.c kallsyms_sym_address(): with
 * CONFIG_KALLSYMS_ABSOLUTE_PERCPU (x86_64 SMP until v6.15) non-negative
 * offsets are absolute (per-CPU variables) and negative ones count down
 * from relative_base - 1; otherwise every offset is an unsigned distance
 * from relative_base.  The option is not in the dump, but it shows: an
 * image under 2 GiB has no negative offset without it, and every symbol
 * that is not per-CPU has one with it. */
static int load_addresses(struct ksyms *k, const struct ksyms_where *w,
			  const struct src *s)
{
	size_t width = w->offsets ? 4 : 8, i, bytes = width * k->n;
	unsigned char *raw = malloc(bytes);
	uint64_t base = 0;
	int absolute_percpu = 0;

	if (!raw || read_upto(s, w->offsets ? w->offsets : w->addresses, raw, bytes) != bytes ||
	    (w->offsets && read_num(s, w->relative_base, 8, &base) < 0)) {
		free(raw);
		return -1;
	}
	for (i = 0; w->offsets && i < k->n && !absolute_percpu; i++)
		absolute_percpu = (get_n(raw + 4 * i, 4, s->big) & 0x80000000u) != 0;
	for (i = 0; i < k->n; i++) {
		uint64_t v = get_n(raw + width * i, (int)width, s->big);
		int64_t off = (int32_t)(uint32_t)v;

		k->absolute[i] = w->offsets && absolute_percpu && off >= 0;
		if (!w->offsets)
			k->addr[i] = v;
		else if (!absolute_percpu)
			k->addr[i] = base + (uint32_t)v;
		else
			k->addr[i] = off >= 0 ? (uint64_t)off : base - 1 - (uint64_t)off;
	}
	free(raw);
	return 0;
}

static int decode_all(struct ksyms *k, struct names *nm, char *err, size_t errlen)
{
	size_t pos = 0;
	uint32_t i;

	for (i = 0; i < k->n; i++) {
		uint32_t len, first, j, chars = 0;
		const unsigned char *e;
		uint64_t h;

		if (names_need(nm, pos + 2) < 0 && names_need(nm, pos + 1) < 0)
			goto unreadable;
		if (entry_len(nm->buf + pos, nm->len - pos, &len, &first) < 0)
			goto broken;
		if (names_need(nm, pos + first + len) < 0)
			goto unreadable;
		e = nm->buf + pos + first;
		/* the first char of the first token is the type letter */
		h = k->tok[e[0]].hash1;
		chars = k->tok[e[0]].len;
		for (j = 1; j < len; j++) {
			const struct token *t = &k->tok[e[j]];

			h = h * t->pow + t->hash;
			chars += t->len;
		}
		if (chars < 2 || chars >= MAX_NAME)
			goto broken;
		k->at[i] = (uint32_t)pos;
		k->tag[i] = tag_of(h);
		pos += first + len;
	}
	k->names = nm->buf;
	k->names_len = pos;
	nm->buf = NULL;
	return 0;
unreadable:
	snprintf(err, errlen, "kallsyms: symbol %u of %u not in the dump", i, k->n);
	return -1;
broken:
	snprintf(err, errlen, "kallsyms: symbol %u of %u does not decode", i, k->n);
	return -1;
}

struct ksyms *ksyms_load(const struct ksyms_where *w, int big_endian,
			 ksyms_read_fn read, void *priv, char *err, size_t errlen)
{
	struct src s = { read, priv, big_endian };
	struct names nm = { .s = &s, .va = w->names };
	struct ksyms *k = calloc(1, sizeof(*k));
	uint64_t n;

	if (!k || !(k->tok = calloc(256, sizeof(*k->tok)))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (read_num(&s, w->num_syms, 4, &n) < 0) {
		snprintf(err, errlen, "kallsyms: kallsyms_num_syms not in the dump");
		goto fail;
	}
	if (n == 0 || n > MAX_SYMS) {
		snprintf(err, errlen, "kallsyms: %llu symbols: not a symbol table",
			 (unsigned long long)n);
		goto fail;
	}
	k->n = (uint32_t)n;
	k->at = malloc(n * sizeof(*k->at));
	k->tag = malloc(n * sizeof(*k->tag));
	k->addr = malloc(n * sizeof(*k->addr));
	k->absolute = malloc(n);
	if (!k->at || !k->tag || !k->addr || !k->absolute) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (load_tokens(w, &s, k->tok) < 0) {
		snprintf(err, errlen, "kallsyms: the token table is not in the dump");
		goto fail;
	}
	if (load_addresses(k, w, &s) < 0) {
		snprintf(err, errlen, "kallsyms: the %s are not in the dump",
			 w->offsets ? "offsets" : "addresses");
		goto fail;
	}
	if (decode_all(k, &nm, err, errlen) < 0)
		goto fail;
	return k;
fail:
	free(nm.buf);
	ksyms_free(k);
	return NULL;
}

/* symbol i's name into out (NUL-terminated); its type letter */
static char expand(const struct ksyms *k, uint32_t i, char *out)
{
	const unsigned char *e = k->names + k->at[i];
	uint32_t len = 0, first = 0, j, n = 0;
	char type = 0;

	entry_len(e, k->names_len - k->at[i], &len, &first);
	for (j = 0; j < len; j++) {
		const struct token *t = &k->tok[e[first + j]];

		memcpy(out + n, t->text, t->len);
		n += t->len;
	}
	out[n] = 0;
	if (n) {
		type = out[0];
		memmove(out, out + 1, n);
	}
	return type;
}

int ksyms_lookup(const struct ksyms *k, const char *name, uint64_t *addr,
		 int *absolute)
{
	size_t len = strlen(name);
	uint32_t tag, i;
	int found = 0;
	char buf[MAX_NAME + 1];

	if (!k || len >= MAX_NAME)
		return -1;
	tag = tag_of(hash_chars(name, (uint32_t)len));
	for (i = 0; i < k->n; i++) {
		char type;

		if (k->tag[i] != tag)
			continue;
		type = expand(k, i, buf);
		if (strcmp(buf, name))
			continue;
		if ((type >= 'A' && type <= 'Z') || !found) {
			*addr = k->addr[i];
			if (absolute)
				*absolute = k->absolute[i];
			found = 1;	/* the first local one, unless a global follows */
		}
		if (type >= 'A' && type <= 'Z')
			return 0;	/* a global symbol */
	}
	return found ? 0 : -1;
}

void ksyms_free(struct ksyms *k)
{
	if (!k)
		return;
	free(k->names);
	free(k->at);
	free(k->tag);
	free(k->addr);
	free(k->absolute);
	free(k->tok);
	free(k);
}
