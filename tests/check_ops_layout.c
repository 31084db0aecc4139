/* check_ops_layout.c - unit tests for the data-layout ops of ops/tensor/tensor_ops.c:
 * Concat, Split, Transpose, DepthToSpace/SpaceToDepth, and Tile (ops/tensor/tile.c).
 * One suite per op type; cases grouped as values,
 * shapes, errors, opsets. Expected numbers are worked out by hand from the ONNX
 * text, and Transpose's also against a naive index formula. Rerun one case:
 * CK_RUN_SUITE=<op> CK_RUN_CASE=<group>. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/op_harness.h"

static const float f6[] = { 1, 2, 3, 4, 5, 6 };

/* ----------------------------------------------------------------- Concat */

START_TEST(concat_values)
{
	struct harness h;

	/* axis 1: (2,1) ++ (2,2) */
	h_init(&h, "Concat", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 1), F32(1, 2), 0);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 2), F32(3, 4, 5, 6), 0);
	h_output(&h);
	h_attr_int(&h, "axis", 1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 3), F32(1, 3, 4, 2, 5, 6));
	h_free(&h);

	/* axis -3 on 3-D uint16, three inputs */
	h_init(&h, "Concat", 11);
	h_input(&h, DT_UINT16, 3, DIMS(1, 1, 2), U16(1, 2), 0);
	h_input(&h, DT_UINT16, 3, DIMS(2, 1, 2), U16(3, 4, 5, 6), 0);
	h_input(&h, DT_UINT16, 3, DIMS(1, 1, 2), U16(7, 65535), 0);
	h_output(&h);
	h_attr_int(&h, "axis", -3);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_UINT16, 3, DIMS(4, 1, 2), U16(1, 2, 3, 4, 5, 6, 7, 65535));
	h_free(&h);

	/* empty inputs along the axis are skipped; int64 on the last axis */
	h_init(&h, "Concat", 13);
	h_input(&h, DT_INT64, 2, DIMS(2, 0), NULL, 0);
	h_input(&h, DT_INT64, 2, DIMS(2, 1), I64(1, 2), 0);
	h_input(&h, DT_INT64, 2, DIMS(2, 0), NULL, 0);
	h_input(&h, DT_INT64, 2, DIMS(2, 2), I64(3, 4, 5, 6), 0);
	h_output(&h);
	h_attr_int(&h, "axis", -1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT64, 2, DIMS(2, 3), I64(1, 3, 4, 2, 5, 6));
	h_free(&h);

	/* one input is a copy */
	h_init(&h, "Concat", 13);
	h_input(&h, DT_BOOL, 1, DIMS(3), U8(1, 0, 1), 0);
	h_output(&h);
	h_attr_int(&h, "axis", 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_BOOL, 1, DIMS(3), U8(1, 0, 1));
	h_free(&h);
}
END_TEST

/* Concat then Split along the last axis of [outer][w_i] parts, for row sizes
 * that hit each block copy (4 to 64 bytes, odd sizes, more than 256 bytes) and
 * each element size; compared with a naive copy. */
START_TEST(concat_split_values_block_sizes)
{
	static const enum dtype types[] = { DT_UINT8, DT_INT16, DT_FLOAT, DT_DOUBLE };
	static const int64_t widths[][2] = {
		{ 1, 1 }, { 2, 4 }, { 4, 8 }, { 8, 16 }, { 3, 5 }, { 13, 40 }, { 70, 1 }, { 300, 7 },
	};

	for (int t = 0; t < 4; t++) {
		size_t es = dtype_size(types[t]);
		for (int w = 0; w < 8; w++) {
			const int64_t outer = 9, a = widths[w][0], b = widths[w][1], c = a + b;
			unsigned char *pa = malloc((size_t)(outer * a) * es);
			unsigned char *pb = malloc((size_t)(outer * b) * es);
			unsigned char *want = malloc((size_t)(outer * c) * es);
			struct harness h;

			ck_assert(pa && pb && want);
			for (size_t i = 0; i < (size_t)(outer * a) * es; i++)
				pa[i] = (unsigned char)(i * 7 + 1);
			for (size_t i = 0; i < (size_t)(outer * b) * es; i++)
				pb[i] = (unsigned char)(i * 13 + 5);
			for (int64_t o = 0; o < outer; o++) {
				memcpy(want + (size_t)(o * c) * es, pa + (size_t)(o * a) * es, (size_t)a * es);
				memcpy(want + (size_t)(o * c + a) * es, pb + (size_t)(o * b) * es,
				       (size_t)b * es);
			}
			h_init(&h, "Concat", 13);
			h_input(&h, types[t], 3, DIMS(outer, 1, a), pa, 0);
			h_input(&h, types[t], 3, DIMS(outer, 1, b), pb, 0);
			h_output(&h);
			h_attr_int(&h, "axis", -1);
			h_run_ok(&h);
			h_expect_out(&h, 0, types[t], 3, DIMS(outer, 1, c), want);
			h_free(&h);

			h_init(&h, "Split", 13);
			h_input(&h, types[t], 2, DIMS(outer, c), want, 0);
			h_input(&h, DT_INT64, 1, DIMS(2), I64(a, b), 1);
			h_output(&h);
			h_output(&h);
			h_attr_int(&h, "axis", 1);
			h_run_ok(&h);
			h_expect_out(&h, 0, types[t], 2, DIMS(outer, a), pa);
			h_expect_out(&h, 1, types[t], 2, DIMS(outer, b), pb);
			h_free(&h);
			free(pa);
			free(pb);
			free(want);
		}
	}
}
END_TEST

