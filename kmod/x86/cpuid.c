// SPDX-License-Identifier: GPL-2.0
/*
 * The CPUID a guest sees.  minikvm's policy is the host's CPUID less what
 * minikvm does not virtualize, plus the hypervisor leaves; it is what
 * KVM_GET_SUPPORTED_CPUID reports and what a vCPU answers until
 * KVM_SET_CPUID2 gives it a table, which it then answers exactly.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/processor.h>
#include <asm/cpufeatures.h>
#include <asm/fpu/types.h>

#include "../core/minikvm.h"

/* "minikvm" padded with NULs, returned in EBX, ECX, EDX of 0x40000000. */
#define MKVM_SIG_EBX	0x696e696d	/* "mini" */
#define MKVM_SIG_ECX	0x006d766b	/* "kvm\0" */
#define MKVM_SIG_EDX	0

/*
 * CPUID.7.0:EBX bits the backend cannot give a guest on this CPU (its
 * hardware_setup() sets them): an instruction the guest would meet as
 * #UD, such as INVPCID on VMX without the "enable INVPCID" control.
 */
u32 mkvm_cpuid_hide_7_ebx;

/* CPUID.1:ECX and EDX bits hidden from the guest, and why. */
#define MKVM_HIDE_1_ECX	(BIT(3) |	/* MONITOR: MONITOR/MWAIT exit */ \
			 BIT(5) |	/* VMX: no nested virtualization */ \
			 BIT(6) |	/* SMX */ \
			 BIT(21) |	/* x2APIC: no local APIC yet */ \
			 BIT(24) |	/* TSC deadline timer: no APIC */ \
			 BIT(27))	/* OSXSAVE: the guest's CR4 says */
#define MKVM_HIDE_1_EDX	BIT(9)		/* APIC */
/* Without XSAVE on the host: XSAVE, and what needs AVX state. */
#define MKVM_XSAVE_1_ECX	(BIT(12) | BIT(26) | BIT(28) | BIT(29))	/* FMA XSAVE AVX F16C */
#define MKVM_AVX_7_EBX		BIT(5)					/* AVX2 */

/*
 * CPUID.7.0 features whose state minikvm does not switch or offer in
 * XCR0: MPX, AVX-512 (opmask and ZMM state), PKU (PKRU), AMX, and SGX.
 */
#define MKVM_HIDE_7_EBX	(BIT(2) | BIT(14) | BIT(16) | BIT(17) | BIT(21) | \
			 BIT(26) | BIT(27) | BIT(28) | BIT(30) | BIT(31))
#define MKVM_HIDE_7_ECX	(BIT(1) | BIT(3) | BIT(4) | BIT(6) | BIT(11) | \
			 BIT(12) | BIT(14))
#define MKVM_HIDE_7_EDX	(BIT(2) | BIT(3) | BIT(8) | BIT(22) | BIT(23) | \
			 BIT(24) | BIT(25) | MKVM_SPEC_7_EDX)
/*
 * The speculation-control MSRs are not given to guests (x86/spec.c):
 * IBRS/IBPB, STIBP, L1D_FLUSH, ARCH_CAPABILITIES, SSBD in leaf 7, and
 * AMD's IBPB, IBRS, STIBP and their "always on"/"preferred" hints, SSBD
 * and VIRT_SSBD in leaf 0x80000008 EBX.
 */
#define MKVM_SPEC_7_EDX	(BIT(26) | BIT(27) | BIT(28) | BIT(29) | BIT(31))
#define MKVM_SPEC_8_EBX	(BIT(12) | BIT(14) | BIT(15) | BIT(16) | BIT(17) | \
			 BIT(18) | BIT(24) | BIT(25))

/* Leaf 0xD, the XSAVE state components, for what minikvm offers. */
static void mkvm_cpuid_xsave(u32 subleaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	u64 xf = mkvm_xfeatures;

	if (!xf || (subleaf >= 2 && (subleaf >= 64 || !(xf & BIT_ULL(subleaf))))) {
		*eax = *ebx = *ecx = *edx = 0;
		return;
	}
	switch (subleaf) {
	case 0:
		*eax = (u32)xf;
		*edx = xf >> 32;
		*ebx = *ecx = mkvm_xsave_size(xf);
		break;
	case 1:
		*eax &= BIT(0) | BIT(1) | BIT(2);	/* XSAVEOPT, XSAVEC, XGETBV1 */
		*ebx = *ecx = *edx = 0;			/* no XSAVES: no IA32_XSS */
		break;
	}
}

