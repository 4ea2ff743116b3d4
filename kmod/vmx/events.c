// SPDX-License-Identifier: GPL-2.0
/*
 * VMX event injection (SDM Vol. 3C): the entry fields an event goes in
 * through (24.8.3, 26.6), the interrupt and NMI windows (25.3, 26.7.5,
 * 26.7.6), the guest's interruptibility state (24.4.2) and what an exit
 * says about an event it interrupted (IDT-vectoring information, 28.2.4).
 *
 * NMIs use virtual-NMI blocking (pin-based "virtual NMIs", 25.3): the
 * processor tracks the guest's NMI handler, from the delivery of an
 * injected NMI to its IRET, in the interruptibility state's "blocking by
 * NMI" bit, and the NMI-window exit comes when that blocking ends.
 */
#include <asm/trapnr.h>

#include "vmx.h"
#include "vmx_ops.h"
#include "../x86/trace.h"

#define VMX_SHADOW_BITS (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)

static u8 vmx_shadow_to_kvm(u32 intr)
{
	return (intr & GUEST_INTR_STATE_STI ? KVM_X86_SHADOW_INT_STI : 0) |
	       (intr & GUEST_INTR_STATE_MOV_SS ? KVM_X86_SHADOW_INT_MOV_SS : 0);
}

/**
 * mkvm_vmx_inject_event() - the inject_event op: the VM-entry interruption fields
 * @vcpu: the vCPU, loaded, interrupts off
 * @ev: the event; its type is the interruption type (24.8.3)
 */
void mkvm_vmx_inject_event(struct mkvm_vcpu *vcpu, const struct mkvm_event *ev)
{
	u32 info = ev->vector | (u32)ev->type << 8 | INTR_INFO_VALID_MASK;

	switch (ev->type) {
	case MKVM_EV_HW_EXCEPTION:
		/* Real mode pushes no error code, and entry refuses one (26.2.1.3). */
		if (ev->has_error && (mkvm_vmx_guest_cr0(to_vmx(vcpu)) & X86_CR0_PE)) {
			info |= INTR_INFO_DELIVER_CODE_MASK;
			vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, ev->error);
		}
		break;
	case MKVM_EV_SOFT_INTR:
	case MKVM_EV_PRIV_SOFT_EXCEPTION:
	case MKVM_EV_SOFT_EXCEPTION:
		/* What RIP the delivery pushes: past the instruction (26.6.1.3). */
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, ev->insn_len ? ev->insn_len : 1);
		break;
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
	trace_minikvm_inject(vcpu->id, ev, info & INTR_INFO_DELIVER_CODE_MASK);
}

/**
 * mkvm_vmx_set_windows() - the set_windows op: interrupt- and NMI-window exiting
 * @vcpu: the vCPU, loaded
 * @irq: exit as soon as RFLAGS.IF is set and nothing blocks (26.7.5)
 * @nmi: exit as soon as virtual-NMI blocking ends (26.7.6)
 */
void mkvm_vmx_set_windows(struct mkvm_vcpu *vcpu, bool irq, bool nmi)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 proc = vmx->proc_base;

	if (irq)
		proc |= CPU_BASED_INTR_WINDOW_EXITING;
	if (nmi)
		proc |= CPU_BASED_NMI_WINDOW_EXITING;
	if (proc != vmx->proc_now) {
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
		vmx->proc_now = proc;
	}
}

/**
 * mkvm_vmx_nmi_blocked() - the nmi_blocked op: NMI, STI or MOV SS blocking
 * @vcpu: the vCPU, loaded
 *
 * Return: true if an NMI cannot go in now (24.4.2).
 */
bool mkvm_vmx_nmi_blocked(struct mkvm_vcpu *vcpu)
{
	return vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
	       (GUEST_INTR_STATE_NMI | VMX_SHADOW_BITS);
}

/**
 * mkvm_vmx_get_nmi_mask() - the get_nmi_mask op: virtual-NMI blocking
 * @vcpu: the vCPU, loaded
 *
 * Return: true while the guest runs its NMI handler.
 */
bool mkvm_vmx_get_nmi_mask(struct mkvm_vcpu *vcpu)
{
	return vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTR_STATE_NMI;
}

