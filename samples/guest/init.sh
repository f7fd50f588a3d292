#!/bin/busybox sh
# /init of the thpcheck sample guest (busybox static; s390x, ppc64le, x86_64,
# arm64).
#
# Sets THP to "always" (a guest with < 512 MiB RAM boots with "never"), tames
# khugepaged so the state stays put, sets up zram swap if the initramfs has
# the modules, starts /bin/thpwork, and when all its processes are ready
# prints the ground-truth figures as
#     THPFACT <section> <key> <value>
# lines (sections: sys, meminfo, vmstat, swaps, proc.<pid>), then
#     GUEST: READY-FOR-DUMP
# and idles.  make-dump.sh parses these lines into manifest.json.
# x86_64 only: "sys paging_levels 4|5" (5 when the kernel runs with la57,
# which it clears from /proc/cpuinfo otherwise), "sys pti 0|1" (the pti flag
# of /proc/cpuinfo), "hugetlb_1g nr|free N" (the
# 1 GiB pool) and "proc.PID hugetlb_1g_kb N" (hugetlb of 1 GiB pages mapped,
# from /proc/PID/smaps).
# arm64 only: "sys meltdown", the 1 GiB pool and hugetlb_1g_kb as on x86_64,
# and the same for the contiguous sizes: "hugetlb_cont64k nr|free N",
# "hugetlb_cont32m nr|free N" (the 64 KiB and 32 MiB pools),
# "proc.PID hugetlb_cont64k_kb N", "proc.PID hugetlb_cont32m_kb N".
#
# thpwork.copies=N on the kernel command line (benchmark samples only) starts
# N independent thpwork instances, one after the other (each writes the same
# ready file, which is moved aside before the next starts); their processes
# get a "THPFACT proc.PID copy I" line too.  Without it: one instance, as
# always.
#
# thpcheck.busy=SECONDS (samples/make-busy.sh): after READY-FOR-DUMP the
# guest does not idle but churns memory the way a loaded system does
# (/bin/busy.sh: stress-ng memory stressors, khugepaged at aggressive
# settings, periodic compaction, reclaim into zram), prints
#     GUEST: BUSY
# and SECONDS later panics through sysrq-c, so the host can dump it at
# random instants and once at panic.
#
# thpcheck.bug=SCENARIO (samples/make-bug.sh): after READY-FOR-DUMP,
# /bin/bug.sh (samples/bugs/bug.sh) has the running kernel re-enact one seed
# bug on live page tables, prints its ground truth as THPBUG lines and
#     GUEST: BUG-DONE
# and idles for the dump.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /tmp && mount -t tmpfs tmpfs /tmp
# keep kernel messages (below KERN_ALERT) off the console from here on
echo "1 4 1 7" > /proc/sys/kernel/printk

say() { echo "GUEST: $*"; }
fail() { echo "GUEST: FAIL $*"; idle; }
idle() { while :; do sleep 3600; done; }

say "kernel $(uname -r)"
say "cmdline $(cat /proc/cmdline)"
case $(uname -m) in
    s390x)
        grep -q 'features.* edat' /proc/cpuinfo && say "facility edat: yes" || say "facility edat: no" ;;
    ppc64*)
        # "MMU : Radix" or "MMU : Hash" (radix is the default on POWER9;
        # disable_radix on the command line selects hash)
        say "$(grep -m1 '^cpu' /proc/cpuinfo | tr -s ' \t' ' ')"
        say "$(grep -m1 '^MMU' /proc/cpuinfo | tr -s ' \t' ' ')" ;;
    x86_64)
        grep -qw la57 /proc/cpuinfo && say "paging: 5-level (la57)" || say "paging: 4-level" ;;
esac

# --- THP ------------------------------------------------------------------
T=/sys/kernel/mm/transparent_hugepage
[ -d $T ] || fail "no $T: kernel has no THP (s390x: no EDAT-1 from QEMU? ppc64 hash: HPT page size cap below the THP size?)"
say "THP enabled (boot default) = $(cat $T/enabled)"
# khugepaged first: a day between scans, 1 page per scan, and collapse only
# fully populated, unshared, unswapped ranges (the workload has none), so it
# does not undo the splits between the figures below and the dump.
K=$T/khugepaged
echo 86400000 > $K/scan_sleep_millisecs
echo 86400000 > $K/alloc_sleep_millisecs
echo 1 > $K/pages_to_scan
echo 0 > $K/max_ptes_none
echo 0 > $K/max_ptes_swap
[ -e $K/max_ptes_shared ] && echo 0 > $K/max_ptes_shared
echo always > $T/enabled
echo always > $T/defrag
say "THP enabled = $(cat $T/enabled); defrag = $(cat $T/defrag)"

# --- swap (zram) ------------------------------------------------------------
if [ -s /lib/modules/load.list ]; then
    while read -r m; do
        insmod "/lib/modules/$m" || say "insmod $m failed"
    done < /lib/modules/load.list
