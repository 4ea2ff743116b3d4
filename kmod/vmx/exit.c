// SPDX-License-Identifier: GPL-2.0
/*
 * VMX exit handlers, dispatched by basic exit reason (SDM Vol. 3C,
 * Appendix C; exit qualifications in 28.2.1).
 */
#include <linux/nospec.h>
#include <linux/percpu.h>
#include <asm/cpu.h>
#include <asm/debugreg.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>

#include "vmx.h"
#include "../x86/exit_names.h"
#include "../x86/trace.h"
#include "vmx_ops.h"

/**
 * mkvm_vmx_skip_instruction() - move RIP past the instruction that exited
 * @vcpu: the vCPU
 *
 * The instruction completes here, so the blocking by STI or MOV SS it
 * may have been under ends with it (24.4.2), as KVM's
 * skip_emulated_instruction() clears it.
 */
void mkvm_vmx_skip_instruction(struct mkvm_vcpu *vcpu)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	vcpu->rip += vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/**
 * mkvm_vmx_skip_op() - the skip_instruction op: the VMCS always has the length
 * @vcpu: the vCPU
 * @len: unused (SDM Vol. 3C, 28.2.5)
 */
void mkvm_vmx_skip_op(struct mkvm_vcpu *vcpu, unsigned int len)
{
	mkvm_vmx_skip_instruction(vcpu);
}

static enum mkvm_exit_action vmx_unexpected(struct mkvm_vcpu *vcpu)
{
	return mkvm_exit_internal(vcpu, KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
				  to_vmx(vcpu)->exit_reason);
}

static enum mkvm_exit_action handle_external_interrupt(struct mkvm_vcpu *vcpu)
{
	/* The host took it when it enabled interrupts (core/vcpu.c). */
	vcpu->stats->irq_exits++;
	return MKVM_RESUME;
}

static enum mkvm_exit_action handle_resume(struct mkvm_vcpu *vcpu)
{
	/*
	 * The host took the interrupt (or NMI) when it enabled interrupts;
	 * the preemption timer only made sure the host got the CPU back.
	 */
	return MKVM_RESUME;
}

/*
 * Bochs reports a single step (MTF exit or TF #DB) right after the entry
 * that follows an EPT violation, before the faulting instruction ran: no
 * step was made (RIP is where the fault was), so the guest goes on.
 */
static bool vmx_step_is_spurious(struct mkvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	bool spurious = vmx->step_after_fault && vcpu->rip == vmx->fault_rip;

	vmx->step_after_fault = false;
	return spurious;
}

/* The DR6 bits a #DB exit reports in its qualification (Table 28-1). */
#define VMX_DB_QUAL_DR6	(DR_TRAP_BITS | BIT(13) | DR_STEP)

/*
 * Give the guest the #DB or #AC that exited (x86/intercept.c) as a
 * hardware exception, with its error code.  A fault (an #AC, a #DB of an
 * instruction breakpoint) is delivered with RFLAGS.RF set, as the
 * processor would push it (SDM Vol. 3A, 6.5 and 18.3.1.1) and KVM
 * injects faults.  An exception that was being delivered when this one
 * came (IDT-vectoring information) is replaced by it; an interrupt or an
 * NMI keeps its own slot and follows (x86/events.c).
 */
static enum mkvm_exit_action vmx_reflect(struct mkvm_vcpu *vcpu, u8 vector, bool fault)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);

	if (fault)
		vcpu->rflags |= X86_EFLAGS_RF;
	mkvm_queue_exception(vcpu, vector, info & INTR_INFO_DELIVER_CODE_MASK,
			     vmcs_read32(VM_EXIT_INTR_ERROR_CODE));
	return MKVM_RESUME;
}

/*
 * The guest's own #DB.  A #DB exit leaves DR6 alone (27.1): the status
 * from the qualification goes into the guest's DR6 here, B0-B3 replaced
 * and BD/BS added, as the processor would have written them (SDM Vol. 3B,
 * 18.2.3).  A single step that ends in STI or MOV SS blocking must stay
 * pending across the entry, or the entry fails its check of TF against
 * the pending debug exceptions (26.3.1.5): BS goes there too, as in KVM.
 * ICEBP (a privileged software exception) is completed here and its #DB
 * injected after it, as KVM does.
 */
