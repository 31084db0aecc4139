/* softmax.c - Softmax, LogSoftmax and Hardmax (https://onnx.ai/onnx/operators/onnx__Softmax.html),
 * opsets 1-12 (the input coerced to a matrix [prod(dims[:axis]), prod(dims[axis:])], axis
 * default 1, each row normalised) and 13+ (one axis, default -1). Both see the input as
 * [outer][n][inner] and normalise along n: y = exp(v - max) / sum, or (v - max) - log(sum);
 * float with the vector exp of ops/math/mathfn.h, the other types in double. Hardmax puts
 * 1 at the first maximum. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "ops/math/mathfn.h"
#include "ops/op.h"

enum smax_kind { SMAX_SOFT, SMAX_LOG, SMAX_HARD };

struct softmax_params {
	int64_t outer, n, inner;        /* input seen as [outer][n][inner], normalised along n */
	enum smax_kind kind;
};

/* element i of a float, double, float16 or bfloat16 array */
static inline double sm_load(enum dtype dt, const void *p, int64_t i)
{
	switch (dt) {
	case DT_FLOAT: return ((const float *)p)[i];
	case DT_DOUBLE: return ((const double *)p)[i];
	case DT_FLOAT16: return half_to_float(((const uint16_t *)p)[i]);
	default: return bf16_to_float(((const uint16_t *)p)[i]);
	}
}

static inline void sm_store(enum dtype dt, void *p, int64_t i, double v)
{
	switch (dt) {
	case DT_FLOAT: ((float *)p)[i] = (float)v; break;
	case DT_DOUBLE: ((double *)p)[i] = v; break;
	case DT_FLOAT16: ((uint16_t *)p)[i] = float_to_half((float)v); break;
	default: ((uint16_t *)p)[i] = float_to_bf16((float)v); break;
	}
}

static int softmax_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types_1[] = { DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_UNDEFINED };
	static const enum dtype types_13[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_UNDEFINED,
	};
	const struct tensor *in;
	struct tensor *out = op_output(n, 0);
	struct softmax_params *p;
	int64_t axis;
	int a, rc, coerce = n->opset < 13;

	if ((rc = op_check_arity(n, x, 1, 1, 1, 1)) ||
	    (rc = op_check_dtype(n, x, 0, coerce ? types_1 : types_13)) ||
	    (rc = attr_int(n, x, "axis", coerce ? 1 : -1, &axis)))
		return rc;
	in = n->inputs[0];
	/* opsets 1-12 allow axis == rank (an empty second factor); 13+ need an axis */
	if (coerce && axis == in->ndim)
		a = in->ndim;
	else if ((rc = op_axis(n, x, axis, in->ndim, &a)))
		return rc;
	if (!out)
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	n->params = p;
	p->kind = !strcmp(n->op->op_type, "Softmax") ? SMAX_SOFT :
	          !strcmp(n->op->op_type, "LogSoftmax") ? SMAX_LOG : SMAX_HARD;
	p->outer = shape_numel(a, in->dims);
	if (coerce) {
		p->n = shape_numel(in->ndim - a, in->dims + a);
		p->inner = 1;
	} else {
		p->n = in->dims[a];
		p->inner = shape_numel(in->ndim - a - 1, in->dims + a + 1);
	}
	if ((rc = tensor_set_shape(out, in->dtype, in->ndim, in->dims)))
		return op_fail(n, x, rc, "output shape too large");
	/* float, not along the last axis: a double per column for the maxima (as floats)
	 * and one for the sums (softmax_f32) */
	if (in->dtype == DT_FLOAT && p->inner > 1)
		n->scratch_bytes = 2 * (size_t)p->inner * sizeof(double);
	return GRT_OK;
}

/* One line along the normalised axis: elements base + k * step, k in [0, n). */
static void softmax_line(enum smax_kind kind, enum dtype dt, const void *src, void *dst,
                         int64_t base, int64_t step, int64_t n)
{
	double mx = -INFINITY, sum = 0;
	int64_t arg = 0;

	for (int64_t k = 0; k < n; k++) {
		double v = sm_load(dt, src, base + k * step);
		if (v > mx || k == 0) {
			mx = v;
			arg = k;
		}
	}
	if (kind == SMAX_HARD) {
		for (int64_t k = 0; k < n; k++)
			sm_store(dt, dst, base + k * step, k == arg ? 1.0 : 0.0);
		return;
	}
	if (!isfinite(mx))
		mx = 0;         /* infinite: the exps give inf/NaN, as the spec's formula */
	for (int64_t k = 0; k < n; k++)
		sum += exp(sm_load(dt, src, base + k * step) - mx);
	if (kind == SMAX_LOG) {
		double ls = log(sum);
		for (int64_t k = 0; k < n; k++)
			sm_store(dt, dst, base + k * step,
			         sm_load(dt, src, base + k * step) - mx - ls);
	} else {
		for (int64_t k = 0; k < n; k++)
			sm_store(dt, dst, base + k * step,
			         exp(sm_load(dt, src, base + k * step) - mx) / sum);
	}
}

/* Softmax / LogSoftmax of float rows y[k][0..inner) from x[k][...], k in [0, n): the
 * maxima and sums per column in mx [inner] and sum [inner] (scratch), the exps four
 * lanes at a time (ops/math/mathfn.h, 1 ulp), the sums in double. */
