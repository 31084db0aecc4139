/* check_ops_reduce.c - the cases the ONNX node suite lacks for the reductions (ops/math/reduce.c:
 * Reduce*, ArgMax/ArgMin, CumSum), Softmax/LogSoftmax/Hardmax (ops/nn/softmax.c) and Gemm
 * (ops/math/matmul.c): axes as an input, integer and empty inputs, large values, ties,
 * non-last axes, transposes and broadcasts, errors. Expected values are hand-computed from
 * the ONNX definitions, or (marked "torch") printed by PyTorch 1.13 in float64:
 * tests/data/reduce_goldens.py prints them again.
 * Rerun: make tests/check_ops_reduce && ./tests/check_ops_reduce (CK_RUN_CASE=name for one). */
#include <check.h>
#include <math.h>
#include <string.h>
#include "tests/op_harness.h"

/* One node run: inputs, attributes, then output 0's type, shape and values (within tol,
 * NaN and infinities exactly). */
struct rcase {
	const char *name;
	const char *op_type;
	int opset;
	struct h_in in[3];
	struct h_at at[4];
	enum dtype out_dt;
	int out_ndim;
	const int64_t *out_dims;
	const double *want;
	double tol;
};

#define F64V(...) ((const double[]){ __VA_ARGS__ })

static void run_rcase(const struct rcase *c)
{
	struct harness h;
	const struct tensor *y;

	h_init(&h, c->op_type, c->opset);
	ck_assert_msg(h.n.op != NULL, "%s: %s opset %d not in the registry", c->name, c->op_type,
	              c->opset);
	for (int i = 0; i < 3 && (c->in[i].dt != DT_UNDEFINED || c->in[i].omitted); i++)
		if (c->in[i].omitted)
			h_input_none(&h);
		else
			h_input(&h, c->in[i].dt, c->in[i].ndim, c->in[i].dims, c->in[i].data,
			        c->in[i].is_const);
	for (int i = 0; i < 4 && c->at[i].name; i++) {
		const struct h_at *a = &c->at[i];
		if (a->type == ATTR_INT)
			h_attr_int(&h, a->name, a->i);
		else if (a->type == ATTR_FLOAT)
			h_attr_float(&h, a->name, a->f);
		else
			h_attr_ints(&h, a->name, a->n, a->ints);
	}
	h_output(&h);
	ck_assert_msg(h_run(&h) == GRT_OK, "%s: %s", c->name, h.err);
	y = h.out[0];
	ck_assert_msg(y->dtype == c->out_dt, "%s: output type %s", c->name, dtype_name(y->dtype));
	expect_dims(y, c->out_ndim, c->out_dims);
	for (int64_t i = 0; i < y->numel; i++) {
		double got = h_value(y->dtype, y->data, i), want = c->want[i];
		int ok = isnan(want) ? isnan(got) : isinf(want) ? got == want
		                                                : fabs(got - want) <= c->tol;
		ck_assert_msg(ok, "%s: element %lld: got %.17g, expected %.17g", c->name,
		              (long long)i, got, want);
	}
	h_free(&h);
}

/* ---------------------------------------------------------------- Reduce* */

static const int64_t d2x3[] = { 2, 3 }, d2[] = { 2 }, d1[] = { 1 }, d3[] = { 3 }, d4[] = { 4 };
static const int64_t d2x1[] = { 2, 1 }, d1x3[] = { 1, 3 }, d0x3[] = { 0, 3 };
static const int64_t d6[] = { 6 }, d3x2[] = { 3, 2 }, d4x3[] = { 4, 3 }, d2x4[] = { 2, 4 };
static const int64_t d2x2x3[] = { 2, 2, 3 }, d_scalar[1];
static const float x_big[] = { 1000, 1000, 999, -1000, -1001, -1002 };

