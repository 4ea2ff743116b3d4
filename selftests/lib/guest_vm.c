// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of guest programs in C (kvm_util.h, guest.h): the test
 * binary copied into guest memory from /proc/self/exe, the 4-level page
 * tables that map it at its own addresses, the GDT, IDT and TSS, the
 * vCPU's long-mode entry into guest_code(), and the ucalls decoded from
 * guest memory.
 */
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvm_util.h"

#define PAGE_SIZE	4096ull
#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PS		(1ull << 7)
#define PTE_ADDR	0x000ffffffffff000ull

#define X86_CR0_PE	(1ull << 0)
#define X86_CR0_MP	(1ull << 1)
#define X86_CR0_ET	(1ull << 4)
#define X86_CR0_NE	(1ull << 5)
#define X86_CR0_WP	(1ull << 16)
#define X86_CR0_PG	(1ull << 31)
#define X86_CR4_PAE	(1ull << 5)
#define X86_CR4_OSFXSR	(1ull << 9)
#define X86_CR4_OSXMMEXCPT (1ull << 10)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)

/* The three pages at GUEST_TABLES_GVA. */
#define GDT_GVA		(GUEST_TABLES_GVA + 0x0000)
#define IDT_GVA		(GUEST_TABLES_GVA + 0x1000)
#define TSS_GVA		(GUEST_TABLES_GVA + 0x2000)
#define GDT_ENTRIES	5	/* null, code, data, and the TSS's two */

void *addr_gpa2hva(struct vm *vm, uint64_t gpa)
{
	TEST_ASSERT(gpa < vm->mem_size, "guest-physical %#llx is outside slot 0 (%#zx bytes)",
		    (unsigned long long)gpa, vm->mem_size);
	return (uint8_t *)vm->mem + gpa;
}

uint64_t vm_phys_alloc(struct vm *vm, size_t pages)
{
	uint64_t gpa;

	if (!vm->phys_next)
		vm->phys_next = GUEST_PHYS_START;
	gpa = vm->phys_next;
	TEST_ASSERT(gpa + pages * PAGE_SIZE <= vm->mem_size,
		    "guest memory full: %zu more pages at %#llx, slot 0 is %#zx bytes",
		    pages, (unsigned long long)gpa, vm->mem_size);
	vm->phys_next += pages * PAGE_SIZE;
	memset(addr_gpa2hva(vm, gpa), 0, pages * PAGE_SIZE);
	return gpa;
}

/*
 * The page-table entry of @gva's 4 KiB page, creating the tables above
 * it when @create; NULL where a table is missing and !@create.
 */
static uint64_t *pte_of(struct vm *vm, uint64_t gva, bool create)
{
	uint64_t table = vm->pml4;
	int level;

	TEST_ASSERT(gva < (1ull << 47), "guest-virtual %#llx is not in the lower half",
		    (unsigned long long)gva);
	if (!table) {
		if (!create)
			return NULL;
		vm->pml4 = vm_phys_alloc(vm, 1);
		table = vm->pml4;
	}
	for (level = 3; level > 0; level--) {
		int index = (gva >> (12 + 9 * level)) & 511;
		uint64_t *e = (uint64_t *)addr_gpa2hva(vm, table) + index;

		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			*e = vm_phys_alloc(vm, 1) | PTE_P | PTE_RW;
		}
		TEST_ASSERT(!(*e & PTE_PS), "large page above guest-virtual %#llx",
			    (unsigned long long)gva);
		table = *e & PTE_ADDR;
	}
	return (uint64_t *)addr_gpa2hva(vm, table) + ((gva >> 12) & 511);
}

void virt_map(struct vm *vm, uint64_t gva, uint64_t gpa, bool writable)
{
	uint64_t *pte;

	TEST_ASSERT(!(gva & (PAGE_SIZE - 1)) && !(gpa & (PAGE_SIZE - 1)),
		    "unaligned mapping %#llx -> %#llx", (unsigned long long)gva,
		    (unsigned long long)gpa);
	addr_gpa2hva(vm, gpa);
	pte = pte_of(vm, gva, true);
	TEST_ASSERT(!(*pte & PTE_P), "guest-virtual %#llx is mapped already",
		    (unsigned long long)gva);
	*pte = gpa | PTE_P | (writable ? PTE_RW : 0);
}

