// SPDX-License-Identifier: GPL-2.0
/*
 * The VMX backend: VMX operation per CPU, the VMCS of each vCPU, and the
 * entry/exit around mkvm_vmx_enter().
 *
 * References are to the Intel SDM, Vol. 3C, unless said otherwise.
 */
#define pr_fmt(fmt) "minikvm: vmx: " fmt

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/mtrr.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>
#include <asm/tsc.h>

#include "vmx.h"
#include "vmx_ops.h"

struct vmx_config mkvm_vmx_cfg;

/* The MSRs SYSCALL uses, in vmx->syscall_msrs order, and the host's values. */
static const u32 vmx_syscall_msr_index[4] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
};

static u64 vmx_host_syscall_msrs[4];

/*
 * MSRs the guest reads and writes without exiting (24.6.9): their guest
 * values live in the VMCS (FS/GS base, SYSENTER) or are saved right after
 * each exit (KERNEL_GS_BASE, vmx_run()).  One bitmap serves every vCPU.
 */
static const u32 vmx_passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

static unsigned long *vmx_msr_bitmap;

static void vmx_msr_bitmap_allow(u32 msr)
{
	/* Read bits: low MSRs at byte 0, high at 1024; writes 2048 bytes on. */
	u32 base = msr >= 0xc0000000 ? 1024 * 8 : 0;
	u32 bit = msr & 0x1fff;

	__clear_bit(base + bit, vmx_msr_bitmap);
	__clear_bit(2048 * 8 + base + bit, vmx_msr_bitmap);
}

static DEFINE_PER_CPU(void *, vmxon_region);
static DEFINE_PER_CPU(bool, vmx_on);
static DEFINE_PER_CPU(void *, current_vmcs);
/* VMCSs active on each CPU, to VMCLEAR them before VMXOFF (24.11.1). */
static DEFINE_PER_CPU(struct list_head, loaded_vmcss);

/* VPID 0 is the host's (28.1); minikvm hands out 1..MKVM_NR_VPIDS-1. */
#define MKVM_NR_VPIDS 4096
static DECLARE_BITMAP(vmx_vpid_bitmap, MKVM_NR_VPIDS);
static DEFINE_SPINLOCK(vmx_vpid_lock);

void mkvm_vmx_vmread_error(unsigned long field)
{
	WARN_ONCE(1, "minikvm: vmread of field %#lx failed, VM-instruction error %u\n",
		  field, (u32)__vmcs_readl(VM_INSTRUCTION_ERROR));
}

void mkvm_vmx_vmwrite_error(unsigned long field, unsigned long value)
{
	WARN_ONCE(1, "minikvm: vmwrite %#lx to field %#lx failed, VM-instruction error %u\n",
		  value, field, (u32)__vmcs_readl(VM_INSTRUCTION_ERROR));
}

/*
 * A control field's value from what minikvm wants and what the capability
 * MSR allows (Appendix A.3-A.5): bits 31:0 are the allowed 0-settings
 * (a 1 there forces the control on), bits 63:32 the allowed 1-settings.
 */
static int vmx_adjust_controls(u32 want, u32 msr, u32 *result, const char *name)
{
	u32 lo, hi, val;

	rdmsr(msr, lo, hi);
	val = (want | lo) & hi;
	if ((val & want) != want) {
		pr_err("%s controls %#x missing from this CPU (allowed %#x)\n",
		       name, want & ~val, hi);
		return -EIO;
	}
	*result = val;
	return 0;
}

/*
 * A safety net under external-interrupt exiting: the VMX-preemption timer
 * (25.5.1) forces an exit after about 10 ms of guest time whatever the
 * guest does, so the host always gets its CPU back.  Real CPUs exit on
 * every external interrupt; Bochs 2.7 does not recognize them while the
 * guest and the host both run with RFLAGS.IF clear, which a real-mode
 * guest spinning in a loop does.  Absent timer: no net.
 */
static void vmx_setup_preemption_timer(bool true_ctls)
{
	u64 pin, misc;

	rdmsrl(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS,
	       pin);
	/* Allowed 1-settings in bits 63:32 (A.3.1). */
	if (!((pin >> 32) & PIN_BASED_VMX_PREEMPTION_TIMER) || !tsc_khz)
		return;
	rdmsrl(MSR_IA32_VMX_MISC, misc);
	/* The timer counts down once per 2^rate TSC cycles (A.6). */
	mkvm_vmx_cfg.preemption_timer = min_t(u64, ((u64)tsc_khz * 10) >>
					 (misc & MSR_IA32_VMX_MISC_PREEMPTION_TIMER_SCALE),
					 U32_MAX);
	if (mkvm_vmx_cfg.preemption_timer)
		mkvm_vmx_cfg.pin |= PIN_BASED_VMX_PREEMPTION_TIMER;
}

