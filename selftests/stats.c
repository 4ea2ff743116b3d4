// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_STATS_FD on the VM fd and on the vCPU fd, on /dev/minikvm and
 * then on /dev/kvm.  A real-mode guest makes a known number of each
 * exit: OUT, OUTSB, CPUID, MMIO reads and writes outside its memory, HLT,
 * an interrupt window, an injected interrupt, two NMIs (the second held
 * behind the first handler's IRET) and a signal.  The test counts what
 * reaches userspace and reads the counters back through the stats fd.
 *
 * What both must show exactly: io_exits, halt_exits, mmio_exits,
 * request_irq_exits and signal_exits, each equal to the exits userspace
 * saw; the layout of the file (header, id, descriptors, data) and the
 * descriptors' flags; pread() past the end, write(), an fd that outlives
 * the VM and vCPU fds.  What KVM may count more of, so that only a lower
 * bound is checked there: exits (KVM takes exits for its own reasons, and
 * timer interrupts land on both), insn_emulation, irq_injections,
 * nmi_injections and nmi_window_exits (KVM injects again after an exit
 * that interrupted a delivery, and may open the NMI window more than
 * once).  minikvm alone is held to the exact per-reason counts (CPUID,
 * HLT, I/O), to the sum of its per-reason counters being `exits`, to each
 * reason's histogram holding one entry per exit, to pf_taken, to its VM
 * counters (remote_tlb_flush on a slot deletion, pages_4k) and to the
 * debugfs summary's exit count agreeing with the fd's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include "kvm_util.h"

#define N_OUT		10	/* OUT to PORT_WORK */
#define N_OUTS		2	/* OUTSB to PORT_STRING */
#define N_CPUID		20
#define N_MMIO		4	/* two writes, two reads at MMIO_GPA */
#define N_HLT		3
#define PORT_WORK	0x2000
#define PORT_STRING	0x2001
#define VM_MEM		0x80000	/* guest RAM; MMIO_GPA lies above it */
#define MMIO_GPA	0xa0000
#define IRQ_VECTOR	0x20
#define HIST_BUCKETS	32	/* minikvm's log2 histograms */

GUEST_CODE16(stats_guest,
	/* IVT: the NMI (2) and IRQ_VECTOR to the handlers below. */
	"xor %ax, %ax\n\t"
	"mov %ax, %es\n\t"
	"movw $(stats_nmi - stats_guest_start), %es:8\n\t"
	"movw $0x1000, %es:10\n\t"
	"movw $(stats_irq - stats_guest_start), %es:0x80\n\t"
	"movw $0x1000, %es:0x82\n\t"
	/* The stack page is mapped before any event is delivered on it. */
	"push %ax\n\t"
	"pop %ax\n\t"
	"mov $" STR(PORT_WORK) ", %dx\n\t"
	"mov $" STR(N_OUT) ", %cx\n"
	"1:\n\t"
	"out %al, %dx\n\t"
	"loop 1b\n\t"
	"mov $" STR(PORT_STRING) ", %dx\n\t"
	"xor %si, %si\n\t"
	"outsb\n\t"
	"outsb\n\t"
	"mov $" STR(N_CPUID) ", %di\n"
	"2:\n\t"
	"xor %eax, %eax\n\t"
	"cpuid\n\t"
	"dec %di\n\t"
	"jnz 2b\n\t"
	"mov $(" STR(MMIO_GPA) " >> 4), %ax\n\t"
	"mov %ax, %fs\n\t"
	"movb $1, %fs:0\n\t"
	"mov %fs:4, %al\n\t"
	"movw $2, %fs:8\n\t"
	"mov %fs:12, %ax\n\t"
	"hlt\n\t"
	"hlt\n\t"
	"hlt\n\t"
	G_SYNC(1)
	"sti\n"
	"3:\n\t"
	"jmp 3b\n"
	"stats_nmi:\n\t"
	G_SYNC(2)
	"iret\n"
	"stats_irq:\n\t"
	G_SYNC(IRQ_VECTOR)
	"iret\n\t");

/* A stats fd with its header, id and descriptors read once. */
struct statfile {
	int fd;
	struct kvm_stats_header h;
	char id[256];
	char *descs;
	size_t dsize;		/* one descriptor with its name */
	size_t end;		/* the file's size */
};

static struct kvm_stats_desc *sf_desc(const struct statfile *sf, unsigned int i)
{
	return (struct kvm_stats_desc *)(sf->descs + i * sf->dsize);
}

static void sf_open(struct statfile *sf, int fd)
{
	size_t len;
	char buf[4096];
	ssize_t n;
	off_t off;

	memset(sf, 0, sizeof(*sf));
	sf->fd = fd;
	TEST_ASSERT(pread(fd, &sf->h, sizeof(sf->h), 0) == sizeof(sf->h),
		    "header: %s", strerror(errno));
	TEST_ASSERT(sf->h.name_size && sf->h.name_size <= sizeof(sf->id),
		    "name_size %u", sf->h.name_size);
	TEST_ASSERT(pread(fd, sf->id, sf->h.name_size, sf->h.id_offset) == sf->h.name_size,
		    "id: %s", strerror(errno));
	sf->id[sizeof(sf->id) - 1] = 0;
	sf->dsize = sizeof(struct kvm_stats_desc) + sf->h.name_size;
	len = sf->h.num_desc * sf->dsize;
	sf->descs = calloc(1, len);
	TEST_ASSERT(sf->descs, "out of memory");
	TEST_ASSERT(pread(fd, sf->descs, len, sf->h.desc_offset) == (ssize_t)len,
		    "descriptors: %s", strerror(errno));
	for (off = sf->h.data_offset; (n = pread(fd, buf, sizeof(buf), off)) > 0; off += n)
		;
	TEST_ASSERT(n == 0, "data: %s", strerror(errno));
	sf->end = off;
}

static void sf_close(struct statfile *sf)
{
	close(sf->fd);
	free(sf->descs);
}

static const struct kvm_stats_desc *sf_find(const struct statfile *sf, const char *name)
{
	unsigned int i;

	for (i = 0; i < sf->h.num_desc; i++)
		if (!strcmp(sf_desc(sf, i)->name, name))
			return sf_desc(sf, i);
	return NULL;
}

/* Value @i of descriptor @d, read now. */
static uint64_t sf_at(const struct statfile *sf, const struct kvm_stats_desc *d, unsigned int i)
{
	uint64_t v;

	TEST_ASSERT(pread(sf->fd, &v, 8, sf->h.data_offset + d->offset + i * 8) == 8,
		    "%s: %s", d->name, strerror(errno));
	return v;
}

static uint64_t sf_get(const struct statfile *sf, const char *name)
{
	const struct kvm_stats_desc *d = sf_find(sf, name);

	TEST_ASSERT(d, "no statistic %s", name);
	return sf_at(sf, d, 0);
}

/* The layout KVM gives the file: the four blocks end to end. */
static bool header_ok(const struct statfile *sf, const char *want_id)
{
	const struct kvm_stats_header *h = &sf->h;
	bool ok = h->flags == 0 && h->name_size == 48 && h->num_desc > 0 &&
		  h->id_offset == sizeof(*h) &&
		  h->desc_offset == h->id_offset + h->name_size &&
		  h->data_offset == h->desc_offset + h->num_desc * sf->dsize &&
		  sf->end > h->data_offset && strstr(sf->id, want_id);

	if (!ok)
		ktap_info("header: flags %u name_size %u num_desc %u offsets %u %u %u, "
			  "end %zu, id \"%s\" (want \"%s\")", h->flags, h->name_size,
			  h->num_desc, h->id_offset, h->desc_offset, h->data_offset,
			  sf->end, sf->id, want_id);
	return ok;
}

#define FLAGS(type, unit)	(KVM_STATS_TYPE_##type | KVM_STATS_UNIT_##unit | \
				 KVM_STATS_BASE_POW10)

