/* tensor_ops.c - data movement (https://onnx.ai/onnx/operators/): Concat 1+,
 * Split 2-12 (split attribute), 13-17 (split input) and 18+ (or num_outputs), Transpose 1+,
 * DepthToSpace 1+ (mode from 11) and SpaceToDepth 1+ (transposes of a 6-D view).
 * Concat and Split copy one block per input/output per outer index; Transpose
 * merges axes in prepare, then copies rows (when the last axis stays last) or
 * transposes 2-D tiles of the output's and the input's last axes, with the
 * other axes walked inside each tile range. Any element type: bytes are moved,
 * never read. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "ops/copy.h"
#include "ops/op.h"

/* Sets output k's dtype and dims, with a message when they do not fit. */
static int set_output(struct node *n, struct exec *x, int k, enum dtype dt, int ndim,
                      const int64_t *dims)
{
	int rc = tensor_set_shape(n->outputs[k], dt, ndim, dims);

	if (rc)
		return op_fail(n, x, rc, "output %d '%s' (rank %d, %s) does not fit the runtime's "
		               "limits", k, n->outputs[k]->name, ndim, dtype_name(dt));
	return GRT_OK;
}


/* ---- Concat ---- */

struct concat_params {
	int64_t outer;              /* product of the dims before axis */
	size_t  out_row_bytes;      /* bytes of one output row (axis and the dims after) */
	int     n_in;
	size_t  row_bytes[];        /* [n_in] bytes of one row of input i */
};

static int concat_prepare(struct node *n, struct exec *x)
{
	const struct tensor *t0;
	struct concat_params *p;
	int64_t dims[MAX_DIMS], axis_attr, inner = 1;
	size_t es;
	int axis, rc;

	if ((rc = op_check_arity(n, x, 1, n->n_inputs > 1 ? n->n_inputs : 1, 1, 1)))
		return rc;
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	/* axis is optional (default 1) before opset 4, required since */
	if (n->opset < 4) {
		if ((rc = attr_int(n, x, "axis", 1, &axis_attr)))
			return rc;
	} else {
		if (!node_attr(n, "axis"))
			return op_fail(n, x, GRT_E_ATTR, "attribute 'axis' is required");
		if ((rc = attr_int(n, x, "axis", 0, &axis_attr)))
			return rc;
	}
	t0 = n->inputs[0];
	if (t0->ndim == 0)
		return op_fail(n, x, GRT_E_SHAPE, "cannot concatenate scalars (input 0 '%s')",
		               t0->name);
	if ((rc = op_axis(n, x, axis_attr, t0->ndim, &axis)))
		return rc;
	memcpy(dims, t0->dims, sizeof(dims));
	dims[axis] = 0;
	for (int i = 0; i < n->n_inputs; i++) {
		const struct tensor *t = n->inputs[i];
		if (!t)
			return op_fail(n, x, GRT_E_INVALID_MODEL, "input %d is empty", i);
		if (t->dtype != t0->dtype)
			return op_fail(n, x, GRT_E_DTYPE, "input %d '%s' is %s, input 0 '%s' is %s", i,
			               t->name, dtype_name(t->dtype), t0->name, dtype_name(t0->dtype));
		if (t->ndim != t0->ndim)
			return op_fail(n, x, GRT_E_SHAPE, "input %d '%s' has rank %d, input 0 '%s' "
			               "has rank %d", i, t->name, t->ndim, t0->name, t0->ndim);
		for (int d = 0; d < t0->ndim; d++)
			if (d != axis && t->dims[d] != t0->dims[d])
				return op_fail(n, x, GRT_E_SHAPE, "input %d '%s' has dim %d = %lld, "
				               "input 0 '%s' has %lld (concat axis %d)", i, t->name, d,
				               (long long)t->dims[d], t0->name,
				               (long long)t0->dims[d], axis);
		if (dims[axis] > INT64_MAX - t->dims[axis])
			return op_fail(n, x, GRT_E_LIMIT, "concatenated axis %d is too long", axis);
		dims[axis] += t->dims[axis];
	}
	if ((rc = set_output(n, x, 0, t0->dtype, t0->ndim, dims)))
		return rc;

	p = plan_alloc(x, sizeof(*p) + (size_t)n->n_inputs * sizeof(p->row_bytes[0]));
	if (!p)
		return GRT_E_NOMEM;
	es = dtype_size(t0->dtype);
	p->outer = 1;
	for (int d = 0; d < axis; d++)
		p->outer *= dims[d];
	for (int d = axis + 1; d < t0->ndim; d++)
		inner *= dims[d];
	p->n_in = n->n_inputs;
	for (int i = 0; i < n->n_inputs; i++)
		p->row_bytes[i] = (size_t)(n->inputs[i]->dims[axis] * inner) * es;
	p->out_row_bytes = (size_t)(dims[axis] * inner) * es;
	n->params = p;
	return GRT_OK;
}

