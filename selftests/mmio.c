// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: guests in real mode, 32-bit protected, 32-bit paged, PAE and long
 * mode drive a small register file in userspace (64 bytes outside every
 * slot) with the moves drivers use: every size, immediates, registers with
 * and without REX, AH-style byte registers, MOVZX/MOVSX, memory offsets,
 * operand- and address-size prefixes.  The host checks each exit (address,
 * length, direction, data) and the registers the reads filled.  In the
 * paged modes the code runs at linear 0x40010000, which the guest's page
 * tables map to physical 0x10000, so the instruction fetch must go through
 * them.  Then a read-only slot (reads are plain memory, a write is an MMIO
 * exit and leaves memory alone), an instruction minikvm cannot decode
 * (reported with its bytes), and the slot flags KVM checks.
 */
#include <sys/mman.h>

#include "kvm_util.h"

#define DEV_SIZE	64
#define DEV_HIGH	0xd0000000	/* the device, for the paged modes */
#define DEV_LOW		0xa0000u	/* and for real mode (segment 0xa000) */
#define CODE_GPA	0x10000
#define CODE_ALIAS	0x40010000u	/* linear address of CODE_GPA when paged */
#define RO_GPA		0x200000
#define MAX_LOG		32

struct access {
	uint64_t addr;
	uint32_t len;
	bool write;
	uint64_t data;
};

static uint8_t dev[DEV_SIZE];
static struct access log_[MAX_LOG];
static int nlog;

GUEST_CODE16(real_guest,
	"mov $0xa000, %ax\n\t"
	"mov %ax, %es\n\t"
	"movb $0x61, %es:0\n\t"			/* C6, 16-bit disp */
	"movw $0x6362, %es:2\n\t"		/* C7 */
	"mov $0x12345678, %eax\n\t"
	"mov %eax, %es:4\n\t"			/* 66 A3, 16-bit moffs */
	"mov %es:8, %bx\n\t"			/* 8B */
	"xor %edi, %edi\n\t"
	"addr32 mov %es:(%edi), %ecx\n\t"	/* 67 66 8B: 32-bit address */
	"hlt\n\t");

GUEST_CODE16(guest32,
	".code32\n\t"
	"mov $" STR(DEV_HIGH) ", %edi\n\t"
	"movb $0x41, (%edi)\n\t"
	"mov $0x4342, %ax\n\t"
	"mov %ax, 2(%edi)\n\t"			/* 66 89 */
	"mov 4(%edi), %ebx\n\t"
	"movzbl 8(%edi), %ecx\n\t"
	"mov $-1, %edx\n\t"
	"movsbw 8(%edi), %dx\n\t"		/* 66 0F BE */
	"hlt\n\t"
	".code16\n\t");

GUEST_CODE16(guest64,
	".code64\n\t"
	"mov $" STR(DEV_HIGH) ", %edi\n\t"
	"movb $0x11, 0(%rdi)\n\t"
	"movw $0x2222, 2(%rdi)\n\t"
	"movl $0x33333333, 4(%rdi)\n\t"
	"movq $-2, 8(%rdi)\n\t"			/* imm32 sign-extended */
	"movabs $0x8877665544332211, %rax\n\t"
	"mov %rax, 16(%rdi)\n\t"
	"mov $0x1234, %eax\n\t"
	"mov %ah, 24(%rdi)\n\t"			/* 88, no REX: AH */
	"mov $0x5a5a5a5a, %r9d\n\t"
	"mov %r9d, 28(%rdi)\n\t"		/* REX.R */
	"mov $-1, %rbx\n\t"
	"mov $-1, %rcx\n\t"
	"mov $-1, %rdx\n\t"
	"mov $-1, %r14\n\t"
	"mov 0(%rdi), %bl\n\t"
	"mov 2(%rdi), %cx\n\t"
	"mov 4(%rdi), %edx\n\t"			/* clears bits 63:32 */
	"mov 8(%rdi), %rsi\n\t"
	"movzbl 32(%rdi), %r8d\n\t"
	"movsbq 32(%rdi), %r10\n\t"
	"movzwl 34(%rdi), %r11d\n\t"
	"movswl 34(%rdi), %r12d\n\t"
	"mov 24(%rdi), %bh\n\t"
	"mov 40(%rdi), %r14w\n\t"		/* 66 REX.R 8B */
	"movabs " STR(DEV_HIGH) "+16, %rax\n\t"	/* REX.W A1, 64-bit moffs */
	"hlt\n\t"
	/* A read-only slot: a read is memory, a write an MMIO exit. */
	"mov $" STR(RO_GPA) ", %esi\n\t"
	"mov (%rsi), %eax\n\t"
	"movl $0x77, (%rsi)\n\t"
	"mov (%rsi), %ebx\n\t"
	"hlt\n\t"
	/* Not a move: minikvm reports it with its bytes. */
	"add %eax, 40(%rdi)\n\t"
	"hlt\n\t"
	".code16\n\t");

