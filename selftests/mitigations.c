// SPDX-License-Identifier: GPL-2.0
/*
 * Speculative-execution hygiene on VM entry and exit (kmod/x86/spec.c).
 * No emulator can show a speculative leak, so this tests the mechanism:
 *  - state_follows_kernel: what /sys/kernel/debug/minikvm/mitigations says
 *    is on agrees with the running kernel's own choices, as its
 *    /sys/devices/system/cpu/vulnerabilities files and its command line
 *    (mitigations=off: all off but the AMD divider clear, which the kernel
 *    itself does on such CPUs regardless); the other backend's items are
 *    off;
 *  - each_runs_on_every_entry: a guest makes 1,000 in-kernel exits
 *    (CPUID) and 100 exits to userspace (OUT); every per-entry mitigation
 *    that is on ran exactly once per entry (the counts come from code
 *    patched in by the same CPU-feature bit as the mitigation itself), and
 *    every one that is off never ran;
 *  - l1d_flush_after_host_work: where the L1D flush is on, it ran before
 *    each entry that followed a return from userspace, and not before
 *    every entry of the CPUID loop, whose exits are handled in the kernel
 *    (KVM's vmentry_l1d_flush=cond; interrupts and task switches flush
 *    some of them); where it is off it never ran;
 *  - ibpb_on_vcpu_switch: two VMs take turns on one CPU; where the
 *    kernel uses IBPB, each turn switched vCPU and ran one.
 * KVM keeps no such counts, so there is no /dev/kvm round here; the
 * hostile_cpu test checks the guest-visible half (no SPEC_CTRL) on both.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <unistd.h>

#include "kvm_util.h"

#define CPUID_EXITS	1000
#define PIO_EXITS	100
#define SWITCHES	50

GUEST_CODE16(spec_guest,
	"mov $" STR(CPUID_EXITS) ", %si\n"
	"1:\n\t"
	"xor %eax, %eax\n\t"
	"cpuid\n\t"
	"dec %si\n\t"
	"jnz 1b\n\t"
	G_SYNC(1)
	"mov $" STR(PIO_EXITS) ", %si\n"
	"2:\n\t"
	"mov $0x80, %dx\n\t"
	"out %al, %dx\n\t"
	"dec %si\n\t"
	"jnz 2b\n\t"
	G_DONE
	"hlt\n\t");

GUEST_CODE16(spec_sync_guest,
	"1:\n\t"
	G_SYNC(7)
	"jmp 1b\n\t");

enum { ENTRIES, VERW, RSB, RSB_LITE, BHB, UNTRAIN, IBPB_EXIT, IBPB_SWITCH, L1D,
       IBPB_USER, DIV0, SPEC_CTRL, IBPB_ENTRY, NR_ITEMS };

static const char *const names[NR_ITEMS] = {
	"entries", "verw", "rsb_fill", "rsb_one_call", "bhb_clear", "untrain_ret",
	"ibpb_on_exit", "ibpb_vcpu_switch", "l1d_flush", "ibpb_exit_to_user", "div0_clear",
	"spec_ctrl_restore", "ibpb_entry",
};

/* Done on every entry or exit when on (the others depend on events). */
static const bool per_entry[NR_ITEMS] = {
	[VERW] = true, [RSB] = true, [RSB_LITE] = true, [BHB] = true, [UNTRAIN] = true,
	[IBPB_EXIT] = true, [IBPB_USER] = true, [DIV0] = true, [SPEC_CTRL] = true,
	[IBPB_ENTRY] = true,
};

struct snap {
	bool on[NR_ITEMS];
	char by[NR_ITEMS][64];
	unsigned long long runs[NR_ITEMS];
	bool vmx;
};

static void snap_read(struct snap *s)
{
	char line[256], name[64], state[8], by[64];
	unsigned long long n;
	bool seen[NR_ITEMS] = { false };
	FILE *f = fopen("/sys/kernel/debug/minikvm/mitigations", "r");
	int i;

	TEST_ASSERT(f, "mitigations: %s", strerror(errno));
	memset(s, 0, sizeof(*s));
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#') {
			if (strstr(line, "vmx backend"))
				s->vmx = true;
			continue;
		}
		TEST_ASSERT(sscanf(line, "%63s %7s %63s %llu", name, state, by, &n) == 4,
			    "bad line: %s", line);
		for (i = 0; i < NR_ITEMS; i++)
			if (!strcmp(name, names[i])) {
				s->on[i] = !strcmp(state, "on");
				snprintf(s->by[i], sizeof(s->by[i]), "%s", by);
				s->runs[i] = n;
				seen[i] = true;
			}
	}
	fclose(f);
	for (i = 0; i < NR_ITEMS; i++)
		TEST_ASSERT(seen[i], "no %s line", names[i]);
}

