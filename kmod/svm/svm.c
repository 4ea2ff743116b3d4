// SPDX-License-Identifier: GPL-2.0
/*
 * The SVM backend: EFER.SVME and the host save area per CPU, a VMCB per
 * vCPU, nested paging (NPT) and ASIDs.
 *
 * References are to the AMD APM, Vol. 2, unless said otherwise.
 */
#define pr_fmt(fmt) "minikvm: svm: " fmt

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/trapnr.h>
#include <asm/tsc.h>

#include "svm.h"

bool mkvm_svm_has_nrips;
bool mkvm_svm_tcg_intr_quirk;

/*
 * Under QEMU's TCG (hypervisor signature "TCGTCGTCGTCG", CPUID leaf
 * 0x40000000), an external interrupt injected through EVENTINJ can be
 * delivered twice: see mkvm_svm_inject_event().
 */
static bool svm_on_qemu_tcg(void)
{
	u32 eax, sig[3];

	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR))
		return false;
	cpuid(0x40000000, &eax, &sig[0], &sig[1], &sig[2]);
	return !memcmp(sig, "TCGTCGTCGTCG", 12);
}

/* Per CPU: the VM_HSAVE_PA area (15.30.4) and the host's VMSAVE state. */
static DEFINE_PER_CPU(void *, svm_hsave);
static DEFINE_PER_CPU(void *, svm_host_save);

/*
 * Permission maps (15.10, 15.11): every I/O port exits, and every MSR but
 * those VMLOAD/VMSAVE switch, whose guest values the VMCB holds.
 */
static const u32 svm_passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

#define SVM_IOPM_ORDER	2	/* 12 KiB used */
#define SVM_MSRPM_ORDER	1	/* 8 KiB */
static void *svm_iopm;
static unsigned long *svm_msrpm;

/* ASID 0 is the host's (15.16); minikvm hands out 1..svm_nr_asids-1. */
static unsigned long *svm_asid_bitmap;
static u32 svm_nr_asids;
static DEFINE_SPINLOCK(svm_asid_lock);

/**
 * mkvm_svm_probe() - can minikvm use SVM on this machine?
 *
 * Return: 0 when the CPU has SVM with nested paging and firmware did not
 * disable it (VM_CR.SVMDIS, 15.30.1).
 */
int mkvm_svm_probe(void)
{
	u64 vm_cr;

	if (!boot_cpu_has(X86_FEATURE_SVM))
		return -ENODEV;
	if (rdmsrl_safe(MSR_VM_CR, &vm_cr) || (vm_cr & (1 << SVM_VM_CR_SVM_DISABLE))) {
		pr_err("SVM disabled by firmware (VM_CR.SVMDIS)\n");
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_NPT)) {
		pr_err("SVM without nested paging is not supported\n");
		return -ENODEV;
	}
	mkvm_svm_has_nrips = boot_cpu_has(X86_FEATURE_NRIPS);
	mkvm_svm_tcg_intr_quirk = svm_on_qemu_tcg();
	if (mkvm_svm_tcg_intr_quirk)
		pr_info("on QEMU TCG: an exit follows each injected interrupt (svm/events.c)\n");
	svm_nr_asids = cpuid_ebx(SVM_CPUID_FUNC);
	if (svm_nr_asids < 2)
		return -ENODEV;
	return 0;
}

/* Two bits per MSR, read then write; 2 KiB per range of 8192 MSRs. */
static void svm_msrpm_allow(u32 msr)
{
	u32 range = msr >= 0xc0010000 ? 2 : msr >= 0xc0000000 ? 1 : 0;
	u32 bit = range * 2048 * 8 + (msr & 0x1fff) * 2;

	__clear_bit(bit, svm_msrpm);
	__clear_bit(bit + 1, svm_msrpm);
}

static void svm_free_percpu(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		free_page((unsigned long)per_cpu(svm_hsave, cpu));
		free_page((unsigned long)per_cpu(svm_host_save, cpu));
		per_cpu(svm_hsave, cpu) = NULL;
		per_cpu(svm_host_save, cpu) = NULL;
	}
}

