// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-physical memory: from an EPT violation or NPT fault to a pinned
 * page of the slot's userspace memory mapped in the EPT/NPT tables.
 *
 * Pages are pinned (FOLL_LONGTERM, so they are not in movable zones) the
 * first time the guest touches them, or one near them (a fault maps the
 * aligned block of MKVM_FAULT_AROUND pages around it, as the host's own
 * fault-around does for file pages: a guest that touches memory in order
 * then exits once per block, not once per page), and stay pinned until
 * their slot is deleted, the VM is destroyed, or the process's page
 * tables change under them (munmap, madvise(MADV_DONTNEED), mremap,
 * migration, reclaim: the MMU notifier of core/mmu_notifier.c drops their
 * translations and pins); the tables never point at a page that is not
 * pinned.
 *
 * Locking: vm->mmu_lock guards the slots, their page arrays and the tables;
 * it is taken inside mmap_lock and from reclaim (MMU notifier callbacks),
 * so nothing here pins pages or touches user memory while holding it, and
 * nothing allocated under it reclaims: tables and array nodes are tried
 * without reclaim and otherwise allocated before taking it, a zap takes a
 * spare root.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <asm/io.h>

#include "minikvm.h"

#define MKVM_FAULT_AROUND	16

/* What a fault saw of its slot, all read in one mmu_lock section. */
struct mkvm_fault_slot {
	struct mkvm_slot *slot;
	unsigned long uaddr;	/* of page 0 of the slot */
	u64 gpa;		/* of page 0 */
	bool readonly;
	unsigned long seq;	/* ->mmu_invalidate_seq then */
};

/*
 * Store and map pinned pages [@idx, @idx + @n) of @fs's slot, under
 * mmu_lock, if neither the host's page tables nor the slots changed since
 * @fs was read (->mmu_invalidate_seq; slot changes bump it too) and no
 * change is going on: else -EAGAIN.  Nothing here reclaims memory (the
 * MMU notifier may be what reclaim calls): an array node or a table that
 * cannot be had without it is -ENOMEM, and the caller allocates one
 * outside the lock (@xas, @cache) and calls again.  @stored[i] tells
 * which pins the slot now owns.
 */
static int mkvm_mmu_install(struct mkvm_vm *vm, const struct mkvm_fault_slot *fs,
			    unsigned long idx, int n, struct page **pages, bool *stored,
			    struct xa_state *xas, struct mkvm_tdp_cache *cache)
{
	int i, r = 0;

	if (atomic_long_read(&vm->mmu_invalidate_in_progress) ||
	    atomic_long_read(&vm->mmu_invalidate_seq) != fs->seq)
		return -EAGAIN;
	for (i = 0; i < n && !r; i++) {
		struct page *page;

		xas_set(xas, idx + i);
		xas_lock(xas);
		page = xas_load(xas);
		if (!page) {
			xas_store(xas, pages[i]);
			if (!xas_error(xas)) {
				page = pages[i];
				stored[i] = true;
			}
		}
		xas_unlock(xas);
		r = xas_error(xas);
		if (!r)
			r = mkvm_tdp_map(&vm->tdp, fs->gpa + ((idx + i) << PAGE_SHIFT),
					 page_to_phys(page), !fs->readonly, cache);
	}
	return r;
}

/*
 * Pin and map the pages [@idx, @idx + @n) of the slot @fs describes with
 * one pin_user_pages_fast() call.  The pinning happens without mmu_lock:
 * it may fault pages in, and a fault may call the MMU notifier
 * (core/mmu_notifier.c), which takes mmu_lock (the lock order is
 * mmap_lock, then mmu_lock); mkvm_mmu_install() then checks that nothing
 * changed meanwhile.  A page an earlier fault pinned keeps that pin and
 * is mapped again (its translation is gone after a zap); the pin taken on
 * it here is dropped, as is every pin after an error.
 * Return: 0, -EFAULT when the userspace range cannot be pinned whole,
 * -EAGAIN, -ENOMEM.
 */
