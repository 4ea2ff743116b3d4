// SPDX-License-Identifier: GPL-2.0
/*
 * The 8254 programmable interval timer (Intel 8254 datasheet, order no.
 * 231164) as wired in a PC/AT: a 1.193182 MHz input on all three
 * channels, channel 0's OUT on IRQ 0, channels 0 and 1 gated high,
 * channel 2's gate on bit 0 of port 0x61 and its OUT readable at bit 5.
 *
 * A counter is not stepped by a thread: its value and OUT are computed
 * from the time since it was loaded (or since its gate last changed),
 * so the guest can poll channel 2 as Linux's TSC calibration does
 * (quick_pit_calibrate(), pit_calibrate_tsc()) and see it move at the
 * right rate.  Channel 0's rising OUT edges are turned into IRQ 0 by
 * pit_update(), which the launcher calls from a timer armed for
 * pit_next_event().
 *
 * Modelled: the control word (mode, access, BCD); lobyte, hibyte and
 * lobyte/hibyte access with their read and write flip-flops; the counter
 * latch command; the read-back command (count and status, the status
 * with OUT and null count); binary and BCD counting; the gate.
 *
 *   mode 0  interrupt on terminal count: OUT low from the control word,
 *           rises when the count reaches 0; writing the LSB of a new
 *           lobyte/hibyte count stops the counter until its MSB comes.
 *   mode 2  rate generator: OUT low for the one clock at count 1.
 *   mode 3  square wave: counts down by two, OUT high for the first half
 *           of the period and low for the second.  For an odd count
 *           the high half is the longer by a clock as on the chip, but
 *           the value read is only approximately the chip's.
 *   mode 4  software strobe: OUT low for one clock at count 0.
 *   modes 1 and 5 (hardware one-shot and strobe) count like 0 and 4
 *           from the count write, without waiting for a gate edge; a
 *           rising gate restarts them, as on the chip.
 *
 * Not modelled: the one clock the chip takes to move a written count
 * into the counting element (the counter starts at once), and a new
 * count written while mode 2 or 3 runs takes effect at once instead of
 * at the end of the current period.  The gate is low-active in every
 * mode (counting pauses); in modes 2 and 3 a low gate forces OUT high
 * and its rising edge reloads the count, as on the chip.
 */
#include "pit.h"

#include <string.h>

#define NS_PER_S	1000000000ull

static uint64_t ns_to_ticks(uint64_t ns)
{
	return ns / NS_PER_S * PIT_HZ + ns % NS_PER_S * PIT_HZ / NS_PER_S;
}

/* The first ns at which TICKS ticks have passed (rounded up). */
static uint64_t ticks_to_ns(uint64_t ticks)
{
	return ticks / PIT_HZ * NS_PER_S +
	       (ticks % PIT_HZ * NS_PER_S + PIT_HZ - 1) / PIT_HZ;
}

