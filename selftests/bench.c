// SPDX-License-Identifier: GPL-2.0
/*
 * minikvm measured against KVM: the same guests, the same code, once on
 * /dev/minikvm and once on /dev/kvm (kvm_intel or kvm_amd in the same
 * machine).  Each workload prints the cost of one operation on both and
 * the ratio minikvm/KVM; below 1 minikvm is faster.
 *
 * The results are checked (every exit arrives, the guest did its work);
 * the times are only printed, never judged.  In the emulated lanes the
 * figures are emulated time: QEMU's clock follows the host's, Bochs's
 * counts instructions (ips=100000000).  Compare ratios, not nanoseconds.
 *
 * BENCH_SECONDS (default 0.3, 0.02 on Bochs) is the shortest time a
 * measurement may take; the operation count doubles until it does.
 */
#include <unistd.h>

#include "kvm_util.h"

#define CODE_GPA	0x10000
#define STACK_GPA	0xf000
#define MMIO_GPA	0xd0000000u
#define BENCH_PORT	0x5000
#define TOUCH_MEM	(64 << 20)

/* ESI iterations of CPUID leaf 0: an exit minikvm and KVM handle in the kernel. */
GUEST_CODE16(cpuid_guest,
	".code32\n"
	"1:\n\t"
	"xor %eax, %eax\n\t"
	"cpuid\n\t"
	"dec %esi\n\t"
	"jnz 1b\n\t"
	"hlt\n\t"
	".code16\n\t");

/* ESI OUTs: each one a KVM_EXIT_IO to userspace and back. */
GUEST_CODE16(pio_guest,
	".code32\n\t"
	"mov $" STR(BENCH_PORT) ", %dx\n"
	"1:\n\t"
	"out %eax, %dx\n\t"
	"dec %esi\n\t"
	"jnz 1b\n\t"
	"hlt\n\t"
	".code16\n\t");

/* ESI 4-byte stores outside every slot: each one a KVM_EXIT_MMIO. */
GUEST_CODE16(mmio_guest,
	".code32\n"
	"1:\n\t"
	"movl %esi, " STR(MMIO_GPA) "\n\t"
	"dec %esi\n\t"
	"jnz 1b\n\t"
	"hlt\n\t"
	".code16\n\t");

/* ESI rounds of arithmetic without exits: what the guest costs by itself. */
GUEST_CODE16(compute_guest,
	".code32\n\t"
	"mov $1, %eax\n"
	"1:\n\t"
	"imul $3, %eax, %eax\n\t"
	"add %esi, %eax\n\t"
	"dec %esi\n\t"
	"jnz 1b\n\t"
	"mov %eax, %ebx\n\t"
	"hlt\n\t"
	".code16\n\t");

/* A store to every 4 KiB page from 1 MiB to TOUCH_MEM: first-touch faults. */
GUEST_CODE16(touch_guest,
	".code32\n\t"
	"mov $0x100000, %edi\n"
	"1:\n\t"
	"mov %edi, (%edi)\n\t"
	"add $4096, %edi\n\t"
	"cmp $" STR(TOUCH_MEM) ", %edi\n\t"
	"jb 1b\n\t"
	"hlt\n\t"
	".code16\n\t");

GUEST_CODE16(hlt_guest, "hlt\n\t");

/* One workload: run n operations and say whether they all did what they should. */
struct workload {
	const char *name;
	const char *what;
	bool (*run)(struct vcpu *vcpu, long n);
	const void *start, *end;	/* the guest of a per-exit workload */
};

/* Start the guest at CODE_GPA in 32-bit protected mode with ESI = n. */
static void restart(struct vcpu *vcpu, long n)
{
	struct kvm_regs r;

	vcpu_set_mode(vcpu, MODE_PROT32, CODE_GPA, STACK_GPA);
	vcpu_get_regs(vcpu, &r);
	r.rsi = n;
	vcpu_set_regs(vcpu, &r);
}

static bool run_cpuid(struct vcpu *vcpu, long n)
{
	restart(vcpu, n);
	vcpu_run(vcpu);
	return vcpu->run->exit_reason == KVM_EXIT_HLT;
}

static bool run_pio(struct vcpu *vcpu, long n)
{
	struct kvm_run *run = vcpu->run;
	long exits = 0;

	restart(vcpu, n);
	for (;;) {
		vcpu_run(vcpu);
		if (run->exit_reason != KVM_EXIT_IO)
			break;
		if (run->io.port != BENCH_PORT || run->io.direction != KVM_EXIT_IO_OUT ||
		    run->io.size != 4)
			return false;
		exits++;
	}
	return run->exit_reason == KVM_EXIT_HLT && exits == n;
}

static bool run_mmio(struct vcpu *vcpu, long n)
{
	struct kvm_run *run = vcpu->run;
	long exits = 0;

	restart(vcpu, n);
	for (;;) {
		vcpu_run(vcpu);
		if (run->exit_reason != KVM_EXIT_MMIO)
			break;
		/* The guest stores its countdown: the data shows none was lost. */
		if (run->mmio.phys_addr != MMIO_GPA || !run->mmio.is_write ||
		    run->mmio.len != 4 || *(uint32_t *)run->mmio.data != n - exits)
			return false;
		exits++;
	}
	return run->exit_reason == KVM_EXIT_HLT && exits == n;
}

