/* check_util.c - see check_util.h. */
#include <math.h>
#include <string.h>
#include "tests/check_util.h"

uint32_t rng_state;

float frand(void)
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return (float)(rng_state >> 8) / (float)(1u << 23) - 1.0f;
}

void fill(float *v, int64_t n, float scale)
{
	for (int64_t i = 0; i < n; i++)
		v[i] = scale * frand();
}

void expect_f32(const struct tensor *t, const float *exp, int64_t n, double atol,
                       double rtol, const char *what)
{
	const float *got = t->data;

	ck_assert_int_eq(t->dtype, DT_FLOAT);
	ck_assert_msg(t->numel == n, "%s: %lld elements, expected %lld", what,
	              (long long)t->numel, (long long)n);
	for (int64_t i = 0; i < n; i++)
		ck_assert_msg(fabs((double)got[i] - exp[i]) <= atol + rtol * fabs(exp[i]),
		              "%s[%lld]: got %.8g, expected %.8g", what, (long long)i,
		              (double)got[i], (double)exp[i]);
}

void expect_f64(const struct tensor *t, const double *exp, int64_t n, double atol,
                       const char *what)
{
	const double *got = t->data;

	ck_assert_int_eq(t->dtype, DT_DOUBLE);
	ck_assert_msg(t->numel == n, "%s: %lld elements, expected %lld", what,
	              (long long)t->numel, (long long)n);
	for (int64_t i = 0; i < n; i++)
		ck_assert_msg(fabs(got[i] - exp[i]) <= atol, "%s[%lld]: got %.12g, expected %.12g",
		              what, (long long)i, got[i], exp[i]);
}

void expect_dims(const struct tensor *t, int ndim, const int64_t *dims)
{
	ck_assert_msg(t->ndim == ndim, "rank %d, expected %d", t->ndim, ndim);
	for (int i = 0; i < ndim; i++)
		ck_assert_msg(t->dims[i] == dims[i], "dim %d is %lld, expected %lld", i,
		              (long long)t->dims[i], (long long)dims[i]);
}

void expect_error(struct harness *h, int code, const char *substr)
{
	int rc = h_run(h);

	ck_assert_msg(rc == code, "status %d (%s), expected %d", rc, h->err, code);
	ck_assert_msg(strstr(h->err, substr), "message '%s' lacks '%s'", h->err, substr);
}


/* Y = A B for one [m,k] x [k,n] matrix, in double. */
void ref_gemm(const float *a, const float *b, float *y, int64_t m, int64_t k, int64_t n)
{
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++) {
			double s = 0;
			for (int64_t p = 0; p < k; p++)
				s += (double)a[i * k + p] * b[p * n + j];
			y[i * n + j] = (float)s;
		}
}

/* Error of got in units of the last place of the float nearest ref (subnormal
 * ulps below FLT_MIN). A ref beyond FLT_MAX must round to inf. */
double ulps(float got, double ref)
{
	int e;

	if (isnan(ref))
		return isnan(got) ? 0 : INFINITY;
	if (fabs(ref) > FLT_MAX)
		return isinf(got) && (got > 0) == (ref > 0) ? 0 : INFINITY;
	frexp(ref, &e);
	return fabs((double)got - ref) / ldexp(1.0, (e - 24 < -149 ? -149 : e - 24));
}

double ref_sigmoid(double x)
{
	return 1.0 / (1.0 + exp(-x));
}
