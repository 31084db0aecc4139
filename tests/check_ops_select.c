/* check_ops_select.c - unit tests for the operators whose output shape
 * depends on input values: NonZero, Compress, TopK, Unique
 * (ops/tensor/select.c). What the node suite and tests/data/dynops (ONNX
 * Runtime goldens) leave out: types, NaN, scalars, opset forms, errors and
 * the GRT_E_DYNAMIC of a value unknown at plan time. Expected numbers are
 * worked out by hand. Rerun one case: CK_RUN_CASE=<case> CK_RUN_SUITE=<op>. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "tests/op_harness.h"

#define H_NAN 0x7e00          /* float16 bits: NaN, 2, 1, -1, 0 */
#define H_2 0x4000
#define H_1 0x3c00
#define H_M1 0xbc00

/* ---------------------------------------------------------------- NonZero */

START_TEST(nonzero_values_dtypes)
{
	struct harness h;

	h_init(&h, "NonZero", 13);      /* bool [2, 2] */
	h_input(&h, DT_BOOL, 2, DIMS(2, 2), U8(0, 1, 1, 0), 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT64, 2, DIMS(2, 2), I64(0, 1, 1, 0));
	h_free(&h);

	h_init(&h, "NonZero", 9);       /* float16: NaN counts, -0 does not */
	h_input(&h, DT_FLOAT16, 1, DIMS(4), U16(0x8000, H_NAN, 0, H_M1), 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT64, 2, DIMS(1, 2), I64(1, 3));
	h_free(&h);

	h_init(&h, "NonZero", 13);      /* a scalar counts as rank 1 (ONNX Runtime) */
	h_input(&h, DT_INT32, 0, NULL, I32(7), 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT64, 2, DIMS(1, 1), I64(0));
	h_free(&h);
}
END_TEST

START_TEST(nonzero_errors_dynamic)
{
	struct harness h;

	h_init(&h, "NonZero", 13);
	h_input(&h, DT_FLOAT, 1, DIMS(3), F32(1, 0, 2), 0);
	h_output(&h);
	h_run_err(&h, GRT_E_DYNAMIC, "count of non-zero elements");
	ck_assert_ptr_eq(h.x.dyn, h.in[0]);
	h_free(&h);
}
END_TEST

/* --------------------------------------------------------------- Compress */

static const float mat23[] = { 1, 2, 3, 4, 5, 6 };    /* (2,3) */
#define MAT23 { DT_FLOAT, 2, DIMS(2, 3), mat23 }
#define COND(...) { DT_BOOL, 1, DIMS(N_ELEMS(U8(__VA_ARGS__))), U8(__VA_ARGS__), 1 }

START_TEST(compress_values_axes)
{
	struct harness h;

	h_init(&h, "Compress", 9);      /* axis 1, condition shorter than the axis */
	h_input(&h, DT_FLOAT, 2, DIMS(2, 3), mat23, 0);
	h_input(&h, DT_BOOL, 1, DIMS(2), U8(0, 1), 1);
	h_attr_int(&h, "axis", 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 1), F32(2, 5));
	h_free(&h);

	h_init(&h, "Compress", 11);     /* flattened, condition longer than the input */
	h_input(&h, DT_INT8, 2, DIMS(2, 2), I8(-1, 2, -3, 4), 0);
	h_input(&h, DT_BOOL, 1, DIMS(6), U8(1, 0, 0, 1, 1, 1), 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT8, 1, DIMS(2), I8(-1, 4));
	h_free(&h);
}
END_TEST

static const struct h_case compress_errors_table[] = {
	{ "negative axis in opset 9", "Compress", 9, { MAT23, COND(1) },
	  { { "axis", ATTR_INT, -1 } }, .code = GRT_E_ATTR, .msg = "allowed from opset 11" },
	{ "axis out of range", "Compress", 11, { MAT23, COND(1) },
	  { { "axis", ATTR_INT, 2 } }, .code = GRT_E_ATTR, .msg = "axis" },
	{ "condition not 1-D", "Compress", 11,
	  { MAT23, { DT_BOOL, 2, DIMS(1, 1), U8(1), 1 } }, .code = GRT_E_SHAPE, .msg = "1-D" },
	{ "condition not bool", "Compress", 11, { MAT23, CONST_I64(1) },
	  .code = GRT_E_DTYPE, .msg = "input 1" },
	{ "condition not known", "Compress", 11,
	  { MAT23, { DT_BOOL, 1, DIMS(1), U8(1), 0 } }, .code = GRT_E_DYNAMIC,
	  .msg = "count of selected slices" },
};