/* The kernel's own statement about one vulnerability, "" if none. */
static void vuln(const char *name, char *out, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/vulnerabilities/%s", name);
	out[0] = 0;
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(out, (int)len, f))
		out[0] = 0;
	fclose(f);
	out[strcspn(out, "\n")] = 0;
}

/* The kernel says so at the start of the file, not of a sub-clause. */
static bool starts(const char *text, const char *with)
{
	return !strncmp(text, with, strlen(with));
}

static bool cmdline_has(const char *word)
{
	char buf[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return strstr(buf, word) != NULL;
}

/* Record a disagreement between the file and the kernel. */
static bool expect(bool *ok, const struct snap *s, int item, bool want, const char *why)
{
	if (s->on[item] != want) {
		ktap_info("%s is %s, but %s", names[item], s->on[item] ? "on" : "off", why);
		*ok = false;
	}
	return want;
}

static void test_state(const struct snap *s)
{
	char mds[160], taa[160], mmio[160], l1tf[160], v2[160], retbleed[160], srso[160],
	     vmscape[160], tsa[160];
	bool ok = true, off = cmdline_has("mitigations=off");
	int i;

	vuln("mds", mds, sizeof(mds));
	vuln("tsx_async_abort", taa, sizeof(taa));
	vuln("mmio_stale_data", mmio, sizeof(mmio));
	vuln("l1tf", l1tf, sizeof(l1tf));
	vuln("spectre_v2", v2, sizeof(v2));
	vuln("retbleed", retbleed, sizeof(retbleed));
	vuln("spec_rstack_overflow", srso, sizeof(srso));
	vuln("vmscape", vmscape, sizeof(vmscape));
	vuln("tsa", tsa, sizeof(tsa));
	ktap_info("kernel: mds '%s'; taa '%s'; mmio '%s'; l1tf '%s'", mds, taa, mmio, l1tf);
	ktap_info("kernel: spectre_v2 '%s'; retbleed '%s'; srso '%s'; vmscape '%s'; tsa '%s'",
		  v2, retbleed, srso, vmscape, tsa);
	for (i = 1; i < NR_ITEMS; i++)
		ktap_info("minikvm: %s %s (%s)", names[i], s->on[i] ? "on" : "off", s->by[i]);

	for (i = 1; i < NR_ITEMS; i++) {
		/* The kernel clears the divider on a DIV0 CPU whatever the line. */
		if (off && i != DIV0)
			expect(&ok, s, i, false, "the command line says mitigations=off");
		if (strstr(s->by[i], "-only"))
			expect(&ok, s, i, false, "it belongs to the other backend");
	}
	if (!off) {
		if (s->vmx) {
			if (strstr(mds, "Clear CPU buffers"))
				expect(&ok, s, VERW, true, "the kernel clears CPU buffers for MDS");
			if (starts(mds, "Not affected") && starts(taa, "Not affected") &&
			    starts(mmio, "Not affected"))
				expect(&ok, s, VERW, false, "the CPU has none of MDS, TAA, MMIO");
			if (starts(l1tf, "Not affected"))
				expect(&ok, s, L1D, false, "the CPU has no L1TF");
			if (strstr(v2, "Retpolines") || strstr(v2, "Mitigation: IBRS"))
				expect(&ok, s, RSB, true, "spectre_v2 uses retpolines or IBRS");
			if (strstr(v2, "Mitigation: IBRS"))
				expect(&ok, s, SPEC_CTRL, true, "the kernel uses legacy IBRS");
		} else {
			if (strstr(v2, "Retpolines"))
				expect(&ok, s, RSB, true, "spectre_v2 uses retpolines");
			if (starts(v2, "Not affected"))
				expect(&ok, s, RSB, false, "the CPU has no spectre_v2");
			if (strstr(retbleed, "untrained return thunk") || strstr(srso, "Safe RET"))
				expect(&ok, s, UNTRAIN, true, "retbleed or SRSO untrains returns");
			if (strstr(retbleed, "IBPB") && !strstr(retbleed, "Vulnerable"))
				expect(&ok, s, IBPB_ENTRY, true, "retbleed uses IBPB on entry");
			if (strstr(srso, "IBPB on VMEXIT") || strstr(vmscape, "IBPB on VMEXIT"))
				expect(&ok, s, IBPB_EXIT, true, "SRSO or VMSCAPE wants IBPB on VM exit");
		}
		if (strstr(vmscape, "IBPB before exit to userspace"))
			expect(&ok, s, IBPB_USER, true, "VMSCAPE wants IBPB before user");
		if (starts(vmscape, "Not affected") || !vmscape[0])
			expect(&ok, s, IBPB_USER, false, "the kernel reports no VMSCAPE");
	}
	ktap_result(ok, "state_follows_kernel");
}

static void delta(const struct snap *a, const struct snap *b, unsigned long long *d)
{
	int i;

	for (i = 0; i < NR_ITEMS; i++)
		d[i] = b->runs[i] - a->runs[i];
}

static void test_runs(void)
{
	struct snap a, b, c;
	unsigned long long d[NR_ITEMS], dcpuid[NR_ITEMS], dpio[NR_ITEMS];
	struct vm *vm = vm_create(1 << 20);
	struct vcpu *vcpu = vcpu_add(vm, 0);
	struct ucall uc;
	bool ok = true, l1d_ok;
	int i;

	vm_load(vm, GUEST_LOAD, spec_guest_start, spec_guest_end);
	vcpu_real_mode(vcpu, GUEST_SEG, 0);
	snap_read(&a);
	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC, "no SYNC after the CPUID loop");
	snap_read(&b);
	for (i = 0; i < PIO_EXITS; i++) {
		vcpu_run(vcpu);
		assert_exit(vcpu, KVM_EXIT_IO);
		TEST_ASSERT(vcpu->run->io.port == 0x80, "OUT to %#x", vcpu->run->io.port);
	}
	snap_read(&c);
	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_DONE, "no DONE");
	vcpu_free(vcpu);
	vm_free(vm);

	delta(&a, &c, d);
	delta(&a, &b, dcpuid);
	delta(&b, &c, dpio);
	ktap_info("%llu entries: %llu for %d CPUIDs, %llu for %d OUTs", d[ENTRIES],
		  dcpuid[ENTRIES], CPUID_EXITS, dpio[ENTRIES], PIO_EXITS);
	for (i = 1; i < NR_ITEMS; i++) {
		if (!per_entry[i] && i != L1D)
			continue;
		ktap_info("%s (%s): ran %llu times", names[i], a.on[i] ? "on" : "off", d[i]);
		if (per_entry[i] && a.on[i] && d[i] != d[ENTRIES])
			ok = false;
		if (!a.on[i] && d[i])
			ok = false;
	}
	ok &= d[ENTRIES] >= CPUID_EXITS + PIO_EXITS;
	ktap_result(ok, "each_runs_on_every_entry");

	/*
	 * Every KVM_RUN after an OUT comes back from userspace: one flush
	 * each.  The CPUIDs are handled in the kernel: only interrupts and
	 * the first entry flush there, far fewer than the entries.
	 */
	if (a.on[L1D])
		l1d_ok = dpio[L1D] >= PIO_EXITS && dcpuid[L1D] < dcpuid[ENTRIES];
	else
		l1d_ok = !d[L1D];
	ktap_info("l1d_flush %s: %llu flushes over the CPUID loop's %llu entries, %llu over "
		  "the OUTs' %llu", a.on[L1D] ? "on" : "off (it must never run)",
		  dcpuid[L1D], dcpuid[ENTRIES], dpio[L1D], dpio[ENTRIES]);
	ktap_result(l1d_ok, "l1d_flush_after_host_work");
}