static const struct rcase reduce_cases[] = {
	/* torch.logsumexp: exp(1000) overflows a double; the maximum is taken out first */
	{ "LogSumExp large", "ReduceLogSumExp", 13,
	  { { DT_FLOAT, 2, d2x3, x_big } },
	  { { "axes", ATTR_INTS, .n = 1, .ints = I64(1) }, { "keepdims", ATTR_INT, 0 } },
	  DT_FLOAT, 1, d2, F64V(1000.8619948040582, -999.5923940355556), 1e-3 },
	{ "LogSumExp large double, axes input", "ReduceLogSumExp", 18,
	  { { DT_DOUBLE, 1, d6, F64(1000, 1000, 999, -1000, -1001, -1002) }, CONST_I64(0) },
	  { { 0 } }, DT_DOUBLE, 1, d1, F64V(1000.8619948040582), 1e-12 },
	{ "LogSumExp +inf", "ReduceLogSumExp", 13,
	  { { DT_FLOAT, 1, d3, F32(1, INFINITY, 2) } }, { { 0 } },
	  DT_FLOAT, 1, d1, F64V(INFINITY), 0 },
	{ "Max axes input, inner kept", "ReduceMax", 18,
	  { { DT_FLOAT, 2, d2x3, F32(1, 5, 3, 4, 2, 6) }, CONST_I64(0) },
	  { { 0 } }, DT_FLOAT, 2, d1x3, F64V(4, 5, 6), 0 },
	{ "Max noop_with_empty_axes", "ReduceMax", 18,
	  { { DT_FLOAT, 1, d3, F32(1, 5, 3) } }, { { "noop_with_empty_axes", ATTR_INT, 1 } },
	  DT_FLOAT, 1, d3, F64V(1, 5, 3), 0 },
	{ "Max int64 beyond 2^53", "ReduceMax", 13,
	  { { DT_INT64, 1, d3, I64(9007199254740993, 9007199254740992, -5) } }, { { 0 } },
	  DT_INT64, 1, d1, F64V(9007199254740993.0), 0 },
	{ "Min uint8 (opset 12)", "ReduceMin", 12,
	  { { DT_UINT8, 2, d2x3, U8(7, 200, 3, 9, 1, 255) } },
	  { { "axes", ATTR_INTS, .n = 1, .ints = I64(-1) } },
	  DT_UINT8, 2, d2x1, F64V(3, 1), 0 },
	{ "Max bool (opset 20)", "ReduceMax", 20,
	  { { DT_BOOL, 2, d2x3, U8(0, 0, 1, 0, 0, 0) }, CONST_I64(1) },
	  { { "keepdims", ATTR_INT, 0 } }, DT_BOOL, 1, d2, F64V(1, 0), 0 },
	{ "Prod int32", "ReduceProd", 13,
	  { { DT_INT32, 2, d2x3, I32(1, -2, 3, 4, 5, 6) } },
	  { { "axes", ATTR_INTS, .n = 1, .ints = I64(1) } },
	  DT_INT32, 2, d2x1, F64V(-6, 120), 0 },
	{ "L1 int64", "ReduceL1", 13,
	  { { DT_INT64, 2, d2x3, I64(1, -2, 3, -4, 5, -6) } }, { { 0 } },
	  DT_INT64, 2, (const int64_t[]){ 1, 1 }, F64V(21), 0 },
	{ "L2 int32 truncates", "ReduceL2", 13,
	  { { DT_INT32, 1, d2, I32(1, 1) } }, { { 0 } }, DT_INT32, 1, d1, F64V(1), 0 },
	{ "SumSquare double axes input", "ReduceSumSquare", 18,
	  { { DT_DOUBLE, 2, d2x3, F64(1, 2, 3, 4, 5, 6) }, CONST_I64(-1) },
	  { { "keepdims", ATTR_INT, 0 } }, DT_DOUBLE, 1, d2, F64V(14, 77), 0 },
	{ "LogSum all axes", "ReduceLogSum", 18,
	  { { DT_FLOAT, 2, d2x3, F32(1, 2, 3, 4, 5, 6) } }, { { 0 } },
	  DT_FLOAT, 2, (const int64_t[]){ 1, 1 }, F64V(3.044522437723423), 1e-6 },
	/* reductions over no element: the identities of the spec (opset 18) */
	{ "empty Max", "ReduceMax", 18, { { DT_FLOAT, 2, d0x3, NULL }, CONST_I64(0) },
	  { { 0 } }, DT_FLOAT, 2, d1x3, F64V(-INFINITY, -INFINITY, -INFINITY), 0 },
	{ "empty Min", "ReduceMin", 18, { { DT_FLOAT, 2, d0x3, NULL }, CONST_I64(0) },
	  { { 0 } }, DT_FLOAT, 2, d1x3, F64V(INFINITY, INFINITY, INFINITY), 0 },
	{ "empty Max int32: the type's minimum", "ReduceMax", 18,
	  { { DT_INT32, 2, d0x3, NULL }, CONST_I64(0) }, { { "keepdims", ATTR_INT, 0 } },
	  DT_INT32, 1, d3, F64V(-2147483648.0, -2147483648.0, -2147483648.0), 0 },
	{ "empty Min uint8: the type's maximum", "ReduceMin", 18,
	  { { DT_UINT8, 2, d0x3, NULL }, CONST_I64(0) }, { { "keepdims", ATTR_INT, 0 } },
	  DT_UINT8, 1, d3, F64V(255, 255, 255), 0 },
	{ "empty Prod", "ReduceProd", 18, { { DT_INT32, 2, d0x3, NULL }, CONST_I64(0) },
	  { { 0 } }, DT_INT32, 2, d1x3, F64V(1, 1, 1), 0 },
	{ "empty Sum", "ReduceSum", 13, { { DT_FLOAT, 2, d0x3, NULL }, CONST_I64(0) },
	  { { 0 } }, DT_FLOAT, 2, d1x3, F64V(0, 0, 0), 0 },
	{ "empty LogSum", "ReduceLogSum", 18, { { DT_FLOAT, 2, d0x3, NULL }, CONST_I64(0) },
	  { { 0 } }, DT_FLOAT, 2, d1x3, F64V(-INFINITY, -INFINITY, -INFINITY), 0 },
	{ "empty LogSumExp", "ReduceLogSumExp", 18,
	  { { DT_FLOAT, 2, d0x3, NULL }, CONST_I64(0) },
	  { { 0 } }, DT_FLOAT, 2, d1x3, F64V(-INFINITY, -INFINITY, -INFINITY), 0 },
	{ "Max NaN propagates", "ReduceMax", 13, { { DT_FLOAT, 1, d3, F32(1, NAN, 2) } },
	  { { 0 } }, DT_FLOAT, 1, d1, F64V(NAN), 0 },
};

