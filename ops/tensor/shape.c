/* shape.c - shape and constant operators (https://onnx.ai/onnx/operators/):
 * Shape 1+, Reshape 5+, Squeeze 1-12/13+, Unsqueeze 1-12/13+, Expand 8+,
 * ConstantOfShape 9+, Constant 1+, Range 11+, Identity 1+, Flatten 1+, Size 1+. Shapes
 * are settled in prepare from constant inputs; run() copies bytes (Reshape, Squeeze,
 * Unsqueeze, Identity, Flatten: views the planner may drop), walks
 * merged broadcast rows (Expand) or fills (ConstantOfShape, Range). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "ops/op.h"

/* ---- helpers ---- */

/* Formats dims as "[2, 3, 4]" into buf (for messages). */
static const char *fmt_dims(char *buf, size_t len, int ndim, const int64_t *dims)
{
	size_t k = 0;
	int w;

	w = snprintf(buf, len, "[");
	for (int i = 0; i < ndim && w >= 0 && (k += (size_t)w) < len; i++)
		w = snprintf(buf + k, len - k, i ? ", %lld" : "%lld", (long long)dims[i]);
	if (w >= 0 && (k += (size_t)w) < len)
		snprintf(buf + k, len - k, "]");
	return buf;
}

/* Checks the arity and that output 0 is requested. */
static int check_node(struct node *n, struct exec *x, int min_in, int max_in)
{
	int rc = op_check_arity(n, x, min_in, max_in, 1, 1);

	if (rc)
		return rc;
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	return GRT_OK;
}

/* Sets output 0's dtype and dims, with a message when they do not fit. */
static int set_output(struct node *n, struct exec *x, enum dtype dt, int ndim,
                      const int64_t *dims)
{
	char buf[160];
	int rc = tensor_set_shape(n->outputs[0], dt, ndim, dims);

	if (rc == GRT_E_LIMIT)
		return op_fail(n, x, rc, "output shape %s (%d dims, %s) exceeds the runtime's limits",
		               fmt_dims(buf, sizeof(buf), ndim, dims), ndim, dtype_name(dt));
	if (rc)
		return op_fail(n, x, rc, "invalid output shape %s",
		               fmt_dims(buf, sizeof(buf), ndim, dims));
	return GRT_OK;
}

/* Reads input i, a 1-D int64 tensor known at plan time (a shape or axes),
 * into v[0..*count); at most max entries. */
static int read_int_list(struct node *n, struct exec *x, int i, const char *what, int max,
                         int64_t *v, int *count)
{
	const struct tensor *t = n->inputs[i];
	const void *data;

	if (t->dtype != DT_INT64)
		return op_fail(n, x, GRT_E_DTYPE, "input %d '%s' (%s) must be int64, not %s",
		               i, t->name, what, dtype_name(t->dtype));
	if (t->ndim != 1)
		return op_fail(n, x, GRT_E_SHAPE, "input %d '%s' (%s) must be 1-D, not rank %d",
		               i, t->name, what, t->ndim);
	if (t->numel > max)
		return op_fail(n, x, GRT_E_LIMIT, "input %d '%s' (%s) has %lld entries, at most %d "
		               "supported", i, t->name, what, (long long)t->numel, max);
	data = op_const_input(n, x, i);
	if (!t->is_const)
		return op_dynamic(n, x, i, what);
	if (t->numel)
		memcpy(v, data, (size_t)t->numel * sizeof(int64_t));
	*count = (int)t->numel;
	return GRT_OK;
}

/* Normalises axes[0..count) for rank into a bit mask; duplicates and
 * out-of-range values fail with code (GRT_E_ATTR for an attribute, GRT_E_SHAPE
 * for an input). */
