/* det.c - Det (https://onnx.ai/onnx/operators/onnx__Det.html), opsets 11..latest: the
 * determinant of each square matrix of X [*, M, M], Y [*]. LU decomposition with partial
 * pivoting in double (scratch: one M x M copy); a zero pivot column gives 0. */
#include <math.h>
#include "ops/op.h"

struct det_params {
	int64_t batch, m;           /* X seen as [batch][m][m] */
};

static int det_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_UNDEFINED,
	};
	const struct tensor *in;
	struct det_params *p;
	int rc;

	if ((rc = op_check_arity(n, x, 1, 1, 1, 1)) || (rc = op_check_dtype(n, x, 0, types)))
		return rc;
	in = n->inputs[0];
	if (in->ndim < 2 || in->dims[in->ndim - 1] != in->dims[in->ndim - 2])
		return op_fail(n, x, GRT_E_SHAPE, "input '%s' must be [*, M, M]", in->name);
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	n->params = p;
	p->m = in->dims[in->ndim - 1];
	p->batch = shape_numel(in->ndim - 2, in->dims);
	if ((rc = tensor_set_shape(n->outputs[0], in->dtype, in->ndim - 2, in->dims)))
		return op_fail(n, x, rc, "output shape too large");
	n->scratch_bytes = (size_t)(p->m * p->m) * sizeof(double);
	return GRT_OK;
}

/* The determinant of a [m][m] (row-major, overwritten by its LU factors). */
static double det_lu(double *a, int64_t m)
{
	double det = 1;

	for (int64_t k = 0; k < m; k++) {
		int64_t piv = k;
		for (int64_t i = k + 1; i < m; i++)
			if (fabs(a[i * m + k]) > fabs(a[piv * m + k]))
				piv = i;
		if (a[piv * m + k] == 0)
			return 0;
		if (piv != k) {
			for (int64_t j = 0; j < m; j++) {
				double t = a[k * m + j];
				a[k * m + j] = a[piv * m + j];
				a[piv * m + j] = t;
			}
			det = -det;
		}
		det *= a[k * m + k];
		for (int64_t i = k + 1; i < m; i++) {
			double f = a[i * m + k] / a[k * m + k];
			for (int64_t j = k + 1; j < m; j++)
				a[i * m + j] -= f * a[k * m + j];
		}
	}
	return det;
}

static int det_run(struct node *n, struct exec *x)
{
	const struct det_params *p = n->params;
	const struct tensor *in = n->inputs[0];
	struct tensor *out = n->outputs[0];
	double *a = x->scratch;
	const int64_t mm = p->m * p->m;

	for (int64_t b = 0; b < p->batch; b++) {
		for (int64_t i = 0; i < mm; i++)
			a[i] = elem_as_double(in->dtype, in->data, b * mm + i);
		elem_set_double(out->dtype, out->data, b, det_lu(a, p->m));
	}
	return GRT_OK;
}

/* Det 22 only adds bfloat16, accepted here from 11 on. */
const struct op_def op_det = { "Det", 11, OPSET_LATEST, det_prepare, det_run, 0, NULL };