/* minikvm's policy for one leaf, for the vCPU with APIC id @id. */
static void mkvm_cpuid_policy(u32 id, u32 leaf, u32 subleaf,
			      u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	if ((leaf & 0xffffff00) == 0x40000000) {
		*eax = *ebx = *ecx = *edx = 0;
		if (leaf == 0x40000000) {
			*eax = 0x40000000;	/* highest hypervisor leaf */
			*ebx = MKVM_SIG_EBX;
			*ecx = MKVM_SIG_ECX;
			*edx = MKVM_SIG_EDX;
		}
		return;
	}

	cpuid_count(leaf, subleaf, eax, ebx, ecx, edx);
	switch (leaf) {
	case 1:
		*ecx &= ~MKVM_HIDE_1_ECX;
		if (!(mkvm_xfeatures & XFEATURE_MASK_YMM))
			*ecx &= ~(mkvm_xfeatures ? MKVM_XSAVE_1_ECX & ~BIT(26) :
				  MKVM_XSAVE_1_ECX);
		*ecx |= BIT(31);	/* running under a hypervisor */
		*edx &= ~MKVM_HIDE_1_EDX;
		/* Initial APIC id and logical count: one per vCPU. */
		*ebx = (*ebx & 0x0000ffff) | (1 << 16) | (id << 24);
		break;
	case 7:
		if (subleaf == 0) {
			*ebx &= ~(MKVM_HIDE_7_EBX | mkvm_cpuid_hide_7_ebx);
			if (!(mkvm_xfeatures & XFEATURE_MASK_YMM))
				*ebx &= ~MKVM_AVX_7_EBX;
			*ecx &= ~MKVM_HIDE_7_ECX;
			*edx &= ~MKVM_HIDE_7_EDX;
		} else if (subleaf == 1) {
			*eax &= ~BIT(5);	/* AVX512_BF16 */
		} else if (subleaf == 2) {
			*edx = 0;	/* PSFD, IPRED/RRSBA/BHI_CTRL: SPEC_CTRL bits */
		}
		break;
	case 0xd:
		mkvm_cpuid_xsave(subleaf, eax, ebx, ecx, edx);
		break;
	case 0x8000000a:	/* SVM features: no nested virtualization */
		*eax = *ebx = *ecx = *edx = 0;
		break;
	case 0x80000001:
		*ecx &= ~(BIT(2) |	/* SVM */
			  BIT(4));	/* AltMovCr8: LOCK MOV CR0 is not decoded */
		break;
	case 0x80000007:
		/*
		 * Only the invariant TSC, as KVM: the rest is power
		 * management, and EBX's RAS bits would send a guest to MSRs
		 * minikvm lacks (SMCA's banks at 0xc0002000, with MCA now
		 * offered: x86/mce.c).
		 */
		*eax = *ebx = *ecx = 0;
		*edx &= BIT(8);
		break;
	case 0x80000008:
		*ebx &= ~MKVM_SPEC_8_EBX;
		break;
	case 0x80000021:	/* AutoIBRS (EFER), SBPB and IBPB_BRTYPE (PRED_CMD) */
		*eax &= ~(BIT(8) | BIT(27) | BIT(28));
		break;
	}
}

/**
 * mkvm_guest_cpuid() - the guest's view of one CPUID leaf
 * @vcpu: the asking vCPU
 * @leaf: EAX on input
 * @subleaf: ECX on input
 * @eax: output
 * @ebx: output
 * @ecx: output
 * @edx: output
 *
 * With a table from KVM_SET_CPUID2, the matching entry, or zeros when
 * none matches; without one, minikvm's policy.
 */
