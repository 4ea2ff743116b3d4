// SPDX-License-Identifier: GPL-2.0
/*
 * What VMX and SVM exit handlers have in common: filling kvm_run for the
 * exits that go to userspace, and the guest-visible effects of the
 * instructions minikvm handles in the kernel.
 */
#include <linux/string.h>

#include "minikvm.h"

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

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = 1;
	run->io.data_offset = MKVM_PIO_PAGE_OFFSET * PAGE_SIZE;
	if (in)
		vcpu->pio_in_size = size;
	else
		memcpy(vcpu->pio_data, &vcpu->regs[MKVM_RAX], size);
	vcpu->rip = next_rip;
	return MKVM_EXIT_USER;
}

/**
 * mkvm_complete_pio_in() - move an IN's data from the PIO page to RAX
 * @vcpu: the vCPU, at the start of KVM_RUN
 *
 * A 4-byte IN zero-extends into RAX; 1 and 2 bytes keep the upper bits.
 */
void mkvm_complete_pio_in(struct mkvm_vcpu *vcpu)
{
	unsigned long val = vcpu->pio_in_size < 4 ? vcpu->regs[MKVM_RAX] : 0;

	memcpy(&val, vcpu->pio_data, vcpu->pio_in_size);
	vcpu->regs[MKVM_RAX] = val;
	vcpu->pio_in_size = 0;
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
 * mkvm_emulate_cpuid() - answer a guest CPUID from minikvm's policy
 * @vcpu: the vCPU; the caller moves RIP past the instruction
 */
void mkvm_emulate_cpuid(struct mkvm_vcpu *vcpu)
{
	u32 eax, ebx, ecx, edx;

	mkvm_guest_cpuid(vcpu, vcpu->regs[MKVM_RAX], vcpu->regs[MKVM_RCX],
			 &eax, &ebx, &ecx, &edx);
	/* CPUID writes the low halves and clears the upper ones. */
	vcpu->regs[MKVM_RAX] = eax;
	vcpu->regs[MKVM_RBX] = ebx;
	vcpu->regs[MKVM_RCX] = ecx;
	vcpu->regs[MKVM_RDX] = edx;
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
