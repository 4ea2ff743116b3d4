// SPDX-License-Identifier: GPL-2.0
/*
 * minikvm's tracepoints (Documentation/tracing.rst) deliver their events
 * through tracefs, with the right fields, in order:
 *  - tracefs: found at /sys/kernel/tracing (mounted there if need be) or
 *    /sys/kernel/debug/tracing, and its buffer cleared;
 *  - enable_minikvm_*: each of minikvm_entry, minikvm_exit,
 *    minikvm_inject, minikvm_mmio and minikvm_pio enabled on its own;
 *  - formats_numeric: their format files name no enum that the kernel
 *    left unresolved, so that trace-cmd and perf can evaluate them;
 *  - guest_ran: a real-mode guest, vCPU 3, does an OUT, an IN, an MMIO
 *    write and read, a CPUID and a HLT; the host answers each exit
 *    (kvm_run shows each as it should), then gives interrupt 0x20 with
 *    KVM_INTERRUPT, whose handler halts;
 *  - then one case per step of that run, found in the trace in this
 *    order (other lines may come between: EPT/NPT faults for RAM, host
 *    interrupts): the first entry at RIP 0; for the OUT and the IN their
 *    exit (reason by the backend's name, RIP, the port in bits 31:16 of
 *    the qualification / EXITINFO1) and the minikvm_pio record (port,
 *    size, value: the IN's is the one the host gave); for the MMIO write
 *    and read their EPT violation / NPF exit (RIP, the address in info2
 *    on both backends) and the minikvm_mmio record; the CPUID and HLT
 *    exits with their RIPs; the injection of vector 0x20, the entry that
 *    delivers it (RIP past the HLT) and the HLT exit in the handler.
 * The trace lines of vCPU 3 are printed, as `cat trace` shows them.
 * The test thread is pinned to one CPU, so that every event lands in
 * one per-CPU buffer, in order.  About 20 exits: fast on Bochs too.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "kvm_util.h"

#define MEM_SIZE	0x20000		/* the guest at 0x10000, its IVT at 0 */
#define VCPU_ID		3
#define OUT_PORT	0xe0
#define OUT_VALUE	0xa5
#define IN_PORT		0xe2
#define IN_VALUE	0xbeef
#define MMIO_SEG	0xa000		/* no slot there */
#define MMIO_W_GPA	0xa0010
#define MMIO_W_VALUE	0x1234
#define MMIO_R_GPA	0xa0020
#define MMIO_R_VALUE	0xcafef00d
#define VECTOR		0x20

GUEST_CODE16(trace_guest,
	"mov $" STR(MMIO_SEG) ", %ax\n\t"
	"mov %ax, %es\n\t"
	"sti\n\t"
	"mov $" STR(OUT_VALUE) ", %al\n"
	".globl trace_out\n"
	"trace_out:\n\t"
	"out %al, $" STR(OUT_PORT) "\n"
	".globl trace_in\n"
	"trace_in:\n\t"
	"in $" STR(IN_PORT) ", %ax\n\t"
	"mov %ax, %di\n"
	".globl trace_mmio_w\n"
	"trace_mmio_w:\n\t"
	"movw $" STR(MMIO_W_VALUE) ", %es:(" STR(MMIO_W_GPA) " - " STR(MMIO_SEG) " * 16)\n"
	".globl trace_mmio_r\n"
	"trace_mmio_r:\n\t"
	"mov %es:(" STR(MMIO_R_GPA) " - " STR(MMIO_SEG) " * 16), %esi\n\t"
	"xor %eax, %eax\n"
	".globl trace_cpuid\n"
	"trace_cpuid:\n\t"
	"cpuid\n"
	".globl trace_hlt\n"
	"trace_hlt:\n\t"
	"hlt\n\t"
	"hlt\n"			/* the interrupt did not come */
	".globl trace_isr\n"
	"trace_isr:\n\t"
	"hlt\n\t");
extern const char trace_out[], trace_in[], trace_mmio_w[], trace_mmio_r[], trace_cpuid[],
	trace_hlt[], trace_isr[];

/* A label's IP: real mode, CS = GUEST_SEG, the code loaded at its base. */
#define IP(sym)	((unsigned long)((sym) - trace_guest_start))

