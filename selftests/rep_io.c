// SPDX-License-Identifier: GPL-2.0
/*
 * String I/O: REP OUTSB hands userspace the whole string in kvm_run.io
 * (count and the data page), from a page the guest has not touched yet;
 * REP INSB stores what userspace put in the data page into guest memory;
 * a single OUTSW with an ES override moves one word; SI, DI and CX end
 * where the instructions leave them.  Then the same in long mode, where
 * the buffers' linear addresses (0x40000000 up) are mapped by the guest to
 * physical 0x200000 up and a string crosses a page.  Last, the faults a
 * buffer can raise, which the exit comes before (SDM Vol. 3C, 25.1.1):
 * #PF with the error code and CR2 for a page that is not present (after
 * the elements before it are done), read-only with CR0.WP, or not the
 * user's at CPL 3, and #GP(0) for a non-canonical address.
 */
#include "kvm_util.h"

#define MSG	"rep outsb through minikvm"
#define MSG_LEN	25

GUEST_CODE16(rep_guest,
	"cld\n\t"
	"mov $(msg - rep_guest_start), %si\n\t"
	"mov $(msg_end - msg), %cx\n\t"
	"mov $0x2000, %dx\n\t"
	"rep outsb\n\t"
	"mov $(buf - rep_guest_start), %di\n\t"
	"mov $8, %cx\n\t"
	"mov $0x2001, %dx\n\t"
	"rep insb\n\t"
	"mov (buf - rep_guest_start), %ebx\n\t"
	"mov (buf + 4 - rep_guest_start), %ecx\n\t"
	G_UCALL(UCALL_SYNC)
	/* ES:0 is the message (1100:0000 = 1000:1000); DS:0 is this code. */
	"mov $0x1100, %ax\n\t"
	"mov %ax, %es\n\t"
	"xor %si, %si\n\t"
	"mov $0x2002, %dx\n\t"
	"es outsw\n\t"
	"mov %si, %bx\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n\t"
	".balign 4096\n"		/* a page the guest first touches with OUTSB */
	"msg:\n\t"
	".ascii \"" MSG "\"\n"
	"msg_end:\n"
	"buf:\n\t"
	".fill 8, 1, 0\n\t");

#define ALIAS		0x40000000	/* linear; the guest maps it to PHYS */
#define PHYS		0x200000
#define OUT_OFF		0xff8		/* the string crosses a page */
#define IN_OFF		0x2200

GUEST_CODE16(rep64_guest,
	".code64\n\t"
	"mov $" STR(ALIAS) " + " STR(OUT_OFF) ", %esi\n\t"
	"mov $" STR(MSG_LEN) ", %ecx\n\t"
	"mov $0x2000, %dx\n\t"
	"rep outsb\n\t"
	"mov $" STR(ALIAS) " + " STR(IN_OFF) ", %edi\n\t"
	"mov $8, %ecx\n\t"
	"mov $0x2001, %dx\n\t"
	"rep insb\n\t"
	"hlt\n\t"
	".code16\n\t");

