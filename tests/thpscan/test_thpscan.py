#!/usr/bin/env python3
"""thpscan tests: same findings as crash's thpcheck, bad inputs, batch.

1. On every real sample present in samples/out (s390x, ppc64le and x86_64; ELF
   vmcore and kdump vmcore.kdump) and on the planted copy of the
   real-dump test, `thpscan --json` equals the
   `thpcheck -j` JSON that tests/real/test_samples.py saved from crash in
   $THPCHECK_CACHE/work/SAMPLE/thpcheck-{clean,planted}.json, key by key,
   except "dump" (thpscan only).  If those files are missing or older than
   the engine sources they are made again (one run of test_samples.py,
   about 4 minutes per sample); THPSCAN_NO_REFRESH=1 skips that and
   compares as is.  A sample or reference that is missing is skipped with
   a "# skip" line (counted in the last line, not as a failure).
2. Scope options, --tables, --debuginfo-dir, exit codes.
3. Bad inputs in one run next to a good dump: one "thpscan: FILE: reason"
   line each, exit 2, the good dump still scanned, no input modified.
4. --jobs 2 prints exactly what --jobs 1 prints.
Prints "ok - ..." / "not ok - ..." lines and "N passed, N failed".
"""
import glob
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.environ.get("THPCHECK_CACHE", os.path.expanduser("~/.cache/thpcheck"))
# THPSCAN=build/thpscan-san: the same tests on the ASan+UBSan build
THPSCAN = os.path.abspath(os.environ.get("THPSCAN") or os.path.join(TOP, "build", "thpscan"))
# every sample made here (samples/make-samples.sh), s390x first; those
# not present in samples/out are skipped
KNOWN_SAMPLES = ["s390x-6.1", "s390x-6.12", "ppc64le-6.1-radix", "ppc64le-6.1-hash",
                 "x86_64-6.1", "x86_64-6.12", "x86_64-6.1-la57"]


def present_samples():
    """the test samples in samples/out; the scaling samples of make bench
    (manifest "benchmark_only") are left to bench/run.sh"""
    out = os.path.join(TOP, "samples", "out")
    found = []
    for d in sorted(os.listdir(out)) if os.path.isdir(out) else []:
        man = os.path.join(out, d, "manifest.json")
        if os.path.exists(man) and not json.load(open(man)).get("benchmark_only"):
            found.append(d)
    # THPCHECK_SAMPLES (tests/run.sh): only the samples this run could make
    only = os.environ.get("THPCHECK_SAMPLES")
    if only is not None:
        found = [s for s in found if s in only.split()]
    return [s for s in KNOWN_SAMPLES if s in found] + [s for s in found if s not in KNOWN_SAMPLES]


SAMPLES = present_samples()

sys.path.insert(0, os.path.join(TOP, "tests"))
from tap import check, skip  # noqa: E402
import tap  # noqa: E402


def sample_arch(s):
    try:
        return json.load(open(os.path.join(sample_dir(s), "manifest.json"))).get("arch", "s390x")
    except (OSError, ValueError):
        return s.split("-")[0]


def run(args, **kw):
    return subprocess.run([THPSCAN, "-q"] + args, capture_output=True,
                          text=True, timeout=600, **kw)


def sample_dir(s):
    return os.path.join(TOP, "samples", "out", s)


def work_dir(s):
    return os.path.join(CACHE, "work", s)


def json_lines(text):
    out = []
    for line in text.splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


# the keys only thpscan prints: the file, and where the kernel's layouts and
# symbols came from
THPSCAN_KEYS = ("dump", "layouts", "symbols")


def without_thpscan_keys(js):
    return {k: v for k, v in js.items() if k not in THPSCAN_KEYS}


def diff(a, b, path=""):
    """First difference between two JSON values, as a short string."""
    if type(a) != type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'thpscan' if k in a else 'thpcheck'}"
            d = diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


# ---------------------------------------------------------------- reference

def engine_mtime():
    files = glob.glob(os.path.join(TOP, "ext", "*.[ch]"))
    return max(os.path.getmtime(f) for f in files)


