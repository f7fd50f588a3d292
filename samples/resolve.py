#!/usr/bin/env python3
"""resolve.py: the one package resolver behind everything samples/ downloads.

A Debian mirror's index and its pool drift apart: a security update is listed
in Packages before every architecture's build is in the pool (404), and the
build that the pool still has may be listed nowhere any more.  So a package
is never "the newest index entry" but a list of candidates, tried in order:

  1. the versions recorded as known-good in samples/versions.lock (package,
     architecture, version, SHA-256, pool path, and the suite it was chosen
     for: only lines whose suite --suites allows count), kept in git;
  2. every other version the private index (samples/setup-apt.sh) lists for
     the allowed suites, newest first;

and the first candidate whose download succeeds and whose SHA-256 matches
wins.  A 404 (or any other failed download) or a checksum mismatch moves on
to the next candidate; when none is left, one line names the package and
every version tried with the reason, and the exit status is 1.

  resolve.py deb    [--suites RE] [--version V] [--dest DIR] [--have FILE] PKG:ARCH...
  resolve.py kernel  --suites RE --family RE [--dest DIR] [--have FILE] ARCH
  resolve.py source  --suites RE [--files RE] [--dest DIR] [--have FILE] SRC

deb     one binary package each (crash and its libraries, busybox, QEMU).
kernel  the image packages whose name matches --family (a whole family such
        as linux-image-6.12.*+deb13-s390x) and the -dbg package of the same
        version: a candidate is the pair, both must download.
source  the files of a source package (from the Sources index, or the
        "source" lines of the lock file) whose names match --files.

--suites   regular expression on the suite names of the private sources.list
           (e.g. '^trixie(-updates|-security)?$'); default: every suite.
--dest     where the files go (default $THPCHECK_CACHE/debs/ARCH, for
           sources $THPCHECK_CACHE/src); a file already there with the
           right SHA-256 is used without any download.
--version  (deb) only this version of each package: the headers and kbuild
           of one kernel build must be that build's, not the newest
--have     a file of lines this command printed earlier (what a caller has
           already unpacked): a candidate listed there is taken as it is,
           without a download, so a cache made from a fall-back stays.

Printed on stdout, one line per file chosen:
  PACKAGE ARCH VERSION SHA256 PATH            (PATH: the local file)
and on stderr, for each package, every candidate tried and what happened.

Environment: THPCHECK_CACHE (default ~/.cache/thpcheck); THPCHECK_APT_DIR
(default $THPCHECK_CACHE/apt: etc/sources.list and state/lists as written by
setup-apt.sh); THPCHECK_DOWNLOAD_TIMEOUT (s, default 120) and
THPCHECK_DOWNLOAD_RETRIES (tries per URL on a transient error, default 3);
THPCHECK_LOCK (default samples/versions.lock next to this
script); THPCHECK_LOCK_RECORD=1 writes what was chosen into the lock file
(replacing the package's earlier lines) -- how the lock is kept up to date.
"""

import argparse
import hashlib
import os
import re
import sys
import time
import urllib.error
import urllib.request

PROG = "resolve"
HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.environ.get("THPCHECK_CACHE", os.path.expanduser("~/.cache/thpcheck"))
APT_DIR = os.environ.get("THPCHECK_APT_DIR", os.path.join(CACHE, "apt"))
LOCK = os.environ.get("THPCHECK_LOCK", os.path.join(HERE, "versions.lock"))
TIMEOUT = float(os.environ.get("THPCHECK_DOWNLOAD_TIMEOUT", "120"))
# tries per URL on a transient error (connection reset, timeout); a 404 is final
RETRIES = max(1, int(os.environ.get("THPCHECK_DOWNLOAD_RETRIES", "3")))


def log(msg):
    print(f"{PROG}: {msg}", file=sys.stderr, flush=True)


class Failed(Exception):
    """nothing downloadable: the message is the one line for the user"""


# --- Debian version order (dpkg's verrevcmp, lib/dpkg/version.c) -------------