bool vm_gva2gpa(struct vm *vm, uint64_t gva, uint64_t *gpa, bool *writable)
{
	uint64_t *pte;

	if (gva >= (1ull << 47))
		return false;
	pte = pte_of(vm, gva, false);
	if (!pte || !(*pte & PTE_P))
		return false;
	if (gpa)
		*gpa = (*pte & PTE_ADDR) | (gva & (PAGE_SIZE - 1));
	if (writable)
		*writable = *pte & PTE_RW;
	return true;
}

uint64_t addr_gva2gpa(struct vm *vm, uint64_t gva)
{
	uint64_t gpa;

	TEST_ASSERT(vm_gva2gpa(vm, gva, &gpa, NULL), "guest-virtual %#llx is not mapped",
		    (unsigned long long)gva);
	return gpa;
}

void *addr_gva2hva(struct vm *vm, uint64_t gva)
{
	return addr_gpa2hva(vm, addr_gva2gpa(vm, gva));
}

/* Copy between guest-virtual @gva and @buf (@buf NULL: write zeros), page by page. */
static int guest_copy(struct vm *vm, uint64_t gva, void *buf, size_t len, bool to_guest)
{
	uint8_t *b = buf;

	while (len) {
		size_t n = PAGE_SIZE - (gva & (PAGE_SIZE - 1));
		uint64_t gpa;
		uint8_t *h;

		if (n > len)
			n = len;
		if (!vm_gva2gpa(vm, gva, &gpa, NULL) || gpa + n > vm->mem_size)
			return -EFAULT;
		h = (uint8_t *)vm->mem + gpa;
		if (!to_guest)
			memcpy(b, h, n);
		else if (b)
			memcpy(h, b, n);
		else
			memset(h, 0, n);
		gva += n;
		len -= n;
		if (b)
			b += n;
	}
	return 0;
}

int vm_read_guest(struct vm *vm, uint64_t gva, void *dst, size_t len)
{
	return guest_copy(vm, gva, dst, len, false);
}

int vm_write_guest(struct vm *vm, uint64_t gva, const void *src, size_t len)
{
	return guest_copy(vm, gva, (void *)src, len, true);
}

void *vm_map_alloc(struct vm *vm, uint64_t gva, size_t size)
{
	size_t pages = (size + PAGE_SIZE - 1) / PAGE_SIZE, i;
	uint64_t gpa = vm_phys_alloc(vm, pages);

	for (i = 0; i < pages; i++)
		virt_map(vm, gva + i * PAGE_SIZE, gpa + i * PAGE_SIZE, true);
	return addr_gpa2hva(vm, gpa);
}

/*
 * The PT_LOAD segments of /proc/self/exe at their own virtual addresses:
 * the file's bytes, then zeros to p_memsz.  Writable where PF_W says so
 * (a page two segments share takes the union).  Only a static non-PIE
 * binary works: its addresses are final in the file, while a PIE's
 * pointers are relocated only in the running process.
 */
