// SPDX-License-Identifier: GPL-2.0
/*
 * The host CPU state a VM exit or VMRUN could leave changed, read from the
 * hardware on every online CPU: /sys/kernel/debug/minikvm/host_state.  A
 * test reads it before and after running hostile guests and expects the
 * same text (CR3, which follows the running task, is left out).  One line
 * per CPU, "cpu N" then name=value pairs.
 *
 * Each CPU is read in an IPI, so the values are those the host runs with
 * between two entries, after minikvm put back what an exit clobbers
 * (SDM 28.5, APM 15.5.2).  An MSR the CPU does not have reads as "-", as
 * do XCR0 without CR4.OSXSAVE and PKRU without CR4.PKE.  LDTR, PKRU (and
 * in principle XCR0) belong to the task the IPI interrupted: the reader's
 * own CPU always shows the reader's.
 */
#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>

#include "../core/minikvm.h"

static const struct {
	const char *name;
	u32 index;
} mkvm_host_msrs[] = {
	{ "efer", MSR_EFER },
	{ "star", MSR_STAR },
	{ "lstar", MSR_LSTAR },
	{ "cstar", MSR_CSTAR },
	{ "sfmask", MSR_SYSCALL_MASK },
	{ "sysenter_cs", MSR_IA32_SYSENTER_CS },
	{ "sysenter_esp", MSR_IA32_SYSENTER_ESP },
	{ "sysenter_eip", MSR_IA32_SYSENTER_EIP },
	{ "pat", MSR_IA32_CR_PAT },
	{ "debugctl", MSR_IA32_DEBUGCTLMSR },
	{ "misc_enable", MSR_IA32_MISC_ENABLE },
	{ "apic_base", MSR_IA32_APICBASE },
	{ "tsc_aux", MSR_TSC_AUX },
	{ "spec_ctrl", MSR_IA32_SPEC_CTRL },
	{ "feature_control", MSR_IA32_FEAT_CTL },
	{ "vm_hsave_pa", MSR_VM_HSAVE_PA },
};

struct mkvm_host_state {
	unsigned long cr0, cr4, cr8, dr6, dr7, tr_base;
	u64 xcr0;
	u32 pkru;
	u16 ldtr, tr;
	struct desc_ptr gdt, idt;
	u64 msr[ARRAY_SIZE(mkvm_host_msrs)];
	bool have[ARRAY_SIZE(mkvm_host_msrs)];
};

static void mkvm_read_host_state(void *data)
{
	struct mkvm_host_state *s = data;
	int i;

	struct ldttss_desc *tss;

	s->cr0 = native_read_cr0();
	s->cr4 = native_read_cr4();
	/* CR8 is the local APIC's TPR[7:4] (SDM Vol. 3A, 10.8.6.1). */
	asm volatile("mov %%cr8, %0" : "=r" (s->cr8));
	get_debugreg(s->dr6, 6);
	get_debugreg(s->dr7, 7);
	native_store_gdt(&s->gdt);
	store_idt(&s->idt);
	asm volatile("sldt %0" : "=r" (s->ldtr));
	asm volatile("str %0" : "=r" (s->tr));
	tss = (struct ldttss_desc *)(s->gdt.address + (s->tr & ~7));
	s->tr_base = get_desc_base((struct desc_struct *)tss) | (u64)tss->base3 << 32;
	s->xcr0 = s->cr4 & X86_CR4_OSXSAVE ? xgetbv(XCR_XFEATURE_ENABLED_MASK) : -1ull;
	s->pkru = s->cr4 & X86_CR4_PKE ? rdpkru() : 0;
	for (i = 0; i < ARRAY_SIZE(mkvm_host_msrs); i++)
		s->have[i] = !rdmsrl_safe(mkvm_host_msrs[i].index, &s->msr[i]);
}

static int mkvm_host_state_show(struct seq_file *m, void *unused)
{
	struct mkvm_host_state s;
	int cpu, i;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		if (smp_call_function_single(cpu, mkvm_read_host_state, &s, 1))
			continue;
		seq_printf(m, "cpu %d cr0=%lx cr4=%lx cr8=%lx dr6=%lx dr7=%lx gdt=%lx/%x idt=%lx/%x",
			   cpu, s.cr0, s.cr4, s.cr8, s.dr6, s.dr7, s.gdt.address, s.gdt.size,
			   s.idt.address, s.idt.size);
		seq_printf(m, " ldtr=%x tr=%x tr_base=%lx", s.ldtr, s.tr, s.tr_base);
		if (s.xcr0 != -1ull)
			seq_printf(m, " xcr0=%llx", s.xcr0);
		else
			seq_puts(m, " xcr0=-");
		if (s.cr4 & X86_CR4_PKE)
			seq_printf(m, " pkru=%x", s.pkru);
		else
			seq_puts(m, " pkru=-");
		for (i = 0; i < ARRAY_SIZE(mkvm_host_msrs); i++) {
			if (s.have[i])
				seq_printf(m, " %s=%llx", mkvm_host_msrs[i].name, s.msr[i]);
			else
				seq_printf(m, " %s=-", mkvm_host_msrs[i].name);
		}
		seq_putc(m, '\n');
	}
	cpus_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mkvm_host_state);

/**
 * mkvm_host_state_init() - create host_state in minikvm's debugfs directory
 * @dir: /sys/kernel/debug/minikvm
 */
void mkvm_host_state_init(struct dentry *dir)
{
	debugfs_create_file("host_state", 0400, dir, NULL, &mkvm_host_state_fops);
}