def stale_reference():
    """Samples whose crash JSON is missing or older than ext/, with why."""
    stale = {}
    for s in SAMPLES:
        for name in ("thpcheck-clean.json", "thpcheck-planted.json"):
            p = os.path.join(work_dir(s), name)
            if not os.path.exists(p) or os.path.getsize(p) < 10:
                stale.setdefault(s, f"{p} missing")
            elif os.path.getmtime(p) < engine_mtime():
                stale.setdefault(s, f"{p} older than ext/")
            elif os.path.getmtime(p) < os.path.getmtime(os.path.join(sample_dir(s), "vmcore")):
                stale.setdefault(s, f"{p} older than the sample (made again)")
    return stale


def refresh_reference():
    stale = stale_reference()
    if not stale or os.environ.get("THPSCAN_NO_REFRESH"):
        for why in stale.values():
            print(f"# reference JSON: {why} (THPSCAN_NO_REFRESH set: compared as is)")
        return
    for why in stale.values():
        print(f"# reference JSON: {why}")
    print(f"# making it with crash for {' '.join(stale)} (about 4 minutes each)")
    sys.stdout.flush()
    arches = sorted({sample_arch(s) for s in stale})
    for arch in arches:
        subprocess.run(["make", "-s", f"ARCH={arch}", "ext"], cwd=TOP, check=False)
    subprocess.run(["make", "-s", "build/vmcore-poke"], cwd=TOP, check=False)
    p = subprocess.run([sys.executable, os.path.join(TOP, "tests", "real",
                                                      "test_samples.py")] + list(stale),
                       cwd=TOP, capture_output=True, text=True)
    last = (p.stdout.strip().splitlines() or [""])[-1]
    print(f"# tests/real/test_samples.py: {last}")


# ---------------------------------------------------------------- 1. equality

def compare_to_crash(s):
    sd, wd = sample_dir(s), work_dir(s)
    vml = os.path.join(sd, "vmlinux")
    ref_clean = os.path.join(wd, "thpcheck-clean.json")
    ref_plant = os.path.join(wd, "thpcheck-planted.json")
    cases = [("vmcore", os.path.join(sd, "vmcore"), ref_clean),
             ("vmcore.kdump", os.path.join(sd, "vmcore.kdump"), ref_clean),
             ("vmcore.planted", os.path.join(wd, "vmcore.planted"), ref_plant)]
    results = {}
    for name, dump, ref in cases:
        if not os.path.exists(dump) or not os.path.exists(ref):
            skip(f"{s}/{name}: thpscan --json == crash thpcheck -j",
                 " and ".join(p for p in (dump, ref) if not os.path.exists(p)) + " missing")
            continue
        want = json.loads(open(ref).read())
        p = run(["--json", vml, dump])
        lines = json_lines(p.stdout)
        if not check(len(lines) == 1, f"{s}/{name}: --json prints one line",
                     p.stderr.strip()[:300]):
            continue
        got = lines[0]
        results[name] = got
        check(got.get("dump") == dump, f"{s}/{name}: \"dump\" is the path",
              str(got.get("dump")))
        # the suite's memo is cold for the first scan of each kernel only
        check(got.get("layouts") in ("dwarf", "memo") and got.get("symbols") in ("elf", "memo"),
              f"{s}/{name}: \"layouts\" and \"symbols\" name the vmlinux's DWARF and ELF "
              f"symbols or the memo ({got.get('layouts')}, {got.get('symbols')})",
              f"{got.get('layouts')} {got.get('symbols')}")
        got = without_thpscan_keys(got)
        d = diff(got, want)
        check(d is None, f"{s}/{name}: thpscan --json == crash thpcheck -j "
              f"({len(want['findings'])} findings, {sum(want['stats']['tables'].values())} tables)",
              d or "")
        exp_rc = 1 if want["findings"] else 0
        check(p.returncode == exp_rc, f"{s}/{name}: exit {exp_rc}",
              f"exit {p.returncode}")
    return results


