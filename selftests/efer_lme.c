// SPDX-License-Identifier: GPL-2.0
/*
 * EFER.LME set before CR4.PAE.  A guest may set LME while paging and PAE
 * are off, in either order with PAE, until it sets CR0.PG (APM Vol. 2,
 * 14.6.1).  QEMU's TCG cannot take a #VMEXIT in that state (it loses the
 * host CPU, see kmod/svm/cr.c), so this test also fails by hanging there
 * if minikvm ever runs such a guest with LME in the VMCB.
 *
 * The guest starts in 32-bit protected mode without paging, EFER = LME,
 * CR4.PAE clear, and:
 *  1. reads EFER (LME set) and reports: an exit in that state;
 *  2. sets CR0.PG: #GP, since long mode needs PAE;
 *  3. sets CR4.PAE, then CR0.PG: long mode (compatibility mode), LMA set;
 *  4. clears PG again and then PAE: LMA clear, LME still set, an exit in
 *     that state again, then it halts.
 */
#include "kvm_util.h"

#define GP_COUNT	0x9000
#define IDT_GPA		0xa000
#define STACK_TOP	0x8000
#define EFER_LME_BIT	0x100ull
#define EFER_LMA_BIT	0x400ull

#define G_FAIL(n) "mov $" STR(n) ", %ebx\n\t" G_UCALL(UCALL_ASSERT)

GUEST_CODE16(lme_guest,
	".code32\n"
	/* #GP: count it and skip the 3-byte MOV to CR0. */
	".globl lme_gp\n"
	"lme_gp:\n\t"
	"add $4, %esp\n\t"
	"addl $3, (%esp)\n\t"
	"incl " STR(GP_COUNT) "\n\t"
	"iret\n"
	".globl lme_main\n"
	"lme_main:\n\t"
	"mov $0xc0000080, %ecx\n\t"
	"rdmsr\n\t"
	"mov %eax, %ecx\n\t"
	G_SYNC(1)
	/* PG without PAE: #GP. */
	"mov %cr0, %eax\n\t"
	"or $0x80000000, %eax\n\t"
	"mov %eax, %cr0\n\t"
	"cmpl $1, " STR(GP_COUNT) "\n\t"
	"je 1f\n\t"
	G_FAIL(2)
	"1:\n\t"
	"mov %cr4, %eax\n\t"
	"or $0x20, %eax\n\t"
	"mov %eax, %cr4\n\t"
	"mov %cr0, %eax\n\t"
	"or $0x80000000, %eax\n\t"
	"mov %eax, %cr0\n\t"
	"mov $0xc0000080, %ecx\n\t"
	"rdmsr\n\t"
	"mov %eax, %ecx\n\t"
	G_SYNC(3)
	/* Out of long mode: PG off, then PAE off. */
	"mov %cr0, %eax\n\t"
	"and $0x7fffffff, %eax\n\t"
	"mov %eax, %cr0\n\t"
	"mov %cr4, %eax\n\t"
	"and $~0x20, %eax\n\t"
	"mov %eax, %cr4\n\t"
	"mov $0xc0000080, %ecx\n\t"
	"rdmsr\n\t"
	"mov %eax, %ecx\n\t"
	G_SYNC(4)
	"hlt\n\t"
	".code16\n\t");
extern const char lme_gp[], lme_main[];

#define GUEST_ADDR(sym) (GUEST_LOAD + (uint64_t)((sym) - lme_guest_start))

/* Run to the next SYNC; its value in EBX, the guest's EFER in ECX. */
static uint64_t run_sync(struct vcpu *vcpu, uint64_t *efer)
{
	struct ucall uc;

	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "ucall %llu, not a sync",
		    (unsigned long long)uc.cmd);
	*efer = uc.args[1];
	return uc.args[0];
}

int main(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	uint8_t *mem = vm->mem;
	struct kvm_sregs s;
	uint64_t efer;
	int v;

	ktap_plan(6);
	vm_load(vm, GUEST_LOAD, lme_guest_start, lme_guest_end);
	/*
	 * Long mode's tables, GDT and CR3, then paging, PAE and LMA off and
	 * a 32-bit code segment, in the GDT too (for IRET).
	 */
	vcpu_set_mode(vcpu, MODE_LONG, GUEST_ADDR(lme_main), STACK_TOP);
	((uint64_t *)(mem + GUEST_GDT))[1] = 0x00cf9b000000ffffull;
	for (v = 0; v < 32; v++)
		idt_set_gate(mem + IDT_GPA, v, GUEST_ADDR(lme_gp), false);
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	s.cs.l = 0;
	s.cs.db = 1;
	s.cr0 &= ~0x80000000ull;
	s.cr4 &= ~0x20ull;
	s.efer = EFER_LME_BIT;
	s.idt.base = IDT_GPA;
	s.idt.limit = 32 * 8 - 1;
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &s);

	ktap_result(run_sync(vcpu, &efer) == 1 && efer == EFER_LME_BIT, "guest_reads_lme");
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	ktap_info("sregs with paging and PAE off: efer %#llx cr0 %#llx cr4 %#llx",
		  (unsigned long long)s.efer, (unsigned long long)s.cr0,
		  (unsigned long long)s.cr4);
	ktap_result(s.efer == EFER_LME_BIT && !(s.cr0 & 0x80000000) && !(s.cr4 & 0x20),
		    "get_sregs_shows_lme");
	ktap_result(run_sync(vcpu, &efer) == 3 && efer == (EFER_LME_BIT | EFER_LMA_BIT) &&
		    *(uint32_t *)(mem + GP_COUNT) == 1,
		    "pg_without_pae_gp_then_long_mode");
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	ktap_result(s.efer == (EFER_LME_BIT | EFER_LMA_BIT) && (s.cr0 & 0x80000000) &&
		    (s.cr4 & 0x20), "get_sregs_shows_long_mode");
	ktap_result(run_sync(vcpu, &efer) == 4 && efer == EFER_LME_BIT,
		    "out_of_long_mode_lme_kept");
	vcpu_run(vcpu);
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	ktap_result(vcpu->run->exit_reason == KVM_EXIT_HLT && s.efer == EFER_LME_BIT &&
		    !(s.cr4 & 0x20), "halts_with_lme_and_pae_off");
	vcpu_free(vcpu);
	vm_free(vm);
	return ktap_finish();
}
