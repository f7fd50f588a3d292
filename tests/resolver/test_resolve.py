#!/usr/bin/env python3
"""samples/resolve.py against a fake Debian mirror on 127.0.0.1.

The test builds a mirror directory (pool files, some missing, some corrupt)
and a private apt directory whose index lists them, serves the mirror with
`python3 -m http.server`, and checks the order of the candidates (lock file,
then the index newest first), the SHA-256 check, the kernel image/-dbg pair,
source files, the cache, --have, the lock recording and the one-line error
when nothing is downloadable.  No real mirror is asked.  Ends with
"resolver: N passed, N failed".
"""

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESOLVE = os.path.join(TOP, "samples", "resolve.py")
sys.dont_write_bytecode = True     # nothing written into samples/
sys.path.insert(0, os.path.join(TOP, "samples"))
sys.path.insert(0, os.path.join(TOP, "tests"))
import resolve  # noqa: E402  (version order, list names)
from tap import check  # noqa: E402
import tap  # noqa: E402


def sha(data):
    return hashlib.sha256(data).hexdigest()


class Mirror:
    """a mirror directory + private apt directory for resolve.py"""

    def __init__(self, root, port):
        self.root, self.port = root, port
        self.www = os.path.join(root, "www")
        self.apt = os.path.join(root, "apt")
        self.uri = f"http://127.0.0.1:{port}/debian"
        self.sec = f"http://127.0.0.1:{port}/debian-security"
        self.packages = {}          # (uri, suite, arch) -> [stanza text]
        self.sources = {}
        os.makedirs(os.path.join(self.apt, "etc"))
        os.makedirs(os.path.join(self.apt, "state", "lists"))
        with open(os.path.join(self.apt, "etc", "sources.list"), "w") as f:
            f.write(f"deb [arch=s390x,amd64 signed-by=/x.gpg] {self.uri} trixie main\n"
                    f"deb [arch=s390x] {self.sec} trixie-security main\n"
                    f"deb [arch=s390x] {self.uri} bookworm main\n"
                    f"deb-src [signed-by=/x.gpg] {self.uri} trixie main\n")

    def pool(self, base, path, data):
        full = os.path.join(self.www, base, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)

    def deb(self, pkg, ver, arch="s390x", suite="trixie", state="ok", base="debian"):
        """list pkg=ver in suite's index; state: ok (in the pool), absent (404),
        corrupt (the pool file differs from the index checksum)"""
        data = f"{pkg} {ver} {arch}\n".encode() * 100
        sec = "updates/" if suite.endswith("-security") else ""
        path = f"pool/{sec}main/{pkg[0]}/{pkg}/{pkg}_{ver.split(':')[-1]}_{arch}.deb"
        if state == "ok":
            self.pool(base, path, data)
        elif state == "corrupt":
            self.pool(base, path, data + b"x")
        uri = self.sec if suite.endswith("-security") else self.uri
        self.packages.setdefault((uri, suite, arch), []).append(
            f"Package: {pkg}\nVersion: {ver}\nArchitecture: {arch}\n"
            f"Filename: {path}\nSize: {len(data)}\nSHA256: {sha(data)}\n")
        return path, sha(data)

    def unlisted(self, pkg, ver, arch="s390x"):
        """a build in the pool that no index lists (for the lock file)"""
        data = f"{pkg} {ver} {arch} unlisted\n".encode() * 100
        path = f"pool/main/{pkg[0]}/{pkg}/{pkg}_{ver.split(':')[-1]}_{arch}.deb"
        self.pool("debian", path, data)
        return path, sha(data)

    def src(self, pkg, ver, files):
        """files: {name: state}"""
        d = f"pool/main/{pkg[0]}/{pkg}"
        lines = []
        for name, state in files.items():
            data = f"{name}\n".encode() * 50
            if state == "ok":
                self.pool("debian", f"{d}/{name}", data)
            lines.append(f" {sha(data)} {len(data)} {name}")
        self.sources.setdefault((self.uri, "trixie"), []).append(
            f"Package: {pkg}\nVersion: {ver}\nDirectory: {d}\nChecksums-Sha256:\n" + "\n".join(lines) + "\n")

    def write_index(self):
        lists = os.path.join(self.apt, "state", "lists")
        for (uri, suite, arch), st in self.packages.items():
            with open(os.path.join(lists, resolve.list_name(uri, suite, f"binary-{arch}_Packages")), "w") as f:
                f.write("\n".join(st))
        for (uri, suite), st in self.sources.items():
            with open(os.path.join(lists, resolve.list_name(uri, suite, "source_Sources")), "w") as f:
                f.write("\n".join(st))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def serve(directory, port):
    p = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                          "--directory", directory, str(port)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
            return p
        except OSError:
            time.sleep(0.05)
    p.kill()
    raise SystemExit("fake mirror did not start")