static int svm_hardware_setup(void)
{
	int cpu, i;

	for_each_possible_cpu(cpu) {
		per_cpu(svm_hsave, cpu) = (void *)get_zeroed_page(GFP_KERNEL);
		per_cpu(svm_host_save, cpu) = (void *)get_zeroed_page(GFP_KERNEL);
		if (!per_cpu(svm_hsave, cpu) || !per_cpu(svm_host_save, cpu))
			goto err_percpu;
	}
	svm_iopm = (void *)__get_free_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	if (!svm_iopm)
		goto err_percpu;
	memset(svm_iopm, 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	svm_msrpm = (unsigned long *)__get_free_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	if (!svm_msrpm)
		goto err_iopm;
	memset(svm_msrpm, 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);
	for (i = 0; i < ARRAY_SIZE(svm_passthrough_msrs); i++)
		svm_msrpm_allow(svm_passthrough_msrs[i]);
	svm_asid_bitmap = bitmap_zalloc(svm_nr_asids, GFP_KERNEL);
	if (!svm_asid_bitmap)
		goto err_msrpm;
	set_bit(0, svm_asid_bitmap);
	return 0;

err_msrpm:
	free_pages((unsigned long)svm_msrpm, SVM_MSRPM_ORDER);
err_iopm:
	free_pages((unsigned long)svm_iopm, SVM_IOPM_ORDER);
err_percpu:
	svm_free_percpu();
	return -ENOMEM;
}

static void svm_hardware_unsetup(void)
{
	bitmap_free(svm_asid_bitmap);
	free_pages((unsigned long)svm_msrpm, SVM_MSRPM_ORDER);
	free_pages((unsigned long)svm_iopm, SVM_IOPM_ORDER);
	svm_free_percpu();
}

/* 15.4: set EFER.SVME, then tell the CPU where to save host state. */
static int svm_hardware_enable(void)
{
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_warn("CPU %d: EFER.SVME already set, another hypervisor is active\n",
			smp_processor_id());
		return -EBUSY;
	}
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, virt_to_phys(this_cpu_read(svm_hsave)));
	return 0;
}

static void svm_hardware_disable(void)
{
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
}

static int svm_vm_init(struct mkvm_vm *vm)
{
	return 0;
}

static void svm_vm_destroy(struct mkvm_vm *vm)
{
}

static u64 svm_tdp_table_pte(phys_addr_t table)
{
	/* 15.25.5: nested tables use the host's long-mode format; guest
	 * accesses are checked as user accesses, so U/S must be set.
	 */
	return table | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
}

static u64 svm_tdp_leaf_pte(phys_addr_t page, bool writable)
{
	return page | _PAGE_PRESENT | (writable ? _PAGE_RW : 0) | _PAGE_USER;
}

static const u8 svm_intercepted[] = {
	INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_INIT,
	INTERCEPT_CPUID, INTERCEPT_HLT, INTERCEPT_INVD, INTERCEPT_RDPMC,
	INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT, INTERCEPT_SHUTDOWN,
	/* 15.5.1: VMRUN must be intercepted; the rest has no nested SVM. */
	INTERCEPT_VMRUN, INTERCEPT_VMMCALL, INTERCEPT_VMLOAD, INTERCEPT_VMSAVE,
	INTERCEPT_STGI, INTERCEPT_CLGI, INTERCEPT_SKINIT, INTERCEPT_INVLPGA,
	INTERCEPT_MONITOR, INTERCEPT_MWAIT, INTERCEPT_MWAIT_COND,
	INTERCEPT_XSETBV, INTERCEPT_RDPRU,
};

