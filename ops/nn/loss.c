/* loss.c - NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, opsets 12..latest
 * (https://onnx.ai/onnx/operators/onnx__NegativeLogLikelihoodLoss.html and
 * onnx__SoftmaxCrossEntropyLoss.html). Both see the input as [n][c][d] (d the product of
 * the trailing dims) and the target as [n][d]:
 * loss[i][k] = -w[t] * logp[i][t][k] with t = target[i][k] (0 where t == ignore_index),
 * then no reduction, the sum, or the sum divided by the sum of the w[t] taken. SCE first
 * takes logp = LogSoftmax(scores) along axis 1 (its optional second output). In double. */
#include <math.h>
#include <string.h>
#include "ops/op.h"

enum loss_reduction { RED_NONE, RED_SUM, RED_MEAN };

struct loss_params {
	int64_t n, c, d;            /* input seen as [n][c][d]; target [n][d] */
	enum loss_reduction red;
	int has_ignore;             /* ignore_index set */
	int64_t ignore;             /* ignore_index */
	int softmax;                /* SoftmaxCrossEntropyLoss: logp from the scores */
};

static int loss_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_UNDEFINED,
	};
	static const enum dtype ind_types[] = { DT_INT32, DT_INT64, DT_UNDEFINED };
	const struct tensor *in, *tg, *w;
	struct tensor *out = op_output(n, 0), *lp = op_output(n, 1);
	struct loss_params *p;
	const char *red;
	int softmax = !strcmp(n->op->op_type, "SoftmaxCrossEntropyLoss");
	int rc;

	if ((rc = op_check_arity(n, x, 2, 3, 1, softmax ? 2 : 1)) ||
	    (rc = op_check_dtype(n, x, 0, types)) || (rc = op_check_dtype(n, x, 1, ind_types)) ||
	    (rc = attr_string(n, x, "reduction", "mean", &red)))
		return rc;
	in = n->inputs[0];
	tg = n->inputs[1];
	w = op_input(n, 2);
	if (!out)
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (in->ndim < 2 || tg->ndim != in->ndim - 1 || tg->dims[0] != in->dims[0] ||
	    memcmp(tg->dims + 1, in->dims + 2, (size_t)(tg->ndim - 1) * sizeof(int64_t)))
		return op_fail(n, x, GRT_E_SHAPE, "input '%s' must be [N, C, d1..dk] and target "
		               "'%s' [N, d1..dk]", in->name, tg->name);
	if (w && (w->dtype != in->dtype || w->ndim != 1 || w->dims[0] != in->dims[1]))
		return op_fail(n, x, GRT_E_SHAPE, "weight '%s' must be [C] of the input's type",
		               w->name);
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	n->params = p;
	p->softmax = softmax;
	p->red = !strcmp(red, "none") ? RED_NONE : !strcmp(red, "sum") ? RED_SUM : RED_MEAN;
	if (p->red == RED_MEAN && strcmp(red, "mean"))
		return op_fail(n, x, GRT_E_ATTR, "reduction '%s' is not none, sum or mean", red);
	p->has_ignore = node_attr(n, "ignore_index") != NULL;
	if ((rc = attr_int(n, x, "ignore_index", 0, &p->ignore)))
		return rc;
	p->n = in->dims[0];
	p->c = in->dims[1];
	p->d = shape_numel(in->ndim - 2, in->dims + 2);
	if (p->red == RED_NONE)
		rc = tensor_set_shape(out, in->dtype, tg->ndim, tg->dims);
	else
		rc = tensor_set_shape(out, in->dtype, 0, NULL);
	if (!rc && lp)
		rc = tensor_set_shape(lp, in->dtype, in->ndim, in->dims);
	if (rc)
		return op_fail(n, x, rc, "output shape too large");
	/* SCE: the log-probabilities [n][c][d] in double */
	if (softmax)
		n->scratch_bytes = (size_t)in->numel * sizeof(double);
	return GRT_OK;
}

/* logp [n][c][d] = LogSoftmax of the scores along c, in double. */
static void log_softmax_nc(const struct loss_params *p, const struct tensor *in, double *logp)
{
	for (int64_t i = 0; i < p->n; i++)
		for (int64_t k = 0; k < p->d; k++) {
			int64_t base = i * p->c * p->d + k;
			double mx = -INFINITY, sum = 0;
			for (int64_t j = 0; j < p->c; j++) {
				logp[base + j * p->d] = elem_as_double(in->dtype, in->data,
				                                       base + j * p->d);
				mx = fmax(mx, logp[base + j * p->d]);
			}
			if (!isfinite(mx))
				mx = 0;
			for (int64_t j = 0; j < p->c; j++)
				sum += exp(logp[base + j * p->d] - mx);
			sum = log(sum);
			for (int64_t j = 0; j < p->c; j++)
				logp[base + j * p->d] -= mx + sum;
		}
}

static int loss_run(struct node *n, struct exec *x)
{
	const struct loss_params *p = n->params;
	const struct tensor *in = n->inputs[0], *tg = n->inputs[1], *w = op_input(n, 2);
	struct tensor *out = n->outputs[0], *lp = op_output(n, 1);
	const double *logp = x->scratch;
	double total = 0, wsum = 0;

	if (p->softmax) {
		log_softmax_nc(p, in, x->scratch);
		if (lp)
			for (int64_t i = 0; i < lp->numel; i++)
				elem_set_double(lp->dtype, lp->data, i, logp[i]);
	}
	for (int64_t i = 0; i < p->n; i++)
		for (int64_t k = 0; k < p->d; k++) {
			int64_t t = tg->dtype == DT_INT64 ? ((const int64_t *)tg->data)[i * p->d + k]
			                                  : ((const int32_t *)tg->data)[i * p->d + k];
			int64_t at = (i * p->c + t) * p->d + k;
			double wt = 1, l = 0;
			if (p->has_ignore && t == p->ignore) {
				wt = 0;
			} else if (t < 0 || t >= p->c) {
				return op_fail(n, x, GRT_E_INDEX, "target %lld at %lld is "
				               "outside [0, %lld)", (long long)t,
				               (long long)(i * p->d + k), (long long)p->c);
			} else {
				if (w)
					wt = elem_as_double(w->dtype, w->data, t);
				l = -wt * (p->softmax ? logp[at] : elem_as_double(in->dtype, in->data, at));
			}
			if (p->red == RED_NONE)
				elem_set_double(out->dtype, out->data, i * p->d + k, l);
			total += l;
			wsum += wt;
		}
	if (p->red != RED_NONE)
		elem_set_double(out->dtype, out->data, 0, p->red == RED_SUM ? total : total / wsum);
	return GRT_OK;
}

/* NegativeLogLikelihoodLoss 13 and 22 and SoftmaxCrossEntropyLoss 13 only add types. */
const struct op_def op_negative_log_likelihood_loss = {
	"NegativeLogLikelihoodLoss", 12, OPSET_LATEST, loss_prepare, loss_run, 0, NULL
};
const struct op_def op_softmax_cross_entropy_loss = {
	"SoftmaxCrossEntropyLoss", 12, OPSET_LATEST, loss_prepare, loss_run, 0, NULL
};
