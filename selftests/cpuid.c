// SPDX-License-Identifier: GPL-2.0
/*
 * 10,000 guest CPUIDs are answered in the kernel: the guest checks every
 * answer against the first and against what a hypervisor must show (the
 * hypervisor bit set, VMX and SVM hidden), and only then reports to the
 * host, which compares the vendor and minikvm's signature with its own.
 */
#include <cpuid.h>

#include "kvm_util.h"

#define LOOPS 5000	/* two CPUIDs each */

GUEST_CODE16(cpuid_guest,
	"movw $" STR(LOOPS) ", 0x8000\n\t"
	"xor %eax, %eax\n\t"
	"cpuid\n\t"
	"mov %ebx, %esi\n\t"
	"mov %edx, %edi\n\t"
	"mov %ecx, %ebp\n"
	"1:\n\t"
	"xor %eax, %eax\n\t"
	"cpuid\n\t"
	"cmp %ebx, %esi\n\t"
	"jne 8f\n\t"
	"cmp %edx, %edi\n\t"
	"jne 8f\n\t"
	"cmp %ecx, %ebp\n\t"
	"jne 8f\n\t"
	"mov $1, %eax\n\t"
	"cpuid\n\t"
	"bt $31, %ecx\n\t"		/* hypervisor present */
	"jnc 8f\n\t"
	"bt $5, %ecx\n\t"		/* VMX hidden */
	"jc 8f\n\t"
	"decw 0x8000\n\t"
	"jnz 1b\n\t"
	/* Report the vendor, then the hypervisor signature. */
	"mov %esi, %ebx\n\t"
	"mov %edi, %ecx\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $0x40000000, %eax\n\t"
	"cpuid\n\t"
	"mov %eax, %esi\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $0x80000001, %eax\n\t"
	"cpuid\n\t"
	"mov %ecx, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	G_UCALL(UCALL_DONE)
	"8:\n\t"
	"mov $1, %ebx\n\t"
	"mov 0x8000, %cx\n\t"
	G_UCALL(UCALL_ASSERT));

int main(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	unsigned int a, b, c, d;
	struct ucall uc;

	ktap_plan(4);
	vm_load(vm, GUEST_LOAD, cpuid_guest_start, cpuid_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);

	/* The first exit to userspace is the report after all 10,000. */
	__cpuid(0, a, b, c, d);
	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "no sync");
	ktap_info("vendor %.4s%.4s...", (char *)&uc.args[0], (char *)&uc.args[1]);
	ktap_result((uint32_t)uc.args[0] == b && (uint32_t)uc.args[1] == d,
		    "ten_thousand_cpuids_in_kernel");

	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "no sync");
	ktap_result(!memcmp(&uc.args[0], "mini", 4) && !memcmp(&uc.args[1], "kvm", 4),
		    "hypervisor_signature_minikvm");

	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "no sync");
	ktap_result(!(uc.args[0] & (1 << 2)), "svm_hidden");

	ktap_result(run_to_ucall(vcpu, &uc) == UCALL_DONE, "guest_done");
	vcpu_free(vcpu);
	vm_free(vm);
	return ktap_finish();
}
