/*
 * Legal in-flight states.  A dump taken at a random instant of a busy
 * system, or at panic, catches the kernel between two steps of an update
 * that is legal as a whole: munmap has taken the VMAs out of the tree but
 * not yet zapped their ptes, mprotect has set the new vm_flags but not yet
 * write-protected the ptes, exit_mmap is tearing the mm down, a pte table
 * is allocated but not yet installed.  A check that would call such a
 * state corruption asks here first; the state is exempted only when the
 * dump holds the evidence of the operation in flight:
 *
 *   munmap      a VMA of this mm that covers the address, detached from
 *               mm->mm_mt, reachable from the kernel stack of a task of the
 *               mm (the munmap side tree "mt_detach" lives on that stack:
 *               v6.1 mm/mmap.c do_vmi_align_munmap(), v6.12 mm/vma.c
 *               vms_gather_munmap_vmas()), with mmap_lock held (write, or
 *               read after mmap_write_downgrade())
 *   vma-write   the VMA that covers the address is referenced from the
 *               kernel stack of the task that holds mmap_lock for write
 *               (rw_semaphore owner): mprotect_fixup() sets vm_flags before
 *               change_protection() (v6.1 and v6.12 mm/mprotect.c),
 *               __split_vma()/vma_adjust_trans_huge() move VMA bounds
 *   mm-exit     mm_users == 0: exit_mmap() unmaps and frees under the
 *               mmap_lock of an mm no task uses any more (kernel/fork.c
 *               mmput)
 *   table-alloc a page table no entry references whose address is on a
 *               kernel stack: allocated and not yet installed (THP fault:
 *               pte_alloc_one() before pgtable_trans_huge_deposit();
 *               MADV_COLLAPSE: detached by pmdp_collapse_flush() before it
 *               is deposited again, mm/khugepaged.c)
 *   table-free  a page table no entry references that sits in the
 *               mmu_gather batch of a task (its struct mmu_gather on the
 *               stack, tlb->batch->tables[]), or in a batch already handed
 *               to RCU (a callback tlb_remove_table_rcu on a CPU's
 *               rcu_data.cblist): unlinked by free_pgtables(), freed only
 *               after the TLB flush and a grace period (mm/mmu_gather.c
 *               tlb_remove_table(), tlb_table_flush()); or a pte table
 *               whose ptdesc.pt_rcu_head is on a cblist with pte_free_now
 *               (v6.6+ pte_free_defer(): retract_page_tables() in
 *               mm/khugepaged.c)
 *
 * Evidence is read lazily (the first time a check asks for an mm) and
 * kept for the mm being walked.  Kernel stacks are scanned whole: words
 * below a task's stack pointer are not told apart from live frames, so a
 * stale pointer could count; the lock condition makes that unlikely.
 */
#include <stdlib.h>
#include <string.h>
#include "tc.h"

const char *const tc_inflight_names[TC_IF_N] = {
	[TC_IF_MUNMAP] = "munmap",
	[TC_IF_VMA_WRITE] = "vma-write",
	[TC_IF_MM_EXIT] = "mm-exit",
	[TC_IF_TABLE_ALLOC] = "table-alloc",
	[TC_IF_TABLE_FREE] = "table-free",
	[TC_IF_PMD_UPDATE] = "pmd-update",
};

/* include/linux/rwsem.h (v5.3+): count bit 0, owner low bits flags */
#define RWSEM_WRITER_LOCKED	1ULL
#define RWSEM_OWNER_FLAGS_MASK	7ULL
/* include/linux/maple_tree.h: a root node's parent is the tree | 1 */
#define MA_ROOT_PARENT		1ULL
#define MAPLE_NODE_MASK		255ULL

#define TC_MAX_STACK_BYTES	(1u << 16)
/* the "pid" of a table held by no task: waiting for RCU in an
 * mmu_table_batch, or queued by pte_free_defer() */
#define PID_RCU_BATCH		(-1)
#define PID_RCU_DEFERRED	(-2)

struct tc_task {
	uint64_t task, mm, stack;
	int pid;
};

/* a VMA of the mm walked now, not in its tree, found from a task's stack */
struct detached {
	struct tc_vma v;
	int pid;
};

/* a table waiting for RCU, and whether stats.in_flight has it already */
struct rcu_table {
	uint64_t addr;
	int counted;
};

