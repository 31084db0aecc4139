/* norm.c - BatchNormalization (https://onnx.ai/onnx/operators/onnx__BatchNormalization.html,
 * opsets 1+, training_mode from 14) and LayerNormalization (opset 17+,
 * https://onnx.ai/onnx/operators/onnx__LayerNormalization.html). BatchNormalization
 * runs y = (x - mean[c]) * a[c] + B[c], folded in prepare when the statistics are
 * constant; LayerNormalization takes two-pass statistics per row (blocked sums;
 * float rows in 4-float vectors). float16 and bfloat16 go through the float kernels
 * (ops/half.h), except for the statistics outputs, whose types are not X's: then
 * the 2-byte kernels below. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "ops/op.h"
#include "ops/half.h"

static const enum dtype float_types[] = {
	DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_UNDEFINED,
};

/* Element i of a floating-point tensor as a double (per-channel values only). */
static double load_at(const struct tensor *t, int64_t i)
{
	switch (t->dtype) {
	case DT_FLOAT: return ((const float *)t->data)[i];
	case DT_DOUBLE: return ((const double *)t->data)[i];
	case DT_FLOAT16: return half_to_float(((const uint16_t *)t->data)[i]);
	case DT_BFLOAT16: return bf16_to_float(((const uint16_t *)t->data)[i]);
	default: return 0;
	}
}

static void store_at(struct tensor *t, int64_t i, double v)
{
	switch (t->dtype) {
	case DT_FLOAT: ((float *)t->data)[i] = (float)v; break;
	case DT_DOUBLE: ((double *)t->data)[i] = v; break;
	case DT_FLOAT16: ((uint16_t *)t->data)[i] = float_to_half((float)v); break;
	case DT_BFLOAT16: ((uint16_t *)t->data)[i] = float_to_bf16((float)v); break;
	default: break;
	}
}

static inline float ld_f32(float v) { return v; }
static inline double ld_f64(double v) { return v; }
static inline float st_f32(float v) { return v; }
static inline double st_f64(double v) { return v; }

/* -------------------------------------------------------- BatchNormalization */

struct bn_params {
	int64_t outer;          /* N (1-D X: the N elements are the outer blocks) */
	int64_t channels;       /* C; C * D1 * ... * Dn for spatial = 0 (opsets < 9) */
	int64_t inner;          /* D1 * ... * Dn: elements per (n, c); 1 for spatial = 0 */
	double  epsilon;
	double  momentum;
	int     training;       /* Y from the batch statistics; running outputs computed */
	const double *coef;     /* [channels][3] (mean, a, B) folded at plan time, or
	                           NULL: run() folds into scratch */
};

/* Per channel (mean, a = scale / sqrt(var + eps), B) into coef[3c..3c+2], so that
 * y = (x - mean) * a + B. (x - mean first: folding mean into B would lose the
 * digits of x - mean when |mean| >> std.) mean/var are the batch statistics when
 * given, else inputs 3 and 4. */
static void bn_fold(const struct node *n, const struct bn_params *p, const double *mean,
                    const double *var, double *coef)
{
	for (int64_t c = 0; c < p->channels; c++) {
		double v = var ? var[c] : load_at(n->inputs[4], c);
		coef[3 * c] = mean ? mean[c] : load_at(n->inputs[3], c);
		coef[3 * c + 1] = load_at(n->inputs[1], c) / sqrt(v + p->epsilon);
		coef[3 * c + 2] = load_at(n->inputs[2], c);
	}
}

#define KN(name) name##_f32
#define T float
#define LOAD ld_f32
#define CT float
#define STORE st_f32
#include "ops/nn/norm_bn.h"
#define KN(name) name##_f64
#define T double
#define LOAD ld_f64
#define CT double
#define STORE st_f64
#include "ops/nn/norm_bn.h"
#define KN(name) name##_f16
#define T uint16_t
#define LOAD half_to_float
#define CT float
#define STORE float_to_half
#include "ops/nn/norm_bn.h"
#define KN(name) name##_bf16
#define T uint16_t
#define LOAD bf16_to_float
#define CT float
#define STORE float_to_bf16
#include "ops/nn/norm_bn.h"

