// SPDX-License-Identifier: GPL-2.0
/*
 * The VM fd: creation, destruction and guest memory slots.
 */
#define pr_fmt(fmt) "minikvm: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include <asm/msr.h>

#include "minikvm.h"

static void mkvm_vm_free(struct kref *ref)
{
	struct mkvm_vm *vm = container_of(ref, struct mkvm_vm, ref);
	unsigned int i;

	/* First: its debugfs files point at the VM and its vCPUs. */
	mkvm_stats_vm_destroy(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		mkvm_vcpu_free(vm->vcpus[i]);
	mkvm_ops->vm_destroy(vm);
	/* No callback runs after this; pages it did not unpin are below. */
	mkvm_mmu_notifier_unregister(vm);
	for (i = 0; i < MKVM_MAX_SLOTS; i++)
		if (vm->slots[i].used)
			mkvm_mmu_release_slot(&vm->slots[i]);
	mkvm_tdp_destroy(&vm->tdp);
	mmdrop(vm->mm);
	kfree(vm);
	mkvm_count(vms, -1);
	mkvm_hw_put();
}

/**
 * mkvm_vm_get() - take a reference on a VM
 * @vm: the VM, on which the caller already holds one (an fd's)
 */
void mkvm_vm_get(struct mkvm_vm *vm)
{
	kref_get(&vm->ref);
}

/**
 * mkvm_vm_put() - drop a reference; the last one destroys the VM
 * @vm: the VM
 */
void mkvm_vm_put(struct mkvm_vm *vm)
{
	kref_put(&vm->ref, mkvm_vm_free);
}

/**
 * mkvm_find_slot() - the slot holding a guest-physical address
 * @vm: the VM, with vm->mmu_lock held
 * @gpa: the address
 *
 * Return: the slot or NULL.
 */
struct mkvm_slot *mkvm_find_slot(struct mkvm_vm *vm, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < MKVM_MAX_SLOTS; i++) {
		struct mkvm_slot *s = &vm->slots[i];

		if (s->used && gpa >= s->gpa &&
		    gpa - s->gpa < (s->npages << PAGE_SHIFT))
			return s;
	}
	return NULL;
}

/* The checks of KVM's __kvm_set_memory_region(), in the same order. */
static int mkvm_check_region(const struct kvm_userspace_memory_region *mem)
{
	u64 size = mem->memory_size;

	if (mem->flags & ~KVM_MEM_READONLY)	/* no dirty logging */
		return -EINVAL;
	if ((mem->slot >> 16) != 0 || (mem->slot & 0xffff) >= MKVM_MAX_SLOTS)
		return -EINVAL;
	if (!PAGE_ALIGNED(size) || !PAGE_ALIGNED(mem->guest_phys_addr) ||
	    !PAGE_ALIGNED(mem->userspace_addr))
		return -EINVAL;
	if (size && !access_ok((void __user *)(unsigned long)mem->userspace_addr,
			       size))
		return -EINVAL;
	if (mem->guest_phys_addr + size < mem->guest_phys_addr)
		return -EINVAL;
	/* Beyond what 4-level EPT/NPT tables map. */
	if ((mem->guest_phys_addr + size) > (1ULL << MKVM_GPA_BITS))
		return -EINVAL;
	return 0;
}