START_TEST(reduce_values)
{
	run_rcase(&reduce_cases[_i]);
}
END_TEST

static const struct h_case reduce_errors_table[] = {
	{ "axes out of range", "ReduceMax", 13, { { DT_FLOAT, 2, d2x3, NULL } },
	  { { "axes", ATTR_INTS, .n = 1, .ints = I64(2) } }, .code = GRT_E_ATTR,
	  .msg = "out of range" },
	{ "axes twice", "ReduceL2", 13, { { DT_FLOAT, 2, d2x3, NULL } },
	  { { "axes", ATTR_INTS, .n = 2, .ints = I64(1, -1) } }, .code = GRT_E_ATTR,
	  .msg = "twice" },
	{ "int8 before opset 12", "ReduceMax", 11, { { DT_INT8, 1, d3, NULL } },
	  .code = GRT_E_DTYPE, .msg = "int8" },
	{ "bool before opset 20", "ReduceMin", 18, { { DT_BOOL, 1, d3, NULL } },
	  .code = GRT_E_DTYPE, .msg = "bool" },
	{ "int8 Sum", "ReduceSum", 13, { { DT_INT8, 1, d3, NULL } },
	  .code = GRT_E_DTYPE, .msg = "int8" },
	{ "axes not constant", "ReduceProd", 18,
	  { { DT_FLOAT, 2, d2x3, NULL }, { DT_INT64, 1, d1, I64(0), 0 } },
	  .code = GRT_E_DYNAMIC, .msg = "axes" },
	{ "ArgMax axis out of range", "ArgMax", 13, { { DT_FLOAT, 2, d2x3, NULL } },
	  { { "axis", ATTR_INT, 2 } }, .code = GRT_E_ATTR, .msg = "axis" },
	{ "ArgMin over an empty axis", "ArgMin", 13, { { DT_FLOAT, 2, d0x3, NULL } },
	  .code = GRT_E_SHAPE, .msg = "no elements" },
	{ "CumSum float16 before opset 14", "CumSum", 11,
	  { { DT_FLOAT16, 1, d3, NULL }, CONST_I64(0) }, .code = GRT_E_DTYPE,
	  .msg = "float16" },
	{ "CumSum axis of two values", "CumSum", 14,
	  { { DT_FLOAT, 2, d2x3, NULL }, CONST_I64(0, 1) }, .code = GRT_E_SHAPE,
	  .msg = "one value" },
	{ "Softmax int32", "Softmax", 13, { { DT_INT32, 1, d3, NULL } },
	  .code = GRT_E_DTYPE, .msg = "int32" },
	{ "Softmax axis out of range", "Softmax", 13, { { DT_FLOAT, 2, d2x3, NULL } },
	  { { "axis", ATTR_INT, -3 } }, .code = GRT_E_ATTR, .msg = "axis" },
	{ "Gemm K mismatch", "Gemm", 13,
	  { { DT_FLOAT, 2, d2x3, NULL }, { DT_FLOAT, 2, d2x3, NULL } },
	  .code = GRT_E_SHAPE, .msg = "columns" },
	{ "Gemm C does not broadcast", "Gemm", 13,
	  { { DT_FLOAT, 2, d2x3, NULL }, { DT_FLOAT, 2, d3x2, NULL },
	    { DT_FLOAT, 1, d3, NULL } }, .code = GRT_E_SHAPE, .msg = "broadcast" },
	{ "Gemm without C before opset 11", "Gemm", 9,
	  { { DT_FLOAT, 2, d2x3, NULL }, { DT_FLOAT, 2, d3x2, NULL } },
	  .code = GRT_E_INVALID_MODEL, .msg = "input" },
	{ "Gemm opset 6, broadcast 0, C a row", "Gemm", 6,
	  { { DT_FLOAT, 2, d2x3, NULL }, { DT_FLOAT, 2, d3x2, NULL },
	    { DT_FLOAT, 1, d2, NULL } }, .code = GRT_E_SHAPE, .msg = "broadcast = 0" },
	{ "Gemm int32 before opset 9", "Gemm", 7,
	  { { DT_INT32, 2, d2x3, NULL }, { DT_INT32, 2, d3x2, NULL },
	    { DT_INT32, 1, d2, NULL } }, .code = GRT_E_DTYPE, .msg = "int32" },
	{ "Gemm rank 3", "Gemm", 13,
	  { { DT_FLOAT, 3, d2x2x3, NULL }, { DT_FLOAT, 2, d3x2, NULL } },
	  .code = GRT_E_SHAPE, .msg = "matrices" },
};

