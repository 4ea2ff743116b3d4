/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minikvm's tracepoints: one per VM exit, with the reason by name.
 *
 *   echo 1 > /sys/kernel/tracing/events/minikvm/enable
 *   cat /sys/kernel/tracing/trace_pipe
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM minikvm

#if !defined(MKVM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define MKVM_TRACE_H

#include <linux/tracepoint.h>
/* Only the exit codes and their names; <asm/svm.h> would bring <asm/kvm.h>. */
#include <uapi/asm/svm.h>
#include <uapi/asm/vmx.h>

/*
 * One event per backend, each naming its own reasons.  (An event class
 * shared through DEFINE_EVENT_PRINT would leave the class's own print
 * format unused, which W=1 reports.)
 */
/* VMX: the basic exit reason (SDM Vol. 3C, Appendix C) by name. */
TRACE_EVENT(mkvm_vmx_exit,
	TP_PROTO(unsigned int vcpu_id, u64 reason, u64 rip),
	TP_ARGS(vcpu_id, reason, rip),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u64, reason)
		__field(u64, rip)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->reason = reason;
		__entry->rip = rip;
	),
	TP_printk("vcpu %u reason %s%s rip 0x%llx", __entry->vcpu_id,
		  (__entry->reason & VMX_EXIT_REASONS_FAILED_VMENTRY) ? "FAILED_VMENTRY " : "",
		  __print_symbolic(__entry->reason & 0xffff, VMX_EXIT_REASONS),
		  __entry->rip)
);

/* SVM: the exit code (APM Vol. 2, Appendix C) by name. */
TRACE_EVENT(mkvm_svm_exit,
	TP_PROTO(unsigned int vcpu_id, u64 reason, u64 rip),
	TP_ARGS(vcpu_id, reason, rip),
	TP_STRUCT__entry(
		__field(unsigned int, vcpu_id)
		__field(u64, reason)
		__field(u64, rip)
	),
	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->reason = reason;
		__entry->rip = rip;
	),
	TP_printk("vcpu %u reason %s rip 0x%llx", __entry->vcpu_id,
		  __print_symbolic(__entry->reason, SVM_EXIT_REASONS), __entry->rip)
);

#endif /* MKVM_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH kmod/x86
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace

#include <trace/define_trace.h>
