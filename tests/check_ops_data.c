/* check_ops_data.c - unit tests for the data-movement ops: Slice, Gather,
 * ScatterND, Pad (ops/tensor/slice.c, ops/tensor/gather.c, ops/tensor/pad.c). One suite per op type;
 * cases grouped as values, shapes, errors, opsets. Expected numbers are worked
 * out by hand from the ONNX text. Rerun one case: CK_RUN_CASE=<case> CK_RUN_SUITE=<op>. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/op_harness.h"






/* ------------------------------------------------------------------ Slice */

static const float mat24[] = { 1, 2, 3, 4, 5, 6, 7, 8 };   /* (2,4) */

/* A Slice-10+ node on mat24-like float data with constant int64 inputs;
 * axes/steps may be NULL (omitted). */
static void slice_setup(struct harness *h, int opset, const float *data, int ndim,
                        const int64_t *dims, int n, const int64_t *starts,
                        const int64_t *ends, const int64_t *axes, const int64_t *steps)
{
	h_init(h, "Slice", opset);
	h_input(h, DT_FLOAT, ndim, dims, data, 0);
	h_input(h, DT_INT64, 1, DIMS(n), starts, 1);
	h_input(h, DT_INT64, 1, DIMS(n), ends, 1);
	if (axes)
		h_input(h, DT_INT64, 1, DIMS(n), axes, 1);
	else if (steps)
		h_input_none(h);
	if (steps)
		h_input(h, DT_INT64, 1, DIMS(n), steps, 1);
	h_output(h);
}

START_TEST(slice_values_spec_example1)
{
	struct harness h;

	slice_setup(&h, 13, mat24, 2, DIMS(2, 4), 2, I64(1, 0), I64(2, 3), I64(0, 1), I64(1, 2));
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(1, 2), F32(5, 7));
	h_free(&h);
}
END_TEST

START_TEST(slice_values_spec_example2)
{
	struct harness h;

	slice_setup(&h, 13, mat24, 2, DIMS(2, 4), 2, I64(0, 1), I64(-1, 1000), NULL, NULL);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(1, 3), F32(2, 3, 4));
	h_free(&h);
}
END_TEST

START_TEST(slice_values_int64max_end)
{
	struct harness h;

	slice_setup(&h, 11, mat24, 2, DIMS(2, 4), 1, I64(1), I64(INT64_MAX), I64(-1), NULL);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 3), F32(2, 3, 4, 6, 7, 8));
	h_free(&h);
}
END_TEST

START_TEST(slice_values_reverse_neg_int64max)
{
	struct harness h;

	/* starts -1, ends -INT64_MAX, step -1: the whole axis reversed */
	slice_setup(&h, 11, mat24, 2, DIMS(2, 4), 1, I64(-1), I64(-INT64_MAX), I64(1), I64(-1));
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 4), F32(4, 3, 2, 1, 8, 7, 6, 5));
	h_free(&h);
}
END_TEST

START_TEST(slice_values_reverse_int64min_end)
{
	struct harness h;

	/* start INT64_MAX clamps to dim-1 = 1; end INT64_MIN clamps to -1 */
	slice_setup(&h, 13, mat24, 2, DIMS(2, 4), 1, I64(INT64_MAX), I64(INT64_MIN), I64(0),
	            I64(-1));
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 4), F32(5, 6, 7, 8, 1, 2, 3, 4));
	h_free(&h);
}
END_TEST

START_TEST(slice_values_neg_step_clamps)
{
	struct harness h;

	/* step -2 from 100 (clamped to 3) down to -100 (clamped to -1): 3, 1 */
	slice_setup(&h, 13, mat24, 2, DIMS(2, 4), 1, I64(100), I64(-100), I64(1), I64(-2));
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 2), F32(4, 2, 8, 6));
	h_free(&h);
}
END_TEST

START_TEST(slice_values_huge_steps)
{
	struct harness h;

	/* a step larger than the axis selects only the start element */
	slice_setup(&h, 13, mat24, 2, DIMS(2, 4), 2, I64(0, 3), I64(2, -5), I64(0, 1),
	            I64(INT64_MAX, INT64_MIN));
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(1, 1), F32(4));
	h_free(&h);
}
END_TEST

START_TEST(slice_values_int32_inputs)
{
	struct harness h;

	h_init(&h, "Slice", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 4), mat24, 0);
	h_input(&h, DT_INT32, 1, DIMS(1), I32(-1), 1);
	h_input(&h, DT_INT32, 1, DIMS(1), I32(-5), 1);
	h_input(&h, DT_INT32, 1, DIMS(1), I32(-1), 1);
	h_input(&h, DT_INT32, 1, DIMS(1), I32(-3), 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 2), F32(4, 1, 8, 5));
	h_free(&h);
}
END_TEST

START_TEST(slice_values_dtypes)
{
	static const enum dtype types[] = { DT_UINT8, DT_INT16, DT_DOUBLE, DT_BOOL, DT_INT64 };

	for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
		enum dtype dt = types[k];
		size_t es = dtype_size(dt);
		unsigned char in[6 * 8], want[2 * 8];
		struct harness h;

		/* data (6,): element i is i+1 in its lowest byte (bool: i % 2) */
		memset(in, 0, sizeof(in));
		for (int i = 0; i < 6; i++)
			in[i * es] = (unsigned char)(dt == DT_BOOL ? i % 2 : i + 1);
		memset(want, 0, sizeof(want));
		memcpy(want, in + 5 * es, es);       /* x[5:0:-3] = x[5], x[2] */
		memcpy(want + es, in + 2 * es, es);
		h_init(&h, "Slice", 13);
		h_input(&h, dt, 1, DIMS(6), in, 0);
		h_input(&h, DT_INT64, 1, DIMS(1), I64(5), 1);
		h_input(&h, DT_INT64, 1, DIMS(1), I64(0), 1);
		h_input_none(&h);
		h_input(&h, DT_INT64, 1, DIMS(1), I64(-3), 1);
		h_output(&h);
		h_run_ok(&h);
		h_expect_out(&h, 0, dt, 1, DIMS(2), want);
		h_free(&h);
	}
}
END_TEST

START_TEST(slice_values_merged_axes)
{
	/* (2,3,4) -> [:, 1:3, :]: inner axes merge into one 8-element run per batch */
	float in[24], want[16];
	struct harness h;
	int k = 0;

	for (int i = 0; i < 24; i++)
		in[i] = (float)i;
	for (int b = 0; b < 2; b++)
		for (int i = 4; i < 12; i++)
			want[k++] = (float)(b * 12 + i);
	slice_setup(&h, 13, in, 3, DIMS(2, 3, 4), 1, I64(1), I64(3), I64(1), NULL);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 3, DIMS(2, 2, 4), want);
	h_free(&h);
}
END_TEST

/* Slices of [a][b][w] along the last axis (start 1, length n, step 1) and, for
 * reversed rows, step -1: row sizes that hit each block copy, every element
 * size; compared with a naive strided copy. */
