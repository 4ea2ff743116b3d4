/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX backend's private state.
 */
#ifndef MKVM_VMX_H
#define MKVM_VMX_H

#include <linux/list.h>
#include <linux/types.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../core/minikvm.h"

/* What the capability MSRs allow and what minikvm chose (config.c). */
struct vmx_config {
	u32 revision_id;	/* IA32_VMX_BASIC[30:0] */
	u32 pin, proc, proc2, exit, entry;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	/* CR bits the host owns: in the guest/host masks (24.6.6). */
	unsigned long cr0_mask, cr4_mask;
	bool invept_single, invvpid_single;
	u32 preemption_timer;	/* VMX-preemption timer value; 0 if absent */
	bool has_mtf;		/* monitor trap flag, for single steps */
};

extern struct vmx_config mkvm_vmx_cfg;

/*
 * The CR4 bits a guest changes without an exit, each safe for the host
 * because it only shapes the guest's own view (as KVM's
 * KVM_POSSIBLE_CR4_GUEST_BITS, with PAE and PSE added: with EPT they
 * change only the guest's own linear-to-guest-physical translation, and
 * PAE paging's PDPTEs are then loaded by the processor, 26.3.2.4 and
 * 28.3.1):
 *  - PVI, TSD, DE, PCE: virtual-8086 interrupts, RDTSC and RDPMC at CPL 3
 *    and DR4/5 aliasing, all inside the guest (RDPMC and MOV DR exit);
 *  - PSE, PAE, PGE: the guest's paging, translated by EPT;
 *  - OSFXSR, OSXMMEXCPT: SSE in the guest, whose FPU state is its own.
 * Everything else (OSXSAVE, whose XCR0 minikvm switches; PKE, whose PKRU
 * it does not; LA57, SMEP, SMAP, UMIP, PCIDE, FSGSBASE, VMXE, SMXE) exits
 * and is checked against the guest's CPUID (mkvm_cr4_valid()).
 */
/* Exceptions always in the exception bitmap: see x86/intercept.c. */
#define VMX_EXCEPTIONS_ALWAYS	(BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) | BIT(X86_TRAP_MC))

#define VMX_CR4_GUEST_OWNED	(X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | \
				 X86_CR4_PCE | X86_CR4_PSE | X86_CR4_PAE | \
				 X86_CR4_PGE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)

struct vmx_vcpu {
	struct mkvm_vcpu vcpu;
	void *vmcs;			/* one page, revision id in dword 0 */
	u16 vpid;
	bool launched;			/* VMLAUNCH done since the last VMCLEAR */
	/*
	 * The processor-based controls: proc_base as configured (and the
	 * monitor trap flag for a debugger), proc_now as in the VMCS, with
	 * the window exits events.c asks for.
	 */
	u32 proc_base, proc_now;
	bool initialized;		/* constant VMCS fields written */
	bool need_flush;		/* flush EPT and VPID before entry */
	bool step_after_fault;		/* see vmx_step_is_spurious() */
	unsigned long fault_rip;
	/* On the per-CPU list of VMCSs active on vcpu.cpu (irqs off there). */
	struct list_head loaded_link;

	/*
	 * The guest's view of the host-owned CR0/CR4 bits (also in the read
	 * shadows); the other bits live in GUEST_CR0/CR4 (mkvm_vmx_guest_cr0()).
	 */
	unsigned long cr0, cr4;
	u64 kernel_gs_base;		/* IA32_KERNEL_GS_BASE is not in the VMCS */
	/* Nor are STAR, LSTAR, CSTAR, SFMASK: switched while EFER.SCE is set. */
	u64 syscall_msrs[4];
	bool switch_syscall_msrs;
	unsigned long cr2;		/* nor is CR2 */
	/*
	 * Nor is DR6: a #DB the guest takes itself (TF, ICEBP) sets bits in
	 * the real DR6 (SDM 17.2.3), which would still be there at the
	 * host's next #DB and turn into a spurious SIGTRAP.  Kept here
	 * while the host runs; the host's DR6 is DR6_RESERVED meanwhile.
	 */
	unsigned long dr6;

