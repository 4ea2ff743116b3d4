// SPDX-License-Identifier: GPL-2.0
/*
 * SVM exit handlers, dispatched by exit code (APM Vol. 2, Appendix C;
 * EXITINFO1/2 in 15.7 to 15.13).
 */
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/percpu.h>
#include <asm/debugreg.h>
#include <asm/svm.h>
#include <asm/trapnr.h>

#include "svm.h"
#include "../x86/exit_names.h"
#include "../x86/trace.h"

/**
 * mkvm_svm_skip() - move RIP past an intercepted instruction (skip_instruction op)
 * @vcpu: the vCPU
 * @len: the instruction's architectural length
 *
 * With NRIP_SAVE the CPU gives the next RIP (APM Vol. 2, 15.7.1); without
 * it minikvm uses @len, which is exact for the unprefixed forms and, for a
 * prefixed one, only mis-resumes the guest itself.
 */
void mkvm_svm_skip(struct mkvm_vcpu *vcpu, unsigned int len)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (mkvm_svm_has_nrips && vmcb->control.next_rip)
		vcpu->rip = vmcb->control.next_rip;
	else
		vcpu->rip += len;
}

static enum mkvm_exit_action svm_unexpected(struct mkvm_vcpu *vcpu)
{
	return mkvm_exit_internal(vcpu, KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
				  to_svm(vcpu)->vmcb->control.exit_code);
}

static enum mkvm_exit_action handle_intr(struct mkvm_vcpu *vcpu)
{
	/* The host took it after STGI (svm.c). */
	vcpu->stats->irq_exits++;
	return MKVM_RESUME;
}

static enum mkvm_exit_action handle_resume(struct mkvm_vcpu *vcpu)
{
	/* The host took the interrupt, NMI or SMI after STGI. */
	return MKVM_RESUME;
}

static enum mkvm_exit_action handle_shutdown(struct mkvm_vcpu *vcpu)
{
	/*
	 * The event that could not be delivered is not delivered again:
	 * userspace resets the vCPU before running it after a shutdown.
	 */
	mkvm_events_clear(vcpu);
	return mkvm_exit_simple(vcpu, KVM_EXIT_SHUTDOWN);
}

static enum mkvm_exit_action handle_cpuid(struct mkvm_vcpu *vcpu)
{
	mkvm_emulate_cpuid(vcpu);
	mkvm_svm_skip(vcpu, 2);	/* 0F A2 */
	return MKVM_RESUME;
}

static enum mkvm_exit_action handle_hlt(struct mkvm_vcpu *vcpu)
{
	vcpu->stats->halt_exits++;
	mkvm_svm_skip(vcpu, 1);	/* F4 */
	return mkvm_exit_simple(vcpu, KVM_EXIT_HLT);
}

static enum mkvm_exit_action handle_invd(struct mkvm_vcpu *vcpu)
{
	/* Without write-back INVD could lose host data: a no-op, as in KVM. */
	mkvm_svm_skip(vcpu, 2);	/* 0F 08 */
	return MKVM_RESUME;
}

/*
 * OUTS reads from DS unless a prefix names another segment; without
 * decode assists EXITINFO1 does not say which (15.10.2), so the prefixes
 * are read from the instruction itself.
 */
/* Segment override prefixes, ES CS SS DS FS GS (SDM Vol. 2, 2.1.1). */
static const u8 svm_seg_prefix[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };

/*
 * The prefixes of an INS/OUTS, read from the instruction: the segment of
 * OUTS and the address size.  EXITINFO1 has A16/A32/A64 bits (15.10.2)
 * but QEMU's TCG sets them one bit too high (A64 lands in bit 10), so
 * minikvm derives the address size from the code size and a 67 prefix, as
 * the CPU does (SDM Vol. 1, 3.6.1).
 */
