#!/bin/busybox sh
# The busy phase of a samples/make-busy.sh guest, started by /init after the
# thpwork figures: usage busy.sh SECONDS.  The load is what the users' dumps
# catch (page tables in every state a kernel passes through):
#   stress-ng   Debian's, from /opt/stress (samples/fetch-tool.sh): the
#               memory stressors that map, unmap, protect, remap, fork,
#               collapse and split (vm with MADV_HUGEPAGE, mmap, mmapfork,
#               madvise incl. MADV_COLLAPSE where the kernel has it, mremap,
#               munmap, mprotect, mmaphuge (hugetlb), memfd, brk, stack, fork,
#               pagemove, userfaultfd)
#   khugepaged  10 ms between scans, 4096 pages a scan, collapsing ranges
#               with up to 511 empty, 64 swapped and 256 shared ptes
#   compaction  /proc/sys/vm/compact_memory every 0.5 s
#   reclaim     the vm stressors ask for more than the guest has free, so
#               anonymous pages go to the zram swap /init set up
# Then "GUEST: BUSY"; SECONDS later "GUEST: PANIC" and sysrq-c.
say() { echo "GUEST: $*"; }
T=/sys/kernel/mm/transparent_hugepage
K=$T/khugepaged
echo 10 > $K/scan_sleep_millisecs
echo 10 > $K/alloc_sleep_millisecs
echo 4096 > $K/pages_to_scan
echo 511 > $K/max_ptes_none
echo 64 > $K/max_ptes_swap
[ -e $K/max_ptes_shared ] && echo 256 > $K/max_ptes_shared
( while :; do echo 1 > /proc/sys/vm/compact_memory; sleep 0.5; done ) &
LOAD="--vm 2 --vm-bytes 96M --vm-method all --vm-madvise hugepage
      --mmap 1 --mmap-bytes 16M --mmapfork 1 --madvise 1
      --mremap 1 --mremap-bytes 8M --munmap 1 --mprotect 1
      --mmaphuge 1 --memfd 1 --memfd-bytes 8M --brk 1 --stack 1 --fork 1
      --pagemove 1 --userfaultfd 1"
# x86_64: the guest has 4 GiB (the sample's machine, for its 1 GiB hugetlb
# page), far more than the load asks for: stress-ng runs in a memory cgroup
# of 256 MiB instead, so its pages go to zram as on the small s390x guest
CG=
if [ "$(uname -m)" = x86_64 ]; then
    mkdir -p /sys/fs/cgroup
    if mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null &&
            echo +memory > /sys/fs/cgroup/cgroup.subtree_control &&
            mkdir -p /sys/fs/cgroup/busy && echo 256M > /sys/fs/cgroup/busy/memory.max; then
        CG=/sys/fs/cgroup/busy/cgroup.procs
        say "load in memory cgroup busy (memory.max $(cat /sys/fs/cgroup/busy/memory.max))"
    else
        say "no memory cgroup: load without a limit"
    fi
fi
# the dynamic loader fetch-tool.sh copied: ld64.so.1 (s390x), ld64.so.2
# (ppc64el), ld-linux-x86-64.so.2 (amd64)
for LDSO in /opt/stress/lib/ld64.so.* /opt/stress/lib/ld-linux-*.so.*; do
    [ -e "$LDSO" ] && break
done
say "load stress-ng $(echo $LOAD)"
( [ -z "$CG" ] || echo 0 > $CG     # 0: the writer, this subshell
  exec env LD_LIBRARY_PATH=/opt/stress/lib $LDSO /opt/stress/bin/stress-ng \
    -q --temp-path /tmp --timeout 0 $LOAD ) > /dev/null 2>&1 &
sleep 3
say "BUSY"
sleep "$1"
say "PANIC"
echo c > /proc/sysrq-trigger
while :; do sleep 3600; done
