#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "synth.h"

static int s_read(void *priv, uint64_t pa, void *buf, size_t len)
{
	struct synth *s = priv;

	if (pa >= s->size || len > s->size - pa)
		return -1;
	if (pa < s->excluded_hi && pa + len > s->excluded_lo)
		return TC_EXCLUDED;
	memcpy(buf, s->mem + pa, len);
	return 0;
}

static int s_dump_level(void *priv)
{
	const struct synth *s = priv;

	return s->excluded_hi ? s->dump_level : -1;
}

static int s_read_kv(void *priv, uint64_t va, void *buf, size_t len)
{
	struct synth *s = priv;

	if (va < s->kvirt_base)
		return -1;
	return s_read(priv, va - s->kvirt_base, buf, len);
}

/* the backend's own translator, as crash's kvtop is */
static int s_kvirt_to_phys(void *priv, uint64_t va, uint64_t *pa)
{
	const struct synth *s = priv;

	if (va < s->kvirt_base || va - s->kvirt_base >= s->size)
		return -1;
	*pa = va - s->kvirt_base;
	return 0;
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

/* enumerators are layout rows of the pseudo type "enum" */
static int s_enum(void *priv, const char *name, long *value)
{
	const struct synth *s = priv;
	long v = find_member(s->layout, "enum", name);

	if (v < 0)
		return -1;
	*value = v;
	return 0;
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
	s->be.kvirt_to_phys = s_kvirt_to_phys;
	s->be.symbol = s_symbol;
	s->be.member_offset = s_member;
	s->be.member_size = s_member_size;
	s->be.type_size = s_type_size;
	s->be.enum_value = s_enum;
	s->be.release = s_release;
	s->be.dump_level = s_dump_level;
	return 0;
}

void synth_task(struct synth *s, uint64_t init_task, uint64_t task,
		uint64_t mm, int pid, const char *comm)
{
	uint64_t kv = s->kvirt_base;

	synth_put64(s, init_task + 0x10, kv + task + 0x10);
	synth_put64(s, task + 0x10, kv + init_task + 0x10);
	synth_put64(s, task + 0x20, kv + mm);
	synth_put32(s, task + 0x28, (uint32_t)pid);
	synth_put32(s, task + 0x2c, (uint32_t)pid);
	snprintf((char *)s->mem + task + 0x30, 16, "%s", comm);
}

/* one leaf slot: its pivot (last address it covers) and its entry */
static void leaf_slot(struct synth *s, uint64_t leaf, int i, uint64_t pivot,
		      uint64_t entry)
{
	if (i < 15)			/* MAPLE_RANGE64_SLOTS - 1 pivots */
		synth_put64(s, leaf + 0x08 + 8 * (uint64_t)i, pivot);
	synth_put64(s, leaf + 0x80 + 8 * (uint64_t)i, entry);
}

int synth_vmas(struct synth *s, uint64_t mm, uint64_t leaf,
	       const struct synth_vma *v, int n)
{
	uint64_t kv = s->kvirt_base, next = 0;
	int i, slot = 0;

	if (n > 8)
		return -1;
	for (i = 0; i < n; i++) {
		synth_put64(s, v[i].addr, v[i].start);
		synth_put64(s, v[i].addr + 8, v[i].end);
		synth_put64(s, v[i].addr + 0x20, v[i].flags);
		if (v[i].start > next)
			leaf_slot(s, leaf, slot++, v[i].start - 1, 0);
		leaf_slot(s, leaf, slot++, v[i].end - 1, kv + v[i].addr);
		next = v[i].end;
	}
	leaf_slot(s, leaf, slot, UINT64_MAX, 0);
	/* mt_mk_root(mt_mk_node(leaf, maple_leaf_64)): type << 3 |
	 * MAPLE_ENODE_NULL 0x04 | MAPLE_ROOT_NODE 0x02 (lib/maple_tree.c) */
	synth_put64(s, mm + 0x40 + 0x08, kv + (leaf | (1 << 3) | 4 | 2));
	return 0;
}

int synth_run(struct synth *s, const struct tc_arch *arch, struct tc_ctx *c)
{
	struct tc_opts o = { .scope = TC_SCOPE_ALL };
	FILE *devnull = fopen("/dev/null", "w");
	int rc;

	o.out = devnull;
	rc = tc_init(c, &s->be, arch, &o);
	if (rc == 0)
		rc = tc_run(c);
	if (devnull)
		fclose(devnull);
	c->opts.out = NULL;
	return rc;
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
