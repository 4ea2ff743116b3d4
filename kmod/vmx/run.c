// SPDX-License-Identifier: GPL-2.0
/*
 * The VMX world switch: the host state VM exit does not restore, the
 * guest's CR2, DR6, KERNEL_GS_BASE and SYSCALL MSRs, and around them the
 * noinstr call into vmenter.S (SDM Vol. 3C, 27 and 28).
 */
#define pr_fmt(fmt) "minikvm: vmx: " fmt

#include <linux/compiler.h>
#include <asm/io.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>

#include "vmx.h"
#include "vmx_ops.h"
#include "../x86/spec.h"

static void vmx_flush(struct vmx_vcpu *vmx)
{
	vmcs_write64(EPT_POINTER, mkvm_vmx_eptp(vmx->vcpu.vm));
	if (mkvm_vmx_cfg.invept_single)
		vmx_invept(VMX_EPT_EXTENT_CONTEXT, mkvm_vmx_eptp(vmx->vcpu.vm));
	else
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	if (mkvm_vmx_cfg.invvpid_single)
		vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, vmx->vpid);
	else
		vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
}

/* Per-entry host state: it follows the task and the CPU (26.2.2). */
static void vmx_refresh_host_state(struct vmx_vcpu *vmx)
{
	unsigned long cr3 = __read_cr3(), cr4 = cr4_read_shadow(), fsbase;

	if (cr3 != vmx->host_cr3) {
		vmcs_writel(HOST_CR3, cr3);
		vmx->host_cr3 = cr3;
	}
	if (cr4 != vmx->host_cr4) {
		vmcs_writel(HOST_CR4, cr4);
		vmx->host_cr4 = cr4;
	}
	rdmsrl(MSR_FS_BASE, fsbase);
	if (fsbase != vmx->host_fs_base) {
		vmcs_writel(HOST_FS_BASE, fsbase);
		vmx->host_fs_base = fsbase;
	}
}

static void vmx_load_syscall_msrs(const u64 *val)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(mkvm_vmx_syscall_msr_index); i++)
		wrmsrl(mkvm_vmx_syscall_msr_index[i], val[i]);
}

/*
 * The part of the switch nothing may instrument, as KVM's
 * vmx_vcpu_enter_exit(): the L1D flush (x86/spec.c), the guest's CR2,
 * which any page fault on the host would overwrite, and vmenter.S.
 */
static noinstr int vmx_enter_exit(struct mkvm_vcpu *vcpu, struct vmx_vcpu *vmx)
{
	int fail;

	mkvm_spec_l1d_flush(vcpu);
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);
	fail = mkvm_vmx_enter(vcpu->regs, vmx->launched);
	vmx->cr2 = native_read_cr2();
	return fail;
}

/**
 * mkvm_vmx_run() - one VM entry and exit (mkvm_ops->run)
 * @vcpu: the vCPU, loaded on this CPU
 *
 * Interrupts are off.  Leaves the exit (or the failed entry) in the
 * vmx_vcpu for mkvm_vmx_handle_exit().
 */
