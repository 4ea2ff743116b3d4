// SPDX-License-Identifier: GPL-2.0
/*
 * Event injection, the part both backends share: what waits to be
 * delivered (struct mkvm_events), the choice of what goes in at the next
 * entry, the interrupt and NMI windows, and the ioctls that queue events
 * or show them: KVM_INTERRUPT, KVM_NMI, KVM_GET/SET_VCPU_EVENTS.
 *
 * The model is KVM's without an in-kernel irqchip.  Userspace owns the
 * interrupt controller: it asks for an interrupt window
 * (kvm_run->request_interrupt_window), waits for
 * kvm_run->ready_for_interrupt_injection, and then gives the vector with
 * KVM_INTERRUPT, which the next entry delivers as an external interrupt.
 *
 * An event goes in through the entry fields (VMX: VM-entry
 * interruption-information, SDM Vol. 3C, 26.6; SVM: EVENTINJ, APM Vol. 2,
 * 15.20).  When an exit interrupts its delivery (a fault on the guest's
 * IDT or stack, say), the exit reports it (IDT-vectoring information,
 * 28.2.4; EXITINTINFO, 15.7.2) and the backend hands it back here
 * through mkvm_queue_event(), so that it is delivered again, once.
 */
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/trapnr.h>

#include "../core/minikvm.h"

/* The slot an event of @type waits in; NULL for an NMI, which has a flag. */
static struct mkvm_event *mkvm_event_slot(struct mkvm_events *ev, u8 type)
{
	switch (type) {
	case MKVM_EV_NMI:
		return NULL;
	case MKVM_EV_EXT_INTR:
	case MKVM_EV_SOFT_INTR:
		return &ev->interrupt;
	default:
		return &ev->exception;
	}
}

/**
 * mkvm_queue_event() - deliver an event at the next entry
 * @vcpu: the vCPU
 * @type: enum mkvm_event_type
 * @vector: its vector
 * @has_error: an exception that pushes an error code
 * @error: the error code
 * @insn_len: for software events, the length of the instruction
 *
 * An exception takes the exception slot, an NMI the NMI flag, an
 * interrupt the interrupt slot; an event replaces one of its own kind.
 * A backend calls this for an event an exit interrupted, too.
 */
void mkvm_queue_event(struct mkvm_vcpu *vcpu, u8 type, u8 vector, bool has_error,
		      u32 error, u8 insn_len)
{
	/* #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX (SDM Vol. 3A, 6.13). */
	static const u32 with_error = BIT(8) | GENMASK(14, 10) | BIT(17) | BIT(21) |
				      BIT(29) | BIT(30);
	struct mkvm_events *ev = &vcpu->ev;
	struct mkvm_event *slot;

	/*
	 * Only these push an error code; VM entry fails for any other
	 * hardware exception given one (26.2.1.3), whatever userspace set.
	 */
	if (type == MKVM_EV_HW_EXCEPTION)
		has_error = has_error && vector < 32 && (with_error & BIT(vector));
	else
		has_error = false;

	slot = mkvm_event_slot(ev, type);
	if (!slot) {
		ev->nmi_injected = true;
		ev->nmi_reinjected = false;
		return;
	}
	*slot = (struct mkvm_event) {
		.valid = true, .type = type, .vector = vector,
		.has_error = has_error, .error = error, .insn_len = insn_len,
	};
}

/**
 * mkvm_queue_exception() - give the guest a hardware exception
 * @vcpu: the vCPU
 * @vector: the exception's vector
 * @has_error: whether it pushes an error code (dropped in real mode by the
 *	backend, which pushes none there)
 * @error: the error code
 *
 * An exception already waiting is replaced: the exceptions minikvm raises
 * come from the instruction that exited, which had none in delivery.
 */
void mkvm_queue_exception(struct mkvm_vcpu *vcpu, u8 vector, bool has_error, u32 error)
{
	mkvm_queue_event(vcpu, MKVM_EV_HW_EXCEPTION, vector, has_error, error, 0);
}

