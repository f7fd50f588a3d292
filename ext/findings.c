/*
 * Signature catalog and the two formatters (text and JSON) shared by the
 * crash command and thpscan.  docs/signatures.md has one row per id.
 */
#include "tc.h"

TC_SIG_DEFINE(TABLE_MULTI_REF, TC_SEV_ERROR,
	      "one page table referenced by two entries");
TC_SIG_DEFINE(PTE_OUTSIDE_VMA, TC_SEV_ERROR,
	      "present pte at an address no VMA of its mm covers");
TC_SIG_DEFINE(PTE_WRITE_IN_READONLY_VMA, TC_SEV_ERROR,
	      "writable pte/leaf in a VMA without VM_WRITE");
TC_SIG_DEFINE(THP_IN_BAD_VMA, TC_SEV_ERROR,
	      "huge pmd not inside one VMA that can hold a THP");
TC_SIG_DEFINE(DEPOSIT_LIST_CORRUPT, TC_SEV_ERROR,
	      "THP deposit ring broken: 0x400/poison/bad pointer, prev/next, cycle");
TC_SIG_DEFINE(DEPOSIT_NOT_EMPTY, TC_SEV_ERROR,
	      "a deposited pte table has a non-none entry (BUG_ON(!pte_none))");
TC_SIG_DEFINE(DEPOSIT_COUNT, TC_SEV_ERROR,
	      "deposited tables on a ring != THP pmds it covers");
TC_SIG_DEFINE(LIST_CORRUPT, TC_SEV_ERROR,
	      "a kernel list or tree walked by thpcheck is broken or cyclic");
TC_SIG_DEFINE(READ_ERROR, TC_SEV_WARNING,
	      "a referenced table or structure is not readable in the dump");
TC_SIG_DEFINE(NOT_IN_DUMP, TC_SEV_WARNING,
	      "pages the dump's filter (makedumpfile -d) left out; what needed them was skipped");

const struct tc_sig *const tc_sigs[] = {
	TC_SIG(TABLE_MULTI_REF),
	TC_SIG(PTE_OUTSIDE_VMA),
	TC_SIG(PTE_WRITE_IN_READONLY_VMA),
	TC_SIG(THP_IN_BAD_VMA),
	TC_SIG(DEPOSIT_LIST_CORRUPT),
	TC_SIG(DEPOSIT_NOT_EMPTY),
	TC_SIG(DEPOSIT_COUNT),
	TC_SIG(LIST_CORRUPT),
	TC_SIG(READ_ERROR),
	TC_SIG(NOT_IN_DUMP),
};
const size_t tc_nsigs = sizeof(tc_sigs) / sizeof(tc_sigs[0]);


static const char *sev_name(enum tc_severity s)
{
	return s == TC_SEV_ERROR ? "error" :
	       s == TC_SEV_WARNING ? "warning" : "info";
}

static void print_sig(FILE *f, const struct tc_sig *s)
{
	fprintf(f, "%-27s %-7s %s\n", s->id, sev_name(s->severity), s->meaning);
}

void tc_print_sigs(FILE *f)
{
	size_t i, a;

	for (i = 0; i < tc_nsigs; i++)
		print_sig(f, tc_sigs[i]);
	for (a = 0; tc_arches[a]; a++)
		for (i = 0; i < tc_arches[a]->nsigs; i++)
			print_sig(f, tc_arches[a]->sigs[i]);
}

/* ------------------------------------------------------------ text */

static void print_levels(struct tc_ctx *c, FILE *f, const uint64_t *t)
{
	int l;

	for (l = 0; l < c->nlevels; l++)
		fprintf(f, "%s%s=%llu", l ? " " : "", c->levels[l].name,
			(unsigned long long)t[l]);
}

/* the legal in-flight states met (inflight.c) and the pages the dump's
 * filter left out, when there were any, on the summary line */
static void print_summary_counts(FILE *f, const struct tc_stats *s)
{
	int k, n = 0;

	for (k = 0; k < TC_IF_N; k++)
		if (s->in_flight[k])
			fprintf(f, "%s%s %llu", n++ ? ", " : "; in flight (legal): ",
				tc_inflight_names[k], (unsigned long long)s->in_flight[k]);
	for (k = 0, n = 0; k < TC_NID_N; k++)
		if (s->not_in_dump[k])
			fprintf(f, "%s%s %llu", n++ ? ", " : "; not in dump: ",
				tc_nid_names[k], (unsigned long long)s->not_in_dump[k]);
	fputc('\n', f);
}

