# SPDX-License-Identifier: GPL-2.0
#
# lynx: out-of-tree build and test entry points.
#
#   make            build module/lynx.ko against KDIR (W=1; 6.1 or 6.12, the
#                   differences in include/net/lynx_compat.h)
#   make build-stock, build-612, build-debug: lynx for each test kernel, in
#                   build/stock/, build/612/, build/debug/ (warnings fail)
#   make check      install deps, build, run KUnit + kselftests in QEMU
#   make selftests  build the kselftest programs (selftests/Makefile, the
#                   list of tests, in the kernel's lib.mk style)
#   make demo       boot the stock kernel in QEMU and show what lynx does
#   make fuzz       run the fuzzers at length on both kernels (FUZZ_MINUTES=N,
#                   default 10)
#   make man-lint   check doc/lynx.7 (mandoc -Tlint, groff's warnings)
#   make install    install module/lynx.ko into /lib/modules/KREL/extra (then
#                   depmod) and doc/lynx.7 into MANDIR/man7; DESTDIR=/tmp/x
#                   stages them there instead; make uninstall undoes it
#   make bench      one stock guest measures lynx beside AF_UNIX, TCP/UDP,
#                   vsock (BENCH_ROUNDS=N, BENCH_SECONDS=S): build/bench/
#
# KDIR defaults to the running kernel's build tree, or, where that does not
# exist (as on a build host whose kernel has no headers), to the tree of
# Debian's linux-headers-amd64.

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
# The stock kernel is named by scripts/lib.sh (Debian's 6.1 linux-image-amd64),
# and so is the 6.12 one (Debian bookworm's 6.12 series).
STOCK_REL := $(shell bash -c '. $(ROOT)/scripts/lib.sh && lynx_stock_release' 2>/dev/null)
REL_612 := $(shell bash -c '. $(ROOT)/scripts/lib.sh && lynx_612_release' 2>/dev/null)
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
		    /usr/src/linux-headers-$(STOCK_REL))

KBUILD_ARGS = LYNX_ROOT=$(ROOT) CONFIG_LYNX=m W=1

SRC_DIRS := module kunit
# Where the per-kernel build trees go (helpers working in parallel may point
# this elsewhere); vm-run reads the same variable from the environment.
LYNX_BUILD ?= $(ROOT)/build

.PHONY: all module clean check demo deps selftests build-stock build-612 build-debug build-kcsan \
	checkpatch sparse fuzz man-lint install uninstall bench module-clean \
	dkms-source dkms-install dkms-uninstall dkms-check

all: module

module:
	$(MAKE) -C $(KDIR) M=$(ROOT)/module $(KBUILD_ARGS) modules

