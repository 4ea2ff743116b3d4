// SPDX-License-Identifier: GPL-2.0
/*
 * The MSRs minikvm virtualizes, for KVM_GET/SET_MSRS and for the guest's
 * RDMSR/WRMSR.  The checks of a value are made here, once; where a value
 * lives (VMCS, VMCB, the vCPU) is the backend's business (get_msr and
 * set_msr in mkvm_ops), but for the two the core keeps itself.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>

#include "../core/minikvm.h"

/*
 * KVM_GET_MSR_INDEX_LIST, in this order; the last, TSC_AUX, only where
 * the host has RDTSCP or RDPID (mkvm_msr_list_len()).
 */
static const u32 mkvm_msr_list[] = {
	MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_KERNEL_GS_BASE, MSR_FS_BASE, MSR_GS_BASE,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_IA32_TSC, MSR_IA32_CR_PAT, MSR_IA32_MISC_ENABLE, MSR_IA32_APICBASE,
	MSR_IA32_MCG_STATUS, MSR_IA32_MCG_CTL,
	MSR_TSC_AUX,
};

/* Whether the host has IA32_TSC_AUX, read by RDTSCP and RDPID. */
static bool mkvm_has_tsc_aux(void)
{
	return boot_cpu_has(X86_FEATURE_RDTSCP) || boot_cpu_has(X86_FEATURE_RDPID);
}

/*
 * The host's TSC_AUX per CPU, read once: Linux writes it once per CPU
 * (the CPU and node number, setup_getcpu()) and never again.  Bit 63
 * says it was read.
 */
static DEFINE_PER_CPU(u64, mkvm_host_tsc_aux);
#define MKVM_TSC_AUX_READ	BIT_ULL(63)

/* Whether the guest's CPUID offers RDTSCP or RDPID, and so TSC_AUX. */
static bool mkvm_guest_has_tsc_aux(struct mkvm_vcpu *vcpu)
{
	u32 eax, ebx, ecx, edx;

	mkvm_guest_cpuid(vcpu, 0x80000001, 0, &eax, &ebx, &ecx, &edx);
	if (edx & BIT(27))
		return true;
	mkvm_guest_cpuid(vcpu, 7, 0, &eax, &ebx, &ecx, &edx);
	return ecx & BIT(22);
}

static u32 mkvm_msr_list_len(void)
{
	return ARRAY_SIZE(mkvm_msr_list) - (mkvm_has_tsc_aux() ? 0 : 1);
}

/**
 * mkvm_tsc_aux_load() - the guest's IA32_TSC_AUX into the CPU for an entry
 * @vcpu: the vCPU, interrupts off until mkvm_tsc_aux_put()
 *
 * Neither VMX nor SVM switches TSC_AUX, and the guest's RDTSCP and RDPID
 * read it without an exit (SDM Vol. 3C, 25.3; APM Vol. 2, 15.9): without
 * this they would read the host's, which Linux fills with the CPU and
 * node number.  KVM switches it the same way (a user-return MSR).
 *
 * Return: the host's value, for mkvm_tsc_aux_put().
 */
u64 mkvm_tsc_aux_load(struct mkvm_vcpu *vcpu)
{
	u64 host;

	if (!mkvm_has_tsc_aux())
		return 0;
	host = this_cpu_read(mkvm_host_tsc_aux);
	if (!(host & MKVM_TSC_AUX_READ)) {
		rdmsrl(MSR_TSC_AUX, host);
		this_cpu_write(mkvm_host_tsc_aux, host | MKVM_TSC_AUX_READ);
	}
	host &= ~MKVM_TSC_AUX_READ;
	if (host != vcpu->msr_tsc_aux)
		wrmsrl(MSR_TSC_AUX, vcpu->msr_tsc_aux);
	return host;
}

/**
 * mkvm_tsc_aux_put() - the host's IA32_TSC_AUX back after the exit
 * @vcpu: the vCPU
 * @host: what mkvm_tsc_aux_load() returned
 */
