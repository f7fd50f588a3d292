/*
 * idte-wrong-address: the 2016 THP split bug on s390, re-enacted by the
 * running kernel.  Before "thp: call pmdp_invalidate() with correct virtual
 * address" (Kirill A. Shutemov, 2016-02-24, fixing the THP refcounting
 * rework), __split_huge_pmd_locked() called
 *
 *     pmdp_invalidate(vma, haddr + HPAGE_PMD_SIZE, pmd);
 *
 * pmdp_invalidate() (arch/s390/include/asm/pgtable.h) goes to
 * pmdp_xchg_direct() -> __pmdp_idte() (arch/s390/mm/pgtable.c), which hands
 * IDTE the segment-table origin sto = __pa(pmdp) - pmd_index(addr) * 8:
 * one entry too low, S - 8 for the segment table S.  IDTE reads that as a
 * region-second table at S - 4096 and sets the invalid bit 0x020 in its
 * entry RSX(addr), word 0 below 4 TiB: the first word of the page below S.
 * Seed thread "random kernel crashes after THP rework on s390".
 *
 * The scenario (victim.c's candidate regions, one segment table each):
 *  1. use up the half-free pte-table pages of the victim's pgtable_list
 *     (read faults in its filler region), so that its next pte table is a
 *     new page;
 *  2. take 8 pages (order 3, 32 KiB aligned) and free them back to this
 *     CPU's page lists: pages 4-7 as one order-2 block, page 3 last, so the
 *     next segment table (crst_table_alloc, order 2) is pages 4-7 and the
 *     next pte table (page_table_alloc, order 0) is page 3, directly below;
 *  3. a read fault at candidate + 32 KiB: the kernel allocates both
 *     (pmd_alloc, pte_alloc) and maps the zero page at entry 8 of the new
 *     pte table; entry 0 stays empty (0x400);
 *  4. a write fault at candidate + 1 MiB: a THP, entry 1 of the segment
 *     table (its deposited pte table is the upper half of page 3);
 *  5. under the pmd lock, the pre-fix call: pmdp_invalidate() with
 *     haddr + HPAGE_SIZE; then the THP pmd is set back (set_pmd_at), so the
 *     THP stays mapped and the only change is the one IDTE made.
 * The arrangement is checked at each step (the pages the kernel chose);
 * when this CPU's lists gave other pages, the next candidate is tried.
 */
#include "thpbug.h"

#define MIB		0x100000UL
#define FILLER		0x18000000000UL
#define FILLER_SEGS	64
#define CAND		0x10000000000UL
#define CAND_STEP	0x80000000UL
#define NCAND		4

/* 1: every later pte table is a new page (v6.1 page_table_alloc() takes a
 * free half from mm->context.pgtable_list first) */
static int use_up_pgtable_list(struct mm_struct *mm)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
	static int filler_next;
	int empty;

	for (;;) {
		spin_lock_bh(&mm->context.lock);
		empty = list_empty(&mm->context.pgtable_list);
		spin_unlock_bh(&mm->context.lock);
		if (empty)
			return 0;
		if (filler_next >= FILLER_SEGS ||
		    thpbug_fault(mm, FILLER + filler_next++ * MIB, 0))
			return -1;
	}
#else
	return 0;	/* v6.7+: one pte table per page, no list */
#endif
}

/* 2: pages 3..7 of an order-3 block at the head of this CPU's lists */
static struct page *stage_pages(void)
{
	struct page *b = alloc_pages(GFP_KERNEL, 3);
	int i;

	if (!b)
		return NULL;
	split_page(b, 3);
	for (i = 0; i < 3; i++)
		__free_page(b + i);
	/* an order-2 free wants the tail pages' counts at 0 */
	for (i = 5; i < 8; i++)
		set_page_count(b + i, 0);
	__free_pages(b + 4, 2);
	__free_page(b + 3);
	return b;
}

