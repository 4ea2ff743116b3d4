// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guests against the host CPU's own state.  Each case is a
 * long-mode guest that does the dangerous thing, and a host check of the
 * state it could have broken (/sys/kernel/debug/minikvm/host_state on every
 * CPU, before and after, besides what each case checks):
 *  - cr8: the guest sets its TPR to 15.  It must read back 15, KVM_GET_SREGS
 *    and kvm_run->cr8 must show 15, and the host's TPR must stay as it was
 *    (on VMX without CR8 exiting the guest wrote the host's TPR and masked
 *    every interrupt on that CPU).  kvm_run->cr8 and KVM_SET_SREGS set it
 *    back; a CR8 above 15 in kvm_run fails KVM_RUN with EINVAL;
 *  - xcr0: the guest sets CR4.OSXSAVE, XCR0 = x87|SSE and clears OSXSAVE
 *    again (this panicked the host in the Bochs lane: the host kept the
 *    guest's XCR0); then the reverse, a guest entered with OSXSAVE clear
 *    sets it and must read its own XCR0 (x87 only), not the host's;
 *  - pkru: the guest tries CR4.PKE (minikvm does not offer PKU: #GP) and
 *    WRPKRU (#UD without PKE); the test process's own PKRU must not
 *    change;
 *  - tsc_aux: the guest's RDTSCP must read the guest's IA32_TSC_AUX (set
 *    through KVM_SET_MSRS), not the host's CPU number;
 *  - ac: a CPL-3 guest with CR0.AM and RFLAGS.AC makes a misaligned read;
 *    its own #AC handler must get it with error code 0, and minikvm must
 *    have intercepted and reflected it (CVE-2015-5307);
 *  - db: the guest single-steps itself, over an STI too (the step then
 *    ends in STI blocking, which VMX entry checks), and runs ICEBP; its
 *    #DB handler must see every step and DR6.BS, and every #DB must have
 *    been intercepted and reflected (CVE-2015-8104);
 *  - spec_ctrl: the guest writes IBRS|STIBP|SSBD to IA32_SPEC_CTRL, an
 *    IBPB and an L1D flush command, and reads SPEC_CTRL back: minikvm
 *    gives guests none of them (#GP, and no CPUID bit), and the host's
 *    SPEC_CTRL, which stays in force while guests run, must not change;
 *  - ldt: the test process has an LDT (modify_ldt) and GS loaded from it,
 *    with a GS base of its own; after KVM_RUNs GS must still point where
 *    it did, the user GS base (IA32_KERNEL_GS_BASE while in the kernel)
 *    must be intact, and the LDT must still be loadable.
 * Every case runs on /dev/minikvm and then, where kvm_intel or kvm_amd is
 * loaded, on /dev/kvm with the same guest: KVM is the reference.  Only the
 * intercept counts are minikvm's own and are not asked of KVM.
 */
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <asm/prctl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_util.h"

#define MEM_SIZE	(1 << 20)
#define DATA		0x9000		/* counters the handlers keep */
#define D_GP		(DATA + 0x00)	/* #GP count */
#define D_UD		(DATA + 0x08)	/* #UD count */
#define D_AC		(DATA + 0x10)	/* #AC count */
#define D_AC_ERR	(DATA + 0x18)	/* its error code */
#define D_DB		(DATA + 0x20)	/* #DB count */
#define D_DB_RIP	(DATA + 0x28)	/* RIP of the last #DB */
#define D_DB_DR6	(DATA + 0x30)	/* DR6 in the last #DB */
#define D_SKIP		(DATA + 0x38)	/* bytes a #GP/#UD/#AC handler skips */
#define D_SPEC		(DATA + 0x40)	/* IA32_SPEC_CTRL as the guest read it */
#define IDT_GPA		0xa000
#define TSS_GPA		0xb000
#define USER_STACK	0xd000
#define STACK_TOP	0xf000
#define XCR0_GUEST	1		/* x87 only: never the host's (Linux needs SSE) */
#define PKRU_GUEST	0xfffffffc	/* every key but 0 without access */

#define CR4_OSXSAVE	(1u << 18)
#define CR4_PKE		(1u << 22)
#define CR0_AM		(1u << 18)

#define G_SYNC_REG(reg) "mov " reg ", %rbx\n\t" G_UCALL(UCALL_SYNC)

GUEST_CODE16(hc_guest,
	".code64\n"
	/* #GP and #UD: count, skip D_SKIP bytes. */
	".globl hc_gp\n"
	"hc_gp:\n\t"
	"incq " STR(D_GP) "\n\t"
	"add $8, %rsp\n\t"
	"jmp 1f\n"
	".globl hc_ud\n"
	"hc_ud:\n\t"
	"incq " STR(D_UD) "\n"
	"1:\n\t"
	"push %rax\n\t"
	"mov " STR(D_SKIP) ", %rax\n\t"
	"add %rax, 8(%rsp)\n\t"
	"pop %rax\n\t"
	"iretq\n"
	/* #AC: count, keep the error code, skip D_SKIP bytes. */
	".globl hc_ac\n"
	"hc_ac:\n\t"
	"incq " STR(D_AC) "\n\t"
	"push %rax\n\t"
	"mov 8(%rsp), %rax\n\t"
	"mov %rax, " STR(D_AC_ERR) "\n\t"
	"mov " STR(D_SKIP) ", %rax\n\t"
	"add %rax, 16(%rsp)\n\t"
	"pop %rax\n\t"
	"add $8, %rsp\n\t"
	"iretq\n"
	/* #DB: count, keep RIP, gather DR6's bits, clear DR6. */
	".globl hc_db\n"
	"hc_db:\n\t"
	"incq " STR(D_DB) "\n\t"
	"push %rax\n\t"
	"mov 8(%rsp), %rax\n\t"
	"mov %rax, " STR(D_DB_RIP) "\n\t"
	"mov %dr6, %rax\n\t"
	"or %rax, " STR(D_DB_DR6) "\n\t"
	"xor %eax, %eax\n\t"
	"mov %rax, %dr6\n\t"
	"pop %rax\n\t"
	"iretq\n"
	/* INT 0x80 from CPL 3: back at CPL 0, report #AC count and code. */
	".globl hc_int80\n"
	"hc_int80:\n\t"
	"mov " STR(D_AC) ", %rbx\n\t"
	"mov " STR(D_AC_ERR) ", %rcx\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n"
	/* Anything else: fail with the vector's handler address on the stack. */
	".globl hc_bad\n"
	"hc_bad:\n\t"
	"mov (%rsp), %rcx\n\t"
	"mov $100, %ebx\n\t"
	G_UCALL(UCALL_ASSERT)
	"hlt\n"

	/* CR8: 15 in, read back; then whatever the host put there. */
	".globl hc_cr8\n"
	"hc_cr8:\n\t"
	"mov $15, %rax\n\t"
	"mov %rax, %cr8\n\t"
	"mov %cr8, %rbx\n\t"
	G_UCALL(UCALL_SYNC)
	"mov %cr8, %rbx\n\t"
	G_UCALL(UCALL_SYNC)
	"mov %cr8, %rbx\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n"

	/* XCR0 set with OSXSAVE, then OSXSAVE cleared. */
	".globl hc_xcr0\n"
	"hc_xcr0:\n\t"
	"movq $3, " STR(D_SKIP) "\n\t"
	"mov %cr4, %rax\n\t"
	"or $" STR(CR4_OSXSAVE) ", %rax\n\t"
	"mov %rax, %cr4\n\t"
	"xor %ecx, %ecx\n\t"
	"xor %edx, %edx\n\t"
	"mov $" STR(XCR0_GUEST) ", %eax\n\t"
	"xsetbv\n\t"
	"mov %cr4, %rax\n\t"
	"and $~" STR(CR4_OSXSAVE) ", %rax\n\t"
	"mov %rax, %cr4\n\t"
	G_SYNC(1)
	"hlt\n"
	/* Entered with OSXSAVE clear: set it, read XCR0. */
	".globl hc_xcr0_rev\n"
	"hc_xcr0_rev:\n\t"
	"movq $3, " STR(D_SKIP) "\n\t"
	"mov %cr4, %rax\n\t"
	"or $" STR(CR4_OSXSAVE) ", %rax\n\t"
	"mov %rax, %cr4\n\t"
	"xor %ecx, %ecx\n\t"
	"xgetbv\n\t"
	G_SYNC_REG("%rax")
	"hlt\n"

	/* CR4.PKE, then WRPKRU with every key's access disabled. */
	".globl hc_pkru\n"
	"hc_pkru:\n\t"
	"movq $3, " STR(D_SKIP) "\n\t"
	"mov %cr4, %rax\n\t"
	"or $" STR(CR4_PKE) ", %rax\n\t"
	"mov %rax, %cr4\n\t"		/* 3 bytes: 0F 22 E0 */
	"xor %ecx, %ecx\n\t"
	"xor %edx, %edx\n\t"
	"mov $" STR(PKRU_GUEST) ", %eax\n\t"
	".byte 0x0f, 0x01, 0xef\n\t"	/* WRPKRU */
	G_SYNC_REG(STR(D_GP))
	G_SYNC_REG(STR(D_UD))
	"hlt\n"

	/* RDTSCP: ECX is IA32_TSC_AUX. */
	".globl hc_tsc_aux\n"
	"hc_tsc_aux:\n\t"
	"movq $3, " STR(D_SKIP) "\n\t"
	"mov $0xdead, %ecx\n\t"
	"rdtscp\n\t"
	G_SYNC_REG("%rcx")
	G_SYNC_REG(STR(D_UD))
	"hlt\n"

	/* CR0.AM, then CPL 3 with RFLAGS.AC, a misaligned read, INT 0x80. */
	".globl hc_ac_entry\n"
	"hc_ac_entry:\n\t"
	"mov %cr0, %rax\n\t"
	"or $" STR(CR0_AM) ", %rax\n\t"
	"mov %rax, %cr0\n\t"
	"movq $7, " STR(D_SKIP) "\n\t"
	"pushq $0x1b\n\t"			/* SS: user data */
	"pushq $" STR(USER_STACK) "\n\t"
	"pushq $0x40002\n\t"			/* RFLAGS: AC */
	"pushq $0x23\n\t"			/* CS: user code */
	"lea hc_user(%rip), %rax\n\t"
	"push %rax\n\t"
	"iretq\n"
	"hc_user:\n\t"
	"mov 0x9101, %eax\n\t"			/* 7 bytes: 8B 04 25 imm32 */
	"int $0x80\n"

	/*
	 * Single steps over four NOPs and an STI (IF was clear: the step
	 * after it ends in STI blocking), then ICEBP.
	 */
	".globl hc_db_entry\n"
	"hc_db_entry:\n\t"
	"pushfq\n\t"
	"orq $0x100, (%rsp)\n\t"
	"popfq\n\t"
	"nop\n\tnop\n\tnop\n\tnop\n\t"
	"sti\n\t"
	"pushfq\n\t"
	"andq $~0x100, (%rsp)\n\t"
	"popfq\n\t"
	G_SYNC_REG(STR(D_DB))
	"movq $0, " STR(D_DB_RIP) "\n\t"
	"movq $1, " STR(D_SKIP) "\n\t"	/* past ICEBP if it is #UD */
	".byte 0xf1\n"				/* ICEBP */
	".globl hc_after_icebp\n"
	"hc_after_icebp:\n\t"
	G_SYNC_REG(STR(D_DB))
	G_SYNC_REG(STR(D_DB_RIP))
	G_SYNC_REG(STR(D_UD))
	"hlt\n"

	/*
	 * The speculation-control MSRs: IBRS|STIBP|SSBD into IA32_SPEC_CTRL,
	 * an IBPB, an L1D flush, then IA32_SPEC_CTRL read back, and CPUID
	 * leaf 7 EDX (IBRS/IBPB, STIBP, L1D_FLUSH, ARCH_CAPABILITIES, SSBD).
	 */
	".globl hc_spec\n"
	"hc_spec:\n\t"
	"movq $2, " STR(D_SKIP) "\n\t"
	"mov $0x48, %ecx\n\t"
	"mov $7, %eax\n\t"
	"xor %edx, %edx\n\t"
	"wrmsr\n\t"
	"mov $0x49, %ecx\n\t"
	"mov $1, %eax\n\t"
	"wrmsr\n\t"
	"mov $0x10b, %ecx\n\t"
	"mov $1, %eax\n\t"
	"wrmsr\n\t"
	"mov $0x48, %ecx\n\t"
	"xor %eax, %eax\n\t"
	"rdmsr\n\t"
	"mov %rax, " STR(D_SPEC) "\n\t"
	G_SYNC_REG(STR(D_GP))
	G_SYNC_REG(STR(D_SPEC))
	"mov $7, %eax\n\t"
	"xor %ecx, %ecx\n\t"
	"cpuid\n\t"
	G_SYNC_REG("%rdx")
	"hlt\n"

	/* The LDT case: one OUT, then HLT. */
	".globl hc_out\n"
	"hc_out:\n\t"
	G_SYNC(7)
	"hlt\n"
	".code16\n\t");
extern const char hc_gp[], hc_ud[], hc_ac[], hc_db[], hc_int80[], hc_bad[], hc_cr8[],
	hc_xcr0[], hc_xcr0_rev[], hc_pkru[], hc_tsc_aux[], hc_ac_entry[], hc_db_entry[],
	hc_after_icebp[], hc_out[], hc_spec[];

#define GUEST_ADDR(sym) (GUEST_LOAD + (uint64_t)((sym) - hc_guest_start))


static uint64_t *guest_u64(struct vcpu *vcpu, uint64_t gpa)
{
	return (uint64_t *)((uint8_t *)vcpu->vm->mem + gpa);
}

/* The guest's CPUID: what the device supports, as QEMU gives it. */
static void set_supported_cpuid(struct vcpu *vcpu)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 256 * sizeof(c->entries[0]));

	TEST_ASSERT(c, "calloc");
	c->nent = 256;
	kvm_ioctl(vcpu->vm->sys_fd, KVM_GET_SUPPORTED_CPUID, c);
	kvm_ioctl(vcpu->fd, KVM_SET_CPUID2, c);
	free(c);
}

/* A long-mode vCPU at @entry with every handler in its IDT. */
static struct vcpu *hc_vcpu(struct vm **vmp, const char *entry)
{
	struct vm *vm = vm_create(MEM_SIZE);
	struct vcpu *vcpu;
	uint8_t *mem = vm->mem;
	int v;

	vm_load(vm, GUEST_LOAD, hc_guest_start, hc_guest_end);
	vcpu = vcpu_add(vm, 0);
	set_supported_cpuid(vcpu);
	vcpu_set_mode(vcpu, MODE_LONG, GUEST_ADDR(entry), STACK_TOP);
	for (v = 0; v < 256; v++) {
		const char *h = v == 13 ? hc_gp : v == 6 ? hc_ud : v == 17 ? hc_ac :
				v == 1 ? hc_db : v == 0x80 ? hc_int80 : hc_bad;

		idt_set_gate(mem + IDT_GPA, v, GUEST_ADDR(h), true);
	}
	vcpu_set_idt(vcpu, IDT_GPA, 256 * 16 - 1);
	*vmp = vm;
	return vcpu;
}

static void hc_free(struct vm *vm, struct vcpu *vcpu)
{
	vcpu_free(vcpu);
	vm_free(vm);
}

static uint64_t sync_value(struct vcpu *vcpu)
{
	struct ucall uc;

	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "ucall %llu, not SYNC",
		    (unsigned long long)uc.cmd);
	return uc.args[0];
}

static void run_to_hlt(struct vcpu *vcpu)
{
	vcpu_run(vcpu);
	assert_exit(vcpu, KVM_EXIT_HLT);
}

/*
 * KVM leaves the IDT limit at the 0xffff a VMX exit loads (SDM 28.5.2),
 * which is harmless; minikvm puts the host's back.  For the KVM round the
 * limits are left out of the comparison.
 */
static void drop_idt_limits(char *state)
{
	char *p, *end;

	for (p = strstr(state, " idt="); p; p = strstr(p + 1, " idt=")) {
		p = strchr(p, '/');
		end = p ? strchr(p, ' ') : NULL;
		if (!end)
			return;
		memmove(p, end, strlen(end) + 1);
	}
}

/* Whether host_state is the same as @before; prints both if not. */
static bool host_state_same(const char *before, const char *what)
{
	char *after = host_state_read(), *b = strdup(before);
	bool same;

	TEST_ASSERT(b, "strdup");
	if (on_kvm) {
		drop_idt_limits(b);
		drop_idt_limits(after);
	}
	same = !strcmp(b, after);
	free(b);

	if (!same)
		ktap_info("%s: host_state before:\n%s# after:\n%s", what, before, after);
	free(after);
	return same;
}

static long intercepts(const char *name)
{
	return debugfs_count("intercepts", name);
}

/* ---- the cases ---- */

static void test_cr8(void)
{
	struct kvm_sregs s;
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t got, seen_run, seen_sregs, back, from_sregs;
	char *before;
	int r;

	/* Read with the VM there: VMX or SVM is on then, on every CPU. */
	vcpu = hc_vcpu(&vm, hc_cr8);
	before = host_state_read();
	got = sync_value(vcpu);
	seen_run = vcpu->run->cr8;
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	seen_sregs = s.cr8;
	/* The host, on every CPU, while the guest holds TPR 15. */
	ktap_result(host_state_same(before, "cr8"), "%scr8_host_tpr_unchanged", dev_tag);
	vcpu->run->cr8 = 5;
	back = sync_value(vcpu);
	/* KVM_SET_SREGS sets it too (the next KVM_RUN takes kvm_run->cr8). */
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	s.cr8 = 9;
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &s);
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	from_sregs = s.cr8;
	vcpu->run->cr8 = 9;
	TEST_ASSERT(sync_value(vcpu) == 9, "the guest does not read kvm_run->cr8");
	vcpu->run->cr8 = 16;
	r = __vcpu_run(vcpu);
	ktap_info("guest read %llu, kvm_run->cr8 %llu, sregs.cr8 %llu, after kvm_run->cr8 = 5 "
		  "%llu, after sregs.cr8 = 9 %llu, KVM_RUN with cr8 16: %s",
		  (unsigned long long)got, (unsigned long long)seen_run,
		  (unsigned long long)seen_sregs, (unsigned long long)back,
		  (unsigned long long)from_sregs, strerror(-r));
	ktap_result(got == 15 && seen_run == 15 && seen_sregs == 15,
		    "%scr8_guest_keeps_its_tpr", dev_tag);
	ktap_result(back == 5 && from_sregs == 9 && r == -EINVAL, "%scr8_set_by_host", dev_tag);
	hc_free(vm, vcpu);
	free(before);
}

