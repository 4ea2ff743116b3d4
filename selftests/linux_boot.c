// SPDX-License-Identifier: GPL-2.0
/*
 * The lane's own Debian kernel boots as a guest: minikvm-run --kernel
 * with the busybox initramfs of scripts/mklinuxguest.sh, the interrupt
 * controller, timer, UART and RTC emulated by the launcher
 * (Documentation/launcher.rst), interrupts given with KVM_INTERRUPT.
 * One boot per device, /dev/minikvm and then /dev/kvm (in the Bochs lane,
 * where a boot takes about 3 minutes, the KVM one only in make soak),
 * each checked for:
 *  - reaches_init: the guest's /init runs and prints the kernel release,
 *    which must be the lane's own (uname -r here);
 *  - cpuinfo: /proc/cpuinfo in the guest has a vendor, a model name and
 *    the hypervisor flag;
 *  - runs_a_typed_command: the test types a command line into the guest's
 *    UART (the launcher's stdin) after the guest's prompt; the guest's
 *    shell runs it (an arithmetic only its shell can do) and prints the
 *    result;
 *  - powers_off: the guest restarts through the keyboard controller
 *    (reboot=k) and the launcher ends with status 0.
 * The launcher's -v times (to the guest's first UART byte, and the
 * whole run) are printed for both devices, side by side.
 *
 * The files come from the environment, as make -C selftests run_tests
 * sets it, or are where the lanes have them: the launcher $MINIKVM_RUN
 * (/bin/minikvm-run), the kernel $LINUX_BOOT_KERNEL (/guests/vmlinuz;
 * it must be the running kernel's image, whose release the guest must
 * print) and the initramfs $LINUX_BOOT_INITRD
 * (/guests/linuxguest.cpio.gz, build/linuxguest.cpio.gz after make).
 * Without them, or without /dev/minikvm, the test skips.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_util.h"

#define CMDLINE		"console=ttyS0 reboot=k panic=-1 nolapic acpi=off pci=off quiet"
#define PROMPT		"minikvm-guest: type a command"
#define COMMAND		"echo typed-command-says $((6 * 7))\n"

static const char *launcher, *kernel, *initrd;

struct boot {
	char out[1 << 16];	/* the guest's console and the launcher's stderr */
	size_t len;
	int status;		/* the launcher's exit status, -1 if killed */
	double secs;
};

/* Run the launcher on @dev, answer the prompt, collect everything. */
static void boot_linux(const char *dev, long timeout, struct boot *b)
{
	int in[2], out[2], st;
	bool typed = false;
	double t0 = now_seconds();
	pid_t pid;

	TEST_ASSERT(!pipe(in) && !pipe(out), "pipe: %s", strerror(errno));
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		close(in[1]);
		close(out[0]);
		/* LINUX_BOOT_EARLY=1: every kernel message, from the first. */
		execl(launcher, "minikvm-run", "-v", "--device", dev, "--mem", "128M",
		      "--kernel", kernel, "--initrd", initrd, "--append",
		      env_long("LINUX_BOOT_EARLY", 0) ?
		      CMDLINE " earlyprintk=ttyS0 ignore_loglevel" : CMDLINE, NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	b->len = 0;
	for (;;) {
		struct pollfd p = { .fd = out[0], .events = POLLIN };
		ssize_t n;

		if (now_seconds() - t0 > timeout) {
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, 1000) <= 0)
			continue;
		n = read(out[0], b->out + b->len, sizeof(b->out) - 1 - b->len);
		if (n <= 0)
			break;
		b->len += n;
		b->out[b->len] = 0;
		if (!typed && strstr(b->out, PROMPT)) {
			TEST_ASSERT(write(in[1], COMMAND, strlen(COMMAND)) ==
				    (ssize_t)strlen(COMMAND), "write to the launcher");
			typed = true;
		}
		if (b->len == sizeof(b->out) - 1)
			break;
	}
	close(in[1]);
	close(out[0]);
	waitpid(pid, &st, 0);
	b->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	b->secs = now_seconds() - t0;
}

/* The number after @key in the launcher's -v lines, or -1. */
static double figure(const struct boot *b, const char *key)
{
	const char *p = strstr(b->out, key);

	return p ? atof(p + strlen(key)) : -1;
}