def run(m, args, lock="", env_extra=None, dest=None):
    env = dict(os.environ)
    lockfile = os.path.join(m.root, "versions.lock")
    with open(lockfile, "w") as f:
        f.write(lock)
    env.update({"THPCHECK_APT_DIR": m.apt, "THPCHECK_LOCK": lockfile,
                "THPCHECK_CACHE": os.path.join(m.root, "cache"),
                "THPCHECK_DOWNLOAD_TIMEOUT": "5", "THPCHECK_DOWNLOAD_RETRIES": "1"})
    env.pop("THPCHECK_LOCK_RECORD", None)
    env.update(env_extra or {})
    cmd = [sys.executable, RESOLVE] + args[:1] + (["--dest", dest] if dest else []) + args[1:]
    t0 = time.time()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr, time.time() - t0, lockfile


def version_order():
    cases = [("1.0~rc1", "1.0", -1), ("1:0.1", "2.0", 1), ("6.12.10-1", "6.12.9-1", 1),
             ("2.41-12+deb13u4", "2.41-12+deb13u5", -1),
             ("1:1.3.dfsg+really1.3.1-1+b1", "1:1.3.dfsg+really1.3.1-1+deb13u1", -1),
             ("1.5.7+dfsg-1", "1.5.7+dfsg-1+deb13u1", -1), ("1.0", "1.0", 0), ("1.0-1", "1.0", 1),
             ("6.1.176-1", "6.1.170-3", 1), ("1.0a", "1.0", 1), ("1.0", "1.0+", -1)]
    bad = [(a, b, want) for a, b, want in cases
           if (resolve.version_cmp(a, b) > 0) - (resolve.version_cmp(a, b) < 0) != want]
    check(not bad, f"Debian version order ({len(cases)} pairs, dpkg's rules)", bad)


def main():
    version_order()
    root = tempfile.mkdtemp(prefix="thpcheck-resolve.")
    port = free_port()
    m = Mirror(root, port)
    # foo: the index's newest is missing, the next is corrupt, then one that works
    m.deb("foo", "3.0", state="absent", suite="trixie-security")
    m.deb("foo", "2.0", state="corrupt")
    p10, s10 = m.deb("foo", "1.0")
    m.deb("foo", "0.5")
    p09, s09 = m.unlisted("foo", "0.9")
    # bar: nothing downloadable
    m.deb("bar", "2.0", state="absent")
    m.deb("bar", "1:1.0", state="corrupt")
    # a kernel family: 6.12.10 has no -dbg, 6.12.9's image is missing,
    # 6.12.8's -dbg is missing, 6.12.7 has both; 6.1 lives in bookworm
    k = "linux-image-6.12.{}+deb13-s390x"
    m.deb(k.format(10), "6.12.10-1", suite="trixie-security")
    m.deb(k.format(9), "6.12.9-1", state="absent", suite="trixie-security")
    m.deb(k.format(9) + "-dbg", "6.12.9-1", suite="trixie-security")
    m.deb(k.format(8), "6.12.8-1")
    m.deb(k.format(8) + "-dbg", "6.12.8-1", state="absent")
    m.deb(k.format(7), "6.12.7-1")
    m.deb(k.format(7) + "-dbg", "6.12.7-1")
    m.deb("linux-image-6.1.0-9-s390x", "6.1.99-1", suite="bookworm")
    m.deb("linux-image-6.1.0-9-s390x-dbg", "6.1.99-1", suite="bookworm")
    # arch all in an amd64 index (qemu-system-data)
    m.deb("qemu-system-data", "1:10.0.2", arch="amd64")
    # a source package: 2.0's .dsc is missing, 1.0 complete
    m.src("qemu", "2.0-1", {"qemu_2.0-1.dsc": "absent", "qemu_2.0.orig.tar.xz": "ok"})
    m.src("qemu", "1.0-1", {"qemu_1.0-1.dsc": "ok", "qemu_1.0.orig.tar.xz": "ok"})
    m.write_index()
    server = serve(m.www, port)
    try:
        tests(m, p09, s09, p10, s10)
    finally:
        server.kill()
        server.wait()
    # with the mirror gone: what is in the cache, or in --have, still resolves
    rc, out, err, _, _ = run(m, ["deb", "--suites", "^trixie", "foo:s390x"],
                             lock=f"foo s390x 1.0 {s10} {p10} trixie\n")
    check(rc == 0 and out.split()[2] == "1.0", "mirror down: the cached .deb with the right SHA-256 is used", err)
    have = os.path.join(root, "have")
    with open(have, "w") as f:
        f.write(f"foo s390x 0.9 {s09} /nowhere/foo_0.9_s390x.deb\n")
    rc, out, err, _, _ = run(m, ["deb", "--suites", "^trixie", "--have", have, "foo:s390x"],
                             lock=f"foo s390x 0.9 {s09} {p09} trixie\n", dest=os.path.join(root, "empty"))
    check(rc == 0 and out.split()[2] == "0.9" and not os.path.exists(os.path.join(root, "empty")),
          "--have: a candidate already unpacked is taken without a download", err)
    rc, out, err, _, _ = run(m, ["deb", "--suites", "^trixie", "bar:s390x"])
    check(rc == 1 and "bar:s390x" in err.splitlines()[-1],
          "mirror down: nothing cached -> exit 1, the package named", err)
    shutil.rmtree(root)
    return tap.summary("resolver")


