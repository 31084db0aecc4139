/* pad.c - Pad (https://onnx.ai/onnx/operators/onnx__Pad.html): opsets 2-10 (pads and
 * value attributes) and 11+ (pads, constant_value and, from 18, axes inputs; mode
 * constant/reflect/edge, wrap from 19). Negative pads crop first, then the other
 * modes pad the cropped data. prepare maps every output index of every axis to
 * an input index (or -1 = constant); run() copies rows: fill, memcpy, fill. */
#include <stdint.h>
#include <string.h>
#include "ops/op.h"

enum pad_mode { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE, PAD_WRAP };

struct pad_params {
	int     ndim;               /* rank after merging unpadded inner axes (constant mode) */
	int64_t out_dims[MAX_DIMS]; /* [ndim] output dims */
	int64_t in_stride[MAX_DIMS];/* [ndim] input element stride */
	const int64_t *map[MAX_DIMS]; /* [ndim][out_dims[a]] input index along axis a, or -1 */
	int64_t copy_at;            /* innermost axis: output [copy_at, copy_at + copy_len) */
	int64_t copy_from;          /*   is input [copy_from, ...), contiguous */
	int64_t copy_len;
	int64_t numel;              /* output elements */
	size_t  es;                 /* element size in bytes */
	uint8_t value[8];           /* constant as the data's element type */
	int     value_input;        /* 1: take the constant from input 2 at run time */
	enum pad_mode mode;
};

/* One axis as the pads describe it. */
struct pad_axis {
	int64_t in;     /* input dim */
	int64_t lo, hi; /* pads at the start and end; negative = crop */
};

/* Where output index i of an axis reads its input: the index, or -1. */
static int64_t pad_source(enum pad_mode mode, int64_t i, int64_t pl, int64_t crop, int64_t w)
{
	int64_t j = i - pl;

	if (j >= 0 && j < w)
		return crop + j;
	switch (mode) {
	case PAD_EDGE:
		j = j < 0 ? 0 : w - 1;
		break;
	case PAD_REFLECT:
		j = j < 0 ? -j : 2 * (w - 1) - j;
		break;
	case PAD_WRAP:
		j = ((j % w) + w) % w;
		break;
	case PAD_CONSTANT:
		return -1;
	}
	return crop + j;
}

static const char *const mode_names[] = { "constant", "reflect", "edge", "wrap" };

