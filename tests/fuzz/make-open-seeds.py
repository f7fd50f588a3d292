#!/usr/bin/env python3
"""Seed corpus of fuzz_open (tests/fuzz/corpus/open/) from the real samples.

Kept small (4-48 KB each; regress-* are inputs that crashed, hung or
allocated without bound before the guards in tools/backend_kdump.c): the fuzzer's input is a whole dump file.
  elf-head-SAMPLE     first 4 KiB of the ELF vmcore: headers and notes,
                      the one PT_LOAD cut off (the "truncated" path)
  elf-mini-SAMPLE     (s390x-6.1 only) the ELF headers and notes with PT_LOADs for only
                      the lowcore (pa 0-8 KiB) and the VMCOREINFO page it
                      points to: opens, attaches to the vmlinux (build-id
                      matches), and the engine then fails on init_task
  kdump-head-SAMPLE   first 4 KiB of vmcore.kdump (disk_dump_header)
  kdump-mini-SAMPLE   (s390x-6.1 only) the diskdump headers with max_mapnr cut to the
                      lowcore + VMCOREINFO pages, bitmaps and descriptors
                      rebuilt, raw (uncompressed) pages
Usage: tests/fuzz/make-open-seeds.py  (run from the repository top)
"""
import os
import struct

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(TOP, "tests", "fuzz", "corpus", "open")
PAGE = 4096


def phys(vmcore, pa, n):
    """n bytes at physical pa of a real sample (one PT_LOAD at offset off)."""
    with open(vmcore, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack(">Q", eh[32:40])
        phnum, = struct.unpack(">H", eh[56:58])
        f.seek(phoff)
        for _ in range(phnum):
            p_type, _fl, off, _va, ppa, filesz, _msz, _al = struct.unpack(">IIQQQQQQ", f.read(56))
            if p_type == 1 and ppa <= pa and pa + n <= ppa + filesz:
                f.seek(off + pa - ppa)
                return f.read(n)
    raise ValueError(hex(pa))


def vmcoreinfo_page(vmcore):
    lc = phys(vmcore, 0xe00, 0x20)
    return struct.unpack(">I", lc[0x10:0x14])[0] & ~(PAGE - 1)


def elf_mini(vmcore):
    with open(vmcore, "rb") as f:
        head = f.read(PAGE)
    phoff, = struct.unpack(">Q", head[32:40])
    note = struct.unpack(">IIQQQQQQ", head[phoff:phoff + 56])
    assert note[0] == 4
    note_off, note_sz = note[2], note[5]
    notes = head[note_off:note_off + note_sz]
    vi = vmcoreinfo_page(vmcore)
    segs = [(0, phys(vmcore, 0, 2 * PAGE)), (vi, phys(vmcore, vi, PAGE))]
    nph = 1 + len(segs)
    # ELF header (keep the real one, fix phoff/phnum/shoff/shnum)
    eh = bytearray(head[:64])
    struct.pack_into(">Q", eh, 32, 64)        # e_phoff
    struct.pack_into(">Q", eh, 40, 0)         # e_shoff
    struct.pack_into(">H", eh, 56, nph)       # e_phnum
    struct.pack_into(">H", eh, 60, 0)         # e_shnum
    struct.pack_into(">H", eh, 62, 0)         # e_shstrndx
    off = 64 + 56 * nph
    ph = struct.pack(">IIQQQQQQ", 4, 0, off, 0, 0, len(notes), len(notes), 0)
    off += len(notes)
    data = b""
    for pa, d in segs:
        ph += struct.pack(">IIQQQQQQ", 1, 7, off + len(data), pa, pa, len(d), len(d), 0)
        data += d
    return bytes(eh) + ph + notes + data


def kdump_mini(kdump, vmcore):
    """A diskdump file (makedumpfile format, header version 6) holding
    only the lowcore and VMCOREINFO pages, uncompressed."""
    with open(kdump, "rb") as f:
        hdr = bytearray(f.read(2 * PAGE))   # disk_dump_header + kdump_sub_header
    block, = struct.unpack(">i", hdr[0x1ac:0x1b0])
    assert block == PAGE
    vi = vmcoreinfo_page(vmcore)
    pfns = [0, 1, vi // PAGE]
    mapnr = pfns[-1] + 1
    bm_bytes = (mapnr + 7) // 8
    bm_blocks = 2 * ((bm_bytes + PAGE - 1) // PAGE)
    # disk_dump_header: sub_hdr_size @0x1b0, bitmap_blocks @0x1b4,
    # max_mapnr @0x1b8 (32 bit), total_ram_blocks, device_blocks,
    # written_blocks, current_cpu, nr_cpus
    struct.pack_into(">i", hdr, 0x1b0, 1)
    struct.pack_into(">i", hdr, 0x1b4, bm_blocks)
    struct.pack_into(">I", hdr, 0x1b8, mapnr)
    # kdump_sub_header_64 at block 1: phys_base @0, dump_level @8,
    # split @0xc, start_pfn @0x10, end_pfn @0x18, offset/size of
    # VMCOREINFO @0x20/0x28, notes @0x30/0x38, eraseinfo @0x40/0x48,
    # start/end_pfn_64 @0x50/0x58, max_mapnr_64 @0x60 (version 6):
    # keep it consistent, drop notes (VMCOREINFO then comes from the
    # lowcore, as in QEMU's dumps)
    sub = bytearray(hdr[PAGE:2 * PAGE])
    struct.pack_into(">Q", sub, 0x18, mapnr)
    struct.pack_into(">6Q", sub, 0x20, 0, 0, 0, 0, 0, 0)
    struct.pack_into(">QQ", sub, 0x58, mapnr, mapnr)
    bitmap = bytearray(bm_blocks // 2 * PAGE)
    for p in pfns:
        bitmap[p // 8] |= 1 << (p % 8)
    body = bytes(hdr[:PAGE]) + bytes(sub) + bytes(bitmap) * 2
    desc_off = len(body)
    data_off = desc_off + 24 * len(pfns)
    descs, data = b"", b""
    for p in pfns:
        pg = phys(vmcore, p * PAGE, PAGE)
        # page_desc: offset (8), size (4), flags (4), page_flags (8)
        descs += struct.pack(">qIIQ", data_off + len(data), PAGE, 0, 0)
        data += pg
    return body + descs + data


def main():
    os.makedirs(OUT, exist_ok=True)
    for s in ("s390x-6.1", "s390x-6.12"):
        d = os.path.join(TOP, "samples", "out", s)
        vmcore, kdump = os.path.join(d, "vmcore"), os.path.join(d, "vmcore.kdump")
        with open(vmcore, "rb") as f:
            open(os.path.join(OUT, f"elf-head-{s}"), "wb").write(f.read(PAGE))
        with open(kdump, "rb") as f:
            open(os.path.join(OUT, f"kdump-head-{s}"), "wb").write(f.read(PAGE))
        if s != "s390x-6.1":
            continue    # fuzz_open attaches the 6.1 vmlinux: one pair is enough
        open(os.path.join(OUT, f"elf-mini-{s}"), "wb").write(elf_mini(vmcore))
        open(os.path.join(OUT, f"kdump-mini-{s}"), "wb").write(kdump_mini(kdump, vmcore))
    for n in sorted(os.listdir(OUT)):
        print(n, os.path.getsize(os.path.join(OUT, n)))


if __name__ == "__main__":
    main()
