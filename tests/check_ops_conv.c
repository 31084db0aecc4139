/* check_ops_conv.c - Conv and ConvTranspose: hand-computed values, shapes, errors,
 * opsets, a seeded sweep over attribute combinations against a naive reference
 * written from the ONNX definitions, the plane kernel's variants against each other,
 * the plane algorithm read in place, fused activations (node->epi) on every
 * algorithm, and the Winograd algorithm's shapes with both kernel tables.
 * Rerun: make tests/check_ops_conv && ./tests/check_ops_conv (CK_RUN_CASE=name for one). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ops/cpu.h"
#include "ops/nn/conv_internal.h"
#include "tests/check_kernels.h"
#include "ops/math/mathfn.h"
#include "tests/op_harness.h"

/* Adds X, W and (if bd) B; W is a run-time (non-constant) value unless w_const. */
/* 1: the weights are constant (plan-time layouts such as ALGO_COLUMNS's W^T) */
static int w_const;

static void setup(struct harness *h, const char *op, int opset, enum dtype dt, int ndim,
                  const int64_t *xd, const void *xv, const int64_t *wd, const void *wv,
                  int64_t bn, const void *bv)
{
	h_init(h, op, opset);
	ck_assert_msg(h->n.op != NULL, "%s opset %d not in the registry", op, opset);
	h_input(h, dt, ndim, xd, xv, 0);
	h_input(h, dt, ndim, wd, wv, w_const);
	if (bn >= 0)
		h_input(h, dt, 1, &bn, bv, 1);
	h_output(h);
}

/* Y (output 0) has the shape (ndim, dims) and the values want within 1e-5
 * absolute + 1e-5 relative. */
static void expect_y(const struct harness *h, int ndim, const int64_t *dims, const float *want)
{
	const struct tensor *y = h->out[0];
	const float *got = y->data;

	expect_dims(y, ndim, dims);
	for (int64_t i = 0; i < y->numel; i++)
		ck_assert_msg(fabsf(got[i] - want[i]) <= 1e-5f + 1e-5f * fabsf(want[i]),
		              "Y index %lld: got %g, expected %g", (long long)i, got[i], want[i]);
}

/* --- Conv values --- */

static const int64_t d1x5[] = { 1, 1, 5 }, d1x3[] = { 1, 1, 3 };
static const float x12345[] = { 1, 2, 3, 4, 5 };

START_TEST(conv_1d_pads)
{
	struct harness h;
	static const float w[] = { 1, 0, -1 };
	static const int64_t pads[] = { 1, 1 };
	static const float want[] = { -2, -2, -2, -2, 4 };

	setup(&h, "Conv", 11, DT_FLOAT, 3, d1x5, x12345, d1x3, w, -1, NULL);
	h_attr_ints(&h, "pads", 2, pads);
	h_run_ok(&h);
	expect_y(&h, 3, d1x5, want);
	h_free(&h);
}
END_TEST

START_TEST(conv_1d_double)
{
	struct harness h;
	static const double x[] = { 1, 2, 3, 4, 5 }, w[] = { 1, 0, -1 }, b[] = { 0.5 };
	static const int64_t pads[] = { 1, 1 };
	static const double want[] = { -1.5, -1.5, -1.5, -1.5, 4.5 };
	const double *got;

	setup(&h, "Conv", 11, DT_DOUBLE, 3, d1x5, x, d1x3, w, 1, b);
	h_attr_ints(&h, "pads", 2, pads);
	h_run_ok(&h);
	expect_dims(h.out[0], 3, d1x5);
	got = h.out[0]->data;
	ck_assert_int_eq(h.out[0]->dtype, DT_DOUBLE);
	for (int i = 0; i < 5; i++)
		ck_assert_msg(got[i] == want[i], "Y index %d: got %g, expected %g", i, got[i],
		              want[i]);
	h_free(&h);
}
END_TEST

START_TEST(conv_pointwise_group_bias)
{
	struct harness h;
	static const int64_t xd[] = { 1, 2, 1, 2 }, wd[] = { 2, 1, 1, 1 };
	static const float x[] = { 1, 2, 3, 4 }, w[] = { 2, 3 }, b[] = { 10, 20 };
	static const float want[] = { 12, 14, 29, 32 };

	setup(&h, "Conv", 11, DT_FLOAT, 4, xd, x, wd, w, 2, b);
	h_attr_int(&h, "group", 2);
	h_run_ok(&h);
	expect_y(&h, 4, xd, want);
	ck_assert_msg(h.n.scratch_bytes == 0, "pointwise needs no scratch, asked %zu",
	              h.n.scratch_bytes);
	h_free(&h);
}
END_TEST

START_TEST(conv_dilation)
{
	struct harness h;
	static const int64_t xd[] = { 1, 1, 6 }, wd[] = { 1, 1, 2 }, yd[] = { 1, 1, 3 };
	static const int64_t dil[] = { 3 };
	static const float x[] = { 1, 2, 3, 4, 5, 6 }, w[] = { 1, 1 };
	static const float want[] = { 5, 7, 9 };

	setup(&h, "Conv", 11, DT_FLOAT, 3, xd, x, wd, w, -1, NULL);
	h_attr_ints(&h, "dilations", 1, dil);
	h_run_ok(&h);
	expect_y(&h, 3, yd, want);
	h_free(&h);
}
END_TEST

/* x = 1 2 3 4, w = 1 2: SAME_* pads 1 in total, split by auto_pad. */
static void conv_auto_pad(const char *mode, int64_t out, const float *want)
{
	struct harness h;
	static const int64_t xd[] = { 1, 1, 4 }, wd[] = { 1, 1, 2 };
	static const float x[] = { 1, 2, 3, 4 }, w[] = { 1, 2 };
	const int64_t yd[] = { 1, 1, out };

	setup(&h, "Conv", 11, DT_FLOAT, 3, xd, x, wd, w, -1, NULL);
	h_attr_string(&h, "auto_pad", mode);
	h_run_ok(&h);
	expect_y(&h, 3, yd, want);
	h_free(&h);
}

START_TEST(conv_auto_pad_modes)
{
	static const float upper[] = { 5, 8, 11, 4 }, lower[] = { 2, 5, 8, 11 };
	static const float valid[] = { 5, 8, 11 };

	conv_auto_pad("SAME_UPPER", 4, upper);
	conv_auto_pad("SAME_LOWER", 4, lower);
	conv_auto_pad("VALID", 3, valid);
	conv_auto_pad("NOTSET", 3, valid);
}
END_TEST

START_TEST(conv_same_stride)
{
	/* in 5, stride 2, k 3: out ceil(5/2) = 3, total pad 2, 1 each side. */
	struct harness h;
	static const int64_t xd[] = { 1, 1, 5 }, wd[] = { 1, 1, 3 }, yd[] = { 1, 1, 3 };
	static const int64_t s[] = { 2 };
	static const float w[] = { 1, 1, 1 }, want[] = { 3, 9, 9 };

	setup(&h, "Conv", 11, DT_FLOAT, 3, xd, x12345, wd, w, -1, NULL);
	h_attr_string(&h, "auto_pad", "SAME_UPPER");
	h_attr_ints(&h, "strides", 1, s);
	h_run_ok(&h);
	expect_y(&h, 3, yd, want);
	h_free(&h);
}
END_TEST

/* --- ConvTranspose values: x = 1 2, w = 1 1 1, stride 2: full output 1 1 3 2 2 --- */

static const int64_t d1x2[] = { 1, 1, 2 };
static const float x12[] = { 1, 2 }, w111[] = { 1, 1, 1 };
static const int64_t stride2[] = { 2 };

START_TEST(convt_1d_basic)
{
	struct harness h;
	static const int64_t yd[] = { 1, 1, 5 };
	static const float want[] = { 1, 1, 3, 2, 2 };

	setup(&h, "ConvTranspose", 11, DT_FLOAT, 3, d1x2, x12, d1x3, w111, -1, NULL);
	h_attr_ints(&h, "strides", 1, stride2);
	h_run_ok(&h);
	expect_y(&h, 3, yd, want);
	h_free(&h);
}
END_TEST

START_TEST(convt_pads_output_padding)
{
	struct harness h;
	static const int64_t pads[] = { 1, 1 }, opad[] = { 1 };
	static const int64_t yd3[] = { 1, 1, 3 }, yd6[] = { 1, 1, 6 };
	static const float want3[] = { 1, 3, 2 }, want6[] = { 1, 1, 3, 2, 2, 0 };

	setup(&h, "ConvTranspose", 11, DT_FLOAT, 3, d1x2, x12, d1x3, w111, -1, NULL);
	h_attr_ints(&h, "strides", 1, stride2);
	h_attr_ints(&h, "pads", 2, pads);
	h_run_ok(&h);
	expect_y(&h, 3, yd3, want3);
	h_free(&h);

	setup(&h, "ConvTranspose", 11, DT_FLOAT, 3, d1x2, x12, d1x3, w111, -1, NULL);
	h_attr_ints(&h, "strides", 1, stride2);
	h_attr_ints(&h, "output_padding", 1, opad);
	h_run_ok(&h);
	expect_y(&h, 3, yd6, want6);
	h_free(&h);
}
END_TEST

static void convt_os(int opset, const char *auto_pad, int n_os, const int64_t *os,
                     int64_t out, const float *want)
{
	struct harness h;
	const int64_t yd[] = { 1, 1, out };

	setup(&h, "ConvTranspose", opset, DT_FLOAT, 3, d1x2, x12, d1x3, w111, -1, NULL);
	h_attr_ints(&h, "strides", 1, stride2);
	if (auto_pad)
		h_attr_string(&h, "auto_pad", auto_pad);
	if (os)
		h_attr_ints(&h, "output_shape", n_os, os);
	h_run_ok(&h);
	expect_y(&h, 3, yd, want);
	h_free(&h);
}

START_TEST(convt_output_shape)
{
	static const int64_t os4[] = { 4 }, os6[] = { 6 }, os_full[] = { 1, 1, 4 };
	static const float lead[] = { 1, 3, 2, 2 }, trail[] = { 1, 1, 3, 2 };
	static const float longer[] = { 1, 1, 3, 2, 2, 0 };

	/* total pad 1: opset 11 puts the odd pad at the start unless SAME_UPPER */
	convt_os(11, NULL, 1, os4, 4, lead);
	convt_os(11, NULL, 3, os_full, 4, lead);
	convt_os(11, "SAME_UPPER", 1, os4, 4, trail);
	convt_os(11, "SAME_LOWER", 1, os4, 4, lead);
	/* output larger than the full result: zeros at the end */
	convt_os(11, NULL, 1, os6, 6, longer);
	/* SAME_*: output_shape = input * stride */
	convt_os(11, "SAME_UPPER", 0, NULL, 4, trail);
	convt_os(11, "SAME_LOWER", 0, NULL, 4, lead);
	convt_os(11, "VALID", 0, NULL, 5, (const float[]){ 1, 1, 3, 2, 2 });
}
END_TEST

