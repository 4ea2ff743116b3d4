// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs: KVM_GET_MSR_INDEX_LIST with its E2BIG convention; every listed MSR
 * round-trips through KVM_SET_MSRS/KVM_GET_MSRS and reaches the guest's
 * RDMSR; the guest's WRMSR reaches KVM_GET_MSRS; values an MSR cannot hold
 * stop KVM_SET_MSRS at their entry; an MSR minikvm does not virtualize is
 * #GP for the guest and ends KVM_GET_MSRS.  The MSRs the guest may access
 * without exiting (FS/GS base, SYSENTER, ...) read and write the same way.
 * The guest may set EFER.LME and EFER.NX only when its CPUID offers them.
 * (The MTRRs and machine-check banks have their own test, mtrr_mce.)
 */
#include "kvm_util.h"

#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define MSR_TSC			0x10
#define MSR_PAT			0x277
#define MSR_MISC_ENABLE		0x1a0
#define MSR_APIC_BASE		0x1b
#define MSR_MCG_STATUS		0x17a
#define MSR_MCG_CTL		0x17b	/* with MCG_CTL_P: KVM_X86_SETUP_MCE below */
#define MSR_TSC_AUX		0xc0000103	/* both lanes' CPUs have RDTSCP */

#define NR 18
static const struct { uint32_t index; uint64_t value, guest_value; } msrs[NR] = {
	{ MSR_EFER,		0x801,			0x001 },	/* SCE|NX, then SCE */
	{ MSR_STAR,		0x0023001000000000ull,	0x001b000800000000ull },
	{ MSR_LSTAR,		0xffffffff81000000ull,	0x0000000000401000ull },
	{ MSR_CSTAR,		0xffffffff81000040ull,	0x0000000000402000ull },
	{ MSR_SFMASK,		0x47700,		0x200 },
	{ MSR_FS_BASE,		0x7f0000001000ull,	0x7f0000002000ull },
	{ MSR_GS_BASE,		0xffff888000000000ull,	0xffff888000001000ull },
	{ MSR_KERNEL_GS_BASE,	0x7f0000003000ull,	0x7f0000004000ull },
	{ MSR_SYSENTER_CS,	0x10,			0x08 },
	{ MSR_SYSENTER_ESP,	0xffffc90000000000ull,	0x8000 },
	{ MSR_SYSENTER_EIP,	0xffffffff81800000ull,	0x9000 },
	{ MSR_TSC,		1ull << 40,		1ull << 41 },
	{ MSR_PAT,		0x0007010600070106ull,	0x0007040600070406ull },
	{ MSR_MISC_ENABLE,	0x1801,			0x1800 },
	{ MSR_APIC_BASE,	0xfee00900,		0xfed00900 },
	{ MSR_MCG_STATUS,	0x5,			0 },
	{ MSR_MCG_CTL,		~0ull,			0 },
	{ MSR_TSC_AUX,		0x1234,			0x42 },
};

#define RD_TABLE	0x6000	/* guest data: indices, 0-terminated */
#define WR_TABLE	0x7000	/* guest data: index, low, high; index 0 ends */

GUEST_CODE16(msr_guest,
	"mov $" STR(RD_TABLE) ", %si\n"
	"1:\n\t"
	"mov (%si), %ecx\n\t"
	"test %ecx, %ecx\n\t"
	"jz 2f\n\t"
	"rdmsr\n\t"
	"mov %eax, %ebx\n\t"
	"mov %edx, %ecx\n\t"
	G_UCALL(UCALL_SYNC)
	"add $4, %si\n\t"
	"jmp 1b\n"
	"2:\n\t"
	"mov $" STR(WR_TABLE) ", %si\n"
	"3:\n\t"
	"mov (%si), %ecx\n\t"
	"test %ecx, %ecx\n\t"
	"jz 4f\n\t"
	"mov 4(%si), %eax\n\t"
	"mov 8(%si), %edx\n\t"
	"wrmsr\n\t"
	"add $12, %si\n\t"
	"jmp 3b\n"
	"4:\n\t"
	/* An MSR minikvm does not virtualize: #GP, caught below. */
	"xor %ax, %ax\n\t"
	"mov %ax, %es\n\t"
	"movw $(gp - msr_guest_start), %es:0x34\n\t"
	"movw $0x1000, %es:0x36\n\t"
	"mov $0x12345678, %ecx\n\t"
	"rdmsr\n\t"
	"hlt\n"
	"gp:\n\t"
	"mov $13, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n\t");

/*
 * Three WRMSRs of EFER (LME, NX, SCE); after each, a ucall with EBX = 13
 * when it took #GP, 0 when it did not.  The #GP handler skips the WRMSR.
 */
