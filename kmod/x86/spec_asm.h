/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For vmenter.S and vmrun.S: counting the speculation mitigations they run
 * (x86/spec.h, x86/spec.c).
 */
#ifndef MKVM_X86_SPEC_ASM_H
#define MKVM_X86_SPEC_ASM_H

#include "spec.h"

#include <asm/alternative.h>
#include <asm/percpu.h>

/*
 * Count mitigation \idx on this CPU when CPU feature \ftr is on: the
 * feature patches out the jump, as it patches in the mitigation (the
 * pattern of the kernel's own __CLEAR_CPU_BUFFERS).  INC leaves CF alone.
 */
.macro MKVM_SPEC_COUNT idx:req ftr:req
	ALTERNATIVE "jmp .Lmkvm_spec_skip_\@", "", \ftr
	incq	PER_CPU_VAR(mkvm_spec_runs + 8 * \idx)
.Lmkvm_spec_skip_\@:
.endm

/* The same when either of two features is on, counted once. */
.macro MKVM_SPEC_COUNT2 idx:req ftr1:req ftr2:req
	ALTERNATIVE_2 "jmp .Lmkvm_spec_skip2_\@", "", \ftr1, "", \ftr2
	incq	PER_CPU_VAR(mkvm_spec_runs + 8 * \idx)
.Lmkvm_spec_skip2_\@:
.endm

#endif
