// SPDX-License-Identifier: GPL-2.0
/*
 * EPT/NPT table management shared by both backends.
 *
 * Locking: every function here is called with the owning VM's ->lock held,
 * which serialises faults against slot changes.  The hardware walks the
 * tables concurrently; entries are only ever written whole (WRITE_ONCE), and
 * tables are only freed after the callers have kicked every vCPU out of the
 * guest (see mkvm_mmu_zap()).
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/io.h>

#include "../core/minikvm.h"

#define TDP_ENTRIES	512
#define TDP_ADDR_MASK	GENMASK_ULL(51, 12)

static inline unsigned int tdp_index(u64 gpa, int level)
{
	/* level 4 is the root (bits 47:39) ... level 1 maps 4 KiB (20:12) */
	return (gpa >> (12 + 9 * (level - 1))) & (TDP_ENTRIES - 1);
}

static u64 *tdp_alloc_table(void)
{
	u64 *table = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (table)
		mkvm_count(tdp_tables, 1);
	return table;
}

static void tdp_free_table(u64 *table)
{
	free_page((unsigned long)table);
	mkvm_count(tdp_tables, -1);
}

/**
 * mkvm_tdp_init() - allocate an empty root table
 * @tdp: the structure to fill
 *
 * Return: 0 or -ENOMEM.
 */
int mkvm_tdp_init(struct mkvm_tdp *tdp)
{
	tdp->root = mkvm_tdp_alloc_root();
	tdp->nr_tables = 0;
	return tdp->root ? 0 : -ENOMEM;
}

/**
 * mkvm_tdp_root_pa() - physical address of the root, for EPTP or nCR3
 * @tdp: the tables
 */
phys_addr_t mkvm_tdp_root_pa(const struct mkvm_tdp *tdp)
{
	return virt_to_phys(tdp->root);
}

/**
 * mkvm_tdp_map() - map one 4 KiB guest-physical page to a host page
 * @tdp: the tables
 * @gpa: guest-physical address, page aligned, below 2^MKVM_GPA_BITS
 * @hpa: host-physical address of a page the caller holds a pin on
 * @writable: false for a read-only slot's page
 *
 * Missing intermediate tables are allocated.  An existing leaf is
 * overwritten with the same translation (two vCPUs may fault on one page).
 *
 * Return: 0, -ENOMEM, or -EINVAL for an address the tables cannot hold.
 */
int mkvm_tdp_map(struct mkvm_tdp *tdp, u64 gpa, phys_addr_t hpa, bool writable)
{
	u64 *table = tdp->root;
	int level;

	if (gpa >> MKVM_GPA_BITS)
		return -EINVAL;

	for (level = 4; level > 1; level--) {
		u64 *entry = &table[tdp_index(gpa, level)];

		if (!*entry) {
			u64 *next = tdp_alloc_table();

			if (!next)
				return -ENOMEM;
			tdp->nr_tables++;
			WRITE_ONCE(*entry, mkvm_ops->tdp_table_pte(virt_to_phys(next)));
		}
		table = phys_to_virt(*entry & TDP_ADDR_MASK);
	}
	WRITE_ONCE(table[tdp_index(gpa, 1)], mkvm_ops->tdp_leaf_pte(hpa, writable));
	return 0;
}

static void tdp_free_children(u64 *table, int level)
{
	int i;

	/* Level-1 entries point at guest pages, which the slots own. */
	if (level == 1)
		return;
	for (i = 0; i < TDP_ENTRIES; i++) {
		u64 *child;

		if (!table[i])
			continue;
		child = phys_to_virt(table[i] & TDP_ADDR_MASK);
		tdp_free_children(child, level - 1);
		tdp_free_table(child);
	}
}

/**
 * mkvm_tdp_swap_root() - detach every translation by moving to a new root
 * @tdp: the tables
 * @new_root: a zeroed page from mkvm_tdp_alloc_root()
 *
 * Return: the old root, still walkable by CPUs that have not yet left the
 * guest.  Free it with mkvm_tdp_free_root() only once no CPU can use it,
 * that is after every vCPU was kicked out of the guest and will flush and
 * load the new root before it enters again (mkvm_mmu_zap()).
 */
u64 *mkvm_tdp_swap_root(struct mkvm_tdp *tdp, u64 *new_root)
{
	u64 *old = tdp->root;

	tdp->root = new_root;
	tdp->nr_tables = 0;
	return old;
}

/**
 * mkvm_tdp_alloc_root() - a zeroed page for a root table
 *
 * Return: the page or NULL.
 */
u64 *mkvm_tdp_alloc_root(void)
{
	return tdp_alloc_table();
}

/**
 * mkvm_tdp_free_root() - free a detached root and every table below it
 * @root: the old root; may be NULL
 */
void mkvm_tdp_free_root(u64 *root)
{
	if (!root)
		return;
	tdp_free_children(root, 4);
	tdp_free_table(root);
}

/**
 * mkvm_tdp_destroy() - free all tables including the root
 * @tdp: the tables; no vCPU may run on them any more
 */
void mkvm_tdp_destroy(struct mkvm_tdp *tdp)
{
	mkvm_tdp_free_root(tdp->root);
	tdp->root = NULL;
}
