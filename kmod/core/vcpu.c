// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU fd: creation, the shared kvm_run page, registers and KVM_RUN.
 */
#define pr_fmt(fmt) "minikvm: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/msr-index.h>
#include <asm/processor.h>

#include "minikvm.h"
#include "../x86/spec.h"
#include "../x86/trace.h"

/**
 * mkvm_vcpu_load() - make the vCPU's state current on this CPU
 * @vcpu: the vCPU, its mutex held
 *
 * Disables preemption until mkvm_vcpu_put(), so that VMCS accesses and
 * the like stay on this CPU.
 */
void mkvm_vcpu_load(struct mkvm_vcpu *vcpu)
{
	preempt_disable();
	mkvm_ops->vcpu_load(vcpu, smp_processor_id());
}

/**
 * mkvm_vcpu_put() - end of mkvm_vcpu_load()
 * @vcpu: the vCPU
 */
void mkvm_vcpu_put(struct mkvm_vcpu *vcpu)
{
	preempt_enable();
}

/*
 * One round trip into the guest.  The guest runs with interrupts off on
 * the host side; an interrupt arriving meanwhile forces a VM exit on both
 * backends and is taken at local_irq_enable().  The guest uses the FPU
 * registers, so the host task's FPU state is saved first
 * (kernel_fpu_begin()) and reloaded on its return to userspace; the
 * guest's is loaded and saved around the entry (x86/fpu.c).
 */
static enum mkvm_exit_action mkvm_enter_once(struct mkvm_vcpu *vcpu)
{
	/*
	 * Single-stepping through TF (SVM; VMX uses the monitor trap flag)
	 * sets it for the guest, whose RFLAGS must not keep it.
	 */
	unsigned long tf = (vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP) &&
			   vcpu->step_with_tf && !(vcpu->rflags & X86_EFLAGS_TF) ?
			   X86_EFLAGS_TF : 0;
	enum mkvm_exit_action act;
	u64 host_tsc_aux, entry_ns, exit_ns;

	mkvm_vcpu_load(vcpu);
	kernel_fpu_begin();
	local_irq_disable();
	if (need_resched() || signal_pending(current)) {
		local_irq_enable();
		kernel_fpu_end();
		mkvm_vcpu_put(vcpu);
		return MKVM_RESUME;
	}
	/*
	 * Time in the guest is a quiescent state for RCU, as time in user
	 * space is; without this note a guest spinning in a loop would stall
	 * RCU, since every tick lands with preemption off.  KVM does the same
	 * in guest_context_enter_irqoff().
	 */
	rcu_virt_note_context_switch(smp_processor_id());
	mkvm_spec_before_entry(vcpu);
	mkvm_fpu_load_guest(vcpu);
	vcpu->rflags |= tf;
	mkvm_load_guest_dr(vcpu);
	host_tsc_aux = mkvm_tsc_aux_load(vcpu);
	mkvm_inject_events(vcpu);
	trace_minikvm_entry(vcpu);
	/* The last exit's root-side time ends; the time in the guest begins. */
	entry_ns = local_clock();
	mkvm_stats_handled(vcpu, entry_ns);
	mkvm_ops->run(vcpu);
	mkvm_spec_after_exit();
	exit_ns = local_clock();
	mkvm_tsc_aux_put(vcpu, host_tsc_aux);
	vcpu->rflags &= ~tf;
	/*
	 * A VM exit leaves DR7 at 0x400, every breakpoint off (SDM 28.5.1;
	 * #VMEXIT loads the host save area's DR7, APM 15.5.2): re-arm the
	 * host's own hardware breakpoints (ptrace, perf) if it has any, over
	 * the guest's DR0-DR3 that mkvm_load_guest_dr() may have left.
	 */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	mkvm_fpu_save_guest(vcpu);
	local_irq_enable();
	kernel_fpu_end();
	mkvm_stats_exited(vcpu, entry_ns, exit_ns);
	act = mkvm_ops->handle_exit(vcpu);
	mkvm_vcpu_put(vcpu);
	return act;
}

