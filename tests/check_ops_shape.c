/* check_ops_shape.c - unit tests for the shape ops of ops/tensor/shape.c: Shape,
 * Reshape, Squeeze, Unsqueeze, Expand, ConstantOfShape, Constant, Range (Concat,
 * Split and Transpose: check_ops_layout.c). One suite per op type; cases grouped
 * as values, shapes, errors, opsets. Expected numbers are worked out by hand
 * from the ONNX text. Rerun one case: CK_RUN_SUITE=<op> CK_RUN_CASE=<group>. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/op_harness.h"

static void expect_out(struct harness *h, enum dtype dt, int ndim, const int64_t *dims,
                       const void *want)
{
	h_expect_out(h, 0, dt, ndim, dims, want);
}

/* A tensor-valued attribute (the harness has no helper for it). */
static void attr_tensor(struct harness *h, const char *name, const struct tensor *t)
{
	struct attr *a = &h->attrs[h->n.n_attrs++];

	memset(a, 0, sizeof(*a));
	a->name = name;
	a->type = ATTR_TENSOR;
	a->t = t;
}

static void make_tensor(struct tensor *t, enum dtype dt, int ndim, const int64_t *dims,
                        const void *data)
{
	memset(t, 0, sizeof(*t));
	tensor_set_shape(t, dt, ndim, dims);
	t->data = (void *)data;
	t->is_const = 1;
	t->name = "value";
}

/* ------------------------------------------------------------------ Shape */

static void shape_case(int64_t start, int64_t end, int set_start, int set_end, int64_t count,
                       const int64_t *want)
{
	struct harness h;

	h_init(&h, "Shape", 15);
	h_input(&h, DT_FLOAT, 3, DIMS(2, 3, 4), NULL, 0);
	h_output(&h);
	if (set_start)
		h_attr_int(&h, "start", start);
	if (set_end)
		h_attr_int(&h, "end", end);
	h_run_ok(&h);
	expect_out(&h, DT_INT64, 1, DIMS(count), want);
	h_free(&h);
}

START_TEST(shape_values_spec_examples)
{
	shape_case(0, 0, 0, 0, 3, I64(2, 3, 4));
	shape_case(-1, 0, 1, 0, 1, I64(4));
	shape_case(0, -1, 0, 1, 2, I64(2, 3));
	shape_case(1, 2, 1, 1, 1, I64(3));
}
END_TEST

START_TEST(shape_values_clamping)
{
	shape_case(-10, 10, 1, 1, 3, I64(2, 3, 4));
	shape_case(2, 1, 1, 1, 0, NULL);         /* start after end: empty */
	shape_case(5, 0, 1, 0, 0, NULL);         /* start past the rank */
	shape_case(0, -10, 0, 1, 0, NULL);
}
END_TEST

START_TEST(shape_shapes_scalar_and_no_data)
{
	struct harness h;

	h_init(&h, "Shape", 13);
	h_input(&h, DT_BOOL, 0, NULL, NULL, 0);
	h_output(&h);
	h_run_ok(&h);
	expect_out(&h, DT_INT64, 1, DIMS(0), NULL);
	h_free(&h);

	/* OP_SHAPE_ONLY: run() must work without the input's data */
	h_init(&h, "Shape", 13);
	h_input(&h, DT_UINT16, 2, DIMS(7, 0), NULL, 0)->data = NULL;
	h_output(&h);
	h_run_ok(&h);
	expect_out(&h, DT_INT64, 1, DIMS(2), I64(7, 0));
	h_free(&h);
}
END_TEST

START_TEST(shape_errors_arity)
{
	struct harness h;

	h_init(&h, "Shape", 15);
	h_input(&h, DT_FLOAT, 1, DIMS(2), NULL, 0);
	h_input(&h, DT_FLOAT, 1, DIMS(2), NULL, 0);
	h_output(&h);
	h_run_err(&h, GRT_E_INVALID_MODEL, "has 2 inputs");
	h_free(&h);

	h_init(&h, "Shape", 15);
	h_input(&h, DT_FLOAT, 1, DIMS(2), NULL, 0);
	h_output(&h);
	h_attr_float(&h, "start", 1);
	h_run_err(&h, GRT_E_ATTR, "'start' must be INT");
	h_free(&h);
}
END_TEST

START_TEST(shape_opsets_registry)
{
	ck_assert_ptr_nonnull(op_lookup("Shape", 1));
	ck_assert_ptr_eq(op_lookup("Shape", 1), op_lookup("Shape", 17));
	ck_assert_uint_eq(op_lookup("Shape", 15)->flags & OP_SHAPE_ONLY, OP_SHAPE_ONLY);
}
END_TEST

/* ---------------------------------------------------------------- Reshape */

static const float f6[] = { 1, 2, 3, 4, 5, 6 };

static void reshape_setup(struct harness *h, int opset, int ndim, const int64_t *dims,
                          int n, const int64_t *shape)
{
	h_init(h, "Reshape", opset);
	h_input(h, DT_FLOAT, ndim, dims, NULL, 0);
	h_input(h, DT_INT64, 1, DIMS(n), shape, 1);
	h_output(h);
}

