// SPDX-License-Identifier: GPL-2.0
/*
 * EFER.LME before CR4.PAE: a guest may set EFER.LME while paging and PAE
 * are off (the order is free until it sets CR0.PG, APM Vol. 2, 14.6.1).
 * QEMU's TCG (7.2 and later) cannot take a #VMEXIT from that state: it
 * restores the host's CR0 while the guest's EFER and CR4 are still loaded,
 * sees long mode being enabled without PAE and leaves CR0 as the guest
 * had it, paging off, so the host CPU runs on from physical memory with
 * GIF clear and is lost.  One guest WRMSR is enough.
 *
 * So while the guest has LME set, paging off and PAE off, the VMCB's EFER
 * does not have LME ("hidden"): with paging off LME changes nothing until
 * CR0.PG is set.  The guest still reads its own EFER (RDMSR exits, and
 * KVM_GET_SREGS shows it).  The two ways out of that state are writes to
 * CR0 and CR4, which exit and are emulated here:
 *  - CR4 writes always exit (svm_init_vmcb(): the host owns CR4, so that
 *    OSXSAVE, PKE and the rest change only through svm_write_cr4()'s
 *    checks), and clearing PAE with paging off enters the state;
 *  - CR0 writes exit while LME is hidden: setting PG then is a #GP (long
 *    mode needs PAE, 14.6.1), which the hardware, not seeing LME, would
 *    not raise.
 * Outside that state the guest's EFER is in the VMCB as it is.
 */
#include <asm/processor-flags.h>
#include <asm/svm.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>

#include "svm.h"

/**
 * mkvm_svm_get_efer() - the guest's EFER as it sees it, SVME aside
 * @svm: the vCPU
 *
 * Return: the VMCB's EFER with LME put back if it is hidden.
 */
u64 mkvm_svm_get_efer(struct svm_vcpu *svm)
{
	u64 efer = svm->vmcb->save.efer & ~EFER_SVME;

	return svm->lme_hidden ? efer | EFER_LME : efer;
}

/**
 * mkvm_svm_set_efer() - give the guest an EFER, after its CR0 and CR4
 * @svm: the vCPU
 * @efer: the guest's new EFER, without SVME
 *
 * Also called after any change to the guest's CR0 or CR4, with
 * mkvm_svm_get_efer(), to hide or show LME and set the CR write intercepts.
 */
void mkvm_svm_set_efer(struct svm_vcpu *svm, u64 efer)
{
	struct vmcb *vmcb = svm->vmcb;
	bool lme = efer & EFER_LME;

	svm->lme_hidden = lme && !(vmcb->save.cr0 & X86_CR0_PG) &&
			  !(vmcb->save.cr4 & X86_CR4_PAE);
	if (svm->lme_hidden)
		efer &= ~EFER_LME;
	vmcb->save.efer = efer | EFER_SVME;	/* 15.5.1: SVME must stay set */
	svm_set_intercept(vmcb, INTERCEPT_CR0_WRITE, svm->lme_hidden);
}

/* The checks MOV to CR0 makes (APM Vol. 2, 3.1.1; SDM Vol. 3A, 2.5). */
static int svm_write_cr0(struct svm_vcpu *svm, u64 cr0)
{
	u64 efer = mkvm_svm_get_efer(svm);

	if (cr0 >> 32)
		return -EINVAL;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return -EINVAL;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return -EINVAL;
	if ((cr0 & X86_CR0_PG) && (efer & EFER_LME) &&
	    !(svm->vmcb->save.cr4 & X86_CR4_PAE))
		return -EINVAL;
	svm->vmcb->save.cr0 = cr0 | X86_CR0_ET;
	mkvm_svm_set_efer(svm, efer);
	return 0;
}

/* The checks MOV to CR4 makes (mkvm_cr4_write_valid()). */
static int svm_write_cr4(struct svm_vcpu *svm, u64 cr4)
{
	u64 efer = mkvm_svm_get_efer(svm);

	if (!mkvm_cr4_write_valid(&svm->vcpu, svm->cr4, cr4, efer, svm->vmcb->save.cr3))
		return -EINVAL;
	mkvm_svm_load_cr4(svm, cr4);
	mkvm_svm_set_efer(svm, efer);
	return 0;
}

