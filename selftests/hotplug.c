// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug while a VM exists: taking CPU 1 offline switches VMX/SVM off
 * there (its VMCSs are VMCLEARed first), bringing it back switches it on
 * again, and the vCPU runs on CPU 1 before, during and after.  EFER.SVME is
 * read through /dev/cpu/1/msr where it applies.  A machine whose CPU 1
 * cannot go offline (one CPU, or not root) skips the test.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "kvm_util.h"

#define ONLINE "/sys/devices/system/cpu/cpu1/online"

GUEST_CODE16(count_guest,
	"xor %ebx, %ebx\n"
	"1:\n\t"
	"inc %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"jmp 1b\n\t");

static bool set_online(int on)
{
	int fd = open(ONLINE, O_WRONLY);
	bool ok = fd >= 0 && write(fd, on ? "1" : "0", 1) == 1;

	if (fd >= 0)
		close(fd);
	return ok;
}

static bool run_on(struct vcpu *vcpu, int cpu, uint64_t want)
{
	struct ucall uc;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) || sched_getcpu() != cpu)
		return false;
	return run_to_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == want;
}

/* 1 or 0 for EFER.SVME on CPU 1; -1 where the MSR cannot be read. */
static int cpu1_svme(void)
{
	uint64_t efer;
	int fd = open("/dev/cpu/1/msr", O_RDONLY);
	int r = -1;

	if (fd >= 0 && pread(fd, &efer, 8, 0xc0000080) == 8)
		r = !!(efer & (1 << 12));
	if (fd >= 0)
		close(fd);
	return r;
}

int main(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	bool svm;

	if (access(ONLINE, W_OK))
		ktap_exit_skip("%s: %s", ONLINE, strerror(errno));
	ktap_plan(6);
	vm_load(vm, GUEST_LOAD, count_guest_start, count_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	svm = cpu1_svme() == 1;
	ktap_info("backend %s", svm ? "svm (EFER.SVME set on CPU 1)" : "vmx");

	ktap_result(run_on(vcpu, 1, 1), "runs_on_cpu1");
	ktap_result(set_online(0), "cpu1_offline_with_vm");
	ktap_result(run_on(vcpu, 0, 2), "runs_on_cpu0_meanwhile");
	ktap_result(set_online(1) && (!svm || cpu1_svme() == 1), "cpu1_online_enabled_again");
	ktap_result(run_on(vcpu, 1, 3), "runs_on_cpu1_again");
	vcpu_free(vcpu);
	vm_free(vm);
	ktap_result(cpu1_svme() != 1, "cpu1_disabled_after_last_vm");
	return ktap_finish();
}
