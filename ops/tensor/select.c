/* select.c - operators whose output shape depends on input values
 * (https://onnx.ai/onnx/operators/): NonZero 9+, Compress 9-10/11+, TopK
 * 1-9/10/11+, Unique 11+. prepare() computes the shape from the values it
 * needs (op_const_input(); GRT_E_DYNAMIC when they are known only at run
 * time, which makes the node a dynamic node); run() fills the outputs. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "ops/op.h"

/* ---- helpers ---- */

/* Every element type with a fixed size (all but string). */
static const enum dtype any_types[] = {
	DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_INT8, DT_INT16, DT_INT32, DT_INT64,
	DT_UINT8, DT_UINT16, DT_UINT32, DT_UINT64, DT_BOOL, DT_UNDEFINED };
/* The numeric types (all of the above but bool). */
static const enum dtype num_types[] = {
	DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_INT8, DT_INT16, DT_INT32, DT_INT64,
	DT_UINT8, DT_UINT16, DT_UINT32, DT_UINT64, DT_UNDEFINED };
static const enum dtype float_types[] = { DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_UNDEFINED };

/* Checks the arity, that output 0 is requested and that input 0 has one
 * of the types. */
static int check_node(struct node *n, struct exec *x, int min_in, int max_in, int max_out,
                      const enum dtype *types)
{
	int rc = op_check_arity(n, x, min_in, max_in, 1, max_out);

	if (rc)
		return rc;
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	return op_check_dtype(n, x, 0, types);
}

static int set_output(struct node *n, struct exec *x, int k, enum dtype dt, int ndim,
                      const int64_t *dims)
{
	int rc;

	if (!n->outputs[k])
		return GRT_OK;
	rc = tensor_set_shape(n->outputs[k], dt, ndim, dims);
	if (rc)
		return op_fail(n, x, rc, "output %d: %s shape of %d dims does not fit the runtime's "
		               "limits", k, dtype_name(dt), ndim);
	return GRT_OK;
}

/* Elements i and j of p (type dt) in the total order: numbers ascending,
 * -0 equal to 0, NaN above every number and equal to NaN. */
static int elem_cmp(enum dtype dt, const void *p, int64_t i, int64_t j)
{
	switch (dt) {
	case DT_INT64: {
		const int64_t a = ((const int64_t *)p)[i], b = ((const int64_t *)p)[j];
		return (a > b) - (a < b);
	}
	case DT_UINT64: {
		const uint64_t a = ((const uint64_t *)p)[i], b = ((const uint64_t *)p)[j];
		return (a > b) - (a < b);
	}
	default: {
		/* exact for every other type */
		const double a = elem_as_double(dt, p, i), b = elem_as_double(dt, p, j);
		if (isnan(a) || isnan(b))
			return isnan(a) - isnan(b);
		return (a > b) - (a < b);
	}
	}
}

/* Sorts idx[0..count) stably (equal keys keep their order) by cmp(ctx, a, b)
 * < 0; tmp holds count entries. Bottom-up merge sort: no recursion, no heap. */
static void sort_stable(int64_t *idx, int64_t *tmp, int64_t count,
                        int (*cmp)(const void *ctx, int64_t a, int64_t b), const void *ctx)
{
	int64_t *src = idx, *dst = tmp;

	for (int64_t w = 1; w < count; w *= 2) {
		for (int64_t lo = 0; lo < count; lo += 2 * w) {
			int64_t mid = lo + w < count ? lo + w : count;
			int64_t hi = lo + 2 * w < count ? lo + 2 * w : count;
			int64_t a = lo, b = mid, o = lo;
			while (a < mid && b < hi)
				dst[o++] = cmp(ctx, src[b], src[a]) < 0 ? src[b++] : src[a++];
			while (a < mid)
				dst[o++] = src[a++];
			while (b < hi)
				dst[o++] = src[b++];
		}
		int64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != idx)
		memcpy(idx, src, (size_t)count * sizeof(*idx));
}

/* Splits dims around axis: outer (before), len (the axis), inner (after). */
static void split_dims(const struct tensor *t, int axis, int64_t *outer, int64_t *len,
                       int64_t *inner)
{
	*outer = shape_numel(axis, t->dims);
	*len = t->dims[axis];
	*inner = shape_numel(t->ndim - axis - 1, t->dims + axis + 1);
}

