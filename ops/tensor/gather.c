/* gather.c - Gather (https://onnx.ai/onnx/operators/onnx__Gather.html, opsets 1+),
 * GatherND (https://onnx.ai/onnx/operators/onnx__GatherND.html, opsets 11+, batch_dims
 * from 12) and ScatterND (https://onnx.ai/onnx/operators/onnx__ScatterND.html, opsets 11+,
 * reduction none/add/mul from 16, max/min from 18). All three copy blocks of the
 * trailing axes; constant indices are validated and resolved in prepare. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ops/copy.h"
#include "ops/op.h"
#include "ops/tensor/gather.h"

/* ---------------------------------------------------------------- Gather */

struct gather_params {
	int64_t outer;          /* product of data dims before axis */
	int64_t axis_dim;       /* data.dims[axis] */
	int64_t inner;          /* product of data dims after axis (elements per block) */
	int64_t n_idx;          /* number of indices */
	int     axis;           /* resolved axis, for messages */
	size_t  es;             /* element size in bytes */
	const int64_t *idx;     /* [n_idx] resolved indices in [0, axis_dim) when the
	                           indices are constant; NULL: resolved into scratch */
	/* Constant indices: runs of consecutive indices, each copied as one block
	 * of run_len[r] * inner elements per outer index. */
	int64_t n_runs;
	const int64_t *run_src;  /* [n_runs] first index of the run */
	const int64_t *run_len;  /* [n_runs] indices in the run */
};

/* Groups the resolved constant indices into runs of consecutive ones. */
static int gather_runs(struct exec *x, struct gather_params *p)
{
	int64_t n_runs = 0, *src, *len;

	for (int64_t i = 0; i < p->n_idx; i++)
		if (!i || p->idx[i] != p->idx[i - 1] + 1)
			n_runs++;
	src = plan_alloc(x, (size_t)(n_runs ? n_runs : 1) * sizeof(int64_t));
	len = plan_alloc(x, (size_t)(n_runs ? n_runs : 1) * sizeof(int64_t));
	if (!src || !len)
		return GRT_E_NOMEM;
	n_runs = 0;
	for (int64_t i = 0; i < p->n_idx; i++) {
		if (!i || p->idx[i] != p->idx[i - 1] + 1) {
			src[n_runs] = p->idx[i];
			len[n_runs++] = 0;
		}
		len[n_runs - 1]++;
	}
	p->n_runs = n_runs;
	p->run_src = src;
	p->run_len = len;
	return GRT_OK;
}

/* Resolves the indices into out[] (negative ones count from the end). */
static int gather_resolve(struct node *n, struct exec *x, const struct gather_params *p,
                          const struct tensor *ind, int64_t *out)
{
	int64_t d = p->axis_dim;

	for (int64_t i = 0; i < p->n_idx; i++) {
		int64_t k = index_at(ind, i);

		if (k < -d || k >= d)
			return op_fail(n, x, GRT_E_INDEX,
			               "index %lld out of range [%lld, %lld) on axis %d",
			               (long long)k, (long long)-d, (long long)d, p->axis);
		out[i] = k < 0 ? k + d : k;
	}
	return GRT_OK;
}