void mkvm_tsc_aux_put(struct mkvm_vcpu *vcpu, u64 host)
{
	if (mkvm_has_tsc_aux() && host != vcpu->msr_tsc_aux)
		wrmsrl(MSR_TSC_AUX, host);
}

#define MKVM_MAX_IO_MSRS	256	/* as KVM's MAX_IO_MSRS */
/* kvmclock's first MSRs (Documentation/virt/kvm/x86/msr.rst in Linux) */
#define MKVM_MSR_KVM_WALL_CLOCK		0x11
#define MKVM_MSR_KVM_SYSTEM_TIME	0x12
#define MKVM_APIC_BASE_RSVD	(GENMASK_ULL(7, 0) | BIT_ULL(9) | BIT_ULL(10) | \
				 GENMASK_ULL(63, 52))

static bool mkvm_msr_known(u32 index)
{
	int i;

	for (i = 0; i < mkvm_msr_list_len(); i++)
		if (mkvm_msr_list[i] == index)
			return true;
	return false;
}

static bool mkvm_canonical(u64 addr)
{
	return ((s64)addr << 16 >> 16) == (s64)addr;
}

/* PAT: each byte a memory type that exists (SDM Vol. 3A, 13.12.2). */
static bool mkvm_pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = pat >> (i * 8);

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

/**
 * mkvm_msr_reset() - the MSRs the core keeps, after RESET
 * @vcpu: the vCPU
 */
void mkvm_msr_reset(struct mkvm_vcpu *vcpu)
{
	/* As KVM: no PEBS, no BTS; the APIC enabled at its default base. */
	vcpu->msr_misc_enable = MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL |
				MSR_IA32_MISC_ENABLE_BTS_UNAVAIL;
	vcpu->msr_apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			      (vcpu->id == 0 ? MSR_IA32_APICBASE_BSP : 0);
	/* The MTRRs start at 0 (13.11.2.1: all disabled, UC), as in KVM. */
	memset(&vcpu->mtrr, 0, sizeof(vcpu->mtrr));
	mkvm_mce_reset(vcpu);
}

/**
 * mkvm_get_msr() - read one virtualized MSR
 * @vcpu: the vCPU, loaded
 * @index: the MSR
 * @data: the value
 * @host: from KVM_GET_MSRS rather than a guest RDMSR
 *
 * Return: 0, or 1 for an MSR minikvm does not virtualize (#GP for a guest).
 */
int mkvm_get_msr(struct mkvm_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	if (mkvm_mtrr_msr(index))
		return mkvm_mtrr_get(vcpu, index, data);
	if (mkvm_mce_msr(index))
		return mkvm_mce_get(vcpu, index, data, host);

	switch (index) {
	case MSR_IA32_MISC_ENABLE:
		*data = vcpu->msr_misc_enable;
		return 0;
	case MSR_IA32_APICBASE:
		*data = vcpu->msr_apic_base;
		return 0;
	case MKVM_MSR_KVM_WALL_CLOCK:
	case MKVM_MSR_KVM_SYSTEM_TIME:
		/* kvmclock is off: see mkvm_set_msr() */
		if (!host)
			return 1;
		*data = 0;
		return 0;
	case MSR_TSC_AUX:
		if (!mkvm_has_tsc_aux() || (!host && !mkvm_guest_has_tsc_aux(vcpu)))
			return 1;
		*data = vcpu->msr_tsc_aux;
		return 0;
	}
	if (!mkvm_msr_known(index))
		return 1;
	return mkvm_ops->get_msr(vcpu, index, data) ? 1 : 0;
}

/*
 * Whether the guest's CPUID offers the EFER bits in @efer: LME needs long
 * mode and NX the no-execute bit, CPUID 0x80000001 EDX bits 29 and 20
 * (SDM Vol. 3A, 2.2.1).  Without a KVM_SET_CPUID2 table the guest has
 * minikvm's policy, which offers both.
 */