def _order(c):
    if c == "~":
        return -1
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _verrevcmp(a, b):
    i = j = 0
    while i < len(a) or j < len(b):
        first_diff = 0
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac = _order(a[i]) if i < len(a) else 0
            bc = _order(b[j]) if j < len(b) else 0
            if ac != bc:
                return ac - bc
            i += 1
            j += 1
        while i < len(a) and a[i] == "0":
            i += 1
        while j < len(b) and b[j] == "0":
            j += 1
        while i < len(a) and a[i].isdigit() and j < len(b) and b[j].isdigit():
            if not first_diff:
                first_diff = ord(a[i]) - ord(b[j])
            i += 1
            j += 1
        if i < len(a) and a[i].isdigit():
            return 1
        if j < len(b) and b[j].isdigit():
            return -1
        if first_diff:
            return first_diff
    return 0


def _split_version(v):
    epoch, _, rest = v.rpartition(":") if ":" in v else ("0", "", v)
    upstream, _, rev = rest.rpartition("-") if "-" in rest else (rest, "", "")
    return int(epoch or 0), upstream, rev


def version_cmp(a, b):
    ea, ua, ra = _split_version(a)
    eb, ub, rb = _split_version(b)
    if ea != eb:
        return ea - eb
    return _verrevcmp(ua, ub) or _verrevcmp(ra, rb)


class Version:
    """sort key for Debian versions"""
    def __init__(self, v):
        self.v = v

    def __lt__(self, other):
        return version_cmp(self.v, other.v) < 0


# --- the private index -----------------------------------------------------------

def list_name(uri, suite, what):
    """apt's list file name: scheme dropped, '/' -> '_' (setup-apt.sh listname)"""
    u = uri.split("://", 1)[-1].rstrip("/")
    return f"{u.replace('/', '_')}_dists_{suite}_main_{what}"


def read_sources_list():
    """[(type, uri, suite, [archs])] from the private sources.list"""
    path = os.path.join(APT_DIR, "etc", "sources.list")
    out = []
    try:
        lines = open(path).read().splitlines()
    except OSError as e:
        raise Failed(f"no private apt configuration ({path}: {e.strerror}); run samples/setup-apt.sh")
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        typ, opts = words[0], {}
        if len(words) > 1 and words[1].startswith("["):
            k = 1
            raw = []
            while True:
                raw.append(words[k].strip("[]"))
                if words[k].endswith("]"):
                    break
                k += 1
            for o in " ".join(raw).split():
                if "=" in o:
                    key, val = o.split("=", 1)
                    opts[key] = val
            words = [typ] + words[k + 1:]
        if typ in ("deb", "deb-src") and len(words) >= 3:
            archs = opts.get("arch", "amd64").split(",")
            out.append((typ, words[1].rstrip("/"), words[2], archs))
    return out


def stanzas(path, want):
    """the stanzas of a Packages/Sources file whose Package matches want(name)"""
    try:
        data = open(path, "rb").read()
    except OSError:
        return
    for m in re.finditer(rb"^Package: (\S+)\n", data, re.M):
        name = m.group(1).decode()
        if not want(name):
            continue
        end = data.find(b"\n\n", m.start())
        text = data[m.start():end if end >= 0 else len(data)].decode("utf-8", "replace")
        fields, key = {}, None
        for line in text.split("\n"):
            if line.startswith((" ", "\t")) and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, val = line.split(":", 1)
                fields[key] = val.strip()
        yield fields


class Candidate:
    """one version of one package: where to fetch it, what checksum it must have"""
    def __init__(self, pkg, arch, version, origin, suite):
        self.pkg, self.arch, self.version, self.origin = pkg, arch, version, origin
        self.suite = suite              # the suite it was found for (lock: recorded)
        self.files = []                 # [(name, sha256, [url, ...])]

    def add(self, name, sha, url):
        for f in self.files:
            if f[0] == name and f[1] == sha:
                if url not in f[2]:
                    f[2].append(url)
                return
        self.files.append((name, sha, [url]))