GUEST_CODE16(efer_guest,
	"xor %ax, %ax\n\t"
	"mov %ax, %es\n\t"
	"movw $(efer_gp - efer_guest_start), %es:0x34\n\t"
	"movw $0x1000, %es:0x36\n\t"
	"mov $0xc0000080, %ecx\n\t"
	"xor %edx, %edx\n\t"
	"mov $0x100, %eax\n\t"
	"xor %ebx, %ebx\n\t"
	"wrmsr\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $0xc0000080, %ecx\n\t"
	"xor %edx, %edx\n\t"
	"mov $0x800, %eax\n\t"
	"xor %ebx, %ebx\n\t"
	"wrmsr\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $0xc0000080, %ecx\n\t"
	"xor %edx, %edx\n\t"
	"mov $0x1, %eax\n\t"
	"xor %ebx, %ebx\n\t"
	"wrmsr\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n"
	"efer_gp:\n\t"
	"mov $13, %ebx\n\t"
	"push %bp\n\t"
	"mov %sp, %bp\n\t"
	"addw $2, 2(%bp)\n\t"		/* the saved IP: past the WRMSR */
	"pop %bp\n\t"
	"iret\n\t");

struct msrs_buf {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e[NR + 1];
};

static long msrs_ioctl(struct vcpu *vcpu, unsigned long req, struct msrs_buf *b, int n)
{
	b->hdr.nmsrs = n;
	return __kvm_ioctl(vcpu->fd, req, b);
}

/*
 * A guest whose CPUID (KVM_SET_CPUID2) lacks long mode and NX cannot set
 * EFER.LME or EFER.NX: #GP, as in KVM.  SCE is fine, and KVM_SET_MSRS may
 * still set all three, as KVM lets userspace do.
 */
static bool efer_follows_guest_cpuid(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 100 * sizeof(c->entries[0]));
	struct msrs_buf b;
	struct ucall uc;
	uint32_t i;
	bool ok, cleared = false;

	TEST_ASSERT(c, "out of memory");
	c->nent = 100;
	kvm_ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, c);
	for (i = 0; i < c->nent; i++) {
		if (c->entries[i].function == 0x80000001) {
			c->entries[i].edx &= ~((1u << 29) | (1u << 20));
			cleared = true;
		}
	}
	kvm_ioctl(vcpu->fd, KVM_SET_CPUID2, c);
	vm_load(vm, GUEST_LOAD, efer_guest_start, efer_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	ok = cleared;
	ok &= run_to_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 13;	/* LME */
	ok &= run_to_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 13;	/* NX */
	ok &= run_to_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 0;		/* SCE */
	b.e[0] = (struct kvm_msr_entry){ .index = MSR_EFER };
	ok &= msrs_ioctl(vcpu, KVM_GET_MSRS, &b, 1) == 1 && b.e[0].data == 1;
	b.e[0].data = 0x901;
	ok &= msrs_ioctl(vcpu, KVM_SET_MSRS, &b, 1) == 1;
	b.e[0].data = 0;
	ok &= msrs_ioctl(vcpu, KVM_GET_MSRS, &b, 1) == 1 && b.e[0].data == 0x901;
	if (!ok)
		ktap_info("EFER after the guest's writes and KVM_SET_MSRS: %#llx", b.e[0].data);
	free(c);
	vcpu_free(vcpu);
	vm_free(vm);
	return ok;
}

