/*
 * legal-pending: no corruption.  Page tables the kernel has unlinked and
 * queued for freeing, caught before the grace period that frees them:
 * munmap() -> free_pgtables() -> pte_free_tlb()/pmd_free_tlb() ->
 * tlb_remove_table() (s390 v6.1 page_table_free_rcu() marks the 2 KiB half
 * pending first), and at tlb_finish_mmu() the batch goes to call_rcu()
 * (mm/mmu_gather.c tlb_remove_table_free(), CONFIG_MMU_GATHER_RCU_TABLE_FREE).
 * A dump taken then holds tables no entry references, with their pending
 * state in struct page, and the batch on a CPU's rcu_data.cblist: legal,
 * and thpcheck must count each one as in flight, not report it.
 *
 * victim: unmap
 *
 * The module (loaded by bug.sh with pid=VICTIM):
 *  1. records every pte table under the victim's UNMAP region (victim.c
 *     touched one page per MiB) and the pmd table holding them;
 *  2. holds RCU on another CPU (a kthread in rcu_read_lock() that never
 *     leaves: no grace period can end, so no RCU callback runs);
 * bug.sh then has the victim munmap the region itself and writes 1 to the
 * "check" parameter:
 *  3. v6.6+: retracts the empty pte table of the last HPAGE of TOUCH (the
 *     victim emptied it with MADV_DONTNEED) the way retract_page_tables()
 *     does after a file collapse (mm/khugepaged.c): pmd cleared and
 *     flushed under the pmd lock, then pte_free_defer(), which queues the
 *     table for pte_free_now() after a grace period;
 *  4. for each recorded table: its entry is now empty and its page still a
 *     page table (not yet freed), printed as a "pending" line; a table
 *     freed at once (tlb_remove_table_one(), no batch page) is only a step.
 *
 * x86_64: native x86 frees page tables through the mmu_gather's page
 * batch, not tlb_remove_table() (pv_ops.mmu.tlb_remove_table is
 * tlb_remove_page in v6.1, native_tlb_remove_table -> tlb_remove_page in
 * v6.12, arch/x86/kernel/paravirt.c): the munmap's tables are freed at
 * tlb_finish_mmu(), before the dump (steps "already freed"; a pte
 * table counts as unlinked when its pmd table is: the slots of a freed
 * pmd table are not read).  Only v6.6+ has a legal pending table there: step 3's
 * pte_free_defer() (legal-pending-kvm.c: the KVM guest's batch).  The x86
 * flush is flush_tlb_mm_range() (flush_tlb_range() is a macro over it,
 * not exported).
 *
 * kallsyms: pte_free_defer? flush_tlb_mm_range?
 */
#include "thpbug.h"
#ifdef CONFIG_X86
/* asm/tlbflush.h declares it for the kernel only (#ifndef MODULE) */
extern void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start,
			       unsigned long end, unsigned int stride_shift, bool freed_tables);
#endif

#define MIB		0x100000UL
#define UNMAP		0x1c000000000UL
#define UNMAP_LEN	(64 * MIB)
#define MAX_TABLES	128

THPBUG_SYM(pte_free_defer);
THPBUG_SYM(flush_tlb_mm_range);

/* flush_tlb_range() of a pmd's range (x86: flush_tlb_mm_range(), not
 * exported) */
static void __maybe_unused flush_pmd_range(struct mm_struct *mm, unsigned long a)
{
#ifdef CONFIG_X86
	void (*flush)(struct mm_struct *, unsigned long, unsigned long, unsigned int, bool) =
		(void *)sym_flush_tlb_mm_range;

	flush(mm, a, a + PMD_SIZE, PMD_SHIFT, true);
#else
	flush_tlb_range(find_vma(mm, a), a, a + PMD_SIZE);
#endif
}

static struct {
	unsigned long pa;
	pmd_t *entry;		/* the pmd that referenced it */
} tabs[MAX_TABLES];
static int ntabs;
static unsigned long pmd_table_pa;
static pud_t *pmd_table_entry;

