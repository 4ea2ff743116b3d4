// SPDX-License-Identifier: GPL-2.0
/*
 * What VMX and SVM exit handlers have in common: filling kvm_run for the
 * exits that go to userspace, and the guest-visible effects of the
 * instructions minikvm handles in the kernel.
 */
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <asm/page.h>
#include <asm/processor-flags.h>
#include <asm/trap_pf.h>
#include <asm/trapnr.h>

#include "minikvm.h"
#include "../x86/trace.h"

/* kvm_run for an I/O exit; the data is in the page after kvm_run. */
static void mkvm_fill_io(struct kvm_run *run, u16 port, u8 size, bool in, u32 count)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = count;
	run->io.data_offset = MKVM_PIO_PAGE_OFFSET * PAGE_SIZE;
}

/**
 * mkvm_exit_io() - a one-element IN or OUT goes to userspace
 * @vcpu: the vCPU
 * @port: the I/O port
 * @size: 1, 2 or 4 bytes
 * @in: true for IN
 * @next_rip: the RIP after the instruction
 *
 * The instruction completes here (RIP moves on); an IN's data is taken from
 * the PIO page at the next KVM_RUN (mkvm_complete_pio_in()), as in KVM.
 *
 * Return: MKVM_EXIT_USER.
 */
enum mkvm_exit_action mkvm_exit_io(struct mkvm_vcpu *vcpu, u16 port,
				   u8 size, bool in, unsigned long next_rip)
{
	struct kvm_run *run = vcpu->run;

	mkvm_fill_io(run, port, size, in, 1);
	if (in) {
		vcpu->pio_in_size = size;
		vcpu->pio_in_port = port;
	} else {
		memcpy(vcpu->pio_data, &vcpu->regs[MKVM_RAX], size);
		trace_minikvm_pio(vcpu->id, false, port, size, 1, vcpu->pio_data);
	}
	vcpu->rip = next_rip;
	return MKVM_EXIT_USER;
}

/**
 * mkvm_complete_pio_in() - move an IN's data from the PIO page to the guest
 * @vcpu: the vCPU, at the start of KVM_RUN (may sleep)
 *
 * IN: a 4-byte IN zero-extends into RAX; 1 and 2 bytes keep the upper bits.
 * INS: the elements go to guest memory at the address mkvm_exit_string_io()
 * recorded.  The minikvm_pio tracepoint shows an IN here, with its data,
 * as KVM's kvm_pio does.
 *
 * Return: 0, or -EFAULT when the INS destination cannot be written.
 */
int mkvm_complete_pio_in(struct mkvm_vcpu *vcpu)
{
	unsigned long val = vcpu->pio_in_size < 4 ? vcpu->regs[MKVM_RAX] : 0;
	int r = 0;

	if (vcpu->pio_string) {
		trace_minikvm_pio(vcpu->id, true, vcpu->pio_in_port, vcpu->pio_in_size,
				  vcpu->pio_in_count, vcpu->pio_data);
		r = mkvm_write_guest(vcpu->vm, vcpu->pio_in_gpa, vcpu->pio_data,
				     vcpu->pio_in_count * vcpu->pio_in_size);
		if (r)
			r = -EFAULT;
	} else {
		trace_minikvm_pio(vcpu->id, true, vcpu->pio_in_port, vcpu->pio_in_size,
				  1, vcpu->pio_data);
		memcpy(&val, vcpu->pio_data, vcpu->pio_in_size);
		vcpu->regs[MKVM_RAX] = val;
	}
	vcpu->pio_in_size = 0;
	vcpu->pio_string = false;
	return r;
}

/* Add @delta to the low @mask bits of a register, as the address size says. */
static void mkvm_reg_add(unsigned long *reg, long delta, u64 mask)
{
	*reg = (*reg & ~mask) | ((*reg + delta) & mask);
}

/**
 * mkvm_exit_string_io() - INS or OUTS (REP or not) goes to userspace
 * @vcpu: the vCPU, in its exit handler (preemption off)
 * @io: the instruction, decoded by the backend
 *
 * As many elements as fit in the rest of the guest page (all in one exit
 * when they do, as KVM does with its data page) go to userspace with
 * kvm_run.io.count; RSI/RDI and RCX move on by that many, and RIP stays on
 * the instruction while a REP count remains.  OUTS data is read here; INS
 * data is written to the guest at the next KVM_RUN.  With RFLAGS.DF set
 * one element goes per exit.  The buffer's linear address goes through
 * the guest's page tables (x86/walk.c), with the rights of the access: a
 * page the guest has not mapped, or may not write or reach from its CPL,
 * is the guest's #PF (the elements before it are done, RIP stays), and a
 * non-canonical address its #GP(0), as the instruction would raise them.
 * Memory outside guest RAM is KVM_INTERNAL_ERROR_EMULATION.
 *
 * Return: MKVM_EXIT_USER; MKVM_RESUME for a REP with a zero count or an
 * injected exception;
 * MKVM_MMU_FAULT when a page the walk or the OUTS needs is not mapped in
 * the EPT/NPT tables yet (the guest executes the instruction again
 * afterwards).
 */
