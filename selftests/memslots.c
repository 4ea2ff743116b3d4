// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_USER_MEMORY_REGION: every bad input gets KVM's errno and
 * changes nothing; several slots work together in a guest; a deleted
 * slot is gone for the guest, and the host's memory is left intact; a
 * hole in a slot's memory is EFAULT, but only where the guest touches it.
 */
#include <sys/mman.h>

#include "kvm_util.h"

static long set_region(int vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		       uint64_t size, uint64_t uaddr)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = uaddr,
	};

	return __kvm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r);
}

/*
 * The guest writes 0xbeef at FFFF:0010 (guest-physical 0x100000, the first
 * byte of slot 1), reads it back and reports it, then halts.
 */
GUEST_CODE16(slot_guest,
	"mov $0xffff, %ax\n\t"
	"mov %ax, %es\n\t"
	"movw $0xbeef, %es:0x10\n\t"
	"mov %es:0x10, %cx\n\t"
	"mov %cx, %bx\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n\t");

int main(void)
{
	struct vm *vm;
	struct vcpu *vcpu;
	struct ucall uc;
	uint64_t mem, extra;
	size_t page = 4096;
	uint8_t *hole;
	int i, ok, r;

	ktap_plan(16);
	vm = vm_create(1 << 20);
	mem = (uintptr_t)mmap(NULL, 64 << 10, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(mem != (uintptr_t)MAP_FAILED, "mmap");

	ktap_result(set_region(vm->fd, 1, 0, 0x100001, page, mem) == -EINVAL &&
		    set_region(vm->fd, 1, 0, 0x100000, page + 1, mem) == -EINVAL &&
		    set_region(vm->fd, 1, 0, 0x100000, page, mem + 1) == -EINVAL,
		    "unaligned_einval");
	ktap_result(set_region(vm->fd, 1, 0, -4096ull, 2 * page, mem) == -EINVAL,
		    "wrapping_gpa_einval");
	ktap_result(set_region(vm->fd, 1, 0, 0x80000, page, mem) == -EEXIST &&
		    set_region(vm->fd, 1, 0, 0xff000, 2 * page, mem) == -EEXIST,
		    "overlap_eexist");
	ktap_result(set_region(vm->fd, 32, 0, 0x100000, page, mem) == -EINVAL &&
		    set_region(vm->fd, 0xffff, 0, 0x100000, page, mem) == -EINVAL &&
		    set_region(vm->fd, 1 | (1 << 16), 0, 0x100000, page, mem) == -EINVAL,
		    "slot_id_out_of_range_einval");
	ktap_result(set_region(vm->fd, 1, 0, 0x100000, page, 0xffff888000000000ull) == -EINVAL &&
		    set_region(vm->fd, 1, 0, 0x100000, 1ull << 47, mem) == -EINVAL,
		    "non_user_address_einval");
	ktap_result(set_region(vm->fd, 1, 1u << 7, 0x100000, page, mem) == -EINVAL,
		    "unknown_flags_einval");
	ktap_result(set_region(vm->fd, 5, 0, 0, 0, 0) == -EINVAL, "delete_missing_slot_einval");
	ktap_result(set_region(vm->fd, 0, 0, 0, 2 << 20, (uintptr_t)vm->mem) == -EINVAL,
		    "resize_slot_einval");
	ktap_result(set_region(vm->fd, 2, 0, 1ull << 48, page, mem) == -EINVAL,
		    "gpa_beyond_48_bits_einval");

	/* After all that, slot 0 still runs a guest, with slot 1 added. */
	ok = set_region(vm->fd, 1, 0, 0x100000, 64 << 10, mem) == 0;
	vcpu = vcpu_add(vm, 0);
	vm_load(vm, GUEST_LOAD, slot_guest_start, slot_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	run_to_ucall(vcpu, &uc);
	ktap_result(ok && (uc.args[0] & 0xffff) == 0xbeef && *(uint16_t *)mem == 0xbeef,
		    "guest_uses_two_slots");
	vcpu_run(vcpu);
	assert_exit(vcpu, KVM_EXIT_HLT);

	/* Deleting slot 1 takes it away from the guest, not from the host. */
	ok = set_region(vm->fd, 1, 0, 0, 0, 0) == 0;
	*(uint16_t *)mem = 0x1111;
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	vcpu_run(vcpu);
	ktap_info("after deleting slot 1 the access exits with %s",
		  exit_reason_str(vcpu->run->exit_reason));
	ktap_result(ok && vcpu->run->exit_reason != KVM_EXIT_IO && *(uint16_t *)mem == 0x1111,
		    "deleted_slot_gone_for_guest");

	/* Re-created at another address, with fresh contents. */
	ok = set_region(vm->fd, 1, 0, 0x100000, 64 << 10, mem) == 0;
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	run_to_ucall(vcpu, &uc);
	ktap_result(ok && (uc.args[0] & 0xffff) == 0xbeef && *(uint16_t *)mem == 0xbeef,
		    "slot_recreated");

	/*
	 * A hole in a slot's userspace memory.  A fault pins the 16-page
	 * block around the page touched; where the block has a hole, just
	 * that page, so the guest still runs.  A guest access to the hole
	 * itself makes KVM_RUN fail with EFAULT.
	 */
	hole = mmap(NULL, 64 << 10, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(hole != MAP_FAILED, "mmap");
	munmap(hole + 2 * page, page);
	ok = set_region(vm->fd, 1, 0, 0, 0, 0) == 0 &&
	     set_region(vm->fd, 1, 0, 0x100000, 64 << 10, (uintptr_t)hole) == 0;
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	run_to_ucall(vcpu, &uc);
	ktap_result(ok && (uc.args[0] & 0xffff) == 0xbeef && *(uint16_t *)hole == 0xbeef,
		    "page_beside_a_hole_maps");
	ok = set_region(vm->fd, 1, 0, 0, 0, 0) == 0 &&
	     set_region(vm->fd, 1, 0, 0x100000, page, (uintptr_t)hole + 2 * page) == 0;
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	r = __vcpu_run(vcpu);
	ktap_result(ok && r == -EFAULT, "access_to_a_hole_efault");
	ok = set_region(vm->fd, 1, 0, 0, 0, 0) == 0;
	munmap(hole, 64 << 10);

	/* Every slot id can hold a slot. */
	extra = (uintptr_t)mmap(NULL, 32 * page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok = 1;
	for (i = 2; i < 32; i++)
		ok &= set_region(vm->fd, i, 0, 0x200000 + i * page, page, extra + i * page) == 0;
	ktap_result(ok, "thirty_two_slots");
	ok = 1;
	for (i = 2; i < 32; i++)
		ok &= set_region(vm->fd, i, 0, 0, 0, 0) == 0;
	ktap_result(ok, "delete_all_slots");

	vcpu_free(vcpu);
	vm_free(vm);
	return ktap_finish();
}