static int gather_prepare(struct node *n, struct exec *x)
{
	static const enum dtype ind_types[] = { DT_INT32, DT_INT64, DT_UNDEFINED };
	const struct tensor *data, *ind;
	struct tensor *out;
	struct gather_params *p;
	int64_t dims[2 * MAX_DIMS], axis;
	int r, q, nd = 0, rc;

	if ((rc = op_check_arity(n, x, 2, 2, 1, 1)) ||
	    (rc = op_check_dtype(n, x, 1, ind_types)) ||
	    (rc = attr_int(n, x, "axis", 0, &axis)))
		return rc;
	data = n->inputs[0];
	ind = n->inputs[1];
	out = n->outputs[0];
	r = data->ndim;
	q = ind->ndim;
	if (!out)
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (!dtype_size(data->dtype))
		return op_fail(n, x, GRT_E_DTYPE, "data has unsupported element type %s",
		               dtype_name(data->dtype));
	if (r < 1)
		return op_fail(n, x, GRT_E_SHAPE, "data must have rank >= 1, is a scalar");
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	if ((rc = op_axis(n, x, axis, r, &p->axis)))
		return rc;
	p->outer = 1;
	p->inner = 1;
	for (int a = 0; a < p->axis; a++) {
		p->outer *= data->dims[a];
		dims[nd++] = data->dims[a];
	}
	for (int a = 0; a < q; a++)
		dims[nd++] = ind->dims[a];
	for (int a = p->axis + 1; a < r; a++) {
		p->inner *= data->dims[a];
		dims[nd++] = data->dims[a];
	}
	if (nd > MAX_DIMS)
		return op_fail(n, x, GRT_E_LIMIT, "output rank %d exceeds %d", nd, MAX_DIMS);
	if ((rc = tensor_set_shape(out, data->dtype, nd, dims)))
		return op_fail(n, x, rc, "output shape too large");
	p->axis_dim = data->dims[p->axis];
	p->n_idx = ind->numel;
	p->es = dtype_size(data->dtype);
	n->params = p;
	if (op_const_input(n, x, 1)) {
		int64_t *idx = plan_alloc(x, (size_t)p->n_idx * sizeof(int64_t));
		if (!idx)
			return GRT_E_NOMEM;
		if ((rc = gather_resolve(n, x, p, ind, idx)))
			return rc;
		p->idx = idx;
		if ((rc = gather_runs(x, p)))
			return rc;
		/* consecutive indices with nothing before the axis: one block */
		n->view = p->outer == 1 && p->n_idx > 0;
		for (int64_t i = 1; i < p->n_idx && n->view; i++)
			n->view = idx[i] == idx[0] + i;
		if (n->view)
			n->view_offset = (size_t)(idx[0] * p->inner) * p->es;
	} else {
		x->dyn = NULL;   /* a run-time index tensor is fine */
		n->scratch_bytes = (size_t)p->n_idx * sizeof(int64_t);
	}
	return GRT_OK;
}

/* Gather along the last axis (one element per index), elements of es bytes: a
 * constant where inlined, so that each is one load and one store. */
static inline __attribute__((always_inline)) void
gather_elems(char *restrict dst, const char *restrict src, const int64_t *idx, int64_t n_idx,
             int64_t outer, int64_t axis_dim, const size_t es)
{
	for (int64_t o = 0; o < outer; o++) {
		const char *s = src + o * axis_dim * (int64_t)es;
		char *d = dst + o * n_idx * (int64_t)es;
		for (int64_t j = 0; j < n_idx; j++)
			memcpy(d + j * (int64_t)es, s + idx[j] * (int64_t)es, es);
	}
}

static int gather_run(struct node *n, struct exec *x)
{
	const struct gather_params *p = n->params;
	const char *src = n->inputs[0]->data;
	char *dst = n->outputs[0]->data;
	const int64_t *idx = p->idx;
	size_t block = (size_t)p->inner * p->es;
	int rc;

	if (!idx) {
		int64_t *tmp = x->scratch;
		if ((rc = gather_resolve(n, x, p, n->inputs[1], tmp)))
			return rc;
		idx = tmp;
	}
	if (!n->outputs[0]->numel)
		return GRT_OK;
	if (p->run_len && (p->n_runs <= 4 || p->inner > 1 || p->n_idx >= 4 * p->n_runs)) {
		/* constant indices in runs: one block per run and outer index; a
		 * few runs are each walked over all outer indices (a strided copy),
		 * many are walked one outer index at a time */
		const size_t in_row = (size_t)p->axis_dim * block, out_row = (size_t)p->n_idx * block;
		const int64_t n_o = p->n_runs <= 4 ? p->outer : 1;
		const int64_t n_a = p->n_runs <= 4 ? 1 : p->outer;

		for (int64_t a = 0; a < n_a; a++, src += in_row, dst += out_row) {
			for (int64_t r = 0, at = 0; r < p->n_runs; at += p->run_len[r++]) {
				const size_t bytes = (size_t)p->run_len[r] * block;
				const char *s = src + (size_t)p->run_src[r] * block;
				char *d = dst + (size_t)at * block;
				copy_blocks(d, s, 1, 0, 0, n_o, (int64_t)out_row, (int64_t)in_row, bytes);
			}
		}
		return GRT_OK;
	}
	if (p->inner == 1) {
		switch (p->es) {
		case 4: gather_elems(dst, src, idx, p->n_idx, p->outer, p->axis_dim, 4); break;
		case 8: gather_elems(dst, src, idx, p->n_idx, p->outer, p->axis_dim, 8); break;
		case 2: gather_elems(dst, src, idx, p->n_idx, p->outer, p->axis_dim, 2); break;
		default: gather_elems(dst, src, idx, p->n_idx, p->outer, p->axis_dim, 1); break;
		}
		return GRT_OK;
	}
	for (int64_t o = 0; o < p->outer; o++) {
		const char *s = src + (size_t)(o * p->axis_dim) * block;

		/* consecutive indices make one copy */
		for (int64_t j = 0; j < p->n_idx;) {
			int64_t k = idx[j], len = 1;

			while (j + len < p->n_idx && idx[j + len] == k + len)
				len++;
			memcpy(dst, s + (size_t)k * block, (size_t)len * block);
			dst += (size_t)len * block;
			j += len;
		}
	}
	return GRT_OK;
}