/* Checks that input i is a per-channel vector of count elements. */
static int bn_check_vec(struct node *n, struct exec *x, int i, int64_t count, int spatial)
{
	static const char *const names[] = { "X", "scale", "B", "input_mean", "input_var" };
	const struct tensor *t = n->inputs[i];

	if (spatial ? t->ndim != 1 || t->dims[0] != count : t->numel != count)
		return op_fail(n, x, GRT_E_SHAPE, "%s (input %d) must have shape (%lld), "
		               "has %d dims and %lld elements", names[i], i, (long long)count,
		               t->ndim, (long long)t->numel);
	return GRT_OK;
}

static int bn_prepare(struct node *n, struct exec *x)
{
	const struct tensor *X;
	struct tensor *y;
	struct bn_params *p;
	int64_t spatial = 1, is_test = 0, training = 0;
	float eps, mom;
	int max_out = n->opset >= 14 ? 3 : 5, has_opt = 0, rc;

	if ((rc = op_check_arity(n, x, 5, 5, 1, max_out)))
		return rc;
	for (int i = 0; i < 5; i++)
		if ((rc = op_check_dtype(n, x, i, float_types)))
			return rc;
	X = n->inputs[0];
	/* T for everything before 14; T + U (mean, var) in 14; T, T1, T2 from 15 */
	for (int i = 1; i < 5; i++) {
		int ref = n->opset < 14 ? 0 : i <= 2 ? (n->opset == 14 ? 0 : 1) : 3;
		if (n->inputs[i]->dtype != n->inputs[ref]->dtype)
			return op_fail(n, x, GRT_E_DTYPE, "input %d is %s but input %d is %s", i,
			               dtype_name(n->inputs[i]->dtype), ref,
			               dtype_name(n->inputs[ref]->dtype));
	}
	if ((rc = attr_float(n, x, "epsilon", 1e-5f, &eps)) ||
	    (rc = attr_float(n, x, "momentum", 0.9f, &mom)))
		return rc;
	if (n->opset < 9 && (rc = attr_int(n, x, "spatial", 1, &spatial)))
		return rc;
	if (n->opset < 7 && (rc = attr_int(n, x, "is_test", 0, &is_test)))
		return rc;
	for (int i = 1; i < n->n_outputs; i++)
		has_opt |= n->outputs[i] != NULL;
	if (n->opset >= 14) {
		if ((rc = attr_int(n, x, "training_mode", 0, &training)))
			return rc;
		if (!training && has_opt)
			return op_fail(n, x, GRT_E_INVALID_MODEL, "running_mean/running_var are "
			               "requested but training_mode is 0");
	} else {
		/* before 14 the training outputs themselves select training */
		if (is_test && has_opt)
			return op_fail(n, x, GRT_E_INVALID_MODEL, "training outputs are requested "
			               "but is_test is 1");
		training = has_opt;
	}
	/* through the float kernel on widened copies (ops/half.h), unless the
	 * running statistics are asked for (their types T1, T2 are not X's) */
	if (!has_opt && half_wanted(n))
		return half_prepare(n, x, bn_prepare);
	if (!(y = n->outputs[0]))
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (X->ndim < 1)
		return op_fail(n, x, GRT_E_SHAPE, "X must have rank >= 1, is a scalar");
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	n->params = p;
	p->epsilon = eps;
	p->momentum = mom;
	p->training = training != 0;
	p->outer = X->dims[0];
	p->channels = X->ndim >= 2 ? X->dims[1] : 1;
	p->inner = X->ndim >= 2 ? shape_numel(X->ndim - 2, X->dims + 2) : 1;
	if (!spatial) {
		p->channels *= p->inner;
		p->inner = 1;
	}
	for (int i = 1; i < 5; i++)
		if ((rc = bn_check_vec(n, x, i, p->channels, spatial != 0)))
			return rc;
	if ((rc = tensor_set_shape(y, X->dtype, X->ndim, X->dims)))
		return op_fail(n, x, rc, "output shape too large");
	for (int i = 1; i < n->n_outputs; i++) {
		/* mean-like outputs (1, 3) follow input_mean, var-like (2, 4) input_var */
		const struct tensor *src = n->inputs[i % 2 ? 3 : 4];
		if (n->outputs[i] && (rc = tensor_set_shape(n->outputs[i], src->dtype,
		                                            src->ndim, src->dims)))
			return op_fail(n, x, rc, "output shape too large");
	}
	n->scratch_bytes = (size_t)p->channels * 5 * sizeof(double);
	if (!p->training) {
		int all_const = 1;
		for (int i = 1; i < 5; i++)
			all_const &= op_const_input(n, x, i) != NULL;
		if (all_const) {
			double *cf = plan_alloc(x, (size_t)p->channels * 3 * sizeof(double));
			if (!cf)
				return GRT_E_NOMEM;
			bn_fold(n, p, NULL, NULL, cf);
			p->coef = cf;
			n->scratch_bytes = 0;
		}
		x->dyn = NULL;   /* run-time statistics are fine */
	}
	return GRT_OK;
}

