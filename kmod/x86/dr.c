// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's debug registers.  Every MOV to or from DR0-DR7 exits (VMX
 * MOV-DR exiting, SVM DR intercepts) and is emulated here against the
 * guest's own copy, so the guest never reads or writes the host's:
 *
 *  - DR0-DR3 live in struct mkvm_vcpu and are loaded into the hardware
 *    just before an entry, only while the guest's DR7 enables one of them
 *    (the guest cannot reach them without exiting, so there is nothing to
 *    save after the exit); the host's own breakpoints are put back after
 *    every exit by mkvm_enter_once() through hw_breakpoint_restore().
 *  - DR6 and DR7 are switched by the hardware with the rest of the guest
 *    state: DR7 from the VMCS/VMCB, DR6 from the VMCB on SVM and by
 *    vmx_run() on VMX.  The backend's get_dr6/set_dr6/set_dr7 reach them;
 *    vcpu->dr7 is the core's copy, which only MOV DR7 and
 *    KVM_SET_DEBUGREGS change.
 *
 * The checks the hardware makes before the exit (CPL 0, #UD for DR4/DR5
 * with CR4.DE, SDM Vol. 3C, 25.1.1) need no code; the general-detect #DB
 * of DR7.GD comes after the exit's priority, so it is raised here, as KVM
 * does.  SDM Vol. 3B, 18.2; APM Vol. 2, 13.1.
 */
#include <linux/uaccess.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../core/minikvm.h"

/* DR6.BD: the #DB of a general-detect fault (only kvm_host.h names it). */
#define MKVM_DR6_BD		BIT(13)
/* The DR6 bits software can write: B0-B3, BD, BS, BT. */
#define MKVM_DR6_VOLATILE	(DR_TRAP_BITS | MKVM_DR6_BD | DR_STEP | DR_SWITCH)
/* DR7: bit 10 reads as 1; bits 11, 12, 14, 15 are 0 (no RTM, no ICE). */
#define MKVM_DR7_FIXED_1	0x400ull
#define MKVM_DR7_VOLATILE	0xffff23ffull
#define MKVM_DR7_GD		BIT(13)
#define MKVM_DR7_ENABLES	0xffull

/**
 * mkvm_dr_reset() - the debug registers after RESET
 * @vcpu: the vCPU, being created
 *
 * DR0-DR3 are 0, DR6 0xffff0ff0, DR7 0x400 (SDM Vol. 3A, Table 10-1); the
 * backend's own reset puts the last two in the VMCS/VMCB.
 */
void mkvm_dr_reset(struct mkvm_vcpu *vcpu)
{
	memset(vcpu->db, 0, sizeof(vcpu->db));
	vcpu->dr7 = MKVM_DR7_FIXED_1;
}

/**
 * mkvm_load_guest_dr() - give the hardware the guest's DR0-DR3
 * @vcpu: the vCPU, about to enter with interrupts off
 *
 * Only when the guest's DR7 enables a breakpoint: otherwise the host's
 * values may stay, since the guest can neither read them nor trigger them.
 * The host's DR7 goes off first, or a host breakpoint would fire on the
 * guest's addresses until the entry loads the guest's DR7.
 */
void mkvm_load_guest_dr(struct mkvm_vcpu *vcpu)
{
	if (!(vcpu->dr7 & MKVM_DR7_ENABLES))
		return;
	set_debugreg(0, 7);
	set_debugreg(vcpu->db[0], 0);
	set_debugreg(vcpu->db[1], 1);
	set_debugreg(vcpu->db[2], 2);
	set_debugreg(vcpu->db[3], 3);
}

/* DR6 and DR7 take no bits above 31 (#GP for MOV, -EINVAL for the ioctl). */
static int mkvm_set_dr(struct mkvm_vcpu *vcpu, int dr, u64 val)
{
	if (dr < 4) {
		vcpu->db[dr] = val;
		return 0;
	}
	if (val >> 32)
		return -EINVAL;
	if (dr == 6) {
		mkvm_ops->set_dr6(vcpu, (val & MKVM_DR6_VOLATILE) | DR6_RESERVED);
	} else {
		vcpu->dr7 = (val & MKVM_DR7_VOLATILE) | MKVM_DR7_FIXED_1;
		mkvm_ops->set_dr7(vcpu, vcpu->dr7);
	}
	return 0;
}

