// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's x87 and SSE state.
 *
 * The guest runs between kernel_fpu_begin() and kernel_fpu_end(), which
 * saves the host task's FPU state first, so nothing the guest does to the
 * FPU registers reaches the host.  The guest's own state lives in an
 * FXSAVE image per vCPU, loaded right before entry and saved right after
 * exit.  FXSAVE covers all the guest can touch: minikvm hides XSAVE and
 * AVX from its CPUID and refuses CR4.OSXSAVE, so AVX instructions fault.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include "../core/minikvm.h"

static u32 mkvm_mxcsr_mask;

/**
 * mkvm_fpu_setup() - learn which MXCSR bits the CPU accepts
 *
 * FXRSTOR of a reserved MXCSR bit faults (SDM Vol. 1, 11.6.6).
 */
void mkvm_fpu_setup(void)
{
	struct fxregs_state *fx = kzalloc(sizeof(*fx), GFP_KERNEL);

	mkvm_mxcsr_mask = 0xffbf;	/* the default when FXSAVE reports 0 */
	if (!fx)
		return;
	kernel_fpu_begin();
	asm volatile("fxsave64 %0" : "=m" (*fx));
	kernel_fpu_end();
	if (fx->mxcsr_mask)
		mkvm_mxcsr_mask = fx->mxcsr_mask;
	kfree(fx);
}

/**
 * mkvm_fpu_init() - the FPU state after RESET
 * @vcpu: the vCPU
 *
 * Return: 0 or -ENOMEM.
 */
int mkvm_fpu_init(struct mkvm_vcpu *vcpu)
{
	/* kmalloc aligns a 512-byte object to 512, as FXSAVE needs 16. */
	struct fxregs_state *fx = kzalloc(sizeof(*fx), GFP_KERNEL_ACCOUNT);

	if (!fx)
		return -ENOMEM;
	fx->cwd = 0x37f;	/* SDM Vol. 3A, Table 10-1 */
	fx->mxcsr = 0x1f80;
	vcpu->fpu = fx;
	return 0;
}

/* Called with the host's FPU state saved (kernel_fpu_begin()). */
void mkvm_fpu_load_guest(struct mkvm_vcpu *vcpu)
{
	asm volatile("fxrstor64 %0" : : "m" (*vcpu->fpu));
}

void mkvm_fpu_save_guest(struct mkvm_vcpu *vcpu)
{
	asm volatile("fxsave64 %0" : "=m" (*vcpu->fpu));
}

/**
 * mkvm_get_fpu() - KVM_GET_FPU
 * @vcpu: the vCPU
 * @fpu: filled from the guest's FXSAVE image
 */
void mkvm_get_fpu(struct mkvm_vcpu *vcpu, struct kvm_fpu *fpu)
{
	const struct fxregs_state *fx = vcpu->fpu;

	memset(fpu, 0, sizeof(*fpu));
	memcpy(fpu->fpr, fx->st_space, sizeof(fpu->fpr));
	fpu->fcw = fx->cwd;
	fpu->fsw = fx->swd;
	fpu->ftwx = fx->twd;
	fpu->last_opcode = fx->fop;
	fpu->last_ip = fx->rip;
	fpu->last_dp = fx->rdp;
	memcpy(fpu->xmm, fx->xmm_space, sizeof(fpu->xmm));
	fpu->mxcsr = fx->mxcsr;
}

/**
 * mkvm_set_fpu() - KVM_SET_FPU
 * @vcpu: the vCPU
 * @fpu: the new state
 *
 * Return: 0, or -EINVAL for MXCSR bits the CPU reserves (loading them
 * would fault).
 */
int mkvm_set_fpu(struct mkvm_vcpu *vcpu, const struct kvm_fpu *fpu)
{
	struct fxregs_state *fx = vcpu->fpu;

	if (fpu->mxcsr & ~mkvm_mxcsr_mask)
		return -EINVAL;
	memcpy(fx->st_space, fpu->fpr, sizeof(fpu->fpr));
	fx->cwd = fpu->fcw;
	fx->swd = fpu->fsw;
	fx->twd = fpu->ftwx;
	fx->fop = fpu->last_opcode;
	fx->rip = fpu->last_ip;
	fx->rdp = fpu->last_dp;
	memcpy(fx->xmm_space, fpu->xmm, sizeof(fpu->xmm));
	fx->mxcsr = fpu->mxcsr;
	return 0;
}