START_TEST(slice_values_row_kernels)
{
	static const enum dtype types[] = { DT_UINT8, DT_INT16, DT_FLOAT, DT_DOUBLE };
	static const int64_t lens[] = { 1, 2, 4, 8, 16, 3, 13, 70, 300 };

	for (int t = 0; t < 4; t++) {
		size_t es = dtype_size(types[t]);
		for (int l = 0; l < 9; l++) {
			const int64_t a = 3, b = 5, n = lens[l], w = n + 3;
			unsigned char *in = malloc((size_t)(a * b * w) * es);
			unsigned char *want = malloc((size_t)(a * b * n) * es);
			struct harness h;

			ck_assert(in && want);
			for (size_t i = 0; i < (size_t)(a * b * w) * es; i++)
				in[i] = (unsigned char)(i * 11 + i / 7);
			for (int step = 1; step >= -1; step -= 2) {
				/* step 1: [1, 1 + n); step -1: from n down to 1 */
				for (int64_t r = 0; r < a * b; r++)
					for (int64_t j = 0; j < n; j++)
						memcpy(want + (size_t)(r * n + j) * es,
						       in + (size_t)(r * w + (step > 0 ? 1 + j : n - j)) * es, es);
				h_init(&h, "Slice", 13);
				h_input(&h, types[t], 3, DIMS(a, b, w), in, 0);
				h_input(&h, DT_INT64, 1, DIMS(1), step > 0 ? I64(1) : I64(n), 1);
				h_input(&h, DT_INT64, 1, DIMS(1), step > 0 ? I64(1 + n) : I64(0), 1);
				h_input(&h, DT_INT64, 1, DIMS(1), I64(2), 1);
				h_input(&h, DT_INT64, 1, DIMS(1), step > 0 ? I64(1) : I64(-1), 1);
				h_output(&h);
				h_run_ok(&h);
				h_expect_out(&h, 0, types[t], 3, DIMS(a, b, n), want);
				h_free(&h);
			}
			free(in);
			free(want);
		}
	}
}
END_TEST

START_TEST(slice_shapes_empty_output)
{
	struct harness h;

	slice_setup(&h, 13, mat24, 2, DIMS(2, 4), 1, I64(2), I64(2), I64(1), NULL);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 0), NULL);
	h_free(&h);
	/* start past the end, and a reversed range with a positive step */
	slice_setup(&h, 13, mat24, 2, DIMS(2, 4), 2, I64(1000, 3), I64(1000, 1), NULL, NULL);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(0, 0), NULL);
	h_free(&h);
}
END_TEST

START_TEST(slice_shapes_fewer_starts_than_rank)
{
	struct harness h;

	/* axes omitted: starts/ends apply to axes 0..len-1 only */
	slice_setup(&h, 13, mat24, 2, DIMS(2, 4), 1, I64(1), I64(2), NULL, NULL);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(1, 4), F32(5, 6, 7, 8));
	h_free(&h);
}
END_TEST

START_TEST(slice_shapes_empty_input_negative_step)
{
	struct harness h;
	float none[1] = { 0 };

	slice_setup(&h, 13, none, 2, DIMS(0, 4), 1, I64(-1), I64(INT64_MIN), I64(0), I64(-1));
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(0, 4), NULL);
	h_free(&h);
}
END_TEST

/* One row per bad Slice-13 on mat24 (2,4) with constant int64 inputs. */
#define SLICE_X { DT_FLOAT, 2, DIMS(2, 4), mat24 }

static const struct h_case slice_errors_table[] = {
	{ "repeated axes", "Slice", 13,
	  { SLICE_X, CONST_I64(0, 0), CONST_I64(1, 1), CONST_I64(1, -1) },
	  .code = GRT_E_ATTR, .msg = "axis 1 appears twice" },
	{ "zero step", "Slice", 13,
	  { SLICE_X, CONST_I64(0), CONST_I64(1), CONST_I64(0), CONST_I64(0) },
	  .code = GRT_E_ATTR, .msg = "steps[0] is 0" },
	{ "axis out of range", "Slice", 13,
	  { SLICE_X, CONST_I64(0), CONST_I64(1), CONST_I64(2) },
	  .code = GRT_E_ATTR, .msg = "axes[0] = 2 out of range" },
	{ "starts and ends lengths", "Slice", 13, { SLICE_X, CONST_I64(0, 0), CONST_I64(1) },
	  .code = GRT_E_ATTR, .msg = "starts has 2 entries but ends has 1" },
	{ "float starts", "Slice", 13,
	  { SLICE_X, { DT_FLOAT, 1, DIMS(1), F32(0), 1 }, CONST_I64(1) },
	  .code = GRT_E_DTYPE, .msg = "input 1" },
};

START_TEST(slice_errors)
{
	h_expect_case(&slice_errors_table[_i], NULL);
}
END_TEST


START_TEST(slice_errors_dynamic_starts)
{
	struct harness h;

	h_init(&h, "Slice", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 4), mat24, 0);
	h_input(&h, DT_INT64, 1, DIMS(1), I64(0), 0);
	h_input(&h, DT_INT64, 1, DIMS(1), I64(1), 1);
	h_output(&h);
	h_run_err(&h, GRT_E_DYNAMIC, "starts");
	ck_assert_ptr_eq(h.x.dyn, h.in[1]);
	h_free(&h);
}
END_TEST

START_TEST(slice_opsets_attributes)
{
	static const int64_t starts[] = { 1, 0 }, ends[] = { 2, 3 }, axes[] = { 0, 1 };

	for (int opset = 1; opset <= 9; opset += 8) {
		struct harness h;

		h_init(&h, "Slice", opset);
		h_input(&h, DT_FLOAT, 2, DIMS(2, 4), mat24, 0);
		h_output(&h);
		h_attr_ints(&h, "starts", 2, starts);
		h_attr_ints(&h, "ends", 2, ends);
		h_attr_ints(&h, "axes", 2, axes);
		h_run_ok(&h);
		h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(1, 3), F32(5, 6, 7));
		h_free(&h);
	}
}
END_TEST

START_TEST(slice_opsets_attributes_default_axes)
{
	static const int64_t starts[] = { 0, 1 }, ends[] = { -1, 1000 };
	struct harness h;

	h_init(&h, "Slice", 1);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 4), mat24, 0);
	h_output(&h);
	h_attr_ints(&h, "starts", 2, starts);
	h_attr_ints(&h, "ends", 2, ends);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(1, 3), F32(2, 3, 4));
	h_free(&h);
}
END_TEST

START_TEST(slice_opsets_attribute_errors)
{
	static const int64_t starts[] = { 0 };
	struct harness h;

	h_init(&h, "Slice", 7);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 4), mat24, 0);
	h_output(&h);
	h_attr_ints(&h, "starts", 1, starts);
	h_run_err(&h, GRT_E_ATTR, "'ends' is required");
	h_free(&h);
}
END_TEST

START_TEST(slice_opsets_registry)
{
	ck_assert_str_eq(op_lookup("Slice", 1)->op_type, "Slice");
	ck_assert_int_eq(op_lookup("Slice", 9)->until, 9);
	ck_assert_int_eq(op_lookup("Slice", 10)->since, 10);
	ck_assert_int_eq(op_lookup("Slice", 13)->since, 10);
	ck_assert_int_eq(op_lookup("Slice", 17)->since, 10);
}
END_TEST

