# SPDX-License-Identifier: GPL-2.0
#
# shmdemo - see README.md.
#
#   make [KERNEL=6.1|6.12|newest|host]
#                                 everything in build/: the module for KERNEL
#                                 (build/shmdemo.ko), library, tools, demo,
#                                 examples, tests
#   make install [PREFIX=...]     library, headers, pkg-config file, shmdemo,
#                                 shmdemo-compare, shmdemo-demo, man pages
#   make check [KERNEL=...]       host tests + VM selftests on every test kernel
#   make check-debug              the same on the debug kernel (KASAN, lockdep,
#                                 kmemleak...), plus proof its detectors fire
#   make demo                     the article's experiments in a VM
#   make bench                    benchmarks in the VM (build/bench/BENCHMARKS.md)
#   make modules-all              the module for every test kernel
#   make modules_install [KERNEL=...] [INSTALL_MOD_PATH=...]
#                                 shmdemo.ko into /lib/modules/KVER/updates
#   make dkms | udev-install      (as root) DKMS for every kernel; the udev
#                                 rule and group of /dev/shmdemo
#
# KERNEL defaults to the running kernel when its build dir exists ("host"),
# else to 6.1.  Each kernel builds in its own tree, build/KERNEL/kmod/, so
# switching kernels never rebuilds the other; build/shmdemo.ko is a copy of
# the last one built.  `make -C KDIR M=$PWD` also works (top-level Kbuild).

KERNELS		:= 6.1 6.12 newest
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

.PHONY: all deps modules modules-all lib tools demo-bin examples selftests ksft-install check \
	check-debug bench install demo load unload modules_install udev-install dkms-source dkms \
	checkpatch sparse man-pages lint packaging static-analysis distflags sanitize clean

all: modules lib tools demo-bin examples selftests

deps:
	@tools/deps --kernels "$(filter-out host,$(sort $(KERNEL) $(CHECK_KERNELS)))"

# modules: build the module for $(KERNEL) in build/$(KERNEL)/kmod.
modules: deps
	@echo "  MODULE   build/$(KERNEL)/kmod/shmdemo.ko (kernel $(KERNEL))"
	@tools/build-kmod $(KERNEL)
	@cp build/$(KERNEL)/kmod/shmdemo.ko build/shmdemo.ko

modules-all: deps
	@set -e; for k in $(CHECK_KERNELS); do \
		echo "  MODULE   build/$$k/kmod/shmdemo.ko (kernel $$k)"; tools/build-kmod $$k; done

# Userspace builds in build/ (one directory per source directory); each
# directory's Makefile honours CFLAGS, CPPFLAGS and LDFLAGS.
lib:
	@echo "  LIB      build/lib: libshmdemo.a, libshmdemo.so, libshmdemo-sysv.so (the shim)"
	@$(MAKE) -s -C lib

tools: lib
	@echo "  TOOLS    build/tools: shmdemo, shmdemo-compare, shmdemo-bench"
	@$(MAKE) -s -C tools/common
	@$(MAKE) -s -C tools/compare
	@$(MAKE) -s -C tools/shmdemo
	@$(MAKE) -s -C tools/bench

demo-bin: tools
	@echo "  DEMO     build/demo/shmdemo-demo"
	@$(MAKE) -s -C demo

examples: lib
	@echo "  EXAMPLES build/examples"
	@$(MAKE) -s -C examples

# The device's manual, shmdemo(4), goes with the userspace (as man-pages'
# section 4 does), in the prefix tools/userspace.mk uses.
PREFIX		?= /usr/local
MANDIR		?= $(PREFIX)/share/man
install: lib tools demo-bin
	@$(MAKE) -s -C lib install
	@install -D -m 644 kmod/shmdemo.4 $(DESTDIR)$(MANDIR)/man4/shmdemo.4
	@$(MAKE) -s -C tools/shmdemo install
	@$(MAKE) -s -C tools/compare install
	@$(MAKE) -s -C demo install

# The kselftest collections: shmdemo (selftests/, the module), libshmdemo
# (lib/tests), shmdemo_tool (tools/shmdemo/tests), shmdemo_demo (demo/tests).
COLLECTIONS	:= shmdemo:selftests libshmdemo:lib/tests shmdemo_tool:tools/shmdemo/tests \
		   shmdemo_demo:demo/tests

