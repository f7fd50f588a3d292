# x86_64: how its crash extension is built (see ext/s390.mk); built
# natively on an x86_64 host
CROSS_x86_64     :=
DEBARCH_x86_64   := amd64
CRASH_DEF_x86_64 := -DX86_64
