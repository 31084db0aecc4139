/* pool.c - the pools: MaxPool (https://onnx.ai/onnx/operators/onnx__MaxPool.html,
 * opsets 1+: Indices and storage_order from 8, ceil_mode and dilations from 10, int8
 * and uint8 from 12), AveragePool (1+: count_include_pad from 7, ceil_mode from 10,
 * dilations from 19), LpPool (1+: p an int from 2, ceil_mode and dilations from 18)
 * and GlobalMaxPool, GlobalAveragePool, GlobalLpPool (1+). Each output folds the taps
 * of its window that land inside X (pads are never read); the geometry is Conv's
 * (ops/nn/window.h). float and double run directly, the other types through float
 * copies in scratch. MaxUnpool (9+), at the end, scatters X back by MaxPool's Indices. */
#include <float.h>
#include <math.h>
#include <string.h>
#include "ops/nn/window.h"

#define SP 3              /* spatial rank the kernel sees: rank 1 and 2 get leading 1s */

enum pool_kind { POOL_MAX, POOL_AVG, POOL_LP };

struct pool_params {
	enum pool_kind kind;
	enum dtype dtype;
	int64_t planes;                 /* N * C */
	int64_t in[SP], out[SP];        /* spatial dims of X and Y */
	int64_t stride[SP], dil[SP];
	int64_t pad[SP];                /* begin pads */
	int64_t in_size, out_size;      /* elements of one plane of X, Y */
	int64_t *lo[SP], *hi[SP];       /* [out[a]]: taps [lo, hi) of output j's window on
	                                 * axis a that land inside X */
	int64_t *cnt[SP];               /* [out[a]]: taps inside X or its pads
	                                 * (count_include_pad) */
	int include_pad;                /* AveragePool: divide by cnt, not by hi - lo */
	double p;                       /* LpPool's norm */
	int col_major;                  /* MaxPool storage_order 1 */
	int max2x2;                     /* float MaxPool, 2 x 2 window, stride 2, no pads,
	                                 * no Indices: the fast path */
	int global;                     /* the Global pools: one value per plane */
	int64_t k2;                     /* kernel size on the last axis */
	int64_t *tlo, *thi;             /* [k2]: outputs [tlo, thi) whose tap t on the last
	                                 * axis lands inside X */
	int64_t r_elems;                /* scratch elements of the separable form */
	double *div2;                   /* [out[2]]: AveragePool's divisor along the last
	                                 * axis (cnt or hi - lo), as a double */
};

#define KN(name) name##_f32
#define T float
#define TLOW (-FLT_MAX)
#include "ops/nn/pool_kernel.h"
#define KN(name) name##_f64
#define T double
#define TLOW (-DBL_MAX)
#include "ops/nn/pool_kernel.h"

/* The taps of each output's window on one axis: output j's window starts at
 * j * s - pad; tap t reads start + t * d, inside X when in [0, in), inside the
 * padded input when in [-pad, in + pad_end). */
static void pool_taps(int64_t out, int64_t in, int64_t k, int64_t s, int64_t d, int64_t pad,
                      int64_t pad_end, int64_t *lo, int64_t *hi, int64_t *cnt)
{
	for (int64_t j = 0; j < out; j++) {
		int64_t start = j * s - pad;
		int64_t a = start < 0 ? (-start + d - 1) / d : 0;
		int64_t b = window_floor_div(in - 1 - start, d) + 1;
		int64_t c = window_floor_div(in + pad_end - 1 - start, d) + 1;

		b = b > k ? k : b;
		lo[j] = a;
		hi[j] = b < a ? a : b;
		cnt[j] = c > k ? k : c < 0 ? 0 : c;
	}
}

static int pool_attrs(struct node *n, struct exec *x, struct pool_params *p, int *ceil_mode)
{
	int64_t v;
	int rc;

	rc = attr_int(n, x, "ceil_mode", 0, &v);
	*ceil_mode = v != 0;
	if (!rc && p->kind == POOL_MAX) {
		rc = attr_int(n, x, "storage_order", 0, &v);
		if (!rc && v != 0 && v != 1)
			rc = op_fail(n, x, GRT_E_ATTR, "attribute 'storage_order' = %lld, must be 0 "
			             "or 1", (long long)v);
		p->col_major = v == 1;
	}
	if (!rc && p->kind == POOL_AVG) {
		rc = attr_int(n, x, "count_include_pad", 0, &v);
		p->include_pad = v != 0;
	}
	return rc;
}

