#!/usr/bin/env python3
"""Busy-dump campaign: samples/make-busy.sh for each configuration and seed,
then thpscan on every dump, and a table per configuration: dumps (random /
panic), error findings, warnings by signature, in-flight states by kind.

  tests/busy/campaign.py [--seeds N] [--first S] [--dumps K] [--check] [--crash]
                         [--plant] [--formats] [--rescan] [CONFIG...]

CONFIG: s390x-6.1 s390x-6.12 ppc64le-6.1-radix ppc64le-6.1-hash x86_64-6.1
x86_64-6.12 x86_64-6.1-la57 (default: all seven).  --check (make check): one test line per dump, "0 error findings",
and "busy: N passed, N failed"; --crash also opens the first seed's panic
dump of each configuration in crash (thpcheck -j must equal thpscan's
JSON, and the session must still answer); --plant plants a corrupt pte
into it; --formats scans the makedumpfile -d 31 copy of every dump (same
findings and stats) and the s390-format copy of the s390x panic dumps.  Without --check (make busy
N=...): the table, and every error finding listed, for the note.
"""

import argparse
import collections
import json
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests"))
sys.dont_write_bytecode = True
from tap import check  # noqa: E402
import tap  # noqa: E402
sys.path.insert(0, os.path.join(TOP, "tests", "real"))
from test_samples import crash_session, ext_for, in_vmas, json_lines, parse_vm  # noqa: E402
sys.path.insert(0, os.path.join(TOP, "tests", "formats"))
import test_formats  # noqa: E402

THPSCAN = os.environ.get("THPSCAN") or os.path.join(TOP, "build", "thpscan")
CACHE = os.environ.get("THPCHECK_CACHE", os.path.expanduser("~/.cache/thpcheck"))
CONFIGS = ["s390x-6.1", "s390x-6.12", "ppc64le-6.1-radix", "ppc64le-6.1-hash",
           "x86_64-6.1", "x86_64-6.12", "x86_64-6.1-la57"]


def existing(config, seed):
    """--rescan: the dump directories of a set made earlier (sS.dirs, as
    samples/busy.py listed them)"""
    lst = os.path.join(CACHE, "busy", config, f"s{seed}.dirs")
    dirs = open(lst).read().split() if os.path.exists(lst) else []
    return (dirs, None) if dirs else (None, f"no dumps of seed {seed} listed in {lst}")


def make_busy(config, seed, dumps):
    p = subprocess.run([os.path.join(TOP, "samples", "make-busy.sh"), "--seed", str(seed),
                        "--dumps", str(dumps), config], capture_output=True, text=True)
    if p.returncode != 0:
        return None, (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]
    return p.stdout.split(), None


def scan(d):
    return test_formats.scan(os.path.join(d, "vmlinux"), os.path.join(d, "vmcore"))


def crash_agrees(config, d, js):
    """inside crash: thpcheck -j on the busy dump is thpscan's JSON, and
    the session still answers afterwards"""
    man = json.load(open(os.path.join(d, "manifest.json")))
    outs, p = crash_session(d, [f"extend {ext_for(man)}", "thpcheck -j", "sys"])
    got = json_lines(outs.get(1, ""))
    name = f"busy {config} {os.path.basename(d)} in crash"
    if not check(len(got) == 1, f"{name}: thpcheck -j is one JSON object", (p.stderr or "")[-300:]):
        return
    check(got[0]["findings"] == js["findings"] and got[0]["stats"] == js["stats"],
          f"{name}: same findings and stats as thpscan "
          f"(in flight {sum(js['stats'].get('in_flight', {}).values())})",
          json.dumps(got[0]["stats"])[:300])
    check("RELEASE" in outs.get(2, ""), f"{name}: the session still answers (sys)")


POKE = os.path.join(TOP, "build", "vmcore-poke")


def poke(path, *args):
    return subprocess.run([POKE, path] + [str(a) for a in args], capture_output=True,
                          text=True, check=True).stdout.split()


def swap64(v):
    return int.from_bytes(v.to_bytes(8, "little"), "big")