void mkvm_vmx_run(struct mkvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct desc_ptr gdt, idt;
	u16 ds, es, fs, gs, ldt;
	u64 host_kgs, host_debugctl;
	u32 intr_info;
	int fail;

	if (mkvm_mmu_needs_flush(vcpu) || vmx->need_flush) {
		vmx_flush(vmx);
		vmx->need_flush = false;
	}
	vmx_refresh_host_state(vmx);
	if (mkvm_vmx_cfg.preemption_timer)
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, mkvm_vmx_cfg.preemption_timer);
	vmcs_writel(GUEST_RIP, vcpu->rip);
	vmcs_writel(GUEST_RSP, vcpu->regs[MKVM_RSP]);
	vmcs_writel(GUEST_RFLAGS, vcpu->rflags);

	/*
	 * A VM exit loads null DS/ES/FS/GS selectors, an unusable LDTR,
	 * GDTR and IDTR limits of 0xffff, a TR limit of 0x67 (28.5.2),
	 * clears IA32_DEBUGCTL (28.5.1) and leaves IA32_KERNEL_GS_BASE with
	 * the guest's value: save what must be put back.
	 */
	savesegment(ds, ds);
	savesegment(es, es);
	savesegment(fs, fs);
	savesegment(gs, gs);
	asm volatile("sldt %0" : "=r" (ldt));
	native_store_gdt(&gdt);
	store_idt(&idt);
	host_debugctl = get_debugctlmsr();
	rdmsrl(MSR_KERNEL_GS_BASE, host_kgs);
	wrmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	if (vmx->dr6 != DR6_RESERVED)
		set_debugreg(vmx->dr6, 6);

	if (vmx->switch_syscall_msrs)
		vmx_load_syscall_msrs(vmx->syscall_msrs);

	fail = vmx_enter_exit(vcpu, vmx);

	if (vmx->switch_syscall_msrs)
		vmx_load_syscall_msrs(mkvm_vmx_host_syscall_msrs);
	get_debugreg(vmx->dr6, 6);
	if (vmx->dr6 != DR6_RESERVED)
		set_debugreg(DR6_RESERVED, 6);
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	/*
	 * KVM's order (vmx_prepare_switch_to_host()): the GDT, then the
	 * LDT, which a task that called modify_ldt() has and whose
	 * selectors its FS or GS may hold, then the selectors, and only
	 * then IA32_KERNEL_GS_BASE: load_gs_index() loads the user's GS
	 * base from the descriptor, through SWAPGS, into that very MSR.
	 */
	native_load_gdt(&gdt);
	native_load_idt(&idt);
	invalidate_tss_limit();
	if (ldt)
		asm volatile("lldt %0" : : "r" (ldt));
	if (host_debugctl)
		update_debugctlmsr(host_debugctl);
	if (ds | es) {
		loadsegment(ds, ds);
		loadsegment(es, es);
	}
	if (fs | gs) {
		/* Reloading the selectors clobbers the bases: restore them. */
		loadsegment(fs, fs);
		wrmsrl(MSR_FS_BASE, vmx->host_fs_base);
		if (gs)
			load_gs_index(gs);
	}
	wrmsrl(MSR_KERNEL_GS_BASE, host_kgs);

	vmx->fail = fail;
	if (fail) {
		vcpu->exit_code = MKVM_EXIT_CODE_NONE;
		vmx->instr_error = vmcs_read32(VM_INSTRUCTION_ERROR);
		/* The event stays queued; the field must not outlive it. */
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
		mkvm_events_exited(vcpu, false, vcpu->ev.shadow);
		return;
	}
	vmx->exit_reason = vmcs_read32(VM_EXIT_REASON);
	vcpu->exit_code = vmx->exit_reason & 0xffff;	/* the basic reason */
	/* A machine check during the entry is the host's (x86/intercept.c). */
	if ((vmx->exit_reason & 0xffff) == EXIT_REASON_MCE_DURING_VMENTRY)
		mkvm_machine_check();
	/*
	 * A VM entry that fails while checking or loading guest state
	 * (26.7, exit reason bit 31) leaves the launch state as it was:
	 * the next entry must still be a VMLAUNCH.
	 */
	if (vmx->exit_reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
		mkvm_events_exited(vcpu, false, vcpu->ev.shadow);
		return;
	}
	vmx->launched = true;
	vcpu->rip = vmcs_readl(GUEST_RIP);
	vcpu->regs[MKVM_RSP] = vmcs_readl(GUEST_RSP);
	vcpu->rflags = vmcs_readl(GUEST_RFLAGS);
	mkvm_vmx_complete_events(vcpu);

	/*
	 * An NMI that hit the guest belongs to the host (25.2, 27.1), and so
	 * does a machine check (VMX_EXCEPTIONS_ALWAYS).
	 */
	if ((vmx->exit_reason & 0xffff) == EXIT_REASON_EXCEPTION_NMI) {
		intr_info = vmcs_read32(VM_EXIT_INTR_INFO);
		if ((intr_info & (INTR_INFO_VALID_MASK | INTR_INFO_INTR_TYPE_MASK)) ==
		    (INTR_INFO_VALID_MASK | INTR_TYPE_NMI_INTR))
			asm volatile("int $2");
		else if ((intr_info & (INTR_INFO_VALID_MASK | INTR_INFO_VECTOR_MASK)) ==
			 (INTR_INFO_VALID_MASK | X86_TRAP_MC))
			mkvm_machine_check();
	}
}
