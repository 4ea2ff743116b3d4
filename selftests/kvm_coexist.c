// SPDX-License-Identifier: GPL-2.0
/*
 * minikvm beside kvm_intel / kvm_amd: whoever creates a VM second while
 * the other holds VMX/SVM gets -EBUSY, cleanly, and succeeds once the
 * other's VM is closed.  KVM runs the same guest as minikvm afterwards.
 */
#include <fcntl.h>
#include <unistd.h>

#include "kvm_util.h"

GUEST_CODE16(ok_guest,
	"mov $0x77, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n\t");

static bool guest_runs_on(const char *dev)
{
	struct vm *vm;
	struct vcpu *vcpu;
	struct ucall uc;
	bool ok;

	setenv("MINIKVM_DEVICE", dev, 1);
	vm = vm_create(1 << 20);
	vcpu = vcpu_add(vm, 0);
	vm_load(vm, GUEST_LOAD, ok_guest_start, ok_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	ok = run_to_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 0x77;
	vcpu_free(vcpu);
	vm_free(vm);
	return ok;
}

int main(void)
{
	int kvm, mkvm;
	long kvm_vm, mkvm_vm;

	/* Both modules must be loaded (kvm_intel or kvm_amd beside minikvm). */
	require_device("/dev/minikvm");
	require_device("/dev/kvm");
	kvm = open("/dev/kvm", O_RDWR);
	mkvm = open("/dev/minikvm", O_RDWR);
	ktap_plan(6);
	TEST_ASSERT(kvm >= 0, "/dev/kvm: %s", strerror(errno));
	TEST_ASSERT(mkvm >= 0, "/dev/minikvm: %s", strerror(errno));

	kvm_vm = kvm_ioctl(kvm, KVM_CREATE_VM, 0);
	mkvm_vm = __kvm_ioctl(mkvm, KVM_CREATE_VM, 0);
	ktap_result(mkvm_vm == -EBUSY, "minikvm_ebusy_while_kvm_vm_open");
	if (mkvm_vm >= 0)
		close(mkvm_vm);
	close(kvm_vm);

	mkvm_vm = __kvm_ioctl(mkvm, KVM_CREATE_VM, 0);
	ktap_result(mkvm_vm >= 0, "minikvm_works_after_kvm_vm_closed");
	ktap_result(guest_runs_on("/dev/minikvm"), "minikvm_runs_guest");

	kvm_vm = __kvm_ioctl(kvm, KVM_CREATE_VM, 0);
	ktap_info("KVM_CREATE_VM on /dev/kvm with a minikvm VM open: %s",
		  kvm_vm < 0 ? strerror(-kvm_vm) : "success");
	ktap_result(kvm_vm == -EBUSY, "kvm_fails_cleanly_while_minikvm_vm_open");
	if (kvm_vm >= 0)
		close(kvm_vm);
	if (mkvm_vm >= 0)
		close(mkvm_vm);

	kvm_vm = __kvm_ioctl(kvm, KVM_CREATE_VM, 0);
	ktap_result(kvm_vm >= 0, "kvm_works_after_minikvm_vm_closed");
	if (kvm_vm >= 0)
		close(kvm_vm);
	ktap_result(guest_runs_on("/dev/kvm"), "kvm_runs_same_guest");
	close(kvm);
	close(mkvm);
	return ktap_finish();
}