START_TEST(reshape_values_basic)
{
	struct harness h;

	reshape_setup(&h, 14, 2, DIMS(2, 3), 2, I64(3, 2));
	memcpy(h.in[0]->data, f6, sizeof(f6));
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 2, DIMS(3, 2), f6);
	h_free(&h);

	/* int8 data, -1 inferred */
	h_init(&h, "Reshape", 13);
	h_input(&h, DT_INT8, 3, DIMS(2, 2, 2), I8(1, -2, 3, -4, 5, -6, 7, -8), 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(-1, 4), 1);
	h_output(&h);
	h_run_ok(&h);
	expect_out(&h, DT_INT8, 2, DIMS(2, 4), I8(1, -2, 3, -4, 5, -6, 7, -8));
	h_free(&h);
}
END_TEST

START_TEST(reshape_shapes_zero_and_negative)
{
	struct harness h;

	/* 0 copies the input dim; -1 takes the rest */
	reshape_setup(&h, 14, 3, DIMS(2, 3, 4), 4, I64(2, 0, 1, -1));
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 4, DIMS(2, 3, 1, 4), NULL);
	h_free(&h);

	/* allowzero=1: 0 is a real zero dim */
	reshape_setup(&h, 14, 3, DIMS(0, 3, 4), 3, I64(3, 4, 0));
	h_attr_int(&h, "allowzero", 1);
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 3, DIMS(3, 4, 0), NULL);
	h_free(&h);

	/* allowzero=0 on an empty input: 0 copies the 0 */
	reshape_setup(&h, 14, 2, DIMS(0, 3), 3, I64(0, 3, 1));
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 3, DIMS(0, 3, 1), NULL);
	h_free(&h);

	/* one element to a scalar (empty shape) */
	reshape_setup(&h, 14, 3, DIMS(1, 1, 1), 0, NULL);
	memcpy(h.in[0]->data, F32(7), 4);
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 0, NULL, F32(7));
	h_free(&h);
}
END_TEST

START_TEST(reshape_errors)
{
	struct harness h;

	reshape_setup(&h, 14, 2, DIMS(2, 3), 2, I64(-1, -1));
	h_run_err(&h, GRT_E_SHAPE, "more than one -1");
	h_free(&h);

	reshape_setup(&h, 14, 2, DIMS(2, 3), 2, I64(4, 2));
	h_run_err(&h, GRT_E_SHAPE, "cannot reshape [2, 3] (6 elements) into [4, 2]");
	h_free(&h);

	reshape_setup(&h, 14, 2, DIMS(2, 3), 1, I64(-1));
	h.in[1]->dims[0] = 1;
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 1, DIMS(6), NULL);
	h_free(&h);

	reshape_setup(&h, 14, 2, DIMS(2, 3), 2, I64(4, -1));
	h_run_err(&h, GRT_E_SHAPE, "-1 cannot be inferred");
	h_free(&h);

	reshape_setup(&h, 14, 1, DIMS(6), 2, I64(6, 0));
	h_run_err(&h, GRT_E_SHAPE, "shape[1] = 0 copies input dim 1");
	h_free(&h);

	reshape_setup(&h, 14, 1, DIMS(6), 2, I64(-2, -3));
	h_run_err(&h, GRT_E_SHAPE, "shape[0] = -2 is negative");
	h_free(&h);

	reshape_setup(&h, 14, 2, DIMS(0, 3), 2, I64(0, -1));
	h_attr_int(&h, "allowzero", 1);
	h_run_err(&h, GRT_E_SHAPE, "both -1 and 0");
	h_free(&h);

	h_init(&h, "Reshape", 14);
	h_input(&h, DT_FLOAT, 1, DIMS(6), NULL, 0);
	h_input(&h, DT_INT32, 1, DIMS(2), I32(2, 3), 1);
	h_output(&h);
	h_run_err(&h, GRT_E_DTYPE, "must be int64, not int32");
	h_free(&h);

	h_init(&h, "Reshape", 14);
	h_input(&h, DT_FLOAT, 1, DIMS(6), NULL, 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(2, 3), 0);
	h_output(&h);
	h_run_err(&h, GRT_E_DYNAMIC, "shape comes from input 1");
	ck_assert_ptr_eq(h.x.dyn, h.in[1]);
	h_free(&h);
}
END_TEST

START_TEST(reshape_opsets_registry)
{
	ck_assert_ptr_null(op_lookup("Reshape", 4));   /* Reshape-1: shape attribute */
	ck_assert_int_eq(op_lookup("Reshape", 5)->since, 5);
	ck_assert_ptr_eq(op_lookup("Reshape", 5), op_lookup("Reshape", 17));
}
END_TEST

/* ---------------------------------------------------------------- Squeeze */

