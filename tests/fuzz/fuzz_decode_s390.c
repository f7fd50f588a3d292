/*
 * libFuzzer target: the s390x entry decoder.  Input: 9-byte records
 * (level, 8-byte value).  Checks what every decoder result must satisfy:
 * a known kind, table origins aligned for their level, an illegal entry
 * always named by a catalogued signature.
 */
#include <stdlib.h>
#include <string.h>
#include "../../ext/s390.h"
#include "fuzz.h"

static void check_entry(int level, const struct tc_entry *e)
{
	/* region entries point to 4 KiB-aligned origins, segment entries
	 * to 2 KiB-aligned pte tables */
	uint64_t align = level < L_SEG ? 4096 : 2048;

	fuzz_check_kind(e);
	if (e->kind == TC_TABLE && (level == L_PTE || (e->pa & (align - 1))))
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct s390_priv priv;
	static struct tc_ctx c;
	size_t i;

	c.arch = &tc_arch_s390x;
	c.arch_priv = &priv;
	for (i = 0; i + 9 <= size; i += 9) {
		int level = data[i] % 5;
		uint64_t v = 0;
		struct tc_entry e;
		int k;

		for (k = 1; k < 9; k++)
			v = v << 8 | data[i + k];
		priv.scheme = (enum s390_scheme)(data[i] / 5 % 3);
		memset(&e, 0xa5, sizeof(e));
		tc_arch_s390x.decode(&c, NULL, level, 0, v, &e);
		check_entry(level, &e);
	}
	return 0;
}
