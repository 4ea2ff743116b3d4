// SPDX-License-Identifier: GPL-2.0
/*
 * XSAVE and AVX: a long-mode guest sees XSAVE in CPUID with OSXSAVE
 * following its CR4, sets CR4.OSXSAVE itself, gets #GP(0) for bad XSETBV
 * values (AVX without SSE, a component not offered, an XCR other than 0),
 * enables x87|SSE|AVX, and fills YMM0-15.  Meanwhile a host thread keeps
 * checking its own YMM register and the thread calling KVM_RUN keeps its
 * own YMM values across the call.  KVM_GET_XSAVE shows the guest's upper
 * halves, KVM_SET_XSAVE changes one, KVM_GET_XCRS shows XCR0, and bad
 * XSAVE/XCRS input fails with EINVAL or EFAULT as in KVM.
 *
 * The whole 256 bits of each YMM register count, in both lanes.  (In the
 * Bochs lane this needs clearcpuid=xsaves,xsavec: Bochs 2.7 writes
 * YMM_Hi128 at the wrong offset in the compacted XSAVE format, see
 * Documentation/testing.rst.)
 */
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_util.h"

#define CODE_GPA	0x10000
#define IDT_GPA		0x9000
#define PAT_GPA		0xa000	/* 16 x 32 bytes the guest loads */
#define OUT_GPA		0xb000	/* and where it stores them again */
#define YMM_OFFSET	576	/* CPUID.(0xD,2):EBX, the YMM_Hi128 area */

#define G_SYNC_REG(reg) "mov " reg ", %ebx\n\t" G_UCALL(UCALL_SYNC)

GUEST_CODE16(xsave_guest,
	".code64\n\t"
	"mov $1, %eax\n\t"
	"cpuid\n\t"
	G_SYNC_REG("%ecx")			/* OSXSAVE still clear */
	"mov %cr4, %rax\n\t"
	"or $0x40600, %rax\n\t"			/* OSXSAVE, OSFXSR, OSXMMEXCPT */
	"mov %rax, %cr4\n\t"
	"mov $1, %eax\n\t"
	"cpuid\n\t"
	G_SYNC_REG("%ecx")			/* now set */
	"xor %ecx, %ecx\n\t"
	"xor %edx, %edx\n\t"
	"mov $5, %eax\n\t"			/* AVX without SSE: #GP */
	"xsetbv\n\t"
	"mov $0x27, %eax\n\t"			/* opmask: not offered, #GP */
	"xor %ecx, %ecx\n\t"
	"xor %edx, %edx\n\t"
	"xsetbv\n\t"
	"mov $1, %ecx\n\t"			/* XCR1: #GP */
	"mov $7, %eax\n\t"
	"xor %edx, %edx\n\t"
	"xsetbv\n\t"
	"xor %ecx, %ecx\n\t"
	"mov $7, %eax\n\t"
	"xsetbv\n\t"
	"mov $0xd, %eax\n\t"
	"xor %ecx, %ecx\n\t"
	"cpuid\n\t"
	G_SYNC_REG("%ebx")			/* XSAVE size for x87|SSE|AVX */
	"mov $" STR(PAT_GPA) ", %esi\n\t"
	"vmovdqu 0(%rsi), %ymm0\n\t"   "vmovdqu 32(%rsi), %ymm1\n\t"
	"vmovdqu 64(%rsi), %ymm2\n\t"  "vmovdqu 96(%rsi), %ymm3\n\t"
	"vmovdqu 128(%rsi), %ymm4\n\t" "vmovdqu 160(%rsi), %ymm5\n\t"
	"vmovdqu 192(%rsi), %ymm6\n\t" "vmovdqu 224(%rsi), %ymm7\n\t"
	"vmovdqu 256(%rsi), %ymm8\n\t" "vmovdqu 288(%rsi), %ymm9\n\t"
	"vmovdqu 320(%rsi), %ymm10\n\t" "vmovdqu 352(%rsi), %ymm11\n\t"
	"vmovdqu 384(%rsi), %ymm12\n\t" "vmovdqu 416(%rsi), %ymm13\n\t"
	"vmovdqu 448(%rsi), %ymm14\n\t" "vmovdqu 480(%rsi), %ymm15\n\t"
	"mov $1, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $" STR(OUT_GPA) ", %edi\n\t"
	"vmovdqu %ymm0, 0(%rdi)\n\t"   "vmovdqu %ymm1, 32(%rdi)\n\t"
	"vmovdqu %ymm2, 64(%rdi)\n\t"  "vmovdqu %ymm3, 96(%rdi)\n\t"
	"vmovdqu %ymm4, 128(%rdi)\n\t" "vmovdqu %ymm5, 160(%rdi)\n\t"
	"vmovdqu %ymm6, 192(%rdi)\n\t" "vmovdqu %ymm7, 224(%rdi)\n\t"
	"vmovdqu %ymm8, 256(%rdi)\n\t" "vmovdqu %ymm9, 288(%rdi)\n\t"
	"vmovdqu %ymm10, 320(%rdi)\n\t" "vmovdqu %ymm11, 352(%rdi)\n\t"
	"vmovdqu %ymm12, 384(%rdi)\n\t" "vmovdqu %ymm13, 416(%rdi)\n\t"
	"vmovdqu %ymm14, 448(%rdi)\n\t" "vmovdqu %ymm15, 480(%rdi)\n\t"
	"xor %ecx, %ecx\n\t"
	"xgetbv\n\t"
	G_SYNC_REG("%eax")
	"hlt\n"
	/* #GP: report the error code, skip the 3-byte XSETBV, return. */
	".globl gp_handler\n"
	"gp_handler:\n\t"
	"pop %rbx\n\t"
	"or $0xd00, %ebx\n\t"
	"push %rax\n\t"
	"push %rdx\n\t"
	G_UCALL(UCALL_SYNC)
	"pop %rdx\n\t"
	"pop %rax\n\t"
	"addq $3, (%rsp)\n\t"
	"iretq\n\t"
	".code16\n\t");
