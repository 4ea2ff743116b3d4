// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for minikvm's selftests: see kvm_util.h.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kvm_util.h"

long __kvm_ioctl(int fd, unsigned long req, void *arg)
{
	long r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v ? atol(v) : def;
}

double env_double(const char *name, double def)
{
	const char *v = getenv(name);

	return v ? atof(v) : def;
}

/* The first line of @path into @buf; empty when it cannot be read. */
static void read_first_line(const char *path, char *buf, int size)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return;
	if (!fgets(buf, size, f))
		buf[0] = 0;
	fclose(f);
}

bool dmi_has(const char *field, const char *text)
{
	char path[128], value[128];

	snprintf(path, sizeof(path), "/sys/class/dmi/id/%s", field);
	read_first_line(path, value, sizeof(value));
	return strstr(value, text) != NULL;
}

const char *lane_name(void)
{
	static char name[32] = "host";
	char cmdline[1024];
	char *p;

	read_first_line("/proc/cmdline", cmdline, sizeof(cmdline));
	p = strstr(cmdline, "minikvm.lane=");
	if (p)
		sscanf(p, "minikvm.lane=%31[a-z]", name);
	return name;
}

const char *kvm_device(void)
{
	const char *dev = getenv("MINIKVM_DEVICE");

	return dev ? dev : "/dev/minikvm";
}

/* Whether open()'s @err says the device is not there (rather than refused). */
static bool device_absent(int err)
{
	return err == ENOENT || err == ENODEV || err == ENXIO;
}

int open_kvm_dev(void)
{
	int fd = open(kvm_device(), O_RDWR | O_CLOEXEC);

	if (fd < 0 && device_absent(errno))
		ktap_exit_skip("%s: %s", kvm_device(), strerror(errno));
	TEST_ASSERT(fd >= 0, "cannot open %s: %s", kvm_device(), strerror(errno));
	return fd;
}

void require_device(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		ktap_exit_skip("%s: %s", path, strerror(errno));
	close(fd);
}

const char *env_path(const char *env, const char *lane_path)
{
	const char *v = getenv(env);

	return v && *v ? v : lane_path;
}

void require_file(const char *path, bool exec, const char *hint)
{
	if (access(path, exec ? R_OK | X_OK : R_OK))
		ktap_exit_skip("%s: %s (%s)", path, strerror(errno), hint);
}

#define MINIKVM_DEBUGFS "/sys/kernel/debug/minikvm"

void require_minikvm_debugfs(void)
{
	if (access("/dev/minikvm", F_OK))
		ktap_exit_skip("/dev/minikvm: %s", strerror(errno));
	if (access(MINIKVM_DEBUGFS, R_OK | X_OK))
		ktap_exit_skip("%s: %s (mount -t debugfs none /sys/kernel/debug, as root)",
			       MINIKVM_DEBUGFS, strerror(errno));
}

struct vm *vm_create(size_t mem_size)
{
	struct kvm_userspace_memory_region r;
	struct vm *vm = calloc(1, sizeof(*vm));

	TEST_ASSERT(vm, "out of memory");
	vm->sys_fd = open_kvm_dev();
	vm->fd = kvm_ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	vm->mem_size = mem_size;
	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(vm->mem != MAP_FAILED, "mmap of guest memory: %s", strerror(errno));
	r = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = mem_size,
		.userspace_addr = (uintptr_t)vm->mem,
	};
	kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
	return vm;
}

void vm_free(struct vm *vm)
{
	close(vm->fd);
	close(vm->sys_fd);
	munmap(vm->mem, vm->mem_size);
	free(vm);
}

struct vcpu *vcpu_add(struct vm *vm, int id)
{
	struct vcpu *vcpu = calloc(1, sizeof(*vcpu));
	long size;

	TEST_ASSERT(vcpu, "out of memory");
	vcpu->vm = vm;
	vcpu->fd = kvm_ioctl(vm->fd, KVM_CREATE_VCPU, id);
	size = kvm_ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	TEST_ASSERT(size >= (long)sizeof(struct kvm_run), "mmap size %ld too small", size);
	vcpu->run_size = size;
	vcpu->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	TEST_ASSERT(vcpu->run != MAP_FAILED, "mmap of kvm_run: %s", strerror(errno));
	return vcpu;
}

void vcpu_free(struct vcpu *vcpu)
{
	munmap(vcpu->run, vcpu->run_size);
	close(vcpu->fd);
	free(vcpu);
}

void vm_load(struct vm *vm, uint64_t gpa, const void *start, const void *end)
{
	size_t len = (const char *)end - (const char *)start;

	TEST_ASSERT(gpa + len <= vm->mem_size, "guest code does not fit");
	memcpy((char *)vm->mem + gpa, start, len);
}

