/* resize.c - Resize (https://onnx.ai/onnx/operators/onnx__Resize.html, opsets 10, 11,
 * 13, 18, 19) and Upsample (opsets 7 and 9, scales an attribute, then an input).
 * Separable: prepare builds, per axis and output index, the input offsets and weights
 * of its taps (nearest: 1, linear: 2, cubic: 4, more with antialias when shrinking),
 * as the ONNX reference defines them (coordinates in float). run() goes row by row
 * along the last axis: nearest gathers, linear and cubic blend the input rows of the
 * other axes' taps into one row, then apply the last axis' taps to it. */
#include <math.h>
#include <string.h>
#include "ops/op.h"

enum rs_mode { RS_NEAREST, RS_LINEAR, RS_CUBIC };
enum rs_ctm {
	CTM_HALF_PIXEL, CTM_HALF_PIXEL_SYMMETRIC, CTM_PYTORCH_HALF_PIXEL, CTM_ALIGN_CORNERS,
	CTM_ASYMMETRIC, CTM_TF_HALF_PIXEL_FOR_NN, CTM_TF_CROP_AND_RESIZE,
};
/* SIMPLE: Resize-10 and Upsample (ONNX Runtime's): floor, ceil when shrinking */
enum rs_nearest { NR_PREFER_FLOOR, NR_PREFER_CEIL, NR_FLOOR, NR_CEIL, NR_SIMPLE };

static const char *const mode_names[] = { "nearest", "linear", "cubic", NULL };
static const char *const ctm_names[] = {
	"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
	"asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize", NULL,
};
static const char *const nearest_names[] = {
	"round_prefer_floor", "round_prefer_ceil", "floor", "ceil", NULL,
};
static const char *const policy_names[] = { "stretch", "not_larger", "not_smaller", NULL };

/* An output axis from scales is refused from this size up (and a float that large
 * does not convert to an integer safely). */
#define RS_DIM_MAX 1e12f

/* antialias widens the filter to 1 / scale taps: smaller scales are refused */
#define RS_AA_MIN (1.0f / 4096)

struct rs_attrs {
	enum rs_mode mode;
	enum rs_ctm ctm;
	enum rs_nearest nearest;
	float cubic_a;
	int exclude_outside;
	int antialias;
	float extrapolation;
	int policy;                 /* index into policy_names */
};

/* One axis: output index j reads taps t < nt at input element offset off[j * nt + t]
 * (index times the axis' input stride) with weight w[j * nt + t]; out[j] marks an
 * output whose coordinate lies outside the input (tf_crop_and_resize: the
 * extrapolation value). */
struct rs_axis {
	int64_t nt;
	int64_t *off;               /* [out][nt] */
	double *w;                  /* [out][nt] */
	unsigned char *outside;     /* [out] */
};

struct rs_params {
	int ndim;
	int64_t out[MAX_DIMS];
	struct rs_axis ax[MAX_DIMS];
	double extrapolation;
	unsigned char extra_elem[8]; /* extrapolation as one element of X's type (nearest) */
	int nearest;                /* one tap of weight 1 everywhere: a gather */
	int64_t ncombo;             /* product of the taps of the axes before the last */
};

static int rs_enum(struct node *n, struct exec *x, const char *name, const char *def,
                   const char *const *names, int *out)
{
	const char *s;
	int rc = attr_string(n, x, name, def, &s);

	if (rc)
		return rc;
	for (int i = 0; names[i]; i++)
		if (!strcmp(s, names[i])) {
			*out = i;
			return GRT_OK;
		}
	if (!strcmp(name, "mode") && !strcmp(s, "bilinear")) {   /* Upsample-7's name */
		*out = RS_LINEAR;
		return GRT_OK;
	}
	return op_fail(n, x, GRT_E_ATTR, "attribute '%s' is \"%s\", not supported", name, s);
}