int main(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct { struct kvm_msr_list hdr; uint32_t idx[64]; } list;
	struct msrs_buf b;
	uint32_t *rd, *wr;
	struct ucall uc;
	long r;
	int i, ok;
	uint64_t mcg_cap = (1 << 8) | 10;	/* MCG_CTL_P, 10 banks: as QEMU */

	ktap_plan(9);
	kvm_ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &mcg_cap);
	list.hdr.nmsrs = 1;
	r = __kvm_ioctl(vm->sys_fd, KVM_GET_MSR_INDEX_LIST, &list);
	ok = r == -E2BIG && list.hdr.nmsrs == NR;
	list.hdr.nmsrs = 64;
	r = __kvm_ioctl(vm->sys_fd, KVM_GET_MSR_INDEX_LIST, &list);
	for (i = 0; i < NR; i++) {
		int j, found = 0;

		for (j = 0; j < (int)list.hdr.nmsrs; j++)
			found |= list.idx[j] == msrs[i].index;
		ok &= found;
	}
	ktap_result(ok && r == 0 && list.hdr.nmsrs == NR, "msr_index_list");

	for (i = 0; i < NR; i++)
		b.e[i] = (struct kvm_msr_entry){ .index = msrs[i].index, .data = msrs[i].value };
	r = msrs_ioctl(vcpu, KVM_SET_MSRS, &b, NR);
	memset(&b.e, 0, sizeof(b.e));
	for (i = 0; i < NR; i++)
		b.e[i].index = msrs[i].index;
	ok = r == NR && msrs_ioctl(vcpu, KVM_GET_MSRS, &b, NR) == NR;
	for (i = 0; i < NR; i++) {
		bool same = msrs[i].index == MSR_TSC ?
			    b.e[i].data >= msrs[i].value && b.e[i].data - msrs[i].value < (1ull << 38) :
			    b.e[i].data == msrs[i].value;
		if (!same)
			ktap_info("MSR %#x: set %#llx, got %#llx", msrs[i].index,
				  (unsigned long long)msrs[i].value, b.e[i].data);
		ok &= same;
	}
	ktap_result(ok, "set_get_msrs_round_trip");

	/* The guest reads what was set, then writes its own values. */
	vm_load(vm, GUEST_LOAD, msr_guest_start, msr_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	rd = (uint32_t *)((char *)vm->mem + GUEST_LOAD + RD_TABLE);
	wr = (uint32_t *)((char *)vm->mem + GUEST_LOAD + WR_TABLE);
	for (i = 0; i < NR; i++) {
		rd[i] = msrs[i].index;
		wr[3 * i] = msrs[i].index;
		wr[3 * i + 1] = (uint32_t)msrs[i].guest_value;
		wr[3 * i + 2] = msrs[i].guest_value >> 32;
	}
	ok = 1;
	for (i = 0; i < NR; i++) {
		uint64_t v;

		TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "no sync");
		v = (uint32_t)uc.args[0] | (uc.args[1] << 32);
		if (msrs[i].index == MSR_TSC ? v < msrs[i].value : v != msrs[i].value) {
			ktap_info("guest RDMSR %#x: %#llx", msrs[i].index, (unsigned long long)v);
			ok = 0;
		}
	}
	ktap_result(ok, "guest_rdmsr_sees_set_values");

	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "no sync");
	ktap_result(uc.args[0] == 13, "unknown_msr_gp_in_guest");

	memset(&b.e, 0, sizeof(b.e));
	for (i = 0; i < NR; i++)
		b.e[i].index = msrs[i].index;
	ok = msrs_ioctl(vcpu, KVM_GET_MSRS, &b, NR) == NR;
	for (i = 0; i < NR; i++) {
		bool same = msrs[i].index == MSR_TSC ? b.e[i].data >= msrs[i].guest_value :
			    b.e[i].data == msrs[i].guest_value;
		if (!same)
			ktap_info("after guest WRMSR %#x: %#llx", msrs[i].index, b.e[i].data);
		ok &= same;
	}
	ktap_result(ok, "guest_wrmsr_reaches_get_msrs");

	/* Bad values stop KVM_SET_MSRS at their entry. */
	b.e[0] = (struct kvm_msr_entry){ .index = MSR_STAR, .data = 1 };
	b.e[1] = (struct kvm_msr_entry){ .index = MSR_LSTAR, .data = 0x0000800000000000ull };
	b.e[2] = (struct kvm_msr_entry){ .index = MSR_STAR, .data = 2 };
	ok = msrs_ioctl(vcpu, KVM_SET_MSRS, &b, 3) == 1;
	b.e[1] = (struct kvm_msr_entry){ .index = MSR_PAT, .data = 0x02 };
	ok &= msrs_ioctl(vcpu, KVM_SET_MSRS, &b, 3) == 1;
	b.e[1] = (struct kvm_msr_entry){ .index = MSR_EFER, .data = 1ull << 20 };
	ok &= msrs_ioctl(vcpu, KVM_SET_MSRS, &b, 3) == 1;
	ktap_result(ok, "bad_values_stop_set_msrs");

	b.e[0] = (struct kvm_msr_entry){ .index = MSR_STAR };
	b.e[1] = (struct kvm_msr_entry){ .index = 0x12345678 };
	ktap_result(msrs_ioctl(vcpu, KVM_GET_MSRS, &b, 2) == 1 &&
		    msrs_ioctl(vcpu, KVM_SET_MSRS, &b, 2) == 1, "unknown_msr_stops_get_set");

	b.hdr.nmsrs = 256;
	ktap_result(__kvm_ioctl(vcpu->fd, KVM_GET_MSRS, &b) == -E2BIG &&
		    __kvm_ioctl(vcpu->fd, KVM_SET_MSRS, (void *)8) == -EFAULT &&
		    __kvm_ioctl(vm->sys_fd, KVM_GET_MSR_INDEX_LIST, (void *)8) == -EFAULT,
		    "too_many_e2big_bad_pointer_efault");
	ktap_result(efer_follows_guest_cpuid(), "efer_bits_need_guest_cpuid");
	vcpu_free(vcpu);
	vm_free(vm);
	return ktap_finish();
}