void vcpu_real_mode(struct vcpu *vcpu, uint16_t seg, uint16_t ip)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	s.cs.selector = s.ds.selector = s.es.selector = s.ss.selector = seg;
	s.cs.base = s.ds.base = s.es.base = s.ss.base = (uint64_t)seg << 4;
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &s);
	memset(&r, 0, sizeof(r));
	r.rip = ip;
	r.rsp = 0xfff0;
	r.rflags = 2;
	kvm_ioctl(vcpu->fd, KVM_SET_REGS, &r);
}

const char *const guest_mode_names[NR_GUEST_MODES] = {
	"protected_flat_32", "paged_32", "pae", "long_64",
};

void kvm_flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code64)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code64;
	s->db = !code64;
}

/* Identity-map the low 4 GiB with large pages; see kvm_util.h. */
static void build_page_tables(struct vm *vm, enum guest_mode mode)
{
	uint8_t *pt = (uint8_t *)vm->mem + GUEST_PT;
	uint64_t *pml4 = (uint64_t *)pt, *pdpt = (uint64_t *)(pt + 0x1000);
	uint64_t *pd = (uint64_t *)(pt + 0x2000);
	uint32_t *pd32 = (uint32_t *)pt;
	int i;

	TEST_ASSERT(vm->mem_size >= GUEST_PT + 0x6000, "VM too small for page tables");
	memset(pt, 0, 0x6000);
	if (mode == MODE_PAGED32) {
		for (i = 0; i < 1024; i++)
			pd32[i] = (uint32_t)i << 22 | 0x83;	/* P, RW, PS */
		return;
	}
	for (i = 0; i < 4 * 512; i++)
		pd[i] = (uint64_t)i << 21 | 0x83;
	/* PAE PDPTEs have no RW bit (SDM Vol. 3, Table 4-8). */
	for (i = 0; i < 4; i++)
		pdpt[i] = GUEST_PT + 0x2000 + i * 0x1000 + (mode == MODE_PAE ? 1 : 3);
	pml4[0] = GUEST_PT + 0x1000 + 3;
}

int __vcpu_set_mode(struct vcpu *vcpu, enum guest_mode mode, uint64_t rip, uint64_t rsp)
{
	uint64_t *gdt = (uint64_t *)((uint8_t *)vcpu->vm->mem + GUEST_GDT);
	struct kvm_sregs s;
	struct kvm_regs regs;
	long r;

	/* The descriptors behind the selectors, for IRET and interrupt gates. */
	gdt[0] = 0;
	gdt[1] = mode == MODE_LONG ? 0x00af9b000000ffffull : 0x00cf9b000000ffffull;
	gdt[2] = 0x00cf93000000ffffull;
	r = __kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	if (r)
		return r;
	s.gdt.base = GUEST_GDT;
	s.gdt.limit = 3 * 8 - 1;
	kvm_flat_segment(&s.cs, 0x08, 0xb, mode == MODE_LONG);
	kvm_flat_segment(&s.ds, 0x10, 0x3, false);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.tr.selector = 0x18;
	s.tr.limit = 0x67;
	s.tr.type = 0xb;
	s.tr.present = 1;
	s.ldt.unusable = 1;
	s.cr0 = 0x11;				/* PE, ET */
	s.cr4 = 0x600;				/* OSFXSR, OSXMMEXCPT: SSE usable */
	if (mode != MODE_PROT32) {
		build_page_tables(vcpu->vm, mode);
		s.cr0 |= 0x80000000;		/* PG */
		s.cr3 = mode == MODE_PAE ? GUEST_PT + 0x1000 : GUEST_PT;
		s.cr4 |= mode == MODE_PAGED32 ? 0x10 : 0x20;	/* PSE or PAE */
		s.efer = mode == MODE_LONG ? 0x500 : 0;		/* LME, LMA */
	}
	r = __kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &s);
	if (r)
		return r;
	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rsp = rsp;
	regs.rflags = 2;
	return __kvm_ioctl(vcpu->fd, KVM_SET_REGS, &regs);
}

void vcpu_set_mode(struct vcpu *vcpu, enum guest_mode mode, uint64_t rip, uint64_t rsp)
{
	int r = __vcpu_set_mode(vcpu, mode, rip, rsp);

	TEST_ASSERT(!r, "setting up %s: %s", guest_mode_names[mode], strerror(-r));
}

void vcpu_set_idt(struct vcpu *vcpu, uint64_t base, uint16_t limit)
{
	struct kvm_sregs s;

	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s);
	s.idt.base = base;
	s.idt.limit = limit;
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &s);
}

