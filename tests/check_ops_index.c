/* check_ops_index.c - unit tests for the element and tuple index ops: GatherND,
 * GatherElements, ScatterElements, ReverseSequence (ops/tensor/gather.c,
 * ops/tensor/elements.c), the pattern fills OneHot, Trilu, EyeLike
 * (ops/tensor/fill.c) and Col2Im (ops/nn/col2im.c), for what the ONNX node tests
 * leave out (batch_dims > 1, indices smaller than data, the opset 18 reductions,
 * run-time indices, k and lengths, out-of-range values, errors; ONNX 1.12 has no
 * Col2Im). One suite per op type; expected numbers are worked out by hand from the
 * ONNX text, except where a case names PyTorch. Rerun one case:
 * CK_RUN_CASE=<case> CK_RUN_SUITE=<op>. */
#include <check.h>
#include <stdint.h>
#include <string.h>
#include "tests/op_harness.h"

static const float f12[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };

/* --------------------------------------------------------------- GatherND */

/* data (2,2,3) = 0..11, batch_dims 2, one index per batch: data[b0][b1][i] */
START_TEST(gathernd_values_batch_dims2)
{
	for (int is_const = 0; is_const < 2; is_const++) {
		struct harness h;

		h_init(&h, "GatherND", 13);
		h_input(&h, DT_FLOAT, 3, DIMS(2, 2, 3), f12, 0);
		h_input(&h, DT_INT64, 3, DIMS(2, 2, 1), I64(2, 0, 1, -1), is_const);
		h_output(&h);
		h_attr_int(&h, "batch_dims", 2);
		h_run_ok(&h);
		h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 2), F32(2, 3, 7, 11));
		h_free(&h);
	}
}
END_TEST

/* tuples of 2 into (2,2,3): rows of 3; adjacent rows are one run */
START_TEST(gathernd_values_rows_and_runs)
{
	for (int is_const = 0; is_const < 2; is_const++) {
		struct harness h;

		h_init(&h, "GatherND", 11);
		h_input(&h, DT_FLOAT, 3, DIMS(2, 2, 3), f12, 0);
		h_input(&h, DT_INT64, 3, DIMS(3, 1, 2), I64(0, 1, 1, 0, 0, 0), is_const);
		h_output(&h);
		h_run_ok(&h);
		h_expect_out(&h, 0, DT_FLOAT, 3, DIMS(3, 1, 3),
		             F32(3, 4, 5, 6, 7, 8, 0, 1, 2));
		h_free(&h);
	}
}
END_TEST

static const struct h_case gathernd_errors_table[] = {
	{ "run-time index 2 on axis 0", "GatherND", 13,
	  { { DT_FLOAT, 2, DIMS(2, 3), f12 }, { DT_INT64, 2, DIMS(1, 2), I64(2, 0), 0 } },
	  .code = GRT_E_INDEX, .msg = "index 2 out of range [-2, 2) on axis 0" },
	{ "constant index -4 on axis 2", "GatherND", 13,
	  { { DT_FLOAT, 3, DIMS(2, 2, 3), f12 }, { DT_INT64, 3, DIMS(2, 2, 1), I64(0, -4, 0, 0), 1 } },
	  { { "batch_dims", ATTR_INT, 2 } },
	  .code = GRT_E_INDEX, .msg = "tuple 1: index -4 out of range [-3, 3) on axis 2" },
	{ "tuple longer than the rank", "GatherND", 13,
	  { { DT_FLOAT, 2, DIMS(2, 3), f12 }, { DT_INT64, 1, DIMS(3), I64(0, 0, 0), 1 } },
	  .code = GRT_E_SHAPE, .msg = "indices.shape[-1] = 3 is out of range [1, 2]" },
	{ "batch dims differ", "GatherND", 13,
	  { { DT_FLOAT, 2, DIMS(2, 3), f12 }, { DT_INT64, 2, DIMS(3, 1), I64(0, 0, 0), 1 } },
	  { { "batch_dims", ATTR_INT, 1 } },
	  .code = GRT_E_SHAPE, .msg = "batch axis 0: indices has 3, data 2" },
	{ "batch_dims at opset 11", "GatherND", 11,
	  { { DT_FLOAT, 2, DIMS(2, 3), f12 }, { DT_INT64, 2, DIMS(2, 1), I64(0, 0), 1 } },
	  { { "batch_dims", ATTR_INT, 1 } },
	  .code = GRT_E_ATTR, .msg = "'batch_dims' needs opset 12" },
	{ "int32 indices", "GatherND", 13,
	  { { DT_FLOAT, 2, DIMS(2, 3), f12 }, { DT_INT32, 1, DIMS(1), I32(0), 1 } },
	  .code = GRT_E_DTYPE, .msg = "int32" },
};

