/*
 * Synthetic in-memory backend for unit tests and fuzzing: a flat
 * physical memory image (kernel virtual == physical + kvirt_base: 0 as
 * on s390 v6.1, 0xc000000000000000 for a ppc64 linear map), a symbol
 * table and a layout table, all filled in by the test.
 */
#ifndef THPCHECK_SYNTH_H
#define THPCHECK_SYNTH_H

#include "tc.h"

struct synth_sym { const char *name; uint64_t addr; };
struct synth_layout { const char *type, *member; long value; };

struct synth {
	unsigned char *mem;
	size_t size;
	int big_endian;
	const struct synth_sym *syms;
	const struct synth_layout *layout;
	const char *release;
	uint64_t kvirt_base;
	/* [excluded_lo, excluded_hi): left out as makedumpfile -d dump_level
	 * leaves pages out (reads return TC_EXCLUDED) */
	uint64_t excluded_lo, excluded_hi;
	int dump_level;
	struct tc_backend be;
};

/* the layout every synthetic world shares (task list, mm->pgd, the
 * maple tree of VMAs); a world's own layout is searched first */
extern const struct synth_layout synth_base_layout[];

int synth_init(struct synth *s, size_t size, int big_endian,
	       const struct synth_sym *syms, const struct synth_layout *layout);
void synth_free(struct synth *s);

/*
 * Kernel structures at synth_base_layout's offsets; addresses are
 * physical, the pointers stored are kvirt_base + address.
 * synth_task: the task list init_task <-> task, task->mm, pid, comm.
 * synth_vmas: the VMAs (ascending, disjoint) in one maple leaf with NULL
 * slots for the gaps, as mm->mm_mt's root (at most 8 VMAs).
 * synth_run: tc_init + tc_run with the output to /dev/null.
 */
struct synth_vma {
	uint64_t addr, start, end, flags;
};
void synth_task(struct synth *s, uint64_t init_task, uint64_t task,
		uint64_t mm, int pid, const char *comm);
int synth_vmas(struct synth *s, uint64_t mm, uint64_t leaf,
	       const struct synth_vma *v, int n);
int synth_run(struct synth *s, const struct tc_arch *arch, struct tc_ctx *c);
void synth_put64(struct synth *s, uint64_t pa, uint64_t v);
void synth_put32(struct synth *s, uint64_t pa, uint32_t v);
uint64_t synth_get64(const struct synth *s, uint64_t pa);

#endif