/* ------------------------------------------------------ ScatterND, GatherND */

struct scatter_params {
	int     k;                  /* indices.dims[-1]: leading data axes addressed */
	int64_t n_upd;              /* number of index tuples (updates blocks) */
	int64_t slice;              /* elements per block: product of data.dims[k:] */
	int     first_axis;         /* data axis of a tuple's first index (GatherND's batch_dims) */
	int64_t per_batch;          /* GatherND: tuples per batch; ScatterND: n_upd */
	int64_t batch_stride;       /* GatherND: elements per batch of data; ScatterND: 0 */
	int64_t dims[MAX_DIMS];     /* [k] data.dims[first_axis + j], for the range check */
	int64_t stride[MAX_DIMS];   /* [k] element stride of data axis first_axis + j */
	enum dtype dtype;           /* of data/updates/output */
	size_t  es;                 /* element size in bytes */
	enum scatter_reduction reduction;
	const int64_t *off;         /* [n_upd] element offset of each block in the
	                               output when indices are constant; else NULL */
	/* Constant indices: runs of blocks that land next to each other in the
	 * output, each copied with one memcpy (GTCRN's cache shifts address single
	 * elements, thousands per node). */
	int64_t n_runs;
	const int64_t *run_out;     /* [n_runs] element offset in the output */
	const int64_t *run_upd;     /* [n_runs] first block of updates */
	const int64_t *run_len;     /* [n_runs] blocks in the run */
};

/* Turns each k-tuple of indices into an element offset of the output. */
static int scatter_resolve(struct node *n, struct exec *x, const struct scatter_params *p,
                           const int64_t *ind, int64_t *off)
{
	for (int64_t u = 0; u < p->n_upd; u++) {
		const int64_t *t = ind + u * p->k;
		int64_t o = p->batch_stride ? u / p->per_batch * p->batch_stride : 0;

		for (int j = 0; j < p->k; j++) {
			int64_t v = t[j], d = p->dims[j];

			if (v < -d || v >= d)
				return op_fail(n, x, GRT_E_INDEX,
				               "indices tuple %lld: index %lld out of range [%lld, %lld) "
				               "on axis %d", (long long)u, (long long)v, (long long)-d,
				               (long long)d, p->first_axis + j);
			o += (v < 0 ? v + d : v) * p->stride[j];
		}
		off[u] = o;
	}
	return GRT_OK;
}

/* The offsets of run-time indices, resolved into scratch. */
static int nd_offsets(struct node *n, struct exec *x, const int64_t **off)
{
	*off = x->scratch;
	return scatter_resolve(n, x, n->params, n->inputs[1]->data, x->scratch);
}

/* updates.shape must be indices.shape[:-1] ++ data.shape[k:]. */
static int scatter_check_updates(struct node *n, struct exec *x, int k)
{
	const struct tensor *data = n->inputs[0], *ind = n->inputs[1], *upd = n->inputs[2];
	int64_t want[2 * MAX_DIMS];
	int nw = 0, ok;
	char buf[200];
	size_t len = 0;

	for (int a = 0; a < ind->ndim - 1; a++)
		want[nw++] = ind->dims[a];
	for (int a = k; a < data->ndim; a++)
		want[nw++] = data->dims[a];
	ok = upd->ndim == nw;
	for (int a = 0; ok && a < nw; a++)
		ok = upd->dims[a] == want[a];
	if (ok)
		return GRT_OK;
	buf[0] = 0;
	for (int a = 0; a < nw && len < sizeof(buf) - 24; a++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%lld", a ? "," : "",
		                        (long long)want[a]);
	return op_fail(n, x, GRT_E_SHAPE, "updates has rank %d, expected the shape "
	               "indices.shape[:-1] ++ data.shape[%d:] = (%s)", upd->ndim, k, buf);
}

