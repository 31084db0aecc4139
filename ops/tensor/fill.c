/* fill.c - ops that write given values in a pattern: Trilu
 * (https://onnx.ai/onnx/operators/onnx__Trilu.html, opsets 14+), EyeLike
 * (https://onnx.ai/onnx/operators/onnx__EyeLike.html, opsets 9+) and OneHot
 * (https://onnx.ai/onnx/operators/onnx__OneHot.html, opsets 9+, negative indices
 * from 11). Elements are copied as bytes; only EyeLike makes a value (one). */
#include <stdint.h>
#include <string.h>
#include "ops/op.h"

/* ----------------------------------------------------------------- Trilu */

struct trilu_params {
	int64_t mats;               /* matrices: product of the dims before the last two */
	int64_t rows, cols;         /* the last two dims */
	int64_t k;                  /* diagonal offset when input 1 is constant or absent */
	int     k_run;              /* 1: k is read from input 1 in run() */
	int     upper;              /* 1: keep j - i >= k; 0: keep j - i <= k */
	size_t  es;                 /* element size in bytes */
};

/* k clamped to [-(rows + cols), rows + cols]: the same triangle, no overflow. */
static int64_t trilu_clamp(const struct trilu_params *p, int64_t k)
{
	int64_t m = p->rows + p->cols;

	return k < -m ? -m : k > m ? m : k;
}

static int trilu_prepare(struct node *n, struct exec *x)
{
	static const enum dtype k_types[] = { DT_INT64, DT_UNDEFINED };
	const struct tensor *in, *kt;
	struct trilu_params *p;
	int64_t upper;
	int rc;

	if ((rc = op_check_arity(n, x, 1, 2, 1, 1)) ||
	    (rc = attr_int(n, x, "upper", 1, &upper)))
		return rc;
	in = n->inputs[0];
	kt = op_input(n, 1);
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (!dtype_size(in->dtype))
		return op_fail(n, x, GRT_E_DTYPE, "input has unsupported element type %s",
		               dtype_name(in->dtype));
	if (in->ndim < 2)
		return op_fail(n, x, GRT_E_SHAPE, "input must have rank >= 2, has %d", in->ndim);
	if (kt && ((rc = op_check_dtype(n, x, 1, k_types))))
		return rc;
	if (kt && kt->numel != 1)
		return op_fail(n, x, GRT_E_SHAPE, "k must be a scalar, has %lld elements",
		               (long long)kt->numel);
	if ((rc = tensor_set_shape(n->outputs[0], in->dtype, in->ndim, in->dims)))
		return op_fail(n, x, rc, "output shape too large");
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	p->rows = in->dims[in->ndim - 2];
	p->cols = in->dims[in->ndim - 1];
	p->mats = shape_numel(in->ndim - 2, in->dims);
	p->upper = upper != 0;
	p->es = dtype_size(in->dtype);
	if (kt && op_const_input(n, x, 1))
		p->k = trilu_clamp(p, *(const int64_t *)kt->data);
	else if (kt)
		p->k_run = 1;
	x->dyn = NULL;              /* a run-time k is fine */
	n->inplace = 1;             /* run() zeroes in place when out == in */
	n->params = p;
	return GRT_OK;
}

static int trilu_run(struct node *n, struct exec *x)
{
	const struct trilu_params *p = n->params;
	const char *src = n->inputs[0]->data;
	char *dst = n->outputs[0]->data;
	const size_t row = (size_t)p->cols * p->es;
	const int64_t k = p->k_run ? trilu_clamp(p, *(const int64_t *)n->inputs[1]->data) : p->k;

	(void)x;
	if (dst != src)
		memcpy(dst, src, n->inputs[0]->nbytes);
	for (int64_t m = 0; m < p->mats; m++)
		for (int64_t i = 0; i < p->rows; i++, dst += row) {
			/* zero [0, i + k) for upper, [i + k + 1, cols) for lower */
			int64_t a = p->upper ? 0 : i + k + 1, b = p->upper ? i + k : p->cols;

			a = a < 0 ? 0 : a;
			b = b > p->cols ? p->cols : b;
			if (a < b)
				memset(dst + (size_t)a * p->es, 0, (size_t)(b - a) * p->es);
		}
	return GRT_OK;
}