enum mkvm_exit_action mkvm_exit_string_io(struct mkvm_vcpu *vcpu,
					  const struct mkvm_string_io *io)
{
	u64 mask = io->addr_bytes == 8 ? ~0ULL : (1ULL << (io->addr_bytes * 8)) - 1;
	int reg = io->in ? MKVM_RDI : MKVM_RSI;
	u64 gva = io->seg_base + (vcpu->regs[reg] & mask);
	u64 count = io->rep ? vcpu->regs[MKVM_RCX] & mask : 1;
	bool down = vcpu->rflags & X86_EFLAGS_DF;
	struct kvm_run *run = vcpu->run;
	struct mkvm_paging pg;
	u32 access;
	u64 gpa;
	int r;

	/* Emulated here, as KVM's emulator does INS and OUTS. */
	vcpu->stats->insn_emulation++;
	if (!count) {
		vcpu->rip = io->next_rip;
		return MKVM_RESUME;
	}
	mkvm_get_paging(vcpu, &pg);
	if (pg.code_bytes != 8) {
		gva = (u32)gva;
	} else if (!__is_canonical_address(gva, 48)) {
		/* SDM Vol. 3A, 3.3.7.1; minikvm offers no 5-level paging. */
		mkvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return MKVM_RESUME;
	}
	access = (io->in ? X86_PF_WRITE : 0) | (pg.cpl == 3 ? X86_PF_USER : 0);
	r = mkvm_gva_to_gpa(vcpu, &pg, gva, &access, &gpa, true);
	if (r == -EAGAIN)
		return MKVM_MMU_FAULT;
	if (r == -ENOENT) {
		/* SDM Vol. 3A, 6.15, interrupt 14: CR2 is the linear address. */
		mkvm_ops->set_cr2(vcpu, gva);
		mkvm_queue_exception(vcpu, X86_TRAP_PF, true, access);
		return MKVM_RESUME;
	}
	if (r)
		return mkvm_exit_emulation(vcpu, gva, NULL, 0);
	count = min_t(u64, count, (PAGE_SIZE - offset_in_page(gpa)) / io->size);
	if (down)
		count = min_t(u64, count, 1);
	if (!count)	/* an element that crosses a page */
		return mkvm_exit_emulation(vcpu, gpa, NULL, 0);

	if (io->in) {
		vcpu->pio_string = true;
		vcpu->pio_in_count = count;
		vcpu->pio_in_gpa = gpa;
		vcpu->pio_in_size = io->size;
		vcpu->pio_in_port = io->port;
	} else {
		r = mkvm_read_guest_atomic(vcpu, gpa, vcpu->pio_data, count * io->size);
		if (r == -EAGAIN) {
			vcpu->fault_gpa = gpa;
			return MKVM_MMU_FAULT;
		}
		if (r)	/* not guest RAM: string MMIO is not emulated */
			return mkvm_exit_emulation(vcpu, gpa, NULL, 0);
		trace_minikvm_pio(vcpu->id, false, io->port, io->size, count, vcpu->pio_data);
	}

	mkvm_fill_io(run, io->port, io->size, io->in, count);

	mkvm_reg_add(&vcpu->regs[reg], down ? -(long)(count * io->size) :
			 (long)(count * io->size), mask);
	if (io->rep)
		mkvm_reg_add(&vcpu->regs[MKVM_RCX], -(long)count, mask);
	if (!io->rep || !(vcpu->regs[MKVM_RCX] & mask))
		vcpu->rip = io->next_rip;
	return MKVM_EXIT_USER;
}

/**
 * mkvm_exit_internal() - report an exit minikvm cannot handle
 * @vcpu: the vCPU
 * @suberror: KVM_INTERNAL_ERROR_*
 * @reason: the raw hardware exit reason (or the faulting address)
 *
 * Return: MKVM_EXIT_USER.
 */
enum mkvm_exit_action mkvm_exit_internal(struct mkvm_vcpu *vcpu,
					 u32 suberror, u64 reason)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = 2;
	run->internal.data[0] = reason;
	run->internal.data[1] = vcpu->cpu;
	if (mkvm_debug)
		pr_info("minikvm: vcpu %u internal error %u, reason %#llx, rip %#lx\n",
			vcpu->id, suberror, reason, vcpu->rip);
	return MKVM_EXIT_USER;
}

