// SPDX-License-Identifier: GPL-2.0
/*
 * Two 8259A PICs in the PC/AT cascade (Intel 8259A datasheet, order no.
 * 231468; the ELCR from the Intel 82371/PIIX4 datasheets).
 *
 * Modelled: the ICW1-ICW4 initialisation sequence; OCW1 (the mask);
 * OCW2 non-specific and specific EOI; OCW3 reading IRR or ISR, special
 * mask mode and poll mode; fixed priority with IR0 highest, fully nested
 * (a request is passed to the CPU only if it has a higher priority than
 * every level in service) and special fully nested mode on the master;
 * automatic EOI; edge- and level-triggered inputs (ICW1 LTIM or the
 * ELCR); the acknowledge cycle with the spurious IR7 when the request
 * has gone by the time the CPU acknowledges it.
 *
 * Not modelled: priority rotation.  OCW2's rotate commands act as the
 * EOI they carry and "set priority" is ignored, so IR0 always has the
 * highest priority; Linux never rotates.  ICW4's buffered mode and the
 * 8080/8085 mode (ICW4 uPM = 0) are ignored: the chip always answers as
 * in 8086 mode, which is what an x86 CPU needs.
 *
 * Edge-triggered inputs latch a rising edge in the IRR until the request
 * is acknowledged, even when the input falls again first.  The datasheet
 * asks that an edge-triggered IR stays high until the acknowledge; the
 * launcher's timer pulses its input and must not lose the request.
 */
#include "pic.h"

#include <string.h>

#define CASCADE_IRQ	2

static inline struct i8259 *master(struct pic *p) { return &p->chip[0]; }
static inline struct i8259 *slave(struct pic *p) { return &p->chip[1]; }

/* The highest-priority (lowest-numbered) bit set in BITS, 8 if none. */
static int highest(uint8_t bits)
{
	int i;

	for (i = 0; i < 8; i++)
		if (bits & (1u << i))
			return i;
	return 8;
}

static bool level_triggered(const struct i8259 *c, int irq)
{
	return c->ltim || (c->elcr & (1u << irq));
}

/*
 * The IR level this chip would pass to the CPU now, or -1.  In fully
 * nested mode a level in service blocks itself and every lower one.  In
 * special mask mode a level in service blocks nothing once it is masked.
 * In special fully nested mode the master's cascade input in service
 * does not block the slave's further, higher-priority requests.
 */
static int chip_pending(const struct i8259 *c, bool is_master)
{
	uint8_t in_service = c->isr;
	int req = highest(c->irr & ~c->imr);

	if (req == 8)
		return -1;
	if (c->smm)
		in_service &= ~c->imr;
	if (c->sfnm && is_master)
		in_service &= ~(1u << CASCADE_IRQ);
	return req < highest(in_service) ? req : -1;
}

/* Drive one input of one chip. */
static void chip_set_line(struct i8259 *c, int irq, int level)
{
	uint8_t bit = 1u << irq;

	if (level_triggered(c, irq)) {
		if (level)
			c->irr |= bit;
		else
			c->irr &= ~bit;
	} else if (level && !(c->lines & bit)) {
		c->irr |= bit;		/* rising edge */
	}
	if (level)
		c->lines |= bit;
	else
		c->lines &= ~bit;
}

/* The slave's INT output is the master's IR2. */
static void update_cascade(struct pic *p)
{
	if (!master(p)->single)
		chip_set_line(master(p), CASCADE_IRQ, chip_pending(slave(p), false) >= 0);
}

/* Acknowledge IRQ on chip C: IRR to ISR (no ISR bit in AEOI mode). */
static void chip_ack(struct i8259 *c, int irq)
{
	uint8_t bit = 1u << irq;

	/* A level-triggered request stays in the IRR while its input is high. */
	if (!level_triggered(c, irq) || !(c->lines & bit))
		c->irr &= ~bit;
	if (!c->aeoi)
		c->isr |= bit;
}

void pic_init(struct pic *p)
{
	memset(p, 0, sizeof(*p));
	/* IRQ 0, 1, 2 (timer, keyboard, cascade), 8 and 13 are always edge. */
	master(p)->elcr_mask = 0xf8;
	slave(p)->elcr_mask = 0xde;
	master(p)->base = 0x08;		/* the PC BIOS's vectors, until ICW2 */
	slave(p)->base = 0x70;
}

bool pic_has_interrupt(const struct pic *p)
{
	return chip_pending(&p->chip[0], true) >= 0;
}

uint8_t pic_peek_vector(const struct pic *p)
{
	const struct i8259 *m = &p->chip[0], *s = &p->chip[1];
	int irq = chip_pending(m, true), sirq;

	if (irq < 0)
		return m->base | 7;
	if (irq != CASCADE_IRQ || m->single)
		return m->base | irq;
	sirq = chip_pending(s, false);
	return s->base | (sirq < 0 ? 7 : sirq);
}