/* ----------------------------------------------------------------- Gather */

static const float mat33[] = { 1.0f, 1.2f, 1.9f, 2.3f, 3.4f, 3.9f, 4.5f, 5.7f, 5.9f };

static void gather_setup(struct harness *h, int opset, enum dtype dt, int ndim,
                         const int64_t *dims, const void *data, enum dtype it, int qdim,
                         const int64_t *qdims, const void *idx, int idx_const)
{
	h_init(h, "Gather", opset);
	h_input(h, dt, ndim, dims, data, 0);
	h_input(h, it, qdim, qdims, idx, idx_const);
	h_output(h);
}

START_TEST(gather_values_spec_axis0)
{
	struct harness h;

	gather_setup(&h, 13, DT_FLOAT, 2, DIMS(3, 2), F32(1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f),
	             DT_INT64, 2, DIMS(2, 2), I64(0, 1, 1, 2), 1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 3, DIMS(2, 2, 2),
	           F32(1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f));
	h_free(&h);
}
END_TEST

START_TEST(gather_values_spec_axis1)
{
	for (int c = 0; c < 2; c++) {
		struct harness h;

		gather_setup(&h, 13, DT_FLOAT, 2, DIMS(3, 3), mat33, DT_INT64, 2, DIMS(1, 2),
		             I64(0, 2), c);
		h_attr_int(&h, "axis", 1);
		h_run_ok(&h);
		h_expect_out(&h, 0, DT_FLOAT, 3, DIMS(3, 1, 2), F32(1.0f, 1.9f, 2.3f, 3.9f, 4.5f, 5.9f));
		h_free(&h);
	}
}
END_TEST

START_TEST(gather_values_negative_axis_and_indices)
{
	for (int c = 0; c < 2; c++) {
		struct harness h;

		gather_setup(&h, 11, DT_FLOAT, 2, DIMS(3, 3), mat33, DT_INT32, 1, DIMS(3),
		             I32(-1, 0, -3), c);
		h_attr_int(&h, "axis", -1);
		h_run_ok(&h);
		h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(3, 3),
		           F32(1.9f, 1.0f, 1.0f, 3.9f, 2.3f, 2.3f, 5.9f, 4.5f, 4.5f));
		h_free(&h);
	}
}
END_TEST

START_TEST(gather_values_scalar_index)
{
	/* (2,2,2) complex-like pairs, scalar index 1 on the last axis: imaginary parts */
	for (int c = 0; c < 2; c++) {
		struct harness h;

		gather_setup(&h, 11, DT_FLOAT, 3, DIMS(2, 2, 2), F32(1, 2, 3, 4, 5, 6, 7, 8),
		             DT_INT64, 0, NULL, I64(1), c);
		h_attr_int(&h, "axis", 2);
		h_run_ok(&h);
		h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 2), F32(2, 4, 6, 8));
		h_free(&h);
	}
}
END_TEST

/* One part of n interleaved pairs, (n, 2) float, scalar index 0 or 1 on the last axis:
 * n around the four-element vector moves (ops/copy.h's copy_every2_u32), which must
 * not read past the input's last element (the sanitizer builds see that). */
START_TEST(gather_values_pairs_last_axis)
{
	for (int64_t n = 1; n <= 70; n += n < 10 ? 1 : 29)
		for (int64_t part = 0; part < 2; part++) {
			float in[70 * 2], want[70];
			struct harness h;

			for (int64_t i = 0; i < 2 * n; i++)
				in[i] = (float)i;
			for (int64_t i = 0; i < n; i++)
				want[i] = in[2 * i + part];
			gather_setup(&h, 13, DT_FLOAT, 2, DIMS(n, 2), in, DT_INT64, 0, NULL,
			             I64(part), 1);
			h_attr_int(&h, "axis", 1);
			h_run_ok(&h);
			h_expect_out(&h, 0, DT_FLOAT, 1, DIMS(n), want);
			h_free(&h);
		}
}
END_TEST

START_TEST(gather_values_scalar_from_vector)
{
	struct harness h;

	gather_setup(&h, 13, DT_INT64, 1, DIMS(4), I64(10, 20, 30, 40), DT_INT64, 0, NULL,
	             I64(-2), 1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT64, 0, NULL, I64(30));
	h_free(&h);
}
END_TEST

START_TEST(gather_values_runs_and_repeats)
{
	/* indices 1,2,3 copy as one run; 0,0 repeat a row */
	float in[5 * 2];
	struct harness h;

	for (int i = 0; i < 10; i++)
		in[i] = (float)i;
	gather_setup(&h, 13, DT_FLOAT, 2, DIMS(5, 2), in, DT_INT64, 1, DIMS(5),
	             I64(1, 2, 3, 0, 0), 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(5, 2), F32(2, 3, 4, 5, 6, 7, 0, 1, 0, 1));
	h_free(&h);
}
END_TEST

START_TEST(gather_values_dtypes_last_axis)
{
	static const enum dtype types[] = { DT_UINT8, DT_FLOAT16, DT_DOUBLE, DT_BOOL };

	for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
		enum dtype dt = types[k];
		size_t es = dtype_size(dt);
		unsigned char in[6 * 8] = { 0 }, want[4 * 8] = { 0 };
		static const int pick[] = { 2, 0, 5, 3 };   /* (2,3) gather [2,0] on axis 1 */
		struct harness h;

		for (int i = 0; i < 6; i++)
			in[i * es + (es > 1)] = (unsigned char)(dt == DT_BOOL ? i % 2 : 0x10 + i);
		for (int i = 0; i < 4; i++)
			memcpy(want + i * es, in + pick[i] * es, es);
		gather_setup(&h, 13, dt, 2, DIMS(2, 3), in, DT_INT64, 1, DIMS(2), I64(2, 0), 1);
		h_attr_int(&h, "axis", 1);
		h_run_ok(&h);
		h_expect_out(&h, 0, dt, 2, DIMS(2, 2), want);
		h_free(&h);
	}
}
END_TEST

/* Gather with constant indices in each planned form (one run copied over
 * all outer indices, a few runs, many short runs, element gathers) and with
 * the same indices at run time; every element size, blocks (inner) of 1 to
 * 40 elements; compared with a naive gather. */