START_TEST(gathernd_errors)
{
	h_expect_case(&gathernd_errors_table[_i], NULL);
}
END_TEST

/* --------------------------------------------------------- GatherElements */

/* indices smaller than data off the axis: out[i][0] = data[i][idx[i][0]] */
START_TEST(gather_elements_values_smaller_indices)
{
	for (int is_const = 0; is_const < 2; is_const++) {
		struct harness h;

		h_init(&h, "GatherElements", 13);
		h_input(&h, DT_FLOAT, 2, DIMS(3, 3), F32(1, 2, 3, 4, 5, 6, 7, 8, 9), 0);
		h_input(&h, DT_INT32, 2, DIMS(2, 1), I32(2, -3), is_const);
		h_output(&h);
		h_attr_int(&h, "axis", 1);
		h_run_ok(&h);
		h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 1), F32(3, 4));
		h_free(&h);
	}
}
END_TEST

/* element sizes 1, 2 and 8 along axis 0 of (2,2) */
START_TEST(gather_elements_values_dtypes)
{
	struct harness h;

	h_init(&h, "GatherElements", 13);
	h_input(&h, DT_INT8, 2, DIMS(2, 2), I8(1, 2, 3, 4), 0);
	h_input(&h, DT_INT64, 2, DIMS(1, 2), I64(1, 0), 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT8, 2, DIMS(1, 2), I8(3, 2));
	h_free(&h);

	h_init(&h, "GatherElements", 13);
	h_input(&h, DT_INT16, 2, DIMS(2, 2), I16(1, 2, 3, 4), 0);
	h_input(&h, DT_INT64, 2, DIMS(2, 2), I64(1, 1, 0, 1), 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT16, 2, DIMS(2, 2), I16(3, 4, 1, 4));
	h_free(&h);

	h_init(&h, "GatherElements", 13);
	h_input(&h, DT_DOUBLE, 2, DIMS(2, 2), F64(1, 2, 3, 4), 0);
	h_input(&h, DT_INT64, 2, DIMS(2, 2), I64(1, 1, 0, 1), 0);
	h_output(&h);
	h_attr_int(&h, "axis", -1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_DOUBLE, 2, DIMS(2, 2), F64(2, 2, 3, 4));
	h_free(&h);
}
END_TEST

static const struct h_case gather_elements_errors_table[] = {
	{ "run-time index 3", "GatherElements", 13,
	  { { DT_FLOAT, 2, DIMS(2, 3), f12 }, { DT_INT64, 2, DIMS(1, 2), I64(0, 3), 0 } },
	  { { "axis", ATTR_INT, 1 } },
	  .code = GRT_E_INDEX, .msg = "indices[1] = 3 is out of range [-3, 3) on axis 1" },
	{ "constant index -3", "GatherElements", 13,
	  { { DT_FLOAT, 2, DIMS(2, 3), f12 }, { DT_INT32, 2, DIMS(1, 1), I32(-3), 1 } },
	  .code = GRT_E_INDEX, .msg = "indices[0] = -3 is out of range [-2, 2) on axis 0" },
	{ "ranks differ", "GatherElements", 13,
	  { { DT_FLOAT, 2, DIMS(2, 3), f12 }, { DT_INT64, 1, DIMS(2), I64(0, 0), 1 } },
	  .code = GRT_E_SHAPE, .msg = "indices has rank 1, data rank 2" },
	{ "indices larger off the axis", "GatherElements", 13,
	  { { DT_FLOAT, 2, DIMS(2, 3), f12 }, { DT_INT64, 2, DIMS(1, 4), I64(0, 0, 0, 0), 1 } },
	  .code = GRT_E_SHAPE, .msg = "indices has 4 on axis 1, more than data's 3" },
	{ "axis out of range", "GatherElements", 13,
	  { { DT_FLOAT, 2, DIMS(2, 3), f12 }, { DT_INT64, 2, DIMS(1, 1), I64(0), 1 } },
	  { { "axis", ATTR_INT, 2 } },
	  .code = GRT_E_ATTR, .msg = "axis 2 out of range for rank 2" },
};