static int axes_mask(struct node *n, struct exec *x, int code, const int64_t *axes,
                     int count, int rank, unsigned *mask)
{
	*mask = 0;
	for (int i = 0; i < count; i++) {
		int64_t a = axes[i];
		if (a < -rank || a >= rank)
			return op_fail(n, x, code, "axes[%d] = %lld is out of range [%d, %d)", i,
			               (long long)a, -rank, rank);
		if (a < 0)
			a += rank;
		if (*mask & (1u << a))
			return op_fail(n, x, code, "axes[%d] = %lld repeats axis %lld", i,
			               (long long)axes[i], (long long)a);
		*mask |= 1u << a;
	}
	return GRT_OK;
}

/* Fills n elements of es bytes with the element at val. */
static void fill_elems(void *restrict dst, const void *restrict val, int64_t n, size_t es)
{
	switch (es) {
	case 1:
		memset(dst, *(const uint8_t *)val, (size_t)n);
		break;
	case 2: {
		uint16_t v, *d = dst;
		memcpy(&v, val, 2);
		for (int64_t i = 0; i < n; i++)
			d[i] = v;
		break;
	}
	case 4: {
		uint32_t v, *d = dst;
		memcpy(&v, val, 4);
		for (int64_t i = 0; i < n; i++)
			d[i] = v;
		break;
	}
	default: {
		uint64_t v, *d = dst;
		memcpy(&v, val, 8);
		for (int64_t i = 0; i < n; i++)
			d[i] = v;
		break;
	}
	}
}

/* Reshape, Squeeze, Unsqueeze: the bytes do not change. */
static int copy_run(struct node *n, struct exec *x)
{
	const struct tensor *in = n->inputs[0];
	struct tensor *out = n->outputs[0];

	(void)x;
	if (in->nbytes && out->data != in->data)
		memcpy(out->data, in->data, in->nbytes);
	return GRT_OK;
}

/* ---- Shape ---- */

struct shape_params {
	int start;                  /* first input axis reported */
};

static int shape_prepare(struct node *n, struct exec *x)
{
	const struct tensor *in;
	struct shape_params *p;
	int64_t start, end, count;
	int r, rc;

	if ((rc = check_node(n, x, 1, 1)))
		return rc;
	in = n->inputs[0];
	r = in->ndim;
	if ((rc = attr_int(n, x, "start", 0, &start)) || (rc = attr_int(n, x, "end", r, &end)))
		return rc;
	/* opset 15: negative axes count from the back, then clamp to [0, r] */
	if (start < 0)
		start += r;
	if (end < 0)
		end += r;
	start = start < 0 ? 0 : start > r ? r : start;
	end = end < 0 ? 0 : end > r ? r : end;
	count = end > start ? end - start : 0;
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	p->start = (int)start;
	n->params = p;
	return set_output(n, x, DT_INT64, 1, &count);
}

/* Reads only the input's dims (OP_SHAPE_ONLY): its data may not exist. */
static int shape_run(struct node *n, struct exec *x)
{
	const struct shape_params *p = n->params;
	const struct tensor *in = n->inputs[0];
	struct tensor *out = n->outputs[0];
	int64_t *restrict o = out->data;

	(void)x;
	for (int64_t i = 0; i < out->numel; i++)
		o[i] = in->dims[p->start + i];
	return GRT_OK;
}

/* ---- Reshape ---- */