static const char *const events[] = {
	"minikvm_entry", "minikvm_exit", "minikvm_inject", "minikvm_mmio", "minikvm_pio",
};
#define NR_EVENTS	(sizeof(events) / sizeof(events[0]))

/*
 * One step the trace must show: a line of @event whose text holds @pat
 * (with a space before and after), and, if @key is set, whose field @key
 * has ((value >> @shift) & @mask) == @val.
 */
struct step {
	const char *what;
	const char *event;
	char pat[128];
	const char *key;
	int shift;
	uint64_t mask, val;
};

static const char *tracing;

static bool write_file(const char *dir, const char *file, const char *s)
{
	char path[256];
	int fd;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_TRUNC);
	ok = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	if (fd >= 0)
		close(fd);
	return ok;
}

/* The whole of a tracefs file, NUL-terminated, in @buf; its length. */
static size_t read_file(const char *file, char *buf, size_t size)
{
	char path[256];
	size_t n = 0;
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tracing, file);
	fd = open(path, O_RDONLY);
	while (fd >= 0 && n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	if (fd >= 0)
		close(fd);
	buf[n] = 0;
	return n;
}

static bool find_tracefs(void)
{
	if (access("/sys/kernel/tracing/events", F_OK))
		mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
	if (!access("/sys/kernel/tracing/events", F_OK))
		tracing = "/sys/kernel/tracing";
	else if (!access("/sys/kernel/debug/tracing/events", F_OK))
		tracing = "/sys/kernel/debug/tracing";
	else
		return false;
	ktap_info("tracefs at %s", tracing);
	return write_file(tracing, "tracing_on", "1") && write_file(tracing, "trace", "");
}

static bool set_event(const char *event, bool on)
{
	char file[128];

	snprintf(file, sizeof(file), "events/minikvm/%s/enable", event);
	return write_file(tracing, file, on ? "1" : "0");
}

/* Every format file states numbers: no MKVM_ name left by TRACE_DEFINE_ENUM. */
static bool formats_numeric(void)
{
	static char buf[1 << 16];
	char file[128];
	bool ok = true;
	unsigned int i;

	for (i = 0; i < NR_EVENTS; i++) {
		snprintf(file, sizeof(file), "events/minikvm/%s/format", events[i]);
		if (!read_file(file, buf, sizeof(buf)) || !strstr(buf, "print fmt:") ||
		    strstr(buf, "MKVM_")) {
			ktap_info("%s: no format, or a name in it: %.200s", events[i],
				  strstr(buf, "MKVM_") ? strstr(buf, "MKVM_") : buf);
			ok = false;
		}
	}
	return ok;
}

static bool expect(struct vcpu *vcpu, uint32_t reason, const char *what)
{
	if (vcpu->run->exit_reason == reason)
		return true;
	ktap_info("%s: exit %s, not %s", what, exit_reason_str(vcpu->run->exit_reason),
		  exit_reason_str(reason));
	return false;
}

/* Run the guest through its sequence, playing its devices. */
static bool run_guest(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *io = (uint8_t *)run + run->io.data_offset;
	struct kvm_interrupt irq = { .irq = VECTOR };
	struct kvm_regs regs;
	uint32_t v32 = MMIO_R_VALUE;
	uint16_t v16 = IN_VALUE;

	vcpu_run(vcpu);
	io = (uint8_t *)run + run->io.data_offset;
	if (!expect(vcpu, KVM_EXIT_IO, "out") || run->io.direction != KVM_EXIT_IO_OUT ||
	    run->io.port != OUT_PORT || run->io.size != 1 || *io != OUT_VALUE)
		return false;
	vcpu_run(vcpu);
	if (!expect(vcpu, KVM_EXIT_IO, "in") || run->io.direction != KVM_EXIT_IO_IN ||
	    run->io.port != IN_PORT || run->io.size != 2)
		return false;
	memcpy((uint8_t *)run + run->io.data_offset, &v16, 2);
	vcpu_run(vcpu);
	if (!expect(vcpu, KVM_EXIT_MMIO, "mmio write") || !run->mmio.is_write ||
	    run->mmio.phys_addr != MMIO_W_GPA || run->mmio.len != 2 ||
	    *(uint16_t *)run->mmio.data != MMIO_W_VALUE)
		return false;
	vcpu_run(vcpu);
	if (!expect(vcpu, KVM_EXIT_MMIO, "mmio read") || run->mmio.is_write ||
	    run->mmio.phys_addr != MMIO_R_GPA || run->mmio.len != 4)
		return false;
	memcpy(run->mmio.data, &v32, 4);
	vcpu_run(vcpu);
	if (!expect(vcpu, KVM_EXIT_HLT, "hlt"))
		return false;
	if (!run->ready_for_interrupt_injection)
		ktap_info("not ready for an interrupt at the HLT");
	kvm_ioctl(vcpu->fd, KVM_INTERRUPT, &irq);
	vcpu_run(vcpu);
	if (!expect(vcpu, KVM_EXIT_HLT, "hlt in the handler"))
		return false;
	vcpu_get_regs(vcpu, &regs);
	if (regs.rip != IP(trace_isr) + 1 || (uint16_t)regs.rdi != IN_VALUE ||
	    (uint32_t)regs.rsi != MMIO_R_VALUE) {
		ktap_info("rip %#llx (handler's HLT at %#lx), di %#llx, esi %#llx", regs.rip,
			  IP(trace_isr), regs.rdi, regs.rsi);
		return false;
	}
	return true;
}

