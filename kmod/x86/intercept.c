// SPDX-License-Identifier: GPL-2.0
/*
 * Exceptions the host intercepts on both backends whatever the guest or a
 * debugger asks for, and why:
 *  - #MC: a machine check raised while the guest runs is the host's to
 *    handle (it describes the host's hardware).  Left to the guest, it
 *    would go through the guest's IDT and the host would never log or
 *    act on it.  After the exit, the host's handler is called as if the
 *    #MC had hit user space, as KVM does (kvm_machine_check()).
 *  - #AC and #DB: a guest can make their delivery raise the same
 *    exception again (an #AC on a misaligned stack, a #DB on a data
 *    breakpoint over its own IDT or stack), and on real processors that
 *    loop runs inside microcode, where no interrupt can end it: the host
 *    CPU hangs (CVE-2015-5307, CVE-2015-8104).  Intercepted, each
 *    delivery is a VM exit, at which the host takes its interrupts; the
 *    exception is then reflected into the guest unchanged.
 * The counts below show in /sys/kernel/debug/minikvm/intercepts.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <asm/mce.h>
#include <asm/processor-flags.h>
#include <asm/ptrace.h>

#include "../core/minikvm.h"

struct mkvm_intercept_counts mkvm_intercept_counts;

/**
 * mkvm_machine_check() - hand a #MC that exited the guest to the host
 *
 * Called right after the exit, interrupts still off.  The register frame
 * is made up: ring 3 and IF set, so the handler treats it as recoverable
 * in the way it treats an #MC in a user process.
 */
void mkvm_machine_check(void)
{
	struct pt_regs regs = {
		.cs = 3,
		.flags = X86_EFLAGS_IF,
	};

	mkvm_intercepted(mc);
#ifdef CONFIG_X86_MCE
	do_machine_check(&regs);
#endif
}

static int mkvm_intercepts_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "machine_check %ld\nalignment_check %ld\ndebug %ld\n",
		   atomic_long_read(&mkvm_intercept_counts.mc),
		   atomic_long_read(&mkvm_intercept_counts.ac),
		   atomic_long_read(&mkvm_intercept_counts.db));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mkvm_intercepts);

/**
 * mkvm_intercepts_init() - create intercepts in minikvm's debugfs directory
 * @dir: /sys/kernel/debug/minikvm
 */
void mkvm_intercepts_init(struct dentry *dir)
{
	debugfs_create_file("intercepts", 0444, dir, NULL, &mkvm_intercepts_fops);
}
