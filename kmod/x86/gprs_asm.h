/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For vmenter.S and vmrun.S: offsets in the guest register array (the
 * order of enum mkvm_reg) and the loads and stores both backends make
 * around VM entry.  RAX, RSP and (for the load) RDI are left to the
 * callers: each backend needs one of them as the array pointer.
 */
#ifndef MKVM_X86_GPRS_ASM_H
#define MKVM_X86_GPRS_ASM_H

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

/* Load every guest GPR but RAX, RSP and RDI from the array at \base. */
.macro LOAD_GUEST_GPRS base
	mov	R_RCX(\base), %rcx
	mov	R_RDX(\base), %rdx
	mov	R_RBX(\base), %rbx
	mov	R_RBP(\base), %rbp
	mov	R_RSI(\base), %rsi
	mov	R_R8(\base), %r8
	mov	R_R9(\base), %r9
	mov	R_R10(\base), %r10
	mov	R_R11(\base), %r11
	mov	R_R12(\base), %r12
	mov	R_R13(\base), %r13
	mov	R_R14(\base), %r14
	mov	R_R15(\base), %r15
.endm

/* Store every guest GPR but RAX and RSP into the array at \base. */
.macro STORE_GUEST_GPRS base
	mov	%rcx, R_RCX(\base)
	mov	%rdx, R_RDX(\base)
	mov	%rbx, R_RBX(\base)
	mov	%rbp, R_RBP(\base)
	mov	%rsi, R_RSI(\base)
	mov	%rdi, R_RDI(\base)
	mov	%r8, R_R8(\base)
	mov	%r9, R_R9(\base)
	mov	%r10, R_R10(\base)
	mov	%r11, R_R11(\base)
	mov	%r12, R_R12(\base)
	mov	%r13, R_R13(\base)
	mov	%r14, R_R14(\base)
	mov	%r15, R_R15(\base)
.endm

/*
 * Leave no guest value in any register but RSP and RBX (which the caller
 * sets next): even values about to be reloaded from the stack could feed
 * speculation if the reload misses the cache (KVM's __vmx_vcpu_run()).
 */
.macro CLEAR_GPRS_BUT_RBX
	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%ebp, %ebp
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	xor	%r12d, %r12d
	xor	%r13d, %r13d
	xor	%r14d, %r14d
	xor	%r15d, %r15d
.endm

#endif