static void softmax_f32(enum smax_kind kind, const float *x, float *y, int64_t n,
                        int64_t inner, float *mx, double *sum)
{
	for (int64_t i = 0; i < inner; i++) {
		mx[i] = x[i];
		sum[i] = 0;
	}
	for (int64_t k = 1; k < n; k++)
		for (int64_t i = 0; i < inner; i++)
			mx[i] = x[k * inner + i] > mx[i] ? x[k * inner + i] : mx[i];
	for (int64_t i = 0; i < inner; i++)
		mx[i] = isfinite(mx[i]) ? mx[i] : 0.0f;   /* as softmax_line */
	for (int64_t k = 0; k < n; k++) {
		const float *xr = x + k * inner;
		float *yr = y + k * inner;
		int64_t i = 0;
		for (; i + 4 <= inner; i += 4) {
			v4f e = v4f_exp(v4f_load(xr + i) - v4f_load(mx + i));
			v4f_store(yr + i, e);
			for (int l = 0; l < 4; l++)
				sum[i + l] += e[l];
		}
		for (; i < inner; i++)
			sum[i] += yr[i] = fast_expf(xr[i] - mx[i]);
	}
	for (int64_t i = 0; i < inner; i++)
		sum[i] = kind == SMAX_LOG ? log(sum[i]) : 1.0 / sum[i];
	for (int64_t k = 0; k < n; k++)
		for (int64_t i = 0; i < inner; i++)
			y[k * inner + i] = kind == SMAX_LOG
			                 ? (float)((double)(x[k * inner + i] - mx[i]) - sum[i])
			                 : (float)(y[k * inner + i] * sum[i]);
}

/* The maximum of x [n], n >= 1, four lanes at a time (NaN is never taken, unless x[0]). */
static float max_f32(const float *x, int64_t n)
{
	v4f m4 = { x[0], x[0], x[0], x[0] };
	float mx;
	int64_t k = 0;

	for (; k + 4 <= n; k += 4) {
		v4f v = v4f_load(x + k);
		m4 = v4f_select(v > m4, v, m4);
	}
	mx = m4[0] > m4[1] ? m4[0] : m4[1];
	mx = m4[2] > mx ? m4[2] : mx;
	mx = m4[3] > mx ? m4[3] : mx;
	for (; k < n; k++)
		mx = x[k] > mx ? x[k] : mx;
	return mx;
}

/* The same for a contiguous row x [n] (inner 1): its exps four at a time, summed in
 * float lanes over blocks of 64 and the blocks in double. */
static void softmax_row_f32(enum smax_kind kind, const float *x, float *y, int64_t n)
{
	float mx = max_f32(x, n);
	v4f m4;
	double sum = 0;
	int64_t k = 0;

	mx = isfinite(mx) ? mx : 0.0f;
	m4 = (v4f){ mx, mx, mx, mx };
	while (k + 4 <= n) {
		v4f s4 = { 0, 0, 0, 0 };
		for (int b = 0; b < 16 && k + 4 <= n; b++, k += 4) {
			v4f e = v4f_exp(v4f_load(x + k) - m4);
			v4f_store(y + k, e);
			s4 += e;
		}
		sum += ((double)s4[0] + s4[1]) + ((double)s4[2] + s4[3]);
	}
	for (; k < n; k++)
		sum += y[k] = fast_expf(x[k] - mx);
	if (kind == SMAX_LOG) {
		double ls = log(sum);
		for (k = 0; k < n; k++)
			y[k] = (float)((double)(x[k] - mx) - ls);
	} else {
		float r = (float)(1.0 / sum);
		for (k = 0; k < n; k++)
			y[k] *= r;
	}
}

static int softmax_run(struct node *n, struct exec *x)
{
	const struct softmax_params *p = n->params;
	const struct tensor *in = n->inputs[0];

	if (in->dtype == DT_FLOAT && p->kind != SMAX_HARD && p->n > 0) {
		const float *xf = in->data;
		float *yf = n->outputs[0]->data;
		int64_t blk = p->n * p->inner;
		for (int64_t o = 0; o < p->outer; o++)
			if (p->inner == 1)
				softmax_row_f32(p->kind, xf + o * blk, yf + o * blk, p->n);
			else
				softmax_f32(p->kind, xf + o * blk, yf + o * blk, p->n, p->inner,
				            x->scratch, (double *)x->scratch + p->inner);
		return GRT_OK;
	}
	for (int64_t o = 0; o < p->outer; o++)
		for (int64_t i = 0; i < p->inner; i++)
			softmax_line(p->kind, in->dtype, in->data, n->outputs[0]->data,
			             o * p->n * p->inner + i, p->inner, p->n);
	return GRT_OK;
}

/* _1: opsets 1-12, the input coerced to a matrix; _13: one axis */
const struct op_def op_hardmax_1 = {
	"Hardmax", 1, 12, softmax_prepare, softmax_run, 0, NULL };
const struct op_def op_hardmax_13 = {
	"Hardmax", 13, OPSET_LATEST, softmax_prepare, softmax_run, 0, NULL };
const struct op_def op_log_softmax_1 = {
	"LogSoftmax", 1, 12, softmax_prepare, softmax_run, 0, NULL };
const struct op_def op_log_softmax_13 = {
	"LogSoftmax", 13, OPSET_LATEST, softmax_prepare, softmax_run, 0, NULL };
const struct op_def op_softmax_1 = {
	"Softmax", 1, 12, softmax_prepare, softmax_run, 0, NULL };
const struct op_def op_softmax_13 = {
	"Softmax", 13, OPSET_LATEST, softmax_prepare, softmax_run, 0, NULL };
