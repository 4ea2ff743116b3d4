/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for minikvm's selftests, in the style of KVM's selftests:
 * asserting wrappers next to raw ioctl helpers, KTAP output, a "ucall"
 * port through which the guest talks to the host, and guest code written
 * in the same file as the host code that runs it.
 *
 * The tests use the device named by $MINIKVM_DEVICE, /dev/minikvm by
 * default, so the same binary runs on /dev/kvm for comparison.
 */
#ifndef MKVM_SELFTEST_UTIL_H
#define MKVM_SELFTEST_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/minikvm.h>

#include "guest.h"
#include "kselftest.h"

/*
 * KTAP output (kselftest.c).  These are the tests' own names; kselftest.h
 * has Linux's, over the same counters.  Exit codes are kselftest's
 * (KSFT_PASS, KSFT_FAIL, KSFT_SKIP): a skip is neither a pass nor a
 * failure.
 */

/* Print the KTAP header and the plan: @cases result lines will follow. */
void ktap_plan(int cases);
/* One result line, "ok N NAME" or "not ok N NAME", NAME from @fmt. */
void ktap_result(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One result line for a case not run: "ok N NAME # SKIP". */
void ktap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The summary line; returns the exit code: KSFT_PASS, or KSFT_FAIL if a
 * case failed or the number of results differs from the plan.
 */
int ktap_finish(void);
/* A "# " diagnostic line, flushed at once. */
void ktap_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * For host-side unit tests whose cases return bool: @ok, and when it is
 * false a KTAP diagnostic line; KTAP_CHECK() returns false from the case.
 */
bool ktap_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define KTAP_CHECK(cond, ...) do {					\
	if (!ktap_check((cond), __VA_ARGS__))				\
		return false;						\
} while (0)
/*
 * Skip the whole test program for @fmt's reason and exit with KSFT_SKIP:
 * "1..0 # SKIP reason" before the plan, or the cases still to come
 * reported as skipped after it.
 */
void ktap_exit_skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/*
 * A failed assertion prints the file, line and condition, the message
 * and a "not ok" line, and ends the test program with KSFT_FAIL.
 */
#define TEST_ASSERT(cond, fmt, ...) do {					\
	if (!(cond))							\
		test_fail(__FILE__, __LINE__, #cond, fmt, ##__VA_ARGS__);	\
} while (0)
/* TEST_ASSERT's failure, for a file and line given (a guest's, say). */
void test_fail(const char *file, int line, const char *cond, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));

/* Raw ioctl: the result, or -errno. */
long __kvm_ioctl(int fd, unsigned long req, void *arg);
/* Asserting ioctl: returns the non-negative result. */
#define kvm_ioctl(fd, req, arg) ({					\
	long __r = __kvm_ioctl(fd, req, (void *)(uintptr_t)(arg));			\
	TEST_ASSERT(__r >= 0, "%s failed: %s", #req, strerror((int)-__r)); \
	__r; })

/* The device the tests use: $MINIKVM_DEVICE, or /dev/minikvm. */
const char *kvm_device(void);
/* The test lane from minikvm.lane= on the kernel command line, or "host". */
const char *lane_name(void);
/* CLOCK_MONOTONIC in seconds, for the figures tests print. */
double now_seconds(void);
/* A number from the environment (MKVM_ENV in lane.sh), or @def. */
long env_long(const char *name, long def);
double env_double(const char *name, double def);
/* Whether /sys/class/dmi/id/@field holds @text: which emulator this is. */
bool dmi_has(const char *field, const char *text);
/*
 * Open kvm_device() read-write and return the fd.  Where the device is
 * absent (ENOENT, ENODEV, ENXIO: no node, or no driver behind it) the
 * test program skips (ktap_exit_skip()); any other error fails it.
 */
int open_kvm_dev(void);
/* Skip the test program unless @path (a device the test needs) can be opened read-write. */
void require_device(const char *path);
/*
 * Where a file a test needs is: $@env if set, else @lane_path, where the
 * lanes' initramfs has it (scripts/mkinitrd.sh).  make -C selftests
 * run_tests sets MINIKVM_RUN, MINIKVM_GUESTS, MINIKVM_KO,
 * LINUX_BOOT_KERNEL and LINUX_BOOT_INITRD to the build's files.
 */
const char *env_path(const char *env, const char *lane_path);
/*
 * Skip the test program unless @path can be read (@exec: and executed);
 * the reason gives the error and @hint (what would provide the file).
 */