/* ---- NonZero ---- */

static int elem_nonzero(enum dtype dt, const void *p, int64_t i)
{
	switch (dt) {
	case DT_INT64: case DT_UINT64: return ((const int64_t *)p)[i] != 0;
	default: return elem_as_double(dt, p, i) != 0;    /* NaN is not zero */
	}
}

/* Output [rank, count] int64: the coordinates of the non-zero elements in
 * row-major order; a scalar counts as rank 1 (as ONNX Runtime). */
static int nonzero_prepare(struct node *n, struct exec *x)
{
	const struct tensor *in;
	int64_t dims[2];
	int rc;

	if ((rc = check_node(n, x, 1, 1, 1, any_types)))
		return rc;
	in = n->inputs[0];
	dims[0] = in->ndim ? in->ndim : 1;
	dims[1] = 0;
	if (in->numel && !op_const_input(n, x, 0))
		return op_dynamic(n, x, 0, "the count of non-zero elements");
	for (int64_t i = 0; i < in->numel; i++)
		dims[1] += elem_nonzero(in->dtype, in->data, i);
	return set_output(n, x, 0, DT_INT64, 2, dims);
}

static int nonzero_run(struct node *n, struct exec *x)
{
	const struct tensor *in = n->inputs[0];
	struct tensor *out = n->outputs[0];
	const int rank = in->ndim ? in->ndim : 1;
	const int64_t count = out->dims[1];
	int64_t *restrict o = out->data, j = 0;
	int64_t pos[MAX_DIMS] = { 0 };        /* coordinates of element i */

	(void)x;
	for (int64_t i = 0; i < in->numel && j < count; i++) {
		if (elem_nonzero(in->dtype, in->data, i)) {
			for (int d = 0; d < rank; d++)
				o[d * count + j] = pos[d];
			j++;
		}
		for (int d = in->ndim - 1; d >= 0 && ++pos[d] == in->dims[d]; d--)
			pos[d] = 0;
	}
	return GRT_OK;
}

/* ---- Compress ---- */

struct compress_params {
	int64_t outer, len, inner;   /* input as [outer, len, inner] around the axis */
	int64_t n_cond;              /* condition entries that apply: min(its length, len) */
	size_t esize;                /* bytes per element */
};

static int compress_prepare(struct node *n, struct exec *x)
{
	static const enum dtype bool_only[] = { DT_BOOL, DT_UNDEFINED };
	struct compress_params *p;
	const struct tensor *in, *cond;
	const uint8_t *c = NULL;
	const struct attr *a = node_attr(n, "axis");
	int64_t dims[MAX_DIMS], axis_v = 0, kept = 0;
	int axis = 0, rc, ndim;

	if ((rc = check_node(n, x, 2, 2, 1, any_types)) || (rc = op_check_dtype(n, x, 1, bool_only)))
		return rc;
	in = n->inputs[0];
	cond = n->inputs[1];
	if (cond->ndim != 1)
		return op_fail(n, x, GRT_E_SHAPE, "condition must be 1-D, has %d dims", cond->ndim);
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	p->esize = dtype_size(in->dtype);
	if (a) {
		if ((rc = attr_int(n, x, "axis", 0, &axis_v)))
			return rc;
		if (n->opset < 11 && axis_v < 0)
			return op_fail(n, x, GRT_E_ATTR, "axis %lld is negative (allowed from opset 11)",
			               (long long)axis_v);
		if ((rc = op_axis(n, x, axis_v, in->ndim, &axis)))
			return rc;
		split_dims(in, axis, &p->outer, &p->len, &p->inner);
		ndim = in->ndim;
		memcpy(dims, in->dims, sizeof(dims));
	} else {                    /* the input flattened */
		p->outer = p->inner = 1;
		p->len = in->numel;
		ndim = 1;
	}
	p->n_cond = cond->dims[0] < p->len ? cond->dims[0] : p->len;
	if (p->n_cond && !(c = op_const_input(n, x, 1)))
		return op_dynamic(n, x, 1, "the count of selected slices");
	for (int64_t i = 0; i < p->n_cond; i++)
		kept += c[i] != 0;
	dims[a ? axis : 0] = kept;
	n->params = p;
	return set_output(n, x, 0, in->dtype, ndim, dims);
}