void tc_print_summary(struct tc_ctx *c, FILE *f)
{
	const struct tc_stats *s = &c->stats;

	fprintf(f, "SUMMARY: %llu mms, tables ", (unsigned long long)s->mms);
	print_levels(c, f, s->tables);
	fprintf(f, ", %llu present ptes, %llu swap ptes, %llu THP pmds, "
		"%llu hugetlb pmds, %llu deposited tables, %zu findings",
		(unsigned long long)s->present_ptes,
		(unsigned long long)s->swap_ptes,
		(unsigned long long)s->thp_pmds,
		(unsigned long long)s->hugetlb_pmds,
		(unsigned long long)s->deposited,
		c->findings.n + c->findings.dropped);
	print_summary_counts(f, s);
}

static void print_finding_text(FILE *f, const struct tc_finding *x)
{
	if (!x->mm && x->pid < 0)	/* about the dump, not one mm */
		fprintf(f, "%s %s: dump", sev_name(x->sig->severity), x->sig->id);
	else
		fprintf(f, "%s %s: mm %#llx pid %d (%s)", sev_name(x->sig->severity),
			x->sig->id, (unsigned long long)x->mm, x->pid, x->comm);
	if (x->va != TC_NO_ADDR)
		fprintf(f, " va %#llx", (unsigned long long)x->va);
	if (x->level)
		fprintf(f, " %s", x->level);
	if (x->table_pa != TC_NO_ADDR)
		fprintf(f, " table %#llx", (unsigned long long)x->table_pa);
	if (x->index >= 0)
		fprintf(f, "[%d] @%#llx", x->index,
			(unsigned long long)x->entry_pa);
	fprintf(f, " = 0x%016llx\n    %s\n", (unsigned long long)x->value,
		x->detail);
}

void tc_print_text(struct tc_ctx *c, FILE *f)
{
	size_t i;

	fprintf(f, "thpcheck %s: %s %s, scheme %s\n", TC_VERSION,
		c->arch->name, c->release, c->scheme ? c->scheme : "-");
	fprintf(f, "%-18s %-7s %-16s %8s %8s %6s %6s %5s %8s\n", "MM", "PID",
		"COMM", "PRESENT", "SWAP", "THP", "HUGETLB", "VMAS", "FINDINGS");
	for (i = 0; i < c->nmms; i++) {
		const struct tc_mm_stats *m = &c->mms[i];
		uint64_t t = 0;
		int l;

		for (l = 0; l < c->nlevels; l++)
			t += m->tables[l];
		if (!t && !m->findings)
			continue;	/* not walked (out of scope) */
		fprintf(f, "%#-18llx %-7d %-16s %8llu %8llu %6llu %6llu %5llu %8llu\n",
			(unsigned long long)m->mm, m->npids ? m->pids[0] : 0,
			m->comm, (unsigned long long)m->present_ptes,
			(unsigned long long)m->swap_ptes,
			(unsigned long long)m->thp_pmds,
			(unsigned long long)m->hugetlb_pmds,
			(unsigned long long)m->vmas,
			(unsigned long long)m->findings);
	}
	for (i = 0; i < c->findings.n; i++)
		print_finding_text(f, &c->findings.v[i]);
	if (c->findings.dropped)
		fprintf(f, "(%zu more findings not stored)\n", c->findings.dropped);
	tc_print_summary(c, f);
}

/* ------------------------------------------------------------ JSON */

void tc_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void json_addr(FILE *f, const char *key, uint64_t v)
{
	if (v == TC_NO_ADDR)
		fprintf(f, "\"%s\":null", key);
	else
		fprintf(f, "\"%s\":\"0x%llx\"", key, (unsigned long long)v);
}

static void json_levels(struct tc_ctx *c, FILE *f, const uint64_t *t)
{
	int l;

	fputc('{', f);
	for (l = 0; l < c->nlevels; l++)
		fprintf(f, "%s\"%s\":%llu", l ? "," : "",
			c->levels[l].name, (unsigned long long)t[l]);
	fputc('}', f);
}

static void json_mm(struct tc_ctx *c, FILE *f, const struct tc_mm_stats *m)
{
	int i;

	fputc('{', f);
	json_addr(f, "mm", m->mm);
	fprintf(f, ",\"pids\":[");
	for (i = 0; i < m->npids; i++)
		fprintf(f, "%s%d", i ? "," : "", m->pids[i]);
	fprintf(f, "],\"comm\":");
	tc_json_str(f, m->comm);
	fprintf(f, ",\"kernel\":%s,\"tables\":", m->kernel ? "true" : "false");
	json_levels(c, f, m->tables);
	fprintf(f, ",\"present_ptes\":%llu,\"special_ptes\":%llu,"
		"\"swap_ptes\":%llu,\"thp_pmds\":%llu,"
		"\"hugetlb_pmds\":%llu,\"huge_puds\":%llu,\"hugetlb_ptes\":%llu,"
		"\"vmas\":%llu,\"findings\":%llu}",
		(unsigned long long)m->present_ptes,
		(unsigned long long)m->special_ptes,
		(unsigned long long)m->swap_ptes,
		(unsigned long long)m->thp_pmds,
		(unsigned long long)m->hugetlb_pmds,
		(unsigned long long)m->huge_puds,
		(unsigned long long)m->hugetlb_ptes,
		(unsigned long long)m->vmas,
		(unsigned long long)m->findings);
}