fi
if [ -e /sys/block/zram0 ]; then
    ok=
    for alg in lzo-rle lzo lz4 zstd deflate 842; do
        echo $alg > /sys/block/zram0/comp_algorithm 2>/dev/null || continue
        echo 64M > /sys/block/zram0/disksize 2>/dev/null || continue
        ok=$alg; break
    done
    if [ -n "$ok" ] && mkswap /dev/zram0 >/dev/null && swapon /dev/zram0; then
        say "swap on /dev/zram0 ($ok)"
    else
        say "swap: zram set-up failed"
    fi
else
    say "swap: no zram device"
fi

# --- workload ---------------------------------------------------------------
copies= busy= bug=
for a in $(cat /proc/cmdline); do
    case $a in
        thpwork.copies=*) copies=${a#*=} ;;
        thpcheck.busy=*)  busy=${a#*=} ;;
        thpcheck.bug=*)   bug=${a#*=} ;;
    esac
done
n=0
while [ $n -lt ${copies:-1} ]; do
    n=$((n + 1))
    /bin/thpwork &
    i=0
    while [ ! -s /tmp/thpwork.pids ]; do
        i=$((i + 1))
        [ $i -gt 600 ] && fail "thpwork not ready after 60 s"
        sleep 0.1
    done
    if [ -n "$copies" ]; then
        # "PID ROLE COPY" lines; thpwork of the next copy writes the file anew
        sed "s/\$/ $n/" /tmp/thpwork.pids >> /tmp/thpwork.all
        rm /tmp/thpwork.pids
        say "thpwork copy $n of $copies ready"
    fi
done
[ -z "$copies" ] || mv /tmp/thpwork.all /tmp/thpwork.pids
sleep 1    # let the processes reach pause()

# --- ground truth, read just before the dump ---------------------------------
f() { echo "THPFACT $*"; }
f sys release $(uname -r)
f sys thp_enabled $(cat $T/enabled)
f sys thp_defrag $(cat $T/defrag)
f sys cmdline $(cat /proc/cmdline)
f sys hpage_pmd_size $(cat $T/hpage_pmd_size)
mmu=$(sed -n 's/^MMU[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1)
[ -z "$mmu" ] || f sys mmu $mmu
X86=; [ "$(uname -m)" = x86_64 ] && X86=1
ARM64=; [ "$(uname -m)" = aarch64 ] && ARM64=1
# SECTION:DIR of the extra hugetlb sizes whose pools and per-process use
# are reported (facts section, /sys/kernel/mm/hugepages/DIR)
POOLS=
[ -z "$X86" ] || POOLS="hugetlb_1g:hugepages-1048576kB"
[ -z "$ARM64" ] || POOLS="hugetlb_1g:hugepages-1048576kB hugetlb_cont64k:hugepages-64kB hugetlb_cont32m:hugepages-32768kB"
if [ -n "$X86" ]; then
    grep -qw la57 /proc/cpuinfo && f sys paging_levels 5 || f sys paging_levels 4
    # "Mitigation: PTI" or "Not affected" (of the CPU: pti=on forces the
    # user/kernel pgd pair on an unaffected one); the "pti" flag of
    # /proc/cpuinfo is X86_FEATURE_PTI, whether the pair is in use
    f sys meltdown $(cat /sys/devices/system/cpu/vulnerabilities/meltdown)
    grep -qw pti /proc/cpuinfo && f sys pti 1 || f sys pti 0
fi
# arm64: "Mitigation: PTI" or "Not affected" (kernel unmapped at EL0; user
# tables are one per mm either way)
[ -z "$ARM64" ] || f sys meltdown $(cat /sys/devices/system/cpu/vulnerabilities/meltdown)
for p in $POOLS; do
    H=/sys/kernel/mm/hugepages/${p#*:}
    if [ -d $H ]; then
        f ${p%%:*} nr $(cat $H/nr_hugepages)
        f ${p%%:*} free $(cat $H/free_hugepages)
    fi
done
while read -r pid role copy; do
    p=/proc/$pid
    f proc.$pid role $role
    [ -z "$copy" ] || f proc.$pid copy $copy
    f proc.$pid comm $(cat $p/comm)
    while read -r k v unit; do
        case $k in
            Rss:|AnonHugePages:|Swap:|Private_Hugetlb:|Shared_Hugetlb:|Pss:|Anonymous:)
                f proc.$pid ${k%:} $v ;;
        esac
    done < $p/smaps_rollup
    for h in $POOLS; do
        # the pool's page size in kB, from its directory name
        kb=${h#*hugepages-}; kb=${kb%kB}
        f proc.$pid ${h%%:*}_kb $(awk -v kb=$kb '/^KernelPageSize:/ { k = $2 }
            /^(Shared|Private)_Hugetlb:/ { if (k == kb) s += $2 } END { print s + 0 }' $p/smaps)
    done
done < /tmp/thpwork.pids
while read -r k v unit; do
    f meminfo ${k%:} $v
done < /proc/meminfo
while read -r k v; do
    case $k in thp_*) f vmstat $k $v ;; esac
done < /proc/vmstat
tail -n +2 /proc/swaps | while read -r dev type size used prio; do
    f swaps $dev "$size $used"
done
say "READY-FOR-DUMP"
[ -n "$busy" ] && [ -x /bin/busy.sh ] && exec /bin/busy.sh "$busy"
[ -n "$bug" ] && [ -x /bin/bug.sh ] && exec /bin/bug.sh "$bug"
idle