START_TEST(squeeze_values_dtypes)
{
	struct harness h;

	h_init(&h, "Squeeze", 13);
	h_input(&h, DT_DOUBLE, 3, DIMS(1, 3, 1), F64(1.5, -2.5, 3.5), 0);
	h_input(&h, DT_INT64, 1, DIMS(1), I64(-1), 1);
	h_output(&h);
	h_run_ok(&h);
	expect_out(&h, DT_DOUBLE, 2, DIMS(1, 3), F64(1.5, -2.5, 3.5));
	h_free(&h);

	h_init(&h, "Squeeze", 11);
	h_input(&h, DT_BOOL, 2, DIMS(2, 1), U8(1, 0), 0);
	h_output(&h);
	h_attr_ints(&h, "axes", 1, I64(1));
	h_run_ok(&h);
	expect_out(&h, DT_BOOL, 1, DIMS(2), U8(1, 0));
	h_free(&h);
}
END_TEST

START_TEST(squeeze_shapes)
{
	struct harness h;

	/* no axes: every size-1 dim; opset 1 attribute form */
	h_init(&h, "Squeeze", 1);
	h_input(&h, DT_FLOAT, 5, DIMS(1, 3, 1, 4, 1), NULL, 0);
	h_output(&h);
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 2, DIMS(3, 4), NULL);
	h_free(&h);

	/* axes input omitted */
	h_init(&h, "Squeeze", 13);
	h_input(&h, DT_FLOAT, 3, DIMS(1, 1, 1), NULL, 0);
	h_input_none(&h);
	h_output(&h);
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 0, NULL, NULL);
	h_free(&h);

	/* an empty axes list squeezes nothing */
	h_init(&h, "Squeeze", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(1, 2), NULL, 0);
	h_input(&h, DT_INT64, 1, DIMS(0), NULL, 1);
	h_output(&h);
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 2, DIMS(1, 2), NULL);
	h_free(&h);

	/* empty data tensor, two axes, one negative */
	h_init(&h, "Squeeze", 13);
	h_input(&h, DT_INT64, 4, DIMS(0, 1, 3, 1), NULL, 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(1, -1), 1);
	h_output(&h);
	h_run_ok(&h);
	expect_out(&h, DT_INT64, 2, DIMS(0, 3), NULL);
	h_free(&h);
}
END_TEST

START_TEST(squeeze_errors)
{
	struct harness h;

	h_init(&h, "Squeeze", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(1, 3), NULL, 0);
	h_input(&h, DT_INT64, 1, DIMS(1), I64(1), 1);
	h_output(&h);
	h_run_err(&h, GRT_E_SHAPE, "cannot squeeze axis 1 of size 3");
	h_free(&h);

	h_init(&h, "Squeeze", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(1, 3), NULL, 0);
	h_input(&h, DT_INT64, 1, DIMS(1), I64(2), 1);
	h_output(&h);
	h_run_err(&h, GRT_E_SHAPE, "axes[0] = 2 is out of range [-2, 2)");
	h_free(&h);

	h_init(&h, "Squeeze", 11);
	h_input(&h, DT_FLOAT, 2, DIMS(1, 3), NULL, 0);
	h_output(&h);
	h_attr_ints(&h, "axes", 2, I64(0, -2));
	h_run_err(&h, GRT_E_ATTR, "axes[1] = -2 repeats axis 0");
	h_free(&h);

	h_init(&h, "Squeeze", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(1, 3), NULL, 0);
	h_input(&h, DT_INT64, 2, DIMS(1, 1), I64(0), 1);
	h_output(&h);
	h_run_err(&h, GRT_E_SHAPE, "must be 1-D, not rank 2");
	h_free(&h);

	h_init(&h, "Squeeze", 13);
	h_input(&h, DT_FLOAT, 2, DIMS(1, 3), NULL, 0);
	h_input(&h, DT_INT64, 1, DIMS(1), I64(0), 0);
	h_output(&h);
	h_run_err(&h, GRT_E_DYNAMIC, "axes comes from input 1");
	h_free(&h);
}
END_TEST

START_TEST(squeeze_opsets_registry)
{
	ck_assert_int_eq(op_lookup("Squeeze", 1)->until, 12);
	ck_assert_ptr_eq(op_lookup("Squeeze", 11), op_lookup("Squeeze", 12));
	ck_assert_int_eq(op_lookup("Squeeze", 13)->since, 13);
	ck_assert_ptr_eq(op_lookup("Squeeze", 13), op_lookup("Squeeze", 17));
}
END_TEST

/* -------------------------------------------------------------- Unsqueeze */