void require_file(const char *path, bool exec, const char *hint);
/*
 * Skip the test program unless /dev/minikvm exists and minikvm's debugfs
 * directory, /sys/kernel/debug/minikvm, can be read (debugfs mounted,
 * root): the reason says which is missing.  host_state_read() and
 * debugfs_count() check it first.
 */
void require_minikvm_debugfs(void);
/*
 * /sys/kernel/debug/minikvm/host_state (one line per CPU: the registers
 * and MSRs a VM exit could leave changed), malloc'ed, with DR7's LE and
 * GE bits and SPEC_CTRL's per-task STIBP and SSBD masked out and the
 * per-task LDTR and PKRU left out; asserts that it can be read.
 */
char *host_state_read(void);
/* The number after @name in /sys/kernel/debug/minikvm/@file ("name N" lines). */
long debugfs_count(const char *file, const char *name);
/*
 * Call @fn on each CPU the calling thread may run on, pinned there; the
 * affinity is restored after.  True when every call returned true.
 */
bool on_each_cpu_pinned(bool (*fn)(int cpu, void *arg), void *arg);

/*
 * Run @cases on /dev/minikvm, then again on /dev/kvm where it can be
 * opened (KVM is the reference), with on_kvm and dev_tag ("" or "kvm_",
 * for ahead of each case name) set for each round.  The plan is
 * @minikvm_cases, plus @kvm_cases with /dev/kvm.  Returns the exit code.
 */
int run_on_minikvm_and_kvm(void (*cases)(void), int minikvm_cases, int kvm_cases);
extern bool on_kvm;
extern const char *dev_tag;

struct vm {
	int sys_fd;
	int fd;
	void *mem;		/* slot 0, at guest-physical 0 */
	size_t mem_size;
	/* C guests (vm_init_guest_image()); 0 and NULL otherwise. */
	uint64_t pml4;		/* guest-physical address of the PML4 */
	uint64_t phys_next;	/* the next page vm_phys_alloc() hands out */
	void *data;		/* the host's view of GUEST_DATA_GVA */
};

struct vcpu {
	struct vm *vm;
	int fd;
	struct kvm_run *run;
	size_t run_size;
};

/*
 * Open kvm_device(), create a VM and give it @mem_size bytes of
 * anonymous memory as slot 0 at guest-physical 0.
 */
struct vm *vm_create(size_t mem_size);
/* Close the VM and its device fd and unmap its memory (vCPUs first: vcpu_free()). */
void vm_free(struct vm *vm);
/* Create vCPU @id and map its kvm_run. */
struct vcpu *vcpu_add(struct vm *vm, int id);
/* Unmap the vCPU's kvm_run and close it. */
void vcpu_free(struct vcpu *vcpu);

/* Guest code lives between two symbols; load it at a guest address. */
void vm_load(struct vm *vm, uint64_t gpa, const void *start, const void *end);

/* Real mode with CS = DS = ES = SS = seg, starting at IP 0, SP 0xfff0. */
#define GUEST_SEG	0x1000
#define GUEST_LOAD	(GUEST_SEG << 4)
void vcpu_real_mode(struct vcpu *vcpu, uint16_t seg, uint16_t ip);

/*
 * The modes a program sets up through KVM_SET_SREGS, with flat 4 GiB
 * segments (a TSS-shaped TR, no LDT).  The paged modes identity-map the
 * low 4 GiB with large pages, from tables at GUEST_PT (32-bit: one page
 * directory of 4 MiB pages; PAE: a PDPT at GUEST_PT + 0x1000; long mode: a
 * PML4 at GUEST_PT and that PDPT), the page directories at GUEST_PT +
 * 0x2000, one per GiB.  The VM needs at least GUEST_PT + 0x6000 bytes.
 * A GDT at GUEST_GDT holds the code (0x08) and data (0x10) descriptors.
 */
enum guest_mode { MODE_PROT32, MODE_PAGED32, MODE_PAE, MODE_LONG, NR_GUEST_MODES };
extern const char *const guest_mode_names[NR_GUEST_MODES];
#define GUEST_PT	0x2000
#define GUEST_GDT	0x1000
/*
 * Write gate @vector of a protected-mode IDT at @idt (8-byte gates, or the
 * 16-byte ones of long mode): a present DPL-0 interrupt gate to @handler
 * in the code segment 0x08.
 */
void idt_set_gate(void *idt, int vector, uint64_t handler, bool longmode);
/* Point the vCPU's IDTR at @base with @limit (KVM_GET/SET_SREGS). */
void vcpu_set_idt(struct vcpu *vcpu, uint64_t base, uint16_t limit);
/* Enter @mode at @rip with RSP = @rsp. */
void vcpu_set_mode(struct vcpu *vcpu, enum guest_mode mode, uint64_t rip, uint64_t rsp);
/* The same, returning 0 or -errno instead of asserting. */
int __vcpu_set_mode(struct vcpu *vcpu, enum guest_mode mode, uint64_t rip, uint64_t rsp);

