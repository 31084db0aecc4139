/* check_ops_quantization.c - unit tests for the quantized operators (ops/quantization/):
 * the integer products (ops/quantization/qgemm.h), SIMD against portable, and the
 * errors of the ops. Their values are checked by check_node: the ONNX node tests and
 * tests/data/quantization (ONNX Runtime goldens).
 * Rerun one case: CK_RUN_SUITE=Quantized CK_RUN_CASE=values ./tests/check_ops_quantization */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "ops/cpu.h"
#include "tests/check_kernels.h"
#include "tests/op_harness.h"

/* a [m][kp] by b [n][kp] with the portable product and kc's (NULL: none), against an
 * int64 reference */
static void qgemm_check(const struct kernels *kc, const int16_t *a, const int16_t *b,
                        int64_t m, int64_t n, int64_t kp)
{
	static int32_t y1[5 * 12], y2[5 * 12];
	const int64_t ldy = n + 3;

	memset(y1, 0x55, sizeof(y1));
	memset(y2, 0x55, sizeof(y2));
	kernels_portable.qgemm(y1, ldy, a, b, m, n, kp);
	if (kc)
		kc->qgemm(y2, ldy, a, b, m, n, kp);
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++) {
			const int32_t g1 = y1[i * ldy + j], g2 = kc ? y2[i * ldy + j] : g1;
			int64_t e = 0;
			for (int64_t p = 0; p < kp; p++)
				e += (int64_t)a[i * kp + p] * b[j * kp + p];
			ck_assert_msg(g1 == e && g2 == e, "m %lld n %lld kp %lld y[%lld][%lld]: "
			              "portable %d, %s %d, expected %lld", (long long)m,
			              (long long)n, (long long)kp, (long long)i, (long long)j, g1,
			              kc ? kc->name : "-", g2, (long long)e);
		}
}

/* The integer products (ops/quantization/qgemm.h): the portable one against an int64
 * reference, the others against the portable one, integer for integer. Row counts
 * 1..5 (the 2-row blocks and the rest), column counts around the 4-row blocks,
 * operands over the whole range -255..255; then (qgemm_wraps) sums past 2^31, which
 * wrap the same way in every variant. */
START_TEST(qgemm_variants)
{
	static const int64_t ns[] = { 1, 3, 4, 5, 8, 9 };
	static const int64_t kps[] = { 16, 32, 48, 160 };
	static int16_t a[5 * 160], b[9 * 160];
	const struct kernels *kc = simd_kernels("qgemm_variants");

	rng_state = 1616u;
	for (int i = 0; i < 5 * 160; i++)
		a[i] = (int16_t)(frand() * 256.0f);
	for (int i = 0; i < 9 * 160; i++)
		b[i] = (int16_t)(frand() * 256.0f);
	for (int64_t m = 1; m <= 5; m++)
		for (size_t in = 0; in < N_ELEMS(ns); in++)
			for (size_t ik = 0; ik < N_ELEMS(kps); ik++)
				qgemm_check(kc, a, b, m, ns[in], kps[ik]);
}
END_TEST

START_TEST(qgemm_wraps)
{
	enum { KP = 34816 };    /* 34816 * 255 * 255 > 2^31 */
	static int16_t a[2 * KP], b[5 * KP];
	int32_t y1[2 * 5], y2[2 * 5];
	const struct kernels *kc = simd_kernels("qgemm_wraps");

	for (int i = 0; i < 2 * KP; i++)
		a[i] = i & 1 ? -255 : 255;
	for (int i = 0; i < 5 * KP; i++)
		b[i] = (i / KP) & 1 ? 255 : (i & 1 ? -255 : 255);
	kernels_portable.qgemm(y1, 5, a, b, 2, 5, KP);
	ck_assert_int_eq(y1[0], (int32_t)(uint32_t)((uint64_t)KP * 65025u));
	if (kc) {
		kc->qgemm(y2, 5, a, b, 2, 5, KP);
		ck_assert_msg(!memcmp(y1, y2, sizeof(y1)), "%s differs from portable", kc->name);
	}
}
END_TEST

