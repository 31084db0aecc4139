/* reduce.c - the Reduce* operators (https://onnx.ai/onnx/operators/onnx__ReduceMean.html
 * and its siblings): L1, L2, LogSum, LogSumExp, Max, Mean, Min, Prod, Sum, SumSquare, with
 * axes an attribute (opsets 1-17; ReduceSum 1-12) or an input (18+; ReduceSum 13+, with
 * noop_with_empty_axes). prepare merges the axes into alternating kept/reduced groups;
 * run() walks the input once, row by row: Sum and Mean sum into one double (64-bit
 * integer for integer types) per output element with reduce_sum.h, the others combine
 * chunks converted to double (int64, uint64 for integers) with reduce_walk.h.
 * ArgMax and ArgMin (opsets 1+) and CumSum (11+) scan along their axis with the same
 * conversions. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "ops/op.h"

/* what is reduced: the combine of reduce_walk.h (add, multiply, max, min), with the map
 * before it and the finish after it */
enum red_op {
	RED_SUM, RED_MEAN, RED_PROD, RED_MAX, RED_MIN, RED_SUM_SQUARE, RED_L1, RED_L2,
	RED_LOG_SUM, RED_LOG_SUM_EXP,
};
/* the accumulator of the walk: double (floats, and what ends in a root or a log),
 * int64_t (signed integers), uint64_t (unsigned integers, bool) */
enum red_dom { DOM_F, DOM_I, DOM_U };

#define RED_CHUNK 256           /* elements converted at once by the walk */

struct reduce_params {
	enum red_op op;
	enum red_dom dom;               /* the walk's accumulator (not Sum, Mean) */
	int     n_groups;               /* merged groups of input axes, outermost first (>= 1) */
	int64_t ext[MAX_DIMS];          /* [n_groups] extent of each group (elements) */
	int64_t out_stride[MAX_DIMS];   /* [n_groups] output elements per step; 0 if reduced */
	int64_t inner;                  /* ext[n_groups - 1]: input elements per row */
	int     inner_reduced;          /* the innermost group is reduced: a row sums into
	                                   one output element */
	int64_t n_rows;                 /* input numel / inner (0 for an empty input) */
	int64_t count;                  /* input elements averaged into each output element */
	int64_t out_numel;              /* output elements (= accumulator elements) */
	int     copy;                   /* noop_with_empty_axes with no axes: output = input */
};

/* The output offset of the next input row after one at offset o: idx [n_groups - 1] is
 * the row's position in the outer groups, advanced like an odometer. */
static inline int64_t reduce_next_row(const struct reduce_params *p, int64_t *idx, int64_t o)
{
	for (int g = p->n_groups - 2; g >= 0; g--) {
		o += p->out_stride[g];
		if (++idx[g] < p->ext[g])
			break;
		o -= p->out_stride[g] * p->ext[g];
		idx[g] = 0;
	}
	return o;
}

static inline float ld_f32(float v) { return v; }
static inline double ld_f64(double v) { return v; }
static inline float ld_f16(uint16_t v) { return half_to_float(v); }
static inline float ld_bf16(uint16_t v) { return bf16_to_float(v); }
static inline int64_t ld_i32(int32_t v) { return v; }
static inline int64_t ld_i64(int64_t v) { return v; }
static inline uint64_t ld_u32(uint32_t v) { return v; }
static inline uint64_t ld_u64(uint64_t v) { return v; }
static inline float st_f32(double v) { return (float)v; }
static inline double st_f64(double v) { return v; }
static inline uint16_t st_f16(double v) { return float_to_half((float)v); }
static inline uint16_t st_bf16(double v) { return float_to_bf16((float)v); }

/* The sum's and the mean's kernels per type (ops/math/reduce_sum.h): sum_T (with sum_row_T and
 * sum_add_T), then div_T, whose QUOT is the float quotient rounded to T (NaN when
 * nothing was reduced) or the integer quotient truncated toward zero (as numpy's
 * mean cast back; 0 when nothing was reduced). */
