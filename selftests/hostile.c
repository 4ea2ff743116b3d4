// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guests.  Everything a long-mode guest does here must end in a
 * defined exit or an injected exception, and leave the host as it was:
 *  - memory: the guest writes every byte of its guest-physical space
 *    (slot 0 with its own code and tables, rewritten with the same values,
 *    and a data slot, filled with a pattern and read back, three times),
 *    then reads and writes beyond its memory, up to 4 GiB and at 512 GiB:
 *    each such access is a KVM_EXIT_MMIO with the right address.  The
 *    data slot's host memory has canary pages on both sides, which must
 *    stay untouched.  Two VMs do this at once, on two threads, with
 *    different patterns: each must read back only its own;
 *  - I/O ports: IN and OUT of every port from 0 to 0xffff, each a
 *    KVM_EXIT_IO for that port, in order, with the data carried both ways;
 *  - MSRs: RDMSR of every index in the architectural, hypervisor and AMD
 *    ranges and at the range edges; what reads is written back, what
 *    does not is written with 0.  Only MSRs that KVM_GET_MSR_INDEX_LIST
 *    names may read, and those KVM has without listing them (the MTRRs
 *    and the machine-check banks), every other access must be #GP in the
 *    guest; of those that read, only the read-only ones (MTRRCAP,
 *    MCG_CAP, the Pentium's P5_MC_ADDR/TYPE) refuse their value back;
 *  - single steps: on every CPU in turn, the guest sets its own TF and
 *    takes the #DBs itself; the status bits they leave in DR6 must not
 *    stay in the host's DR6, or the host's next #DB (the watchpoint
 *    below) would find them and send a spurious SIGTRAP;
 *  - the host: /sys/kernel/debug/minikvm/host_state (CR0, CR4, DR6, DR7,
 *    GDTR, IDTR and the MSRs an exit may clobber, on every CPU) is the
 *    same after all of it, and a hardware watchpoint the test process sets
 *    through perf counts every write it makes between two KVM_RUNs.
 */
#define _GNU_SOURCE
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_util.h"

#define SLOT0_SIZE	(1 << 20)
#define DATA_GPA	SLOT0_SIZE
#define DATA_SIZE	(7 << 20)
#define MEM_END		(DATA_GPA + DATA_SIZE)
#define CANARY		(64 << 10)	/* on each side of the data slot */
#define CANARY_BYTE	0xc5
#define PASSES		3

/* Guest-physical layout of slot 0 besides the library's GDT and tables. */
#define GP_FLAG		0x9000		/* set by the #GP handler */
#define STEP_COUNT	0x9080		/* counted by the #DB handler */
#define PARAMS		0x9100		/* seed, data start, data end, passes */
#define PROBES		0x9200		/* count, then addresses */
#define MSR_RANGES	0x9600		/* start, count pairs; count 0 ends */
#define MSR_RESULTS	0x9700		/* see struct msr_results */
#define MSR_READABLE	0x9800		/* indices that read, up to 256 */
#define HIGH_PDPT	0x8000		/* PML4[1]: 512 GiB up, 1 GiB pages */
#define IDT_GPA		0xa000
#define STACK_TOP	0xf000
#define HIGH_GPA	(512ull << 30)

#define MMIO_READ_XOR	0x5a5a5a5a5a5a5a5aull
#define STEP_NOPS	16

struct msr_results {
	uint64_t read_ok, read_gp, write_ok, write_gp;
	uint64_t gp_read_write_ok, gp_read_write_gp, nr_readable;
};

#define G_ASSERT(code) "mov $" STR(code) ", %ebx\n\t" G_UCALL(UCALL_ASSERT) "hlt\n\t"

