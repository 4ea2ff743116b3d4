/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * minikvm user ABI: a drop-in subset of the KVM API (x86).
 *
 * The ioctl numbers, structure layouts, exit reasons and capability numbers
 * below are those of the KVM API (Documentation/virt/kvm/api.rst in Linux),
 * so that a program written for /dev/kvm runs on /dev/minikvm by changing
 * the device path.  Only what minikvm implements is declared here.
 * selftests/abi_check.c verifies every size, offset and number against the
 * system's <linux/kvm.h> at build time.
 *
 * This header and <linux/kvm.h> declare the same names; include one of them.
 */
#ifndef _UAPI_LINUX_MINIKVM_H
#define _UAPI_LINUX_MINIKVM_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define KVM_API_VERSION		12

/* Capabilities (KVM_CHECK_EXTENSION arguments) that minikvm answers. */
#define KVM_CAP_USER_MEMORY	3
#define KVM_CAP_NR_VCPUS	9
#define KVM_CAP_NR_MEMSLOTS	10
#define KVM_CAP_MAX_VCPUS	66
#define KVM_CAP_MAX_VCPU_ID	128
#define KVM_CAP_EXT_CPUID	7
#define KVM_CAP_SET_GUEST_DEBUG	23
#define KVM_CAP_IMMEDIATE_EXIT	136
#define KVM_CAP_READONLY_MEM	81
#define KVM_CAP_XSAVE		55
#define KVM_CAP_XCRS		56
#define KVM_CAP_DEBUGREGS	50
#define KVM_CAP_SET_TSS_ADDR	4
#define KVM_CAP_SET_IDENTITY_MAP_ADDR 37
#define KVM_CAP_USER_NMI	22
#define KVM_CAP_VCPU_EVENTS	41
#define KVM_CAP_MP_STATE	14
#define KVM_CAP_BINARY_STATS_FD	203
#define KVM_CAP_DESTROY_MEMORY_REGION_WORKS 21
#define KVM_CAP_IRQ_ROUTING	25
#define KVM_CAP_JOIN_MEMORY_REGIONS_WORKS 30
#define KVM_CAP_MCE		31
#define KVM_CAP_ADJUST_CLOCK	39
#define KVM_CAP_CHECK_EXTENSION_VM 105

/* Exit reasons (kvm_run.exit_reason). */
#define KVM_EXIT_UNKNOWN		0
#define KVM_EXIT_EXCEPTION		1
#define KVM_EXIT_IO			2
#define KVM_EXIT_HYPERCALL		3
#define KVM_EXIT_DEBUG			4
#define KVM_EXIT_HLT			5
#define KVM_EXIT_MMIO			6
#define KVM_EXIT_IRQ_WINDOW_OPEN	7
#define KVM_EXIT_SHUTDOWN		8
#define KVM_EXIT_FAIL_ENTRY		9
#define KVM_EXIT_INTR			10
#define KVM_EXIT_SET_TPR		11
#define KVM_EXIT_INTERNAL_ERROR		17

/* kvm_run.internal.suberror values. */
#define KVM_INTERNAL_ERROR_EMULATION			1
#define KVM_INTERNAL_ERROR_SIMUL_EX			2
#define KVM_INTERNAL_ERROR_DELIVERY_EV			3
#define KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON	4

/* emulation_failure.flags: insn_size and insn_bytes are valid. */
#define KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES (1ULL << 0)

/* kvm_run.io.direction */
#define KVM_EXIT_IO_IN	0
#define KVM_EXIT_IO_OUT	1

/* KVM_SET_USER_MEMORY_REGION flags (minikvm accepts none yet). */
#define KVM_MEM_LOG_DIRTY_PAGES	(1UL << 0)
#define KVM_MEM_READONLY	(1UL << 1)

struct kvm_userspace_memory_region {
	__u32 slot;		/* bits 0-15: slot id, bits 16-31: address space */
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;	/* bytes; 0 deletes the slot */
	__u64 userspace_addr;	/* start of the userspace allocated memory */
};

