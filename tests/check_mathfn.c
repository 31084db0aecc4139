/* check_mathfn.c - the vectorised exp, sigmoid and tanh of ops/math/mathfn.h
 * (portable and AVX2 variants) against libm: a dense sweep in ulps, and the
 * extremes (infinities, NaN, signed zeros, overflow and underflow edges).
 * The Sigmoid and Tanh operators that use them are tested in
 * check_ops_elementwise.c. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ops/cpu.h"
#include "tests/check_kernels.h"
#include "ops/math/mathfn.h"
#include "tests/op_harness.h"

/* Every 61st float in [-110, 110] (about 36 million values) through the array
 * forms (avx2: this CPU's kernel table's, ops/cpu.h), against libm in double: the
 * worst error in ulps, and where. */
static void mathfn_sweep(int which, int avx2, double max_ulps)
{
	static float in[4096], out[4096];
	double worst = 0;
	float worst_x = 0;
	uint32_t hi_bits;
	int n = 0;

	memcpy(&hi_bits, &(float){ 110.0f }, sizeof(hi_bits));
	for (int sign = 0; sign < 2; sign++)
		for (uint32_t u = 0; u <= hi_bits; u += 61) {
			uint32_t b = u | (sign ? 0x80000000u : 0);
			memcpy(&in[n++], &b, sizeof(float));
			if (n < 4096 && !(sign && u + 61 > hi_bits))
				continue;
			if (which == 0)
				for (int i = 0; i < n; i++)
					out[i] = fast_expf(in[i]);
			else if (which == 1 && avx2)
				kernels_for_cpu()->sigmoid_f32(out, in, n);
			else if (which == 1)
				fast_sigmoidf_n(out, in, n);
			else if (avx2)
				kernels_for_cpu()->tanh_f32(out, in, n);
			else
				fast_tanhf_n(out, in, n);
			for (int i = 0; i < n; i++) {
				double x = in[i];
				double r = which == 0 ? exp(x) : which == 1 ? ref_sigmoid(x) : tanh(x);
				double err = ulps(out[i], r);
				if (err > worst) {
					worst = err;
					worst_x = in[i];
				}
			}
			n = 0;
		}
	ck_assert_msg(worst <= max_ulps, "%s %s: %.2f ulp at x = %.9g (limit %.1f)",
	              which == 0 ? "exp" : which == 1 ? "sigmoid" : "tanh",
	              avx2 ? kernels_for_cpu()->name : "", worst, (double)worst_x, max_ulps);
}

START_TEST(mathfn_exp_dense)
{
	mathfn_sweep(0, 0, 2.0);
}
END_TEST

START_TEST(mathfn_sigmoid_dense)
{
	mathfn_sweep(1, 0, 4.0);
	if (simd_kernels("mathfn_sigmoid_dense"))
		mathfn_sweep(1, 1, 4.0);
}
END_TEST

START_TEST(mathfn_tanh_dense)
{
	mathfn_sweep(2, 0, 3.0);
	if (simd_kernels("mathfn_tanh_dense"))
		mathfn_sweep(2, 1, 3.0);
}
END_TEST

/* Infinities, NaN, signed zeros, the overflow and underflow edges, and the
 * array forms' tails (n not a multiple of 4) against the scalar forms; the same
 * values through this CPU's SIMD table against the portable forms. */
START_TEST(mathfn_extremes)
{
	static const float x[] = {
		INFINITY, -INFINITY, NAN, 0.0f, -0.0f, 88.72283f, 88.7229f, 89.0f, 1e30f,
		-87.33655f, -103.9f, -104.5f, -1e30f, 1e-40f, -1e-40f, FLT_MAX, -FLT_MAX,
	};
	const int n = (int)(sizeof(x) / sizeof(x[0]));
	const struct kernels *k = simd_kernels("mathfn_extremes");
	float sg[17], th[17];

	fast_sigmoidf_n(sg, x, n);
	fast_tanhf_n(th, x, n);
	for (int i = 0; i < n; i++) {
		double e = exp((double)x[i]), s = ref_sigmoid(x[i]), t = tanh(x[i]);
		float fe = fast_expf(x[i]);
		ck_assert_msg(ulps(fe, e) <= 2, "exp(%g) = %.9g, expected %.9g", (double)x[i],
		              (double)fe, e);
		ck_assert_msg(ulps(sg[i], s) <= 4, "sigmoid(%g) = %.9g, expected %.9g",
		              (double)x[i], (double)sg[i], s);
		ck_assert_msg(ulps(th[i], t) <= 3, "tanh(%g) = %.9g, expected %.9g", (double)x[i],
		              (double)th[i], t);
		/* the scalar forms are the same code, one lane */
		ck_assert(ulps(sg[i], fast_sigmoidf(x[i])) <= 1);
		ck_assert(ulps(th[i], fast_tanhf(x[i])) <= 1);
	}
	if (k) {
		k->sigmoid_f32(sg, x, n);
		k->tanh_f32(th, x, n);
		for (int i = 0; i < n; i++) {
			ck_assert_msg(ulps(sg[i], fast_sigmoidf(x[i])) <= 1,
			              "%s sigmoid(%g) = %.9g, portable %.9g", k->name, (double)x[i],
			              (double)sg[i], (double)fast_sigmoidf(x[i]));
			ck_assert_msg(ulps(th[i], fast_tanhf(x[i])) <= 1,
			              "%s tanh(%g) = %.9g, portable %.9g", k->name, (double)x[i],
			              (double)th[i], (double)fast_tanhf(x[i]));
		}
	}
	ck_assert(isinf(fast_expf(89.0f)) && fast_expf(-104.5f) == 0);
	ck_assert(fast_expf(-103.9f) > 0);                         /* subnormal, not 0 */
	ck_assert(signbit(fast_tanhf(-0.0f)) && !signbit(fast_tanhf(0.0f)));
	ck_assert(fast_sigmoidf(INFINITY) == 1 && fast_sigmoidf(-INFINITY) == 0);
	ck_assert(fast_tanhf(INFINITY) == 1 && fast_tanhf(-INFINITY) == -1);
	ck_assert(isnan(fast_expf(NAN)) && isnan(fast_sigmoidf(NAN)) && isnan(fast_tanhf(NAN)));
}
END_TEST

int main(void)
{
	const struct test_def tests[] = {
		{ "values", mathfn_exp_dense, .timeout_s = 60 }, { "values", mathfn_sigmoid_dense },
		{ "values", mathfn_tanh_dense }, { "extremes", mathfn_extremes },
	};
	Suite *s = suite_from_table("mathfn", tests, N_ELEMS(tests));

	return run_suites(&s, 1, 0);
}