/* LpPool's p: a float at opset 1, an int from opset 2 (default 2). */
static int pool_lp_norm(struct node *n, struct exec *x, struct pool_params *p)
{
	const struct attr *a = node_attr(n, "p");
	int64_t v;
	float f;
	int rc;

	if (a && a->type == ATTR_FLOAT) {
		rc = attr_float(n, x, "p", 2.0f, &f);
		p->p = f;
	} else {
		rc = attr_int(n, x, "p", 2, &v);
		p->p = (double)v;
	}
	if (!rc && !(p->p > 0))
		rc = op_fail(n, x, GRT_E_ATTR, "attribute 'p' = %g, must be > 0", p->p);
	return rc;
}

/* Output dims of a windowed pool into ydims, its geometry into p. */
static int pool_window(struct node *n, struct exec *x, struct pool_params *p, int nsp,
                       int64_t *k, int64_t *pad_end, int64_t *ydims)
{
	const struct tensor *X = n->inputs[0];
	struct window_attrs wa;
	int ceil_mode, rc;

	rc = window_attrs(n, x, nsp, &wa);
	if (!rc)
		rc = pool_attrs(n, x, p, &ceil_mode);
	if (rc)
		return rc;
	if (!wa.has_k)
		return op_fail(n, x, GRT_E_ATTR, "attribute 'kernel_shape' is required");
	for (int a = 0; a < nsp; a++) {
		int s = SP - nsp + a;

		rc = window_axis(n, x, a, nsp, &wa, ceil_mode, X->dims[2 + a], &ydims[2 + a],
		                 &p->pad[s]);
		if (rc)
			return rc;
		k[s] = wa.k[a];
		p->stride[s] = wa.stride[a];
		p->dil[s] = wa.dil[a];
		if (wa.ap == PAD_NOTSET) {
			pad_end[s] = wa.pads[a + nsp];
		} else if (wa.ap != PAD_VALID) {   /* what SAME adds at the end */
			pad_end[s] = (ydims[2 + a] - 1) * wa.stride[a] +
			             (wa.k[a] - 1) * wa.dil[a] + 1 - X->dims[2 + a] - p->pad[s];
			pad_end[s] = pad_end[s] < 0 ? 0 : pad_end[s];
		}
	}
	return GRT_OK;
}

