/* elements.c - GatherElements (https://onnx.ai/onnx/operators/onnx__GatherElements.html,
 * opsets 11+), ScatterElements (https://onnx.ai/onnx/operators/onnx__ScatterElements.html,
 * opsets 11+, reduction none/add/mul from 16, max/min from 18) and its older name
 * Scatter (opsets 9-10). Each index names one element of data along axis; the
 * indices become element offsets of data (constant ones once, in prepare). And
 * ReverseSequence (https://onnx.ai/onnx/operators/onnx__ReverseSequence.html, opsets
 * 10+): blocks of the dims after time and batch, moved per sequence length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ops/op.h"
#include "ops/tensor/gather.h"

struct elements_params {
	int     rank;               /* of data, indices (and updates) */
	int     axis;
	int64_t n_idx;              /* elements of indices */
	int64_t idims[MAX_DIMS];    /* [rank] indices.dims */
	int64_t step[MAX_DIMS];     /* [rank] data element stride of each axis, 0 on axis */
	int64_t axis_dim;           /* data.dims[axis] */
	int64_t axis_stride;        /* data element stride of axis */
	enum dtype dtype;           /* of data (and updates, output) */
	size_t  es;                 /* element size in bytes */
	enum scatter_reduction reduction;   /* ScatterElements */
	const int64_t *off;         /* [n_idx] data element offset of each index when the
	                               indices are constant; else NULL (scratch) */
};

/* off[i] = the data offset that indices element i names (an odometer over the
 * indices' coordinates, the axis coordinate replaced by the index). */
static int elements_resolve(struct node *n, struct exec *x, const struct elements_params *p,
                            const struct tensor *ind, int64_t *off)
{
	int64_t c[MAX_DIMS] = { 0 }, base = 0, d = p->axis_dim;

	for (int64_t i = 0; i < p->n_idx; i++) {
		int64_t k = index_at(ind, i);

		if (k < -d || k >= d)
			return op_fail(n, x, GRT_E_INDEX, "indices[%lld] = %lld is out of range "
			               "[%lld, %lld) on axis %d", (long long)i, (long long)k,
			               (long long)-d, (long long)d, p->axis);
		off[i] = base + (k < 0 ? k + d : k) * p->axis_stride;
		for (int a = p->rank - 1; a >= 0; a--) {
			base += p->step[a];
			if (++c[a] < p->idims[a])
				break;
			base -= p->step[a] * p->idims[a];
			c[a] = 0;
		}
	}
	return GRT_OK;
}

/* Shared checks and sizes: data (input 0), indices (input 1) of the same rank, each
 * indices dim at most data's (but on axis); the output is shaped by the caller. */
static int elements_plan(struct node *n, struct exec *x, struct elements_params **out)
{
	static const enum dtype ind_types[] = { DT_INT32, DT_INT64, DT_UNDEFINED };
	const struct tensor *data = n->inputs[0], *ind = n->inputs[1];
	struct elements_params *p;
	int64_t axis, s = 1;
	int r = data->ndim, rc;

	if ((rc = op_check_dtype(n, x, 1, ind_types)) ||
	    (rc = attr_int(n, x, "axis", 0, &axis)))
		return rc;
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (!dtype_size(data->dtype))
		return op_fail(n, x, GRT_E_DTYPE, "data has unsupported element type %s",
		               dtype_name(data->dtype));
	if (r < 1 || ind->ndim != r)
		return op_fail(n, x, GRT_E_SHAPE, "indices has rank %d, data rank %d: they must "
		               "be equal and >= 1", ind->ndim, r);
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	if ((rc = op_axis(n, x, axis, r, &p->axis)))
		return rc;
	for (int a = r - 1; a >= 0; a--) {
		if (a != p->axis && ind->dims[a] > data->dims[a])
			return op_fail(n, x, GRT_E_SHAPE, "indices has %lld on axis %d, more than "
			               "data's %lld", (long long)ind->dims[a], a,
			               (long long)data->dims[a]);
		p->idims[a] = ind->dims[a];
		p->step[a] = a == p->axis ? 0 : s;
		if (a == p->axis)
			p->axis_stride = s;
		s *= data->dims[a];
	}
	p->rank = r;
	p->axis_dim = data->dims[p->axis];
	p->n_idx = ind->numel;
	p->dtype = data->dtype;
	p->es = dtype_size(data->dtype);
	*out = p;
	return GRT_OK;
}

