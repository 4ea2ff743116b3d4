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

/* Exit codes, as kselftest's: a skip is neither a pass nor a failure. */
#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

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
 * The ucall port: the guest writes EAX = command with a 32-bit OUT to
 * UCALL_PORT; EBX and ECX are the arguments.
 */
#define UCALL_PORT	0x1000
#define UCALL_NONE	0
#define UCALL_SYNC	1
#define UCALL_ASSERT	2
#define UCALL_DONE	3
struct ucall {
	uint64_t cmd;
	uint64_t args[2];
};
/*
 * Run until the guest makes a ucall: its command, with uc->cmd, args[0]
 * (EBX) and args[1] (ECX) filled.  Any other exit, and a UCALL_ASSERT
 * (RBX: the guest's line, RCX: a value), fails the test.
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
