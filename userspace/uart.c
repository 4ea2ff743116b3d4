// SPDX-License-Identifier: GPL-2.0
/*
 * A 16550A UART (National Semiconductor PC16550D datasheet; the
 * register names are its own).
 *
 * Modelled: RBR/THR, IER (bits 0-3), IIR with the four interrupt
 * sources in their priority order and bits 7-6 set while the FIFOs are
 * enabled, FCR (enable, clear, receiver trigger level), LCR and the
 * divisor latch behind DLAB, MCR, LSR (DR, OE, THRE, TEMT), MSR with
 * its delta bits, SCR; the 16-byte receive FIFO (one byte in 16450
 * mode, with FIFOs off); loopback (MCR bit 4): transmitted bytes come
 * back through the receiver and the modem outputs drive the modem
 * inputs (RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD), which is what
 * Linux's 8250 probe checks (autoconfig(): MCR = LOOP|OUT2|RTS must
 * read MSR 0x90, and size_fifo() counts what the FIFO holds).  The
 * IIR's FIFO bits, no EFR behind LCR 0xbf and an IER that keeps only
 * bits 0-3 make autoconfig() and autoconfig_16550a() name it a 16550A.
 *
 * The interrupt reaches the PIC only while MCR OUT2 is set and loopback
 * is off: on PC boards OUT2 enables the UART's interrupt driver, and in
 * loopback the 16550's outputs are forced inactive.
 *
 * Not modelled: line timing.  A transmitted byte leaves at once, so THR
 * and the transmitter are always empty (LSR THRE and TEMT set) and a
 * THR-empty interrupt follows every write to THR, as on the chip once
 * the byte has moved to the shift register.  The character timeout
 * interrupt (IIR 0xc) is reported at once whenever the FIFO holds fewer
 * bytes than the trigger level, instead of four character times later.
 * Parity, framing and break never happen; the divisor is kept but not
 * used; the modem inputs, outside loopback, say CTS, DSR and DCD.
 */
#include "uart.h"

#include <string.h>

/* Register offsets from the base */
#define RBR_THR	0	/* DLAB=1: DLL */
#define IER	1	/* DLAB=1: DLM */
#define IIR_FCR	2
#define LCR	3
#define MCR	4
#define LSR	5
#define MSR	6
#define SCR	7

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* THR empty */
#define IER_RLSI	0x04	/* receiver line status */
#define IER_MSI		0x08	/* modem status */

#define IIR_NO_INT	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_TIMEOUT	0x0c
#define IIR_FIFO	0xc0

#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02

#define LCR_DLAB	0x80

#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10

#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80
#define MSR_TERI	0x04

static bool fifo_on(const struct uart *u)
{
	return u->fcr & FCR_ENABLE;
}

static unsigned int rx_capacity(const struct uart *u)
{
	return fifo_on(u) ? UART_FIFO_SIZE : 1;
}

static unsigned int rx_trigger(const struct uart *u)
{
	static const unsigned int levels[] = { 1, 4, 8, 14 };

	return fifo_on(u) ? levels[u->fcr >> 6] : 1;
}

/* The modem inputs (MSR bits 4-7) the line or the loopback gives. */
static uint8_t modem_inputs(const struct uart *u)
{
	uint8_t m = u->mcr;

	if (!(m & MCR_LOOP))
		return MSR_CTS | MSR_DSR | MSR_DCD;
	return (m & MCR_RTS ? MSR_CTS : 0) | (m & MCR_DTR ? MSR_DSR : 0) |
	       (m & MCR_OUT1 ? MSR_RI : 0) | (m & MCR_OUT2 ? MSR_DCD : 0);
}

/* The IIR identification (bits 3-0) of the highest-priority source. */
static uint8_t interrupt_id(const struct uart *u)
{
	if ((u->ier & IER_RLSI) && u->lsr_errors)
		return IIR_RLSI;
	if ((u->ier & IER_RDI) && u->rx_count)
		return u->rx_count >= rx_trigger(u) ? IIR_RDI : IIR_TIMEOUT;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return IIR_THRI;
	if ((u->ier & IER_MSI) && u->msr_deltas)
		return IIR_MSI;
	return IIR_NO_INT;
}

static void update_irq(struct uart *u)
{
	bool level = interrupt_id(u) != IIR_NO_INT &&
		     (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;

	if ((u->ier & IER_RDI) && (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2)
		u->guest_listens = true;
	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->set_irq)
			u->set_irq(u->opaque, level);
	}
}