GUEST_CODE16(hostile_guest,
	".code64\n"
	/* #GP: note it and skip the 2-byte RDMSR or WRMSR. */
	".globl hg_gp\n"
	"hg_gp:\n\t"
	"movl $1, " STR(GP_FLAG) "\n\t"
	"add $8, %rsp\n\t"
	"addq $2, (%rsp)\n\t"
	"iretq\n"
	/* #DB from the guest's own TF: count it. */
	".globl hg_db\n"
	"hg_db:\n\t"
	"incq " STR(STEP_COUNT) "\n\t"
	"iretq\n"
	/* Any other exception: fail, with the word on top of the stack. */
	".globl hg_bad\n"
	"hg_bad:\n\t"
	"mov (%rsp), %rcx\n\t"
	G_ASSERT(100)

	/* Memory: rewrite every qword of [0, end) with its own value. */
	".globl hg_mem\n"
	"hg_mem:\n\t"
	"mov " STR(PARAMS) " + 16, %rdx\n\t"
	"xor %edi, %edi\n"
	"1:\n\t"
	"addq $0, (%rdi)\n\t"
	"add $8, %rdi\n\t"
	"cmp %rdx, %rdi\n\t"
	"jb 1b\n\t"
	/* Then PASSES times: the data slot gets gpa ^ seed, read back. */
	"mov " STR(PARAMS) ", %rsi\n\t"
	"mov " STR(PARAMS) " + 24, %r8\n"
	"2:\n\t"
	"mov " STR(PARAMS) " + 8, %rdi\n"
	"3:\n\t"
	"mov %rdi, %rax\n\t"
	"xor %rsi, %rax\n\t"
	"mov %rax, (%rdi)\n\t"
	"add $8, %rdi\n\t"
	"cmp %rdx, %rdi\n\t"
	"jb 3b\n\t"
	"mov " STR(PARAMS) " + 8, %rdi\n"
	"4:\n\t"
	"mov %rdi, %rax\n\t"
	"xor %rsi, %rax\n\t"
	"cmp %rax, (%rdi)\n\t"
	"jne 9f\n\t"
	"add $8, %rdi\n\t"
	"cmp %rdx, %rdi\n\t"
	"jb 4b\n\t"
	"movabs $0x10000000000, %rax\n\t"
	"add %rax, %rsi\n\t"
	"dec %r8\n\t"
	"jnz 2b\n\t"
	/* Beyond memory: read 8 bytes, check, write the address there. */
	"mov " STR(PROBES) ", %r9\n\t"
	"mov $" STR(PROBES) " + 8, %r10\n\t"
	"movabs $" STR(MMIO_READ_XOR) ", %r11\n"
	"5:\n\t"
	"test %r9, %r9\n\t"
	"jz 6f\n\t"
	"mov (%r10), %rax\n\t"
	"mov (%rax), %rcx\n\t"
	"mov %rax, %rbx\n\t"
	"xor %r11, %rbx\n\t"
	"cmp %rbx, %rcx\n\t"
	"jne 8f\n\t"
	"mov %rax, (%rax)\n\t"
	"add $8, %r10\n\t"
	"dec %r9\n\t"
	"jmp 5b\n"
	"6:\n\t"
	G_DONE
	"8:\n\t"
	G_ASSERT(2)
	"9:\n\t"
	"mov %rdi, %rcx\n\t"
	G_ASSERT(1)

	/* Single-step through STEP_NOPS NOPs and the TF-clearing POPF. */
	".globl hg_step\n"
	"hg_step:\n\t"
	"pushfq\n\t"
	"orq $0x100, (%rsp)\n\t"
	"popfq\n\t"
	".rept " STR(STEP_NOPS) "\n\t"
	"nop\n\t"
	".endr\n\t"
	"pushfq\n\t"
	"andq $~0x100, (%rsp)\n\t"
	"popfq\n\t"
	G_DONE

	/* I/O: IN then OUT of every port, in order. */
	".globl hg_ports\n"
	"hg_ports:\n\t"
	"xor %edx, %edx\n"
	"1:\n\t"
	"in (%dx), %al\n\t"
	"mov %dl, %bl\n\t"
	"xor %dh, %bl\n\t"
	"xor $0xa5, %bl\n\t"
	"cmp %bl, %al\n\t"
	"jne 2f\n\t"
	"mov %dl, %al\n\t"
	"add %dh, %al\n\t"
	"not %al\n\t"
	"out %al, (%dx)\n\t"
	"inc %edx\n\t"
	"cmp $0x10000, %edx\n\t"
	"jb 1b\n\t"
	G_DONE
	"2:\n\t"
	"mov %edx, %ecx\n\t"
	G_ASSERT(3)

	/* MSRs: every index of every range; results in MSR_RESULTS. */
	".globl hg_msrs\n"
	"hg_msrs:\n\t"
	"mov $" STR(MSR_RANGES) ", %r12\n"
	"1:\n\t"
	"mov (%r12), %r13d\n\t"
	"mov 4(%r12), %r14d\n\t"
	"test %r14d, %r14d\n\t"
	"jz 9f\n"
	"2:\n\t"
	"mov %r13d, %ecx\n\t"
	"movl $0, " STR(GP_FLAG) "\n\t"
	"rdmsr\n\t"
	"cmpl $0, " STR(GP_FLAG) "\n\t"
	"jne 5f\n\t"
	/* It read: note the index, write the value back. */
	"incq " STR(MSR_RESULTS) "\n\t"
	"mov " STR(MSR_RESULTS) " + 48, %rbx\n\t"
	"cmp $256, %rbx\n\t"
	"jae 3f\n\t"
	"mov %ecx, " STR(MSR_READABLE) "(,%rbx,4)\n\t"
	"incq " STR(MSR_RESULTS) " + 48\n"
	"3:\n\t"
	"wrmsr\n\t"
	"cmpl $0, " STR(GP_FLAG) "\n\t"
	"jne 4f\n\t"
	"incq " STR(MSR_RESULTS) " + 16\n\t"
	"jmp 8f\n"
	"4:\n\t"
	"incq " STR(MSR_RESULTS) " + 24\n\t"
	"jmp 8f\n"
	/* It did not read: writing 0 must not work either. */
	"5:\n\t"
	"incq " STR(MSR_RESULTS) " + 8\n\t"
	"xor %eax, %eax\n\t"
	"xor %edx, %edx\n\t"
	"movl $0, " STR(GP_FLAG) "\n\t"
	"wrmsr\n\t"
	"cmpl $0, " STR(GP_FLAG) "\n\t"
	"jne 6f\n\t"
	"incq " STR(MSR_RESULTS) " + 32\n\t"
	"jmp 8f\n"
	"6:\n\t"
	"incq " STR(MSR_RESULTS) " + 40\n"
	"8:\n\t"
	"inc %r13d\n\t"
	"dec %r14d\n\t"
	"jnz 2b\n\t"
	"add $8, %r12\n\t"
	"jmp 1b\n"
	"9:\n\t"
	G_DONE
	".code16\n\t");