def layout_memo(tmp, s):
    """the per-build-id memo of symbol and layout answers: a warm run
    gives the same JSON without indexing the DWARF; a damaged or foreign
    file is ignored; THPSCAN_LAYOUT_CACHE=off turns it off"""
    sd = sample_dir(s)
    vml, dump = os.path.join(sd, "vmlinux"), os.path.join(sd, "vmcore.kdump")
    d = tempfile.mkdtemp(prefix="memo.", dir=tmp)

    def scan(cache, args=("--json",)):
        """(first JSON line, exit code, peak RSS in KiB) of one run"""
        env = dict(os.environ, THPSCAN_LAYOUT_CACHE=cache)
        p = subprocess.Popen([THPSCAN, "-q", *args, vml, dump], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, env=env)
        out = p.stdout.read()
        _, status, ru = os.wait4(p.pid, 0)
        lines = json_lines(out)
        return (lines[0] if lines else None), os.waitstatus_to_exitcode(status), ru.ru_maxrss

    cold, rc, _ = scan(d)
    check(cold is not None and (cold.get("layouts"), cold.get("symbols")) == ("dwarf", "elf"),
          f"{s}: a cold run says its layouts and symbols came from DWARF and the ELF symbols",
          str(cold and (cold.get("layouts"), cold.get("symbols"))))
    files = glob.glob(os.path.join(d, "*.layout"))
    if not check(cold is not None and len(files) == 1,
                 f"{s}: a cold run writes one BUILD-ID.layout file", str(files)):
        return
    memo = files[0]
    bid = os.path.basename(memo)[:-len(".layout")]
    head_line = open(memo).readline().strip()
    check(head_line == f"thpscan-layout 2 {bid}", f"{s}: memo header names the build-id",
          head_line)
    warm, rc2, _ = scan(d)
    check(warm is not None and (warm.get("layouts"), warm.get("symbols")) == ("memo", "memo"),
          f"{s}: a warm run says the memo answered everything",
          str(warm and (warm.get("layouts"), warm.get("symbols"))))
    warm, cold = without_thpscan_keys(warm or {}), without_thpscan_keys(cold)
    check(warm == cold and rc2 == rc, f"{s}: warm run (memo) == cold run", diff(warm, cold) or "")
    off, rc3, _ = scan("off")
    off = without_thpscan_keys(off or {})
    check(off == cold and rc3 == rc, f"{s}: THPSCAN_LAYOUT_CACHE=off == cold run",
          diff(off, cold) or "")
    r_cold, r_warm = scan("off", ("-s",))[2], scan(d, ("-s",))[2]
    check(r_warm * 2 < r_cold, f"{s}: a warm run does not index the DWARF "
          f"(peak RSS {r_warm // 1024} MiB vs {r_cold // 1024} MiB)")
    good = open(memo).read()
    for name, text in (("damaged", good + "sz:page: not-a-number\n"),
                       ("foreign", good.replace(bid, "00" * 20, 1)),
                       ("empty", "")):
        open(memo, "w").write(text)
        got, rc4, _ = scan(d)
        got = without_thpscan_keys(got or {})
        check(got == cold and rc4 == rc, f"{s}: a {name} memo file is ignored",
              diff(got, cold) or "")


# ---------------------------------------------------------------- no vmlinux

def kernel_config(s):
    """the sample kernel's config options (from its package's config file)"""
    cfg = os.path.join(os.path.dirname(os.path.realpath(
        os.path.join(sample_dir(s), "vmlinux"))), "config")
    opts = {}
    for line in open(cfg) if os.path.exists(cfg) else []:
        if line.startswith("CONFIG_") and "=" in line:
            k, v = line.strip().split("=", 1)
            opts[k] = v
    return opts


def has_vmcoreinfo(s):
    """whether thpscan finds the dump's VMCOREINFO: a note of the ELF file,
    or on s390x the kernel's copy that the lowcore points to (QEMU writes
    no note there; libkdumpfile reads it from memory)"""
    if sample_arch(s) == "s390x":
        return True
    return b"VMCOREINFO" in open(os.path.join(sample_dir(s), "vmcore"), "rb").read(1 << 20)


