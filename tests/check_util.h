/* check_util.h - the harness every Check program uses: a suite from a table,
 * one runner, one error assertion, one file reader. Check and libc only, so
 * any test program links it (tests/op_harness.h adds one-operator runs,
 * tests/check_audio.h audio and libgtcrn models, tests/modelgen.h built models,
 * tests/testset.h ONNX test-data folders). */
#ifndef TESTS_CHECK_UTIL_H
#define TESTS_CHECK_UTIL_H

#include <check.h>
#include <stddef.h>

/* One row of a suite table: test goes into the test case named tcase (made on
 * its first row; cases and tests keep table order). loop_end > 0 adds a loop
 * test run with _i in [loop_start, loop_end); 0 adds a plain test (_i = 0).
 * timeout_s > 0 sets the whole tcase's timeout in seconds (default 4 s, or
 * CK_DEFAULT_TIMEOUT). START_TEST names are pointers, not constants, so a table
 * is an automatic array built inside the function that makes the suite. */
struct test_def {
	const char *tcase;
	const TTest *test;
	int loop_start, loop_end;
	double timeout_s;
};

/* The suite name with every row of defs[0..n) added. */
Suite *suite_from_table(const char *name, const struct test_def *defs, size_t n);
#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Runs the n suites in one runner (verbosity from CK_VERBOSITY, forking
 * unless nofork) and frees them; returns EXIT_SUCCESS if nothing failed,
 * else EXIT_FAILURE: main's return value. */
int run_suites(Suite *const *suites, size_t n, int nofork);

/* The one error assertion: status got must be want and msg (the message that
 * came with got) must contain substr. A failure names the case (what), the
 * status got and expected, and the whole message. Call it once more for each
 * further substring. */
void expect_error(const char *what, const char *msg, int got, int want, const char *substr);
/* Status got must be 0 (GRT_OK, GTCRN_OK, exit status 0); a failure names the
 * case and prints msg. */
void expect_ok(const char *what, const char *msg, int got);

/* The whole file at path (malloc'ed, one spare byte; free it); asserts that it
 * can be read, naming the path. */
void *read_file(const char *path, size_t *len);

#endif
