/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC's CMOS RTC (a Motorola MC146818A) at 0x70 (index) / 0x71 (data):
 * the time from the host's clock, the status registers, 128 bytes of CMOS
 * memory with the memory-size bytes.  See rtc.c.  The model has no lock
 * of its own: its caller serialises every call.
 */
#ifndef MINIKVM_RUN_RTC_H
#define MINIKVM_RUN_RTC_H

#include <stdbool.h>
#include <stdint.h>

#define RTC_PORT_INDEX	0x70
#define RTC_PORT_DATA	0x71

struct rtc {
	uint8_t index;		/* bits 0-6 of the last index write */
	bool nmi_disabled;	/* bit 7 of it: kept, there are no NMIs */
	uint8_t cmos[128];
	/* CLOCK_REALTIME in ns (a fake one in the unit tests). */
	uint64_t (*now_ns)(void *opaque);
	void *opaque;
};

/* MEM_SIZE: the guest's RAM in bytes, for the CMOS memory-size bytes. */
void rtc_init(struct rtc *r, uint64_t mem_size, uint64_t (*now_ns)(void *), void *opaque);

/* A byte access to 0x70 or 0x71; false if the port is not ours. */
bool rtc_io(struct rtc *r, uint16_t port, bool is_write, uint8_t *val);

#endif