START_TEST(reduce_errors)
{
	h_expect_case(&reduce_errors_table[_i], NULL);
}
END_TEST

/* -------------------------------------------------------- ArgMax, ArgMin */

static const struct rcase arg_cases[] = {
	{ "ties, first", "ArgMax", 13, { { DT_FLOAT, 2, d2x3, F32(3, 1, 3, 2, 2, 0) } },
	  { { "axis", ATTR_INT, 1 } }, DT_INT64, 2, d2x1, F64V(0, 0), 0 },
	{ "ties, select_last_index", "ArgMax", 12,
	  { { DT_FLOAT, 2, d2x3, F32(3, 1, 3, 2, 2, 0) } },
	  { { "axis", ATTR_INT, -1 }, { "select_last_index", ATTR_INT, 1 } },
	  DT_INT64, 2, d2x1, F64V(2, 1), 0 },
	{ "ArgMin ties, last, axis 0, no keepdims", "ArgMin", 13,
	  { { DT_INT32, 2, d2x3, I32(5, 1, 7, 5, 0, 7) } },
	  { { "keepdims", ATTR_INT, 0 }, { "select_last_index", ATTR_INT, 1 } },
	  DT_INT64, 1, d3, F64V(1, 1, 1), 0 },
	/* ONNX Runtime 1.30 (and numpy): the first NaN, whichever the op */
	{ "NaN first", "ArgMax", 13, { { DT_FLOAT, 1, d4, F32(1, NAN, 3, NAN) } },
	  { { 0 } }, DT_INT64, 1, d1, F64V(1), 0 },
	{ "ArgMin NaN last", "ArgMin", 13, { { DT_FLOAT, 1, d4, F32(1, NAN, 0, NAN) } },
	  { { "select_last_index", ATTR_INT, 1 } }, DT_INT64, 1, d1, F64V(3), 0 },
	{ "int64 beyond 2^53", "ArgMax", 13,
	  { { DT_INT64, 1, d3, I64(9007199254740992, 9007199254740993, 9007199254740992) } },
	  { { 0 } }, DT_INT64, 1, d1, F64V(1), 0 },
	{ "uint8, middle axis", "ArgMin", 11,
	  { { DT_UINT8, 3, d2x2x3, U8(9, 2, 3, 1, 5, 3, 0, 0, 0, 1, 0, 200) } },
	  { { "axis", ATTR_INT, 1 } }, DT_INT64, 3, (const int64_t[]){ 2, 1, 3 },
	  F64V(1, 0, 0, 0, 0, 0), 0 },
};

START_TEST(arg_values)
{
	run_rcase(&arg_cases[_i]);
}
END_TEST

/* ------------------------------------------------------------------ CumSum */