static int vmx_setup_config(void)
{
	bool true_ctls;
	u64 basic, ept_vpid;
	u32 proc_want;
	int r;

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	mkvm_vmx_cfg.revision_id = basic & 0x7fffffff;
	/* A.1: bit 55 says the TRUE_* control MSRs exist. */
	true_ctls = basic & BIT_ULL(55);
	if (((basic >> 32) & 0x1fff) > PAGE_SIZE) {
		pr_err("VMCS larger than a page\n");
		return -EIO;
	}

	r = vmx_adjust_controls(PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING,
				true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
					    MSR_IA32_VMX_PINBASED_CTLS,
				&mkvm_vmx_cfg.pin, "pin-based");
	if (r)
		return r;
	vmx_setup_preemption_timer(true_ctls);

	/*
	 * HLT and every I/O instruction exit; MOV DR exits so that the guest
	 * never reaches the host's debug registers; MSR accesses exit but for
	 * those in the MSR bitmap.  CR3 accesses must not exit (EPT).  MOV
	 * to and from CR8 exit: with neither these nor the TPR shadow, MOV
	 * to CR8 would write the host's own TPR (25.3, 29.3) and could mask
	 * every interrupt on this CPU; the guest's TPR is vcpu->cr8.
	 */
	proc_want = CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING |
		    CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
		    CPU_BASED_USE_TSC_OFFSETTING | CPU_BASED_USE_MSR_BITMAPS |
		    CPU_BASED_MOV_DR_EXITING | CPU_BASED_MWAIT_EXITING |
		    CPU_BASED_MONITOR_EXITING | CPU_BASED_RDPMC_EXITING |
		    CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
	r = vmx_adjust_controls(proc_want,
				true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
					    MSR_IA32_VMX_PROCBASED_CTLS,
				&mkvm_vmx_cfg.proc, "processor-based");
	if (r)
		return r;
	rdmsrl(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS,
	       ept_vpid);
	mkvm_vmx_cfg.has_mtf = (ept_vpid >> 32) & CPU_BASED_MONITOR_TRAP_FLAG;
	if (mkvm_vmx_cfg.proc & (CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING |
			    CPU_BASED_INVLPG_EXITING))
		pr_info("CPU forces some CR3/INVLPG/MSR exits; they are handled as they come\n");

	/*
	 * RDTSCP (and RDPID) where the CPU allows it: without the control
	 * they are #UD in the guest (25.3) although its CPUID lists them.
	 * They read IA32_TSC_AUX, which the core switches (x86/msr.c).
	 */
	rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS2, ept_vpid);
	proc_want = SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID |
		    SECONDARY_EXEC_UNRESTRICTED_GUEST;
	if ((ept_vpid >> 32) & SECONDARY_EXEC_ENABLE_RDTSCP)
		proc_want |= SECONDARY_EXEC_ENABLE_RDTSCP;
	r = vmx_adjust_controls(proc_want, MSR_IA32_VMX_PROCBASED_CTLS2, &mkvm_vmx_cfg.proc2,
				"secondary");
	if (r)
		return r;

	/*
	 * The debug controls: DR7 and IA32_DEBUGCTL come from the VMCS on
	 * entry and go back to it on exit (24.7.1, 24.8.1), so the guest
	 * never runs with the host's DR7.
	 */
	r = vmx_adjust_controls(VM_EXIT_SAVE_DEBUG_CONTROLS | VM_EXIT_HOST_ADDR_SPACE_SIZE |
				VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT |
				VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER,
				true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
					    MSR_IA32_VMX_EXIT_CTLS,
				&mkvm_vmx_cfg.exit, "VM-exit");
	if (r)
		return r;

	r = vmx_adjust_controls(VM_ENTRY_LOAD_DEBUG_CONTROLS |
				VM_ENTRY_LOAD_IA32_PAT | VM_ENTRY_LOAD_IA32_EFER,
				true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
					    MSR_IA32_VMX_ENTRY_CTLS,
				&mkvm_vmx_cfg.entry, "VM-entry");
	if (r)
		return r;
	/* IA-32e mode guest is set per vCPU from EFER.LMA. */
	mkvm_vmx_cfg.entry &= ~VM_ENTRY_IA32E_MODE;

	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, ept_vpid);
	if (!(ept_vpid & VMX_EPT_PAGE_WALK_4_BIT) || !(ept_vpid & VMX_EPTP_WB_BIT) ||
	    !(ept_vpid & VMX_EPT_INVEPT_BIT) ||
	    !((ept_vpid >> 32) & VMX_VPID_INVVPID_BIT)) {
		pr_err("EPT lacks 4-level walks, write-back, INVEPT or INVVPID (caps %#llx)\n",
		       ept_vpid);
		return -EIO;
	}
	mkvm_vmx_cfg.invept_single = ept_vpid & VMX_EPT_EXTENT_CONTEXT_BIT;
	mkvm_vmx_cfg.invvpid_single = (ept_vpid >> 32) & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT;

	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, mkvm_vmx_cfg.cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, mkvm_vmx_cfg.cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, mkvm_vmx_cfg.cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, mkvm_vmx_cfg.cr4_fixed1);
	/* Unrestricted guest lifts the PE and PG requirements (26.3.1.1). */
	mkvm_vmx_cfg.cr0_mask = mkvm_vmx_cfg.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);
	/* The host owns every CR4 bit but VMX_CR4_GUEST_OWNED (vmx.h). */
	mkvm_vmx_cfg.cr4_mask = ~(unsigned long)VMX_CR4_GUEST_OWNED | mkvm_vmx_cfg.cr4_fixed0 |
			   ~mkvm_vmx_cfg.cr4_fixed1;
	return 0;
}

/**
 * mkvm_vmx_probe() - can minikvm use VMX on this machine?
 *
 * Return: 0 when the CPU has VMX, firmware left it enabled outside SMX
 * (IA32_FEATURE_CONTROL, 23.7) and the controls minikvm needs exist.
 */
int mkvm_vmx_probe(void)
{
	u64 feat;

	if (!boot_cpu_has(X86_FEATURE_VMX))
		return -ENODEV;
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat) ||
	    !(feat & FEAT_CTL_LOCKED) || !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("VMX disabled by firmware (IA32_FEATURE_CONTROL)\n");
		return -ENODEV;
	}
	return vmx_setup_config() ? -ENODEV : 0;
}

