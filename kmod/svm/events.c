// SPDX-License-Identifier: GPL-2.0
/*
 * SVM event injection (AMD APM Vol. 2): EVENTINJ (15.20), the virtual
 * interrupt that opens the interrupt window (V_IRQ and the VINTR
 * intercept, 15.21.4), the interrupt shadow (15.21.5) and EXITINTINFO,
 * the event an exit interrupted (15.7.2).
 *
 * SVM does not track the guest's NMI handler for the hypervisor (no
 * virtual-NMI masking on the CPUs minikvm targets), so this file does, as
 * KVM does: NMIs are masked from the injection of one until the guest's
 * IRET has run.  The IRET intercept says the IRET is about to run; the
 * first exit with RIP elsewhere says it ran.  When the NMI window must
 * open and nothing else would cause an exit, the guest is single-stepped
 * (RFLAGS.TF) over the instruction in the way, and the #DB that ends
 * the step is not the guest's.
 */
#include <linux/smp.h>
#include <asm/trapnr.h>

#include "svm.h"
#include "../x86/trace.h"
/* After svm.h: asm/debugreg.h needs the kernel headers it pulls in. */
#include <asm/debugreg.h>

/* EVENTINJ types for minikvm's event types (VMX numbering). */
static u32 svm_event_type(u8 type)
{
	switch (type) {
	case MKVM_EV_EXT_INTR:
		return SVM_EVTINJ_TYPE_INTR;
	case MKVM_EV_NMI:
		return SVM_EVTINJ_TYPE_NMI;
	case MKVM_EV_SOFT_INTR:
		return SVM_EVTINJ_TYPE_SOFT;
	default:
		return SVM_EVTINJ_TYPE_EXEPT;
	}
}

static u8 svm_exitintinfo_type(u32 info)
{
	switch (info & SVM_EXITINTINFO_TYPE_MASK) {
	case SVM_EXITINTINFO_TYPE_INTR:
		return MKVM_EV_EXT_INTR;
	case SVM_EXITINTINFO_TYPE_NMI:
		return MKVM_EV_NMI;
	case SVM_EXITINTINFO_TYPE_SOFT:
		return MKVM_EV_SOFT_INTR;
	default:
		return MKVM_EV_HW_EXCEPTION;
	}
}

static void svm_mask_nmi(struct svm_vcpu *svm, bool masked)
{
	svm->nmi_masked = masked;
	svm->iret_pending = false;
	svm_set_intercept(svm->vmcb, INTERCEPT_IRET, masked);
}

/*
 * A software interrupt or exception pushes the address of the instruction
 * after it, but EVENTINJ has no instruction length: the CPU pushes NextRIP
 * with NRIP_SAVE, RIP without it (15.20).  So, as KVM's
 * svm_update_soft_interrupt_rip(), NextRIP is set past the instruction
 * and RIP stays on it; without NRIP_SAVE, RIP goes past it for this VMRUN
 * only, and mkvm_svm_complete_events() moves it back if an exit cut the
 * delivery short.  Either way RIP is on the instruction whenever the
 * event waits in the core, as KVM_GET_VCPU_EVENTS (which leaves software
 * events out: they run again) and a fault raised by the delivery expect.
 * Without a length from the exit: INT n is CD ib, INT3 CC, INTO CE (no
 * prefix).
 */
static bool svm_is_soft(const struct mkvm_event *ev)
{
	return ev->type == MKVM_EV_SOFT_INTR ||
	       (ev->type == MKVM_EV_HW_EXCEPTION &&
		(ev->vector == X86_TRAP_BP || ev->vector == X86_TRAP_OF));
}

static void svm_soft_rip(struct svm_vcpu *svm, const struct mkvm_event *ev)
{
	struct mkvm_vcpu *vcpu = &svm->vcpu;
	unsigned int len = ev->insn_len;

	if (!len)
		len = ev->type == MKVM_EV_SOFT_INTR ? 2 : 1;
	svm->soft_injected = true;
	svm->soft_old_rip = vcpu->rip;
	svm->soft_next_rip = vcpu->rip + len;
	if (mkvm_svm_has_nrips)
		svm->vmcb->control.next_rip = svm->soft_next_rip;
	else
		vcpu->rip = svm->soft_next_rip;
}

/**
 * mkvm_svm_inject_event() - the inject_event op: EVENTINJ for the next VMRUN
 * @vcpu: the vCPU, loaded
 * @ev: the event
 *
 * Real mode pushes no error code.  An NMI masks NMIs until its IRET.
 */