/*
 * What kvm_run reports after every KVM_RUN, whatever ended it, as KVM's
 * post_kvm_run_save() does without an in-kernel APIC.
 */
static void mkvm_run_save(struct mkvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->cr8 = vcpu->cr8;
	run->apic_base = vcpu->msr_apic_base;
	run->if_flag = !!(vcpu->rflags & X86_EFLAGS_IF);
	run->ready_for_interrupt_injection = mkvm_ready_for_interrupt(vcpu);
}

/*
 * An AP in KVM_MP_STATE_INIT_RECEIVED does not run until KVM_SET_MP_STATE
 * gives it its SIPI, which cannot happen while this KVM_RUN holds the
 * vCPU mutex: like KVM's vCPU blocked with no SIPI to come, it sleeps
 * until a signal and returns -EINTR with KVM_EXIT_INTR.  The sleep wakes
 * every 100 ms to see whether the host is going down, whose reboot
 * notifier waits for every vCPU operation to end (core/hw.c).
 */
static int mkvm_wait_for_sipi(struct mkvm_vcpu *vcpu)
{
	while (!signal_pending(current)) {
		if (mkvm_hw_shutting_down())
			return -EIO;
		schedule_timeout_interruptible(HZ / 10);
	}
	vcpu->stats->signal_exits++;
	vcpu->run->exit_reason = KVM_EXIT_INTR;
	return -EINTR;
}

static int mkvm_vcpu_run_loop(struct mkvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	u8 flags;
	int r;

	vcpu->has_run = true;
	if (vcpu->mmio_read.pending)
		mkvm_complete_mmio(vcpu);
	if (vcpu->pio_in_size) {
		r = mkvm_complete_pio_in(vcpu);
		if (r)
			return r;
	}

	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = KVM_EXIT_INTR;
		return -EINTR;
	}
	if (vcpu->ev.wait_for_sipi)
		return mkvm_wait_for_sipi(vcpu);

	for (;;) {
		/* As KVM's KVM_REQ_TRIPLE_FAULT: before anything else. */
		if (vcpu->triple_fault_pending) {
			vcpu->triple_fault_pending = false;
			mkvm_events_clear(vcpu);
			run->exit_reason = KVM_EXIT_SHUTDOWN;
			vcpu->stats->user_exits++;
			return 0;
		}
		if (signal_pending(current)) {
			run->exit_reason = KVM_EXIT_INTR;
			vcpu->stats->signal_exits++;
			return -EINTR;
		}
		/* The host is going down: the reboot notifier waits for this. */
		if (mkvm_hw_shutting_down())
			return -EIO;
		cond_resched();

		switch (mkvm_enter_once(vcpu)) {
		case MKVM_RESUME:
			/*
			 * Userspace waits to give an interrupt: as KVM, stop
			 * after any exit that leaves the guest able to take it.
			 */
			if (READ_ONCE(run->request_interrupt_window) &&
			    mkvm_ready_for_interrupt(vcpu)) {
				run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
				vcpu->stats->request_irq_exits++;
				vcpu->stats->user_exits++;
				return 0;
			}
			break;
		case MKVM_EXIT_USER:
			vcpu->stats->user_exits++;
			return 0;
		case MKVM_MMU_FAULT:
			flags = vcpu->fault_flags;
			vcpu->fault_flags = 0;
			r = mkvm_mmu_fault(vcpu, vcpu->fault_gpa, flags & MKVM_FAULT_WRITE);
			/* The fault ran host code: flush L1D (x86/spec.c). */
			vcpu->spec_l1d_flush = true;
			/* The host's page tables changed meanwhile: fault again. */
			if (r == -EAGAIN)
				break;
			if (r == -ENOENT) {
				/*
				 * No RAM there: a delivery error if an event's
				 * delivery needed it (as KVM), else MMIO if a
				 * data access made it.
				 */
				if (vcpu->ev.cut_short)
					mkvm_exit_delivery(vcpu, vcpu->fault_gpa);
				else if (flags & MKVM_FAULT_DATA)
					mkvm_emulate_mmio(vcpu, vcpu->fault_gpa);
				else
					mkvm_exit_emulation(vcpu, vcpu->fault_gpa, NULL, 0);
				vcpu->stats->user_exits++;
				return 0;
			}
			if (r)
				return r;
			break;
		}
	}
}

