// SPDX-License-Identifier: GPL-2.0
/*
 * For the host-side unit tests: run a function in a child process and
 * capture what it prints.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "kvm_util.h"

int capture_child(void (*fn)(void *arg), void *arg, bool with_stderr, char *out, size_t len)
{
	int p[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	TEST_ASSERT(!pipe(p), "pipe");
	fflush(stdout);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		dup2(p[1], 1);
		if (with_stderr)
			dup2(p[1], 2);
		close(p[0]);
		fn(arg);
		exit(0);
	}
	close(p[1]);
	while (n + 1 < len && (r = read(p[0], out + n, len - n - 1)) > 0)
		n += r;
	out[n] = 0;
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