/* The offsets of constant indices, once; else scratch for run(). */
static int elements_bake(struct node *n, struct exec *x, struct elements_params *p)
{
	int64_t *off;
	int rc;

	n->params = p;
	if (!op_const_input(n, x, 1)) {
		x->dyn = NULL;      /* a run-time index tensor is fine */
		n->scratch_bytes = (size_t)p->n_idx * sizeof(int64_t);
		return GRT_OK;
	}
	if (!(off = plan_alloc(x, (size_t)(p->n_idx ? p->n_idx : 1) * sizeof(int64_t))))
		return GRT_E_NOMEM;
	if ((rc = elements_resolve(n, x, p, n->inputs[1], off)))
		return rc;
	p->off = off;
	n->baked = 1u << 1;
	return GRT_OK;
}

/* The offsets run() uses: planned, or resolved now into scratch. */
static int elements_offsets(struct node *n, struct exec *x, const int64_t **off)
{
	const struct elements_params *p = n->params;
	int rc;

	*off = p->off;
	if (p->off)
		return GRT_OK;
	rc = elements_resolve(n, x, p, n->inputs[1], x->scratch);
	*off = x->scratch;
	return rc;
}

/* ------------------------------------------------------- GatherElements */

static int gather_elements_prepare(struct node *n, struct exec *x)
{
	struct elements_params *p;
	int rc;

	if ((rc = op_check_arity(n, x, 2, 2, 1, 1)) || (rc = elements_plan(n, x, &p)))
		return rc;
	if ((rc = tensor_set_shape(n->outputs[0], p->dtype, p->rank, p->idims)))
		return op_fail(n, x, rc, "output shape too large");
	return elements_bake(n, x, p);
}

/* out[i] = src[off[i]], elements of es bytes (a constant where inlined). */
static inline __attribute__((always_inline)) void
pick(char *restrict out, const char *restrict src, const int64_t *off, int64_t n,
     const size_t es)
{
	for (int64_t i = 0; i < n; i++)
		memcpy(out + (size_t)i * es, src + (size_t)off[i] * es, es);
}

static int gather_elements_run(struct node *n, struct exec *x)
{
	const struct elements_params *p = n->params;
	const char *src = n->inputs[0]->data;
	char *out = n->outputs[0]->data;
	const int64_t *off;
	int rc;

	if ((rc = elements_offsets(n, x, &off)))
		return rc;
	switch (p->es) {
	case 4: pick(out, src, off, p->n_idx, 4); break;
	case 8: pick(out, src, off, p->n_idx, 8); break;
	case 2: pick(out, src, off, p->n_idx, 2); break;
	default: pick(out, src, off, p->n_idx, 1); break;
	}
	return GRT_OK;
}

/* ------------------------------------------------------ ScatterElements */

static int scatter_elements_prepare(struct node *n, struct exec *x)
{
	const struct tensor *data, *ind, *upd;
	struct elements_params *p;
	int rc;

	if ((rc = op_check_arity(n, x, 3, 3, 1, 1)) || (rc = elements_plan(n, x, &p)))
		return rc;
	data = n->inputs[0];
	ind = n->inputs[1];
	upd = n->inputs[2];
	if (upd->dtype != data->dtype)
		return op_fail(n, x, GRT_E_DTYPE, "updates is %s but data is %s",
		               dtype_name(upd->dtype), dtype_name(data->dtype));
	if (upd->ndim != ind->ndim ||
	    memcmp(upd->dims, ind->dims, (size_t)ind->ndim * sizeof(int64_t)))
		return op_fail(n, x, GRT_E_SHAPE, "updates must have the shape of indices");
	if (strcmp(n->op_type, "Scatter") && (rc = scatter_reduction_attr(n, x, &p->reduction)))
		return rc;
	if ((rc = tensor_set_shape(n->outputs[0], p->dtype, data->ndim, data->dims)))
		return op_fail(n, x, rc, "output shape too large");
	n->inplace = 1;             /* run() skips the copy when out == data */
	return elements_bake(n, x, p);
}

/* out[off[i]] = upd[i] (the last of duplicates wins), elements of es bytes. */
static inline __attribute__((always_inline)) void
place(char *restrict out, const char *restrict upd, const int64_t *off, int64_t n,
      const size_t es)
{
	for (int64_t i = 0; i < n; i++)
		memcpy(out + (size_t)off[i] * es, upd + (size_t)i * es, es);
}

static int scatter_elements_run(struct node *n, struct exec *x)
{
	const struct elements_params *p = n->params;
	const struct tensor *data = n->inputs[0];
	const char *upd = n->inputs[2]->data;
	char *out = n->outputs[0]->data;
	const int64_t *off;
	int rc;

	if ((rc = elements_offsets(n, x, &off)))
		return rc;
	if (out != data->data)
		memcpy(out, data->data, data->nbytes);
	if (p->reduction != RED_NONE) {
		for (int64_t i = 0; i < p->n_idx; i++)
			scatter_reduce_elems(p->dtype, out + (size_t)off[i] * p->es,
			                     upd + (size_t)i * p->es, 1, p->reduction);
		return GRT_OK;
	}
	switch (p->es) {
	case 4: place(out, upd, off, p->n_idx, 4); break;
	case 8: place(out, upd, off, p->n_idx, 8); break;
	case 2: place(out, upd, off, p->n_idx, 2); break;
	default: place(out, upd, off, p->n_idx, 1); break;
	}
	return GRT_OK;
}