START_TEST(concat_shapes_empty)
{
	struct harness h;

	/* an empty non-axis dim: the output is empty too */
	h_init(&h, "Concat", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(0, 2), NULL, 0);
	h_input(&h, DT_FLOAT, 2, DIMS(0, 3), NULL, 0);
	h_output(&h);
	h_attr_int(&h, "axis", 1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(0, 5), NULL);
	h_free(&h);
}
END_TEST

START_TEST(concat_errors)
{
	struct harness h;

	h_init(&h, "Concat", 13);
	h_input(&h, DT_FLOAT, 1, DIMS(2), f6, 0);
	h_output(&h);
	h_run_err(&h, GRT_E_ATTR, "'axis' is required");
	h_free(&h);

	h_init(&h, "Concat", 13);
	h_input(&h, DT_FLOAT, 1, DIMS(2), f6, 0);
	h_input(&h, DT_DOUBLE, 1, DIMS(2), NULL, 0);
	h_output(&h);
	h_attr_int(&h, "axis", 0);
	h_run_err(&h, GRT_E_DTYPE, "input 1 'in' is double");
	h_free(&h);

	h_init(&h, "Concat", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 3), f6, 0);
	h_input(&h, DT_FLOAT, 2, DIMS(3, 3), NULL, 0);
	h_output(&h);
	h_attr_int(&h, "axis", 1);
	h_run_err(&h, GRT_E_SHAPE, "input 1 'in' has dim 0 = 3");
	h_free(&h);

	h_init(&h, "Concat", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 3), f6, 0);
	h_input(&h, DT_FLOAT, 1, DIMS(3), NULL, 0);
	h_output(&h);
	h_attr_int(&h, "axis", 0);
	h_run_err(&h, GRT_E_SHAPE, "has rank 1");
	h_free(&h);

	h_init(&h, "Concat", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 3), f6, 0);
	h_output(&h);
	h_attr_int(&h, "axis", 2);
	h_run_err(&h, GRT_E_ATTR, "axis 2 out of range for rank 2");
	h_free(&h);

	h_init(&h, "Concat", 13);
	h_input(&h, DT_FLOAT, 0, NULL, f6, 0);
	h_output(&h);
	h_attr_int(&h, "axis", 0);
	h_run_err(&h, GRT_E_SHAPE, "cannot concatenate scalars");
	h_free(&h);

	h_init(&h, "Concat", 13);
	h_input(&h, DT_FLOAT, 1, DIMS(2), f6, 0);
	h_input_none(&h);
	h_output(&h);
	h_attr_int(&h, "axis", 0);
	h_run_err(&h, GRT_E_INVALID_MODEL, "input 1 is empty");
	h_free(&h);
}
END_TEST

START_TEST(concat_opsets_default_axis)
{
	struct harness h;

	/* before opset 4 'axis' defaults to 1 */
	h_init(&h, "Concat", 1);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 1), F32(1, 2), 0);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 1), F32(3, 4), 0);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 2), F32(1, 3, 2, 4));
	h_free(&h);

	ck_assert_ptr_eq(op_lookup("Concat", 1), op_lookup("Concat", 17));
}
END_TEST

/* ------------------------------------------------------------------ Split */

static const float f12[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };

START_TEST(split_values_attribute)
{
	struct harness h;

	/* (2,6) on axis -1 into [1, 3, 2] */
	h_init(&h, "Split", 11);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 6), f12, 0);
	h_output(&h);
	h_output(&h);
	h_output(&h);
	h_attr_int(&h, "axis", -1);
	h_attr_ints(&h, "split", 3, I64(1, 3, 2));
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(2, 1), F32(0, 6));
	h_expect_out(&h, 1, DT_FLOAT, 2, DIMS(2, 3), F32(1, 2, 3, 7, 8, 9));
	h_expect_out(&h, 2, DT_FLOAT, 2, DIMS(2, 2), F32(4, 5, 10, 11));
	h_free(&h);

	/* equal parts on the default axis 0, double */
	h_init(&h, "Split", 2);
	h_input(&h, DT_DOUBLE, 2, DIMS(4, 1), F64(1, 2, 3, 4), 0);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_DOUBLE, 2, DIMS(2, 1), F64(1, 2));
	h_expect_out(&h, 1, DT_DOUBLE, 2, DIMS(2, 1), F64(3, 4));
	h_free(&h);
}
END_TEST

