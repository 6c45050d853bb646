# SPDX-License-Identifier: GPL-2.0
#
# shmdemo - see README.md.
#
#   make [KERNEL=6.1|6.12|host]   module for KERNEL (kmod/shmdemo.ko), lib/, selftests
#   make install [PREFIX=...]     the library, headers, pkg-config file, man pages
#   make check [KERNEL=...]       host tests + VM selftests on every test kernel
#   make check-debug              the same on the debug kernel (KASAN, lockdep,
#                                 kmemleak...), plus proof its detectors fire
#   make demo                     the article's experiments in a VM
#   make modules-all              the module for every test kernel
#
# KERNEL defaults to the running kernel when its build dir exists ("host"),
# else to 6.1.  Each kernel builds in its own tree, build/KERNEL/kmod/, so
# switching kernels never rebuilds the other; kmod/shmdemo.ko is a copy of
# the last one built.  `make -C KDIR M=$PWD` also works (top-level Kbuild).

KERNELS		:= 6.1 6.12
HOST_KDIR	:= /lib/modules/$(shell uname -r)/build
ifeq ($(origin KERNEL),undefined)
KERNEL		:= $(if $(wildcard $(HOST_KDIR)/Makefile),host,6.1)
CHECK_KERNELS	:= $(KERNELS)
else
CHECK_KERNELS	:= $(KERNEL)
endif
export SHMDEMO_CACHE ?= $(HOME)/.cache/shmdemo
KSFT		= $(SHMDEMO_CACHE)/linux-source-6.1/tools/testing/selftests
KMOD_SRCS	:= $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h)) kmod/Kbuild kmod/probe.sh

.PHONY: all deps modules modules-all lib tools selftests ksft-install check check-debug install \
	demo load unload checkpatch sparse lint clean

all: modules lib tools selftests

deps:
	@tools/deps --kernels "$(filter-out host,$(sort $(KERNEL) $(CHECK_KERNELS)))"

# modules: build the module for $(KERNEL) in build/$(KERNEL)/kmod.
modules: deps
	@tools/build-kmod $(KERNEL)
	@cp build/$(KERNEL)/kmod/shmdemo.ko kmod/shmdemo.ko

modules-all: deps
	@set -e; for k in $(CHECK_KERNELS); do tools/build-kmod $$k; done

lib:
	@$(MAKE) -s -C lib

install: lib
	@$(MAKE) -s -C lib install

tools: lib
	@$(MAKE) -s -C tools/compare
	@$(MAKE) -s -C tools/shmdemo

selftests: deps lib tools
	@mkdir -p build/selftests
	@$(MAKE) -s -C selftests KSFT=$(KSFT) OUTPUT=$(CURDIR)/build/selftests
	@$(MAKE) -s -C lib/tests KSFT=$(KSFT)
	@$(MAKE) -s -C tools/shmdemo tests KSFT=$(KSFT)

# A kselftest install tree (run_kselftest.sh + kselftest/ + shmdemo/).
ksft-install: selftests
	@rm -rf build/ksft && mkdir -p build/ksft
	@$(MAKE) -s -C selftests KSFT=$(KSFT) OUTPUT=$(CURDIR)/build/selftests install INSTALL_PATH=$(CURDIR)/build/ksft/shmdemo
	@$(MAKE) -s -C lib/tests KSFT=$(KSFT) install INSTALL_PATH=$(CURDIR)/build/ksft/libshmdemo
	@mkdir -p build/ksft/lib && cp lib/libshmdemo-sysv.so build/ksft/lib/	# ../lib of the shim test
	@mkdir -p build/ksft/shmdemo_tool
	@cp tools/shmdemo/shmdemo tools/shmdemo/tests/shmdemo_tool_test.sh \
		tools/shmdemo/tests/demo_test build/ksft/shmdemo_tool/
	@printf '# the demo boots nothing but runs every experiment twice under TCG\ntimeout=300\n' \
		>build/ksft/shmdemo_tool/settings
	@cp -r $(KSFT)/run_kselftest.sh $(KSFT)/kselftest build/ksft/
	@{ $(MAKE) -s --no-print-directory -C selftests KSFT=$(KSFT) OUTPUT=$(CURDIR)/build/selftests COLLECTION=shmdemo \
		emit_tests | grep '^shmdemo:'; \
	   $(MAKE) -s --no-print-directory -C lib/tests emit_tests; \
	   echo shmdemo_tool:shmdemo_tool_test.sh; echo shmdemo_tool:demo_test; \
	 } >build/ksft/kselftest-list.txt

check: deps modules-all ksft-install
	@tools/check $(CHECK_KERNELS)

# The debug kernel (tools/build-debug-kernel, cached by its config's hash),
# the module for it, a second module with the deliberate bugs of
# kmod/shmdemo_inject.h (build/debug-inject), then tools/check on it.
check-debug: ksft-install
	@tools/deps --kernels debug
	@tools/build-kmod debug
	@SHMDEMO_KMOD_BUILD=debug-inject tools/build-kmod debug SHMDEMO_INJECT_BUGS=y
	@tools/check debug

# The main job: the article's experiments, native vs device, in a VM booted
# on DEMO_KERNEL (default 6.1) with the module loaded.
DEMO_KERNEL	?= $(if $(filter host,$(KERNEL)),6.1,$(KERNEL))
demo: deps lib tools
	@tools/deps --kernels $(DEMO_KERNEL)
	@tools/build-kmod $(DEMO_KERNEL)
	@tools/vm/run --kernel $(DEMO_KERNEL) --quiet -- tools/shmdemo/shmdemo demo

# On a machine that can load modules (not this project's build machine):
# `sudo make load` then `tools/shmdemo/shmdemo demo`.
load: modules
	insmod kmod/shmdemo.ko

unload:
	rmmod shmdemo

checkpatch: deps
	@perl $(SHMDEMO_CACHE)/linux-source-6.1/scripts/checkpatch.pl --strict --no-tree \
		--quiet -f $(filter %.c %.h,$(KMOD_SRCS)) include/uapi/linux/shmdemo.h

# sparse on every file (C=2), for each test kernel; any report fails.
sparse: deps
	@set -e; for k in $(filter-out host,$(CHECK_KERNELS)); do \
		out=$$(tools/build-kmod $$k C=2 2>&1); \
		if echo "$$out" | grep -E 'warning:|error:'; then exit 1; fi; \
		echo "sparse clean on $$k"; \
	done

lint: checkpatch sparse

clean:
	rm -rf build kmod/*.ko kmod/*.o kmod/.*.cmd kmod/*.mod* kmod/modules.order \
		Module.symvers modules.order .module-common.o
	@$(MAKE) -s -C selftests KSFT=$(KSFT) OUTPUT=$(CURDIR)/build/selftests clean 2>/dev/null || true
	@$(MAKE) -s -C lib clean
	@$(MAKE) -s -C lib/tests clean
	@$(MAKE) -s -C tools/compare clean
	@$(MAKE) -s -C tools/shmdemo clean
