// SPDX-License-Identifier: GPL-2.0
/*
 * The MTRRs and the machine-check MSRs that QEMU puts and gets on every
 * register synchronisation (Documentation/qemu.rst), through
 * KVM_SET/GET_MSRS and through the guest's RDMSR and WRMSR, with the
 * processor's (and KVM's) rules: reserved memory types and bits are
 * refused (#GP for the guest), IA32_MTRRCAP and IA32_MCG_CAP are
 * read-only, MCG_CTL and MCi_CTL hold 0 or all ones, the guest may only
 * clear an MCi_STATUS.  Then KVM_CAP_MCE: KVM_X86_GET_MCE_CAP_SUPPORTED,
 * KVM_X86_SETUP_MCE as QEMU calls it, and KVM_X86_SET_MCE logging a
 * corrected error, raising #MC, or shutting down a guest with CR4.MCE
 * clear.
 *
 * Every case runs on /dev/minikvm and then on /dev/kvm.  The differences:
 * KVM's KVM_X86_GET_MCE_CAP_SUPPORTED adds LMCE and CMCI on Intel hosts,
 * where minikvm offers neither (no local APIC); only the common bits are
 * compared there.
 */
#include <cpuid.h>

#include "kvm_util.h"

#define MSR_MTRRCAP	0xfe
#define MSR_DEF_TYPE	0x2ff
#define MSR_FIX64K	0x250
#define MSR_PHYSBASE0	0x200
#define MSR_PHYSMASK0	0x201
#define MSR_MCG_CAP	0x179
#define MSR_MCG_STATUS	0x17a
#define MSR_MCG_CTL	0x17b
#define MSR_MC0_CTL	0x400
#define MSR_MC0_CTL2	0x280
#define MCG_CTL_P	(1ull << 8)
#define MCG_SER_P	(1ull << 24)
#define MCI_VAL		(1ull << 63)
#define MCI_UC		(1ull << 61)
#define MCI_OVER	(1ull << 62)

static const uint32_t fixed_mtrrs[11] = {
	0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f,
};

struct msrs_buf {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e[64];
};

static long msrs(struct vcpu *vcpu, unsigned long req, struct msrs_buf *b, int n)
{
	b->hdr.nmsrs = n;
	return __kvm_ioctl(vcpu->fd, req, b);
}

/* One MSR through KVM_SET_MSRS: true when accepted. */
static bool set1(struct vcpu *vcpu, uint32_t index, uint64_t data)
{
	struct msrs_buf b;

	b.e[0] = (struct kvm_msr_entry){ .index = index, .data = data };
	return msrs(vcpu, KVM_SET_MSRS, &b, 1) == 1;
}

/* One MSR through KVM_GET_MSRS; false when refused. */
static bool get1(struct vcpu *vcpu, uint32_t index, uint64_t *data)
{
	struct msrs_buf b;

	b.e[0] = (struct kvm_msr_entry){ .index = index };
	if (msrs(vcpu, KVM_GET_MSRS, &b, 1) != 1)
		return false;
	*data = b.e[0].data;
	return true;
}

/*
 * The guest runs a table of RDMSRs (op 0) and WRMSRs (op 1) ending with
 * op 2, and records for each whether it took #GP and what RDMSR read;
 * then it makes a DONE ucall.  The #GP handler steps over the 2-byte
 * instruction.
 */
#define OPS	0x6000	/* u32 op, index, low, high */
#define RES	0x7000	/* u32 gp (13 or 0), low, high */

