/* norm_group.c - InstanceNormalization (opsets 1+,
 * https://onnx.ai/onnx/operators/onnx__InstanceNormalization.html) and
 * GroupNormalization (opset 18: scale and bias per group; opset 21: per channel,
 * https://onnx.ai/onnx/operators/onnx__GroupNormalization.html). Both normalise each
 * (n, group) block of X [N, C, D...] by its mean and variance (two passes in double,
 * block copied into scratch), then y = (x - mean) / sqrt(var + epsilon) * scale + bias
 * (InstanceNormalization: one channel per group). */
#include <math.h>
#include "ops/op.h"

struct gn_params {
	int64_t batch;          /* N */
	int64_t groups;         /* G (InstanceNormalization: C) */
	int64_t cg;             /* channels per group */
	int64_t inner;          /* D1 * ... * Dn: elements per (n, c) */
	int per_group;          /* scale / bias are [G] (GroupNormalization-18), else [C] */
	double epsilon;
};

static int gn_check_vec(struct node *n, struct exec *x, int i, int64_t count)
{
	const struct tensor *t = n->inputs[i], *X = n->inputs[0];

	if (t->dtype != X->dtype)
		return op_fail(n, x, GRT_E_DTYPE, "input %d is %s but X is %s", i,
		               dtype_name(t->dtype), dtype_name(X->dtype));
	if (t->ndim != 1 || t->dims[0] != count)
		return op_fail(n, x, GRT_E_SHAPE, "input %d must have shape [%lld]", i,
		               (long long)count);
	return GRT_OK;
}

static int gn_prepare_common(struct node *n, struct exec *x, int instance)
{
	static const enum dtype types[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_UNDEFINED,
	};
	const struct tensor *X;
	struct gn_params *p;
	int64_t groups;
	float eps;
	int rc;

	if ((rc = op_check_arity(n, x, 3, 3, 1, 1)) || (rc = op_check_dtype(n, x, 0, types)) ||
	    (rc = attr_float(n, x, "epsilon", 1e-5f, &eps)))
		return rc;
	X = n->inputs[0];
	if (X->ndim < 2 + !instance)
		return op_fail(n, x, GRT_E_SHAPE, "X has rank %d, expected (N, C, D1, ...)",
		               X->ndim);
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	groups = X->dims[1];
	if (!instance) {
		rc = attr_int(n, x, "num_groups", -1, &groups);
		if (rc)
			return rc;
		if (groups < 1 || X->dims[1] % groups)
			return op_fail(n, x, GRT_E_ATTR, "attribute 'num_groups' = %lld must be >= 1 "
			               "and divide the %lld channels", (long long)groups,
			               (long long)X->dims[1]);
	}
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	p->batch = X->dims[0];
	p->groups = groups;
	p->cg = groups ? X->dims[1] / groups : 0;
	p->inner = shape_numel(X->ndim - 2, X->dims + 2);
	p->per_group = !instance && n->opset < 21;
	p->epsilon = eps;
	if ((rc = gn_check_vec(n, x, 1, p->per_group ? groups : X->dims[1])) ||
	    (rc = gn_check_vec(n, x, 2, p->per_group ? groups : X->dims[1])))
		return rc;
	rc = tensor_set_shape(n->outputs[0], X->dtype, X->ndim, X->dims);
	if (rc)
		return op_fail(n, x, rc, "output shape is too large");
	n->scratch_bytes = (size_t)(p->cg * p->inner) * sizeof(double);
	n->params = p;
	return GRT_OK;
}

static int gn_run(struct node *n, struct exec *x)
{
	const struct gn_params *p = n->params;
	const struct tensor *X = n->inputs[0], *S = n->inputs[1], *B = n->inputs[2];
	struct tensor *Y = n->outputs[0];
	const int64_t m = p->cg * p->inner;   /* elements of one (n, group) block */
	const size_t es = dtype_size(X->dtype);
	double *v = x->scratch;               /* [m]: the block, in double */

	for (int64_t b = 0; b < p->batch * p->groups; b++) {
		const int64_t g = b % p->groups, base = b * m;
		double mean = 0, var = 0;

		elems_to_f64(X->dtype, (const char *)X->data + (size_t)base * es, v, m);
		for (int64_t i = 0; i < m; i++)
			mean += v[i];
		mean = m ? mean / (double)m : 0;
		for (int64_t i = 0; i < m; i++)
			var += (v[i] - mean) * (v[i] - mean);
		var = m ? var / (double)m : 0;
		for (int64_t c = 0; c < p->cg; c++) {
			const int64_t k = p->per_group ? g : g * p->cg + c;
			const double a = elem_as_double(S->dtype, S->data, k) / sqrt(var + p->epsilon);
			const double bias = elem_as_double(B->dtype, B->data, k);

			for (int64_t i = c * p->inner; i < (c + 1) * p->inner; i++)
				v[i] = (v[i] - mean) * a + bias;
		}
		f64_to_floats(Y->dtype, v, (char *)Y->data + (size_t)base * es, m);
	}
	return GRT_OK;
}

static int instance_norm_prepare(struct node *n, struct exec *x)
{
	return gn_prepare_common(n, x, 1);
}

static int group_norm_prepare(struct node *n, struct exec *x)
{
	return gn_prepare_common(n, x, 0);
}

const struct op_def op_group_normalization = {
	"GroupNormalization", 18, OPSET_LATEST, group_norm_prepare, gn_run, 0, NULL };
const struct op_def op_instance_normalization = {
	"InstanceNormalization", 1, OPSET_LATEST, instance_norm_prepare, gn_run, 0, NULL };
