/*
 * thpcheck engine, the task list: every mm and its pids; Brent cycle detection.
 * Architecture knowledge lives behind struct tc_arch; no engine file
 * names an architecture.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine.h"

/* ------------------------------------------------------------ cycles */

void tc_cycle_init(struct tc_cycle *cy, uint64_t start)
{
	cy->saved = start;
	cy->power = cy->lam = 1;
}

int tc_cycle_step(struct tc_cycle *cy, uint64_t node)
{
	if (node == cy->saved)
		return 1;
	if (cy->lam++ == cy->power) {
		cy->saved = node;
		cy->power *= 2;
		cy->lam = 1;
	}
	return 0;
}

/* ------------------------------------------------------------ mm list */

struct tc_mm_stats *eng_mm_stats_of(struct tc_ctx *c, uint64_t mm)
{
	size_t i;

	for (i = 0; i < c->nmms; i++)
		if (c->mms[i].mm == mm)
			return &c->mms[i];
	if (tc_grow((void **)&c->mms, &c->capmms, c->nmms, sizeof(*c->mms)) < 0)
		return NULL;
	memset(&c->mms[c->nmms], 0, sizeof(c->mms[0]));
	c->mms[c->nmms].mm = mm;
	return &c->mms[c->nmms++];
}

static void add_pid(struct tc_mm_stats *m, int pid, const char *comm)
{
	if (!m->npids)
		memcpy(m->comm, comm, sizeof(m->comm));
	if (m->npids < (int)(sizeof(m->pids) / sizeof(m->pids[0])))
		m->pids[m->npids++] = pid;
	else
		m->nthreads_more++;
}

/*
 * Collect each distinct mm of the task list (thread-group leaders are
 * enough: threads share their leader's mm).  The walk is bounded by
 * max_tasks and stops at the first unreadable or self-looping link, with
 * a LIST_CORRUPT finding naming that link.
 */
int eng_collect_mms(struct tc_ctx *c)
{
	uint64_t head = c->init_task + c->off.task_tasks, pos, next;
	struct tc_cycle cy;
	size_t n = 0;

	if (tc_rd64(c, head, &pos) < 0) {
		snprintf(c->err, sizeof(c->err),
			 "cannot read init_task.tasks at 0x%llx",
			 (unsigned long long)head);
		return -1;
	}
	tc_cycle_init(&cy, head);
	while (pos != head) {
		uint64_t task = pos - c->off.task_tasks, mm;
		uint32_t pid;
		char comm[17] = "";
		int cycle = tc_cycle_step(&cy, pos);

		if (cycle || ++n > c->opts.max_tasks ||
		    tc_rd64(c, pos, &next) < 0) {
			tc_report(c, NULL, TC_SIG(LIST_CORRUPT),
				  tc_at_none(pos), "task list: %s at task 0x%llx after %zu tasks",
				  cycle ? "cycle that does not return to init_task" :
				  n > c->opts.max_tasks ? "too long" :
				  "unreadable link", (unsigned long long)task, n);
			break;
		}
		if (tc_rd64(c, task + c->off.task_mm, &mm) == 0 && mm &&
		    tc_rd32(c, task + c->off.task_tgid, &pid) == 0) {
			struct tc_mm_stats *m;

			tc_read_kv(c, task + c->off.task_comm, comm, 16);
			comm[16] = 0;
			m = eng_mm_stats_of(c, mm);
			if (m)
				add_pid(m, (int)pid, comm);
		}
		if (next == pos)
			break;
		pos = next;
	}
	return 0;
}