GUEST_CODE16(msr_table_guest,
	"xor %ax, %ax\n\t"
	"mov %ax, %es\n\t"
	"movw $(tbl_gp - msr_table_guest_start), %es:0x34\n\t"
	"movw $0x1000, %es:0x36\n\t"
	"mov $" STR(OPS) ", %si\n\t"
	"mov $" STR(RES) ", %di\n"
	"1:\n\t"
	"mov (%si), %eax\n\t"
	"cmp $2, %eax\n\t"
	"je 9f\n\t"
	"movl $0, (%di)\n\t"
	"mov 4(%si), %ecx\n\t"
	"cmp $1, %eax\n\t"
	"je 2f\n\t"
	"rdmsr\n\t"
	"mov %eax, 4(%di)\n\t"
	"mov %edx, 8(%di)\n\t"
	"jmp 3f\n"
	"2:\n\t"
	"mov 8(%si), %eax\n\t"
	"mov 12(%si), %edx\n\t"
	"wrmsr\n"
	"3:\n\t"
	"add $16, %si\n\t"
	"add $12, %di\n\t"
	"jmp 1b\n"
	"9:\n\t"
	G_DONE
	"hlt\n"
	"tbl_gp:\n\t"
	"movl $13, (%di)\n\t"
	"push %bp\n\t"
	"mov %sp, %bp\n\t"
	"addw $2, 2(%bp)\n\t"
	"pop %bp\n\t"
	"iret\n\t");

struct op { uint32_t op, index; uint64_t data; };
struct res { uint32_t gp; uint64_t data; } __attribute__((packed));

/* Run @n guest MSR accesses; results into @res. */
static void guest_msrs(struct vm *vm, struct vcpu *vcpu, const struct op *ops, int n,
		       struct res *res)
{
	uint32_t *o = (uint32_t *)((char *)vm->mem + GUEST_LOAD + OPS);
	struct res *r = (struct res *)((char *)vm->mem + GUEST_LOAD + RES);
	struct ucall uc;
	int i;

	for (i = 0; i < n; i++) {
		o[4 * i] = ops[i].op;
		o[4 * i + 1] = ops[i].index;
		o[4 * i + 2] = (uint32_t)ops[i].data;
		o[4 * i + 3] = ops[i].data >> 32;
	}
	o[4 * n] = 2;
	vm_load(vm, GUEST_LOAD, msr_table_guest_start, msr_table_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_DONE, "no DONE from the MSR guest");
	memcpy(res, r, n * sizeof(*r));
}

static void mtrr_host(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct msrs_buf b;
	uint64_t cap = 0;
	int i, n = 0;
	bool ok;

	/* A firmware's layout: WB by default, fixed ranges, one UC hole. */
	b.e[n++] = (struct kvm_msr_entry){ MSR_DEF_TYPE, 0, 0xc06 };
	for (i = 0; i < 11; i++)
		b.e[n++] = (struct kvm_msr_entry){ fixed_mtrrs[i], 0,
						   i < 3 ? 0x0606060606060606ull :
							   0x0500040100050406ull };
	for (i = 0; i < 8; i++) {
		b.e[n++] = (struct kvm_msr_entry){ MSR_PHYSBASE0 + 2 * i, 0,
						   i ? 0 : 0x80000000ull };	/* UC */
		b.e[n++] = (struct kvm_msr_entry){ MSR_PHYSMASK0 + 2 * i, 0,
						   i ? 0 : 0xf80000800ull };	/* 2 GiB, V */
	}
	ok = msrs(vcpu, KVM_SET_MSRS, &b, n) == n;
	for (i = 0; i < n; i++) {
		uint64_t v = ~0ull;

		if (!get1(vcpu, b.e[i].index, &v) || v != b.e[i].data) {
			ktap_info("MTRR %#x: set %#llx, read %#llx", b.e[i].index, b.e[i].data,
				  (unsigned long long)v);
			ok = false;
		}
	}
	/* MTRRCAP: 8 variable pairs, fixed ranges, WC, no SMRR; read-only. */
	ok &= get1(vcpu, MSR_MTRRCAP, &cap) && cap == 0x508 && !set1(vcpu, MSR_MTRRCAP, cap);
	ktap_result(ok, "%smtrr_set_get_round_trip", dev_tag);

	/* Each refused, and nothing changed. */
	ok = !set1(vcpu, MSR_DEF_TYPE, 0xc02) &&		/* type 2 */
	     !set1(vcpu, MSR_DEF_TYPE, 0xe06) &&		/* bit 9 */
	     !set1(vcpu, MSR_DEF_TYPE, 0x1c06) &&		/* bit 12 */
	     !set1(vcpu, MSR_FIX64K, 0x0606060606060607ull) &&	/* type 7 */
	     !set1(vcpu, MSR_FIX64K, 0x0306060606060606ull) &&	/* type 3, top byte */
	     !set1(vcpu, MSR_PHYSBASE0, 0x80000106ull) &&	/* bit 8 */
	     !set1(vcpu, MSR_PHYSBASE0, 0x80000003ull) &&	/* type 3 */
	     !set1(vcpu, MSR_PHYSBASE0, 1ull << 52) &&		/* past MAXPHYADDR */
	     !set1(vcpu, MSR_PHYSMASK0, 0xf80000801ull) &&	/* bit 0 */
	     !set1(vcpu, MSR_PHYSMASK0, 1ull << 60 | 0x800) &&	/* past MAXPHYADDR */
	     !set1(vcpu, MSR_PHYSBASE0 + 16, 0);		/* a ninth pair */
	ok &= get1(vcpu, MSR_DEF_TYPE, &cap) && cap == 0xc06;
	ok &= get1(vcpu, MSR_PHYSMASK0, &cap) && cap == 0xf80000800ull;
	ok &= !get1(vcpu, MSR_PHYSBASE0 + 16, &cap);
	ktap_result(ok, "%smtrr_bad_values_refused", dev_tag);
	vcpu_free(vcpu);
	vm_free(vm);
}