extern const char gp_handler[];

static bool same_ymm(const uint8_t *a, const uint8_t *b, int nregs)
{
	int i;

	for (i = 0; i < nregs; i++)
		if (memcmp(a + 32 * i, b + 32 * i, 32))
			return false;
	return true;
}

/* KVM_RUN with YMM0-7 = pattern around it; the values after go to out. */
static long run_with_ymm(int fd, const uint8_t *pattern, uint8_t *out)
{
	long ret;

	asm volatile("vmovdqu 0(%[p]), %%ymm0\n\tvmovdqu 32(%[p]), %%ymm1\n\t"
		     "vmovdqu 64(%[p]), %%ymm2\n\tvmovdqu 96(%[p]), %%ymm3\n\t"
		     "vmovdqu 128(%[p]), %%ymm4\n\tvmovdqu 160(%[p]), %%ymm5\n\t"
		     "vmovdqu 192(%[p]), %%ymm6\n\tvmovdqu 224(%[p]), %%ymm7\n\t"
		     "syscall\n\t"
		     "vmovdqu %%ymm0, 0(%[o])\n\tvmovdqu %%ymm1, 32(%[o])\n\t"
		     "vmovdqu %%ymm2, 64(%[o])\n\tvmovdqu %%ymm3, 96(%[o])\n\t"
		     "vmovdqu %%ymm4, 128(%[o])\n\tvmovdqu %%ymm5, 160(%[o])\n\t"
		     "vmovdqu %%ymm6, 192(%[o])\n\tvmovdqu %%ymm7, 224(%[o])\n\t"
		     "vzeroupper\n\t"
		     : "=a" (ret)
		     : "a" ((long)SYS_ioctl), "D" ((long)fd), "S" ((long)KVM_RUN), "d" (0L),
		       [p] "r" (pattern), [o] "r" (out)
		     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3",
		       "xmm4", "xmm5", "xmm6", "xmm7");
	return ret;
}

static volatile int stop;
static volatile int other_bad;

