// SPDX-License-Identifier: GPL-2.0
/*
 * The VMX backend as the core sees it: its ops table, the MSR bitmap and
 * VPIDs, vCPU creation, and the guest state accessors (segments, control
 * registers, MSRs, debug state, event injection).  The rest of the backend:
 * config.c (what the CPU allows), cpu.c (VMXON per CPU, active VMCSs),
 * vmcs.c (VMCS set-up), run.c and vmenter.S (the world switch), exit.c
 * (exit handlers).
 *
 * References are to the Intel SDM, Vol. 3C, unless said otherwise.
 */
#define pr_fmt(fmt) "minikvm: vmx: " fmt

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/mtrr.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>
#include <asm/tsc.h>

#include "vmx.h"
#include "vmx_ops.h"

/* The MSRs SYSCALL uses, in vmx->syscall_msrs order, and the host's values. */
const u32 mkvm_vmx_syscall_msr_index[4] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
};

u64 mkvm_vmx_host_syscall_msrs[4];

/*
 * MSRs the guest reads and writes without exiting (24.6.9): their guest
 * values live in the VMCS (FS/GS base, SYSENTER) or are saved right after
 * each exit (KERNEL_GS_BASE, mkvm_vmx_run()).  One bitmap serves every vCPU.
 */
static const u32 vmx_passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

unsigned long *mkvm_vmx_msr_bitmap;

static void vmx_msr_bitmap_allow(u32 msr)
{
	/* Read bits: low MSRs at byte 0, high at 1024; writes 2048 bytes on. */
	u32 base = msr >= 0xc0000000 ? 1024 * 8 : 0;
	u32 bit = msr & 0x1fff;

	__clear_bit(base + bit, mkvm_vmx_msr_bitmap);
	__clear_bit(2048 * 8 + base + bit, mkvm_vmx_msr_bitmap);
}

/* VPID 0 is the host's (28.1); minikvm hands out 1..MKVM_NR_VPIDS-1. */
#define MKVM_NR_VPIDS 4096
static DECLARE_BITMAP(vmx_vpid_bitmap, MKVM_NR_VPIDS);
static DEFINE_SPINLOCK(vmx_vpid_lock);

static int vmx_hardware_setup(void)
{
	int i, r;

	r = mkvm_vmx_cpus_setup();
	if (r)
		return r;
	set_bit(0, vmx_vpid_bitmap);
	mkvm_vmx_msr_bitmap = (unsigned long *)__get_free_page(GFP_KERNEL);
	if (!mkvm_vmx_msr_bitmap) {
		mkvm_vmx_cpus_unsetup();
		return -ENOMEM;
	}
	memset(mkvm_vmx_msr_bitmap, 0xff, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(vmx_passthrough_msrs); i++)
		vmx_msr_bitmap_allow(vmx_passthrough_msrs[i]);
	/* Linux gives every CPU the same SYSCALL MSRs (syscall_init()). */
	for (i = 0; i < ARRAY_SIZE(mkvm_vmx_host_syscall_msrs); i++)
		rdmsrl(mkvm_vmx_syscall_msr_index[i], mkvm_vmx_host_syscall_msrs[i]);
	return 0;
}

static void vmx_hardware_unsetup(void)
{
	free_page((unsigned long)mkvm_vmx_msr_bitmap);
	mkvm_vmx_cpus_unsetup();
}

static int vmx_vm_init(struct mkvm_vm *vm)
{
	return 0;
}

static void vmx_vm_destroy(struct mkvm_vm *vm)
{
}

u64 mkvm_vmx_eptp(struct mkvm_vm *vm)
{
	/* 24.6.11: write-back, 4-level walk, no accessed/dirty flags. */
	return mkvm_tdp_root_pa(&vm->tdp) | VMX_EPTP_MT_WB | VMX_EPTP_PWL_4;
}

static u64 vmx_tdp_table_pte(phys_addr_t table)
{
	/* 29.3.2: a non-leaf entry needs R/W/X to allow the walk below it. */
	return table | VMX_EPT_READABLE_MASK | VMX_EPT_WRITABLE_MASK |
	       VMX_EPT_EXECUTABLE_MASK;
}

