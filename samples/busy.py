#!/usr/bin/env python3
"""busy.py: the dump schedule of samples/make-busy.sh, over QMP.

  busy.py --sock QMP --console LOG --out DIR --seed N --dumps K
          --system-map FILE --busy-seconds T --meta JSON

Waits for the guest's "GUEST: BUSY", then K times: sleeps a random delay
(random.Random(seed), 1-6 s), stops the VM, reads every CPU's PSW / NIP and
MSR / RIP and CPL through HMP "info registers -a", dumps the guest (ELF, paging off) into
DIR/sSEED-rI/vmcore and lets it run on.  Then waits for the guest's panic
(sysrq-c after T s of load: "Kernel panic" on the console), waits until QEMU
no longer reports the VM running (guest-panicked, or the s390 stop of every
CPU) or 15 s have passed, and dumps DIR/sSEED-panic/vmcore.  x86_64 (no
pvpanic driver in the guest: Debian builds pvpanic-mmio as a module): the
VM is stopped as soon as the console has panic()'s last line, "---[ end
Kernel panic", printed after the other CPUs were stopped.  Each dump
directory gets a manifest.json (and DIR/sSEED.dirs lists them): the --meta object plus kind, seed, delay,
the QEMU run state, and per CPU where it was (kernel symbol from System.map,
or user space).  Prints one line per dump on stderr; exits 1 with one line
on a failure.
"""

import argparse
import bisect
import json
import os
import random
import re
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qmp import QMP  # noqa: E402


def log(msg):
    print(f"busy.py: {msg}", file=sys.stderr, flush=True)


def fail(msg):
    log(msg)
    sys.exit(1)


def console_has(path, needle):
    try:
        with open(path, "rb") as f:
            return needle.encode() in f.read()
    except OSError:
        return False


def wait_console(path, needle, timeout, what):
    deadline = time.monotonic() + timeout
    while not console_has(path, needle):
        if console_has(path, "GUEST: FAIL"):
            fail(f"guest failed before {what}")
        if time.monotonic() > deadline:
            fail(f"no {what} on the console after {timeout:.0f} s")
        time.sleep(0.2)


class Symbols:
    """kernel text symbols of System.map, for a PSW / NIP"""
    offset = 0      # where the running kernel is relative to its link address

    def __init__(self, path):
        rows = []
        for line in open(path):
            w = line.split()
            if len(w) >= 3 and w[1] in "tTwW":
                rows.append((int(w[0], 16), w[2]))
        rows.sort()
        self.addr = [a for a, _ in rows]
        self.name = [n for _, n in rows]

    def where(self, pc):
        link = pc - self.offset
        i = bisect.bisect_right(self.addr, link) - 1
        if i < 0 or link - self.addr[i] > 1 << 20:
            return f"{pc:#x}"
        return f"{self.name[i]}+{link - self.addr[i]:#x}"


def pmem(q, addr, size, tmpdir):
    path = os.path.join(tmpdir, ".pmem")
    q.cmd({"execute": "pmemsave", "arguments": {"val": addr, "size": size, "filename": path}})
    data = open(path, "rb").read()
    os.unlink(path)
    return data


def kernel_offset(q, arch, tmpdir):
    """s390x: the kernel runs relocated (v6.12: 0x3ffe0000000 with nokaslr);
    KERNELOFFSET is in the VMCOREINFO note whose physical address the
    kernel leaves in lowcore.vmcore_info (0xe0c, arch/s390/include/asm/lowcore.h).
    Debian's ppc64el kernels are not relocated: 0.  x86_64: nokaslr, and
    the dump's VMCOREINFO note (QEMU's vmcoreinfo device) has KERNELOFFSET:
    see dump_kernel_offset."""
    if arch != "s390x":
        return 0
    try:
        note = int.from_bytes(pmem(q, 0xe0c, 8, tmpdir), "big")
        m = re.search(rb"KERNELOFFSET=([0-9a-f]+)", pmem(q, note, 4096, tmpdir)) if note else None
    except SystemExit:
        return 0
    return int(m.group(1), 16) if m else 0


def dump_kernel_offset(path):
    """KERNELOFFSET of the VMCOREINFO note in an ELF dump (x86_64: the
    guest's vmcoreinfo, which QEMU's dump-guest-memory writes), 0 without"""
    with open(path, "rb") as f:
        eh = f.read(64)
        phoff, phentsize, phnum = (int.from_bytes(eh[32:40], "little"),
                                   int.from_bytes(eh[54:56], "little"),
                                   int.from_bytes(eh[56:58], "little"))
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
        for i in range(phnum):
            h = ph[i * phentsize:(i + 1) * phentsize]
            if int.from_bytes(h[0:4], "little") != 4:       # PT_NOTE
                continue
            f.seek(int.from_bytes(h[8:16], "little"))
            m = re.search(rb"VMCOREINFO\0.*?KERNELOFFSET=([0-9a-f]+)",
                          f.read(min(int.from_bytes(h[32:40], "little"), 1 << 20)), re.S)
            if m:
                return int(m.group(1), 16)
    return 0


