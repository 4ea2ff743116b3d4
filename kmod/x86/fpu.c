// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's x87, SSE and AVX state, and its XCR0.
 *
 * The guest runs between kernel_fpu_begin() and kernel_fpu_end(), which
 * saves the host task's FPU state first, so nothing the guest does to the
 * FPU registers reaches the host.  The guest's own state lives in one page
 * per vCPU in the standard (non-compacted) XSAVE format, loaded with XRSTOR
 * right before entry and saved with XSAVE right after exit (SDM Vol. 1,
 * 13.4).  The guest may enable x87, SSE and AVX state in XCR0, as far as
 * the host has them enabled: AVX-512, MPX, PKRU and AMX state are hidden
 * from its CPUID.  Its XCR0 is loaded around the entry (neither VMX nor SVM
 * switches XCR0).  A host without XSAVE (or with it off) gets FXSAVE and
 * FXRSTOR, and the guest sees no XSAVE.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/trapnr.h>
#include <asm/fpu/xcr.h>
#include <asm/processor-flags.h>

#include "../core/minikvm.h"

#define MKVM_XSAVE_HDR		512	/* offset of the XSAVE header */
#define MKVM_XFEATURES_ALLOWED	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM)

static u32 mkvm_mxcsr_mask;
static u64 mkvm_host_xcr0;
/* What a guest may set in XCR0; 0 when minikvm uses FXSAVE. */
u64 mkvm_xfeatures;

struct mkvm_xsave_hdr {
	u64 xstate_bv;
	u64 xcomp_bv;
	u64 reserved[6];
};

static struct mkvm_xsave_hdr *mkvm_hdr(void *area)
{
	return area + MKVM_XSAVE_HDR;
}

/**
 * mkvm_fpu_setup() - learn the MXCSR bits the CPU accepts and its XSAVE features
 *
 * FXRSTOR of a reserved MXCSR bit faults (SDM Vol. 1, 11.6.6).
 */
void mkvm_fpu_setup(void)
{
	struct fxregs_state *fx = kzalloc(sizeof(*fx), GFP_KERNEL);

	mkvm_mxcsr_mask = 0xffbf;	/* the default when FXSAVE reports 0 */
	if (boot_cpu_has(X86_FEATURE_XSAVE) && boot_cpu_has(X86_FEATURE_OSXSAVE)) {
		mkvm_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		mkvm_xfeatures = mkvm_host_xcr0 & MKVM_XFEATURES_ALLOWED;
	}
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
 * mkvm_xsave_size() - bytes of a standard-format XSAVE area for some features
 * @xcr0: the state components
 *
 * Return: the end of the highest component (CPUID.(0xD, i)), at least the
 * legacy area and the header.
 */
u32 mkvm_xsave_size(u64 xcr0)
{
	u32 size = 576, eax, ebx, ecx, edx;
	int i;

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		size = max(size, eax + ebx);
	}
	return size;
}

/**
 * mkvm_fpu_init() - the FPU state after RESET
 * @vcpu: the vCPU
 *
 * Return: 0 or -ENOMEM.
 */
int mkvm_fpu_init(struct mkvm_vcpu *vcpu)
{
	/* A page: XSAVE needs 64-byte alignment, KVM_GET_XSAVE 4 KiB. */
	struct fxregs_state *fx = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (!fx)
		return -ENOMEM;
	fx->cwd = 0x37f;	/* SDM Vol. 3A, Table 10-1 */
	fx->mxcsr = 0x1f80;
	/* XRSTOR takes x87 and SSE from the legacy area, not their init values. */
	mkvm_hdr(fx)->xstate_bv = XFEATURE_MASK_FP | XFEATURE_MASK_SSE;
	vcpu->fpu = fx;
	vcpu->xcr0 = XFEATURE_MASK_FP;
	return 0;
}

/**
 * mkvm_fpu_free() - free what mkvm_fpu_init() allocated
 * @vcpu: the vCPU
 */
void mkvm_fpu_free(struct mkvm_vcpu *vcpu)
{
	free_page((unsigned long)vcpu->fpu);
}