static enum mkvm_exit_action vmx_reflect_db(struct mkvm_vcpu *vcpu, u32 info)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION), dr7 = vmcs_readl(GUEST_DR7);
	bool fault = false;
	int i;

	mkvm_intercepted(db);
	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_PRIV_SW_EXCEPTION) {
		mkvm_vmx_skip_instruction(vcpu);
		return vmx_reflect(vcpu, X86_TRAP_DB, false);
	}
	vmx->dr6 = (vmx->dr6 & ~(unsigned long)DR_TRAP_BITS) | (qual & VMX_DB_QUAL_DR6);
	/* An instruction breakpoint (R/W = 00, 18.2.4) is a fault. */
	for (i = 0; i < 4; i++)
		if ((qual & BIT(i)) && !((dr7 >> (16 + 4 * i)) & 3))
			fault = true;
	if ((vcpu->rflags & X86_EFLAGS_TF) &&
	    (vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
	     (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS,
			    vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS) | DR_STEP);
	return vmx_reflect(vcpu, X86_TRAP_DB, fault);
}

/*
 * #AC: the guest's own alignment check (CPL 3 with CR0.AM and RFLAGS.AC,
 * SDM Vol. 3A, 6.15) is reflected.  Any other #AC is the host's split-lock
 * detection catching a guest's locked access across a cache line: the
 * host's policy decides (warn and go on, or stop the guest), as in KVM.
 */
static enum mkvm_exit_action vmx_handle_ac(struct mkvm_vcpu *vcpu)
{
	bool guest_ac = (vmcs_read32(GUEST_SS_AR_BYTES) & (3 << 5)) == (3 << 5) &&
			(mkvm_vmx_guest_cr0(to_vmx(vcpu)) & X86_CR0_AM) &&
			(vcpu->rflags & X86_EFLAGS_AC);

	if (guest_ac) {
		mkvm_intercepted(ac);
		return vmx_reflect(vcpu, X86_TRAP_AC, true);
	}
	if (handle_guest_split_lock(vcpu->rip))
		return MKVM_RESUME;
	return vmx_unexpected(vcpu);
}

static enum mkvm_exit_action handle_exception_nmi(struct mkvm_vcpu *vcpu)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);

	u64 pc = vmcs_readl(GUEST_CS_BASE) + vcpu->rip;

	/* vmx_run() already gave the NMI to the host. */
	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		return MKVM_RESUME;
	/*
	 * #BP is in the exception bitmap only for a debugger, #DB always.
	 * #DB exits carry the DR6 bits in the qualification (28.2.1); #BP
	 * from INT3 exits with RIP still at the INT3.
	 */
	switch (info & INTR_INFO_VECTOR_MASK) {
	case X86_TRAP_MC:
		return MKVM_RESUME;	/* vmx_run() gave it to the host */
	case X86_TRAP_AC:
		return vmx_handle_ac(vcpu);
	case X86_TRAP_DB:
		if (vmx_step_is_spurious(vcpu))
			return MKVM_RESUME;
		/* A debugger stepping through TF gets the step; the rest is the guest's. */
		if (!(vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP) || !vcpu->step_with_tf)
			return vmx_reflect_db(vcpu, info);
		return mkvm_exit_debug(vcpu, X86_TRAP_DB, pc,
				       vmcs_readl(EXIT_QUALIFICATION) | DR6_RESERVED,
				       vmcs_readl(GUEST_DR7));
	case X86_TRAP_BP:
		return mkvm_exit_debug(vcpu, X86_TRAP_BP, pc, DR6_RESERVED,
				       vmcs_readl(GUEST_DR7));
	}
	return vmx_unexpected(vcpu);
}

static enum mkvm_exit_action handle_triple_fault(struct mkvm_vcpu *vcpu)
{
	/* Nothing is delivered again: userspace resets the vCPU first. */
	mkvm_events_clear(vcpu);
	return mkvm_exit_simple(vcpu, KVM_EXIT_SHUTDOWN);
}

