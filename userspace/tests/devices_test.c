// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of minikvm-run's PC device models (make unit):
 * no VM, no /dev/kvm.  Each case drives a model through its port
 * interface the way Linux drives the real chip, with a fake clock where
 * time matters, and prints one KTAP line.  A last case loads a made-up
 * bzImage as the Linux mode does and checks the zero page.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <asm/bootparam.h>

#include "kvm_util.h"

#include "bzimage.h"
#include "i8042.h"
#include "pic.h"
#include "pit.h"
#include "rtc.h"
#include "uart.h"

/* ---- helpers ---- */

static uint64_t fake_ns;	/* the fake clock, monotonic or realtime */

static uint64_t fake_clock(void *opaque)
{
	(void)opaque;
	return fake_ns;
}

static uint8_t in8(bool (*io)(void *, uint16_t, bool, uint8_t *), void *dev, uint16_t port)
{
	uint8_t v = 0xaa;

	io(dev, port, false, &v);
	return v;
}

static void out8(bool (*io)(void *, uint16_t, bool, uint8_t *), void *dev, uint16_t port,
		 uint8_t v)
{
	io(dev, port, true, &v);
}

/* Typed wrappers, so that the helpers above take any model. */
static bool pic_io_v(void *d, uint16_t p, bool w, uint8_t *v) { return pic_io(d, p, w, v); }
static bool pit_io_v(void *d, uint16_t p, bool w, uint8_t *v) { return pit_io(d, p, w, v); }
static bool uart_io_v(void *d, uint16_t p, bool w, uint8_t *v) { return uart_io(d, p, w, v); }
static bool rtc_io_v(void *d, uint16_t p, bool w, uint8_t *v) { return rtc_io(d, p, w, v); }
static bool kbd_io_v(void *d, uint16_t p, bool w, uint8_t *v) { return i8042_io(d, p, w, v); }

#define PIC_IN(p, port)		in8(pic_io_v, (p), (port))
#define PIC_OUT(p, port, v)	out8(pic_io_v, (p), (port), (v))
#define PIT_IN(p, port)		in8(pit_io_v, (p), (port))
#define PIT_OUT(p, port, v)	out8(pit_io_v, (p), (port), (v))
#define UART_IN(u, reg)		in8(uart_io_v, (u), UART_COM1 + (reg))
#define UART_OUT(u, reg, v)	out8(uart_io_v, (u), UART_COM1 + (reg), (v))
#define RTC_IN(r, port)		in8(rtc_io_v, (r), (port))
#define RTC_OUT(r, port, v)	out8(rtc_io_v, (r), (port), (v))

/* ---- 8259A ---- */

/* Linux's init_8259A(): vectors 0x30-0x3f, cascade on IR2, normal EOI. */
static void pic_linux_init(struct pic *p, uint8_t icw4)
{
	pic_init(p);
	PIC_OUT(p, 0x21, 0xff);
	PIC_OUT(p, 0x20, 0x11);
	PIC_OUT(p, 0x21, 0x30);
	PIC_OUT(p, 0x21, 0x04);
	PIC_OUT(p, 0x21, icw4);
	PIC_OUT(p, 0xa0, 0x11);
	PIC_OUT(p, 0xa1, 0x38);
	PIC_OUT(p, 0xa1, 0x02);
	PIC_OUT(p, 0xa1, icw4);
	PIC_OUT(p, 0x21, 0xff);
	PIC_OUT(p, 0xa1, 0xff);
}

static bool pic_init_and_probe(void)
{
	struct pic p;

	pic_linux_init(&p, 0x01);
	/* probe_8259A(): what is written to the master's IMR reads back. */
	PIC_OUT(&p, 0x21, 0xfb);
	KTAP_CHECK(PIC_IN(&p, 0x21) == 0xfb, "IMR read back %#x", PIC_IN(&p, 0x21));
	KTAP_CHECK(p.chip[0].base == 0x30 && p.chip[1].base == 0x38, "ICW2 bases");
	KTAP_CHECK(!p.chip[0].next_icw && !p.chip[1].next_icw, "init sequence not finished");
	/* A write to the data port is OCW1 now, not an ICW. */
	PIC_OUT(&p, 0xa1, 0x12);
	KTAP_CHECK(PIC_IN(&p, 0xa1) == 0x12 && p.chip[1].base == 0x38, "OCW1 on the slave");
	return true;
}

