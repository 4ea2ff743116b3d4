// SPDX-License-Identifier: GPL-2.0
/*
 * Invalid guest state: what KVM refuses in KVM_SET_SREGS is -EINVAL and
 * changes nothing; what it passes on to the hardware (a 64-bit code
 * segment with both L and D set, SDM Vol. 3C 26.3.1.2, APM Vol. 2 15.5.1)
 * comes back as KVM_EXIT_FAIL_ENTRY with the hardware's reason.  The same
 * vCPU then runs again once given a valid state, and so does a new VM.
 */
#include "kvm_util.h"

GUEST_CODE16(ok_guest,
	"mov $0x55, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n\t");

static long set_sregs(struct vcpu *vcpu, struct kvm_sregs *s)
{
	return __kvm_ioctl(vcpu->fd, KVM_SET_SREGS, s);
}

int main(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_sregs good, bad, now;
	struct ucall uc;
	uint64_t *pml4;
	int r;

	ktap_plan(8);
	vm_load(vm, GUEST_LOAD, ok_guest_start, ok_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &good);

	bad = good;
	bad.cr0 = 0x20000011;		/* NW without CD */
	ktap_result(set_sregs(vcpu, &bad) == -EINVAL, "cr0_nw_without_cd_einval");
	bad = good;
	bad.cr0 = 0x80000010;		/* PG without PE */
	ktap_result(set_sregs(vcpu, &bad) == -EINVAL, "cr0_pg_without_pe_einval");
	bad = good;
	bad.efer = 1ull << 20;		/* reserved */
	ktap_result(set_sregs(vcpu, &bad) == -EINVAL, "efer_reserved_einval");
	bad = good;
	bad.cr4 = 1ull << 13;		/* VMXE: no nested virtualization */
	r = set_sregs(vcpu, &bad);
	bad.cr4 = 1ull << 40;		/* reserved */
	ktap_result(r == -EINVAL && set_sregs(vcpu, &bad) == -EINVAL, "cr4_reserved_einval");
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &now);
	ktap_result(!memcmp(&now, &good, sizeof(now)), "refused_state_changed_nothing");

	/* Long mode with CS.L = CS.D = 1: accepted by KVM, refused by the CPU. */
	pml4 = (uint64_t *)((char *)vm->mem + 0x2000);
	pml4[0] = 0x3003;		/* PDPT at 0x3000 */
	((uint64_t *)((char *)vm->mem + 0x3000))[0] = 0x83;	/* 1 GiB page */
	bad = good;
	bad.cr0 = 0x80000011;		/* PG, ET, PE */
	bad.cr3 = 0x2000;
	bad.cr4 = 0x20;			/* PAE */
	bad.efer = 0x500;		/* LME, LMA */
	bad.cs.l = 1;
	bad.cs.db = 1;
	bad.cs.selector = 8;
	bad.cs.base = 0;
	bad.cs.limit = 0xffffffff;
	bad.cs.g = 1;
	r = set_sregs(vcpu, &bad);
	TEST_ASSERT(r == 0, "long-mode state refused: %d", r);
	r = __vcpu_run(vcpu);
	ktap_info("KVM_RUN %d, exit %s, hardware reason %#llx", r,
		  exit_reason_str(vcpu->run->exit_reason),
		  vcpu->run->fail_entry.hardware_entry_failure_reason);
	ktap_result(r == 0 && vcpu->run->exit_reason == KVM_EXIT_FAIL_ENTRY &&
		    vcpu->run->fail_entry.hardware_entry_failure_reason != 0,
		    "cs_l_and_d_fail_entry_with_reason");

	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &good);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	ktap_result(run_to_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 0x55,
		    "same_vcpu_runs_after_fail_entry");
	vcpu_free(vcpu);
	vm_free(vm);

	vm = vm_create(1 << 20);
	vcpu = vcpu_add(vm, 0);
	vm_load(vm, GUEST_LOAD, ok_guest_start, ok_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	ktap_result(run_to_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 0x55,
		    "new_vm_runs_after_fail_entry");
	vcpu_free(vcpu);
	vm_free(vm);
	return ktap_finish();
}
