// SPDX-License-Identifier: GPL-2.0
/*
 * The machine-check architecture a guest sees (SDM Vol. 3B, chapter 16;
 * APM Vol. 2, chapter 9): IA32_MCG_CAP, IA32_MCG_STATUS, IA32_MCG_CTL and
 * the error-reporting banks IA32_MCi_CTL/STATUS/ADDR/MISC, with KVM's
 * rules for writing them, and the ioctls that set them up and inject a
 * machine check: KVM_X86_GET_MCE_CAP_SUPPORTED, KVM_X86_SETUP_MCE and
 * KVM_X86_SET_MCE (KVM_CAP_MCE).
 *
 * Nothing here touches the processor's own machine-check banks: the
 * guest's are plain state.  A real machine check during the guest is the
 * host's (x86/intercept.c).  The guest sees an error only when userspace
 * reports one, with KVM_X86_SET_MCE or by writing the banks and
 * injecting #MC with KVM_SET_VCPU_EVENTS, as QEMU does.
 *
 * QEMU 7.2 needs these: it always offers the guest CPUID's MCE and MCA
 * bits, sets MCG_CAP with KVM_X86_SETUP_MCE, and writes MCG_STATUS,
 * MCG_CTL and every bank with KVM_SET_MSRS each time it puts the
 * registers, aborting unless all are accepted (Documentation/qemu.rst).
 */
#include <linux/nospec.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>

#include "../core/minikvm.h"

/* IA32_MCG_CAP (16.3.1.1) */
#define MKVM_MCG_COUNT		GENMASK_ULL(7, 0)	/* banks */
#define MKVM_MCG_CTL_P		BIT_ULL(8)		/* IA32_MCG_CTL present */
#define MKVM_MCG_EXT_CNT	GENMASK_ULL(23, 16)
#define MKVM_MCG_SER_P		BIT_ULL(24)		/* software error recovery */
/* What KVM_X86_SETUP_MCE may set: no CMCI (no local APIC), no LMCE. */
#define MKVM_MCG_CAP_SUPPORTED	(MKVM_MCG_CTL_P | MKVM_MCG_SER_P)

/* IA32_MCG_STATUS (16.3.1.2): machine check in progress. */
#define MKVM_MCG_STATUS_MCIP	BIT_ULL(2)

/* IA32_MCi_STATUS (16.3.2.2) */
#define MKVM_MCI_STATUS_VAL	BIT_ULL(63)	/* valid */
#define MKVM_MCI_STATUS_OVER	BIT_ULL(62)	/* overflow: an error was lost */
#define MKVM_MCI_STATUS_UC	BIT_ULL(61)	/* uncorrected */
#define MKVM_MCI_STATUS_PCC	BIT_ULL(57)	/* processor context corrupt */
#define MKVM_MCI_STATUS_S	BIT_ULL(56)	/* signalled by #MC (SER_P) */
#define MKVM_MCI_STATUS_AR	BIT_ULL(55)	/* action required (SER_P) */

/* The MSRs of bank 0 and the last bank's end: CTL, STATUS, ADDR, MISC. */
#define MKVM_MC_FIRST		MSR_IA32_MC0_CTL
#define MKVM_MC_END		(MSR_IA32_MC0_CTL + 4 * MKVM_MAX_MCE_BANKS)
#define MKVM_MC_CTL2_END	(MSR_IA32_MC0_CTL2 + MKVM_MAX_MCE_BANKS)

static unsigned int mkvm_mce_banks(const struct mkvm_mce *mce)
{
	return mce->mcg_cap & MKVM_MCG_COUNT;
}

/**
 * mkvm_mce_reset() - the machine-check state of a new vCPU
 * @vcpu: the vCPU
 *
 * As KVM before KVM_X86_SETUP_MCE: MKVM_MAX_MCE_BANKS banks and no
 * IA32_MCG_CTL, every register 0.
 */
void mkvm_mce_reset(struct mkvm_vcpu *vcpu)
{
	memset(&vcpu->mce, 0, sizeof(vcpu->mce));
	vcpu->mce.mcg_cap = MKVM_MAX_MCE_BANKS;
}