START_TEST(unsqueeze_values_and_shapes)
{
	struct harness h;

	/* negative axes count in the output rank: (3,4) + [0, -1] -> (1,3,4,1) */
	h_init(&h, "Unsqueeze", 11);
	h_input(&h, DT_INT16, 2, DIMS(3, 4), I16(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), 0);
	h_output(&h);
	h_attr_ints(&h, "axes", 2, I64(0, -1));
	h_run_ok(&h);
	expect_out(&h, DT_INT16, 4, DIMS(1, 3, 4, 1), I16(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
	h_free(&h);

	/* unsorted axes input */
	h_init(&h, "Unsqueeze", 13);
	h_input(&h, DT_FLOAT, 3, DIMS(3, 4, 5), NULL, 0);
	h_input(&h, DT_INT64, 1, DIMS(3), I64(5, 4, 2), 1);
	h_output(&h);
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 6, DIMS(3, 4, 1, 5, 1, 1), NULL);
	h_free(&h);

	/* scalar to (1) */
	h_init(&h, "Unsqueeze", 13);
	h_input(&h, DT_UINT8, 0, NULL, U8(9), 0);
	h_input(&h, DT_INT64, 1, DIMS(1), I64(-1), 1);
	h_output(&h);
	h_run_ok(&h);
	expect_out(&h, DT_UINT8, 1, DIMS(1), U8(9));
	h_free(&h);
}
END_TEST

START_TEST(unsqueeze_errors)
{
	struct harness h;

	h_init(&h, "Unsqueeze", 11);
	h_input(&h, DT_FLOAT, 1, DIMS(3), NULL, 0);
	h_output(&h);
	h_run_err(&h, GRT_E_ATTR, "'axes' is required");
	h_free(&h);

	h_init(&h, "Unsqueeze", 11);
	h_input(&h, DT_FLOAT, 1, DIMS(3), NULL, 0);
	h_output(&h);
	h_attr_ints(&h, "axes", 1, I64(2));
	h_run_err(&h, GRT_E_ATTR, "axes[0] = 2 is out of range [-2, 2)");
	h_free(&h);

	h_init(&h, "Unsqueeze", 13);
	h_input(&h, DT_FLOAT, 1, DIMS(3), NULL, 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(0, -3), 1);
	h_output(&h);
	h_run_err(&h, GRT_E_SHAPE, "axes[1] = -3 repeats axis 0");
	h_free(&h);

	h_init(&h, "Unsqueeze", 13);
	h_input(&h, DT_FLOAT, 7, DIMS(1, 1, 1, 1, 1, 1, 1), NULL, 0);
	h_input(&h, DT_INT64, 1, DIMS(2), I64(0, 1), 1);
	h_output(&h);
	h_run_err(&h, GRT_E_LIMIT, "output rank 9 exceeds 8");
	h_free(&h);

	h_init(&h, "Unsqueeze", 13);
	h_input(&h, DT_FLOAT, 1, DIMS(3), NULL, 0);
	h_output(&h);
	h_run_err(&h, GRT_E_INVALID_MODEL, "has 1 inputs, expected 2 to 2");
	h_free(&h);
}
END_TEST

START_TEST(unsqueeze_opsets_registry)
{
	ck_assert_int_eq(op_lookup("Unsqueeze", 1)->until, 12);
	ck_assert_int_eq(op_lookup("Unsqueeze", 13)->since, 13);
	ck_assert_ptr_eq(op_lookup("Unsqueeze", 13), op_lookup("Unsqueeze", 17));
}
END_TEST

/* ----------------------------------------------------------------- Expand */

static void expand_setup(struct harness *h, enum dtype dt, int ndim, const int64_t *dims,
                         const void *data, int n, const int64_t *shape)
{
	h_init(h, "Expand", 13);
	h_input(h, dt, ndim, dims, data, 0);
	h_input(h, DT_INT64, 1, DIMS(n), shape, 1);
	h_output(h);
}

START_TEST(expand_values)
{
	struct harness h;

	/* (3,1) by [2,1,6] -> (2,3,6): rows repeated, the block repeated twice */
	expand_setup(&h, DT_FLOAT, 2, DIMS(3, 1), F32(1, 2, 3), 3, I64(2, 1, 6));
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 3, DIMS(2, 3, 6),
	           F32(1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3,
	               1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3));
	h_free(&h);

	/* middle axis broadcast, int16: (2,1,3) by [2,2,3] */
	expand_setup(&h, DT_INT16, 3, DIMS(2, 1, 3), I16(1, 2, 3, 4, 5, 6), 3, I64(2, 2, 3));
	h_run_ok(&h);
	expect_out(&h, DT_INT16, 3, DIMS(2, 2, 3), I16(1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6));
	h_free(&h);

	/* scalar double to (2,2) */
	expand_setup(&h, DT_DOUBLE, 0, NULL, F64(2.5), 2, I64(2, 2));
	h_run_ok(&h);
	expect_out(&h, DT_DOUBLE, 2, DIMS(2, 2), F64(2.5, 2.5, 2.5, 2.5));
	h_free(&h);

	/* bool, shape entries of 1 keep the input dim: (1,3) by [2,1] -> (2,3) */
	expand_setup(&h, DT_BOOL, 2, DIMS(1, 3), U8(1, 0, 1), 2, I64(2, 1));
	h_run_ok(&h);
	expect_out(&h, DT_BOOL, 2, DIMS(2, 3), U8(1, 0, 1, 1, 0, 1));
	h_free(&h);

	/* int64 with a leading broadcast and a last axis repeated */
	expand_setup(&h, DT_INT64, 2, DIMS(2, 1), I64(-7, 8), 3, I64(2, 2, 3));
	h_run_ok(&h);
	expect_out(&h, DT_INT64, 3, DIMS(2, 2, 3), I64(-7, -7, -7, 8, 8, 8, -7, -7, -7, 8, 8, 8));
	h_free(&h);
}
END_TEST

