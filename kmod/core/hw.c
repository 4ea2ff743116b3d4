// SPDX-License-Identifier: GPL-2.0
/*
 * Switching hardware virtualization on and off on every CPU.
 *
 * As KVM in Linux 6.1 does, VMX/SVM is on only while at least one VM
 * exists: the first KVM_CREATE_VM enables it on every online CPU and the
 * last VM's destruction turns it off.  A CPU that comes online meanwhile is
 * switched on, one that goes offline is switched off.  If another
 * hypervisor owns a CPU (the backend's hardware_enable() sees CR4.VMXE or
 * EFER.SVME already set), creation fails with -EBUSY and every CPU switched
 * on for it is switched off again.
 *
 * Locking: mkvm_hw_users and the per-CPU flags change under mkvm_hw_lock
 * with the CPU hotplug lock held for reading, so they are stable in the
 * hotplug callbacks, which run with the hotplug lock held for writing.
 *
 * Power events, as KVM handles them:
 *  - reboot, power-off and kexec (the reboot notifier): minikvm stops
 *    for good.  mkvm_shutdown_sem is held for reading by every vCPU ioctl
 *    and by vCPU creation, the only places that execute VMX/SVM
 *    instructions on a vCPU (mkvm_hw_enter()); the notifier sets
 *    mkvm_shutting_down, kicks every CPU, takes the semaphore for writing
 *    (a KVM_RUN in flight returns -EIO at its next exit; the wait is
 *    bounded, see mkvm_reboot()), and only then switches every CPU off.
 *    Later vCPU ioctls and KVM_CREATE_VM fail with -EIO.
 *  - suspend and resume (syscore ops, one CPU online, interrupts off,
 *    tasks frozen): the last CPU is switched off before the sleep and on
 *    again after it, since S3 loses VMXON and VM_HSAVE_PA; the others go
 *    through the hotplug callbacks.
 *  - crash and emergency reboot: Linux 6.1 calls one registered
 *    callback (cpu_emergency_register_virt_callback()), which kvm_intel
 *    takes when loaded, and turns SVM off itself.  A second registration
 *    is a WARN, so minikvm does not register; see
 *    Documentation/security.rst.
 */
#define pr_fmt(fmt) "minikvm: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/rwsem.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <linux/syscore_ops.h>

#include "minikvm.h"

static DEFINE_MUTEX(mkvm_hw_lock);
static unsigned int mkvm_hw_users;
static DEFINE_PER_CPU(bool, mkvm_hw_on);
static atomic_t mkvm_hw_failed;
static enum cpuhp_state mkvm_cpuhp_state;
static DECLARE_RWSEM(mkvm_shutdown_sem);
static bool mkvm_shutting_down;
/* Power events seen, for /sys/kernel/debug/minikvm/power. */
static atomic_t mkvm_suspends, mkvm_resumes, mkvm_reboots;

/* Runs on the target CPU with interrupts off. */
static void mkvm_hw_enable_cpu(void *unused)
{
	int r;

	if (this_cpu_read(mkvm_hw_on))
		return;
	r = mkvm_ops->hardware_enable();
	if (r) {
		atomic_inc(&mkvm_hw_failed);
		return;
	}
	this_cpu_write(mkvm_hw_on, true);
}

static void mkvm_hw_disable_cpu(void *unused)
{
	if (!this_cpu_read(mkvm_hw_on))
		return;
	mkvm_ops->hardware_disable();
	this_cpu_write(mkvm_hw_on, false);
}

/**
 * mkvm_hw_get() - take a user of hardware virtualization
 *
 * Return: 0, or -EBUSY when some CPU could not be switched on; then no CPU
 * is left switched on for minikvm.
 */