static int pad_plan(struct node *n, struct exec *x, enum pad_mode mode, struct pad_axis *ax)
{
	const struct tensor *in = n->inputs[0];
	struct tensor *out = op_output(n, 0);
	struct pad_params *p;
	int64_t odims[MAX_DIMS];
	int r = in->ndim, rc;

	if (!out)
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	for (int a = 0; a < r; a++) {
		int64_t lo = ax[a].lo, hi = ax[a].hi, d = ax[a].in, w, pl, ph;

		if (lo < -d || hi < -d || (w = d + (lo < 0 ? lo : 0) + (hi < 0 ? hi : 0)) < 0)
			return op_fail(n, x, GRT_E_ATTR, "pads %lld, %lld crop more than the %lld "
			               "elements of axis %d", (long long)lo, (long long)hi,
			               (long long)d, a);
		if (lo > INT64_MAX / 4 || hi > INT64_MAX / 4)
			return op_fail(n, x, GRT_E_LIMIT, "pads %lld, %lld on axis %d are too large",
			               (long long)lo, (long long)hi, a);
		pl = lo > 0 ? lo : 0;
		ph = hi > 0 ? hi : 0;
		if (mode != PAD_CONSTANT && (pl || ph) && w == 0)
			return op_fail(n, x, GRT_E_ATTR, "%s mode cannot pad axis %d, which has no "
			               "elements", mode_names[mode], a);
		if (mode == PAD_REFLECT && (pl >= w || ph >= w) && (pl || ph))
			return op_fail(n, x, GRT_E_ATTR, "reflect mode needs pads smaller than the "
			               "axis: pads %lld, %lld on axis %d of length %lld",
			               (long long)pl, (long long)ph, a, (long long)w);
		odims[a] = pl + w + ph;
	}
	if ((rc = tensor_set_shape(out, in->dtype, r, odims)))
		return op_fail(n, x, rc, "output shape too large");
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	p->es = dtype_size(in->dtype);
	p->numel = out->numel;
	p->mode = mode;
	n->params = p;
	if (r == 0 || !p->numel)
		return GRT_OK;   /* run() copies the scalar, or has nothing to write */

	/* constant mode: an axis without pads merges into the axis before it (a
	 * pad of k rows there is a pad of k * rowsize elements) */
	{
		struct pad_axis m[MAX_DIMS];
		int nm = 0;

		for (int a = 0; a < r; a++) {
			if (nm > 0 && mode == PAD_CONSTANT && ax[a].lo == 0 && ax[a].hi == 0) {
				m[nm - 1].in *= ax[a].in;
				m[nm - 1].lo *= ax[a].in;
				m[nm - 1].hi *= ax[a].in;
				continue;
			}
			m[nm++] = ax[a];
		}
		p->ndim = nm;
		for (int a = nm - 1; a >= 0; a--)
			p->in_stride[a] = a == nm - 1 ? 1 : p->in_stride[a + 1] * m[a + 1].in;
		for (int a = 0; a < nm; a++) {
			int64_t lo = m[a].lo, hi = m[a].hi;
			int64_t crop = lo < 0 ? -lo : 0;
			int64_t w = m[a].in - crop - (hi < 0 ? -hi : 0);
			int64_t pl = lo > 0 ? lo : 0, ph = hi > 0 ? hi : 0;
			int64_t od = pl + w + ph;
			int64_t *map;

			p->out_dims[a] = od;
			if (a == nm - 1) {
				p->copy_at = pl;
				p->copy_from = crop;
				p->copy_len = w;
				if (mode == PAD_CONSTANT)
					break;   /* the innermost row needs no map */
			}
			if (!(map = plan_alloc(x, (size_t)(od ? od : 1) * sizeof(int64_t))))
				return GRT_E_NOMEM;
			for (int64_t i = 0; i < od; i++)
				map[i] = pad_source(mode, i, pl, crop, w);
			p->map[a] = map;
		}
	}
	return GRT_OK;
}

/* Fills n elements of es bytes with the value v. */
static void fill_elems(char *restrict dst, const uint8_t *v, size_t es, int64_t n)
{
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	switch (es) {
	case 8:
		memcpy(&v64, v, 8);
		for (int64_t i = 0; i < n; i++)
			((uint64_t *)dst)[i] = v64;
		break;
	case 4:
		memcpy(&v32, v, 4);
		for (int64_t i = 0; i < n; i++)
			((uint32_t *)dst)[i] = v32;
		break;
	case 2:
		memcpy(&v16, v, 2);
		for (int64_t i = 0; i < n; i++)
			((uint16_t *)dst)[i] = v16;
		break;
	default:
		memset(dst, v[0], (size_t)n);
		break;
	}
}

/* Output elements [from, to) of one row: from the map, or the constant. */
static void map_elems(char *restrict dst, const char *restrict src, const int64_t *map,
                      int64_t from, int64_t to, size_t es, const uint8_t *v)
{
	for (int64_t i = from; i < to; i++) {
		if (map[i] < 0)
			memcpy(dst + (size_t)i * es, v, es);
		else
			memcpy(dst + (size_t)i * es, src + (size_t)map[i] * es, es);
	}
}