/* Groups the constant offsets into runs of adjacent blocks (of the output for
 * ScatterND, of data for GatherND). */
static int scatter_runs(struct exec *x, struct scatter_params *p)
{
	int64_t n_runs = 0, *out, *upd, *len;

	for (int64_t u = 0; u < p->n_upd; u++)
		if (!u || p->off[u] != p->off[u - 1] + p->slice)
			n_runs++;
	out = plan_alloc(x, (size_t)n_runs * sizeof(int64_t));
	upd = plan_alloc(x, (size_t)n_runs * sizeof(int64_t));
	len = plan_alloc(x, (size_t)n_runs * sizeof(int64_t));
	if (!out || !upd || !len)
		return GRT_E_NOMEM;
	n_runs = 0;
	for (int64_t u = 0; u < p->n_upd; u++) {
		if (!u || p->off[u] != p->off[u - 1] + p->slice) {
			out[n_runs] = p->off[u];
			upd[n_runs] = u;
			len[n_runs++] = 0;
		}
		len[n_runs - 1]++;
	}
	p->n_runs = n_runs;
	p->run_out = out;
	p->run_upd = upd;
	p->run_len = len;
	return GRT_OK;
}

/* The checks ScatterND and GatherND share: n_in inputs, one output, int64
 * indices (input 1), data (input 0) of a known type, both of rank >= 1. */
static int nd_inputs(struct node *n, struct exec *x, int n_in)
{
	static const enum dtype ind_types[] = { DT_INT64, DT_UNDEFINED };
	const struct tensor *data, *ind;
	int rc;

	if ((rc = op_check_arity(n, x, n_in, n_in, 1, 1)) ||
	    (rc = op_check_dtype(n, x, 1, ind_types)))
		return rc;
	data = n->inputs[0];
	ind = n->inputs[1];
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (!dtype_size(data->dtype))
		return op_fail(n, x, GRT_E_DTYPE, "data has unsupported element type %s",
		               dtype_name(data->dtype));
	if (data->ndim < 1 || ind->ndim < 1)
		return op_fail(n, x, GRT_E_SHAPE, "data (rank %d) and indices (rank %d) must "
		               "have rank >= 1", data->ndim, ind->ndim);
	return GRT_OK;
}

/* The tuples of k indices (input 1) into data (input 0) from axis b on, the
 * first b axes being batch axes: sizes, strides, and the offsets or runs when
 * the indices are constant. */
static int nd_plan(struct node *n, struct exec *x, struct scatter_params *p, int b, int k)
{
	const struct tensor *data = n->inputs[0], *ind = n->inputs[1];
	const int r = data->ndim, q = ind->ndim;
	int rc;

	p->k = k;
	p->first_axis = b;
	p->dtype = data->dtype;
	p->es = dtype_size(data->dtype);
	p->n_upd = shape_numel(q - 1, ind->dims);
	p->per_batch = shape_numel(q - 1 - b, ind->dims + b);
	p->batch_stride = b ? shape_numel(r - b, data->dims + b) : 0;
	p->slice = shape_numel(r - b - k, data->dims + b + k);
	for (int a = k - 1; a >= 0; a--) {
		p->dims[a] = data->dims[b + a];
		p->stride[a] = shape_numel(r - b - a - 1, data->dims + b + a + 1);
	}
	n->params = p;
	if (op_const_input(n, x, 1)) {
		/* constant indices: resolved once; a copy keeps only the runs of
		 * adjacent blocks, a reduction the offsets */
		const int keep = p->reduction != RED_NONE;
		int64_t *off = keep ? plan_alloc(x, (size_t)p->n_upd * sizeof(int64_t)) :
		               malloc((size_t)(p->n_upd ? p->n_upd : 1) * sizeof(int64_t));
		if (!off)
			return GRT_E_NOMEM;
		p->off = off;
		rc = scatter_resolve(n, x, p, ind->data, off);
		if (!rc && !keep)
			rc = scatter_runs(x, p);
		if (!keep) {
			free(off);
			p->off = NULL;
		}
		if (rc)
			return rc;
		n->baked = 1u << 1;      /* run() reads the offsets or runs only */
	} else {
		x->dyn = NULL;
		n->scratch_bytes = (size_t)p->n_upd * sizeof(int64_t);
	}
	return GRT_OK;
}

