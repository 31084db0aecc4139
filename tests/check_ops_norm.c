/* check_ops_norm.c - BatchNormalization, LayerNormalization and ReduceMean:
 * hand-computed values, shapes, errors, opsets, and seeded sweeps against naive
 * references written from the ONNX definitions.
 * Rerun: make tests/check_ops_norm && ./tests/check_ops_norm (CK_RUN_CASE=name for one). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/op_harness.h"

/* ------------------------------------------------------------------ helpers */

static int irand(int n)     /* [0, n), from frand's rng_state */
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return (int)((rng_state >> 8) % (uint32_t)n);
}

static double elem(const struct tensor *t, int64_t i)
{
	switch (t->dtype) {
	case DT_FLOAT: return ((const float *)t->data)[i];
	case DT_DOUBLE: return ((const double *)t->data)[i];
	case DT_FLOAT16: return half_to_float(((const uint16_t *)t->data)[i]);
	case DT_BFLOAT16: return bf16_to_float(((const uint16_t *)t->data)[i]);
	case DT_INT32: return ((const int32_t *)t->data)[i];
	case DT_INT64: return (double)((const int64_t *)t->data)[i];
	case DT_UINT32: return ((const uint32_t *)t->data)[i];
	case DT_UINT64: return (double)((const uint64_t *)t->data)[i];
	default: return NAN;
	}
}

/* Output o against want[] with |got - want| <= tol * (1 + |want|). */
static void expect_vals(const struct harness *h, int o, const double *want, int64_t count,
                        double tol)
{
	const struct tensor *y = h->out[o];

	ck_assert_msg(y->numel == count, "output %d numel: got %lld, expected %lld", o,
	              (long long)y->numel, (long long)count);
	for (int64_t i = 0; i < count; i++) {
		double g = elem(y, i);
		ck_assert_msg(fabs(g - want[i]) <= tol * (1 + fabs(want[i])) ||
		              (isnan(g) && isnan(want[i])),
		              "output %d index %lld: got %.9g, expected %.9g", o, (long long)i, g,
		              want[i]);
	}
}

/* ================================================================ ReduceMean */

/* Naive ReduceMean over the axes flagged in red[] (output keeps rank). */
static void ref_reduce_mean(const float *x, int r, const int64_t *dims, const int *red,
                            double *out, int64_t out_n)
{
	int64_t idx[MAX_DIMS] = { 0 }, numel = shape_numel(r, dims), cnt = 1;
	double *sum = out;

	for (int a = 0; a < r; a++)
		if (red[a])
			cnt *= dims[a];
	for (int64_t i = 0; i < out_n; i++)
		sum[i] = 0;
	for (int64_t i = 0; i < numel; i++) {
		int64_t o = 0;
		for (int a = 0; a < r; a++)
			o = o * (red[a] ? 1 : dims[a]) + (red[a] ? 0 : idx[a]);
		sum[o] += x[i];
		for (int a = r - 1; a >= 0; a--) {
			if (++idx[a] < dims[a])
				break;
			idx[a] = 0;
		}
	}
	for (int64_t i = 0; i < out_n; i++)
		out[i] = sum[i] / (double)cnt;
}

static void rm_setup(struct harness *h, int opset, enum dtype dt, int ndim,
                     const int64_t *dims, const void *data)
{
	h_init(h, "ReduceMean", opset);
	ck_assert_msg(h->n.op != NULL, "ReduceMean opset %d not in the registry", opset);
	h_input(h, dt, ndim, dims, data, 0);
}

static const int64_t d2x3[] = { 2, 3 };
static const float x2x3[] = { 1, 2, 3, 4, 5, 6 };

START_TEST(rm_axis1_keepdims)
{
	struct harness h;
	static const int64_t ax[] = { 1 }, od[] = { 2, 1 };
	static const double want[] = { 2, 5 };

	rm_setup(&h, 13, DT_FLOAT, 2, d2x3, x2x3);
	h_attr_ints(&h, "axes", 1, ax);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 2, od);
	expect_vals(&h, 0, want, 2, 1e-7);
	h_free(&h);
}
END_TEST

START_TEST(rm_axis0_inner_kept)
{
	struct harness h;
	static const int64_t ax[] = { -2 }, od[] = { 3 };
	static const double want[] = { 2.5, 3.5, 4.5 };

	rm_setup(&h, 11, DT_FLOAT, 2, d2x3, x2x3);
	h_attr_ints(&h, "axes", 1, ax);
	h_attr_int(&h, "keepdims", 0);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 1, od);
	expect_vals(&h, 0, want, 3, 1e-7);
	h_free(&h);
}
END_TEST

START_TEST(rm_non_adjacent_axes)
{
	struct harness h;
	static const int64_t d[] = { 2, 3, 2 }, ax[] = { 0, 2 }, od[] = { 1, 3, 1 };
	float x[12];
	/* x[i][j][k] = 6i + 2j + k: the mean over i and k is 3.5 + 2j */
	static const double want[] = { 3.5, 5.5, 7.5 };

	for (int i = 0; i < 12; i++)
		x[i] = (float)i;
	rm_setup(&h, 13, DT_FLOAT, 3, d, x);
	h_attr_ints(&h, "axes", 2, ax);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 3, od);
	expect_vals(&h, 0, want, 3, 1e-7);
	h_free(&h);
}
END_TEST

START_TEST(rm_all_axes_default)
{
	struct harness h;
	static const int64_t od[] = { 1, 1 };
	static const double want[] = { 3.5 };

	rm_setup(&h, 13, DT_FLOAT, 2, d2x3, x2x3);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 2, od);
	expect_vals(&h, 0, want, 1, 1e-7);
	h_free(&h);

	/* keepdims 0 gives a scalar; an empty axes list also means all axes */
	rm_setup(&h, 13, DT_FLOAT, 2, d2x3, x2x3);
	h_attr_ints(&h, "axes", 0, NULL);
	h_attr_int(&h, "keepdims", 0);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 0, NULL);
	expect_vals(&h, 0, want, 1, 1e-7);
	h_free(&h);
}
END_TEST

START_TEST(rm_scalar_input)
{
	struct harness h;
	static const float v = 4.25f;
	static const double want[] = { 4.25 };

	rm_setup(&h, 13, DT_FLOAT, 0, NULL, &v);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 0, NULL);
	expect_vals(&h, 0, want, 1, 0);
	h_free(&h);
}
END_TEST

START_TEST(rm_integer_types)
{
	struct harness h;
	static const int64_t d[] = { 2, 3 }, ax[] = { 1 };
	static const int32_t i32[] = { 1, 2, 4, -1, -2, -4 };
	static const int64_t i64[] = { 1, 2, 4, -1, -2, -4 };
	static const uint32_t u32[] = { 1, 2, 4, 4000000000u, 4000000000u, 4000000001u };
	static const uint64_t u64[] = { 1, 2, 4, 9, 9, 10 };
	/* the quotient truncates toward zero: 7/3 -> 2, -7/3 -> -2 */
	static const double w_signed[] = { 2, -2 }, w_u32[] = { 2, 4000000000.0 };
	static const double w_u64[] = { 2, 9 };
	const struct { enum dtype dt; const void *x; const double *want; } c[] = {
		{ DT_INT32, i32, w_signed }, { DT_INT64, i64, w_signed },
		{ DT_UINT32, u32, w_u32 }, { DT_UINT64, u64, w_u64 },
	};

	for (int k = 0; k < 4; k++) {
		rm_setup(&h, 13, c[k].dt, 2, d, c[k].x);
		h_attr_ints(&h, "axes", 1, ax);
		h_attr_int(&h, "keepdims", 0);
		h_output(&h);
		h_run_ok(&h);
		ck_assert_int_eq(h.out[0]->dtype, c[k].dt);
		expect_vals(&h, 0, c[k].want, 2, 0);
		h_free(&h);
	}
}
END_TEST