static bool pic_priority_and_eoi(void)
{
	struct pic p;

	pic_linux_init(&p, 0x01);
	PIC_OUT(&p, 0x21, 0x00);
	pic_set_irq(&p, 4, 1);
	pic_set_irq(&p, 0, 1);
	KTAP_CHECK(pic_has_interrupt(&p), "no INT with IRQ 0 and 4 raised");
	KTAP_CHECK(pic_peek_vector(&p) == 0x30, "peek %#x", pic_peek_vector(&p));
	KTAP_CHECK(pic_ack(&p) == 0x30, "IRQ 0 first");
	/* Fully nested: IRQ 4 waits while IRQ 0 is in service. */
	KTAP_CHECK(!pic_has_interrupt(&p), "IRQ 4 passed IRQ 0 in service");
	PIC_OUT(&p, 0x20, 0x0b);			/* OCW3: read ISR */
	KTAP_CHECK(PIC_IN(&p, 0x20) == 0x01, "ISR %#x", PIC_IN(&p, 0x20));
	PIC_OUT(&p, 0x20, 0x0a);			/* OCW3: read IRR */
	KTAP_CHECK(PIC_IN(&p, 0x20) == 0x10, "IRR %#x", PIC_IN(&p, 0x20));
	/* A higher priority request nests over a lower one in service. */
	pic_set_irq(&p, 0, 0);
	PIC_OUT(&p, 0x20, 0x20);			/* non-specific EOI */
	KTAP_CHECK(pic_ack(&p) == 0x34, "IRQ 4 after EOI");
	pic_set_irq(&p, 1, 1);
	KTAP_CHECK(pic_has_interrupt(&p) && pic_ack(&p) == 0x31, "IRQ 1 nests over 4");
	/* Non-specific EOI ends the highest priority in service: IRQ 1. */
	PIC_OUT(&p, 0x20, 0x20);
	KTAP_CHECK(p.chip[0].isr == 0x10, "ISR after EOI %#x", p.chip[0].isr);
	PIC_OUT(&p, 0x20, 0x64);			/* specific EOI of IRQ 4 */
	KTAP_CHECK(p.chip[0].isr == 0, "ISR after specific EOI %#x", p.chip[0].isr);
	return true;
}

static bool pic_mask_and_edge(void)
{
	struct pic p;

	pic_linux_init(&p, 0x01);			/* everything masked */
	pic_set_irq(&p, 3, 1);
	KTAP_CHECK(!pic_has_interrupt(&p), "a masked IRQ reached the CPU");
	PIC_OUT(&p, 0x21, 0xf7);			/* unmask IRQ 3 */
	KTAP_CHECK(pic_has_interrupt(&p) && pic_ack(&p) == 0x33, "latched edge after unmask");
	PIC_OUT(&p, 0x20, 0x63);
	/* Still high: an edge input wants a new rising edge. */
	KTAP_CHECK(!pic_has_interrupt(&p), "a held edge input requested again");
	pic_set_irq(&p, 3, 0);
	pic_set_irq(&p, 3, 1);
	KTAP_CHECK(pic_has_interrupt(&p), "a new edge was missed");
	/* A pulse (up and down before the acknowledge) is latched too. */
	pic_set_irq(&p, 3, 0);
	pic_ack(&p);
	PIC_OUT(&p, 0x20, 0x20);
	pic_set_irq(&p, 3, 1);
	pic_set_irq(&p, 3, 0);
	KTAP_CHECK(pic_has_interrupt(&p) && pic_ack(&p) == 0x33, "a pulse was lost");
	return true;
}

static bool pic_cascade(void)
{
	struct pic p;

	pic_linux_init(&p, 0x01);
	PIC_OUT(&p, 0x21, 0xfb);			/* cascade only */
	PIC_OUT(&p, 0xa1, 0xef);			/* IRQ 12 */
	pic_set_irq(&p, 12, 1);
	KTAP_CHECK(pic_has_interrupt(&p), "slave IRQ 12 did not reach the CPU");
	KTAP_CHECK(pic_ack(&p) == 0x3c, "IRQ 12 vector");
	KTAP_CHECK(p.chip[0].isr == 0x04 && p.chip[1].isr == 0x10, "ISRs %#x %#x",
	      p.chip[0].isr, p.chip[1].isr);
	/* Linux's EOI of a slave IRQ: specific EOI on both. */
	PIC_OUT(&p, 0xa0, 0x64);
	PIC_OUT(&p, 0x20, 0x62);
	KTAP_CHECK(!p.chip[0].isr && !p.chip[1].isr, "ISRs after EOI");
	/* Two slave requests: the second comes after the EOIs. */
	PIC_OUT(&p, 0xa1, 0x00);
	pic_set_irq(&p, 12, 0);
	pic_set_irq(&p, 9, 1);
	pic_set_irq(&p, 12, 1);
	KTAP_CHECK(pic_ack(&p) == 0x39, "IRQ 9 first");
	KTAP_CHECK(!pic_has_interrupt(&p), "IRQ 12 passed the cascade in service");
	PIC_OUT(&p, 0xa0, 0x61);
	PIC_OUT(&p, 0x20, 0x62);
	KTAP_CHECK(pic_has_interrupt(&p) && pic_ack(&p) == 0x3c, "IRQ 12 after EOI");
	return true;
}

static bool pic_spurious(void)
{
	struct pic p;

	pic_linux_init(&p, 0x01);
	PIC_OUT(&p, 0x21, 0x00);
	PIC_OUT(&p, 0xa1, 0x00);
	/* A level-triggered IRQ 5 whose request goes before the acknowledge. */
	PIC_OUT(&p, 0x4d0, 0x20);
	pic_set_irq(&p, 5, 1);
	KTAP_CHECK(pic_has_interrupt(&p), "level IRQ 5");
	pic_set_irq(&p, 5, 0);
	KTAP_CHECK(pic_ack(&p) == 0x37, "spurious IRQ 7 vector");
	KTAP_CHECK(!p.chip[0].isr, "a spurious IRQ 7 set ISR %#x", p.chip[0].isr);
	/* The same on the slave: IRQ 15, with the master's cascade in service. */
	PIC_OUT(&p, 0x4d1, 0x04);
	pic_set_irq(&p, 10, 1);
	pic_set_irq(&p, 10, 0);
	KTAP_CHECK(pic_ack(&p) == 0x3f, "spurious IRQ 15 vector");
	KTAP_CHECK(!p.chip[1].isr && p.chip[0].isr == 0x04, "ISRs %#x %#x",
	      p.chip[0].isr, p.chip[1].isr);
	return true;
}