static int reshape_prepare(struct node *n, struct exec *x)
{
	const struct tensor *in;
	int64_t shape[MAX_DIMS], dims[MAX_DIMS], allowzero, known = 1;
	char b1[160], b2[160];
	int count, infer = -1, rc;

	if ((rc = check_node(n, x, 2, 2)))
		return rc;
	in = n->inputs[0];
	if ((rc = attr_int(n, x, "allowzero", 0, &allowzero)))
		return rc;
	if ((rc = read_int_list(n, x, 1, "shape", MAX_DIMS, shape, &count)))
		return rc;
	for (int i = 0; i < count; i++) {
		int64_t v = shape[i];
		if (v == 0 && !allowzero) {
			/* 0 copies the input dim at the same index */
			if (i >= in->ndim)
				return op_fail(n, x, GRT_E_SHAPE, "shape[%d] = 0 copies input dim %d, "
				               "but the input %s has rank %d", i, i,
				               fmt_dims(b1, sizeof(b1), in->ndim, in->dims), in->ndim);
			v = in->dims[i];
		} else if (v == -1) {
			if (infer >= 0)
				return op_fail(n, x, GRT_E_SHAPE, "shape %s has more than one -1",
				               fmt_dims(b1, sizeof(b1), count, shape));
			infer = i;
			dims[i] = -1;
			continue;
		} else if (v < -1) {
			return op_fail(n, x, GRT_E_SHAPE, "shape[%d] = %lld is negative", i,
			               (long long)v);
		}
		if (v && known > INT64_MAX / v)
			return op_fail(n, x, GRT_E_LIMIT, "shape %s is too large",
			               fmt_dims(b1, sizeof(b1), count, shape));
		dims[i] = v;
		known *= v;
	}
	if (infer >= 0) {
		if (allowzero && known == 0)
			return op_fail(n, x, GRT_E_SHAPE, "shape %s has both -1 and 0 with allowzero=1",
			               fmt_dims(b1, sizeof(b1), count, shape));
		if (known == 0 || in->numel % known)
			return op_fail(n, x, GRT_E_SHAPE, "cannot reshape %s (%lld elements) into %s: "
			               "-1 cannot be inferred",
			               fmt_dims(b1, sizeof(b1), in->ndim, in->dims),
			               (long long)in->numel, fmt_dims(b2, sizeof(b2), count, shape));
		dims[infer] = in->numel / known;
		known *= dims[infer];
	}
	if (known != in->numel)
		return op_fail(n, x, GRT_E_SHAPE, "cannot reshape %s (%lld elements) into %s "
		               "(%lld elements)", fmt_dims(b1, sizeof(b1), in->ndim, in->dims),
		               (long long)in->numel, fmt_dims(b2, sizeof(b2), count, dims),
		               (long long)known);
	n->view = 1;
	return set_output(n, x, in->dtype, count, dims);
}

/* ---- Squeeze ---- */

/* axes == NULL: every size-1 dim goes. */
static int squeeze_shape(struct node *n, struct exec *x, int code, const int64_t *axes,
                         int count)
{
	const struct tensor *in = n->inputs[0];
	int64_t dims[MAX_DIMS];
	unsigned mask = 0;
	int r = in->ndim, k = 0, rc;

	if (axes) {
		if ((rc = axes_mask(n, x, code, axes, count, r, &mask)))
			return rc;
	} else {
		for (int d = 0; d < r; d++)
			if (in->dims[d] == 1)
				mask |= 1u << d;
	}
	for (int d = 0; d < r; d++) {
		if (!(mask & (1u << d))) {
			dims[k++] = in->dims[d];
			continue;
		}
		if (in->dims[d] != 1)
			return op_fail(n, x, GRT_E_SHAPE, "cannot squeeze axis %d of size %lld", d,
			               (long long)in->dims[d]);
	}
	n->view = 1;
	return set_output(n, x, in->dtype, k, dims);
}

static int squeeze1_prepare(struct node *n, struct exec *x)
{
	const int64_t *axes;
	int count, rc;

	if ((rc = check_node(n, x, 1, 1)))
		return rc;
	if ((rc = attr_ints(n, x, "axes", &axes, &count)))
		return rc;
	if (count < 0)
		return squeeze_shape(n, x, GRT_E_ATTR, NULL, 0);
	return squeeze_shape(n, x, GRT_E_ATTR, axes, count);
}

static int squeeze13_prepare(struct node *n, struct exec *x)
{
	int64_t axes[MAX_DIMS];
	int count, rc;

	if ((rc = check_node(n, x, 1, 2)))
		return rc;
	if (!op_input(n, 1))
		return squeeze_shape(n, x, GRT_E_SHAPE, NULL, 0);
	if ((rc = read_int_list(n, x, 1, "axes", MAX_DIMS, axes, &count)))
		return rc;
	return squeeze_shape(n, x, GRT_E_SHAPE, axes, count);
}