START_TEST(gather_elements_errors)
{
	h_expect_case(&gather_elements_errors_table[_i], NULL);
}
END_TEST

/* ------------------------------------------------------- ScatterElements */

/* [1,2,3,4,5], indices [1,3,1] on axis 1 with updates [1.5, 2.5, 7]: the
 * duplicate index 1 takes 1.5 then 7 */
START_TEST(scatter_elements_values_reductions)
{
	static const char *const red[] = { "none", "add", "mul", "max", "min" };
	static const float want[5][5] = {
		{ 1, 7, 3, 2.5f, 5 },           /* the last update wins */
		{ 1, 2 + 1.5f + 7, 3, 4 + 2.5f, 5 },
		{ 1, 2 * 1.5f * 7, 3, 4 * 2.5f, 5 },
		{ 1, 7, 3, 4, 5 },
		{ 1, 1.5f, 3, 2.5f, 5 },
	};

	for (int r = 0; r < 5; r++) {
		for (int is_const = 0; is_const < 2; is_const++) {
			struct harness h;

			h_init(&h, "ScatterElements", 18);
			h_input(&h, DT_FLOAT, 2, DIMS(1, 5), F32(1, 2, 3, 4, 5), 0);
			h_input(&h, DT_INT64, 2, DIMS(1, 3), I64(1, 3, -4), is_const);
			h_input(&h, DT_FLOAT, 2, DIMS(1, 3), F32(1.5f, 2.5f, 7), 0);
			h_output(&h);
			h_attr_int(&h, "axis", 1);
			h_attr_string(&h, "reduction", red[r]);
			h_run_ok(&h);
			h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(1, 5), want[r]);
			h_free(&h);
		}
	}
}
END_TEST

/* integer and bool data: add wraps, bool add is "or" */
START_TEST(scatter_elements_values_reduction_dtypes)
{
	struct harness h;

	h_init(&h, "ScatterElements", 16);
	h_input(&h, DT_INT8, 2, DIMS(2, 2), I8(127, 2, 3, 4), 0);
	h_input(&h, DT_INT32, 2, DIMS(1, 2), I32(0, 1), 1);
	h_input(&h, DT_INT8, 2, DIMS(1, 2), I8(1, 5), 0);
	h_output(&h);
	h_attr_string(&h, "reduction", "add");
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT8, 2, DIMS(2, 2), I8(-128, 2, 3, 9));
	h_free(&h);

	h_init(&h, "ScatterElements", 18);
	h_input(&h, DT_BOOL, 1, DIMS(3), U8(0, 1, 0), 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(0, 1), 1);
	h_input(&h, DT_BOOL, 1, DIMS(2), U8(1, 0), 0);
	h_output(&h);
	h_attr_string(&h, "reduction", "add");
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_BOOL, 1, DIMS(3), U8(1, 1, 0));
	h_free(&h);
}
END_TEST

