/*
 * The VMAs of an mm, read from the dump into a sorted array, for the
 * cross-checks of the walker (present pte outside every VMA, write
 * permission, THP placement).  v6.1+ keeps VMAs in a maple tree
 * (mm->mm_mt, commit d4af56c5c7c6); older kernels in the mm->mmap list.
 */
#include <stdlib.h>
#include <string.h>
#include "tc.h"

/* include/linux/maple_tree.h, v6.1 .. v6.12 (64-bit) */
#define MAPLE_NODE_MASK		255ULL
#define MAPLE_NODE_TYPE_SHIFT	3
#define MAPLE_NODE_TYPE_MASK	0x0f
enum { maple_dense, maple_leaf_64, maple_range_64, maple_arange_64 };
#define MAPLE_RANGE64_SLOTS	16
#define MAPLE_ARANGE64_SLOTS	10

#define TC_MAX_VMAS		(1u << 20)
#define TC_MAX_MT_NODES		(1u << 18)
#define TC_MAX_MT_DEPTH		24

/* include/linux/xarray.h: internal entries have low bits 10 */
static int xa_is_internal(uint64_t e)
{
	return (e & 3) == 2;
}

static int xa_is_node(uint64_t e)
{
	return xa_is_internal(e) && e > 4096;
}

struct vma_walk {
	struct tc_ctx *c;
	size_t nodes;
	size_t cap;
	int broken;
	/* tc_maple_leaves: the leaf entries, not read as VMAs */
	uint64_t *leaves;
	size_t nleaves, capleaves;
	int raw;
};

static long min3(long a, long b, long x)
{
	return a < b ? (a < x ? a : x) : (b < x ? b : x);
}

static long max3(long a, long b, long x)
{
	return a > b ? (a > x ? a : x) : (b > x ? b : x);
}

/*
 * vm_start, vm_end and vm_flags in one read: each read costs a call into
 * crash (readmem, translation), and an mm has hundreds of VMAs.
 */
static int read_vma(struct tc_ctx *c, uint64_t addr, struct tc_vma *v)
{
	long lo = min3(c->off.vma_start, c->off.vma_end, c->off.vma_flags);
	long hi = max3(c->off.vma_start, c->off.vma_end, c->off.vma_flags) + 8;
	unsigned char b[128];

	if (hi - lo > (long)sizeof(b))
		return tc_rd64(c, addr + c->off.vma_start, &v->start) < 0 ||
		       tc_rd64(c, addr + c->off.vma_end, &v->end) < 0 ||
		       tc_rd64(c, addr + c->off.vma_flags, &v->flags) < 0 ? -1 : 0;
	if (tc_read_kv(c, addr + lo, b, (size_t)(hi - lo)) < 0)
		return -1;
	v->start = tc_load64(c, b + c->off.vma_start - lo);
	v->end = tc_load64(c, b + c->off.vma_end - lo);
	v->flags = tc_load64(c, b + c->off.vma_flags - lo);
	return 0;
}

static int push_vma(struct vma_walk *w, uint64_t addr)
{
	struct tc_ctx *c = w->c;
	struct tc_vma *v;

	if (w->raw) {
		if (w->nleaves >= TC_MAX_VMAS ||
		    tc_grow((void **)&w->leaves, &w->capleaves, w->nleaves, sizeof(*w->leaves)) < 0)
			return -1;
		w->leaves[w->nleaves++] = addr;
		return 0;
	}
	if (c->nvmas >= TC_MAX_VMAS)
		return -1;
	if (tc_grow((void **)&c->vmas, &w->cap, c->nvmas, sizeof(*c->vmas)) < 0)
		return -1;
	v = &c->vmas[c->nvmas];
	v->addr = addr;
	if (read_vma(c, addr, v) < 0 || v->start >= v->end) {
		w->broken = 1;
		return 0;
	}
	c->nvmas++;
	return 0;
}