/**
 * mkvm_mce_msr() - is this one of the machine-check MSRs?
 * @index: the MSR
 *
 * Return: true for IA32_P5_MC_ADDR/TYPE, IA32_MCG_CAP/STATUS/CTL and the
 * MSRs of MKVM_MAX_MCE_BANKS banks (IA32_MCi_CTL2 included), whether or
 * not the vCPU's MCG_CAP has that many.
 */
bool mkvm_mce_msr(u32 index)
{
	return index == MSR_IA32_P5_MC_ADDR || index == MSR_IA32_P5_MC_TYPE ||
	       index == MSR_IA32_MCG_CAP || index == MSR_IA32_MCG_STATUS ||
	       index == MSR_IA32_MCG_CTL ||
	       (index >= MKVM_MC_FIRST && index < MKVM_MC_END) ||
	       (index >= MSR_IA32_MC0_CTL2 && index < MKVM_MC_CTL2_END);
}

/**
 * mkvm_mce_get() - read a machine-check MSR
 * @vcpu: the vCPU
 * @index: an MSR for which mkvm_mce_msr() is true
 * @data: the value
 * @host: from KVM_GET_MSRS rather than a guest RDMSR
 *
 * A bank beyond MCG_CAP's count does not exist (#GP); IA32_MCG_CTL exists
 * for the guest only with MCG_CTL_P, IA32_MCi_CTL2 only with CMCI, which
 * minikvm never offers; userspace may read both, as in KVM.
 *
 * Return: 0, or 1 for an MSR this vCPU does not have.
 */
int mkvm_mce_get(struct mkvm_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	const struct mkvm_mce *mce = &vcpu->mce;
	unsigned int banks = mkvm_mce_banks(mce);

	switch (index) {
	case MSR_IA32_P5_MC_ADDR:	/* the Pentium's: always 0 (16.10) */
	case MSR_IA32_P5_MC_TYPE:
		*data = 0;
		return 0;
	case MSR_IA32_MCG_CAP:
		*data = mce->mcg_cap;
		return 0;
	case MSR_IA32_MCG_STATUS:
		*data = mce->mcg_status;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (!(mce->mcg_cap & MKVM_MCG_CTL_P) && !host)
			return 1;
		*data = mce->mcg_ctl;
		return 0;
	}
	if (index >= MSR_IA32_MC0_CTL2 && index < MKVM_MC_CTL2_END) {
		if (index - MSR_IA32_MC0_CTL2 >= banks || !host)
			return 1;
		*data = 0;
		return 0;
	}
	index -= MKVM_MC_FIRST;
	if (index >= 4 * banks)
		return 1;
	*data = mce->banks[array_index_nospec(index, 4 * banks)];
	return 0;
}

/**
 * mkvm_mce_set() - write a machine-check MSR, with KVM's rules
 * @vcpu: the vCPU
 * @index: an MSR for which mkvm_mce_msr() is true
 * @data: the value
 * @host: from KVM_SET_MSRS rather than a guest WRMSR
 *
 * IA32_MCG_CAP is read-only (KVM_X86_SETUP_MCE sets it).  IA32_MCG_CTL
 * and IA32_MCi_CTL hold 0 or all ones (16.3.1.3, 16.3.2.1): other values
 * are architecturally undefined; like KVM, minikvm allows MCi_CTL bits 0
 * and 10 clear, which old Linux and UnixWare kernels write.  The guest
 * may only clear an IA32_MCi_STATUS (16.3.2.2; on AMD a non-zero value
 * needs HWCR.McStatusWrEn, which minikvm does not offer); userspace may
 * set it, to report an error.  IA32_MCi_CTL2 exists only with CMCI: the
 * guest cannot write it, userspace only 0.
 *
 * Return: 0, or 1 for a value the MSR cannot hold or an MSR this vCPU
 * does not have.
 */
