// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side checks of the C guest library (make unit): no VM, no device.
 * What can be shown without running a guest is shown here, on the same
 * code the selftests link:
 *  - image_maps_every_load_page: vm_init_guest_image() on a bare struct
 *    vm; an independent walk of its page tables finds every page of
 *    every PT_LOAD segment of this binary holding the file's bytes
 *    (zeros past p_filesz), writable exactly where a writable segment
 *    is, the library's own regions mapped and writable, guard pages and
 *    address 0 unmapped, no physical page used twice;
 *  - descriptor_tables: the GDT's code, data and TSS descriptors, all
 *    256 IDT gates (stub address, selector, IST 1, interrupt gate), the
 *    TSS's IST 1, and the special registers vm_guest_sregs() gives;
 *  - idt_stub_bytes: each stub pushes a 0 error code exactly where the
 *    CPU pushes none, then its vector, then jumps to the common part;
 *  - stubs_run_handler: a simulated exception frame (as the CPU builds
 *    it, at CPL 3 here) through the real stubs and IRETQ: the handler
 *    sees the vector, error code, RIP and every register, its changes to
 *    RIP and RBX take effect, XMM7 survives the handler clobbering it;
 *  - vsnprintf_matches_glibc: guest_snprintf() against glibc's snprintf()
 *    over flags, widths, precisions, lengths and conversions, and
 *    truncation;
 *  - get_ucall_decodes: a ucall written into guest memory across a page
 *    boundary, decoded from a made-up KVM_EXIT_IO; other exits are
 *    UCALL_NONE;
 *  - guest_assert_message: report_guest_assert() in a child process
 *    prints the guest's file, line, expression and values and exits with
 *    KSFT_FAIL; report_unhandled_exception() names vector and RIP;
 *  - globals_and_handlers: sync_global_to/from_guest() and
 *    vm_install_exception_handler() write the guest's copy of the
 *    variable at its own address;
 *  - guest_side_ucalls: the guest's half run on the host, on a stack
 *    below 4 GiB, its OUT and CLI/HLT caught as SIGSEGV: GUEST_SYNC_ARGS,
 *    GUEST_PRINTF, GUEST_ASSERT, GUEST_ASSERT_EQ (then the halt), a
 *    guest_code() that returns (UCALL_DONE) and an exception with no
 *    handler (UCALL_UNHANDLED) fill the ucall as get_ucall() and
 *    report_guest_assert() read it.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <ucontext.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "kvm_util.h"

#define PAGE	4096ull

/* A struct vm with guest memory and nothing else: no device, no ioctl. */
static struct vm *bare_vm(void)
{
	static struct vm vm;

	if (vm.mem)
		munmap(vm.mem, vm.mem_size);
	memset(&vm, 0, sizeof(vm));
	vm.mem_size = GUEST_C_MEM_SIZE;
	vm.mem = mmap(NULL, vm.mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	TEST_ASSERT(vm.mem != MAP_FAILED, "mmap: %s", strerror(errno));
	vm_init_guest_image(&vm);
	return &vm;
}

/* ---- an independent page walk ---- */

static uint64_t *gpa_ptr(struct vm *vm, uint64_t gpa)
{
	return gpa + 8 <= vm->mem_size ? (uint64_t *)((uint8_t *)vm->mem + gpa) : NULL;
}

/*
 * The PTE of @va by a walk written apart from the library's, or 0.  The
 * table pages met are marked in @used (one flag per 4 KiB page of slot 0).
 */
static uint64_t walk(struct vm *vm, uint64_t va, uint8_t *used)
{
	uint64_t t = vm->pml4, e = 0;
	int shift;

	for (shift = 39; shift >= 12; shift -= 9) {
		uint64_t *p = gpa_ptr(vm, t + ((va >> shift) & 0x1ff) * 8);

		if (used)
			used[t / PAGE] = 1;
		if (!p || !(*p & 1))
			return 0;
		e = *p;
		if (shift > 12 && (e & 0x80))
			return 0;	/* the library never makes large pages */
		t = e & 0x000ffffffffff000ull;
	}
	return e;
}

static uint8_t *guest_byte(struct vm *vm, uint64_t va)
{
	uint64_t e = walk(vm, va, NULL);

	if (!e)
		return NULL;
	return (uint8_t *)vm->mem + (e & 0x000ffffffffff000ull) + (va & (PAGE - 1));
}

static uint8_t *read_self(size_t *size)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	struct stat st;
	uint8_t *buf;

	TEST_ASSERT(fd >= 0 && !fstat(fd, &st), "/proc/self/exe: %s", strerror(errno));
	buf = malloc(st.st_size);
	TEST_ASSERT(buf && read(fd, buf, st.st_size) == st.st_size, "reading /proc/self/exe");
	close(fd);
	*size = st.st_size;
	return buf;
}

/*
 * @len bytes at @va mapped, writable or not as @writable says, on pages
 * not yet in @used (then marked).
 */
