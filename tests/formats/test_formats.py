#!/usr/bin/env python3
"""Dumps in the forms users have them: filtered by makedumpfile, and (s390x)
in the s390 dump format.

  tests/formats/test_formats.py [--crash] [DUMPDIR...]

DUMPDIR: dump directories (vmcore, vmlinux, manifest.json); default: the
samples of samples/out (THPCHECK_SAMPLES, as tests/run.sh sets it).
For each:
 1. filtered: samples/filter-dump.sh (makedumpfile -d 31 -c, Debian's, under
    qemu-user): thpscan on the copy has 0 error findings and the same
    findings and stats as on the unfiltered ELF dump -- the pages -d 31
    leaves out are pages no check needs;
 2. s390x: samples/zgetdump.sh -f s390, then back with -f elf: thpscan on
    both gives the ELF dump's JSON (the s390 file is libkdumpfile's
    "s390dump"); the copies are removed after the test.
Once per architecture (the first dump of it):
 3. pages left out that checks do need: a user pte table's page and the
    page of struct pages describing it are removed from a copy of the
    filtered file the way makedumpfile removes pages (tests/filtered/
    exclude.py): thpscan reports NOT_IN_DUMP for page tables and for
    struct pages, with makedumpfile's level, and nothing else new -- no
    READ_ERROR, no error finding;
 4. with --crash: crash opens that copy (and, for s390x, the s390-format
    file): thpcheck -j there equals thpscan's JSON, and the session still
    answers `sys`.
"""
import json
import os
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
CACHE = os.environ.get("THPCHECK_CACHE", os.path.expanduser("~/.cache/thpcheck"))
WORK = os.path.join(CACHE, "work", "formats")
SAMPLES = os.path.join(TOP, "samples")


def scan(vmlinux, core):
    p = subprocess.run([THPSCAN, "--json", "-q", vmlinux, core], capture_output=True,
                       text=True, timeout=900)
    try:
        return json.loads(p.stdout.splitlines()[-1])
    except (IndexError, ValueError):
        return {"error": (p.stderr.strip() or f"exit {p.returncode}")[:300]}


# thpscan's own keys: the file, and where layouts and symbols came from
# (the layout memo answers every scan of a kernel after the first)
OWN = ("dump", "layouts", "symbols")


def same(a, b):
    """the JSON of two files of one dump: everything but thpscan's own keys"""
    return {k: v for k, v in a.items() if k not in OWN} == {k: v for k, v in b.items() if k not in OWN}


def differs(a, b):
    if "error" in a or "error" in b:
        return a.get("error") or b.get("error")
    keys = [k for k in set(a) | set(b) if k not in OWN and a.get(k) != b.get(k)]
    return "; ".join(f"{k}: {json.dumps(a.get(k))[:150]} != {json.dumps(b.get(k))[:150]}"
                     for k in keys)


def errors(js):
    return [f for f in js.get("findings", []) if f.get("severity") == "error"]


def run(cmd, what):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return None, f"{what}: " + ((p.stderr.strip().splitlines() or [f"exit {p.returncode}"])[-1])
    return p.stdout.strip().splitlines()[-1] if p.stdout.strip() else "", None


def filtered(name, d, base):
    p = subprocess.run([os.path.join(SAMPLES, "filter-dump.sh"), d], capture_output=True, text=True)
    last = (p.stderr.strip().splitlines() or [f"exit {p.returncode}"])[-1]
    if p.returncode == 3:       # makedumpfile's own "not supported" for this kernel
        skip(f"{name}: makedumpfile -d 31 -c copy", last)
        return None
    path = p.stdout.strip().splitlines()[-1] if p.returncode == 0 and p.stdout.strip() else None
    if not check(path is not None, f"{name}: makedumpfile -d 31 -c copy made", f"filter-dump.sh: {last}"):
        return None
    meta = json.load(open(path + ".json"))
    js = scan(os.path.join(d, "vmlinux"), path)
    nid = sum(js.get("stats", {}).get("not_in_dump", {}).values()) if "error" not in js else -1
    check("error" not in js and not errors(js) and nid == 0 and
          js["findings"] == base["findings"] and js["stats"] == base["stats"],
          f"{name}: filtered copy ({meta['excluded_pages']} of "
          f"{meta['excluded_pages'] + meta['dumped_pages']} pages left out, "
          f"{meta['kdump_bytes'] >> 20} MiB): 0 error findings, same findings and stats as the ELF dump",
          differs(js, base) or f"{len(errors(js))} errors, {nid} not in dump")
    return path