static int mkvm_mmu_map_block(struct mkvm_vm *vm, const struct mkvm_fault_slot *fs,
			      unsigned long idx, int n)
{
	struct page *pages[MKVM_FAULT_AROUND];
	bool stored[MKVM_FAULT_AROUND] = { false };
	XA_STATE(xas, &fs->slot->pages, idx);
	struct mkvm_tdp_cache cache = { .n = 0 };
	int i, pinned, r;

	pinned = pin_user_pages_fast(fs->uaddr + (idx << PAGE_SHIFT), n,
				     (fs->readonly ? 0 : FOLL_WRITE) | FOLL_LONGTERM, pages);
	if (pinned != n) {
		if (pinned > 0)
			unpin_user_pages(pages, pinned);
		return -EFAULT;
	}
	mkvm_count(pinned_pages, n);

	for (;;) {
		mutex_lock(&vm->mmu_lock);
		r = mkvm_mmu_install(vm, fs, idx, n, pages, stored, &xas, &cache);
		mutex_unlock(&vm->mmu_lock);
		if (r != -ENOMEM)
			break;
		/* Allocate what was missing, outside the lock, and retry. */
		if (!xas_nomem(&xas, GFP_KERNEL_ACCOUNT) && mkvm_tdp_cache_fill(&cache))
			break;
	}
	/* Free a node xas_nomem() got that the store did not use. */
	xas_set(&xas, 0);
	xas_nomem(&xas, 0);
	mkvm_tdp_cache_free(&cache);
	for (i = 0; i < n; i++) {
		if (!stored[i]) {
			unpin_user_page(pages[i]);
			mkvm_count(pinned_pages, -1);
		}
	}
	return r;
}

/**
 * mkvm_mmu_fault() - map the pages around a guest-physical address
 * @vcpu: the faulting vCPU; called preemptible, outside the guest
 * @gpa: the guest-physical address of the access
 * @write: the access was a write
 *
 * Maps the aligned block of MKVM_FAULT_AROUND pages that holds @gpa, as
 * far as the slot goes; if the slot's userspace memory cannot be pinned
 * whole there, only the page of @gpa.  A read-only slot (KVM_MEM_READONLY)
 * is pinned and mapped without write permission; a write to it is MMIO.
 *
 * Return: 0 when mapped, -EAGAIN when the host's page tables or the slots
 * changed meanwhile (enter the guest again: it faults again), -ENOENT when
 * no slot holds @gpa or it is a write to a read-only slot (MMIO), -EFAULT
 * when the slot's userspace memory cannot be pinned (or the process's
 * memory is gone), -ENOMEM.
 */
int mkvm_mmu_fault(struct mkvm_vcpu *vcpu, u64 gpa, bool write)
{
	struct mkvm_vm *vm = vcpu->vm;
	struct mkvm_fault_slot fs;
	unsigned long idx, first, last;
	int r;

	vcpu->stats->pf_taken++;
	mutex_lock(&vm->mmu_lock);
	fs.slot = mkvm_find_slot(vm, gpa);
	if (vm->mm_released) {
		mutex_unlock(&vm->mmu_lock);
		return -EFAULT;
	}
	if (!fs.slot || (write && fs.slot->readonly)) {
		mutex_unlock(&vm->mmu_lock);
		return -ENOENT;
	}
	fs.uaddr = fs.slot->uaddr;
	fs.gpa = fs.slot->gpa;
	fs.readonly = fs.slot->readonly;
	fs.seq = atomic_long_read(&vm->mmu_invalidate_seq);
	idx = (gpa - fs.gpa) >> PAGE_SHIFT;
	first = round_down(idx, MKVM_FAULT_AROUND);
	last = min_t(u64, first + MKVM_FAULT_AROUND, fs.slot->npages);
	mutex_unlock(&vm->mmu_lock);

	r = mkvm_mmu_map_block(vm, &fs, first, last - first);
	if (r == -EFAULT)
		r = mkvm_mmu_map_block(vm, &fs, idx, 1);
	if (!r)
		vcpu->stats->pf_fixed++;
	return r;
}