/* --------------------------------------------------------------- EyeLike */

struct eye_params {
	int64_t rows, cols, k;      /* output [rows, cols], ones where j = i + k */
	size_t  es;                 /* element size in bytes */
	uint8_t one[8];             /* the value one in the output type */
};

/* The bytes of one in type dt, or 0 if dt is not numeric. */
static int one_of(enum dtype dt, uint8_t *out)
{
	union { float f; double d; uint16_t h; uint8_t b; uint32_t w; uint64_t q; } v;

	switch (dt) {
	case DT_FLOAT: v.f = 1.0f; break;
	case DT_DOUBLE: v.d = 1.0; break;
	case DT_FLOAT16: v.h = float_to_half(1.0f); break;
	case DT_BFLOAT16: v.h = float_to_bf16(1.0f); break;
	case DT_BOOL: case DT_INT8: case DT_UINT8: v.b = 1; break;
	case DT_INT16: case DT_UINT16: v.h = 1; break;
	case DT_INT32: case DT_UINT32: v.w = 1; break;
	case DT_INT64: case DT_UINT64: v.q = 1; break;
	default: return 0;
	}
	memcpy(out, &v, dtype_size(dt));
	return 1;
}

static int eye_like_prepare(struct node *n, struct exec *x)
{
	const struct tensor *in;
	struct eye_params *p;
	int64_t dt, k;
	int rc;

	if ((rc = op_check_arity(n, x, 1, 1, 1, 1)))
		return rc;
	in = n->inputs[0];
	if ((rc = attr_int(n, x, "dtype", in->dtype, &dt)) || (rc = attr_int(n, x, "k", 0, &k)))
		return rc;
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (in->ndim != 2)
		return op_fail(n, x, GRT_E_SHAPE, "input must have rank 2, has %d", in->ndim);
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	if (dt < 1 || dt > DT_BFLOAT16 || !one_of((enum dtype)dt, p->one))
		return op_fail(n, x, GRT_E_DTYPE, "dtype %lld is not a supported numeric type",
		               (long long)dt);
	if ((rc = tensor_set_shape(n->outputs[0], (enum dtype)dt, 2, in->dims)))
		return op_fail(n, x, rc, "output shape too large");
	p->rows = in->dims[0];
	p->cols = in->dims[1];
	p->k = k;
	p->es = dtype_size((enum dtype)dt);
	n->params = p;
	return GRT_OK;
}

static int eye_like_run(struct node *n, struct exec *x)
{
	const struct eye_params *p = n->params;
	char *dst = n->outputs[0]->data;

	(void)x;
	memset(dst, 0, n->outputs[0]->nbytes);
	for (int64_t i = 0; i < p->rows; i++)
		if (p->k >= -i && p->k < p->cols - i)   /* j = i + k in [0, cols) */
			memcpy(dst + (size_t)(i * p->cols + i + p->k) * p->es, p->one, p->es);
	return GRT_OK;
}

/* ---------------------------------------------------------------- OneHot */

struct one_hot_params {
	int64_t outer, inner;       /* indices' elements before / after the new axis */
	int64_t depth;
	int     negative;           /* opset 11+: negative indices count from the end */
	size_t  es;                 /* element size of values and the output */
};