static void test_xcr0(void)
{
	char *before = host_state_read();
	struct kvm_xcrs xcrs = { .nr_xcrs = 1 };
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t read;

	/* XSETBV, then OSXSAVE cleared: the host must get its XCR0 back. */
	vcpu = hc_vcpu(&vm, hc_xcr0);
	sync_value(vcpu);
	run_to_hlt(vcpu);
	hc_free(vm, vcpu);
	ktap_result(host_state_same(before, "xcr0"), "%sxcr0_host_restored_after_osxsave_clear",
		    dev_tag);

	/* The reverse: OSXSAVE set inside the guest, its own XCR0 read. */
	vcpu = hc_vcpu(&vm, hc_xcr0_rev);
	xcrs.xcrs[0].xcr = 0;
	xcrs.xcrs[0].value = XCR0_GUEST;
	kvm_ioctl(vcpu->fd, KVM_SET_XCRS, &xcrs);
	read = sync_value(vcpu);
	run_to_hlt(vcpu);
	hc_free(vm, vcpu);
	ktap_info("guest that set OSXSAVE itself read XCR0 %#llx, its own is %#x",
		  (unsigned long long)read, XCR0_GUEST);
	ktap_result(read == XCR0_GUEST, "%sxcr0_guest_reads_its_own", dev_tag);
	free(before);
}

