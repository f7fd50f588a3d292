#!/usr/bin/env python3
"""Real-dump tests: every sample opened in crash with thpcheck loaded.

Per sample, two crash sessions (crash starts in 30-60 s under qemu-user, so
all commands of a session are batched):
  1. the clean ELF vmcore: sys, ps, vm, help, thpcheck -j/-t/-e/-s/-l;
  2. a copy of it with one instance of every signature planted by
     build/vmcore-poke: thpcheck -j, 1,000 vtop look-ups, and sys again to
     show the session survived.
Prints "ok - ..." / "not ok - ..." lines and "N passed, N failed".
"""
import json
import os
import random
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.environ.get("THPCHECK_CACHE", os.path.expanduser("~/.cache/thpcheck"))
POKE = os.path.join(TOP, "build", "vmcore-poke")
# page, THP and hugetlb sizes in kB, per scheme (s390: 4K pages and 1 MiB
# segments; ppc64 64K pages: radix 2 MiB pmds, hash 16 MiB pmds)
SIZES = {"s390": (4, 1024, 1024), "ppc64-radix": (64, 2048, 2048),
         "ppc64-hash": (64, 16384, 16384), "x86_64": (4, 2048, 2048),
         "arm64": (4, 2048, 2048)}
# the size of a huge pud in kB (x86_64, arm64: 1 GiB hugetlb; none elsewhere)
PUD_KB = {"x86_64": 1 << 20, "arm64": 1 << 20}
SCHEME = {"s390x-6.1": "s390-frag2k", "s390x-6.12": "s390-wholepage",
          "ppc64le-6.1-radix": "ppc64-radix", "ppc64le-6.1-hash": "ppc64-hash",
          "x86_64-6.1": "x86_64-4level", "x86_64-6.12": "x86_64-4level",
          "x86_64-6.1-la57": "x86_64-5level",
          "arm64-6.1": "arm64-4k-48bit", "arm64-6.12": "arm64-4k-48bit"}


def family(scheme):
    return "s390" if scheme.startswith("s390") else \
        "x86_64" if scheme.startswith("x86_64") else \
        "arm64" if scheme.startswith("arm64") else scheme


def sizes(scheme):
    return SIZES[family(scheme)]


def ext_for(man):
    """The extension built for the crash samples/crash runs: for ppc64le
    and arm64 the x86_64 crash of samples/build-crash-cross.sh when it is
    there."""
    arch = man.get("arch", "s390x")
    cross = {"ppc64le": "ppc64", "arm64": "arm64"}.get(arch)
    if cross and os.access(os.path.join(CACHE, "crash-" + cross, "bin", "crash"), os.X_OK) \
            and os.environ.get("CRASH_QEMU_USER", "0") != "1":
        return os.path.join(TOP, "build", arch + "-native", "thpcheck.so")
    return os.path.join(TOP, "build", arch, "thpcheck.so")
NSAMPLE_VTOP = int(os.environ.get("THPCHECK_VTOP_SAMPLES", "1000"))

sys.path.insert(0, os.path.join(TOP, "tests"))
from tap import check  # noqa: E402
import tap  # noqa: E402


MARK = 900000000


def crash_session(sample, commands, vmcore=None):
    """Run commands in one crash session; return {index: output}."""
    script = ["set scroll off"]
    for i, cmd in enumerate(commands):
        script.append(cmd)
        script.append(f"p {MARK + i}")
    script.append("quit")
    args = [os.path.join(TOP, "samples", "crash"), sample, "-s"]
    env = dict(os.environ)
    if vmcore:
        env["SAMPLE_DUMP"] = vmcore
    p = subprocess.run(args, input="\n".join(script) + "\n", text=True,
                       capture_output=True, env=env, timeout=3600)
    outs, cur = {}, []
    for line in p.stdout.splitlines():
        m = re.match(r"^\$\d+ = (\d+)$", line.strip())
        if m and int(m.group(1)) >= MARK:
            outs[int(m.group(1)) - MARK] = "\n".join(cur)
            cur = []
        else:
            cur.append(line)
    return outs, p


def parse_vm(text):
    """VMAs from crash's 'vm' output: (start, end, flags)."""
    vmas = []
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 4 and all(re.fullmatch(r"[0-9a-f]+", x) for x in f[:4]):
            vmas.append((int(f[1], 16), int(f[2], 16), int(f[3], 16)))
    return vmas


def in_vmas(vmas, va, size=1):
    return any(s <= va and va + size <= e for s, e, _ in vmas)


def touches_vmas(vmas, va, size):
    return any(s < va + size and va < e for s, e, _ in vmas)


def deposit_rings(deposited):
    """the deposited tables of a -t inventory, grouped by the table they
    are deposited on: {pmd table: [table pa, ...]}"""
    rings = {}
    for d in deposited:
        rings.setdefault(d["deposited_on"], []).append(int(d["pa"], 16))
    return rings


def poke_read(path, pa, n):
    out = subprocess.run([POKE, path, "read", hex(pa), str(n)], check=True,
                         capture_output=True, text=True).stdout
    return [int(x, 16) for x in out.split()]


def poke_write(path, pa, value):
    subprocess.run([POKE, path, "write", hex(pa), hex(value)], check=True)


def json_lines(text):
    res = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                res.append(json.loads(line))
            except ValueError:
                pass
    return res


# ---------------------------------------------------------------- session 1

def lab_checks(sample, man, outs):
    """Issue 'real-dump lab': crash works and the sample holds what it must."""
    sysout = outs.get(1, "")
    m = re.search(r"RELEASE:\s*(\S+)", sysout)
    check(m and m.group(1) == man["kernel_release"],
          f"{sample}: sys RELEASE is the manifest's {man['kernel_release']}",
          m.group(1) if m else sysout[:200])
    check("shared object loaded" in outs.get(0, ""),
          f"{sample}: extend loads thpcheck.so", outs.get(0, "")[:200])
    ps = outs.get(2, "")
    for p in man["processes"]:
        check(re.search(rf"^\s*>?\s*{p['pid']}\s", ps, re.M) is not None,
              f"{sample}: ps lists pid {p['pid']} ({p['comm']})")
    procs = man["processes"]
    thp = [p for p in procs if p.get("anon_huge_kb", 0) > 0]
    check(len(thp) >= 1, f"{sample}: manifest shows THP (AnonHugePages > 0)")
    check(len(thp) >= 2, f"{sample}: manifest shows THP shared after fork "
          f"({len(thp)} processes with AnonHugePages)")
    hug = sum(p.get("shared_hugetlb_kb", 0) + p.get("private_hugetlb_kb", 0)
              for p in procs)
    check(hug > 0, f"{sample}: manifest shows hugetlb pages in use ({hug} kB)")
    check("thpcheck" in outs.get(8, "") and "SYNOPSIS" in outs.get(8, ""),
          f"{sample}: help thpcheck")