static void svm_init_vmcb(struct svm_vcpu *svm)
{
	struct vmcb *vmcb = svm->vmcb;
	int i;

	for (i = 0; i < ARRAY_SIZE(svm_intercepted); i++)
		svm_set_intercept(vmcb, svm_intercepted[i], true);
	/*
	 * The host owns CR4: every write exits and is checked (svm/cr.c),
	 * so the guest cannot set OSXSAVE, PKE or LA57 behind minikvm's
	 * back (KVM intercepts CR4 writes too).  Reads need no exit: the
	 * VMCB's CR4 is the guest's own.
	 */
	svm_set_intercept(vmcb, INTERCEPT_CR4_WRITE, true);
	/* The guest's TPR writes: KVM_EXIT_SET_TPR when it goes down (cr.c). */
	svm_set_intercept(vmcb, INTERCEPT_CR8_WRITE, true);
	/* #MC is the host's, #AC and #DB are reflected: x86/intercept.c. */
	svm_set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_MC, true);
	svm_set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_AC, true);
	svm_set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_DB, true);
	/*
	 * ICEBP too: the RIP of its intercepted #DB is ambiguous (it may
	 * point at the ICEBP rather than after it; QEMU's does), so it is
	 * completed here and its #DB injected after it, as Xen does.
	 */
	svm_set_intercept(vmcb, INTERCEPT_ICEBP, true);
	/* The guest never reaches the host's debug registers. */
	for (i = INTERCEPT_DR0_READ; i <= INTERCEPT_DR7_WRITE; i++)
		svm_set_intercept(vmcb, i, true);

	vmcb->control.iopm_base_pa = virt_to_phys(svm_iopm);
	vmcb->control.tsc_offset = svm->vcpu.vm->tsc_offset;	/* 15.30.5 */
	vmcb->control.msrpm_base_pa = virt_to_phys(svm_msrpm);
	vmcb->control.asid = svm->asid;
	/* 15.21.1: the guest's RFLAGS.IF does not mask host interrupts. */
	vmcb->control.int_ctl = V_INTR_MASKING_MASK;
	vmcb->control.nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	vmcb->control.nested_cr3 = mkvm_tdp_root_pa(&svm->vcpu.vm->tdp);

	vmcb->save.g_pat = 0x0007040600070406ull;	/* power-up PAT */
	vmcb->save.dr6 = 0xffff0ff0;
	vmcb->save.dr7 = 0x400;
	vmcb->save.efer = EFER_SVME;
}

static int svm_vcpu_create(struct mkvm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	unsigned long asid;

	svm->vmcb = (struct vmcb *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!svm->vmcb)
		return -ENOMEM;
	spin_lock(&svm_asid_lock);
	asid = find_first_zero_bit(svm_asid_bitmap, svm_nr_asids);
	if (asid < svm_nr_asids)
		__set_bit(asid, svm_asid_bitmap);
	spin_unlock(&svm_asid_lock);
	if (asid >= svm_nr_asids) {
		free_page((unsigned long)svm->vmcb);
		return -ENOSPC;
	}
	svm->asid = asid;
	svm_init_vmcb(svm);
	return 0;
}

static void svm_vcpu_free(struct mkvm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	spin_lock(&svm_asid_lock);
	__clear_bit(svm->asid, svm_asid_bitmap);
	spin_unlock(&svm_asid_lock);
	free_page((unsigned long)svm->vmcb);
}

/*
 * Nothing of a VMCB is cached per CPU (minikvm leaves the clean bits at
 * zero), but the new CPU may hold TLB entries for this ASID from an earlier
 * vCPU that had it: flush on the first entry here.
 */
static void svm_vcpu_load(struct mkvm_vcpu *vcpu, int cpu)
{
	if (vcpu->cpu != cpu) {
		vcpu->cpu = cpu;
		to_svm(vcpu)->need_flush = true;
		vcpu->stats->migrations++;
	}
}

/* 15.17: GIF=0 holds off interrupts, NMIs and SMIs until STGI. */
static __always_inline void svm_clgi(void)
{
	asm volatile("clgi" ::: "memory");
}

static __always_inline void svm_stgi(void)
{
	asm volatile("stgi" ::: "memory");
}

/*
 * The part of the switch nothing may instrument, as KVM's
 * svm_vcpu_enter_exit().  With V_INTR_MASKING the host's RFLAGS.IF at
 * VMRUN decides whether physical interrupts reach the host, through the
 * INTR intercept, while the guest runs (15.21.1): VMRUN must run with IF
 * set.  GIF=0 keeps interrupts away from the host until STGI meanwhile,
 * so for the host's bookkeeping (lockdep, tracing) interrupts stay off:
 * raw_local_irq_*.  The divider is cleared of the host's last quotient
 * where the CPU has the DIV0 bug (x86/spec.c).
 */
