/* norm_mvn.c - MeanVarianceNormalization (opsets 9..latest,
 * https://onnx.ai/onnx/operators/onnx__MeanVarianceNormalization.html): y = (x - mean) /
 * (sqrt(E[x^2] - mean^2) + 1e-9), the moments over `axes` (default [0, 2, 3]); and LRN
 * (onnx__LRN.html, 1..latest): y = x / (bias + alpha / size * the sum of x^2 over the
 * `size` channels around c)^beta. Both in double. */
#include <math.h>
#include <string.h>
#include "ops/op.h"

struct mvn_params {
	int ndim;
	int64_t dims[MAX_DIMS];     /* of X */
	int64_t kstride[MAX_DIMS];  /* per axis of X: stride into the kept [groups] array,
	                             * 0 on the normalised axes */
	int64_t groups;             /* product of the kept dims */
	double count;               /* elements per group */
};

static int mvn_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_UNDEFINED,
	};
	static const int64_t def_axes[] = { 0, 2, 3 };
	const struct tensor *in;
	struct mvn_params *p;
	const int64_t *axes;
	int n_axes, rc, reduced[MAX_DIMS] = { 0 };

	if ((rc = op_check_arity(n, x, 1, 1, 1, 1)) || (rc = op_check_dtype(n, x, 0, types)) ||
	    (rc = attr_ints(n, x, "axes", &axes, &n_axes)))
		return rc;
	if (n_axes < 0) {
		axes = def_axes;
		n_axes = 3;
	}
	in = n->inputs[0];
	for (int i = 0; i < n_axes; i++) {
		int a;
		if ((rc = op_axis(n, x, axes[i], in->ndim, &a)))
			return rc;
		reduced[a] = 1;
	}
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	n->params = p;
	p->ndim = in->ndim;
	p->groups = 1;
	for (int a = in->ndim - 1; a >= 0; a--) {
		p->dims[a] = in->dims[a];
		p->kstride[a] = reduced[a] ? 0 : p->groups;
		if (!reduced[a])
			p->groups *= in->dims[a];
	}
	p->count = p->groups ? (double)in->numel / (double)p->groups : 0;
	if ((rc = tensor_set_shape(n->outputs[0], in->dtype, in->ndim, in->dims)))
		return op_fail(n, x, rc, "output shape too large");
	/* the sums of x and of x^2 per group, [2][groups] */
	n->scratch_bytes = 2 * (size_t)p->groups * sizeof(double);
	n->inplace = 1;
	return GRT_OK;
}

/* The group of each element of X in C order, through idx [ndim] (a counter over X's dims). */
static int64_t mvn_next(const struct mvn_params *p, int64_t *idx, int64_t g)
{
	for (int a = p->ndim - 1; a >= 0; a--) {
		g += p->kstride[a];
		if (++idx[a] < p->dims[a])
			return g;
		g -= p->kstride[a] * p->dims[a];
		idx[a] = 0;
	}
	return g;
}

static int mvn_run(struct node *n, struct exec *x)
{
	const struct mvn_params *p = n->params;
	const struct tensor *in = n->inputs[0];
	struct tensor *out = n->outputs[0];
	double *sum = x->scratch, *sq = sum + p->groups;
	int64_t idx[MAX_DIMS] = { 0 }, g = 0;

	memset(sum, 0, 2 * (size_t)p->groups * sizeof(double));
	for (int64_t i = 0; i < in->numel; i++, g = mvn_next(p, idx, g)) {
		double v = elem_as_double(in->dtype, in->data, i);
		sum[g] += v;
		sq[g] += v * v;
	}
	for (int64_t k = 0; k < p->groups; k++) {
		sum[k] /= p->count;                     /* mean */
		sq[k] = sqrt(sq[k] / p->count - sum[k] * sum[k]) + 1e-9;
	}
	memset(idx, 0, sizeof(idx));
	g = 0;
	for (int64_t i = 0; i < in->numel; i++, g = mvn_next(p, idx, g))
		elem_set_double(out->dtype, out->data, i,
		                (elem_as_double(in->dtype, in->data, i) - sum[g]) / sq[g]);
	return GRT_OK;
}

struct lrn_params {
	int64_t n, c, inner;        /* X seen as [n][c][inner] */
	int64_t before, after;      /* channels summed: [c - before, c + after] */
	double alpha_n, beta, bias; /* alpha / size, beta, bias */
};

static int lrn_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_UNDEFINED,
	};
	const struct tensor *in;
	struct lrn_params *p;
	float alpha, beta, bias;
	int64_t size;
	int rc;

	if ((rc = op_check_arity(n, x, 1, 1, 1, 1)) || (rc = op_check_dtype(n, x, 0, types)) ||
	    (rc = attr_float(n, x, "alpha", 1e-4f, &alpha)) ||
	    (rc = attr_float(n, x, "beta", 0.75f, &beta)) ||
	    (rc = attr_float(n, x, "bias", 1.0f, &bias)) ||
	    (rc = attr_int(n, x, "size", 0, &size)))
		return rc;
	if (!node_attr(n, "size") || size < 1)
		return op_fail(n, x, GRT_E_ATTR, "attribute 'size' must be given and positive");
	in = n->inputs[0];
	if (in->ndim < 2)
		return op_fail(n, x, GRT_E_SHAPE, "input '%s' must be [N, C, ...]", in->name);
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	n->params = p;
	p->n = in->dims[0];
	p->c = in->dims[1];
	p->inner = shape_numel(in->ndim - 2, in->dims + 2);
	p->before = (size - 1) / 2;
	p->after = size / 2;        /* ceil((size - 1) / 2) */
	p->alpha_n = (double)alpha / (double)size;
	p->beta = beta;
	p->bias = bias;
	if ((rc = tensor_set_shape(n->outputs[0], in->dtype, in->ndim, in->dims)))
		return op_fail(n, x, rc, "output shape too large");
	return GRT_OK;
}

static int lrn_run(struct node *n, struct exec *x)
{
	const struct lrn_params *p = n->params;
	const struct tensor *in = n->inputs[0];
	struct tensor *out = n->outputs[0];

	(void)x;
	for (int64_t b = 0; b < p->n; b++)
		for (int64_t c = 0; c < p->c; c++)
			for (int64_t k = 0; k < p->inner; k++) {
				int64_t at = (b * p->c + c) * p->inner + k;
				int64_t lo = c - p->before < 0 ? 0 : c - p->before;
				int64_t hi = c + p->after >= p->c ? p->c - 1 : c + p->after;
				double sq = 0;
				for (int64_t j = lo; j <= hi; j++) {
					double v = elem_as_double(in->dtype, in->data,
					                          (b * p->c + j) * p->inner + k);
					sq += v * v;
				}
				elem_set_double(out->dtype, out->data, at,
				                elem_as_double(in->dtype, in->data, at) /
				                pow(p->bias + p->alpha_n * sq, p->beta));
			}
	return GRT_OK;
}

/* LRN 13 and MeanVarianceNormalization 13 add bfloat16, accepted from the first opset. */
const struct op_def op_lrn = { "LRN", 1, OPSET_LATEST, lrn_prepare, lrn_run, 0, NULL };
const struct op_def op_mean_variance_normalization = {
	"MeanVarianceNormalization", 9, OPSET_LATEST, mvn_prepare, mvn_run, 0, NULL
};
