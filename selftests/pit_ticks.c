// SPDX-License-Identifier: GPL-2.0
/*
 * A guest driven by a timer: the launcher's own 8254 PIT and 8259A PIC
 * models (userspace/pit.c, pic.c) run in this test, and a long-mode guest
 * programs them as an operating system would (ICW1-4, IRQ 0 unmasked,
 * channel 0 in mode 2 at 100 Hz), then halts with interrupts on and counts
 * its IRQ 0 handler's runs, sending an EOI each time.  The host gives each
 * tick with KVM_INTERRUPT when ready_for_interrupt_injection says so, or
 * asks for the interrupt window, and sleeps at the guest's HLT until the
 * PIT's next tick.  After PIT_SECONDS (2; 0.2 on Bochs) of host time:
 *  - ticks_at_programmed_rate: the guest counted the programmed rate
 *    within 10% (QEMU lane; Bochs's clock is its own, there the ticks
 *    must only arrive, and it counted 99.5 Hz too);
 *  - every_tick_taken_once: the guest counted exactly the interrupts the
 *    host gave, and the PIC saw one EOI for each.
 * On /dev/minikvm, then on /dev/kvm.
 */
#include <time.h>

#include "kvm_util.h"
#include "pic.h"
#include "pit.h"

#define MEM_SIZE	(1 << 20)
#define D_TICKS		0x9000
#define IDT_GPA		0xa000
#define STACK_TOP	0xf000
#define VEC_BASE	0x20
#define DIVISOR		11932		/* 1193182 Hz / 11932 = 100 Hz */

GUEST_CODE16(pt_guest,
	".code64\n"
	".globl pt_main\n"
	"pt_main:\n\t"
	/* Master PIC: edge, cascade, vectors from VEC_BASE, 8086 mode. */
	"mov $0x11, %al\n\t"
	"out %al, $0x20\n\t"
	"mov $" STR(VEC_BASE) ", %al\n\t"
	"out %al, $0x21\n\t"
	"mov $0x04, %al\n\t"
	"out %al, $0x21\n\t"
	"mov $0x01, %al\n\t"
	"out %al, $0x21\n\t"
	"mov $0xfe, %al\n\t"		/* only IRQ 0 */
	"out %al, $0x21\n\t"
	/* PIT channel 0: lobyte/hibyte, mode 2 (rate generator). */
	"mov $0x34, %al\n\t"
	"out %al, $0x43\n\t"
	"mov $(" STR(DIVISOR) " & 0xff), %al\n\t"
	"out %al, $0x40\n\t"
	"mov $(" STR(DIVISOR) " >> 8), %al\n\t"
	"out %al, $0x40\n\t"
	G_SYNC(1)
	"sti\n"
	"1:\n\t"
	"hlt\n\t"
	"jmp 1b\n"
	/* IRQ 0: count, EOI. */
	".globl pt_irq0\n"
	"pt_irq0:\n\t"
	"incq " STR(D_TICKS) "\n\t"
	"push %rax\n\t"
	"mov $0x20, %al\n\t"
	"out %al, $0x20\n\t"
	"pop %rax\n\t"
	"iretq\n"
	".globl pt_bad\n"
	"pt_bad:\n\t"
	"mov $0xbad, %ebx\n\t"
	G_UCALL(UCALL_ASSERT)
	"hlt\n"
);
extern const char pt_main[], pt_irq0[], pt_bad[];

#define GUEST_ADDR(sym) (GUEST_LOAD + (uint64_t)((sym) - pt_guest_start))

struct board {
	struct pic pic;
	struct pit pit;
	unsigned long eois;
};