struct tc_inflight {
	int tried;		/* offsets and the task list looked up */
	int usable;		/* ... and found */
	char why[160];		/* why not (said once) */
	long off_stack, off_signal, off_thread_head, off_thread_node;
	long off_mm_users, off_lock_count, off_lock_owner, off_vm_mm;
	long off_tlb_mm, off_tlb_batch, off_batch_nr, off_batch_tables;
	/* tables in batches waiting for RCU, read once */
	int rcu_loaded;
	struct rcu_table *rcu;		/* batch slots: kernel addresses */
	size_t nrcu, caprcu;
	/* pte tables waiting for pte_free_now() (pte_free_defer()):
	 * physical addresses */
	struct rcu_table *deferred;
	size_t ndeferred, capdeferred;
	long stack_bytes;
	struct tc_task *tasks;
	size_t ntasks, captasks;
	/* evidence for the mm walked now */
	uint64_t mm;
	int mm_loaded;
	uint64_t users, lock_count, lock_owner;
	/* the last VMA looked for on the write-lock owner's stack (a range
	 * of ptes asks about the same VMA, one read of the stack will do) */
	uint64_t asked_vma;
	int asked_hit;
	struct detached *detached;	/* VMAs reachable from the mm's stacks */
	size_t ndetached, capdetached;
	/* the last state counted, to list one line per range with -v */
	int last_kind;
	uint64_t last_mm, last_vma, last_start, last_end, last_n;
	int last_pid;
};

static int resolve(struct tc_ctx *c, struct tc_inflight *f)
{
	f->off_stack = tc_off(c, "task_struct", "stack");
	f->off_signal = tc_off(c, "task_struct", "signal");
	f->off_thread_node = tc_off(c, "task_struct", "thread_node");
	f->off_thread_head = tc_off(c, "signal_struct", "thread_head");
	f->off_mm_users = tc_off(c, "mm_struct", "mm_users");
	f->off_lock_count = tc_off(c, "mm_struct", "mmap_lock.count");
	f->off_lock_owner = tc_off(c, "mm_struct", "mmap_lock.owner");
	f->off_vm_mm = tc_off(c, "vm_area_struct", "vm_mm");
	/* CONFIG_MMU_GATHER_TABLE_FREE (include/asm-generic/tlb.h) */
	f->off_tlb_mm = tc_off(c, "mmu_gather", "mm");
	f->off_tlb_batch = tc_off(c, "mmu_gather", "batch");
	f->off_batch_nr = tc_off(c, "mmu_table_batch", "nr");
	f->off_batch_tables = tc_off(c, "mmu_table_batch", "tables");
	/* THREAD_SIZE: a thread_union is exactly one kernel stack; where the
	 * type is not in the debuginfo (x86_64, v6.12: no user of it), the
	 * init stack's bounds from include/asm-generic/vmlinux.lds.h
	 * INIT_TASK_DATA: __end_init_stack, __end_init_task before the
	 * rename (v6.1) */
	f->stack_bytes = c->be->type_size(c->be->priv, "thread_union");
	if (f->stack_bytes <= 0) {
		uint64_t lo, hi;

		if (c->be->symbol(c->be->priv, "init_stack", &lo) == 0 &&
		    (c->be->symbol(c->be->priv, "__end_init_stack", &hi) == 0 ||
		     c->be->symbol(c->be->priv, "__end_init_task", &hi) == 0) && hi > lo)
			f->stack_bytes = (long)(hi - lo);
	}
	if (f->off_stack < 0 || f->off_signal < 0 || f->off_thread_node < 0 ||
	    f->off_thread_head < 0 || f->off_vm_mm < 0 || f->stack_bytes <= 0 ||
	    f->stack_bytes > TC_MAX_STACK_BYTES) {
		snprintf(f->why, sizeof(f->why), "debuginfo lacks the task stack, thread list or vm_mm layout");
		return -1;
	}
	return 0;
}

static void add_task(struct tc_ctx *c, struct tc_inflight *f, uint64_t task)
{
	struct tc_task *t;
	uint32_t pid;

	if (tc_grow((void **)&f->tasks, &f->captasks, f->ntasks, sizeof(*f->tasks)) < 0)
		return;
	t = &f->tasks[f->ntasks];
	if (tc_rd64(c, task + c->off.task_mm, &t->mm) < 0 ||
	    tc_rd64(c, task + f->off_stack, &t->stack) < 0 ||
	    tc_rd32(c, task + c->off.task_pid, &pid) < 0)
		return;
	t->task = task;
	t->pid = (int)pid;
	f->ntasks++;
}