static enum mkvm_exit_action handle_cpuid(struct mkvm_vcpu *vcpu)
{
	mkvm_emulate_cpuid(vcpu);
	mkvm_vmx_skip_instruction(vcpu);
	return MKVM_RESUME;
}

static enum mkvm_exit_action handle_hlt(struct mkvm_vcpu *vcpu)
{
	vcpu->stats->halt_exits++;
	mkvm_vmx_skip_instruction(vcpu);
	return mkvm_exit_simple(vcpu, KVM_EXIT_HLT);
}

/*
 * INS/OUTS: the exit qualification gives port, size and REP (28.2.1);
 * the VM-exit instruction information gives the address size and, for
 * OUTS, the segment (28.2.5).
 */
static enum mkvm_exit_action handle_string_io(struct mkvm_vcpu *vcpu,
					      unsigned long qual)
{
	u32 info = vmcs_read32(VMX_INSTRUCTION_INFO);
	struct mkvm_string_io io = {
		.port = qual >> 16,
		.size = (qual & 7) + 1,
		.in = qual & BIT(3),
		.rep = qual & BIT(5),
		.addr_bytes = 2 << ((info >> 7) & 7),
		.next_rip = vcpu->rip + vmcs_read32(VM_EXIT_INSTRUCTION_LEN),
	};
	/* Segment 0 is ES, which INS always uses; bases are 2 encodings apart. */
	unsigned int seg = io.in ? 0 : (info >> 15) & 7;

	if (seg > 5 || io.addr_bytes > 8)
		return mkvm_exit_emulation(vcpu, EXIT_REASON_IO_INSTRUCTION, NULL, 0);
	io.seg_base = __vmcs_readl(GUEST_ES_BASE + seg * 2);
	return mkvm_exit_string_io(vcpu, &io);
}

