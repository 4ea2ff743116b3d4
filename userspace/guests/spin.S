/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spin: a real-mode guest that never stops by itself.  The test machine
 * leaves it running under minikvm-run when it powers off, so that
 * minikvm's reboot notifier must end its KVM_RUN and switch VMX or SVM
 * off with a guest still there (scripts/initramfs/init).
 */
	.code16
	.text
	.globl _start
_start:
	mov	$'S', %al
	mov	$0x3f8, %dx
	out	%al, %dx		/* one exit first: the guest is running */
1:	inc	%ax
	jmp	1b
