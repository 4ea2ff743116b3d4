/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exit reasons minikvm names, one list per backend.  Each list is
 * used twice, so that a counter and a trace line say the same name: by
 * the statistics (the backends' exit_names tables, core/stats.c:
 * "exits_vmx_cpuid") and by the minikvm_exit tracepoint's
 * __print_symbolic() (x86/trace.h).  An entry is { raw code, "name" },
 * the field order of both struct mkvm_exit_name and struct
 * trace_print_flags.
 *
 * Once macros are expanded the codes must be plain numbers or sums of
 * them: the tracepoint's format file carries the list as text, which
 * trace-cmd and perf (libtraceevent) evaluate themselves.
 */
#ifndef MKVM_X86_EXIT_NAMES_H
#define MKVM_X86_EXIT_NAMES_H

#include <asm/trapnr.h>
#include <uapi/asm/svm.h>
#include <uapi/asm/vmx.h>

/*
 * VMX: the basic exit reasons (bits 15:0 of the exit reason) with
 * counters of their own: those vmx/exit.c's handlers take, and those no
 * VMX configuration can prevent (triple fault, INIT, task switch, the
 * failed entries), by the names of SDM Vol. 3C, Appendix C as KVM's
 * kvm_exit tracepoint spells them, lower case.  Any other reason is
 * counted as "other".
 */
#define MKVM_VMX_EXIT(reason, name)	{ EXIT_REASON_##reason, name }
#define MKVM_VMX_EXIT_NAMES						\
	MKVM_VMX_EXIT(EXCEPTION_NMI, "exception_nmi"),			\
	MKVM_VMX_EXIT(EXTERNAL_INTERRUPT, "external_interrupt"),	\
	MKVM_VMX_EXIT(TRIPLE_FAULT, "triple_fault"),			\
	MKVM_VMX_EXIT(INIT_SIGNAL, "init_signal"),			\
	MKVM_VMX_EXIT(INTERRUPT_WINDOW, "interrupt_window"),		\
	MKVM_VMX_EXIT(NMI_WINDOW, "nmi_window"),			\
	MKVM_VMX_EXIT(TASK_SWITCH, "task_switch"),			\
	MKVM_VMX_EXIT(CPUID, "cpuid"),					\
	MKVM_VMX_EXIT(HLT, "hlt"),					\
	MKVM_VMX_EXIT(INVD, "invd"),					\
	MKVM_VMX_EXIT(RDPMC, "rdpmc"),					\
	MKVM_VMX_EXIT(VMCALL, "vmcall"),				\
	MKVM_VMX_EXIT(VMCLEAR, "vmclear"),				\
	MKVM_VMX_EXIT(VMLAUNCH, "vmlaunch"),				\
	MKVM_VMX_EXIT(VMPTRLD, "vmptrld"),				\
	MKVM_VMX_EXIT(VMPTRST, "vmptrst"),				\
	MKVM_VMX_EXIT(VMREAD, "vmread"),				\
	MKVM_VMX_EXIT(VMRESUME, "vmresume"),				\
	MKVM_VMX_EXIT(VMWRITE, "vmwrite"),				\
	MKVM_VMX_EXIT(VMOFF, "vmoff"),					\
	MKVM_VMX_EXIT(VMON, "vmon"),					\
	MKVM_VMX_EXIT(CR_ACCESS, "cr_access"),				\
	MKVM_VMX_EXIT(DR_ACCESS, "dr_access"),				\
	MKVM_VMX_EXIT(IO_INSTRUCTION, "io_instruction"),		\
	MKVM_VMX_EXIT(MSR_READ, "msr_read"),				\
	MKVM_VMX_EXIT(MSR_WRITE, "msr_write"),				\
	MKVM_VMX_EXIT(INVALID_STATE, "invalid_state"),			\
	MKVM_VMX_EXIT(MSR_LOAD_FAIL, "msr_load_fail"),			\
	MKVM_VMX_EXIT(MWAIT_INSTRUCTION, "mwait_instruction"),		\
	MKVM_VMX_EXIT(MONITOR_TRAP_FLAG, "monitor_trap_flag"),		\
	MKVM_VMX_EXIT(MONITOR_INSTRUCTION, "monitor_instruction"),	\
	MKVM_VMX_EXIT(MCE_DURING_VMENTRY, "mce_during_vmentry"),	\
	MKVM_VMX_EXIT(EPT_VIOLATION, "ept_violation"),			\
	MKVM_VMX_EXIT(EPT_MISCONFIG, "ept_misconfig"),			\
	MKVM_VMX_EXIT(INVEPT, "invept"),				\
	MKVM_VMX_EXIT(PREEMPTION_TIMER, "preemption_timer"),		\
	MKVM_VMX_EXIT(INVVPID, "invvpid"),				\
	MKVM_VMX_EXIT(XSETBV, "xsetbv"),				\
	MKVM_VMX_EXIT(VMFUNC, "vmfunc")

