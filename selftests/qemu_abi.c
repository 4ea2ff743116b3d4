// SPDX-License-Identifier: GPL-2.0
/*
 * What QEMU 7.2 checks before it starts a guest (Documentation/qemu.rst):
 * the capabilities it requires, answered on the system fd and on the VM
 * fd alike; KVM_SET_GSI_ROUTING as KVM has it without an in-kernel
 * irqchip; and memory slots as QEMU uses them: a slot deleted through
 * size 0 and added again (SeaBIOS reprogramming the PAM registers, or a
 * flag change) with the guest seeing each change, and adjacent slots
 * backed by separate host memory working as one range.  And what QEMU's
 * kvmclock device and kvm_put_msrs() need although minikvm offers no
 * kvmclock: KVM_GET/SET_CLOCK, and the old kvmclock MSRs accepting 0.
 *
 * Every case runs on /dev/minikvm and then on /dev/kvm, where it passes
 * the same way but for one difference: KVM has kvmclock, so its MSRs
 * take any value and the guest may read them (it would #GP only with
 * KVM_CAP_ENFORCE_PV_FEATURE_CPUID); minikvm refuses both.
 */
#include <sys/mman.h>
#include <time.h>
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

/* RDMSR of MSR_KVM_SYSTEM_TIME: a ucall with EBX = 13 after #GP, else 0. */
GUEST_CODE16(kvmclock_guest,
	"xor %ax, %ax\n\t"
	"mov %ax, %es\n\t"
	"movw $(kc_gp - kvmclock_guest_start), %es:0x34\n\t"
	"movw $0x1000, %es:0x36\n\t"
	"mov $0x12, %ecx\n\t"
	"xor %ebx, %ebx\n\t"
	"rdmsr\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n"
	"kc_gp:\n\t"
	"mov $13, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"hlt\n\t");

/* What kvm_put_msrs() and kvm_get_msrs() send at reset: kvmclock off. */
static void kvmclock_msrs(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[2];
	} b = { .hdr.nmsrs = 2, .e = { { .index = 0x12 }, { .index = 0x11 } } };
	struct ucall uc;
	bool ok;

	ok = __kvm_ioctl(vcpu->fd, KVM_SET_MSRS, &b) == 2;
	b.e[0].data = b.e[1].data = 7;
	ok &= __kvm_ioctl(vcpu->fd, KVM_GET_MSRS, &b) == 2 && !b.e[0].data && !b.e[1].data;
	b.hdr.nmsrs = 1;
	b.e[0].data = 0x1001;				/* enable, at 0x1000 */
	ok &= __kvm_ioctl(vcpu->fd, KVM_SET_MSRS, &b) == (on_kvm ? 1 : 0);
	vm_load(vm, GUEST_LOAD, kvmclock_guest_start, kvmclock_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	ok &= run_to_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == (on_kvm ? 0 : 13);
	ktap_result(ok, "%skvmclock_msrs_read_0_take_0%s", dev_tag,
		    on_kvm ? "_and_more_kvm_has_kvmclock" : "_guest_gp");
	vcpu_free(vcpu);
	vm_free(vm);
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* KVM_GET/SET_CLOCK as QEMU's kvmclock device uses them. */
static void vm_clock(void)
{
	struct vm *vm = vm_create(1 << 20);
	struct kvm_clock_data c1, c2;
	long cap = __kvm_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, (void *)KVM_CAP_ADJUST_CLOCK);
	bool ok;

	ok = on_kvm ? cap > 0 : cap == (KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC);
	ok &= __kvm_ioctl(vm->fd, KVM_GET_CLOCK, &c1) == 0 &&
	      __kvm_ioctl(vm->fd, KVM_GET_CLOCK, &c2) == 0 && c2.clock >= c1.clock;
	/* Set, read back: the time since then is a few seconds at most. */
	memset(&c1, 0, sizeof(c1));
	c1.clock = 1000000000000ull;
	ok &= __kvm_ioctl(vm->fd, KVM_SET_CLOCK, &c1) == 0 &&
	      __kvm_ioctl(vm->fd, KVM_GET_CLOCK, &c2) == 0 &&
	      c2.clock >= c1.clock && c2.clock - c1.clock < 30000000000ull;
	/* KVM_CLOCK_REALTIME: 5 s of real time since "realtime" are added. */
	c1.clock = 2000000000000ull;
	c1.flags = KVM_CLOCK_REALTIME;
	c1.realtime = realtime_ns() - 5000000000ull;
	ok &= __kvm_ioctl(vm->fd, KVM_SET_CLOCK, &c1) == 0 &&
	      __kvm_ioctl(vm->fd, KVM_GET_CLOCK, &c2) == 0 &&
	      c2.clock >= c1.clock + 5000000000ull && c2.clock < c1.clock + 40000000000ull;
	/* What KVM_GET_CLOCK gave goes back; an unknown flag does not. */
	ok &= __kvm_ioctl(vm->fd, KVM_SET_CLOCK, &c2) == 0;
	c1.flags = 1 << 4;
	ok &= __kvm_ioctl(vm->fd, KVM_SET_CLOCK, &c1) == -EINVAL &&
	      __kvm_ioctl(vm->fd, KVM_GET_CLOCK, (void *)8) == -EFAULT &&
	      __kvm_ioctl(vm->fd, KVM_SET_CLOCK, (void *)8) == -EFAULT;
	if (!ok)
		ktap_info("KVM_CAP_ADJUST_CLOCK %ld, clock %llu", cap, c2.clock);
	ktap_result(ok, "%sget_set_clock", dev_tag);
	vm_free(vm);
}

static void cases(void)
{
	caps_on_both_fds();
	gsi_routing_without_irqchip();
	slots_as_qemu_uses_them();
	kvmclock_msrs();
	vm_clock();
}

int main(void)
{
	return run_on_minikvm_and_kvm(cases, 7, 7);
}