/* ---- Unsqueeze ---- */

/* Negative axes count in the output rank (input rank + number of axes). */
static int unsqueeze_shape(struct node *n, struct exec *x, int code, const int64_t *axes,
                           int count)
{
	const struct tensor *in = n->inputs[0];
	int64_t dims[MAX_DIMS];
	unsigned mask;
	int r = in->ndim + count, k = 0, rc;

	if (r > MAX_DIMS)
		return op_fail(n, x, GRT_E_LIMIT, "output rank %d exceeds %d", r, MAX_DIMS);
	if ((rc = axes_mask(n, x, code, axes, count, r, &mask)))
		return rc;
	for (int d = 0; d < r; d++)
		dims[d] = (mask & (1u << d)) ? 1 : in->dims[k++];
	n->view = 1;
	return set_output(n, x, in->dtype, r, dims);
}

static int unsqueeze1_prepare(struct node *n, struct exec *x)
{
	const int64_t *axes;
	int count, rc;

	if ((rc = check_node(n, x, 1, 1)))
		return rc;
	if ((rc = attr_ints(n, x, "axes", &axes, &count)))
		return rc;
	if (count < 0)
		return op_fail(n, x, GRT_E_ATTR, "attribute 'axes' is required");
	return unsqueeze_shape(n, x, GRT_E_ATTR, axes, count);
}

static int unsqueeze13_prepare(struct node *n, struct exec *x)
{
	int64_t axes[MAX_DIMS];
	int count, rc;

	if ((rc = check_node(n, x, 2, 2)))
		return rc;
	if ((rc = read_int_list(n, x, 1, "axes", MAX_DIMS, axes, &count)))
		return rc;
	return unsqueeze_shape(n, x, GRT_E_SHAPE, axes, count);
}

/* ---- Expand ---- */

struct expand_params {
	int     ndim;               /* rank of the merged copy (>= 1) */
	int64_t dims[MAX_DIMS];     /* [ndim] output dims, size-1 axes dropped, runs merged */
	int64_t stride[MAX_DIMS];   /* [ndim] input element step per output step; 0 = repeat */
	size_t  es;                 /* element size in bytes */
};

static int expand_prepare(struct node *n, struct exec *x)
{
	const struct tensor *in;
	const struct tensor *ts[2];
	struct tensor target;
	struct expand_params *p;
	int64_t shape[MAX_DIMS], dims[MAX_DIMS], stride[MAX_DIMS];
	int count, ndim, rc;

	if ((rc = check_node(n, x, 2, 2)))
		return rc;
	in = n->inputs[0];
	if ((rc = read_int_list(n, x, 1, "shape", MAX_DIMS, shape, &count)))
		return rc;
	memset(&target, 0, sizeof(target));
	for (int i = 0; i < count; i++) {
		if (shape[i] < 0)
			return op_fail(n, x, GRT_E_SHAPE, "shape[%d] = %lld is negative", i,
			               (long long)shape[i]);
		target.dims[i] = shape[i];
	}
	target.ndim = count;
	target.name = n->inputs[1]->name;
	ts[0] = in;
	ts[1] = &target;
	if ((rc = broadcast_shape(n, x, ts, 2, &ndim, dims)))
		return rc;
	if ((rc = set_output(n, x, in->dtype, ndim, dims)))
		return rc;

	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	p->es = dtype_size(in->dtype);
	broadcast_strides(in, ndim, dims, stride);
	/* drop size-1 axes; merge an axis into the previous one when together
	 * they step the input uniformly (both repeated, or contiguous) */
	for (int d = 0; d < ndim; d++) {
		int k = p->ndim;
		if (dims[d] == 1)
			continue;
		if (k && p->stride[k - 1] == stride[d] * dims[d]) {
			p->dims[k - 1] *= dims[d];
			p->stride[k - 1] = stride[d];
			continue;
		}
		p->dims[k] = dims[d];
		p->stride[k] = stride[d];
		p->ndim++;
	}
	if (!p->ndim) {
		p->ndim = 1;
		p->dims[0] = 1;
		p->stride[0] = 1;
	}
	/* nothing repeated (the shape only adds or keeps 1s): a relabelling */
	n->view = n->outputs[0]->numel == in->numel;
	n->params = p;
	return GRT_OK;
}