static int vmx_hardware_setup(void)
{
	int cpu, i;

	for_each_possible_cpu(cpu) {
		u32 *page = (u32 *)get_zeroed_page(GFP_KERNEL);

		if (!page)
			goto err;
		page[0] = mkvm_vmx_cfg.revision_id;	/* 25.11.5 */
		per_cpu(vmxon_region, cpu) = page;
		INIT_LIST_HEAD(&per_cpu(loaded_vmcss, cpu));
	}
	set_bit(0, vmx_vpid_bitmap);
	vmx_msr_bitmap = (unsigned long *)__get_free_page(GFP_KERNEL);
	if (!vmx_msr_bitmap)
		goto err;
	memset(vmx_msr_bitmap, 0xff, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(vmx_passthrough_msrs); i++)
		vmx_msr_bitmap_allow(vmx_passthrough_msrs[i]);
	/* Linux gives every CPU the same SYSCALL MSRs (syscall_init()). */
	for (i = 0; i < ARRAY_SIZE(vmx_host_syscall_msrs); i++)
		rdmsrl(vmx_syscall_msr_index[i], vmx_host_syscall_msrs[i]);
	return 0;
err:
	for_each_possible_cpu(cpu) {
		free_page((unsigned long)per_cpu(vmxon_region, cpu));
		per_cpu(vmxon_region, cpu) = NULL;
	}
	return -ENOMEM;
}

static void vmx_hardware_unsetup(void)
{
	int cpu;

	free_page((unsigned long)vmx_msr_bitmap);
	for_each_possible_cpu(cpu) {
		free_page((unsigned long)per_cpu(vmxon_region, cpu));
		per_cpu(vmxon_region, cpu) = NULL;
	}
}

static bool vmx_fixed_ok(u64 val, u64 fixed0, u64 fixed1)
{
	/* 24.8: bits set in FIXED0 must be 1, bits clear in FIXED1 must be 0. */
	return (val & fixed0) == fixed0 && (val & ~fixed1) == 0;
}

/* Enter VMX operation on this CPU (24.7); interrupts are off. */
static int vmx_hardware_enable(void)
{
	int cpu = smp_processor_id();

	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_warn("CPU %d: CR4.VMXE already set, another hypervisor is active\n",
			cpu);
		return -EBUSY;
	}
	cr4_set_bits_irqsoff(X86_CR4_VMXE);
	if (!vmx_fixed_ok(read_cr0(), mkvm_vmx_cfg.cr0_fixed0, mkvm_vmx_cfg.cr0_fixed1) ||
	    !vmx_fixed_ok(__read_cr4(), mkvm_vmx_cfg.cr4_fixed0, mkvm_vmx_cfg.cr4_fixed1)) {
		pr_err("CPU %d: CR0/CR4 violate the VMX fixed bits\n", cpu);
		goto err;
	}
	if (vmxon(virt_to_phys(per_cpu(vmxon_region, cpu)))) {
		pr_err("CPU %d: VMXON failed\n", cpu);
		goto err;
	}
	this_cpu_write(vmx_on, true);
	/* Drop EPT translations a previous VMX user may have left. */
	vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	return 0;
err:
	cr4_clear_bits_irqsoff(X86_CR4_VMXE);
	return -EIO;
}

/* VMCLEAR one VMCS active on this CPU; interrupts are off. */
static void vmx_clear_here(struct vmx_vcpu *vmx)
{
	vmclear(virt_to_phys(vmx->vmcs));
	list_del(&vmx->loaded_link);
	if (this_cpu_read(current_vmcs) == vmx->vmcs)
		this_cpu_write(current_vmcs, NULL);
	vmx->launched = false;
	WRITE_ONCE(vmx->vcpu.cpu, -1);
}

/* Leave VMX operation on this CPU, clearing every VMCS active here. */
static void vmx_hardware_disable(void)
{
	struct vmx_vcpu *vmx, *tmp;

	list_for_each_entry_safe(vmx, tmp, this_cpu_ptr(&loaded_vmcss), loaded_link)
		vmx_clear_here(vmx);
	this_cpu_write(vmx_on, false);
	vmxoff();
	cr4_clear_bits_irqsoff(X86_CR4_VMXE);
}

/* IPI target: VMCLEAR @info's VMCS if it is still active on this CPU. */
static void vmx_clear_remote(void *info)
{
	struct vmx_vcpu *vmx = info;

	/* Offlining may have cleared it already, and left VMX. */
	if (this_cpu_read(vmx_on) && READ_ONCE(vmx->vcpu.cpu) == smp_processor_id())
		vmx_clear_here(vmx);
}

static void vmx_clear_anywhere(struct vmx_vcpu *vmx)
{
	int cpu = READ_ONCE(vmx->vcpu.cpu);

	/* -ENXIO for an offline CPU: its teardown cleared the VMCS. */
	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_clear_remote, vmx, 1);
}

static int vmx_vm_init(struct mkvm_vm *vm)
{
	return 0;
}

static void vmx_vm_destroy(struct mkvm_vm *vm)
{
}

static u64 vmx_eptp(struct mkvm_vm *vm)
{
	/* 24.6.11: write-back, 4-level walk, no accessed/dirty flags. */
	return mkvm_tdp_root_pa(&vm->tdp) | VMX_EPTP_MT_WB | VMX_EPTP_PWL_4;
}

static u64 vmx_tdp_table_pte(phys_addr_t table)
{
	/* 29.3.2: a non-leaf entry needs R/W/X to allow the walk below it. */
	return table | VMX_EPT_READABLE_MASK | VMX_EPT_WRITABLE_MASK |
	       VMX_EPT_EXECUTABLE_MASK;
}

static u64 vmx_tdp_leaf_pte(phys_addr_t page, bool writable)
{
	/* Guest RAM: write-back, ignoring the guest's PAT like KVM does. */
	return page | VMX_EPT_READABLE_MASK | (writable ? VMX_EPT_WRITABLE_MASK : 0) |
	       VMX_EPT_EXECUTABLE_MASK | VMX_EPT_IPAT_BIT |
	       (MTRR_TYPE_WRBACK << VMX_EPT_MT_EPTE_SHIFT);
}