void mkvm_svm_inject_event(struct mkvm_vcpu *vcpu, const struct mkvm_event *ev)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	bool has_error = ev->has_error && ev->type == MKVM_EV_HW_EXCEPTION &&
			 (vmcb->save.cr0 & X86_CR0_PE);

	if (svm_is_soft(ev))
		svm_soft_rip(svm, ev);

	/* The NMI the step was for goes in now: no TF in its frame. */
	if (ev->type == MKVM_EV_NMI) {
		svm_mask_nmi(svm, true);
		svm->nmi_singlestep = false;
	}
	/*
	 * QEMU 7.2's TCG delivers an EVENTINJ of type INTR inside VMRUN but
	 * leaves the vector as its CPU's pending exception
	 * (target/i386/tcg/sysemu/svm_helper.c, helper_vmrun(): it sets
	 * cs->exception_index and calls do_interrupt_x86_hardirq(), never
	 * cpu_loop_exit()); a kick of that CPU before the next #VMEXIT then
	 * delivers the vector again, as an exception (accel/tcg/cpu-exec.c,
	 * cpu_handle_exception()): the guest's handler ran twice for one
	 * interrupt in about 1 of 5,000.  A self-IPI, pending across VMRUN,
	 * makes the INTR intercept exit right after the delivery, which
	 * replaces the stale vector before any kick.  Only under TCG.
	 */
	if (ev->type == MKVM_EV_EXT_INTR && mkvm_svm_tcg_intr_quirk)
		smp_send_reschedule(smp_processor_id());
	vmcb->control.event_inj = ev->vector | svm_event_type(ev->type) | SVM_EVTINJ_VALID |
				  (has_error ? SVM_EVTINJ_VALID_ERR : 0);
	vmcb->control.event_inj_err = ev->error;
	trace_minikvm_inject(vcpu->id, ev, has_error);
}

/**
 * mkvm_svm_set_windows() - the set_windows op
 * @vcpu: the vCPU, loaded
 * @irq: exit when the guest can take an interrupt
 * @nmi: exit when the guest can take an NMI
 *
 * The interrupt window is a virtual interrupt of the highest priority,
 * TPR ignored, whose VINTR intercept exits before the guest takes it
 * (15.21.4): that happens exactly when RFLAGS.IF is set and no shadow
 * blocks.  The NMI window is the IRET intercept while the NMI handler
 * runs, or a single step over whatever else blocks.
 */
void mkvm_svm_set_windows(struct mkvm_vcpu *vcpu, bool irq, bool nmi)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	u32 v_irq = V_IRQ_MASK | V_IGN_TPR_MASK | V_INTR_PRIO_MASK;

	if (irq) {
		vmcb->control.int_ctl |= v_irq;
		vmcb->control.int_vector = 0;
	} else {
		vmcb->control.int_ctl &= ~v_irq;
	}
	svm_set_intercept(vmcb, INTERCEPT_VINTR, irq);

	/* svm_run() sets TF and RF in the VMCB's RFLAGS while this lasts. */
	if (nmi && !(svm->nmi_masked && !svm->iret_pending) && !svm->nmi_singlestep) {
		svm->nmi_singlestep = true;
		svm->nmi_step_rflags = vcpu->rflags;
	}
}

/**
 * mkvm_svm_nmi_step_done() - end the single step for the NMI window
 * @vcpu: the vCPU, at a #DB intercept
 *
 * Return: true if the #DB was only the end of that step, and the guest
 * must not see it.
 */
bool mkvm_svm_nmi_step_done(struct mkvm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;

	if (!svm->nmi_singlestep)
		return false;
	svm->nmi_singlestep = false;
	if (!(svm->nmi_step_rflags & X86_EFLAGS_TF))
		vcpu->rflags &= ~X86_EFLAGS_TF;
	if (!(svm->nmi_step_rflags & X86_EFLAGS_RF))
		vcpu->rflags &= ~X86_EFLAGS_RF;
	/* Only BS (no B0-B3, no BD), and the guest was not stepping itself: ours. */
	return !(svm->nmi_step_rflags & X86_EFLAGS_TF) &&
	       !(vmcb->save.dr6 & (DR_TRAP_BITS | BIT(13)));
}

/**
 * mkvm_svm_nmi_blocked() - the nmi_blocked op: masked, or under a shadow
 * @vcpu: the vCPU, loaded
 *
 * Return: true if an NMI cannot go in now.
 */
bool mkvm_svm_nmi_blocked(struct mkvm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	return svm->nmi_masked || (svm->vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK);
}