/*
 * SVM: the exit codes with counters of their own: every one svm/exit.c's
 * handlers take, by the APM's names (Vol. 2, Appendix C, VMEXIT_*),
 * lower case.  Any other code, VMEXIT_INVALID included, is counted as
 * "other".
 */
#define MKVM_SVM_EXIT(code, name)	{ SVM_EXIT_##code, name }
#define MKVM_SVM_EXCP(vector, name)	{ SVM_EXIT_EXCP_BASE + (vector), name }
#define MKVM_SVM_EXIT_NAMES						\
	MKVM_SVM_EXCP(X86_TRAP_DB, "excp1"),				\
	MKVM_SVM_EXCP(X86_TRAP_BP, "excp3"),				\
	MKVM_SVM_EXCP(X86_TRAP_AC, "excp17"),				\
	MKVM_SVM_EXCP(X86_TRAP_MC, "excp18"),				\
	MKVM_SVM_EXIT(WRITE_CR0, "cr0_write"),				\
	MKVM_SVM_EXIT(WRITE_CR4, "cr4_write"),				\
	MKVM_SVM_EXIT(WRITE_CR8, "cr8_write"),				\
	MKVM_SVM_EXIT(READ_DR0, "dr0_read"),				\
	MKVM_SVM_EXIT(READ_DR1, "dr1_read"),				\
	MKVM_SVM_EXIT(READ_DR2, "dr2_read"),				\
	MKVM_SVM_EXIT(READ_DR3, "dr3_read"),				\
	MKVM_SVM_EXIT(READ_DR4, "dr4_read"),				\
	MKVM_SVM_EXIT(READ_DR5, "dr5_read"),				\
	MKVM_SVM_EXIT(READ_DR6, "dr6_read"),				\
	MKVM_SVM_EXIT(READ_DR7, "dr7_read"),				\
	MKVM_SVM_EXIT(WRITE_DR0, "dr0_write"),				\
	MKVM_SVM_EXIT(WRITE_DR1, "dr1_write"),				\
	MKVM_SVM_EXIT(WRITE_DR2, "dr2_write"),				\
	MKVM_SVM_EXIT(WRITE_DR3, "dr3_write"),				\
	MKVM_SVM_EXIT(WRITE_DR4, "dr4_write"),				\
	MKVM_SVM_EXIT(WRITE_DR5, "dr5_write"),				\
	MKVM_SVM_EXIT(WRITE_DR6, "dr6_write"),				\
	MKVM_SVM_EXIT(WRITE_DR7, "dr7_write"),				\
	MKVM_SVM_EXIT(INTR, "intr"),					\
	MKVM_SVM_EXIT(NMI, "nmi"),					\
	MKVM_SVM_EXIT(SMI, "smi"),					\
	MKVM_SVM_EXIT(INIT, "init"),					\
	MKVM_SVM_EXIT(VINTR, "vintr"),					\
	MKVM_SVM_EXIT(RDPMC, "rdpmc"),					\
	MKVM_SVM_EXIT(CPUID, "cpuid"),					\
	MKVM_SVM_EXIT(IRET, "iret"),					\
	MKVM_SVM_EXIT(SWINT, "swint"),					\
	MKVM_SVM_EXIT(INVD, "invd"),					\
	MKVM_SVM_EXIT(HLT, "hlt"),					\
	MKVM_SVM_EXIT(INVLPGA, "invlpga"),				\
	MKVM_SVM_EXIT(IOIO, "ioio"),					\
	MKVM_SVM_EXIT(MSR, "msr"),					\
	MKVM_SVM_EXIT(SHUTDOWN, "shutdown"),				\
	MKVM_SVM_EXIT(VMRUN, "vmrun"),					\
	MKVM_SVM_EXIT(VMMCALL, "vmmcall"),				\
	MKVM_SVM_EXIT(VMLOAD, "vmload"),				\
	MKVM_SVM_EXIT(VMSAVE, "vmsave"),				\
	MKVM_SVM_EXIT(STGI, "stgi"),					\
	MKVM_SVM_EXIT(CLGI, "clgi"),					\
	MKVM_SVM_EXIT(SKINIT, "skinit"),				\
	MKVM_SVM_EXIT(ICEBP, "icebp"),					\
	MKVM_SVM_EXIT(MONITOR, "monitor"),				\
	MKVM_SVM_EXIT(MWAIT, "mwait"),					\
	MKVM_SVM_EXIT(MWAIT_COND, "mwait_conditional"),			\
	MKVM_SVM_EXIT(XSETBV, "xsetbv"),				\
	MKVM_SVM_EXIT(RDPRU, "rdpru"),					\
	MKVM_SVM_EXIT(NPF, "npf")

#endif
