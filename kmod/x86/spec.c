// SPDX-License-Identifier: GPL-2.0
/*
 * Speculative-execution hygiene around VM entry and exit.
 *
 * minikvm does what the running kernel's own mitigation settings ask of a
 * hypervisor on this CPU, and nothing it would not: arch/x86/kernel/cpu/
 * bugs.c turns the CPU's bugs and the command line (mitigations=,
 * spectre_v2=, retbleed=, srso=, ...) into synthetic CPU features such as
 * X86_FEATURE_CLEAR_CPU_BUF or X86_FEATURE_RSB_VMEXIT, and minikvm reads
 * the same bits KVM 6.1 reads, at the same places:
 *
 *   VMX, before VMLAUNCH/VMRESUME  L1D flush (L1TF, here and in the
 *                                  vmx/run.c wrapper), VERW (MDS, TAA,
 *                                  RFDS: vmx/vmenter.S)
 *   VMX, after the exit            RSB refill, or one CALL under eIBRS;
 *                                  BHB clearing loop (vmx/vmenter.S)
 *   SVM, before VMRUN              divider clear (DIV0), VERW (TSA)
 *   SVM, after #VMEXIT             RSB refill under retpolines, return
 *                                  untraining (retbleed, SRSO), IBPB on
 *                                  exit (SRSO/VMSCAPE) (svm/vmrun.S)
 *   both                           IBPB when a CPU switches vCPU (the
 *                                  branch predictor must not carry one
 *                                  guest's training into another), and
 *                                  the VMSCAPE IBPB before the task next
 *                                  returns to user space
 *
 * IA32_SPEC_CTRL is not switched: guests are not offered IBRS, STIBP,
 * SSBD or the command MSRs (x86/cpuid.c) and get #GP on IA32_SPEC_CTRL,
 * IA32_PRED_CMD and IA32_FLUSH_CMD (x86/msr.c), so the host's value stays
 * in force while a guest runs and there is nothing to restore.
 *
 * The world switch itself (vmx/run.c, svm/svm.c's wrapper and the two
 * assembly files) is noinstr: no tracing, kprobes or sanitizer calls run
 * between the guest's state going in and the host's coming back.
 */
#define pr_fmt(fmt) "minikvm: " fmt

#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <asm/cpufeature.h>
#include <asm/hardirq.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>

#include "../core/minikvm.h"
#include "spec.h"

DEFINE_PER_CPU(u64[MKVM_SPEC_NR], mkvm_spec_runs);

/* The vCPU that last entered a guest on each CPU (for the switch IBPB). */
static DEFINE_PER_CPU(struct mkvm_vcpu *, mkvm_spec_last_vcpu);

struct mkvm_spec_item {
	const char *name;	/* in debugfs and in the load message */
	const char *what;	/* what it defends against */
};

static const struct mkvm_spec_item mkvm_spec_items[MKVM_SPEC_NR] = {
	[MKVM_SPEC_ENTRIES]	= { "entries", "(VM entries, for scale)" },
	[MKVM_SPEC_VERW]	= { "verw", "MDS/TAA/RFDS/TSA buffers" },
	[MKVM_SPEC_RSB]		= { "rsb_fill", "guest RSB entries (spectre_v2)" },
	[MKVM_SPEC_RSB_LITE]	= { "rsb_one_call", "PBRSB under eIBRS" },
	[MKVM_SPEC_BHB]		= { "bhb_clear", "guest branch history (BHI)" },
	[MKVM_SPEC_UNTRAIN]	= { "untrain_ret", "return predictions (retbleed/SRSO)" },
	[MKVM_SPEC_IBPB_EXIT]	= { "ibpb_on_exit", "guest branch targets (SRSO/VMSCAPE)" },
	[MKVM_SPEC_IBPB_SWITCH]	= { "ibpb_vcpu_switch", "one guest's branch targets in another" },
	[MKVM_SPEC_L1D]		= { "l1d_flush", "host data in L1D (L1TF)" },
	[MKVM_SPEC_IBPB_USER]	= { "ibpb_exit_to_user",
				    "guest branch targets in user space (VMSCAPE)" },
	[MKVM_SPEC_DIV0]	= { "div0_clear", "divider quotient (AMD DIV0)" },
	[MKVM_SPEC_SPEC_CTRL]	= { "spec_ctrl_restore", "legacy IBRS after a guest ran" },
	[MKVM_SPEC_IBPB_ENTRY]	= { "ibpb_entry", "return predictions, by IBPB (retbleed/SRSO)" },
};

