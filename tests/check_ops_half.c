/* check_ops_half.c - float16 and bfloat16 in the operators of the GTCRN exports:
 * each case runs once in float32 on inputs already rounded to the 2-byte type and
 * once in that type; the 2-byte output must be the float32 output rounded (within
 * one unit in the last place: some ops compute in the 2-byte type's own kernel).
 * Float inputs are seeded random values; constant ones take ops/half.c's plan-time
 * path, the others its run-time path.
 * Rerun: make tests/check_ops_half && ./tests/check_ops_half (CK_RUN_CASE=name for one). */
#include <check.h>
#include <math.h>
#include <string.h>
#include "tests/op_harness.h"

#define IN(nd, ...) { DT_FLOAT, nd, DIMS(__VA_ARGS__), NULL, 0 }
#define W(nd, ...) { DT_FLOAT, nd, DIMS(__VA_ARGS__), NULL, 1 }
#define A_INT(nm, v) { .name = nm, .type = ATTR_INT, .i = v }
#define A_INTS(nm, k, ...) { .name = nm, .type = ATTR_INTS, .n = k, .ints = I64(__VA_ARGS__) }
#define A_STR(nm, v) { .name = nm, .type = ATTR_STRING, .s = v }

/* A case, and whether its opset's spec allows bfloat16 (float16 always). */
struct half_case {
	struct h_case c;
	int bf16;
};

static const struct half_case cases[] = {
	{ { "conv_group_pads", "Conv", 11, { IN(4, 1, 4, 5, 6), W(4, 6, 2, 3, 3), W(1, 6) },
	    { A_INT("group", 2), A_INTS("pads", 4, 1, 1, 1, 1) } }, 1 },
	{ { "conv_runtime_weights", "Conv", 11, { IN(4, 1, 3, 4, 5), IN(4, 2, 3, 1, 3) },
	    { A_INTS("strides", 2, 1, 2) } }, 1 },
	{ { "convtranspose_stride", "ConvTranspose", 11, { IN(4, 1, 4, 3, 5), W(4, 4, 3, 3, 3),
	    W(1, 3) }, { A_INTS("strides", 2, 1, 2), A_INTS("pads", 4, 1, 1, 1, 1) } }, 1 },
	{ { "gru_bidirectional", "GRU", 14, { IN(3, 3, 2, 5), W(3, 2, 12, 5), W(3, 2, 12, 4),
	    W(2, 2, 24), { .omitted = 1 }, IN(3, 2, 2, 4) },
	    { A_INT("hidden_size", 4), A_STR("direction", "bidirectional"),
	      A_INT("linear_before_reset", 1) }, 2 }, 0 },   /* GRU lists no bfloat16 */
	{ { "matmul", "MatMul", 13, { IN(3, 2, 3, 4), W(2, 4, 5) } }, 1 },
	{ { "einsum", "Einsum", 12, { IN(3, 2, 3, 4), W(2, 4, 5) },
	    { A_STR("equation", "bij,jk->bik") } }, 0 },
	{ { "prelu", "PRelu", 16, { IN(3, 1, 3, 4), W(2, 3, 1) } }, 1 },
	{ { "pow", "Pow", 15, { IN(2, 3, 4), W(1, 1) } }, 1 },
	{ { "div", "Div", 14, { IN(2, 3, 4), IN(2, 3, 4) } }, 1 },
	{ { "mul", "Mul", 14, { IN(2, 3, 4), W(1, 4) } }, 1 },
	{ { "add", "Add", 14, { IN(2, 3, 4), IN(1, 4) } }, 1 },
	{ { "sub", "Sub", 14, { IN(2, 3, 4), IN(2, 3, 4) } }, 1 },
	{ { "sigmoid", "Sigmoid", 13, { IN(2, 3, 4) } }, 1 },
	{ { "tanh", "Tanh", 13, { IN(2, 3, 4) } }, 1 },
	{ { "batchnorm", "BatchNormalization", 15, { IN(3, 1, 3, 4), W(1, 3), W(1, 3), W(1, 3),
	    W(1, 3) } }, 1 },
	{ { "layernorm", "LayerNormalization", 17, { IN(3, 2, 3, 4), W(1, 4), W(1, 4) },
	    { A_INT("axis", -1) } }, 1 },
	{ { "reducemean", "ReduceMean", 13, { IN(3, 2, 3, 4) }, { A_INTS("axes", 1, -1) } }, 1 },
	{ { "concat", "Concat", 13, { IN(2, 2, 3), IN(2, 2, 1) }, { A_INT("axis", 1) } }, 1 },
	{ { "slice", "Slice", 13, { IN(2, 3, 4), CONST_I64(1), CONST_I64(3), CONST_I64(1) } }, 1 },
	{ { "transpose", "Transpose", 13, { IN(3, 2, 3, 4) }, { A_INTS("perm", 3, 2, 0, 1) } }, 1 },
	{ { "pad", "Pad", 13, { IN(2, 3, 4), CONST_I64(0, 1, 0, 2) } }, 1 },
	{ { "gather", "Gather", 13, { IN(2, 3, 4), CONST_I64(2, 0) }, { A_INT("axis", 1) } }, 1 },
	{ { "sqrt", "Sqrt", 13, { IN(2, 3, 4) } }, 1 },
};