/**
 * mkvm_events_clear() - forget every event
 * @vcpu: the vCPU
 *
 * After a shutdown (triple fault) userspace resets the vCPU; nothing that
 * was in delivery survives it.
 */
void mkvm_events_clear(struct mkvm_vcpu *vcpu)
{
	memset(&vcpu->ev, 0, sizeof(vcpu->ev));
}

static bool mkvm_interrupt_blocked(struct mkvm_vcpu *vcpu)
{
	return !(vcpu->rflags & X86_EFLAGS_IF) || mkvm_events_shadow(&vcpu->ev, vcpu->rip);
}

/**
 * mkvm_ready_for_interrupt() - may userspace give an interrupt now?
 * @vcpu: the vCPU, out of the guest
 *
 * As KVM's kvm_vcpu_ready_for_interrupt_injection(): the guest takes
 * interrupts (RFLAGS.IF set, no STI or MOV SS shadow) and no event waits
 * to be delivered, so that an interrupt given now is taken at the next
 * instruction boundary.
 *
 * Return: the value of kvm_run->ready_for_interrupt_injection.
 */
bool mkvm_ready_for_interrupt(struct mkvm_vcpu *vcpu)
{
	const struct mkvm_events *ev = &vcpu->ev;

	return !mkvm_interrupt_blocked(vcpu) && !ev->exception.valid &&
	       !ev->nmi_injected && !ev->interrupt.valid;
}

/**
 * mkvm_inject_events() - choose what the next entry delivers
 * @vcpu: the vCPU, loaded, interrupts off, just before the entry
 *
 * One event per entry, highest priority first: an exception, an NMI
 * being delivered, an interrupt, then a pending NMI if the guest does
 * not block NMIs.  If another event still waits, a self-IPI makes the
 * guest exit as soon as the entry has delivered this one (the IPI is
 * pending with interrupts off, and exits the guest before its first
 * instruction: external-interrupt exiting / the INTR intercept), as
 * KVM's immediate exit does.  The windows the guest must open for what
 * is left are asked for as well.
 */