static uint32_t modulus(const struct pit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

static uint16_t to_bcd(uint32_t v)
{
	return (v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10;
}

static uint32_t from_bcd(uint16_t v)
{
	return (v >> 12) * 1000 + (v >> 8 & 15) * 100 + (v >> 4 & 15) * 10 + (v & 15);
}

/* Clock ticks counted since the count was loaded. */
static uint64_t elapsed(const struct pit_channel *c, uint64_t now)
{
	if (!c->counting)
		return 0;
	if (!c->gate || now < c->start_ns)
		return c->base_ticks;
	return c->base_ticks + ns_to_ticks(now - c->start_ns);
}

/* The counting element's value, binary. */
static uint32_t count_now(const struct pit_channel *c, uint64_t now)
{
	uint32_t n = c->reload, mod = modulus(c), half;
	uint64_t e, p;

	if (!c->counting)
		return c->frozen;
	e = elapsed(c, now);
	switch (c->mode) {
	case 2:
		return (n - e % n) % mod;
	case 3:
		p = e % n;
		half = (n + 1) / 2;		/* the high half */
		if (p >= half)
			p -= half;
		return ((n & ~1u) - 2 * p) % mod;
	default:				/* 0, 1, 4, 5 */
		return (n + mod - e % mod) % mod;
	}
}

static bool out_now(const struct pit_channel *c, uint64_t now)
{
	uint32_t n = c->reload;
	uint64_t e;

	if (!c->counting)
		return c->mode != 0;	/* mode 0 starts low, the others high */
	if (!c->gate && (c->mode == 2 || c->mode == 3))
		return true;
	e = elapsed(c, now);
	switch (c->mode) {
	case 0:
	case 1:
		return e >= n;
	case 2:
		return e % n != n - 1;
	case 3:
		return e % n < (n + 1) / 2;
	default:				/* 4, 5 */
		return e != n;
	}
}

/* How many times OUT rose in the first E ticks after the load. */
static uint64_t edges(const struct pit_channel *c, uint64_t e)
{
	switch (c->mode) {
	case 0:
	case 1:
		return e >= c->reload;
	case 2:
	case 3:
		return e / c->reload;
	default:
		return e >= c->reload + 1ull;
	}
}

/* The tick (since the load) of rising edge number K (from 1), or 0. */
static uint64_t edge_tick(const struct pit_channel *c, uint64_t k)
{
	switch (c->mode) {
	case 0:
	case 1:
		return k == 1 ? c->reload : 0;
	case 2:
	case 3:
		return k * c->reload;
	default:
		return k == 1 ? c->reload + 1ull : 0;
	}
}

static uint64_t now(struct pit *p)
{
	return p->now_ns(p->opaque);
}

bool pit_out(struct pit *p, int n)
{
	return out_now(&p->ch[n], now(p));
}

/* A count write completed: load it and start counting. */
static void load(struct pit *p, struct pit_channel *c, uint16_t value)
{
	uint32_t n = c->bcd ? from_bcd(value) : value;

	if (n == 0)
		n = modulus(c);
	/* Modes 2 and 3 divide by at least 2: a count of 1 is not allowed. */
	if (n == 1 && (c->mode == 2 || c->mode == 3))
		n = 2;
	c->reload = n;
	c->counting = true;
	c->null_count = false;
	c->start_ns = now(p);
	c->base_ticks = 0;
	c->edges_seen = 0;
	if (c == &p->ch[0] && p->timer_changed)
		p->timer_changed(p->opaque);
}

static void stop(struct pit *p, struct pit_channel *c)
{
	c->frozen = count_now(c, now(p));
	c->counting = false;
	if (c == &p->ch[0] && p->timer_changed)
		p->timer_changed(p->opaque);
}

static void set_gate(struct pit *p, struct pit_channel *c, bool level)
{
	uint64_t t = now(p);

	if (level == c->gate)
		return;
	if (c->counting) {
		if (!level) {
			c->base_ticks = elapsed(c, t);
		} else {
			/* A rising gate restarts modes 1, 2, 3 and 5. */
			if (c->mode != 0 && c->mode != 4) {
				c->base_ticks = 0;
				c->edges_seen = 0;
			}
			c->start_ns = t;
		}
	}
	c->gate = level;
}

static void latch_count(struct pit *p, struct pit_channel *c)
{
	uint32_t v;

	if (c->latched)		/* a second latch before reading is ignored */
		return;
	v = count_now(c, now(p));
	c->latch = c->bcd ? to_bcd(v) : v;
	c->latched = true;
	c->latch_msb = false;
}

static void latch_status(struct pit *p, struct pit_channel *c)
{
	if (c->status_latched)
		return;
	c->status = out_now(c, now(p)) << 7 | c->null_count << 6 | c->rw << 4 |
		    c->mode << 1 | c->bcd;
	c->status_latched = true;
}

static void write_control(struct pit *p, uint8_t val)
{
	struct pit_channel *c;
	int i;

	if ((val >> 6) == 3) {
		/* Read-back: bit 5 clear latches counts, bit 4 clear status. */
		for (i = 0; i < 3; i++) {
			if (!(val & (2 << i)))
				continue;
			if (!(val & 0x20))
				latch_count(p, &p->ch[i]);
			if (!(val & 0x10))
				latch_status(p, &p->ch[i]);
		}
		return;
	}
	c = &p->ch[val >> 6];
	if (!(val & 0x30)) {
		latch_count(p, c);		/* counter latch command */
		return;
	}
	stop(p, c);
	c->rw = (val >> 4) & 3;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;			/* 6 and 7 are 2 and 3 */
	c->bcd = val & 1;
	c->null_count = true;
	c->write_msb = false;
	c->read_msb = false;
	c->latched = false;
	c->status_latched = false;
}

static void write_count(struct pit *p, struct pit_channel *c, uint8_t val)
{
	switch (c->rw) {
	case 1:
		load(p, c, val);
		break;
	case 2:
		load(p, c, val << 8);
		break;
	case 3:
		if (!c->write_msb) {
			c->write_lsb = val;
			c->write_msb = true;
			/* Mode 0: the first byte stops the count (and OUT is low). */
			if (c->mode == 0 && c->counting)
				stop(p, c);
			c->null_count = true;
		} else {
			c->write_msb = false;
			load(p, c, c->write_lsb | val << 8);
		}
		break;
	}
}

static uint8_t read_count(struct pit *p, struct pit_channel *c)
{
	uint16_t v;
	bool msb;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latched) {
		v = c->latch;
	} else {
		v = count_now(c, now(p));
		if (c->bcd)
			v = to_bcd(v);
	}
	switch (c->rw) {
	case 1:
		msb = false;
		c->latched = false;
		break;
	case 2:
		msb = true;
		c->latched = false;
		break;
	default:
		msb = c->latched ? c->latch_msb : c->read_msb;
		if (c->latched) {
			c->latch_msb = !msb;
			if (msb)
				c->latched = false;
		} else {
			c->read_msb = !msb;
		}
		break;
	}
	return msb ? v >> 8 : v & 0xff;
}

void pit_init(struct pit *p, uint64_t (*now_ns)(void *), void (*pulse_irq0)(void *),
	      void (*timer_changed)(void *), void *opaque)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->now_ns = now_ns;
	p->pulse_irq0 = pulse_irq0;
	p->timer_changed = timer_changed;
	p->opaque = opaque;
	for (i = 0; i < 3; i++) {
		p->ch[i].gate = i != 2;		/* port 0x61 bit 0 starts clear */
		p->ch[i].rw = 3;
	}
}