static int concat_run(struct node *n, struct exec *x)
{
	const struct concat_params *p = n->params;
	char *out = n->outputs[0]->data;
	size_t off = 0;

	(void)x;
	for (int i = 0; i < p->n_in; i++) {
		const size_t row = p->row_bytes[i];
		const char *src = n->inputs[i]->data;
		char *dst = out + off;
		if (!row)
			continue;
		copy_blocks(dst, src, 1, 0, 0, p->outer, (int64_t)p->out_row_bytes, (int64_t)row, row);
		off += row;
	}
	return GRT_OK;
}

/* ---- Split ---- */

struct split_params {
	int64_t outer;              /* product of the dims before axis */
	size_t  in_row_bytes;       /* bytes of one input row (axis and the dims after) */
	int     n_out;
	size_t  row_bytes[];        /* [n_out] bytes of one row of output i */
};

/* split == NULL: equal parts. */
static int split_plan(struct node *n, struct exec *x, int code, const int64_t *split,
                      int count)
{
	const struct tensor *in = n->inputs[0];
	struct split_params *p;
	int64_t axis_attr, dims[MAX_DIMS], inner = 1, sum = 0, part = 0;
	size_t es = dtype_size(in->dtype);
	int axis, rc;

	if ((rc = attr_int(n, x, "axis", 0, &axis_attr)))
		return rc;
	if (in->ndim == 0)
		return op_fail(n, x, GRT_E_SHAPE, "cannot split a scalar");
	if ((rc = op_axis(n, x, axis_attr, in->ndim, &axis)))
		return rc;
	if (split) {
		if (count != n->n_outputs)
			return op_fail(n, x, code, "'split' has %d entries for %d outputs", count,
			               n->n_outputs);
		for (int i = 0; i < count; i++) {
			if (split[i] < 0 || split[i] > in->dims[axis])
				return op_fail(n, x, code, "split[%d] = %lld is out of range [0, %lld]",
				               i, (long long)split[i], (long long)in->dims[axis]);
			sum += split[i];
		}
		if (sum != in->dims[axis])
			return op_fail(n, x, code, "'split' sums to %lld, but axis %d has %lld",
			               (long long)sum, axis, (long long)in->dims[axis]);
	} else {
		if (in->dims[axis] % n->n_outputs)
			return op_fail(n, x, GRT_E_SHAPE, "axis %d of size %lld does not split into "
			               "%d equal parts", axis, (long long)in->dims[axis],
			               n->n_outputs);
		part = in->dims[axis] / n->n_outputs;
	}

	p = plan_alloc(x, sizeof(*p) + (size_t)n->n_outputs * sizeof(p->row_bytes[0]));
	if (!p)
		return GRT_E_NOMEM;
	p->outer = 1;
	for (int d = 0; d < axis; d++)
		p->outer *= in->dims[d];
	for (int d = axis + 1; d < in->ndim; d++)
		inner *= in->dims[d];
	p->in_row_bytes = (size_t)(in->dims[axis] * inner) * es;
	p->n_out = n->n_outputs;
	memcpy(dims, in->dims, sizeof(dims));
	for (int i = 0; i < n->n_outputs; i++) {
		dims[axis] = split ? split[i] : part;
		p->row_bytes[i] = (size_t)(dims[axis] * inner) * es;
		if (n->outputs[i] && (rc = set_output(n, x, i, in->dtype, in->ndim, dims)))
			return rc;
	}
	n->params = p;
	return GRT_OK;
}

