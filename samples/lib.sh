# Common settings for the sample-dump scripts; sourced, not run.
# Everything large (debs, kernels, sysroots, QEMU, dumps) lives in the cache,
# outside the checkout, so a fresh clone on the same machine reuses it.
THPCHECK_CACHE=${THPCHECK_CACHE:-$HOME/.cache/thpcheck}
SAMPLES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$SAMPLES_DIR/.." && pwd)
APT_DIR=$THPCHECK_CACHE/apt
export THPCHECK_CACHE
die() { echo "${0##*/}: $*" >&2; exit 1; }
log() { echo "${0##*/}: $*" >&2; }
# Sample name -> Debian architecture, and -> kernel directory under
# $THPCHECK_CACHE/k (ppc64le-6.1-radix and ppc64le-6.1-hash boot the same
# kernel, $THPCHECK_CACHE/k/ppc64le-6.1; the MMU is a boot/machine setting;
# the benchmark samples s390x-6.1-256m and s390x-6.1-4g boot s390x-6.1's).
sample_arch() {
    case $1 in
        s390x-*)   echo s390x ;;
        ppc64le-*) echo ppc64el ;;
        x86_64-*)  echo amd64 ;;
        arm64-*)   echo arm64 ;;
        *) return 1 ;;
    esac
}
sample_kernel() {
    case $1 in
        ppc64le-*-radix|ppc64le-*-hash) echo "${1%-*}" ;;
        s390x-6.1-256m|s390x-6.1-4g) echo s390x-6.1 ;;
        x86_64-6.1-la57) echo x86_64-6.1 ;;
        *) echo "$1" ;;
    esac
}
# Benchmark-only samples (scaling: time and memory of a scanner per page-table
# page; not in make-samples.sh's default list): sample -> "GUEST_MIB COPIES",
# COPIES = independent thpwork instances (4 processes each) in the guest.
# Fails (status 1) for every other sample: they run the workload once, in the
# guest size make-dump.sh gives them.
sample_scale() {
    case $1 in
        s390x-6.1-256m) echo "256 1" ;;
        s390x-6.1-4g)   echo "4096 16" ;;
        *) return 1 ;;
    esac
}

