// SPDX-License-Identifier: GPL-2.0
/*
 * The system, VM and vCPU ioctls that need no guest code: API version,
 * truthful extensions, -ENOTTY for the unknown, vCPU ids, the kvm_run
 * mapping, register round trips, the RESET state, and fd lifetimes.
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_util.h"

#define UNKNOWN_IOCTL _IO(KVMIO, 0xfe)

GUEST_CODE16(hlt_guest, "hlt\n\t");

int main(void)
{
	int sys = open_kvm_dev();
	long r, size;
	int vm, vcpu, vcpu2;
	struct kvm_regs regs, regs2;
	struct kvm_sregs sregs;
	void *p;

	ktap_plan(14);

	ktap_result(__kvm_ioctl(sys, KVM_GET_API_VERSION, NULL) == 12, "api_version_is_12");

	ktap_result(__kvm_ioctl(sys, KVM_CHECK_EXTENSION, (void *)KVM_CAP_USER_MEMORY) == 1 &&
		    __kvm_ioctl(sys, KVM_CHECK_EXTENSION, (void *)KVM_CAP_IMMEDIATE_EXIT) == 1 &&
		    __kvm_ioctl(sys, KVM_CHECK_EXTENSION, (void *)KVM_CAP_NR_MEMSLOTS) == 32 &&
		    __kvm_ioctl(sys, KVM_CHECK_EXTENSION, (void *)KVM_CAP_MAX_VCPUS) == 16,
		    "extensions_offered");
	/*
	 * 0 = KVM_CAP_IRQCHIP, 11 = KVM_CAP_PIT, 16 = KVM_CAP_SYNC_MMU: not
	 * offered.  (25 is KVM_CAP_IRQ_ROUTING, offered: selftests/qemu_abi.c.)
	 */
	ktap_result(__kvm_ioctl(sys, KVM_CHECK_EXTENSION, (void *)0) == 0 &&
		    __kvm_ioctl(sys, KVM_CHECK_EXTENSION, (void *)11) == 0 &&
		    __kvm_ioctl(sys, KVM_CHECK_EXTENSION, (void *)16) == 0 &&
		    __kvm_ioctl(sys, KVM_CHECK_EXTENSION, (void *)0xdead) == 0,
		    "extensions_not_offered_are_0");

	vm = __kvm_ioctl(sys, KVM_CREATE_VM, (void *)1);
	ktap_result(vm == -EINVAL, "create_vm_bad_type_einval");
	vm = kvm_ioctl(sys, KVM_CREATE_VM, 0);

	ktap_result(__kvm_ioctl(sys, UNKNOWN_IOCTL, NULL) == -ENOTTY &&
		    __kvm_ioctl(vm, UNKNOWN_IOCTL, NULL) == -ENOTTY,
		    "unknown_ioctl_enotty_sys_vm");

	ktap_result(__kvm_ioctl(vm, KVM_CREATE_VCPU, (void *)16) == -EINVAL &&
		    __kvm_ioctl(vm, KVM_CREATE_VCPU, (void *)-1L) == -EINVAL,
		    "create_vcpu_bad_id_einval");
	vcpu = kvm_ioctl(vm, KVM_CREATE_VCPU, 0);
	ktap_result(__kvm_ioctl(vm, KVM_CREATE_VCPU, 0) == -EEXIST, "create_vcpu_duplicate_eexist");
	ktap_result(__kvm_ioctl(vcpu, UNKNOWN_IOCTL, NULL) == -ENOTTY, "unknown_ioctl_enotty_vcpu");

	size = kvm_ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	p = mmap(NULL, size + 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	r = p == MAP_FAILED ? -errno : 0;
	ktap_result(size >= 8192 && r == -EINVAL &&
		    mmap(NULL, 4096, PROT_READ, MAP_SHARED, vcpu, size) == MAP_FAILED,
		    "mmap_beyond_run_area_einval");

	/* The RESET state (SDM Vol. 3A, 10.1.1), as KVM reports it. */
	kvm_ioctl(vcpu, KVM_GET_REGS, &regs);
	kvm_ioctl(vcpu, KVM_GET_SREGS, &sregs);
	ktap_result(regs.rip == 0xfff0 && regs.rflags == 2 && sregs.cs.selector == 0xf000 &&
		    sregs.cs.base == 0xffff0000 && sregs.cs.limit == 0xffff &&
		    sregs.cr0 == 0x60000010 && sregs.efer == 0 && sregs.ds.type == 3,
		    "reset_state");

	memset(&regs, 0, sizeof(regs));
	regs.rax = 0x1111111111111111ull; regs.rbx = 2; regs.rcx = 3; regs.rdx = 4;
	regs.rsi = 5; regs.rdi = 6; regs.rsp = 7; regs.rbp = 8; regs.r8 = 9;
	regs.r15 = 0xf0f0f0f0f0f0f0f0ull; regs.rip = 0x1234; regs.rflags = 0x202;
	kvm_ioctl(vcpu, KVM_SET_REGS, &regs);
	kvm_ioctl(vcpu, KVM_GET_REGS, &regs2);
	ktap_result(!memcmp(&regs, &regs2, sizeof(regs)), "regs_round_trip");

	ktap_result(__kvm_ioctl(vcpu, KVM_GET_REGS, (void *)8) == -EFAULT &&
		    __kvm_ioctl(vcpu, KVM_SET_SREGS, (void *)8) == -EFAULT &&
		    __kvm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, (void *)8) == -EFAULT,
		    "bad_pointers_efault");

	/* A child (another mm) may not drive this VM, as in KVM. */
	if (fork() == 0)
		_exit(__kvm_ioctl(vcpu, KVM_GET_REGS, &regs) == -EIO ? 0 : 1);
	wait((int *)&r);
	ktap_result(WIFEXITED(r) && WEXITSTATUS(r) == 0, "other_process_eio");

	/* The vCPU fd keeps the VM alive after the VM fd is closed. */
	{
		struct vm *v = vm_create(1 << 20);
		struct vcpu *c = vcpu_add(v, 3);

		vm_load(v, GUEST_LOAD, hlt_guest_start, hlt_guest_end);
		vcpu_real_mode(c, GUEST_SEG, 0);
		close(v->fd);
		close(v->sys_fd);
		vcpu2 = c->fd;
		r = __vcpu_run(c);
		ktap_result(r == 0 && c->run->exit_reason == KVM_EXIT_HLT,
			    "vcpu_fd_keeps_vm_alive");
		close(vcpu2);
	}
	close(vcpu);
	close(vm);
	close(sys);
	return ktap_finish();
}