static const struct rcase cumsum_cases[] = {
	{ "int64 beyond 2^53", "CumSum", 14,
	  { { DT_INT64, 1, d3, I64(9007199254740993, 1, -2) }, CONST_I64(0) }, { { 0 } },
	  DT_INT64, 1, d3, F64V(9007199254740993.0, 9007199254740994.0, 9007199254740992.0), 0 },
	{ "int64 exclusive reverse, axis 1", "CumSum", 11,
	  { { DT_INT64, 2, d2x3, I64(1, 2, 3, 4, 5, 6) }, CONST_I64(1) },
	  { { "exclusive", ATTR_INT, 1 }, { "reverse", ATTR_INT, 1 } },
	  DT_INT64, 2, d2x3, F64V(5, 3, 0, 11, 6, 0), 0 },
	{ "int32 axis -2, axis given as int32 at run time", "CumSum", 14,
	  { { DT_INT32, 2, d2x3, I32(1, 2, 3, 4, 5, 6) }, { DT_INT32, 0, d_scalar, I32(-2), 0 } },
	  { { 0 } }, DT_INT32, 2, d2x3, F64V(1, 2, 3, 5, 7, 9), 0 },
	{ "uint32 wraps", "CumSum", 14,
	  { { DT_UINT32, 1, d2, (const uint32_t[]){ 4294967295u, 2 } }, CONST_I64(0) },
	  { { 0 } }, DT_UINT32, 1, d2, F64V(4294967295.0, 1), 0 },
	{ "float exclusive", "CumSum", 14,
	  { { DT_FLOAT, 1, d3, F32(0.5, 0.25, 1) }, CONST_I64(0) },
	  { { "exclusive", ATTR_INT, 1 } }, DT_FLOAT, 1, d3, F64V(0, 0.5, 0.75), 0 },
};

START_TEST(cumsum_values)
{
	run_rcase(&cumsum_cases[_i]);
}
END_TEST

/* ---------------------------------------------- Softmax, LogSoftmax, Hardmax */

static const float x2x2x3[] = { 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75 };

static const struct rcase softmax_cases[] = {
	/* torch.softmax(x, 0) */
	{ "Softmax axis 0", "Softmax", 13, { { DT_FLOAT, 2, d2x3, F32(1, 2, 3, 4, 6, 0) } },
	  { { "axis", ATTR_INT, 0 } }, DT_FLOAT, 2, d2x3,
	  F64V(0.04742587317756679, 0.017986209962091555, 0.9525741268224334,
	       0.9525741268224334, 0.9820137900379085, 0.04742587317756679), 1e-7 },
	/* torch.log_softmax(x, 0) */
	{ "LogSoftmax axis 0, double", "LogSoftmax", 13,
	  { { DT_DOUBLE, 2, d2x3, F64(1, 2, 3, 4, 6, 0) } },
	  { { "axis", ATTR_INT, -2 } }, DT_DOUBLE, 2, d2x3,
	  F64V(-3.048587351573742, -4.0181499279178094, -0.048587351573741965,
	       -0.048587351573741965, -0.01814992791780978, -3.048587351573742), 1e-14 },
	/* torch.softmax(x, 1) of [2,2,3]: one axis (opset 13) */
	{ "Softmax middle axis", "Softmax", 13, { { DT_FLOAT, 3, d2x2x3, x2x2x3 } },
	  { { "axis", ATTR_INT, 1 } }, DT_FLOAT, 3, d2x2x3,
	  F64V(0.32082130082460697, 0.32082130082460697, 0.32082130082460697,
	       0.679178699175393, 0.679178699175393, 0.679178699175393,
	       0.32082130082460697, 0.32082130082460697, 0.32082130082460697,
	       0.679178699175393, 0.679178699175393, 0.679178699175393), 1e-7 },
	/* torch.softmax(x.reshape(2, 6), 1): opset 11 coerces [2,2,3] at axis 1 to [2, 6] */
	{ "Softmax opset 11 coerced", "Softmax", 11, { { DT_FLOAT, 3, d2x2x3, x2x2x3 } },
	  { { "axis", ATTR_INT, 1 } }, DT_FLOAT, 3, d2x2x3,
	  F64V(0.08157690447072667, 0.1047468187551209, 0.13449757759875944,
	       0.17269830811973894, 0.22174901704471575, 0.28473137401093823,
	       0.08157690447072667, 0.1047468187551209, 0.13449757759875944,
	       0.17269830811973894, 0.22174901704471575, 0.28473137401093823), 1e-7 },
	{ "Softmax large values", "Softmax", 13,
	  { { DT_FLOAT, 1, d2, F32(10000, 10000) } }, { { 0 } }, DT_FLOAT, 1, d2,
	  F64V(0.5, 0.5), 0 },
	{ "Hardmax ties, axis 0", "Hardmax", 13, { { DT_FLOAT, 2, d2x3, F32(1, 2, 3, 1, 6, 0) } },
	  { { "axis", ATTR_INT, 0 } }, DT_FLOAT, 2, d2x3, F64V(1, 0, 1, 0, 1, 0), 0 },
	{ "Hardmax opset 1 coerced (axis default 1)", "Hardmax", 1,
	  { { DT_FLOAT, 3, d2x2x3, x2x2x3 } }, { { 0 } }, DT_FLOAT, 3, d2x2x3,
	  F64V(0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1), 0 },
};

