// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux guest's CPUID: what the device supports
 * (KVM_GET_SUPPORTED_CPUID), less what a guest with no local APIC must
 * not see, given to the vCPU with KVM_SET_CPUID2.
 *
 * The launcher creates no in-kernel irqchip: the interrupt controller is
 * the 8259A pair in pic.c and the timer the 8254 in pit.c.  A guest that
 * saw a local APIC would program it (at 0xfee00000, or through the
 * x2APIC MSRs) and wait for interrupts that never come.  Without the
 * APIC bit Linux takes the PIC path by itself (apic_intr_mode_select():
 * "APIC disabled by BIOS", APIC_PIC), with the PIT as its clock event
 * device.  Bits cleared, and why:
 *
 *   1.EDX[9]           APIC: there is no local APIC.
 *   1.ECX[21]          x2APIC: the same APIC through MSRs.
 *   1.ECX[24]          TSC-deadline: a mode of the APIC timer.
 *   0x80000001.EDX[9]  AMD's copy of the APIC bit, cleared so that both
 *                      leaves agree.
 *
 * and, only when leaf 0x40000000 says "KVMKVMKVM" (kvm.ko), in the KVM
 * feature leaf 0x40000001.EAX:
 *
 *   bit 14 ASYNC_PF_INT, bit 4 ASYNC_PF, bit 10 ASYNC_PF_VMEXIT:
 *          asynchronous page faults signal "page ready" with an APIC
 *          interrupt; KVM refuses MSR_KVM_ASYNC_PF_INT without an
 *          in-kernel local APIC (kvm_pv_enable_async_pf_int()) and the
 *          guest's WRMSR then faults ("unchecked MSR access error").
 *   bit 6  PV_EOI: a shortcut for the local APIC's EOI register.
 *
 * The hypervisor bit (1.ECX[31]) is set, as QEMU sets it (kvm.ko leaves it
 * to the VMM); the hypervisor leaves stay as the device gives them.  PV_UNHALT, PV_TLB_FLUSH, PV_SEND_IPI and
 * PV_SCHED_YIELD are left: Linux uses them only with more than one CPU.
 */
#include "cpuid.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define MAX_ENTRIES	4096

struct mask {
	uint32_t function;
	int reg;		/* 0 EAX, 1 EBX, 2 ECX, 3 EDX */
	uint32_t bits;
	const char *why;
};

static const struct mask apic_masks[] = {
	{ 1, 3, 1u << 9, "APIC" },
	{ 1, 2, 1u << 21, "x2APIC" },
	{ 1, 2, 1u << 24, "TSC-deadline" },
	{ 0x80000001, 3, 1u << 9, "AMD APIC" },
};

static const struct mask kvm_pv_masks[] = {
	{ 0x40000001, 0, 1u << 4 | 1u << 10 | 1u << 14, "KVM async page faults" },
	{ 0x40000001, 0, 1u << 6, "KVM PV EOI" },
};

static uint32_t *reg_of(struct kvm_cpuid_entry2 *e, int reg)
{
	switch (reg) {
	case 0: return &e->eax;
	case 1: return &e->ebx;
	case 2: return &e->ecx;
	default: return &e->edx;
	}
}

static void apply(struct kvm_cpuid2 *c, const struct mask *m, int verbose)
{
	uint32_t i, *r;

	for (i = 0; i < c->nent; i++) {
		if (c->entries[i].function != m->function)
			continue;
		r = reg_of(&c->entries[i], m->reg);
		if ((*r & m->bits) && verbose)
			fprintf(stderr, "minikvm-run: CPUID %#x: %s hidden\n", m->function, m->why);
		*r &= ~m->bits;
	}
}

static bool is_kvm(const struct kvm_cpuid2 *c)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 0x40000000)
			return e->ebx == 0x4b4d564b && e->ecx == 0x564b4d56 && e->edx == 0x4d;
	}
	return false;
}

int cpuid_setup(int sys_fd, int vcpu_fd, int verbose)
{
	struct kvm_cpuid2 *c = NULL;
	uint32_t nent = 64, i;
	int ret = -1;

	for (;;) {
		free(c);
		c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
		if (!c)
			return -1;
		c->nent = nent;
		if (ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			break;
		if (errno == E2BIG && nent < MAX_ENTRIES) {
			nent *= 2;
			continue;
		}
		if (errno == ENOTTY || errno == EINVAL) {
			if (verbose)
				fprintf(stderr, "minikvm-run: warning: the device has no "
					"KVM_GET_SUPPORTED_CPUID (%s): the guest keeps its "
					"default CPUID, APIC included\n", strerror(errno));
			ret = 1;
		} else {
			perror("minikvm-run: KVM_GET_SUPPORTED_CPUID");
		}
		goto out;
	}

	for (i = 0; i < sizeof(apic_masks) / sizeof(apic_masks[0]); i++)
		apply(c, &apic_masks[i], verbose);
	if (is_kvm(c))
		for (i = 0; i < sizeof(kvm_pv_masks) / sizeof(kvm_pv_masks[0]); i++)
			apply(c, &kvm_pv_masks[i], verbose);

	/*
	 * The hypervisor bit, as QEMU sets it: kvm.ko's supported CPUID
	 * leaves it to the VMM, minikvm's has it already.
	 */
	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			c->entries[i].ecx |= 1u << 31;

	if (ioctl(vcpu_fd, KVM_SET_CPUID2, c) < 0) {
		perror("minikvm-run: KVM_SET_CPUID2");
		goto out;
	}
	ret = 0;
out:
	free(c);
	return ret;
}
