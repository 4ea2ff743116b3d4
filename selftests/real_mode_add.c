// SPDX-License-Identifier: GPL-2.0
/*
 * A real-mode guest adds two registers the host set, prints the sum in
 * decimal through the UART port 0x3f8 and halts.  The host emulates the
 * UART, checks the text, the register and the HLT exit.
 */
#include "kvm_util.h"

GUEST_CODE16(add_guest,
	"add %bx, %ax\n\t"		/* AX = AX + BX */
	"mov %ax, %si\n\t"		/* keep the sum for the host */
	"mov $10000, %cx\n\t"		/* print 5 digits, leading zeros dropped */
	"xor %di, %di\n"		/* DI: a digit was printed */
	"1:\n\t"
	"xor %dx, %dx\n\t"
	"div %cx\n\t"			/* AX = digit, DX = rest */
	"mov %dx, %bp\n\t"
	"or %ax, %di\n\t"
	"cmp $1, %cx\n\t"
	"je 2f\n\t"
	"test %di, %di\n\t"
	"jz 3f\n"
	"2:\n\t"
	"add $'0', %al\n\t"
	"mov $0x3f8, %dx\n\t"
	"out %al, %dx\n"
	"3:\n\t"
	"mov %cx, %ax\n\t"		/* CX /= 10 */
	"xor %dx, %dx\n\t"
	"mov $10, %bx\n\t"
	"div %bx\n\t"
	"mov %ax, %cx\n\t"
	"mov %bp, %ax\n\t"
	"test %cx, %cx\n\t"
	"jnz 1b\n\t"
	"mov $'\\n', %al\n\t"
	"mov $0x3f8, %dx\n\t"
	"out %al, %dx\n\t"
	"mov %si, %ax\n\t"
	"hlt\n\t");

static int run_add(uint16_t a, uint16_t b, char *out, size_t outlen, uint64_t *rax)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_regs regs;

	vm_load(vm, GUEST_LOAD, add_guest_start, add_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	vcpu_get_regs(vcpu, &regs);
	regs.rax = a;
	regs.rbx = b;
	vcpu_set_regs(vcpu, &regs);

	run_uart(vcpu, out, outlen);
	assert_exit(vcpu, KVM_EXIT_HLT);
	vcpu_get_regs(vcpu, &regs);
	*rax = regs.rax;
	vcpu_free(vcpu);
	vm_free(vm);
	return 0;
}

int main(void)
{
	static const uint16_t cases[][2] = { { 40, 2 }, { 1234, 4321 }, { 0, 0 }, { 65000, 535 } };
	char out[64], want[64];
	uint64_t rax;
	unsigned int i;

	ktap_plan(sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint16_t sum = cases[i][0] + cases[i][1];

		run_add(cases[i][0], cases[i][1], out, sizeof(out), &rax);
		snprintf(want, sizeof(want), "%u\n", sum);
		ktap_info("guest printed \"%.*s\" for %u + %u", (int)strlen(out) - 1, out,
			  cases[i][0], cases[i][1]);
		ktap_result(!strcmp(out, want) && (rax & 0xffff) == sum,
			    "real_mode_add_%u_%u", cases[i][0], cases[i][1]);
	}
	return ktap_finish();
}