START_TEST(softmax_values)
{
	run_rcase(&softmax_cases[_i]);
}
END_TEST

/* -------------------------------------------------------------------- Gemm */

/* A [3,2] (transA), B [4,3] (transB), C [2,1]: torch 0.5 * A.T @ B.T + 2 * C */
static const float ga[] = { 1, 2, 3, 4, 5, 6 };
static const float gb[] = { 1, 0, 2, 0, 1, 1, 1, 1, 0, 2, 0, 1 };
static const double g_want[] = { 7.5, 6, 4, 5.5, 11, 9, 7, 9 };
#define GEMM_T_ATTRS                                                                 \
	{ { "transA", ATTR_INT, 1 }, { "transB", ATTR_INT, 1 },                          \
	  { "alpha", ATTR_FLOAT, .f = 0.5f }, { "beta", ATTR_FLOAT, .f = 2.0f } }

static const struct rcase gemm_cases[] = {
	{ "transA transB, constant B, C column", "Gemm", 13,
	  { { DT_FLOAT, 2, d3x2, ga }, { DT_FLOAT, 2, d4x3, gb, 1 },
	    { DT_FLOAT, 2, d2x1, F32(1, 2) } }, GEMM_T_ATTRS, DT_FLOAT, 2, d2x4, g_want, 1e-6 },
	{ "transA transB, B at run time", "Gemm", 13,
	  { { DT_FLOAT, 2, d3x2, ga }, { DT_FLOAT, 2, d4x3, gb, 0 },
	    { DT_FLOAT, 2, d2x1, F32(1, 2) } }, GEMM_T_ATTRS, DT_FLOAT, 2, d2x4, g_want, 1e-6 },
	{ "double", "Gemm", 13,
	  { { DT_DOUBLE, 2, d3x2, F64(1, 2, 3, 4, 5, 6) },
	    { DT_DOUBLE, 2, d4x3, F64(1, 0, 2, 0, 1, 1, 1, 1, 0, 2, 0, 1) },
	    { DT_DOUBLE, 2, d2x1, F64(1, 2) } }, GEMM_T_ATTRS, DT_DOUBLE, 2, d2x4, g_want, 0 },
	{ "int32", "Gemm", 13,
	  { { DT_INT32, 2, d3x2, I32(1, 2, 3, 4, 5, 6) },
	    { DT_INT32, 2, d4x3, I32(1, 0, 2, 0, 1, 1, 1, 1, 0, 2, 0, 1), 1 },
	    { DT_INT32, 2, d2x1, I32(1, 2) } },
	  { { "transA", ATTR_INT, 1 }, { "transB", ATTR_INT, 1 } }, DT_INT32, 2, d2x4,
	  F64V(12, 9, 5, 8, 16, 12, 8, 12), 0 },   /* torch */
	/* no C (opset 11); [1,3] x [3,2] */
	{ "no C, row vector", "Gemm", 11,
	  { { DT_FLOAT, 2, d1x3, F32(1, 2, 3) }, { DT_FLOAT, 2, d3x2, F32(1, 2, 3, 4, 5, 6), 1 } },
	  { { 0 } }, DT_FLOAT, 2, (const int64_t[]){ 1, 2 }, F64V(22, 28), 0 },
	{ "opset 6, broadcast 1, C a row", "Gemm", 6,
	  { { DT_FLOAT, 2, d1x3, F32(1, 2, 3) }, { DT_FLOAT, 2, d3x2, F32(1, 2, 3, 4, 5, 6) },
	    { DT_FLOAT, 1, d2, F32(1, -1) } },
	  { { "broadcast", ATTR_INT, 1 } }, DT_FLOAT, 2, (const int64_t[]){ 1, 2 },
	  F64V(23, 27), 0 },
	{ "scalar C, alpha", "Gemm", 13,
	  { { DT_FLOAT, 2, d1x3, F32(1, 2, 3) }, { DT_FLOAT, 2, d3x2, F32(1, 2, 3, 4, 5, 6) },
	    { DT_FLOAT, 0, d_scalar, F32(10) } },
	  { { "alpha", ATTR_FLOAT, .f = 2.0f } }, DT_FLOAT, 2, (const int64_t[]){ 1, 2 },
	  F64V(54, 66), 0 },
};

