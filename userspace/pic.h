/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two cascaded 8259A programmable interrupt controllers, as in a PC/AT:
 * the master at 0x20/0x21 (IRQ 0-7), the slave at 0xa0/0xa1 (IRQ 8-15)
 * on the master's IR2, and the edge/level control registers (ELCR) at
 * 0x4d0/0x4d1.  See pic.c for what is and is not modelled.
 *
 * The model has no lock of its own: its caller serialises every call
 * (the launcher holds its device mutex).
 */
#ifndef MINIKVM_RUN_PIC_H
#define MINIKVM_RUN_PIC_H

#include <stdbool.h>
#include <stdint.h>

struct i8259 {
	uint8_t irr;		/* interrupt request register */
	uint8_t isr;		/* in-service register */
	uint8_t imr;		/* interrupt mask register (OCW1) */
	uint8_t lines;		/* the IR inputs' current levels */
	uint8_t elcr;		/* 1: that input is level triggered */
	uint8_t elcr_mask;	/* the ELCR bits that can be set */
	uint8_t base;		/* ICW2: vector of IR0 (bits 7-3) */
	uint8_t icw3;
	uint8_t next_icw;	/* 2, 3 or 4 while initialising, else 0 */
	bool need_icw4;		/* ICW1 IC4 */
	bool single;		/* ICW1 SNGL: no cascade */
	bool ltim;		/* ICW1 LTIM: every input level triggered */
	bool aeoi;		/* ICW4 AEOI: automatic end of interrupt */
	bool sfnm;		/* ICW4 SFNM: special fully nested mode */
	bool smm;		/* OCW3 special mask mode */
	bool read_isr;		/* OCW3: port A0=0 reads ISR, not IRR */
	bool poll;		/* OCW3 P: the next read is a poll */
};

struct pic {
	struct i8259 chip[2];	/* [0] master, [1] slave */
};

#define PIC_MASTER_CMD	0x20
#define PIC_MASTER_DATA	0x21
#define PIC_SLAVE_CMD	0xa0
#define PIC_SLAVE_DATA	0xa1
#define PIC_ELCR1	0x4d0
#define PIC_ELCR2	0x4d1

void pic_init(struct pic *p);

/* A byte access to one of the PIC's ports; false if the port is not ours. */
bool pic_io(struct pic *p, uint16_t port, bool is_write, uint8_t *val);

/* Drive input IRQ (0-15) to LEVEL (0 or 1). */
void pic_set_irq(struct pic *p, unsigned int irq, int level);

/* The master's INT output: an interrupt awaits acknowledgment. */
bool pic_has_interrupt(const struct pic *p);

/* The vector the next acknowledge will return, without acknowledging. */
uint8_t pic_peek_vector(const struct pic *p);

/*
 * The CPU's interrupt acknowledge cycle: returns the vector and marks the
 * interrupt in service; a request that went away yields the spurious
 * vector of IR7 of the chip concerned (IRQ 7 or IRQ 15).
 */
uint8_t pic_ack(struct pic *p);

#endif
