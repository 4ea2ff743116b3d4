#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Write Documentation/benchmarks.rst from the "bench" lines the last lane
# runs printed (build/lane-*/serial.log).  scripts/check.sh and
# scripts/bench.sh run it after the lanes.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/Documentation/benchmarks.rst
old=
[ -f "$out" ] && old=$(mktemp) && cp "$out" "$old" && trap 'rm -f "$old"' EXIT
# One table per lane: workload, both costs with a unit, the ratio, what it is.
# table DIR [LANE]: the bench lines of build/lane-DIR (LANE: DIR).
table() {
	log=$top/build/lane-$1/serial.log
	lines=$( [ -f "$log" ] && tr -d '\r' < "$log" | grep -E "^ *# bench ${2:-$1} ")
	if [ -z "$lines" ]; then
		echo "(no run recorded)"
		return
	fi
	echo "$lines" | awk '
	function unit(ns) {
		if (ns >= 1e6) return sprintf("%.1f ms", ns / 1e6)
		if (ns >= 1e3) return sprintf("%.1f us", ns / 1e3)
		return sprintf(ns >= 10 ? "%.0f ns" : "%.1f ns", ns)
	}
	BEGIN {
		rule = "===========  ==========  ==========  ===========  ============================================="
		print rule
		printf "%-11s  %-10s  %-10s  %-11s  %s\n", "workload", "minikvm", "KVM", "minikvm/KVM", "one operation is"
		print rule
	}
	{
		name = $4; mk = $5; kv = $6; ratio = $7
		sub(/^minikvm_ns=/, "", mk); sub(/^kvm_ns=/, "", kv); sub(/^ratio=/, "", ratio)
		what = $0; sub(/^[^(]*\(/, "", what); sub(/\)$/, "", what)
		printf "%-11s  %-10s  %-10s  %-11s  %s\n", name, unit(mk + 0), unit(kv + 0), ratio, what
	}
	END { print rule }'
}
{
cat <<'RST'
=====================
minikvm against KVM
=====================

``selftests/bench.c`` runs the same guests through the same code on
``/dev/minikvm`` and on ``/dev/kvm`` (kvm_amd in the QEMU lane, kvm_intel
in the Bochs lane), one after the other in the same machine, and prints
the cost of one operation on each and the ratio minikvm/KVM: below 1,
minikvm is faster.  The test checks that every workload did its work on
both (every exit arrived, with the right data); it never judges a time.
Every selftest lane runs it (about 10 s on QEMU), and ``make bench``
runs only it, longer (``BENCH_SECONDS``, the shortest a measurement may
take; the operation count doubles until a run lasts that long).

Read the figures as emulated costs.  Neither lane has real VT-x or AMD-V:
QEMU's TCG emulates SVM, and its clock follows the host's, so a figure is
what the emulated instructions cost on this machine; Bochs's clock is
its own (``clock: sync=none``, ``ips=100000000``): it advances with the
emulated work, not with real time.  The ratios
say which hypervisor does less work on the same path; the absolute
numbers say nothing about hardware.  QEMU runs its machine's two CPUs on
one host thread (``-accel tcg,thread=single``, Documentation/testing.rst),
and in ``make check`` the two lanes run at the same time, one host core
each; ``make bench`` boots them one after the other.

What each workload does
=======================

* **cpuid**: the guest loops over CPUID leaf 0, an exit both handle in
  the kernel: one exit and one entry per operation.
* **pio**: the guest loops over a 32-bit OUT to a port no device
  claims: every operation is a KVM_EXIT_IO to userspace and a KVM_RUN
  back.
* **mmio**: the same with a 4-byte store to an address outside every
  slot (KVM_EXIT_MMIO).  The guest stores its loop counter and the test
  checks every value arrives, in order.
* **compute**: guest arithmetic with no exits; both should be near 1.0.
  A figure far from it would mean one of them takes exits the guest did
  not ask for (minikvm arms the VMX-preemption timer on Bochs).
* **touch_64m**: a new VM whose guest stores to each of its 16,128 pages
  above 1 MiB, then is destroyed: first-touch faults, pinning and
  release.  minikvm maps up to 16 pages a fault (fault-around).
* **lifecycle**: create a VM, a vCPU and a slot, run one HLT, destroy
  it all.

Speculation mitigations
=======================

Both hypervisors do on VM entry and exit what the running kernel's
mitigation settings ask for on the CPU (``kmod/x86/spec.c``,
Documentation/security.rst): the first table of each lane is with the
kernel's defaults, the second from a boot with ``mitigations=off``,
where both skip them.  ``make bench`` runs both boots; ``make check``
refreshes the first table only.  In the QEMU lane the emulated EPYC asks
for RSB filling and return untraining on every exit (retpolines,
retbleed's untrained return thunk) and the divider clear; the Bochs
lane's emulated Xeon for VERW before every entry, RSB filling after
every exit and an L1D flush before entries that follow host work.

The causes of the differences have not been profiled yet; the exit
tracepoints (``minikvm:minikvm_exit``, Documentation/tracing.rst) and
KVM's own (``kvm:kvm_exit``) are where to start.

Figures from the last runs
==========================

RST
for lane in qemu bochs; do
	case $lane in
	qemu) name="QEMU lane (SVM, NPT; kvm_amd as the peer)" ;;
	bochs) name="Bochs lane (VMX, EPT, VPID; kvm_intel as the peer)" ;;
	esac
	echo "$name, the kernel's mitigations on (both hypervisors apply them):"
	echo
	table "$lane"
	echo
	# make bench's second boot, with mitigations=off on the command line.
	# A run that did not happen here keeps the figures already written.
	title="$name, mitigations=off:"
	echo "$title"
	echo
	if [ -f "$top/build/lane-nomit-$lane/serial.log" ]; then
		table "nomit-$lane" "$lane"
	elif [ -n "$old" ] && grep -qxF "$title" "$old"; then
		awk -v t="$title" '$0 == t { on = 1; getline; next }
			on && /^$/ && seen { exit } on { seen = 1; print }' "$old"
	else
		echo "(no run recorded: make bench)"
	fi
	echo
done
} > "$out.new"
mv "$out.new" "$out"