/* every thread of a thread group: signal->thread_head, task->thread_node */
static void add_threads(struct tc_ctx *c, struct tc_inflight *f, uint64_t leader)
{
	uint64_t sig, head, pos;
	struct tc_cycle cy;
	size_t n = 0;

	if (tc_rd64(c, leader + f->off_signal, &sig) < 0 || !sig) {
		add_task(c, f, leader);
		return;
	}
	head = sig + f->off_thread_head;
	if (tc_rd64(c, head, &pos) < 0)
		return;
	tc_cycle_init(&cy, head);
	while (pos != head && n++ < c->opts.max_tasks && !tc_cycle_step(&cy, pos)) {
		add_task(c, f, pos - f->off_thread_node);
		if (tc_rd64(c, pos, &pos) < 0)
			break;
	}
}

static void load_tasks(struct tc_ctx *c, struct tc_inflight *f)
{
	uint64_t head = c->init_task + c->off.task_tasks, pos;
	struct tc_cycle cy;
	size_t n = 0;

	add_task(c, f, c->init_task);
	if (tc_rd64(c, head, &pos) < 0)
		return;
	tc_cycle_init(&cy, head);
	while (pos != head && n++ < c->opts.max_tasks && !tc_cycle_step(&cy, pos)) {
		add_threads(c, f, pos - c->off.task_tasks);
		if (tc_rd64(c, pos, &pos) < 0)
			break;
	}
}

/* quiet: a failure to read the evidence is said only with -v (the RCU
 * listing after the checks, which no finding waits for) */
static struct tc_inflight *state_of(struct tc_ctx *c, int quiet)
{
	struct tc_inflight *f = c->inflight;

	if (!f) {
		f = calloc(1, sizeof(*f));
		if (!f)
			return NULL;
		c->inflight = f;
	}
	if (!f->tried) {
		f->tried = 1;
		if (resolve(c, f) == 0) {
			load_tasks(c, f);
			f->usable = f->ntasks > 0;
			if (!f->usable)
				snprintf(f->why, sizeof(f->why), "no task could be read");
		}
		/* the states it would have exempted stay findings: say why */
		if (!f->usable && (!quiet || c->opts.verbose))
			fprintf(c->opts.verbose ? c->opts.out : stderr,
				"thpcheck: legal in-flight states not recognised: %s\n", f->why);
	}
	return f;
}

static struct tc_inflight *state(struct tc_ctx *c)
{
	return state_of(c, 0);
}

/* one task's kernel stack into buf (stack_bytes); 0 or -1 */
static int read_stack(struct tc_ctx *c, struct tc_inflight *f,
		      const struct tc_task *t, unsigned char *buf)
{
	return t->stack ? tc_read_kv(c, t->stack, buf, (size_t)f->stack_bytes) : -1;
}

static int vma_known(const struct tc_inflight *f, uint64_t vma)
{
	size_t i;

	for (i = 0; i < f->ndetached; i++)
		if (f->detached[i].v.addr == vma)
			return 1;
	return 0;
}

static int in_tree(const struct tc_ctx *c, uint64_t vma)
{
	size_t i;

	for (i = 0; i < c->nvmas; i++)
		if (c->vmas[i].addr == vma)
			return 1;
	return 0;
}

/* a vm_area_struct of mm at addr: start, end, flags; 0 or -1 */
static int read_mm_vma(struct tc_ctx *c, struct tc_inflight *f, uint64_t addr,
		       uint64_t mm, struct tc_vma *v)
{
	uint64_t vm_mm, page_mask = (1ULL << c->page_shift) - 1;

	/* VMA bounds are page aligned (mm/mmap.c do_mmap: PAGE_ALIGN) */
	if ((addr & 7) || addr < 4096 || tc_rd64(c, addr + f->off_vm_mm, &vm_mm) < 0 ||
	    vm_mm != mm ||
	    tc_rd64(c, addr + c->off.vma_start, &v->start) < 0 ||
	    tc_rd64(c, addr + c->off.vma_end, &v->end) < 0 ||
	    tc_rd64(c, addr + c->off.vma_flags, &v->flags) < 0 ||
	    v->start >= v->end || (v->start & page_mask) || (v->end & page_mask))
		return -1;
	v->addr = addr;
	return 0;
}

static void add_detached(struct tc_ctx *c, struct tc_inflight *f, uint64_t addr,
			 uint64_t mm, int pid)
{
	struct tc_vma v;

	if (vma_known(f, addr) || read_mm_vma(c, f, addr, mm, &v) < 0)
		return;
	if (tc_grow((void **)&f->detached, &f->capdetached, f->ndetached, sizeof(*f->detached)) < 0)
		return;
	f->detached[f->ndetached].v = v;
	f->detached[f->ndetached++].pid = pid;
}