COMPARE = os.path.join(TOP, "build", "debuginfo-compare")


def no_vmlinux(s, full, memo_dir):
    """thpscan VMCORE: the dump's own BTF and kallsyms give the JSON the
    vmlinux gives (every key, both formats), every question the engine
    asked gets the same answer from every source (debuginfo-compare);
    a kernel without BTF is scanned from the memo of an earlier scan of
    its build-id, or refused with one line naming what is missing"""
    sd = sample_dir(s)
    cfg = kernel_config(s)
    btf = cfg.get("CONFIG_DEBUG_INFO_BTF") == "y"
    allsyms = cfg.get("CONFIG_KALLSYMS_ALL") == "y"
    for f in ("vmcore", "vmcore.kdump", "vmcore.planted"):
        dump = os.path.join(work_dir(s) if f == "vmcore.planted" else sd, f)
        name = f"{s}/{f} without vmlinux"
        want = full.get(f)
        if want is None or not os.path.exists(dump):
            skip(name, "no vmlinux JSON to compare with")
            continue
        vmci = has_vmcoreinfo(s)
        p = run(["--json", dump], env=dict(os.environ, THPSCAN_LAYOUT_CACHE="off"))
        lines = json_lines(p.stdout)
        if btf and allsyms and vmci:
            got = lines[0] if len(lines) == 1 else {}
            check((got.get("layouts"), got.get("symbols")) == ("btf", "kallsyms"),
                  f"{name}: layouts from the dump's BTF, symbols from its kallsyms",
                  p.stderr.strip()[:300] or f"{got.get('layouts')} {got.get('symbols')}")
            d = diff(without_thpscan_keys(got), without_thpscan_keys(want))
            check(d is None and p.returncode == (1 if want["findings"] else 0),
                  f"{name}: the same JSON as with the vmlinux, key by key "
                  f"({len(want['findings'])} findings, {sum(want['stats']['tables'].values())} tables)",
                  d or f"exit {p.returncode}")
        else:
            missing = ("no VMCOREINFO" if not vmci else "no BTF" if not btf else "")
            check(p.returncode == 2 and p.stderr.count("\n") == 1 and missing in p.stderr and
                  "give the VMLINUX" in p.stderr,
                  f"{name}: refused in one line naming what is missing ({missing or 'symbols'})",
                  f"exit {p.returncode}: {p.stderr.strip()[:300]}")
            if vmci and f == "vmcore.kdump":
                # the memo of the DWARF scans this suite made is a source too
                p = run(["--json", dump], env=dict(os.environ, THPSCAN_LAYOUT_CACHE=memo_dir))
                lines = json_lines(p.stdout)
                got = lines[0] if len(lines) == 1 else {}
                d = diff(without_thpscan_keys(got), without_thpscan_keys(want))
                check(got.get("layouts") == "memo" and d is None and p.returncode in (0, 1),
                      f"{name}: layouts from the memo of an earlier scan, the same JSON",
                      (d or "") + p.stderr.strip()[:300])
    memo = glob.glob(os.path.join(memo_dir, "*.layout"))
    if not (btf and allsyms):
        return
    if not os.access(COMPARE, os.X_OK):
        skip(f"{s}: debuginfo-compare", "build/debuginfo-compare missing")
        return
    bid = {}
    for m in memo:
        bid[os.path.basename(m)[:-len(".layout")]] = m
    p = subprocess.run(["readelf", "-n", os.path.join(sd, "vmlinux")], capture_output=True, text=True)
    mine = [m for b, m in bid.items() if b in p.stdout]
    if not check(len(mine) == 1, f"{s}: the DWARF scans wrote the engine's questions down"):
        return
    p = subprocess.run([COMPARE, os.path.join(sd, "vmlinux"), os.path.join(sd, "vmcore.kdump"),
                        mine[0]], capture_output=True, text=True, timeout=600)
    last = (p.stdout.strip().splitlines() or [""])[-1]
    check(p.returncode == 0 and last.endswith(", 0 differ"),
          f"{s}: every question the engine asked has the same answer from DWARF+ELF, the "
          f"vmlinux's .BTF and the dump's BTF+kallsyms ({last})",
          (p.stdout + p.stderr).strip()[-600:])


