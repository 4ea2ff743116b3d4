// SPDX-License-Identifier: GPL-2.0
/*
 * Unloading: refused while a VM exists, done once it is gone, and then no
 * CPU is left in VMX operation or with EFER.SVME set.  EFER is read on
 * every CPU through /dev/cpu/N/msr; CR4.VMXE cannot be read from
 * userspace, so KVM is asked to create a VM, which it refuses with -EBUSY
 * if any CPU still has CR4.VMXE or EFER.SVME set.  The module is loaded
 * again at the end.  Run last.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_util.h"

#define MODULE_PATH "/lib/modules/minikvm.ko"
#define MSR_EFER 0xc0000080
#define EFER_SVME (1ull << 12)

static int delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

static int efer_svme_cpus(int *cpus)
{
	int cpu, set = 0;

	for (cpu = 0; ; cpu++) {
		char path[64];
		uint64_t efer;
		int fd;

		snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			break;
		TEST_ASSERT(pread(fd, &efer, 8, MSR_EFER) == 8, "read EFER on CPU %d", cpu);
		set += !!(efer & EFER_SVME);
		close(fd);
	}
	*cpus = cpu;
	return set;
}

int main(void)
{
	int sys = open_kvm_dev(), kvm, fd, r, cpus, svme;
	long vm, kvm_vm;

	ktap_plan(5);
	vm = kvm_ioctl(sys, KVM_CREATE_VM, 0);
	r = delete_module("minikvm");
	ktap_info("rmmod with a VM open: %s", strerror(-r));
	ktap_result(r == -EWOULDBLOCK || r == -EBUSY, "rmmod_refused_with_vm_open");
	close(vm);
	close(sys);

	r = delete_module("minikvm");
	ktap_result(r == 0 && access("/dev/minikvm", F_OK) != 0, "rmmod_after_vm_closed");

	svme = efer_svme_cpus(&cpus);
	ktap_info("%d CPUs, %d with EFER.SVME", cpus, svme);
	ktap_result(cpus >= 2 && svme == 0, "efer_svme_clear_on_every_cpu");

	kvm = open("/dev/kvm", O_RDWR);
	TEST_ASSERT(kvm >= 0, "/dev/kvm: %s", strerror(errno));
	kvm_vm = __kvm_ioctl(kvm, KVM_CREATE_VM, 0);
	ktap_result(kvm_vm >= 0, "kvm_enables_every_cpu_after_unload");
	if (kvm_vm >= 0)
		close(kvm_vm);
	close(kvm);

	fd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC);
	r = fd >= 0 ? syscall(SYS_finit_module, fd, "", 0) : -1;
	ktap_result(r == 0 && access("/dev/minikvm", F_OK) == 0, "module_loads_again");
	return ktap_finish();
}