/* Another host thread keeps its own YMM3 and checks it. */
static void *other_thread(void *arg)
{
	uint8_t pat[32], now[32];

	(void)arg;
	memset(pat, 0x5c, sizeof(pat));
	while (!stop) {
		asm volatile("vmovdqu %1, %%ymm3\n\t"
			     "mov $2000, %%ecx\n1:\n\tpause\n\tdec %%ecx\n\tjnz 1b\n\t"
			     "vmovdqu %%ymm3, %0\n\tvzeroupper"
			     : "=m" (now) : "m" (pat) : "rcx", "xmm3");
		if (memcmp(now, pat, sizeof(pat)))
			other_bad = 1;
		sched_yield();
	}
	return NULL;
}

static uint32_t next_sync(struct vcpu *vcpu, const uint8_t *host_pat, uint8_t *after)
{
	struct kvm_regs regs;
	uint8_t scratch[256];

	TEST_ASSERT(run_with_ymm(vcpu->fd, host_pat, after ? after : scratch) == 0, "KVM_RUN");
	assert_exit(vcpu, KVM_EXIT_IO);
	TEST_ASSERT(vcpu->run->io.port == UCALL_PORT, "not a ucall");
	vcpu_get_regs(vcpu, &regs);
	return regs.rbx;
}

static void set_idt(struct vcpu *vcpu)
{
	uint64_t *idt = (uint64_t *)((uint8_t *)vcpu->vm->mem + IDT_GPA);
	uint64_t h = CODE_GPA + (gp_handler - xsave_guest_start);
	struct kvm_sregs s;

	/* A 64-bit interrupt gate for vector 13 (SDM Vol. 3A, 6.14.1). */
	idt[13 * 2] = (h & 0xffff) | 0x08ull << 16 | 0x8eull << 40 | (h >> 16 & 0xffff) << 48;
	idt[13 * 2 + 1] = h >> 32;
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	s.idt.base = IDT_GPA;
	s.idt.limit = 16 * 32 - 1;
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &s);
}

static void bad_inputs(struct vcpu *vcpu)
{
	static struct kvm_xsave xs;
	struct kvm_xcrs xcrs;
	bool ok = true;

	kvm_ioctl(vcpu->fd, KVM_GET_XCRS, &xcrs);
	xcrs.nr_xcrs = KVM_MAX_XCRS + 1;
	ok &= __kvm_ioctl(vcpu->fd, KVM_SET_XCRS, &xcrs) == -EINVAL;
	xcrs.nr_xcrs = 1;
	xcrs.flags = 1;
	ok &= __kvm_ioctl(vcpu->fd, KVM_SET_XCRS, &xcrs) == -EINVAL;
	xcrs.flags = 0;
	xcrs.xcrs[0].value = 0x5;	/* AVX without SSE */
	ok &= __kvm_ioctl(vcpu->fd, KVM_SET_XCRS, &xcrs) == -EINVAL;
	xcrs.xcrs[0].value = 0x2;	/* no x87 */
	ok &= __kvm_ioctl(vcpu->fd, KVM_SET_XCRS, &xcrs) == -EINVAL;
	ok &= __kvm_ioctl(vcpu->fd, KVM_SET_XCRS, (void *)8) == -EFAULT;
	ktap_result(ok, "set_xcrs_bad_input");

	kvm_ioctl(vcpu->fd, KVM_GET_XSAVE, &xs);
	ok = true;
	xs.region[512 / 4] |= 1u << 5;	/* XSTATE_BV: opmask, not offered */
	ok &= __kvm_ioctl(vcpu->fd, KVM_SET_XSAVE, &xs) == -EINVAL;
	xs.region[512 / 4] &= ~(1u << 5);
	xs.region[520 / 4 + 1] = 0x80000000;	/* XCOMP_BV: compacted */
	ok &= __kvm_ioctl(vcpu->fd, KVM_SET_XSAVE, &xs) == -EINVAL;
	xs.region[520 / 4 + 1] = 0;
	xs.region[24 / 4] = 0xffffffff;	/* MXCSR */
	ok &= __kvm_ioctl(vcpu->fd, KVM_SET_XSAVE, &xs) == -EINVAL;
	ok &= __kvm_ioctl(vcpu->fd, KVM_GET_XSAVE, (void *)8) == -EFAULT;
	ktap_result(ok, "set_xsave_bad_input");
}