/**
 * mkvm_svm_get_nmi_mask() - the get_nmi_mask op
 * @vcpu: the vCPU
 *
 * Return: true from an NMI's injection until its IRET has run.
 */
bool mkvm_svm_get_nmi_mask(struct mkvm_vcpu *vcpu)
{
	return to_svm(vcpu)->nmi_masked;
}

/**
 * mkvm_svm_set_nmi_mask() - the set_nmi_mask op
 * @vcpu: the vCPU, loaded
 * @masked: NMIs masked (and the IRET intercepted) or not
 */
void mkvm_svm_set_nmi_mask(struct mkvm_vcpu *vcpu, bool masked)
{
	svm_mask_nmi(to_svm(vcpu), masked);
}

/**
 * mkvm_svm_set_interrupt_shadow() - the set_interrupt_shadow op (15.21.5)
 * @vcpu: the vCPU, loaded
 * @shadow: KVM_X86_SHADOW_INT_*; SVM has one shadow bit for both
 */
void mkvm_svm_set_interrupt_shadow(struct mkvm_vcpu *vcpu, u8 shadow)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (shadow)
		vmcb->control.int_state |= SVM_INTERRUPT_SHADOW_MASK;
	else
		vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

/**
 * mkvm_svm_complete_events() - account for the events around a #VMEXIT
 * @vcpu: the vCPU, right after the exit; RIP already read back
 *
 * The event in EVENTINJ was delivered unless EXITINTINFO shows the exit
 * cut its delivery short: then it goes back to the core (15.7.2).  An
 * IRET intercepted earlier has run once RIP is elsewhere: NMIs unmask.
 */
void mkvm_svm_complete_events(struct mkvm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	u32 info = vmcb->control.exit_int_info;

	mkvm_events_exited(vcpu, vmcb->control.exit_code != (u32)SVM_EXIT_ERR,
			   vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK ?
			   KVM_X86_SHADOW_INT_STI | KVM_X86_SHADOW_INT_MOV_SS : 0);
	vmcb->control.event_inj = 0;
	/* The step's TF and RF are not the guest's, whatever exit came first. */
	if (svm->nmi_singlestep && !(svm->nmi_step_rflags & X86_EFLAGS_TF))
		vcpu->rflags &= ~X86_EFLAGS_TF;
	if (svm->nmi_singlestep && !(svm->nmi_step_rflags & X86_EFLAGS_RF))
		vcpu->rflags &= ~X86_EFLAGS_RF;
	if (svm->iret_pending && vcpu->rip != svm->iret_rip)
		svm_mask_nmi(svm, false);
	/*
	 * A software event cut short: RIP back on its instruction (only
	 * moved without NRIP_SAVE, see svm_soft_rip()), where the core's
	 * requeued copy will inject it again.
	 */
	if (svm->soft_injected && (info & SVM_EXITINTINFO_VALID) &&
	    !mkvm_svm_has_nrips && vcpu->rip == svm->soft_next_rip)
		vcpu->rip = svm->soft_old_rip;
	svm->soft_injected = false;
	if (info & SVM_EXITINTINFO_VALID)
		mkvm_requeue_event(vcpu, svm_exitintinfo_type(info),
				   info & SVM_EXITINTINFO_VEC_MASK,
				   info & SVM_EXITINTINFO_VALID_ERR,
				   vmcb->control.exit_int_info_err, 0);
}

/**
 * mkvm_svm_handle_iret() - the guest's IRET, intercepted while NMIs are masked
 * @vcpu: the vCPU
 *
 * The IRET has not run yet: NMIs unmask at the first exit past it.
 *
 * Return: MKVM_RESUME.
 */
enum mkvm_exit_action mkvm_svm_handle_iret(struct mkvm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	/* KVM counts this intercept as its NMI window on SVM. */
	vcpu->stats->nmi_window_exits++;
	svm_set_intercept(svm->vmcb, INTERCEPT_IRET, false);
	svm->iret_pending = true;
	svm->iret_rip = vcpu->rip;
	return MKVM_RESUME;
}

/**
 * mkvm_svm_handle_vintr() - the VINTR intercept: the interrupt window is open
 * @vcpu: the vCPU
 *
 * The core decides at the next entry what it lets in.
 *
 * Return: MKVM_RESUME.
 */
enum mkvm_exit_action mkvm_svm_handle_vintr(struct mkvm_vcpu *vcpu)
{
	vcpu->stats->irq_window_exits++;
	return MKVM_RESUME;
}