/*
 * Whether to load the guest's XCR0: only while its CR4.OSXSAVE is set, as
 * in KVM; otherwise XCR0 does not matter to the guest (SDM Vol. 1, 13.3)
 * and the host's stays, which saves two XSETBVs per entry.  Decided once
 * before the entry and kept in vcpu->xcr0_loaded for the exit: the guest
 * may have changed its CR4 in between, and the host's XCR0 must come back
 * whenever the guest's went in (a host left with the guest's XCR0 faults
 * on its next XRSTORS of a task's state).
 */
static bool mkvm_guest_xcr0_wanted(struct mkvm_vcpu *vcpu)
{
	return mkvm_xfeatures && (mkvm_ops->get_cr4(vcpu) & X86_CR4_OSXSAVE);
}

/**
 * mkvm_fpu_load_guest() - the guest's FPU state and XCR0 into the CPU
 * @vcpu: the vCPU, loaded; the host's FPU state saved (kernel_fpu_begin()),
 *	interrupts off until mkvm_fpu_save_guest()
 */
void mkvm_fpu_load_guest(struct mkvm_vcpu *vcpu)
{
	u64 mask = mkvm_xfeatures;

	if (!mask) {
		asm volatile("fxrstor64 %0" : : "m" (*vcpu->fpu));
		return;
	}
	/* With the host's XCR0, which holds every component in the mask. */
	asm volatile("xrstor64 %0" : : "m" (*vcpu->fpu), "a" ((u32)mask),
		     "d" ((u32)(mask >> 32)) : "memory");
	vcpu->xcr0_loaded = mkvm_guest_xcr0_wanted(vcpu);
	if (vcpu->xcr0_loaded && vcpu->xcr0 != mkvm_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
}

/**
 * mkvm_fpu_save_guest() - the guest's FPU state out of the CPU, the host's XCR0 back
 * @vcpu: the vCPU, right after the exit, interrupts still off
 */
void mkvm_fpu_save_guest(struct mkvm_vcpu *vcpu)
{
	u64 mask = mkvm_xfeatures;
	u64 xcr0;

	if (!mask) {
		asm volatile("fxsave64 %0" : "=m" (*vcpu->fpu));
		return;
	}
	/*
	 * The host's XCR0 before the host can run any code that uses it,
	 * decided by what mkvm_fpu_load_guest() loaded, not by the guest's
	 * CR4 now.  The guest's is read back: QEMU's TCG lets an SVM guest
	 * run XSETBV without the intercept, so the guest may have changed it
	 * itself.
	 */
	if (vcpu->xcr0_loaded) {
		xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		if (xcr0 != mkvm_host_xcr0)
			xsetbv(XCR_XFEATURE_ENABLED_MASK, mkvm_host_xcr0);
		vcpu->xcr0 = xcr0;
	}
	asm volatile("xsave64 %0" : "+m" (*vcpu->fpu) : "a" ((u32)mask),
		     "d" ((u32)(mask >> 32)) : "memory");
}

/**
 * mkvm_xcr0_valid() - may the guest have this XCR0?
 * @vcpu: the vCPU
 * @xcr0: the value
 *
 * x87 always on, AVX only with SSE (SDM Vol. 1, 13.3), nothing outside
 * what minikvm offers and the guest's CPUID leaf 0xD lists.
 *
 * Return: true when valid.
 */
static bool mkvm_xcr0_valid(struct mkvm_vcpu *vcpu, u64 xcr0)
{
	u32 eax, ebx, ecx, edx;
	u64 allowed;

	mkvm_guest_cpuid(vcpu, 0xd, 0, &eax, &ebx, &ecx, &edx);
	allowed = (((u64)edx << 32 | eax) | XFEATURE_MASK_FP) & mkvm_xfeatures;
	if (!(xcr0 & XFEATURE_MASK_FP) || (xcr0 & ~allowed))
		return false;
	return !((xcr0 & XFEATURE_MASK_YMM) && !(xcr0 & XFEATURE_MASK_SSE));
}

/*
 * The guest's XSETBV.  The processor checks CR4.OSXSAVE (#UD) and CPL 0
 * (#GP) before the exit (SDM Vol. 3C, 26.1.1; APM Vol. 2, 15.9).
 * Return: 0, -EINVAL for #GP(0), -EOPNOTSUPP for #UD (minikvm offers no
 * XSAVE: the guest set CR4.OSXSAVE anyway).
 */
static int mkvm_emulate_xsetbv(struct mkvm_vcpu *vcpu)
{
	u64 val = (u32)vcpu->regs[MKVM_RAX] | (u64)(u32)vcpu->regs[MKVM_RDX] << 32;

	if (!mkvm_xfeatures)
		return -EOPNOTSUPP;
	if ((u32)vcpu->regs[MKVM_RCX] != XCR_XFEATURE_ENABLED_MASK ||
	    !mkvm_xcr0_valid(vcpu, val))
		return -EINVAL;
	vcpu->xcr0 = val;
	return 0;
}

/**
 * mkvm_handle_xsetbv() - the XSETBV exit of both backends
 * @vcpu: the vCPU, in its exit handler; ECX is the XCR, EDX:EAX the value
 *
 * The new XCR0 is loaded around each entry while the guest has
 * CR4.OSXSAVE set.
 *
 * Return: MKVM_RESUME, with RIP moved on or #GP(0) or #UD queued.
 */
enum mkvm_exit_action mkvm_handle_xsetbv(struct mkvm_vcpu *vcpu)
{
	int r = mkvm_emulate_xsetbv(vcpu);

	if (r == -EOPNOTSUPP)
		mkvm_queue_exception(vcpu, X86_TRAP_UD, false, 0);
	else if (r)
		mkvm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
	else
		mkvm_ops->skip_instruction(vcpu, 3);	/* 0F 01 D1 */
	return MKVM_RESUME;
}

/**
 * mkvm_get_xsave() - KVM_GET_XSAVE: the guest's state in XSAVE format
 * @vcpu: the vCPU
 * @xsave: filled in; without XSAVE on the host, the legacy area with
 *	XSTATE_BV saying x87 and SSE, as KVM does
 */
static void mkvm_get_xsave(struct mkvm_vcpu *vcpu, struct kvm_xsave *xsave)
{
	BUILD_BUG_ON(sizeof(xsave->region) != PAGE_SIZE);
	memcpy(xsave->region, vcpu->fpu, PAGE_SIZE);
	if (!mkvm_xfeatures)
		mkvm_hdr(xsave->region)->xstate_bv = XFEATURE_MASK_FP | XFEATURE_MASK_SSE;
}

/**
 * mkvm_set_xsave() - KVM_SET_XSAVE
 * @vcpu: the vCPU
 * @xsave: the state, standard format
 *
 * Return: 0, or -EINVAL for a component minikvm does not offer, a
 * compacted or otherwise malformed header, or reserved MXCSR bits.
 */
static int mkvm_set_xsave(struct mkvm_vcpu *vcpu, const struct kvm_xsave *xsave)
{
	const struct mkvm_xsave_hdr *hdr = mkvm_hdr((void *)xsave->region);
	const struct fxregs_state *fx = (const void *)xsave->region;
	u64 offered = mkvm_xfeatures ?: XFEATURE_MASK_FP | XFEATURE_MASK_SSE;
	u32 size = mkvm_xsave_size(mkvm_xfeatures);
	int i;

	if ((hdr->xstate_bv & ~offered) || hdr->xcomp_bv)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(hdr->reserved); i++)
		if (hdr->reserved[i])
			return -EINVAL;
	if (fx->mxcsr & ~mkvm_mxcsr_mask)
		return -EINVAL;
	memcpy(vcpu->fpu, xsave->region, size);
	memset((void *)vcpu->fpu + size, 0, PAGE_SIZE - size);
	return 0;
}