#define KN(name) name##_f32
#define T float
#define B float
#define A double
#define LOAD ld_f32
#define QUOT(v, c) st_f32((v) / (c))
#include "ops/math/reduce_sum.h"
#define KN(name) name##_f64
#define T double
#define B double
#define A double
#define LOAD ld_f64
#define QUOT(v, c) st_f64((v) / (c))
#include "ops/math/reduce_sum.h"
#define KN(name) name##_f16
#define T uint16_t
#define B float
#define A double
#define LOAD ld_f16
#define QUOT(v, c) st_f16((v) / (c))
#include "ops/math/reduce_sum.h"
#define KN(name) name##_bf16
#define T uint16_t
#define B float
#define A double
#define LOAD ld_bf16
#define QUOT(v, c) st_bf16((v) / (c))
#include "ops/math/reduce_sum.h"
#define KN(name) name##_i32
#define T int32_t
#define B int64_t
#define A int64_t
#define LOAD ld_i32
#define QUOT(v, c) ((c) ? (T)((v) / (c)) : 0)
#include "ops/math/reduce_sum.h"
#define KN(name) name##_i64
#define T int64_t
#define B int64_t
#define A int64_t
#define LOAD ld_i64
#define QUOT(v, c) ((c) ? (T)((v) / (c)) : 0)
#include "ops/math/reduce_sum.h"
#define KN(name) name##_u32
#define T uint32_t
#define B uint64_t
#define A uint64_t
#define LOAD ld_u32
#define QUOT(v, c) ((c) ? (T)((v) / (c)) : 0)
#include "ops/math/reduce_sum.h"
#define KN(name) name##_u64
#define T uint64_t
#define B uint64_t
#define A uint64_t
#define LOAD ld_u64
#define QUOT(v, c) ((c) ? (T)((v) / (c)) : 0)
#include "ops/math/reduce_sum.h"


/* The walk per accumulator domain (ops/math/reduce_walk.h): walk_f, walk_i, walk_u. */
#define KN(name) name##_f
#define A double
#define ABS(v) fabs(v)
#define ISNAN(v) isnan(v)
#define TO_I64(v) sat_int((v), INT64_MIN, INT64_MAX)
#define TO_U64(v) sat_uint((v), UINT64_MAX)
#include "ops/math/reduce_walk.h"
#define KN(name) name##_i
#define A int64_t
#define ABS(v) ((v) < 0 ? (int64_t)(0 - (uint64_t)(v)) : (v))   /* INT64_MIN wraps */
#define ISNAN(v) 0
#define TO_I64(v) (v)
#define TO_U64(v) ((uint64_t)(v))
#include "ops/math/reduce_walk.h"
#define KN(name) name##_u
#define A uint64_t
#define ABS(v) (v)
#define ISNAN(v) 0
#define TO_I64(v) ((int64_t)(v))
#define TO_U64(v) (v)
#include "ops/math/reduce_walk.h"

/* n->params: bytes of zeroed plan-time memory, when output 0 is present; NULL with *rc
 * set otherwise. */
static void *reduce_params(struct node *n, struct exec *x, size_t bytes, int *rc)
{
	if (!op_output(n, 0)) {
		*rc = op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
		return NULL;
	}
	if (!(n->params = plan_alloc(x, bytes)))
		*rc = GRT_E_NOMEM;
	return n->params;
}

/* The operator of node n (its op_type, resolved once at plan time). */
static enum red_op reduce_op(const struct node *n)
{
	static const struct { const char *op_type; enum red_op op; } ops[] = {
		{ "ReduceL1", RED_L1 }, { "ReduceL2", RED_L2 }, { "ReduceLogSum", RED_LOG_SUM },
		{ "ReduceLogSumExp", RED_LOG_SUM_EXP }, { "ReduceMax", RED_MAX },
		{ "ReduceMin", RED_MIN }, { "ReduceProd", RED_PROD }, { "ReduceSum", RED_SUM },
		{ "ReduceSumSquare", RED_SUM_SQUARE },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(n->op->op_type, ops[i].op_type))
			return ops[i].op;
	return RED_MEAN;
}

/* Checks input 0's element type for n's operator and opset: the numeric types of the
 * spec (ReduceMax and ReduceMin add int8 and uint8 from opset 12, bool from 20). */