static enum mkvm_exit_action handle_io(struct mkvm_vcpu *vcpu)
{
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION);
	/* Table 28-5: size-1 in 2:0, IN in 3, string in 4, port in 31:16. */
	u8 size = (qual & 7) + 1;
	bool in = qual & BIT(3);

	vcpu->stats->io_exits++;
	if (qual & BIT(4))
		return handle_string_io(vcpu, qual);
	return mkvm_exit_io(vcpu, qual >> 16, size, in,
			    vcpu->rip + vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

/* The CR4 bits whose change reloads PAE paging's PDPTEs (SDM Vol. 3A, 4.4.1). */
#define VMX_CR4_PDPTR_BITS	(X86_CR4_PGE | X86_CR4_PSE | X86_CR4_PAE | X86_CR4_SMEP)

/*
 * PAE paging's four PDPTEs from the guest's CR3, as MOV to CR4 loads them
 * (4.4.1): a present one with reserved bits set (bits 2:1, 8:5 and those
 * above the physical-address width, Table 4-8) is #GP.  Return: 0,
 * -EINVAL for #GP, -EAGAIN with vcpu->fault_gpa set when the page is not
 * mapped yet (the guest comes back to the same MOV once it is).
 */
static int vmx_load_pdptrs(struct mkvm_vcpu *vcpu, u64 cr3)
{
	u64 rsvd = 0x1e6 | ~GENMASK_ULL(boot_cpu_data.x86_phys_bits - 1, 0), pdpte[4];
	int r, i;

	r = mkvm_read_guest_atomic(vcpu, cr3 & ~0x1full, pdpte, sizeof(pdpte));
	if (r == -EAGAIN)
		vcpu->fault_gpa = cr3 & PAGE_MASK;
	if (r)
		return r == -EAGAIN ? r : -EINVAL;
	for (i = 0; i < 4; i++)
		if ((pdpte[i] & _PAGE_PRESENT) && (pdpte[i] & rsvd))
			return -EINVAL;
	vmcs_write64(GUEST_PDPTR0, pdpte[0]);
		vmcs_write64(GUEST_PDPTR1, pdpte[1]);
		vmcs_write64(GUEST_PDPTR2, pdpte[2]);
	vmcs_write64(GUEST_PDPTR3, pdpte[3]);
	return 0;
}

/*
 * MOV to CR4 changing a bit the host owns (VMX_CR4_GUEST_OWNED): the
 * checks the instruction makes (mkvm_cr4_write_valid()), and PAE
 * paging's PDPTEs reloaded when it changes their bits (4.1.3).  Return: 0, -EINVAL for #GP,
 * -EAGAIN from vmx_load_pdptrs().
 */
static int vmx_write_cr4(struct vmx_vcpu *vmx, unsigned long val)
{
	struct mkvm_vcpu *vcpu = &vmx->vcpu;
	unsigned long old = mkvm_vmx_guest_cr4(vmx);
	u64 efer = vmcs_read64(GUEST_IA32_EFER);
	u64 cr3 = vmcs_readl(GUEST_CR3);
	int r;

	if (!mkvm_cr4_write_valid(vcpu, old, val, efer, cr3))
		return -EINVAL;
	if ((mkvm_vmx_guest_cr0(vmx) & X86_CR0_PG) && (val & X86_CR4_PAE) &&
	    !(efer & EFER_LMA) && ((old ^ val) & VMX_CR4_PDPTR_BITS)) {
		r = vmx_load_pdptrs(vcpu, cr3);
		if (r)
			return r;
	}
	mkvm_vmx_set_cr4(vmx, val);
	/* Paging bits may have changed: no stale translation survives. */
	vmx->need_flush = true;
	return 0;
}

/*
 * MOV to and from CR8: the guest's TPR, kept in vcpu->cr8 and never in
 * the host's (29.3; CR8-load and CR8-store exiting, vmx_setup_config()).
 * Bits 63:4 are reserved: setting one is #GP(0) (SDM Vol. 3A, 10.8.6.1).
 */
static int vmx_mov_cr8(struct mkvm_vcpu *vcpu, int type, int reg)
{
	if (type == 1) {
		vcpu->regs[reg] = vcpu->cr8;
		return 0;
	}
	if (vcpu->regs[reg] & ~0xfull)
		return -EINVAL;
	vcpu->cr8 = vcpu->regs[reg];
	return 0;
}

static enum mkvm_exit_action handle_cr(struct mkvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION);
	/*
	 * Table 28-3: CR in 3:0, access type in 5:4 (0 = MOV to CR, 1 = MOV
	 * from CR), GPR in 11:8.
	 */
	int cr = qual & 15, type = (qual >> 4) & 3, reg = (qual >> 8) & 15;
	unsigned long val = vcpu->regs[reg];
	u8 old_cr8 = vcpu->cr8;
	int r;

	if (cr == 8 && type <= 1) {
		r = vmx_mov_cr8(vcpu, type, reg);
	} else if (type != 0 || (cr != 0 && cr != 4)) {
		return vmx_unexpected(vcpu);
	} else if (cr == 0) {
		/* The same checks KVM_SET_SREGS makes; a bad value is a #GP. */
		r = -EINVAL;
		if (!(val >> 32) && !((val & X86_CR0_NW) && !(val & X86_CR0_CD)) &&
		    !((val & X86_CR0_PG) && !(val & X86_CR0_PE))) {
			mkvm_vmx_set_cr0(vmx, val);
			r = 0;
		}
	} else {
		r = vmx_write_cr4(vmx, val);
		if (r == -EAGAIN)
			return MKVM_MMU_FAULT;
	}
	if (r) {
		mkvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return MKVM_RESUME;
	}
	mkvm_vmx_skip_instruction(vcpu);
	/*
	 * A lower TPR may unmask an interrupt userspace holds back: as KVM
	 * without an in-kernel APIC, tell it (KVM_EXIT_SET_TPR).
	 */
	if (cr == 8 && type == 0 && vcpu->cr8 < old_cr8)
		return mkvm_exit_simple(vcpu, KVM_EXIT_SET_TPR);
	return MKVM_RESUME;
}

/*
 * MOV DR (Table 28-4): the register in 2:0, direction in bit 4 (0 = MOV
 * to DR), the GPR in 11:8.  The length comes from the VMCS.
 */
