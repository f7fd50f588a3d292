#!/usr/bin/env python3
"""The bug lab (samples/make-bug.sh): each seed bug re-enacted by the running
kernel of a guest, dumped, and checked against the module's ground truth.

  tests/bugs/test_bugs.py [--crash] [--list] [CONFIG/SCENARIO...]

For every dump (made, or taken from the cache when up to date):
  - thpscan reports exactly the corruption the module wrote: per "truth"
    line of the manifest one finding with that signature, table_pa, index
    and value (the new word), and nothing else (no other finding of any
    severity);
  - legal-pending: 0 findings, and every table the module saw queued for
    freeing is counted in flight ("in flight: table-free" with -v);
--crash also opens the dumps marked for it in crash: thpcheck -j there
must give the findings and stats thpscan gave, and the session must still
answer.  Ends with "bugs: N passed, N failed".
"""

import argparse
import json
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests"))
sys.dont_write_bytecode = True
from tap import check, skip  # noqa: E402
import tap  # noqa: E402
sys.path.insert(0, os.path.join(TOP, "tests", "real"))
from test_samples import crash_session, ext_for, json_lines  # noqa: E402

THPSCAN = os.environ.get("THPSCAN") or os.path.join(TOP, "build", "thpscan")

# (config, scenario, open in crash too)
SCENARIOS = [
    ("s390x-6.1", "idte-wrong-address", True),
    ("s390x-6.1", "legal-pending", True),
    ("s390x-6.1", "deposit-ring-0x400", False),
    ("s390x-6.1", "seg-empty-large", False),
    ("s390x-6.1", "free-referenced", False),
    ("s390x-6.1", "deposit-not-empty", False),
    ("s390x-6.1", "frag-release-race", False),
    ("s390x-6.12", "idte-wrong-address", True),
    ("s390x-6.12", "legal-pending", True),
    ("s390x-6.12", "free-referenced", False),
    ("ppc64le-6.1-radix", "legal-pending", True),
    ("ppc64le-6.1-hash", "legal-pending", True),
    ("ppc64le-6.1-radix", "frag-refcount", False),
    ("ppc64le-6.1-hash", "frag-refcount", False),
    ("ppc64le-6.1-radix", "deposit-double-withdraw", False),
    ("ppc64le-6.1-hash", "deposit-slot-cleared", False),
    # x86_64-6.1 has no legal-pending: native x86 frees page tables without
    # RCU, and v6.1 has no pte_free_defer() (samples/bugs/legal-pending.c)
    ("x86_64-6.12", "legal-pending", True),
    # a KVM guest's tlb_remove_table() batch: the tables' struct pages
    ("x86_64-6.1", "legal-pending-kvm", False),
    ("x86_64-6.12", "legal-pending-kvm", False),
    ("x86_64-6.1", "deposit-not-empty", True),
    ("x86_64-6.12", "deposit-not-empty", False),
    ("x86_64-6.1", "deposit-list-del", False),
    ("x86_64-6.12", "deposit-list-del", False),
    ("x86_64-6.1", "free-referenced", False),
    ("x86_64-6.12", "free-referenced", True),
    # the pre-v5.19 try_to_migrate_one() on a 64 KiB CONT-PTE hugetlb page
    ("arm64-6.1", "cont-pte-migrate", True),
    ("arm64-6.12", "cont-pte-migrate", False),
]