static noinstr void svm_enter_exit(unsigned long vmcb_pa, unsigned long *regs,
				   unsigned long host_save)
{
	svm_clgi();
	raw_local_irq_enable();
	amd_clear_divider();
	mkvm_svm_enter(vmcb_pa, regs, host_save);
	raw_local_irq_disable();
	svm_stgi();
}

static void svm_run(struct mkvm_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	unsigned long host_save = virt_to_phys(this_cpu_read(svm_host_save));

	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	if (mkvm_mmu_needs_flush(vcpu) || svm->need_flush) {
		vmcb->control.nested_cr3 = mkvm_tdp_root_pa(&vcpu->vm->tdp);
		/* Flushing one ASID needs FlushByAsid; all of them always works. */
		vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
		svm->need_flush = false;
	}
	vmcb->save.rax = vcpu->regs[MKVM_RAX];
	vmcb->save.rsp = vcpu->regs[MKVM_RSP];
	vmcb->save.rip = vcpu->rip;
	vmcb->save.rflags = vcpu->rflags;
	if (svm->nmi_singlestep)
		vmcb->save.rflags |= X86_EFLAGS_TF | X86_EFLAGS_RF;
	/*
	 * With V_INTR_MASKING the guest's MOV CR8 reads and writes V_TPR,
	 * never the host's TPR (15.21.1, 15.24).
	 */
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~V_TPR_MASK) | vcpu->cr8;
	vmcb->control.clean = 0;

	/* The host's FS/GS/TR/LDTR and syscall MSRs, put back by the asm. */
	asm volatile("vmsave %%rax" : : "a" (host_save) : "memory");
	svm_enter_exit(__pa(vmcb), vcpu->regs, host_save);

	/* VMEXIT_INVALID (-1) becomes U32_MAX: no reason of its own. */
	vcpu->exit_code = vmcb->control.exit_code;
	vcpu->regs[MKVM_RAX] = vmcb->save.rax;
	vcpu->regs[MKVM_RSP] = vmcb->save.rsp;
	vcpu->rip = vmcb->save.rip;
	vcpu->rflags = vmcb->save.rflags;
	vcpu->cr8 = vmcb->control.int_ctl & V_TPR_MASK;
	/*
	 * An intercepted #MC does not reach the host's handler by itself
	 * (15.12): call it, as KVM's svm_handle_mce() does.
	 */
	if (vmcb->control.exit_code == SVM_EXIT_EXCP_BASE + X86_TRAP_MC)
		mkvm_machine_check();
	/*
	 * #VMEXIT saves the guest's DR6 in the VMCB but does not load the
	 * host's (15.5.2): bits from a #DB the guest took itself would meet
	 * the host's next #DB as a spurious SIGTRAP.
	 */
	if (vmcb->save.dr6 != DR6_RESERVED)
		set_debugreg(DR6_RESERVED, 6);

	mkvm_svm_complete_events(vcpu);
}

/* Segment attributes in the VMCB's 12-bit form (15.5.1, Appendix B). */
static u16 svm_seg_attr(const struct kvm_segment *s)
{
	if (s->unusable || !s->present)
		return 0;
	return (s->type & 15) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
	       (s->present & 1) << 7 | (s->avl & 1) << 8 | (s->l & 1) << 9 |
	       (s->db & 1) << 10 | (s->g & 1) << 11;
}

static void svm_attr_seg(u16 a, struct kvm_segment *s)
{
	s->type = a & 15;
	s->s = (a >> 4) & 1;
	s->dpl = (a >> 5) & 3;
	s->present = (a >> 7) & 1;
	s->avl = (a >> 8) & 1;
	s->l = (a >> 9) & 1;
	s->db = (a >> 10) & 1;
	s->g = (a >> 11) & 1;
	s->unusable = !s->present;
}

