# SPDX-License-Identifier: GPL-2.0
#
# fastipc: the module, the library, the selftests and the test VM.
#
#   make              build the module (against KDIR), library and selftests
#   make run          boot a test VM and show fastipc at work
#   make check        run every selftest on each kernel of KERNELS
#   make style        checkpatch --strict and sparse on the module
#   make vm-run KERNEL=6.12 FILES="prog" CMD="./prog"   try your own program
#   make vm-shell KERNEL=6.12                           interactive guest

VERSION := $(shell cat VERSION)
CACHE := $(or $(FASTIPC_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/fastipc)
BUILD := $(CURDIR)/build
KERNELS ?= 6.1 6.12 debug
KERNEL ?= 6.12

# The running kernel's tree if it has one, else the test VM's 6.12 headers.
ifeq ($(KDIR),)
KDIR := $(wildcard /lib/modules/$(shell uname -r)/build)
ifeq ($(KDIR),)
KDIR = $(CACHE)/kernels/6.12/usr/src/linux-headers-$(shell cat $(CACHE)/kernels/6.12/KVER)
NEED_SETUP := setup
endif
endif

CC ?= gcc
CFLAGS ?= -O2 -g
LIB_CFLAGS := $(CFLAGS) -Wall -Wextra -Werror -fPIC -fvisibility=hidden \
	-Iuapi -DFASTIPC_LIB_VERSION='"$(VERSION)"'
LIB_SONAME := libfastipc.so.0
LIB_SO := $(BUILD)/lib/libfastipc.so.$(VERSION)
LIB_A := $(BUILD)/lib/libfastipc.a
LIB_PC := $(BUILD)/lib/libfastipc.pc
KSFT_DIR := $(CACHE)/src/linux/tools/testing/selftests
EXAMPLES := $(BUILD)/examples/fastipc-hello $(BUILD)/examples/fastipc-echo-server \
	$(BUILD)/examples/fastipc-echo-client

all: module lib selftests examples

setup:
	@scripts/setup.sh

debug-kernel: setup
	@scripts/build-debug-kernel.sh >/dev/null

module: $(NEED_SETUP)
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

$(LIB_PC): lib/libfastipc.pc.in VERSION
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(or $(PREFIX),/usr/local)|' -e 's|@VERSION@|$(VERSION)|' $< >$@

selftests: lib $(KSFT_DIR)/kselftest_harness.h
	@mkdir -p $(BUILD)/selftests
	$(MAKE) -C selftests OUTPUT=$(BUILD)/selftests KSFT_DIR=$(KSFT_DIR) LIBFASTIPC=$(LIB_A)

$(KSFT_DIR)/kselftest_harness.h:
	@scripts/setup.sh

examples: $(EXAMPLES)

$(BUILD)/examples/fastipc-%: lib/examples/%.c $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wall -Wextra -Werror -Iuapi -Ilib -o $@ $< \
		-L$(BUILD)/lib -lfastipc -Wl,-rpath,$(BUILD)/lib

# The echo service: a server process, two clients, then a stop request.
RUN_DEMO := /root/fastipc-hello && \
	{ /root/fastipc-echo-server & } && \
	/root/fastipc-echo-client alice && /root/fastipc-echo-client bob && \
	/root/fastipc-echo-client --stop && wait

run: setup lib examples
	@scripts/vm.sh cmd $(KERNEL) "$(RUN_DEMO)" $(EXAMPLES)

check: setup $(if $(filter debug,$(KERNELS)),debug-kernel) selftests
	@scripts/check.sh $(KERNELS)

vm-run: setup
	@scripts/vm.sh cmd $(KERNEL) "$(CMD)" $(FILES)

vm-shell: setup
	@scripts/vm.sh shell $(KERNEL) $(FILES)

style: setup
	@scripts/style.sh

clean:
	rm -rf $(BUILD)
	rm -f module/*.o module/*.ko module/*.mod* module/.*.cmd module/modules.order \
		Module.symvers modules.order .*.cmd .module-common.o

.PHONY: all setup debug-kernel module lib selftests examples run check vm-run \
	vm-shell style clean