START_TEST(split_values_input)
{
	struct harness h;

	/* (2,3,2) on axis 1 into [2, 0, 1], int8 */
	h_init(&h, "Split", 13);
	h_input(&h, DT_INT8, 3, DIMS(2, 3, 2), I8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 0);
	h_input(&h, DT_INT64, 1, DIMS(3), I64(2, 0, 1), 1);
	h_output(&h);
	h_output(&h);
	h_output(&h);
	h_attr_int(&h, "axis", 1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT8, 3, DIMS(2, 2, 2), I8(0, 1, 2, 3, 6, 7, 8, 9));
	h_expect_out(&h, 1, DT_INT8, 3, DIMS(2, 0, 2), NULL);
	h_expect_out(&h, 2, DT_INT8, 3, DIMS(2, 1, 2), I8(4, 5, 10, 11));
	h_free(&h);

	/* split omitted: equal parts */
	h_init(&h, "Split", 17);
	h_input(&h, DT_FLOAT, 1, DIMS(6), f12, 0);
	h_input_none(&h);
	h_output(&h);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 1, DIMS(2), F32(0, 1));
	h_expect_out(&h, 1, DT_FLOAT, 1, DIMS(2), F32(2, 3));
	h_expect_out(&h, 2, DT_FLOAT, 1, DIMS(2), F32(4, 5));
	h_free(&h);

	/* an omitted output is skipped */
	h_init(&h, "Split", 13);
	h_input(&h, DT_FLOAT, 1, DIMS(4), f12, 0);
	h_output_none(&h);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 1, DT_FLOAT, 1, DIMS(2), F32(2, 3));
	h_free(&h);
}
END_TEST

START_TEST(split_errors)
{
	struct harness h;

	h_init(&h, "Split", 11);
	h_input(&h, DT_FLOAT, 1, DIMS(5), f12, 0);
	h_output(&h);
	h_output(&h);
	h_run_err(&h, GRT_E_SHAPE, "axis 0 of size 5 does not split into 2 equal parts");
	h_free(&h);

	h_init(&h, "Split", 11);
	h_input(&h, DT_FLOAT, 1, DIMS(5), f12, 0);
	h_output(&h);
	h_output(&h);
	h_attr_ints(&h, "split", 2, I64(2, 2));
	h_run_err(&h, GRT_E_ATTR, "'split' sums to 4, but axis 0 has 5");
	h_free(&h);

	h_init(&h, "Split", 11);
	h_input(&h, DT_FLOAT, 1, DIMS(5), f12, 0);
	h_output(&h);
	h_output(&h);
	h_attr_ints(&h, "split", 3, I64(2, 2, 1));
	h_run_err(&h, GRT_E_ATTR, "'split' has 3 entries for 2 outputs");
	h_free(&h);

	h_init(&h, "Split", 11);
	h_input(&h, DT_FLOAT, 1, DIMS(5), f12, 0);
	h_output(&h);
	h_output(&h);
	h_attr_ints(&h, "split", 2, I64(-1, 6));
	h_run_err(&h, GRT_E_ATTR, "split[0] = -1 is out of range [0, 5]");
	h_free(&h);

	h_init(&h, "Split", 13);
	h_input(&h, DT_FLOAT, 1, DIMS(5), f12, 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(1, 3), 1);
	h_output(&h);
	h_output(&h);
	h_run_err(&h, GRT_E_SHAPE, "'split' sums to 4, but axis 0 has 5");
	h_free(&h);

	h_init(&h, "Split", 13);
	h_input(&h, DT_FLOAT, 1, DIMS(5), f12, 0);
	h_input(&h, DT_INT32, 1, DIMS(2), I32(1, 4), 1);
	h_output(&h);
	h_output(&h);
	h_run_err(&h, GRT_E_DTYPE, "must be int64, not int32");
	h_free(&h);

	h_init(&h, "Split", 13);
	h_input(&h, DT_FLOAT, 1, DIMS(5), f12, 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(1, 4), 0);
	h_output(&h);
	h_output(&h);
	h_run_err(&h, GRT_E_DYNAMIC, "split comes from input 1");
	h_free(&h);

	h_init(&h, "Split", 13);
	h_input(&h, DT_FLOAT, 1, DIMS(4), f12, 0);
	h_output(&h);
	h_attr_int(&h, "axis", 1);
	h_run_err(&h, GRT_E_ATTR, "axis 1 out of range for rank 1");
	h_free(&h);
}
END_TEST

START_TEST(split_opsets_registry)
{
	ck_assert_ptr_null(op_lookup("Split", 1));
	ck_assert_int_eq(op_lookup("Split", 2)->until, 12);
	ck_assert_ptr_eq(op_lookup("Split", 2), op_lookup("Split", 12));
	ck_assert_int_eq(op_lookup("Split", 13)->since, 13);
	ck_assert_ptr_eq(op_lookup("Split", 13), op_lookup("Split", 17));
	ck_assert_int_eq(op_lookup("Split", 18)->since, 18);
	ck_assert_ptr_eq(op_lookup("Split", 18), op_lookup("Split", 22));
}
END_TEST

/* Opset 18's num_outputs: parts of ceil(dim / num_outputs), the last smaller
 * (the spec's example: 9 elements in 4 parts are 3, 3, 3, 0) */
