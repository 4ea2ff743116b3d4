/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 16550A UART (COM1: 0x3f8-0x3ff, IRQ 4).  Bytes the guest transmits
 * go to a callback; bytes for the guest are pushed into its receive FIFO.
 * See uart.c for what is and is not modelled.  The model has no lock of
 * its own: its caller serialises every call.
 */
#ifndef MINIKVM_RUN_UART_H
#define MINIKVM_RUN_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_COM1	0x3f8
#define UART_COM1_IRQ	4
#define UART_FIFO_SIZE	16

struct uart {
	uint16_t base;
	uint8_t rx[UART_FIFO_SIZE];
	unsigned int rx_head, rx_count;
	uint8_t last_rx;	/* what RBR reads when the FIFO is empty */
	uint8_t ier, lcr, mcr, scr, fcr;
	uint8_t dll, dlm;	/* divisor latch: kept, never used */
	uint8_t lsr_errors;	/* overrun (and only that) until LSR is read */
	uint8_t msr_deltas;	/* MSR bits 0-3 until MSR is read */
	bool thre_pending;	/* a THR-empty interrupt not yet cleared */
	bool irq_level;		/* the level last driven on the IRQ line */
	bool guest_listens;	/* the guest enabled receive interrupts */
	void (*tx)(void *opaque, uint8_t byte);
	void (*set_irq)(void *opaque, int level);
	void *opaque;
};

void uart_init(struct uart *u, uint16_t base, void (*tx)(void *, uint8_t),
	       void (*set_irq)(void *, int), void *opaque);

/* A byte access to the UART's eight ports; false if the port is not ours. */
bool uart_io(struct uart *u, uint16_t port, bool is_write, uint8_t *val);

/* How many received bytes the UART can take now (0 in loopback). */
unsigned int uart_rx_room(const struct uart *u);

/* A byte from the line; an overrun when there is no room. */
void uart_rx_push(struct uart *u, uint8_t byte);

/*
 * Whether the guest has opened the receiver: it has enabled the receive
 * interrupt with OUT2 set (what Linux does when a process opens the
 * port), so input it is given is no longer thrown away by its set-up.
 */
bool uart_guest_listens(const struct uart *u);

#endif
