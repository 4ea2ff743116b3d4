/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one table of vendor operations.  minikvm_init() picks mkvm_vmx_ops or
 * mkvm_svm_ops once, from CPUID, and every vendor-specific action of the core
 * goes through mkvm_ops.  MKVM_X86_OPS lists the mandatory members so that
 * init can WARN about a backend that forgot one (the pattern of KVM's
 * kvm-x86-ops.h).
 */
#ifndef MKVM_X86_OPS_H
#define MKVM_X86_OPS_H

#include <linux/types.h>

struct mkvm_vm;
struct mkvm_vcpu;
struct kvm_sregs;
struct mkvm_event;

/*
 * An exit reason with statistics of its own: the backend's raw code (VMX
 * basic exit reason, SVM exit code) and its name in the SDM (Vol. 3C,
 * Appendix C) or APM (Vol. 2, Appendix C), lower case.  The lists are in
 * x86/exit_names.h, shared with the minikvm_exit tracepoint.
 */
struct mkvm_exit_name {
	u32 code;
	const char *name;
};

/* What an exit handler tells the run loop to do next. */
enum mkvm_exit_action {
	MKVM_RESUME,		/* handled in the kernel: enter the guest again */
	MKVM_EXIT_USER,		/* kvm_run is filled in: return to userspace */
	MKVM_MMU_FAULT,		/* map vcpu->fault_gpa (may sleep), then resume */
};

struct mkvm_ops {
	const char *name;
	/* Size of the backend's vCPU structure, which embeds struct mkvm_vcpu. */
	size_t vcpu_size;
	/*
	 * The exit reasons the vCPU statistics count one by one, up to an
	 * entry with a NULL name (core/stats.c); ->run() leaves the raw code
	 * of each exit in vcpu->exit_code.
	 */
	const struct mkvm_exit_name *exit_names;