void mkvm_guest_cpuid(struct mkvm_vcpu *vcpu, u32 leaf, u32 subleaf,
		      u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	unsigned int i;

	if (!vcpu->cpuid) {
		mkvm_cpuid_policy(vcpu->id, leaf, subleaf, eax, ebx, ecx, edx);
		return;
	}
	*eax = *ebx = *ecx = *edx = 0;
	for (i = 0; i < vcpu->cpuid_nent; i++) {
		const struct kvm_cpuid_entry2 *e = &vcpu->cpuid[i];

		if (e->function != leaf ||
		    ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != subleaf))
			continue;
		*eax = e->eax;
		*ebx = e->ebx;
		*ecx = e->ecx;
		*edx = e->edx;
		return;
	}
}

/* Append one policy entry; -E2BIG when @max are there already. */
static int mkvm_cpuid_add(struct kvm_cpuid_entry2 *e, unsigned int *n,
			  unsigned int max, u32 leaf, u32 subleaf, bool indexed)
{
	if (*n >= max)
		return -E2BIG;
	e += (*n)++;
	memset(e, 0, sizeof(*e));
	e->function = leaf;
	e->index = subleaf;
	e->flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
	mkvm_cpuid_policy(0, leaf, subleaf, &e->eax, &e->ebx, &e->ecx, &e->edx);
	return 0;
}

/* How many subleaves a leaf has, or 0 when ECX does not matter. */
static u32 mkvm_cpuid_subleaves(u32 leaf)
{
	u32 eax, ebx, ecx, edx, i;

	switch (leaf) {
	case 4:		/* deterministic cache parameters: until type 0 */
		for (i = 0; i < 16; i++) {
			cpuid_count(4, i, &eax, &ebx, &ecx, &edx);
			if (!(eax & 0x1f))
				break;
		}
		return i + 1;
	case 7:		/* EAX of subleaf 0: the last subleaf */
		cpuid_count(7, 0, &eax, &ebx, &ecx, &edx);
		return min(eax, 8u) + 1;
	case 0xb:	/* topology: until level type 0 */
	case 0x1f:
		for (i = 0; i < 8; i++) {
			cpuid_count(leaf, i, &eax, &ebx, &ecx, &edx);
			if (!((ecx >> 8) & 0xff))
				break;
		}
		return i + 1;
	case 0xd:	/* x87, SSE, AVX: subleaves 0 to 2 */
		return 3;
	default:
		return 0;
	}
}

static int mkvm_cpuid_build(struct kvm_cpuid_entry2 *e, unsigned int max)
{
	u32 leaf, sub, subs, max_basic = cpuid_eax(0);
	u32 max_ext = min(cpuid_eax(0x80000000), 0x80000021u);
	unsigned int n = 0;
	int r = 0;

	for (leaf = 0; leaf <= max_basic && !r; leaf++) {
		subs = mkvm_cpuid_subleaves(leaf);
		if (!subs)
			r = mkvm_cpuid_add(e, &n, max, leaf, 0, false);
		for (sub = 0; sub < subs && !r; sub++)
			r = mkvm_cpuid_add(e, &n, max, leaf, sub, true);
	}
	if (!r)
		r = mkvm_cpuid_add(e, &n, max, 0x40000000, 0, false);
	for (leaf = 0x80000000; leaf <= max_ext && !r; leaf++)
		r = mkvm_cpuid_add(e, &n, max, leaf, 0, false);
	return r ? r : n;
}

/**
 * mkvm_get_supported_cpuid() - KVM_GET_SUPPORTED_CPUID
 * @arg: the user's struct kvm_cpuid2, nent giving the room it has
 *
 * Return: 0 with nent set to the entries written, -E2BIG when they do
 * not fit (nent unchanged, as in KVM), -EFAULT, -ENOMEM.
 */