static void mtrr_guest(void)
{
	static const struct op ops[] = {
		{ 0, MSR_MTRRCAP, 0 },
		{ 0, MSR_DEF_TYPE, 0 },			/* what the host set */
		{ 1, MSR_DEF_TYPE, 0xc06 },
		{ 1, MSR_PHYSBASE0 + 2, 0xc0000000ull },
		{ 1, MSR_PHYSMASK0 + 2, 0xfc0000800ull },
		{ 1, MSR_FIX64K, 0x0101010101010101ull },
		{ 1, MSR_DEF_TYPE, 0xc03 },		/* #GP: type 3 */
		{ 1, MSR_FIX64K, 0x0202020202020202ull },	/* #GP: type 2 */
		{ 1, MSR_PHYSMASK0 + 2, 0xfc0000c00ull },	/* #GP: bit 10 */
		{ 1, MSR_PHYSBASE0 + 2, 1ull << 55 },	/* #GP: past MAXPHYADDR */
		{ 1, MSR_MTRRCAP, 0x508 },		/* #GP: read-only */
		{ 0, MSR_PHYSBASE0 + 16, 0 },		/* #GP: a ninth pair */
		{ 0, MSR_DEF_TYPE, 0 },
	};
	static const uint32_t want_gp[] = { 0, 0, 0, 0, 0, 0, 13, 13, 13, 13, 13, 13, 0 };
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct res res[16];
	uint64_t v;
	bool ok;
	int i;

	ok = set1(vcpu, MSR_DEF_TYPE, 0x806);
	guest_msrs(vm, vcpu, ops, 13, res);
	for (i = 0; i < 13; i++) {
		if (res[i].gp != want_gp[i]) {
			ktap_info("guest op %d on MSR %#x: #GP %u", i, ops[i].index, res[i].gp);
			ok = false;
		}
	}
	ok &= res[0].data == 0x508 && res[1].data == 0x806 && res[12].data == 0xc06;
	ok &= get1(vcpu, MSR_PHYSBASE0 + 2, &v) && v == 0xc0000000ull;
	ok &= get1(vcpu, MSR_PHYSMASK0 + 2, &v) && v == 0xfc0000800ull;
	ok &= get1(vcpu, MSR_FIX64K, &v) && v == 0x0101010101010101ull;
	ktap_result(ok, "%smtrr_guest_rdmsr_wrmsr_and_gp", dev_tag);
	vcpu_free(vcpu);
	vm_free(vm);
}

static bool host_is_amd(void)
{
	unsigned int a, b, c, d;

	__cpuid(0, a, b, c, d);
	return b == 0x68747541;		/* "Auth"enticAMD */
}

