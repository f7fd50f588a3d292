/*
 * Shared by the bug-lab modules (samples/bugs/SCENARIO.c): find the live process
 * a scenario works on, walk to its entries with the kernel's own helpers,
 * and print the ground truth.
 *
 * Every line a module prints for the host starts with "THPBUG " (dmesg;
 * bug.sh copies them to the console, make-bug.sh into the manifest):
 *   THPBUG step TEXT              what the module did, in order
 *   THPBUG truth key=value ...    one corruption the kernel wrote, read
 *                                 back in the guest (sig, table_pa, index,
 *                                 pa, old, new, ...)
 *   THPBUG pending key=value ...  one table the kernel has queued for
 *                                 freeing (legal-pending)
 *   THPBUG fail TEXT              the scenario could not be arranged
 *   THPBUG done                   the last line
 */
#ifndef THPBUG_H
#define THPBUG_H
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/pfn.h>
#include <linux/version.h>

#define say(fmt, ...) pr_info("THPBUG " fmt "\n", ##__VA_ARGS__)

/* an unexported kernel function, its address from /proc/kallsyms passed
 * by bug.sh as sym_NAME= (the module's " * kallsyms: NAME" line) */
#define THPBUG_SYM(name) \
	static unsigned long sym_##name; \
	module_param(sym_##name, ulong, 0444); \
	MODULE_PARM_DESC(sym_##name, "address of " #name " (/proc/kallsyms)")

/* the module's second half, run when bug.sh writes the "check" parameter
 * (after the victim acted, see bug.sh) */
#define THPBUG_CHECK(fn, desc) \
	static const struct kernel_param_ops check_ops = { .set = fn }; \
	module_param_cb(check, &check_ops, NULL, 0200); \
	MODULE_PARM_DESC(check, desc)

/* the victim's pid, which every scenario takes */
static int pid;
module_param(pid, int, 0444);
MODULE_PARM_DESC(pid, "pid of samples/bugs/victim");

/* victim.c's regions */
#define VICTIM_TOUCH	0x1a000000000UL
#define VICTIM_HUGE	0x1a040000000UL
#define VICTIM_THP2	0x1b000000000UL
#define VICTIM_COLL	0x1d000000000UL
#define VICTIM_CONT64K	0x1e000000000UL

/* the mm of a process (reference taken: mmput() it) */
static inline struct mm_struct *thpbug_mm_of(int pid)
{
	struct pid *p = find_get_pid(pid);
	struct task_struct *t;
	struct mm_struct *mm;

	if (!p)
		return NULL;
	t = get_pid_task(p, PIDTYPE_PID);
	put_pid(p);
	if (!t)
		return NULL;
	mm = get_task_mm(t);
	put_task_struct(t);
	return mm;
}

/* the pmd entry of addr, or NULL where an upper level is empty */
static inline pmd_t *thpbug_pmd(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;

	if (pgd_none(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud))
		return NULL;
	return pmd_offset(pud, addr);
}

/* a fault in the process's VMA, as its own access would make it (the
 * caller holds its mmap_lock for reading) */
static inline int thpbug_fault(struct mm_struct *mm, unsigned long addr, int write)
{
	struct vm_area_struct *vma = find_vma(mm, addr);
	vm_fault_t r;

	if (!vma || vma->vm_start > addr)
		return -EFAULT;
	r = handle_mm_fault(vma, addr, FAULT_FLAG_REMOTE | (write ? FAULT_FLAG_WRITE : 0), NULL);
	return (r & VM_FAULT_ERROR) ? -EFAULT : 0;
}

/* the second table of the THP deposit ring of pmdp's table, threaded
 * through the first two words of each deposited table (s390
 * pgtable_trans_huge_deposit(), ppc64 radix__pgtable_trans_huge_deposit()),
 * headed by pmd_huge_pte; NULL when the ring holds fewer than two.  Under
 * the pmd lock. */
static inline pgtable_t thpbug_ring_second(struct mm_struct *mm, pmd_t *pmdp, pgtable_t *head)
{
	pgtable_t second;

	*head = pmd_huge_pte(mm, pmdp);
	if (!*head)
		return NULL;
	second = (pgtable_t)((struct list_head *)*head)->next;
	return second == *head ? NULL : second;
}

/* a reader that never leaves, on another CPU: no RCU grace period ends,
 * so tables queued for freeing (tlb_remove_table(), call_rcu()) stay
 * queued until the dump */
static int thpbug_rcu_reader(void *unused)
{
	rcu_read_lock();
	for (;;)
		cpu_relax();
	return 0;
}

static inline int thpbug_hold_rcu(void)
{
	unsigned int cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	struct task_struct *t;

	if (cpu >= nr_cpu_ids) {
		say("fail one CPU only: nothing can hold RCU");
		return -1;
	}
	t = kthread_create(thpbug_rcu_reader, NULL, "thpbug-rcu-hold");
	if (IS_ERR(t)) {
		say("fail kthread_create");
		return -1;
	}
	kthread_bind(t, cpu);
	wake_up_process(t);
	msleep(100);
	say("step RCU held on CPU %u (pid %d)", cpu, t->pid);
	return 0;
}
#endif
