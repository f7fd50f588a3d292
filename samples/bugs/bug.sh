#!/bin/busybox sh
# The bug phase of a samples/make-bug.sh guest, started by /init after the
# thpwork figures: usage bug.sh SCENARIO.  /lib/bug holds the scenario's
# module (SCENARIO.ko, samples/bugs/SCENARIO.c) and the victim process
# (samples/bugs/victim.c).  Steps:
#   1. start /lib/bug/victim (with the word in /lib/bug/victim.mode: what
#      it does on SIGUSR1) and wait for /tmp/victim.pid;
#   2. insmod SCENARIO.ko pid=VICTIM, plus sym_NAME=ADDRESS for every NAME in
#      /lib/bug/symbols (NAME?: only if the kernel has it; the address of that kernel symbol from
#      /proc/kallsyms: functions the kernel does not export);
#   3. if the module has a "check" parameter: SIGUSR1 to the victim (it
#      acts itself: munmap, MADV_COLLAPSE), wait for /tmp/victim.acted, then
#      write 1 to the parameter (the module's second half runs);
#   4. copy the module's "THPBUG ..." lines from dmesg to the console,
#      print "GUEST: BUG-DONE" and idle: the host dumps the guest now.
say() { echo "GUEST: $*"; }
idle() { while :; do sleep 3600; done; }
S=$1 D=/lib/bug
M=$(echo "$S" | tr - _)
wait_file() {   # wait_file FILE: up to 30 s
    i=0
    while [ ! -s "$1" ]; do
        i=$((i + 1)); [ $i -gt 300 ] && return 1
        sleep 0.1
    done
}
$D/victim $(cat $D/victim.mode 2>/dev/null) &
wait_file /tmp/victim.pid || { say "FAIL bug $S: victim not ready"; idle; }
V=$(cat /tmp/victim.pid)
args="pid=$V"
if [ -s $D/symbols ]; then
    for sym in $(cat $D/symbols); do
        opt=${sym%\?}     # NAME? : only where the kernel has it
        a=$(awk -v s="$opt" '$3 == s {print $1; exit}' /proc/kallsyms)
        if [ -z "$a" ]; then
            [ "$opt" != "$sym" ] && continue
            say "FAIL bug $S: no $sym in /proc/kallsyms"; idle
        fi
        sym=$opt
        args="$args sym_$sym=0x$a"
    done
fi
say "bug $S: insmod $M.ko $args"
insmod $D/$S.ko $args || { say "FAIL bug $S: insmod failed"; dmesg | tail -20; idle; }
if [ -e /sys/module/$M/parameters/check ]; then
    kill -USR1 "$V"
    wait_file /tmp/victim.acted || { say "FAIL bug $S: victim did not act"; idle; }
    echo 1 > /sys/module/$M/parameters/check
fi
dmesg | sed -n 's/.*\(THPBUG .*\)/\1/p'
say "BUG-DONE"
idle
