/*
 * legal-pending-kvm (x86_64): no corruption.  A pte table queued for
 * freeing in an mmu_gather batch handed to RCU, as a KVM guest's kernel
 * frees its page tables: with PV TLB flush, kvm_guest_init() sets
 * pv_ops.mmu.tlb_remove_table = tlb_remove_table (arch/x86/kernel/kvm.c,
 * v6.1 and v6.12; Xen and Hyper-V do the same), so ___pte_free_tlb()
 * (arch/x86/mm/pgtable.c: the destructor, paravirt_release_pte(), then
 * paravirt_tlb_remove_table(tlb, pte) -- pte a struct page *) puts the
 * table's struct page into tlb->batch, and tlb_finish_mmu() hands the
 * batch to call_rcu(tlb_remove_table_rcu) (mm/mmu_gather.c).  The TCG
 * guests have no PV TLB flush: native x86 frees page tables through the
 * page batch at tlb_finish_mmu() (pv_ops.mmu.tlb_remove_table is
 * tlb_remove_page), never through RCU (legal-pending.c).
 *
 * The module (loaded by bug.sh with pid=VICTIM):
 *  1. holds RCU on another CPU (thpbug_hold_rcu());
 *  2. under the victim's mmap_lock (write), empties the pte table of
 *     TOUCH + 6 HPAGE as MADV_DONTNEED does (zap_page_range(), v6.3+
 *     zap_page_range_single()), then frees it as free_pte_range() does
 *     on a KVM guest: tlb_gather_mmu(), pmd_clear(), pte_free_tlb() ->
 *     ___pte_free_tlb() with tlb_remove_table() as the pv op,
 *     mm_dec_nr_ptes(), tlb_finish_mmu();
 *  3. prints the table as a "pending" line: its pmd none, the table's
 *     page kept by the batch until a grace period that cannot end.
 *
 * kallsyms: tlb_remove_table tlb_gather_mmu tlb_finish_mmu
 */
#include "thpbug.h"
#include <linux/pfn.h>
/* asm/tlbflush.h declares it for the kernel only (#ifndef MODULE); asm/tlb.h
 * (struct mmu_gather) names it in an inline this module does not use */
extern void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start,
			       unsigned long end, unsigned int stride_shift, bool freed_tables);
#include <asm/tlb.h>

THPBUG_SYM(tlb_remove_table);
THPBUG_SYM(tlb_gather_mmu);
THPBUG_SYM(tlb_finish_mmu);


/* x86: a KVM guest's free_pte_range() (see the header) */
static void kvm_free_pte(void)
{
	void (*remove)(struct mmu_gather *, void *) = (void *)sym_tlb_remove_table;
	void (*gather)(struct mmu_gather *, struct mm_struct *) = (void *)sym_tlb_gather_mmu;
	void (*finish)(struct mmu_gather *) = (void *)sym_tlb_finish_mmu;
	unsigned long a = VICTIM_TOUCH + 6 * PMD_SIZE, i;
	struct mm_struct *mm = thpbug_mm_of(pid);
	struct vm_area_struct *vma;
	struct mmu_gather tlb;
	struct page *pte;
	pte_t *ptep;
	pmd_t *pmdp;

	if (!mm || !remove || !gather || !finish) {
		say("fail no mm for pid %d or no tlb_remove_table/tlb_gather_mmu/tlb_finish_mmu", pid);
		return;
	}
	mmap_write_lock(mm);
	vma = find_vma(mm, a);
	pmdp = thpbug_pmd(mm, a);
	if (!vma || vma->vm_start > a || !pmdp || pmd_none(*pmdp) || pmd_trans_huge(*pmdp)) {
		say("fail no pte table at %#lx", a);
		goto out;
	}
	/* MADV_DONTNEED's zap: the ptes go, the table stays */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	zap_page_range_single(vma, a, PMD_SIZE, NULL);
#else
	zap_page_range(vma, a, PMD_SIZE);
#endif
	ptep = pte_offset_kernel(pmdp, a);
	for (i = 0; i < PTRS_PER_PTE; i++)
		if (!pte_none(ptep[i])) {
			say("fail the pte table at %#lx is not empty after the zap", a);
			goto out;
		}
	/* mm/memory.c free_pte_range(): pmd_clear(), pte_free_tlb(),
	 * mm_dec_nr_ptes(); include/asm-generic/tlb.h pte_free_tlb() */
	gather(&tlb, mm);
	pte = pmd_pgtable(*pmdp);
	pmd_clear(pmdp);
	tlb_flush_pmd_range(&tlb, a, PAGE_SIZE);
	tlb.freed_tables = 1;
	/* arch/x86/mm/pgtable.c ___pte_free_tlb() */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	pagetable_pte_dtor(page_ptdesc(pte));
#else
	pgtable_pte_page_dtor(pte);
#endif
	paravirt_release_pte(page_to_pfn(pte));
	remove(&tlb, pte);		/* the KVM guest's paravirt_tlb_remove_table() */
	mm_dec_nr_ptes(mm);
	finish(&tlb);			/* the batch to call_rcu(tlb_remove_table_rcu) */
	say("step pte table %#lx of %#lx freed the KVM guest's way: tlb_remove_table(), "
	    "tlb_finish_mmu()", (unsigned long)PFN_PHYS(page_to_pfn(pte)), a);
	say("pending level=pte table_pa=%#lx refcount=%#x via=tlb_remove_table",
	    (unsigned long)PFN_PHYS(page_to_pfn(pte)), (unsigned)atomic_read(&pte->_refcount));
out:
	mmap_write_unlock(mm);
	mmput(mm);
}

static int __init lpk_init(void)
{
	if (!IS_ENABLED(CONFIG_X86)) {
		say("fail x86_64 only");
		return 0;
	}
	if (thpbug_hold_rcu() == 0)
		kvm_free_pte();
	say("done");
	return 0;
}
module_init(lpk_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("thpcheck bug lab: a pte table in a KVM guest's RCU table batch at the dump");
