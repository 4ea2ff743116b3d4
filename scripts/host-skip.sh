#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The selftests as a user runs them on a real machine (make -C selftests
# run_tests), here on the build machine, where minikvm.ko is not loaded:
# every test must report SKIP with its reason and the run must exit 0.
# This is how make check proves the path outside the lanes without VT-x
# or AMD-V (issue 15; Documentation/testing.rst).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
log=$top/build/host-run_tests.log
if [ -e /dev/minikvm ]; then
	echo "host-skip: /dev/minikvm exists here: not the build machine this check is for" >&2
	exit 1
fi
make -s -C "$top/selftests" run_tests > "$log" 2>&1
rc=$?
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -1)
skips=$(grep -c '^ok [0-9]* .* # SKIP' "$log")
others=$(grep -E '^(ok|not ok) [0-9]+ ' "$log" | grep -vc ' # SKIP')
if [ "$rc" -ne 0 ] || [ -z "$plan" ] || [ "$skips" -ne "$plan" ] || [ "$others" -ne 0 ]; then
	echo "host-skip: make -C selftests run_tests: exit $rc, plan ${plan:-none}, $skips SKIP, $others other results (see $log)" >&2
	grep -E '^(ok|not ok) [0-9]+ ' "$log" | grep -v ' # SKIP' >&2
	exit 1
fi
echo "host-skip: make -C selftests run_tests outside the lanes: $plan tests, all SKIP, exit 0"
