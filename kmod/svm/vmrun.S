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

	.section .text, "ax"

/* void mkvm_svm_enter(unsigned long vmcb_pa, unsigned long *regs, unsigned long host_save_pa) */
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

	mov	0(%rsp), %rax
	vmload	%rax
	vmrun	%rax
	/* #VMEXIT restored RAX (the VMCB address) and RSP from VM_HSAVE. */
	vmsave	%rax

	mov	8(%rsp), %rax
	STORE_GUEST_GPRS %rax

	mov	16(%rsp), %rax
	vmload	%rax

	xor	%eax, %eax
	CLEAR_CALLER_SAVED_GPRS
	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(mkvm_svm_enter)
