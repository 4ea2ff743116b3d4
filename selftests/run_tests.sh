#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every selftest in the test machine and print KTAP: one top-level
# result per test program, its own output indented below it.  Exit code 4
# is a skip (kselftest's KSFT_SKIP); any other non-zero code a failure.
# A last test checks that the kernel logged no oops, BUG, WARNING, RCU
# stall, hung task or lockdep report since minikvm.ko was loaded.
# Before each test a "# running NAME" line, after it "# NAME: N s" with the
# time it took, so the host (scripts/progress.sh) can show where a long run
# is.  Each test may take TEST_TIMEOUT seconds (600) times the machine's
# slowness, minikvm.slow=N on the kernel command line (scripts/calibrate.sh).
cd /selftests || exit 1
# minikvm.tests=a,b on the kernel command line runs only those tests.
TESTS=$(sed -n 's/.*minikvm\.tests=\([a-z0-9_,]*\).*/\1/p' /proc/cmdline | tr , ' ')
[ -n "$TESTS" ] || TESTS=$(cat /selftests/order)
# minikvm.skip=a,b leaves those out of this run altogether (they are not
# counted, and not reported as skipped): scripts/lane.sh keeps linux_boot
# for make soak in the Bochs lane.
for s in $(sed -n 's/.*minikvm\.skip=\([a-z0-9_,]*\).*/\1/p' /proc/cmdline | tr , ' '); do
	TESTS=$(echo $TESTS | tr ' ' '\n' | grep -vx "$s" | tr '\n' ' ')
	echo "# $s: not in this run (see scripts/lane.sh)"
done
slow=$(sed -n 's/.*minikvm\.slow=\([0-9]*\).*/\1/p' /proc/cmdline)
limit=$((${TEST_TIMEOUT:-600} * ${slow:-1}))
n=0
for t in $TESTS; do n=$((n + 1)); done
echo "KTAP version 1"
# A debug kernel with kmemleak adds a leak scan after the tests.
leakscan=0
[ -w /sys/kernel/debug/kmemleak ] && leakscan=1
echo "1..$((n + 1 + leakscan))"
i=0
for t in $TESTS; do
	i=$((i + 1))
	echo "# running $t"
	t0=$(date +%s)
	# Streamed, so that a hung test shows how far it got.
	{ timeout "$limit" ./"$t" 2>&1; echo $? > /tmp/rc; } | sed 's/^/    /'
	rc=$(cat /tmp/rc)
	secs=$(($(date +%s) - t0))
	echo "# $t: $secs s"
	case $rc in
	0) echo "ok $i $t" ;;
	4) echo "ok $i $t # SKIP" ;;
	*)
		if [ "$secs" -ge "$limit" ]; then
			echo "not ok $i $t # timed out after $secs s (limit $limit s)"
		else
			echo "not ok $i $t # exit code $rc"
		fi
		;;
	esac
done
i=$((i + 1))
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