static bool pic_elcr_aeoi_poll(void)
{
	struct pic p;

	pic_linux_init(&p, 0x03);			/* ICW4: 8086, AEOI */
	PIC_OUT(&p, 0x4d0, 0xff);
	PIC_OUT(&p, 0x4d1, 0xff);
	/* IRQ 0, 1, 2, 8 and 13 cannot be level triggered. */
	KTAP_CHECK(PIC_IN(&p, 0x4d0) == 0xf8 && PIC_IN(&p, 0x4d1) == 0xde, "ELCR %#x %#x",
	      PIC_IN(&p, 0x4d0), PIC_IN(&p, 0x4d1));
	PIC_OUT(&p, 0x4d0, 0);
	PIC_OUT(&p, 0x4d1, 0);
	PIC_OUT(&p, 0x21, 0x00);
	pic_set_irq(&p, 6, 1);
	KTAP_CHECK(pic_ack(&p) == 0x36 && !p.chip[0].isr, "AEOI left ISR %#x", p.chip[0].isr);
	/* OCW3 poll: the read answers 0x80 | level and acknowledges it. */
	pic_set_irq(&p, 6, 0);
	pic_set_irq(&p, 6, 1);
	PIC_OUT(&p, 0x20, 0x0c);
	KTAP_CHECK(PIC_IN(&p, 0x20) == 0x86, "poll");
	KTAP_CHECK(!pic_has_interrupt(&p) && PIC_IN(&p, 0x20) == 0, "poll acknowledged");
	return true;
}

/* ---- 8254 ---- */

static unsigned int irq0_pulses, timer_changes;

static void count_pulse(void *opaque) { (void)opaque; irq0_pulses++; }
static void count_change(void *opaque) { (void)opaque; timer_changes++; }

static void pit_setup(struct pit *p)
{
	fake_ns = 1000000000;		/* any start */
	irq0_pulses = timer_changes = 0;
	pit_init(p, fake_clock, count_pulse, count_change, NULL);
}

static uint16_t pit_read16(struct pit *p, uint16_t port)
{
	uint8_t lo = PIT_IN(p, port);

	return lo | PIT_IN(p, port) << 8;
}

/* The count after NS from a load of N, binary mode 0. */
static uint16_t mode0_expect(uint32_t n, uint64_t ns)
{
	return (n - ns * PIT_HZ / 1000000000ull) & 0xffff;
}

static bool pit_mode0_channel2(void)
{
	uint64_t t0;
	struct pit p;
	uint16_t v;

	pit_setup(&p);
	/* quick_pit_calibrate(): gate high, speaker off, mode 0, 0xffff. */
	PIT_OUT(&p, PORT_B, (PIT_IN(&p, PORT_B) & ~0x02) | 0x01);
	PIT_OUT(&p, 0x43, 0xb0);
	KTAP_CHECK(!(PIT_IN(&p, PORT_B) & 0x20), "OUT2 high after the mode 0 control word");
	PIT_OUT(&p, 0x42, 0xff);
	PIT_OUT(&p, 0x42, 0xff);
	t0 = fake_ns;
	fake_ns = t0 + 1000000;			/* 1 ms: 1193 clocks */
	v = pit_read16(&p, 0x42);
	KTAP_CHECK(v == mode0_expect(0xffff, 1000000), "count after 1 ms %#x", v);
	/* pit_verify_msb(): the MSB read second is the live count's. */
	fake_ns = t0 + 20000000;
	PIT_IN(&p, 0x42);
	KTAP_CHECK(PIT_IN(&p, 0x42) == mode0_expect(0xffff, 20000000) >> 8, "live MSB");
	KTAP_CHECK(!(PIT_IN(&p, PORT_B) & 0x20), "OUT2 high before terminal count");
	/* Gate low pauses the count. */
	PIT_OUT(&p, PORT_B, 0x00);
	fake_ns = t0 + 40000000;
	v = pit_read16(&p, 0x42);
	KTAP_CHECK(v == mode0_expect(0xffff, 20000000), "count moved with gate low %#x", v);
	PIT_OUT(&p, PORT_B, 0x01);
	fake_ns = t0 + 80000000;		/* 20 + 40 ms of counting: past 0 */
	KTAP_CHECK(PIT_IN(&p, PORT_B) & 0x20, "OUT2 low after terminal count");
	return true;
}

