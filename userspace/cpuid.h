/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MINIKVM_RUN_CPUID_H
#define MINIKVM_RUN_CPUID_H

#include "launcher.h"

/*
 * Give the vCPU the device's supported CPUID less the local APIC and
 * what depends on it (cpuid.c).  Returns 0; 1 when the device has no
 * KVM_GET_SUPPORTED_CPUID and the vCPU keeps its default CPUID; -1 on
 * an error, said on stderr.
 */
int cpuid_setup(int sys_fd, int vcpu_fd, int verbose);

#endif
