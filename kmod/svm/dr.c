// SPDX-License-Identifier: GPL-2.0
/*
 * MOV to and from the debug registers under SVM's DR intercepts: decode
 * the instruction (fetch.c) and hand it to x86/dr.c.
 */
#include <asm/svm.h>

#include "svm.h"

/**
 * mkvm_svm_handle_dr() - a MOV to or from DR0-DR7 (DR intercepts, 15.8.1)
 * @vcpu: the vCPU, in its exit handler
 *
 * Without decode assists the exit names only the register: the GPR comes
 * from the instruction, 0F 21 /r (from DRn) or 0F 23 /r (to DRn), the DR
 * in ModRM.reg, the GPR in ModRM.rm extended by REX.B, the mod bits
 * ignored (SDM Vol. 2B, MOV--Move to/from Debug Registers).  x86/dr.c
 * does the rest.
 *
 * Return: what mkvm_emulate_mov_dr() returns; MKVM_MMU_FAULT or an
 * emulation failure when the instruction cannot be fetched or is not
 * the one the exit names.
 */
enum mkvm_exit_action mkvm_svm_handle_dr(struct mkvm_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u64 code = vmcb->control.exit_code;
	bool write = code >= SVM_EXIT_WRITE_DR0;
	int dr = code - (write ? SVM_EXIT_WRITE_DR0 : SVM_EXIT_READ_DR0);
	u8 insn[MKVM_MAX_INSN], rex, modrm;
	struct mkvm_paging pg;
	unsigned int n;
	u64 pc;
	int r;

	mkvm_get_paging(vcpu, &pg);
	pc = pg.cs_base + vcpu->rip;
	r = mkvm_svm_fetch_prefixes(vcpu, &pg, pc, insn, &n, &rex);
	if (!r)
		r = mkvm_svm_fetch(vcpu, &pg, pc, insn, n + 1);
	if (!r)
		r = mkvm_svm_fetch(vcpu, &pg, pc, insn, n + 2);
	if (r == -EAGAIN)
		return MKVM_MMU_FAULT;
	if (r)
		return mkvm_exit_emulation(vcpu, code, NULL, 0);
	modrm = insn[n + 2];
	if (insn[n] != 0x0f || insn[n + 1] != (write ? 0x23 : 0x21) ||
	    ((modrm >> 3) & 7) != dr)
		return mkvm_exit_emulation(vcpu, code, insn, n + 3);
	return mkvm_emulate_mov_dr(vcpu, &pg, dr, (modrm & 7) | (rex & 1 ? 8 : 0),
				   write, n + 3);
}
