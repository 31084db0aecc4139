/* softmax.c - Softmax, LogSoftmax and Hardmax (https://onnx.ai/onnx/operators/onnx__Softmax.html),
 * opsets 1-12 (the input coerced to a matrix [prod(dims[:axis]), prod(dims[axis:])], axis
 * default 1, each row normalised) and 13+ (one axis, default -1). Both see the input as
 * [outer][n][inner] and normalise along n: y = exp(v - max) / sum, or (v - max) - log(sum),
 * in double; Hardmax puts 1 at the first maximum. */
#include <math.h>
#include <stdint.h>
#include <string.h>
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
		mx = 0;         /* an infinite maximum: let the exps give inf/NaN as the spec's formula */
	for (int64_t k = 0; k < n; k++)
		sum += exp(sm_load(dt, src, base + k * step) - mx);
	if (kind == SMAX_LOG) {
		double ls = log(sum);
		for (int64_t k = 0; k < n; k++)
			sm_store(dt, dst, base + k * step, sm_load(dt, src, base + k * step) - mx - ls);
	} else {
		for (int64_t k = 0; k < n; k++)
			sm_store(dt, dst, base + k * step,
			         exp(sm_load(dt, src, base + k * step) - mx) / sum);
	}
}

static int softmax_run(struct node *n, struct exec *x)
{
	const struct softmax_params *p = n->params;
	const struct tensor *in = n->inputs[0];

	(void)x;
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