START_TEST(rm_float_types)
{
	struct harness h;
	static const int64_t d[] = { 2, 2 }, ax[] = { 0 };
	static const double xd[] = { 1, 2, 4, 8 }, want[] = { 2.5, 5 };
	uint16_t xh[4], xb[4];

	for (int i = 0; i < 4; i++) {
		xh[i] = float_to_half((float)xd[i]);
		xb[i] = float_to_bf16((float)xd[i]);
	}
	rm_setup(&h, 13, DT_DOUBLE, 2, d, xd);
	h_attr_ints(&h, "axes", 1, ax);
	h_output(&h);
	h_run_ok(&h);
	ck_assert_int_eq(h.out[0]->dtype, DT_DOUBLE);
	expect_vals(&h, 0, want, 2, 0);
	h_free(&h);
	rm_setup(&h, 13, DT_FLOAT16, 2, d, xh);
	h_attr_ints(&h, "axes", 1, ax);
	h_output(&h);
	h_run_ok(&h);
	ck_assert_int_eq(h.out[0]->dtype, DT_FLOAT16);
	expect_vals(&h, 0, want, 2, 0);
	h_free(&h);
	rm_setup(&h, 13, DT_BFLOAT16, 2, d, xb);
	h_attr_ints(&h, "axes", 1, ax);
	h_output(&h);
	h_run_ok(&h);
	ck_assert_int_eq(h.out[0]->dtype, DT_BFLOAT16);
	expect_vals(&h, 0, want, 2, 0);
	h_free(&h);
}
END_TEST

START_TEST(rm_empty)
{
	struct harness h;
	static const int64_t d[] = { 2, 0 }, ax1[] = { 1 }, ax0[] = { 0 };
	static const int64_t od1[] = { 2, 1 }, od0[] = { 1, 0 };

	/* the mean of nothing is NaN (numpy) */
	rm_setup(&h, 13, DT_FLOAT, 2, d, NULL);
	h_attr_ints(&h, "axes", 1, ax1);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 2, od1);
	for (int i = 0; i < 2; i++)
		ck_assert_msg(isnan(((float *)h.out[0]->data)[i]), "index %d: not NaN", i);
	h_free(&h);
	rm_setup(&h, 13, DT_FLOAT, 2, d, NULL);
	h_attr_ints(&h, "axes", 1, ax0);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 2, od0);
	h_free(&h);
}
END_TEST

/* Large reduction: the result stays within 1e-6 relative of the double sum. */
START_TEST(rm_precision_large)
{
	struct harness h;
	static const int64_t d[] = { 2, 1 << 20 }, ax[] = { 1 };
	float *x = malloc(sizeof(float) * (size_t)(2 << 20));
	double want[2] = { 0, 0 };

	ck_assert_ptr_nonnull(x);
	for (int64_t i = 0; i < (2 << 20); i++) {
		x[i] = 1000.0f + 0.001f * (float)(i % 1013);
		want[i >> 20] += x[i];
	}
	want[0] /= (double)(1 << 20);
	want[1] /= (double)(1 << 20);
	rm_setup(&h, 13, DT_FLOAT, 2, d, x);
	h_attr_ints(&h, "axes", 1, ax);
	h_output(&h);
	h_run_ok(&h);
	for (int i = 0; i < 2; i++) {
		double g = ((float *)h.out[0]->data)[i];
		ck_assert_msg(fabs(g - want[i]) <= 1e-6 * fabs(want[i]),
		              "index %d: got %.9g, expected %.9g", i, g, want[i]);
	}
	h_free(&h);
	free(x);
}
END_TEST

/* GTCRN's decomposed LayerNorm: mean over the trailing (33, 16). */
START_TEST(rm_gtcrn_trailing)
{
	struct harness h;
	static const int64_t d[] = { 1, 4, 3, 33, 16 }, ax[] = { -2, -1 };
	static const int64_t od[] = { 1, 4, 3, 1, 1 };
	static const int red[] = { 0, 0, 0, 1, 1 };
	float x[4 * 3 * 33 * 16];
	double want[12];

	rng_state = 5u;
	for (int i = 0; i < 4 * 3 * 33 * 16; i++)
		x[i] = frand() * 10;
	ref_reduce_mean(x, 5, d, red, want, 12);
	rm_setup(&h, 13, DT_FLOAT, 5, d, x);
	h_attr_ints(&h, "axes", 2, ax);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 5, od);
	expect_vals(&h, 0, want, 12, 1e-6);
	ck_assert_msg(h.n.scratch_bytes == 12 * sizeof(double), "scratch %zu bytes",
	              h.n.scratch_bytes);
	h_free(&h);
}
END_TEST

/* Random shapes (with size-1 axes) and axis subsets against the naive reference. */
START_TEST(rm_sweep)
{
	rng_state = 1234u;
	for (int iter = 0; iter < 300; iter++) {
		struct harness h;
		int r = 1 + irand(5), red[MAX_DIMS] = { 0 }, n_ax = 0, keep = irand(2);
		int64_t d[MAX_DIMS], ax[MAX_DIMS], od[MAX_DIMS];
		int64_t numel, onum = 1;
		float *x;
		double *want;
		int ond = 0;

		for (int a = 0; a < r; a++) {
			d[a] = 1 + irand(4);
			if (irand(2)) {
				red[a] = 1;
				ax[n_ax++] = irand(2) ? a : a - r;
			}
		}
		if (!n_ax)
			for (int a = 0; a < r; a++)
				red[a] = 1;
		for (int a = 0; a < r; a++) {
			if (!red[a])
				onum *= d[a];
			if (keep || !red[a])
				od[ond++] = red[a] ? 1 : d[a];
		}
		numel = shape_numel(r, d);
		x = malloc(sizeof(float) * (size_t)numel);
		want = malloc(sizeof(double) * (size_t)onum);
		ck_assert(x && want);
		for (int64_t i = 0; i < numel; i++)
			x[i] = frand();
		ref_reduce_mean(x, r, d, red, want, onum);
		rm_setup(&h, 13, DT_FLOAT, r, d, x);
		if (n_ax)
			h_attr_ints(&h, "axes", n_ax, ax);
		h_attr_int(&h, "keepdims", keep);
		h_output(&h);
		h_run_ok(&h);
		expect_dims(h.out[0], ond, od);
		expect_vals(&h, 0, want, onum, 1e-6);
		h_free(&h);
		free(x);
		free(want);
	}
}
END_TEST

START_TEST(rm18_axes_input)
{
	struct harness h;
	static const int64_t ax[] = { -1 }, one = 1, od[] = { 2 };
	static const double want[] = { 2, 5 };

	rm_setup(&h, 18, DT_FLOAT, 2, d2x3, x2x3);
	h_input(&h, DT_INT64, 1, &one, ax, 1);
	h_attr_int(&h, "keepdims", 0);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 1, od);
	expect_vals(&h, 0, want, 2, 1e-7);
	h_free(&h);
}
END_TEST