/* Constant indices without a reduction: the planned runs, as the blocks of updates
 * copied over the output for the planner (struct node), when there are few. */
static int scatter_copies(struct node *n, struct exec *x, const struct scatter_params *p)
{
	const size_t block = (size_t)p->slice * p->es;
	struct block_copy *c;

	if (!p->run_len || !block || p->n_runs > 256)
		return GRT_OK;
	if (!(c = plan_alloc(x, (size_t)(p->n_runs ? p->n_runs : 1) * sizeof(*c))))
		return GRT_E_NOMEM;
	for (int64_t r = 0; r < p->n_runs; r++) {
		c[r].dst = (size_t)p->run_out[r] * p->es;
		c[r].src = (size_t)p->run_upd[r] * block;
		c[r].len = (size_t)p->run_len[r] * block;
	}
	n->copies = c;
	n->n_copies = (int)p->n_runs;
	n->copies_input = 2;
	return GRT_OK;
}

static int scatter_prepare(struct node *n, struct exec *x)
{
	const struct tensor *data, *ind, *upd;
	struct scatter_params *p;
	int r, q, k, rc;

	if ((rc = nd_inputs(n, x, 3)))
		return rc;
	data = n->inputs[0];
	ind = n->inputs[1];
	upd = n->inputs[2];
	r = data->ndim;
	q = ind->ndim;
	if (upd->dtype != data->dtype)
		return op_fail(n, x, GRT_E_DTYPE, "updates is %s but data is %s",
		               dtype_name(upd->dtype), dtype_name(data->dtype));
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;

	if ((rc = scatter_reduction_attr(n, x, &p->reduction)))
		return rc;

	if (ind->dims[q - 1] > r)
		return op_fail(n, x, GRT_E_SHAPE, "indices.shape[-1] = %lld exceeds the rank %d "
		               "of data", (long long)ind->dims[q - 1], r);
	k = (int)ind->dims[q - 1];
	if ((rc = scatter_check_updates(n, x, k)))
		return rc;

	if ((rc = tensor_set_shape(n->outputs[0], data->dtype, r, data->dims)))
		return op_fail(n, x, rc, "output shape too large");
	n->inplace = 1;          /* scatter_run skips the copy when out == data */
	if ((rc = nd_plan(n, x, p, 0, k)))
		return rc;
	return scatter_copies(n, x, p);
}

/* reduce_T per type (ops/tensor/scatter_reduce.h) */
#define KN(name) name##_f32
#define T float
#define U float
#include "ops/tensor/scatter_reduce.h"
#define KN(name) name##_f64
#define T double
#define U double
#include "ops/tensor/scatter_reduce.h"
#define KN(name) name##_i8
#define T int8_t
#define U uint32_t
#include "ops/tensor/scatter_reduce.h"
#define KN(name) name##_u8
#define T uint8_t
#define U uint32_t
#include "ops/tensor/scatter_reduce.h"
#define KN(name) name##_i16
#define T int16_t
#define U uint32_t
#include "ops/tensor/scatter_reduce.h"
#define KN(name) name##_u16
#define T uint16_t
#define U uint32_t
#include "ops/tensor/scatter_reduce.h"
#define KN(name) name##_i32
#define T int32_t
#define U uint32_t
#include "ops/tensor/scatter_reduce.h"
#define KN(name) name##_u32
#define T uint32_t
#define U uint32_t
#include "ops/tensor/scatter_reduce.h"
#define KN(name) name##_i64
#define T int64_t
#define U uint64_t
#include "ops/tensor/scatter_reduce.h"
#define KN(name) name##_u64
#define T uint64_t
#define U uint64_t
#include "ops/tensor/scatter_reduce.h"

