/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM entry and exit for VMX (SDM Vol. 3C, 27 and 28).
 *
 * The host's callee-saved registers are pushed, HOST_RSP is set to the
 * resulting stack pointer, the guest's general registers are loaded from
 * the array and VMLAUNCH or VMRESUME runs.  A VM exit lands at
 * mkvm_vmx_exit (HOST_RIP) with that stack, where the guest's registers
 * are stored back.  RSP, RIP and RFLAGS live in the VMCS.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#define VMCS_HOST_RSP	0x6c14

/* Offsets in the register array, in the order of enum mkvm_reg. */
#define R_RAX	(0 * 8)
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

/* int mkvm_vmx_enter(unsigned long *regs, int launched) */
SYM_FUNC_START(mkvm_vmx_enter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* The register array pointer, found at 0(%rsp) after the exit. */
	push	%rdi

	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jbe	.Lfail

	/* Flags from this test survive the MOVs below (MOV sets none). */
	test	%esi, %esi

	mov	R_RAX(%rdi), %rax
	mov	R_RCX(%rdi), %rcx
	mov	R_RDX(%rdi), %rdx
	mov	R_RBX(%rdi), %rbx
	mov	R_RBP(%rdi), %rbp
	mov	R_RSI(%rdi), %rsi
	mov	R_R8(%rdi), %r8
	mov	R_R9(%rdi), %r9
	mov	R_R10(%rdi), %r10
	mov	R_R11(%rdi), %r11
	mov	R_R12(%rdi), %r12
	mov	R_R13(%rdi), %r13
	mov	R_R14(%rdi), %r14
	mov	R_R15(%rdi), %r15
	mov	R_RDI(%rdi), %rdi

	/* Tell objtool the stack at the VM exit is the stack here. */
	UNWIND_HINT_SAVE
	jnz	.Lresume
	vmlaunch
	jmp	.Lfail
.Lresume:
	vmresume
.Lfail:
	/* VMfail: still on the host stack, guest values in the GPRs. */
	mov	$1, %eax
	jmp	.Lout

SYM_INNER_LABEL(mkvm_vmx_exit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	/* RSP = HOST_RSP: the array pointer is on top. */
	push	%rax
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
	popq	R_RAX(%rax)
	xor	%eax, %eax

.Lout:
	/* Do not leave guest values in caller-saved registers. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	pop	%rdi
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(mkvm_vmx_enter)