void idt_set_gate(void *idt, int vector, uint64_t handler, bool longmode)
{
	uint32_t *g = (uint32_t *)idt + vector * (longmode ? 4 : 2);

	g[0] = 0x08 << 16 | (handler & 0xffff);
	g[1] = (handler & 0xffff0000) | 0x8e00;		/* P, DPL 0, interrupt gate */
	if (longmode) {
		g[2] = handler >> 32;
		g[3] = 0;
	}
}

int __vcpu_run(struct vcpu *vcpu)
{
	return (int)__kvm_ioctl(vcpu->fd, KVM_RUN, NULL);
}

void vcpu_run(struct vcpu *vcpu)
{
	int r = __vcpu_run(vcpu);

	TEST_ASSERT(r == 0, "KVM_RUN failed: %s", strerror(-r));
}

void vcpu_get_regs(struct vcpu *vcpu, struct kvm_regs *regs)
{
	kvm_ioctl(vcpu->fd, KVM_GET_REGS, regs);
}

void vcpu_set_regs(struct vcpu *vcpu, struct kvm_regs *regs)
{
	kvm_ioctl(vcpu->fd, KVM_SET_REGS, regs);
}

const char *exit_reason_str(unsigned int reason)
{
	switch (reason) {
	case KVM_EXIT_UNKNOWN: return "UNKNOWN";
	case KVM_EXIT_EXCEPTION: return "EXCEPTION";
	case KVM_EXIT_IO: return "IO";
	case KVM_EXIT_DEBUG: return "DEBUG";
	case KVM_EXIT_HLT: return "HLT";
	case KVM_EXIT_MMIO: return "MMIO";
	case KVM_EXIT_IRQ_WINDOW_OPEN: return "IRQ_WINDOW_OPEN";
	case KVM_EXIT_SHUTDOWN: return "SHUTDOWN";
	case KVM_EXIT_FAIL_ENTRY: return "FAIL_ENTRY";
	case KVM_EXIT_INTR: return "INTR";
	case KVM_EXIT_SET_TPR: return "SET_TPR";
	case KVM_EXIT_INTERNAL_ERROR: return "INTERNAL_ERROR";
	default: return "?";
	}
}

void assert_exit(struct vcpu *vcpu, unsigned int reason)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	if (run->exit_reason == reason)
		return;
	vcpu_get_regs(vcpu, &regs);
	printf("# exit %s (%u), wanted %s; rip %#llx rax %#llx\n",
	       exit_reason_str(run->exit_reason), run->exit_reason,
	       exit_reason_str(reason), regs.rip, regs.rax);
	if (run->exit_reason == KVM_EXIT_IO)
		printf("# io: %s port %#x size %u\n", run->io.direction ? "out" : "in",
		       run->io.port, run->io.size);
	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		printf("# internal: suberror %u data %#llx %#llx\n", run->internal.suberror,
		       run->internal.data[0], run->internal.data[1]);
	if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
		printf("# fail_entry: reason %#llx\n",
		       run->fail_entry.hardware_entry_failure_reason);
	TEST_ASSERT(false, "unexpected exit reason");
}

size_t run_uart(struct vcpu *vcpu, char *out, size_t outlen)
{
	struct kvm_run *run = vcpu->run;
	size_t n = 0;

	TEST_ASSERT(outlen > 0, "run_uart needs room for the NUL");
	for (;;) {
		const char *data;
		uint32_t i;

		vcpu_run(vcpu);
		if (run->exit_reason != KVM_EXIT_IO || run->io.port != UART_PORT ||
		    run->io.direction != KVM_EXIT_IO_OUT)
			break;
		TEST_ASSERT(run->io.size == 1, "%u-byte write to the UART", run->io.size);
		data = (const char *)run + run->io.data_offset;
		for (i = 0; i < run->io.count; i++) {
			TEST_ASSERT(n + 1 < outlen, "guest printed more than %zu bytes", outlen - 1);
			out[n++] = data[i];
		}
	}
	out[n] = 0;
	return n;
}

uint64_t run_to_ucall(struct vcpu *vcpu, struct ucall *uc)
{
	struct kvm_regs regs;

	vcpu_run(vcpu);
	assert_exit(vcpu, KVM_EXIT_IO);
	TEST_ASSERT(vcpu->run->io.port == UCALL_PORT &&
		    vcpu->run->io.direction == KVM_EXIT_IO_OUT,
		    "I/O to port %#x, not a ucall", vcpu->run->io.port);
	vcpu_get_regs(vcpu, &regs);
	uc->cmd = regs.rax;
	uc->args[0] = regs.rbx;
	uc->args[1] = regs.rcx;
	if (uc->cmd == UCALL_ASSERT)
		TEST_ASSERT(false, "guest assertion failed at guest line %llu (value %#llx)",
			    (unsigned long long)uc->args[0], (unsigned long long)uc->args[1]);
	return uc->cmd;
}

