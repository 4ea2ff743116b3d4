// SPDX-License-Identifier: GPL-2.0
/*
 * Segment and control register state given through KVM_SET_SREGS: the
 * checks KVM makes before accepting it, and the RESET state.
 */
#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "../core/minikvm.h"

static u64 mkvm_cr4_allowed(void)
{
	u64 ok = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
		 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE |
		 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;

	if (boot_cpu_has(X86_FEATURE_FSGSBASE))
		ok |= X86_CR4_FSGSBASE;
	if (boot_cpu_has(X86_FEATURE_PCID))
		ok |= X86_CR4_PCIDE;
	if (boot_cpu_has(X86_FEATURE_SMEP))
		ok |= X86_CR4_SMEP;
	if (boot_cpu_has(X86_FEATURE_SMAP))
		ok |= X86_CR4_SMAP;
	if (boot_cpu_has(X86_FEATURE_UMIP))
		ok |= X86_CR4_UMIP;
	if (mkvm_xfeatures)
		ok |= X86_CR4_OSXSAVE;
	return ok;
}

/*
 * CR4 bits that the guest's own CPUID must offer before it may set them
 * (SDM Vol. 3A, 2.5: setting a bit for a feature the processor lacks is
 * #GP), as KVM checks them against the guest's CPUID.
 */
static u64 mkvm_cr4_guest_reserved(struct mkvm_vcpu *vcpu)
{
	u32 eax, ebx, ecx, edx;
	u64 rsvd = 0;

	mkvm_guest_cpuid(vcpu, 1, 0, &eax, &ebx, &ecx, &edx);
	if (!(ecx & BIT(26)))
		rsvd |= X86_CR4_OSXSAVE;
	if (!(ecx & BIT(17)))
		rsvd |= X86_CR4_PCIDE;
	mkvm_guest_cpuid(vcpu, 7, 0, &eax, &ebx, &ecx, &edx);
	if (!(ebx & BIT(0)))
		rsvd |= X86_CR4_FSGSBASE;
	if (!(ebx & BIT(7)))
		rsvd |= X86_CR4_SMEP;
	if (!(ebx & BIT(20)))
		rsvd |= X86_CR4_SMAP;
	if (!(ecx & BIT(2)))
		rsvd |= X86_CR4_UMIP;
	return rsvd;
}

/**
 * mkvm_cr4_valid() - may this guest have this CR4?
 * @vcpu: the vCPU, for its CPUID
 * @cr4: the value
 *
 * Bits minikvm never gives a guest (VMXE, SMXE, PKE, LA57, ...) and bits
 * of features the guest's CPUID does not list are refused, for
 * KVM_SET_SREGS and for the guest's own MOV to CR4 alike.
 *
 * Return: true when it sets only bits this guest may set.
 */
bool mkvm_cr4_valid(struct mkvm_vcpu *vcpu, u64 cr4)
{
	return !(cr4 & (~mkvm_cr4_allowed() | mkvm_cr4_guest_reserved(vcpu)));
}

/**
 * mkvm_cr4_write_valid() - would the guest's MOV to CR4 succeed?
 * @vcpu: the vCPU, for its CPUID
 * @old: the guest's CR4 before the write
 * @cr4: the value written
 * @efer: the guest's EFER
 * @cr3: the guest's CR3
 *
 * The bits this guest may have (mkvm_cr4_valid()), PAE kept in long mode,
 * PCIDE only in long mode and only set while CR3[11:0] is 0 (SDM Vol. 3A,
 * 2.5, 4.10.1), for both backends' CR4 write exits.
 *
 * Return: true when valid, false for #GP(0).
 */
bool mkvm_cr4_write_valid(struct mkvm_vcpu *vcpu, u64 old, u64 cr4, u64 efer, u64 cr3)
{
	if (!mkvm_cr4_valid(vcpu, cr4))
		return false;
	if ((efer & EFER_LMA) && !(cr4 & X86_CR4_PAE))
		return false;
	if ((cr4 & X86_CR4_PCIDE) && !(efer & EFER_LMA))
		return false;
	return !((cr4 & X86_CR4_PCIDE) && !(old & X86_CR4_PCIDE) && (cr3 & 0xfff));
}

#define MKVM_EFER_ALLOWED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

/**
 * mkvm_check_sregs() - would KVM accept this state in KVM_SET_SREGS?
 * @vcpu: the vCPU, for its CPUID
 * @sregs: the state userspace gave
 *
 * Architecturally impossible control register combinations are refused
 * here (SDM Vol. 3A, 2.5 and 10.8.5; APM Vol. 2, 3.1); other invalid state
 * (segment attributes, say) reaches the hardware and comes back as
 * KVM_EXIT_FAIL_ENTRY, as on KVM.
 *
 * Return: 0 or -EINVAL.
 */
int mkvm_check_sregs(struct mkvm_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	bool long_mode;

	if (sregs->cr0 >> 32)
		return -EINVAL;
	if ((sregs->cr0 & X86_CR0_NW) && !(sregs->cr0 & X86_CR0_CD))
		return -EINVAL;
	if ((sregs->cr0 & X86_CR0_PG) && !(sregs->cr0 & X86_CR0_PE))
		return -EINVAL;
	if (!mkvm_cr4_valid(vcpu, sregs->cr4))
		return -EINVAL;
	if (sregs->efer & ~MKVM_EFER_ALLOWED)
		return -EINVAL;

	long_mode = (sregs->efer & EFER_LME) && (sregs->cr0 & X86_CR0_PG);
	if (long_mode) {
		if (!(sregs->cr4 & X86_CR4_PAE) || !(sregs->efer & EFER_LMA))
			return -EINVAL;
		if (sregs->cr3 >> boot_cpu_data.x86_phys_bits)
			return -EINVAL;
	} else if ((sregs->efer & EFER_LMA) || sregs->cs.l) {
		return -EINVAL;
	}
	if ((sregs->cr4 & X86_CR4_PCIDE) && !long_mode)
		return -EINVAL;
	return 0;
}

static void mkvm_seg(struct kvm_segment *s, u16 sel, u64 base, u8 type, u8 sflag)
{
	s->selector = sel;
	s->base = base;
	s->limit = 0xffff;
	s->type = type;
	s->s = sflag;
	s->present = 1;
}

/**
 * mkvm_reset_sregs() - the state of a vCPU after RESET (SDM Vol. 3A, 10.1.1)
 * @sregs: filled in; real mode at F000:FFF0 with base FFFF0000
 */
void mkvm_reset_sregs(struct kvm_sregs *sregs)
{
	memset(sregs, 0, sizeof(*sregs));
	mkvm_seg(&sregs->cs, 0xf000, 0xffff0000, 0xb, 1);	/* code, RX, accessed */
	mkvm_seg(&sregs->ds, 0, 0, 0x3, 1);			/* data, RW, accessed */
	sregs->es = sregs->ds;
	sregs->fs = sregs->ds;
	sregs->gs = sregs->ds;
	sregs->ss = sregs->ds;
	mkvm_seg(&sregs->tr, 0, 0, 0xb, 0);			/* busy 32-bit TSS */
	mkvm_seg(&sregs->ldt, 0, 0, 0x2, 0);			/* LDT */
	sregs->gdt.limit = 0xffff;
	sregs->idt.limit = 0xffff;
	sregs->cr0 = X86_CR0_ET | X86_CR0_CD | X86_CR0_NW;
	sregs->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			   MSR_IA32_APICBASE_BSP;
}
