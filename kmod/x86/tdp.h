/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two-dimensional paging: the 4-level guest-physical to host-physical
 * tables that EPT (SDM Vol. 3C, 29.3) and NPT (APM Vol. 2, 15.25) walk.
 * Both use 512-entry tables indexed by the same address bits; only the
 * entry bits differ, and the backend supplies those through mkvm_ops.
 */
#ifndef MKVM_X86_TDP_H
#define MKVM_X86_TDP_H

#include <linux/types.h>

struct mkvm_tdp {
	u64 *root;		/* PML4, one zeroed page */
	unsigned long nr_tables;	/* tables below the root, for the stats */
};

int mkvm_tdp_init(struct mkvm_tdp *tdp);
int mkvm_tdp_map(struct mkvm_tdp *tdp, u64 gpa, phys_addr_t hpa, bool writable);
u64 *mkvm_tdp_alloc_root(void);
u64 *mkvm_tdp_swap_root(struct mkvm_tdp *tdp, u64 *new_root);
void mkvm_tdp_free_root(u64 *root);
void mkvm_tdp_destroy(struct mkvm_tdp *tdp);
phys_addr_t mkvm_tdp_root_pa(const struct mkvm_tdp *tdp);

/* Guest-physical addresses minikvm maps: 4-level tables reach 48 bits. */
#define MKVM_GPA_BITS 48

#endif
