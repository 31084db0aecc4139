/* unary.c - the unary elementwise ops (https://onnx.ai/onnx/operators/): the activations
 * (Relu, LeakyRelu, Elu, Selu, Celu, Softplus, Softsign, HardSigmoid, HardSwish, Gelu,
 * Mish, ThresholdedRelu, Sigmoid, Tanh), the math functions (Abs, Neg, Exp, Log, Sqrt,
 * Reciprocal, Floor, Ceil, Round, Sign, Erf, the trigonometric and hyperbolic ones),
 * Shrink, Not, IsNaN and IsInf, each from its first opset to the latest: y[i] = f(x[i]),
 * in place where the planner allows. An op is one row of unary_table: its name, first opset,
 * element types, scalar functions and, for float, an array kernel (the session's, from
 * ops/cpu.h, or a portable one). Later opsets of these ops only add element types. */
#include <math.h>
#include <string.h>
#include "ops/cpu.h"
#include "ops/math/mathfn.h"
#include "ops/math/unary.h"
#include "ops/op_select.h"

#ifndef GRT_OPS_ALL     /* a selection (configure --with-ops) leaves rows' functions unused */
#pragma GCC diagnostic ignored "-Wunused-function"
#endif

struct unary_params {
	enum dtype dtype;                                    /* of the input */
	const struct unary_def *u;
	void (*f32_n)(float *o, const float *a, int64_t n);  /* float arrays, or NULL */
	double k[UNARY_MAX_ATTRS];                           /* attribute values (dk) */
};

static unsigned type_class(enum dtype dt)
{
	switch (dt) {
	case DT_FLOAT: case DT_DOUBLE: case DT_FLOAT16: case DT_BFLOAT16:
		return UT_FLOAT;
	case DT_INT8: case DT_INT16: case DT_INT32: case DT_INT64:
		return UT_SINT;
	case DT_UINT8: case DT_UINT16: case DT_UINT32: case DT_UINT64:
		return UT_UINT;
	case DT_BOOL:
		return UT_BOOL;
	default:
		return 0;
	}
}

static int unary_prepare(struct node *n, struct exec *x)
{
	/* n->op is the first member of its row */
	const struct unary_def *u = (const struct unary_def *)n->op;
	unsigned types = u->types ? u->types : UT_FLOAT;
	const struct tensor *a;
	struct unary_params *p;
	enum dtype out_dt;
	int rc = op_check_arity(n, x, 1, 1, 1, 1);

	if (rc)
		return rc;
	a = n->inputs[0];
	if (!(type_class(a->dtype) & types))
		return op_fail(n, x, GRT_E_DTYPE, "input 0 '%s' has unsupported element type %s",
		               a->name, dtype_name(a->dtype));
	out_dt = (types & UT_BOOL_OUT) ? DT_BOOL : a->dtype;
	rc = tensor_set_shape(n->outputs[0], out_dt, a->ndim, a->dims);
	if (rc)
		return op_fail(n, x, rc, "output shape too large");
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return op_fail(n, x, GRT_E_NOMEM, "out of memory");
	if (u->attrs) {
		rc = u->attrs(n, x, p->k);
		if (rc)
			return rc;
	}
	p->dtype = a->dtype;
	p->u = u;
	p->f32_n = u->f32_n;
	if (u->kern)
		memcpy(&p->f32_n, (const char *)x->kern + u->kern, sizeof(p->f32_n));
	n->inplace = out_dt == a->dtype;
	n->params = p;
	return GRT_OK;
}

/* The float attributes the row names, with the row's defaults. */
static int float_attrs(struct node *n, struct exec *x, double *k)
{
	const struct unary_def *u = (const struct unary_def *)n->op;

	for (int j = 0; j < UNARY_MAX_ATTRS && u->an[j]; j++) {
		float v;
		int rc = attr_float(n, x, u->an[j], u->ad[j], &v);
		if (rc)
			return rc;
		k[j] = v;
	}
	return GRT_OK;
}

/* Float types of a row with attributes, or with a bool output, and the integers of a row
 * with attributes (Shrink): in double. */