/* Run until HLT, playing the device; false on any other exit. */
static bool run_device(struct vcpu *vcpu, uint64_t base)
{
	struct kvm_run *run = vcpu->run;

	for (;;) {
		vcpu_run(vcpu);
		if (run->exit_reason == KVM_EXIT_HLT)
			return true;
		if (run->exit_reason != KVM_EXIT_MMIO || nlog == MAX_LOG ||
		    run->mmio.len > 8 || run->mmio.phys_addr < base ||
		    run->mmio.phys_addr + run->mmio.len > base + DEV_SIZE) {
			ktap_info("unexpected exit %s", exit_reason_str(run->exit_reason));
			if (run->exit_reason == KVM_EXIT_MMIO)
				ktap_info("  mmio at %#llx len %u", run->mmio.phys_addr,
					  run->mmio.len);
			return false;
		}
		log_[nlog] = (struct access){ run->mmio.phys_addr, run->mmio.len,
					      run->mmio.is_write, 0 };
		if (run->mmio.is_write)
			memcpy(&dev[run->mmio.phys_addr - base], run->mmio.data, run->mmio.len);
		else
			memcpy(run->mmio.data, &dev[run->mmio.phys_addr - base], run->mmio.len);
		memcpy(&log_[nlog].data, run->mmio.data, run->mmio.len);
		nlog++;
	}
}

static void dev_reset(void)
{
	memset(dev, 0, sizeof(dev));
	dev[4] = 0x44; dev[5] = 0x33; dev[6] = 0x22; dev[7] = 0x11;
	dev[8] = 0x80; dev[9] = 0x7f;
	dev[32] = 0x80; dev[34] = 0x81; dev[35] = 0x80;
	dev[40] = 0xef; dev[41] = 0xbe;
	nlog = 0;
}

/* Compare the access log with what the guest code above must produce. */
static bool check_log(const struct access *want, int n, uint64_t base)
{
	bool ok = nlog == n;
	int i;

	for (i = 0; ok && i < n; i++) {
		ok = log_[i].addr == base + want[i].addr && log_[i].len == want[i].len &&
		     log_[i].write == want[i].write &&
		     (!want[i].write || log_[i].data == want[i].data);
		if (!ok)
			ktap_info("access %d: %#llx len %u %s %#llx", i,
				  (unsigned long long)log_[i].addr, log_[i].len,
				  log_[i].write ? "write" : "read",
				  (unsigned long long)log_[i].data);
	}
	if (nlog != n)
		ktap_info("%d accesses, %d expected", nlog, n);
	return ok;
}

static bool check_reg(const char *name, uint64_t got, uint64_t want)
{
	if (got != want)
		ktap_info("%s = %#llx, expected %#llx", name, (unsigned long long)got,
			  (unsigned long long)want);
	return got == want;
}