static int split2_prepare(struct node *n, struct exec *x)
{
	const int64_t *split;
	int count, rc;

	if ((rc = op_check_arity(n, x, 1, 1, 1, n->n_outputs > 1 ? n->n_outputs : 1)))
		return rc;
	if ((rc = attr_ints(n, x, "split", &split, &count)))
		return rc;
	return split_plan(n, x, GRT_E_ATTR, split, count);
}

static int split13_prepare(struct node *n, struct exec *x)
{
	const struct tensor *s;
	const int64_t *split;
	int rc;

	if ((rc = op_check_arity(n, x, 1, 2, 1, n->n_outputs > 1 ? n->n_outputs : 1)))
		return rc;
	s = op_input(n, 1);
	/* an empty 'split' tensor can never match the outputs: read it as absent */
	if (!s || (s->ndim == 1 && s->numel == 0))
		return split_plan(n, x, GRT_E_SHAPE, NULL, 0);
	if (s->dtype != DT_INT64)
		return op_fail(n, x, GRT_E_DTYPE, "input 1 '%s' (split) must be int64, not %s",
		               s->name, dtype_name(s->dtype));
	if (s->ndim != 1)
		return op_fail(n, x, GRT_E_SHAPE, "input 1 '%s' (split) must be 1-D, not rank %d",
		               s->name, s->ndim);
	if (s->numel != n->n_outputs)
		return op_fail(n, x, GRT_E_SHAPE, "'split' has %lld entries for %d outputs",
		               (long long)s->numel, n->n_outputs);
	split = op_const_input(n, x, 1);
	if (!split)
		return op_dynamic(n, x, 1, "split");
	return split_plan(n, x, GRT_E_SHAPE, split, (int)s->numel);
}

/* Opset 18: the sizes come from the 'split' input, or from 'num_outputs' (parts of
 * ceil(dim / num_outputs), the last ones smaller), never from both. */
static int split18_prepare(struct node *n, struct exec *x)
{
	const struct tensor *in = n->inputs[0], *s = op_input(n, 1);
	int64_t num, chunk, left, axis_attr, *split;
	int axis, rc;

	if ((rc = attr_int(n, x, "num_outputs", 0, &num)))
		return rc;
	if (!node_attr(n, "num_outputs"))
		return split13_prepare(n, x);
	if (s)
		return op_fail(n, x, GRT_E_ATTR, "has both the 'split' input and 'num_outputs'");
	if ((rc = op_check_arity(n, x, 1, 1, 1, n->n_outputs > 1 ? n->n_outputs : 1)) ||
	    (rc = attr_int(n, x, "axis", 0, &axis_attr)))
		return rc;
	if (num != n->n_outputs)
		return op_fail(n, x, GRT_E_ATTR, "num_outputs = %lld, but the node has %d outputs",
		               (long long)num, n->n_outputs);
	if (in->ndim == 0)
		return op_fail(n, x, GRT_E_SHAPE, "cannot split a scalar");
	if ((rc = op_axis(n, x, axis_attr, in->ndim, &axis)))
		return rc;
	if (!(split = plan_alloc(x, (size_t)num * sizeof(*split))))
		return GRT_E_NOMEM;
	left = in->dims[axis];
	chunk = (left + num - 1) / num;
	for (int64_t i = 0; i < num; i++) {
		split[i] = left < chunk ? left : chunk;
		left -= split[i];
	}
	return split_plan(n, x, GRT_E_ATTR, split, (int)num);
}

static int split_run(struct node *n, struct exec *x)
{
	const struct split_params *p = n->params;
	const char *in = n->inputs[0]->data;
	size_t off = 0;

	(void)x;
	for (int i = 0; i < p->n_out; i++) {
		const size_t row = p->row_bytes[i];
		const struct tensor *t = n->outputs[i];
		const char *src = in + off;
		char *dst;
		off += row;
		if (!t || !row)
			continue;
		dst = t->data;
		copy_blocks(dst, src, 1, 0, 0, p->outer, (int64_t)row, (int64_t)p->in_row_bytes, row);
	}
	return GRT_OK;
}