static u64 vmx_tdp_leaf_pte(phys_addr_t page, bool writable)
{
	/* Guest RAM: write-back, ignoring the guest's PAT like KVM does. */
	return page | VMX_EPT_READABLE_MASK | (writable ? VMX_EPT_WRITABLE_MASK : 0) |
	       VMX_EPT_EXECUTABLE_MASK | VMX_EPT_IPAT_BIT |
	       (MTRR_TYPE_WRBACK << VMX_EPT_MT_EPTE_SHIFT);
}

static int vmx_vcpu_create(struct mkvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 *vmcs;
	int vpid;

	vmcs = (u32 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmcs)
		return -ENOMEM;
	vmcs[0] = mkvm_vmx_cfg.revision_id;	/* 25.2 */
	vmx->vmcs = vmcs;

	spin_lock(&vmx_vpid_lock);
	vpid = find_first_zero_bit(vmx_vpid_bitmap, MKVM_NR_VPIDS);
	if (vpid < MKVM_NR_VPIDS)
		__set_bit(vpid, vmx_vpid_bitmap);
	spin_unlock(&vmx_vpid_lock);
	if (vpid >= MKVM_NR_VPIDS) {
		free_page((unsigned long)vmcs);
		return -ENOSPC;
	}
	vmx->vpid = vpid;
	vmx->dr6 = DR6_RESERVED;
	INIT_LIST_HEAD(&vmx->loaded_link);
	return 0;
}

static void vmx_vcpu_free(struct mkvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	mkvm_vmx_clear_anywhere(vmx);
	spin_lock(&vmx_vpid_lock);
	__clear_bit(vmx->vpid, vmx_vpid_bitmap);
	spin_unlock(&vmx_vpid_lock);
	free_page((unsigned long)vmx->vmcs);
}

/* Convert between kvm_segment and the VMCS access rights (24.4.1). */
static u32 vmx_seg_ar(const struct kvm_segment *s)
{
	if (s->unusable || !s->present)
		return BIT(16);		/* segment unusable */
	return (s->type & 15) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
	       (s->present & 1) << 7 | (s->avl & 1) << 12 | (s->l & 1) << 13 |
	       (s->db & 1) << 14 | (s->g & 1) << 15;
}

static void vmx_ar_seg(u32 ar, struct kvm_segment *s)
{
	s->unusable = !!(ar & BIT(16));
	s->type = ar & 15;
	s->s = (ar >> 4) & 1;
	s->dpl = (ar >> 5) & 3;
	s->present = !s->unusable && ((ar >> 7) & 1);
	s->avl = (ar >> 12) & 1;
	s->l = (ar >> 13) & 1;
	s->db = (ar >> 14) & 1;
	s->g = (ar >> 15) & 1;
}

/* VMCS encodings of one segment register's four fields. */
struct vmx_seg_fields {
	u16 sel, base, limit, ar;
};

#define VMX_SEG(name) { GUEST_##name##_SELECTOR, GUEST_##name##_BASE, \
			GUEST_##name##_LIMIT, GUEST_##name##_AR_BYTES }
static const struct vmx_seg_fields vmx_segs[] = {
	VMX_SEG(CS), VMX_SEG(DS), VMX_SEG(ES), VMX_SEG(FS),
	VMX_SEG(GS), VMX_SEG(SS), VMX_SEG(TR), VMX_SEG(LDTR),
};

/* kvm_sregs holds cs, ds, es, fs, gs, ss, tr, ldt in this order. */
static struct kvm_segment *vmx_sreg(struct kvm_sregs *sregs, int i)
{
	return &sregs->cs + i;
}

static void vmx_get_sregs(struct mkvm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int i;

	for (i = 0; i < ARRAY_SIZE(vmx_segs); i++) {
		struct kvm_segment *s = vmx_sreg(sregs, i);

		s->selector = __vmcs_readl(vmx_segs[i].sel);
		s->base = __vmcs_readl(vmx_segs[i].base);
		s->limit = __vmcs_readl(vmx_segs[i].limit);
		vmx_ar_seg(__vmcs_readl(vmx_segs[i].ar), s);
	}
	sregs->gdt.base = vmcs_readl(GUEST_GDTR_BASE);
	sregs->gdt.limit = vmcs_read32(GUEST_GDTR_LIMIT);
	sregs->idt.base = vmcs_readl(GUEST_IDTR_BASE);
	sregs->idt.limit = vmcs_read32(GUEST_IDTR_LIMIT);
	sregs->cr0 = mkvm_vmx_guest_cr0(vmx);
	sregs->cr2 = vmx->cr2;
	sregs->cr3 = vmcs_readl(GUEST_CR3);
	sregs->cr4 = mkvm_vmx_guest_cr4(vmx);
	/* The exit saved EFER, LMA included (27.3.1). */
	sregs->efer = vmcs_read64(GUEST_IA32_EFER);
}

