// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl fuzzer: seeded random sequences over every ioctl minikvm
 * implements (and some it does not), with edge and random arguments: slot
 * ids at and past the limit, unaligned, wrapping and huge addresses and
 * sizes, overlapping slots, reserved bits in CR0/CR4/EFER and segment
 * attributes, inconsistent modes, bad vCPU ids, bad pointers, bad mmap
 * offsets and sizes, random CPUID tables and MSR lists (the MTRRs and
 * machine-check banks among them), KVM_CHECK_EXTENSION on VM fds,
 * KVM_SET_GSI_ROUTING, KVM_GET/SET_CLOCK, the KVM_CAP_MCE ioctls with
 * random capabilities and errors, and KVM_RUN of
 * random instruction bytes in every mode (see random_code_ok).  Two more threads race it: one signals
 * the thread in KVM_RUN; one calls KVM_GET_REGS on the vCPU that runs and,
 * for one KVM_RUN in 16, closes the running vCPU's fd or its VM's.
 *
 * Every call must succeed or fail with an errno KVM documents for it
 * (Documentation/api.rst); anything else counts as "unexpected".  Kernel
 * reports (oops, BUG, WARNING, lockdep, KASAN, UBSAN) logged meanwhile
 * count as "oops".  The last line is
 *	fuzz <lane> ops=<N> unexpected=<N> oops=<N>
 * FUZZ_OPS (default 100000), FUZZ_SEED (default 1) and FUZZ_SECONDS (a
 * bound on the time, default 400) change the run; stopping on time before
 * FUZZ_OPS is a failure.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"

#define NVMS		3
#define NVCPUS		4
#define MEM_SIZE	(1 << 20)

/* The errnos each kind of call may return, besides success. */
#define E(x)		(1ull << (x))
#define ERR_SYS		(E(EINVAL) | E(EFAULT) | E(E2BIG) | E(ENOMEM) | E(ENOTTY))
#define ERR_VM		(E(EINVAL) | E(EFAULT) | E(EEXIST) | E(ENOMEM) | E(ENOSPC) | E(ENOTTY))
#define ERR_VCPU	(E(EINVAL) | E(EFAULT) | E(E2BIG) | E(ENOMEM) | E(ENOTTY) | E(EINTR))
#define ERR_MMAP	(E(EINVAL) | E(ENOMEM) | E(EACCES) | E(EPERM))
/* A racing close may leave a stale fd number behind. */
#define ERR_CLOSED	(E(EBADF) | E(ENOTTY) | E(EINVAL))

struct fvm {
	struct vm *vm;
	struct vcpu vcpus[NVCPUS];	/* fd < 0: none */
};

static struct fvm vms[NVMS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t main_thread;
static volatile int running_fd = -1, running_vm_fd = -1, done;
/* What the racer is to close during this KVM_RUN, and what it closed. */
enum { CLOSE_NONE, CLOSE_VM, CLOSE_VCPU };
static volatile int close_what, closed;
static unsigned long fd_closes;
static unsigned long ops, unexpected, runs, eintr, exits[64];
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t pick(const uint64_t *v, int n)
{
	return v[rnd() % n];
}

#define PICK(...) ({ const uint64_t __v[] = { __VA_ARGS__ };		\
		     pick(__v, sizeof(__v) / sizeof(__v[0])); })

/* An address that is sometimes good, sometimes bad. */
static void *arg_ptr(void *good)
{
	switch (rnd() % 8) {
	case 0:
		return NULL;
	case 1:
		return (void *)8;
	case 2:
		return (void *)0xffff800000000000ull;
	default:
		return good;
	}
}

static void check(const char *what, long r, uint64_t allowed)
{
	ops++;
	if (r >= 0)
		return;
	if (-r < 64 && (allowed & E(-r)))
		return;
	unexpected++;
	if (unexpected <= 20)
		ktap_info("unexpected: %s returned %s", what, strerror(-r));
}

/*
 * Ends every KVM_RUN within a millisecond or so.  One whose fd the racer
 * is to close is left alone for 20 ms first, and then signalled all the
 * same: the racer may have read running_fd just before close_what was set
 * and be waiting in KVM_GET_REGS for this very KVM_RUN to end, which a
 * guest spinning with no exit to userspace would never do.
 */
static void *signaller(void *arg)
{
	unsigned long run = 0;
	int waited = 0;

	(void)arg;
	while (!done) {
		usleep(1000);
		if (__atomic_load_n(&runs, __ATOMIC_RELAXED) != run) {
			run = __atomic_load_n(&runs, __ATOMIC_RELAXED);
			waited = 0;
		}
		if (running_fd < 0 || (close_what && waited++ < 20))
			continue;
		pthread_kill(main_thread, SIGUSR1);
	}
	return NULL;
}