static int vmx_vcpu_create(struct mkvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 *vmcs;
	int vpid;

	vmcs = (u32 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmcs)
		return -ENOMEM;
	vmcs[0] = mkvm_vmx_cfg.revision_id;	/* 25.2 */
	vmx->vmcs = vmcs;

	spin_lock(&vmx_vpid_lock);
	vpid = find_first_zero_bit(vmx_vpid_bitmap, MKVM_NR_VPIDS);
	if (vpid < MKVM_NR_VPIDS)
		__set_bit(vpid, vmx_vpid_bitmap);
	spin_unlock(&vmx_vpid_lock);
	if (vpid >= MKVM_NR_VPIDS) {
		free_page((unsigned long)vmcs);
		return -ENOSPC;
	}
	vmx->vpid = vpid;
	vmx->dr6 = DR6_RESERVED;
	INIT_LIST_HEAD(&vmx->loaded_link);
	return 0;
}

static void vmx_vcpu_free(struct mkvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_clear_anywhere(vmx);
	spin_lock(&vmx_vpid_lock);
	__clear_bit(vmx->vpid, vmx_vpid_bitmap);
	spin_unlock(&vmx_vpid_lock);
	free_page((unsigned long)vmx->vmcs);
}

/* Host state that differs between CPUs (26.2.3, 28.5). */
static void vmx_set_host_cpu_state(void)
{
	struct desc_ptr gdt, idt;
	u64 val;
	u16 tr;

	native_store_gdt(&gdt);
	store_idt(&idt);
	vmcs_writel(HOST_GDTR_BASE, gdt.address);
	vmcs_writel(HOST_IDTR_BASE, idt.address);
	/* The TSS descriptor gives TR's base; 64-bit descriptors are 16 bytes. */
	asm volatile("str %0" : "=r" (tr));
	vmcs_writel(HOST_TR_BASE, get_desc_base((struct desc_struct *)(gdt.address + (tr & ~7))) |
		    ((u64)((struct ldttss_desc *)(gdt.address + (tr & ~7)))->base3 << 32));
	rdmsrl(MSR_GS_BASE, val);
	vmcs_writel(HOST_GS_BASE, val);
	rdmsrl(MSR_IA32_SYSENTER_ESP, val);
	vmcs_writel(HOST_IA32_SYSENTER_ESP, val);
}

/* The VMCS fields that never change for a vCPU (24.4-24.8, 26.2.2). */
static void vmx_setup_vmcs(struct vmx_vcpu *vmx)
{
	u64 val;

	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, mkvm_vmx_cfg.pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, mkvm_vmx_cfg.proc);
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, mkvm_vmx_cfg.proc2);
	vmcs_write32(VM_EXIT_CONTROLS, mkvm_vmx_cfg.exit);
	vmcs_write32(VM_ENTRY_CONTROLS, mkvm_vmx_cfg.entry);
	vmcs_write32(EXCEPTION_BITMAP, VMX_EXCEPTIONS_ALWAYS);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write16(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	vmcs_write64(VMCS_LINK_POINTER, -1ull);
	vmcs_write64(MSR_BITMAP, virt_to_phys(vmx_msr_bitmap));
	vmcs_write64(EPT_POINTER, vmx_eptp(vmx->vcpu.vm));

	/*
	 * The guest owns CR0 but for the bits VMX forces (CR0.NE), and the
	 * CR4 bits of VMX_CR4_GUEST_OWNED.  The others are masked: the guest
	 * reads its own values from the shadows, and a write changing them
	 * exits (25.3) to be checked by handle_cr().
	 */
	vmcs_writel(CR0_GUEST_HOST_MASK, mkvm_vmx_cfg.cr0_mask);
	vmcs_writel(CR4_GUEST_HOST_MASK, mkvm_vmx_cfg.cr4_mask);

	/* Host state that is the same on every CPU (26.2.2-26.2.4). */
	vmcs_writel(HOST_CR0, read_cr0());
	vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_writel(HOST_RIP, (unsigned long)mkvm_vmx_exit);
	rdmsrl(MSR_IA32_SYSENTER_CS, val);
	vmcs_write32(HOST_IA32_SYSENTER_CS, val);
	rdmsrl(MSR_IA32_SYSENTER_EIP, val);
	vmcs_writel(HOST_IA32_SYSENTER_EIP, val);
	rdmsrl(MSR_EFER, val);
	vmcs_write64(HOST_IA32_EFER, val);
	rdmsrl(MSR_IA32_CR_PAT, val);
	vmcs_write64(HOST_IA32_PAT, val);
	vmx->host_cr3 = 0;
	vmx->host_cr4 = 0;
	vmx->host_fs_base = 0;
	vmcs_writel(HOST_CR3, 0);
	vmcs_writel(HOST_CR4, 0);
	vmcs_writel(HOST_FS_BASE, 0);

	/* Guest state that SET_SREGS does not carry. */
	vmcs_write64(GUEST_IA32_PAT, 0x0007040600070406ull);	/* power-up PAT */
	vmcs_write64(TSC_OFFSET, 0);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_writel(GUEST_DR7, 0x400);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, 0);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmx->initialized = true;
}

/*
 * Make this vCPU's VMCS current here.  A VMCS may be active on one CPU
 * only, so moving to another CPU VMCLEARs it on the old one first (24.1,
 * 24.11.1) and then flushes this vCPU's EPT and VPID translations, which
 * the new CPU may hold from an earlier user of the same tags.
 */