def engine_checks(sample, man, js):
    """Issue 'engine': 0 findings, counts equal the guest's own figures."""
    check(js is not None, f"{sample}: thpcheck -j is one JSON object")
    if js is None:
        return
    check(js["findings"] == [], f"{sample}: 0 findings on the clean dump",
          json.dumps(js["findings"][:3]))
    if sample in SCHEME:
        check(js["scheme"] == SCHEME[sample],
              f"{sample}: scheme {SCHEME[sample]}", js["scheme"])
    if "pti_enabled" in man:
        check(js["scheme"].endswith("-pti") == man["pti_enabled"],
              f"{sample}: PTI {'on' if man['pti_enabled'] else 'off'} as the guest's "
              "/proc/cpuinfo says", js["scheme"])
    page_kb, thp_kb, huge_kb = sizes(js["scheme"])
    bypid = {}
    for m in js["mms"]:
        for pid in m["pids"]:
            bypid[pid] = m
    for p in man["processes"]:
        m = bypid.get(p["pid"])
        name = f"{sample}: pid {p['pid']} ({p.get('role', p['comm'])})"
        if not check(m is not None, f"{name}: mm walked"):
            continue
        check(m["thp_pmds"] * thp_kb == p["anon_huge_kb"],
              f"{name}: THP pmds {m['thp_pmds']} x {thp_kb} kB == AnonHugePages ({p['anon_huge_kb']} kB)")
        hk = p.get("shared_hugetlb_kb", 0) + p.get("private_hugetlb_kb", 0)
        pud_kb = PUD_KB.get(family(js["scheme"]), 0)
        # arm64: 64 KiB hugetlb pages are 16 ptes each
        got = m["hugetlb_pmds"] * huge_kb + m["huge_puds"] * pud_kb + \
            m["hugetlb_ptes"] * page_kb
        check(got == hk, f"{name}: hugetlb pmds {m['hugetlb_pmds']} x {huge_kb} kB"
              + (f" + puds {m['huge_puds']} x {pud_kb} kB" if pud_kb else "")
              + (f" + ptes {m['hugetlb_ptes']} x {page_kb} kB" if m["hugetlb_ptes"] else "")
              + f" == hugetlb {hk} kB")
        rss = page_kb * (m["present_ptes"] - m["special_ptes"]) + thp_kb * m["thp_pmds"]
        check(rss == p["rss_kb"],
              f"{name}: {page_kb}K*(present-special ptes) + {thp_kb}K*THP = {rss} kB == Rss {p['rss_kb']} kB")
        check(m["swap_ptes"] * page_kb == p.get("swap_kb", 0),
              f"{name}: swap ptes {m['swap_ptes']} == Swap {p.get('swap_kb', 0)} kB")


# ---------------------------------------------------------------- plants

def choose_plants(sample, man, tables, vmas_by_pid, vmcore):
    """One place per signature in the parent's (and a child's) tables."""
    procs = man["processes"]
    parent = next((p for p in procs if p.get("role") == "parent"), procs[0])
    other = next((p for p in procs if p["pid"] != parent["pid"]), parent)
    pid = parent["pid"]
    vmas = vmas_by_pid.get(pid, [])
    mine = [t for t in tables if t.get("pid") == pid]
    ptes = [t for t in mine if t["level"] == "pte"]
    segs = [t for t in mine if t["level"] == "pmd"]
    puds = [t for t in mine if t["level"] == "pud"]
    plants = []
    used = set()

    def add(sig, table, idx, value, exp_table=None, exp_index=None,
            exp_value=None):
        pa = table + 8 * idx
        used.add(pa)
        plants.append(dict(sig=sig, pa=pa, value=value,
                           table=exp_table if exp_table is not None else table,
                           index=exp_index if exp_index is not None else idx,
                           expect_value=value if exp_value is None else exp_value))

    pte_tabs = []
    for t in ptes:
        pa, va0 = int(t["pa"], 16), int(t["va"], 16)
        pte_tabs.append((pa, va0, poke_read(vmcore, pa, 256)))
    seg_tabs = []
    for t in segs:
        pa, va0 = int(t["pa"], 16), int(t["va"], 16)
        seg_tabs.append((pa, va0, poke_read(vmcore, pa, 2048)))

    def free_pte(inside=None):
        for pa, va0, w in pte_tabs:
            for i, v in enumerate(w):
                va = va0 + (i << 12)
                if v != 0x400 or pa + 8 * i in used:
                    continue
                if inside is None or in_vmas(vmas, va) == inside:
                    return pa, i, w
        return None

    def free_seg():
        for pa, va0, w in seg_tabs:
            for i, v in enumerate(w):
                va = va0 + (i << 20)
                if v == 0x20 and pa + 8 * i not in used and \
                        not touches_vmas(vmas, va, 1 << 20):
                    return pa, i
        return None

    r = free_pte()
    if r:
        add("S390_PTE_ORED_SEG_INVALID", r[0], r[1], 0x420)
    r = free_pte()
    if r:
        add("S390_PTE_ILLEGAL", r[0], r[1], 0x0)
    r = free_pte(inside=False)
    present = [v for _, _, w in pte_tabs for v in w if v & 1 and not v & 0x800]
    if r and present:
        add("PTE_OUTSIDE_VMA", r[0], r[1], present[0])
    for pa, va0, w in pte_tabs:
        done = False
        for i, v in enumerate(w):
            va = va0 + (i << 12)
            vma = next((x for x in vmas if x[0] <= va < x[1]), None)
            if v & 1 and not v & 0x20 and v & 0x200 and vma and \
                    not vma[2] & 2 and pa + 8 * i not in used:
                add("PTE_WRITE_IN_READONLY_VMA", pa, i, v | 0x20)
                done = True
                break
        if done:
            break
    r = free_seg()
    if r:
        add("S390_SEG_EMPTY_LARGE", r[0], r[1], 0x420)
    r = free_seg()
    if r and pte_tabs:
        add("S390_SEG_ILLEGAL", r[0], r[1], pte_tabs[0][0] | 0x4)
    r = free_seg()
    if r and pte_tabs:
        add("TABLE_MULTI_REF", r[0], r[1], pte_tabs[-1][0])
    r = free_seg()
    if r:
        add("THP_IN_BAD_VMA", r[0], r[1], 0x100000 | 0x3403)
    for t in puds:
        pa = int(t["pa"], 16)
        w = poke_read(vmcore, pa, 2048)
        idx = next((i for i in range(1, 2048) if w[i] == 0x24), None)
        if idx is not None and seg_tabs:
            add("S390_REGION_ILLEGAL", pa, idx, seg_tabs[0][0] | 0x4)
            break
    # the 2016 IDTE pattern: 0x420 in the first word of a pte-table page
    # that lies just below a segment table (docs/signatures.md)
    seg_all = {int(t["pa"], 16) for t in tables if t["level"] == "pmd"}
    for t in tables:
        pa = int(t["pa"], 16)
        if t["level"] == "pte" and pa % 4096 == 0 and pa + 4096 in seg_all \
                and pa not in used and poke_read(vmcore, pa, 1)[0] == 0x400:
            add("S390_PTE_ORED_SEG_INVALID", pa, 0, 0x420)
            plants[-1]["detail"] = "exactly where IDTE lands"
            break
    else:
        print(f"# {sample}: no empty first pte just below a segment table; "
              "the IDTE placement is covered by the unit test")
    # a segment entry of another process pointing past the end of memory
    oseg = [t for t in tables if t.get("pid") == other["pid"] and t["level"] == "pmd"]
    if oseg:
        pa = int(oseg[0]["pa"], 16)
        w = poke_read(vmcore, pa, 2048)
        idx = next((i for i in range(2047, 0, -1) if w[i] == 0x20), None)
        if idx is not None:
            bad = 0x7ff00000000
            add("READ_ERROR", pa, idx, bad, exp_table=bad, exp_index=-1,
                exp_value=0)
    return plants