static int rs_read_attrs(struct node *n, struct exec *x, int resize11, struct rs_attrs *a)
{
	int64_t v;
	int mode, ctm = CTM_ASYMMETRIC, nearest = NR_SIMPLE, rc;

	a->policy = 0;
	a->cubic_a = -0.75f;
	a->exclude_outside = a->antialias = 0;
	a->extrapolation = 0;
	rc = rs_enum(n, x, "mode", "nearest", mode_names, &mode);
	if (!rc && resize11) {
		if ((rc = rs_enum(n, x, "coordinate_transformation_mode", "half_pixel", ctm_names,
		                  &ctm)) ||
		    (rc = rs_enum(n, x, "nearest_mode", "round_prefer_floor", nearest_names,
		                  &nearest)) ||
		    (rc = attr_float(n, x, "cubic_coeff_a", -0.75f, &a->cubic_a)) ||
		    (rc = attr_int(n, x, "exclude_outside", 0, &v)))
			return rc;
		a->exclude_outside = v != 0;
		if ((rc = attr_float(n, x, "extrapolation_value", 0, &a->extrapolation)) ||
		    (rc = attr_int(n, x, "antialias", 0, &v)))
			return rc;
		a->antialias = v != 0;
		rc = rs_enum(n, x, "keep_aspect_ratio_policy", "stretch", policy_names,
		             &a->policy);
	}
	if (!rc && mode == RS_CUBIC && !resize11)
		rc = op_fail(n, x, GRT_E_ATTR, "mode \"cubic\" needs opset 11 or later");
	a->mode = (enum rs_mode)mode;
	a->ctm = (enum rs_ctm)ctm;
	a->nearest = (enum rs_nearest)nearest;
	return rc;
}

/* The input coordinate of output index j (ONNX Runtime's float arithmetic). */
static float rs_coord(enum rs_ctm ctm, float j, float scale, int64_t out, int64_t in,
                      float start, float end)
{
	switch (ctm) {
	case CTM_HALF_PIXEL:
		return (j + 0.5f) / scale - 0.5f;
	case CTM_HALF_PIXEL_SYMMETRIC: {
		float adj = (float)out / (scale * (float)in);
		float center = (float)in / 2;

		return center * (1 - adj) + (j + 0.5f) / scale - 0.5f;
	}
	/* these two take the resized length before rounding, in * scale, as the
	 * ONNX reference does */
	case CTM_PYTORCH_HALF_PIXEL:
		return (float)in * scale != 1 ? (j + 0.5f) / scale - 0.5f : -0.5f;
	case CTM_ALIGN_CORNERS:
		return (float)in * scale == 1 ? 0 : j * (float)(in - 1) / ((float)in * scale - 1);
	case CTM_TF_HALF_PIXEL_FOR_NN:
		return (j + 0.5f) / scale;
	case CTM_TF_CROP_AND_RESIZE:
		return out > 1 ? start * (float)(in - 1) +
		                 j * (end - start) * (float)(in - 1) / (float)(out - 1)
		               : 0.5f * (start + end) * (float)(in - 1);
	default:
		return j / scale;
	}
}

static int64_t rs_round(enum rs_nearest m, float c, float scale)
{
	switch (m) {
	case NR_PREFER_FLOOR:
		return c == floorf(c) + 0.5f ? (int64_t)floorf(c) : (int64_t)roundf(c);
	case NR_PREFER_CEIL:
		return (int64_t)roundf(c);
	case NR_FLOOR:
		return (int64_t)floorf(c);
	case NR_CEIL:
		return (int64_t)ceilf(c);
	default:
		return scale < 1 ? (int64_t)ceilf(c) : (int64_t)c;
	}
}

/* The cubic kernel of coefficient a at distance d. */
static double rs_cubic(double d, double a)
{
	d = fabs(d);
	if (d <= 1)
		return ((a + 2) * d - (a + 3)) * d * d + 1;
	if (d < 2)
		return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
	return 0;
}