START_TEST(compress_errors)
{
	h_expect_case(&compress_errors_table[_i], NULL);
}
END_TEST

/* ------------------------------------------------------------------- TopK */

START_TEST(topk_values_nan_and_types)
{
	struct harness h;

	/* float16 with NaN: above every number, like the largest value */
	h_init(&h, "TopK", 11);
	h_input(&h, DT_FLOAT16, 1, DIMS(4), U16(H_1, H_NAN, H_2, H_M1), 0);
	h_input(&h, DT_INT64, 1, DIMS(1), I64(2), 1);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT16, 1, DIMS(2), U16(H_NAN, H_2));
	h_expect_out(&h, 1, DT_INT64, 1, DIMS(2), I64(1, 2));
	h_free(&h);

	/* smallest of uint64 beyond 2^53 (exact, no double rounding), axis 0 of (3,1) */
	h_init(&h, "TopK", 11);
	h_input(&h, DT_UINT64, 2, DIMS(3, 1),
	        ((const uint64_t[]){ (1ull << 60) + 1, 1ull << 60, UINT64_MAX }), 0);
	h_input(&h, DT_INT64, 1, DIMS(1), I64(2), 1);
	h_attr_int(&h, "axis", 0);
	h_attr_int(&h, "largest", 0);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_UINT64, 2, DIMS(2, 1),
	             ((const uint64_t[]){ 1ull << 60, (1ull << 60) + 1 }));
	h_expect_out(&h, 1, DT_INT64, 2, DIMS(2, 1), I64(1, 0));
	h_free(&h);
}
END_TEST

START_TEST(topk_values_k_zero_and_all)
{
	struct harness h;

	h_init(&h, "TopK", 10);         /* k = the axis length: a full sort */
	h_input(&h, DT_DOUBLE, 2, DIMS(1, 4), F64(0.5, -2, 0.5, 3), 0);
	h_input(&h, DT_INT64, 1, DIMS(1), I64(4), 1);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_DOUBLE, 2, DIMS(1, 4), F64(3, 0.5, 0.5, -2));
	h_expect_out(&h, 1, DT_INT64, 2, DIMS(1, 4), I64(3, 0, 2, 1));
	h_free(&h);

	h_init(&h, "TopK", 10);         /* k = 0: empty outputs */
	h_input(&h, DT_FLOAT, 2, DIMS(2, 3), mat23, 0);
	h_input(&h, DT_INT64, 1, DIMS(1), I64(0), 1);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 0), NULL);
	h_free(&h);
}
END_TEST

#define K_IN(k, c) { DT_INT64, 1, DIMS(1), I64(k), c }

static const struct h_case topk_errors_table[] = {
	{ "k over the axis", "TopK", 11, { MAT23, K_IN(4, 1) }, .n_out = 2,
	  .code = GRT_E_SHAPE, .msg = "k = 4 is outside [0, 3]" },
	{ "negative k", "TopK", 11, { MAT23, K_IN(-1, 1) }, .n_out = 2,
	  .code = GRT_E_SHAPE, .msg = "k = -1" },
	{ "k not known", "TopK", 11, { MAT23, K_IN(1, 0) }, .n_out = 2,
	  .code = GRT_E_DYNAMIC, .msg = "K comes from input 1" },
	{ "k of two elements", "TopK", 11, { MAT23, CONST_I64(1, 1) }, .n_out = 2,
	  .code = GRT_E_SHAPE, .msg = "one element" },
	{ "k attribute missing", "TopK", 1, { MAT23 }, .n_out = 2,
	  .code = GRT_E_ATTR, .msg = "'k' is required" },
	{ "int32 before opset 11", "TopK", 10,
	  { { DT_INT32, 1, DIMS(2), I32(1, 2) }, K_IN(1, 1) }, .n_out = 2,
	  .code = GRT_E_DTYPE, .msg = "input 0" },
	{ "axis out of range", "TopK", 11, { MAT23, K_IN(1, 1) }, { { "axis", ATTR_INT, -3 } },
	  .n_out = 2, .code = GRT_E_ATTR, .msg = "axis" },
};

START_TEST(topk_errors)
{
	h_expect_case(&topk_errors_table[_i], NULL);
}
END_TEST

