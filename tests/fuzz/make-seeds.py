#!/usr/bin/env python3
"""Write the small seed corpora of the fuzzers from a real sample.

Real table words (region-3, segment, pte, as found in s390x-6.1) become
decoder records (level, value) and walker records (world address, value)
that put real entries into the synthetic world's tables.  For a ppc64le
sample: records (mmu|level, entry as in memory) for fuzz_decode_ppc, from
the entries of its tables and the values of its planted findings; for an
arm64 sample the same for fuzz_decode_arm64 and fuzz_walk_arm64.
Usage: tests/fuzz/make-seeds.py [SAMPLE]   (needs make test data: the
planted run's JSON in $THPCHECK_CACHE/work/SAMPLE)
"""
import json
import os
import struct
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.environ.get("THPCHECK_CACHE", os.path.expanduser("~/.cache/thpcheck"))
sample = sys.argv[1] if len(sys.argv) > 1 else "s390x-6.1"


def ppc_seeds():
    """(0x80 if hash) | level, then the 8 entry bytes as in memory"""
    levels = {"pgd": 0, "pud": 1, "pmd": 2, "pte": 3}
    sel = 0x80 if sample.endswith("hash") else 0
    sd = os.path.join(TOP, "samples", "out", sample)
    d = os.path.join(TOP, "tests/fuzz/corpus/decode_ppc")
    os.makedirs(d, exist_ok=True)
    planted = json.load(open(os.path.join(CACHE, "work", sample, "thpcheck-planted.json")))
    recs = b"".join(bytes([sel | levels[f["level"]]]) + int(f["value"], 16).to_bytes(8, "big")
                    for f in planted["findings"] if f.get("level") in levels and f.get("value"))
    open(os.path.join(d, sample + "-findings"), "wb").write(recs)
    tabs = subprocess.run([os.path.join(TOP, "build/thpscan"), "-q", "--tables",
                           os.path.join(sd, "vmlinux"), os.path.join(sd, "vmcore")],
                          capture_output=True, text=True).stdout
    recs, seen = b"", set()
    for line in tabs.splitlines():
        t = json.loads(line) if line.startswith("{") else {}
        if t.get("level") not in levels or "deposited_on" in t:
            continue
        lvl = levels[t["level"]]
        words = subprocess.run([os.path.join(TOP, "build/vmcore-poke"), os.path.join(sd, "vmcore"),
                                "read", t["pa"], "32"], capture_output=True, text=True).stdout.split()
        for w in words:     # vmcore-poke prints little-endian words
            mem = int(w, 16).to_bytes(8, "little")
            key = (lvl, int.from_bytes(mem, "big") & 0xc0000000000001ff)
            if int(w, 16) and key not in seen:
                seen.add(key)
                recs += bytes([sel | lvl]) + mem
    open(os.path.join(d, sample + "-tables"), "wb").write(recs)
    print(f"{len(recs) // 9} table entries -> {d}")


def arm64_seeds():
    """fuzz_decode_arm64: (v6.10+ << 7) | level, the entry little-endian,
    from the sample's tables and its planted findings; fuzz_walk_arm64:
    the world byte, then (U_PTE/U_PMD word, entry) records that put the
    sample's real ptes and pmds into the synthetic world's tables"""
    levels = {"pgd": 0, "pud": 1, "pmd": 2, "pte": 3}
    world = {"pmd": 0x212000, "pte": 0x213000}       # world_arm64.h U_PMD, U_PTE
    v610 = 0x80 if sample.endswith("6.12") else 0
    sd = os.path.join(TOP, "samples", "out", sample)
    dd = os.path.join(TOP, "tests/fuzz/corpus/decode_arm64")
    wd = os.path.join(TOP, "tests/fuzz/corpus/walk_arm64")
    for d in (dd, wd):
        os.makedirs(d, exist_ok=True)
    planted = json.load(open(os.path.join(CACHE, "work", sample, "thpcheck-planted.json")))
    recs = b"".join(bytes([v610 | levels[f["level"]]]) + int(f["value"], 16).to_bytes(8, "little")
                    for f in planted["findings"] if f.get("level") in levels and f.get("value"))
    tabs = subprocess.run([os.path.join(TOP, "build/thpscan"), "-q", "--tables",
                           os.path.join(sd, "vmlinux"), os.path.join(sd, "vmcore")],
                          capture_output=True, text=True).stdout
    walk, seen = bytes([v610 >> 7]), set()
    for line in tabs.splitlines():
        t = json.loads(line) if line.startswith("{") else {}
        if t.get("level") not in levels or "deposited_on" in t or t.get("mm_kernel"):
            continue
        words = subprocess.run([os.path.join(TOP, "build/vmcore-poke"), os.path.join(sd, "vmcore"),
                                "read", t["pa"], "32"], capture_output=True, text=True).stdout.split()
        for i, w in enumerate(words):
            v = int(w, 16)
            key = (t["level"], v & 0xfff0000000000fff)
            if v and key not in seen:
                seen.add(key)
                recs += bytes([v610 | levels[t["level"]]]) + v.to_bytes(8, "little")
                if t["level"] in world and len(walk) < 12 * 64:
                    walk += struct.pack(">IQ", world[t["level"]] + 8 * (32 + i), v)
    open(os.path.join(dd, sample), "wb").write(recs)
    open(os.path.join(wd, sample), "wb").write(walk)
    print(f"{len(recs) // 9} decoder records, {len(walk) // 12} walker records -> {dd}, {wd}")


if sample.startswith("ppc64le"):
    ppc_seeds()
    sys.exit(0)
if sample.startswith("arm64"):
    arm64_seeds()
    sys.exit(0)
js = json.load(open(os.path.join(CACHE, "work", sample, "thpcheck-planted.json")))
core = os.path.join(TOP, "samples", "out", sample, "vmcore")
LEVEL = {"pud": 2, "pmd": 3, "pte": 4}
WORLD = {2: 0x200000, 3: 0x204000, 4: 0x208000}   # U_R3, U_SEG, U_PT
N = {2: 2048, 3: 2048, 4: 256}
seen = set()
out = {"decode": os.path.join(TOP, "tests/fuzz/corpus/decode_s390"),
       "walk": os.path.join(TOP, "tests/fuzz/corpus/walk_s390")}
for d in out.values():
    os.makedirs(d, exist_ok=True)
for f in js["findings"]:
    lvl = LEVEL.get(f["level"])
    if lvl is None or f["table_pa"] is None or (lvl, f["table_pa"]) in seen:
        continue
    seen.add((lvl, f["table_pa"]))
    words = subprocess.run([os.path.join(TOP, "build/vmcore-poke"), core, "read",
                            f["table_pa"], str(N[lvl])], capture_output=True,
                           text=True).stdout.split()
    used = [(i, int(w, 16)) for i, w in enumerate(words)
            if int(w, 16) not in (0x400, 0x20, 0x24)][:64]
    name = f"{f['level']}-{f['table_pa']}"
    with open(os.path.join(out["decode"], name), "wb") as fh:
        for _, v in used:
            fh.write(struct.pack(">BQ", lvl, v))
    with open(os.path.join(out["walk"], name), "wb") as fh:
        for i, v in used:
            fh.write(struct.pack(">IQ", WORLD[lvl] + 8 * i, v))
print(f"{len(seen)} tables -> {out['decode']}, {out['walk']}")