def s390_format(name, d, base):
    os.makedirs(WORK, exist_ok=True)
    s390, back = os.path.join(WORK, "vmcore.s390"), os.path.join(WORK, "vmcore.s390.elf")
    z = os.path.join(SAMPLES, "zgetdump.sh")
    try:
        _, why = run([z, "-f", "s390", os.path.join(d, "vmcore"), s390], "zgetdump -f s390")
        if not check(why is None, f"{name}: zgetdump -f s390 converts it", why):
            return
        js = scan(os.path.join(d, "vmlinux"), s390)
        check(same(js, base), f"{name}: s390 dump format: the ELF dump's JSON", differs(js, base))
        _, why = run([z, "-f", "elf", s390, back], "zgetdump -f elf")
        if check(why is None, f"{name}: zgetdump -f elf converts it back", why):
            js = scan(os.path.join(d, "vmlinux"), back)
            check(same(js, base), f"{name}: ELF from the s390 format: the ELF dump's JSON",
                  differs(js, base))
    finally:
        if os.path.exists(back):
            os.unlink(back)
    return s390


def user_table(d, core):
    """a user pte table of the dump and the physical page of its struct page"""
    p = subprocess.run([THPSCAN, "--tables", "-q", os.path.join(d, "vmlinux"), core],
                       capture_output=True, text=True)
    for line in p.stdout.splitlines():
        if not line.startswith("{"):
            continue
        t = json.loads(line)
        if t.get("level") == "pte" and t.get("pid") and not t.get("deposited_on") and t.get("page_pa"):
            return int(t["pa"], 16), int(t["page_pa"], 16)
    return None


def excluded(name, d, d31, base):
    where = user_table(d, d31)
    if not check(where is not None, f"{name}: a user pte table to leave out"):
        return None
    os.makedirs(WORK, exist_ok=True)
    copy = os.path.join(WORK, "excluded.d31")
    subprocess.run([sys.executable, os.path.join(TOP, "tests", "filtered", "exclude.py"), d31, copy,
                    hex(where[0]), hex(where[1])], check=True)
    js = scan(os.path.join(d, "vmlinux"), copy)
    if not check("error" not in js, f"{name}: thpscan scans the copy", js.get("error")):
        return None
    nid = js["stats"]["not_in_dump"]
    new = [f for f in js["findings"] if f not in base["findings"]]
    notes = [f for f in new if f["sig"] == "NOT_IN_DUMP"]
    check(nid["tables"] >= 1 and nid["struct_pages"] >= 1 and len(notes) == 2 and
          len(new) == 2 and all("makedumpfile -d 31" in f["detail"] for f in notes) and
          not any(f["sig"] == "READ_ERROR" for f in js["findings"]) and not errors(js),
          f"{name}: pte table {where[0]:#x} and its struct page left out: NOT_IN_DUMP "
          f"(tables {nid['tables']}, struct_pages {nid['struct_pages']}), nothing else new",
          "\n".join(f"{f['sig']} {f['severity']}: {f['detail']}" for f in new[:12]))
    return copy, js


def in_crash(name, d, core, js, what):
    man = json.load(open(os.path.join(d, "manifest.json")))
    outs, p = crash_session(d, [f"extend {ext_for(man)}", "thpcheck -j", "sys"], vmcore=core)
    got = json_lines(outs.get(1, ""))
    if check(len(got) == 1, f"{name}: {what} in crash: thpcheck -j is one JSON object",
             (p.stderr or "")[-300:]):
        check(got[0]["findings"] == js["findings"] and got[0]["stats"] == js["stats"],
              f"{name}: {what} in crash: thpscan's findings and stats", differs(got[0], js))
    check("RELEASE" in outs.get(2, ""), f"{name}: {what} in crash: the session still answers (sys)")


def dirs_of(args):
    if args:
        return args
    only = os.environ.get("THPCHECK_SAMPLES")
    out = os.path.join(SAMPLES, "out")
    names = only.split() if only is not None else sorted(
        n for n in os.listdir(out) if os.path.isdir(os.path.join(out, n))) if os.path.isdir(out) else []
    return [os.path.join(out, n) for n in names]


def main():
    args = sys.argv[1:]
    crash = "--crash" in args
    args = [a for a in args if a != "--crash"]
    seen_arch = set()
    dirs = dirs_of(args)
    if not dirs:
        skip("dump formats", "no dumps (make samples)")
    for d in dirs:
        man = json.load(open(os.path.join(d, "manifest.json")))
        arch = man["arch"]
        name = f"{man.get('config') or os.path.basename(os.path.realpath(d))} {os.path.basename(d)}" \
            if man.get("kind") else os.path.basename(d)
        base = scan(os.path.join(d, "vmlinux"), os.path.join(d, "vmcore"))
        if not check("error" not in base, f"{name}: thpscan scans the ELF dump", base.get("error")):
            continue
        d31 = filtered(name, d, base)
        s390 = s390_format(name, d, base) if arch == "s390x" else None
        ex = None
        try:
            if arch in seen_arch or not d31:
                continue
            seen_arch.add(arch)
            ex = excluded(name, d, d31, base)
            if crash and ex:
                in_crash(name, d, ex[0], ex[1], "filtered copy with a table left out")
            if crash and s390:
                in_crash(name, d, s390, base, "s390 dump format")
        finally:
            for f in (s390, ex[0] if ex else None):
                if f and os.path.exists(f):
                    os.unlink(f)
    return tap.summary("dump formats")


if __name__ == "__main__":
    sys.exit(main())
