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

#include "../x86/gprs_asm.h"

#define VMCS_HOST_RSP	0x6c14

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
	LOAD_GUEST_GPRS %rdi
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
	STORE_GUEST_GPRS %rax
	popq	R_RAX(%rax)
	xor	%eax, %eax

.Lout:
	CLEAR_CALLER_SAVED_GPRS
	pop	%rdi
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(mkvm_vmx_enter)