extern const char hg_gp[], hg_db[], hg_bad[], hg_mem[], hg_step[], hg_ports[], hg_msrs[];

#define GUEST_ADDR(sym) (GUEST_LOAD + (uint64_t)((sym) - hostile_guest_start))

/* A long-mode vCPU at @entry, with the IDT above and PML4[1] for 512 GiB. */
static void enter(struct vcpu *vcpu, const char *entry)
{
	uint8_t *mem = vcpu->vm->mem;
	uint64_t *pml4 = (uint64_t *)(mem + GUEST_PT), *high = (uint64_t *)(mem + HIGH_PDPT);
	int v;

	vcpu_set_mode(vcpu, MODE_LONG, GUEST_ADDR(entry), STACK_TOP);
	pml4[1] = HIGH_PDPT | 3;
	high[0] = HIGH_GPA | 0x83;			/* P, RW, PS: 1 GiB */
	for (v = 0; v < 256; v++)
		idt_set_gate(mem + IDT_GPA, v,
			     GUEST_ADDR(v == 13 ? hg_gp : v == 1 ? hg_db : hg_bad), true);
	vcpu_set_idt(vcpu, IDT_GPA, 256 * 16 - 1);
}

static struct vm *hostile_vm(void)
{
	struct vm *vm = vm_create(SLOT0_SIZE);

