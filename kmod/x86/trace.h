/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minikvm's tracepoints, the "minikvm" system of tracefs
 * (Documentation/tracing.rst shows each with its output):
 *
 *   minikvm_entry	every VM entry: vCPU, RIP, the event it delivers
 *   minikvm_exit	every VM exit on either backend: the reason by name,
 *			the exit information, RIP, vCPU, backend
 *   minikvm_inject	an event written to the VMCS/VMCB for the next entry
 *   minikvm_mmio	an MMIO write at its exit, an MMIO read once userspace
 *			gave its data: gpa, length, value
 *   minikvm_pio	an OUT or OUTS at its exit, an IN or INS once
 *			userspace gave its data: port, size, count, value
 *
 *   echo 1 > /sys/kernel/tracing/events/minikvm/enable
 *   cat /sys/kernel/tracing/trace_pipe
 *
 * Off, an event costs its call site the static-key branch TRACE_EVENT
 * gives (a NOP until the event is enabled): callers pass values they
 * already hold or pointers, everything else (VMREADs, the event in
 * flight) is read in TP_fast_assign, which runs only when the event is
 * on, and the text is made only when the buffer is read.
 *
 * Names are printed with __print_symbolic(), whose lists go into the
 * format file, so trace-cmd and perf name them as the kernel does.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM minikvm

#if !defined(MKVM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define MKVM_TRACE_H

#include <linux/tracepoint.h>

#include "exit_names.h"

struct mkvm_vcpu;
struct mkvm_event;

/* The backend in a minikvm_exit record, which says whose names apply. */
#define MKVM_TRACE_VMX	0
#define MKVM_TRACE_SVM	1
#define MKVM_TRACE_BACKENDS	{ MKVM_TRACE_VMX, "vmx" }, { MKVM_TRACE_SVM, "svm" }

/*
 * Event types, numbered as the VMX interruption-information field
 * (SDM Vol. 3C, 24.8.3), named as there (enum mkvm_event_type).
 */
TRACE_DEFINE_ENUM(MKVM_EV_EXT_INTR);
TRACE_DEFINE_ENUM(MKVM_EV_NMI);
TRACE_DEFINE_ENUM(MKVM_EV_HW_EXCEPTION);
TRACE_DEFINE_ENUM(MKVM_EV_SOFT_INTR);
TRACE_DEFINE_ENUM(MKVM_EV_PRIV_SOFT_EXCEPTION);
TRACE_DEFINE_ENUM(MKVM_EV_SOFT_EXCEPTION);
#define MKVM_TRACE_EVENT_TYPES						\
	{ MKVM_EV_EXT_INTR, "external_interrupt" },			\
	{ MKVM_EV_NMI, "nmi" },						\
	{ MKVM_EV_HW_EXCEPTION, "hardware_exception" },			\
	{ MKVM_EV_SOFT_INTR, "software_interrupt" },			\
	{ MKVM_EV_PRIV_SOFT_EXCEPTION, "privileged_software_exception" }, \
	{ MKVM_EV_SOFT_EXCEPTION, "software_exception" }

/*
 * A VM entry, right before VMLAUNCH/VMRESUME or VMRUN: the RIP the guest
 * starts at and the event the entry delivers (mkvm_inject_events() chose
 * it; minikvm_inject has its details), if any.
 */
TRACE_EVENT(minikvm_entry,
	TP_PROTO(struct mkvm_vcpu *vcpu),
	TP_ARGS(vcpu),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u64, rip)
		__field(bool, event)
		__field(u8, type)
		__field(u8, vector)
	),
	TP_fast_assign(
		const struct mkvm_events *ev = &vcpu->ev;

		__entry->vcpu_id = vcpu->id;
		__entry->rip = vcpu->rip;
		__entry->event = ev->nmi_in_flight || ev->in_flight;
		__entry->type = ev->nmi_in_flight ? MKVM_EV_NMI :
				ev->in_flight ? ev->in_flight->type : 0;
		__entry->vector = ev->nmi_in_flight ? X86_TRAP_NMI :
				  ev->in_flight ? ev->in_flight->vector : 0;
	),
	TP_printk("vcpu %u rip 0x%llx event %s vector 0x%02x", __entry->vcpu_id,
		  __entry->rip,
		  __entry->event ? __print_symbolic(__entry->type, MKVM_TRACE_EVENT_TYPES) :
				   "none",
		  __entry->vector)
);

/*
 * A VM exit, on either backend, before its handler runs.  reason is the
 * raw one: VMX's 32-bit exit reason (SDM Vol. 3C, 24.9.1), printed as
 * its basic reason (bits 15:0) by name, after "failed_vmentry" when bit
 * 31 is set; SVM's exit code (APM Vol. 2, Appendix C) by name.  The names
 * are the statistics' (exit_names.h); a reason without one prints in hex.
 * info1, info2 and vectoring: see mkvm_ops->get_exit_info.
 */