static void real_run(const struct unary_params *p, void *o, const void *a, int64_t count)
{
	const struct unary_def *u = p->u;

	for (int64_t i = 0; i < count; i++) {
		double v = elem_as_double(p->dtype, a, i);
		v = u->dk ? u->dk(v, p->k) : u->d(v);
		if (u->types & UT_BOOL_OUT)
			((uint8_t *)o)[i] = v != 0;
		else
			elem_set_double(p->dtype, o, i, v);
	}
}

/* Integer and bool types, on the sign-extended bits: narrowing stores wrap
 * (Abs and Neg of the most negative value give it back, as in ONNX Runtime). */
static void int_run(const struct unary_params *p, void *o, const void *a, int64_t count)
{
	const int is_unsigned = type_class(p->dtype) == UT_UINT;

	if (p->dtype == DT_BOOL) {
		for (int64_t i = 0; i < count; i++)
			((uint8_t *)o)[i] = p->u->i(((const uint8_t *)a)[i] != 0) != 0;
		return;
	}
	for (int64_t i = 0; i < count; i++) {
		uint64_t v = elem_as_bits(p->dtype, a, i);
		uint64_t r = is_unsigned ? p->u->u(v) : (uint64_t)p->u->i((int64_t)v);
		elem_set_bits(p->dtype, o, i, r);
	}
}

static int unary_run(struct node *n, struct exec *x)
{
	const struct unary_params *p = n->params;
	struct tensor *o = n->outputs[0];
	const void *a = n->inputs[0]->data;
	const int64_t count = o->numel;

	(void)x;
	if (type_class(p->dtype) != UT_FLOAT && !p->u->dk) {
		int_run(p, o->data, a, count);
		return GRT_OK;
	}
	if (p->u->dk || (p->u->types & UT_BOOL_OUT)) {
		real_run(p, o->data, a, count);
		return GRT_OK;
	}
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
	case DT_DOUBLE:
		for (int64_t i = 0; i < count; i++)
			((double *)o->data)[i] = p->u->d(((const double *)a)[i]);
		break;
	case DT_FLOAT16:
		for (int64_t i = 0; i < count; i++)
			((uint16_t *)o->data)[i] =
				float_to_half(p->u->f(half_to_float(((const uint16_t *)a)[i])));
		break;
	default:        /* DT_BFLOAT16 */
		for (int64_t i = 0; i < count; i++)
			((uint16_t *)o->data)[i] =
				float_to_bf16(p->u->f(bf16_to_float(((const uint16_t *)a)[i])));
		break;
	}
	return GRT_OK;
}

/* --- the scalar functions --- */

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

static float relu_f(float v) { return v > 0.0f ? v : 0.0f; }
static double relu_d(double v) { return v > 0.0 ? v : 0.0; }
static int64_t relu_i(int64_t v) { return v > 0 ? v : 0; }
/* -v and |v| in unsigned arithmetic: INT64_MIN wraps to itself, no overflow */
static int64_t neg_i(int64_t v) { return (int64_t)(0 - (uint64_t)v); }
static int64_t abs_i(int64_t v) { return v < 0 ? neg_i(v) : v; }
static uint64_t same_u(uint64_t v) { return v; }
static float neg_f(float v) { return -v; }
static double neg_d(double v) { return -v; }
static float reciprocal_f(float v) { return 1.0f / v; }
static double reciprocal_d(double v) { return 1.0 / v; }
static int64_t sign_i(int64_t v) { return (v > 0) - (v < 0); }
static uint64_t sign_u(uint64_t v) { return v != 0; }
static double sign_d(double v) { return (double)((v > 0) - (v < 0)); }
static float sign_f(float v) { return (float)((v > 0) - (v < 0)); }
static int64_t not_i(int64_t v) { return !v; }
static double isnan_d(double v) { return isnan(v); }

/* log(1 + e^x) without overflow: x + log1p(e^-x) for x > 0 */
static double softplus(double v)
{
	return v > 0 ? v + log1p(exp(-v)) : log1p(exp(v));
}