START_TEST(gather_values_run_kernels)
{
	static const enum dtype types[] = { DT_UINT8, DT_INT16, DT_FLOAT, DT_DOUBLE };
	static const int64_t inners[] = { 1, 2, 3, 8, 40 };
	static const struct { int n; int64_t v[12]; } sets[] = {
		{ 1, { 2 } },                                   /* one index */
		{ 3, { 4, 5, 6 } },                             /* one run */
		{ 7, { 0, 1, 2, 3, 4, 5, 6 } },                 /* the whole axis */
		{ 9, { 0, 1, 2, 1, 2, 3, 2, 3, 4 } },           /* unfold-like: three runs */
		{ 12, { 6, 0, -1, 3, 3, 1, 2, 5, 0, 4, -7, 6 } }, /* many short runs */
	};
	const int64_t outer = 5, d = 7;

	for (int t = 0; t < 4; t++) {
		size_t es = dtype_size(types[t]);
		for (int k = 0; k < 5; k++) {
			const int64_t inner = inners[k];
			unsigned char *in = malloc((size_t)(outer * d * inner) * es);
			unsigned char *want = malloc((size_t)(outer * 12 * inner) * es);

			ck_assert(in && want);
			for (size_t i = 0; i < (size_t)(outer * d * inner) * es; i++)
				in[i] = (unsigned char)(i * 5 + i / 3);
			for (int q = 0; q < 5; q++) {
				const int n = sets[q].n;
				for (int64_t o = 0; o < outer; o++)
					for (int j = 0; j < n; j++) {
						int64_t v = sets[q].v[j] < 0 ? sets[q].v[j] + d : sets[q].v[j];
						memcpy(want + (size_t)((o * n + j) * inner) * es,
						       in + (size_t)((o * d + v) * inner) * es, (size_t)inner * es);
					}
				for (int c = 1; c >= 0; c--) {
					struct harness h;
					gather_setup(&h, 13, types[t], 3, DIMS(outer, d, inner), in, DT_INT64,
					             1, DIMS(n), sets[q].v, c);
					h_attr_int(&h, "axis", 1);
					h_run_ok(&h);
					h_expect_out(&h, 0, types[t], 3, DIMS(outer, n, inner), want);
					h_free(&h);
				}
			}
			free(in);
			free(want);
		}
	}
}
END_TEST

START_TEST(gather_shapes_rank)
{
	/* data (2,3,4), indices (1,2) on axis 1 -> (2,1,2,4) */
	float in[24];
	struct harness h;

	for (int i = 0; i < 24; i++)
		in[i] = (float)i;
	gather_setup(&h, 13, DT_FLOAT, 3, DIMS(2, 3, 4), in, DT_INT64, 2, DIMS(1, 2),
	             I64(2, 1), 1);
	h_attr_int(&h, "axis", 1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 4, DIMS(2, 1, 2, 4),
	           F32(8, 9, 10, 11, 4, 5, 6, 7, 20, 21, 22, 23, 16, 17, 18, 19));
	h_free(&h);
}
END_TEST

START_TEST(gather_shapes_empty_indices)
{
	struct harness h;

	gather_setup(&h, 13, DT_FLOAT, 2, DIMS(3, 3), mat33, DT_INT64, 1, DIMS(0), NULL, 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(0, 3), NULL);
	h_free(&h);
}
END_TEST

/* One row per bad Gather on mat33 (3,3) unless said. */
#define GATHER_X { DT_FLOAT, 2, DIMS(3, 3), mat33 }

static const struct h_case gather_errors_table[] = {
	{ "run-time index 7 on axis 1", "Gather", 13,
	  { GATHER_X, { DT_INT64, 1, DIMS(2), I64(0, 7), 0 } }, { { "axis", ATTR_INT, 1 } },
	  .code = GRT_E_INDEX,
	  .msg = "node 'test' (Gather): index 7 out of range [-3, 3) on axis 1" },
	{ "run-time index -4", "Gather", 13, { GATHER_X, { DT_INT32, 1, DIMS(1), I32(-4), 0 } },
	  .code = GRT_E_INDEX, .msg = "index -4 out of range [-3, 3) on axis 0" },
	{ "axis 2 of rank 2", "Gather", 13, { GATHER_X, CONST_I64(0) },
	  { { "axis", ATTR_INT, 2 } }, .code = GRT_E_ATTR, .msg = "axis 2 out of range for rank 2" },
	{ "float indices", "Gather", 13, { GATHER_X, { DT_FLOAT, 1, DIMS(1), F32(0), 1 } },
	  .code = GRT_E_DTYPE, .msg = "input 1" },
	{ "scalar data", "Gather", 13,
	  { { DT_FLOAT, 0, NULL, F32(1) }, { DT_INT64, 0, NULL, I64(0), 1 } },
	  .code = GRT_E_SHAPE, .msg = "rank >= 1" },
};

START_TEST(gather_errors)
{
	h_expect_case(&gather_errors_table[_i], NULL);
}
END_TEST

START_TEST(gather_errors_const_index_in_prepare)
{
	struct harness h;
	int rc;

	gather_setup(&h, 13, DT_FLOAT, 2, DIMS(3, 3), mat33, DT_INT64, 1, DIMS(2), I64(3, 0), 1);
	rc = h.n.op->prepare(&h.n, &h.x);
	expect_error(__func__, h.err, rc, GRT_E_INDEX, "index 3 out of range [-3, 3) on axis 0");
	h_free(&h);
}
END_TEST

START_TEST(gather_opsets_registry)
{
	for (int opset = 1; opset <= 17; opset++)
		ck_assert_msg(op_lookup("Gather", opset) != NULL, "no Gather at opset %d", opset);
}
END_TEST

/* -------------------------------------------------------------- ScatterND */

static void scatter_setup(struct harness *h, int opset, enum dtype dt, int ndim,
                          const int64_t *dims, const void *data, int qdim, const int64_t *qdims,
                          const int64_t *idx, int idx_const, int udim, const int64_t *udims,
                          const void *upd)
{
	h_init(h, "ScatterND", opset);
	h_input(h, dt, ndim, dims, data, 0);
	h_input(h, DT_INT64, qdim, qdims, idx, idx_const);
	h_input(h, dt, udim, udims, upd, 0);
	h_output(h);
}

START_TEST(scatternd_values_spec_example1)
{
	for (int c = 0; c < 2; c++) {
		struct harness h;

		scatter_setup(&h, 11, DT_FLOAT, 1, DIMS(8), F32(1, 2, 3, 4, 5, 6, 7, 8), 2,
		              DIMS(4, 1), I64(4, 3, 1, 7), c, 1, DIMS(4), F32(9, 10, 11, 12));
		h_run_ok(&h);
		h_expect_out(&h, 0, DT_FLOAT, 1, DIMS(8), F32(1, 11, 3, 10, 9, 6, 7, 12));
		h_free(&h);
	}
}
END_TEST

START_TEST(scatternd_values_slice_update)
{
	/* data (3,2,2) zeros, indices [[2],[0]]: whole (2,2) blocks */
	struct harness h;
	float zero[12] = { 0 };

	scatter_setup(&h, 13, DT_FLOAT, 3, DIMS(3, 2, 2), zero, 2, DIMS(2, 1), I64(2, 0), 1,
	              3, DIMS(2, 2, 2), F32(1, 2, 3, 4, 5, 6, 7, 8));
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 3, DIMS(3, 2, 2), F32(5, 6, 7, 8, 0, 0, 0, 0, 1, 2, 3, 4));
	h_free(&h);
}
END_TEST