/* ---- Transpose ---- */

/* d[p * ods + l] = s[l * sis + p], p in [0, np), l in [0, nl): one tile of a
 * transpose whose output's last axis (l) is strided in the input and whose
 * input's last axis (p) is strided in the output. 4x4 blocks of elements. */
typedef void tile_fn(void *restrict dst, const void *restrict src, int64_t np, int64_t nl,
                     int64_t ods, int64_t sis);

/* tile_u8 .. tile_u64 (ops/tensor/transpose_tile.h) */
#define KN(name) name##_u8
#define T uint8_t
#include "ops/tensor/transpose_tile.h"
#define KN(name) name##_u16
#define T uint16_t
#include "ops/tensor/transpose_tile.h"
#define KN(name) name##_u32
#define T uint32_t
#define ZIP2 copy_zip2_u32
#define UNZIP2 copy_every2_u32
#include "ops/tensor/transpose_tile.h"
#define KN(name) name##_u64
#define T uint64_t
#include "ops/tensor/transpose_tile.h"

/* Tile edge in elements: 32 x 32 keeps a tile's 32 input and 32 output
 * lines (and pages) in the first-level cache and TLB. */
#define TILE 32

enum transpose_kind {
	TR_ROWS,   /* the output's last axis is the input's: copy rows */
	TR_TILES,  /* it is not: 2-D tiles over that axis and the input's last one */
	TR_PAIRS,  /* 4-byte [L][M][2] to [2][M][L] (interleaved complex values split
	            * into planes): 4x4 blocks in vector registers */
	TR_UNPAIRS, /* and back: [2][M][L] to [L][M][2] */
};

struct transpose_params {
	int     ndim;               /* rank after dropping size-1 axes and merging (>= 1) */
	int64_t dims[MAX_DIMS];     /* [ndim] output dims of the merged copy */
	int64_t stride[MAX_DIMS];   /* [ndim] input element step per output step */
	size_t  es;                 /* element size in bytes */
	enum transpose_kind kind;
	/* TR_ROWS: rows of row_bytes; the two axes before the last are walked
	 * inside copy_blocks (n[1] x n[0] rows, input steps in_step[] bytes), the
	 * others by an odometer over the outer axes [0, ndim - 3). */
	size_t  row_bytes;
	int64_t n[2], in_step[2];   /* [0]: axis ndim - 2, [1]: axis ndim - 3 */
	/* TR_TILES: p = the axis whose input stride is 1, l = the last axis; the
	 * other (middle) axes are walked inside each pair of tile ranges, so a
	 * tile's input lines are reused while they are cached. */
	int     axis_p;
	int64_t out_stride_p;       /* output element step of axis p */
	int     n_mid;
	int64_t mid_dims[MAX_DIMS]; /* [n_mid] in output order */
	int64_t mid_in[MAX_DIMS];   /* [n_mid] input element step */
	int64_t mid_out[MAX_DIMS];  /* [n_mid] output element step */
	tile_fn *tile;
};

/* The copy of a transpose of an input of rank r and in_dims (row-major) by
 * perm pm, elements of es bytes (the output's shape is set by the caller, who
 * may see the input and the output with other shapes of the same elements). */