/**
 * mkvm_vmx_guest_cr0() - CR0 as the guest sees it
 * @vmx: the vCPU
 *
 * The guest changes the bits it owns without exiting: those come from
 * GUEST_CR0, the host-owned ones from the shadow.
 *
 * Return: the guest's CR0.
 */
unsigned long mkvm_vmx_guest_cr0(struct vmx_vcpu *vmx)
{
	unsigned long mask = mkvm_vmx_cfg.cr0_mask;

	return (vmcs_readl(GUEST_CR0) & ~mask) | (vmx->cr0 & mask);
}

/**
 * mkvm_vmx_guest_cr4() - CR4 as the guest sees it
 * @vmx: the vCPU
 *
 * As for CR0: the guest-owned bits (VMX_CR4_GUEST_OWNED) from GUEST_CR4,
 * the host-owned ones from the guest's last write (vmx->cr4).
 *
 * Return: the guest's CR4.
 */
unsigned long mkvm_vmx_guest_cr4(struct vmx_vcpu *vmx)
{
	unsigned long mask = mkvm_vmx_cfg.cr4_mask;

	return (vmcs_readl(GUEST_CR4) & ~mask) | (vmx->cr4 & mask);
}

/**
 * mkvm_vmx_set_cr0() - the guest's CR0 (as it sees it) into the VMCS
 * @vmx: the vCPU
 * @cr0: the value the guest reads back
 */
void mkvm_vmx_set_cr0(struct vmx_vcpu *vmx, unsigned long cr0)
{
	vmx->cr0 = cr0;
	vmcs_writel(CR0_READ_SHADOW, cr0);
	vmcs_writel(GUEST_CR0, (cr0 | mkvm_vmx_cfg.cr0_mask) & mkvm_vmx_cfg.cr0_fixed1);
}

/**
 * mkvm_vmx_set_cr4() - the guest's CR4 (as it sees it) into the VMCS
 * @vmx: the vCPU
 * @cr4: the value the guest reads back
 */
void mkvm_vmx_set_cr4(struct vmx_vcpu *vmx, unsigned long cr4)
{
	/*
	 * CR4.MCE is the host's while the guest runs: with it clear a
	 * machine check would shut the CPU down instead of raising the #MC
	 * the host handles (x86/intercept.c), so it follows the host's, as
	 * in KVM.  The guest reads its own value from the shadow.
	 */
	unsigned long hw = cr4 | (cr4_read_shadow() & X86_CR4_MCE);

	vmx->cr4 = cr4;
	vmcs_writel(CR4_READ_SHADOW, cr4);
	vmcs_writel(GUEST_CR4, (hw | mkvm_vmx_cfg.cr4_fixed0) & mkvm_vmx_cfg.cr4_fixed1);
}

/*
 * EFER into the VMCS; IA-32e mode guest follows EFER.LMA (24.8.1), and
 * the SYSCALL MSRs matter to the guest only while EFER.SCE is set.
 */
static void vmx_set_efer(struct vmx_vcpu *vmx, u64 efer)
{
	vmcs_write64(GUEST_IA32_EFER, efer);
	vmcs_write32(VM_ENTRY_CONTROLS, mkvm_vmx_cfg.entry |
		     (efer & EFER_LMA ? VM_ENTRY_IA32E_MODE : 0));
	vmx->switch_syscall_msrs = efer & EFER_SCE;
}

static int vmx_syscall_msr_slot(u32 index)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(mkvm_vmx_syscall_msr_index); i++)
		if (mkvm_vmx_syscall_msr_index[i] == index)
			return i;
	return -1;
}

