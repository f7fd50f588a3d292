#!/bin/bash
# Installing thpcheck the ways users do, on the sample dumps:
#   - make install / make uninstall into a DESTDIR;
#   - the Debian packages (debian/): amd64 natively, s390x and ppc64el
#     cross (thpscan on the target's libraries, samples/fetch-devroot.sh;
#     the ppc64el extension alone too, profile pkg.thpcheck.nothpscan),
#     each lintian-clean; the cross thpscans under qemu-user print what the
#     amd64 one prints; the amd64 ones unpacked into a scratch root, whose
#     thpscan scans x86_64-6.1 and whose extension loads in crash by its
#     bare name; the s390x one unpacked into a scratch copy of crash's
#     s390x sysroot, where the emulated crash loads "extend thpcheck.so"
#     from /usr/lib/crash/extensions on s390x-6.1 and runs thpcheck -s;
#   - one version everywhere: debian/changelog's, as thpscan -V, the
#     JSON's "version", the packages and the man pages say it;
#   - the fleet recipe of docs/thpscan.md run with GNU parallel over local
#     "hosts" (directories of dumps), merged with jq, retried with
#     --retry-failed.
# Prints ok/not ok lines and "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
TOP=$PWD
CACHE=${THPCHECK_CACHE:-$HOME/.cache/thpcheck}
SAMPLES=" ${THPCHECK_SAMPLES:-} "
P=0; F=0
ok() { P=$((P + 1)); echo "ok - $*"; }
nok() { F=$((F + 1)); echo "not ok - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else nok "$what"; fi; }
W=$(mktemp -d /tmp/thpcheck-packages.XXXXXX)
trap 'rm -rf "$W"' EXIT
VERSION=$(head -1 debian/changelog | cut -d' ' -f2 | tr -d '()')
X86=$CACHE/dumps/x86_64-6.1
S390=$CACHE/dumps/s390x-6.1
have() { [[ $SAMPLES == *" $1 "* ]]; }
R=$W/root-amd64     # the amd64 packages, unpacked

# ---- make install / uninstall
INC_AMD64=$CACHE/sysroot-amd64-trixie/usr/include/crash
make -s install DESTDIR="$W/stage" PREFIX=/usr ARCH=x86_64 CRASH_INC="$INC_AMD64" >"$W/install.log" 2>&1
check "make install: thpscan, the extension in crash's directory, man pages, docs" \
    test -x "$W/stage/usr/bin/thpscan" -a -f "$W/stage/usr/lib/crash/extensions/thpcheck.so" \
         -a -f "$W/stage/usr/share/man/man1/thpscan.1" -a -f "$W/stage/usr/share/man/man1/thpcheck.1" \
         -a -f "$W/stage/usr/share/doc/thpcheck/signatures.md"
check "make install: the man pages carry version $VERSION" \
    grep -q "^\.TH THPSCAN 1 \"[0-9-]*\" \"thpcheck $VERSION\"" "$W/stage/usr/share/man/man1/thpscan.1"
make -s install-ext DESTDIR="$W/stage2" ARCH=x86_64 CRASH_INC="$INC_AMD64" 2>"$W/note.log" >/dev/null
check "make install under /usr/local says how crash finds the extension" \
    grep -q "CRASH_EXTENSIONS=/usr/local/lib/crash/extensions" "$W/note.log"
make -s uninstall DESTDIR="$W/stage" PREFIX=/usr >/dev/null 2>&1
check "make uninstall removes every file it installed" \
    test -z "$(find "$W/stage" -type f)"

# ---- packages, from a copy of the checkout (the build cleans build/)
SRC=$W/src/thpcheck-$VERSION
mkdir -p "$SRC"
git ls-files -co --exclude-standard | grep -v '^samples/out/' | tar -cf - -T - | tar -xf - -C "$SRC"
build_pkg() {   # build_pkg ARCH INC [dpkg-buildpackage args]: 0 when built
    local a=$1 inc=$2; shift 2
    (cd "$SRC" && CRASH_INC=$inc dpkg-buildpackage -us -uc -b -d "$@") >"$W/build-$a.log" 2>&1
}
lint() {        # lint CHANGES: lintian's default level, nothing reported
    local out
    out=$(lintian "$1" 2>&1 | grep -v 'running with root privileges')
    [ -z "$out" ] || { echo "$out" | sed 's/^/#   /'; return 1; }
}
if build_pkg amd64 "$INC_AMD64"; then
    ok "dpkg-buildpackage (amd64): thpcheck and thpscan packages"
    check "lintian (amd64) is clean" lint "$W/src/thpcheck_${VERSION}_amd64.changes"
    for d in "$W/src/thpcheck_${VERSION}_amd64.deb" "$W/src/thpscan_${VERSION}_amd64.deb"; do
        dpkg -x "$d" "$R"
    done
    check "the packages carry version $VERSION" \
        test "$(dpkg-deb -f "$W/src/thpscan_${VERSION}_amd64.deb" Version)" = "$VERSION"
    check "the installed thpscan -V says $VERSION" \
        test "$("$R/usr/bin/thpscan" -V)" = "thpscan $VERSION"
    if have x86_64-6.1; then
        js=$("$R/usr/bin/thpscan" -q -j "$X86/vmlinux" "$X86/vmcore.kdump")
        check "the installed thpscan scans x86_64-6.1: 0 findings, version $VERSION in the JSON" \
            test "$(jq -r '"\(.findings | length) \(.version)"' <<<"$js")" = "0 $VERSION"
        out=$(printf 'extend thpcheck.so\nthpcheck -s\nquit\n' |
              CRASH_EXTENSIONS=$R/usr/lib/crash/extensions timeout 300 samples/crash x86_64-6.1 -s 2>&1)
        check "crash loads the packaged extension by its bare name (CRASH_EXTENSIONS) and runs thpcheck -s" \
            grep -q "^SUMMARY: .* 0 findings" <<<"$out"
    fi
else
    nok "dpkg-buildpackage (amd64): see $(tail -3 "$W/build-amd64.log" | tr '\n' ' ')"
fi
# cross: both packages, thpscan linked with the target's libraries
# (samples/fetch-devroot.sh); run under qemu-user, thpscan must print what
# the amd64 one printed
for a in s390x ppc64el; do
    case $a in s390x) q=s390x; ld=s390x-linux-gnu/ld64.so.1 ;;
               ppc64el) q=ppc64le; ld=powerpc64le-linux-gnu/ld64.so.2 ;; esac
    if ! dev=$(samples/fetch-devroot.sh $a 2>"$W/devroot-$a.log"); then
        nok "samples/fetch-devroot.sh $a: $(tail -1 "$W/devroot-$a.log")"
        continue
    fi
    if THPSCAN_DEVROOT=$dev DEB_BUILD_OPTIONS=nocheck \
            build_pkg $a "$CACHE/sysroot-$a-trixie/usr/include/crash" -a $a; then
        ok "dpkg-buildpackage -a $a (cross): thpcheck and thpscan packages"
        check "lintian ($a) is clean" lint "$W/src/thpcheck_${VERSION}_$a.changes"
        check "thpscan ($a) depends on the target's libraries" \
            grep -q "libkdumpfile10" <<<"$(dpkg-deb -f "$W/src/thpscan_${VERSION}_$a.deb" Depends)"
        if have x86_64-6.1; then
            dpkg -x "$W/src/thpscan_${VERSION}_$a.deb" "$W/root-$a"
            # no layout memo: "layouts" would say which run came first
            THPSCAN_LAYOUT_CACHE=off "$R/usr/bin/thpscan" -q -j "$X86/vmlinux" "$X86/vmcore.kdump" > "$W/amd64.json"
            THPSCAN_LAYOUT_CACHE=off qemu-$q-static -L "$dev" "$dev/lib/$ld" "$W/root-$a/usr/bin/thpscan" -q -j \
                "$X86/vmlinux" "$X86/vmcore.kdump" > "$W/$a.json" 2>"$W/$a.err"
            check "the $a thpscan (qemu-user) prints the amd64 one's JSON for x86_64-6.1" \
                cmp -s "$W/amd64.json" "$W/$a.json"
            # without the vmlinux: the dump's BTF and kallsyms (on s390x
            # in the other byte order than the host's)
            THPSCAN_LAYOUT_CACHE=off "$R/usr/bin/thpscan" -q -j "$X86/vmcore.kdump" > "$W/amd64-btf.json"
            THPSCAN_LAYOUT_CACHE=off qemu-$q-static -L "$dev" "$dev/lib/$ld" \
                "$W/root-$a/usr/bin/thpscan" -q -j "$X86/vmcore.kdump" > "$W/$a-btf.json" 2>>"$W/$a.err"
            check "... and the same JSON without the vmlinux (the dump's BTF and kallsyms)" \
                eval 'cmp -s "$W/amd64-btf.json" "$W/$a-btf.json" && grep -q "\"layouts\":\"btf\"" "$W/$a-btf.json"'
        fi
    else
        nok "dpkg-buildpackage -a $a: $(tail -3 "$W/build-$a.log" | tr '\n' ' ')"
    fi