/* The value after " @key " in @text, or ~0. */
static uint64_t field(const char *text, const char *key)
{
	char k[32];
	const char *p;

	snprintf(k, sizeof(k), " %s ", key);
	p = strstr(text, k);
	return p ? strtoull(p + strlen(k), NULL, 0) : ~0ULL;
}

static struct step steps[16];
static unsigned int nsteps;

static struct step *step(const char *what, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Add a step; its pattern from @fmt. */
static struct step *step(const char *what, const char *event, const char *fmt, ...)
{
	struct step *s;
	va_list ap;

	TEST_ASSERT(nsteps < sizeof(steps) / sizeof(steps[0]), "too many steps");
	s = &steps[nsteps++];
	*s = (struct step){ .what = what, .event = event };
	va_start(ap, fmt);
	vsnprintf(s->pat, sizeof(s->pat), fmt, ap);
	va_end(ap);
	return s;
}

/* A step for an exit of the backend's @reason at @ip. */
static struct step *exit_step(const char *what, const char *backend, const char *reason,
			      unsigned long ip)
{
	return step(what, "minikvm_exit", "vcpu %d %s reason %s rip %#lx", VCPU_ID, backend,
		    reason, ip);
}

/* The step's line must also have ((@key's value >> @shift) & @mask) == @val. */
static void step_field(struct step *s, const char *key, int shift, uint64_t mask, uint64_t val)
{
	s->key = key;
	s->shift = shift;
	s->mask = mask;
	s->val = val;
}

static bool step_matches(const struct step *s, const char *event, const char *text)
{
	char pat[sizeof(s->pat) + 2];

	snprintf(pat, sizeof(pat), " %s ", s->pat);
	return !strcmp(event, s->event) && strstr(text, pat) &&
	       (!s->key || ((field(text, s->key) >> s->shift) & s->mask) == s->val);
}

#define MAX_LINES	512

int main(void)
{
	static char buf[1 << 20];
	static char *texts[MAX_LINES];
	static char names[MAX_LINES][32];
	const char *io_reason, *fault_reason, *backend = NULL;
	unsigned int i, n = 0, at = 0;
	char vcpu_tag[16], *line, *save;
	struct vm *vm;
	struct vcpu *vcpu;
	cpu_set_t one;
	bool ok, ran;

	ktap_plan(3 + NR_EVENTS + 14);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(one), &one), "sched_setaffinity: %s",
		    strerror(errno));

	vm = vm_create(MEM_SIZE);
	vcpu = vcpu_add(vm, VCPU_ID);
	vm_load(vm, GUEST_LOAD, trace_guest_start, trace_guest_end);
	/* The real-mode IVT: vector 0x20 at GUEST_SEG:trace_isr. */
	((uint16_t *)vm->mem)[VECTOR * 2] = IP(trace_isr);
	((uint16_t *)vm->mem)[VECTOR * 2 + 1] = GUEST_SEG;
	vcpu_real_mode(vcpu, GUEST_SEG, 0);

	ok = find_tracefs();
	ktap_result(ok, "tracefs");
	if (!ok)
		return ktap_finish();
	for (i = 0; i < NR_EVENTS; i++)
		ktap_result(set_event(events[i], true), "enable_%s", events[i]);
	ktap_result(formats_numeric(), "formats_numeric");

	ran = run_guest(vcpu);
	for (i = 0; i < NR_EVENTS; i++)
		set_event(events[i], false);
	ktap_result(ran, "guest_ran");

	/* vCPU 3's lines, in buffer order. */
	snprintf(vcpu_tag, sizeof(vcpu_tag), ": vcpu %d ", VCPU_ID);
	read_file("trace", buf, sizeof(buf));
	for (line = strtok_r(buf, "\n", &save); line && n < MAX_LINES;
	     line = strtok_r(NULL, "\n", &save)) {
		char *ev = strstr(line, " minikvm_"), *colon = ev ? strstr(ev, vcpu_tag) : NULL;

		if (line[0] == '#' || !colon || colon - ev - 1 >= (long)sizeof(names[0]))
			continue;
		snprintf(names[n], sizeof(names[n]), "%.*s", (int)(colon - ev - 1), ev + 1);
		/* With a space at the end, for the patterns' last field. */
		TEST_ASSERT(asprintf(&texts[n], "%s ", colon + 1) > 0, "out of memory");
		if (!backend && !strcmp(names[n], "minikvm_exit"))
			backend = strstr(texts[n], " svm reason ") ? "svm" : "vmx";
		ktap_info("%s", line);
		n++;
	}
	if (!backend)
		backend = "vmx";
	io_reason = !strcmp(backend, "vmx") ? "io_instruction" : "ioio";
	fault_reason = !strcmp(backend, "vmx") ? "ept_violation" : "npf";

	step("first_entry", "minikvm_entry", "vcpu %d rip 0x0 event none", VCPU_ID);
	step_field(exit_step("out_exit", backend, io_reason, IP(trace_out)),
		   "info1", 16, 0xffff, OUT_PORT);
	step("out_pio", "minikvm_pio", "vcpu %d out port %#x size 1 count 1 value %#x",
	     VCPU_ID, OUT_PORT, OUT_VALUE);
	step_field(exit_step("in_exit", backend, io_reason, IP(trace_in)),
		   "info1", 16, 0xffff, IN_PORT);
	step("in_pio", "minikvm_pio", "vcpu %d in port %#x size 2 count 1 value %#x",
	     VCPU_ID, IN_PORT, IN_VALUE);
	step_field(exit_step("mmio_write_exit", backend, fault_reason, IP(trace_mmio_w)),
		   "info2", 0, ~0ULL, MMIO_W_GPA);
	step("mmio_write", "minikvm_mmio", "vcpu %d write gpa %#x len 2 value %#x",
	     VCPU_ID, MMIO_W_GPA, MMIO_W_VALUE);
	step_field(exit_step("mmio_read_exit", backend, fault_reason, IP(trace_mmio_r)),
		   "info2", 0, ~0ULL, MMIO_R_GPA);
	step("mmio_read", "minikvm_mmio", "vcpu %d read gpa %#x len 4 value %#x",
	     VCPU_ID, MMIO_R_GPA, MMIO_R_VALUE);
	exit_step("cpuid_exit", backend, "cpuid", IP(trace_cpuid));
	exit_step("hlt_exit", backend, "hlt", IP(trace_hlt));
	step("inject", "minikvm_inject",
	     "vcpu %d external_interrupt vector %#x has_error 0 error_code 0x0 reinjected 0",
	     VCPU_ID, VECTOR);
	step("entry_with_interrupt", "minikvm_entry",
	     "vcpu %d rip %#lx event external_interrupt vector %#x", VCPU_ID,
	     IP(trace_hlt) + 1, VECTOR);
	exit_step("handler_hlt_exit", backend, "hlt", IP(trace_isr));

	/* Each step after the one before it; a step not found leaves the place. */
	for (i = 0; i < nsteps; i++) {
		unsigned int j;

		for (j = at; j < n && !step_matches(&steps[i], names[j], texts[j]); j++)
			;
		if (j < n)
			at = j + 1;
		else
			ktap_info("not found after line %u: %s ...%s%s", at, steps[i].event,
				  steps[i].pat, steps[i].key ? " (and a field)" : "");
		ktap_result(j < n, "%s", steps[i].what);
	}
	for (i = 0; i < n; i++)
		free(texts[i]);
	vcpu_free(vcpu);
	vm_free(vm);
	return ktap_finish();
}
