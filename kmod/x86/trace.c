// SPDX-License-Identifier: GPL-2.0
/*
 * The one place that instantiates minikvm's tracepoints (x86/trace.h).
 * SVM_EXIT_REASONS names exceptions by the DE_VECTOR... constants of
 * <asm/kvm.h>, which only this file needs.
 */
#include <asm/kvm.h>

#define CREATE_TRACE_POINTS
#include "trace.h"
