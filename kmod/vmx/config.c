// SPDX-License-Identifier: GPL-2.0
/*
 * What this CPU's VMX allows and what minikvm chooses from it: the
 * control fields, EPT and VPID capabilities, the CR0/CR4 fixed bits and
 * the VMX-preemption timer, read once at load (SDM Vol. 3C, Appendix A).
 */
#define pr_fmt(fmt) "minikvm: vmx: " fmt

#include <linux/kernel.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "vmx.h"
#include "vmx_ops.h"

struct vmx_config mkvm_vmx_cfg;

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

	/*
	 * Virtual NMIs: the processor tracks the guest's NMI blocking and
	 * offers the NMI-window exit (25.3, 26.7.6), for KVM_NMI.
	 */
	r = vmx_adjust_controls(PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING |
				PIN_BASED_VIRTUAL_NMIS,
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
	/* The window exits must be there; vmx/events.c turns them on and off. */
	r = vmx_adjust_controls(proc_want | CPU_BASED_INTR_WINDOW_EXITING |
				CPU_BASED_NMI_WINDOW_EXITING,
				true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
					    MSR_IA32_VMX_PROCBASED_CTLS,
				&mkvm_vmx_cfg.proc, "processor-based");
	if (r)
		return r;
	mkvm_vmx_cfg.proc &= ~(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING);
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
	/*
	 * INVPCID likewise (25.3): without "enable INVPCID" it is #UD, and
	 * Linux uses it to flush its TLB as soon as CPUID offers it.  With
	 * INVLPG exiting off it runs in the guest, on the guest's own
	 * VPID-tagged translations.  Where the control is missing, CPUID
	 * does not offer INVPCID.
	 */
	if ((ept_vpid >> 32) & SECONDARY_EXEC_ENABLE_INVPCID)
		proc_want |= SECONDARY_EXEC_ENABLE_INVPCID;
	else
		mkvm_cpuid_hide_7_ebx |= BIT(10);
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
