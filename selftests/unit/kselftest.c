// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side checks of the selftests' KTAP writer (make unit): each case
 * runs short programs (this binary again, /proc/self/exe SCENARIO, so
 * that each starts with fresh counts) and compares everything they
 * printed, and their exit status, with what a runner and the lanes read.
 *  - ktap_lines: ktap_plan(), ktap_result(), ktap_skip(), ktap_info()
 *    and ktap_finish() print the lines the tests have always printed;
 *  - ktap_exit_skip_before_and_after_plan: ktap_exit_skip() is
 *    "1..0 # SKIP reason", or a skip for each case still planned, and
 *    exit code 4;
 *  - test_fail_line: a failed TEST_ASSERT numbers its "not ok" after the
 *    results so far and exits with 1;
 *  - ksft_lines_and_finished: kselftest.h's names, with and without the
 *    newline its callers end formats with, mixed with ktap_result() on
 *    one count, and ksft_finished()'s "# Totals" and exit code, 0 or 1;
 *  - ksft_exit_skip_and_bail_out: ksft_exit_skip() before and after the
 *    plan (exit code 4), ksft_exit_fail_msg()'s "Bail out!" (1).
 */
#define _GNU_SOURCE
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "kvm_util.h"

static const char *self;
static const char *scenario_name(void (*fn)(void));

static void exec_scenario(void *fn)
{
	execl("/proc/self/exe", self, scenario_name((void (*)(void))fn), (char *)NULL);
	exit(98);
}

/*
 * Run this binary with the scenario @fn (a name of scenarios[] below), its
 * stdout into @out; its exit status, -1 if it did not exit.
 */
static int in_child(void (*fn)(void), char *out, size_t len)
{
	return capture_child(exec_scenario, (void *)fn, false, out, len);
}

/* Whether @fn printed exactly @want and exited with @code; says what it saw if not. */
static bool prints(void (*fn)(void), const char *want, int code)
{
	char out[4096];
	int rc = in_child(fn, out, sizeof(out));

	if (rc == code && !strcmp(out, want))
		return true;
	ktap_info("exit code %d (want %d), printed:\n%s# wanted:\n%s", rc, code, out, want);
	return false;
}

static void ktap_lines(void)
{
	ktap_plan(3);
	ktap_result(true, "first_%d", 1);
	ktap_info("a note: %s", "text");
	ktap_result(false, "second");
	ktap_skip("third: the reason");
	exit(ktap_finish());
}

static void ktap_skip_before_plan(void)
{
	ktap_exit_skip("/dev/%s: No such file or directory", "minikvm");
}

static void ktap_skip_after_plan(void)
{
	ktap_plan(3);
	ktap_result(true, "one");
	ktap_exit_skip("gone");
}

static void test_fail_line(void)
{
	ktap_plan(2);
	ktap_result(true, "one");
	test_fail("selftests/x.c", 12, "a == b", "a is %d", 3);
}

static void ksft_lines(void)
{
	ksft_print_header();
	ksft_set_plan(5);
	ksft_print_msg("with newline %d\n", 1);
	ksft_print_msg("without");
	ksft_test_result_pass("a\n");
	ksft_test_result(1 + 1 == 2, "b");
	ksft_test_result_skip("c needs %s\n", "d");
	ksft_test_result_xfail("e\n");
	ktap_result(true, "f");
	ksft_finished();
}

static void ksft_finished_fails(void)
{
	ksft_print_header();
	ksft_set_plan(3);
	ksft_test_result(0, "a\n");
	ksft_test_result_pass("b\n");
	ksft_finished();
}

static void ksft_skip_before_plan(void)
{
	ksft_print_header();
	ksft_exit_skip("no %s\n", "device");
}

static void ksft_skip_after_plan(void)
{
	ksft_print_header();
	ksft_set_plan(2);
	ksft_test_result_pass("a\n");
	ksft_exit_skip("no device\n");
}

static void ksft_bail_out(void)
{
	ksft_print_header();
	ksft_set_plan(2);
	ksft_test_result_pass("a\n");
	ksft_exit_fail_msg("cannot go on: %d\n", 7);
}