static const struct h_case quant_errors_table[] = {
	{ "per-axis scale at opset 10", "QuantizeLinear", 10,
	  { { DT_FLOAT, 2, DIMS(2, 3) }, { DT_FLOAT, 1, DIMS(3) } }, .code = GRT_E_SHAPE,
	  .msg = "scale must be a scalar (per-axis quantization needs opset 13" },
	{ "scale size vs axis", "QuantizeLinear", 13,
	  { { DT_FLOAT, 2, DIMS(2, 3) }, { DT_FLOAT, 1, DIMS(2) } }, .code = GRT_E_SHAPE,
	  .msg = "scale must hold one value or 3 (1-D), has rank 1 and 2 values" },
	{ "block quantization", "QuantizeLinear", 21,
	  { { DT_FLOAT, 2, DIMS(2, 4) }, { DT_FLOAT, 2, DIMS(2, 2) } },
	  { { "block_size", ATTR_INT, 2 } }, .code = GRT_E_UNSUPPORTED,
	  .msg = "block quantization (block_size 2) is not supported" },
	{ "int4 output", "QuantizeLinear", 21, { { DT_FLOAT, 1, DIMS(4) }, { DT_FLOAT, 0 } },
	  { { "output_dtype", ATTR_INT, 22 } }, .code = GRT_E_UNSUPPORTED,
	  .msg = "output_dtype 22 (int4) is not supported" },
	{ "float8 output", "QuantizeLinear", 21, { { DT_FLOAT, 1, DIMS(4) }, { DT_FLOAT, 0 } },
	  { { "output_dtype", ATTR_INT, 17 } }, .code = GRT_E_UNSUPPORTED,
	  .msg = "output_dtype 17 (float8e4m3fn) is not supported" },
	{ "zero point type", "DequantizeLinear", 13,
	  { { DT_INT8, 1, DIMS(4) }, { DT_FLOAT, 0 }, { DT_UINT8, 0 } }, .code = GRT_E_DTYPE,
	  .msg = "x is int8 but its zero point is uint8" },
	{ "float16 scale before opset 19", "DequantizeLinear", 13,
	  { { DT_INT8, 1, DIMS(4) }, { DT_FLOAT16, 0 } }, .code = GRT_E_DTYPE,
	  .msg = "must be float (or, from opset 19, float16 or bfloat16)" },
	{ "x and y_scale types", "QuantizeLinear", 19,
	  { { DT_FLOAT16, 1, DIMS(4) }, { DT_FLOAT, 0 } }, .code = GRT_E_DTYPE,
	  .msg = "x is float16 but y_scale is float" },
	{ "MatMulInteger zero point per row of B", "MatMulInteger", 10,
	  { { DT_UINT8, 2, DIMS(2, 3) }, { DT_UINT8, 2, DIMS(3, 4) }, { .omitted = 1 },
	    { DT_UINT8, 1, DIMS(3) } }, .code = GRT_E_SHAPE,
	  .msg = "B's zero point must hold one value or 4" },
	{ "QLinearConv w_scale size", "QLinearConv", 10,
	  { { DT_UINT8, 4, DIMS(1, 2, 3, 3) }, { DT_FLOAT, 0 }, { DT_UINT8, 0 },
	    { DT_INT8, 4, DIMS(4, 2, 1, 1) }, { DT_FLOAT, 1, DIMS(3) }, { DT_INT8, 0 },
	    { DT_FLOAT, 0 }, { DT_UINT8, 0 } }, .code = GRT_E_SHAPE,
	  .msg = "w_scale must hold one value or 4 (1-D)" },
	{ "ConvInteger channels", "ConvInteger", 10,
	  { { DT_UINT8, 4, DIMS(1, 2, 3, 3) }, { DT_UINT8, 4, DIMS(4, 3, 1, 1) } },
	  .code = GRT_E_SHAPE, .msg = "X has 2 channels but W dim 1 (3)" },
};

START_TEST(quant_errors)
{
	h_expect_case(&quant_errors_table[_i], NULL);
}
END_TEST

static Suite *suite_quant(void)
{
	const struct test_def tests[] = {
		{ "values", qgemm_variants }, { "values", qgemm_wraps },
		{ "errors", quant_errors, 0, N_ELEMS(quant_errors_table) },
	};

	return suite_from_table("Quantized", tests, N_ELEMS(tests));
}

int main(void)
{
	Suite *suites[] = { suite_quant() };

	return run_suites(suites, N_ELEMS(suites), 0);
}
