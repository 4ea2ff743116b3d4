/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello: a real-mode guest for minikvm-run.  It adds two numbers in
 * registers, prints "Hello from minikvm: 40 + 2 = 42" through the UART at
 * 0x3f8 and halts.  Built flat, loaded at 0x1000 with CS=0.
 */
	.code16
	.text
	.globl _start
_start:
	mov	$40, %ax
	mov	$2, %bx
	add	%bx, %ax		/* the sum, printed at the end */
	mov	%ax, %cx
	mov	$msg - _start + 0x1000, %si
	mov	$0x3f8, %dx
1:	lodsb
	test	%al, %al
	jz	2f
	out	%al, %dx
	jmp	1b
2:	/* two decimal digits of the sum in CX */
	mov	%cx, %ax
	mov	$10, %bl
	div	%bl			/* AL = tens, AH = units */
	add	$'0', %al
	out	%al, %dx
	mov	%ah, %al
	add	$'0', %al
	out	%al, %dx
	mov	$'\n', %al
	out	%al, %dx
	hlt

msg:	.asciz	"Hello from minikvm: 40 + 2 = "