START_TEST(expand_shapes)
{
	struct harness h;

	/* the shape may be shorter than the input and hold ones */
	expand_setup(&h, DT_FLOAT, 2, DIMS(2, 3), f6, 1, I64(3));
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 2, DIMS(2, 3), f6);
	h_free(&h);

	expand_setup(&h, DT_FLOAT, 2, DIMS(2, 3), f6, 4, I64(1, 1, 1, 1));
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 4, DIMS(1, 1, 2, 3), f6);
	h_free(&h);

	/* size 1 broadcast to 0: empty */
	expand_setup(&h, DT_FLOAT, 2, DIMS(1, 3), f6, 2, I64(0, 3));
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 2, DIMS(0, 3), NULL);
	h_free(&h);

	/* empty shape: the input unchanged */
	expand_setup(&h, DT_FLOAT, 1, DIMS(2), f6, 0, NULL);
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 1, DIMS(2), f6);
	h_free(&h);
}
END_TEST

START_TEST(expand_errors)
{
	struct harness h;

	expand_setup(&h, DT_FLOAT, 2, DIMS(2, 3), f6, 1, I64(4));
	h_run_err(&h, GRT_E_SHAPE, "cannot broadcast");
	h_free(&h);

	expand_setup(&h, DT_FLOAT, 1, DIMS(1), f6, 2, I64(2, -1));
	h_run_err(&h, GRT_E_SHAPE, "shape[1] = -1 is negative");
	h_free(&h);

	h_init(&h, "Expand", 8);
	h_input(&h, DT_FLOAT, 1, DIMS(1), f6, 0);
	h_input(&h, DT_INT64, 1, DIMS(1), I64(3), 0);
	h_output(&h);
	h_run_err(&h, GRT_E_DYNAMIC, "shape comes from input 1");
	h_free(&h);
}
END_TEST

START_TEST(expand_opsets_registry)
{
	ck_assert_ptr_null(op_lookup("Expand", 7));
	ck_assert_ptr_eq(op_lookup("Expand", 8), op_lookup("Expand", 17));
}
END_TEST

/* -------------------------------------------------------- ConstantOfShape */

static void cos_setup(struct harness *h, int n, const int64_t *shape)
{
	h_init(h, "ConstantOfShape", 9);
	h_input(h, DT_INT64, 1, DIMS(n), shape, 1);
	h_output(h);
}

START_TEST(constant_of_shape_values)
{
	struct harness h;
	struct tensor v;

	/* default: float 0 */
	cos_setup(&h, 2, I64(2, 2));
	memset(h.t[0].data, 0, 0);
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 2, DIMS(2, 2), F32(0, 0, 0, 0));
	h_free(&h);

	cos_setup(&h, 2, I64(1, 3));
	make_tensor(&v, DT_FLOAT, 1, DIMS(1), F32(0.25f));
	attr_tensor(&h, "value", &v);
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 2, DIMS(1, 3), F32(0.25f, 0.25f, 0.25f));
	h_free(&h);

	cos_setup(&h, 1, I64(3));
	make_tensor(&v, DT_INT64, 1, DIMS(1), I64(-5));
	attr_tensor(&h, "value", &v);
	h_run_ok(&h);
	expect_out(&h, DT_INT64, 1, DIMS(3), I64(-5, -5, -5));
	h_free(&h);

	cos_setup(&h, 1, I64(3));
	make_tensor(&v, DT_FLOAT16, 1, DIMS(1), U16(0x3c00));   /* 1.0 */
	attr_tensor(&h, "value", &v);
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT16, 1, DIMS(3), U16(0x3c00, 0x3c00, 0x3c00));
	h_free(&h);

	cos_setup(&h, 2, I64(2, 1));
	make_tensor(&v, DT_BOOL, 1, DIMS(1), U8(1));
	attr_tensor(&h, "value", &v);
	h_run_ok(&h);
	expect_out(&h, DT_BOOL, 2, DIMS(2, 1), U8(1, 1));
	h_free(&h);

	cos_setup(&h, 1, I64(2));
	make_tensor(&v, DT_INT32, 0, NULL, I32(7));   /* a 0-d value is one element too */
	attr_tensor(&h, "value", &v);
	h_run_ok(&h);
	expect_out(&h, DT_INT32, 1, DIMS(2), I32(7, 7));
	h_free(&h);
}
END_TEST

