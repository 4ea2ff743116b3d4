// SPDX-License-Identifier: GPL-2.0
/*
 * The guest side of the selftest library (guest.h): ucalls, assertions,
 * a small vsnprintf, the IDT stubs and the routing of exceptions to the
 * handlers the host installed.  Everything here runs in the guest, is
 * __guest, and calls nothing outside this file.
 */
#include "guest.h"

guest_handler_t guest_exception_handlers[GUEST_NR_VECTORS];

void guest_code_done(void) __attribute__((noreturn));

/* The ucall itself: the struct's address, a 32-bit OUT (guest.h). */
static void __guest ucall_send(struct ucall *uc)
{
	asm volatile("outl %%eax, %%dx"
		     : : "a"((uint32_t)(uintptr_t)uc), "d"((uint16_t)UCALL_PTR_PORT)
		     : "memory");
}

/* For after a ucall the host is not meant to resume from. */
static void __guest __attribute__((noreturn)) halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt" : : : "memory");
}

/* A ucall with six arguments and an empty text. */
static void __guest ucall6(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			   uint64_t a4, uint64_t a5)
{
	struct ucall uc;

	uc.cmd = cmd;
	uc.args[0] = a0;
	uc.args[1] = a1;
	uc.args[2] = a2;
	uc.args[3] = a3;
	uc.args[4] = a4;
	uc.args[5] = a5;
	uc.buf[0] = 0;
	ucall_send(&uc);
}

void __guest guest_ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2)
{
	ucall6(cmd, a0, a1, a2, 0, 0, 0);
}

void __guest guest_assert_fail(const char *file, int line, const char *expr, uint64_t a,
			       uint64_t b, int nvalues)
{
	ucall6(UCALL_ASSERT, (uintptr_t)file, line, (uintptr_t)expr, a, b, nvalues);
	halt_forever();
}

void __guest guest_code_done(void)
{
	guest_ucall(UCALL_DONE, 0, 0, 0);
	halt_forever();
}

/* Where guest_vsnprintf() writes: @len counts every character, stored or not. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

/* One conversion's flags, width and precision (-1: none given). */
struct spec {
	bool left, zero, plus, space, alt;
	int width, prec;
};

static void __guest put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void __guest put_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

/* @n characters of @s, padded to the width. */
static void __guest put_str(struct out *o, const char *s, int n, const struct spec *sp)
{
	int i;

	if (!sp->left)
		put_repeat(o, ' ', sp->width - n);
	for (i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		put_repeat(o, ' ', sp->width - n);
}

/*
 * @v in @base with C's rules: the precision is the least number of
 * digits (0 prints nothing for 0), '0' pads between the sign or prefix
 * and the digits unless a precision is given, '#' adds 0x or 0X to a
 * non-zero hexadecimal number and a leading 0 to an octal one.
 */
static void __guest put_number(struct out *o, uint64_t v, bool neg, unsigned int base,
			       bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24], prefix[2];
	int nd = 0, np = 0, zeros, pad;

	while (v) {
		tmp[nd++] = digits[v % base];
		v /= base;
	}
	zeros = (sp->prec < 0 ? 1 : sp->prec) - nd;
	if (zeros < 0)
		zeros = 0;
	if (neg)
		prefix[np++] = '-';
	else if (sp->plus)
		prefix[np++] = '+';
	else if (sp->space)
		prefix[np++] = ' ';
	if (sp->alt && base == 16 && nd) {
		prefix[np++] = '0';
		prefix[np++] = upper ? 'X' : 'x';
	}
	if (sp->alt && base == 8 && !zeros)
		zeros = 1;
	pad = sp->width - (np + zeros + nd);
	if (!sp->left && sp->zero && sp->prec < 0 && pad > 0) {
		zeros += pad;
		pad = 0;
	}
	if (!sp->left)
		put_repeat(o, ' ', pad);
	for (int i = 0; i < np; i++)
		put(o, prefix[i]);
	put_repeat(o, '0', zeros);
	while (nd)
		put(o, tmp[--nd]);
	if (sp->left)
		put_repeat(o, ' ', pad);
}