START_TEST(scatternd_values_adjacent_blocks_and_negative)
{
	/* k = rank: elements; [0,2],[1,0] are adjacent in memory; [-1,-1] = [1,2] */
	struct harness h;

	scatter_setup(&h, 13, DT_INT64, 2, DIMS(2, 3), I64(1, 2, 3, 4, 5, 6), 2, DIMS(3, 2),
	              I64(0, 2, 1, 0, -1, -1), 0, 1, DIMS(3), I64(30, 40, 60));
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT64, 2, DIMS(2, 3), I64(1, 2, 30, 40, 5, 60));
	h_free(&h);
}
END_TEST

START_TEST(scatternd_values_k2_of_rank3)
{
	struct harness h;
	int64_t data[2 * 2 * 3] = { 0 };

	scatter_setup(&h, 16, DT_INT64, 3, DIMS(2, 2, 3), data, 2, DIMS(2, 2), I64(1, 1, 0, 1), 1,
	              2, DIMS(2, 3), I64(1, 2, 3, 4, 5, 6));
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT64, 3, DIMS(2, 2, 3), I64(0, 0, 0, 4, 5, 6, 0, 0, 0, 1, 2, 3));
	h_free(&h);
}
END_TEST

START_TEST(scatternd_values_reductions)
{
	static const char *const red[] = { "add", "mul", "max", "min" };
	static const float want[4][4] = {
		{ 1, 2 + 5 + 7, 3, 4 },      /* duplicates accumulate */
		{ 1, 2 * 5 * 7, 3, 4 },
		{ 1, 7, 3, 4 },
		{ 1, 2, 3, 4 },
	};

	for (int r = 0; r < 4; r++) {
		struct harness h;

		scatter_setup(&h, 18, DT_FLOAT, 1, DIMS(4), F32(1, 2, 3, 4), 2, DIMS(2, 1),
		              I64(1, 1), 1, 1, DIMS(2), F32(5, 7));
		h_attr_string(&h, "reduction", red[r]);
		h_run_ok(&h);
		h_expect_out(&h, 0, DT_FLOAT, 1, DIMS(4), want[r]);
		h_free(&h);
	}
}
END_TEST

START_TEST(scatternd_values_reduction_dtypes)
{
	struct harness h;
	uint16_t hd[2], hu[1], hw[2];
	uint8_t bd[3] = { 0, 1, 0 }, bu[2] = { 1, 0 }, bw_add[3] = { 1, 1, 0 },
		bw_mul[3] = { 0, 0, 0 };

	/* int8 add wraps: 120 + 10 = -126 */
	scatter_setup(&h, 16, DT_INT8, 1, DIMS(2), (const int8_t[]){ 120, -3 }, 2, DIMS(1, 1),
	              I64(0), 1, 1, DIMS(1), (const int8_t[]){ 10 });
	h_attr_string(&h, "reduction", "add");
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT8, 1, DIMS(2), (const int8_t[]){ -126, -3 });
	h_free(&h);

	/* float16 mul: 1.5 * 2 = 3 */
	hd[0] = float_to_half(1.5f);
	hd[1] = float_to_half(-1.0f);
	hu[0] = float_to_half(2.0f);
	hw[0] = float_to_half(3.0f);
	hw[1] = hd[1];
	scatter_setup(&h, 16, DT_FLOAT16, 1, DIMS(2), hd, 2, DIMS(1, 1), I64(0), 1, 1, DIMS(1), hu);
	h_attr_string(&h, "reduction", "mul");
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT16, 1, DIMS(2), hw);
	h_free(&h);

	/* bool: add is or, mul is and; indices [0],[1] */
	scatter_setup(&h, 16, DT_BOOL, 1, DIMS(3), bd, 2, DIMS(2, 1), I64(0, 1), 1, 1, DIMS(2), bu);
	h_attr_string(&h, "reduction", "add");
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_BOOL, 1, DIMS(3), bw_add);
	h_free(&h);
	scatter_setup(&h, 16, DT_BOOL, 1, DIMS(3), bd, 2, DIMS(2, 1), I64(0, 1), 1, 1, DIMS(2), bu);
	h_attr_string(&h, "reduction", "mul");
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_BOOL, 1, DIMS(3), bw_mul);
	h_free(&h);
}
END_TEST

/* One row per bad ScatterND: data, indices (int64 unless said), updates. */
#define SCATTER_X23 { DT_FLOAT, 2, DIMS(2, 3), F32(1, 2, 3, 4, 5, 6) }

static const struct h_case scatternd_errors_table[] = {
	{ "run-time index 3 on axis 1", "ScatterND", 13,
	  { SCATTER_X23, { DT_INT64, 2, DIMS(2, 2), I64(0, 0, 1, 3), 0 },
	    { DT_FLOAT, 1, DIMS(2), F32(7, 8) } },
	  .code = GRT_E_INDEX, .msg = "indices tuple 1: index 3 out of range [-3, 3) on axis 1" },
	{ "run-time index -3 on axis 0", "ScatterND", 13,
	  { SCATTER_X23, { DT_INT64, 2, DIMS(1, 1), I64(-3), 0 },
	    { DT_FLOAT, 2, DIMS(1, 3), F32(7, 8, 9) } },
	  .code = GRT_E_INDEX, .msg = "index -3 out of range [-2, 2) on axis 0" },
	/* updates must be (2,) ++ (3,) = (2,3) */
	{ "updates shape", "ScatterND", 13,
	  { SCATTER_X23, { DT_INT64, 2, DIMS(2, 1), I64(0, 1), 1 },
	    { DT_FLOAT, 2, DIMS(2, 2), F32(1, 2, 3, 4) } },
	  .code = GRT_E_SHAPE, .msg = "(2,3)" },
	/* k = 3 > rank 2 */
	{ "k beyond the rank", "ScatterND", 13,
	  { SCATTER_X23, { DT_INT64, 2, DIMS(1, 3), I64(0, 0, 0), 1 },
	    { DT_FLOAT, 1, DIMS(1), F32(1) } },
	  .code = GRT_E_SHAPE, .msg = "exceeds the rank" },
	{ "double updates", "ScatterND", 13,
	  { { DT_FLOAT, 1, DIMS(2), F32(1, 2) }, { DT_INT64, 2, DIMS(1, 1), I64(0), 1 },
	    { DT_DOUBLE, 1, DIMS(1), F64(1) } },
	  .code = GRT_E_DTYPE, .msg = "updates is double but data is float" },
	/* int32 indices are not allowed by the spec */
	{ "int32 indices", "ScatterND", 13,
	  { { DT_FLOAT, 1, DIMS(2), F32(1, 2) }, { DT_INT32, 2, DIMS(1, 1), I32(0), 1 },
	    { DT_FLOAT, 1, DIMS(1), F32(1) } },
	  .code = GRT_E_DTYPE, .msg = "input 1" },
};

START_TEST(scatternd_errors)
{
	h_expect_case(&scatternd_errors_table[_i], NULL);
}
END_TEST