static void check_boot(const char *dev, const char *tag, long timeout, struct boot *b)
{
	struct utsname u;
	char want[128];
	bool ok;

	uname(&u);
	boot_linux(dev, timeout, b);
	snprintf(want, sizeof(want), "minikvm-guest: Linux %s", u.release);
	ok = strstr(b->out, want);
	ktap_result(ok, "%sreaches_init", tag);
	if (!ok) {
		/* The end of what came out, for the log. */
		const char *tail = b->len > 3000 ? b->out + b->len - 3000 : b->out;

		ktap_info("launcher status %d after %.1f s; the output ended with:", b->status,
			  b->secs);
		for (const char *l = tail; *l; ) {
			const char *e = strchr(l, '\n');
			int n = e ? (int)(e - l) : (int)strlen(l);

			ktap_info("| %.*s", n, l);
			l += n + (e ? 1 : 0);
		}
	}
	ok = strstr(b->out, "vendor_id") && strstr(b->out, "model name") &&
	     strstr(b->out, "minikvm-guest: the hypervisor flag is set");
	ktap_result(ok, "%scpuinfo", tag);
	/* The guest's CPU as it sees it, for the log. */
	for (const char *l = b->out; (l = strstr(l, "\n")); l++) {
		int n = strcspn(l + 1, "\r\n");

		if (!strncmp(l + 1, "vendor_id", 9) || !strncmp(l + 1, "model name", 10) ||
		    !strncmp(l + 1, "minikvm-guest: ", 15))
			ktap_info("%s| %.*s", tag, n, l + 1);
	}
	ok = strstr(b->out, "typed-command-says 42") &&
	     strstr(b->out, "minikvm-guest: exit status 0");
	ktap_result(ok, "%sruns_a_typed_command", tag);
	ok = strstr(b->out, "minikvm-guest: done") && b->status == 0;
	ktap_result(ok, "%spowers_off", tag);
	if (!ok)
		ktap_info("launcher exit status %d", b->status);
}

int main(void)
{
	static struct boot mk, kvm;
	/* Bochs's clock runs at its own pace: give it longer. */
	long timeout = env_long("LINUX_BOOT_TIMEOUT", dmi_has("bios_vendor", "Bochs") ? 1500 : 300);
	/*
	 * LINUX_BOOT_KVM=0: minikvm only.  Each boot takes about 3 minutes
	 * in the Bochs lane, so there the KVM boot is left to make soak
	 * (LINUX_BOOT_KVM=1), to keep make check within its time.
	 */
	bool bochs = dmi_has("bios_vendor", "Bochs");
	bool have_kvm = !access("/dev/kvm", R_OK | W_OK) &&
			env_long("LINUX_BOOT_KVM", !bochs);

	require_device("/dev/minikvm");
	launcher = env_path("MINIKVM_RUN", "/bin/minikvm-run");
	kernel = env_path("LINUX_BOOT_KERNEL", "/guests/vmlinuz");
	initrd = env_path("LINUX_BOOT_INITRD", "/guests/linuxguest.cpio.gz");
	require_file(launcher, true, "set MINIKVM_RUN: make builds build/minikvm-run");
	require_file(kernel, false, "set LINUX_BOOT_KERNEL to the running kernel's image");
	require_file(initrd, false, "set LINUX_BOOT_INITRD: make builds build/linuxguest.cpio.gz");
	ktap_plan(have_kvm ? 8 : 4);
	check_boot("/dev/minikvm", "", timeout, &mk);
	if (have_kvm)
		check_boot("/dev/kvm", "kvm_", timeout, &kvm);
	ktap_info("boot on minikvm: first UART byte %.2f s, run %.2f s (wall %.1f s)",
		  figure(&mk, "first UART byte "), figure(&mk, "run time "), mk.secs);
	if (have_kvm)
		ktap_info("boot on KVM:     first UART byte %.2f s, run %.2f s (wall %.1f s)",
			  figure(&kvm, "first UART byte "), figure(&kvm, "run time "), kvm.secs);
	else
		ktap_info("no boot on KVM here (Bochs: make soak boots it too)");
	return ktap_finish();
}