def binary_index(suite_re, arch, want):
    """{(pkg, version): Candidate} of the index, for arch (and arch all)"""
    found = {}
    for typ, uri, suite, archs in read_sources_list():
        if typ != "deb" or not re.search(suite_re, suite) or arch not in archs:
            continue
        path = os.path.join(APT_DIR, "state", "lists", list_name(uri, suite, f"binary-{arch}_Packages"))
        for f in stanzas(path, want):
            if not {"Version", "Filename", "SHA256"} <= f.keys():
                continue
            key = (f["Package"], f["Version"])
            c = found.setdefault(key, Candidate(f["Package"], arch, f["Version"], f"index {suite}", suite))
            c.add(os.path.basename(f["Filename"]), f["SHA256"], f"{uri}/{f['Filename']}")
    return found


def source_index(suite_re, want):
    found = {}
    for typ, uri, suite, _ in read_sources_list():
        if typ != "deb-src" or not re.search(suite_re, suite):
            continue
        path = os.path.join(APT_DIR, "state", "lists", list_name(uri, suite, "source_Sources"))
        for f in stanzas(path, want):
            if not {"Version", "Directory", "Checksums-Sha256"} <= f.keys():
                continue
            key = (f["Package"], f["Version"])
            c = found.setdefault(key, Candidate(f["Package"], "source", f["Version"], f"index {suite}", suite))
            for line in f["Checksums-Sha256"].split("\n"):
                w = line.split()
                if len(w) == 3:
                    c.add(w[2], w[0], f"{uri}/{f['Directory']}/{w[2]}")
    return found


def base_uris(suite_re):
    """every mirror base a pool path of the lock may live under"""
    uris = []
    for typ, uri, suite, _ in read_sources_list():
        if re.search(suite_re, suite) and uri not in uris:
            uris.append(uri)
    for typ, uri, suite, _ in read_sources_list():
        if uri not in uris:
            uris.append(uri)
    return uris


LOCK_FORMAT = "PACKAGE ARCH VERSION SHA256 POOL-PATH SUITE"


def read_lock():
    """[(pkg, arch, version, sha256, pool path, suite)]: the suite is the one
    the version was chosen for, so that bookworm's libc6 for the guest's
    stress-ng and trixie's for crash can both be locked"""
    out = []
    try:
        lines = open(LOCK).read().splitlines()
    except OSError:
        return out
    for n, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        w = line.split()
        if len(w) != 6 or not re.fullmatch(r"[0-9a-f]{64}", w[3]):
            raise Failed(f"{LOCK}:{n}: want '{LOCK_FORMAT}'")
        out.append(tuple(w))
    return out


def lock_candidates(pkg_match, arch, suite_re):
    found = {}
    uris = base_uris(suite_re)
    for pkg, a, ver, sha, path, suite in read_lock():
        if a != arch or not pkg_match(pkg) or not re.search(suite_re, suite):
            continue
        c = found.setdefault((pkg, ver), Candidate(pkg, arch, ver, "lock", suite))
        for u in uris:
            c.add(os.path.basename(path), sha, f"{u}/{path}")
    return found


def ordered(lock, index):
    """lock candidates first (in lock order), then the index, newest first;
    an index entry of a locked version adds its URLs to the lock's"""
    out = list(lock.values())
    for key in sorted(index, key=lambda k: Version(k[1]), reverse=True):
        c = index[key]
        if key in lock:
            for name, sha, urls in c.files:
                for u in urls:
                    lock[key].add(name, sha, u)
        else:
            out.append(c)
    return out


# --- downloads ---------------------------------------------------------------------

def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch_url(url, dest):
    """download url to dest; None on success, else the reason (short)"""
    part = dest + ".part"
    reason = None
    for attempt in range(RETRIES):
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as r, open(part, "wb") as out:
                while True:
                    block = r.read(1 << 20)
                    if not block:
                        break
                    out.write(block)
            os.replace(part, dest)
            return None
        except urllib.error.HTTPError as e:
            reason = f"HTTP {e.code}"
            if e.code in (403, 404, 410):
                break               # not there: no point in asking again
        except (urllib.error.URLError, OSError, TimeoutError) as e:
            reason = str(getattr(e, "reason", e))
        if os.path.exists(part):
            os.unlink(part)
        if attempt + 1 < RETRIES:
            time.sleep(1 + 2 * attempt)
    if os.path.exists(part):
        os.unlink(part)
    return reason


