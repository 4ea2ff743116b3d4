// SPDX-License-Identifier: GPL-2.0
/*
 * Fetching the instruction behind an intercept that names no operands:
 * without decode assists (APM Vol. 2, 15.33) a CR write or a MOV DR exit
 * says which register, not which GPR or which instruction, so cr.c and
 * dr.c read the bytes through the guest's page tables (x86/walk.c).
 */
#include "svm.h"

static bool svm_is_prefix(u8 b, bool long_mode)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf2: case 0xf3:
		return true;
	}
	return long_mode && (b & 0xf0) == 0x40;		/* REX */
}

/**
 * mkvm_svm_fetch() - one byte of the instruction that exited
 * @vcpu: the vCPU, in its exit handler
 * @pg: its paging mode (mkvm_get_paging())
 * @pc: the linear address of the instruction
 * @insn: the bytes fetched so far
 * @n: the byte to fetch into @insn[@n]
 *
 * Return: 0, -EAGAIN (a page to map first) or -EFAULT (past 15 bytes, or
 * not readable).
 */
int mkvm_svm_fetch(struct mkvm_vcpu *vcpu, const struct mkvm_paging *pg, u64 pc,
		   u8 *insn, unsigned int n)
{
	if (n >= MKVM_MAX_INSN)
		return -EFAULT;
	return mkvm_read_linear(vcpu, pg, pc + n, &insn[n], 1, true);
}

/**
 * mkvm_svm_fetch_prefixes() - the prefixes of the instruction that exited
 * @vcpu: the vCPU, in its exit handler
 * @pg: its paging mode
 * @pc: the linear address of the instruction
 * @insn: where the bytes go
 * @n: becomes the index of the first byte that is not a prefix
 * @rex: becomes the REX prefix if it was the last (a REX counts only
 *	 there, SDM Vol. 2, 2.2.1), else 0
 *
 * Return: 0, -EAGAIN or -EFAULT, as mkvm_svm_fetch().
 */
int mkvm_svm_fetch_prefixes(struct mkvm_vcpu *vcpu, const struct mkvm_paging *pg,
			    u64 pc, u8 *insn, unsigned int *n, u8 *rex)
{
	int r;

	*rex = 0;
	for (*n = 0;; (*n)++) {
		r = mkvm_svm_fetch(vcpu, pg, pc, insn, *n);
		if (r)
			return r;
		if (!svm_is_prefix(insn[*n], pg->code_bytes == 8))
			return 0;
		*rex = (insn[*n] & 0xf0) == 0x40 ? insn[*n] : 0;
	}
}