static int pool_prepare(struct node *n, struct exec *x, enum pool_kind kind, int global)
{
	static const enum dtype float_types[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_UNDEFINED,
	};
	static const enum dtype max_types[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_INT8, DT_UINT8, DT_UNDEFINED,
	};
	struct tensor *X, *I;
	struct pool_params *p;
	int64_t ydims[MAX_DIMS], k[SP], pad_end[SP];
	int nsp, rc, with_ind = kind == POOL_MAX && !global && n->opset >= 8;

	rc = op_check_arity(n, x, 1, 1, 1, with_ind ? 2 : 1);
	if (!rc)
		rc = op_check_dtype(n, x, 0, kind == POOL_MAX && n->opset >= 12 ? max_types
		                                                                 : float_types);
	if (rc)
		return rc;
	X = n->inputs[0];
	I = op_output(n, 1);
	rc = window_rank(n, x, X, SP);
	if (rc)
		return rc;
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output Y is empty");
	nsp = X->ndim - 2;
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	p->kind = kind;
	p->dtype = X->dtype;
	for (int s = 0; s < SP; s++) {
		p->in[s] = k[s] = p->stride[s] = p->dil[s] = 1;
		p->pad[s] = pad_end[s] = 0;
	}
	if (kind == POOL_LP) {
		rc = pool_lp_norm(n, x, p);
		if (rc)
			return rc;
	}
	ydims[0] = X->dims[0];
	ydims[1] = X->dims[1];
	if (global)
		for (int a = 0; a < nsp; a++) {
			k[SP - nsp + a] = X->dims[2 + a];
			ydims[2 + a] = 1;
		}
	else if ((rc = pool_window(n, x, p, nsp, k, pad_end, ydims)))
		return rc;
	rc = tensor_set_shape(n->outputs[0], X->dtype, X->ndim, ydims);
	if (!rc && I)
		rc = tensor_set_shape(I, DT_INT64, X->ndim, ydims);
	if (rc)
		return op_fail(n, x, rc, "output shape is too large");

	p->planes = X->dims[0] * X->dims[1];
	p->in_size = p->out_size = 1;
	for (int s = 0; s < SP; s++) {
		if (s >= SP - nsp) {
			p->in[s] = X->dims[2 + s - (SP - nsp)];
			p->out[s] = ydims[2 + s - (SP - nsp)];
		} else {
			p->out[s] = 1;
		}
		p->in_size *= p->in[s];
		p->out_size *= p->out[s];
		p->lo[s] = plan_alloc(x, 3 * (size_t)p->out[s] * sizeof(int64_t));
		if (!p->lo[s])
			return GRT_E_NOMEM;
		p->hi[s] = p->lo[s] + p->out[s];
		p->cnt[s] = p->hi[s] + p->out[s];
		pool_taps(p->out[s], p->in[s], k[s], p->stride[s], p->dil[s], p->pad[s], pad_end[s],
		          p->lo[s], p->hi[s], p->cnt[s]);
	}
	p->global = global;
	p->div2 = plan_alloc(x, (size_t)p->out[2] * sizeof(double));
	if (!p->div2)
		return GRT_E_NOMEM;
	for (int64_t j = 0; j < p->out[2]; j++)
		p->div2[j] = (double)(p->include_pad ? p->cnt[2][j] : p->hi[2][j] - p->lo[2][j]);
	p->k2 = k[SP - 1];
	p->tlo = plan_alloc(x, 2 * (size_t)p->k2 * sizeof(int64_t));
	if (!p->tlo)
		return GRT_E_NOMEM;
	p->thi = p->tlo + p->k2;
	for (int64_t t = 0; t < p->k2; t++)
		window_tap_range(p->out[2], p->in[2], p->stride[2], t * p->dil[2] - p->pad[2],
		                 &p->tlo[t], &p->thi[t]);
	p->max2x2 = kind == POOL_MAX && X->dtype == DT_FLOAT && !I && nsp == 2 &&
	            k[1] == 2 && k[2] == 2 && p->stride[1] == 2 && p->stride[2] == 2 &&
	            p->dil[1] == 1 && p->dil[2] == 1 && p->pad[1] == 0 && p->pad[2] == 0 &&
	            p->out[1] * 2 <= p->in[1] && p->out[2] * 2 <= p->in[2];
	p->r_elems = I || global || p->max2x2 ? 0 : p->in[0] * p->in[1] * p->out[2];
	n->scratch_bytes = (size_t)p->r_elems * (X->dtype == DT_DOUBLE ? sizeof(double)
	                                                                : sizeof(float));
	if (X->dtype != DT_FLOAT && X->dtype != DT_DOUBLE)
		n->scratch_bytes += (size_t)(p->planes * (p->in_size + p->out_size)) *
		                    sizeof(float);
	n->params = p;
	return GRT_OK;
}

/* float MaxPool 2 x 2, stride 2, no pads: y [out[1]][out[2]] of each plane from pairs of
 * rows of x [in[1]][in[2]]; v > m ? v : m as in the general kernel (NaN is skipped). */
static void max2x2_f32(const struct pool_params *p, const float *x, float *y)
{
	const int64_t w = p->in[2], ow = p->out[2];

	for (int64_t c = 0; c < p->planes; c++)
		for (int64_t j = 0; j < p->out[1]; j++) {
			const float *r0 = x + c * p->in_size + 2 * j * w, *r1 = r0 + w;
			float *yr = y + c * p->out_size + j * ow;

			for (int64_t i = 0; i < ow; i++) {
				float m = -FLT_MAX;

				m = r0[2 * i] > m ? r0[2 * i] : m;
				m = r0[2 * i + 1] > m ? r0[2 * i + 1] : m;
				m = r1[2 * i] > m ? r1[2 * i] : m;
				m = r1[2 * i + 1] > m ? r1[2 * i + 1] : m;
				yr[i] = m;
			}
		}
}

/* The other element types: X into float scratch, the float kernel, Y back. */
static void pool_run_converted(const struct pool_params *p, const struct tensor *X,
                               struct tensor *Y, int64_t *ind, float *xs)
{
	float *ys = xs + X->numel;

