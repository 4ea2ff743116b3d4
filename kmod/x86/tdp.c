// SPDX-License-Identifier: GPL-2.0
/*
 * EPT/NPT table management shared by both backends.
 *
 * Locking: every function here but the cache ones is called with the
 * owning VM's ->mmu_lock held, which serialises faults against slot changes
 * and the MMU notifier.  The notifier may run from reclaim, so nothing here
 * allocates with reclaim under that lock: new tables come from a cache the
 * caller fills beforehand, or without reclaim (GFP_NOWAIT), and a zap
 * switches to a spare root.  The hardware walks the tables concurrently;
 * entries are only ever written whole (WRITE_ONCE), and tables are only
 * freed after the callers have kicked every vCPU out of the guest (see
 * mkvm_mmu_zap()).
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

static u64 *tdp_alloc_table(gfp_t gfp)
{
	u64 *table = (u64 *)get_zeroed_page(gfp | __GFP_ACCOUNT);

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
	tdp->root = tdp_alloc_table(GFP_KERNEL);
	tdp->spare = tdp_alloc_table(GFP_KERNEL);
	tdp->nr_tables = 0;
	if (tdp->root && tdp->spare)
		return 0;
	mkvm_tdp_destroy(tdp);
	return -ENOMEM;
}

/**
 * mkvm_tdp_cache_fill() - allocate the pages one mapping may need
 * @cache: the caller's cache; called without the VM's mmu_lock
 *
 * Return: 0 or -ENOMEM.
 */
int mkvm_tdp_cache_fill(struct mkvm_tdp_cache *cache)
{
	while (cache->n < MKVM_TDP_CACHE) {
		u64 *table = tdp_alloc_table(GFP_KERNEL);

		if (!table)
			return -ENOMEM;
		cache->pages[cache->n++] = table;
	}
	return 0;
}

/**
 * mkvm_tdp_cache_free() - free what a mapping did not use
 * @cache: the cache
 */
void mkvm_tdp_cache_free(struct mkvm_tdp_cache *cache)
{
	while (cache->n)
		tdp_free_table(cache->pages[--cache->n]);
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
 * @cache: pages for missing intermediate tables, or NULL
 *
 * Missing intermediate tables come from @cache, else are allocated
 * without reclaim.  An existing leaf is overwritten with the same
 * translation (two vCPUs may fault on one page).
 *
 * Return: 0, -ENOMEM (fill a cache and try again), or -EINVAL for an
 * address the tables cannot hold.
 */
int mkvm_tdp_map(struct mkvm_tdp *tdp, u64 gpa, phys_addr_t hpa, bool writable,
		 struct mkvm_tdp_cache *cache)
{
	u64 *table = tdp->root;
	int level;

	if (gpa >> MKVM_GPA_BITS)
		return -EINVAL;

	for (level = 4; level > 1; level--) {
		u64 *entry = &table[tdp_index(gpa, level)];

		if (!*entry) {
			u64 *next = cache && cache->n ? cache->pages[--cache->n] :
				    tdp_alloc_table(GFP_NOWAIT | __GFP_NOWARN);

			if (!next)
				return -ENOMEM;
			tdp->nr_tables++;
			WRITE_ONCE(*entry, mkvm_ops->tdp_table_pte(virt_to_phys(next)));
		}
		table = phys_to_virt(*entry & TDP_ADDR_MASK);
	}
	if (!table[tdp_index(gpa, 1)])
		tdp->nr_leaves++;
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
 * mkvm_tdp_swap_root() - detach every translation by moving to the spare root
 * @tdp: the tables
 *
 * Return: the old root, still walkable by CPUs that have not yet left the
 * guest.  Give it to mkvm_tdp_recycle_root() only once no CPU can use it,
 * that is after every vCPU was kicked out of the guest and will flush and
 * load the new root before it enters again (mkvm_mmu_zap()).
 */
u64 *mkvm_tdp_swap_root(struct mkvm_tdp *tdp)
{
	u64 *old = tdp->root;

	tdp->root = tdp->spare;
	tdp->spare = NULL;
	tdp->nr_tables = 0;
	tdp->nr_leaves = 0;
	return old;
}

/**
 * mkvm_tdp_recycle_root() - free what a detached root maps; it becomes the spare
 * @tdp: the tables
 * @old: the root mkvm_tdp_swap_root() returned, no longer used by any CPU
 */
void mkvm_tdp_recycle_root(struct mkvm_tdp *tdp, u64 *old)
{
	tdp_free_children(old, 4);
	memset(old, 0, PAGE_SIZE);
	tdp->spare = old;
}

/* Free a root and every table below it; NULL is allowed. */
static void tdp_free_root(u64 *root)
{
	if (!root)
		return;
	tdp_free_children(root, 4);
	tdp_free_table(root);
}

/**
 * mkvm_tdp_destroy() - free all tables including the roots
 * @tdp: the tables; no vCPU may run on them any more
 */
void mkvm_tdp_destroy(struct mkvm_tdp *tdp)
{
	tdp_free_root(tdp->root);
	tdp_free_root(tdp->spare);
	tdp->root = NULL;
	tdp->spare = NULL;
}
