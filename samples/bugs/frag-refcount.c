/*
 * frag-refcount (ppc64): pte_fragment_free() called once too often.
 * ppc64 hands out pte tables as fragments of a 64 KiB page
 * (arch/powerpc/mm/pgtable-frag.c): pt_frag_refcount counts the fragments
 * handed out and not yet freed, and pte_fragment_free() drops it, freeing
 * the page at 0.  One free too many on a page whose other fragments are
 * live leaves a count below the fragments in use; the page is freed while
 * tables in it are still referenced when the last of them goes (seed: AA/PP
 * and refcounts "out of step with RCU freeing", the 2 KiB s390 analogue).
 *
 * The module calls the kernel's own pte_fragment_free() (the body of
 * pte_free(), arch/powerpc/include/asm/book3s/64/pgalloc.h) once for a pte
 * fragment of the victim's TOUCH region that is still referenced by its pmd,
 * on a page with other fragments in use, under the victim's mmap_lock.
 *
 * kallsyms: pte_fragment_free
 */
#include "thpbug.h"

THPBUG_SYM(pte_fragment_free);

static int __init fc_init(void)
{
	struct mm_struct *mm = thpbug_mm_of(pid);
	void (*fragfree)(unsigned long *, int) = (void *)sym_pte_fragment_free;
	unsigned long a = 0, *table = NULL;
	struct page *page = NULL;
	int i, before = 0;
	pmd_t *pmdp;

	if (!mm || !fragfree) {
		say("fail no mm for pid %d or no pte_fragment_free address", pid);
		return 0;
	}
	mmap_write_lock(mm);
	for (i = 0; i < 8 && !table; i++) {
		a = VICTIM_TOUCH + i * PMD_SIZE;
		pmdp = thpbug_pmd(mm, a);
		if (!pmdp || pmd_none(*pmdp) || pmd_trans_huge(*pmdp))
			continue;
		table = (unsigned long *)pte_offset_kernel(pmdp, a);
		page = virt_to_page(table);
		before = atomic_read(&page->pt_frag_refcount);
		if (before < 2)
			table = NULL;	/* the free would release the page */
	}
	if (!table) {
		say("fail no TOUCH pte fragment on a page with other fragments in use");
		goto out;
	}
	say("step pte fragment %#lx of va %#lx, page %#lx pt_frag_refcount %d",
	    (unsigned long)__pa(table), a, (unsigned long)PFN_PHYS(page_to_pfn(page)), before);
	fragfree(table, 0);
	say("truth sig=PPC_FRAG_REFCOUNT pid=%d va=%#lx table_pa=%#lx index=-1 pa=%#lx "
	    "old=%d new=%d", pid, a, (unsigned long)PFN_PHYS(page_to_pfn(page)), (unsigned long)__pa(table),
	    before, atomic_read(&page->pt_frag_refcount));
out:
	mmap_write_unlock(mm);
	mmput(mm);
	say("done");
	return 0;
}
module_init(fc_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("thpcheck bug lab: pte_fragment_free() once too often");