static void vmx_vcpu_load(struct mkvm_vcpu *vcpu, int cpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (vcpu->cpu != cpu) {
		vmx_clear_anywhere(vmx);
		local_irq_disable();
		list_add(&vmx->loaded_link, this_cpu_ptr(&loaded_vmcss));
		vcpu->cpu = cpu;
		local_irq_enable();
		if (vmptrld(virt_to_phys(vmx->vmcs)))
			WARN_ONCE(1, "minikvm: VMPTRLD failed\n");
		this_cpu_write(current_vmcs, vmx->vmcs);
		if (!vmx->initialized)
			vmx_setup_vmcs(vmx);
		vmx_set_host_cpu_state();
		vmx->need_flush = true;
		vcpu->stats.migrations++;
	} else if (this_cpu_read(current_vmcs) != vmx->vmcs) {
		if (vmptrld(virt_to_phys(vmx->vmcs)))
			WARN_ONCE(1, "minikvm: VMPTRLD failed\n");
		this_cpu_write(current_vmcs, vmx->vmcs);
	}
}

static void vmx_flush(struct vmx_vcpu *vmx)
{
	vmcs_write64(EPT_POINTER, vmx_eptp(vmx->vcpu.vm));
	if (mkvm_vmx_cfg.invept_single)
		vmx_invept(VMX_EPT_EXTENT_CONTEXT, vmx_eptp(vmx->vcpu.vm));
	else
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	if (mkvm_vmx_cfg.invvpid_single)
		vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, vmx->vpid);
	else
		vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
}

/* Per-entry host state: it follows the task and the CPU (26.2.2). */
static void vmx_refresh_host_state(struct vmx_vcpu *vmx)
{
	unsigned long cr3 = __read_cr3(), cr4 = cr4_read_shadow(), fsbase;

	if (cr3 != vmx->host_cr3) {
		vmcs_writel(HOST_CR3, cr3);
		vmx->host_cr3 = cr3;
	}
	if (cr4 != vmx->host_cr4) {
		vmcs_writel(HOST_CR4, cr4);
		vmx->host_cr4 = cr4;
	}
	rdmsrl(MSR_FS_BASE, fsbase);
	if (fsbase != vmx->host_fs_base) {
		vmcs_writel(HOST_FS_BASE, fsbase);
		vmx->host_fs_base = fsbase;
	}
}

/*
 * An event whose delivery the exit interrupted (a guest exception hitting
 * an EPT violation on its IDT, say) is described in the IDT-vectoring
 * information (28.2.4) and must be injected again on the next entry
 * (28.2.4, 26.6); the exit itself cleared the entry field (27.2).
 */
static void vmx_requeue_event(struct vmx_vcpu *vmx)
{
	u32 idt = vmcs_read32(IDT_VECTORING_INFO_FIELD);

	if (!(idt & VECTORING_INFO_VALID_MASK))
		return;
	if (idt & VECTORING_INFO_DELIVER_CODE_MASK)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(IDT_VECTORING_ERROR_CODE));
	vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, idt & ~INTR_INFO_UNBLOCK_NMI);
}

static void vmx_load_syscall_msrs(const u64 *val)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(vmx_syscall_msr_index); i++)
		wrmsrl(vmx_syscall_msr_index[i], val[i]);
}

static void vmx_run(struct mkvm_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct desc_ptr gdt, idt;
	u16 ds, es, fs, gs, ldt;
	u64 host_kgs, host_debugctl;
	u32 intr_info;
	int fail;

	if (mkvm_mmu_needs_flush(vcpu) || vmx->need_flush) {
		vmx_flush(vmx);
		vmx->need_flush = false;
	}
	vmx_refresh_host_state(vmx);
	if (mkvm_vmx_cfg.preemption_timer)
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, mkvm_vmx_cfg.preemption_timer);
	vmcs_writel(GUEST_RIP, vcpu->rip);
	vmcs_writel(GUEST_RSP, vcpu->regs[MKVM_RSP]);
	vmcs_writel(GUEST_RFLAGS, vcpu->rflags);

	/*
	 * A VM exit loads null DS/ES/FS/GS selectors, an unusable LDTR,
	 * GDTR and IDTR limits of 0xffff, a TR limit of 0x67 (28.5.2),
	 * clears IA32_DEBUGCTL (28.5.1) and leaves IA32_KERNEL_GS_BASE with
	 * the guest's value: save what must be put back.
	 */
	savesegment(ds, ds);
	savesegment(es, es);
	savesegment(fs, fs);
	savesegment(gs, gs);
	asm volatile("sldt %0" : "=r" (ldt));
	native_store_gdt(&gdt);
	store_idt(&idt);
	host_debugctl = get_debugctlmsr();
	rdmsrl(MSR_KERNEL_GS_BASE, host_kgs);
	wrmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);
	if (vmx->dr6 != DR6_RESERVED)
		set_debugreg(vmx->dr6, 6);

	if (vmx->switch_syscall_msrs)
		vmx_load_syscall_msrs(vmx->syscall_msrs);

	fail = mkvm_vmx_enter(vcpu->regs, vmx->launched);

	if (vmx->switch_syscall_msrs)
		vmx_load_syscall_msrs(vmx_host_syscall_msrs);
	vmx->cr2 = native_read_cr2();
	get_debugreg(vmx->dr6, 6);
	if (vmx->dr6 != DR6_RESERVED)
		set_debugreg(DR6_RESERVED, 6);
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	/*
	 * KVM's order (vmx_prepare_switch_to_host()): the GDT, then the
	 * LDT, which a task that called modify_ldt() has and whose
	 * selectors its FS or GS may hold, then the selectors, and only
	 * then IA32_KERNEL_GS_BASE: load_gs_index() loads the user's GS
	 * base from the descriptor, through SWAPGS, into that very MSR.
	 */
	native_load_gdt(&gdt);
	native_load_idt(&idt);
	invalidate_tss_limit();
	if (ldt)
		asm volatile("lldt %0" : : "r" (ldt));
	if (host_debugctl)
		update_debugctlmsr(host_debugctl);
	if (ds | es) {
		loadsegment(ds, ds);
		loadsegment(es, es);
	}
	if (fs | gs) {
		/* Reloading the selectors clobbers the bases: restore them. */
		loadsegment(fs, fs);
		wrmsrl(MSR_FS_BASE, vmx->host_fs_base);
		if (gs)
			load_gs_index(gs);
	}
	wrmsrl(MSR_KERNEL_GS_BASE, host_kgs);

	vmx->fail = fail;
	if (fail) {
		vmx->instr_error = vmcs_read32(VM_INSTRUCTION_ERROR);
		return;
	}
	vmx->exit_reason = vmcs_read32(VM_EXIT_REASON);
	/* A machine check during the entry is the host's (x86/intercept.c). */
	if ((vmx->exit_reason & 0xffff) == EXIT_REASON_MCE_DURING_VMENTRY)
		mkvm_machine_check();
	/*
	 * A VM entry that fails while checking or loading guest state
	 * (26.7, exit reason bit 31) leaves the launch state as it was:
	 * the next entry must still be a VMLAUNCH.
	 */
	if (vmx->exit_reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
		return;
	vmx->launched = true;
	vmx_requeue_event(vmx);
	vcpu->rip = vmcs_readl(GUEST_RIP);
	vcpu->regs[MKVM_RSP] = vmcs_readl(GUEST_RSP);
	vcpu->rflags = vmcs_readl(GUEST_RFLAGS);

	/*
	 * An NMI that hit the guest belongs to the host (25.2, 27.1), and so
	 * does a machine check (VMX_EXCEPTIONS_ALWAYS).
	 */
	if ((vmx->exit_reason & 0xffff) == EXIT_REASON_EXCEPTION_NMI) {
		intr_info = vmcs_read32(VM_EXIT_INTR_INFO);
		if ((intr_info & (INTR_INFO_VALID_MASK | INTR_INFO_INTR_TYPE_MASK)) ==
		    (INTR_INFO_VALID_MASK | INTR_TYPE_NMI_INTR))
			asm volatile("int $2");
		else if ((intr_info & (INTR_INFO_VALID_MASK | INTR_INFO_VECTOR_MASK)) ==
			 (INTR_INFO_VALID_MASK | X86_TRAP_MC))
			mkvm_machine_check();
	}
}