def parse_layout(page_o, ptdesc_o):
    """Byte offsets of the struct page / ptdesc members the plants touch."""
    lay = {}
    for text in (ptdesc_o, page_o):
        for name, key in (("lru", "lru"), ("pt_list", "lru"),
                          ("_refcount", "refcount"), ("__page_refcount", "refcount"),
                          ("page_type", "type"), ("__page_type", "type"),
                          ("pmd_huge_pte", "huge_pte"),
                          ("pt_frag_refcount", "frag_refcount")):
            m = re.search(rf"^\s*\[(\d+)\][^\n]*\b{name};", text, re.M)
            if m and key not in lay:
                lay[key] = int(m.group(1))
    return lay


def write32(path, pa, value):
    """Store a 32-bit field of a big-endian dump via its 8-byte word."""
    word = poke_read(path, pa & ~7, 1)[0]
    shift = 32 if pa % 8 == 0 else 0
    word = (word & ~(0xffffffff << shift)) | (value << shift)
    return pa & ~7, word


def read32(path, pa):
    word = poke_read(path, pa & ~7, 1)[0]
    return (word >> (32 if pa % 8 == 0 else 0)) & 0xffffffff


def choose_struct_plants(sample, man, tables, deposited, lay, scheme, vmcore, touched):
    """Fragment bits, page types, pgtable_list and deposit rings."""
    plants = []
    if not {"refcount", "type", "lru"} <= set(lay):
        return plants
    pids = {p["pid"] for p in man["processes"]}
    # pte-table pages of the workload, with their fragment byte
    pages = {}
    for t in tables:
        if t["level"] == "pte" and t.get("pid") in pids:
            pa = int(t["pa"], 16) & ~0xfff
            pages.setdefault(pa, int(t["page_pa"] or "0", 16))
    info = []
    for pa, spa in sorted(pages.items()):
        ref = read32(vmcore, spa + lay["refcount"])
        info.append((pa, spa, ref, ref >> 24))
    # pages whose entries carry a plant: a struct-page plant there would
    # fold or hide that finding (S390_FRAG_NOT_PGTABLE folds a page's
    # entry findings), so each plant gets a page of its own
    used = set(touched)

    def take(pred):
        for pa, spa, ref, m in info:
            if pa not in used and pred(m):
                used.add(pa)
                return pa, spa, ref, m
        return None

    def plant32(sig, spa_field, value, table, index, expect):
        wpa, word = write32(vmcore, spa_field, value)
        plants.append(dict(sig=sig, pa=wpa, value=word, table=table,
                           index=index, expect_value=expect))

    if scheme.startswith("s390-frag2k"):
        r = take(lambda m: m == 0x03)
        if r:
            new = (0x13 << 24) | (r[2] & 0xffffff)
            plant32("S390_FRAG_AA_PP", r[1] + lay["refcount"], new, r[0], -1, new)
        r = take(lambda m: m == 0x03)
        if r:
            new = (0x01 << 24) | (r[2] & 0xffffff)
            plant32("S390_FRAG_FREE_REFERENCED", r[1] + lay["refcount"], new,
                    r[0] + 0x800, -1, new)
        r = take(lambda m: m in (1, 2))
        if r:
            new = (0x03 << 24) | (r[2] & 0xffffff)
            free_half = 1 if r[3] == 1 else 0
            plant32("S390_FRAG_LIST", r[1] + lay["refcount"], new, r[0], -1, new)
            plants.append(dict(sig="S390_FRAG_ORPHAN", pa=None, value=None,
                               table=r[0] + 0x800 * free_half, index=-1,
                               expect_value=new))
        else:
            # no half-used page in this dump: a full page whose bits say
            # one half is free is off the list it should be on
            r = take(lambda m: m == 0x03)
            if r:
                new = (0x02 << 24) | (r[2] & 0xffffff)
                plant32("S390_FRAG_LIST", r[1] + lay["refcount"], new, r[0], -1, new)
        r = take(lambda m: m in (1, 2))
        if not r and "pgtable_list" in lay:
            # an empty list: its head's next becomes 0x400
            parent = next((p for p in man["processes"] if p.get("role") == "parent"),
                          man["processes"][0])
            mm = next((int(t["mm"], 16) for t in tables if t.get("pid") == parent["pid"]), None)
            if mm is not None:
                head = mm + lay["pgtable_list"]      # v6.1: kernel VA == pa
                plants.append(dict(sig="LIST_CORRUPT", pa=head, value=0x400,
                                   table=head, index=0, expect_value=0x400))
        if r:
            page_va = r[1]     # replaced below by the kernel VA
            for t in tables:
                if int(t["pa"], 16) & ~0xfff == r[0]:
                    page_va = int(t["page"], 16)
                    break
            lru_va = page_va + lay["lru"]
            plants.append(dict(sig="LIST_CORRUPT", pa=r[1] + lay["lru"], value=0x400,
                               table=lru_va, index=0, expect_value=0x400))
    r = take(lambda m: True)
    if r:
        ptype = read32(vmcore, r[1] + lay["type"])
        # the page's first half in use, referenced or deposited: the
        # finding names that one (frag_s390.c judge_page)
        table = min(int(t["pa"], 16) for t in tables + deposited
                    if int(t["pa"], 16) & ~0xfff == r[0] and t.get("level") == "pte")
        plant32("S390_FRAG_NOT_PGTABLE", r[1] + lay["type"], 0xffffffff,
                table, -1, 0xffffffff)
    # deposit rings: three different rings
    rings = deposit_rings(deposited)
    ring_keys = sorted(rings)
    if len(ring_keys) >= 3:
        d1 = rings[ring_keys[0]][-1]
        plants.append(dict(sig="DEPOSIT_NOT_EMPTY", pa=d1 + 8 * 5, value=0x123000 | 0x3d,
                           table=d1, index=5, expect_value=0x123000 | 0x3d))
        d2 = rings[ring_keys[1]][0]
        plants.append(dict(sig="DEPOSIT_LIST_CORRUPT", pa=d2, value=0x400,
                           table=d2, index=0, expect_value=0x400))
        t3 = int(ring_keys[2], 16)
        t3_page = next((int(t["page_pa"] or "0", 16) for t in tables
                        if int(t["pa"], 16) == t3), None)
        if t3_page is not None and "huge_pte" in lay:
            plants.append(dict(sig="DEPOSIT_COUNT", pa=t3_page + lay["huge_pte"], value=0,
                               table=t3, index=-1, expect_value=0))
            if scheme.startswith("s390-frag2k") and \
                    not any(p["sig"] == "S390_FRAG_ORPHAN" for p in plants):
                # the emptied ring's tables are allocated and unreferenced
                node = rings[ring_keys[2]][0]
                npage = next((int(d["page_pa"] or "0", 16) for d in deposited
                              if int(d["pa"], 16) == node), None)
                if npage is not None:
                    ref = read32(vmcore, npage + lay["refcount"])
                    if not any(p.get("pa") and p["pa"] & ~7 == (npage + lay["refcount"]) & ~7
                               for p in plants):
                        plants.append(dict(sig="S390_FRAG_ORPHAN", pa=None, value=None,
                                           table=node, index=-1, expect_value=ref))
    return plants


