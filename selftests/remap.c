// SPDX-License-Identifier: GPL-2.0
/*
 * The process changes the memory behind a slot while a guest uses it, and
 * the guest, minikvm's own copies and the process must then agree on what
 * is there (kmod/core/mmu_notifier.c).  Before the MMU notifier, minikvm
 * kept the pages it had pinned mapped in EPT/NPT whatever the process did
 * with its mapping: after madvise(MADV_DONTNEED) or a new mmap over the
 * slot, the guest still saw the old pages, and the process the new ones.
 *
 * A real-mode guest uses slot 1 (16 KiB of its own anonymous mapping at
 * guest-physical 0x80000):
 *  - dontneed: the guest writes a value, the process sees it; the process
 *    drops the pages (MADV_DONTNEED): the guest must read 0, as the process
 *    does, and what it writes next must reach the process;
 *  - new_mapping: a new anonymous mapping replaces the old (mmap
 *    MAP_FIXED) with a value in it: the guest must read that value, an
 *    OUTS from there (minikvm reads guest memory itself) must carry it,
 *    and an INS into it (minikvm writes) must reach the process;
 *  - remapped_while_running: a second thread maps a new page with a new
 *    value 200 times (50 in the Bochs lane) while the guest reads the
 *    word in a loop and reports each read: the values it reports never go back (0 aside: a new page
 *    read before the thread stored its value), and after the last mapping
 *    it reads the last value;
 *  - unmapped_efault: with the slot's memory unmapped, the guest's next
 *    access fails KVM_RUN with EFAULT, as in KVM;
 *  - owner_exit: a child creates a VM whose guest touches slot 1, passes
 *    its fds to this process and exits: the VM is unusable (EIO) and, on
 *    minikvm, holds no pinned page any more (the notifier's release) and
 *    is gone once the fds close.
 * Every case runs on /dev/minikvm and then on /dev/kvm, the reference.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_util.h"

#define SLOT1_GPA	0x80000
#define SLOT1_SIZE	0x4000
#define MEM0_SIZE	0x80000
#define PORT_OUTS	0x2000
#define PORT_INS	0x2001
#define PORT_LOOP	0x2002
/* New mappings in remapped_while_running; Bochs's slow clock: fewer. */
static uint32_t remaps = 200;

GUEST_CODE16(remap_guest,
	"mov $0x8000, %ax\n\t"
	"mov %ax, %es\n\t"
	/* dontneed: write, read back after the drop, write again. */
	"movl $0x11111111, %es:0\n\t"
	G_SYNC(1)
	"mov %es:0, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"movl $0x22222222, %es:0\n\t"
	G_SYNC(3)
	/* new_mapping: read, OUTS 4 bytes from there, INS 4 bytes to +0x10. */
	"mov %es:0, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	"push %ds\n\t"
	"mov %es, %ax\n\t"
	"mov %ax, %ds\n\t"
	"xor %si, %si\n\t"
	"mov $4, %cx\n\t"
	"mov $" STR(PORT_OUTS) ", %dx\n\t"
	"cld\n\t"
	"rep outsb\n\t"
	"pop %ds\n\t"
	"mov $0x10, %di\n\t"
	"mov $4, %cx\n\t"
	"mov $" STR(PORT_INS) ", %dx\n\t"
	"rep insb\n\t"
	"mov %es:0x10, %ebx\n\t"
	G_UCALL(UCALL_SYNC)
	/* remapped_while_running: report the word, forever. */
	"mov $" STR(PORT_LOOP) ", %dx\n"
	"1:\n\t"
	"mov %es:0, %eax\n\t"
	"out %eax, %dx\n\t"
	"jmp 1b\n\t");

struct remap_vm {
	struct vm *vm;
	struct vcpu *vcpu;
	uint32_t *mem;			/* slot 1, in this process */
};

static void remap_setup(struct remap_vm *r)
{
	struct kvm_userspace_memory_region reg = {
		.slot = 1, .guest_phys_addr = SLOT1_GPA, .memory_size = SLOT1_SIZE,
	};

	r->vm = vm_create(MEM0_SIZE);
	r->mem = mmap(NULL, SLOT1_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(r->mem != MAP_FAILED, "mmap: %s", strerror(errno));
	reg.userspace_addr = (uintptr_t)r->mem;
	kvm_ioctl(r->vm->fd, KVM_SET_USER_MEMORY_REGION, &reg);
	vm_load(r->vm, GUEST_LOAD, remap_guest_start, remap_guest_end);
	r->vcpu = vcpu_add(r->vm, 0);
	vcpu_real_mode(r->vcpu, GUEST_SEG, 0);
}

static uint64_t sync_value(struct vcpu *vcpu)
{
	struct ucall uc;

	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "ucall %llu, not SYNC",
		    (unsigned long long)uc.cmd);
	return uc.args[0];
}