/* Convert between kvm_segment and the VMCS access rights (24.4.1). */
static u32 vmx_seg_ar(const struct kvm_segment *s)
{
	if (s->unusable || !s->present)
		return BIT(16);		/* segment unusable */
	return (s->type & 15) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
	       (s->present & 1) << 7 | (s->avl & 1) << 12 | (s->l & 1) << 13 |
	       (s->db & 1) << 14 | (s->g & 1) << 15;
}

static void vmx_ar_seg(u32 ar, struct kvm_segment *s)
{
	s->unusable = !!(ar & BIT(16));
	s->type = ar & 15;
	s->s = (ar >> 4) & 1;
	s->dpl = (ar >> 5) & 3;
	s->present = !s->unusable && ((ar >> 7) & 1);
	s->avl = (ar >> 12) & 1;
	s->l = (ar >> 13) & 1;
	s->db = (ar >> 14) & 1;
	s->g = (ar >> 15) & 1;
}

/* VMCS encodings of one segment register's four fields. */
struct vmx_seg_fields {
	u16 sel, base, limit, ar;
};

#define VMX_SEG(name) { GUEST_##name##_SELECTOR, GUEST_##name##_BASE, \
			GUEST_##name##_LIMIT, GUEST_##name##_AR_BYTES }
static const struct vmx_seg_fields vmx_segs[] = {
	VMX_SEG(CS), VMX_SEG(DS), VMX_SEG(ES), VMX_SEG(FS),
	VMX_SEG(GS), VMX_SEG(SS), VMX_SEG(TR), VMX_SEG(LDTR),
};

/* kvm_sregs holds cs, ds, es, fs, gs, ss, tr, ldt in this order. */
static struct kvm_segment *vmx_sreg(struct kvm_sregs *sregs, int i)
{
	return &sregs->cs + i;
}

static void vmx_get_sregs(struct mkvm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int i;

	for (i = 0; i < ARRAY_SIZE(vmx_segs); i++) {
		struct kvm_segment *s = vmx_sreg(sregs, i);

		s->selector = __vmcs_readl(vmx_segs[i].sel);
		s->base = __vmcs_readl(vmx_segs[i].base);
		s->limit = __vmcs_readl(vmx_segs[i].limit);
		vmx_ar_seg(__vmcs_readl(vmx_segs[i].ar), s);
	}
	sregs->gdt.base = vmcs_readl(GUEST_GDTR_BASE);
	sregs->gdt.limit = vmcs_read32(GUEST_GDTR_LIMIT);
	sregs->idt.base = vmcs_readl(GUEST_IDTR_BASE);
	sregs->idt.limit = vmcs_read32(GUEST_IDTR_LIMIT);
	sregs->cr0 = mkvm_vmx_guest_cr0(vmx);
	sregs->cr2 = vmx->cr2;
	sregs->cr3 = vmcs_readl(GUEST_CR3);
	sregs->cr4 = mkvm_vmx_guest_cr4(vmx);
	/* The exit saved EFER, LMA included (27.3.1). */
	sregs->efer = vmcs_read64(GUEST_IA32_EFER);
}

/**
 * mkvm_vmx_guest_cr0() - CR0 as the guest sees it
 * @vmx: the vCPU
 *
 * The guest changes the bits it owns without exiting: those come from
 * GUEST_CR0, the host-owned ones from the shadow.
 *
 * Return: the guest's CR0.
 */
