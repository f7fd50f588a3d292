/*
 * cont-pte-migrate: try_to_migrate_one() on a CONT-PTE hugetlb page before
 * 5d4af6195c87 "mm: rmap: fix CONT-PTE/PMD size hugetlb issue when
 * migration" (v5.19).  A hugetlb folio took the common path of that
 * function, on the one pte page_vma_mapped_walk() gave it:
 *
 *     pteval = ptep_clear_flush(vma, address, pvmw.pte);
 *     ...
 *     entry = make_readable_migration_entry(page_to_pfn(subpage));
 *     swp_pte = swp_entry_to_pte(entry);
 *     ...
 *     set_pte_at(mm, address, pvmw.pte, swp_pte);
 *
 * For a 64 KiB hugetlb page (arm64, 4 KiB pages) pvmw.pte is the first of
 * the 16 entries of its PTE_CONT run: only that one was cleared and became
 * the migration entry, the other 15 stayed valid and contiguous over the
 * page being migrated.  The fix uses huge_ptep_clear_flush() and
 * set_huge_pte_at(), which treat the run as one.
 *
 * The module runs that pre-fix body on the victim's 64 KiB hugetlb page
 * (CONT64K, faulted in: set_huge_pte_at() wrote the whole run), under the
 * lock hugetlb takes for that size (huge_pte_lockptr(): mm->page_table_lock
 * for any size but PMD_SIZE), with the arch's single-entry primitives of
 * v5.19 -- ptep_get_and_clear() and set_pte_at(), which v6.9's contpte
 * layer (4602e5757bcc) renamed __ptep_get_and_clear() and __set_pte() and
 * wrapped in calls that unfold a run first.  No page is migrated: the
 * folio stays where it is, the tables are what the dump shows.
 *
 * kallsyms: __mmu_notifier_arch_invalidate_secondary_tlbs?
 */
#include <linux/hugetlb.h>
#include <linux/mm_inline.h>	/* mm_tlb_flush_pending(), in pte_accessible() */
#include <linux/swapops.h>
#include <asm/tlbflush.h>
#include "thpbug.h"

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
#define prefix_ptep_get_and_clear(mm, addr, ptep) __ptep_get_and_clear(mm, addr, ptep)
#define prefix_set_pte_at(mm, addr, ptep, pte) __set_pte(ptep, pte)
#else
#define prefix_ptep_get_and_clear(mm, addr, ptep) ptep_get_and_clear(mm, addr, ptep)
#define prefix_set_pte_at(mm, addr, ptep, pte) set_pte_at(mm, addr, ptep, pte)
#endif

#if defined(CONFIG_MMU_NOTIFIER) && LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
/* v6.6+ flush_tlb_page() tells secondary TLBs (IOMMUs) through this
 * function, which the kernel does not export: called by its kallsyms
 * address (only for an mm with notifiers: not the victim's) */
THPBUG_SYM(__mmu_notifier_arch_invalidate_secondary_tlbs);
void __mmu_notifier_arch_invalidate_secondary_tlbs(struct mm_struct *mm, unsigned long start,
						    unsigned long end)
{
	void (*f)(struct mm_struct *, unsigned long, unsigned long) =
		(void *)sym___mmu_notifier_arch_invalidate_secondary_tlbs;

	if (f)
		f(mm, start, end);
}
#endif

/* v5.18 ptep_clear_flush() (mm/pgtable-generic.c) on one entry */
static pte_t prefix_ptep_clear_flush(struct vm_area_struct *vma, unsigned long addr,
				     pte_t *ptep)
{
	pte_t pte = prefix_ptep_get_and_clear(vma->vm_mm, addr, ptep);

	if (pte_accessible(vma->vm_mm, pte))
		flush_tlb_page(vma, addr);
	return pte;
}

static int __init cpm_init(void)
{
	struct mm_struct *mm = thpbug_mm_of(pid);
	struct vm_area_struct *vma;
	pte_t *ptep, pteval;
	pmd_t *pmdp;
	u64 before;

	if (!mm) {
		say("fail no mm for pid %d", pid);
		return 0;
	}
	mmap_read_lock(mm);
	vma = find_vma(mm, VICTIM_CONT64K);
	pmdp = thpbug_pmd(mm, VICTIM_CONT64K);
	if (!vma || vma->vm_start != VICTIM_CONT64K || !is_vm_hugetlb_page(vma) ||
	    huge_page_size(hstate_vma(vma)) != CONT_PTE_SIZE || !pmdp || !pmd_present(*pmdp) ||
	    pmd_leaf(*pmdp)) {
		say("fail no 64 KiB hugetlb page mapped by ptes at %#lx", VICTIM_CONT64K);
		goto out;
	}
	ptep = pte_offset_kernel(pmdp, VICTIM_CONT64K);
	if (!pte_present(*ptep) || !pte_cont(*ptep)) {
		say("fail the pte at %#lx is not a present contiguous one: %#llx", VICTIM_CONT64K,
		    (unsigned long long)pte_val(*ptep));
		goto out;
	}
	before = pte_val(*ptep);
	spin_lock(&mm->page_table_lock);
	pteval = prefix_ptep_clear_flush(vma, VICTIM_CONT64K, ptep);
	prefix_set_pte_at(mm, VICTIM_CONT64K, ptep,
			  swp_entry_to_pte(make_readable_migration_entry(pte_pfn(pteval))));
	spin_unlock(&mm->page_table_lock);
	say("step first pte of the run replaced by a migration entry; entry 1 still %#llx",
	    (unsigned long long)pte_val(ptep[1]));
	say("truth sig=ARM64_CONT_RUN_BROKEN pid=%d va=%#lx table_pa=%#lx index=%lu pa=%#lx "
	    "old=%#llx new=%#llx", pid, VICTIM_CONT64K, (unsigned long)__pa(ptep) & PAGE_MASK,
	    pte_index(VICTIM_CONT64K), (unsigned long)__pa(ptep), (unsigned long long)before,
	    (unsigned long long)pte_val(*ptep));
out:
	mmap_read_unlock(mm);
	mmput(mm);
	say("done");
	return 0;
}
module_init(cpm_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("thpcheck bug lab: pre-v5.19 try_to_migrate_one() on a CONT-PTE hugetlb page");
