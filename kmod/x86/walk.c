// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-linear to guest-physical translation in software, through the
 * guest's own page tables, for the exits where minikvm must touch memory
 * the guest named by a linear address: the instruction of an MMIO access,
 * the buffer of INS/OUTS, the opcode at a breakpoint.  Neither backend
 * gets these addresses translated from the hardware on every exit (SVM's
 * decode assists are optional and QEMU has none).
 *
 * The walk follows SDM Vol. 3, 4.3 (32-bit), 4.4 (PAE) and 4.5 (4-level),
 * APM Vol. 2, 5.3 and 5.4.  It checks presence only: the guest ran the
 * instruction, so the hardware already checked the rights of the access.
 */
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>

#include "../core/minikvm.h"

#define PTE_P		BIT_ULL(0)
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR	GENMASK_ULL(51, 12)

/**
 * mkvm_get_paging() - the guest's paging registers, for a later walk
 * @vcpu: the vCPU, loaded
 * @pg: filled in
 */
void mkvm_get_paging(struct mkvm_vcpu *vcpu, struct mkvm_paging *pg)
{
	struct kvm_sregs sregs;

	mkvm_ops->get_sregs(vcpu, &sregs);
	pg->cr0 = sregs.cr0;
	pg->cr3 = sregs.cr3;
	pg->cr4 = sregs.cr4;
	pg->efer = sregs.efer;
	pg->cs_base = sregs.cs.base;
	/* The default operand size: 16, 32 or 64-bit code (3.4.5). */
	if ((sregs.efer & EFER_LMA) && sregs.cs.l)
		pg->code_bytes = 8;
	else if ((sregs.cr0 & X86_CR0_PE) && sregs.cs.db)
		pg->code_bytes = 4;
	else
		pg->code_bytes = 2;
	if (pg->code_bytes == 8)
		pg->cs_base = 0;	/* ignored in 64-bit mode (3.4.4) */
}

static int mkvm_read_pte(struct mkvm_vcpu *vcpu, u64 gpa, u64 *pte, size_t size,
			 bool atomic)
{
	int r;

	*pte = 0;
	if (!atomic)
		return mkvm_read_guest(vcpu->vm, gpa, pte, size);
	r = mkvm_read_guest_atomic(vcpu, gpa, pte, size);
	if (r == -EAGAIN)
		vcpu->fault_gpa = gpa;
	return r;
}

/**
 * mkvm_gva_to_gpa() - translate a guest-linear address
 * @vcpu: the vCPU
 * @pg: its paging registers (mkvm_get_paging())
 * @gva: the linear address
 * @gpa: the guest-physical address, on success
 * @atomic: reading from an exit handler (preemption off): only pinned
 *	pages can be read, see mkvm_read_guest_atomic()
 *
 * Return: 0; -EFAULT when a table entry is not present (the guest would
 * take a page fault) or a table is outside guest RAM; -EAGAIN (@atomic
 * only) when a table page is not pinned yet, vcpu->fault_gpa names it.
 */
int mkvm_gva_to_gpa(struct mkvm_vcpu *vcpu, const struct mkvm_paging *pg,
		    u64 gva, u64 *gpa, bool atomic)
{
	bool lma = pg->efer & EFER_LMA;
	u64 table, pte;
	int level, shift, r;

	if (!lma)
		gva = (u32)gva;
	if (!(pg->cr0 & X86_CR0_PG)) {
		*gpa = gva;
		return 0;
	}

	if (!(pg->cr4 & X86_CR4_PAE)) {
		/* 32-bit paging: two levels of 4-byte entries, 4 MiB pages with PSE. */
		table = pg->cr3 & PAGE_MASK;
		for (level = 2; level > 0; level--) {
			shift = 12 + 10 * (level - 1);
			r = mkvm_read_pte(vcpu, table + ((gva >> shift) & 0x3ff) * 4,
					  &pte, 4, atomic);
			if (r)
				return r == -EAGAIN ? r : -EFAULT;
			if (!(pte & PTE_P))
				return -EFAULT;
			if (level == 2 && (pte & PTE_PS) && (pg->cr4 & X86_CR4_PSE)) {
				*gpa = (pte & 0xffc00000) | (gva & 0x3fffff);
				return 0;
			}
			table = pte & 0xfffff000;
		}
		*gpa = table | (gva & ~PAGE_MASK);
		return 0;
	}

	if (lma) {
		table = pg->cr3 & PTE_ADDR;
		level = 4;
	} else {
		/* PAE: CR3 points at four 8-byte PDPTEs, 32-byte aligned (4.4.1). */
		r = mkvm_read_pte(vcpu, (pg->cr3 & 0xffffffe0) + ((gva >> 30) & 3) * 8,
				  &pte, 8, atomic);
		if (r)
			return r == -EAGAIN ? r : -EFAULT;
		if (!(pte & PTE_P))
			return -EFAULT;
		table = pte & PTE_ADDR;
		level = 2;
	}
	for (; level > 0; level--) {
		shift = 12 + 9 * (level - 1);
		r = mkvm_read_pte(vcpu, table + ((gva >> shift) & 0x1ff) * 8,
				  &pte, 8, atomic);
		if (r)
			return r == -EAGAIN ? r : -EFAULT;
		if (!(pte & PTE_P))
			return -EFAULT;
		/* 1 GiB pages at level 3, 2 MiB pages at level 2. */
		if ((level == 3 || level == 2) && (pte & PTE_PS)) {
			*gpa = (pte & PTE_ADDR & ~((1ULL << shift) - 1)) |
			       (gva & ((1ULL << shift) - 1));
			return 0;
		}
		table = pte & PTE_ADDR;
	}
	*gpa = table | (gva & ~PAGE_MASK);
	return 0;
}

/**
 * mkvm_read_linear() - copy from guest-linear memory, pages translated one by one
 * @vcpu: the vCPU
 * @pg: its paging registers
 * @gva: the linear address
 * @buf: where to copy
 * @len: bytes; may cross pages
 * @atomic: as for mkvm_gva_to_gpa()
 *
 * Return: 0; -EFAULT when a page is not mapped by the guest or not in guest
 * RAM; -EAGAIN (@atomic only) with vcpu->fault_gpa set.
 */
int mkvm_read_linear(struct mkvm_vcpu *vcpu, const struct mkvm_paging *pg,
		     u64 gva, void *buf, size_t len, bool atomic)
{
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - offset_in_page(gva));
		u64 gpa;
		int r;

		r = mkvm_gva_to_gpa(vcpu, pg, gva, &gpa, atomic);
		if (!r && atomic) {
			r = mkvm_read_guest_atomic(vcpu, gpa, buf, n);
			if (r == -EAGAIN)
				vcpu->fault_gpa = gpa;
		} else if (!r) {
			r = mkvm_read_guest(vcpu->vm, gpa, buf, n);
		}
		if (r)
			return r == -EAGAIN ? r : -EFAULT;
		gva += n;
		buf += n;
		len -= n;
	}
	return 0;
}
