#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: the benchmark alone on both lanes, with measurements longer
# than make check's, once as the kernel boots by default and once with
# mitigations=off (build/lane-nomit-LANE), then Documentation/benchmarks.rst
# from their output.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
rc=0
for lane in qemu bochs; do
	case $lane in
	qemu) secs=${BENCH_SECONDS:-1} ;;
	bochs) secs=${BENCH_SECONDS:-0.1} ;;
	esac
	MKVM_ENV="BENCH_SECONDS=$secs" TESTS=bench "$top/scripts/check.sh" "$lane" || rc=1
	# The same with the kernel's mitigations off, minikvm's and KVM's.
	MKVM_LANE_DIR=nomit-$lane MKVM_ENV="BENCH_SECONDS=$secs mitigations=off" \
		TESTS="bench mitigations" "$top/scripts/check.sh" "$lane" || rc=1
done
exit $rc