/*
 * Register ioctls on the running vCPU: they wait for KVM_RUN to end.  And
 * when asked, closing the running vCPU's fd or its VM's: under the lock,
 * which the main thread takes to leave KVM_RUN, so that the fd closed is
 * still the one in use.
 */
static void *racer(void *arg)
{
	struct kvm_regs regs;

	(void)arg;
	while (!done) {
		int fd;

		usleep(close_what ? 100 : 3000);
		if (close_what) {
			pthread_mutex_lock(&lock);
			if (running_fd >= 0 && close_what) {
				close(close_what == CLOSE_VM ? running_vm_fd : running_fd);
				closed = close_what;
				close_what = CLOSE_NONE;
			}
			pthread_mutex_unlock(&lock);
			continue;
		}
		fd = running_fd;
		if (fd >= 0) {
			/*
			 * The vCPU's mutex makes this wait for KVM_RUN; by
			 * then the main thread may have closed the fd.
			 */
			long r = __kvm_ioctl(fd, KVM_GET_REGS, &regs);

			if (r < 0 && !(-r < 64 && ((ERR_VCPU | ERR_CLOSED) & E(-r))))
				__atomic_add_fetch(&unexpected, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
}

static struct fvm *some_vm(void)
{
	return &vms[rnd() % NVMS];
}

static struct vcpu *some_vcpu(void)
{
	struct fvm *f = some_vm();
	struct vcpu *v = &f->vcpus[rnd() % NVCPUS];

	return f->vm && v->fd >= 0 ? v : NULL;
}

static void free_vcpu(struct vcpu *v)
{
	if (v->fd < 0)
		return;
	munmap(v->run, v->run_size);
	close(v->fd);
	v->fd = -1;
}

static void free_vm(struct fvm *f)
{
	int i;

	if (!f->vm)
		return;
	for (i = 0; i < NVCPUS; i++)
		free_vcpu(&f->vcpus[i]);
	vm_free(f->vm);
	f->vm = NULL;
}

static void op_sys(void)
{
	static struct { struct kvm_cpuid2 c; struct kvm_cpuid_entry2 e[300]; } cpuid;
	static struct { struct kvm_msr_list l; uint32_t i[300]; } msrs;
	int sys = vms[0].vm ? vms[0].vm->sys_fd : open_kvm_dev();
	uint64_t mce_cap;
	long r;

	switch (rnd() % 7) {
	case 0:
		r = __kvm_ioctl(sys, KVM_GET_API_VERSION, (void *)(uintptr_t)(rnd() % 3 ? 0 : rnd()));
		break;
	case 1:
		r = __kvm_ioctl(sys, KVM_CHECK_EXTENSION, (void *)(rnd() % 300));
		break;
	case 2:
		cpuid.c.nent = PICK(0, 1, 50, 256, 300, rnd());
		r = __kvm_ioctl(sys, KVM_GET_SUPPORTED_CPUID, arg_ptr(&cpuid));
		if (cpuid.c.nent > 300)
			cpuid.c.nent = 300;
		break;
	case 3:
		msrs.l.nmsrs = PICK(0, 1, 15, 16, 300, rnd());
		r = __kvm_ioctl(sys, KVM_GET_MSR_INDEX_LIST, arg_ptr(&msrs));
		break;
	case 4:
		r = __kvm_ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, (void *)(uintptr_t)(rnd() % 3 ? 0 : 1));
		break;
	case 5:
		r = __kvm_ioctl(sys, KVM_X86_GET_MCE_CAP_SUPPORTED, arg_ptr(&mce_cap));
		break;
	default: {
		unsigned int nr = rnd() % 256;

		r = __kvm_ioctl(sys, _IO(KVMIO, nr), (void *)rnd());
		break;
	}
	}
	if (!vms[0].vm)
		close(sys);
	check("system ioctl", r, ERR_SYS);
}

static void op_create_vm(void)
{
	struct fvm *f = some_vm();
	int i;

	pthread_mutex_lock(&lock);
	free_vm(f);
	f->vm = vm_create(MEM_SIZE);
	for (i = 0; i < NVCPUS; i++)
		f->vcpus[i].fd = -1;
	pthread_mutex_unlock(&lock);
	ops++;
	if (rnd() % 4 == 0) {	/* a VM type KVM does not know */
		long r = __kvm_ioctl(f->vm->sys_fd, KVM_CREATE_VM, (void *)(1 + rnd() % 100));

		check("KVM_CREATE_VM bad type", r, ERR_SYS);
		if (r >= 0)
			close(r);
	}
}

/* The VM ioctls QEMU adds: capabilities, GSI routing, the VM clock. */
static void op_vm_misc(struct fvm *f)
{
	static struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[8];
	} routing;
	struct kvm_clock_data clock = { 0 };
	unsigned int i;

	switch (rnd() % 3) {
	case 0:
		check("KVM_CHECK_EXTENSION (VM)", __kvm_ioctl(f->vm->fd, KVM_CHECK_EXTENSION,
			(void *)(uintptr_t)PICK(rnd() % 300, 21, 25, 30, 31, 39, 105, rnd())),
		      ERR_VM);
		break;
	case 1:
		routing.r.nr = PICK(0, 1, 8, 4096, 4097, rnd());
		routing.r.flags = rnd() % 4 ? 0 : rnd();
		for (i = 0; i < 8; i++) {
			routing.e[i].gsi = rnd() % 32;
			routing.e[i].type = PICK(KVM_IRQ_ROUTING_IRQCHIP, KVM_IRQ_ROUTING_MSI,
						 rnd());
			routing.e[i].u.pad[rnd() % 8] = rnd();
		}
		check("KVM_SET_GSI_ROUTING", __kvm_ioctl(f->vm->fd, KVM_SET_GSI_ROUTING,
							 arg_ptr(&routing)), ERR_VM);
		break;
	default:
		check("KVM_GET_CLOCK", __kvm_ioctl(f->vm->fd, KVM_GET_CLOCK, arg_ptr(&clock)),
		      ERR_VM);
		clock.clock = PICK(0, clock.clock, ~0ull, rnd());
		clock.flags = PICK(0, 2, 4, 8, 14, 16, rnd());
		clock.realtime = PICK(0, clock.realtime, ~0ull, rnd());
		check("KVM_SET_CLOCK", __kvm_ioctl(f->vm->fd, KVM_SET_CLOCK, arg_ptr(&clock)),
		      ERR_VM);
		break;
	}
}

static void op_memslot(struct fvm *f)
{
	static uint8_t *extra;
	struct kvm_userspace_memory_region m;

	if (!extra)
		extra = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* Slot 0 stays: the guests below run from it. */
	m.slot = PICK(1, 2, 31, 32, 33, 0x10000, 0x10001, rnd() & 0xffffffff);
	if (!(m.slot & 0xffff))
		m.slot |= 1;
	m.flags = PICK(0, 0, 0, KVM_MEM_READONLY, 1, 4, rnd() & 0xffffffff);
	m.guest_phys_addr = PICK(0, 0x100000, 0x200000, 0xfff000, 0x123, 1ull << 47,
				 1ull << 48, ~0ull - 0xfff, (rnd() & 0xffffff) << 12, rnd());
	m.memory_size = PICK(0, 4096, 0x10000, 1 << 20, 4 << 20, 0x1234, 1ull << 40,
			     ~0ull - 0xfff, rnd());
	m.userspace_addr = PICK((uintptr_t)extra, (uintptr_t)extra + 4096,
				(uintptr_t)extra + 1, (uintptr_t)f->vm->mem, 0,
				0xffff800000000000ull, rnd());
	check("KVM_SET_USER_MEMORY_REGION",
	      __kvm_ioctl(f->vm->fd, KVM_SET_USER_MEMORY_REGION, arg_ptr(&m)), ERR_VM);
	if (rnd() % 4 == 0)
		op_vm_misc(f);
	if (rnd() % 4 == 0) {
		uint64_t ident = PICK(0xfeffc000, 0, rnd());

		check("KVM_SET_TSS_ADDR", __kvm_ioctl(f->vm->fd, KVM_SET_TSS_ADDR,
			(void *)(uintptr_t)PICK(0xfffbd000, 0xfffff000, 0, rnd())), ERR_VM);
		check("KVM_SET_IDENTITY_MAP_ADDR", __kvm_ioctl(f->vm->fd,
			KVM_SET_IDENTITY_MAP_ADDR, arg_ptr(&ident)), ERR_VM);
	}
}

static void op_create_vcpu(struct fvm *f)
{
	struct vcpu *v = &f->vcpus[rnd() % NVCPUS];
	unsigned long id = PICK(0, 1, 2, 3, 15, 16, 17, 1000, rnd());
	long r;

	pthread_mutex_lock(&lock);
	free_vcpu(v);
	r = __kvm_ioctl(f->vm->fd, KVM_CREATE_VCPU, (void *)id);
	check("KVM_CREATE_VCPU", r, ERR_VM);
	if (r >= 0) {
		v->vm = f->vm;
		v->fd = r;
		v->run_size = 2 * 4096;
		v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		TEST_ASSERT(v->run != MAP_FAILED, "mmap of a new vCPU");
	}
	pthread_mutex_unlock(&lock);
}

static void op_mmap(struct vcpu *v)
{
	off_t off = PICK(0, 4096, 8192, 12288, 1 << 20, 123, rnd() & ~0xfffull);
	size_t len = PICK(4096, 8192, 12288, 1, 1 << 20, 0);
	int prot = PICK(PROT_READ, PROT_READ | PROT_WRITE, PROT_EXEC, PROT_NONE);
	void *p = mmap(NULL, len, prot, rnd() % 4 ? MAP_SHARED : MAP_PRIVATE, v->fd, off);

	check("mmap of a vCPU", p == MAP_FAILED ? -errno : 0, ERR_MMAP);
	if (p != MAP_FAILED)
		munmap(p, len);
}

static void fuzz_segment(struct kvm_segment *s)
{
	if (rnd() % 2)
		return;
	s->type = rnd() & 15;
	s->s = rnd() & 1;
	s->dpl = rnd() & 3;
	s->present = rnd() % 4 != 0;
	s->db = rnd() & 1;
	s->l = rnd() & 1;
	s->g = rnd() & 1;
	s->unusable = rnd() % 8 == 0;
	if (rnd() % 4 == 0)
		s->limit = rnd();
	if (rnd() % 4 == 0)
		s->base = rnd();
}

static void op_sregs(struct vcpu *v)
{
	struct kvm_sregs s;

	check("KVM_GET_SREGS", __kvm_ioctl(v->fd, KVM_GET_SREGS, arg_ptr(&s)), ERR_VCPU);
	if (rnd() % 2)
		s.cr0 ^= 1ull << (rnd() % 64);
	if (rnd() % 2)
		s.cr4 ^= 1ull << (rnd() % 32);
	if (rnd() % 2)
		s.efer ^= 1ull << (rnd() % 16);
	if (rnd() % 4 == 0)
		s.cr3 = rnd() & 0xfffff000;
	if (rnd() % 8 == 0)
		s.cr8 = rnd() % 32;
	if (rnd() % 8 == 0)
		s.apic_base = rnd();
	fuzz_segment(&s.cs);
	fuzz_segment(&s.ss);
	fuzz_segment(&s.ds);
	fuzz_segment(&s.tr);
	check("KVM_SET_SREGS", __kvm_ioctl(v->fd, KVM_SET_SREGS, arg_ptr(&s)), ERR_VCPU);
}

static void op_state(struct vcpu *v)
{
	static struct { struct kvm_msrs m; struct kvm_msr_entry e[300]; } msrs;
	static struct { struct kvm_cpuid2 c; struct kvm_cpuid_entry2 e[300]; } cpuid;
	static struct kvm_xsave xs;
	struct kvm_guest_debug dbg;
	struct kvm_debugregs dr;
	struct kvm_xcrs xcrs;
	struct kvm_regs regs;
	struct kvm_fpu fpu;
	struct kvm_vcpu_events ev;
	struct kvm_interrupt irq;
	struct kvm_mp_state mp;
	struct {
		struct kvm_signal_mask m;
		uint8_t set[8];		/* right after len, unpadded */
	} sm;
	uint64_t set;
	struct kvm_x86_mce mce;
	uint64_t mcg_cap;
	unsigned int i;

	switch (rnd() % 12) {
	case 0:
		check("KVM_GET_REGS", __kvm_ioctl(v->fd, KVM_GET_REGS, arg_ptr(&regs)), ERR_VCPU);
		regs.rflags = rnd() % 2 ? rnd() : 2;
		regs.rip = PICK(0, 0x10000, 0xfff0, rnd());
		check("KVM_SET_REGS", __kvm_ioctl(v->fd, KVM_SET_REGS, arg_ptr(&regs)), ERR_VCPU);
		break;
	case 1:
		op_sregs(v);
		break;
	case 2:
		check("KVM_GET_FPU", __kvm_ioctl(v->fd, KVM_GET_FPU, arg_ptr(&fpu)), ERR_VCPU);
		fpu.mxcsr = rnd() % 2 ? 0x1f80 : rnd();
		check("KVM_SET_FPU", __kvm_ioctl(v->fd, KVM_SET_FPU, arg_ptr(&fpu)), ERR_VCPU);
		break;
	case 3:
		msrs.m.nmsrs = PICK(0, 1, 2, 16, 255, 256, 300, rnd());
		for (i = 0; i < 300; i++) {
			msrs.e[i].index = PICK(0x10, 0x1b, 0xc0000080, 0xc0000081, 0xc0000100,
					       0x277, 0x1a0, 0x174, 0x11, 0x12, 0xfe, 0x2ff,
					       0x200 + rnd() % 20, 0x250, 0x26f, 0x179, 0x17a,
					       0x17b, 0x400 + rnd() % 140, 0x280 + rnd() % 40,
					       rnd() & 0xffffffff);
			msrs.e[i].data = rnd() % 2 ? 0 : rnd();
		}
		check("KVM_GET/SET_MSRS", __kvm_ioctl(v->fd, rnd() % 2 ? KVM_GET_MSRS :
						      KVM_SET_MSRS, arg_ptr(&msrs)), ERR_VCPU);
		break;
	case 4:
		cpuid.c.nent = PICK(0, 1, 10, 256, 257, rnd());
		for (i = 0; i < 300; i++) {
			cpuid.e[i].function = PICK(0, 1, 7, 0xd, 0x40000000, 0x80000001, rnd());
			cpuid.e[i].index = rnd() % 4;
			cpuid.e[i].flags = rnd() % 4;
			cpuid.e[i].eax = rnd();
			cpuid.e[i].ecx = rnd();
		}
		check("KVM_SET/GET_CPUID2", __kvm_ioctl(v->fd, rnd() % 2 ? KVM_SET_CPUID2 :
							KVM_GET_CPUID2, arg_ptr(&cpuid)), ERR_VCPU);
		break;
	case 5:
		memset(&dbg, 0, sizeof(dbg));
		dbg.control = PICK(0, 1, 3, 0x10001, 0x10003, 0x20001, rnd());
		check("KVM_SET_GUEST_DEBUG", __kvm_ioctl(v->fd, KVM_SET_GUEST_DEBUG,
							 arg_ptr(&dbg)), ERR_VCPU);
		break;
	case 6:
		check("KVM_GET_XSAVE", __kvm_ioctl(v->fd, KVM_GET_XSAVE, arg_ptr(&xs)), ERR_VCPU);
		xs.region[rnd() % 1024] = rnd();
		if (rnd() % 2)
			xs.region[512 / 4] = rnd() % 8;
		check("KVM_SET_XSAVE", __kvm_ioctl(v->fd, KVM_SET_XSAVE, arg_ptr(&xs)), ERR_VCPU);
		break;
	case 7:
		check("KVM_GET_XCRS", __kvm_ioctl(v->fd, KVM_GET_XCRS, arg_ptr(&xcrs)), ERR_VCPU);
		xcrs.nr_xcrs = PICK(0, 1, 16, 17, rnd());
		xcrs.flags = rnd() % 4 ? 0 : rnd();
		xcrs.xcrs[0].xcr = rnd() % 4 ? 0 : rnd();
		xcrs.xcrs[0].value = PICK(1, 3, 7, 5, 0, rnd());
		check("KVM_SET_XCRS", __kvm_ioctl(v->fd, KVM_SET_XCRS, arg_ptr(&xcrs)), ERR_VCPU);
		break;
	case 8:
		check("KVM_GET_DEBUGREGS", __kvm_ioctl(v->fd, KVM_GET_DEBUGREGS, arg_ptr(&dr)),
		      ERR_VCPU);
		dr.db[rnd() % 4] = rnd();
		dr.dr6 = PICK(0xffff0ff0, 0, rnd() & 0xffffffff, rnd());
		dr.dr7 = PICK(0x400, 0x2400, 0xd0001, rnd() & 0xffffffff, rnd());
		dr.flags = rnd() % 8 ? 0 : rnd();
		check("KVM_SET_DEBUGREGS", __kvm_ioctl(v->fd, KVM_SET_DEBUGREGS, arg_ptr(&dr)),
		      ERR_VCPU);
		break;
	case 9:
		irq.irq = PICK(0x20, 0xff, 0x100, rnd());
		check("KVM_INTERRUPT", __kvm_ioctl(v->fd, KVM_INTERRUPT, arg_ptr(&irq)), ERR_VCPU);
		if (rnd() % 2)
			check("KVM_NMI", __kvm_ioctl(v->fd, KVM_NMI, NULL), ERR_VCPU);
		check("KVM_GET_VCPU_EVENTS", __kvm_ioctl(v->fd, KVM_GET_VCPU_EVENTS, arg_ptr(&ev)),
		      ERR_VCPU);
		ev.exception.injected = rnd() % 4 == 0;
		ev.exception.nr = PICK(0, 6, 13, 14, 2, 32, rnd());
		ev.exception.has_error_code = rnd() & 1;
		ev.exception.error_code = rnd();
		ev.interrupt.injected = rnd() % 4 == 0;
		ev.interrupt.nr = rnd();
		ev.interrupt.soft = rnd() % 8 == 0;
		ev.interrupt.shadow = rnd() % 4;
		ev.nmi.injected = rnd() % 8 == 0;
		ev.nmi.pending = rnd() % 4 == 0;
		ev.nmi.masked = rnd() & 1;
		ev.flags = PICK(0, 1, 4, 5, 8, rnd() & 0x3f, rnd());
		check("KVM_SET_VCPU_EVENTS", __kvm_ioctl(v->fd, KVM_SET_VCPU_EVENTS, arg_ptr(&ev)),
		      ERR_VCPU);
		mp.mp_state = PICK(0, 3, 4, rnd());
		check("KVM_SET_MP_STATE", __kvm_ioctl(v->fd, rnd() % 2 ? KVM_SET_MP_STATE :
						      KVM_GET_MP_STATE, arg_ptr(&mp)), ERR_VCPU);
		/* Any mask for KVM_RUN but one blocking the signaller's SIGUSR1. */
		sm.m.len = PICK(8, 4, 128, rnd());
		set = rnd() & ~(1ull << (SIGUSR1 - 1));
		memcpy(sm.set, &set, sizeof(sm.set));
		check("KVM_SET_SIGNAL_MASK", __kvm_ioctl(v->fd, KVM_SET_SIGNAL_MASK,
							 rnd() % 4 ? arg_ptr(&sm) : NULL), ERR_VCPU);
		break;
	case 10:
		mcg_cap = PICK(0x100010a, 0x10a, 10, 0, 32, 33, 0x20a, 0x800010a, rnd());
		check("KVM_X86_SETUP_MCE", __kvm_ioctl(v->fd, KVM_X86_SETUP_MCE,
						       arg_ptr(&mcg_cap)), ERR_VCPU);
		memset(&mce, 0, sizeof(mce));
		mce.bank = PICK(0, 1, 9, 10, 31, 32, rnd());
		mce.status = PICK(0, 1ull << 63, 0xa000000000000000ull,
				  0xb100000000000000ull, rnd());
		mce.mcg_status = PICK(0, 4, 5, rnd());
		mce.addr = rnd();
		check("KVM_X86_SET_MCE", __kvm_ioctl(v->fd, KVM_X86_SET_MCE, arg_ptr(&mce)),
		      ERR_VCPU);
		break;
	default:
		check("unknown vCPU ioctl", __kvm_ioctl(v->fd, _IOC(rnd() % 4, KVMIO, rnd() % 256,
								     rnd() % 512), arg_ptr(&xs)),
		      ERR_VCPU | E(EEXIST) | E(ENOSPC));
		break;
	}
}

#define IDT_GPA		0x9000
#define STUB_GPA	0xa000	/* every exception lands here: HLT */

/*
 * Exceptions of the random code go through an IDT whose every gate leads
 * to a HLT, so each run ends in a defined exit.  Without one they meet
 * empty gates and escalate to triple faults, and QEMU's TCG can then hang
 * the emulated CPU for good, with kvm_amd in the same machine just as
 * with minikvm (an emulator bug, see Documentation/reliability.rst).
 */
static int set_idt(struct vcpu *v, uint8_t *mem, bool real, bool longmode)
{
	struct kvm_sregs s;
	int i, r;

	mem[STUB_GPA] = 0xf4;		/* hlt */
	mem[STUB_GPA + 1] = 0xeb;	/* jmp back to it */
	mem[STUB_GPA + 2] = 0xfd;
	for (i = 0; i < 256; i++) {
		if (real)
			((uint32_t *)mem)[i] = STUB_GPA;	/* 0000:a000 */
		else
			idt_set_gate(mem + IDT_GPA, i, STUB_GPA, longmode);
	}
	r = __kvm_ioctl(v->fd, KVM_GET_SREGS, &s);
	if (r)
		return r;
	s.idt.base = real ? 0 : IDT_GPA;
	s.idt.limit = real ? 0x3ff : 256 * (longmode ? 16 : 8) - 1;
	return __kvm_ioctl(v->fd, KVM_SET_SREGS, &s);
}

/*
 * Random code runs in every mode on both lanes.  FUZZ_RANDOM_CODE=0 runs
 * a few fixed sequences instead (a spin only a signal ends, an OUT,
 * CPUID, HLT); FUZZ_REAL_MODE=0 leaves real mode out.
 */
static int real_mode_ok = 1, random_code_ok = 1;

static void fuzz_settings(void)
{
	if (getenv("FUZZ_RANDOM_CODE"))
		random_code_ok = atoi(getenv("FUZZ_RANDOM_CODE")) != 0;
	if (getenv("FUZZ_REAL_MODE"))
		real_mode_ok = atoi(getenv("FUZZ_REAL_MODE")) != 0;
	ktap_info("KVM_RUN of random code: %s; real mode: %s", random_code_ok ? "on" : "off",
		  real_mode_ok ? "on" : "off");
}

/* Real mode at 1000:0000 whatever state the fuzzing left. */
static int real_mode(struct vcpu *v)
{
	struct kvm_segment *segs[6];
	struct kvm_regs regs = { .rsp = 0xfff0, .rflags = 2 };
	struct kvm_sregs s;
	int i, r;

	r = __kvm_ioctl(v->fd, KVM_GET_SREGS, &s);
	if (r)
		return r;
	segs[0] = &s.cs; segs[1] = &s.ds; segs[2] = &s.es;
	segs[3] = &s.ss; segs[4] = &s.fs; segs[5] = &s.gs;
	for (i = 0; i < 6; i++) {
		memset(segs[i], 0, sizeof(*segs[i]));
		segs[i]->selector = 0x1000;
		segs[i]->base = 0x10000;
		segs[i]->limit = 0xffff;
		segs[i]->type = i ? 3 : 0xb;
		segs[i]->s = 1;
		segs[i]->present = 1;
	}
	s.cr0 = 0x60000010;
	s.cr4 = 0;
	s.efer = 0;
	r = __kvm_ioctl(v->fd, KVM_SET_SREGS, &s);
	return r ? r : __kvm_ioctl(v->fd, KVM_SET_REGS, &regs);
}

static void op_run(struct fvm *f, struct vcpu *v)
{
	uint8_t *mem = f->vm->mem, *code = mem + 0x10000;
	/* The last one is real mode, except on QEMU (see real_mode_ok). */
	int mode = rnd() % (NR_GUEST_MODES + real_mode_ok);
	long r;
	int i;

	/*
	 * Random bytes, in a mode chosen at random, at 0x10000; or, without
	 * random code, one of a few sequences valid in every mode: a spin
	 * that only a signal ends, an OUT, CPUID then HLT, and HLT.
	 */
	if (random_code_ok) {
		for (i = 0; i < 256; i++)
			code[i] = rnd();
	} else {
		static const uint8_t benign[][4] = {
			{ 0xeb, 0xfe }, { 0xe6, 0x80, 0xf4 }, { 0x0f, 0xa2, 0xf4 }, { 0xf4 },
		};

		memcpy(code, benign[rnd() % 4], 4);
	}
	v->vm = f->vm;
	if (mode == NR_GUEST_MODES) {
		r = real_mode(v);
	} else {
		r = __vcpu_set_mode(v, mode, 0x10000, 0xf000);
	}
	if (!r)
		r = set_idt(v, mem, mode == NR_GUEST_MODES, mode == MODE_LONG);
	check("setting a mode", r, ERR_VCPU);
	v->run->immediate_exit = rnd() % 16 == 0;
	i = rnd() % 32;
	closed = CLOSE_NONE;
	close_what = i == 0 ? CLOSE_VM : i == 1 ? CLOSE_VCPU : CLOSE_NONE;
	running_vm_fd = f->vm->fd;
	running_fd = v->fd;
	r = __vcpu_run(v);
	pthread_mutex_lock(&lock);
	running_fd = -1;
	close_what = CLOSE_NONE;
	pthread_mutex_unlock(&lock);
	__atomic_add_fetch(&runs, 1, __ATOMIC_RELAXED);
	check("KVM_RUN", r, ERR_VCPU);
	if (r == 0)
		exits[v->run->exit_reason & 63]++;
	eintr += r == -EINTR;
	/* An IN or MMIO read completes on the next run: give it data. */
	if (r == 0 && v->run->exit_reason == KVM_EXIT_MMIO)
		memset(v->run->mmio.data, 0xab, 8);
	/* The fd the racer closed must not be closed again. */
	if (closed == CLOSE_VCPU) {
		munmap(v->run, v->run_size);
		v->fd = -1;
	} else if (closed == CLOSE_VM) {
		f->vm->fd = -1;
		free_vm(f);
	}
	fd_closes += closed != CLOSE_NONE;
}

static long count_kernel_reports(int kmsg)
{
	static const char *const bad[] = {
		"BUG", "WARNING", "Oops", "lockdep", "KASAN", "UBSAN", "kmemleak",
		"general protection", "possible recursive locking", "circular locking",
		"stack-protector", "RCU stall", "hung_task", "Call Trace",
	};
	char rec[2048];
	long n = 0;
	ssize_t len;
	unsigned int i;

	while ((len = read(kmsg, rec, sizeof(rec) - 1)) > 0 || (len < 0 && errno == EPIPE)) {
		if (len <= 0)
			continue;
		rec[len] = 0;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (strstr(rec, bad[i])) {
				n++;
				if (n <= 5)
					ktap_info("kernel: %s", strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
				break;
			}
		}
	}
	return n;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	/* make check's count; make soak asks for 100,000 and more. */
	unsigned long target = getenv("FUZZ_OPS") ? strtoul(getenv("FUZZ_OPS"), NULL, 0) : 20000;
	unsigned long next_report = 0;
	double max_seconds = getenv("FUZZ_SECONDS") ? atof(getenv("FUZZ_SECONDS")) : 400;
	double start;
	pthread_t race, sig;
	long oops;
	int kmsg, i, j;

	rng = getenv("FUZZ_SEED") ? strtoull(getenv("FUZZ_SEED"), NULL, 0) : 1;
	rng = rng * 0x9e3779b97f4a7c15ull | 1;
	ktap_plan(3);
	ktap_info("seed %s, %lu operations", getenv("FUZZ_SEED") ?: "1", target);
	fuzz_settings();
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	TEST_ASSERT(kmsg >= 0, "/dev/kmsg: %s", strerror(errno));
	lseek(kmsg, 0, SEEK_END);
	sigaction(SIGUSR1, &sa, NULL);
	main_thread = pthread_self();
	for (i = 0; i < NVMS; i++)
		for (j = 0; j < NVCPUS; j++)
			vms[i].vcpus[j].fd = -1;
	pthread_create(&race, NULL, racer, NULL);
	pthread_create(&sig, NULL, signaller, NULL);

	start = now_seconds();
	while (ops < target && now_seconds() - start < max_seconds) {
		if (ops >= next_report) {
			ktap_info("%lu operations, %lu runs, %.0f s", ops, runs, now_seconds() - start);
			next_report += target / 10;
		}
		struct fvm *f = some_vm();
		struct vcpu *v;
		unsigned int what = rnd() % 100;

		if (what < 5) {
			op_sys();
		} else if (what < 8 || !f->vm) {
			op_create_vm();
		} else if (what < 20) {
			op_memslot(f);
		} else if (what < 28) {
			op_create_vcpu(f);
		} else if ((v = some_vcpu()) == NULL) {
			continue;
		} else if (what < 32) {
			op_mmap(v);
		} else if (what < 90) {
			op_state(v);
		} else {
			f = &vms[0];
			for (i = 0; i < NVMS; i++)
				if (vms[i].vm == v->vm)
					f = &vms[i];
			op_run(f, v);
		}
	}
	done = 1;
	pthread_join(race, NULL);
	pthread_join(sig, NULL);
	for (i = 0; i < NVMS; i++)
		free_vm(&vms[i]);
	usleep(100 * 1000);
	oops = count_kernel_reports(kmsg);
	ktap_info("%lu fds closed by another thread during KVM_RUN", fd_closes);
	ktap_info("%lu KVM_RUNs: %lu EINTR, %lu IO, %lu MMIO, %lu HLT, %lu SHUTDOWN, %lu INTERNAL_ERROR, %lu FAIL_ENTRY, %lu INTR",
		  runs, eintr, exits[KVM_EXIT_IO], exits[KVM_EXIT_MMIO], exits[KVM_EXIT_HLT],
		  exits[KVM_EXIT_SHUTDOWN], exits[KVM_EXIT_INTERNAL_ERROR],
		  exits[KVM_EXIT_FAIL_ENTRY], exits[KVM_EXIT_INTR]);
	printf("fuzz %s ops=%lu unexpected=%lu oops=%ld\n", lane_name(), ops, unexpected, oops);
	ktap_result(ops >= target, "all_operations_ran");
	ktap_result(!unexpected, "only_documented_errnos");
	ktap_result(!oops, "no_kernel_reports");
	return ktap_finish();
}
