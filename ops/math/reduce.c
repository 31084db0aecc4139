/* reduce.c - ReduceMean (https://onnx.ai/onnx/operators/onnx__ReduceMean.html),
 * opsets 1-17 (axes attribute) and 18+ (axes input, noop_with_empty_axes).
 * prepare merges the axes into alternating kept/reduced groups; run() walks the
 * input once, row by row, summing into one double (64-bit integer for integer
 * types) accumulator per output element, then divides by the reduced count.
 * float16 and bfloat16 go through the float kernel (ops/half.h). */
#include <stdint.h>
#include <string.h>
#include "ops/op.h"
#include "ops/half.h"

struct reduce_params {
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

static inline float ld_f32(float v) { return v; }
static inline double ld_f64(double v) { return v; }
static inline int64_t ld_i32(int32_t v) { return v; }
static inline int64_t ld_i64(int64_t v) { return v; }
static inline uint64_t ld_u32(uint32_t v) { return v; }
static inline uint64_t ld_u64(uint64_t v) { return v; }
static inline float st_f32(double v) { return (float)v; }
static inline double st_f64(double v) { return v; }

/* The mean's kernels per type (ops/math/reduce_mean.h): sum_T (with sum_row_T and
 * sum_add_T), then div_T, whose QUOT is the float quotient rounded to T (NaN when
 * nothing was reduced) or the integer quotient truncated toward zero (as numpy's
 * mean cast back; 0 when nothing was reduced). */
#define KN(name) name##_f32
#define T float
#define B float
#define A double
#define LOAD ld_f32
#define QUOT(v, c) st_f32((v) / (c))
#include "ops/math/reduce_mean.h"
#define KN(name) name##_f64
#define T double
#define B double
#define A double
#define LOAD ld_f64
#define QUOT(v, c) st_f64((v) / (c))
#include "ops/math/reduce_mean.h"
#define KN(name) name##_i32
#define T int32_t
#define B int64_t
#define A int64_t
#define LOAD ld_i32
#define QUOT(v, c) ((c) ? (T)((v) / (c)) : 0)
#include "ops/math/reduce_mean.h"
#define KN(name) name##_i64
#define T int64_t
#define B int64_t
#define A int64_t
#define LOAD ld_i64
#define QUOT(v, c) ((c) ? (T)((v) / (c)) : 0)
#include "ops/math/reduce_mean.h"
#define KN(name) name##_u32
#define T uint32_t
#define B uint64_t
#define A uint64_t
#define LOAD ld_u32
#define QUOT(v, c) ((c) ? (T)((v) / (c)) : 0)
#include "ops/math/reduce_mean.h"
#define KN(name) name##_u64
#define T uint64_t
#define B uint64_t
#define A uint64_t
#define LOAD ld_u64
#define QUOT(v, c) ((c) ? (T)((v) / (c)) : 0)
#include "ops/math/reduce_mean.h"

/* Resolves the axes (NULL with n_axes < 0: all axes), checks range and
 * duplicates, sets the output shape and the plan. */
static int reduce_plan(struct node *n, struct exec *x, const int64_t *axes, int n_axes,
                       int keepdims, int noop)
{
	static const enum dtype types[] = {
		DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64, DT_UINT32, DT_UINT64, DT_UNDEFINED,
	};
	const struct tensor *in = n->inputs[0];
	struct tensor *out = op_output(n, 0);
	struct reduce_params *p;
	int64_t dims[MAX_DIMS], os;
	int red[MAX_DIMS] = { 0 };
	int r = in->ndim, nd = 0, rc;

	if ((rc = op_check_dtype(n, x, 0, types)))
		return rc;
	if (!out)
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	n->params = p;
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
	n->scratch_bytes = (size_t)p->out_numel * sizeof(double);
	return GRT_OK;
}

static int reduce_mean1_prepare(struct node *n, struct exec *x)
{
	const int64_t *axes;
	int64_t keepdims;
	int n_axes, rc;

	if ((rc = op_check_arity(n, x, 1, 1, 1, 1)) ||
	    (rc = attr_ints(n, x, "axes", &axes, &n_axes)) ||
	    (rc = attr_int(n, x, "keepdims", 1, &keepdims)))
		return rc;
	if (half_wanted(n))     /* the float kernel on a widened copy (ops/half.h) */
		return half_prepare(n, x, reduce_mean1_prepare);
	/* an empty axes list reduces all axes, as an absent one does */
	return reduce_plan(n, x, axes, n_axes, keepdims != 0, 0);
}

static int reduce_mean18_prepare(struct node *n, struct exec *x)
{
	static const enum dtype ind[] = { DT_INT64, DT_INT32, DT_UNDEFINED };
	const struct tensor *t;
	int64_t keepdims, noop, axes[MAX_DIMS];
	int n_axes = -1, rc;

	if ((rc = op_check_arity(n, x, 1, 2, 1, 1)) ||
	    (rc = attr_int(n, x, "keepdims", 1, &keepdims)) ||
	    (rc = attr_int(n, x, "noop_with_empty_axes", 0, &noop)))
		return rc;
	if (half_wanted(n))
		return half_prepare(n, x, reduce_mean18_prepare);
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

static int reduce_mean_run(struct node *n, struct exec *x)
{
	const struct reduce_params *p = n->params;
	const struct tensor *in = n->inputs[0];
	struct tensor *out = n->outputs[0];
	void *acc = x->scratch;
	int64_t m = p->out_numel;

	if (n->half)
		return half_run(n, x, reduce_mean_run);
	if (p->copy) {
		if (in->nbytes)
			memcpy(out->data, in->data, in->nbytes);
		return GRT_OK;
	}
	if (!m)
		return GRT_OK;
	memset(acc, 0, (size_t)m * sizeof(double));   /* 0.0 and 0 are all-zero bits */
	switch (in->dtype) {
	case DT_FLOAT:
		sum_f32(acc, in->data, p);
		div_f32(out->data, acc, m, p->count);
		break;
	case DT_DOUBLE:
		sum_f64(acc, in->data, p);
		div_f64(out->data, acc, m, p->count);
		break;
	case DT_INT32:
		sum_i32(acc, in->data, p);
		div_i32(out->data, acc, m, p->count);
		break;
	case DT_INT64:
		sum_i64(acc, in->data, p);
		div_i64(out->data, acc, m, p->count);
		break;
	case DT_UINT32:
		sum_u32(acc, in->data, p);
		div_u32(out->data, acc, m, p->count);
		break;
	case DT_UINT64:
		sum_u64(acc, in->data, p);
		div_u64(out->data, acc, m, p->count);
		break;
	default:
		return op_fail(n, x, GRT_E_DTYPE, "unsupported element type %s",
		               dtype_name(in->dtype));
	}
	return GRT_OK;
}

const struct op_def op_reduce_mean_1 = {
	"ReduceMean", 1, 17, reduce_mean1_prepare, reduce_mean_run, 0, NULL };
const struct op_def op_reduce_mean_18 = {
	"ReduceMean", 18, OPSET_LATEST, reduce_mean18_prepare, reduce_mean_run, 0, NULL };
