/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events for the guest: exceptions, NMIs and interrupts waiting to be
 * delivered at the next VM entry (x86/events.c).  Both backends keep
 * them here, in the core, so that KVM_GET/SET_VCPU_EVENTS see one state
 * whatever the hardware, and so that an event whose delivery an exit cut
 * short is delivered again exactly once.
 */
#ifndef MKVM_X86_EVENTS_H
#define MKVM_X86_EVENTS_H

#include <linux/types.h>

struct mkvm_vcpu;

/*
 * The kinds of event, numbered as the VMX interruption-information field
 * numbers them (SDM Vol. 3C, 24.8.3); svm/events.c maps them to EVENTINJ
 * types (APM Vol. 2, 15.20).
 */
enum mkvm_event_type {
	MKVM_EV_EXT_INTR = 0,		/* external interrupt: KVM_INTERRUPT */
	MKVM_EV_NMI = 2,
	MKVM_EV_HW_EXCEPTION = 3,
	MKVM_EV_SOFT_INTR = 4,		/* INT n */
	MKVM_EV_PRIV_SOFT_EXCEPTION = 5,	/* INT1 (ICEBP) */
	MKVM_EV_SOFT_EXCEPTION = 6,	/* INT3, INTO */
};

/* One event to deliver at the next entry. */
struct mkvm_event {
	bool valid;
	u8 type;		/* enum mkvm_event_type */
	u8 vector;
	bool has_error;
	u32 error;
	/* Software events: the instruction's length, for VMX entry (26.6.1.3). */
	u8 insn_len;
	/* Queued again because an exit cut its delivery short (minikvm_inject). */
	bool reinjected;
};

/*
 * The vCPU's events.  Only the vCPU's own thread touches them, with the
 * vCPU mutex held (ioctls) or inside KVM_RUN.
 *
 * At most one event is delivered per entry, in the order the processor
 * itself would take them: an exception, then an NMI, then an interrupt
 * (SDM Vol. 3A, 6.9).  Whatever is left waits for the next entry, which a
 * self-IPI makes come at once (mkvm_inject_events()).
 */
struct mkvm_events {
	struct mkvm_event exception;	/* hardware or software exception */
	struct mkvm_event interrupt;	/* external or software interrupt */
	bool nmi_injected;		/* an NMI whose delivery must (re)start */
	bool nmi_reinjected;		/* ... restart: an exit cut it short */
	u8 nmi_pending;			/* queued by KVM_NMI, at most 2 */
	/* The last exit cut an event's delivery short (it is queued again). */
	bool cut_short;
	/* The slot delivered at the last entry: cleared by the exit. */
	struct mkvm_event *in_flight;
	bool nmi_in_flight;
	/*
	 * KVM_X86_SHADOW_INT_*: STI or MOV SS blocking after the last exit,
	 * for the instruction at shadow_rip only.  Once that instruction
	 * completes (RIP moved on: an emulated I/O, CPUID, HLT...), the
	 * shadow is over (SDM Vol. 3A, 6.8.3), as KVM's
	 * skip_emulated_instruction() ends it.
	 */
	u8 shadow;
	unsigned long shadow_rip;
	/*
	 * KVM_MP_STATE_INIT_RECEIVED: an AP waiting for its SIPI, which
	 * KVM_SET_MP_STATE delivers from sipi_vector (KVM_SET_VCPU_EVENTS).
	 * While it waits, KVM_RUN does not enter the guest.
	 */
	bool wait_for_sipi;
	u8 sipi_vector;
};

/* The interrupt shadow in force now (see struct mkvm_events). */
static inline u8 mkvm_events_shadow(const struct mkvm_events *ev, unsigned long rip)
{
	return rip == ev->shadow_rip ? ev->shadow : 0;
}

void mkvm_queue_exception(struct mkvm_vcpu *vcpu, u8 vector, bool has_error, u32 error);
void mkvm_queue_event(struct mkvm_vcpu *vcpu, u8 type, u8 vector, bool has_error,
		      u32 error, u8 insn_len);
void mkvm_events_clear(struct mkvm_vcpu *vcpu);
void mkvm_inject_events(struct mkvm_vcpu *vcpu);
void mkvm_events_exited(struct mkvm_vcpu *vcpu, bool entered, u8 shadow);
void mkvm_requeue_event(struct mkvm_vcpu *vcpu, u8 type, u8 vector, bool has_error,
			u32 error, u8 insn_len);
bool mkvm_ready_for_interrupt(struct mkvm_vcpu *vcpu);
int mkvm_events_ioctl(struct mkvm_vcpu *vcpu, unsigned int ioctl, void __user *argp);

#endif