static void long_mode(void)
{
	struct vm *vm = vm_create(4 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	uint8_t *mem = vm->mem;
	char out[64] = "";
	struct kvm_regs r;
	int exits = 0, i;
	size_t n = 0;
	uint8_t *data;

	vm_load(vm, GUEST_LOAD, rep64_guest_start, rep64_guest_end);
	vcpu_set_mode(vcpu, MODE_LONG, GUEST_LOAD, 0xf000);
	/* The first 2 MiB of the second GiB: physical PHYS. */
	((uint64_t *)(mem + GUEST_PT + 0x3000))[0] = PHYS | 0x83;
	_Static_assert(sizeof(MSG) - 1 == MSG_LEN, "MSG_LEN");
	memcpy(mem + PHYS + OUT_OFF, MSG, MSG_LEN);
	for (;;) {
		vcpu_run(vcpu);
		assert_exit(vcpu, KVM_EXIT_IO);
		if (run->io.port != 0x2000)
			break;
		TEST_ASSERT(run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 1 &&
			    n + run->io.count < sizeof(out), "bad OUTSB exit");
		memcpy(out + n, (char *)run + run->io.data_offset, run->io.count);
		n += run->io.count;
		exits++;
	}
	ktap_info("long mode OUTSB: \"%s\" in %d exit(s)", out, exits);
	ktap_result(!strcmp(out, MSG) && exits == 2, "rep_outsb_paged_across_pages");
	TEST_ASSERT(run->io.port == 0x2001 && run->io.count == 8, "bad INSB exit");
	data = (uint8_t *)run + run->io.data_offset;
	for (i = 0; i < 8; i++)
		data[i] = 0xb0 + i;
	vcpu_run(vcpu);
	assert_exit(vcpu, KVM_EXIT_HLT);
	vcpu_get_regs(vcpu, &r);
	ktap_result(!memcmp(mem + PHYS + IN_OFF, "\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7", 8) &&
		    r.rdi == ALIAS + IN_OFF + 8 && r.rsi == ALIAS + OUT_OFF + MSG_LEN &&
		    r.rcx == 0, "rep_insb_paged");
	vcpu_free(vcpu);
	vm_free(vm);
}

#define FAULT_STACK	0xf000
#define FAULT_IDT	0xa000
#define FAULT_TSS	0xb000
#define RO_OFF		0x400000	/* ALIAS + this: a read-only 2 MiB page */

/*
 * Each case puts where to go next in R15; the #PF and #GP handlers report
 * the vector in R9, the error code in RBX and CR2 in R8, then go there.
 */
GUEST_CODE16(fault_guest,
	".code64\n\t"
	/* Two bytes fit before the unmapped ALIAS + 2 MiB, then #PF. */
	"lea 1f(%rip), %r15\n\t"
	"mov $" STR(ALIAS) " + 0x1ffffe, %edi\n\t"
	"mov $4, %ecx\n\t"
	"mov $0x2001, %dx\n\t"
	"rep insb\n\t"
	"hlt\n"
	"1:\n\t"
	"lea 1f(%rip), %r15\n\t"
	"mov $" STR(ALIAS) " + " STR(RO_OFF) " + 0x10, %edi\n\t"
	"mov $0x2001, %dx\n\t"
	"insb\n\t"
	"hlt\n"
	"1:\n\t"
	"lea 1f(%rip), %r15\n\t"
	"mov $" STR(ALIAS) " + 0x600020, %esi\n\t"
	"mov $0x2000, %dx\n\t"
	"outsb\n\t"
	"hlt\n"
	"1:\n\t"
	"lea 1f(%rip), %r15\n\t"
	"movabs $0x800000000000, %rsi\n\t"
	"outsb\n\t"
	"hlt\n"
	"1:\n\t"
	"hlt\n"
	/* Entered at CPL 3 with IOPL 3: ALIAS is the supervisor's. */
	"fault_user:\n\t"
	"mov $" STR(ALIAS) " + 0x30, %edi\n\t"
	"mov $0x2001, %dx\n\t"
	"insb\n\t"
	"hlt\n"
	"fault_pf:\n\t"
	"pop %rbx\n\t"
	"mov %cr2, %r8\n\t"
	"mov $14, %r9d\n\t"
	"jmp 2f\n"
	"fault_gp:\n\t"
	"pop %rbx\n\t"
	"mov $13, %r9d\n"
	"2:\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $" STR(FAULT_STACK) ", %rsp\n\t"
	"jmp *%r15\n\t"
	".code16\n\t");

extern const char fault_user[], fault_pf[], fault_gp[];
#define FAULT_ADDR(sym) (GUEST_LOAD + (uint64_t)((sym) - fault_guest_start))

/* Run to the handler's ucall; true when it saw @vector, @error and @cr2. */
static bool fault_seen(struct vcpu *vcpu, struct kvm_regs *r, uint64_t vector,
		       uint64_t error, uint64_t cr2)
{
	struct ucall uc;

	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "no sync");
	vcpu_get_regs(vcpu, r);
	ktap_info("vector %llu error %#llx cr2 %#llx", (unsigned long long)r->r9,
		  (unsigned long long)r->rbx, (unsigned long long)r->r8);
	return r->r9 == vector && r->rbx == error && (vector != 14 || r->r8 == cr2);
}