/* Remove every " NAME=value" whose " NAME=" is @field from @buf. */
static void strip_field(char *buf, const char *field)
{
	char *p, *end;

	while ((p = strstr(buf, field)) != NULL) {
		end = p + strlen(field);
		while (*end && *end != ' ' && *end != '\n')
			end++;
		memmove(p, end, strlen(end) + 1);
	}
}

/* Clear the bits outside @keep in every hex value after @field. */
static void mask_field(char *buf, const char *field, unsigned long keep)
{
	size_t len = strlen(field);
	char *p;

	for (p = strstr(buf, field); p; p = strstr(p + 1, field)) {
		char *end, was;
		unsigned long v = strtoul(p + len, &end, 16);
		int n = (int)(end - (p + len));

		if (!n)
			continue;	/* "-": the CPU has no such register */
		was = *end;
		snprintf(p + len, n + 1, "%0*lx", n, v & keep);
		*end = was;
	}
}

char *host_state_read(void)
{
	static const char path[] = MINIKVM_DEBUGFS "/host_state";
	char *buf;
	FILE *f;

	require_minikvm_debugfs();
	buf = calloc(1, 1 << 16);
	f = fopen(path, "r");
	TEST_ASSERT(buf && f, "%s: %s", path, strerror(errno));
	TEST_ASSERT(fread(buf, 1, (1 << 16) - 1, f) > 0, "%s is empty", path);
	fclose(f);
	/*
	 * DR7's LE and GE bits cleared: Linux sets GE with the first hardware
	 * breakpoint and leaves it behind, and an exit's DR7 of 0x400 drops
	 * it.  The bits do nothing since the P6 (SDM Vol. 3, 18.2.4).
	 */
	mask_field(buf, " dr7=", ~0x300ul);
	/*
	 * SPEC_CTRL's STIBP and SSBD follow the task on the CPU (conditional
	 * STIBP, SSBD for seccomp'd or prctl'd tasks): IBRS and the rest are
	 * compared.
	 */
	mask_field(buf, " spec_ctrl=", ~6ul);
	/*
	 * LDTR and PKRU belong to whichever task the reading IPI found on
	 * each CPU: left out, they would make two readings differ for no
	 * fault of minikvm's.
	 */
	strip_field(buf, " ldtr=");
	strip_field(buf, " pkru=");
	return buf;
}

long debugfs_count(const char *file, const char *name)
{
	char path[128], key[64];
	long n, found = -1;
	FILE *f;

	require_minikvm_debugfs();
	snprintf(path, sizeof(path), MINIKVM_DEBUGFS "/%s", file);
	f = fopen(path, "r");
	TEST_ASSERT(f, "%s: %s", path, strerror(errno));
	while (fscanf(f, "%63s %ld", key, &n) == 2)
		if (!strcmp(key, name))
			found = n;
	fclose(f);
	TEST_ASSERT(found >= 0, "no %s in %s", name, path);
	return found;
}

bool on_kvm;
const char *dev_tag = "";

int run_on_minikvm_and_kvm(void (*cases)(void), int minikvm_cases, int kvm_cases)
{
	bool kvm = !access("/dev/kvm", R_OK | W_OK);

	ktap_plan(minikvm_cases + (kvm ? kvm_cases : 0));
	setenv("MINIKVM_DEVICE", "/dev/minikvm", 1);
	on_kvm = false;
	dev_tag = "";
	cases();
	if (!kvm) {
		ktap_info("/dev/kvm absent: no comparison with KVM");
		return ktap_finish();
	}
	on_kvm = true;
	dev_tag = "kvm_";
	setenv("MINIKVM_DEVICE", "/dev/kvm", 1);
	cases();
	return ktap_finish();
}

bool on_each_cpu_pinned(bool (*fn)(int cpu, void *arg), void *arg)
{
	cpu_set_t all, one;
	bool ok = true;
	int cpu;

	TEST_ASSERT(!sched_getaffinity(0, sizeof(all), &all), "sched_getaffinity: %s",
		    strerror(errno));
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &all))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		TEST_ASSERT(!sched_setaffinity(0, sizeof(one), &one), "sched_setaffinity: %s",
			    strerror(errno));
		ok &= fn(cpu, arg);
	}
	sched_setaffinity(0, sizeof(all), &all);
	return ok;
}