static float round_to(enum dtype dt, float v)
{
	return dt == DT_FLOAT16 ? half_to_float(float_to_half(v)) : bf16_to_float(float_to_bf16(v));
}

/* Input values in [0.1, 2) for the ops that want them positive (a variance, a
 * divisor, a base of Pow), else [-2, 2). */
static int positive_inputs(const char *op)
{
	return !strcmp(op, "Sqrt") || !strcmp(op, "Pow") || !strcmp(op, "Div") ||
	       !strcmp(op, "BatchNormalization");
}

static void run_case(const struct half_case *hc, enum dtype dt)
{
	float vals[6][512];
	uint16_t half[6][512];
	struct h_case c32 = hc->c, c16 = hc->c;
	struct harness h32, h16;
	double ulp = dt == DT_FLOAT16 ? 1.0 / 1024 : 1.0 / 128;

	rng_state = 12345;
	for (int i = 0; i < (int)N_ELEMS(c32.in); i++) {
		const struct h_in *in = &hc->c.in[i];
		int64_t n = in->dt == DT_FLOAT ? shape_numel(in->ndim, in->dims) : 0;
		ck_assert_int_le(n, 512);
		for (int64_t k = 0; k < n; k++) {
			float v = 2.0f * frand();
			if (positive_inputs(hc->c.op_type))
				v = 0.1f + fabsf(v) * 0.95f;
			vals[i][k] = round_to(dt, v);
			half[i][k] = dt == DT_FLOAT16 ? float_to_half(v) : float_to_bf16(v);
		}
		if (n) {
			c32.in[i].data = vals[i];
			c16.in[i].data = half[i];
			c16.in[i].dt = dt;
		}
	}
	h_build(&h32, &c32);
	h_run_ok(&h32);
	h_build(&h16, &c16);
	h_run_ok(&h16);
	for (int o = 0; o < (hc->c.n_out ? hc->c.n_out : 1); o++) {
		const struct tensor *y = h16.out[o], *r = h32.out[o];
		ck_assert_msg(y->dtype == dt, "%s: output %d is %s", hc->c.name, o,
		              dtype_name(y->dtype));
		expect_dims(y, r->ndim, r->dims);
		for (int64_t k = 0; k < y->numel; k++) {
			double want = round_to(dt, ((const float *)r->data)[k]);
			double got = h_value(dt, y->data, k);
			ck_assert_msg(fabs(got - want) <= ulp * fabs(want) + 1e-6,
			              "%s (%s): output %d index %lld: got %.9g, expected %.9g",
			              hc->c.name, dtype_name(dt), o, (long long)k, got, want);
		}
	}
	h_free(&h32);
	h_free(&h16);
}

START_TEST(float16_ops)
{
	run_case(&cases[_i], DT_FLOAT16);
}
END_TEST

START_TEST(bfloat16_ops)
{
	if (cases[_i].bf16)
		run_case(&cases[_i], DT_BFLOAT16);
}
END_TEST

int main(void)
{
	const struct test_def defs[] = {
		{ "float16", float16_ops, 0, (int)N_ELEMS(cases) },
		{ "bfloat16", bfloat16_ops, 0, (int)N_ELEMS(cases) },
	};
	Suite *s = suite_from_table("half", defs, N_ELEMS(defs));

	return run_suites(&s, 1, 0);
}
