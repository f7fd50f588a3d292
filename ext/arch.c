/*
 * The registry of architectures: the only list of them.  Adding one is
 * its files plus one row here and one word in the Makefile's ARCH_SRCS.
 */
#include <string.h>
#include "tc.h"

extern const struct tc_arch tc_arch_s390x;
extern const struct tc_arch tc_arch_ppc64;
extern const struct tc_arch tc_arch_x86_64;
extern const struct tc_arch tc_arch_arm64;

const struct tc_arch *const tc_arches[] = {
	&tc_arch_s390x,
	&tc_arch_ppc64,
	&tc_arch_x86_64,
	&tc_arch_arm64,
	NULL,
};

const struct tc_arch *tc_arch_by_kdump_name(const char *name)
{
	size_t i;

	for (i = 0; tc_arches[i]; i++)
		if (!strcmp(tc_arches[i]->kdump_name, name))
			return tc_arches[i];
	return NULL;
}

const struct tc_arch *tc_arch_by_elf_machine(unsigned machine)
{
	size_t i;

	for (i = 0; tc_arches[i]; i++)
		if (tc_arches[i]->elf_machine == machine)
			return tc_arches[i];
	return NULL;
}

const struct tc_arch *tc_arch_by_crash_machine(int (*is)(const char *machine))
{
	size_t i;

	for (i = 0; tc_arches[i]; i++)
		if (is(tc_arches[i]->crash_machine))
			return tc_arches[i];
	return NULL;
}

const struct tc_arch *tc_arch_by_byte_order(int big_endian,
					    int (*has)(void *priv, const char *key),
					    void *priv)
{
	const struct tc_arch *unmarked = NULL;
	size_t i;

	for (i = 0; tc_arches[i]; i++) {
		const struct tc_arch *a = tc_arches[i];

		if (!a->big_endian != !big_endian)
			continue;
		if (a->vmcoreinfo_mark && has && has(priv, a->vmcoreinfo_mark))
			return a;
		if (!a->vmcoreinfo_mark && !unmarked)
			unmarked = a;
	}
	return unmarked;
}

void tc_arch_names(char *buf, size_t len)
{
	size_t k, n = 0;

	buf[0] = 0;
	for (k = 0; tc_arches[k] && n < len; k++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", tc_arches[k]->name,
				      !tc_arches[k + 1] ? "" :
				      !tc_arches[k + 2] ? " and " : ", ");
}
