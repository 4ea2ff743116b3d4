/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The least of an 8042 keyboard controller at 0x60/0x64: no keyboard or
 * mouse, only the reset line.  See i8042.c.
 */
#ifndef MINIKVM_RUN_I8042_H
#define MINIKVM_RUN_I8042_H

#include <stdbool.h>
#include <stdint.h>

#define I8042_DATA	0x60
#define I8042_CMD	0x64

struct i8042 {
	/* The guest pulsed the CPU reset line (command 0xfe). */
	void (*reset)(void *opaque);
	void *opaque;
};

void i8042_init(struct i8042 *k, void (*reset)(void *), void *opaque);

/* A byte access to 0x60 or 0x64; false if the port is not ours. */
bool i8042_io(struct i8042 *k, uint16_t port, bool is_write, uint8_t *val);

#endif
