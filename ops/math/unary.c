/* unary.c - the unary elementwise ops, float and double (float16 and bfloat16 through
 * the float kernels, ops/half.h), opsets 1..latest
 * (https://onnx.ai/onnx/operators/onnx__Sqrt.html, onnx__Sigmoid.html,
 * onnx__Tanh.html): y[i] = f(x[i]), in place where the planner allows. An op is one
 * row of unary_table: its name, first opset, scalar functions and, for float, an
 * array kernel (the session's, from ops/cpu.h, or a portable one). */
#include <math.h>
#include <string.h>
#include "ops/half.h"
#include "ops/cpu.h"
#include "ops/math/mathfn.h"
#include "ops/math/unary.h"

struct unary_params {
	enum dtype dtype;
	const struct unary_def *u;
	void (*f32_n)(float *o, const float *a, int64_t n);  /* float arrays, or NULL */
};

static int unary_prepare(struct node *n, struct exec *x)
{
	/* n->op is the first member of its row */
	const struct unary_def *u = (const struct unary_def *)n->op;
	const struct tensor *a;
	struct unary_params *p;
	int rc = op_check_arity(n, x, 1, 1, 1, 1);

	if (rc)
		return rc;
	if (half_wanted(n))     /* the float kernels on a widened copy (ops/half.h) */
		return half_prepare(n, x, n->op->prepare);
	a = n->inputs[0];
	if (a->dtype != DT_FLOAT && a->dtype != DT_DOUBLE)
		return op_fail(n, x, GRT_E_DTYPE, "input 0 '%s' has unsupported element type %s",
		               a->name, dtype_name(a->dtype));
	rc = tensor_set_shape(n->outputs[0], a->dtype, a->ndim, a->dims);
	if (rc)
		return op_fail(n, x, rc, "output shape too large");
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return op_fail(n, x, GRT_E_NOMEM, "out of memory");
	p->dtype = a->dtype;
	p->u = u;
	p->f32_n = u->f32_n;
	if (u->kern)
		memcpy(&p->f32_n, (const char *)x->kern + u->kern, sizeof(p->f32_n));
	n->inplace = 1;
	n->params = p;
	return GRT_OK;
}

static int unary_run(struct node *n, struct exec *x)
{
	const struct unary_params *p = n->params;
	struct tensor *o = n->outputs[0];
	const void *a = n->inputs[0]->data;
	const int64_t count = o->numel;

	if (n->half)
		return half_run(n, x, unary_run);
	switch (p->dtype) {
	case DT_FLOAT:
		if (p->f32_n) {
			if (count)
				p->f32_n(o->data, a, count);
			break;
		}
		for (int64_t i = 0; i < count; i++)
			((float *)o->data)[i] = p->u->f(((const float *)a)[i]);
		break;
	default:        /* DT_DOUBLE */
		for (int64_t i = 0; i < count; i++)
			((double *)o->data)[i] = p->u->d(((const double *)a)[i]);
		break;
	}
	(void)x;
	return GRT_OK;
}

/* 1 / (1 + e^-|x|), mirrored for x < 0 as e^x / (1 + e^x): exp never
 * overflows and the small tail keeps its relative accuracy (float: the same
 * in ops/math/mathfn.h). */
static double sigmoid(double v)
{
	double e = exp(-fabs(v));
	double r = 1.0 / (1.0 + e);

	return v >= 0 ? r : e * r;
}

/* vectorised: sqrtf is one instruction (-fno-math-errno) */
static void sqrt_f32_n(float *o, const float *a, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		o[i] = sqrtf(a[i]);
}

/* One row per op: name, first opset, float and double functions, session kernel and
 * portable float array kernel. */
#define UNARY(type, first, f, d, kern, f32_n) { \
	.op = { .op_type = type, .since = first, .until = OPSET_LATEST, \
	        .prepare = unary_prepare, .run = unary_run }, f, d, kern, f32_n }
#define KERN(member) offsetof(struct kernels, member)

const struct unary_def unary_table[] = {
	UNARY("Sigmoid", 1, fast_sigmoidf, sigmoid, KERN(sigmoid_f32), NULL),
	UNARY("Sqrt", 1, sqrtf, sqrt, 0, sqrt_f32_n),
	UNARY("Tanh", 1, fast_tanhf, tanh, KERN(tanh_f32), NULL),
};

const int unary_table_len = (int)(sizeof(unary_table) / sizeof(unary_table[0]));