static void svm_to_seg(const struct vmcb_seg *v, struct kvm_segment *s)
{
	s->selector = v->selector;
	s->base = v->base;
	s->limit = v->limit;
	svm_attr_seg(v->attrib, s);
}

static void svm_from_seg(struct vmcb_seg *v, const struct kvm_segment *s)
{
	v->selector = s->selector;
	v->base = s->base;
	v->limit = s->limit;
	v->attrib = svm_seg_attr(s);
}

/* The VMCB's segments in the order of kvm_sregs: cs ds es fs gs ss tr ldt. */
static const size_t svm_seg_offset[] = {
	offsetof(struct vmcb_save_area, cs), offsetof(struct vmcb_save_area, ds),
	offsetof(struct vmcb_save_area, es), offsetof(struct vmcb_save_area, fs),
	offsetof(struct vmcb_save_area, gs), offsetof(struct vmcb_save_area, ss),
	offsetof(struct vmcb_save_area, tr), offsetof(struct vmcb_save_area, ldtr),
};

static struct vmcb_seg *svm_seg(struct vmcb_save_area *save, int i)
{
	return (struct vmcb_seg *)((char *)save + svm_seg_offset[i]);
}

static void svm_get_sregs(struct mkvm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *save = &svm->vmcb->save;
	int i;

	for (i = 0; i < ARRAY_SIZE(svm_seg_offset); i++)
		svm_to_seg(svm_seg(save, i), &sregs->cs + i);
	sregs->gdt.base = save->gdtr.base;
	sregs->gdt.limit = save->gdtr.limit;
	sregs->idt.base = save->idtr.base;
	sregs->idt.limit = save->idtr.limit;
	sregs->cr0 = save->cr0;
	sregs->cr2 = save->cr2;
	sregs->cr3 = save->cr3;
	sregs->cr4 = svm->cr4;
	sregs->efer = mkvm_svm_get_efer(svm);
}

static void svm_set_sregs(struct mkvm_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *save = &svm->vmcb->save;
	int i;

	for (i = 0; i < ARRAY_SIZE(svm_seg_offset); i++)
		svm_from_seg(svm_seg(save, i), &sregs->cs + i);
	save->gdtr.base = sregs->gdt.base;
	save->gdtr.limit = sregs->gdt.limit;
	save->idtr.base = sregs->idt.base;
	save->idtr.limit = sregs->idt.limit;
	/* The CPL is the SS descriptor's DPL (15.5.1); 0 in real mode. */
	save->cpl = (sregs->cr0 & X86_CR0_PE) ? sregs->ss.dpl & 3 : 0;
	/*
	 * With nested paging the guest's CR0 is its own, CD and NW included:
	 * its memory types combine with the host's (15.25.8).
	 */
	save->cr0 = sregs->cr0;
	save->cr2 = sregs->cr2;
	save->cr3 = sregs->cr3;
	mkvm_svm_load_cr4(svm, sregs->cr4);
	mkvm_svm_set_efer(svm, sregs->efer);
}

/*
 * A debugger's single steps come back as #DB, which is always intercepted
 * (svm_init_vmcb()), its INT3s as #BP (15.12).
 * QEMU checks a guest INT3 against the INTn intercept rather than the #BP
 * exception intercept, so INTn is intercepted too; svm/exit.c tells INT3
 * from other INTn instructions.
 */
static unsigned long svm_get_cr4(struct mkvm_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.cr4;
}

static void svm_update_debug(struct mkvm_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	bool sw_bp = vcpu->guest_debug & KVM_GUESTDBG_USE_SW_BP;

	vcpu->step_with_tf = true;

	svm_set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_BP, sw_bp);
	svm_set_intercept(vmcb, INTERCEPT_INTn, sw_bp);
}