def tried_order(err, label):
    """the versions resolve.py reports as tried for label, in order"""
    prefix = f"resolve: {label}: "
    return [line[len(prefix):].split(" ")[0] for line in err.splitlines()
            if line.startswith(prefix) and "next candidate" in line]


def tests(m, p09, s09, p10, s10):
    rc, out, err, dt, _ = run(m, ["deb", "--suites", "^trixie", "foo:s390x"])
    f = out.split()
    check(rc == 0 and f[:3] == ["foo", "s390x", "1.0"] and f[3] == s10 and os.path.exists(f[4]),
          "index newest first: 3.0 (404) and 2.0 (bad SHA-256) skipped, 1.0 chosen", out + err)
    check(tried_order(err, "foo:s390x") == ["3.0", "2.0"], "the candidates were tried in that order",
          err)
    check("HTTP 404" in err and "SHA256 mismatch" in err, "the log names each reason (404, SHA256 mismatch)", err)
    check(not os.path.exists(f[4].replace("1.0", "2.0")), "a corrupt download is not left in the cache")

    rc, out, err, _, _ = run(m, ["deb", "--suites", "^trixie", "foo:s390x"],
                             lock=f"foo s390x 0.9 {s09} {p09} trixie\n")
    check(rc == 0 and out.split()[2] == "0.9" and tried_order(err, "foo:s390x") == [],
          "the lock file's version comes first, even one no index lists", err)

    rc, out, err, _, _ = run(m, ["deb", "--suites", "^trixie", "foo:s390x"],
                             lock=f"foo s390x 0.8 {s09} {p09.replace('0.9', '0.8')} trixie\n"
                                  f"foo s390x 0.9 {'0' * 64} {p09} trixie\n")
    check(rc == 0 and out.split()[2] == "1.0" and tried_order(err, "foo:s390x") == ["0.8", "0.9", "3.0", "2.0"],
          "lock versions missing (404) or with a wrong SHA-256 fall back to the index", err)

    rc, out, err, _, _ = run(m, ["deb", "--suites", "^bookworm$", "foo:s390x"])
    check(rc == 1 and "no version" in err, "--suites limits the index: no foo in bookworm", err)

    rc, out, err, _, _ = run(m, ["deb", "--suites", "^trixie", "bar:s390x"])
    last = [line for line in err.splitlines() if "nothing downloadable" in line]
    check(rc == 1 and out == "" and len(last) == 1 and "bar:s390x" in last[0]
          and "2.0 (HTTP 404)" in last[0] and "1:1.0 (SHA256 mismatch" in last[0],
          "nothing downloadable: exit 1 and one line naming the package and every version tried", err)

    rc, out, err, _, _ = run(m, ["deb", "--suites", "^trixie", "foo:s390x", "bar:s390x"])
    check(rc == 1 and out == "", "several packages: one failure fails the command, nothing printed", out)

    rc, out, err, _, _ = run(m, ["deb", "--suites", "^trixie", "qemu-system-data:amd64"])
    check(rc == 0 and out.split()[2] == "1:10.0.2", "epoch versions and another architecture's index", err)

    fam = r"linux-image-6\.12\.[0-9]+\+deb13-s390x"
    rc, out, err, _, _ = run(m, ["kernel", "--suites", "^trixie", "--family", fam, "s390x"])
    rows = [line.split() for line in out.splitlines()]
    check(rc == 0 and [r[0] for r in rows] == [k := "linux-image-6.12.7+deb13-s390x", k + "-dbg"]
          and {r[2] for r in rows} == {"6.12.7-1"},
          "kernel family: image and -dbg of one version (6.12.10 no -dbg, .9 image 404, .8 -dbg 404)",
          out + err)
    lab = "linux-image-6.12.*+deb13-s390x:s390x (image + -dbg)"
    check(tried_order(err, lab) == ["6.12.10-1", "6.12.9-1", "6.12.8-1"], "kernel candidates newest first",
          err)
    rc, out, err, _, _ = run(m, ["kernel", "--suites", "^bookworm", "--family",
                                 r"linux-image-6\.1\.0-[0-9]+-s390x", "s390x"])
    check(rc == 0 and out.split()[2] == "6.1.99-1", "kernel family in another suite", err)
    rc, out, err, _, _ = run(m, ["kernel", "--suites", "^trixie", "--family", fam, "s390x"],
                             lock="linux-image-6.12.8+deb13-s390x s390x 6.12.8-1 " + "1" * 64
                                  + " pool/main/l/linux-image-6.12.8+deb13-s390x_6.12.8-1_s390x.deb trixie\n")
    check(rc == 0 and tried_order(err, lab)[:1] == ["6.12.8-1"] and out.split()[2] == "6.12.7-1",
          "a locked kernel the pool does not have is skipped", err)

    rc, out, err, _, _ = run(m, ["source", "--suites", "^trixie", "qemu"])
    names = [os.path.basename(line.split()[4]) for line in out.splitlines()]
    check(rc == 0 and names == ["qemu_1.0-1.dsc", "qemu_1.0.orig.tar.xz"],
          "source: 2.0 (.dsc 404) skipped, every file of 1.0", out + err)
    rc, out, err, _, _ = run(m, ["source", "--suites", "^trixie", "--files", r"\.orig\.tar\.xz$", "qemu"])
    check(rc == 0 and out.split()[2] == "2.0-1" and len(out.splitlines()) == 1,
          "source --files: only the files asked for (2.0's orig is there)", out + err)

    rc, out, err, _, lockfile = run(m, ["deb", "--suites", "^trixie", "foo:s390x"],
                                    lock="# comment\nbar s390x 9 " + "2" * 64 + " pool/x.deb trixie\n"
                                         f"foo s390x 0.8 {s09} pool/gone.deb trixie\n"
                                         f"foo s390x 0.7 {s09} pool/old.deb bookworm\n",
                                    env_extra={"THPCHECK_LOCK_RECORD": "1"})
    lock = open(lockfile).read()
    check(rc == 0 and f"foo s390x 1.0 {s10} {p10} trixie" in lock and "0.8" not in lock
          and "bar s390x 9" in lock and "# comment" in lock and "foo s390x 0.7" in lock,
          "THPCHECK_LOCK_RECORD=1 replaces the package's lock lines of those suites with the choice",
          lock)

    rc, out, err, _, _ = run(m, ["deb", "--suites", "^trixie", "foo:s390x"],
                             lock=f"foo s390x 0.9 {s09} {p09} bookworm\n")
    check(rc == 0 and out.split()[2] == "1.0",
          "a lock line of another suite is not a candidate", err)

    rc, out, err, _, _ = run(m, ["deb", "--suites", "^trixie", "foo:s390x"], lock="foo s390x 1.0 nothex x\n")
    check(rc == 1 and "versions.lock:1" in err, "a malformed lock line is named by file and line", err)


if __name__ == "__main__":
    sys.exit(main())