/* Output rows along the last merged axis: a memcpy where the input is
 * contiguous (stride 1), else one element repeated (stride 0). */
static int expand_run(struct node *n, struct exec *x)
{
	const struct expand_params *p = n->params;
	const char *src = n->inputs[0]->data;
	struct tensor *out = n->outputs[0];
	char *dst = out->data;
	const int last = p->ndim - 1;
	const int64_t len = p->dims[last];
	const size_t row_bytes = (size_t)len * p->es;
	int64_t idx[MAX_DIMS] = { 0 }, off = 0, rows;

	(void)x;
	if (!out->numel)
		return GRT_OK;
	rows = out->numel / len;
	for (int64_t r = 0; r < rows; r++) {
		if (p->stride[last])
			memcpy(dst, src + (size_t)off * p->es, row_bytes);
		else
			fill_elems(dst, src + (size_t)off * p->es, len, p->es);
		dst += row_bytes;
		for (int d = last - 1; d >= 0; d--) {
			off += p->stride[d];
			if (++idx[d] < p->dims[d])
				break;
			off -= p->stride[d] * p->dims[d];
			idx[d] = 0;
		}
	}
	return GRT_OK;
}

/* ---- ConstantOfShape ---- */

struct constant_of_shape_params {
	const void *value;          /* one element of the output dtype */
	int         zero;           /* every byte of *value is 0 */
};

static const float zero_float;  /* the default 'value': float 0 */

static int constant_of_shape_prepare(struct node *n, struct exec *x)
{
	const struct attr *a;
	struct constant_of_shape_params *p;
	enum dtype dt = DT_FLOAT;
	int64_t dims[MAX_DIMS];
	const void *value = &zero_float;
	int count, rc;

	if ((rc = check_node(n, x, 1, 1)))
		return rc;
	a = node_attr(n, "value");
	if (a) {
		if (a->type != ATTR_TENSOR)
			return op_fail(n, x, GRT_E_ATTR, "attribute 'value' must be a tensor");
		if (a->t->numel != 1)
			return op_fail(n, x, GRT_E_ATTR, "attribute 'value' must have one element, "
			               "not %lld", (long long)a->t->numel);
		dt = a->t->dtype;
		value = a->t->data;
	}
	if ((rc = read_int_list(n, x, 0, "shape", MAX_DIMS, dims, &count)))
		return rc;
	for (int i = 0; i < count; i++)
		if (dims[i] < 0)
			return op_fail(n, x, GRT_E_SHAPE, "shape[%d] = %lld is negative", i,
			               (long long)dims[i]);
	if ((rc = set_output(n, x, dt, count, dims)))   /* an empty shape gives a scalar */
		return rc;
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	p->value = value;
	p->zero = 1;
	for (size_t i = 0; i < dtype_size(dt); i++)
		if (((const uint8_t *)value)[i])
			p->zero = 0;
	n->params = p;
	return GRT_OK;
}

static int constant_of_shape_run(struct node *n, struct exec *x)
{
	const struct constant_of_shape_params *p = n->params;
	struct tensor *out = n->outputs[0];

	(void)x;
	if (!out->numel)
		return GRT_OK;
	if (p->zero)
		memset(out->data, 0, out->nbytes);
	else
		fill_elems(out->data, p->value, out->numel, dtype_size(out->dtype));
	return GRT_OK;
}

/* ---- Constant ---- */

struct constant_params {
	const void *data;           /* the value's bytes (model-owned attribute) */
};

