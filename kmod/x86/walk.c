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
 * APM Vol. 2, 5.3 and 5.4.  For an instruction the guest ran, the hardware
 * already checked the rights of the access, so a fetch asks for presence
 * only.  The buffer of INS/OUTS is different: the I/O exit comes before
 * the memory access (SDM Vol. 3C, 25.1.1), so that walk also checks R/W
 * and U/S (4.6.1) and a refusal becomes the guest's #PF.  Reserved bits,
 * SMEP, SMAP and protection keys are not checked.
 */
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/trap_pf.h>

#include "../core/minikvm.h"

#define PTE_P		BIT_ULL(0)
#define PTE_RW		BIT_ULL(1)
#define PTE_US		BIT_ULL(2)
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
	/* The CPL is SS.DPL (SDM Vol. 3A, 5.5); 0 in real mode. */
	pg->cpl = (sregs.cr0 & X86_CR0_PE) ? sregs.ss.dpl : 0;
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

/*
 * The #PF error code when the rights gathered from every level (R/W and
 * U/S, SDM Vol. 3A, 4.6.1) refuse @access (X86_PF_WRITE, X86_PF_USER); 0
 * when they allow it.  A supervisor write to a read-only page faults only
 * with CR0.WP.
 */
static u32 mkvm_rights_fault(const struct mkvm_paging *pg, u64 rights, u32 access)
{
	bool user = access & X86_PF_USER;

	if ((user && !(rights & PTE_US)) ||
	    ((access & X86_PF_WRITE) && !(rights & PTE_RW) &&
	     (user || (pg->cr0 & X86_CR0_WP))))
		return access | X86_PF_PROT;
	return 0;
}

/**
 * mkvm_gva_to_gpa() - translate a guest-linear address
 * @vcpu: the vCPU
 * @pg: its paging registers (mkvm_get_paging())
 * @gva: the linear address
 * @access: in: X86_PF_WRITE and X86_PF_USER for the rights to check, 0 for
 *	presence only; out, on -ENOENT: the guest's #PF error code
 * @gpa: the guest-physical address, on success
 * @atomic: reading from an exit handler (preemption off): only pinned
 *	pages can be read, see mkvm_read_guest_atomic()
 *
 * Return: 0; -ENOENT when the guest's own tables refuse the access (an
 * entry not present, or the rights), which is a #PF for the guest;
 * -EFAULT when a table is outside guest RAM; -EAGAIN (@atomic only) when a
 * table page is not pinned yet, vcpu->fault_gpa names it.
 */
int mkvm_gva_to_gpa(struct mkvm_vcpu *vcpu, const struct mkvm_paging *pg,
		    u64 gva, u32 *access, u64 *gpa, bool atomic)
{
	bool lma = pg->efer & EFER_LMA, pae = pg->cr4 & X86_CR4_PAE;
	/* PAE and 4-level: 8-byte entries, 9 bits a level; 32-bit: 4 and 10. */
	int size = pae ? 8 : 4, bits = pae ? 9 : 10;
	u64 addr = pae ? PTE_ADDR : 0xfffff000;
	u64 rights = PTE_RW | PTE_US;
	u64 table, pte, mask;
	int level, shift, r;
	u32 pf;

	/* Guest memory in the host's caches: flush L1D before entry (x86/spec.c). */
	vcpu->spec_l1d_flush = true;
	if (!lma)
		gva = (u32)gva;
	if (!(pg->cr0 & X86_CR0_PG)) {
		*gpa = gva;
		return 0;
	}

	if (lma) {
		table = pg->cr3 & PTE_ADDR;
		level = 4;
	} else if (pae) {
		/*
		 * PAE: CR3 points at four 8-byte PDPTEs, 32-byte aligned
		 * (4.4.1); they hold no rights.
		 */
		r = mkvm_read_pte(vcpu, (pg->cr3 & 0xffffffe0) + ((gva >> 30) & 3) * 8,
				  &pte, 8, atomic);
		if (r)
			return r == -EAGAIN ? r : -EFAULT;
		if (!(pte & PTE_P))
			return -ENOENT;	/* *access is the error code: P clear */
		table = pte & PTE_ADDR;
		level = 2;
	} else {
		table = pg->cr3 & addr;	/* 32-bit paging: two levels (4.3) */
		level = 2;
	}
	for (; level > 0; level--) {
		shift = 12 + bits * (level - 1);
		r = mkvm_read_pte(vcpu, table + ((gva >> shift) & ((1 << bits) - 1)) * size,
				  &pte, size, atomic);
		if (r)
			return r == -EAGAIN ? r : -EFAULT;
		if (!(pte & PTE_P))
			return -ENOENT;	/* *access is the error code: P clear */
		rights &= pte;
		table = pte & addr;
		/*
		 * Large pages: 1 GiB at level 3, 2 MiB at level 2 (4 MiB with
		 * 32-bit paging, and there only with CR4.PSE).
		 */
		if ((level == 3 || level == 2) && (pte & PTE_PS) &&
		    (pae || (pg->cr4 & X86_CR4_PSE)))
			break;
	}
	mask = (1ULL << shift) - 1;
	pf = mkvm_rights_fault(pg, rights, *access);
	if (pf) {
		*access = pf;
		return -ENOENT;
	}
	*gpa = (table & ~mask) | (gva & mask);
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
 * The hardware already checked the rights (the guest ran the instruction
 * at @gva), so the walk asks for presence only.
 *
 * Return: 0; -EFAULT when a page is not mapped by the guest or not in guest
 * RAM; -EAGAIN (@atomic only) with vcpu->fault_gpa set.
 */
int mkvm_read_linear(struct mkvm_vcpu *vcpu, const struct mkvm_paging *pg,
		     u64 gva, void *buf, size_t len, bool atomic)
{
	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - offset_in_page(gva));
		u32 access = 0;
		u64 gpa;
		int r;

		r = mkvm_gva_to_gpa(vcpu, pg, gva, &access, &gpa, atomic);
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
