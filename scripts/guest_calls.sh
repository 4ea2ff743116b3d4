#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Check the guest code of a selftest binary (section guest_text, the
# functions marked __guest; selftests/lib/guest.h): every direct call or
# jump from it must land inside it, and it must not touch %fs or %gs (the
# host's TLS, which the guest does not have).  Anything else would run
# host code in the guest, where libc has no state: a call to printf, or
# to memset that GCC made of a loop.  Indirect calls (handlers) are not
# seen.  Prints each offence; exit status 1 if there is one.
# usage: guest_calls.sh BINARY
set -u
bin=$1
objdump -h "$bin" | grep -q ' guest_text ' || exit 0
objdump -d --no-show-raw-insn -j guest_text "$bin" | awk -v bin="$bin" '
# Addresses as 16 hex digits, so that comparing strings compares numbers.
function pad(a) { return substr("0000000000000000", length(a) + 1) a }
/^[0-9a-f]+ <.*>:$/ { fn = $2; gsub(/[<>:]/, "", fn) }
/^ *[0-9a-f]+:\t/ {
	addr = $1; sub(":", "", addr)
	insn = $0; sub(/^ *[0-9a-f]+:\t/, "", insn)
	a = pad(addr)
	if (lo == "" || a < lo) lo = a
	if (hi == "" || a > hi) hi = a
	if ($0 ~ /%[fg]s:/)
		bad[++n] = fn " at " addr ": " insn " uses %fs or %gs"
	if ($2 ~ /^(call|jmp|j[a-z]+)$/ && $3 ~ /^[0-9a-f]+$/) {
		nt++
		tgt[nt] = pad($3)
		what[nt] = fn " at " addr ": " $2 " " $3 " " $4
	}
}
END {
	for (i = 1; i <= nt; i++)
		if (tgt[i] < lo || tgt[i] > hi)
			bad[++n] = what[i] " is not guest code (mark it __guest)"
	for (i = 1; i <= n; i++)
		printf "%s: guest code %s\n", bin, bad[i]
	exit n > 0
}'