# ---------------------------------------------------------------- 2. options

def option_checks(s, full):
    sd = sample_dir(s)
    vml, dump = os.path.join(sd, "vmlinux"), os.path.join(sd, "vmcore.kdump")
    man = json.load(open(os.path.join(sd, "manifest.json")))
    if not full:
        return
    parent = next(p for p in man["processes"] if p.get("role") == "parent")
    pid = parent["pid"]
    mm_full = next(m for m in full["mms"] if pid in m["pids"])

    js = json_lines(run(["--json", "-p", str(pid), vml, dump]).stdout)
    check(len(js) == 1 and len(js[0]["mms"]) == 1 and js[0]["mms"][0] == mm_full,
          f"{s}: -p {pid} walks exactly that mm, same figures as the full scan")
    js = json_lines(run(["--json", "-m", mm_full["mm"], vml, dump]).stdout)
    check(len(js) == 1 and [m["mm"] for m in js[0]["mms"]] == [mm_full["mm"]],
          f"{s}: -m {mm_full['mm']} walks exactly that mm")
    js = json_lines(run(["--json", "-k", vml, dump]).stdout)
    check(len(js) == 1 and [m["kernel"] for m in js[0]["mms"]] == [True],
          f"{s}: -k walks only the kernel tables")

    p = run(["--tables", vml, dump])
    tabs = json_lines(p.stdout)
    # walked tables, plus one line per deposited table ("deposited_on")
    walked = [t for t in tabs if "deposited_on" not in t]
    total = sum(full["stats"]["tables"].values())
    check(len(walked) == total and all(t.get("dump") == dump and
                                       {"pa", "level", "mm", "va"} <= set(t) for t in tabs),
          f"{s}: --tables lists the {total} walked tables (+{len(tabs) - len(walked)} "
          "deposited), each with \"dump\"", f"{len(walked)} lines")
    check(len(tabs) - len(walked) == full["stats"]["deposited"],
          f"{s}: --tables lists every deposited table ({full['stats']['deposited']})",
          f"{len(tabs) - len(walked)}")

    p = run(["-s", vml, dump])
    check(p.stdout.startswith(dump + ": SUMMARY: ") and p.stdout.count("\n") == 1,
          f"{s}: -s prints one summary line per dump", p.stdout[:200])
    p = run([vml, dump])
    check(p.stdout.startswith(f"== {dump}\nthpcheck ") and "SUMMARY:" in p.stdout,
          f"{s}: text output has a header per dump and the engine's text",
          p.stdout[:200])

    # vmlinux found by build-id under a debuginfo tree
    p = run(["--json", "--debuginfo-dir", os.path.join(CACHE, "k"), dump])
    js = json_lines(p.stdout)
    check(p.returncode == (1 if full["findings"] else 0) and len(js) == 1 and
          {k: v for k, v in js[0].items()} == full,
          f"{s}: --debuginfo-dir $THPCHECK_CACHE/k finds the vmlinux (same JSON)",
          p.stderr.strip()[:300])


