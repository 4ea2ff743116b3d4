// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_GUEST_DEBUG: single-stepping ten instructions reports each next
 * RIP through KVM_EXIT_DEBUG (#DB, DR6.BS set), and TF stays out of the
 * guest's RFLAGS as KVM_GET_REGS and the guest's PUSHF afterwards show
 * (as in KVM, a PUSHF executed while stepping would see it); a software
 * breakpoint (INT3) stops at its own address, and other
 * INT n instructions still reach the guest's IVT meanwhile.  Bad control
 * bits and pointers fail as in KVM.
 */
#include "kvm_util.h"

#define DR6_BS	(1u << 14)

/* A ucall, then instructions of lengths 1 1 3 2 1 2 1 1 1 1, then HLT. */
GUEST_CODE16(step_guest,
	G_SYNC(0)
	"jmp step_start\n\t"
	".balign 4096\n"
	".globl step_start\n"
	"step_start:\n\t"
	"nop\n\t"
	"inc %ax\n\t"
	"mov $0x1234, %bx\n\t"
	"add %bx, %ax\n\t"
	"inc %cx\n\t"
	"mov %cx, %dx\n\t"
	"nop\n\t"
	"inc %ax\n\t"
	"dec %cx\n\t"
	"nop\n\t"
	"pushf\n\t"
	"pop %si\n\t"		/* the guest's own FLAGS: TF must be clear */
	"hlt\n\t");

/* IVT entry 0x40 -> int40 (segment 0x1000); INT 0x40, then INT3. */
GUEST_CODE16(bp_guest,
	"xor %ax, %ax\n\t"
	"mov %ax, %es\n\t"
	"movw $(int40 - bp_guest_start), %es:0x100\n\t"
	"movw $0x1000, %es:0x102\n\t"
	"int $0x40\n\t"
	"mov $1, %ax\n\t"
	"int3\n\t"
	"mov $2, %ax\n\t"
	"hlt\n"
	"int40:\n\t"
	"mov $0x40, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"iret\n\t");

static long set_debug(struct vcpu *vcpu, uint32_t control)
{
	struct kvm_guest_debug dbg = { .control = control };

	return __kvm_ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg);
}

int main(void)
{
	static const int lens[] = { 1, 1, 1, 3, 2, 1, 2, 1, 1, 1, 1 };
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;
	struct ucall uc;
	extern const char step_start[];
	/* The first step is the JMP to step_start. */
	uint64_t pc = GUEST_LOAD + (step_start - step_guest_start) - 1;
	int i, ok = 1;

	ktap_plan(7);
	ktap_result(set_debug(vcpu, 1u << 30) == -EINVAL &&
		    set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP) == -EINVAL &&
		    __kvm_ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, (void *)8) == -EFAULT,
		    "bad_control_einval_bad_pointer_efault");

	vm_load(vm, GUEST_LOAD, step_guest_start, step_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	/*
	 * The debugger attaches to a guest that has run already; the steps
	 * then begin on a page the guest has not touched yet (a fault, then
	 * the first step).
	 */
	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "no sync");
	kvm_ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG,
		  &(struct kvm_guest_debug){ .control = KVM_GUESTDBG_ENABLE |
							KVM_GUESTDBG_SINGLESTEP });
	for (i = 0; i < 11; i++) {
		vcpu_run(vcpu);
		pc += lens[i];
		if (i == 0)	/* the JMP lands on step_start */
			pc = GUEST_LOAD + (step_start - step_guest_start);
		if (run->exit_reason != KVM_EXIT_DEBUG || run->debug.arch.exception != 1 ||
		    run->debug.arch.pc != pc || !(run->debug.arch.dr6 & DR6_BS)) {
			ktap_info("step %d: exit %s exception %u pc %#llx (want %#llx) dr6 %#llx",
				  i, exit_reason_str(run->exit_reason), run->debug.arch.exception,
				  run->debug.arch.pc, (unsigned long long)pc, run->debug.arch.dr6);
			ok = 0;
		}
	}
	ktap_result(ok, "single_step_eleven_instructions");
	vcpu_get_regs(vcpu, &regs);
	ktap_result(regs.rip == pc - GUEST_LOAD && (regs.rax & 0xffff) == 0x1237 &&	/* 1 from the ucall */
		    !(regs.rflags & 0x100), "registers_after_steps_tf_hidden");

	set_debug(vcpu, 0);
	vcpu_run(vcpu);
	vcpu_get_regs(vcpu, &regs);
	ktap_result(run->exit_reason == KVM_EXIT_HLT && !(regs.rsi & 0x100),
		    "debug_off_runs_to_hlt_guest_never_sees_tf");

	/* Software breakpoints. */
	vm_load(vm, GUEST_LOAD, bp_guest_start, bp_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	kvm_ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG,
		  &(struct kvm_guest_debug){ .control = KVM_GUESTDBG_ENABLE |
							KVM_GUESTDBG_USE_SW_BP });
	ktap_result(run_to_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 0x40,
		    "int_n_still_reaches_guest");
	vcpu_run(vcpu);
	vcpu_get_regs(vcpu, &regs);
	ktap_info("exit %s exception %u pc %#llx", exit_reason_str(run->exit_reason),
		  run->debug.arch.exception, run->debug.arch.pc);
	ktap_result(run->exit_reason == KVM_EXIT_DEBUG && run->debug.arch.exception == 3 &&
		    run->debug.arch.pc == GUEST_LOAD + regs.rip && (regs.rax & 0xffff) == 1 &&
		    ((uint8_t *)vm->mem)[run->debug.arch.pc] == 0xcc,
		    "int3_stops_at_its_address");

	/* The debugger steps over the breakpoint. */
	regs.rip += 1;
	vcpu_set_regs(vcpu, &regs);
	vcpu_run(vcpu);
	vcpu_get_regs(vcpu, &regs);
	ktap_result(run->exit_reason == KVM_EXIT_HLT && (regs.rax & 0xffff) == 2,
		    "continue_after_breakpoint");
	vcpu_free(vcpu);
	vm_free(vm);
	return ktap_finish();
}