/*
 * The x86 register structures are also those of <asm/kvm.h>; a kernel
 * file that already has that header (through <asm/svm.h>) uses its copy.
 */
#ifndef _ASM_X86_KVM_H

/* General purpose registers, as KVM_GET_REGS/KVM_SET_REGS carry them. */
struct kvm_regs {
	__u64 rax, rbx, rcx, rdx;
	__u64 rsi, rdi, rsp, rbp;
	__u64 r8,  r9,  r10, r11;
	__u64 r12, r13, r14, r15;
	__u64 rip, rflags;
};

/* One segment register with its hidden (descriptor cache) part. */
struct kvm_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u8  type;
	__u8  present, dpl, db, s, l, g, avl;
	__u8  unusable;
	__u8  padding;
};

struct kvm_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

#define KVM_NR_INTERRUPTS 256

struct kvm_sregs {
	struct kvm_segment cs, ds, es, fs, gs, ss;
	struct kvm_segment tr, ldt;
	struct kvm_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
	__u64 interrupt_bitmap[(KVM_NR_INTERRUPTS + 63) / 64];
};

/* One MSR for KVM_GET_MSRS/KVM_SET_MSRS. */
struct kvm_msr_entry {
	__u32 index;
	__u32 reserved;
	__u64 data;
};

struct kvm_msrs {
	__u32 nmsrs;		/* entries that follow */
	__u32 pad;
	struct kvm_msr_entry entries[];
};

/* KVM_GET_MSR_INDEX_LIST */
struct kvm_msr_list {
	__u32 nmsrs;		/* in: room in indices; out: the list's size */
	__u32 indices[];
};

/* kvm_run.debug.arch for KVM_EXIT_DEBUG */
struct kvm_debug_exit_arch {
	__u32 exception;	/* 1 (#DB) or 3 (#BP) */
	__u32 pad;
	__u64 pc;		/* linear address */
	__u64 dr6;
	__u64 dr7;
};

struct kvm_guest_debug_arch {
	__u64 debugreg[8];
};

#define KVM_GUESTDBG_USE_SW_BP		0x00010000
#define KVM_GUESTDBG_USE_HW_BP		0x00020000

/* The x87 and SSE state, as KVM_GET_FPU/KVM_SET_FPU carry it. */
struct kvm_fpu {
	__u8  fpr[8][16];	/* ST0-ST7 as FXSAVE stores them */
	__u16 fcw;
	__u16 fsw;
	__u8  ftwx;		/* abridged tag word, as in FXSAVE */
	__u8  pad1;
	__u16 last_opcode;
	__u64 last_ip;
	__u64 last_dp;
	__u8  xmm[16][16];
	__u32 mxcsr;
	__u32 pad2;
};

/*
 * The guest's state in the standard XSAVE format (SDM Vol. 1, 13.4), the
 * offsets of CPUID leaf 0xD: KVM_GET_XSAVE/KVM_SET_XSAVE.
 */
struct kvm_xsave {
	__u32 region[1024];
};

#define KVM_MAX_XCRS	16

struct kvm_xcr {
	__u32 xcr;
	__u32 reserved;
	__u64 value;
};

/* The extended control registers: KVM_GET_XCRS/KVM_SET_XCRS. */
struct kvm_xcrs {
	__u32 nr_xcrs;
	__u32 flags;
	struct kvm_xcr xcrs[KVM_MAX_XCRS];
	__u64 padding[16];
};

/* The debug registers: KVM_GET_DEBUGREGS/KVM_SET_DEBUGREGS. */
struct kvm_debugregs {
	__u64 db[4];
	__u64 dr6;
	__u64 dr7;
	__u64 flags;
	__u64 reserved[9];
};

/* One CPUID leaf (and subleaf) as KVM_SET_CPUID2 and friends carry it. */
struct kvm_cpuid_entry2 {
	__u32 function;		/* EAX on input */
	__u32 index;		/* ECX on input, if flags say it matters */
	__u32 flags;
	__u32 eax;
	__u32 ebx;
	__u32 ecx;
	__u32 edx;
	__u32 padding[3];
};

