# SPDX-License-Identifier: GPL-2.0
# The selftests' runner, sourced (as Linux's kselftest/runner.sh is) by
# run_kselftest.sh and by the lanes' run_tests.sh: it runs test programs
# one after the other, each under a time limit, and prints KTAP.  POSIX
# sh with `local` (dash, bash, busybox ash); busybox's applets are enough.
#
# Set before sourcing: BASE_DIR, the directory holding `settings`.
# From the environment:
#   TEST_TIMEOUT        seconds a test may run (default: timeout= in
#                       $BASE_DIR/settings, else 600)
#   KSFT_TIMEOUT_SCALE  a factor on that (default 1; the lanes give their
#                       machine's slowness)
#
# ksft_run_many [-x EXTRA] TEST...
#   "KTAP version 1" and the plan, "1..N" with N the number of TESTs plus
#   EXTRA results the caller prints after them (numbered from
#   $((ksft_num + 1))); then ksft_run_one for each TEST, a path to a
#   program.  Leaves ksft_num, the number of the last result, and
#   ksft_failed, how many tests failed.
# ksft_run_one NUM TEST
#   Runs TEST in its own directory, stdin from /dev/null, and prints
#     # running NAME
#         its output, stdout and stderr, indented by four spaces as it comes
#     # NAME: N s
#   and the result line:
#     ok NUM NAME                    exit code 0
#     ok NUM NAME # SKIP REASON      exit code 4 (KSFT_SKIP); REASON is the
#                                    test's "1..0 # SKIP REASON" or its first
#                                    "ok N # SKIP REASON"
#     not ok NUM NAME # timed out after N s (limit N s)
#     not ok NUM NAME # exit code N
#     not ok NUM NAME # not found    no such executable
#   (scripts/progress.sh and scripts/check.sh read these lines).  Returns
#   1 if the test failed.

if [ -z "${BASE_DIR:-}" ]; then
	echo "kselftest/runner.sh: set BASE_DIR before sourcing" >&2
	exit 2
fi

# The time limit of each test, in seconds.
ksft_limit() {
	local t=${TEST_TIMEOUT:-}

	if [ -z "$t" ] && [ -r "$BASE_DIR/settings" ]; then
		t=$(sed -n 's/^timeout=\([0-9]*\)$/\1/p' "$BASE_DIR/settings" | tail -1)
	fi
	echo $((${t:-600} * ${KSFT_TIMEOUT_SCALE:-1}))
}

# timeout LIMIT PROGRAM.  Where timeout has --foreground (coreutils), as
# Linux's runner: the outer one stays in the terminal's process group, so
# that Ctrl-C reaches the test, and the inner one kills the test's children
# too at the limit.  Busybox's (the lanes) is the plain one.
if timeout --foreground 1 true 2>/dev/null; then
	ksft_timeout() {
		timeout --foreground "$1" timeout "$@"
	}
else
	ksft_timeout() {
		timeout "$@"
	}
fi

ksft_run_one() {
	local num=$1 path=$2 name dir limit t0 rc secs reason

	name=$(basename "$path")
	limit=$(ksft_limit)
	echo "# running $name"
	if [ ! -f "$path" ] || [ ! -x "$path" ]; then
		echo "# $name: not found"
		echo "not ok $num $name # not found"
		return 1
	fi
	dir=$(dirname "$path")
	t0=$(date +%s)
	# Streamed, so that a hung test shows how far it got; a copy kept for
	# the skip reason.
	{
		(cd "$dir" && ksft_timeout "$limit" "./$name" < /dev/null) 2>&1
		echo $? > "$ksft_tmp/rc"
	} | tee "$ksft_tmp/out" | sed 's/^/    /'
	rc=$(cat "$ksft_tmp/rc")
	secs=$(($(date +%s) - t0))
	echo "# $name: $secs s"
	case $rc in
	0)
		echo "ok $num $name"
		;;
	4)
		reason=$(sed -n -e 's/^1\.\.0 # SKIP *//p' -e 's/^ok [0-9]* # SKIP *//p' \
			"$ksft_tmp/out" | head -1)
		echo "ok $num $name # SKIP${reason:+ $reason}"
		;;
	*)
		if [ "$secs" -ge "$limit" ]; then
			echo "not ok $num $name # timed out after $secs s (limit $limit s)"
		else
			echo "not ok $num $name # exit code $rc"
		fi
		return 1
		;;
	esac
	return 0
}

ksft_run_many() {
	local extra=0 test

	if [ "${1:-}" = -x ]; then
		extra=$2
		shift 2
	fi
	ksft_tmp=$(mktemp -d "${TMPDIR:-/tmp}/ksft.XXXXXX") || return 1
	echo "KTAP version 1"
	echo "1..$(($# + extra))"
	ksft_num=0
	ksft_failed=0
	for test in "$@"; do
		ksft_num=$((ksft_num + 1))
		ksft_run_one "$ksft_num" "$test" || ksft_failed=$((ksft_failed + 1))
	done
	rm -rf "$ksft_tmp"
}
