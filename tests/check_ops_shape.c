/* check_ops_shape.c - unit tests for the shape and data-layout ops: Shape,
 * Reshape, Squeeze, Unsqueeze, Expand, ConstantOfShape, Constant, Range
 * (ops/shape.c) and Concat, Split, Transpose (ops/tensor_ops.c). One suite per
 * op type; cases grouped as values, shapes, errors, opsets. Expected numbers
 * are worked out by hand from the ONNX text (Transpose also against a naive
 * index formula). Rerun one case: CK_RUN_SUITE=<op> CK_RUN_CASE=<group>. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/op_harness.h"

#define DIMS(...) ((const int64_t[]){ __VA_ARGS__ })
#define I64(...) ((const int64_t[]){ __VA_ARGS__ })
#define I32(...) ((const int32_t[]){ __VA_ARGS__ })
#define I16(...) ((const int16_t[]){ __VA_ARGS__ })
#define I8(...) ((const int8_t[]){ __VA_ARGS__ })
#define U8(...) ((const uint8_t[]){ __VA_ARGS__ })
#define U16(...) ((const uint16_t[]){ __VA_ARGS__ })
#define F32(...) ((const float[]){ __VA_ARGS__ })
#define F64(...) ((const double[]){ __VA_ARGS__ })





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
	expect_out(&h, DT_FLOAT, 2, DIMS(2, 3), F32(1, 3, 4, 2, 5, 6));
	h_free(&h);

	/* axis -3 on 3-D uint16, three inputs */
	h_init(&h, "Concat", 11);
	h_input(&h, DT_UINT16, 3, DIMS(1, 1, 2), U16(1, 2), 0);
	h_input(&h, DT_UINT16, 3, DIMS(2, 1, 2), U16(3, 4, 5, 6), 0);
	h_input(&h, DT_UINT16, 3, DIMS(1, 1, 2), U16(7, 65535), 0);
	h_output(&h);
	h_attr_int(&h, "axis", -3);
	h_run_ok(&h);
	expect_out(&h, DT_UINT16, 3, DIMS(4, 1, 2), U16(1, 2, 3, 4, 5, 6, 7, 65535));
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
	expect_out(&h, DT_INT64, 2, DIMS(2, 3), I64(1, 3, 4, 2, 5, 6));
	h_free(&h);

	/* one input is a copy */
	h_init(&h, "Concat", 13);
	h_input(&h, DT_BOOL, 1, DIMS(3), U8(1, 0, 1), 0);
	h_output(&h);
	h_attr_int(&h, "axis", 0);
	h_run_ok(&h);
	expect_out(&h, DT_BOOL, 1, DIMS(3), U8(1, 0, 1));
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
			expect_out(&h, types[t], 3, DIMS(outer, 1, c), want);
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
	expect_out(&h, DT_FLOAT, 2, DIMS(0, 5), NULL);
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
	expect_out(&h, DT_FLOAT, 2, DIMS(2, 2), F32(1, 3, 2, 4));
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
	ck_assert_ptr_null(op_lookup("Split", 18));     /* num_outputs: not implemented */
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
	expect_out(&h, dt, ndim, out_dims, want);
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
	expect_out(&h, DT_FLOAT, 2, DIMS(3, 2), F32(1, 4, 2, 5, 3, 6));
	h_free(&h);

	/* (2,1,3) with perm (2,0,1) -> (3,2,1) */
	h_init(&h, "Transpose", 1);
	h_input(&h, DT_INT32, 3, DIMS(2, 1, 3), I32(1, 2, 3, 4, 5, 6), 0);
	h_output(&h);
	h_attr_ints(&h, "perm", 3, I64(2, 0, 1));
	h_run_ok(&h);
	expect_out(&h, DT_INT32, 3, DIMS(3, 2, 1), I32(1, 4, 2, 5, 3, 6));
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
	expect_out(&h, DT_FLOAT, 0, NULL, F32(3));
	h_free(&h);

	/* empty */
	h_init(&h, "Transpose", 13);
	h_input(&h, DT_FLOAT, 3, DIMS(2, 0, 3), NULL, 0);
	h_output(&h);
	h_attr_ints(&h, "perm", 3, I64(1, 2, 0));
	h_run_ok(&h);
	expect_out(&h, DT_FLOAT, 3, DIMS(0, 3, 2), NULL);
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