/* Taps of one axis (struct rs_axis) for in -> out at scale; start/end: the roi. */
static int rs_axis_taps(struct exec *x, const struct rs_attrs *a, struct rs_axis *ax,
                        int64_t in, int64_t out, float scale, int64_t stride, float start,
                        float end)
{
	/* antialias widens linear and cubic filters by 1 / scale when shrinking */
	const double fs = a->antialias && scale < 1 ? scale : 1;
	const int64_t lo = a->mode == RS_NEAREST ? 0 :
	                   (int64_t)floor((a->mode == RS_CUBIC ? -2 : -1) / fs) + 1;
	const int64_t nt = a->mode == RS_NEAREST ? 1 : 2 - 2 * lo;
	int unit = 1;    /* every output reads one input with weight 1 */

	ax->nt = nt;
	ax->off = plan_alloc(x, (size_t)(out * nt) * sizeof(int64_t));
	ax->w = plan_alloc(x, (size_t)(out * nt) * sizeof(double));
	ax->outside = plan_alloc(x, (size_t)out);
	if (!ax->off || !ax->w || !ax->outside)
		return GRT_E_NOMEM;
	for (int64_t j = 0; j < out; j++) {
		float c = rs_coord(a->ctm, (float)j, scale, out, in, start, end);
		int64_t *off = ax->off + j * nt;
		double *w = ax->w + j * nt, sum = 0;
		int64_t base;
		double r;

		if (a->ctm == CTM_TF_CROP_AND_RESIZE && (c < 0 || c > (float)(in - 1))) {
			ax->outside[j] = 1;
			unit = 0;
			continue;
		}
		if (a->mode == RS_NEAREST) {
			base = rs_round(a->nearest, c, scale);
			off[0] = (base < 0 ? 0 : base >= in ? in - 1 : base) * stride;
			w[0] = 1;
			continue;
		}
		/* the reference's neighbours: ratio r in (0, 1] from the tap at or left of c */
		base = (int64_t)ceilf(c) - 1;
		r = (double)c - (double)base;
		for (int64_t t = 0; t < nt; t++) {
			int64_t i = base + lo + t;
			double d = (double)(lo + t) - r;

			w[t] = a->mode == RS_CUBIC ? rs_cubic(fs * d, a->cubic_a)
			                           : fmax(0, 1 - fabs(fs * d));
			if (a->exclude_outside && (i < 0 || i >= in))
				w[t] = 0;
			sum += w[t];
			off[t] = (i < 0 ? 0 : i >= in ? in - 1 : i) * stride;
		}
		if (a->antialias || a->exclude_outside)
			for (int64_t t = 0; t < nt && sum != 0; t++)
				w[t] /= sum;
		for (int64_t t = 0, ones = 0; t < nt; t++) {
			if (w[t] != 0 && (w[t] != 1 || ones++))
				unit = 0;
			if (t == nt - 1 && !ones)
				unit = 0;
		}
	}
	if (unit && a->mode != RS_NEAREST) {   /* one tap: keep the weight-1 one */
		for (int64_t j = 0; j < out; j++)
			for (int64_t t = 0; t < nt; t++)
				if (ax->w[j * nt + t] == 1) {
					ax->off[j] = ax->off[j * nt + t];
					ax->w[j] = 1;
				}
		ax->nt = 1;
	}
	return GRT_OK;
}

/* Reads float input i (scales or roi) into v [count]; 0 when absent or empty. */
static int rs_floats(struct node *n, struct exec *x, int i, const char *what, float *v,
                     int64_t max, int64_t *count)
{
	const struct tensor *t = op_input(n, i);
	const void *d;

	*count = 0;
	if (!t || !t->numel)
		return GRT_OK;
	if (!dtype_is_float(t->dtype))
		return op_fail(n, x, GRT_E_DTYPE, "%s is %s, expected a float type", what,
		               dtype_name(t->dtype));
	d = op_const_input(n, x, i);
	if (!d)
		return op_dynamic(n, x, i, what);
	if (t->numel > max)
		return op_fail(n, x, GRT_E_SHAPE, "%s has %lld values, expected %lld", what,
		               (long long)t->numel, (long long)max);
	for (int64_t k = 0; k < t->numel; k++)
		v[k] = (float)elem_as_double(t->dtype, d, k);
	*count = t->numel;
	return GRT_OK;
}