/*
 * A word of a task's stack that is a maple-tree root node whose tree
 * lives on that same stack: a side tree of detached VMAs (mt_detach).
 * Its leaves are walked with the mm tree's own reader (vma.c).
 */
static void add_side_tree(struct tc_ctx *c, struct tc_inflight *f, uint64_t enode,
			  uint64_t stack, uint64_t mm, int pid)
{
	uint64_t parent, *leaves = NULL;
	size_t n = 0, i;

	if ((enode & 2) != 2 || enode < 4096 ||
	    tc_rd64(c, enode & ~MAPLE_NODE_MASK, &parent) < 0 ||
	    !(parent & MA_ROOT_PARENT) ||
	    (parent & ~MAPLE_NODE_MASK) < stack ||
	    (parent & ~MAPLE_NODE_MASK) >= stack + (uint64_t)f->stack_bytes)
		return;
	if (tc_maple_leaves(c, enode, &leaves, &n) < 0)
		return;
	for (i = 0; i < n; i++)
		add_detached(c, f, leaves[i], mm, pid);
	free(leaves);
}

static void scan_mm_stacks(struct tc_ctx *c, struct tc_inflight *f, uint64_t mm)
{
	unsigned char *buf = malloc((size_t)f->stack_bytes);
	size_t i, w;

	if (!buf)
		return;
	for (i = 0; i < f->ntasks; i++) {
		const struct tc_task *t = &f->tasks[i];

		if (t->mm != mm || read_stack(c, f, t, buf) < 0)
			continue;
		for (w = 0; w + 8 <= (size_t)f->stack_bytes; w += 8) {
			uint64_t v = tc_load64(c, buf + w);

			if (v < 4096)
				continue;
			/* a VMA is a slab object, never on a stack: a
			 * pointer into the stack is a frame or a local */
			if (v >= t->stack && v < t->stack + (uint64_t)f->stack_bytes)
				continue;
			if ((v & 3) == 2)
				add_side_tree(c, f, v, t->stack, mm, t->pid);
			else if (!(v & 7) && !in_tree(c, v))
				add_detached(c, f, v, mm, t->pid);
		}
	}
	free(buf);
}

static void load_mm(struct tc_ctx *c, struct tc_inflight *f, uint64_t mm)
{
	uint32_t users;

	f->mm = mm;
	f->mm_loaded = 1;
	f->ndetached = 0;
	f->users = 1;
	f->lock_count = f->lock_owner = 0;
	f->asked_vma = 0;
	if (f->off_mm_users >= 0 && tc_rd32(c, mm + f->off_mm_users, &users) == 0)
		f->users = users;
	if (f->off_lock_count >= 0)
		tc_rd64(c, mm + f->off_lock_count, &f->lock_count);
	if (f->off_lock_owner >= 0)
		tc_rd64(c, mm + f->off_lock_owner, &f->lock_owner);
	scan_mm_stacks(c, f, mm);
}

static const struct tc_task *task_at(const struct tc_inflight *f, uint64_t task)
{
	size_t i;

	for (i = 0; i < f->ntasks; i++)
		if (f->tasks[i].task == task)
			return &f->tasks[i];
	return NULL;
}

/* whether task t's kernel stack (read into buf, stack_bytes long) holds
 * an 8-byte aligned word in [lo, hi): a pointer to a VMA (a slab object)
 * or to a table entry */
static int stack_holds(struct tc_ctx *c, struct tc_inflight *f,
		       const struct tc_task *t, unsigned char *buf,
		       uint64_t lo, uint64_t hi)
{
	size_t w;

	if (read_stack(c, f, t, buf) < 0)
		return 0;
	for (w = 0; w + 8 <= (size_t)f->stack_bytes; w += 8) {
		uint64_t v = tc_load64(c, buf + w);

		if (v >= lo && v < hi && !(v & 7))
			return 1;
	}
	return 0;
}

/* -v: one line per range of entries exempted for the same reason, with
 * the evidence */