int mkvm_hw_get(void)
{
	int r = 0;

	mutex_lock(&mkvm_hw_lock);
	cpus_read_lock();
	if (READ_ONCE(mkvm_shutting_down)) {
		r = -EIO;
	} else if (mkvm_hw_users == 0) {
		atomic_set(&mkvm_hw_failed, 0);
		on_each_cpu(mkvm_hw_enable_cpu, NULL, 1);
		if (atomic_read(&mkvm_hw_failed)) {
			on_each_cpu(mkvm_hw_disable_cpu, NULL, 1);
			pr_warn("cannot enable %s on %d CPU(s): another hypervisor holds them\n",
				mkvm_ops->name, atomic_read(&mkvm_hw_failed));
			r = -EBUSY;
		}
	}
	if (!r)
		mkvm_hw_users++;
	cpus_read_unlock();
	mutex_unlock(&mkvm_hw_lock);
	return r;
}

/**
 * mkvm_hw_put() - drop a user; the last one switches every CPU off
 */
void mkvm_hw_put(void)
{
	mutex_lock(&mkvm_hw_lock);
	cpus_read_lock();
	if (!WARN_ON(mkvm_hw_users == 0) && --mkvm_hw_users == 0)
		on_each_cpu(mkvm_hw_disable_cpu, NULL, 1);
	cpus_read_unlock();
	mutex_unlock(&mkvm_hw_lock);
}

static int mkvm_cpu_online(unsigned int cpu)
{
	unsigned long flags;
	int r = 0;

	/* After the reboot notifier, a CPU coming online (kexec) stays off. */
	if (!mkvm_hw_users || READ_ONCE(mkvm_shutting_down))
		return 0;
	local_irq_save(flags);
	atomic_set(&mkvm_hw_failed, 0);
	mkvm_hw_enable_cpu(NULL);
	if (atomic_read(&mkvm_hw_failed))
		r = -EBUSY;
	local_irq_restore(flags);
	if (r)
		pr_warn("cannot enable %s on new CPU %u\n", mkvm_ops->name, cpu);
	return r;
}

static int mkvm_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	mkvm_hw_disable_cpu(NULL);
	local_irq_restore(flags);
	return 0;
}

/**
 * mkvm_hw_enter() - start a vCPU operation that may use VMX/SVM
 *
 * Return: 0, with mkvm_hw_leave() to call afterwards, -EIO once the host
 * is rebooting or powering off, -EINTR for a fatal signal while waiting.
 */
int mkvm_hw_enter(void)
{
	if (down_read_killable(&mkvm_shutdown_sem))
		return -EINTR;
	if (READ_ONCE(mkvm_shutting_down)) {
		up_read(&mkvm_shutdown_sem);
		return -EIO;
	}
	return 0;
}

/**
 * mkvm_hw_leave() - end what mkvm_hw_enter() started
 */
void mkvm_hw_leave(void)
{
	up_read(&mkvm_shutdown_sem);
}

/**
 * mkvm_hw_shutting_down() - should a running KVM_RUN return now?
 *
 * Return: true once the reboot notifier has run.
 */
bool mkvm_hw_shutting_down(void)
{
	return READ_ONCE(mkvm_shutting_down);
}

static void mkvm_kick(void *unused)
{
	/* The IPI itself did the work: it forced a VM exit on this CPU. */
}

/**
 * mkvm_kick_all_cpus() - force every guest running on any CPU to exit
 *
 * An interrupt exits the guest on both backends; this returns once every
 * online CPU took it, so each vCPU has left the guest since the call and
 * sees, before it enters again, whatever the caller changed first.
 * Process context, interrupts on.
 */
void mkvm_kick_all_cpus(void)
{
	on_each_cpu(mkvm_kick, NULL, 1);
}

/*
 * Reboot, power-off, kexec.  The wait for vCPU operations in flight is
 * bounded: one could sleep in the kernel for as long as userspace likes
 * (pinning a page of a FUSE file, say), and a reboot must not hang on it.
 * After MKVM_REBOOT_WAIT_MS without the semaphore, VMX/SVM stay on (the
 * state before this notifier existed) rather than go off under a vCPU
 * that may still execute VMX/SVM instructions.
 */
