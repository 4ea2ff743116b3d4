// SPDX-License-Identifier: GPL-2.0
/*
 * The keyboard controller's reset line, and nothing else of it (the
 * 8042 commands are those of the IBM PC/AT technical reference).
 *
 * The status register at 0x64 always reads 0: the output buffer is
 * empty (no data for the guest) and so is the input buffer (the
 * controller takes a command at once).  Linux's restart through the
 * keyboard controller (reboot=k) waits for the input buffer to empty
 * and writes command 0xfe, "pulse output port bit 0", which on a PC
 * resets the CPU: the launcher ends the run there.  Other commands and
 * data port writes are dropped; the data port reads 0.
 *
 * Linux's i8042 driver, finding the controller but never an answer to
 * its "read control register" command, gives up after its timeout of
 * about half a second ("Can't read CTR while initializing i8042").
 */
#include "i8042.h"

#define CMD_PULSE_RESET	0xfe

void i8042_init(struct i8042 *k, void (*reset)(void *), void *opaque)
{
	k->reset = reset;
	k->opaque = opaque;
}

bool i8042_io(struct i8042 *k, uint16_t port, bool is_write, uint8_t *val)
{
	if (port != I8042_DATA && port != I8042_CMD)
		return false;
	if (!is_write)
		*val = 0;
	else if (port == I8042_CMD && *val == CMD_PULSE_RESET && k->reset)
		k->reset(k->opaque);
	return true;
}