static void mce_host(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t cap = 0, v = 0, supported = 0;
	struct msrs_buf b;
	long r[5];
	int i, n;
	bool ok;

	/* Before KVM_X86_SETUP_MCE: 32 banks, no MCG_CTL for the guest. */
	ok = __kvm_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, (void *)KVM_CAP_MCE) == 32 &&
	     __kvm_ioctl(vm->fd, KVM_CHECK_EXTENSION, (void *)KVM_CAP_MCE) == 32;
	ok &= __kvm_ioctl(vm->sys_fd, KVM_X86_GET_MCE_CAP_SUPPORTED, &supported) == 0 &&
	      (supported & (MCG_CTL_P | MCG_SER_P)) == (MCG_CTL_P | MCG_SER_P) &&
	      (on_kvm || supported == (MCG_CTL_P | MCG_SER_P));
	ok &= get1(vcpu, MSR_MCG_CAP, &cap) && cap == 32;
	ok &= !set1(vcpu, MSR_MCG_CTL, ~0ull) && set1(vcpu, MSR_MCG_CTL, 0);
	if (!ok)
		ktap_info("supported %#llx, MCG_CAP %#llx", (unsigned long long)supported,
			  (unsigned long long)cap);
	ktap_result(ok, "%smce_cap_and_defaults", dev_tag);

	/* KVM_X86_SETUP_MCE's checks, then QEMU's own call. */
	cap = 0;
	r[0] = __kvm_ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap);
	cap = 33;
	r[1] = __kvm_ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap);
	cap = 10 | (1ull << 9);				/* MCG_EXT_P: never offered */
	r[2] = __kvm_ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap);
	r[3] = __kvm_ioctl(vcpu->fd, KVM_X86_SETUP_MCE, (void *)8);
	cap = MCG_CTL_P | MCG_SER_P | 10;
	r[4] = __kvm_ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap);
	ok = r[0] == -EINVAL && r[1] == -EINVAL && r[2] == -EINVAL && r[3] == -EFAULT &&
	     r[4] == 0;
	if (!ok)
		ktap_info("KVM_X86_SETUP_MCE: %ld %ld %ld %ld %ld", r[0], r[1], r[2], r[3], r[4]);
	/* AMD: bits 63:9 of MCG_CAP are reserved, MCG_SER_P is dropped. */
	if (host_is_amd())
		cap &= 0x1ff;
	if (!get1(vcpu, MSR_MCG_CAP, &v) || v != cap) {
		ktap_info("MCG_CAP %#llx, want %#llx", (unsigned long long)v,
			  (unsigned long long)cap);
		ok = false;
	}
	if (!get1(vcpu, MSR_MCG_CTL, &v) || v != ~0ull) {
		ktap_info("MCG_CTL %#llx", (unsigned long long)v);
		ok = false;
	}
	for (i = 0; i < 10; i++) {
		if (!get1(vcpu, MSR_MC0_CTL + 4 * i, &v) || v != ~0ull) {
			ktap_info("MC%d_CTL %#llx", i, (unsigned long long)v);
			ok = false;
		}
	}
	if (get1(vcpu, MSR_MC0_CTL + 40, &v) || set1(vcpu, MSR_MC0_CTL + 40, 0)) {
		ktap_info("MC10_CTL: accepted with 10 banks");
		ok = false;
	}
	ktap_result(ok, "%smce_setup_as_qemu", dev_tag);

	/* What kvm_put_msrs() sends: MCG_STATUS, MCG_CTL, every bank. */
	n = 0;
	b.e[n++] = (struct kvm_msr_entry){ MSR_MCG_STATUS, 0, 0 };
	b.e[n++] = (struct kvm_msr_entry){ MSR_MCG_CTL, 0, ~0ull };
	for (i = 0; i < 40; i++)
		b.e[n++] = (struct kvm_msr_entry){ MSR_MC0_CTL + i, 0, i % 4 ? 0 : ~0ull };
	ok = msrs(vcpu, KVM_SET_MSRS, &b, n) == n && msrs(vcpu, KVM_GET_MSRS, &b, n) == n;
	/* The write rules, from userspace. */
	ok &= !set1(vcpu, MSR_MCG_CTL, 5) && set1(vcpu, MSR_MCG_CTL, 0);
	ok &= set1(vcpu, MSR_MC0_CTL + 4, ~0ull & ~(1ull << 10)) &&
	      set1(vcpu, MSR_MC0_CTL + 8, ~1ull) && !set1(vcpu, MSR_MC0_CTL + 12, 0x1234);
	ok &= set1(vcpu, MSR_MC0_CTL + 9, MCI_VAL | 0x17) &&		/* MC2_STATUS */
	      get1(vcpu, MSR_MC0_CTL + 9, &v) && v == (MCI_VAL | 0x17);
	ok &= set1(vcpu, MSR_MCG_STATUS, 5) && get1(vcpu, MSR_MCG_STATUS, &v) && v == 5;
	ok &= !set1(vcpu, MSR_MCG_CAP, cap);
	/* No CMCI: MCi_CTL2 reads 0 and takes only 0, from userspace. */
	ok &= get1(vcpu, MSR_MC0_CTL2, &v) && v == 0 && set1(vcpu, MSR_MC0_CTL2, 0) &&
	      !set1(vcpu, MSR_MC0_CTL2 + 10, 0);
	ktap_result(ok, "%smce_msrs_as_qemu_puts_them", dev_tag);
	vcpu_free(vcpu);
	vm_free(vm);
}