/* ------------------------------------------------------------------- main */

/* One suite: values, shapes, errors and opsets cases (NULL to skip). */
static Suite *make_suite(const char *name, const TTest *const *values,
                         const TTest *const *shapes, const TTest *const *errors,
                         const TTest *const *opsets)
{
	Suite *s = suite_create(name);
	const TTest *const *groups[4] = { values, shapes, errors, opsets };
	static const char *const group_names[4] = { "values", "shapes", "errors", "opsets" };

	for (int g = 0; g < 4; g++) {
		TCase *tc;
		if (!groups[g])
			continue;
		tc = tcase_create(group_names[g]);
		for (const TTest *const *t = groups[g]; *t; t++)
			tcase_add_test(tc, *t);
		suite_add_tcase(s, tc);
	}
	return s;
}

#define TESTS(...) ((const TTest *const[]){ __VA_ARGS__, NULL })

int main(void)
{
	SRunner *sr = srunner_create(make_suite("Shape", TESTS(shape_values_spec_examples,
	                                        shape_values_clamping),
	                                        TESTS(shape_shapes_scalar_and_no_data),
	                                        TESTS(shape_errors_arity),
	                                        TESTS(shape_opsets_registry)));
	int failed;

	srunner_add_suite(sr, make_suite("Reshape", TESTS(reshape_values_basic),
	                                 TESTS(reshape_shapes_zero_and_negative),
	                                 TESTS(reshape_errors), TESTS(reshape_opsets_registry)));
	srunner_add_suite(sr, make_suite("Squeeze", TESTS(squeeze_values_dtypes),
	                                 TESTS(squeeze_shapes), TESTS(squeeze_errors),
	                                 TESTS(squeeze_opsets_registry)));
	srunner_add_suite(sr, make_suite("Unsqueeze", TESTS(unsqueeze_values_and_shapes), NULL,
	                                 TESTS(unsqueeze_errors),
	                                 TESTS(unsqueeze_opsets_registry)));
	srunner_add_suite(sr, make_suite("Expand", TESTS(expand_values), TESTS(expand_shapes),
	                                 TESTS(expand_errors), TESTS(expand_opsets_registry)));
	srunner_add_suite(sr, make_suite("ConstantOfShape", TESTS(constant_of_shape_values),
	                                 TESTS(constant_of_shape_shapes),
	                                 TESTS(constant_of_shape_errors),
	                                 TESTS(constant_of_shape_opsets_registry)));
	srunner_add_suite(sr, make_suite("Constant", TESTS(constant_values), NULL,
	                                 TESTS(constant_errors),
	                                 TESTS(constant_opsets_registry)));
	srunner_add_suite(sr, make_suite("Range", TESTS(range_values), TESTS(range_shapes),
	                                 TESTS(range_errors), TESTS(range_opsets_registry)));
	srunner_add_suite(sr, make_suite("Concat", TESTS(concat_values,
	                                 concat_split_values_block_sizes),
	                                 TESTS(concat_shapes_empty), TESTS(concat_errors),
	                                 TESTS(concat_opsets_default_axis)));
	srunner_add_suite(sr, make_suite("Split", TESTS(split_values_attribute,
	                                 split_values_input), NULL, TESTS(split_errors),
	                                 TESTS(split_opsets_registry)));
	srunner_add_suite(sr, make_suite("Transpose", TESTS(transpose_values_small,
	                                 transpose_values_all_perms_3d,
	                                 transpose_values_fast_paths,
	                                 transpose_values_kernels, transpose_values_pairs),
	                                 TESTS(transpose_shapes), TESTS(transpose_errors),
	                                 TESTS(transpose_opsets_registry)));
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
