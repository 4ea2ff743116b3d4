/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minikvm core: the objects behind /dev/minikvm, a VM fd and a vCPU fd.
 *
 * Lifetimes: a VM is reference counted (struct kref).  The VM fd holds one
 * reference and every vCPU fd holds one, so a VM lives until its last fd is
 * closed.  vCPUs are owned by their VM and freed with it, never on their own,
 * which makes closing a vCPU fd while another thread sits in KVM_RUN safe
 * (that thread holds a file reference for the duration of the ioctl).
 * Every file carries THIS_MODULE as owner, so the module cannot be unloaded
 * while any fd is open.
 */
#ifndef MKVM_CORE_H
#define MKVM_CORE_H

#include <linux/kref.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "../../uapi/linux/minikvm.h"
#include "../x86/events.h"
#include "../x86/ops.h"
#include "../x86/tdp.h"

struct dentry;
struct fxregs_state;

#define MKVM_MAX_SLOTS		32	/* KVM_CAP_NR_MEMSLOTS */
#define MKVM_MAX_VCPUS		16	/* KVM_CAP_MAX_VCPUS and MAX_VCPU_ID */
#define MKVM_RUN_PAGES		2	/* kvm_run, then the PIO data page */
#define MKVM_PIO_PAGE_OFFSET	1
#define MKVM_MAX_CPUID_ENTRIES	256	/* as KVM_MAX_CPUID_ENTRIES */
#define MKVM_MAX_INSN		15	/* bytes in an instruction (SDM Vol. 2, 2.3.11) */
#define MKVM_MAX_IRQ_ROUTES	4096	/* KVM_CAP_IRQ_ROUTING, as KVM_MAX_IRQ_ROUTES */
/* The flags KVM_GET_CLOCK gives (KVM_CAP_ADJUST_CLOCK). */
#define MKVM_CLOCK_FLAGS	(KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC)

/* Register numbers, in the encoding of the ModRM byte and of the exits. */
enum mkvm_reg {
	MKVM_RAX, MKVM_RCX, MKVM_RDX, MKVM_RBX,
	MKVM_RSP, MKVM_RBP, MKVM_RSI, MKVM_RDI,
	MKVM_R8, MKVM_R9, MKVM_R10, MKVM_R11,
	MKVM_R12, MKVM_R13, MKVM_R14, MKVM_R15,
	MKVM_NR_GPRS
};

/* Statistics (core/stats.c). */
#define MKVM_STATS_NAME_SIZE	48	/* KVM's: bytes of the id and of each name */
#define MKVM_STATS_HIST		32	/* log2 buckets, as KVM's halt_wait_hist */
#define MKVM_STATS_REASONS	56	/* "other", then a backend's exit_names */
/* Raw exit codes below this have a slot of their own (SVM's NPF is 0x400). */
#define MKVM_STATS_CODES	0x410
/* vcpu->exit_code when the entry failed before any exit (VMX VMfail). */
#define MKVM_EXIT_CODE_NONE	U32_MAX

/*
 * A vCPU's counters, the data block of its stats fd (KVM_GET_STATS_FD)
 * in this order: the descriptors in core/stats.c give each its offset.
 * Only the thread inside a vCPU ioctl (vcpu->mutex held) writes them,
 * with plain increments, as KVM's vcpu->stat; readers (the stats fd,
 * debugfs) take what they find, without a lock.  The
 * fields named as KVM's mean what KVM's do (arch/x86/kvm/x86.c); the
 * others are minikvm's own.  Allocated apart from the vCPU: the
 * histograms make it about 14 KiB.
 */
