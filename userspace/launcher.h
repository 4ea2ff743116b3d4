/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What minikvm-run's files share: exit statuses, the helpers of
 * minikvm-run.c, the Linux mode's entry point, and the KVM ABI pieces
 * the Linux mode needs that uapi/linux/minikvm.h does not declare (yet).
 */
#ifndef MINIKVM_RUN_LAUNCHER_H
#define MINIKVM_RUN_LAUNCHER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/minikvm.h>

/*
 * Exit statuses of the launcher itself, above any guest debug-exit byte.
 * 120-123 only in the Linux mode (--kernel).
 */
#define EXIT_RESET_UNCLEAN	120	/* i8042 reset, not after an orderly shutdown */
#define EXIT_TRIPLE_FAULT	121	/* KVM_EXIT_SHUTDOWN */
#define EXIT_HALTED		122	/* HLT with interrupts off: nothing can wake it */
#define EXIT_USER_QUIT		123	/* Ctrl-A x on the terminal */
#define EXIT_GUEST		124	/* an exit the launcher cannot handle */
#define EXIT_SETUP		125	/* a set-up error */

/*
 * KVM ABI the Linux mode uses that uapi/linux/minikvm.h does not declare;
 * the values are those of <linux/kvm.h>.  Whichever the header gains
 * later wins.
 */
#ifndef KVM_INTERRUPT
struct kvm_interrupt {
	__u32 irq;		/* a vector, not a pin */
};

#define KVM_INTERRUPT		_IOW(KVMIO, 0x86, struct kvm_interrupt)
#endif
#ifndef KVM_SET_SIGNAL_MASK
struct kvm_signal_mask {
	__u32 len;
	__u8 sigset[];
};

#define KVM_SET_SIGNAL_MASK	_IOW(KVMIO, 0x8b, struct kvm_signal_mask)
#endif
#ifndef KVM_SET_TSS_ADDR
#define KVM_SET_TSS_ADDR	_IO(KVMIO, 0x47)
#endif

/* The Linux mode's options. */
struct linux_opts {
	const char *device;
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	uint64_t mem;
	int verbose;
};

/* minikvm-run.c */
uint64_t parse_num(const char *s, const char *what);
int open_device(const char *path);
const char *exit_name(unsigned int r);
void report_exit(int vcpu, struct kvm_run *run);
void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type, int code64);

/* linux.c: boot a bzImage; returns the launcher's exit status. */
int linux_main(const struct linux_opts *o);

#endif
