// SPDX-License-Identifier: GPL-2.0
/*
 * minikvm-run, the launcher, as a user meets it: the hello guest prints
 * the same text on /dev/minikvm and on /dev/kvm; ELF guests start in each
 * protected mode the launcher sets up; each set-up mistake gets its own
 * clear message and exit status.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_util.h"

#define LAUNCHER "/bin/minikvm-run"
#define HELLO "/guests/hello.bin"
#define HELLO_TEXT "Hello from minikvm: 40 + 2 = 42\n"

/* Run the launcher with ARGS; its stdout and stderr go to OUT. */
static int launch(char *out, size_t len, const char *const args[])
{
	const char *argv[16] = { LAUNCHER };
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
		execv(LAUNCHER, (char *const *)argv);
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
	char out[4096];
	bool ok;
	int rc;

	ktap_plan(11);

	rc = launch(out, sizeof(out), (const char *const[]){ HELLO, NULL });
	ktap_result(rc == 0 && !strcmp(out, HELLO_TEXT), "hello_on_minikvm");

	rc = launch(out, sizeof(out), (const char *const[]){ "--device", "/dev/kvm", HELLO, NULL });
	ktap_result(rc == 0 && !strcmp(out, HELLO_TEXT), "hello_on_kvm_same_output");

	rc = launch(out, sizeof(out),
		    (const char *const[]){ "--device", "/dev/minikvm-absent", HELLO, NULL });
	ok = rc == 125 && strstr(out, "minikvm.ko is not loaded");
	ktap_info("%s", strtok(out, "\n"));
	ktap_result(ok, "device_missing_message");

	rc = launch(out, sizeof(out), (const char *const[]){ "/guests/none.bin", NULL });
	ok = rc == 125 && strstr(out, "cannot read guest image");
	ktap_info("%s", strtok(out, "\n"));
	ktap_result(ok, "image_missing_message");

	rc = launch(out, sizeof(out), (const char *const[]){ "--mem", "4096", HELLO, NULL });
	ok = rc == 125 && strstr(out, "guest memory too small");
	ktap_info("%s", strtok(out, "\n"));
	ktap_result(ok, "memory_too_small_message");

	rc = launch(out, sizeof(out), (const char *const[]){ "/guests/triple.bin", NULL });
	ok = rc == 124 && strstr(out, "unexpected exit SHUTDOWN") && strstr(out, "rip=");
	ktap_info("%s", strtok(out, "\n"));
	ktap_result(ok, "unexpected_exit_reason_and_registers");
	{
		static const char *const modes32[] = { "prot", "paged", "pae" };

		for (int i = 0; i < 3; i++) {
			rc = launch(out, sizeof(out), (const char *const[]){ "--mem", "4M",
				    "--mode", modes32[i], "/guests/hello32.elf", NULL });
			ktap_result(rc == 0 && !strcmp(out, "Hello from 32-bit protected mode\n"),
				    "elf32_in_mode_%s", modes32[i]);
		}
	}
	rc = launch(out, sizeof(out), (const char *const[]){ "--mem", "4M", "--mode", "long",
		    "/guests/hello64.elf", NULL });
	ktap_result(rc == 0 && !strcmp(out, "Hello from 64-bit long mode\n"), "elf64_in_long_mode");

	rc = launch(out, sizeof(out), (const char *const[]){ "--mem", "4M", "--mode", "long",
		    "/guests/hello32.elf", NULL });
	ok = rc == 125 && strstr(out, "32-bit ELF");
	ktap_info("%s", strtok(out, "\n"));
	ktap_result(ok, "elf_mode_mismatch_message");
	return ktap_finish();
}
