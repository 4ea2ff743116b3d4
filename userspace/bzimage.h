/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading a Linux bzImage, its initrd and command line into guest memory
 * and the vCPU state of the 64-bit boot protocol (bzimage.c).
 */
#ifndef MINIKVM_RUN_BZIMAGE_H
#define MINIKVM_RUN_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "launcher.h"

struct linux_boot {
	uint64_t entry;		/* the 64-bit entry point */
	uint64_t zero_page;	/* struct boot_params, for RSI */
	uint64_t kernel_end;	/* where the decompressed kernel may reach */
	uint64_t initrd_addr, initrd_size;
	uint16_t protocol;	/* the setup header's version */
	char version[128];	/* the kernel's version string */
};

/*
 * Load o->kernel, o->initrd and o->cmdline into MEM (MEM_SIZE bytes of
 * guest memory from guest-physical 0) with a zero page, an e820 table,
 * a GDT and identity-mapping page tables.  Returns 0, or -1 after saying
 * why on stderr.
 */
int bzimage_load(const struct linux_opts *o, void *mem, uint64_t mem_size,
		 struct linux_boot *boot);

/* The registers of the 64-bit boot protocol's entry for BOOT. */
void bzimage_vcpu_state(const struct linux_boot *boot, struct kvm_sregs *s,
			struct kvm_regs *r);

#endif