	/* Host values last written to the VMCS, to skip needless VMWRITEs. */
	unsigned long host_cr3, host_cr4, host_fs_base;

	/* The last exit, read right after it with interrupts still off. */
	bool fail;			/* VMLAUNCH/VMRESUME failed */
	u32 exit_reason;
	u32 instr_error;
};

static inline struct vmx_vcpu *to_vmx(struct mkvm_vcpu *vcpu)
{
	return container_of(vcpu, struct vmx_vcpu, vcpu);
}

/**
 * mkvm_vmx_enter() - VMLAUNCH or VMRESUME, and come back at the VM exit
 * @regs: the guest's general registers (RSP excepted), MKVM_RAX.. order
 * @launched: 0 for VMLAUNCH, 1 for VMRESUME
 *
 * Interrupts must be off and this vCPU's VMCS current.  Sets HOST_RSP
 * itself; HOST_RIP must point at mkvm_vmx_exit.
 *
 * Return: 0 after a VM exit, 1 when the instruction failed (VMfail).
 */
int mkvm_vmx_enter(unsigned long *regs, int launched);
void mkvm_vmx_exit(void);

enum mkvm_exit_action mkvm_vmx_handle_exit(struct mkvm_vcpu *vcpu);
void mkvm_vmx_get_exit_info(struct mkvm_vcpu *vcpu, u64 *info1, u64 *info2, u32 *vectoring);
extern const struct mkvm_exit_name mkvm_vmx_exit_names[];
void mkvm_vmx_skip_instruction(struct mkvm_vcpu *vcpu);
void mkvm_vmx_skip_op(struct mkvm_vcpu *vcpu, unsigned int len);
void mkvm_vmx_set_cr0(struct vmx_vcpu *vmx, unsigned long cr0);
unsigned long mkvm_vmx_guest_cr0(struct vmx_vcpu *vmx);
unsigned long mkvm_vmx_guest_cr4(struct vmx_vcpu *vmx);
void mkvm_vmx_set_cr4(struct vmx_vcpu *vmx, unsigned long cr4);

/* vmx.c */
extern const u32 mkvm_vmx_syscall_msr_index[4];
extern u64 mkvm_vmx_host_syscall_msrs[4];
extern unsigned long *mkvm_vmx_msr_bitmap;
u64 mkvm_vmx_eptp(struct mkvm_vm *vm);

/* cpu.c */
int mkvm_vmx_cpus_setup(void);
void mkvm_vmx_cpus_unsetup(void);
int mkvm_vmx_hardware_enable(void);
void mkvm_vmx_hardware_disable(void);
void mkvm_vmx_clear_anywhere(struct vmx_vcpu *vmx);
void mkvm_vmx_vcpu_load(struct mkvm_vcpu *vcpu, int cpu);

/* vmcs.c */
void mkvm_vmx_setup_vmcs(struct vmx_vcpu *vmx);
void mkvm_vmx_set_host_cpu_state(void);

/* run.c */
void mkvm_vmx_run(struct mkvm_vcpu *vcpu);

/* events.c: the event ops, and the exit's side of event delivery */
void mkvm_vmx_inject_event(struct mkvm_vcpu *vcpu, const struct mkvm_event *ev);
void mkvm_vmx_set_windows(struct mkvm_vcpu *vcpu, bool irq, bool nmi);
bool mkvm_vmx_nmi_blocked(struct mkvm_vcpu *vcpu);
bool mkvm_vmx_get_nmi_mask(struct mkvm_vcpu *vcpu);
void mkvm_vmx_set_nmi_mask(struct mkvm_vcpu *vcpu, bool masked);
void mkvm_vmx_set_interrupt_shadow(struct mkvm_vcpu *vcpu, u8 shadow);
void mkvm_vmx_complete_events(struct mkvm_vcpu *vcpu);
enum mkvm_exit_action mkvm_vmx_handle_window(struct mkvm_vcpu *vcpu);

#endif