START_TEST(rm18_noop_and_empty_axes)
{
	struct harness h;
	static const int64_t zero = 0, od[] = { 1, 1 };
	static const double same[] = { 1, 2, 3, 4, 5, 6 }, all[] = { 3.5 };

	/* absent axes + noop_with_empty_axes = 1: identity */
	rm_setup(&h, 18, DT_FLOAT, 2, d2x3, x2x3);
	h_attr_int(&h, "noop_with_empty_axes", 1);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 2, d2x3);
	expect_vals(&h, 0, same, 6, 0);
	h_free(&h);
	/* empty axes tensor (even at run time) + noop: identity */
	rm_setup(&h, 18, DT_FLOAT, 2, d2x3, x2x3);
	h_input(&h, DT_INT64, 1, &zero, NULL, 0);
	h_attr_int(&h, "noop_with_empty_axes", 1);
	h_output(&h);
	h_run_ok(&h);
	expect_vals(&h, 0, same, 6, 0);
	h_free(&h);
	/* empty axes without noop: all axes */
	rm_setup(&h, 18, DT_FLOAT, 2, d2x3, x2x3);
	h_input(&h, DT_INT64, 1, &zero, NULL, 1);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 2, od);
	expect_vals(&h, 0, all, 1, 1e-7);
	h_free(&h);
	/* omitted axes ("") without noop: all axes */
	rm_setup(&h, 18, DT_FLOAT, 2, d2x3, x2x3);
	h_input_none(&h);
	h_output(&h);
	h_run_ok(&h);
	expect_vals(&h, 0, all, 1, 1e-7);
	h_free(&h);
}
END_TEST

/* One row per bad ReduceMean; each message must also name the node. */
static const int64_t rm_dup[] = { 1, -1 }, rm_big[] = { 2 }, rm_neg[] = { -3 };
static const int64_t rm_one = 1, rm_two[] = { 1, 1 };
static const int8_t rm_i8[] = { 1, 2, 3, 4, 5, 6 };

static const struct h_case rm_errors_table[] = {
	{ "repeated axis", "ReduceMean", 13, { { DT_FLOAT, 2, d2x3, x2x3 } },
	  { { "axes", ATTR_INTS, .n = 2, .ints = rm_dup } }, .code = GRT_E_ATTR,
	  .msg = "axis 1 appears twice" },
	{ "axis 2 of rank 2", "ReduceMean", 13, { { DT_FLOAT, 2, d2x3, x2x3 } },
	  { { "axes", ATTR_INTS, .n = 1, .ints = rm_big } }, .code = GRT_E_ATTR,
	  .msg = "axes[0] = 2 out of range" },
	{ "axis -3 of rank 2", "ReduceMean", 11, { { DT_FLOAT, 2, d2x3, x2x3 } },
	  { { "axes", ATTR_INTS, .n = 1, .ints = rm_neg } }, .code = GRT_E_ATTR,
	  .msg = "axes[0] = -3 out of range" },
	{ "int8", "ReduceMean", 13, { { DT_INT8, 2, d2x3, rm_i8 } }, .code = GRT_E_DTYPE,
	  .msg = "int8" },
	{ "keepdims FLOAT", "ReduceMean", 13, { { DT_FLOAT, 2, d2x3, x2x3 } },
	  { { "keepdims", ATTR_FLOAT, .f = 1 } }, .code = GRT_E_ATTR,
	  .msg = "'keepdims' must be INT" },
	/* opset 13 takes no axes input */
	{ "opset 13 axes input", "ReduceMean", 13,
	  { { DT_FLOAT, 2, d2x3, x2x3 }, { DT_INT64, 1, &rm_one, rm_big, 1 } },
	  .code = GRT_E_INVALID_MODEL, .msg = "has 2 inputs" },
	/* opset 18: axes at run time, axes of rank 2, axes out of range */
	{ "run-time axes", "ReduceMean", 18,
	  { { DT_FLOAT, 2, d2x3, x2x3 }, { DT_INT64, 1, &rm_one, rm_big, 0 } },
	  .code = GRT_E_DYNAMIC, .msg = "axes comes from input 1" },
	{ "axes of rank 2", "ReduceMean", 18,
	  { { DT_FLOAT, 2, d2x3, x2x3 }, { DT_INT64, 2, rm_two, rm_big, 1 } },
	  .code = GRT_E_SHAPE, .msg = "must be 1-D" },
	{ "axes input out of range", "ReduceMean", 18,
	  { { DT_FLOAT, 2, d2x3, x2x3 }, { DT_INT64, 1, &rm_one, rm_big, 1 } },
	  .code = GRT_E_ATTR, .msg = "out of range" },
	{ "float axes", "ReduceMean", 18,
	  { { DT_FLOAT, 2, d2x3, x2x3 }, { DT_FLOAT, 1, &rm_one, x2x3, 1 } },
	  .code = GRT_E_DTYPE, .msg = "input 1" },
};

START_TEST(rm_errors)
{
	h_expect_case(&rm_errors_table[_i], "node 'test'");
}
END_TEST

START_TEST(rm_opsets)
{
	static const int v1[] = { 1, 11, 13, 17 }, v18[] = { 18, 19, 21 };

	for (int i = 0; i < 4; i++) {
		const struct op_def *d = op_lookup("ReduceMean", v1[i]);
		ck_assert_msg(d && d->since == 1 && d->until == 17, "ReduceMean-%d", v1[i]);
	}
	for (int i = 0; i < 3; i++) {
		const struct op_def *d = op_lookup("ReduceMean", v18[i]);
		ck_assert_msg(d && d->since == 18, "ReduceMean-%d", v18[i]);
	}
}
END_TEST

/* ======================================================== BatchNormalization */

/* X (1, 2, 1, 2) = 1..4; channel 0: (x - 1.5) / 0.5; channel 1: (x - 3.5) / 0.5 * 2 + 1 */
static const int64_t bn_xd[] = { 1, 2, 1, 2 }, bn_c2 = 2;
static const float bn_x[] = { 1, 2, 3, 4 };
static const float bn_s[] = { 1, 2 }, bn_b[] = { 0, 1 }, bn_m[] = { 1.5f, 3.5f };
static const float bn_v[] = { 0.25f, 0.25f };
static const double bn_want[] = { -1, 1, -1, 3 };

static void bn_setup(struct harness *h, int opset, int is_const)
{
	h_init(h, "BatchNormalization", opset);
	ck_assert_msg(h->n.op != NULL, "BatchNormalization opset %d not in the registry", opset);
	h_input(h, DT_FLOAT, 4, bn_xd, bn_x, 0);
	h_input(h, DT_FLOAT, 1, &bn_c2, bn_s, is_const);
	h_input(h, DT_FLOAT, 1, &bn_c2, bn_b, is_const);
	h_input(h, DT_FLOAT, 1, &bn_c2, bn_m, is_const);
	h_input(h, DT_FLOAT, 1, &bn_c2, bn_v, is_const);
	h_attr_float(h, "epsilon", 0);
	h_output(h);
}

START_TEST(bn_inference)
{
	struct harness h;

	for (int c = 0; c < 2; c++) {
		bn_setup(&h, 15, c);
		h_run_ok(&h);
		expect_dims(h.out[0], 4, bn_xd);
		expect_vals(&h, 0, bn_want, 4, 1e-6);
		/* constant statistics are folded at plan time: no scratch */
		ck_assert_msg((h.n.scratch_bytes == 0) == c, "const %d: scratch %zu", c,
		              h.n.scratch_bytes);
		h_free(&h);
	}
}
END_TEST

START_TEST(bn_default_epsilon)
{
	struct harness h;
	static const int64_t d[] = { 1, 1, 1 }, one = 1;
	static const float x[] = { 2 }, s[] = { 1 }, b[] = { 0 }, m[] = { 0 }, v[] = { 1 };
	double want[] = { 2 / sqrt(1 + 1e-5) };

	h_init(&h, "BatchNormalization", 9);
	h_input(&h, DT_FLOAT, 3, d, x, 1);
	h_input(&h, DT_FLOAT, 1, &one, s, 1);
	h_input(&h, DT_FLOAT, 1, &one, b, 1);
	h_input(&h, DT_FLOAT, 1, &one, m, 1);
	h_input(&h, DT_FLOAT, 1, &one, v, 1);
	h_output(&h);
	h_run_ok(&h);
	expect_vals(&h, 0, want, 1, 1e-7);
	h_free(&h);
}
END_TEST