def plant_found(config, d, before):
    """a corrupt pte planted into a copy of the busy dump is found at its
    entry, and nothing else appears: the in-flight exemptions hide nothing.
    s390x: 0x420 into an empty pte (S390_PTE_ORED_SEG_INVALID); ppc64le: a
    pte with no _PAGE_PTE (PPC_PTE_ILLEGAL; ptes are __be64); x86_64: 0x1010
    into an empty pte inside a VMA (crash's vm of the table's process):
    not present, bit 4 set, which no swap, migration or PROT_NONE entry has
    (X86_PTE_ILLEGAL)"""
    name = f"busy {config} {os.path.basename(d)} planted"
    vml, core = os.path.join(d, "vmlinux"), os.path.join(d, "vmcore")
    p = subprocess.run([THPSCAN, "--tables", "-q", vml, core], capture_output=True, text=True)
    tabs = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    s390 = config.startswith("s390x")
    x86 = config.startswith("x86_64")
    empty, value, sig = (0x400, 0x420, "S390_PTE_ORED_SEG_INVALID") if s390 else \
        (0, 0x1010, "X86_PTE_ILLEGAL") if x86 else \
        (0, 0x8000000000001000, "PPC_PTE_ILLEGAL")
    copy = os.path.join(CACHE, "work", "busy-plant.vmcore")
    os.makedirs(os.path.dirname(copy), exist_ok=True)
    where = None
    cands = [t for t in tabs if t.get("level") == "pte" and not t.get("deposited_on")
             and t.get("pid")]
    if x86:
        # the VMAs of the first processes with pte tables, from crash
        pids = list(dict.fromkeys(t["pid"] for t in cands))[:8]
        outs, _ = crash_session(d, [f"vm {pid}" for pid in pids])
        vmas = {pid: parse_vm(outs.get(i, "")) for i, pid in enumerate(pids)}
        cands = [t for t in cands if vmas.get(t["pid"])]
    for t in cands:
        words = [int(w, 16) for w in poke(core, "read", t["pa"], 512 if x86 else 32)]
        for i, w in enumerate(words):
            if x86 and not (w == empty and in_vmas(vmas[t["pid"]], int(t["va"], 16) + (i << 12))):
                continue
            if x86 or (w if s390 else swap64(w)) == empty:
                where = (int(t["pa"], 16), i)
                break
        if where:
            break
    if not check(where is not None and "error" not in before, f"{name}: an empty pte to plant into"):
        return
    subprocess.run(["cp", "--sparse=always", core, copy], check=True)
    poke(copy, "write", hex(where[0] + 8 * where[1]),
         hex(value if s390 or x86 else swap64(value)))
    js = test_formats.scan(vml, copy)
    os.unlink(copy)
    found = js.get("findings", [])
    hit = [f for f in found if f["sig"] == sig and int(f["table_pa"], 16) == where[0]
           and f["index"] == where[1]]
    check(len(hit) == 1 and len(found) == len(before["findings"]) + 1,
          f"{name}: {sig} at {where[0]:#x}[{where[1]}] found, nothing else "
          f"(in flight {sum(js.get('stats', {}).get('in_flight', {}).values())})",
          json.dumps(js)[:300])


def formats(config, d, man, js):
    """the filtered copy gives what the dump gives; an s390x panic dump
    also in the s390 format"""
    name = f"busy {config} {os.path.basename(d)}"
    test_formats.filtered(name, d, js)
    if man["arch"] == "s390x" and man["kind"] == "panic":
        s390 = test_formats.s390_format(name, d, js)
        if s390 and os.path.exists(s390):
            os.unlink(s390)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--dumps", type=int, default=3)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--rescan", action="store_true",
                    help="scan the sets already in the cache, make none")
    ap.add_argument("--plant", action="store_true",
                    help="also plant a corrupt pte into each configuration's first panic dump")
    ap.add_argument("--crash", action="store_true",
                    help="also open each configuration's panic dump in crash")
    ap.add_argument("--formats", action="store_true",
                    help="also the makedumpfile -d 31 copy of every dump, and the "
                         "s390-format copy of the s390x panic dumps (tests/formats)")
    ap.add_argument("configs", nargs="*")
    a = ap.parse_args()
    rows = []
    for config in a.configs or CONFIGS:
        tally = collections.Counter()
        warn = collections.Counter()
        inflight = collections.Counter()
        errors = []
        for seed in range(a.first, a.first + a.seeds):
            dirs, why = existing(config, seed) if a.rescan else make_busy(config, seed, a.dumps)
            panic = None
            if not check(dirs is not None, f"busy {config} seed {seed}: dumps made", why):
                tally["failed sets"] += 1
                continue
            for d in dirs:
                man = json.load(open(os.path.join(d, "manifest.json")))
                js = scan(d)
                tally[man["kind"]] += 1
                name = f"busy {config} {os.path.basename(d)}"
                if "error" in js:
                    check(False, f"{name}: thpscan scans it", js["error"])
                    tally["scan errors"] += 1
                    continue
                errs = [f for f in js["findings"] if f.get("severity") == "error"]
                for f in js["findings"]:
                    if f.get("severity") != "error":
                        warn[f["sig"]] += 1
                for k, v in js.get("stats", {}).get("in_flight", {}).items():
                    inflight[k] += v
                errors += [(os.path.basename(d), f) for f in errs]
                if man["kind"] == "panic":
                    panic = (d, js)
                tally["error findings"] += len(errs)
                where = "; ".join(c["where"] for c in man.get("cpus", []))
                nif = sum(js.get("stats", {}).get("in_flight", {}).values())
                check(not errs, f"{name}: 0 error findings ({len(js['findings'])} findings, "
                      f"{nif} in flight; cpus {where})",
                      "\n".join(f"{f['sig']} pid {f.get('pid')} va {f.get('va')} {f.get('detail', '')}"
                                for f in errs[:12]))
                if a.formats:
                    formats(config, d, man, js)
            if a.crash and panic and seed == a.first:
                crash_agrees(config, *panic)
            if a.plant and panic and seed == a.first:
                plant_found(config, *panic)
        rows.append((config, tally, warn, inflight, errors))
    if not a.check:
        print(f"\n{'config':20} {'random':>6} {'panic':>5} {'errors':>6}  warnings / in-flight states")
        for config, tally, warn, inflight, errors in rows:
            print(f"{config:20} {tally['random']:6} {tally['panic']:5} {tally['error findings']:6}  "
                  + (", ".join(f"{k} {v}" for k, v in sorted(warn.items())) or "-") + " / "
                  + (", ".join(f"{k} {v}" for k, v in sorted(inflight.items())) or "-"))
        for config, _, _, _, errors in rows:
            for d, f in errors:
                print(f"# {config} {d}: {f['sig']} pid {f.get('pid')} {f.get('comm')} va {f.get('va')} "
                      f"value {f.get('value')}: {f.get('detail', '')}")
    return tap.summary("busy")


if __name__ == "__main__":
    sys.exit(main())