static int reduce_check_dtype(struct node *n, struct exec *x, enum red_op op)
{
	static const enum dtype types[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_INT32, DT_INT64,
		DT_UINT32, DT_UINT64, DT_UNDEFINED,
	};
	static const enum dtype types_12[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_INT32, DT_INT64,
		DT_UINT32, DT_UINT64, DT_INT8, DT_UINT8, DT_UNDEFINED,
	};
	static const enum dtype types_20[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_INT32, DT_INT64,
		DT_UINT32, DT_UINT64, DT_INT8, DT_UINT8, DT_BOOL, DT_UNDEFINED,
	};
	int ext = op == RED_MAX || op == RED_MIN;

	return op_check_dtype(n, x, 0, !ext || n->opset < 12 ? types :
	                      n->opset < 20 ? types_12 : types_20);
}

/* The walk's accumulator for op over element type dt. */
static enum red_dom reduce_dom(enum red_op op, enum dtype dt)
{
	if (dtype_is_float(dt) || op == RED_L2 || op == RED_LOG_SUM || op == RED_LOG_SUM_EXP)
		return DOM_F;
	if (dt == DT_INT8 || dt == DT_INT32 || dt == DT_INT64)
		return DOM_I;
	return DOM_U;
}

/* Resolves the axes (NULL with n_axes < 0: all axes), checks range and
 * duplicates, sets the output shape and the plan. */
static int reduce_plan(struct node *n, struct exec *x, const int64_t *axes, int n_axes,
                       int keepdims, int noop)
{
	enum red_op op = reduce_op(n);
	const struct tensor *in = n->inputs[0];
	struct tensor *out = op_output(n, 0);
	struct reduce_params *p;
	int64_t dims[MAX_DIMS], os;
	int red[MAX_DIMS] = { 0 };
	int r = in->ndim, nd = 0, rc;

	if ((rc = reduce_check_dtype(n, x, op)))
		return rc;
	if (!(p = reduce_params(n, x, sizeof(*p), &rc)))
		return rc;
	p->op = op;
	p->dom = reduce_dom(op, in->dtype);
	if (n_axes <= 0 && noop) {
		p->copy = 1;
		if ((rc = tensor_set_shape(out, in->dtype, r, in->dims)))
			return op_fail(n, x, rc, "output shape too large");
		return GRT_OK;
	}
	for (int i = 0; i < n_axes; i++) {
		int64_t a = axes[i];
		if (a < -r || a >= r)
			return op_fail(n, x, GRT_E_ATTR, "axes[%d] = %lld out of range [%d, %d) "
			               "for rank %d", i, (long long)a, -r, r, r);
		if (a < 0)
			a += r;
		if (red[a])
			return op_fail(n, x, GRT_E_ATTR, "axis %d appears twice in axes", (int)a);
		red[a] = 1;
	}
	if (n_axes <= 0)
		for (int a = 0; a < r; a++)
			red[a] = 1;

	p->count = 1;
	for (int a = 0; a < r; a++) {
		if (red[a])
			p->count *= in->dims[a];
		if (!red[a] || keepdims)
			dims[nd++] = red[a] ? 1 : in->dims[a];
	}
	if ((rc = tensor_set_shape(out, in->dtype, nd, dims)))
		return op_fail(n, x, rc, "output shape too large");
	p->out_numel = out->numel;

	/* merge: size-1 axes vanish, neighbours of the same kind join */
	for (int a = 0; a < r; a++) {
		int g = p->n_groups;
		if (in->dims[a] == 1)
			continue;
		if (g > 0 && red[a] == (p->out_stride[g - 1] == 0)) {
			p->ext[g - 1] *= in->dims[a];
			continue;
		}
		p->ext[g] = in->dims[a];
		p->out_stride[g] = red[a] ? 0 : 1;    /* kind marker until strides below */
		p->n_groups++;
	}
	if (p->n_groups == 0) {
		p->ext[0] = 1;
		p->out_stride[0] = 1;
		p->n_groups = 1;
	}
	p->inner_reduced = p->out_stride[p->n_groups - 1] == 0;
	os = 1;
	for (int g = p->n_groups - 1; g >= 0; g--)
		if (p->out_stride[g]) {
			p->out_stride[g] = os;
			os *= p->ext[g];
		}
	p->inner = p->ext[p->n_groups - 1];
	p->n_rows = p->inner && in->numel ? in->numel / p->inner : 0;
	/* the accumulators, and the maxima of ReduceLogSumExp */
	n->scratch_bytes = (size_t)p->out_numel * sizeof(double) * (op == RED_LOG_SUM_EXP ? 2 : 1);
	return GRT_OK;
}