START_TEST(constant_of_shape_shapes)
{
	struct harness h;
	struct tensor v;

	/* empty shape input: a scalar */
	cos_setup(&h, 0, NULL);
	make_tensor(&v, DT_INT32, 1, DIMS(1), I32(3));
	attr_tensor(&h, "value", &v);
	h_run_ok(&h);
	expect_out(&h, DT_INT32, 0, NULL, I32(3));
	h_free(&h);

	/* a zero in the shape: empty */
	cos_setup(&h, 3, I64(3, 0, 2));
	make_tensor(&v, DT_INT64, 1, DIMS(1), I64(5));
	attr_tensor(&h, "value", &v);
	h_run_ok(&h);
	expect_out(&h, DT_INT64, 3, DIMS(3, 0, 2), NULL);
	h_free(&h);
}
END_TEST

START_TEST(constant_of_shape_errors)
{
	struct harness h;
	struct tensor v;

	cos_setup(&h, 1, I64(2));
	make_tensor(&v, DT_FLOAT, 1, DIMS(2), F32(1, 2));
	attr_tensor(&h, "value", &v);
	h_run_err(&h, GRT_E_ATTR, "'value' must have one element, not 2");
	h_free(&h);

	cos_setup(&h, 1, I64(2));
	h_attr_float(&h, "value", 1);
	h_run_err(&h, GRT_E_ATTR, "'value' must be a tensor");
	h_free(&h);

	cos_setup(&h, 2, I64(2, -1));
	h_run_err(&h, GRT_E_SHAPE, "shape[1] = -1 is negative");
	h_free(&h);

	h_init(&h, "ConstantOfShape", 9);
	h_input(&h, DT_INT32, 1, DIMS(1), I32(2), 1);
	h_output(&h);
	h_run_err(&h, GRT_E_DTYPE, "must be int64");
	h_free(&h);

	h_init(&h, "ConstantOfShape", 9);
	h_input(&h, DT_INT64, 1, DIMS(1), I64(2), 0);
	h_output(&h);
	h_run_err(&h, GRT_E_DYNAMIC, "shape comes from input 0");
	h_free(&h);
}
END_TEST

START_TEST(constant_of_shape_opsets_registry)
{
	ck_assert_ptr_null(op_lookup("ConstantOfShape", 8));
	ck_assert_ptr_eq(op_lookup("ConstantOfShape", 9), op_lookup("ConstantOfShape", 17));
}
END_TEST

/* --------------------------------------------------------------- Constant */

START_TEST(constant_values)
{
	struct harness h;
	struct tensor v;

	h_init(&h, "Constant", 13);
	h_output(&h);
	make_tensor(&v, DT_INT8, 2, DIMS(2, 2), I8(1, -2, 3, -4));
	attr_tensor(&h, "value", &v);
	h_run_ok(&h);
	expect_out(&h, DT_INT8, 2, DIMS(2, 2), I8(1, -2, 3, -4));
	h_free(&h);

	h_init(&h, "Constant", 13);
	h_output(&h);
	h_attr_float(&h, "value_float", 1.5f);
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 0, NULL, F32(1.5f));
	h_free(&h);

	h_init(&h, "Constant", 13);
	h_output(&h);
	h_attr_floats(&h, "value_floats", 3, F32(1, -2, 3.5f));
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 1, DIMS(3), F32(1, -2, 3.5f));
	h_free(&h);

	h_init(&h, "Constant", 12);
	h_output(&h);
	h_attr_int(&h, "value_int", -9);
	h_run_ok(&h);
	expect_out(&h, DT_INT64, 0, NULL, I64(-9));
	h_free(&h);

	h_init(&h, "Constant", 13);
	h_output(&h);
	h_attr_ints(&h, "value_ints", 2, I64(4, INT64_MIN));
	h_run_ok(&h);
	expect_out(&h, DT_INT64, 1, DIMS(2), I64(4, INT64_MIN));
	h_free(&h);

	/* an empty tensor value */
	h_init(&h, "Constant", 9);
	h_output(&h);
	make_tensor(&v, DT_FLOAT, 1, DIMS(0), NULL);
	attr_tensor(&h, "value", &v);
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 1, DIMS(0), NULL);
	h_free(&h);
}
END_TEST