	vm_load(vm, GUEST_LOAD, hostile_guest_start, hostile_guest_end);
	return vm;
}

/* ---- memory ---- */

struct mem_run {
	struct vm *vm;
	struct vcpu *vcpu;
	uint8_t *host;		/* canary, data slot, canary */
	uint64_t seed;
	long mmio_reads, mmio_writes, bad_exits;
	bool done;
};

static void mem_setup(struct mem_run *m, uint64_t seed)
{
	struct kvm_userspace_memory_region r;
	uint64_t *params, *probes;
	uint64_t a;
	int n = 0;

	m->vm = hostile_vm();
	m->vcpu = vcpu_add(m->vm, 0);
	m->seed = seed;
	m->host = mmap(NULL, DATA_SIZE + 2 * CANARY, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(m->host != MAP_FAILED, "mmap: %s", strerror(errno));
	memset(m->host, CANARY_BYTE, CANARY);
	memset(m->host + CANARY + DATA_SIZE, CANARY_BYTE, CANARY);
	r = (struct kvm_userspace_memory_region){
		.slot = 1, .guest_phys_addr = DATA_GPA, .memory_size = DATA_SIZE,
		.userspace_addr = (uintptr_t)(m->host + CANARY),
	};
	kvm_ioctl(m->vm->fd, KVM_SET_USER_MEMORY_REGION, &r);

	params = (uint64_t *)((uint8_t *)m->vm->mem + PARAMS);
	params[0] = seed;
	params[1] = DATA_GPA;
	params[2] = MEM_END;
	params[3] = PASSES;
	/*
	 * The probes: the first and last qword past the end, one every
	 * 64 MiB up to 4 GiB, the last qword below 4 GiB, and 512 GiB.
	 */
	probes = (uint64_t *)((uint8_t *)m->vm->mem + PROBES) + 1;
	probes[n++] = MEM_END;
	probes[n++] = MEM_END + 0xff8;
	for (a = 64 << 20; a < (4ull << 30); a += 64 << 20)
		probes[n++] = a + 0x100;
	probes[n++] = (4ull << 30) - 8;
	probes[n++] = HIGH_GPA + 0x1238;
	probes[-1] = n;
	enter(m->vcpu, hg_mem);
}

static void *mem_thread(void *arg)
{
	struct mem_run *m = arg;
	struct kvm_run *run = m->vcpu->run;
	struct kvm_regs regs;

	for (;;) {
		vcpu_run(m->vcpu);
		if (run->exit_reason == KVM_EXIT_MMIO) {
			uint64_t a = run->mmio.phys_addr, d;

			if (a < MEM_END || run->mmio.len != 8) {
				m->bad_exits++;
				break;
			}
			if (run->mmio.is_write) {
				memcpy(&d, run->mmio.data, 8);
				m->mmio_writes++;
				if (d != a)
					m->bad_exits++;
			} else {
				d = a ^ MMIO_READ_XOR;
				memcpy(run->mmio.data, &d, 8);
				m->mmio_reads++;
			}
			continue;
		}
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == UCALL_PORT) {
			vcpu_get_regs(m->vcpu, &regs);
			if (regs.rax == UCALL_DONE)
				m->done = true;
			else
				ktap_info("memory guest %#llx: assertion %llu, value %#llx",
					  (unsigned long long)m->seed, regs.rbx, regs.rcx);
			break;
		}
		assert_exit(m->vcpu, KVM_EXIT_MMIO);
	}
	return NULL;
}

