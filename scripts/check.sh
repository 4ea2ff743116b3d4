#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every selftest on each lane (default: qemu and bochs, side by side:
# each emulator runs its machine on one host thread) and sum up.
# A lane that never reports, hangs, or skips a test counts as a failure:
# both lanes offer the hardware every test needs.
# Progress shows as it happens (scripts/progress.sh); each lane's KTAP
# follows when the lane ends.  Time limits scale with the slowness of the
# machine, measured once first (scripts/calibrate.sh).
# Last line: "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
lanes=${*:-qemu bochs}
if [ -z "${MKVM_SLOW_TENTHS:-}" ]; then
	MKVM_SLOW_TENTHS=$("$top/scripts/calibrate.sh") || MKVM_SLOW_TENTHS=10
	export MKVM_SLOW_TENTHS
fi
echo "# time limits: $MKVM_SLOW_TENTHS tenths of the reference machine's"
passed=0
failed=0
# run_lane LANE: boot it in check mode, its progress on the terminal
# ("[LANE mm:ss]" ahead of each line), its exit status in DIR.rc and its
# wall time in DIR.secs.
run_lane() {
	dir=$top/build/lane-${MKVM_LANE_DIR:-$1}
	mkdir -p "$dir"
	t0=$(date +%s)
	{ "$top/scripts/lane.sh" "$1" check "$dir/serial.log" 2>&1; echo $? > "$dir.rc"; } |
		"$top/scripts/progress.sh" "$1" "$dir.console"
	echo $(($(date +%s) - t0)) > "$dir.secs"
}
# Both lanes at once when each has its own directory: QEMU (one host
# thread since it runs thread=single) and Bochs (always one) fit the
# reference machine's two cores, and make check takes the Bochs lane's
# time instead of the sum.  Never two Bochs machines at once: they would
# share a port.
set -- $lanes
if [ $# -gt 1 ] && [ -z "${MKVM_LANE_DIR:-}" ]; then
	echo "=== lanes $lanes, side by side ==="
	for lane in $lanes; do
		run_lane "$lane" &
	done
	wait
else
	for lane in $lanes; do
		echo "=== lane $lane ==="
		run_lane "$lane"
	done
fi
for lane in $lanes; do
	dir=$top/build/lane-${MKVM_LANE_DIR:-$lane}
	log=$dir/serial.log
	rc=$(cat "$dir.rc")
	echo "=== lane $lane ==="
	echo "# lane $lane: $(cat "$dir.secs") s"
	# The lane's KTAP, as the machine printed it.
	sed -n '/^KTAP version/,$p' "$log" | tr -d '\r' | grep -v "^minikvm-lane" |
		grep -v '^\[ *[0-9.]*\]'
	p=$(tr -d '\r' < "$log" | grep -cE '^ok [0-9]+ [^#]*$')
	s=$(tr -d '\r' < "$log" | grep -cE '^ok [0-9]+ .*# SKIP')
	f=$(tr -d '\r' < "$log" | grep -cE '^not ok [0-9]+ ')
	total=$(tr -d '\r' < "$log" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | head -1)
	if [ "$rc" -ne 0 ] || [ -z "$total" ] || [ $((p + s + f)) -ne "$total" ]; then
		echo "# lane $lane: did not complete (see $dir.console)"
		tail -20 "$dir.console" | sed 's/^/# /'
		f=$((f + 1))
	fi
	# The reboot notifier ran at power-off (check mode; init leaves a guest
	# running).  Its kick ends that guest's KVM_RUN with EIO and the
	# launcher usually exits before the switch-off: the message gives the
	# count of VMs still open then, often 0.
	if grep -q "powering off with a guest running" "$log" &&
	   ! tr -d '\r' < "$log" | grep -q "minikvm: [a-z]* off on every CPU for the reboot"; then
		echo "# lane $lane: minikvm's reboot notifier did not report switching off"
		f=$((f + 1))
	fi
	if sed -n '/powering off with a guest running/,$p' "$log" |
	   grep -E "BUG:|Oops|WARNING: CPU:|general protection" > /dev/null; then
		echo "# lane $lane: the kernel complained while powering off:"
		sed -n '/powering off with a guest running/,$p' "$log" | tr -d '\r' | sed 's/^/# /' | head -40
		f=$((f + 1))
	fi
	if [ "$s" -ne 0 ]; then
		echo "# lane $lane: $s test(s) skipped; both lanes must run everything"
	fi
	echo "# lane $lane: $p passed, $((f + s)) failed"
	passed=$((passed + p))
	failed=$((failed + f + s))
done
# The documents take their figures from complete runs only.
[ -n "${TESTS:-}" ] || "$top/scripts/reliability.sh"
case " ${TESTS:-bench} " in
*" bench "*) "$top/scripts/benchmarks.sh" ;;
esac
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