START_TEST(split_values_num_outputs)
{
	static const struct { int64_t dim, num, want[4]; } cases[] = {
		{ 6, 3, { 2, 2, 2 } }, { 7, 3, { 3, 3, 1 } }, { 9, 4, { 3, 3, 3, 0 } },
		{ 5, 1, { 5 } },
	};
	struct harness h;
	int64_t at = 0;

	for (size_t c = 0; c < N_ELEMS(cases); c++, at = 0) {
		h_init(&h, "Split", 18);
		h_input(&h, DT_FLOAT, 2, DIMS(1, cases[c].dim), f12, 0);
		for (int64_t i = 0; i < cases[c].num; i++)
			h_output(&h);
		h_attr_int(&h, "axis", -1);
		h_attr_int(&h, "num_outputs", cases[c].num);
		h_run_ok(&h);
		for (int i = 0; i < cases[c].num; at += cases[c].want[i++])
			h_expect_out(&h, i, DT_FLOAT, 2, DIMS(1, cases[c].want[i]), f12 + at);
		h_free(&h);
	}

	/* without num_outputs, opset 18 is opset 13 */
	h_init(&h, "Split", 18);
	h_input(&h, DT_FLOAT, 1, DIMS(5), f12, 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(1, 4), 1);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 1, DT_FLOAT, 1, DIMS(4), F32(1, 2, 3, 4));
	h_free(&h);
}
END_TEST

static const struct h_case split_num_outputs_errors_table[] = {
	{ "num_outputs 3 for 2 outputs", "Split", 18, { { DT_FLOAT, 1, DIMS(4), f12 } },
	  { { "num_outputs", ATTR_INT, 3 } }, .n_out = 2,
	  .code = GRT_E_ATTR, .msg = "num_outputs = 3, but the node has 2 outputs" },
	{ "split and num_outputs", "Split", 18,
	  { { DT_FLOAT, 1, DIMS(4), f12 }, CONST_I64(2, 2) },
	  { { "num_outputs", ATTR_INT, 2 } }, .n_out = 2,
	  .code = GRT_E_ATTR, .msg = "both the 'split' input and 'num_outputs'" },
};

START_TEST(split_errors_num_outputs)
{
	h_expect_case(&split_num_outputs_errors_table[_i], NULL);
}
END_TEST

/* -------------------------------------------------------------- Transpose */

/* Naive reference: out[o] = in[sum_j idx_j * in_stride[perm[j]]]. */
static void transpose_ref(const void *in, void *out, int ndim, const int64_t *dims,
                          const int *perm, size_t es)
{
	int64_t in_stride[MAX_DIMS], out_dims[MAX_DIMS], idx[MAX_DIMS] = { 0 };
	int64_t s = 1, numel = 1;

	for (int d = ndim - 1; d >= 0; d--) {
		in_stride[d] = s;
		s *= dims[d];
	}
	for (int j = 0; j < ndim; j++) {
		out_dims[j] = dims[perm[j]];
		numel *= out_dims[j];
	}
	for (int64_t o = 0; o < numel; o++) {
		int64_t off = 0;
		for (int j = 0; j < ndim; j++)
			off += idx[j] * in_stride[perm[j]];
		memcpy((char *)out + o * es, (const char *)in + off * es, es);
		for (int j = ndim - 1; j >= 0; j--) {
			if (++idx[j] < out_dims[j])
				break;
			idx[j] = 0;
		}
	}
}

/* Runs Transpose on a pattern of dtype dt and compares with the reference;
 * perm == NULL for the default (reversed). */
static void transpose_check(enum dtype dt, int ndim, const int64_t *dims, const int *perm)
{
	struct harness h;
	int64_t perm64[MAX_DIMS], out_dims[MAX_DIMS];
	int p[MAX_DIMS];
	size_t es = dtype_size(dt);
	int64_t numel = shape_numel(ndim, dims);
	unsigned char *in, *want;

	for (int j = 0; j < ndim; j++) {
		p[j] = perm ? perm[j] : ndim - 1 - j;
		perm64[j] = p[j];
		out_dims[j] = dims[p[j]];
	}
	in = malloc((size_t)numel * es + 1);
	want = malloc((size_t)numel * es + 1);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(want);
	for (size_t i = 0; i < (size_t)numel * es; i++)
		in[i] = (unsigned char)(i * 7 + i / 251);
	transpose_ref(in, want, ndim, dims, p, es);

	h_init(&h, "Transpose", 13);
	h_input(&h, dt, ndim, dims, in, 0);
	h_output(&h);
	if (perm)
		h_attr_ints(&h, "perm", ndim, perm64);
	h_run_ok(&h);
	h_expect_out(&h, 0, dt, ndim, out_dims, want);
	h_free(&h);
	free(in);
	free(want);
}

START_TEST(transpose_values_small)
{
	struct harness h;

	/* (2,3) -> (3,2) by default */
	h_init(&h, "Transpose", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 3), f6, 0);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(3, 2), F32(1, 4, 2, 5, 3, 6));
	h_free(&h);

	/* (2,1,3) with perm (2,0,1) -> (3,2,1) */
	h_init(&h, "Transpose", 1);
	h_input(&h, DT_INT32, 3, DIMS(2, 1, 3), I32(1, 2, 3, 4, 5, 6), 0);
	h_output(&h);
	h_attr_ints(&h, "perm", 3, I64(2, 0, 1));
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT32, 3, DIMS(3, 2, 1), I32(1, 4, 2, 5, 3, 6));
	h_free(&h);
}
END_TEST

