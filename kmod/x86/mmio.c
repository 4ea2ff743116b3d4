// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: a guest access to a guest-physical address that no slot holds (or
 * a write to a read-only slot) becomes KVM_EXIT_MMIO.  The hardware tells
 * the address but not the data, its size or the register, so the
 * instruction is fetched through the guest's page tables and decoded.
 *
 * The decoder knows the moves device drivers use (SDM Vol. 2, opcode map
 * A.3): MOV r/m,r and r,r/m (88-8B), MOV r/m,imm (C6/C7 /0), MOV with a
 * memory offset (A0-A3), MOVZX and MOVSX (0F B6/B7/BE/BF), with the 66, 67,
 * segment, LOCK and REX prefixes.  Anything else is reported to userspace as
 * KVM_EXIT_INTERNAL_ERROR, suberror KVM_INTERNAL_ERROR_EMULATION, with the
 * instruction bytes in KVM's emulation_failure layout.
 *
 * A read completes at the next KVM_RUN from kvm_run.mmio.data, as in KVM.
 * The minikvm_mmio tracepoint shows a write at its exit and a read at its
 * completion, each with its data.
 */
#include <linux/mm.h>
#include <linux/string.h>

#include "../core/minikvm.h"
#include "trace.h"

/* A decoded MMIO instruction. */
struct mkvm_mmio_insn {
	u8 len;			/* instruction bytes */
	u8 size;		/* bytes of memory accessed */
	u8 dst_bytes;		/* register width written by a read */
	bool write;
	bool sign;		/* MOVSX: sign-extend the data */
	bool high;		/* AH, CH, DH or BH */
	int reg;		/* register operand, or -1 for an immediate */
	u64 imm;
};

struct mkvm_decoder {
	const u8 *b;
	unsigned int pos, avail;
};

static int dec_next(struct mkvm_decoder *d, unsigned int n, u64 *val)
{
	unsigned int i;

	if (d->pos + n > d->avail)
		return -EINVAL;
	*val = 0;
	for (i = 0; i < n; i++)
		*val |= (u64)d->b[d->pos + i] << (8 * i);
	d->pos += n;
	return 0;
}

/* Skip a ModRM memory operand (2.1.5): SIB and displacement; 3 = register. */
static int dec_modrm(struct mkvm_decoder *d, unsigned int addr_bytes, u8 *modrm)
{
	unsigned int mod, rm, disp;
	u64 v;

	if (dec_next(d, 1, &v))
		return -EINVAL;
	*modrm = v;
	mod = v >> 6;
	rm = v & 7;
	if (mod == 3)
		return -EINVAL;	/* a register cannot be MMIO */
	if (addr_bytes == 2) {
		/* Table 2-1: 16-bit forms have no SIB; mod 0 rm 6 is disp16. */
		disp = mod == 1 ? 1 : (mod == 2 || (mod == 0 && rm == 6)) ? 2 : 0;
	} else {
		/* Table 2-2: rm 4 has a SIB; base 5 with mod 0 is disp32. */
		if (rm == 4) {
			if (dec_next(d, 1, &v))
				return -EINVAL;
			rm = (v & 7) == 5 ? 5 : 4;
		}
		disp = mod == 1 ? 1 : (mod == 2 || (mod == 0 && rm == 5)) ? 4 : 0;
	}
	return dec_next(d, disp, &v);
}

/**
 * mkvm_decode_mmio() - decode one of the moves MMIO drivers use
 * @bytes: the instruction, from its first prefix
 * @avail: how many of @bytes could be fetched
 * @code_bytes: 2, 4 or 8 for 16-, 32- or 64-bit code
 * @insn: the result
 *
 * Return: 0, or -EINVAL for anything else.
 */
static int mkvm_decode_mmio(const u8 *bytes, unsigned int avail,
			    unsigned int code_bytes, struct mkvm_mmio_insn *insn)
{
	struct mkvm_decoder d = { .b = bytes, .avail = avail };
	unsigned int op_bytes = code_bytes == 2 ? 2 : 4;
	unsigned int addr_bytes = code_bytes;
	u8 rex = 0, op, modrm;
	u64 v;

	memset(insn, 0, sizeof(*insn));
	/* Legacy prefixes (2.1.1), then REX in 64-bit mode (2.2.1). */
	for (;;) {
		if (dec_next(&d, 1, &v))
			return -EINVAL;
		op = v;
		if (op == 0x66)
			op_bytes = code_bytes == 2 ? 4 : 2;
		else if (op == 0x67)
			addr_bytes = code_bytes == 4 ? 2 : 4;
		else if (op != 0xf0 && op != 0x26 && op != 0x2e && op != 0x36 &&
			 op != 0x3e && op != 0x64 && op != 0x65)
			break;
	}
	if (code_bytes == 8 && (op & 0xf0) == 0x40) {
		rex = op;
		if (rex & 8)
			op_bytes = 8;
		if (dec_next(&d, 1, &v))
			return -EINVAL;
		op = v;
	}

	switch (op) {
	case 0x88: case 0x89: case 0x8a: case 0x8b:	/* MOV r/m,r and r,r/m */
		if (dec_modrm(&d, addr_bytes, &modrm))
			return -EINVAL;
		insn->size = op & 1 ? op_bytes : 1;
		insn->write = !(op & 2);
		insn->reg = ((rex & 4) << 1) | ((modrm >> 3) & 7);
		break;
	case 0xc6: case 0xc7:				/* MOV r/m,imm */
		if (dec_modrm(&d, addr_bytes, &modrm) || (modrm & 0x38))
			return -EINVAL;
		insn->size = op & 1 ? op_bytes : 1;
		insn->write = true;
		insn->reg = -1;
		if (dec_next(&d, min(insn->size, 4), &insn->imm))
			return -EINVAL;
		if (insn->size == 8)	/* imm32, sign-extended */
			insn->imm = (u64)(s64)(s32)insn->imm;
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:	/* MOV with moffs */
		if (dec_next(&d, addr_bytes, &v))
			return -EINVAL;
		insn->size = op & 1 ? op_bytes : 1;
		insn->write = op & 2;
		insn->reg = MKVM_RAX;
		break;
	case 0x0f:					/* MOVZX, MOVSX */
		if (dec_next(&d, 1, &v) || (v != 0xb6 && v != 0xb7 && v != 0xbe && v != 0xbf))
			return -EINVAL;
		if (dec_modrm(&d, addr_bytes, &modrm))
			return -EINVAL;
		insn->size = v & 1 ? 2 : 1;
		insn->sign = v & 8;
		insn->reg = ((rex & 4) << 1) | ((modrm >> 3) & 7);
		insn->dst_bytes = op_bytes;
		insn->len = d.pos;
		return 0;
	default:
		return -EINVAL;
	}
	insn->dst_bytes = insn->size;
	/* Without REX, byte registers 4-7 are AH, CH, DH, BH (Table 3-1). */
	if (insn->size == 1 && insn->reg >= 4 && !rex) {
		insn->reg -= 4;
		insn->high = true;
	}
	insn->len = d.pos;
	return 0;
}