static int constant_prepare(struct node *n, struct exec *x)
{
	static const char *const names[] = {
		"value", "value_float", "value_floats", "value_int", "value_ints",
		"value_string", "value_strings", "sparse_value",
	};
	const struct attr *a = NULL;
	struct constant_params *p;
	int found = 0, rc;

	if ((rc = check_node(n, x, 0, 0)))
		return rc;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct attr *b = node_attr(n, names[i]);
		if (b) {
			a = b;
			found++;
		}
	}
	if (found != 1)
		return op_fail(n, x, GRT_E_ATTR, "exactly one of the attributes value, value_float, "
		               "value_floats, value_int, value_ints, value_string, value_strings, "
		               "sparse_value must be set, not %d", found);
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	n->params = p;
	if (!strcmp(a->name, "value")) {
		if (a->type != ATTR_TENSOR)
			return op_fail(n, x, GRT_E_ATTR, "attribute 'value' must be a tensor");
		p->data = a->t->data;
		return set_output(n, x, a->t->dtype, a->t->ndim, a->t->dims);
	}
	if (!strcmp(a->name, "value_float")) {
		float f;
		if ((rc = attr_float(n, x, a->name, 0, &f)))
			return rc;
		p->data = &a->f;
		return set_output(n, x, DT_FLOAT, 0, NULL);
	}
	if (!strcmp(a->name, "value_int")) {
		int64_t i;
		if ((rc = attr_int(n, x, a->name, 0, &i)))
			return rc;
		p->data = &a->i;
		return set_output(n, x, DT_INT64, 0, NULL);
	}
	if (!strcmp(a->name, "value_floats")) {
		const float *f;
		int64_t len;
		int count;
		if ((rc = attr_floats(n, x, a->name, &f, &count)))
			return rc;
		p->data = f;
		len = count;
		return set_output(n, x, DT_FLOAT, 1, &len);
	}
	if (!strcmp(a->name, "value_ints")) {
		const int64_t *v;
		int64_t len;
		int count;
		if ((rc = attr_ints(n, x, a->name, &v, &count)))
			return rc;
		p->data = v;
		len = count;
		return set_output(n, x, DT_INT64, 1, &len);
	}
	return op_fail(n, x, GRT_E_UNSUPPORTED, "attribute '%s' is not supported (string and "
	               "sparse tensors are not)", a->name);
}

static int constant_run(struct node *n, struct exec *x)
{
	const struct constant_params *p = n->params;
	struct tensor *out = n->outputs[0];

	(void)x;
	if (out->nbytes)
		memcpy(out->data, p->data, out->nbytes);
	return GRT_OK;
}

/* ---- Range ---- */

/* Scalar input i as a double (float types) or int64 (integer types). */
static double range_float(const struct tensor *t)
{
	return t->dtype == DT_FLOAT ? *(const float *)t->data : *(const double *)t->data;
}

static int64_t range_int(const struct tensor *t)
{
	switch (t->dtype) {
	case DT_INT16: return *(const int16_t *)t->data;
	case DT_INT32: return *(const int32_t *)t->data;
	default: return *(const int64_t *)t->data;
	}
}

