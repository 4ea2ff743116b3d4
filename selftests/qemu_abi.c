// SPDX-License-Identifier: GPL-2.0
/*
 * What QEMU 7.2 checks before it starts a guest (Documentation/qemu.rst):
 * the capabilities it requires, answered on the system fd and on the VM
 * fd alike; KVM_SET_GSI_ROUTING as KVM has it without an in-kernel
 * irqchip; and memory slots as QEMU uses them: a slot deleted through
 * size 0 and added again (SeaBIOS reprogramming the PAM registers, or a
 * flag change) with the guest seeing each change, and adjacent slots
 * backed by separate host memory working as one range.
 *
 * Every case runs on /dev/minikvm and then on /dev/kvm, where it passes
 * the same way.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"

#define PAGE		4096
#define JOIN_GPA	0x100000	/* slots 1 and 2, one page each */
#define FLIP_GPA	0x102000	/* slot 3: deleted and added again */

static long set_region(int vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		       uint64_t size, void *mem)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)mem,
	};

	return __kvm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r);
}

static void *page_alloc(void)
{
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap: %s", strerror(errno));
	return p;
}

/*
 * The capabilities QEMU requires (kvm_required_capabilites and
 * kvm_arch_required_capabilities, KVM_CAP_IRQ_ROUTING in kvm_arch_init),
 * and some it reads, with the same answer on both fds; 0xdead is none.
 */
static void caps_on_both_fds(void)
{
	static const struct { unsigned long cap; long want; } caps[] = {
		{ KVM_CAP_USER_MEMORY, 1 },
		{ KVM_CAP_DESTROY_MEMORY_REGION_WORKS, 1 },
		{ KVM_CAP_JOIN_MEMORY_REGIONS_WORKS, 1 },
		{ KVM_CAP_SET_TSS_ADDR, 1 },
		{ KVM_CAP_EXT_CPUID, 1 },
		{ KVM_CAP_MP_STATE, 1 },
		{ KVM_CAP_IMMEDIATE_EXIT, 1 },
		{ KVM_CAP_CHECK_EXTENSION_VM, 1 },
		{ KVM_CAP_IRQ_ROUTING, 4096 },	/* KVM_MAX_IRQ_ROUTES */
		{ KVM_CAP_NR_MEMSLOTS, -1 },	/* the same on both fds */
		{ 0xdead, 0 },
	};
	int sys = open_kvm_dev();
	int vm = kvm_ioctl(sys, KVM_CREATE_VM, 0);
	unsigned int i;
	bool ok = true;

	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		long s = __kvm_ioctl(sys, KVM_CHECK_EXTENSION, (void *)caps[i].cap);
		long v = __kvm_ioctl(vm, KVM_CHECK_EXTENSION, (void *)caps[i].cap);

		if (s != v || (caps[i].want >= 0 ? s != caps[i].want : s <= 0)) {
			ktap_info("capability %lu: system fd %ld, VM fd %ld", caps[i].cap, s, v);
			ok = false;
		}
	}
	ktap_result(ok, "%scaps_required_by_qemu_on_system_and_vm_fd", dev_tag);
	close(vm);
	close(sys);
}

/*
 * Without an in-kernel irqchip KVM reads the header and refuses every
 * table with EINVAL, before looking at its size or flags.
 */
static void gsi_routing_without_irqchip(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[2];
	} t;
	bool ok;

	memset(&t, 0, sizeof(t));
	ok = __kvm_ioctl(vm->fd, KVM_SET_GSI_ROUTING, &t) == -EINVAL;		/* empty */
	t.hdr.nr = 2;
	t.e[0] = (struct kvm_irq_routing_entry){ .gsi = 0, .type = KVM_IRQ_ROUTING_IRQCHIP,
						 .u.irqchip = { .irqchip = 0, .pin = 0 } };
	t.e[1] = (struct kvm_irq_routing_entry){ .gsi = 24, .type = KVM_IRQ_ROUTING_MSI,
						 .u.msi = { .address_lo = 0xfee00000, .data = 0x41 } };
	ok &= __kvm_ioctl(vm->fd, KVM_SET_GSI_ROUTING, &t) == -EINVAL;
	t.hdr.nr = 5000;					/* past KVM_MAX_IRQ_ROUTES */
	ok &= __kvm_ioctl(vm->fd, KVM_SET_GSI_ROUTING, &t) == -EINVAL;
	t.hdr.nr = 0;
	t.hdr.flags = 1;
	ok &= __kvm_ioctl(vm->fd, KVM_SET_GSI_ROUTING, &t) == -EINVAL;
	ok &= __kvm_ioctl(vm->fd, KVM_SET_GSI_ROUTING, (void *)8) == -EFAULT;
	ktap_result(ok, "%sgsi_routing_without_irqchip_einval", dev_tag);
	vm_free(vm);
}

/*
 * The guest writes a word across the boundary of slots 1 and 2
 * (guest-physical JOIN_GPA + 0xfff) and reads it back; then reads the
 * word at FLIP_GPA and writes 0x7777 there, in a loop, with a ucall
 * after each access.  ES = 0xffff reaches both from real mode.
 */