/* opsets with axes an attribute */
static int reduce_axes_attr_prepare(struct node *n, struct exec *x)
{
	const int64_t *axes;
	int64_t keepdims;
	int n_axes, rc;

	if ((rc = op_check_arity(n, x, 1, 1, 1, 1)) ||
	    (rc = attr_ints(n, x, "axes", &axes, &n_axes)) ||
	    (rc = attr_int(n, x, "keepdims", 1, &keepdims)))
		return rc;
	/* an empty axes list reduces all axes, as an absent one does */
	return reduce_plan(n, x, axes, n_axes, keepdims != 0, 0);
}

/* opsets with axes an input */
static int reduce_axes_input_prepare(struct node *n, struct exec *x)
{
	static const enum dtype ind[] = { DT_INT64, DT_INT32, DT_UNDEFINED };
	const struct tensor *t;
	int64_t keepdims, noop, axes[MAX_DIMS];
	int n_axes = -1, rc;

	if ((rc = op_check_arity(n, x, 1, 2, 1, 1)) ||
	    (rc = attr_int(n, x, "keepdims", 1, &keepdims)) ||
	    (rc = attr_int(n, x, "noop_with_empty_axes", 0, &noop)))
		return rc;
	if ((t = op_input(n, 1))) {
		if ((rc = op_check_dtype(n, x, 1, ind)))
			return rc;
		if (t->ndim > 1)
			return op_fail(n, x, GRT_E_SHAPE, "axes (input 1) must be 1-D, has rank %d",
			               t->ndim);
		if (t->numel > n->inputs[0]->ndim)
			return op_fail(n, x, GRT_E_ATTR, "axes has %lld entries, more than the "
			               "rank %d", (long long)t->numel, n->inputs[0]->ndim);
		if (t->numel && !op_const_input(n, x, 1))
			return op_dynamic(n, x, 1, "axes");
		n_axes = (int)t->numel;
		if (n_axes)
			tensor_read_ints(t, axes, n_axes);
	}
	return reduce_plan(n, x, axes, n_axes, keepdims != 0, noop != 0);
}

/* ReduceSum and ReduceMean (ops/math/reduce_sum.h): acc [out_numel], then out */
static void reduce_sum_run(const struct reduce_params *p, const struct tensor *in,
                           struct tensor *out, void *acc)
{
	int64_t m = p->out_numel, c = p->op == RED_MEAN ? p->count : 1;

	memset(acc, 0, (size_t)m * sizeof(double));   /* 0.0 and 0 are all-zero bits */
	switch (in->dtype) {
	case DT_FLOAT:
		sum_f32(acc, in->data, p);
		div_f32(out->data, acc, m, c);
		break;
	case DT_DOUBLE:
		sum_f64(acc, in->data, p);
		div_f64(out->data, acc, m, c);
		break;
	case DT_FLOAT16:
		sum_f16(acc, in->data, p);
		div_f16(out->data, acc, m, c);
		break;
	case DT_BFLOAT16:
		sum_bf16(acc, in->data, p);
		div_bf16(out->data, acc, m, c);
		break;
	case DT_INT32:
		sum_i32(acc, in->data, p);
		div_i32(out->data, acc, m, c);
		break;
	case DT_INT64:
		sum_i64(acc, in->data, p);
		div_i64(out->data, acc, m, c);
		break;
	case DT_UINT32:
		sum_u32(acc, in->data, p);
		div_u32(out->data, acc, m, c);
		break;
	default:        /* DT_UINT64: reduce_check_dtype() admits no other type */
		sum_u64(acc, in->data, p);
		div_u64(out->data, acc, m, c);
		break;
	}
}

/* The finish of the double domain: acc[i] = the root, the log, or the log plus the
 * maximum mx[i] that the map took out (a row whose maximum is infinite gives it). */