int mkvm_get_supported_cpuid(struct kvm_cpuid2 __user *arg)
{
	struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 hdr;
	int n, r;

	if (copy_from_user(&hdr, arg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent < 1)
		return -E2BIG;
	hdr.nent = min_t(u32, hdr.nent, MKVM_MAX_CPUID_ENTRIES);
	e = kvcalloc(hdr.nent, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	n = mkvm_cpuid_build(e, hdr.nent);
	r = n;
	if (n < 0)
		goto out;
	hdr.nent = n;
	r = -EFAULT;
	if (copy_to_user(arg->entries, e, n * sizeof(*e)) ||
	    copy_to_user(arg, &hdr, sizeof(hdr)))
		goto out;
	r = 0;
out:
	kvfree(e);
	return r;
}

/**
 * mkvm_set_cpuid2() - KVM_SET_CPUID2: the table the guest's CPUID answers
 * @vcpu: the vCPU, its mutex held
 * @arg: the user's struct kvm_cpuid2
 *
 * Once the vCPU has run, only the same table is accepted, as in KVM 6.1.
 *
 * Return: 0, -E2BIG for more than 256 entries, -EINVAL for a different
 * table after KVM_RUN, -EFAULT, -ENOMEM.
 */
int mkvm_set_cpuid2(struct mkvm_vcpu *vcpu, struct kvm_cpuid2 __user *arg)
{
	struct kvm_cpuid_entry2 *e = NULL;
	struct kvm_cpuid2 hdr;

	if (copy_from_user(&hdr, arg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent > MKVM_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (hdr.nent) {
		e = vmemdup_user(arg->entries, array_size(hdr.nent, sizeof(*e)));
		if (IS_ERR(e))
			return PTR_ERR(e);
	}
	if (vcpu->has_run &&
	    (hdr.nent != vcpu->cpuid_nent ||
	     (hdr.nent && memcmp(e, vcpu->cpuid, hdr.nent * sizeof(*e))))) {
		kvfree(e);
		return -EINVAL;
	}
	kvfree(vcpu->cpuid);
	vcpu->cpuid = e;
	vcpu->cpuid_nent = hdr.nent;
	return 0;
}

/**
 * mkvm_get_cpuid2() - KVM_GET_CPUID2: the table KVM_SET_CPUID2 gave
 * @vcpu: the vCPU, its mutex held
 * @arg: the user's struct kvm_cpuid2, nent giving the room it has
 *
 * Return: 0 with nent set, -E2BIG when the table does not fit (nent
 * unchanged), -EFAULT.
 */
int mkvm_get_cpuid2(struct mkvm_vcpu *vcpu, struct kvm_cpuid2 __user *arg)
{
	struct kvm_cpuid2 hdr;

	if (copy_from_user(&hdr, arg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent < vcpu->cpuid_nent)
		return -E2BIG;
	hdr.nent = vcpu->cpuid_nent;
	if (copy_to_user(arg->entries, vcpu->cpuid, hdr.nent * sizeof(*vcpu->cpuid)) ||
	    copy_to_user(arg, &hdr, sizeof(hdr)))
		return -EFAULT;
	return 0;
}

/**
 * mkvm_emulate_cpuid() - answer a guest CPUID from its table or minikvm's policy
 * @vcpu: the vCPU, loaded; the caller moves RIP past the instruction
 *
 * Two fields follow the guest's state, as on hardware and in KVM:
 * CPUID.1:ECX.OSXSAVE is CR4.OSXSAVE (SDM Vol. 2A, CPUID), and
 * CPUID.(0xD,0):EBX the XSAVE area size for the current XCR0.
 */
void mkvm_emulate_cpuid(struct mkvm_vcpu *vcpu)
{
	u32 leaf = vcpu->regs[MKVM_RAX], sub = vcpu->regs[MKVM_RCX];
	u32 eax, ebx, ecx, edx;
	struct mkvm_paging pg;

	mkvm_guest_cpuid(vcpu, leaf, sub, &eax, &ebx, &ecx, &edx);
	if (leaf == 1 && (ecx & BIT(26))) {
		mkvm_get_paging(vcpu, &pg);
		ecx &= ~BIT(27);
		if (pg.cr4 & X86_CR4_OSXSAVE)
			ecx |= BIT(27);
	}
	if (leaf == 0xd && sub == 0 && mkvm_xfeatures && ebx)
		ebx = mkvm_xsave_size(vcpu->xcr0);
	/* CPUID writes the low halves and clears the upper ones. */
	vcpu->regs[MKVM_RAX] = eax;
	vcpu->regs[MKVM_RBX] = ebx;
	vcpu->regs[MKVM_RCX] = ecx;
	vcpu->regs[MKVM_RDX] = edx;
}
