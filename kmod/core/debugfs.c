// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/minikvm: the directory, and its "objects" file, the
 * object counts for leak checks: how many VMs, vCPUs, pinned guest pages
 * and EPT/NPT tables exist right now, module-wide.  Every count is back
 * to 0 once the last VM is gone, which the leak selftests check.  The
 * other files come from the code they show: host_state, intercepts,
 * power and mitigations, and vms/, one directory of statistics per VM
 * (core/stats.c).
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "minikvm.h"
#include "../x86/spec.h"

struct mkvm_counts mkvm_counts;

static struct dentry *mkvm_debugfs_dir;
static struct dentry *mkvm_debugfs_vms_dir;

static int mkvm_objects_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "vms %ld\n", atomic_long_read(&mkvm_counts.vms));
	seq_printf(m, "vcpus %ld\n", atomic_long_read(&mkvm_counts.vcpus));
	seq_printf(m, "pinned_pages %ld\n", atomic_long_read(&mkvm_counts.pinned_pages));
	seq_printf(m, "tdp_tables %ld\n", atomic_long_read(&mkvm_counts.tdp_tables));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mkvm_objects);

/**
 * mkvm_debugfs_init() - create /sys/kernel/debug/minikvm and its files
 *
 * And host_state (x86/host_state_debugfs.c), intercepts (x86/intercept.c),
 * power (core/hw.c) and mitigations (x86/spec.c).
 * Failures are ignored, as debugfs wants: the files are for debugging.
 */
void mkvm_debugfs_init(void)
{
	mkvm_debugfs_dir = debugfs_create_dir("minikvm", NULL);
	debugfs_create_file("objects", 0444, mkvm_debugfs_dir, NULL, &mkvm_objects_fops);
	mkvm_host_state_init(mkvm_debugfs_dir);
	mkvm_intercepts_init(mkvm_debugfs_dir);
	mkvm_hw_debugfs_init(mkvm_debugfs_dir);
	mkvm_spec_debugfs_init(mkvm_debugfs_dir);
	mkvm_debugfs_vms_dir = debugfs_create_dir("vms", mkvm_debugfs_dir);
}

/**
 * mkvm_debugfs_vms() - the directory that holds one directory per VM
 *
 * Return: the dentry, or NULL or an error pointer when it does not exist.
 */
struct dentry *mkvm_debugfs_vms(void)
{
	return mkvm_debugfs_vms_dir;
}

/**
 * mkvm_debugfs_exit() - remove the debugfs files
 */
void mkvm_debugfs_exit(void)
{
	debugfs_remove_recursive(mkvm_debugfs_dir);
	mkvm_debugfs_dir = NULL;
	mkvm_debugfs_vms_dir = NULL;
}