static void reduce_finish_f(double *acc, const double *mx, int64_t n, enum red_op op)
{
	for (int64_t i = 0; i < n; i++)
		if (op == RED_L2)
			acc[i] = sqrt(acc[i]);
		else if (op == RED_LOG_SUM)
			acc[i] = log(acc[i]);
		else if (op == RED_LOG_SUM_EXP)
			acc[i] = isfinite(mx[i]) ? mx[i] + log(acc[i]) : mx[i];
}

/* The extremes of integer type dt (bool: 0 and 1). */
static void reduce_int_range(enum dtype dt, int64_t *lo, uint64_t *hi)
{
	switch (dt) {
	case DT_INT8: *lo = INT8_MIN; *hi = INT8_MAX; break;
	case DT_INT32: *lo = INT32_MIN; *hi = INT32_MAX; break;
	case DT_INT64: *lo = INT64_MIN; *hi = INT64_MAX; break;
	case DT_BOOL: *lo = 0; *hi = 1; break;
	case DT_UINT8: *lo = 0; *hi = UINT8_MAX; break;
	case DT_UINT32: *lo = 0; *hi = UINT32_MAX; break;
	default: *lo = 0; *hi = UINT64_MAX; break;
	}
}

static int reduce_run(struct node *n, struct exec *x)
{
	const struct reduce_params *p = n->params;
	const struct tensor *in = n->inputs[0];
	struct tensor *out = n->outputs[0];
	int64_t m = p->out_numel, lo;
	uint64_t hi;

	if (p->copy) {
		if (in->nbytes)
			memcpy(out->data, in->data, in->nbytes);
		return GRT_OK;
	}
	if (!m)
		return GRT_OK;
	if (p->op == RED_SUM || p->op == RED_MEAN) {
		reduce_sum_run(p, in, out, x->scratch);
		return GRT_OK;
	}
	if (p->dom == DOM_F) {
		double *acc = x->scratch, *mx = NULL;
		if (p->op == RED_LOG_SUM_EXP) {
			mx = acc + m;
			init_f(mx, m, RED_MAX, -INFINITY, INFINITY);
			walk_f(mx, NULL, in->data, in->dtype, p, RED_MAX);
		}
		init_f(acc, m, p->op, -INFINITY, INFINITY);
		walk_f(acc, mx, in->data, in->dtype, p, p->op);
		reduce_finish_f(acc, mx, m, p->op);
		store_f(out->data, out->dtype, 0, acc, m);
		return GRT_OK;
	}
	reduce_int_range(in->dtype, &lo, &hi);
	if (p->dom == DOM_I) {
		init_i(x->scratch, m, p->op, lo, (int64_t)hi);
		walk_i(x->scratch, NULL, in->data, in->dtype, p, p->op);
		store_i(out->data, out->dtype, 0, x->scratch, m);
	} else {
		init_u(x->scratch, m, p->op, (uint64_t)lo, hi);
		walk_u(x->scratch, NULL, in->data, in->dtype, p, p->op);
		store_u(out->data, out->dtype, 0, x->scratch, m);
	}
	return GRT_OK;
}

/* ---- ArgMax, ArgMin (opsets 1, 11: negative axis, 12: select_last_index, 13: bfloat16) */

struct arg_params {
	int64_t outer, n_axis, inner;   /* input seen as [outer][n_axis][inner] */
	int is_max;                     /* ArgMax; else ArgMin */
	int last_index;                 /* select_last_index: the last of equal extremes */
	enum red_dom dom;               /* the type values are compared in */
};

