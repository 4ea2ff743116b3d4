// SPDX-License-Identifier: GPL-2.0
/*
 * String I/O: REP OUTSB hands userspace the whole string in kvm_run.io
 * (count and the data page), from a page the guest has not touched yet;
 * REP INSB stores what userspace put in the data page into guest memory;
 * a single OUTSW with an ES override moves one word; SI, DI and CX end
 * where the instructions leave them.  Then the same in long mode, where
 * the buffers' linear addresses (0x40000000 up) are mapped by the guest to
 * physical 0x200000 up and a string crosses a page.
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

	ktap_plan(6);
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
	return ktap_finish();
}