static void rx_clear(struct uart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

static void rx_put(struct uart *u, uint8_t byte)
{
	if (u->rx_count >= rx_capacity(u)) {
		u->lsr_errors |= LSR_OE;	/* the byte is lost */
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
	u->rx_count++;
}

static uint8_t rx_get(struct uart *u)
{
	if (u->rx_count) {
		u->last_rx = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
		u->rx_count--;
	}
	return u->last_rx;
}

static void write_mcr(struct uart *u, uint8_t val)
{
	uint8_t before = modem_inputs(u), after, changed;

	u->mcr = val & 0x1f;
	after = modem_inputs(u);
	changed = before ^ after;
	/* MSR bits 0, 1, 3: CTS, DSR, DCD changed; bit 2: RI went low. */
	u->msr_deltas |= (changed & (MSR_CTS | MSR_DSR | MSR_DCD)) >> 4;
	if ((before & MSR_RI) && !(after & MSR_RI))
		u->msr_deltas |= MSR_TERI;
}

static void write_fcr(struct uart *u, uint8_t val)
{
	/* Turning the FIFOs on or off empties them. */
	if ((val ^ u->fcr) & FCR_ENABLE)
		rx_clear(u);
	if (!(val & FCR_ENABLE)) {
		u->fcr = 0;	/* the other bits need FCR0 set */
		return;
	}
	if (val & FCR_CLEAR_RX)
		rx_clear(u);
	/* Bit 2 clears the transmit FIFO, which is always empty here. */
	u->fcr = val & 0xc9;
}

static void write_reg(struct uart *u, unsigned int reg, uint8_t val)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case RBR_THR:
		if (dlab) {
			u->dll = val;
			break;
		}
		if (u->mcr & MCR_LOOP)
			rx_put(u, val);
		else if (u->tx)
			u->tx(u->opaque, val);
		/* The byte leaves at once: THR is empty again. */
		u->thre_pending = true;
		break;
	case IER:
		if (dlab) {
			u->dlm = val;
			break;
		}
		/* Enabling the THRE interrupt with THR empty raises it. */
		if ((val & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = true;
		u->ier = val & 0x0f;
		break;
	case IIR_FCR:
		write_fcr(u, val);
		break;
	case LCR:
		u->lcr = val;
		break;
	case MCR:
		write_mcr(u, val);
		break;
	case SCR:
		u->scr = val;
		break;
	default:		/* LSR and MSR: factory test, ignored */
		break;
	}
}

static uint8_t read_reg(struct uart *u, unsigned int reg)
{
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case RBR_THR:
		return dlab ? u->dll : rx_get(u);
	case IER:
		return dlab ? u->dlm : u->ier;
	case IIR_FCR:
		v = interrupt_id(u);
		/* Reading IIR clears a THRE interrupt that it reports. */
		if (v == IIR_THRI)
			u->thre_pending = false;
		return v | (fifo_on(u) ? IIR_FIFO : 0);
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		v = (u->rx_count ? LSR_DR : 0) | u->lsr_errors | LSR_THRE | LSR_TEMT;
		u->lsr_errors = 0;
		return v;
	case MSR:
		v = modem_inputs(u) | u->msr_deltas;
		u->msr_deltas = 0;
		return v;
	default:
		return u->scr;
	}
}

void uart_init(struct uart *u, uint16_t base, void (*tx)(void *, uint8_t),
	       void (*set_irq)(void *, int), void *opaque)
{
	memset(u, 0, sizeof(*u));
	u->base = base;
	u->tx = tx;
	u->set_irq = set_irq;
	u->opaque = opaque;
	u->lcr = 0x03;		/* 8N1, as firmware would leave it */
}

bool uart_io(struct uart *u, uint16_t port, bool is_write, uint8_t *val)
{
	if (port < u->base || port > u->base + 7)
		return false;
	if (is_write)
		write_reg(u, port - u->base, *val);
	else
		*val = read_reg(u, port - u->base);
	update_irq(u);
	return true;
}

unsigned int uart_rx_room(const struct uart *u)
{
	if (u->mcr & MCR_LOOP)
		return 0;	/* the receiver listens to the transmitter */
	return rx_capacity(u) - u->rx_count;
}

void uart_rx_push(struct uart *u, uint8_t byte)
{
	rx_put(u, byte);
	update_irq(u);
}

bool uart_guest_listens(const struct uart *u)
{
	return u->guest_listens;
}
