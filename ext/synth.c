#include <stdlib.h>
#include <string.h>
#include "synth.h"

static int s_read(void *priv, uint64_t pa, void *buf, size_t len)
{
	struct synth *s = priv;

	if (pa >= s->size || len > s->size - pa)
		return -1;
	memcpy(buf, s->mem + pa, len);
	return 0;
}

static int s_read_kv(void *priv, uint64_t va, void *buf, size_t len)
{
	struct synth *s = priv;

	if (va < s->kvirt_base)
		return -1;
	return s_read(priv, va - s->kvirt_base, buf, len);
}

static int s_symbol(void *priv, const char *name, uint64_t *addr)
{
	const struct synth *s = priv;
	const struct synth_sym *y;

	for (y = s->syms; y && y->name; y++)
		if (!strcmp(y->name, name)) {
			*addr = y->addr;
			return 0;
		}
	return -1;
}

const struct synth_layout synth_base_layout[] = {
	{ "task_struct", "tasks", 0x10 }, { "task_struct", "mm", 0x20 },
	{ "task_struct", "pid", 0x28 }, { "task_struct", "tgid", 0x2c },
	{ "task_struct", "comm", 0x30 },
	{ "mm_struct", "pgd", 0x08 }, { "mm_struct", "mm_mt", 0x40 },
	{ "maple_tree", "ma_root", 0x08 },
	{ "maple_node", "mr64.pivot", 0x08 }, { "maple_node", "mr64.slot", 0x80 },
	{ "maple_node", "ma64.pivot", 0x08 }, { "maple_node", "ma64.slot", 0x50 },
	{ "vm_area_struct", "vm_start", 0x00 },
	{ "vm_area_struct", "vm_end", 0x08 },
	{ "vm_area_struct", "vm_flags", 0x20 },
	{ NULL, NULL, 0 },
};

static long find_member(const struct synth_layout *l, const char *type,
			const char *member)
{
	for (; l && l->type; l++)
		if (!strcmp(l->type, type) && l->member &&
		    !strcmp(l->member, member))
			return l->value;
	return -1;
}

static long s_member(void *priv, const char *type, const char *member)
{
	const struct synth *s = priv;
	long v = find_member(s->layout, type, member);

	return v >= 0 ? v : find_member(synth_base_layout, type, member);
}

static long s_member_size(void *priv, const char *type, const char *member)
{
	(void)priv; (void)type; (void)member;
	return 8;
}

static long s_type_size(void *priv, const char *type)
{
	const struct synth *s = priv;
	const struct synth_layout *l;

	for (l = s->layout; l && l->type; l++)
		if (!strcmp(l->type, type) && !l->member)
			return l->value;
	return -1;
}

static int s_enum(void *priv, const char *name, long *value)
{
	(void)priv; (void)name; (void)value;
	return -1;
}

static const char *s_release(void *priv)
{
	const struct synth *s = priv;

	return s->release ? s->release : "synthetic";
}

int synth_init(struct synth *s, size_t size, int big_endian,
	       const struct synth_sym *syms, const struct synth_layout *layout)
{
	memset(s, 0, sizeof(*s));
	s->mem = calloc(1, size);
	if (!s->mem)
		return -1;
	s->size = size;
	s->big_endian = big_endian;
	s->syms = syms;
	s->layout = layout;
	s->be.priv = s;
	s->be.big_endian = big_endian;
	s->be.read_phys = s_read;
	s->be.read_kvirt = s_read_kv;
	s->be.symbol = s_symbol;
	s->be.member_offset = s_member;
	s->be.member_size = s_member_size;
	s->be.type_size = s_type_size;
	s->be.enum_value = s_enum;
	s->be.release = s_release;
	return 0;
}

void synth_free(struct synth *s)
{
	free(s->mem);
	s->mem = NULL;
}

static void put(struct synth *s, uint64_t pa, uint64_t v, int n)
{
	int i;

	if (pa >= s->size || (size_t)n > s->size - pa)
		return;
	for (i = 0; i < n; i++) {
		int sh = s->big_endian ? 8 * (n - 1 - i) : 8 * i;

		s->mem[pa + i] = (unsigned char)(v >> sh);
	}
}

void synth_put64(struct synth *s, uint64_t pa, uint64_t v)
{
	put(s, pa, v, 8);
}

void synth_put32(struct synth *s, uint64_t pa, uint32_t v)
{
	put(s, pa, v, 4);
}

uint64_t synth_get64(const struct synth *s, uint64_t pa)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++) {
		int sh = s->big_endian ? 8 * (7 - i) : 8 * i;

		v |= (uint64_t)s->mem[pa + i] << sh;
	}
	return v;
}