START_TEST(constant_errors)
{
	struct harness h;
	struct attr *a;

	h_init(&h, "Constant", 13);
	h_output(&h);
	h_run_err(&h, GRT_E_ATTR, "exactly one of the attributes");
	h_free(&h);

	h_init(&h, "Constant", 13);
	h_output(&h);
	h_attr_int(&h, "value_int", 1);
	h_attr_float(&h, "value_float", 1);
	h_run_err(&h, GRT_E_ATTR, "must be set, not 2");
	h_free(&h);

	h_init(&h, "Constant", 13);
	h_output(&h);
	h_attr_string(&h, "value_string", "hi");
	h_run_err(&h, GRT_E_UNSUPPORTED, "'value_string' is not supported");
	h_free(&h);

	h_init(&h, "Constant", 13);
	h_output(&h);
	a = &h.attrs[h.n.n_attrs++];
	a->name = "value_strings";
	a->type = ATTR_STRINGS;
	h_run_err(&h, GRT_E_UNSUPPORTED, "'value_strings' is not supported");
	h_free(&h);

	h_init(&h, "Constant", 13);
	h_output(&h);
	a = &h.attrs[h.n.n_attrs++];
	a->name = "sparse_value";
	a->type = (enum attr_type)11;   /* SPARSE_TENSOR */
	h_run_err(&h, GRT_E_UNSUPPORTED, "'sparse_value' is not supported");
	h_free(&h);

	h_init(&h, "Constant", 13);
	h_output(&h);
	h_attr_int(&h, "value_float", 1);
	h_run_err(&h, GRT_E_ATTR, "'value_float' must be FLOAT, not INT");
	h_free(&h);

	h_init(&h, "Constant", 13);
	h_output(&h);
	h_attr_ints(&h, "value", 1, I64(1));
	h_run_err(&h, GRT_E_ATTR, "'value' must be a tensor");
	h_free(&h);
}
END_TEST

START_TEST(constant_opsets_registry)
{
	ck_assert_ptr_nonnull(op_lookup("Constant", 1));
	ck_assert_ptr_eq(op_lookup("Constant", 1), op_lookup("Constant", 17));
}
END_TEST

/* ------------------------------------------------------------------ Range */

static void range_setup(struct harness *h, enum dtype dt, const void *s, const void *l,
                        const void *d)
{
	h_init(h, "Range", 11);
	h_input(h, dt, 0, NULL, s, 1);
	h_input(h, dt, 0, NULL, l, 1);
	h_input(h, dt, 0, NULL, d, 1);
	h_output(h);
}

START_TEST(range_values)
{
	struct harness h;

	range_setup(&h, DT_FLOAT, F32(1), F32(5), F32(2));
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 1, DIMS(2), F32(1, 3));
	h_free(&h);

	range_setup(&h, DT_FLOAT, F32(1.5f), F32(-2), F32(-0.75f));
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 1, DIMS(5), F32(1.5f, 0.75f, 0, -0.75f, -1.5f));
	h_free(&h);

	range_setup(&h, DT_DOUBLE, F64(0), F64(1), F64(0.25));
	h_run_ok(&h);
	expect_out(&h, DT_DOUBLE, 1, DIMS(4), F64(0, 0.25, 0.5, 0.75));
	h_free(&h);

	range_setup(&h, DT_INT32, I32(10), I32(6), I32(-3));
	h_run_ok(&h);
	expect_out(&h, DT_INT32, 1, DIMS(2), I32(10, 7));
	h_free(&h);

	range_setup(&h, DT_INT16, I16(-4), I16(3), I16(3));
	h_run_ok(&h);
	expect_out(&h, DT_INT16, 1, DIMS(3), I16(-4, -1, 2));
	h_free(&h);

	range_setup(&h, DT_INT64, I64(2), I64(17), I64(4));
	h_run_ok(&h);
	expect_out(&h, DT_INT64, 1, DIMS(4), I64(2, 6, 10, 14));
	h_free(&h);

	/* the full int64 span: no intermediate overflow */
	range_setup(&h, DT_INT64, I64(INT64_MIN), I64(INT64_MAX), I64(INT64_MAX));
	h_run_ok(&h);
	expect_out(&h, DT_INT64, 1, DIMS(3), I64(INT64_MIN, -1, INT64_MAX - 1));
	h_free(&h);

	range_setup(&h, DT_INT64, I64(INT64_MAX), I64(INT64_MIN), I64(INT64_MIN));
	h_run_ok(&h);
	expect_out(&h, DT_INT64, 1, DIMS(2), I64(INT64_MAX, -1));
	h_free(&h);
}
END_TEST

START_TEST(range_shapes)
{
	struct harness h;

	/* limit on the wrong side: empty */
	range_setup(&h, DT_INT64, I64(5), I64(1), I64(2));
	h_run_ok(&h);
	expect_out(&h, DT_INT64, 1, DIMS(0), NULL);
	h_free(&h);

	range_setup(&h, DT_FLOAT, F32(1), F32(1), F32(-1));
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 1, DIMS(0), NULL);
	h_free(&h);

	/* a 1-element 1-D input is accepted as a scalar */
	h_init(&h, "Range", 11);
	h_input(&h, DT_INT32, 1, DIMS(1), I32(0), 1);
	h_input(&h, DT_INT32, 0, NULL, I32(3), 1);
	h_input(&h, DT_INT32, 0, NULL, I32(1), 1);
	h_output(&h);
	h_run_ok(&h);
	expect_out(&h, DT_INT32, 1, DIMS(3), I32(0, 1, 2));
	h_free(&h);
}
END_TEST