/* The resized axes (attribute axes from opset 18, else all) into axes [*r]. */
static int rs_axes(struct node *n, struct exec *x, int rank, int *axes, int *r)
{
	const int64_t *v;
	int count, rc = attr_ints(n, x, "axes", &v, &count);

	if (rc)
		return rc;
	*r = count < 0 ? rank : count;
	if (*r > rank)
		return op_fail(n, x, GRT_E_ATTR, "attribute 'axes' has %d values, X has rank %d",
		               count, rank);
	for (int i = 0; i < *r; i++) {
		if (count < 0) {
			axes[i] = i;
			continue;
		}
		if ((rc = op_axis(n, x, v[i], rank, &axes[i])))
			return rc;
		for (int k = 0; k < i; k++)
			if (axes[k] == axes[i])
				return op_fail(n, x, GRT_E_ATTR, "attribute 'axes' repeats axis %d",
				               axes[i]);
	}
	return GRT_OK;
}

/* Output dims and per-axis scales from the scales or sizes input (inputs sc, sz; -1
 * when the opset has none); roi [2 * rank] starts then ends, per axis. */
static int rs_shape(struct node *n, struct exec *x, const struct rs_attrs *a, int sc, int sz,
                    int64_t *out, float *scale, float *roi)
{
	const struct tensor *X = n->inputs[0], *S = sz >= 0 ? op_input(n, sz) : NULL;
	const int rank = X->ndim;
	int axes[MAX_DIMS], r, rc;
	float v[2 * MAX_DIMS];
	int64_t ns = 0, sizes[MAX_DIMS];

	if ((rc = rs_axes(n, x, rank, axes, &r)))
		return rc;
	for (int d = 0; d < rank; d++) {
		out[d] = X->dims[d];
		scale[d] = 1;
		roi[d] = 0;
		roi[rank + d] = 1;
	}
	if (a->ctm == CTM_TF_CROP_AND_RESIZE) {
		if ((rc = rs_floats(n, x, 1, "roi", v, 2 * r, &ns)))
			return rc;
		if (ns && ns != 2 * r)
			return op_fail(n, x, GRT_E_SHAPE, "roi has %lld values, expected %d",
			               (long long)ns, 2 * r);
		for (int i = 0; i < r && ns; i++) {
			roi[axes[i]] = v[i];
			roi[rank + axes[i]] = v[r + i];
		}
	}
	if (sc >= 0 && (rc = rs_floats(n, x, sc, "scales", v, r, &ns)))
		return rc;
	if (ns) {
		if (ns != r)
			return op_fail(n, x, GRT_E_SHAPE, "scales has %lld values, expected %d",
			               (long long)ns, r);
		for (int i = 0; i < r; i++) {
			if (!(v[i] > 0))
				return op_fail(n, x, GRT_E_ATTR, "scales[%d] = %g, must be > 0", i,
				               (double)v[i]);
			if (!(v[i] * (float)X->dims[axes[i]] < RS_DIM_MAX))
				return op_fail(n, x, GRT_E_LIMIT, "scales[%d] = %g makes axis %d too "
				               "large", i, (double)v[i], axes[i]);
			scale[axes[i]] = v[i];
			out[axes[i]] = (int64_t)floorf(v[i] * (float)X->dims[axes[i]]);
		}
		return GRT_OK;
	}
	if (!S || !S->numel)
		return op_fail(n, x, GRT_E_INVALID_MODEL, "neither scales nor sizes is given");
	if (S->dtype != DT_INT64 || S->numel != r)
		return op_fail(n, x, GRT_E_SHAPE, "sizes must be %d int64 values", r);
	if (!op_const_input(n, x, sz))
		return op_dynamic(n, x, sz, "sizes");
	if ((rc = tensor_read_ints(S, sizes, r)))
		return op_fail(n, x, rc, "cannot read sizes");
	for (int i = 0; i < r; i++) {
		float s = (float)sizes[i] / (float)X->dims[axes[i]];

		if (sizes[i] < 0)
			return op_fail(n, x, GRT_E_ATTR, "sizes[%d] = %lld, must be >= 0", i,
			               (long long)sizes[i]);
		if (i == 0 || a->policy == 0 || (a->policy == 1 ? s < v[0] : s > v[0]))
			v[0] = s;
		if (!X->dims[axes[i]] && sizes[i])
			return op_fail(n, x, GRT_E_SHAPE, "sizes[%d] = %lld, but axis %d of X is "
			               "empty", i, (long long)sizes[i], axes[i]);
		scale[axes[i]] = s;
		out[axes[i]] = sizes[i];
	}
	if (a->policy)   /* keep_aspect_ratio_policy: one scale for every axis */
		for (int i = 0; i < r; i++) {
			if (!(v[0] * (float)X->dims[axes[i]] < RS_DIM_MAX))
				return op_fail(n, x, GRT_E_LIMIT, "sizes make axis %d too large",
				               axes[i]);
			scale[axes[i]] = v[0];
			out[axes[i]] = (int64_t)roundf(v[0] * (float)X->dims[axes[i]]);
		}
	return GRT_OK;
}

