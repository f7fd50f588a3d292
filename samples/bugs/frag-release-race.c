/*
 * frag-release-race: the 2 KiB pte-table release race fixed by
 * c2c224932fd0 "s390/mm: fix 2KB pgtable release race" (v5.16).  A page
 * of two 2 KiB tables keeps per half an allocated bit A and a pending bit
 * P in the top byte of _refcount (arch/s390/mm/pgalloc.c).
 * page_table_free_rcu() turns A into P and, when the other half is in
 * use, puts the page back on mm->context.pgtable_list; P is cleared by
 * __tlb_remove_table() only after the grace period.  Before the fix,
 * page_table_alloc() looked at the A bits alone:
 *
 *     mask = atomic_read(&page->_refcount) >> 24;
 *     if ((mask & 3) != 3) {
 *             bit = mask & 1;          // =1 -> second 2K
 *             ...
 *             atomic_xor_bits(&page->_refcount, 1U << (bit + 24));
 *             list_del(&page->lru);
 *     }
 *
 * so it handed out the half still waiting for RCU: A and P both set
 * (0x13 / 0x23, "impossible" in the fix's own words), and when the grace
 * period ends the table is released while in use.  The fix checks
 * (mask | mask >> 4) & 3.
 *
 * The module holds RCU (so the pending halves stay pending), the victim
 * munmaps every odd MiB of its UNMAP region itself (the kernel's
 * free_pgtables() -> page_table_free_rcu(): pages with one half pending,
 * listed because the other half is in use), then the module runs the
 * pre-fix allocation body above, under mm->context.lock, on the first
 * listed page with a pending half.
 *
 * victim: unmap-odd
 */
#include "thpbug.h"

/* arch/s390/mm/pgalloc.c's own helper (static there) */
static inline unsigned int atomic_xor_bits(atomic_t *v, unsigned int bits)
{
	return atomic_fetch_xor(bits, v) ^ bits;
}

#define FRAG(m)	((atomic_read(&(m)->_refcount) >> 24) & 0xff)

static int check_set(const char *val, const struct kernel_param *kp)
{
	struct mm_struct *mm = thpbug_mm_of(pid);
	struct page *page, *hit = NULL;
	unsigned int mask, bit, before = 0;

	if (!mm) {
		say("fail no mm for pid %d", pid);
		goto done;
	}
	spin_lock_bh(&mm->context.lock);
	list_for_each_entry(page, &mm->context.pgtable_list, lru) {
		mask = FRAG(page);
		if (mask == 0x12 || mask == 0x21) {
			hit = page;
			break;
		}
	}
	if (hit) {
		/* the pre-fix page_table_alloc() on this page */
		before = atomic_read(&hit->_refcount);
		mask = FRAG(hit);
		if ((mask & 3) != 3) {
			bit = mask & 1;
			atomic_xor_bits(&hit->_refcount, 1U << (bit + 24));
			list_del(&hit->lru);
		}
	}
	spin_unlock_bh(&mm->context.lock);
	if (!hit)
		say("fail no listed page with one half pending and one in use");
	else
		say("truth sig=S390_FRAG_AA_PP pid=%d table_pa=%#lx index=-1 pa=%#lx old=%#x new=%#x",
		    pid, (unsigned long)page_to_phys(hit), (unsigned long)page_to_phys(hit), before,
		    (unsigned int)atomic_read(&hit->_refcount));
	mmput(mm);
done:
	say("done");
	return 0;
}
THPBUG_CHECK(check_set, "write 1 after the victim's munmap");

static int __init frr_init(void)
{
	thpbug_hold_rcu();
	return 0;
}
module_init(frr_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("thpcheck bug lab: pre-c2c224932fd0 allocation of a half pending RCU release");
