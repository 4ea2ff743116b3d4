#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the kernel version minikvm is built for: the newest Debian kernel
# installed in /boot that has its headers installed too.  The build
# machine's own kernel (uname -r) is a different one and is never used.
for img in $(ls -v /boot/vmlinuz-* 2>/dev/null | sort -rV); do
	ver=${img#/boot/vmlinuz-}
	if [ -d "/lib/modules/$ver/build" ] || [ -d "/usr/src/linux-headers-$ver" ]; then
		echo "$ver"
		exit 0
	fi
done
echo "no /boot/vmlinuz-* with matching headers: run 'make deps'" >&2
exit 1