static int vmx_get_msr(struct mkvm_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int slot = vmx_syscall_msr_slot(index);

	if (slot >= 0) {
		*data = vmx->syscall_msrs[slot];
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		*data = vmcs_read64(GUEST_IA32_EFER);
		break;
	case MSR_KERNEL_GS_BASE:
		*data = vmx->kernel_gs_base;
		break;
	case MSR_FS_BASE:
		*data = vmcs_readl(GUEST_FS_BASE);
		break;
	case MSR_GS_BASE:
		*data = vmcs_readl(GUEST_GS_BASE);
		break;
	case MSR_IA32_SYSENTER_CS:
		*data = vmcs_read32(GUEST_SYSENTER_CS);
		break;
	case MSR_IA32_SYSENTER_ESP:
		*data = vmcs_readl(GUEST_SYSENTER_ESP);
		break;
	case MSR_IA32_SYSENTER_EIP:
		*data = vmcs_readl(GUEST_SYSENTER_EIP);
		break;
	case MSR_IA32_TSC:
		/* 25.3: the guest reads the host TSC plus the offset. */
		*data = rdtsc() + vmcs_read64(TSC_OFFSET);
		break;
	case MSR_IA32_CR_PAT:
		*data = vmcs_read64(GUEST_IA32_PAT);
		break;
	default:
		return 1;
	}
	return 0;
}

static int vmx_set_msr(struct mkvm_vcpu *vcpu, u32 index, u64 data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int slot = vmx_syscall_msr_slot(index);

	if (slot >= 0) {
		vmx->syscall_msrs[slot] = data;
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		vmx_set_efer(vmx, data);
		break;
	case MSR_KERNEL_GS_BASE:
		vmx->kernel_gs_base = data;
		break;
	case MSR_FS_BASE:
		vmcs_writel(GUEST_FS_BASE, data);
		break;
	case MSR_GS_BASE:
		vmcs_writel(GUEST_GS_BASE, data);
		break;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(GUEST_SYSENTER_CS, data);
		break;
	case MSR_IA32_SYSENTER_ESP:
		vmcs_writel(GUEST_SYSENTER_ESP, data);
		break;
	case MSR_IA32_SYSENTER_EIP:
		vmcs_writel(GUEST_SYSENTER_EIP, data);
		break;
	case MSR_IA32_TSC:
		vmcs_write64(TSC_OFFSET, data - rdtsc());
		break;
	case MSR_IA32_CR_PAT:
		vmcs_write64(GUEST_IA32_PAT, data);
		break;
	default:
		return 1;
	}
	return 0;
}

static void vmx_set_sregs(struct mkvm_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_sregs *s = (struct kvm_sregs *)sregs;
	int i;

	for (i = 0; i < ARRAY_SIZE(vmx_segs); i++) {
		const struct kvm_segment *seg = vmx_sreg(s, i);

		__vmcs_writel(vmx_segs[i].sel, seg->selector);
		__vmcs_writel(vmx_segs[i].base, seg->base);
		__vmcs_writel(vmx_segs[i].limit, seg->limit);
		__vmcs_writel(vmx_segs[i].ar, vmx_seg_ar(seg));
	}
	vmcs_writel(GUEST_GDTR_BASE, sregs->gdt.base);
	vmcs_write32(GUEST_GDTR_LIMIT, sregs->gdt.limit);
	vmcs_writel(GUEST_IDTR_BASE, sregs->idt.base);
	vmcs_write32(GUEST_IDTR_LIMIT, sregs->idt.limit);
	mkvm_vmx_set_cr0(vmx, sregs->cr0);
	mkvm_vmx_set_cr4(vmx, sregs->cr4);
	vmcs_writel(GUEST_CR3, sregs->cr3);
	/* 26.3.2.4: with EPT, PAE paging takes its PDPTEs from the VMCS. */
	vmcs_write64(GUEST_PDPTR0, vcpu->pdptrs[0]);
	vmcs_write64(GUEST_PDPTR1, vcpu->pdptrs[1]);
	vmcs_write64(GUEST_PDPTR2, vcpu->pdptrs[2]);
	vmcs_write64(GUEST_PDPTR3, vcpu->pdptrs[3]);
	vmx->cr2 = sregs->cr2;	/* switched by mkvm_vmx_run(), not the VMCS */
	vmx_set_efer(vmx, sregs->efer);
}