/* The calling thread's PKRU, or 0 when the host has no OSPKE. */
static uint32_t user_pkru(void)
{
	uint32_t a, b, c, d, pkru = 0;

	asm volatile("cpuid" : "=a" (a), "=b" (b), "=c" (c), "=d" (d) : "a" (7), "c" (0));
	if (c & (1u << 4))	/* OSPKE */
		asm volatile(".byte 0x0f, 0x01, 0xee" : "=a" (pkru), "=d" (d) : "c" (0));
	return pkru;
}

static void test_pkru(void)
{
	uint32_t pkru = user_pkru(), pkru_after;
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t gp, ud;

	vcpu = hc_vcpu(&vm, hc_pkru);
	gp = sync_value(vcpu);
	ud = sync_value(vcpu);
	run_to_hlt(vcpu);
	pkru_after = user_pkru();
	hc_free(vm, vcpu);
	ktap_info("CR4.PKE: %llu #GP; WRPKRU: %llu #UD; the test's PKRU %#x before, %#x after",
		  (unsigned long long)gp, (unsigned long long)ud, pkru, pkru_after);
	/*
	 * minikvm offers no PKU: PKE is #GP and WRPKRU #UD.  KVM offers it
	 * where the host has it; then both work and the host must still
	 * have its own PKRU.
	 */
	if (!on_kvm)
		ktap_result(gp == 1 && ud == 1, "pkru_pke_refused");
	else
		ktap_result((gp == 1 && ud == 1) || (gp == 0 && ud == 0), "kvm_pkru_pke_consistent");
	ktap_result(pkru == pkru_after, "%spkru_host_unchanged", dev_tag);
}