static int compress_run(struct node *n, struct exec *x)
{
	const struct compress_params *p = n->params;
	const uint8_t *c = n->inputs[1]->data;
	const char *src = n->inputs[0]->data;
	char *dst = n->outputs[0]->data;
	const size_t slice = (size_t)p->inner * p->esize;

	(void)x;
	for (int64_t o = 0; o < p->outer; o++)
		for (int64_t i = 0; i < p->n_cond; i++)
			if (c[i]) {
				memcpy(dst, src + ((size_t)(o * p->len + i)) * slice, slice);
				dst += slice;
			}
	return GRT_OK;
}

/* ---- TopK ---- */

struct topk_params {
	int64_t outer, len, inner;   /* input as [outer, len, inner] around the axis */
	int64_t k;
	int largest;                 /* 1: the k largest, 0: the k smallest */
	size_t esize;
};

/* One line of the input along the axis, for the sort comparator. */
struct topk_line {
	enum dtype dtype;
	const char *base;            /* element 0 of the line */
	int64_t stride;              /* elements between neighbours on the axis */
	int largest;
};

/* Largest first (or smallest first); the sort is stable, so among equal
 * values the lower index comes first, as in ONNX Runtime. */
static int topk_cmp(const void *ctx, int64_t a, int64_t b)
{
	const struct topk_line *l = ctx;
	const int c = elem_cmp(l->dtype, l->base, a * l->stride, b * l->stride);

	return l->largest ? -c : c;
}

/* k from the attribute (opset 1-9) or from input 1, a 1-element int64 tensor. */
static int topk_k(struct node *n, struct exec *x, int64_t *k)
{
	static const enum dtype i64[] = { DT_INT64, DT_UNDEFINED };
	const struct tensor *kt;
	const int64_t *v;
	int rc;

	if (n->opset < 10) {
		if (!node_attr(n, "k"))
			return op_fail(n, x, GRT_E_ATTR, "attribute 'k' is required");
		return attr_int(n, x, "k", 0, k);
	}
	kt = n->inputs[1];
	if ((rc = op_check_dtype(n, x, 1, i64)))
		return rc;
	if (kt->numel != 1 || kt->ndim > 1)
		return op_fail(n, x, GRT_E_SHAPE, "K must be a 1-D tensor of one element");
	if (!(v = op_const_input(n, x, 1)))
		return op_dynamic(n, x, 1, "K");
	*k = v[0];
	return GRT_OK;
}

static int topk_prepare(struct node *n, struct exec *x)
{
	struct topk_params *p;
	const struct tensor *in;
	const int n_in = n->opset < 10 ? 1 : 2;
	int64_t dims[MAX_DIMS], axis_v, largest = 1, sorted = 1;
	int axis, rc;

	if ((rc = check_node(n, x, n_in, n_in, 2, n->opset < 11 ? float_types : num_types)))
		return rc;
	in = n->inputs[0];
	if ((rc = attr_int(n, x, "axis", -1, &axis_v)) || (rc = op_axis(n, x, axis_v, in->ndim, &axis)))
		return rc;
	if (n->opset >= 11 && ((rc = attr_int(n, x, "largest", 1, &largest)) ||
	                       (rc = attr_int(n, x, "sorted", 1, &sorted))))
		return rc;
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	if ((rc = topk_k(n, x, &p->k)))
		return rc;
	split_dims(in, axis, &p->outer, &p->len, &p->inner);
	if (p->k < 0 || p->k > p->len)
		return op_fail(n, x, GRT_E_SHAPE, "k = %lld is outside [0, %lld] (axis %d of '%s')",
		               (long long)p->k, (long long)p->len, axis, in->name);
	/* sorted = 0 leaves the order open: the sorted order is one of them */
	p->largest = largest != 0;
	p->esize = dtype_size(in->dtype);
	memcpy(dims, in->dims, sizeof(dims));
	dims[axis] = p->k;
	n->params = p;
	n->scratch_bytes = 2 * (size_t)p->len * sizeof(int64_t);
	if ((rc = set_output(n, x, 0, in->dtype, in->ndim, dims)))
		return rc;
	return set_output(n, x, 1, DT_INT64, in->ndim, dims);
}

