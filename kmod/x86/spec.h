/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Speculative-execution hygiene around the world switch (x86/spec.c).
 *
 * Each mitigation has a counter per CPU, mkvm_spec_runs[MKVM_SPEC_*].  The
 * ones done in the entry/exit assembly are counted next to them, in code
 * that the same CPU-feature bit patches in as the mitigation itself
 * (MKVM_SPEC_COUNT, spec_asm.h), so a count says the patched path ran, not only that
 * it was chosen.  /sys/kernel/debug/minikvm/mitigations shows them.
 */
#ifndef MKVM_X86_SPEC_H
#define MKVM_X86_SPEC_H

#define MKVM_SPEC_ENTRIES	0	/* every VM entry attempted */
#define MKVM_SPEC_VERW		1	/* VERW before entry (MDS, TAA, RFDS, TSA) */
#define MKVM_SPEC_RSB		2	/* RSB refilled after exit */
#define MKVM_SPEC_RSB_LITE	3	/* one balanced CALL after exit (eIBRS) */
#define MKVM_SPEC_BHB		4	/* branch history cleared after exit */
#define MKVM_SPEC_UNTRAIN	5	/* return predictor untrained (retbleed, SRSO) */
#define MKVM_SPEC_IBPB_EXIT	6	/* IBPB after every exit (SRSO, VMSCAPE) */
#define MKVM_SPEC_IBPB_SWITCH	7	/* IBPB when a CPU changes vCPU */
#define MKVM_SPEC_L1D		8	/* L1D flushed before entry (L1TF) */
#define MKVM_SPEC_IBPB_USER	9	/* IBPB before the next return to user (VMSCAPE) */
#define MKVM_SPEC_DIV0		10	/* divider cleared before entry (AMD DIV0) */
#define MKVM_SPEC_SPEC_CTRL	11	/* host SPEC_CTRL rewritten after exit (legacy IBRS) */
#define MKVM_SPEC_IBPB_ENTRY	12	/* IBPB after exit instead of untraining */
#define MKVM_SPEC_NR		13

#ifndef __ASSEMBLY__

#include <linux/percpu.h>
#include <linux/types.h>

struct dentry;
struct mkvm_vcpu;

DECLARE_PER_CPU(u64[MKVM_SPEC_NR], mkvm_spec_runs);

int mkvm_spec_init(bool vmx);
void mkvm_spec_exit(void);
void mkvm_spec_debugfs_init(struct dentry *dir);
void mkvm_spec_before_entry(struct mkvm_vcpu *vcpu);
void mkvm_spec_after_exit(void);
void mkvm_spec_vcpu_free(struct mkvm_vcpu *vcpu);
void mkvm_spec_l1d_flush(struct mkvm_vcpu *vcpu);

#endif /* __ASSEMBLY__ */
#endif
