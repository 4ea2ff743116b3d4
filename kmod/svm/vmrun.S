/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMRUN and #VMEXIT (APM Vol. 2, 15.5).
 *
 * VMRUN saves only part of the host state (in the VM_HSAVE_PA area) and
 * loads only part of the guest's from the VMCB; FS, GS, TR, LDTR and the
 * SYSCALL/SYSENTER MSRs move with VMLOAD/VMSAVE (15.5.2).  So: VMLOAD the
 * guest, VMRUN, VMSAVE the guest, VMLOAD the host (which the caller
 * VMSAVEd into host_save_pa).  Guest RAX and RSP are in the VMCB.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#include "../x86/gprs_asm.h"
#include "../x86/spec_asm.h"

	/* No instrumentation between guest state in and host state back. */
	.section .noinstr.text, "ax"

/*
 * void mkvm_svm_enter(unsigned long vmcb_pa, unsigned long *regs,
 *		       unsigned long host_save_pa)
 *
 * Speculation (x86/spec.c), as KVM's __svm_vcpu_run(): VERW right before
 * VMRUN; after #VMEXIT, guest values cleared from every register, then,
 * before the first RET, the RSB refilled (retpolines), the return
 * predictor untrained (retbleed, SRSO) and an IBPB where SRSO or VMSCAPE
 * asks for one on every exit.
 */
SYM_FUNC_START(mkvm_svm_enter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdx		/* 16(%rsp): host save area */
	push	%rsi		/*  8(%rsp): register array */
	push	%rdi		/*  0(%rsp): VMCB */

	mov	%rsi, %rax
	LOAD_GUEST_GPRS %rax
	mov	R_RDI(%rax), %rdi

	/*
	 * Counted before VMLOAD: from there until the host's VMLOAD, GS
	 * holds the guest's base, and a per-CPU access would go where the
	 * guest says.
	 */
	MKVM_SPEC_COUNT MKVM_SPEC_VERW, X86_FEATURE_CLEAR_CPU_BUF_VM
	mov	0(%rsp), %rax
	vmload	%rax
	VM_CLEAR_CPU_BUFFERS
	vmrun	%rax
	/* #VMEXIT restored RAX (the VMCB address) and RSP from VM_HSAVE. */
	vmsave	%rax

	mov	8(%rsp), %rax
	STORE_GUEST_GPRS %rax

	mov	16(%rsp), %rax
	vmload	%rax

	CLEAR_GPRS_BUT_RBX
	xor	%ebx, %ebx
	MKVM_SPEC_COUNT MKVM_SPEC_RSB, X86_FEATURE_RETPOLINE
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE
	/* UNTRAIN_RET: one call for either feature, then entry_ibpb. */
	MKVM_SPEC_COUNT2 MKVM_SPEC_UNTRAIN, X86_FEATURE_UNRET, X86_FEATURE_SRSO_ALIAS
	MKVM_SPEC_COUNT MKVM_SPEC_IBPB_ENTRY, X86_FEATURE_ENTRY_IBPB
	UNTRAIN_RET
	MKVM_SPEC_COUNT MKVM_SPEC_IBPB_EXIT, X86_FEATURE_IBPB_ON_VMEXIT
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(mkvm_svm_enter)