START_TEST(transpose_values_all_perms_3d)
{
	static const int perms[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	static const enum dtype types[] = { DT_UINT8, DT_FLOAT16, DT_FLOAT, DT_DOUBLE };

	for (int t = 0; t < 4; t++)
		for (int i = 0; i < 6; i++)
			transpose_check(types[t], 3, DIMS(2, 3, 4), perms[i]);
}
END_TEST

START_TEST(transpose_values_fast_paths)
{
	static const enum dtype types[] = { DT_INT8, DT_INT16, DT_INT32, DT_INT64 };

	for (int t = 0; t < 4; t++) {
		/* 2-D, several tiles and ragged edges */
		transpose_check(types[t], 2, DIMS(37, 70), NULL);
		/* batched 2-D after merging: NCHW -> NHWC */
		transpose_check(types[t], 4, DIMS(2, 5, 6, 7), (const int[]){ 0, 2, 3, 1 });
		/* keeps the last axis: rows */
		transpose_check(types[t], 3, DIMS(4, 5, 9), (const int[]){ 1, 0, 2 });
		/* generic strided gather, size-1 axes dropped */
		transpose_check(types[t], 5, DIMS(3, 1, 4, 2, 5), (const int[]){ 4, 2, 1, 0, 3 });
		transpose_check(types[t], 4, DIMS(2, 3, 4, 5), (const int[]){ 3, 1, 2, 0 });
	}
	/* identity permutations and all-ones shapes */
	transpose_check(DT_FLOAT, 3, DIMS(2, 3, 4), (const int[]){ 0, 1, 2 });
	transpose_check(DT_FLOAT, 3, DIMS(1, 1, 1), (const int[]){ 2, 0, 1 });
	transpose_check(DT_BOOL, 3, DIMS(3, 1, 2), (const int[]){ 1, 2, 0 });
}
END_TEST

/* Every kernel of Transpose: rows (last axis kept; blocks of 4 to 64 bytes and
 * odd sizes, one to three axes walked inside), tiles (pairs, 4x4 blocks,
 * ragged edges, middle axes), for each element size and ranks 1 to 6. */
START_TEST(transpose_values_kernels)
{
	static const enum dtype types[] = { DT_UINT8, DT_FLOAT16, DT_FLOAT, DT_DOUBLE };

	for (int t = 0; t < 4; t++) {
		enum dtype dt = types[t];
		/* rows: GRU outputs [seq][dirs][batch][4] -> [seq][batch][dirs][4] */
		transpose_check(dt, 4, DIMS(5, 2, 7, 4), (const int[]){ 0, 2, 1, 3 });
		transpose_check(dt, 4, DIMS(3, 2, 9, 8), (const int[]){ 0, 2, 1, 3 });
		transpose_check(dt, 3, DIMS(6, 5, 16), (const int[]){ 1, 0, 2 });
		transpose_check(dt, 3, DIMS(6, 5, 3), (const int[]){ 1, 0, 2 });
		transpose_check(dt, 3, DIMS(4, 3, 70), (const int[]){ 1, 0, 2 });
		transpose_check(dt, 5, DIMS(2, 3, 2, 3, 5), (const int[]){ 2, 0, 3, 1, 4 });
		transpose_check(dt, 6, DIMS(2, 2, 3, 2, 2, 3), (const int[]){ 4, 2, 0, 3, 1, 5 });
		transpose_check(dt, 1, DIMS(9), NULL);
		/* tiles: pairs both ways, 4x4 blocks with ragged edges, middle axes */
		transpose_check(dt, 3, DIMS(2, 7, 45), (const int[]){ 2, 1, 0 });
		transpose_check(dt, 3, DIMS(45, 7, 2), (const int[]){ 2, 1, 0 });
		transpose_check(dt, 2, DIMS(33, 65), NULL);
		transpose_check(dt, 2, DIMS(3, 70), NULL);
		transpose_check(dt, 2, DIMS(70, 5), NULL);
		transpose_check(dt, 3, DIMS(5, 16, 41), (const int[]){ 0, 2, 1 });
		transpose_check(dt, 4, DIMS(3, 35, 2, 6), (const int[]){ 2, 3, 0, 1 });
		transpose_check(dt, 5, DIMS(2, 3, 4, 5, 6), (const int[]){ 4, 0, 3, 1, 2 });
		transpose_check(dt, 6, DIMS(2, 3, 2, 3, 2, 5), (const int[]){ 5, 3, 1, 4, 2, 0 });
		transpose_check(dt, 6, DIMS(3, 1, 4, 2, 1, 5), (const int[]){ 2, 5, 0, 4, 3, 1 });
		/* interleaved pairs split and joined, [n][2] <-> [2][n]: n around the
		 * four-element vector moves (4-byte elements) and the 32-element tiles */
		for (int64_t n = 1; n <= 70; n += n < 10 ? 1 : 29) {
			transpose_check(dt, 2, DIMS(n, 2), NULL);
			transpose_check(dt, 2, DIMS(2, n), NULL);
		}
	}
}
END_TEST

START_TEST(transpose_shapes)
{
	struct harness h;

	/* scalar: no perm, a copy */
	h_init(&h, "Transpose", 13);
	h_input(&h, DT_FLOAT, 0, NULL, F32(3), 0);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 0, NULL, F32(3));
	h_free(&h);

	/* empty */
	h_init(&h, "Transpose", 13);
	h_input(&h, DT_FLOAT, 3, DIMS(2, 0, 3), NULL, 0);
	h_output(&h);
	h_attr_ints(&h, "perm", 3, I64(1, 2, 0));
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 3, DIMS(0, 3, 2), NULL);
	h_free(&h);
}
END_TEST