static bool run_compute(struct vcpu *vcpu, long n)
{
	uint32_t want = 1, i;
	struct kvm_regs r;

	restart(vcpu, n);
	vcpu_run(vcpu);
	for (i = n; i; i--)
		want = want * 3 + i;
	vcpu_get_regs(vcpu, &r);
	return vcpu->run->exit_reason == KVM_EXIT_HLT && (uint32_t)r.rbx == want;
}

/* n VMs of TOUCH_MEM, each created, run over all its pages and destroyed. */
static bool run_touch(struct vcpu *unused, long n)
{
	bool ok = true;

	(void)unused;
	while (n-- && ok) {
		struct vm *vm = vm_create(TOUCH_MEM);
		struct vcpu *vcpu = vcpu_add(vm, 0);
		uint32_t *mem = vm->mem;

		vm_load(vm, CODE_GPA, touch_guest_start, touch_guest_end);
		restart(vcpu, 0);
		vcpu_run(vcpu);
		ok = vcpu->run->exit_reason == KVM_EXIT_HLT &&
		     mem[(TOUCH_MEM - 4096) / 4] == TOUCH_MEM - 4096;
		vcpu_free(vcpu);
		vm_free(vm);
	}
	return ok;
}

/* n VMs with a vCPU and a slot, each running one HLT and destroyed. */
static bool run_lifecycle(struct vcpu *unused, long n)
{
	bool ok = true;

	(void)unused;
	while (n-- && ok) {
		struct vm *vm = vm_create(1 << 20);
		struct vcpu *vcpu = vcpu_add(vm, 0);

		vm_load(vm, GUEST_LOAD, hlt_guest_start, hlt_guest_end);
		vcpu_real_mode(vcpu, GUEST_SEG, 0);
		vcpu_run(vcpu);
		ok = vcpu->run->exit_reason == KVM_EXIT_HLT;
		vcpu_free(vcpu);
		vm_free(vm);
	}
	return ok;
}

static const struct workload workloads[] = {
	{ "cpuid", "CPUID exit handled in the kernel", run_cpuid,
	  cpuid_guest_start, cpuid_guest_end },
	{ "pio", "OUT to userspace and back", run_pio, pio_guest_start, pio_guest_end },
	{ "mmio", "MMIO store to userspace and back", run_mmio,
	  mmio_guest_start, mmio_guest_end },
	{ "compute", "guest arithmetic, no exits (per round)", run_compute,
	  compute_guest_start, compute_guest_end },
	{ "touch_64m", "VM whose guest touches 64 MiB (per VM)", run_touch, NULL, NULL },
	{ "lifecycle", "VM created, one HLT, destroyed (per VM)", run_lifecycle, NULL, NULL },
};

/*
 * Measure one workload on one device: double the operation count until
 * a run takes min_seconds, and give the cost of one operation in ns of
 * that last run (0 when a run went wrong).
 */
static double measure(const struct workload *w, const char *dev, double min_seconds)
{
	struct vm *vm = NULL;
	struct vcpu *vcpu = NULL;
	double t, ns = 0;
	long n = w->start ? 16 : 1;

	setenv("MINIKVM_DEVICE", dev, 1);
	if (w->start) {
		vm = vm_create(1 << 20);
		vcpu = vcpu_add(vm, 0);
		vm_load(vm, CODE_GPA, w->start, w->end);
		/* Warm up: the guest's pages mapped, the exit paths run once. */
		if (!w->run(vcpu, 1))
			goto out;
	}
	for (;; n *= 2) {
		t = now_seconds();
		if (!w->run(vcpu, n))
			goto out;
		t = now_seconds() - t;
		if (t >= min_seconds || n >= 1L << 30)
			break;
	}
	ns = t * 1e9 / n;
out:
	if (vm) {
		vcpu_free(vcpu);
		vm_free(vm);
	}
	return ns;
}

int main(void)
{
	const char *lane = lane_name();
	double min_seconds = env_double("BENCH_SECONDS", !strcmp(lane, "bochs") ? 0.02 : 0.3);
	unsigned int i;

	/* Both devices or nothing to compare: kvm_intel or kvm_amd must be loaded. */
	require_device("/dev/minikvm");
	require_device("/dev/kvm");
	ktap_plan(sizeof(workloads) / sizeof(workloads[0]));
	for (i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++) {
		const struct workload *w = &workloads[i];
		double mkvm = measure(w, "/dev/minikvm", min_seconds);
		double kvm = measure(w, "/dev/kvm", min_seconds);

		ktap_info("bench %s %s minikvm_ns=%.1f kvm_ns=%.1f ratio=%.3g (%s)", lane, w->name,
			  mkvm, kvm, kvm > 0 ? mkvm / kvm : 0, w->what);
		ktap_result(mkvm > 0 && kvm > 0, "%s", w->name);
	}
	return ktap_finish();
}
