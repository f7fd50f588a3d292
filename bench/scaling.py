#!/usr/bin/env python3
"""make bench, scaling part: thpscan on dumps of the same kernel with more
and more page tables (bench/run.sh passes the 256 MiB and 4 GiB samples).
For each SAMPLE_DIR (vmlinux + vmcore + vmcore.kdump) it prints
  - the scan alone per page-table page, in process with the DWARF index
    already built (build/bench_floor, best of 5);
  - thpscan --json end to end: wall time (best of 3) and the peak RSS of
    its processes (the parent and the forked scanner, sampled from /proc
    every millisecond), split into file-backed pages (the vmlinux that
    libdw maps: page cache, the same for every dump of that kernel) and
    anonymous memory (libdw's index and the engine); "cold" without the
    layout memo (the DWARF index is built), "warm" with one (no DWARF).
The last lines compare the last and first sample: scan time per table
(1.0 = linear) and anonymous memory added per added page-table page.
The forest part of make bench measures the engine's memory per table
exactly; here a few thousand tables move RSS by only a few pages."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THPSCAN = os.path.join(TOP, "build", "thpscan")
FLOOR = os.path.join(TOP, "build", "bench_floor")


def tree(pid):
    """pid and its descendants"""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            todo += [int(x) for x in open(f"/proc/{p}/task/{p}/children").read().split()]
        except OSError:
            pass
    return out


def rss(pid):
    try:
        t = open(f"/proc/{pid}/status").read()
    except OSError:
        return 0, 0
    get = lambda k: int(re.search(k + r":\s+(\d+)", t).group(1)) if k in t else 0
    return get("RssAnon"), get("RssFile")


def run(args, memo):
    """wall seconds, peak anon and file RSS (KiB) over the process tree"""
    t0 = time.monotonic()
    p = subprocess.Popen([THPSCAN] + args, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL,
                         env=dict(os.environ, THPSCAN_LAYOUT_CACHE=memo))
    anon = file_ = 0
    out = b""
    os.set_blocking(p.stdout.fileno(), False)
    while p.poll() is None:
        for q in tree(p.pid):
            a, f = rss(q)
            anon, file_ = max(anon, a), max(file_, f)
        chunk = p.stdout.read()
        out += chunk or b""
        time.sleep(0.001)
    wall = time.monotonic() - t0
    out += p.stdout.read() or b""
    if p.returncode not in (0, 1):
        sys.exit(f"scaling: thpscan {' '.join(args)} failed")
    return wall, anon, file_, json.loads(out.splitlines()[0])


def tables(doc):
    return sum(doc["stats"]["tables"].values())


MEMO = tempfile.mkdtemp(prefix="thpscan-scaling-memo.")
rows = []
for d in sys.argv[1:]:
    name = os.path.basename(d.rstrip("/"))
    man = json.load(open(os.path.join(d, "manifest.json")))
    vml = os.path.join(d, "vmlinux")
    for f in ("vmcore", "vmcore.kdump"):
        dump = os.path.join(d, f)
        fl = subprocess.run([FLOOR, vml, dump, "5"], capture_output=True, text=True).stdout
        m = re.search(r"(\d+) tables .*scan ([\d.]+) ms", fl)
        scan_us = float(m.group(2)) * 1e3 / int(m.group(1)) if m else float("nan")
        res = {}
        for mode, memo in (("cold", "off"), ("warm", MEMO)):
            run(["--json", "-q", vml, dump], memo)     # fills the memo
            runs = [run(["--json", "-q", vml, dump], memo) for _ in range(3)]
            res[mode] = (min(r[0] for r in runs), max(r[1] for r in runs),
                         max(r[2] for r in runs), runs[0][3])
        doc = res["cold"][3]
        n = tables(doc)
        rows.append((name, f, n, scan_us, res["cold"][1], res["warm"][1] + res["warm"][2]))
        print(f"{name} ({man.get('guest_mem_mib', '?')} MiB guest, {len(doc['mms']) - 1} user mms) "
              f"{f}: {n} tables, findings {doc['stats']['findings']}; scan {scan_us:.2f} us per table")
        for mode, (wall, anon, file_, _) in res.items():
            print(f"    {mode}: end to end {wall:.3f} s, peak RSS {(anon + file_) / 1024:.1f} MiB = "
                  f"{file_ / 1024:.1f} MiB file-backed + {anon / 1024:.1f} MiB anonymous")
for f in ("vmcore", "vmcore.kdump"):
    r = [x for x in rows if x[1] == f]
    if len(r) >= 2:
        a, b = r[0], r[-1]
        print(f"{f}: {b[0]} / {a[0]}: {b[2] / a[2]:.1f}x the tables; scan time per table "
              f"{b[3] / a[3]:.2f}x (1.0 = linear); anonymous RSS (cold) "
              f"{(b[4] - a[4]) * 1024 / (b[2] - a[2]):+.0f} bytes per added table; "
              f"total RSS (warm) {a[5] / 1024:.1f} -> {b[5] / 1024:.1f} MiB, "
              f"{(b[5] - a[5]) * 1024 / (b[2] - a[2]):+.0f} bytes per added table")
shutil.rmtree(MEMO, ignore_errors=True)
