/*
 * deposit-list-del (x86_64): the THP deposit ring broken by two withdraws
 * that take the same table.  x86 uses the generic deposit
 * (mm/pgtable-generic.c): pmd_huge_pte of the pmd table's struct page
 * heads a ring of pte-table pages threaded through page->lru, and
 * pgtable_trans_huge_withdraw() ends with list_del(&pgtable->lru), whose
 * last step (include/linux/list.h) poisons the entry:
 *
 *     entry->next = LIST_POISON1;
 *     entry->prev = LIST_POISON2;
 *
 * Two withdraws on one ring not serialised by the pmd lock (the seed
 * bug's window) both start from the same head; one unlinks its table, the
 * other ends by poisoning the table it thinks it took -- the next one,
 * still linked.  The module re-enacts that last step on the victim's ring
 * of two (THP2: two THPs of one pmd table, one ring) under the pmd lock;
 * the THPs and the ring head stay.  Found where list_del's own check
 * looks: the head's lru.next->prev (the second page's lru.prev, a
 * kernel address in vmemmap: table_pa of the finding) is LIST_POISON2.
 */
#include "thpbug.h"
#include <linux/poison.h>

static int __init dld_init(void)
{
	struct mm_struct *mm = thpbug_mm_of(pid);
	struct page *head, *second;
	spinlock_t *ptl;
	pmd_t *pmdp;
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
	head = pmd_huge_pte(mm, pmdp);
	second = head ? list_first_entry(&head->lru, struct page, lru) : NULL;
	if (!head || second == head) {
		spin_unlock(ptl);
		say("fail the ring holds %s", head ? "one table" : "no table");
		goto out;
	}
	before = (u64)(unsigned long)second->lru.prev;
	/* the other withdraw's list_del() end, on the table still linked */
	second->lru.next = LIST_POISON1;
	second->lru.prev = LIST_POISON2;
	spin_unlock(ptl);
	say("step ring head %#lx (page %px), second table %#lx (page %px) still linked from it",
	    (unsigned long)PFN_PHYS(page_to_pfn(head)), head,
	    (unsigned long)PFN_PHYS(page_to_pfn(second)), second);
	say("truth sig=DEPOSIT_LIST_CORRUPT pid=%d table_pa=%#lx index=1 kaddr=%#lx old=%#llx new=%#llx "
	    "second_pa=%#lx linked_from=%#lx", pid, (unsigned long)&second->lru.prev,
	    (unsigned long)&second->lru.prev, (unsigned long long)before,
	    (unsigned long long)(unsigned long)second->lru.prev,
	    (unsigned long)PFN_PHYS(page_to_pfn(second)), (unsigned long)PFN_PHYS(page_to_pfn(head)));
out:
	mmap_read_unlock(mm);
	mmput(mm);
	say("done");
	return 0;
}
module_init(dld_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("thpcheck bug lab: generic deposit ring broken by a racing withdraw's list_del");
