/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello32: a 32-bit ELF guest for minikvm-run --mode prot|paged|pae.  It
 * prints a line through the UART at 0x3f8, using its stack, and halts.
 */
	.code32
	.text
	.globl _start
_start:
	mov	$msg, %esi
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
msg:	.asciz	"Hello from 32-bit protected mode\n"