def get_file(name, sha, urls, dest_dir):
    """the file at dest_dir/name with the right checksum: (path, None) or (None, reason)"""
    os.makedirs(dest_dir, exist_ok=True)
    dest = os.path.join(dest_dir, name)
    if os.path.exists(dest):
        if sha256_of(dest) == sha:
            return dest, None
        os.unlink(dest)            # a damaged or foreign file of the same name
    reasons = []
    for url in urls:
        why = fetch_url(url, dest)
        if why is None:
            got = sha256_of(dest)
            if got == sha:
                return dest, None
            os.unlink(dest)
            why = f"SHA256 mismatch (got {got[:12]}, want {sha[:12]})"
        log(f"  {url}: {why}")
        reasons.append(why)
    # the most telling reason: a checksum failure over a 404 from a second mirror
    return None, next((r for r in reasons if r.startswith("SHA256")), reasons[0] if reasons else "no URL")


def read_have(path):
    if not path:
        return set()
    try:
        return {tuple(line.split()[:4]) for line in open(path) if len(line.split()) >= 4}
    except OSError:
        return set()


def take(c, have, dest_dir, files_re=None):
    """download every file of candidate c: [(pkg, arch, ver, sha, path)] or raise the reason"""
    files = [f for f in c.files if files_re is None or re.search(files_re, f[0])]
    if not files:
        raise LookupError("no file matches")
    if all((c.pkg, c.arch, c.version, sha) in have for _, sha, _ in files):
        return [(c.pkg, c.arch, c.version, sha, os.path.join(dest_dir, name)) for name, sha, _ in files]
    out = []
    for name, sha, urls in files:
        path, why = get_file(name, sha, urls, dest_dir)
        if path is None:
            raise LookupError(why if len(files) == 1 else f"{name}: {why}")
        out.append((c.pkg, c.arch, c.version, sha, path))
    return out


def first_working(label, cands, attempt):
    """try attempt(candidate) in order; the first that does not raise wins"""
    tried = []
    for c in cands:
        try:
            got = attempt(c)
        except LookupError as e:
            log(f"{label}: {c.version} ({c.origin}): {e}; next candidate")
            tried.append(f"{c.version} ({e})")
            continue
        log(f"{label}: chose {c.version} ({c.origin}) after {len(tried)} failed candidate(s)")
        return got
    if not tried:
        raise Failed(f"{label}: no version in the lock file or the private index")
    raise Failed(f"{label}: nothing downloadable; tried " + ", ".join(tried))


# --- the lock file -------------------------------------------------------------------

def pool_path(c, name):
    """the pool path of a chosen file (the part after the mirror base)"""
    for n, _, urls in c.files:
        if n == name:
            for u in urls:
                m = re.search(r"/(pool/.*)$", u)
                if m:
                    return m.group(1)
    return None


def record(chosen, drop, suite_re):
    """replace the lock lines that drop(pkg, arch) selects, for the suites
    of suite_re, with chosen"""
    old = open(LOCK).read().splitlines() if os.path.exists(LOCK) else []
    keep = []
    for line in old:
        w = line.split()
        if (line.strip() and not line.lstrip().startswith("#") and len(w) == 6 and
                drop(w[0], w[1]) and re.search(suite_re, w[5])):
            continue
        keep.append(line)
    for c, rows in chosen:
        for pkg, arch, ver, sha, path in rows:
            keep.append(f"{pkg} {arch} {ver} {sha} {pool_path(c, os.path.basename(path))} {c.suite}")
    with open(LOCK + ".new", "w") as f:
        f.write("\n".join(keep) + "\n")
    os.replace(LOCK + ".new", LOCK)
    log(f"recorded in {LOCK}")


def recording():
    return os.environ.get("THPCHECK_LOCK_RECORD") == "1"


# --- commands ----------------------------------------------------------------------