static bool region_mapped(struct vm *vm, uint64_t va, uint64_t len, bool writable,
			  uint8_t *used, const char *what)
{
	uint64_t p;

	for (p = va; p < va + len; p += PAGE) {
		uint64_t e = walk(vm, p, NULL);

		KTAP_CHECK(e, "%s: %#llx not mapped", what, (unsigned long long)p);
		KTAP_CHECK(!!(e & 2) == writable, "%s: %#llx writable %d", what,
		      (unsigned long long)p, !!(e & 2));
		KTAP_CHECK(!used[(e & 0x000ffffffffff000ull) / PAGE], "%s: %#llx's page used twice",
		      what, (unsigned long long)p);
		used[(e & 0x000ffffffffff000ull) / PAGE] = 1;
	}
	return true;
}

static bool image_maps_every_load_page(void)
{
	struct vm *vm = bare_vm();
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	size_t nph = getauxval(AT_PHNUM), size, i, loads = 0;
	uint8_t *file = read_self(&size);
	uint8_t *used = calloc(vm->mem_size / PAGE, 1);
	uint8_t *tables = calloc(vm->mem_size / PAGE, 1);
	uint64_t va;

	KTAP_CHECK(ph && nph, "no program headers in the auxiliary vector");
	/* Writable pages: those of a PF_W segment, shared pages included. */
	for (i = 0; i < nph; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		loads++;
		for (va = ph[i].p_vaddr; va < ph[i].p_vaddr + ph[i].p_memsz; va++) {
			uint8_t *g = guest_byte(vm, va);
			uint8_t want = va - ph[i].p_vaddr < ph[i].p_filesz ?
				       file[ph[i].p_offset + (va - ph[i].p_vaddr)] : 0;

			KTAP_CHECK(g, "segment %zu: %#llx not mapped", i, (unsigned long long)va);
			KTAP_CHECK(*g == want, "segment %zu: byte at %#llx is %#x, file %#x", i,
			      (unsigned long long)va, *g, want);
		}
	}
	for (i = 0; i < nph; i++) {
		uint64_t start = ph[i].p_vaddr & ~(PAGE - 1);

		if (ph[i].p_type != PT_LOAD)
			continue;
		for (va = start; va < ph[i].p_vaddr + ph[i].p_memsz; va += PAGE) {
			bool w = false;
			size_t j;

			for (j = 0; j < nph; j++)
				if (ph[j].p_type == PT_LOAD && (ph[j].p_flags & PF_W) &&
				    ph[j].p_vaddr < va + PAGE && ph[j].p_vaddr + ph[j].p_memsz > va)
					w = true;
			KTAP_CHECK(!!(walk(vm, va, NULL) & 2) == w, "%#llx: writable %d, want %d",
			      (unsigned long long)va, !w, w);
			used[(walk(vm, va, NULL) & 0x000ffffffffff000ull) / PAGE] = 1;
		}
	}
	KTAP_CHECK(loads >= 2, "%zu PT_LOAD segments", loads);
	KTAP_CHECK(region_mapped(vm, GUEST_TABLES_GVA, 3 * PAGE, true, used, "tables"), "tables");
	KTAP_CHECK(region_mapped(vm, GUEST_STACK_GVA, GUEST_STACK_SIZE, true, used, "stack"), "stack");
	KTAP_CHECK(region_mapped(vm, GUEST_EXC_STACK_GVA, GUEST_EXC_STACK_SIZE, true, used,
			    "exception stack"), "exception stack");
	KTAP_CHECK(region_mapped(vm, GUEST_DATA_GVA, GUEST_DATA_SIZE, true, used, "data"), "data");
	KTAP_CHECK(guest_byte(vm, GUEST_DATA_GVA) == vm->data, "vm->data is not GUEST_DATA_GVA's page");
	KTAP_CHECK(guest_byte(vm, GUEST_DATA_GVA + GUEST_DATA_SIZE - 1) ==
	      (uint8_t *)vm->data + GUEST_DATA_SIZE - 1, "the data region is not contiguous");
	/* Guard pages around the stacks, and the null page. */
	KTAP_CHECK(!walk(vm, 0, NULL), "page 0 mapped");
	KTAP_CHECK(!walk(vm, GUEST_STACK_GVA - PAGE, NULL), "no guard page below the stack");
	KTAP_CHECK(!walk(vm, GUEST_STACK_GVA + GUEST_STACK_SIZE, NULL), "no guard above the stack");
	KTAP_CHECK(!walk(vm, GUEST_EXC_STACK_GVA - PAGE, NULL), "no guard below the IST stack");
	/* The page-table pages met by walks of every region: none is also a mapped page. */
	for (i = 0; i < nph; i++)
		for (va = ph[i].p_vaddr; ph[i].p_type == PT_LOAD &&
		     va < ph[i].p_vaddr + ph[i].p_memsz; va += PAGE)
			walk(vm, va, tables);
	walk(vm, GUEST_TABLES_GVA, tables);
	walk(vm, GUEST_STACK_GVA, tables);
	walk(vm, GUEST_EXC_STACK_GVA, tables);
	walk(vm, GUEST_DATA_GVA, tables);
	for (i = 0; i < vm->mem_size / PAGE; i++)
		KTAP_CHECK(!(tables[i] && used[i]), "page %#llx is a page table and mapped",
		      (unsigned long long)(i * PAGE));
	KTAP_CHECK(tables[vm->pml4 / PAGE], "the PML4 was not walked");
	KTAP_CHECK(vm->pml4 >= GUEST_PHYS_START && vm->phys_next <= vm->mem_size,
	      "pml4 %#llx, next %#llx", (unsigned long long)vm->pml4,
	      (unsigned long long)vm->phys_next);
	/* The library's own view agrees with the walk. */
	va = (uintptr_t)guest_idt_stubs;
	KTAP_CHECK(addr_gva2hva(vm, va) == guest_byte(vm, va), "addr_gva2hva and the walk disagree");
	ktap_info("guest image: %zu PT_LOAD segments, %llu KiB of slot 0 used",
		  loads, (unsigned long long)(vm->phys_next - GUEST_PHYS_START) / 1024);
	free(tables);
	free(used);
	free(file);
	return true;
}