def debuginfo_layouts(tmp, s):
    """--debuginfo-dir: .build-id tree and vmlinux-RELEASE names.  The
    ppc64le dumps of QEMU have no VMCOREINFO: their build-id is the one
    of the kernel image's .notes in memory, and they name no release."""
    sd = sample_dir(s)
    tmp = os.path.join(tmp, s)
    vml = os.path.realpath(os.path.join(sd, "vmlinux"))
    dump = os.path.join(sd, "vmcore.kdump")
    want = json_lines(run(["--json", vml, dump]).stdout)
    bid = subprocess.run(["readelf", "-n", vml], capture_output=True,
                         text=True).stdout.split("Build ID:")[1].split()[0]
    rel = json.load(open(os.path.join(sd, "manifest.json")))["kernel_release"]
    d1 = os.path.join(tmp, "dbg-buildid", ".build-id", bid[:2])
    os.makedirs(d1)
    os.symlink(vml, os.path.join(d1, bid[2:] + ".debug"))
    d2 = os.path.join(tmp, "dbg-release", "usr", "lib", "debug", "boot")
    os.makedirs(d2)
    os.symlink(vml, os.path.join(d2, "vmlinux-" + rel))
    has_release = sample_arch(s) != "ppc64le"
    for name in ("dbg-buildid", "dbg-release"):
        if name == "dbg-release" and not has_release:
            continue
        p = run(["--json", "--debuginfo-dir", os.path.join(tmp, name), dump])
        got = json_lines(p.stdout)
        check(got == want, f"{s}: --debuginfo-dir finds the vmlinux in a {name[4:]} layout",
              p.stderr.strip()[:300])
    # a tree with only another kernel: clear error
    others = [o for o in SAMPLES if os.path.realpath(os.path.join(sample_dir(o), "vmlinux")) != vml
              and os.path.exists(os.path.join(sample_dir(o), "vmlinux"))]
    if not others:
        skip(f"{s}: --debuginfo-dir without the dump's vmlinux", "no sample of another kernel")
        return
    d3 = os.path.join(tmp, "dbg-other")
    os.makedirs(d3)
    os.symlink(os.path.realpath(os.path.join(sample_dir(others[0]), "vmlinux")),
               os.path.join(d3, "vmlinux-other"))
    # without the memo, which would answer for a kernel it has seen
    p = run(["--json", "--debuginfo-dir", d3, dump], env=dict(os.environ, THPSCAN_LAYOUT_CACHE="off"))
    err = p.stderr.strip().splitlines()
    # the dump's BTF is found by its kallsyms, which name __start_BTF only
    # with CONFIG_KALLSYMS_ALL (arm64-6.1 has BTF, but not that)
    cfg = kernel_config(s)
    if cfg.get("CONFIG_DEBUG_INFO_BTF") == "y" and cfg.get("CONFIG_KALLSYMS_ALL") == "y":
        got = json_lines(p.stdout)
        check(len(got) == 1 and got[0].get("layouts") == "btf" and
              without_thpscan_keys(got[0]) == without_thpscan_keys(want[0]),
              f"{s}: --debuginfo-dir without the dump's vmlinux: the dump's own BTF and "
              f"kallsyms, the same JSON", p.stderr.strip()[:300])
        return
    check(p.returncode == 2 and len(err) == 1 and
          err[0].startswith(f"thpscan: {dump}: no vmlinux for build-id {bid}") and
          "give the VMLINUX" in err[0],
          f"{s}: --debuginfo-dir without the dump's vmlinux nor BTF: one clear line "
          f"naming both, exit 2", p.stderr.strip()[:300])


# ---------------------------------------------------------------- 3. bad input

def elf_core(path, machine=50, order="<"):
    """A minimal ELF64 core (one 8 KiB segment); default ia64.  thpscan
    reads the registered arches (s390x, little-endian ppc64, x86_64,
    arm64): any other machine or order is an unsupported arch."""
    ph = struct.pack(order + "IIQQQQQQ", 1, 6, 4096, 0xffff880000000000, 0, 8192, 8192, 4096)
    eh = b"\x7fELF" + bytes([2, 1 if order == "<" else 2, 1, 0]) + bytes(8)
    eh += struct.pack(order + "HHIQQQIHHHHHH", 4, machine, 1, 0, 64, 0, 0, 64, 56, 1, 0, 0, 0)
    buf = eh + ph
    open(path, "wb").write(buf + bytes(4096 - len(buf)) + b"\xab" * 8192)


def head(src, dst, n):
    with open(src, "rb") as f, open(dst, "wb") as g:
        left = n
        while left:
            b = f.read(min(left, 1 << 22))
            if not b:
                break
            g.write(b)
            left -= len(b)


def fingerprint(paths):
    fp = {}
    for p in paths:
        if os.path.isfile(p):
            st = os.stat(p)
            h = hashlib.sha256()
            with open(p, "rb") as f:
                h.update(f.read(1 << 20))   # first MiB + size + mtime
            fp[p] = (st.st_size, st.st_mtime_ns, h.hexdigest())
        else:
            fp[p] = os.path.exists(p)
    return fp


