/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest side of the selftest library: what guest code written in C
 * may use.  kvm_util.h includes it; the host side (loading the test
 * binary into the guest, running it, decoding ucalls) is declared there.
 *
 * The guest runs a copy of the test binary, made from /proc/self/exe's
 * PT_LOAD segments at their own virtual addresses, at 64-bit CPL 0.  It
 * shares no state with the host process: its globals start at the values
 * in the file (sync_global_to_guest() copies the host's), and it has no
 * libc (no TLS, no IFUNCs resolved, no system calls).  Guest code may
 * call only functions marked __guest: those below and the test's own.
 * The build checks it (scripts/guest_calls.sh): a direct call or jump
 * from guest code to anything outside the guest_text section, or a %fs
 * or %gs access there, fails the build.  That includes the calls GCC
 * makes by itself: a large struct copied or zeroed by assignment, or a
 * loop it turns into memset() or memcpy().  Static helpers that GCC may
 * not inline need __guest too.  One vCPU per VM: the stacks are shared.
 *
 * Choices for the guest's CPU, made once for every C guest:
 *  - SSE is usable: CR0.MP and NE set, EM clear, CR4.OSFXSR and
 *    OSXMMEXCPT set, so the test's own CFLAGS (x86-64 with SSE2) apply
 *    to guest code unchanged.  AVX is not (CR4.OSXSAVE clear).
 *  - Every IDT gate uses IST 1, a stack of its own: an exception never
 *    writes its frame over the red zone of the code it interrupted, so
 *    guest code needs no -mno-red-zone.  The stubs save the general
 *    registers and the SSE state (FXSAVE) around the handler.  A handler
 *    must not fault itself: a second exception would restart the IST
 *    stack over the first frame; it is reported as unhandled.
 *  - RFLAGS.IF is clear: no interrupts arrive unless a test enables them.
 */
#ifndef MKVM_SELFTEST_GUEST_H
#define MKVM_SELFTEST_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Marks a function that runs in the guest: it goes in section guest_text. */
#define __guest __attribute__((section("guest_text")))

/*
 * Where the library maps the guest's own memory, beside the test binary
 * (which a static non-PIE link puts at 0x400000): every address below
 * 4 GiB, because the ucall pointer is a 32-bit OUT.
 */
#define GUEST_TABLES_GVA	0x10000000ull	/* GDT, IDT, TSS: a page each */
#define GUEST_STACK_GVA		0x10100000ull	/* the guest's stack, from its top */
#define GUEST_STACK_SIZE	0x10000
#define GUEST_EXC_STACK_GVA	0x10200000ull	/* IST 1: every exception */
#define GUEST_EXC_STACK_SIZE	0x4000
#define GUEST_DATA_GVA		0x20000000ull	/* shared with the host: vm->data */
#define GUEST_DATA_SIZE		0x10000
/* Selectors in the guest's GDT. */
#define GUEST_CODE_SEL		0x08
#define GUEST_DATA_SEL		0x10
#define GUEST_TSS_SEL		0x18

/*
 * Ucalls: the guest fills a struct ucall on its stack and writes its
 * address with a 32-bit OUT to UCALL_PTR_PORT; the host reads it from
 * guest memory at that KVM_EXIT_IO (get_ucall()).  The command numbers
 * are shared with the register ucalls of the assembly guests
 * (UCALL_PORT, kvm_util.h), which fill only cmd and args[0..1].
 */
#define UCALL_PTR_PORT	0x1004
#define UCALL_NONE	0	/* the exit was not a ucall */
#define UCALL_SYNC	1	/* args[0]: stage, args[1..2]: values */
#define UCALL_ASSERT	2	/* args: enum ucall_assert_arg */
#define UCALL_DONE	3	/* the guest finished */
#define UCALL_PRINTF	4	/* buf: the text; args[0]: its untruncated length */
#define UCALL_UNHANDLED	5	/* args: enum ucall_unhandled_arg */
#define UCALL_MAX_ARGS	6
#define UCALL_BUF_LEN	256

struct ucall {
	uint64_t cmd;
	uint64_t args[UCALL_MAX_ARGS];
	char buf[UCALL_BUF_LEN];
};

/* The arguments of a UCALL_ASSERT. */
enum ucall_assert_arg {
	UCALL_ASSERT_FILE,	/* guest address of __FILE__ */
	UCALL_ASSERT_LINE,
	UCALL_ASSERT_EXPR,	/* guest address of the expression's text */
	UCALL_ASSERT_A,		/* GUEST_ASSERT_EQ's two values */
	UCALL_ASSERT_B,
	UCALL_ASSERT_NVALUES,	/* 0 for GUEST_ASSERT, 2 for GUEST_ASSERT_EQ */
};

/* The arguments of a UCALL_UNHANDLED. */
enum ucall_unhandled_arg {
	UCALL_UNHANDLED_VECTOR,
	UCALL_UNHANDLED_RIP,
	UCALL_UNHANDLED_ERROR,	/* the error code, 0 for vectors without one */
	UCALL_UNHANDLED_NESTED,	/* 1: raised inside an exception handler */
};

/* Send a ucall with these arguments (the rest 0) and return when the host resumes. */
void guest_ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2);
/* Report a failed assertion (UCALL_ASSERT); halts for ever after. */
void guest_assert_fail(const char *file, int line, const char *expr, uint64_t a, uint64_t b,
		       int nvalues) __attribute__((noreturn));
