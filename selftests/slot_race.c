// SPDX-License-Identifier: GPL-2.0
/*
 * Slot deletion racing the guest's reads of that slot.  A 32-bit guest
 * runs REP OUTSB from slot 1 for ever: minikvm copies each OUTS buffer
 * from the slot's pinned pages with interrupts off, without the VM's lock
 * (mkvm_read_guest_atomic()).  Meanwhile another thread deletes slot 1,
 * fills the memory that backed it with a poison byte, and adds the slot
 * again with the other of two backings, each with a pattern of its own,
 * SLOT_RACE_ROUNDS times (10,000; 3,000 on QEMU).  Every OUTS the host sees must carry
 * one backing's pattern whole: a poison byte means minikvm read a page
 * after the slot's deletion had returned (the page may already be free;
 * the debug kernel's KASAN reports that too), a mix of patterns a read
 * that spanned a deletion.  While the slot is gone the OUTS is an
 * emulation failure, after which the guest simply runs again.
 *
 * Then the same race against the guest's own loads through EPT/NPT
 * (SLOT_RACE_ROUNDS / 5 rounds): the guest reads the slot's first word
 * and OUTs it.  A poison value there means a translation to the deleted
 * backing outlived the deletion (a fault that pinned and mapped pages of
 * a slot that was deleted and added again meanwhile would leave one).
 * While the slot is gone the load is MMIO, completed with 0.  The object
 * counts must be back to 0 afterwards.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include "kvm_util.h"

#define DATA_GPA	0x100000
#define DATA_SIZE	(64 << 10)
#define OUT_BYTES	64
#define RACE_PORT	0x5000
#define POISON		0xee

static const uint8_t pattern[2] = { 0xa1, 0xb2 };

/* The first word of slot 1, loaded and OUT, for ever. */
GUEST_CODE16(load_guest,
	".code32\n"
	"1:\n\t"
	"mov " STR(DATA_GPA) ", %eax\n\t"
	"mov $" STR(RACE_PORT) ", %dx\n\t"
	"out %eax, %dx\n\t"
	"jmp 1b\n\t"
	".code16\n\t");

/* REP OUTSB of OUT_BYTES from the start of slot 1, for ever. */
GUEST_CODE16(race_guest,
	".code32\n"
	"1:\n\t"
	"mov $" STR(DATA_GPA) ", %esi\n\t"
	"mov $" STR(OUT_BYTES) ", %ecx\n\t"
	"mov $" STR(RACE_PORT) ", %dx\n\t"
	"rep outsb\n\t"
	"jmp 1b\n\t"
	".code16\n\t");

struct race {
	struct vm *vm;
	struct vcpu *vcpu;
	uint8_t *backing[2];
	long rounds;
	volatile bool done;
	volatile long outs;
	long absent, poisoned, mixed, other;
};

static long set_slot1(struct race *r, int which, bool present)
{
	struct kvm_userspace_memory_region m = {
		.slot = 1, .guest_phys_addr = DATA_GPA,
		.memory_size = present ? DATA_SIZE : 0,
		.userspace_addr = (uintptr_t)r->backing[which],
	};

	return __kvm_ioctl(r->vm->fd, KVM_SET_USER_MEMORY_REGION, &m);
}

static void *deleter(void *arg)
{
	struct race *r = arg;
	int cur = 0;
	long i;

	for (i = 0; i < r->rounds; i++) {
		long seen = r->outs;
		double t = now_seconds();

		/* Delete while the guest is reading: after an OUTS of this backing. */
		while (r->outs == seen && now_seconds() - t < 1)
			sched_yield();
		TEST_ASSERT(!set_slot1(r, cur, false), "deleting slot 1");
		/* The old backing: anything read from it from now on is poison. */
		memset(r->backing[cur], POISON, DATA_SIZE);
		cur ^= 1;
		memset(r->backing[cur], pattern[cur], DATA_SIZE);
		TEST_ASSERT(!set_slot1(r, cur, true), "adding slot 1");
	}
	r->done = true;
	return NULL;
}

