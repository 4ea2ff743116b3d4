// SPDX-License-Identifier: GPL-2.0
/*
 * Following the process's page tables under the slots: an MMU notifier
 * (include/linux/mmu_notifier.h), as KVM registers one per VM.
 *
 * Guest pages are pinned when the guest first touches them (core/mmu.c).
 * When the process's own mapping of slot memory changes (munmap, mremap,
 * madvise(MADV_DONTNEED), a new mmap over it, migration, reclaim), the
 * kernel calls invalidate_range_start() first: minikvm then drops the
 * EPT/NPT translations of the whole VM and unpins the pages in the range,
 * so the guest faults again and finds what the process now has there, and
 * minikvm's own copies (core/mmu.c, which go through the process's
 * mapping) agree with it.  Until invalidate_range_end(), faults on the VM
 * back off (->mmu_invalidate_in_progress); a fault that pinned a page
 * before an invalidation started sees ->mmu_invalidate_seq changed and
 * drops it.  The pages may then swap and migrate, as the guest's pages do
 * under KVM.
 *
 * Locking: the callbacks run with the process's mmap_lock held, or from
 * reclaim; they take vm->mmu_lock, which is therefore never held while
 * pinning pages, touching user memory or allocating with reclaim.
 */
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/xarray.h>

#include "minikvm.h"

/*
 * The pinned pages of @vm that the userspace range [@start, @end) covers:
 * with @unpin, drop each (vm->mmu_lock held), else stop at the first.
 * Return: whether there was any.
 */
static bool mkvm_mn_pages(struct mkvm_vm *vm, unsigned long start, unsigned long end,
			  bool unpin)
{
	bool found = false;
	int i;

	for (i = 0; i < MKVM_MAX_SLOTS; i++) {
		struct mkvm_slot *s = &vm->slots[i];
		unsigned long slot_end = s->uaddr + (s->npages << PAGE_SHIFT);
		unsigned long first, last, idx;
		struct page *page;

		if (!s->used || end <= s->uaddr || start >= slot_end)
			continue;
		first = (max(start, s->uaddr) - s->uaddr) >> PAGE_SHIFT;
		last = (min(end, slot_end) - 1 - s->uaddr) >> PAGE_SHIFT;
		xa_for_each_range(&s->pages, idx, page, first, last) {
			found = true;
			if (!unpin)
				return true;
			xa_erase(&s->pages, idx);
			unpin_user_page(page);
			mkvm_count(pinned_pages, -1);
			if (!(idx % 1024))
				cond_resched();
		}
	}
	return found;
}

/*
 * Hide the pages of [@start, @end) from every reader, stop every vCPU
 * using their translations, then unpin them.  vm->mmu_lock is held and
 * ->mmu_invalidate_in_progress raised, which turns away readers that
 * start later (mkvm_read_guest_atomic()); the kick in mkvm_mmu_zap()
 * waits for the ones already reading.
 */
static void mkvm_mn_drop(struct mkvm_vm *vm, unsigned long start, unsigned long end)
{
	if (!mkvm_mn_pages(vm, start, end, false))
		return;
	mkvm_mmu_zap(vm, NULL);
	mkvm_mn_pages(vm, start, end, true);
}

/*
 * Never fails: the notifier core calls invalidate_range_end() after a
 * failed start too, which would unbalance the count.  Where it may not
 * sleep (the OOM reaper, tearing down a dying process) it only raises
 * the count, so that faults and readers back off, and leaves the pages
 * pinned and mapped: they stay valid, and the process is going away.
 * Every range counts, not only those under a slot (KVM checks the
 * range): a fault that meets one retries, no more.
 */
static int mkvm_mn_invalidate_range_start(struct mmu_notifier *mn,
					  const struct mmu_notifier_range *range)
{
	struct mkvm_vm *vm = container_of(mn, struct mkvm_vm, mn);

	atomic_long_inc(&vm->mmu_invalidate_in_progress);
	atomic_long_inc(&vm->mmu_invalidate_seq);
	/* The count before the kick: readers that start later must see it. */
	smp_mb__after_atomic();
	if (!mmu_notifier_range_blockable(range))
		return 0;
	mutex_lock(&vm->mmu_lock);
	mkvm_mn_drop(vm, range->start, range->end);
	mutex_unlock(&vm->mmu_lock);
	return 0;
}

static void mkvm_mn_invalidate_range_end(struct mmu_notifier *mn,
					 const struct mmu_notifier_range *range)
{
	struct mkvm_vm *vm = container_of(mn, struct mkvm_vm, mn);

	/* No lock: this may run where sleeping is not allowed. */
	atomic_long_inc(&vm->mmu_invalidate_seq);
	/* The new sequence before the end: a fault seeing 0 sees it too. */
	smp_mb__before_atomic();
	/* An end without its start would stall every later fault: say so. */
	WARN_ON_ONCE(atomic_long_dec_return(&vm->mmu_invalidate_in_progress) < 0);
}

/*
 * The process's address space is going away (exit, or the last user of
 * the mm): drop every pinned page now; the VM may outlive it only as
 * open fds that can no longer run anything (faults then fail).
 */
static void mkvm_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct mkvm_vm *vm = container_of(mn, struct mkvm_vm, mn);

	mutex_lock(&vm->mmu_lock);
	vm->mm_released = true;
	atomic_long_inc(&vm->mmu_invalidate_in_progress);
	atomic_long_inc(&vm->mmu_invalidate_seq);
	/* As in invalidate_range_start(): the count before the kick. */
	smp_mb__after_atomic();
	mkvm_mn_drop(vm, 0, ULONG_MAX);
	atomic_long_dec(&vm->mmu_invalidate_in_progress);
	mutex_unlock(&vm->mmu_lock);
}

static const struct mmu_notifier_ops mkvm_mn_ops = {
	.invalidate_range_start	= mkvm_mn_invalidate_range_start,
	.invalidate_range_end	= mkvm_mn_invalidate_range_end,
	.release		= mkvm_mn_release,
};

/**
 * mkvm_mmu_notifier_register() - follow the creator's page tables
 * @vm: a new VM, before userspace can reach it; vm->mm is current->mm
 *
 * Return: 0, -ENOMEM or -EINTR (mmu_notifier_register()).
 */
int mkvm_mmu_notifier_register(struct mkvm_vm *vm)
{
	vm->mn.ops = &mkvm_mn_ops;
	return mmu_notifier_register(&vm->mn, vm->mm);
}

/**
 * mkvm_mmu_notifier_unregister() - stop following them
 * @vm: the VM being destroyed, no vCPU running
 *
 * Runs the release callback if the process's address space still exists,
 * and waits for callbacks in progress.
 */
void mkvm_mmu_notifier_unregister(struct mkvm_vm *vm)
{
	mmu_notifier_unregister(&vm->mn, vm->mm);
}