static int svm_string_prefixes(struct mkvm_vcpu *vcpu, struct mkvm_string_io *io)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;
	const struct vmcb_seg *segs[] = { &save->es, &save->cs, &save->ss,
					  &save->ds, &save->fs, &save->gs };
	const struct vmcb_seg *seg = io->in ? &save->es : &save->ds;
	struct mkvm_paging pg;
	u8 insn[MKVM_MAX_INSN];
	bool addr_prefix = false;
	unsigned int i;
	const u8 *p;
	int r;

	mkvm_get_paging(vcpu, &pg);
	for (i = 0; i < MKVM_MAX_INSN; i++) {
		r = mkvm_read_linear(vcpu, &pg, pg.cs_base + vcpu->rip + i, &insn[i], 1, true);
		if (r)
			return r;
		p = memchr(svm_seg_prefix, insn[i], sizeof(svm_seg_prefix));
		if (p && !io->in)
			seg = segs[p - svm_seg_prefix];	/* INS always writes ES */
		else if (insn[i] == 0x67)
			addr_prefix = true;
		else if (!p && insn[i] != 0x66 && insn[i] != 0xf2 && insn[i] != 0xf3 &&
			 !(pg.code_bytes == 8 && (insn[i] & 0xf0) == 0x40))
			break;	/* the opcode: the prefixes are over */
	}
	io->addr_bytes = pg.code_bytes;
	if (addr_prefix)
		io->addr_bytes = pg.code_bytes == 4 ? 2 : 4;
	/* In 64-bit mode only FS and GS have a base (3.4.4). */
	io->seg_base = pg.code_bytes == 8 && seg != &save->fs && seg != &save->gs ?
		       0 : seg->base;
	return 0;
}

/* INS/OUTS: EXITINFO1 has port, size and REP (15.10.2). */
static enum mkvm_exit_action handle_string_io(struct mkvm_vcpu *vcpu, u64 info)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct mkvm_string_io io = {
		.port = info >> 16,
		.size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT,
		.in = info & SVM_IOIO_TYPE_MASK,
		.rep = info & SVM_IOIO_REP_MASK,
		.next_rip = vmcb->control.exit_info_2,
	};
	int r;

	r = svm_string_prefixes(vcpu, &io);
	if (r == -EAGAIN)
		return MKVM_MMU_FAULT;
	if (r)
		return mkvm_exit_emulation(vcpu, SVM_EXIT_IOIO, NULL, 0);
	return mkvm_exit_string_io(vcpu, &io);
}

static enum mkvm_exit_action handle_ioio(struct mkvm_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u64 info = vmcb->control.exit_info_1;
	/* 15.10.2: SZ8/SZ16/SZ32 (bits 4, 5, 6) give the size in bytes
	 * once shifted; EXITINFO2 is the next RIP.
	 */
	u8 size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;

	vcpu->stats->io_exits++;
	if (info & SVM_IOIO_STR_MASK)
		return handle_string_io(vcpu, info);
	return mkvm_exit_io(vcpu, info >> 16, size, info & SVM_IOIO_TYPE_MASK,
			    vmcb->control.exit_info_2);
}

static enum mkvm_exit_action handle_msr(struct mkvm_vcpu *vcpu)
{
	/* 15.11: EXITINFO1 is 0 for RDMSR, 1 for WRMSR. */
	return mkvm_handle_msr(vcpu, to_svm(vcpu)->vmcb->control.exit_info_1);
}

static enum mkvm_exit_action handle_gp(struct mkvm_vcpu *vcpu)
{
	/* RDPMC: no performance counters for the guest, #GP(0) as hardware would. */
	mkvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
	return MKVM_RESUME;
}

static enum mkvm_exit_action handle_ud(struct mkvm_vcpu *vcpu)
{
	/* SVM instructions (no nested SVM), MONITOR/MWAIT, RDPRU: the
	 * guest's CPUID does not offer them.
	 */
	mkvm_queue_exception(vcpu, X86_TRAP_UD, false, 0);
	return MKVM_RESUME;
}

static enum mkvm_exit_action handle_npf(struct mkvm_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	u64 info = vmcb->control.exit_info_1;

	/*
	 * 15.25.6: EXITINFO1 bit 0 a present entry (only a write to a
	 * read-only slot's page can find one), bit 1 a write, bit 4 a fetch,
	 * bit 32 an access to the final address, bit 33 to a guest table.
	 */
	if ((info & 1) && !(info & 2))
		return svm_unexpected(vcpu);
	vcpu->fault_flags = (info & 2) ? MKVM_FAULT_WRITE : 0;
	if (!(info & BIT(4)) && !(info & BIT_ULL(33)))
		vcpu->fault_flags |= MKVM_FAULT_DATA;
	vcpu->fault_gpa = vmcb->control.exit_info_2;
	return MKVM_MMU_FAULT;
}