static int bn_run(struct node *n, struct exec *x)
{
	const struct bn_params *p = n->params;
	const struct tensor *X = n->inputs[0];
	struct tensor *y = n->outputs[0];
	double *cf = x->scratch;                        /* [C][3] (mean, a, B) */
	const double *coef = cf;                        /* [C][3] the one used */
	double *mean = cf + 3 * p->channels;            /* [C] batch statistics */
	double *var = mean + p->channels;               /* [C] */

	if (n->half)
		return half_run(n, x, bn_run);
	if (p->training) {
		switch (X->dtype) {
		case DT_FLOAT: bn_stats_f32(X->data, p, mean, var); break;
		case DT_DOUBLE: bn_stats_f64(X->data, p, mean, var); break;
		case DT_FLOAT16: bn_stats_f16(X->data, p, mean, var); break;
		case DT_BFLOAT16: bn_stats_bf16(X->data, p, mean, var); break;
		default: break;
		}
		for (int i = 1; i < n->n_outputs; i++) {
			struct tensor *o = n->outputs[i];
			const struct tensor *in = n->inputs[i % 2 ? 3 : 4];
			const double *cur = i % 2 ? mean : var;
			if (!o)
				continue;
			for (int64_t c = 0; c < p->channels; c++)
				store_at(o, c, i <= 2 ? load_at(in, c) * p->momentum +
				                        cur[c] * (1 - p->momentum) : cur[c]);
		}
		bn_fold(n, p, mean, var, cf);
	} else if (p->coef) {
		coef = p->coef;
	} else {
		bn_fold(n, p, NULL, NULL, cf);
	}
	switch (X->dtype) {
	case DT_FLOAT: bn_apply_f32(y->data, X->data, coef, p); break;
	case DT_DOUBLE: bn_apply_f64(y->data, X->data, coef, p); break;
	case DT_FLOAT16: bn_apply_f16(y->data, X->data, coef, p); break;
	case DT_BFLOAT16: bn_apply_bf16(y->data, X->data, coef, p); break;
	default:
		return op_fail(n, x, GRT_E_DTYPE, "unsupported element type %s",
		               dtype_name(X->dtype));
	}
	return GRT_OK;
}

/* -------------------------------------------------------- LayerNormalization */

struct ln_params {
	int64_t outer;              /* rows: product of X dims before axis */
	int64_t norm;               /* elements per row: product of X dims from axis on */
	double  epsilon;
	int     nd;                 /* normalized rank: rank(X) - axis */
	int64_t dims[MAX_DIMS];     /* [nd] normalized dims of X */
	int64_t sstride[2][MAX_DIMS]; /* [Scale, B][nd] element strides (0: broadcast) */
	int     direct[2];          /* Scale/B used in place: X's type (float/double) and
	                               exactly norm elements */
	const void *packed[2];      /* [norm] Scale/B expanded to the compute type at plan
	                               time (constant inputs), or NULL */
	size_t  cbytes;             /* compute element size: 8 for double X, else 4 */
	size_t  scratch_sb;         /* scratch bytes per run-time expanded Scale/B */
};

