/*
 * x86_64 checks after each user mm's walk:
 *   - the kernel half of its pgd is init_mm's (arch/x86/mm/pgtable.c
 *     pgd_ctor -> clone_pgd_range; vmalloc's pgd entries are allocated at
 *     boot, preallocate_vmalloc_pages; hot-added memory is synced into
 *     every pgd on pgd_list, sync_global_pgds);
 *   - with PTI, the user copy of its pgd agrees with the kernel's copy
 *     and with init_mm's user copy (see "PTI" below);
 *   - its pmd and pte tables are page tables by their struct page, and
 *     the generic THP deposit list holds what it should (deposit.c).
 */
#include <stdlib.h>
#include <string.h>
#include "x86.h"

#define PTRS		512

/* ------------------------------------------------------------ deposits */

/* a pmd as the generic deposit checks ask (deposit.c): pmd_present() is
 * P | PROTNONE | PSE; a swap-format pmd is a THP migration entry, the
 * pfn in ~bits 9..  (pgtable_64.h __swp_entry) */
static enum tc_huge_pmd x86_huge_pmd(const struct tc_ctx *c, uint64_t v, uint64_t *pa)
{
	const struct x86_priv *p = c->arch_priv;

	if (!(v & ~(X86_A | X86_D)))
		return TC_HUGE_PMD_NO;
	if (v & (X86_P | X86_G | X86_PSE)) {
		if (!(v & X86_PSE) || (v & X86_SPECIAL))
			return TC_HUGE_PMD_NO;
		*pa = x86_frame(p, v, (1ULL << 21) - 1);
		return TC_HUGE_PMD_LEAF;
	}
	*pa = ((~v << 5 >> 14) & ((1ULL << p->swp_pfn_bits) - 1)) << 12;
	return TC_HUGE_PMD_SWAP;
}

int x86_deposit_init(struct tc_ctx *c, struct x86_priv *p)
{
	p->pages.huge_pmd = x86_huge_pmd;
	p->pages.not_pgtable = TC_SIG(X86_TABLE_NOT_PGTABLE);
	p->pages.linear_base = p->page_offset;
	/* include/linux/swapops.h SWP_PFN_BITS = MAX_PHYSMEM_BITS - PAGE_SHIFT
	 * (asm/sparsemem.h: 46, 5-level 52) */
	p->swp_pfn_bits = (p->l5 ? 52 : 46) - 12;
	return tc_ptpages_init(c, &p->pages);
}

/* ------------------------------------------------------------ kernel half */

/* the upper half of a pgd: its entries PTRS/2..PTRS-1 */
static int read_upper_half(struct tc_ctx *c, uint64_t pgd, uint64_t *v)
{
	unsigned char b[4 * PTRS];
	unsigned i;

	if (tc_read_pa_direct(c, pgd + 4 * PTRS, b, sizeof(b)) < 0)
		return -1;
	for (i = 0; i < PTRS / 2; i++)
		v[i] = tc_load64(c, b + 8 * i);
	return 0;
}

/* init_mm's upper half, read the first time a user pgd is compared */
static const uint64_t *kernel_upper_half(struct tc_ctx *c, struct x86_priv *p)
{
	struct tc_top kt = { 0 };

	if (!p->kupper_read)
		p->kupper_read = c->arch->mm_top(c, 0, &kt) == 0 &&
				 read_upper_half(c, kt.table_pa, p->kupper) == 0 ? 1 : -1;
	return p->kupper_read > 0 ? p->kupper : NULL;
}

static void check_kernel_half(struct tc_ctx *c, struct tc_mm_stats *m,
			      struct x86_priv *p, uint64_t upgd)
{
	const uint64_t *k = kernel_upper_half(c, p);
	uint64_t u[PTRS / 2];
	unsigned i;

	if (!k || read_upper_half(c, upgd, u) < 0)
		return;		/* the walks reported an unreadable pgd */
	for (i = PTRS / 2; i < PTRS; i++) {
		uint64_t uv = u[i - PTRS / 2], kv = k[i - PTRS / 2];

		/* below KERNEL_PGD_BOUNDARY init_mm has nothing; the LDT
		 * slot is the mm's own (PTI, modify_ldt: arch/x86/kernel/ldt.c) */
		if (uv == kv || (i == p->ldt_slot && i < p->kernel_first))
			continue;
		tc_report(c, m, TC_SIG(X86_PGD_KERNEL_HALF),
			  tc_at_entry(0, upgd, (int)i, uv, 0 - ((uint64_t)(PTRS - i) << c->levels[0].shift)),
			  "pgd[%u] is %#llx, init_mm's is %#llx", i,
			  (unsigned long long)uv, (unsigned long long)kv);
	}
}

/* ------------------------------------------------------------ PTI */

/*
 * With PTI a pgd is two pages (PGD_ALLOCATION_ORDER 1, d9e9a6418065
 * "x86/mm/pti: Allocate a separate user PGD"): mm->pgd, the kernel's,
 * and the user copy above it (kernel_to_user_pgdp(): the address with
 * bit PAGE_SHIFT set), which CR3 holds in user mode.  The kernel keeps
 * them in step (arch/x86/mm/pti.c __pti_set_user_pgtbl(), every
 * set_pgd/set_p4d of the top level): an entry of the user half
 * (pgdp_maps_userspace) is written to the user copy as given and to the
 * kernel's with NX added when it is present and user, so that a return
 * to user mode on the kernel's CR3 faults.  The kernel half of the user
 * copy is init_mm's user copy (clone_pgd_range() at pgd_alloc copies
 * both), but the LDT slot, which is the mm's own (map_ldt_struct()).
 * The CPU sets A in whichever copy it walks: A is not compared.
 */
