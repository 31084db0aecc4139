/* attr.c - attribute access and the helpers operators use to validate and
 * report. */
#include <stdio.h>
#include <string.h>
#include "runtime/internal.h"

int op_fail(const struct node *n, struct exec *x, int code, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (!x->errmsg || !x->errlen)
		return code;
	if (n->name && n->name[0])
		k = snprintf(x->errmsg, x->errlen, "node '%s' (%s): ", n->name, n->op_type);
	else {
		const struct tensor *o = NULL;
		for (int i = 0; i < n->n_outputs && !o; i++)
			o = n->outputs[i];
		if (o)
			k = snprintf(x->errmsg, x->errlen, "node producing '%s' (%s): ",
			             o->name, n->op_type);
		else
			k = snprintf(x->errmsg, x->errlen, "node (%s): ", n->op_type);
	}
	if (k < 0 || (size_t)k >= x->errlen)
		return code;
	va_start(ap, fmt);
	vsnprintf(x->errmsg + k, x->errlen - (size_t)k, fmt, ap);
	va_end(ap);
	return code;
}

const struct attr *node_attr(const struct node *n, const char *name)
{
	for (int i = 0; i < n->n_attrs; i++)
		if (!strcmp(n->attrs[i].name, name))
			return &n->attrs[i];
	return NULL;
}

static const char *attr_type_name(enum attr_type t)
{
	static const char *const names[] = {
		"UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH",
		"FLOATS", "INTS", "STRINGS", "TENSORS", "GRAPHS",
	};
	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

static const struct attr *typed(struct node *n, struct exec *x, const char *name,
                                enum attr_type want, int *rc)
{
	const struct attr *a = node_attr(n, name);

	*rc = GRT_OK;
	if (a && a->type != want) {
		*rc = op_fail(n, x, GRT_E_ATTR, "attribute '%s' must be %s, not %s", name,
		              attr_type_name(want), attr_type_name(a->type));
		return NULL;
	}
	return a;
}

int attr_int(struct node *n, struct exec *x, const char *name, int64_t def, int64_t *out)
{
	int rc;
	const struct attr *a = typed(n, x, name, ATTR_INT, &rc);

	*out = a ? a->i : def;
	return rc;
}

int attr_float(struct node *n, struct exec *x, const char *name, float def, float *out)
{
	int rc;
	const struct attr *a = typed(n, x, name, ATTR_FLOAT, &rc);

	*out = a ? a->f : def;
	return rc;
}

int attr_string(struct node *n, struct exec *x, const char *name, const char *def,
                const char **out)
{
	int rc;
	const struct attr *a = typed(n, x, name, ATTR_STRING, &rc);

	*out = a ? a->s : def;
	return rc;
}

int attr_ints(struct node *n, struct exec *x, const char *name, const int64_t **out, int *count)
{
	int rc;
	const struct attr *a = typed(n, x, name, ATTR_INTS, &rc);

	*out = a ? a->ints : NULL;
	*count = a ? a->n : -1;
	return rc;
}

int attr_floats(struct node *n, struct exec *x, const char *name, const float **out, int *count)
{
	int rc;
	const struct attr *a = typed(n, x, name, ATTR_FLOATS, &rc);

	*out = a ? a->floats : NULL;
	*count = a ? a->n : -1;
	return rc;
}

const void *op_const_input(struct node *n, struct exec *x, int i)
{
	struct tensor *t = op_input(n, i);

	if (!t)
		return NULL;
	if (!t->is_const) {
		x->dyn = t;
		return NULL;
	}
	return t->data;
}

int op_dynamic(struct node *n, struct exec *x, int i, const char *what)
{
	struct tensor *t = op_input(n, i);

	x->dyn = t;
	return op_fail(n, x, GRT_E_DYNAMIC,
	               "%s comes from input %d '%s', whose value is not known at plan time",
	               what, i, t ? t->name : "");
}

int op_check_arity(struct node *n, struct exec *x, int min_in, int max_in,
                   int min_out, int max_out)
{
	if (n->n_inputs < min_in || n->n_inputs > max_in)
		return op_fail(n, x, GRT_E_INVALID_MODEL, "has %d inputs, expected %d to %d",
		               n->n_inputs, min_in, max_in);
	if (n->n_outputs < min_out || n->n_outputs > max_out)
		return op_fail(n, x, GRT_E_INVALID_MODEL, "has %d outputs, expected %d to %d",
		               n->n_outputs, min_out, max_out);
	for (int i = 0; i < min_in; i++)
		if (!n->inputs[i])
			return op_fail(n, x, GRT_E_INVALID_MODEL, "required input %d is empty", i);
	return GRT_OK;
}

int op_check_dtype(struct node *n, struct exec *x, int i, const enum dtype *allowed)
{
	struct tensor *t = op_input(n, i);

	if (!t)
		return GRT_OK;
	for (const enum dtype *d = allowed; *d != DT_UNDEFINED; d++)
		if (*d == t->dtype)
			return GRT_OK;
	return op_fail(n, x, GRT_E_DTYPE, "input %d '%s' has unsupported element type %s",
	               i, t->name, dtype_name(t->dtype));
}

void *plan_alloc(struct exec *x, size_t bytes)
{
	struct plan_pool *pp = x->pool;
	void *p;

	if (pp->limit && bytes > pp->limit - pp->used) {
		pp->over = 1;               /* the session reports the budget */
		return NULL;
	}
	if ((p = pool_alloc(&pp->blocks, bytes)))
		pp->used += bytes;
	return p;
}

void *plan_alloc_release(struct exec *x, size_t bytes, void (*release)(void *))
{
	struct plan_pool *pp = x->pool;
	void *p;

	if (pp->limit && bytes > pp->limit - pp->used) {
		pp->over = 1;
		return NULL;
	}
	if ((p = pool_alloc_release(&pp->blocks, bytes, release)))
		pp->used += bytes;
	return p;
}

int op_axis(struct node *n, struct exec *x, int64_t axis, int rank, int *out)
{
	if (axis < -rank || axis >= (rank ? rank : 1) || (rank == 0 && axis != 0 && axis != -1))
		return op_fail(n, x, GRT_E_ATTR, "axis %lld out of range for rank %d",
		               (long long)axis, rank);
	*out = (int)(axis < 0 ? axis + rank : axis);
	return GRT_OK;
}

int attr_strings(struct node *n, struct exec *x, const char *name, const char *const **out,
                 int *count)
{
	int rc;
	const struct attr *a = typed(n, x, name, ATTR_STRINGS, &rc);

	*out = a ? a->strings : NULL;
	*count = a ? a->n : -1;
	return rc;
}