struct mkvm_vcpu_stats {
	u64 exits;		/* every VM exit, failed entries included */
	u64 io_exits;		/* IN, OUT, INS, OUTS intercepted */
	u64 mmio_exits;		/* KVM_EXIT_MMIO */
	u64 halt_exits;		/* HLT intercepted */
	u64 irq_exits;		/* external-interrupt exits */
	u64 signal_exits;	/* KVM_RUN ended by a signal (KVM_EXIT_INTR) */
	u64 irq_window_exits;	/* interrupt-window (VMX) / VINTR (SVM) exits */
	u64 nmi_window_exits;	/* NMI-window (VMX) / IRET (SVM) exits */
	u64 request_irq_exits;	/* KVM_EXIT_IRQ_WINDOW_OPEN */
	u64 insn_emulation;	/* instructions decoded and done in software */
	u64 irq_injections;	/* interrupts given by an entry */
	u64 nmi_injections;	/* NMIs given by an entry */
	u64 pf_taken;		/* EPT violations / NPFs the MMU handled */
	u64 pf_fixed;		/* ... that mapped guest memory */
	u64 l1d_flush;		/* L1D flushes before an entry (x86/spec.c) */
	u64 exception_injections;	/* exceptions given by an entry */
	u64 user_exits;		/* KVM_RUN returning 0 to userspace */
	u64 migrations;		/* loads on another host CPU than the last */
	u64 guest_time_ns;	/* from entry to exit, summed */
	/*
	 * By exit reason, slot 0 for the reasons without their own: the
	 * exits, and the root-side time of each, ns, in log2 buckets as
	 * KVM's.  The slots in use come first: the described data is one
	 * block, as KVM's.
	 */
	struct {
		u64 exits;
		u64 hist[MKVM_STATS_HIST];
	} reason[MKVM_STATS_REASONS];
};

/* A VM's counters that are not kept elsewhere; under vm->mmu_lock. */
struct mkvm_vm_stats {
	u64 remote_tlb_flush;	/* mkvm_mmu_zap(): every vCPU kicked out */
};

struct mkvm_slot {
	bool used;
	u64 gpa;		/* page aligned */
	u64 npages;
	unsigned long uaddr;	/* page aligned userspace address */
	bool readonly;		/* KVM_MEM_READONLY: guest writes are MMIO */
	/* Pinned pages by page index in the slot, filled on first fault. */
	struct xarray pages;
};

struct mkvm_vm {
	struct kref ref;
	struct mm_struct *mm;	/* the creator's; ioctls from others fail */

	/*
	 * ->lock serialises the slot ioctl and vCPU creation.  ->mmu_lock
	 * guards what the MMU notifier touches: the slots' fields and page
	 * arrays and ->tdp; slot changes hold both.  Lock order: ->lock, then
	 * mmap_lock, then ->mmu_lock.  MMU notifier callbacks take ->mmu_lock
	 * under mmap_lock and from reclaim, so under ->mmu_lock nothing pins
	 * pages or touches user memory, and allocations do not reclaim
	 * (core/mmu.c).  Both are mutexes: unpinning and kicking may sleep.
	 */
	struct mutex lock;
	struct mutex mmu_lock;	/* see above */
	struct mkvm_slot slots[MKVM_MAX_SLOTS];
	struct mkvm_tdp tdp;
	/* Bumped when translations are dropped; vCPUs flush on a change. */
	atomic_t mmu_gen;

	/* Following the process's page tables (core/mmu_notifier.c). */
	struct mmu_notifier mn;
	atomic_long_t mmu_invalidate_in_progress;	/* faults back off */
	atomic_long_t mmu_invalidate_seq;	/* bumped by every change */
	bool mm_released;	/* the address space is gone: no faults */

	struct mkvm_vcpu *vcpus[MKVM_MAX_VCPUS];
	unsigned int nr_vcpus;
	u64 tsc_offset;		/* a new vCPU's guest TSC minus the host's */
	/*
	 * KVM_GET/SET_CLOCK: the VM's clock minus CLOCK_BOOTTIME, in ns,
	 * modulo 2^64 (userspace may set any clock).
	 */
	u64 kvmclock_offset;
	/* From KVM_SET_TSS_ADDR / KVM_SET_IDENTITY_MAP_ADDR; kept, not needed. */
	unsigned long tss_addr;
	u64 identity_map_addr;

	struct mkvm_vm_stats stats;
	char stats_id[MKVM_STATS_NAME_SIZE];	/* "minikvm-PID" */
	struct dentry *debugfs;	/* its summary directory, or NULL */

	void *arch;		/* backend data, owned by the backend */
};

/* An MMIO read waiting for its data from userspace (x86/mmio.c). */
struct mkvm_mmio_read {
	bool pending;
	u64 gpa;		/* where, for the minikvm_mmio tracepoint */
	bool sign;		/* MOVSX */
	bool high;		/* AH, CH, DH, BH */
	u8 size;		/* bytes read */
	u8 dst_bytes;		/* width of the register written */
	u8 reg;
};