/*
 * vsnprintf() for the guest: flags - 0 + space #, width and precision
 * (numbers or *), lengths hh h l ll z j t, conversions d i u o x X c s p %.
 * Returns the length the whole text would have; @buf is NUL-terminated
 * when @size is not 0.
 */
int guest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int guest_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Format into a ucall's buffer and send it as UCALL_PRINTF. */
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define GUEST_SYNC(stage)		guest_ucall(UCALL_SYNC, (stage), 0, 0)
#define GUEST_SYNC_ARGS(stage, a, b)	\
	guest_ucall(UCALL_SYNC, (stage), (uint64_t)(a), (uint64_t)(b))
#define GUEST_DONE()			guest_ucall(UCALL_DONE, 0, 0, 0)
#define GUEST_PRINTF(fmt, ...)		guest_printf(fmt, ##__VA_ARGS__)
#define GUEST_ASSERT(cond) do {						\
	if (!(cond))							\
		guest_assert_fail(__FILE__, __LINE__, #cond, 0, 0, 0);	\
} while (0)
/* Compared as uint64_t; both values go to the host. */
#define GUEST_ASSERT_EQ(a, b) do {					\
	uint64_t __ga = (uint64_t)(a), __gb = (uint64_t)(b);		\
	if (__ga != __gb)						\
		guest_assert_fail(__FILE__, __LINE__, #a " == " #b,	\
				  __ga, __gb, 2);			\
} while (0)

/*
 * What an exception handler receives: the general registers as the
 * exception found them, the vector, the error code (0 for vectors that
 * push none) and the interrupt frame.  The handler may change any of
 * them, RIP in particular: the stub's IRETQ returns to what it holds.
 */
struct ex_regs {
	uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*guest_handler_t)(struct ex_regs *regs);

#define GUEST_NR_VECTORS	256
#define GUEST_IDT_STUB_SIZE	16
/* The handler for each vector, or NULL: written by vm_install_exception_handler(). */
extern guest_handler_t guest_exception_handlers[GUEST_NR_VECTORS];
/* The IDT stubs, GUEST_IDT_STUB_SIZE bytes each, vector 0 first. */
extern const char guest_idt_stubs[];
/* Where a guest_code() that returns goes: a UCALL_DONE, then HLT for ever. */
extern const char guest_code_returned[];
/* Called by the stubs: the installed handler, or a UCALL_UNHANDLED. */
void guest_route_exception(struct ex_regs *regs);

#endif
