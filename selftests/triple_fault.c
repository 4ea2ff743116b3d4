// SPDX-License-Identifier: GPL-2.0
/*
 * A guest loads an empty IDT, enters protected mode and raises #UD: #UD
 * cannot be delivered, nor the #GP and #DF that follow, so the CPU shuts
 * down (SDM Vol. 3A, 7.15) and KVM_RUN reports KVM_EXIT_SHUTDOWN.  The vCPU
 * can then be reset through SET_SREGS/SET_REGS and run again.
 */
#include "kvm_util.h"

GUEST_CODE16(tf_guest,
	"xor %ax, %ax\n\t"
	"push %ax\n\t"
	"push %ax\n\t"
	"push %ax\n\t"
	"mov %sp, %bx\n\t"
	"lidt (%bx)\n\t"		/* base 0, limit 0 */
	"mov %cr0, %eax\n\t"
	"or $1, %eax\n\t"
	"mov %eax, %cr0\n\t"		/* PE: the IDT limit is checked */
	"ud2\n\t"
	"hlt\n\t");

GUEST_CODE16(ok_guest,
	"mov $7, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n\t");

int main(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_sregs sregs;
	struct ucall uc;

	ktap_plan(2);
	vm_load(vm, GUEST_LOAD, tf_guest_start, tf_guest_end);
	vm_load(vm, GUEST_LOAD + 0x1000, ok_guest_start, ok_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	vcpu_run(vcpu);
	ktap_info("exit %s", exit_reason_str(vcpu->run->exit_reason));
	ktap_result(vcpu->run->exit_reason == KVM_EXIT_SHUTDOWN, "triple_fault_shutdown");

	/* Back to a sane state: a fresh IDT and another entry point. */
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &sregs);
	sregs.idt.base = 0;
	sregs.idt.limit = 0x3ff;
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &sregs);
	vcpu_real_mode(vcpu, GUEST_SEG, 0x1000);
	ktap_result(run_to_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 7,
		    "vcpu_runs_after_shutdown");
	vcpu_free(vcpu);
	vm_free(vm);
	return ktap_finish();
}
