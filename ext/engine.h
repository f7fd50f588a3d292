/*
 * What the engine's files share with each other and with nobody else
 * (io.c, report.c, tasks.c, walk.c, tables.c, setup.c, translate.c,
 * explain.c); the interface to the arch files and front ends is tc.h.
 */
#ifndef THPCHECK_ENGINE_H
#define THPCHECK_ENGINE_H

#include "tc.h"

#define TC_MAX_TASKS_DEFAULT	(1u << 20)
#define TC_MAX_FINDINGS_DEFAULT	100000
/* sparse bitmap of table origins: 16 MiB regions, each a bitmap at the
 * granule */
#define BITSET_REGION_SHIFT	24

/* io.c: one NOT_IN_DUMP warning per kind the dump's filter left out */
void eng_report_not_in_dump(struct tc_ctx *c);
/* tasks.c: every mm of the task list; the stats of mm, made on first use */
int eng_collect_mms(struct tc_ctx *c);
struct tc_mm_stats *eng_mm_stats_of(struct tc_ctx *c, uint64_t mm);
/* walk.c: one mm's tables, its checks after */
void eng_walk_mm(struct tc_ctx *c, struct tc_mm_stats *m);
/* tables.c */
void eng_sort_tables(struct tc_table *v, size_t n);
int eng_cmp_u64(const void *a, const void *b);
void eng_note_seen(struct tc_ctx *c, const struct tc_mm_stats *m);
void eng_bitset_free(struct tc_bitset *b);
void eng_check_multi_ref(struct tc_ctx *c);
/* io.c: a kernel VA read by the backend itself (read_kvirt; -1 without) */
int tc_read_kv_backend(struct tc_ctx *c, uint64_t va, void *buf, size_t len);
/* translate.c: free tc_kva_to_pa's state */
void eng_kva_free(struct tc_ctx *c);

#endif
