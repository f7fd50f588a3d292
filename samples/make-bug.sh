#!/bin/bash
# The bug lab: one seed bug re-enacted by the running kernel of a sample
# guest, then dumped.  Boots SAMPLE's kernel and machine (as make-dump.sh)
# with the thpwork workload, cross-builds the scenario's module against
# Debian's headers for that kernel (samples/bugs/build-module.sh) and the
# victim process (samples/bugs/victim.c); after READY-FOR-DUMP the guest's
# samples/bugs/bug.sh loads the module, which calls the kernel's own
# functions on the victim's live tables and prints the ground truth; then
# the VM is stopped and dumped.
#
# Usage: samples/make-bug.sh [--force] SAMPLE SCENARIO
#   SCENARIO  a module samples/bugs/SCENARIO.c (samples/bugs/README.md)
# Output: $THPCHECK_CACHE/bugs/SAMPLE/SCENARIO/
#   vmcore         ELF dump (paging off; fixed by fix-qemu-elf.py; sparse)
#   vmlinux        symlink to the kernel's
#   console.log    the guest's console (THPBUG lines: samples/bugs/thpbug.h)
#   manifest.json  sample, scenario, kernel, packages, and the module's
#                  lines: "truth" (each corruption: sig, table_pa, index, pa,
#                  old, new, ...), "pending" (tables queued for freeing),
#                  "steps"
# Nothing is done when the directory is complete and made from the same
# inputs; --force remakes it.  Prints the directory on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
BUGS=$SAMPLES_DIR/bugs

FORCE=0
[ "${1:-}" = --force ] && { FORCE=1; shift; }
[ $# = 2 ] || die "usage: $0 [--force] SAMPLE SCENARIO"
SAMPLE=$1 SCENARIO=$2
ARCH=$(sample_arch "$SAMPLE") || die "unknown sample $SAMPLE"
[ -s "$BUGS/$SCENARIO.c" ] || die "no scenario $SCENARIO (samples/bugs/$SCENARIO.c)"
K=$THPCHECK_CACHE/k/$(sample_kernel "$SAMPLE")
OUT=$THPCHECK_CACHE/bugs/$SAMPLE/$SCENARIO
HUGEPAGES=8 COPIES= SCALE_MEM=
machine_config "$SAMPLE"
APPEND="$APPEND thpcheck.bug=$SCENARIO"
guest_inputs

KO=$("$BUGS/build-module.sh" "$SAMPLE" "$SCENARIO") || die "$SCENARIO: module build failed"
case $ARCH in
    s390x)   CC=s390x-linux-gnu-gcc ;;
    ppc64el) CC=powerpc64le-linux-gnu-gcc ;;
    amd64)   CC=gcc ;;      # x86_64: the host's own (as mkinitrd.sh for thpwork)
    arm64)   CC=aarch64-linux-gnu-gcc ;;
esac
VH=$(sha256sum < "$BUGS/victim.c" | cut -c1-16)
VICTIM=$THPCHECK_CACHE/build/victim-$ARCH-$VH
if [ ! -x "$VICTIM" ]; then
    mkdir -p "${VICTIM%/*}"
    $CC -std=c11 -O2 -Wall -Wextra -Werror -static -o "$VICTIM.tmp" "$BUGS/victim.c" ||
        die "building victim failed"
    mv "$VICTIM.tmp" "$VICTIM"
fi
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/thpbug-stage.XXXXXX")
SOCKDIR=$(mktemp -d /tmp/thpcheck-qmp.XXXXXX)
QPID=
cleanup() {
    if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
        kill "$QPID" 2>/dev/null || true; sleep 1; kill -9 "$QPID" 2>/dev/null || true
    fi
    rm -rf "$SOCKDIR" "$STAGE"
}
trap cleanup EXIT
cp "$KO" "$STAGE/$SCENARIO.ko"
cp "$VICTIM" "$STAGE/victim"
# from the module's header comment: the unexported functions it takes as
# parameters (" * kallsyms: NAME ..."), what the victim does on SIGUSR1
# (" * victim: MODE", victim.c)
sed -n 's/^ \* kallsyms: //p' "$BUGS/$SCENARIO.c" | tr ' ' '\n' | grep . > "$STAGE/symbols" || true
sed -n 's/^ \* victim: //p' "$BUGS/$SCENARIO.c" > "$STAGE/victim.mode" || true
INITRD=$("$SAMPLES_DIR/guest/mkinitrd.sh" --bug "$STAGE" "$SAMPLE") || die "mkinitrd failed"
KEY=$( { echo "$RELEASE $MEM $APPEND ${MACHINE[*]} ${INITRD##*/}";
         cat "$0" "$SAMPLES_DIR/fix-qemu-elf.py" "$K/packages"; } | sha256sum | cut -c1-32)
if [ $FORCE = 0 ] && [ -s "$OUT/vmcore" ] && [ -s "$OUT/manifest.json" ] &&
   [ "$(cat "$OUT/.inputs" 2>/dev/null)" = "$KEY" ]; then
    log "$SAMPLE $SCENARIO: up to date in $OUT"
    echo "$OUT"
    exit 0
fi