int mkvm_mce_set(struct mkvm_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct mkvm_mce *mce = &vcpu->mce;
	unsigned int banks = mkvm_mce_banks(mce);

	switch (index) {
	case MSR_IA32_P5_MC_ADDR:
	case MSR_IA32_P5_MC_TYPE:
	case MSR_IA32_MCG_CAP:
		return 1;
	case MSR_IA32_MCG_STATUS:
		mce->mcg_status = data;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (!(mce->mcg_cap & MKVM_MCG_CTL_P) && (data || !host))
			return 1;
		if (data && data != ~0ULL)
			return 1;
		mce->mcg_ctl = data;
		return 0;
	}
	if (index >= MSR_IA32_MC0_CTL2 && index < MKVM_MC_CTL2_END)
		return index - MSR_IA32_MC0_CTL2 >= banks || data || !host;
	index -= MKVM_MC_FIRST;
	if (index >= 4 * banks)
		return 1;
	switch (index % 4) {
	case 0:		/* MCi_CTL */
		if (data && (data | BIT_ULL(10) | BIT_ULL(0)) != ~0ULL)
			return 1;
		break;
	case 1:		/* MCi_STATUS */
		if (data && !host)
			return 1;
		break;
	}
	mce->banks[array_index_nospec(index, 4 * banks)] = data;
	return 0;
}

/*
 * KVM_X86_SETUP_MCE: the guest's IA32_MCG_CAP.  1 to MKVM_MAX_MCE_BANKS
 * banks, capability bits from MKVM_MCG_CAP_SUPPORTED (and MCG_EXT_CNT,
 * which KVM lets through; on AMD only bits 8:0 stay).  MCG_CTL and every
 * MCi_CTL become all ones, reporting enabled, as after RESET on a
 * processor.
 */
static int mkvm_setup_mce(struct mkvm_vcpu *vcpu, u64 __user *argp)
{
	struct mkvm_mce *mce = &vcpu->mce;
	unsigned int i, banks;
	u64 cap;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	banks = cap & MKVM_MCG_COUNT;
	if (!banks || banks > MKVM_MAX_MCE_BANKS)
		return -EINVAL;
	if (cap & ~(MKVM_MCG_CAP_SUPPORTED | MKVM_MCG_COUNT | MKVM_MCG_EXT_CNT))
		return -EINVAL;
	/*
	 * AMD's IA32_MCG_CAP has bits 63:9 reserved (APM Vol. 2, 9.3.1):
	 * MCG_SER_P and the extended count are dropped there, as KVM's
	 * svm_setup_mce() drops them.
	 */
	if (boot_cpu_data.x86_vendor != X86_VENDOR_INTEL)
		cap &= 0x1ff;
	mce->mcg_cap = cap;
	if (cap & MKVM_MCG_CTL_P)
		mce->mcg_ctl = ~0ULL;
	for (i = 0; i < banks; i++)
		mce->banks[4 * i] = ~0ULL;
	return 0;
}

/*
 * An uncorrected error with no machine check to signal (UCNA): valid and
 * uncorrected, but not signalled, not action-required, the context
 * intact, and no MCG_STATUS (16.6.3).
 */
static bool mkvm_mce_is_ucna(const struct kvm_x86_mce *m)
{
	return !m->mcg_status &&
	       !(m->status & (MKVM_MCI_STATUS_PCC | MKVM_MCI_STATUS_S | MKVM_MCI_STATUS_AR)) &&
	       (m->status & MKVM_MCI_STATUS_VAL) && (m->status & MKVM_MCI_STATUS_UC);
}

/*
 * KVM_X86_SET_MCE: report an error in a bank, as KVM does.  An
 * uncorrected error raises #MC if reporting is enabled (MCG_CTL, when
 * present, and the bank's MCi_CTL all ones); during another machine check
 * (MCG_STATUS.MCIP) or with CR4.MCE clear it shuts the processor down
 * (16.8.4: a triple fault, KVM_EXIT_SHUTDOWN at the next KVM_RUN).  A
 * corrected error, or a UCNA, is only logged; a bank already holding an
 * error gets OVER.
 */