static int one_hot_prepare(struct node *n, struct exec *x)
{
	const struct tensor *ind, *dep, *val;
	struct one_hot_params *p;
	int64_t axis_attr, dims[MAX_DIMS];
	double depth;
	int r, axis, rc;

	if ((rc = op_check_arity(n, x, 3, 3, 1, 1)) ||
	    (rc = attr_int(n, x, "axis", -1, &axis_attr)))
		return rc;
	ind = n->inputs[0];
	dep = n->inputs[1];
	val = n->inputs[2];
	r = ind->ndim;
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (!dtype_size(ind->dtype) || !dtype_size(dep->dtype) || !dtype_size(val->dtype))
		return op_fail(n, x, GRT_E_DTYPE, "indices, depth and values must be numeric");
	if (dep->numel != 1 || dep->ndim > 1)
		return op_fail(n, x, GRT_E_SHAPE, "depth must be a scalar or of shape [1]");
	if (val->numel != 2 || val->ndim != 1)
		return op_fail(n, x, GRT_E_SHAPE, "values must be [off_value, on_value] (shape [2])");
	if (r + 1 > MAX_DIMS)
		return op_fail(n, x, GRT_E_LIMIT, "output rank %d exceeds %d", r + 1, MAX_DIMS);
	if ((rc = op_axis(n, x, axis_attr, r + 1, &axis)))
		return rc;
	if (!op_const_input(n, x, 1))
		return op_dynamic(n, x, 1, "depth");
	depth = elem_as_double(dep->dtype, dep->data, 0);
	if (!(depth >= 1 && depth < 9.0e18))
		return op_fail(n, x, GRT_E_SHAPE, "depth %g is not >= 1", depth);
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	p->depth = (int64_t)depth;
	p->negative = n->opset >= 11;
	p->outer = shape_numel(axis, ind->dims);
	p->inner = shape_numel(r - axis, ind->dims + axis);
	for (int a = 0, o = 0; a <= r; a++)
		dims[a] = a == axis ? p->depth : ind->dims[o++];
	if ((rc = tensor_set_shape(n->outputs[0], val->dtype, r + 1, dims)))
		return op_fail(n, x, rc, "output shape too large");
	p->es = dtype_size(val->dtype);
	n->params = p;
	return GRT_OK;
}

/* out[o][d][i] = values[1] where indices[o][i] (negative: from the end) is d, else
 * values[0]; an index outside [-depth, depth) leaves its column all off. */
static int one_hot_run(struct node *n, struct exec *x)
{
	const struct one_hot_params *p = n->params;
	const struct tensor *ind = n->inputs[0];
	const char *off = n->inputs[2]->data, *on = off + p->es;
	char *dst = n->outputs[0]->data;
	const int64_t numel = n->outputs[0]->numel;

	(void)x;
	for (int64_t e = 0; e < numel; e++)
		memcpy(dst + (size_t)e * p->es, off, p->es);
	for (int64_t o = 0; o < p->outer; o++)
		for (int64_t i = 0; i < p->inner; i++) {
			double v = elem_as_double(ind->dtype, ind->data, o * p->inner + i);
			int64_t d;

			if (!(v > -(double)p->depth - 1 && v < (double)p->depth))
				continue;
			d = (int64_t)v;     /* toward zero, as a cast of the index */
			if (d < (p->negative ? -p->depth : 0) || d >= p->depth)
				continue;
			d = d < 0 ? d + p->depth : d;
			memcpy(dst + (size_t)((o * p->depth + d) * p->inner + i) * p->es, on, p->es);
		}
	return GRT_OK;
}

const struct op_def op_eye_like = { "EyeLike", 9, OPSET_LATEST, eye_like_prepare, eye_like_run,
                                    OP_SHAPE_ONLY | OP_MOVES_DATA, NULL };
const struct op_def op_one_hot = { "OneHot", 9, OPSET_LATEST, one_hot_prepare, one_hot_run,
                                   OP_MOVES_DATA, NULL };
const struct op_def op_trilu = { "Trilu", 14, OPSET_LATEST, trilu_prepare, trilu_run,
                                 OP_MOVES_DATA, NULL };