int main(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	uint8_t host_pat[256], after[256], *gpat, *gout;
	static struct kvm_xsave xs;
	struct kvm_xcrs xcrs;
	pthread_t other;
	uint32_t v;
	int i, ok;

	ktap_plan(10);
	TEST_ASSERT(__kvm_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, (void *)KVM_CAP_XSAVE) == 1 &&
		    __kvm_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, (void *)KVM_CAP_XCRS) == 1,
		    "no XSAVE offered: the test machine's kernel runs without XSAVE");
	vm_load(vm, CODE_GPA, xsave_guest_start, xsave_guest_end);
	vcpu_set_mode(vcpu, MODE_LONG, CODE_GPA, 0x8000);
	set_idt(vcpu);
	gpat = (uint8_t *)vm->mem + PAT_GPA;
	gout = (uint8_t *)vm->mem + OUT_GPA;
	for (i = 0; i < 512; i++)
		gpat[i] = 0x40 + i * 7;
	for (i = 0; i < 256; i++)
		host_pat[i] = 0x11 * (i % 15 + 1);
	pthread_create(&other, NULL, other_thread, NULL);

	v = next_sync(vcpu, host_pat, NULL);
	ok = (v & (1 << 26)) && !(v & (1 << 27)) && (v & (1 << 28));
	v = next_sync(vcpu, host_pat, NULL);
	ktap_result(ok && (v & (1 << 27)), "cpuid_osxsave_follows_cr4");

	ok = next_sync(vcpu, host_pat, NULL) == 0xd00;
	ok &= next_sync(vcpu, host_pat, NULL) == 0xd00;
	ok &= next_sync(vcpu, host_pat, NULL) == 0xd00;
	ktap_result(ok, "bad_xsetbv_gp");
	ktap_result(next_sync(vcpu, host_pat, NULL) == 832, "cpuid_xsave_size_follows_xcr0");

	ok = next_sync(vcpu, host_pat, after) == 1;
	ktap_result(ok && same_ymm(after, host_pat, 8), "host_ymm_survive_guest");
	kvm_ioctl(vcpu->fd, KVM_GET_XSAVE, &xs);
	ok = (xs.region[512 / 4] & 4) != 0;	/* XSTATE_BV has AVX */
	for (i = 0; i < 16; i++)
		ok &= !memcmp((uint8_t *)xs.region + YMM_OFFSET + 16 * i, gpat + 32 * i + 16, 16) &&
		      !memcmp((uint8_t *)xs.region + 160 + 16 * i, gpat + 32 * i, 16);
	/* The guest's upper halves reached the CPU and were saved at the exit. */
	ktap_result(ok, "get_xsave_shows_guest_ymm");
	memset((uint8_t *)xs.region + YMM_OFFSET + 16 * 15, 0xe5, 16);
	kvm_ioctl(vcpu->fd, KVM_SET_XSAVE, &xs);

	v = next_sync(vcpu, host_pat, after);
	memset(gpat + 496, 0xe5, 16);	/* what KVM_SET_XSAVE put in YMM15 */
	ok = v == 7 && same_ymm(after, host_pat, 8) && same_ymm(gout, gpat, 16);
	ktap_result(ok, "guest_ymm_survive_exit_and_set_xsave");
	kvm_ioctl(vcpu->fd, KVM_GET_XCRS, &xcrs);
	ktap_result(xcrs.nr_xcrs == 1 && xcrs.xcrs[0].xcr == 0 && xcrs.xcrs[0].value == 7,
		    "get_xcrs_shows_xcr0");
	stop = 1;
	pthread_join(other, NULL);
	ktap_result(!other_bad, "other_host_thread_ymm_untouched");
	bad_inputs(vcpu);
	vcpu_run(vcpu);
	assert_exit(vcpu, KVM_EXIT_HLT);
	vcpu_free(vcpu);
	vm_free(vm);
	return ktap_finish();
}
