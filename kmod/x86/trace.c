// SPDX-License-Identifier: GPL-2.0
/*
 * The one place that instantiates minikvm's tracepoints (x86/trace.h).
 * Their TP_fast_assign parts read the vCPU, so they are compiled here
 * only, with the core's structures at hand; every other includer of
 * trace.h sees the trace_*() calls and a forward declaration.
 */
#include "../core/minikvm.h"

#define CREATE_TRACE_POINTS
#include "trace.h"