/* One RDTSCP guest on this CPU, whose host TSC_AUX holds its own number. */
static bool tsc_aux_here(int cpu, void *unused __attribute__((unused)))
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} msrs = { .hdr.nmsrs = 1, .e.index = 0xc0000103, .e.data = 0x1234 };
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t got, ud;

	vcpu = hc_vcpu(&vm, hc_tsc_aux);
	TEST_ASSERT(__kvm_ioctl(vcpu->fd, KVM_SET_MSRS, &msrs) == 1,
		    "KVM_SET_MSRS of IA32_TSC_AUX refused");
	got = sync_value(vcpu);
	ud = sync_value(vcpu);
	run_to_hlt(vcpu);
	hc_free(vm, vcpu);
	ktap_info("cpu %d: guest RDTSCP read TSC_AUX %#llx (%llu #UD), its own is 0x1234",
		  cpu, (unsigned long long)got, (unsigned long long)ud);
	return got == 0x1234 && !ud;
}

static void test_tsc_aux(void)
{
	char *before = host_state_read();

	ktap_result(on_each_cpu_pinned(tsc_aux_here, NULL), "%stsc_aux_guest_reads_its_own",
		    dev_tag);
	ktap_result(host_state_same(before, "tsc_aux"), "%stsc_aux_host_unchanged", dev_tag);
	free(before);
}

