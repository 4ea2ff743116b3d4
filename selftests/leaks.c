// SPDX-License-Identifier: GPL-2.0
/*
 * No leaks, and lifetimes that survive abuse.  The module's object counts
 * (/sys/kernel/debug/minikvm/objects: VMs, vCPUs, pinned pages, EPT/NPT
 * tables) must be 0 whenever no VM exists:
 *  - at the start (after every test that ran before this one);
 *  - after LEAK_VMS (default 10000) VMs, each with two vCPUs and two slots
 *    and one KVM_RUN, created and destroyed;
 *  - after LEAK_RUNS (default 1000, 100 on Bochs) VMs whose long-mode
 *    guest touches every page of 64 MiB (about 16,000 pinned pages each);
 *  - after a process killed with SIGKILL in the middle of KVM_RUN, and one
 *    whose vCPU fd is closed by another thread while it runs;
 *  - while CPU 1 goes offline and online under a running vCPU (skipped
 *    where CPU 1 cannot be taken offline).
 * The kernel's available memory must come back too (within 4 MiB: slab
 * caches keep some).  The figures go to the KTAP output for
 * Documentation/reliability.rst.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_util.h"

#define OBJECTS		"/sys/kernel/debug/minikvm/objects"
#define CPU1_ONLINE	"/sys/devices/system/cpu/cpu1/online"
#define BIG		(64 << 20)

struct counts {
	long vms, vcpus, pinned_pages, tdp_tables;
};

static bool read_counts(struct counts *c)
{
	FILE *f = fopen(OBJECTS, "r");
	int n;

	if (!f)
		return false;
	n = fscanf(f, "vms %ld\nvcpus %ld\npinned_pages %ld\ntdp_tables %ld",
		   &c->vms, &c->vcpus, &c->pinned_pages, &c->tdp_tables);
	fclose(f);
	return n == 4;
}

static bool all_zero(const char *when)
{
	struct counts c;

	TEST_ASSERT(read_counts(&c), "cannot read %s", OBJECTS);
	if (c.vms || c.vcpus || c.pinned_pages || c.tdp_tables)
		ktap_info("%s: vms %ld vcpus %ld pinned_pages %ld tdp_tables %ld", when,
			  c.vms, c.vcpus, c.pinned_pages, c.tdp_tables);
	return !c.vms && !c.vcpus && !c.pinned_pages && !c.tdp_tables;
}

static long mem_available_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

GUEST_CODE16(hlt_guest, "hlt\n\t");

/* Long mode: write to every 4 KiB page from 1 MiB up to BIG, then HLT. */
GUEST_CODE16(touch_guest,
	".code64\n\t"
	"mov $0x100000, %edi\n"
	"1:\n\t"
	"mov %rdi, (%rdi)\n\t"
	"add $4096, %rdi\n\t"
	"cmp $" STR(BIG) ", %rdi\n\t"
	"jb 1b\n\t"
	"hlt\n\t"
	".code16\n\t");

GUEST_CODE16(spin_guest, "1:\n\tjmp 1b\n\t");

static void many_vms(long n)
{
	struct kvm_userspace_memory_region r2;
	double t = now_seconds();
	long i, before = mem_available_kb();
	bool ok = true;

	for (i = 0; i < n && ok; i++) {
		struct vm *vm = vm_create(128 << 10);
		struct vcpu *a = vcpu_add(vm, 0), *b = vcpu_add(vm, 1);

		r2 = (struct kvm_userspace_memory_region){ .slot = 1,
			.guest_phys_addr = 1 << 20, .memory_size = 32 << 10,
			.userspace_addr = (uintptr_t)vm->mem };
		kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r2);
		vm_load(vm, GUEST_LOAD, hlt_guest_start, hlt_guest_end);
		vcpu_real_mode(a, GUEST_SEG, 0);
		vcpu_run(a);
		ok = a->run->exit_reason == KVM_EXIT_HLT;
		vcpu_free(b);
		vcpu_free(a);
		vm_free(vm);
	}
	ktap_info("leak vms=%ld seconds=%.1f mem_available_delta_kb=%ld", i, now_seconds() - t,
		  before - mem_available_kb());
	ktap_result(ok && all_zero("after many VMs") &&
		    before - mem_available_kb() < 4096, "vms_created_and_destroyed");
}

static void big_runs(long n)
{
	double t = now_seconds();
	long i, before = mem_available_kb(), pinned = 0;
	bool ok = true;

	for (i = 0; i < n && ok; i++) {
		struct vm *vm = vm_create(BIG);
		struct vcpu *vcpu = vcpu_add(vm, 0);
		struct counts c;

		vm_load(vm, 0x10000, touch_guest_start, touch_guest_end);
		vcpu_set_mode(vcpu, MODE_LONG, 0x10000, 0xf000);
		vcpu_run(vcpu);
		ok = vcpu->run->exit_reason == KVM_EXIT_HLT && read_counts(&c);
		pinned = c.pinned_pages;
		ok &= pinned >= (BIG - (1 << 20)) / 4096;
		vcpu_free(vcpu);
		vm_free(vm);
	}
	ktap_info("leak big_runs=%ld mib=%d pinned_per_run=%ld seconds=%.1f mem_available_delta_kb=%ld",
		  i, BIG >> 20, pinned, now_seconds() - t, before - mem_available_kb());
	ktap_result(ok && all_zero("after big runs") &&
		    before - mem_available_kb() < 4096, "big_guests_release_every_page");
}

