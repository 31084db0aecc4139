/* check_util.c - see check_util.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/check_util.h"

#define MAX_TCASES 16

Suite *suite_from_table(const char *name, const struct test_def *defs, size_t n)
{
	Suite *s = suite_create(name);
	TCase *tcs[MAX_TCASES];
	const char *names[MAX_TCASES];
	int n_tcs = 0;

	for (size_t i = 0; i < n; i++) {
		const struct test_def *d = &defs[i];
		int k = 0;

		while (k < n_tcs && strcmp(names[k], d->tcase))
			k++;
		if (k == n_tcs) {                       /* first row of this tcase */
			if (n_tcs == MAX_TCASES) {     /* outside a test: no ck_assert */
				fprintf(stderr, "suite %s: more than %d tcases\n", name, MAX_TCASES);
				abort();
			}
			names[k] = d->tcase;
			tcs[k] = tcase_create(d->tcase);
			suite_add_tcase(s, tcs[k]);
			n_tcs++;
		}
		if (d->loop_end > 0)
			tcase_add_loop_test(tcs[k], d->test, d->loop_start, d->loop_end);
		else
			tcase_add_test(tcs[k], d->test);
		if (d->timeout_s > 0)
			tcase_set_timeout(tcs[k], d->timeout_s);
	}
	return s;
}

int run_suites(Suite *const *suites, size_t n, int nofork)
{
	SRunner *sr = srunner_create(suites[0]);
	int failed;

	for (size_t i = 1; i < n; i++)
		srunner_add_suite(sr, suites[i]);
	if (nofork)
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void expect_error(const char *what, const char *msg, int got, int want, const char *substr)
{
	ck_assert_msg(got == want, "%s: status %d, expected %d; message: %s", what, got, want,
	              msg);
	ck_assert_msg(strstr(msg, substr), "%s: message \"%s\" does not contain \"%s\"", what, msg,
	              substr);
}

void expect_ok(const char *what, const char *msg, int got)
{
	ck_assert_msg(got == 0, "%s: status %d, expected 0; message: %s", what, got, msg);
}

void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	ck_assert_msg(n >= 0, "cannot size %s", path);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	ck_assert_msg(*len == (size_t)n, "%s: read %zu of %ld bytes", path, *len, n);
	return buf;
}
