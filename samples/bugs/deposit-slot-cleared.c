/*
 * deposit-slot-cleared (ppc64 hash): a THP whose deposited fragment was
 * withdrawn while the THP pmd stays.  Hash keeps the deposit of each THP
 * pmd in a slot of the pmd table's second half, ((pgtable_t *)pmdp)
 * [PTRS_PER_PMD], and withdraw takes it out and clears the slot
 * (arch/powerpc/mm/book3s64/hash_pgtable.c
 * hash__pgtable_trans_huge_withdraw()); the callers then clear or split
 * the pmd (zap_huge_pmd(), __split_huge_pmd_locked()).  A withdraw without
 * that second step leaves a THP with no table to split into: the next
 * split or zap withdraws a NULL slot.
 *
 * The module calls the kernel's own hash__pgtable_trans_huge_withdraw()
 * under the pmd lock on the first THP of the victim's THP2 region, frees
 * the fragment the way the callers do (pte_free(): pte_fragment_free()),
 * and leaves the THP pmd as it is.
 *
 * kallsyms: hash__pgtable_trans_huge_withdraw pte_fragment_free
 */
#include "thpbug.h"

THPBUG_SYM(hash__pgtable_trans_huge_withdraw);
THPBUG_SYM(pte_fragment_free);

static int __init sc_init(void)
{
	struct mm_struct *mm = thpbug_mm_of(pid);
	pgtable_t (*withdraw)(struct mm_struct *, pmd_t *) = (void *)sym_hash__pgtable_trans_huge_withdraw;
	void (*fragfree)(unsigned long *, int) = (void *)sym_pte_fragment_free;
	pmd_t *pmdp, *table;
	pgtable_t pgtable, *slots;
	spinlock_t *ptl;
	unsigned long i, n = 0, thp = 0;

	if (!mm || !withdraw || !fragfree) {
		say("fail no mm for pid %d or no function addresses", pid);
		return 0;
	}
	mmap_read_lock(mm);
	pmdp = thpbug_pmd(mm, VICTIM_THP2);
	if (radix_enabled() || !pmdp || !pmd_trans_huge(*pmdp)) {
		say("fail no hash THP at %#lx", VICTIM_THP2);
		goto out;
	}
	ptl = pmd_lock(mm, pmdp);
	pgtable = withdraw(mm, pmdp);
	spin_unlock(ptl);
	fragfree((unsigned long *)pgtable, 0);
	table = pmdp - pmd_index(VICTIM_THP2);
	slots = (pgtable_t *)table + PTRS_PER_PMD;
	for (i = 0; i < PTRS_PER_PMD; i++)
		if (pmd_trans_huge(table[i])) {
			thp++;
			n += slots[i] != NULL;
		}
	say("step withdrew fragment %#lx of the THP at %#lx (pmd %#lx), freed it; the pmd stays",
	    (unsigned long)__pa(pgtable), VICTIM_THP2, (unsigned long)__pa(pmdp));
	say("truth sig=DEPOSIT_COUNT pid=%d va=%#lx table_pa=%#lx index=-1 pa=%#lx old=%lu new=%lu "
	    "thp=%lu", pid, VICTIM_THP2 & ~(PTRS_PER_PMD * PMD_SIZE - 1), (unsigned long)__pa(table),
	    (unsigned long)__pa(pmdp) + PTRS_PER_PMD * 8, n + 1, n, thp);
out:
	mmap_read_unlock(mm);
	mmput(mm);
	say("done");
	return 0;
}
module_init(sc_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("thpcheck bug lab: hash THP deposit slot cleared while the THP stays");