# A kernel-specific build tree under build/<kernel>/ of symlinks to the
# sources, so the stock, 6.12 and debug objects never mix.
define build_tree
	@mkdir -p $(addprefix $(LYNX_BUILD)/$(1)/,$(SRC_DIRS))
	@for d in $(SRC_DIRS); do \
		for f in $(ROOT)/$$d/*.[ch] $(ROOT)/$$d/Kbuild; do \
			case $$f in *.mod.c) continue ;; esac; \
			ln -sfn $$f $(LYNX_BUILD)/$(1)/$$d/; \
		done; \
	done
	@ln -sfn $(ROOT)/Kbuild $(LYNX_BUILD)/$(1)/Kbuild
	@$(MAKE) -C $(2) M=$(LYNX_BUILD)/$(1) $(KBUILD_ARGS) $(3) modules \
		>$(LYNX_BUILD)/$(1)/build.log 2>&1; rc=$$?; \
		grep -v 'Skipping BTF' $(LYNX_BUILD)/$(1)/build.log; exit $$rc
	@! grep -q 'warning:' $(LYNX_BUILD)/$(1)/build.log || \
		{ echo "lynx: the $(1) build has warnings"; exit 1; }
endef

build-stock:
	$(call build_tree,stock,/usr/src/linux-headers-$(STOCK_REL),)

# Debian's 6.12 (scripts/lib.sh: lynx_612_release), in build/612/.
build-612:
	@[ -n "$(REL_612)" ] || { bash -c '. $(ROOT)/scripts/lib.sh && lynx_612_release'; exit 1; }
	$(call build_tree,612,/usr/src/linux-headers-$(REL_612),)

build-debug:
	$(call build_tree,debug,$(shell $(ROOT)/scripts/build-debug-kernel),\
		CONFIG_LYNX_KUNIT_TEST=m CONFIG_LYNX_FAULT_INJECTION=y)

# The KCSAN variant (scripts/kcsan.config): make fuzz's race stress.
build-kcsan:
	$(call build_tree,kcsan,$(shell $(ROOT)/scripts/build-debug-kernel kcsan),\
		CONFIG_LYNX_FAULT_INJECTION=y)

# Static checks: sparse over every file (C=2), against the stock headers.
sparse:
	$(call build_tree,sparse,/usr/src/linux-headers-$(STOCK_REL),C=2)

# The kselftest programs: selftests/Makefile (kselftest's lib.mk) builds
# them and lists them (make -C selftests print-tests).
selftests:
	$(MAKE) -C $(ROOT)/selftests

deps:
	@$(ROOT)/scripts/deps

check: deps
	@$(ROOT)/scripts/check

demo: deps
	@$(ROOT)/scripts/demo

FUZZ_MINUTES ?= 10
fuzz: deps
	@FUZZ_MINUTES=$(FUZZ_MINUTES) $(ROOT)/scripts/fuzz

# Numbers, not tests: not part of make check (its smoke test is).
BENCH_ROUNDS ?= 3
BENCH_SECONDS ?= 2
bench: deps
	@BENCH_ROUNDS=$(BENCH_ROUNDS) BENCH_SECONDS=$(BENCH_SECONDS) $(ROOT)/scripts/bench

checkpatch:
	@$(ROOT)/scripts/checkpatch

# The man page: mandoc's lint (every message, style ones included, fails)
# and groff's warnings as man(1) renders it.
man-lint:
	@out=$$(mandoc -Tlint $(ROOT)/doc/lynx.7 2>&1); rc=$$?; \
		[ -z "$$out" ] || echo "$$out"; \
		[ $$rc -eq 0 ] && [ -z "$$out" ] || \
		{ echo "man-lint: mandoc -Tlint doc/lynx.7 is not clean"; exit 1; }
	@out=$$(LC_ALL=C.UTF-8 MANROFFSEQ= MANWIDTH=80 \
		man --warnings -E UTF-8 -l $(ROOT)/doc/lynx.7 2>&1 >/dev/null); \
		[ -z "$$out" ] || { echo "$$out"; \
		echo "man-lint: groff warns about doc/lynx.7"; exit 1; }
	@echo "man-lint: doc/lynx.7 clean"

# make install: the module for the kernel it was built against (KREL,
# default: the release in lynx.ko's vermagic; build it with KDIR= for
# another kernel), indexed by depmod so that socket(AF_LYNX, ...) and
# "ip link add NAME type lynx" load it (its aliases); the man page.
# DESTDIR stages both under a directory (depmod -b there).
MANDIR ?= /usr/local/share/man
KREL ?=
install: module
	@krel='$(KREL)'; \
	[ -n "$$krel" ] || krel=$$(modinfo -F vermagic $(ROOT)/module/lynx.ko | cut -d' ' -f1); \
	[ -n "$$krel" ] || { echo "install: no kernel release (KREL=)"; exit 1; }; \
	set -ex; \
	install -D -m 644 $(ROOT)/module/lynx.ko $(DESTDIR)/lib/modules/$$krel/extra/lynx.ko; \
	install -D -m 644 $(ROOT)/doc/lynx.7 $(DESTDIR)$(MANDIR)/man7/lynx.7; \
	if [ -n "$(DESTDIR)" ]; then depmod -b $(DESTDIR) $$krel; else depmod -a $$krel; fi

uninstall:
	@krel='$(KREL)'; \
	[ -n "$$krel" ] || krel=$$(modinfo -F vermagic $(ROOT)/module/lynx.ko | cut -d' ' -f1); \
	[ -n "$$krel" ] || { echo "uninstall: no kernel release (KREL=)"; exit 1; }; \
	set -ex; \
	rm -f $(DESTDIR)/lib/modules/$$krel/extra/lynx.ko $(DESTDIR)$(MANDIR)/man7/lynx.7; \
	if [ -n "$(DESTDIR)" ]; then depmod -b $(DESTDIR) $$krel; else depmod -a $$krel; fi

module-clean:
	$(MAKE) -C $(KDIR) M=$(ROOT)/module clean

# DKMS: the sources dkms builds from (DEST=dir), and their installation
# as /usr/src/lynx-VERSION with dkms add, build and install (dkms.conf).
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(ROOT)/dkms.conf)
DKMS_FILES := Makefile dkms.conf module include doc
dkms-source:
	@[ -n "$(DEST)" ] || { echo "dkms-source: DEST=dir"; exit 1; }
	@mkdir -p $(DEST)
	@cd $(ROOT) && cp -r $(DKMS_FILES) $(DEST)/
	@rm -f $(DEST)/module/*.o $(DEST)/module/*.ko $(DEST)/module/*.mod* \
		$(DEST)/module/.*.cmd $(DEST)/module/Module.symvers \
		$(DEST)/module/modules.order

dkms-install:
	rm -rf /usr/src/lynx-$(DKMS_VERSION)
	$(MAKE) -s dkms-source DEST=/usr/src/lynx-$(DKMS_VERSION)
	dkms add -m lynx -v $(DKMS_VERSION)
	dkms build -m lynx -v $(DKMS_VERSION)
	dkms install -m lynx -v $(DKMS_VERSION)

# dkms builds lynx for the stock and the 612 kernel (scratch tree).
dkms-check:
	@$(ROOT)/scripts/dkms-check

dkms-uninstall:
	-dkms remove -m lynx -v $(DKMS_VERSION) --all
	rm -rf /usr/src/lynx-$(DKMS_VERSION)

clean:
	$(MAKE) -C $(KDIR) M=$(ROOT)/module clean
	$(MAKE) -C $(ROOT)/selftests clean
	$(MAKE) -C $(ROOT)/bench clean
	rm -rf $(LYNX_BUILD)