/* A new anonymous page at @mem holding @value in its first word. */
static void map_new(uint32_t *mem, uint32_t value)
{
	void *p = mmap(mem, SLOT1_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	TEST_ASSERT(p == mem, "mmap MAP_FIXED: %s", strerror(errno));
	__atomic_store_n(&mem[0], value, __ATOMIC_SEQ_CST);
}

static void test_dontneed(struct remap_vm *r)
{
	uint64_t first_seen, after_drop, after_write;

	sync_value(r->vcpu);
	first_seen = r->mem[0];
	TEST_ASSERT(!madvise(r->mem, SLOT1_SIZE, MADV_DONTNEED), "madvise: %s",
		    strerror(errno));
	after_drop = sync_value(r->vcpu);
	sync_value(r->vcpu);
	after_write = r->mem[0];
	ktap_info("process saw %#llx; after MADV_DONTNEED the guest read %#llx (process %#x); "
		  "the guest's next write reached the process as %#llx",
		  (unsigned long long)first_seen, (unsigned long long)after_drop, 0,
		  (unsigned long long)after_write);
	ktap_result(first_seen == 0x11111111 && after_drop == 0 && after_write == 0x22222222,
		    "%sdontneed_guest_and_process_agree", dev_tag);
}

/*
 * The string I/O of the guest, however many exits it takes (KVM may split
 * a REP string into several): @n bytes out from it, or in to it.
 */
static void string_io(struct vcpu *vcpu, uint16_t port, bool in, uint8_t *buf, uint32_t n)
{
	struct kvm_run *run = vcpu->run;
	uint32_t done = 0;

	while (done < n) {
		vcpu_run(vcpu);
		assert_exit(vcpu, KVM_EXIT_IO);
		TEST_ASSERT(run->io.port == port && run->io.size == 1 &&
			    run->io.direction == (in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT) &&
			    run->io.count && done + run->io.count <= n,
			    "string I/O: port %#x size %u count %u direction %u", run->io.port,
			    run->io.size, run->io.count, run->io.direction);
		if (in)
			memcpy((char *)run + run->io.data_offset, buf + done, run->io.count);
		else
			memcpy(buf + done, (char *)run + run->io.data_offset, run->io.count);
		done += run->io.count;
	}
}

static void test_new_mapping(struct remap_vm *r)
{
	uint8_t ins[4] = { 0x44, 0x44, 0x44, 0x44 };
	uint32_t outs = 0, got_ins;
	uint64_t read, read_ins;

	map_new(r->mem, 0x33333333);
	read = sync_value(r->vcpu);
	string_io(r->vcpu, PORT_OUTS, false, (uint8_t *)&outs, 4);
	string_io(r->vcpu, PORT_INS, true, ins, 4);
	read_ins = sync_value(r->vcpu);
	got_ins = r->mem[4];
	ktap_info("new mapping holding 0x33333333: guest read %#llx, OUTS carried %#x; INS of "
		  "0x44 bytes: guest read %#llx, process %#x", (unsigned long long)read, outs,
		  (unsigned long long)read_ins, got_ins);
	ktap_result(read == 0x33333333 && outs == 0x33333333,
		    "%snew_mapping_seen_by_guest_and_outs", dev_tag);
	ktap_result(read_ins == 0x44444444 && got_ins == 0x44444444,
		    "%snew_mapping_written_by_ins", dev_tag);
}

struct remapper {
	uint32_t *mem;
	volatile bool done;
};

static void *remap_thread(void *arg)
{
	struct remapper *rm = arg;
	uint32_t k;

	for (k = 1; k <= remaps; k++) {
		map_new(rm->mem, 0x55000000 + k);
		usleep(1000);
	}
	rm->done = true;
	return NULL;
}

static uint32_t loop_read(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint32_t v;

	vcpu_run(vcpu);
	assert_exit(vcpu, KVM_EXIT_IO);
	TEST_ASSERT(run->io.port == PORT_LOOP && run->io.size == 4, "loop OUT to %#x",
		    run->io.port);
	memcpy(&v, (char *)run + run->io.data_offset, 4);
	return v;
}

static void test_while_running(struct remap_vm *r)
{
	struct remapper rm = { .mem = r->mem };
	uint32_t v, prev = 0, last = 0x55000000 + remaps;
	unsigned long reads = 0, backwards = 0, distinct = 0;
	pthread_t t;
	int i;

	map_new(r->mem, 0x55000000);
	TEST_ASSERT(!pthread_create(&t, NULL, remap_thread, &rm), "pthread_create");
	while (!rm.done) {
		v = loop_read(r->vcpu);
		reads++;
		/* 0: a new mapping read before the thread stored its value. */
		if (!v)
			continue;
		if (v < prev)
			backwards++;
		if (v != prev)
			distinct++;
		prev = v;
	}
	pthread_join(t, NULL);
	/* The last mapping is in place: the next reads must show it. */
	for (i = 0; i < 3; i++)
		v = loop_read(r->vcpu);
	ktap_info("%lu reads over %u new mappings: %lu distinct values, %lu went back; "
		  "after the last mapping the guest read %#x (process %#x)", reads, remaps,
		  distinct, backwards, v, last);
	ktap_result(!backwards && v == last && r->mem[0] == last,
		    "%sremapped_while_running", dev_tag);
}

static void test_unmapped(struct remap_vm *r)
{
	int rc;

	TEST_ASSERT(!munmap(r->mem, SLOT1_SIZE), "munmap: %s", strerror(errno));
	rc = __vcpu_run(r->vcpu);
	ktap_info("KVM_RUN with the slot's memory unmapped: %s",
		  rc ? strerror(-rc) : "succeeded");
	ktap_result(rc == -EFAULT, "%sunmapped_efault", dev_tag);
}

/* Pass @fds over the socket @sock (SCM_RIGHTS), or receive them. */
static void pass_fds(int sock, int *fds, int n, bool send)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))] = { 0 }, byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	if (send) {
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n * sizeof(int));
		TEST_ASSERT(sendmsg(sock, &msg, 0) == 1, "sendmsg: %s", strerror(errno));
		return;
	}
	TEST_ASSERT(recvmsg(sock, &msg, 0) == 1, "recvmsg: %s", strerror(errno));
	c = CMSG_FIRSTHDR(&msg);
	TEST_ASSERT(c && c->cmsg_type == SCM_RIGHTS, "no fds received");
	memcpy(fds, CMSG_DATA(c), n * sizeof(int));
}