static const struct h_case scatter_elements_errors_table[] = {
	{ "run-time index 5", "ScatterElements", 13,
	  { { DT_FLOAT, 1, DIMS(3), f12 }, { DT_INT64, 1, DIMS(1), I64(5), 0 },
	    { DT_FLOAT, 1, DIMS(1), f12 } },
	  .code = GRT_E_INDEX, .msg = "indices[0] = 5 is out of range [-3, 3) on axis 0" },
	{ "updates shape", "ScatterElements", 13,
	  { { DT_FLOAT, 1, DIMS(3), f12 }, { DT_INT64, 1, DIMS(1), I64(0), 1 },
	    { DT_FLOAT, 1, DIMS(2), f12 } },
	  .code = GRT_E_SHAPE, .msg = "updates must have the shape of indices" },
	{ "updates type", "ScatterElements", 13,
	  { { DT_FLOAT, 1, DIMS(3), f12 }, { DT_INT64, 1, DIMS(1), I64(0), 1 },
	    { DT_DOUBLE, 1, DIMS(1), F64(1) } },
	  .code = GRT_E_DTYPE, .msg = "updates is double but data is float" },
	{ "max at opset 16", "ScatterElements", 16,
	  { { DT_FLOAT, 1, DIMS(3), f12 }, { DT_INT64, 1, DIMS(1), I64(0), 1 },
	    { DT_FLOAT, 1, DIMS(1), f12 } },
	  { { "reduction", ATTR_STRING, .s = "max" } },
	  .code = GRT_E_ATTR, .msg = "reduction 'max' is not one of none, add, mul" },
	{ "reduction at opset 13", "ScatterElements", 13,
	  { { DT_FLOAT, 1, DIMS(3), f12 }, { DT_INT64, 1, DIMS(1), I64(0), 1 },
	    { DT_FLOAT, 1, DIMS(1), f12 } },
	  { { "reduction", ATTR_STRING, .s = "add" } },
	  .code = GRT_E_ATTR, .msg = "'reduction' needs opset 16" },
};

START_TEST(scatter_elements_errors)
{
	h_expect_case(&scatter_elements_errors_table[_i], NULL);
}
END_TEST

START_TEST(scatter_elements_opsets_registry)
{
	ck_assert_ptr_null(op_lookup("Scatter", 8));
	ck_assert_ptr_eq(op_lookup("Scatter", 9), op_lookup("Scatter", 10));
	ck_assert_ptr_null(op_lookup("Scatter", 11));      /* ScatterElements from 11 */
	ck_assert_ptr_eq(op_lookup("ScatterElements", 11), op_lookup("ScatterElements", 22));
	ck_assert_ptr_null(op_lookup("GatherElements", 10));
	ck_assert_ptr_null(op_lookup("GatherND", 10));
}
END_TEST

/* ------------------------------------------------------- ReverseSequence */

/* batch on axis 0, time on axis 1, run-time lengths 2 and 3; a length past the
 * time axis is an error */
START_TEST(reverse_sequence_values)
{
	struct harness h;

	h_init(&h, "ReverseSequence", 10);
	h_input(&h, DT_INT16, 2, DIMS(2, 3), I16(1, 2, 3, 4, 5, 6), 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(2, 3), 0);
	h_output(&h);
	h_attr_int(&h, "time_axis", 1);
	h_attr_int(&h, "batch_axis", 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT16, 2, DIMS(2, 3), I16(2, 1, 3, 6, 5, 4));
	h_free(&h);

	h_init(&h, "ReverseSequence", 10);
	h_input(&h, DT_INT16, 2, DIMS(3, 2), I16(1, 2, 3, 4, 5, 6), 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(4, 1), 0);
	h_output(&h);
	h_run_err(&h, GRT_E_INDEX, "sequence_lens[0] = 4 is out of range [0, 3]");
	h_free(&h);

	h_init(&h, "ReverseSequence", 10);
	h_input(&h, DT_INT16, 2, DIMS(3, 2), I16(1, 2, 3, 4, 5, 6), 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(1, 1), 1);
	h_output(&h);
	h_attr_int(&h, "batch_axis", 0);
	h_run_err(&h, GRT_E_ATTR, "must be 0 and 1 in some order");
	h_free(&h);
}
END_TEST

/* ----------------------------------------------------------------- OneHot */

/* float indices truncate; -1 is the last class from opset 11 (none before); 3 and
 * -4.5 are out of [-3, 3): their columns stay off */