PPC_SIGS = {"PPC_PTE_ILLEGAL", "PPC_PMD_ILLEGAL", "PPC_PUD_ILLEGAL", "PPC_PGD_ILLEGAL",
            "TABLE_MULTI_REF",
            "PTE_OUTSIDE_VMA", "READ_ERROR", "PPC_FRAG_REFCOUNT",
            "DEPOSIT_NOT_EMPTY", "DEPOSIT_COUNT"}


def bswap(v):
    return int.from_bytes(v.to_bytes(8, "big"), "little")


def choose_ppc_struct_plants(sample, tables, deposited, lay, vmcore, used_pages):
    """pt_frag_refcount and deposits (radix rings, hash slot arrays)."""
    plants = []
    hash_mmu = "hash" in sample
    if "frag_refcount" in lay:
        for t in tables:
            if t["level"] == "pte" and t.get("pid", -1) > 1:
                page = int(t["pa"], 16) & ~0xffff
                # hash MMU: vmemmap is bolted in the HPT, not in the Linux
                # tables, so the engine cannot give the struct page's pa
                if page in used_pages or int(t["page_pa"] or "0", 16) == 0:
                    continue
                fpa = int(t["page_pa"] or "0", 16) + lay["frag_refcount"]
                ref = read32le(vmcore, fpa)
                new = ref + 7
                wpa, word = write32le(vmcore, fpa, new)
                plants.append(dict(sig="PPC_FRAG_REFCOUNT", pa=wpa, value=word,
                                   table=page, index=-1, expect_value=new))
                break
    rings = deposit_rings(deposited)
    keys = sorted(rings)
    if len(keys) >= 2:
        d1 = rings[keys[0]][-1]
        entry = 0xe000000000000000 if hash_mmu else 0x8000000000000100
        plants.append(dict(sig="DEPOSIT_NOT_EMPTY", pa=d1 + 8 * 5, value=bswap(entry),
                           table=d1, index=5, expect_value=entry))
        owner = int(keys[1], 16)
        if not hash_mmu and "huge_pte" in lay:
            t = next((t for t in tables if int(t["pa"], 16) & ~0xffff == owner), None)
            if t:
                spa = int(t["page_pa"] or "0", 16) + lay["huge_pte"]
                plants.append(dict(sig="DEPOSIT_COUNT", pa=spa, value=0,
                                   table=owner, index=-1, expect_value=0))
        elif hash_mmu:
            # clear the slot array word of one THP pmd of that table
            ents = poke_read(vmcore, owner, 1024)
            for i, w in enumerate(ents):
                e = bswap(w)
                if e >> 62 & 1 and e & 0x2000:
                    n = len(rings[keys[1]])
                    plants.append(dict(sig="DEPOSIT_COUNT", pa=owner + 8 * 1024 + 8 * i,
                                       value=0, table=owner, index=-1, expect_value=n - 1))
                    break
    return plants


def read32le(path, pa):
    word = poke_read(path, pa & ~7, 1)[0]
    return (word >> (32 if pa % 8 else 0)) & 0xffffffff


def write32le(path, pa, value):
    word = poke_read(path, pa & ~7, 1)[0]
    shift = 32 if pa % 8 else 0
    return pa & ~7, (word & ~(0xffffffff << shift)) | (value << shift)


def choose_ppc_plants(sample, man, tables, vmas_by_pid, vmcore):
    """ppc64 entries are big-endian in a little-endian dump: vmcore-poke
    reads and writes words in the dump's order, so entries are swapped."""
    procs = man["processes"]
    parent = next((p for p in procs if p.get("role") == "parent"), procs[0])
    other = next((p for p in procs if p["pid"] != parent["pid"]), parent)
    vmas = vmas_by_pid.get(parent["pid"], [])
    mine = [t for t in tables if t.get("pid") == parent["pid"]]
    ptes = [t for t in mine if t["level"] == "pte"]
    pmds = [t for t in mine if t["level"] == "pmd"]
    plants, used = [], set()
    pte_shift = 16

    def add(sig, table, idx, entry, exp_table=None, exp_index=None, exp_value=None):
        pa = table + 8 * idx
        used.add(pa)
        plants.append(dict(sig=sig, pa=pa, value=bswap(entry),
                           table=table if exp_table is None else exp_table,
                           index=idx if exp_index is None else exp_index,
                           expect_value=entry if exp_value is None else exp_value))

    def words(t, n):
        return [bswap(w) for w in poke_read(vmcore, int(t["pa"], 16), n)]

    hash_mmu = "hash" in sample
    pte_tabs = [(int(t["pa"], 16), int(t["va"], 16), words(t, 256 if hash_mmu else 32))
                for t in ptes[:40]]
    pmd_n = 1024 if hash_mmu else 512
    n = len(pte_tabs[0][2]) if pte_tabs else 0
    present = [v for _, _, w in pte_tabs for v in w if v >> 62 == 3]
    for pa, va0, w in pte_tabs:
        free = [i for i in range(n) if w[i] == 0 and pa + 8 * i not in used]
        if free:
            add("PPC_PTE_ILLEGAL", pa, free[0], 0x8000000000001000)
            break
    for pa, va0, w in pte_tabs:
        free = [i for i in range(n) if w[i] == 0 and pa + 8 * i not in used
                and not in_vmas(vmas, va0 + (i << pte_shift))]
        if free and present:
            add("PTE_OUTSIDE_VMA", pa, free[0], present[0])
            break
    pmd_tabs = [(int(t["pa"], 16), int(t["va"], 16)) for t in pmds]
    for pa, va0 in pmd_tabs:
        w = words({"pa": hex(pa)}, pmd_n)
        ptrs = [v for v in w if v and not v & (1 << 62)]
        free = [i for i in range(len(w)) if w[i] == 0 and pa + 8 * i not in used]
        if ptrs and len(free) >= 3:
            add("PPC_PMD_ILLEGAL", pa, free[0], (ptrs[0] & ~0xff) | 0x11)
            add("TABLE_MULTI_REF", pa, free[1], ptrs[0])
            break
    def plant_dir(sig, level, n, next_pa):
        """the last free entry of the parent's first table of this level
        points at next_pa with value bits 0x11 the kernel never uses"""
        tabs = [t for t in mine if t["level"] == level]
        if not tabs or next_pa is None:
            return
        w = words(tabs[0], n)
        free = [i for i in range(1, n) if w[i] == 0]
        if free:
            add(sig, int(tabs[0]["pa"], 16), free[-1], next_pa | 0x8000000000000000 | 0x11)

    # PUD_INDEX_SIZE / PGD_INDEX_SIZE with 64K pages: radix 9 / 13, hash 10 / 8
    puds = [t for t in mine if t["level"] == "pud"]
    plant_dir("PPC_PUD_ILLEGAL", "pud", 1024 if hash_mmu else 512,
              pmd_tabs[0][0] if pmd_tabs else None)
    plant_dir("PPC_PGD_ILLEGAL", "pgd", 256 if hash_mmu else 8192,
              int(puds[0]["pa"], 16) if puds else None)
    opmds = [t for t in tables if t.get("pid") == other["pid"] and t["level"] == "pmd"]
    if opmds:
        w = words(opmds[0], pmd_n)
        pa = int(opmds[0]["pa"], 16)
        free = [i for i in range(len(w)) if w[i] == 0]
        if free:
            bad = 0x7ff00000000
            # __pmd_val_bits: radix 0x8000000000000005, hash 0x8000000000000000
            add("READ_ERROR", pa, free[-1],
                0x8000000000000000 | bad | (0 if hash_mmu else 5),
                exp_table=bad, exp_index=-1, exp_value=0)
    return plants