static int range_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types[] = { DT_FLOAT, DT_DOUBLE, DT_INT16, DT_INT32, DT_INT64,
	                                    DT_UNDEFINED };
	static const char *const what[] = { "start", "limit", "delta" };
	const struct tensor *t[3];
	int64_t count = 0;
	int rc;

	if ((rc = check_node(n, x, 3, 3)))
		return rc;
	for (int i = 0; i < 3; i++) {
		t[i] = n->inputs[i];
		if ((rc = op_check_dtype(n, x, i, types)))
			return rc;
		if (t[i]->dtype != t[0]->dtype)
			return op_fail(n, x, GRT_E_DTYPE, "%s is %s but start is %s", what[i],
			               dtype_name(t[i]->dtype), dtype_name(t[0]->dtype));
		if (t[i]->numel != 1)
			return op_fail(n, x, GRT_E_SHAPE, "%s must be a scalar, has %lld elements",
			               what[i], (long long)t[i]->numel);
		if (!op_const_input(n, x, i))
			return op_dynamic(n, x, i, what[i]);
	}
	/* count = max(ceil((limit - start) / delta), 0) */
	if (dtype_is_float(t[0]->dtype)) {
		double start = range_float(t[0]), limit = range_float(t[1]);
		double delta = range_float(t[2]), q;
		if (delta == 0)
			return op_fail(n, x, GRT_E_SHAPE, "delta is 0");
		q = ceil((limit - start) / delta);
		if (isnan(q) || q > 0x1p62)
			return op_fail(n, x, GRT_E_LIMIT, "Range(%g, %g, %g) has too many elements",
			               start, limit, delta);
		count = q > 0 ? (int64_t)q : 0;
	} else {
		int64_t start = range_int(t[0]), limit = range_int(t[1]), delta = range_int(t[2]);
		uint64_t span = 0, step = 1, c;
		if (delta == 0)
			return op_fail(n, x, GRT_E_SHAPE, "delta is 0");
		/* exact in unsigned arithmetic, even for the extremes of int64 */
		if (delta > 0 && limit > start) {
			span = (uint64_t)limit - (uint64_t)start;
			step = (uint64_t)delta;
		} else if (delta < 0 && limit < start) {
			span = (uint64_t)start - (uint64_t)limit;
			step = (uint64_t)0 - (uint64_t)delta;
		}
		c = span ? (span - 1) / step + 1 : 0;
		if (c > (uint64_t)INT64_MAX)
			return op_fail(n, x, GRT_E_LIMIT, "Range has too many elements");
		count = (int64_t)c;
	}
	return set_output(n, x, t[0]->dtype, 1, &count);
}

/* value i = start + i * delta, computed in the element type (int64 for the
 * integer types, where every value lies between start and limit). */
static int range_run(struct node *n, struct exec *x)
{
	const struct tensor *s = n->inputs[0], *d = n->inputs[2];
	struct tensor *out = n->outputs[0];
	const int64_t count = out->numel;

	(void)x;
	switch (out->dtype) {
	case DT_FLOAT: {
		const float start = *(const float *)s->data, delta = *(const float *)d->data;
		float *restrict o = out->data;
		for (int64_t i = 0; i < count; i++)
			o[i] = start + (float)i * delta;
		break;
	}
	case DT_DOUBLE: {
		const double start = *(const double *)s->data, delta = *(const double *)d->data;
		double *restrict o = out->data;
		for (int64_t i = 0; i < count; i++)
			o[i] = start + (double)i * delta;
		break;
	}
	case DT_INT16: {
		const int64_t start = range_int(s), delta = range_int(d);
		int16_t *restrict o = out->data;
		for (int64_t i = 0; i < count; i++)
			o[i] = (int16_t)(start + i * delta);
		break;
	}
	case DT_INT32: {
		const int64_t start = range_int(s), delta = range_int(d);
		int32_t *restrict o = out->data;
		for (int64_t i = 0; i < count; i++)
			o[i] = (int32_t)(start + i * delta);
		break;
	}
	default: {
		/* int64: start + i * delta may pass INT64_MAX only past limit; step
		 * in unsigned arithmetic so no intermediate overflows */
		const uint64_t start = (uint64_t)range_int(s), delta = (uint64_t)range_int(d);
		int64_t *restrict o = out->data;
		for (int64_t i = 0; i < count; i++)
			o[i] = (int64_t)(start + (uint64_t)i * delta);
		break;
	}
	}
	return GRT_OK;
}

/* ---- Identity, Flatten ---- */

/* Identity 1+ (later opsets add sequence and optional types, which the runtime
 * has no values for): the input's bytes under its own shape, a view. */
