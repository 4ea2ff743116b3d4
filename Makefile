# SPDX-License-Identifier: GPL-2.0
#
# minikvm: `make` builds the module, the launcher, the guests and the
# selftests; `make run` boots the QEMU (SVM) machine and runs the hello
# guest; `make check` runs every selftest on both lanes (QEMU/SVM and
# Bochs/VMX).  `make deps` installs the Debian packages all of it needs.

KVER	?= $(shell scripts/kdir.sh 2>/dev/null)
KDIR	?= $(if $(wildcard /lib/modules/$(KVER)/build),/lib/modules/$(KVER)/build,/usr/src/linux-headers-$(KVER))
OUT	:= build
CC	:= gcc
CFLAGS	:= -O2 -g -Wall -Wextra -Werror -static -Iuapi -Iselftests/lib

# Flat 16-bit guests, and ELF guests named *32.S / *64.S.
ELF_SRC	:= $(wildcard userspace/guests/*32.S userspace/guests/*64.S)
GUESTS	:= $(patsubst userspace/guests/%.S,$(OUT)/guests/%.bin,$(filter-out $(ELF_SRC),$(wildcard userspace/guests/*.S))) \
	   $(patsubst userspace/guests/%.S,$(OUT)/guests/%.elf,$(ELF_SRC))
LIBSRC	:= $(wildcard selftests/lib/*.c)
LIBHDR	:= $(wildcard selftests/lib/*.h) uapi/linux/minikvm.h

.PHONY: all module userspace selftests abi-check deps run check lanes clean bench \
	check-qemu check-bochs check-debug lint soak unit

all: module userspace selftests abi-check

module:
	@test -n "$(KVER)" || { echo "No Debian kernel with headers installed: run 'make deps'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

userspace: $(OUT)/minikvm-run $(GUESTS) $(OUT)/linuxguest.cpio.gz

# The Linux guest's initramfs (the linux_boot test, minikvm-run --kernel).
$(OUT)/linuxguest.cpio.gz: scripts/mklinuxguest.sh scripts/linuxguest/init
	@mkdir -p $(@D)
	scripts/mklinuxguest.sh $@

# The launcher: minikvm-run.c and, for --kernel, the PC devices and the
# Linux boot.  Static: the lanes copy it into their initramfs.
RUN_SRC	:= $(wildcard userspace/*.c)
RUN_HDR	:= $(wildcard userspace/*.h) uapi/linux/minikvm.h
DEV_SRC	:= userspace/pic.c userspace/pit.c userspace/uart.c userspace/rtc.c userspace/i8042.c

$(OUT)/minikvm-run: $(RUN_SRC) $(RUN_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -pthread -o $@ $(RUN_SRC)

# Host-side unit tests of the device models, of the C guest library and
# of the selftests' KTAP writer: no /dev/kvm needed.
unit: $(OUT)/devices_test $(OUT)/guest_lib_test $(OUT)/kselftest_test
	$(OUT)/devices_test
	$(OUT)/guest_lib_test
	$(OUT)/kselftest_test

UNIT_CAPTURE := selftests/unit/capture.c selftests/unit/capture.h

$(OUT)/kselftest_test: selftests/unit/kselftest.c $(UNIT_CAPTURE) $(LIBSRC) $(LIBHDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< selftests/unit/capture.c $(LIBSRC)

$(OUT)/guest_lib_test: selftests/unit/guest_lib.c $(UNIT_CAPTURE) $(LIBSRC) $(LIBHDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< selftests/unit/capture.c $(LIBSRC)
	scripts/guest_calls.sh $@ || { rm -f $@; exit 1; }

$(OUT)/devices_test: userspace/tests/devices_test.c $(DEV_SRC) userspace/bzimage.c $(RUN_HDR) \
		$(LIBSRC) $(LIBHDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iuserspace -o $@ userspace/tests/devices_test.c $(DEV_SRC) \
		userspace/bzimage.c $(LIBSRC)

# Guests are flat 16-bit binaries, linked to run where the launcher loads them.
$(OUT)/guests/%.bin: userspace/guests/%.S
	@mkdir -p $(@D)
	$(CC) -m32 -c -o $(OUT)/guests/$*.o $<
	ld -m elf_i386 -Ttext=0 --oformat=binary -o $@ $(OUT)/guests/$*.o

$(OUT)/guests/%32.elf: userspace/guests/%32.S
	@mkdir -p $(@D)
	$(CC) -m32 -c -o $(OUT)/guests/$*32.o $<
	ld -m elf_i386 -Ttext=0x100000 -o $@ $(OUT)/guests/$*32.o

$(OUT)/guests/%64.elf: userspace/guests/%64.S
	@mkdir -p $(@D)
	$(CC) -c -o $(OUT)/guests/$*64.o $<
	ld -m elf_x86_64 -Ttext=0x100000 -o $@ $(OUT)/guests/$*64.o

# The selftests are a kselftest collection of their own: selftests/Makefile
# (make -C selftests run_tests, install; Documentation/testing.rst) builds
# them into build/selftests.
selftests:
	$(MAKE) -C selftests OUTPUT=$(CURDIR)/$(OUT)/selftests

# Our ABI header against the system's <linux/kvm.h>: sizes, offsets, numbers.
abi-check: $(OUT)/abi_check
	$(OUT)/abi_check

$(OUT)/abi_check: selftests/abi_check.c selftests/abi_fields.h uapi/linux/minikvm.h
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -Iuapi -o $(OUT)/abi_kvm.o -c -DABI_SIDE_KVM selftests/abi_check.c
	$(CC) -O2 -Wall -Wextra -Werror -Iuapi -o $(OUT)/abi_mkvm.o -c -DABI_SIDE_MINIKVM selftests/abi_check.c
	$(CC) -O2 -Wall -Wextra -Werror -Iuapi -o $@ selftests/abi_check.c $(OUT)/abi_kvm.o $(OUT)/abi_mkvm.o

deps:
	scripts/deps.sh

# Boot the QEMU lane and run the hello guest through minikvm.
run: deps
	$(MAKE) all
	MKVM_GUEST=$(GUEST) scripts/lane.sh qemu run

# Static checks, then every selftest on both lanes; a lane that fails to
# boot or report fails.
check: deps
	$(MAKE) all
	$(MAKE) unit
	scripts/host-skip.sh
	scripts/lint.sh
	scripts/check.sh

check-qemu: all
	scripts/check.sh qemu

check-bochs: all
	scripts/check.sh bochs

# The QEMU lane on a debug kernel (KASAN, KMEMLEAK, lockdep, UBSAN), built
# once per machine from linux-source-6.1 into /var/cache/minikvm.
check-debug: deps
	$(MAKE) all
	scripts/check-debug.sh

# The long loops at their full counts on both lanes (fuzzer, leaks,
# load/unload cycles, hostile guests); figures to Documentation/reliability.rst.
soak: deps
	$(MAKE) all
	scripts/soak.sh

# minikvm against KVM on both lanes, longer than in check; the ratios go
# to Documentation/benchmarks.rst.
bench: deps
	$(MAKE) all
	scripts/bench.sh

# Static checks: sparse and checkpatch (from linux-source-6.1).
lint: deps
	scripts/lint.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean || true
	rm -rf $(OUT)