#define MKVM_NR_FIXED_MTRR	11	/* fixed-range MTRRs (SDM Vol. 3A, 13.11.2.2) */
#define MKVM_NR_VAR_MTRR	8	/* variable-range pairs, as KVM_NR_VAR_MTRR */

/* The guest's MTRRs as it wrote them (x86/mtrr.c); 0 after RESET. */
struct mkvm_mtrr {
	u64 deftype;			/* IA32_MTRR_DEF_TYPE */
	u64 fixed[MKVM_NR_FIXED_MTRR];
	u64 var[2 * MKVM_NR_VAR_MTRR];	/* PHYSBASEn, PHYSMASKn: MSR 0x200 + i */
};

#define MKVM_MAX_MCE_BANKS	32	/* KVM_CAP_MCE, as KVM_MAX_MCE_BANKS */

/* The guest's machine-check registers (x86/mce.c). */
struct mkvm_mce {
	u64 mcg_cap;		/* from KVM_X86_SETUP_MCE */
	u64 mcg_status;
	u64 mcg_ctl;
	/* IA32_MCi_CTL, _STATUS, _ADDR, _MISC of each bank, in MSR order */
	u64 banks[4 * MKVM_MAX_MCE_BANKS];
};

/* What a guest-physical fault was, from the backend (vcpu->fault_flags). */
#define MKVM_FAULT_WRITE	BIT(0)
/* A data access to the final address: MMIO can be emulated for it. */
#define MKVM_FAULT_DATA		BIT(1)

struct mkvm_vcpu {
	struct mkvm_vm *vm;
	unsigned int id;

	/* One ioctl at a time per vCPU, as KVM does. */
	struct mutex mutex;
	struct kvm_run *run;	/* page shared with userspace */
	void *pio_data;		/* page shared with userspace */

	/*
	 * The guest's general registers while it is out of the guest; the
	 * backends move RSP/RIP/RFLAGS (and RAX on SVM) between here and
	 * the VMCS or VMCB around each entry.
	 */
	unsigned long regs[MKVM_NR_GPRS];
	unsigned long rip;
	unsigned long rflags;
	/*
	 * The guest's TPR, CR8[3:0]: VMX exits on MOV CR8 and keeps it here,
	 * SVM moves it to and from the VMCB's V_TPR around each VMRUN.  In
	 * and out of kvm_run->cr8 and kvm_sregs.cr8, as KVM without an
	 * in-kernel APIC.
	 */
	u8 cr8;

	int cpu;		/* host CPU last loaded on, -1 for none */
	int mmu_gen;		/* vm->mmu_gen seen at the last flush */

	u8 pio_in_size;		/* an IN waits for its data from userspace */
	u16 pio_in_port;	/* ... from this port (minikvm_pio tracepoint) */
	bool pio_string;	/* ... an INS, for pio_in_count elements at */
	u32 pio_in_count;
	u64 pio_in_gpa;		/* ... this guest-physical address */
	bool has_run;		/* KVM_RUN was called: CPUID is fixed */
	u32 guest_debug;	/* KVM_GUESTDBG_* from KVM_SET_GUEST_DEBUG */
	/* KVM_SET_SIGNAL_MASK: the thread's signal mask during KVM_RUN. */
	bool sigset_active;
	sigset_t sigset;
	unsigned long db[4];	/* the guest's DR0-DR3 (x86/dr.c) */
	unsigned long dr7;	/* the guest's DR7, also in the VMCS/VMCB */
	bool step_with_tf;	/* the backend single-steps through RFLAGS.TF */

	/*
	 * PAE page-directory-pointer entries for KVM_SET_SREGS, read from the
	 * guest's CR3 there: VMX entry takes them from the VMCS (26.3.2.4).
	 */
	u64 pdptrs[4];

	/* The MSRs the core keeps; the others live in the VMCS or VMCB. */
	u64 msr_misc_enable;
	u64 msr_apic_base;
	u64 msr_tsc_aux;	/* switched around each entry: x86/msr.c */
	struct mkvm_mtrr mtrr;
	struct mkvm_mce mce;
	/* KVM_X86_SET_MCE shut the processor down: KVM_EXIT_SHUTDOWN next. */
	bool triple_fault_pending;