static int transpose_plan(struct node *n, struct exec *x, int r, const int64_t *in_dims,
                          const int *pm, size_t es)
{
	struct transpose_params *p;
	int64_t dims[MAX_DIMS], in_stride[MAX_DIMS], out_stride[MAX_DIMS] = { 0 }, s = 1;
	int k;

	for (int d = r - 1; d >= 0; d--) {
		in_stride[d] = s;
		s *= in_dims[d];
	}
	for (int j = 0; j < r; j++)
		dims[j] = in_dims[pm[j]];
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	p->es = es;
	/* output axis j steps the input by in_stride[pm[j]]; drop size-1 axes and
	 * merge j into the previous axis when the input is contiguous across both */
	for (int j = 0; j < r; j++) {
		int64_t st = in_stride[pm[j]];
		k = p->ndim;
		if (dims[j] == 1)
			continue;
		if (k && p->stride[k - 1] == st * dims[j]) {
			p->dims[k - 1] *= dims[j];
			p->stride[k - 1] = st;
			continue;
		}
		p->dims[k] = dims[j];
		p->stride[k] = st;
		p->ndim++;
	}
	if (!p->ndim) {
		p->ndim = 1;
		p->dims[0] = 1;
		p->stride[0] = 1;
	}
	k = p->ndim;
	n->view = k == 1 && p->stride[0] == 1;   /* the order of the elements is kept */
	n->params = p;
	if (p->stride[k - 1] == 1) {
		p->kind = TR_ROWS;
		p->row_bytes = (size_t)p->dims[k - 1] * p->es;
		for (int i = 0; i < 2; i++) {
			p->n[i] = k >= 2 + i ? p->dims[k - 2 - i] : 1;
			p->in_step[i] = k >= 2 + i ? p->stride[k - 2 - i] * (int64_t)p->es : 0;
		}
		return GRT_OK;
	}
	if (k == 3 && p->es == 4 && p->dims[0] == 2 && p->stride[0] == 1 && p->stride[1] == 2 &&
	    p->stride[2] == 2 * p->dims[1]) {
		p->kind = TR_PAIRS;
		return GRT_OK;
	}
	if (k == 3 && p->es == 4 && p->dims[2] == 2 && p->stride[0] == 1 &&
	    p->stride[1] == p->dims[0] && p->stride[2] == p->dims[0] * p->dims[1]) {
		p->kind = TR_UNPAIRS;
		return GRT_OK;
	}
	p->kind = TR_TILES;
	switch (p->es) {
	case 1: p->tile = tile_u8; break;
	case 2: p->tile = tile_u16; break;
	case 4: p->tile = tile_u32; break;
	default: p->tile = tile_u64; break;
	}
	s = 1;
	for (int j = k - 1; j >= 0; j--) {
		out_stride[j] = s;
		s *= p->dims[j];
	}
	/* after dropping size-1 axes, the input's last axis is some output axis
	 * with stride 1 (not the last one, or this would be TR_ROWS) */
	p->axis_p = 0;
	for (int j = 0; j < k; j++)
		if (p->stride[j] == 1)
			p->axis_p = j;
	p->out_stride_p = out_stride[p->axis_p];
	for (int j = 0; j < k - 1; j++) {
		if (j == p->axis_p)
			continue;
		p->mid_dims[p->n_mid] = p->dims[j];
		p->mid_in[p->n_mid] = p->stride[j];
		p->mid_out[p->n_mid] = out_stride[j];
		p->n_mid++;
	}
	return GRT_OK;
}

static int transpose_prepare(struct node *n, struct exec *x)
{
	const struct tensor *in;
	const int64_t *perm;
	int64_t dims[MAX_DIMS];
	int pm[MAX_DIMS], count, r, rc;
	unsigned seen = 0;

	if ((rc = op_check_arity(n, x, 1, 1, 1, 1)))
		return rc;
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	in = n->inputs[0];
	r = in->ndim;
	if ((rc = attr_ints(n, x, "perm", &perm, &count)))
		return rc;
	if (count >= 0 && count != r)
		return op_fail(n, x, GRT_E_ATTR, "attribute 'perm' has %d entries for rank %d",
		               count, r);
	for (int j = 0; j < r; j++) {
		int64_t a = count >= 0 ? perm[j] : r - 1 - j;   /* default: reversed */
		if (a < 0 || a >= r || (seen & (1u << a)))
			return op_fail(n, x, GRT_E_ATTR, "attribute 'perm' is not a permutation of "
			               "0..%d (perm[%d] = %lld)", r - 1, j, (long long)a);
		seen |= 1u << a;
		pm[j] = (int)a;
	}
	for (int j = 0; j < r; j++)
		dims[j] = in->dims[pm[j]];
	if ((rc = set_output(n, x, 0, in->dtype, r, dims)))
		return rc;
	return transpose_plan(n, x, r, in->dims, pm, dtype_size(in->dtype));
}