/* float16 / bfloat16: the reduction is done in float, then rounded back. */
static void reduce_half(uint16_t *restrict dst, const uint16_t *restrict src, int64_t n,
                        enum scatter_reduction red, int bf16)
{
	for (int64_t i = 0; i < n; i++) {
		float a = bf16 ? bf16_to_float(dst[i]) : half_to_float(dst[i]);
		float b = bf16 ? bf16_to_float(src[i]) : half_to_float(src[i]);
		float v = red == RED_ADD ? a + b : red == RED_MUL ? a * b
		        : red == RED_MAX ? (b > a ? b : a) : (b < a ? b : a);
		dst[i] = bf16 ? float_to_bf16(v) : float_to_half(v);
	}
}

/* bool: add and max are "or", mul and min are "and" (numpy's rules). */
static void reduce_bool(uint8_t *restrict dst, const uint8_t *restrict src, int64_t n,
                        enum scatter_reduction red)
{
	if (red == RED_ADD || red == RED_MAX)
		for (int64_t i = 0; i < n; i++)
			dst[i] = dst[i] || src[i];
	else
		for (int64_t i = 0; i < n; i++)
			dst[i] = dst[i] && src[i];
}

int scatter_reduction_attr(struct node *n, struct exec *x, enum scatter_reduction *out)
{
	static const char *const names[] = { "none", "add", "mul", "max", "min" };
	const int n_names = n->opset >= 18 ? 5 : 3;
	const char *red;
	int rc;

	if ((rc = attr_string(n, x, "reduction", "none", &red)))
		return rc;
	if (n->opset < 16 && node_attr(n, "reduction"))
		return op_fail(n, x, GRT_E_ATTR, "attribute 'reduction' needs opset 16, "
		               "model has opset %d", n->opset);
	for (int i = 0; i < n_names; i++) {
		if (!strcmp(red, names[i])) {
			*out = (enum scatter_reduction)i;
			return GRT_OK;
		}
	}
	return op_fail(n, x, GRT_E_ATTR, "reduction '%s' is not one of %s", red,
	               n->opset >= 18 ? "none, add, mul, max, min" : "none, add, mul");
}

void scatter_reduce_elems(enum dtype dt, void *dst, const void *src, int64_t len,
                          enum scatter_reduction red)
{
	switch (dt) {
	case DT_FLOAT: reduce_f32(dst, src, len, red); break;
	case DT_DOUBLE: reduce_f64(dst, src, len, red); break;
	case DT_INT8: reduce_i8(dst, src, len, red); break;
	case DT_UINT8: reduce_u8(dst, src, len, red); break;
	case DT_INT16: reduce_i16(dst, src, len, red); break;
	case DT_UINT16: reduce_u16(dst, src, len, red); break;
	case DT_INT32: reduce_i32(dst, src, len, red); break;
	case DT_UINT32: reduce_u32(dst, src, len, red); break;
	case DT_INT64: reduce_i64(dst, src, len, red); break;
	case DT_UINT64: reduce_u64(dst, src, len, red); break;
	case DT_FLOAT16: reduce_half(dst, src, len, red, 0); break;
	case DT_BFLOAT16: reduce_half(dst, src, len, red, 1); break;
	case DT_BOOL: reduce_bool(dst, src, len, red); break;
	default: break;
	}
}

static int scatter_run(struct node *n, struct exec *x)
{
	const struct scatter_params *p = n->params;
	const struct tensor *data = n->inputs[0];
	const char *upd = n->inputs[2]->data;
	char *out = n->outputs[0]->data;
	const int64_t *off = p->off;
	size_t block = (size_t)p->slice * p->es;
	int rc;

	if (p->run_len) {           /* constant indices, no reduction: the runs are planned */
		if (out != data->data)
			memcpy(out, data->data, data->nbytes);
		for (int64_t r = 0; block && r < p->n_runs; r++) {
			char *d = out + (size_t)p->run_out[r] * p->es;
			const char *u = upd + (size_t)p->run_upd[r] * block;
			if (d != u)         /* the planner put updates there (struct node) */
				memcpy(d, u, (size_t)p->run_len[r] * block);
		}
		return GRT_OK;
	}
	if (!off && (rc = nd_offsets(n, x, &off)))
		return rc;
	if (out != data->data)
		memcpy(out, data->data, data->nbytes);
	if (!block)
		return GRT_OK;
	if (p->reduction != RED_NONE) {
		for (int64_t u = 0; u < p->n_upd; u++)
			scatter_reduce_elems(p->dtype, out + (size_t)off[u] * p->es,
			                     upd + (size_t)u * block, p->slice, p->reduction);
		return GRT_OK;
	}
	/* blocks that land next to each other in the output make one copy */
	for (int64_t u = 0; u < p->n_upd;) {
		int64_t len = 1;

		while (u + len < p->n_upd && off[u + len] == off[u] + len * p->slice)
			len++;
		memcpy(out + (size_t)off[u] * p->es, upd + (size_t)u * block, (size_t)len * block);
		u += len;
	}
	return GRT_OK;
}

