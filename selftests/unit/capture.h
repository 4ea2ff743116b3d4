/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MKVM_UNIT_CAPTURE_H
#define MKVM_UNIT_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Run @fn(@arg) in a child, its stdout (and stderr with @with_stderr)
 * into @out, NUL-terminated, at most @len - 1 bytes; a child whose @fn
 * returns exits 0.  Return: its exit status, or -1 if it did not exit.
 */
int capture_child(void (*fn)(void *arg), void *arg, bool with_stderr, char *out, size_t len);

#endif