static void mce_guest(void)
{
	static const struct op ops[] = {
		{ 0, MSR_MCG_CAP, 0 },
		{ 0, MSR_MCG_CTL, 0 },
		{ 1, MSR_MC0_CTL + 1, 0 },		/* clear MC0_STATUS */
		{ 1, MSR_MC0_CTL + 1, 1 },		/* #GP: not 0 */
		{ 1, MSR_MC0_CTL, 1 },			/* #GP: not 0 or all ones */
		{ 1, MSR_MC0_CTL, 0 },
		{ 1, MSR_MCG_CAP, 0 },			/* #GP: read-only */
		{ 0, MSR_MC0_CTL + 24, 0 },		/* #GP: bank 6 of 6 */
		{ 0, MSR_MC0_CTL2, 0 },			/* #GP: no CMCI */
		{ 1, MSR_MCG_STATUS, 0 },
		{ 0, MSR_MC0_CTL + 22, 0 },		/* MC5_ADDR */
	};
	static const uint32_t want_gp[] = { 0, 0, 0, 13, 13, 0, 13, 13, 13, 0, 0 };
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t cap = MCG_CTL_P | 6, v;
	struct res res[16];
	bool ok;
	int i;

	ok = __kvm_ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap) == 0 &&
	     set1(vcpu, MSR_MC0_CTL + 1, MCI_VAL | 1) && set1(vcpu, MSR_MC0_CTL + 22, 0xabc000);
	guest_msrs(vm, vcpu, ops, 11, res);
	for (i = 0; i < 11; i++) {
		if (res[i].gp != want_gp[i]) {
			ktap_info("guest op %d on MSR %#x: #GP %u", i, ops[i].index, res[i].gp);
			ok = false;
		}
	}
	ok &= res[0].data == cap && res[1].data == ~0ull && res[10].data == 0xabc000;
	ok &= get1(vcpu, MSR_MC0_CTL + 1, &v) && v == 0;
	ok &= get1(vcpu, MSR_MC0_CTL, &v) && v == 0;
	ktap_result(ok, "%smce_guest_rdmsr_wrmsr_and_gp", dev_tag);
	vcpu_free(vcpu);
	vm_free(vm);
}

/* #MC through the real-mode IVT (vector 18): a ucall with EBX = 18. */
GUEST_CODE16(mc_guest,
	"xor %ax, %ax\n\t"
	"mov %ax, %es\n\t"
	"movw $(mc_handler - mc_guest_start), %es:0x48\n\t"
	"movw $0x1000, %es:0x4a\n\t"
	G_SYNC(1)
	"hlt\n"
	"mc_handler:\n\t"
	G_SYNC(18)
	"hlt\n\t");