/* v as one element of type dt into e (the integer types saturate, as Cast does). */
static void rs_encode(enum dtype dt, unsigned char *e, double v)
{
	int64_t i = sat_int(v, dt == DT_INT8 ? INT8_MIN : dt == DT_INT16 ? INT16_MIN :
	                       dt == DT_INT32 ? INT32_MIN : INT64_MIN,
	                    dt == DT_INT8 ? INT8_MAX : dt == DT_INT16 ? INT16_MAX :
	                       dt == DT_INT32 ? INT32_MAX : INT64_MAX);
	uint64_t u = sat_uint(v, dt == DT_UINT8 || dt == DT_BOOL ? UINT8_MAX :
	                         dt == DT_UINT16 ? UINT16_MAX : dt == DT_UINT32 ? UINT32_MAX :
	                         UINT64_MAX);

	switch (dt) {
	case DT_INT8: *(int8_t *)e = (int8_t)i; break;
	case DT_INT16: *(int16_t *)e = (int16_t)i; break;
	case DT_INT32: *(int32_t *)e = (int32_t)i; break;
	case DT_INT64: *(int64_t *)e = i; break;
	case DT_UINT8: *(uint8_t *)e = (uint8_t)u; break;
	case DT_BOOL: *(uint8_t *)e = v != 0; break;
	case DT_UINT16: *(uint16_t *)e = (uint16_t)u; break;
	case DT_UINT32: *(uint32_t *)e = (uint32_t)u; break;
	case DT_UINT64: *(uint64_t *)e = u; break;
	default: f64_to_floats(dt, &v, e, 1); break;
	}
}

enum rs_kind { UPSAMPLE_7, UPSAMPLE_9, RESIZE_10, RESIZE_11 };

