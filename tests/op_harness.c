/* op_harness.c - see op_harness.h. */
#include <check.h>
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
	int rc = h_run(h);

	ck_assert_msg(rc == GRT_OK, "%s: status %d (%s): %s", h->n.op_type, rc,
	              grt_strerror(rc), h->err);
}

void h_run_err(struct harness *h, int code, const char *substr)
{
	int rc = h_run(h);

	ck_assert_msg(rc == code, "%s: status %d (%s), expected %d (%s); message: %s",
	              h->n.op_type, rc, grt_strerror(rc), code, grt_strerror(code), h->err);
	ck_assert_msg(strstr(h->err, substr), "message \"%s\" does not contain \"%s\"",
	              h->err, substr);
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

Suite *h_suite(const char *name, const TTest *const *values, const TTest *const *shapes,
               const TTest *const *errors, const TTest *const *opsets)
{
	Suite *s = suite_create(name);
	const TTest *const *groups[4] = { values, shapes, errors, opsets };
	static const char *const group_names[4] = { "values", "shapes", "errors", "opsets" };

	for (int g = 0; g < 4; g++) {
		TCase *tc;
		if (!groups[g])
			continue;
		tc = tcase_create(group_names[g]);
		for (const TTest *const *t = groups[g]; *t; t++)
			tcase_add_test(tc, *t);
		suite_add_tcase(s, tc);
	}
	return s;
}