START_TEST(scatternd_errors_const_index_in_prepare)
{
	struct harness h;
	int rc;

	scatter_setup(&h, 13, DT_FLOAT, 1, DIMS(3), F32(1, 2, 3), 2, DIMS(1, 1), I64(5), 1, 1,
	              DIMS(1), F32(7));
	rc = h.n.op->prepare(&h.n, &h.x);
	expect_error(__func__, h.err, rc, GRT_E_INDEX, "index 5 out of range [-3, 3) on axis 0");
	h_free(&h);
}
END_TEST

START_TEST(scatternd_opsets_reduction)
{
	struct harness h;

	scatter_setup(&h, 13, DT_FLOAT, 1, DIMS(2), F32(1, 2), 2, DIMS(1, 1), I64(0), 1, 1,
	              DIMS(1), F32(1));
	h_attr_string(&h, "reduction", "add");
	h_run_err(&h, GRT_E_ATTR, "'reduction' needs opset 16");
	h_free(&h);
	scatter_setup(&h, 17, DT_FLOAT, 1, DIMS(2), F32(1, 2), 2, DIMS(1, 1), I64(0), 1, 1,
	              DIMS(1), F32(1));
	h_attr_string(&h, "reduction", "max");
	h_run_err(&h, GRT_E_ATTR, "reduction 'max' is not one of none, add, mul");
	h_free(&h);
	scatter_setup(&h, 16, DT_FLOAT, 1, DIMS(2), F32(1, 2), 2, DIMS(1, 1), I64(0), 1, 1,
	              DIMS(1), F32(5));
	h_attr_string(&h, "reduction", "none");
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 1, DIMS(2), F32(5, 2));
	h_free(&h);
	ck_assert_ptr_null(op_lookup("ScatterND", 10));
	ck_assert_ptr_nonnull(op_lookup("ScatterND", 11));
	ck_assert_ptr_nonnull(op_lookup("ScatterND", 17));
}
END_TEST

/* -------------------------------------------------------------------- Pad */

static const float pad_in[] = { 1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f };   /* (3,2) */

/* A Pad-11+ node; pads constant; cv NULL = omitted. */
static void pad_setup(struct harness *h, int opset, const char *mode, enum dtype dt, int ndim,
                      const int64_t *dims, const void *data, const int64_t *pads,
                      const void *cv, int cv_const)
{
	h_init(h, "Pad", opset);
	h_input(h, dt, ndim, dims, data, 0);
	h_input(h, DT_INT64, 1, DIMS(2 * ndim), pads, 1);
	if (cv)
		h_input(h, dt, 0, NULL, cv, cv_const);
	h_output(h);
	if (mode)
		h_attr_string(h, "mode", mode);
}

START_TEST(pad_values_spec_examples)
{
	struct harness h;

	pad_setup(&h, 11, "constant", DT_FLOAT, 2, DIMS(3, 2), pad_in, I64(0, 2, 0, 0),
	          F32(0.0f), 1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(3, 4), F32(0, 0, 1.0f, 1.2f, 0, 0, 2.3f, 3.4f,
	                                             0, 0, 4.5f, 5.7f));
	h_free(&h);
	pad_setup(&h, 11, "reflect", DT_FLOAT, 2, DIMS(3, 2), pad_in, I64(0, 1, 0, 0), NULL, 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(3, 3), F32(1.2f, 1.0f, 1.2f, 3.4f, 2.3f, 3.4f,
	                                             5.7f, 4.5f, 5.7f));
	h_free(&h);
	pad_setup(&h, 11, "edge", DT_FLOAT, 2, DIMS(3, 2), pad_in, I64(0, 2, 0, 0), NULL, 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(3, 4), F32(1.0f, 1.0f, 1.0f, 1.2f, 2.3f, 2.3f, 2.3f,
	                                             3.4f, 4.5f, 4.5f, 4.5f, 5.7f));
	h_free(&h);
}
END_TEST

START_TEST(pad_values_constant_both_axes)
{
	struct harness h;

	/* (3,2) + pads begin (1,0) end (0,1), value -1 */
	pad_setup(&h, 13, NULL, DT_FLOAT, 2, DIMS(3, 2), pad_in, I64(1, 0, 0, 1), F32(-1), 1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(4, 3), F32(-1, -1, -1, 1.0f, 1.2f, -1, 2.3f, 3.4f, -1,
	                                             4.5f, 5.7f, -1));
	h_free(&h);
}
END_TEST

START_TEST(pad_values_constant_value_dynamic_and_absent)
{
	struct harness h;

	/* constant_value not known at plan time: read at run time */
	pad_setup(&h, 11, "constant", DT_FLOAT, 2, DIMS(3, 2), pad_in, I64(1, 0, 0, 0),
	          F32(9), 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(4, 2), F32(9, 9, 1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f));
	h_free(&h);
	/* constant_value given as "" -> 0 */
	h_init(&h, "Pad", 11);
	h_input(&h, DT_FLOAT, 2, DIMS(3, 2), pad_in, 0);
	h_input(&h, DT_INT64, 1, DIMS(4), I64(0, 0, 1, 0), 1);
	h_input_none(&h);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(4, 2), F32(1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f, 0, 0));
	h_free(&h);
}
END_TEST

START_TEST(pad_values_negative_pads_crop)
{
	struct harness h;

	/* (3,2): drop the first row, pad one column at the end */
	pad_setup(&h, 11, NULL, DT_FLOAT, 2, DIMS(3, 2), pad_in, I64(-1, 0, 0, 1), NULL, 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 3), F32(2.3f, 3.4f, 0, 4.5f, 5.7f, 0));
	h_free(&h);
	/* edge after cropping: the edge is the cropped data's edge */
	pad_setup(&h, 11, "edge", DT_FLOAT, 2, DIMS(3, 2), pad_in, I64(-2, 1, 0, 0), NULL, 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(1, 3), F32(4.5f, 4.5f, 5.7f));
	h_free(&h);
	/* crop an axis to nothing */
	pad_setup(&h, 11, NULL, DT_FLOAT, 2, DIMS(3, 2), pad_in, I64(0, -1, 0, -1), NULL, 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(3, 0), NULL);
	h_free(&h);
}
END_TEST

START_TEST(pad_values_edge_longer_than_axis)
{
	struct harness h;

	pad_setup(&h, 11, "edge", DT_INT32, 1, DIMS(2), I32(7, 9), I64(3, 4), NULL, 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT32, 1, DIMS(9), I32(7, 7, 7, 7, 9, 9, 9, 9, 9));
	h_free(&h);
}
END_TEST

START_TEST(pad_values_reflect_both_sides)
{
	struct harness h;

	pad_setup(&h, 11, "reflect", DT_INT64, 1, DIMS(4), I64(1, 2, 3, 4), I64(3, 3), NULL, 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT64, 1, DIMS(10), I64(4, 3, 2, 1, 2, 3, 4, 3, 2, 1));
	h_free(&h);
	/* reflect on the outer axis of (3,2) */
	pad_setup(&h, 11, "reflect", DT_FLOAT, 2, DIMS(3, 2), pad_in, I64(2, 0, 1, 0), NULL, 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(6, 2), F32(4.5f, 5.7f, 2.3f, 3.4f, 1.0f, 1.2f, 2.3f, 3.4f,
	                                             4.5f, 5.7f, 2.3f, 3.4f));
	h_free(&h);
}
END_TEST