unsigned long mkvm_vmx_guest_cr0(struct vmx_vcpu *vmx)
{
	unsigned long mask = mkvm_vmx_cfg.cr0_mask;

	return (vmcs_readl(GUEST_CR0) & ~mask) | (vmx->cr0 & mask);
}

/**
 * mkvm_vmx_guest_cr4() - CR4 as the guest sees it
 * @vmx: the vCPU
 *
 * As for CR0: the guest-owned bits (VMX_CR4_GUEST_OWNED) from GUEST_CR4,
 * the host-owned ones from the guest's last write (vmx->cr4).
 *
 * Return: the guest's CR4.
 */
unsigned long mkvm_vmx_guest_cr4(struct vmx_vcpu *vmx)
{
	unsigned long mask = mkvm_vmx_cfg.cr4_mask;

	return (vmcs_readl(GUEST_CR4) & ~mask) | (vmx->cr4 & mask);
}

/**
 * mkvm_vmx_set_cr0() - the guest's CR0 (as it sees it) into the VMCS
 * @vmx: the vCPU
 * @cr0: the value the guest reads back
 */
void mkvm_vmx_set_cr0(struct vmx_vcpu *vmx, unsigned long cr0)
{
	vmx->cr0 = cr0;
	vmcs_writel(CR0_READ_SHADOW, cr0);
	vmcs_writel(GUEST_CR0, (cr0 | mkvm_vmx_cfg.cr0_mask) & mkvm_vmx_cfg.cr0_fixed1);
}

/**
 * mkvm_vmx_set_cr4() - the guest's CR4 (as it sees it) into the VMCS
 * @vmx: the vCPU
 * @cr4: the value the guest reads back
 */
void mkvm_vmx_set_cr4(struct vmx_vcpu *vmx, unsigned long cr4)
{
	/*
	 * CR4.MCE is the host's while the guest runs: with it clear a
	 * machine check would shut the CPU down instead of raising the #MC
	 * the host handles (x86/intercept.c), so it follows the host's, as
	 * in KVM.  The guest reads its own value from the shadow.
	 */
	unsigned long hw = cr4 | (cr4_read_shadow() & X86_CR4_MCE);

	vmx->cr4 = cr4;
	vmcs_writel(CR4_READ_SHADOW, cr4);
	vmcs_writel(GUEST_CR4, (hw | mkvm_vmx_cfg.cr4_fixed0) & mkvm_vmx_cfg.cr4_fixed1);
}

/*
 * EFER into the VMCS; IA-32e mode guest follows EFER.LMA (24.8.1), and
 * the SYSCALL MSRs matter to the guest only while EFER.SCE is set.
 */
static void vmx_set_efer(struct vmx_vcpu *vmx, u64 efer)
{
	vmcs_write64(GUEST_IA32_EFER, efer);
	vmcs_write32(VM_ENTRY_CONTROLS, mkvm_vmx_cfg.entry |
		     (efer & EFER_LMA ? VM_ENTRY_IA32E_MODE : 0));
	vmx->switch_syscall_msrs = efer & EFER_SCE;
}

static int vmx_syscall_msr_slot(u32 index)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(vmx_syscall_msr_index); i++)
		if (vmx_syscall_msr_index[i] == index)
			return i;
	return -1;
}

static int vmx_get_msr(struct mkvm_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int slot = vmx_syscall_msr_slot(index);

	if (slot >= 0) {
		*data = vmx->syscall_msrs[slot];
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		*data = vmcs_read64(GUEST_IA32_EFER);
		break;
	case MSR_KERNEL_GS_BASE:
		*data = vmx->kernel_gs_base;
		break;
	case MSR_FS_BASE:
		*data = vmcs_readl(GUEST_FS_BASE);
		break;
	case MSR_GS_BASE:
		*data = vmcs_readl(GUEST_GS_BASE);
		break;
	case MSR_IA32_SYSENTER_CS:
		*data = vmcs_read32(GUEST_SYSENTER_CS);
		break;
	case MSR_IA32_SYSENTER_ESP:
		*data = vmcs_readl(GUEST_SYSENTER_ESP);
		break;
	case MSR_IA32_SYSENTER_EIP:
		*data = vmcs_readl(GUEST_SYSENTER_EIP);
		break;
	case MSR_IA32_TSC:
		/* 25.3: the guest reads the host TSC plus the offset. */
		*data = rdtsc() + vmcs_read64(TSC_OFFSET);
		break;
	case MSR_IA32_CR_PAT:
		*data = vmcs_read64(GUEST_IA32_PAT);
		break;
	default:
		return 1;
	}
	return 0;
}

static int vmx_set_msr(struct mkvm_vcpu *vcpu, u32 index, u64 data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int slot = vmx_syscall_msr_slot(index);

	if (slot >= 0) {
		vmx->syscall_msrs[slot] = data;
		return 0;
	}
	switch (index) {
	case MSR_EFER:
		vmx_set_efer(vmx, data);
		break;
	case MSR_KERNEL_GS_BASE:
		vmx->kernel_gs_base = data;
		break;
	case MSR_FS_BASE:
		vmcs_writel(GUEST_FS_BASE, data);
		break;
	case MSR_GS_BASE:
		vmcs_writel(GUEST_GS_BASE, data);
		break;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(GUEST_SYSENTER_CS, data);
		break;
	case MSR_IA32_SYSENTER_ESP:
		vmcs_writel(GUEST_SYSENTER_ESP, data);
		break;
	case MSR_IA32_SYSENTER_EIP:
		vmcs_writel(GUEST_SYSENTER_EIP, data);
		break;
	case MSR_IA32_TSC:
		vmcs_write64(TSC_OFFSET, data - rdtsc());
		break;
	case MSR_IA32_CR_PAT:
		vmcs_write64(GUEST_IA32_PAT, data);
		break;
	default:
		return 1;
	}
	return 0;
}