WORK=$OUT.tmp
rm -rf "$WORK" && mkdir -p "$WORK"
fail() { log "$SAMPLE $SCENARIO: $*"; [ -s "$WORK/console.log" ] && tail -20 "$WORK/console.log" | sed 's/^/  console: /' >&2; exit 1; }
log "$SAMPLE $SCENARIO: booting $RELEASE (append \"$APPEND\", initrd ${INITRD##*/})"
for attempt in $(seq "$BOOT_ATTEMPTS"); do
    "$QEMU" "${MACHINE[@]}" -m "$MEM" -smp 2 -nodefaults -display none \
        -serial "file:$WORK/console.log" -qmp "unix:$SOCKDIR/qmp.sock,server=on,wait=off" \
        -kernel "$K/vmlinuz" -initrd "$INITRD" -append "$APPEND" 2>"$WORK/qemu.log" &
    QPID=$!
    deadline=$(( $(date +%s) + ${THPCHECK_BOOT_TIMEOUT:-300} ))
    done_=0
    until grep -aq 'GUEST: BUG-DONE' "$WORK/console.log" 2>/dev/null && done_=1; do
        grep -aq 'GUEST: FAIL' "$WORK/console.log" 2>/dev/null &&
            fail "guest failed: $(grep -a 'GUEST: FAIL' "$WORK/console.log" | head -1 | tr -d '\r')"
        if grep -aqE 'Kernel panic|Rebooting in' "$WORK/console.log" 2>/dev/null; then
            panicked_before_init "$WORK/console.log" && [ "$attempt" -lt "$BOOT_ATTEMPTS" ] && break
            fail "guest kernel panic"
        fi
        kill -0 "$QPID" 2>/dev/null || fail "QEMU exited early: $(tail -1 "$WORK/qemu.log")"
        [ "$(date +%s)" -lt $deadline ] || fail "no BUG-DONE after ${THPCHECK_BOOT_TIMEOUT:-300} s"
        sleep 0.5
    done
    [ $done_ = 1 ] && break
    log "$SAMPLE $SCENARIO: the guest panicked before /init ($(first_oops "$WORK/console.log")): booting again ($((attempt + 1))/$BOOT_ATTEMPTS)"
    kill -9 "$QPID" 2>/dev/null; wait "$QPID" 2>/dev/null; QPID=
    mv "$WORK/console.log" "$WORK/console.log.$attempt"
done
q() { timeout 330 python3 "$SAMPLES_DIR/qmp.py" --timeout 300 "$SOCKDIR/qmp.sock" "$@" >/dev/null; }
q stop || fail "QMP stop failed"
q "{\"execute\":\"dump-guest-memory\",\"arguments\":{\"paging\":false,\"protocol\":\"file:$WORK/vmcore\",\"format\":\"elf\"}}" ||
    fail "QMP dump-guest-memory failed"
q quit || true
cleanup; QPID=
python3 "$SAMPLES_DIR/fix-qemu-elf.py" "$WORK/vmcore" >&2 || fail "fix-qemu-elf.py failed"
sparse_zeros "$WORK/vmcore"
chmod 644 "$WORK/vmcore"
ln -sfn "$K/vmlinux" "$WORK/vmlinux"

python3 - "$WORK" "$SAMPLE" "$SCENARIO" "$MANIFEST_ARCH" "$RELEASE" "$APPEND" \
    "$(cat "$K/packages" "$THPCHECK_CACHE/kheaders/$RELEASE/.done" 2>/dev/null)" <<'PY' || fail "manifest: the module's ground truth is missing"
import json, os, re, sys, time
work, sample, scenario, arch, release, append, packages = sys.argv[1:8]
man = {'sample': sample, 'arch': arch, 'scenario': scenario, 'kernel_release': release,
       'cmdline': append, 'truth': [], 'pending': [], 'steps': [], 'fail': [],
       'created': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
       'packages': [l for l in packages.splitlines() if l.strip()]}
done = False
def value(v):
    return int(v, 16) if re.fullmatch(r'0x[0-9a-f]+', v) else int(v) if re.fullmatch(r'-?\d+', v) else v
for raw in open(os.path.join(work, 'console.log'), 'rb'):
    line = raw.decode('utf-8', 'replace').replace('\r', '').rstrip('\n')
    m = re.match(r'THPBUG (\w+) ?(.*)$', line)
    if not m:
        continue
    kind, rest = m.groups()
    if kind in ('truth', 'pending'):
        man[kind].append({k: value(v) for k, v in re.findall(r'(\w+)=(\S+)', rest)})
    elif kind in ('step', 'fail'):
        man[kind + 's' if kind == 'step' else kind].append(rest)
    elif kind == 'done':
        done = True
json.dump(man, open(os.path.join(work, 'manifest.json'), 'w'), indent=1)
if man['fail'] or not done or not (man['truth'] or man['pending']):
    sys.exit('manifest: %s' % ('; '.join(man['fail']) or 'no "THPBUG done"' if not done else 'no truth or pending lines'))
for t in man['truth']:
    print('%s %s: %s' % (sample, scenario, ' '.join('%s=%s' % (k, hex(v) if isinstance(v, int) and k not in ('pid', 'index') else v) for k, v in t.items())), file=sys.stderr)
print('%s %s: %d corruption(s), %d pending table(s)' % (sample, scenario, len(man['truth']), len(man['pending'])), file=sys.stderr)
PY
echo "$KEY" > "$WORK/.inputs"
rm -rf "$OUT" && mv "$WORK" "$OUT"
log "$SAMPLE $SCENARIO: done in $OUT"
echo "$OUT"