bool pit_io(struct pit *p, uint16_t port, bool is_write, uint8_t *val)
{
	if (port == PORT_B) {
		if (is_write) {
			/* Bits 0-3 are writable: gate 2, speaker, NMI enables. */
			p->port_b = *val & 0x0f;
			set_gate(p, &p->ch[2], *val & 1);
		} else {
			/*
			 * Bit 4 is the DRAM refresh toggle, every 15.085 us;
			 * bit 5 is channel 2's OUT; the NMI sources (6, 7)
			 * never fire.
			 */
			*val = p->port_b | ((now(p) / 15085) & 1) << 4 |
			       out_now(&p->ch[2], now(p)) << 5;
		}
		return true;
	}
	if (port < PIT_PORT_CH0 || port > PIT_PORT_CMD)
		return false;
	if (port == PIT_PORT_CMD) {
		if (is_write)
			write_control(p, *val);
		else
			*val = 0xff;		/* the control word is write-only */
		return true;
	}
	if (is_write)
		write_count(p, &p->ch[port - PIT_PORT_CH0], *val);
	else
		*val = read_count(p, &p->ch[port - PIT_PORT_CH0]);
	return true;
}

bool pit_update(struct pit *p)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t n;

	if (!c->counting)
		return false;
	n = edges(c, elapsed(c, now(p)));
	if (n <= c->edges_seen)
		return false;
	c->edges_seen = n;
	if (p->pulse_irq0)
		p->pulse_irq0(p->opaque);
	return true;
}

uint64_t pit_next_event(struct pit *p)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t tick;

	if (!c->counting || !c->gate)
		return 0;
	tick = edge_tick(c, c->edges_seen + 1);
	if (!tick)
		return 0;
	return c->start_ns + ticks_to_ns(tick - c->base_ticks);
}