/* ------------------------------------------------------ ReverseSequence */

struct reverse_params {
	int64_t steps, batch;       /* dims of time_axis and batch_axis */
	int64_t time_step, batch_step;  /* block step of one time / batch index */
	size_t  block;              /* bytes per (time, batch) pair: the dims after both */
};

static int reverse_sequence_prepare(struct node *n, struct exec *x)
{
	static const enum dtype len_types[] = { DT_INT64, DT_UNDEFINED };
	const struct tensor *in, *lens;
	struct reverse_params *p;
	int64_t t_axis, b_axis;
	int rc;

	if ((rc = op_check_arity(n, x, 2, 2, 1, 1)) ||
	    (rc = op_check_dtype(n, x, 1, len_types)) ||
	    (rc = attr_int(n, x, "time_axis", 0, &t_axis)) ||
	    (rc = attr_int(n, x, "batch_axis", 1, &b_axis)))
		return rc;
	in = n->inputs[0];
	lens = n->inputs[1];
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (!dtype_size(in->dtype))
		return op_fail(n, x, GRT_E_DTYPE, "input has unsupported element type %s",
		               dtype_name(in->dtype));
	if ((t_axis != 0 && t_axis != 1) || b_axis != 1 - t_axis)
		return op_fail(n, x, GRT_E_ATTR, "time_axis %lld and batch_axis %lld must be 0 and "
		               "1 in some order", (long long)t_axis, (long long)b_axis);
	if (in->ndim < 2)
		return op_fail(n, x, GRT_E_SHAPE, "input must have rank >= 2, has %d", in->ndim);
	if (lens->ndim != 1 || lens->dims[0] != in->dims[b_axis])
		return op_fail(n, x, GRT_E_SHAPE, "sequence_lens must be 1-D with the batch size "
		               "%lld", (long long)in->dims[b_axis]);
	if ((rc = tensor_set_shape(n->outputs[0], in->dtype, in->ndim, in->dims)))
		return op_fail(n, x, rc, "output shape too large");
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	p->steps = in->dims[t_axis];
	p->batch = in->dims[b_axis];
	p->time_step = t_axis ? 1 : p->batch;
	p->batch_step = t_axis ? p->steps : 1;
	p->block = (size_t)shape_numel(in->ndim - 2, in->dims + 2) * dtype_size(in->dtype);
	x->dyn = NULL;              /* run-time lengths are fine */
	n->params = p;
	return GRT_OK;
}

/* out[t][b] = in[len[b] - 1 - t][b] for t < len[b], else in[t][b]. */
static int reverse_sequence_run(struct node *n, struct exec *x)
{
	const struct reverse_params *p = n->params;
	const int64_t *lens = n->inputs[1]->data;
	const char *src = n->inputs[0]->data;
	char *dst = n->outputs[0]->data;

	for (int64_t b = 0; b < p->batch; b++) {
		int64_t len = lens[b];

		if (len < 0 || len > p->steps)
			return op_fail(n, x, GRT_E_INDEX, "sequence_lens[%lld] = %lld is out of range "
			               "[0, %lld]", (long long)b, (long long)len, (long long)p->steps);
		for (int64_t t = 0; t < p->steps; t++) {
			int64_t from = t < len ? len - 1 - t : t;

			memcpy(dst + (size_t)(t * p->time_step + b * p->batch_step) * p->block,
			       src + (size_t)(from * p->time_step + b * p->batch_step) * p->block,
			       p->block);
		}
	}
	return GRT_OK;
}

const struct op_def op_gather_elements = { "GatherElements", 11, OPSET_LATEST,
	gather_elements_prepare, gather_elements_run, OP_MOVES_DATA, NULL };
const struct op_def op_scatter = { "Scatter", 9, 10, scatter_elements_prepare,
	scatter_elements_run, OP_MOVES_DATA, NULL };
const struct op_def op_scatter_elements = { "ScatterElements", 11, OPSET_LATEST,
	scatter_elements_prepare, scatter_elements_run, OP_MOVES_DATA, NULL };
const struct op_def op_reverse_sequence = { "ReverseSequence", 10, OPSET_LATEST,
	reverse_sequence_prepare, reverse_sequence_run, OP_MOVES_DATA, NULL };