static void mt_walk(struct vma_walk *w, uint64_t enode, uint64_t min,
		    uint64_t max, int depth)
{
	struct tc_ctx *c = w->c;
	uint64_t node = enode & ~MAPLE_NODE_MASK;
	unsigned type = (enode >> MAPLE_NODE_TYPE_SHIFT) & MAPLE_NODE_TYPE_MASK;
	unsigned char b[512];
	unsigned nslots, i;
	long soff, poff, lo, hi;

	if (depth > TC_MAX_MT_DEPTH || ++w->nodes > TC_MAX_MT_NODES) {
		w->broken = 1;
		return;
	}
	if (type == maple_arange_64) {
		nslots = MAPLE_ARANGE64_SLOTS;
		soff = c->off.mn_slota;
		poff = c->off.mn_pivota;
	} else if (type == maple_range_64 || type == maple_leaf_64) {
		nslots = MAPLE_RANGE64_SLOTS;
		soff = c->off.mn_slot64;
		poff = c->off.mn_pivot64;
	} else {
		w->broken = 1;	/* dense nodes are not used for mm trees */
		return;
	}
	/* pivots and slots in one read (a node is 256 bytes) */
	lo = poff < soff ? poff : soff;
	hi = poff + 8L * (nslots - 1) > soff + 8L * nslots ?
	     poff + 8L * (nslots - 1) : soff + 8L * nslots;
	if (lo < 0 || hi - lo > (long)sizeof(b) ||
	    tc_read_kv(c, node + lo, b, (size_t)(hi - lo)) < 0) {
		w->broken = 1;
		return;
	}
	for (i = 0; i < nslots; i++) {
		uint64_t slot, pivot = max;

		if (i < nslots - 1)
			pivot = tc_load64(c, b + poff - lo + 8 * i);
		/* ma_data_end(): a zero pivot past slot 0 ends the node */
		if (i > 0 && pivot == 0)
			break;
		slot = tc_load64(c, b + soff - lo + 8 * i);
		if (type == maple_leaf_64) {
			if (slot && !xa_is_internal(slot) && push_vma(w, slot) < 0)
				return;
		} else if (slot) {
			/* child slots hold mt_mk_node() values: no root bit */
			mt_walk(w, slot, min, pivot, depth + 1);
		}
		if (pivot >= max)
			break;
		min = pivot + 1;
	}
}

static void list_walk(struct vma_walk *w, uint64_t first)
{
	struct tc_ctx *c = w->c;
	uint64_t v = first;
	struct tc_cycle cy;
	size_t n = 0;

	tc_cycle_init(&cy, 0);
	while (v && n++ < TC_MAX_VMAS) {
		if (tc_cycle_step(&cy, v)) {
			w->broken = 1;
			break;
		}
		if (push_vma(w, v) < 0 ||
		    tc_rd64(c, v + c->off.vma_next, &v) < 0)
			break;
	}
}

static int cmp_vma(const void *a, const void *b)
{
	const struct tc_vma *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int tc_load_vmas(struct tc_ctx *c, struct tc_mm_stats *m)
{
	struct vma_walk w = { .c = c, .cap = 0 };
	uint64_t mm = m->mm, root, before = c->stats.excluded_reads;

	free(c->vmas);
	c->vmas = NULL;
	c->nvmas = 0;
	if (c->off.mm_mt >= 0) {
		if (tc_rd64(c, mm + c->off.mm_mt + c->off.mt_root, &root) < 0)
			return -1;
		if (xa_is_node(root))
			mt_walk(&w, root, 0, UINT64_MAX, 0);
		else if (root && !xa_is_internal(root))
			push_vma(&w, root);
	} else {
		if (tc_rd64(c, mm + c->off.mm_mmap, &root) < 0)
			return -1;
		list_walk(&w, root);
	}
	if (w.broken) {
		if (tc_not_in_dump(c, before, TC_NID_KERNEL, root,
				   "the VMA checks of their mms"))
			return -1;
		tc_report(c, m, TC_SIG(LIST_CORRUPT), tc_at_none(root),
			  "VMA tree of mm %#llx is unreadable or malformed; VMA checks skipped",
			  (unsigned long long)mm);
		return -1;
	}
	qsort(c->vmas, c->nvmas, sizeof(c->vmas[0]), cmp_vma);
	return 0;
}

int tc_maple_leaves(struct tc_ctx *c, uint64_t root, uint64_t **leaves, size_t *n)
{
	struct vma_walk w = { .c = c, .raw = 1 };

	if (c->off.mm_mt < 0 || !xa_is_node(root))
		return -1;
	mt_walk(&w, root, 0, UINT64_MAX, 0);
	if (w.broken) {
		free(w.leaves);
		return -1;
	}
	*leaves = w.leaves;
	*n = w.nleaves;
	return 0;
}

const struct tc_vma *tc_find_vma(const struct tc_ctx *c, uint64_t va)
{
	size_t lo = 0, hi = c->nvmas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct tc_vma *v = &c->vmas[mid];

		if (va < v->start)
			hi = mid;
		else if (va >= v->end)
			lo = mid + 1;
		else
			return v;
	}
	return NULL;
}