START_TEST(convt_bias_group)
{
	/* two groups of one channel each, one output channel per group */
	struct harness h;
	static const int64_t xd[] = { 1, 2, 2 }, wd[] = { 2, 1, 2 }, yd[] = { 1, 2, 3 };
	static const float x[] = { 1, 2, 3, 4 }, w[] = { 1, 1, 1, -1 }, b[] = { 100, 200 };
	static const float want[] = { 101, 103, 102, 203, 201, 196 };

	setup(&h, "ConvTranspose", 11, DT_FLOAT, 3, xd, x, wd, w, 2, b);
	h_attr_int(&h, "group", 2);
	h_run_ok(&h);
	expect_y(&h, 3, yd, want);
	h_free(&h);
}
END_TEST

/* --- shapes --- */

START_TEST(conv_shape_3d)
{
	struct harness h;
	static const int64_t xd[] = { 2, 4, 5, 6, 7 }, wd[] = { 6, 2, 3, 2, 1 };
	static const int64_t s[] = { 2, 1, 3 }, pads[] = { 1, 0, 0, 1, 1, 2 };
	static const int64_t yd[] = { 2, 6, 3, 6, 3 };

	setup(&h, "Conv", 11, DT_FLOAT, 5, xd, NULL, wd, NULL, 6, NULL);
	h_attr_int(&h, "group", 2);
	h_attr_ints(&h, "strides", 3, s);
	h_attr_ints(&h, "pads", 6, pads);
	h_run_ok(&h);
	expect_dims(h.out[0], 5, yd);
	h_free(&h);
}
END_TEST

START_TEST(convt_shape_3d)
{
	struct harness h;
	static const int64_t xd[] = { 1, 4, 2, 3, 4 }, wd[] = { 4, 3, 2, 3, 1 };
	static const int64_t s[] = { 2, 1, 3 }, dil[] = { 1, 2, 1 }, opad[] = { 1, 0, 2 };
	static const int64_t yd[] = { 1, 6, 5, 7, 12 };

	setup(&h, "ConvTranspose", 11, DT_FLOAT, 5, xd, NULL, wd, NULL, -1, NULL);
	h_attr_int(&h, "group", 2);
	h_attr_ints(&h, "strides", 3, s);
	h_attr_ints(&h, "dilations", 3, dil);
	h_attr_ints(&h, "output_padding", 3, opad);
	h_run_ok(&h);
	expect_dims(h.out[0], 5, yd);
	h_free(&h);
}
END_TEST

START_TEST(conv_depthwise_small_scratch)
{
	struct harness h;
	static const int64_t xd[] = { 1, 16, 7, 33 }, wd[] = { 16, 1, 3, 3 };
	static const int64_t dil[] = { 2, 1 }, pads[] = { 0, 1, 0, 1 }, yd[] = { 1, 16, 3, 33 };

	setup(&h, "Conv", 11, DT_FLOAT, 4, xd, NULL, wd, NULL, 16, NULL);
	h_attr_int(&h, "group", 16);
	h_attr_ints(&h, "dilations", 2, dil);
	h_attr_ints(&h, "pads", 4, pads);
	h_run_ok(&h);
	expect_dims(h.out[0], 4, yd);
	/* padded rows of 4 groups (7 rows of 35 each) and weights, not a column buffer */
	ck_assert_msg(h.n.scratch_bytes <= 8192, "depthwise asked %zu bytes of scratch",
	              h.n.scratch_bytes);
	h_free(&h);
}
END_TEST

START_TEST(conv_scratch_is_tiled)
{
	/* im2col of the whole output would be 9*5 x 600*65 floats: tiles keep it small */
	struct harness h;
	static const int64_t xd[] = { 1, 9, 600, 129 }, wd[] = { 16, 9, 1, 5 };
	static const int64_t s[] = { 1, 2 }, pads[] = { 0, 2, 0, 2 }, yd[] = { 1, 16, 600, 65 };

	setup(&h, "Conv", 11, DT_FLOAT, 4, xd, NULL, wd, NULL, -1, NULL);
	h_attr_ints(&h, "strides", 2, s);
	h_attr_ints(&h, "pads", 4, pads);
	h_run_ok(&h);
	expect_dims(h.out[0], 4, yd);
	ck_assert_msg(h.n.scratch_bytes > 0 && h.n.scratch_bytes <= 65536 * sizeof(float),
	              "scratch %zu bytes", h.n.scratch_bytes);
	h_free(&h);
}
END_TEST

/* --- errors: one row per bad node; each message must also name the node --- */

static const int64_t ex3[] = { 1, 3, 5 }, ex2[] = { 1, 2, 5 }, ex1[] = { 1, 1, 5 };
static const int64_t ew_2_2[] = { 2, 2, 3 }, ew_3_1[] = { 3, 1, 3 }, ew_2_1[] = { 2, 1, 3 };
static const int64_t ew3[] = { 1, 1, 3 }, ew4[] = { 1, 1, 3, 1 }, ew0[] = { 1, 1, 0 };
static const int64_t e2d[] = { 1, 2 }, e6d[] = { 1, 1, 1, 1, 1, 1 }, eb3 = 3;

static const struct h_case conv_errors_table[] = {
	{ "X channels vs W dim 1", "Conv", 11,
	  { { DT_FLOAT, 3, ex3 }, { DT_FLOAT, 3, ew_2_2 } }, .code = GRT_E_SHAPE,
	  .msg = "X has 3 channels but W dim 1 (2) x group (1) = 2" },
	{ "W dim 0 vs group", "Conv", 11, { { DT_FLOAT, 3, ex2 }, { DT_FLOAT, 3, ew_3_1 } },
	  { { "group", ATTR_INT, 2 } }, .code = GRT_E_SHAPE,
	  .msg = "W has 3 output channels (dim 0), not divisible by group 2" },
	{ "B size", "Conv", 11,
	  { { DT_FLOAT, 3, ex2 }, { DT_FLOAT, 3, ew_2_1 }, { DT_FLOAT, 1, &eb3, NULL, 1 } },
	  { { "group", ATTR_INT, 2 } }, .code = GRT_E_SHAPE, .msg = "B must be 1-D with 2 values" },
	{ "negative group", "Conv", 11, { { DT_FLOAT, 3, ex2 }, { DT_FLOAT, 3, ew_2_1 } },
	  { { "group", ATTR_INT, -1 } }, .code = GRT_E_ATTR, .msg = "'group' = -1" },
	{ "ConvTranspose X channels vs W dim 0", "ConvTranspose", 11,
	  { { DT_FLOAT, 3, ex3 }, { DT_FLOAT, 3, ew_2_2 } }, .code = GRT_E_SHAPE,
	  .msg = "X has 3 channels but W dim 0 is 2" },
	{ "ConvTranspose X channels vs group", "ConvTranspose", 11,
	  { { DT_FLOAT, 3, ex3 }, { DT_FLOAT, 3, ew_3_1 } }, { { "group", ATTR_INT, 2 } },
	  .code = GRT_E_SHAPE, .msg = "X has 3 channels, not divisible by group 2" },
	{ "ConvTranspose B size", "ConvTranspose", 11,
	  { { DT_FLOAT, 3, ex2 }, { DT_FLOAT, 3, ew_2_1 }, { DT_FLOAT, 1, &eb3, NULL, 1 } },
	  { { "group", ATTR_INT, 2 } }, .code = GRT_E_SHAPE, .msg = "B must be 1-D with 2 values" },
	{ "rank 2", "Conv", 11, { { DT_FLOAT, 2, e2d }, { DT_FLOAT, 2, e2d } },
	  .code = GRT_E_SHAPE, .msg = "X has rank 2" },
	{ "4 spatial axes", "Conv", 11, { { DT_FLOAT, 6, e6d }, { DT_FLOAT, 6, e6d } },
	  .code = GRT_E_UNSUPPORTED, .msg = "4 spatial axes" },
	{ "W rank vs X rank", "Conv", 11, { { DT_FLOAT, 3, ex1 }, { DT_FLOAT, 4, ew4 } },
	  .code = GRT_E_SHAPE, .msg = "W has rank 4, X has rank 3" },
	{ "int32", "Conv", 11, { { DT_INT32, 3, ex1 }, { DT_INT32, 3, ew3 } },
	  .code = GRT_E_DTYPE, .msg = "unsupported element type" },
	{ "ConvTranspose X and W dtypes", "ConvTranspose", 11,
	  { { DT_FLOAT, 3, ex1 }, { DT_DOUBLE, 3, ew3 } }, .code = GRT_E_DTYPE,
	  .msg = "X is float but W is double" },
	{ "no W", "Conv", 11, { { DT_FLOAT, 3, ex1 } }, .code = GRT_E_INVALID_MODEL,
	  .msg = "has 1 inputs" },
	{ "strides count", "Conv", 11, { { DT_FLOAT, 3, ex1 }, { DT_FLOAT, 3, ew3 } },
	  { { "strides", ATTR_INTS, .n = 2, .ints = DIMS(1, 1) } }, .code = GRT_E_ATTR,
	  .msg = "attribute 'strides' has 2 values, expected 1" },
	{ "zero dilation", "Conv", 11, { { DT_FLOAT, 3, ex1 }, { DT_FLOAT, 3, ew3 } },
	  { { "dilations", ATTR_INTS, .n = 1, .ints = DIMS(0) } }, .code = GRT_E_ATTR,
	  .msg = "'dilations'[0] = 0, must be in [1, 65536]" },
	{ "negative pads", "Conv", 11, { { DT_FLOAT, 3, ex1 }, { DT_FLOAT, 3, ew3 } },
	  { { "pads", ATTR_INTS, .n = 2, .ints = DIMS(-1, 0) } }, .code = GRT_E_ATTR,
	  .msg = "'pads'[0] = -1, must be in [0, 65536]" },
	/* an empty kernel (found by fuzz_mutate: the plane plan's tap bounds overflowed) */
	{ "empty kernel", "Conv", 11, { { DT_FLOAT, 3, ex1 }, { DT_FLOAT, 3, ew0 } },
	  .code = GRT_E_SHAPE, .msg = "W dim 2 (a kernel dim) is 0, must be >= 1" },
	/* huge strides or pads are refused before any size arithmetic overflows */
	{ "huge stride", "Conv", 11, { { DT_FLOAT, 3, ex1 }, { DT_FLOAT, 3, ew3 } },
	  { { "strides", ATTR_INTS, .n = 1, .ints = DIMS(INT64_MAX) } }, .code = GRT_E_ATTR,
	  .msg = "'strides'[0] = 9223372036854775807, must be in [1, 65536]" },
	{ "kernel_shape vs W", "Conv", 11, { { DT_FLOAT, 3, ex1 }, { DT_FLOAT, 3, ew3 } },
	  { { "kernel_shape", ATTR_INTS, .n = 1, .ints = DIMS(2) } }, .code = GRT_E_SHAPE,
	  .msg = "kernel_shape[0] = 2 but W dim 2 is 3" },
	{ "auto_pad SAME", "Conv", 11, { { DT_FLOAT, 3, ex1 }, { DT_FLOAT, 3, ew3 } },
	  { { "auto_pad", ATTR_STRING, .s = "SAME" } }, .code = GRT_E_ATTR,
	  .msg = "'auto_pad' is \"SAME\"" },
	{ "auto_pad INT", "Conv", 11, { { DT_FLOAT, 3, ex1 }, { DT_FLOAT, 3, ew3 } },
	  { { "auto_pad", ATTR_INT, 1 } }, .code = GRT_E_ATTR, .msg = "'auto_pad' must be STRING" },
	{ "pads with auto_pad", "Conv", 11, { { DT_FLOAT, 3, ex1 }, { DT_FLOAT, 3, ew3 } },
	  { { "auto_pad", ATTR_STRING, .s = "SAME_UPPER" },
	    { "pads", ATTR_INTS, .n = 2, .ints = DIMS(1, 1) } }, .code = GRT_E_ATTR,
	  .msg = "'pads' cannot be used together with auto_pad" },
	{ "dilated kernel too long", "Conv", 11, { { DT_FLOAT, 3, ex1 }, { DT_FLOAT, 3, ew3 } },
	  { { "dilations", ATTR_INTS, .n = 1, .ints = DIMS(3) } }, .code = GRT_E_SHAPE,
	  .msg = "input size 5 plus pads 0 is smaller than the dilated kernel 7" },
};

