// SPDX-License-Identifier: GPL-2.0
/*
 * Guest programs in C, through the C guest library alone (guest.h): the
 * test binary runs in the guest at 64-bit CPL 0 and talks to the host
 * through ucalls.
 *  - sync_stages: the guest syncs stages 1 to 3, each with a value it
 *    computed from what the host put in the shared data region just
 *    before; a global the host synced in is seen, one the guest counted
 *    in is synced out; then GUEST_DONE;
 *  - guest_printf: GUEST_PRINTF's text is what the host's snprintf makes
 *    of the same format and arguments; a text longer than the ucall's
 *    buffer arrives cut, with its whole length;
 *  - ud_handler_skips_insn: a UD2 taken by a #UD handler the host
 *    installed: the handler sees vector 6, the UD2's RIP and RAX, sets
 *    RBX and moves RIP past the UD2; XMM7, which the handler clobbers,
 *    is the guest's again after it;
 *  - unhandled_gp_reported: a load from a non-canonical address, with no
 *    handler for #GP: the host gets UCALL_UNHANDLED with vector 13, error
 *    code 0 and the load's RIP, then the guest halts;
 *  - guest_assert_reports_file_line: a failing GUEST_ASSERT_EQ, run in a
 *    child process: the child exits with KSFT_FAIL and its message names
 *    this file, the assertion's line, its text and both values.
 * Every case runs on /dev/minikvm, then on /dev/kvm.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_util.h"

#define NR_CASES	5

/* ---- sync_stages ---- */

/* 1 in the file and so in the guest's copy, until the host syncs its 7 in. */
static uint64_t host_value = 1;
/* Counted by the guest, read back by the host. */
static uint64_t guest_stages;

struct shared {
	uint64_t in;	/* written by the host before each stage */
	uint64_t out;	/* the guest's answer */
};

static void __guest sync_guest(void)
{
	volatile struct shared *d = (volatile struct shared *)GUEST_DATA_GVA;
	uint64_t stage;

	GUEST_ASSERT_EQ(host_value, 7);
	for (stage = 1; stage <= 3; stage++) {
		d->out = d->in * 10 + stage;
		guest_stages++;
		GUEST_SYNC_ARGS(stage, d->out, host_value);
	}
	GUEST_DONE();
}

static void sync_stages(void)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_one_vcpu(&vcpu, sync_guest);
	struct shared *d = vm->data;
	struct ucall uc;
	uint64_t stage;
	bool ok = true;

	host_value = 7;
	sync_global_to_guest(vm, host_value);
	for (stage = 1; stage <= 3; stage++) {
		d->in = stage * 100;
		ok &= vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == stage &&
		      uc.args[1] == stage * 1000 + stage && d->out == uc.args[1] && uc.args[2] == 7;
		if (!ok)
			ktap_info("stage %llu: ucall %llu args %llu %llu %llu, out %llu",
				  (unsigned long long)stage, (unsigned long long)uc.cmd,
				  (unsigned long long)uc.args[0], (unsigned long long)uc.args[1],
				  (unsigned long long)uc.args[2], (unsigned long long)d->out);
	}
	ok &= vcpu_run_ucall(vcpu, &uc) == UCALL_DONE;
	sync_global_from_guest(vm, guest_stages);
	ok &= guest_stages == 3;
	guest_stages = 0;
	ktap_result(ok, "%ssync_stages", dev_tag);
	vcpu_free(vcpu);
	vm_free(vm);
}

/* ---- guest_printf ---- */

#define PRINTF_FMT	"stage %d of %u: %s, %#x, %-6s|%05ld|%c|%%"
#define PRINTF_ARGS	2, 3u, "printf", 0xbeefu, "left", -42l, 'z'
#define LONG_WIDTH	300

static void __guest printf_guest(void)
{
	GUEST_PRINTF(PRINTF_FMT, PRINTF_ARGS);
	GUEST_PRINTF("%*d", LONG_WIDTH, 42);
	GUEST_DONE();
}

static void guest_printf_case(void)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_one_vcpu(&vcpu, printf_guest);
	char want[UCALL_BUF_LEN];
	struct ucall uc;
	bool ok;

	snprintf(want, sizeof(want), PRINTF_FMT, PRINTF_ARGS);
	ok = vcpu_run_ucall(vcpu, &uc) == UCALL_PRINTF && !strcmp(uc.buf, want) &&
	     uc.args[0] == strlen(want);
	if (!ok)
		ktap_info("guest printed \"%s\" (%llu), host \"%s\"", uc.buf,
			  (unsigned long long)uc.args[0], want);
	/* Not through vcpu_run_ucall(): 300 columns are not worth printing. */
	vcpu_run(vcpu);
	ok &= get_ucall(vcpu, &uc) == UCALL_PRINTF && uc.args[0] == LONG_WIDTH &&
	      strlen(uc.buf) == UCALL_BUF_LEN - 1 && !strcmp(uc.buf + UCALL_BUF_LEN - 3, "  ");
	ok &= vcpu_run_ucall(vcpu, &uc) == UCALL_DONE;
	ktap_result(ok, "%sguest_printf", dev_tag);
	vcpu_free(vcpu);
	vm_free(vm);
}

/* ---- ud_handler_skips_insn ---- */

static uint64_t ud_count, ud_vector, ud_rip, ud_rax;
extern const char ud_insn[];

static void __guest ud_handler(struct ex_regs *regs)
{
	ud_count++;
	ud_vector = regs->vector;
	ud_rip = regs->rip;
	ud_rax = regs->rax;
	regs->rbx = regs->rax + 1;
	regs->rip += 2;		/* past the UD2 */
	/* The stubs keep the SSE state: the guest must not see this. */
	asm volatile("pxor %%xmm7, %%xmm7" : : : "xmm7");
}