	/* The guest's x87/SSE/AVX state, a page in XSAVE format (x86/fpu.c). */
	struct fxregs_state *fpu;
	u64 xcr0;		/* the guest's XCR0 */
	bool xcr0_loaded;	/* ... in the CPU for this entry (x86/fpu.c) */

	/* From KVM_SET_CPUID2; NULL until then (minikvm's policy applies). */
	struct kvm_cpuid_entry2 *cpuid;
	unsigned int cpuid_nent;
	u64 fault_gpa;		/* for MKVM_MMU_FAULT */
	u8 fault_flags;		/* MKVM_FAULT_*; 0 unless an EPT/NPT fault set them */
	struct mkvm_mmio_read mmio_read;
	struct mkvm_events ev;	/* what the next entries deliver (x86/events.c) */

	/*
	 * Statistics: the counters, the backend's raw reason of the last
	 * exit (set by ->run()), and the exit whose root-side time is still
	 * running (core/stats.c).
	 */
	struct mkvm_vcpu_stats *stats;
	u32 exit_code;
	u8 stats_slot;
	bool stats_open;
	u64 stats_exit_ns;
	char stats_id[MKVM_STATS_NAME_SIZE];	/* "minikvm-PID/vcpu-ID" */

	/* Speculation state (x86/spec.c); only the running vCPU's thread. */
	bool spec_l1d_flush;		/* flush L1D before the next entry */
	unsigned long spec_task_switches; /* the task's switches at the last entry */
};

/* Live objects, module-wide (core/debugfs.c); all 0 when no VM exists. */
struct mkvm_counts {
	atomic_long_t vms;
	atomic_long_t vcpus;
	atomic_long_t pinned_pages;
	atomic_long_t tdp_tables;
};

extern struct mkvm_counts mkvm_counts;

#define mkvm_count(what, delta)	atomic_long_add(delta, &mkvm_counts.what)

/* core/debugfs.c */
void mkvm_debugfs_init(void);
void mkvm_debugfs_exit(void);
struct dentry *mkvm_debugfs_vms(void);

/* x86/host_state_debugfs.c */
struct dentry;
void mkvm_host_state_init(struct dentry *dir);

/* x86/intercept.c: exceptions the host always intercepts, counted */
struct mkvm_intercept_counts {
	atomic_long_t mc;	/* machine checks handed to the host */
	atomic_long_t ac;	/* #AC reflected into a guest */
	atomic_long_t db;	/* #DB reflected into a guest */
};

extern struct mkvm_intercept_counts mkvm_intercept_counts;

#define mkvm_intercepted(what)	atomic_long_inc(&mkvm_intercept_counts.what)
void mkvm_machine_check(void);
void mkvm_intercepts_init(struct dentry *dir);

/* core/main.c */
long mkvm_check_extension(unsigned long cap);

/* core/hw.c */
int mkvm_hw_init(void);
void mkvm_hw_exit(void);
int mkvm_hw_get(void);
void mkvm_hw_put(void);
int mkvm_hw_enter(void);
void mkvm_kick_all_cpus(void);
void mkvm_hw_leave(void);
bool mkvm_hw_shutting_down(void);
struct dentry;
void mkvm_hw_debugfs_init(struct dentry *dir);

/* core/stats.c */
int mkvm_stats_init(void);
void mkvm_stats_exit(void);
void mkvm_stats_vm_init(struct mkvm_vm *vm);
void mkvm_stats_vm_destroy(struct mkvm_vm *vm);
int mkvm_stats_vcpu_init(struct mkvm_vcpu *vcpu);
void mkvm_stats_vcpu_free(struct mkvm_vcpu *vcpu);
void mkvm_stats_vcpu_debugfs(struct mkvm_vcpu *vcpu);
int mkvm_vm_stats_fd(struct mkvm_vm *vm);
int mkvm_vcpu_stats_fd(struct mkvm_vcpu *vcpu);
void mkvm_stats_exited(struct mkvm_vcpu *vcpu, u64 entry_ns, u64 exit_ns);
void mkvm_stats_handled(struct mkvm_vcpu *vcpu, u64 now_ns);

