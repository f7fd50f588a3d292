/*
 * free-referenced: a pte table freed while a segment entry still points
 * to it (seed: "PP/AA fragment bits out of step with RCU freeing"; the
 * order mm/memory.c free_pte_range() keeps is pmd_clear() first, then
 * pte_free_tlb()).  The module calls the kernel's own page_table_free()
 * (arch/s390/mm/pgalloc.c, v6.1: flips the half's A bit to P and back to
 * 0 under mm->context.lock, lists the page again, frees the page only when
 * both halves are free) on a pte table of the victim's TOUCH region whose
 * page has its other half in use, and leaves the segment entry as it is:
 * the half is free in struct page and live in the tables.
 *
 * kallsyms: page_table_free
 */
#include "thpbug.h"

THPBUG_SYM(page_table_free);

static int __init fr_init(void)
{
	struct mm_struct *mm = thpbug_mm_of(pid);
	void (*ptfree)(struct mm_struct *, unsigned long *) = (void *)sym_page_table_free;
	unsigned long a, *table = NULL;
	struct page *page = NULL;
	unsigned int before = 0;
	pmd_t *pmdp;
	int i;

	if (!mm || !ptfree) {
		say("fail no mm for pid %d or no page_table_free address", pid);
		return 0;
	}
	mmap_write_lock(mm);
	for (i = 0; i < 8 && !table; i++) {
		a = VICTIM_TOUCH + i * HPAGE_SIZE;
		pmdp = thpbug_pmd(mm, a);
		if (!pmdp || pmd_none(*pmdp) || pmd_large(*pmdp))
			continue;
		page = pmd_page(*pmdp);
		before = atomic_read(&page->_refcount);
		/* fragment bits (>> 24): A0 A1 both set */
		if (((before >> 24) & 3) == 3)
			table = (unsigned long *)pte_offset_kernel(pmdp, a);
	}
	if (!table) {
		say("fail no TOUCH pte table shares its page with another table in use");
		goto out;
	}
	say("step pte table %#lx of va %#lx, page refcount %#x", (unsigned long)__pa(table),
	    a, before);
	ptfree(mm, table);
	say("truth sig=S390_FRAG_FREE_REFERENCED pid=%d va=%#lx table_pa=%#lx index=-1 pa=%#lx "
	    "old=%#x new=%#x", pid, a, (unsigned long)__pa(table), (unsigned long)__pa(table),
	    before, (unsigned int)atomic_read(&page->_refcount));
out:
	mmap_write_unlock(mm);
	mmput(mm);
	say("done");
	return 0;
}
module_init(fr_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("thpcheck bug lab: a pte table freed while a segment entry references it");