/* User segments (DPL 3), a 64-bit TSS with RSP0, user pages. */
static void make_user_mode(struct vcpu *vcpu)
{
	uint64_t *gdt = guest_u64(vcpu, GUEST_GDT), *pt = guest_u64(vcpu, GUEST_PT);
	uint32_t *idt80 = (uint32_t *)((uint8_t *)vcpu->vm->mem + IDT_GPA + 0x80 * 16);
	uint64_t rsp0 = STACK_TOP;
	struct kvm_sregs s;
	int i;

	gdt[3] = 0x00cff3000000ffffull;		/* 0x18: data, DPL 3 */
	gdt[4] = 0x00affb000000ffffull;		/* 0x20: 64-bit code, DPL 3 */
	gdt[5] = 0x0000890000000067ull | (uint64_t)TSS_GPA << 16;	/* 0x28: TSS */
	gdt[6] = 0;
	memcpy((uint8_t *)vcpu->vm->mem + TSS_GPA + 4, &rsp0, 8);	/* RSP0 */
	/* PML4, PDPT and the 2 MiB pages of the first GiB: user too. */
	for (i = 0; i < 0x3000 / 8; i++)
		if (pt[i] & 1)
			pt[i] |= 4;
	idt80[1] |= 0x6000;			/* INT 0x80 from CPL 3: DPL 3 */
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	s.gdt.limit = 7 * 8 - 1;
	s.tr.selector = 0x28;
	s.tr.base = TSS_GPA;
	s.tr.limit = 0x67;
	s.tr.type = 0xb;
	s.tr.present = 1;
	s.tr.s = 0;
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &s);
}