/* Whether the data slot holds this run's last pattern and the canaries. */
static bool mem_check(struct mem_run *m)
{
	uint64_t last = m->seed + ((uint64_t)(PASSES - 1) << 40);
	uint64_t *d = (uint64_t *)(m->host + CANARY);
	bool canaries = true, pattern = true;
	long i;

	for (i = 0; i < CANARY; i++)
		canaries &= m->host[i] == CANARY_BYTE &&
			    m->host[CANARY + DATA_SIZE + i] == CANARY_BYTE;
	for (i = 0; i < DATA_SIZE / 8; i++) {
		if (d[i] != ((DATA_GPA + i * 8) ^ last)) {
			ktap_info("seed %#llx: gpa %#lx holds %#llx", (unsigned long long)m->seed,
				  (long)(DATA_GPA + i * 8), (unsigned long long)d[i]);
			pattern = false;
			break;
		}
	}
	if (!canaries)
		ktap_info("seed %#llx: a canary page changed", (unsigned long long)m->seed);
	return canaries && pattern;
}

static void test_memory(void)
{
	struct mem_run m[2] = { 0 };
	pthread_t t[2];
	double start = now_seconds();
	long nprobes;
	int i;

	mem_setup(&m[0], 0x1111000011110000ull);
	mem_setup(&m[1], 0x2222000022220000ull);
	nprobes = *(uint64_t *)((uint8_t *)m[0].vm->mem + PROBES);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, mem_thread, &m[i]);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ktap_info("hostile memory: 2 VMs x %d MiB written %d times, %ld MMIO reads and %ld writes beyond, %.1f s",
		  MEM_END >> 20, PASSES, m[0].mmio_reads + m[1].mmio_reads,
		  m[0].mmio_writes + m[1].mmio_writes, now_seconds() - start);
	ktap_result(m[0].done && m[1].done, "guest_writes_all_its_memory");
	ktap_result(m[0].mmio_reads == nprobes && m[0].mmio_writes == nprobes &&
		    m[1].mmio_reads == nprobes && m[1].mmio_writes == nprobes &&
		    !m[0].bad_exits && !m[1].bad_exits, "accesses_beyond_memory_are_mmio");
	ktap_result(mem_check(&m[0]) && mem_check(&m[1]), "canaries_intact_and_vms_isolated");
	for (i = 0; i < 2; i++) {
		vcpu_free(m[i].vcpu);
		vm_free(m[i].vm);
		munmap(m[i].host, DATA_SIZE + 2 * CANARY);
	}
}

/* ---- single steps the guest takes itself ---- */

/*
 * On each CPU the test may run on: the guest's #DB handler counts at
 * least the NOPs, the PUSHFQ and the ANDQ (the POPF that clears TF may
 * or may not trap; SDM 17.3.1.4).  host_state, read at the end, then
 * shows every CPU's DR6 as the host had it.
 */
static void test_single_step(void)
{
	cpu_set_t all, one;
	int cpu, cpus = 0, good = 0;

	TEST_ASSERT(!sched_getaffinity(0, sizeof(all), &all), "sched_getaffinity: %s",
		    strerror(errno));
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		struct vm *vm;
		struct vcpu *vcpu;
		struct ucall uc;
		uint64_t steps;

		if (!CPU_ISSET(cpu, &all))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		TEST_ASSERT(!sched_setaffinity(0, sizeof(one), &one), "sched_setaffinity %d: %s",
			    cpu, strerror(errno));
		vm = hostile_vm();
		vcpu = vcpu_add(vm, 0);
		enter(vcpu, hg_step);
		run_to_ucall(vcpu, &uc);
		steps = *(uint64_t *)(vm->mem + STEP_COUNT);
		ktap_info("cpu %d: the guest took %llu single-step #DBs itself", cpu,
			  (unsigned long long)steps);
		good += uc.cmd == UCALL_DONE && steps >= STEP_NOPS + 2 && steps <= STEP_NOPS + 3;
		cpus++;
		vcpu_free(vcpu);
		vm_free(vm);
	}
	TEST_ASSERT(!sched_setaffinity(0, sizeof(all), &all), "sched_setaffinity: %s",
		    strerror(errno));
	ktap_result(cpus > 0 && good == cpus, "guest_single_steps_itself_on_every_cpu");
}