/* ---- DepthToSpace, SpaceToDepth ---- */

/* Both are a transpose of a 6-D view of the 4-D input [N, C, H, W] (the spec's
 * reshape-transpose-reshape): DepthToSpace DCR views [N, b, b, C/b^2, H, W] with
 * perm [0, 3, 4, 1, 5, 2], CRD [N, C/b^2, b, b, H, W] with [0, 1, 4, 2, 5, 3];
 * SpaceToDepth views [N, C, H/b, b, W/b, b] with [0, 3, 5, 1, 2, 4]. */
static int space_depth_prepare(struct node *n, struct exec *x)
{
	static const int dcr[6] = { 0, 3, 4, 1, 5, 2 }, crd[6] = { 0, 1, 4, 2, 5, 3 };
	static const int s2d[6] = { 0, 3, 5, 1, 2, 4 };
	const int to_space = !strcmp(n->op_type, "DepthToSpace");
	const struct tensor *in;
	const char *mode = "DCR";
	int64_t bs, b2, d[4], view[6], dims[4];
	const int *pm = s2d;
	int rc;

	if ((rc = op_check_arity(n, x, 1, 1, 1, 1)) ||
	    (rc = attr_int(n, x, "blocksize", 0, &bs)))
		return rc;
	if (to_space && n->opset >= 11 && (rc = attr_string(n, x, "mode", "DCR", &mode)))
		return rc;
	in = n->inputs[0];
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (in->ndim != 4)
		return op_fail(n, x, GRT_E_SHAPE, "input must have rank 4, has %d", in->ndim);
	if (!dtype_size(in->dtype))
		return op_fail(n, x, GRT_E_DTYPE, "input has unsupported element type %s",
		               dtype_name(in->dtype));
	if (bs < 1 || bs > 65536)
		return op_fail(n, x, GRT_E_ATTR, "blocksize %lld is not in [1, 65536]",
		               (long long)bs);
	if (strcmp(mode, "DCR") && strcmp(mode, "CRD"))
		return op_fail(n, x, GRT_E_ATTR, "mode '%s' is not DCR or CRD", mode);
	memcpy(d, in->dims, sizeof(d));
	b2 = bs * bs;
	if (to_space) {
		if (d[1] % b2)
			return op_fail(n, x, GRT_E_SHAPE, "channels %lld are not a multiple of "
			               "blocksize^2 = %lld", (long long)d[1], (long long)b2);
		pm = mode[0] == 'D' ? dcr : crd;
		memcpy(view, mode[0] == 'D' ? (int64_t[6]){ d[0], bs, bs, d[1] / b2, d[2], d[3] }
		                           : (int64_t[6]){ d[0], d[1] / b2, bs, bs, d[2], d[3] },
		       sizeof(view));
		memcpy(dims, (int64_t[4]){ d[0], d[1] / b2, d[2] * bs, d[3] * bs }, sizeof(dims));
	} else {
		if (d[2] % bs || d[3] % bs)
			return op_fail(n, x, GRT_E_SHAPE, "height %lld and width %lld are not "
			               "multiples of blocksize %lld", (long long)d[2], (long long)d[3],
			               (long long)bs);
		memcpy(view, (int64_t[6]){ d[0], d[1], d[2] / bs, bs, d[3] / bs, bs }, sizeof(view));
		memcpy(dims, (int64_t[4]){ d[0], d[1] * b2, d[2] / bs, d[3] / bs }, sizeof(dims));
	}
	if ((rc = set_output(n, x, 0, in->dtype, 4, dims)))
		return rc;
	return transpose_plan(n, x, 6, view, pm, dtype_size(in->dtype));
}

