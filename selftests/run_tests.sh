#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The lanes' run of the selftests, started by the test machine's /init
# (scripts/initramfs/init).  scripts/mkinitrd.sh installs the suite beside
# this script with `make -C selftests install`, and the tests run through
# the same runner as run_kselftest.sh (kselftest/runner.sh): KTAP, one
# result per test program, its own output indented below it, "# running
# NAME" before it and "# NAME: N s" after it for scripts/progress.sh; exit
# code 4 is a skip, with the test's reason.  What only the lanes add:
#  - minikvm.tests=a,b on the kernel command line runs only those tests;
#    minikvm.skip=a,b leaves those out of this run altogether (they are
#    not counted, and not reported as skipped): scripts/lane.sh keeps
#    linux_boot for make soak in the Bochs lane.  Otherwise every test of
#    kselftest-list.txt, in its order (rmmod last: it reloads the module);
#  - each test may take TEST_TIMEOUT seconds (settings: 600) times the
#    machine's slowness, minikvm.slow=N (scripts/calibrate.sh);
#  - a last test, dmesg_clean, checks that the kernel logged no oops, BUG,
#    WARNING, RCU stall, hung task or lockdep report since minikvm.ko was
#    loaded (/init saves dmesg's length then in /tmp/dmesg.start);
#  - on a debug kernel with kmemleak, a leak scan after that.
BASE_DIR=$(cd "$(dirname "$0")" && pwd)
TESTS=$(sed -n 's/.*minikvm\.tests=\([a-z0-9_,]*\).*/\1/p' /proc/cmdline | tr , ' ')
[ -n "$TESTS" ] || TESTS=$(cut -d: -f2 "$BASE_DIR/kselftest-list.txt")
for s in $(sed -n 's/.*minikvm\.skip=\([a-z0-9_,]*\).*/\1/p' /proc/cmdline | tr , ' '); do
	TESTS=$(echo $TESTS | tr ' ' '\n' | grep -vx "$s" | tr '\n' ' ')
	echo "# $s: not in this run (see scripts/lane.sh)"
done
slow=$(sed -n 's/.*minikvm\.slow=\([0-9]*\).*/\1/p' /proc/cmdline)
export KSFT_TIMEOUT_SCALE=${slow:-1}
# A debug kernel with kmemleak adds a leak scan after the tests.
leakscan=0
[ -w /sys/kernel/debug/kmemleak ] && leakscan=1

. "$BASE_DIR/kselftest/runner.sh"
paths=
for t in $TESTS; do
	paths="$paths $BASE_DIR/$t"
done
# shellcheck disable=SC2086 # one word per path
ksft_run_many -x $((1 + leakscan)) $paths
i=$((ksft_num + 1))
start=$(cat /tmp/dmesg.start 2>/dev/null || echo 0)
if dmesg | tail -n +$((start + 1)) | grep -E "BUG:|WARNING: CPU:|WARNING: (possible|inconsistent)|Oops|general protection fault|detected stalls|blocked for more than|Call Trace" > /tmp/bad; then
	sed 's/^/    # /' /tmp/bad
	dmesg | tail -n +$((start + 1)) | head -150 | sed 's/^/    # /'
	echo "not ok $i dmesg_clean"
else
	echo "ok $i dmesg_clean"
fi
if [ $leakscan = 1 ]; then
	i=$((i + 1))
	# Two scans: kmemleak reports an object only once it stayed unreferenced.
	echo scan > /sys/kernel/debug/kmemleak; sleep 5
	echo scan > /sys/kernel/debug/kmemleak
	if grep -q . /sys/kernel/debug/kmemleak; then
		head -60 /sys/kernel/debug/kmemleak | sed 's/^/    # /'
		echo "not ok $i kmemleak"
	else
		echo "ok $i kmemleak"
	fi
fi