/* ---- descriptor tables ---- */

static uint64_t desc_base(uint64_t d)
{
	return ((d >> 16) & 0xffffff) | ((d >> 56) & 0xff) << 24;
}

static bool descriptor_tables(void)
{
	struct vm *vm = bare_vm();
	uint8_t *t = addr_gva2hva(vm, GUEST_TABLES_GVA);
	uint64_t *gdt = (uint64_t *)t, code = gdt[1], data = gdt[2], tl = gdt[3], th = gdt[4];
	uint64_t tss_base = desc_base(tl) | th << 32, ist1, rsp0;
	struct kvm_sregs s;
	uint16_t iopb;
	int v;

	KTAP_CHECK(gdt[0] == 0, "null descriptor %#llx", (unsigned long long)gdt[0]);
	/* Code: present, DPL 0, S, type 0xb, L set, D clear, base 0. */
	KTAP_CHECK((code >> 47 & 1) && !(code >> 45 & 3) && (code >> 44 & 1) &&
	      (code >> 40 & 0xf) == 0xb && (code >> 53 & 1) && !(code >> 54 & 1) &&
	      !desc_base(code), "code descriptor %#llx", (unsigned long long)code);
	KTAP_CHECK((data >> 47 & 1) && !(data >> 45 & 3) && (data >> 44 & 1) &&
	      (data >> 40 & 0xf) == 0x3 && !desc_base(data) && (data & 0xffff) == 0xffff &&
	      (data >> 55 & 1), "data descriptor %#llx", (unsigned long long)data);
	/* TSS: system (S clear), busy 64-bit, limit 0x67, base the TSS page. */
	KTAP_CHECK((tl >> 47 & 1) && !(tl >> 44 & 1) && (tl >> 40 & 0xf) == 0xb &&
	      (tl & 0xffff) == 0x67 && tss_base == GUEST_TABLES_GVA + 2 * PAGE,
	      "TSS descriptor %#llx %#llx", (unsigned long long)tl, (unsigned long long)th);
	memcpy(&rsp0, t + 2 * PAGE + 4, 8);
	memcpy(&ist1, t + 2 * PAGE + 0x24, 8);
	memcpy(&iopb, t + 2 * PAGE + 0x66, 2);
	KTAP_CHECK(ist1 == GUEST_EXC_STACK_GVA + GUEST_EXC_STACK_SIZE && rsp0 == ist1 && iopb >= 0x68,
	      "TSS: IST1 %#llx RSP0 %#llx iopb %#x", (unsigned long long)ist1,
	      (unsigned long long)rsp0, iopb);
	KTAP_CHECK(!(ist1 & 15), "IST1 not 16-byte aligned");
	for (v = 0; v < 256; v++) {
		const uint8_t *g = t + PAGE + v * 16;
		uint64_t off = g[0] | g[1] << 8 | (uint64_t)g[6] << 16 | (uint64_t)g[7] << 24;
		uint32_t hi;

		memcpy(&hi, g + 8, 4);
		off |= (uint64_t)hi << 32;
		KTAP_CHECK(off == (uintptr_t)guest_idt_stubs + v * GUEST_IDT_STUB_SIZE &&
		      (g[2] | g[3] << 8) == GUEST_CODE_SEL && (g[4] & 7) == 1 && g[5] == 0x8e,
		      "IDT gate %d: offset %#llx selector %#x ist %d type %#x", v,
		      (unsigned long long)off, g[2] | g[3] << 8, g[4] & 7, g[5]);
	}
	memset(&s, 0, sizeof(s));
	vm_guest_sregs(vm, &s);
	KTAP_CHECK(s.cs.selector == GUEST_CODE_SEL && s.cs.l && !s.cs.db && s.cs.present &&
	      s.cs.type == 0xb && s.cs.s && !s.cs.dpl, "CS");
	KTAP_CHECK(s.ss.selector == GUEST_DATA_SEL && s.ss.type == 3 && s.ss.present &&
	      s.ds.selector == GUEST_DATA_SEL && s.es.selector == GUEST_DATA_SEL, "SS/DS/ES");
	KTAP_CHECK(s.tr.selector == GUEST_TSS_SEL && s.tr.base == tss_base && s.tr.limit == 0x67 &&
	      s.tr.type == 0xb && s.tr.present && !s.tr.s, "TR");
	KTAP_CHECK(s.gdt.base == GUEST_TABLES_GVA && s.gdt.limit == 5 * 8 - 1 &&
	      s.idt.base == GUEST_TABLES_GVA + PAGE && s.idt.limit == 256 * 16 - 1, "GDTR/IDTR");
	KTAP_CHECK(s.cr0 == 0x80010033 && s.cr4 == 0x620 && s.efer == 0x500 && s.cr3 == vm->pml4,
	      "cr0 %#llx cr4 %#llx efer %#llx", s.cr0, s.cr4, s.efer);
	return true;
}

