/*
 * s390x facts a dump reader needs before the engine runs: where the
 * kernel leaves its VMCOREINFO in memory.  QEMU's s390x dumps carry no
 * VMCOREINFO note; the lowcore points to it, and libkdumpfile follows the
 * pointer itself once told the OS is Linux -- so the reader checks first
 * that what it would follow is a sane note.
 */
#include <stdlib.h>
#include <string.h>
#include "s390.h"

/*
 * libkdumpfile 0.5.1 (s390x.c, process_lowcore_info) follows the lowcore:
 * the os_info page at LC_OS_INFO if its magic matches, else the ELF note
 * at LC_VMCORE_INFO, and allocates and reads the size found there, up to
 * 4 GiB of a damaged lowcore (fuzz_open: 3.5 GiB, regression input
 * corpus/open/regress-lowcore-note-size).  The kernel's VMCOREINFO is one
 * page; a size past LOWCORE_VMCOREINFO_MAX is taken for damage and the
 * lowcore is not followed (the dump then has no VMCOREINFO).
 */
#define LOWCORE_VMCOREINFO_MAX	(1u << 20)
/* arch/s390/include/asm/lowcore.h: os_info (v6.12) and vmcore_info (v6.1) */
#define LC_OS_INFO		0xe18
#define LC_VMCORE_INFO		0xe0c
#define OS_INFO_MAGIC		0x4f53494e464f535aULL	/* "OSINFOSZ" */

static uint64_t be_n(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* the os_info block (arch/s390/kernel/os_info.c): entry[0] is VMCOREINFO,
 * its size at offset 0x20 + 8 */
static int os_info_ok(int (*rd)(void *, uint64_t, void *, size_t), void *priv,
		      uint64_t addr)
{
	unsigned char b[8];

	return rd(priv, addr + 0x28, b, 8) < 0 || be_n(b, 8) <= LOWCORE_VMCOREINFO_MAX;
}

/*
 * libkdumpfile compares only n_namesz bytes of the name, then parses the
 * note's text: only a note named "VMCOREINFO\0" (n_namesz 11, what the
 * kernel writes, kernel/crash_core.c) whose text note_ok() accepts is
 * handed to it.
 */
static int note_at_ok(int (*rd)(void *, uint64_t, void *, size_t), void *priv,
		      uint64_t addr, int (*note_ok)(const unsigned char *, size_t, int))
{
	unsigned char b[16], *t;
	uint64_t sz;
	int ok;

	if (rd(priv, addr, b, 16) < 0)
		return 1;	/* libkdumpfile stops there */
	if (be_n(b, 4) != 11 || rd(priv, addr + 12, b, 11) < 0 ||
	    memcmp(b, "VMCOREINFO", 11) || rd(priv, addr, b, 12) < 0)
		return 0;
	sz = 12 + ((be_n(b, 4) + 3) & ~3ULL) + be_n(b + 4, 4);
	if (sz > LOWCORE_VMCOREINFO_MAX)
		return 0;
	t = malloc((size_t)sz);
	ok = t && rd(priv, addr, t, (size_t)sz) == 0 && note_ok(t, (size_t)sz, 1);
	free(t);
	return ok;
}

int s390_memory_vmcoreinfo_ok(int (*rd)(void *, uint64_t, void *, size_t), void *priv,
			      int (*note_ok)(const unsigned char *, size_t, int))
{
	unsigned char b[8];
	uint64_t addr;

	if (rd(priv, LC_OS_INFO, b, 8) == 0 && (addr = be_n(b, 8)) && addr % 4096 == 0 &&
	    rd(priv, addr, b, 8) == 0 && be_n(b, 8) == OS_INFO_MAGIC)
		return os_info_ok(rd, priv, addr);
	if (rd(priv, LC_VMCORE_INFO, b, 8) < 0 || !(addr = be_n(b, 8)))
		return 1;	/* libkdumpfile stops there */
	return note_at_ok(rd, priv, addr, note_ok);
}