/**
 * mkvm_mmu_release_slot() - unpin every page a slot pinned
 * @slot: a slot no translation points into any more
 */
void mkvm_mmu_release_slot(struct mkvm_slot *slot)
{
	struct page *page;
	unsigned long idx;

	xa_for_each(&slot->pages, idx, page) {
		unpin_user_page(page);
		mkvm_count(pinned_pages, -1);
		if (!(idx % 1024))
			cond_resched();
	}
	xa_destroy(&slot->pages);
}

/**
 * mkvm_mmu_zap() - drop every guest-physical translation of a VM
 * @vm: the VM, with vm->mmu_lock held
 * @hide: a slot being deleted or moved, or NULL
 *
 * It allocates nothing (the new root is the spare one): the MMU notifier
 * that may call it may have been called by reclaim.
 *
 * After this returns no CPU translates through the old tables: vCPUs in
 * the guest were forced out by an IPI (external interrupts exit on both
 * backends) and each one flushes and loads the new root before its next
 * entry, because ->mmu_gen changed.  @hide is no longer used either:
 * it stopped being visible to mkvm_read_guest_atomic() before the
 * generation changed, and the IPI waited for every reader already inside
 * (they run with interrupts off).  Its pages may be unpinned afterwards.
 */
void mkvm_mmu_zap(struct mkvm_vm *vm, struct mkvm_slot *hide)
{
	u64 *old_root;

	if (hide)
		WRITE_ONCE(hide->used, false);
	/* A fault that pinned pages before this must not map them. */
	atomic_long_inc(&vm->mmu_invalidate_seq);
	old_root = mkvm_tdp_swap_root(&vm->tdp);
	/* A vCPU that sees the new generation must see the new root too. */
	smp_mb__before_atomic();
	atomic_inc(&vm->mmu_gen);
	/* The kick below must come after the new generation is visible. */
	smp_mb__after_atomic();
	mkvm_kick_all_cpus();
	vm->stats.remote_tlb_flush++;
	mkvm_tdp_recycle_root(&vm->tdp, old_root);
}

/**
 * mkvm_mmu_needs_flush() - must this vCPU flush before entering?
 * @vcpu: the vCPU, about to enter with interrupts off
 *
 * Return: true once per change of the VM's translations; the caller then
 * loads the current root and flushes the guest's TLB entries.
 */
bool mkvm_mmu_needs_flush(struct mkvm_vcpu *vcpu)
{
	int gen = atomic_read(&vcpu->vm->mmu_gen);

	if (vcpu->mmu_gen == gen)
		return false;
	vcpu->mmu_gen = gen;
	return true;
}

/*
 * Copy between a buffer and guest-physical memory through the slot's
 * userspace mapping: what the process sees there now, which is what the
 * guest sees too (the MMU notifier drops translations of pages the
 * process no longer maps).  The copy runs without vm->mmu_lock: it may fault,
 * and a fault may call the MMU notifier, which takes vm->mmu_lock.  A slot
 * deleted meanwhile only means a copy to or from the process's own memory.
 */
static int mkvm_copy_guest(struct mkvm_vm *vm, u64 gpa, void *buf, size_t len,
			   bool write)
{
	void __user *user = NULL;
	struct mkvm_slot *slot;
	int r = -ENOENT;

	mutex_lock(&vm->mmu_lock);
	slot = mkvm_find_slot(vm, gpa);
	if (slot && write && slot->readonly)
		r = -EFAULT;	/* the guest cannot write there, nor can we for it */
	else if (slot && len <= (slot->npages << PAGE_SHIFT) - (gpa - slot->gpa))
		user = (void __user *)(slot->uaddr + (gpa - slot->gpa));
	mutex_unlock(&vm->mmu_lock);
	if (user)
		r = (write ? copy_to_user(user, buf, len) : copy_from_user(buf, user, len)) ?
		    -EFAULT : 0;
	return r;
}