static void flush_line(struct tc_ctx *c, struct tc_inflight *f)
{
	FILE *o = c->opts.out;

	if (!f->last_n || !c->opts.verbose) {
		f->last_n = 0;
		return;
	}
	fprintf(o, "  in flight: %s: ", tc_inflight_names[f->last_kind]);
	if (f->last_mm)
		fprintf(o, "mm %#llx ", (unsigned long long)f->last_mm);
	if (f->last_kind == TC_IF_TABLE_FREE && f->last_pid == PID_RCU_DEFERRED) {
		fprintf(o, "table %#llx, referenced by no entry, waits for RCU to free it "
			"(pte_free_defer -> pte_free_now)", (unsigned long long)f->last_start);
	} else if (f->last_kind == TC_IF_TABLE_FREE && f->last_pid == PID_RCU_BATCH) {
		fprintf(o, "table %#llx, referenced by no entry, is in an mmu_table_batch "
			"waiting for RCU (tlb_remove_table_rcu)", (unsigned long long)f->last_start);
	} else if (f->last_kind == TC_IF_PMD_UPDATE) {
		fprintf(o, "deposit ring of table %#llx one off its THP pmds: its pmd lock "
			"is held and pid %d has an entry of the table on its kernel stack",
			(unsigned long long)f->last_start, f->last_pid);
	} else if (f->last_kind == TC_IF_TABLE_ALLOC || f->last_kind == TC_IF_TABLE_FREE) {
		fprintf(o, "table %#llx, referenced by no entry, is %s of pid %d",
			(unsigned long long)f->last_start,
			f->last_kind == TC_IF_TABLE_FREE ? "in the mmu_gather batch" :
			"on the kernel stack", f->last_pid);
	} else {
		fprintf(o, "%#llx-%#llx (%llu entr%s): ", (unsigned long long)f->last_start,
			(unsigned long long)f->last_end, (unsigned long long)f->last_n,
			f->last_n == 1 ? "y" : "ies");
		if (f->last_kind == TC_IF_MUNMAP)
			fprintf(o, "VMA %#llx, not in the mm's tree, is reachable from the "
				"kernel stack of pid %d; mmap_lock held",
				(unsigned long long)f->last_vma, f->last_pid);
		else if (f->last_kind == TC_IF_VMA_WRITE)
			fprintf(o, "VMA %#llx is on the kernel stack of pid %d, which holds "
				"mmap_lock for write", (unsigned long long)f->last_vma, f->last_pid);
		else
			fprintf(o, "mm_users is 0 (exit_mmap)");
	}
	fputc('\n', o);
	f->last_n = 0;
}

static void count(struct tc_ctx *c, struct tc_inflight *f, uint64_t mm, int kind,
		  uint64_t va, uint64_t size, uint64_t vma, int pid)
{
	c->stats.in_flight[kind]++;
	/* a range of entries (size > 0) extends the last line; a table is
	 * a line of its own */
	if (f->last_n && size && f->last_kind == kind &&
	    f->last_mm == mm && f->last_vma == vma && va == f->last_end) {
		f->last_end = va + size;
		f->last_n++;
		return;
	}
	flush_line(c, f);
	f->last_kind = kind;
	f->last_mm = mm;
	f->last_vma = vma;
	f->last_pid = pid;
	f->last_start = va;
	f->last_end = va + size;
	f->last_n = 1;
}

int tc_inflight_mapping(struct tc_ctx *c, const struct tc_mm_stats *m,
			uint64_t va, uint64_t size, const struct tc_vma *vma)
{
	struct tc_inflight *f = state(c);
	uint64_t mm = m ? m->mm : 0;
	size_t i;

	if (!f || !f->usable || !mm)
		return 0;
	if (!f->mm_loaded || f->mm != mm)
		load_mm(c, f, mm);
	if (f->users == 0) {
		count(c, f, mm, TC_IF_MM_EXIT, va, size, 0, -1);
		return 1;
	}
	if (!f->lock_count)
		return 0;	/* nobody holds mmap_lock: nothing is in flight */
	if (!vma) {
		for (i = 0; i < f->ndetached; i++) {
			const struct detached *d = &f->detached[i];

			if (d->v.start <= va && va + size <= d->v.end) {
				count(c, f, mm, TC_IF_MUNMAP, va, size, d->v.addr, d->pid);
				return 1;
			}
		}
		return 0;
	}
	if (f->lock_count & RWSEM_WRITER_LOCKED) {
		const struct tc_task *owner = task_at(f, f->lock_owner & ~RWSEM_OWNER_FLAGS_MASK);

		if (owner && owner->mm == mm && f->asked_vma != vma->addr) {
			unsigned char *buf = malloc((size_t)f->stack_bytes);

			f->asked_vma = vma->addr;
			f->asked_hit = buf && stack_holds(c, f, owner, buf, vma->addr,
							  vma->addr + 1);
			free(buf);
		}
		if (owner && owner->mm == mm && f->asked_hit) {
			count(c, f, mm, TC_IF_VMA_WRITE, va, size, vma->addr, owner->pid);
			return 1;
		}
	}
	return 0;
}