/*
 * KVM_SET_SIGNAL_MASK: the signal mask of the thread while KVM_RUN runs,
 * or (NULL) its own.  A launcher blocks its kick signal outside KVM_RUN
 * and unblocks it here, so that a kick sent just before KVM_RUN stays
 * pending and ends it at once instead of being lost.  SIGKILL and
 * SIGSTOP cannot be blocked, as for sigprocmask().
 */
static int mkvm_set_signal_mask(struct mkvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_signal_mask __user *m = argp;
	struct kvm_signal_mask hdr;
	sigset_t set;

	if (!argp) {
		vcpu->sigset_active = false;
		return 0;
	}
	if (copy_from_user(&hdr, m, sizeof(hdr)))
		return -EFAULT;
	if (hdr.len != sizeof(set))
		return -EINVAL;
	if (copy_from_user(&set, m->sigset, sizeof(set)))
		return -EFAULT;
	sigdelsetmask(&set, sigmask(SIGKILL) | sigmask(SIGSTOP));
	vcpu->sigset = set;
	vcpu->sigset_active = true;
	return 0;
}

/*
 * KVM_RUN.  Userspace's kvm_run->cr8 becomes the guest's TPR first (KVM:
 * -EINVAL for reserved bits), and kvm_run reports it back on the way out.
 */
static int mkvm_vcpu_run(struct mkvm_vcpu *vcpu)
{
	u64 cr8 = READ_ONCE(vcpu->run->cr8);
	sigset_t saved;
	int r;

	/* As KVM: a bad CR8 fails KVM_RUN, and kvm_run still reports. */
	if (cr8 & ~0xfull) {
		r = -EINVAL;
	} else {
		vcpu->cr8 = cr8;
		/* Back from userspace: flush L1D before entry (x86/spec.c). */
		vcpu->spec_l1d_flush = true;
		if (vcpu->sigset_active)
			sigprocmask(SIG_SETMASK, &vcpu->sigset, &saved);
		r = mkvm_vcpu_run_loop(vcpu);
		/* Whatever ended KVM_RUN, the last exit's handling is over. */
		mkvm_stats_handled(vcpu, local_clock());
		/*
		 * A signal that the run's mask let in and the thread's own
		 * blocks stays pending: KVM_RUN returned -EINTR for it, and
		 * the thread takes it once it unblocks it, as with KVM.
		 */
		if (vcpu->sigset_active)
			sigprocmask(SIG_SETMASK, &saved, NULL);
	}
	mkvm_run_save(vcpu);
	return r;
}

/* kvm_regs lists the registers in its own order. */
static const u8 mkvm_kvm_regs_order[MKVM_NR_GPRS] = {
	MKVM_RAX, MKVM_RBX, MKVM_RCX, MKVM_RDX, MKVM_RSI, MKVM_RDI,
	MKVM_RSP, MKVM_RBP, MKVM_R8, MKVM_R9, MKVM_R10, MKVM_R11,
	MKVM_R12, MKVM_R13, MKVM_R14, MKVM_R15,
};

static void mkvm_get_regs(struct mkvm_vcpu *vcpu, struct kvm_regs *regs)
{
	u64 *out = (u64 *)regs;
	int i;

	BUILD_BUG_ON(sizeof(*regs) != (MKVM_NR_GPRS + 2) * sizeof(u64));
	for (i = 0; i < MKVM_NR_GPRS; i++)
		out[i] = vcpu->regs[mkvm_kvm_regs_order[i]];
	regs->rip = vcpu->rip;
	regs->rflags = vcpu->rflags;
}