/**
 * mkvm_get_xcrs() - KVM_GET_XCRS
 * @vcpu: the vCPU
 * @xcrs: filled in: XCR0, or nothing without XSAVE
 */
static void mkvm_get_xcrs(struct mkvm_vcpu *vcpu, struct kvm_xcrs *xcrs)
{
	memset(xcrs, 0, sizeof(*xcrs));
	if (!mkvm_xfeatures)
		return;
	xcrs->nr_xcrs = 1;
	xcrs->xcrs[0].xcr = XCR_XFEATURE_ENABLED_MASK;
	xcrs->xcrs[0].value = vcpu->xcr0;
}

/**
 * mkvm_set_xcrs() - KVM_SET_XCRS
 * @vcpu: the vCPU
 * @xcrs: the values; entries for other XCRs are ignored, as in KVM
 *
 * Return: 0, or -EINVAL without XSAVE, for more than KVM_MAX_XCRS
 * entries, flags, or an XCR0 the guest may not have.
 */
static int mkvm_set_xcrs(struct mkvm_vcpu *vcpu, const struct kvm_xcrs *xcrs)
{
	unsigned int i;

	if (!mkvm_xfeatures || xcrs->nr_xcrs > KVM_MAX_XCRS || xcrs->flags)
		return -EINVAL;
	for (i = 0; i < xcrs->nr_xcrs; i++) {
		if (xcrs->xcrs[i].xcr != XCR_XFEATURE_ENABLED_MASK)
			continue;
		if (!mkvm_xcr0_valid(vcpu, xcrs->xcrs[i].value))
			return -EINVAL;
		vcpu->xcr0 = xcrs->xcrs[i].value;
	}
	return 0;
}