START_TEST(gemm_values)
{
	run_rcase(&gemm_cases[_i]);
}
END_TEST

/* float16 Gemm through float copies: small integers are exact */
START_TEST(gemm_float16)
{
	struct harness h;
	uint16_t a[6], b[6], want[4];
	static const float fa[] = { 1, 2, 3, 4, 5, 6 }, fb[] = { 1, 2, 3, 4, 5, 6 };
	static const float fw[] = { 22 + 1, 28 + 1, 49 + 1, 64 + 1 };
	static const int64_t od[] = { 2, 2 };

	for (int i = 0; i < 6; i++) {
		a[i] = float_to_half(fa[i]);
		b[i] = float_to_half(fb[i]);
	}
	for (int i = 0; i < 4; i++)
		want[i] = float_to_half(fw[i]);
	h_init(&h, "Gemm", 13);
	h_input(&h, DT_FLOAT16, 2, d2x3, a, 0);
	h_input(&h, DT_FLOAT16, 2, d3x2, b, 1);
	h_input(&h, DT_FLOAT16, 1, d1, (const uint16_t[]){ float_to_half(1) }, 0);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT16, 2, od, want);
	h_free(&h);
}
END_TEST

/* Seeded sweep against the definition in double: every transpose pair, constant and
 * run-time B, C as a row, a column, a matrix, alpha and beta, sizes across the
 * micro-kernel's row blocks and vector tails. */
START_TEST(gemm_sweep)
{
	static const int64_t sizes[][3] = { { 1, 1, 1 }, { 3, 5, 7 }, { 4, 8, 16 },
	                                    { 7, 17, 9 }, { 13, 33, 20 } };
	float a[13 * 33], b[33 * 20], c[13 * 20], want[13 * 20];

	rng_state = 15;
	for (size_t si = 0; si < N_ELEMS(sizes); si++)
		for (int v = 0; v < 16; v++) {
			int64_t m = sizes[si][0], k = sizes[si][1], nn = sizes[si][2];
			int ta = v & 1, tb = (v >> 1) & 1, cst = (v >> 2) & 1, ck = v >> 2;
			int64_t ad[2] = { ta ? k : m, ta ? m : k };
			int64_t bd[2] = { tb ? nn : k, tb ? k : nn };
			int64_t cd[2] = { ck == 1 ? 1 : m, ck == 2 ? 1 : nn }, yd[2] = { m, nn };
			float alpha = v & 4 ? 0.75f : 1.0f, beta = v & 8 ? -1.5f : 1.0f;
			struct harness h;
			fill(a, m * k, 1);
			fill(b, k * nn, 1);
			fill(c, cd[0] * cd[1], 1);
			for (int64_t i = 0; i < m; i++)
				for (int64_t j = 0; j < nn; j++) {
					double sum = 0;
					for (int64_t q = 0; q < k; q++)
						sum += (double)a[ta ? q * m + i : i * k + q] *
						       b[tb ? j * k + q : q * nn + j];
					int64_t ci = (cd[0] > 1 ? i : 0) * cd[1] +
					             (cd[1] > 1 ? j : 0);
					want[i * nn + j] = (float)(alpha * sum + beta * c[ci]);
				}
			h_init(&h, "Gemm", 13);
			h_input(&h, DT_FLOAT, 2, ad, a, 0);
			h_input(&h, DT_FLOAT, 2, bd, b, cst);
			h_input(&h, DT_FLOAT, 2, cd, c, 0);
			h_attr_int(&h, "transA", ta);
			h_attr_int(&h, "transB", tb);
			h_attr_float(&h, "alpha", alpha);
			h_attr_float(&h, "beta", beta);
			h_output(&h);
			h_run_ok(&h);
			expect_dims(h.out[0], 2, yd);
			expect_f32(h.out[0], want, m * nn, 1e-5, 1e-5, "Gemm sweep");
			h_free(&h);
		}
}
END_TEST

/* ------------------------------------------------- float16 and bfloat16 */

