#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run minikvm's selftests and print KTAP, as Linux's run_kselftest.sh runs
# an installed kselftest tree (make -C selftests install INSTALL_PATH=DIR,
# then DIR/run_kselftest.sh), or the tests it is given (make -C selftests
# run_tests passes the build's).
#
# usage: run_kselftest.sh [OPTIONS] [TEST...]
#   -t, --test [COLLECTION:]TEST  run TEST (may be repeated)
#   -c, --collection COLLECTION   run every test of COLLECTION (minikvm)
#   -l, --list                    list the COLLECTION:TEST lines and exit
#   -d, --dry-run                 say what would run, run nothing
#   -h, --help
# A TEST argument is a name from the list, or a path to a test program.
# With no TEST, every test of kselftest-list.txt, in its order.
#
# Beside this script: kselftest-list.txt (the install writes it),
# settings (timeout=) and kselftest/runner.sh; the installed programs too.
# The time limit per test is TEST_TIMEOUT seconds if set, else settings'
# (kselftest/runner.sh).  What the tests read from the environment
# (MINIKVM_DEVICE, MINIKVM_RUN, ...) passes through:
# Documentation/testing.rst.
#
# Exit status: 0 when no test failed (a skip is not a failure), 1 when one
# did, 2 for a usage error or a test that is not in the list.
BASE_DIR=$(cd "$(dirname "$0")" && pwd)
list=$BASE_DIR/kselftest-list.txt
available=
[ -r "$list" ] && available=$(cat "$list")

usage() {
	sed -n '/^# usage:/,/^#   -h/s/^# \{0,1\}//p' "$0"
	exit "$1"
}

# The list's COLLECTION:TEST line for NAME (with or without COLLECTION:).
lookup() {
	case $1 in
	*:*) echo "$available" | grep -x -F -- "$1" ;;
	*) echo "$available" | grep -- ":$1\$" | head -1 ;;
	esac
}

selected=
dryrun=
while [ $# -gt 0 ]; do
	case $1 in
	-t | --test)
		[ $# -ge 2 ] || usage 2
		selected="$selected $2"
		shift 2
		;;
	-c | --collection)
		[ $# -ge 2 ] || usage 2
		found=$(echo "$available" | grep "^$2:")
		if [ -z "$found" ]; then
			echo "run_kselftest.sh: no collection '$2' in $list" >&2
			exit 2
		fi
		selected="$selected $found"
		shift 2
		;;
	-l | --list)
		echo "$available"
		exit 0
		;;
	-d | --dry-run)
		dryrun=1
		shift
		;;
	-h | --help)
		usage 0
		;;
	--)
		shift
		selected="$selected $*"
		break
		;;
	-*)
		usage 2
		;;
	*)
		selected="$selected $1"
		shift
		;;
	esac
done
if [ -z "$selected" ]; then
	if [ -z "$available" ]; then
		echo "run_kselftest.sh: no $list: install the suite (make -C selftests install) or name the tests" >&2
		exit 2
	fi
	selected=$available
fi

# Each selected test as a path: names through the list, to this directory.
paths=
for t in $selected; do
	case $t in
	*/*)
		paths="$paths $t"
		;;
	*)
		entry=$(lookup "$t")
		if [ -z "$entry" ]; then
			echo "run_kselftest.sh: no test '$t' in $list" >&2
			exit 2
		fi
		paths="$paths $BASE_DIR/${entry#*:}"
		;;
	esac
done

if [ -n "$dryrun" ]; then
	for p in $paths; do
		echo "$p"
	done
	exit 0
fi

. "$BASE_DIR/kselftest/runner.sh"
# shellcheck disable=SC2086 # one word per path
ksft_run_many $paths
[ "$ksft_failed" -eq 0 ] || exit 1
exit 0
