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

#define R_RCX	(1 * 8)
#define R_RDX	(2 * 8)
#define R_RBX	(3 * 8)
#define R_RBP	(5 * 8)
#define R_RSI	(6 * 8)
#define R_RDI	(7 * 8)
#define R_R8	(8 * 8)
#define R_R9	(9 * 8)
#define R_R10	(10 * 8)
#define R_R11	(11 * 8)
#define R_R12	(12 * 8)
#define R_R13	(13 * 8)
#define R_R14	(14 * 8)
#define R_R15	(15 * 8)

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
	mov	R_RCX(%rax), %rcx
	mov	R_RDX(%rax), %rdx
	mov	R_RBX(%rax), %rbx
	mov	R_RBP(%rax), %rbp
	mov	R_RSI(%rax), %rsi
	mov	R_RDI(%rax), %rdi
	mov	R_R8(%rax), %r8
	mov	R_R9(%rax), %r9
	mov	R_R10(%rax), %r10
	mov	R_R11(%rax), %r11
	mov	R_R12(%rax), %r12
	mov	R_R13(%rax), %r13
	mov	R_R14(%rax), %r14
	mov	R_R15(%rax), %r15

	mov	0(%rsp), %rax
	vmload	%rax
	vmrun	%rax
	/* #VMEXIT restored RAX (the VMCB address) and RSP from VM_HSAVE. */
	vmsave	%rax

	mov	8(%rsp), %rax
	mov	%rcx, R_RCX(%rax)
	mov	%rdx, R_RDX(%rax)
	mov	%rbx, R_RBX(%rax)
	mov	%rbp, R_RBP(%rax)
	mov	%rsi, R_RSI(%rax)
	mov	%rdi, R_RDI(%rax)
	mov	%r8, R_R8(%rax)
	mov	%r9, R_R9(%rax)
	mov	%r10, R_R10(%rax)
	mov	%r11, R_R11(%rax)
	mov	%r12, R_R12(%rax)
	mov	%r13, R_R13(%rax)
	mov	%r14, R_R14(%rax)
	mov	%r15, R_R15(%rax)

	mov	16(%rsp), %rax
	vmload	%rax

	/* Do not leave guest values in caller-saved registers. */
	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(mkvm_svm_enter)