static float softplus_f(float v) { return (float)softplus(v); }
static double softsign(double v) { return v / (1.0 + fabs(v)); }
static float softsign_f(float v) { return (float)softsign(v); }
static double mish(double v) { return v * tanh(softplus(v)); }
static float mish_f(float v) { return (float)mish(v); }
/* x * HardSigmoid(x) with alpha = 1/6, beta = 1/2 */
static double hard_swish(double v) { return v * fmax(0.0, fmin(1.0, v / 6.0 + 0.5)); }
static float hard_swish_f(float v) { return (float)hard_swish(v); }

/* attributes in k[]: alpha, then beta or gamma */
static double leaky_relu(double v, const double *k) { return v < 0 ? k[0] * v : v; }
static double elu(double v, const double *k) { return v < 0 ? k[0] * expm1(v) : v; }
static double selu(double v, const double *k)
{
	return v > 0 ? k[1] * v : k[1] * k[0] * expm1(v);
}

static double celu(double v, const double *k)
{
	return fmax(0.0, v) + fmin(0.0, k[0] * expm1(v / k[0]));
}

static double hard_sigmoid(double v, const double *k)
{
	return fmax(0.0, fmin(1.0, k[0] * v + k[1]));
}

/* k[0], k[1]: bias, lambd */
static double shrink(double v, const double *k)
{
	return v < -k[1] ? v + k[0] : v > k[1] ? v - k[0] : 0.0;
}

static double thresholded_relu(double v, const double *k) { return v > k[0] ? v : 0.0; }

/* k[0]: 0 the exact form x Phi(x), 1 the tanh approximation */
static double gelu(double v, const double *k)
{
	if (k[0] != 0)
		return 0.5 * v * (1.0 + tanh(sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
	return 0.5 * v * (1.0 + erf(v / sqrt(2.0)));
}

static int gelu_attrs(struct node *n, struct exec *x, double *k)
{
	const char *s;
	int rc = attr_string(n, x, "approximate", "none", &s);

	if (rc)
		return rc;
	if (strcmp(s, "none") && strcmp(s, "tanh"))
		return op_fail(n, x, GRT_E_ATTR, "approximate '%s' is neither 'none' nor 'tanh'",
		               s);
	k[0] = !strcmp(s, "tanh");
	return GRT_OK;
}

/* k[0], k[1]: detect_negative, detect_positive */
static double is_inf(double v, const double *k)
{
	return isinf(v) && (v < 0 ? k[0] != 0 : k[1] != 0);
}

static int is_inf_attrs(struct node *n, struct exec *x, double *k)
{
	int64_t neg, pos;
	int rc = attr_int(n, x, "detect_negative", 1, &neg);

	if (rc || (rc = attr_int(n, x, "detect_positive", 1, &pos)))
		return rc;
	k[0] = (double)neg;
	k[1] = (double)pos;
	return GRT_OK;
}

/* --- the table --- */

/* A row, for the ops configure selected (ops/op_select.h; all by default): the op
 * type as a name (Abs, not "Abs"), then the row's members. */
#define ROW(type, first, ...) SEL_IF(IS_SEL(type), { .op = { .op_type = #type, \
	.since = first, .until = OPSET_LATEST, .prepare = unary_prepare, .run = unary_run }, \
	__VA_ARGS__ })
/* float types only, no attributes: name, first opset, float and double functions,
 * session kernel and portable float array kernel */
#define UNARY(type, first, f_, d_, kern_, f32_n_) \
	ROW(type, first, .f = f_, .d = d_, .kern = kern_, .f32_n = f32_n_)
#define MATH(type, first, name) UNARY(type, first, name##f, name, 0, NULL)
/* float types, float attributes alpha and (optionally) a second one */
#define UNARY_K(type, first, dk_, a0, d0, a1, d1) \
	ROW(type, first, .attrs = float_attrs, .dk = dk_, .an = { a0, a1 }, .ad = { d0, d1 })
