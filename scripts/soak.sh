#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make soak: the long loops of make check at their full counts, on both
# lanes (or the lanes named): 100,000 fuzzer operations, 10,000 VMs and
# 1,000 64 MiB guests in the leak test (Bochs: 1,000 too), 100 module
# load/unload cycles, and the hostile guests.  Each lane keeps its files in
# build/lane-soak-LANE; Documentation/reliability.rst takes the figures.
# On the reference machine the QEMU lane took about 8 minutes and the
# Bochs lane 89 (74 of them the leak test's 1,000 big guests).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${MKVM_SLOW_TENTHS:-}" ]; then
	MKVM_SLOW_TENTHS=$("$top/scripts/calibrate.sh") || MKVM_SLOW_TENTHS=10
	export MKVM_SLOW_TENTHS
fi
rc=0
for lane in ${*:-qemu bochs}; do
	MKVM_LANE_DIR=soak-$lane \
	MKVM_ENV="FUZZ_OPS=${FUZZ_OPS:-100000} FUZZ_SECONDS=100000 LEAK_VMS=10000 LEAK_RUNS=1000 RMMOD_CYCLES=100 TEST_TIMEOUT=6000 LINUX_BOOT_KVM=1" \
	QEMU_TIMEOUT=5400 BOCHS_TIMEOUT=14400 \
	TESTS="fuzz hostile leaks rmmod linux_boot" "$top/scripts/check.sh" "$lane" || rc=1
done
"$top/scripts/reliability.sh"
exit $rc