static void test_switch(void)
{
	struct vm *vm[2];
	struct vcpu *vcpu[2];
	struct ucall uc;
	struct snap a, b;
	cpu_set_t one, all;
	unsigned long long n;
	bool ok;
	int i, k;

	TEST_ASSERT(!sched_getaffinity(0, sizeof(all), &all), "sched_getaffinity");
	CPU_ZERO(&one);
	for (i = 0; !CPU_ISSET(i, &all); i++)
		;
	CPU_SET(i, &one);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(one), &one), "sched_setaffinity");
	for (k = 0; k < 2; k++) {
		vm[k] = vm_create(1 << 20);
		vm_load(vm[k], GUEST_LOAD, spec_sync_guest_start, spec_sync_guest_end);
		vcpu[k] = vcpu_add(vm[k], 0);
		vcpu_real_mode(vcpu[k], GUEST_SEG, 0);
	}
	snap_read(&a);
	for (i = 0; i < SWITCHES; i++)
		for (k = 0; k < 2; k++)
			TEST_ASSERT(run_to_ucall(vcpu[k], &uc) == UCALL_SYNC && uc.args[0] == 7,
				    "VM %d did not SYNC", k);
	snap_read(&b);
	for (k = 0; k < 2; k++) {
		vcpu_free(vcpu[k]);
		vm_free(vm[k]);
	}
	TEST_ASSERT(!sched_setaffinity(0, sizeof(all), &all), "sched_setaffinity");
	n = b.runs[IBPB_SWITCH] - a.runs[IBPB_SWITCH];
	ktap_info("ibpb_vcpu_switch %s: %llu IBPBs over %d turns of two VMs on one CPU",
		  a.on[IBPB_SWITCH] ? "on" : "off", n, 2 * SWITCHES);
	ok = a.on[IBPB_SWITCH] ? n >= 2 * SWITCHES - 1 : n == 0;
	ktap_result(ok, "ibpb_on_vcpu_switch");
}

int main(void)
{
	struct snap s;
	int fd;

	ktap_plan(4);
	fd = open_kvm_dev();
	close(fd);
	require_minikvm_debugfs();
	snap_read(&s);
	test_state(&s);
	test_runs();
	test_switch();
	return ktap_finish();
}
