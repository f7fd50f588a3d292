#!/usr/bin/env python3
"""make bench, sources part: thpscan -s end to end per sample and dump
format for each place the kernel's layouts can come from (tools/layout.h):

  dwarf cold   VMLINUX given, no layout memo: libdw indexes the DWARF
  dwarf warm   VMLINUX given, the memo a first run wrote: no DWARF read
  btf cold     no VMLINUX, no memo: the dump's kallsyms and BTF
  btf warm     no VMLINUX, the memo
  memo         no VMLINUX, a kernel without BTF: the memo alone

Wall time is the best of 5 runs, peak RSS the largest of the process and
its forked scanner (wait4's ru_maxrss counts reaped children).  Ratios
are to "dwarf warm" of the same dump, measured in this run.  A source a
kernel does not have (no BTF, no VMCOREINFO) prints why thpscan refused.
Samples: SAMPLE_DIR... (bench/run.sh passes every test sample present).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THPSCAN = os.path.join(TOP, "build", "thpscan")
RUNS = 5


def once(args, memo):
    """(wall seconds, peak RSS KiB, exit code, stderr) of one thpscan run"""
    t0 = time.monotonic()
    p = subprocess.Popen([THPSCAN, "-q", "-s"] + args, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=dict(os.environ, THPSCAN_LAYOUT_CACHE=memo))
    err = p.stderr.read().decode(errors="replace")
    _, status, ru = os.wait4(p.pid, 0)
    return time.monotonic() - t0, ru.ru_maxrss, os.waitstatus_to_exitcode(status), err


def best(args, memo):
    runs = [once(args, memo) for _ in range(RUNS)]
    if any(r[2] not in (0, 1) for r in runs):
        return None, runs[0][3].strip()
    return (min(r[0] for r in runs), max(r[1] for r in runs)), None


def main(dirs):
    memo = tempfile.mkdtemp(prefix="thpscan-bench-sources.")
    goals = []
    try:
        for d in dirs:
            s = os.path.basename(d.rstrip("/"))
            vml = os.path.join(d, "vmlinux")
            for f in ("vmcore", "vmcore.kdump"):
                dump = os.path.join(d, f)
                if not os.path.exists(dump):
                    continue
                once([vml, dump], memo)            # fills the memo
                rows = [("dwarf cold", [vml, dump], "off"), ("dwarf warm", [vml, dump], memo),
                        ("no-vmlinux cold", [dump], "off"), ("no-vmlinux warm", [dump], memo)]
                res = {}
                for name, args, m in rows:
                    res[name] = best(args, m)
                base = res["dwarf warm"][0]
                parts = []
                for name, _, _ in rows:
                    r, why = res[name]
                    if r is None:
                        parts.append(f"{name}: refused ({why.split(': ', 2)[-1][:90]})")
                        continue
                    ratio = f" {r[0] / base[0]:.2f}x" if base else ""
                    parts.append(f"{name} {r[0]:.3f} s{ratio} {r[1] / 1024:.0f} MiB")
                print(f"{s}/{f} ({os.path.getsize(dump) >> 20} MiB): " + "; ".join(parts))
                cold = res["no-vmlinux cold"][0]
                if cold and base:
                    goals.append((f"{s}/{f}", cold[0] / base[0], cold[1] / 1024))
        for name, ratio, mib in goals:
            print(f"goal {name}: a cold BTF scan is {ratio:.2f}x the warm memo scan "
                  f"(goal <= 2x), peak RSS {mib:.0f} MiB (goal < 32 MiB)")
    finally:
        shutil.rmtree(memo, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