static const struct {
	void (*fn)(void);
	const char *name;
} scenarios[] = {
	{ ktap_lines, "ktap_lines" },
	{ ktap_skip_before_plan, "ktap_skip_before_plan" },
	{ ktap_skip_after_plan, "ktap_skip_after_plan" },
	{ test_fail_line, "test_fail_line" },
	{ ksft_lines, "ksft_lines" },
	{ ksft_finished_fails, "ksft_finished_fails" },
	{ ksft_skip_before_plan, "ksft_skip_before_plan" },
	{ ksft_skip_after_plan, "ksft_skip_after_plan" },
	{ ksft_bail_out, "ksft_bail_out" },
};
#define NR_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static const char *scenario_name(void (*fn)(void))
{
	size_t i;

	for (i = 0; i < NR_SCENARIOS; i++)
		if (scenarios[i].fn == fn)
			return scenarios[i].name;
	return "?";
}

static bool ktap_output(void)
{
	return prints(ktap_lines,
		      "KTAP version 1\n1..3\nok 1 first_1\n# a note: text\nnot ok 2 second\n"
		      "ok 3 third: the reason # SKIP\n# 2 passed, 1 failed\n", KSFT_FAIL);
}

static bool ktap_exit_skips(void)
{
	return prints(ktap_skip_before_plan,
		      "KTAP version 1\n1..0 # SKIP /dev/minikvm: No such file or directory\n",
		      KSFT_SKIP) &&
	       prints(ktap_skip_after_plan,
		      "KTAP version 1\n1..3\nok 1 one\nok 2 # SKIP gone\nok 3 # SKIP gone\n",
		      KSFT_SKIP);
}

static bool test_fail_output(void)
{
	return prints(test_fail_line,
		      "KTAP version 1\n1..2\nok 1 one\n# selftests/x.c:12: assertion failed: a == b\n"
		      "# a is 3\nnot ok 2 assertion at selftests/x.c:12\n", KSFT_FAIL);
}

static bool ksft_output(void)
{
	return prints(ksft_lines,
		      "KTAP version 1\n1..5\n# with newline 1\n# without\nok 1 a\nok 2 b\n"
		      "ok 3 # SKIP c needs d\nok 4 # XFAIL e\nok 5 f\n"
		      "# Totals: pass:3 fail:0 xfail:1 xpass:0 skip:1 error:0\n", KSFT_PASS) &&
	       prints(ksft_finished_fails,
		      "KTAP version 1\n1..3\nnot ok 1 a\nok 2 b\n"
		      "# Planned tests != run tests (3 != 2)\n"
		      "# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0\n", KSFT_FAIL);
}

static bool ksft_exits(void)
{
	return prints(ksft_skip_before_plan, "KTAP version 1\n1..0 # SKIP no device\n",
		      KSFT_SKIP) &&
	       prints(ksft_skip_after_plan,
		      "KTAP version 1\n1..2\nok 1 a\nok 2 # SKIP no device\n", KSFT_SKIP) &&
	       prints(ksft_bail_out,
		      "KTAP version 1\n1..2\nok 1 a\nBail out! cannot go on: 7\n"
		      "# Planned tests != run tests (2 != 1)\n"
		      "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0\n", KSFT_FAIL);
}

int main(int argc, char **argv)
{
	static const struct {
		bool (*fn)(void);
		const char *name;
	} cases[] = {
		{ ktap_output, "ktap_lines" },
		{ ktap_exit_skips, "ktap_exit_skip_before_and_after_plan" },
		{ test_fail_output, "test_fail_line" },
		{ ksft_output, "ksft_lines_and_finished" },
		{ ksft_exits, "ksft_exit_skip_and_bail_out" },
	};
	size_t i;

	/* A scenario, run by in_child(): it prints and exits by itself. */
	if (argc == 2) {
		for (i = 0; i < NR_SCENARIOS; i++)
			if (!strcmp(argv[1], scenarios[i].name))
				scenarios[i].fn();
		return 98;
	}
	self = argv[0];
	ktap_plan(sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ktap_result(cases[i].fn(), "%s", cases[i].name);
	return ktap_finish();
}