static int arg_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_INT8, DT_INT16, DT_INT32,
		DT_INT64, DT_UINT8, DT_UINT16, DT_UINT32, DT_UINT64, DT_UNDEFINED,
	};
	const struct tensor *in;
	struct tensor *out = op_output(n, 0);
	struct arg_params *p;
	int64_t axis, keepdims, last, dims[MAX_DIMS];
	int a, nd = 0, rc;

	if ((rc = op_check_arity(n, x, 1, 1, 1, 1)) || (rc = op_check_dtype(n, x, 0, types)) ||
	    (rc = attr_int(n, x, "axis", 0, &axis)) ||
	    (rc = attr_int(n, x, "keepdims", 1, &keepdims)) ||
	    (rc = attr_int(n, x, "select_last_index", 0, &last)))
		return rc;
	in = n->inputs[0];
	if (in->dtype == DT_BFLOAT16 && n->opset < 13)
		return op_fail(n, x, GRT_E_DTYPE, "bfloat16 input needs opset 13");
	if (in->ndim < 1)
		return op_fail(n, x, GRT_E_SHAPE, "input must have rank >= 1");
	if ((rc = op_axis(n, x, axis, in->ndim, &a)))
		return rc;
	if (!(p = reduce_params(n, x, sizeof(*p), &rc)))
		return rc;
	p->outer = shape_numel(a, in->dims);
	p->n_axis = in->dims[a];
	p->inner = shape_numel(in->ndim - a - 1, in->dims + a + 1);
	p->is_max = !strcmp(n->op->op_type, "ArgMax");
	p->last_index = last != 0;
	p->dom = dtype_is_float(in->dtype) ? DOM_F :
	         in->dtype == DT_UINT8 || in->dtype == DT_UINT16 || in->dtype == DT_UINT32 ||
	         in->dtype == DT_UINT64 ? DOM_U : DOM_I;
	if (p->n_axis == 0 && p->outer * p->inner > 0)
		return op_fail(n, x, GRT_E_SHAPE, "axis %d has no elements to choose from", a);
	for (int d = 0; d < in->ndim; d++)
		if (d != a || keepdims)
			dims[nd++] = d == a ? 1 : in->dims[d];
	if ((rc = tensor_set_shape(out, DT_INT64, nd, dims)))
		return op_fail(n, x, rc, "output shape too large");
	return GRT_OK;
}

static int arg_run(struct node *n, struct exec *x)
{
	const struct arg_params *p = n->params;
	const struct tensor *in = n->inputs[0];
	int64_t *out = n->outputs[0]->data;

	(void)x;
	if (p->n_axis == 0)
		return GRT_OK;
	if (p->dom == DOM_F)
		arg_f(out, in->data, in->dtype, p->outer, p->n_axis, p->inner, p->is_max,
		      p->last_index);
	else if (p->dom == DOM_I)
		arg_i(out, in->data, in->dtype, p->outer, p->n_axis, p->inner, p->is_max,
		      p->last_index);
	else
		arg_u(out, in->data, in->dtype, p->outer, p->n_axis, p->inner, p->is_max,
		      p->last_index);
	return GRT_OK;
}

const struct op_def op_arg_max = { "ArgMax", 1, OPSET_LATEST, arg_prepare, arg_run, 0, NULL };
const struct op_def op_arg_min = { "ArgMin", 1, OPSET_LATEST, arg_prepare, arg_run, 0, NULL };

/* ---- CumSum (opsets 11, 14: float16 and bfloat16); axis is an input, read by run() */

struct cumsum_params {
	int exclusive, reverse;
	enum red_dom dom;               /* the type of the running sums */
};

static int cumsum_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_INT32, DT_INT64, DT_UINT32,
		DT_UINT64, DT_UNDEFINED,
	};
	static const enum dtype ind[] = { DT_INT64, DT_INT32, DT_UNDEFINED };
	const struct tensor *in, *ax;
	struct tensor *out = op_output(n, 0);
	struct cumsum_params *p;
	int64_t exclusive, reverse;
	int rc;

	if ((rc = op_check_arity(n, x, 2, 2, 1, 1)) || (rc = op_check_dtype(n, x, 0, types)) ||
	    (rc = op_check_dtype(n, x, 1, ind)) ||
	    (rc = attr_int(n, x, "exclusive", 0, &exclusive)) ||
	    (rc = attr_int(n, x, "reverse", 0, &reverse)))
		return rc;
	in = n->inputs[0];
	ax = n->inputs[1];
	if ((in->dtype == DT_FLOAT16 || in->dtype == DT_BFLOAT16) && n->opset < 14)
		return op_fail(n, x, GRT_E_DTYPE, "%s input needs opset 14",
		               dtype_name(in->dtype));
	if (ax->ndim > 1 || ax->numel != 1)
		return op_fail(n, x, GRT_E_SHAPE, "axis (input 1) must hold one value, has %lld",
		               (long long)ax->numel);
	if (in->ndim < 1)
		return op_fail(n, x, GRT_E_SHAPE, "input must have rank >= 1");
	if (!(p = reduce_params(n, x, sizeof(*p), &rc)))
		return rc;
	p->exclusive = exclusive != 0;
	p->reverse = reverse != 0;
	p->dom = dtype_is_float(in->dtype) ? DOM_F :
	         in->dtype == DT_UINT32 || in->dtype == DT_UINT64 ? DOM_U : DOM_I;
	if ((rc = tensor_set_shape(out, in->dtype, in->ndim, in->dims)))
		return op_fail(n, x, rc, "output shape too large");
	return GRT_OK;
}