/* ---- I/O ports, with a hardware watchpoint on the host side ---- */

static volatile uint64_t watched;

/* A perf watchpoint on writes to @watched by this thread; -1 if none. */
static int watch(void)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_BREAKPOINT,
		.size = sizeof(a),
		.bp_type = HW_BREAKPOINT_W,
		.bp_addr = (uintptr_t)&watched,
		.bp_len = HW_BREAKPOINT_LEN_8,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};

	return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static long watch_count(int fd)
{
	uint64_t n = 0;

	TEST_ASSERT(read(fd, &n, sizeof(n)) == sizeof(n), "perf read: %s", strerror(errno));
	return (long)n;
}

static uint8_t port_in_value(uint16_t p)
{
	return (p & 0xff) ^ (p >> 8) ^ 0xa5;
}

static void test_ports(void)
{
	struct vm *vm = hostile_vm();
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct kvm_run *run = vcpu->run;
	long next = 0, outs = 0, writes = 0, base;
	bool in_done = false, order = true, done = false;
	double start = now_seconds();
	int wfd = watch();

	TEST_ASSERT(wfd >= 0, "perf_event_open of a watchpoint: %s", strerror(errno));
	watched++;
	base = watch_count(wfd);
	ktap_info("host watchpoint before any KVM_RUN: %ld of 1 write counted", base);
	enter(vcpu, hg_ports);
	for (;;) {
		uint8_t *data;

		vcpu_run(vcpu);
		/* Every exit: the host writes the watched word once. */
		watched++;
		writes++;
		if (run->exit_reason != KVM_EXIT_IO) {
			assert_exit(vcpu, KVM_EXIT_IO);
			break;
		}
		data = (uint8_t *)run + run->io.data_offset;
		if (run->io.port == UCALL_PORT && run->io.size == 4) {
			struct kvm_regs regs;

			vcpu_get_regs(vcpu, &regs);
			done = regs.rax == UCALL_DONE;
			if (!done)
				ktap_info("port guest: assertion %llu at port %#llx", regs.rbx, regs.rcx);
			break;
		}
		if (run->io.size != 1 || run->io.count != 1 || run->io.port != next) {
			order = false;
			break;
		}
		if (run->io.direction == KVM_EXIT_IO_IN && !in_done) {
			*data = port_in_value(next);
			in_done = true;
		} else if (run->io.direction == KVM_EXIT_IO_OUT && in_done) {
			uint8_t want = ~(uint8_t)((next & 0xff) + (next >> 8));

			order &= *data == want;
			outs++;
			in_done = false;
			next++;
		} else {
			order = false;
			break;
		}
	}
	ktap_info("hostile ports: %ld ports IN and OUT, %.1f s", next, now_seconds() - start);
	ktap_result(done && order && next == 0x10000 && outs == 0x10000, "every_io_port_exits_in_order");
	ktap_info("host watchpoint: %ld of %ld writes after KVM_RUN counted",
		  watch_count(wfd) - base, writes);
	ktap_result(base == 1 && watch_count(wfd) - base == writes,
		    "host_watchpoint_survives_vm_exits");
	close(wfd);
	vcpu_free(vcpu);
	vm_free(vm);
}

/* ---- MSRs ---- */

static bool msr_listed(const uint32_t *list, int n, uint32_t index)
{
	int i;

	for (i = 0; i < n; i++)
		if (list[i] == index)
			return true;
	return false;
}

/*
 * MSRs the guest may read though KVM_GET_MSR_INDEX_LIST leaves them out,
 * as KVM's does: the MTRRs and the machine-check MSRs of the 32 banks a
 * vCPU has before KVM_X86_SETUP_MCE (Documentation/api.rst).
 */
static bool msr_unlisted_ok(uint32_t i)
{
	return i <= 1 || i == 0xfe || i == 0x179 || (i >= 0x200 && i < 0x210) ||
	       i == 0x250 || i == 0x258 || i == 0x259 || (i >= 0x268 && i < 0x270) ||
	       i == 0x2ff || (i >= 0x400 && i < 0x480);
}