#define KVM_CPUID_FLAG_SIGNIFCANT_INDEX		(1 << 0)

struct kvm_cpuid2 {
	__u32 nent;
	__u32 padding;
	struct kvm_cpuid_entry2 entries[];
};

/* KVM_GET/SET_VCPU_EVENTS */
#define KVM_VCPUEVENT_VALID_NMI_PENDING	0x00000001
#define KVM_VCPUEVENT_VALID_SIPI_VECTOR	0x00000002
#define KVM_VCPUEVENT_VALID_SHADOW	0x00000004
#define KVM_VCPUEVENT_VALID_SMM		0x00000008
#define KVM_VCPUEVENT_VALID_PAYLOAD	0x00000010
#define KVM_VCPUEVENT_VALID_TRIPLE_FAULT	0x00000020

/* Interrupt shadow states (interrupt.shadow) */
#define KVM_X86_SHADOW_INT_MOV_SS	0x01
#define KVM_X86_SHADOW_INT_STI		0x02

struct kvm_vcpu_events {
	struct {
		__u8 injected;
		__u8 nr;
		__u8 has_error_code;
		__u8 pending;
		__u32 error_code;
	} exception;
	struct {
		__u8 injected;
		__u8 nr;
		__u8 soft;
		__u8 shadow;
	} interrupt;
	struct {
		__u8 injected;
		__u8 pending;
		__u8 masked;
		__u8 pad;
	} nmi;
	__u32 sipi_vector;
	__u32 flags;
	struct {
		__u8 smm;
		__u8 pending;
		__u8 smm_inside_nmi;
		__u8 latched_init;
	} smi;
	struct {
		__u8 pending;
	} triple_fault;
	__u8 reserved[26];
	__u8 exception_has_payload;
	__u64 exception_payload;
};

#endif /* _ASM_X86_KVM_H */

/* Shared page between the kernel and userspace, mmap()ed from a vCPU fd. */
struct kvm_run {
	/* in */
	__u8 request_interrupt_window;
	__u8 immediate_exit;
	__u8 padding1[6];

	/* out */
	__u32 exit_reason;
	__u8 ready_for_interrupt_injection;
	__u8 if_flag;
	__u16 flags;

	/* in (pre_kvm_run), out (post_kvm_run) */
	__u64 cr8;
	__u64 apic_base;

	union {
		/* KVM_EXIT_UNKNOWN */
		struct {
			__u64 hardware_exit_reason;
		} hw;
		/* KVM_EXIT_FAIL_ENTRY */
		struct {
			__u64 hardware_entry_failure_reason;
			__u32 cpu;
		} fail_entry;
		/* KVM_EXIT_EXCEPTION */
		struct {
			__u32 exception;
			__u32 error_code;
		} ex;
		/* KVM_EXIT_DEBUG */
		struct {
			struct kvm_debug_exit_arch arch;
		} debug;
		/* KVM_EXIT_IO */
		struct {
			__u8 direction;
			__u8 size;	/* bytes */
			__u16 port;
			__u32 count;
			__u64 data_offset;	/* relative to the kvm_run start */
		} io;
		/* KVM_EXIT_MMIO */
		struct {
			__u64 phys_addr;
			__u8  data[8];
			__u32 len;
			__u8  is_write;
		} mmio;
		/* KVM_EXIT_INTERNAL_ERROR */
		struct {
			__u32 suberror;
			__u32 ndata;
			__u64 data[16];
		} internal;
		/* KVM_INTERNAL_ERROR_EMULATION: an overlay of internal */
		struct {
			__u32 suberror;
			__u32 ndata;
			__u64 flags;
			union {
				struct {
					__u8  insn_size;
					__u8  insn_bytes[15];
				};
			};
			/* minikvm: data[3], the address or exit code */
		} emulation_failure;
		/* Fix the size of the union. */
		char padding[256];
	};

