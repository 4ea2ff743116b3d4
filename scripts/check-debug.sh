#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make check-debug`: every selftest, the fuzzer included, in the QEMU lane
# booted with the debug kernel of scripts/debug-kernel.sh (KASAN, KMEMLEAK,
# lockdep, UBSAN, DEBUG_ATOMIC_SLEEP), minikvm.ko built against it.  Any
# report those checkers print fails dmesg_clean; a kmemleak scan after the
# tests fails the kmemleak test.  Builds the kernel on first use (once per
# machine, cached outside the repository).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kbuild=$("$top/scripts/debug-kernel.sh")
kver=$(cat "$kbuild/include/config/kernel.release")
src=$top/build/debug-module
rm -rf "$src"
mkdir -p "$src"
cp -r "$top/Kbuild" "$top/kmod" "$top/uapi" "$src/"
find "$src" -name '*.o' -o -name '*.cmd' -o -name '*.ko' | xargs rm -f
make -s -C "$kbuild" M="$src" modules
export MKVM_KERNEL=$kbuild/arch/x86/boot/bzImage
export MKVM_MODDIR=$kbuild/mods/lib/modules/$kver/kernel
export MKVM_KO=$src/minikvm.ko
export MKVM_MEM=1024
export MKVM_LANE_DIR=debug
export QEMU_TIMEOUT=${QEMU_TIMEOUT:-2400}
exec "$top/scripts/check.sh" qemu
