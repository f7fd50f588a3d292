/*
 * seg-empty-large: set_huge_pte_at() on an empty pte before ac8372f3b4e4
 * "s390/mm: fix set_huge_pte_at() for empty ptes" (v5.8).  s390 converts
 * the pte a caller passes into a segment (or region-third) entry, and the
 * pre-fix code marked the result large whatever it was:
 *
 *     unsigned long rste = __pte_to_rste(pte);
 *     if ((pte_val(*ptep) & _REGION_ENTRY_TYPE_MASK) == _REGION_ENTRY_TYPE_R3)
 *             rste |= _REGION_ENTRY_TYPE_R3 | _REGION3_ENTRY_LARGE;
 *     else
 *             rste |= _SEGMENT_ENTRY_LARGE;
 *     pte_val(*ptep) = rste;
 *
 * For an empty pte, __pte_to_rste() gives _SEGMENT_ENTRY_EMPTY (0x20), so
 * the entry became 0x420: pmd_none() false, a "large" entry with nothing
 * behind it.  The fixed code sets LARGE only for a present pte.
 *
 * The module runs that pre-fix body (v5.7 arch/s390/mm/hugetlbpage.c, the
 * conversion of a non-present pte included) with an empty pte on the
 * victim's hugetlb VMA (HUGE, not faulted in: its segment entry is
 * empty), under the lock hugetlb takes for a pmd-sized page (the pmd lock).
 */
#include <linux/hugetlb.h>
#include "thpbug.h"

/* v5.7 __pte_to_rste() for a pte that is not present */
static unsigned long prefix_pte_to_rste(pte_t pte)
{
	return pte_present(pte) ? 0 : _SEGMENT_ENTRY_EMPTY;
}

/* v5.7 set_huge_pte_at() */
static void prefix_set_huge_pte_at(pte_t *ptep, pte_t pte)
{
	unsigned long rste = prefix_pte_to_rste(pte);

	if ((pte_val(*ptep) & _REGION_ENTRY_TYPE_MASK) == _REGION_ENTRY_TYPE_R3)
		rste |= _REGION_ENTRY_TYPE_R3 | _REGION3_ENTRY_LARGE;
	else
		rste |= _SEGMENT_ENTRY_LARGE;
	*ptep = __pte(rste);	/* v5.7: pte_val(*ptep) = rste; pte_val is no lvalue now */
}

static int __init sel_init(void)
{
	struct mm_struct *mm = thpbug_mm_of(pid);
	struct vm_area_struct *vma;
	pmd_t *pmdp;
	spinlock_t *ptl;
	u64 before;

	if (!mm) {
		say("fail no mm for pid %d", pid);
		return 0;
	}
	mmap_read_lock(mm);
	vma = find_vma(mm, VICTIM_HUGE);
	pmdp = thpbug_pmd(mm, VICTIM_HUGE);
	if (!vma || vma->vm_start != VICTIM_HUGE || !is_vm_hugetlb_page(vma) || !pmdp ||
	    !pmd_none(*pmdp)) {
		say("fail no empty hugetlb segment entry at %#lx", VICTIM_HUGE);
		goto out;
	}
	before = pmd_val(*pmdp);
	ptl = pmd_lock(mm, pmdp);
	prefix_set_huge_pte_at((pte_t *)pmdp, __pte(_PAGE_INVALID));
	spin_unlock(ptl);
	say("truth sig=S390_SEG_EMPTY_LARGE pid=%d va=%#lx table_pa=%#lx index=%lu pa=%#lx "
	    "old=%#llx new=%#llx", pid, VICTIM_HUGE, (unsigned long)__pa(pmdp) & ~0x3fffUL,
	    pmd_index(VICTIM_HUGE), (unsigned long)__pa(pmdp), (unsigned long long)before,
	    (unsigned long long)pmd_val(*pmdp));
out:
	mmap_read_unlock(mm);
	mmput(mm);
	say("done");
	return 0;
}
module_init(sel_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("thpcheck bug lab: pre-v5.8 set_huge_pte_at() on an empty entry");
