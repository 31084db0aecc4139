/* clip.c - Clip (https://onnx.ai/onnx/operators/onnx__Clip.html): y = min(max(x, lo), hi).
 * Opsets 1-10 take the bounds as the float attributes min and max (the float types
 * only); from opset 11 they are the optional scalar inputs 1 and 2, read when the
 * node runs (12 adds the integer types, accepted at 11 as well). An omitted bound
 * does not clip; lo > hi gives hi everywhere, as ONNX Runtime does. */
#include <float.h>
#include <math.h>
#include <string.h>
#include "ops/op.h"

struct clip_params {
	enum dtype dtype;
	int has_lo, has_hi;         /* a bound given */
	double lo, hi;              /* opsets 1-10: the attributes */
};

static int clip_prepare(struct node *n, struct exec *x)
{
	const struct tensor *a;
	struct clip_params *p;
	int rc = op_check_arity(n, x, 1, n->opset < 11 ? 1 : 3, 1, 1);

	if (rc)
		return rc;
	a = n->inputs[0];
	if (!dtype_is_float(a->dtype) && (n->opset < 11 || a->dtype == DT_BOOL ||
	                                  !dtype_size(a->dtype)))
		return op_fail(n, x, GRT_E_DTYPE, "input 0 '%s' has unsupported element type %s",
		               a->name, dtype_name(a->dtype));
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return op_fail(n, x, GRT_E_NOMEM, "out of memory");
	p->dtype = a->dtype;
	if (n->opset < 11) {
		float lo, hi;
		if ((rc = attr_float(n, x, "min", -FLT_MAX, &lo)) ||
		    (rc = attr_float(n, x, "max", FLT_MAX, &hi)))
			return rc;
		p->has_lo = p->has_hi = 1;
		p->lo = lo;
		p->hi = hi;
	}
	for (int i = 1; i < n->n_inputs; i++) {
		const struct tensor *b = n->inputs[i];
		if (!b)
			continue;
		if (b->dtype != a->dtype || b->numel != 1)
			return op_fail(n, x, b->numel != 1 ? GRT_E_SHAPE : GRT_E_DTYPE, "%s '%s' "
			               "must be a scalar of the input's type %s, not %lld elements "
			               "of %s", i == 1 ? "min" : "max", b->name,
			               dtype_name(a->dtype), (long long)b->numel,
			               dtype_name(b->dtype));
		*(i == 1 ? &p->has_lo : &p->has_hi) = 1;
	}
	rc = tensor_set_shape(n->outputs[0], a->dtype, a->ndim, a->dims);
	if (rc)
		return op_fail(n, x, rc, "output shape too large");
	n->inplace = 1;
	n->params = p;
	return GRT_OK;
}

/* a compare and a select each, vectorised */
static void clip_f32(float *o, const float *a, int64_t n, float lo, float hi)
{
	for (int64_t i = 0; i < n; i++) {
		float v = a[i] < lo ? lo : a[i];
		o[i] = v > hi ? hi : v;
	}
}

static int is_unsigned(enum dtype dt)
{
	return dt == DT_UINT8 || dt == DT_UINT16 || dt == DT_UINT32 || dt == DT_UINT64;
}

/* Integers, compared as int64 or uint64 (exact for every width). */
static void clip_int(const struct clip_params *p, void *o, const void *a, int64_t n,
                     uint64_t lo, uint64_t hi)
{
	for (int64_t i = 0; i < n; i++) {
		uint64_t v = elem_as_bits(p->dtype, a, i);
		if (is_unsigned(p->dtype)) {
			v = p->has_lo && v < lo ? lo : v;
			v = p->has_hi && v > hi ? hi : v;
		} else {
			v = p->has_lo && (int64_t)v < (int64_t)lo ? lo : v;
			v = p->has_hi && (int64_t)v > (int64_t)hi ? hi : v;
		}
		elem_set_bits(p->dtype, o, i, v);
	}
}

static int clip_run(struct node *n, struct exec *x)
{
	const struct clip_params *p = n->params;
	const struct tensor *tlo = op_input(n, 1), *thi = op_input(n, 2);
	struct tensor *o = n->outputs[0];
	const void *a = n->inputs[0]->data;
	double lo = p->has_lo ? p->lo : -INFINITY, hi = p->has_hi ? p->hi : INFINITY;

	(void)x;
	if (!dtype_is_float(p->dtype)) {
		clip_int(p, o->data, a, o->numel, tlo ? elem_as_bits(p->dtype, tlo->data, 0) : 0,
		         thi ? elem_as_bits(p->dtype, thi->data, 0) : 0);
		return GRT_OK;
	}
	if (tlo)
		lo = elem_as_double(p->dtype, tlo->data, 0);
	if (thi)
		hi = elem_as_double(p->dtype, thi->data, 0);
	if (p->dtype == DT_FLOAT) {
		clip_f32(o->data, a, o->numel, (float)lo, (float)hi);
		return GRT_OK;
	}
	for (int64_t i = 0; i < o->numel; i++) {
		double v = elem_as_double(p->dtype, a, i);
		v = v < lo ? lo : v;
		elem_set_double(p->dtype, o->data, i, v > hi ? hi : v);
	}
	return GRT_OK;
}

/* Opset 1's consumed_inputs attribute is an optimisation hint and ignored. */
const struct op_def op_clip_1 = { "Clip", 1, 10, clip_prepare, clip_run, 0, NULL };
const struct op_def op_clip_11 = { "Clip", 11, OPSET_LATEST, clip_prepare, clip_run, 0, NULL };