/* Values [outer, k, inner] and Indices [outer, k, inner] (int64): each line
 * along the axis sorted by index, the first k taken. */
static int topk_run(struct node *n, struct exec *x)
{
	const struct topk_params *p = n->params;
	const struct tensor *in = n->inputs[0];
	struct tensor *vals = n->outputs[0], *inds = op_output(n, 1);
	int64_t *idx = x->scratch, *tmp = idx + p->len;   /* [len] each */
	struct topk_line l = { in->dtype, NULL, p->inner, p->largest };

	for (int64_t o = 0; o < p->outer; o++)
		for (int64_t i = 0; i < p->inner; i++) {
			const int64_t first = o * p->len * p->inner + i;    /* element offsets */
			const int64_t out0 = o * p->k * p->inner + i;
			l.base = (const char *)in->data + (size_t)first * p->esize;
			for (int64_t j = 0; j < p->len; j++)
				idx[j] = j;
			sort_stable(idx, tmp, p->len, topk_cmp, &l);
			for (int64_t j = 0; j < p->k; j++) {
				const int64_t at = out0 + j * p->inner;
				memcpy((char *)vals->data + (size_t)at * p->esize,
				       l.base + (size_t)(idx[j] * p->inner) * p->esize, p->esize);
				if (inds)
					((int64_t *)inds->data)[at] = idx[j];
			}
		}
	return GRT_OK;
}

/* ---- Unique ---- */

struct unique_params {
	int64_t outer, len, inner;   /* input as [outer, len, inner]: len items of
	                                outer x inner elements (flattened: [1, numel, 1]) */
	int64_t n_unique;
	int64_t *first;              /* [n_unique] index of each unique item's first
	                                occurrence, in output order */
	int64_t *inverse;            /* [len] output position of each input item */
	int64_t *counts;             /* [n_unique] occurrences of each */
	size_t esize;
};

struct unique_items {
	const struct unique_params *p;
	enum dtype dtype;
	const void *data;
};

/* Items a and b compared element by element in row-major order. */
static int unique_cmp(const void *ctx, int64_t a, int64_t b)
{
	const struct unique_items *u = ctx;
	const struct unique_params *p = u->p;

	for (int64_t o = 0; o < p->outer; o++)
		for (int64_t i = 0; i < p->inner; i++) {
			const int64_t row = o * p->len * p->inner + i;
			int c = elem_cmp(u->dtype, u->data, row + a * p->inner, row + b * p->inner);
			if (c)
				return c;
		}
	return 0;
}

static int first_cmp(const void *ctx, int64_t a, int64_t b)
{
	const int64_t *first = ctx;

	return (first[a] > first[b]) - (first[a] < first[b]);
}

/* Groups equal items (a stable sort, so each group starts at its first
 * occurrence) and fills p->first, p->inverse, p->counts; sorted = 0 puts
 * the groups in the order of their first occurrences. */
static int unique_group(struct exec *x, struct unique_params *p, const struct tensor *in,
                        int sorted)
{
	const size_t bytes = (size_t)(p->len ? p->len : 1) * sizeof(int64_t);
	struct unique_items u = { p, in->dtype, in->data };
	int64_t *idx = plan_alloc(x, bytes), *tmp = plan_alloc(x, bytes);
	int64_t *group = plan_alloc(x, bytes), *order = plan_alloc(x, bytes);

	p->first = plan_alloc(x, bytes);
	p->inverse = plan_alloc(x, bytes);
	p->counts = plan_alloc(x, bytes);
	if (!idx || !tmp || !group || !order || !p->first || !p->inverse || !p->counts)
		return GRT_E_NOMEM;
	for (int64_t j = 0; j < p->len; j++)
		idx[j] = j;
	sort_stable(idx, tmp, p->len, unique_cmp, &u);
	p->n_unique = 0;
	for (int64_t j = 0; j < p->len; j++) {      /* group[item] = its sorted group */
		if (!j || unique_cmp(&u, idx[j - 1], idx[j]))
			p->first[p->n_unique++] = idx[j];
		group[idx[j]] = p->n_unique - 1;
	}
	for (int64_t g = 0; g < p->n_unique; g++)
		order[g] = g;          /* order[position] = group; rank: group -> position */
	if (!sorted)
		sort_stable(order, tmp, p->n_unique, first_cmp, p->first);
	for (int64_t g = 0; g < p->n_unique; g++) {
		tmp[order[g]] = g;
		idx[g] = p->first[order[g]];
		p->counts[g] = 0;
	}
	memcpy(p->first, idx, (size_t)p->n_unique * sizeof(int64_t));
	for (int64_t j = 0; j < p->len; j++) {
		p->inverse[j] = tmp[group[j]];
		p->counts[p->inverse[j]]++;
	}
	return GRT_OK;
}