START_TEST(transpose_errors)
{
	struct harness h;

	h_init(&h, "Transpose", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 3), f6, 0);
	h_output(&h);
	h_attr_ints(&h, "perm", 3, I64(0, 1, 2));
	h_run_err(&h, GRT_E_ATTR, "'perm' has 3 entries for rank 2");
	h_free(&h);

	h_init(&h, "Transpose", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 3), f6, 0);
	h_output(&h);
	h_attr_ints(&h, "perm", 2, I64(1, 1));
	h_run_err(&h, GRT_E_ATTR, "not a permutation of 0..1 (perm[1] = 1)");
	h_free(&h);

	h_init(&h, "Transpose", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 3), f6, 0);
	h_output(&h);
	h_attr_ints(&h, "perm", 2, I64(-1, 0));
	h_run_err(&h, GRT_E_ATTR, "perm[0] = -1");
	h_free(&h);
}
END_TEST

START_TEST(transpose_opsets_registry)
{
	ck_assert_ptr_nonnull(op_lookup("Transpose", 1));
	ck_assert_ptr_eq(op_lookup("Transpose", 1), op_lookup("Transpose", 17));
}
END_TEST

/* Interleaved pairs split into planes and back ([1, L, M, 2] perm (0, 3, 2, 1)
 * and [1, 2, M, L] perm (0, 3, 2, 1)), 4-byte elements, for sizes around the
 * kernel's 4 x 2 blocks and 16 x 16 tiles; against the definition. */
START_TEST(transpose_values_pairs)
{
	static const int64_t sizes[][2] = { { 1, 1 }, { 3, 5 }, { 4, 2 }, { 17, 33 }, { 257, 61 },
	                                    { 16, 16 }, { 5, 1 } };
	static const int64_t perm[4] = { 0, 3, 2, 1 };

	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++)
		for (int back = 0; back < 2; back++) {
			const int64_t L = sizes[z][0], M = sizes[z][1];
			const int64_t din[4] = { 1, back ? 2 : L, M, back ? L : 2 };
			const int64_t dout[4] = { 1, back ? L : 2, M, back ? 2 : L };
			int32_t *x = malloc(sizeof(int32_t) * (size_t)(2 * M * L));
			int32_t *want = malloc(sizeof(int32_t) * (size_t)(2 * M * L));
			struct harness h;

			ck_assert(x && want);
			for (int64_t i = 0; i < 2 * M * L; i++)
				x[i] = (int32_t)(i * 7 + 3);
			for (int64_t l = 0; l < L; l++)
				for (int64_t m = 0; m < M; m++)
					for (int64_t c = 0; c < 2; c++) {
						int64_t pairs = (l * M + m) * 2 + c, planes = (c * M + m) * L + l;
						want[back ? pairs : planes] = x[back ? planes : pairs];
					}
			h_init(&h, "Transpose", 13);
			h_input(&h, DT_INT32, 4, din, x, 0);
			h_output(&h);
			h_attr_ints(&h, "perm", 4, perm);
			h_run_ok(&h);
			h_expect_out(&h, 0, DT_INT32, 4, dout, want);
			h_free(&h);
			free(x);
			free(want);
		}
}
END_TEST

/* ------------------------------------------------- Tile (ops/tensor/tile.c) */

/* (1,2,2) by repeats (2,1,3): each row three times, the whole twice */
START_TEST(tile_values)
{
	static const int16_t want[] = { 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4,
	                                1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4 };
	struct harness h;

	h_init(&h, "Tile", 13);
	h_input(&h, DT_INT16, 3, DIMS(1, 2, 2), I16(1, 2, 3, 4), 0);
	h_input(&h, DT_INT64, 1, DIMS(3), I64(2, 1, 3), 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT16, 3, DIMS(2, 2, 6), want);
	h_free(&h);

	/* a repeat of 0 empties the output */
	h_init(&h, "Tile", 6);
	h_input(&h, DT_FLOAT, 2, DIMS(2, 2), f12, 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(3, 0), 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 2, DIMS(6, 0), NULL);
	h_free(&h);

	/* a scalar, no repeats */
	h_init(&h, "Tile", 13);
	h_input(&h, DT_DOUBLE, 0, DIMS(0), F64(2.5), 0);
	h_input(&h, DT_INT64, 1, DIMS(0), NULL, 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_DOUBLE, 0, DIMS(0), F64(2.5));
	h_free(&h);
}
END_TEST

