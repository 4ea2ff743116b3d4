#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# How slow is this machine at emulating, against the one the lanes' time
# budgets were measured on?  Boots the lane kernel in QEMU (TCG, two CPUs,
# as the SVM lane does) with an initramfs whose /init powers off at once,
# and compares the wall time with REF_TENTHS, the same boot measured on the
# project's reference machine (2-core developer machine, see
# Documentation/testing.rst).  Prints the slowness in tenths, never below
# 10: 25 means "2.5 times slower".  Emulation is what the lanes spend their
# time on, so this one fixed emulated workload predicts them better than a
# host benchmark would; a second CPU-bound job on the machine shows up here
# too, since QEMU runs one thread per emulated CPU.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# Tenths of a second the calibration boot took on the reference machine.
REF_TENTHS=${MKVM_REF_TENTHS:-65}
kver=$("$top/scripts/kdir.sh") || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bin"
cp /bin/busybox "$work/root/bin/busybox"
printf '#!/bin/busybox sh\n/bin/busybox poweroff -f\n' > "$work/root/init"
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$work/initrd.gz"
t0=$(date +%s%N)
timeout -k 5 600 qemu-system-x86_64 -machine q35 -accel tcg -cpu EPYC,+svm,+npt \
	-smp 2 -m 256 -nographic -no-reboot -kernel "/boot/vmlinuz-$kver" \
	-initrd "$work/initrd.gz" -append "console=ttyS0 quiet panic=-1" \
	-serial none -monitor none -display none > /dev/null 2>&1 < /dev/null
t1=$(date +%s%N)
tenths=$(((t1 - t0) / 100000000))
slow=$((tenths * 10 / REF_TENTHS))
[ "$slow" -lt 10 ] && slow=10
echo "calibration: the reference boot took ${tenths} tenths of a second" \
     "(reference machine: $REF_TENTHS): slowness $slow tenths" >&2
echo "$slow"
