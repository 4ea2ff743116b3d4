// SPDX-License-Identifier: GPL-2.0
/*
 * Every mode a program can set up through KVM_SET_SREGS: 32-bit protected
 * flat, 32-bit paged (4 MiB pages), PAE (2 MiB pages) and 64-bit long
 * mode.  In each, the guest writes a pattern to memory through its
 * segments and page tables and reports through the ucall port; the host
 * checks the pattern in guest memory and the mode in KVM_GET_SREGS.
 * Last, a guest that starts in real mode and enters long mode by itself
 * (GDT, CR4.PAE, CR3, EFER.LME through WRMSR, CR0.PG, a far jump).
 */
#include "kvm_util.h"

#define CODE_GPA	0x10000
#define DATA_GPA	0x8000

/* 32-bit code: store a pattern, report it, halt. */
GUEST_CODE16(guest32,
	".code32\n\t"
	"movl $0x32323232, " STR(DATA_GPA) "\n\t"
	"mov " STR(DATA_GPA) ", %ebx\n\t"
	"mov $" STR(UCALL_SYNC) ", %eax\n\t"
	"mov $" STR(UCALL_PORT) ", %dx\n\t"
	"out %eax, %dx\n\t"
	"hlt\n\t"
	".code16\n\t");

/* 64-bit code: a 64-bit store through RIP-independent addressing. */
GUEST_CODE16(guest64,
	".code64\n\t"
	"movabs $0x6464646464646464, %rax\n\t"
	"mov %rax, " STR(DATA_GPA) "\n\t"
	"mov " STR(DATA_GPA) ", %rbx\n\t"
	"mov $" STR(UCALL_SYNC) ", %eax\n\t"
	"mov $" STR(UCALL_PORT) ", %dx\n\t"
	"out %eax, %dx\n\t"
	"hlt\n\t"
	".code16\n\t");

/* Real mode at 1000:0000 (linear 0x10000) to long mode. */
GUEST_CODE16(to_long,
	"cli\n\t"
	"lgdtl (gdt_desc - to_long_start)\n\t"
	"mov %cr4, %eax\n\t"
	"or $0x20, %eax\n\t"			/* PAE */
	"mov %eax, %cr4\n\t"
	"mov $0x2000, %eax\n\t"
	"mov %eax, %cr3\n\t"
	"mov $0xc0000080, %ecx\n\t"
	"rdmsr\n\t"
	"or $0x100, %eax\n\t"			/* EFER.LME */
	"wrmsr\n\t"
	"mov %cr0, %eax\n\t"
	"or $0x80000001, %eax\n\t"		/* PG, PE: long mode is active */
	"mov %eax, %cr0\n\t"
	"ljmpl $0x08, $(0x10000 + in_long - to_long_start)\n"
	".code64\n"
	"in_long:\n\t"
	"mov $0x10, %ax\n\t"
	"mov %ax, %ds\n\t"
	"mov %ax, %ss\n\t"
	"movabs $0x474e4f4c4c4f4e47, %rax\n\t"
	"mov %rax, " STR(DATA_GPA) "\n\t"
	"mov %rax, %rbx\n\t"
	"mov $" STR(UCALL_SYNC) ", %eax\n\t"
	"mov $" STR(UCALL_PORT) ", %dx\n\t"
	"out %eax, %dx\n\t"
	"hlt\n\t"
	".balign 8\n"
	"gdt:\n\t"
	".quad 0, 0x00af9a000000ffff, 0x00cf92000000ffff\n"
	"gdt_desc:\n\t"
	".word 23\n\t"
	".long 0x10000 + gdt - to_long_start\n\t"
	".code16\n\t");

static bool real_to_long(void)
{
	struct vm *vm = vm_create(4 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	uint8_t *mem = vm->mem;
	struct kvm_sregs s;
	struct ucall uc;
	bool ok;

	vm_load(vm, GUEST_LOAD, to_long_start, to_long_end);
	((uint64_t *)(mem + 0x2000))[0] = 0x3003;
	((uint64_t *)(mem + 0x3000))[0] = 0x4003;
	((uint64_t *)(mem + 0x4000))[0] = 0x83;
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	ok = run_to_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 0x474e4f4c4c4f4e47ull &&
	     *(uint64_t *)(mem + DATA_GPA) == 0x474e4f4c4c4f4e47ull;
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	ktap_info("after the switch: efer %#llx cr0 %#llx cs.l %u", s.efer, s.cr0, s.cs.l);
	ok &= (s.efer & 0x500) == 0x500 && s.cs.l && (s.cr0 & 0x80000001) == 0x80000001;
	vcpu_free(vcpu);
	vm_free(vm);
	return ok;
}

static bool run_mode(enum guest_mode m)
{
	struct vm *vm = vm_create(4 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	uint8_t *mem = vm->mem;
	struct kvm_sregs s;
	struct ucall uc;
	uint64_t want;
	bool ok;

	if (m == MODE_LONG)
		vm_load(vm, CODE_GPA, guest64_start, guest64_end);
	else
		vm_load(vm, CODE_GPA, guest32_start, guest32_end);
	vcpu_set_mode(vcpu, m, CODE_GPA, 0xf000);

	want = m == MODE_LONG ? 0x6464646464646464ull : 0x32323232;
	ok = run_to_ucall(vcpu, &uc) == UCALL_SYNC;
	ok &= (m == MODE_LONG ? uc.args[0] : (uint32_t)uc.args[0]) == want;
	ok &= m == MODE_LONG ? *(uint64_t *)(mem + DATA_GPA) == want :
			    *(uint32_t *)(mem + DATA_GPA) == want;
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	ok &= !!(s.cr0 & 0x80000000) == (m != MODE_PROT32);
	ok &= !!(s.efer & 0x400) == (m == MODE_LONG);
	vcpu_run(vcpu);
	ok &= vcpu->run->exit_reason == KVM_EXIT_HLT;
	if (!ok)
		ktap_info("%s: guest reported %#llx, memory %#llx, exit %s", guest_mode_names[m],
			  (unsigned long long)uc.args[0],
			  (unsigned long long)*(uint64_t *)(mem + DATA_GPA),
			  exit_reason_str(vcpu->run->exit_reason));
	vcpu_free(vcpu);
	vm_free(vm);
	return ok;
}

int main(void)
{
	int m;

	ktap_plan(5);
	for (m = MODE_PROT32; m < NR_GUEST_MODES; m++)
		ktap_result(run_mode(m), "%s", guest_mode_names[m]);
	ktap_result(real_to_long(), "real_to_long_by_itself");
	return ktap_finish();
}