START_TEST(bn_rank1_and_rank2)
{
	struct harness h;
	static const int64_t n4 = 4, one = 1, d22[] = { 2, 2 }, two = 2;
	static const float x[] = { 1, 2, 3, 4 }, s[] = { 2 }, b[] = { 1 }, m[] = { 0 };
	static const float v[] = { 1 }, s2[] = { 1, 10 }, b2[] = { 0, 0 }, m2[] = { 1, 2 };
	static const float v2[] = { 1, 1 };
	static const double want1[] = { 3, 5, 7, 9 }, want2[] = { 0, 0, 2, 20 };

	/* rank 1: C is 1 */
	h_init(&h, "BatchNormalization", 15);
	h_input(&h, DT_FLOAT, 1, &n4, x, 0);
	h_input(&h, DT_FLOAT, 1, &one, s, 0);
	h_input(&h, DT_FLOAT, 1, &one, b, 0);
	h_input(&h, DT_FLOAT, 1, &one, m, 0);
	h_input(&h, DT_FLOAT, 1, &one, v, 0);
	h_attr_float(&h, "epsilon", 0);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 1, &n4);
	expect_vals(&h, 0, want1, 4, 1e-6);
	h_free(&h);
	/* rank 2: (N, C) */
	h_init(&h, "BatchNormalization", 15);
	h_input(&h, DT_FLOAT, 2, d22, x, 0);
	h_input(&h, DT_FLOAT, 1, &two, s2, 1);
	h_input(&h, DT_FLOAT, 1, &two, b2, 1);
	h_input(&h, DT_FLOAT, 1, &two, m2, 1);
	h_input(&h, DT_FLOAT, 1, &two, v2, 1);
	h_attr_float(&h, "epsilon", 0);
	h_output(&h);
	h_run_ok(&h);
	expect_vals(&h, 0, want2, 4, 1e-6);
	h_free(&h);
}
END_TEST

/* |mean| >> std: y must keep the digits of x - mean */
START_TEST(bn_large_mean)
{
	struct harness h;
	static const int64_t d[] = { 1, 1, 4 }, one = 1;
	static const float x[] = { 10000.0f, 10000.01f, 9999.99f, 10000.5f };
	static const float s[] = { 1 }, b[] = { 0 }, m[] = { 10000 }, v[] = { 1e-4f };
	double want[4];

	for (int i = 0; i < 4; i++)
		want[i] = ((double)x[i] - 10000) / sqrt((double)1e-4f);
	h_init(&h, "BatchNormalization", 15);
	h_input(&h, DT_FLOAT, 3, d, x, 0);
	h_input(&h, DT_FLOAT, 1, &one, s, 1);
	h_input(&h, DT_FLOAT, 1, &one, b, 1);
	h_input(&h, DT_FLOAT, 1, &one, m, 1);
	h_input(&h, DT_FLOAT, 1, &one, v, 1);
	h_attr_float(&h, "epsilon", 0);
	h_output(&h);
	h_run_ok(&h);
	expect_vals(&h, 0, want, 4, 1e-5);
	h_free(&h);
}
END_TEST

/* X (N=2, C=2, 1) = [1, 2, 3, 6]: channel 0 {1, 3} mean 2 var 1; channel 1 {2, 6}
 * mean 4 var 4. */
static void bn_train_setup(struct harness *h, int opset)
{
	static const int64_t d[] = { 2, 2, 1 }, c = 2;
	static const float x[] = { 1, 2, 3, 6 }, s[] = { 1, 1 }, b[] = { 0, 0 };
	static const float m[] = { 0, 0 }, v[] = { 1, 1 };

	h_init(h, "BatchNormalization", opset);
	h_input(h, DT_FLOAT, 3, d, x, 0);
	h_input(h, DT_FLOAT, 1, &c, s, 1);
	h_input(h, DT_FLOAT, 1, &c, b, 1);
	h_input(h, DT_FLOAT, 1, &c, m, 1);
	h_input(h, DT_FLOAT, 1, &c, v, 1);
	h_attr_float(h, "epsilon", 0);
	h_attr_float(h, "momentum", 0.5f);
	h_output(h);
}

START_TEST(bn_training_mode)
{
	struct harness h;
	static const double y[] = { -1, -1, 1, 1 }, rm[] = { 1, 2 }, rv[] = { 1, 2.5 };

	bn_train_setup(&h, 15);
	h_attr_int(&h, "training_mode", 1);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	expect_vals(&h, 0, y, 4, 1e-6);
	expect_vals(&h, 1, rm, 2, 1e-6);
	expect_vals(&h, 2, rv, 2, 1e-6);
	h_free(&h);
	/* training_mode without the optional outputs still uses batch statistics */
	bn_train_setup(&h, 14);
	h_attr_int(&h, "training_mode", 1);
	h_run_ok(&h);
	expect_vals(&h, 0, y, 4, 1e-6);
	h_free(&h);
	/* only running_var requested */
	bn_train_setup(&h, 15);
	h_attr_int(&h, "training_mode", 1);
	h_output_none(&h);
	h_output(&h);
	h_run_ok(&h);
	expect_vals(&h, 2, rv, 2, 1e-6);
	h_free(&h);
}
END_TEST

START_TEST(bn_training_opset9_outputs)
{
	struct harness h;
	static const double y[] = { -1, -1, 1, 1 }, rm[] = { 1, 2 }, rv[] = { 1, 2.5 };
	static const double sm[] = { 2, 4 }, sv[] = { 1, 4 };

	bn_train_setup(&h, 9);
	for (int i = 0; i < 4; i++)
		h_output(&h);
	h_run_ok(&h);
	expect_vals(&h, 0, y, 4, 1e-6);
	expect_vals(&h, 1, rm, 2, 1e-6);
	expect_vals(&h, 2, rv, 2, 1e-6);
	expect_vals(&h, 3, sm, 2, 1e-6);
	expect_vals(&h, 4, sv, 2, 1e-6);
	h_free(&h);
}
END_TEST

START_TEST(bn_dtypes)
{
	struct harness h;
	static const double xd[] = { 1, 2, 3, 4 }, sd[] = { 1, 2 }, bd[] = { 0, 1 };
	static const double md[] = { 1.5, 3.5 }, vd[] = { 0.25, 0.25 };
	uint16_t xh[4], mh[2], vh[2];

	/* double throughout */
	h_init(&h, "BatchNormalization", 15);
	h_input(&h, DT_DOUBLE, 4, bn_xd, xd, 0);
	h_input(&h, DT_DOUBLE, 1, &bn_c2, sd, 0);
	h_input(&h, DT_DOUBLE, 1, &bn_c2, bd, 0);
	h_input(&h, DT_DOUBLE, 1, &bn_c2, md, 0);
	h_input(&h, DT_DOUBLE, 1, &bn_c2, vd, 0);
	h_attr_float(&h, "epsilon", 0);
	h_output(&h);
	h_run_ok(&h);
	ck_assert_int_eq(h.out[0]->dtype, DT_DOUBLE);
	expect_vals(&h, 0, bn_want, 4, 1e-12);
	h_free(&h);
	/* opset 15: X float16, scale/B double (T1), mean/var float16 (T2) */
	for (int i = 0; i < 4; i++)
		xh[i] = float_to_half((float)xd[i]);
	for (int i = 0; i < 2; i++) {
		mh[i] = float_to_half((float)md[i]);
		vh[i] = float_to_half((float)vd[i]);
	}
	h_init(&h, "BatchNormalization", 15);
	h_input(&h, DT_FLOAT16, 4, bn_xd, xh, 0);
	h_input(&h, DT_DOUBLE, 1, &bn_c2, sd, 1);
	h_input(&h, DT_DOUBLE, 1, &bn_c2, bd, 1);
	h_input(&h, DT_FLOAT16, 1, &bn_c2, mh, 1);
	h_input(&h, DT_FLOAT16, 1, &bn_c2, vh, 1);
	h_attr_float(&h, "epsilon", 0);
	h_output(&h);
	h_run_ok(&h);
	ck_assert_int_eq(h.out[0]->dtype, DT_FLOAT16);
	expect_vals(&h, 0, bn_want, 4, 1e-3);
	h_free(&h);
}
END_TEST