/* fragments are told apart by their granule: a tagged pointer
 * (tlb_remove_table() of ppc64 ORs the level into the low bits) counts */
struct held {
	uint64_t lo, hi, gran, page_pa;
	uint64_t seen[64];
	int kind[64], pid[64];
	size_t n;
};

static void hold(struct tc_ctx *c, struct held *h, uint64_t v, int kind, int pid)
{
	uint64_t frag;
	size_t i;

	if (v < h->lo || v >= h->hi)
		return;
	frag = v & ~(h->gran - 1);
	for (i = 0; i < h->n; i++)
		if (h->seen[i] == frag)
			return;
	/* a fragment some entry references is not in flight */
	if (h->n >= 64 || tc_referrers(c, h->page_pa + (frag - h->lo), NULL, 0))
		return;
	h->kind[h->n] = kind;
	h->pid[h->n] = pid;
	h->seen[h->n++] = frag;
}

#define TC_MAX_RCU_CALLBACKS	(1u << 20)
#define TC_MAX_CPUS		4096

/* the low bits of a batch slot tag the table, not its address: s390
 * v6.1 the 2 KiB half (arch/s390/mm/pgalloc.c page_table_free_rcu()),
 * ppc64 the table's index size (arch/powerpc/include/asm/book3s/64/
 * pgalloc.h pgtable_free_tlb(), MAX_PGTABLE_INDEX_SIZE 0xf) */
#define RCU_SLOT_TAGS	0xfULL

static void mark_rcu_counted(struct tc_inflight *f, uint64_t frag, uint64_t gran,
			     uint64_t frag_pa)
{
	size_t i;

	for (i = 0; i < f->nrcu; i++)
		if ((f->rcu[i].addr & ~(gran - 1)) == frag)
			f->rcu[i].counted = 1;
	for (i = 0; i < f->ndeferred; i++)
		if (f->deferred[i].addr == frag_pa)
			f->deferred[i].counted = 1;
}

static void add_rcu_table(struct rcu_table **v, size_t *n, size_t *cap, uint64_t addr)
{
	if (tc_grow((void **)v, cap, *n, sizeof(**v)) == 0)
		(*v)[(*n)++] = (struct rcu_table){ addr, 0 };
}

/* the page table of a struct ptdesc (a struct page) in vmemmap */
static void deferred_table(struct tc_ctx *c, struct tc_inflight *f, uint64_t page)
{
	uint64_t pa = tc_pa_of_page(c, page);

	if (pa != TC_NO_ADDR)
		add_rcu_table(&f->deferred, &f->ndeferred, &f->capdeferred, pa);
}

static void rcu_batch(struct tc_ctx *c, struct tc_inflight *f, uint64_t batch)
{
	uint32_t nr, i;
	uint64_t v;

	if (tc_rd32(c, batch + f->off_batch_nr, &nr) < 0 || nr > 4096)
		return;
	for (i = 0; i < nr; i++)
		if (tc_rd64(c, batch + f->off_batch_tables + 8ULL * i, &v) == 0)
			add_rcu_table(&f->rcu, &f->nrcu, &f->caprcu, v);
}

/*
 * The mmu_table_batches queued for RCU: every CPU's rcu_data.cblist
 * (per-CPU address: &rcu_data + __per_cpu_offset[cpu]), the callbacks
 * whose func is tlb_remove_table_rcu; the batch holds its rcu_head.
 */