# The guest machine of a sample, as shell variables for make-dump.sh and
# make-busy.sh: MANIFEST_ARCH, MMU (ppc64le: radix|hash), QEMU (+ QEMU_HINT,
# QEMU_NOTE, QEMU_PKGS: resolve.py's choice for it), MEM (MiB), APPEND
# (kernel command line), MACHINE (QEMU args), KDUMP_FORMAT, PAGING_LEVELS
# (x86_64: 4 or 5, checked against the guest; arm64: 4, checked against the
# dump's VMCOREINFO; empty elsewhere).  Uses HUGEPAGES, COPIES and SCALE_MEM
# of the caller.
machine_config() {
    local SAMPLE=$1 M
    PAGING_LEVELS=
    case $SAMPLE in
        s390x-*)
            MANIFEST_ARCH=s390x MMU=
            QEMU=$THPCHECK_CACHE/qemu/bin/qemu-system-s390x-edat
            QEMU_HINT=samples/build-qemu.sh
            QEMU_NOTE=" (+ samples/qemu-s390x-tcg-edat.patch)"
            MEM=${SCALE_MEM:-${THPCHECK_GUEST_MEM:-512}}
            APPEND="console=ttysclp0 nokaslr hugepages=$HUGEPAGES${COPIES:+ thpwork.copies=$COPIES}"
            QEMU_PKGS=$THPCHECK_CACHE/qemu/packages
            MACHINE=(-L /usr/share/qemu -M s390-ccw-virtio -accel tcg -cpu max)
            KDUMP_FORMAT=kdump-zlib ;;      # QEMU 7.2: flattened -> makedumpfile -R
        ppc64le-*-radix|ppc64le-*-hash)
            MANIFEST_ARCH=ppc64le MMU=${SAMPLE##*-}
            QEMU=$THPCHECK_CACHE/qemu-ppc/usr/bin/qemu-system-ppc64
            QEMU_HINT=samples/fetch-qemu-ppc.sh
            QEMU_NOTE=" (bookworm-backports, dpkg -x)"
            MEM=${THPCHECK_GUEST_MEM:-1024}
            # Debian's ppc64el kernels have no KASLR: no nokaslr needed
            APPEND="console=hvc0 hugepages=$HUGEPAGES"
            M=pseries
            if [ "$MMU" = hash ]; then
                # THP needs the HPT to allow 16 MiB pages (default cap: 64K)
                APPEND="$APPEND disable_radix"; M=$M,cap-hpt-max-page-size=16M
            fi
            QEMU_PKGS=$THPCHECK_CACHE/qemu-ppc/.packages
            MACHINE=(-L "$THPCHECK_CACHE/qemu-ppc/usr/share/qemu" -M "$M" -accel tcg -cpu power9)
            KDUMP_FORMAT=kdump-raw-zlib ;;  # QEMU 10.0: standard diskdump
        x86_64-6.1|x86_64-6.12|x86_64-6.1-la57)
            MANIFEST_ARCH=x86_64 MMU=
            QEMU=$THPCHECK_CACHE/qemu-x86/usr/bin/qemu-system-x86_64
            QEMU_HINT=samples/fetch-qemu-x86.sh
            QEMU_NOTE=" (bookworm, dpkg -x)"
            QEMU_PKGS=$THPCHECK_CACHE/qemu-x86/.packages
            MEM=${THPCHECK_GUEST_MEM:-4096}
            # one 1 GiB hugetlb page (PUD leaf) besides the 2 MiB pool; 2 MiB
            # stays the default hugetlb size (the first hugepagesz= does not
            # change it)
            APPEND="console=ttyS0 nokaslr hugepagesz=1G hugepages=1 hugepagesz=2M hugepages=$HUGEPAGES"
            # TCG's -cpu max has la57: 5-level paging unless la57=off
            if [ "$SAMPLE" = x86_64-6.1-la57 ]; then M=max PAGING_LEVELS=5
            else M=max,la57=off PAGING_LEVELS=4; fi
            # vmcoreinfo: the guest's qemu_fw_cfg hands QEMU its vmcoreinfo,
            # which both dumps then carry (as a kexec kdump would)
            MACHINE=(-L "$THPCHECK_CACHE/qemu-x86/usr/share/qemu" -M q35 -accel tcg -cpu "$M" -device vmcoreinfo)
            KDUMP_FORMAT=kdump-zlib ;;      # QEMU 7.2: flattened -> makedumpfile -R
        arm64-6.1|arm64-6.12)
            MANIFEST_ARCH=arm64 MMU=
            QEMU=$THPCHECK_CACHE/qemu-arm/usr/bin/qemu-system-aarch64
            QEMU_HINT=samples/fetch-qemu-arm.sh
            QEMU_NOTE=" (bookworm-backports, dpkg -x)"
            QEMU_PKGS=$THPCHECK_CACHE/qemu-arm/.packages
            # 3 GiB: with 2 GiB no free 1 GiB-aligned range is left for
            # the 1 GiB page after the kernel, the initrd and CMA
            MEM=${THPCHECK_GUEST_MEM:-3072}
            # 4 KiB pages: besides the default 2 MiB pool (pmd leaves) the
            # contiguous sizes, 64 KiB (16 ptes) and 32 MiB (16 pmds), and
            # one 1 GiB page (pud leaf); 2 MiB stays the default hugetlb size
            APPEND="console=ttyAMA0 nokaslr hugepagesz=64K hugepages=16 hugepagesz=32M hugepages=2 hugepagesz=1G hugepages=1 hugepagesz=2M hugepages=$HUGEPAGES"
            # 4 levels (48-bit VA) for both: 6.1 has CONFIG_ARM64_VA_BITS=48;
            # 6.12 has VA_BITS=52 and runs with 5 levels where the CPU has
            # FEAT_LPA2, which -cpu max has -- and crash 8.0.6 cannot open
            # such a dump ("invalid kernel virtual address: ffff8000825f8000"
            # right after loading the vmlinux), so its LPA2 is switched off,
            # as x86_64's la57 is (the kernel then folds a level at boot)
            PAGING_LEVELS=4 M=max
            [ "$SAMPLE" != arm64-6.12 ] || M=max,lpa2=off
            # vmcoreinfo as on x86_64 (both dumps carry the note)
            MACHINE=(-L "$THPCHECK_CACHE/qemu-arm/usr/share/qemu" -M virt -accel tcg -cpu "$M" -device vmcoreinfo)
            KDUMP_FORMAT=kdump-raw-zlib ;;  # QEMU 10.0: standard diskdump
        *) die "unknown sample $SAMPLE (s390x-6.1 s390x-6.12 ppc64le-6.1-radix ppc64le-6.1-hash s390x-6.1-256m s390x-6.1-4g x86_64-6.1 x86_64-6.12 x86_64-6.1-la57 arm64-6.1 arm64-6.12)" ;;
    esac
}