static bool pit_latch_and_readback(void)
{
	struct pit p;
	uint16_t v;
	uint8_t s;

	pit_setup(&p);
	PIT_OUT(&p, 0x43, 0x34);		/* channel 0, lo/hi, mode 2 */
	PIT_OUT(&p, 0x40, 0x9c);
	PIT_OUT(&p, 0x40, 0x2e);		/* 11932: 10 ms */
	fake_ns += 5000000;
	PIT_OUT(&p, 0x43, 0x00);		/* counter latch */
	fake_ns += 3000000;			/* the latch holds */
	v = pit_read16(&p, 0x40);
	KTAP_CHECK(v == 11932 - 5965, "latched count %u", v);
	/* Read-back of channel 0: status, then count. */
	PIT_OUT(&p, 0x43, 0xc2);
	s = PIT_IN(&p, 0x40);
	KTAP_CHECK(s == 0xb4, "status %#x (OUT high, lo/hi, mode 2, binary)", s);
	v = pit_read16(&p, 0x40);
	KTAP_CHECK(v == 11932 - 9545, "read-back count %u", v);
	/* Status only, with null count after a new control word. */
	PIT_OUT(&p, 0x43, 0x30);
	PIT_OUT(&p, 0x43, 0xe2);
	s = PIT_IN(&p, 0x40);
	KTAP_CHECK(s == 0x70, "status after control word %#x", s);
	/* Lobyte-only access: one write loads, one read reads. */
	PIT_OUT(&p, 0x43, 0x50);		/* channel 1, lobyte, mode 0 */
	PIT_OUT(&p, 0x41, 200);
	fake_ns += 100 * 1000000000ull / PIT_HZ + 1;
	KTAP_CHECK(PIT_IN(&p, 0x41) == 100, "lobyte count %u", PIT_IN(&p, 0x41));
	/* BCD: 1000 decimal counted 250 down reads 0x0750. */
	PIT_OUT(&p, 0x43, 0x71);		/* channel 1, lo/hi, mode 0, BCD */
	PIT_OUT(&p, 0x41, 0x00);
	PIT_OUT(&p, 0x41, 0x10);
	fake_ns += 250 * 1000000000ull / PIT_HZ + 1;
	v = pit_read16(&p, 0x41);
	KTAP_CHECK(v == 0x0750, "BCD count %#x", v);
	return true;
}

static bool pit_mode2_irq0(void)
{
	uint64_t t0, next;
	struct pit p;

	pit_setup(&p);
	PIT_OUT(&p, 0x43, 0x34);
	PIT_OUT(&p, 0x40, 1193 & 0xff);
	PIT_OUT(&p, 0x40, 1193 >> 8);		/* ~1 ms */
	t0 = fake_ns;
	KTAP_CHECK(timer_changes == 2, "reprogramming not reported (%u)", timer_changes);
	next = pit_next_event(&p);
	KTAP_CHECK(next >= t0 + 999847 && next <= t0 + 999848, "first edge at +%llu ns",
	      (unsigned long long)(next - t0));
	fake_ns = next - 1;
	KTAP_CHECK(!pit_update(&p) && !irq0_pulses, "IRQ 0 before the edge");
	fake_ns = t0 + 2500000;		/* two edges passed: one request */
	KTAP_CHECK(pit_update(&p) && irq0_pulses == 1, "pulses %u", irq0_pulses);
	KTAP_CHECK(!pit_update(&p), "the same edges twice");
	next = pit_next_event(&p);
	KTAP_CHECK(next > t0 + 2990000 && next < t0 + 3000000, "third edge at +%llu ns",
	      (unsigned long long)(next - t0));
	/* OUT is low for the one clock at count 1. */
	fake_ns = t0 + 1192 * 1000000000ull / PIT_HZ + 1;
	KTAP_CHECK(!pit_out(&p, 0), "OUT high at count 1");
	return true;
}

static bool pit_mode0_oneshot_irq0(void)
{
	struct pit p;
	uint64_t t0;

	pit_setup(&p);
	PIT_OUT(&p, 0x43, 0x30);		/* Linux's PIT oneshot clockevent */
	PIT_OUT(&p, 0x40, 0x00);
	KTAP_CHECK(!pit_next_event(&p), "an event with half a count");
	PIT_OUT(&p, 0x40, 0x10);		/* 4096 clocks */
	t0 = fake_ns;
	KTAP_CHECK(pit_next_event(&p) > t0 + 3432000 && pit_next_event(&p) < t0 + 3433000,
	      "edge at +%llu", (unsigned long long)(pit_next_event(&p) - t0));
	fake_ns = t0 + 10000000;
	KTAP_CHECK(pit_update(&p) && irq0_pulses == 1, "terminal count IRQ");
	KTAP_CHECK(!pit_next_event(&p), "mode 0 fires once");
	fake_ns += 100000000;
	KTAP_CHECK(!pit_update(&p) && pit_out(&p, 0), "OUT stays high after terminal count");
	return true;
}

static bool pit_mode3_square(void)
{
	struct pit p;
	uint64_t t0, tick = 1000000000ull / PIT_HZ;
	uint16_t v;

	pit_setup(&p);
	PIT_OUT(&p, PORT_B, 0x01);
	PIT_OUT(&p, 0x43, 0xb6);		/* channel 2, lo/hi, mode 3 */
	PIT_OUT(&p, 0x42, 100);
	PIT_OUT(&p, 0x42, 0);
	t0 = fake_ns;
	KTAP_CHECK(pit_out(&p, 2), "OUT low at the start");
	fake_ns = t0 + 10 * tick + tick / 2;
	v = pit_read16(&p, 0x42);
	KTAP_CHECK(v == 80, "counts by two: %u after 10 clocks", v);
	fake_ns = t0 + 60 * tick + tick / 2;
	KTAP_CHECK(!pit_out(&p, 2) && !(PIT_IN(&p, PORT_B) & 0x20), "OUT high in the second half");
	fake_ns = t0 + 100 * tick + tick / 2;
	KTAP_CHECK(pit_out(&p, 2), "OUT low in the next period");
	/* Gate low forces OUT high and a rising gate restarts the period. */
	fake_ns = t0 + 160 * tick + tick / 2;
	PIT_OUT(&p, PORT_B, 0x00);
	KTAP_CHECK(pit_out(&p, 2), "OUT low with gate low");
	PIT_OUT(&p, PORT_B, 0x01);
	v = pit_read16(&p, 0x42);
	KTAP_CHECK(v == 100, "no reload on the rising gate: %u", v);
	return true;
}

