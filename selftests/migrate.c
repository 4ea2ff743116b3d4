// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU thread hops between host CPUs 0 and 1 (sched_setaffinity)
 * before each of 10,000 KVM_RUNs; each run ends in an I/O exit carrying a
 * counter the guest increments.  The VMCS (VMCLEAR/VMPTRLD) or VMCB and
 * the TLB tags must follow the vCPU for the count to stay right.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <unistd.h>

#include "kvm_util.h"

#define EXITS 10000

GUEST_CODE16(count_guest,
	"xor %ebx, %ebx\n"
	"1:\n\t"
	"inc %ebx\n\t"
	"mov $" STR(UCALL_SYNC) ", %eax\n\t"
	"mov $" STR(UCALL_PORT) ", %dx\n\t"
	"out %eax, %dx\n\t"
	"jmp 1b\n\t");

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -1;
	return sched_getcpu();
}

int main(void)
{
	struct vm *vm;
	struct vcpu *vcpu;
	struct ucall uc;
	int i, hops = 0, bad = 0;

	ktap_plan(2);
	ktap_result(sysconf(_SC_NPROCESSORS_ONLN) >= 2 && pin_to(1) == 1 && pin_to(0) == 0,
		    "two_host_cpus");
	vm = vm_create(1 << 20);
	vcpu = vcpu_add(vm, 0);
	vm_load(vm, GUEST_LOAD, count_guest_start, count_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);

	for (i = 1; i <= EXITS; i++) {
		int cpu = pin_to(i & 1);

		hops += cpu == (i & 1);
		run_to_ucall(vcpu, &uc);
		if ((uint32_t)uc.args[0] != (uint32_t)i && bad++ < 5)
			ktap_info("exit %d: guest counter %llu", i,
				  (unsigned long long)uc.args[0]);
	}
	ktap_info("%d exits, %d of them after a hop to the other CPU", EXITS, hops);
	ktap_result(!bad && hops == EXITS, "ten_thousand_exits_across_cpus");
	vcpu_free(vcpu);
	vm_free(vm);
	return ktap_finish();
}