static void transpose_rows(const struct transpose_params *p, char *dst, const char *src,
                           int64_t numel)
{
	const int last = p->ndim - 1;
	const int64_t row = (int64_t)p->row_bytes;
	const int64_t per = p->n[1] * p->n[0] * p->dims[last];  /* elements per call */
	const int64_t calls = numel / per;
	int64_t idx[MAX_DIMS] = { 0 }, off = 0;

	for (int64_t i = 0; i < calls; i++) {
		copy_blocks(dst, src + off * (int64_t)p->es, p->n[1], p->n[0] * row, p->in_step[1],
		            p->n[0], row, p->in_step[0], p->row_bytes);
		dst += (size_t)per * p->es;
		/* odometer over the axes before the last three */
		for (int d = last - 3; d >= 0; d--) {
			off += p->stride[d];
			if (++idx[d] < p->dims[d])
				break;
			off -= p->stride[d] * p->dims[d];
			idx[d] = 0;
		}
	}
}

static void transpose_tiles(const struct transpose_params *p, char *dst, const char *src)
{
	const int last = p->ndim - 1;
	const int64_t np = p->dims[p->axis_p], nl = p->dims[last], sis = p->stride[last];
	const int64_t ods = p->out_stride_p;
	const size_t es = p->es;
	int64_t n_mid = 1;

	for (int m = 0; m < p->n_mid; m++)
		n_mid *= p->mid_dims[m];
	for (int64_t p0 = 0; p0 < np; p0 += TILE) {
		const int64_t tp = np - p0 < TILE ? np - p0 : TILE;
		for (int64_t l0 = 0; l0 < nl; l0 += TILE) {
			const int64_t tl = nl - l0 < TILE ? nl - l0 : TILE;
			const char *s0 = src + (size_t)(l0 * sis + p0) * es;
			char *d0 = dst + (size_t)(p0 * ods + l0) * es;
			int64_t idx[MAX_DIMS] = { 0 }, ioff = 0, ooff = 0;

			for (int64_t i = 0; i < n_mid; i++) {
				p->tile(d0 + (size_t)ooff * es, s0 + (size_t)ioff * es, tp, tl, ods,
				        sis);
				for (int m = p->n_mid - 1; m >= 0; m--) {
					ioff += p->mid_in[m];
					ooff += p->mid_out[m];
					if (++idx[m] < p->mid_dims[m])
						break;
					ioff -= p->mid_in[m] * p->mid_dims[m];
					ooff -= p->mid_out[m] * p->mid_dims[m];
					idx[m] = 0;
				}
			}
		}
	}
}

/* TR_PAIRS / TR_UNPAIRS: [L][M][2] <-> [2][M][L], 4-byte elements. Tiles of
 * 16 x 16 (l, m) keep the source rows and destination lines in cache; inside,
 * blocks of 4 l by 2 m are four 16-byte loads transposed 4x4 in registers into
 * four 16-byte stores (u32x4, ld4, st4 and SHUF4: ops/copy.h). */

/* The 4x4 transpose of rows r[0..3], in place. */
static inline __attribute__((always_inline)) void t4x4(u32x4 *r)
{
	u32x4 a = SHUF4(r[0], r[1], 0, 4, 1, 5);
	u32x4 b = SHUF4(r[2], r[3], 0, 4, 1, 5);
	u32x4 c = SHUF4(r[0], r[1], 2, 6, 3, 7);
	u32x4 e = SHUF4(r[2], r[3], 2, 6, 3, 7);

	r[0] = SHUF4(a, b, 0, 1, 4, 5);
	r[1] = SHUF4(a, b, 2, 3, 6, 7);
	r[2] = SHUF4(c, e, 0, 1, 4, 5);
	r[3] = SHUF4(c, e, 2, 3, 6, 7);
}

/* back = 0: d[c][m][l] = s[l][m][c]; back = 1: d[l][m][c] = s[c][m][l]; c in {0, 1}
 * (a constant where inlined). */