static bool desc_is(const struct statfile *sf, const char *name, uint32_t flags,
		    int exponent, unsigned int size)
{
	const struct kvm_stats_desc *d = sf_find(sf, name);

	if (d && d->flags == flags && d->exponent == exponent && d->size == size &&
	    d->bucket_size == 0)
		return true;
	if (d)
		ktap_info("%s: flags %#x exponent %d size %u bucket_size %u", name,
			  d->flags, d->exponent, d->size, d->bucket_size);
	else
		ktap_info("no descriptor %s", name);
	return false;
}

/* Every descriptor well formed and inside the data block. */
static bool descs_sane(const struct statfile *sf)
{
	unsigned int i;

	for (i = 0; i < sf->h.num_desc; i++) {
		const struct kvm_stats_desc *d = sf_desc(sf, i);

		if (!memchr(d->name, 0, sf->h.name_size) || !d->name[0] || !d->size ||
		    (d->flags & KVM_STATS_TYPE_MASK) > KVM_STATS_TYPE_MAX ||
		    (d->flags & KVM_STATS_UNIT_MASK) > KVM_STATS_UNIT_MAX ||
		    (d->flags & KVM_STATS_BASE_MASK) > KVM_STATS_BASE_MAX ||
		    sf->h.data_offset + d->offset + d->size * 8ull > sf->end) {
			ktap_info("descriptor %u (%.48s) is not well formed", i, d->name);
			return false;
		}
	}
	return true;
}