static void __guest ud_guest(void)
{
	uint64_t rbx, xmm;

	asm volatile("mov $0x5a5a, %%eax\n\t"
		     "movq %%rax, %%xmm7\n\t"
		     "mov $0x1234, %%eax\n\t"
		     ".globl ud_insn\n"
		     "ud_insn: ud2\n\t"
		     "movq %%xmm7, %[xmm]"
		     : "=b"(rbx), [xmm] "=r"(xmm) : : "rax", "xmm7");
	GUEST_ASSERT_EQ(ud_count, 1);
	GUEST_ASSERT_EQ(ud_vector, 6);
	GUEST_ASSERT_EQ(ud_rax, 0x1234);
	GUEST_ASSERT_EQ(rbx, 0x1235);
	GUEST_ASSERT_EQ(xmm, 0x5a5a);
	GUEST_SYNC_ARGS(1, ud_count, ud_rip);
	GUEST_DONE();
}

static void ud_handler_skips_insn(void)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_one_vcpu(&vcpu, ud_guest);
	struct ucall uc;
	bool ok;

	vm_install_exception_handler(vm, 6, ud_handler);
	ok = vcpu_run_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 1 && uc.args[1] == 1 &&
	     uc.args[2] == (uintptr_t)ud_insn;
	if (!ok)
		ktap_info("ucall %llu args %llu %llu %#llx, UD2 at %p", (unsigned long long)uc.cmd,
			  (unsigned long long)uc.args[0], (unsigned long long)uc.args[1],
			  (unsigned long long)uc.args[2], (const void *)ud_insn);
	ok &= vcpu_run_ucall(vcpu, &uc) == UCALL_DONE;
	ktap_result(ok, "%sud_handler_skips_insn", dev_tag);
	vcpu_free(vcpu);
	vm_free(vm);
}

/* ---- unhandled_gp_reported ---- */

extern const char gp_insn[];

static void __guest gp_guest(void)
{
	asm volatile(".globl gp_insn\n"
		     "gp_insn: mov (%0), %%rax"
		     : : "r"(0x8000000000000000ull) : "rax", "memory");
	GUEST_DONE();
}

static void unhandled_gp_reported(void)
{
	struct vcpu *vcpu;
	struct vm *vm = vm_create_with_one_vcpu(&vcpu, gp_guest);
	struct ucall uc;
	uint64_t cmd;
	bool ok;

	vcpu_run(vcpu);
	cmd = get_ucall(vcpu, &uc);
	ktap_info("ucall %llu: vector %llu, rip %#llx (the load at %p), error code %#llx",
		  (unsigned long long)cmd, (unsigned long long)uc.args[UCALL_UNHANDLED_VECTOR],
		  (unsigned long long)uc.args[UCALL_UNHANDLED_RIP], (const void *)gp_insn,
		  (unsigned long long)uc.args[UCALL_UNHANDLED_ERROR]);
	ok = cmd == UCALL_UNHANDLED && uc.args[UCALL_UNHANDLED_VECTOR] == 13 &&
	     uc.args[UCALL_UNHANDLED_RIP] == (uintptr_t)gp_insn &&
	     uc.args[UCALL_UNHANDLED_ERROR] == 0 && !uc.args[UCALL_UNHANDLED_NESTED];
	/* The guest halts after reporting it. */
	vcpu_run(vcpu);
	ok &= vcpu->run->exit_reason == KVM_EXIT_HLT;
	ktap_result(ok, "%sunhandled_gp_reported", dev_tag);
	vcpu_free(vcpu);
	vm_free(vm);
}

/* ---- guest_assert_reports_file_line ---- */

/* 41 in the file, and so in the guest's copy of it. */
static volatile uint64_t answer = 41;

static void __guest assert_guest(void)
{
	GUEST_ASSERT_EQ(answer, 42);
	GUEST_DONE();
}

/* The line of the GUEST_ASSERT_EQ above, 5 up: the host's message must name it. */
static const int assert_line = __LINE__ - 5;

/* The child: the guest's failed assertion ends it with KSFT_FAIL. */
static void assert_child(void)
{
	struct vcpu *vcpu;

	vm_create_with_one_vcpu(&vcpu, assert_guest);
	vcpu_run_ucall(vcpu, NULL);
	printf("# the guest's assertion did not end the test\n");
	exit(3);
}

static void guest_assert_reports_file_line(void)
{
	char out[4096], want[128], *line, *save;
	int p[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;
	bool ok;

	TEST_ASSERT(!pipe(p), "pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		assert_child();
	}
	close(p[1]);
	while (n + 1 < sizeof(out) && (r = read(p[0], out + n, sizeof(out) - n - 1)) > 0)
		n += r;
	out[n] = 0;
	close(p[0]);
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
	snprintf(want, sizeof(want), "guest_c.c:%d: assertion failed: answer == 42\n",
		 assert_line);
	ok = WIFEXITED(status) && WEXITSTATUS(status) == KSFT_FAIL && strstr(out, want) &&
	     strstr(out, "0x29 (41) != 0x2a (42)");
	/* The child's lines, as comments: its "not ok" is not one of ours. */
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		ktap_info("child: %s", line);
	ktap_info("child %s %d; wanted exit code %d and \"%.*s\"",
		  WIFEXITED(status) ? "exit code" : "signal",
		  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), KSFT_FAIL,
		  (int)strlen(want) - 1, want);
	ktap_result(ok, "%sguest_assert_reports_file_line", dev_tag);
}

static void cases(void)
{
	sync_stages();
	guest_printf_case();
	ud_handler_skips_insn();
	unhandled_gp_reported();
	guest_assert_reports_file_line();
}

int main(void)
{
	return run_on_minikvm_and_kvm(cases, NR_CASES, NR_CASES);
}