/* A decimal number at *@p, which moves past it. */
static int __guest parse_int(const char **p)
{
	int n = 0;

	while (**p >= '0' && **p <= '9')
		n = n * 10 + *(*p)++ - '0';
	return n;
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG };

int __guest guest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };
	const char *p = fmt;

	while (*p) {
		struct spec sp = { .prec = -1 };
		enum length len = LEN_INT;
		bool upper = false;
		unsigned int base;
		const char *s;
		uint64_t u;
		int64_t v;
		char c;
		int n;

		if (*p != '%') {
			put(&o, *p++);
			continue;
		}
		p++;
		for (;; p++) {
			if (*p == '-')
				sp.left = true;
			else if (*p == '0')
				sp.zero = true;
			else if (*p == '+')
				sp.plus = true;
			else if (*p == ' ')
				sp.space = true;
			else if (*p == '#')
				sp.alt = true;
			else
				break;
		}
		if (*p == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			p++;
		} else {
			sp.width = parse_int(&p);
		}
		if (*p == '.') {
			p++;
			if (*p == '*') {
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;
				p++;
			} else {
				sp.prec = parse_int(&p);
			}
		}
		if (p[0] == 'h' && p[1] == 'h') {
			len = LEN_CHAR;
			p += 2;
		} else if (*p == 'h') {
			len = LEN_SHORT;
			p++;
		} else if (p[0] == 'l' && p[1] == 'l') {
			len = LEN_LONG;
			p += 2;
		} else if (*p == 'l' || *p == 'z' || *p == 'j' || *p == 't') {
			len = LEN_LONG;
			p++;
		}
		c = *p;
		if (!c)
			break;
		p++;
		switch (c) {
		case 'd':
		case 'i':
			v = len == LEN_LONG ? va_arg(ap, long) : va_arg(ap, int);
			if (len == LEN_CHAR)
				v = (signed char)v;
			else if (len == LEN_SHORT)
				v = (short)v;
			put_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false, &sp);
			break;
		case 'X':
			upper = true;
			/* fall through */
		case 'x':
		case 'u':
		case 'o':
			u = len == LEN_LONG ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			if (len == LEN_CHAR)
				u = (unsigned char)u;
			else if (len == LEN_SHORT)
				u = (unsigned short)u;
			base = c == 'u' ? 10 : c == 'o' ? 8 : 16;
			sp.plus = false;
			sp.space = false;
			put_number(&o, u, false, base, upper, &sp);
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			if (!u) {
				put_str(&o, "(nil)", 5, &sp);
				break;
			}
			sp.alt = true;
			put_number(&o, u, false, 16, false, &sp);
			break;
		case 's':
			s = va_arg(ap, const char *);
			/* glibc's choice for NULL, so that host and guest agree. */
			if (!s)
				s = sp.prec < 0 || sp.prec >= 6 ? "(null)" : "";
			for (n = 0; (sp.prec < 0 || n < sp.prec) && s[n]; n++)
				;
			put_str(&o, s, n, &sp);
			break;
		case 'c':
			c = (char)va_arg(ap, int);
			put_str(&o, &c, 1, &sp);
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			/* Not a conversion this knows: shown as written. */
			put(&o, '%');
			put(&o, c);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int __guest guest_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = guest_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void __guest guest_printf(const char *fmt, ...)
{
	struct ucall uc;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = guest_vsnprintf(uc.buf, sizeof(uc.buf), fmt, ap);
	va_end(ap);
	uc.cmd = UCALL_PRINTF;
	uc.args[0] = n;
	for (n = 1; n < UCALL_MAX_ARGS; n++)
		uc.args[n] = 0;
	ucall_send(&uc);
}

/*
 * The installed handler for the vector, unless the exception came from
 * inside a handler (its RSP on the exception stack): the outer frame is
 * gone then, and the guest cannot go on.  Anything not handled goes to
 * the host as a UCALL_UNHANDLED, and the guest halts.
 */
void __guest guest_route_exception(struct ex_regs *regs)
{
	bool nested = regs->rsp >= GUEST_EXC_STACK_GVA &&
		      regs->rsp <= GUEST_EXC_STACK_GVA + GUEST_EXC_STACK_SIZE;
	guest_handler_t handler = NULL;

	if (regs->vector < GUEST_NR_VECTORS)
		handler = guest_exception_handlers[regs->vector];
	if (handler && !nested) {
		handler(regs);
		return;
	}
	ucall6(UCALL_UNHANDLED, regs->vector, regs->rip, regs->error_code, nested, 0, 0);
	halt_forever();
}

/*
 * One stub per vector, GUEST_IDT_STUB_SIZE bytes apart (.org fails the
 * build if one grew past that): an error code of 0 where the CPU pushes
 * none (every vector but 8, 10-14, 17, 21, 29 and 30), then the vector.
 * The common part saves the general registers (struct ex_regs, rax
 * lowest) and the SSE state, calls guest_route_exception() with the
 * ABI's 16-byte stack alignment, restores them and returns with IRETQ.
 *
 * guest_code_returned: the return address under guest_code() on its
 * stack; it realigns the stack, which the RET left 8 bytes off a call's.
 */
asm(".pushsection guest_text, \"ax\", @progbits\n"
	"	.balign 16\n"
	"	.globl guest_idt_stubs\n"
	"guest_idt_stubs:\n"
	"	.set guest_vec, 0\n"
	"	.rept 256\n"
	"	.if guest_vec == 8 || (guest_vec >= 10 && guest_vec <= 14) || guest_vec == 17 || guest_vec == 21 || guest_vec == 29 || guest_vec == 30\n"
	"	.else\n"
	"	pushq $0\n"
	"	.endif\n"
	"	pushq $guest_vec\n"
	"	jmp guest_idt_common\n"
	"	.org guest_idt_stubs + (guest_vec + 1) * 16, 0xcc\n"
	"	.set guest_vec, guest_vec + 1\n"
	"	.endr\n"
	"guest_idt_common:\n"
	"	push %r15\n"
	"	push %r14\n"
	"	push %r13\n"
	"	push %r12\n"
	"	push %r11\n"
	"	push %r10\n"
	"	push %r9\n"
	"	push %r8\n"
	"	push %rdi\n"
	"	push %rsi\n"
	"	push %rbp\n"
	"	push %rbx\n"
	"	push %rdx\n"
	"	push %rcx\n"
	"	push %rax\n"
	"	cld\n"
	"	mov %rsp, %rbx\n"
	"	and $-16, %rsp\n"
	"	sub $512, %rsp\n"
	"	fxsave64 (%rsp)\n"
	"	mov %rbx, %rdi\n"
	"	call guest_route_exception\n"
	"	fxrstor64 (%rsp)\n"
	"	mov %rbx, %rsp\n"
	"	pop %rax\n"
	"	pop %rcx\n"
	"	pop %rdx\n"
	"	pop %rbx\n"
	"	pop %rbp\n"
	"	pop %rsi\n"
	"	pop %rdi\n"
	"	pop %r8\n"
	"	pop %r9\n"
	"	pop %r10\n"
	"	pop %r11\n"
	"	pop %r12\n"
	"	pop %r13\n"
	"	pop %r14\n"
	"	pop %r15\n"
	"	add $16, %rsp\n"
	"	iretq\n"
	"	.globl guest_code_returned\n"
	"guest_code_returned:\n"
	"	and $-16, %rsp\n"
	"	call guest_code_done\n"
	"	ud2\n"
	"	.popsection\n");