/* The counters KVM and minikvm share, as KVM declares them. */
static const char *const shared_counters[] = {
	"exits", "io_exits", "mmio_exits", "halt_exits", "irq_exits", "signal_exits",
	"irq_window_exits", "nmi_window_exits", "request_irq_exits", "insn_emulation",
	"irq_injections", "nmi_injections", "pf_taken", "pf_fixed", "l1d_flush",
};

/* The exits userspace saw. */
struct seen {
	unsigned int io, hlt, mmio, window, signal;
};

/* Run to the guest's next SYNC ucall, counting the exits on the way. */
static uint64_t run_to_sync(struct vcpu *vcpu, struct seen *seen)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	for (;;) {
		vcpu_run(vcpu);
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			seen->io++;
			if (run->io.port == UCALL_PORT) {
				vcpu_get_regs(vcpu, &regs);
				TEST_ASSERT(regs.rax == UCALL_SYNC, "ucall %llu", regs.rax);
				return regs.rbx;
			}
			TEST_ASSERT(run->io.port == PORT_WORK || run->io.port == PORT_STRING,
				    "I/O to port %#x", run->io.port);
			break;
		case KVM_EXIT_HLT:
			seen->hlt++;
			break;
		case KVM_EXIT_MMIO:
			seen->mmio++;
			TEST_ASSERT(run->mmio.phys_addr >= MMIO_GPA &&
				    run->mmio.phys_addr < MMIO_GPA + 16,
				    "MMIO at %#llx", run->mmio.phys_addr);
			break;
		default:
			assert_exit(vcpu, KVM_EXIT_IO);
		}
	}
}

/*
 * The next SYNC other than IRQ_VECTOR's again: QEMU's TCG may deliver an
 * interrupt injected by kvm_amd twice (see events.c), so on KVM a second
 * run of the interrupt handler is let through.
 */
