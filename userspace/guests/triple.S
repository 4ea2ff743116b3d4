/* SPDX-License-Identifier: GPL-2.0 */
/*
 * triple: a real-mode guest that shuts the CPU down (an empty IDT in
 * protected mode, then #UD), to show how minikvm-run reports an
 * unexpected exit.
 */
	.code16
	.text
	.globl _start
_start:
	xor	%ax, %ax
	push	%ax
	push	%ax
	push	%ax
	mov	%sp, %bx
	lidt	(%bx)
	mov	%cr0, %eax
	or	$1, %eax
	mov	%eax, %cr0
	ud2
