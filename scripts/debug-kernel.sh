#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build, once per machine, the debug kernel of `make check-debug`: Linux
# 6.1 from Debian's linux-source-6.1 with KASAN, KMEMLEAK, lockdep
# (PROVE_LOCKING), UBSAN and DEBUG_ATOMIC_SLEEP, plus what the lanes need
# (KVM as modules, the MSR driver).  It lives outside the repository, in
# $MKVM_DEBUG_CACHE (default /var/cache/minikvm), and is rebuilt only when
# the configuration below or the source package changes.
# Prints the build directory (the kernel's O=) on success.
set -eu
cache=${MKVM_DEBUG_CACHE:-/var/cache/minikvm}
tarball=/usr/src/linux-source-6.1.tar.xz
src=$cache/linux-source-6.1
out=$cache/debug-build
me=$(readlink -f "$0")
[ -f "$tarball" ] || { echo "debug-kernel: $tarball missing: run 'make deps'" >&2; exit 1; }
stamp=$( (cat "$me"; ls -l --time-style=+%s "$tarball") | md5sum | cut -d' ' -f1)
if [ -f "$out/.minikvm-done" ] && [ "$(cat "$out/.minikvm-done")" = "$stamp" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$cache"
if [ ! -f "$src/Makefile" ]; then
	echo "debug-kernel: unpacking $tarball" >&2
	rm -rf "$src"
	tar -xJf "$tarball" -C "$cache"
fi
rm -rf "$out"
mkdir -p "$out"
make -s -C "$src" O="$out" x86_64_defconfig >&2
cfg() { "$src/scripts/config" --file "$out/.config" "$@"; }
# The checkers.
cfg -e DEBUG_KERNEL -e KASAN -e KASAN_GENERIC -e KASAN_OUTLINE \
    -e DEBUG_KMEMLEAK -d DEBUG_KMEMLEAK_DEFAULT_OFF -e DEBUG_FS \
    -e PROVE_LOCKING -e DEBUG_ATOMIC_SLEEP -e DEBUG_LIST \
    -e UBSAN -e UBSAN_BOUNDS -e UBSAN_SHIFT -d UBSAN_TRAP \
    -e PANIC_ON_OOPS
# What the lanes use: KVM as a peer, the MSR driver, an initramfs.
cfg -e VIRTUALIZATION -m KVM -m KVM_INTEL -m KVM_AMD -m X86_MSR \
    -e BLK_DEV_INITRD -e RD_GZIP -e DEVTMPFS -e SERIAL_8250_CONSOLE \
    -e MODULES -e MODULE_UNLOAD -d MODULE_SIG
# Smaller and faster to build: no debug info, no graphics, sound or
# wireless, no network file systems.
cfg -e DEBUG_INFO_NONE -d DEBUG_INFO -d DRM -d SOUND -d WLAN -d WIRELESS \
    -d CFG80211 -d NETWORK_FILESYSTEMS -d USB_SUPPORT -d HID -d AGP \
    -d FB -d HYPERVISOR_GUEST -d XEN
make -s -C "$src" O="$out" olddefconfig >&2
echo "debug-kernel: building in $out (this takes a while, once)" >&2
nice make -s -C "$src" O="$out" -j"$(nproc)" bzImage modules >&2
nice make -s -C "$src" O="$out" INSTALL_MOD_PATH="$out/mods" INSTALL_MOD_STRIP=1 \
	modules_install >&2
echo "$stamp" > "$out/.minikvm-done"
echo "$out"