static uint64_t next_sync(struct vcpu *vcpu, struct seen *seen)
{
	uint64_t v = run_to_sync(vcpu, seen);

	while (on_kvm && v == IRQ_VECTOR)
		v = run_to_sync(vcpu, seen);
	return v;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Everything the guest does, counted on the way. */
static void drive_guest(struct vcpu *vcpu, struct seen *seen)
{
	struct kvm_interrupt irq = { .irq = IRQ_VECTOR };
	struct itimerval it = { .it_value = { .tv_usec = 20000 } };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct kvm_run *run = vcpu->run;
	int r;

	TEST_ASSERT(run_to_sync(vcpu, seen) == 1, "no SYNC 1");

	/* The window opens after STI's shadow: KVM_EXIT_IRQ_WINDOW_OPEN. */
	run->request_interrupt_window = 1;
	vcpu_run(vcpu);
	assert_exit(vcpu, KVM_EXIT_IRQ_WINDOW_OPEN);
	seen->window++;
	run->request_interrupt_window = 0;
	kvm_ioctl(vcpu->fd, KVM_INTERRUPT, &irq);
	TEST_ASSERT(run_to_sync(vcpu, seen) == IRQ_VECTOR, "the interrupt's handler did not run");

	/* Two NMIs: the second waits for the first handler's IRET. */
	kvm_ioctl(vcpu->fd, KVM_NMI, 0);
	kvm_ioctl(vcpu->fd, KVM_NMI, 0);
	TEST_ASSERT(next_sync(vcpu, seen) == 2, "no first NMI");
	TEST_ASSERT(next_sync(vcpu, seen) == 2, "no second NMI");

	/* A signal while the guest spins ends KVM_RUN with EINTR. */
	TEST_ASSERT(!sigaction(SIGALRM, &sa, NULL), "sigaction: %s", strerror(errno));
	TEST_ASSERT(!setitimer(ITIMER_REAL, &it, NULL), "setitimer: %s", strerror(errno));
	while ((r = __vcpu_run(vcpu)) == 0 && on_kvm && run->exit_reason == KVM_EXIT_IO &&
	       run->io.port == UCALL_PORT)
		seen->io++;	/* a handler run again by QEMU's TCG, above */
	TEST_ASSERT(r == -EINTR && run->exit_reason == KVM_EXIT_INTR,
		    "KVM_RUN gave %d, exit %s, not EINTR", r, exit_reason_str(run->exit_reason));
	seen->signal++;
}

/* "exits_vmx_" or "exits_svm_": the backend minikvm runs on. */
static const char *backend_prefix(const struct statfile *sf)
{
	if (sf_find(sf, "exits_vmx_cpuid"))
		return "vmx";
	if (sf_find(sf, "exits_svm_cpuid"))
		return "svm";
	return NULL;
}

static uint64_t reason(const struct statfile *sf, const char *be, const char *name)
{
	char full[64];

	snprintf(full, sizeof(full), "exits_%s_%s", be, name);
	return sf_get(sf, full);
}

/*
 * minikvm: the per-reason counters add up to `exits`, each has its
 * histogram with as many entries as exits, and the histograms are
 * described as KVM's logarithmic time histograms.
 */
static bool reasons_consistent(const struct statfile *sf, uint64_t exits, bool *hists_ok)
{
	uint64_t sum = 0;
	unsigned int i, j, n = 0;

	*hists_ok = true;
	for (i = 0; i < sf->h.num_desc; i++) {
		const struct kvm_stats_desc *d = sf_desc(sf, i), *h;
		char hist[64];
		uint64_t c, in_hist = 0;

		if (strncmp(d->name, "exits_", 6))
			continue;
		n++;
		c = sf_at(sf, d, 0);
		sum += c;
		snprintf(hist, sizeof(hist), "handle_%s_hist", d->name + 6);
		h = sf_find(sf, hist);
		if (!h || h->flags != FLAGS(LOG_HIST, SECONDS) || h->exponent != -9 ||
		    h->size != HIST_BUCKETS || h->bucket_size) {
			ktap_info("%s: no histogram %s as KVM's time histograms", d->name, hist);
			*hists_ok = false;
			continue;
		}
		for (j = 0; j < h->size; j++)
			in_hist += sf_at(sf, h, j);
		if (in_hist != c) {
			ktap_info("%s %llu, but %llu in %s", d->name, (unsigned long long)c,
				  (unsigned long long)in_hist, hist);
			*hists_ok = false;
		}
	}
	if (sum != exits)
		ktap_info("%u reasons add up to %llu, exits %llu", n,
			  (unsigned long long)sum, (unsigned long long)exits);
	return n > 2 && sum == exits;
}

/* minikvm: the vCPU's debugfs summary has the fd's `exits`. */
static bool debugfs_agrees(uint64_t exits)
{
	char path[320], key[64], prefix[32];
	const char *dir = "/sys/kernel/debug/minikvm/vms";
	struct dirent *e;
	long long v, found = -1;
	DIR *d = opendir(dir);
	FILE *f;

	if (!d) {
		ktap_info("%s: %s", dir, strerror(errno));
		return false;
	}
	snprintf(prefix, sizeof(prefix), "%d-", getpid());
	path[0] = 0;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			snprintf(path, sizeof(path), "%s/%s/vcpu0", dir, e->d_name);
	closedir(d);
	f = path[0] ? fopen(path, "r") : NULL;
	if (!f) {
		ktap_info("no %s/%s*/vcpu0", dir, prefix);
		return false;
	}
	while (fscanf(f, "%63s %lld", key, &v) == 2)
		if (!strcmp(key, "exits"))
			found = v;
	fclose(f);
	if (found != (long long)exits)
		ktap_info("%s: exits %lld, the stats fd %llu", path, found,
			  (unsigned long long)exits);
	return found == (long long)exits;
}

#define MINIKVM_ONLY	5

static void cases(void)
{
	struct vm *vm = vm_create(VM_MEM);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	const char *id_kind = on_kvm ? "kvm-" : "minikvm-";
	struct statfile vs, cs;
	struct seen seen = { 0 };
	struct kvm_userspace_memory_region del = { .slot = 0 };
	char want_id[64], buf[64];
	uint64_t exits, flush0, objects0 = 0;
	double t0, t1;
	bool ok, hists_ok;
	unsigned int i;
	long fd;
	const char *be = NULL;

	ktap_result(__kvm_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION,
				(void *)(long)KVM_CAP_BINARY_STATS_FD) == 1,
		    "%scap_binary_stats_fd", dev_tag);
	if (!on_kvm)
		objects0 = debugfs_count("objects", "vms") - 1;

	/* KVM does not look at the argument. */
	sf_open(&vs, kvm_ioctl(vm->fd, KVM_GET_STATS_FD, 0x1234));
	sf_open(&cs, kvm_ioctl(vcpu->fd, KVM_GET_STATS_FD, 0));
	snprintf(want_id, sizeof(want_id), "%s%d", id_kind, getpid());
	ok = header_ok(&vs, want_id) && descs_sane(&vs) &&
	     desc_is(&vs, "remote_tlb_flush", FLAGS(CUMULATIVE, NONE), 0, 1) &&
	     desc_is(&vs, "pages_4k", FLAGS(INSTANT, NONE), 0, 1);
	ktap_result(ok, "%svm_header_and_descriptors", dev_tag);
	if (!on_kvm) {
		be = backend_prefix(&cs);
		TEST_ASSERT(be, "no exits_vmx_cpuid or exits_svm_cpuid");
	}
	snprintf(want_id, sizeof(want_id), "%s%d/vcpu-0", id_kind, getpid());
	ktap_result(header_ok(&cs, want_id) && descs_sane(&cs), "%svcpu_header", dev_tag);
	ok = true;
	for (i = 0; i < sizeof(shared_counters) / sizeof(shared_counters[0]); i++)
		ok &= desc_is(&cs, shared_counters[i], FLAGS(CUMULATIVE, NONE), 0, 1);
	if (!on_kvm)
		ok &= desc_is(&cs, "guest_time_ns", FLAGS(CUMULATIVE, SECONDS), -9, 1);
	ktap_result(ok, "%svcpu_descriptors", dev_tag);

	vm_load(vm, GUEST_LOAD, stats_guest_start, stats_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	t0 = now_seconds();
	drive_guest(vcpu, &seen);
	t1 = now_seconds();
	ktap_info("userspace saw %u I/O, %u HLT, %u MMIO, %u window, %u signal exits",
		  seen.io, seen.hlt, seen.mmio, seen.window, seen.signal);

	exits = sf_get(&cs, "exits");
	ktap_result(sf_get(&cs, "io_exits") == seen.io && seen.io >= N_OUT + N_OUTS + 4,
		    "%sio_exits_%u", dev_tag, seen.io);
	ktap_result(sf_get(&cs, "halt_exits") == N_HLT && seen.hlt == N_HLT,
		    "%shalt_exits_%u", dev_tag, N_HLT);
	ktap_result(sf_get(&cs, "mmio_exits") == N_MMIO && seen.mmio == N_MMIO,
		    "%smmio_exits_%u", dev_tag, N_MMIO);
	ok = on_kvm ? sf_get(&cs, "insn_emulation") >= N_MMIO + N_OUTS :
		      sf_get(&cs, "insn_emulation") == N_MMIO + N_OUTS;
	ktap_result(ok, "%sinsn_emulation", dev_tag);
	ok = exits >= seen.io + N_HLT + N_MMIO + N_CPUID + seen.window;
	ktap_info("exits %llu", (unsigned long long)exits);
	ktap_result(ok, "%sexits_at_least_those_made", dev_tag);

	/*
	 * The window opens after STI: one window exit, unless an external
	 * interrupt's exit came first and found the window open already.
	 */
	ok = sf_get(&cs, "request_irq_exits") == 1 &&
	     (sf_get(&cs, "irq_window_exits") == 1 ||
	      (sf_get(&cs, "irq_window_exits") == 0 && sf_get(&cs, "irq_exits") > 0));
	ktap_result(ok, "%sirq_window_and_request_irq_exits", dev_tag);
	ok = on_kvm ? sf_get(&cs, "irq_injections") >= 1 : sf_get(&cs, "irq_injections") == 1;
	ktap_result(ok, "%sirq_injections", dev_tag);
	/*
	 * VMX: one NMI-window exit, for the second NMI.  SVM, as KVM's SVM
	 * counts it: the IRET intercept of each NMI handler (the second
	 * handler's IRET ran in the signal's KVM_RUN).
	 */
	if (on_kvm)
		ok = sf_get(&cs, "nmi_injections") >= 2 && sf_get(&cs, "nmi_window_exits") >= 1;
	else
		ok = sf_get(&cs, "nmi_injections") == 2 &&
		     sf_get(&cs, "nmi_window_exits") == (strcmp(be, "vmx") ? 2 : 1);
	ktap_info("nmi_injections %llu, nmi_window_exits %llu",
		  (unsigned long long)sf_get(&cs, "nmi_injections"),
		  (unsigned long long)sf_get(&cs, "nmi_window_exits"));
	ktap_result(ok, "%snmi_injections_and_window", dev_tag);
	ktap_result(sf_get(&cs, "signal_exits") == 1 && seen.signal == 1,
		    "%ssignal_exits", dev_tag);

	if (!on_kvm) {
		ok = reasons_consistent(&cs, exits, &hists_ok) &&
		     reason(&cs, be, "cpuid") == N_CPUID && reason(&cs, be, "hlt") == N_HLT &&
		     reason(&cs, be, !strcmp(be, "vmx") ? "io_instruction" : "ioio") == seen.io;
		ktap_result(ok, "%s_reasons_add_up_to_exits", be);
		ktap_result(hists_ok, "%s_handling_histograms_one_per_exit", be);
		ok = sf_get(&cs, "guest_time_ns") > 0 &&
		     sf_get(&cs, "guest_time_ns") < (t1 - t0) * 1e9;
		ktap_info("guest_time_ns %llu in %.3f s",
			  (unsigned long long)sf_get(&cs, "guest_time_ns"), t1 - t0);
		ktap_result(ok, "guest_time_ns");
		ok = sf_get(&cs, "pf_fixed") >= 1 &&
		     sf_get(&cs, "pf_taken") >= N_MMIO + sf_get(&cs, "pf_fixed") &&
		     sf_get(&cs, "pf_taken") ==
		     reason(&cs, be, !strcmp(be, "vmx") ? "ept_violation" : "npf");
		ktap_info("pf_taken %llu, pf_fixed %llu",
			  (unsigned long long)sf_get(&cs, "pf_taken"),
			  (unsigned long long)sf_get(&cs, "pf_fixed"));
		ktap_result(ok, "pf_taken_and_fixed");
		ktap_result(debugfs_agrees(exits), "debugfs_vcpu_summary");
	}

	/* The VM's counters; minikvm: deleting the slot flushes and unmaps. */
	flush0 = sf_get(&vs, "remote_tlb_flush");
	ok = on_kvm || (sf_get(&vs, "pages_4k") >= 1 && sf_get(&vs, "tdp_tables") >= 1);
	kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &del);
	if (!on_kvm)
		ok = ok && sf_get(&vs, "remote_tlb_flush") == flush0 + 1 &&
		     sf_get(&vs, "pages_4k") == 0;
	ktap_result(ok, "%svm_counters", dev_tag);

	/* As KVM: short at the end, 0 past it, no writing. */
	ok = pread(cs.fd, buf, 16, cs.end - 4) == 4 && pread(cs.fd, buf, 16, cs.end) == 0 &&
	     pread(cs.fd, buf, 16, cs.end + 4096) == 0;
	ktap_result(ok, "%spread_short_at_end_zero_past", dev_tag);
	errno = 0;
	ok = write(cs.fd, buf, 8) == -1 && errno == EBADF;
	ktap_result(ok, "%swrite_fails_ebadf", dev_tag);
	fd = __kvm_ioctl(vcpu->fd, KVM_GET_STATS_FD, (void *)1);
	ktap_result(fd >= 0, "%sget_stats_fd_ignores_arg", dev_tag);
	if (fd >= 0)
		close(fd);

	/* Both stats fds keep the VM, and its vCPU, readable. */
	vcpu_free(vcpu);
	vm_free(vm);
	ok = sf_get(&cs, "exits") == exits && (on_kvm || sf_get(&vs, "pages_4k") == 0);
	if (!on_kvm)
		ok = ok && debugfs_count("objects", "vms") == (long)objects0 + 1;
	sf_close(&cs);
	sf_close(&vs);
	if (!on_kvm)
		ok = ok && debugfs_count("objects", "vms") == (long)objects0;
	ktap_result(ok, "%sfds_outlive_vm_and_vcpu", dev_tag);
}

#define SHARED_CASES	18

int main(void)
{
	/* The minikvm-only cases compare with its debugfs. */
	require_minikvm_debugfs();
	return run_on_minikvm_and_kvm(cases, SHARED_CASES + MINIKVM_ONLY, SHARED_CASES);
}