/*
 * A flat 4 GiB segment for KVM_SET_SREGS: present, DPL 0, code or data
 * (S set) of @type; 64-bit code (L set, D/B clear) when @code64.
 */
void kvm_flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code64);

/* KVM_RUN, asserting that it succeeded; the exit is in vcpu->run. */
void vcpu_run(struct vcpu *vcpu);
/* KVM_RUN: 0 or -errno. */
int __vcpu_run(struct vcpu *vcpu);
/* KVM_GET_REGS and KVM_SET_REGS, asserting. */
void vcpu_get_regs(struct vcpu *vcpu, struct kvm_regs *regs);
void vcpu_set_regs(struct vcpu *vcpu, struct kvm_regs *regs);
/* The name of a KVM_EXIT_* reason ("IO", "HLT"...), "?" if unknown. */
const char *exit_reason_str(unsigned int reason);
/* Assert the last exit had this reason, printing the details if not. */
void assert_exit(struct vcpu *vcpu, unsigned int reason);

/*
 * The register ucall port of the assembly guests: the guest writes EAX =
 * command (UCALL_SYNC, UCALL_ASSERT, UCALL_DONE of guest.h) with a 32-bit
 * OUT to UCALL_PORT; EBX and ECX are the arguments.
 */
#define UCALL_PORT	0x1000
/*
 * Run until an assembly guest makes a register ucall: its command, with
 * uc->cmd, args[0] (EBX) and args[1] (ECX) filled.  Any other exit, and
 * a UCALL_ASSERT (RBX: the guest's line, RCX: a value), fails the test.
 */
uint64_t run_to_ucall(struct vcpu *vcpu, struct ucall *uc);

/* The UART data port guests print through (COM1). */
#define UART_PORT	0x3f8
/*
 * Run, collecting what the guest writes to UART_PORT into out (always
 * NUL-terminated), until any other exit; that exit stays in vcpu->run.
 * Returns the number of bytes collected.
 */
size_t run_uart(struct vcpu *vcpu, char *out, size_t outlen);

/*
 * Guest programs in C (guest.h has the guest's side and the addresses).
 *
 * vm_create_with_one_vcpu(&vcpu, guest_code) makes a VM whose slot 0 (at
 * guest-physical 0, GUEST_C_MEM_SIZE bytes) holds a copy of the test
 * binary at its own virtual addresses, with 4-level page tables, a GDT,
 * an IDT of stubs on IST 1, a TSS, a stack and the data region
 * GUEST_DATA_GVA (vm->data on the host), and one vCPU in 64-bit mode at
 * guest_code() with RFLAGS.IF clear.  Then vcpu_run_ucall() runs it to
 * each ucall.  Pages come from GUEST_PHYS_START up, one by one.
 */
#define GUEST_C_MEM_SIZE	(4 << 20)
#define GUEST_PHYS_START	0x100000

/* A VM running @guest_code on one vCPU (above), returned in *@vcpu. */
struct vm *vm_create_with_one_vcpu(struct vcpu **vcpu, void (*guest_code)(void));
/*
 * What vm_create_with_one_vcpu() puts in guest memory: the binary, the
 * page tables, descriptor tables, stacks and data region.  No ioctl: a
 * host-side check may call it on a struct vm with only mem and mem_size.
 */
void vm_init_guest_image(struct vm *vm);
/*
 * The special registers of a C guest: long mode (CR0 PE MP ET NE WP PG,
 * CR4 PAE OSFXSR OSXMMEXCPT, EFER LME LMA, CR3 the PML4), the GDT's code,
 * data and TSS selectors, the GDT and IDT.  Other fields of @s are kept.
 */
void vm_guest_sregs(struct vm *vm, struct kvm_sregs *s);
/*
 * Point the vCPU at @guest_code in a VM set up by vm_init_guest_image():
 * vm_guest_sregs(), RIP, RFLAGS 2, and RSP at the stack's top with
 * guest_code_returned as the return address.
 */
void vcpu_init_guest_code(struct vcpu *vcpu, void (*guest_code)(void));
/* guest_code()'s first @n (at most 6) arguments, uint64_t each: RDI, RSI, RDX, RCX, R8, R9. */
void vcpu_args_set(struct vcpu *vcpu, int n, ...);
/* @pages zeroed pages of slot 0: their guest-physical address; asserts they fit. */
uint64_t vm_phys_alloc(struct vm *vm, size_t pages);
/* Map the 4 KiB page at @gva to @gpa, read-only or writable; asserts it was not mapped. */
void virt_map(struct vm *vm, uint64_t gva, uint64_t gpa, bool writable);
/*
 * Fresh zeroed memory of @size bytes mapped writable at @gva (page
 * aligned): the host's pointer to it (contiguous, like the guest's view).
 */