X86_SIGS = {"X86_PTE_ILLEGAL", "X86_PMD_ILLEGAL", "X86_PUD_ILLEGAL", "X86_PGD_ILLEGAL",
            "X86_PGD_KERNEL_HALF", "X86_TABLE_NOT_PGTABLE", "TABLE_MULTI_REF",
            "PTE_OUTSIDE_VMA", "PTE_WRITE_IN_READONLY_VMA", "THP_IN_BAD_VMA", "READ_ERROR",
            "DEPOSIT_NOT_EMPTY", "DEPOSIT_LIST_CORRUPT", "DEPOSIT_COUNT"}
X86_TABLE = 0x67            # _PAGE_TABLE: P RW US A D
X86_LEAF_RW = 0x8000000000000067


class Planter:
    """Where the x86_64 and arm64 plant choosers put their entries: the
    parent's (and a child's) tables of 512 little-endian entries, read as
    vmcore-poke reads them; every place used once."""

    def __init__(self, man, tables, vmas_by_pid, vmcore):
        procs = man["processes"]
        self.parent = next((p for p in procs if p.get("role") == "parent"), procs[0])
        self.other = next((p for p in procs if p["pid"] != self.parent["pid"]), self.parent)
        self.vmas = vmas_by_pid.get(self.parent["pid"], [])
        self.mine = [t for t in tables if t.get("pid") == self.parent["pid"]]
        self.vmcore = vmcore
        self.plants, self.used = [], set()

    def add(self, sig, table, idx, value, exp_table=None, exp_index=None, exp_value=None):
        self.used.add(table + 8 * idx)
        self.plants.append(dict(sig=sig, pa=table + 8 * idx, value=value,
                                table=table if exp_table is None else exp_table,
                                index=idx if exp_index is None else exp_index,
                                expect_value=value if exp_value is None else exp_value))

    def tabs(self, level, who=None):
        return [(int(t["pa"], 16), int(t["va"], 16), poke_read(self.vmcore, int(t["pa"], 16), 512))
                for t in (self.mine if who is None else who) if t["level"] == level]

    def free(self, w, pa, lo=0, hi=512):
        return [i for i in range(lo, hi) if w[i] == 0 and pa + 8 * i not in self.used]


def choose_x86_plants(sample, man, tables, vmas_by_pid, vmcore, js):
    """One place per x86_64 entry signature in the parent's (and a child's)
    tables: 512 little-endian entries per table, words as vmcore-poke reads
    them."""
    pl = Planter(man, tables, vmas_by_pid, vmcore)
    parent, other, vmas = pl.parent, pl.other, pl.vmas
    plants, used, add, tabs, free = pl.plants, pl.used, pl.add, pl.tabs, pl.free

    ptes, pmds = tabs("pte")[:40], tabs("pmd")
    present = [v for _, _, w in ptes for v in w if v & 1]
    for pa, va0, w in ptes:
        f = [i for i in free(w, pa) if in_vmas(vmas, va0 + (i << 12))]
        if f:
            # non-present, bit 4 set: no swap entry, no PROT_NONE
            add("X86_PTE_ILLEGAL", pa, f[0], 0x1010)
            break
    for pa, va0, w in ptes:
        f = [i for i in free(w, pa) if not touches_vmas(vmas, va0 + (i << 12), 4096)]
        if f and present:
            add("PTE_OUTSIDE_VMA", pa, f[0], present[0])
            break
    for pa, va0, w in ptes:
        done = False
        for i, v in enumerate(w):
            va = va0 + (i << 12)
            vma = next((x for x in vmas if x[0] <= va < x[1]), None)
            if v & 1 and v & 4 and not v & 2 and vma and not vma[2] & 2 and \
                    pa + 8 * i not in used:
                add("PTE_WRITE_IN_READONLY_VMA", pa, i, v | 2)
                done = True
                break
        if done:
            break
    tables_ptr = [v for _, _, w in pmds for v in w if v & 1 and not v & 0x80]
    for pa, va0, w in pmds:
        f = [i for i in free(w, pa) if not touches_vmas(vmas, va0 + (i << 21), 1 << 21)]
        if len(f) >= 3 and tables_ptr:
            # PCD in a table entry; a second reference to a pte table; a
            # 2 MiB leaf where no VMA is
            add("X86_PMD_ILLEGAL", pa, f[0], tables_ptr[0] | 0x10)
            add("TABLE_MULTI_REF", pa, f[1], tables_ptr[0])
            add("THP_IN_BAD_VMA", pa, f[2], 0x200000 | 0x80 | X86_LEAF_RW)
            break
    puds, pgds = tabs("pud"), tabs("pgd")
    pmd_pa = pmds[0][0] if pmds else None
    for pa, va0, w in puds:
        f = free(w, pa)
        if f and pmd_pa:
            add("X86_PUD_ILLEGAL", pa, f[-1], pmd_pa | X86_TABLE | 0x100)   # G: pud_bad
            break
    p4ds = tabs("p4d")
    top = p4ds or puds
    if p4ds and puds:
        pa, _, w = p4ds[0]
        f = free(w, pa)
        if f:
            add("X86_P4D_ILLEGAL", pa, f[-1], puds[0][0] | X86_TABLE | 0x80)    # PS
    if pgds and top:
        pa, _, w = pgds[0]
        f = free(w, pa, 1, 256)
        if f:
            add("X86_PGD_ILLEGAL", pa, f[-1], top[0][0] | X86_TABLE | 0x80)    # PS
        # the kernel half: an entry init_mm's pgd does not have
        kmm = next((m["mm"] for m in js["mms"] if m.get("kernel")), None)
        kpgd = next((int(t["pa"], 16) for t in tables
                     if t["mm"] == kmm and t["level"] == "pgd"), None)
        if kpgd is not None:
            kw = poke_read(vmcore, kpgd, 512)
            f = [i for i in range(300, 512) if w[i] == 0 and kw[i] == 0]
            if f:
                add("X86_PGD_KERNEL_HALF", pa, f[0], top[0][0] | X86_TABLE)
    if pgds and js.get("scheme", "").endswith("-pti"):
        # PTI: the user copy (the page above the pgd) loses an entry the
        # kernel's copy has, as if __pti_set_user_pgtbl() had not run
        pa, _, w = pgds[0]
        uw = poke_read(vmcore, pa | 0x1000, 512)
        f = [i for i in range(256) if w[i] & 1 and uw[i] & 1 and pa + 8 * i not in used]
        if f and not pa & 0x1000:
            add("X86_PTI_USER_COPY", pa | 0x1000, f[0], 0)
    opmds = tabs("pmd", [t for t in tables if t.get("pid") == other["pid"]])
    if opmds:
        pa, va0, w = opmds[0]
        f = free(w, pa)
        if f:
            # a pte table at 512 GiB: below the CPU's 40 address bits, past
            # the guest's memory
            bad = 0x8000000000
            add("READ_ERROR", pa, f[-1], bad | X86_TABLE, exp_table=bad, exp_index=-1,
                exp_value=0)
    return plants