static void load_test_binary(struct vm *vm)
{
	static const char path[] = "/proc/self/exe";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	struct stat st;
	size_t done = 0;
	uint8_t *file;
	int i;

	TEST_ASSERT(fd >= 0 && !fstat(fd, &st), "%s: %s", path, strerror(errno));
	file = malloc(st.st_size);
	TEST_ASSERT(file, "out of memory");
	while (done < (size_t)st.st_size) {
		ssize_t r = pread(fd, file + done, st.st_size - done, done);

		TEST_ASSERT(r > 0, "reading %s: %s", path, r ? strerror(errno) : "short file");
		done += r;
	}
	close(fd);
	eh = (const Elf64_Ehdr *)file;
	TEST_ASSERT(done >= sizeof(*eh) && !memcmp(eh->e_ident, ELFMAG, SELFMAG) &&
		    eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_machine == EM_X86_64,
		    "%s is not an x86-64 ELF file", path);
	TEST_ASSERT(eh->e_type == ET_EXEC, "%s is not linked static and non-PIE (e_type %u)",
		    path, eh->e_type);
	TEST_ASSERT(eh->e_phentsize == sizeof(*ph) &&
		    eh->e_phoff + eh->e_phnum * sizeof(*ph) <= done, "%s: bad program headers",
		    path);
	ph = (const Elf64_Phdr *)(file + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++, ph++) {
		uint64_t page, end = ph->p_vaddr + ph->p_memsz;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		TEST_ASSERT(ph->p_filesz <= ph->p_memsz && ph->p_offset + ph->p_filesz <= done,
			    "%s: segment %d is beyond the file", path, i);
		TEST_ASSERT(end > ph->p_vaddr && end <= GUEST_TABLES_GVA,
			    "%s: segment %d at %#llx-%#llx overlaps the library's guest memory at %#llx",
			    path, i, (unsigned long long)ph->p_vaddr, (unsigned long long)end,
			    GUEST_TABLES_GVA);
		for (page = ph->p_vaddr & ~(PAGE_SIZE - 1); page < end; page += PAGE_SIZE) {
			uint64_t *pte = pte_of(vm, page, true);

			if (!(*pte & PTE_P))
				*pte = vm_phys_alloc(vm, 1) | PTE_P;
			if (ph->p_flags & PF_W)
				*pte |= PTE_RW;
		}
		TEST_ASSERT(!vm_write_guest(vm, ph->p_vaddr, file + ph->p_offset, ph->p_filesz) &&
			    !guest_copy(vm, ph->p_vaddr + ph->p_filesz, NULL,
					ph->p_memsz - ph->p_filesz, true),
			    "copying segment %d", i);
	}
	free(file);
}

/*
 * The GDT (null, 64-bit code, data, 64-bit TSS), an IDT whose 256 gates
 * lead to guest_idt_stubs on IST 1, and a TSS whose IST 1 and RSP0 are
 * the top of the exception stack; no I/O bitmap.
 */
static void init_tables(struct vm *vm)
{
	uint8_t *t = vm_map_alloc(vm, GUEST_TABLES_GVA, 3 * PAGE_SIZE);
	uint64_t *gdt = (uint64_t *)t, exc_top = GUEST_EXC_STACK_GVA + GUEST_EXC_STACK_SIZE;
	uint8_t *idt = t + (IDT_GVA - GUEST_TABLES_GVA), *tss = t + (TSS_GVA - GUEST_TABLES_GVA);
	uint16_t iopb = 0x68;
	int v;

	gdt[0] = 0;
	gdt[GUEST_CODE_SEL / 8] = 0x00af9b000000ffffull;	/* P, DPL 0, code, L, G */
	gdt[GUEST_DATA_SEL / 8] = 0x00cf93000000ffffull;	/* P, DPL 0, data RW, D/B, G */
	/* A busy 64-bit TSS (type 0xb), as LTR would leave it. */
	gdt[GUEST_TSS_SEL / 8] = 0x67 | (TSS_GVA & 0xffffff) << 16 | 0x8bull << 40 |
				 ((TSS_GVA >> 24) & 0xff) << 56;
	gdt[GUEST_TSS_SEL / 8 + 1] = TSS_GVA >> 32;
	for (v = 0; v < GUEST_NR_VECTORS; v++) {
		idt_set_gate(idt, v, (uintptr_t)guest_idt_stubs + v * GUEST_IDT_STUB_SIZE, true);
		idt[v * 16 + 4] = 1;	/* IST 1 (bits 2:0 of byte 4) */
	}
	memcpy(tss + 0x04, &exc_top, 8);	/* RSP0 */
	memcpy(tss + 0x24, &exc_top, 8);	/* IST1 */
	memcpy(tss + 0x66, &iopb, 2);		/* I/O map base past the limit */
}

void vm_init_guest_image(struct vm *vm)
{
	TEST_ASSERT(!vm->pml4, "the guest image is loaded already");
	load_test_binary(vm);
	init_tables(vm);
	vm_map_alloc(vm, GUEST_STACK_GVA, GUEST_STACK_SIZE);
	vm_map_alloc(vm, GUEST_EXC_STACK_GVA, GUEST_EXC_STACK_SIZE);
	vm->data = vm_map_alloc(vm, GUEST_DATA_GVA, GUEST_DATA_SIZE);
}