static void test_ac(void)
{
	long before = on_kvm ? 0 : intercepts("alignment_check");
	struct vcpu *vcpu;
	struct vm *vm;
	struct ucall uc;

	/* QEMU's TCG has no alignment checks: nothing raises the #AC in its lane. */
	if (!strcmp(lane_name(), "qemu")) {
		ktap_skip("%sac_reaches_the_guest: QEMU's TCG never raises #AC", dev_tag);
		if (!on_kvm)
			ktap_skip("ac_intercepted: QEMU's TCG never raises #AC");
		return;
	}

	vcpu = hc_vcpu(&vm, hc_ac_entry);
	make_user_mode(vcpu);
	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "no ucall from INT 0x80");
	hc_free(vm, vcpu);
	ktap_info("CPL-3 misaligned read with AM and AC: %llu #AC, error code %#llx",
		  (unsigned long long)uc.args[0], (unsigned long long)uc.args[1]);
	ktap_result(uc.args[0] == 1 && uc.args[1] == 0, "%sac_reaches_the_guest", dev_tag);
	if (!on_kvm)
		ktap_result(intercepts("alignment_check") == before + 1, "ac_intercepted");
}

static void test_db(void)
{
	long before = on_kvm ? 0 : intercepts("debug");
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t steps, n, rip, ud, dr6;
	bool icebp;

	vcpu = hc_vcpu(&vm, hc_db_entry);
	steps = sync_value(vcpu);
	n = sync_value(vcpu);
	rip = sync_value(vcpu);
	ud = sync_value(vcpu);
	dr6 = *guest_u64(vcpu, D_DB_DR6);
	run_to_hlt(vcpu);
	hc_free(vm, vcpu);
	icebp = n == steps + 1 && rip == GUEST_ADDR(hc_after_icebp) && !ud;
	ktap_info("guest took %llu single-step #DBs (DR6 bits seen %#llx), then ICEBP: %s",
		  (unsigned long long)steps, (unsigned long long)dr6,
		  icebp ? "#DB after it" : ud ? "#UD" : "no #DB");
	/*
	 * The NOPs, STI, PUSHF, ANDQ and the POPF that clears TF step: 8,
	 * or 7 where the step after STI is merged with the next (QEMU's
	 * TCG, with kvm_amd too; SDM 17.3.1.4 lets traps after STI vary).
	 */
	ktap_result(steps >= 7 && steps <= 9 && (dr6 & 0x4000), "%sdb_single_steps_reach_the_guest",
		    dev_tag);
	/* QEMU 7.2's TCG makes ICEBP in a guest #UD, under kvm_amd as well. */
	if (!icebp && ud && !strcmp(lane_name(), "qemu"))
		ktap_skip("%sdb_icebp_reaches_the_guest: QEMU's TCG raises #UD for ICEBP", dev_tag);
	else
		ktap_result(icebp, "%sdb_icebp_reaches_the_guest", dev_tag);
	if (!on_kvm)
		ktap_result(intercepts("debug") >= before + (long)n, "db_intercepted");
}