GUEST_CODE16(slots_guest,
	"mov $0xffff, %ax\n\t"
	"mov %ax, %es\n\t"
	"movw $0xa55a, %es:0x100f\n\t"		/* JOIN_GPA + 0xfff - 0xffff0 */
	"mov %es:0x100f, %bx\n\t"
	G_UCALL(UCALL_SYNC)
	"1:\n\t"
	"mov %es:0x2010, %bx\n\t"		/* FLIP_GPA */
	G_UCALL(UCALL_SYNC)
	"movw $0x7777, %es:0x2010\n\t"
	"xor %bx, %bx\n\t"
	G_UCALL(UCALL_SYNC)
	"jmp 1b\n\t");

/* One guest read of FLIP_GPA: from memory (a ucall) or as an MMIO exit. */
static bool flip_read(struct vcpu *vcpu, bool mmio, uint16_t want)
{
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	if (mmio) {
		vcpu_run(vcpu);
		if (run->exit_reason != KVM_EXIT_MMIO || run->mmio.phys_addr != FLIP_GPA ||
		    run->mmio.len != 2 || run->mmio.is_write) {
			ktap_info("read: exit %s at %#llx", exit_reason_str(run->exit_reason),
				  run->mmio.phys_addr);
			return false;
		}
		memcpy(run->mmio.data, &want, 2);
	}
	run_to_ucall(vcpu, &uc);
	if ((uint16_t)uc.args[0] != want)
		ktap_info("read %#x, wanted %#x", (uint16_t)uc.args[0], want);
	return (uint16_t)uc.args[0] == want;
}

/* The guest's write of 0x7777: to memory, or an MMIO exit carrying it. */
static bool flip_write(struct vcpu *vcpu, bool mmio)
{
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	if (mmio) {
		vcpu_run(vcpu);
		if (run->exit_reason != KVM_EXIT_MMIO || run->mmio.phys_addr != FLIP_GPA ||
		    run->mmio.len != 2 || !run->mmio.is_write ||
		    run->mmio.data[0] != 0x77 || run->mmio.data[1] != 0x77) {
			ktap_info("write: exit %s", exit_reason_str(run->exit_reason));
			return false;
		}
	}
	return run_to_ucall(vcpu, &uc) == UCALL_SYNC;
}

static void slots_as_qemu_uses_them(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	uint8_t *lo = page_alloc(), *hi = page_alloc();
	uint16_t *a = page_alloc(), *b = page_alloc();
	struct ucall uc;
	bool ok;

	/* Two slots that touch, backed by pages apart in the host. */
	ok = set_region(vm->fd, 1, 0, JOIN_GPA, PAGE, lo) == 0 &&
	     set_region(vm->fd, 2, 0, JOIN_GPA + PAGE, PAGE, hi) == 0;
	a[0] = 0x1234;
	b[0] = 0x4321;
	ok &= set_region(vm->fd, 3, 0, FLIP_GPA, PAGE, a) == 0;
	vm_load(vm, GUEST_LOAD, slots_guest_start, slots_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	run_to_ucall(vcpu, &uc);
	ktap_result(ok && (uint16_t)uc.args[0] == 0xa55a && lo[PAGE - 1] == 0x5a && hi[0] == 0xa5,
		    "%sadjacent_slots_join", dev_tag);

	/* Slot 3 present, deleted (MMIO), back on other memory. */
	ok = flip_read(vcpu, false, 0x1234) && flip_write(vcpu, false) && a[0] == 0x7777;
	ok &= set_region(vm->fd, 3, 0, 0, 0, NULL) == 0;
	ok &= flip_read(vcpu, true, 0xabcd) && flip_write(vcpu, true);
	ok &= set_region(vm->fd, 3, 0, FLIP_GPA, PAGE, b) == 0;
	ok &= flip_read(vcpu, false, 0x4321) && flip_write(vcpu, false) && b[0] == 0x7777;
	ok &= a[0] == 0x7777;
	ktap_result(ok, "%sslot_deleted_and_added_again_guest_sees_it", dev_tag);

	/*
	 * A flag change goes through size 0 (changing it in place is
	 * EINVAL): read-only, writes are MMIO and the memory keeps its
	 * value; then writable again.
	 */
	b[0] = 0x2468;
	ok = set_region(vm->fd, 3, KVM_MEM_READONLY, FLIP_GPA, PAGE, b) == -EINVAL;
	ok &= set_region(vm->fd, 3, 0, 0, 0, NULL) == 0 &&
	      set_region(vm->fd, 3, KVM_MEM_READONLY, FLIP_GPA, PAGE, b) == 0;
	ok &= flip_read(vcpu, false, 0x2468) && flip_write(vcpu, true) && b[0] == 0x2468;
	ok &= set_region(vm->fd, 3, 0, 0, 0, NULL) == 0 &&
	      set_region(vm->fd, 3, 0, FLIP_GPA, PAGE, b) == 0;
	ok &= flip_read(vcpu, false, 0x2468) && flip_write(vcpu, false) && b[0] == 0x7777;
	ktap_result(ok, "%sflag_change_through_size_0", dev_tag);

	vcpu_free(vcpu);
	vm_free(vm);
	munmap(lo, PAGE);
	munmap(hi, PAGE);
	munmap(a, PAGE);
	munmap(b, PAGE);
}

static void cases(void)
{
	caps_on_both_fds();
	gsi_routing_without_irqchip();
	slots_as_qemu_uses_them();
}

int main(void)
{
	return run_on_minikvm_and_kvm(cases, 5, 5);
}