START_TEST(one_hot_values)
{
	for (int opset = 9; opset <= 11; opset += 2) {
		struct harness h;

		h_init(&h, "OneHot", opset);
		h_input(&h, DT_FLOAT, 1, DIMS(4), F32(1.7f, -1, 3, -4.5f), 0);
		h_input(&h, DT_INT32, 0, DIMS(0), I32(3), 1);
		h_input(&h, DT_INT64, 1, DIMS(2), I64(0, 5), 0);
		h_output(&h);
		h_attr_int(&h, "axis", 0);
		h_run_ok(&h);
		h_expect_out(&h, 0, DT_INT64, 2, DIMS(3, 4),
		             opset == 9 ? I64(0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0)
		                        : I64(0, 0, 0, 0, 5, 0, 0, 0, 0, 5, 0, 0));
		h_free(&h);
	}
}
END_TEST

static const struct h_case one_hot_errors_table[] = {
	{ "run-time depth", "OneHot", 11,
	  { { DT_INT64, 1, DIMS(1), I64(0) }, { DT_INT64, 0, DIMS(0), I64(3), 0 },
	    { DT_FLOAT, 1, DIMS(2), F32(0, 1) } },
	  .code = GRT_E_DYNAMIC, .msg = "depth" },
	{ "depth 0", "OneHot", 11,
	  { { DT_INT64, 1, DIMS(1), I64(0) }, { DT_INT64, 0, DIMS(0), I64(0), 1 },
	    { DT_FLOAT, 1, DIMS(2), F32(0, 1) } },
	  .code = GRT_E_SHAPE, .msg = "depth 0 is not >= 1" },
	{ "three values", "OneHot", 11,
	  { { DT_INT64, 1, DIMS(1), I64(0) }, { DT_INT64, 0, DIMS(0), I64(2), 1 },
	    { DT_FLOAT, 1, DIMS(3), F32(0, 1, 2) } },
	  .code = GRT_E_SHAPE, .msg = "values must be [off_value, on_value]" },
	{ "axis 2 of output rank 2", "OneHot", 11,
	  { { DT_INT64, 1, DIMS(1), I64(0) }, { DT_INT64, 0, DIMS(0), I64(2), 1 },
	    { DT_FLOAT, 1, DIMS(2), F32(0, 1) } },
	  { { "axis", ATTR_INT, 2 } },
	  .code = GRT_E_ATTR, .msg = "axis 2 out of range for rank 2" },
};

START_TEST(one_hot_errors)
{
	h_expect_case(&one_hot_errors_table[_i], NULL);
}
END_TEST

/* ------------------------------------------------------------------ Trilu */

/* (2,3) = 1..6: k from a run-time input, k at the int64 limits, and absent */
START_TEST(trilu_values)
{
	static const struct {
		int upper, has_k, is_const;
		int64_t k;
		float want[6];
	} cases[] = {
		{ 1, 1, 0, 1, { 0, 2, 3, 0, 0, 6 } },
		{ 0, 1, 1, -1, { 0, 0, 0, 4, 0, 0 } },
		{ 0, 1, 0, INT64_MAX, { 1, 2, 3, 4, 5, 6 } },
		{ 1, 1, 1, INT64_MIN, { 1, 2, 3, 4, 5, 6 } },
		{ 1, 1, 1, INT64_MAX, { 0, 0, 0, 0, 0, 0 } },
		{ 0, 0, 0, 0, { 1, 0, 0, 4, 5, 0 } },
	};

	for (size_t c = 0; c < N_ELEMS(cases); c++) {
		struct harness h;

		h_init(&h, "Trilu", 14);
		h_input(&h, DT_FLOAT, 2, DIMS(2, 3), F32(1, 2, 3, 4, 5, 6), 0);
		if (cases[c].has_k)
			h_input(&h, DT_INT64, 0, DIMS(0), &cases[c].k, cases[c].is_const);
		h_output(&h);
		h_attr_int(&h, "upper", cases[c].upper);
		h_run_ok(&h);
		h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 3), cases[c].want);
		h_free(&h);
	}
}
END_TEST