/*
 * #DB and #AC are intercepted always (x86/intercept.c) and, unless a
 * debugger is single-stepping, given back to the guest as they came: #AC
 * with its error code in EXITINFO1 (15.12.1), #DB with the status the
 * processor already wrote in the VMCB's DR6.  ICEBP has an intercept of
 * its own (svm_init_vmcb()).
 */
static enum mkvm_exit_action handle_ac(struct mkvm_vcpu *vcpu)
{
	mkvm_intercepted(ac);
	mkvm_queue_exception(vcpu, X86_TRAP_AC, true,
			     to_svm(vcpu)->vmcb->control.exit_info_1);
	return MKVM_RESUME;
}

static enum mkvm_exit_action handle_icebp(struct mkvm_vcpu *vcpu)
{
	mkvm_intercepted(db);
	mkvm_svm_skip(vcpu, 1);	/* F1 */
	mkvm_queue_exception(vcpu, X86_TRAP_DB, false, 0);
	return MKVM_RESUME;
}

static enum mkvm_exit_action handle_db(struct mkvm_vcpu *vcpu)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;
	u64 dr6 = save->dr6;

	/* The end of a step to an NMI window (events.c) is not the guest's. */
	if (mkvm_svm_nmi_step_done(vcpu)) {
		save->dr6 &= ~DR_STEP;
		return MKVM_RESUME;
	}
	if (!(vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP)) {
		mkvm_intercepted(db);
		mkvm_queue_exception(vcpu, X86_TRAP_DB, false, 0);
		return MKVM_RESUME;
	}
	/* The intercepted #DB left its status in the VMCB's DR6. */
	save->dr6 = DR6_RESERVED;
	return mkvm_exit_debug(vcpu, X86_TRAP_DB, save->cs.base + vcpu->rip,
			       dr6 | DR6_RESERVED, save->dr7);
}

static enum mkvm_exit_action handle_bp(struct mkvm_vcpu *vcpu)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;

	return mkvm_exit_debug(vcpu, X86_TRAP_BP, save->cs.base + vcpu->rip,
			       DR6_RESERVED, save->dr7);
}

/*
 * INTn, intercepted only while a debugger sets breakpoints (see
 * svm_update_debug()): INT3 goes to the debugger, INT n and INTO go on to
 * the guest as the software interrupt they are, RIP past them (15.20).
 * The instruction is read through the guest's page tables.
 */
static enum mkvm_exit_action handle_swint(struct mkvm_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u64 pc = vmcb->save.cs.base + vcpu->rip;
	struct mkvm_paging pg;
	u8 insn[2];
	int r;

	/* Both bytes of INT n, unless the first ends a page. */
	mkvm_get_paging(vcpu, &pg);
	if (pg.code_bytes == 8)
		pc = vcpu->rip;
	r = mkvm_read_linear(vcpu, &pg, pc, insn,
			     offset_in_page(pc) == PAGE_SIZE - 1 ? 1 : 2, true);
	if (r == -EAGAIN)
		return MKVM_MMU_FAULT;	/* the guest comes back here */
	if (r)
		return mkvm_exit_emulation(vcpu, SVM_EXIT_SWINT, NULL, 0);
	switch (insn[0]) {
	case 0xcc:
		return mkvm_exit_debug(vcpu, X86_TRAP_BP, pc, DR6_RESERVED, vmcb->save.dr7);
	case 0xcd:
		if (offset_in_page(pc) == PAGE_SIZE - 1)
			break;
		/* events.c moves RIP past it when it injects it. */
		mkvm_queue_event(vcpu, MKVM_EV_SOFT_INTR, insn[1], false, 0, 2);
		return MKVM_RESUME;
	case 0xce:
		mkvm_queue_event(vcpu, MKVM_EV_SOFT_INTR, X86_TRAP_OF, false, 0, 1);
		return MKVM_RESUME;
	}
	return mkvm_exit_emulation(vcpu, SVM_EXIT_SWINT, insn, 2);
}

