// SPDX-License-Identifier: GPL-2.0
/*
 * The exits a real-mode guest meets: IN and OUT of 1, 2 and 4 bytes (IN
 * data from userspace, upper bits of EAX kept for the short forms), #GP
 * injected for an MSR minikvm does not virtualize, #UD for VMCALL and
 * VMMCALL, both delivered through the guest's own IVT, and MOV to and
 * from DR7.  Then a task switch in 32-bit protected mode: VMX exits on
 * every task switch (SDM Vol. 3C, 25.1.2) and minikvm does not emulate
 * them, so it is an exit minikvm does not handle, reported as an
 * internal error with the raw reason; SVM does not intercept them and
 * the hardware switches to the new task.
 */
#include <cpuid.h>

#include "kvm_util.h"

GUEST_CODE16(exits_guest,
	/* IVT: #UD (6) and #GP (13) to the handlers below, segment 0x1000. */
	"xor %ax, %ax\n\t"
	"mov %ax, %es\n\t"
	"movw $(ud_handler - exits_guest_start), %es:0x18\n\t"
	"movw $0x1000, %es:0x1a\n\t"
	"movw $(gp_handler - exits_guest_start), %es:0x34\n\t"
	"movw $0x1000, %es:0x36\n\t"
	"mov $0xffffffff, %eax\n\t"
	"in $0x70, %al\n\t"
	"mov %eax, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $0xffffffff, %eax\n\t"
	"mov $0x1234, %dx\n\t"
	"in %dx, %ax\n\t"
	"mov %eax, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $0x1234, %dx\n\t"
	"in %dx, %eax\n\t"
	"mov %eax, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $0x2000, %dx\n\t"
	"mov $0x11223344, %eax\n\t"
	"out %al, %dx\n\t"
	"out %ax, %dx\n\t"
	"out %eax, %dx\n\t"
	"mov $0x12345678, %ecx\n\t"
	"rdmsr\n\t"			/* #GP: handler reports 13 */
	"vmcall\n\t"			/* #UD: handler reports 6 */
	"vmmcall\n\t"			/* #UD: handler reports 6 */
	"mov $0x401, %eax\n\t"
	"mov %eax, %dr7\n\t"
	"mov %dr7, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n"
	"gp_handler:\n\t"
	"mov $13, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"mov %sp, %bp\n\t"
	"addw $2, (%bp)\n\t"		/* past RDMSR */
	"iret\n"
	"ud_handler:\n\t"
	"mov $6, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"mov %sp, %bp\n\t"
	"addw $3, (%bp)\n\t"		/* past VMCALL / VMMCALL */
	"iret\n\t");

#define TSS_OLD		0x3000
#define TSS_NEW		0x3100

/* A far JMP to the TSS selector 0x20; the new task starts at its HLT. */
GUEST_CODE16(task_guest,
	".code32\n\t"
	"ljmp $0x20, $0\n"
	"task_new:\n\t"
	"hlt\n\t"
	".code16\n\t");
extern const char task_new[];

/* A present 32-bit TSS descriptor, DPL 0: type 9 available, 0xb busy. */
static uint64_t tss_desc(uint32_t base, uint8_t type)
{
	return 0x67 | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)(0x80 | type) << 40 |
	       (uint64_t)(base >> 24) << 56;
}