def cmd_deb(a):
    specs = []
    for spec in a.packages:
        if ":" not in spec:
            raise Failed(f"{spec}: want PACKAGE:ARCH")
        specs.append(tuple(spec.split(":", 1)))
    # one pass over each architecture's index for all the names asked
    index = {}
    for arch in {ar for _, ar in specs}:
        names = {p for p, ar in specs if ar == arch}
        index[arch] = binary_index(a.suites, arch, lambda n, ns=names: n in ns)
    rows_all = []
    for pkg, arch in specs:
        dest = a.dest or os.path.join(CACHE, "debs", arch)
        is_pkg = lambda n, p=pkg: n == p
        mine = {k: v for k, v in index[arch].items() if k[0] == pkg}
        cands = ordered(lock_candidates(is_pkg, arch, a.suites), mine)
        if a.version:
            cands = [c for c in cands if c.version == a.version]
        picked = {}

        def attempt(c):
            picked["c"] = c
            return take(c, a.have, dest)
        rows = first_working(f"{pkg}:{arch}", cands, attempt)
        rows_all += rows
        if recording():
            record([(picked["c"], rows)], lambda p, ar, pk=pkg, at=arch: p == pk and ar == at,
                   a.suites)
    return rows_all


def cmd_kernel(a):
    arch = a.arch
    dest = a.dest or os.path.join(CACHE, "debs", arch)
    fam = re.compile(a.family)
    is_img = lambda n: bool(fam.fullmatch(n))
    is_any = lambda n: is_img(n) or (n.endswith("-dbg") and is_img(n[:-4]))
    lock = lock_candidates(is_any, arch, a.suites)
    index = binary_index(a.suites, arch, is_any)
    images = ordered({k: v for k, v in lock.items() if is_img(k[0])},
                     {k: v for k, v in index.items() if is_img(k[0])})
    picked = {}

    def attempt(img):
        dbg_key = (img.pkg + "-dbg", img.version)
        dbg = lock.get(dbg_key) or index.get(dbg_key)
        if dbg is None:
            raise LookupError(f"no {img.pkg}-dbg {img.version} in the lock or the index")
        if dbg_key in lock and dbg_key in index:
            for name, sha, urls in index[dbg_key].files:
                for u in urls:
                    dbg.add(name, sha, u)
        try:
            rows = take(img, a.have, dest)
        except LookupError as e:
            raise LookupError(f"{img.pkg}: {e}")
        try:
            rows += take(dbg, a.have, dest)
        except LookupError as e:
            raise LookupError(f"{dbg.pkg}: {e}")
        picked["pair"] = (img, dbg)
        return rows
    # the family as a reader would write it: linux-image-6.12.*+deb13-s390x
    shown = re.sub(r"\[0-9\]\+|\\d\+", "*", a.family).replace("\\", "")
    label = f"{shown}:{arch} (image + -dbg)"
    rows = first_working(label, images, attempt)
    if recording():
        img, dbg = picked["pair"]
        record([(img, rows[:1]), (dbg, rows[1:])],
               lambda p, ar: ar == arch and is_any(p), a.suites)
    return rows


def cmd_source(a):
    dest = a.dest or os.path.join(CACHE, "src")
    is_src = lambda n: n == a.source
    cands = ordered(lock_candidates(is_src, "source", a.suites), source_index(a.suites, is_src))
    picked = {}

    def attempt(c):
        picked["c"] = c
        return take(c, a.have, dest, a.files)
    rows = first_working(f"{a.source} (source)", cands, attempt)
    if recording():
        record([(picked["c"], rows)], lambda p, ar: p == a.source and ar == "source", a.suites)
    return rows


def main(argv):
    ap = argparse.ArgumentParser(prog="resolve.py", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("deb", "kernel", "source"):
        p = sub.add_parser(name)
        p.add_argument("--suites", default="", help="regular expression on suite names")
        p.add_argument("--dest")
        p.add_argument("--have")
        if name == "deb":
            p.add_argument("--version")
            p.add_argument("packages", nargs="+", metavar="PKG:ARCH")
        elif name == "kernel":
            p.add_argument("--family", required=True)
            p.add_argument("arch")
        else:
            p.add_argument("--files")
            p.add_argument("source")
    a = ap.parse_args(argv)
    a.have = read_have(a.have)
    try:
        rows = {"deb": cmd_deb, "kernel": cmd_kernel, "source": cmd_source}[a.cmd](a)
    except Failed as e:
        log(str(e))
        return 1
    except re.error as e:
        log(f"bad regular expression: {e}")
        return 2
    for r in rows:
        print(" ".join(r))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
