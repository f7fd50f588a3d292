#!/usr/bin/env python3
"""Copy a kdump-compressed file with more pages left out, the way
makedumpfile leaves a page out: its bit cleared in the second page bitmap
and its page descriptor removed from the table (readers find a page's
descriptor by counting the set bits before it: makedumpfile.c,
write_kdump_pages_and_bitmap_cyclic; libkdumpfile diskdump.c; crash
diskdump.c, pfn_to_pos).  The page data stays in the file, unreferenced.

Usage: exclude.py IN OUT PA...      (PA: any address inside the page)
"""
import shutil
import struct
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    src, dst, addrs = sys.argv[1], sys.argv[2], [int(a, 0) for a in sys.argv[3:]]
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as f:
        h = f.read(0x1c0)
        if h[:8] not in (b"KDUMP   ", b"DISKDUMP"):
            sys.exit(f"exclude: {src}: not a kdump-compressed file")
        e = ">" if struct.unpack("<i", h[8:12])[0] > 0xffff else "<"
        # disk_dump_header, 64-bit layout: block_size, sub_hdr_size,
        # bitmap_blocks, max_mapnr after signature, version, utsname, timestamp
        bs, shs, bb, _ = struct.unpack(e + "iiII", h[0x1ac:0x1bc])
        bm_off = (1 + shs) * bs
        half = bb * bs // 2
        f.seek(bm_off + half)
        bm2 = bytearray(f.read(half))
        desc_off = (1 + shs + bb) * bs
        ndumped = sum(bin(x).count("1") for x in bm2)
        f.seek(desc_off)
        descs = bytearray(f.read(24 * ndumped))
        for pfn in sorted({a // bs for a in addrs}, reverse=True):
            if not bm2[pfn >> 3] >> (pfn & 7) & 1:
                continue
            rank = sum(bin(x).count("1") for x in bm2[:pfn >> 3]) + \
                bin(bm2[pfn >> 3] & ((1 << (pfn & 7)) - 1)).count("1")
            del descs[24 * rank:24 * rank + 24]
            bm2[pfn >> 3] &= ~(1 << (pfn & 7)) & 0xff
        f.seek(bm_off + half)
        f.write(bm2)
        f.seek(desc_off)
        f.write(descs)


if __name__ == "__main__":
    main()