selftests: deps lib tools demo-bin examples
	@echo "  TESTS    build/selftests, build/lib/tests, build/demo/tests"
	@mkdir -p build/selftests
	@$(MAKE) -s -C selftests KSFT=$(KSFT) OUTPUT=$(CURDIR)/build/selftests
	@$(MAKE) -s -C lib/tests KSFT=$(KSFT)
	@$(MAKE) -s -C demo/tests KSFT=$(KSFT)

# ksft-tree TREE BUILD COLLECTIONS: a kselftest install tree in TREE
# (run_kselftest.sh + kselftest/ + one directory per collection, each
# installed by its own Makefile (lib.mk), settings too) from the programs
# built in BUILD.
define ksft-tree
	@rm -rf $(1) && mkdir -p $(1)/lib
	@set -e; for c in $(3); do \
		n=$${c%%:*}; d=$${c#*:}; out=$(2)/$$d; \
		$(MAKE) -s --no-print-directory -C $$d KSFT=$(KSFT) OUTPUT=$$out SHMDEMO_BUILD=$(2) \
			install INSTALL_PATH=$(1)/$$n; \
		$(MAKE) -s --no-print-directory -C $$d KSFT=$(KSFT) OUTPUT=$$out SHMDEMO_BUILD=$(2) \
			COLLECTION=$$n emit_tests | grep "^$$n:"; \
	done >$(1)/kselftest-list.txt
	@cp $(2)/lib/libshmdemo-sysv.so $(1)/lib/	# ../lib of the shim test
	@cp -r $(KSFT)/run_kselftest.sh $(KSFT)/kselftest $(1)/
endef

ksft-install: selftests
	$(call ksft-tree,$(CURDIR)/build/ksft,$(CURDIR)/build,$(COLLECTIONS))

# userspace-in BUILD MAKEVARS: every userspace directory and its tests built
# again in BUILD with other flags.
USERSPACE_DIRS	:= lib tools/common tools/compare tools/shmdemo demo examples lib/tests demo/tests
define userspace-in
	@set -e; for d in $(USERSPACE_DIRS); do \
		$(MAKE) -s -C $$d SHMDEMO_BUILD=$(1) KSFT=$(KSFT) $(2); done
	@mkdir -p $(1)/selftests
	@$(MAKE) -s -C selftests KSFT=$(KSFT) OUTPUT=$(1)/selftests $(2)
endef

# Debian's build flags (hardening, _FORTIFY_SOURCE, relro/now), in
# build/distflags: distribution flags must build everything.
distflags: deps
	@echo "  BUILD    build/distflags: everything with dpkg-buildflags' CFLAGS, CPPFLAGS, LDFLAGS"
	$(call userspace-in,$(CURDIR)/build/distflags,CFLAGS="$$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CFLAGS)" \
		CPPFLAGS="$$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get CPPFLAGS)" \
		LDFLAGS="$$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get LDFLAGS)")

# The userspace with AddressSanitizer + UndefinedBehaviorSanitizer (any
# report is fatal) in build/asan, and a kselftest tree of its library,
# tool and demo tests (build/asan/ksft) that tools/check runs on the host.
SAN_CFLAGS	:= -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_LDFLAGS	:= -fsanitize=address,undefined
sanitize: deps
	@echo "  BUILD    build/asan: library, tools, demo and tests with ASan + UBSan"
	$(call userspace-in,$(CURDIR)/build/asan,CFLAGS="$(SAN_CFLAGS)" LDFLAGS="$(SAN_LDFLAGS)")
	$(call ksft-tree,$(CURDIR)/build/asan/ksft,$(CURDIR)/build/asan,libshmdemo:lib/tests \
		shmdemo_tool:tools/shmdemo/tests shmdemo_demo:demo/tests)

check: deps modules-all ksft-install sanitize
	@tools/check $(CHECK_KERNELS)

# The debug kernel (tools/build-debug-kernel, cached by its config's hash),
# the module for it, a second module with the deliberate bugs of
# kmod/shmdemo_inject.h (build/debug-inject), then tools/check on it.
check-debug: ksft-install sanitize
	@tools/deps --kernels debug
	@tools/build-kmod debug
	@SHMDEMO_KMOD_BUILD=debug-inject tools/build-kmod debug SHMDEMO_INJECT_BUGS=y
	@tools/check debug

# Benchmarks in the VM: every figure a ratio to native SysV, memfd, anon and
# memset measured in the same boot (tools/bench/run; build/bench/).
bench: deps tools
	@tools/bench/run

# The main job: the article's experiments, native vs device, in a VM booted
# on DEMO_KERNEL (default 6.1) with the module loaded.
DEMO_KERNEL	?= $(if $(filter host,$(KERNEL)),6.1,$(KERNEL))
demo: deps demo-bin
	@tools/deps --kernels $(DEMO_KERNEL)
	@echo "  MODULE   build/$(DEMO_KERNEL)/kmod/shmdemo.ko (kernel $(DEMO_KERNEL))"
	@tools/build-kmod $(DEMO_KERNEL)
	@echo "  VM       booting $(DEMO_KERNEL) with the module, two CPUs (C4 races), an ext4 and a swap disk (E1, C3)"
	@tools/vm/run --kernel $(DEMO_KERNEL) --smp 2 --disk --quiet -- build/demo/shmdemo-demo

# On a machine that can load modules (not this project's build machine):
# `sudo make load` then `build/demo/shmdemo-demo`.
load: modules
	insmod build/shmdemo.ko

unload:
	rmmod shmdemo

# Installing the module for KERNEL (the running one by default).
# modules_install: build/KERNEL/kmod/shmdemo.ko into
# [INSTALL_MOD_PATH]/lib/modules/KVER/updates/, then depmod (when that
# kernel's own modules are there, as on the machine that runs it).
# udev-install: kmod/60-shmdemo.rules (/dev/shmdemo for group "shmdemo",
# created here) into [DESTDIR]/etc/udev/rules.d.  dkms: the module's
# sources into [DESTDIR]/usr/src/shmdemo-VERSION (dkms-source), then dkms
# add, build and install for the running kernel (and, AUTOINSTALL, for
# each kernel installed later).
INSTALL_MOD_PATH ?=
DKMS_VERSION	:= $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC	= $(DESTDIR)/usr/src/shmdemo-$(DKMS_VERSION)
modules_install: modules
	@tools/install-kmod build/$(KERNEL)/kmod/shmdemo.ko "$(INSTALL_MOD_PATH)"

udev-install:
	install -D -m 644 kmod/60-shmdemo.rules $(DESTDIR)/etc/udev/rules.d/60-shmdemo.rules
	@if [ -z "$(DESTDIR)" ]; then \
		getent group shmdemo >/dev/null || groupadd --system shmdemo; \
		if command -v udevadm >/dev/null; then \
			udevadm control --reload && udevadm trigger --subsystem-match=misc --sysname-match=shmdemo; \
		fi; \
	fi

dkms-source:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/kmod $(DKMS_SRC)/include/uapi/linux
	install -m 644 dkms.conf Kbuild $(DKMS_SRC)/
	install -m 644 $(filter-out kmod/probe.sh,$(KMOD_SRCS)) $(DKMS_SRC)/kmod/
	install -m 755 kmod/probe.sh $(DKMS_SRC)/kmod/
	install -m 644 include/uapi/linux/shmdemo.h $(DKMS_SRC)/include/uapi/linux/

dkms:
	-dkms remove -m shmdemo -v $(DKMS_VERSION) --all >/dev/null 2>&1	# an earlier make dkms
	@$(MAKE) -s dkms-source
	dkms add -m shmdemo -v $(DKMS_VERSION)
	dkms build -m shmdemo -v $(DKMS_VERSION)
	dkms install -m shmdemo -v $(DKMS_VERSION)

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

# Every man page renders without a groff warning.
man-pages:
	@tools/check-man

# The install paths: modules_install, DKMS and the udev rule, per kernel.
packaging: deps modules-all
	@tools/check-packaging $(CHECK_KERNELS)

# shellcheck on every shell script, cppcheck on the userspace C.
static-analysis:
	@tools/check-shell
	@tools/check-c

lint: checkpatch sparse man-pages packaging static-analysis

clean:
	rm -rf build kmod/*.ko kmod/*.o kmod/.*.cmd kmod/*.mod* kmod/modules.order \
		Module.symvers modules.order .module-common.o
