/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 8254 programmable interval timer at 0x40-0x43 and the PC/AT's
 * system control port B at 0x61 (channel 2's gate and output, the
 * speaker enable).  See pit.c for what is and is not modelled.
 *
 * Counters are computed from a clock the caller gives (CLOCK_MONOTONIC
 * in the launcher, a fake one in the unit tests); nothing ticks.  The
 * model has no lock of its own: its caller serialises every call.
 */
#ifndef MINIKVM_RUN_PIT_H
#define MINIKVM_RUN_PIT_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ		1193182ull	/* the PC's 14.31818 MHz / 12 */
#define PIT_PORT_CH0	0x40
#define PIT_PORT_CMD	0x43
#define PORT_B		0x61		/* system control port B */

struct pit_channel {
	uint8_t mode;		/* 0-5 */
	uint8_t rw;		/* access: 1 lobyte, 2 hibyte, 3 lobyte/hibyte */
	bool bcd;
	bool gate;
	bool counting;		/* a count is loaded and the counter runs */
	bool null_count;	/* a count was written but not loaded yet */
	bool write_msb;		/* lo/hi access: the next write is the MSB */
	bool read_msb;		/* lo/hi access: the next read is the MSB */
	uint8_t write_lsb;	/* the LSB written, until its MSB comes */
	uint32_t reload;	/* the count register: 1-65536 (1-10000 BCD) */
	uint64_t start_ns;	/* when the counter last (re)started */
	uint64_t base_ticks;	/* ticks counted before start_ns (gate low) */
	uint16_t frozen;	/* what the counter holds while not counting */
	bool latched;		/* counter latch holds a value */
	uint16_t latch;
	bool latch_msb;		/* lo/hi latch: the LSB was read */
	bool status_latched;	/* read-back status latch holds a value */
	uint8_t status;
	uint64_t edges_seen;	/* OUT rising edges already delivered */
};

struct pit {
	struct pit_channel ch[3];
	uint8_t port_b;		/* the writable bits 0-3 of port 0x61 */
	uint64_t (*now_ns)(void *opaque);
	/* IRQ 0 is pulsed at each rising edge of channel 0's OUT. */
	void (*pulse_irq0)(void *opaque);
	/* Channel 0 was reprogrammed: pit_next_event() changed. */
	void (*timer_changed)(void *opaque);
	void *opaque;
};

void pit_init(struct pit *p, uint64_t (*now_ns)(void *), void (*pulse_irq0)(void *),
	      void (*timer_changed)(void *), void *opaque);

/* A byte access to 0x40-0x43 or 0x61; false if the port is not ours. */
bool pit_io(struct pit *p, uint16_t port, bool is_write, uint8_t *val);

/*
 * Deliver channel 0's OUT rising edges up to now as one IRQ 0 pulse
 * (edges that came while the last one waited are one request, as in
 * the PIC's IRR).  Returns true if it pulsed.
 */
bool pit_update(struct pit *p);

/* When channel 0's OUT next rises (CLOCK time in ns), or 0 for never. */
uint64_t pit_next_event(struct pit *p);

/* Channel N's OUT now (for tests and port 0x61). */
bool pit_out(struct pit *p, int n);

#endif