uint8_t pic_ack(struct pic *p)
{
	struct i8259 *m = master(p), *s = slave(p);
	int irq = chip_pending(m, true), sirq;
	uint8_t vector;

	if (irq < 0)
		return m->base | 7;		/* spurious IRQ 7: no ISR bit */
	chip_ack(m, irq);
	if (irq != CASCADE_IRQ || m->single) {
		vector = m->base | irq;
	} else {
		sirq = chip_pending(s, false);
		if (sirq < 0) {
			vector = s->base | 7;	/* spurious IRQ 15 */
		} else {
			chip_ack(s, sirq);
			vector = s->base | sirq;
		}
		/*
		 * The slave drops INT during the acknowledge and raises it
		 * again if a request remains: a new edge on the master's IR2.
		 */
		m->lines &= ~(1u << CASCADE_IRQ);
	}
	update_cascade(p);
	return vector;
}

void pic_set_irq(struct pic *p, unsigned int irq, int level)
{
	if (irq >= 16)
		return;
	chip_set_line(&p->chip[irq >> 3], irq & 7, !!level);
	update_cascade(p);
}

/* OCW3 poll: the next read returns 0x80 | level and acknowledges it. */
static uint8_t chip_poll(struct pic *p, struct i8259 *c)
{
	int irq = chip_pending(c, c == master(p));

	c->poll = false;
	if (irq < 0)
		return 0;
	chip_ack(c, irq);
	update_cascade(p);
	return 0x80 | irq;
}

static void chip_write_cmd(struct pic *p, struct i8259 *c, uint8_t val)
{
	int irq;

	if (val & 0x10) {
		/*
		 * ICW1.  The datasheet: the edge sense circuit is reset (an
		 * edge input must go low and high again), the IMR is cleared,
		 * special mask mode is off, status read is set to the IRR,
		 * and without IC4 every ICW4 function is zero.
		 */
		c->need_icw4 = val & 0x01;
		c->single = val & 0x02;
		c->ltim = val & 0x08;
		c->imr = 0;
		c->isr = 0;
		c->irr = c->ltim ? c->lines : (c->lines & c->elcr);
		c->smm = false;
		c->read_isr = false;
		c->poll = false;
		c->aeoi = false;
		c->sfnm = false;
		c->next_icw = 2;
	} else if (val & 0x08) {
		/* OCW3 */
		if (val & 0x40)			/* ESMM: SMM takes bit 5 */
			c->smm = val & 0x20;
		if (val & 0x02)			/* RR: RIS chooses ISR or IRR */
			c->read_isr = val & 0x01;
		c->poll = val & 0x04;
	} else {
		/* OCW2: bits 7-5 are R, SL, EOI */
		switch (val >> 5) {
		case 1:		/* non-specific EOI */
		case 5:		/* rotate on non-specific EOI: not rotated */
			irq = highest(c->isr);
			if (irq < 8)
				c->isr &= ~(1u << irq);
			break;
		case 3:		/* specific EOI */
		case 7:		/* rotate on specific EOI: not rotated */
			c->isr &= ~(1u << (val & 7));
			break;
		default:	/* no-op, rotate in AEOI, set priority: ignored */
			break;
		}
	}
	update_cascade(p);
}

static void chip_write_data(struct pic *p, struct i8259 *c, uint8_t val)
{
	switch (c->next_icw) {
	case 2:
		c->base = val & 0xf8;
		c->next_icw = c->single ? (c->need_icw4 ? 4 : 0) : 3;
		break;
	case 3:
		c->icw3 = val;
		c->next_icw = c->need_icw4 ? 4 : 0;
		break;
	case 4:
		c->aeoi = val & 0x02;
		c->sfnm = val & 0x10;
		c->next_icw = 0;
		break;
	default:
		c->imr = val;			/* OCW1 */
		break;
	}
	update_cascade(p);
}

bool pic_io(struct pic *p, uint16_t port, bool is_write, uint8_t *val)
{
	struct i8259 *c;

	switch (port) {
	case PIC_ELCR1:
	case PIC_ELCR2:
		c = &p->chip[port - PIC_ELCR1];
		if (is_write) {
			c->elcr = *val & c->elcr_mask;
			update_cascade(p);
		} else {
			*val = c->elcr;
		}
		return true;
	case PIC_MASTER_CMD:
	case PIC_MASTER_DATA:
		c = master(p);
		break;
	case PIC_SLAVE_CMD:
	case PIC_SLAVE_DATA:
		c = slave(p);
		break;
	default:
		return false;
	}

	if (is_write) {
		if (port & 1)
			chip_write_data(p, c, *val);
		else
			chip_write_cmd(p, c, *val);
	} else if (port & 1) {
		*val = c->imr;
	} else if (c->poll) {
		*val = chip_poll(p, c);
	} else {
		*val = c->read_isr ? c->isr : c->irr;
	}
	return true;
}
