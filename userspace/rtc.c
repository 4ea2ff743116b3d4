// SPDX-License-Identifier: GPL-2.0
/*
 * The PC/AT CMOS real-time clock, a Motorola MC146818A (its datasheet
 * for the registers; the IBM PC/AT technical reference for the CMOS
 * layout).
 *
 * Modelled: the index register at 0x70 (bits 0-6 the register, bit 7
 * the NMI mask, kept but meaningless here); the time and date registers
 * read from the host's CLOCK_REALTIME in UTC, in BCD or binary and in
 * 24- or 12-hour form as register B says; register A with UIP set for
 * the last 244 us before each second, as the chip does before an update
 * cycle (Linux's mc146818_avoid_UIP() polls it and rereads the seconds
 * around it); register B (SET stops the clock's updates: UIP reads 0);
 * register C (no flags: no interrupts are ever raised); register D with
 * VRT (valid RAM and time); the century byte (0x32); the memory sizes
 * (0x15-0x18, 0x30-0x31, 0x34-0x35) in the BIOS's units; every other
 * byte is plain CMOS memory.
 *
 * Not modelled: writing the time (the registers follow the host; such
 * writes are dropped, which Linux only does when NTP keeps the clock in
 * sync), the alarm, periodic and update-ended interrupts (IRQ 8 is
 * never raised), the divider chain and rate select bits (stored only).
 */
#include "rtc.h"

#include <string.h>
#include <time.h>

#define REG_SECONDS	0x00
#define REG_MINUTES	0x02
#define REG_HOURS	0x04
#define REG_WEEKDAY	0x06
#define REG_DAY		0x07
#define REG_MONTH	0x08
#define REG_YEAR	0x09
#define REG_A		0x0a
#define REG_B		0x0b
#define REG_C		0x0c
#define REG_D		0x0d
#define REG_CENTURY	0x32

#define A_UIP		0x80
#define B_SET		0x80
#define B_UIE		0x10
#define B_DM_BINARY	0x04
#define B_24H		0x02
#define D_VRT		0x80

#define UIP_NS		244000u		/* UIP is high this long before an update */

static uint8_t bcd(const struct rtc *r, unsigned int v)
{
	if (r->cmos[REG_B] & B_DM_BINARY)
		return v;
	return (v / 10) << 4 | v % 10;
}

/* The time and date registers for the current host time. */
static uint8_t time_reg(const struct rtc *r, unsigned int reg)
{
	uint64_t ns = r->now_ns(r->opaque);
	time_t secs = ns / 1000000000u;
	unsigned int hour;
	struct tm tm;

	gmtime_r(&secs, &tm);
	switch (reg) {
	case REG_SECONDS:
		return bcd(r, tm.tm_sec);
	case REG_MINUTES:
		return bcd(r, tm.tm_min);
	case REG_HOURS:
		if (r->cmos[REG_B] & B_24H)
			return bcd(r, tm.tm_hour);
		/* 12-hour form: 12, 1-11, with bit 7 for PM */
		hour = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
		return bcd(r, hour) | (tm.tm_hour >= 12 ? 0x80 : 0);
	case REG_WEEKDAY:
		return bcd(r, tm.tm_wday + 1);		/* Sunday is 1 */
	case REG_DAY:
		return bcd(r, tm.tm_mday);
	case REG_MONTH:
		return bcd(r, tm.tm_mon + 1);
	case REG_YEAR:
		return bcd(r, tm.tm_year % 100);
	default:					/* REG_CENTURY */
		return bcd(r, 19 + tm.tm_year / 100);
	}
}

static uint8_t read_reg(struct rtc *r, unsigned int reg)
{
	uint64_t ns;

	switch (reg) {
	case REG_SECONDS:
	case REG_MINUTES:
	case REG_HOURS:
	case REG_WEEKDAY:
	case REG_DAY:
	case REG_MONTH:
	case REG_YEAR:
	case REG_CENTURY:
		return time_reg(r, reg);
	case REG_A:
		ns = r->now_ns(r->opaque) % 1000000000u;
		if (!(r->cmos[REG_B] & B_SET) && ns >= 1000000000u - UIP_NS)
			return r->cmos[REG_A] | A_UIP;
		return r->cmos[REG_A];
	case REG_C:
		return 0;	/* no interrupt flags: reading would clear them */
	case REG_D:
		return D_VRT;
	default:
		return r->cmos[reg];
	}
}

static void write_reg(struct rtc *r, unsigned int reg, uint8_t val)
{
	switch (reg) {
	case REG_SECONDS:
	case REG_MINUTES:
	case REG_HOURS:
	case REG_WEEKDAY:
	case REG_DAY:
	case REG_MONTH:
	case REG_YEAR:
	case REG_CENTURY:
	case REG_C:
	case REG_D:
		break;		/* the clock follows the host; C and D are read-only */
	case REG_A:
		r->cmos[REG_A] = val & ~A_UIP;
		break;
	case REG_B:
		/* Setting SET clears UIE (datasheet, register B bit 7). */
		r->cmos[REG_B] = val & B_SET ? val & ~B_UIE : val;
		break;
	default:
		r->cmos[reg] = val;
		break;
	}
}

void rtc_init(struct rtc *r, uint64_t mem_size, uint64_t (*now_ns)(void *), void *opaque)
{
	uint64_t ext_kb, above16m;

	memset(r, 0, sizeof(*r));
	r->now_ns = now_ns;
	r->opaque = opaque;
	r->cmos[REG_A] = 0x26;		/* 32.768 kHz time base, 1024 Hz rate */
	r->cmos[REG_B] = B_24H;		/* BCD, 24-hour, no interrupts */

	/* Base memory in KiB (640), as the PC/AT BIOS stores it. */
	r->cmos[0x15] = 640 & 0xff;
	r->cmos[0x16] = 640 >> 8;
	/* Memory above 1 MiB in KiB, at most 0xffff (64 MiB). */
	ext_kb = mem_size > (1 << 20) ? (mem_size - (1 << 20)) >> 10 : 0;
	if (ext_kb > 0xffff)
		ext_kb = 0xffff;
	r->cmos[0x17] = r->cmos[0x30] = ext_kb & 0xff;
	r->cmos[0x18] = r->cmos[0x31] = ext_kb >> 8;
	/* Memory above 16 MiB in 64 KiB units. */
	above16m = mem_size > (16 << 20) ? (mem_size - (16 << 20)) >> 16 : 0;
	if (above16m > 0xffff)
		above16m = 0xffff;
	r->cmos[0x34] = above16m & 0xff;
	r->cmos[0x35] = above16m >> 8;
}

bool rtc_io(struct rtc *r, uint16_t port, bool is_write, uint8_t *val)
{
	if (port == RTC_PORT_INDEX) {
		if (is_write) {
			r->index = *val & 0x7f;
			r->nmi_disabled = *val & 0x80;
		} else {
			*val = 0xff;	/* the index register is write-only */
		}
		return true;
	}
	if (port != RTC_PORT_DATA)
		return false;
	if (is_write)
		write_reg(r, r->index, *val);
	else
		*val = read_reg(r, r->index);
	return true;
}