/* core/vm.c */
int mkvm_create_vm(unsigned long type);
void mkvm_vm_get(struct mkvm_vm *vm);
void mkvm_vm_put(struct mkvm_vm *vm);
struct mkvm_slot *mkvm_find_slot(struct mkvm_vm *vm, u64 gpa);

/* core/mmu.c */
int mkvm_mmu_fault(struct mkvm_vcpu *vcpu, u64 gpa, bool write);
void mkvm_mmu_release_slot(struct mkvm_slot *slot);
void mkvm_mmu_zap(struct mkvm_vm *vm, struct mkvm_slot *hide);

/* core/mmu_notifier.c */
int mkvm_mmu_notifier_register(struct mkvm_vm *vm);
void mkvm_mmu_notifier_unregister(struct mkvm_vm *vm);
bool mkvm_mmu_needs_flush(struct mkvm_vcpu *vcpu);
int mkvm_read_guest(struct mkvm_vm *vm, u64 gpa, void *buf, size_t len);
int mkvm_write_guest(struct mkvm_vm *vm, u64 gpa, const void *buf, size_t len);
int mkvm_read_guest_atomic(struct mkvm_vcpu *vcpu, u64 gpa, void *buf, size_t len);

/* core/vcpu.c */
int mkvm_create_vcpu(struct mkvm_vm *vm, unsigned long id);
void mkvm_vcpu_load(struct mkvm_vcpu *vcpu);
void mkvm_vcpu_put(struct mkvm_vcpu *vcpu);
void mkvm_vcpu_free(struct mkvm_vcpu *vcpu);

/* A string I/O instruction as a backend decoded it from its exit. */
struct mkvm_string_io {
	u16 port;
	u8 size;		/* bytes per element: 1, 2 or 4 */
	bool in;
	bool rep;
	u8 addr_bytes;		/* address size: 2, 4 or 8 */
	u64 seg_base;		/* ES for INS; DS or the override for OUTS */
	unsigned long next_rip;
};

/* core/exits.c: helpers both backends' exit handlers call */
enum mkvm_exit_action mkvm_exit_io(struct mkvm_vcpu *vcpu, u16 port,
				   u8 size, bool in, unsigned long next_rip);
enum mkvm_exit_action mkvm_exit_internal(struct mkvm_vcpu *vcpu,
					 u32 suberror, u64 reason);
enum mkvm_exit_action mkvm_exit_emulation(struct mkvm_vcpu *vcpu, u64 info,
					  const u8 *bytes, unsigned int n);
enum mkvm_exit_action mkvm_exit_delivery(struct mkvm_vcpu *vcpu, u64 gpa);
enum mkvm_exit_action mkvm_exit_fail_entry(struct mkvm_vcpu *vcpu,
					   u64 reason);
enum mkvm_exit_action mkvm_exit_simple(struct mkvm_vcpu *vcpu, u32 reason);
enum mkvm_exit_action mkvm_exit_debug(struct mkvm_vcpu *vcpu, u32 exception,
				      u64 pc, u64 dr6, u64 dr7);
int mkvm_complete_pio_in(struct mkvm_vcpu *vcpu);
enum mkvm_exit_action mkvm_exit_string_io(struct mkvm_vcpu *vcpu,
					  const struct mkvm_string_io *io);

/* The guest's paging registers and code size, for software walks. */
struct mkvm_paging {
	u64 cr0, cr3, cr4, efer;
	u64 cs_base;
	u8 code_bytes;		/* 2, 4 or 8: 16-, 32- or 64-bit code */
	u8 cpl;
};

/* x86/walk.c */
void mkvm_get_paging(struct mkvm_vcpu *vcpu, struct mkvm_paging *pg);
int mkvm_gva_to_gpa(struct mkvm_vcpu *vcpu, const struct mkvm_paging *pg,
		    u64 gva, u32 *access, u64 *gpa, bool atomic);
int mkvm_read_linear(struct mkvm_vcpu *vcpu, const struct mkvm_paging *pg,
		     u64 gva, void *buf, size_t len, bool atomic);

/* x86/mmio.c */
enum mkvm_exit_action mkvm_emulate_mmio(struct mkvm_vcpu *vcpu, u64 gpa);
void mkvm_complete_mmio(struct mkvm_vcpu *vcpu);