/*
 * The process that owns a VM exits while another holds its fds: its
 * address space goes first, and with it (MMU notifier release) every
 * page the guest had pinned; the VM lives on, unusable (EIO), until the
 * fds close.
 */
static void test_process_exit(void)
{
	int sv[2], fds[2], status, rc;
	long pinned = -1, vms = -1;
	struct kvm_run *run;
	pid_t pid;

	TEST_ASSERT(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		struct remap_vm r;

		remap_setup(&r);
		sync_value(r.vcpu);	/* the guest wrote slot 1: pages pinned */
		fds[0] = r.vm->fd;
		fds[1] = r.vcpu->fd;
		pass_fds(sv[1], fds, 2, true);
		_exit(0);
	}
	pass_fds(sv[0], fds, 2, false);
	TEST_ASSERT(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    !WEXITSTATUS(status), "child failed");
	if (!on_kvm)
		pinned = debugfs_count("objects", "pinned_pages");
	run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fds[1], 0);
	rc = ioctl(fds[1], KVM_RUN, 0) ? -errno : 0;
	if (run != MAP_FAILED)
		munmap(run, 4096);
	close(fds[1]);
	close(fds[0]);
	if (!on_kvm)
		vms = debugfs_count("objects", "vms");
	ktap_info("owner exited: KVM_RUN from another process %s; pinned pages then %ld, "
		  "VMs after the fds closed %ld", rc ? strerror(-rc) : "succeeded", pinned, vms);
	ktap_result(rc == -EIO, "%sowner_exit_vm_unusable", dev_tag);
	if (!on_kvm)
		ktap_result(pinned == 0 && vms == 0, "owner_exit_pages_released");
	close(sv[0]);
	close(sv[1]);
}

static void run_cases(void)
{
	struct remap_vm r;

	remap_setup(&r);
	test_dontneed(&r);
	test_new_mapping(&r);
	test_while_running(&r);
	test_unmapped(&r);
	vcpu_free(r.vcpu);
	vm_free(r.vm);
	test_process_exit();
}

int main(void)
{
	/* minikvm's pinned pages and VMs are counted in its debugfs. */
	require_minikvm_debugfs();
	if (!strcmp(lane_name(), "bochs"))
		remaps = 50;
	return run_on_minikvm_and_kvm(run_cases, 7, 6);
}
