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
 */
#define pr_fmt(fmt) "minikvm: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/smp.h>

#include "minikvm.h"

static DEFINE_MUTEX(mkvm_hw_lock);
static unsigned int mkvm_hw_users;
static DEFINE_PER_CPU(bool, mkvm_hw_on);
static atomic_t mkvm_hw_failed;
static enum cpuhp_state mkvm_cpuhp_state;

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
	if (mkvm_hw_users == 0) {
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

	if (!mkvm_hw_users)
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
 * mkvm_hw_init() - register the CPU hotplug callbacks
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
	return 0;
}

/**
 * mkvm_hw_exit() - unregister the hotplug callbacks (no VM may exist)
 */
void mkvm_hw_exit(void)
{
	cpuhp_remove_state_nocalls(mkvm_cpuhp_state);
}
