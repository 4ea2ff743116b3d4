#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: the benchmark alone on both lanes, with measurements longer
# than make check's, then Documentation/benchmarks.rst from its output.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
rc=0
for lane in qemu bochs; do
	case $lane in
	qemu) secs=${BENCH_SECONDS:-1} ;;
	bochs) secs=${BENCH_SECONDS:-0.1} ;;
	esac
	MKVM_ENV="BENCH_SECONDS=$secs" TESTS=bench "$top/scripts/check.sh" "$lane" || rc=1
done
exit $rc