def bad_inputs(tmp):
    if not all(s in SAMPLES for s in ("s390x-6.1", "s390x-6.12")):
        skip("bad inputs", "they are cut from the s390x-6.1 and s390x-6.12 samples")
        return
    s61, s612 = sample_dir("s390x-6.1"), sample_dir("s390x-6.12")
    vml = os.path.join(s61, "vmlinux")
    good = os.path.join(s61, "vmcore.kdump")
    bad = {}
    bad["missing file"] = (os.path.join(tmp, "no-such-vmcore"), "No such file")
    p = os.path.join(tmp, "empty")
    open(p, "w").close()
    bad["empty file"] = (p, "empty file")
    p = os.path.join(tmp, "trunc.elf")
    head(os.path.join(s61, "vmcore"), p, 100 << 20)
    bad["truncated ELF dump"] = (p, "truncated")
    p = os.path.join(tmp, "trunc.kdump")
    head(os.path.join(s61, "vmcore.kdump"), p, os.path.getsize(good) // 2)
    bad["truncated kdump dump"] = (p, "truncated")
    p = os.path.join(tmp, "not-a-dump")
    shutil.copyfile(os.path.join(TOP, "README.md"), p)
    bad["not a dump"] = (p, "not a dump")
    p = os.path.join(tmp, "a-directory")
    os.makedirs(p)
    bad["a directory"] = (p, "is a directory")
    bad["vmlinux that does not match"] = (os.path.join(s612, "vmcore.kdump"),
                                          "does not match the dump")
    p = os.path.join(tmp, "ia64.vmcore")
    elf_core(p)
    bad["dump of an unsupported arch"] = (p, "ia64 dump: unsupported architecture")
    p = os.path.join(tmp, "ppc64-be.vmcore")
    elf_core(p, machine=21, order=">")
    bad["big-endian ppc64 dump"] = (p, "big-endian ppc64 dump: unsupported architecture")

    dumps = [v[0] for v in bad.values()]
    args = dumps[:4] + [good] + dumps[4:]
    before = fingerprint(args + [vml])
    p = run(["--json", vml] + args)
    after = fingerprint(args + [vml])
    err = p.stderr.strip().splitlines()
    check(p.returncode == 2, "bad inputs: exit 2", f"exit {p.returncode}")
    check(len(err) == len(bad), f"bad inputs: one stderr line per bad input ({len(bad)})",
          "\n".join(err))
    for what, (path, why) in bad.items():
        line = [l for l in err if l.startswith(f"thpscan: {path}: ")]
        check(len(line) == 1 and why in line[0],
              f"bad input, {what}: \"thpscan: FILE: ...{why}...\"",
              line[0] if line else "no line")
    js = json_lines(p.stdout)
    scanned = [j for j in js if j["dump"] == good and "stats" in j]
    check(len(scanned) == 1, "bad inputs: the good dump in the same run is still scanned")
    check([j["dump"] for j in js] == args,
          "bad inputs: --json has one line per dump, in argument order (errors as {dump, error})")
    check(before == after, "bad inputs: no input file was modified")

    # each alone: exit 2 and exactly one line
    for what, (path, why) in bad.items():
        p = run([vml, path])
        check(p.returncode == 2 and p.stderr.count("\n") == 1 and p.stdout == "",
              f"bad input alone, {what}: exit 2, one line, no stdout",
              f"exit {p.returncode}: {p.stderr.strip()[:200]}")
    # a VMLINUX that is an ELF file but no kernel with debuginfo (a file
    # that is not ELF is taken for a dump: thpscan VMCORE...)
    p = run(["/bin/true", good])
    check(p.returncode == 2 and p.stderr.count("\n") == 1 and p.stderr.startswith(
        "thpscan: /bin/true: no DWARF debuginfo") and "no .BTF" in p.stderr,
        "a VMLINUX without DWARF or BTF: one clear line, exit 2", p.stderr.strip())
    readme = os.path.join(TOP, "README.md")
    p = run([readme, good])
    check(p.returncode == 2 and p.stderr.startswith(f"thpscan: {readme}: ") and
          p.stderr.count("\n") == 1,
          "a first argument that is no ELF file is a dump: one line for it, exit 2",
          p.stderr.strip()[:300])
    p = run([vml])
    check(p.returncode == 2 and "no VMCORE" in p.stderr, "no VMCORE: usage, exit 2")


# ---------------------------------------------------------------- 4. batch

def batch_checks():
    args = []
    for s in SAMPLES:
        for f in ("vmcore.kdump", "vmcore"):
            args.append((os.path.join(sample_dir(s), "vmlinux"),
                         os.path.join(sample_dir(s), f)))
    # --debuginfo-dir handles dumps of different kernels (and arches) in
    # one run
    dumps = [d for _, d in args if os.path.exists(d)]
    planted = [os.path.join(work_dir(s), "vmcore.planted") for s in SAMPLES]
    planted = [p for p in planted if os.path.exists(p)][:1]
    if len(dumps) < 2 or not planted:
        skip("batch", "needs two sample dumps and one planted copy")
        return
    dumps += planted
    k = os.path.join(CACHE, "k")
    p1 = run(["--json", "--jobs", "1", "--debuginfo-dir", k] + dumps)
    p2 = run(["--json", "--jobs", "2", "--debuginfo-dir", k] + dumps)
    check(p1.stdout == p2.stdout and p1.stdout.count("\n") == len(dumps),
          f"--jobs 2 prints exactly what --jobs 1 prints ({len(dumps)} dumps, "
          f"{len(SAMPLES)} samples)", (p1.stderr + p2.stderr).strip()[:300])
    check(p1.returncode == 1 and p2.returncode == 1,
          "batch with one planted dump: exit 1 (findings)",
          f"{p1.returncode} {p2.returncode}")
    p = run(["--json", "--jobs", "3", "--debuginfo-dir", k, dumps[0],
             "/nonexistent/vmcore", dumps[-1]])
    check(p.returncode == 2 and p.stdout.count("\n") == 3,
          "batch with findings and an unreadable dump: exit 2, all lines printed")


def man_pages():
    for page in ("thpscan.1", "thpcheck.1"):
        path = os.path.join(TOP, "docs", page)
        if not check(os.path.exists(path), f"docs/{page} exists"):
            continue
        p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", path],
                           capture_output=True, text=True)
        check(p.returncode == 0 and p.stderr.strip() == "",
              f"docs/{page} renders without groff warnings", p.stderr.strip()[:300])


