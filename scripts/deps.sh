#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages minikvm's build and test lanes need, if any
# is missing.  Runs apt-get as root (directly, or through sudo).
set -e
PKGS="build-essential linux-source-6.1 linux-image-amd64 linux-headers-amd64
qemu-system-x86 bochs bochsbios vgabios busybox-static isolinux
syslinux-common xorriso cpio sparse bc flex bison libelf-dev libssl-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
