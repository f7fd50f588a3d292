#!/bin/bash
# Make one sample crash dump: boot the guest kernel of SAMPLE under QEMU (TCG)
# with the thpwork initramfs, wait until the workload is set up, and dump the
# guest with QMP dump-guest-memory.
#
# Usage: samples/make-dump.sh [--force] SAMPLE
#   SAMPLE: s390x-6.1, s390x-6.12       EDAT-patched QEMU 7.2 (build-qemu.sh),
#                                       -M s390-ccw-virtio -cpu max, 512 MiB
#           ppc64le-6.1-radix           bookworm-backports QEMU 10.0.2
#           ppc64le-6.1-hash            (fetch-qemu-ppc.sh), -M pseries -cpu
#                                       power9, 1 GiB; hash: disable_radix and
#                                       -M pseries,cap-hpt-max-page-size=16M
#           x86_64-6.1, x86_64-6.12     bookworm QEMU 7.2 (fetch-qemu-x86.sh),
#                                       -M q35 -cpu max,la57=off (4-level
#                                       paging) -device vmcoreinfo, 4 GiB,
#                                       hugetlb 8 x 2 MiB + 1 x 1 GiB
#           x86_64-6.1-la57             the same with -cpu max: 5-level paging
#           arm64-6.1, arm64-6.12       bookworm-backports QEMU 10.0.2
#                                       (fetch-qemu-arm.sh), -M virt -cpu max
#                                       (6.12: max,lpa2=off) -device
#                                       vmcoreinfo, 3 GiB, hugetlb 8 x 2 MiB
#                                       + 16 x 64 KiB + 2 x 32 MiB + 1 x 1 GiB
#           s390x-6.1-256m, s390x-6.1-4g  benchmark-only: s390x-6.1's kernel,
#                                       256 MiB / 4096 MiB, the workload 1 / 16
#                                       times (sample_scale in lib.sh;
#                                       thpwork.copies=N, hugepages=8*N)
#
# Output, in $THPCHECK_CACHE/dumps/SAMPLE/ (samples/out/SAMPLE links to it):
#   vmcore         ELF dump (paging=false), section headers fixed (fix-qemu-elf.py)
#   vmcore.kdump   diskdump: s390x and x86_64 kdump-zlib from QEMU, made
#                  standard by makedumpfile -R; ppc64le and arm64
#                  kdump-raw-zlib (already standard; arm64's 64 KiB blocks
#                  split into 4 KiB pages by fix-qemu-kdump.py)
#   vmlinux        symlink to $THPCHECK_CACHE/k/KERNEL/vmlinux
#   console.log    guest console (THPWORK/THPFACT lines = ground truth)
#   qemu.log       QEMU's stderr
#   manifest.json  figures read in the guest just before the dump (README)
# Both dumps are taken while the VM is stopped, so they show the same state.
# Nothing is done if the directory is complete and was made from the same
# inputs (workload/init/script sources, kernel release, guest settings);
# --force remakes it.
#
# Environment: THPCHECK_BOOT_TIMEOUT (s, default 300; benchmark samples
# 300 + 60 per workload copy), THPCHECK_DUMP_TIMEOUT (s, default 300;
# benchmark samples 300 per 512 MiB of guest), THPCHECK_GUEST_MEM (MiB,
# default 512 s390x, 1024 ppc64le, 4096 x86_64, 3072 arm64; the benchmark
# samples ignore it: their size is in the name).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FORCE=0
[ "${1:-}" = --force ] && { FORCE=1; shift; }
[ $# = 1 ] || die "usage: $0 [--force] SAMPLE"
SAMPLE=$1
sample_arch "$SAMPLE" >/dev/null || die "unknown sample $SAMPLE"
K=$THPCHECK_CACHE/k/$(sample_kernel "$SAMPLE")
OUT=$THPCHECK_CACHE/dumps/$SAMPLE
# benchmark samples: guest size and workload copies from sample_scale
# (lib.sh); the copy count goes to init.sh as thpwork.copies=N, and every
# copy uses 4 hugetlb pages
COPIES= SCALE_MEM=
if SCALE=$(sample_scale "$SAMPLE"); then
    read -r SCALE_MEM COPIES <<<"$SCALE"
fi
HUGEPAGES=$((8 * ${COPIES:-1}))
BOOT_TIMEOUT=${THPCHECK_BOOT_TIMEOUT:-$((300 + 60 * ${COPIES:-0}))}
machine_config "$SAMPLE"
[ -z "$COPIES" ] || [ "$MANIFEST_ARCH" = s390x ] || die "$SAMPLE: benchmark samples are s390x only"
DUMP_TIMEOUT=300
[ -z "$COPIES" ] || [ "$MEM" -le 512 ] || DUMP_TIMEOUT=$((300 * MEM / 512))
DUMP_TIMEOUT=${THPCHECK_DUMP_TIMEOUT:-$DUMP_TIMEOUT}

guest_inputs
QEMU_VER=$("$QEMU" --version | head -1)
# what samples/resolve.py chose for this dump's inputs (PACKAGE ARCH VERSION
# SHA256 FILE lines): kernel image + -dbg, busybox, QEMU (source or .debs)
# (QEMU_PKGS: machine_config in lib.sh)
BB_ARCH=$(sample_arch "$SAMPLE")
PACKAGES=$(cat "$K/packages" "$THPCHECK_CACHE/k/busybox-$BB_ARCH.packages" "$QEMU_PKGS" 2>/dev/null || true)

need=()
for p in makedumpfile python3 qemu-system-data; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    log "installing host packages: ${need[*]}"
    env -u APT_CONFIG apt-get install -y --no-install-recommends "${need[@]}" >&2
fi

link_out() {
    mkdir -p "$SAMPLES_DIR/out"
    ln -sfn "$OUT" "$SAMPLES_DIR/out/$SAMPLE"
}

# --- up to date? ------------------------------------------------------------
KEY=$( { cat "$SAMPLES_DIR/guest/thpwork.c" "$SAMPLES_DIR/guest/init.sh" \
             "$SAMPLES_DIR/guest/mkinitrd.sh" "$SAMPLES_DIR/guest/modsel.py" \
             "$0" "$SAMPLES_DIR/fix-qemu-elf.py" "$SAMPLES_DIR/fix-qemu-kdump.py";
         echo "$RELEASE $MEM $APPEND ${MACHINE[*]} $KDUMP_FORMAT $QEMU_VER";
         awk '{print $1, $2, $3, $4}' <<<"$PACKAGES"; } | sha256sum | cut -c1-32)
complete() {
    local f
    for f in vmcore vmcore.kdump console.log manifest.json vmlinux; do
        [ -s "$OUT/$f" ] || return 1
    done
    [ "$(cat "$OUT/.inputs" 2>/dev/null)" = "$KEY" ]
}
if [ $FORCE = 0 ] && complete; then
    log "$SAMPLE: up to date in $OUT"
    link_out
    exit 0
fi

INITRD=$("$SAMPLES_DIR/guest/mkinitrd.sh" "$SAMPLE") || die "mkinitrd failed"

# --- boot -------------------------------------------------------------------
WORK=$OUT.tmp
rm -rf "$WORK"
mkdir -p "$WORK"
SOCKDIR=$(mktemp -d /tmp/thpcheck-qmp.XXXXXX)   # unix socket paths are short
SOCK=$SOCKDIR/qmp.sock
QPID=
cleanup() {
    if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
        kill "$QPID" 2>/dev/null || true
        sleep 1
        kill -9 "$QPID" 2>/dev/null || true
    fi
    rm -rf "$SOCKDIR"
}
trap cleanup EXIT
fail() { log "$SAMPLE: $*"; [ -s "$WORK/console.log" ] && tail -15 "$WORK/console.log" | sed 's/^/  console: /' >&2; exit 1; }

QEMU_ARGS=("${MACHINE[@]}" -m "$MEM" -smp 2
    -nodefaults -display none -serial "file:$WORK/console.log"
    -qmp "unix:$SOCK,server=on,wait=off"
    -kernel "$K/vmlinuz" -initrd "$INITRD" -append "$APPEND")
log "$SAMPLE: booting $RELEASE (${MEM} MiB, ${MACHINE[*]:2}, append \"$APPEND\", initrd ${INITRD##*/})"
for attempt in $(seq "$BOOT_ATTEMPTS"); do
    T0=$(date +%s.%N)
    "$QEMU" "${QEMU_ARGS[@]}" 2>"$WORK/qemu.log" &
    QPID=$!
    deadline=$(( $(date +%s) + BOOT_TIMEOUT ))
    ready=0
    while :; do
        if grep -aq 'GUEST: READY-FOR-DUMP' "$WORK/console.log" 2>/dev/null; then ready=1; break; fi
        if grep -aq 'GUEST: FAIL' "$WORK/console.log" 2>/dev/null; then
            fail "guest failed: $(grep -a 'GUEST: FAIL' "$WORK/console.log" | head -1 | tr -d '\r')"
        fi
        if grep -aqE 'Kernel panic|Rebooting in' "$WORK/console.log" 2>/dev/null; then
            panicked_before_init "$WORK/console.log" && [ "$attempt" -lt "$BOOT_ATTEMPTS" ] && break
            fail "guest kernel panic"
        fi
        kill -0 "$QPID" 2>/dev/null || fail "QEMU exited early: $(tail -1 "$WORK/qemu.log")"
        [ "$(date +%s)" -lt $deadline ] || fail "no READY-FOR-DUMP after ${BOOT_TIMEOUT} s"
        sleep 0.5
    done
    [ $ready = 1 ] && break
    log "$SAMPLE: the guest panicked before /init ($(first_oops "$WORK/console.log")): booting again ($((attempt + 1))/$BOOT_ATTEMPTS)"
    kill -9 "$QPID" 2>/dev/null; wait "$QPID" 2>/dev/null; QPID=
    mv "$WORK/console.log" "$WORK/console.log.$attempt"
done
T1=$(date +%s.%N)

# --- dump (VM stopped for both formats) -----------------------------------------
q() { timeout $((DUMP_TIMEOUT + 30)) python3 "$SAMPLES_DIR/qmp.py" --timeout "$DUMP_TIMEOUT" "$SOCK" "$@" >/dev/null; }
q stop || fail "QMP stop failed"
T2=$(date +%s.%N)
q "{\"execute\":\"dump-guest-memory\",\"arguments\":{\"paging\":false,\"protocol\":\"file:$WORK/vmcore\",\"format\":\"elf\"}}" \
    || fail "QMP dump-guest-memory (elf) failed"
T3=$(date +%s.%N)
q "{\"execute\":\"dump-guest-memory\",\"arguments\":{\"paging\":false,\"protocol\":\"file:$WORK/vmcore.flat\",\"format\":\"$KDUMP_FORMAT\"}}" \
    || fail "QMP dump-guest-memory ($KDUMP_FORMAT) failed"
T4=$(date +%s.%N)
q quit || true
for _ in $(seq 20); do kill -0 "$QPID" 2>/dev/null || break; sleep 0.5; done
cleanup; QPID=

# --- fix-ups ------------------------------------------------------------------
if [ "$KDUMP_FORMAT" = kdump-zlib ]; then
    # QEMU 7.2 writes kdump-zlib in makedumpfile's flattened format; -R rebuilds
    # the standard diskdump file that libkdumpfile and others read.
    makedumpfile -R "$WORK/vmcore.kdump" < "$WORK/vmcore.flat" >/dev/null 2>"$WORK/makedumpfile.log" \
        || fail "makedumpfile -R failed: $(tail -1 "$WORK/makedumpfile.log")"
    rm -f "$WORK/vmcore.flat"
else
    mv "$WORK/vmcore.flat" "$WORK/vmcore.kdump"   # kdump-raw-*: already a diskdump
fi
# arm64: QEMU's blocks are 64 KiB whatever the guest's page size is;
# readers take a block for a page (a no-op for the other arches)
python3 "$SAMPLES_DIR/fix-qemu-kdump.py" "$WORK/vmcore.kdump" >&2 || fail "fix-qemu-kdump.py failed"
python3 "$SAMPLES_DIR/fix-qemu-elf.py" "$WORK/vmcore" >&2 || fail "fix-qemu-elf.py failed"
sparse_zeros "$WORK/vmcore"
ln -sfn "$K/vmlinux" "$WORK/vmlinux"
chmod 644 "$WORK/vmcore" "$WORK/vmcore.kdump"     # QEMU creates them 0400/0600
[ -s "$WORK/makedumpfile.log" ] || rm -f "$WORK/makedumpfile.log"

# --- manifest -------------------------------------------------------------------
python3 - "$WORK" "$SAMPLE" "$RELEASE" "$MEM" "$QEMU_VER$QEMU_NOTE" \
    "$APPEND" "$T0" "$T1" "$T2" "$T3" "$T4" "$MANIFEST_ARCH" "$MMU" "${MACHINE[*]:2}" "$KDUMP_FORMAT" \
    "$COPIES" "$PACKAGES" "$PAGING_LEVELS" <<'EOF' || fail "manifest: guest figures incomplete or wrong"
import json, os, re, struct, sys, time
work, sample, release, mem, qemu, append = sys.argv[1:7]
t0, t1, t2, t3, t4 = map(float, sys.argv[7:12])
arch, mmu, machine, kdump_format, copies, packages, paging_levels = sys.argv[12:19]
ncopies = int(copies or 1)    # benchmark samples: thpwork.copies=N
facts, work_lines, sizes = {}, [], [None, None, None]
for raw in open(os.path.join(work, 'console.log'), 'rb'):
    line = raw.decode('utf-8', 'replace').replace('\r', '').rstrip('\n')
    m = re.search(r'THPFACT (\S+) (\S+) ?(.*)$', line)
    if m:
        facts.setdefault(m.group(1), {})[m.group(2)] = m.group(3).strip()
        continue
    m = re.search(r'THPWORK pid=(\d+) role=(\S+) (.*)$', line)
    if m:
        work_lines.append((int(m.group(1)), m.group(2), m.group(3)))
        m2 = re.match(r'hpage=0x([0-9a-f]+) hugetlb=0x([0-9a-f]+) pagesize=0x([0-9a-f]+)', m.group(3))
        if m2:
            sizes = [int(x, 16) for x in m2.groups()]

def num(v):
    return int(v.split()[0])

sysf = facts.get('sys', {})
meminfo = {k: num(v) for k, v in facts.get('meminfo', {}).items()}
vmstat = {k: num(v) for k, v in facts.get('vmstat', {}).items()}
procs, small = [], []
for sec, kv in facts.items():
    if not sec.startswith('proc.'):
        continue
    pid = int(sec[5:])
    ranges = {}
    for p, role, rest in work_lines:
        if p != pid:
            continue
        m = re.match(r'comm=\S+ range=(\S+) start=0x([0-9a-f]+) end=0x([0-9a-f]+)', rest)
        if m:
            ranges[m.group(1)] = [int(m.group(2), 16), int(m.group(3), 16)]
        m = re.match(r'small=(\d+) start=0x([0-9a-f]+) end=0x([0-9a-f]+) touched=(\d) unmapped=(\d)', rest)
        if m:
            small.append([int(m.group(2), 16), int(m.group(3), 16), int(m.group(4)), int(m.group(5))])
    procs.append({
        'pid': pid, 'comm': kv.get('comm'), 'role': kv.get('role'),
        'rss_kb': num(kv['Rss']), 'pss_kb': num(kv['Pss']),
        'anonymous_kb': num(kv['Anonymous']),
        'anon_huge_kb': num(kv['AnonHugePages']), 'swap_kb': num(kv['Swap']),
        'shared_hugetlb_kb': num(kv['Shared_Hugetlb']),
        'private_hugetlb_kb': num(kv['Private_Hugetlb']),
        'ranges': ranges})
    if 'copy' in kv:            # benchmark samples: which thpwork instance (1..N)
        procs[-1]['copy'] = int(kv['copy'])
    # x86_64, arm64: hugetlb of 1 GiB pages (PUD leaves) mapped; arm64: of
    # 64 KiB and 32 MiB pages (runs of 16 contiguous ptes / pmds)
    for k in ('hugetlb_1g_kb', 'hugetlb_cont64k_kb', 'hugetlb_cont32m_kb'):
        if k in kv:
            procs[-1][k] = num(kv[k])
procs.sort(key=lambda p: p['pid'])
# every copy's parent prints the same small maps (fixed addresses): list them once
small = [list(t) for t in dict.fromkeys(tuple(x) for x in small)]
swaps = [{'device': d, 'size_kb': int(v.split()[0]), 'used_kb': int(v.split()[1])}
         for d, v in facts.get('swaps', {}).items()]
warnings = [f'{p} {role} {rest}' for p, role, rest in work_lines if rest.startswith(('warn=', 'fatal='))]

def size(f):
    return os.path.getsize(os.path.join(work, f))

man = {
    'sample': sample, 'arch': arch,
    'kernel_release': sysf.get('release'),
    'guest_mem_mib': int(mem), 'guest_cpus': 2,
    'qemu': qemu,
    'machine': machine,
    'cmdline': sysf.get('cmdline'),
    'thp_enabled': sysf.get('thp_enabled'),
    'thp_defrag': sysf.get('thp_defrag'),
    'page_size': sizes[2], 'thp_size': sizes[0], 'hugetlb_size': sizes[1],
    'hugepages_total': meminfo.get('HugePages_Total'),
    'hugepages_free': meminfo.get('HugePages_Free'),
    'meminfo': meminfo,
    'vmstat_thp': vmstat,
    'swaps': swaps,
    'processes': procs,
    'small_maps': small,
    'warnings': warnings,
    'files': {'vmcore': size('vmcore'), 'vmcore.kdump': size('vmcore.kdump')},
    'kdump_format': kdump_format,
    'timings_s': {'boot_to_ready': round(t1 - t0, 1), 'dump_elf': round(t3 - t2, 2),
                  'dump_kdump_zlib': round(t4 - t3, 2)},
    'created': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
    # samples/resolve.py's choices for the inputs (kernel image and -dbg,
    # busybox, QEMU): the mirror decides which version a build gets
    'packages': [dict(zip(('package', 'arch', 'version', 'sha256', 'file'),
                          l.split()[:4] + [os.path.basename(l.split()[4])]))
                 for l in packages.splitlines() if len(l.split()) >= 5],
}
if mmu:
    man['mmu'] = mmu            # ppc64le: "radix" or "hash" (guest /proc/cpuinfo MMU)

def elf_vmcoreinfo(path):
    """the VMCOREINFO note of an ELF64 little-endian vmcore, or None"""
    with open(path, 'rb') as f:
        eh = f.read(64)
        if eh[:4] != b'\x7fELF' or eh[4] != 2 or eh[5] != 1:
            return None
        phoff, = struct.unpack_from('<Q', eh, 32)
        phentsize, phnum = struct.unpack_from('<HH', eh, 54)
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            ptype, _, off, _, _, filesz = struct.unpack('<IIQQQQ', f.read(40))
            if ptype != 4:      # PT_NOTE
                continue
            f.seek(off)
            notes, pos = f.read(filesz), 0
            while pos + 12 <= len(notes):
                namesz, descsz, _ = struct.unpack_from('<III', notes, pos)
                name = notes[pos + 12:pos + 12 + namesz].rstrip(b'\0')
                dpos = pos + 12 + (namesz + 3) // 4 * 4
                if name == b'VMCOREINFO':
                    return notes[dpos:dpos + descsz].decode('ascii', 'replace')
                pos = dpos + (descsz + 3) // 4 * 4
    return None

if arch == 'x86_64':
    pool = {k: int(v) for k, v in facts.get('hugetlb_1g', {}).items()}
    man['paging_levels'] = int(sysf['paging_levels']) if 'paging_levels' in sysf else None
    man['pti'] = sysf.get('meltdown')          # /sys/.../vulnerabilities/meltdown
    man['pti_enabled'] = sysf.get('pti') == '1'  # X86_FEATURE_PTI (cpuinfo flag)
    man['hugetlb_1g_pool'] = pool              # nr, free: the 1 GiB pool
    # 1 GiB leaves (PUD entries) in all the workload's page tables
    man['hugetlb_1g'] = sum(p.get('hugetlb_1g_kb', 0) for p in procs) // (1 << 20)
    vmci = elf_vmcoreinfo(os.path.join(work, 'vmcore'))
    man['vmcoreinfo'] = vmci is not None
    m = re.search(r'^NUMBER\(pgtable_l5_enabled\)=(\d+)$', vmci or '', re.M)
    man['vmcoreinfo_pgtable_l5_enabled'] = int(m.group(1)) if m else None
# the extra hugetlb sizes of arm64 with 4 KiB pages: name, page size in kB,
# pages each of the four mms maps (thpwork.c)
ARM64_HUGE = (('hugetlb_1g', 1 << 20, 1), ('hugetlb_cont64k', 64, 2), ('hugetlb_cont32m', 32768, 2))
if arch == 'arm64':
    vmci = elf_vmcoreinfo(os.path.join(work, 'vmcore'))
    m = re.search(r'^NUMBER\(VA_BITS\)=(\d+)$', vmci or '', re.M)
    va_bits = int(m.group(1)) if m else None
    # NUMBER(VA_BITS) is CONFIG_ARM64_VA_BITS (6.12: 52); the VA size in
    # use is 64 - T1SZ (48 unless the CPU has FEAT_LPA2)
    m = re.search(r'^NUMBER\(TCR_EL1_T1SZ\)=(0x[0-9a-f]+|\d+)$', vmci or '', re.M)
    va_actual = 64 - int(m.group(1), 0) if m else va_bits
    # ARM64_HW_PGTABLE_LEVELS(va_bits) = ((va_bits) - 4) / (PAGE_SHIFT - 3)
    # (arch/arm64/include/asm/pgtable-hwdef.h): 48 -> 4, 52 (LPA2) -> 5
    shift = sizes[2].bit_length() - 1 if sizes[2] else 12
    man['paging_levels'] = (va_actual - 4) // (shift - 3) if va_actual else None
    man['pti'] = sysf.get('meltdown')          # /sys/.../vulnerabilities/meltdown
    for name, kb, _ in ARM64_HUGE:
        # nr, free of the pool; pages mapped in all the workload's page tables
        # (1 GiB: PUD leaves; 64 KiB / 32 MiB: contiguous runs)
        man[name + '_pool'] = {k: int(v) for k, v in facts.get(name, {}).items()}
        man[name] = sum(p.get(name + '_kb', 0) for p in procs) // kb
    man['vmcoreinfo'] = vmci is not None
    man['vmcoreinfo_va_bits'] = va_bits
    man['va_bits_actual'] = va_actual
    # the physical address of the linear map's start (PAGE_OFFSET of the VA
    # size in use).  A 52-bit kernel on 48 bits moves memstart_addr, which
    # VMCOREINFO gives as PHYS_OFFSET, down by _PAGE_OFFSET(48) -
    # _PAGE_OFFSET(52) (arm64_memblock_init, arch/arm64/mm/init.c): 6.12
    # says 0xfff1000040000000 for RAM at 0x40000000, and crash 8.0.6 needs
    # --machdep phys_offset= with this value (samples/crash passes it)
    m = re.search(r'^NUMBER\(PHYS_OFFSET\)=(0x[0-9a-f]+|\d+)$', vmci or '', re.M)
    man['phys_offset'] = ((int(m.group(1), 0) + (1 << va_bits) - (1 << va_actual)) % (1 << 64)
                          if m and va_bits else None)
    with open(os.path.join(work, 'vmcore.kdump'), 'rb') as f:
        man['kdump_block_size'] = struct.unpack_from('<I', f.read(432), 428)[0]
if copies:
    man['workload_copies'] = ncopies    # benchmark samples only (lib.sh sample_scale)
    man['benchmark_only'] = True
json.dump(man, open(os.path.join(work, 'manifest.json'), 'w'), indent=1)
open(os.path.join(work, 'manifest.json'), 'a').write('\n')

# sanity: what the dumps exist for
err = []
if mmu:
    if sysf.get('mmu', '').lower() != mmu:
        err.append('guest MMU %r, wanted %s' % (sysf.get('mmu'), mmu))
if arch == 'ppc64le':
    # the dump headers must be little-endian like the guest (QEMU 7.2 writes
    # them big-endian; crash cannot use such files)
    with open(os.path.join(work, 'vmcore'), 'rb') as f:
        ident = f.read(16)
    if ident[:4] != b'\x7fELF' or ident[5] != 1:
        err.append('vmcore is not a little-endian ELF')
    with open(os.path.join(work, 'vmcore.kdump'), 'rb') as f:
        hdr = f.read(16)
    if hdr[:8] != b'KDUMP   ' or not 0 < struct.unpack_from('<i', hdr, 8)[0] < 100:
        err.append('vmcore.kdump is not a little-endian diskdump')
if arch == 'x86_64':
    with open(os.path.join(work, 'vmcore.kdump'), 'rb') as f:
        hdr = f.read(16)
    if hdr[:8] != b'KDUMP   ' or not 0 < struct.unpack_from('<i', hdr, 8)[0] < 100:
        err.append('vmcore.kdump is not a little-endian diskdump')
    if man['paging_levels'] != int(paging_levels):
        err.append('guest paging levels %s, wanted %s' % (man['paging_levels'], paging_levels))
    if not man['vmcoreinfo']:
        err.append('vmcore has no VMCOREINFO note (qemu_fw_cfg not loaded?)')
    elif man['vmcoreinfo_pgtable_l5_enabled'] != (man['paging_levels'] == 5):
        err.append('vmcoreinfo pgtable_l5_enabled=%s but paging_levels %s'
                   % (man['vmcoreinfo_pgtable_l5_enabled'], man['paging_levels']))
    if man['hugetlb_1g_pool'].get('nr') and man['hugetlb_1g'] != 4:
        err.append('1 GiB pool of %d but %d 1 GiB leaves (want 4: parent + 3 children)'
                   % (man['hugetlb_1g_pool']['nr'], man['hugetlb_1g']))
if arch == 'arm64':
    with open(os.path.join(work, 'vmcore.kdump'), 'rb') as f:
        hdr = f.read(16)
    if hdr[:8] != b'KDUMP   ' or not 0 < struct.unpack_from('<i', hdr, 8)[0] < 100:
        err.append('vmcore.kdump is not a little-endian diskdump')
    elif man['kdump_block_size'] != sizes[2]:
        # a block is a page to readers (libkdumpfile: "Out-of-bounds PFN")
        err.append('vmcore.kdump block size %d, page size %s' % (man['kdump_block_size'], sizes[2]))
    if not man['vmcoreinfo']:
        err.append('vmcore has no VMCOREINFO note (qemu_fw_cfg not loaded?)')
    elif man['paging_levels'] != int(paging_levels):
        err.append('%s-bit VA: %s paging levels, wanted %s'
                   % (man['va_bits_actual'], man['paging_levels'], paging_levels))
    for name, _, per_mm in ARM64_HUGE:
        if man[name + '_pool'].get('nr') and man[name] != 4 * per_mm:
            err.append('%s pool of %d but %d pages mapped (want %d: parent + 3 children)'
                       % (name, man[name + '_pool']['nr'], man[name], 4 * per_mm))
if man['kernel_release'] != release:
    err.append('guest release %s != %s' % (man['kernel_release'], release))
par = [p for p in procs if p['role'] == 'parent']
kids = [p for p in procs if p['role'] and p['role'].startswith('child')]
if len(par) != ncopies or len(kids) != 3 * ncopies:
    err.append('expected %d parent + %d children, got %d + %d'
               % (ncopies, 3 * ncopies, len(par), len(kids)))
elif any(p['anon_huge_kb'] == 0 for p in par):
    err.append('no THP in the parent (AnonHugePages 0)')
elif any(k['anon_huge_kb'] == 0 for k in kids):
    err.append('a child has no THP')
elif copies and sorted(p.get('copy', 0) for p in par) != list(range(1, ncopies + 1)):
    err.append('parents are not copies 1..%d' % ncopies)
if not meminfo.get('HugePages_Total') or meminfo.get('HugePages_Free') >= meminfo.get('HugePages_Total'):
    err.append('no hugetlb pages in use')
if err:
    sys.exit('manifest: ' + '; '.join(err))
p = par[0]
print('%s: parent pid %d AnonHugePages %d kB, Swap %d kB, hugetlb %d+%d kB; HugePages %d/%d free; '
      'children AnonHugePages %s kB' % (sample, p['pid'], p['anon_huge_kb'], p['swap_kb'],
      p['private_hugetlb_kb'], p['shared_hugetlb_kb'], meminfo['HugePages_Free'],
      meminfo['HugePages_Total'], '/'.join(str(k['anon_huge_kb']) for k in kids[:3])), file=sys.stderr)
if copies:
    print('%s: %d workload copies, %d processes; parents Swap %d..%d kB; PageTables %d kB'
          % (sample, ncopies, len(procs), min(q['swap_kb'] for q in par),
             max(q['swap_kb'] for q in par), meminfo.get('PageTables', 0)), file=sys.stderr)
EOF

echo "$KEY" > "$WORK/.inputs"
rm -rf "$OUT"
mv "$WORK" "$OUT"
link_out
log "$SAMPLE: done in $OUT (boot $(awk "BEGIN{printf \"%.1f\", $T1 - $T0}") s; vmcore $(stat -c %s "$OUT/vmcore"), vmcore.kdump $(stat -c %s "$OUT/vmcore.kdump") bytes)"