static void mkvm_set_regs(struct mkvm_vcpu *vcpu, const struct kvm_regs *regs)
{
	const u64 *in = (const u64 *)regs;
	int i;

	for (i = 0; i < MKVM_NR_GPRS; i++)
		vcpu->regs[mkvm_kvm_regs_order[i]] = in[i];
	vcpu->rip = regs->rip;
	/* Bit 1 of RFLAGS always reads as 1 (SDM Vol. 1, 3.4.3). */
	vcpu->rflags = regs->rflags | X86_EFLAGS_FIXED;
	/* A pending IN or MMIO read completion would overwrite the new registers. */
	if (!vcpu->pio_string)
		vcpu->pio_in_size = 0;
	vcpu->mmio_read.pending = false;
}

#define MKVM_GUESTDBG_VALID (KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | \
			     KVM_GUESTDBG_USE_SW_BP)

/* KVM_SET_GUEST_DEBUG: hardware breakpoints are not offered (-EINVAL). */
static int mkvm_set_guest_debug(struct mkvm_vcpu *vcpu, void __user *argp)
{
	struct kvm_guest_debug dbg;

	if (copy_from_user(&dbg, argp, sizeof(dbg)))
		return -EFAULT;
	if (dbg.control & ~MKVM_GUESTDBG_VALID)
		return -EINVAL;
	vcpu->guest_debug = dbg.control & KVM_GUESTDBG_ENABLE ? dbg.control : 0;
	mkvm_vcpu_load(vcpu);
	mkvm_ops->update_debug(vcpu);
	mkvm_vcpu_put(vcpu);
	return 0;
}

