# SPDX-License-Identifier: GPL-2.0
#
# fastipc: the module, the library, the tool, the selftests and the test VM.
#
# For the machine in front of you (no package installs, no downloads):
#   make              the module (against KDIR), library, fastipcctl, examples
#   make install      module + depmod, udev rule, library, headers, man pages
#   make uninstall    every file make install put there, the module included
#   make dkms-install let DKMS rebuild the module for every new kernel
#
# For developers (these set up the test VM: Debian packages and kernels):
#   make run          boot a test VM and show fastipc at work
#   make check        run every selftest on each kernel of KERNELS
#   make coverage     the module's line and branch coverage under the suite
#   make distcheck    make run and make check in a fresh Debian 12 root
#   make style        checkpatch --strict and sparse on the module
#   make bench        fastipc vs its peers in the test VM (ICOUNT=1: -icount)
#   make profile      instructions per function of a round trip (MODES, ROUNDS)
#   make stress       the stress test for DURATION s (default 600), debug kernel
#   make fuzz         the fuzzer for DURATION s (SEED= replays), debug kernel
#   make vm-run KERNEL=6.12 FILES="prog" CMD="./prog"   try your own program
#   make vm-shell KERNEL=6.12                           interactive guest

VERSION := $(shell cat VERSION)
CACHE := $(or $(FASTIPC_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/fastipc)
BUILD := $(CURDIR)/build
KERNELS ?= 6.1 6.12 latest debug
KERNEL ?= 6.12

# Warnings are errors in the developer builds (and so in CI), not in a
# user's build, which may meet a newer compiler than ours.
DEVELOPER_GOALS := selftests run check coverage distcheck style bench profile stress fuzz \
	vm-run vm-shell installcheck debug-kernel kcsan-kernel setup
ifneq ($(filter $(DEVELOPER_GOALS),$(MAKECMDGOALS)),)
export FASTIPC_WERROR := y
endif
WERROR := $(if $(FASTIPC_WERROR),-Werror)

# The running kernel's build tree unless KDIR names another.
KDIR ?= /lib/modules/$(shell uname -r)/build

CC ?= gcc
CFLAGS ?= -O2 -g
LIB_CFLAGS := $(CFLAGS) -Wall -Wextra $(WERROR) -fPIC -fvisibility=hidden \
	-Iuapi -DFASTIPC_LIB_VERSION='"$(VERSION)"'
LIB_SONAME := libfastipc.so.0
LIB_SO := $(BUILD)/lib/libfastipc.so.$(VERSION)
LIB_A := $(BUILD)/lib/libfastipc.a
LIB_PC := $(BUILD)/lib/libfastipc.pc
KSFT_DIR := $(CACHE)/src/linux/tools/testing/selftests
EXAMPLES := $(BUILD)/examples/fastipc-hello $(BUILD)/examples/fastipc-echo-server \
	$(BUILD)/examples/fastipc-echo-client

# Install paths, with the usual names.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man

all: module lib tools examples

# The unstable kernels are set up only for the goals that boot them.
SETUP_KERNELS = $(if $(filter check,$(MAKECMDGOALS)),$(KERNELS)) \
	$(if $(filter run vm-run vm-shell bench profile,$(MAKECMDGOALS)),$(KERNEL)) \
	$(if $(filter stress fuzz,$(MAKECMDGOALS)),$(LONG_KERNEL))
setup:
	@scripts/setup.sh $(filter latest next,$(SETUP_KERNELS))

debug-kernel: setup
	@scripts/build-debug-kernel.sh debug >/dev/null

kcsan-kernel: setup
	@scripts/build-debug-kernel.sh kcsan >/dev/null

module:
	@test -f $(KDIR)/Makefile || { echo "fastipc: no kernel build tree at $(KDIR):" \
		"install your distribution's kernel headers for $$(uname -r)" \
		"(Debian: linux-headers-$$(uname -r)) or point KDIR at a tree" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

lib: $(LIB_SO) $(LIB_A) $(LIB_PC)

$(BUILD)/lib/%.o: lib/%.c lib/fastipc.h uapi/linux/fastipc.h VERSION
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c -o $@ $<

$(LIB_SO): $(BUILD)/lib/fastipc.o lib/libfastipc.map
	$(CC) -shared -Wl,-soname,$(LIB_SONAME) -Wl,--version-script,lib/libfastipc.map \
		-Wl,-z,defs -o $@ $<
	ln -sf $(@F) $(BUILD)/lib/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(BUILD)/lib/libfastipc.so

$(LIB_A): $(BUILD)/lib/fastipc.o
	$(AR) rcs $@ $^

# Paths under PREFIX stay relative to it, so pkg-config --define-prefix works.
PC_SUBST = -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	-e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|' \
	-e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|'

$(LIB_PC): lib/libfastipc.pc.in VERSION
	@mkdir -p $(@D)
	sed $(PC_SUBST) $< >$@

selftests: setup lib
	@mkdir -p $(BUILD)/selftests
	$(MAKE) -C selftests OUTPUT=$(BUILD)/selftests KSFT_DIR=$(KSFT_DIR) LIBFASTIPC=$(LIB_A)

# The command-line tool on libnl-genl-3, linked dynamically (the test VM
# brings its shared libraries along).  Without libnl's development files the
# rest still builds, and make says what to install.
FASTIPCCTL := $(BUILD)/bin/fastipcctl
LIBNL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
LIBNL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)
tools: $(if $(LIBNL_LIBS),$(FASTIPCCTL),no-libnl)

no-libnl:
	@echo "fastipc: fastipcctl not built: it needs libnl-genl-3's development" \
		"files (Debian: libnl-genl-3-dev, Fedora: libnl3-devel) and pkg-config" >&2

$(FASTIPCCTL): lib/fastipcctl.c lib/fastipc.h uapi/linux/fastipc.h \
		uapi/linux/fastipc_netlink.h $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wall -Wextra $(WERROR) -Iuapi -Ilib $(LIBNL_CFLAGS) -o $@ $< \
		-L$(BUILD)/lib -lfastipc $(LIBNL_LIBS)

.PHONY: tools no-libnl

examples: $(EXAMPLES)

$(BUILD)/examples/fastipc-%: lib/examples/%.c $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wall -Wextra $(WERROR) -Iuapi -Ilib -o $@ $< \
		-L$(BUILD)/lib -lfastipc -Wl,-rpath,$(BUILD)/lib

# The echo service: a server process, two clients, then a stop request.
RUN_DEMO := /root/fastipc-hello && \
	{ /root/fastipc-echo-server & } && \
	/root/fastipc-echo-client alice && /root/fastipc-echo-client bob && \
	/root/fastipc-echo-client --stop && wait

run: setup lib examples
	@scripts/vm.sh cmd $(KERNEL) "$(RUN_DEMO)" $(EXAMPLES)

check: setup $(if $(filter debug,$(KERNELS)),debug-kernel) \
		$(if $(filter kcsan,$(KERNELS)),kcsan-kernel) selftests
	@scripts/check.sh $(KERNELS)

# The module's line and branch coverage under the whole suite (debug kernel).
coverage: setup debug-kernel selftests
	@scripts/coverage.sh

# A new user's first hour: the README's two commands in a fresh Debian 12
# root, on the committed tree.
distcheck:
	@scripts/distcheck.sh

# CMD reaches the guest's shell exactly as typed: quotes, $, pipes.
export FASTIPC_VM_CMD = $(value CMD)
vm-run: setup lib
	@scripts/vm.sh cmd $(KERNEL) "$$FASTIPC_VM_CMD" $(FILES)

vm-shell: setup
	@scripts/vm.sh shell $(KERNEL) $(FILES)

style: setup
	@scripts/style.sh

# fastipc and its peers in one guest boot; ICOUNT=1: same-CPU rows under -icount.
bench: setup lib examples selftests
	@ICOUNT=$(ICOUNT) scripts/bench.sh

# Exact per-function instruction counts of a round trip (QEMU TCG plugin).
profile: setup lib examples selftests
	@ROUNDS=$(ROUNDS) scripts/profile.sh $(MODES)

clean:
	rm -rf $(BUILD)
	rm -f module/*.o module/*.ko module/*.mod* module/.*.cmd module/modules.order \
		Module.symvers modules.order .*.cmd .module-common.o

.PHONY: all setup debug-kernel kcsan-kernel module lib selftests examples run check coverage distcheck \
	vm-run vm-shell style clean
.PHONY: bench profile

# Long runs, on the debug kernel unless KERNEL= says otherwise: DURATION
# seconds of stress, in rounds of at most 120 s (each round checks its own
# ledger: nothing lost, nothing twice), or of fuzzing (SEED=, PROCS=,
# THREADS= as FASTIPC_FUZZ_*; PROCS=1 THREADS=1 replays a seed's sequence).
# The VM fails the run on any kernel splat, unloads the module after it and
# scans for leaks; the last line counts the TAP results, as make check does.
DURATION ?= 600
LONG_KERNEL = $(if $(filter file default undefined,$(origin KERNEL)),debug,$(KERNEL))
LONG_PROG_stress := stress_test
LONG_PROG_fuzz := fuzz_test
LONG_APPEND_stress = FASTIPC_STRESS_SECONDS=$(DURATION)
LONG_APPEND_fuzz = FASTIPC_FUZZ_SECONDS=$(DURATION) $(if $(SEED),FASTIPC_FUZZ_SEED=$(SEED)) \
	$(if $(PROCS),FASTIPC_FUZZ_PROCS=$(PROCS)) $(if $(THREADS),FASTIPC_FUZZ_THREADS=$(THREADS))
LONG_CMD_stress = end=$$(( $$(date +%s) + $(DURATION) )); rc=0; \
	while [ $$rc = 0 ] && [ $$(date +%s) -lt $$end ]; do \
	left=$$(( end - $$(date +%s) )); [ $$left -gt 120 ] && left=120; \
	FASTIPC_STRESS_SECONDS=$$left /root/stress_test || rc=1; done; exit $$rc
LONG_CMD_fuzz = /root/fuzz_test

stress fuzz: setup $(if $(filter debug,$(LONG_KERNEL)),debug-kernel) \
		$(if $(filter kcsan,$(LONG_KERNEL)),kcsan-kernel) selftests
	@mkdir -p $(BUILD)/vm; log=$(BUILD)/vm/$@-$(LONG_KERNEL).out; \
	{ FASTIPC_APPEND="$(strip $(LONG_APPEND_$@) $(FASTIPC_APPEND))" \
	  FASTIPC_VM_TIMEOUT=$$(( $(DURATION) * 2 + 900 )) \
	  FASTIPC_VM_OUT=$(BUILD)/vm/$@-$(LONG_KERNEL) \
	  scripts/vm.sh cmd $(LONG_KERNEL) '$(LONG_CMD_$@)' $(BUILD)/selftests/$(LONG_PROG_$@); \
	  echo $$? >$$log.rc; } 2>&1 | tee $$log; \
	status=$$(cat $$log.rc); \
	passed=$$(grep -c '^ok ' $$log); failed=$$(grep -c '^not ok ' $$log); \
	[ $$status -eq 0 ] || [ $$failed -gt 0 ] || failed=1; \
	echo "$$passed passed, $$failed failed"; \
	exit $$status

.PHONY: stress fuzz

# --- installing -------------------------------------------------------------
# make install [DESTDIR=...] [PREFIX=/usr/local] [BINDIR= LIBDIR= INCLUDEDIR=
# MANDIR=] [AUTOLOAD=1]
# The module goes where modules_install puts it, for KDIR's kernel release
# (updates/module/), and depmod runs (not into a DESTDIR: a package runs it
# where it is installed); the udev rule, and with AUTOLOAD=1 a
# modules-load.d entry, under DESTDIR's /lib and /etc; the rest under the
# directories above.  The uapi headers are copied under INCLUDEDIR/fastipc/,
# so programs need no matching kernel headers.  Nothing here downloads or
# installs packages.
UDEVDIR ?= /lib/udev/rules.d
MODULES_LOAD_DIR ?= /etc/modules-load.d
DKMS_DIR := /usr/src/fastipc-$(VERSION)
INSTALL := install
MAN_PAGES := $(wildcard lib/man/*.[378])
MODDIR = $(DESTDIR)/lib/modules/$(KRELEASE)
KRELEASE = $(shell $(MAKE) -s -C $(KDIR) kernelrelease)

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install CONFIG_MODULE_SIG_ALL= \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR))
	$(if $(DESTDIR),,depmod $(KRELEASE))
	$(INSTALL) -D -m 644 scripts/60-fastipc.rules $(DESTDIR)$(UDEVDIR)/60-fastipc.rules
	$(if $(AUTOLOAD),echo fastipc | $(INSTALL) -D -m 644 /dev/stdin \
		$(DESTDIR)$(MODULES_LOAD_DIR)/fastipc.conf)
	$(INSTALL) -D -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/$(notdir $(LIB_SO))
	ln -sf $(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libfastipc.so
	$(INSTALL) -D -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/libfastipc.a
	$(INSTALL) -D -m 644 lib/fastipc.h $(DESTDIR)$(INCLUDEDIR)/fastipc.h
	$(INSTALL) -D -m 644 -t $(DESTDIR)$(INCLUDEDIR)/fastipc/linux uapi/linux/*.h
	sed $(PC_SUBST) lib/libfastipc.pc.in | \
		$(INSTALL) -D -m 644 /dev/stdin $(DESTDIR)$(LIBDIR)/pkgconfig/libfastipc.pc
	$(if $(wildcard $(FASTIPCCTL)),$(INSTALL) -D -m 755 $(FASTIPCCTL) \
		$(DESTDIR)$(BINDIR)/fastipcctl)
	for page in $(MAN_PAGES); do \
		section=$${page##*.}; \
		sed '/^\.TH/s/"fastipc [0-9][^"]*"/"fastipc $(VERSION)"/' $$page | \
			$(INSTALL) -D -m 644 /dev/stdin \
			$(DESTDIR)$(MANDIR)/man$$section/$$(basename $$page); \
	done

# The module of every kernel release it was installed for, then depmod for
# each (in a DESTDIR: the directories the install made, where empty).
uninstall:
	for dir in $(DESTDIR)/lib/modules/*; do \
		ls $$dir/updates/module/fastipc.ko* >/dev/null 2>&1 || continue; \
		rm -f $$dir/updates/module/fastipc.ko*; \
		rmdir $$dir/updates/module $$dir/updates 2>/dev/null; \
		if [ -z "$(DESTDIR)" ]; then depmod $${dir##*/} || exit 1; \
		else rmdir $$dir $(DESTDIR)/lib/modules $(DESTDIR)/lib 2>/dev/null; fi; \
	done; true
	rm -f $(DESTDIR)$(UDEVDIR)/60-fastipc.rules $(DESTDIR)$(MODULES_LOAD_DIR)/fastipc.conf
	rm -f $(DESTDIR)$(LIBDIR)/libfastipc.so* $(DESTDIR)$(LIBDIR)/libfastipc.a
	rm -f $(DESTDIR)$(LIBDIR)/pkgconfig/libfastipc.pc $(DESTDIR)$(INCLUDEDIR)/fastipc.h
	rm -rf $(DESTDIR)$(INCLUDEDIR)/fastipc
	rm -f $(DESTDIR)$(BINDIR)/fastipcctl
	for page in $(MAN_PAGES); do \
		rm -f $(DESTDIR)$(MANDIR)/man$${page##*.}/$$(basename $$page); \
	done

# DKMS: only the module's build inputs, under /usr/src; then add, build and
# install it for the running kernel.  Kernel upgrades rebuild it by themselves.
dkms-install:
	rm -rf $(DESTDIR)$(DKMS_DIR)
	$(INSTALL) -d $(DESTDIR)$(DKMS_DIR)/module $(DESTDIR)$(DKMS_DIR)/uapi/linux
	$(INSTALL) -m 644 Kbuild VERSION $(DESTDIR)$(DKMS_DIR)/
	$(INSTALL) -m 644 module/Kbuild module/*.[ch] $(DESTDIR)$(DKMS_DIR)/module/
	$(INSTALL) -m 644 uapi/linux/*.h $(DESTDIR)$(DKMS_DIR)/uapi/linux/
	sed 's|@VERSION@|$(VERSION)|' scripts/dkms.conf.in >$(DESTDIR)$(DKMS_DIR)/dkms.conf
	$(if $(DESTDIR),,dkms install -m fastipc -v $(VERSION))

dkms-uninstall:
	dkms remove -m fastipc -v $(VERSION) --all || true
	rm -rf $(DESTDIR)$(DKMS_DIR)

# Install into a scratch DESTDIR and check it (make check runs this too).
installcheck: all
	@scripts/install-test.sh

.PHONY: install uninstall dkms-install dkms-uninstall installcheck