/* ---- 16550A ---- */

static uint8_t tx_log[64];
static unsigned int tx_len;
static int uart_irq_level;

static void uart_tx_log(void *opaque, uint8_t b) { (void)opaque; tx_log[tx_len++ % 64] = b; }
static void uart_irq_log(void *opaque, int level) { (void)opaque; uart_irq_level = level; }

static void uart_setup(struct uart *u)
{
	tx_len = 0;
	uart_irq_level = 0;
	uart_init(u, UART_COM1, uart_tx_log, uart_irq_log, NULL);
}

/* Linux's autoconfig() and autoconfig_16550a() with the full probe. */
static bool uart_linux_probe(void)
{
	uint8_t scratch, scratch2, scratch3, save_lcr, save_mcr, status1, status2, iir;
	unsigned int count;
	struct uart u;

	uart_setup(&u);
	/* IER existence test */
	scratch = UART_IN(&u, 1);
	UART_OUT(&u, 1, 0);
	scratch2 = UART_IN(&u, 1) & 0x0f;
	UART_OUT(&u, 1, 0x0f);
	scratch3 = UART_IN(&u, 1) & 0x0f;
	UART_OUT(&u, 1, scratch);
	KTAP_CHECK(scratch2 == 0 && scratch3 == 0x0f, "IER test %#x %#x", scratch2, scratch3);
	save_mcr = UART_IN(&u, 4);
	save_lcr = UART_IN(&u, 3);
	/* Loopback: RTS and OUT2 come back as CTS and DCD. */
	UART_OUT(&u, 4, 0x10 | 0x0a);
	status1 = UART_IN(&u, 6) & 0xf0;
	UART_OUT(&u, 4, save_mcr);
	KTAP_CHECK(status1 == 0x90, "loopback MSR %#x", status1);
	/* EFR would hide behind LCR 0xbf; then FIFOs on, IIR bits 7-6. */
	UART_OUT(&u, 3, 0xbf);
	UART_OUT(&u, 2, 0);
	UART_OUT(&u, 3, 0);
	UART_OUT(&u, 2, 0x01);
	iir = UART_IN(&u, 2);
	KTAP_CHECK(iir >> 6 == 3, "IIR %#x: not a 16550A", iir);
	/* autoconfig_16550a(): no EFR with DLAB, nor with LCR 0xbf. */
	UART_OUT(&u, 3, 0x80);
	KTAP_CHECK(UART_IN(&u, 2) != 0, "an EFR with DLAB set (ST16C650V1)");
	UART_OUT(&u, 3, 0xbf);
	KTAP_CHECK(UART_IN(&u, 2) != 0, "an EFR with LCR 0xbf (ST16C650V2)");
	/* No National Semiconductor EXCR1 following MCR LOOP. */
	UART_OUT(&u, 3, 0);
	status1 = UART_IN(&u, 4);
	UART_OUT(&u, 3, 0xe0);
	status2 = UART_IN(&u, 2);
	KTAP_CHECK(!((status2 ^ status1) & 0x10), "EXCR1 differs");
	UART_OUT(&u, 3, 0);
	UART_OUT(&u, 4, status1 ^ 0x10);
	UART_OUT(&u, 3, 0xe0);
	status2 = UART_IN(&u, 2);
	UART_OUT(&u, 3, 0);
	UART_OUT(&u, 4, status1);
	KTAP_CHECK(!((status2 ^ status1) & 0x10), "looks like an NS16550A");
	/* No TI16750 64-byte FIFO bit in IIR, with or without DLAB. */
	UART_OUT(&u, 2, 0x21);
	status1 = UART_IN(&u, 2) >> 5;
	UART_OUT(&u, 2, 0x01);
	UART_OUT(&u, 3, 0x80);
	UART_OUT(&u, 2, 0x21);
	status2 = UART_IN(&u, 2) >> 5;
	UART_OUT(&u, 2, 0x01);
	UART_OUT(&u, 3, 0);
	KTAP_CHECK(status1 == 6 && status2 == 6, "IIR>>5 %u %u (7 means a 16750)", status1, status2);
	/* IER bit 6 (XScale UUE) does not stick. */
	UART_OUT(&u, 1, 0x40);
	KTAP_CHECK(!(UART_IN(&u, 1) & 0x40), "IER UUE sticks: an XScale");
	UART_OUT(&u, 1, 0);
	/* size_fifo(): 256 bytes looped back, 16 held. */
	UART_OUT(&u, 2, 0x07);
	UART_OUT(&u, 4, 0x10);
	UART_OUT(&u, 3, 0x80);
	UART_OUT(&u, 0, 1);
	UART_OUT(&u, 1, 0);
	UART_OUT(&u, 3, 0x03);
	for (count = 0; count < 256; count++)
		UART_OUT(&u, 0, count);
	for (count = 0; (UART_IN(&u, 5) & 0x01) && count < 256; count++)
		UART_IN(&u, 0);
	KTAP_CHECK(count == 16, "FIFO size %u", count);
	KTAP_CHECK(tx_len == 0, "loopback bytes reached the line");
	UART_OUT(&u, 4, save_mcr);
	UART_OUT(&u, 3, save_lcr);
	return true;
}