	/* Register synchronisation (KVM_CAP_SYNC_REGS): not offered. */
	__u64 kvm_valid_regs;
	__u64 kvm_dirty_regs;
	union {
		char padding[2048];
	} s;
};

/* KVM_GET/SET_MP_STATE */
#define KVM_MP_STATE_RUNNABLE		0
#define KVM_MP_STATE_UNINITIALIZED	1
#define KVM_MP_STATE_INIT_RECEIVED	2
#define KVM_MP_STATE_HALTED		3
#define KVM_MP_STATE_SIPI_RECEIVED	4

struct kvm_mp_state {
	__u32 mp_state;
};

/* KVM_SET_SIGNAL_MASK: len bytes of a sigset_t follow (8 on x86-64) */
struct kvm_signal_mask {
	__u32 len;
	__u8  sigset[];
};

/*
 * KVM_SET_GSI_ROUTING: GSIs routed to the pins of an in-kernel irqchip or
 * to MSI messages.  minikvm has no in-kernel irqchip and refuses every
 * table, as KVM does for a VM without one; the layouts are KVM's.
 */
#define KVM_IRQ_ROUTING_IRQCHIP	1
#define KVM_IRQ_ROUTING_MSI	2

struct kvm_irq_routing_irqchip {
	__u32 irqchip;
	__u32 pin;
};

struct kvm_irq_routing_msi {
	__u32 address_lo;
	__u32 address_hi;
	__u32 data;
	union {
		__u32 pad;
		__u32 devid;
	};
};

struct kvm_irq_routing_entry {
	__u32 gsi;
	__u32 type;
	__u32 flags;
	__u32 pad;
	union {
		struct kvm_irq_routing_irqchip irqchip;
		struct kvm_irq_routing_msi msi;
		__u32 pad[8];
	} u;
};

struct kvm_irq_routing {
	__u32 nr;
	__u32 flags;
	struct kvm_irq_routing_entry entries[];
};

/* KVM_GET_CLOCK / KVM_SET_CLOCK: the VM's kvmclock time */
#define KVM_CLOCK_TSC_STABLE	2
#define KVM_CLOCK_REALTIME	(1 << 2)	/* realtime is valid */
#define KVM_CLOCK_HOST_TSC	(1 << 3)	/* host_tsc is valid */

struct kvm_clock_data {
	__u64 clock;		/* nanoseconds */
	__u32 flags;
	__u32 pad0;
	__u64 realtime;		/* CLOCK_REALTIME when clock was read */
	__u64 host_tsc;		/* the host's TSC then */
	__u32 pad[4];
};

/* KVM_X86_SET_MCE: an error to report in bank @bank (KVM_CAP_MCE) */
struct kvm_x86_mce {
	__u64 status;		/* IA32_MCi_STATUS */
	__u64 addr;		/* IA32_MCi_ADDR */
	__u64 misc;		/* IA32_MCi_MISC */
	__u64 mcg_status;	/* IA32_MCG_STATUS */
	__u8 bank;
	__u8 pad1[7];
	__u64 pad2[3];
};

/* KVM_INTERRUPT: an external interrupt's vector */
struct kvm_interrupt {
	__u32 irq;
};

/* KVM_SET_GUEST_DEBUG */
#define KVM_GUESTDBG_ENABLE	0x00000001
#define KVM_GUESTDBG_SINGLESTEP	0x00000002

struct kvm_guest_debug {
	__u32 control;
	__u32 pad;
	struct kvm_guest_debug_arch arch;
};

#define KVMIO 0xAE

/*
 * Binary statistics (KVM_GET_STATS_FD): a read-only file of four
 * consecutive blocks, read with pread() at any offset: the header, the
 * id string (name_size bytes), num_desc descriptors each followed by its
 * name (name_size bytes), and the data, u64 values at
 * data_offset + descriptor offset.
 */