static void vmx_set_sregs(struct mkvm_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_sregs *s = (struct kvm_sregs *)sregs;
	int i;

	for (i = 0; i < ARRAY_SIZE(vmx_segs); i++) {
		const struct kvm_segment *seg = vmx_sreg(s, i);

		__vmcs_writel(vmx_segs[i].sel, seg->selector);
		__vmcs_writel(vmx_segs[i].base, seg->base);
		__vmcs_writel(vmx_segs[i].limit, seg->limit);
		__vmcs_writel(vmx_segs[i].ar, vmx_seg_ar(seg));
	}
	vmcs_writel(GUEST_GDTR_BASE, sregs->gdt.base);
	vmcs_write32(GUEST_GDTR_LIMIT, sregs->gdt.limit);
	vmcs_writel(GUEST_IDTR_BASE, sregs->idt.base);
	vmcs_write32(GUEST_IDTR_LIMIT, sregs->idt.limit);
	mkvm_vmx_set_cr0(vmx, sregs->cr0);
	mkvm_vmx_set_cr4(vmx, sregs->cr4);
	vmcs_writel(GUEST_CR3, sregs->cr3);
	/* 26.3.2.4: with EPT, PAE paging takes its PDPTEs from the VMCS. */
	vmcs_write64(GUEST_PDPTR0, vcpu->pdptrs[0]);
	vmcs_write64(GUEST_PDPTR1, vcpu->pdptrs[1]);
	vmcs_write64(GUEST_PDPTR2, vcpu->pdptrs[2]);
	vmcs_write64(GUEST_PDPTR3, vcpu->pdptrs[3]);
	vmx->cr2 = sregs->cr2;	/* switched by vmx_run(), not the VMCS */
	vmx_set_efer(vmx, sregs->efer);
}

/*
 * Single steps use the monitor trap flag (25.5.2): an exit after each
 * guest instruction, with nothing for the guest to see.  Without it, TF
 * and the #DB that is always intercepted (VMX_EXCEPTIONS_ALWAYS).
 * Breakpoints: #BP in the exception bitmap (24.6.3).
 */
static unsigned long vmx_get_cr4(struct mkvm_vcpu *vcpu)
{
	return vmcs_readl(GUEST_CR4);
}

static void vmx_update_debug(struct mkvm_vcpu *vcpu)
{
	bool step = vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP;
	u32 proc = mkvm_vmx_cfg.proc, bitmap = VMX_EXCEPTIONS_ALWAYS;

	vcpu->step_with_tf = !mkvm_vmx_cfg.has_mtf;
	if (step && mkvm_vmx_cfg.has_mtf)
		proc |= CPU_BASED_MONITOR_TRAP_FLAG;
	if (vcpu->guest_debug & KVM_GUESTDBG_USE_SW_BP)
		bitmap |= BIT(X86_TRAP_BP);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
	vmcs_write32(EXCEPTION_BITMAP, bitmap);
}

static void vmx_inject_exception(struct mkvm_vcpu *vcpu, u8 vector,
				 bool has_error, u32 error)
{
	u32 info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK;

	/*
	 * 24.8.3: event injection on the next VM entry.  Real mode pushes no
	 * error code, and entry refuses one there (26.2.1.3).
	 */
	if (has_error && (mkvm_vmx_guest_cr0(to_vmx(vcpu)) & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
}

/* CR2 is not in the VMCS: vmx_run() loads it before entry. */
static void vmx_set_cr2(struct mkvm_vcpu *vcpu, u64 cr2)
{
	to_vmx(vcpu)->cr2 = cr2;
}

/* Nor is DR6: vmx_run() switches it; DR7 is GUEST_DR7 (24.4.1). */
static u64 vmx_get_dr6(struct mkvm_vcpu *vcpu)
{
	return to_vmx(vcpu)->dr6;
}

static void vmx_set_dr6(struct mkvm_vcpu *vcpu, u64 dr6)
{
	to_vmx(vcpu)->dr6 = dr6;
}

static void vmx_set_dr7(struct mkvm_vcpu *vcpu, u64 dr7)
{
	vmcs_writel(GUEST_DR7, dr7);
}

const struct mkvm_ops mkvm_vmx_ops = {
	.name			= "vmx",
	.vcpu_size		= sizeof(struct vmx_vcpu),
	.hardware_setup		= vmx_hardware_setup,
	.hardware_unsetup	= vmx_hardware_unsetup,
	.hardware_enable	= vmx_hardware_enable,
	.hardware_disable	= vmx_hardware_disable,
	.vm_init		= vmx_vm_init,
	.vm_destroy		= vmx_vm_destroy,
	.vcpu_create		= vmx_vcpu_create,
	.vcpu_free		= vmx_vcpu_free,
	.vcpu_load		= vmx_vcpu_load,
	.run			= vmx_run,
	.handle_exit		= mkvm_vmx_handle_exit,
	.get_sregs		= vmx_get_sregs,
	.set_sregs		= vmx_set_sregs,
	.get_msr		= vmx_get_msr,
	.set_msr		= vmx_set_msr,
	.get_cr4		= vmx_get_cr4,
	.update_debug		= vmx_update_debug,
	.inject_exception	= vmx_inject_exception,
	.set_cr2		= vmx_set_cr2,
	.get_dr6		= vmx_get_dr6,
	.set_dr6		= vmx_set_dr6,
	.set_dr7		= vmx_set_dr7,
	.skip_instruction	= mkvm_vmx_skip_op,
	.tdp_table_pte		= vmx_tdp_table_pte,
	.tdp_leaf_pte		= vmx_tdp_leaf_pte,
};
