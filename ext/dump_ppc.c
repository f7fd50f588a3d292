/*
 * ppc64 facts a dump reader needs before the engine runs: the struct page
 * array (vmemmap, 0xc00c...) is not in init_mm's tables under the hash
 * MMU (bolted HPTEs, hash__vmemmap_create_mapping), so it is translated
 * as crash does (ppc64_vmemmap_init) by the list the kernel keeps:
 * vmemmap_list of struct vmemmap_backing {list, phys, virt_addr}
 * (arch/powerpc/mm/init_64.c), one entry per block of
 * 1 << mmu_psize_defs[mmu_vmemmap_psize].shift bytes; the same for radix.
 * The list nodes are in the linear map.
 */
#include "ppc.h"

#define MAX_VMEMMAP_BLOCKS	(1u << 20)

struct rd {
	const struct tc_backend *be;
	uint64_t linear_base;
};

/* an n-byte word of the kernel's linear map */
static int rd_linear(const struct rd *r, uint64_t va, int n, uint64_t *v)
{
	unsigned char b[8];
	int i;

	if (va < r->linear_base ||
	    r->be->read_phys(r->be->priv, va - r->linear_base, b, (size_t)n) < 0)
		return -1;
	*v = 0;
	for (i = 0; i < n; i++)
		*v |= (uint64_t)b[r->be->big_endian ? i : n - 1 - i] << (8 * (n - 1 - i));
	return 0;
}

/* the block size: mmu_psize_defs[mmu_vmemmap_psize].shift */
static int block_shift(const struct rd *r, uint64_t *shift)
{
	const struct tc_backend *be = r->be;
	long o_shift = be->member_offset(be->priv, "mmu_psize_def", "shift");
	long defsz = be->type_size(be->priv, "mmu_psize_def");
	uint64_t psize_sym, defs, psize;

	return o_shift < 0 || defsz <= 0 ||
	       be->symbol(be->priv, "mmu_vmemmap_psize", &psize_sym) < 0 ||
	       be->symbol(be->priv, "mmu_psize_defs", &defs) < 0 ||
	       rd_linear(r, psize_sym, 4, &psize) < 0 || psize >= 64 ||
	       rd_linear(r, defs + psize * (uint64_t)defsz + (uint64_t)o_shift, 4, shift) < 0 ||
	       *shift < 12 || *shift > 34 ? -1 : 0;
}

int ppc_listed_kva_blocks(const struct tc_backend *be, uint64_t linear_base,
			  void (*add)(void *ctx, uint64_t virt, uint64_t phys),
			  void *ctx, uint64_t *block_bytes)
{
	const struct rd r = { be, linear_base };
	long o_next = be->member_offset(be->priv, "vmemmap_backing", "list");
	long o_phys = be->member_offset(be->priv, "vmemmap_backing", "phys");
	long o_virt = be->member_offset(be->priv, "vmemmap_backing", "virt_addr");
	uint64_t head, shift, node;
	struct tc_cycle cy;
	unsigned n = 0;

	if (o_next < 0 || o_phys < 0 || o_virt < 0 || block_shift(&r, &shift) < 0 ||
	    be->symbol(be->priv, "vmemmap_list", &head) < 0 || rd_linear(&r, head, 8, &node) < 0)
		return -1;
	*block_bytes = 1ULL << shift;
	tc_cycle_init(&cy, node);
	while (node && n++ < MAX_VMEMMAP_BLOCKS) {
		uint64_t phys, virt;

		if (rd_linear(&r, node + (uint64_t)o_phys, 8, &phys) < 0 ||
		    rd_linear(&r, node + (uint64_t)o_virt, 8, &virt) < 0)
			break;
		add(ctx, virt, phys);
		if (rd_linear(&r, node + (uint64_t)o_next, 8, &node) < 0 || tc_cycle_step(&cy, node))
			break;
	}
	return 0;
}
