#!/usr/bin/env python3
"""Seeds of fuzz_kallsyms and fuzz_btf (tests/fuzz/corpus/{kallsyms,btf}):
small well-formed tables in the kernel's formats, so that the fuzzer
starts from inputs that decode.

kallsyms (scripts/kallsyms.c's layout; tests/fuzz/fuzz_kallsyms.c's
header): every printable character is its own token, names are the type
letter and the name, in both byte orders, with relative offsets, with
absolute-per-CPU offsets (negative ones) and with absolute addresses.
BTF (include/uapi/linux/btf.h): an int, a struct with a pointer member
and an anonymous union, a typedef, an enum, in both byte orders.
Run: python3 tests/fuzz/make-debuginfo-seeds.py (rewrites the seeds)."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SYMS = [("T", "_text", 0x0), ("T", "_stext", 0x0), ("D", "init_task", 0x2000),
        ("D", "init_mm", 0x3000), ("d", "init_mm", 0x3100), ("R", "__start_BTF", 0x4000),
        ("R", "__stop_BTF", 0x5000), ("B", "_end", 0x9000)]


def kallsyms(order, mode):
    e = "<>"[order]
    names = b""
    for t, n, _ in SYMS:
        s = (t + n).encode()
        names += bytes([len(s)]) + s           # token c is character c
    toks = b""
    index = []
    for c in range(256):
        index.append(len(toks))
        toks += (bytes([c]) if 32 < c < 127 else b"?") + b"\0"
    base = 0xffff800010000000
    if mode == "addresses":
        addrs = b"".join(struct.pack(e + "Q", base + a) for _, _, a in SYMS)
        rel = b""
    elif mode == "relative":
        addrs = b"".join(struct.pack(e + "i", a) for _, _, a in SYMS)
        rel = struct.pack(e + "Q", base)
    else:                                      # absolute per-CPU: negative offsets
        addrs = b"".join(struct.pack(e + "i", -a - 1) for _, _, a in SYMS)
        rel = struct.pack(e + "Q", base)
    mem = b""
    off = {}
    for name, blob in (("names", names), ("num", struct.pack(e + "I", len(SYMS))),
                       ("table", toks), ("index", b"".join(struct.pack(e + "H", i) for i in index)),
                       ("addrs", addrs), ("rel", rel or b"\0" * 8)):
        off[name] = len(mem)
        mem += blob + b"\0" * (-len(blob) % 8)
    head = bytes([order, mode == "addresses"]) + struct.pack(
        "<6I", off["names"], off["num"], off["table"], off["index"], off["addrs"], off["rel"])
    return head + mem


def btf(order):
    e = "<>"[order]
    strs = b"\0"
    soff = {}
    for s in ("int", "mm_struct", "pgd", "context", "pagetype", "PGTY_table", "pgtable_t", "asce"):
        soff[s] = len(strs)
        strs += s.encode() + b"\0"

    def t(name, kind, vlen, size_or_type, kflag=0):
        return struct.pack(e + "III", soff.get(name, 0), kind << 24 | kflag << 31 | vlen, size_or_type)

    types = (t("int", 1, 0, 4) + struct.pack(e + "I", 32)                 # 1 int
             + t("mm_struct", 4, 2, 16)                                   # 2 struct
             + struct.pack(e + "III", soff["pgd"], 3, 0)
             + struct.pack(e + "III", 0, 4, 64)
             + t("", 2, 0, 1)                                             # 3 int *
             + t("", 5, 2, 8)                                             # 4 anonymous union
             + struct.pack(e + "III", soff["context"], 1, 0)
             + struct.pack(e + "III", soff["asce"], 1, 0)
             + t("pagetype", 6, 1, 1) + struct.pack(e + "Ii", soff["PGTY_table"], 0xf2)  # 5 enum
             + t("pgtable_t", 8, 0, 2))                                   # 6 typedef
    hdr = struct.pack(e + "HBBIIIII", 0xeB9F, 1, 0, 24, 0, len(types), len(types), len(strs))
    return hdr + types + strs


def main():
    for order in (0, 1):
        for mode in ("relative", "percpu", "addresses"):
            p = os.path.join(HERE, "corpus", "kallsyms", f"{'le' if order == 0 else 'be'}-{mode}")
            open(p, "wb").write(kallsyms(order, mode))
        p = os.path.join(HERE, "corpus", "btf", f"{'le' if order == 0 else 'be'}-small")
        open(p, "wb").write(btf(order))


if __name__ == "__main__":
    main()
