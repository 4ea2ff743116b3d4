/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What abi_check compares between <linux/kvm.h> and <linux/minikvm.h>:
 * every structure size, every field's offset and size, and every
 * constant minikvm's header declares.
 */
#define ABI_STRUCTS(S)							\
	S(kvm_run) S(kvm_regs) S(kvm_sregs) S(kvm_segment) S(kvm_dtable) \
	S(kvm_userspace_memory_region) S(kvm_cpuid_entry2) S(kvm_cpuid2) \
	S(kvm_fpu) S(kvm_guest_debug) S(kvm_debug_exit_arch)		\
	S(kvm_xsave) S(kvm_xcr) S(kvm_xcrs) S(kvm_debugregs)		\
	S(kvm_msr_entry) S(kvm_msrs) S(kvm_msr_list)			\
	S(kvm_interrupt) S(kvm_vcpu_events) S(kvm_mp_state) S(kvm_signal_mask) \
	S(kvm_stats_header) S(kvm_stats_desc)				\
	S(kvm_irq_routing_irqchip) S(kvm_irq_routing_msi)		\
	S(kvm_irq_routing_entry) S(kvm_irq_routing) S(kvm_x86_mce) S(kvm_clock_data)

#define ABI_FIELDS(F)							\
	F(kvm_userspace_memory_region, slot)				\
	F(kvm_userspace_memory_region, flags)				\
	F(kvm_userspace_memory_region, guest_phys_addr)			\
	F(kvm_userspace_memory_region, memory_size)			\
	F(kvm_userspace_memory_region, userspace_addr)			\
	F(kvm_regs, rax) F(kvm_regs, rbx) F(kvm_regs, rcx) F(kvm_regs, rdx) \
	F(kvm_regs, rsi) F(kvm_regs, rdi) F(kvm_regs, rsp) F(kvm_regs, rbp) \
	F(kvm_regs, r8) F(kvm_regs, r15) F(kvm_regs, rip) F(kvm_regs, rflags) \
	F(kvm_segment, base) F(kvm_segment, limit) F(kvm_segment, selector) \
	F(kvm_segment, type) F(kvm_segment, present) F(kvm_segment, dpl) \
	F(kvm_segment, db) F(kvm_segment, s) F(kvm_segment, l)		\
	F(kvm_segment, g) F(kvm_segment, avl) F(kvm_segment, unusable)	\
	F(kvm_dtable, base) F(kvm_dtable, limit)			\
	F(kvm_sregs, cs) F(kvm_sregs, ds) F(kvm_sregs, es) F(kvm_sregs, fs) \
	F(kvm_sregs, gs) F(kvm_sregs, ss) F(kvm_sregs, tr) F(kvm_sregs, ldt) \
	F(kvm_sregs, gdt) F(kvm_sregs, idt) F(kvm_sregs, cr0)		\
	F(kvm_sregs, cr2) F(kvm_sregs, cr3) F(kvm_sregs, cr4)		\
	F(kvm_sregs, cr8) F(kvm_sregs, efer) F(kvm_sregs, apic_base)	\
	F(kvm_sregs, interrupt_bitmap)					\
	F(kvm_run, request_interrupt_window) F(kvm_run, immediate_exit)	\
	F(kvm_run, exit_reason) F(kvm_run, ready_for_interrupt_injection) \
	F(kvm_run, if_flag) F(kvm_run, flags) F(kvm_run, cr8)		\
	F(kvm_run, apic_base)						\
	F(kvm_run, hw.hardware_exit_reason)				\
	F(kvm_run, fail_entry.hardware_entry_failure_reason)		\
	F(kvm_run, fail_entry.cpu)					\
	F(kvm_run, ex.exception) F(kvm_run, ex.error_code)		\
	F(kvm_run, io.direction) F(kvm_run, io.size) F(kvm_run, io.port) \
	F(kvm_run, io.count) F(kvm_run, io.data_offset)			\
	F(kvm_run, mmio.phys_addr) F(kvm_run, mmio.data)		\
	F(kvm_run, mmio.len) F(kvm_run, mmio.is_write)			\
	F(kvm_run, internal.suberror) F(kvm_run, internal.ndata)	\
	F(kvm_run, internal.data)					\
	F(kvm_run, emulation_failure.flags)				\
	F(kvm_run, emulation_failure.insn_size)				\
	F(kvm_run, emulation_failure.insn_bytes)			\
	F(kvm_run, kvm_valid_regs) F(kvm_run, kvm_dirty_regs) F(kvm_run, s) \
	F(kvm_cpuid_entry2, function) F(kvm_cpuid_entry2, index)	\
	F(kvm_cpuid_entry2, flags) F(kvm_cpuid_entry2, eax)		\
	F(kvm_cpuid_entry2, ebx) F(kvm_cpuid_entry2, ecx)		\
	F(kvm_cpuid_entry2, edx) F(kvm_cpuid_entry2, padding)		\
	F(kvm_cpuid2, nent) F(kvm_cpuid2, padding)			\
	F(kvm_fpu, fpr) F(kvm_fpu, fcw) F(kvm_fpu, fsw) F(kvm_fpu, ftwx)	\
	F(kvm_fpu, last_opcode) F(kvm_fpu, last_ip) F(kvm_fpu, last_dp)	\
	F(kvm_fpu, xmm) F(kvm_fpu, mxcsr)					\
	F(kvm_guest_debug, control) F(kvm_guest_debug, arch)		\
	F(kvm_run, debug.arch.exception) F(kvm_run, debug.arch.pc)	\
	F(kvm_run, debug.arch.dr6) F(kvm_run, debug.arch.dr7)		\
	F(kvm_msr_entry, index) F(kvm_msr_entry, data) F(kvm_msrs, nmsrs)	\
	F(kvm_msr_list, nmsrs)						\
	F(kvm_debugregs, db) F(kvm_debugregs, dr6) F(kvm_debugregs, dr7)	\
	F(kvm_debugregs, flags) F(kvm_debugregs, reserved)		\
	F(kvm_interrupt, irq) F(kvm_mp_state, mp_state)			\
	F(kvm_vcpu_events, exception.injected) F(kvm_vcpu_events, exception.nr) \
	F(kvm_vcpu_events, exception.has_error_code)			\
	F(kvm_vcpu_events, exception.pending)				\
	F(kvm_vcpu_events, exception.error_code)			\
	F(kvm_vcpu_events, interrupt.injected) F(kvm_vcpu_events, interrupt.nr) \
	F(kvm_vcpu_events, interrupt.soft) F(kvm_vcpu_events, interrupt.shadow) \
	F(kvm_vcpu_events, nmi.injected) F(kvm_vcpu_events, nmi.pending) \
	F(kvm_vcpu_events, nmi.masked) F(kvm_vcpu_events, sipi_vector)	\
	F(kvm_vcpu_events, flags) F(kvm_vcpu_events, smi.smm)		\
	F(kvm_vcpu_events, smi.pending) F(kvm_vcpu_events, smi.latched_init) \
	F(kvm_vcpu_events, triple_fault.pending)			\
	F(kvm_vcpu_events, reserved)					\
	F(kvm_vcpu_events, exception_has_payload)			\
	F(kvm_vcpu_events, exception_payload)				\
	F(kvm_stats_header, flags) F(kvm_stats_header, name_size)	\
	F(kvm_stats_header, num_desc) F(kvm_stats_header, id_offset)	\
	F(kvm_stats_header, desc_offset) F(kvm_stats_header, data_offset) \
	F(kvm_stats_desc, flags) F(kvm_stats_desc, exponent)		\
	F(kvm_stats_desc, size) F(kvm_stats_desc, offset)		\
	F(kvm_stats_desc, bucket_size)					\
	F(kvm_irq_routing_irqchip, irqchip) F(kvm_irq_routing_irqchip, pin) \
	F(kvm_irq_routing_msi, address_lo) F(kvm_irq_routing_msi, address_hi) \
	F(kvm_irq_routing_msi, data) F(kvm_irq_routing_msi, devid)	\
	F(kvm_irq_routing_entry, gsi) F(kvm_irq_routing_entry, type)	\
	F(kvm_irq_routing_entry, flags) F(kvm_irq_routing_entry, u)	\
	F(kvm_irq_routing_entry, u.irqchip) F(kvm_irq_routing_entry, u.msi) \
	F(kvm_irq_routing, nr) F(kvm_irq_routing, flags)		\
	F(kvm_x86_mce, status) F(kvm_x86_mce, addr) F(kvm_x86_mce, misc) \
	F(kvm_x86_mce, mcg_status) F(kvm_x86_mce, bank) F(kvm_x86_mce, pad2) \
	F(kvm_clock_data, clock) F(kvm_clock_data, flags)		\
	F(kvm_clock_data, realtime) F(kvm_clock_data, host_tsc)		\
	F(kvm_clock_data, pad)

