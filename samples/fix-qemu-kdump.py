#!/usr/bin/env python3
"""Give a kdump-compressed file written by QEMU's dump-guest-memory the block
size of the guest's pages.

A diskdump "block" is one page: the bitmaps have a bit and the descriptor
table an entry per block, and readers take the block size as the page size.
QEMU writes the arch's largest page size (target/arm/arch_dump.c,
cpu_get_dump_info: page_size 1 << 16 for aarch64, "If it's variable and
unknown, then this should be the maximum", include/sysemu/dump-arch.h), in
7.2 and in 10.0.2 alike, even when the dump's own VMCOREINFO says
PAGESIZE=4096; libkdumpfile 0.5.1 then fails every read of an arm64 4 KiB
kernel's file with "Out-of-bounds PFN" (docs/arch/arm64-samples.md).  The
other sample arches are unaffected: their block size is their page size
(s390x and x86_64 4 KiB, ppc64le 64 KiB).

If the VMCOREINFO note's PAGESIZE is smaller than the block size, the file
is written again with that block size: each block is split into its pages,
every page of a dumpable block stays dumpable (the bitmaps are widened bit
by bit), all-zero pages share one uncompressed zero page (as QEMU does), the
others are compressed with zlib at level 1 (QEMU's Z_BEST_SPEED; stored raw
when that does not make them smaller).  Header, sub-header and notes are
QEMU's, with the sizes and offsets that depend on the block size recomputed;
the page contents are unchanged.  A file whose block size already is the
page size, or that has no VMCOREINFO, is left as it is, so running it twice
changes nothing.  Only zlib-compressed or raw blocks can be split (the
kdump-zlib formats).

Usage: fix-qemu-kdump.py KDUMP        (exit 0: rewritten or already fine)
"""
import os
import re
import struct
import sys
import time
import zlib

# struct disk_dump_header / kdump_sub_header / page_desc (makedumpfile
# diskdump_mod.h, QEMU include/sysemu/dump.h: DiskDumpHeader64,
# KdumpSubHeader64, PageDescriptor), in the guest's byte order
HDR = '8sI390s6s16sIIIIIIIIII'      # 464 bytes
SUB = 'QIIQQQQQQQQQQQ'             # 104 bytes
DESC = 'QIIQ'                      # offset, size, flags, page_flags
ZLIB = 0x1                         # DUMP_DH_COMPRESSED_ZLIB


def fail(msg):
    sys.exit('fix-qemu-kdump: ' + msg)