/* ---- the LDT and GS of the process that runs the guest ---- */

static sigjmp_buf segv_jmp;

static void on_segv(int sig __attribute__((unused)))
{
	siglongjmp(segv_jmp, 1);
}

static uint64_t gs_word(void)
{
	uint64_t v;

	asm volatile("mov %%gs:0, %0" : "=r" (v));
	return v;
}

/* Load GS with @sel again: false on #GP (SIGSEGV), as when the LDT is gone. */
static bool reload_gs(uint16_t sel)
{
	struct sigaction sa = { .sa_handler = on_segv };
	volatile bool ok = false;
	uint16_t now = 0;

	sigaction(SIGSEGV, &sa, NULL);
	if (!sigsetjmp(segv_jmp, 1)) {
		asm volatile("mov %1, %%gs\n\tmov %%gs, %0" : "=r" (now) : "r" (sel));
		ok = now == sel && gs_word() == 0x1dc0ffee;
	}
	signal(SIGSEGV, SIG_DFL);
	return ok;
}

static void test_ldt(void)
{
	static uint64_t target[2] = { 0x1dc0ffee, 0 };
	struct user_desc d = {
		.entry_number = 0, .base_addr = (uintptr_t)target, .limit = 0xfffff,
		.seg_32bit = 1, .limit_in_pages = 1, .useable = 1,
	};
	uint16_t sel = 0 << 3 | 4 | 3, gs_after = 0;
	uint64_t word = 0, base = 0;
	struct vcpu *vcpu;
	struct vm *vm;
	int i, ok_runs = 0;
	bool reload_ok;

	/* The LDT entry's base is 32 bits: the target must lie below 4 GiB. */
	TEST_ASSERT((uintptr_t)target < (1ull << 32), "static data above 4 GiB");
	TEST_ASSERT(!syscall(SYS_modify_ldt, 1, &d, sizeof(d)), "modify_ldt: %s",
		    strerror(errno));
	asm volatile("mov %0, %%gs" : : "r" (sel));
	vcpu = hc_vcpu(&vm, hc_out);
	for (i = 0; i < 20; i++) {
		vcpu_set_mode(vcpu, MODE_LONG, GUEST_ADDR(hc_out), STACK_TOP);
		if (sync_value(vcpu) == 7 && gs_word() == 0x1dc0ffee)
			ok_runs++;
	}
	asm volatile("mov %%gs, %0" : "=r" (gs_after));
	word = gs_word();
	syscall(SYS_arch_prctl, ARCH_GET_GS, &base);
	reload_ok = reload_gs(sel);
	asm volatile("mov %0, %%gs" : : "r" (0));
	hc_free(vm, vcpu);
	ktap_info("%d of 20 runs with GS intact; then GS %#x (LDT selector %#x), %%gs:0 %#llx, "
		  "user GS base %#llx (target %p), reload %s", ok_runs, gs_after, sel,
		  (unsigned long long)word, (unsigned long long)base, (void *)target,
		  reload_ok ? "worked" : "failed");
	ktap_result(ok_runs == 20 && gs_after == sel && word == 0x1dc0ffee &&
		    base == (uintptr_t)target, "%sldt_gs_survive_kvm_run", dev_tag);
	ktap_result(reload_ok, "%sldt_still_loadable", dev_tag);
}