static void killed_in_run(void)
{
	int status;
	pid_t pid = fork();

	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		struct vm *vm = vm_create(1 << 20);
		struct vcpu *vcpu = vcpu_add(vm, 0);

		vm_load(vm, GUEST_LOAD, spin_guest_start, spin_guest_end);
		vcpu_real_mode(vcpu, GUEST_SEG, 0);
		for (;;)
			__vcpu_run(vcpu);
	}
	usleep(20 * 1000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ktap_result(WIFSIGNALED(status) && all_zero("after SIGKILL in KVM_RUN"),
		    "killed_in_kvm_run_leaves_nothing");
}

static pthread_t runner;

static void *closer(void *arg)
{
	struct vcpu *vcpu = arg;

	usleep(10 * 1000);
	close(vcpu->fd);	/* the running ioctl keeps the file alive */
	usleep(10 * 1000);
	pthread_kill(runner, SIGALRM);
	return NULL;
}

static void alarm_handler(int sig)
{
	(void)sig;
}

static void closed_while_running(void)
{
	struct sigaction sa = { .sa_handler = alarm_handler };
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	pthread_t t;
	int r;

	sigaction(SIGALRM, &sa, NULL);
	vm_load(vm, GUEST_LOAD, spin_guest_start, spin_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	runner = pthread_self();
	pthread_create(&t, NULL, closer, vcpu);
	r = __vcpu_run(vcpu);	/* ends with EINTR from the closer */
	pthread_join(t, NULL);
	munmap(vcpu->run, vcpu->run_size);
	free(vcpu);
	vm_free(vm);
	ktap_result(r == -EINTR && all_zero("after close during KVM_RUN"),
		    "vcpu_fd_closed_during_run");
}

static volatile int spinning = 1;

static void *spin_thread(void *arg)
{
	struct vcpu *vcpu = arg;

	while (spinning)
		__vcpu_run(vcpu);	/* pthread_kill() brings it out */
	return NULL;
}

static bool set_cpu1(int on)
{
	int fd = open(CPU1_ONLINE, O_WRONLY);
	bool ok = fd >= 0 && write(fd, on ? "1" : "0", 1) == 1;

	if (fd >= 0)
		close(fd);
	return ok;
}

static void hotplug_while_running(void)
{
	struct sigaction sa = { .sa_handler = alarm_handler };
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	pthread_t t;
	bool ok = true;
	int i;

	/* A machine whose CPU 1 cannot go offline (or a user who may not). */
	if (access(CPU1_ONLINE, W_OK)) {
		ktap_skip("cpu_hotplug_while_vcpu_runs: %s: %s", CPU1_ONLINE, strerror(errno));
		vcpu_free(vcpu);
		vm_free(vm);
		return;
	}
	sigaction(SIGALRM, &sa, NULL);
	vm_load(vm, GUEST_LOAD, spin_guest_start, spin_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	pthread_create(&t, NULL, spin_thread, vcpu);
	for (i = 0; i < 5 && ok; i++) {
		usleep(5 * 1000);
		pthread_kill(t, SIGALRM);	/* a fresh KVM_RUN, maybe elsewhere */
		ok = set_cpu1(0);
		usleep(5 * 1000);
		pthread_kill(t, SIGALRM);
		ok &= set_cpu1(1);
	}
	spinning = 0;
	pthread_kill(t, SIGALRM);
	pthread_join(t, NULL);
	vcpu_free(vcpu);
	vm_free(vm);
	ktap_info("leak hotplug_cycles=%d", i);
	ktap_result(ok && all_zero("after hotplug"), "cpu_hotplug_while_vcpu_runs");
}

int main(void)
{
	bool debug;

	require_minikvm_debugfs();
	ktap_plan(6);
	ktap_result(all_zero("at the start"), "nothing_left_by_earlier_tests");
	/* A debug kernel (kmemleak, KASAN) is 10 to 30 times slower. */
	debug = !access("/sys/kernel/debug/kmemleak", F_OK);
	if (debug)
		ktap_info("debug kernel: fewer VMs and big runs");
	/*
	 * make check runs short loops; make soak (scripts/soak.sh) sets the
	 * full counts, 10,000 VMs and 1,000 big runs.  Bochs takes about 2.5 s
	 * a big run (QEMU 0.15 s), so it runs a tenth of QEMU's here.
	 */
	many_vms(env_long("LEAK_VMS", debug ? 500 : 2000));
	big_runs(env_long("LEAK_RUNS", debug ? 20 : !strcmp(lane_name(), "bochs") ? 20 : 200));
	killed_in_run();
	closed_while_running();
	hotplug_while_running();
	return ktap_finish();
}