void vm_guest_sregs(struct vm *vm, struct kvm_sregs *s)
{
	kvm_flat_segment(&s->cs, GUEST_CODE_SEL, 0xb, true);
	kvm_flat_segment(&s->ds, GUEST_DATA_SEL, 0x3, false);
	s->es = s->ds;
	s->fs = s->ds;
	s->gs = s->ds;
	s->ss = s->ds;
	memset(&s->tr, 0, sizeof(s->tr));
	s->tr.selector = GUEST_TSS_SEL;
	s->tr.base = TSS_GVA;
	s->tr.limit = 0x67;
	s->tr.type = 0xb;
	s->tr.present = 1;
	memset(&s->ldt, 0, sizeof(s->ldt));
	s->ldt.unusable = 1;
	s->gdt.base = GDT_GVA;
	s->gdt.limit = GDT_ENTRIES * 8 - 1;
	s->idt.base = IDT_GVA;
	s->idt.limit = GUEST_NR_VECTORS * 16 - 1;
	s->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	s->cr3 = vm->pml4;
	s->cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	s->efer = EFER_LME | EFER_LMA;
}

void vcpu_init_guest_code(struct vcpu *vcpu, void (*guest_code)(void))
{
	uint64_t rsp = GUEST_STACK_GVA + GUEST_STACK_SIZE - 8;
	uint64_t ret = (uintptr_t)guest_code_returned;
	struct kvm_sregs s;
	struct kvm_regs r;

	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	vm_guest_sregs(vcpu->vm, &s);
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &s);
	/* As if called: the return address on top, RSP + 8 16-byte aligned. */
	TEST_ASSERT(!vm_write_guest(vcpu->vm, rsp, &ret, sizeof(ret)), "no guest stack");
	memset(&r, 0, sizeof(r));
	r.rip = (uintptr_t)guest_code;
	r.rsp = rsp;
	r.rflags = 2;
	kvm_ioctl(vcpu->fd, KVM_SET_REGS, &r);
}

struct vm *vm_create_with_one_vcpu(struct vcpu **vcpu, void (*guest_code)(void))
{
	struct vm *vm = vm_create(GUEST_C_MEM_SIZE);

	vm_init_guest_image(vm);
	*vcpu = vcpu_add(vm, 0);
	vcpu_init_guest_code(*vcpu, guest_code);
	return vm;
}

void vcpu_args_set(struct vcpu *vcpu, int n, ...)
{
	struct kvm_regs r;
	/* The System V ABI's argument registers, in order. */
	__u64 *const arg[] = { &r.rdi, &r.rsi, &r.rdx, &r.rcx, &r.r8, &r.r9 };
	va_list ap;
	int i;

	TEST_ASSERT(n >= 0 && n <= 6, "%d arguments: at most 6 go in registers", n);
	vcpu_get_regs(vcpu, &r);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		*arg[i] = va_arg(ap, uint64_t);
	va_end(ap);
	vcpu_set_regs(vcpu, &r);
}

void vm_install_exception_handler(struct vm *vm, int vector, guest_handler_t handler)
{
	TEST_ASSERT(vector >= 0 && vector < GUEST_NR_VECTORS, "vector %d", vector);
	TEST_ASSERT(!vm_write_guest(vm, (uintptr_t)&guest_exception_handlers[vector], &handler,
				    sizeof(handler)), "the guest's handler table is not mapped");
}

uint64_t get_ucall(struct vcpu *vcpu, struct ucall *uc)
{
	struct kvm_run *run = vcpu->run;
	struct ucall tmp;
	uint32_t gva;

	if (uc)
		memset(uc, 0, sizeof(*uc));
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != UCALL_PTR_PORT ||
	    run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 || run->io.count != 1)
		return UCALL_NONE;
	memcpy(&gva, (uint8_t *)run + run->io.data_offset, sizeof(gva));
	TEST_ASSERT(!vm_read_guest(vcpu->vm, gva, &tmp, sizeof(tmp)),
		    "the guest's ucall at %#x is not in its memory", gva);
	tmp.buf[UCALL_BUF_LEN - 1] = 0;
	if (uc)
		*uc = tmp;
	return tmp.cmd;
}