static int rs_prepare(struct node *n, struct exec *x, enum rs_kind kind)
{
	static const enum dtype float_types[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_UNDEFINED,
	};
	const struct tensor *X;
	struct rs_attrs a;
	struct rs_params *p;
	int64_t out[MAX_DIMS], stride = 1;
	float scale[MAX_DIMS], roi[2 * MAX_DIMS];
	int rc, count;

	rc = op_check_arity(n, x, kind == UPSAMPLE_9 || kind == RESIZE_10 ? 2 : 1,
	                    kind == RESIZE_11 ? 4 : kind == UPSAMPLE_7 ? 1 : 2, 1, 1);
	if (!rc)
		rc = rs_read_attrs(n, x, kind == RESIZE_11, &a);
	if (rc)
		return rc;
	X = n->inputs[0];
	if (X->dtype == DT_STRING || X->dtype == DT_UNDEFINED)
		return op_fail(n, x, GRT_E_DTYPE, "X is %s", dtype_name(X->dtype));
	if (X->ndim < 1)
		return op_fail(n, x, GRT_E_SHAPE, "X is a scalar");
	if (a.mode != RS_NEAREST && (rc = op_check_dtype(n, x, 0, float_types)))
		return rc;
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output Y is empty");
	if (kind == UPSAMPLE_7) {
		const float *v;

		if ((rc = attr_floats(n, x, "scales", &v, &count)))
			return rc;
		if (count != X->ndim)
			return op_fail(n, x, GRT_E_ATTR, "attribute 'scales' has %d values, X has "
			               "rank %d", count, X->ndim);
		for (int d = 0; d < X->ndim; d++) {
			if (!(v[d] >= 1))
				return op_fail(n, x, GRT_E_ATTR, "scales[%d] = %g, must be >= 1", d,
				               (double)v[d]);
			if (!(v[d] * (float)X->dims[d] < RS_DIM_MAX))
				return op_fail(n, x, GRT_E_LIMIT, "scales[%d] = %g makes axis %d too "
				               "large", d, (double)v[d], d);
			scale[d] = v[d];
			out[d] = (int64_t)floorf(v[d] * (float)X->dims[d]);
			roi[d] = 0;
			roi[X->ndim + d] = 1;
		}
	} else {
		rc = rs_shape(n, x, &a, kind == RESIZE_11 ? 2 : 1, kind == RESIZE_11 ? 3 : -1, out,
		              scale, roi);
		if (rc)
			return rc;
	}
	rc = tensor_set_shape(n->outputs[0], X->dtype, X->ndim, out);
	if (rc)
		return op_fail(n, x, rc, "output shape is too large");
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	p->ndim = X->ndim;
	p->extrapolation = a.extrapolation;
	rs_encode(X->dtype, p->extra_elem, a.extrapolation);
	p->nearest = 1;
	for (int d = X->ndim - 1; d >= 0; d--) {
		p->out[d] = out[d];
		if (a.antialias && a.mode != RS_NEAREST && out[d] && !(scale[d] >= RS_AA_MIN))
			return op_fail(n, x, GRT_E_LIMIT, "axis %d shrinks by %g: antialias filters "
			               "are refused below a scale of %g", d, (double)scale[d],
			               (double)RS_AA_MIN);
		rc = rs_axis_taps(x, &a, &p->ax[d], X->dims[d], out[d], scale[d], stride, roi[d],
		                  roi[X->ndim + d]);
		if (rc)
			return rc;
		p->nearest &= p->ax[d].nt == 1 && a.mode == RS_NEAREST;
		stride *= X->dims[d];
	}
	p->ncombo = 1;
	for (int d = 0; d < X->ndim - 1; d++)
		p->ncombo *= p->ax[d].nt;
	if (!p->nearest)
		n->scratch_bytes = (size_t)(X->numel + out[X->ndim - 1] + X->dims[X->ndim - 1]) *
		                   sizeof(double) +
		                   (size_t)p->ncombo * (sizeof(double) + sizeof(int64_t));
	n->params = p;
	return GRT_OK;
}

/* The taps of the axes before the last for the output row at index j [ndim - 1]:
 * the weight (product) and input offset (sum) of each combination with a nonzero
 * weight into cw, coff [p->ncombo]; returns their count. */
static int64_t rs_row_taps(const struct rs_params *p, const int64_t *j, double *cw,
                           int64_t *coff)
{
	const int last = p->ndim - 1;
	int64_t t[MAX_DIMS] = { 0 }, nc = 0;

	for (;;) {
		int64_t off = 0;
		double w = 1;
		int d;

		for (d = 0; d < last; d++) {
			const struct rs_axis *ax = &p->ax[d];
			int64_t q = j[d] * ax->nt + t[d];

			w *= ax->w[q];
			off += ax->off[q];
		}
		if (w != 0) {
			cw[nc] = w;
			coff[nc++] = off;
		}
		for (d = last - 1; d >= 0 && ++t[d] == p->ax[d].nt; d--)
			t[d] = 0;
		if (d < 0)
			return nc;
	}
}

/* One output row y [n] of linear / cubic: the combinations of the other axes' taps
 * (cw, coff [nc]) blended into one input row v [m] (of xd, X in double), then the last
 * axis' taps ax over v. */
static void rs_row(const struct rs_axis *ax, int64_t n, int64_t m, const double *xd,
                   const double *cw, const int64_t *coff, int64_t nc, double *v, double *y)
{
	const int64_t nt = ax->nt;

	for (int64_t i = 0; i < m; i++)
		v[i] = cw[0] * xd[coff[0] + i];
	for (int64_t c = 1; c < nc; c++) {
		const double *r = xd + coff[c];

		for (int64_t i = 0; i < m; i++)
			v[i] += cw[c] * r[i];
	}
	for (int64_t jl = 0; jl < n; jl++) {
		const int64_t *off = ax->off + jl * nt;
		const double *w = ax->w + jl * nt;
		double acc = 0;

		for (int64_t t = 0; t < nt; t++)
			acc += w[t] * v[off[t]];
		y[jl] = acc;
	}
}