def choose_x86_struct_plants(sample, man, tables, deposited, lay, vmcore, used_pages,
                             not_pgtable="X86_TABLE_NOT_PGTABLE", leaf=None):
    """page_type of a pte table, and three deposit rings (struct pages are
    little-endian words): the generic page-table pages of x86_64 and arm64
    (ext/deposit.c), not_pgtable the arch's signature of the first."""
    leaf = X86_LEAF_RW if leaf is None else leaf
    plants = []
    parent = next((p for p in man["processes"] if p.get("role") == "parent"),
                  man["processes"][0])
    rings = deposit_rings(deposited)
    keys = sorted(rings)
    ring_pages = {int(k, 16) for k in keys} | {pa for v in rings.values() for pa in v}
    if "type" in lay:
        for t in tables:
            pa = int(t["pa"], 16)
            if t["level"] == "pte" and t.get("pid") == parent["pid"] and \
                    pa not in used_pages and pa not in ring_pages and int(t["page_pa"] or "0", 16):
                fpa = int(t["page_pa"], 16) + lay["type"]
                wpa, word = write32le(vmcore, fpa, 0xffffffff)
                plants.append(dict(sig=not_pgtable, pa=wpa, value=word,
                                   table=pa, index=-1, expect_value=0xffffffff))
                break
    page_of = {int(d["pa"], 16): d for d in deposited}
    by_pa = {int(t["pa"], 16): t for t in tables}
    if len(keys) >= 3:
        d1 = rings[keys[0]][-1]
        plants.append(dict(sig="DEPOSIT_NOT_EMPTY", pa=d1 + 8 * 5, value=leaf,
                           table=d1, index=5, expect_value=leaf))
        if "lru" in lay:
            # lru.prev of a deposited page no longer points back
            d2 = page_of[rings[keys[1]][0]]
            prev_pa = int(d2["page_pa"], 16) + lay["lru"] + 8
            bad = int(d2["page"], 16) + lay["lru"] + 0x1000
            plants.append(dict(sig="DEPOSIT_LIST_CORRUPT", pa=prev_pa, value=bad,
                               table=int(d2["page"], 16) + lay["lru"] + 8, index=1,
                               expect_value=bad))
        owner = by_pa.get(int(keys[2], 16))
        if owner and "huge_pte" in lay:
            plants.append(dict(sig="DEPOSIT_COUNT", pa=int(owner["page_pa"], 16) + lay["huge_pte"],
                               value=0, table=int(keys[2], 16), index=-1, expect_value=0))
    return plants


ARM64_SIGS = {"ARM64_PTE_ILLEGAL", "ARM64_PMD_ILLEGAL", "ARM64_PUD_ILLEGAL",
              "ARM64_PGD_ILLEGAL", "ARM64_CONT_RUN_BROKEN", "ARM64_TABLE_NOT_PGTABLE",
              "TABLE_MULTI_REF", "PTE_OUTSIDE_VMA", "PTE_WRITE_IN_READONLY_VMA",
              "THP_IN_BAD_VMA", "READ_ERROR", "DEPOSIT_NOT_EMPTY", "DEPOSIT_LIST_CORRUPT",
              "DEPOSIT_COUNT"}
# pgtable-hwdef.h / pgtable-prot.h: a user table (PMD_TYPE_TABLE |
# PXNTable), a user rw page (PAGE_SHARED, young, dirty), its block form
ARM64_TABLE = 0x0800000000000003
ARM64_LEAF_RW = 0x0068000000000f43
ARM64_BLOCK_RW = ARM64_LEAF_RW & ~2
ARM64_CONT = 1 << 52