/* serial8250_do_startup()'s THRE test and transmission by interrupt. */
static bool uart_thre(void)
{
	uint8_t iir1, iir;
	struct uart u;

	uart_setup(&u);
	UART_OUT(&u, 2, 0xc7);			/* FIFOs on, cleared, trigger 14 */
	UART_OUT(&u, 4, 0x0b);			/* DTR, RTS, OUT2 */
	KTAP_CHECK(UART_IN(&u, 5) == 0x60, "LSR %#x", UART_IN(&u, 5));
	UART_OUT(&u, 1, 0x02);
	KTAP_CHECK(uart_irq_level, "no IRQ for THRE");
	iir1 = UART_IN(&u, 2);
	UART_OUT(&u, 1, 0);
	UART_OUT(&u, 1, 0x02);
	iir = UART_IN(&u, 2);
	UART_OUT(&u, 1, 0);
	KTAP_CHECK(iir1 == 0xc2 && iir == 0xc2, "THRE not reasserted: IIR %#x %#x", iir1, iir);
	KTAP_CHECK(!uart_irq_level, "IRQ stays up with IER 0");
	/* IIR read clears THRE; a THR write brings it back. */
	UART_OUT(&u, 1, 0x02);
	KTAP_CHECK(UART_IN(&u, 2) == 0xc2 && UART_IN(&u, 2) == 0xc1 && !uart_irq_level,
	      "IIR read did not clear THRE");
	UART_OUT(&u, 0, 'A');
	KTAP_CHECK(tx_len == 1 && tx_log[0] == 'A' && uart_irq_level, "THR write");
	/* Without OUT2 the interrupt does not reach the PIC. */
	UART_OUT(&u, 4, 0x03);
	KTAP_CHECK(!uart_irq_level, "IRQ without OUT2");
	return true;
}

static bool uart_receive(void)
{
	struct uart u;

	uart_setup(&u);
	KTAP_CHECK(!uart_guest_listens(&u), "listening before the guest enabled RX");
	UART_OUT(&u, 2, 0x81);			/* FIFOs, trigger 8 */
	UART_OUT(&u, 4, 0x08);
	UART_OUT(&u, 1, 0x05);			/* RDI, RLSI */
	KTAP_CHECK(uart_guest_listens(&u), "the guest's RX enable not seen");
	KTAP_CHECK(uart_rx_room(&u) == 16, "room %u", uart_rx_room(&u));
	uart_rx_push(&u, 'h');
	uart_rx_push(&u, 'i');
	KTAP_CHECK(uart_irq_level && UART_IN(&u, 2) == 0xcc, "character timeout IIR");
	KTAP_CHECK(UART_IN(&u, 5) == 0x61, "LSR with data %#x", UART_IN(&u, 5));
	KTAP_CHECK(UART_IN(&u, 0) == 'h' && UART_IN(&u, 0) == 'i', "RBR");
	KTAP_CHECK(!uart_irq_level && UART_IN(&u, 2) == 0xc1, "IRQ after the FIFO emptied");
	for (int i = 0; i < 8; i++)
		uart_rx_push(&u, '0' + i);
	KTAP_CHECK(UART_IN(&u, 2) == 0xc4, "trigger level IIR");
	for (int i = 0; i < 9; i++)
		uart_rx_push(&u, 'x');
	KTAP_CHECK(uart_rx_room(&u) == 0 && UART_IN(&u, 2) == 0xc6, "overrun IIR");
	KTAP_CHECK(UART_IN(&u, 5) == 0x63 && UART_IN(&u, 5) == 0x61, "LSR OE, read clears it");
	/* FCR clear empties the FIFO. */
	UART_OUT(&u, 2, 0x83);
	KTAP_CHECK(!(UART_IN(&u, 5) & 1) && !uart_irq_level, "FIFO clear");
	/* DLAB: the divisor latch, IER untouched. */
	UART_OUT(&u, 3, 0x83);
	UART_OUT(&u, 0, 0x01);
	UART_OUT(&u, 1, 0x00);
	UART_OUT(&u, 3, 0x03);
	KTAP_CHECK(u.dll == 1 && UART_IN(&u, 1) == 0x05, "divisor latch");
	return true;
}

/* ---- MC146818 ---- */

static uint8_t cmos(struct rtc *r, uint8_t index)
{
	RTC_OUT(r, 0x70, index);
	return RTC_IN(r, 0x71);
}