static uint64_t mono_ns(void *opaque)
{
	struct timespec ts;

	(void)opaque;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* An edge on IRQ 0: the PIC latches it in its IRR. */
static void pulse_irq0(void *opaque)
{
	struct board *b = opaque;

	pic_set_irq(&b->pic, 0, 1);
	pic_set_irq(&b->pic, 0, 0);
}

static void timer_changed(void *opaque)
{
	(void)opaque;
}

/* The guest's port I/O: PIC, PIT and the ucall port. */
static bool board_io(struct board *b, struct kvm_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool write = run->io.direction == KVM_EXIT_IO_OUT;

	if (run->io.port == 0x20 && write && (data[0] & 0xe0) == 0x20)
		b->eois++;
	if (run->io.port == 0x20 || run->io.port == 0x21)
		return pic_io(&b->pic, run->io.port, write, data);
	if (run->io.port >= 0x40 && run->io.port <= 0x43)
		return pit_io(&b->pit, run->io.port, write, data);
	return false;
}

static void sleep_until(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ull, .tv_nsec = ns % 1000000000ull };

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static void case_ticks(void)
{
	bool bochs = dmi_has("bios_vendor", "Bochs");
	/*
	 * Bochs's clock is its own, and 2 s of it took 2.5 minutes of wall
	 * time with the guest halted between ticks: 0.2 s there.
	 */
	double secs = env_double("PIT_SECONDS", bochs ? 0.2 : 2.0), t0, elapsed;
	struct vm *vm = vm_create(MEM_SIZE);
	unsigned long given = 0;
	struct board b = { 0 };
	struct vcpu *vcpu;
	uint64_t ticks;
	double rate;
	bool ok;
	int v;

	pic_init(&b.pic);
	pit_init(&b.pit, mono_ns, pulse_irq0, timer_changed, &b);
	vm_load(vm, GUEST_LOAD, pt_guest_start, pt_guest_end);
	vcpu = vcpu_add(vm, 0);
	vcpu_set_mode(vcpu, MODE_LONG, GUEST_ADDR(pt_main), STACK_TOP);
	for (v = 0; v < 256; v++)
		idt_set_gate((uint8_t *)vm->mem + IDT_GPA, v,
			     GUEST_ADDR(v == VEC_BASE ? pt_irq0 : pt_bad), true);
	vcpu_set_idt(vcpu, IDT_GPA, 256 * 16 - 1);

	/* The guest programs the PIC and the PIT, then says so. */
	for (;;) {
		vcpu_run(vcpu);
		assert_exit(vcpu, KVM_EXIT_IO);
		if (vcpu->run->io.port == UCALL_PORT)
			break;
		TEST_ASSERT(board_io(&b, vcpu->run), "port %#x", vcpu->run->io.port);
	}
	t0 = now_seconds();
	while ((elapsed = now_seconds() - t0) < secs) {
		struct kvm_run *run = vcpu->run;

		pit_update(&b.pit);
		run->request_interrupt_window = 0;
		if (pic_has_interrupt(&b.pic)) {
			if (run->ready_for_interrupt_injection) {
				struct kvm_interrupt irq = { .irq = pic_ack(&b.pic) };

				kvm_ioctl(vcpu->fd, KVM_INTERRUPT, &irq);
				given++;
			} else {
				run->request_interrupt_window = 1;
			}
		}
		vcpu_run(vcpu);
		switch (run->exit_reason) {
		case KVM_EXIT_HLT:
			/* Nothing to give: wait for the PIT's next tick. */
			pit_update(&b.pit);
			if (!pic_has_interrupt(&b.pic))
				sleep_until(pit_next_event(&b.pit));
			break;
		case KVM_EXIT_IO:
			TEST_ASSERT(run->io.port != UCALL_PORT, "guest ucall: bad vector");
			TEST_ASSERT(board_io(&b, run), "port %#x", run->io.port);
			break;
		case KVM_EXIT_IRQ_WINDOW_OPEN:
			break;
		default:
			assert_exit(vcpu, KVM_EXIT_HLT);
		}
	}
	ticks = *(uint64_t *)((uint8_t *)vm->mem + D_TICKS);
	rate = ticks / elapsed;
	ktap_info("%s: %llu ticks in %.2f s: %.1f Hz (programmed 100 Hz); %lu given, %lu EOIs",
		  on_kvm ? "KVM" : "minikvm", (unsigned long long)ticks, elapsed, rate, given, b.eois);
	ok = bochs ? ticks > 0 : rate >= 90 && rate <= 110;
	ktap_result(ok, "%sticks_at_programmed_rate", dev_tag);
	/* The last one given may still be in the handler: at most one short. */
	ok = ticks == given || ticks + 1 == given;
	ok = ok && (b.eois == ticks || b.eois + 1 == ticks);
	ktap_result(ok && ticks > 0, "%severy_tick_taken_once", dev_tag);
	vcpu_free(vcpu);
	vm_free(vm);
}

int main(void)
{
	return run_on_minikvm_and_kvm(case_ticks, 2, 2);
}