void *vm_map_alloc(struct vm *vm, uint64_t gva, size_t size);
/* Walk the guest's page tables: false where @gva is not mapped; @gpa, @writable may be NULL. */
bool vm_gva2gpa(struct vm *vm, uint64_t gva, uint64_t *gpa, bool *writable);
/* Translations that assert the address is mapped (gva) or in slot 0 (gpa). */
uint64_t addr_gva2gpa(struct vm *vm, uint64_t gva);
void *addr_gva2hva(struct vm *vm, uint64_t gva);
void *addr_gpa2hva(struct vm *vm, uint64_t gpa);
/* Copy from or to guest-virtual memory, page by page: 0, or -EFAULT where unmapped. */
int vm_read_guest(struct vm *vm, uint64_t gva, void *dst, size_t len);
int vm_write_guest(struct vm *vm, uint64_t gva, const void *src, size_t len);
/*
 * A global of the test file, in the guest's copy of the binary: give the
 * guest the host's value, or take the guest's.
 */
#define sync_global_to_guest(vm, g)					\
	TEST_ASSERT(!vm_write_guest(vm, (uintptr_t)&(g), &(g), sizeof(g)),	\
		    "%s is not in guest memory", #g)
#define sync_global_from_guest(vm, g)					\
	TEST_ASSERT(!vm_read_guest(vm, (uintptr_t)&(g), &(g), sizeof(g)),	\
		    "%s is not in guest memory", #g)
/* Have @handler (a __guest function) take exception @vector in the guest. */
void vm_install_exception_handler(struct vm *vm, int vector, guest_handler_t handler);
/*
 * Decode the exit in vcpu->run: a C guest's ucall (a 4-byte OUT to
 * UCALL_PTR_PORT) is copied from guest memory into *@uc (may be NULL) and
 * its command returned; any other exit is UCALL_NONE, *@uc zeroed.
 */
uint64_t get_ucall(struct vcpu *vcpu, struct ucall *uc);
/*
 * KVM_RUN to the next ucall of a C guest and return its command, *@uc
 * filled (@uc may be NULL).  UCALL_PRINTF's text is also printed as
 * "# guest: " lines.  A failed guest assertion, an unhandled guest
 * exception, an unknown command or an exit that is not a ucall fails
 * the test (report_guest_assert(), report_unhandled_exception()).
 */
uint64_t vcpu_run_ucall(struct vcpu *vcpu, struct ucall *uc);
/*
 * A UCALL_ASSERT as a TEST_ASSERT failure at the guest's file and line,
 * with the guest's expression and, for GUEST_ASSERT_EQ, both values.
 */
void report_guest_assert(struct vcpu *vcpu, const struct ucall *uc) __attribute__((noreturn));
/* A UCALL_UNHANDLED as a test failure naming the vector, RIP and error code. */
void report_unhandled_exception(struct vcpu *vcpu, const struct ucall *uc)
	__attribute__((noreturn));
/* The mnemonic of exception @vector ("#GP"), or "interrupt" from 32 up. */
const char *exception_name(uint64_t vector);

/*
 * 16-bit guest code in a C file.  GUEST_CODE16(name, "insns") defines
 * name_start/name_end around the assembled instructions; the ucall macros
 * below expand to the instruction strings the guest uses.
 */
#define GUEST_CODE16(name, body)					\
	asm(".pushsection .rodata\n\t.code16\n"				\
	    ".globl " #name "_start\n.globl " #name "_end\n"		\
	    #name "_start:\n\t" body "\n" #name "_end:\n\t"		\
	    ".code64\n\t.popsection");					\
	extern const char name##_start[], name##_end[]

/* STR(x): x, macros expanded, as a string literal. */
#define STR_(x) #x
#define STR(x) STR_(x)
/* A ucall with command @cmd, a sync with EBX = @arg, and GUEST_DONE's asm. */
#define G_UCALL(cmd) "mov $" STR(cmd) ", %eax\n\tmov $" STR(UCALL_PORT) ", %dx\n\tout %eax, %dx\n\t"
#define G_SYNC(arg)  "mov $" STR(arg) ", %ebx\n\t" G_UCALL(UCALL_SYNC)
#define G_DONE       G_UCALL(UCALL_DONE)

#endif
