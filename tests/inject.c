/*
 * vmcore-poke: read or write 8-byte words at physical addresses of an
 * ELF vmcore, in the dump's byte order.  Tests use it to plant a
 * signature in a copy of a real dump; it refuses to write a file that is
 * not writable and never touches anything but the named words.
 *
 *   vmcore-poke FILE read PA [COUNT]     print COUNT words (default 1)
 *   vmcore-poke FILE write PA VALUE...   write consecutive words
 */
#define _FILE_OFFSET_BITS 64
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int big_endian;

static uint64_t get(const unsigned char *b, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)b[big_endian ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

static void put(unsigned char *b, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		b[big_endian ? 7 - i : i] = (unsigned char)(v >> (8 * i));
}

struct seg { uint64_t pa, off, size; };

static int load_segments(FILE *f, struct seg **out, size_t *n)
{
	unsigned char eh[64], ph[56];
	uint64_t phoff;
	unsigned phnum, phentsize, i;

	if (fread(eh, 1, 64, f) != 64 || memcmp(eh, ELFMAG, SELFMAG) ||
	    eh[EI_CLASS] != ELFCLASS64)
		return -1;
	big_endian = eh[EI_DATA] == ELFDATA2MSB;
	phoff = get(eh + 32, 8);
	phentsize = (unsigned)get(eh + 54, 2);
	phnum = (unsigned)get(eh + 56, 2);
	if (phentsize != 56 || phnum == 0 || phnum > 65535)
		return -1;
	*out = calloc(phnum, sizeof(**out));
	*n = 0;
	for (i = 0; i < phnum; i++) {
		if (fseeko(f, (off_t)(phoff + 56ULL * i), SEEK_SET) ||
		    fread(ph, 1, 56, f) != 56)
			return -1;
		if (get(ph, 4) != PT_LOAD)
			continue;
		(*out)[*n].off = get(ph + 8, 8);
		(*out)[*n].pa = get(ph + 24, 8);
		(*out)[*n].size = get(ph + 32, 8);	/* p_filesz */
		(*n)++;
	}
	return 0;
}

static int pa_to_off(const struct seg *s, size_t n, uint64_t pa, uint64_t *off)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pa >= s[i].pa && pa + 8 <= s[i].pa + s[i].size) {
			*off = s[i].off + (pa - s[i].pa);
			return 0;
		}
	return -1;
}

int main(int argc, char **argv)
{
	struct seg *segs = NULL;
	size_t nseg, k;
	uint64_t pa, off;
	int write;
	FILE *f;

	if (argc < 4 || (strcmp(argv[2], "read") && strcmp(argv[2], "write"))) {
		fprintf(stderr, "usage: %s FILE read PA [COUNT] | FILE write PA VALUE...\n",
			argv[0]);
		return 2;
	}
	write = !strcmp(argv[2], "write");
	f = fopen(argv[1], write ? "r+b" : "rb");
	if (!f) {
		fprintf(stderr, "vmcore-poke: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (load_segments(f, &segs, &nseg) < 0) {
		fprintf(stderr, "vmcore-poke: %s: not a 64-bit ELF vmcore\n", argv[1]);
		return 2;
	}
	pa = strtoull(argv[3], NULL, 0);
	if (write) {
		for (k = 4; k < (size_t)argc; k++, pa += 8) {
			unsigned char b[8];

			if (pa_to_off(segs, nseg, pa, &off) < 0) {
				fprintf(stderr, "vmcore-poke: %#llx is not in the dump\n",
					(unsigned long long)pa);
				return 2;
			}
			put(b, strtoull(argv[k], NULL, 0));
			if (fseeko(f, (off_t)off, SEEK_SET) || fwrite(b, 1, 8, f) != 8) {
				fprintf(stderr, "vmcore-poke: write failed\n");
				return 2;
			}
		}
	} else {
		unsigned long count = argc > 4 ? strtoul(argv[4], NULL, 0) : 1;

		for (k = 0; k < count; k++, pa += 8) {
			unsigned char b[8];

			if (pa_to_off(segs, nseg, pa, &off) < 0 ||
			    fseeko(f, (off_t)off, SEEK_SET) || fread(b, 1, 8, f) != 8) {
				fprintf(stderr, "vmcore-poke: %#llx is not in the dump\n",
					(unsigned long long)pa);
				return 2;
			}
			printf("0x%llx\n", (unsigned long long)get(b, 8));
		}
	}
	free(segs);
	return fclose(f) ? 2 : 0;
}