START_TEST(bn_spatial0)
{
	struct harness h;
	/* X (2, 1, 2): statistics per (C, D1) feature, over N only */
	static const int64_t d[] = { 2, 1, 2 }, fd[] = { 1, 2 };
	static const float x[] = { 1, 2, 3, 4 }, s[] = { 1, 2 }, b[] = { 0, 1 };
	static const float m[] = { 1, 2 }, v[] = { 4, 1 };
	static const double want[] = { 0, 1, 1, 5 };

	h_init(&h, "BatchNormalization", 7);
	h_input(&h, DT_FLOAT, 3, d, x, 0);
	h_input(&h, DT_FLOAT, 2, fd, s, 0);
	h_input(&h, DT_FLOAT, 2, fd, b, 0);
	h_input(&h, DT_FLOAT, 2, fd, m, 0);
	h_input(&h, DT_FLOAT, 2, fd, v, 0);
	h_attr_float(&h, "epsilon", 0);
	h_attr_int(&h, "spatial", 0);
	h_output(&h);
	h_run_ok(&h);
	expect_vals(&h, 0, want, 4, 1e-6);
	h_free(&h);
}
END_TEST

/* Random shapes, run-time statistics, against y = (x - m) / sqrt(v + eps) * s + b. */
START_TEST(bn_sweep)
{
	rng_state = 42u;
	for (int iter = 0; iter < 50; iter++) {
		struct harness h;
		int r = 2 + irand(3);
		int64_t d[5], numel, C, inner = 1;
		float *x, s[8], b[8], m[8], v[8];
		double *want;

		for (int a = 0; a < r; a++)
			d[a] = 1 + irand(5);
		C = d[1];
		for (int a = 2; a < r; a++)
			inner *= d[a];
		numel = shape_numel(r, d);
		x = malloc(sizeof(float) * (size_t)numel);
		want = malloc(sizeof(double) * (size_t)numel);
		ck_assert(x && want);
		for (int c = 0; c < C; c++) {
			s[c] = frand();
			b[c] = frand();
			m[c] = frand();
			v[c] = frand() + 1.5f;
		}
		for (int64_t i = 0; i < numel; i++) {
			int c = (int)(i / inner % C);
			x[i] = frand() * 3;
			want[i] = (x[i] - m[c]) / sqrt(v[c] + 1e-3) * s[c] + b[c];
		}
		h_init(&h, "BatchNormalization", 15);
		h_input(&h, DT_FLOAT, r, d, x, 0);
		h_input(&h, DT_FLOAT, 1, &C, s, 0);
		h_input(&h, DT_FLOAT, 1, &C, b, 0);
		h_input(&h, DT_FLOAT, 1, &C, m, 0);
		h_input(&h, DT_FLOAT, 1, &C, v, 0);
		h_attr_float(&h, "epsilon", 1e-3f);
		h_output(&h);
		h_run_ok(&h);
		expect_dims(h.out[0], r, d);
		expect_vals(&h, 0, want, numel, 1e-5);
		h_free(&h);
		free(x);
		free(want);
	}
}
END_TEST

/* One row per bad BatchNormalization; each message must also name the node. */
static const int64_t bn_three = 3, bn_one = 1;
static const float bn_f3[] = { 1, 1, 1 }, bn_f1[] = { 1 };
static const int32_t bn_xi[] = { 1, 2, 3, 4 };
static const double bn_sd[] = { 1, 2 };
/* bn_setup's inputs: X and the 4 per-channel constants */
#define BN_CONST_INPUTS { DT_FLOAT, 4, bn_xd, bn_x }, { DT_FLOAT, 1, &bn_c2, bn_s, 1 }, \
	{ DT_FLOAT, 1, &bn_c2, bn_b, 1 }, { DT_FLOAT, 1, &bn_c2, bn_m, 1 }, \
	{ DT_FLOAT, 1, &bn_c2, bn_v, 1 }

static const struct h_case bn_errors_table[] = {
	/* extra outputs without training_mode */
	{ "2 outputs, not training", "BatchNormalization", 15, { BN_CONST_INPUTS },
	  { { "epsilon", ATTR_FLOAT, .f = 0 } }, .n_out = 2, .code = GRT_E_INVALID_MODEL,
	  .msg = "training_mode is 0" },
	/* opset 14+ has at most 3 outputs */
	{ "4 outputs", "BatchNormalization", 14, { BN_CONST_INPUTS },
	  { { "epsilon", ATTR_FLOAT, .f = 0 }, { "training_mode", ATTR_INT, 1 } }, .n_out = 4,
	  .code = GRT_E_INVALID_MODEL, .msg = "has 4 outputs" },
	/* is_test with training outputs (opset 6) */
	{ "is_test with 2 outputs", "BatchNormalization", 6, { BN_CONST_INPUTS },
	  { { "epsilon", ATTR_FLOAT, .f = 0 }, { "is_test", ATTR_INT, 1 } }, .n_out = 2,
	  .code = GRT_E_INVALID_MODEL, .msg = "is_test is 1" },
	{ "scale of the wrong size", "BatchNormalization", 15,
	  { { DT_FLOAT, 4, bn_xd, bn_x }, { DT_FLOAT, 1, &bn_three, bn_f3, 1 },
	    { DT_FLOAT, 1, &bn_c2, bn_b, 1 }, { DT_FLOAT, 1, &bn_c2, bn_m, 1 },
	    { DT_FLOAT, 1, &bn_c2, bn_v, 1 } },
	  .code = GRT_E_SHAPE, .msg = "scale (input 1) must have shape (2)" },
	{ "integer X", "BatchNormalization", 15,
	  { { DT_INT32, 4, bn_xd, bn_xi }, { DT_FLOAT, 1, &bn_c2, bn_s, 1 },
	    { DT_FLOAT, 1, &bn_c2, bn_s, 1 }, { DT_FLOAT, 1, &bn_c2, bn_s, 1 },
	    { DT_FLOAT, 1, &bn_c2, bn_s, 1 } },
	  .code = GRT_E_DTYPE, .msg = "input 0" },
	/* opset 14: scale must have X's type (T) */
	{ "double scale, float X", "BatchNormalization", 14,
	  { { DT_FLOAT, 4, bn_xd, bn_x }, { DT_DOUBLE, 1, &bn_c2, bn_sd, 1 },
	    { DT_DOUBLE, 1, &bn_c2, bn_sd, 1 }, { DT_FLOAT, 1, &bn_c2, bn_m, 1 },
	    { DT_FLOAT, 1, &bn_c2, bn_v, 1 } },
	  .code = GRT_E_DTYPE, .msg = "input 1 is double but input 0 is float" },
	{ "scalar X", "BatchNormalization", 15,
	  { { DT_FLOAT, 0, NULL, bn_f1 }, { DT_FLOAT, 1, &bn_one, bn_f1, 1 },
	    { DT_FLOAT, 1, &bn_one, bn_f1, 1 }, { DT_FLOAT, 1, &bn_one, bn_f1, 1 },
	    { DT_FLOAT, 1, &bn_one, bn_f1, 1 } },
	  .code = GRT_E_SHAPE, .msg = "rank >= 1" },
	{ "missing inputs", "BatchNormalization", 15, { { DT_FLOAT, 4, bn_xd, bn_x } },
	  .code = GRT_E_INVALID_MODEL, .msg = "has 1 inputs" },
};

