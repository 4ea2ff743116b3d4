/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reporting API of Linux's tools/testing/selftests/kselftest.h, as
 * functions over the same KTAP writer as the ktap_*() helpers
 * (kvm_util.h): one plan, one count of results, whichever names a test
 * uses.  A test written for kselftest.h builds against this header:
 *
 *	ksft_print_header();
 *	ksft_set_plan(2);
 *	ksft_test_result(x == 1, "x_is_one\n");
 *	ksft_test_result_skip("y_needs_z\n");
 *	ksft_finished();
 *
 * Differences from kselftest.h, all in the output:
 *  - the header is "KTAP version 1" (the lanes and the runner read KTAP),
 *    whatever KSFT_TAP_LEVEL says;
 *  - every message is one line: a trailing newline in the format, as
 *    kselftest.h's callers write it, is optional;
 *  - ksft_exit_skip() after the plan reports every case still to come as
 *    skipped, so that the results add up to the plan.
 * Exit codes are kselftest's: a runner reads 4 as a skip.
 */
#ifndef MKVM_KSELFTEST_H
#define MKVM_KSELFTEST_H

#include <stdbool.h>

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_XFAIL	2
#define KSFT_XPASS	3
#define KSFT_SKIP	4

#define KSFT_PRINTF(f)	__attribute__((format(printf, f, f + 1)))
#define KSFT_NORETURN	__attribute__((noreturn))

/* "KTAP version 1", once per program (the plan and a whole-program skip print it too). */
void ksft_print_header(void);
/* The plan, "1..@plan": that many result lines will follow. */
void ksft_set_plan(unsigned int plan);
/* A "# " diagnostic line, flushed at once. */
void ksft_print_msg(const char *fmt, ...) KSFT_PRINTF(1);

/* Result lines, numbered in order: "ok N MSG", "not ok N MSG". */
void ksft_test_result_pass(const char *fmt, ...) KSFT_PRINTF(1);
void ksft_test_result_fail(const char *fmt, ...) KSFT_PRINTF(1);
/* "ok N # SKIP MSG": a case not run, MSG saying which or why. */
void ksft_test_result_skip(const char *fmt, ...) KSFT_PRINTF(1);
/* "ok N # XFAIL MSG": a failure the test expected. */
void ksft_test_result_xfail(const char *fmt, ...) KSFT_PRINTF(1);
/* "not ok N # error MSG": the case could not be carried out. */
void ksft_test_result_error(const char *fmt, ...) KSFT_PRINTF(1);
/* ksft_test_result_pass() if @cond holds, ksft_test_result_fail() if not. */
#define ksft_test_result(cond, fmt, ...) do {				\
	if (cond)							\
		ksft_test_result_pass(fmt, ##__VA_ARGS__);		\
	else								\
		ksft_test_result_fail(fmt, ##__VA_ARGS__);		\
} while (0)

/* The number of results printed so far, and of each kind. */
unsigned int ksft_test_num(void);
unsigned int ksft_get_pass_cnt(void);
unsigned int ksft_get_fail_cnt(void);
unsigned int ksft_get_xfail_cnt(void);
unsigned int ksft_get_xpass_cnt(void);
unsigned int ksft_get_xskip_cnt(void);
unsigned int ksft_get_error_cnt(void);
/* "# Totals: pass:N fail:N xfail:N xpass:N skip:N error:N", and a line if the plan was not met. */
void ksft_print_cnts(void);

/* Print the totals and exit with KSFT_PASS, KSFT_FAIL, KSFT_XFAIL or KSFT_XPASS. */
int ksft_exit_pass(void) KSFT_NORETURN;
int ksft_exit_fail(void) KSFT_NORETURN;
int ksft_exit_xfail(void) KSFT_NORETURN;
int ksft_exit_xpass(void) KSFT_NORETURN;
/* "Bail out! MSG", the totals, and exit with KSFT_FAIL. */
int ksft_exit_fail_msg(const char *fmt, ...) KSFT_PRINTF(1) KSFT_NORETURN;
/*
 * Skip the rest of the program for MSG's reason and exit with KSFT_SKIP:
 * "1..0 # SKIP MSG" before the plan; after it, "ok N # SKIP MSG" for each
 * planned case not yet reported.
 */
int ksft_exit_skip(const char *fmt, ...) KSFT_PRINTF(1) KSFT_NORETURN;
/* ksft_exit_pass() if @cond holds, ksft_exit_fail() if not. */
#define ksft_exit(cond) do {						\
	if (cond)							\
		ksft_exit_pass();					\
	else								\
		ksft_exit_fail();					\
} while (0)
/* Exit: KSFT_PASS if the plan was met and nothing failed, KSFT_FAIL otherwise. */
#define ksft_finished()	ksft_exit(ksft_plan_met())
/* Whether every planned case was reported and none failed (xfail and skip do not fail). */
bool ksft_plan_met(void);

#endif
