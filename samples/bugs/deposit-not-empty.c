/*
 * deposit-not-empty: a collapsed THP whose deposited pte table still has a
 * pte in it, so that the split of that THP hits BUG_ON(!pte_none(*pte)) in
 * __split_huge_pmd_locked() (seed thread, 2016-02: "in collapse_huge_page()
 * we deposit the original pagetable instead of allocating a new (empty)
 * one ... we will always run into the BUG_ON(!pte_none(*pte))").  The
 * deposit of the original table is safe only because the copy loop
 * (mm/khugepaged.c __collapse_huge_page_copy()) clears every pte it copies;
 * a collapse whose copy leaves one pte behind deposits a populated table.
 *
 * The victim collapses its COLL region itself (MADV_COLLAPSE, v6.1: the
 * kernel's collapse_huge_page() deposits COLL's original pte table, empty).
 * Before that the module records the pte of COLL + 5 pages; afterwards,
 * under the pmd lock, it takes the deposited table out with the kernel's
 * pgtable_trans_huge_withdraw(), puts that pte back where the copy loop
 * cleared it (set_pte_at(): set_pte() for an mm without pgstes) and deposits the table again with
 * pgtable_trans_huge_deposit(): the table the pre-fix copy would have left.
 *
 * x86_64 (v6.1, v6.12): the same, through the generic deposit
 * (mm/pgtable-generic.c: the ring through page->lru, headed by
 * pmd_huge_pte of the pmd table's struct page); pgtable_t is the table's
 * struct page there, so its entries are at page_address().
 *
 * victim: collapse
 * kallsyms: pgtable_trans_huge_withdraw pgtable_trans_huge_deposit
 */
#include "thpbug.h"

THPBUG_SYM(pgtable_trans_huge_withdraw);
THPBUG_SYM(pgtable_trans_huge_deposit);

#define IDX	5
/* the entries of a pgtable_t (x86: a struct page *) */
#ifdef CONFIG_X86
#define PT(pg)	((pte_t *)page_address(pg))
#else
#define PT(pg)	((pte_t *)(pg))
#endif

static pte_t kept;
static unsigned long table_pa;

static int check_set(const char *val, const struct kernel_param *kp)
{
	pgtable_t (*withdraw)(struct mm_struct *, pmd_t *) = (void *)sym_pgtable_trans_huge_withdraw;
	void (*deposit)(struct mm_struct *, pmd_t *, pgtable_t) = (void *)sym_pgtable_trans_huge_deposit;
	unsigned long va = VICTIM_COLL + IDX * PAGE_SIZE;
	struct mm_struct *mm = thpbug_mm_of(pid);
	pgtable_t pgtable;
	spinlock_t *ptl;
	pmd_t *pmdp;
	u64 before;

	if (!mm || !withdraw || !deposit) {
		say("fail no mm for pid %d or no function addresses", pid);
		goto done;
	}
	mmap_read_lock(mm);
	pmdp = thpbug_pmd(mm, VICTIM_COLL);
	if (!pmdp || !pmd_trans_huge(*pmdp)) {
		say("fail MADV_COLLAPSE left no THP at %#lx", VICTIM_COLL);
		goto out;
	}
	ptl = pmd_lock(mm, pmdp);
	pgtable = withdraw(mm, pmdp);
	before = pte_val(*(PT(pgtable) + IDX));
	/* set_pte_at() of an mm without pgstes (ptep_set_pte_at() is not
	 * exported to modules) */
	set_pte(PT(pgtable) + IDX, kept);
	deposit(mm, pmdp, pgtable);
	spin_unlock(ptl);
	say("step THP at %#lx; deposited table %#lx (the original was %#lx)", VICTIM_COLL,
	    (unsigned long)__pa(PT(pgtable)), table_pa);
	say("truth sig=DEPOSIT_NOT_EMPTY pid=%d va=%#lx table_pa=%#lx index=%d pa=%#lx old=%#llx new=%#llx",
	    pid, va, (unsigned long)__pa(PT(pgtable)), IDX, (unsigned long)__pa(PT(pgtable) + IDX),
	    (unsigned long long)before, (unsigned long long)pte_val(*(PT(pgtable) + IDX)));
out:
	mmap_read_unlock(mm);
	mmput(mm);
done:
	say("done");
	return 0;
}
THPBUG_CHECK(check_set, "write 1 after the victim's MADV_COLLAPSE");

static int __init dne_init(void)
{
	struct mm_struct *mm = thpbug_mm_of(pid);
	pmd_t *pmdp;

	if (!mm) {
		say("fail no mm for pid %d", pid);
		return 0;
	}
	mmap_read_lock(mm);
	pmdp = thpbug_pmd(mm, VICTIM_COLL);
	if (pmdp && !pmd_none(*pmdp) && !pmd_trans_huge(*pmdp)) {
		pte_t *ptep = pte_offset_kernel(pmdp, VICTIM_COLL);

		table_pa = __pa(ptep);
		kept = ptep[IDX];
	}
	mmap_read_unlock(mm);
	mmput(mm);
	if (!pte_present(kept))
		say("fail no present pte at COLL + %d pages", IDX);
	else
		say("step pte table %#lx of COLL, entry %d = %#llx", table_pa, IDX,
		    (unsigned long long)pte_val(kept));
	return 0;
}
module_init(dne_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("thpcheck bug lab: a collapsed THP's deposited table not emptied");
