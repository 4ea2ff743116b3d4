// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_SUPPORTED_CPUID, KVM_SET_CPUID2 and KVM_GET_CPUID2 with KVM's
 * E2BIG conventions, and a guest whose CPUID answers exactly the table
 * it was given: set leaves, indexed subleaves, zeros for the rest.
 */
#include <cpuid.h>
#include <sys/mman.h>

#include "kvm_util.h"

GUEST_CODE16(cpuid2_guest,
	"xor %eax, %eax\n\t"
	"cpuid\n\t"
	"mov %edx, %ecx\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $1, %eax\n\t"
	"cpuid\n\t"
	"mov %eax, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $7, %eax\n\t"
	"xor %ecx, %ecx\n\t"
	"cpuid\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $7, %eax\n\t"
	"mov $1, %ecx\n\t"
	"cpuid\n\t"
	G_UCALL(UCALL_SYNC)
	"mov $0x40000000, %eax\n\t"
	"cpuid\n\t"
	"mov %eax, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	G_UCALL(UCALL_DONE)
	"hlt\n\t");

static struct kvm_cpuid2 *cpuid_alloc(int nent)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

	TEST_ASSERT(c, "out of memory");
	c->nent = nent;
	return c;
}

static struct kvm_cpuid_entry2 *find(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

static void set_entry(struct kvm_cpuid_entry2 *e, uint32_t fn, uint32_t idx, uint32_t flags,
		      uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	e->flags = flags;
	e->eax = a;
	e->ebx = b;
	e->ecx = c;
	e->edx = d;
}

static uint64_t sync_arg(struct vcpu *vcpu, uint64_t *arg1)
{
	struct ucall uc;

	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "no sync");
	if (arg1)
		*arg1 = uc.args[1];
	return uc.args[0];
}

int main(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_cpuid2 *sup = cpuid_alloc(1), *set, *get;
	struct kvm_cpuid_entry2 *e0, *e1, *sig;
	unsigned int a, b, c, d;
	uint64_t x, y;
	long r;
	int ok;

	ktap_plan(9);
	r = __kvm_ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, sup);
	ktap_result(r == -E2BIG && sup->nent == 1, "supported_cpuid_e2big");
	free(sup);

	sup = cpuid_alloc(256);
	r = __kvm_ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, sup);
	__cpuid(0, a, b, c, d);
	e0 = find(sup, 0, 0);
	e1 = find(sup, 1, 0);
	sig = find(sup, 0x40000000, 0);
	ktap_info("%u supported entries", sup->nent);
	ktap_result(r == 0 && e0 && e1 && sig && e0->ebx == b && e0->edx == d &&
		    (e1->ecx & (1u << 31)) && !(e1->ecx & (1u << 5)) &&
		    !memcmp(&sig->ebx, "minikvm", 8),
		    "supported_cpuid_content");
	ktap_result(__kvm_ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, (void *)8) == -EFAULT,
		    "supported_cpuid_efault");

	set = cpuid_alloc(257);
	ktap_result(__kvm_ioctl(vcpu->fd, KVM_SET_CPUID2, set) == -E2BIG &&
		    __kvm_ioctl(vcpu->fd, KVM_SET_CPUID2, (void *)8) == -EFAULT,
		    "set_cpuid2_e2big_efault");

	set->nent = 4;
	set_entry(&set->entries[0], 0, 0, 0, 7, 0x696e694d /* Mini */, 0x73747365, 0x54534554);
	set_entry(&set->entries[1], 1, 0, 0, 0x12345, 0, 0x80000000, 0);
	set_entry(&set->entries[2], 7, 0, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, 1, 0x70, 0, 0);
	set_entry(&set->entries[3], 7, 1, KVM_CPUID_FLAG_SIGNIFCANT_INDEX, 0, 0x71, 0, 0);
	kvm_ioctl(vcpu->fd, KVM_SET_CPUID2, set);

	get = cpuid_alloc(3);
	r = __kvm_ioctl(vcpu->fd, KVM_GET_CPUID2, get);
	ok = r == -E2BIG && get->nent == 3;
	free(get);
	get = cpuid_alloc(10);
	r = __kvm_ioctl(vcpu->fd, KVM_GET_CPUID2, get);
	ktap_result(ok && r == 0 && get->nent == 4 &&
		    !memcmp(get->entries, set->entries, 4 * sizeof(set->entries[0])),
		    "get_cpuid2_e2big_then_round_trip");

	vm_load(vm, GUEST_LOAD, cpuid2_guest_start, cpuid2_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	x = sync_arg(vcpu, &y);
	ok = x == 0x696e694d && y == 0x54534554;
	ok &= sync_arg(vcpu, NULL) == 0x12345;
	ktap_result(ok, "guest_sees_set_leaves");
	ok = sync_arg(vcpu, NULL) == 0x70;
	ok &= sync_arg(vcpu, NULL) == 0x71;
	ktap_result(ok, "guest_sees_indexed_subleaves");
	ktap_result(sync_arg(vcpu, NULL) == 0, "leaf_not_set_is_zero");

	/* After KVM_RUN only the same table is accepted (KVM 6.1). */
	r = __kvm_ioctl(vcpu->fd, KVM_SET_CPUID2, set);
	set->entries[1].eax = 0x54321;
	ktap_result(r == 0 && __kvm_ioctl(vcpu->fd, KVM_SET_CPUID2, set) == -EINVAL,
		    "set_cpuid2_after_run_only_same");
	free(set);
	free(get);
	free(sup);
	vcpu_free(vcpu);
	vm_free(vm);
	return ktap_finish();
}