/* Decided once at load: on or off, and the kernel setting that decided. */
static bool mkvm_spec_on[MKVM_SPEC_NR];
static const char *mkvm_spec_by[MKVM_SPEC_NR];

/* L1D flush without IA32_FLUSH_CMD: read 64 KiB, as KVM's fallback does. */
#define MKVM_L1D_ORDER		4
#define MKVM_L1D_SIZE		(PAGE_SIZE << MKVM_L1D_ORDER)
static void *mkvm_l1d_buf;
static bool mkvm_l1d_msr;

static void mkvm_spec_set(int i, bool on, const char *by)
{
	mkvm_spec_on[i] = on;
	mkvm_spec_by[i] = by;
}

/*
 * L1TF (SDM-independent: Intel's "L1 Terminal Fault" guidance): a guest
 * can read what the host left in L1D through a non-present guest PTE, so
 * the CPU flushes L1D before entry unless it says it need not
 * (ARCH_CAP_SKIP_VMENTRY_L1DFLUSH) or mitigations are off.
 */
/*
 * The kernel does not export its own L1TF choice (l1tf=off, full,force):
 * only mitigations=off turns this off.
 */
static bool mkvm_spec_l1tf(void)
{
	u64 cap = 0;

	if (!boot_cpu_has_bug(X86_BUG_L1TF) || cpu_mitigations_off())
		return false;
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES))
		rdmsrl(MSR_IA32_ARCH_CAPABILITIES, cap);
	return !(cap & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH);
}

/**
 * mkvm_spec_init() - choose the mitigations for this backend
 * @vmx: true for VMX, false for SVM
 *
 * Reads the kernel's choices (see the top of this file), allocates the
 * L1D flush buffer if the CPU needs one and has no IA32_FLUSH_CMD, and
 * prints what is on.
 *
 * Return: 0, or -ENOMEM.
 */
int mkvm_spec_init(bool vmx)
{
	char line[256] = "";
	int i;

	memset(mkvm_spec_on, 0, sizeof(mkvm_spec_on));
	mkvm_spec_set(MKVM_SPEC_ENTRIES, true, "always");
	mkvm_spec_set(MKVM_SPEC_IBPB_SWITCH,
		      cpu_feature_enabled(X86_FEATURE_USE_IBPB) &&
		      !cpu_feature_enabled(X86_FEATURE_IBPB_ON_VMEXIT),
		      "USE_IBPB&&!IBPB_ON_VMEXIT");
	mkvm_spec_set(MKVM_SPEC_IBPB_USER,
		      cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER),
		      "IBPB_EXIT_TO_USER");
	if (vmx) {
		mkvm_spec_set(MKVM_SPEC_VERW,
			      cpu_feature_enabled(X86_FEATURE_CLEAR_CPU_BUF),
			      "CLEAR_CPU_BUF");
		mkvm_spec_set(MKVM_SPEC_RSB,
			      cpu_feature_enabled(X86_FEATURE_RSB_VMEXIT) &&
			      !cpu_feature_enabled(X86_FEATURE_RSB_VMEXIT_LITE),
			      "RSB_VMEXIT&&!RSB_VMEXIT_LITE");
		mkvm_spec_set(MKVM_SPEC_RSB_LITE,
			      cpu_feature_enabled(X86_FEATURE_RSB_VMEXIT_LITE),
			      "RSB_VMEXIT_LITE");
		mkvm_spec_set(MKVM_SPEC_BHB,
			      cpu_feature_enabled(X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT),
			      "CLEAR_BHB_LOOP_ON_VMEXIT");
		mkvm_spec_set(MKVM_SPEC_L1D, mkvm_spec_l1tf(),
			      "BUG_L1TF&&!SKIP_VMENTRY_L1DFLUSH");
		mkvm_spec_set(MKVM_SPEC_SPEC_CTRL,
			      cpu_feature_enabled(X86_FEATURE_KERNEL_IBRS), "KERNEL_IBRS");
	} else {
		mkvm_spec_set(MKVM_SPEC_VERW,
			      cpu_feature_enabled(X86_FEATURE_CLEAR_CPU_BUF_VM),
			      "CLEAR_CPU_BUF_VM");
		mkvm_spec_set(MKVM_SPEC_RSB,
			      cpu_feature_enabled(X86_FEATURE_RETPOLINE),
			      "RETPOLINE");
		mkvm_spec_set(MKVM_SPEC_UNTRAIN,
			      cpu_feature_enabled(X86_FEATURE_UNRET) ||
			      cpu_feature_enabled(X86_FEATURE_SRSO_ALIAS),
			      "UNRET||SRSO_ALIAS");
		mkvm_spec_set(MKVM_SPEC_IBPB_ENTRY,
			      cpu_feature_enabled(X86_FEATURE_ENTRY_IBPB), "ENTRY_IBPB");
		mkvm_spec_set(MKVM_SPEC_IBPB_EXIT,
			      cpu_feature_enabled(X86_FEATURE_IBPB_ON_VMEXIT),
			      "IBPB_ON_VMEXIT");
		/* Not a choice: the kernel clears it on return to user too. */
		mkvm_spec_set(MKVM_SPEC_DIV0, boot_cpu_has_bug(X86_BUG_DIV0),
			      "BUG_DIV0");
	}
	for (i = 0; i < MKVM_SPEC_NR; i++)
		if (!mkvm_spec_by[i])
			mkvm_spec_by[i] = vmx ? "svm-only" : "vmx-only";

	mkvm_l1d_msr = boot_cpu_has(X86_FEATURE_FLUSH_L1D);
	if (mkvm_spec_on[MKVM_SPEC_L1D] && !mkvm_l1d_msr) {
		struct page *page = alloc_pages(GFP_KERNEL, MKVM_L1D_ORDER);

		if (!page)
			return -ENOMEM;
		mkvm_l1d_buf = page_address(page);
	}

	for (i = MKVM_SPEC_ENTRIES + 1; i < MKVM_SPEC_NR; i++)
		if (mkvm_spec_on[i]) {
			strlcat(line, " ", sizeof(line));
			strlcat(line, mkvm_spec_items[i].name, sizeof(line));
		}
	pr_info("speculation mitigations on VM entry/exit:%s\n",
		line[0] ? line : " none (the kernel asks for none on this CPU)");
	return 0;
}

