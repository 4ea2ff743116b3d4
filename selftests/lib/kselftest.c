// SPDX-License-Identifier: GPL-2.0
/*
 * The selftests' KTAP writer: kselftest.h's ksft_*() and kvm_util.h's
 * ktap_*() and test_fail() print through the same counters, so a program
 * may mix them.  The ktap_*() lines are as they always were (the lanes
 * compare case names); the ksft_*() ones are kselftest.h's.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_util.h"

static struct {
	unsigned int pass, fail, xfail, xpass, skip, error;
} cnt;
static unsigned int plan;
static bool planned, header_done;

unsigned int ksft_test_num(void)
{
	return cnt.pass + cnt.fail + cnt.xfail + cnt.xpass + cnt.skip + cnt.error;
}

unsigned int ksft_get_pass_cnt(void) { return cnt.pass; }
unsigned int ksft_get_fail_cnt(void) { return cnt.fail; }
unsigned int ksft_get_xfail_cnt(void) { return cnt.xfail; }
unsigned int ksft_get_xpass_cnt(void) { return cnt.xpass; }
unsigned int ksft_get_xskip_cnt(void) { return cnt.skip; }
unsigned int ksft_get_error_cnt(void) { return cnt.error; }

void ksft_print_header(void)
{
	if (header_done)
		return;
	header_done = true;
	printf("KTAP version 1\n");
	fflush(stdout);
}

void ksft_set_plan(unsigned int cases)
{
	ksft_print_header();
	plan = cases;
	planned = true;
	printf("1..%u\n", cases);
	fflush(stdout);
}

/*
 * One line: @head, the text of @fmt, @tail and a newline.  With @one_line,
 * a newline ending the text is dropped (kselftest.h's callers end their
 * formats with one; ktap_*()'s do not, and keep their text as it is).
 */
static void vline(const char *head, const char *tail, bool one_line, const char *fmt, va_list ap)
{
	char *text;
	size_t n;

	if (vasprintf(&text, fmt, ap) < 0) {
		printf("%s(out of memory)%s\n", head, tail);
		fflush(stdout);
		return;
	}
	n = strlen(text);
	if (one_line && n && text[n - 1] == '\n')
		text[n - 1] = 0;
	printf("%s%s%s\n", head, text, tail);
	fflush(stdout);
	free(text);
}

/* A result line: "@status N @mid<text>@tail", numbered after the results so far. */
static void result(const char *status, const char *mid, const char *tail, bool one_line,
		   const char *fmt, va_list ap)
{
	char head[48];

	snprintf(head, sizeof(head), "%s %u %s", status, ksft_test_num(), mid);
	vline(head, tail, one_line, fmt, ap);
}

#define RESULT(counter, status, mid, tail, one_line) do {		\
	va_list ap;							\
									\
	counter++;							\
	va_start(ap, fmt);						\
	result(status, mid, tail, one_line, fmt, ap);			\
	va_end(ap);							\
} while (0)

void ksft_print_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("# ", "", true, fmt, ap);
	va_end(ap);
}

void ksft_test_result_pass(const char *fmt, ...)
{
	RESULT(cnt.pass, "ok", "", "", true);
}

void ksft_test_result_fail(const char *fmt, ...)
{
	RESULT(cnt.fail, "not ok", "", "", true);
}

void ksft_test_result_skip(const char *fmt, ...)
{
	RESULT(cnt.skip, "ok", "# SKIP ", "", true);
}

void ksft_test_result_xfail(const char *fmt, ...)
{
	RESULT(cnt.xfail, "ok", "# XFAIL ", "", true);
}

void ksft_test_result_error(const char *fmt, ...)
{
	RESULT(cnt.error, "not ok", "# error ", "", true);
}

bool ksft_plan_met(void)
{
	return plan == cnt.pass + cnt.xfail + cnt.skip && ksft_test_num() == plan;
}

void ksft_print_cnts(void)
{
	if (planned && plan != ksft_test_num())
		printf("# Planned tests != run tests (%u != %u)\n", plan, ksft_test_num());
	printf("# Totals: pass:%u fail:%u xfail:%u xpass:%u skip:%u error:%u\n",
	       cnt.pass, cnt.fail, cnt.xfail, cnt.xpass, cnt.skip, cnt.error);
	fflush(stdout);
}

int ksft_exit_pass(void)
{
	ksft_print_cnts();
	exit(KSFT_PASS);
}

int ksft_exit_fail(void)
{
	ksft_print_cnts();
	exit(KSFT_FAIL);
}

int ksft_exit_xfail(void)
{
	ksft_print_cnts();
	exit(KSFT_XFAIL);
}

int ksft_exit_xpass(void)
{
	ksft_print_cnts();
	exit(KSFT_XPASS);
}

int ksft_exit_fail_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("Bail out! ", "", true, fmt, ap);
	va_end(ap);
	ksft_print_cnts();
	exit(KSFT_FAIL);
}

/* Skip the program, or the planned cases not yet reported, for @reason. */
static void __attribute__((noreturn)) skip_rest(const char *reason)
{
	if (!planned) {
		ksft_print_header();
		printf("1..0 # SKIP %s\n", reason);
	} else {
		while (ksft_test_num() < plan) {
			cnt.skip++;
			printf("ok %u # SKIP %s\n", ksft_test_num(), reason);
		}
	}
	fflush(stdout);
	exit(KSFT_SKIP);
}

int ksft_exit_skip(const char *fmt, ...)
{
	char reason[256];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	n = strlen(reason);
	if (n && reason[n - 1] == '\n')
		reason[n - 1] = 0;
	skip_rest(reason);
}

/* The ktap_*() helpers of kvm_util.h, on the same counters. */

void ktap_plan(int cases)
{
	ksft_set_plan(cases);
}

void ktap_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("# ", "", false, fmt, ap);
	va_end(ap);
}

bool ktap_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (!ok) {
		va_start(ap, fmt);
		vline("# ", "", false, fmt, ap);
		va_end(ap);
	}
	return ok;
}

void ktap_result(bool ok, const char *fmt, ...)
{
	if (ok)
		RESULT(cnt.pass, "ok", "", "", false);
	else
		RESULT(cnt.fail, "not ok", "", "", false);
}

void ktap_skip(const char *fmt, ...)
{
	RESULT(cnt.skip, "ok", "", " # SKIP", false);
}

void ktap_exit_skip(const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	skip_rest(reason);
}

int ktap_finish(void)
{
	unsigned int failed = cnt.fail + cnt.error;

	if (ksft_test_num() != plan) {
		printf("# planned %u cases, ran %u\n", plan, ksft_test_num());
		return KSFT_FAIL;
	}
	printf("# %u passed, %u failed\n", ksft_test_num() - failed, failed);
	return failed ? KSFT_FAIL : KSFT_PASS;
}

void test_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	printf("# %s:%d: assertion failed: %s\n# ", file, line, cond);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	cnt.fail++;
	printf("\nnot ok %u assertion at %s:%d\n", ksft_test_num(), file, line);
	fflush(stdout);
	exit(KSFT_FAIL);
}
