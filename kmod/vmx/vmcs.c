// SPDX-License-Identifier: GPL-2.0
/*
 * Writing a vCPU's VMCS: the fields set once when it is first loaded
 * and the host state that follows the CPU (SDM Vol. 3C, 24.4-24.8, 26.2).
 */
#define pr_fmt(fmt) "minikvm: vmx: " fmt

#include <asm/io.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/special_insns.h>

#include "vmx.h"
#include "vmx_ops.h"

/* Host state that differs between CPUs (26.2.3, 28.5). */
void mkvm_vmx_set_host_cpu_state(void)
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
void mkvm_vmx_setup_vmcs(struct vmx_vcpu *vmx)
{
	u64 val;

	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, mkvm_vmx_cfg.pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, mkvm_vmx_cfg.proc);
	vmx->proc_base = mkvm_vmx_cfg.proc;
	vmx->proc_now = mkvm_vmx_cfg.proc;
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
	vmcs_write64(MSR_BITMAP, virt_to_phys(mkvm_vmx_msr_bitmap));
	vmcs_write64(EPT_POINTER, mkvm_vmx_eptp(vmx->vcpu.vm));

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
	vmcs_write64(TSC_OFFSET, vmx->vcpu.vm->tsc_offset);
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
