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
	u64 *spare;		/* the next root, zeroed: a zap allocates nothing */
	unsigned long nr_tables;	/* tables below the root, for the stats */
	unsigned long nr_leaves;	/* 4 KiB mappings, for the stats */
};

/*
 * Pages for new tables, allocated before the VM's mmu_lock is taken:
 * one 4 KiB mapping needs at most three (PDPT, PD, PT).
 */
#define MKVM_TDP_CACHE	3
struct mkvm_tdp_cache {
	u64 *pages[MKVM_TDP_CACHE];
	int n;
};

int mkvm_tdp_init(struct mkvm_tdp *tdp);
int mkvm_tdp_map(struct mkvm_tdp *tdp, u64 gpa, phys_addr_t hpa, bool writable,
		 struct mkvm_tdp_cache *cache);
int mkvm_tdp_cache_fill(struct mkvm_tdp_cache *cache);
void mkvm_tdp_cache_free(struct mkvm_tdp_cache *cache);
u64 *mkvm_tdp_swap_root(struct mkvm_tdp *tdp);
void mkvm_tdp_recycle_root(struct mkvm_tdp *tdp, u64 *old);
void mkvm_tdp_destroy(struct mkvm_tdp *tdp);
phys_addr_t mkvm_tdp_root_pa(const struct mkvm_tdp *tdp);

/* Guest-physical addresses minikvm maps: 4-level tables reach 48 bits. */
#define MKVM_GPA_BITS 48

#endif