static int pad_run(struct node *n, struct exec *x)
{
	const struct pad_params *p = n->params;
	const char *src = n->inputs[0]->data;
	char *dst = n->outputs[0]->data;
	const struct tensor *cv = op_input(n, 2);
	uint8_t v[8];
	int64_t idx[MAX_DIMS] = { 0 };
	int64_t row, rows;
	size_t es = p->es;
	int last = p->ndim - 1;

	(void)x;
	memcpy(v, p->value, sizeof(v));
	if (p->value_input && cv && cv->numel)
		memcpy(v, cv->data, es);
	if (!p->numel)
		return GRT_OK;
	if (p->ndim == 0) {
		memcpy(dst, src, es);
		return GRT_OK;
	}
	row = p->out_dims[last];
	rows = p->numel / row;
	for (int64_t r = 0; r < rows; r++, dst += (size_t)row * es) {
		const int64_t *map = p->map[last];   /* NULL in constant mode */
		int64_t off = 0, at = p->copy_at, len = p->copy_len;
		int outside = 0;

		for (int a = 0; a < last; a++) {
			int64_t s = p->map[a][idx[a]];
			if (s < 0) {
				outside = 1;
				break;
			}
			off += s * p->in_stride[a];
		}
		/* odometer over the outer axes, for the next row */
		for (int a = last - 1; a >= 0; a--) {
			if (++idx[a] < p->out_dims[a])
				break;
			idx[a] = 0;
		}
		if (outside) {
			fill_elems(dst, v, es, row);
			continue;
		}
		if (p->mode == PAD_CONSTANT) {
			/* fill, copy, fill */
			fill_elems(dst, v, es, at);
			memcpy(dst + (size_t)at * es, src + (size_t)(off + p->copy_from) * es,
			       (size_t)len * es);
			fill_elems(dst + (size_t)(at + len) * es, v, es, row - at - len);
			continue;
		}
		map_elems(dst, src + (size_t)off * es, map, 0, at, es, v);
		memcpy(dst + (size_t)at * es, src + (size_t)(off + p->copy_from) * es,
		       (size_t)len * es);
		map_elems(dst, src + (size_t)off * es, map, at + len, row, es, v);
	}
	return GRT_OK;
}

/* Stores the float f as one element of type dt (float, double or float16,
 * the types Pad-2 allows) into v. */
static void pad_value_from_float(enum dtype dt, float f, uint8_t *v)
{
	double d = f;
	uint16_t h = float_to_half(f);

	if (dt == DT_DOUBLE)
		memcpy(v, &d, 8);
	else if (dt == DT_FLOAT16)
		memcpy(v, &h, 2);
	else
		memcpy(v, &f, 4);
}

static int pad_mode_attr(struct node *n, struct exec *x, enum pad_mode *mode)
{
	const char *s;
	int rc, nmodes = n->opset >= 19 ? 4 : 3;

	if ((rc = attr_string(n, x, "mode", "constant", &s)))
		return rc;
	for (int m = 0; m < nmodes; m++) {
		if (!strcmp(s, mode_names[m])) {
			*mode = (enum pad_mode)m;
			return GRT_OK;
		}
	}
	return op_fail(n, x, GRT_E_ATTR, "mode '%s' is not one of constant, reflect, edge%s",
	               s, nmodes == 4 ? ", wrap" : "");
}

static int pad2_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types[] = { DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_UNDEFINED };
	struct pad_axis ax[MAX_DIMS];
	const int64_t *pads;
	enum pad_mode mode;
	float value;
	int np, r, rc;

	if ((rc = op_check_arity(n, x, 1, 1, 1, 1)) ||
	    (rc = op_check_dtype(n, x, 0, types)) ||
	    (rc = pad_mode_attr(n, x, &mode)) ||
	    (rc = attr_ints(n, x, "pads", &pads, &np)) ||
	    (rc = attr_float(n, x, "value", 0.0f, &value)))
		return rc;
	r = n->inputs[0]->ndim;
	if (np < 0)
		return op_fail(n, x, GRT_E_ATTR, "attribute 'pads' is required");
	if (np != 2 * r)
		return op_fail(n, x, GRT_E_ATTR, "pads has %d entries, expected 2 * rank = %d",
		               np, 2 * r);
	for (int a = 0; a < r; a++) {
		ax[a].in = n->inputs[0]->dims[a];
		ax[a].lo = pads[a];
		ax[a].hi = pads[a + r];
	}
	if ((rc = pad_plan(n, x, mode, ax)))
		return rc;
	pad_value_from_float(n->inputs[0]->dtype, value, ((struct pad_params *)n->params)->value);
	return GRT_OK;
}