START_TEST(conv_errors)
{
	h_expect_case(&conv_errors_table[_i], "node 'test'");
}
END_TEST

static const int64_t etx[] = { 1, 1, 2 };

static const struct h_case convt_errors_table[] = {
	{ "pads exceed the output", "ConvTranspose", 11,
	  { { DT_FLOAT, 3, etx }, { DT_FLOAT, 3, ew3 } },
	  { { "pads", ATTR_INTS, .n = 2, .ints = DIMS(3, 3) } }, .code = GRT_E_SHAPE,
	  .msg = "pads 3 + 3 exceed the full output size 4" },
	{ "output_padding vs stride", "ConvTranspose", 11,
	  { { DT_FLOAT, 3, etx }, { DT_FLOAT, 3, ew3 } },
	  { { "strides", ATTR_INTS, .n = 1, .ints = DIMS(2) },
	    { "output_padding", ATTR_INTS, .n = 1, .ints = DIMS(2) } }, .code = GRT_E_ATTR,
	  .msg = "output_padding[0] = 2 must be less than the stride (2)" },
	{ "output_shape with N, M", "ConvTranspose", 11,
	  { { DT_FLOAT, 3, etx }, { DT_FLOAT, 3, ew3 } },
	  { { "output_shape", ATTR_INTS, .n = 3, .ints = DIMS(2, 1, 4) } }, .code = GRT_E_ATTR,
	  .msg = "'output_shape' starts with (2, 1), expected (N, M) = (1, 1)" },
	{ "negative output_shape", "ConvTranspose", 11,
	  { { DT_FLOAT, 3, etx }, { DT_FLOAT, 3, ew3 } },
	  { { "output_shape", ATTR_INTS, .n = 1, .ints = DIMS(-1) } }, .code = GRT_E_ATTR,
	  .msg = "'output_shape'[0] = -1, must be in [0, 1099511627776]" },
	{ "output_padding count", "ConvTranspose", 11,
	  { { DT_FLOAT, 3, etx }, { DT_FLOAT, 3, ew3 } },
	  { { "output_padding", ATTR_INTS, .n = 2, .ints = DIMS(0, 0) } }, .code = GRT_E_ATTR,
	  .msg = "'output_padding' has 2 values, expected 1" },
};

START_TEST(convt_errors)
{
	h_expect_case(&convt_errors_table[_i], "node 'test'");
}
END_TEST

/* --- opsets --- */

/* MACs count only the taps that land inside: Conv over 5 samples with a 3-tap
 * kernel and pads 1 skips the 2 taps in the padding (13, not 15); a
 * ConvTranspose whose pads crop the output does 7 of its 9. */
START_TEST(macs_skip_padding)
{
	static const int64_t d5[3] = { 1, 1, 5 }, d3[3] = { 1, 1, 3 };
	static const float x[5] = { 1, 2, 3, 4, 5 }, w[3] = { 1, 1, 1 };
	struct harness h;

	for (int t = 0; t < 2; t++) {
		h_init(&h, t ? "ConvTranspose" : "Conv", 11);
		h_input(&h, DT_FLOAT, 3, t ? d3 : d5, x, 0);
		h_input(&h, DT_FLOAT, 3, d3, w, 1);
		h_output(&h);
		h_attr_ints(&h, "pads", 2, (const int64_t[2]){ 1, 1 });
		h_run_ok(&h);
		ck_assert_int_eq(h.n.op->macs(&h.n), t ? 7 : 13);
		h_free(&h);
	}
}
END_TEST

START_TEST(opsets_registered)
{
	for (int v = 1; v <= 17; v++) {
		ck_assert_msg(op_lookup("Conv", v) != NULL, "Conv opset %d missing", v);
		ck_assert_msg(op_lookup("ConvTranspose", v) != NULL,
		              "ConvTranspose opset %d missing", v);
	}
}
END_TEST

START_TEST(convt_opset1_pad_split)
{
	/* ConvTranspose-1's formula: odd output_shape pad at the end unless SAME_UPPER */
	static const int64_t os4[] = { 4 };
	static const float lead[] = { 1, 3, 2, 2 }, trail[] = { 1, 1, 3, 2 };

	convt_os(10, NULL, 1, os4, 4, trail);
	convt_os(10, "SAME_UPPER", 1, os4, 4, lead);
	convt_os(1, "SAME_LOWER", 0, NULL, 4, trail);
}
END_TEST

START_TEST(conv_opset1_and_17)
{
	struct harness h;
	static const float w[] = { 1, 0, -1 };
	static const int64_t pads[] = { 1, 1 };
	static const float want[] = { -2, -2, -2, -2, 4 };
	static const int opsets[] = { 1, 17 };

	for (int i = 0; i < 2; i++) {
		setup(&h, "Conv", opsets[i], DT_FLOAT, 3, d1x5, x12345, d1x3, w, -1, NULL);
		h_attr_ints(&h, "pads", 2, pads);
		h_run_ok(&h);
		expect_y(&h, 3, d1x5, want);
		h_free(&h);
	}
}
END_TEST

/* --- sweep against a naive reference --- */

struct geo {
	int transpose, nsp, bias;
	int64_t n, group, cg, mg;
	int64_t in[3], k[3], s[3], d[3], pb[3], pe[3], op[3], out[3];
};

static int64_t rnd(int64_t lo, int64_t hi)   /* [lo, hi] */
{
	rng_state = rng_state * 1664525u + 1013904223u;    /* frand's state */
	return lo + (int64_t)((rng_state >> 8) % (uint32_t)(hi - lo + 1));
}

/* Naive reference, straight from the definitions, in double. Spatial axes beyond
 * nsp have size 1. */
static void reference(const struct geo *g, const double *x, const double *w,
                      const double *b, double *y)
{
	int64_t in[3] = { 1, 1, 1 }, out[3] = { 1, 1, 1 }, k[3] = { 1, 1, 1 };
	int64_t s[3] = { 1, 1, 1 }, d[3] = { 1, 1, 1 }, p[3] = { 0, 0, 0 };
	int64_t c_all = g->group * g->cg, m_all = g->group * g->mg, isz, osz, ksz;

	for (int a = 0; a < g->nsp; a++) {
		in[a] = g->in[a];
		out[a] = g->out[a];
		k[a] = g->k[a];
		s[a] = g->s[a];
		d[a] = g->d[a];
		p[a] = g->pb[a];
	}
	isz = in[0] * in[1] * in[2];
	osz = out[0] * out[1] * out[2];
	ksz = k[0] * k[1] * k[2];
	for (int64_t n = 0; n < g->n; n++)
		for (int64_t m = 0; m < m_all; m++)
			for (int64_t i = 0; i < osz; i++)
				y[(n * m_all + m) * osz + i] = b ? b[m] : 0;
	for (int64_t n = 0; n < g->n; n++)
	for (int64_t gr = 0; gr < g->group; gr++)
	for (int64_t mm = 0; mm < g->mg; mm++)
	for (int64_t cc = 0; cc < g->cg; cc++)
	for (int64_t j0 = 0; j0 < (g->transpose ? in : out)[0]; j0++)
	for (int64_t j1 = 0; j1 < (g->transpose ? in : out)[1]; j1++)
	for (int64_t j2 = 0; j2 < (g->transpose ? in : out)[2]; j2++)
	for (int64_t t0 = 0; t0 < k[0]; t0++)
	for (int64_t t1 = 0; t1 < k[1]; t1++)
	for (int64_t t2 = 0; t2 < k[2]; t2++) {
		int64_t q0 = j0 * s[0] - p[0] + t0 * d[0];
		int64_t q1 = j1 * s[1] - p[1] + t1 * d[1];
		int64_t q2 = j2 * s[2] - p[2] + t2 * d[2];
		const int64_t *qd = g->transpose ? out : in;
		int64_t c = gr * g->cg + cc, m = gr * g->mg + mm, kt = (t0 * k[1] + t1) * k[2] + t2;
		int64_t jpos, qpos;
		double wv;

		if (q0 < 0 || q0 >= qd[0] || q1 < 0 || q1 >= qd[1] || q2 < 0 || q2 >= qd[2])
			continue;
		jpos = (j0 * (g->transpose ? in : out)[1] + j1) * (g->transpose ? in : out)[2] + j2;
		qpos = (q0 * qd[1] + q1) * qd[2] + q2;
		if (!g->transpose) {
			wv = w[(m * g->cg + cc) * ksz + kt];
			y[(n * m_all + m) * osz + jpos] += wv * x[(n * c_all + c) * isz + qpos];
		} else {
			wv = w[(c * g->mg + mm) * ksz + kt];
			y[(n * m_all + m) * osz + qpos] += wv * x[(n * c_all + c) * isz + jpos];
		}
	}
}