/**
 * mkvm_svm_load_cr4() - the guest's CR4 into the VMCB
 * @svm: the vCPU
 * @cr4: the value the guest set
 *
 * CR4.MCE is the host's while the guest runs (see mkvm_vmx_set_cr4(): a
 * machine check must reach the host, x86/intercept.c), as KVM's
 * svm_set_cr4() does.  The guest's reads of CR4 do not exit, so it sees
 * MCE set; KVM_GET_SREGS shows the value it wrote (svm->cr4).
 */
void mkvm_svm_load_cr4(struct svm_vcpu *svm, u64 cr4)
{
	svm->cr4 = cr4;
	svm->vmcb->save.cr4 = cr4 | (cr4_read_shadow() & X86_CR4_MCE);
}

/*
 * MOV to CR8, intercepted as KVM does without an in-kernel APIC: the
 * guest's TPR (V_TPR, which svm_run() loads from vcpu->cr8), bits 63:4
 * reserved (#GP), and whether it went down.
 */
static int svm_write_cr8(struct mkvm_vcpu *vcpu, u64 val, bool *lowered)
{
	if (val & ~0xfull)
		return -EINVAL;
	*lowered = val < vcpu->cr8;
	vcpu->cr8 = val;
	return 0;
}

/*
 * A CR0, CR4 or CR8 write exit (15.9, no decode assists): fetch the instruction
 * through the guest's page tables and emulate MOV CRn, CLTS or the register
 * form of LMSW.  A bad value is #GP(0), as the instruction would raise;
 * anything else (LMSW from memory) is an emulation failure for userspace.
 */
enum mkvm_exit_action mkvm_svm_handle_cr_write(struct mkvm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	int cr = vmcb->control.exit_code - SVM_EXIT_WRITE_CR0;
	u8 insn[MKVM_MAX_INSN], rex, modrm, op;
	struct mkvm_paging pg;
	unsigned int n, len;
	bool lowered = false;
	u64 val, pc;
	int r;

	mkvm_get_paging(vcpu, &pg);
	pc = pg.cs_base + vcpu->rip;
	r = mkvm_svm_fetch_prefixes(vcpu, &pg, pc, insn, &n, &rex);
	if (r)
		goto fetch_failed;
	if (insn[n] != 0x0f)
		return mkvm_exit_emulation(vcpu, vmcb->control.exit_code, insn, n + 1);
	r = mkvm_svm_fetch(vcpu, &pg, pc, insn, n + 1);
	if (r)
		goto fetch_failed;
	op = insn[n + 1];
	if (op == 0x06 && cr == 0) {				/* CLTS */
		val = vmcb->save.cr0 & ~X86_CR0_TS;
		len = n + 2;
	} else {
		r = mkvm_svm_fetch(vcpu, &pg, pc, insn, n + 2);
		if (r)
			goto fetch_failed;
		modrm = insn[n + 2];
		len = n + 3;
		val = vcpu->regs[(modrm & 7) | (rex & 1 ? 8 : 0)];
		if (pg.code_bytes != 8)
			val = (u32)val;
		if (op == 0x22 && ((modrm >> 3) & 7) + (rex & 4 ? 8 : 0) == cr) {
			/* MOV CRn, reg: the ModRM mod bits are ignored. */
		} else if (op == 0x01 && ((modrm >> 3) & 7) == 6 && (modrm >> 6) == 3 &&
			   cr == 0) {
			/* LMSW reg: bits 3:0; PE can be set, not cleared. */
			val = (vmcb->save.cr0 & ~0xeull) | (val & 0xf);
		} else {
			return mkvm_exit_emulation(vcpu, vmcb->control.exit_code, insn, len);
		}
	}

	if (cr == 8)
		r = svm_write_cr8(vcpu, val, &lowered);
	else
		r = cr ? svm_write_cr4(svm, val) : svm_write_cr0(svm, val);
	if (r) {
		mkvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return MKVM_RESUME;
	}
	/* Paging bits may have changed: the guest's TLB goes (15.16). */
	if (cr != 8)
		svm->need_flush = true;
	vcpu->rip += len;
	if (pg.code_bytes == 2)
		vcpu->rip &= 0xffff;
	else if (pg.code_bytes == 4)
		vcpu->rip &= 0xffffffff;
	/* As KVM without an in-kernel APIC: a lower TPR goes to userspace. */
	return lowered ? mkvm_exit_simple(vcpu, KVM_EXIT_SET_TPR) : MKVM_RESUME;

fetch_failed:
	if (r == -EAGAIN)
		return MKVM_MMU_FAULT;	/* a table page to map: the guest comes back */
	return mkvm_exit_emulation(vcpu, vmcb->control.exit_code, n ? insn : NULL, n);
}