def main():
    if not check(os.access(THPSCAN, os.X_OK), f"{os.path.relpath(THPSCAN, TOP)} exists (make thpscan)"):
        return tap.summary("thpscan")
    refresh_reference()
    tmp = tempfile.mkdtemp(prefix="thpscan-test.", dir=os.path.join(CACHE, "work")
                           if os.path.isdir(os.path.join(CACHE, "work")) else None)
    # every run of this suite starts with an empty layout memo: the first
    # scan of each kernel is cold, later ones warm, all compared to crash
    os.environ["THPSCAN_LAYOUT_CACHE"] = os.path.join(tmp, "layout")
    try:
        for s in KNOWN_SAMPLES:
            if s not in SAMPLES or not os.path.exists(os.path.join(sample_dir(s), "vmcore")):
                skip(f"{s}: every check on this sample", "not in samples/out (make samples)")
        arches_done = set()
        for s in SAMPLES:
            if not os.path.exists(os.path.join(sample_dir(s), "vmcore")):
                continue
            res = compare_to_crash(s)
            option_checks(s, res.get("vmcore.kdump"))
            no_vmlinux(s, res, os.environ["THPSCAN_LAYOUT_CACHE"])
            if sample_arch(s) not in arches_done:
                arches_done.add(sample_arch(s))
                debuginfo_layouts(tmp, s)
                layout_memo(tmp, s)
        bad_inputs(tmp)
        batch_checks()
        man_pages()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.summary("thpscan")


if __name__ == "__main__":
    sys.exit(main())