/* One output row y [n] of nearest: elements of es bytes from x + base, or extra. */
static void rs_row_nearest(const struct rs_axis *ax, int64_t n, const unsigned char *x,
                           size_t es, const unsigned char *extra, unsigned char *y)
{
	for (int64_t jl = 0; jl < n; jl++) {
		const unsigned char *e = ax->outside[jl] ? extra : x + (size_t)ax->off[jl] * es;

		switch (es) {   /* constant sizes: each copy is one move */
		case 1: y[jl] = *e; break;
		case 2: memcpy(y + 2 * jl, e, 2); break;
		case 4: memcpy(y + 4 * jl, e, 4); break;
		default: memcpy(y + 8 * jl, e, 8); break;
		}
	}
}

static int rs_run(struct node *n, struct exec *x)
{
	const struct rs_params *p = n->params;
	const struct tensor *X = n->inputs[0];
	struct tensor *Y = n->outputs[0];
	const size_t es = dtype_size(X->dtype);
	const int last = p->ndim - 1;
	const int64_t nl = p->out[last];
	const int64_t ml = X->dims[last];
	/* scratch (linear, cubic): X in double [X numel], the output row [nl], the
	 * blended input row [ml], the taps of the other axes: weights, offsets [ncombo] */
	double *xd = x->scratch, *yd = xd + X->numel, *vd = yd + nl, *cw = vd + ml;
	int64_t *coff = (int64_t *)(cw + p->ncombo), j[MAX_DIMS] = { 0 }, prev = -1;

	if (!Y->numel)
		return GRT_OK;
	if (!p->nearest)
		elems_to_f64(X->dtype, X->data, xd, X->numel);
	for (int64_t r = 0; r < Y->numel / nl; r++) {
		unsigned char *y = (unsigned char *)Y->data + (size_t)(r * nl) * es;
		int64_t base = 0;
		int outside = 0, d;

		for (d = 0; d < last; d++) {
			outside |= p->ax[d].outside[j[d]];
			base += p->ax[d].off[j[d]];
		}
		if (p->nearest && outside) {
			for (int64_t jl = 0; jl < nl; jl++)
				memcpy(y + (size_t)jl * es, p->extra_elem, es);
			base = -1;
		} else if (p->nearest && base == prev) {   /* the row above, again */
			memcpy(y, y - (size_t)nl * es, (size_t)nl * es);
		} else if (p->nearest) {
			rs_row_nearest(&p->ax[last], nl, (const unsigned char *)X->data + base * es,
			               es, p->extra_elem, y);
		} else {
			int64_t nc = outside ? 0 : rs_row_taps(p, j, cw, coff);

			if (nc)
				rs_row(&p->ax[last], nl, ml, xd, cw, coff, nc, vd, yd);
			for (int64_t jl = 0; jl < nl; jl++)
				if (outside || p->ax[last].outside[jl])
					yd[jl] = p->extrapolation;
				else if (!nc)   /* every weight 0 */
					yd[jl] = 0;
			f64_to_floats(Y->dtype, yd, y, nl);
		}
		prev = base;
		for (d = last - 1; d >= 0 && ++j[d] == p->out[d]; d--)
			j[d] = 0;
	}
	return GRT_OK;
}

static int upsample7_prepare(struct node *n, struct exec *x)
{
	return rs_prepare(n, x, UPSAMPLE_7);
}

static int upsample9_prepare(struct node *n, struct exec *x)
{
	return rs_prepare(n, x, UPSAMPLE_9);
}

static int resize10_prepare(struct node *n, struct exec *x)
{
	return rs_prepare(n, x, RESIZE_10);
}

static int resize11_prepare(struct node *n, struct exec *x)
{
	return rs_prepare(n, x, RESIZE_11);
}

const struct op_def op_resize_10 = {
	"Resize", 10, 10, resize10_prepare, rs_run, 0, NULL };
const struct op_def op_resize_11 = {
	"Resize", 11, OPSET_LATEST, resize11_prepare, rs_run, 0, NULL };
const struct op_def op_upsample_7 = {
	"Upsample", 7, 8, upsample7_prepare, rs_run, 0, NULL };
const struct op_def op_upsample_9 = {
	"Upsample", 9, 9, upsample9_prepare, rs_run, 0, NULL };