/**
 * mkvm_emulate_mmio() - turn an access outside guest RAM into KVM_EXIT_MMIO
 * @vcpu: the vCPU, not loaded, in process context (may sleep)
 * @gpa: the guest-physical address the hardware reported
 *
 * RIP moves past the instruction now; a read's register is written by
 * mkvm_complete_mmio() at the next KVM_RUN.
 *
 * Return: MKVM_EXIT_USER (KVM_EXIT_MMIO, or KVM_EXIT_INTERNAL_ERROR when
 * the instruction is not one minikvm decodes).
 */
enum mkvm_exit_action mkvm_emulate_mmio(struct mkvm_vcpu *vcpu, u64 gpa)
{
	struct kvm_run *run = vcpu->run;
	struct mkvm_mmio_insn insn;
	struct mkvm_paging pg;
	u8 bytes[MKVM_MAX_INSN];
	unsigned int n;
	u64 pc, val;

	mkvm_vcpu_load(vcpu);
	mkvm_get_paging(vcpu, &pg);
	mkvm_vcpu_put(vcpu);

	vcpu->stats->insn_emulation++;
	pc = pg.cs_base + (pg.code_bytes == 2 ? vcpu->rip & 0xffff : vcpu->rip);
	/* Fetch what is there: an instruction may end right before a hole. */
	for (n = MKVM_MAX_INSN; n; n--)
		if (!mkvm_read_linear(vcpu, &pg, pc, bytes, n, false))
			break;
	if (!n || mkvm_decode_mmio(bytes, n, pg.code_bytes, &insn))
		return mkvm_exit_emulation(vcpu, gpa, n ? bytes : NULL, n);

	vcpu->stats->mmio_exits++;
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = insn.size;
	run->mmio.is_write = insn.write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (insn.write) {
		if (insn.reg < 0)
			val = insn.imm;
		else
			val = vcpu->regs[insn.reg] >> (insn.high ? 8 : 0);
		memcpy(run->mmio.data, &val, insn.size);
		trace_minikvm_mmio(vcpu->id, true, gpa, insn.size, run->mmio.data);
	} else {
		vcpu->mmio_read.pending = true;
		vcpu->mmio_read.gpa = gpa;
		vcpu->mmio_read.reg = insn.reg;
		vcpu->mmio_read.size = insn.size;
		vcpu->mmio_read.dst_bytes = insn.dst_bytes;
		vcpu->mmio_read.sign = insn.sign;
		vcpu->mmio_read.high = insn.high;
	}
	vcpu->rip += insn.len;
	if (pg.code_bytes == 2)
		vcpu->rip &= 0xffff;
	return MKVM_EXIT_USER;
}

/**
 * mkvm_complete_mmio() - write an MMIO read's data to its register
 * @vcpu: the vCPU, at the start of KVM_RUN
 *
 * The register is written as the instruction would have: a byte or word
 * keeps the rest of the register, a doubleword clears bits 63:32 (SDM
 * Vol. 1, 3.4.1.1), MOVSX sign-extends and MOVZX zero-extends first.
 */
void mkvm_complete_mmio(struct mkvm_vcpu *vcpu)
{
	struct mkvm_mmio_read *m = &vcpu->mmio_read;
	unsigned long *reg = &vcpu->regs[m->reg];
	u64 val = 0;

	memcpy(&val, vcpu->run->mmio.data, m->size);
	trace_minikvm_mmio(vcpu->id, false, m->gpa, m->size, vcpu->run->mmio.data);
	if (m->sign)
		val = m->size == 1 ? (u64)(s64)(s8)val : (u64)(s64)(s16)val;
	switch (m->dst_bytes) {
	case 1:
		if (m->high)
			*reg = (*reg & ~0xff00UL) | ((val & 0xff) << 8);
		else
			*reg = (*reg & ~0xffUL) | (val & 0xff);
		break;
	case 2:
		*reg = (*reg & ~0xffffUL) | (val & 0xffff);
		break;
	case 4:
		*reg = (u32)val;
		break;
	default:
		*reg = val;
	}
	m->pending = false;
}