static void set_mce(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	uint64_t cap = MCG_CTL_P | MCG_SER_P | 4, v;
	struct kvm_x86_mce m;
	struct kvm_sregs s;
	struct ucall uc;
	bool ok;

	ok = __kvm_ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap) == 0;
	memset(&m, 0, sizeof(m));
	m.bank = 4;
	m.status = MCI_VAL;
	ok &= __kvm_ioctl(vcpu->fd, KVM_X86_SET_MCE, &m) == -EINVAL;	/* bank 4 of 4 */
	m.bank = 1;
	m.status = 0;
	ok &= __kvm_ioctl(vcpu->fd, KVM_X86_SET_MCE, &m) == -EINVAL;	/* no VAL */
	ok &= __kvm_ioctl(vcpu->fd, KVM_X86_SET_MCE, (void *)8) == -EFAULT;

	/* A corrected error is logged; a second one sets OVER. */
	m.status = MCI_VAL | 0x42;
	m.addr = 0x1000;
	ok &= __kvm_ioctl(vcpu->fd, KVM_X86_SET_MCE, &m) == 0 &&
	      get1(vcpu, MSR_MC0_CTL + 5, &v) && v == (MCI_VAL | 0x42) &&
	      get1(vcpu, MSR_MC0_CTL + 6, &v) && v == 0x1000;
	ok &= __kvm_ioctl(vcpu->fd, KVM_X86_SET_MCE, &m) == 0 &&
	      get1(vcpu, MSR_MC0_CTL + 5, &v) && v == (MCI_VAL | MCI_OVER | 0x42);

	/* An uncorrected one: #MC with CR4.MCE set, delivered by the IVT. */
	vm_load(vm, GUEST_LOAD, mc_guest_start, mc_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	s.cr4 |= 0x40;					/* CR4.MCE */
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &s);
	ok &= run_to_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 1;
	m.bank = 2;
	m.status = MCI_VAL | MCI_UC | (1ull << 56) | 0x9;
	m.mcg_status = 5;				/* RIPV, MCIP */
	ok &= __kvm_ioctl(vcpu->fd, KVM_X86_SET_MCE, &m) == 0;
	ok &= run_to_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 18;
	ok &= get1(vcpu, MSR_MCG_STATUS, &v) && v == 5 &&
	      get1(vcpu, MSR_MC0_CTL + 9, &v) && v == m.status;
	ktap_result(ok, "%sset_mce_logs_and_raises_mc", dev_tag);

	/* Another during MCIP shuts down; so does one with CR4.MCE clear. */
	ok = __kvm_ioctl(vcpu->fd, KVM_X86_SET_MCE, &m) == 0 && __vcpu_run(vcpu) == 0 &&
	     vcpu->run->exit_reason == KVM_EXIT_SHUTDOWN;
	vcpu_free(vcpu);
	vm_free(vm);
	vm = vm_create(1 << 20);
	vcpu = vcpu_add(vm, 0);
	ok &= __kvm_ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap) == 0;
	vm_load(vm, GUEST_LOAD, mc_guest_start, mc_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	m.mcg_status = 4;
	ok &= __kvm_ioctl(vcpu->fd, KVM_X86_SET_MCE, &m) == 0 && __vcpu_run(vcpu) == 0 &&
	      vcpu->run->exit_reason == KVM_EXIT_SHUTDOWN;
	if (!ok)
		ktap_info("last exit %s", exit_reason_str(vcpu->run->exit_reason));
	ktap_result(ok, "%sset_mce_shutdown_in_mcip_or_without_cr4_mce", dev_tag);
	vcpu_free(vcpu);
	vm_free(vm);
}

static void cases(void)
{
	mtrr_host();
	mtrr_guest();
	mce_host();
	mce_guest();
	set_mce();
}

int main(void)
{
	return run_on_minikvm_and_kvm(cases, 9, 9);
}