struct kvm_stats_header {
	__u32 flags;		/* 0 */
	__u32 name_size;	/* bytes of the id and of each name, NUL included */
	__u32 num_desc;
	__u32 id_offset;
	__u32 desc_offset;
	__u32 data_offset;
};

/* kvm_stats_desc.flags: the type, the unit and the base of the exponent. */
#define KVM_STATS_TYPE_SHIFT		0
#define KVM_STATS_TYPE_MASK		(0xF << KVM_STATS_TYPE_SHIFT)
#define KVM_STATS_TYPE_CUMULATIVE	(0x0 << KVM_STATS_TYPE_SHIFT)
#define KVM_STATS_TYPE_INSTANT		(0x1 << KVM_STATS_TYPE_SHIFT)
#define KVM_STATS_TYPE_PEAK		(0x2 << KVM_STATS_TYPE_SHIFT)
#define KVM_STATS_TYPE_LINEAR_HIST	(0x3 << KVM_STATS_TYPE_SHIFT)
#define KVM_STATS_TYPE_LOG_HIST		(0x4 << KVM_STATS_TYPE_SHIFT)
#define KVM_STATS_TYPE_MAX		KVM_STATS_TYPE_LOG_HIST

#define KVM_STATS_UNIT_SHIFT		4
#define KVM_STATS_UNIT_MASK		(0xF << KVM_STATS_UNIT_SHIFT)
#define KVM_STATS_UNIT_NONE		(0x0 << KVM_STATS_UNIT_SHIFT)
#define KVM_STATS_UNIT_BYTES		(0x1 << KVM_STATS_UNIT_SHIFT)
#define KVM_STATS_UNIT_SECONDS		(0x2 << KVM_STATS_UNIT_SHIFT)
#define KVM_STATS_UNIT_CYCLES		(0x3 << KVM_STATS_UNIT_SHIFT)
#define KVM_STATS_UNIT_BOOLEAN		(0x4 << KVM_STATS_UNIT_SHIFT)
#define KVM_STATS_UNIT_MAX		KVM_STATS_UNIT_BOOLEAN

#define KVM_STATS_BASE_SHIFT		8
#define KVM_STATS_BASE_MASK		(0xF << KVM_STATS_BASE_SHIFT)
#define KVM_STATS_BASE_POW10		(0x0 << KVM_STATS_BASE_SHIFT)
#define KVM_STATS_BASE_POW2		(0x1 << KVM_STATS_BASE_SHIFT)
#define KVM_STATS_BASE_MAX		KVM_STATS_BASE_POW2

struct kvm_stats_desc {
	__u32 flags;		/* KVM_STATS_TYPE_*, KVM_STATS_UNIT_*, KVM_STATS_BASE_* */
	__s16 exponent;		/* the value is in unit * base^exponent */
	__u16 size;		/* how many u64 values: 1, or a histogram's buckets */
	__u32 offset;		/* of the first value, from data_offset */
	__u32 bucket_size;	/* linear histograms only; 0 otherwise */
	char name[];		/* name_size bytes, NUL-terminated */
};

/* ioctls on /dev/minikvm (the "system" fd) */
#define KVM_GET_API_VERSION	_IO(KVMIO,   0x00)
#define KVM_CREATE_VM		_IO(KVMIO,   0x01)	/* returns a VM fd */
#define KVM_GET_MSR_INDEX_LIST	_IOWR(KVMIO, 0x02, struct kvm_msr_list)
#define KVM_CHECK_EXTENSION	_IO(KVMIO,   0x03)
#define KVM_GET_VCPU_MMAP_SIZE	_IO(KVMIO,   0x04)	/* in bytes */
#define KVM_GET_SUPPORTED_CPUID	_IOWR(KVMIO, 0x05, struct kvm_cpuid2)
#define KVM_X86_GET_MCE_CAP_SUPPORTED _IOR(KVMIO, 0x9d, __u64)

