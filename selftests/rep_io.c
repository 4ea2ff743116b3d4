// SPDX-License-Identifier: GPL-2.0
/*
 * String I/O: REP OUTSB hands userspace the whole string in kvm_run.io
 * (count and the data page), from a page the guest has not touched yet;
 * REP INSB stores what userspace put in the data page into guest memory;
 * a single OUTSW with an ES override moves one word; SI, DI and CX end
 * where the instructions leave them.
 */
#include "kvm_util.h"

#define MSG	"rep outsb through minikvm"

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

	ktap_plan(4);
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
	return ktap_finish();
}