START_TEST(bn_errors)
{
	h_expect_case(&bn_errors_table[_i], "node 'test'");
}
END_TEST

START_TEST(bn_opsets)
{
	static const int v[] = { 1, 6, 7, 9, 14, 15, 17, 21 };
	struct harness h;

	for (int i = 0; i < 8; i++)
		ck_assert_msg(op_lookup("BatchNormalization", v[i]) != NULL,
		              "BatchNormalization-%d", v[i]);
	/* opset 1 carries consumed_inputs, which is ignored */
	bn_setup(&h, 1, 0);
	h_attr_ints(&h, "consumed_inputs", 0, NULL);
	h_run_ok(&h);
	expect_vals(&h, 0, bn_want, 4, 1e-6);
	h_free(&h);
}
END_TEST

/* ======================================================== LayerNormalization */

/* Naive LayerNormalization in double; Scale/B already expanded to norm elements. */
static void ref_ln(const float *x, int64_t outer, int64_t norm, const double *s,
                   const double *b, double eps, double *y, double *mean, double *inv)
{
	for (int64_t r = 0; r < outer; r++) {
		double m = 0, v = 0;
		for (int64_t i = 0; i < norm; i++)
			m += x[r * norm + i];
		m /= (double)norm;
		for (int64_t i = 0; i < norm; i++)
			v += (x[r * norm + i] - m) * (x[r * norm + i] - m);
		v /= (double)norm;
		mean[r] = m;
		inv[r] = 1 / sqrt(v + eps);
		for (int64_t i = 0; i < norm; i++)
			y[r * norm + i] = (x[r * norm + i] - m) * inv[r] * s[i] + (b ? b[i] : 0);
	}
}

START_TEST(ln_basic)
{
	struct harness h;
	static const int64_t d[] = { 2, 3 }, three = 3, md[] = { 2, 1 };
	static const float x[] = { 1, 2, 3, 2, 4, 6 }, s[] = { 1, 1, 1 };
	const double k = sqrt(1.5);
	const double y[] = { -k, 0, k, -k, 0, k }, mean[] = { 2, 4 };
	const double inv[] = { sqrt(1.5), sqrt(3.0 / 8) };

	h_init(&h, "LayerNormalization", 17);
	h_input(&h, DT_FLOAT, 2, d, x, 0);
	h_input(&h, DT_FLOAT, 1, &three, s, 1);
	h_attr_float(&h, "epsilon", 0);
	h_output(&h);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 2, d);
	expect_dims(h.out[1], 2, md);
	expect_dims(h.out[2], 2, md);
	ck_assert_int_eq(h.out[1]->dtype, DT_FLOAT);
	expect_vals(&h, 0, y, 6, 1e-6);
	expect_vals(&h, 1, mean, 2, 1e-7);
	expect_vals(&h, 2, inv, 2, 1e-6);
	h_free(&h);
}
END_TEST

START_TEST(ln_axis_equals_rank)
{
	struct harness h;
	static const int64_t d[] = { 2, 3 }, one = 1;
	static const float x[] = { 1, 2, 3, 2, 4, 6 }, s[] = { 2 }, b[] = { 0.5f };
	static const double y[] = { 0.5, 0.5, 0.5, 0.5, 0.5, 0.5 };
	const double inv = 1 / sqrt((double)1e-5f);
	const double invs[] = { inv, inv, inv, inv, inv, inv };

	/* nothing is normalized: x - mean = 0, so Y = B; InvStdDev = 1/sqrt(eps) */
	h_init(&h, "LayerNormalization", 17);
	h_input(&h, DT_FLOAT, 2, d, x, 0);
	h_input(&h, DT_FLOAT, 1, &one, s, 0);
	h_input(&h, DT_FLOAT, 1, &one, b, 0);
	h_attr_int(&h, "axis", 2);
	h_output(&h);
	h_output_none(&h);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[2], 2, d);
	expect_vals(&h, 0, y, 6, 1e-6);
	expect_vals(&h, 2, invs, 6, 1e-6);
	h_free(&h);
}
END_TEST

/* Scale (3) and B (2, 1) broadcast to the normalized shape (2, 3), constant or not. */
START_TEST(ln_broadcast_scale_bias)
{
	static const int64_t d[] = { 2, 2, 3 }, sd = 3, bd[] = { 2, 1 };
	static const float s[] = { 1, 2, 3 }, b[] = { 10, 20 };
	const double se[] = { 1, 2, 3, 1, 2, 3 }, be[] = { 10, 10, 10, 20, 20, 20 };
	float x[12];
	double y[12], mean[2], inv[2];

	rng_state = 9u;
	for (int i = 0; i < 12; i++)
		x[i] = frand();
	ref_ln(x, 2, 6, se, be, 1e-5, y, mean, inv);
	for (int c = 0; c < 2; c++) {
		struct harness h;
		h_init(&h, "LayerNormalization", 17);
		h_input(&h, DT_FLOAT, 3, d, x, 0);
		h_input(&h, DT_FLOAT, 1, &sd, s, c);
		h_input(&h, DT_FLOAT, 2, bd, b, c);
		h_attr_int(&h, "axis", -2);
		h_output(&h);
		h_output(&h);
		h_run_ok(&h);
		expect_vals(&h, 0, y, 12, 1e-5);
		expect_vals(&h, 1, mean, 2, 1e-6);
		h_free(&h);
	}
}
END_TEST

START_TEST(ln_dtypes_and_stash)
{
	struct harness h;
	static const int64_t d[] = { 2, 3 }, three = 3;
	static const double xd[] = { 1, 2, 3, 2, 4, 6 }, sd[] = { 1, 1, 1 }, bd[] = { 0, 0, 1 };
	const double k = sqrt(1.5);
	const double y[] = { -k, 0, k + 1, -k, 0, k + 1 }, mean[] = { 2, 4 };
	uint16_t xh[6], sh[3], bh[3], xb[6], sb[3], bb[3];

	h_init(&h, "LayerNormalization", 17);
	h_input(&h, DT_DOUBLE, 2, d, xd, 0);
	h_input(&h, DT_DOUBLE, 1, &three, sd, 0);
	h_input(&h, DT_DOUBLE, 1, &three, bd, 1);
	h_attr_float(&h, "epsilon", 0);
	h_attr_int(&h, "stash_type", DT_DOUBLE);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	ck_assert_int_eq(h.out[0]->dtype, DT_DOUBLE);
	ck_assert_int_eq(h.out[1]->dtype, DT_DOUBLE);
	expect_vals(&h, 0, y, 6, 1e-12);
	expect_vals(&h, 1, mean, 2, 1e-12);
	h_free(&h);
	for (int i = 0; i < 6; i++) {
		xh[i] = float_to_half((float)xd[i]);
		xb[i] = float_to_bf16((float)xd[i]);
	}
	for (int i = 0; i < 3; i++) {
		sh[i] = float_to_half((float)sd[i]);
		bh[i] = float_to_half((float)bd[i]);
		sb[i] = float_to_bf16((float)sd[i]);
		bb[i] = float_to_bf16((float)bd[i]);
	}
	h_init(&h, "LayerNormalization", 17);
	h_input(&h, DT_FLOAT16, 2, d, xh, 0);
	h_input(&h, DT_FLOAT16, 1, &three, sh, 0);
	h_input(&h, DT_FLOAT16, 1, &three, bh, 0);
	h_attr_float(&h, "epsilon", 0);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	ck_assert_int_eq(h.out[0]->dtype, DT_FLOAT16);
	ck_assert_int_eq(h.out[1]->dtype, DT_FLOAT);   /* stash_type default 1 */
	expect_vals(&h, 0, y, 6, 2e-3);
	expect_vals(&h, 1, mean, 2, 1e-7);
	h_free(&h);
	h_init(&h, "LayerNormalization", 17);
	h_input(&h, DT_BFLOAT16, 2, d, xb, 0);
	h_input(&h, DT_BFLOAT16, 1, &three, sb, 1);
	h_input(&h, DT_BFLOAT16, 1, &three, bb, 1);
	h_attr_float(&h, "epsilon", 0);
	h_attr_int(&h, "stash_type", DT_BFLOAT16);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	ck_assert_int_eq(h.out[0]->dtype, DT_BFLOAT16);
	ck_assert_int_eq(h.out[1]->dtype, DT_BFLOAT16);
	expect_vals(&h, 0, y, 6, 1e-2);
	expect_vals(&h, 1, mean, 2, 1e-2);
	h_free(&h);
}
END_TEST