/* Each op on float16 and bfloat16 copies of a float input gives the float result
 * (computed in float or double) rounded to the type, within one unit of its last place. */
struct half_case { const char *op_type; int opset; const char *attr; int64_t v; };

static const struct half_case half_cases[] = {
	{ "ReduceMax", 13, "keepdims", 0 }, { "ReduceL2", 13, "keepdims", 1 },
	{ "ReduceLogSumExp", 13, "keepdims", 0 }, { "ReduceProd", 13, "keepdims", 1 },
	{ "Softmax", 13, "axis", 0 }, { "LogSoftmax", 13, "axis", 1 },
	{ "CumSum", 14, "reverse", 1 }, { "ArgMin", 13, "axis", 1 },
	{ "Gemm", 13, "transB", 1 },
};

static void half_run(struct harness *h, const struct half_case *c, enum dtype dt,
                     const void *x)
{
	h_init(h, c->op_type, c->opset);
	h_input(h, dt, 2, d2x3, x, 0);
	if (!strcmp(c->op_type, "CumSum"))
		h_input(h, DT_INT64, 0, d_scalar, I64(1), 1);
	if (!strcmp(c->op_type, "Gemm"))
		h_input(h, dt, 2, d2x3, x, 1);          /* B' = x^T: [2,3] x [3,2] */
	h_attr_int(h, c->attr, c->v);
	h_output(h);
	h_run_ok(h);
}

START_TEST(half_types)
{
	static const float xf[] = { 0.5f, -1.25f, 2.0f, 0.75f, 1.5f, -0.5f };
	const struct half_case *c = &half_cases[_i];
	static const enum dtype dts[] = { DT_FLOAT16, DT_BFLOAT16 };

	for (int d = 0; d < 2; d++) {
		struct harness hf, hh;
		uint16_t xh[6];
		int bf = dts[d] == DT_BFLOAT16;
		for (int i = 0; i < 6; i++)
			xh[i] = bf ? float_to_bf16(xf[i]) : float_to_half(xf[i]);
		half_run(&hf, c, DT_FLOAT, xf);
		half_run(&hh, c, dts[d], xh);
		expect_dims(hh.out[0], hf.out[0]->ndim, hf.out[0]->dims);
		ck_assert_int_eq(hh.out[0]->dtype, c->op_type[0] == 'A' ? DT_INT64 : dts[d]);
		for (int64_t i = 0; i < hf.out[0]->numel; i++) {
			double want = h_value(hf.out[0]->dtype, hf.out[0]->data, i);
			double got = h_value(hh.out[0]->dtype, hh.out[0]->data, i);
			double ulp = fabs(want) * (bf ? 1.0 / 128 : 1.0 / 1024) + 1e-6;
			ck_assert_msg(fabs(got - want) <= ulp, "%s %s: element %lld: got %g, "
			              "expected %g", c->op_type, dtype_name(dts[d]), (long long)i,
			              got, want);
		}
		h_free(&hf);
		h_free(&hh);
	}
}
END_TEST

/* ------------------------------------------------------------------ main */

int main(void)
{
	const struct test_def reduce[] = {
		{ "values", reduce_values, 0, N_ELEMS(reduce_cases) },
		{ "errors", reduce_errors, 0, N_ELEMS(reduce_errors_table) },
	};
	const struct test_def arg[] = { { "values", arg_values, 0, N_ELEMS(arg_cases) } };
	const struct test_def cumsum[] = {
		{ "values", cumsum_values, 0, N_ELEMS(cumsum_cases) },
	};
	const struct test_def softmax[] = {
		{ "values", softmax_values, 0, N_ELEMS(softmax_cases) },
	};
	const struct test_def gemm[] = {
		{ "values", gemm_values, 0, N_ELEMS(gemm_cases) }, { "values", gemm_float16 },
		{ "values", gemm_sweep },
	};
	const struct test_def half[] = { { "values", half_types, 0, N_ELEMS(half_cases) } };
	Suite *suites[] = {
		suite_from_table("Reduce", reduce, N_ELEMS(reduce)),
		suite_from_table("ArgMax", arg, N_ELEMS(arg)),
		suite_from_table("CumSum", cumsum, N_ELEMS(cumsum)),
		suite_from_table("Softmax", softmax, N_ELEMS(softmax)),
		suite_from_table("Gemm", gemm, N_ELEMS(gemm)),
		suite_from_table("float16", half, N_ELEMS(half)),
	};

	return run_suites(suites, N_ELEMS(suites), 0);
}
