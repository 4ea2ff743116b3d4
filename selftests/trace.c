// SPDX-License-Identifier: GPL-2.0
/*
 * Every VM exit shows in the minikvm:minikvm_exit tracepoint with its
 * reason by name: a guest's CPUID and HLT appear in the trace buffer with
 * the vCPU id and the RIP.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "kvm_util.h"

#define TRACING "/sys/kernel/tracing"

GUEST_CODE16(trace_guest,
	"xor %eax, %eax\n\t"
	"cpuid\n\t"
	"hlt\n\t");

static bool write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	bool ok = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s);

	if (fd >= 0)
		close(fd);
	return ok;
}

int main(void)
{
	static char buf[1 << 16];
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 3);
	bool cpuid = false, hlt = false;
	char *line, *save;
	ssize_t n = 0, r;
	int fd;

	ktap_plan(2);
	if (access(TRACING "/events", F_OK))
		mount("nodev", TRACING, "tracefs", 0, NULL);
	ktap_result(write_file(TRACING "/events/minikvm/enable", "1") &&
		    write_file(TRACING "/trace", ""), "tracepoints_enabled");

	vm_load(vm, GUEST_LOAD, trace_guest_start, trace_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	vcpu_run(vcpu);
	assert_exit(vcpu, KVM_EXIT_HLT);
	write_file(TRACING "/events/minikvm/enable", "0");

	fd = open(TRACING "/trace", O_RDONLY);
	while (fd >= 0 && n < (ssize_t)sizeof(buf) - 1 &&
	       (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, "_exit: vcpu 3 "))
			continue;
		ktap_info("%s", strstr(line, "minikvm_"));
		cpuid |= strcasestr(line, "reason cpuid") && strstr(line, "rip 0x3");	/* after 66 31 c0 */
		hlt |= strcasestr(line, "reason hlt") != NULL;
	}
	ktap_result(cpuid && hlt, "exits_traced_by_name");
	vcpu_free(vcpu);
	vm_free(vm);
	return ktap_finish();
}