static int cumsum_run(struct node *n, struct exec *x)
{
	const struct cumsum_params *p = n->params;
	const struct tensor *in = n->inputs[0];
	struct tensor *out = n->outputs[0];
	int64_t axis, outer, inner;
	int a, rc;

	tensor_read_ints(n->inputs[1], &axis, 1);
	if ((rc = op_axis(n, x, axis, in->ndim, &a)))
		return rc;
	outer = shape_numel(a, in->dims);
	inner = shape_numel(in->ndim - a - 1, in->dims + a + 1);
	if (p->dom == DOM_F)
		scan_f(out->data, in->data, in->dtype, outer, in->dims[a], inner, p->exclusive,
		       p->reverse);
	else if (p->dom == DOM_I)
		scan_i(out->data, in->data, in->dtype, outer, in->dims[a], inner, p->exclusive,
		       p->reverse);
	else
		scan_u(out->data, in->data, in->dtype, outer, in->dims[a], inner, p->exclusive,
		       p->reverse);
	return GRT_OK;
}

const struct op_def op_cumsum = {
	"CumSum", 11, OPSET_LATEST, cumsum_prepare, cumsum_run, 0, NULL };

/* axes: an attribute (_1), an input (_18; ReduceSum from opset 13) */
const struct op_def op_reduce_l1_1 = {
	"ReduceL1", 1, 17, reduce_axes_attr_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_l1_18 = {
	"ReduceL1", 18, OPSET_LATEST, reduce_axes_input_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_l2_1 = {
	"ReduceL2", 1, 17, reduce_axes_attr_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_l2_18 = {
	"ReduceL2", 18, OPSET_LATEST, reduce_axes_input_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_log_sum_1 = {
	"ReduceLogSum", 1, 17, reduce_axes_attr_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_log_sum_18 = {
	"ReduceLogSum", 18, OPSET_LATEST, reduce_axes_input_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_log_sum_exp_1 = {
	"ReduceLogSumExp", 1, 17, reduce_axes_attr_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_log_sum_exp_18 = {
	"ReduceLogSumExp", 18, OPSET_LATEST, reduce_axes_input_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_max_1 = {
	"ReduceMax", 1, 17, reduce_axes_attr_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_max_18 = {
	"ReduceMax", 18, OPSET_LATEST, reduce_axes_input_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_mean_1 = {
	"ReduceMean", 1, 17, reduce_axes_attr_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_mean_18 = {
	"ReduceMean", 18, OPSET_LATEST, reduce_axes_input_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_min_1 = {
	"ReduceMin", 1, 17, reduce_axes_attr_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_min_18 = {
	"ReduceMin", 18, OPSET_LATEST, reduce_axes_input_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_prod_1 = {
	"ReduceProd", 1, 17, reduce_axes_attr_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_prod_18 = {
	"ReduceProd", 18, OPSET_LATEST, reduce_axes_input_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_sum_1 = {
	"ReduceSum", 1, 12, reduce_axes_attr_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_sum_13 = {
	"ReduceSum", 13, OPSET_LATEST, reduce_axes_input_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_sum_square_1 = {
	"ReduceSumSquare", 1, 17, reduce_axes_attr_prepare, reduce_run, 0, NULL };
const struct op_def op_reduce_sum_square_18 = {
	"ReduceSumSquare", 18, OPSET_LATEST, reduce_axes_input_prepare, reduce_run, 0, NULL };