/* ... and which of them are read-only: a WRMSR of any value is #GP. */
static bool msr_read_only(uint32_t i)
{
	return i <= 1 || i == 0xfe || i == 0x179;
}

static void test_msrs(void)
{
	static const uint32_t ranges[][2] = {
		{ 0x00000000, 0x2000 },		/* architectural, and the VMX/SVM bitmaps' low half */
		{ 0x00002000, 0x100 },
		{ 0x3fffff00, 0x200 },		/* the hypervisor range and below */
		{ 0x7fffff80, 0x100 },
		{ 0xbfffff80, 0x80 },
		{ 0xc0000000, 0x2000 },		/* the bitmaps' high half */
		{ 0xc0010000, 0x2000 },		/* AMD's */
		{ 0xffffff00, 0x100 },
	};
	struct { struct kvm_msr_list hdr; uint32_t idx[256]; } list = { .hdr.nmsrs = 256 };
	struct vm *vm = hostile_vm();
	struct vcpu *vcpu = vcpu_add(vm, 0);
	uint8_t *mem = vm->mem;
	struct msr_results *res = (struct msr_results *)(mem + MSR_RESULTS);
	uint32_t *readable = (uint32_t *)(mem + MSR_READABLE);
	double start = now_seconds();
	struct ucall uc;
	long total = 0;
	uint64_t unlisted = 0, read_only = 0;
	bool listed = true;
	unsigned int i;

	kvm_ioctl(vm->sys_fd, KVM_GET_MSR_INDEX_LIST, &list);
	memcpy(mem + MSR_RANGES, ranges, sizeof(ranges));
	memset(mem + MSR_RANGES + sizeof(ranges), 0, 8);
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		total += ranges[i][1];
	enter(vcpu, hg_msrs);
	run_to_ucall(vcpu, &uc);
	TEST_ASSERT(uc.cmd == UCALL_DONE, "MSR guest ended with ucall %llu",
		    (unsigned long long)uc.cmd);
	for (i = 0; i < res->nr_readable && i < 256; i++) {
		if (msr_listed(list.idx, list.hdr.nmsrs, readable[i]))
			continue;
		if (msr_unlisted_ok(readable[i])) {
			unlisted++;
			read_only += msr_read_only(readable[i]);
		} else {
			ktap_info("MSR %#x reads but is not in KVM_GET_MSR_INDEX_LIST", readable[i]);
			listed = false;
		}
	}
	ktap_info("hostile msrs: %ld indices, %llu read (written back: %llu ok, %llu #GP), %llu #GP (then write of 0: %llu ok, %llu #GP), %.1f s",
		  total, (unsigned long long)res->read_ok, (unsigned long long)res->write_ok,
		  (unsigned long long)res->write_gp, (unsigned long long)res->read_gp,
		  (unsigned long long)res->gp_read_write_ok,
		  (unsigned long long)res->gp_read_write_gp, now_seconds() - start);
	ktap_result(res->read_ok + res->read_gp == (uint64_t)total &&
		    res->read_ok == res->nr_readable &&
		    res->nr_readable <= list.hdr.nmsrs + unlisted && listed,
		    "only_listed_msrs_read");
	ktap_result(res->write_ok + read_only == res->read_ok && res->write_gp == read_only &&
		    res->gp_read_write_gp == res->read_gp, "unlisted_msrs_gp_on_write");
	vcpu_free(vcpu);
	vm_free(vm);
}

int main(void)
{
	char *before, *after;

	ktap_plan(9);
	before = host_state_read();
	test_memory();
	test_single_step();
	test_ports();
	test_msrs();
	after = host_state_read();
	if (strcmp(before, after))
		ktap_info("host state before:\n%s# after:\n%s", before, after);
	ktap_result(!strcmp(before, after), "host_state_unchanged");
	free(before);
	free(after);
	return ktap_finish();
}