static void load_rcu_batches(struct tc_ctx *c, struct tc_inflight *f)
{
	uint64_t rd, pcpu, func, off, node, deferfn = 0;
	long o_head = tc_off(c, "rcu_data", "cblist.head");
	long o_pt_rcu = tc_off(c, "ptdesc", "pt_rcu_head");
	long o_next = tc_off(c, "callback_head", "next");
	long o_func = tc_off(c, "callback_head", "func");
	long o_rcu = tc_off(c, "mmu_table_batch", "rcu");
	uint32_t ncpu, cpu;
	size_t n = 0;

	f->rcu_loaded = 1;
	if (o_head < 0 || o_next < 0 || o_func < 0 || o_rcu < 0 || f->off_batch_nr < 0 ||
	    f->off_batch_tables < 0 ||
	    c->be->symbol(c->be->priv, "rcu_data", &rd) < 0 ||
	    c->be->symbol(c->be->priv, "__per_cpu_offset", &pcpu) < 0 ||
	    c->be->symbol(c->be->priv, "tlb_remove_table_rcu", &func) < 0 ||
	    c->be->symbol(c->be->priv, "nr_cpu_ids", &node) < 0 ||
	    tc_rd32(c, node, &ncpu) < 0)
		return;
	/* v6.6+ pte_free_defer() (mm/pgtable-generic.c, s390: arch/s390/mm/
	 * pgalloc.c): call_rcu(&ptdesc->pt_rcu_head, pte_free_now) */
	if (o_pt_rcu >= 0 &&
	    c->be->symbol(c->be->priv, "pte_free_now", &deferfn) < 0)
		deferfn = 0;
	for (cpu = 0; cpu < ncpu && cpu < TC_MAX_CPUS; cpu++) {
		struct tc_cycle cy;
		uint64_t fn;

		if (tc_rd64(c, pcpu + 8ULL * cpu, &off) < 0 ||
		    tc_rd64(c, rd + off + (uint64_t)o_head, &node) < 0)
			continue;
		tc_cycle_init(&cy, 0);
		while (node && n++ < TC_MAX_RCU_CALLBACKS && !tc_cycle_step(&cy, node)) {
			if (tc_rd64(c, node + (uint64_t)o_func, &fn) == 0 && fn == func)
				rcu_batch(c, f, node - (uint64_t)o_rcu);
			else if (deferfn && fn == deferfn)
				deferred_table(c, f, node - (uint64_t)o_pt_rcu);
			if (tc_rd64(c, node + (uint64_t)o_next, &node) < 0)
				break;
		}
	}
}

/* the tables[] of the mmu_gather whose mm field is the stack word at
 * buf[w] (the struct lives on the stack: tlb_gather_mmu()) */
static void hold_batch(struct tc_ctx *c, struct tc_inflight *f, struct held *h,
		       const struct tc_task *t, uint64_t tlb_addr)
{
	uint64_t batch, v;
	uint32_t nr, i;

	if (f->off_tlb_batch < 0 || f->off_batch_nr < 0 || f->off_batch_tables < 0 ||
	    tc_rd64(c, tlb_addr + f->off_tlb_batch, &batch) < 0 || !batch ||
	    tc_rd32(c, batch + f->off_batch_nr, &nr) < 0 || nr > 4096)
		return;
	for (i = 0; i < nr; i++)
		if (tc_rd64(c, batch + f->off_batch_tables + 8ULL * i, &v) == 0)
			hold(c, h, v, TC_IF_TABLE_FREE, t->pid);
}

int tc_inflight_fragments(struct tc_ctx *c, uint64_t page_pa, uint64_t kva, uint64_t bytes,
			  uint64_t gran, uint64_t mm, unsigned excess)
{
	struct tc_inflight *f = state(c);
	struct held h = { .lo = kva, .hi = kva + bytes, .gran = gran, .page_pa = page_pa };
	unsigned char *buf;
	size_t i, w;

	if (!f || !f->usable || !excess || !gran || (gran & (gran - 1)))
		return 0;
	if (!f->rcu_loaded)
		load_rcu_batches(c, f);
	for (i = 0; i < f->nrcu; i++)
		hold(c, &h, f->rcu[i].addr, TC_IF_TABLE_FREE, PID_RCU_BATCH);
	for (i = 0; i < f->ndeferred; i++)
		if (f->deferred[i].addr >= page_pa && f->deferred[i].addr < page_pa + bytes)
			hold(c, &h, kva + (f->deferred[i].addr - page_pa), TC_IF_TABLE_FREE,
			     PID_RCU_DEFERRED);
	buf = malloc((size_t)f->stack_bytes);
	if (!buf)
		return 0;
	for (i = 0; i < f->ntasks && h.n < excess; i++) {
		const struct tc_task *t = &f->tasks[i];

		if (read_stack(c, f, t, buf) < 0)
			continue;
		for (w = 0; w + 8 <= (size_t)f->stack_bytes; w += 8) {
			uint64_t v = tc_load64(c, buf + w);

			hold(c, &h, v, TC_IF_TABLE_ALLOC, t->pid);
			if (v == mm && f->off_tlb_mm >= 0 && (long)w >= f->off_tlb_mm)
				hold_batch(c, f, &h, t, t->stack + w - (uint64_t)f->off_tlb_mm);
		}
	}
	free(buf);
	if (h.n < excess)
		return 0;
	for (i = 0; i < h.n; i++) {
		if (h.kind[i] == TC_IF_TABLE_FREE && h.pid[i] < 0)
			mark_rcu_counted(f, h.seen[i], gran, page_pa + (h.seen[i] - kva));
		count(c, f, mm, h.kind[i], page_pa + (h.seen[i] - kva), 0, 0, h.pid[i]);
	}
	return 1;
}

