/* rewrite.c - the helpers of plan-time graph rewrites (ops/op.h): how a
 * rewrite reads the graph view, constants, and pattern pieces that rewrites
 * of more than one family share (a spatial zero Pad, a Slice of the last
 * axis). */
#include <string.h>
#include "ops/op.h"

struct node *rw_producer(struct rewrite_ctx *g, const struct tensor *t, const char *op_type)
{
	int i;

	if (!t)
		return NULL;
	i = g->producer[rw_id(g, t)];
	if (i < 0 || !g->nodes[i].op || (op_type && strcmp(g->nodes[i].op_type, op_type)))
		return NULL;
	return &g->nodes[i];
}

struct node *rw_sole_reader(struct rewrite_ctx *g, const struct tensor *t)
{
	if (!t || !rw_used_once(g, t))
		return NULL;
	for (int i = 0; i < g->n_nodes; i++) {
		struct node *n = &g->nodes[i];
		for (int k = 0; n->op && k < n->n_inputs; k++)
			if (n->inputs[k] == t)
				return n;
	}
	return NULL;
}

struct node rw_new_node(const struct op_def *op, const char *op_type, int opset,
                        const char *name)
{
	struct node n;

	memset(&n, 0, sizeof(n));
	n.op = op;
	n.op_type = op_type;
	n.opset = opset;
	n.name = name;
	return n;
}

const float *rw_const_scalar(const struct tensor *t)
{
	return t && t->is_const && t->dtype == DT_FLOAT && t->numel == 1 ? t->data : NULL;
}

int rw_const_float(const struct tensor *t, int64_t numel)
{
	return t && t->is_const && t->dtype == DT_FLOAT && (numel < 0 || t->numel == numel);
}

const int64_t *rw_const_ints(const struct tensor *t, int64_t *buf, int64_t max)
{
	if (!t || !t->is_const || (t->dtype != DT_INT64 && t->dtype != DT_INT32) ||
	    t->numel > max || tensor_read_ints(t, buf, max))
		return NULL;
	return buf;
}

struct tensor *rw_spatial_zero_pad(struct rewrite_ctx *g, struct node *pad, int readers,
                                   int64_t *pads)
{
	struct exec *x = g->x;
	struct tensor *in = pad->inputs[0];
	const char *mode;
	int64_t buf[2 * MAX_DIMS];
	const int64_t *pv;
	int count, r = in->ndim, nsp = r - 2;

	if (attr_string(pad, x, "mode", "constant", &mode) || strcmp(mode, "constant") ||
	    r < 3 || rw_uses(g, pad->outputs[0]) != readers)
		return NULL;
	if (pad->opset < 11) {
		float v;
		if (attr_ints(pad, x, "pads", &pv, &count) || count != 2 * r ||
		    attr_float(pad, x, "value", 0.0f, &v) || v != 0.0f)
			return NULL;
	} else {
		const struct tensor *cv = op_input(pad, 2);
		if (op_input(pad, 3) || pad->inputs[1]->numel != 2 * r ||
		    !(pv = rw_const_ints(pad->inputs[1], buf, 2 * MAX_DIMS)))
			return NULL;
		if (cv && (!cv->is_const || cv->numel != 1 ||
		           elem_as_double(cv->dtype, cv->data, 0) != 0))
			return NULL;
	}
	if (pv[0] || pv[1] || pv[r] || pv[r + 1])
		return NULL;
	for (int i = 0; i < nsp; i++) {
		pads[i] = pv[2 + i];
		pads[nsp + i] = pv[r + 2 + i];
		if (pads[i] < 0 || pads[nsp + i] < 0)
			return NULL;
	}
	return in;
}

int rw_slice_last(struct node *sl, struct exec *x, int64_t *start, int64_t *step)
{
	const struct tensor *in = sl->inputs[0], *out = sl->outputs[0];
	int64_t bs[4], be[4], ba[4], bt[4];
	const int64_t *st, *ax = NULL, *sp = NULL;
	const int r = in->ndim;
	int count = -1, na;

	if (r < 1 || r > 4 || out->ndim != r)
		return 0;
	for (int a = 0; a + 1 < r; a++)
		if (out->dims[a] != in->dims[a])
			return 0;
	if (sl->opset < 10) {
		if (attr_ints(sl, x, "starts", &st, &count) || count < 1 || count > 4 ||
		    attr_ints(sl, x, "axes", &ax, &na) || (ax && na != count))
			return 0;
	} else {
		count = (int)sl->inputs[1]->numel;
		if (count < 1 || count > 4 || !(st = rw_const_ints(sl->inputs[1], bs, 4)) ||
		    !rw_const_ints(sl->inputs[2], be, 4) ||
		    (op_input(sl, 3) && !(ax = rw_const_ints(sl->inputs[3], ba, 4))) ||
		    (op_input(sl, 4) && !(sp = rw_const_ints(sl->inputs[4], bt, 4))))
			return 0;
	}
	for (int i = 0; i < count; i++) {
		int64_t a = ax ? (ax[i] < 0 ? ax[i] + r : ax[i]) : i, v = st[i];
		if (a != r - 1) {
			continue;     /* the other axes are whole (checked above) */
		}
		*step = sp ? sp[i] : 1;
		if (*step < 1)
			return 0;
		v = v < 0 ? v + in->dims[r - 1] : v;
		*start = v < 0 ? 0 : v > in->dims[r - 1] ? in->dims[r - 1] : v;
		return 1;
	}
	return 0;
}