void mkvm_inject_events(struct mkvm_vcpu *vcpu)
{
	static const struct mkvm_event nmi = {
		.valid = true, .type = MKVM_EV_NMI, .vector = X86_TRAP_NMI,
	}, nmi_again = {
		.valid = true, .type = MKVM_EV_NMI, .vector = X86_TRAP_NMI,
		.reinjected = true,
	};
	struct mkvm_events *ev = &vcpu->ev;
	const struct mkvm_event *next = NULL;
	bool more, irq_blocked, irq_waits, irq_window, nmi_window;

	/* The instruction under the shadow completed: the shadow is over. */
	if (ev->shadow && !mkvm_events_shadow(ev, vcpu->rip)) {
		ev->shadow = 0;
		mkvm_ops->set_interrupt_shadow(vcpu, 0);
	}
	ev->in_flight = NULL;
	ev->nmi_in_flight = false;
	/*
	 * An external interrupt waits while the guest blocks interrupts:
	 * after an exception or NMI delivered just before it (through an
	 * interrupt gate, which clears IF), or when userspace gave it too
	 * early.  VMX entry would refuse it there (26.2.1.3 wants IF set),
	 * SVM would deliver it inside the handler.  Its window brings it in.
	 */
	irq_blocked = ev->interrupt.valid && ev->interrupt.type == MKVM_EV_EXT_INTR &&
		      mkvm_interrupt_blocked(vcpu);
	if (ev->exception.valid) {
		ev->in_flight = &ev->exception;
	} else if (ev->nmi_injected) {
		ev->nmi_in_flight = true;
	} else if (ev->interrupt.valid && !irq_blocked) {
		ev->in_flight = &ev->interrupt;
	} else if (ev->nmi_pending && !mkvm_ops->nmi_blocked(vcpu)) {
		ev->nmi_pending--;
		ev->nmi_injected = true;
		ev->nmi_in_flight = true;
	}
	next = ev->nmi_in_flight ? (ev->nmi_reinjected ? &nmi_again : &nmi) : ev->in_flight;
	if (next) {
		mkvm_ops->inject_event(vcpu, next);
		/* As KVM, each entry that carries one, a second delivery too. */
		if (ev->nmi_in_flight)
			vcpu->stats->nmi_injections++;
		else if (next == &ev->interrupt)
			vcpu->stats->irq_injections++;
		else
			vcpu->stats->exception_injections++;
	}

	/*
	 * What this entry leaves behind.  An NMI, or a software interrupt,
	 * behind the event going in: exit as soon as it is delivered.  An
	 * external interrupt waits for its window instead, opened below
	 * (the handler of an exception or NMI runs with IF clear).
	 */
	irq_waits = ev->interrupt.valid && next != &ev->interrupt &&
		    ev->interrupt.type == MKVM_EV_EXT_INTR;
	more = (ev->nmi_injected && !ev->nmi_in_flight) ||
	       (ev->nmi_pending && next && !ev->nmi_in_flight) ||
	       (ev->interrupt.valid && next != &ev->interrupt && !irq_waits);
	if (next && more)
		smp_send_reschedule(smp_processor_id());

	/*
	 * The interrupt window opens when the guest can take an interrupt:
	 * for the one waiting in the slot, or for userspace's request when
	 * the slot is empty.  The NMI window when NMIs are unblocked (after
	 * the IRET of the NMI handler being delivered now, if any); not
	 * while another event goes in, which the self-IPI covers (on SVM
	 * the window may single-step, and the step's TF would land in that
	 * event's stack frame).
	 */
	irq_window = irq_waits ||
		     (READ_ONCE(vcpu->run->request_interrupt_window) && !ev->interrupt.valid);
	nmi_window = ev->nmi_pending && (!next || ev->nmi_in_flight);
	mkvm_ops->set_windows(vcpu, irq_window, nmi_window);
}

/**
 * mkvm_events_exited() - the entry that carried an event has happened
 * @vcpu: the vCPU, right after the exit, RIP read back, before the backend
 *	hands back an event whose delivery the exit interrupted
 * @entered: false when the entry failed: the event did not go in
 * @shadow: KVM_X86_SHADOW_INT_* as the exit left the guest
 *
 * The event chosen by mkvm_inject_events() was delivered (or, if the exit
 * cut its delivery short, the backend queues it again next).
 */
void mkvm_events_exited(struct mkvm_vcpu *vcpu, bool entered, u8 shadow)
{
	struct mkvm_events *ev = &vcpu->ev;

	ev->shadow = shadow;
	ev->shadow_rip = vcpu->rip;
	ev->cut_short = false;
	if (entered) {
		if (ev->in_flight)
			ev->in_flight->valid = false;
		if (ev->nmi_in_flight) {
			ev->nmi_injected = false;
			ev->nmi_reinjected = false;
		}
	}
	ev->in_flight = NULL;
	ev->nmi_in_flight = false;
}

/**
 * mkvm_requeue_event() - an event whose delivery the exit cut short
 * @vcpu: the vCPU, after mkvm_events_exited()
 * @type: enum mkvm_event_type, from the IDT-vectoring information or
 *	EXITINTINFO
 * @vector: its vector
 * @has_error: it pushes an error code
 * @error: the error code
 * @insn_len: for software events, the instruction's length
 *
 * Queued again for the next entry, marked as reinjected (for the
 * minikvm_inject tracepoint), and noted: if the exit was a guest
 * page fault outside guest memory, the delivery itself needs that memory
 * (the guest's IDT or stack), and the run loop reports a delivery error
 * instead of emulating the instruction at RIP.
 */