static int pad11_prepare(struct node *n, struct exec *x)
{
	static const enum dtype numeric[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_INT8, DT_INT16, DT_INT32, DT_INT64,
		DT_UINT8, DT_UINT16, DT_UINT32, DT_UINT64, DT_UNDEFINED };
	static const enum dtype all[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_INT8, DT_INT16, DT_INT32,
		DT_INT64, DT_UINT8, DT_UINT16, DT_UINT32, DT_UINT64, DT_BOOL, DT_UNDEFINED };
	static const enum dtype ind_types[] = { DT_INT32, DT_INT64, DT_UNDEFINED };
	static const enum dtype pads_types[] = { DT_INT64, DT_UNDEFINED };
	struct pad_axis ax[MAX_DIMS];
	int64_t pads[2 * MAX_DIMS], axes[MAX_DIMS];
	const struct tensor *in, *pt, *cv, *at;
	enum pad_mode mode;
	int seen[MAX_DIMS] = { 0 };
	int r, na, rc;

	if ((rc = op_check_arity(n, x, 2, n->opset >= 18 ? 4 : 3, 1, 1)) ||
	    (rc = op_check_dtype(n, x, 0, n->opset >= 13 ? all : numeric)) ||
	    (rc = op_check_dtype(n, x, 1, pads_types)) ||
	    (rc = op_check_dtype(n, x, 3, ind_types)) ||
	    (rc = pad_mode_attr(n, x, &mode)))
		return rc;
	in = n->inputs[0];
	pt = n->inputs[1];
	cv = op_input(n, 2);
	at = op_input(n, 3);
	r = in->ndim;

	/* axes (opset 18): which axes the pads are for; default all */
	na = r;
	for (int a = 0; a < r; a++)
		axes[a] = a;
	if (at) {
		if (at->ndim != 1 || at->numel > r)
			return op_fail(n, x, GRT_E_SHAPE, "axes must be 1-D with at most %d entries",
			               r);
		if (!op_const_input(n, x, 3) && at->numel)
			return op_dynamic(n, x, 3, "axes");
		na = (int)at->numel;
		if (na && (rc = tensor_read_ints(at, axes, na)))
			return rc;
	}
	/* 1-D as the spec says; (1, 2n) as some exporters write it, accepted like ORT */
	if (pt->numel != 2 * na || pt->ndim > 2 || (pt->ndim == 2 && pt->dims[0] != 1))
		return op_fail(n, x, GRT_E_ATTR, "pads has %lld entries (rank %d), expected %d "
		               "in a 1-D tensor", (long long)pt->numel, pt->ndim, 2 * na);
	if (!op_const_input(n, x, 1) && pt->numel)
		return op_dynamic(n, x, 1, "pads");
	if (pt->numel)
		memcpy(pads, pt->data, (size_t)pt->numel * sizeof(int64_t));
	for (int a = 0; a < r; a++) {
		ax[a].in = in->dims[a];
		ax[a].lo = 0;
		ax[a].hi = 0;
	}
	for (int i = 0; i < na; i++) {
		int a;
		if ((rc = op_axis(n, x, axes[i], r, &a)))
			return rc;
		if (seen[a]++)
			return op_fail(n, x, GRT_E_ATTR, "axis %d appears twice in axes", a);
		ax[a].lo = pads[i];
		ax[a].hi = pads[i + na];
	}

	if (cv) {
		if (cv->dtype != in->dtype)
			return op_fail(n, x, GRT_E_DTYPE, "constant_value is %s but data is %s",
			               dtype_name(cv->dtype), dtype_name(in->dtype));
		if (cv->numel > 1)
			return op_fail(n, x, GRT_E_SHAPE, "constant_value must be a scalar, has %lld "
			               "elements", (long long)cv->numel);
	}
	if ((rc = pad_plan(n, x, mode, ax)))
		return rc;
	((struct pad_params *)n->params)->value_input = cv != NULL;
	return GRT_OK;
}

const struct op_def op_pad_2 = { "Pad", 2, 10, pad2_prepare, pad_run, OP_MOVES_DATA, NULL };
const struct op_def op_pad_11 = { "Pad", 11, OPSET_LATEST, pad11_prepare, pad_run, OP_MOVES_DATA, NULL };