/* Expands Scale or B (input i) to norm elements of the compute type. */
static void ln_expand(const struct node *n, const struct ln_params *p, int which, void *dst)
{
	const struct tensor *t = n->inputs[1 + which];
	const int64_t *st = p->sstride[which];
	int64_t idx[MAX_DIMS] = { 0 }, off = 0;

	for (int64_t j = 0; j < p->norm; j++) {
		double v = load_at(t, off);
		if (p->cbytes == 8)
			((double *)dst)[j] = v;
		else
			((float *)dst)[j] = (float)v;
		for (int d = p->nd - 1; d >= 0; d--) {
			off += st[d];
			if (++idx[d] < p->dims[d])
				break;
			off -= st[d] * p->dims[d];
			idx[d] = 0;
		}
	}
}

/* float rows (the common case), written with 4-float vectors so that every pass
 * vectorises at -O2: the sum of the row, then the sum of squared deviations from the
 * mean rounded to float, each in 16 lanes that add up in double at the end of the
 * row (a row fits in L1, so the second and third passes read from cache); then
 * y = (x - mean) * inv_std * scale + bias as in ops/norm_ln.h. */
typedef float ln_v4f __attribute__((vector_size(16)));

static inline ln_v4f ln_ld4(const float *p)
{
	ln_v4f v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* named accumulators: GCC keeps an array of vectors in memory */
static double ln_lanes(ln_v4f s0, ln_v4f s1, ln_v4f s2, ln_v4f s3)
{
	double t = 0;

	for (int k = 0; k < 4; k++)
		t += ((double)s0[k] + s1[k]) + ((double)s2[k] + s3[k]);
	return t;
}

static double ln_f32_sum(const float *restrict xv, int64_t n)
{
	ln_v4f s0 = { 0 }, s1 = s0, s2 = s0, s3 = s0;
	float tail = 0;
	int64_t i = 0;

	for (; i + 16 <= n; i += 16) {
		s0 += ln_ld4(xv + i);
		s1 += ln_ld4(xv + i + 4);
		s2 += ln_ld4(xv + i + 8);
		s3 += ln_ld4(xv + i + 12);
	}
	for (; i < n; i++)
		tail += xv[i];
	return ln_lanes(s0, s1, s2, s3) + tail;
}

static double ln_f32_sqdev(const float *restrict xv, int64_t n, float mean)
{
	const ln_v4f m = { mean, mean, mean, mean };
	ln_v4f s0 = { 0 }, s1 = s0, s2 = s0, s3 = s0, d0, d1, d2, d3;
	float tail = 0;
	int64_t i = 0;

	for (; i + 16 <= n; i += 16) {
		d0 = ln_ld4(xv + i) - m;
		d1 = ln_ld4(xv + i + 4) - m;
		d2 = ln_ld4(xv + i + 8) - m;
		d3 = ln_ld4(xv + i + 12) - m;
		s0 += d0 * d0;
		s1 += d1 * d1;
		s2 += d2 * d2;
		s3 += d3 * d3;
	}
	for (; i < n; i++) {
		float d = xv[i] - mean;
		tail += d * d;
	}
	return ln_lanes(s0, s1, s2, s3) + tail;
}

/* bias may be NULL */
static void ln_f32_row(float *restrict y, const float *restrict xv, int64_t n, float cm,
                       float ci, const float *restrict scale, const float *restrict bias)
{
	const ln_v4f m = { cm, cm, cm, cm }, c = { ci, ci, ci, ci };
	int64_t i = 0;

	if (bias) {
		for (; i + 4 <= n; i += 4) {
			ln_v4f v = (ln_ld4(xv + i) - m) * c * ln_ld4(scale + i) + ln_ld4(bias + i);
			memcpy(y + i, &v, sizeof(v));
		}
		for (; i < n; i++)
			y[i] = (xv[i] - cm) * ci * scale[i] + bias[i];
		return;
	}
	for (; i + 4 <= n; i += 4) {
		ln_v4f v = (ln_ld4(xv + i) - m) * c * ln_ld4(scale + i);
		memcpy(y + i, &v, sizeof(v));
	}
	for (; i < n; i++)
		y[i] = (xv[i] - cm) * ci * scale[i];
}

static void ln_f32(float *restrict y, const float *restrict xv, const float *restrict scale,
                   const float *restrict bias, const struct ln_params *p,
                   double *restrict mean_out, double *restrict inv_out)
{
	const int64_t nrm = p->norm;

	for (int64_t r = 0; r < p->outer; r++, xv += nrm, y += nrm) {
		double mean = ln_f32_sum(xv, nrm) / (double)nrm;
		float cm = (float)mean;
		double var = ln_f32_sqdev(xv, nrm, cm) / (double)nrm;
		double inv = 1.0 / sqrt(var + p->epsilon);

		mean_out[r] = mean;
		inv_out[r] = inv;
		ln_f32_row(y, xv, nrm, cm, (float)inv, scale, bias);
	}
}

#define KN(name) name##_f64
#define T double
#define CT double
#define LOAD ld_f64
#define STORE st_f64
#include "ops/nn/norm_ln.h"
#define KN(name) name##_f16
#define T uint16_t
#define CT float
#define LOAD half_to_float
#define STORE float_to_half
#include "ops/nn/norm_ln.h"
#define KN(name) name##_bf16
#define T uint16_t
#define CT float
#define LOAD bf16_to_float
#define STORE float_to_bf16
#include "ops/nn/norm_ln.h"

/* Checks that Scale or B (input i) broadcasts to the normalized shape and sets
 * its strides. */
static int ln_broadcast(struct node *n, struct exec *x, int i, struct ln_params *p)
{
	const struct tensor *t = n->inputs[i];
	int64_t *st = p->sstride[i - 1], step = 1;

	if (t->dtype != n->inputs[0]->dtype)
		return op_fail(n, x, GRT_E_DTYPE, "%s (input %d) is %s but X is %s",
		               i == 1 ? "Scale" : "B", i, dtype_name(t->dtype),
		               dtype_name(n->inputs[0]->dtype));
	for (int k = 0; k < t->ndim; k++) {
		int64_t td = t->dims[t->ndim - 1 - k];
		int d = p->nd - 1 - k;
		int64_t xd = d >= 0 ? p->dims[d] : 1;
		if (td != xd && td != 1)
			return op_fail(n, x, GRT_E_SHAPE, "%s (input %d) dim %d is %lld, does not "
			               "broadcast to the normalized dim %lld", i == 1 ? "Scale" : "B",
			               i, t->ndim - 1 - k, (long long)td, (long long)xd);
		if (d >= 0)
			st[d] = td == 1 ? 0 : step;
		step *= td;
	}
	p->direct[i - 1] = t->numel == p->norm &&
	                   (t->dtype == DT_FLOAT || t->dtype == DT_DOUBLE);
	return GRT_OK;
}

static int ln_prepare(struct node *n, struct exec *x)
{
	const struct tensor *X;
	struct ln_params *p;
	int64_t axis, stash, sdims[MAX_DIMS];
	float eps;
	int ax, rc;

	if ((rc = op_check_arity(n, x, 2, 3, 1, 3)) ||
	    (rc = op_check_dtype(n, x, 0, float_types)) ||
	    (rc = attr_int(n, x, "axis", -1, &axis)) ||
	    (rc = attr_float(n, x, "epsilon", 1e-5f, &eps)) ||
	    (rc = attr_int(n, x, "stash_type", DT_FLOAT, &stash)))
		return rc;
	/* through the float kernel on widened copies (ops/half.h) when Mean and
	 * InvStdDev (type U, not T) are not asked for */
	if (!op_output(n, 1) && !op_output(n, 2) && half_wanted(n))
		return half_prepare(n, x, ln_prepare);
	X = n->inputs[0];
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (!dtype_is_float((enum dtype)stash))
		return op_fail(n, x, GRT_E_ATTR, "stash_type %lld is not a floating-point type",
		               (long long)stash);
	/* axis may equal the rank: nothing is normalized, every row has one element */
	if (axis < -X->ndim || axis > X->ndim)
		return op_fail(n, x, GRT_E_ATTR, "axis %lld out of range [%d, %d] for rank %d",
		               (long long)axis, -X->ndim, X->ndim, X->ndim);
	ax = (int)(axis < 0 ? axis + X->ndim : axis);
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	n->params = p;
	p->epsilon = eps;
	p->outer = shape_numel(ax, X->dims);
	p->nd = X->ndim - ax;
	memcpy(p->dims, X->dims + ax, (size_t)p->nd * sizeof(int64_t));
	p->norm = shape_numel(p->nd, p->dims);
	p->cbytes = X->dtype == DT_DOUBLE ? 8 : 4;
	for (int i = 1; i < 3; i++)
		if (op_input(n, i) && (rc = ln_broadcast(n, x, i, p)))
			return rc;
	if ((rc = tensor_set_shape(n->outputs[0], X->dtype, X->ndim, X->dims)))
		return op_fail(n, x, rc, "output shape too large");
	memcpy(sdims, X->dims, (size_t)ax * sizeof(int64_t));
	for (int d = ax; d < X->ndim; d++)
		sdims[d] = 1;
	for (int i = 1; i < 3; i++)
		if (op_output(n, i) && (rc = tensor_set_shape(n->outputs[i], (enum dtype)stash,
		                                              X->ndim, sdims)))
			return op_fail(n, x, rc, "output shape too large");
	/* Scale/B that are not usable in place are expanded once, here if constant */
	p->scratch_sb = ((size_t)p->norm * p->cbytes + 63) & ~(size_t)63;
	n->scratch_bytes = (size_t)p->outer * 2 * sizeof(double);
	for (int i = 1; i < 3; i++) {
		if (!op_input(n, i) || p->direct[i - 1])
			continue;
		if (op_const_input(n, x, i)) {
			void *buf = plan_alloc(x, p->scratch_sb);
			if (!buf)
				return GRT_E_NOMEM;
			ln_expand(n, p, i - 1, buf);
			p->packed[i - 1] = buf;
		} else {
			n->scratch_bytes += p->scratch_sb;
		}
	}
	x->dyn = NULL;
	return GRT_OK;
}

static int ln_run(struct node *n, struct exec *x)
{
	const struct ln_params *p = n->params;
	const struct tensor *X = n->inputs[0];
	struct tensor *y = n->outputs[0];
	double *mean = x->scratch;                      /* [outer] */
	double *inv = mean + p->outer;                  /* [outer] */
	char *free_sb = (char *)(inv + p->outer);
	const void *sb[2] = { NULL, NULL };             /* Scale, B in the compute type */

	if (n->half)
		return half_run(n, x, ln_run);
	for (int i = 0; i < 2; i++) {
		const struct tensor *t = op_input(n, i + 1);
		if (!t)
			continue;
		if (p->direct[i]) {
			sb[i] = t->data;
		} else if (p->packed[i]) {
			sb[i] = p->packed[i];
		} else {
			ln_expand(n, p, i, free_sb);
			sb[i] = free_sb;
			free_sb += p->scratch_sb;
		}
	}
	switch (X->dtype) {
	case DT_FLOAT: ln_f32(y->data, X->data, sb[0], sb[1], p, mean, inv); break;
	case DT_DOUBLE: ln_f64(y->data, X->data, sb[0], sb[1], p, mean, inv); break;
	case DT_FLOAT16: ln_f16(y->data, X->data, sb[0], sb[1], p, mean, inv); break;
	case DT_BFLOAT16: ln_bf16(y->data, X->data, sb[0], sb[1], p, mean, inv); break;
	default:
		return op_fail(n, x, GRT_E_DTYPE, "unsupported element type %s",
		               dtype_name(X->dtype));
	}
	for (int i = 1; i < 3; i++) {
		struct tensor *o = op_output(n, i);
		const double *v = i == 1 ? mean : inv;
		if (o)
			for (int64_t r = 0; r < p->outer; r++)
				store_at(o, r, v[r]);
	}
	return GRT_OK;
}

const struct op_def op_batch_normalization = {
	"BatchNormalization", 1, OPSET_LATEST, bn_prepare, bn_run, 0, NULL };
const struct op_def op_layer_normalization = {
	"LayerNormalization", 17, OPSET_LATEST, ln_prepare, ln_run, 0, NULL };