static void test_real(void)
{
	static const struct access want[] = {
		{ 0, 1, true, 0x61 }, { 2, 2, true, 0x6362 }, { 4, 4, true, 0x12345678 },
		{ 8, 2, false, 0 }, { 0, 4, false, 0 },
	};
	struct vm *vm = vm_create(0x80000);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_regs r;
	bool ok;

	dev_reset();
	vm_load(vm, GUEST_LOAD, real_guest_start, real_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	ok = run_device(vcpu, DEV_LOW) && check_log(want, 5, DEV_LOW);
	vcpu_get_regs(vcpu, &r);
	ok &= check_reg("bx", r.rbx & 0xffff, 0x7f80);
	ok &= check_reg("ecx", r.rcx & 0xffffffff, 0x63620061);
	ktap_result(ok, "mmio_real_mode");
	vcpu_free(vcpu);
	vm_free(vm);
}

static void test_32(enum guest_mode mode)
{
	static const struct access want[] = {
		{ 0, 1, true, 0x41 }, { 2, 2, true, 0x4342 }, { 4, 4, false, 0 },
		{ 8, 1, false, 0 }, { 8, 1, false, 0 },
	};
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	uint8_t *pt = (uint8_t *)vm->mem + GUEST_PT;
	struct kvm_regs r;
	bool ok;

	dev_reset();
	vm_load(vm, CODE_GPA, guest32_start, guest32_end);
	vcpu_set_mode(vcpu, mode, mode == MODE_PROT32 ? CODE_GPA : CODE_ALIAS, 0xf000);
	/* The GiB at 0x40000000 starts with an alias of physical 0. */
	if (mode == MODE_PAGED32)
		((uint32_t *)pt)[CODE_ALIAS >> 22] = 0x83;
	else if (mode == MODE_PAE)
		((uint64_t *)(pt + 0x3000))[0] = 0x83;
	ok = run_device(vcpu, DEV_HIGH) && check_log(want, 5, DEV_HIGH);
	vcpu_get_regs(vcpu, &r);
	ok &= check_reg("ebx", r.rbx & 0xffffffff, 0x11223344);
	ok &= check_reg("ecx", r.rcx & 0xffffffff, 0x80);
	ok &= check_reg("edx", r.rdx & 0xffffffff, 0xffffff80);
	ktap_result(ok, "mmio_%s", guest_mode_names[mode]);
	vcpu_free(vcpu);
	vm_free(vm);
}

static void test_64(void)
{
	static const struct access want[] = {
		{ 0, 1, true, 0x11 }, { 2, 2, true, 0x2222 }, { 4, 4, true, 0x33333333 },
		{ 8, 8, true, 0xfffffffffffffffeull }, { 16, 8, true, 0x8877665544332211ull },
		{ 24, 1, true, 0x12 }, { 28, 4, true, 0x5a5a5a5a },
		{ 0, 1, false, 0 }, { 2, 2, false, 0 }, { 4, 4, false, 0 }, { 8, 8, false, 0 },
		{ 32, 1, false, 0 }, { 32, 1, false, 0 }, { 34, 2, false, 0 }, { 34, 2, false, 0 },
		{ 24, 1, false, 0 }, { 40, 2, false, 0 }, { 16, 8, false, 0 },
	};
	struct kvm_userspace_memory_region ro;
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	uint8_t *pt = (uint8_t *)vm->mem + GUEST_PT;
	uint32_t *ro_mem;
	struct kvm_regs r;
	bool ok;

	dev_reset();
	vm_load(vm, CODE_GPA, guest64_start, guest64_end);
	vcpu_set_mode(vcpu, MODE_LONG, CODE_ALIAS, 0xf000);
	((uint64_t *)(pt + 0x3000))[0] = 0x83;
	ok = run_device(vcpu, DEV_HIGH) && check_log(want, sizeof(want) / sizeof(want[0]),
						     DEV_HIGH);
	vcpu_get_regs(vcpu, &r);
	ok &= check_reg("rbx", r.rbx, 0xffffffffffff1211ull);
	ok &= check_reg("rcx", r.rcx, 0xffffffffffff2222ull);
	ok &= check_reg("rdx", r.rdx, 0x33333333);
	ok &= check_reg("rsi", r.rsi, 0xfffffffffffffffeull);
	ok &= check_reg("r8", r.r8, 0x80);
	ok &= check_reg("r10", r.r10, 0xffffffffffffff80ull);
	ok &= check_reg("r11", r.r11, 0x8081);
	ok &= check_reg("r12", r.r12, 0xffff8081);
	ok &= check_reg("r14", r.r14, 0xffffffffffffbeefull);
	ok &= check_reg("rax", r.rax, 0x8877665544332211ull);
	ktap_result(ok, "mmio_long_64_every_size");

	/* A read-only slot of memory the process itself may only read. */
	ro_mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(ro_mem != MAP_FAILED, "mmap");
	ro_mem[0] = 0x5a5a5a5a;
	TEST_ASSERT(!mprotect(ro_mem, 4096, PROT_READ), "mprotect");
	ro = (struct kvm_userspace_memory_region){ .slot = 1, .flags = KVM_MEM_READONLY,
		.guest_phys_addr = RO_GPA, .memory_size = 4096,
		.userspace_addr = (uintptr_t)ro_mem };
	kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &ro);
	ro.flags = 0;	/* the READONLY flag of a slot cannot change */
	ktap_result(__kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &ro) == -EINVAL,
		    "readonly_flag_is_fixed");
	vcpu_run(vcpu);
	ok = run->exit_reason == KVM_EXIT_MMIO && run->mmio.phys_addr == RO_GPA &&
	     run->mmio.len == 4 && run->mmio.is_write && *(uint32_t *)run->mmio.data == 0x77;
	vcpu_run(vcpu);
	ok &= run->exit_reason == KVM_EXIT_HLT;
	vcpu_get_regs(vcpu, &r);
	ok &= check_reg("rax", r.rax, 0x5a5a5a5a) && check_reg("rbx", r.rbx, 0x5a5a5a5a);
	ok &= ro_mem[0] == 0x5a5a5a5a;
	ktap_result(ok, "readonly_slot_write_is_mmio");

	vcpu_run(vcpu);
	ok = run->exit_reason == KVM_EXIT_INTERNAL_ERROR &&
	     run->emulation_failure.suberror == KVM_INTERNAL_ERROR_EMULATION &&
	     (run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) &&
	     run->emulation_failure.insn_size >= 3 &&
	     !memcmp(run->emulation_failure.insn_bytes, "\x01\x47\x28", 3) &&
	     run->internal.data[3] == DEV_HIGH + 40;
	if (!ok)
		ktap_info("exit %s suberror %u bytes %02x %02x %02x", exit_reason_str(run->exit_reason),
			  run->internal.suberror, run->emulation_failure.insn_bytes[0],
			  run->emulation_failure.insn_bytes[1], run->emulation_failure.insn_bytes[2]);
	ktap_result(ok, "undecodable_reported_with_bytes");
	vcpu_free(vcpu);
	vm_free(vm);
	munmap(ro_mem, 4096);
}

static void test_flags(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct kvm_userspace_memory_region m = { .slot = 2, .guest_phys_addr = 1 << 20,
		.memory_size = 4096, .userspace_addr = (uintptr_t)vm->mem };
	bool ok;

	ok = __kvm_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, (void *)KVM_CAP_READONLY_MEM) == 1;
	m.flags = 1 << 2;	/* not a flag KVM defines */
	ok &= __kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &m) == -EINVAL;
	m.flags = KVM_MEM_READONLY | (1u << 31);
	ok &= __kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &m) == -EINVAL;
	ktap_result(ok, "readonly_cap_and_bad_flags");
	vm_free(vm);
}

int main(void)
{
	ktap_plan(9);
	test_real();
	test_32(MODE_PROT32);
	test_32(MODE_PAGED32);
	test_32(MODE_PAE);
	test_64();
	test_flags();
	return ktap_finish();
}