static void random_geo(struct geo *g, int transpose, int kind)
{
	memset(g, 0, sizeof(*g));
	g->transpose = transpose;
	g->nsp = (int)rnd(1, 3);
	g->n = rnd(1, 2);
	g->group = rnd(1, 3);
	g->cg = kind == 1 ? 1 : rnd(1, 3);
	g->mg = kind == 1 ? 1 : rnd(1, 3);
	g->bias = (int)rnd(0, 1);
	for (int a = 0; a < g->nsp; a++) {
		int64_t dk;

		g->in[a] = rnd(1, 6);
		g->k[a] = kind == 2 ? 1 : rnd(1, 3);
		g->s[a] = kind == 2 ? 1 : rnd(1, 3);
		g->d[a] = rnd(1, 2);
		g->pb[a] = kind == 2 ? 0 : rnd(0, 2);
		g->pe[a] = kind == 2 ? 0 : rnd(0, 2);
		dk = (g->k[a] - 1) * g->d[a] + 1;
		if (!transpose) {
			if (g->in[a] + g->pb[a] + g->pe[a] < dk)
				g->in[a] = dk;
			g->out[a] = (g->in[a] + g->pb[a] + g->pe[a] - dk) / g->s[a] + 1;
		} else {
			int64_t full;

			g->op[a] = rnd(0, (g->s[a] > g->d[a] ? g->s[a] : g->d[a]) - 1);
			full = g->s[a] * (g->in[a] - 1) + g->op[a] + dk;
			while (g->pb[a] + g->pe[a] > full) {
				if (g->pb[a])
					g->pb[a]--;
				else
					g->pe[a]--;
			}
			g->out[a] = full - g->pb[a] - g->pe[a];
		}
	}
}

static void describe(const struct geo *g, char *buf, size_t len)
{
	int k = snprintf(buf, len, "%s N %lld group %lld cg %lld mg %lld bias %d",
	                 g->transpose ? "ConvTranspose" : "Conv", (long long)g->n,
	                 (long long)g->group, (long long)g->cg, (long long)g->mg, g->bias);
	for (int a = 0; a < g->nsp && k > 0 && (size_t)k < len; a++)
		k += snprintf(buf + k, len - (size_t)k,
		              " | in %lld k %lld s %lld d %lld pads %lld,%lld op %lld",
		              (long long)g->in[a], (long long)g->k[a], (long long)g->s[a],
		              (long long)g->d[a], (long long)g->pb[a], (long long)g->pe[a],
		              (long long)g->op[a]);
}

/* Runs geometry g through the op in dtype dt and compares with the reference. */
static void check_geo(const struct geo *g, enum dtype dt, const char *label)
{
	struct harness h;
	int64_t xd[5], wd[5], yd[5], pads[6], s[3], d[3], op[3], bn;
	int64_t c_all = g->group * g->cg, m_all = g->group * g->mg;
	int64_t xn, wn, yn, es = dt == DT_FLOAT ? 4 : 8;
	double *x, *w, *b, *ref;
	void *xv, *wv, *bv;
	char desc[512];

	xd[0] = yd[0] = g->n;
	xd[1] = c_all;
	yd[1] = m_all;
	wd[0] = g->transpose ? c_all : m_all;
	wd[1] = g->transpose ? g->mg : g->cg;
	xn = g->n * c_all;
	yn = g->n * m_all;
	wn = wd[0] * wd[1];
	for (int a = 0; a < g->nsp; a++) {
		xd[2 + a] = g->in[a];
		yd[2 + a] = g->out[a];
		wd[2 + a] = g->k[a];
		xn *= g->in[a];
		yn *= g->out[a];
		wn *= g->k[a];
		pads[a] = g->pb[a];
		pads[a + g->nsp] = g->pe[a];
		s[a] = g->s[a];
		d[a] = g->d[a];
		op[a] = g->op[a];
	}
	bn = m_all;
	x = malloc((size_t)xn * sizeof(double));
	w = malloc((size_t)wn * sizeof(double));
	b = malloc((size_t)bn * sizeof(double));
	ref = malloc((size_t)yn * sizeof(double));
	xv = malloc((size_t)(xn + wn + bn) * (size_t)es);
	ck_assert(x && w && b && ref && xv);
	wv = (char *)xv + xn * es;
	bv = (char *)wv + wn * es;
	/* small integers times 1/8: exact in float, so only summation order differs */
	for (int64_t i = 0; i < xn; i++)
		x[i] = (double)rnd(-8, 8) / 8;
	for (int64_t i = 0; i < wn; i++)
		w[i] = (double)rnd(-8, 8) / 8;
	for (int64_t i = 0; i < bn; i++)
		b[i] = (double)rnd(-8, 8);
	for (int64_t i = 0; i < xn + wn + bn; i++) {
		double v = i < xn ? x[i] : i < xn + wn ? w[i - xn] : b[i - xn - wn];
		if (dt == DT_FLOAT)
			((float *)xv)[i] = (float)v;
		else
			((double *)xv)[i] = v;
	}
	reference(g, x, w, g->bias ? b : NULL, ref);
	describe(g, desc, sizeof(desc));

	setup(&h, g->transpose ? "ConvTranspose" : "Conv", 11, dt, 2 + g->nsp, xd, xv, wd, wv,
	      g->bias ? bn : -1, bv);
	h_attr_int(&h, "group", g->group);
	h_attr_ints(&h, "pads", 2 * g->nsp, pads);
	h_attr_ints(&h, "strides", g->nsp, s);
	h_attr_ints(&h, "dilations", g->nsp, d);
	if (g->transpose)
		h_attr_ints(&h, "output_padding", g->nsp, op);
	ck_assert_msg(h_run(&h) == GRT_OK, "%s [%s]: %s", label, desc, h.err);
	expect_dims(h.out[0], 2 + g->nsp, yd);
	for (int64_t i = 0; i < yn; i++) {
		double got = dt == DT_FLOAT ? ((float *)h.out[0]->data)[i]
		                            : ((double *)h.out[0]->data)[i];
		ck_assert_msg(fabs(got - ref[i]) <= 1e-5 + 1e-5 * fabs(ref[i]),
		              "%s [%s] %s: Y index %lld: got %.9g, expected %.9g", label, desc,
		              dtype_name(dt), (long long)i, got, ref[i]);
	}
	h_free(&h);
	free(x);
	free(w);
	free(b);
	free(ref);
	free(xv);
}

/* Completes axis a of g: the output length for its input, kernel, stride,
 * dilation and pads. A Conv's input grows to hold the dilated kernel; a
 * ConvTranspose's pads shrink until its output is not empty. */
static void finish_axis(struct geo *g, int a)
{
	const int64_t dk = (g->k[a] - 1) * g->d[a] + 1;

	if (!g->transpose) {
		if (g->in[a] + g->pb[a] + g->pe[a] < dk)
			g->in[a] = dk;
		g->out[a] = (g->in[a] + g->pb[a] + g->pe[a] - dk) / g->s[a] + 1;
		return;
	}
	const int64_t full = g->s[a] * (g->in[a] - 1) + g->op[a] + dk;
	while (g->pb[a] + g->pe[a] >= full) {
		if (g->pb[a])
			g->pb[a]--;
		else
			g->pe[a]--;
	}
	g->out[a] = full - g->pb[a] - g->pe[a];
}

START_TEST(sweep_random)
{
	struct geo g;
	char label[64];

	rng_state = 12345u + (uint32_t)_i;
	for (int i = 0; i < 150; i++) {
		int kind = i % 5 == 0 ? 1 : i % 5 == 1 ? 2 : 0;   /* depthwise, pointwise, any */
		random_geo(&g, _i, kind);
		snprintf(label, sizeof(label), "sweep %d case %d", _i, i);
		check_geo(&g, i % 3 ? DT_FLOAT : DT_DOUBLE, label);
	}
}
END_TEST

/* Rows long enough for the vector loops and their tails: the last axis 20..70,
 * 3-tap kernels (fused pass, stride 1), strides 1 and 2 (vectorised im2col and
 * col2im), pointwise and depthwise. */
START_TEST(sweep_wide)
{
	struct geo g;
	char label[64];

	rng_state = 555u + (uint32_t)_i;
	for (int i = 0; i < 60; i++) {
		int kind = i % 4 == 0 ? 1 : i % 4 == 1 ? 2 : 0;   /* depthwise, pointwise, any */

		random_geo(&g, _i, kind);
		g.nsp = 2;
		for (int a = 0; a < 2; a++) {
			g.in[a] = a ? rnd(20, 70) : rnd(1, 4);
			g.k[a] = kind == 2 ? 1 : a ? 1 + 2 * rnd(0, 2) : rnd(1, 3);
			g.s[a] = kind == 2 ? 1 : rnd(1, 2);
			g.d[a] = rnd(1, 2);
			g.pb[a] = kind == 2 ? 0 : rnd(0, 2);
			g.pe[a] = kind == 2 ? 0 : rnd(0, 2);
			g.op[a] = 0;
			finish_axis(&g, a);
		}
		snprintf(label, sizeof(label), "wide %d case %d", _i, i);
		check_geo(&g, i % 4 == 3 ? DT_DOUBLE : DT_FLOAT, label);
	}
}
END_TEST

/* Shapes for ops/nn/conv.c's plane algorithm: 1-D and 2-D, at least 256 outputs per
 * channel, stride 1 along H, any stride, dilation and pads along W, ragged row
 * lengths, 1 to 6 output channels per group (4 at a time, then the rest). */
START_TEST(sweep_plane)
{
	struct geo g;
	char label[64];

	rng_state = 2024u + (uint32_t)_i;
	for (int i = 0; i < 60; i++) {
		random_geo(&g, _i, 0);
		g.nsp = (int)rnd(1, 2);
		g.cg = rnd(1, 4);
		g.mg = rnd(1, 6);
		for (int a = 0; a < g.nsp; a++) {
			const int last = a == g.nsp - 1;
			g.in[a] = last ? rnd(g.nsp == 1 ? 260 : 20, g.nsp == 1 ? 400 : 70)
			               : rnd(14, 24);
			g.k[a] = rnd(1, last ? 5 : 3);
			g.s[a] = last ? rnd(1, 3) : 1;
			g.d[a] = rnd(1, 3);
			g.pb[a] = rnd(0, 3);
			g.pe[a] = rnd(0, 3);
			g.op[a] = _i ? rnd(0, (g.s[a] > g.d[a] ? g.s[a] : g.d[a]) - 1) : 0;
			finish_axis(&g, a);
		}
		snprintf(label, sizeof(label), "plane %d case %d", _i, i);
		check_geo(&g, i % 5 == 4 ? DT_DOUBLE : DT_FLOAT, label);
	}
}
END_TEST

/* Shapes for ops/nn/conv.c's taps algorithm (those of the plane algorithm with fewer
 * than 256 outputs per channel, a streaming frame): few rows, ragged widths, strides,
 * dilations and pads along W, dilations along H, 1 to 9 groups (depthwise groups 4 at
 * a time, then the rest), 1 to 6 output channels per group. */
