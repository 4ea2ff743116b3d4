/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM backend's private state.  The VMCB layout is the kernel's
 * <asm/svm.h> (APM Vol. 2, Appendix B), which checks its size at build time.
 */
#ifndef MKVM_SVM_H
#define MKVM_SVM_H

#include <linux/types.h>
#include <asm/svm.h>

#include "../core/minikvm.h"

struct svm_vcpu {
	struct mkvm_vcpu vcpu;
	struct vmcb *vmcb;		/* one page */
	u32 asid;
	bool need_flush;		/* flush this guest's TLB on entry */
	bool lme_hidden;		/* EFER.LME kept out of the VMCB: cr.c */
	u64 cr4;			/* the guest's CR4, MCE as it set it: cr.c */
	/*
	 * NMI masking, tracked here (events.c): from the injection of an
	 * NMI until its IRET has run (iret_pending: intercepted at iret_rip,
	 * not yet past it); nmi_singlestep while RFLAGS.TF steps the guest
	 * to an NMI window, nmi_step_rflags its own flags before.
	 */
	bool nmi_masked;
	bool iret_pending;
	bool nmi_singlestep;
	unsigned long iret_rip;
	unsigned long nmi_step_rflags;
	/*
	 * A software interrupt or exception (INT n, INT3, INTO) injected at
	 * this VMRUN: its instruction at soft_old_rip, the return address
	 * soft_next_rip (events.c, svm_soft_rip()).  Cleared by the exit.
	 */
	bool soft_injected;
	unsigned long soft_old_rip;
	unsigned long soft_next_rip;
};

static inline struct svm_vcpu *to_svm(struct mkvm_vcpu *vcpu)
{
	return container_of(vcpu, struct svm_vcpu, vcpu);
}

/* Set by mkvm_svm_probe(): the CPU saves the next RIP on exits (NRIP_SAVE). */
extern bool mkvm_svm_has_nrips;
/* Set by mkvm_svm_probe(): QEMU TCG's double delivery, see events.c. */
extern bool mkvm_svm_tcg_intr_quirk;

/**
 * mkvm_svm_enter() - VMLOAD, VMRUN, VMSAVE the guest, VMLOAD the host
 * @vmcb_pa: physical address of the guest's VMCB
 * @regs: the guest's general registers but RAX and RSP (in the VMCB)
 * @host_save_pa: this CPU's area holding the host's VMSAVE state
 *
 * Interrupts and GIF must be off (CLGI).
 */
void mkvm_svm_enter(unsigned long vmcb_pa, unsigned long *regs,
		    unsigned long host_save_pa);

void mkvm_svm_load_cr4(struct svm_vcpu *svm, u64 cr4);
enum mkvm_exit_action mkvm_svm_handle_exit(struct mkvm_vcpu *vcpu);
void mkvm_svm_get_exit_info(struct mkvm_vcpu *vcpu, u64 *info1, u64 *info2, u32 *vectoring);
extern const struct mkvm_exit_name mkvm_svm_exit_names[];

static inline void svm_set_intercept(struct vmcb *vmcb, int bit, bool on)
{
	if (on)
		vmcb->control.intercepts[bit / 32] |= BIT(bit % 32);
	else
		vmcb->control.intercepts[bit / 32] &= ~BIT(bit % 32);
}

/* cr.c: the guest's EFER, and the CR0/CR4 writes that may change LME's place. */
u64 mkvm_svm_get_efer(struct svm_vcpu *svm);
void mkvm_svm_set_efer(struct svm_vcpu *svm, u64 efer);
void mkvm_svm_skip(struct mkvm_vcpu *vcpu, unsigned int len);
enum mkvm_exit_action mkvm_svm_handle_cr_write(struct mkvm_vcpu *vcpu);

/* events.c */
void mkvm_svm_inject_event(struct mkvm_vcpu *vcpu, const struct mkvm_event *ev);
void mkvm_svm_set_windows(struct mkvm_vcpu *vcpu, bool irq, bool nmi);
bool mkvm_svm_nmi_blocked(struct mkvm_vcpu *vcpu);
bool mkvm_svm_get_nmi_mask(struct mkvm_vcpu *vcpu);
void mkvm_svm_set_nmi_mask(struct mkvm_vcpu *vcpu, bool masked);
void mkvm_svm_set_interrupt_shadow(struct mkvm_vcpu *vcpu, u8 shadow);
void mkvm_svm_complete_events(struct mkvm_vcpu *vcpu);
bool mkvm_svm_nmi_step_done(struct mkvm_vcpu *vcpu);
enum mkvm_exit_action mkvm_svm_handle_iret(struct mkvm_vcpu *vcpu);
enum mkvm_exit_action mkvm_svm_handle_vintr(struct mkvm_vcpu *vcpu);

/* dr.c */
enum mkvm_exit_action mkvm_svm_handle_dr(struct mkvm_vcpu *vcpu);

/* fetch.c: the bytes of the instruction behind a CR or DR intercept */
struct mkvm_paging;
int mkvm_svm_fetch(struct mkvm_vcpu *vcpu, const struct mkvm_paging *pg, u64 pc,
		   u8 *insn, unsigned int n);
int mkvm_svm_fetch_prefixes(struct mkvm_vcpu *vcpu, const struct mkvm_paging *pg,
			    u64 pc, u8 *insn, unsigned int *n, u8 *rex);

#endif