/*
 * After the checks: every table still waiting in an RCU batch, whether a
 * check asked about it or not, is counted once as table-free (and listed
 * with -v): free_pgtables() unlinked it and tlb_remove_table_rcu() frees
 * it after the grace period (mm/mmu_gather.c).  A table some entry still
 * references is left to the checks of that entry.
 */
/* the table an RCU batch slot names: its kernel address with the tag
 * bits off, or (rcu_batch_holds_pages) its struct page */
static int rcu_slot_table(struct tc_ctx *c, uint64_t slot, uint64_t *pa)
{
	if (c->arch->rcu_batch_holds_pages) {
		*pa = tc_pa_of_page(c, slot);
		return *pa != TC_NO_ADDR;
	}
	return tc_kva_to_pa(c, slot & ~RCU_SLOT_TAGS, pa) == 0;
}

void tc_inflight_rcu_tables(struct tc_ctx *c)
{
	struct tc_inflight *f = state_of(c, 1);
	size_t i, lost = 0;
	uint64_t pa;

	if (!f || !f->usable)
		return;
	if (!f->rcu_loaded)
		load_rcu_batches(c, f);
	for (i = 0; i < f->nrcu; i++) {
		if (f->rcu[i].counted)
			continue;
		if (!rcu_slot_table(c, f->rcu[i].addr, &pa)) {
			lost++;
			continue;
		}
		if (!tc_referrers(c, pa, NULL, 0))
			count(c, f, 0, TC_IF_TABLE_FREE, pa, 0, 0, PID_RCU_BATCH);
	}
	for (i = 0; i < f->ndeferred; i++)
		if (!f->deferred[i].counted && !tc_referrers(c, f->deferred[i].addr, NULL, 0))
			count(c, f, 0, TC_IF_TABLE_FREE, f->deferred[i].addr, 0, 0, PID_RCU_DEFERRED);
	flush_line(c, f);
	if (lost)
		fprintf(c->opts.verbose ? c->opts.out : stderr,
			"thpcheck: %zu tables waiting for RCU not counted: their kernel "
			"addresses do not translate\n", lost);
}

/*
 * zap_huge_pmd() clears the huge pmd, then withdraws its deposited table
 * (ring one longer than the THP pmds); __split_huge_pmd_locked()
 * withdraws before pmd_populate() (one shorter); collapse_huge_page()
 * deposits before set_pmd_at() (one longer): all under pmd_lock(), with
 * the pmd_t * in hand (v6.1 / v6.12 mm/huge_memory.c, mm/khugepaged.c).
 * khugepaged is no task of the mm, so every task's stack is searched.
 */
int tc_inflight_pmd_update(struct tc_ctx *c, uint64_t mm, uint64_t table_pa,
			   uint64_t kva, uint64_t bytes, uint64_t lock,
			   unsigned ring, unsigned thp)
{
	struct tc_inflight *f = state(c);
	unsigned char *buf;
	uint32_t word;
	size_t i;
	int pid = -1;

	if ((ring != thp + 1 && ring + 1 != thp) || !lock || !f || !f->usable ||
	    tc_rd32(c, lock, &word) < 0 || !word)
		return 0;
	buf = malloc((size_t)f->stack_bytes);
	if (!buf)
		return 0;
	for (i = 0; i < f->ntasks && pid < 0; i++)
		if (stack_holds(c, f, &f->tasks[i], buf, kva, kva + bytes))
			pid = f->tasks[i].pid;
	free(buf);
	if (pid < 0)
		return 0;
	count(c, f, mm, TC_IF_PMD_UPDATE, table_pa, 0, 0, pid);
	return 1;
}

void tc_inflight_mm_done(struct tc_ctx *c)
{
	struct tc_inflight *f = c->inflight;

	if (f) {
		flush_line(c, f);
		f->mm_loaded = 0;
	}
}

void tc_inflight_free(struct tc_ctx *c)
{
	struct tc_inflight *f = c->inflight;

	if (!f)
		return;
	free(f->tasks);
	free(f->rcu);
	free(f->deferred);
	free(f->detached);
	free(f);
	c->inflight = NULL;
}