static void record_tables(struct mm_struct *mm)
{
	unsigned long a;
	pmd_t *pmdp;

	for (a = UNMAP; a < UNMAP + UNMAP_LEN && ntabs < MAX_TABLES; a += PAGE_SIZE) {
		pmdp = thpbug_pmd(mm, a);
		if (!pmdp || pmd_none(*pmdp) || pmd_trans_huge(*pmdp))
			continue;
		if (!pmd_table_pa) {
			pud_t *pud = pud_offset(p4d_offset(pgd_offset(mm, a), a), a);

			pmd_table_entry = pud;
			pmd_table_pa = __pa(pmd_offset(pud, UNMAP & PUD_MASK));
		}
		if (ntabs && tabs[ntabs - 1].entry == pmdp)
			continue;
		tabs[ntabs].pa = __pa(pte_offset_kernel(pmdp, a & PMD_MASK));
		tabs[ntabs++].entry = pmdp;
	}
}

static void report(unsigned long pa, const char *level, int unlinked)
{
	struct page *pg = pfn_to_page(pa >> PAGE_SHIFT);

	if (!unlinked) {
		say("step %s table %#lx is still linked", level, pa);
		return;
	}
	if (!PageTable(pg) && (strcmp(level, "pmd") || IS_ENABLED(CONFIG_X86))) {
		say("step %s table %#lx already freed (no batch)", level, pa);
		return;
	}
	say("pending level=%s table_pa=%#lx refcount=%#x", level, pa,
	    (unsigned)atomic_read(&pg->_refcount));
}

/* 3: v6.6+ retract_page_tables(): pmdp_collapse_flush(), pte_free_defer() */
static void retract(void)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	void (*defer)(struct mm_struct *, pgtable_t) = (void *)sym_pte_free_defer;
	unsigned long a = VICTIM_TOUCH + 7 * PMD_SIZE, i;
	struct mm_struct *mm = thpbug_mm_of(pid);
	pmd_t *pmdp, old;
	spinlock_t *ptl;
	pte_t *ptep;

	if (!mm || !defer || (IS_ENABLED(CONFIG_X86) && !sym_flush_tlb_mm_range)) {
		say("fail no mm for pid %d or no pte_free_defer address", pid);
		return;
	}
	mmap_write_lock(mm);
	pmdp = thpbug_pmd(mm, a);
	if (!pmdp || pmd_none(*pmdp) || pmd_trans_huge(*pmdp)) {
		say("fail no pte table at %#lx", a);
		goto out;
	}
	ptep = pte_offset_kernel(pmdp, a);
	for (i = 0; i < PTRS_PER_PTE; i++)
		if (!pte_none(ptep[i])) {
			say("fail the pte table at %#lx is not empty", a);
			goto out;
		}
	ptl = pmd_lock(mm, pmdp);
	old = pmdp_huge_get_and_clear(mm, a, pmdp);
	flush_pmd_range(mm, a);
	spin_unlock(ptl);
	mm_dec_nr_ptes(mm);
	defer(mm, pmd_pgtable(old));
	tabs[ntabs].pa = __pa(ptep);
	tabs[ntabs++].entry = pmdp;
	say("step retracted pte table %#lx of %#lx: pte_free_defer()", (unsigned long)__pa(ptep), a);
out:
	mmap_write_unlock(mm);
	mmput(mm);
#endif
}


static int check_set(const char *val, const struct kernel_param *kp)
{
	int i;

	retract();

	for (i = 0; i < ntabs; i++)
		report(tabs[i].pa, "pte", (IS_ENABLED(CONFIG_X86) && pmd_table_entry &&
					   (__pa(tabs[i].entry) & PAGE_MASK) == pmd_table_pa &&
					   pud_none(*pmd_table_entry)) || pmd_none(*tabs[i].entry));
	if (pmd_table_pa)
		report(pmd_table_pa, "pmd", pud_none(*pmd_table_entry));
	say("done");
	return 0;
}
THPBUG_CHECK(check_set, "write 1 after the victim's munmap: report the pending tables");

static int __init pending_init(void)
{
	struct mm_struct *mm = thpbug_mm_of(pid);

	if (!mm) {
		say("fail no mm for pid %d", pid);
		return 0;
	}
	mmap_read_lock(mm);
	record_tables(mm);
	mmap_read_unlock(mm);
	mmput(mm);
	say("step %d pte tables under %#lx-%#lx, pmd table %#lx", ntabs, UNMAP,
	    UNMAP + UNMAP_LEN, pmd_table_pa);
	if (!ntabs) {
		say("fail no pte tables under the victim's UNMAP region");
		return 0;
	}
	thpbug_hold_rcu();
	return 0;
}
module_init(pending_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("thpcheck bug lab: page tables queued for RCU freeing at the dump");