/* every kind, zero or not: jq '.stats.in_flight.munmap' always answers
 * (in_flight, not_in_dump) */
static void json_counts(FILE *f, const char *const *names, const uint64_t *n,
			int kinds)
{
	int k;

	fputc('{', f);
	for (k = 0; k < kinds; k++)
		fprintf(f, "%s\"%s\":%llu", k ? "," : "", names[k],
			(unsigned long long)n[k]);
	fputc('}', f);
}

static void json_finding(FILE *f, const struct tc_finding *x)
{
	fprintf(f, "{\"sig\":\"%s\",\"severity\":\"%s\",", x->sig->id,
		sev_name(x->sig->severity));
	json_addr(f, "mm", x->mm);
	fprintf(f, ",\"pid\":%d,\"comm\":", x->pid);
	tc_json_str(f, x->comm);
	fputc(',', f);
	json_addr(f, "va", x->va);
	fprintf(f, ",\"level\":");
	if (x->level)
		tc_json_str(f, x->level);
	else
		fprintf(f, "null");
	fputc(',', f);
	json_addr(f, "table_pa", x->table_pa);
	fprintf(f, ",\"index\":%d,", x->index);
	json_addr(f, "entry_pa", x->entry_pa);
	fputc(',', f);
	fprintf(f, "\"value\":\"0x%llx\",\"count\":%llu", (unsigned long long)x->value,
		(unsigned long long)x->count);
	fprintf(f, ",\"detail\":");
	tc_json_str(f, x->detail);
	fputc('}', f);
}

void tc_print_json(struct tc_ctx *c, FILE *f)
{
	const struct tc_stats *s = &c->stats;
	size_t i, k;

	fprintf(f, "{\"tool\":\"thpcheck\",\"version\":\"%s\",\"arch\":\"%s\","
		"\"kernel\":", TC_VERSION, c->arch->name);
	tc_json_str(f, c->release);
	fprintf(f, ",\"scheme\":");
	tc_json_str(f, c->scheme ? c->scheme : "");
	fprintf(f, ",\"stats\":{\"mms\":%llu,\"tables\":",
		(unsigned long long)s->mms);
	json_levels(c, f, s->tables);
	fprintf(f, ",\"present_ptes\":%llu,\"swap_ptes\":%llu,\"thp_pmds\":%llu,"
		"\"hugetlb_pmds\":%llu,\"huge_puds\":%llu,\"hugetlb_ptes\":%llu,"
		"\"deposited\":%llu,\"entries\":%llu,\"read_errors\":%llu,\"findings\":%zu,"
		"\"in_flight\":",
		(unsigned long long)s->present_ptes,
		(unsigned long long)s->swap_ptes,
		(unsigned long long)s->thp_pmds,
		(unsigned long long)s->hugetlb_pmds,
		(unsigned long long)s->huge_puds,
		(unsigned long long)s->hugetlb_ptes,
		(unsigned long long)s->deposited,
		(unsigned long long)s->entries,
		(unsigned long long)s->read_errors,
		c->findings.n + c->findings.dropped);
	json_counts(f, tc_inflight_names, s->in_flight, TC_IF_N);
	fprintf(f, ",\"not_in_dump\":");
	json_counts(f, tc_nid_names, s->not_in_dump, TC_NID_N);
	fprintf(f, "},\"mms\":[");
	for (i = 0, k = 0; i < c->nmms; i++) {
		uint64_t t = 0;
		int l;

		for (l = 0; l < c->nlevels; l++)
			t += c->mms[i].tables[l];
		if (!t && !c->mms[i].findings)
			continue;
		if (k++)
			fputc(',', f);
		json_mm(c, f, &c->mms[i]);
	}
	fprintf(f, "],\"findings\":[");
	for (i = 0; i < c->findings.n; i++) {
		if (i)
			fputc(',', f);
		json_finding(f, &c->findings.v[i]);
	}
	fprintf(f, "]}\n");
}
