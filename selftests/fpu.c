// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's SSE registers are its own: the guest fills XMM0-7, exits,
 * and finds them intact on its next entry although the host thread ran
 * with its own values in them meanwhile; the host thread's values, and
 * those of another host thread, survive the guest.  KVM_GET_FPU shows the
 * guest's registers, KVM_SET_FPU changes them, and bad input fails.
 */
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_util.h"

#define GUEST_PAT	0x4000	/* in the guest's data segment */
#define GUEST_OUT	0x5000

/* Real mode, CR4.OSFXSR set by the host: fill XMM0-7, exit, store them. */
GUEST_CODE16(fpu_guest,
	"mov $" STR(GUEST_PAT) ", %si\n\t"
	"movdqu 0(%si), %xmm0\n\t"
	"movdqu 16(%si), %xmm1\n\t"
	"movdqu 32(%si), %xmm2\n\t"
	"movdqu 48(%si), %xmm3\n\t"
	"movdqu 64(%si), %xmm4\n\t"
	"movdqu 80(%si), %xmm5\n\t"
	"movdqu 96(%si), %xmm6\n\t"
	"movdqu 112(%si), %xmm7\n\t"
	G_SYNC(1)
	"mov $" STR(GUEST_OUT) ", %di\n\t"
	"movdqu %xmm0, 0(%di)\n\t"
	"movdqu %xmm1, 16(%di)\n\t"
	"movdqu %xmm2, 32(%di)\n\t"
	"movdqu %xmm3, 48(%di)\n\t"
	"movdqu %xmm4, 64(%di)\n\t"
	"movdqu %xmm5, 80(%di)\n\t"
	"movdqu %xmm6, 96(%di)\n\t"
	"movdqu %xmm7, 112(%di)\n\t"
	G_SYNC(2)
	"hlt\n\t");

/* KVM_RUN with XMM0-7 = pattern around it; the values after go to out. */
static long run_with_xmm(int fd, const uint8_t *pattern, uint8_t *out)
{
	long ret;

	asm volatile("movdqu 0(%[p]), %%xmm0\n\tmovdqu 16(%[p]), %%xmm1\n\t"
		     "movdqu 32(%[p]), %%xmm2\n\tmovdqu 48(%[p]), %%xmm3\n\t"
		     "movdqu 64(%[p]), %%xmm4\n\tmovdqu 80(%[p]), %%xmm5\n\t"
		     "movdqu 96(%[p]), %%xmm6\n\tmovdqu 112(%[p]), %%xmm7\n\t"
		     "syscall\n\t"
		     "movdqu %%xmm0, 0(%[o])\n\tmovdqu %%xmm1, 16(%[o])\n\t"
		     "movdqu %%xmm2, 32(%[o])\n\tmovdqu %%xmm3, 48(%[o])\n\t"
		     "movdqu %%xmm4, 64(%[o])\n\tmovdqu %%xmm5, 80(%[o])\n\t"
		     "movdqu %%xmm6, 96(%[o])\n\tmovdqu %%xmm7, 112(%[o])\n\t"
		     : "=a" (ret)
		     : "a" ((long)SYS_ioctl), "D" ((long)fd), "S" ((long)KVM_RUN), "d" (0L),
		       [p] "r" (pattern), [o] "r" (out)
		     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3",
		       "xmm4", "xmm5", "xmm6", "xmm7");
	return ret;
}

static volatile int stop;
static volatile int other_bad;

/* Another host thread keeps its own XMM values and checks them. */
static void *other_thread(void *arg)
{
	uint8_t pat[16], now[16];

	(void)arg;
	memset(pat, 0x5c, sizeof(pat));
	while (!stop) {
		asm volatile("movdqu %1, %%xmm3\n\t"
			     "mov $2000, %%ecx\n1:\n\tpause\n\tdec %%ecx\n\tjnz 1b\n\t"
			     "movdqu %%xmm3, %0"
			     : "=m" (now) : "m" (pat) : "rcx", "xmm3");
		if (memcmp(now, pat, 16))
			other_bad = 1;
		sched_yield();
	}
	return NULL;
}

static uint64_t ucall_arg(struct vcpu *vcpu)
{
	struct kvm_regs regs;

	assert_exit(vcpu, KVM_EXIT_IO);
	TEST_ASSERT(vcpu->run->io.port == UCALL_PORT, "not a ucall");
	vcpu_get_regs(vcpu, &regs);
	return regs.rbx;
}

int main(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	uint8_t host_pat[128], after[128], *gpat, *gout;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	pthread_t other;
	int i, ok;

	ktap_plan(7);
	kvm_ioctl(vcpu->fd, KVM_GET_FPU, &fpu);
	ktap_result(fpu.fcw == 0x37f && fpu.mxcsr == 0x1f80, "reset_fpu_state");

	vm_load(vm, GUEST_LOAD, fpu_guest_start, fpu_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &sregs);
	sregs.cr4 |= 1 << 9;		/* OSFXSR */
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &sregs);
	gpat = (uint8_t *)vm->mem + GUEST_LOAD + GUEST_PAT;
	gout = (uint8_t *)vm->mem + GUEST_LOAD + GUEST_OUT;
	for (i = 0; i < 128; i++) {
		gpat[i] = 0x80 + i;
		host_pat[i] = 0x11 * (i % 15 + 1);
	}

	pthread_create(&other, NULL, other_thread, NULL);
	TEST_ASSERT(run_with_xmm(vcpu->fd, host_pat, after) == 0, "KVM_RUN");
	ok = ucall_arg(vcpu) == 1;
	ktap_result(ok && !memcmp(after, host_pat, 128), "host_xmm_survive_guest");

	kvm_ioctl(vcpu->fd, KVM_GET_FPU, &fpu);
	ktap_result(!memcmp(fpu.xmm, gpat, 128), "get_fpu_shows_guest_xmm");

	memset(fpu.xmm[7], 0xa7, 16);
	kvm_ioctl(vcpu->fd, KVM_SET_FPU, &fpu);
	TEST_ASSERT(run_with_xmm(vcpu->fd, host_pat, after) == 0, "KVM_RUN");
	ok = ucall_arg(vcpu) == 2;
	for (i = 0; i < 112; i++)
		ok &= gout[i] == gpat[i];
	ktap_result(ok, "guest_xmm_survive_exit");
	for (i = 112; i < 128; i++)
		ok &= gout[i] == 0xa7;
	ktap_result(ok, "set_fpu_reaches_guest");
	stop = 1;
	pthread_join(other, NULL);
	ktap_result(!other_bad && !memcmp(after, host_pat, 128), "other_host_thread_untouched");

	fpu.mxcsr = 0xffffffff;
	ktap_result(__kvm_ioctl(vcpu->fd, KVM_SET_FPU, &fpu) == -EINVAL &&
		    __kvm_ioctl(vcpu->fd, KVM_GET_FPU, (void *)8) == -EFAULT,
		    "bad_mxcsr_einval_bad_pointer_efault");
	vcpu_free(vcpu);
	vm_free(vm);
	return ktap_finish();
}