# A guest that panicked before its /init ran (CONSOLE): nothing of the
# sample's was running yet.  Seen on x86_64-6.12 under multi-threaded
# TCG, about one boot in 20: "Oops: int3" in sched_clock_cpu when the
# kernel patches a static branch (text_poke_bp) and the other vCPU still
# executes the int3 QEMU has not yet invalidated -- the emulator's race,
# not the kernel's.  Such a boot is tried again (BOOT_ATTEMPTS, 3).
BOOT_ATTEMPTS=${THPCHECK_BOOT_ATTEMPTS:-3}
panicked_before_init() {
    grep -aqE 'Kernel panic|Rebooting in' "$1" 2>/dev/null &&
        ! grep -aq 'Run /init as init process' "$1" 2>/dev/null
}
# the first Oops/BUG line of CONSOLE, for the log
first_oops() {
    grep -aE -m1 'Oops|BUG:|Kernel panic' "$1" 2>/dev/null | tr -d '\r' | sed 's/^\[ *[0-9.]*\] //'
}

# Give a dump's all-zero blocks back to the file system (a guest's free
# memory is mostly zeros: 513 -> 140 MiB for a busy s390x dump, 1 GiB ->
# 166 MiB for a ppc64le one); reads are unchanged.  Not every file system
# can: then the file stays as it is.
sparse_zeros() {
    fallocate --dig-holes "$1" 2>/dev/null || log "fallocate --dig-holes $1: not supported here, dump kept dense"
}

# The kernel files (in K) and the QEMU a guest of SAMPLE boots, checked
# after machine_config; sets RELEASE.
guest_inputs() {
    local f
    for f in vmlinuz vmlinux release; do
        [ -s "$K/$f" ] || die "$K/$f missing (run samples/fetch-kernels.sh $SAMPLE)"
    done
    [ -x "$QEMU" ] || die "$QEMU missing (run $QEMU_HINT)"
    RELEASE=$(cat "$K/release")
}

# The host libraries the binary of DEB needs: the package names of its
# Depends (bookworm's), installed with the host's apt when missing;
# EXCLUDE: an extended regex of Depends that are not host libraries.
host_libs_for() {
    local deb=$1 exclude=$2 what=$3 deps p need=()
    deps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/([^)]*)//g; s/|.*//; s/ //g' |
           grep -Ev -e "$exclude" -e '^$' || true)
    for p in $deps; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
    if [ ${#need[@]} -gt 0 ]; then
        log "installing host libraries for $what: ${need[*]}"
        env -u APT_CONFIG apt-get install -y --no-install-recommends "${need[@]}" >&2
    fi
}

# The .debs of samples/resolve.py's lines (CHOSEN) unpacked into DIR,
# emptied first; their docs and man pages dropped.
unpack_debs() {
    local chosen=$1 dir=$2 f
    rm -rf "$dir"
    mkdir -p "$dir"
    while read -r _ _ _ _ f; do
        dpkg -x "$f" "$dir"
    done <<<"$chosen"
    rm -rf "$dir/usr/share/doc" "$dir/usr/share/man"
}