static bool mkvm_efer_offered(struct mkvm_vcpu *vcpu, u64 efer)
{
	u32 eax, ebx, ecx, edx;

	mkvm_guest_cpuid(vcpu, 0x80000001, 0, &eax, &ebx, &ecx, &edx);
	if (efer & (EFER_LME | EFER_LMA) && !(edx & BIT(29)))
		return false;
	return !(efer & EFER_NX) || (edx & BIT(20));
}

/**
 * mkvm_set_msr() - write one virtualized MSR
 * @vcpu: the vCPU, loaded
 * @index: the MSR
 * @data: the value
 * @host: from KVM_SET_MSRS rather than a guest WRMSR
 *
 * Return: 0, or 1 for an unknown MSR or a value the MSR cannot hold (the
 * guest gets #GP, KVM_SET_MSRS stops there).
 */
int mkvm_set_msr(struct mkvm_vcpu *vcpu, u32 index, u64 data, bool host)
{
	u64 old;

	if (mkvm_mtrr_msr(index))
		return mkvm_mtrr_set(vcpu, index, data);
	if (mkvm_mce_msr(index))
		return mkvm_mce_set(vcpu, index, data, host);

	switch (index) {
	case MSR_EFER:
		if (data & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
			return 1;
		/*
		 * The guest cannot write LMA, nor LME with paging on, nor a
		 * bit its CPUID does not offer; userspace may (as in KVM).
		 */
		if (!host) {
			if (!mkvm_efer_offered(vcpu, data) ||
			    mkvm_ops->get_msr(vcpu, MSR_EFER, &old))
				return 1;
			data = (data & ~EFER_LMA) | (old & EFER_LMA);
			if ((data ^ old) & EFER_LME && (old & EFER_LMA))
				return 1;
		}
		break;
	case MSR_SYSCALL_MASK:
		if (data >> 32)
			return 1;
		break;
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_KERNEL_GS_BASE:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!mkvm_canonical(data))
			return 1;
		break;
	case MSR_IA32_CR_PAT:
		if (!mkvm_pat_valid(data))
			return 1;
		break;
	case MSR_IA32_MISC_ENABLE:
		vcpu->msr_misc_enable = data;
		return 0;
	case MSR_IA32_APICBASE:
		if (data & MKVM_APIC_BASE_RSVD)
			return 1;
		vcpu->msr_apic_base = data;
		return 0;
	case MKVM_MSR_KVM_WALL_CLOCK:
	case MKVM_MSR_KVM_SYSTEM_TIME:
		/*
		 * minikvm has no kvmclock (no KVM_FEATURE_CLOCKSOURCE in
		 * CPUID 0x40000001): the guest's RDMSR and WRMSR are #GP, as
		 * in KVM for a guest whose CPUID lacks it.  QEMU still puts
		 * and gets both MSRs with every reset-level register put,
		 * asserting that they are accepted: userspace may read them,
		 * as 0, and write 0, "kvmclock off", which is their value.
		 */
		return !host || data;
	case MSR_TSC_AUX:
		/*
		 * Bits 63:32 are reserved (SDM Vol. 4, Table 2-2): #GP on
		 * Intel; AMD processors drop them, and so does KVM there.
		 * The guest may use it only if its CPUID lists RDTSCP or
		 * RDPID (as in KVM); userspace always.
		 */
		if (!mkvm_has_tsc_aux() || (!host && !mkvm_guest_has_tsc_aux(vcpu)))
			return 1;
		if ((data >> 32) && boot_cpu_data.x86_vendor == X86_VENDOR_INTEL)
			return 1;
		vcpu->msr_tsc_aux = (u32)data;
		return 0;
	default:
		if (!mkvm_msr_known(index))
			return 1;
	}
	return mkvm_ops->set_msr(vcpu, index, data) ? 1 : 0;
}

