# s390: how its crash extension is built (the Makefile includes ext/A.mk
# for each word of ARCHES).  Per machine name (ARCH=, uname -m): the
# cross compiler prefix, the Debian arch of its crash sysroot
# (samples/fetch-crash.sh) and the define crash's defs.h selects it by.
CROSS_s390x     := s390x-linux-gnu-
DEBARCH_s390x   := s390x
CRASH_DEF_s390x := -DS390X