	for (int64_t i = 0; i < X->numel; i++)
		xs[i] = (float)elem_as_double(X->dtype, X->data, i);
	if (p->global)
		global_f32(p, xs, ys);
	else
		run_f32(p, xs, ys, ind, ys + Y->numel);
	for (int64_t i = 0; i < Y->numel; i++) {
		switch (Y->dtype) {
		case DT_FLOAT16: ((uint16_t *)Y->data)[i] = float_to_half(ys[i]); break;
		case DT_BFLOAT16: ((uint16_t *)Y->data)[i] = float_to_bf16(ys[i]); break;
		case DT_INT8: ((int8_t *)Y->data)[i] = (int8_t)ys[i]; break;
		case DT_UINT8: ((uint8_t *)Y->data)[i] = (uint8_t)ys[i]; break;
		default: break;
		}
	}
}

static int pool_run(struct node *n, struct exec *x)
{
	const struct pool_params *p = n->params;
	const struct tensor *X = n->inputs[0];
	struct tensor *Y = n->outputs[0], *I = op_output(n, 1);
	int64_t *ind = I ? I->data : NULL;

	if (!Y->numel)
		return GRT_OK;
	if (p->max2x2)
		max2x2_f32(p, X->data, Y->data);
	else if (X->dtype == DT_FLOAT && p->global)
		global_f32(p, X->data, Y->data);
	else if (X->dtype == DT_FLOAT)
		run_f32(p, X->data, Y->data, ind, x->scratch);
	else if (X->dtype == DT_DOUBLE && p->global)
		global_f64(p, X->data, Y->data);
	else if (X->dtype == DT_DOUBLE)
		run_f64(p, X->data, Y->data, ind, x->scratch);
	else
		pool_run_converted(p, X, Y, ind, x->scratch);
	return GRT_OK;
}

/* One prepare for the six ops: the kind and whether the window is global come from
 * the op_type ("MaxPool", "GlobalAveragePool", ...). */
static int pool_prepare_any(struct node *n, struct exec *x)
{
	const char *t = n->op->op_type;
	int global = !strncmp(t, "Global", 6);

	t += global ? 6 : 0;
	return pool_prepare(n, x, t[0] == 'M' ? POOL_MAX : t[0] == 'A' ? POOL_AVG : POOL_LP,
	                    global);
}

/* --- MaxUnpool: X scattered by MaxPool's Indices I (flat over the inferred shape
 * (in - 1) * stride + kernel - pads) into zeros of that shape; an output_shape input
 * (no smaller on any axis) embeds it at the origin, as the ONNX reference (ONNX Runtime
 * instead reads I as flat over output_shape, and fails the suite's test). */

struct unpool_params {
	int ndim;
	int64_t inferred[MAX_DIMS];     /* the shape I indexes */
	int64_t inferred_numel;
	int embed;                      /* output_shape differs: indices are re-ravelled */
};

static int max_unpool_shape(struct node *n, struct exec *x, const struct window_attrs *wa,
                            struct unpool_params *p, int64_t *ydims)
{
	const struct tensor *X = n->inputs[0], *shape = op_input(n, 2);
	int nsp = X->ndim - 2, rc;

	p->ndim = X->ndim;
	p->inferred[0] = X->dims[0];
	p->inferred[1] = X->dims[1];
	for (int a = 0; a < nsp; a++) {
		int64_t pads = wa->pads[a] + wa->pads[a + nsp];
		p->inferred[2 + a] = (X->dims[2 + a] - 1) * wa->stride[a] + wa->k[a] - pads;
		if (p->inferred[2 + a] < 0)
			return op_fail(n, x, GRT_E_SHAPE, "spatial axis %d: pads %lld exceed the "
			               "unpooled size", a, (long long)pads);
	}
	p->inferred_numel = shape_numel(X->ndim, p->inferred);
	memcpy(ydims, p->inferred, sizeof(p->inferred));
	if (!shape)
		return GRT_OK;
	if (shape->ndim != 1 || shape->dims[0] != X->ndim)
		return op_fail(n, x, GRT_E_SHAPE, "output_shape '%s' must hold %d values",
		               shape->name, X->ndim);
	if (!op_const_input(n, x, 2))
		return op_dynamic(n, x, 2, "output_shape");
	if ((rc = tensor_read_ints(shape, ydims, MAX_DIMS)))
		return op_fail(n, x, rc, "output_shape '%s' is not int64", shape->name);
	for (int a = 0; a < X->ndim; a++) {
		if (ydims[a] < p->inferred[a])
			return op_fail(n, x, GRT_E_SHAPE, "output_shape[%d] = %lld is smaller than "
			               "the unpooled size %lld", a, (long long)ydims[a],
			               (long long)p->inferred[a]);
		p->embed |= ydims[a] != p->inferred[a];
	}
	return GRT_OK;
}