/* ioctls on a VM fd (KVM_CHECK_EXTENSION too) */
#define KVM_CREATE_VCPU		_IO(KVMIO,   0x41)	/* returns a vCPU fd */
#define KVM_SET_USER_MEMORY_REGION _IOW(KVMIO, 0x46, \
					struct kvm_userspace_memory_region)
#define KVM_SET_TSS_ADDR	_IO(KVMIO,   0x47)
#define KVM_SET_IDENTITY_MAP_ADDR _IOW(KVMIO, 0x48, __u64)
/* On a VM fd and on a vCPU fd: returns a statistics fd (see above). */
#define KVM_GET_STATS_FD	_IO(KVMIO,   0xce)
#define KVM_SET_GSI_ROUTING	_IOW(KVMIO,  0x6a, struct kvm_irq_routing)
#define KVM_SET_CLOCK		_IOW(KVMIO,  0x7b, struct kvm_clock_data)
#define KVM_GET_CLOCK		_IOR(KVMIO,  0x7c, struct kvm_clock_data)

/* ioctls on a vCPU fd */
#define KVM_RUN			_IO(KVMIO,   0x80)
#define KVM_GET_REGS		_IOR(KVMIO,  0x81, struct kvm_regs)
#define KVM_SET_REGS		_IOW(KVMIO,  0x82, struct kvm_regs)
#define KVM_GET_SREGS		_IOR(KVMIO,  0x83, struct kvm_sregs)
#define KVM_SET_SREGS		_IOW(KVMIO,  0x84, struct kvm_sregs)
#define KVM_GET_MSRS		_IOWR(KVMIO, 0x88, struct kvm_msrs)
#define KVM_SET_MSRS		_IOW(KVMIO,  0x89, struct kvm_msrs)
#define KVM_SET_SIGNAL_MASK	_IOW(KVMIO,  0x8b, struct kvm_signal_mask)
#define KVM_GET_FPU		_IOR(KVMIO,  0x8c, struct kvm_fpu)
#define KVM_SET_FPU		_IOW(KVMIO,  0x8d, struct kvm_fpu)
#define KVM_GET_XSAVE		_IOR(KVMIO,  0xa4, struct kvm_xsave)
#define KVM_SET_XSAVE		_IOW(KVMIO,  0xa5, struct kvm_xsave)
#define KVM_GET_XCRS		_IOR(KVMIO,  0xa6, struct kvm_xcrs)
#define KVM_SET_XCRS		_IOW(KVMIO,  0xa7, struct kvm_xcrs)
#define KVM_SET_CPUID2		_IOW(KVMIO,  0x90, struct kvm_cpuid2)
#define KVM_GET_CPUID2		_IOWR(KVMIO, 0x91, struct kvm_cpuid2)
#define KVM_SET_GUEST_DEBUG	_IOW(KVMIO,  0x9b, struct kvm_guest_debug)
#define KVM_INTERRUPT		_IOW(KVMIO,  0x86, struct kvm_interrupt)
#define KVM_GET_MP_STATE	_IOR(KVMIO,  0x98, struct kvm_mp_state)
#define KVM_SET_MP_STATE	_IOW(KVMIO,  0x99, struct kvm_mp_state)
#define KVM_NMI			_IO(KVMIO,   0x9a)
#define KVM_GET_VCPU_EVENTS	_IOR(KVMIO,  0x9f, struct kvm_vcpu_events)
#define KVM_SET_VCPU_EVENTS	_IOW(KVMIO,  0xa0, struct kvm_vcpu_events)
#define KVM_GET_DEBUGREGS	_IOR(KVMIO,  0xa1, struct kvm_debugregs)
#define KVM_SET_DEBUGREGS	_IOW(KVMIO,  0xa2, struct kvm_debugregs)
#define KVM_X86_SETUP_MCE	_IOW(KVMIO,  0x9c, __u64)
#define KVM_X86_SET_MCE		_IOW(KVMIO,  0x9e, struct kvm_x86_mce)

#endif /* _UAPI_LINUX_MINIKVM_H */