/* GTCRN: (2, 10, 33, 16) normalized over the last two axes, run-time Scale/B. */
START_TEST(ln_gtcrn_shape)
{
	static const int64_t d[] = { 2, 10, 33, 16 }, sd[] = { 33, 16 };
	enum { OUTER = 20, NORM = 528 };
	static float x[OUTER * NORM], s[NORM], b[NORM];
	static double y[OUTER * NORM], se[NORM], be[NORM];
	double mean[OUTER], inv[OUTER];
	struct harness h;

	rng_state = 77u;
	for (int i = 0; i < OUTER * NORM; i++)
		x[i] = frand() * 4 + 2;
	for (int i = 0; i < NORM; i++) {
		s[i] = frand();
		b[i] = frand();
		se[i] = s[i];
		be[i] = b[i];
	}
	ref_ln(x, OUTER, NORM, se, be, 1e-8, y, mean, inv);
	h_init(&h, "LayerNormalization", 17);
	h_input(&h, DT_FLOAT, 4, d, x, 0);
	h_input(&h, DT_FLOAT, 2, sd, s, 0);
	h_input(&h, DT_FLOAT, 2, sd, b, 0);
	h_attr_int(&h, "axis", -2);
	h_attr_float(&h, "epsilon", 1e-8f);
	h_output(&h);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	expect_vals(&h, 0, y, OUTER * NORM, 1e-5);
	expect_vals(&h, 1, mean, OUTER, 1e-6);
	expect_vals(&h, 2, inv, OUTER, 1e-6);
	h_free(&h);
}
END_TEST

/* One row per bad LayerNormalization; each message must also name the node. */
static const int64_t ln_d[] = { 2, 3 }, ln_two = 2, ln_three = 3;
static const float ln_x[] = { 1, 2, 3, 4, 5, 6 }, ln_s[] = { 1, 1, 1 };
static const double ln_sd[] = { 1, 1, 1 };
static const int32_t ln_xi[] = { 1, 2, 3, 4, 5, 6 };

static const struct h_case ln_errors_table[] = {
	{ "axis 3 of rank 2", "LayerNormalization", 17,
	  { { DT_FLOAT, 2, ln_d, ln_x }, { DT_FLOAT, 1, &ln_three, ln_s } },
	  { { "axis", ATTR_INT, 3 } }, .code = GRT_E_ATTR, .msg = "axis 3 out of range [-2, 2]" },
	{ "Scale of the wrong size", "LayerNormalization", 17,
	  { { DT_FLOAT, 2, ln_d, ln_x }, { DT_FLOAT, 1, &ln_two, ln_s } },
	  .code = GRT_E_SHAPE, .msg = "Scale (input 1) dim 0 is 2" },
	{ "double B, float X", "LayerNormalization", 17,
	  { { DT_FLOAT, 2, ln_d, ln_x }, { DT_FLOAT, 1, &ln_three, ln_s },
	    { DT_DOUBLE, 1, &ln_three, ln_sd } },
	  .code = GRT_E_DTYPE, .msg = "B (input 2) is double but X is float" },
	{ "stash_type int64", "LayerNormalization", 17,
	  { { DT_FLOAT, 2, ln_d, ln_x }, { DT_FLOAT, 1, &ln_three, ln_s } },
	  { { "stash_type", ATTR_INT, DT_INT64 } }, .code = GRT_E_ATTR, .msg = "stash_type 7" },
	{ "int32", "LayerNormalization", 17,
	  { { DT_INT32, 2, ln_d, ln_xi }, { DT_INT32, 1, &ln_three, ln_xi } },
	  .code = GRT_E_DTYPE, .msg = "int32" },
	{ "missing Scale", "LayerNormalization", 17, { { DT_FLOAT, 2, ln_d, ln_x } },
	  .code = GRT_E_INVALID_MODEL, .msg = "has 1 inputs" },
};

START_TEST(ln_errors)
{
	h_expect_case(&ln_errors_table[_i], "node 'test'");
}
END_TEST

START_TEST(ln_opsets)
{
	ck_assert_msg(op_lookup("LayerNormalization", 16) == NULL, "LayerNormalization-16");
	ck_assert_msg(op_lookup("LayerNormalization", 17) != NULL, "LayerNormalization-17");
	ck_assert_msg(op_lookup("LayerNormalization", 18) != NULL, "LayerNormalization-18");
}
END_TEST

/* ===================================================================== main */

/* --- GroupNormalization and InstanceNormalization (ops/nn/norm_group.c) --- */

static const int64_t gn_x[] = { 1, 6, 4 }, gn_c3 = 3, gn_c6 = 6;

static const struct h_case gn_errors_table[] = {
	{ "num_groups not dividing C", "GroupNormalization", 18,
	  { { DT_FLOAT, 3, gn_x }, { DT_FLOAT, 1, &gn_c3 }, { DT_FLOAT, 1, &gn_c3 } },
	  { { "num_groups", ATTR_INT, 4 } }, .code = GRT_E_ATTR, .msg = "divide the 6 channels" },
	{ "no num_groups", "GroupNormalization", 21,
	  { { DT_FLOAT, 3, gn_x }, { DT_FLOAT, 1, &gn_c6 }, { DT_FLOAT, 1, &gn_c6 } },
	  .code = GRT_E_ATTR, .msg = "'num_groups' = -1" },
	{ "opset 18 scale per channel", "GroupNormalization", 18,
	  { { DT_FLOAT, 3, gn_x }, { DT_FLOAT, 1, &gn_c6 }, { DT_FLOAT, 1, &gn_c6 } },
	  { { "num_groups", ATTR_INT, 3 } }, .code = GRT_E_SHAPE,
	  .msg = "input 1 must have shape [3]" },
	{ "opset 21 scale per group", "GroupNormalization", 21,
	  { { DT_FLOAT, 3, gn_x }, { DT_FLOAT, 1, &gn_c3 }, { DT_FLOAT, 1, &gn_c6 } },
	  { { "num_groups", ATTR_INT, 3 } }, .code = GRT_E_SHAPE,
	  .msg = "input 1 must have shape [6]" },
	{ "int32 X", "InstanceNormalization", 6,
	  { { DT_INT32, 3, gn_x }, { DT_INT32, 1, &gn_c6 }, { DT_INT32, 1, &gn_c6 } },
	  .code = GRT_E_DTYPE, .msg = "int32" },
	{ "double scale, float X", "InstanceNormalization", 6,
	  { { DT_FLOAT, 3, gn_x }, { DT_DOUBLE, 1, &gn_c6 }, { DT_FLOAT, 1, &gn_c6 } },
	  .code = GRT_E_DTYPE, .msg = "input 1 is double but X is float" },
};

START_TEST(gn_errors)
{
	h_expect_case(&gn_errors_table[_i], "node 'test'");
}
END_TEST

