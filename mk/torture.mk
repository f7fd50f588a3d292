# make torture: the corruption campaign on the real samples (see
# tests/torture/run.sh).  Included by the top Makefile (-include mk/*.mk).
#
#   make torture                      2,500 variants per sample and format (ELF,
#                                     kdump) + 3 crash sessions per architecture
#   make torture TORTURE_RUNS=N TORTURE_CRASH=N TORTURE_SEED=N
#
# Working copies of the vmcores live in $(THPCHECK_CACHE)/torture/;
# samples/out is only read.

TORTURE_RUNS  ?= 2500
TORTURE_CRASH ?= 3
TORTURE_SEED  ?= 1

.PHONY: torture
build/torture: tests/torture/torture.c $(THPSCAN_LIB) $(THPSCAN_HDRS) $(ENGINE) | thpscan-deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(THPSCAN_CFLAGS) -Iext -Itools -o $@ \
	  tests/torture/torture.c $(THPSCAN_LIB) $(ENGINE) $(THPSCAN_LIBS)

torture: build/torture
	@TORTURE_RUNS=$(TORTURE_RUNS) TORTURE_CRASH=$(TORTURE_CRASH) \
	  TORTURE_SEED=$(TORTURE_SEED) tests/torture/run.sh