	/* Module-wide set-up after a successful probe, and its undoing. */
	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);

	/* Per-CPU switches; run on the CPU concerned with interrupts off. */
	int (*hardware_enable)(void);
	void (*hardware_disable)(void);

	int (*vm_init)(struct mkvm_vm *vm);
	void (*vm_destroy)(struct mkvm_vm *vm);

	int (*vcpu_create)(struct mkvm_vcpu *vcpu);
	void (*vcpu_free)(struct mkvm_vcpu *vcpu);
	/* Make the vCPU's state current on this CPU; preemption is off. */
	void (*vcpu_load)(struct mkvm_vcpu *vcpu, int cpu);

	/* Enter the guest and come back; interrupts are off. */
	void (*run)(struct mkvm_vcpu *vcpu);
	/* Act on the exit that run() recorded; preemption is off. */
	enum mkvm_exit_action (*handle_exit)(struct mkvm_vcpu *vcpu);
	/*
	 * The last exit's information, for the minikvm_exit tracepoint only
	 * (x86/trace.h), from handle_exit() before it acts: @info1 the VMX
	 * exit qualification (SDM Vol. 3C, 28.2.1) or SVM's EXITINFO1 (APM
	 * Vol. 2, 15.7); @info2 SVM's EXITINFO2, or on VMX what the reason
	 * has as second item (the guest-physical address of an EPT exit,
	 * 24.9.4; the VM-exit interruption information of an exception, NMI
	 * or external-interrupt exit, 24.9.2), else 0; @vectoring the event
	 * whose delivery the exit interrupted (IDT-vectoring information,
	 * 24.9.3; EXITINTINFO, 15.7.2), 0 for none.
	 */
	void (*get_exit_info)(struct mkvm_vcpu *vcpu, u64 *info1, u64 *info2, u32 *vectoring);

	/* Segment and control state; called between vcpu_load and put. */
	void (*get_sregs)(struct mkvm_vcpu *vcpu, struct kvm_sregs *sregs);
	void (*set_sregs)(struct mkvm_vcpu *vcpu, const struct kvm_sregs *sregs);

	/*
	 * The MSRs kept in the VMCS/VMCB or switched by the backend, values
	 * already checked (x86/msr.c); vCPU loaded.  Non-zero: not one of
	 * the backend's.
	 */
	int (*get_msr)(struct mkvm_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct mkvm_vcpu *vcpu, u32 index, u64 data);

	/* CR4 as the processor has it in the guest; vCPU loaded. */
	unsigned long (*get_cr4)(struct mkvm_vcpu *vcpu);

	/* Intercept #DB and #BP as vcpu->guest_debug asks; vCPU loaded. */
	void (*update_debug)(struct mkvm_vcpu *vcpu);

	/*
	 * Events (x86/events.c).  inject_event() puts @ev in the entry
	 * fields; set_windows() asks for an exit as soon as the guest can
	 * take an interrupt (@irq) or an NMI (@nmi), and for none when
	 * false.  Both run right before the entry, interrupts off.
	 */
	void (*inject_event)(struct mkvm_vcpu *vcpu, const struct mkvm_event *ev);
	void (*set_windows)(struct mkvm_vcpu *vcpu, bool irq, bool nmi);
	/* NMI blocking, STI/MOV SS shadow included; vCPU loaded. */
	bool (*nmi_blocked)(struct mkvm_vcpu *vcpu);
	/* Blocking by NMI alone: the guest is in its NMI handler. */
	bool (*get_nmi_mask)(struct mkvm_vcpu *vcpu);
	void (*set_nmi_mask)(struct mkvm_vcpu *vcpu, bool masked);
	/* KVM_X86_SHADOW_INT_* into the VMCS/VMCB; vCPU loaded. */
	void (*set_interrupt_shadow)(struct mkvm_vcpu *vcpu, u8 shadow);
	/* The guest's CR2, as a #PF sets it before delivery; vCPU loaded. */
	void (*set_cr2)(struct mkvm_vcpu *vcpu, u64 cr2);
	/* The guest's DR6 and DR7 where the backend switches them (x86/dr.c). */
	u64 (*get_dr6)(struct mkvm_vcpu *vcpu);
	void (*set_dr6)(struct mkvm_vcpu *vcpu, u64 dr6);
	void (*set_dr7)(struct mkvm_vcpu *vcpu, u64 dr7);
	/*
	 * Move RIP past the instruction that exited.  @len is its
	 * architectural length, for when the hardware does not give it
	 * (SVM without NRIP_SAVE).
	 */
	void (*skip_instruction)(struct mkvm_vcpu *vcpu, unsigned int len);

	/* Page-table entry formats of EPT or NPT (see kmod/x86/tdp.c). */
	u64 (*tdp_table_pte)(phys_addr_t table);
	u64 (*tdp_leaf_pte)(phys_addr_t page, bool writable);
};

#define MKVM_X86_OPS(OP)	\
	OP(hardware_setup)	\
	OP(hardware_unsetup)	\
	OP(hardware_enable)	\
	OP(hardware_disable)	\
	OP(vm_init)		\
	OP(vm_destroy)		\
	OP(vcpu_create)		\
	OP(vcpu_free)		\
	OP(vcpu_load)		\
	OP(run)			\
	OP(handle_exit)		\
	OP(get_exit_info)	\
	OP(get_sregs)		\
	OP(set_sregs)		\
	OP(get_msr)		\
	OP(set_msr)		\
	OP(get_cr4)		\
	OP(update_debug)	\
	OP(inject_event)	\
	OP(set_windows)		\
	OP(nmi_blocked)		\
	OP(get_nmi_mask)	\
	OP(set_nmi_mask)	\
	OP(set_interrupt_shadow) \
	OP(set_cr2)		\
	OP(get_dr6)		\
	OP(set_dr6)		\
	OP(set_dr7)		\
	OP(skip_instruction)	\
	OP(tdp_table_pte)	\
	OP(tdp_leaf_pte)

extern const struct mkvm_ops *mkvm_ops;
extern const struct mkvm_ops mkvm_vmx_ops;
extern const struct mkvm_ops mkvm_svm_ops;

/* Backend probes: 0 when this CPU and its firmware allow the backend. */
int mkvm_vmx_probe(void);
int mkvm_svm_probe(void);

#endif