void mkvm_requeue_event(struct mkvm_vcpu *vcpu, u8 type, u8 vector, bool has_error,
			u32 error, u8 insn_len)
{
	struct mkvm_event *slot = mkvm_event_slot(&vcpu->ev, type);

	mkvm_queue_event(vcpu, type, vector, has_error, error, insn_len);
	if (slot)
		slot->reinjected = true;
	else
		vcpu->ev.nmi_reinjected = true;
	vcpu->ev.cut_short = true;
}

/*
 * mkvm_ioctl_interrupt() - KVM_INTERRUPT without an in-kernel irqchip
 * @vcpu: the vCPU, its mutex held
 * @argp: struct kvm_interrupt from userspace
 *
 * As KVM's kvm_vcpu_ioctl_interrupt() with the interrupt controller in
 * userspace: the vector is delivered as an external interrupt at the next
 * entry, replacing one given before and not delivered yet.  It is
 * userspace's part to give it only when ready_for_interrupt_injection
 * says the guest can take it; the entry does not check RFLAGS.IF.
 *
 * Return: 0; -EFAULT; -EINVAL for a vector above 255.
 */
static int mkvm_ioctl_interrupt(struct mkvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (irq.irq >= KVM_NR_INTERRUPTS)
		return -EINVAL;
	mkvm_queue_event(vcpu, MKVM_EV_EXT_INTR, irq.irq, false, 0, 0);
	return 0;
}

/*
 * How many NMIs may wait: two while NMIs are unblocked (one is delivered,
 * the next is latched behind it, SDM Vol. 3A, 6.7.1), one while the guest
 * is in its NMI handler or an NMI is in delivery, as KVM's process_nmi().
 */
static unsigned int mkvm_nmi_limit(struct mkvm_vcpu *vcpu)
{
	bool masked;

	mkvm_vcpu_load(vcpu);
	masked = mkvm_ops->get_nmi_mask(vcpu);
	mkvm_vcpu_put(vcpu);
	return masked || vcpu->ev.nmi_injected ? 1 : 2;
}

/*
 * mkvm_ioctl_nmi() - KVM_NMI: queue an NMI
 * @vcpu: the vCPU, its mutex held
 *
 * Return: 0.
 */
static int mkvm_ioctl_nmi(struct mkvm_vcpu *vcpu)
{
	struct mkvm_events *ev = &vcpu->ev;

	ev->nmi_pending = min_t(unsigned int, ev->nmi_pending + 1, mkvm_nmi_limit(vcpu));
	return 0;
}

/* INT3 and INTO come back by themselves when their instruction runs again. */
static bool mkvm_exception_is_soft(const struct mkvm_event *e)
{
	return e->type == MKVM_EV_SOFT_EXCEPTION ||
	       (e->vector == X86_TRAP_BP || e->vector == X86_TRAP_OF);
}

/*
 * mkvm_get_vcpu_events() - KVM_GET_VCPU_EVENTS
 * @vcpu: the vCPU, its mutex held
 * @out: filled in; reserved fields zero
 *
 * As KVM without KVM_CAP_EXCEPTION_PAYLOAD: an exception waiting is
 * "injected"; INT3 and INTO are not reported, nor software interrupts
 * (the ABI has no instruction length for them; the instruction runs
 * again and raises them again).  No SMM: the smi fields are zero.
 */
static void mkvm_get_vcpu_events(struct mkvm_vcpu *vcpu, struct kvm_vcpu_events *out)
{
	const struct mkvm_events *ev = &vcpu->ev;

	memset(out, 0, sizeof(*out));
	if (ev->exception.valid && !mkvm_exception_is_soft(&ev->exception)) {
		out->exception.injected = 1;
		out->exception.nr = ev->exception.vector;
		out->exception.has_error_code = ev->exception.has_error;
		out->exception.error_code = ev->exception.error;
	}
	out->interrupt.injected = ev->interrupt.valid && ev->interrupt.type == MKVM_EV_EXT_INTR;
	out->interrupt.nr = ev->interrupt.vector;
	out->interrupt.shadow = mkvm_events_shadow(ev, vcpu->rip);
	out->nmi.injected = ev->nmi_injected;
	out->nmi.pending = ev->nmi_pending != 0;
	mkvm_vcpu_load(vcpu);
	out->nmi.masked = mkvm_ops->get_nmi_mask(vcpu);
	mkvm_vcpu_put(vcpu);
	out->flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW |
		     KVM_VCPUEVENT_VALID_SMM;
}