/* A guest RDMSR: true when EDX:EAX is set, false for #GP. */
static bool mkvm_emulate_rdmsr(struct mkvm_vcpu *vcpu)
{
	u64 data;

	if (mkvm_get_msr(vcpu, vcpu->regs[MKVM_RCX], &data, false))
		return false;
	vcpu->regs[MKVM_RAX] = (u32)data;
	vcpu->regs[MKVM_RDX] = data >> 32;
	return true;
}

/* A guest WRMSR: false for #GP. */
static bool mkvm_emulate_wrmsr(struct mkvm_vcpu *vcpu)
{
	u64 data = (u32)vcpu->regs[MKVM_RAX] | (vcpu->regs[MKVM_RDX] << 32);

	return !mkvm_set_msr(vcpu, vcpu->regs[MKVM_RCX], data, false);
}

/**
 * mkvm_handle_msr() - the RDMSR or WRMSR exit of both backends
 * @vcpu: the vCPU, in its exit handler
 * @write: WRMSR rather than RDMSR
 *
 * An MSR minikvm does not virtualize, or a value it refuses, gives the
 * guest #GP(0) (SDM Vol. 2B RDMSR/WRMSR); otherwise RIP moves on.
 *
 * Return: MKVM_RESUME.
 */
enum mkvm_exit_action mkvm_handle_msr(struct mkvm_vcpu *vcpu, bool write)
{
	if (write ? mkvm_emulate_wrmsr(vcpu) : mkvm_emulate_rdmsr(vcpu))
		mkvm_ops->skip_instruction(vcpu, 2);	/* 0F 30, 0F 32 */
	else
		mkvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
	return MKVM_RESUME;
}

/**
 * mkvm_get_msr_index_list() - KVM_GET_MSR_INDEX_LIST
 * @arg: the user's struct kvm_msr_list
 *
 * As in KVM, nmsrs is set to the list's size even when the list does not
 * fit.
 *
 * Return: 0, -E2BIG when it does not fit, -EFAULT.
 */
int mkvm_get_msr_index_list(struct kvm_msr_list __user *arg)
{
	struct kvm_msr_list hdr;
	u32 room;

	if (copy_from_user(&hdr, arg, sizeof(hdr)))
		return -EFAULT;
	room = hdr.nmsrs;
	hdr.nmsrs = mkvm_msr_list_len();
	if (copy_to_user(arg, &hdr, sizeof(hdr)))
		return -EFAULT;
	if (room < hdr.nmsrs)
		return -E2BIG;
	if (copy_to_user(arg->indices, mkvm_msr_list, hdr.nmsrs * sizeof(u32)))
		return -EFAULT;
	return 0;
}

/**
 * mkvm_msrs_ioctl() - KVM_GET_MSRS or KVM_SET_MSRS
 * @vcpu: the vCPU, its mutex held
 * @arg: the user's struct kvm_msrs
 * @set: KVM_SET_MSRS
 *
 * Return: how many entries were processed, stopping at the first MSR
 * minikvm does not virtualize or value it refuses; -E2BIG for 256
 * entries or more; -EFAULT; -ENOMEM.
 */
int mkvm_msrs_ioctl(struct mkvm_vcpu *vcpu, struct kvm_msrs __user *arg, bool set)
{
	struct kvm_msr_entry *e;
	struct kvm_msrs hdr;
	u32 i;
	int r;

	if (copy_from_user(&hdr, arg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nmsrs >= MKVM_MAX_IO_MSRS)
		return -E2BIG;
	e = memdup_user(arg->entries, array_size(hdr.nmsrs, sizeof(*e)));
	if (IS_ERR(e))
		return PTR_ERR(e);

	mkvm_vcpu_load(vcpu);
	for (i = 0; i < hdr.nmsrs; i++) {
		if (set ? mkvm_set_msr(vcpu, e[i].index, e[i].data, true) :
			  mkvm_get_msr(vcpu, e[i].index, &e[i].data, true))
			break;
	}
	mkvm_vcpu_put(vcpu);

	r = i;
	if (!set && copy_to_user(arg->entries, e, i * sizeof(*e)))
		r = -EFAULT;
	kfree(e);
	return r;
}