static enum mkvm_exit_action handle_dr(struct mkvm_vcpu *vcpu)
{
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION);
	struct mkvm_paging pg;

	mkvm_get_paging(vcpu, &pg);
	return mkvm_emulate_mov_dr(vcpu, &pg, qual & 7, (qual >> 8) & 15,
				   !(qual & BIT(4)), 3);
}

static enum mkvm_exit_action handle_msr(struct mkvm_vcpu *vcpu)
{
	return mkvm_handle_msr(vcpu, (to_vmx(vcpu)->exit_reason & 0xffff) ==
				     EXIT_REASON_MSR_WRITE);
}

static enum mkvm_exit_action handle_gp(struct mkvm_vcpu *vcpu)
{
	/* RDPMC: no performance counters for the guest, #GP(0) as hardware would. */
	mkvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
	return MKVM_RESUME;
}

static enum mkvm_exit_action handle_ud(struct mkvm_vcpu *vcpu)
{
	/* VMX instructions (no nested VMX), MONITOR/MWAIT: the guest's
	 * CPUID does not offer them.
	 */
	mkvm_queue_exception(vcpu, X86_TRAP_UD, false, 0);
	return MKVM_RESUME;
}

static enum mkvm_exit_action handle_skip(struct mkvm_vcpu *vcpu)
{
	/* INVD: flushing caches without write-back could lose host data;
	 * complete it as a no-op, as KVM does.
	 */
	mkvm_vmx_skip_instruction(vcpu);
	return MKVM_RESUME;
}

static enum mkvm_exit_action handle_mtf(struct mkvm_vcpu *vcpu)
{
	if (vmx_step_is_spurious(vcpu))
		return MKVM_RESUME;
	/* One guest instruction done: a single step, reported as a #DB would be. */
	return mkvm_exit_debug(vcpu, X86_TRAP_DB, vmcs_readl(GUEST_CS_BASE) + vcpu->rip,
			       DR6_RESERVED | DR_STEP, vmcs_readl(GUEST_DR7));
}

static enum mkvm_exit_action handle_ept_violation(struct mkvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long qual = vmcs_readl(EXIT_QUALIFICATION);

	/*
	 * Table 28-7: bit 1 a write, bit 2 a fetch; bit 7 set and bit 8 set
	 * an access to the translated address, not to a guest paging
	 * structure (bit 7 clear: no linear address, e.g. with paging off).
	 */
	vcpu->fault_flags = (qual & BIT(1)) ? MKVM_FAULT_WRITE : 0;
	if (!(qual & BIT(2)) && (!(qual & BIT(7)) || (qual & BIT(8))))
		vcpu->fault_flags |= MKVM_FAULT_DATA;
	vmx->step_after_fault = vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP;
	vmx->fault_rip = vcpu->rip;
	vcpu->fault_gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	return MKVM_MMU_FAULT;
}

static enum mkvm_exit_action (*const vmx_exit_handlers[])(struct mkvm_vcpu *) = {
	[EXIT_REASON_EXCEPTION_NMI]		= handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT]	= handle_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT]		= handle_triple_fault,
	[EXIT_REASON_CPUID]			= handle_cpuid,
	[EXIT_REASON_HLT]			= handle_hlt,
	[EXIT_REASON_INTERRUPT_WINDOW]		= mkvm_vmx_handle_window,
	[EXIT_REASON_NMI_WINDOW]		= mkvm_vmx_handle_window,
	[EXIT_REASON_INVD]			= handle_skip,
	[EXIT_REASON_RDPMC]			= handle_gp,
	[EXIT_REASON_VMCALL]			= handle_ud,
	[EXIT_REASON_VMCLEAR]			= handle_ud,
	[EXIT_REASON_VMLAUNCH]			= handle_ud,
	[EXIT_REASON_VMPTRLD]			= handle_ud,
	[EXIT_REASON_VMPTRST]			= handle_ud,
	[EXIT_REASON_VMREAD]			= handle_ud,
	[EXIT_REASON_VMRESUME]			= handle_ud,
	[EXIT_REASON_VMWRITE]			= handle_ud,
	[EXIT_REASON_VMOFF]			= handle_ud,
	[EXIT_REASON_VMON]			= handle_ud,
	[EXIT_REASON_CR_ACCESS]			= handle_cr,
	[EXIT_REASON_DR_ACCESS]			= handle_dr,
	[EXIT_REASON_IO_INSTRUCTION]		= handle_io,
	[EXIT_REASON_MSR_READ]			= handle_msr,
	[EXIT_REASON_MSR_WRITE]			= handle_msr,
	[EXIT_REASON_MWAIT_INSTRUCTION]		= handle_ud,
	[EXIT_REASON_MONITOR_TRAP_FLAG]		= handle_mtf,
	[EXIT_REASON_MONITOR_INSTRUCTION]	= handle_ud,
	[EXIT_REASON_EPT_VIOLATION]		= handle_ept_violation,
	[EXIT_REASON_INVEPT]			= handle_ud,
	[EXIT_REASON_PREEMPTION_TIMER]		= handle_resume,
	[EXIT_REASON_INVVPID]			= handle_ud,
	[EXIT_REASON_XSETBV]			= mkvm_handle_xsetbv,
	[EXIT_REASON_VMFUNC]			= handle_ud,
};

