#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Follow one lane's console (stdin, as scripts/lane.sh prints it) and show
# where the run is: each selftest's name when it starts and its result with
# the wall time it took, "[LANE mm:ss]" ahead of each line.  Everything
# read is kept in CONSOLE.  When the console ends in the middle of a test
# (the machine timed out, hung or crashed), says which test it was and for
# how long it had been running.
# usage: lane.sh LANE check | progress.sh LANE CONSOLE
set -u
lane=$1
console=$2
: > "$console"
start=$(date +%s)
cur=
cur_t0=0
stamp() {
	now=$(date +%s)
	el=$((now - start))
	printf '[%s %02d:%02d] ' "$lane" $((el / 60)) $((el % 60))
}
cr=$(printf '\r')
: > "$console.current"
while IFS= read -r line; do
	line=${line%"$cr"}
	printf '%s\n' "$line" >> "$console"
	case $line in
	"# running "*)
		cur=${line#\# running }
		cur_t0=$(date +%s)
		echo "$(stamp)$cur ..."
		;;
	"ok "[0-9]*|"not ok "[0-9]*)
		if [ -n "$cur" ]; then
			echo "$(stamp)$line ($(($(date +%s) - cur_t0)) s)"
		else
			echo "$(stamp)$line"
		fi
		cur=
		;;
	"minikvm-lane: "*|"lane $lane: "*)
		echo "$(stamp)$line"
		;;
	esac
	# The state a reader needs if the stream stops here.
	printf '%s %s\n' "$cur_t0" "$cur" > "$console.current"
done
read -r t0 name < "$console.current" 2>/dev/null || name=
rm -f "$console.current"
if [ -n "${name:-}" ]; then
	echo "$(stamp)the lane stopped while $name was running, after $(($(date +%s) - t0)) s"
fi
exit 0