done
# the extension alone, without the target's libraries
rm -f "$W/src/"*_ppc64el.deb
if build_pkg ppc64el-ext "$CACHE/sysroot-ppc64el-trixie/usr/include/crash" -a ppc64el \
        -Ppkg.thpcheck.nothpscan; then
    check "dpkg-buildpackage -a ppc64el -Ppkg.thpcheck.nothpscan: the extension package alone" \
        test -f "$W/src/thpcheck_${VERSION}_ppc64el.deb" -a ! -e "$W/src/thpscan_${VERSION}_ppc64el.deb"
else
    nok "dpkg-buildpackage -a ppc64el -Ppkg.thpcheck.nothpscan: $(tail -3 "$W/build-ppc64el-ext.log" | tr '\n' ' ')"
fi
deb=$W/src/thpcheck_${VERSION}_s390x.deb
if [ -f "$deb" ] && have s390x-6.1; then
    # a scratch sysroot: the cache's, hard-linked, plus the package
    cp -al "$CACHE/sysroot-s390x-trixie" "$W/sysroot-s390x"
    dpkg -x "$deb" "$W/sysroot-s390x"
    out=$(printf 'extend thpcheck.so\nthpcheck -s\nquit\n' |
          CRASH_SYSROOT=$W/sysroot-s390x timeout 600 samples/crash s390x-6.1 -s 2>&1)
    check "s390x crash (qemu-user) loads the packaged extension from /usr/lib/crash/extensions by its bare name" \
        grep -q "^/usr/lib/crash/extensions/thpcheck.so: shared object loaded" <<<"$out"
    check "... and thpcheck -s runs on s390x-6.1: 0 findings" grep -q "^SUMMARY: .* 0 findings" <<<"$out"