static long mkvm_vcpu_ioctl(struct file *filp, unsigned int ioctl,
			    unsigned long arg)
{
	struct mkvm_vcpu *vcpu = filp->private_data;
	void __user *argp = (void __user *)arg;
	struct kvm_sregs *sregs;
	struct kvm_regs regs;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EIO;

	r = mkvm_hw_enter();
	if (r)
		return r;
	if (mutex_lock_killable(&vcpu->mutex)) {
		mkvm_hw_leave();
		return -EINTR;
	}

	switch (ioctl) {
	case KVM_RUN:
		r = arg ? -EINVAL : mkvm_vcpu_run(vcpu);
		break;
	case KVM_GET_REGS:
		mkvm_get_regs(vcpu, &regs);
		r = copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
		break;
	case KVM_SET_REGS:
		r = -EFAULT;
		if (copy_from_user(&regs, argp, sizeof(regs)))
			break;
		mkvm_set_regs(vcpu, &regs);
		r = 0;
		break;
	case KVM_GET_SREGS:
		r = -ENOMEM;
		sregs = kzalloc(sizeof(*sregs), GFP_KERNEL);
		if (!sregs)
			break;
		mkvm_vcpu_load(vcpu);
		mkvm_ops->get_sregs(vcpu, sregs);
		mkvm_vcpu_put(vcpu);
		sregs->apic_base = vcpu->msr_apic_base;
		sregs->cr8 = vcpu->cr8;
		r = copy_to_user(argp, sregs, sizeof(*sregs)) ? -EFAULT : 0;
		kfree(sregs);
		break;
	case KVM_SET_SREGS:
		sregs = memdup_user(argp, sizeof(*sregs));
		if (IS_ERR(sregs)) {
			r = PTR_ERR(sregs);
			break;
		}
		r = mkvm_check_sregs(vcpu, sregs);
		/* PAE paging outside long mode: its four PDPTEs, as KVM loads them. */
		if (!r && (sregs->cr0 & X86_CR0_PG) && (sregs->cr4 & X86_CR4_PAE) &&
		    !(sregs->efer & EFER_LME) &&
		    mkvm_read_guest(vcpu->vm, sregs->cr3 & ~0x1fULL, vcpu->pdptrs,
				    sizeof(vcpu->pdptrs)))
			r = -EINVAL;
		/* apic_base goes through the MSR's own checks first. */
		if (!r && mkvm_set_msr(vcpu, MSR_IA32_APICBASE, sregs->apic_base, true))
			r = -EINVAL;
		if (!r) {
			mkvm_vcpu_load(vcpu);
			mkvm_ops->set_sregs(vcpu, sregs);
			mkvm_vcpu_put(vcpu);
			/* KVM ignores a CR8 with reserved bits here. */
			if (sregs->cr8 <= 15)
				vcpu->cr8 = sregs->cr8;
		}
		kfree(sregs);
		break;
	case KVM_GET_FPU:
	case KVM_SET_FPU:
	case KVM_GET_XSAVE:
	case KVM_SET_XSAVE:
	case KVM_GET_XCRS:
	case KVM_SET_XCRS:
		r = mkvm_fpu_ioctl(vcpu, ioctl, argp);
		break;
	case KVM_GET_MSRS:
	case KVM_SET_MSRS:
		r = mkvm_msrs_ioctl(vcpu, argp, ioctl == KVM_SET_MSRS);
		break;
	case KVM_SET_SIGNAL_MASK:
		r = mkvm_set_signal_mask(vcpu, argp);
		break;
	case KVM_SET_GUEST_DEBUG:
		r = mkvm_set_guest_debug(vcpu, argp);
		break;
	case KVM_X86_SETUP_MCE:
	case KVM_X86_SET_MCE:
		r = mkvm_mce_ioctl(vcpu, ioctl, argp);
		break;
	case KVM_GET_DEBUGREGS:
	case KVM_SET_DEBUGREGS:
		r = mkvm_debugregs_ioctl(vcpu, argp, ioctl == KVM_SET_DEBUGREGS);
		break;
	case KVM_SET_CPUID2:
		r = mkvm_set_cpuid2(vcpu, argp);
		break;
	case KVM_GET_CPUID2:
		r = mkvm_get_cpuid2(vcpu, argp);
		break;
	case KVM_INTERRUPT:
	case KVM_NMI:
	case KVM_GET_VCPU_EVENTS:
	case KVM_SET_VCPU_EVENTS:
	case KVM_GET_MP_STATE:
	case KVM_SET_MP_STATE:
		r = mkvm_events_ioctl(vcpu, ioctl, argp);
		break;
	case KVM_GET_STATS_FD:
		/* The argument is not looked at, as in KVM. */
		r = mkvm_vcpu_stats_fd(vcpu);
		break;
	default:
		r = -ENOTTY;
	}
	mutex_unlock(&vcpu->mutex);
	mkvm_hw_leave();
	return r;
}

static vm_fault_t mkvm_vcpu_fault(struct vm_fault *vmf)
{
	struct mkvm_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff == 0)
		page = virt_to_page(vcpu->run);
	else if (vmf->pgoff == MKVM_PIO_PAGE_OFFSET)
		page = virt_to_page(vcpu->pio_data);
	else
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct mkvm_vcpu_vm_ops = {
	.fault = mkvm_vcpu_fault,
};

static int mkvm_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff >= MKVM_RUN_PAGES ||
	    vma_pages(vma) > MKVM_RUN_PAGES - vma->vm_pgoff)
		return -EINVAL;
	vma->vm_ops = &mkvm_vcpu_vm_ops;
	return 0;
}

static int mkvm_vcpu_release(struct inode *inode, struct file *filp)
{
	struct mkvm_vcpu *vcpu = filp->private_data;

	/* The vCPU itself lives until its VM goes. */
	mkvm_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations mkvm_vcpu_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= mkvm_vcpu_ioctl,
	.mmap		= mkvm_vcpu_mmap,
	.release	= mkvm_vcpu_release,
	.llseek		= noop_llseek,
};

/**
 * mkvm_vcpu_free() - free a vCPU; only from its VM's destruction
 * @vcpu: the vCPU
 */