static const struct h_case tile_errors_table[] = {
	{ "run-time repeats", "Tile", 13,
	  { { DT_FLOAT, 1, DIMS(2), f12 }, { DT_INT64, 1, DIMS(1), I64(2), 0 } },
	  .code = GRT_E_DYNAMIC, .msg = "repeats" },
	{ "negative repeats", "Tile", 13, { { DT_FLOAT, 1, DIMS(2), f12 }, CONST_I64(-1) },
	  .code = GRT_E_SHAPE, .msg = "repeats[0] = -1 is negative" },
	{ "repeats of rank 2 data", "Tile", 13, { { DT_FLOAT, 1, DIMS(2), f12 }, CONST_I64(1, 1) },
	  .code = GRT_E_SHAPE, .msg = "repeats must be 1-D with 1 entries" },
};

START_TEST(tile_errors)
{
	h_expect_case(&tile_errors_table[_i], NULL);
}
END_TEST

START_TEST(tile_opsets_registry)
{
	ck_assert_ptr_null(op_lookup("Tile", 5));       /* Tile-1: tiles and axis inputs */
	ck_assert_ptr_eq(op_lookup("Tile", 6), op_lookup("Tile", 22));
}
END_TEST

/* ------------------------------------------- DepthToSpace, SpaceToDepth */

/* (1,8,1,1) = 0..7 with blocksize 2 into (1,2,2,2): DCR reads channel
 * (i * 2 + j) * 2 + c for output channel c at block offset (i, j), CRD reads
 * c * 4 + i * 2 + j; SpaceToDepth undoes DCR */
START_TEST(space_depth_values)
{
	static const int8_t in[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	static const int8_t dcr[] = { 0, 2, 4, 6, 1, 3, 5, 7 };
	struct harness h;

	for (int mode = 0; mode < 2; mode++) {
		h_init(&h, "DepthToSpace", 13);
		h_input(&h, DT_INT8, 4, DIMS(1, 8, 1, 1), in, 0);
		h_output(&h);
		h_attr_int(&h, "blocksize", 2);
		h_attr_string(&h, "mode", mode ? "CRD" : "DCR");
		h_run_ok(&h);
		h_expect_out(&h, 0, DT_INT8, 4, DIMS(1, 2, 2, 2), mode ? in : dcr);
		h_free(&h);
	}
	h_init(&h, "SpaceToDepth", 13);
	h_input(&h, DT_INT8, 4, DIMS(1, 2, 2, 2), dcr, 0);
	h_output(&h);
	h_attr_int(&h, "blocksize", 2);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_INT8, 4, DIMS(1, 8, 1, 1), in);
	h_free(&h);
}
END_TEST

static const struct h_case space_depth_errors_table[] = {
	{ "channels not a multiple", "DepthToSpace", 13, { { DT_FLOAT, 4, DIMS(1, 2, 1, 1), f12 } },
	  { { "blocksize", ATTR_INT, 2 } },
	  .code = GRT_E_SHAPE, .msg = "channels 2 are not a multiple of blocksize^2 = 4" },
	{ "mode XYZ", "DepthToSpace", 13, { { DT_FLOAT, 4, DIMS(1, 4, 1, 1), f12 } },
	  { { "blocksize", ATTR_INT, 2 }, { "mode", ATTR_STRING, .s = "XYZ" } },
	  .code = GRT_E_ATTR, .msg = "mode 'XYZ' is not DCR or CRD" },
	{ "width 3", "SpaceToDepth", 13, { { DT_FLOAT, 4, DIMS(1, 1, 2, 3), f12 } },
	  { { "blocksize", ATTR_INT, 2 } },
	  .code = GRT_E_SHAPE, .msg = "width 3 are not multiples of blocksize 2" },
	{ "rank 3", "SpaceToDepth", 13, { { DT_FLOAT, 3, DIMS(1, 2, 2), f12 } },
	  { { "blocksize", ATTR_INT, 1 } },
	  .code = GRT_E_SHAPE, .msg = "input must have rank 4" },
};

START_TEST(space_depth_errors)
{
	h_expect_case(&space_depth_errors_table[_i], NULL);
}
END_TEST

/* --- Resize and Upsample (ops/tensor/resize.c) --- */

static const int64_t rs_x[] = { 1, 1, 2, 3 }, rs_wide[] = { 1, 1, 1, 8192 };
static const int64_t rs_four = 4, rs_two = 2, rs_zero = 0;
static const float rs_sc[] = { 1, 1, 2, 2 }, rs_sc0[] = { 1, 1, 0, 2 };
static const float rs_big[] = { 1, 1, 1e13f, 1 }, rs_tiny[] = { 1, 1, 1, 1.0f / 8192 };
static const int64_t rs_ax[] = { 2, 2 };
static const int32_t rs_i32[] = { 1, 2, 3, 4, 5, 6 };

