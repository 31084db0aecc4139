/* op_harness.c - see op_harness.h. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <string.h>
#include "ops/cpu.h"
#include "tests/op_harness.h"

void h_init(struct harness *h, const char *op_type, int opset)
{
	memset(h, 0, sizeof(*h));
	h->n.op_type = op_type;
	h->n.name = "test";
	h->n.opset = opset;
	h->n.op = op_lookup(op_type, opset);
	h->n.inputs = h->in;
	h->n.outputs = h->out;
	h->n.attrs = h->attrs;
	h->x.errmsg = h->err;
	h->x.errlen = sizeof(h->err);
	h->x.pool = &h->pool;
	h->x.kern = kernels_select(0);
}

struct tensor *h_input(struct harness *h, enum dtype dt, int ndim, const int64_t *dims,
                       const void *data, int is_const)
{
	struct tensor *t = &h->t[h->n_t++];

	tensor_set_shape(t, dt, ndim, dims);
	t->name = "in";
	t->data = pool_alloc(&h->pool.blocks, t->nbytes);
	if (data && t->nbytes)
		memcpy(t->data, data, t->nbytes);
	t->is_const = is_const;
	h->in[h->n.n_inputs++] = t;
	return t;
}

void h_input_none(struct harness *h)
{
	h->in[h->n.n_inputs++] = NULL;
}

void h_output(struct harness *h)
{
	struct tensor *t = &h->t[h->n_t++];

	t->name = "out";
	h->out[h->n.n_outputs++] = t;
}

void h_output_none(struct harness *h)
{
	h->out[h->n.n_outputs++] = NULL;
}

static struct attr *new_attr(struct harness *h, const char *name, enum attr_type type)
{
	struct attr *a = &h->attrs[h->n.n_attrs++];

	a->name = name;
	a->type = type;
	return a;
}

void h_attr_int(struct harness *h, const char *name, int64_t v)
{
	new_attr(h, name, ATTR_INT)->i = v;
}

void h_attr_float(struct harness *h, const char *name, float v)
{
	new_attr(h, name, ATTR_FLOAT)->f = v;
}

void h_attr_string(struct harness *h, const char *name, const char *s)
{
	struct attr *a = new_attr(h, name, ATTR_STRING);

	a->s = s;
	a->s_len = strlen(s);
}

void h_attr_ints(struct harness *h, const char *name, int n, const int64_t *v)
{
	struct attr *a = new_attr(h, name, ATTR_INTS);

	a->ints = v;
	a->n = n;
}

void h_attr_floats(struct harness *h, const char *name, int n, const float *v)
{
	struct attr *a = new_attr(h, name, ATTR_FLOATS);

	a->floats = v;
	a->n = n;
}

int h_run(struct harness *h)
{
	int rc;

	if (!h->n.op) {
		strcpy(h->err, "operator not in the registry");
		return GRT_E_UNSUPPORTED;
	}
	rc = h->n.op->prepare(&h->n, &h->x);
	if (rc)
		return rc;
	for (int i = 0; i < h->n.n_outputs; i++) {
		struct tensor *t = h->out[i];
		if (!t)
			continue;
		t->data = pool_alloc(&h->pool.blocks, t->nbytes);
		if (!t->data)
			return GRT_E_NOMEM;
	}
	h->x.scratch = pool_alloc(&h->pool.blocks, h->n.scratch_bytes);
	if (!h->x.scratch)
		return GRT_E_NOMEM;
	return h->n.op->run(&h->n, &h->x);
}

void h_free(struct harness *h)
{
	pool_free(&h->pool.blocks);
}

void h_attr_strings(struct harness *h, const char *name, int n, const char *const *v)
{
	struct attr *a = new_attr(h, name, ATTR_STRINGS);

	a->strings = v;
	a->n = n;
}

double h_value(enum dtype dt, const void *p, int64_t i)
{
	return elem_as_double(dt, p, i);
}

void h_run_ok(struct harness *h)
{
	expect_ok(h->n.op_type, h->err, h_run(h));
}

void h_run_err(struct harness *h, int code, const char *substr)
{
	expect_error(h->n.op_type, h->err, h_run(h), code, substr);
}

void h_expect_out(struct harness *h, int k, enum dtype dt, int ndim, const int64_t *dims,
                  const void *want)
{
	const struct tensor *t = h->out[k];
	size_t es = dtype_size(dt);

	ck_assert_msg(t->dtype == dt, "output %d: dtype %s, expected %s", k,
	              dtype_name(t->dtype), dtype_name(dt));
	ck_assert_msg(t->ndim == ndim, "output %d: rank %d, expected %d", k, t->ndim, ndim);
	for (int d = 0; d < ndim; d++)
		ck_assert_msg(t->dims[d] == dims[d], "output %d: dim %d is %lld, expected %lld",
		              k, d, (long long)t->dims[d], (long long)dims[d]);
	if (!want)
		return;
	for (int64_t i = 0; i < t->numel; i++)
		if (memcmp((const char *)t->data + i * es, (const char *)want + i * es, es))
			ck_abort_msg("output %d index %lld: got %g, expected %g", k, (long long)i,
			             h_value(dt, t->data, i), h_value(dt, want, i));
}

void h_build(struct harness *h, const struct h_case *c)
{
	h_init(h, c->op_type, c->opset);
	if (c->domain)
		h->n.op = op_lookup_domain(c->domain, c->op_type, c->opset);
	for (int i = 0; i < (int)N_ELEMS(c->in) && (c->in[i].dt || c->in[i].omitted); i++) {
		if (c->in[i].omitted)
			h_input_none(h);
		else
			h_input(h, c->in[i].dt, c->in[i].ndim, c->in[i].dims, c->in[i].data,
			        c->in[i].is_const);
	}
	for (int i = 0; i < (int)N_ELEMS(c->at) && c->at[i].name; i++) {
		const struct h_at *a = &c->at[i];
		switch (a->type) {
		case ATTR_INT: h_attr_int(h, a->name, a->i); break;
		case ATTR_FLOAT: h_attr_float(h, a->name, a->f); break;
		case ATTR_STRING: h_attr_string(h, a->name, a->s); break;
		case ATTR_INTS: h_attr_ints(h, a->name, a->n, a->ints); break;
		case ATTR_STRINGS: h_attr_strings(h, a->name, a->n, a->strings); break;
		default: ck_abort_msg("%s: attribute '%s' of type %d", c->name, a->name, a->type);
		}
	}
	for (int i = 0; i < (c->n_out ? c->n_out : 1); i++)
		h_output(h);
}

void h_expect_case(const struct h_case *c, const char *also)
{
	struct harness h;
	int rc;

	h_build(&h, c);
	rc = h_run(&h);
	expect_error(c->name, h.err, rc, c->code, c->msg);
	if (also)
		expect_error(c->name, h.err, rc, c->code, also);
	h_free(&h);
}

uint32_t rng_state;

float frand(void)
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return (float)(rng_state >> 8) / (float)(1u << 23) - 1.0f;
}

void fill(float *v, int64_t n, float scale)
{
	for (int64_t i = 0; i < n; i++)
		v[i] = scale * frand();
}

void expect_f32(const struct tensor *t, const float *exp, int64_t n, double atol,
                double rtol, const char *what)
{
	const float *got = t->data;

	ck_assert_int_eq(t->dtype, DT_FLOAT);
	ck_assert_msg(t->numel == n, "%s: %lld elements, expected %lld", what,
	              (long long)t->numel, (long long)n);
	for (int64_t i = 0; i < n; i++)
		ck_assert_msg(fabs((double)got[i] - exp[i]) <= atol + rtol * fabs(exp[i]),
		              "%s[%lld]: got %.8g, expected %.8g", what, (long long)i,
		              (double)got[i], (double)exp[i]);
}

void expect_f64(const struct tensor *t, const double *exp, int64_t n, double atol,
                const char *what)
{
	const double *got = t->data;

	ck_assert_int_eq(t->dtype, DT_DOUBLE);
	ck_assert_msg(t->numel == n, "%s: %lld elements, expected %lld", what,
	              (long long)t->numel, (long long)n);
	for (int64_t i = 0; i < n; i++)
		ck_assert_msg(fabs(got[i] - exp[i]) <= atol, "%s[%lld]: got %.12g, expected %.12g",
		              what, (long long)i, got[i], exp[i]);
}

void expect_dims(const struct tensor *t, int ndim, const int64_t *dims)
{
	ck_assert_msg(t->ndim == ndim, "rank %d, expected %d", t->ndim, ndim);
	for (int i = 0; i < ndim; i++)
		ck_assert_msg(t->dims[i] == dims[i], "dim %d is %lld, expected %lld", i,
		              (long long)t->dims[i], (long long)dims[i]);
}

/* Y = A B for one [m,k] x [k,n] matrix, in double. */
void ref_gemm(const float *a, const float *b, float *y, int64_t m, int64_t k, int64_t n)
{
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++) {
			double s = 0;
			for (int64_t p = 0; p < k; p++)
				s += (double)a[i * k + p] * b[p * n + j];
			y[i * n + j] = (float)s;
		}
}

/* Error of got in units of the last place of the float nearest ref (subnormal
 * ulps below FLT_MIN). A ref beyond FLT_MAX must round to inf. */
double ulps(float got, double ref)
{
	int e;

	if (isnan(ref))
		return isnan(got) ? 0 : INFINITY;
	if (fabs(ref) > FLT_MAX)
		return isinf(got) && (got > 0) == (ref > 0) ? 0 : INFINITY;
	frexp(ref, &e);
	return fabs((double)got - ref) / ldexp(1.0, (e - 24 < -149 ? -149 : e - 24));
}

double ref_sigmoid(double x)
{
	return 1.0 / (1.0 + exp(-x));
}