static int try_candidate(struct mm_struct *mm, unsigned long cand)
{
	struct vm_area_struct *vma;
	unsigned long haddr = cand + MIB, segpa, ptepa;
	struct page *b;
	pmd_t *pmdp, *thp_pmdp, old;
	spinlock_t *ptl;
	u64 before, after;

	if (thpbug_pmd(mm, cand)) {
		say("fail candidate %#lx already has a segment table", cand);
		return -1;
	}
	if (use_up_pgtable_list(mm)) {
		say("fail pgtable_list of the victim not used up");
		return -1;
	}
	b = stage_pages();
	if (!b) {
		say("fail no order-3 block");
		return -1;
	}
	if (thpbug_fault(mm, cand + 8 * PAGE_SIZE, 0) || !(pmdp = thpbug_pmd(mm, cand))) {
		say("fail read fault at %#lx", cand + 8 * PAGE_SIZE);
		return -1;
	}
	segpa = __pa(pmdp) & ~0x3fffUL;
	ptepa = pmd_val(*pmdp) & _SEGMENT_ENTRY_ORIGIN;
	say("step candidate %#lx: segment table %#lx, pte table %#lx (staged pages %#lx and %#lx)",
	    cand, segpa, ptepa, (unsigned long)page_to_phys(b + 4), (unsigned long)page_to_phys(b + 3));
	if (segpa != page_to_phys(b + 4) || ptepa != page_to_phys(b + 3)) {
		say("step candidate %#lx: the kernel chose other pages; next candidate", cand);
		return 1;
	}
	if (thpbug_fault(mm, haddr, 1) || !(thp_pmdp = thpbug_pmd(mm, haddr)) ||
	    !pmd_trans_huge(*thp_pmdp)) {
		say("fail no THP at %#lx", haddr);
		return -1;
	}
	vma = find_vma(mm, haddr);
	before = *(u64 *)__va(ptepa);
	say("step THP pmd at %#lx = %#llx; word at %#lx = %#llx", (unsigned long)__pa(thp_pmdp),
	    (unsigned long long)pmd_val(*thp_pmdp), ptepa, (unsigned long long)before);

	ptl = pmd_lock(mm, thp_pmdp);
	/* the pre-fix __split_huge_pmd_locked() call */
	old = pmdp_invalidate(vma, haddr + HPAGE_PMD_SIZE, thp_pmdp);
	set_pmd_at(mm, haddr, thp_pmdp, old);
	spin_unlock(ptl);

	after = *(u64 *)__va(ptepa);
	say("step pmdp_invalidate(vma, %#lx + HPAGE_SIZE): IDTE sto %#lx; THP pmd back to %#llx",
	    haddr, segpa + pmd_index(haddr) * 8 - pmd_index(haddr + HPAGE_PMD_SIZE) * 8,
	    (unsigned long long)pmd_val(*thp_pmdp));
	if (after == before) {
		say("fail word at %#lx unchanged (%#llx): no IDTE landed there", ptepa,
		    (unsigned long long)after);
		return -1;
	}
	say("truth sig=S390_PTE_ORED_SEG_INVALID pid=%d va=%#lx table_pa=%#lx index=0 pa=%#lx "
	    "old=%#llx new=%#llx segment_table=%#lx", pid, cand, ptepa, ptepa,
	    (unsigned long long)before, (unsigned long long)after, segpa);
	return 0;
}

static int __init idte_init(void)
{
	struct mm_struct *mm = thpbug_mm_of(pid);
	int i, r = -1;

	if (!mm) {
		say("fail no mm for pid %d", pid);
		say("done");
		return 0;
	}
	/* the staged pages are on this CPU's lists: stay on it */
	set_cpus_allowed_ptr(current, cpumask_of(smp_processor_id()));
	mmap_read_lock(mm);
	for (i = 0; i < NCAND; i++) {
		r = try_candidate(mm, CAND + i * CAND_STEP);
		if (r <= 0)
			break;
	}
	mmap_read_unlock(mm);
	mmput(mm);
	if (r > 0)
		say("fail the kernel never took the staged pages");
	say("done");
	return 0;
}

static void __exit idte_exit(void)
{
}

module_init(idte_init);
module_exit(idte_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("thpcheck bug lab: the 2016 IDTE wrong-address split bug");