START_TEST(range_errors)
{
	struct harness h;

	range_setup(&h, DT_INT32, I32(0), I32(3), I32(0));
	h_run_err(&h, GRT_E_SHAPE, "delta is 0");
	h_free(&h);

	range_setup(&h, DT_FLOAT, F32(0), F32(3), F32(0));
	h_run_err(&h, GRT_E_SHAPE, "delta is 0");
	h_free(&h);

	range_setup(&h, DT_FLOAT, F32(0), F32(1e30f), F32(1e-30f));
	h_run_err(&h, GRT_E_LIMIT, "too many elements");
	h_free(&h);

	range_setup(&h, DT_FLOAT, F32(0), F32(NAN), F32(1));
	h_run_err(&h, GRT_E_LIMIT, "too many elements");
	h_free(&h);

	range_setup(&h, DT_INT64, I64(0), I64(INT64_MAX), I64(1));
	h_run_err(&h, GRT_E_LIMIT, "exceeds the runtime's limits");
	h_free(&h);

	range_setup(&h, DT_UINT8, U8(0), U8(3), U8(1));
	h_run_err(&h, GRT_E_DTYPE, "unsupported element type uint8");
	h_free(&h);

	h_init(&h, "Range", 11);
	h_input(&h, DT_INT32, 0, NULL, I32(0), 1);
	h_input(&h, DT_INT64, 0, NULL, I64(3), 1);
	h_input(&h, DT_INT32, 0, NULL, I32(1), 1);
	h_output(&h);
	h_run_err(&h, GRT_E_DTYPE, "limit is int64 but start is int32");
	h_free(&h);

	h_init(&h, "Range", 11);
	h_input(&h, DT_INT32, 0, NULL, I32(0), 1);
	h_input(&h, DT_INT32, 1, DIMS(2), I32(3, 4), 1);
	h_input(&h, DT_INT32, 0, NULL, I32(1), 1);
	h_output(&h);
	h_run_err(&h, GRT_E_SHAPE, "limit must be a scalar, has 2 elements");
	h_free(&h);

	h_init(&h, "Range", 11);
	h_input(&h, DT_INT32, 0, NULL, I32(0), 1);
	h_input(&h, DT_INT32, 0, NULL, I32(3), 0);
	h_input(&h, DT_INT32, 0, NULL, I32(1), 1);
	h_output(&h);
	h_run_err(&h, GRT_E_DYNAMIC, "limit comes from input 1");
	h_free(&h);
}
END_TEST

START_TEST(range_opsets_registry)
{
	ck_assert_ptr_null(op_lookup("Range", 10));
	ck_assert_ptr_eq(op_lookup("Range", 11), op_lookup("Range", 17));
}
END_TEST

/* ------------------------------------------------------------------- main */

int main(void)
{
	const struct test_def shape[] = {
		{ "values", shape_values_spec_examples }, { "values", shape_values_clamping },
		{ "shapes", shape_shapes_scalar_and_no_data }, { "errors", shape_errors_arity },
		{ "opsets", shape_opsets_registry },
	};
	const struct test_def reshape[] = {
		{ "values", reshape_values_basic }, { "shapes", reshape_shapes_zero_and_negative },
		{ "errors", reshape_errors }, { "opsets", reshape_opsets_registry },
	};
	const struct test_def squeeze[] = {
		{ "values", squeeze_values_dtypes }, { "shapes", squeeze_shapes },
		{ "errors", squeeze_errors }, { "opsets", squeeze_opsets_registry },
	};
	const struct test_def unsqueeze[] = {
		{ "values", unsqueeze_values_and_shapes }, { "errors", unsqueeze_errors },
		{ "opsets", unsqueeze_opsets_registry },
	};
	const struct test_def expand[] = {
		{ "values", expand_values }, { "shapes", expand_shapes },
		{ "errors", expand_errors }, { "opsets", expand_opsets_registry },
	};
	const struct test_def constant_of_shape[] = {
		{ "values", constant_of_shape_values }, { "shapes", constant_of_shape_shapes },
		{ "errors", constant_of_shape_errors },
		{ "opsets", constant_of_shape_opsets_registry },
	};
	const struct test_def constant[] = {
		{ "values", constant_values }, { "errors", constant_errors },
		{ "opsets", constant_opsets_registry },
	};
	const struct test_def range[] = {
		{ "values", range_values }, { "shapes", range_shapes },
		{ "errors", range_errors }, { "opsets", range_opsets_registry },
	};
	Suite *suites[] = {
		suite_from_table("Shape", shape, N_ELEMS(shape)),
		suite_from_table("Reshape", reshape, N_ELEMS(reshape)),
		suite_from_table("Squeeze", squeeze, N_ELEMS(squeeze)),
		suite_from_table("Unsqueeze", unsqueeze, N_ELEMS(unsqueeze)),
		suite_from_table("Expand", expand, N_ELEMS(expand)),
		suite_from_table("ConstantOfShape", constant_of_shape, N_ELEMS(constant_of_shape)),
		suite_from_table("Constant", constant, N_ELEMS(constant)),
		suite_from_table("Range", range, N_ELEMS(range)),
	};

	return run_suites(suites, N_ELEMS(suites), 0);
}