static int identity_prepare(struct node *n, struct exec *x)
{
	const struct tensor *in;
	int rc;

	if ((rc = check_node(n, x, 1, 1)))
		return rc;
	in = n->inputs[0];
	n->view = 1;
	return set_output(n, x, in->dtype, in->ndim, in->dims);
}

/* Flatten 1+: (d0 .. d[axis-1], d[axis] .. d[r-1]) -> (product, product), a view;
 * axis in [-r, r] (negative from opset 11), default 1. */
static int flatten_prepare(struct node *n, struct exec *x)
{
	const struct tensor *in;
	int64_t axis, dims[2] = { 1, 1 };
	int rc;

	if ((rc = check_node(n, x, 1, 1)))
		return rc;
	in = n->inputs[0];
	if ((rc = attr_int(n, x, "axis", 1, &axis)))
		return rc;
	if (axis < -in->ndim || axis > in->ndim || (axis < 0 && n->opset < 11))
		return op_fail(n, x, GRT_E_ATTR, "axis %lld is out of range for rank %d at "
		               "opset %d", (long long)axis, in->ndim, n->opset);
	if (axis < 0)
		axis += in->ndim;
	for (int d = 0; d < in->ndim; d++)
		dims[d >= axis] *= in->dims[d];
	n->view = 1;
	return set_output(n, x, in->dtype, 2, dims);
}

/* ---- Size ---- */

/* Size 1+: the input's element count as an int64 scalar, from its shape only. */
static int size_prepare(struct node *n, struct exec *x)
{
	int rc;

	if ((rc = check_node(n, x, 1, 1)))
		return rc;
	return set_output(n, x, DT_INT64, 0, NULL);
}

static int size_run(struct node *n, struct exec *x)
{
	(void)x;
	*(int64_t *)n->outputs[0]->data = n->inputs[0]->numel;
	return GRT_OK;
}

const struct op_def op_shape = {
	"Shape", 1, OPSET_LATEST, shape_prepare, shape_run, OP_SHAPE_ONLY | OP_MOVES_DATA, NULL };
const struct op_def op_reshape = {
	"Reshape", 5, OPSET_LATEST, reshape_prepare, copy_run, OP_MOVES_DATA, NULL };
const struct op_def op_squeeze_1 = {
	"Squeeze", 1, 12, squeeze1_prepare, copy_run, OP_MOVES_DATA, NULL };
const struct op_def op_squeeze_13 = {
	"Squeeze", 13, OPSET_LATEST, squeeze13_prepare, copy_run, OP_MOVES_DATA, NULL };
const struct op_def op_unsqueeze_1 = {
	"Unsqueeze", 1, 12, unsqueeze1_prepare, copy_run, OP_MOVES_DATA, NULL };
const struct op_def op_unsqueeze_13 = {
	"Unsqueeze", 13, OPSET_LATEST, unsqueeze13_prepare, copy_run, OP_MOVES_DATA, NULL };
const struct op_def op_expand = {
	"Expand", 8, OPSET_LATEST, expand_prepare, expand_run, OP_MOVES_DATA, NULL };
const struct op_def op_constant_of_shape = {
	"ConstantOfShape", 9, OPSET_LATEST, constant_of_shape_prepare, constant_of_shape_run, OP_MOVES_DATA, NULL };
const struct op_def op_constant = {
	"Constant", 1, OPSET_LATEST, constant_prepare, constant_run, OP_MOVES_DATA, NULL };
const struct op_def op_identity = {
	"Identity", 1, OPSET_LATEST, identity_prepare, copy_run, OP_MOVES_DATA, NULL };
const struct op_def op_flatten = {
	"Flatten", 1, OPSET_LATEST, flatten_prepare, copy_run, OP_MOVES_DATA, NULL };
const struct op_def op_size = {
	"Size", 1, OPSET_LATEST, size_prepare, size_run, OP_SHAPE_ONLY | OP_MOVES_DATA, NULL };
const struct op_def op_range = {
	"Range", 11, OPSET_LATEST, range_prepare, range_run, OP_MOVES_DATA, NULL };