START_TEST(sweep_taps)
{
	struct geo g;
	char label[64];

	rng_state = 7070u + (uint32_t)_i;
	for (int i = 0; i < 80; i++) {
		random_geo(&g, _i, 0);
		g.nsp = (int)rnd(1, 2);
		g.group = rnd(1, 9);
		g.cg = i % 2 ? 1 : rnd(1, 4);
		g.mg = i % 3 ? rnd(1, 2) : rnd(1, 6);
		for (int a = 0; a < g.nsp; a++) {
			const int last = a == g.nsp - 1;
			int64_t dk;
			g.k[a] = rnd(1, last ? 5 : 3);
			g.s[a] = last ? rnd(1, 3) : 1;
			g.d[a] = rnd(1, last ? 2 : 5);
			g.pb[a] = rnd(0, 3);
			g.pe[a] = rnd(0, 3);
			dk = (g.k[a] - 1) * g.d[a] + 1;
			g.in[a] = last ? rnd(8, g.nsp == 1 ? 120 : 40) : rnd(1, dk + 2);
			g.op[a] = _i ? rnd(0, (g.s[a] > g.d[a] ? g.s[a] : g.d[a]) - 1) : 0;
			finish_axis(&g, a);
		}
		snprintf(label, sizeof(label), "taps %d case %d", _i, i);
		check_geo(&g, i % 7 == 6 ? DT_DOUBLE : DT_FLOAT, label);
	}
}
END_TEST

/* Few output columns (fewer than 8) of many output channels, constant weights:
 * ALGO_COLUMNS runs the product transposed (Y^T = col^T W^T, as Silero VAD's
 * convolutions). Any such shape: with and without groups, 1-D and 2-D. */
static void narrow_any(struct geo *g, int i)
{
	g->nsp = (int)rnd(1, 2);
	g->group = i % 4 ? 1 : 2;
	g->cg = rnd(1, 40);
	g->mg = rnd(16, 70);
	for (int a = 0; a < g->nsp; a++) {
		g->k[a] = rnd(1, 5);
		g->s[a] = rnd(1, 2);
		g->d[a] = 1;
		g->pb[a] = rnd(0, g->k[a] / 2);
		g->pe[a] = rnd(0, g->k[a] / 2);
		g->in[a] = rnd(g->k[a], g->k[a] + 3);
		g->op[a] = 0;
		finish_axis(g, a);
	}
}

/* One output row, without an im2col (ops/nn/conv.c): one input channel of long
 * kernels (the taps read X in place where they all lie inside it, else the
 * im2col) and 32 to 48 input channels (a product per tap, over the outputs whose
 * tap lands inside X); pads, strides 1 to 3, dilations 1 and 2, groups, and 2-D
 * with one output row. */
static void narrow_row(struct geo *g, int i)
{
	g->nsp = i % 6 == 5 ? 2 : 1;
	g->group = i % 5 == 4 ? 2 : 1;
	g->cg = i % 4 < 2 ? 1 : rnd(32, 48);
	g->mg = rnd(16, 70);
	for (int a = 0; a < g->nsp; a++) {
		const int last = a == g->nsp - 1;
		int64_t dk;
		g->k[a] = last && g->cg == 1 ? rnd(64, 100) : rnd(2, 4);
		g->s[a] = last ? rnd(1, 3) : 1;
		g->d[a] = rnd(1, 2);
		g->pb[a] = i % 3 ? 0 : rnd(0, 2);
		g->pe[a] = i % 3 ? 0 : rnd(0, 2);
		dk = (g->k[a] - 1) * g->d[a] + 1;
		/* 1 to 7 outputs along the row, one row above it */
		g->in[a] = last ? dk + rnd(0, 6) * g->s[a] - g->pb[a] - g->pe[a] + rnd(0, 1)
		                : dk - g->pb[a] - g->pe[a];
		g->in[a] = g->in[a] < 1 ? 1 : g->in[a];
		g->op[a] = 0;
		finish_axis(g, a);
	}
}

/* _i 0: narrow_any's shapes, 1: narrow_row's */
START_TEST(sweep_narrow)
{
	struct geo g;
	char label[64];

	rng_state = _i ? 6161u : 4242u;
	w_const = 1;
	for (int i = 0; i < (_i ? 48 : 40); i++) {
		random_geo(&g, 0, 0);
		if (_i)
			narrow_row(&g, i);
		else
			narrow_any(&g, i);
		snprintf(label, sizeof(label), "narrow %d case %d", _i, i);
		check_geo(&g, DT_FLOAT, label);
	}
	w_const = 0;
}
END_TEST

/* ConvTranspose with kernels far longer than the input along the rows and 3
 * taps at stride 1 along the last axis: the output rows outnumber the input
 * rows, so the input rows are scattered (p->rows3 = 0) instead of every
 * output row checking every tap (fuzz_mutate's 9-second case). One input
 * channel per group: ALGO_DIRECT. */
START_TEST(sweep_long_kernel)
{
	struct geo g;
	char label[64];

	rng_state = 9191u;
	for (int i = 0; i < 24; i++) {
		random_geo(&g, 0, 1);
		g.transpose = 1;
		g.nsp = 2;
		g.group = rnd(1, 3);
		g.cg = 1;
		g.mg = rnd(1, 3);
		g.k[0] = rnd(20, 90);
		g.s[0] = rnd(1, 9);
		g.d[0] = rnd(1, 2);
		g.pb[0] = rnd(0, 5);
		g.pe[0] = rnd(0, 5);
		g.in[0] = rnd(1, 4);
		g.op[0] = 0;
		finish_axis(&g, 0);
		g.k[1] = 3;
		g.s[1] = 1;
		g.d[1] = rnd(1, 2);
		g.pb[1] = rnd(0, 2);
		g.pe[1] = rnd(0, 2);
		g.in[1] = rnd(4, 20);
		g.op[1] = 0;
		finish_axis(&g, 1);
		snprintf(label, sizeof(label), "long kernel case %d", i);
		check_geo(&g, i % 4 == 3 ? DT_DOUBLE : DT_FLOAT, label);
	}
}
END_TEST

/* Shapes for the plane algorithm read in place (ops/nn/conv.c, pl_inplace): stride 1,
 * rows as wide in X as in Y (W pads that add up to the dilated kernel's reach, split
 * unevenly), rows whose taps leave X at the top and the bottom (or none), depthwise
 * groups and 1 to 3 input channels, 1 to 6 output channels per group (the wider
 * rows and fewer channels take it, the others the planes). */
START_TEST(sweep_inplace)
{
	struct geo g;
	char label[64];

	rng_state = 4242u + (uint32_t)_i;
	for (int i = 0; i < 60; i++) {
		random_geo(&g, _i, 0);
		g.nsp = 2;
		g.group = rnd(1, 3);
		g.cg = i % 2 ? 1 : rnd(1, 3);
		g.mg = i % 3 ? rnd(1, 2) : rnd(1, 6);
		for (int a = 0; a < 2; a++) {
			int64_t dk;
			g.k[a] = rnd(1, 3);
			g.s[a] = 1;
			g.d[a] = rnd(1, a ? 2 : 5);
			g.op[a] = 0;
			dk = (g.k[a] - 1) * g.d[a] + 1;
			g.in[a] = a ? rnd(dk + 2, 90) : rnd(12, 30);
			if (a) {
				g.pb[a] = rnd(0, dk - 1);
				g.pe[a] = dk - 1 - g.pb[a];
			} else {
				g.pb[a] = rnd(0, dk - 1);
				g.pe[a] = rnd(0, dk - 1);
			}
			g.out[a] = _i ? g.in[a] - 1 + dk - g.pb[a] - g.pe[a]
			              : g.in[a] + g.pb[a] + g.pe[a] - dk + 1;
		}
		if (g.out[0] * g.out[1] < 256) {   /* fewer outputs take the taps algorithm */
			g.in[0] += 256 / g.out[1] + 1;
			g.out[0] += 256 / g.out[1] + 1;
		}
		snprintf(label, sizeof(label), "inplace %d case %d", _i, i);
		check_geo(&g, i % 5 == 4 ? DT_DOUBLE : DT_FLOAT, label);
	}
}
END_TEST

START_TEST(sweep_tiled)
{
	/* big enough that im2col / col2im take several tiles */
	struct geo g = {
		.transpose = _i, .nsp = 2, .bias = 1, .n = 2, .group = 2, .cg = 4, .mg = 5,
		.in = { 50, 40 }, .k = { 3, 3 }, .s = { 1, 2 }, .d = { 2, 1 },
		.pb = { 1, 1 }, .pe = { 2, 0 }, .op = { 0, 1 },
	};

	for (int a = 0; a < 2; a++) {
		int64_t dk = (g.k[a] - 1) * g.d[a] + 1;
		g.out[a] = _i ? g.s[a] * (g.in[a] - 1) + g.op[a] + dk - g.pb[a] - g.pe[a]
		              : (g.in[a] + g.pb[a] + g.pe[a] - dk) / g.s[a] + 1;
	}
	rng_state = 777u;
	check_geo(&g, DT_FLOAT, "tiled");
}
END_TEST