static const struct h_case rs_errors_table[] = {
	{ "neither scales nor sizes", "Resize", 13,
	  { { DT_FLOAT, 4, rs_x }, { .omitted = 1 }, { DT_FLOAT, 1, &rs_zero, NULL, 1 } },
	  .code = GRT_E_INVALID_MODEL, .msg = "neither scales nor sizes" },
	{ "scales at run time", "Resize", 13,
	  { { DT_FLOAT, 4, rs_x }, { .omitted = 1 }, { DT_FLOAT, 1, &rs_four, rs_sc, 0 } },
	  .code = GRT_E_DYNAMIC, .msg = "scales" },
	{ "scales of rank-2 count", "Resize", 13,
	  { { DT_FLOAT, 4, rs_x }, { .omitted = 1 }, { DT_FLOAT, 1, &rs_two, rs_sc, 1 } },
	  .code = GRT_E_SHAPE, .msg = "scales has 2 values, expected 4" },
	{ "scale 0", "Resize", 13,
	  { { DT_FLOAT, 4, rs_x }, { .omitted = 1 }, { DT_FLOAT, 1, &rs_four, rs_sc0, 1 } },
	  .code = GRT_E_ATTR, .msg = "scales[2] = 0" },
	{ "huge scale", "Resize", 13,
	  { { DT_FLOAT, 4, rs_x }, { .omitted = 1 }, { DT_FLOAT, 1, &rs_four, rs_big, 1 } },
	  .code = GRT_E_LIMIT, .msg = "too large" },
	{ "cubic at opset 10", "Resize", 10,
	  { { DT_FLOAT, 4, rs_x }, { DT_FLOAT, 1, &rs_four, rs_sc, 1 } },
	  { { "mode", ATTR_STRING, .s = "cubic" } }, .code = GRT_E_ATTR, .msg = "opset 11" },
	{ "mode area", "Resize", 13,
	  { { DT_FLOAT, 4, rs_x }, { .omitted = 1 }, { DT_FLOAT, 1, &rs_four, rs_sc, 1 } },
	  { { "mode", ATTR_STRING, .s = "area" } }, .code = GRT_E_ATTR, .msg = "\"area\"" },
	{ "linear int32", "Resize", 13,
	  { { DT_INT32, 4, rs_x, rs_i32 }, { .omitted = 1 }, { DT_FLOAT, 1, &rs_four, rs_sc, 1 } },
	  { { "mode", ATTR_STRING, .s = "linear" } }, .code = GRT_E_DTYPE, .msg = "int32" },
	{ "repeated axes", "Resize", 18,
	  { { DT_FLOAT, 4, rs_x }, { .omitted = 1 }, { DT_FLOAT, 1, &rs_two, rs_sc, 1 } },
	  { { "axes", ATTR_INTS, .n = 2, .ints = rs_ax } }, .code = GRT_E_ATTR,
	  .msg = "repeats axis 2" },
	{ "antialias at a tiny scale", "Resize", 18,
	  { { DT_FLOAT, 4, rs_wide }, { .omitted = 1 }, { DT_FLOAT, 1, &rs_four, rs_tiny, 1 } },
	  { { "mode", ATTR_STRING, .s = "linear" }, { "antialias", ATTR_INT, 1 } },
	  .code = GRT_E_LIMIT, .msg = "antialias filters are refused" },
	{ "Upsample-7 scales of INTS", "Upsample", 7, { { DT_FLOAT, 4, rs_x } },
	  { { "scales", ATTR_INTS, .n = 2, .ints = rs_ax } }, .code = GRT_E_ATTR, .msg = "scales" },
};

START_TEST(rs_errors)
{
	h_expect_case(&rs_errors_table[_i], "node 'test'");
}
END_TEST

int main(void)
{
	const struct test_def concat[] = {
		{ "values", concat_values }, { "values", concat_split_values_block_sizes },
		{ "shapes", concat_shapes_empty }, { "errors", concat_errors },
		{ "opsets", concat_opsets_default_axis },
	};
	const struct test_def split[] = {
		{ "values", split_values_attribute }, { "values", split_values_input },
		{ "values", split_values_num_outputs },
		{ "errors", split_errors },
		{ "errors", split_errors_num_outputs, 0, N_ELEMS(split_num_outputs_errors_table) },
		{ "opsets", split_opsets_registry },
	};
	const struct test_def transpose[] = {
		{ "values", transpose_values_small }, { "values", transpose_values_all_perms_3d },
		{ "values", transpose_values_fast_paths }, { "values", transpose_values_kernels },
		{ "values", transpose_values_pairs },
		{ "shapes", transpose_shapes }, { "errors", transpose_errors },
		{ "opsets", transpose_opsets_registry },
	};
	const struct test_def tile[] = {
		{ "values", tile_values }, { "errors", tile_errors, 0, N_ELEMS(tile_errors_table) },
		{ "opsets", tile_opsets_registry },
	};
	const struct test_def space_depth[] = {
		{ "values", space_depth_values },
		{ "errors", space_depth_errors, 0, N_ELEMS(space_depth_errors_table) },
	};
	const struct test_def resize[] = {
		{ "errors", rs_errors, 0, N_ELEMS(rs_errors_table) },
	};
	Suite *suites[] = {
		suite_from_table("Concat", concat, N_ELEMS(concat)),
		suite_from_table("Resize", resize, N_ELEMS(resize)),
		suite_from_table("Split", split, N_ELEMS(split)),
		suite_from_table("Transpose", transpose, N_ELEMS(transpose)),
		suite_from_table("Tile", tile, N_ELEMS(tile)),
		suite_from_table("DepthToSpace", space_depth, N_ELEMS(space_depth)),
	};

	return run_suites(suites, N_ELEMS(suites), 0);
}