#define PTI_USER_COPY	4096ULL		/* PTI_PGTABLE_SWITCH_BIT: PAGE_SHIFT */

static uint64_t pti_kernel_copy(const struct x86_priv *p, uint64_t user)
{
	return p->nx && (user & (X86_P | X86_US)) == (X86_P | X86_US) ? user | X86_NX : user;
}

static const uint64_t *init_user_copy_upper_half(struct tc_ctx *c, struct x86_priv *p)
{
	struct tc_top kt = { 0 };

	if (!p->kuser_read)
		p->kuser_read = c->arch->mm_top(c, 0, &kt) == 0 &&
				read_upper_half(c, kt.table_pa | PTI_USER_COPY, p->kuser) == 0 ? 1 : -1;
	return p->kuser_read > 0 ? p->kuser : NULL;
}

static void check_pti_user_half(struct tc_ctx *c, struct tc_mm_stats *m,
				const struct x86_priv *p, uint64_t kpgd,
				const unsigned char *b)
{
	uint64_t upgd = kpgd | PTI_USER_COPY;
	unsigned i;

	for (i = 0; i < PTRS / 2; i++) {
		uint64_t kv = tc_load64(c, b + 8 * i);
		uint64_t uv = tc_load64(c, b + PTI_USER_COPY + 8 * i);

		if ((kv & ~X86_A) == (pti_kernel_copy(p, uv) & ~X86_A))
			continue;
		tc_report(c, m, TC_SIG(X86_PTI_USER_COPY),
			  tc_at_entry(0, upgd, (int)i, uv, (uint64_t)i << c->levels[0].shift),
			  "PTI user copy pgd[%u] is %#llx, the kernel's is %#llx "
			  "(__pti_set_user_pgtbl writes both)", i,
			  (unsigned long long)uv, (unsigned long long)kv);
	}
}

static void check_pti_kernel_half(struct tc_ctx *c, struct tc_mm_stats *m,
				  struct x86_priv *p, uint64_t kpgd,
				  const unsigned char *b)
{
	const uint64_t *k = init_user_copy_upper_half(c, p);
	uint64_t upgd = kpgd | PTI_USER_COPY;
	unsigned i;

	if (!k)
		return;		/* init_mm's pgd: reported by the kernel's walk */
	for (i = PTRS / 2; i < PTRS; i++) {
		uint64_t uv = tc_load64(c, b + PTI_USER_COPY + 8 * i), kv = k[i - PTRS / 2];

		if (uv == kv || (i == p->ldt_slot && i < p->kernel_first))
			continue;
		tc_report(c, m, TC_SIG(X86_PTI_USER_COPY),
			  tc_at_entry(0, upgd, (int)i, uv, 0 - ((uint64_t)(PTRS - i) << c->levels[0].shift)),
			  "PTI user copy pgd[%u] is %#llx, init_mm's user copy has %#llx", i,
			  (unsigned long long)uv, (unsigned long long)kv);
	}
}

static void check_pti_copy(struct tc_ctx *c, struct tc_mm_stats *m,
			   struct x86_priv *p, uint64_t kpgd)
{
	unsigned char b[2 * 8 * PTRS];
	uint64_t before = c->stats.excluded_reads;

	if (kpgd & PTI_USER_COPY) {
		tc_report(c, m, TC_SIG(X86_PTI_USER_COPY), tc_at_table(0, kpgd, 0, 0),
			  "mm->pgd %#llx is the upper page of an order-1 pgd: "
			  "kernel_to_user_pgdp() names the same page",
			  (unsigned long long)kpgd);
		return;
	}
	if (tc_read_pa_direct(c, kpgd, b, sizeof(b)) < 0) {
		if (!tc_not_in_dump(c, before, TC_NID_TABLE, kpgd | PTI_USER_COPY,
				    "the PTI user-copy check of its pgd"))
			tc_report(c, m, TC_SIG(READ_ERROR), tc_at_table(0, kpgd | PTI_USER_COPY, 0, 0),
				  "the PTI user copy of pgd %#llx is not readable: not checked",
				  (unsigned long long)kpgd);
		return;
	}
	check_pti_user_half(c, m, p, kpgd, b);
	check_pti_kernel_half(c, m, p, kpgd, b);
}

void x86_check_mm(struct tc_ctx *c, struct tc_mm_stats *m)
{
	struct x86_priv *p = c->arch_priv;
	struct tc_top ut = { 0 };

	if (m->kernel || !m->tab_n)
		return;
	if (c->arch->mm_top(c, m->mm, &ut) == 0) {
		check_kernel_half(c, m, p, ut.table_pa);
		if (p->pti)
			check_pti_copy(c, m, p, ut.table_pa);
	}
	tc_ptpages_check_mm(c, m, &p->pages);
}
