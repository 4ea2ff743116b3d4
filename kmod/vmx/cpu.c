// SPDX-License-Identifier: GPL-2.0
/*
 * VMX operation on each CPU: VMXON and VMXOFF, and the VMCSs active on
 * each CPU, which must be VMCLEARed before VMXOFF or before another CPU
 * loads them (SDM Vol. 3C, 24.1, 24.11, 24.7).
 *
 * Locking: each CPU's list of active VMCSs (loaded_vmcss) is touched only
 * on that CPU with interrupts off; another CPU asks through an IPI
 * (mkvm_vmx_clear_anywhere()).
 */
#define pr_fmt(fmt) "minikvm: vmx: " fmt

#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/io.h>
#include <asm/tlbflush.h>

#include "vmx.h"
#include "vmx_ops.h"

static DEFINE_PER_CPU(void *, vmxon_region);

static DEFINE_PER_CPU(bool, vmx_on);

static DEFINE_PER_CPU(void *, current_vmcs);

/* VMCSs active on each CPU, to VMCLEAR them before VMXOFF (24.11.1). */
static DEFINE_PER_CPU(struct list_head, loaded_vmcss);

/**
 * mkvm_vmx_cpus_unsetup() - free every CPU's VMXON region
 */
void mkvm_vmx_cpus_unsetup(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		free_page((unsigned long)per_cpu(vmxon_region, cpu));
		per_cpu(vmxon_region, cpu) = NULL;
	}
}

/**
 * mkvm_vmx_cpus_setup() - a VMXON region and an empty VMCS list per CPU
 *
 * Return: 0, or -ENOMEM with nothing left allocated.
 */
int mkvm_vmx_cpus_setup(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		u32 *page = (u32 *)get_zeroed_page(GFP_KERNEL);

		if (!page) {
			mkvm_vmx_cpus_unsetup();
			return -ENOMEM;
		}
		page[0] = mkvm_vmx_cfg.revision_id;	/* 25.11.5 */
		per_cpu(vmxon_region, cpu) = page;
		INIT_LIST_HEAD(&per_cpu(loaded_vmcss, cpu));
	}
	return 0;
}

static bool vmx_fixed_ok(u64 val, u64 fixed0, u64 fixed1)
{
	/* 24.8: bits set in FIXED0 must be 1, bits clear in FIXED1 must be 0. */
	return (val & fixed0) == fixed0 && (val & ~fixed1) == 0;
}

/* Enter VMX operation on this CPU (24.7); interrupts are off. */
int mkvm_vmx_hardware_enable(void)
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
void mkvm_vmx_hardware_disable(void)
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

void mkvm_vmx_clear_anywhere(struct vmx_vcpu *vmx)
{
	int cpu = READ_ONCE(vmx->vcpu.cpu);

	/* -ENXIO for an offline CPU: its teardown cleared the VMCS. */
	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_clear_remote, vmx, 1);
}

/*
 * Make this vCPU's VMCS current here.  A VMCS may be active on one CPU
 * only, so moving to another CPU VMCLEARs it on the old one first (24.1,
 * 24.11.1) and then flushes this vCPU's EPT and VPID translations, which
 * the new CPU may hold from an earlier user of the same tags.
 */
void mkvm_vmx_vcpu_load(struct mkvm_vcpu *vcpu, int cpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (vcpu->cpu != cpu) {
		mkvm_vmx_clear_anywhere(vmx);
		local_irq_disable();
		list_add(&vmx->loaded_link, this_cpu_ptr(&loaded_vmcss));
		vcpu->cpu = cpu;
		local_irq_enable();
		if (vmptrld(virt_to_phys(vmx->vmcs)))
			WARN_ONCE(1, "minikvm: VMPTRLD failed\n");
		this_cpu_write(current_vmcs, vmx->vmcs);
		if (!vmx->initialized)
			mkvm_vmx_setup_vmcs(vmx);
		mkvm_vmx_set_host_cpu_state();
		vmx->need_flush = true;
		vcpu->stats->migrations++;
	} else if (this_cpu_read(current_vmcs) != vmx->vmcs) {
		if (vmptrld(virt_to_phys(vmx->vmcs)))
			WARN_ONCE(1, "minikvm: VMPTRLD failed\n");
		this_cpu_write(current_vmcs, vmx->vmcs);
	}
}