static u64 mkvm_get_dr(struct mkvm_vcpu *vcpu, int dr)
{
	if (dr < 4)
		return vcpu->db[dr];
	return dr == 6 ? mkvm_ops->get_dr6(vcpu) : vcpu->dr7;
}

/**
 * mkvm_emulate_mov_dr() - a guest MOV to or from a debug register
 * @vcpu: the vCPU, in its exit handler
 * @pg: its paging state (for the operand size)
 * @dr: 0-7, as the instruction names it
 * @gpr: the general register, MKVM_RAX..MKVM_R15
 * @write: MOV to DRn rather than from
 * @len: the instruction's length, for skip_instruction
 *
 * DR4 and DR5 are DR6 and DR7 (CR4.DE clear, or the hardware raised #UD
 * before exiting).  Outside 64-bit mode the operand is 32 bits.  With
 * DR7.GD set the access is a #DB fault instead: DR6.BD set, B0-B3
 * cleared as KVM does, GD cleared (SDM Vol. 3B, 18.2.4).  A DR6 or DR7
 * value above 32 bits is #GP(0).
 *
 * Return: MKVM_RESUME.
 */
enum mkvm_exit_action mkvm_emulate_mov_dr(struct mkvm_vcpu *vcpu,
					  const struct mkvm_paging *pg, int dr,
					  int gpr, bool write, unsigned int len)
{
	u64 val;

	if (vcpu->dr7 & MKVM_DR7_GD) {
		mkvm_ops->set_dr6(vcpu, (mkvm_ops->get_dr6(vcpu) & ~(u64)DR_TRAP_BITS) |
				  MKVM_DR6_BD);
		vcpu->dr7 &= ~MKVM_DR7_GD;
		mkvm_ops->set_dr7(vcpu, vcpu->dr7);
		mkvm_queue_exception(vcpu, X86_TRAP_DB, false, 0);
		return MKVM_RESUME;
	}
	if (dr == 4 || dr == 5)
		dr += 2;
	if (write) {
		val = vcpu->regs[gpr];
		if (pg->code_bytes != 8)
			val = (u32)val;
		if (mkvm_set_dr(vcpu, dr, val)) {
			mkvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
			return MKVM_RESUME;
		}
	} else {
		val = mkvm_get_dr(vcpu, dr);
		vcpu->regs[gpr] = pg->code_bytes == 8 ? val : (u32)val;
	}
	mkvm_ops->skip_instruction(vcpu, len);
	return MKVM_RESUME;
}

/**
 * mkvm_debugregs_ioctl() - KVM_GET_DEBUGREGS or KVM_SET_DEBUGREGS
 * @vcpu: the vCPU, its mutex held
 * @argp: the user's struct kvm_debugregs
 * @set: KVM_SET_DEBUGREGS
 *
 * As in KVM: SET takes no flags and no DR6/DR7 bits above 31; GET
 * returns flags and the reserved words as 0.
 *
 * Return: 0, -EFAULT, or -EINVAL.
 */
long mkvm_debugregs_ioctl(struct mkvm_vcpu *vcpu, void __user *argp, bool set)
{
	struct kvm_debugregs d;
	int i;

	if (set) {
		if (copy_from_user(&d, argp, sizeof(d)))
			return -EFAULT;
		if (d.flags || d.dr6 >> 32 || d.dr7 >> 32)
			return -EINVAL;
		mkvm_vcpu_load(vcpu);
		for (i = 0; i < 4; i++)
			mkvm_set_dr(vcpu, i, d.db[i]);
		mkvm_set_dr(vcpu, 6, d.dr6);
		mkvm_set_dr(vcpu, 7, d.dr7);
		mkvm_vcpu_put(vcpu);
		return 0;
	}
	memset(&d, 0, sizeof(d));
	mkvm_vcpu_load(vcpu);
	for (i = 0; i < 4; i++)
		d.db[i] = mkvm_get_dr(vcpu, i);
	d.dr6 = mkvm_get_dr(vcpu, 6);
	d.dr7 = mkvm_get_dr(vcpu, 7);
	mkvm_vcpu_put(vcpu);
	return copy_to_user(argp, &d, sizeof(d)) ? -EFAULT : 0;
}