static int max_unpool_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_UNDEFINED,
	};
	static const enum dtype ind_type[] = { DT_INT64, DT_UNDEFINED };
	const struct tensor *X, *I;
	struct window_attrs wa;
	struct unpool_params *p;
	int64_t ydims[MAX_DIMS];
	int rc;

	if ((rc = op_check_arity(n, x, 2, 3, 1, 1)) || (rc = op_check_dtype(n, x, 0, types)) ||
	    (rc = op_check_dtype(n, x, 1, ind_type)))
		return rc;
	X = n->inputs[0];
	I = n->inputs[1];
	if ((rc = window_rank(n, x, X, MAX_DIMS - 2)) ||
	    (rc = window_attrs(n, x, X->ndim - 2, &wa)))
		return rc;
	if (!wa.has_k)
		return op_fail(n, x, GRT_E_ATTR, "attribute 'kernel_shape' is required");
	if (I->ndim != X->ndim || memcmp(I->dims, X->dims, (size_t)X->ndim * sizeof(int64_t)))
		return op_fail(n, x, GRT_E_SHAPE, "indices '%s' must have X's shape", I->name);
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	n->params = p;
	if ((rc = max_unpool_shape(n, x, &wa, p, ydims)))
		return rc;
	if ((rc = tensor_set_shape(n->outputs[0], X->dtype, X->ndim, ydims)))
		return op_fail(n, x, rc, "output shape too large");
	return GRT_OK;
}

static int max_unpool_run(struct node *n, struct exec *x)
{
	const struct unpool_params *p = n->params;
	const struct tensor *X = n->inputs[0];
	const int64_t *ind = n->inputs[1]->data;
	struct tensor *Y = n->outputs[0];
	const size_t es = dtype_size(X->dtype);

	memset(Y->data, 0, Y->nbytes);
	for (int64_t i = 0; i < X->numel; i++) {
		int64_t at = ind[i], rest = ind[i], stride = 1;
		if (at < 0 || at >= p->inferred_numel)
			return op_fail(n, x, GRT_E_INDEX, "index %lld at %lld is outside [0, %lld)",
			               (long long)at, (long long)i, (long long)p->inferred_numel);
		if (p->embed) {         /* the same coordinates in Y's larger shape */
			at = 0;
			for (int a = p->ndim - 1; a >= 0; a--) {
				at += rest % p->inferred[a] * stride;
				rest /= p->inferred[a];
				stride *= Y->dims[a];
			}
		}
		memcpy((char *)Y->data + (size_t)at * es, (const char *)X->data + (size_t)i * es,
		       es);
	}
	return GRT_OK;
}

const struct op_def op_average_pool = {
	"AveragePool", 1, OPSET_LATEST, pool_prepare_any, pool_run, 0, NULL };
const struct op_def op_global_average_pool = {
	"GlobalAveragePool", 1, OPSET_LATEST, pool_prepare_any, pool_run, 0, NULL };
const struct op_def op_global_lp_pool = {
	"GlobalLpPool", 1, OPSET_LATEST, pool_prepare_any, pool_run, 0, NULL };
const struct op_def op_global_max_pool = {
	"GlobalMaxPool", 1, OPSET_LATEST, pool_prepare_any, pool_run, 0, NULL };
const struct op_def op_lp_pool = {
	"LpPool", 1, OPSET_LATEST, pool_prepare_any, pool_run, 0, NULL };
const struct op_def op_max_pool = {
	"MaxPool", 1, OPSET_LATEST, pool_prepare_any, pool_run, 0, NULL };
/* MaxUnpool 11 adds the output_shape input's type rules only; 22 bfloat16 */
const struct op_def op_max_unpool = {
	"MaxUnpool", 9, OPSET_LATEST, max_unpool_prepare, max_unpool_run, OP_MOVES_DATA, NULL };