def make(config, scenario):
    p = subprocess.run([os.path.join(TOP, "samples", "make-bug.sh"), config, scenario],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None, (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]
    return p.stdout.split()[-1], None


def thpscan(d, *opts):
    p = subprocess.run([THPSCAN, "-q", *opts, os.path.join(d, "vmlinux"), os.path.join(d, "vmcore")],
                       capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def num(v):
    return int(v, 16) if isinstance(v, str) else v


def finding_of(truth, findings):
    for f in findings:
        if (f["sig"] == truth["sig"] and num(f["table_pa"]) == truth["table_pa"] and
                f["index"] == truth["index"] and num(f["value"]) == truth["new"]):
            return f
    return None


def check_truth(name, man, js):
    findings = js["findings"]
    for t in man["truth"]:
        f = finding_of(t, findings)
        check(f is not None,
              f"{name}: {t['sig']} at table {t['table_pa']:#x}[{t['index']}] = {t['new']:#x}"
              f" (was {t['old']:#x})",
              "; ".join(f"{x['sig']} {x['table_pa']}[{x['index']}]={x['value']}" for x in findings)
              or "no findings")
        if f is not None and t["sig"] == "S390_PTE_ORED_SEG_INVALID":
            check("exactly where IDTE lands" in f["detail"] and
                  f"segment table {t['segment_table']:#x}" in f["detail"],
                  f"{name}: names segment table {t['segment_table']:#x} and where IDTE lands",
                  f["detail"])
    others = [x for x in findings if not any(finding_of(t, [x]) for t in man["truth"])]
    check(not others, f"{name}: nothing else reported",
          "; ".join(f"{x['severity']} {x['sig']} {x['table_pa']}[{x['index']}]" for x in others))


def check_pending(name, d, man, js):
    check(not js["findings"], f"{name}: 0 findings",
          "; ".join(f"{x['severity']} {x['sig']} {x['table_pa']}" for x in js["findings"]))
    rc, out, err = thpscan(d, "-v")
    seen = {int(x, 16) for x in re.findall(r"in flight: table-free: (?:mm \S+ )?table (0x[0-9a-f]+)", out)}
    want = [p["table_pa"] for p in man["pending"]]
    missed = [w for w in want if w not in seen]
    check(want and not missed,
          f"{name}: each of the {len(want)} tables queued for freeing is counted in flight "
          f"(table-free {js['stats']['in_flight']['table-free']})",
          "not recognised: " + " ".join(hex(m) for m in missed[:10]))


def crash_agrees(name, d, man, js):
    outs, p = crash_session(d, [f"extend {ext_for(man)}", "thpcheck -j", "sys"])
    got = json_lines(outs.get(1, ""))
    if not check(len(got) == 1, f"{name} in crash: thpcheck -j is one JSON object",
                 (p.stderr or "")[-300:]):
        return
    check(got[0]["findings"] == js["findings"] and got[0]["stats"] == js["stats"],
          f"{name} in crash: same findings and stats as thpscan",
          json.dumps(got[0]["findings"])[:300])
    check("RELEASE" in outs.get(2, ""), f"{name} in crash: the session still answers (sys)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--crash", action="store_true", help="also check the marked dumps in crash")
    ap.add_argument("--list", action="store_true", help="print CONFIG/SCENARIO lines and stop")
    ap.add_argument("only", nargs="*", metavar="CONFIG/SCENARIO")
    a = ap.parse_args()
    todo = [s for s in SCENARIOS if not a.only or f"{s[0]}/{s[1]}" in a.only]
    if a.list:
        for config, scenario, _ in todo:
            print(f"{config}/{scenario}")
        return 0
    built = os.environ.get("THPCHECK_SAMPLES")
    for config, scenario, in_crash in todo:
        name = f"bug {config} {scenario}"
        if built is not None and config not in built.split():
            skip(name, f"sample {config} was not built")
            continue
        d, why = make(config, scenario)
        if not check(d is not None, f"{name}: dumped", why):
            continue
        man = json.load(open(os.path.join(d, "manifest.json")))
        rc, out, err = thpscan(d, "-j")
        js = json_lines(out)
        if not check(rc in (0, 1) and len(js) == 1, f"{name}: thpscan -j", err.strip()[-300:]):
            continue
        js = js[0]
        if man["truth"]:
            check_truth(name, man, js)
        else:
            check_pending(name, d, man, js)
        if a.crash and in_crash:
            crash_agrees(name, d, man, js)
    return tap.summary("bugs")


if __name__ == "__main__":
    sys.exit(main())