static void task_switch(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	uint64_t *gdt = (uint64_t *)((uint8_t *)vm->mem + GUEST_GDT);
	uint32_t *tss = (uint32_t *)((uint8_t *)vm->mem + TSS_NEW);
	unsigned int a = 0, b = 0, c = 0, d = 0;
	struct kvm_sregs s;
	bool intel;

	vm_load(vm, GUEST_LOAD, task_guest_start, task_guest_end);
	vcpu_set_mode(vcpu, MODE_PROT32, GUEST_LOAD, 0xf000);
	gdt[3] = tss_desc(TSS_OLD, 0xb);
	gdt[4] = tss_desc(TSS_NEW, 0x9);
	/* The new task's EIP, EFLAGS, ESP, ES, CS, SS, DS, FS, GS (SDM 8.2.1). */
	tss[0x20 / 4] = GUEST_LOAD + (task_new - task_guest_start);
	tss[0x24 / 4] = 2;
	tss[0x38 / 4] = 0xf000;
	tss[0x48 / 4] = 0x10;
	tss[0x4c / 4] = 0x08;
	tss[0x50 / 4] = 0x10;
	tss[0x54 / 4] = 0x10;
	tss[0x58 / 4] = 0x10;
	tss[0x5c / 4] = 0x10;
	tss[0x64 / 4] = 0x68 << 16;	/* no I/O bitmap */
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	s.gdt.limit = 5 * 8 - 1;
	s.tr.base = TSS_OLD;
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &s);

	__get_cpuid(0, &a, &b, &c, &d);
	intel = b == 0x756e6547;	/* "Genu" */
	vcpu_run(vcpu);
	if (intel) {
		ktap_info("task switch: exit %s, suberror %u, reason %#llx",
			  exit_reason_str(run->exit_reason), run->internal.suberror,
			  run->internal.data[0]);
		ktap_result(run->exit_reason == KVM_EXIT_INTERNAL_ERROR &&
			    run->internal.suberror == KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON &&
			    run->internal.data[0] == 9,
			    "vmx_task_switch_internal_error_with_reason");
	} else {
		kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
		ktap_info("task switch: exit %s, tr %#x", exit_reason_str(run->exit_reason),
			  s.tr.selector);
		ktap_result(run->exit_reason == KVM_EXIT_HLT && s.tr.selector == 0x20 &&
			    s.tr.base == TSS_NEW, "svm_task_switch_by_hardware");
	}
	vcpu_free(vcpu);
	vm_free(vm);
}

static uint64_t sync_arg(struct vcpu *vcpu)
{
	struct ucall uc;

	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "no sync");
	return uc.args[0];
}

/* Run to an I/O exit on PORT and check direction and size. */
static void *io_exit(struct vcpu *vcpu, uint16_t port, int dir, int size)
{
	struct kvm_run *run = vcpu->run;

	vcpu_run(vcpu);
	assert_exit(vcpu, KVM_EXIT_IO);
	TEST_ASSERT(run->io.port == port && run->io.direction == dir &&
		    run->io.size == size && run->io.count == 1,
		    "io exit port %#x dir %u size %u count %u", run->io.port,
		    run->io.direction, run->io.size, run->io.count);
	return (char *)run + run->io.data_offset;
}

int main(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	uint32_t v32;
	uint16_t v16;
	uint8_t *d;
	int ok;

	ktap_plan(9);
	vm_load(vm, GUEST_LOAD, exits_guest_start, exits_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);

	*(uint8_t *)io_exit(vcpu, 0x70, KVM_EXIT_IO_IN, 1) = 0x5a;
	ktap_result(sync_arg(vcpu) == 0xffffff5a, "in_1_byte_keeps_upper_bits");
	v16 = 0xbeef;
	memcpy(io_exit(vcpu, 0x1234, KVM_EXIT_IO_IN, 2), &v16, 2);
	ktap_result(sync_arg(vcpu) == 0xffffbeef, "in_2_bytes_keeps_upper_bits");
	v32 = 0xdeadbeef;
	memcpy(io_exit(vcpu, 0x1234, KVM_EXIT_IO_IN, 4), &v32, 4);
	ktap_result(sync_arg(vcpu) == 0xdeadbeef, "in_4_bytes");

	d = io_exit(vcpu, 0x2000, KVM_EXIT_IO_OUT, 1);
	ok = d[0] == 0x44;
	d = io_exit(vcpu, 0x2000, KVM_EXIT_IO_OUT, 2);
	memcpy(&v16, d, 2);
	ok &= v16 == 0x3344;
	d = io_exit(vcpu, 0x2000, KVM_EXIT_IO_OUT, 4);
	memcpy(&v32, d, 4);
	ktap_result(ok && v32 == 0x11223344, "out_1_2_4_bytes");

	ktap_result(sync_arg(vcpu) == 13, "unknown_msr_gp_in_guest");
	ktap_result(sync_arg(vcpu) == 6, "vmcall_ud_in_guest");
	ktap_result(sync_arg(vcpu) == 6, "vmmcall_ud_in_guest");

	ktap_result(sync_arg(vcpu) == 0x401, "mov_dr7_in_real_mode");
	vcpu_run(vcpu);
	assert_exit(vcpu, KVM_EXIT_HLT);
	vcpu_free(vcpu);
	vm_free(vm);
	task_switch();
	return ktap_finish();
}
