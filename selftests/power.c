// SPDX-License-Identifier: GPL-2.0
/*
 * Suspend and resume with a VM open.  S3 loses everything VMXON or
 * EFER.SVME and VM_HSAVE_PA set up on the CPUs, so minikvm switches the
 * last CPU off before the sleep and on again after it (syscore ops; the
 * other CPUs go offline and online through the hotplug callbacks).  A VM
 * with a vCPU runs its guest on every CPU, the machine sleeps, and the
 * same vCPU must then run on every CPU again, with /dev/minikvm's
 * power counts showing one suspend and one resume.
 *
 * By default the kernel's suspend test mode (/sys/power/pm_test = core)
 * runs the suspend path, syscore ops included, without powering the CPUs
 * down: that shows the mechanism, not the state a real sleep loses.  With
 * POWER_REAL_S3=1, where the machine offers S3 ("mem" in /sys/power/state:
 * QEMU's q35), it really sleeps, woken by the RTC alarm; QEMU 7.2 then no
 * longer powers off through ACPI at the end of the lane, so the lanes do
 * not do it by default (Documentation/security.rst).  Bochs 2.7 does not
 * come back from the suspend test at all: there the sleep is left out,
 * with that reason.
 *
 * Outside the lanes (no minikvm.lane= on the kernel command line) even
 * the suspend test freezes every task and suspends the machine's devices
 * for seconds, so there the sleep runs only with POWER_SUSPEND=1, and is
 * left out, with the reason, where the kernel offers neither pm_test
 * (CONFIG_PM_DEBUG) nor S3 with POWER_REAL_S3=1.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <unistd.h>

#include "kvm_util.h"

GUEST_CODE16(power_guest,
	G_SYNC(42)
	"hlt\n\t");

static long power_count(const char *name)
{
	return debugfs_count("power", name);
}

static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fputs(text, f) >= 0;
	ok &= fclose(f) == 0;
	return ok;
}

/* The guest once, here: SYNC 42, then HLT. */
static bool run_here(int cpu __attribute__((unused)), void *arg)
{
	struct vcpu *vcpu = arg;
	struct ucall uc;
	bool ok;

	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	ok = run_to_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[0] == 42;
	vcpu_run(vcpu);
	return ok && vcpu->run->exit_reason == KVM_EXIT_HLT;
}

static bool run_everywhere(struct vcpu *vcpu)
{
	return on_each_cpu_pinned(run_here, vcpu);
}

int main(void)
{
	char states[256] = "";
	const char *no_sleep = NULL;
	struct vm *vm;
	struct vcpu *vcpu;
	long suspends, resumes;
	bool real_s3, slept;
	FILE *f;

	ktap_plan(3);
	f = fopen("/sys/power/state", "r");
	if (f) {
		if (!fgets(states, sizeof(states), f))
			states[0] = 0;
		fclose(f);
	}
	states[strcspn(states, "\n")] = 0;
	real_s3 = strstr(states, "mem") && env_long("POWER_REAL_S3", 0);
	require_minikvm_debugfs();
	if (!strcmp(lane_name(), "bochs"))
		/* Seen: Bochs 2.7 never came back from pm_test=core (no output, 100% CPU). */
		no_sleep = "Bochs 2.7 does not return from the kernel's suspend test";
	else if (!strcmp(lane_name(), "host") && !env_long("POWER_SUSPEND", 0))
		no_sleep = "it would suspend this machine's devices; POWER_SUSPEND=1 runs it";
	else if (!real_s3 && access("/sys/power/pm_test", W_OK))
		no_sleep = "no /sys/power/pm_test (CONFIG_PM_DEBUG) to test the suspend path";
	else if (!real_s3 && !strstr(states, "mem") && !strstr(states, "disk"))
		no_sleep = "neither mem nor disk in /sys/power/state";
	vm = vm_create(1 << 20);
	vm_load(vm, GUEST_LOAD, power_guest_start, power_guest_end);
	vcpu = vcpu_add(vm, 0);
	ktap_result(run_everywhere(vcpu), "guest_runs_before");

	suspends = power_count("suspend");
	resumes = power_count("resume");
	if (no_sleep) {
		ktap_skip("suspended_and_resumed: %s", no_sleep);
		ktap_result(run_everywhere(vcpu), "guest_runs_after");
		vcpu_free(vcpu);
		vm_free(vm);
		return ktap_finish();
	}
	if (real_s3) {
		ktap_info("S3 (/sys/power/state: %s): sleeping 3 s, woken by the RTC", states);
		write_file("/sys/class/rtc/rtc0/wakealarm", "0");
		slept = write_file("/sys/class/rtc/rtc0/wakealarm", "+3") &&
			write_file("/sys/power/state", "mem");
	} else {
		/* Suspend to RAM if offered, else hibernation: both run syscore ops. */
		const char *state = strstr(states, "mem") ? "mem" : "disk";

		ktap_info("/sys/power/state: %s: pm_test=core with %s, the path without the sleep",
			  states, state);
		slept = write_file("/sys/power/pm_test", "core") &&
			write_file("/sys/power/state", state);
		write_file("/sys/power/pm_test", "none");
	}
	ktap_info("after the sleep: %ld suspend(s), %ld resume(s) of minikvm",
		  power_count("suspend") - suspends, power_count("resume") - resumes);
	ktap_result(slept && power_count("suspend") == suspends + 1 &&
		    power_count("resume") == resumes + 1, "suspended_and_resumed");
	ktap_result(run_everywhere(vcpu), "guest_runs_after");
	vcpu_free(vcpu);
	vm_free(vm);
	return ktap_finish();
}