def bits(bitmap, n):
    """the indices of the set bits among the first n (LSB first in each byte)"""
    for i, byte in enumerate(bitmap[:(n + 7) // 8]):
        if byte:
            for b in range(8):
                if byte >> b & 1 and i * 8 + b < n:
                    yield i * 8 + b


def widen(bitmap, n, k, size):
    """bitmap of n bits -> size bytes with every bit repeated k times"""
    out = bytearray(size)
    for i in bits(bitmap, n):
        for j in range(i * k, (i + 1) * k):
            out[j >> 3] |= 1 << (j & 7)
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: fix-qemu-kdump.py KDUMP')
    path = sys.argv[1]
    t0 = time.time()
    with open(path, 'rb') as f:
        raw = f.read(struct.calcsize(HDR))
        # the byte order in which header_version is small (s390x: big-endian)
        for e in '<>':
            h = list(struct.unpack(e + HDR, raw))
            if h[0] == b'KDUMP   ' and 0 < h[1] < 100:
                break
        else:
            fail('%s: not a diskdump file' % path)
        sub_s, desc_s = struct.Struct(e + SUB), struct.Struct(e + DESC)
        (_, version, _, _, _, status, bs, sub_blocks, bitmap_blocks, max_mapnr,
         _, _, _, _, _) = h
        f.seek(bs)
        sub = list(sub_s.unpack(f.read(sub_s.size)))
        off_vmci, size_vmci, off_note, size_note = sub[5:9]
        if version >= 6:
            max_mapnr = sub[13]
        f.seek(off_vmci)
        m = re.search(rb'^PAGESIZE=(\d+)$', f.read(size_vmci), re.M) if size_vmci else None
        if not m:
            print('fix-qemu-kdump: %s: no PAGESIZE in VMCOREINFO, block size %d kept' % (path, bs),
                  file=sys.stderr)
            return
        ps = int(m.group(1))
        if ps >= bs:
            print('fix-qemu-kdump: %s: block size %d already the page size' % (path, bs),
                  file=sys.stderr)
            return
        if bs % ps or status & ~ZLIB:
            fail('%s: block size %d, page size %d, status %#x: cannot split' % (path, bs, ps, status))
        k = bs // ps
        f.seek(off_note)
        notes = f.read(size_note)
        f.seek((1 + sub_blocks) * bs)
        half = bitmap_blocks * bs // 2
        bm1, bm2 = f.read(half), f.read(half)
        dumpable = list(bits(bm2, max_mapnr))

        # the new layout: header, sub-header + notes, the two bitmaps,
        # descriptors, page data (zero page first)
        new_mapnr = max_mapnr * k
        new_half = (new_mapnr + 8 * ps - 1) // (8 * ps) * ps
        new_sub_blocks = (sub_s.size + size_note + ps - 1) // ps
        new_off_note = ps + sub_s.size
        desc_off = (1 + new_sub_blocks) * ps + 2 * new_half
        data_off = desc_off + len(dumpable) * k * desc_s.size
        zero = bytes(ps)
        descs = bytearray()
        tmp = path + '.tmp'
        with open(tmp, 'wb') as out:
            out.seek(data_off)
            out.write(zero)
            pos = data_off + ps
            zero_desc = desc_s.pack(data_off, ps, 0, 0)
            f.seek((1 + sub_blocks) * bs + 2 * half)
            old = [desc_s.unpack(f.read(desc_s.size)) for _ in dumpable]
            for offset, size, flags, _ in old:
                f.seek(offset)
                block = f.read(size)
                if flags & ZLIB:
                    block = zlib.decompress(block)
                elif flags:
                    fail('%s: page flags %#x at %#x: not zlib' % (path, flags, offset))
                if len(block) != bs:
                    fail('%s: block at %#x is %d bytes, not %d' % (path, offset, len(block), bs))
                for i in range(0, bs, ps):
                    page = block[i:i + ps]
                    if page == zero:
                        descs += zero_desc
                        continue
                    c = zlib.compress(page, 1)
                    if len(c) < ps:
                        descs += desc_s.pack(pos, len(c), ZLIB, 0)
                    else:
                        c = page
                        descs += desc_s.pack(pos, ps, 0, 0)
                    out.write(c)
                    pos += len(c)
            h[6], h[7], h[8], h[9] = ps, new_sub_blocks, 2 * new_half // ps, min(new_mapnr, 0xffffffff)
            sub[5] = new_off_note + (off_vmci - off_note)
            sub[7] = new_off_note
            if version >= 6:
                sub[13] = new_mapnr
            out.seek(0)
            out.write(struct.pack(e + HDR, *h))
            out.seek(ps)
            out.write(sub_s.pack(*sub))
            out.write(notes)
            out.seek((1 + new_sub_blocks) * ps)
            out.write(widen(bm1, max_mapnr, k, new_half))
            out.write(widen(bm2, max_mapnr, k, new_half))
            out.write(descs)
    os.chmod(tmp, os.stat(path).st_mode & 0o777)
    os.replace(tmp, path)
    print('fix-qemu-kdump: %s: block size %d -> %d (%d blocks -> %d pages), %d bytes, %.1f s'
          % (path, bs, ps, len(dumpable), len(dumpable) * k, os.path.getsize(path),
             time.time() - t0), file=sys.stderr)


if __name__ == '__main__':
    try:
        main()
    except BaseException:
        if len(sys.argv) == 2 and os.path.exists(sys.argv[1] + '.tmp'):
            os.unlink(sys.argv[1] + '.tmp')     # a half-written copy
        raise