def cpu_states(q, syms):
    """[{"cpu", "pc", "where"}] from HMP info registers -a"""
    text = q.cmd({"execute": "human-monitor-command",
                  "arguments": {"command-line": "info registers -a"}})
    out = []
    for n, block in enumerate(re.split(r"(?m)^CPU#\d+:?\s*$", text)[1:]):
        m = re.search(r"PSW=mask ([0-9a-f]+) addr ([0-9a-f]+)", block)
        if m:       # s390x: bit 15 of the PSW mask is the problem state
            mask, pc = int(m.group(1), 16), int(m.group(2), 16)
            user = bool(mask & (1 << 48))
        elif re.search(r"RIP=", block):
            # x86_64: CPL 3 (the RPL of CS) is user mode
            m = re.search(r"RIP=([0-9a-f]+)", block)
            cpl = re.search(r"CPL=(\d)", block)
            pc = int(m.group(1), 16)
            user = bool(cpl and cpl.group(1) == "3")
        else:
            m = re.search(r"NIP ([0-9a-f]+)", block)
            msr = re.search(r"MSR ([0-9a-f]+)", block)
            if not m:
                continue
            pc = int(m.group(1), 16)
            user = bool(msr and int(msr.group(1), 16) & 0x4000)   # MSR_PR
        out.append({"cpu": n, "pc": f"{pc:#x}",
                    "where": "user space" if user else syms.where(pc)})
    return out


def dump(q, path, timeout):
    q.sock.settimeout(timeout)
    q.cmd({"execute": "dump-guest-memory",
           "arguments": {"paging": False, "protocol": f"file:{path}", "format": "elf"}})
    # the guest's free memory back to the file system at once (a set of
    # 4 GiB x86_64 dumps would need 17 GB until make-busy.sh's own pass)
    subprocess.run(["fallocate", "--dig-holes", path], stderr=subprocess.DEVNULL)


def write_dir(out, name, meta, extra, vmcore_tmp):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    os.replace(vmcore_tmp, os.path.join(d, "vmcore"))
    os.chmod(os.path.join(d, "vmcore"), 0o644)
    man = dict(meta)
    man.update(extra)
    man["sample"] = f"{meta['config']}-busy-{name}"
    man["files"] = {"vmcore": os.path.getsize(os.path.join(d, "vmcore"))}
    man["created"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump(man, f, indent=1)
        f.write("\n")
    return d


def main():
    ap = argparse.ArgumentParser()
    for o in ("sock", "console", "out", "system-map", "meta"):
        ap.add_argument("--" + o, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--dumps", type=int, required=True)
    ap.add_argument("--busy-seconds", type=float, required=True)
    ap.add_argument("--dump-timeout", type=float, default=300)
    a = ap.parse_args()
    meta = json.loads(a.meta)
    syms = Symbols(a.system_map)
    x86 = meta.get("arch") == "x86_64"
    q = QMP(a.sock, a.dump_timeout, 30)
    wait_console(a.console, "GUEST: BUSY", 600, "GUEST: BUSY")
    rng = random.Random(a.seed)
    t_busy = time.monotonic()
    running_s = 0.0
    made = []
    for i in range(1, a.dumps + 1):
        delay = round(rng.uniform(1.0, 6.0), 2)
        time.sleep(delay)
        running_s += delay
        # the guest's clock may not stop with the VM (ppc64 timebase under
        # TCG): a panic before the last random dump ends the random ones
        if q.cmd({"execute": "query-status"})["status"] != "running" or \
                console_has(a.console, "Kernel panic"):
            log(f"the guest panicked before random dump {i}; {i - 1} taken")
            break
        q.cmd({"execute": "stop"})
        if i == 1:
            syms.offset = kernel_offset(q, meta.get("arch"), a.out)
        cpus = cpu_states(q, syms)
        tmp = os.path.join(a.out, f".s{a.seed}-r{i}.vmcore")
        t0 = time.monotonic()
        dump(q, tmp, a.dump_timeout)
        if i == 1 and x86:
            syms.offset = dump_kernel_offset(tmp)
            cpus = cpu_states(q, syms)
        d = write_dir(a.out, f"s{a.seed}-r{i}", meta,
                      {"kind": "random", "seed": a.seed, "index": i, "delay_s": delay,
                       "load_running_s": round(running_s, 2), "run_state": "running",
                       "cpus": cpus}, tmp)
        made.append(d)
        log(f"{d}: dump {i} after {delay} s ({running_s:.1f} s of load) in "
            f"{time.monotonic() - t0:.1f} s; cpus " + "; ".join(c["where"] for c in cpus))
        q.cmd({"execute": "cont"})
    left = a.busy_seconds - running_s
    wait_console(a.console, "Kernel panic", max(left, 0) + 180, "kernel panic")
    deadline = time.monotonic() + 15
    while True:
        state = q.cmd({"execute": "query-status"})["status"]
        if state != "running" or time.monotonic() > deadline or \
                (x86 and console_has(a.console, "---[ end Kernel panic")):
            break
        time.sleep(0.5)
    if state == "running":
        q.cmd({"execute": "stop"})
    cpus = cpu_states(q, syms)
    tmp = os.path.join(a.out, f".s{a.seed}-panic.vmcore")
    dump(q, tmp, a.dump_timeout)
    d = write_dir(a.out, f"s{a.seed}-panic", meta,
                  {"kind": "panic", "seed": a.seed, "run_state": state,
                   "load_running_s": round(time.monotonic() - t_busy, 1), "cpus": cpus}, tmp)
    log(f"{d}: panic dump (QEMU state {state}); cpus " + "; ".join(c["where"] for c in cpus))
    made.append(d)
    with open(os.path.join(a.out, f"s{a.seed}.dirs"), "w") as f:
        f.write("\n".join(made) + "\n")


if __name__ == "__main__":
    main()