/**
 * mkvm_spec_exit() - free what mkvm_spec_init() allocated
 */
void mkvm_spec_exit(void)
{
	if (mkvm_l1d_buf)
		free_pages((unsigned long)mkvm_l1d_buf, MKVM_L1D_ORDER);
	mkvm_l1d_buf = NULL;
}

/**
 * mkvm_spec_before_entry() - the C half of the entry mitigations
 * @vcpu: the vCPU about to enter, loaded on this CPU
 *
 * Interrupts are off.  IBPB when this CPU last ran another vCPU (KVM
 * does it when it loads another VMCS or VMCB), and part of the decision
 * whether the next entry flushes L1D: as KVM's default
 * (vmentry_l1d_flush=cond), only when host code that may have touched
 * secrets ran since the last entry: a return from userspace, a guest
 * page fault, a read of guest memory through its page tables (emulation:
 * x86/walk.c), a switch of task or vCPU (here), an interrupt or NMI on
 * this CPU (mkvm_spec_l1d_flush()).  Exits handled entirely in the kernel
 * (CPUID, MSRs) do not flush.
 */
void mkvm_spec_before_entry(struct mkvm_vcpu *vcpu)
{
	unsigned long switches = current->nvcsw + current->nivcsw;

	this_cpu_inc(mkvm_spec_runs[MKVM_SPEC_ENTRIES]);
	/* svm/svm.c's svm_enter_exit() calls amd_clear_divider(). */
	if (mkvm_spec_on[MKVM_SPEC_DIV0])
		this_cpu_inc(mkvm_spec_runs[MKVM_SPEC_DIV0]);
	if (this_cpu_read(mkvm_spec_last_vcpu) != vcpu) {
		this_cpu_write(mkvm_spec_last_vcpu, vcpu);
		vcpu->spec_l1d_flush = true;
		if (mkvm_spec_on[MKVM_SPEC_IBPB_SWITCH]) {
			indirect_branch_prediction_barrier();
			this_cpu_inc(mkvm_spec_runs[MKVM_SPEC_IBPB_SWITCH]);
		}
	}
	if (!mkvm_spec_on[MKVM_SPEC_L1D]) {
		vcpu->spec_l1d_flush = false;
		return;
	}
	if (switches != vcpu->spec_task_switches) {
		vcpu->spec_task_switches = switches;
		vcpu->spec_l1d_flush = true;
	}
}