static void vmx_set_intr_bits(u32 mask, u32 bits)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	if ((intr & mask) != bits)
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, (intr & ~mask) | bits);
}

/**
 * mkvm_vmx_set_nmi_mask() - the set_nmi_mask op
 * @vcpu: the vCPU, loaded
 * @masked: the new virtual-NMI blocking
 */
void mkvm_vmx_set_nmi_mask(struct mkvm_vcpu *vcpu, bool masked)
{
	vmx_set_intr_bits(GUEST_INTR_STATE_NMI, masked ? GUEST_INTR_STATE_NMI : 0);
}

/**
 * mkvm_vmx_set_interrupt_shadow() - the set_interrupt_shadow op
 * @vcpu: the vCPU, loaded
 * @shadow: KVM_X86_SHADOW_INT_*
 */
void mkvm_vmx_set_interrupt_shadow(struct mkvm_vcpu *vcpu, u8 shadow)
{
	u32 bits = 0;

	/*
	 * Entry refuses STI and MOV SS blocking together, and STI blocking
	 * with RFLAGS.IF clear (26.3.1.5): MOV SS wins, as in KVM.
	 */
	if (shadow & KVM_X86_SHADOW_INT_MOV_SS)
		bits = GUEST_INTR_STATE_MOV_SS;
	else if ((shadow & KVM_X86_SHADOW_INT_STI) && (vcpu->rflags & X86_EFLAGS_IF))
		bits = GUEST_INTR_STATE_STI;
	vmx_set_intr_bits(VMX_SHADOW_BITS, bits);
}

/**
 * mkvm_vmx_complete_events() - account for the events around an exit
 * @vcpu: the vCPU, right after a VM exit (not a failed entry), RIP read back
 *
 * The event the entry carried was delivered, unless the IDT-vectoring
 * information shows that the exit interrupted its delivery: then it goes
 * back to the core, to be injected again, with the instruction length a
 * software event needs (28.2.4).  An NMI going back must find NMIs
 * unblocked, or the next entry fails (26.3.1.5); an exit from an IRET
 * whose fault cut it short must leave them blocked again (27.2.3, the
 * "NMI unblocking due to IRET" bit, for the exits that report it).
 */
void mkvm_vmx_complete_events(struct mkvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 idt = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	u32 reason = vmx->exit_reason & 0xffff, unblock = 0;
	u8 type = (idt & VECTORING_INFO_TYPE_MASK) >> 8;

	mkvm_events_exited(vcpu, true,
			   vmx_shadow_to_kvm(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO)));
	if (idt & VECTORING_INFO_VALID_MASK) {
		mkvm_requeue_event(vcpu, type, idt & VECTORING_INFO_VECTOR_MASK,
				   idt & VECTORING_INFO_DELIVER_CODE_MASK,
				   vmcs_read32(IDT_VECTORING_ERROR_CODE),
				   vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
		if (type == MKVM_EV_NMI)
			mkvm_vmx_set_nmi_mask(vcpu, false);
		return;
	}
	if (reason == EXIT_REASON_EXCEPTION_NMI) {
		u32 info = vmcs_read32(VM_EXIT_INTR_INFO);

		if ((info & INTR_INFO_VECTOR_MASK) != X86_TRAP_DF)
			unblock = info & INTR_INFO_UNBLOCK_NMI;
	} else if (reason == EXIT_REASON_EPT_VIOLATION) {
		unblock = vmcs_readl(EXIT_QUALIFICATION) & INTR_INFO_UNBLOCK_NMI;
	}
	if (unblock)
		mkvm_vmx_set_nmi_mask(vcpu, true);
}

/**
 * mkvm_vmx_handle_window() - an interrupt- or NMI-window exit
 * @vcpu: the vCPU
 *
 * Nothing to do here: the core decides at the next entry what the open
 * window lets in, and whether userspace hears of it.
 *
 * Return: MKVM_RESUME.
 */
enum mkvm_exit_action mkvm_vmx_handle_window(struct mkvm_vcpu *vcpu)
{
	if (vcpu->exit_code == EXIT_REASON_NMI_WINDOW)
		vcpu->stats->nmi_window_exits++;
	else
		vcpu->stats->irq_window_exits++;
	return MKVM_RESUME;
}