START_TEST(sweep_gtcrn_shapes)
{
	/* depthwise ConvTranspose over time, dilation 5, pads 10 (11 frames -> 1) */
	struct geo dw = {
		.transpose = 1, .nsp = 2, .bias = 1, .n = 1, .group = 16, .cg = 1, .mg = 1,
		.in = { 11, 33 }, .k = { 3, 3 }, .s = { 1, 1 }, .d = { 5, 1 },
		.pb = { 10, 1 }, .pe = { 10, 1 }, .out = { 1, 33 },
	};
	/* (1,5) stride (1,2) ConvTranspose 16 -> 16, group 2 */
	struct geo up = {
		.transpose = 1, .nsp = 2, .bias = 1, .n = 1, .group = 2, .cg = 8, .mg = 8,
		.in = { 3, 33 }, .k = { 1, 5 }, .s = { 1, 2 }, .d = { 1, 1 },
		.pb = { 0, 2 }, .pe = { 0, 2 }, .out = { 3, 65 },
	};
	/* (1,5) stride (1,2) Conv 9 -> 16 */
	struct geo down = {
		.transpose = 0, .nsp = 2, .bias = 1, .n = 1, .group = 1, .cg = 9, .mg = 16,
		.in = { 2, 129 }, .k = { 1, 5 }, .s = { 1, 2 }, .d = { 1, 1 },
		.pb = { 0, 2 }, .pe = { 0, 2 }, .out = { 2, 65 },
	};

	/* one streaming frame of each: depthwise Conv over a 5-frame cache, the
	 * input-side Conv 16 -> 16 group 2, the ConvTranspose 16 -> 2 */
	struct geo dw1 = {
		.transpose = 0, .nsp = 2, .bias = 1, .n = 1, .group = 16, .cg = 1, .mg = 1,
		.in = { 5, 33 }, .k = { 3, 3 }, .s = { 1, 1 }, .d = { 2, 1 },
		.pb = { 0, 1 }, .pe = { 0, 1 }, .out = { 1, 33 },
	};
	struct geo down1 = {
		.transpose = 0, .nsp = 2, .bias = 1, .n = 1, .group = 2, .cg = 8, .mg = 8,
		.in = { 1, 65 }, .k = { 1, 5 }, .s = { 1, 2 }, .d = { 1, 1 },
		.pb = { 0, 2 }, .pe = { 0, 2 }, .out = { 1, 33 },
	};
	struct geo up1 = {
		.transpose = 1, .nsp = 2, .bias = 1, .n = 1, .group = 1, .cg = 16, .mg = 2,
		.in = { 1, 65 }, .k = { 1, 5 }, .s = { 1, 2 }, .d = { 1, 1 },
		.pb = { 0, 2 }, .pe = { 0, 2 }, .out = { 1, 129 },
	};

	/* the same over 7 frames: 80 taps, 2 output channels at once */
	struct geo up7 = up1;

	up7.in[0] = up7.out[0] = 7;
	rng_state = 99u;
	check_geo(&up7, DT_FLOAT, "gtcrn ConvTranspose (1,5) 16 -> 2, 7 frames");
	check_geo(&dw, DT_FLOAT, "gtcrn depthwise ConvTranspose");
	check_geo(&up, DT_FLOAT, "gtcrn ConvTranspose (1,5)");
	check_geo(&down, DT_FLOAT, "gtcrn Conv (1,5)");
	check_geo(&dw1, DT_FLOAT, "gtcrn depthwise Conv, one frame");
	check_geo(&down1, DT_FLOAT, "gtcrn Conv (1,5) group 2, one frame");
	check_geo(&up1, DT_FLOAT, "gtcrn ConvTranspose (1,5) 16 -> 2, one frame");
}
END_TEST

/* --- the plane kernel's variants (ops/nn/conv.h) --- */

/* y[o] = bias + sum_q w[q] x[o + off[q]] in double */
static double plane_ref(const float *x, const int64_t *off, const float *w, int64_t nq,
                        float bias, int64_t o)
{
	double s = bias;

	for (int64_t q = 0; q < nq; q++)
		s += (double)w[q] * x[o + off[q]];
	return s;
}

/* Ragged lengths 0..80 (vector blocks and their tails), 0 to 12 taps, 1, 2 and 4
 * output channels, the 4 sharing x or each with its own (depthwise groups), with and
 * without the fused PRelu; the AVX2 or NEON variants when the CPU has them. Outputs past n
 * and inputs past the last offset must be left alone / not needed. */
START_TEST(plane_variants)
{
	enum { NX = 256, NY = 100 };
	static float x[NX], w[4 * 12], y[4 * NY];
	static int64_t off[12];
	/* the portable table, then this CPU's if it has another (ops/cpu.h) */
	const struct kernels *kt[2] = { &kernels_portable, simd_kernels("plane_variants") };
	const int avx2 = kt[1] != NULL;
	float bias[4] = { 0.5f, -1, 0, 2 }, slope[4] = { 0.25f, -0.5f, 0, 1.5f };

	rng_state = 4242u;
	for (int i = 0; i < NX; i++)
		x[i] = (float)rnd(-64, 64) / 16;
	/* v % 4: one channel, 4 sharing x, 4 depthwise, 2 sharing x; v / 4 % 2: PRelu */
	for (int v = 0; v < (avx2 ? 16 : 8); v++)
		for (int64_t nq = 0; nq <= 12; nq += 3)
			for (int64_t n = 0; n <= 80; n += 1 + (n > 20) * 6) {
				const int four = v % 4 == 1 || v % 4 == 2, two = v % 4 == 3;
				const int use_avx2 = v >= 8, act = v / 4 % 2;
				const int64_t xs = v % 4 == 2 ? 29 : 0;
				const float *sl = act ? slope : NULL;
				int64_t maxo = 0;
				for (int64_t q = 0; q < nq; q++) {
					off[q] = rnd(0, 40);
					maxo = off[q] > maxo ? off[q] : maxo;
				}
				for (int i = 0; i < 4 * 12; i++)
					w[i] = (float)rnd(-16, 16) / 8;
				for (int i = 0; i < 4 * NY; i++)
					y[i] = 1e30f;
				/* x from the end, so that a read past n + maxo leaves the array */
				const float *xp = x + NX - (n + maxo + 3 * xs);
				if (four)
					kt[use_avx2]->conv_plane4(y, NY, n, xp, xs, off, w, nq, bias, sl);
				else if (two)
					kt[use_avx2]->conv_plane2(y, NY, n, xp, off, w, nq, bias, sl);
				else
					kt[use_avx2]->conv_plane(y, n, xp, off, w, nq, bias[0], sl);
				for (int j = 0; j < (four ? 4 : two ? 2 : 1); j++)
					for (int64_t o = 0; o < NY; o++) {
						float got = y[j * NY + o];
						double want = o < n ? plane_ref(xp + j * xs, off, w + j * nq,
						                                nq, bias[j], o) : 1e30f;
						if (act && want < 0 && o < n)
							want *= slope[j];
						ck_assert_msg(fabs(got - want) <= 1e-5 + 1e-6 * fabs(want),
						              "plane%s %s%s xs %lld n %lld nq %lld channel %d "
						              "y[%lld]: got %.9g, expected %.9g",
						              four ? "4" : two ? "2" : "", kt[use_avx2]->name,
						              act ? " prelu" : "", (long long)xs, (long long)n,
						              (long long)nq, j, (long long)o, got, want);
					}
			}
}
END_TEST

/* The stride-2 phase copies (ops/nn/conv.h), portable and AVX2 or NEON, lengths 0..70: exact,
 * nothing read or written outside the n (2 n, or n) elements. */
START_TEST(phase_copy_variants)
{
	enum { N = 70 };
	static float x[2 * N], e[N + 1], o[N + 1], y[2 * N + 1];
	const struct kernels *kt[2] = { &kernels_portable, simd_kernels("phase_copy_variants") };
	const int avx2 = kt[1] != NULL;

	for (int i = 0; i < 2 * N; i++)
		x[i] = (float)i + 0.5f;
	for (int v = 0; v < (avx2 ? 2 : 1); v++)
		for (int64_t n = 0; n <= N; n++) {
			const char *name = kt[v]->name;
			/* x from the end: 2 n inputs */
			const float *xp = x + 2 * N - 2 * n;
			for (int i = 0; i <= N; i++)
				e[i] = o[i] = -1;
			kt[v]->conv_deint2(e, o, xp, n);
			for (int64_t i = 0; i <= N; i++) {
				ck_assert_msg(e[i] == (i < n ? xp[2 * i] : -1),
				              "deint2 %s n %lld: e[%lld] = %g", name, (long long)n,
				              (long long)i, e[i]);
				ck_assert_msg(o[i] == (i < n ? xp[2 * i + 1] : -1),
				              "deint2 %s n %lld: o[%lld] = %g", name, (long long)n,
				              (long long)i, o[i]);
			}
			/* interleave back into n outputs: e holds (n + 1) / 2, o n / 2 */
			for (int64_t i = 0; i <= N; i++) {
				e[i] = i < (n + 1) / 2 ? (float)(2 * i) : 1e30f;
				o[i] = i < n / 2 ? (float)(2 * i + 1) : 1e30f;
			}
			for (int i = 0; i <= 2 * N; i++)
				y[i] = -1;
			kt[v]->conv_int2(y, e, o, n);
			for (int64_t i = 0; i <= 2 * N; i++)
				ck_assert_msg(y[i] == (i < n ? (float)i : -1),
				              "int2 %s n %lld: y[%lld] = %g", name, (long long)n,
				              (long long)i, y[i]);
		}
}
END_TEST

/* --- fused activations --- */

struct epi_case {
	const char *label;           /* which algorithm the shape selects */
	const char *op;
	int ndim;
	int64_t xd[5], wd[5];
	int64_t group;
	int64_t strides[3], dil[3], pads[6];
};

static void epi_check(const struct epi_case *c, enum epi_kind kind)
{
	static const char *const names[] = { "none", "sigmoid", "tanh", "prelu", "relu" };
	const int transpose = !strcmp(c->op, "ConvTranspose"), nsp = c->ndim - 2;
	int64_t xn = 1, wn = 1, m_all, bn;
	float *xv, *wv, *bv, *slope, *y0;
	struct harness h;

	for (int i = 0; i < c->ndim; i++) {
		xn *= c->xd[i];
		wn *= c->wd[i];
	}
	m_all = transpose ? c->wd[1] * c->group : c->wd[0];
	bn = m_all;
	xv = malloc((size_t)(xn + wn + 2 * bn) * sizeof(float));
	ck_assert(xv);
	wv = xv + xn;
	bv = wv + wn;
	slope = bv + bn;
	rng_state = 31337u;
	for (int64_t i = 0; i < xn; i++)
		xv[i] = (float)rnd(-64, 64) / 32;
	for (int64_t i = 0; i < wn; i++)
		wv[i] = (float)rnd(-16, 16) / 16;
	for (int64_t i = 0; i < bn; i++) {
		bv[i] = (float)rnd(-8, 8) / 4;
		slope[i] = (float)rnd(-8, 8) / 8;
	}

	y0 = NULL;
	for (int pass = 0; pass < 2; pass++) {
		setup(&h, c->op, 11, DT_FLOAT, c->ndim, c->xd, xv, c->wd, wv, bn, bv);
		h_attr_int(&h, "group", c->group);
		h_attr_ints(&h, "strides", nsp, c->strides);
		h_attr_ints(&h, "dilations", nsp, c->dil);
		h_attr_ints(&h, "pads", 2 * nsp, c->pads);
		if (pass) {
			h.n.epi.kind = kind;
			h.n.epi.slope = slope;
			h.n.epi.fn = kind == EPI_SIGMOID ? fast_sigmoidf_n :
			             kind == EPI_RELU ? relu_f32_n : fast_tanhf_n;
		}
		ck_assert_msg(h_run(&h) == GRT_OK, "%s %s: %s", c->label, names[kind], h.err);
		const struct tensor *y = h.out[0];
		const int64_t per_c = y->numel / (y->dims[0] * m_all);
		if (!pass) {
			/* the activation applied afterwards, as the standalone ops would */
			y0 = malloc((size_t)y->nbytes);
			ck_assert(y0);
			memcpy(y0, y->data, y->nbytes);
			if (kind == EPI_SIGMOID)
				fast_sigmoidf_n(y0, y0, y->numel);
			else if (kind == EPI_TANH)
				fast_tanhf_n(y0, y0, y->numel);
			else if (kind == EPI_RELU)
				relu_f32_n(y0, y0, y->numel);
			else
				for (int64_t i = 0; i < y->numel; i++) {
					float a = slope[(i / per_c) % m_all];
					y0[i] = y0[i] < 0 ? a * y0[i] : y0[i];
				}
		} else {
			const float *got = y->data;
			for (int64_t i = 0; i < y->numel; i++)
				ck_assert_msg(fabsf(got[i] - y0[i]) <= 1e-6f,
				              "%s %s: Y index %lld (channel %lld): got %.9g, expected "
				              "%.9g", c->label, names[kind], (long long)i,
				              (long long)((i / per_c) % m_all), got[i], y0[i]);
		}
		h_free(&h);
	}
	free(y0);
	free(xv);
}

