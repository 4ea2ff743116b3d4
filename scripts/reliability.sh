#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Write Documentation/reliability.rst from the figures the last lane runs
# printed (build/lane-*/serial.log): the fuzzer's summary and the leak
# test's counts.  scripts/check.sh runs it after the lanes.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/Documentation/reliability.rst
figures() {
	log=$top/build/lane-$1/serial.log
	[ -f "$log" ] || { echo "  (no run recorded)"; return; }
	tr -d '\r' < "$log" | grep -E '^ *(# )?(fuzz [a-z]+ ops=|# [0-9]+ KVM_RUNs|# leak |# seed )' |
		sed 's/^ *# */  /; s/^ *fuzz/  fuzz/'
	tr -d '\r' < "$log" | grep -E '^(not )?ok [0-9]+ (fuzz|leaks|dmesg_clean|kmemleak)' | sed 's/^/  /'
}
{
cat <<'RST'
===========
Reliability
===========

What was tried against minikvm, how much, and what survived.  The figures
below are copied from the last lane runs by ``scripts/reliability.sh``
(``scripts/check.sh`` runs it); the tests themselves fail on any
unexpected result.

The ioctl fuzzer
================

``selftests/fuzz.c``, seeded (``FUZZ_SEED``, default 1), 100,000
operations (``FUZZ_OPS``) per lane: every system, VM and vCPU ioctl
minikvm implements, plus unknown ioctl numbers, with edge and random
arguments: slot ids at and past the limit and with address-space bits,
unaligned, wrapping and huge addresses and sizes, overlapping slots,
read-only and unknown slot flags, bad userspace addresses; reserved bits
in CR0, CR4 and EFER, random segment attributes and modes; vCPU ids past
the limit and in use; random MSR lists, CPUID tables, debug controls,
XSAVE images and XCRs; bad pointers; mmap of vCPU fds at random offsets,
sizes and protections.  With ``FUZZ_RANDOM_CODE=1`` (Bochs only) it also
runs 256 random bytes in real mode, 32-bit protected, 32-bit paged, PAE and
long mode behind an IDT whose every gate halts: one such pass gave 3,586
runs (594 IO, 144 MMIO, 1,234 HLT, 36 SHUTDOWN, 979 internal errors, 194
entry failures), no unexpected errno and no kernel report, but the last
CI-style run with it did not finish on Bochs within the lane's 30 minutes,
so it is off by default until that is understood.  Two threads race the
main one: one signals it every millisecond while it is in KVM_RUN, the
other calls KVM_GET_REGS on the running vCPU.  An operation fails the run when it returns an errno
that Documentation/api.rst does not list for it ("unexpected"); any oops,
BUG, WARNING, lockdep, KASAN or UBSAN report in the kernel log fails it
too ("oops").  Every other selftest runs after it on the same machine.

Hostile guests, leaks and lifecycle
===================================

* ``leaks``: the module's live objects (``/sys/kernel/debug/minikvm/
  objects``: VMs, vCPUs, pinned pages, EPT/NPT tables) are 0 before it
  and after 10,000 VMs with two vCPUs, two slots and a run each; after 25
  long-mode guests that each touch every page of 64 MiB (16,132 pinned
  pages per run; the issue's 1,000 runs take hours in the emulators); after
  a process killed by SIGKILL inside KVM_RUN; after a vCPU fd closed by
  another thread during KVM_RUN; and after five offline/online cycles of
  CPU 1 under a running vCPU.  MemAvailable comes back within 4 MiB.
* ``rmmod``: unloading is refused with a VM open and leaves every CPU with
  VMX/SVM off; ``hotplug``: VMXON/VMXOFF and EFER.SVME follow CPU hotplug.
* ``mmio``, ``exits``, ``triple_fault``, ``invalid_state``, ``msrs``:
  guest accesses outside every slot, unknown MSRs, triple faults and
  invalid guest state end in defined exits or injected exceptions.
* ``make check-debug`` runs all of it on a KASAN/KMEMLEAK/lockdep/UBSAN
  kernel in the QEMU lane and adds a kmemleak scan.

Known limits
============

* QEMU 7.2's TCG can hang its emulated CPU while a nested guest runs
  random code (an RCU stall, or a machine that stops making progress):
  kvm_amd in the same machine hangs just the same with the same fuzzer,
  and the triple_fault test met one such hang in real-mode exception
  delivery.  On QEMU, recognised by its DMI vendor, the fuzzer never runs
  random code.
* ``make check-debug`` (KASAN, KMEMLEAK, lockdep, UBSAN kernel, QEMU lane)
  passed api, mmio, xsave, debug, exits, fpu and the fuzzer (100,000
  operations, 0 unexpected, 0 kernel reports) with a clean dmesg and a
  clean kmemleak scan; the leak test's 10,000 VMs took longer than the
  600 s a test may take there, so on a debug kernel it now creates 1,000
  (not yet rerun).
* Not yet covered: a guest that probes every I/O port and MSR index range,
  canary pages around a slot's host memory, and a check of the host's
  control registers after a run.

Figures from the last runs
==========================

RST
for lane in qemu bochs; do
	echo "$lane lane::"
	echo
	figures "$lane"
	echo
done
} > "$out"
