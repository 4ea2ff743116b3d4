// SPDX-License-Identifier: GPL-2.0
/*
 * The memory type range registers (SDM Vol. 3A, 13.11): IA32_MTRRCAP,
 * IA32_MTRR_DEF_TYPE, the eleven fixed-range MTRRs and eight
 * variable-range pairs, for KVM_GET/SET_MSRS and the guest's RDMSR and
 * WRMSR.  Firmware and kernels program them (SeaBIOS sets them up on
 * QEMU's machines, Linux reads them back and checks them), and QEMU
 * saves and restores them whenever the guest's CPUID has MTRR (leaf 1
 * EDX bit 12), which QEMU always offers.
 *
 * minikvm keeps them as the guest wrote them, after the checks a
 * processor makes (and KVM makes), and nothing else: they do not change
 * how guest memory is cached.  KVM does the same unless a device does
 * DMA that does not snoop caches (kvm_arch_has_noncoherent_dma()), which
 * no minikvm guest has: on VMX the EPT entries give write-back and
 * ignore the guest's types (vmx_tdp_leaf_pte()), and on SVM the guest's MTRRs are
 * not read by the processor at all with nested paging (APM Vol. 2,
 * 15.25.8).
 */
#include <linux/nospec.h>

#include "../core/minikvm.h"

/*
 * The MSR numbers (SDM Vol. 4, Table 2-2), spelt as the SDM names them
 * rather than with <asm/msr-index.h>'s mixed-case names.
 */
#define MKVM_MSR_MTRRCAP	0xfe
#define MKVM_MSR_MTRR_DEF_TYPE	0x2ff

/* IA32_MTRRCAP (13.11.1): WC supported, fixed ranges, VCNT variable pairs. */
#define MKVM_MTRRCAP		(BIT_ULL(10) | BIT_ULL(8) | MKVM_NR_VAR_MTRR)
/* IA32_MTRR_DEF_TYPE (13.11.2.1): type in 7:0, FE bit 10, E bit 11. */
#define MKVM_MTRR_DEF_VALID	(GENMASK_ULL(7, 0) | BIT_ULL(10) | BIT_ULL(11))
/* The variable-range pairs: IA32_MTRR_PHYSBASEn, IA32_MTRR_PHYSMASKn. */
#define MKVM_MTRR_VAR_FIRST	0x200
#define MKVM_MTRR_VAR_END	(MKVM_MTRR_VAR_FIRST + 2 * MKVM_NR_VAR_MTRR)

/* The fixed-range MTRRs in the order of struct mkvm_mtrr's fixed[]. */
static const u32 mkvm_mtrr_fixed[MKVM_NR_FIXED_MTRR] = {
	0x250,					/* FIX64K_00000 */
	0x258, 0x259,				/* FIX16K_80000, _A0000 */
	0x268, 0x269, 0x26a, 0x26b,		/* FIX4K_C0000 ... _D8000 */
	0x26c, 0x26d, 0x26e, 0x26f,		/* FIX4K_E0000 ... _F8000 */
};

static int mkvm_mtrr_fixed_index(u32 index)
{
	int i;

	for (i = 0; i < MKVM_NR_FIXED_MTRR; i++)
		if (mkvm_mtrr_fixed[i] == index)
			return i;
	return -1;
}

/*
 * The memory types an MTRR may hold (13.11.2, Table 13-8): UC (0), WC (1),
 * WT (4), WP (5) and WB (6).  2, 3 and 7 are reserved and #GP.
 */
static bool mkvm_mtrr_type_valid(u8 type)
{
	return type < 8 && (BIT(type) & (BIT(0) | BIT(1) | BIT(4) | BIT(5) | BIT(6)));
}

/*
 * Physical-address bits the guest's processor does not have, reserved in
 * the variable ranges (13.11.2.3): from MAXPHYADDR, CPUID 0x80000008
 * EAX[7:0], or 36 where the guest's CPUID has no such leaf (SDM Vol. 3A,
 * 4.1.4), as KVM takes it.
 */
static u64 mkvm_mtrr_reserved_pa(struct mkvm_vcpu *vcpu)
{
	u32 eax, ebx, ecx, edx, maxphyaddr = 36;

	mkvm_guest_cpuid(vcpu, 0x80000000, 0, &eax, &ebx, &ecx, &edx);
	if (eax >= 0x80000008) {
		mkvm_guest_cpuid(vcpu, 0x80000008, 0, &eax, &ebx, &ecx, &edx);
		if (eax & 0xff)
			maxphyaddr = min(eax & 0xff, 52u);
	}
	return GENMASK_ULL(63, maxphyaddr);
}

