// SPDX-License-Identifier: GPL-2.0
/*
 * Every mode a program can set up through KVM_SET_SREGS: 16-bit real,
 * 32-bit protected flat, 32-bit paged (4 MiB pages), PAE (2 MiB pages)
 * and 64-bit long mode.  In each, the guest stores a pattern through its
 * segments and page tables, loads it back, prints what it loaded in hex
 * through the UART and halts with it in RBX; the host checks the text,
 * the pattern in guest memory, RBX and the mode in KVM_GET_SREGS.
 * Last, a guest that starts in real mode and enters long mode by itself
 * (GDT, CR4.PAE, CR3, EFER.LME through WRMSR, CR0.PG, a far jump).
 */
#include "kvm_util.h"

#define CODE_GPA	0x10000
#define DATA_GPA	0x8000

#define PATTERN16	0x1616cafe
#define PATTERN32	0x3232f00d
#define PATTERN64	0x6464deadbeef6464

/*
 * Print the low "digits" nibbles of "reg" (EBX or RBX) in hex, most
 * significant first, then a newline.  The same text assembles as 16-,
 * 32- and 64-bit code.
 */
#define PRINT_HEX(reg, digits)			\
	"mov $" STR(UART_PORT) ", %dx\n\t"	\
	"mov $" STR(digits) ", %ecx\n"		\
	"1:\n\t"				\
	"rol $4, " reg "\n\t"			\
	"mov %bl, %al\n\t"			\
	"and $0xf, %al\n\t"			\
	"add $'0', %al\n\t"			\
	"cmp $'9', %al\n\t"			\
	"jbe 2f\n\t"				\
	"add $7, %al\n"			\
	"2:\n\t"				\
	"out %al, %dx\n\t"			\
	"dec %ecx\n\t"			\
	"jnz 1b\n\t"				\
	"mov $'\\n', %al\n\t"		\
	"out %al, %dx\n\t"

/* Real mode: DS:DATA_GPA is linear GUEST_LOAD + DATA_GPA. */
GUEST_CODE16(guest16,
	"movl $" STR(PATTERN16) ", " STR(DATA_GPA) "\n\t"
	"mov " STR(DATA_GPA) ", %ebx\n\t"
	PRINT_HEX("%ebx", 8)
	"hlt\n\t");

GUEST_CODE16(guest32,
	".code32\n\t"
	"movl $" STR(PATTERN32) ", " STR(DATA_GPA) "\n\t"
	"mov " STR(DATA_GPA) ", %ebx\n\t"
	PRINT_HEX("%ebx", 8)
	"hlt\n\t"
	".code16\n\t");

/* 64-bit code: a 64-bit store and load at an absolute address. */
GUEST_CODE16(guest64,
	".code64\n\t"
	"movabs $" STR(PATTERN64) ", %rax\n\t"
	"mov %rax, " STR(DATA_GPA) "\n\t"
	"mov " STR(DATA_GPA) ", %rbx\n\t"
	PRINT_HEX("%rbx", 16)
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

/*
 * Run a guest set up in one mode and check what it printed, what it left
 * in memory and RBX, and the mode KVM_GET_SREGS reports.  m < 0 is real
 * mode.
 */
static bool run_mode(int m)
{
	struct vm *vm = vm_create(4 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	uint8_t *data = (uint8_t *)vm->mem + DATA_GPA;
	char out[32], want[32];
	struct kvm_sregs s;
	struct kvm_regs r;
	uint64_t pattern;
	bool ok;

	if (m < 0) {
		vm_load(vm, GUEST_LOAD, guest16_start, guest16_end);
		vcpu_real_mode(vcpu, GUEST_SEG, 0);
		data += GUEST_LOAD;
		pattern = PATTERN16;
	} else if (m == MODE_LONG) {
		vm_load(vm, CODE_GPA, guest64_start, guest64_end);
		vcpu_set_mode(vcpu, m, CODE_GPA, 0xf000);
		pattern = PATTERN64;
	} else {
		vm_load(vm, CODE_GPA, guest32_start, guest32_end);
		vcpu_set_mode(vcpu, m, CODE_GPA, 0xf000);
		pattern = PATTERN32;
	}
	snprintf(want, sizeof(want), m == MODE_LONG ? "%016llX\n" : "%08llX\n",
		 (unsigned long long)pattern);

	run_uart(vcpu, out, sizeof(out));
	vcpu_get_regs(vcpu, &r);
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	ok = vcpu->run->exit_reason == KVM_EXIT_HLT && !strcmp(out, want) && r.rbx == pattern;
	ok &= m == MODE_LONG ? *(uint64_t *)data == pattern : *(uint32_t *)data == pattern;
	ok &= !!(s.cr0 & 0x1) == (m >= 0);
	ok &= !!(s.cr0 & 0x80000000) == (m > MODE_PROT32);
	ok &= !!(s.cr4 & 0x20) == (m >= MODE_PAE);
	ok &= !!(s.efer & 0x400) == (m == MODE_LONG);
	ktap_info("%s: the guest printed %.*s", m < 0 ? "real_16" : guest_mode_names[m],
		  (int)strcspn(out, "\n"), out);
	if (!ok)
		ktap_info("exit %s, rbx %#llx, memory %#llx, cr0 %#llx cr4 %#llx efer %#llx",
			  exit_reason_str(vcpu->run->exit_reason), (unsigned long long)r.rbx,
			  (unsigned long long)*(uint64_t *)data, s.cr0, s.cr4, s.efer);
	vcpu_free(vcpu);
	vm_free(vm);
	return ok;
}

int main(void)
{
	int m;

	ktap_plan(NR_GUEST_MODES + 2);
	ktap_result(run_mode(-1), "real_16");
	for (m = MODE_PROT32; m < NR_GUEST_MODES; m++)
		ktap_result(run_mode(m), "%s", guest_mode_names[m]);
	ktap_result(real_to_long(), "real_to_long_by_itself");
	return ktap_finish();
}