fi

# ---- the fleet recipe (docs/thpscan.md "Scanning a fleet"), hosts as
# directories: hostA two clean dumps, hostB one truncated, hostC one clean
if have x86_64-6.1 && have s390x-6.1; then
    FL=$W/fleet
    mkdir -p "$FL/hostA/var/crash/1" "$FL/hostA/var/crash/2" "$FL/hostB/var/crash/1" \
             "$FL/hostC/var/crash/1" "$FL/debug"
    ln -s "$X86/vmcore" "$FL/hostA/var/crash/1/vmcore"
    ln -s "$S390/vmcore.kdump" "$FL/hostA/var/crash/2/vmcore"
    head -c 20000000 "$X86/vmcore.kdump" > "$FL/hostB/var/crash/1/vmcore"
    ln -s "$X86/vmcore.kdump" "$FL/hostC/var/crash/1/vmcore"
    ln -s "$X86/vmlinux" "$FL/debug/vmlinux-x86"
    ln -s "$S390/vmlinux" "$FL/debug/vmlinux-s390"
    printf '%s\n' "$FL/hostA" "$FL/hostB" "$FL/hostC" > "$FL/hosts.txt"
    # the recipe with "ssh {}" replaced by a local shell in the host's directory
    CMD="set -o pipefail; cd {} && $TOP/build/thpscan --json --quiet --debuginfo-dir $FL/debug var/crash/*/vmcore* \
         | jq -c --arg host {/} '{host: \$host} + .'"
    (cd "$FL" && PARALLEL_SHELL=bash parallel --will-cite --jobs 2 --joblog fleet.log --timeout 600 \
        "$CMD" :::: hosts.txt > fleet.jsonl 2>fleet.err)
    check "fleet: one JSON line per dump (4), each with its host" \
        test "$(jq -s 'map(select(.host and .dump)) | length' "$FL/fleet.jsonl")" = 4
    check "fleet: hostA's dumps scanned, no findings" \
        test "$(jq -s -c '[.[] | select(.host == "hostA") | .findings | length] | sort' "$FL/fleet.jsonl")" = "[0,0]"
    check "fleet: hostB's truncated dump has its line with the error" \
        test "$(jq -r 'select(.host == "hostB") | .error | length > 0' "$FL/fleet.jsonl")" = true
    check "fleet: the joblog has hostB failed (exit 2), hostA and hostC not" \
        test "$(awk -F'\t' 'NR > 1 {match($9, /host[A-C]/); print substr($9, RSTART, RLENGTH), $7}' \
                "$FL/fleet.log" | sort | tr '\n' ' ')" = \
             "hostA 0 hostB 2 hostC 0 "
    (cd "$FL" && PARALLEL_SHELL=bash parallel --will-cite --jobs 2 --joblog fleet.log --retry-failed \
        > retry.jsonl 2>retry.err)
    check "fleet: --retry-failed reruns hostB alone" \
        test "$(jq -r .host "$FL/retry.jsonl" | sort -u | tr '\n' ' ')" = "hostB "
fi
echo "packages: $P passed, $F failed"
[ "$F" = 0 ]