/* --- the error paths of the issue-16 nn operators: NegativeLogLikelihoodLoss and
 * SoftmaxCrossEntropyLoss (ops/nn/loss.c), LRN and MeanVarianceNormalization
 * (ops/nn/norm_mvn.c), MaxUnpool (ops/nn/pool.c), Dropout (ops/nn/dropout.c), Det
 * (ops/math/det.c); the values are node tests (tests/data/losses) --- */

static const int64_t ls_x2[] = { 2, 3 }, ls_n2[] = { 2 }, ls_x3[] = { 2, 3, 4 },
	ls_t25[] = { 2, 5 }, ls_c2[] = { 2 }, ls_p[] = { 1, 1, 2 }, ls_sq[] = { 2, 3 };
static const float ls_xv[] = { -1, -2, -3, -4, -5, -6 };

static const struct h_case ls_errors_table[] = {
	{ "NLL target out of range", "NegativeLogLikelihoodLoss", 13,
	  { { DT_FLOAT, 2, ls_x2, ls_xv }, { DT_INT64, 1, ls_n2, I64(0, 3) } },
	  .code = GRT_E_INDEX, .msg = "target 3 at 1 is outside [0, 3)" },
	{ "NLL reduction avg", "NegativeLogLikelihoodLoss", 13,
	  { { DT_FLOAT, 2, ls_x2, ls_xv }, { DT_INT64, 1, ls_n2, I64(0, 1) } },
	  { { "reduction", ATTR_STRING, .s = "avg" } },
	  .code = GRT_E_ATTR, .msg = "reduction 'avg'" },
	{ "NLL target shape", "NegativeLogLikelihoodLoss", 12,
	  { { DT_FLOAT, 3, ls_x3 }, { DT_INT64, 2, ls_t25 } },
	  .code = GRT_E_SHAPE, .msg = "[N, d1..dk]" },
	{ "SCE weight of 2 classes for 3", "SoftmaxCrossEntropyLoss", 13,
	  { { DT_FLOAT, 2, ls_x2, ls_xv }, { DT_INT32, 1, ls_n2, I32(0, 1) },
	    { DT_FLOAT, 1, ls_c2, F32(1, 1) } },
	  .code = GRT_E_SHAPE, .msg = "weight" },
	{ "SCE int32 scores", "SoftmaxCrossEntropyLoss", 13,
	  { { DT_INT32, 2, ls_x2 }, { DT_INT64, 1, ls_n2 } },
	  .code = GRT_E_DTYPE, .msg = "int32" },
	{ "Det of a [2, 3]", "Det", 11, { { DT_FLOAT, 2, ls_sq } },
	  .code = GRT_E_SHAPE, .msg = "[*, M, M]" },
	{ "LRN without size", "LRN", 13, { { DT_FLOAT, 3, ls_x3 } },
	  .code = GRT_E_ATTR, .msg = "'size'" },
	{ "MVN axis 3 of rank 3", "MeanVarianceNormalization", 13, { { DT_FLOAT, 3, ls_x3 } },
	  { { "axes", ATTR_INTS, .n = 1, .ints = I64(3) } },
	  .code = GRT_E_ATTR, .msg = "axis" },
	{ "MaxUnpool output_shape smaller", "MaxUnpool", 11,
	  { { DT_FLOAT, 3, ls_p, F32(1, 2) }, { DT_INT64, 3, ls_p, I64(0, 3) },
	    CONST_I64(1, 1, 3) },
	  { { "kernel_shape", ATTR_INTS, .n = 1, .ints = I64(2) },
	    { "strides", ATTR_INTS, .n = 1, .ints = I64(2) } },
	  .code = GRT_E_SHAPE, .msg = "smaller than the unpooled size 4" },
	{ "MaxUnpool index out of range", "MaxUnpool", 11,
	  { { DT_FLOAT, 3, ls_p, F32(1, 2) }, { DT_INT64, 3, ls_p, I64(0, 4) } },
	  { { "kernel_shape", ATTR_INTS, .n = 1, .ints = I64(2) },
	    { "strides", ATTR_INTS, .n = 1, .ints = I64(2) } },
	  .code = GRT_E_INDEX, .msg = "index 4 at 1 is outside [0, 4)" },
	{ "MaxUnpool without kernel_shape", "MaxUnpool", 9,
	  { { DT_FLOAT, 3, ls_p }, { DT_INT64, 3, ls_p } },
	  .code = GRT_E_ATTR, .msg = "kernel_shape" },
	{ "Dropout training with ratio 1", "Dropout", 13,
	  { { DT_FLOAT, 1, ls_n2, F32(1, 2) }, { DT_FLOAT, 0, NULL, F32(1) },
	    { DT_BOOL, 0, NULL, U8(1) } },
	  .code = GRT_E_INDEX, .msg = "ratio 1 is outside [0, 1)" },
};

START_TEST(ls_errors)
{
	h_expect_case(&ls_errors_table[_i], "node 'test'");
}
END_TEST

static Suite *reduce_mean_suite(void)
{
	const struct test_def tests[] = {
		{ "values", rm_axis1_keepdims, .timeout_s = 60 }, { "values", rm_axis0_inner_kept },
		{ "values", rm_non_adjacent_axes }, { "values", rm_all_axes_default },
		{ "values", rm_integer_types }, { "values", rm_float_types },
		{ "values", rm_precision_large }, { "values", rm_gtcrn_trailing },
		{ "values", rm_sweep }, { "values", rm18_axes_input },
		{ "values", rm18_noop_and_empty_axes },
		{ "shapes", rm_scalar_input }, { "shapes", rm_empty },
		{ "errors", rm_errors, 0, N_ELEMS(rm_errors_table) },
		{ "opsets", rm_opsets },
	};

	return suite_from_table("ReduceMean", tests, N_ELEMS(tests));
}

static Suite *batch_norm_suite(void)
{
	const struct test_def tests[] = {
		{ "values", bn_inference }, { "values", bn_default_epsilon },
		{ "values", bn_large_mean }, { "values", bn_training_mode },
		{ "values", bn_training_opset9_outputs }, { "values", bn_dtypes },
		{ "values", bn_sweep },
		{ "shapes", bn_rank1_and_rank2 }, { "shapes", bn_spatial0 },
		{ "errors", bn_errors, 0, N_ELEMS(bn_errors_table) },
		{ "opsets", bn_opsets },
	};

	return suite_from_table("BatchNormalization", tests, N_ELEMS(tests));
}

static Suite *layer_norm_suite(void)
{
	const struct test_def tests[] = {
		{ "values", ln_basic }, { "values", ln_broadcast_scale_bias },
		{ "values", ln_dtypes_and_stash }, { "values", ln_gtcrn_shape },
		{ "shapes", ln_axis_equals_rank },
		{ "errors", ln_errors, 0, N_ELEMS(ln_errors_table) },
		{ "opsets", ln_opsets },
	};

	return suite_from_table("LayerNormalization", tests, N_ELEMS(tests));
}

static Suite *group_norm_suite(void)
{
	const struct test_def tests[] = {
		{ "errors", gn_errors, 0, N_ELEMS(gn_errors_table) },
	};

	return suite_from_table("GroupNormalization", tests, N_ELEMS(tests));
}

static Suite *loss_suite(void)
{
	const struct test_def tests[] = {
		{ "errors", ls_errors, 0, N_ELEMS(ls_errors_table) },
	};

	return suite_from_table("NegativeLogLikelihoodLoss", tests, N_ELEMS(tests));
}

int main(void)
{
	Suite *suites[] = { reduce_mean_suite(), batch_norm_suite(), layer_norm_suite(),
	                    group_norm_suite(), loss_suite() };

	return run_suites(suites, N_ELEMS(suites), 0);
}