def choose_arm64_plants(sample, man, tables, vmas_by_pid, vmcore, js):
    """One place per arm64 entry signature in the parent's (and a child's)
    tables: 512 little-endian entries per table, words as vmcore-poke reads
    them; a contiguous run (64 KiB hugetlb, or a v6.9+ contpte fold) has
    one entry cleared, as the pre-fix try_to_unmap_one() did."""
    pl = Planter(man, tables, vmas_by_pid, vmcore)
    parent, other, vmas = pl.parent, pl.other, pl.vmas
    plants, used, add, tabs, free = pl.plants, pl.used, pl.add, pl.tabs, pl.free

    def cont_run(level_tabs, valid_type):
        for pa, va0, w in level_tabs:
            for g in range(0, 512, 16):
                run = w[g:g + 16]
                if all(v & 3 == valid_type and v & ARM64_CONT for v in run):
                    return pa, g
        return None

    ptes, pmds = tabs("pte"), tabs("pmd")
    run = cont_run(ptes, 3)
    if run:
        add("ARM64_CONT_RUN_BROKEN", run[0], run[1] + 5, 0)
    run = cont_run(pmds, 1)
    if run:
        add("ARM64_CONT_RUN_BROKEN", run[0], run[1] + 15, 0)
    ptes = ptes[:40]
    present = [v for _, _, w in ptes for v in w if v & 3 == 3 and not v & ARM64_CONT]
    for pa, va0, w in ptes:
        f = [i for i in free(w, pa) if in_vmas(vmas, va0 + (i << 12))]
        if f:
            # not valid, bit 63 set: no swap entry __swp_entry() writes
            add("ARM64_PTE_ILLEGAL", pa, f[0], (1 << 63) | 0x1000)
            break
    for pa, va0, w in ptes:
        f = [i for i in free(w, pa) if not touches_vmas(vmas, va0 + (i << 12), 4096)]
        if f and present:
            add("PTE_OUTSIDE_VMA", pa, f[0], present[0])
            break
    for pa, va0, w in ptes:
        done = False
        for i, v in enumerate(w):
            va = va0 + (i << 12)
            vma = next((x for x in vmas if x[0] <= va < x[1]), None)
            if v & 3 == 3 and not v & (1 << 51) and not v & ARM64_CONT and vma and \
                    not vma[2] & 2 and pa + 8 * i not in used:
                add("PTE_WRITE_IN_READONLY_VMA", pa, i, v | (1 << 51))   # PTE_WRITE
                done = True
                break
        if done:
            break
    tables_ptr = [v for _, _, w in pmds for v in w if v & 3 == 3]
    # a THP's frame: a 2 MiB frame of the guest can be a hugetlb page's,
    # which is no THP wherever it is mapped
    thp_frames = [v & 0x0000ffffffe00000 for _, _, w in pmds for v in w
                  if v & 3 == 1 and not v & ARM64_CONT]
    for pa, va0, w in pmds:
        f = [i for i in free(w, pa) if not touches_vmas(vmas, va0 + (i << 21), 1 << 21)]
        if len(f) >= 3 and tables_ptr:
            # APTable in a user table descriptor; a second reference to a
            # pte table; a 2 MiB block where no VMA is
            add("ARM64_PMD_ILLEGAL", pa, f[0], tables_ptr[0] | (1 << 61))
            add("TABLE_MULTI_REF", pa, f[1], tables_ptr[0])
            add("THP_IN_BAD_VMA", pa, f[2], (thp_frames or [0x40200000])[0] | ARM64_BLOCK_RW)
            break
    puds, pgds = tabs("pud"), tabs("pgd")
    pmd_pa = pmds[0][0] if pmds else None
    for pa, va0, w in puds:
        f = free(w, pa)
        if f and pmd_pa:
            add("ARM64_PUD_ILLEGAL", pa, f[-1], pmd_pa | ARM64_TABLE | 0x400)   # AF
            break
    if pgds:
        pa, _, w = pgds[0]
        f = free(w, pa)
        if f:
            add("ARM64_PGD_ILLEGAL", pa, f[-1], 0x40000000 | ARM64_BLOCK_RW)   # L0 block
    opmds = tabs("pmd", [t for t in tables if t.get("pid") == other["pid"]])
    if opmds:
        pa, va0, w = opmds[0]
        f = free(w, pa)
        if f:
            # a pte table at 512 GiB: inside 48 address bits, past the
            # guest's memory
            bad = 0x8000000000
            add("READ_ERROR", pa, f[-1], bad | ARM64_TABLE, exp_table=bad, exp_index=-1,
                exp_value=0)
    return plants



