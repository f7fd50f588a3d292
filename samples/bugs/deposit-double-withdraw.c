/*
 * deposit-double-withdraw (ppc64 radix): the THP deposit ring broken by
 * two withdraws that take the same table.  Radix threads the ring through
 * the first two words of each deposited pte fragment, headed by
 * pmd_huge_pte of the pmd fragments' page, and withdraw ends by zeroing
 * those words (arch/powerpc/mm/book3s64/radix_pgtable.c
 * radix__pgtable_trans_huge_withdraw()):
 *
 *     ptep = (pte_t *) pgtable;
 *     *ptep = __pte(0);
 *     ptep++;
 *     *ptep = __pte(0);
 *
 * Two withdraws on one ring not serialised by the pmd lock (the s390 seed
 * bug's window, "maybe also on PowerPC") both start from the same head: one
 * unlinks it, the other ends by zeroing the words of the table it thinks
 * it took -- the next one, still linked.  The module re-enacts that last
 * step on the victim's ring of two (THP2: two THPs whose deposits share a
 * ring) under the pmd lock; the THPs and the ring head stay.
 */
#include "thpbug.h"

static int __init dw_init(void)
{
	struct mm_struct *mm = thpbug_mm_of(pid);
	pgtable_t head, second;
	spinlock_t *ptl;
	pmd_t *pmdp;
	pte_t *ptep;
	u64 before;

	if (!mm) {
		say("fail no mm for pid %d", pid);
		return 0;
	}
	mmap_read_lock(mm);
	pmdp = thpbug_pmd(mm, VICTIM_THP2);
	if (!radix_enabled() || !pmdp || !pmd_trans_huge(*pmdp)) {
		say("fail no radix THP at %#lx", VICTIM_THP2);
		goto out;
	}
	ptl = pmd_lock(mm, pmdp);
	second = thpbug_ring_second(mm, pmdp, &head);
	if (!second) {
		spin_unlock(ptl);
		say("fail the ring holds %s", head ? "one table" : "no table");
		goto out;
	}
	before = (u64)pte_val(*(second + 1));
	/* the other withdraw's end, on the table still linked */
	ptep = (pte_t *)second;
	*ptep = __pte(0);
	ptep++;
	*ptep = __pte(0);
	spin_unlock(ptl);
	say("step ring head %#lx, second fragment %#lx still linked from it",
	    (unsigned long)__pa(head), (unsigned long)__pa(second));
	say("truth sig=DEPOSIT_LIST_CORRUPT pid=%d table_pa=%#lx index=1 pa=%#lx old=%#llx new=%#llx "
	    "linked_from=%#lx", pid, (unsigned long)__pa(second), (unsigned long)__pa(second) + 8,
	    (unsigned long long)before, (unsigned long long)pte_val(*(second + 1)),
	    (unsigned long)__pa(head));
out:
	mmap_read_unlock(mm);
	mmput(mm);
	say("done");
	return 0;
}
module_init(dw_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("thpcheck bug lab: radix deposit ring broken by a racing withdraw");