static bool rtc_bcd_time(void)
{
	struct rtc r;

	fake_ns = 1709214356ull * 1000000000 + 500000000;	/* 2024-02-29 13:45:56.5 */
	rtc_init(&r, 256 << 20, fake_clock, NULL);
	KTAP_CHECK(cmos(&r, 0x0b) == 0x02 && cmos(&r, 0x0a) == 0x26 && cmos(&r, 0x0d) == 0x80,
	      "status registers B A D");
	KTAP_CHECK(cmos(&r, 0) == 0x56 && cmos(&r, 2) == 0x45 && cmos(&r, 4) == 0x13, "time %x:%x:%x",
	      cmos(&r, 4), cmos(&r, 2), cmos(&r, 0));
	KTAP_CHECK(cmos(&r, 7) == 0x29 && cmos(&r, 8) == 0x02 && cmos(&r, 9) == 0x24 &&
	      cmos(&r, 0x32) == 0x20, "date");
	KTAP_CHECK(cmos(&r, 6) == 5, "weekday %u (Thursday is 5)", cmos(&r, 6));
	/* Binary, 12-hour: 1 PM. */
	RTC_OUT(&r, 0x70, 0x0b);
	RTC_OUT(&r, 0x71, 0x04);
	KTAP_CHECK(cmos(&r, 4) == 0x81 && cmos(&r, 0) == 56, "binary 12-hour %#x", cmos(&r, 4));
	return true;
}

static bool rtc_uip_and_cmos(void)
{
	struct rtc r;

	fake_ns = 1709214356ull * 1000000000 + 999800000;	/* 200 us before :57 */
	rtc_init(&r, 256 << 20, fake_clock, NULL);
	KTAP_CHECK(cmos(&r, 0x0a) & 0x80, "no UIP just before the update");
	RTC_OUT(&r, 0x70, 0x0b);
	RTC_OUT(&r, 0x71, 0x82);		/* SET stops updates */
	KTAP_CHECK(!(cmos(&r, 0x0a) & 0x80), "UIP with SET");
	fake_ns -= 100000000;
	RTC_OUT(&r, 0x70, 0x0b);
	RTC_OUT(&r, 0x71, 0x02);
	KTAP_CHECK(!(cmos(&r, 0x0a) & 0x80), "UIP in mid-second");
	KTAP_CHECK(cmos(&r, 0x0c) == 0, "register C flags");
	/* CMOS memory, through an index with the NMI mask bit. */
	RTC_OUT(&r, 0x70, 0x80 | 0x40);
	RTC_OUT(&r, 0x71, 0x5a);
	KTAP_CHECK(cmos(&r, 0x40) == 0x5a && !r.nmi_disabled, "CMOS byte");
	KTAP_CHECK(cmos(&r, 0x15) == 0x80 && cmos(&r, 0x16) == 0x02, "base memory 640K");
	KTAP_CHECK(cmos(&r, 0x17) == 0xff && cmos(&r, 0x18) == 0xff, "extended memory 64M cap");
	KTAP_CHECK(cmos(&r, 0x34) == 0x00 && cmos(&r, 0x35) == 0x0f, "memory above 16M %#x%02x",
	      cmos(&r, 0x35), cmos(&r, 0x34));
	/* Time registers follow the host: writes are dropped. */
	RTC_OUT(&r, 0x70, 0);
	RTC_OUT(&r, 0x71, 0x11);
	KTAP_CHECK(cmos(&r, 0) == 0x56, "seconds written");
	return true;
}

/* ---- 8042 ---- */

static unsigned int resets;

static void count_reset(void *opaque) { (void)opaque; resets++; }

static bool kbd_reset_line(void)
{
	struct i8042 k;

	i8042_init(&k, count_reset, NULL);
	KTAP_CHECK(in8(kbd_io_v, &k, 0x64) == 0 && in8(kbd_io_v, &k, 0x60) == 0, "status, data");
	out8(kbd_io_v, &k, 0x64, 0x20);
	KTAP_CHECK(resets == 0, "reset on another command");
	out8(kbd_io_v, &k, 0x64, 0xfe);
	KTAP_CHECK(resets == 1, "no reset on 0xfe");
	KTAP_CHECK(!i8042_io(&k, 0x61, false, &(uint8_t){ 0 }), "claims port 0x61");
	return true;
}

/* ---- the 64-bit boot protocol ---- */

/* bzimage.c's helper from minikvm-run.c, which has main(). */
void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type, int code64)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->type = type;
	s->l = code64;
}

static void write_tmp(char *path, const void *buf, size_t len)
{
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		perror(path);
	close(fd);
}