/* ---------------------------------------------------------------- EyeLike */

START_TEST(eye_like_values)
{
	struct harness h;

	h_init(&h, "EyeLike", 9);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 3), NULL, 0);
	h_output(&h);
	h_attr_int(&h, "dtype", DT_INT32);
	h_attr_int(&h, "k", 1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT32, 2, DIMS(2, 3), I32(0, 1, 0, 0, 0, 1));
	h_free(&h);

	h_init(&h, "EyeLike", 9);
	h_input(&h, DT_DOUBLE, 2, DIMS(3, 2), NULL, 0);
	h_output(&h);
	h_attr_int(&h, "k", -1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_DOUBLE, 2, DIMS(3, 2), F64(0, 0, 1, 0, 0, 1));
	h_free(&h);

	h_init(&h, "EyeLike", 9);
	h_input(&h, DT_UINT8, 2, DIMS(2, 2), NULL, 0);
	h_output(&h);
	h_attr_int(&h, "k", 5);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_UINT8, 2, DIMS(2, 2), U8(0, 0, 0, 0));
	h_free(&h);

	h_init(&h, "EyeLike", 9);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 2), NULL, 0);
	h_output(&h);
	h_attr_int(&h, "dtype", 8);      /* string */
	h_run_err(&h, GRT_E_DTYPE, "dtype 8 is not a supported numeric type");
	h_free(&h);
}
END_TEST

/* ----------------------------------------------------------------- Col2Im */

/* the spec's example: blocks (1, 5) over a 5x5 image, block l is row l */
START_TEST(col2im_values_spec)
{
	float in[25], want[25];
	struct harness h;

	for (int i = 0; i < 25; i++) {
		in[i] = (float)(i + 1);
		want[i] = (float)(1 + i % 5 * 5 + i / 5);
	}
	h_init(&h, "Col2Im", 18);
	h_input(&h, DT_FLOAT, 3, DIMS(1, 5, 5), in, 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(5, 5), 1);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(1, 5), 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 4, DIMS(1, 1, 5, 5), want);
	h_free(&h);
}
END_TEST

/* overlapping blocks: 1-D image 4, block 2, pads (1, 1): block l element k lands
 * on l + k - 1, so out[i] = a[i + 1] + b[i] (by hand); 2-D (3, 4), block (2, 2),
 * pads 1, C = 2, input (i % 7): PyTorch 1.13's
 * F.fold(x, (3, 4), (2, 2), padding=(1, 1)) */
START_TEST(col2im_values_overlap)
{
	static const double want2[24] = { 20, 10, 14, 4, 12, 16, 20, 10, 4, 8, 12, 16,
	                                   4, 8, 12, 16, 10, 14, 4, 8, 16, 20, 10, 14 };
	double in2[160];
	struct harness h;

	h_init(&h, "Col2Im", 18);
	h_input(&h, DT_FLOAT, 3, DIMS(1, 2, 5), F32(1, 2, 3, 4, 5, 10, 20, 30, 40, 50), 0);
	h_input(&h, DT_INT64, 1, DIMS(1), I64(4), 1);
	h_input(&h, DT_INT64, 1, DIMS(1), I64(2), 1);
	h_output(&h);
	h_attr_ints(&h, "pads", 2, I64(1, 1));
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 3, DIMS(1, 1, 4), F32(12, 23, 34, 45));
	h_free(&h);

	for (int i = 0; i < 160; i++)
		in2[i] = i % 7;
	h_init(&h, "Col2Im", 18);
	h_input(&h, DT_DOUBLE, 3, DIMS(1, 8, 20), in2, 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(3, 4), 1);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(2, 2), 1);
	h_output(&h);
	h_attr_ints(&h, "pads", 4, I64(1, 1, 1, 1));
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_DOUBLE, 4, DIMS(1, 2, 3, 4), want2);
	h_free(&h);
}
END_TEST

