// SPDX-License-Identifier: GPL-2.0
/*
 * Unloading: refused while a VM exists, done once it is gone, and then no
 * CPU is left in VMX operation or with EFER.SVME set.  EFER is read on
 * every CPU through /dev/cpu/N/msr; CR4.VMXE cannot be read from
 * userspace, so KVM is asked to create a VM, which it refuses with -EBUSY
 * if any CPU still has CR4.VMXE or EFER.SVME set.  Then the module is
 * loaded and unloaded RMMOD_CYCLES (default 100) times with a VM created,
 * run and destroyed in between, and the same checks repeated.  The module
 * is loaded again at the end.  Run last.
 *
 * The module file to load is $MINIKVM_KO (make -C selftests run_tests:
 * the build's minikvm.ko), /lib/modules/minikvm.ko by default, as in the
 * lanes.  Before it unloads anything the test skips unless it has that
 * file, /dev/kvm (kvm_intel or kvm_amd loaded) and /dev/cpu/0/msr (the
 * msr module).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_util.h"

#define MSR_EFER 0xc0000080
#define EFER_SVME (1ull << 12)

/* The minikvm.ko to load again: $MINIKVM_KO, or the lanes' copy. */
static const char *module_path;

GUEST_CODE16(hlt_guest, "hlt\n\t");

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

static int load_module(void)
{
	int fd = open(module_path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return r;
}

/* One VM with a vCPU that runs to its HLT. */
static void run_one_vm(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);

	vm_load(vm, GUEST_LOAD, hlt_guest_start, hlt_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	vcpu_run(vcpu);
	assert_exit(vcpu, KVM_EXIT_HLT);
	vcpu_free(vcpu);
	vm_free(vm);
}

/* Whether KVM can enable virtualization on every CPU. */
static bool kvm_can_create_vm(void)
{
	int kvm = open("/dev/kvm", O_RDWR);
	long kvm_vm;

	TEST_ASSERT(kvm >= 0, "/dev/kvm: %s", strerror(errno));
	kvm_vm = __kvm_ioctl(kvm, KVM_CREATE_VM, 0);
	if (kvm_vm >= 0)
		close(kvm_vm);
	close(kvm);
	return kvm_vm >= 0;
}

static void load_unload_cycles(void)
{
	/* make check's count; make soak runs 100. */
	long cycles = env_long("RMMOD_CYCLES", 20);
	int i, r = 0, cpus, failed_at = -1;

	for (i = 0; i < cycles && failed_at < 0; i++) {
		r = load_module();
		if (r) {
			failed_at = i;
			break;
		}
		run_one_vm();
		r = delete_module("minikvm");
		if (r || access("/dev/minikvm", F_OK) == 0)
			failed_at = i;
	}
	if (failed_at >= 0)
		ktap_info("cycle %d: %s", failed_at, strerror(-r));
	ktap_info("rmmod cycles=%ld, each with a VM run", cycles);
	ktap_result(failed_at < 0, "load_run_unload_cycles");
	ktap_result(efer_svme_cpus(&cpus) == 0 && kvm_can_create_vm(),
		    "cpus_clean_after_cycles");
}

int main(void)
{
	int sys = open_kvm_dev(), r, cpus, svme;
	long vm;

	module_path = env_path("MINIKVM_KO", "/lib/modules/minikvm.ko");
	require_file(module_path, false, "set MINIKVM_KO to the minikvm.ko that is loaded");
	require_device("/dev/kvm");
	require_file("/dev/cpu/0/msr", false, "modprobe msr");
	ktap_plan(7);
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

	ktap_result(kvm_can_create_vm(), "kvm_enables_every_cpu_after_unload");

	load_unload_cycles();
	r = load_module();
	ktap_result(r == 0 && access("/dev/minikvm", F_OK) == 0, "module_loads_again");
	return ktap_finish();
}