static inline __attribute__((always_inline)) void
pairs_body(uint32_t *restrict d, const uint32_t *restrict s, int64_t M, int64_t L,
           const int back)
{
	const int64_t plane = M * L;

	for (int64_t l0 = 0; l0 < L; l0 += 16)
		for (int64_t m0 = 0; m0 < M; m0 += 16) {
			const int64_t l1 = l0 + 16 < L ? l0 + 16 : L, m1 = m0 + 16 < M ? m0 + 16 : M;
			int64_t l = l0;
			for (; l + 4 <= l1; l += 4) {
				int64_t m = m0;
				for (; m + 2 <= m1; m += 2) {
					/* the pairs side: row i = [l+i][m][0..1], [l+i][m+1][0..1];
					 * the planes side: rows (c, m), (c, m+1) over l..l+3 */
					u32x4 r[4];
					if (!back) {
						for (int i = 0; i < 4; i++)
							r[i] = ld4(s + ((l + i) * M + m) * 2);
						t4x4(r);
						st4(d + m * L + l, r[0]);
						st4(d + plane + m * L + l, r[1]);
						st4(d + (m + 1) * L + l, r[2]);
						st4(d + plane + (m + 1) * L + l, r[3]);
					} else {
						r[0] = ld4(s + m * L + l);
						r[1] = ld4(s + plane + m * L + l);
						r[2] = ld4(s + (m + 1) * L + l);
						r[3] = ld4(s + plane + (m + 1) * L + l);
						t4x4(r);
						for (int i = 0; i < 4; i++)
							st4(d + ((l + i) * M + m) * 2, r[i]);
					}
				}
				for (; m < m1; m++)
					for (int64_t i = l; i < l + 4; i++)
						for (int c = 0; c < 2; c++) {
							if (!back)
								d[c * plane + m * L + i] = s[(i * M + m) * 2 + c];
							else
								d[(i * M + m) * 2 + c] = s[c * plane + m * L + i];
						}
			}
			for (; l < l1; l++)
				for (int64_t m = m0; m < m1; m++)
					for (int c = 0; c < 2; c++) {
						if (!back)
							d[c * plane + m * L + l] = s[(l * M + m) * 2 + c];
						else
							d[(l * M + m) * 2 + c] = s[c * plane + m * L + l];
					}
		}
}

static void transpose_pairs(uint32_t *restrict d, const uint32_t *restrict s, int64_t M,
                            int64_t L, int back)
{
	if (back)
		pairs_body(d, s, M, L, 1);
	else
		pairs_body(d, s, M, L, 0);
}

static int transpose_run(struct node *n, struct exec *x)
{
	const struct transpose_params *p = n->params;
	const char *src = n->inputs[0]->data;
	struct tensor *out = n->outputs[0];

	(void)x;
	if (!out->numel)
		return GRT_OK;
	if (p->kind == TR_ROWS)
		transpose_rows(p, out->data, src, out->numel);
	else if (p->kind == TR_PAIRS)
		transpose_pairs(out->data, (const uint32_t *)src, p->dims[1], p->dims[2], 0);
	else if (p->kind == TR_UNPAIRS)
		transpose_pairs(out->data, (const uint32_t *)src, p->dims[1], p->dims[0], 1);
	else
		transpose_tiles(p, out->data, src);
	return GRT_OK;
}

const struct op_def op_concat = {
	"Concat", 1, OPSET_LATEST, concat_prepare, concat_run, OP_MOVES_DATA, NULL };
const struct op_def op_split_2 = {
	"Split", 2, 12, split2_prepare, split_run, OP_MOVES_DATA, NULL };
const struct op_def op_split_13 = {
	"Split", 13, 17, split13_prepare, split_run, OP_MOVES_DATA, NULL };
const struct op_def op_split_18 = {
	"Split", 18, OPSET_LATEST, split18_prepare, split_run, OP_MOVES_DATA, NULL };
const struct op_def op_depth_to_space = {
	"DepthToSpace", 1, OPSET_LATEST, space_depth_prepare, transpose_run, OP_MOVES_DATA, NULL };
const struct op_def op_space_to_depth = {
	"SpaceToDepth", 1, OPSET_LATEST, space_depth_prepare, transpose_run, OP_MOVES_DATA, NULL };
const struct op_def op_transpose = {
	"Transpose", 1, OPSET_LATEST, transpose_prepare, transpose_run, OP_MOVES_DATA, NULL };