/* One shape per algorithm of ops/nn/conv.c (the comments say why it is chosen), two
 * batch items and groups where the algorithm allows, so that the channel of the
 * PRelu slope is checked too. */
static const struct epi_case epi_cases[] = {
	{ "pointwise, column chunks", "Conv", 4, { 2, 4, 70, 65 }, { 6, 2, 1, 1 }, 2,
	  { 1, 1 }, { 1, 1 }, { 0 } },
	{ "pointwise ConvTranspose", "ConvTranspose", 4, { 2, 4, 3, 7 }, { 4, 3, 1, 1 }, 2,
	  { 1, 1 }, { 1, 1 }, { 0 } },
	{ "plane (2-D, few taps)", "Conv", 4, { 2, 4, 16, 19 }, { 6, 2, 3, 3 }, 2,
	  { 1, 1 }, { 2, 1 }, { 1, 1, 2, 1 } },
	{ "plane, 4 output channels, W stride 2", "Conv", 4, { 1, 3, 16, 41 },
	  { 9, 3, 1, 5 }, 1, { 1, 2 }, { 1, 1 }, { 0, 2, 0, 2 } },
	{ "plane ConvTranspose, W stride 2", "ConvTranspose", 4, { 2, 4, 9, 17 },
	  { 4, 5, 1, 5 }, 2, { 1, 2 }, { 1, 1 }, { 0, 2, 0, 2 } },
	{ "plane ConvTranspose, 80 taps, 2 output channels at once", "ConvTranspose", 4,
	  { 1, 16, 7, 65 }, { 16, 2, 1, 5 }, 1, { 1, 2 }, { 1, 1 }, { 0, 2, 0, 2 } },
	{ "plane, 6 output channels (4, then 2), W stride 2", "Conv", 4, { 1, 3, 16, 41 },
	  { 6, 3, 1, 5 }, 1, { 1, 2 }, { 1, 1 }, { 0, 2, 0, 2 } },
	{ "plane in place (depthwise, rows at the top read outside X)", "Conv", 4,
	  { 2, 4, 24, 33 }, { 4, 1, 3, 3 }, 4, { 1, 1 }, { 2, 1 }, { 4, 1, 0, 1 } },
	{ "plane in place, 4 then 1 output channels", "Conv", 4, { 1, 1, 20, 40 },
	  { 5, 1, 3, 3 }, 1, { 1, 1 }, { 1, 1 }, { 1, 1, 1, 1 } },
	{ "plane in place ConvTranspose (depthwise)", "ConvTranspose", 4,
	  { 2, 4, 26, 33 }, { 4, 1, 3, 3 }, 4, { 1, 1 }, { 2, 1 }, { 4, 1, 0, 1 } },
	{ "taps (one row, depthwise groups 4 at a time, then 2)", "Conv", 4,
	  { 2, 6, 5, 33 }, { 6, 1, 3, 3 }, 6, { 1, 1 }, { 2, 1 }, { 0, 1, 0, 1 } },
	{ "taps, 4 output channels, W stride 2", "Conv", 4, { 1, 9, 1, 129 },
	  { 16, 9, 1, 5 }, 1, { 1, 2 }, { 1, 1 }, { 0, 2, 0, 2 } },
	{ "taps ConvTranspose, W stride 2", "ConvTranspose", 4, { 2, 16, 1, 33 },
	  { 16, 8, 1, 5 }, 2, { 1, 2 }, { 1, 1 }, { 0, 2, 0, 2 } },
	{ "taps ConvTranspose depthwise, one row of 11", "ConvTranspose", 4,
	  { 1, 16, 11, 33 }, { 16, 1, 3, 3 }, 16, { 1, 1 }, { 5, 1 }, { 10, 1, 10, 1 } },
	{ "direct3 (3-D depthwise)", "Conv", 5, { 2, 4, 3, 4, 20 }, { 4, 1, 2, 2, 3 }, 4,
	  { 1, 1, 1 }, { 1, 1, 1 }, { 1, 0, 1, 0, 1, 1 } },
	{ "direct (depthwise, H stride 2)", "Conv", 4, { 2, 4, 9, 20 }, { 4, 1, 3, 2 }, 4,
	  { 2, 1 }, { 1, 1 }, { 1, 0, 1, 1 } },
	{ "direct ConvTranspose (depthwise, H stride 2)", "ConvTranspose", 4,
	  { 2, 4, 5, 20 }, { 4, 1, 3, 2 }, 4, { 2, 1 }, { 1, 1 }, { 1, 0, 1, 1 } },
	{ "columns (im2col, H stride 2)", "Conv", 4, { 2, 6, 9, 20 }, { 4, 3, 3, 3 }, 2,
	  { 2, 1 }, { 1, 2 }, { 1, 2, 0, 2 } },
	{ "columns ConvTranspose (col2im, H stride 2)", "ConvTranspose", 4,
	  { 2, 6, 5, 20 }, { 6, 2, 3, 3 }, 2, { 2, 2 }, { 1, 1 }, { 1, 1, 1, 1 } },
};

START_TEST(epilogue_every_algorithm)
{
	for (size_t i = 0; i < sizeof(epi_cases) / sizeof(epi_cases[0]); i++) {
		epi_check(&epi_cases[i], EPI_SIGMOID);
		epi_check(&epi_cases[i], EPI_TANH);
		epi_check(&epi_cases[i], EPI_PRELU);
		epi_check(&epi_cases[i], EPI_RELU);
	}
}
END_TEST

/* --- Winograd F(4x4, 3x3) (ops/nn/winograd.c) against the reference in double --- */

/* Its error grows with the magnitude of the sums, not with the result (which may
 * cancel to nearly 0): |got - want| <= WINO_TOL * (|b| + sum |w| |x|) over the taps.
 * The transforms' coefficients (up to 8, and 1/24 in the weights) cost a few bits:
 * the largest ratio seen over these cases is 2.2e-6 (float epsilon 6e-8); a wrong
 * coefficient gives 1e-2 or more. */
#define WINO_TOL 1e-5

struct wino_case {
	const char *label;
	int64_t n, group, cg, mg, h, w;
	int64_t pads[4];              /* H begin, W begin, H end, W end */
	int bias;
	enum epi_kind epi;
};

/* Every shape takes ALGO_WINOGRAD (3x3, stride 1, 16+ channels, 256+ tiles) */
static const struct wino_case wino_cases[] = {
	{ "odd plane: partial tiles at the right and the bottom", 1, 1, 16, 16, 67, 71,
	  { 1, 1, 1, 1 }, 1, EPI_NONE },
	{ "one row", 1, 1, 16, 16, 1, 1100, { 1, 1, 1, 1 }, 1, EPI_NONE },
	{ "one column, no bias", 1, 1, 16, 16, 1100, 1, { 1, 1, 1, 1 }, 0, EPI_NONE },
	{ "pads 0, channels not a multiple of the vectors", 1, 1, 17, 19, 70, 70,
	  { 0, 0, 0, 0 }, 1, EPI_NONE },
	{ "asymmetric pads", 1, 1, 16, 18, 66, 65, { 0, 2, 1, 0 }, 1, EPI_NONE },
	{ "pads 2 (beyond the kernel), no bias", 1, 1, 16, 16, 60, 60, { 2, 2, 2, 2 }, 0,
	  EPI_NONE },
	{ "batch 2, fused Relu", 2, 1, 24, 20, 64, 64, { 1, 1, 1, 1 }, 1, EPI_RELU },
	{ "fused PRelu, rows in bands, many blocks", 1, 1, 40, 36, 70, 60, { 1, 1, 1, 1 }, 1,
	  EPI_PRELU },
	{ "fused Sigmoid, no bias", 1, 1, 16, 16, 64, 64, { 1, 1, 1, 1 }, 0, EPI_SIGMOID },
	{ "batch 2, 2 groups", 2, 2, 16, 21, 64, 66, { 1, 1, 1, 1 }, 1, EPI_NONE },
};

/* the activation kind of the epilogue on the reference value v of channel m */
static double wino_act(enum epi_kind kind, double v, const float *slope, int64_t m)
{
	if (kind == EPI_RELU)
		return v > 0 ? v : 0;
	if (kind == EPI_PRELU)
		return v < 0 ? slope[m] * v : v;
	if (kind == EPI_SIGMOID)
		return 1 / (1 + exp(-v));
	return v;
}