START_TEST(pad_values_dtypes_opset13)
{
	struct harness h;
	uint8_t b[2] = { 1, 0 }, bt = 1, bw[4] = { 1, 1, 0, 1 };

	pad_setup(&h, 13, NULL, DT_INT64, 2, DIMS(1, 2), I64(-5, 6), I64(0, 1, 1, 0), I64(7), 1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT64, 2, DIMS(2, 3), I64(7, -5, 6, 7, 7, 7));
	h_free(&h);
	pad_setup(&h, 13, NULL, DT_BOOL, 1, DIMS(2), b, I64(1, 1), &bt, 1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_BOOL, 1, DIMS(4), bw);
	h_free(&h);
	pad_setup(&h, 13, NULL, DT_UINT8, 1, DIMS(2), (const uint8_t[]){ 3, 4 }, I64(2, 0),
	          (const uint8_t[]){ 200 }, 1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_UINT8, 1, DIMS(4), (const uint8_t[]){ 200, 200, 3, 4 });
	h_free(&h);
}
END_TEST

START_TEST(pad_values_merged_inner_axes)
{
	/* (2,2,3) padded only on axis 1: inner axes merge; each batch is fill, copy, fill */
	float in[12], want[24];
	struct harness h;
	int k = 0;

	for (int i = 0; i < 12; i++)
		in[i] = (float)(i + 1);
	for (int b = 0; b < 2; b++) {
		for (int i = 0; i < 3; i++)
			want[k++] = 0;
		for (int i = 0; i < 6; i++)
			want[k++] = in[b * 6 + i];
		for (int i = 0; i < 3; i++)
			want[k++] = 0;
	}
	pad_setup(&h, 11, NULL, DT_FLOAT, 3, DIMS(2, 2, 3), in, I64(0, 1, 0, 0, 1, 0), NULL, 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 3, DIMS(2, 4, 3), want);
	h_free(&h);
}
END_TEST

START_TEST(pad_values_identity_and_scalar)
{
	struct harness h;

	pad_setup(&h, 11, "reflect", DT_FLOAT, 2, DIMS(3, 2), pad_in, I64(0, 0, 0, 0), NULL, 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(3, 2), pad_in);
	h_free(&h);
	h_init(&h, "Pad", 11);
	h_input(&h, DT_FLOAT, 0, NULL, F32(2.5f), 0);
	h_input(&h, DT_INT64, 1, DIMS(0), NULL, 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 0, NULL, F32(2.5f));
	h_free(&h);
}
END_TEST

START_TEST(pad_values_axes_input_opset18)
{
	struct harness h;

	/* pads only for axis -1 of (3,2) */
	h_init(&h, "Pad", 18);
	h_input(&h, DT_FLOAT, 2, DIMS(3, 2), pad_in, 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(1, 0), 1);
	h_input(&h, DT_FLOAT, 0, NULL, F32(-2), 1);
	h_input(&h, DT_INT32, 1, DIMS(1), I32(-1), 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(3, 3), F32(-2, 1.0f, 1.2f, -2, 2.3f, 3.4f, -2, 4.5f, 5.7f));
	h_free(&h);
}
END_TEST

START_TEST(pad_values_wrap_opset19)
{
	struct harness h;

	pad_setup(&h, 19, "wrap", DT_INT32, 1, DIMS(3), I32(1, 2, 3), I64(4, 2), NULL, 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT32, 1, DIMS(9), I32(3, 1, 2, 3, 1, 2, 3, 1, 2));
	h_free(&h);
}
END_TEST

START_TEST(pad_values_empty_output_huge_pad)
{
	struct harness h;
	float none[1] = { 0 };

	/* (2,0) with 2^30 rows of padding: no elements, so nothing is planned per row */
	pad_setup(&h, 11, NULL, DT_FLOAT, 2, DIMS(2, 0), none, I64((int64_t)1 << 30, 0, 0, 0),
	          NULL, 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(((int64_t)1 << 30) + 2, 0), NULL);
	h_free(&h);
}
END_TEST

/* One row per bad Pad on pad_in (3,2) unless said; pads are constant int64. */
#define PAD_X { DT_FLOAT, 2, DIMS(3, 2), pad_in }

static const struct h_case pad_errors_table[] = {
	{ "reflect longer than the axis", "Pad", 11, { PAD_X, CONST_I64(0, 2, 0, 0) },
	  { { "mode", ATTR_STRING, .s = "reflect" } }, .code = GRT_E_ATTR,
	  .msg = "reflect mode needs pads smaller than the axis: pads 2, 0 on axis 1 of length 2" },
	{ "crop more than the axis", "Pad", 11, { PAD_X, CONST_I64(-2, 0, -2, 0) },
	  .code = GRT_E_ATTR, .msg = "crop more than the 3 elements of axis 0" },
	{ "edge of an empty axis", "Pad", 11, { PAD_X, CONST_I64(0, -2, 0, 1) },
	  { { "mode", ATTR_STRING, .s = "edge" } }, .code = GRT_E_ATTR,
	  .msg = "edge mode cannot pad axis 1" },
	{ "mode mirror", "Pad", 11, { PAD_X, CONST_I64(0, 0, 0, 0) },
	  { { "mode", ATTR_STRING, .s = "mirror" } }, .code = GRT_E_ATTR, .msg = "mode 'mirror'" },
	{ "wrap before opset 19", "Pad", 13, { PAD_X, CONST_I64(0, 0, 0, 0) },
	  { { "mode", ATTR_STRING, .s = "wrap" } }, .code = GRT_E_ATTR, .msg = "mode 'wrap'" },
	{ "2 pads for rank 2", "Pad", 11, { PAD_X, CONST_I64(0, 0) }, .code = GRT_E_ATTR,
	  .msg = "pads has 2 entries (rank 1), expected 4" },
	{ "run-time pads", "Pad", 11,
	  { PAD_X, { DT_INT64, 1, DIMS(4), I64(0, 0, 0, 0), 0 } },
	  .code = GRT_E_DYNAMIC, .msg = "pads" },
	{ "int64 constant_value", "Pad", 11,
	  { PAD_X, CONST_I64(0, 0, 0, 0), { DT_INT64, 0, NULL, I64(1), 1 } },
	  .code = GRT_E_DTYPE, .msg = "constant_value is int64 but data is float" },
	{ "bool", "Pad", 11, { { DT_BOOL, 1, DIMS(1), U8(1) }, CONST_I64(0, 0) },
	  .code = GRT_E_DTYPE, .msg = "bool" },
	/* axes at opset 13 is one input too many */
	{ "axes at opset 13", "Pad", 13,
	  { PAD_X, CONST_I64(1, 0), { .omitted = 1 }, CONST_I64(0) },
	  .code = GRT_E_INVALID_MODEL, .msg = "4 inputs" },
	{ "repeated axes", "Pad", 18,
	  { PAD_X, CONST_I64(1, 0, 0, 0), { .omitted = 1 }, CONST_I64(1, -1) },
	  .code = GRT_E_ATTR, .msg = "axis 1 appears twice" },
};

