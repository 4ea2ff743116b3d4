// SPDX-License-Identifier: GPL-2.0
/*
 * minikvm-run, the launcher, as a user meets it: the hello guest prints
 * the same text on /dev/minikvm and on /dev/kvm; ELF guests start in each
 * protected mode the launcher sets up; each set-up mistake gets its own
 * clear message and exit status.
 *
 * The launcher is $MINIKVM_RUN and the guests are in $MINIKVM_GUESTS
 * (make -C selftests run_tests: build/minikvm-run and build/guests),
 * /bin/minikvm-run and /guests by default, as in the lanes; without them,
 * or without /dev/minikvm, the test skips.  The KVM case skips where
 * /dev/kvm cannot be opened.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_util.h"

#define HELLO_TEXT "Hello from minikvm: 40 + 2 = 42\n"

static const char *launcher;

/* Guest image @name in $MINIKVM_GUESTS (default /guests); malloc'ed. */
static char *guest(const char *name)
{
	char *path;

	TEST_ASSERT(asprintf(&path, "%s/%s", env_path("MINIKVM_GUESTS", "/guests"), name) > 0,
		    "out of memory");
	return path;
}

/* Run the launcher with ARGS; its stdout and stderr go to OUT. */
static int launch(char *out, size_t len, const char *const args[])
{
	const char *argv[16] = { launcher };
	int pipefd[2], status, i;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	TEST_ASSERT(pipe(pipefd) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execv(launcher, (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (n + 1 < len && (r = read(pipefd[0], out + n, len - n - 1)) > 0)
		n += r;
	out[n] = 0;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
	const char *hello = guest("hello.bin"), *triple = guest("triple.bin");
	const char *hello32 = guest("hello32.elf"), *hello64 = guest("hello64.elf");
	const char *guests_hint = "set MINIKVM_GUESTS: make builds them in build/guests";
	char out[4096];
	bool ok;
	int rc, kvm;

	require_device("/dev/minikvm");
	launcher = env_path("MINIKVM_RUN", "/bin/minikvm-run");
	require_file(launcher, true, "set MINIKVM_RUN: make builds build/minikvm-run");
	require_file(hello, false, guests_hint);
	require_file(triple, false, guests_hint);
	require_file(hello32, false, guests_hint);
	require_file(hello64, false, guests_hint);
	ktap_plan(11);

	rc = launch(out, sizeof(out), (const char *const[]){ hello, NULL });
	ktap_result(rc == 0 && !strcmp(out, HELLO_TEXT), "hello_on_minikvm");

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		ktap_skip("hello_on_kvm_same_output: /dev/kvm: %s", strerror(errno));
	} else {
		close(kvm);
		rc = launch(out, sizeof(out),
			    (const char *const[]){ "--device", "/dev/kvm", hello, NULL });
		ktap_result(rc == 0 && !strcmp(out, HELLO_TEXT), "hello_on_kvm_same_output");
	}

	rc = launch(out, sizeof(out),
		    (const char *const[]){ "--device", "/dev/minikvm-absent", hello, NULL });
	ok = rc == 125 && strstr(out, "minikvm.ko is not loaded");
	ktap_info("%s", strtok(out, "\n"));
	ktap_result(ok, "device_missing_message");

	rc = launch(out, sizeof(out), (const char *const[]){ guest("none.bin"), NULL });
	ok = rc == 125 && strstr(out, "cannot read guest image");
	ktap_info("%s", strtok(out, "\n"));
	ktap_result(ok, "image_missing_message");

	rc = launch(out, sizeof(out), (const char *const[]){ "--mem", "4096", hello, NULL });
	ok = rc == 125 && strstr(out, "guest memory too small");
	ktap_info("%s", strtok(out, "\n"));
	ktap_result(ok, "memory_too_small_message");

	rc = launch(out, sizeof(out), (const char *const[]){ triple, NULL });
	ok = rc == 124 && strstr(out, "unexpected exit SHUTDOWN") && strstr(out, "rip=");
	ktap_info("%s", strtok(out, "\n"));
	ktap_result(ok, "unexpected_exit_reason_and_registers");
	{
		static const char *const modes32[] = { "prot", "paged", "pae" };

		for (int i = 0; i < 3; i++) {
			rc = launch(out, sizeof(out), (const char *const[]){ "--mem", "4M",
				    "--mode", modes32[i], hello32, NULL });
			ktap_result(rc == 0 && !strcmp(out, "Hello from 32-bit protected mode\n"),
				    "elf32_in_mode_%s", modes32[i]);
		}
	}
	rc = launch(out, sizeof(out), (const char *const[]){ "--mem", "4M", "--mode", "long",
		    hello64, NULL });
	ktap_result(rc == 0 && !strcmp(out, "Hello from 64-bit long mode\n"), "elf64_in_long_mode");

	rc = launch(out, sizeof(out), (const char *const[]){ "--mem", "4M", "--mode", "long",
		    hello32, NULL });
	ok = rc == 125 && strstr(out, "32-bit ELF");
	ktap_info("%s", strtok(out, "\n"));
	ktap_result(ok, "elf_mode_mismatch_message");
	return ktap_finish();
}