static int mkvm_set_memory_region(struct mkvm_vm *vm,
				  const struct kvm_userspace_memory_region *mem)
{
	struct mkvm_slot *slot;
	u64 end = mem->guest_phys_addr + mem->memory_size;
	unsigned int i;
	int r;

	r = mkvm_check_region(mem);
	if (r)
		return r;

	mutex_lock(&vm->lock);
	slot = &vm->slots[mem->slot & 0xffff];
	if (!mem->memory_size) {
		r = -EINVAL;	/* deleting a slot that does not exist */
		if (!slot->used)
			goto out;
	} else if (slot->used) {
		/* Only a move keeps the slot; size, backing and READONLY are fixed. */
		r = -EINVAL;
		if (mem->memory_size >> PAGE_SHIFT != slot->npages ||
		    mem->userspace_addr != slot->uaddr ||
		    !!(mem->flags & KVM_MEM_READONLY) != slot->readonly)
			goto out;
		r = 0;
		if (mem->guest_phys_addr == slot->gpa)
			goto out;
	}

	/*
	 * Only an overlap is refused: a slot may start where another ends
	 * (KVM_CAP_JOIN_MEMORY_REGIONS_WORKS).  Nothing in minikvm assumes
	 * one slot per access: EPT/NPT map page by page, and the software
	 * walks and copies go one page at a time (x86/walk.c).
	 */
	if (mem->memory_size) {
		for (i = 0; i < MKVM_MAX_SLOTS; i++) {
			struct mkvm_slot *o = &vm->slots[i];

			if (o == slot || !o->used)
				continue;
			if (mem->guest_phys_addr < o->gpa + (o->npages << PAGE_SHIFT) &&
			    end > o->gpa) {
				r = -EEXIST;
				goto out;
			}
		}
	}

	/*
	 * Delete (or the first half of a move): hide the slot and stop every
	 * vCPU using the old translations (mkvm_mmu_zap() does both, in that
	 * order), then unpin.  A moved slot pins again on faults.
	 */
	mutex_lock(&vm->mmu_lock);
	if (slot->used) {
		mkvm_mmu_zap(vm, slot);
		mkvm_mmu_release_slot(slot);
	}
	if (mem->memory_size) {
		slot->gpa = mem->guest_phys_addr;
		slot->npages = mem->memory_size >> PAGE_SHIFT;
		slot->uaddr = mem->userspace_addr;
		slot->readonly = mem->flags & KVM_MEM_READONLY;
		xa_init(&slot->pages);
		/* mkvm_read_guest_atomic() reads ->used without the lock. */
		smp_wmb();
		WRITE_ONCE(slot->used, true);
	}
	r = 0;
	mutex_unlock(&vm->mmu_lock);
out:
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * KVM_SET_TSS_ADDR and KVM_SET_IDENTITY_MAP_ADDR.  KVM's VMX backend needs
 * three pages for a TSS and one for an identity-mapping page table only
 * to run real mode and unpaged protected mode without unrestricted
 * guest; minikvm's VMX backend requires unrestricted guest, and SVM
 * needs neither, as in KVM.  So both only check and keep the address,
 * with KVM's rules: the TSS's three pages must lie below 4 GiB, and the
 * identity map is set before the first vCPU exists.
 */
static int mkvm_set_tss_addr(struct mkvm_vm *vm, unsigned long addr)
{
	if (addr > (u32)(-3 * PAGE_SIZE))
		return -EINVAL;
	WRITE_ONCE(vm->tss_addr, addr);
	return 0;
}

static int mkvm_set_identity_map_addr(struct mkvm_vm *vm, void __user *argp)
{
	u64 addr;
	int r = -EINVAL;

	mutex_lock(&vm->lock);
	if (vm->nr_vcpus)
		goto out;
	r = -EFAULT;
	if (copy_from_user(&addr, argp, sizeof(addr)))
		goto out;
	vm->identity_map_addr = addr;
	r = 0;
out:
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * KVM_SET_GSI_ROUTING.  A routing table maps GSIs to the pins of an
 * in-kernel PIC or IOAPIC, or to MSI messages that an in-kernel local
 * APIC receives.  minikvm has none of them (userspace owns the interrupt
 * controllers and gives vectors with KVM_INTERRUPT), so, as KVM does for
 * a VM without KVM_CREATE_IRQCHIP, the header is read and any table,
 * empty or not, is refused: nothing is kept.
 */
static int mkvm_set_gsi_routing(struct kvm_irq_routing __user *argp)
{
	struct kvm_irq_routing hdr;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	return -EINVAL;
}

/*
 * KVM_GET_CLOCK and KVM_SET_CLOCK: the VM's clock, in nanoseconds from
 * the VM's creation unless set, which a guest reads through kvmclock.
 * minikvm does not offer kvmclock to guests (CPUID 0x40000001 is 0, and
 * x86/msr.c refuses its MSRs), so no guest reads it: it is kept for
 * userspace, which saves and restores it around a stop or a migration
 * (QEMU's kvmclock device aborts unless both work).  It runs with
 * CLOCK_BOOTTIME, as KVM's does without its master clock, and with the
 * realtime and host TSC read at the same moment (KVM_CLOCK_REALTIME,
 * KVM_CLOCK_HOST_TSC).
 */
static int mkvm_get_clock(struct mkvm_vm *vm, struct kvm_clock_data __user *argp)
{
	struct kvm_clock_data data = { .flags = MKVM_CLOCK_FLAGS };

	preempt_disable();
	data.clock = (u64)ktime_get_boottime_ns() + READ_ONCE(vm->kvmclock_offset);
	data.realtime = ktime_get_real_ns();
	data.host_tsc = rdtsc();
	preempt_enable();
	return copy_to_user(argp, &data, sizeof(data)) ? -EFAULT : 0;
}

/*
 * As KVM: the flags KVM_GET_CLOCK can give are accepted (what it returned
 * may be passed back), others are EINVAL; with KVM_CLOCK_REALTIME the
 * real time elapsed since @realtime is added, never taken away.
 */
static int mkvm_set_clock(struct mkvm_vm *vm, struct kvm_clock_data __user *argp)
{
	struct kvm_clock_data data;
	u64 now;

	if (copy_from_user(&data, argp, sizeof(data)))
		return -EFAULT;
	if (data.flags & ~(MKVM_CLOCK_FLAGS | KVM_CLOCK_TSC_STABLE))
		return -EINVAL;
	if (data.flags & KVM_CLOCK_REALTIME) {
		now = ktime_get_real_ns();
		if (now > data.realtime)
			data.clock += now - data.realtime;
	}
	WRITE_ONCE(vm->kvmclock_offset, data.clock - (u64)ktime_get_boottime_ns());
	return 0;
}

static long mkvm_vm_ioctl(struct file *filp, unsigned int ioctl,
			  unsigned long arg)
{
	struct mkvm_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case KVM_CREATE_VCPU: {
		/* A new vCPU's VMCS is set up with VMX instructions (core/hw.c). */
		int r = mkvm_hw_enter();

		if (r)
			return r;
		r = mkvm_create_vcpu(vm, arg);
		mkvm_hw_leave();
		return r;
	}
	case KVM_SET_USER_MEMORY_REGION: {
		struct kvm_userspace_memory_region mem;

		if (copy_from_user(&mem, argp, sizeof(mem)))
			return -EFAULT;
		return mkvm_set_memory_region(vm, &mem);
	}
	case KVM_SET_TSS_ADDR:
		return mkvm_set_tss_addr(vm, arg);
	case KVM_SET_IDENTITY_MAP_ADDR:
		return mkvm_set_identity_map_addr(vm, argp);
	case KVM_GET_STATS_FD:
		/* The argument is not looked at, as in KVM. */
		return mkvm_vm_stats_fd(vm);
	case KVM_CHECK_EXTENSION:
		return mkvm_check_extension(arg);
	case KVM_SET_GSI_ROUTING:
		return mkvm_set_gsi_routing(argp);
	case KVM_GET_CLOCK:
		return mkvm_get_clock(vm, argp);
	case KVM_SET_CLOCK:
		return mkvm_set_clock(vm, argp);
	default:
		return -ENOTTY;
	}
}

static int mkvm_vm_release(struct inode *inode, struct file *filp)
{
	mkvm_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations mkvm_vm_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= mkvm_vm_ioctl,
	.release	= mkvm_vm_release,
	.llseek		= noop_llseek,
};

/**
 * mkvm_create_vm() - KVM_CREATE_VM
 * @type: machine type; only 0 (the default) exists
 *
 * Return: the new VM fd, -EINVAL for a bad type, -EBUSY when another
 * hypervisor holds VMX/SVM, -ENOMEM.
 */
int mkvm_create_vm(unsigned long type)
{
	struct mkvm_vm *vm;
	int r;

	if (type)
		return -EINVAL;

	r = mkvm_hw_get();
	if (r)
		return r;

	r = -ENOMEM;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		goto err_hw;
	mkvm_count(vms, 1);
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	mutex_init(&vm->mmu_lock);
	mmgrab(current->mm);
	vm->mm = current->mm;
	/*
	 * The guest's TSC starts at 0 when the VM is made, the same for
	 * every vCPU, as KVM's TSC synchronisation gives vCPUs created
	 * together; WRMSR and KVM_SET_MSRS move it (the offset) later.
	 */
	vm->tsc_offset = -rdtsc();
	vm->kvmclock_offset = -(u64)ktime_get_boottime_ns();

	r = mkvm_tdp_init(&vm->tdp);
	if (r)
		goto err_mm;
	r = mkvm_ops->vm_init(vm);
	if (r)
		goto err_tdp;
	r = mkvm_mmu_notifier_register(vm);
	if (r)
		goto err_arch;
	mkvm_stats_vm_init(vm);

	/* Installed last: from here on userspace can reach the VM. */
	r = anon_inode_getfd("minikvm-vm", &mkvm_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (r < 0)
		goto err_mn;
	return r;

err_mn:
	mkvm_stats_vm_destroy(vm);
	mkvm_mmu_notifier_unregister(vm);
err_arch:
	mkvm_ops->vm_destroy(vm);
err_tdp:
	mkvm_tdp_destroy(&vm->tdp);
err_mm:
	mmdrop(vm->mm);
	kfree(vm);
	mkvm_count(vms, -1);
err_hw:
	mkvm_hw_put();
	return r;
}
