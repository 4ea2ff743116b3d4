#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the test machine's initramfs: busybox, minikvm.ko, KVM's modules,
# the launcher, the guests and the selftests (installed in /selftests,
# with kselftest-list.txt giving the order they run in).
# usage: mkinitrd.sh OUT.gz
set -e
out=$1
top=$(cd "$(dirname "$0")/.." && pwd)
# The debug lane (scripts/check-debug.sh) passes its own kernel's modules
# and minikvm.ko built for it.
if [ -n "${MKVM_MODDIR:-}" ]; then
	mods=$MKVM_MODDIR
else
	kver=$("$top/scripts/kdir.sh")
	mods=/lib/modules/$kver/kernel
fi
ko=${MKVM_KO:-$top/minikvm.ko}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/lib/modules" "$root/guests" "$root/selftests" \
	 "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
cp "$top/scripts/initramfs/init" "$root/init"
# Without its debug information: the emulators load it 100 times in rmmod.
strip --strip-debug -o "$root/lib/modules/minikvm.ko" "$ko"
for m in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-intel \
	 arch/x86/kvm/kvm-amd drivers/crypto/ccp/ccp arch/x86/kernel/msr; do
	# ccp is built in (or absent) in the debug kernel.
	[ -f "$mods/$m.ko" ] || [ -n "${MKVM_MODDIR:-}" ] || { echo "no $mods/$m.ko" >&2; exit 1; }
	[ -f "$mods/$m.ko" ] && cp "$mods/$m.ko" "$root/lib/modules/"
done
cp "$top/build/minikvm-run" "$root/bin/"
cp "$top"/build/guests/*.bin "$top"/build/guests/*.elf "$root/guests/"
# The selftests as `make -C selftests install` lays them out anywhere
# (the programs, settings, kselftest-list.txt, run_kselftest.sh and
# kselftest/runner.sh), and the lanes' own wrapper, which /init runs.
# The install builds a program that is out of date: one lane at a time
# (scripts/check.sh starts both at once), and not under the make that may
# have started this (make check), whose jobserver is not ours.
mkdir -p "$top/build"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL flock "$top/build/.selftests.lock" \
	make -s --no-print-directory -C "$top/selftests" \
	OUTPUT="$top/build/selftests" INSTALL_PATH="$root/selftests" install
cp "$top/selftests/run_tests.sh" "$root/selftests/"
# The Linux guest of the linux_boot test: the lane's own kernel, and the
# busybox initramfs of scripts/mklinuxguest.sh.
kernel=${MKVM_GUEST_KERNEL:-/boot/vmlinuz-$("$top/scripts/kdir.sh")}
cp "$kernel" "$root/guests/vmlinuz"
cp "$top/build/linuxguest.cpio.gz" "$root/guests/"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out"