/* One OUTS exit's bytes: a whole pattern, or what went wrong. */
static void check_outs(struct race *r)
{
	struct kvm_run *run = r->vcpu->run;
	const uint8_t *d = (const uint8_t *)run + run->io.data_offset;
	uint32_t n = run->io.size * run->io.count, i;
	bool poison = false, mixed = false;

	/* The load guest's read while the slot was gone (MMIO, 0). */
	if (n == 4 && !d[0] && !d[1] && !d[2] && !d[3]) {
		r->absent++;
		return;
	}
	for (i = 0; i < n; i++) {
		poison |= d[i] == POISON;
		mixed |= d[i] != d[0];
	}
	r->outs++;
	if (poison)
		r->poisoned++;
	else if (mixed || (d[0] != pattern[0] && d[0] != pattern[1]))
		r->mixed++;
}

static void *runner(void *arg)
{
	struct race *r = arg;
	struct kvm_run *run = r->vcpu->run;

	while (!r->done) {
		if (__vcpu_run(r->vcpu))
			continue;	/* EINTR */
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == RACE_PORT)
			check_outs(r);
		else if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
			r->absent++;	/* no slot 1 at that moment: run again */
		else if (run->exit_reason == KVM_EXIT_MMIO && !run->mmio.is_write)
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
		else
			r->other++;
	}
	return NULL;
}

static long live_objects(void)
{
	FILE *f = fopen("/sys/kernel/debug/minikvm/objects", "r");
	char name[64];
	long n, sum = 0;

	TEST_ASSERT(f, "objects: %s", strerror(errno));
	while (fscanf(f, "%63s %ld", name, &n) == 2)
		sum += n;
	fclose(f);
	return sum;
}

/*
 * One race: a guest from @start..@end in 32-bit protected mode reading
 * slot 1, a runner and a deleter thread for @rounds rounds.
 */
static void race(struct race *r, const char *start, const char *end, long rounds)
{
	pthread_t t[2];
	int i;

	memset(r, 0, sizeof(*r));
	r->rounds = rounds;
	r->vm = vm_create(1 << 20);
	vm_load(r->vm, GUEST_LOAD, start, end);
	r->vcpu = vcpu_add(r->vm, 0);
	vcpu_set_mode(r->vcpu, MODE_PROT32, GUEST_LOAD, 0xf000);
	for (i = 0; i < 2; i++) {
		r->backing[i] = mmap(NULL, DATA_SIZE, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		TEST_ASSERT(r->backing[i] != MAP_FAILED, "mmap: %s", strerror(errno));
	}
	memset(r->backing[0], pattern[0], DATA_SIZE);
	TEST_ASSERT(!set_slot1(r, 0, true), "adding slot 1");
	pthread_create(&t[0], NULL, runner, r);
	pthread_create(&t[1], NULL, deleter, r);
	pthread_join(t[1], NULL);
	pthread_join(t[0], NULL);
	vcpu_free(r->vcpu);
	vm_free(r->vm);
	for (i = 0; i < 2; i++)
		munmap(r->backing[i], DATA_SIZE);
}

int main(void)
{
	/*
	 * QEMU runs the machine's two CPUs on one host thread: each
	 * deletion waits for the other CPU's turn (a kick), and 10,000
	 * took over two minutes there.  3,000 by default on QEMU.
	 */
	long rounds = env_long("SLOT_RACE_ROUNDS",
			       dmi_has("sys_vendor", "QEMU") ? 3000 : 10000);
	double start = now_seconds();
	struct race r;

	require_minikvm_debugfs();
	ktap_plan(5);
	race(&r, race_guest_start, race_guest_end, rounds);
	ktap_info("slot race: %ld deletions, %ld OUTS seen (%ld poisoned, %ld mixed), "
		  "%ld with the slot absent, %ld other exits, %.1f s", r.rounds, r.outs,
		  r.poisoned, r.mixed, r.absent, r.other, now_seconds() - start);
	ktap_result(r.outs > 0 && !r.other, "guest_ran_outs_throughout");
	ktap_result(!r.poisoned && !r.mixed, "no_read_after_deletion");

	start = now_seconds();
	race(&r, load_guest_start, load_guest_end, rounds / 5);
	ktap_info("load race: %ld deletions, %ld loads seen (%ld poisoned, %ld mixed), "
		  "%ld with the slot absent, %ld other exits, %.1f s", r.rounds, r.outs,
		  r.poisoned, r.mixed, r.absent, r.other, now_seconds() - start);
	ktap_result(r.outs > 0 && !r.other, "guest_loaded_throughout");
	ktap_result(!r.poisoned && !r.mixed, "no_translation_after_deletion");
	ktap_result(live_objects() == 0, "nothing_left");
	return ktap_finish();
}