def run_sample(sample):
    sdir = os.path.join(TOP, "samples", "out", sample)
    man = json.load(open(os.path.join(sdir, "manifest.json")))
    pids = [p["pid"] for p in man["processes"]]
    EXT = ext_for(man)
    cmds = [f"extend {EXT}", "sys", "ps"]          # 0, 1, 2
    cmds += ["thpcheck -j", "thpcheck -t", "thpcheck -e", "thpcheck -s",
             "thpcheck -l", "help thpcheck"]        # 3 .. 8
    cmds += ["struct page -o", "struct ptdesc -o"]  # 9, 10
    cmds += ["p &((struct mm_struct *)0)->context.pgtable_list"]  # 11
    cmds += [f"vm {pid}" for pid in pids]          # 12 ..
    outs, proc = crash_session(sample, cmds)
    if not check(len(outs) == len(cmds), f"{sample}: crash session ran all "
                 f"{len(cmds)} commands", proc.stderr[-500:]):
        return
    lab_checks(sample, man, outs)
    work = os.path.join(CACHE, "work", sample)
    os.makedirs(work, exist_ok=True)
    # kept for other front ends' tests (thpscan must print the same JSON)
    with open(os.path.join(work, "thpcheck-clean.json"), "w") as f:
        f.write(outs[3].strip() + "\n")
    try:
        js = json.loads(outs[3].strip())
    except ValueError:
        js = None
    engine_checks(sample, man, js)
    inventory = json_lines(outs[4])
    tables = [t for t in inventory if "deposited_on" not in t]
    deposited = [t for t in inventory if "deposited_on" in t]
    check(len(tables) > 0 and all({"pa", "level", "mm", "va"} <= set(t) for t in tables),
          f"{sample}: thpcheck -t inventory ({len(tables)} tables)")
    if js:
        total = sum(js["stats"]["tables"].values())
        check(total == len(tables), f"{sample}: inventory count {len(tables)} == stats {total}")
        check(len(deposited) == js["stats"]["deposited"] == js["stats"]["thp_pmds"],
              f"{sample}: deposited tables {len(deposited)} == stats == THP pmds "
              f"{js['stats']['thp_pmds']}")
    check(re.search(r"^SUMMARY: \d+ mms", outs[6], re.M) is not None,
          f"{sample}: thpcheck -s summary line")
    check(all(k in outs[7] for k in ("S390_PTE_ORED_SEG_INVALID", "PPC_PTE_ILLEGAL",
                                     "X86_PTE_ILLEGAL")),
          f"{sample}: thpcheck -l")
    vmas_by_pid = {pid: parse_vm(outs[12 + i]) for i, pid in enumerate(pids)}
    layout = parse_layout(outs[9], outs[10])
    m = re.search(r"\) (0x[0-9a-f]+)", outs[11])
    if m:
        layout["pgtable_list"] = int(m.group(1), 16)

    # pages to translate: present 4K leaves of the manifest's processes
    leaves = [l for l in json_lines(outs[5]) if l["pid"] in pids]
    rnd = random.Random(1)
    sample_leaves = rnd.sample(leaves, min(NSAMPLE_VTOP, len(leaves)))

    # plant every signature in a copy of the ELF dump
    planted = os.path.join(work, "vmcore.planted")
    src = os.path.realpath(os.path.join(sdir, "vmcore"))
    # the x86_64 ELF dumps are 4 GiB, mostly holes: keep them sparse
    subprocess.run(["cp", "--sparse=always", src, planted], check=True)
    scheme = js["scheme"] if js else ""
    if scheme.startswith("arm64"):
        plants = choose_arm64_plants(sample, man, tables, vmas_by_pid, planted, js)
        touched = {p["table"] & ~0xfff for p in plants}
        plants += choose_x86_struct_plants(sample, man, tables, deposited, layout,
                                           planted, touched, "ARM64_TABLE_NOT_PGTABLE",
                                           ARM64_LEAF_RW)
    elif scheme.startswith("x86_64"):
        plants = choose_x86_plants(sample, man, tables, vmas_by_pid, planted, js)
        touched = {p["table"] & ~0xfff for p in plants}
        plants += choose_x86_struct_plants(sample, man, tables, deposited, layout,
                                           planted, touched)
    elif scheme.startswith("s390"):
        plants = choose_plants(sample, man, tables, vmas_by_pid, planted)
        touched = {pg for p in plants for pg in (p["table"] & ~0xfff, (p["pa"] or 0) & ~0xfff)}
        plants += choose_struct_plants(sample, man, tables, deposited, layout,
                                       scheme, planted, touched)
    else:
        plants = choose_ppc_plants(sample, man, tables, vmas_by_pid, planted)
        touched = {p["table"] & ~0xffff for p in plants}
        plants += choose_ppc_struct_plants(sample, tables, deposited, layout,
                                           planted, touched)
    for p in plants:
        if p["pa"] is not None:
            poke_write(planted, p["pa"], p["value"])

    cmds2 = [f"extend {EXT}", "thpcheck -j", "thpcheck -p 999999 -s", "sys"]
    cmds2 += [f"vtop -u -c {l['pid']} {int(l['va'], 16) + 0x123:x}" for l in sample_leaves]
    outs2, proc2 = crash_session(sample, cmds2, vmcore=planted)
    check(len(outs2) == len(cmds2), f"{sample}: planted session ran all commands",
          proc2.stderr[-500:])
    with open(os.path.join(work, "thpcheck-planted.json"), "w") as f:
        f.write(outs2.get(1, "").strip() + "\n")
    try:
        js2 = json.loads(outs2.get(1, "").strip())
    except ValueError:
        js2 = {"findings": []}
    want = {"S390_PTE_ILLEGAL", "S390_PTE_ORED_SEG_INVALID", "S390_SEG_EMPTY_LARGE",
            "S390_SEG_ILLEGAL", "S390_REGION_ILLEGAL", "TABLE_MULTI_REF",
            "PTE_OUTSIDE_VMA", "PTE_WRITE_IN_READONLY_VMA", "THP_IN_BAD_VMA",
            "READ_ERROR", "S390_FRAG_NOT_PGTABLE", "DEPOSIT_NOT_EMPTY",
            "DEPOSIT_LIST_CORRUPT", "DEPOSIT_COUNT"}
    if scheme.startswith("s390-frag2k"):
        want |= {"S390_FRAG_AA_PP", "S390_FRAG_LIST", "S390_FRAG_FREE_REFERENCED",
                 "S390_FRAG_ORPHAN", "LIST_CORRUPT"}
    sigs = want if scheme.startswith("s390") else ARM64_SIGS if scheme.startswith("arm64") else \
        X86_SIGS | ({"X86_P4D_ILLEGAL"} if scheme == "x86_64-5level" else set()) | \
        ({"X86_PTI_USER_COPY"} if scheme.endswith("-pti") else set()) \
        if scheme.startswith("x86_64") \
        else PPC_SIGS - ({"PPC_FRAG_REFCOUNT"} if "hash" in scheme else set())
    check(sigs <= {p["sig"] for p in plants}, f"{sample}: a place found for every signature",
          str(sigs - {p["sig"] for p in plants}))
    for p in plants:
        hit = [f for f in js2["findings"] if f["sig"] == p["sig"] and
               f["table_pa"] == hex(p["table"]) and f["index"] == p["index"] and
               f["value"] == hex(p["expect_value"])]
        if "detail" in p:
            hit = [f for f in hit if p["detail"] in f["detail"]]
        check(len(hit) >= 1, f"{sample}: planted {p['sig']} at {p['table']:#x}[{p['index']}] "
              f"= {p['expect_value']:#x} found exactly" +
              (f" ({p['detail']})" if "detail" in p else ""),
              json.dumps([f for f in js2["findings"] if f["sig"] == p["sig"]][:2]))
    sys2 = outs2.get(3, "")
    check(man["kernel_release"] in sys2,
          f"{sample}: session still answers after bad input (sys)")
    # vtop equality.  crash prints "(not mapped)" for a pte that Linux
    # counts as present but the hardware does not (old/prot-none: I=1);
    # its walk still ends in "PAGE: <frame>", which is then compared.
    bad = hw_invalid = 0
    for i, l in enumerate(sample_leaves):
        va = int(l["va"], 16) + 0x123
        want = int(l["pa"], 16) + 0x123
        out = outs2.get(4 + i, "")
        m = re.search(rf"^\s*{va:x}\s+([0-9a-f]+)\s*$", out, re.M)
        got = int(m.group(1), 16) if m else None
        if got is None and "(not mapped)" in out:
            pm = re.search(r"^\s*PAGE:\s+([0-9a-f]+)\s*$", out, re.M)
            sm = re.search(r"^\s*STE:\s+[0-9a-f]+\s+=>\s+([0-9a-f]+)", out, re.M)
            if pm:
                hw_invalid += 1
                got = int(pm.group(1), 16) + (va & 0xfff)
            elif sm and int(sm.group(1), 16) & 0x400:   # large, I=1
                hw_invalid += 1
                got = (int(sm.group(1), 16) & ~0xfffff) + (va & 0xfffff)
        if got != want:
            bad += 1
            if bad <= 3:
                print(f"#   vtop {l['pid']} {va:#x}: walker {want:#x}, crash {out[:300]!r}")
    print(f"#   {sample}: {hw_invalid} of {len(sample_leaves)} sampled ptes are "
          "present but HW-invalid (old): crash says '(not mapped)' and shows the PAGE")
    check(len(sample_leaves) >= min(NSAMPLE_VTOP, 1000) and bad == 0,
          f"{sample}: {len(sample_leaves)} sampled VAs translate as crash's vtop ({bad} differ)")


def main():
    # THPCHECK_SAMPLES (tests/run.sh): the samples this run could make; the
    # others are failures of samples/make-samples.sh, named there
    samples = sys.argv[1:] or os.environ.get("THPCHECK_SAMPLES", "").split() or [
        "s390x-6.1", "s390x-6.12", "ppc64le-6.1-radix", "ppc64le-6.1-hash",
        "x86_64-6.1", "x86_64-6.12", "x86_64-6.1-la57", "arm64-6.1", "arm64-6.12"]
    for s in samples:
        if not check(os.path.exists(os.path.join(TOP, "samples", "out", s, "manifest.json")),
                     f"{s}: sample exists"):
            continue
        run_sample(s)
    return tap.summary("real")


if __name__ == "__main__":
    sys.exit(main())