#define MKVM_REBOOT_WAIT_MS	10000

static int mkvm_reboot(struct notifier_block *nb, unsigned long code, void *unused)
{
	int waited;

	WRITE_ONCE(mkvm_shutting_down, true);
	atomic_inc(&mkvm_reboots);
	/* Running guests exit; their KVM_RUN then sees the flag. */
	mkvm_kick_all_cpus();
	for (waited = 0; !down_write_trylock(&mkvm_shutdown_sem); waited += 20) {
		if (waited >= MKVM_REBOOT_WAIT_MS) {
			pr_warn("a vCPU operation is still in progress: %s left on for the reboot\n",
				mkvm_ops->name);
			return NOTIFY_OK;
		}
		msleep(20);
	}
	/* Every vCPU operation in flight has ended: nothing uses VMX/SVM. */
	mutex_lock(&mkvm_hw_lock);
	cpus_read_lock();
	pr_info("%s off on every CPU for the reboot (%u VM(s) open)\n", mkvm_ops->name,
		mkvm_hw_users);
	on_each_cpu(mkvm_hw_disable_cpu, NULL, 1);
	cpus_read_unlock();
	mutex_unlock(&mkvm_hw_lock);
	up_write(&mkvm_shutdown_sem);
	return NOTIFY_OK;
}

static struct notifier_block mkvm_reboot_nb = {
	.notifier_call = mkvm_reboot,
};

/* Only this CPU is online and interrupts are off (syscore). */
static int mkvm_suspend(void)
{
	atomic_inc(&mkvm_suspends);
	if (mkvm_hw_users)
		mkvm_hw_disable_cpu(NULL);
	return 0;
}

static void mkvm_resume(void)
{
	atomic_inc(&mkvm_resumes);
	if (!mkvm_hw_users)
		return;
	atomic_set(&mkvm_hw_failed, 0);
	mkvm_hw_enable_cpu(NULL);
	if (atomic_read(&mkvm_hw_failed))
		pr_warn("cannot enable %s again after the resume\n", mkvm_ops->name);
}

static int mkvm_power_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "suspend %d\nresume %d\nreboot %d\n", atomic_read(&mkvm_suspends),
		   atomic_read(&mkvm_resumes), atomic_read(&mkvm_reboots));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mkvm_power);

/**
 * mkvm_hw_debugfs_init() - create power in minikvm's debugfs directory
 * @dir: /sys/kernel/debug/minikvm
 *
 * The suspends, resumes and reboots minikvm went through since it was
 * loaded.
 */
void mkvm_hw_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("power", 0444, dir, NULL, &mkvm_power_fops);
}

static struct syscore_ops mkvm_syscore_ops = {
	.suspend = mkvm_suspend,
	.resume = mkvm_resume,
};

/**
 * mkvm_hw_init() - register the CPU hotplug callbacks and the power hooks
 *
 * Return: 0 or a negative errno.
 */
int mkvm_hw_init(void)
{
	int r;

	r = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "minikvm:online",
				      mkvm_cpu_online, mkvm_cpu_offline);
	if (r < 0)
		return r;
	mkvm_cpuhp_state = r;
	r = register_reboot_notifier(&mkvm_reboot_nb);
	if (r) {
		cpuhp_remove_state_nocalls(mkvm_cpuhp_state);
		return r;
	}
	register_syscore_ops(&mkvm_syscore_ops);
	return 0;
}

/**
 * mkvm_hw_exit() - unregister what mkvm_hw_init() registered (no VM may exist)
 */
void mkvm_hw_exit(void)
{
	unregister_syscore_ops(&mkvm_syscore_ops);
	unregister_reboot_notifier(&mkvm_reboot_nb);
	cpuhp_remove_state_nocalls(mkvm_cpuhp_state);
}