/* GatherND: out[batch, tuple] = the block of data[batch][indices[batch, tuple]]. */
static int gathernd_prepare(struct node *n, struct exec *x)
{
	const struct tensor *data, *ind;
	struct scatter_params *p;
	int64_t dims[2 * MAX_DIMS], batch_dims;
	int r, q, b, k, nd = 0, rc;

	if ((rc = nd_inputs(n, x, 2)) ||
	    (rc = attr_int(n, x, "batch_dims", 0, &batch_dims)))
		return rc;
	data = n->inputs[0];
	ind = n->inputs[1];
	r = data->ndim;
	q = ind->ndim;
	if (n->opset < 12 && node_attr(n, "batch_dims"))
		return op_fail(n, x, GRT_E_ATTR, "attribute 'batch_dims' needs opset 12, "
		               "model has opset %d", n->opset);
	if (batch_dims < 0 || batch_dims >= (r < q ? r : q))
		return op_fail(n, x, GRT_E_ATTR, "batch_dims = %lld is out of range [0, %d)",
		               (long long)batch_dims, r < q ? r : q);
	b = (int)batch_dims;
	if (ind->dims[q - 1] < 1 || ind->dims[q - 1] > r - b)
		return op_fail(n, x, GRT_E_SHAPE, "indices.shape[-1] = %lld is out of range "
		               "[1, %d] (the rank of data after batch_dims)",
		               (long long)ind->dims[q - 1], r - b);
	k = (int)ind->dims[q - 1];
	for (int a = 0; a < b; a++)
		if (ind->dims[a] != data->dims[a])
			return op_fail(n, x, GRT_E_SHAPE, "batch axis %d: indices has %lld, data "
			               "%lld", a, (long long)ind->dims[a], (long long)data->dims[a]);
	for (int a = 0; a < q - 1; a++)
		dims[nd++] = ind->dims[a];
	for (int a = b + k; a < r; a++)
		dims[nd++] = data->dims[a];
	if (nd > MAX_DIMS)
		return op_fail(n, x, GRT_E_LIMIT, "output rank %d exceeds %d", nd, MAX_DIMS);
	if ((rc = tensor_set_shape(n->outputs[0], data->dtype, nd, dims)))
		return op_fail(n, x, rc, "output shape too large");
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	rc = nd_plan(n, x, p, b, k);
	n->baked = 0;       /* a rewrite reads the indices (ops/nn/unfold_fuse.c) */
	return rc;
}

static int gathernd_run(struct node *n, struct exec *x)
{
	const struct scatter_params *p = n->params;
	const char *data = n->inputs[0]->data;
	char *out = n->outputs[0]->data;
	const int64_t *off = p->off;
	size_t block = (size_t)p->slice * p->es;
	int rc;

	if (!block)
		return GRT_OK;
	if (p->run_len) {           /* constant indices: the runs are planned */
		for (int64_t r = 0; r < p->n_runs; r++)
			memcpy(out + (size_t)p->run_upd[r] * block, data + (size_t)p->run_out[r] * p->es,
			       (size_t)p->run_len[r] * block);
		return GRT_OK;
	}
	if (!off && (rc = nd_offsets(n, x, &off)))
		return rc;
	for (int64_t u = 0; u < p->n_upd; u++)
		memcpy(out + (size_t)u * block, data + (size_t)off[u] * p->es, block);
	return GRT_OK;
}

const struct op_def op_gather = { "Gather", 1, OPSET_LATEST, gather_prepare, gather_run, OP_MOVES_DATA, NULL };
const struct op_def op_gather_nd = { "GatherND", 11, OPSET_LATEST, gathernd_prepare,
                                     gathernd_run, OP_MOVES_DATA, NULL };
const struct op_def op_scatter_nd = { "ScatterND", 11, OPSET_LATEST, scatter_prepare,
                                      scatter_run, OP_MOVES_DATA, NULL };
