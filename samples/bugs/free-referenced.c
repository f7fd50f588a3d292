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
 * v6.7+ (whole-page pte tables, no fragments): page_table_free() frees
 * the page at once; the module then takes the page for itself with
 * alloc_page() (the next order-0 allocation on this CPU gets it back),
 * so a page that is no page table any more is referenced as one.
 *
 * x86_64 (v6.1, v6.12): pte_free() (include/asm-generic/pgalloc.h: the
 * destructor -- PG_table / the table page type cleared -- then the page
 * freed) on the first pte table of TOUCH, the pmd left as it is; the module
 * then takes the page with alloc_page() as above (zeroed: init_on_alloc),
 * so the pmd references a page that is no page table: found as
 * X86_TABLE_NOT_PGTABLE with the page_type word.
 *
 * kallsyms: page_table_free?
 */
#include "thpbug.h"
#ifdef CONFIG_X86
#include <asm/pgalloc.h>
#endif

THPBUG_SYM(page_table_free);

/* the freed page back from this CPU's free lists (kept: the page is
 * reused); 0 when it did not come back */
static int __maybe_unused take_back(struct page *page)
{
	struct page *got = NULL, *spare[16];
	int n = 0;

	while (n < 16 && (spare[n] = alloc_page(GFP_KERNEL)) && spare[n] != page)
		n++;
	if (n < 16 && spare[n] == page)
		got = page;
	while (n-- > 0)
		__free_page(spare[n]);
	return got != NULL;
}

#ifdef CONFIG_X86
static int __init fr_init(void)
{
	struct mm_struct *mm = thpbug_mm_of(pid);
	unsigned long a = VICTIM_TOUCH;
	unsigned int before;
	struct page *page;
	pmd_t *pmdp;

	if (!mm) {
		say("fail no mm for pid %d", pid);
		return 0;
	}
	mmap_write_lock(mm);
	pmdp = thpbug_pmd(mm, a);
	if (!pmdp || pmd_none(*pmdp) || pmd_trans_huge(*pmdp)) {
		say("fail no TOUCH pte table at %#lx", a);
		goto out;
	}
	page = pmd_page(*pmdp);
	before = READ_ONCE(page->page_type);
	say("step pte table %#lx of va %#lx, page_type %#x", (unsigned long)PFN_PHYS(page_to_pfn(page)),
	    a, before);
	pte_free(mm, page);
	if (!take_back(page)) {
		say("fail the freed page did not come back to alloc_page()");
		goto out;
	}
	say("step page %#lx freed and allocated again (alloc_page)", (unsigned long)PFN_PHYS(page_to_pfn(page)));
	say("truth sig=X86_TABLE_NOT_PGTABLE pid=%d va=%#lx table_pa=%#lx index=-1 pa=%#lx "
	    "old=%#x new=%#x", pid, a, (unsigned long)PFN_PHYS(page_to_pfn(page)),
	    (unsigned long)PFN_PHYS(page_to_pfn(page)), before, READ_ONCE(page->page_type));
out:
	mmap_write_unlock(mm);
	mmput(mm);
	say("done");
	return 0;
}
#else

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
		if (!pmdp || pmd_none(*pmdp) || pmd_trans_huge(*pmdp))
			continue;
		page = pmd_page(*pmdp);
		before = atomic_read(&page->_refcount);
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
		/* fragment bits (>> 24): A0 A1 both set */
		if (((before >> 24) & 3) != 3)
			continue;
#endif
		table = (unsigned long *)pte_offset_kernel(pmdp, a);
	}
	if (!table) {
		say("fail no TOUCH pte table%s", LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0) ?
		    " shares its page with another table in use" : "");
		goto out;
	}
	say("step pte table %#lx of va %#lx, page refcount %#x", (unsigned long)__pa(table),
	    a, before);
	ptfree(mm, table);
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
	say("truth sig=S390_FRAG_FREE_REFERENCED pid=%d va=%#lx table_pa=%#lx index=-1 pa=%#lx "
	    "old=%#x new=%#x", pid, a, (unsigned long)__pa(table), (unsigned long)__pa(table),
	    before, (unsigned int)atomic_read(&page->_refcount));
#else
	{
		struct page *got = NULL, *spare[16];
		int n = 0;

		while (n < 16 && (spare[n] = alloc_page(GFP_KERNEL)) && spare[n] != page)
			n++;
		if (n < 16 && spare[n] == page)
			got = page;	/* kept: the page is reused */
		while (n-- > 0)
			__free_page(spare[n]);
		if (!got) {
			say("fail the freed page did not come back to alloc_page()");
			goto out;
		}
		say("step page %#lx freed and allocated again (alloc_page)", (unsigned long)__pa(table));
		say("truth sig=S390_FRAG_NOT_PGTABLE pid=%d va=%#lx table_pa=%#lx index=-1 pa=%#lx "
		    "old=%#x new=%#x", pid, a, (unsigned long)__pa(table), (unsigned long)__pa(table),
		    before, READ_ONCE(page->page_type));
	}
#endif
out:
	mmap_write_unlock(mm);
	mmput(mm);
	say("done");
	return 0;
}
#endif
module_init(fr_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("thpcheck bug lab: a pte table freed while a segment entry references it");