/* A NUL-terminated string from guest-virtual @gva, "?" if it cannot be read. */
static void read_guest_string(struct vm *vm, uint64_t gva, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size; i++)
		if (vm_read_guest(vm, gva + i, &buf[i], 1) || !buf[i])
			break;
	buf[i] = 0;
	if (!i)
		snprintf(buf, size, "?");
}

void report_guest_assert(struct vcpu *vcpu, const struct ucall *uc)
{
	uint64_t a = uc->args[UCALL_ASSERT_A], b = uc->args[UCALL_ASSERT_B];
	char file[256], expr[256];

	read_guest_string(vcpu->vm, uc->args[UCALL_ASSERT_FILE], file, sizeof(file));
	read_guest_string(vcpu->vm, uc->args[UCALL_ASSERT_EXPR], expr, sizeof(expr));
	if (uc->args[UCALL_ASSERT_NVALUES] == 2)
		test_fail(file, (int)uc->args[UCALL_ASSERT_LINE], expr,
			  "in the guest: %#llx (%lld) != %#llx (%lld)", (unsigned long long)a,
			  (long long)a, (unsigned long long)b, (long long)b);
	test_fail(file, (int)uc->args[UCALL_ASSERT_LINE], expr, "in the guest");
}

const char *exception_name(uint64_t vector)
{
	static const char *const names[32] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
		"#DF", "reserved", "#TS", "#NP", "#SS", "#GP", "#PF", "reserved",
		"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "reserved", "reserved",
		"reserved", "reserved", "reserved", "reserved", "#HV", "#VC", "#SX", "reserved",
	};

	return vector < 32 ? names[vector] : "interrupt";
}

void report_unhandled_exception(struct vcpu *vcpu, const struct ucall *uc)
{
	(void)vcpu;
	TEST_ASSERT(false, "unhandled exception in the guest: vector %llu (%s) at rip %#llx, error code %#llx%s",
		    (unsigned long long)uc->args[UCALL_UNHANDLED_VECTOR],
		    exception_name(uc->args[UCALL_UNHANDLED_VECTOR]),
		    (unsigned long long)uc->args[UCALL_UNHANDLED_RIP],
		    (unsigned long long)uc->args[UCALL_UNHANDLED_ERROR],
		    uc->args[UCALL_UNHANDLED_NESTED] ? ", inside an exception handler" : "");
}

/* The guest's text as "# guest: " lines, one per line of it. */
static void print_guest_text(const char *text)
{
	const char *nl;

	while (*text) {
		nl = strchr(text, '\n');
		if (!nl) {
			ktap_info("guest: %s", text);
			break;
		}
		ktap_info("guest: %.*s", (int)(nl - text), text);
		text = nl + 1;
	}
}

uint64_t vcpu_run_ucall(struct vcpu *vcpu, struct ucall *uc)
{
	struct kvm_run *run = vcpu->run;
	struct ucall local;
	uint64_t cmd;

	if (!uc)
		uc = &local;
	vcpu_run(vcpu);
	cmd = get_ucall(vcpu, uc);
	if (cmd == UCALL_NONE) {
		assert_exit(vcpu, KVM_EXIT_IO);
		TEST_ASSERT(false, "%s of %u bytes at port %#x, not a ucall",
			    run->io.direction == KVM_EXIT_IO_OUT ? "OUT" : "IN", run->io.size,
			    run->io.port);
	}
	switch (cmd) {
	case UCALL_ASSERT:
		report_guest_assert(vcpu, uc);
	case UCALL_UNHANDLED:
		report_unhandled_exception(vcpu, uc);
	case UCALL_PRINTF:
		print_guest_text(uc->buf);
		break;
	case UCALL_SYNC:
	case UCALL_DONE:
		break;
	default:
		TEST_ASSERT(false, "unknown ucall %llu from the guest", (unsigned long long)cmd);
	}
	return cmd;
}