START_TEST(pad_errors)
{
	h_expect_case(&pad_errors_table[_i], NULL);
}
END_TEST

START_TEST(pad_opsets_attributes)
{
	static const int64_t pads[] = { 0, 1, 0, 1 };

	for (int opset = 2; opset <= 10; opset += 8) {
		struct harness h;

		h_init(&h, "Pad", opset);
		h_input(&h, DT_FLOAT, 2, DIMS(3, 2), pad_in, 0);
		h_output(&h);
		h_attr_ints(&h, "pads", 4, pads);
		h_attr_float(&h, "value", 1.5f);
		h_run_ok(&h);
		h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(3, 4), F32(1.5f, 1.0f, 1.2f, 1.5f, 1.5f, 2.3f, 3.4f,
		                                             1.5f, 1.5f, 4.5f, 5.7f, 1.5f));
		h_free(&h);
	}
}
END_TEST

START_TEST(pad_opsets_attributes_dtypes)
{
	static const int64_t pads[] = { 1, 0 };
	struct harness h;
	uint16_t hin[1], hwant[2];

	h_init(&h, "Pad", 2);
	h_input(&h, DT_DOUBLE, 1, DIMS(1), (const double[]){ 4 }, 0);
	h_output(&h);
	h_attr_ints(&h, "pads", 2, pads);
	h_attr_float(&h, "value", -0.5f);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_DOUBLE, 1, DIMS(2), (const double[]){ -0.5, 4 });
	h_free(&h);

	hin[0] = float_to_half(3.0f);
	hwant[0] = float_to_half(0.25f);
	hwant[1] = hin[0];
	h_init(&h, "Pad", 2);
	h_input(&h, DT_FLOAT16, 1, DIMS(1), hin, 0);
	h_output(&h);
	h_attr_ints(&h, "pads", 2, pads);
	h_attr_float(&h, "value", 0.25f);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT16, 1, DIMS(2), hwant);
	h_free(&h);

	h_init(&h, "Pad", 2);
	h_input(&h, DT_INT32, 1, DIMS(1), I32(1), 0);
	h_output(&h);
	h_attr_ints(&h, "pads", 2, pads);
	h_run_err(&h, GRT_E_DTYPE, "int32");
	h_free(&h);

	h_init(&h, "Pad", 2);
	h_input(&h, DT_FLOAT, 1, DIMS(1), F32(1), 0);
	h_output(&h);
	h_run_err(&h, GRT_E_ATTR, "'pads' is required");
	h_free(&h);
}
END_TEST

START_TEST(pad_opsets_registry)
{
	ck_assert_ptr_null(op_lookup("Pad", 1));
	ck_assert_int_eq(op_lookup("Pad", 2)->since, 2);
	ck_assert_int_eq(op_lookup("Pad", 10)->since, 2);
	for (int opset = 11; opset <= 17; opset++)
		ck_assert_int_eq(op_lookup("Pad", opset)->since, 11);
}
END_TEST

/* ------------------------------------------------------------------ main */

static Suite *slice_suite(void)
{
	const struct test_def tests[] = {
		{ "values", slice_values_spec_example1 }, { "values", slice_values_spec_example2 },
		{ "values", slice_values_int64max_end },
		{ "values", slice_values_reverse_neg_int64max },
		{ "values", slice_values_reverse_int64min_end },
		{ "values", slice_values_neg_step_clamps }, { "values", slice_values_huge_steps },
		{ "values", slice_values_int32_inputs }, { "values", slice_values_dtypes },
		{ "values", slice_values_merged_axes }, { "values", slice_values_row_kernels },
		{ "shapes", slice_shapes_empty_output },
		{ "shapes", slice_shapes_fewer_starts_than_rank },
		{ "shapes", slice_shapes_empty_input_negative_step },
		{ "errors", slice_errors, 0, N_ELEMS(slice_errors_table) },
		{ "errors", slice_errors_dynamic_starts },
		{ "opsets", slice_opsets_attributes },
		{ "opsets", slice_opsets_attributes_default_axes },
		{ "opsets", slice_opsets_attribute_errors }, { "opsets", slice_opsets_registry },
	};

	return suite_from_table("Slice", tests, N_ELEMS(tests));
}

static Suite *gather_suite(void)
{
	const struct test_def tests[] = {
		{ "values", gather_values_spec_axis0 }, { "values", gather_values_spec_axis1 },
		{ "values", gather_values_negative_axis_and_indices },
		{ "values", gather_values_scalar_index },
		{ "values", gather_values_pairs_last_axis },
		{ "values", gather_values_scalar_from_vector },
		{ "values", gather_values_runs_and_repeats },
		{ "values", gather_values_dtypes_last_axis },
		{ "values", gather_values_run_kernels },
		{ "shapes", gather_shapes_rank }, { "shapes", gather_shapes_empty_indices },
		{ "errors", gather_errors, 0, N_ELEMS(gather_errors_table) },
		{ "errors", gather_errors_const_index_in_prepare },
		
		{ "opsets", gather_opsets_registry },
	};

	return suite_from_table("Gather", tests, N_ELEMS(tests));
}

static Suite *scatternd_suite(void)
{
	const struct test_def tests[] = {
		{ "values", scatternd_values_spec_example1 },
		{ "values", scatternd_values_slice_update },
		{ "values", scatternd_values_adjacent_blocks_and_negative },
		{ "values", scatternd_values_k2_of_rank3 },
		{ "values", scatternd_values_reductions },
		{ "values", scatternd_values_reduction_dtypes },
		{ "errors", scatternd_errors, 0, N_ELEMS(scatternd_errors_table) },
		{ "errors", scatternd_errors_const_index_in_prepare },
		
		{ "opsets", scatternd_opsets_reduction },
	};

	return suite_from_table("ScatterND", tests, N_ELEMS(tests));
}

static Suite *pad_suite(void)
{
	const struct test_def tests[] = {
		{ "values", pad_values_spec_examples }, { "values", pad_values_constant_both_axes },
		{ "values", pad_values_constant_value_dynamic_and_absent },
		{ "values", pad_values_negative_pads_crop },
		{ "values", pad_values_edge_longer_than_axis },
		{ "values", pad_values_reflect_both_sides },
		{ "values", pad_values_dtypes_opset13 }, { "values", pad_values_merged_inner_axes },
		{ "values", pad_values_identity_and_scalar },
		{ "values", pad_values_axes_input_opset18 }, { "values", pad_values_wrap_opset19 },
		{ "values", pad_values_empty_output_huge_pad },
		{ "errors", pad_errors, 0, N_ELEMS(pad_errors_table) },
		{ "opsets", pad_opsets_attributes }, { "opsets", pad_opsets_attributes_dtypes },
		{ "opsets", pad_opsets_registry },
	};

	return suite_from_table("Pad", tests, N_ELEMS(tests));
}

int main(void)
{
	Suite *suites[] = { slice_suite(), gather_suite(), scatternd_suite(), pad_suite() };

	return run_suites(suites, N_ELEMS(suites), 0);
}