/**
 * mkvm_spec_l1d_flush() - flush L1D before VM entry if it was decided
 * @vcpu: the vCPU about to enter
 *
 * Called from the noinstr entry wrapper (vmx/run.c), last before the
 * assembly; IA32_FLUSH_CMD where the CPU has it, else 64 KiB of reads
 * (a TLB-priming pass, then every cache line), as KVM's fallback.
 */
noinstr void mkvm_spec_l1d_flush(struct mkvm_vcpu *vcpu)
{
	bool flush = vcpu->spec_l1d_flush;
	unsigned long i;

	if (!mkvm_spec_on[MKVM_SPEC_L1D])
		return;
	vcpu->spec_l1d_flush = false;
#if IS_ENABLED(CONFIG_KVM_INTEL)
	/*
	 * Set by the kernel's interrupt and NMI entry for exactly this
	 * purpose; read here, last, as KVM's vmx_l1d_flush() does.
	 */
	flush |= kvm_get_cpu_l1tf_flush_l1d();
	kvm_clear_cpu_l1tf_flush_l1d();
#else
	flush = true;
#endif
	if (!flush)
		return;
	if (mkvm_l1d_msr) {
		native_wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
	} else {
		/* Prime the TLB, serialize, then read every line; fence. */
		for (i = 0; i < MKVM_L1D_SIZE; i += PAGE_SIZE)
			(void)READ_ONCE(((u8 *)mkvm_l1d_buf)[i]);
		asm volatile("xorl %%eax, %%eax\n\tcpuid" ::: "eax", "ebx", "ecx", "edx",
			     "memory");
		for (i = 0; i < MKVM_L1D_SIZE; i += L1_CACHE_BYTES)
			(void)READ_ONCE(((u8 *)mkvm_l1d_buf)[i]);
		asm volatile("lfence" ::: "memory");
	}
	this_cpu_inc(mkvm_spec_runs[MKVM_SPEC_L1D]);
	vcpu->stats->l1d_flush++;
}

/**
 * mkvm_spec_after_exit() - the C half of the exit mitigations
 *
 * Interrupts are off.  VMSCAPE: ask for an IBPB before this task next
 * returns to user space, so that a guest's branch training cannot steer
 * the VMM (QEMU, the launcher) there, as KVM's vcpu_enter_guest() does.
 */
void mkvm_spec_after_exit(void)
{
	if (mkvm_spec_on[MKVM_SPEC_IBPB_USER]) {
		this_cpu_write(x86_ibpb_exit_to_user, true);
		this_cpu_inc(mkvm_spec_runs[MKVM_SPEC_IBPB_USER]);
	}
}

/**
 * mkvm_spec_vcpu_free() - forget a vCPU that is going away
 * @vcpu: the vCPU
 *
 * A new vCPU may be allocated at the same address: it must still count
 * as a switch on every CPU (KVM clears its per-CPU current VMCB the same
 * way).
 */
void mkvm_spec_vcpu_free(struct mkvm_vcpu *vcpu)
{
	int cpu;

	for_each_possible_cpu(cpu)
		cmpxchg(per_cpu_ptr(&mkvm_spec_last_vcpu, cpu), vcpu, NULL);
}

static int mkvm_spec_show(struct seq_file *m, void *unused)
{
	int i, cpu;

	seq_printf(m, "# %s backend; cmdline mitigations=%s\n", mkvm_ops->name,
		   cpu_mitigations_off() ? "off" : "auto");
	seq_puts(m, "# name state decided-by runs-on-all-cpus  (defends)\n");
	for (i = 0; i < MKVM_SPEC_NR; i++) {
		u64 n = 0;

		for_each_possible_cpu(cpu)
			n += per_cpu(mkvm_spec_runs, cpu)[i];
		seq_printf(m, "%s %s %s %llu  %s\n", mkvm_spec_items[i].name,
			   mkvm_spec_on[i] ? "on" : "off", mkvm_spec_by[i], n,
			   mkvm_spec_items[i].what);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mkvm_spec);

/**
 * mkvm_spec_debugfs_init() - create /sys/kernel/debug/minikvm/mitigations
 * @dir: minikvm's debugfs directory
 *
 * One line per mitigation: name, on or off, the kernel setting that
 * decided, and how many times it ran since load, over all CPUs.
 */
void mkvm_spec_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("mitigations", 0444, dir, NULL, &mkvm_spec_fops);
}