/* x86/cpuid.c */
void mkvm_guest_cpuid(struct mkvm_vcpu *vcpu, u32 leaf, u32 subleaf,
		      u32 *eax, u32 *ebx, u32 *ecx, u32 *edx);
int mkvm_get_supported_cpuid(struct kvm_cpuid2 __user *arg);
int mkvm_set_cpuid2(struct mkvm_vcpu *vcpu, struct kvm_cpuid2 __user *arg);
int mkvm_get_cpuid2(struct mkvm_vcpu *vcpu, struct kvm_cpuid2 __user *arg);
void mkvm_emulate_cpuid(struct mkvm_vcpu *vcpu);

/* x86/fpu.c */
extern u64 mkvm_xfeatures;
extern u32 mkvm_cpuid_hide_7_ebx;	/* x86/cpuid.c */
void mkvm_fpu_setup(void);
int mkvm_fpu_init(struct mkvm_vcpu *vcpu);
void mkvm_fpu_free(struct mkvm_vcpu *vcpu);
void mkvm_fpu_load_guest(struct mkvm_vcpu *vcpu);
void mkvm_fpu_save_guest(struct mkvm_vcpu *vcpu);
u32 mkvm_xsave_size(u64 xcr0);
enum mkvm_exit_action mkvm_handle_xsetbv(struct mkvm_vcpu *vcpu);
long mkvm_fpu_ioctl(struct mkvm_vcpu *vcpu, unsigned int ioctl, void __user *argp);

/* x86/dr.c */
void mkvm_dr_reset(struct mkvm_vcpu *vcpu);
void mkvm_load_guest_dr(struct mkvm_vcpu *vcpu);
enum mkvm_exit_action mkvm_emulate_mov_dr(struct mkvm_vcpu *vcpu,
					  const struct mkvm_paging *pg, int dr,
					  int gpr, bool write, unsigned int len);
long mkvm_debugregs_ioctl(struct mkvm_vcpu *vcpu, void __user *argp, bool set);

/* x86/msr.c */
void mkvm_msr_reset(struct mkvm_vcpu *vcpu);
u64 mkvm_tsc_aux_load(struct mkvm_vcpu *vcpu);
void mkvm_tsc_aux_put(struct mkvm_vcpu *vcpu, u64 host);
int mkvm_get_msr(struct mkvm_vcpu *vcpu, u32 index, u64 *data, bool host);
int mkvm_set_msr(struct mkvm_vcpu *vcpu, u32 index, u64 data, bool host);
enum mkvm_exit_action mkvm_handle_msr(struct mkvm_vcpu *vcpu, bool write);
int mkvm_get_msr_index_list(struct kvm_msr_list __user *arg);
int mkvm_msrs_ioctl(struct mkvm_vcpu *vcpu, struct kvm_msrs __user *arg, bool set);

/* x86/mtrr.c */
bool mkvm_mtrr_msr(u32 index);
int mkvm_mtrr_get(struct mkvm_vcpu *vcpu, u32 index, u64 *data);
int mkvm_mtrr_set(struct mkvm_vcpu *vcpu, u32 index, u64 data);

/* x86/mce.c */
void mkvm_mce_reset(struct mkvm_vcpu *vcpu);
bool mkvm_mce_msr(u32 index);
int mkvm_mce_get(struct mkvm_vcpu *vcpu, u32 index, u64 *data, bool host);
int mkvm_mce_set(struct mkvm_vcpu *vcpu, u32 index, u64 data, bool host);
long mkvm_mce_ioctl(struct mkvm_vcpu *vcpu, unsigned int ioctl, void __user *argp);
int mkvm_get_mce_cap_supported(u64 __user *argp);

/* x86/sregs.c */
int mkvm_check_sregs(struct mkvm_vcpu *vcpu, const struct kvm_sregs *sregs);
bool mkvm_cr4_valid(struct mkvm_vcpu *vcpu, u64 cr4);
bool mkvm_cr4_write_valid(struct mkvm_vcpu *vcpu, u64 old, u64 cr4, u64 efer, u64 cr3);
void mkvm_reset_sregs(struct kvm_sregs *sregs);

/* Set by the "debug" module parameter: dump state on unexpected exits. */
extern bool mkvm_debug;

#endif