/* The exit reasons counted one by one (core/stats.c): x86/exit_names.h. */
const struct mkvm_exit_name mkvm_vmx_exit_names[] = {
	MKVM_VMX_EXIT_NAMES,
	{ 0, NULL }
};

/**
 * mkvm_vmx_get_exit_info() - the get_exit_info op, for the minikvm_exit tracepoint
 * @vcpu: the vCPU, its VMCS current, right after an exit (not a VMfail)
 * @info1: the exit qualification (28.2.1; for a failed entry, 27.8)
 * @info2: the guest-physical address of an EPT violation or
 *	misconfiguration (24.9.4), the VM-exit interruption information of
 *	an exception, NMI or external-interrupt exit (24.9.2), else 0
 * @vectoring: the IDT-vectoring information (24.9.3); 0 after a failed
 *	entry, which leaves it as it was (27.8)
 */
void mkvm_vmx_get_exit_info(struct mkvm_vcpu *vcpu, u64 *info1, u64 *info2, u32 *vectoring)
{
	u32 reason = to_vmx(vcpu)->exit_reason;

	*info1 = vmcs_readl(EXIT_QUALIFICATION);
	*info2 = 0;
	*vectoring = 0;
	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
		return;
	*vectoring = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	switch (reason & 0xffff) {
	case EXIT_REASON_EPT_VIOLATION:
	case EXIT_REASON_EPT_MISCONFIG:
		*info2 = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
		break;
	case EXIT_REASON_EXCEPTION_NMI:
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		*info2 = vmcs_read32(VM_EXIT_INTR_INFO);
		break;
	}
}

/**
 * mkvm_vmx_handle_exit() - act on the exit vmx_run() recorded
 * @vcpu: the vCPU; preemption is off and its VMCS current
 *
 * A failed VMLAUNCH/VMRESUME and a failed VM entry (exit reason bit 31,
 * 27.8) become KVM_EXIT_FAIL_ENTRY with the hardware's reason; a reason
 * without a handler becomes KVM_EXIT_INTERNAL_ERROR carrying it.
 *
 * Return: what the run loop does next.
 */
enum mkvm_exit_action mkvm_vmx_handle_exit(struct mkvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 basic = vmx->exit_reason & 0xffff;

	if (!vmx->fail)
		trace_minikvm_exit(vcpu, MKVM_TRACE_VMX, vmx->exit_reason);
	if (vmx->fail)
		return mkvm_exit_fail_entry(vcpu, vmx->instr_error);
	if (vmx->exit_reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
		return mkvm_exit_fail_entry(vcpu, vmx->exit_reason);

	if (basic < ARRAY_SIZE(vmx_exit_handlers)) {
		basic = array_index_nospec(basic, ARRAY_SIZE(vmx_exit_handlers));
		if (vmx_exit_handlers[basic])
			return vmx_exit_handlers[basic](vcpu);
	}
	return vmx_unexpected(vcpu);
}