static bool bzimage_zero_page(void)
{
	static unsigned char img[0x3000], initrd[5000];
	char kpath[] = "/tmp/bzimageXXXXXX", ipath[] = "/tmp/initrdXXXXXX";
	struct linux_opts o = { .cmdline = "console=ttyS0 reboot=k" };
	struct setup_header *h = (struct setup_header *)(img + 0x1f1);
	uint64_t mem_size = 64 << 20, *pd;
	struct linux_boot b;
	struct boot_params *bp;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	unsigned char *mem;
	int r;

	/* One setup sector after the boot sector: the kernel at 0x400. */
	h->setup_sects = 1;
	h->boot_flag = 0xaa55;
	h->jump = 0x6aeb;			/* the header ends at 0x26c */
	memcpy(&h->header, "HdrS", 4);
	h->version = 0x020f;
	h->kernel_version = 0x300 - 0x200;
	strcpy((char *)img + 0x300, "6.1.0-test");
	h->loadflags = LOADED_HIGH;
	h->xloadflags = XLF_KERNEL_64;
	h->initrd_addr_max = 0x37ffffff;	/* above RAM: RAM's end wins */
	h->kernel_alignment = 0x200000;
	h->cmdline_size = 2047;
	h->pref_address = 0x1000000;
	h->init_size = 0x800000;
	memset(img + 0x400, 0x90, sizeof(img) - 0x400);
	memset(initrd, 0x5a, sizeof(initrd));
	write_tmp(kpath, img, sizeof(img));
	write_tmp(ipath, initrd, sizeof(initrd));
	o.kernel = kpath;
	o.initrd = ipath;
	mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r = bzimage_load(&o, mem, mem_size, &b);
	bp = (struct boot_params *)(mem + b.zero_page);
	KTAP_CHECK(r == 0, "bzimage_load failed");
	KTAP_CHECK(b.entry == 0x100200 && !strcmp(b.version, "6.1.0-test"), "entry, version");
	KTAP_CHECK(mem[0x100000] == 0x90 && mem[0x100000 + sizeof(img) - 0x400 - 1] == 0x90 &&
	      mem[0x100000 + sizeof(img) - 0x400] == 0, "kernel at 1 MiB");
	KTAP_CHECK(!memcmp(&bp->hdr.header, "HdrS", 4) && bp->hdr.kernel_alignment == 0x200000 &&
	      bp->hdr.init_size == 0x800000, "setup header copied");
	KTAP_CHECK(bp->hdr.type_of_loader == 0xff, "type_of_loader");
	KTAP_CHECK(!strcmp((char *)mem + bp->hdr.cmd_line_ptr, o.cmdline), "command line");
	KTAP_CHECK(bp->hdr.ramdisk_size == sizeof(initrd) && !(bp->hdr.ramdisk_image & 0xfff) &&
	      bp->hdr.ramdisk_image + sizeof(initrd) <= mem_size &&
	      bp->hdr.ramdisk_image + sizeof(initrd) > mem_size - 4096 &&
	      mem[bp->hdr.ramdisk_image] == 0x5a, "initrd at %#x", bp->hdr.ramdisk_image);
	KTAP_CHECK(bp->e820_entries == 3 &&
	      bp->e820_table[0].addr == 0 && bp->e820_table[0].size == 0xa0000 &&
	      bp->e820_table[0].type == 1 &&
	      bp->e820_table[1].addr == 0xa0000 && bp->e820_table[1].type == 2 &&
	      bp->e820_table[2].addr == 0x100000 &&
	      bp->e820_table[2].size == mem_size - 0x100000 && bp->e820_table[2].type == 1,
	      "e820 table");
	bzimage_vcpu_state(&b, &sregs, &regs);
	KTAP_CHECK(regs.rip == 0x100200 && regs.rsi == b.zero_page && regs.rflags == 2, "regs");
	KTAP_CHECK(sregs.cs.selector == 0x10 && sregs.cs.l && sregs.ds.selector == 0x18 &&
	      sregs.ss.selector == 0x18 && sregs.efer == 0x500 && (sregs.cr0 & 0x80000001) &&
	      (sregs.cr4 & 0x20), "sregs");
	pd = (uint64_t *)(mem + (((uint64_t *)(mem + (*(uint64_t *)(mem + sregs.cr3) &
			  ~0xfffull)))[3] & ~0xfffull));
	KTAP_CHECK(pd[511] == (0xffe00000ull | 0x83), "the 4th GiB is identity-mapped");
	KTAP_CHECK(((uint64_t *)(mem + sregs.gdt.base))[2] == 0x00af9b000000ffffull, "GDT code");
	/* Too little memory for the kernel's init_size above 16 MiB, then no HdrS. */
	KTAP_CHECK(bzimage_load(&o, mem, 24 << 20, &b) < 0, "loaded into too little memory");
	memcpy(&h->header, "HdrX", 4);
	write_tmp(strcpy(kpath, "/tmp/bzimageXXXXXX"), img, sizeof(img));
	KTAP_CHECK(bzimage_load(&o, mem, mem_size, &b) < 0, "loaded without HdrS");
	unlink(kpath);
	unlink(ipath);
	munmap(mem, mem_size);
	return true;
}

static const struct {
	const char *name;
	bool (*fn)(void);
} cases[] = {
	{ "pic_init_and_probe", pic_init_and_probe },
	{ "pic_priority_and_eoi", pic_priority_and_eoi },
	{ "pic_mask_and_edge", pic_mask_and_edge },
	{ "pic_cascade", pic_cascade },
	{ "pic_spurious_irq7_irq15", pic_spurious },
	{ "pic_elcr_aeoi_poll", pic_elcr_aeoi_poll },
	{ "pit_mode0_channel2_calibration", pit_mode0_channel2 },
	{ "pit_latch_readback_access_bcd", pit_latch_and_readback },
	{ "pit_mode2_irq0", pit_mode2_irq0 },
	{ "pit_mode0_oneshot_irq0", pit_mode0_oneshot_irq0 },
	{ "pit_mode3_square_wave_gate", pit_mode3_square },
	{ "uart_linux_8250_probe_16550a", uart_linux_probe },
	{ "uart_thre_interrupt", uart_thre },
	{ "uart_receive_fifo", uart_receive },
	{ "rtc_bcd_time", rtc_bcd_time },
	{ "rtc_uip_and_cmos", rtc_uip_and_cmos },
	{ "i8042_reset_line", kbd_reset_line },
	{ "bzimage_zero_page_e820_entry", bzimage_zero_page },
};

int main(void)
{
	unsigned int i, n = sizeof(cases) / sizeof(cases[0]);

	ktap_plan(n);
	for (i = 0; i < n; i++)
		ktap_result(cases[i].fn(), "%s", cases[i].name);
	return ktap_finish();
}