/* The error into the bank: MCi_STATUS, _ADDR and _MISC (@bank[0] is CTL). */
static void mkvm_mce_log(u64 *bank, const struct kvm_x86_mce *m)
{
	bank[1] = m->status;
	bank[2] = m->addr;
	bank[3] = m->misc;
}

static int mkvm_set_mce(struct mkvm_vcpu *vcpu, struct kvm_x86_mce __user *argp)
{
	struct mkvm_mce *mce = &vcpu->mce;
	unsigned int banks = mkvm_mce_banks(mce);
	struct mkvm_paging pg;
	struct kvm_x86_mce m;
	u64 *bank;

	if (copy_from_user(&m, argp, sizeof(m)))
		return -EFAULT;
	if (m.bank >= banks || !(m.status & MKVM_MCI_STATUS_VAL))
		return -EINVAL;
	bank = &mce->banks[array_index_nospec(4 * m.bank, 4 * banks)];

	if (mkvm_mce_is_ucna(&m)) {
		/* Logged; CMCI, which would signal it, is not offered. */
		mkvm_mce_log(bank, &m);
		mce->mcg_status = m.mcg_status;
		return 0;
	}
	if (m.status & MKVM_MCI_STATUS_UC) {
		if (((mce->mcg_cap & MKVM_MCG_CTL_P) && mce->mcg_ctl != ~0ULL) ||
		    bank[0] != ~0ULL)
			return 0;	/* reporting disabled: dropped */
		/* The guest's CR4 (on VMX, CR4.MCE itself stays the host's). */
		mkvm_vcpu_load(vcpu);
		mkvm_get_paging(vcpu, &pg);
		mkvm_vcpu_put(vcpu);
		if ((mce->mcg_status & MKVM_MCG_STATUS_MCIP) || !(pg.cr4 & X86_CR4_MCE)) {
			vcpu->triple_fault_pending = true;
			return 0;
		}
		if (bank[1] & MKVM_MCI_STATUS_VAL)
			m.status |= MKVM_MCI_STATUS_OVER;
		mkvm_mce_log(bank, &m);
		mce->mcg_status = m.mcg_status;
		mkvm_queue_exception(vcpu, X86_TRAP_MC, false, 0);
		return 0;
	}
	/* Corrected: it overwrites a corrected error, not an uncorrected one. */
	if ((bank[1] & MKVM_MCI_STATUS_VAL) && (bank[1] & MKVM_MCI_STATUS_UC)) {
		bank[1] |= MKVM_MCI_STATUS_OVER;
		return 0;
	}
	if (bank[1] & MKVM_MCI_STATUS_VAL)
		m.status |= MKVM_MCI_STATUS_OVER;
	mkvm_mce_log(bank, &m);
	return 0;
}

/**
 * mkvm_mce_ioctl() - KVM_X86_SETUP_MCE or KVM_X86_SET_MCE
 * @vcpu: the vCPU, its mutex held
 * @ioctl: which
 * @argp: the user's u64 MCG_CAP or struct kvm_x86_mce
 *
 * Return: 0, -EINVAL for a capability or bank minikvm does not have (or
 * an error report without MCi_STATUS.VAL), -EFAULT.
 */
long mkvm_mce_ioctl(struct mkvm_vcpu *vcpu, unsigned int ioctl, void __user *argp)
{
	if (ioctl == KVM_X86_SETUP_MCE)
		return mkvm_setup_mce(vcpu, argp);
	return mkvm_set_mce(vcpu, argp);
}

/**
 * mkvm_get_mce_cap_supported() - KVM_X86_GET_MCE_CAP_SUPPORTED
 * @argp: the user's u64
 *
 * Return: 0, -EFAULT.
 */
int mkvm_get_mce_cap_supported(u64 __user *argp)
{
	u64 cap = MKVM_MCG_CAP_SUPPORTED;

	return copy_to_user(argp, &cap, sizeof(cap)) ? -EFAULT : 0;
}
