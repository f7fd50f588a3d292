#!/usr/bin/env python3
"""make bench, scaling part: thpscan on dumps of the same kernel with more
and more page tables.  For each SAMPLE_DIR (vmlinux + vmcore + vmcore.kdump)
it prints
  - the scan alone per page-table page, in process with the DWARF index
    already built (build/bench_floor, best of 5);
  - thpscan -s (all mms) and thpscan -k (the kernel's tables only) end to
    end: wall time and peak RSS, best/max of 3, and what the full scan
    adds per user page-table page above the -k run (the fixed part: the
    vmlinux's DWARF index, libraries, the kernel's tables, cancels out;
    with a few thousand tables RSS moves in whole pages, so that figure
    is coarse: the forest part measures memory per table exactly).
The last lines compare the per-table scan time of the last and first
sample: 1.0 = linear."""
import re
import json
import os
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THPSCAN = os.path.join(TOP, "build", "thpscan")


def run(args):
    """wall seconds and peak RSS (KiB, incl. the forked scanner) of one run"""
    t0 = time.monotonic()
    p = subprocess.Popen([THPSCAN] + args, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"scaling: thpscan {' '.join(args)} failed")
    return wall, ru.ru_maxrss, json.loads(out.splitlines()[0])


def measure(args, n=3):
    best, rss, doc = 1e9, 0, None
    for _ in range(n):
        w, r, doc = run(args)
        best, rss = min(best, w), max(rss, r)
    return best, rss, doc


def tables(doc):
    return sum(doc["stats"]["tables"].values())


rows = []
for d in sys.argv[1:]:
    name = os.path.basename(d.rstrip("/"))
    man = json.load(open(os.path.join(d, "manifest.json")))
    for f in ("vmcore", "vmcore.kdump"):
        dump = os.path.join(d, f)
        vml = os.path.join(d, "vmlinux")
        fl = subprocess.run([os.path.join(TOP, "build", "bench_floor"), vml, dump, "5"],
                            capture_output=True, text=True).stdout
        m = re.search(r"(\d+) tables .*scan ([\d.]+) ms", fl)
        scan_us = float(m.group(2)) * 1e3 / int(m.group(1)) if m else float("nan")
        tf, rf, full = measure(["--json", "-q", "-s", vml, dump])
        tk, rk, kern = measure(["--json", "-q", "-s", "-k", vml, dump])
        n = tables(full) - tables(kern)
        per_t = (tf - tk) / n * 1e6
        per_r = (rf - rk) * 1024 / n
        rows.append((name, f, scan_us))
        print(f"{name} ({man.get('guest_mem_mib', '?')} MiB, {len(full['mms']) - 1} user mms)"
              f" {f}: {tables(full)} tables ({n} user), findings "
              f"{full['stats']['findings']}; scan {scan_us:.2f} us per table; "
              f"end to end -s {tf:.3f} s {rf / 1024:.1f} MiB, "
              f"-k {tk:.3f} s {rk / 1024:.1f} MiB: {per_t:.1f} us and "
              f"{per_r:.0f} bytes per user page-table page")
for f in ("vmcore", "vmcore.kdump"):
    r = [x for x in rows if x[1] == f]
    if len(r) >= 2:
        print(f"{f}: scan time per table {r[-1][0]} / {r[0][0]} = "
              f"{r[-1][2] / r[0][2]:.2f} (1.0 = linear)")