static void faults(void)
{
	struct vm *vm = vm_create(4 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	uint8_t *mem = vm->mem;
	uint64_t *pd1 = (uint64_t *)(mem + GUEST_PT + 0x3000);	/* the second GiB */
	uint64_t *gdt = (uint64_t *)(mem + GUEST_GDT);
	struct kvm_sregs s;
	struct kvm_regs r;
	uint8_t *data;

	vm_load(vm, GUEST_LOAD, fault_guest_start, fault_guest_end);
	vcpu_set_mode(vcpu, MODE_LONG, GUEST_LOAD, FAULT_STACK);
	pd1[0] = PHYS | 0x83;		/* P, RW, PS */
	pd1[1] = 0;
	pd1[2] = PHYS | 0x81;		/* P, PS: read-only */
	pd1[3] = 0;
	idt_set_gate(mem + FAULT_IDT, 13, FAULT_ADDR(fault_gp), true);
	idt_set_gate(mem + FAULT_IDT, 14, FAULT_ADDR(fault_pf), true);
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	s.cr0 |= 0x10000;		/* WP */
	s.idt.base = FAULT_IDT;
	s.idt.limit = 32 * 16 - 1;
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &s);

	vcpu_run(vcpu);
	assert_exit(vcpu, KVM_EXIT_IO);
	TEST_ASSERT(run->io.port == 0x2001 && run->io.count == 2, "INSB count %u", run->io.count);
	data = (uint8_t *)run + run->io.data_offset;
	data[0] = 0xc0;
	data[1] = 0xc1;
	ktap_result(fault_seen(vcpu, &r, 14, 0x2, ALIAS + 0x200000) &&
		    r.rdi == ALIAS + 0x200000 && r.rcx == 2 &&
		    !memcmp(mem + PHYS + 0x1ffffe, "\xc0\xc1", 2), "rep_insb_pf_not_present");
	ktap_result(fault_seen(vcpu, &r, 14, 0x3, ALIAS + RO_OFF + 0x10), "insb_pf_read_only");
	ktap_result(fault_seen(vcpu, &r, 14, 0x0, ALIAS + 0x600020), "outsb_pf_not_present");
	ktap_result(fault_seen(vcpu, &r, 13, 0, 0), "outsb_gp_non_canonical");
	vcpu_run(vcpu);
	assert_exit(vcpu, KVM_EXIT_HLT);

	/*
	 * CPL 3: user code and data descriptors (GDT 0x28, 0x30), the low
	 * 2 MiB the user's, and a TSS whose RSP0 is the handlers' stack.
	 */
	gdt[5] = 0x00affb000000ffffull;
	gdt[6] = 0x00cff3000000ffffull;
	*(uint64_t *)(mem + GUEST_PT) |= 4;		/* PML4[0] */
	*(uint64_t *)(mem + GUEST_PT + 0x1000) |= 4;	/* PDPT[0] */
	*(uint64_t *)(mem + GUEST_PT + 0x2000) |= 4;	/* PD[0] */
	*(uint64_t *)(mem + FAULT_TSS + 4) = FAULT_STACK;
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	s.gdt.limit = 7 * 8 - 1;
	s.cs.selector = 0x2b;
	s.cs.dpl = 3;
	s.ss.selector = 0x33;
	s.ss.dpl = 3;
	s.ds = s.es = s.ss;
	s.tr.base = FAULT_TSS;
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &s);
	vcpu_get_regs(vcpu, &r);
	r.rip = FAULT_ADDR(fault_user);
	r.rsp = FAULT_STACK - 0x800;
	r.rflags = 0x3002;		/* IOPL 3 */
	vcpu_set_regs(vcpu, &r);
	ktap_result(fault_seen(vcpu, &r, 14, 0x7, ALIAS + 0x30), "insb_pf_user");
	vcpu_free(vcpu);
	vm_free(vm);
}

int main(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	char out[64] = "";
	size_t n = 0;
	struct ucall uc;
	uint8_t *data;
	int exits = 0, i;

	ktap_plan(11);
	vm_load(vm, GUEST_LOAD, rep_guest_start, rep_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);

	for (;;) {
		vcpu_run(vcpu);
		assert_exit(vcpu, KVM_EXIT_IO);
		if (run->io.port != 0x2000)
			break;
		TEST_ASSERT(run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 1 &&
			    n + run->io.count < sizeof(out), "bad OUTSB exit");
		memcpy(out + n, (char *)run + run->io.data_offset, run->io.count);
		n += run->io.count;
		exits++;
	}
	ktap_info("OUTSB: \"%s\" in %d exit(s)", out, exits);
	ktap_result(!strcmp(out, MSG), "rep_outsb_whole_string");

	TEST_ASSERT(run->io.port == 0x2001 && run->io.direction == KVM_EXIT_IO_IN &&
		    run->io.size == 1, "bad INSB exit");
	ktap_info("INSB: count %u", run->io.count);
	data = (uint8_t *)run + run->io.data_offset;
	for (i = 0; i < (int)run->io.count; i++)
		data[i] = 0xa0 + i;
	TEST_ASSERT(run->io.count == 8, "INSB count %u", run->io.count);
	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "no sync");
	ktap_result((uint32_t)uc.args[0] == 0xa3a2a1a0 && (uint32_t)uc.args[1] == 0xa7a6a5a4,
		    "rep_insb_into_guest_memory");

	vcpu_run(vcpu);
	assert_exit(vcpu, KVM_EXIT_IO);
	ktap_result(run->io.port == 0x2002 && run->io.size == 2 && run->io.count == 1 &&
		    !memcmp((char *)run + run->io.data_offset, "re", 2), "outsw_with_es_override");
	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "no sync");
	ktap_result((uc.args[0] & 0xffff) == 2, "si_advanced");
	vcpu_free(vcpu);
	vm_free(vm);
	long_mode();
	faults();
	return ktap_finish();
}
