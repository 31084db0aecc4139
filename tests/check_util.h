/* check_util.h - helpers shared by several unit-test programs. */
#ifndef TESTS_CHECK_UTIL_H
#define TESTS_CHECK_UTIL_H

#include <check.h>
#include "tests/op_harness.h"

extern uint32_t rng_state;                  /* seed of frand() */
float frand(void);                          /* uniform in [-1, 1) */
void fill(float *v, int64_t n, float scale);
void expect_f32(const struct tensor *t, const float *exp, int64_t n, double atol,
                double rtol, const char *what);
void expect_f64(const struct tensor *t, const double *exp, int64_t n, double atol,
                const char *what);
void expect_dims(const struct tensor *t, int ndim, const int64_t *dims);
/* h_run must fail with code and a message containing substr. */
void expect_error(struct harness *h, int code, const char *substr);
/* Y = A B for one [m,k] x [k,n] matrix, in double. */
void ref_gemm(const float *a, const float *b, float *y, int64_t m, int64_t k, int64_t n);

/* Error of got in ulps of the float nearest ref; the logistic in double. */
double ulps(float got, double ref);
double ref_sigmoid(double x);

#define RUN_OK(h) ck_assert_msg(h_run(h) == GRT_OK, "run failed: %s", (h)->err)

#endif
