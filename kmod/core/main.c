// SPDX-License-Identifier: GPL-2.0
/*
 * minikvm: module init and the /dev/minikvm ("system") file.
 *
 * Loading the module only probes the CPU and registers the device: VMX or
 * SVM is switched on when the first VM is created (core/hw.c), so minikvm
 * can sit loaded beside kvm_intel or kvm_amd.
 */
#define pr_fmt(fmt) "minikvm: " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "minikvm.h"
#include "../x86/spec.h"

const struct mkvm_ops *mkvm_ops;

bool mkvm_debug;
module_param_named(debug, mkvm_debug, bool, 0644);
MODULE_PARM_DESC(debug, "Dump guest state to dmesg on unexpected exits");

/**
 * mkvm_check_extension() - KVM_CHECK_EXTENSION, on /dev/minikvm or a VM fd
 * @cap: the KVM_CAP_* number
 *
 * Both fds give the same answers: no capability of minikvm depends on the
 * VM (KVM's kvm_vm_ioctl_check_extension_generic() serves both too).
 *
 * Return: 0 for a capability minikvm lacks, else 1 or the capability's
 * value.
 */
long mkvm_check_extension(unsigned long cap)
{
	switch (cap) {
	case KVM_CAP_XSAVE:
	case KVM_CAP_XCRS:
		return !!mkvm_xfeatures;
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_READONLY_MEM:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_SET_GUEST_DEBUG:
	case KVM_CAP_DEBUGREGS:
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_USER_NMI:
	case KVM_CAP_VCPU_EVENTS:
	case KVM_CAP_MP_STATE:
	case KVM_CAP_BINARY_STATS_FD:
	case KVM_CAP_CHECK_EXTENSION_VM:
	/* Size 0 deletes a slot; adjacent slots work as one range (core/vm.c). */
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
		return 1;
	case KVM_CAP_IRQ_ROUTING:
		/*
		 * KVM's number, which KVM reports with or without an
		 * irqchip: KVM_SET_GSI_ROUTING exists and behaves as KVM's
		 * for a VM without one (core/vm.c).
		 */
		return MKVM_MAX_IRQ_ROUTES;
	case KVM_CAP_ADJUST_CLOCK:
		return MKVM_CLOCK_FLAGS;	/* KVM_GET/SET_CLOCK (core/vm.c) */
	case KVM_CAP_MCE:
		return MKVM_MAX_MCE_BANKS;	/* banks KVM_X86_SETUP_MCE may give */
	case KVM_CAP_NR_MEMSLOTS:
		return MKVM_MAX_SLOTS;
	case KVM_CAP_NR_VCPUS:
	case KVM_CAP_MAX_VCPUS:
	case KVM_CAP_MAX_VCPU_ID:
		return MKVM_MAX_VCPUS;
	default:
		/* Truthful: a capability minikvm lacks answers 0. */
		return 0;
	}
}

static long mkvm_dev_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_API_VERSION:
		return arg ? -EINVAL : KVM_API_VERSION;
	case KVM_CREATE_VM:
		return mkvm_create_vm(arg);
	case KVM_CHECK_EXTENSION:
		return mkvm_check_extension(arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : MKVM_RUN_PAGES * PAGE_SIZE;
	case KVM_GET_MSR_INDEX_LIST:
		return mkvm_get_msr_index_list((void __user *)arg);
	case KVM_GET_SUPPORTED_CPUID:
		return mkvm_get_supported_cpuid((void __user *)arg);
	case KVM_X86_GET_MCE_CAP_SUPPORTED:
		return mkvm_get_mce_cap_supported((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mkvm_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= mkvm_dev_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice mkvm_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "minikvm",
	.fops	= &mkvm_dev_fops,
	.mode	= 0666,
};

/* Where each mandatory op sits in struct mkvm_ops, and its name. */
#define MKVM_OP_ENTRY(op) { offsetof(struct mkvm_ops, op), #op },
static const struct {
	size_t offset;
	const char *name;
} mkvm_mandatory_ops[] = {
	MKVM_X86_OPS(MKVM_OP_ENTRY)
};

#undef MKVM_OP_ENTRY

static bool mkvm_ops_complete(const struct mkvm_ops *ops)
{
	bool ok = true;
	int i;

	for (i = 0; i < ARRAY_SIZE(mkvm_mandatory_ops); i++) {
		const void *fn = *(const void * const *)((const char *)ops +
							 mkvm_mandatory_ops[i].offset);

		if (WARN(!fn, "minikvm: %s backend lacks %s\n", ops->name,
			 mkvm_mandatory_ops[i].name))
			ok = false;
	}
	return ok;
}

static int __init minikvm_init(void)
{
	int r;

	if (mkvm_vmx_probe() == 0) {
		mkvm_ops = &mkvm_vmx_ops;
	} else if (mkvm_svm_probe() == 0) {
		mkvm_ops = &mkvm_svm_ops;
	} else {
		pr_err("no usable VMX or SVM: the CPU lacks it or firmware disabled it\n");
		return -ENODEV;
	}
	if (!mkvm_ops_complete(mkvm_ops))
		return -EINVAL;

	mkvm_fpu_setup();
	r = mkvm_spec_init(mkvm_ops == &mkvm_vmx_ops);
	if (r)
		return r;
	r = mkvm_ops->hardware_setup();
	if (r)
		goto err_spec;
	r = mkvm_stats_init();
	if (r)
		goto err_setup;
	r = mkvm_hw_init();
	if (r)
		goto err_stats;
	/* Before the device: a VM's statistics go into its directory. */
	mkvm_debugfs_init();
	r = misc_register(&mkvm_dev);
	if (r) {
		pr_err("cannot register /dev/minikvm: %d\n", r);
		goto err_hw;
	}
	pr_info("loaded, %s backend\n", mkvm_ops->name);
	return 0;

err_hw:
	mkvm_debugfs_exit();
	mkvm_hw_exit();
err_stats:
	mkvm_stats_exit();
err_setup:
	mkvm_ops->hardware_unsetup();
err_spec:
	mkvm_spec_exit();
	return r;
}

static void __exit minikvm_exit(void)
{
	/* No VM exists here: every fd pins the module. */
	misc_deregister(&mkvm_dev);
	mkvm_debugfs_exit();
	mkvm_hw_exit();
	mkvm_stats_exit();
	mkvm_ops->hardware_unsetup();
	mkvm_spec_exit();
	pr_info("unloaded\n");
}

module_init(minikvm_init);
module_exit(minikvm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("minikvm: a small KVM-compatible hypervisor for VT-x and AMD-V");
