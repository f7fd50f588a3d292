#!/usr/bin/env python3
"""Write a QEMU dump-guest-memory ELF again as the kdump kernel's /proc/vmcore
shows it, the input makedumpfile is written for.

Two things differ, and makedumpfile 1.7.6 needs both as /proc/vmcore has them:
  - the program headers right after the ELF header: makedumpfile reads phdr i
    at sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr) and ignores e_phoff
    (elf_info.c, get_elf64_phdr); QEMU puts its section headers there
    (e_shoff 64, e_phoff 192), so makedumpfile sees no PT_LOAD;
  - a VMCOREINFO note: fs/proc/vmcore.c merges the one the crashed kernel
    prepared (kernel/crash_core.c, vmcoreinfo_note) into PT_NOTE; QEMU's
    s390x and ppc64 dumps have only the CPU notes, and without VMCOREINFO
    makedumpfile needs the vmlinux's DWARF, which fails on s390x ("Can't
    detect max_physmem_bits": mem_section is a pointer, not an array);
    x86_64 guests with QEMU's vmcoreinfo device have the note already.

The note is read from the guest's memory where the kernel keeps it:
  s390x    lowcore.vmcore_info (absolute 0xe0c, arch/s390/include/asm/lowcore.h)
           holds its physical address;
  ppc64le  the pointer vmcoreinfo_note (kernel/crash_core.c; its address from
           --symbols, the vmlinux's nm output), a linear-map address
           (PAGE_OFFSET 0xc000000000000000, arch/powerpc/include/asm/page.h).
Memory contents are copied unchanged; loads start on a 64 KiB boundary.

Usage: proc-vmcore.py [--symbols NM] VMCORE OUT
"""
import argparse
import struct
import sys

PPC64_PAGE_OFFSET = 0xc000000000000000
ALIGN = 0x10000


def fail(msg):
    sys.exit(f"proc-vmcore: {msg}")


class Elf:
    def __init__(self, fp):
        self.fp = fp
        h = fp.read(64)
        if h[:4] != b"\x7fELF" or h[4] != 2:
            fail("not an ELF64 file")
        self.e = ">" if h[5] == 2 else "<"
        self.hdr = bytearray(h)
        self.machine, = struct.unpack(self.e + "H", h[18:20])
        phoff, = struct.unpack(self.e + "Q", h[32:40])
        phentsize, phnum = struct.unpack(self.e + "HH", h[54:58])
        fp.seek(phoff)
        self.phdrs = [list(struct.unpack(self.e + "IIQQQQQQ", fp.read(phentsize)[:56]))
                      for _ in range(phnum)]

    def loads(self):
        return [p for p in self.phdrs if p[0] == 1]

    def read_pa(self, pa, size):
        for _, _, off, _, paddr, filesz, _, _ in self.loads():
            if paddr <= pa and pa + size <= paddr + filesz:
                self.fp.seek(off + pa - paddr)
                return self.fp.read(size)
        fail(f"physical {pa:#x} (+{size}) is in no PT_LOAD")

    def u64(self, pa):
        return struct.unpack(self.e + "Q", self.read_pa(pa, 8))[0]


def vmcoreinfo_pa(elf, symbols):
    if elf.machine == 22:                       # EM_S390
        return elf.u64(0xe0c)
    if elf.machine == 21:                       # EM_PPC64
        if not symbols:
            fail("ppc64: --symbols (nm of the vmlinux) is needed to find vmcoreinfo_note")
        for line in open(symbols):
            f = line.split()
            if len(f) == 3 and f[2] == "vmcoreinfo_note":
                return elf.u64(int(f[0], 16) - PPC64_PAGE_OFFSET) - PPC64_PAGE_OFFSET
        fail(f"no vmcoreinfo_note in {symbols}")
    fail(f"e_machine {elf.machine}: no known place for the VMCOREINFO note")


def vmcoreinfo_note(elf, symbols):
    pa = vmcoreinfo_pa(elf, symbols)
    namesz, descsz, ntype = struct.unpack(elf.e + "III", elf.read_pa(pa, 12))
    if namesz != 11 or ntype != 0 or not 0 < descsz < 65536:
        fail(f"no VMCOREINFO note at physical {pa:#x} (namesz {namesz}, descsz {descsz})")
    size = 12 + 12 + (descsz + 3) // 4 * 4
    note = elf.read_pa(pa, size)
    if note[12:22] != b"VMCOREINFO":
        fail(f"the note at physical {pa:#x} is not VMCOREINFO")
    return note


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--symbols")
    ap.add_argument("vmcore")
    ap.add_argument("out")
    a = ap.parse_args()
    with open(a.vmcore, "rb") as fp:
        elf = Elf(fp)
        notes = b""
        for p in elf.phdrs:
            if p[0] == 4:                       # PT_NOTE
                fp.seek(p[2])
                notes += fp.read(p[5])
        if b"VMCOREINFO\0" not in notes:
            notes += vmcoreinfo_note(elf, a.symbols)
        loads = elf.loads()
        phnum = 1 + len(loads)
        off = 64 + 56 * phnum
        note_off = off
        off = (off + len(notes) + ALIGN - 1) // ALIGN * ALIGN
        hdr = elf.hdr
        struct.pack_into(elf.e + "QQ", hdr, 32, 64, 0)                 # e_phoff, e_shoff
        struct.pack_into(elf.e + "HHHHHH", hdr, 52, 64, 56, phnum, 0, 0, 0)
        out_ph = [struct.pack(elf.e + "IIQQQQQQ", 4, 0, note_off, 0, 0, len(notes), len(notes), 0)]
        placed = []
        for p in loads:
            q = list(p)
            q[2] = off
            out_ph.append(struct.pack(elf.e + "IIQQQQQQ", *q))
            placed.append((p[2], off, p[5]))
            off = (off + p[5] + ALIGN - 1) // ALIGN * ALIGN
        with open(a.out, "wb") as out:
            out.write(hdr)
            out.write(b"".join(out_ph))
            out.write(notes)
            for src, dst, size in placed:
                out.seek(dst)
                fp.seek(src)
                left = size
                while left:
                    buf = fp.read(min(left, 1 << 24))
                    if not buf:
                        fail(f"{a.vmcore} ends inside a PT_LOAD")
                    # zero runs stay holes: the x86_64 dumps are 4 GiB of
                    # mostly free memory
                    if buf.count(0) == len(buf):
                        out.seek(len(buf), 1)
                    else:
                        out.write(buf)
                    left -= len(buf)
            out.truncate(off if not placed else placed[-1][1] + placed[-1][2])


if __name__ == "__main__":
    main()