static const struct h_case col2im_errors_table[] = {
	{ "L mismatch", "Col2Im", 18,
	  { { DT_FLOAT, 3, DIMS(1, 2, 4), f12 }, CONST_I64(4), CONST_I64(2) },
	  .code = GRT_E_SHAPE, .msg = "want (N, C * 2, 3)" },
	{ "run-time image_shape", "Col2Im", 18,
	  { { DT_FLOAT, 3, DIMS(1, 2, 3), f12 }, { DT_INT64, 1, DIMS(1), I64(4), 0 },
	    CONST_I64(2) },
	  .code = GRT_E_DYNAMIC, .msg = "image_shape" },
	{ "int32 data", "Col2Im", 18,
	  { { DT_INT32, 3, DIMS(1, 2, 3), I32(0, 0, 0, 0, 0, 0) }, CONST_I64(4), CONST_I64(2) },
	  .code = GRT_E_DTYPE, .msg = "int32" },
	{ "block larger than the image", "Col2Im", 18,
	  { { DT_FLOAT, 3, DIMS(1, 5, 1), f12 }, CONST_I64(4), CONST_I64(5) },
	  .code = GRT_E_SHAPE, .msg = "larger than the padded image on axis 0" },
};

START_TEST(col2im_errors)
{
	h_expect_case(&col2im_errors_table[_i], NULL);
}
END_TEST

/* ------------------------------------------------------------------ main */

static Suite *gathernd_suite(void)
{
	const struct test_def tests[] = {
		{ "values", gathernd_values_batch_dims2 },
		{ "values", gathernd_values_rows_and_runs },
		{ "errors", gathernd_errors, 0, N_ELEMS(gathernd_errors_table) },
	};

	return suite_from_table("GatherND", tests, N_ELEMS(tests));
}

static Suite *gather_elements_suite(void)
{
	const struct test_def tests[] = {
		{ "values", gather_elements_values_smaller_indices },
		{ "values", gather_elements_values_dtypes },
		{ "errors", gather_elements_errors, 0, N_ELEMS(gather_elements_errors_table) },
	};

	return suite_from_table("GatherElements", tests, N_ELEMS(tests));
}

static Suite *scatter_elements_suite(void)
{
	const struct test_def tests[] = {
		{ "values", scatter_elements_values_reductions },
		{ "values", scatter_elements_values_reduction_dtypes },
		{ "errors", scatter_elements_errors, 0, N_ELEMS(scatter_elements_errors_table) },
		{ "opsets", scatter_elements_opsets_registry },
	};

	return suite_from_table("ScatterElements", tests, N_ELEMS(tests));
}

static Suite *fill_suite(const char *op_type)
{
	const struct test_def one_hot[] = {
		{ "values", one_hot_values },
		{ "errors", one_hot_errors, 0, N_ELEMS(one_hot_errors_table) },
	};
	const struct test_def trilu[] = { { "values", trilu_values } };
	const struct test_def reverse[] = { { "values", reverse_sequence_values } };
	const struct test_def col2im[] = {
		{ "values", col2im_values_spec }, { "values", col2im_values_overlap },
		{ "errors", col2im_errors, 0, N_ELEMS(col2im_errors_table) },
	};
	const struct test_def eye_like[] = { { "values", eye_like_values } };

	if (!strcmp(op_type, "OneHot"))
		return suite_from_table(op_type, one_hot, N_ELEMS(one_hot));
	if (!strcmp(op_type, "Col2Im"))
		return suite_from_table(op_type, col2im, N_ELEMS(col2im));
	if (!strcmp(op_type, "ReverseSequence"))
		return suite_from_table(op_type, reverse, N_ELEMS(reverse));
	if (!strcmp(op_type, "Trilu"))
		return suite_from_table(op_type, trilu, N_ELEMS(trilu));
	return suite_from_table(op_type, eye_like, N_ELEMS(eye_like));
}

int main(void)
{
	Suite *suites[] = { gathernd_suite(), gather_elements_suite(), scatter_elements_suite(),
	                    fill_suite("OneHot"), fill_suite("Trilu"), fill_suite("EyeLike"),
	                    fill_suite("ReverseSequence"), fill_suite("Col2Im") };

	return run_suites(suites, N_ELEMS(suites), 0);
}