/**
 * mkvm_get_fpu() - KVM_GET_FPU
 * @vcpu: the vCPU
 * @fpu: filled from the legacy area of the guest's state
 */
static void mkvm_get_fpu(struct mkvm_vcpu *vcpu, struct kvm_fpu *fpu)
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
static int mkvm_set_fpu(struct mkvm_vcpu *vcpu, const struct kvm_fpu *fpu)
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
	/* XRSTOR must take them from here rather than initialize them. */
	mkvm_hdr(fx)->xstate_bv |= XFEATURE_MASK_FP | XFEATURE_MASK_SSE;
	return 0;
}

/**
 * mkvm_fpu_ioctl() - KVM_GET/SET_FPU, KVM_GET/SET_XSAVE, KVM_GET/SET_XCRS
 * @vcpu: the vCPU, its mutex held
 * @ioctl: which
 * @argp: the user's structure
 *
 * Return: 0, -EFAULT, -ENOMEM, or -EINVAL for a state the guest cannot
 * have (see the set functions).
 */
long mkvm_fpu_ioctl(struct mkvm_vcpu *vcpu, unsigned int ioctl, void __user *argp)
{
	size_t size = _IOC_SIZE(ioctl);
	void *buf;
	int r;

	if (_IOC_DIR(ioctl) & _IOC_WRITE)
		buf = memdup_user(argp, size);
	else
		buf = kzalloc(size, GFP_KERNEL);
	if (IS_ERR_OR_NULL(buf))
		return buf ? PTR_ERR(buf) : -ENOMEM;

	r = 0;
	switch (ioctl) {
	case KVM_GET_FPU:
		mkvm_get_fpu(vcpu, buf);
		break;
	case KVM_SET_FPU:
		r = mkvm_set_fpu(vcpu, buf);
		break;
	case KVM_GET_XSAVE:
		mkvm_get_xsave(vcpu, buf);
		break;
	case KVM_SET_XSAVE:
		r = mkvm_set_xsave(vcpu, buf);
		break;
	case KVM_GET_XCRS:
		mkvm_get_xcrs(vcpu, buf);
		break;
	case KVM_SET_XCRS:
		r = mkvm_set_xcrs(vcpu, buf);
		break;
	}
	if (!r && (_IOC_DIR(ioctl) & _IOC_READ) && copy_to_user(argp, buf, size))
		r = -EFAULT;
	kfree(buf);
	return r;
}