START_TEST(topk_opsets_k_attribute)
{
	struct harness h;

	h_init(&h, "TopK", 1);          /* k attribute, axis -1 by default, largest */
	h_input(&h, DT_FLOAT, 2, DIMS(2, 3), F32(1, 3, 2, 6, 4, 6), 0);
	h_attr_int(&h, "k", 2);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 2), F32(3, 2, 6, 6));
	h_expect_out(&h, 1, DT_INT64, 2, DIMS(2, 2), I64(1, 2, 0, 2));
	h_free(&h);
}
END_TEST

/* ----------------------------------------------------------------- Unique */

START_TEST(unique_values_nan_and_zero)
{
	struct harness h;

	/* -0 and 0 are one value (the first occurrence's bits), NaNs one value
	 * sorted last */
	h_init(&h, "Unique", 11);
	h_input(&h, DT_FLOAT, 1, DIMS(6), F32(NAN, -0.0f, 2, 0, NAN, 2), 1);
	for (int k = 0; k < 4; k++)
		h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 1, DIMS(3), F32(-0.0f, 2, NAN));
	h_expect_out(&h, 1, DT_INT64, 1, DIMS(3), I64(1, 2, 0));
	h_expect_out(&h, 2, DT_INT64, 1, DIMS(6), I64(2, 0, 1, 0, 2, 1));
	h_expect_out(&h, 3, DT_INT64, 1, DIMS(3), I64(2, 2, 2));
	h_free(&h);
}
END_TEST

START_TEST(unique_values_optional_outputs_bool)
{
	struct harness h;

	h_init(&h, "Unique", 11);       /* only Y and counts, unsorted */
	h_input(&h, DT_BOOL, 1, DIMS(4), U8(1, 0, 1, 1), 1);
	h_attr_int(&h, "sorted", 0);
	h_output(&h);
	h_output_none(&h);
	h_output_none(&h);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_BOOL, 1, DIMS(2), U8(1, 0));
	h_expect_out(&h, 3, DT_INT64, 1, DIMS(2), I64(3, 1));
	h_free(&h);

	h_init(&h, "Unique", 11);       /* an empty input along axis 0: no items */
	h_input(&h, DT_FLOAT, 2, DIMS(0, 2), NULL, 0);    /* known: it has no values */
	h_attr_int(&h, "axis", 0);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(0, 2), NULL);
	h_expect_out(&h, 1, DT_INT64, 1, DIMS(0), NULL);
	h_free(&h);
}
END_TEST

static const struct h_case unique_errors_table[] = {
	{ "axis out of range", "Unique", 11, { MAT23 }, { { "axis", ATTR_INT, 2 } },
	  .code = GRT_E_ATTR, .msg = "axis" },
	{ "input not known", "Unique", 11, { MAT23 }, .code = GRT_E_DYNAMIC,
	  .msg = "count of unique values" },
	{ "five outputs", "Unique", 11, { MAT23 }, .n_out = 5, .code = GRT_E_INVALID_MODEL,
	  .msg = "outputs" },
};

START_TEST(unique_errors)
{
	h_expect_case(&unique_errors_table[_i], NULL);
}
END_TEST

/* ------------------------------------------------------------------- main */

int main(void)
{
	const struct test_def nonzero[] = {
		{ "values", nonzero_values_dtypes }, { "errors", nonzero_errors_dynamic },
	};
	const struct test_def compress[] = {
		{ "values", compress_values_axes },
		{ "errors", compress_errors, 0, N_ELEMS(compress_errors_table) },
	};
	const struct test_def topk[] = {
		{ "values", topk_values_nan_and_types }, { "values", topk_values_k_zero_and_all },
		{ "errors", topk_errors, 0, N_ELEMS(topk_errors_table) },
		{ "opsets", topk_opsets_k_attribute },
	};
	const struct test_def unique[] = {
		{ "values", unique_values_nan_and_zero },
		{ "values", unique_values_optional_outputs_bool },
		{ "errors", unique_errors, 0, N_ELEMS(unique_errors_table) },
	};
	Suite *suites[] = {
		suite_from_table("NonZero", nonzero, N_ELEMS(nonzero)),
		suite_from_table("Compress", compress, N_ELEMS(compress)),
		suite_from_table("TopK", topk, N_ELEMS(topk)),
		suite_from_table("Unique", unique, N_ELEMS(unique)),
	};

	return run_suites(suites, N_ELEMS(suites), 0);
}