static int unique_prepare(struct node *n, struct exec *x)
{
	struct unique_params *p;
	const struct tensor *in;
	int64_t dims[MAX_DIMS], axis_v = 0, sorted = 1, len;
	int axis = 0, rc, ndim = 1;
	const struct attr *a = node_attr(n, "axis");

	if ((rc = check_node(n, x, 1, 1, 4, any_types)))
		return rc;
	in = n->inputs[0];
	if ((rc = attr_int(n, x, "sorted", 1, &sorted)))
		return rc;
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	p->esize = dtype_size(in->dtype);
	if (a) {
		if ((rc = attr_int(n, x, "axis", 0, &axis_v)) ||
		    (rc = op_axis(n, x, axis_v, in->ndim, &axis)))
			return rc;
		split_dims(in, axis, &p->outer, &p->len, &p->inner);
		ndim = in->ndim;
		memcpy(dims, in->dims, sizeof(dims));
	} else {
		p->outer = p->inner = 1;
		p->len = in->numel;
	}
	/* an empty input has no items, or items of no element, all equal */
	if (in->numel && !op_const_input(n, x, 0))
		return op_dynamic(n, x, 0, "the count of unique values");
	if ((rc = unique_group(x, p, in, sorted != 0)))
		return rc;
	dims[a ? axis : 0] = p->n_unique;
	len = p->len;
	n->params = p;
	if ((rc = set_output(n, x, 0, in->dtype, ndim, dims)) ||
	    (rc = set_output(n, x, 1, DT_INT64, 1, &p->n_unique)) ||
	    (rc = set_output(n, x, 2, DT_INT64, 1, &len)))
		return rc;
	return set_output(n, x, 3, DT_INT64, 1, &p->n_unique);
}

/* Y [outer, n_unique, inner] (or [n_unique]), indices [n_unique],
 * inverse_indices [len], counts [n_unique]: copies of what prepare found. */
static int unique_run(struct node *n, struct exec *x)
{
	const struct unique_params *p = n->params;
	const char *src = n->inputs[0]->data;
	char *dst = n->outputs[0]->data;
	const size_t slice = (size_t)p->inner * p->esize;
	const size_t n_bytes = (size_t)p->n_unique * sizeof(int64_t);

	(void)x;
	for (int64_t o = 0; o < p->outer; o++)
		for (int64_t g = 0; g < p->n_unique; g++) {
			memcpy(dst, src + (size_t)(o * p->len + p->first[g]) * slice, slice);
			dst += slice;
		}
	if (op_output(n, 1) && n_bytes)
		memcpy(n->outputs[1]->data, p->first, n_bytes);
	if (op_output(n, 2) && p->len)
		memcpy(n->outputs[2]->data, p->inverse, (size_t)p->len * sizeof(int64_t));
	if (op_output(n, 3) && n_bytes)
		memcpy(n->outputs[3]->data, p->counts, n_bytes);
	return GRT_OK;
}

const struct op_def op_compress = {
	"Compress", 9, OPSET_LATEST, compress_prepare, compress_run, OP_MOVES_DATA, NULL };
const struct op_def op_non_zero = {
	"NonZero", 9, OPSET_LATEST, nonzero_prepare, nonzero_run, OP_MOVES_DATA, NULL };
const struct op_def op_top_k_1 = {
	"TopK", 1, 9, topk_prepare, topk_run, OP_MOVES_DATA, NULL };
const struct op_def op_top_k_10 = {
	"TopK", 10, OPSET_LATEST, topk_prepare, topk_run, OP_MOVES_DATA, NULL };
const struct op_def op_unique = {
	"Unique", 11, OPSET_LATEST, unique_prepare, unique_run, OP_MOVES_DATA, NULL };
