#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Boot one emulated test machine and show its serial console.
# usage: [TESTS="name ..."] lane.sh qemu|bochs run|check [LOG]
#   qemu:  QEMU TCG with an AMD EPYC CPU offering SVM and NPT
#   bochs: Bochs with a Skylake-X CPU offering VMX, EPT, VPID and
#          unrestricted guest
# The machine powers off when done; a hung one is stopped after a timeout:
# QEMU_TIMEOUT / BOCHS_TIMEOUT seconds (900 / 2700; the lanes take about
# 3 and 24 minutes on the reference machine) times the slowness that
# scripts/calibrate.sh measured, MKVM_SLOW_TENTHS (10 = as fast as the
# reference).  The guest's per-test timeouts scale by the same factor.
# Exit status: 0 when the machine reported "minikvm-lane: done", 1 if not.
set -u
lane=$1
mode=$2
top=$(cd "$(dirname "$0")/.." && pwd)
# The debug lane keeps its files apart, in build/lane-debug.
work=$top/build/lane-${MKVM_LANE_DIR:-$lane}
log=${3:-$work/serial.log}
# The debug lane passes its own kernel in MKVM_KERNEL.
if [ -n "${MKVM_KERNEL:-}" ]; then
	kernel=$MKVM_KERNEL
else
	kver=$("$top/scripts/kdir.sh") || exit 1
	kernel=/boot/vmlinuz-$kver
fi
mkdir -p "$work"
rm -f "$log"
"$top/scripts/mkinitrd.sh" "$work/initrd.gz" || exit 1
slow=${MKVM_SLOW_TENTHS:-10}
append="console=ttyS0,115200 quiet panic=-1 minikvm.mode=$mode minikvm.lane=$lane"
append="$append minikvm.slow=$(((slow + 9) / 10))"
# Bochs 2.7 reports XSAVE sizes for the AVX-512 state that do not add up,
# and the kernel then turns XSAVE off altogether (a boot-time WARN).
# Without AVX-512 the host keeps XSAVE and AVX, which minikvm's guests use.
# And Bochs 2.7's XSAVES and XSAVEC write YMM_Hi128 at the wrong offset of
# the compacted format (over the XSAVE header's reserved bytes): a task's
# saved AVX state is lost, and the kernel's next XRSTORS of it faults
# ("Bad FPU state detected", bochs.log: "XRSTORS: Reserved header3").
# Without XSAVES and XSAVEC the kernel saves tasks with XSAVEOPT in the
# standard format, which Bochs gets right (Documentation/testing.rst).
[ "$lane" = bochs ] && append="$append clearcpuid=avx512f,xsaves,xsavec"
# MKVM_ENV="FUZZ_SEED=2 LEAK_RUNS=10" passes settings to the selftests
# (the kernel gives NAME=value words of its command line to init).
[ -n "${MKVM_ENV:-}" ] && append="$append $MKVM_ENV"
# TESTS="a b" runs only those selftests (check mode).
[ -n "${TESTS:-}" ] && append="$append minikvm.tests=$(echo $TESTS | tr ' ' ,)"
# MKVM_GUEST=linux (make run GUEST=linux): run mode boots a Linux guest
# with a shell; the QEMU lane then puts its console on this terminal.
[ -n "${MKVM_GUEST:-}" ] && append="$append minikvm.guest=$MKVM_GUEST"

if [ "$lane" = qemu ] && [ "${MKVM_GUEST:-}" = linux ] && [ "$mode" = run ]; then
	# Interactive: the serial console on this terminal (Ctrl-A x leaves
	# QEMU as well), no log file, no time limit.
	exec qemu-system-x86_64 -machine q35 -accel tcg,thread=single \
		-cpu EPYC,+svm,+npt -smp 2 -m "${MKVM_MEM:-512}" -nographic -no-reboot \
		-kernel "$kernel" -initrd "$work/initrd.gz" -append "$append" \
		-serial mon:stdio -display none
fi

case $lane in
qemu)
	tmo=$((${QEMU_TIMEOUT:-900} * slow / 10))
	# One host thread for both CPUs (thread=single).  With multi-threaded
	# TCG, QEMU 7.2 can keep running a stale translation of kernel text
	# that the other CPU has just patched (a static key flipped by
	# text_poke_bp), and that CPU then spins for good on an int3 or a nop
	# that is no longer there: KVM's own VM create/destroy alone froze the
	# machine within 500 cycles, minikvm not even loaded
	# (Documentation/reliability.rst, "Known limits").
	timeout -k 10 "$tmo" qemu-system-x86_64 -machine q35 -accel tcg,thread=single \
		-cpu EPYC,+svm,+npt -smp 2 -m "${MKVM_MEM:-512}" -nographic -no-reboot \
		-kernel "$kernel" -initrd "$work/initrd.gz" -append "$append" \
		-serial "file:$log" -monitor none -display none \
		2> "$work/qemu.stderr" < /dev/null &
	pid=$!
	;;
bochs)
	tmo=$((${BOCHS_TIMEOUT:-2700} * slow / 10))
	iso=$work/iso
	rm -rf "$iso"
	mkdir -p "$iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso/isolinux/"
	cp "$kernel" "$iso/vmlinuz"
	cp "$work/initrd.gz" "$iso/initrd.gz"
	cat > "$iso/isolinux/isolinux.cfg" <<CFG
SERIAL 0 115200
DEFAULT minikvm
PROMPT 0
LABEL minikvm
  KERNEL /vmlinuz
  APPEND initrd=/initrd.gz $append
CFG
	xorriso -as mkisofs -quiet -o "$work/boot.iso" -b isolinux/isolinux.bin \
		-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 \
		-boot-info-table "$iso" 2> "$work/xorriso.log" || exit 1
	cat > "$work/bochsrc" <<RC
megs: 512
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=corei7_skylake_x, count=2, ips=100000000
ata0-master: type=cdrom, path="$work/boot.iso", status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev="$log"
display_library: rfb, options="timeout=0"
clock: sync=none, time0=1
panic: action=fatal
error: action=report
log: $work/bochs.log
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
RC
	echo c > "$work/bochs.rc"
	(cd "$work" && exec timeout -k 10 "$tmo" bochs -q -f "$work/bochsrc" -rc "$work/bochs.rc" \
		> "$work/bochs.stdout" 2>&1 < /dev/null) &
	pid=$!
	;;
*)
	echo "lane.sh: unknown lane $lane" >&2
	exit 2
	;;
esac

# Show the console as it grows, until the machine stops.
touch "$log"
tail -n +1 -f "$log" --pid=$pid 2>/dev/null &
tailpid=$!
# A machine whose kernel said "Power down" but that is still there 30 s
# later did not manage to power off (QEMU after an S3 resume): stop it.
while kill -0 $pid 2>/dev/null; do
	if grep -q "reboot: Power down" "$log" 2>/dev/null; then
		for i in $(seq 15); do
			kill -0 $pid 2>/dev/null || break
			sleep 2
		done
		kill $pid 2>/dev/null
		break
	fi
	sleep 2
done
wait $pid
rc=$?
sleep 1
kill $tailpid 2>/dev/null
wait $tailpid 2>/dev/null
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "lane $lane: machine timed out after ${tmo}s"
fi
if grep -q "minikvm-lane: done" "$log"; then
	exit 0
fi
echo "lane $lane: the machine never reported (emulator exit code $rc)"
exit 1