static void test_spec_ctrl(void)
{
	char *before = host_state_read();
	struct vcpu *vcpu;
	struct vm *vm;
	uint64_t gp, spec, edx;
	/* IBRS/IBPB, STIBP, L1D_FLUSH, ARCH_CAPABILITIES, SSBD */
	const uint64_t spec_bits = (1u << 26) | (1u << 27) | (1u << 28) | (1u << 29) | (1u << 31);
	/* Those that make the three MSRs written here exist. */
	const uint64_t msr_bits = (1u << 26) | (1u << 27) | (1u << 28) | (1u << 31);

	vcpu = hc_vcpu(&vm, hc_spec);
	gp = sync_value(vcpu);
	spec = sync_value(vcpu);
	edx = sync_value(vcpu);
	run_to_hlt(vcpu);
	hc_free(vm, vcpu);
	ktap_info("SPEC_CTRL/PRED_CMD/FLUSH_CMD writes and SPEC_CTRL read: %llu #GP, read %#llx; "
		  "CPUID.7.EDX speculation bits %#llx", (unsigned long long)gp,
		  (unsigned long long)spec, (unsigned long long)(edx & spec_bits));
	/*
	 * minikvm gives guests none of these MSRs (kmod/x86/spec.c): four
	 * #GPs and no CPUID bit.  KVM offers what the host has and switches
	 * SPEC_CTRL itself: where its CPUID offers none of them, all four
	 * must be #GP too; where it offers some, not all four.
	 */
	if (!on_kvm)
		ktap_result(gp == 4 && !(edx & spec_bits), "spec_ctrl_msrs_refused");
	else
		ktap_result((edx & msr_bits) ? gp < 4 : gp == 4, "kvm_spec_ctrl_msrs_as_cpuid_says");
	ktap_result(host_state_same(before, "spec_ctrl"), "%sspec_ctrl_host_unchanged", dev_tag);
	free(before);
}

static void run_cases(void)
{
	test_spec_ctrl();
	test_cr8();
	test_xcr0();
	test_pkru();
	test_tsc_aux();
	test_ac();
	test_db();
	test_ldt();
}

int main(void)
{
	/* minikvm: 18 cases; KVM: 16, without the two intercept counts. */
	return run_on_minikvm_and_kvm(run_cases, 18, 16);
}