/* The VMCB holds every MSR minikvm virtualizes but the core's two. */
static u64 *svm_msr_field(struct vmcb *vmcb, u32 index)
{
	struct vmcb_save_area *save = &vmcb->save;

	switch (index) {
	case MSR_STAR:			return &save->star;
	case MSR_LSTAR:			return &save->lstar;
	case MSR_CSTAR:			return &save->cstar;
	case MSR_SYSCALL_MASK:		return &save->sfmask;
	case MSR_KERNEL_GS_BASE:	return &save->kernel_gs_base;
	case MSR_FS_BASE:		return &save->fs.base;
	case MSR_GS_BASE:		return &save->gs.base;
	case MSR_IA32_SYSENTER_CS:	return &save->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP:	return &save->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:	return &save->sysenter_eip;
	case MSR_IA32_CR_PAT:		return &save->g_pat;
	default:			return NULL;
	}
}

static int svm_get_msr(struct mkvm_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u64 *field = svm_msr_field(vmcb, index);

	if (field)
		*data = *field;
	else if (index == MSR_EFER)
		*data = mkvm_svm_get_efer(to_svm(vcpu));
	else if (index == MSR_IA32_TSC)
		*data = rdtsc() + vmcb->control.tsc_offset;	/* 15.30.5 */
	else
		return 1;
	return 0;
}

static int svm_set_msr(struct mkvm_vcpu *vcpu, u32 index, u64 data)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u64 *field = svm_msr_field(vmcb, index);

	if (field)
		*field = data;
	else if (index == MSR_EFER)
		mkvm_svm_set_efer(to_svm(vcpu), data);
	else if (index == MSR_IA32_TSC)
		vmcb->control.tsc_offset = data - rdtsc();
	else
		return 1;
	return 0;
}

static void svm_set_cr2(struct mkvm_vcpu *vcpu, u64 cr2)
{
	to_svm(vcpu)->vmcb->save.cr2 = cr2;
}

/* VMRUN loads DR6 and DR7 from the save area, #VMEXIT stores them (15.5). */
static u64 svm_get_dr6(struct mkvm_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.dr6;
}

static void svm_set_dr6(struct mkvm_vcpu *vcpu, u64 dr6)
{
	to_svm(vcpu)->vmcb->save.dr6 = dr6;
}

static void svm_set_dr7(struct mkvm_vcpu *vcpu, u64 dr7)
{
	to_svm(vcpu)->vmcb->save.dr7 = dr7;
}

const struct mkvm_ops mkvm_svm_ops = {
	.name			= "svm",
	.vcpu_size		= sizeof(struct svm_vcpu),
	.exit_names		= mkvm_svm_exit_names,
	.hardware_setup		= svm_hardware_setup,
	.hardware_unsetup	= svm_hardware_unsetup,
	.hardware_enable	= svm_hardware_enable,
	.hardware_disable	= svm_hardware_disable,
	.vm_init		= svm_vm_init,
	.vm_destroy		= svm_vm_destroy,
	.vcpu_create		= svm_vcpu_create,
	.vcpu_free		= svm_vcpu_free,
	.vcpu_load		= svm_vcpu_load,
	.run			= svm_run,
	.handle_exit		= mkvm_svm_handle_exit,
	.get_exit_info		= mkvm_svm_get_exit_info,
	.get_sregs		= svm_get_sregs,
	.set_sregs		= svm_set_sregs,
	.get_msr		= svm_get_msr,
	.set_msr		= svm_set_msr,
	.get_cr4		= svm_get_cr4,
	.update_debug		= svm_update_debug,
	.inject_event		= mkvm_svm_inject_event,
	.set_windows		= mkvm_svm_set_windows,
	.nmi_blocked		= mkvm_svm_nmi_blocked,
	.get_nmi_mask		= mkvm_svm_get_nmi_mask,
	.set_nmi_mask		= mkvm_svm_set_nmi_mask,
	.set_interrupt_shadow	= mkvm_svm_set_interrupt_shadow,
	.set_cr2		= svm_set_cr2,
	.get_dr6		= svm_get_dr6,
	.set_dr6		= svm_set_dr6,
	.set_dr7		= svm_set_dr7,
	.skip_instruction	= mkvm_svm_skip,
	.tdp_table_pte		= svm_tdp_table_pte,
	.tdp_leaf_pte		= svm_tdp_leaf_pte,
};