/* ---- the stubs ---- */

static bool has_error_code(int v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

static bool idt_stub_bytes(void)
{
	const uint8_t *common = (const uint8_t *)guest_idt_stubs + 256 * GUEST_IDT_STUB_SIZE;
	int v;

	for (v = 0; v < 256; v++) {
		const uint8_t *p = (const uint8_t *)guest_idt_stubs + v * GUEST_IDT_STUB_SIZE;
		const uint8_t *end = p + GUEST_IDT_STUB_SIZE;
		int32_t rel;
		uint32_t vec;

		if (!has_error_code(v)) {
			KTAP_CHECK(p[0] == 0x6a && p[1] == 0, "stub %d: no push $0", v);
			p += 2;
		}
		if (p[0] == 0x6a) {
			vec = p[1];
			p += 2;
		} else {
			KTAP_CHECK(p[0] == 0x68, "stub %d: %#x, not a push", v, p[0]);
			memcpy(&vec, p + 1, 4);
			p += 5;
		}
		KTAP_CHECK(vec == (uint32_t)v, "stub %d pushes %u", v, vec);
		if (p[0] == 0xeb) {
			rel = (int8_t)p[1];
			p += 2;
		} else {
			KTAP_CHECK(p[0] == 0xe9, "stub %d: %#x, not a jmp", v, p[0]);
			memcpy(&rel, p + 1, 4);
			p += 5;
		}
		KTAP_CHECK(p + rel == common, "stub %d jumps to %p, not %p", v, (const void *)(p + rel),
		      (const void *)common);
		KTAP_CHECK(p <= end, "stub %d is longer than %d bytes", v, GUEST_IDT_STUB_SIZE);
	}
	return true;
}

/*
 * sim_exception(stub, error_code, has_error): build an interrupt frame as
 * the CPU does (RSP aligned down to 16; SS, RSP, RFLAGS, CS, RIP, and the
 * error code if @has_error), with RIP at a UD2, load known values into
 * the registers (RAX 0xa0 ... R15 0xaf in push order, XMM7 0x5a5a), and
 * jump to @stub.  The handler must move RIP past the UD2.  Afterwards
 * sim_out holds the 15 registers as IRETQ left them (struct ex_regs
 * order) and XMM7's low half.
 */
extern uint64_t sim_exception(const void *stub, uint64_t error_code, int has_error);
extern const char sim_ud2[];
uint64_t sim_out[16];
asm(".text\n"
	".globl sim_exception\n"
	"sim_exception:\n"
	"	push %rbx\n	push %rbp\n	push %r12\n	push %r13\n	push %r14\n	push %r15\n"
	"	mov %rsp, %rax\n"
	"	and $-16, %rsp\n"
	"	mov %ss, %r8d\n"
	"	push %r8\n"
	"	push %rax\n"
	"	pushfq\n"
	"	mov %cs, %r8d\n"
	"	push %r8\n"
	"	lea sim_ud2(%rip), %r8\n"
	"	push %r8\n"
	"	test %edx, %edx\n"
	"	jz 1f\n"
	"	push %rsi\n"
	"1:	mov %rdi, %r11\n"
	"	mov $0x5a5a, %eax\n"
	"	movq %rax, %xmm7\n"
	"	mov $0xa0, %eax\n	mov $0xa1, %ecx\n	mov $0xa2, %edx\n	mov $0xa3, %ebx\n"
	"	mov $0xa4, %ebp\n	mov $0xa5, %esi\n	mov $0xa6, %edi\n	mov $0xa7, %r8d\n"
	"	mov $0xa8, %r9d\n	mov $0xa9, %r10d\n	mov $0xab, %r12d\n	mov $0xac, %r13d\n"
	"	mov $0xad, %r14d\n	mov $0xae, %r15d\n"
	"	jmp *%r11\n"
	".globl sim_ud2\n"
	"sim_ud2:\n"
	"	ud2\n"
	"	mov %rax, sim_out+0(%rip)\n	mov %rcx, sim_out+8(%rip)\n"
	"	mov %rdx, sim_out+16(%rip)\n	mov %rbx, sim_out+24(%rip)\n"
	"	mov %rbp, sim_out+32(%rip)\n	mov %rsi, sim_out+40(%rip)\n"
	"	mov %rdi, sim_out+48(%rip)\n	mov %r8, sim_out+56(%rip)\n"
	"	mov %r9, sim_out+64(%rip)\n	mov %r10, sim_out+72(%rip)\n"
	"	mov %r11, sim_out+80(%rip)\n	mov %r12, sim_out+88(%rip)\n"
	"	mov %r13, sim_out+96(%rip)\n	mov %r14, sim_out+104(%rip)\n"
	"	mov %r15, sim_out+112(%rip)\n"
	"	movq %xmm7, %rax\n"
	"	mov %rax, sim_out+120(%rip)\n"
	"	pop %r15\n	pop %r14\n	pop %r13\n	pop %r12\n	pop %rbp\n	pop %rbx\n"
	"	ret\n");

static struct ex_regs seen;
static int seen_count;

/* The "guest" handler: keep what it got, change RBX, clobber XMM7, skip the UD2. */
static void sim_handler(struct ex_regs *regs)
{
	seen = *regs;
	seen_count++;
	regs->rbx = 0xb0b0;
	regs->rip += 2;
	asm volatile("pxor %%xmm7, %%xmm7" : : : "xmm7");
}

static bool stub_case(int vector, uint64_t error_code)
{
	const uint64_t *r = &seen.rax;
	bool err = has_error_code(vector);
	int i;

	memset(&seen, 0, sizeof(seen));
	seen_count = 0;
	guest_exception_handlers[vector] = sim_handler;
	sim_exception(guest_idt_stubs + vector * GUEST_IDT_STUB_SIZE, error_code, err);
	guest_exception_handlers[vector] = NULL;
	KTAP_CHECK(seen_count == 1, "vector %d: handler ran %d times", vector, seen_count);
	KTAP_CHECK(seen.vector == (uint64_t)vector && seen.error_code == (err ? error_code : 0),
	      "vector %d: handler saw vector %llu error %#llx", vector,
	      (unsigned long long)seen.vector, (unsigned long long)seen.error_code);
	KTAP_CHECK(seen.rip == (uintptr_t)sim_ud2, "vector %d: rip %#llx, ud2 at %p", vector,
	      (unsigned long long)seen.rip, (const void *)sim_ud2);
	/* RAX..R15 in struct order are 0xa0..0xae, but R11 held the stub's address. */
	for (i = 0; i < 15; i++)
		KTAP_CHECK(i == 10 || r[i] == 0xa0u + i,
		      "vector %d: register %d is %#llx in the handler", vector, i,
		      (unsigned long long)r[i]);
	KTAP_CHECK(seen.cs && seen.ss && seen.rsp && !(seen.rsp & 7),
	      "vector %d: frame cs %#llx ss %#llx", vector, (unsigned long long)seen.cs,
	      (unsigned long long)seen.ss);
	for (i = 0; i < 15; i++) {
		uint64_t want = i == 3 ? 0xb0b0 : i == 10 ? r[10] : 0xa0u + i;

		KTAP_CHECK(sim_out[i] == want, "vector %d: register %d is %#llx after IRETQ", vector, i,
		      (unsigned long long)sim_out[i]);
	}
	KTAP_CHECK(sim_out[15] == 0x5a5a, "vector %d: XMM7 %#llx after the handler", vector,
	      (unsigned long long)sim_out[15]);
	return true;
}

static bool stubs_run_handler(void)
{
	return stub_case(6, 0) && stub_case(13, 0x1234) && stub_case(14, 2) && stub_case(200, 0);
}

/* ---- vsnprintf ---- */

static bool same_text(int line, const char *want, int wn, const char *got, int gn)
{
	KTAP_CHECK(wn == gn && !strcmp(want, got), "line %d: glibc \"%s\" (%d), guest \"%s\" (%d)", line,
	      want, wn, got, gn);
	return true;
}

#define FMT(fmt, ...) do {							\
	char w_[200], g_[200];							\
	int wn_ = snprintf(w_, sizeof(w_), fmt, ##__VA_ARGS__);		\
	int gn_ = guest_snprintf(g_, sizeof(g_), fmt, ##__VA_ARGS__);		\
	if (!same_text(__LINE__, w_, wn_, g_, gn_))				\
		return false;							\
} while (0)

/* For the formats GCC warns about (flags C says to ignore): unchecked. */
#define FMT_UNCHECKED(fmt, ...) do {						\
	const char *volatile f_ = fmt;						\
	FMT(f_, ##__VA_ARGS__);							\
} while (0)

static bool vsnprintf_matches_glibc(void)
{
	const char *volatile null_str = NULL;
	void *volatile null_ptr = NULL;
	char small[8];
	int n;

	FMT("plain text");
	FMT("%d %d %d %d", 0, -1, INT_MIN, INT_MAX);
	FMT("%i|%5d|%-5d|%05d|%+d|% d|", 42, 42, 42, -42, 5, 5);
	FMT_UNCHECKED("%+ d|% +d|%+ d", 5, 5, -5);
	FMT("%.3d|%.0d|%8.3d|%-8.3d|%+.2d", 7, 0, -7, 7, 3);
	FMT_UNCHECKED("%08.3d|%08.3x|%-08d|", 7, 10u, 4);
	FMT("%u %x %X %o", UINT_MAX, 0xdeadbeefu, 0xdeadbeefu, 8u);
	FMT("%#x|%#x|%#X|%#010x|%#o|%#o|%.0o|%#.0o|%#.0x", 0u, 255u, 255u, 255u, 0u, 8u, 0u, 0u,
	    0u);
	FMT("%lx %ld %lld %llu %lu", ULONG_MAX, LONG_MIN, LLONG_MIN, ULLONG_MAX, 123ul);
	FMT("%zu %zd %jd %td", (size_t)123, (ssize_t)-5, (intmax_t)-77, (ptrdiff_t)-3);
	FMT("%hhd %hhu %hd %hu %hx %hhx", 300, 257, 70000, 70000, 0x12345, 0x1ff);
	FMT("%c|%3c|%-3c|", 'A', 'B', 'C');
	FMT("%s|%10s|%-10s|%.2s|%5.2s|%.0s|", "hello", "hello", "hello", "hello", "hello", "x");
	FMT("%s|%.3s|%.6s|%8s|", null_str, null_str, null_str, null_str);
	FMT("%p|%20p|%-20p|%p|%8p|", (void *)&n, (void *)&n, (void *)&n, null_ptr, null_ptr);
	FMT("%*d|%-*d|%*d|%.*d|%.*s|%.*d", 6, 42, 6, 42, -6, 42, 4, 42, 3, "abcdef", -1, 42);
	FMT("%%|100%% %d", 3);
	FMT("a=%d b=%s c=%#lx d=%-4u|", -12, "str", 0xabcdeful, 9u);
	/* Truncation: the full length comes back, the text is cut and ended. */
	n = guest_snprintf(small, sizeof(small), "hello world %d", 42);
	KTAP_CHECK(n == 14 && !strcmp(small, "hello w"), "truncated: %d \"%s\"", n, small);
	memset(small, 'x', sizeof(small));
	n = guest_snprintf(small, 0, "abc");
	KTAP_CHECK(n == 3 && small[0] == 'x', "size 0 wrote or returned %d", n);
	n = guest_snprintf(small, 1, "abc");
	KTAP_CHECK(n == 3 && small[0] == 0, "size 1: %d", n);
	return true;
}

/* ---- ucalls ---- */

static struct vcpu *bare_vcpu(struct vm *vm)
{
	static struct vcpu vcpu;
	static uint64_t run_page[1024];

	vcpu.vm = vm;
	vcpu.run = (struct kvm_run *)run_page;
	return &vcpu;
}

/* A made-up exit for the ucall at @gva. */
static void fake_ucall_exit(struct vcpu *vcpu, uint32_t gva)
{
	struct kvm_run *run = vcpu->run;

	memset(run, 0, sizeof(*run));
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = KVM_EXIT_IO_OUT;
	run->io.size = 4;
	run->io.port = UCALL_PTR_PORT;
	run->io.count = 1;
	run->io.data_offset = 2048;
	memcpy((uint8_t *)run + 2048, &gva, 4);
}

static bool get_ucall_decodes(void)
{
	struct vm *vm = bare_vm();
	struct vcpu *vcpu = bare_vcpu(vm);
	/* Across the boundary of the stack's first and second pages. */
	uint64_t gva = GUEST_STACK_GVA + PAGE - 100;
	struct ucall uc, got;
	uint64_t cmd;

	memset(&uc, 0, sizeof(uc));
	uc.cmd = UCALL_PRINTF;
	uc.args[0] = 5;
	uc.args[5] = 0x1122334455667788ull;
	strcpy(uc.buf, "hello");
	TEST_ASSERT(!vm_write_guest(vm, gva, &uc, sizeof(uc)), "stack not mapped");
	fake_ucall_exit(vcpu, gva);
	cmd = get_ucall(vcpu, &got);
	KTAP_CHECK(cmd == UCALL_PRINTF && got.args[0] == 5 && got.args[5] == uc.args[5] &&
	      !strcmp(got.buf, "hello"), "decoded %llu \"%s\"", (unsigned long long)cmd, got.buf);
	KTAP_CHECK(get_ucall(vcpu, NULL) == UCALL_PRINTF, "without a struct");
	vcpu->run->io.port = UCALL_PORT;
	KTAP_CHECK(get_ucall(vcpu, &got) == UCALL_NONE && got.cmd == 0, "another port");
	vcpu->run->io.port = UCALL_PTR_PORT;
	vcpu->run->io.direction = KVM_EXIT_IO_IN;
	KTAP_CHECK(get_ucall(vcpu, &got) == UCALL_NONE, "an IN");
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	KTAP_CHECK(get_ucall(vcpu, &got) == UCALL_NONE, "a HLT");
	return true;
}

/* @fn in a child, its stdout and stderr into @out (capture_child()). */
static void call_fn(void *fn)
{
	((void (*)(void))fn)();
}

static int in_child(void (*fn)(void), char *out, size_t len)
{
	return capture_child(call_fn, (void *)fn, true, out, len);
}

static const char assert_file[] = "selftests/somewhere.c";
static const char assert_expr[] = "value == 42";

static void child_assert_eq(void)
{
	struct vm *vm = bare_vm();
	struct ucall uc = { .cmd = UCALL_ASSERT };

	/* As guest_assert_fail() fills it: guest addresses of the strings. */
	uc.args[UCALL_ASSERT_FILE] = (uintptr_t)assert_file;
	uc.args[UCALL_ASSERT_LINE] = 123;
	uc.args[UCALL_ASSERT_EXPR] = (uintptr_t)assert_expr;
	uc.args[UCALL_ASSERT_A] = 41;
	uc.args[UCALL_ASSERT_B] = 42;
	uc.args[UCALL_ASSERT_NVALUES] = 2;
	report_guest_assert(bare_vcpu(vm), &uc);
}

static void child_unhandled(void)
{
	struct vm *vm = bare_vm();
	struct ucall uc = { .cmd = UCALL_UNHANDLED };

	uc.args[UCALL_UNHANDLED_VECTOR] = 13;
	uc.args[UCALL_UNHANDLED_RIP] = 0x401234;
	report_unhandled_exception(bare_vcpu(vm), &uc);
}

static bool guest_assert_message(void)
{
	char out[2048];
	int rc;

	rc = in_child(child_assert_eq, out, sizeof(out));
	KTAP_CHECK(rc == KSFT_FAIL, "report_guest_assert's exit status %d", rc);
	KTAP_CHECK(strstr(out, "# selftests/somewhere.c:123: assertion failed: value == 42\n") &&
	      strstr(out, "0x29 (41) != 0x2a (42)") &&
	      strstr(out, "assertion at selftests/somewhere.c:123\n"),
	      "report_guest_assert printed: %s", out);
	rc = in_child(child_unhandled, out, sizeof(out));
	KTAP_CHECK(rc == KSFT_FAIL && strstr(out, "vector 13 (#GP) at rip 0x401234"),
	      "unhandled: %d %s", rc, out);
	return true;
}

/* ---- globals and handlers ---- */

static uint64_t shared_global = 0x1111;

static bool globals_and_handlers(void)
{
	struct vm *vm = bare_vm();
	uint64_t in_guest;
	guest_handler_t h;

	KTAP_CHECK(!vm_read_guest(vm, (uintptr_t)&shared_global, &in_guest, 8) && in_guest == 0x1111,
	      "the guest's copy starts at %#llx", (unsigned long long)in_guest);
	shared_global = 0x2222;
	sync_global_to_guest(vm, shared_global);
	KTAP_CHECK(*(uint64_t *)addr_gva2hva(vm, (uintptr_t)&shared_global) == 0x2222, "to guest");
	*(uint64_t *)addr_gva2hva(vm, (uintptr_t)&shared_global) = 0x3333;
	sync_global_from_guest(vm, shared_global);
	KTAP_CHECK(shared_global == 0x3333, "from guest: %#llx", (unsigned long long)shared_global);
	vm_install_exception_handler(vm, 6, sim_handler);
	memcpy(&h, addr_gva2hva(vm, (uintptr_t)&guest_exception_handlers[6]), sizeof(h));
	KTAP_CHECK(h == sim_handler && !guest_exception_handlers[6], "handler table");
	return true;
}

/* ---- the guest's side, on the host ---- */

#define EMU_STACK	0x30000000ul	/* below 4 GiB: the ucall pointer is 32-bit */
#define EMU_STACK_SIZE	0x10000
#define EMU_MAX		4

static struct ucall emu_log[EMU_MAX];
static int emu_n;
static sigjmp_buf emu_halted;
static ucontext_t emu_host, emu_guest;

/*
 * SIGSEGV: a ucall's OUT is logged and stepped over; CLI or HLT (the
 * guest halting) ends the run.  Anything else is a real crash.
 */
static void emu_sigsegv(int sig, siginfo_t *si, void *ctx)
{
	greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
	const uint8_t *ip = (const uint8_t *)g[REG_RIP];

	(void)si;
	if (ip[0] == 0xef && (uint16_t)g[REG_RDX] == UCALL_PTR_PORT && emu_n < EMU_MAX) {
		memcpy(&emu_log[emu_n++], (void *)(uintptr_t)(uint32_t)g[REG_RAX],
		       sizeof(struct ucall));
		g[REG_RIP]++;
		return;
	}
	if (ip[0] == 0xfa || ip[0] == 0xf4)
		siglongjmp(emu_halted, 1);
	signal(sig, SIG_DFL);
}

/* Run @fn as the guest would: true if it halted, false if it returned. */
static bool emu_run(void (*fn)(void))
{
	static void *stack;
	struct sigaction sa = { .sa_sigaction = emu_sigsegv, .sa_flags = SA_SIGINFO };
	struct sigaction old;
	bool halted = true;

	if (!stack) {
		stack = mmap((void *)EMU_STACK, EMU_STACK_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		TEST_ASSERT(stack == (void *)EMU_STACK, "mmap at %#lx: %s", EMU_STACK,
			    strerror(errno));
	}
	memset(emu_log, 0, sizeof(emu_log));
	emu_n = 0;
	sigaction(SIGSEGV, &sa, &old);
	getcontext(&emu_guest);
	emu_guest.uc_stack.ss_sp = stack;
	emu_guest.uc_stack.ss_size = EMU_STACK_SIZE;
	emu_guest.uc_link = &emu_host;
	makecontext(&emu_guest, fn, 0);
	if (!sigsetjmp(emu_halted, 1)) {
		swapcontext(&emu_host, &emu_guest);
		halted = false;
	}
	sigaction(SIGSEGV, &old, NULL);
	return halted;
}

static volatile uint64_t emu_value = 41;

static void __guest emu_sync(void)
{
	GUEST_SYNC_ARGS(5, 6, 7);
	GUEST_SYNC(8);
}

static void __guest emu_printf(void)
{
	GUEST_PRINTF("x=%d %s|%5.1s|%lx", 3, "y", "zz", 0x123456789abcul);
}

static void __guest emu_assert_eq(void)
{
	GUEST_ASSERT_EQ(emu_value, 42);
}

/* The line of the assertion above, 4 up. */
static const int emu_assert_eq_line = __LINE__ - 4;

static void __guest emu_assert(void)
{
	GUEST_ASSERT(emu_value == 1);
}

static const int emu_assert_line = __LINE__ - 3;

/* As if guest_code() returned: its RET lands on guest_code_returned. */
static void emu_return(void)
{
	asm volatile("push $0\n\t"
		     "jmp guest_code_returned" : : : "memory");
}

static void emu_unhandled(void)
{
	sim_exception(guest_idt_stubs + 13 * GUEST_IDT_STUB_SIZE, 0x18, 1);
}

static const struct ucall *last_ucall;

static void child_report_last(void)
{
	report_guest_assert(bare_vcpu(bare_vm()), last_ucall);
}

static bool guest_side_ucalls(void)
{
	const struct ucall *u = emu_log;
	char out[2048], want[160];
	int rc;

	KTAP_CHECK(!emu_run(emu_sync) && emu_n == 2, "sync: %d ucalls", emu_n);
	KTAP_CHECK(u[0].cmd == UCALL_SYNC && u[0].args[0] == 5 && u[0].args[1] == 6 &&
	      u[0].args[2] == 7 && !u[0].args[3] && u[1].cmd == UCALL_SYNC && u[1].args[0] == 8 &&
	      !u[1].args[1], "sync: %llu %llu %llu %llu", (unsigned long long)u[0].cmd,
	      (unsigned long long)u[0].args[0], (unsigned long long)u[0].args[1],
	      (unsigned long long)u[1].args[0]);

	KTAP_CHECK(!emu_run(emu_printf) && emu_n == 1 && u[0].cmd == UCALL_PRINTF, "printf");
	snprintf(want, sizeof(want), "x=%d %s|%5.1s|%lx", 3, "y", "zz", 0x123456789abcul);
	KTAP_CHECK(!strcmp(u[0].buf, want) && u[0].args[0] == strlen(want), "printf: \"%s\" (%llu)",
	      u[0].buf, (unsigned long long)u[0].args[0]);

	KTAP_CHECK(emu_run(emu_assert_eq) && emu_n == 1 && u[0].cmd == UCALL_ASSERT, "assert_eq: %d",
	      emu_n);
	KTAP_CHECK(!strcmp((const char *)u[0].args[UCALL_ASSERT_FILE], __FILE__) &&
	      u[0].args[UCALL_ASSERT_LINE] == (uint64_t)emu_assert_eq_line &&
	      !strcmp((const char *)u[0].args[UCALL_ASSERT_EXPR], "emu_value == 42") &&
	      u[0].args[UCALL_ASSERT_A] == 41 && u[0].args[UCALL_ASSERT_B] == 42 &&
	      u[0].args[UCALL_ASSERT_NVALUES] == 2, "assert_eq: line %llu",
	      (unsigned long long)u[0].args[UCALL_ASSERT_LINE]);
	/* What the host makes of it, reading the strings from the guest's memory. */
	last_ucall = &u[0];
	rc = in_child(child_report_last, out, sizeof(out));
	snprintf(want, sizeof(want), "# %s:%d: assertion failed: emu_value == 42\n", __FILE__,
		 emu_assert_eq_line);
	KTAP_CHECK(rc == KSFT_FAIL && strstr(out, want) && strstr(out, "0x29 (41) != 0x2a (42)"),
	      "reported as: %s", out);

	KTAP_CHECK(emu_run(emu_assert) && emu_n == 1 && u[0].cmd == UCALL_ASSERT &&
	      u[0].args[UCALL_ASSERT_LINE] == (uint64_t)emu_assert_line &&
	      !strcmp((const char *)u[0].args[UCALL_ASSERT_EXPR], "emu_value == 1") &&
	      u[0].args[UCALL_ASSERT_NVALUES] == 0, "assert");

	KTAP_CHECK(emu_run(emu_return) && emu_n == 1 && u[0].cmd == UCALL_DONE, "return: %d %llu",
	      emu_n, (unsigned long long)u[0].cmd);

	KTAP_CHECK(emu_run(emu_unhandled) && emu_n == 1 && u[0].cmd == UCALL_UNHANDLED &&
	      u[0].args[UCALL_UNHANDLED_VECTOR] == 13 &&
	      u[0].args[UCALL_UNHANDLED_RIP] == (uintptr_t)sim_ud2 &&
	      u[0].args[UCALL_UNHANDLED_ERROR] == 0x18 && !u[0].args[UCALL_UNHANDLED_NESTED],
	      "unhandled: %llu vector %llu rip %#llx", (unsigned long long)u[0].cmd,
	      (unsigned long long)u[0].args[0], (unsigned long long)u[0].args[1]);
	return true;
}

int main(void)
{
	static const struct {
		bool (*fn)(void);
		const char *name;
	} cases[] = {
		{ image_maps_every_load_page, "image_maps_every_load_page" },
		{ descriptor_tables, "descriptor_tables" },
		{ idt_stub_bytes, "idt_stub_bytes" },
		{ stubs_run_handler, "stubs_run_handler" },
		{ vsnprintf_matches_glibc, "vsnprintf_matches_glibc" },
		{ get_ucall_decodes, "get_ucall_decodes" },
		{ guest_assert_message, "guest_assert_message" },
		{ globals_and_handlers, "globals_and_handlers" },
		{ guest_side_ucalls, "guest_side_ucalls" },
	};
	size_t i;

	ktap_plan(sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ktap_result(cases[i].fn(), "%s", cases[i].name);
	return ktap_finish();
}