/**
 * mkvm_mtrr_msr() - is this one of the MTRR MSRs?
 * @index: the MSR
 *
 * Return: true for IA32_MTRRCAP, IA32_MTRR_DEF_TYPE, a fixed-range MTRR
 * or one of the MKVM_NR_VAR_MTRR variable-range pairs.
 */
bool mkvm_mtrr_msr(u32 index)
{
	return index == MKVM_MSR_MTRRCAP || index == MKVM_MSR_MTRR_DEF_TYPE ||
	       (index >= MKVM_MTRR_VAR_FIRST && index < MKVM_MTRR_VAR_END) ||
	       mkvm_mtrr_fixed_index(index) >= 0;
}

/* A variable MTRR's slot; the guest chooses @index: no speculation past it. */
static unsigned int mkvm_mtrr_var(u32 index)
{
	return array_index_nospec(index - MKVM_MTRR_VAR_FIRST, 2 * MKVM_NR_VAR_MTRR);
}

/**
 * mkvm_mtrr_get() - read an MTRR MSR
 * @vcpu: the vCPU
 * @index: an MSR for which mkvm_mtrr_msr() is true
 * @data: the value
 *
 * The guest reads them whether or not its CPUID lists MTRR, as in KVM.
 *
 * Return: 0.
 */
int mkvm_mtrr_get(struct mkvm_vcpu *vcpu, u32 index, u64 *data)
{
	const struct mkvm_mtrr *m = &vcpu->mtrr;
	int fixed = mkvm_mtrr_fixed_index(index);

	if (index == MKVM_MSR_MTRRCAP)
		*data = MKVM_MTRRCAP;
	else if (index == MKVM_MSR_MTRR_DEF_TYPE)
		*data = m->deftype;
	else if (fixed >= 0)
		*data = m->fixed[fixed];
	else	/* less what a smaller MAXPHYADDR since set no longer has */
		*data = m->var[mkvm_mtrr_var(index)] & ~mkvm_mtrr_reserved_pa(vcpu);
	return 0;
}

/**
 * mkvm_mtrr_set() - write an MTRR MSR, with the processor's checks
 * @vcpu: the vCPU
 * @index: an MSR for which mkvm_mtrr_msr() is true
 * @data: the value
 *
 * A reserved memory type or a reserved bit is refused (#GP for the
 * guest's WRMSR, SDM Vol. 3A, 13.11.2 and 13.11.2.3); IA32_MTRRCAP is
 * read-only.  The same rules hold for KVM_SET_MSRS, as in KVM.
 *
 * Return: 0, or 1 for a value the MSR cannot hold.
 */
int mkvm_mtrr_set(struct mkvm_vcpu *vcpu, u32 index, u64 data)
{
	struct mkvm_mtrr *m = &vcpu->mtrr;
	int i, fixed = mkvm_mtrr_fixed_index(index);
	u64 reserved;

	if (index == MKVM_MSR_MTRRCAP)
		return 1;
	if (index == MKVM_MSR_MTRR_DEF_TYPE) {
		if ((data & ~MKVM_MTRR_DEF_VALID) || !mkvm_mtrr_type_valid(data & 0xff))
			return 1;
		m->deftype = data;
		return 0;
	}
	if (fixed >= 0) {
		/* Eight ranges, one type byte each (13.11.2.2). */
		for (i = 0; i < 8; i++)
			if (!mkvm_mtrr_type_valid(data >> (8 * i)))
				return 1;
		m->fixed[fixed] = data;
		return 0;
	}
	/*
	 * PHYSBASE (even index): type in 7:0, 11:8 reserved.  PHYSMASK:
	 * V in bit 11, 10:0 reserved.  Both: the base or mask in 12 up to
	 * MAXPHYADDR - 1, the bits above reserved.
	 */
	reserved = mkvm_mtrr_reserved_pa(vcpu);
	if (!(index & 1)) {
		if (!mkvm_mtrr_type_valid(data & 0xff))
			return 1;
		reserved |= GENMASK_ULL(11, 8);
	} else {
		reserved |= GENMASK_ULL(10, 0);
	}
	if (data & reserved)
		return 1;
	m->var[mkvm_mtrr_var(index)] = data;
	return 0;
}