TRACE_EVENT(minikvm_exit,
	TP_PROTO(struct mkvm_vcpu *vcpu, u8 isa, u32 reason),
	TP_ARGS(vcpu, isa, reason),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u8, isa)
		__field(u32, reason)
		__field(u64, rip)
		__field(u64, info1)
		__field(u64, info2)
		__field(u32, vectoring)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu->id;
		__entry->isa = isa;
		__entry->reason = reason;
		__entry->rip = vcpu->rip;
		mkvm_ops->get_exit_info(vcpu, &__entry->info1, &__entry->info2,
					&__entry->vectoring);
	),
	TP_printk("vcpu %u %s reason %s%s rip 0x%llx info1 0x%llx info2 0x%llx vectoring 0x%x",
		  __entry->vcpu_id, __print_symbolic(__entry->isa, MKVM_TRACE_BACKENDS),
		  (__entry->isa == MKVM_TRACE_VMX &&
		   (__entry->reason & VMX_EXIT_REASONS_FAILED_VMENTRY)) ? "failed_vmentry " : "",
		  __entry->isa == MKVM_TRACE_VMX ?
		  __print_symbolic(__entry->reason & 0xffff, MKVM_VMX_EXIT_NAMES) :
		  __print_symbolic(__entry->reason, MKVM_SVM_EXIT_NAMES),
		  __entry->rip, __entry->info1, __entry->info2, __entry->vectoring)
);

/*
 * An event written to the entry fields by the backend's inject_event
 * (VM-entry interruption information, SDM Vol. 3C, 24.8.3; EVENTINJ,
 * APM Vol. 2, 15.20), as the hardware gets it: has_error is clear where
 * the backend drops the error code (real mode).  reinjected: the event
 * is one an exit cut short, delivered again (mkvm_requeue_event()).
 */
TRACE_EVENT(minikvm_inject,
	TP_PROTO(unsigned int vcpu_id, const struct mkvm_event *ev, bool has_error),
	TP_ARGS(vcpu_id, ev, has_error),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u8, type)
		__field(u8, vector)
		__field(bool, has_error)
		__field(bool, reinjected)
		__field(u32, error_code)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->type = ev->type;
		__entry->vector = ev->vector;
		__entry->has_error = has_error;
		__entry->reinjected = ev->reinjected;
		__entry->error_code = has_error ? ev->error : 0;
	),
	TP_printk("vcpu %u %s vector 0x%02x has_error %u error_code 0x%x reinjected %u",
		  __entry->vcpu_id, __print_symbolic(__entry->type, MKVM_TRACE_EVENT_TYPES),
		  __entry->vector, __entry->has_error, __entry->error_code,
		  __entry->reinjected)
);

/*
 * MMIO (x86/mmio.c): a write when it exits to userspace, a read when the
 * next KVM_RUN completes it with userspace's data, as KVM's kvm_mmio.
 * value: the bytes of the access, little-endian.
 */
TRACE_EVENT(minikvm_mmio,
	TP_PROTO(unsigned int vcpu_id, bool write, u64 gpa, unsigned int len, const void *data),
	TP_ARGS(vcpu_id, write, gpa, len, data),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(bool, write)
		__field(u8, len)
		__field(u64, gpa)
		__field(u64, value)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->write = write;
		__entry->len = len;
		__entry->gpa = gpa;
		__entry->value = 0;
		memcpy(&__entry->value, data, min_t(unsigned int, len, sizeof(__entry->value)));
	),
	TP_printk("vcpu %u %s gpa 0x%llx len %u value 0x%llx", __entry->vcpu_id,
		  __entry->write ? "write" : "read", __entry->gpa, __entry->len,
		  __entry->value)
);

/*
 * Port I/O (core/exits.c): OUT and OUTS when they exit to userspace, IN
 * and INS when the next KVM_RUN completes them, as KVM's kvm_pio.
 * count: the elements of a string instruction in this exit, 1 for IN
 * and OUT; value: the first element.
 */
TRACE_EVENT(minikvm_pio,
	TP_PROTO(unsigned int vcpu_id, bool in, u16 port, u8 size, u32 count, const void *data),
	TP_ARGS(vcpu_id, in, port, size, count, data),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(bool, in)
		__field(u8, size)
		__field(u16, port)
		__field(u32, count)
		__field(u32, value)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->in = in;
		__entry->size = size;
		__entry->port = port;
		__entry->count = count;
		__entry->value = 0;
		memcpy(&__entry->value, data, min_t(unsigned int, size, sizeof(__entry->value)));
	),
	TP_printk("vcpu %u %s port 0x%x size %u count %u value 0x%x", __entry->vcpu_id,
		  __entry->in ? "in" : "out", __entry->port, __entry->size, __entry->count,
		  __entry->value)
);

#endif /* MKVM_TRACE_H */

/* The module is built from its top directory, which Kbuild puts on the path. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH kmod/x86
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace

#include <trace/define_trace.h>
