#!/usr/bin/env python3
"""Fix the section headers of an ELF vmcore written by QEMU's dump-guest-memory.

QEMU (7.2 up to at least 10.0) fills the .shstrtab section header
(dump/dump.c, prepare_elf_section_hdr_string) without cpu_to_dump32/64, i.e.
in *host* byte order.  For an s390x (big-endian) dump made on x86_64 this
gives sh_type 0x03000000 and a huge sh_size, which readelf warns about and
libkdumpfile rejects.  This script byte-swaps, in place, every section header
that is implausible in the file's own byte order but plausible swapped.  It
only touches the section header table; running it twice changes nothing.

Usage: fix-qemu-elf.py VMCORE        (exit 0: fixed or already fine)
"""
import os
import struct
import sys

# (field formats of Elf64_Shdr / Elf32_Shdr)
SHDR = {2: 'IIQQQQIIQQ', 1: 'IIIIIIIIII'}
NAMES = ('name', 'type', 'flags', 'addr', 'offset', 'size', 'link', 'info', 'addralign', 'entsize')


def plausible(f, filesize):
    sh_type, off, size = f[1], f[4], f[5]
    type_ok = sh_type <= 0x13 or 0x60000000 <= sh_type <= 0x7fffffff
    nobits = sh_type in (0, 8)          # SHT_NULL, SHT_NOBITS occupy no file space
    return type_ok and (nobits or off + size <= filesize)


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: fix-qemu-elf.py VMCORE')
    path = sys.argv[1]
    filesize = os.path.getsize(path)
    with open(path, 'r+b') as fp:
        ident = fp.read(16)
        if ident[:4] != b'\x7fELF':
            sys.exit('fix-qemu-elf: %s: not an ELF file' % path)
        cls, data = ident[4], ident[5]
        if cls not in SHDR or data not in (1, 2):
            sys.exit('fix-qemu-elf: %s: unsupported ELF class/data %d/%d' % (path, cls, data))
        e = '>' if data == 2 else '<'
        other = '<' if e == '>' else '>'
        fp.seek(0)
        if cls == 2:
            hdr = fp.read(64)
            shoff, = struct.unpack_from(e + 'Q', hdr, 0x28)
            shentsize, shnum = struct.unpack_from(e + 'HH', hdr, 0x3a)
        else:
            hdr = fp.read(52)
            shoff, = struct.unpack_from(e + 'I', hdr, 0x20)
            shentsize, shnum = struct.unpack_from(e + 'HH', hdr, 0x2e)
        fmt = SHDR[cls]
        if shoff == 0 or shnum == 0:
            print('fix-qemu-elf: %s: no section headers' % path)
            return
        if shentsize != struct.calcsize(e + fmt) or shoff + shnum * shentsize > filesize:
            sys.exit('fix-qemu-elf: %s: bad section header table (shoff %#x, %d x %d)'
                     % (path, shoff, shnum, shentsize))
        fixed = 0
        for i in range(shnum):
            fp.seek(shoff + i * shentsize)
            raw = fp.read(shentsize)
            own = struct.unpack(e + fmt, raw)
            if plausible(own, filesize):
                continue
            swapped = struct.unpack(other + fmt, raw)
            if not plausible(swapped, filesize):
                sys.exit('fix-qemu-elf: %s: section header %d is bad in both byte orders' % (path, i))
            fp.seek(shoff + i * shentsize)
            fp.write(struct.pack(e + fmt, *swapped))
            fixed += 1
            print('fix-qemu-elf: %s: section header %d byte-swapped (type %#x offset %#x size %#x)'
                  % (path, i, swapped[1], swapped[4], swapped[5]))
        if not fixed:
            print('fix-qemu-elf: %s: section headers already in file byte order' % path)


if __name__ == '__main__':
    main()