/*
 * Single steps use the monitor trap flag (25.5.2): an exit after each
 * guest instruction, with nothing for the guest to see.  Without it, TF
 * and the #DB that is always intercepted (VMX_EXCEPTIONS_ALWAYS).
 * Breakpoints: #BP in the exception bitmap (24.6.3).
 */
static unsigned long vmx_get_cr4(struct mkvm_vcpu *vcpu)
{
	return vmcs_readl(GUEST_CR4);
}

static void vmx_update_debug(struct mkvm_vcpu *vcpu)
{
	bool step = vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP;
	u32 proc = mkvm_vmx_cfg.proc, bitmap = VMX_EXCEPTIONS_ALWAYS;

	vcpu->step_with_tf = !mkvm_vmx_cfg.has_mtf;
	if (step && mkvm_vmx_cfg.has_mtf)
		proc |= CPU_BASED_MONITOR_TRAP_FLAG;
	if (vcpu->guest_debug & KVM_GUESTDBG_USE_SW_BP)
		bitmap |= BIT(X86_TRAP_BP);
	to_vmx(vcpu)->proc_base = proc;
	to_vmx(vcpu)->proc_now = proc;
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
	vmcs_write32(EXCEPTION_BITMAP, bitmap);
}

/* CR2 is not in the VMCS: mkvm_vmx_run() loads it before entry. */
static void vmx_set_cr2(struct mkvm_vcpu *vcpu, u64 cr2)
{
	to_vmx(vcpu)->cr2 = cr2;
}

/* Nor is DR6: mkvm_vmx_run() switches it; DR7 is GUEST_DR7 (24.4.1). */
static u64 vmx_get_dr6(struct mkvm_vcpu *vcpu)
{
	return to_vmx(vcpu)->dr6;
}

static void vmx_set_dr6(struct mkvm_vcpu *vcpu, u64 dr6)
{
	to_vmx(vcpu)->dr6 = dr6;
}

static void vmx_set_dr7(struct mkvm_vcpu *vcpu, u64 dr7)
{
	vmcs_writel(GUEST_DR7, dr7);
}

const struct mkvm_ops mkvm_vmx_ops = {
	.name			= "vmx",
	.vcpu_size		= sizeof(struct vmx_vcpu),
	.exit_names		= mkvm_vmx_exit_names,
	.hardware_setup		= vmx_hardware_setup,
	.hardware_unsetup	= vmx_hardware_unsetup,
	.hardware_enable	= mkvm_vmx_hardware_enable,
	.hardware_disable	= mkvm_vmx_hardware_disable,
	.vm_init		= vmx_vm_init,
	.vm_destroy		= vmx_vm_destroy,
	.vcpu_create		= vmx_vcpu_create,
	.vcpu_free		= vmx_vcpu_free,
	.vcpu_load		= mkvm_vmx_vcpu_load,
	.run			= mkvm_vmx_run,
	.handle_exit		= mkvm_vmx_handle_exit,
	.get_exit_info		= mkvm_vmx_get_exit_info,
	.get_sregs		= vmx_get_sregs,
	.set_sregs		= vmx_set_sregs,
	.get_msr		= vmx_get_msr,
	.set_msr		= vmx_set_msr,
	.get_cr4		= vmx_get_cr4,
	.update_debug		= vmx_update_debug,
	.inject_event		= mkvm_vmx_inject_event,
	.set_windows		= mkvm_vmx_set_windows,
	.nmi_blocked		= mkvm_vmx_nmi_blocked,
	.get_nmi_mask		= mkvm_vmx_get_nmi_mask,
	.set_nmi_mask		= mkvm_vmx_set_nmi_mask,
	.set_interrupt_shadow	= mkvm_vmx_set_interrupt_shadow,
	.set_cr2		= vmx_set_cr2,
	.get_dr6		= vmx_get_dr6,
	.set_dr6		= vmx_set_dr6,
	.set_dr7		= vmx_set_dr7,
	.skip_instruction	= mkvm_vmx_skip_op,
	.tdp_table_pte		= vmx_tdp_table_pte,
	.tdp_leaf_pte		= vmx_tdp_leaf_pte,
};