#define MKVM_VCPUEVENT_FLAGS (KVM_VCPUEVENT_VALID_NMI_PENDING | \
			      KVM_VCPUEVENT_VALID_SIPI_VECTOR | \
			      KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM)

/*
 * mkvm_set_vcpu_events() - KVM_SET_VCPU_EVENTS
 * @vcpu: the vCPU, its mutex held
 * @in: the events, from userspace
 *
 * As KVM: unknown flags, an exception vector above 31 or equal to 2, and
 * (without KVM_CAP_EXCEPTION_PAYLOAD or the triple-fault capability,
 * neither offered) the payload and triple-fault flags are refused.
 * minikvm has no SMM: entering it (smi.smm or smi.pending set) is refused
 * too.  The SIPI vector is kept for KVM_SET_MP_STATE's SIPI_RECEIVED
 * (KVM keeps it only with an in-kernel APIC; see mkvm_set_mp_state()).
 *
 * Return: 0 or -EINVAL; nothing changes on an error.
 */
static int mkvm_set_vcpu_events(struct mkvm_vcpu *vcpu, const struct kvm_vcpu_events *in)
{
	struct mkvm_events *ev = &vcpu->ev;

	if (in->flags & ~MKVM_VCPUEVENT_FLAGS)
		return -EINVAL;
	if ((in->exception.injected || in->exception.pending) &&
	    (in->exception.nr > 31 || in->exception.nr == X86_TRAP_NMI))
		return -EINVAL;
	if ((in->flags & KVM_VCPUEVENT_VALID_SMM) && (in->smi.smm || in->smi.pending))
		return -EINVAL;

	/* Without KVM_CAP_EXCEPTION_PAYLOAD, KVM ignores exception.pending. */
	ev->exception.valid = false;
	if (in->exception.injected)
		mkvm_queue_exception(vcpu, in->exception.nr, in->exception.has_error_code,
				     in->exception.error_code);
	ev->interrupt = (struct mkvm_event) {
		.valid = in->interrupt.injected,
		.type = in->interrupt.soft ? MKVM_EV_SOFT_INTR : MKVM_EV_EXT_INTR,
		.vector = in->interrupt.nr,
		.insn_len = in->interrupt.soft ? 2 : 0,	/* INT n: CD ib */
	};
	ev->nmi_injected = in->nmi.injected;
	ev->nmi_reinjected = false;
	if (in->flags & KVM_VCPUEVENT_VALID_SIPI_VECTOR)
		ev->sipi_vector = in->sipi_vector;
	if (in->flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		ev->nmi_pending = in->nmi.pending ? 1 : 0;
	mkvm_vcpu_load(vcpu);
	if (in->flags & KVM_VCPUEVENT_VALID_SHADOW) {
		ev->shadow = in->interrupt.shadow &
			     (KVM_X86_SHADOW_INT_MOV_SS | KVM_X86_SHADOW_INT_STI);
		ev->shadow_rip = vcpu->rip;
		mkvm_ops->set_interrupt_shadow(vcpu, ev->shadow);
	}
	mkvm_ops->set_nmi_mask(vcpu, in->nmi.masked);
	mkvm_vcpu_put(vcpu);
	return 0;
}

/*
 * Start an AP at its SIPI vector, as the processor does after INIT-SIPI
 * (SDM Vol. 3A, 9.4.4.1 and 10.6.1, vector VV: CS selector VV00h, base
 * VV000h, IP 0), and as KVM's kvm_vcpu_deliver_sipi_vector(): only CS and
 * RIP change; the rest is the state the vCPU already has (the reset state
 * for a new vCPU).
 */
static int mkvm_deliver_sipi(struct mkvm_vcpu *vcpu)
{
	struct kvm_sregs *sregs = kzalloc(sizeof(*sregs), GFP_KERNEL);

	if (!sregs)
		return -ENOMEM;
	mkvm_vcpu_load(vcpu);
	mkvm_ops->get_sregs(vcpu, sregs);
	sregs->cs.selector = vcpu->ev.sipi_vector << 8;
	sregs->cs.base = (u64)vcpu->ev.sipi_vector << 12;
	mkvm_ops->set_sregs(vcpu, sregs);
	mkvm_vcpu_put(vcpu);
	kfree(sregs);
	vcpu->rip = 0;
	vcpu->ev.wait_for_sipi = false;
	return 0;
}

/*
 * KVM_SET_MP_STATE.  RUNNABLE, and the two states that start an AP:
 * INIT_RECEIVED (the AP waits for its SIPI: KVM_RUN does not enter the
 * guest) and SIPI_RECEIVED (the AP runs from the vector that
 * KVM_SET_VCPU_EVENTS gave, KVM_VCPUEVENT_VALID_SIPI_VECTOR).
 *
 * KVM accepts INIT_RECEIVED and SIPI_RECEIVED only with its in-kernel
 * local APIC, which is where the SIPI would come from.  minikvm has none,
 * and a userspace that emulates the APIC (its INIT and SIPI IPIs) needs
 * a way to start an AP exactly as the processor does, so minikvm takes
 * them without one; api.rst records the difference.  HALTED stays
 * refused: a HLT returns to userspace (KVM_EXIT_HLT), which owns waking
 * the vCPU, so no halted state lives in the kernel.
 */
static int mkvm_set_mp_state(struct mkvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_mp_state mp;

	if (copy_from_user(&mp, argp, sizeof(mp)))
		return -EFAULT;
	switch (mp.mp_state) {
	case KVM_MP_STATE_RUNNABLE:
		vcpu->ev.wait_for_sipi = false;
		return 0;
	case KVM_MP_STATE_INIT_RECEIVED:
		vcpu->ev.wait_for_sipi = true;
		return 0;
	case KVM_MP_STATE_SIPI_RECEIVED:
		return mkvm_deliver_sipi(vcpu);
	}
	return -EINVAL;
}

/**
 * mkvm_events_ioctl() - KVM_INTERRUPT, KVM_NMI, KVM_GET/SET_VCPU_EVENTS,
 *	KVM_GET/SET_MP_STATE
 * @vcpu: the vCPU, its mutex held
 * @ioctl: which
 * @argp: its argument in userspace
 *
 * Return: 0, -EFAULT, -ENOMEM or -EINVAL as each ioctl above says.
 */
int mkvm_events_ioctl(struct mkvm_vcpu *vcpu, unsigned int ioctl, void __user *argp)
{
	struct kvm_mp_state mp = {
		.mp_state = vcpu->ev.wait_for_sipi ? KVM_MP_STATE_INIT_RECEIVED :
						     KVM_MP_STATE_RUNNABLE,
	};
	struct kvm_vcpu_events events;

	switch (ioctl) {
	case KVM_GET_MP_STATE:
		return copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
	case KVM_SET_MP_STATE:
		return mkvm_set_mp_state(vcpu, argp);
	case KVM_INTERRUPT:
		return mkvm_ioctl_interrupt(vcpu, argp);
	case KVM_NMI:
		return mkvm_ioctl_nmi(vcpu);
	case KVM_GET_VCPU_EVENTS:
		mkvm_get_vcpu_events(vcpu, &events);
		return copy_to_user(argp, &events, sizeof(events)) ? -EFAULT : 0;
	case KVM_SET_VCPU_EVENTS:
		if (copy_from_user(&events, argp, sizeof(events)))
			return -EFAULT;
		return mkvm_set_vcpu_events(vcpu, &events);
	}
	return -ENOTTY;
}