#define ABI_CONSTS(C)							\
	C(KVM_API_VERSION) C(KVMIO)					\
	C(KVM_GET_API_VERSION) C(KVM_CREATE_VM) C(KVM_CHECK_EXTENSION)	\
	C(KVM_GET_VCPU_MMAP_SIZE) C(KVM_CREATE_VCPU)			\
	C(KVM_SET_USER_MEMORY_REGION) C(KVM_RUN) C(KVM_GET_REGS)	\
	C(KVM_SET_REGS) C(KVM_GET_SREGS) C(KVM_SET_SREGS)		\
	C(KVM_CAP_READONLY_MEM) C(KVM_CAP_XSAVE) C(KVM_CAP_XCRS)		\
	C(KVM_GET_XSAVE) C(KVM_SET_XSAVE) C(KVM_GET_XCRS) C(KVM_SET_XCRS) \
	C(KVM_MAX_XCRS)							\
	C(KVM_CAP_DEBUGREGS) C(KVM_GET_DEBUGREGS) C(KVM_SET_DEBUGREGS)	\
	C(KVM_CAP_USER_MEMORY) C(KVM_CAP_NR_VCPUS) C(KVM_CAP_NR_MEMSLOTS) \
	C(KVM_CAP_MAX_VCPUS) C(KVM_CAP_MAX_VCPU_ID) C(KVM_CAP_IMMEDIATE_EXIT) \
	C(KVM_EXIT_UNKNOWN) C(KVM_EXIT_EXCEPTION) C(KVM_EXIT_IO)	\
	C(KVM_EXIT_HYPERCALL) C(KVM_EXIT_DEBUG) C(KVM_EXIT_HLT)		\
	C(KVM_EXIT_MMIO) C(KVM_EXIT_IRQ_WINDOW_OPEN) C(KVM_EXIT_SHUTDOWN) \
	C(KVM_EXIT_FAIL_ENTRY) C(KVM_EXIT_INTR) C(KVM_EXIT_INTERNAL_ERROR) \
	C(KVM_EXIT_SET_TPR) \
	C(KVM_INTERNAL_ERROR_EMULATION) C(KVM_INTERNAL_ERROR_SIMUL_EX)	\
	C(KVM_INTERNAL_ERROR_DELIVERY_EV)				\
	C(KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON)			\
	C(KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)		\
	C(KVM_EXIT_IO_IN) C(KVM_EXIT_IO_OUT)				\
	C(KVM_MEM_LOG_DIRTY_PAGES) C(KVM_MEM_READONLY) C(KVM_NR_INTERRUPTS) \
	C(KVM_GET_SUPPORTED_CPUID) C(KVM_SET_CPUID2) C(KVM_GET_CPUID2)	\
	C(KVM_CPUID_FLAG_SIGNIFCANT_INDEX) C(KVM_CAP_EXT_CPUID)	\
	C(offsetof(struct kvm_cpuid2, entries))				\
	C(KVM_GET_FPU) C(KVM_SET_FPU) C(KVM_SET_GUEST_DEBUG)		\
	C(KVM_GUESTDBG_ENABLE) C(KVM_GUESTDBG_SINGLESTEP)		\
	C(KVM_GUESTDBG_USE_SW_BP) C(KVM_GUESTDBG_USE_HW_BP) C(KVM_CAP_SET_GUEST_DEBUG) \
	C(KVM_GET_MSR_INDEX_LIST) C(KVM_GET_MSRS) C(KVM_SET_MSRS)		\
	C(offsetof(struct kvm_msrs, entries)) C(offsetof(struct kvm_msr_list, indices)) \
	C(KVM_CAP_SET_TSS_ADDR) C(KVM_CAP_SET_IDENTITY_MAP_ADDR)	\
	C(KVM_CAP_USER_NMI) C(KVM_CAP_VCPU_EVENTS)			\
	C(KVM_SET_TSS_ADDR) C(KVM_SET_IDENTITY_MAP_ADDR) C(KVM_INTERRUPT) \
	C(KVM_NMI) C(KVM_GET_VCPU_EVENTS) C(KVM_SET_VCPU_EVENTS)	\
	C(KVM_VCPUEVENT_VALID_NMI_PENDING) C(KVM_VCPUEVENT_VALID_SIPI_VECTOR) \
	C(KVM_VCPUEVENT_VALID_SHADOW) C(KVM_VCPUEVENT_VALID_SMM)	\
	C(KVM_VCPUEVENT_VALID_PAYLOAD) C(KVM_VCPUEVENT_VALID_TRIPLE_FAULT) \
	C(KVM_X86_SHADOW_INT_MOV_SS) C(KVM_X86_SHADOW_INT_STI)		\
	C(KVM_CAP_MP_STATE) C(KVM_GET_MP_STATE) C(KVM_SET_MP_STATE)	\
	C(KVM_MP_STATE_RUNNABLE) C(KVM_MP_STATE_UNINITIALIZED)		\
	C(KVM_MP_STATE_INIT_RECEIVED) C(KVM_MP_STATE_HALTED)		\
	C(KVM_MP_STATE_SIPI_RECEIVED) C(KVM_SET_SIGNAL_MASK)		\
	C(offsetof(struct kvm_signal_mask, sigset))			\
	C(KVM_CAP_BINARY_STATS_FD) C(KVM_GET_STATS_FD)			\
	C(offsetof(struct kvm_stats_desc, name))			\
	C(KVM_STATS_TYPE_SHIFT) C(KVM_STATS_TYPE_MASK)			\
	C(KVM_STATS_TYPE_CUMULATIVE) C(KVM_STATS_TYPE_INSTANT)		\
	C(KVM_STATS_TYPE_PEAK) C(KVM_STATS_TYPE_LINEAR_HIST)		\
	C(KVM_STATS_TYPE_LOG_HIST) C(KVM_STATS_TYPE_MAX)		\
	C(KVM_STATS_UNIT_SHIFT) C(KVM_STATS_UNIT_MASK)			\
	C(KVM_STATS_UNIT_NONE) C(KVM_STATS_UNIT_BYTES)			\
	C(KVM_STATS_UNIT_SECONDS) C(KVM_STATS_UNIT_CYCLES)		\
	C(KVM_STATS_UNIT_BOOLEAN) C(KVM_STATS_UNIT_MAX)			\
	C(KVM_STATS_BASE_SHIFT) C(KVM_STATS_BASE_MASK)			\
	C(KVM_STATS_BASE_POW10) C(KVM_STATS_BASE_POW2) C(KVM_STATS_BASE_MAX) \
	C(KVM_CAP_DESTROY_MEMORY_REGION_WORKS) C(KVM_CAP_IRQ_ROUTING)	\
	C(KVM_CAP_JOIN_MEMORY_REGIONS_WORKS) C(KVM_CAP_CHECK_EXTENSION_VM) \
	C(KVM_SET_GSI_ROUTING) C(KVM_IRQ_ROUTING_IRQCHIP) C(KVM_IRQ_ROUTING_MSI) \
	C(offsetof(struct kvm_irq_routing, entries))			\
	C(KVM_CAP_MCE) C(KVM_X86_GET_MCE_CAP_SUPPORTED) C(KVM_X86_SETUP_MCE) \
	C(KVM_X86_SET_MCE) C(KVM_CAP_ADJUST_CLOCK) C(KVM_SET_CLOCK)	\
	C(KVM_GET_CLOCK) C(KVM_CLOCK_TSC_STABLE) C(KVM_CLOCK_REALTIME)	\
	C(KVM_CLOCK_HOST_TSC)
