/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello64: a 64-bit ELF guest for minikvm-run --mode long.  It prints a
 * line through the UART at 0x3f8, using its stack, and halts.
 */
	.code64
	.text
	.globl _start
_start:
	lea	msg(%rip), %rsi
	call	puts
	hlt

puts:	mov	$0x3f8, %dx
1:	lodsb
	test	%al, %al
	jz	2f
	out	%al, %dx
	jmp	1b
2:	ret

	.data
msg:	.asciz	"Hello from 64-bit long mode\n"
