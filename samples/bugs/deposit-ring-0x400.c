/*
 * deposit-ring-0x400: "list_del corruption. next->prev should be ...,
 * but was 0x400" (seed thread "random kernel crashes after THP rework on
 * s390", 2016-02-18).  s390 threads the THP deposit ring through the
 * first two words of each deposited pte table (arch/s390/mm/pgtable.c
 * pgtable_trans_huge_deposit()/withdraw(): no struct page per 2 KiB
 * table), and withdraw ends by making those two words empty ptes again:
 *
 *     ptep = (pte_t *) pgtable;
 *     set_pte(ptep, __pte(_PAGE_INVALID));
 *     ptep++;
 *     set_pte(ptep, __pte(_PAGE_INVALID));
 *
 * Two withdraws on one ring that are not serialised by the pmd lock (the
 * THP rework's window) can both take the same table: one unlinks it, the
 * other, holding a stale ring head, ends by clearing the words of a table
 * that is still linked -- its neighbour's next->prev then reads 0x400.
 *
 * The module re-enacts the racing withdraw's last step on the victim's
 * ring of two (THP2: two THPs in one segment table, two deposited tables):
 * under the pmd lock, the second table of the ring, still linked from the
 * first, gets its two list words set to _PAGE_INVALID with set_pte(), as
 * the withdraw code does.  The THPs and the ring head stay as they are.
 */
#include "thpbug.h"

static int __init ring_init(void)
{
	struct mm_struct *mm = thpbug_mm_of(pid);
	pmd_t *pmdp;
	spinlock_t *ptl;
	pgtable_t head, second;
	pte_t *ptep;
	u64 before;

	if (!mm) {
		say("fail no mm for pid %d", pid);
		return 0;
	}
	mmap_read_lock(mm);
	pmdp = thpbug_pmd(mm, VICTIM_THP2);
	if (!pmdp || !pmd_trans_huge(*pmdp)) {
		say("fail no THP at %#lx", VICTIM_THP2);
		goto out;
	}
	ptl = pmd_lock(mm, pmdp);
	second = thpbug_ring_second(mm, pmdp, &head);
	if (!second) {
		spin_unlock(ptl);
		say("fail the ring of the segment table holds %s", head ? "one table" : "no table");
		goto out;
	}
	before = pte_val(*((pte_t *)second + 1));	/* the prev word list_del checks */
	/* the racing withdraw's end (pgtable_trans_huge_withdraw()) */
	ptep = (pte_t *)second;
	set_pte(ptep, __pte(_PAGE_INVALID));
	ptep++;
	set_pte(ptep, __pte(_PAGE_INVALID));
	spin_unlock(ptl);
	say("step ring head %#lx (segment table %#lx), second table %#lx still linked from it",
	    (unsigned long)__pa(head), (unsigned long)__pa(pmdp) & ~0x3fffUL,
	    (unsigned long)__pa(second));
	/* list_del() of the first table reads next->prev: word 1 of the second */
	say("truth sig=DEPOSIT_LIST_CORRUPT pid=%d table_pa=%#lx index=1 pa=%#lx old=%#llx new=%#llx "
	    "linked_from=%#lx", pid, (unsigned long)__pa(second), (unsigned long)__pa(second) + 8,
	    (unsigned long long)before, (unsigned long long)pte_val(*((pte_t *)second + 1)),
	    (unsigned long)__pa(head));
out:
	mmap_read_unlock(mm);
	mmput(mm);
	say("done");
	return 0;
}
module_init(ring_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("thpcheck bug lab: a deposited table cleared by withdraw while still linked");