static enum mkvm_exit_action (*const svm_exit_handlers[])(struct mkvm_vcpu *) = {
	[SVM_EXIT_EXCP_BASE + X86_TRAP_DB] = handle_db,
	[SVM_EXIT_EXCP_BASE + X86_TRAP_BP] = handle_bp,
	[SVM_EXIT_EXCP_BASE + X86_TRAP_AC] = handle_ac,
	[SVM_EXIT_EXCP_BASE + X86_TRAP_MC] = handle_resume,
	[SVM_EXIT_WRITE_CR0]	= mkvm_svm_handle_cr_write,
	[SVM_EXIT_WRITE_CR4]	= mkvm_svm_handle_cr_write,
	[SVM_EXIT_WRITE_CR8]	= mkvm_svm_handle_cr_write,
	[SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR7] = mkvm_svm_handle_dr,
	[SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR7] = mkvm_svm_handle_dr,
	[SVM_EXIT_SWINT]	= handle_swint,
	[SVM_EXIT_ICEBP]	= handle_icebp,
	[SVM_EXIT_INTR]		= handle_intr,
	[SVM_EXIT_NMI]		= handle_resume,
	[SVM_EXIT_SMI]		= handle_resume,
	[SVM_EXIT_INIT]		= handle_resume,
	[SVM_EXIT_CPUID]	= handle_cpuid,
	[SVM_EXIT_HLT]		= handle_hlt,
	[SVM_EXIT_VINTR]	= mkvm_svm_handle_vintr,
	[SVM_EXIT_IRET]		= mkvm_svm_handle_iret,
	[SVM_EXIT_INVD]		= handle_invd,
	[SVM_EXIT_RDPMC]	= handle_gp,
	[SVM_EXIT_IOIO]		= handle_ioio,
	[SVM_EXIT_MSR]		= handle_msr,
	[SVM_EXIT_SHUTDOWN]	= handle_shutdown,
	[SVM_EXIT_VMRUN]	= handle_ud,
	[SVM_EXIT_VMMCALL]	= handle_ud,
	[SVM_EXIT_VMLOAD]	= handle_ud,
	[SVM_EXIT_VMSAVE]	= handle_ud,
	[SVM_EXIT_STGI]		= handle_ud,
	[SVM_EXIT_CLGI]		= handle_ud,
	[SVM_EXIT_SKINIT]	= handle_ud,
	[SVM_EXIT_INVLPGA]	= handle_ud,
	[SVM_EXIT_MONITOR]	= handle_ud,
	[SVM_EXIT_MWAIT]	= handle_ud,
	[SVM_EXIT_MWAIT_COND]	= handle_ud,
	[SVM_EXIT_XSETBV]	= mkvm_handle_xsetbv,
	[SVM_EXIT_RDPRU]	= handle_ud,
	[SVM_EXIT_NPF]		= handle_npf,
};

/* The exit codes counted one by one (core/stats.c): x86/exit_names.h. */
const struct mkvm_exit_name mkvm_svm_exit_names[] = {
	MKVM_SVM_EXIT_NAMES,
	{ 0, NULL }
};

/**
 * mkvm_svm_get_exit_info() - the get_exit_info op, for the minikvm_exit tracepoint
 * @vcpu: the vCPU, right after a #VMEXIT
 * @info1: EXITINFO1 (APM Vol. 2, 15.7)
 * @info2: EXITINFO2
 * @vectoring: EXITINTINFO, the event the exit interrupted (15.7.2)
 */
void mkvm_svm_get_exit_info(struct mkvm_vcpu *vcpu, u64 *info1, u64 *info2, u32 *vectoring)
{
	const struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	*info1 = c->exit_info_1;
	*info2 = c->exit_info_2;
	*vectoring = c->exit_int_info;
}

/**
 * mkvm_svm_handle_exit() - act on the #VMEXIT svm_run() came back from
 * @vcpu: the vCPU
 *
 * VMEXIT_INVALID (a VMRUN consistency check failed, 15.5.1) becomes
 * KVM_EXIT_FAIL_ENTRY; an exit code without a handler becomes
 * KVM_EXIT_INTERNAL_ERROR carrying it.
 *
 * Return: what the run loop does next.
 */
enum mkvm_exit_action mkvm_svm_handle_exit(struct mkvm_vcpu *vcpu)
{
	u32 code = to_svm(vcpu)->vmcb->control.exit_code;

	trace_minikvm_exit(vcpu, MKVM_TRACE_SVM, code);
	if (code == (u32)SVM_EXIT_ERR)
		return mkvm_exit_fail_entry(vcpu, code);
	if (code < ARRAY_SIZE(svm_exit_handlers)) {
		code = array_index_nospec(code, ARRAY_SIZE(svm_exit_handlers));
		if (svm_exit_handlers[code])
			return svm_exit_handlers[code](vcpu);
	}
	return svm_unexpected(vcpu);
}