/**
 * mkvm_read_guest() - copy guest-physical memory, from process context
 * @vm: the VM; called by its creator process (the slot addresses are in
 *	its address space), may sleep
 * @gpa: the guest-physical address
 * @buf: where to copy
 * @len: bytes, within one slot
 *
 * Return: 0, -ENOENT when no slot holds the range, -EFAULT.
 */
int mkvm_read_guest(struct mkvm_vm *vm, u64 gpa, void *buf, size_t len)
{
	return mkvm_copy_guest(vm, gpa, buf, len, false);
}

/**
 * mkvm_write_guest() - copy into guest-physical memory, from process context
 * @vm: the VM, as for mkvm_read_guest()
 * @gpa: the guest-physical address
 * @buf: what to copy
 * @len: bytes, within one slot
 *
 * Return: 0, -ENOENT when no slot holds the range, -EFAULT (also for a
 * read-only slot).
 */
int mkvm_write_guest(struct mkvm_vm *vm, u64 gpa, const void *buf, size_t len)
{
	return mkvm_copy_guest(vm, gpa, (void *)buf, len, true);
}

/**
 * mkvm_read_guest_atomic() - copy guest-physical memory without sleeping
 * @vcpu: the reading vCPU, in an exit handler (preemption off)
 * @gpa: the guest-physical address
 * @buf: where to copy
 * @len: bytes, not crossing a page
 *
 * Only pages the guest has touched (pinned, see mkvm_mmu_fault()) can be
 * read.  Interrupts stay off while reading, so a concurrent mkvm_mmu_zap()
 * cannot finish its kick, and so cannot unpin, before this returns; a zap
 * that started meanwhile is seen in ->mmu_gen and the read is discarded.
 *
 * Return: 0, -EAGAIN (not pinned yet, or raced with a zap: retry after
 * re-entering the guest), -ENOENT (no slot), -EINVAL (crosses a page).
 */
int mkvm_read_guest_atomic(struct mkvm_vcpu *vcpu, u64 gpa, void *buf, size_t len)
{
	struct mkvm_vm *vm = vcpu->vm;
	unsigned long flags;
	struct page *page;
	int gen, i, r = -ENOENT;
	void *va;

	if (offset_in_page(gpa) + len > PAGE_SIZE)
		return -EINVAL;
	local_irq_save(flags);
	gen = atomic_read(&vm->mmu_gen);
	smp_rmb();	/* the generation before the slots it guards */
	/*
	 * The MMU notifier unpins pages while an invalidation is in
	 * progress; it raised the count before its kick, which waits for
	 * a reader already past this point (core/mmu_notifier.c).
	 */
	if (atomic_long_read(&vm->mmu_invalidate_in_progress)) {
		local_irq_restore(flags);
		return -EAGAIN;
	}
	for (i = 0; i < MKVM_MAX_SLOTS; i++) {
		struct mkvm_slot *s = &vm->slots[i];

		if (!READ_ONCE(s->used))
			continue;
		smp_rmb();	/* pairs with the smp_wmb() before ->used is set */
		if (gpa < s->gpa || gpa - s->gpa >= (s->npages << PAGE_SHIFT))
			continue;
		page = xa_load(&s->pages, (gpa - s->gpa) >> PAGE_SHIFT);
		r = -EAGAIN;
		if (!page)
			break;
		va = kmap_local_page(page);
		memcpy(buf, va + offset_in_page(gpa), len);
		kunmap_local(va);
		r = 0;
		break;
	}
	smp_rmb();	/* the copy before the second look at the generation */
	if (!r && atomic_read(&vm->mmu_gen) != gen)
		r = -EAGAIN;
	local_irq_restore(flags);
	return r;
}