#define KERN(member) offsetof(struct kernels, member)
#define ALL_NUM (UT_FLOAT | UT_SINT | UT_UINT)

/* Sorted by op_type (strcmp); ROW adds the commas. Relu, Neg, Abs and Sign take integers from opsets
 * 6 to 14 on; earlier opsets accept them here as well. */
const struct unary_def unary_table[] = {
	ROW(Abs, 1, .f = fabsf, .d = fabs, .i = abs_i, .u = same_u, .types = ALL_NUM)
	MATH(Acos, 7, acos)
	MATH(Acosh, 9, acosh)
	MATH(Asin, 7, asin)
	MATH(Asinh, 9, asinh)
	MATH(Atan, 7, atan)
	MATH(Atanh, 9, atanh)
	MATH(Ceil, 1, ceil)
	UNARY_K(Celu, 12, celu, "alpha", 1.0f, NULL, 0.0f)
	MATH(Cos, 7, cos)
	MATH(Cosh, 9, cosh)
	UNARY_K(Elu, 1, elu, "alpha", 1.0f, NULL, 0.0f)
	MATH(Erf, 9, erf)
	MATH(Exp, 1, exp)
	MATH(Floor, 1, floor)
	ROW(Gelu, 20, .attrs = gelu_attrs, .dk = gelu)
	UNARY_K(HardSigmoid, 1, hard_sigmoid, "alpha", 0.2f, "beta", 0.5f)
	UNARY(HardSwish, 14, hard_swish_f, hard_swish, 0, NULL)
	ROW(IsInf, 10, .attrs = is_inf_attrs, .dk = is_inf,
	    .types = UT_FLOAT | UT_BOOL_OUT)
	ROW(IsNaN, 9, .d = isnan_d, .types = UT_FLOAT | UT_BOOL_OUT)
	UNARY_K(LeakyRelu, 1, leaky_relu, "alpha", 0.01f, NULL, 0.0f)
	MATH(Log, 1, log)
	UNARY(Mish, 18, mish_f, mish, 0, NULL)
	ROW(Neg, 1, .f = neg_f, .d = neg_d, .i = neg_i, .types = UT_FLOAT | UT_SINT)
	ROW(Not, 1, .i = not_i, .types = UT_BOOL)
	UNARY(Reciprocal, 1, reciprocal_f, reciprocal_d, 0, NULL)
	ROW(Relu, 1, .f = relu_f, .d = relu_d, .kern = KERN(relu_f32), .i = relu_i,
	    .types = UT_FLOAT | UT_SINT)
	/* rint: half to even in the default rounding mode */
	UNARY(Round, 11, rintf, rint, 0, NULL)
	UNARY_K(Selu, 1, selu, "alpha", 1.67326319217681884765625f,
	        "gamma", 1.05070102214813232421875f)
	ROW(Shrink, 9, .attrs = float_attrs, .dk = shrink, .an = { "bias", "lambd" },
	    .ad = { 0.0f, 0.5f }, .types = ALL_NUM)
	UNARY(Sigmoid, 1, fast_sigmoidf, sigmoid, KERN(sigmoid_f32), NULL)
	ROW(Sign, 9, .f = sign_f, .d = sign_d, .i = sign_i, .u = sign_u, .types = ALL_NUM)
	MATH(Sin, 7, sin)
	MATH(Sinh, 9, sinh)
	UNARY(Softplus, 1, softplus_f, softplus, 0, NULL)
	UNARY(Softsign, 1, softsign_f, softsign, 0, NULL)
	UNARY(Sqrt, 1, sqrtf, sqrt, 0, sqrt_f32_n)
	MATH(Tan, 7, tan)
	UNARY(Tanh, 1, fast_tanhf, tanh, KERN(tanh_f32), NULL)
	UNARY_K(ThresholdedRelu, 10, thresholded_relu, "alpha", 1.0f, NULL, 0.0f)
	{ .op = { .op_type = NULL } }    /* keeps the array non-empty */
};

const int unary_table_len = (int)(sizeof(unary_table) / sizeof(unary_table[0])) - 1;
