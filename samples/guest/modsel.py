#!/usr/bin/env python3
"""Pick the kernel modules the sample guest needs for zram swap.

Usage: modsel.py MODULES_DIR DEST_DIR MODULE...
MODULES_DIR is an unpacked lib/modules/RELEASE (Debian's .deb has no
modules.dep: dependencies are read from each module's .modinfo "depends=").
Writes each needed module, decompressed (busybox insmod cannot read
.ko.xz/.ko.zst), to DEST_DIR/NAME.ko and the insmod order to DEST_DIR/load.list.
Modules listed in modules.builtin are skipped; a wanted module that does not
exist at all is reported and skipped (the guest then runs without swap).
"""
import os
import struct
import subprocess
import sys


def name(path):
    return os.path.basename(path).split('.ko')[0].replace('-', '_')


def load(path):
    for ext, cmd in (('.xz', ['xz', '-dc']), ('.zst', ['zstd', '-dcq']), ('.gz', ['gzip', '-dc'])):
        if path.endswith(ext):
            return subprocess.run(cmd + [path], check=True, capture_output=True).stdout
    with open(path, 'rb') as f:
        return f.read()


def modinfo_depends(data):
    """The depends= list of the .modinfo section of an ELF64 module (either byte order)."""
    e = '>' if data[5] == 2 else '<'
    shoff, = struct.unpack_from(e + 'Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from(e + 'HHH', data, 0x3a)

    def sh(i):
        return struct.unpack_from(e + 'IIQQQQ', data, shoff + i * shentsize)

    stroff = sh(shstrndx)[4]
    for i in range(shnum):
        nm, _, _, _, off, size = sh(i)
        if data[stroff + nm:data.index(b'\0', stroff + nm)] == b'.modinfo':
            for kv in data[off:off + size].split(b'\0'):
                if kv.startswith(b'depends='):
                    return [d.replace('-', '_') for d in kv[8:].decode().split(',') if d]
    return []


def main():
    root, dest, want = sys.argv[1], sys.argv[2], sys.argv[3:]
    paths = {}
    for d, _, files in os.walk(root):
        for f in files:
            if '.ko' in f:
                paths[name(f)] = os.path.join(d, f)
    builtin = set()
    bf = os.path.join(root, 'modules.builtin')
    if os.path.exists(bf):
        with open(bf) as f:
            builtin = {name(line.strip()) for line in f if line.strip()}
    order, seen, blobs = [], set(), {}

    def visit(m):
        if m in seen or m in builtin:
            return
        seen.add(m)
        if m not in paths:
            raise KeyError(m)
        blobs[m] = load(paths[m])
        for dep in modinfo_depends(blobs[m]):
            visit(dep)
        order.append(m)

    for m in want:
        m = m.replace('-', '_')
        if m in builtin:
            print('modsel: %s is built in' % m)
            continue
        try:
            visit(m)
        except KeyError as e:
            print('modsel: module %s not found: guest gets no %s' % (e.args[0], m))
            return
    os.makedirs(dest, exist_ok=True)
    with open(os.path.join(dest, 'load.list'), 'w') as lst:
        for m in order:
            with open(os.path.join(dest, m + '.ko'), 'wb') as f:
                f.write(blobs[m])
            lst.write(m + '.ko\n')
    print('modsel: modules: ' + (' '.join(order) or 'none'))


if __name__ == '__main__':
    main()
