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
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#include "../x86/gprs_asm.h"
#include "../x86/spec_asm.h"

#define VMCS_HOST_RSP	0x6c14

	/* No instrumentation between guest state in and host state back. */
	.section .noinstr.text, "ax"

/*
 * int mkvm_vmx_enter(unsigned long *regs, int launched)
 *
 * Speculation (x86/spec.c): VERW right before the entry, when all that is
 * left in registers is the guest's; after the exit, every register holding
 * a guest value is cleared, then the RSB is refilled (or one CALL retires
 * under eIBRS) and the branch history cleared, all before the first RET,
 * as KVM's __vmx_vcpu_run() does.  The result is kept in RBX meanwhile.
 */
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

	/* CF = launched; neither MOV, INC nor VERW changes CF. */
	bt	$0, %esi

	mov	R_RAX(%rdi), %rax
	LOAD_GUEST_GPRS %rdi
	mov	R_RDI(%rdi), %rdi

	MKVM_SPEC_COUNT MKVM_SPEC_VERW, X86_FEATURE_CLEAR_CPU_BUF
	CLEAR_CPU_BUFFERS

	/* Tell objtool the stack at the VM exit is the stack here. */
	UNWIND_HINT_SAVE
	jc	.Lresume
	vmlaunch
	jmp	.Lfail
.Lresume:
	vmresume
.Lfail:
	/* VMfail: still on the host stack, guest values in the GPRs. */
	mov	$1, %ebx
	jmp	.Lout

SYM_INNER_LABEL(mkvm_vmx_exit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	/* RSP = HOST_RSP: the array pointer is on top. */
	push	%rax
	mov	8(%rsp), %rax
	STORE_GUEST_GPRS %rax
	popq	R_RAX(%rax)
	xor	%ebx, %ebx

.Lout:
	CLEAR_GPRS_BUT_RBX
	/* bugs.c sets one of the two features, never both. */
	MKVM_SPEC_COUNT MKVM_SPEC_RSB, X86_FEATURE_RSB_VMEXIT
	MKVM_SPEC_COUNT MKVM_SPEC_RSB_LITE, X86_FEATURE_RSB_VMEXIT_LITE
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
		X86_FEATURE_RSB_VMEXIT_LITE
	/*
	 * Legacy IBRS must be written again after a less privileged mode
	 * ran (KVM's vmx_spec_ctrl_restore_host()); the guest cannot have
	 * changed the MSR (x86/spec.c), so the host's value goes back.
	 */
	MKVM_SPEC_COUNT MKVM_SPEC_SPEC_CTRL, X86_FEATURE_KERNEL_IBRS
	ALTERNATIVE "jmp .Lspec_ctrl_done", "", X86_FEATURE_KERNEL_IBRS
	mov	$MSR_IA32_SPEC_CTRL, %ecx
	mov	PER_CPU_VAR(x86_spec_ctrl_current), %eax
	mov	PER_CPU_VAR(x86_spec_ctrl_current + 4), %edx
	wrmsr
	lfence
.Lspec_ctrl_done:
	MKVM_SPEC_COUNT MKVM_SPEC_BHB, X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT
	CLEAR_BRANCH_HISTORY_VMEXIT

	mov	%ebx, %eax
	pop	%rdi
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(mkvm_vmx_enter)