static void wino_check(const struct wino_case *c, const struct kernels *k)
{
	struct geo g = { .nsp = 2, .bias = c->bias, .n = c->n, .group = c->group, .cg = c->cg,
	                 .mg = c->mg, .in = { c->h, c->w }, .k = { 3, 3 }, .s = { 1, 1 },
	                 .d = { 1, 1 }, .pb = { c->pads[0], c->pads[1] },
	                 .pe = { c->pads[2], c->pads[3] } };
	const int64_t c_all = c->group * c->cg, m_all = c->group * c->mg;
	int64_t xd[4], wd[4] = { m_all, c->cg, 3, 3 }, xn, wn, yn, per_c;
	double *x, *w, *b, *ref, *mag, worst = 0;
	float *xv, *wv, *bv, *slope;
	struct harness h;

	finish_axis(&g, 0);
	finish_axis(&g, 1);
	xd[0] = c->n;
	xd[1] = c_all;
	xd[2] = c->h;
	xd[3] = c->w;
	xn = c->n * c_all * c->h * c->w;
	wn = m_all * c->cg * 9;
	per_c = g.out[0] * g.out[1];
	yn = c->n * m_all * per_c;
	x = malloc((size_t)(2 * xn + 2 * wn + 2 * m_all + 2 * yn) * sizeof(double));
	xv = malloc((size_t)(xn + wn + 2 * m_all) * sizeof(float));
	ck_assert(x && xv);
	w = x + 2 * xn;
	b = w + 2 * wn;
	ref = b + 2 * m_all;
	mag = ref + yn;
	wv = xv + xn;
	bv = wv + wn;
	slope = bv + m_all;
	rng_state = 4242u;
	fill(xv, xn, 2);
	fill(wv, wn, 0.5f);
	fill(bv, m_all, 1);
	fill(slope, m_all, 1);
	/* the values, then their magnitudes */
	for (int64_t i = 0; i < xn; i++)
		x[xn + i] = fabs(x[i] = xv[i]);
	for (int64_t i = 0; i < wn; i++)
		w[wn + i] = fabs(w[i] = wv[i]);
	for (int64_t i = 0; i < m_all; i++)
		b[m_all + i] = fabs(b[i] = bv[i]);
	reference(&g, x, w, c->bias ? b : NULL, ref);
	reference(&g, x + xn, w + wn, c->bias ? b + m_all : NULL, mag);

	w_const = 1;
	setup(&h, "Conv", 11, DT_FLOAT, 4, xd, xv, wd, wv, c->bias ? m_all : -1, bv);
	w_const = 0;
	h.x.kern = k;
	h_attr_int(&h, "group", c->group);
	h_attr_ints(&h, "pads", 4, c->pads);
	if (c->epi != EPI_NONE)
		op_epilogue_set(&h.n.epi, c->epi, slope, &h.x);
	ck_assert_msg(h_run(&h) == GRT_OK, "%s [%s]: %s", c->label, k->name, h.err);
	ck_assert_msg(((const struct conv_params *)h.n.params)->algo == ALGO_WINOGRAD,
	              "%s: not ALGO_WINOGRAD", c->label);
	expect_dims(h.out[0], 4, (const int64_t[]){ c->n, m_all, g.out[0], g.out[1] });
	for (int64_t i = 0; i < yn; i++) {
		const int64_t m = i / per_c % m_all;
		const double want = wino_act(c->epi, ref[i], slope, m);
		const double got = ((const float *)h.out[0]->data)[i];
		const double err = fabs(got - want) / (mag[i] + 1e-30);
		worst = err > worst ? err : worst;
		ck_assert_msg(fabs(got - want) <= WINO_TOL * mag[i] + 1e-6,
		              "%s [%s]: Y index %lld: got %.9g, expected %.9g (magnitude %g)",
		              c->label, k->name, (long long)i, got, want, mag[i]);
	}
	printf("winograd %-50s [%s]: worst |error| / magnitude %.2g\n", c->label, k->name,
	       worst);
	h_free(&h);
	free(x);
	free(xv);
}

START_TEST(winograd_cases)
{
	const struct kernels *simd = simd_kernels("winograd_cases");

	wino_check(&wino_cases[_i], &kernels_portable);
	if (simd)
		wino_check(&wino_cases[_i], simd);
}
END_TEST

/* Below 16 channels or 256 tiles, or with weights known only at run time, or another
 * stride or dilation, another algorithm: the transforms would cost more than they save,
 * or U could not be made at plan time. */
START_TEST(winograd_not_chosen)
{
	static const struct {
		int64_t c, h, w, stride, dil;
		int wc;
	} cases[] = {
		{ 15, 64, 64, 1, 1, 1 }, { 16, 60, 60, 1, 1, 1 }, { 16, 64, 64, 1, 1, 0 },
		{ 16, 130, 130, 2, 1, 1 }, { 16, 68, 68, 1, 2, 1 },
	};

	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		const int64_t xd[4] = { 1, cases[i].c, cases[i].h, cases[i].w };
		const int64_t wd[4] = { 16, cases[i].c, 3, 3 }, st[2] = { cases[i].stride,
		                                                        cases[i].stride };
		const int64_t dl[2] = { cases[i].dil, cases[i].dil }, pads[4] = { 1, 1, 1, 1 };
		float *xv = calloc((size_t)(cases[i].c * cases[i].h * cases[i].w + 16 *
		                            cases[i].c * 9), sizeof(float));
		struct harness h;

		ck_assert(xv);
		w_const = cases[i].wc;
		setup(&h, "Conv", 11, DT_FLOAT, 4, xd, xv, wd, xv, -1, NULL);
		w_const = 0;
		h_attr_ints(&h, "strides", 2, st);
		h_attr_ints(&h, "dilations", 2, dl);
		h_attr_ints(&h, "pads", 4, pads);
		ck_assert_msg(h_run(&h) == GRT_OK, "case %zu: %s", i, h.err);
		ck_assert_msg(((const struct conv_params *)h.n.params)->algo != ALGO_WINOGRAD,
		              "case %zu took ALGO_WINOGRAD", i);
		h_free(&h);
		free(xv);
	}
}
END_TEST

/* --- the pools (ops/nn/pool.c): Conv's window geometry, their own attributes --- */

static const int64_t px4[] = { 1, 2, 4, 5 }, px2[] = { 2, 5 }, pk22[] = { 2, 2 };
static const int64_t pk66[] = { 6, 6 }, pads1[] = { 1, 1, 1, 1 };

static const struct h_case pool_errors_table[] = {
	{ "no kernel_shape", "MaxPool", 12, { { DT_FLOAT, 4, px4 } }, .code = GRT_E_ATTR,
	  .msg = "'kernel_shape' is required" },
	{ "X of rank 2", "AveragePool", 11, { { DT_FLOAT, 2, px2 } },
	  { { "kernel_shape", ATTR_INTS, .n = 2, .ints = pk22 } }, .code = GRT_E_SHAPE,
	  .msg = "X has rank 2" },
	{ "int8 before opset 12", "MaxPool", 11, { { DT_INT8, 4, px4 } },
	  { { "kernel_shape", ATTR_INTS, .n = 2, .ints = pk22 } }, .code = GRT_E_DTYPE,
	  .msg = "int8" },
	{ "int32 AveragePool", "AveragePool", 19, { { DT_INT32, 4, px4 } },
	  { { "kernel_shape", ATTR_INTS, .n = 2, .ints = pk22 } }, .code = GRT_E_DTYPE,
	  .msg = "int32" },
	{ "Indices before opset 8", "MaxPool", 7, { { DT_FLOAT, 4, px4 } },
	  { { "kernel_shape", ATTR_INTS, .n = 2, .ints = pk22 } }, .n_out = 2,
	  .code = GRT_E_INVALID_MODEL, .msg = "has 2 outputs" },
	{ "storage_order 2", "MaxPool", 12, { { DT_FLOAT, 4, px4 } },
	  { { "kernel_shape", ATTR_INTS, .n = 2, .ints = pk22 },
	    { "storage_order", ATTR_INT, 2 } }, .code = GRT_E_ATTR,
	  .msg = "'storage_order' = 2" },
	{ "pads with SAME_UPPER", "MaxPool", 12, { { DT_FLOAT, 4, px4 } },
	  { { "kernel_shape", ATTR_INTS, .n = 2, .ints = pk22 },
	    { "auto_pad", ATTR_STRING, .s = "SAME_UPPER" },
	    { "pads", ATTR_INTS, .n = 4, .ints = pads1 } }, .code = GRT_E_ATTR,
	  .msg = "'pads' cannot be used together with auto_pad" },
	{ "kernel larger than X", "AveragePool", 11, { { DT_FLOAT, 4, px4 } },
	  { { "kernel_shape", ATTR_INTS, .n = 2, .ints = pk66 } }, .code = GRT_E_SHAPE,
	  .msg = "smaller than the dilated kernel" },
	{ "LpPool p = 0", "LpPool", 18, { { DT_FLOAT, 4, px4 } },
	  { { "kernel_shape", ATTR_INTS, .n = 2, .ints = pk22 }, { "p", ATTR_INT, 0 } },
	  .code = GRT_E_ATTR, .msg = "'p' = 0" },
	{ "GlobalMaxPool of rank 2", "GlobalMaxPool", 1, { { DT_FLOAT, 2, px2 } },
	  .code = GRT_E_SHAPE, .msg = "X has rank 2" },
};

START_TEST(pool_errors)
{
	h_expect_case(&pool_errors_table[_i], "node 'test'");
}
END_TEST

static Suite *conv_suite(void)
{
	const struct test_def tests[] = {
		{ "values", conv_1d_pads }, { "values", conv_1d_double },
		{ "values", conv_pointwise_group_bias }, { "values", conv_dilation },
		{ "values", conv_auto_pad_modes }, { "values", conv_same_stride },
		{ "values", plane_variants }, { "values", phase_copy_variants },
		{ "values", epilogue_every_algorithm },
		{ "shapes", conv_shape_3d }, { "shapes", conv_depthwise_small_scratch },
		{ "shapes", conv_scratch_is_tiled },
		{ "errors", conv_errors, 0, N_ELEMS(conv_errors_table) },
		{ "opsets", opsets_registered }, { "opsets", macs_skip_padding },
		{ "opsets", conv_opset1_and_17 },
		{ "sweep", sweep_random, .timeout_s = 60 }, { "sweep", sweep_tiled },
		{ "sweep", sweep_wide }, { "sweep", sweep_gtcrn_shapes }, { "sweep", sweep_plane },
		{ "sweep", sweep_taps }, { "sweep", sweep_inplace },
		{ "winograd", winograd_cases, 0, N_ELEMS(wino_cases), 60 },
		{ "winograd", winograd_not_chosen },
	};

	return suite_from_table("Conv", tests, N_ELEMS(tests));
}

static Suite *convt_suite(void)
{
	const struct test_def tests[] = {
		{ "values", convt_1d_basic }, { "values", convt_pads_output_padding },
		{ "values", convt_output_shape }, { "values", convt_bias_group },
		{ "shapes", convt_shape_3d },
		{ "errors", convt_errors, 0, N_ELEMS(convt_errors_table) },
		{ "opsets", convt_opset1_pad_split },
		{ "sweep", sweep_random, 1, 2, 60 }, { "sweep", sweep_tiled, 1, 2 },
		{ "sweep", sweep_wide, 1, 2 }, { "sweep", sweep_plane, 1, 2 },
		{ "sweep", sweep_taps, 1, 2 }, { "sweep", sweep_long_kernel },
		{ "sweep", sweep_narrow, 0, 2 }, { "sweep", sweep_inplace, 1, 2 },
	};

	return suite_from_table("ConvTranspose", tests, N_ELEMS(tests));
}

static Suite *pool_suite(void)
{
	const struct test_def tests[] = {
		{ "errors", pool_errors, 0, N_ELEMS(pool_errors_table) },
	};

	return suite_from_table("Pools", tests, N_ELEMS(tests));
}

int main(void)
{
	Suite *suites[] = { conv_suite(), convt_suite(), pool_suite() };

	return run_suites(suites, N_ELEMS(suites), 0);
}