/**
 * mkvm_exit_emulation() - report an instruction minikvm cannot emulate
 * @vcpu: the vCPU
 * @info: the faulting guest-physical address, or the hardware exit code
 * @bytes: the instruction's bytes as fetched, or NULL
 * @n: how many
 *
 * KVM_EXIT_INTERNAL_ERROR with suberror KVM_INTERNAL_ERROR_EMULATION, in
 * KVM's emulation_failure layout: flags, insn_size and insn_bytes, then
 * @info in data[3].
 *
 * Return: MKVM_EXIT_USER.
 */
enum mkvm_exit_action mkvm_exit_emulation(struct mkvm_vcpu *vcpu, u64 info,
					  const u8 *bytes, unsigned int n)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->emulation_failure.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run->emulation_failure.ndata = 4;
	run->emulation_failure.flags = bytes ?
		KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES : 0;
	n = bytes ? min_t(unsigned int, n, sizeof(run->emulation_failure.insn_bytes)) : 0;
	run->emulation_failure.insn_size = n;
	memset(run->emulation_failure.insn_bytes, 0,
	       sizeof(run->emulation_failure.insn_bytes));
	if (n)
		memcpy(run->emulation_failure.insn_bytes, bytes, n);
	run->internal.data[3] = info;
	if (mkvm_debug)
		pr_info("minikvm: vcpu %u cannot emulate at rip %#lx, info %#llx, %u bytes\n",
			vcpu->id, vcpu->rip, info, n);
	return MKVM_EXIT_USER;
}

/**
 * mkvm_exit_delivery() - an event's delivery needs memory the guest lacks
 * @vcpu: the vCPU; the event is queued again (x86/events.c)
 * @gpa: the guest-physical address outside every slot
 *
 * KVM_INTERNAL_ERROR_DELIVERY_EV, as KVM reports it: data[0] the event
 * in the VMX interruption-information format (vector, type << 8, bit 31),
 * data[1] the address.
 *
 * Return: MKVM_EXIT_USER.
 */
enum mkvm_exit_action mkvm_exit_delivery(struct mkvm_vcpu *vcpu, u64 gpa)
{
	const struct mkvm_events *ev = &vcpu->ev;
	const struct mkvm_event *e = ev->exception.valid ? &ev->exception : &ev->interrupt;
	struct kvm_run *run = vcpu->run;
	u32 info = ev->nmi_injected && !ev->exception.valid ? 2 | MKVM_EV_NMI << 8 :
		   e->vector | (u32)e->type << 8;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_DELIVERY_EV;
	run->internal.ndata = 2;
	run->internal.data[0] = info | BIT(31);
	run->internal.data[1] = gpa;
	return MKVM_EXIT_USER;
}

/**
 * mkvm_exit_fail_entry() - the hardware refused to enter the guest
 * @vcpu: the vCPU
 * @reason: VM-instruction error or exit reason (VMX), exit code (SVM)
 *
 * Return: MKVM_EXIT_USER.
 */
enum mkvm_exit_action mkvm_exit_fail_entry(struct mkvm_vcpu *vcpu, u64 reason)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = reason;
	run->fail_entry.cpu = vcpu->cpu;
	return MKVM_EXIT_USER;
}

/**
 * mkvm_exit_simple() - an exit to userspace that carries no data
 * @vcpu: the vCPU
 * @reason: KVM_EXIT_HLT, KVM_EXIT_SHUTDOWN, ...
 *
 * Return: MKVM_EXIT_USER.
 */
enum mkvm_exit_action mkvm_exit_simple(struct mkvm_vcpu *vcpu, u32 reason)
{
	vcpu->run->exit_reason = reason;
	return MKVM_EXIT_USER;
}

/**
 * mkvm_exit_debug() - a single step or breakpoint for the debugger
 * @vcpu: the vCPU
 * @exception: 1 (#DB) or 3 (#BP)
 * @pc: the linear address of the next instruction (#DB) or the INT3 (#BP)
 * @dr6: the debug status, DR6 format
 * @dr7: the guest's DR7
 *
 * Return: MKVM_EXIT_USER.
 */
enum mkvm_exit_action mkvm_exit_debug(struct mkvm_vcpu *vcpu, u32 exception,
				      u64 pc, u64 dr6, u64 dr7)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_DEBUG;
	run->debug.arch.exception = exception;
	run->debug.arch.pc = pc;
	run->debug.arch.dr6 = dr6;
	run->debug.arch.dr7 = dr7;
	return MKVM_EXIT_USER;
}
