// SPDX-License-Identifier: GPL-2.0
/*
 * The CPUID a guest sees: the host's, less what minikvm does not
 * virtualize, plus the hypervisor leaves.
 */
#include <asm/processor.h>
#include <asm/cpufeatures.h>

#include "../core/minikvm.h"

/* "minikvm" padded with NULs, returned in EBX, ECX, EDX of 0x40000000. */
#define MKVM_SIG_EBX	0x696e696d	/* "mini" */
#define MKVM_SIG_ECX	0x006d766b	/* "kvm\0" */
#define MKVM_SIG_EDX	0

/* CPUID.1:ECX and EDX bits hidden from the guest, and why. */
#define MKVM_HIDE_1_ECX	(BIT(3) |	/* MONITOR: MONITOR/MWAIT exit */ \
			 BIT(5) |	/* VMX: no nested virtualization */ \
			 BIT(6) |	/* SMX */ \
			 BIT(21) |	/* x2APIC: no local APIC yet */ \
			 BIT(24) |	/* TSC deadline timer: no APIC */ \
			 BIT(26) |	/* XSAVE: XSETBV not handled yet */ \
			 BIT(27) |	/* OSXSAVE */ \
			 BIT(28))	/* AVX needs XSAVE */
#define MKVM_HIDE_1_EDX	(BIT(9))	/* APIC */

/**
 * mkvm_guest_cpuid() - the guest's view of one CPUID leaf
 * @vcpu: the asking vCPU
 * @leaf: EAX on input
 * @subleaf: ECX on input
 * @eax: output
 * @ebx: output
 * @ecx: output
 * @edx: output
 */
void mkvm_guest_cpuid(struct mkvm_vcpu *vcpu, u32 leaf, u32 subleaf,
		      u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	if ((leaf & 0xffffff00) == 0x40000000) {
		*eax = *ebx = *ecx = *edx = 0;
		if (leaf == 0x40000000) {
			*eax = 0x40000000;	/* highest hypervisor leaf */
			*ebx = MKVM_SIG_EBX;
			*ecx = MKVM_SIG_ECX;
			*edx = MKVM_SIG_EDX;
		}
		return;
	}

	cpuid_count(leaf, subleaf, eax, ebx, ecx, edx);
	switch (leaf) {
	case 1:
		*ecx &= ~MKVM_HIDE_1_ECX;
		*ecx |= BIT(31);	/* running under a hypervisor */
		*edx &= ~MKVM_HIDE_1_EDX;
		/* Initial APIC id and logical count: one per vCPU. */
		*ebx = (*ebx & 0x0000ffff) | (1 << 16) | (vcpu->id << 24);
		break;
	case 7:
		if (subleaf == 0)
			*ebx &= ~BIT(2);	/* SGX */
		break;
	case 0xd:		/* XSAVE state: not offered */
	case 0x8000000a:	/* SVM features: no nested virtualization */
		*eax = *ebx = *ecx = *edx = 0;
		break;
	case 0x80000001:
		*ecx &= ~BIT(2);	/* SVM */
		break;
	}
}
