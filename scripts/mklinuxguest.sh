#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the initramfs of the Linux guest that "minikvm-run --kernel" boots:
# static busybox and scripts/linuxguest/init (what it does is said there).
# usage: mklinuxguest.sh OUT.cpio.gz
#
#   minikvm-run --kernel /boot/vmlinuz-6.1.0-*-amd64 --initrd OUT.cpio.gz \
#       --append "console=ttyS0 reboot=k panic=-1 nolapic acpi=off pci=off"
#
# (add minikvm.shell=1 for an interactive shell; Documentation/launcher.rst)
set -e
if [ $# -ne 1 ]; then
	echo "usage: $0 OUT.cpio.gz" >&2
	exit 1
fi
out=$1
top=$(cd "$(dirname "$0")/.." && pwd)
busybox=${BUSYBOX:-/bin/busybox}
# A static binary has no program interpreter (readelf: binutils, which
# build-essential brings; 'file' may be missing on a fresh machine).
if [ ! -x "$busybox" ] || readelf -l "$busybox" 2>/dev/null | grep -q INTERP; then
	echo "$busybox is not a static busybox (apt-get install busybox-static)" >&2
	exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$busybox" "$root/bin/busybox"
cp "$top/scripts/linuxguest/init" "$root/init"
chmod 755 "$root" "$root/init" "$root/bin/busybox"
# The kernel needs /dev/console before /init mounts devtmpfs; Debian's
# kernel has it in its built-in initramfs, others may not.
if [ "$(id -u)" = 0 ]; then
	mknod -m 600 "$root/dev/console" c 5 1
fi
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9 > "$out"
