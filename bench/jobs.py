#!/usr/bin/env python3
"""make bench, jobs part: thpscan --jobs N on dumps whose scan dominates.

  bench/jobs.py SAMPLE_DIR [COPIES]

SAMPLE_DIR is the 4 GiB benchmark sample (s390x-6.1-4g: 66 user mms,
12,572 tables).  Its vmcore and vmcore.kdump are copied COPIES times
(default 4) into $THPCHECK_CACHE/bench/jobs (made once, reused; real
copies, so that every dump has page-cache pages of its own), then each
set is scanned with --jobs 1 and --jobs N for N = 2 .. the CPUs, with
the vmlinux given and a warm layout memo (so the parent's share is
opening the vmlinux once and forking).  Best of 3 wall times; the
speed-up, its ratio to N (the goal: >= 0.85), and the CPU seconds the
scanners used (user + system of the children), which tell whether the
jobs were short of CPU (CPU seconds grow with N: the cores share caches
and memory bandwidth, or other work ran) or of work (the serial parent).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THPSCAN = os.path.join(TOP, "build", "thpscan")
CACHE = os.environ.get("THPCHECK_CACHE", os.path.expanduser("~/.cache/thpcheck"))


def copies(src, n):
    """n real copies of src in the cache (made once)"""
    d = os.path.join(CACHE, "bench", "jobs")
    os.makedirs(d, exist_ok=True)
    out = []
    for i in range(n):
        dst = os.path.join(d, f"{os.path.basename(src)}.{i}")
        if not (os.path.exists(dst) and os.path.getsize(dst) == os.path.getsize(src)):
            shutil.copyfile(src, dst + ".tmp")
            os.rename(dst + ".tmp", dst)
        out.append(dst)
    return out


def run(args, memo):
    """wall seconds and CPU seconds of the process tree"""
    t0 = time.monotonic()
    p = subprocess.Popen([THPSCAN, "-q", "-s"] + args, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=dict(os.environ, THPSCAN_LAYOUT_CACHE=memo))
    _, status, ru = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"jobs: thpscan {' '.join(args[:4])} ... failed")
    return time.monotonic() - t0, ru.ru_utime + ru.ru_stime


def best(args, memo):
    runs = [run(args, memo) for _ in range(3)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def main(argv):
    if not argv:
        print("usage: bench/jobs.py SAMPLE_DIR [COPIES]", file=sys.stderr)
        return 2
    d = argv[0]
    n = int(argv[1]) if len(argv) > 1 else 4
    vml = os.path.join(d, "vmlinux")
    memo = tempfile.mkdtemp(prefix="thpscan-bench-jobs.")
    cpus = os.cpu_count() or 1
    try:
        for f in ("vmcore", "vmcore.kdump"):
            src = os.path.join(d, f)
            if not os.path.exists(src):
                continue
            dumps = copies(src, n)
            run([vml] + dumps[:1], memo)     # the memo, the page cache
            w1, c1 = best(["--jobs", "1", vml] + dumps, memo)
            line = (f"{os.path.basename(d)}/{f} x{n} ({os.path.getsize(src) >> 20} MiB each): "
                    f"--jobs 1 {w1:.2f} s ({w1 / n * 1000:.0f} ms a dump, {c1:.2f} s CPU)")
            for j in range(2, cpus + 1):
                wj, cj = best(["--jobs", str(j), vml] + dumps, memo)
                line += (f"; --jobs {j} {wj:.2f} s ({cj:.2f} s CPU): {w1 / wj:.2f}x, "
                         f"{w1 / wj / j:.2f} of {j} (goal 0.85)")
            print(line)
    finally:
        shutil.rmtree(memo, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