void mkvm_vcpu_free(struct mkvm_vcpu *vcpu)
{
	mkvm_spec_vcpu_free(vcpu);
	mkvm_ops->vcpu_free(vcpu);
	mkvm_fpu_free(vcpu);
	kvfree(vcpu->cpuid);
	free_page((unsigned long)vcpu->pio_data);
	free_page((unsigned long)vcpu->run);
	mkvm_stats_vcpu_free(vcpu);
	kfree(vcpu);
	mkvm_count(vcpus, -1);
}

/* The architectural state after RESET (SDM Vol. 3A, 10.1.1), as KVM sets it. */
static void mkvm_vcpu_reset(struct mkvm_vcpu *vcpu)
{
	struct kvm_sregs sregs;
	u32 eax, ebx, ecx, edx;

	vcpu->rip = 0xfff0;
	vcpu->rflags = X86_EFLAGS_FIXED;
	cpuid(1, &eax, &ebx, &ecx, &edx);
	vcpu->regs[MKVM_RDX] = eax;	/* processor signature */

	mkvm_msr_reset(vcpu);
	mkvm_dr_reset(vcpu);
	mkvm_reset_sregs(&sregs);
	mkvm_vcpu_load(vcpu);
	mkvm_ops->set_sregs(vcpu, &sregs);
	mkvm_vcpu_put(vcpu);
}

/**
 * mkvm_create_vcpu() - KVM_CREATE_VCPU
 * @vm: the VM
 * @id: the vCPU id, below MKVM_MAX_VCPUS
 *
 * Return: the vCPU fd, -EINVAL for a bad id or too many vCPUs, -EEXIST for
 * an id in use, -ENOMEM.
 */
int mkvm_create_vcpu(struct mkvm_vm *vm, unsigned long id)
{
	struct mkvm_vcpu *vcpu;
	unsigned int i;
	int r;

	if (id >= MKVM_MAX_VCPUS)
		return -EINVAL;

	mutex_lock(&vm->lock);
	r = -EINVAL;
	if (vm->nr_vcpus >= MKVM_MAX_VCPUS)
		goto out_unlock;
	r = -EEXIST;
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->id == id)
			goto out_unlock;

	r = -ENOMEM;
	vcpu = kzalloc(mkvm_ops->vcpu_size, GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		goto out_unlock;
	mkvm_count(vcpus, 1);
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	vcpu->mmu_gen = atomic_read(&vm->mmu_gen) - 1;	/* flush first */
	mutex_init(&vcpu->mutex);
	if (mkvm_stats_vcpu_init(vcpu))
		goto err_free;
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run)
		goto err_stats;
	vcpu->pio_data = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->pio_data)
		goto err_run;

	r = mkvm_fpu_init(vcpu);
	if (r)
		goto err_pio;
	r = mkvm_ops->vcpu_create(vcpu);
	if (r)
		goto err_fpu;
	mkvm_vcpu_reset(vcpu);

	/* The fd takes a VM reference; the fd is installed last. */
	mkvm_vm_get(vm);
	r = anon_inode_getfd("minikvm-vcpu", &mkvm_vcpu_fops, vcpu,
			     O_RDWR | O_CLOEXEC);
	if (r < 0) {
		mkvm_vm_put(vm);	/* not the last: the caller's fd holds one */
		goto err_arch;
	}
	vm->vcpus[vm->nr_vcpus++] = vcpu;
	mkvm_stats_vcpu_debugfs(vcpu);
	mutex_unlock(&vm->lock);
	return r;

err_arch:
	mkvm_ops->vcpu_free(vcpu);
err_fpu:
	mkvm_fpu_free(vcpu);
err_pio:
	free_page((unsigned long)vcpu->pio_data);
err_run:
	free_page((unsigned long)vcpu->run);
err_stats:
	mkvm_stats_vcpu_free(vcpu);
err_free:
	kfree(vcpu);
	mkvm_count(vcpus, -1);
out_unlock:
	mutex_unlock(&vm->lock);
	return r;
}
